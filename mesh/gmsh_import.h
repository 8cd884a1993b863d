#pragma once

#include <deal.II/base/mpi.h>
#include <deal.II/grid/tria.h>

#include <string>

namespace mvb::mesh
{
  /**
   * Reads a Gmsh .msh file (ASCII, format 2.2 or 4.1) into an empty serial
   * triangulation and translates its named physical groups into mvbsim's
   * boundary ids: `plasma_membrane`, `nuclear_envelope`, `synapse` (optional)
   * on the boundary, `cytoplasm` on the cells. A missing required group, an
   * unknown group, a boundary face outside every group, cells that are not
   * quadrilaterals/hexahedra, or an unreadable file each throw mvb::InputError
   * naming the file and the problem. The file is read on rank 0 and sent to
   * the others (collective), so every rank sees the same mesh or the same
   * error.
   */
  template <int dim>
  void
  read_gmsh_cell(const std::string          &file_name,
                 dealii::Triangulation<dim> &triangulation,
                 MPI_Comm                    communicator);
} // namespace mvb::mesh
