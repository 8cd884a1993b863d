// The geometric multigrid of the fields: its interpolations reproduce the
// finite element's own polynomials from level to level (the last into the
// active numbering), CG with it needs as many iterations on every level of
// refinement and converges to GAMG's solution, and a mesh it cannot serve
// is refused with a message.

#include <physics/species_model.h>
#include <solver/field_solver.h>
#include <solver/precondition_gamg.h>
#include <solver/precondition_gmg.h>

#include <deal.II/base/function.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/timer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping_q.h>
#include <deal.II/grid/grid_generator.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/full_matrix.h>
#include <deal.II/lac/petsc_sparse_matrix.h>
#include <deal.II/lac/petsc_vector.h>
#include <deal.II/lac/solver_cg.h>
#include <deal.II/lac/solver_control.h>
#include <deal.II/lac/sparsity_tools.h>
#include <deal.II/numerics/vector_tools.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

using namespace dealii;
using namespace mvb;

namespace
{
  // A polynomial of the tensor-product space Q_p: interpolation on any level
  // reproduces it exactly.
  template <int dim>
  class TensorPolynomial : public Function<dim>
  {
  public:
    explicit TensorPolynomial(const unsigned int p)
        : p(p)
    {
    }

    double
    value(const Point<dim> &x, const unsigned int = 0) const override
    {
      return 1. + std::pow(x[0], p) * x[1] + 2. * std::pow(x[dim - 1], p);
    }

  private:
    const unsigned int p;
  };

  template <int dim>
  void
  make_cube(parallel::distributed::Triangulation<dim> &triangulation,
            const unsigned int                         refinements)
  {
    GridGenerator::subdivided_hyper_cube(triangulation, 3, 0., 1.);
    triangulation.refine_global(refinements);
  }

  template <int dim>
  using Cube = parallel::distributed::Triangulation<dim>;

  // The cube with its levels. Its 3 x 3 (x 3) coarse cells are cut in
  // half on 2 ranks, so that a coarse cell's children belong to two ranks
  // and the first interpolation has rows that one rank writes for the
  // other. (p4est keeps the children of the last level's parents together,
  // to allow coarsening, so only the coarser levels can be cut.)
  template <int dim>
  std::unique_ptr<Cube<dim>>
  multilevel_cube(const unsigned int refinements)
  {
    auto triangulation =
      std::make_unique<Cube<dim>>(MPI_COMM_WORLD,
                                  Triangulation<dim>::none,
                                  Cube<dim>::construct_multigrid_hierarchy);
    make_cube(*triangulation, refinements);
    return triangulation;
  }

  // Whether some rank owns a parent with a child on another rank.
  template <int dim>
  bool
  parent_split(const Cube<dim> &triangulation)
  {
    bool split = false;
    for (unsigned int level = 0; level + 1 < triangulation.n_global_levels();
         ++level)
      for (const auto &parent : triangulation.cell_iterators_on_level(level))
        if (parent->is_locally_owned_on_level())
          for (unsigned int c = 0; c < parent->n_children(); ++c)
            split |= !parent->child(c)->is_locally_owned_on_level();
    return Utilities::MPI::logical_or(split, MPI_COMM_WORLD);
  }

  // The nodal values of @p f on the level DoFs of @p level.
  template <int dim>
  PETScWrappers::MPI::Vector
  level_values(const DoFHandler<dim> &dof_handler,
               const unsigned int     level,
               const Function<dim>   &f)
  {
    const IndexSet            &owned = dof_handler.locally_owned_mg_dofs(level);
    PETScWrappers::MPI::Vector v(owned, MPI_COMM_WORLD);
    const auto                &fe = dof_handler.get_fe();
    const MappingQ<dim>        mapping(1);
    std::vector<types::global_dof_index> dofs(fe.n_dofs_per_cell());
    for (const auto &cell : dof_handler.mg_cell_iterators_on_level(level))
      if (cell->is_locally_owned_on_level())
        {
          cell->get_mg_dof_indices(dofs);
          for (unsigned int i = 0; i < dofs.size(); ++i)
            if (owned.is_element(dofs[i]))
              v(dofs[i]) = f.value(mapping.transform_unit_to_real_cell(
                cell,
                fe.get_unit_support_points()[i]));
        }
    v.compress(VectorOperation::insert);
    return v;
  }

