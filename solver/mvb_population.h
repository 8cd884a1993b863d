#pragma once

#include <mesh/cell_geometry.h>
#include <mesh/cell_locator.h>
#include <mesh/track_network.h>
#include <physics/mvb_kinetics.h>
#include <postprocess/mvb_output.h>
#include <solver/mvb_stepper.h>
#include <solver/phase_clock.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/timer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/fe/mapping.h>

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
   * Where an MVB sits in the mesh: a local cell of the population's
   * mesh::CellLocator and the MVB's reference point in it.
   */
  template <int dim>
  struct MvbSite
  {
    unsigned int cell = numbers::invalid_unsigned_int;
    Point<dim>   reference;
  };

  /**
   * The one way MVBs and fields meet. Before each MVB step, sample() gives
   * the field values at every locally owned MVB, one per site, in the
   * population's order; after the step's motion and transitions, but
   * before any MVB is removed or moves on, deposit() gets what each MVB put
   * into (or took from) the fields in that step, at the same sites. After
   * the last MVB step of a field step, finish() hands it all to the field
   * solver. FiniteElementFields (solver/field_coupling.h) evaluates and
   * loads the finite element fields; ConstantFields stands in when there
   * are none.
   */
  template <int dim>
  class FieldCoupling
  {
  public:
    virtual ~FieldCoupling() = default;

    /**
     * Whether sample() and deposit() read the sites. If not, the
     * population keeps an MVB's cell only as exact as the MPI partition
     * needs.
     */
    virtual bool
    uses_sites() const = 0;

    virtual void
    sample(const std::vector<MvbSite<dim>>   &sites,
           std::vector<physics::LocalFields> &values) = 0;

    virtual void
    deposit(const std::vector<MvbSite<dim>>           &sites,
            const std::vector<physics::FieldExchange> &amounts) = 0;

    virtual void
    finish()
    {
    }

    /**
     * The field values at @p points, the same on every rank, wherever the
     * points lie (for births whose density follows a field). Collective.
     */
    virtual void
    values_at(const std::vector<Point<dim>>     &points,
              std::vector<physics::LocalFields> &values) = 0;
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

    bool
    uses_sites() const override
    {
      return false;
    }

    void
    sample(const std::vector<MvbSite<dim>>   &sites,
           std::vector<physics::LocalFields> &out) override
    {
      out.assign(sites.size(), values);
    }

    void
    deposit(const std::vector<MvbSite<dim>> &,
            const std::vector<physics::FieldExchange> &) override
    {
    }

    void
    values_at(const std::vector<Point<dim>>     &points,
              std::vector<physics::LocalFields> &out) override
    {
      out.assign(points.size(), values);
    }

  private:
    const physics::LocalFields values;
  };

  /**
   * The cumulative books of the MVBs' fates and exchanges, on one rank or
   * summed over all: what the statistics report and a checkpoint keeps.
   * Read and written as a list of numbers in the order of values().
   */
  struct MvbBooks
  {
    double fusions                 = 0;
    double exosomes_escrt          = 0; // ILVs of the ESCRT route released
    double exosomes_ceramide       = 0; // and of the ceramide route
    double fusions_microtubule     = 0; // delivered to the cortex on kinesin
    double degradations_lysosomal  = 0;
    double degradations_amphisomal = 0;
    // By coupled species (uM um^dim): net amount taken from the field,
    // carried out of the cell at fusion, destroyed at degradation.
    physics::SpeciesValues taken, exported, degraded;

    std::vector<double>
    values() const;

    void
    set_values(const std::vector<double> &values);

    double
    degradations() const
    {
      return degradations_lysosomal + degradations_amphisomal;
    }
  };

  /** Population observables of physics/MODEL.md section 5 at one time. */
  struct MvbCounts
  {
    std::array<unsigned long, physics::n_mvb_modes> per_mode{};
    unsigned long                                   total      = 0;
    unsigned long                                   amphisomes = 0;
    unsigned long births = 0; // cumulative, initial MVBs excluded
    MvbBooks      books;      // cumulative
    // What the MVBs hold now, by coupled species (uM um^dim).
    physics::SpeciesValues held;
    double                 mean_radial_position  = 0; // d_NE / (d_NE + d_PM)
    double                 peripheral_fraction   = 0; // radial position > 1/2
    double                 mean_lysosome_density = 0; // mean L(x_i)
    unsigned long near_membrane = 0; // within the docking distance of PM
  };

  /**
   * The MVBs of a run, each on the MPI rank that owns the mesh cell it is
   * in. Births, motion, transitions and maturation happen in advance();
   * terminal events remove the MVB and are counted.
   *
   * An MVB is an entry of a flat array: its id, position, state and the
   * bounds that spare it searches (MembraneDistances; the "home" ball in
   * which it stays on this rank), with its site (cell and reference point)
   * in a parallel array. After each step an MVB is relocated from the cell
   * it was in (mesh::CellLocator::follow()): every step if the fields read
   * its site, else only when it leaves its home ball, so that on one rank
   * an MVB that no field reads never needs a cell test. Only MVBs that
   * enter another rank's cell travel, point to point to that rank; one that
   * goes beyond the ghost layer is searched for by every rank (the rare
   * fallback). Every step checks that present = initial + born - fused -
   * degraded over all ranks.
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
    /**
     * @p mapping (of degree @p mapping_degree) is the one the fields use, so
     * that an MVB's reference point is the fields' too.
     */
    MvbPopulation(
      const physics::MvbParameters                    &parameters,
      const mesh::CellGeometry<dim>                   &geometry,
      const mesh::TrackNetwork<dim>                   &tracks,
      double                                           capture_radius,
      const parallel::distributed::Triangulation<dim> &triangulation,
      const Mapping<dim>                              &mapping,
      unsigned int                                     mapping_degree,
      TimerOutput                                     &timer);
    ~MvbPopulation();

    /**
     * Places the initial MVBs at @p start_time: MVB/Initial number of them
     * where newborns appear, or, if @p positions are given (the same on
     * every rank), one at each. Collective.
     */
    void
    initialize(double                         start_time,
               const std::vector<Point<dim>> &positions = {});

    /**
     * Advances by @p dt in @p substeps equal steps (0: MVB/Steps per field
     * step), with the field values from @p fields at the start of each and
     * what the MVBs exchange deposited into it after each. Collective.
     * Throws SimulationError if an MVB leaves the mesh or the count check
     * fails.
     */
    void
    advance(double dt, FieldCoupling<dim> &fields, unsigned int substeps = 0);

    /**
     * What a restart needs: the clock, the id counter and the births to
     * @p global (alike on every rank); this rank's cumulative counts,
     * pending fusions and MVBs (in their order, each with its cell id) to
     * @p local. The random numbers need nothing more: they are a function
     * of the seed, the MVB id and the step number. Collective.
     */
    void
    save(CheckpointWriter &global, CheckpointWriter &local);

    /**
     * Restores what save() wrote (instead of initialize()); @p blocks are
     * the parts this rank read (at least those of the ranks that saved its
     * cells), positioned at the MVBs' part. On as many ranks as saved, each
     * rank gets back exactly its own counts and MVBs in their order, so the
     * run continues bit for bit; on another number of ranks, each MVB goes
     * to the owner of its cell and the counts to rank 0. Collective.
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

    /**
     * Before the mesh is repartitioned: makes every site current and
     * attaches each MVB to its cell, so that it travels with the cell.
     */
    void
    prepare_repartition(parallel::distributed::Triangulation<dim> &mesh);

    /**
     * MVBs in @p cell, a locally owned cell of the mesh as it was at
     * prepare_repartition(), until the mesh is repartitioned (for the cell
     * weights).
     */
    unsigned int
    n_in_cell(const typename Triangulation<dim>::cell_iterator &cell) const;

    /**
     * After the mesh was repartitioned (and the mapping rebuilt on it):
     * the locator and the neighbour ranks follow the new partition, and
     * each MVB is on the new owner of its cell, in the cells' order.
     * Collective. Throws SimulationError if an MVB is lost.
     */
    void
    finish_repartition(parallel::distributed::Triangulation<dim> &mesh);

    /**
     * After the mesh was repartitioned without MVBs (a restart repeats its
     * run's repartitionings before the MVBs are restored): the locator and
     * the neighbour ranks follow the new partition.
     */
    void
    mesh_changed();

    /** Per locally owned cell that holds MVBs: its CellId words, then the
     * number of MVBs in it (sites made current first). */
    std::vector<std::uint32_t>
    occupied_cells();

    /** MVBs on this rank. */
    std::size_t
    n_local() const
    {
      return mvbs.size();
    }

    /** MVBs on all ranks. Collective. */
    unsigned long
    n_global() const;

    /** Collective. Throws SimulationError if the count check fails. */
    MvbCounts
    counts() const;

    /** Every MVB, sorted by id, on rank 0 (empty elsewhere). Collective. */
    std::vector<postprocess::MvbRecord<dim>>
    gather() const;

    /** d_NE / (d_NE + d_PM) at @p x: 0 on the nuclear envelope, 1 on the
     * plasma membrane (physics/MODEL.md section 6); d_PM into @p distance_to_pm
     * if given. */
    double
    radial_position(const Point<dim> &x,
                    double           *distance_to_pm = nullptr) const;

    /**
     * Fusions and degradations since the last call, each sorted by (time,
     * id), on rank 0. Collective.
     */
    postprocess::FateEvents<dim>
    collect_fates();

    /**
     * Number of MVBs, over all ranks, that are outside the cytoplasm (by
     * the membrane facets, less the clearance and a round-off allowance),
     * or, if bound, more than 1e-9 um from their track's point at their
     * arc position, or not in a cell this rank owns. Collective. For tests.
     */
    unsigned long
    count_misplaced() const;

    const mesh::CellLocator<dim> &
    cell_locator() const
    {
      return locator;
    }

    const MvbStepper<dim> &
    stepper() const
    {
      return mvb_stepper;
    }

    /** What the engine did on this rank so far, for benchmarks. */
    struct Statistics
    {
      unsigned long mvb_steps   = 0; // MVBs stepped, summed over the steps
      unsigned long relocations = 0; // MVBs followed to their new cell
      unsigned long searches    = 0; // of those, found by a search
      unsigned long sent        = 0; // to a neighbouring rank
      unsigned long lost        = 0; // beyond the ghost layer
    };

    const Statistics &
    statistics() const
    {
      return engine;
    }

    /**
     * Wall time of advance() by phase, on this rank: field values, motion
     * and transitions, field exchange, migration, births. TimerOutput has
     * one section for the whole of advance() ("MVBs"): a section per phase
     * would cost more than a step of a few MVBs.
     */
    const PhaseClock &
    phase_times() const
    {
      return phases;
    }

  private:
    /** One MVB, less its site. */
    struct Mvb
    {
      std::uint64_t          id = 0;
      Point<dim>             position;
      physics::MvbState      state;
      MembraneDistances<dim> membranes;
      // Where it was when its site was last found; it stays on this rank
      // within home_radius of there (0 with exact sites, which follow
      // every move instead).
      Point<dim> home;
      double     home_radius = 0;
    };

    /** An MVB and its site as doubles, for MPI and checkpoints. */
    static constexpr unsigned int record_size =
      1 + dim + physics::n_mvb_state_values + dim + 2 + dim +
      std::tuple_size<CellId::binary_type>::value;

    void
    pack(const Mvb           &mvb,
         const MvbSite<dim>  &site,
         std::vector<double> &out) const;

    /**
     * Appends the MVB of @p record, which must lie in a cell this rank
     * owns: the one its cell id names (if @p by_cell_id) or, failing that,
     * one that a search finds. False if none does.
     */
    bool
    unpack(const double *record, bool by_cell_id);

    /** Appends an MVB in an owned cell; sets its home ball. */
    void
    append(const Mvb &mvb, const MvbSite<dim> &site);

    /**
     * Makes the MVB's position its home, its site having just been found
     * there; the home ball's radius only where sites are not exact.
     */
    void
    settle(Mvb &mvb) const;

    /**
     * A point where MVB @p id may be born, from its own stream (@p attempt
     * numbers the candidates of one MVB): in the perinuclear band, or
     * anywhere in the cytoplasm (Birth distribution = cargo); never in
     * the cortex.
     */
    Point<dim>
    birth_position(std::uint64_t id, unsigned int attempt = 0) const;

    /**
     * Creates MVBs with ids next_id, ... at @p positions (the same on every
     * rank), each on the rank that owns its cell. Collective.
     */
    void
    add_mvbs(const std::vector<Point<dim>> &positions);

    /**
     * Creates @p n MVBs where newborns appear; with births that follow the
     * cargo, @p fields gives u at the candidates (null: uniform).
     * Collective.
     */
    void
    add_newborns(unsigned int n, FieldCoupling<dim> *fields = nullptr);

    /**
     * The newborns' positions with a density proportional to the cargo:
     * for each, one of candidates_per_birth uniform points, chosen with
     * weights u(x) (sampling-importance-resampling). Collective.
     */
    std::vector<Point<dim>>
    cargo_weighted_positions(unsigned int n, FieldCoupling<dim> *fields) const;

    /**
     * Relocates every MVB after a step (see the class documentation), sends
     * those that went to other ranks, and checks the count. Collective.
     */
    void
    migrate(double step_end_time);

    /** The ranks MVBs can travel to and from (see neighbours). */
    void
    find_neighbours();

    /** Sends and receives the MVBs that went to neighbouring ranks. */
    void
    exchange_with_neighbours();

    /** Every rank searches for the MVBs that left the ghost layer. */
    void
    place_lost(double step_end_time);

    /** Makes every site current (each MVB in the owned cell it is in). */
    void
    refresh_sites();

    /** Throws SimulationError unless @p present MVBs are what the counts
     * say must be there: one for every id given, less those that fused or
     * were degraded. */
    void
    check_count(unsigned long      present,
                unsigned long      fusions,
                unsigned long      degradations,
                const std::string &when) const;

    const physics::MvbParameters  &prm;
    const physics::MvbKinetics     kinetics;
    const mesh::CellGeometry<dim> &geometry;
    const mesh::TrackNetwork<dim> &tracks;
    TimerOutput                   &timer;
    MPI_Comm                       mpi_communicator;
    // A communicator of its own for the MVBs' point-to-point messages.
    MPI_Comm                                         mvb_communicator;
    const parallel::distributed::Triangulation<dim> &triangulation;
    const Mapping<dim>                              &mapping;
    const unsigned int                               mapping_degree;
    mesh::CellLocator<dim>                           locator;
    MvbStepper<dim>                                  mvb_stepper;
    // The ranks this one exchanges MVBs with: the owners of its ghost cells
    // and the ranks that have ghosts of its cells.
    std::vector<unsigned int> neighbours;

    double        current_time = 0;
    std::uint64_t n_steps      = 0;
    std::uint64_t next_id      = 0;
    unsigned long births       = 0;

    std::vector<Mvb>          mvbs;
    std::vector<MvbSite<dim>> sites;
    // Whether the fields read the sites, so that they are kept current.
    bool exact_sites = false;

    // Local (this rank's) cumulative books, summed in counts().
    MvbBooks                     local_books;
    postprocess::FateEvents<dim> pending;

    // Reused every step: no allocation in the MVB loop.
    std::vector<physics::LocalFields>   field_values;
    std::vector<physics::FieldExchange> exchanges;
    std::vector<unsigned int>           removed;
    Statistics                          engine;
    PhaseClock                          phases;
    std::vector<std::vector<double>>    outgoing, incoming; // per neighbour
    std::vector<double>                 lost;
    std::vector<unsigned long>          send_counts, receive_counts;
    std::vector<MPI_Request>            requests;

    // While the mesh is repartitioned: the packed MVBs of each owned cell
    // (by active cell index) and the triangulation's handle for them.
    std::vector<std::vector<double>> records_by_cell;
    unsigned int                     transfer_handle = 0;
  };
} // namespace mvb
