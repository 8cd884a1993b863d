#pragma once

#include <mesh/cell_geometry.h>
#include <postprocess/run_record.h>
#include <solver/command_line.h>
#include <solver/run_parameters.h>

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>
#include <deal.II/distributed/tria.h>

namespace mvb
{
  using namespace dealii;

  /**
   * One run of mvbsim: builds the cell, prepares the output folder, writes
   * the run record and the mesh. Fields and MVBs join in later stages.
   */
  template <int dim>
  class Simulator
  {
  public:
    Simulator(const RunParameters      &parameters,
              const ParameterHandler   &prm,
              const ScenarioInput      &input,
              const CommandLineOptions &options,
              postprocess::RunLog      &log,
              MPI_Comm                  communicator);

    /** The whole run. */
    void
    run();

    /** Builds and checks everything a run needs; writes nothing. */
    void
    validate();

  private:
    void
    setup_geometry();

    void
    print_header() const;

    void
    print_geometry_summary() const;

    void
    prepare_output();

    std::string
    output_directory() const;

    MPI_Comm                                  mpi_communicator;
    const RunParameters                      &parameters;
    const ParameterHandler                   &prm;
    const ScenarioInput                      &input;
    const CommandLineOptions                 &options;
    postprocess::RunLog                      &log;
    ConditionalOStream                        pcout;
    TimerOutput                               timer;
    parallel::distributed::Triangulation<dim> triangulation;
    mesh::CellGeometry<dim>                   geometry;
  };
} // namespace mvb
