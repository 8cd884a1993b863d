#include <mesh/boundary_ids.h>
#include <mesh/cell_geometry.h>
#include <mesh/cytoplasm_manifold.h>
#include <mesh/gmsh_import.h>
#include <solver/input_error.h>

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping_q.h>
#include <deal.II/fe/mapping_q_cache.h>
#include <deal.II/grid/grid_generator.h>
#include <deal.II/grid/grid_tools.h>

#include <cmath>
#include <sstream>

namespace mvb::mesh
{
  namespace
  {
    // Manifold id of the built-in shapes: one map for the whole cytoplasm.
    constexpr types::manifold_id cytoplasm_manifold = 0;

    template <int dim>
    Tensor<1, dim>
    to_tensor(const std::vector<double> &v)
    {
      Tensor<1, dim> t;
      for (unsigned int d = 0; d < dim; ++d)
        t[d] = v[d];
      return t;
    }

  } // namespace

  template <int dim>
  MeshMeasures
  measure_mesh(const parallel::distributed::Triangulation<dim> &triangulation,
               const Mapping<dim>                              &mapping)
  {
    const FE_Q<dim> fe(1);
    // The volume exactly: det J of a mapping of degree p has degree dim p - 1
    // in each direction.
    const auto *mapping_q       = dynamic_cast<const MappingQ<dim> *>(&mapping);
    const unsigned int degree   = mapping_q ? mapping_q->get_degree() : 4;
    const unsigned int n_points = std::max(2U, (dim * degree + 1) / 2);
    FEValues<dim>      fe_values(mapping,
                            fe,
                            QGauss<dim>(n_points),
                            update_JxW_values);
    // Inverted cells show first at their corners and edges: det J at the
    // mapping's own support points, corners included.
    FEValues<dim>     fe_corners(mapping,
                             fe,
                             QGaussLobatto<dim>(std::max(2U, degree + 1)),
                             update_jacobians);
    FEFaceValues<dim> fe_face_values(mapping,
                                     fe,
                                     QGauss<dim - 1>(n_points),
                                     update_JxW_values);
    MeshMeasures      local;
    local.min_jacobian = std::numeric_limits<double>::max();
    for (const auto &cell : triangulation.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          ++local.n_active_cells;
          fe_values.reinit(cell);
          for (unsigned int q = 0; q < fe_values.n_quadrature_points; ++q)
            local.volume += fe_values.JxW(q);
          fe_corners.reinit(cell);
          for (unsigned int q = 0; q < fe_corners.n_quadrature_points; ++q)
            local.min_jacobian =
              std::min(local.min_jacobian,
                       double(fe_corners.jacobian(q).determinant()));
          for (const unsigned int f : cell->face_indices())
            if (cell->face(f)->at_boundary())
              {
                fe_face_values.reinit(cell, f);
                double &area =
                  local.boundary_area[cell->face(f)->boundary_id()];
                for (unsigned int q = 0; q < fe_face_values.n_quadrature_points;
                     ++q)
                  area += fe_face_values.JxW(q);
              }
        }

    const MPI_Comm comm = triangulation.get_communicator();
    MeshMeasures   global;
    global.volume         = Utilities::MPI::sum(local.volume, comm);
    global.min_jacobian   = Utilities::MPI::min(local.min_jacobian, comm);
    global.n_active_cells = triangulation.n_global_active_cells();
    for (const types::boundary_id id : {boundary_id::plasma_membrane,
                                        boundary_id::nuclear_envelope,
                                        boundary_id::synapse})
      {
        const auto   it = local.boundary_area.find(id);
        const double area =
          Utilities::MPI::sum(it == local.boundary_area.end() ? 0. : it->second,
                              comm);
        if (area > 0)
          global.boundary_area[id] = area;
      }
    return global;
  }

