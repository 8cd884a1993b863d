#pragma once

#include <physics/enum_table.h>
#include <physics/species_model.h>

#include <deal.II/base/timer.h>
#include <deal.II/distributed/solution_transfer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/mapping.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/petsc_precondition.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>
#include <deal.II/lac/vector.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mvb
{
  using namespace dealii;

  class CheckpointReader;
  class CheckpointWriter;
  class LevelInterpolation;

  enum class TimeScheme
  {
    bdf1,
    bdf2
  };

  /** The multigrid that preconditions CG (tests/benchmarks/README.md
   * compares them). */
  enum class FieldPreconditioner
  {
    /** PETSc's smoothed aggregation (PCGAMG). */
    gamg,
    /** hypre's classical AMG (BoomerAMG, HMIS coarsening). */
    boomeramg,
    /** Geometric multigrid on the levels of the mesh (PCMG with Galerkin
     * coarse operators, PreconditionGMG); needs a uniformly refined mesh
     * with its multigrid hierarchy. */
    gmg,
    /** GMG where it pays, GAMG elsewhere (FieldSolver::preconditioner()). */
    automatic
  };

  /** The preconditioners by the names of Fields/Preconditioner, in enum
   * order. */
  inline constexpr std::array<std::pair<FieldPreconditioner, const char *>, 4>
    field_preconditioners{{{FieldPreconditioner::gamg, "GAMG"},
                           {FieldPreconditioner::boomeramg, "BoomerAMG"},
                           {FieldPreconditioner::gmg, "GMG"},
                           {FieldPreconditioner::automatic, "Automatic"}}};

  /** Automatic chooses GMG from this many DoFs per field on (a uniformly
   * refined mesh with at least two refinements): on the 3D cell GMG and
   * GAMG take about the same time at 7e3 DoFs, GMG 2.3-2.5x less at 5e4
   * and 2.2-2.9x less at 4e5 (1 and 2 ranks), and at the baseline's 970
   * DoFs twice as much (tests/benchmarks/README.md). */
  inline constexpr unsigned int automatic_gmg_min_dofs = 20000;

  static_assert(physics::in_enum_order(
    field_preconditioners,
    &std::pair<FieldPreconditioner, const char *>::first));

  inline const char *
  name(const FieldPreconditioner p)
  {
    return field_preconditioners[static_cast<std::size_t>(p)].second;
  }

  /** What the triangulation must provide for @p p: geometric multigrid
   * works on the levels of the mesh. */
  template <int dim>
  typename parallel::distributed::Triangulation<dim>::Settings
  triangulation_settings(const FieldPreconditioner p)
  {
    return p == FieldPreconditioner::gmg || p == FieldPreconditioner::automatic
             ? parallel::distributed::Triangulation<
                 dim>::construct_multigrid_hierarchy
             : parallel::distributed::Triangulation<dim>::default_setting;
  }

  struct FieldSolverSettings
  {
    unsigned int fe_degree = 1;
    TimeScheme   scheme    = TimeScheme::bdf2;
    /** The unit of time steps: every step is a whole number of them
     * (advance()). Fixed steps take one; adaptive steps, several. */
    double time_step = 0.1;
    /** Whether each BDF2 step estimates its local error
     * (last_error_estimate()). */
    bool estimate_error = false;

    /** CG stops when |residual| <= tolerance |right-hand side|. */
    double              tolerance      = 1e-10;
    unsigned int        max_iterations = 1000;
    FieldPreconditioner preconditioner = FieldPreconditioner::automatic;
  };

  /**
   * Where one species stands: its integral over the cytoplasm, the extreme
   * nodal values, and the amounts (uM um^3 in 3D, uM um^2 in 2D) that have
   * entered across each boundary of its model and been made by its volume
   * terms since the start. The amounts are those of the discrete scheme, so
   *   integral(t) - integral(t0) = sum of boundary amounts + reaction amount
   * holds to the linear solver's tolerance, for BDF1 and BDF2 alike.
   */
  struct SpeciesBalance
  {
    double              integral = 0;
    double              minimum  = 0;
    double              maximum  = 0;
    std::vector<double> boundary_amount;
    double              reaction_amount = 0;
    /** Amount put in by point sources (negative: taken out), see
     * FieldSolver::add_point_amounts(). */
    double point_amount = 0;
  };

  /**
   * Reaction-diffusion fields on the cell mesh: all species share one
   * DoFHandler with FE_Q(p) and one mass matrix M; each has its own
   * operator A, assembled once per mesh, and the system matrix
   * alpha0/dt M + A of each step length in use with its algebraic multigrid
   * preconditioner (GAMG or BoomerAMG, see FieldPreconditioner), kept for
   * the steps that follow. A time step assembles right-hand sides only.
   * Steps may vary (variable-step BDF2) and estimate their local error.
   * See field_solver.cc for the time discretisation.
   */
  template <int dim>
  class FieldSolver
  {
  public:
    FieldSolver(const parallel::distributed::Triangulation<dim> &triangulation,
                const Mapping<dim>                              &mapping,
                std::vector<physics::SpeciesModel<dim>>          species,
                const FieldSolverSettings                       &settings,
                TimerOutput                                     &timer);

    ~FieldSolver();

    /** Distributes DoFs and assembles the matrices; call after each mesh
     * change. */
    void
    setup();

    /**
     * Before the mesh is repartitioned: attaches each species' state (its
     * field, previous step and last point load) to the cells.
     */
    void
    prepare_repartition();

    /**
     * After the mesh was repartitioned (and the mapping rebuilt on it): as
     * setup(), then takes the state back from the cells. The values are
     * those before, node for node; only their distribution changed.
     */
    void
    finish_repartition();

    /** Sets each species to its initial value at @p start_time. */
    void
    initialize(double start_time);

    /**
     * As initialize(), and also sets the state one step earlier from
     * @p previous (one function per species, evaluated at start_time -
     * time_step), so that BDF2 needs no first-order start-up step.
     */
    void
    initialize(double start_time, const std::vector<Function<dim> *> &previous);

    /**
     * One time step of @p n_ticks time_step's: time() grows by them.
     * Variable steps are BDF2 with the step ratio of the last two (see
     * field_solver.cc).
     */
    void
    advance(unsigned int n_ticks = 1);

    double
    time() const;

    /** Steps taken since initialize(). */
    unsigned int
    step_number() const;

    /** Units of time_step since initialize(): time() is start time +
     * ticks() time_step, exact for fixed steps. */
    std::uint64_t
    ticks() const;

    /** Length of the last step in time_step's (1 before the first). */
    unsigned int
    last_step_ticks() const;

    /**
     * The largest over the species of the last step's estimated local
     * error, relative to the field's norm (see field_solver.cc); negative
     * when there is none (settings.estimate_error off, or fewer than three
     * earlier states, as in the first two steps).
     */
    double
    last_error_estimate() const;

    unsigned int
    n_species() const;

    const physics::SpeciesModel<dim> &
    model(unsigned int species) const;

    /** The species' current field, with ghost values. */
    const PETScWrappers::MPI::Vector &
    solution(unsigned int species) const;

    const DoFHandler<dim> &
    dof_handler() const;

    const Mapping<dim> &
    mapping() const;

    /** Collective. */
    SpeciesBalance
    balance(unsigned int species) const;

    /** The L2 norm of the species' field over the cytoplasm. Collective. */
    double
    l2_norm(unsigned int species) const;

    /** CG iterations of the species' last solve. */
    unsigned int
    last_iterations(unsigned int species) const;

    /**
     * Puts @p amounts (uM um^dim; negative: takes them out) into species
     * @p species during the coming step, at a point of one cell: the
     * entries are q phi_j(x) for the cell's @p dofs, so that their sum is q
     * (the step-19 pattern). Amounts add up over the step; advance() uses
     * and clears them. For BDF2 the load of the step enters as
     * (alpha0 P^{n+1} - omega^2/(1 + omega) P^n)/dt (3/2 and 1/2 at equal
     * steps), which keeps the scheme second order and makes the integral
     * change by exactly the amount put in (see field_solver.cc).
     */
    void
    add_point_amounts(unsigned int                                species,
                      const std::vector<types::global_dof_index> &dofs,
                      const Vector<double>                       &amounts);

    /**
     * What a restart needs: the time, the amounts of the balances and the
     * scheme's history to @p global (alike on every rank), the values of
     * the fields, their previous step and the last point loads on this
     * rank's cells, by cell id, to @p local.
     */
    void
    save(CheckpointWriter &global, CheckpointWriter &local) const;

    /**
     * Restores what save() wrote; @p blocks are the parts this rank read
     * (at least those of the ranks that saved its cells), read up to their
     * end of the fields. The number of ranks may differ from the saving
     * run's. Call after setup().
     */
    void
    load(CheckpointReader &global, std::vector<CheckpointReader> &blocks);

    /** The preconditioner in use since setup(): settings.preconditioner,
     * or what Automatic chose for this mesh. */
    FieldPreconditioner
    preconditioner() const;

    /** Number of preconditioner set-ups so far (all species). */
    unsigned int
    n_preconditioner_setups() const;

    /** How many sets of system matrices (one per species) and of
     * preconditioners are kept for different step sizes and ratios before
     * the least recently used is dropped. */
    static constexpr unsigned int max_cached_systems = 4;

  private:
    struct Species;
    struct CellQuadratureCache;
    struct SystemMatrices;
    struct Preconditioners;

    /** Copies with ghost values of what a checkpoint or a repartitioning
     * carries per species (state_vectors()). */
    std::vector<PETScWrappers::MPI::Vector>
    ghosted_state() const;

    /** The mass matrix, the weights and each species' A (diffusion,
     * decay, stabilisation, Robin exchange); once per mesh. */
    void
    assemble_matrices();

    /** alpha0/dt M + A per species. */
    std::vector<std::shared_ptr<PETScWrappers::MPI::SparseMatrix>>
    form_matrices(double leading_coefficient) const;

    void
    build_preconditioners(Preconditioners &p) const;

    /** The species' system matrices for the leading coefficient alpha0/dt,
     * with the preconditioners built for @p reference_coefficient: from
     * the caches, or formed and built. */
    const SystemMatrices &
    system_matrices(double leading_coefficient, double reference_coefficient);

    void
    assemble_right_hand_side(Species                          &s,
                             const PETScWrappers::MPI::Vector &extrapolated,
                             const PETScWrappers::MPI::Vector &history,
                             double                            dt,
                             double                            t_new,
                             double                           &volume_integral);

    /** Adds a flux that varies along the boundary into @p rhs by face
     * quadrature; returns its rank-local integral. */
    double
    boundary_flux_integral(const physics::BoundaryExchange<dim> &b,
                           double                                t_new,
                           PETScWrappers::MPI::Vector           &rhs) const;

    /** The coefficients of one step (see field_solver.cc). */
    struct StepCoefficients
    {
      double dt;
      bool   bdf2;
      /** dt over the previous step's. */
      double omega;
      /** Of u^{n+1}: (1 + 2 omega)/(1 + omega); 1 for BDF1. */
      double alpha0;
      /** Of u^{n-1} in the history, omega^2/(1 + omega); 0 for BDF1. */
      double lag;
    };

    StepCoefficients
    coefficients(unsigned int n_ticks) const;

    void
    solve(Species                &s,
          const StepCoefficients &c,
          const SystemMatrices   &system,
          unsigned int            index,
          double                  t_new);

    /** The linear extrapolation u* and the history H of a step from the
     * states @p now and @p before (see field_solver.cc). */
    void
    extrapolate(const StepCoefficients           &c,
                const PETScWrappers::MPI::Vector &now,
                const PETScWrappers::MPI::Vector &before,
                PETScWrappers::MPI::Vector       &extrapolated,
                PETScWrappers::MPI::Vector       &history) const;

    /** M (H/dt + gamma u*) into the species' rhs (gamma: the pump's
     * stabilisation). */
    void
    add_mass_terms(Species                          &s,
                   const PETScWrappers::MPI::Vector &extrapolated,
                   const PETScWrappers::MPI::Vector &history,
                   double                            dt) const;

    /** The point loads' terms of the step into the species' rhs. */
    void
    add_point_loads(Species &s, const StepCoefficients &c) const;

    /** CG on the species' system @p index to @p relative_tolerance of
     * |b|; a SimulationError naming @p what if b is not finite or CG
     * fails. Returns the iterations. */
    unsigned int
    solve_linear_system(const SystemMatrices             &system,
                        unsigned int                      index,
                        PETScWrappers::MPI::Vector       &x,
                        const PETScWrappers::MPI::Vector &b,
                        double                            relative_tolerance,
                        const std::string                &what,
                        double                            t_new) const;

    /** The step of the species' response to its point loads alone, with
     * the step's matrix (for the error estimate). */
    void
    solve_point_response(Species                &s,
                         const StepCoefficients &c,
                         const SystemMatrices   &system,
                         unsigned int            index,
                         double                  t_new);

    /** What a checkpoint or a repartitioning carries of a species: u^n,
     * u^{n-1}, u^{n-2}, the last point load and, with the error estimate,
     * the response to the point loads at the same three times. */
    std::vector<PETScWrappers::MPI::Vector *>
    state_vectors(Species &s) const;

    /** The species' relative local error estimate of the step just taken
     * (Milne's device against quadratic extrapolation). */
    double
    estimate_error(Species &s, const StepCoefficients &c) const;

    MPI_Comm                                         mpi_communicator;
    const parallel::distributed::Triangulation<dim> &triangulation;
    const Mapping<dim>                              &mapping_;
    FieldSolverSettings                              settings;
    TimerOutput                                     &timer;

    FE_Q<dim>                 fe;
    DoFHandler<dim>           dof_handler_;
    IndexSet                  locally_owned_dofs;
    IndexSet                  locally_relevant_dofs;
    AffineConstraints<double> constraints;

    DynamicSparsityPattern           sparsity;
    PETScWrappers::MPI::SparseMatrix mass_matrix;
    // Integrals of the basis functions over the cytoplasm and over each
    // boundary part: they turn sums of equations into integrals.
    PETScWrappers::MPI::Vector                               volume_weights;
    std::map<types::boundary_id, PETScWrappers::MPI::Vector> boundary_weights;
    std::map<types::boundary_id, double>                     boundary_measure;
    double                                                   volume_measure = 0;

    // While the mesh is repartitioned: the state, with ghosts, and what
    // carries it.
    std::vector<PETScWrappers::MPI::Vector> state_in_transfer;
    std::unique_ptr<
      parallel::distributed::SolutionTransfer<dim, PETScWrappers::MPI::Vector>>
      transfer;

    FieldPreconditioner preconditioner_in_use = FieldPreconditioner::gamg;
    // The geometric multigrid's interpolations between the mesh levels
    // (FieldPreconditioner::gmg only).
    std::unique_ptr<LevelInterpolation> level_interpolation;

    std::unique_ptr<CellQuadratureCache>  quadrature_cache;
    std::vector<std::unique_ptr<Species>> species;

    // The system matrices and the preconditioners of the step sizes in
    // use, the latest used last.
    std::vector<std::shared_ptr<SystemMatrices>>  systems;
    std::vector<std::shared_ptr<Preconditioners>> preconditioner_cache;

    double        start_time = 0;
    unsigned int  step       = 0;
    std::uint64_t elapsed    = 0; // in time_step's
    // Lengths (in time_step's) of the last step and of the one before.
    unsigned int last_ticks = 1, ticks_before = 1;
    // How many earlier states are known: u^{n-1}, then also u^{n-2}.
    unsigned int n_earlier                = 0;
    double       error_estimate           = -1;
    unsigned int n_preconditioner_setups_ = 0;
  };
} // namespace mvb
