#include <mesh/boundary_surface.h>
#include <mesh/facet_geometry.h>

#include <deal.II/base/quadrature.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace mvb::mesh
{
  namespace
  {
    // Lattice points on the reference face, lexicographic.
    template <int dim>
    Quadrature<dim - 1>
    face_lattice(const unsigned int n)
    {
      std::vector<Point<dim - 1>> points;
      if constexpr (dim == 2)
        for (unsigned int i = 0; i <= n; ++i)
          points.emplace_back(double(i) / n);
      else
        for (unsigned int j = 0; j <= n; ++j)
          for (unsigned int i = 0; i <= n; ++i)
            points.emplace_back(double(i) / n, double(j) / n);
      return Quadrature<dim - 1>(points);
    }

    // A ray through a vertex or edge shared by facets must hit one of them
    // despite round-off in the facet coordinates.
    constexpr double ray_tolerance = 1e-12;

    std::optional<double>
    ray_hit(const std::array<Point<2>, 2> &s,
            const Point<2>                &o,
            const Tensor<1, 2>            &d)
    {
      const Tensor<1, 2> e   = s[1] - s[0];
      const double       det = d[0] * (-e[1]) - d[1] * (-e[0]);
      if (std::abs(det) < 1e-300)
        return std::nullopt;
      const Tensor<1, 2> r = s[0] - o;
      const double       t = (r[0] * (-e[1]) - r[1] * (-e[0])) / det;
      const double       u = (d[0] * r[1] - d[1] * r[0]) / det;
      if (t > 0 && u >= -ray_tolerance && u <= 1 + ray_tolerance)
        return t;
      return std::nullopt;
    }

    // Moeller-Trumbore.
    std::optional<double>
    ray_hit(const std::array<Point<3>, 3> &tri,
            const Point<3>                &o,
            const Tensor<1, 3>            &d)
    {
      const Tensor<1, 3> e1 = tri[1] - tri[0], e2 = tri[2] - tri[0];
      const Tensor<1, 3> p   = cross_product_3d(d, e2);
      const double       det = e1 * p;
      if (std::abs(det) < 1e-300)
        return std::nullopt;
      const Tensor<1, 3> s = o - tri[0];
      const double       u = (s * p) / det;
      if (u < -ray_tolerance || u > 1 + ray_tolerance)
        return std::nullopt;
      const Tensor<1, 3> q = cross_product_3d(s, e1);
      const double       v = (d * q) / det;
      if (v < -ray_tolerance || u + v > 1 + ray_tolerance)
        return std::nullopt;
      const double t = (e2 * q) / det;
      if (t > 0)
        return t;
      return std::nullopt;
    }

    double
    facet_measure(const std::array<Point<2>, 2> &s)
    {
      return s[0].distance(s[1]);
    }

    double
    facet_measure(const std::array<Point<3>, 3> &t)
    {
      return 0.5 * cross_product_3d(t[1] - t[0], t[2] - t[0]).norm();
    }

    // Every rank's facets with their normals, in rank order. Sent as plain
    // numbers: a serialising all_gather took seconds for a level-5 membrane.
    template <int dim>
    std::vector<std::pair<std::array<Point<dim>, dim>, Tensor<1, dim>>>
    all_gather_facets(
      const std::vector<std::pair<std::array<Point<dim>, dim>, Tensor<1, dim>>>
                    &local,
      const MPI_Comm communicator)
    {
      constexpr unsigned int per_facet = dim * dim + dim;
      std::vector<double>    send;
      send.reserve(local.size() * per_facet);
      for (const auto &[facet, normal] : local)
        {
          for (const Point<dim> &vertex : facet)
            for (unsigned int d = 0; d < dim; ++d)
              send.push_back(vertex[d]);
          for (unsigned int d = 0; d < dim; ++d)
            send.push_back(normal[d]);
        }

      const int        n_ranks = Utilities::MPI::n_mpi_processes(communicator);
      const int        size    = send.size();
      std::vector<int> sizes(n_ranks), offsets(n_ranks, 0);
      int              ierr = MPI_Allgather(&size,
                               1,
                               MPI_INT,
                               sizes.data(),
                               1,
                               MPI_INT,
                               communicator);
      AssertThrowMPI(ierr);
      std::uint64_t total = 0;
      for (const int n : sizes)
        total += n;
      AssertThrow(total <= std::uint64_t(std::numeric_limits<int>::max()),
                  ExcMessage("BoundarySurface: " + std::to_string(total) +
                             " facet coordinates are more than one MPI "
                             "message can count"));
      for (int r = 1; r < n_ranks; ++r)
        offsets[r] = offsets[r - 1] + sizes[r - 1];
      std::vector<double> received(offsets.back() + sizes.back());
      ierr = MPI_Allgatherv(send.data(),
                            size,
                            MPI_DOUBLE,
                            received.data(),
                            sizes.data(),
                            offsets.data(),
                            MPI_DOUBLE,
                            communicator);
      AssertThrowMPI(ierr);

      std::vector<std::pair<std::array<Point<dim>, dim>, Tensor<1, dim>>> all(
        received.size() / per_facet);
      for (std::size_t i = 0; i < all.size(); ++i)
        {
          const double *x = &received[i * per_facet];
          for (unsigned int v = 0; v < dim; ++v)
            for (unsigned int d = 0; d < dim; ++d)
              all[i].first[v][d] = x[v * dim + d];
          for (unsigned int d = 0; d < dim; ++d)
            all[i].second[d] = x[dim * dim + d];
        }
      return all;
    }

  } // namespace

  template <int dim>
  BoundarySurface<dim>::BoundarySurface(
    const Triangulation<dim>           &triangulation,
    const Mapping<dim>                 &mapping,
    const std::set<types::boundary_id> &boundary_ids,
    const unsigned int                  subdivisions,
    const MPI_Comm                      communicator)
  {
    const unsigned int n = std::max(1U, subdivisions);
    const FE_Q<dim>    fe(1);
    // A lattice twice as fine: even points make the facets, odd points
    // measure how far the curved face strays from them.
    FEFaceValues<dim>                             fe_face_values(mapping,
                                     fe,
                                     face_lattice<dim>(2 * n),
                                     update_quadrature_points |
                                       update_normal_vectors);
    double                                        local_deviation = 0;
    std::vector<std::pair<Facet, Tensor<1, dim>>> local;

    for (const auto &cell : triangulation.active_cell_iterators())
      if (cell->is_locally_owned())
        for (const unsigned int f : cell->face_indices())
          if (cell->face(f)->at_boundary() &&
              boundary_ids.count(cell->face(f)->boundary_id()) > 0)
            {
              fe_face_values.reinit(cell, f);
              const auto &q = fe_face_values.get_quadrature_points();
              // One normal per face is enough to orient its facets.
              const Tensor<1, dim> normal =
                fe_face_values.normal_vector(q.size() / 2);
              const unsigned int m = 2 * n + 1; // lattice points per row
              if constexpr (dim == 2)
                for (unsigned int i = 0; i < n; ++i)
                  {
                    local.push_back({{{q[2 * i], q[2 * i + 2]}}, normal});
                    local_deviation =
                      std::max(local_deviation,
                               q[2 * i + 1].distance(
                                 Point<dim>(0.5 * (q[2 * i] + q[2 * i + 2]))));
                  }
              else
                for (unsigned int j = 0; j < n; ++j)
                  for (unsigned int i = 0; i < n; ++i)
                    {
                      const auto at = [&](const unsigned a, const unsigned b) {
                        return q[(2 * j + b) * m + 2 * i + a];
                      };
                      const Point<dim> x0 = at(0, 0), x1 = at(2, 0),
                                       x2 = at(0, 2), x3 = at(2, 2);
                      local.push_back({{{x0, x1, x3}}, normal});
                      local.push_back({{{x0, x3, x2}}, normal});
                      const std::array<std::pair<Point<dim>, Point<dim>>, 5>
                        checks = {{{at(1, 0), 0.5 * (x0 + x1)},
                                   {at(0, 1), 0.5 * (x0 + x2)},
                                   {at(2, 1), 0.5 * (x1 + x3)},
                                   {at(1, 2), 0.5 * (x2 + x3)},
                                   {at(1, 1), 0.5 * (x0 + x3)}}};
                      for (const auto &[curved, flat] : checks)
                        local_deviation =
                          std::max(local_deviation, curved.distance(flat));
                    }
            }

    // Orient every facet by the right-hand rule with the outward normal:
    // segments run with the cytoplasm on their left, triangles turn
    // counter-clockwise seen from outside.
    for (auto &[facet, normal] : local)
      {
        double orientation;
        if constexpr (dim == 2)
          orientation =
            (facet[1] - facet[0]) * Tensor<1, 2>({-normal[1], normal[0]});
        else
          orientation =
            cross_product_3d(facet[1] - facet[0], facet[2] - facet[0]) * normal;
        if (orientation < 0)
          std::swap(facet[0], facet[1]);
      }

    std::vector<std::pair<Facet, Tensor<1, dim>>> all =
      all_gather_facets<dim>(local, communicator);

    // A canonical order, independent of how many ranks own the faces.
    const auto key = [](const std::pair<Facet, Tensor<1, dim>> &f) {
      std::array<double, dim * dim> k;
      for (unsigned int v = 0; v < dim; ++v)
        for (unsigned int d = 0; d < dim; ++d)
          k[v * dim + d] = f.first[v][d];
      return k;
    };
    std::sort(all.begin(), all.end(), [&](const auto &a, const auto &b) {
      return key(a) < key(b);
    });

    for (const auto &[facet, normal] : all)
      {
        facet_list.push_back(facet);
        normals.push_back(normal);
      }
    tree         = FacetTree<dim>(facet_list);
    deviation    = Utilities::MPI::max(local_deviation, communicator);
    double total = 0;
    for (const auto &f : facet_list)
      {
        if constexpr (dim == 2)
          total += f[0].distance(f[1]);
        else
          total += 0.5 * cross_product_3d(f[1] - f[0], f[2] - f[0]).norm();
        cumulative_measure.push_back(total);
      }
  }

  template <int dim>
  Point<dim>
  BoundarySurface<dim>::sample(const double    u_facet,
                               double          u,
                               double          v,
                               Tensor<1, dim> *outward_normal) const
  {
    AssertThrow(!facet_list.empty(), ExcMessage("the surface is empty"));
    const auto f =
      std::min<std::size_t>(std::lower_bound(cumulative_measure.begin(),
                                             cumulative_measure.end(),
                                             u_facet *
                                               cumulative_measure.back()) -
                              cumulative_measure.begin(),
                            facet_list.size() - 1);
    const Facet &facet = facet_list[f];
    if (outward_normal != nullptr)
      *outward_normal = normals[f];
    if constexpr (dim == 2)
      return facet[0] + u * (facet[1] - facet[0]);
    else
      {
        // Fold the unit square onto the triangle: uniform over it.
        if (u + v > 1)
          {
            u = 1 - u;
            v = 1 - v;
          }
        return facet[0] + u * (facet[1] - facet[0]) + v * (facet[2] - facet[0]);
      }
  }

  template <int dim>
  double
  BoundarySurface<dim>::max_deviation() const
  {
    return deviation;
  }

  template <int dim>
  BoundarySurface<dim>::~BoundarySurface() = default;

  template <int dim>
  typename BoundarySurface<dim>::NearestPoint
  BoundarySurface<dim>::nearest(const Point<dim> &x, const double bound) const
  {
    // A little room for the round-off of whoever computed the bound.
    auto nearest =
      tree.nearest(x,
                   std::isfinite(bound) ? bound * (1 + 1e-9) + 1e-12 : bound);
    if (nearest.index >= facet_list.size() && std::isfinite(bound))
      nearest = tree.nearest(x);
    if (nearest.index >= facet_list.size())
      return {x, std::numeric_limits<double>::infinity(), {}};
    return {nearest.point, nearest.distance, normals[nearest.index]};
  }

  template <int dim>
  std::optional<typename BoundarySurface<dim>::NearestPoint>
  BoundarySurface<dim>::nearest_within(const Point<dim> &x,
                                       const double      radius) const
  {
    const auto nearest = tree.nearest(x, radius);
    if (nearest.index >= facet_list.size())
      return std::nullopt;
    return NearestPoint{nearest.point,
                        nearest.distance,
                        normals[nearest.index]};
  }

  template <int dim>
  std::optional<double>
  BoundarySurface<dim>::first_ray_hit(const Point<dim>     &origin,
                                      const Tensor<1, dim> &direction) const
  {
    std::optional<double> first;
    for (const auto &facet : facet_list)
      if (const auto t = ray_hit(facet, origin, direction))
        if (!first || *t < *first)
          first = t;
    return first;
  }

  template <int dim>
  double
  BoundarySurface<dim>::measure() const
  {
    double sum = 0;
    for (const auto &facet : facet_list)
      sum += facet_measure(facet);
    return sum;
  }

  template <int dim>
  Point<dim>
  BoundarySurface<dim>::centroid() const
  {
    Point<dim> sum;
    double     total = 0;
    for (const auto &facet : facet_list)
      {
        Point<dim> centre;
        for (const auto &v : facet)
          centre += v / double(dim);
        const double a = facet_measure(facet);
        sum += a * centre;
        total += a;
      }
    return total > 0 ? Point<dim>(sum / total) : sum;
  }

  template <int dim>
  BoundingBox<dim>
  BoundarySurface<dim>::bounding_box() const
  {
    std::vector<Point<dim>> points;
    for (const auto &facet : facet_list)
      points.insert(points.end(), facet.begin(), facet.end());
    return BoundingBox<dim>(points);
  }

  template <int dim>
  const std::vector<typename BoundarySurface<dim>::Facet> &
  BoundarySurface<dim>::facets() const
  {
    return facet_list;
  }

  template class BoundarySurface<2>;
  template class BoundarySurface<3>;
} // namespace mvb::mesh
