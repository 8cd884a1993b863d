#include <solver/precondition_gmg.h>

#include <deal.II/base/exceptions.h>
#include <deal.II/base/index_set.h>
#include <deal.II/base/mpi.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/sparsity_tools.h>

#include <petscksp.h>
#include <petscpc.h>

namespace mvb
{
  namespace
  {
    void
    check(const PetscErrorCode code, const char *what)
    {
      AssertThrow(code == 0,
                  ExcMessage(std::string("PETSc could not ") + what +
                             " for the geometric multigrid (error code " +
                             std::to_string(code) + ")"));
    }
  } // namespace

  template <int dim>
  bool
  uniformly_refined(const Triangulation<dim> &triangulation)
  {
    const unsigned int finest  = triangulation.n_global_levels() - 1;
    bool               uniform = true;
    for (const auto &cell : triangulation.active_cell_iterators())
      if (cell->is_locally_owned())
        uniform &= (static_cast<unsigned int>(cell->level()) == finest);
    return Utilities::MPI::min(uniform ? 1 : 0,
                               triangulation.get_communicator()) == 1;
  }

  template <int dim>
  void
  LevelInterpolation::build(const DoFHandler<dim> &dof_handler)
  {
    const auto *triangulation =
      dynamic_cast<const parallel::distributed::Triangulation<dim> *>(
        &dof_handler.get_triangulation());
    AssertThrow(triangulation != nullptr &&
                  triangulation->is_multilevel_hierarchy_constructed(),
                ExcMessage("geometric multigrid needs the triangulation's "
                           "multigrid hierarchy (construct_multigrid_"
                           "hierarchy)"));
    const MPI_Comm     comm     = triangulation->get_communicator();
    const unsigned int n_levels = triangulation->n_global_levels();
    // The finest level's cells must be the active cells: then its level
    // DoFs are the active DoFs under another numbering.
    AssertThrow(uniformly_refined(*triangulation),
                ExcMessage("geometric multigrid needs a uniformly refined "
                           "mesh (all cells on one level)"));

    const auto                          &fe = dof_handler.get_fe();
    const unsigned int                   n  = fe.n_dofs_per_cell();
    std::vector<types::global_dof_index> coarse_dofs_of_cell(n),
      fine_dofs_of_cell(n);

    matrices.clear();
    matrices.resize(n_levels);
    coarse_dofs = dof_handler.n_dofs(0);
    for (unsigned int level = 1; level < n_levels; ++level)
      {
        const bool top = (level == n_levels - 1);
        IndexSet   fine_relevant;
        if (top)
          DoFTools::extract_locally_relevant_dofs(dof_handler, fine_relevant);
        else
          DoFTools::extract_locally_relevant_level_dofs(dof_handler,
                                                        level,
                                                        fine_relevant);
        const IndexSet &fine_owned =
          top ? dof_handler.locally_owned_dofs()
              : dof_handler.locally_owned_mg_dofs(level);
        const IndexSet &coarse_owned =
          dof_handler.locally_owned_mg_dofs(level - 1);

        // The rows of the children of this rank's parents, each once: a
        // child may belong to another rank, which then receives the rows.
        // Several ranks may write one row, with the values of the
        // embedding (exact binary fractions for Q1; for higher degrees
        // they may differ in the last bit between children, and PETSc
        // keeps one of them).
        std::vector<bool> row_done(fine_relevant.n_elements());
        std::vector<types::global_dof_index> rows, columns;
        std::vector<double>                  values;
        std::vector<std::size_t>             row_start{0};
        bool                                 missing = false;
        for (const auto &parent :
             dof_handler.mg_cell_iterators_on_level(level - 1))
          if (parent->is_locally_owned_on_level())
            {
              parent->get_mg_dof_indices(coarse_dofs_of_cell);
              for (unsigned int c = 0; c < parent->n_children(); ++c)
                {
                  const auto child = parent->child(c);
                  if (top)
                    child->get_dof_indices(fine_dofs_of_cell);
                  else
                    child->get_mg_dof_indices(fine_dofs_of_cell);
                  const FullMatrix<double> &embedding =
                    fe.get_prolongation_matrix(c);
                  for (unsigned int i = 0; i < n; ++i)
                    {
                      const types::global_dof_index row = fine_dofs_of_cell[i];
                      if (!fine_relevant.is_element(row))
                        {
                          missing = true;
                          continue;
                        }
                      const auto k = fine_relevant.index_within_set(row);
                      if (row_done[k])
                        continue;
                      row_done[k] = true;
                      rows.push_back(row);
                      for (unsigned int j = 0; j < n; ++j)
                        if (embedding(i, j) != 0)
                          {
                            columns.push_back(coarse_dofs_of_cell[j]);
                            values.push_back(embedding(i, j));
                          }
                      row_start.push_back(columns.size());
                    }
                }
            }
        // p4est keeps a parent's children on its rank or in its ghost
        // layer; checked on every rank before the collective calls below.
        AssertThrow(!Utilities::MPI::logical_or(missing, comm),
                    ExcMessage("geometric multigrid: a child's DoF is not "
                               "known on the rank of its parent"));

        DynamicSparsityPattern dsp(top ? dof_handler.n_dofs()
                                       : dof_handler.n_dofs(level),
                                   dof_handler.n_dofs(level - 1),
                                   fine_relevant);
        for (std::size_t r = 0; r < rows.size(); ++r)
          dsp.add_entries(rows[r],
                          columns.begin() + row_start[r],
                          columns.begin() + row_start[r + 1]);
        SparsityTools::distribute_sparsity_pattern(dsp,
                                                   fine_owned,
                                                   comm,
                                                   fine_relevant);
        auto matrix = std::make_unique<PETScWrappers::MPI::SparseMatrix>();
        matrix->reinit(fine_owned, coarse_owned, dsp, comm);
        for (std::size_t r = 0; r < rows.size(); ++r)
          matrix->set(rows[r],
                      row_start[r + 1] - row_start[r],
                      columns.data() + row_start[r],
                      values.data() + row_start[r]);
        matrix->compress(VectorOperation::insert);
        matrices[level] = std::move(matrix);
      }
  }

