#include <solver/checkpoint.h>
#include <solver/field_solver.h>
#include <solver/input_error.h>
#include <solver/precondition_gamg.h>
#include <solver/precondition_gmg.h>

#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/table.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/solver_cg.h>
#include <deal.II/lac/solver_control.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/lac/vector.h>
#include <deal.II/numerics/vector_tools.h>

#include <algorithm>
#include <cmath>

// Time discretisation
// -------------------
// Each species solves  du/dt + A u = s(u) + b(t)  with A the (constant)
// diffusion, decay and Robin operator, s(u) the saturable sink plus sources
// and b(t) the boundary fluxes. BDF1 and BDF2 on a uniform step dt:
//   (alpha0 u^{n+1} - H^n)/dt + A u^{n+1} = s(u^{n+1}) + b(t_{n+1}),
//   BDF1: alpha0 = 1,   H^n = u^n,
//   BDF2: alpha0 = 3/2, H^n = 2 u^n - u^{n-1}/2  (one BDF1 step to start).
//
// The sink (the Ca2+ pump, stiff: its slope reaches 6.5/s at the defaults)
// is treated *linearly implicitly with a constant stabilisation*:
//   s(u^{n+1}) ~ s(u*) - gamma (u^{n+1} - u*),
// u* the extrapolation of the scheme's own order (BDF1: u^n, BDF2:
// 2u^n - u^{n-1}) and gamma the largest slope of the sink. Why not Newton:
// the Jacobian s'(u) changes every step and everywhere, so Newton would
// re-assemble the matrix and re-build the AMG hierarchy every step, several
// times. With a constant gamma the matrix stays the one assembled at the
// start. The order is kept: the error of the linearisation is
// (gamma - s'(xi)) (u^{n+1} - u*), O(dt) for BDF1 and O(dt^2) for BDF2.
// It is stable for every dt: per Fourier mode, with a = gamma dt and
// b = s' dt in [0, a], the BDF1 amplification (1 + a - b)/(1 + a) lies in
// [0, 1] and both BDF2 roots stay in the unit disc (checked numerically
// over a in [1e-3, 1e4]; gamma >= 0.75 max s' suffices, we take max s').
//
// Balance: summing the discrete equations over all basis functions (their
// sum is 1) gives, exactly up to the CG residual,
//   alpha0 I^{n+1} - I(H^n) = dt * sum of the fluxes F_k^{n+1} of every
//   process k (each boundary part, the volume terms),
// with I the integral. For BDF2 this is 3/2 dI^{n+1} - 1/2 dI^n, so each
// process' amount per step is filtered the same way, a_k^{n+1} =
// 2/3 dt F_k^{n+1} + 1/3 a_k^n, and the amounts add up to the change of
// the integral exactly.
//
// Point sources (what the MVBs take from and give to a field) come as the
// amount P^{n+1} = sum_i q_i phi_j(x_i) put in during the step. Entered
// as P^{n+1}/dt, BDF2 would spread it over later steps (its amount is
// filtered like any other), so what the field lost would lag behind what
// the MVBs gained. Entered as (3/2 P^{n+1} - 1/2 P^n)/dt instead, the
// filtered amount a^{n+1} = P^{n+1} - 1/3 P^n + 1/3 a^n equals P^{n+1}
// at every step (by induction from the BDF1 start, a^1 = P^1): the
// integral changes by exactly the amount put in. It is also the better
// approximation: P/dt is the source at the middle of the step, and
// 3/2 s(t_{n+1/2}) - 1/2 s(t_{n-1/2}) = s(t_{n+1}) + O(dt^2).
//
// Variable steps
// --------------
// With dt = t_{n+1} - t_n, the previous step dt' and omega = dt/dt', BDF2
// differentiates the quadratic through u^{n+1}, u^n, u^{n-1}:
//   (alpha0 u^{n+1} - H^n)/dt,  alpha0 = (1 + 2 omega)/(1 + omega),
//   H^n = (1 + omega) u^n - lag u^{n-1},  lag = omega^2/(1 + omega),
// and u* = (1 + omega) u^n - omega u^{n-1} is the linear extrapolation.
// At omega = 1 these are the coefficients above, bit for bit. The scheme
// is zero-stable for omega < 1 + sqrt(2); steps at most double.
// Balance: since alpha0 - (1 + omega) = -lag, the sum over the basis is
// alpha0 dI^{n+1} - lag dI^n = dt F^{n+1}, so each amount is filtered as
// a^{n+1} = (dt F^{n+1} + lag a^n)/alpha0, and point loads enter as
// (alpha0 P^{n+1} - lag P^n)/dt: then a^{n+1} = P^{n+1} + lag (a^n -
// P^n)/alpha0 = P^{n+1}, again by induction.
// The matrix alpha0/dt M + A depends on the step and its ratio. Steps are
// whole numbers of a unit (FieldSolverSettings::time_step), so a few
// matrices recur and are kept (max_cached_systems).
//
// Local error (Milne's device), with u3 the third time derivative and dt''
// the step before dt': the quadratic extrapolation P through u^n, u^{n-1},
// u^{n-2} to t_{n+1} errs by u(t_{n+1}) - P = u3/6 dt (dt + dt')
// (dt + dt' + dt''). BDF2's derivative (of its interpolant at t_{n+1})
// errs by u3/6 dt (dt + dt'), so u^{n+1} - u(t_{n+1}) = u3/6 dt^2
// (dt + dt')/alpha0. Eliminating u3, the step's error is
//   e = (dt/alpha0)/(dt/alpha0 + dt + dt' + dt'') (u^{n+1} - P),
// 2/11 (u^{n+1} - P) at equal steps; it is reported relative to the
// field, |e|/|u^{n+1}| in the nodal 2-norm.

namespace mvb
{
  template <int dim>
  struct FieldSolver<dim>::CellQuadratureCache
  {
    unsigned int                         dofs_per_cell = 0;
    unsigned int                         n_q_points    = 0;
    Table<2, double>                     shape_values; // (i, q)
    std::vector<types::global_dof_index> dof_indices;  // per cell, flat
    std::vector<double>                  JxW;          // per cell, flat
    std::vector<Point<dim>>              points;       // if needed
  };

  template <int dim>
  struct FieldSolver<dim>::Species
  {
    physics::SpeciesModel<dim> model;
    // A: diffusion, decay, the pump's stabilisation and Robin exchange;
    // a step's matrix is alpha0/dt M + A.
    PETScWrappers::MPI::SparseMatrix operator_matrix;
    PETScWrappers::MPI::Vector       current;         // u^n, owned
    PETScWrappers::MPI::Vector       previous;        // u^{n-1}, owned
    PETScWrappers::MPI::Vector       before_previous; // u^{n-2}, owned
    PETScWrappers::MPI::Vector       ghosted;         // u^n with ghosts
    // Work vectors of one step, kept to avoid allocations.
    PETScWrappers::MPI::Vector extrapolated, history, work, rhs, solution;
    // Point-source loads of this step and of the previous one.
    PETScWrappers::MPI::Vector point_load, last_point_load;
    double                     last_point_total     = 0;
    double                     point_amount         = 0;
    double                     last_point_increment = 0;
    std::vector<double>        flux_integral;
    double                     stabilisation = 0;
    std::vector<double>        boundary_amount;
    std::vector<double>        last_boundary_increment;
    double                     reaction_amount         = 0;
    double                     last_reaction_increment = 0;
    unsigned int               iterations              = 0;
    // The last step's relative local error estimate (-1: none).
    double error = -1;
    // With the error estimate: the response to the point loads alone,
    // v^n, v^{n-1}, v^{n-2} and the step's new one (see the top of the
    // file); zero, and not solved for, until a point load arrives.
    PETScWrappers::MPI::Vector response, response_previous, response_before,
      response_new;
    bool responding = false;
  };

