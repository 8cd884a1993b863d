#include <solver/precondition_gamg.h>

#include <deal.II/base/exceptions.h>

#include <petscpc.h>

namespace mvb
{
  void
  PreconditionGAMG::initialize(const PETScWrappers::MatrixBase &m)
  {
    clear();
    matrix = static_cast<Mat>(m);
    create_pc();
    AssertThrow(PCSetType(pc, PCGAMG) == 0 && PCSetFromOptions(pc) == 0,
                ExcMessage("PETSc could not create its GAMG preconditioner"));
    AssertThrow(PCSetUp(pc) == 0,
                ExcMessage("PETSc could not set up its GAMG preconditioner"));
  }
} // namespace mvb
