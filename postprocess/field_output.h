#pragma once

#include <deal.II/base/data_out_base.h>
#include <deal.II/base/mpi.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/petsc_vector.h>

#include <string>
#include <utility>
#include <vector>

namespace mvb::postprocess
{
  using namespace dealii;

  /**
   * The fields at each output time, for the run's ParaView series: one HDF5
   * file `fields/fields-NNNNN.h5` of every field at the nodes, the mesh
   * (nodes and cells) once in `fields/mesh-NNNNN.h5` (numbered after the
   * first output that uses it), each written in parallel under a temporary
   * name and then renamed, and the XDMF grid that describes them, for
   * XdmfSeries (postprocess/mvb_output.h) to list. A new mesh file is
   * written after mesh_changed() (a restart or a repartitioning changes
   * the order of the nodes).
   */
  template <int dim>
  class FieldOutput
  {
  public:
    /** The first file written is number @p first (a restart continues
     * the numbering). */
    FieldOutput(const std::string &directory,
                MPI_Comm           communicator,
                unsigned int       first = 0);

    /**
     * Writes the fields (name, vector with ghost values). Cells are
     * subdivided @p subdivisions times so that FE_Q(p) and curved cells
     * show. Collective. Returns the XDMF grid (without a time: the series
     * gives it).
     */
    std::string
    write(const DoFHandler<dim> &dof_handler,
          const Mapping<dim>    &mapping,
          const std::vector<
            std::pair<std::string, const PETScWrappers::MPI::Vector *>> &fields,
          unsigned int subdivisions);

    /** The next write() writes the mesh again (the partition changed). */
    void
    mesh_changed()
    {
      mesh_file.clear();
    }

  private:
    std::string  directory;
    MPI_Comm     mpi_communicator;
    unsigned int n_written = 0;
    std::string  mesh_file; // empty: write the mesh with the next fields
  };

  /**
   * statistics.csv: a header of column names, one row per output time,
   * rewritten whole (through a temporary file) at each output so that it is
   * always complete. Call write() on every rank; rank 0 writes.
   */
  class StatisticsFile
  {
  public:
    StatisticsFile(const std::string &path, MPI_Comm communicator);

    void
    add_row(const std::vector<std::pair<std::string, double>> &values);

    void
    write() const;

    const std::vector<std::string> &
    column_names() const
    {
      return columns;
    }

    const std::vector<std::vector<double>> &
    row_values() const
    {
      return rows;
    }

    /** Continues a restarted run's table. */
    void
    restore(std::vector<std::string>         names,
            std::vector<std::vector<double>> values)
    {
      columns = std::move(names);
      rows    = std::move(values);
    }

  private:
    std::string                      path;
    MPI_Comm                         mpi_communicator;
    std::vector<std::string>         columns;
    std::vector<std::vector<double>> rows;
  };
} // namespace mvb::postprocess