  template <int dim>
  std::vector<PETScWrappers::MPI::Vector *>
  FieldSolver<dim>::state_vectors(Species &s) const
  {
    std::vector<PETScWrappers::MPI::Vector *> v = {&s.current,
                                                   &s.previous,
                                                   &s.before_previous,
                                                   &s.last_point_load};
    if (settings.estimate_error)
      v.insert(v.end(),
               {&s.response, &s.response_previous, &s.response_before});
    return v;
  }

  /** The multigrid preconditioner of each species, built on the system
   * matrices of a reference coefficient (which it keeps). */
  template <int dim>
  struct FieldSolver<dim>::Preconditioners
  {
    double coefficient = 0;
    std::vector<std::shared_ptr<PETScWrappers::MPI::SparseMatrix>> matrix;
    std::vector<std::unique_ptr<PETScWrappers::PreconditionBase>>  of;
  };

  /** The system matrices alpha0/dt M + A of one leading coefficient, per
   * species, and the preconditioners they are solved with. */
  template <int dim>
  struct FieldSolver<dim>::SystemMatrices
  {
    double coefficient = 0;
    std::vector<std::shared_ptr<PETScWrappers::MPI::SparseMatrix>> matrix;
    std::shared_ptr<const Preconditioners> preconditioners;
  };

  template <int dim>
  FieldSolver<dim>::FieldSolver(
    const parallel::distributed::Triangulation<dim> &triangulation,
    const Mapping<dim>                              &mapping,
    std::vector<physics::SpeciesModel<dim>>          models,
    const FieldSolverSettings                       &settings,
    TimerOutput                                     &timer)
      : mpi_communicator(triangulation.get_communicator())
      , triangulation(triangulation)
      , mapping_(mapping)
      , settings(settings)
      , timer(timer)
      , fe(settings.fe_degree)
      , dof_handler_(triangulation)
  {
    AssertThrow(settings.time_step > 0, ExcMessage("time step must be > 0"));
    for (auto &m : models)
      {
        auto s   = std::make_unique<Species>();
        s->model = std::move(m);
        // The stabilisation is the sink's largest slope (see above).
        s->stabilisation = s->model.sink.rate ? s->model.sink.max_slope : 0.;
        s->boundary_amount.assign(s->model.boundaries.size(), 0.);
        s->last_boundary_increment.assign(s->model.boundaries.size(), 0.);
        s->flux_integral.assign(s->model.boundaries.size(), 0.);
        species.push_back(std::move(s));
      }
  }

  template <int dim>
  FieldSolver<dim>::~FieldSolver() = default;

  template <int dim>
  void
  FieldSolver<dim>::setup()
  {
    // The sections of the timer are disjoint: "fields: setup" ends before
    // the matrices are assembled, and the preconditioners' set-up is timed
    // on its own.
    TimerOutput::Scope scope(timer, "fields: setup");
    dof_handler_.distribute_dofs(fe);
    locally_owned_dofs = dof_handler_.locally_owned_dofs();
    DoFTools::extract_locally_relevant_dofs(dof_handler_,
                                            locally_relevant_dofs);

    preconditioner_in_use = settings.preconditioner;
    if (preconditioner_in_use == FieldPreconditioner::automatic)
      preconditioner_in_use =
        dof_handler_.n_dofs() >= automatic_gmg_min_dofs &&
            triangulation.is_multilevel_hierarchy_constructed() &&
            triangulation.n_global_levels() >= 3 &&
            uniformly_refined(triangulation)
          ? FieldPreconditioner::gmg
          : FieldPreconditioner::gamg;
    level_interpolation.reset();
    if (preconditioner_in_use == FieldPreconditioner::gmg)
      {
        dof_handler_.distribute_mg_dofs();
        level_interpolation = std::make_unique<LevelInterpolation>();
        level_interpolation->build(dof_handler_);
      }

    constraints.clear();
    constraints.reinit(locally_relevant_dofs);
    DoFTools::make_hanging_node_constraints(dof_handler_, constraints);
    constraints.close();

    DynamicSparsityPattern dsp(locally_relevant_dofs);
    DoFTools::make_sparsity_pattern(dof_handler_, dsp, constraints, false);
    SparsityTools::distribute_sparsity_pattern(dsp,
                                               locally_owned_dofs,
                                               mpi_communicator,
                                               locally_relevant_dofs);
    mass_matrix.reinit(locally_owned_dofs,
                       locally_owned_dofs,
                       dsp,
                       mpi_communicator);
    systems.clear();
    preconditioner_cache.clear();
    volume_weights.reinit(locally_owned_dofs, mpi_communicator);
    boundary_weights.clear();
    for (const auto &s : species)
      {
        s->current.reinit(locally_owned_dofs, mpi_communicator);
        s->previous.reinit(locally_owned_dofs, mpi_communicator);
        s->before_previous.reinit(locally_owned_dofs, mpi_communicator);
        for (auto *v : {&s->response,
                        &s->response_previous,
                        &s->response_before,
                        &s->response_new})
          v->reinit(locally_owned_dofs, mpi_communicator);
        for (auto *v : {&s->extrapolated,
                        &s->history,
                        &s->work,
                        &s->rhs,
                        &s->solution,
                        &s->point_load,
                        &s->last_point_load})
          v->reinit(locally_owned_dofs, mpi_communicator);
        s->ghosted.reinit(locally_owned_dofs,
                          locally_relevant_dofs,
                          mpi_communicator);
        for (const auto &b : s->model.boundaries)
          if (boundary_weights.find(b.boundary) == boundary_weights.end())
            boundary_weights[b.boundary].reinit(locally_owned_dofs,
                                                mpi_communicator);
      }

    // What the per-step volume terms need, computed once per mesh.
    bool need_volume_terms = false, need_points = false;
    for (const auto &s : species)
      {
        need_volume_terms |= s->model.has_volume_quadrature_terms();
        need_points |= static_cast<bool>(s->model.volume_source);
      }
    quadrature_cache.reset();
    if (need_volume_terms)
      {
        const QGauss<dim> quadrature(fe.degree + 1);
        FEValues<dim>     fe_values(mapping_,
                                fe,
                                quadrature,
                                update_JxW_values |
                                  (need_points ? update_quadrature_points
                                                   : update_default));
        auto              cache = std::make_unique<CellQuadratureCache>();
        cache->dofs_per_cell    = fe.n_dofs_per_cell();
        cache->n_q_points       = quadrature.size();
        cache->shape_values.reinit(cache->dofs_per_cell, cache->n_q_points);
        for (unsigned int i = 0; i < cache->dofs_per_cell; ++i)
          for (unsigned int q = 0; q < cache->n_q_points; ++q)
            cache->shape_values(i, q) = fe.shape_value(i, quadrature.point(q));
        std::vector<types::global_dof_index> dofs(cache->dofs_per_cell);
        for (const auto &cell : dof_handler_.active_cell_iterators())
          if (cell->is_locally_owned())
            {
              fe_values.reinit(cell);
              cell->get_dof_indices(dofs);
              cache->dof_indices.insert(cache->dof_indices.end(),
                                        dofs.begin(),
                                        dofs.end());
              for (unsigned int q = 0; q < cache->n_q_points; ++q)
                {
                  cache->JxW.push_back(fe_values.JxW(q));
                  if (need_points)
                    cache->points.push_back(fe_values.quadrature_point(q));
                }
            }
        quadrature_cache = std::move(cache);
      }

    // The weights are needed from the start (statistics at t0); the system
    // matrices are formed from M and A when a step needs them.
    scope.stop();
    assemble_matrices();
  }

