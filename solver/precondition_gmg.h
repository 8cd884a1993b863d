#pragma once

#include <deal.II/dofs/dof_handler.h>
#include <deal.II/lac/petsc_matrix_base.h>
#include <deal.II/lac/petsc_precondition.h>
#include <deal.II/lac/petsc_sparse_matrix.h>

#include <memory>
#include <vector>

namespace mvb
{
  using namespace dealii;

  /** Whether every active cell of @p triangulation lies on its finest
   * level. Collective. */
  template <int dim>
  bool
  uniformly_refined(const Triangulation<dim> &triangulation);

  /**
   * The interpolations between the levels of a uniformly refined mesh, for
   * geometric multigrid: matrix l (1 <= l < n_levels()) takes a field on
   * level l - 1 to level l, in the level numbering of the DoFs, except the
   * last, which lands in the active numbering (the finest level's cells are
   * the active cells, numbered differently), so that the multigrid works on
   * the solver's own vectors and matrices.
   */
  class LevelInterpolation
  {
  public:
    /**
     * Builds the matrices from the finite element's embedding matrices.
     * The triangulation must have been made with its multigrid hierarchy
     * (construct_multigrid_hierarchy), be refined uniformly, and its level
     * DoFs be distributed (distribute_mg_dofs()). Collective.
     */
    template <int dim>
    void
    build(const DoFHandler<dim> &dof_handler);

    /** The levels, the coarse mesh's included. */
    unsigned int
    n_levels() const;

    /** From level - 1 to level. */
    const PETScWrappers::MPI::SparseMatrix &
    into(unsigned int level) const;

    /** Level DoFs of the coarse mesh, over all ranks. */
    types::global_dof_index
    n_coarse_dofs() const;

  private:
    std::vector<std::unique_ptr<PETScWrappers::MPI::SparseMatrix>> matrices;
    types::global_dof_index coarse_dofs = 0;
  };

  /**
   * Geometric multigrid (PETSc's PCMG) as a deal.II preconditioner: one
   * V-cycle on the levels of a LevelInterpolation, with Galerkin coarse
   * operators (P^T A P, so no level is assembled and every coarse operator
   * is exactly the fine one restricted), two Chebyshev steps with a symmetric
   * Gauss-Seidel sweep before and after on each level, and a direct solve on
   * the coarse mesh (GAMG when that holds more than max_direct_coarse_dofs).
   * The cycle is linear and symmetric, as CG needs. PCMG's options in
   * PETSC_OPTIONS reach it (e.g. "-mg_levels_ksp_max_it 3"); GAMG, built
   * on PCMG, reads the same ones.
   */
  class PreconditionGMG : public PETScWrappers::PreconditionBase
  {
  public:
    /** Level-0 DoFs (over all ranks) beyond which the coarse mesh is
     * solved with one GAMG cycle instead of LU (on every rank, PCREDUNDANT,
     * when there are several). */
    static constexpr types::global_dof_index max_direct_coarse_dofs = 20000;

    /** Builds the hierarchy of @p matrix; again after each change of it.
     * PETSc keeps references to the interpolation matrices, so
     * @p interpolation may be rebuilt or dropped afterwards. */
    void
    initialize(const PETScWrappers::MatrixBase &matrix,
               const LevelInterpolation        &interpolation);
  };
} // namespace mvb