  template <int dim>
  bool
  point_in_mesh(const parallel::distributed::Triangulation<dim> &triangulation,
                const Mapping<dim>                              &mapping,
                const Point<dim>                                &x)
  {
    bool found = false;
    for (const auto &cell : triangulation.active_cell_iterators())
      if (cell->is_locally_owned() && !found)
        {
          // Curved cells bulge out of their vertices' box a little.
          BoundingBox<dim> box = cell->bounding_box();
          box.extend(0.1 * cell->diameter());
          if (!box.point_inside(x))
            continue;
          try
            {
              const Point<dim> unit =
                mapping.transform_real_to_unit_cell(cell, x);
              found = GeometryInfo<dim>::is_inside_unit_cell(unit, 1e-10);
            }
          catch (const typename Mapping<dim>::ExcTransformationFailed &)
            {
            }
        }
    return Utilities::MPI::logical_or(found, triangulation.get_communicator());
  }

  template <int dim>
  CellGeometry<dim>::CellGeometry(const GeometryParameters &parameters)
      : prm(parameters)
      , exact_mapping(
          std::make_unique<MappingQ<dim>>(parameters.mapping_degree))
      , mapping_(
          std::make_unique<MappingQCache<dim>>(parameters.mapping_degree))
  {
    AssertThrow(parameters.dimension == dim,
                ExcMessage(
                  "CellGeometry<" + std::to_string(dim) + "> built from " +
                  std::to_string(parameters.dimension) + "D parameters"));
  }

  template <int dim>
  void
  CellGeometry<dim>::create_ellipsoidal_shell(
    parallel::distributed::Triangulation<dim> &triangulation) const
  {
    // 12 coarse cells: a ring of 12 in 2D, the rhombic dodecahedron in 3D.
    const double       inner = CytoplasmManifold<dim>::inner_radius;
    const double       outer = CytoplasmManifold<dim>::outer_radius;
    Triangulation<dim> shell;
    GridGenerator::hyper_shell(shell, Point<dim>(), inner, outer, 12);
    for (const auto &cell : shell.active_cell_iterators())
      for (const auto &face : cell->face_iterators())
        if (face->at_boundary())
          face->set_boundary_id(face->center().norm() < 0.5 * (inner + outer)
                                  ? boundary_id::nuclear_envelope
                                  : boundary_id::plasma_membrane);

    const CytoplasmManifold<dim> cytoplasm(
      Ellipsoid<dim>{Point<dim>(to_tensor<dim>(prm.nucleus_centre)),
                     to_tensor<dim>(prm.nucleus_semi_axes)},
      Ellipsoid<dim>{Point<dim>(), to_tensor<dim>(prm.cell_semi_axes)});
    GridTools::transform(
      [&](const Point<dim> &y) {
        return cytoplasm.push_forward(y);
      },
      shell);

    shell.reset_all_manifolds();
    shell.set_all_manifold_ids(cytoplasm_manifold);
    triangulation.copy_triangulation(shell);
    triangulation.set_manifold(cytoplasm_manifold, cytoplasm);
  }

  template <int dim>
  void
  CellGeometry<dim>::mark_refined_boundaries(
    parallel::distributed::Triangulation<dim> &triangulation) const
  {
    if (prm.contact_patch)
      mark_contact_patch(triangulation);
  }

  template <int dim>
  void
  CellGeometry<dim>::mark_contact_patch(
    parallel::distributed::Triangulation<dim> &triangulation) const
  {
    // Where the ray from the cell centre meets the membrane ellipsoid.
    const Tensor<1, dim> direction =
      to_tensor<dim>(prm.contact_patch_direction);
    double stretch = 0;
    for (unsigned int d = 0; d < dim; ++d)
      stretch += std::pow(direction[d] / prm.cell_semi_axes[d], 2);
    const Point<dim> centre(direction / std::sqrt(stretch));

    unsigned int n_marked = 0;
    for (const auto &cell : triangulation.active_cell_iterators())
      if (!cell->is_artificial())
        for (const auto &face : cell->face_iterators())
          if (face->at_boundary() &&
              face->boundary_id() == boundary_id::plasma_membrane &&
              face->center(true).distance(centre) <= prm.contact_patch_radius)
            {
              face->set_boundary_id(boundary_id::synapse);
              n_marked += cell->is_locally_owned() ? 1 : 0;
            }

    if (Utilities::MPI::sum(n_marked, triangulation.get_communicator()) == 0)
      throw InputError("Geometry/Contact patch/Radius",
                       to_text(prm.contact_patch_radius),
                       "no membrane face has its centre within this distance "
                       "of the patch centre (" +
                         to_text(centre) + ")",
                       "enlarge the patch or refine the mesh");
  }

