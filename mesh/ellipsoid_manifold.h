#pragma once

#include <deal.II/base/point.h>
#include <deal.II/grid/manifold.h>
#include <deal.II/grid/manifold_lib.h>

#include <memory>

namespace mvb::mesh
{
  using namespace dealii;

  /**
   * The surface of an axis-aligned ellipse (2D) or ellipsoid (3D) with the
   * given centre and semi-axes. An ellipsoid is the affine image of the unit
   * sphere, and an affine map keeps a point on the surface, so new points are
   * made by SphericalManifold in the sphere's frame and mapped back: they lie
   * exactly on the ellipsoid.
   */
  template <int dim>
  class EllipsoidManifold : public Manifold<dim>
  {
  public:
    EllipsoidManifold(const Point<dim>     &centre,
                      const Tensor<1, dim> &semi_axes);

    std::unique_ptr<Manifold<dim>>
    clone() const override;

    Point<dim>
    get_intermediate_point(const Point<dim> &p1,
                           const Point<dim> &p2,
                           const double      w) const override;

    Point<dim>
    get_new_point(const ArrayView<const Point<dim>> &surrounding_points,
                  const ArrayView<const double>     &weights) const override;

    Point<dim>
    project_to_manifold(const ArrayView<const Point<dim>> &surrounding_points,
                        const Point<dim> &candidate) const override;

    /** Point on the surface in the direction @p unit_direction of the
     *  sphere's frame: centre + semi_axes * unit_direction. */
    Point<dim>
    surface_point(const Tensor<1, dim> &unit_direction) const;

  private:
    Point<dim>
    to_sphere(const Point<dim> &p) const;

    Point<dim>
    from_sphere(const Point<dim> &p) const;

    const Point<dim>             centre;
    const Tensor<1, dim>         semi_axes;
    const SphericalManifold<dim> sphere;
  };
} // namespace mvb::mesh
