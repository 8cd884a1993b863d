#include <mesh/ellipsoid_manifold.h>

#include <vector>

namespace mvb::mesh
{
  template <int dim>
  EllipsoidManifold<dim>::EllipsoidManifold(const Point<dim>     &centre,
                                            const Tensor<1, dim> &semi_axes)
      : centre(centre)
      , semi_axes(semi_axes)
      , sphere(Point<dim>())
  {
  }

  template <int dim>
  std::unique_ptr<Manifold<dim>>
  EllipsoidManifold<dim>::clone() const
  {
    return std::make_unique<EllipsoidManifold<dim>>(centre, semi_axes);
  }

  template <int dim>
  Point<dim>
  EllipsoidManifold<dim>::to_sphere(const Point<dim> &p) const
  {
    Point<dim> q;
    for (unsigned int d = 0; d < dim; ++d)
      q[d] = (p[d] - centre[d]) / semi_axes[d];
    return q;
  }

  template <int dim>
  Point<dim>
  EllipsoidManifold<dim>::from_sphere(const Point<dim> &q) const
  {
    Point<dim> p;
    for (unsigned int d = 0; d < dim; ++d)
      p[d] = centre[d] + q[d] * semi_axes[d];
    return p;
  }

  template <int dim>
  Point<dim>
  EllipsoidManifold<dim>::surface_point(
    const Tensor<1, dim> &unit_direction) const
  {
    return from_sphere(Point<dim>(unit_direction / unit_direction.norm()));
  }

  template <int dim>
  Point<dim>
  EllipsoidManifold<dim>::get_intermediate_point(const Point<dim> &p1,
                                                 const Point<dim> &p2,
                                                 const double      w) const
  {
    return from_sphere(
      sphere.get_intermediate_point(to_sphere(p1), to_sphere(p2), w));
  }

  template <int dim>
  Point<dim>
  EllipsoidManifold<dim>::get_new_point(
    const ArrayView<const Point<dim>> &surrounding_points,
    const ArrayView<const double>     &weights) const
  {
    std::vector<Point<dim>> mapped(surrounding_points.size());
    for (unsigned int i = 0; i < mapped.size(); ++i)
      mapped[i] = to_sphere(surrounding_points[i]);
    return from_sphere(sphere.get_new_point(make_array_view(mapped), weights));
  }

  template <int dim>
  Point<dim>
  EllipsoidManifold<dim>::project_to_manifold(
    const ArrayView<const Point<dim>> &,
    const Point<dim> &candidate) const
  {
    const Point<dim> q = to_sphere(candidate);
    return from_sphere(Point<dim>(q / q.norm()));
  }

  template class EllipsoidManifold<2>;
  template class EllipsoidManifold<3>;
} // namespace mvb::mesh
