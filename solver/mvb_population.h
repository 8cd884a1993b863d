#pragma once

#include <mesh/cell_geometry.h>
#include <mesh/track_network.h>
#include <physics/mvb_kinetics.h>
#include <postprocess/mvb_output.h>
#include <solver/mvb_stepper.h>

#include <deal.II/base/timer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/grid/grid_tools_cache.h>
#include <deal.II/particles/particle_handler.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mvb
{
  using namespace dealii;

  class CheckpointReader;
  class CheckpointWriter;

  /**
   * The one way MVBs and fields meet. Before each MVB step, sample() gives
   * the field values at every locally owned MVB, in the order of the
   * particle handler's iteration; after the step's motion and transitions,
   * but before any MVB is removed or moves to another cell, deposit() gets
   * what each MVB put into (or took from) the fields in that step, in the
   * same order. FiniteElementFields (solver/field_coupling.h) evaluates and
   * loads the finite element fields; ConstantFields stands in when there
   * are none.
   */
  template <int dim>
  class FieldCoupling
  {
  public:
    virtual ~FieldCoupling() = default;

    virtual void
    sample(const Particles::ParticleHandler<dim> &particles,
           std::vector<physics::LocalFields>     &values) = 0;

    virtual void
    deposit(const Particles::ParticleHandler<dim>     &particles,
            const std::vector<physics::FieldExchange> &amounts) = 0;
  };

  /**
   * The same field values at every MVB, from reservoirs that nothing
   * depletes: deposits are ignored.
   */
  template <int dim>
  class ConstantFields : public FieldCoupling<dim>
  {
  public:
    explicit ConstantFields(const physics::LocalFields &values)
        : values(values)
    {
    }

    void
    sample(const Particles::ParticleHandler<dim> &particles,
           std::vector<physics::LocalFields>     &out) override
    {
      out.assign(particles.n_locally_owned_particles(), values);
    }

    void
    deposit(const Particles::ParticleHandler<dim> &,
            const std::vector<physics::FieldExchange> &) override
    {
    }

  private:
    const physics::LocalFields values;
  };

  /** Population observables of model.md section 5 at one time. */
  struct MvbCounts
  {
    std::array<unsigned long, physics::n_mvb_modes> per_mode{};
    unsigned long                                   total = 0;
    unsigned long births               = 0; // cumulative, initial MVBs excluded
    unsigned long fusions              = 0; // cumulative
    double        exosomes             = 0; // cumulative sum of N at fusion
    unsigned long degradations         = 0; // cumulative
    double        cargo_exported       = 0; // cumulative, uM um^3
    double        cargo_degraded       = 0; // cumulative, uM um^3
    double        cargo_in_mvbs        = 0; // uM um^3
    double        cargo_taken          = 0; // cumulative, from the field
    double        cholesterol_in_mvbs  = 0; // uM um^3
    double        cholesterol_taken    = 0; // cumulative, from the field
    double        cholesterol_returned = 0; // cumulative, at degradation
    double        cholesterol_exported = 0; // cumulative, at fusion
    // Cumulative, brought in by new MVBs (endocytic membrane), the initial
    // ones included.
    double        cholesterol_born     = 0;
    double        mean_radial_position = 0; // d_NE / (d_NE + d_PM)
    double        peripheral_fraction  = 0; // radial position above 1/2
    unsigned long near_membrane        = 0; // within the docking distance of PM
  };

  /**
   * The MVBs of a run: a Particles::ParticleHandler distributed with the
   * mesh, each particle an MVB whose properties are its state (see
   * Property). Births, motion, transitions and maturation happen in
   * advance(); terminal events remove the particle and are counted.
   *
   * Ids are assigned in birth order from a counter every rank keeps alike
   * (births are drawn from the population's own random stream), so an MVB
   * has the same id, and thus the same random numbers, however many ranks
   * run.
   */
  template <int dim>
  class MvbPopulation
  {
  public:
    /** Particle properties, in this order. */
    enum Property : unsigned int
    {
      mode,
      track,
      arc,
      ilv_count,
      cargo,
      chi_lm,
      chi_ilv,
      rab7,
      age,
      clearance, // stepper's bound on the distance to the membranes
      n_properties
    };

    MvbPopulation(
      const physics::MvbParameters                    &parameters,
      const mesh::CellGeometry<dim>                   &geometry,
      const mesh::TrackNetwork<dim>                   &tracks,
      double                                           capture_radius,
      const parallel::distributed::Triangulation<dim> &triangulation,
      const Mapping<dim>                              &mapping,
      TimerOutput                                     &timer);
    ~MvbPopulation();

    /** Places the initial MVBs at @p start_time. Collective. */
    void
    initialize(double start_time);

    /**
     * Advances by @p dt in steps of dt / (MVB/Steps per field step), with
     * the field values from @p fields at the start of each and what the
     * MVBs exchange deposited into it after each. Collective. Throws
     * SimulationError if an MVB leaves the mesh.
     */
    void
    advance(double dt, FieldCoupling<dim> &fields);

    /**
     * What a restart needs: the clock, the id counter and the births to
     * @p global (alike on every rank); this rank's cumulative counts,
     * pending fusions and MVBs (id, position, reference position and
     * properties, by cell id, in the particle handler's order) to @p local.
     * The random numbers need nothing more: they are a function of the
     * seed, the MVB id and the step number.
     */
    void
    save(CheckpointWriter &global, CheckpointWriter &local) const;

    /**
     * Restores what save() wrote (instead of initialize()); @p blocks are
     * the local parts of every rank that saved, positioned at the MVBs'
     * part. On as many ranks as saved, each rank gets back exactly its own
     * counts and MVBs in their order, so the run continues bit for bit; on
     * another number of ranks, each MVB goes to the owner of its cell and
     * the counts to rank 0. Collective.
     */
    void
    load(CheckpointReader &global, std::vector<CheckpointReader> &blocks);

    double
    time() const
    {
      return current_time;
    }

    std::uint64_t
    step_number() const
    {
      return n_steps;
    }

    /** Collective. */
    MvbCounts
    counts() const;

    /** Every MVB, sorted by id, on rank 0 (empty elsewhere). Collective. */
    std::vector<postprocess::MvbRecord<dim>>
    gather() const;

    /** d_NE / (d_NE + d_PM) at @p x: 0 on the nuclear envelope, 1 on the
     * plasma membrane (model.md section 5); d_PM into @p distance_to_pm if
     * given. */
    double
    radial_position(const Point<dim> &x,
                    double           *distance_to_pm = nullptr) const;

    /**
     * Fusions since the last call, sorted by (time, id), on rank 0.
     * Collective.
     */
    std::vector<postprocess::FusionEvent<dim>>
    collect_fusions();

    /**
     * Number of MVBs, over all ranks, that are outside the cytoplasm (by
     * the membrane facets, less the clearance and a round-off allowance)
     * or, if bound, more than 1e-9 um from their track's point at their
     * arc position. Collective. For tests.
     */
    unsigned long
    count_misplaced() const;

    const Particles::ParticleHandler<dim> &
    particle_handler() const
    {
      return particles;
    }

    const MvbStepper<dim> &
    stepper() const
    {
      return mvb_stepper;
    }

  private:
    /** A point in the perinuclear band, from the MVB's own stream. */
    Point<dim>
    birth_position(std::uint64_t id) const;

    /** Creates MVBs with ids next_id, ... at the same positions everywhere. */
    void
    add_newborns(unsigned int n);

    /**
     * Puts back the MVBs the particle handler's sort lost (collective);
     * throws SimulationError for one that no cell of the mesh holds.
     */
    void
    relocate_lost(double dt);

    static physics::MvbState
    read_state(const ArrayView<const double> &properties);

    static void
    write_state(const physics::MvbState &state, ArrayView<double> properties);

    const physics::MvbParameters                    &prm;
    const physics::MvbKinetics                       kinetics;
    const mesh::CellGeometry<dim>                   &geometry;
    const mesh::TrackNetwork<dim>                   &tracks;
    const parallel::distributed::Triangulation<dim> &triangulation;
    const Mapping<dim>                              &mapping;
    TimerOutput                                     &timer;
    MPI_Comm                                         mpi_communicator;
    GridTools::Cache<dim>                            cache;
    Particles::ParticleHandler<dim>                  particles;
    MvbStepper<dim>                                  mvb_stepper;

    double        current_time = 0;
    std::uint64_t n_steps      = 0;
    std::uint64_t next_id      = 0;
    unsigned long births       = 0;

    // Local (this rank's) cumulative counts, summed in counts().
    unsigned long                              local_fusions              = 0;
    double                                     local_exosomes             = 0;
    unsigned long                              local_degradations         = 0;
    double                                     local_cargo_exported       = 0;
    double                                     local_cargo_degraded       = 0;
    double                                     local_cargo_taken          = 0;
    double                                     local_cholesterol_taken    = 0;
    double                                     local_cholesterol_returned = 0;
    double                                     local_cholesterol_exported = 0;
    std::vector<postprocess::FusionEvent<dim>> pending_fusions;

    // Reused every step: no allocation in the MVB loop.
    std::vector<physics::LocalFields>   field_values;
    std::vector<physics::FieldExchange> exchanges;
    std::vector<typename Particles::ParticleHandler<dim>::particle_iterator>
      to_remove;
    // MVBs the particle handler could not place this step: id, position,
    // properties, one after the other.
    std::vector<double> lost;
  };
} // namespace mvb
