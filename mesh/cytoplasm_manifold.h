#pragma once

#include <deal.II/base/point.h>
#include <deal.II/base/table.h>
#include <deal.II/grid/manifold.h>

#include <boost/container/small_vector.hpp>

#include <memory>

namespace mvb::mesh
{
  using namespace dealii;

  /** An axis-aligned ellipse (2D) or ellipsoid (3D). */
  template <int dim>
  struct Ellipsoid
  {
    Point<dim>     centre;
    Tensor<1, dim> semi_axes;

    /** The point of the surface in the direction @p unit_direction of the
     *  unit sphere's frame: centre + semi_axes * unit_direction. */
    Point<dim>
    surface_point(const Tensor<1, dim> &unit_direction) const;
  };

  /**
   * The cytoplasm of the built-in shapes as the image of the spherical shell
   * 1/2 <= |y| <= 1 under one analytic map,
   *
   *   F(y) = (1 - s) N(y/|y|) + s M(y/|y|),   s = 2|y| - 1,
   *
   * which blends, along each ray direction, the nucleus surface N into the
   * cell surface M (both ellipsoids). The coarse shell's vertices are mapped
   * with F, and every new point of a refinement or of the mapping's support
   * points is made in the shell and mapped with F: its directions are
   * averaged and normalised and its radii averaged (the first guess of
   * deal.II's SphericalManifold, without that class's geodesic iteration).
   * Both membranes are therefore met exactly, and the interior follows the
   * same smooth map.
   *
   * One map for the whole cytoplasm replaces a transfinite interpolation of
   * the coarse cells between two ellipsoid manifolds, whose Newton
   * pull-backs through those manifolds made building a refined mesh take
   * minutes. The pull-back of F is a Newton iteration for the one number s.
   */
  template <int dim>
  class CytoplasmManifold : public Manifold<dim>
  {
  public:
    static constexpr double inner_radius = 0.5;
    static constexpr double outer_radius = 1.0;

    CytoplasmManifold(const Ellipsoid<dim> &nucleus,
                      const Ellipsoid<dim> &membrane);

    std::unique_ptr<Manifold<dim>>
    clone() const override;

    Point<dim>
    get_intermediate_point(const Point<dim> &p1,
                           const Point<dim> &p2,
                           const double      w) const override;

    Point<dim>
    get_new_point(const ArrayView<const Point<dim>> &surrounding_points,
                  const ArrayView<const double>     &weights) const override;

    /** Pulls each surrounding point back once for all new points. */
    void
    get_new_points(const ArrayView<const Point<dim>> &surrounding_points,
                   const Table<2, double>            &weights,
                   ArrayView<Point<dim>> new_points) const override;

    /** The manifold fills the cytoplasm: every point of it is on it. */
    Point<dim>
    project_to_manifold(const ArrayView<const Point<dim>> &surrounding_points,
                        const Point<dim> &candidate) const override;

    /** F: a point of the shell to the cytoplasm. */
    Point<dim>
    push_forward(const Point<dim> &y) const;

    /** F^-1: a point of the cytoplasm (or within 1 % of its thickness
     *  outside it) to the shell. */
    Point<dim>
    pull_back(const Point<dim> &x) const;

  private:
    /** pull_back() of each of the points @p x. */
    boost::container::small_vector<Point<dim>, 64>
    to_shell(const ArrayView<const Point<dim>> &x) const;

    /** Shell point with weighted mean radius and normalised weighted mean
     *  direction of the shell points @p y. */
    template <typename WeightFunction>
    Point<dim>
    average(const ArrayView<const Point<dim>> &y,
            const WeightFunction              &weight) const;

    const Ellipsoid<dim> nucleus;
    const Ellipsoid<dim> membrane;
  };
} // namespace mvb::mesh
