#include <mesh/cytoplasm_manifold.h>

#include <deal.II/base/exceptions.h>

#include <cmath>
#include <sstream>

namespace mvb::mesh
{
  template <int dim>
  Point<dim>
  Ellipsoid<dim>::surface_point(const Tensor<1, dim> &unit_direction) const
  {
    Point<dim> p = centre;
    for (unsigned int d = 0; d < dim; ++d)
      p[d] += semi_axes[d] * unit_direction[d];
    return p;
  }

  template <int dim>
  CytoplasmManifold<dim>::CytoplasmManifold(const Ellipsoid<dim> &nucleus,
                                            const Ellipsoid<dim> &membrane)
      : nucleus(nucleus)
      , membrane(membrane)
  {
  }

  template <int dim>
  std::unique_ptr<Manifold<dim>>
  CytoplasmManifold<dim>::clone() const
  {
    return std::make_unique<CytoplasmManifold<dim>>(nucleus, membrane);
  }

  template <int dim>
  Point<dim>
  CytoplasmManifold<dim>::push_forward(const Point<dim> &y) const
  {
    const double         r = y.norm();
    const double         s = (r - inner_radius) / (outer_radius - inner_radius);
    const Tensor<1, dim> direction = y / r;
    return Point<dim>((1 - s) * nucleus.surface_point(direction) +
                      s * membrane.surface_point(direction));
  }

  template <int dim>
  Point<dim>
  CytoplasmManifold<dim>::pull_back(const Point<dim> &x) const
  {
    // x = (1-s) N(d) + s M(d) with |d| = 1 means b(s) = a(s) d, where
    // b(s) = x - n - s (m - n) and a(s) = (1-s) a_N + s a_M componentwise:
    // s is the root of g(s) = |b(s)/a(s)|^2 - 1, which is positive outside
    // the nucleus (s = 0) and negative inside the cell (s = 1).
    const Tensor<1, dim> shift  = membrane.centre - nucleus.centre;
    const Tensor<1, dim> growth = membrane.semi_axes - nucleus.semi_axes;
    const auto           g      = [&](const double s, double &slope) {
      double value = -1, derivative = 0;
      for (unsigned int d = 0; d < dim; ++d)
        {
          const double a = nucleus.semi_axes[d] + s * growth[d];
          const double q = (x[d] - nucleus.centre[d] - s * shift[d]) / a;
          value += q * q;
          derivative += 2 * q * (-shift[d] - q * growth[d]) / a;
        }
      slope = derivative;
      return value;
    };

    // The first guess is exact for concentric spheres: with the ellipsoidal
    // radii rho_N and rho_M of x, s = (1 - 1/rho_N) / (1/rho_M - 1/rho_N).
    double rho_n = 0, rho_m = 0;
    for (unsigned int d = 0; d < dim; ++d)
      {
        rho_n += std::pow((x[d] - nucleus.centre[d]) / nucleus.semi_axes[d], 2);
        rho_m +=
          std::pow((x[d] - membrane.centre[d]) / membrane.semi_axes[d], 2);
      }
    rho_n = std::sqrt(rho_n);
    rho_m = std::sqrt(rho_m);

    // Newton's method, kept by bisection inside a bracket that holds the
    // cytoplasm with a margin of 1 % of its thickness for round-off. A wider
    // one is not safe: below s = 0 the blended ellipsoids shrink towards a
    // thin nucleus's smallest axis and stop being nested, and g gains other
    // roots and poles. Only points the map has made come here.
    double lo = -0.01, hi = 1.01;
    double s = (1 - 1 / rho_n) / (1 / rho_m - 1 / rho_n);
    if (!(s > lo && s < hi))
      s = 0.5;
    double value = 1;
    for (unsigned int iteration = 0; iteration < 100; ++iteration)
      {
        double slope;
        value = g(s, slope);
        if (value == 0)
          break;
        (value > 0 ? lo : hi) = s;
        double next = (slope < 0) ? s - value / slope : 0.5 * (lo + hi);
        if (!(next >= lo && next <= hi))
          next = 0.5 * (lo + hi);
        // Quadratic convergence: the step after one of 1e-8 is round-off.
        const bool converged = std::abs(next - s) <= 1e-8;
        s                    = next;
        if (converged || hi - lo <= 1e-15)
          break;
      }
    AssertThrow(std::abs(value) < 1e-6,
                ExcMessage("CytoplasmManifold: the point " + [&] {
                  std::ostringstream text;
                  text << x;
                  return text.str();
                }() + " lies far outside the cytoplasm"));

    Tensor<1, dim> direction;
    for (unsigned int d = 0; d < dim; ++d)
      direction[d] = (x[d] - nucleus.centre[d] - s * shift[d]) /
                     (nucleus.semi_axes[d] + s * growth[d]);
    return Point<dim>((inner_radius + s * (outer_radius - inner_radius)) *
                      direction / direction.norm());
  }

