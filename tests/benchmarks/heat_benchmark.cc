// Benchmark of mvb::FieldSolver<3> on the problem of the reference FEM code's
// heat step (the dolfinx script of run_heat_benchmark.sh): the unit cube of N^3
// hexahedra, Q1, one species with D = 1, decay 0.1, a unit inward flux on the
// whole boundary and the initial value exp(-50 |x - (1/2, 1/2, 1/2)|^2);
// implicit Euler with dt = 0.01, the matrix assembled once, CG to a relative
// residual of 1e-8. Prints ms per step split into right-hand side and solve,
// CG iterations, set-up and memory, so that the figures stand beside the
// reference's, measured in the same session. See README.md in this folder.

#include <physics/species_model.h>
#include <solver/field_solver.h>

#include "benchmark_support.h"

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/function.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/timer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/fe/mapping_q.h>
#include <deal.II/grid/grid_generator.h>

#include <cmath>
#include <exception>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace
{
  using mvb::benchmarks::parse_count;
  using mvb::benchmarks::parse_number;
  using mvb::benchmarks::peak_memory;
  using mvb::benchmarks::section;
  using mvb::benchmarks::SectionTimes;

  using namespace dealii;

  struct Options
  {
    unsigned int             n              = 37;
    unsigned int             n_steps        = 50;
    double                   tolerance      = 1e-8;
    mvb::FieldPreconditioner preconditioner = mvb::FieldPreconditioner::gamg;
    bool                     help           = false;
  };

  std::string
  usage()
  {
    return "Usage: heat_benchmark [--n N] [--steps N] [--tolerance T]\n"
           "Times mvb::FieldSolver<3> on the reference's heat step: the unit "
           "cube of N^3\nhexahedra, Q1, D = 1, decay 0.1, unit inward "
           "boundary flux, implicit Euler\nwith dt = 0.01, matrix assembled "
           "once; start it with mpirun -np R.\n"
           "  --n N          cells per edge (default 37; the reference's "
           "figures: 37, 60)\n"
           "  --steps N      time steps (default 50)\n"
           "  --tolerance T  CG stops at |residual| <= T |right-hand side| "
           "(default 1e-8)\n"
           "  --preconditioner P  gamg (default), boomeramg, gmg or "
           "automatic (for the\n"
           "                 last two the cube is N/2^k cells per edge "
           "refined k times,\n"
           "                 k as large as N allows)\n";
  }

  Options
  parse_options(const std::vector<std::string> &args)
  {
    Options o;
    o.help = mvb::benchmarks::apply_options(
      args,
      "heat_benchmark",
      {{"--n",
        true,
        [&](const std::string &v) {
          o.n = parse_count("--n", v, 400);
        }},
       {"--steps",
        true,
        [&](const std::string &v) {
          o.n_steps = parse_count("--steps", v, 1000000);
        }},
       {"--tolerance",
        true,
        [&](const std::string &v) {
          o.tolerance = parse_number("--tolerance", v, 1e-15, 0.1);
        }},
       {"--preconditioner", true, [&](const std::string &v) {
          o.preconditioner = mvb::benchmarks::parse_preconditioner(v);
        }}});
    if (o.n == 0)
      throw mvb::InputError("--n 0: give at least one cell per edge");
    if (o.preconditioner == mvb::FieldPreconditioner::gmg && o.n % 2 != 0)
      throw mvb::InputError("--n " + std::to_string(o.n) +
                            ": geometric multigrid needs an even N (the cube "
                            "is refined from N/2^k cells per edge)");
    if (o.n_steps == 0)
      throw mvb::InputError("--steps 0: give at least one step");
    return o;
  }

  /** The reference's initial value, a Gaussian in the middle of the cube. */
  class Gaussian : public Function<3>
  {
  public:
    double
    value(const Point<3> &p, const unsigned int = 0) const override
    {
      return std::exp(-50. * p.distance_square(Point<3>(0.5, 0.5, 0.5)));
    }
  };

  mvb::physics::SpeciesModel<3>
  heat_species()
  {
    mvb::physics::SpeciesModel<3> u;
    u.name                  = "u";
    u.unit                  = "1";
    u.diffusion_coefficient = 1;
    u.decay_rate            = 0.1;
    mvb::physics::BoundaryExchange<3> flux;
    flux.boundary    = 0;
    flux.name        = "boundary";
    flux.inward_flux = std::make_shared<Functions::ConstantFunction<3>>(1.);
    flux.flux_uniform_in_space = true;
    u.boundaries.push_back(flux);
    u.initial_value = std::make_shared<Gaussian>();
    return u;
  }

  void
  measure(const Options      &o,
          const double        baseline_memory,
          TimerOutput        &timer,
          ConditionalOStream &pcout,
          const MPI_Comm      communicator)
  {
    const unsigned int n_ranks = Utilities::MPI::n_mpi_processes(communicator);
    const auto         slowest = [&](const SectionTimes &times,
                             const std::string  &name) {
      return Utilities::MPI::max(section(times, name), communicator);
    };

    parallel::distributed::Triangulation<3> triangulation(
      communicator,
      Triangulation<3>::none,
      mvb::triangulation_settings<3>(o.preconditioner));
    {
      TimerOutput::Scope scope(timer, "mesh");
      // Boundary id 0 on every face, as GridGenerator gives it. Geometric
      // multigrid needs levels: the same N^3 cells, made by refining a
      // coarser cube as often as N allows.
      unsigned int refinements = 0;
      if (o.preconditioner == mvb::FieldPreconditioner::gmg ||
          o.preconditioner == mvb::FieldPreconditioner::automatic)
        while ((o.n >> refinements) % 2 == 0)
          ++refinements;
      GridGenerator::subdivided_hyper_cube(triangulation,
                                           o.n >> refinements,
                                           0.,
                                           1.);
      triangulation.refine_global(refinements);
    }
    const MappingQ<3> mapping(1);

    mvb::FieldSolverSettings settings;
    settings.fe_degree      = 1;
    settings.scheme         = mvb::TimeScheme::bdf1;
    settings.time_step      = 0.01;
    settings.tolerance      = o.tolerance;
    settings.preconditioner = o.preconditioner;
    mvb::FieldSolver<3> fields(triangulation,
                               mapping,
                               {heat_species()},
                               settings,
                               timer);
    {
      TimerOutput::Scope scope(timer, "solver setup");
      fields.setup();
      fields.initialize(0.);
    }
    const SectionTimes after_setup =
      timer.get_summary_data(TimerOutput::total_wall_time);
    const double setup_memory =
      Utilities::MPI::sum(peak_memory(), communicator);

    const types::global_dof_index n_dofs = fields.dof_handler().n_dofs();
    pcout << "Heat benchmark: unit cube, " << o.n << "^3 hexahedra, Q1, "
          << n_dofs << " DoFs, " << n_ranks << " MPI rank"
          << (n_ranks > 1 ? "s" : "") << "; implicit Euler, " << o.n_steps
          << " steps of 0.01, CG to " << o.tolerance << " with "
          << mvb::name(fields.preconditioner()) << std::endl;

    unsigned long iterations = 0;
    unsigned int  most       = 0;
    for (unsigned int n = 0; n < o.n_steps; ++n)
      {
        {
          TimerOutput::Scope scope(timer, "time step");
          fields.advance();
        }
        iterations += fields.last_iterations(0);
        most = std::max(most, fields.last_iterations(0));
      }
    const mvb::SpeciesBalance balance = fields.balance(0);
    const double peak = Utilities::MPI::sum(peak_memory(), communicator);

    const SectionTimes end_data =
      timer.get_summary_data(TimerOutput::total_wall_time);
    const std::string matrix_name = "fields: assemble matrices",
                      amg_name    = "fields: preconditioner setup",
                      rhs_name    = "fields: assemble right-hand side",
                      solve_name  = "fields: solve";
    for (const std::string &name :
         {matrix_name, amg_name, rhs_name, solve_name})
      AssertThrow(end_data.count(name) == 1,
                  ExcMessage("FieldSolver no longer times the section '" +
                             name + "'; update heat_benchmark.cc"));
    // A matrix assembly or AMG set-up inside the steps (the first step, if
    // setup() left it) is a one-off, left out of the cost of a step, as the
    // reference assembles its matrix before its loop.
    // Per rank, then the slowest.
    const auto in_steps = [&](const std::string &name) {
      return section(end_data, name) - section(after_setup, name);
    };
    const double one_off_in_steps =
      Utilities::MPI::max(in_steps(matrix_name) + in_steps(amg_name),
                          communicator);
    const double ms = 1000. / o.n_steps;
    const double ms_step =
      1000. / o.n_steps *
      Utilities::MPI::max(section(end_data, "time step") -
                            in_steps(matrix_name) - in_steps(amg_name),
                          communicator);
    const double ms_rhs   = ms * slowest(end_data, rhs_name);
    const double ms_solve = ms * slowest(end_data, solve_name);
    const double s_setup  = slowest(end_data, "mesh") +
                           slowest(end_data, "solver setup") + one_off_in_steps;
    const double MB = 1024. * 1024.;

    pcout << std::fixed << std::setprecision(1)
          << "Wall time per step (ms, slowest rank, mean of " << o.n_steps
          << " steps)\n"
          << "  right-hand side   " << ms_rhs << "\n"
          << "  CG solve          " << ms_solve << "\n"
          << "  step in all       " << ms_step << "\n"
          << "  DoF-steps per s   " << std::scientific << std::setprecision(3)
          << n_dofs / (ms_step / 1000.) << "\n"
          << std::fixed << std::setprecision(2)
          << "CG iterations per solve: mean " << double(iterations) / o.n_steps
          << ", max " << most << "\n"
          << "Set-up (s): mesh " << slowest(end_data, "mesh")
          << ", DoFs, matrices and preconditioner "
          << s_setup - slowest(end_data, "mesh") << "\n"
          << std::setprecision(1)
          << "Peak memory (VmHWM, sum over ranks): libraries "
          << baseline_memory / MB << " MB, after set-up " << setup_memory / MB
          << " MB, at the end " << peak / MB << " MB ("
          << (peak - baseline_memory) / n_dofs << " bytes per DoF less the "
          << "libraries)\n"
          << std::setprecision(6) << "Integral of u at t = " << fields.time()
          << ": " << balance.integral << std::endl;

    timer.print_wall_time_statistics(communicator);

    std::ostringstream line;
    line << std::fixed << std::setprecision(3) << "BENCHMARK code=mvbsim-"
         << mvb::benchmarks::option_name(o.preconditioner) << " n=" << o.n
         << " ranks=" << n_ranks << " dofs=" << n_dofs << " steps=" << o.n_steps
         << " ms_step=" << ms_step << " ms_rhs=" << ms_rhs
         << " ms_solve=" << ms_solve
         << " its=" << double(iterations) / o.n_steps << " s_setup=" << s_setup
         << std::setprecision(1) << " peak_MB=" << peak / MB
         << std::setprecision(6) << " integral=" << balance.integral;
    pcout << line.str() << std::endl;
  }

  void
  run(const Options &o, const MPI_Comm communicator)
  {
    const double baseline_memory =
      Utilities::MPI::sum(peak_memory(), communicator);
    ConditionalOStream pcout(std::cout,
                             Utilities::MPI::this_mpi_process(communicator) ==
                               0);
    mvb::benchmarks::with_wall_timer(
      communicator,
      pcout,
      [&](TimerOutput &timer) {
        measure(o, baseline_memory, timer, pcout, communicator);
      });
  }
} // namespace

int
main(int argc, char **argv)
{
  return mvb::benchmarks::benchmark_main(argc,
                                         argv,
                                         "heat_benchmark",
                                         parse_options,
                                         usage,
                                         run);
}
