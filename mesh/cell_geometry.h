#pragma once

#include <mesh/boundary_surface.h>
#include <mesh/geometry_parameters.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/point.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/fe/mapping_q_cache.h>

#include <map>
#include <memory>

namespace mvb::mesh
{
  using namespace dealii;

  /**
   * Volume of the cytoplasm, area of each boundary part, and the smallest
   * Jacobian determinant (> 0 for a valid mesh), integrated with the mapping.
   */
  struct MeshMeasures
  {
    double                               volume = 0;
    std::map<types::boundary_id, double> boundary_area;
    double                               min_jacobian   = 0;
    unsigned int                         n_active_cells = 0;
  };

  template <int dim>
  MeshMeasures
  measure_mesh(const parallel::distributed::Triangulation<dim> &triangulation,
               const Mapping<dim>                              &mapping);

  /**
   * True if @p x lies in a locally owned cell on some rank (collective).
   */
  template <int dim>
  bool
  point_in_mesh(const parallel::distributed::Triangulation<dim> &triangulation,
                const Mapping<dim>                              &mapping,
                const Point<dim>                                &x);

  /**
   * The cell: cytoplasm mesh with named boundary ids (boundary_ids.h), the
   * mapping that makes cells follow the curved membranes, the MTOC, and the
   * geometric queries the kinetics will need (distance to the plasma
   * membrane, cortex). Geometry only, no kinetics.
   *
   * Built-in shapes: the coarse mesh of a spherical shell between radii 1/2
   * and 1 is mapped onto the region between the nucleus and the cell
   * ellipsoid (each ray direction blends linearly from the nucleus surface to
   * the cell surface); CytoplasmManifold places every new point of a
   * refinement and of the mapping with that same map, so both membranes are
   * met exactly.
   */
  template <int dim>
  class CellGeometry
  {
  public:
    explicit CellGeometry(const GeometryParameters &parameters);

    /**
     * Builds the mesh into an empty triangulation, refines it, marks the
     * contact patch, checks it (no inverted cells) and sets up the membrane
     * surfaces and the MTOC. Throws mvb::InputError for a bad geometry.
     *
     * The contact patch is marked on the refined faces: a later change of
     * the mesh (adaptive refinement, repartitioning) must mark it again
     * with mark_refined_boundaries().
     */
    void
    create_mesh(parallel::distributed::Triangulation<dim> &triangulation);

    /**
     * Marks the boundary parts that live on refined faces (the contact
     * patch) on the current cells: p4est rebuilds a rank's refined cells
     * from the coarse ones when the mesh is repartitioned, and they inherit
     * the coarse faces' boundary ids.
     */
    void
    mark_refined_boundaries(
      parallel::distributed::Triangulation<dim> &triangulation) const;

    /**
     * Re-reads the mapping's support points on the current cells: call after
     * the mesh was repartitioned (each rank has other cells).
     */
    void
    update_mapping(
      const parallel::distributed::Triangulation<dim> &triangulation);

    /**
     * The mapping of degree Geometry/Mapping degree that follows the
     * manifolds, with its support points cached on every cell of every level
     * (a MappingQCache): the manifold is evaluated once per cell.
     */
    const Mapping<dim> &
    mapping() const;

    const Point<dim> &
    mtoc() const;

    /** Plasma membrane (contact patch included). */
    const BoundarySurface<dim> &
    plasma_membrane() const;

    const BoundarySurface<dim> &
    nuclear_envelope() const;

    double
    distance_to_plasma_membrane(const Point<dim> &x) const;

    double
    distance_to_nuclear_envelope(const Point<dim> &x) const;

    /**
     * Signed distances: positive on the cytoplasm side of the plasma
     * membrane (inside the cell) and of the nuclear envelope (outside the
     * nucleus), both through the membranes' facets.
     */
    double
    depth_below_plasma_membrane(const Point<dim> &x) const;

    double
    clearance_from_nuclear_envelope(const Point<dim> &x) const;

    /** At least @p clearance inside both membranes. */
    bool
    in_cytoplasm(const Point<dim> &x, double clearance = 0) const;

    /** The contact patch, if the mesh has one (else nullptr). */
    const BoundarySurface<dim> *
    contact_patch() const;

    bool
    in_cortex(const Point<dim> &x) const;

    /** Volume, membrane areas and mesh quality, from create_mesh(). */
    const MeshMeasures &
    measures() const;

    const GeometryParameters &
    parameters() const;

  private:
    void
    create_ellipsoidal_shell(
      parallel::distributed::Triangulation<dim> &triangulation) const;

    void
    mark_contact_patch(
      parallel::distributed::Triangulation<dim> &triangulation) const;

    Point<dim>
    locate_mtoc(
      const parallel::distributed::Triangulation<dim> &triangulation) const;

    const GeometryParameters              prm;
    std::unique_ptr<Mapping<dim>>         exact_mapping;
    std::unique_ptr<MappingQCache<dim>>   mapping_;
    std::unique_ptr<BoundarySurface<dim>> plasma_membrane_;
    std::unique_ptr<BoundarySurface<dim>> nuclear_envelope_;
    std::unique_ptr<BoundarySurface<dim>> contact_patch_;
    Point<dim>                            mtoc_;
    MeshMeasures                          measures_;
  };
} // namespace mvb::mesh
