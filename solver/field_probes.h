#pragma once

#include <mesh/cell_geometry.h>

#include <deal.II/base/point.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/petsc_vector.h>

#include <string>
#include <vector>

namespace mvb
{
  using namespace dealii;

  /**
   * Field values at fixed points, for the regression snapshot: values that
   * do not depend on how the mesh is partitioned. Each point is evaluated
   * by the lowest rank that owns a cell holding it.
   */
  template <int dim>
  class FieldProbes
  {
  public:
    /**
     * Locates @p points (collective). A point that no cell holds is an
     * mvb::InputError naming @p parameter.
     */
    FieldProbes(const DoFHandler<dim>         &dof_handler,
                const Mapping<dim>            &mapping,
                const std::vector<Point<dim>> &points,
                const std::string             &parameter);

    /** The values of @p field (with ghost values) at every point, on every
     * rank. Collective. */
    std::vector<double>
    values(const PETScWrappers::MPI::Vector &field) const;

    const std::vector<Point<dim>> &
    points() const
    {
      return probe_points;
    }

  private:
    struct LocalProbe
    {
      unsigned int                                   index;
      typename DoFHandler<dim>::active_cell_iterator cell;
      Point<dim>                                     reference;
    };

    std::vector<Point<dim>> probe_points;
    std::vector<LocalProbe> local;
    MPI_Comm                mpi_communicator;
  };

  /**
   * Probe points that follow the cell, for any geometry: the MTOC and, along
   * each coordinate direction from it, the points 1/4, 1/2 and 4/5 of the
   * way to where the cytoplasm ends.
   */
  template <int dim>
  std::vector<Point<dim>>
  default_probe_points(const mesh::CellGeometry<dim> &geometry);

  /**
   * The points of "x,y[,z]; x,y[,z]; ..." (empty: the default points), each
   * checked to lie in the cytoplasm; errors name @p parameter.
   */
  template <int dim>
  std::vector<Point<dim>>
  parse_probe_points(const std::string             &text,
                     const mesh::CellGeometry<dim> &geometry,
                     const std::string             &parameter);
} // namespace mvb
