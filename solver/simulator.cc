#include <mesh/boundary_ids.h>
#include <postprocess/mesh_output.h>
#include <postprocess/regression_snapshot.h>
#include <solver/checkpoint.h>
#include <solver/field_coupling.h>
#include <solver/field_probes.h>
#include <solver/input_error.h>
#include <solver/mvb_population.h>
#include <solver/simulator.h>
#include <solver/step_controller.h>

#include <mvbsim_version.h>

#include <deal.II/base/utilities.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <optional>
#include <sstream>

namespace mvb
{
  namespace
  {
    // A column of a statistics row, by name.
    double
    row_value(const std::vector<std::pair<std::string, double>> &row,
              const std::string                                 &name)
    {
      for (const auto &[n, v] : row)
        if (n == name)
          return v;
      Assert(false, ExcInternalError());
      return 0.;
    }
  } // namespace

  template <int dim>
  Simulator<dim>::Simulator(const RunParameters      &parameters,
                            const ParameterHandler   &prm,
                            const ScenarioInput      &input,
                            const CommandLineOptions &options,
                            postprocess::RunLog      &log,
                            const MPI_Comm            communicator)
      : mpi_communicator(communicator)
      , parameters(parameters)
      , prm(prm)
      , input(input)
      , options(options)
      , log(log)
      , pcout(log.stream(), Utilities::MPI::this_mpi_process(communicator) == 0)
      , timer(mpi_communicator,
              pcout,
              TimerOutput::never,
              TimerOutput::wall_times)
      , triangulation(mpi_communicator,
                      typename Triangulation<dim>::MeshSmoothing(
                        Triangulation<dim>::smoothing_on_refinement |
                        Triangulation<dim>::smoothing_on_coarsening),
                      triangulation_settings<dim>(
                        parameters.fields.preconditioner))
      , geometry(parameters.geometry)
      , time_stepping(parameters.time)
  {
  }

  template <int dim>
  struct Simulator<dim>::RestoredOutput
  {
    std::vector<std::string>                                       columns;
    std::vector<std::vector<double>>                               rows;
    std::vector<double>                                            times;
    std::vector<std::vector<std::string>>                          grids;
    std::map<std::string, postprocess::RegressionSnapshot::Series> snapshot;
    std::vector<postprocess::Hdf5Dataset> snapshot_datasets;
  };

  template <int dim>
  Simulator<dim>::~Simulator() = default;

  template <int dim>
  std::string
  Simulator<dim>::output_directory() const
  {
    if (!options.restart_directory.empty())
      return options.restart_directory;
    return options.output_directory.empty() ? parameters.output.directory
                                            : options.output_directory;
  }

  template <int dim>
  void
  Simulator<dim>::check_output_directory() const
  {
    // --output and --restart take precedence over the entry, so the entry
    // may be empty when one of them is given.
    if (Utilities::trim(output_directory()).empty())
      throw InputError("Output/Directory",
                       "(empty)",
                       "names no directory",
                       "give the directory the run writes into, or --output "
                       "DIR");
  }