  template <int dim>
  void
  FieldSolver<dim>::assemble_matrices()
  {
    TimerOutput::Scope    scope(timer, "fields: assemble matrices");
    const QGauss<dim>     quadrature(fe.degree + 1);
    const QGauss<dim - 1> face_quadrature(fe.degree + 1);
    FEValues<dim>         fe_values(mapping_,
                            fe,
                            quadrature,
                            update_values | update_gradients |
                              update_JxW_values);
    FEFaceValues<dim>     fe_face_values(mapping_,
                                     fe,
                                     face_quadrature,
                                     update_values | update_JxW_values);
    const unsigned int    n = fe.n_dofs_per_cell();
    FullMatrix<double> cell_mass(n, n), cell_stiffness(n, n), cell_matrix(n, n);
    Vector<double>     cell_weights(n);
    std::map<types::boundary_id, FullMatrix<double>> face_mass;
    std::map<types::boundary_id, Vector<double>>     face_weights;
    std::vector<types::global_dof_index>             dofs(n);

    mass_matrix    = 0;
    volume_weights = 0;
    for (auto &[id, w] : boundary_weights)
      w = 0;
    for (auto &s : species)
      {
        s->operator_matrix.reinit(mass_matrix);
        s->operator_matrix = 0;
      }

    for (const auto &cell : dof_handler_.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          fe_values.reinit(cell);
          cell->get_dof_indices(dofs);
          cell_mass      = 0;
          cell_stiffness = 0;
          cell_weights   = 0;
          for (unsigned int q = 0; q < quadrature.size(); ++q)
            {
              const double JxW = fe_values.JxW(q);
              for (unsigned int i = 0; i < n; ++i)
                {
                  const double phi_i = fe_values.shape_value(i, q);
                  cell_weights(i) += phi_i * JxW;
                  for (unsigned int j = 0; j < n; ++j)
                    {
                      cell_mass(i, j) +=
                        phi_i * fe_values.shape_value(j, q) * JxW;
                      cell_stiffness(i, j) += fe_values.shape_grad(i, q) *
                                              fe_values.shape_grad(j, q) * JxW;
                    }
                }
            }

          for (auto &[id, m] : face_mass)
            m = 0;
          for (auto &[id, w] : face_weights)
            w = 0;
          for (const unsigned int f : cell->face_indices())
            if (cell->face(f)->at_boundary() &&
                boundary_weights.count(cell->face(f)->boundary_id()) > 0)
              {
                const types::boundary_id id = cell->face(f)->boundary_id();
                fe_face_values.reinit(cell, f);
                FullMatrix<double> &m = face_mass[id];
                Vector<double>     &w = face_weights[id];
                m.reinit(n, n, /*omit_zeroing*/ m.m() == n);
                w.reinit(n, /*omit_zeroing*/ w.size() == n);
                for (unsigned int q = 0; q < face_quadrature.size(); ++q)
                  {
                    const double JxW = fe_face_values.JxW(q);
                    for (unsigned int i = 0; i < n; ++i)
                      {
                        const double phi_i = fe_face_values.shape_value(i, q);
                        w(i) += phi_i * JxW;
                        for (unsigned int j = 0; j < n; ++j)
                          m(i, j) +=
                            phi_i * fe_face_values.shape_value(j, q) * JxW;
                      }
                  }
              }

          constraints.distribute_local_to_global(cell_mass, dofs, mass_matrix);
          constraints.distribute_local_to_global(cell_weights,
                                                 dofs,
                                                 volume_weights);
          for (const auto &[id, w] : face_weights)
            constraints.distribute_local_to_global(w,
                                                   dofs,
                                                   boundary_weights[id]);

          for (auto &s : species)
            {
              const auto &model = s->model;
              cell_matrix.equ(model.decay_rate + s->stabilisation,
                              cell_mass,
                              model.diffusion_coefficient,
                              cell_stiffness);
              for (const auto &b : model.boundaries)
                if (b.transfer_coefficient != 0)
                  {
                    const auto it = face_mass.find(b.boundary);
                    if (it != face_mass.end())
                      cell_matrix.add(b.transfer_coefficient, it->second);
                  }
              constraints.distribute_local_to_global(cell_matrix,
                                                     dofs,
                                                     s->operator_matrix);
            }
          // Faces of other cells must not see this cell's face terms.
          face_mass.clear();
          face_weights.clear();
        }

    mass_matrix.compress(VectorOperation::add);
    volume_weights.compress(VectorOperation::add);
    volume_measure = volume_weights.mean_value() * volume_weights.size();
    for (auto &[id, w] : boundary_weights)
      {
        w.compress(VectorOperation::add);
        boundary_measure[id] = w.mean_value() * w.size();
      }
    for (auto &s : species)
      s->operator_matrix.compress(VectorOperation::add);
  }

  namespace
  {
    // Moves the entry @p found to the back of @p cache (the latest used);
    // else adds @p make(), dropping the front (the least recently used)
    // beyond @p limit entries.
    template <typename Entry, typename Make>
    std::shared_ptr<Entry>
    use(std::vector<std::shared_ptr<Entry>> &cache,
        const double                         coefficient,
        const std::size_t                    limit,
        const Make                          &make)
    {
      // The coefficients come from whole numbers of the step unit by the
      // same arithmetic each time, so equal steps give equal doubles.
      const auto found =
        std::find_if(cache.begin(), cache.end(), [&](const auto &e) {
          return e->coefficient == coefficient;
        });
      std::shared_ptr<Entry> entry;
      if (found != cache.end())
        {
          entry = *found;
          cache.erase(found);
        }
      else
        {
          if (cache.size() >= limit)
            cache.erase(cache.begin());
          entry = make();
        }
      cache.push_back(entry);
      return entry;
    }
  } // namespace