  // max |P_l c_{l-1} - c_l| over the levels, c the nodal values of a
  // polynomial of the element's space; the last level in active numbering.
  template <int dim>
  double
  worst_interpolation_error(const unsigned int p)
  {
    auto            triangulation = multilevel_cube<dim>(3);
    const FE_Q<dim> fe(p);
    DoFHandler<dim> dof_handler(*triangulation);
    dof_handler.distribute_dofs(fe);
    dof_handler.distribute_mg_dofs();
    LevelInterpolation interpolation;
    interpolation.build(dof_handler);
    REQUIRE(interpolation.n_levels() == 4);
    if (Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD) > 1)
      REQUIRE(parent_split(*triangulation));

    const TensorPolynomial<dim> f(p);
    double                      worst = 0;
    for (unsigned int level = 1; level < interpolation.n_levels(); ++level)
      {
        const bool top = (level + 1 == interpolation.n_levels());
        PETScWrappers::MPI::Vector expected;
        if (top)
          {
            expected.reinit(dof_handler.locally_owned_dofs(), MPI_COMM_WORLD);
            VectorTools::interpolate(MappingQ<dim>(1),
                                     dof_handler,
                                     f,
                                     expected);
          }
        else
          expected = level_values(dof_handler, level, f);
        PETScWrappers::MPI::Vector result(expected);
        interpolation.into(level)
          .vmult(result, level_values(dof_handler, level - 1, f));
        result -= expected;
        worst = std::max(worst, result.linfty_norm());
      }
    return worst;
  }

  // The matrix c M + K and the load of g = 1 + x_0 on the cube's active
  // DoFs.
  template <int dim>
  struct ModelProblem
  {
    ModelProblem(const DoFHandler<dim> &dof_handler, const double c)
    {
      const IndexSet &owned = dof_handler.locally_owned_dofs();
      IndexSet        relevant;
      DoFTools::extract_locally_relevant_dofs(dof_handler, relevant);
      DynamicSparsityPattern dsp(relevant);
      DoFTools::make_sparsity_pattern(dof_handler, dsp);
      SparsityTools::distribute_sparsity_pattern(dsp,
                                                 owned,
                                                 MPI_COMM_WORLD,
                                                 relevant);
      matrix.reinit(owned, owned, dsp, MPI_COMM_WORLD);
      rhs.reinit(owned, MPI_COMM_WORLD);

      const auto                          &fe = dof_handler.get_fe();
      const QGauss<dim>                    quadrature(fe.degree + 1);
      const MappingQ<dim>                  mapping(1);
      FEValues<dim>                        fe_values(mapping,
                              fe,
                              quadrature,
                              update_values | update_gradients |
                                update_quadrature_points | update_JxW_values);
      const unsigned int                   n = fe.n_dofs_per_cell();
      FullMatrix<double>                   cell_matrix(n, n);
      Vector<double>                       cell_rhs(n);
      std::vector<types::global_dof_index> dofs(n);
      for (const auto &cell : dof_handler.active_cell_iterators())
        if (cell->is_locally_owned())
          {
            fe_values.reinit(cell);
            cell_matrix = 0;
            cell_rhs    = 0;
            for (unsigned int q = 0; q < quadrature.size(); ++q)
              for (unsigned int i = 0; i < n; ++i)
                {
                  cell_rhs(i) += fe_values.shape_value(i, q) *
                                 (1. + fe_values.quadrature_point(q)[0]) *
                                 fe_values.JxW(q);
                  for (unsigned int j = 0; j < n; ++j)
                    cell_matrix(i, j) += (c * fe_values.shape_value(i, q) *
                                            fe_values.shape_value(j, q) +
                                          fe_values.shape_grad(i, q) *
                                            fe_values.shape_grad(j, q)) *
                                         fe_values.JxW(q);
                }
            cell->get_dof_indices(dofs);
            matrix.add(dofs, cell_matrix);
            rhs.add(dofs, cell_rhs);
          }
      matrix.compress(VectorOperation::add);
      rhs.compress(VectorOperation::add);
    }

    template <typename Preconditioner>
    unsigned int
    solve(const Preconditioner &preconditioner, PETScWrappers::MPI::Vector &x)
    {
      x.reinit(rhs);
      SolverControl                        control(200, 1e-10 * rhs.l2_norm());
      SolverCG<PETScWrappers::MPI::Vector> cg(control);
      cg.solve(matrix, x, rhs, preconditioner);
      return control.last_step();
    }

    PETScWrappers::MPI::SparseMatrix matrix;
    PETScWrappers::MPI::Vector       rhs;
  };
} // namespace

TEST_CASE("Level interpolations reproduce the element's polynomials", "[gmg]")
{
  CHECK(worst_interpolation_error<2>(1) < 1e-12);
  CHECK(worst_interpolation_error<2>(2) < 1e-12);
  CHECK(worst_interpolation_error<3>(1) < 1e-12);
  CHECK(worst_interpolation_error<3>(2) < 1e-12);
}

