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
  }

  template <int dim>
  void
  Simulator<dim>::validate()
  {
    setup_geometry();
    print_geometry_summary();
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
    prepare_output();
    print_geometry_summary();

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

    timer.print_summary();
    pcout << "Run complete." << std::endl;
  }

  template class Simulator<2>;
  template class Simulator<3>;
} // namespace mvb
