#pragma once

#include <mesh/cell_geometry.h>

#include <deal.II/distributed/tria.h>

#include <functional>
#include <string>
#include <vector>

namespace mvb::postprocess
{
  /**
   * Writes the cell mesh for ParaView into `<directory>/mesh/`:
   * - cells.pvtu: every cell with its MPI rank, material id, distance of its
   *   centre to the plasma membrane (um), whether it lies in the cortex and,
   *   if @p lysosome_density is given, the lysosome density L(x) at its
   *   centre (physics/MODEL.md section 2);
   * - boundaries.pvtu: every boundary face with its boundary id (1 plasma
   *   membrane, 2 nuclear envelope, 3 contact patch);
   * - mtoc.vtk: the MTOC as a point.
   * Cells are curved and their centres placed by @p mapping (the fields'
   * MappingQCache, which holds the manifold's points once per cell).
   * The files are written into a temporary folder that is renamed when all
   * ranks are done, so the folder appears complete or not at all.
   * Returns the paths of the files to open, relative to @p directory.
   */
  template <int dim>
  std::vector<std::string>
  write_mesh(
    const dealii::parallel::distributed::Triangulation<dim> &triangulation,
    const mesh::CellGeometry<dim>                           &geometry,
    const dealii::Mapping<dim>                              &mapping,
    const std::string                                       &directory,
    const std::function<double(const dealii::Point<dim> &)> &lysosome_density =
      {});
} // namespace mvb::postprocess
