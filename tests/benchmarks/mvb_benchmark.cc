// Benchmark of the MVB particles (mvb::MvbPopulation<3>) on the built-in
// default cell: MVB-steps per second and the cost of one MVB-step split into
// motion, track search, transitions and particle migration, for one number of
// MVBs and one track network on however many MPI ranks it is started with.
// No field is solved: the MVBs see constant field values. See README.md in
// this folder for how to run it and read the figures.

#include <mesh/cell_geometry.h>
#include <mesh/track_network.h>
#include <physics/mvb_kinetics.h>
#include <physics/mvb_parameters.h>
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

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <exception>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace
{
  using mvb::benchmarks::peak_memory;

  using namespace dealii;
  using mvb::mesh::TrackType;

  struct Options
  {
    unsigned int n_mvbs         = 10000;
    unsigned int n_microtubules = 100;
    double       actin_density  = 0.5; // 1/um^2
    unsigned int n_steps        = 20;
    unsigned int level          = 2;
    bool         help           = false;
  };

  std::string
  usage()
  {
    return "Usage: mvb_benchmark [--mvbs N] [--microtubules N] "
           "[--actin-density D]\n"
           "                     [--steps N] [--level L]\n"
           "Times mvb::MvbPopulation<3> (motion, track search, transitions, "
           "migration)\non the built-in default cell with constant field "
           "values; start it with\nmpirun -np R.\n"
           "  --mvbs N           MVBs placed at the start, no births "
           "(default 10000)\n"
           "  --microtubules N   microtubules grown from the MTOC (default "
           "100)\n"
           "  --actin-density D  cortical actin filaments per um^2 of plasma "
           "membrane\n"
           "                     (default 0.5)\n"
           "  --steps N          MVB steps of 0.05 s timed (default 20)\n"
           "  --level L          global refinements of the cell (default 2)\n";
  }

  unsigned int
  parse_count(const std::string  &option,
              const std::string  &value,
              const unsigned long maximum)
  {
    std::size_t   end = 0;
    unsigned long n   = 0;
    try
      {
        n = std::stoul(value, &end);
      }
    catch (const std::exception &)
      {
        end = 0;
      }
    if (end == 0 || end != value.size() || value[0] == '-' || n > maximum)
      throw mvb::InputError(option + " " + value +
                            ": not a whole number from 0 to " +
                            std::to_string(maximum));
    return static_cast<unsigned int>(n);
  }

  double
  parse_density(const std::string &option, const std::string &value)
  {
    std::size_t end = 0;
    double      x   = -1;
    try
      {
        x = std::stod(value, &end);
      }
    catch (const std::exception &)
      {
        end = 0;
      }
    if (end == 0 || end != value.size() || !std::isfinite(x) || x < 0 ||
        x > 1000)
      throw mvb::InputError(option + " " + value +
                            ": not a number from 0 to 1000");
    return x;
  }

  Options
  parse_options(const std::vector<std::string> &args)
  {
    Options o;
    for (std::size_t i = 0; i < args.size(); ++i)
      {
        const std::string &option = args[i];
        if (option == "--help" || option == "-h")
          {
            o.help = true;
            continue;
          }
        if (option != "--mvbs" && option != "--microtubules" &&
            option != "--actin-density" && option != "--steps" &&
            option != "--level")
          throw mvb::InputError("unknown option '" + option +
                                "'; see mvb_benchmark --help");
        if (i + 1 == args.size())
          throw mvb::InputError(option + " needs a value");
        const std::string &value = args[++i];
        if (option == "--mvbs")
          o.n_mvbs = parse_count(option, value, 10000000);
        else if (option == "--microtubules")
          o.n_microtubules = parse_count(option, value, 100000);
        else if (option == "--actin-density")
          o.actin_density = parse_density(option, value);
        else if (option == "--steps")
          o.n_steps = parse_count(option, value, 1000000);
        else
          o.level = parse_count(option, value, 8);
      }
    if (o.n_steps == 0)
      throw mvb::InputError("--steps 0: give at least one step");
    if (o.n_mvbs == 0)
      throw mvb::InputError("--mvbs 0: give at least one MVB");
    return o;
  }

  // The built-in default scenario with the benchmark's settings, as a
  // scenario file would give them, so that RunParameters checks them. No
  // births: the population is the initial one, less the MVBs that fuse or
  // are degraded.
  std::string
  scenario_text(const Options &o)
  {
    std::ostringstream text;
    text << "subsection Geometry\n"
         << "  set Dimension = 3\n"
         << "  set Global refinements = " << o.level << "\n"
         << "end\n"
         << "subsection MVB\n"
         << "  set Initial number = " << o.n_mvbs << "\n"
         << "  subsection Birth\n"
         << "    set Birth rate = 0\n"
         << "  end\n"
         << "  subsection Tracks\n"
         << "    set Number of microtubules = " << o.n_microtubules << "\n"
         << "    set Actin filament density = " << mvb::to_text(o.actin_density)
         << "\n"
         << "  end\n"
         << "end\n";
    return text.str();
  }

  using SectionTimes = std::map<std::string, double>;

  double
  section(const SectionTimes &times, const std::string &name)
  {
    const auto it = times.find(name);
    return it == times.end() ? 0. : it->second;
  }

  // The population's timer sections (solver/mvb_population.cc).
  const std::string fields_name    = "MVBs: field values";
  const std::string stepping_name  = "MVBs: motion and transitions";
  const std::string migration_name = "MVBs: migration";
  const std::string births_name    = "MVBs: births";
  // The benchmark's own.
  const std::string motion_name        = "benchmark: motion";
  const std::string search_name        = "benchmark: track search";
  const std::string microtubules_name  = "benchmark: microtubule queries";
  const std::string actin_queries_name = "benchmark: actin queries";

  /** The same parameters with every transition rate (T2-T9) zero. */
  mvb::physics::MvbParameters
  without_transitions(const mvb::physics::MvbParameters &prm)
  {
    mvb::physics::MvbParameters p = prm;
    p.microtubule_binding_rate    = 0;
    p.switching_to_dynein         = 0;
    p.switching_to_kinesin        = 0;
    p.microtubule_unbinding_rate  = 0;
    p.actin_binding_rate          = 0;
    p.actin_unbinding_rate        = 0;
    p.docking_rate                = 0;
    p.undocking_rate              = 0;
    p.basal_fusion_rate           = 0;
    p.lysosome_rate               = 0;
    p.autophagy_rate              = 0;
    return p;
  }

  /** An MVB's state from its particle properties (as MvbPopulation reads). */
  template <int dim>
  mvb::physics::MvbState
  state_of(const ArrayView<const double> &p)
  {
    using P = mvb::MvbPopulation<dim>;
    mvb::physics::MvbState s;
    s.mode =
      static_cast<mvb::physics::MvbMode>(static_cast<unsigned int>(p[P::mode]));
    s.track     = static_cast<int>(p[P::track]);
    s.arc       = p[P::arc];
    s.ilv_count = p[P::ilv_count];
    s.cargo     = p[P::cargo];
    s.chi_lm    = p[P::chi_lm];
    s.chi_ilv   = p[P::chi_ilv];
    s.rab7      = p[P::rab7];
    s.age       = p[P::age];
    return s;
  }

  /** Track queries and the tracks they returned. */
  struct QueryCount
  {
    unsigned long queries = 0;
    unsigned long hits    = 0;
  };

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
    constexpr int dim          = 3;
    using Population           = mvb::MvbPopulation<dim>;
    using Hit                  = mvb::mesh::TrackNetwork<dim>::Hit;
    const unsigned int n_ranks = Utilities::MPI::n_mpi_processes(communicator);
    const auto         sum     = [&](const double x) {
      return Utilities::MPI::sum(x, communicator);
    };
    const double MB = 1024. * 1024.;

    // One-off set-up, as Simulator::setup_geometry(), setup_fields() (its
    // mapping cache) and setup_mvbs() do it.
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
    // Mesh, mapping cache, membranes and tracks: everything but the MVBs.
    const double base_memory = sum(peak_memory());

    // Steps of the length a run takes (Time step / Steps per field step),
    // one per call of advance(). The parameters must outlive the population,
    // which keeps a reference.
    const double dt = parameters.time.time_step / m.steps_per_field_step;
    mvb::physics::MvbParameters full_prm = m;
    full_prm.steps_per_field_step        = 1;
    mvb::physics::LocalFields stand_in;
    stand_in.calcium     = m.stand_in_calcium;
    stand_in.cholesterol = m.stand_in_cholesterol;
    stand_in.cargo       = m.stand_in_cargo;
    mvb::ConstantFields<dim> sampler(stand_in);
    // Motion alone: a stepper with every transition rate zero, seeded like
    // the population's, so that it draws the same Brownian displacements.
    const mvb::physics::MvbParameters motion_prm =
      without_transitions(full_prm);
    const mvb::physics::MvbKinetics motion_kinetics(motion_prm);
    const mvb::MvbStepper<dim>      motion_stepper(motion_kinetics,
                                              geometry,
                                              *tracks,
                                              t.capture_radius,
                                              m.seed);

    pcout << "MVB benchmark: default 3D cell, " << o.level
          << " global refinements (" << triangulation.n_global_active_cells()
          << " cells), mapping degree " << parameters.geometry.mapping_degree
          << "\n"
          << "  MPI ranks           " << n_ranks << "\n"
          << "  MVBs                " << o.n_mvbs
          << " at the start, no births\n"
          << "  microtubules        " << n_microtubules << " ("
          << tracks->total_length(TrackType::microtubule) << " um)\n"
          << "  actin filaments     " << n_actin << " ("
          << tracks->total_length(TrackType::actin) << " um; "
          << o.actin_density << " per um^2 of "
          << geometry.plasma_membrane().measure() << " um^2)\n"
          << "  steps               " << o.n_steps << " of " << dt << " s"
          << std::endl;

    TimerOutput &timer      = timers.steps;
    auto         population = std::make_unique<Population>(full_prm,
                                                   geometry,
                                                   *tracks,
                                                   t.capture_radius,
                                                   triangulation,
                                                   field_mapping,
                                                   timer);
    // MVBs that the particle handler's sort could not place (the population
    // places them again with a search over the whole mesh,
    // MvbPopulation::relocate_lost()).
    unsigned long local_lost = 0;
    population->particle_handler().signals.particle_lost.connect(
      [&local_lost](const auto &, const auto &) {
        ++local_lost;
      });
    {
      TimerOutput::Scope scope(setup_timer, "placing the MVBs");
      population->initialize(parameters.time.start_time);
    }
    const SectionTimes after_placement =
      timer.get_summary_data(TimerOutput::total_wall_time);
    const auto owned_at_start = Utilities::MPI::min_max_avg(
      double(population->particle_handler().n_locally_owned_particles()),
      communicator);
    // The population alone, before the benchmark's own scratch space.
    const double population_memory = sum(peak_memory());

    struct Moved
    {
      Point<dim>             x;
      double                 clearance;
      mvb::physics::MvbState state;
    };
    std::vector<Moved>      moved;
    std::vector<Point<dim>> microtubule_points, actin_points;
    std::vector<Hit>        hits;
    hits.reserve(64);
    QueryCount stepper_microtubule, stepper_actin, every_microtubule,
      every_actin;
    const double cortex    = parameters.geometry.cortex_thickness;
    const double radius    = t.capture_radius;
    double       mvb_steps = 0; // sum over the steps of the MVBs stepped
    // CPU time over wall time of the steps: well below 1, other work shared
    // the cores and the times are too long.
    const double       wall_start = MPI_Wtime();
    const std::clock_t cpu_start  = std::clock();
    for (unsigned int n = 0; n < o.n_steps; ++n)
      {
        const Particles::ParticleHandler<dim> &particles =
          population->particle_handler();
        mvb_steps += double(particles.n_global_particles());

        // Motion alone, on the MVBs as they are: the population's loop
        // (MvbPopulation::advance()) with the stepper that has no
        // transitions; maturation included. The result goes to scratch
        // space, the population is not changed.
        {
          TimerOutput::Scope  scope(timer, motion_name);
          const std::uint64_t step = population->step_number();
          moved.clear();
          for (const auto &particle : particles)
            {
              const auto                       p = particle.get_properties();
              mvb::physics::MvbState           s = state_of<dim>(p);
              mvb::physics::MaturationExchange exchange;
              motion_kinetics.mature(s, stand_in, dt, exchange);
              Point<dim> x     = particle.get_location();
              double     bound = p[Population::clearance];
              motion_stepper
                .advance(particle.get_id(), step, dt, stand_in, x, s, bound);
              moved.push_back({x, bound, s});
            }
        }

        // Where the stepper will look for tracks at the start of this step
        // (MvbStepper::advance()): microtubules around every free MVB,
        // actin around the free ones in the cortex. The depth is looked up
        // (untimed) only where the stepper's clearance bound cannot rule
        // the cortex out, as the stepper does.
        microtubule_points.clear();
        actin_points.clear();
        for (const auto &particle : particles)
          {
            const auto p = particle.get_properties();
            if (state_of<dim>(p).mode != mvb::physics::MvbMode::free)
              continue;
            const Point<dim> x = particle.get_location();
            microtubule_points.push_back(x);
            if (p[Population::clearance] < cortex &&
                geometry.depth_below_plasma_membrane(x) <= cortex)
              actin_points.push_back(x);
          }
        {
          TimerOutput::Scope scope(timer, search_name);
          for (const Point<dim> &x : microtubule_points)
            {
              tracks->tracks_near(x, radius, TrackType::microtubule, hits);
              stepper_microtubule.hits += hits.size();
            }
          for (const Point<dim> &x : actin_points)
            {
              tracks->tracks_near(x, radius, TrackType::actin, hits);
              stepper_actin.hits += hits.size();
            }
          stepper_microtubule.queries += microtubule_points.size();
          stepper_actin.queries += actin_points.size();
        }

        // One query of each type at every MVB, free or not, in the cortex
        // or not: the cost of a query, to compare between track networks.
        {
          TimerOutput::Scope scope(timer, microtubules_name);
          for (const auto &particle : particles)
            {
              tracks->tracks_near(particle.get_location(),
                                  radius,
                                  TrackType::microtubule,
                                  hits);
              every_microtubule.hits += hits.size();
              ++every_microtubule.queries;
            }
        }
        {
          TimerOutput::Scope scope(timer, actin_queries_name);
          for (const auto &particle : particles)
            {
              tracks->tracks_near(particle.get_location(),
                                  radius,
                                  TrackType::actin,
                                  hits);
              every_actin.hits += hits.size();
              ++every_actin.queries;
            }
        }

        // The real step: motion, track search and transitions together,
        // then migration.
        population->advance(dt, sampler);
      }
    const double cpu_share =
      Utilities::MPI::min(double(std::clock() - cpu_start) / CLOCKS_PER_SEC /
                            std::max(1e-9, MPI_Wtime() - wall_start),
                          communicator);
    const mvb::MvbCounts counts       = population->counts();
    const unsigned long  misplaced    = population->count_misplaced();
    const auto           owned_at_end = Utilities::MPI::min_max_avg(
      double(population->particle_handler().n_locally_owned_particles()),
      communicator);
    const double       lost = sum(double(local_lost));
    const double       peak = sum(peak_memory());
    const SectionTimes data =
      timer.get_summary_data(TimerOutput::total_wall_time);
    const SectionTimes setup_data =
      setup_timer.get_summary_data(TimerOutput::total_wall_time);
    population.reset();

    for (const std::string &name :
         {fields_name, stepping_name, migration_name, births_name})
      AssertThrow(data.count(name) == 1,
                  ExcMessage("MvbPopulation no longer times the section '" +
                             name + "'; update mvb_benchmark.cc"));
    // Section totals, the slowest rank's (a section starts with a barrier,
    // so a rank with more MVBs makes the others wait in it).
    const auto slowest = [&](const SectionTimes &times,
                             const std::string  &name) {
      return Utilities::MPI::max(section(times, name), communicator);
    };
    const double stepping  = slowest(data, stepping_name);
    const double migration = slowest(data, migration_name);
    const double other =
      slowest(data, fields_name) +
      (slowest(data, births_name) - slowest(after_placement, births_name));
    const double step_total  = stepping + migration + other;
    const double motion      = slowest(data, motion_name);
    const double search      = slowest(data, search_name);
    const double transitions = stepping - motion - search;

    const double ms        = 1000. / o.n_steps;
    const double ns        = 1e9 / mvb_steps;
    const double mean_mvbs = mvb_steps / o.n_steps;
    const double rate      = mvb_steps / step_total;
    const double removed   = double(o.n_mvbs) - counts.total;
    // Queries are counted on each rank: the time of a query is the slowest
    // rank's time over its own number of queries.
    const auto per_query = [&](const std::string &name, const QueryCount &q) {
      const double time = section(data, name);
      return Utilities::MPI::max(q.queries > 0 ? 1e9 * time / q.queries : 0.,
                                 communicator);
    };
    const auto mean_hits = [&](const QueryCount &q) {
      return sum(double(q.hits)) / std::max(1., sum(double(q.queries)));
    };
    const double ns_query_mt = per_query(microtubules_name, every_microtubule);
    const double ns_query_actin = per_query(actin_queries_name, every_actin);
    const double hits_mt        = mean_hits(every_microtubule);
    const double hits_actin     = mean_hits(every_actin);
    const double stepper_mt     = sum(double(stepper_microtubule.queries));
    const double stepper_act    = sum(double(stepper_actin.queries));
    const double stepper_hits =
      sum(double(stepper_microtubule.hits + stepper_actin.hits));
    const double queries_per_step = (stepper_mt + stepper_act) / mvb_steps;
    const double bytes_per_mvb = (population_memory - base_memory) / o.n_mvbs;

    pcout << std::fixed << std::setprecision(0) << "MVBs per rank         "
          << owned_at_start.min << " to " << owned_at_start.max
          << " at the start, " << owned_at_end.min << " to " << owned_at_end.max
          << " at the end\n"
          << std::setprecision(3)
          << "Wall time per step (ms, slowest rank, mean of " << o.n_steps
          << " steps of " << mean_mvbs << " MVBs on average)\n"
          << "  motion              " << ms * motion
          << " (stepper without transitions, maturation included)\n"
          << "  track search        " << ms * search << " ("
          << stepper_mt / o.n_steps << " microtubule and "
          << stepper_act / o.n_steps
          << " actin queries per step, as the stepper makes them)\n"
          << "  transitions         " << ms * transitions
          << " (motion and transitions " << ms * stepping
          << " less motion and track search)\n"
          << "  migration           " << ms * migration << "\n"
          << "  field values, births " << ms * other << "\n"
          << "  total               " << ms * step_total << "\n"
          << "MVB-steps per second  " << std::setprecision(0) << rate << "\n"
          << std::setprecision(1) << "Wall time per MVB-step (ns)\n"
          << "  motion              " << ns * motion << "\n"
          << "  track search        " << ns * search << "\n"
          << "  transitions         " << ns * transitions << "\n"
          << "  migration           " << ns * migration << "\n"
          << "  field values, births " << ns * other << "\n"
          << "  total               " << ns * step_total << "\n"
          << "Track queries at every MVB (ns per query, slowest rank; tracks "
          << "found per query)\n"
          << "  microtubules        " << ns_query_mt << "; "
          << std::setprecision(3) << hits_mt << "\n"
          << std::setprecision(1) << "  actin               " << ns_query_actin
          << "; " << std::setprecision(3) << hits_actin << "\n"
          << "  as the stepper makes them: " << queries_per_step
          << " per MVB-step, "
          << stepper_hits / std::max(1., stepper_mt + stepper_act)
          << " tracks found per query\n"
          << std::setprecision(0) << "MVBs at the end       " << counts.total
          << " (free " << counts.per_mode[0] << ", kinesin "
          << counts.per_mode[1] << ", dynein " << counts.per_mode[2]
          << ", myosin " << counts.per_mode[3] << ", docked "
          << counts.per_mode[4] << "; fused " << counts.fusions << ", degraded "
          << counts.degradations << ")\n"
          << "  lost by the sort    " << lost << " (" << std::setprecision(2)
          << 100. * lost / mvb_steps
          << " % of the MVB-steps; placed again by a search of the whole "
          << "mesh)\n"
          << std::setprecision(0) << "  misplaced           " << misplaced
          << " (outside the cytoplasm or off their track)\n"
          << "CPU share of the steps " << 100 * cpu_share
          << " % (the lowest rank's CPU time over wall time; well below 100 %, "
          << "other work shared the cores)\n"
          << std::setprecision(3) << "One-off wall time (s)\n"
          << "  mesh                " << slowest(setup_data, "mesh") << "\n"
          << "  mapping cache       " << slowest(setup_data, "mapping cache")
          << "\n"
          << "  tracks              " << slowest(setup_data, "tracks") << "\n"
          << "  placing the MVBs    " << slowest(setup_data, "placing the MVBs")
          << "\n"
          << std::setprecision(1) << "Peak memory (VmHWM, sum over ranks)\n"
          << "  without MVBs        " << base_memory / MB << " MB\n"
          << "  with the MVBs       " << population_memory / MB << " MB ("
          << bytes_per_mvb << " bytes per MVB)\n"
          << "  at the end          " << peak / MB
          << " MB (with the benchmark's scratch space)" << std::endl;

    std::ostringstream line;
    line << std::fixed << std::setprecision(3) << "BENCHMARK mvbs=" << o.n_mvbs
         << " microtubules=" << n_microtubules << " actin=" << n_actin
         << " tracks=" << tracks->n_tracks() << " ranks=" << n_ranks
         << " steps=" << o.n_steps << " level=" << o.level
         << " cells=" << triangulation.n_global_active_cells()
         << " mean_mvbs=" << mean_mvbs << " ms_step=" << ms * step_total
         << " ms_motion=" << ms * motion << " ms_search=" << ms * search
         << " ms_transitions=" << ms * transitions
         << " ms_migration=" << ms * migration << " ms_other=" << ms * other
         << std::setprecision(0) << " mvb_steps_per_s=" << rate
         << std::setprecision(1) << " ns_total=" << ns * step_total
         << " ns_motion=" << ns * motion << " ns_search=" << ns * search
         << " ns_transitions=" << ns * transitions
         << " ns_migration=" << ns * migration << " ns_other=" << ns * other
         << " ns_query_mt=" << ns_query_mt
         << " ns_query_actin=" << ns_query_actin << std::setprecision(4)
         << " hits_mt=" << hits_mt << " hits_actin=" << hits_actin
         << " queries_per_mvb_step=" << queries_per_step << std::setprecision(0)
         << " owned_min=" << owned_at_start.min
         << " owned_max=" << owned_at_start.max << " left=" << counts.total
         << " removed=" << removed << " lost=" << lost
         << " misplaced=" << misplaced << std::setprecision(2)
         << " cpu=" << cpu_share << std::setprecision(1)
         << " peak_MB=" << peak / MB
         << " population_MB=" << population_memory / MB
         << " base_MB=" << base_memory / MB
         << " bytes_per_mvb=" << bytes_per_mvb << std::setprecision(3)
         << " s_tracks=" << slowest(setup_data, "tracks")
         << " s_place=" << slowest(setup_data, "placing the MVBs");
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
    // A TimerOutput destroyed while an exception is in flight warns instead
    // of ending normally: it ends first, as in solver/main.cc.
    std::exception_ptr failure;
    {
      Timers timers(communicator, pcout);
      try
        {
          measure(o, parameters, timers, pcout, communicator);
        }
      catch (...)
        {
          failure = std::current_exception();
        }
    }
    if (failure)
      std::rethrow_exception(failure);
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