  template <int dim>
  void
  Simulator<dim>::print_header() const
  {
    const std::time_t now = std::time(nullptr);
    pcout << "mvbsim " << MVBSIM_VERSION << " (revision " << MVBSIM_GIT_REVISION
          << "), deal.II " << DEAL_II_PACKAGE_VERSION << "\n"
          << "  started     " << std::put_time(std::localtime(&now), "%F %T %Z")
          << "\n"
          << "  scenario    "
          << (input.file.empty() ? "built-in default" : input.file) << "\n"
          << "  dimension   " << dim << "\n"
          << "  MPI ranks   "
          << Utilities::MPI::n_mpi_processes(mpi_communicator) << "\n"
          << "  output      " << output_directory() << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::setup_geometry()
  {
    TimerOutput::Scope scope(timer, "setup geometry");
    geometry.create_mesh(triangulation);
  }

  template <int dim>
  void
  Simulator<dim>::print_geometry_summary() const
  {
    const mesh::MeshMeasures &m    = geometry.measures();
    const auto                area = [&](const types::boundary_id id) {
      const auto it = m.boundary_area.find(id);
      return it == m.boundary_area.end() ? 0. : it->second;
    };
    const char *volume_unit = (dim == 3 ? "um^3" : "um^2");
    const char *area_unit   = (dim == 3 ? "um^2" : "um");
    const auto &g           = parameters.geometry;
    const char *shape = g.shape == mesh::CellShape::spread_cell  ? "spread cell"
                        : g.shape == mesh::CellShape::round_cell ? "round cell"
                                                                 : "gmsh mesh";
    const Point<dim>  &mtoc = geometry.mtoc();
    std::ostringstream mtoc_text_stream;
    mtoc_text_stream << std::fixed << std::setprecision(3);
    for (unsigned int d = 0; d < dim; ++d)
      mtoc_text_stream << (d > 0 ? ", " : "")
                       << (std::abs(mtoc[d]) < 5e-4 ? 0. : mtoc[d]);
    const std::string mtoc_text = mtoc_text_stream.str();

    pcout << "Cell geometry: " << shape
          << (g.shape == mesh::CellShape::gmsh ? " " + g.mesh_file : "") << "\n"
          << "  cells               " << m.n_active_cells << " ("
          << g.global_refinements << " global refinements, mapping degree "
          << g.mapping_degree << ")\n"
          << "  cytoplasm           " << m.volume << ' ' << volume_unit << "\n"
          << "  plasma membrane     "
          << area(mesh::boundary_id::plasma_membrane) +
               area(mesh::boundary_id::synapse)
          << ' ' << area_unit << " (contact patch "
          << area(mesh::boundary_id::synapse) << ' ' << area_unit << ")\n"
          << "  nuclear envelope    "
          << area(mesh::boundary_id::nuclear_envelope) << ' ' << area_unit
          << "\n"
          << "  MTOC                (" << mtoc_text << ") um, "
          << geometry.distance_to_plasma_membrane(mtoc)
          << " um from the plasma membrane\n"
          << "  cortex thickness    " << g.cortex_thickness << " um"
          << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::setup_fields()
  {
    // Step control Automatic goes by the size of the fields.
    if (time_stepping.automatic)
      {
        DoFHandler<dim> count(triangulation);
        count.distribute_dofs(FE_Q<dim>(parameters.fields.fe_degree));
        time_stepping.choose_step_control(count.n_dofs());
      }
    FieldSolverSettings settings;
    settings.fe_degree      = parameters.fields.fe_degree;
    settings.scheme         = time_stepping.scheme;
    settings.time_step      = time_stepping.unit();
    settings.estimate_error = time_stepping.adaptive;
    settings.tolerance      = parameters.fields.tolerance;
    settings.max_iterations = parameters.fields.max_iterations;
    settings.preconditioner = parameters.fields.preconditioner;
    fields                  = std::make_unique<FieldSolver<dim>>(
      triangulation,
      geometry.mapping(),
      parameters.species.template create_models<dim>(time_stepping.start_time),
      settings,
      timer);
    fields->setup();
    pcout << "Fields: " << fields->n_species() << " species, "
          << fields->dof_handler().n_dofs() << " DoFs each, CG with "
          << name(fields->preconditioner())
          << (settings.preconditioner == FieldPreconditioner::automatic
                ? " (chosen automatically)"
                : "")
          << std::endl;
    fields->initialize(time_stepping.start_time);
    setup_probes();
  }

  template <int dim>
  void
  Simulator<dim>::setup_probes()
  {
    probes = std::make_unique<FieldProbes<dim>>(
      fields->dof_handler(),
      geometry.mapping(),
      parse_probe_points(parameters.output.probe_points,
                         geometry,
                         "Output/Probe points"),
      "Output/Probe points");
  }

  template <int dim>
  void
  Simulator<dim>::setup_coupling()
  {
    physics::LocalFields stand_in;
    stand_in.values = parameters.mvbs.stand_in;
    if (fields->n_species() > 0)
      coupling =
        std::make_unique<FiniteElementFields<dim>>(*fields,
                                                   mvbs->cell_locator(),
                                                   stand_in);
    else
      coupling = std::make_unique<ConstantFields<dim>>(stand_in);
  }

  template <int dim>
  void
  Simulator<dim>::print_field_summary() const
  {
    const auto &t = time_stepping;
    pcout << "Fields:";
    if (fields->n_species() == 0)
      pcout << " none (every species is switched off)";
    for (unsigned int k = 0; k < fields->n_species(); ++k)
      pcout << (k > 0 ? ", " : " ") << fields->model(k).name;
    pcout << "\n"
          << "  elements            FE_Q(" << parameters.fields.fe_degree
          << "), " << fields->dof_handler().n_dofs() << " DoFs per species\n"
          << "  time                " << t.start_time << " s to " << t.end_time
          << " s, ";
    if (t.adaptive)
      pcout << "adaptive steps of " << t.unit() << " to "
            << t.unit() * t.max_units << " s (BDF2, first " << t.time_step
            << " s, error tolerance " << t.error_tolerance << ")";
    else
      pcout << t.n_steps << " steps of " << t.time_step << " s ("
            << (t.scheme == TimeScheme::bdf1 ? "BDF1" : "BDF2") << ")";
    pcout << (parameters.time.automatic ? ", chosen automatically" : "")
          << "\n";
    pcout << "  output              every " << parameters.output.output_interval
          << " s" << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::setup_mvbs()
  {
    const auto &m = parameters.mvbs;
    if (!m.enabled)
      return;
    {
      TimerOutput::Scope scope(timer, "MVBs: tracks");
      // MVBs inside the membranes' facets by the clearance must be inside
      // the curved mesh: the facets stray from it by at most this.
      const double deviation =
        std::max(geometry.plasma_membrane().max_deviation(),
                 geometry.nuclear_envelope().max_deviation());
      if (m.membrane_clearance <= deviation)
        throw InputError("MVB/Motion/Membrane clearance",
                         to_text(m.membrane_clearance),
                         "is not larger than the distance between the curved "
                         "mesh boundary and its flat facets (" +
                           to_text(deviation) + " um)",
                         "raise the clearance, or refine the mesh "
                         "(Geometry/Global refinements)");
      const auto &t = parameters.tracks;
      if (t.from_file)
        {
          // Every rank reads the file; one that cannot must not fail alone.
          run_collectively(mpi_communicator, false, [&]() {
            tracks = std::make_unique<mesh::TrackNetwork<dim>>(
              mesh::TrackNetwork<dim>::read_text(t.file,
                                                 "MVB/Tracks/Track file"));
          });
          tracks->build_index();
        }
      else
        tracks = std::make_unique<mesh::TrackNetwork<dim>>(
          mesh::generate_track_network(t,
                                       geometry,
                                       m.seed,
                                       m.membrane_clearance));
      if (t.from_file)
        mesh::check_tracks_inside(*tracks,
                                  geometry,
                                  m.membrane_clearance,
                                  "MVB/Tracks/Track file",
                                  t.file);
      else
        mesh::check_tracks_inside(*tracks,
                                  geometry,
                                  m.membrane_clearance,
                                  "MVB/Tracks/Number of microtubules",
                                  std::to_string(t.n_microtubules));
    }
    mvbs =
      std::make_unique<MvbPopulation<dim>>(m,
                                           geometry,
                                           *tracks,
                                           parameters.tracks.capture_radius,
                                           triangulation,
                                           geometry.mapping(),
                                           parameters.geometry.mapping_degree,
                                           timer);
    setup_coupling();
    if (options.restart_directory.empty())
      mvbs->initialize(time_stepping.start_time);
  }

  template <int dim>
  void
  Simulator<dim>::print_mvb_summary() const
  {
    if (!mvbs)
      {
        pcout << "MVBs: none (MVB/Enable = false)" << std::endl;
        return;
      }
    const auto &m = parameters.mvbs;
    pcout << "MVBs:\n"
          << "  microtubules        "
          << tracks->n_tracks(mesh::TrackType::microtubule) << " ("
          << tracks->total_length(mesh::TrackType::microtubule) << ' ' << "um"
          << " in all)\n"
          << "  actin filaments     "
          << tracks->n_tracks(mesh::TrackType::actin) << " ("
          << tracks->total_length(mesh::TrackType::actin) << ' ' << "um"
          << ")\n"
          << "  initial MVBs        " << m.initial_number << ", births "
          << m.birth_rate << " per s\n"
          << "  time step           "
          << time_stepping.time_step / m.steps_per_field_step << " s ("
          << m.steps_per_field_step << " per field step), seed " << m.seed
          << "\n"
          << "  coupled fields     ";
    const auto *fe_fields =
      dynamic_cast<const FiniteElementFields<dim> *>(coupling.get());
    for (unsigned int c = 0; c < physics::n_coupled_species; ++c)
      {
        pcout << (c > 0 ? ", " : " ") << physics::coupled_species_table[c].name;
        if (!fe_fields || fe_fields->species_indices()[c] < 0)
          pcout << " (off: " << m.stand_in[c] << " uM everywhere)";
      }
    pcout << "\n"
          << "  cholesterol capacity " << m.cholesterol_capacity << " uM um^"
          << dim << " per limiting membrane\n"
          << "  births              "
          << (m.births_follow_cargo ? "where the cargo is" : "perinuclear")
          << ", outside the cortex" << std::endl;
    const auto &calcium = parameters.species.calcium;
    if (calcium.enabled)
      pcout << "Resting Ca2+: bulk " << calcium.resting_concentration
            << " uM, under the plasma membrane about "
            << calcium.resting_membrane_estimate()
            << " uM (linearised, basal influx " << calcium.basal_influx
            << " uM um/s, over "
            << std::sqrt(calcium.diffusion_coefficient /
                         calcium.pump_slope_at_rest())
            << " um)" << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::write_fate_tables(const std::string &directory) const
  {
    const std::filesystem::path dir(directory);
    postprocess::write_fate_table(fates.fusions, (dir / "fusions.h5").string());
    postprocess::write_fate_table(fates.degradations,
                                  (dir / "degradations.h5").string());
  }

  template <int dim>
  void
  Simulator<dim>::output_mvbs(std::vector<std::pair<std::string, double>> &row,
                              std::vector<std::string> &grids)
  {
    const MvbCounts c = mvbs->counts();
    for (unsigned int k = 0; k < physics::n_mvb_modes; ++k)
      row.emplace_back(std::string("mvb_") +
                         physics::mode_name(static_cast<physics::MvbMode>(k)),
                       double(c.per_mode[k]));
    row.emplace_back("mvb_total", double(c.total));
    row.emplace_back("mvb_amphisomes", double(c.amphisomes));
    row.emplace_back("mvb_births", double(c.births));
    const MvbBooks &b = c.books;
    for (const auto &[name, value] :
         {std::pair<const char *, double>{"fusions", b.fusions},
          {"exosomes", b.exosomes_escrt + b.exosomes_ceramide},
          {"exosomes_escrt", b.exosomes_escrt},
          {"exosomes_ceramide", b.exosomes_ceramide},
          {"fusions_microtubule", b.fusions_microtubule},
          {"degradations", b.degradations()},
          {"degradations_lysosomal", b.degradations_lysosomal},
          {"degradations_amphisomal", b.degradations_amphisomal},
          {"near_membrane", double(c.near_membrane)},
          {"mean_radial_position", c.mean_radial_position},
          {"peripheral_fraction", c.peripheral_fraction},
          {"mean_lysosome_density", c.mean_lysosome_density}})
      row.emplace_back(std::string("mvb_") + name, value);
    // What the MVBs hold and moved of each species whose field is on.
    const auto *fe_fields =
      dynamic_cast<const FiniteElementFields<dim> *>(coupling.get());
    for (const auto &species : physics::coupled_species_table)
      if (species.exchanged() && fe_fields &&
          fe_fields
              ->species_indices()[static_cast<unsigned int>(species.species)] >=
            0)
        {
          const std::string stem = std::string("mvb_") + species.name;
          row.emplace_back(stem, c.held[species.species]);
          row.emplace_back(stem + "_taken", b.taken[species.species]);
          row.emplace_back(stem + "_exported", b.exported[species.species]);
          row.emplace_back(stem + "_degraded", b.degraded[species.species]);
        }

    const std::string directory = output_directory();
    const auto        new_fates = mvbs->collect_fates();
    // Gathered also without MVB output: the snapshot holds them.
    const std::vector<postprocess::MvbRecord<dim>> records = mvbs->gather();
    std::string                                    mvb_grid;
    run_collectively(mpi_communicator, true, [&]() {
      fates.fusions.insert(fates.fusions.end(),
                           new_fates.fusions.begin(),
                           new_fates.fusions.end());
      fates.degradations.insert(fates.degradations.end(),
                                new_fates.degradations.begin(),
                                new_fates.degradations.end());
      write_fate_tables(directory);
      if (parameters.output.write_mvbs)
        {
          std::ostringstream name;
          name << "mvbs/mvbs-" << std::setw(5) << std::setfill('0') << n_outputs
               << ".h5";
          mvb_grid =
            postprocess::write_mvb_snapshot(records, directory, name.str());
        }
    });
    auto table = postprocess::mvb_datasets(records, "mvbs/");
    table.push_back({"mvbs/time", 1, {mvbs->time()}});
    snapshot->set(std::move(table));
    // Rank 0 wrote the file; every rank must agree whether the series gets
    // a time, since adding one is collective.
    mvb_grid = Utilities::MPI::broadcast(mpi_communicator, mvb_grid, 0);
    if (!mvb_grid.empty())
      grids.push_back(mvb_grid);
    if (!track_grid.empty())
      grids.push_back(track_grid);
  }

  template <int dim>
  void
  Simulator<dim>::add_balances(std::vector<std::pair<std::string, double>> &row)
  {
    const auto value = [&row](const std::string &name) {
      return row_value(row, name);
    };
    // The first row is the start time: its integrals are the initial ones.
    if (initial_integral.empty())
      for (unsigned int k = 0; k < fields->n_species(); ++k)
        initial_integral.push_back(value(fields->model(k).name + "_integral"));
    for (unsigned int k = 0; k < fields->n_species(); ++k)
      {
        const auto       &model = fields->model(k);
        const std::string name  = model.name;
        const int         c     = model.coupled_species;
        if (c < 0 || !physics::coupled_species_table[c].exchanged())
          continue;
        // What is in the cell or has left it through the MVBs, against
        // what was there at the start and has come in since. The field's
        // own amounts come from the discrete scheme, the MVBs' from their
        // states and events: the balance closes only if every amount an
        // MVB took or gave reached the field.
        std::vector<double> held = {value(name + "_integral")};
        std::vector<double> came = {initial_integral[k],
                                    value(name + "_" + model.reaction_name)};
        for (const auto &b : model.boundaries)
          came.push_back(value(name + "_in_" + b.name));
        for (const char *what : {"", "_exported", "_degraded"})
          held.push_back(value("mvb_" + name + what));
        double residual = 0, scale = 0;
        for (const double v : held)
          {
            residual += v;
            scale += std::abs(v);
          }
        for (const double v : came)
          {
            residual -= v;
            scale += std::abs(v);
          }
        const double error = scale > 0 ? residual / scale : 0.;
        row.emplace_back(name + "_balance_error", error);
        auto &worst = worst_balance_error[name];
        worst       = std::max(worst, std::abs(error));
      }
  }

  template <int dim>
  void
  Simulator<dim>::output_results()
  {
    TimerOutput::Scope                          scope(timer, "output");
    const double                                t = fields->time();
    std::vector<std::string>                    grids;
    std::vector<std::pair<std::string, double>> row =
      {{"time", t}, {"step", double(fields->step_number())}};
    if (time_stepping.adaptive)
      row.emplace_back("time_step",
                       fields->last_step_ticks() * time_stepping.unit());
    for (unsigned int k = 0; k < fields->n_species(); ++k)
      {
        const auto          &model = fields->model(k);
        const SpeciesBalance b     = fields->balance(k);
        row.emplace_back(model.name + "_integral", b.integral);
        row.emplace_back(model.name + "_min", b.minimum);
        row.emplace_back(model.name + "_max", b.maximum);
        for (unsigned int i = 0; i < model.boundaries.size(); ++i)
          row.emplace_back(model.name + "_in_" + model.boundaries[i].name,
                           b.boundary_amount[i]);
        row.emplace_back(model.name + "_" + model.reaction_name,
                         b.reaction_amount);
        if (mvbs)
          row.emplace_back(model.name + "_from_mvbs", b.point_amount);
        row.emplace_back(model.name + "_cg_iterations",
                         fields->last_iterations(k));
      }
    if (parameters.output.write_fields && fields->n_species() > 0)
      {
        std::vector<std::pair<std::string, const PETScWrappers::MPI::Vector *>>
          data;
        for (unsigned int k = 0; k < fields->n_species(); ++k)
          data.emplace_back(fields->model(k).name, &fields->solution(k));
        grids.push_back(field_output->write(fields->dof_handler(),
                                            fields->mapping(),
                                            data,
                                            parameters.fields.fe_degree));
      }
    if (mvbs)
      {
        output_mvbs(row, grids);
        add_balances(row);
      }
    statistics->add_row(row);
    statistics->write();
    add_to_snapshot(row);
    // The series lists a time only once every file it names is complete.
    if (!grids.empty())
      series->add(t, grids);
    ++n_outputs;
  }

  template <int dim>
  void
  Simulator<dim>::add_to_snapshot(
    const std::vector<std::pair<std::string, double>> &row)
  {
    snapshot->add("time", {fields->time()});
    for (unsigned int k = 0; k < fields->n_species(); ++k)
      {
        // Integral and extremes are the row's: no second balance().
        const std::string name  = fields->model(k).name;
        const std::string group = "fields/" + name + "/";
        snapshot->add(group + "integral", {row_value(row, name + "_integral")});
        snapshot->add(group + "l2_norm", {fields->l2_norm(k)});
        snapshot->add(group + "min", {row_value(row, name + "_min")});
        snapshot->add(group + "max", {row_value(row, name + "_max")});
        snapshot->add(group + "probes", probes->values(fields->solution(k)));
      }
    for (const auto &[name, value] : row)
      snapshot->add("statistics/" + name, {value});
    snapshot->write();
  }

  template <int dim>
  void
  Simulator<dim>::print_progress(const bool          force,
                                 const unsigned int  first_step,
                                 const std::uint64_t first_units)
  {
    const auto   now = std::chrono::steady_clock::now();
    const double since =
      std::chrono::duration<double>(now - last_progress).count();
    // The line counts MVBs collectively, so rank 0's clock decides for all:
    // ranks whose clocks disagree would otherwise wait for each other for
    // ever.
    if (!force &&
        !Utilities::MPI::broadcast(mpi_communicator,
                                   since >= parameters.output.progress_interval,
                                   0))
      return;
    last_progress     = now;
    const auto  &t    = time_stepping;
    const double done = double(fields->ticks()) / t.n_units();
    const double wall = std::chrono::duration<double>(now - loop_start).count();
    const double rate =
      (fields->step_number() - first_step) / std::max(wall, 1e-9);
    // Simulated seconds per wall second: what the time left follows when
    // the steps vary.
    const double speed =
      (fields->ticks() - first_units) * t.unit() / std::max(wall, 1e-9);
    const double left =
      (t.n_units() - fields->ticks()) * t.unit() / std::max(speed, 1e-300);
    std::ostringstream line;
    line << std::fixed << std::setprecision(1) << "  t = " << fields->time()
         << " s (" << 100 * done << " %), " << rate << " steps/s, ";
    if (t.adaptive)
      line << "step " << std::setprecision(3)
           << fields->last_step_ticks() * t.unit() << " s, "
           << std::setprecision(1);
    if (left < 120)
      line << std::setprecision(0) << left << " s left";
    else
      line << std::setprecision(1) << left / 60 << " min left";
    if (mvbs)
      line << ", " << mvbs->n_global() << " MVBs";
    pcout << line.str() << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::print_final_summary() const
  {
    pcout << "Fields at t = " << fields->time() << " s:\n";
    for (unsigned int k = 0; k < fields->n_species(); ++k)
      {
        const SpeciesBalance b = fields->balance(k);
        pcout << "  " << std::left << std::setw(12) << fields->model(k).name
              << std::right << " min " << b.minimum << ", max " << b.maximum
              << ", integral " << b.integral << " uM um^" << dim
              << ", last solve " << fields->last_iterations(k)
              << " CG iterations\n";
      }
    pcout << "  preconditioner set-ups " << fields->n_preconditioner_setups()
          << std::endl;
    if (mvbs)
      {
        const MvbCounts c = mvbs->counts();
        pcout << "MVBs at t = " << mvbs->time() << " s: " << c.total
              << " present (";
        for (unsigned int k = 0; k < physics::n_mvb_modes; ++k)
          pcout << (k > 0 ? ", " : "") << c.per_mode[k] << ' '
                << physics::mode_name(static_cast<physics::MvbMode>(k));
        const MvbBooks &b = c.books;
        pcout << "), " << c.births << " born, " << b.fusions << " fused ("
              << b.exosomes_escrt + b.exosomes_ceramide
              << " exosomes: " << b.exosomes_escrt << " ESCRT, "
              << b.exosomes_ceramide << " ceramide; " << b.fusions_microtubule
              << " delivered by microtubules), " << b.degradations_lysosomal
              << " degraded by lysosomes, " << b.degradations_amphisomal
              << " as amphisomes, " << mvbs->step_number() << " MVB steps"
              << std::endl;
        for (const auto &[name, error] : worst_balance_error)
          pcout << "  " << name
                << " balance (fields + MVBs + gone = start + supplied): "
                   "largest relative error "
                << error << std::endl;
      }
  }

  template <int dim>
  void
  Simulator<dim>::print_mvb_phases() const
  {
    if (!mvbs)
      return;
    const PhaseClock   &clock = mvbs->phase_times();
    std::vector<double> seconds(clock.seconds().size());
    Utilities::MPI::max(clock.seconds(), mpi_communicator, seconds);
    double total = 0;
    for (const double t : seconds)
      total += t;
    pcout << "MVB engine by phase (within the section \"MVBs\"; the "
             "slowest rank's seconds):\n";
    for (unsigned int k = 0; k < seconds.size(); ++k)
      pcout << "  " << std::left << std::setw(24) << clock.names()[k]
            << std::right << std::setw(10) << std::setprecision(3) << seconds[k]
            << " s  " << std::setw(5) << std::setprecision(1) << std::fixed
            << 100 * seconds[k] / std::max(total, 1e-300) << " %"
            << std::defaultfloat << std::setprecision(6) << "\n";
    pcout << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::prepare_output()
  {
    TimerOutput::Scope scope(timer, "write run record");
    const std::string  directory = output_directory();
    const bool         restart   = static_cast<bool>(restored);
    // A restart continues in the run's own folder, which the checkpoint
    // has shown to be an mvbsim run: nothing of it is removed.
    if (!restart)
      postprocess::prepare_output_directory(directory,
                                            options.output_directory.empty()
                                              ? "Output/Directory"
                                              : "--output",
                                            options.overwrite,
                                            mpi_communicator);
    run_collectively(mpi_communicator, true, [&]() {
      log.open((std::filesystem::path(directory) / "log.txt").string(),
               restart);
      if (!restart)
        postprocess::write_run_record(directory,
                                      input.file,
                                      input.text,
                                      input.json,
                                      prm);
    });
    statistics = std::make_unique<postprocess::StatisticsFile>(
      (std::filesystem::path(directory) / "statistics.csv").string(),
      mpi_communicator);
    series =
      std::make_unique<postprocess::XdmfSeries>(directory, mpi_communicator);
    snapshot = std::make_unique<postprocess::RegressionSnapshot>(
      (std::filesystem::path(directory) / "snapshot.h5").string(),
      mpi_communicator);
    if (restart)
      {
        // The files as they were at the checkpoint, before anything new:
        // what the stopped run wrote after it is gone, and the series names
        // only files of the continued run.
        statistics->restore(std::move(restored->columns),
                            std::move(restored->rows));
        series->restore(std::move(restored->times), std::move(restored->grids));
        snapshot->restore(std::move(restored->snapshot),
                          std::move(restored->snapshot_datasets));
        statistics->write();
        snapshot->write();
        if (mvbs)
          run_collectively(mpi_communicator, true, [&]() {
            write_fate_tables(directory);
          });
        series->write();
        retire_checkpoints_after(directory,
                                 fields->step_number(),
                                 mpi_communicator);
        // The run record says what the run now is (a later End time).
        run_collectively(mpi_communicator, true, [&]() {
          postprocess::write_resolved_parameters(directory, prm);
        });
      }
    else
      {
        postprocess::Hdf5Dataset positions{"probes/position", 3, {}};
        for (const auto &p : probes->points())
          for (unsigned int d = 0; d < 3; ++d)
            positions.values.push_back(d < dim ? p[d] : 0.);
        snapshot->set({positions});
      }
    if (mvbs && parameters.output.write_mvbs)
      {
        run_collectively(mpi_communicator, true, [&]() {
          std::filesystem::create_directories(std::filesystem::path(directory) /
                                              "mvbs");
        });
        track_grid = postprocess::write_track_network(*tracks,
                                                      directory,
                                                      mpi_communicator);
      }
    if (parameters.output.write_fields)
      field_output =
        std::make_unique<postprocess::FieldOutput<dim>>(directory,
                                                        mpi_communicator,
                                                        n_outputs);
  }

  template <int dim>
  bool
  Simulator<dim>::checkpoint_due()
  {
    const auto &c = parameters.checkpoints;
    if (c.steps_between > 0 && fields->step_number() % c.steps_between == 0)
      return true;
    if (c.wall_minutes <= 0)
      return false;
    // Rank 0's clock decides for all, so that all write together.
    const double minutes = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - last_checkpoint)
                             .count() /
                           60.;
    return Utilities::MPI::broadcast(mpi_communicator,
                                     minutes >= c.wall_minutes,
                                     0);
  }

  template <int dim>
  void
  Simulator<dim>::write_checkpoint()
  {
    TimerOutput::Scope scope(timer, "checkpoint");
    CheckpointWriter   header, local;
    header.put(std::uint32_t(partitions.repartitionings.size()));
    for (const auto &words : partitions.repartitionings)
      header.put(words);
    fields->save(header, local);
    header.put(std::uint8_t(mvbs != nullptr));
    if (mvbs)
      mvbs->save(header, local);

    header.put(std::uint32_t(n_outputs));
    header.put(initial_integral);
    std::vector<std::string> names;
    std::vector<double>      values;
    for (const auto &[name, error] : worst_balance_error)
      {
        names.push_back(name);
        values.push_back(error);
      }
    header.put(names);
    header.put(values);
    header.put(statistics->column_names());
    header.put(std::uint64_t(statistics->row_values().size()));
    for (const auto &row : statistics->row_values())
      header.put(row);
    header.put(series->time_values());
    for (const auto &grids : series->grids())
      header.put(grids);
    // Rank 0's are the ones written.
    header.put(fates.fusions);
    header.put(fates.degradations);
    header.put(std::uint64_t(snapshot->series().size()));
    for (const auto &[name, series] : snapshot->series())
      {
        header.put(name);
        header.put(std::uint32_t(series.columns));
        header.put(series.values);
      }
    header.put(std::uint64_t(snapshot->datasets().size()));
    for (const auto &d : snapshot->datasets())
      {
        header.put(d.name);
        header.put(std::uint32_t(d.columns));
        header.put(d.values);
        header.put(std::uint8_t(d.integer));
      }

    std::ostringstream resolved;
    prm.print_parameters(resolved, ParameterHandler::PRM);
    const std::string file =
      mvb::write_checkpoint(output_directory(),
                            fields->step_number(),
                            dim,
                            resolved.str(),
                            header,
                            local,
                            locally_owned_coarse_cells(
                              triangulation.active_cell_iterators()),
                            2,
                            mpi_communicator);
    last_checkpoint = std::chrono::steady_clock::now();
    ++n_checkpoints;
    pcout << "  checkpoint at t = " << fields->time() << " s: " << file
          << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::restore_checkpoint()
  {
    TimerOutput::Scope scope(timer, "restart");
    std::ostringstream warnings_again;
    const auto         read = [&](std::ostream &warnings) {
      return read_latest_checkpoint(options.restart_directory,
                                    warnings,
                                    locally_owned_coarse_cells(
                                      triangulation.active_cell_iterators()),
                                    mpi_communicator);
    };
    const auto read_partition = [](CheckpointReader &in) {
      PartitionHistory history;
      history.repartitionings.resize(in.get<std::uint32_t>());
      for (auto &words : history.repartitionings)
        words = in.get_vector<std::uint32_t>();
      return history;
    };
    std::optional<CheckpointData> checkpoint = read(pcout.get_stream());
    check_same_scenario(*checkpoint, prm, dim, options.restart_directory);
    const PartitionHistory history       = read_partition(checkpoint->header);
    const bool             repartitioned = !history.repartitionings.empty();
    if (repartitioned)
      {
        // The parts this rank must read are those of its cells in the
        // checkpoint's partition: read them again once it is restored.
        restore_partition(history);
        checkpoint.reset();
        checkpoint = read(warnings_again);
        read_partition(checkpoint->header);
      }
    auto &in = checkpoint->header;
    fields->load(in, checkpoint->blocks);
    if (in.get<std::uint8_t>() != (mvbs != nullptr))
      in.corrupt("its run had MVB/Enable the other way");
    if (mvbs)
      mvbs->load(in, checkpoint->blocks);

    restored          = std::make_unique<RestoredOutput>();
    n_outputs         = in.get<std::uint32_t>();
    initial_integral  = in.get_vector<double>();
    const auto names  = in.get_strings();
    const auto errors = in.get_vector<double>();
    for (unsigned int i = 0; i < names.size() && i < errors.size(); ++i)
      worst_balance_error[names[i]] = errors[i];
    restored->columns = in.get_strings();
    restored->rows.resize(in.get<std::uint64_t>());
    for (auto &row : restored->rows)
      row = in.get_vector<double>();
    restored->times = in.get_vector<double>();
    restored->grids.resize(restored->times.size());
    for (auto &grids : restored->grids)
      grids = in.get_strings();
    fates.fusions       = in.get_vector<postprocess::FateEvent<dim>>();
    fates.degradations  = in.get_vector<postprocess::FateEvent<dim>>();
    const auto n_series = in.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < n_series; ++i)
      {
        const std::string name = in.get_string();
        auto             &s    = restored->snapshot[name];
        s.columns              = in.get<std::uint32_t>();
        s.values               = in.get_vector<double>();
      }
    restored->snapshot_datasets.resize(in.get<std::uint64_t>());
    for (auto &d : restored->snapshot_datasets)
      {
        d.name    = in.get_string();
        d.columns = in.get<std::uint32_t>();
        d.values  = in.get_vector<double>();
        d.integer = in.get<std::uint8_t>() != 0;
      }
    if (!in.at_end())
      in.corrupt("it holds more than this mvbsim reads");
    if (fields->ticks() > time_stepping.n_units())
      throw InputError("Time stepping/End time",
                       to_text(time_stepping.end_time),
                       "is before the time of the checkpoint in " +
                         options.restart_directory + " (" +
                         to_text(fields->time()) + " s)",
                       "raise the end time to continue the run");
    pcout << "Restarting from " << checkpoint->file << ": step "
          << fields->step_number() << ", t = " << fields->time() << " s, "
          << n_outputs << " outputs so far (written by " << checkpoint->n_parts
          << " ranks; rank 0 read " << checkpoint->blocks.size()
          << " of their parts"
          << (repartitioned ? ", after repartitioning as they were" : "") << ")"
          << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::validate()
  {
    check_output_directory();
    setup_geometry();
    setup_fields();
    setup_mvbs();
    print_geometry_summary();
    print_field_summary();
    print_mvb_summary();
    pcout << "The input is valid." << std::endl;
  }

  template <int dim>
  unsigned int
  Simulator<dim>::next_step_units(const StepController &controller,
                                  const std::uint64_t   units_per_output) const
  {
    const auto         &t   = time_stepping;
    const std::uint64_t now = fields->ticks();
    // Steps land on the next output (or the end), and one unit before each
    // jump of a forcing, then on it.
    std::uint64_t landing =
      std::min((now / units_per_output + 1) * units_per_output, t.n_units());
    const auto event =
      std::upper_bound(t.event_units.begin(), t.event_units.end(), now);
    if (event != t.event_units.end())
      landing = std::min(landing, now + 1 < *event ? *event - 1 : *event);
    // The first step is Time step (or what lands), kept until there is an
    // error estimate.
    const bool first = fields->step_number() == 0;
    return controller.next(now,
                           first ? controller.first()
                                 : fields->last_step_ticks(),
                           first ? -1. : fields->last_error_estimate(),
                           landing - now);
  }

  template <int dim>
  unsigned int
  Simulator<dim>::mvb_substeps(const unsigned int units) const
  {
    // As many as keep the MVBs' step at Time step / (MVB/Steps per field
    // step) or shorter.
    const auto         &t = time_stepping;
    const std::uint64_t n =
      std::uint64_t(parameters.mvbs.steps_per_field_step) * units;
    return static_cast<unsigned int>(
      std::max<std::uint64_t>(1,
                              (n + t.units_per_step - 1) / t.units_per_step));
  }

  template <int dim>
  void
  Simulator<dim>::run()
  {
    print_header();
    // Every input check (the mesh and a restart's checkpoint included)
    // comes before the first file is written, so a bad input leaves no
    // trace and no earlier run is touched.
    check_output_directory();
    setup_geometry();
    setup_fields();
    setup_mvbs();
    if (!options.restart_directory.empty())
      restore_checkpoint();
    prepare_output();
    print_geometry_summary();
    print_field_summary();
    print_mvb_summary();

    if (parameters.output.write_mesh && !restored)
      {
        TimerOutput::Scope                        scope(timer, "write mesh");
        std::function<double(const Point<dim> &)> lysosomes;
        if (mvbs)
          lysosomes = [this](const Point<dim> &x) {
            return mvbs->stepper().lysosome_density(x);
          };
        const std::vector<std::string> files =
          postprocess::write_mesh(triangulation,
                                  geometry,
                                  geometry.mapping(),
                                  output_directory(),
                                  lysosomes);
        pcout << "Mesh for ParaView (in " << output_directory() << "):";
        for (const auto &file : files)
          pcout << ' ' << file;
        pcout << std::endl;
      }

    if (!restored)
      output_results();
    pcout << "For ParaView: " << output_directory() << "/"
          << postprocess::XdmfSeries::file_name()
          << "; statistics: " << output_directory() << "/statistics.csv"
          << (mvbs ? "; fusions: " + output_directory() + "/fusions.h5" : "")
          << "; for comparing runs: " << output_directory() << "/snapshot.h5"
          << std::endl;
    pcout << "Time stepping:" << std::endl;
    loop_start = last_progress = last_checkpoint =
      std::chrono::steady_clock::now();
    const unsigned int  first_step  = fields->step_number();
    const std::uint64_t first_units = fields->ticks();
    const auto         &t           = time_stepping;
    // Outputs every this many units; steps land on them.
    const std::uint64_t units_per_output =
      std::uint64_t(parameters.steps_per_output) * t.units_per_step;
    const StepController controller(t.units_per_step,
                                    t.max_units,
                                    t.error_tolerance);
    while (fields->ticks() < t.n_units())
      {
        const unsigned int units =
          t.adaptive ? next_step_units(controller, units_per_output) : 1;
        // The MVBs see the fields at the start of the step and put what
        // they exchange into the field step that follows.
        if (mvbs)
          mvbs->advance(units * t.unit(), *coupling, mvb_substeps(units));
        fields->advance(units);
        balance_load();
        if (fields->ticks() % units_per_output == 0)
          output_results();
        // A run that checkpoints ends with one, so that it can be
        // continued with a later end time.
        const bool last = fields->ticks() == t.n_units();
        if (checkpoint_due() ||
            (last &&
             (parameters.checkpoints.steps_between > 0 || n_checkpoints > 0)))
          write_checkpoint();
        print_progress(last, first_step, first_units);
      }
    print_final_summary();

    timer.print_summary();
    print_mvb_phases();
    print_memory();
    pcout << "Run complete." << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::print_memory() const
  {
    Utilities::System::MemoryStats stats;
    Utilities::System::get_memory_stats(stats);
    // VmHWM: the most this rank's process ever held in memory, in kB.
    const auto mb =
      Utilities::MPI::min_max_avg(stats.VmHWM / 1024., mpi_communicator);
    pcout << "Peak memory per rank: min " << std::fixed << std::setprecision(1)
          << mb.min << " MB, mean " << mb.avg << " MB, max " << mb.max
          << " MB (rank " << mb.max_index << ")" << std::defaultfloat
          << std::endl;
  }

  template class Simulator<2>;
  template class Simulator<3>;

  namespace
  {
    template <int dim>
    void
    run_in_dimension(const RunParameters      &parameters,
                     const ParameterHandler   &prm,
                     const ScenarioInput      &input,
                     const CommandLineOptions &options,
                     postprocess::RunLog      &log,
                     const MPI_Comm            communicator)
    {
      std::exception_ptr failure;
      {
        Simulator<dim> simulator(parameters,
                                 prm,
                                 input,
                                 options,
                                 log,
                                 communicator);
        try
          {
            if (options.validate)
              simulator.validate();
            else
              simulator.run();
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

  void
  run_simulator(const RunParameters      &parameters,
                const ParameterHandler   &prm,
                const ScenarioInput      &input,
                const CommandLineOptions &options,
                postprocess::RunLog      &log,
                const MPI_Comm            communicator)
  {
    if (parameters.geometry.dimension == 2)
      run_in_dimension<2>(parameters, prm, input, options, log, communicator);
    else
      run_in_dimension<3>(parameters, prm, input, options, log, communicator);
  }
} // namespace mvb
