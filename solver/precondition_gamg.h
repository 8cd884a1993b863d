#pragma once

#include <deal.II/lac/petsc_matrix_base.h>
#include <deal.II/lac/petsc_precondition.h>

namespace mvb
{
  using namespace dealii;

  /**
   * PETSc's smoothed-aggregation algebraic multigrid (PCGAMG) as a deal.II
   * preconditioner; deal.II 9.4 wraps hypre's BoomerAMG but not GAMG. The
   * PETSc options database is read after the type is set, so a user can tune
   * it with PETSC_OPTIONS (e.g. "-pc_gamg_threshold 0.05") or even choose
   * another type ("-pc_type bjacobi").
   */
  class PreconditionGAMG : public PETScWrappers::PreconditionBase
  {
  public:
    /** Builds the hierarchy of @p matrix; again after each change of it. */
    void
    initialize(const PETScWrappers::MatrixBase &matrix);
  };
} // namespace mvb