  template <int dim>
  std::vector<std::shared_ptr<PETScWrappers::MPI::SparseMatrix>>
  FieldSolver<dim>::form_matrices(const double leading_coefficient) const
  {
    TimerOutput::Scope scope(timer, "fields: assemble matrices");
    std::vector<std::shared_ptr<PETScWrappers::MPI::SparseMatrix>> matrices;
    for (const auto &s : species)
      {
        auto m = std::make_shared<PETScWrappers::MPI::SparseMatrix>();
        m->reinit(s->operator_matrix);
        m->copy_from(s->operator_matrix);
        // One sparsity pattern for M and every A.
        AssertThrow(MatAXPY(*m,
                            leading_coefficient,
                            mass_matrix,
                            SAME_NONZERO_PATTERN) == 0,
                    ExcMessage("PETSc could not form a system matrix"));
        matrices.push_back(std::move(m));
      }
    return matrices;
  }

  template <int dim>
  const typename FieldSolver<dim>::SystemMatrices &
  FieldSolver<dim>::system_matrices(const double leading_coefficient,
                                    const double reference_coefficient)
  {
    // The entries share what they hold, so a dropped one leaves the others
    // intact.
    const auto preconditioners =
      use(preconditioner_cache,
          reference_coefficient,
          max_cached_systems,
          [&]() {
            auto p         = std::make_shared<Preconditioners>();
            p->coefficient = reference_coefficient;
            p->matrix      = form_matrices(reference_coefficient);
            build_preconditioners(*p);
            n_preconditioner_setups_ += species.size();
            return p;
          });
    return *use(systems, leading_coefficient, max_cached_systems, [&]() {
      auto system             = std::make_shared<SystemMatrices>();
      system->coefficient     = leading_coefficient;
      system->matrix          = leading_coefficient == reference_coefficient
                                  ? preconditioners->matrix
                                  : form_matrices(leading_coefficient);
      system->preconditioners = preconditioners;
      return system;
    });
  }

  template <int dim>
  void
  FieldSolver<dim>::build_preconditioners(Preconditioners &p) const
  {
    TimerOutput::Scope amg_scope(timer, "fields: preconditioner setup");
    // GAMG's V-cycle (Chebyshev-Jacobi smoothing on aggregated levels)
    // costs a fifth of a BoomerAMG one, whose Gauss-Seidel sweeps dominate;
    // it needs more iterations, and is still 2.9x faster on the 3D cell at
    // 5e4 DoFs per field. GMG needs a third of GAMG's iterations there and
    // none more on finer meshes (tests/benchmarks/README.md).
    if (preconditioner_in_use == FieldPreconditioner::gamg)
      {
        for (const auto &matrix : p.matrix)
          {
            auto gamg = std::make_unique<PreconditionGAMG>();
            gamg->initialize(*matrix);
            p.of.push_back(std::move(gamg));
          }
        return;
      }
    if (preconditioner_in_use == FieldPreconditioner::gmg)
      {
        for (const auto &matrix : p.matrix)
          {
            auto gmg = std::make_unique<PreconditionGMG>();
            gmg->initialize(*matrix, *level_interpolation);
            p.of.push_back(std::move(gmg));
          }
        return;
      }

    // deal.II leaves hypre's coarsening at Falgout/CLJP, whose coarse
    // operators fill in on these mass-dominated 3D matrices (operator
    // complexity 6.8 at 5e4 DoFs, growing with refinement, the Gauss-Seidel
    // sweeps on them dominating the solve). HMIS coarsening with extended+i
    // interpolation truncated to 4 entries per row is hypre's advice for 3D
    // and keeps the complexity near 2.5. Options a user sets in
    // PETSC_OPTIONS are left alone.
    for (const auto &[name, value] :
         {std::pair<const char *, const char *>{
            "-pc_hypre_boomeramg_coarsen_type",
            "HMIS"},
          {"-pc_hypre_boomeramg_interp_type", "ext+i"},
          {"-pc_hypre_boomeramg_P_max", "4"}})
      {
        PetscBool set = PETSC_FALSE;
        PetscOptionsHasName(nullptr, nullptr, name, &set);
        if (!set)
          PetscOptionsSetValue(nullptr, name, value);
      }
    for (const auto &matrix : p.matrix)
      {
        PETScWrappers::PreconditionBoomerAMG::AdditionalData data;
        data.symmetric_operator = true;
        // hypre's advice: 0.25 for 2D problems, 0.5 for 3D.
        data.strong_threshold = (dim == 3 ? 0.5 : 0.25);
        auto boomeramg =
          std::make_unique<PETScWrappers::PreconditionBoomerAMG>();
        boomeramg->initialize(*matrix, data);
        p.of.push_back(std::move(boomeramg));
      }
  }

  template <int dim>
  void
  FieldSolver<dim>::initialize(const double t0)
  {
    for (auto &s : species)
      {
        s->model.initial_value->set_time(t0);
        VectorTools::interpolate(mapping_,
                                 dof_handler_,
                                 *s->model.initial_value,
                                 s->current);
        constraints.distribute(s->current);
        // Rounding at curved boundary points may give -1e-17 for a
        // profile that is zero on the membrane: that is not negative.
        PetscReal lowest = 0, highest = 0;
        if (!s->model.initial_value_entry.empty())
          AssertThrow(VecMin(s->current, nullptr, &lowest) == 0 &&
                        VecMax(s->current, nullptr, &highest) == 0,
                      ExcMessage("VecMin/VecMax failed"));
        if (!std::isfinite(lowest) || !std::isfinite(highest))
          throw InputError(s->model.initial_value_entry +
                           ": is not finite at a node of the mesh; give an "
                           "expression that is finite everywhere in the cell");
        if (lowest < -1e-12 * std::max(1., highest))
          throw InputError(s->model.initial_value_entry +
                           ": is negative in the cell (down to " +
                           to_text(lowest) + " " + s->model.unit +
                           " at a node of the mesh); give a concentration "
                           ">= 0 everywhere");
        s->previous        = s->current;
        s->before_previous = s->current;
        s->ghosted         = s->current;
        for (auto *v : {&s->response,
                        &s->response_previous,
                        &s->response_before,
                        &s->response_new})
          *v = 0;
        s->responding = false;
        std::fill(s->boundary_amount.begin(), s->boundary_amount.end(), 0.);
        std::fill(s->last_boundary_increment.begin(),
                  s->last_boundary_increment.end(),
                  0.);
        s->reaction_amount = s->last_reaction_increment = 0;
        s->point_amount = s->last_point_increment = 0;
        s->point_load                             = 0;
        s->last_point_load                        = 0;
        s->last_point_total                       = 0;
      }
    start_time     = t0;
    step           = 0;
    elapsed        = 0;
    last_ticks     = 1;
    ticks_before   = 1;
    n_earlier      = 0;
    error_estimate = -1;
  }

  template <int dim>
  void
  FieldSolver<dim>::initialize(const double                        t0,
                               const std::vector<Function<dim> *> &previous)
  {
    AssertThrow(previous.size() == species.size(),
                ExcMessage("one previous state per species is needed"));
    initialize(t0);
    for (unsigned int k = 0; k < species.size(); ++k)
      {
        previous[k]->set_time(t0 - settings.time_step);
        VectorTools::interpolate(mapping_,
                                 dof_handler_,
                                 *previous[k],
                                 species[k]->previous);
        constraints.distribute(species[k]->previous);
      }
    n_earlier = 1;
  }

