#pragma once

#include <mesh/cell_geometry.h>
#include <postprocess/field_output.h>
#include <postprocess/run_record.h>
#include <solver/command_line.h>
#include <solver/field_solver.h>
#include <solver/run_parameters.h>

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/fe/mapping_q_cache.h>

#include <chrono>
#include <memory>

namespace mvb
{
  using namespace dealii;

  /**
   * One run of mvbsim: builds the cell and the fields, prepares the output
   * folder, writes the run record and the mesh, then steps the
   * reaction-diffusion fields in time with output at fixed intervals.
   * MVBs join in later stages.
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
    setup_fields();

    void
    print_field_summary() const;

    void
    prepare_output();

    void
    output_results();

    void
    print_progress(bool force);

    void
    print_final_summary() const;

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
    // The cell geometry's mapping, its support points computed once: every
    // field assembly and output goes through it.
    std::unique_ptr<MappingQCache<dim>>            field_mapping;
    std::unique_ptr<FieldSolver<dim>>              fields;
    std::unique_ptr<postprocess::FieldOutput<dim>> field_output;
    std::unique_ptr<postprocess::StatisticsFile>   statistics;
    std::chrono::steady_clock::time_point          loop_start, last_progress;
  };
} // namespace mvb