  template <int dim>
  template <typename WeightFunction>
  Point<dim>
  CytoplasmManifold<dim>::average(const ArrayView<const Point<dim>> &y,
                                  const WeightFunction &weight) const
  {
    double         radius = 0;
    Tensor<1, dim> direction;
    for (unsigned int i = 0; i < y.size(); ++i)
      {
        const double r = y[i].norm();
        radius += weight(i) * r;
        direction += (weight(i) / r) * y[i];
      }
    return Point<dim>(radius * direction / direction.norm());
  }

  template <int dim>
  boost::container::small_vector<Point<dim>, 64>
  CytoplasmManifold<dim>::to_shell(const ArrayView<const Point<dim>> &x) const
  {
    boost::container::small_vector<Point<dim>, 64> y(x.size());
    for (unsigned int i = 0; i < y.size(); ++i)
      y[i] = pull_back(x[i]);
    return y;
  }

  template <int dim>
  Point<dim>
  CytoplasmManifold<dim>::get_intermediate_point(const Point<dim> &p1,
                                                 const Point<dim> &p2,
                                                 const double      w) const
  {
    const std::array<Point<dim>, 2> points{{p1, p2}};
    const std::array<double, 2>     weights{{1 - w, w}};
    return get_new_point(make_array_view(points.begin(), points.end()),
                         make_array_view(weights.begin(), weights.end()));
  }

  template <int dim>
  Point<dim>
  CytoplasmManifold<dim>::get_new_point(
    const ArrayView<const Point<dim>> &surrounding_points,
    const ArrayView<const double>     &weights) const
  {
    const auto y = to_shell(surrounding_points);
    return push_forward(
      average(make_array_view(y.begin(), y.end()), [&](const unsigned int i) {
        return weights[i];
      }));
  }

  template <int dim>
  void
  CytoplasmManifold<dim>::get_new_points(
    const ArrayView<const Point<dim>> &surrounding_points,
    const Table<2, double>            &weights,
    ArrayView<Point<dim>>              new_points) const
  {
    const auto y = to_shell(surrounding_points);
    AssertDimension(weights.size(1), surrounding_points.size());
    AssertDimension(weights.size(0), new_points.size());
    const ArrayView<const Point<dim>> shell =
      make_array_view(y.begin(), y.end());
    for (unsigned int row = 0; row < weights.size(0); ++row)
      new_points[row] = push_forward(average(shell, [&](const unsigned int i) {
        return weights(row, i);
      }));
  }

  template <int dim>
  Point<dim>
  CytoplasmManifold<dim>::project_to_manifold(
    const ArrayView<const Point<dim>> &,
    const Point<dim> &candidate) const
  {
    return candidate;
  }

  template struct Ellipsoid<2>;
  template struct Ellipsoid<3>;
  template class CytoplasmManifold<2>;
  template class CytoplasmManifold<3>;
} // namespace mvb::mesh
