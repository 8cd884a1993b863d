#pragma once

#include <mesh/cell_geometry.h>
#include <mesh/track_network.h>
#include <postprocess/field_output.h>
#include <postprocess/mvb_output.h>
#include <postprocess/run_record.h>
#include <solver/command_line.h>
#include <solver/field_solver.h>
#include <solver/load_balancing.h>
#include <solver/run_parameters.h>

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>
#include <deal.II/distributed/tria.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>

namespace mvb
{
  using namespace dealii;

  class StepController;
  template <int dim>
  class MvbPopulation;
  template <int dim>
  class FieldCoupling;
  template <int dim>
  class FieldProbes;
  namespace postprocess
  {
    class RegressionSnapshot;
  }

  /**
   * One run of mvbsim: builds the cell, the fields, the cytoskeleton and
   * the MVBs, prepares the output folder, writes the run record and the
   * mesh, then steps the reaction-diffusion fields and the MVBs in time
   * with output at fixed intervals.
   */
  template <int dim>
  class Simulator
  {
  public:
    ~Simulator();

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
    check_output_directory() const;

    void
    print_header() const;

    void
    print_geometry_summary() const;

    void
    setup_fields();

    /** The field values at fixed points, for the regression snapshot. */
    void
    setup_probes();

    /** How the MVBs meet the fields (after each change of partition). */
    void
    setup_coupling();

    void
    print_field_summary() const;

    void
    setup_mvbs();

    void
    print_mvb_summary() const;

    /** The MVB columns of statistics.csv and the MVB output files. */
    /** fusions.h5 and degradations.h5 of every fate so far (rank 0). */
    void
    write_fate_tables(const std::string &directory) const;

    void
    output_mvbs(std::vector<std::pair<std::string, double>> &row,
                std::vector<std::string>                    &grids);

    /**
     * The conservation balances of cargo and cholesterol over fields and
     * MVBs (physics/MODEL.md section 3), as statistics.csv columns.
     */
    void
    add_balances(std::vector<std::pair<std::string, double>> &row);

    /** The output time's numbers for the regression snapshot. */
    void
    add_to_snapshot(const std::vector<std::pair<std::string, double>> &row);

    void
    prepare_output();

    void
    output_results();

    /** The length of the next adaptive field step, in units of the
     * smallest. */
    unsigned int
    next_step_units(const StepController &controller,
                    std::uint64_t         units_per_output) const;

    /** The MVBs' sub-steps in a field step of @p units units. */
    unsigned int
    mvb_substeps(unsigned int units) const;

    /** A progress line, at most every Output/Progress interval unless
     * @p force; the rates count the steps and the simulated time since
     * @p first_step and @p first_units. */
    void
    print_progress(bool          force,
                   unsigned int  first_step,
                   std::uint64_t first_units);

    /**
     * Repartitions the mesh by the MVBs' work if the ranks' work is out of
     * balance by more than Load balancing/Imbalance threshold (collective;
     * see solver/simulator_load_balancing.cc).
     */
    void
    balance_load();

    /** The number of MVBs of a locally owned cell, for its weight. */
    using MvbsInCell = std::function<unsigned int(
      const typename Triangulation<dim>::cell_iterator &)>;

    /**
     * Repartitions the mesh with cell weights from @p mvbs_in_cell; the
     * fields, the MVBs, the locator, the probes and the coupling follow.
     * Collective.
     */
    void
    repartition(const MvbsInCell &mvbs_in_cell);

    /** Only the mesh: p4est's partition by the weights, and the boundary
     * parts on refined faces marked again. Collective. */
    void
    repartition_mesh(const MvbsInCell &mvbs_in_cell);

    /** Repeats the repartitionings of a checkpoint's run, before anything
     * is restored (collective). */
    void
    restore_partition(const PartitionHistory &history);

    /** Whether a checkpoint is due after this step (collective). */
    bool
    checkpoint_due();

    void
    write_checkpoint();

    /** Continues from the newest checkpoint of the run being restarted. */
    void
    restore_checkpoint();

    void
    print_final_summary() const;

    /** The MVB engine's time by phase, which TimerOutput shows as one
     * section. */
    void
    print_mvb_phases() const;

    /** Peak resident memory per rank (min, mean, max over the ranks). */
    void
    print_memory() const;

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
    // The run's time stepping, with Step control Automatic decided in
    // setup_fields().
    TimeSteppingParameters                           time_stepping;
    std::unique_ptr<FieldSolver<dim>>                fields;
    std::unique_ptr<postprocess::FieldOutput<dim>>   field_output;
    std::unique_ptr<postprocess::StatisticsFile>     statistics;
    std::unique_ptr<postprocess::XdmfSeries>         series;
    std::unique_ptr<FieldProbes<dim>>                probes;
    std::unique_ptr<postprocess::RegressionSnapshot> snapshot;
    std::unique_ptr<mesh::TrackNetwork<dim>>         tracks;
    std::unique_ptr<MvbPopulation<dim>>              mvbs;
    std::unique_ptr<FieldCoupling<dim>>              coupling;
    std::string                                      track_grid;
    postprocess::FateEvents<dim>                     fates; // rank 0
    // The cell weights of every repartitioning, for checkpoints.
    PartitionHistory partitions;
    unsigned int     n_outputs     = 0;
    unsigned int     n_checkpoints = 0;
    // Field integrals at the start time, for the balances.
    std::vector<double>                   initial_integral;
    std::map<std::string, double>         worst_balance_error;
    std::chrono::steady_clock::time_point loop_start, last_progress;
    std::chrono::steady_clock::time_point last_checkpoint;
    // The output a restart continues: statistics rows, series times,
    // snapshot series, restored before the output files are opened.
    struct RestoredOutput;
    std::unique_ptr<RestoredOutput> restored;
  };

  /**
   * Builds the Simulator of the parameters' dimension and runs it, or only
   * validates the input with --validate. The simulator is destroyed before
   * an error travels on, so that its TimerOutput ends normally instead of
   * warning about an exception.
   */
  void
  run_simulator(const RunParameters      &parameters,
                const ParameterHandler   &prm,
                const ScenarioInput      &input,
                const CommandLineOptions &options,
                postprocess::RunLog      &log,
                MPI_Comm                  communicator);
} // namespace mvb