  template <int dim>
  double
  FieldSolver<dim>::boundary_flux_integral(
    const physics::BoundaryExchange<dim> &b,
    const double                          t_new,
    PETScWrappers::MPI::Vector           &rhs) const
  {
    if (!b.inward_flux)
      return 0;
    b.inward_flux->set_time(t_new);
    const QGauss<dim - 1>                face_quadrature(fe.degree + 1);
    FEFaceValues<dim>                    fe_face_values(mapping_,
                                     fe,
                                     face_quadrature,
                                     update_values | update_JxW_values |
                                       update_quadrature_points);
    const unsigned int                   n = fe.n_dofs_per_cell();
    Vector<double>                       cell_rhs(n);
    std::vector<types::global_dof_index> dofs(n);
    double                               integral = 0;
    for (const auto &cell : dof_handler_.active_cell_iterators())
      if (cell->is_locally_owned() && cell->at_boundary())
        {
          cell_rhs = 0;
          bool any = false;
          for (const unsigned int f : cell->face_indices())
            if (cell->face(f)->at_boundary() &&
                cell->face(f)->boundary_id() == b.boundary)
              {
                any = true;
                fe_face_values.reinit(cell, f);
                for (unsigned int q = 0; q < face_quadrature.size(); ++q)
                  {
                    const double j_JxW =
                      b.inward_flux->value(fe_face_values.quadrature_point(q)) *
                      fe_face_values.JxW(q);
                    integral += j_JxW;
                    for (unsigned int i = 0; i < n; ++i)
                      cell_rhs(i) += fe_face_values.shape_value(i, q) * j_JxW;
                  }
              }
          if (any)
            {
              cell->get_dof_indices(dofs);
              constraints.distribute_local_to_global(cell_rhs, dofs, rhs);
            }
        }
    return integral;
  }

  template <int dim>
  void
  FieldSolver<dim>::assemble_right_hand_side(
    Species                          &s,
    const PETScWrappers::MPI::Vector &extrapolated,
    const PETScWrappers::MPI::Vector &history,
    const double                      dt,
    const double                      t_new,
    double                           &volume_integral)
  {
    TimerOutput::Scope scope(timer, "fields: assemble right-hand side");
    const auto        &model = s.model;
    auto              &rhs   = s.rhs;
    rhs                      = 0;
    volume_integral          = 0;

    // Volume terms that need quadrature: the sink at the extrapolated state
    // and a prescribed source, from the cached weights and shape values.
    if (model.has_volume_quadrature_terms())
      {
        const CellQuadratureCache &c = *quadrature_cache;
        s.ghosted                    = extrapolated;
        if (model.volume_source)
          model.volume_source->set_time(t_new);
        Vector<double>                       cell_rhs(c.dofs_per_cell);
        std::vector<types::global_dof_index> dofs(c.dofs_per_cell);
        std::vector<double>                  u_local(c.dofs_per_cell);
        const std::size_t n_cells = c.dof_indices.size() / c.dofs_per_cell;
        for (std::size_t k = 0; k < n_cells; ++k)
          {
            for (unsigned int i = 0; i < c.dofs_per_cell; ++i)
              {
                dofs[i]    = c.dof_indices[k * c.dofs_per_cell + i];
                u_local[i] = s.ghosted(dofs[i]);
              }
            cell_rhs = 0;
            for (unsigned int q = 0; q < c.n_q_points; ++q)
              {
                double u_q = 0;
                for (unsigned int i = 0; i < c.dofs_per_cell; ++i)
                  u_q += c.shape_values(i, q) * u_local[i];
                double value = 0;
                if (model.sink.rate)
                  value -= model.sink.rate(u_q);
                if (model.volume_source)
                  value +=
                    model.volume_source->value(c.points[k * c.n_q_points + q]);
                const double value_JxW = value * c.JxW[k * c.n_q_points + q];
                volume_integral += value_JxW;
                for (unsigned int i = 0; i < c.dofs_per_cell; ++i)
                  cell_rhs(i) += c.shape_values(i, q) * value_JxW;
              }
            constraints.distribute_local_to_global(cell_rhs, dofs, rhs);
          }
      }

    for (unsigned int k = 0; k < model.boundaries.size(); ++k)
      if (!model.boundaries[k].flux_uniform_in_space)
        s.flux_integral[k] =
          boundary_flux_integral(model.boundaries[k], t_new, rhs);
    rhs.compress(VectorOperation::add);

    add_mass_terms(s, extrapolated, history, dt);

    if (model.constant_source != 0)
      rhs.add(model.constant_source, volume_weights);

    for (unsigned int k = 0; k < model.boundaries.size(); ++k)
      {
        const auto &b = model.boundaries[k];
        if (b.flux_uniform_in_space && b.inward_flux)
          {
            // A flux of t only: its load vector is the boundary weights.
            b.inward_flux->set_time(t_new);
            const double j = b.inward_flux->value(Point<dim>());
            if (j != 0)
              rhs.add(j, boundary_weights.at(b.boundary));
            s.flux_integral[k] = j * boundary_measure.at(b.boundary);
          }
        if (b.transfer_coefficient != 0)
          rhs.add(b.transfer_coefficient * b.exterior_value,
                  boundary_weights.at(b.boundary));
      }
  }

  template <int dim>
  typename FieldSolver<dim>::StepCoefficients
  FieldSolver<dim>::coefficients(const unsigned int n_ticks) const
  {
    StepCoefficients c;
    c.dt    = n_ticks * settings.time_step;
    c.bdf2  = settings.scheme == TimeScheme::bdf2 && n_earlier > 0;
    c.omega = double(n_ticks) / double(last_ticks);
    if (c.bdf2)
      {
        c.alpha0 = (1. + 2. * c.omega) / (1. + c.omega);
        c.lag    = c.omega * c.omega / (1. + c.omega);
      }
    else
      {
        c.alpha0 = 1.;
        c.lag    = 0.;
      }
    return c;
  }