TEST_CASE("CG with geometric multigrid: as many iterations on every level, "
          "and GAMG's solution",
          "[gmg]")
{
  // A diffusion-dominated system (c = 1 on the unit square, h from 1/24 to
  // 1/384), where algebraic preconditioners without levels degrade.
  std::vector<unsigned int> iterations;
  for (unsigned int refinements = 3; refinements <= 7; refinements += 2)
    {
      auto          triangulation = multilevel_cube<2>(refinements);
      const FE_Q<2> fe(1);
      DoFHandler<2> dof_handler(*triangulation);
      dof_handler.distribute_dofs(fe);
      dof_handler.distribute_mg_dofs();
      LevelInterpolation interpolation;
      interpolation.build(dof_handler);
      ModelProblem<2> problem(dof_handler, 1.);

      PreconditionGMG gmg;
      gmg.initialize(problem.matrix, interpolation);
      PETScWrappers::MPI::Vector x;
      iterations.push_back(problem.solve(gmg, x));

      PreconditionGAMG gamg;
      gamg.initialize(problem.matrix);
      PETScWrappers::MPI::Vector reference;
      problem.solve(gamg, reference);
      const double size = reference.l2_norm();
      reference -= x;
      CHECK(reference.l2_norm() < 1e-8 * size);
    }
  INFO("CG iterations at 3, 5 and 7 refinements: "
       << iterations[0] << ", " << iterations[1] << ", " << iterations[2]);
  CHECK(*std::max_element(iterations.begin(), iterations.end()) <= 12);
  CHECK(*std::max_element(iterations.begin(), iterations.end()) -
          *std::min_element(iterations.begin(), iterations.end()) <=
        2);
}

TEST_CASE("Automatic preconditioner: GMG on refined meshes from 2e4 DoFs, "
          "GAMG elsewhere",
          "[gmg]")
{
  physics::SpeciesModel<2> model;
  model.name                  = "u";
  model.diffusion_coefficient = 1;
  model.initial_value = std::make_shared<Functions::ConstantFunction<2>>(1.);
  const MappingQ<2> mapping(1);
  TimerOutput       timer(MPI_COMM_WORLD,
                    std::cout,
                    TimerOutput::never,
                    TimerOutput::wall_times);
  const auto        chosen = [&](const Cube<2> &triangulation) {
    FieldSolverSettings settings;
    settings.preconditioner = FieldPreconditioner::automatic;
    FieldSolver<2> fields(triangulation, mapping, {model}, settings, timer);
    fields.setup();
    fields.initialize(0.);
    fields.advance();
    return fields.preconditioner();
  };
  // 3 x 3 cells refined 5 times: 9 409 DoFs; 6 times: 37 249.
  CHECK(chosen(*multilevel_cube<2>(5)) == FieldPreconditioner::gamg);
  CHECK(chosen(*multilevel_cube<2>(6)) == FieldPreconditioner::gmg);
  Cube<2> flat(MPI_COMM_WORLD);
  make_cube(flat, 6);
  CHECK(chosen(flat) == FieldPreconditioner::gamg);
  // Two levels only (a coarse mesh refined once) is not worth a multigrid.
  Cube<2> two_levels(MPI_COMM_WORLD,
                     Triangulation<2>::none,
                     Cube<2>::construct_multigrid_hierarchy);
  GridGenerator::subdivided_hyper_cube(two_levels, 100, 0., 1.);
  two_levels.refine_global(1);
  CHECK(chosen(two_levels) == FieldPreconditioner::gamg);
}

TEST_CASE("Geometric multigrid refuses meshes without uniform levels", "[gmg]")
{
  const FE_Q<2> fe(1);
  {
    Cube<2> flat(MPI_COMM_WORLD);
    make_cube(flat, 2);
    DoFHandler<2> dof_handler(flat);
    dof_handler.distribute_dofs(fe);
    LevelInterpolation interpolation;
    REQUIRE_THROWS_WITH(interpolation.build(dof_handler),
                        Catch::Contains("multigrid hierarchy"));
  }
  {
    auto triangulation = multilevel_cube<2>(1);
    for (const auto &cell : triangulation->active_cell_iterators())
      if (cell->is_locally_owned())
        {
          cell->set_refine_flag();
          break;
        }
    triangulation->execute_coarsening_and_refinement();
    DoFHandler<2> dof_handler(*triangulation);
    dof_handler.distribute_dofs(fe);
    dof_handler.distribute_mg_dofs();
    LevelInterpolation interpolation;
    REQUIRE_THROWS_WITH(interpolation.build(dof_handler),
                        Catch::Contains("uniformly refined"));
  }
}