  template <int dim>
  Point<dim>
  CellGeometry<dim>::locate_mtoc(
    const parallel::distributed::Triangulation<dim> &triangulation) const
  {
    Point<dim> mtoc;
    if (prm.mtoc_position_given)
      mtoc = Point<dim>(to_tensor<dim>(prm.mtoc_position));
    else
      {
        const Point<dim> nucleus_centre = nuclear_envelope_->centroid();
        Tensor<1, dim>   direction;
        if (prm.mtoc_direction_given)
          direction = to_tensor<dim>(prm.mtoc_direction);
        else
          {
            // Along the longest axis of the cell, towards its larger part.
            const BoundingBox<dim> box  = plasma_membrane_->bounding_box();
            unsigned int           axis = 0;
            for (unsigned int d = 1; d < dim; ++d)
              if (box.side_length(d) > box.side_length(axis) * (1 + 1e-6))
                axis = d;
            const double offset = box.center()[axis] - nucleus_centre[axis];
            direction[axis] =
              (std::abs(offset) > 1e-6 * box.side_length(axis) && offset < 0)
                ? -1
                : 1;
          }
        const std::optional<double> t =
          nuclear_envelope_->first_ray_hit(nucleus_centre, direction);
        if (!t)
          throw InputError(
            "Geometry/MTOC/Direction",
            prm.mtoc_direction_given ? to_text(prm.mtoc_direction) : "auto",
            "the ray from the nucleus centre (" + to_text(nucleus_centre) +
              ") does not meet the nuclear envelope",
            "give 'Geometry/MTOC/Position' explicitly");
        mtoc = nucleus_centre + (*t + prm.mtoc_distance) * direction;
      }

    if (!point_in_mesh(triangulation, *mapping_, mtoc))
      throw InputError(
        prm.mtoc_position_given
          ? "Geometry/MTOC/Position"
          : "Geometry/MTOC/Distance from nuclear envelope",
        prm.mtoc_position_given ? to_text(mtoc) : to_text(prm.mtoc_distance),
        "the MTOC at (" + to_text(mtoc) + ") lies outside the cytoplasm",
        prm.mtoc_position_given ? "choose a point between nucleus and membrane"
                                : "choose a smaller distance");
    return mtoc;
  }

  template <int dim>
  void
  CellGeometry<dim>::create_mesh(
    parallel::distributed::Triangulation<dim> &triangulation)
  {
    if (prm.shape == CellShape::gmsh)
      {
        Triangulation<dim> serial;
        read_gmsh_cell(prm.mesh_file, serial, triangulation.get_communicator());
        triangulation.copy_triangulation(serial);
      }
    else
      create_ellipsoidal_shell(triangulation);

    triangulation.refine_global(prm.global_refinements);
    mark_refined_boundaries(triangulation);
    update_mapping(triangulation);

    measures_                    = measure_mesh(triangulation, *mapping_);
    const MeshMeasures &measures = measures_;
    if (!(measures.min_jacobian > 0))
      {
        if (prm.shape == CellShape::gmsh)
          throw InputError("Geometry/Gmsh/Mesh file",
                           prm.mesh_file,
                           "the mesh has inverted or degenerate cells "
                           "(smallest Jacobian determinant " +
                             to_text(measures.min_jacobian) + ")",
                           "check the element orientation in Gmsh");
        throw InputError(
          "Geometry/Spread cell/Nucleus centre",
          to_text(prm.nucleus_centre),
          "the nucleus is too far off-centre for the cell to be meshed "
          "without inverted cells",
          "move the nucleus towards the cell centre or make it smaller");
      }

    // Flat facets of a curved (or, in 3D, twisted bilinear) face stray from
    // it by O((h/subdivisions)^2): this keeps that under the MVBs' membrane
    // clearance on the shipped meshes. Straight 2D faces need none.
    const unsigned int subdivisions = (dim == 2 && prm.mapping_degree == 1)
                                        ? 1
                                        : std::max(4U, 2 * prm.mapping_degree);
    plasma_membrane_                = std::make_unique<BoundarySurface<dim>>(
      triangulation,
      *mapping_,
      std::set<types::boundary_id>{boundary_id::plasma_membrane,
                                                  boundary_id::synapse},
      subdivisions,
      triangulation.get_communicator());
    nuclear_envelope_ =
      std::make_unique<BoundarySurface<dim>>(triangulation,
                                             *mapping_,
                                             std::set<types::boundary_id>{
                                               boundary_id::nuclear_envelope},
                                             subdivisions,
                                             triangulation.get_communicator());
    auto patch =
      std::make_unique<BoundarySurface<dim>>(triangulation,
                                             *mapping_,
                                             std::set<types::boundary_id>{
                                               boundary_id::synapse},
                                             subdivisions,
                                             triangulation.get_communicator());
    contact_patch_ = patch->facets().empty() ? nullptr : std::move(patch);
    mtoc_          = locate_mtoc(triangulation);
  }