  template <int dim>
  void
  FieldSolver<dim>::solve(Species                &s,
                          const StepCoefficients &c,
                          const SystemMatrices   &system,
                          const unsigned int      index,
                          const double            t_new)
  {
    const bool   bdf2    = c.bdf2;
    const double dt      = c.dt;
    auto        &u_star  = s.extrapolated;
    auto        &history = s.history;
    extrapolate(c, s.current, s.previous, u_star, history);

    double volume_integral = 0;
    assemble_right_hand_side(s, u_star, history, dt, t_new, volume_integral);

    // Point sources (see the top of the file); their amount is exact.
    s.point_load.compress(VectorOperation::add);
    const double point_total = s.point_load.mean_value() * s.point_load.size();
    const double point_rate =
      bdf2 ? (c.alpha0 * point_total - c.lag * s.last_point_total) / dt
           : point_total / dt;
    add_point_loads(s, c);

    TimerOutput::Scope scope(timer, "fields: solve");
    // CG starts from the linear extrapolation of the last two steps, also
    // for BDF1 (whose u* is u^n): 12 % fewer iterations on the heat step.
    s.solution = u_star;
    if (!bdf2 && n_earlier > 0)
      s.solution.sadd(1. + c.omega, -c.omega, s.previous);
    s.iterations = solve_linear_system(system,
                                       index,
                                       s.solution,
                                       s.rhs,
                                       settings.tolerance,
                                       "species '" + s.model.name + "'",
                                       t_new);
    constraints.distribute(s.solution);
    scope.stop();
    if (settings.estimate_error)
      solve_point_response(s, c, system, index, t_new);

    // What each process contributed in this step (see the top of the file).
    const auto  &model    = s.model;
    const double integral = volume_weights * s.solution;
    if (!std::isfinite(integral))
      throw SimulationError(
        "species '" + model.name + "': the solution is not finite at step " +
        std::to_string(step + 1) + ", t = " + to_text(t_new) + " s");
    std::vector<double> local_sums(model.boundaries.size() + 1, 0.);
    local_sums.back() = volume_integral;
    for (unsigned int k = 0; k < model.boundaries.size(); ++k)
      if (!model.boundaries[k].flux_uniform_in_space)
        local_sums[k] = s.flux_integral[k];
    Utilities::MPI::sum(local_sums, mpi_communicator, local_sums);

    double reaction = local_sums.back() +
                      model.constant_source * volume_measure -
                      model.decay_rate * integral;
    if (s.stabilisation != 0)
      reaction += s.stabilisation * (volume_weights * u_star - integral);

    // (dt F + lag a)/alpha0 as 1/alpha0 dt F + lag/alpha0 a: at equal
    // steps 2/3 dt F + 1/3 a, rounded as always.
    const double inverse_alpha0 = 1. / c.alpha0;
    const double lag_fraction   = c.lag / c.alpha0;
    const auto   filtered       = [&](const double rate, double &last) {
      const double a =
        bdf2 ? inverse_alpha0 * dt * rate + lag_fraction * last : dt * rate;
      last = a;
      return a;
    };
    s.reaction_amount += filtered(reaction, s.last_reaction_increment);
    s.point_amount += filtered(point_rate, s.last_point_increment);
    s.last_point_load.swap(s.point_load);
    s.last_point_total = point_total;
    s.point_load       = 0;
    for (unsigned int k = 0; k < model.boundaries.size(); ++k)
      {
        const auto &b = model.boundaries[k];
        double      flux =
          b.flux_uniform_in_space ? s.flux_integral[k] : local_sums[k];
        if (b.transfer_coefficient != 0)
          flux -= b.transfer_coefficient *
                  (boundary_weights.at(b.boundary) * s.solution -
                   b.exterior_value * boundary_measure.at(b.boundary));
        s.boundary_amount[k] += filtered(flux, s.last_boundary_increment[k]);
      }

    s.error = settings.estimate_error && bdf2 && n_earlier > 1
                ? estimate_error(s, c)
                : -1.;
    // u^{n-2} <- u^{n-1} <- u^n <- u^{n+1}; swap() only exchanges handles.
    s.before_previous.swap(s.previous);
    if (s.responding)
      {
        s.response_before.swap(s.response_previous);
        s.response_previous.swap(s.response);
        s.response.swap(s.response_new);
      }
    s.previous = s.current;
    s.current  = s.solution;
    s.ghosted  = s.current;
  }

  template <int dim>
  void
  FieldSolver<dim>::extrapolate(const StepCoefficients           &c,
                                const PETScWrappers::MPI::Vector &now,
                                const PETScWrappers::MPI::Vector &before,
                                PETScWrappers::MPI::Vector       &extrapolated,
                                PETScWrappers::MPI::Vector       &history) const
  {
    // u* = (1 + omega) u^n - omega u^{n-1}, H = (1 + omega) u^n - lag
    // u^{n-1}; both u^n for BDF1 (see the top of the file).
    extrapolated = now;
    history      = now;
    if (c.bdf2)
      {
        extrapolated.sadd(1. + c.omega, -c.omega, before);
        history.sadd(1. + c.omega, -c.lag, before);
      }
  }

  template <int dim>
  void
  FieldSolver<dim>::add_mass_terms(
    Species                          &s,
    const PETScWrappers::MPI::Vector &extrapolated,
    const PETScWrappers::MPI::Vector &history,
    const double                      dt) const
  {
    // The history over dt plus the stabilisation at u*.
    s.work = history;
    s.work *= 1. / dt;
    if (s.stabilisation != 0)
      s.work.add(s.stabilisation, extrapolated);
    mass_matrix.vmult_add(s.rhs, s.work);
  }

  template <int dim>
  void
  FieldSolver<dim>::add_point_loads(Species &s, const StepCoefficients &c) const
  {
    // (alpha0 P^{n+1} - lag P^n)/dt, or P^{n+1}/dt for BDF1 (see the top
    // of the file).
    if (c.bdf2)
      {
        s.rhs.add(c.alpha0 / c.dt, s.point_load);
        s.rhs.add(-c.lag / c.dt, s.last_point_load);
      }
    else
      s.rhs.add(1. / c.dt, s.point_load);
  }

  template <int dim>
  unsigned int
  FieldSolver<dim>::solve_linear_system(const SystemMatrices       &system,
                                        const unsigned int          index,
                                        PETScWrappers::MPI::Vector &x,
                                        const PETScWrappers::MPI::Vector &b,
                                        const double       relative_tolerance,
                                        const std::string &what,
                                        const double       t_new) const
  {
    const double b_norm = b.l2_norm();
    if (!std::isfinite(b_norm))
      throw SimulationError(
        what + ": the right-hand side is not finite at step " +
        std::to_string(step + 1) + ", t = " + to_text(t_new) +
        " s (check its fluxes and sources)");
    SolverControl control(settings.max_iterations,
                          relative_tolerance * b_norm,
                          false,
                          false);
    try
      {
        SolverCG<PETScWrappers::MPI::Vector> cg(control);
        cg.solve(*system.matrix[index],
                 x,
                 b,
                 *system.preconditioners->of[index]);
      }
    catch (const SolverControl::NoConvergence &e)
      {
        throw SimulationError(
          what + ": the linear solver did not converge at step " +
          std::to_string(step + 1) + ", t = " + to_text(t_new) +
          " s (residual " + to_text(e.last_residual) + " after " +
          std::to_string(e.last_step) + " CG iterations, target " +
          to_text(control.tolerance()) +
          "); raise Fields/Maximum linear iterations or check the input");
      }
    return control.last_step();
  }

