// Benchmark of the MVB engine (mvb::MvbPopulation<3>) on its own: MVB-steps
// per second, the cost of a step by phase, and what the engine did (membrane
// searches, track queries, relocations, MVBs sent between ranks), for one
// case, one number of MVBs and one track network on however many MPI ranks
// it is started with. See README.md in this folder for the cases and how to
// read the figures.

#include <mesh/cell_geometry.h>
#include <mesh/track_network.h>
#include <physics/mvb_kinetics.h>
#include <physics/mvb_parameters.h>
#include <solver/field_coupling.h>
#include <solver/field_solver.h>
#include <solver/input_error.h>
#include <solver/mvb_population.h>
#include <solver/run_parameters.h>

#include "benchmark_support.h"

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/base/timer.h>
#include <deal.II/base/utilities.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/fe/mapping_q_cache.h>

#include <cmath>
#include <cstdint>
#include <ctime>
#include <exception>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <random>
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
  using mvb::mesh::TrackType;

  // The population's TimerOutput section around advance()
  // (solver/mvb_population.cc); its phases come from its PhaseClock.
  const std::string engine_section = "MVBs";

  enum class Case
  {
    // The default cell with every default rate and track type.
    mix,
    // Smoldyn's case: free diffusion in a reflecting 10 um sphere.
    free_diffusion
  };

  struct Options
  {
    Case         benchmark_case = Case::mix;
    unsigned int n_mvbs         = 10000;
    unsigned int n_microtubules = 100;
    double       actin_density  = 0.5; // 1/um^2
    unsigned int n_steps        = 0;   // 0: the case's default
    unsigned int level          = 2;
    bool         coupled        = false;
    bool         births         = false;
    bool         help           = false;
  };

  std::string
  usage()
  {
    return "Usage: mvb_benchmark [--case mix|free-diffusion] [--mvbs N]\n"
           "                     [--microtubules N] [--actin-density D]\n"
           "                     [--steps N] [--level L] [--coupled] "
           "[--births]\n"
           "Times mvb::MvbPopulation<3> on its own; start it with mpirun -np "
           "R.\n"
           "  --case C           mix: the default 3D cell, default rates, "
           "MVBs placed\n"
           "                     as newborns are, steps of 0.05 s (default);\n"
           "                     free-diffusion: Smoldyn's case, free "
           "diffusion only\n"
           "                     (D = 0.01 um^2/s) in the round cell of "
           "radius 10 um\n"
           "                     with the smallest nucleus (0.1 um), MVBs "
           "uniform in\n"
           "                     the cell, steps of 0.01 s, no tracks, no "
           "transitions\n"
           "  --mvbs N           MVBs at the start, no births (default "
           "10000; 0 times\n"
           "                     the engine's fixed cost alone)\n"
           "  --microtubules N   mix: microtubules from the MTOC (default "
           "100)\n"
           "  --actin-density D  mix: cortical actin filaments per um^2 of "
           "membrane\n"
           "                     (default 0.5)\n"
           "  --steps N          MVB steps timed (default: mix 20, "
           "free-diffusion 1000)\n"
           "  --level L          global refinements of the cell (default 2)\n"
           "  --coupled          mix: the MVBs read and load the finite "
           "element\n"
           "                     fields (FiniteElementFields) instead of "
           "constant\n"
           "                     values; the fields themselves do not step\n"
           "  --births           mix: new MVBs at the default birth rate "
           "(else none),\n"
           "                     so that a small population lasts\n";
  }

  Options
  parse_options(const std::vector<std::string> &args)
  {
    Options    o;
    const auto count = [&](const std::string &name,
                           unsigned int      &target,
                           unsigned long      maximum) {
      return mvb::benchmarks::Option{name,
                                     true,
                                     [name, maximum, t = &target](
                                       const std::string &v) {
                                       *t = parse_count(name, v, maximum);
                                     }};
    };
    o.help = mvb::benchmarks::apply_options(
      args,
      "mvb_benchmark",
      {{"--coupled",
        false,
        [&](const std::string &) {
          o.coupled = true;
        }},
       {"--births",
        false,
        [&](const std::string &) {
          o.births = true;
        }},
       {"--case",
        true,
        [&](const std::string &value) {
          if (value == "mix")
            o.benchmark_case = Case::mix;
          else if (value == "free-diffusion")
            o.benchmark_case = Case::free_diffusion;
          else
            throw mvb::InputError("--case " + value +
                                  ": not 'mix' or 'free-diffusion'");
        }},
       count("--mvbs", o.n_mvbs, 10000000),
       count("--microtubules", o.n_microtubules, 100000),
       {"--actin-density",
        true,
        [&](const std::string &v) {
          o.actin_density = parse_number("--actin-density", v, 0, 1000);
        }},
       count("--steps", o.n_steps, 1000000),
       count("--level", o.level, 8)});
    if (o.n_steps == 0)
      o.n_steps = o.benchmark_case == Case::mix ? 20 : 1000;
    if ((o.coupled || o.births) && o.benchmark_case != Case::mix)
      throw mvb::InputError(std::string(o.coupled ? "--coupled" : "--births") +
                            ": only with --case mix");
    return o;
  }

  // The case as a scenario file would give it, so that RunParameters
  // checks it. No births unless asked for: the population is the initial
  // one, less the MVBs that fuse or are degraded.
  std::string
  scenario_text(const Options &o)
  {
    std::ostringstream text;
    if (o.benchmark_case == Case::mix)
      text << "subsection Geometry\n"
           << "  set Dimension = 3\n"
           << "  set Global refinements = " << o.level << "\n"
           << "end\n"
           << "subsection MVB\n"
           << "  set Initial number = " << o.n_mvbs << "\n"
           << (o.births ? ""
                        : "  subsection Birth\n"
                          "    set Birth rate = 0\n"
                          "  end\n")
           << "  subsection Tracks\n"
           << "    set Number of microtubules = " << o.n_microtubules << "\n"
           << "    set Actin filament density = "
           << mvb::to_text(o.actin_density) << "\n"
           << "  end\n"
           << "end\n";
    else
      text << "subsection Geometry\n"
           << "  set Dimension = 3\n"
           << "  set Shape = round cell\n"
           << "  set Global refinements = " << o.level << "\n"
           << "  subsection Round cell\n"
           << "    set Cell radius = 10\n"
           << "    set Nucleus radius = 0.1\n"
           << "  end\n"
           << "end\n"
           << "subsection Time stepping\n"
           << "  set Time step = 0.01\n"
           << "end\n"
           << "subsection MVB\n"
           << "  set Initial number = " << o.n_mvbs << "\n"
           << "  set Steps per field step = 1\n"
           << "  subsection Motion\n"
           << "    set Diffusion coefficient = 0.01\n"
           << "  end\n"
           << "  subsection Birth\n"
           << "    set Birth rate = 0\n"
           << "  end\n"
           << "  subsection Transitions\n"
           << "    set Microtubule binding rate = 0\n"
           << "    set Actin binding rate = 0\n"
           << "    set Docking rate = 0\n"
           << "  end\n"
           << "  subsection Fusion\n"
           << "    set Basal fusion rate = 0\n"
           << "  end\n"
           << "  subsection Degradation\n"
           << "    set Lysosome rate = 0\n"
           << "    set Autophagy rate = 0\n"
           << "  end\n"
           << "  subsection Tracks\n"
           << "    set Number of microtubules = 0\n"
           << "    set Actin filament density = 0\n"
           << "  end\n"
           << "end\n";
    return text.str();
  }

  /**
   * Points uniform in the cytoplasm of @p geometry, the membrane clearance
   * away from both membranes: the same on every rank (one seeded stream).
   */
  std::vector<Point<3>>
  uniform_points(const mvb::mesh::CellGeometry<3> &geometry,
                 const unsigned int                n,
                 const double                      clearance)
  {
    const BoundingBox<3> box = geometry.plasma_membrane().bounding_box();
    std::mt19937_64      random(1);
    std::vector<std::uniform_real_distribution<double>> coordinate;
    for (unsigned int d = 0; d < 3; ++d)
      coordinate.emplace_back(box.get_boundary_points().first[d],
                              box.get_boundary_points().second[d]);
    std::vector<Point<3>> points;
    points.reserve(n);
    while (points.size() < n)
      {
        Point<3> x;
        for (unsigned int d = 0; d < 3; ++d)
          x[d] = coordinate[d](random);
        if (geometry.in_cytoplasm(x, clearance))
          points.push_back(x);
      }
    return points;
  }

  /**
   * One TimerOutput for the set-up and one for the MVB steps. They live in
   * run(), which ends them before an exception leaves it.
   */
  struct Timers
  {
    Timers(const MPI_Comm communicator, ConditionalOStream &pcout)
        : setup(communicator,
                pcout,
                TimerOutput::never,
                TimerOutput::wall_times)
        , steps(communicator,
                pcout,
                TimerOutput::never,
                TimerOutput::wall_times)
    {
    }

    TimerOutput setup, steps;
  };

  void
  measure(const Options            &o,
          const mvb::RunParameters &parameters,
          Timers                   &timers,
          ConditionalOStream       &pcout,
          const MPI_Comm            communicator)
  {
    constexpr int      dim     = 3;
    const unsigned int n_ranks = Utilities::MPI::n_mpi_processes(communicator);
    const auto         sum     = [&](const double x) {
      return Utilities::MPI::sum(x, communicator);
    };
    const double MB = 1024. * 1024.;

    // One-off set-up, as Simulator::setup_geometry(), setup_fields() and
    // setup_mvbs() do it.
    TimerOutput                              &setup_timer = timers.setup;
    parallel::distributed::Triangulation<dim> triangulation(
      communicator,
      typename Triangulation<dim>::MeshSmoothing(
        Triangulation<dim>::smoothing_on_refinement |
        Triangulation<dim>::smoothing_on_coarsening));
    mvb::mesh::CellGeometry<dim> geometry(parameters.geometry);
    {
      TimerOutput::Scope scope(setup_timer, "mesh");
      geometry.create_mesh(triangulation);
    }
    MappingQCache<dim> field_mapping(parameters.geometry.mapping_degree);
    {
      TimerOutput::Scope scope(setup_timer, "mapping cache");
      field_mapping.initialize(geometry.mapping(), triangulation);
    }

    const mvb::physics::MvbParameters &m = parameters.mvbs;
    const mvb::mesh::TrackParameters  &t = parameters.tracks;
    const double                       deviation =
      std::max(geometry.plasma_membrane().max_deviation(),
               geometry.nuclear_envelope().max_deviation());
    if (m.membrane_clearance <= deviation)
      throw mvb::InputError(
        "--level " + std::to_string(o.level) +
        ": the curved mesh strays up to " + mvb::to_text(deviation) +
        " um from its facets, not less than the "
        "membrane clearance (" +
        mvb::to_text(m.membrane_clearance) + " um); use a larger level");
    std::unique_ptr<mvb::mesh::TrackNetwork<dim>> tracks;
    {
      TimerOutput::Scope scope(setup_timer, "tracks");
      tracks = std::make_unique<mvb::mesh::TrackNetwork<dim>>(
        mvb::mesh::generate_track_network(t,
                                          geometry,
                                          m.seed,
                                          m.membrane_clearance));
      mvb::mesh::check_tracks_inside(*tracks,
                                     geometry,
                                     m.membrane_clearance,
                                     "MVB/Tracks/Number of microtubules",
                                     std::to_string(t.n_microtubules));
    }
    const unsigned int n_microtubules =
      tracks->n_tracks(TrackType::microtubule);
    const unsigned int n_actin = tracks->n_tracks(TrackType::actin);

    // Steps of the length a run takes (Time step / Steps per field step),
    // one per call of advance(). The parameters must outlive the population,
    // which keeps a reference.
    const double dt = parameters.time.time_step / m.steps_per_field_step;
    mvb::physics::MvbParameters mvb_prm = m;
    mvb_prm.steps_per_field_step        = 1;
    mvb::physics::LocalFields stand_in;
    stand_in.values = m.stand_in;

    TimerOutput &timer      = timers.steps;
    auto         population = std::make_unique<mvb::MvbPopulation<dim>>(
      mvb_prm,
      geometry,
      *tracks,
      t.capture_radius,
      triangulation,
      field_mapping,
      parameters.geometry.mapping_degree,
      timer);

    // The coupling: constant values, or the finite element fields of the
    // default species (set up, never stepped).
    std::unique_ptr<mvb::FieldSolver<dim>>   fields;
    std::unique_ptr<mvb::FieldCoupling<dim>> coupling;
    if (o.coupled)
      {
        TimerOutput::Scope       scope(setup_timer, "fields");
        mvb::FieldSolverSettings settings;
        settings.fe_degree = parameters.fields.fe_degree;
        settings.time_step = parameters.time.time_step;
        fields             = std::make_unique<mvb::FieldSolver<dim>>(
          triangulation,
          field_mapping,
          parameters.species.template create_models<dim>(
            parameters.time.start_time),
          settings,
          setup_timer);
        fields->setup();
        fields->initialize(parameters.time.start_time);
        coupling = std::make_unique<mvb::FiniteElementFields<dim>>(
          *fields,
          population->cell_locator(),
          stand_in);
      }
    else
      coupling = std::make_unique<mvb::ConstantFields<dim>>(stand_in);

    const std::string case_name =
      o.benchmark_case == Case::mix ? "mix" : "free-diffusion";
    pcout << "MVB benchmark (" << case_name << "): "
          << (o.benchmark_case == Case::mix
                ? "default 3D cell"
                : "round cell, radius 10 um, nucleus 0.1 um")
          << ", " << o.level << " global refinements ("
          << triangulation.n_global_active_cells() << " cells), mapping degree "
          << parameters.geometry.mapping_degree << "\n"
          << "  MPI ranks           " << n_ranks << "\n"
          << "  MVBs                " << o.n_mvbs << " at the start ("
          << (o.benchmark_case == Case::mix ? "where newborns appear"
                                            : "uniform in the cytoplasm")
          << "), "
          << (o.births ? "born at " + mvb::to_text(m.birth_rate) + " per s"
                       : std::string("no births"))
          << "\n"
          << "  fields              "
          << (o.coupled ? "finite element (coupled, not stepped)"
                        : "constant stand-in values")
          << "\n"
          << "  microtubules        " << n_microtubules << " ("
          << tracks->total_length(TrackType::microtubule) << " um)\n"
          << "  actin filaments     " << n_actin << " ("
          << tracks->total_length(TrackType::actin) << " um)\n"
          << "  steps               " << o.n_steps << " of " << dt << " s, D "
          << m.diffusion_coefficient << " um^2/s" << std::endl;

    // Everything but the MVBs.
    const double base_memory = sum(peak_memory());
    {
      TimerOutput::Scope scope(setup_timer, "placing the MVBs");
      if (o.benchmark_case == Case::mix)
        population->initialize(parameters.time.start_time);
      else
        population->initialize(parameters.time.start_time,
                               uniform_points(geometry,
                                              o.n_mvbs,
                                              m.membrane_clearance));
    }
    const auto owned_at_start =
      Utilities::MPI::min_max_avg(double(population->n_local()), communicator);
    const double population_memory = sum(peak_memory());

    const std::vector<double> phases_before =
      population->phase_times().seconds();
    const auto engine_before  = population->statistics();
    const auto stepper_before = population->stepper().statistics();
    // CPU time over wall time of the steps: well below 1, other work shared
    // the cores and the times are too long.
    const double       wall_start = MPI_Wtime();
    const std::clock_t cpu_start  = std::clock();
    for (unsigned int n = 0; n < o.n_steps; ++n)
      population->advance(dt, *coupling);
    const double wall = MPI_Wtime() - wall_start;
    const double cpu_share =
      Utilities::MPI::min(double(std::clock() - cpu_start) / CLOCKS_PER_SEC /
                            std::max(1e-9, wall),
                          communicator);
    const auto                     engine  = population->statistics();
    const auto                     stepper = population->stepper().statistics();
    const std::vector<std::string> phase_names =
      population->phase_times().names();
    std::vector<double> phase_seconds = population->phase_times().seconds();
    for (unsigned int k = 0; k < phase_seconds.size(); ++k)
      phase_seconds[k] -= phases_before[k];

    const mvb::MvbCounts counts    = population->counts();
    const unsigned long  misplaced = population->count_misplaced();
    const auto           owned_at_end =
      Utilities::MPI::min_max_avg(double(population->n_local()), communicator);
    const double       peak = sum(peak_memory());
    const SectionTimes data =
      timer.get_summary_data(TimerOutput::total_wall_time);
    const SectionTimes setup_data =
      setup_timer.get_summary_data(TimerOutput::total_wall_time);
    population.reset();

    AssertThrow(data.count(engine_section) == 1,
                ExcMessage("MvbPopulation no longer times the section '" +
                           engine_section + "'; update mvb_benchmark.cc"));
    // The section (which starts with a barrier: a rank with more MVBs makes
    // the others wait in it) is the step's time; its phases are the slowest
    // rank's each.
    const double                  step_total = section(data, engine_section);
    std::map<std::string, double> phase;
    for (unsigned int k = 0; k < phase_names.size(); ++k)
      phase[phase_names[k]] =
        Utilities::MPI::max(phase_seconds[k], communicator);

    const double mvb_steps =
      sum(double(engine.mvb_steps - engine_before.mvb_steps));
    const double per_mvb_step = 1 / std::max(1., mvb_steps);
    const double searches =
      sum(double(stepper.membrane_searches - stepper_before.membrane_searches));
    const double queries =
      sum(double(stepper.track_queries - stepper_before.track_queries));
    const double relocations =
      sum(double(engine.relocations - engine_before.relocations));
    const double cell_searches =
      sum(double(engine.searches - engine_before.searches));
    const double sent = sum(double(engine.sent - engine_before.sent));
    const double lost = sum(double(engine.lost - engine_before.lost));

    const double ms        = 1000. / o.n_steps;
    const double ns        = 1e9 * per_mvb_step;
    const double mean_mvbs = mvb_steps / o.n_steps;
    const double rate      = mvb_steps / std::max(1e-12, step_total);
    const double bytes_per_mvb =
      o.n_mvbs > 0 ? (population_memory - base_memory) / o.n_mvbs : 0.;
    const double s_place =
      Utilities::MPI::max(section(setup_data, "placing the MVBs"),
                          communicator);

    pcout << std::fixed << std::setprecision(0) << "MVBs per rank         "
          << owned_at_start.min << " to " << owned_at_start.max
          << " at the start, " << owned_at_end.min << " to " << owned_at_end.max
          << " at the end\n"
          << std::setprecision(4)
          << "Wall time per step (ms, slowest rank, mean of " << o.n_steps
          << " steps of " << std::setprecision(0) << mean_mvbs
          << " MVBs on average)\n"
          << std::setprecision(4);
    for (const std::string &name : phase_names)
      pcout << "  " << std::left << std::setw(24) << name << std::right
            << ms * phase[name] << "\n";
    pcout << "  total                   " << ms * step_total
          << " (the whole of advance(), slowest rank)\n"
          << std::setprecision(0) << "MVB-steps per second  " << rate << "\n"
          << std::setprecision(1) << "Wall time per MVB-step (ns)\n";
    for (const std::string &name : phase_names)
      pcout << "  " << std::left << std::setw(24) << name << std::right
            << ns * phase[name] << "\n";
    pcout << "  total                   " << ns * step_total << "\n"
          << std::setprecision(4) << "Work per MVB-step\n"
          << "  membrane searches       " << searches * per_mvb_step << "\n"
          << "  track queries           " << queries * per_mvb_step << "\n"
          << "  relocations             " << relocations * per_mvb_step
          << " (of which cell searches " << cell_searches * per_mvb_step
          << ")\n"
          << "  sent to another rank    " << sent * per_mvb_step << "\n"
          << "  beyond the ghost layer  " << lost * per_mvb_step << "\n"
          << std::setprecision(0) << "MVBs at the end       " << counts.total
          << " (free " << counts.per_mode[0] << ", kinesin "
          << counts.per_mode[1] << ", dynein " << counts.per_mode[2]
          << ", myosin " << counts.per_mode[3] << ", docked "
          << counts.per_mode[4] << "; fused " << counts.books.fusions
          << ", degraded " << counts.books.degradations() << ")\n"
          << "  misplaced           " << misplaced
          << " (outside the cytoplasm, off their track, or not on the rank "
             "of their cell)\n"
          << "CPU share of the steps " << 100 * cpu_share
          << " % (the lowest rank's CPU time over wall time; well below 100 %, "
          << "other work shared the cores)\n"
          << std::setprecision(3) << "One-off wall time (s)\n"
          << "  mesh                " << section(setup_data, "mesh") << "\n"
          << "  mapping cache       " << section(setup_data, "mapping cache")
          << "\n"
          << "  tracks              " << section(setup_data, "tracks") << "\n"
          << "  placing the MVBs    " << s_place << "\n"
          << std::setprecision(1) << "Peak memory (VmHWM, sum over ranks)\n"
          << "  without MVBs        " << base_memory / MB << " MB\n"
          << "  with the MVBs       " << population_memory / MB << " MB ("
          << bytes_per_mvb << " bytes per MVB)\n"
          << "  at the end          " << peak / MB << " MB" << std::endl;

    std::ostringstream line;
    line << std::fixed << std::setprecision(4) << "BENCHMARK case=" << case_name
         << " coupled=" << int(o.coupled) << " births=" << int(o.births)
         << " mvbs=" << o.n_mvbs << " microtubules=" << n_microtubules
         << " actin=" << n_actin << " ranks=" << n_ranks
         << " steps=" << o.n_steps << " level=" << o.level
         << " cells=" << triangulation.n_global_active_cells()
         << " mean_mvbs=" << mean_mvbs << " ms_step=" << ms * step_total;
    for (const std::string &name : phase_names)
      {
        std::string key = name;
        for (char &c : key)
          if (c == ' ')
            c = '_';
        line << " ms_" << key << "=" << ms * phase[name];
      }
    line << std::setprecision(0) << " mvb_steps_per_s=" << rate
         << std::setprecision(1) << " ns_total=" << ns * step_total
         << std::setprecision(4)
         << " searches_per_step=" << searches * per_mvb_step
         << " queries_per_step=" << queries * per_mvb_step
         << " relocations_per_step=" << relocations * per_mvb_step
         << " sent_per_step=" << sent * per_mvb_step << std::setprecision(0)
         << " owned_min=" << owned_at_start.min
         << " owned_max=" << owned_at_start.max << " left=" << counts.total
         << " lost=" << lost << " misplaced=" << misplaced
         << std::setprecision(2) << " cpu=" << cpu_share << std::setprecision(1)
         << " peak_MB=" << peak / MB << " bytes_per_mvb=" << bytes_per_mvb
         << std::setprecision(3) << " s_place=" << s_place;
    pcout << line.str() << std::endl;
  }

  void
  run(const Options &o, const MPI_Comm communicator)
  {
    ParameterHandler prm;
    mvb::RunParameters::declare_parameters(prm);
    mvb::ScenarioInput input;
    input.file = "mvb_benchmark settings";
    input.text = scenario_text(o);
    mvb::RunParameters parameters;
    parameters.parse(prm, input);

    ConditionalOStream pcout(std::cout,
                             Utilities::MPI::this_mpi_process(communicator) ==
                               0);
    mvb::benchmarks::with_timers(
      [&]() {
        return Timers(communicator, pcout);
      },
      [&](Timers &timers) {
        measure(o, parameters, timers, pcout, communicator);
      });
  }
} // namespace

int
main(int argc, char **argv)
{
  return mvb::benchmarks::benchmark_main(argc,
                                         argv,
                                         "mvb_benchmark",
                                         parse_options,
                                         usage,
                                         run);
}