  unsigned int
  LevelInterpolation::n_levels() const
  {
    return matrices.size();
  }

  const PETScWrappers::MPI::SparseMatrix &
  LevelInterpolation::into(const unsigned int level) const
  {
    AssertIndexRange(level, matrices.size());
    Assert(level > 0, ExcMessage("level 0 has no coarser level"));
    return *matrices[level];
  }

  types::global_dof_index
  LevelInterpolation::n_coarse_dofs() const
  {
    return coarse_dofs;
  }

  void
  PreconditionGMG::initialize(const PETScWrappers::MatrixBase &m,
                              const LevelInterpolation        &interpolation)
  {
    clear();
    matrix = static_cast<Mat>(m);
    create_pc();
    const PetscInt n_levels = interpolation.n_levels();
    check(PCSetType(pc, PCMG), "choose PCMG");
    check(PCMGSetLevels(pc, n_levels, nullptr), "make the levels");
    check(PCMGSetType(pc, PC_MG_MULTIPLICATIVE), "choose the V-cycle");
    check(PCMGSetCycleType(pc, PC_MG_CYCLE_V), "choose the V-cycle");
    check(PCMGSetGalerkin(pc, PC_MG_GALERKIN_BOTH),
          "ask for Galerkin coarse operators");
    for (PetscInt level = 1; level < n_levels; ++level)
      check(PCMGSetInterpolation(pc,
                                 level,
                                 static_cast<Mat>(interpolation.into(level))),
            "set an interpolation");

    // Two Chebyshev steps preconditioned by a symmetric Gauss-Seidel sweep
    // on each rank's rows (PCSOR, local symmetric): on the 3D cell the CG
    // iterations stay at 8.5-9.5 from 7e3 to 4e5 DoFs, where Jacobi in its
    // place needs 19-24 and more with each level, and one step instead of
    // two 12-15 (tests/benchmarks/README.md). The eigenvalue bounds are
    // estimated by PCMG's set-up.
    for (PetscInt level = 1; level < n_levels; ++level)
      {
        KSP smoother;
        PC  smoother_pc;
        check(PCMGGetSmoother(pc, level, &smoother), "get a smoother");
        check(KSPSetType(smoother, KSPCHEBYSHEV), "choose Chebyshev");
        check(KSPChebyshevEstEigSet(smoother, 0, 0.1, 0, 1.1),
              "set the Chebyshev interval");
        check(KSPGetPC(smoother, &smoother_pc), "get a smoother's PC");
        check(PCSetType(smoother_pc, PCSOR), "choose SOR");
        check(KSPSetTolerances(smoother,
                               PETSC_DEFAULT,
                               PETSC_DEFAULT,
                               PETSC_DEFAULT,
                               2),
              "set the smoothing steps");
      }

    KSP coarse;
    PC  coarse_pc;
    check(PCMGGetCoarseSolve(pc, &coarse), "get the coarse solver");
    check(KSPSetType(coarse, KSPPREONLY), "choose a coarse solve");
    check(KSPGetPC(coarse, &coarse_pc), "get the coarse PC");
    const unsigned int n_ranks = Utilities::MPI::n_mpi_processes(
      PetscObjectComm(reinterpret_cast<PetscObject>(pc)));
    check(PCSetType(coarse_pc,
                    interpolation.n_coarse_dofs() > max_direct_coarse_dofs
                      ? PCGAMG
                      : (n_ranks == 1 ? PCLU : PCREDUNDANT)),
          "choose the coarse solve");

    check(PCSetFromOptions(pc), "read PETSC_OPTIONS");
    AssertThrow(PCSetUp(pc) == 0,
                ExcMessage("PETSc could not set up its geometric multigrid"));
  }

  template bool
  uniformly_refined(const Triangulation<2> &);
  template bool
  uniformly_refined(const Triangulation<3> &);
  template void
  LevelInterpolation::build(const DoFHandler<2> &);
  template void
  LevelInterpolation::build(const DoFHandler<3> &);
} // namespace mvb
