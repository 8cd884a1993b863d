#pragma once

#include <mesh/facet_tree.h>

#include <deal.II/base/bounding_box.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/point.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/grid/tria.h>

#include <array>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace mvb::mesh
{
  using namespace dealii;

  /**
   * A part of the mesh boundary (say, the plasma membrane) as a replicated
   * set of flat facets: segments in 2D, triangles in 3D. Each boundary face
   * is split into `subdivisions`^(dim-1) pieces through the mapping, so the
   * facets follow curved faces to O((h/subdivisions)^2). Every rank holds the
   * whole surface, sorted so that results do not depend on the partition.
   * Facets are oriented by the right-hand rule with the outward normal of
   * the cytoplasm (segments have the cytoplasm on their left). A bounding
   * volume hierarchy (FacetTree) answers nearest-point queries in
   * O(log n_facets).
   */
  template <int dim>
  class BoundarySurface
  {
  public:
    using Facet = std::array<Point<dim>, dim>;

    struct NearestPoint
    {
      Point<dim>     point;
      double         distance;
      Tensor<1, dim> outward_normal; // of the cytoplasm, at the facet

      /**
       * The distance signed by side: positive for @p x (the point this is
       * nearest to) on the cytoplasm's side of the surface.
       */
      double
      signed_distance(const Point<dim> &x) const
      {
        return (x - point) * outward_normal > 0 ? -distance : distance;
      }
    };

    BoundarySurface(const Triangulation<dim>           &triangulation,
                    const Mapping<dim>                 &mapping,
                    const std::set<types::boundary_id> &boundary_ids,
                    const unsigned int                  subdivisions,
                    const MPI_Comm                      communicator);
    ~BoundarySurface();

    /**
     * Closest point of the surface to @p x, with the distance. @p bound, if
     * given, must be an upper bound of that distance (a search that knows
     * one is faster); the answer does not depend on it.
     */
    NearestPoint
    nearest(const Point<dim> &x,
            double bound = std::numeric_limits<double>::infinity()) const;

    /**
     * Closest point of the surface to @p x if it is within @p radius, else
     * nothing: a query that needs no more than "is anything this close?"
     * visits only the facets within @p radius, however far the surface is.
     */
    std::optional<NearestPoint>
    nearest_within(const Point<dim> &x, double radius) const;

    /** Smallest t > 0 with origin + t * direction on the surface, if any. */
    std::optional<double>
    first_ray_hit(const Point<dim>     &origin,
                  const Tensor<1, dim> &direction) const;

    double
    measure() const;

    /** Area-weighted centre of the surface. */
    Point<dim>
    centroid() const;

    BoundingBox<dim>
    bounding_box() const;

    const std::vector<Facet> &
    facets() const;

    /**
     * A point uniformly distributed over the facets (by measure), from
     * three numbers uniform in (0, 1): the first picks the facet, the others
     * the point on it (the third is unused in 2D). The outward normal of
     * the cytoplasm at that facet into @p outward_normal, if given.
     */
    Point<dim>
    sample(double          u_facet,
           double          u,
           double          v,
           Tensor<1, dim> *outward_normal = nullptr) const;

    /**
     * Largest distance between the curved (mapped) boundary and its facets,
     * sampled at edge and face midpoints: how far a point can be on the
     * cytoplasm side of the facets yet outside the mesh.
     */
    double
    max_deviation() const;

  private:
    std::vector<Facet>          facet_list;
    std::vector<Tensor<1, dim>> normals;
    double                      deviation = 0;
    std::vector<double>         cumulative_measure; // up to each facet
    FacetTree<dim>              tree;
  };
} // namespace mvb::mesh