  template <int dim>
  void
  FieldSolver<dim>::solve_point_response(Species                &s,
                                         const StepCoefficients &c,
                                         const SystemMatrices   &system,
                                         const unsigned int      index,
                                         const double            t_new)
  {
    // P^{n+1} and P^n, as the field's step saw them (compressed).
    if (!s.responding && s.point_load.linfty_norm() == 0 &&
        s.last_point_load.linfty_norm() == 0)
      return;
    s.responding = true;
    // The field's step on v: its history, the stabilisation at v* (so
    // that the pump's linearisation cancels) and the point loads. The
    // field's history vector is free again; v's history goes where v^{n+1}
    // will be.
    auto &v_star    = s.history;
    auto &v_history = s.response_new;
    extrapolate(c, s.response, s.response_previous, v_star, v_history);
    s.rhs = 0;
    add_mass_terms(s, v_star, v_history, c.dt);
    add_point_loads(s, c);

    TimerOutput::Scope scope(timer, "fields: error estimate");
    s.response_new = v_star;
    // The estimate (aimed at 1e-4 or so of the field) needs a few digits
    // of v, not the field's ten.
    solve_linear_system(system,
                        index,
                        s.response_new,
                        s.rhs,
                        std::max(settings.tolerance, 1e-4),
                        "species '" + s.model.name +
                          "' (its response to the MVBs' point sources)",
                        t_new);
    constraints.distribute(s.response_new);
  }

  template <int dim>
  double
  FieldSolver<dim>::estimate_error(Species &s, const StepCoefficients &c) const
  {
    // Step lengths in units of time_step (see the top of the file).
    const double dt0 = c.omega * last_ticks, dt1 = last_ticks,
                 dt2 = ticks_before;
    const double l0  = (dt0 + dt1) * (dt0 + dt1 + dt2) / (dt1 * (dt1 + dt2));
    const double l1  = -dt0 * (dt0 + dt1 + dt2) / (dt1 * dt2);
    const double l2  = dt0 * (dt0 + dt1) / ((dt1 + dt2) * dt2);
    const double bdf_part = dt0 / c.alpha0;
    const double share    = bdf_part / (bdf_part + dt0 + dt1 + dt2);
    // Before the shift: solution = u^{n+1}, current = u^n, previous =
    // u^{n-1}, before_previous = u^{n-2}; the same for the response v to
    // the point loads, which is left out.
    s.work = s.solution;
    s.work.add(-l0, s.current, -l1, s.previous);
    s.work.add(-l2, s.before_previous);
    if (s.responding)
      {
        s.work.add(-1., s.response_new, l0, s.response);
        s.work.add(l1, s.response_previous, l2, s.response_before);
      }
    const double size  = s.solution.l2_norm();
    const double error = share * s.work.l2_norm();
    // A field that is zero everywhere has no relative error to speak of.
    return size > 0 ? error / size : (error > 0 ? 1. : 0.);
  }

  template <int dim>
  void
  FieldSolver<dim>::advance(const unsigned int n_ticks)
  {
    AssertThrow(n_ticks > 0, ExcMessage("a step takes at least one unit"));
    const StepCoefficients c = coefficients(n_ticks);
    // Multigrid is built at omega = 1 (or for BDF1) and serves the other
    // ratios of the step: their matrices differ by at most a quarter of
    // the mass term, and the hierarchy depends on the step alone, so that
    // a restart rebuilds the same one.
    const SystemMatrices &system =
      system_matrices(c.alpha0 / c.dt, (c.bdf2 ? 1.5 : 1.) / c.dt);

    const double t_new = start_time + (elapsed + n_ticks) * settings.time_step;
    error_estimate     = -1;
    for (unsigned int k = 0; k < species.size(); ++k)
      {
        solve(*species[k], c, system, k, t_new);
        error_estimate = std::max(error_estimate, species[k]->error);
      }
    ++step;
    elapsed += n_ticks;
    ticks_before = last_ticks;
    last_ticks   = n_ticks;
    n_earlier    = std::min(n_earlier + 1, 2u);
  }

  template <int dim>
  double
  FieldSolver<dim>::time() const
  {
    return start_time + elapsed * settings.time_step;
  }

  template <int dim>
  std::uint64_t
  FieldSolver<dim>::ticks() const
  {
    return elapsed;
  }

  template <int dim>
  unsigned int
  FieldSolver<dim>::last_step_ticks() const
  {
    return last_ticks;
  }

  template <int dim>
  double
  FieldSolver<dim>::last_error_estimate() const
  {
    return error_estimate;
  }

  template <int dim>
  unsigned int
  FieldSolver<dim>::step_number() const
  {
    return step;
  }

  template <int dim>
  unsigned int
  FieldSolver<dim>::n_species() const
  {
    return species.size();
  }

  template <int dim>
  const physics::SpeciesModel<dim> &
  FieldSolver<dim>::model(const unsigned int k) const
  {
    return species.at(k)->model;
  }

  template <int dim>
  const PETScWrappers::MPI::Vector &
  FieldSolver<dim>::solution(const unsigned int k) const
  {
    return species.at(k)->ghosted;
  }

  template <int dim>
  const DoFHandler<dim> &
  FieldSolver<dim>::dof_handler() const
  {
    return dof_handler_;
  }

  template <int dim>
  const Mapping<dim> &
  FieldSolver<dim>::mapping() const
  {
    return mapping_;
  }

  template <int dim>
  SpeciesBalance
  FieldSolver<dim>::balance(const unsigned int k) const
  {
    const Species &s = *species.at(k);
    SpeciesBalance b;
    b.integral = volume_weights * s.current;
    // deal.II 9.4 deprecates VectorBase::min()/max() (complex scalars);
    // PETSc's own reductions are what they called.
    PetscReal minimum = 0, maximum = 0;
    AssertThrow(VecMin(s.current, nullptr, &minimum) == 0 &&
                  VecMax(s.current, nullptr, &maximum) == 0,
                ExcMessage("PETSc could not reduce a field"));
    b.minimum         = minimum;
    b.maximum         = maximum;
    b.boundary_amount = s.boundary_amount;
    b.reaction_amount = s.reaction_amount;
    b.point_amount    = s.point_amount;
    return b;
  }

  template <int dim>
  void
  FieldSolver<dim>::add_point_amounts(
    const unsigned int                          k,
    const std::vector<types::global_dof_index> &dofs,
    const Vector<double>                       &amounts)
  {
    constraints.distribute_local_to_global(amounts,
                                           dofs,
                                           species.at(k)->point_load);
  }

  template <int dim>
  std::vector<PETScWrappers::MPI::Vector>
  FieldSolver<dim>::ghosted_state() const
  {
    // A cell's values need the ghosts of its neighbours' DoFs.
    std::vector<PETScWrappers::MPI::Vector> state;
    for (const auto &s : species)
      for (const auto *v : state_vectors(*s))
        {
          state.emplace_back(locally_owned_dofs,
                             locally_relevant_dofs,
                             mpi_communicator);
          state.back() = *v;
        }
    return state;
  }

  template <int dim>
  void
  FieldSolver<dim>::prepare_repartition()
  {
    state_in_transfer = ghosted_state();
    std::vector<const PETScWrappers::MPI::Vector *> in;
    for (const auto &v : state_in_transfer)
      in.push_back(&v);
    transfer = std::make_unique<
      parallel::distributed::SolutionTransfer<dim, PETScWrappers::MPI::Vector>>(
      dof_handler_);
    transfer->prepare_for_coarsening_and_refinement(in);
  }

