// Benchmark of mvb::FieldSolver<3> on the built-in default cell: wall time per
// time step by phase, CG iterations per species and peak memory, for one
// refinement level on however many MPI ranks it is started with. See
// README.md in this folder for how to run it and read the figures.

#include <mesh/cell_geometry.h>
#include <physics/species_parameters.h>
#include <postprocess/field_output.h>
#include <solver/field_solver.h>
#include <solver/input_error.h>
#include <solver/run_parameters.h>

#include "benchmark_support.h"

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>
#include <deal.II/base/utilities.h>
#include <deal.II/distributed/tria.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace
{
  using mvb::benchmarks::parse_count;
  using mvb::benchmarks::peak_memory;
  using mvb::benchmarks::section;
  using mvb::benchmarks::SectionTimes;

  using namespace dealii;
  namespace fs = std::filesystem;

  struct Options
  {
    unsigned int level          = 4;
    unsigned int degree         = 1;
    unsigned int n_steps        = 50;
    unsigned int output_every   = 10;
    std::string  scratch        = "/tmp";
    std::string  preconditioner = "Automatic";
    bool         help           = false;
  };

  std::string
  usage()
  {
    return "Usage: field_benchmark [--level N] [--degree P] [--steps N]\n"
           "                       [--output-every N] [--scratch DIR]\n"
           "Times mvb::FieldSolver<3> (Ca2+, cholesterol, cargo; BDF2, 0.25 s "
           "steps)\non the built-in default cell; start it with mpirun -np R."
           "\n"
           "  --level N         global refinements of the cell (default 4)\n"
           "  --degree P        FE_Q degree of the fields (default 1)\n"
           "  --steps N         number of time steps (default 50)\n"
           "  --output-every N  write the fields every N steps, 0: never "
           "(default 10)\n"
           "  --scratch DIR     where a temporary output folder is made and "
           "removed\n"
           "                    again (default /tmp)\n"
           "  --preconditioner P  Fields/Preconditioner: automatic "
           "(default), gamg,\n"
           "                    boomeramg or gmg\n";
  }

  Options
  parse_options(const std::vector<std::string> &args)
  {
    Options    o;
    const auto count = [&](const std::string &name, unsigned int &target) {
      return mvb::benchmarks::Option{name,
                                     true,
                                     [name, t = &target](const std::string &v) {
                                       *t = parse_count(name, v, 1000000);
                                     }};
    };
    o.help = mvb::benchmarks::apply_options(
      args,
      "field_benchmark",
      {count("--level", o.level),
       count("--degree", o.degree),
       count("--steps", o.n_steps),
       count("--output-every", o.output_every),
       {"--scratch",
        true,
        [&](const std::string &v) {
          o.scratch = v;
        }},
       {"--preconditioner", true, [&](const std::string &v) {
          o.preconditioner =
            mvb::name(mvb::benchmarks::parse_preconditioner(v));
        }}});
    if (o.n_steps == 0)
      throw mvb::InputError("--steps 0: give at least one step");
    return o;
  }

  // The built-in default scenario with the benchmark's settings, as a
  // scenario file would give them, so that RunParameters checks them. Ca2+
  // relaxes to a steady state within seconds, after which the extrapolated
  // initial guess is the solution and CG stops at once; an influx that
  // oscillates (period 5 s) keeps the pump busy and every solve honest.
  std::string
  scenario_text(const Options &o)
  {
    std::ostringstream text;
    text << "subsection Geometry\n"
         << "  set Dimension = 3\n"
         << "  set Global refinements = " << o.level << "\n"
         << "end\n"
         << "subsection Time stepping\n"
         << "  set Time step = 0.25\n"
         << "  set End time = " << 0.25 * o.n_steps << "\n"
         << "  set Scheme = BDF2\n"
         << "end\n"
         << "subsection Fields\n"
         << "  set Finite element degree = " << o.degree << "\n"
         << "  set Preconditioner = " << o.preconditioner << "\n"
         << "end\n"
         << "subsection Species\n"
         << "  subsection Calcium\n"
         << "    set Plasma membrane influx = 0.5*(1+sin(2*pi*t/5))\n"
         << "  end\n"
         << "end\n";
    return text.str();
  }

  /**
   * A fresh folder under the scratch directory, made by rank 0 and removed
   * with all it holds when the benchmark ends, also after an error.
   */
  class ScratchFolder
  {
  public:
    ScratchFolder(const std::string &parent, const MPI_Comm communicator)
        : communicator(communicator)
    {
      mvb::run_collectively(communicator, true, [&]() {
        fs::create_directories(parent);
        std::string pattern =
          (fs::path(parent) / "field-benchmark-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr)
          throw std::runtime_error("cannot make a folder in '" + parent +
                                   "': " + std::strerror(errno));
        path = pattern;
      });
      path = Utilities::MPI::broadcast(communicator, path, 0);
    }

    ~ScratchFolder()
    {
      remove();
    }

    /** Collective in the normal course; the destructor calls it alone. */
    void
    remove()
    {
      if (!path.empty() && Utilities::MPI::this_mpi_process(communicator) == 0)
        {
          std::error_code ignored;
          fs::remove_all(path, ignored);
        }
      path.clear();
    }

    std::string path;

  private:
    MPI_Comm communicator;
  };

  struct SpeciesIterations
  {
    std::string   name;
    unsigned long sum     = 0;
    unsigned int  minimum = std::numeric_limits<unsigned int>::max();
    unsigned int  maximum = 0;
  };

  void
  measure(const Options            &o,
          const mvb::RunParameters &parameters,
          const double              baseline_memory,
          ScratchFolder            &scratch,
          TimerOutput              &timer,
          ConditionalOStream       &pcout,
          const MPI_Comm            communicator)
  {
    const unsigned int n_ranks = Utilities::MPI::n_mpi_processes(communicator);
    const auto         sum_over_ranks = [&](const double x) {
      return Utilities::MPI::sum(x, communicator);
    };

    parallel::distributed::Triangulation<3> triangulation(
      communicator,
      Triangulation<3>::none,
      mvb::triangulation_settings<3>(parameters.fields.preconditioner));
    mvb::mesh::CellGeometry<3> geometry(parameters.geometry);
    {
      TimerOutput::Scope scope(timer, "mesh");
      geometry.create_mesh(triangulation);
    }
    // The geometry caches its mapping's support points (in "mesh").
    const Mapping<3> &mapping = geometry.mapping();

    mvb::FieldSolverSettings settings;
    settings.fe_degree      = parameters.fields.fe_degree;
    settings.scheme         = parameters.time.scheme;
    settings.time_step      = parameters.time.time_step;
    settings.tolerance      = parameters.fields.tolerance;
    settings.max_iterations = parameters.fields.max_iterations;
    settings.preconditioner = parameters.fields.preconditioner;
    mvb::FieldSolver<3> fields(triangulation,
                               mapping,
                               parameters.species.create_models<3>(
                                 parameters.time.start_time),
                               settings,
                               timer);
    {
      TimerOutput::Scope scope(timer, "solver setup");
      fields.setup();
      fields.initialize(parameters.time.start_time);
    }
    const SectionTimes after_setup =
      timer.get_summary_data(TimerOutput::total_wall_time);

    const types::global_dof_index n_dofs = fields.dof_handler().n_dofs();
    const auto                    owned  = Utilities::MPI::min_max_avg(
      double(fields.dof_handler().n_locally_owned_dofs()),
      communicator);
    pcout << "Field benchmark: default 3D cell, " << o.level
          << " global refinements, mapping degree "
          << parameters.geometry.mapping_degree << ", FE_Q(" << o.degree
          << "), BDF2, " << o.n_steps << " steps of "
          << parameters.time.time_step << " s\n"
          << "  MPI ranks           " << n_ranks << "\n"
          << "  cells               " << triangulation.n_global_active_cells()
          << "\n"
          << "  DoFs per field      " << n_dofs << " (x " << fields.n_species()
          << " fields; owned per rank " << owned.min << " to " << owned.max
          << ")" << std::endl;

    std::unique_ptr<mvb::postprocess::FieldOutput<3>> output;
    if (o.output_every > 0)
      output = std::make_unique<mvb::postprocess::FieldOutput<3>>(scratch.path,
                                                                  communicator);
    double       output_bytes = 0;
    unsigned int n_outputs    = 0;
    // VmHWM only grows: read before the first output it is the peak of the
    // solver alone, without DataOut's patches.
    double solver_memory = 0;

    std::vector<SpeciesIterations> iterations(fields.n_species());
    for (unsigned int k = 0; k < fields.n_species(); ++k)
      iterations[k].name = fields.model(k).name;

    for (unsigned int n = 0; n < o.n_steps; ++n)
      {
        {
          TimerOutput::Scope scope(timer, "time step");
          fields.advance();
        }
        for (unsigned int k = 0; k < fields.n_species(); ++k)
          {
            const unsigned int its = fields.last_iterations(k);
            iterations[k].sum += its;
            iterations[k].minimum = std::min(iterations[k].minimum, its);
            iterations[k].maximum = std::max(iterations[k].maximum, its);
          }
        if (output && fields.step_number() % o.output_every == 0)
          {
            if (n_outputs == 0)
              solver_memory = sum_over_ranks(peak_memory());
            TimerOutput::Scope scope(timer, "output");
            std::vector<
              std::pair<std::string, const PETScWrappers::MPI::Vector *>>
              data;
            for (unsigned int k = 0; k < fields.n_species(); ++k)
              data.emplace_back(fields.model(k).name, &fields.solution(k));
            output->write(fields.dof_handler(),
                          fields.mapping(),
                          data,
                          o.degree);
            std::ostringstream file;
            file << "fields/fields-" << std::setw(5) << std::setfill('0')
                 << n_outputs << ".h5";
            mvb::run_collectively(communicator, true, [&]() {
              output_bytes +=
                fs::file_size(fs::path(scratch.path) / file.str());
            });
            ++n_outputs;
          }
      }
    const double peak = sum_over_ranks(peak_memory());
    if (n_outputs == 0)
      solver_memory = peak;
    MPI_Barrier(communicator);
    scratch.remove();

    // Section totals, the slowest rank's (ranks wait for each other in the
    // solver's collectives anyway).
    const SectionTimes end_data =
      timer.get_summary_data(TimerOutput::total_wall_time);
    const auto slowest = [&](const SectionTimes &times,
                             const std::string  &name) {
      return Utilities::MPI::max(section(times, name), communicator);
    };
    const std::string setup_name  = "fields: setup",
                      matrix_name = "fields: assemble matrices",
                      amg_name    = "fields: preconditioner setup",
                      rhs_name    = "fields: assemble right-hand side",
                      solve_name  = "fields: solve";
    for (const std::string &name :
         {setup_name, matrix_name, amg_name, rhs_name, solve_name})
      AssertThrow(end_data.count(name) == 1,
                  ExcMessage("FieldSolver no longer times the section '" +
                             name + "'; update field_benchmark.cc"));

    // The FieldSolver's sections are disjoint; the benchmark's own "time
    // step" section holds the re-assembly and AMG set-up of steps 1 and 2
    // (BDF1 start, then the BDF2 matrix), a one-off left out of the cost of
    // a step.
    const double setup_alone    = slowest(end_data, setup_name);
    const double matrices_alone = slowest(end_data, matrix_name);
    const double amg_total      = slowest(end_data, amg_name);
    const double one_off_in_steps =
      (matrices_alone - slowest(after_setup, matrix_name)) +
      (amg_total - slowest(after_setup, amg_name));
    const double step_time = slowest(end_data, "time step") - one_off_in_steps;
    const unsigned int n_matrix_assemblies = static_cast<unsigned int>(
      section(timer.get_summary_data(TimerOutput::n_calls), matrix_name));

    const double ms         = 1000. / o.n_steps;
    const double ms_rhs     = ms * slowest(end_data, rhs_name);
    const double ms_solve   = ms * slowest(end_data, solve_name);
    const double ms_step    = ms * step_time;
    const double ms_output  = ms * slowest(end_data, "output");
    const double ms_total   = ms_step + ms_output;
    const double total_dofs = double(n_dofs) * fields.n_species();
    const double MB         = 1024. * 1024.;
    const double output_size =
      Utilities::MPI::broadcast(communicator, output_bytes, 0) /
      std::max(1u, n_outputs);

    unsigned int cg_max = 0;
    for (const auto &s : iterations)
      cg_max = std::max(cg_max, s.maximum);

    pcout << std::fixed << std::setprecision(3)
          << "Wall time per step (ms, slowest rank, mean of " << o.n_steps
          << " steps)\n"
          << "  right-hand sides    " << ms_rhs << "\n"
          << "  CG solves           " << ms_solve << "\n"
          << "  rest of advance()   " << ms_step - ms_rhs - ms_solve << "\n"
          << "  output              " << ms_output << " (" << n_outputs
          << " writes of " << output_size / MB << " MB)\n"
          << "  total               " << ms_total << "\n"
          << "One-off wall time (s)\n"
          << "  mesh, mapping cache " << slowest(end_data, "mesh") << "\n"
          << "  DoFs, sparsity      " << setup_alone << "\n"
          << "  matrix assembly     " << matrices_alone << " ("
          << n_matrix_assemblies << " times)\n"
          << "  preconditioner      " << amg_total << " ("
          << fields.n_preconditioner_setups() << " set-ups, "
          << amg_total / std::max(1u, fields.n_preconditioner_setups())
          << " s each)\n"
          << "CG iterations per solve (steps 1 to " << o.n_steps << ")\n";
    for (const auto &s : iterations)
      pcout << "  " << std::left << std::setw(20) << s.name << std::right
            << "mean " << std::setprecision(2) << double(s.sum) / o.n_steps
            << ", min " << s.minimum << ", max " << s.maximum << "\n";
    pcout << std::setprecision(1) << "Peak memory (VmHWM, sum over ranks)\n"
          << "  libraries alone     " << baseline_memory / MB << " MB\n"
          << "  solver              " << solver_memory / MB << " MB\n"
          << "  with output         " << peak / MB << " MB\n"
          << "  per DoF             " << peak / total_dofs << " bytes ("
          << fields.n_species() << " x " << n_dofs << " DoFs), "
          << peak / n_dofs << " bytes per DoF of one field; solver less "
          << "libraries " << (solver_memory - baseline_memory) / total_dofs
          << " bytes" << std::endl;

    timer.print_wall_time_statistics(communicator);

    std::ostringstream line;
    line << std::fixed << std::setprecision(3) << "BENCHMARK level=" << o.level
         << " ranks=" << n_ranks << " degree=" << o.degree
         << " pc=" << mvb::name(fields.preconditioner())
         << " steps=" << o.n_steps << " dofs=" << n_dofs
         << " cells=" << triangulation.n_global_active_cells()
         << " ms_per_step_total=" << ms_total << " ms_step=" << ms_step
         << " ms_rhs=" << ms_rhs << " ms_solve=" << ms_solve
         << " ms_output=" << ms_output << " s_setup=" << setup_alone
         << " s_matrices=" << matrices_alone << " s_amg=" << amg_total
         << " n_amg=" << fields.n_preconditioner_setups()
         << std::setprecision(2);
    for (const auto &s : iterations)
      line << " cg_mean_" << s.name << "=" << double(s.sum) / o.n_steps
           << " cg_min_" << s.name << "=" << s.minimum << " cg_max_" << s.name
           << "=" << s.maximum;
    line << " cg_max=" << cg_max << std::setprecision(1)
         << " peak_MB=" << peak / MB << " solver_MB=" << solver_memory / MB
         << " baseline_MB=" << baseline_memory / MB
         << " bytes_per_dof=" << peak / total_dofs
         << " bytes_per_field_dof=" << peak / n_dofs << " net_bytes_per_dof="
         << (solver_memory - baseline_memory) / total_dofs
         << " output_MB=" << output_size / MB;
    pcout << line.str() << std::endl;
  }

  void
  run(const Options &o, const MPI_Comm communicator)
  {
    // Libraries, MPI and PETSc alone: what the ranks hold before any mesh.
    const double baseline_memory =
      Utilities::MPI::sum(peak_memory(), communicator);

    ParameterHandler prm;
    mvb::RunParameters::declare_parameters(prm);
    mvb::ScenarioInput input;
    input.file = "field_benchmark settings";
    input.text = scenario_text(o);
    mvb::RunParameters parameters;
    parameters.parse(prm, input);

    // Before the long set-up, so that a bad folder fails at once.
    ScratchFolder      scratch(o.scratch, communicator);
    ConditionalOStream pcout(std::cout,
                             Utilities::MPI::this_mpi_process(communicator) ==
                               0);
    mvb::benchmarks::with_wall_timer(communicator,
                                     pcout,
                                     [&](TimerOutput &timer) {
                                       measure(o,
                                               parameters,
                                               baseline_memory,
                                               scratch,
                                               timer,
                                               pcout,
                                               communicator);
                                     });
  }
} // namespace

int
main(int argc, char **argv)
{
  return mvb::benchmarks::benchmark_main(argc,
                                         argv,
                                         "field_benchmark",
                                         parse_options,
                                         usage,
                                         run);
}
