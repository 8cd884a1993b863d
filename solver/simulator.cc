#include <mesh/boundary_ids.h>
#include <postprocess/mesh_output.h>
#include <solver/input_error.h>
#include <solver/simulator.h>

#include <mvbsim_version.h>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace mvb
{
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
                        Triangulation<dim>::smoothing_on_coarsening))
      , geometry(parameters.geometry)
  {
  }

  template <int dim>
  std::string
  Simulator<dim>::output_directory() const
  {
    return options.output_directory.empty() ? parameters.output.directory
                                            : options.output_directory;
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
    {
      TimerOutput::Scope scope(timer, "fields: mapping cache");
      field_mapping = std::make_unique<MappingQCache<dim>>(
        parameters.geometry.mapping_degree);
      field_mapping->initialize(geometry.mapping(), triangulation);
    }
    FieldSolverSettings settings;
    settings.fe_degree      = parameters.fields.fe_degree;
    settings.scheme         = parameters.time.scheme;
    settings.time_step      = parameters.time.time_step;
    settings.tolerance      = parameters.fields.tolerance;
    settings.max_iterations = parameters.fields.max_iterations;
    fields                  = std::make_unique<FieldSolver<dim>>(
      triangulation,
      *field_mapping,
      parameters.species.template create_models<dim>(
        parameters.time.start_time),
      settings,
      timer);
    fields->setup();
    fields->initialize(parameters.time.start_time);
  }

  template <int dim>
  void
  Simulator<dim>::print_field_summary() const
  {
    const auto &t = parameters.time;
    pcout << "Fields:";
    if (fields->n_species() == 0)
      pcout << " none (every species is switched off)";
    for (unsigned int k = 0; k < fields->n_species(); ++k)
      pcout << (k > 0 ? ", " : " ") << fields->model(k).name;
    pcout << "\n"
          << "  elements            FE_Q(" << parameters.fields.fe_degree
          << "), " << fields->dof_handler().n_dofs() << " DoFs per species\n"
          << "  time                " << t.start_time << " s to " << t.end_time
          << " s, " << t.n_steps << " steps of " << t.time_step << " s ("
          << (t.scheme == TimeScheme::bdf1 ? "BDF1" : "BDF2") << ")\n"
          << "  output              every " << parameters.output.output_interval
          << " s" << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::output_results()
  {
    TimerOutput::Scope                          scope(timer, "output");
    const double                                t = fields->time();
    std::vector<std::pair<std::string, double>> row =
      {{"time", t}, {"step", double(fields->step_number())}};
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
        row.emplace_back(model.name + "_cg_iterations",
                         fields->last_iterations(k));
      }
    statistics->add_row(row);
    statistics->write();

    if (parameters.output.write_fields && fields->n_species() > 0)
      {
        std::vector<std::pair<std::string, const PETScWrappers::MPI::Vector *>>
          data;
        for (unsigned int k = 0; k < fields->n_species(); ++k)
          data.emplace_back(fields->model(k).name, &fields->solution(k));
        field_output->write(fields->dof_handler(),
                            fields->mapping(),
                            data,
                            t,
                            parameters.fields.fe_degree);
      }
  }

  template <int dim>
  void
  Simulator<dim>::print_progress(const bool force)
  {
    const auto   now = std::chrono::steady_clock::now();
    const double since =
      std::chrono::duration<double>(now - last_progress).count();
    if (!force && since < parameters.output.progress_interval)
      return;
    last_progress     = now;
    const auto  &t    = parameters.time;
    const double done = double(fields->step_number()) / t.n_steps;
    const double wall = std::chrono::duration<double>(now - loop_start).count();
    const double rate = fields->step_number() / std::max(wall, 1e-9);
    const double left = (t.n_steps - fields->step_number()) / rate;
    std::ostringstream line;
    line << std::fixed << std::setprecision(1) << "  t = " << fields->time()
         << " s (" << 100 * done << " %), " << rate << " steps/s, ";
    if (left < 120)
      line << std::setprecision(0) << left << " s left";
    else
      line << std::setprecision(1) << left / 60 << " min left";
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
    pcout << "  AMG set-ups         " << fields->n_preconditioner_setups()
          << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::prepare_output()
  {
    TimerOutput::Scope scope(timer, "write run record");
    const std::string  directory = output_directory();
    postprocess::prepare_output_directory(directory,
                                          options.output_directory.empty()
                                            ? "Output/Directory"
                                            : "--output",
                                          options.overwrite,
                                          mpi_communicator);
    run_collectively(mpi_communicator, true, [&]() {
      log.open((std::filesystem::path(directory) / "log.txt").string());
      postprocess::write_run_record(directory,
                                    input.file,
                                    input.text,
                                    input.json,
                                    prm);
    });
    statistics = std::make_unique<postprocess::StatisticsFile>(
      (std::filesystem::path(directory) / "statistics.csv").string(),
      mpi_communicator);
    if (parameters.output.write_fields)
      field_output =
        std::make_unique<postprocess::FieldOutput<dim>>(directory,
                                                        mpi_communicator);
  }

  template <int dim>
  void
  Simulator<dim>::validate()
  {
    setup_geometry();
    setup_fields();
    print_geometry_summary();
    print_field_summary();
    pcout << "The input is valid." << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::run()
  {
    print_header();
    // Every input check (the mesh included) comes before the first file is
    // written, so a bad input leaves no trace and no earlier run is touched.
    setup_geometry();
    setup_fields();
    prepare_output();
    print_geometry_summary();
    print_field_summary();

    if (parameters.output.write_mesh)
      {
        TimerOutput::Scope             scope(timer, "write mesh");
        const std::vector<std::string> files =
          postprocess::write_mesh(triangulation, geometry, output_directory());
        pcout << "Mesh for ParaView (in " << output_directory() << "):";
        for (const auto &file : files)
          pcout << ' ' << file;
        pcout << std::endl;
      }

    output_results();
    if (parameters.output.write_fields && fields->n_species() > 0)
      pcout << "Fields for ParaView: " << output_directory() << "/"
            << postprocess::FieldOutput<dim>::series_file()
            << "; statistics: " << output_directory() << "/statistics.csv"
            << std::endl;
    pcout << "Time stepping:" << std::endl;
    loop_start = last_progress = std::chrono::steady_clock::now();
    for (unsigned int n = 0; n < parameters.time.n_steps; ++n)
      {
        fields->advance();
        if (fields->step_number() % parameters.steps_per_output == 0)
          output_results();
        print_progress(fields->step_number() == parameters.time.n_steps);
      }
    print_final_summary();

    timer.print_summary();
    pcout << "Run complete." << std::endl;
  }

  template class Simulator<2>;
  template class Simulator<3>;
} // namespace mvb