  template <int dim>
  void
  FieldSolver<dim>::finish_repartition()
  {
    Assert(transfer, ExcMessage("prepare_repartition() was not called"));
    setup();
    std::vector<PETScWrappers::MPI::Vector *> out;
    for (auto &s : species)
      for (auto *v : state_vectors(*s))
        out.push_back(v);
    transfer->interpolate(out);
    transfer.reset();
    state_in_transfer.clear();
    for (auto &s : species)
      {
        s->ghosted    = s->current;
        s->point_load = 0;
      }
  }

  template <int dim>
  void
  FieldSolver<dim>::save(CheckpointWriter &global,
                         CheckpointWriter &local) const
  {
    global.put(start_time);
    global.put(std::uint32_t(step));
    global.put(settings.time_step);
    global.put(std::uint64_t(elapsed));
    global.put(std::uint32_t(last_ticks));
    global.put(std::uint32_t(ticks_before));
    global.put(std::uint8_t(n_earlier));
    global.put(error_estimate);
    global.put(std::uint8_t(settings.estimate_error));
    global.put(std::uint32_t(species.size()));
    for (const auto &s : species)
      {
        global.put(s->model.name);
        global.put(std::uint8_t(s->responding));
        std::vector<double> scalars = {s->last_point_total,
                                       s->point_amount,
                                       s->last_point_increment,
                                       s->reaction_amount,
                                       s->last_reaction_increment,
                                       double(s->iterations)};
        scalars.insert(scalars.end(),
                       s->boundary_amount.begin(),
                       s->boundary_amount.end());
        scalars.insert(scalars.end(),
                       s->last_boundary_increment.begin(),
                       s->last_boundary_increment.end());
        global.put(scalars);
      }
    global.put(std::uint64_t(triangulation.n_global_active_cells()));

    const auto states = ghosted_state();
    local.put(std::uint32_t(fe.n_dofs_per_cell()));
    local.put(std::uint64_t(triangulation.n_locally_owned_active_cells()));
    Vector<double>      cell_values(fe.n_dofs_per_cell());
    std::vector<double> values;
    for (const auto &cell : dof_handler_.active_cell_iterators())
      if (cell->is_locally_owned())
        {
          local.put(cell->id().template to_binary<dim>());
          values.clear();
          for (const auto &v : states)
            {
              cell->get_dof_values(v, cell_values);
              values.insert(values.end(),
                            cell_values.begin(),
                            cell_values.end());
            }
          local.put(values);
        }
  }

  template <int dim>
  void
  FieldSolver<dim>::load(CheckpointReader              &global,
                         std::vector<CheckpointReader> &blocks)
  {
    start_time = global.get<double>();
    step       = global.get<std::uint32_t>();
    if (global.get<double>() != settings.time_step)
      global.corrupt("its time steps have another unit (Time stepping/Time "
                     "step, or Minimum time step when adaptive)");
    elapsed        = global.get<std::uint64_t>();
    last_ticks     = global.get<std::uint32_t>();
    ticks_before   = global.get<std::uint32_t>();
    n_earlier      = global.get<std::uint8_t>();
    error_estimate = global.get<double>();
    if ((global.get<std::uint8_t>() != 0) != settings.estimate_error)
      global.corrupt("its run had Time stepping/Step control the other way");
    if (global.get<std::uint32_t>() != species.size())
      global.corrupt("it has another number of species");
    for (auto &s : species)
      {
        if (global.get_string() != s->model.name)
          global.corrupt("it has other species");
        s->responding              = global.get<std::uint8_t>() != 0;
        const auto         scalars = global.get_vector<double>();
        const unsigned int n_b     = s->boundary_amount.size();
        if (scalars.size() != 6 + 2 * n_b)
          global.corrupt("species " + s->model.name + " has other boundaries");
        s->last_point_total        = scalars[0];
        s->point_amount            = scalars[1];
        s->last_point_increment    = scalars[2];
        s->reaction_amount         = scalars[3];
        s->last_reaction_increment = scalars[4];
        s->iterations              = static_cast<unsigned int>(scalars[5]);
        std::copy(scalars.begin() + 6,
                  scalars.begin() + 6 + n_b,
                  s->boundary_amount.begin());
        std::copy(scalars.begin() + 6 + n_b,
                  scalars.end(),
                  s->last_boundary_increment.begin());
      }

    const auto n_cells = global.get<std::uint64_t>();
    if (n_cells != triangulation.n_global_active_cells())
      global.corrupt("its mesh has " + std::to_string(n_cells) +
                     " cells and this scenario's " +
                     std::to_string(triangulation.n_global_active_cells()));

    const auto owned =
      locally_owned_cells_by_id(dof_handler_.active_cell_iterators());
    std::vector<PETScWrappers::MPI::Vector *> states;
    for (auto &s : species)
      for (auto *v : state_vectors(*s))
        states.push_back(v);
    const unsigned int                   n_dofs = fe.n_dofs_per_cell();
    std::vector<types::global_dof_index> dofs(n_dofs);
    std::uint64_t                        n_found = 0;
    for (auto &block : blocks)
      {
        if (block.get<std::uint32_t>() != n_dofs)
          block.corrupt("its fields have another element degree");
        const auto n = block.get<std::uint64_t>();
        for (std::uint64_t c = 0; c < n; ++c)
          {
            const auto id     = block.get<CellId::binary_type>();
            const auto values = block.get_vector<double>();
            if (values.size() != states.size() * n_dofs)
              block.corrupt("a cell has the wrong number of values");
            const auto it = owned.find(id);
            if (it == owned.end())
              continue;
            ++n_found;
            it->second->get_dof_indices(dofs);
            for (unsigned int v = 0; v < states.size(); ++v)
              for (unsigned int i = 0; i < n_dofs; ++i)
                if (locally_owned_dofs.is_element(dofs[i]))
                  (*states[v])(dofs[i]) = values[v * n_dofs + i];
          }
      }
    // Decided together: a rank that threw alone would leave the others
    // waiting in compress().
    if (Utilities::MPI::sum(n_found, mpi_communicator) != n_cells)
      global.corrupt("its cells are not this scenario's mesh");
    for (auto &s : species)
      {
        for (auto *v : state_vectors(*s))
          v->compress(VectorOperation::insert);
        s->ghosted    = s->current;
        s->point_load = 0;
      }
  }

  template <int dim>
  double
  FieldSolver<dim>::l2_norm(const unsigned int k) const
  {
    // u^T M u with the consistent mass matrix: the exact integral of u^2.
    return std::sqrt(
      std::max(0., mass_matrix.matrix_norm_square(species.at(k)->current)));
  }

  template <int dim>
  unsigned int
  FieldSolver<dim>::last_iterations(const unsigned int k) const
  {
    return species.at(k)->iterations;
  }

  template <int dim>
  FieldPreconditioner
  FieldSolver<dim>::preconditioner() const
  {
    return preconditioner_in_use;
  }

  template <int dim>
  unsigned int
  FieldSolver<dim>::n_preconditioner_setups() const
  {
    return n_preconditioner_setups_;
  }

  template class FieldSolver<2>;
  template class FieldSolver<3>;
} // namespace mvb