  template <int dim>
  void
  CellGeometry<dim>::update_mapping(
    const parallel::distributed::Triangulation<dim> &triangulation)
  {
    mapping_->initialize(*exact_mapping, triangulation);
  }

  template <int dim>
  const Mapping<dim> &
  CellGeometry<dim>::mapping() const
  {
    return *mapping_;
  }

  template <int dim>
  const Point<dim> &
  CellGeometry<dim>::mtoc() const
  {
    return mtoc_;
  }

  template <int dim>
  const BoundarySurface<dim> &
  CellGeometry<dim>::plasma_membrane() const
  {
    Assert(plasma_membrane_, ExcMessage("create_mesh() was not called"));
    return *plasma_membrane_;
  }

  template <int dim>
  const BoundarySurface<dim> &
  CellGeometry<dim>::nuclear_envelope() const
  {
    Assert(nuclear_envelope_, ExcMessage("create_mesh() was not called"));
    return *nuclear_envelope_;
  }

  template <int dim>
  double
  CellGeometry<dim>::distance_to_plasma_membrane(const Point<dim> &x) const
  {
    return plasma_membrane().nearest(x).distance;
  }

  template <int dim>
  double
  CellGeometry<dim>::distance_to_nuclear_envelope(const Point<dim> &x) const
  {
    return nuclear_envelope().nearest(x).distance;
  }

  template <int dim>
  double
  CellGeometry<dim>::depth_below_plasma_membrane(const Point<dim> &x) const
  {
    return plasma_membrane().nearest(x).signed_distance(x);
  }

  template <int dim>
  double
  CellGeometry<dim>::clearance_from_nuclear_envelope(const Point<dim> &x) const
  {
    return nuclear_envelope().nearest(x).signed_distance(x);
  }

  template <int dim>
  bool
  CellGeometry<dim>::in_cytoplasm(const Point<dim> &x,
                                  const double      clearance) const
  {
    return depth_below_plasma_membrane(x) >= clearance &&
           clearance_from_nuclear_envelope(x) >= clearance;
  }

  template <int dim>
  const BoundarySurface<dim> *
  CellGeometry<dim>::contact_patch() const
  {
    return contact_patch_.get();
  }

  template <int dim>
  bool
  CellGeometry<dim>::in_cortex(const Point<dim> &x) const
  {
    return distance_to_plasma_membrane(x) <= prm.cortex_thickness;
  }

  template <int dim>
  const MeshMeasures &
  CellGeometry<dim>::measures() const
  {
    return measures_;
  }

  template <int dim>
  const GeometryParameters &
  CellGeometry<dim>::parameters() const
  {
    return prm;
  }

  template class CellGeometry<2>;
  template class CellGeometry<3>;
  template MeshMeasures
  measure_mesh(const parallel::distributed::Triangulation<2> &,
               const Mapping<2> &);
  template MeshMeasures
  measure_mesh(const parallel::distributed::Triangulation<3> &,
               const Mapping<3> &);
  template bool
  point_in_mesh(const parallel::distributed::Triangulation<2> &,
                const Mapping<2> &,
                const Point<2> &);
  template bool
  point_in_mesh(const parallel::distributed::Triangulation<3> &,
                const Mapping<3> &,
                const Point<3> &);
} // namespace mvb::mesh
