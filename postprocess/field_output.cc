#include <postprocess/field_output.h>
#include <postprocess/run_record.h>
#include <solver/input_error.h>

#include <deal.II/numerics/data_out.h>

#include <filesystem>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace mvb::postprocess
{
  namespace fs = std::filesystem;

  template <int dim>
  FieldOutput<dim>::FieldOutput(const std::string &directory,
                                const MPI_Comm     communicator,
                                const unsigned int first)
      : directory(directory)
      , mpi_communicator(communicator)
      , n_written(first)
  {
    run_collectively(mpi_communicator, true, [&]() {
      fs::create_directories(fs::path(directory) / "fields");
    });
  }

  template <int dim>
  std::string
  FieldOutput<dim>::write(
    const DoFHandler<dim> &dof_handler,
    const Mapping<dim>    &mapping,
    const std::vector<
      std::pair<std::string, const PETScWrappers::MPI::Vector *>> &fields,
    const unsigned int                                             subdivisions)
  {
    DataOut<dim> data_out;
    data_out.attach_dof_handler(dof_handler);
    for (const auto &[name, vector] : fields)
      data_out.add_data_vector(*vector, name);
    data_out.build_patches(mapping,
                           subdivisions,
                           DataOut<dim>::curved_inner_cells);

    const auto numbered = [](const std::string &stem, const unsigned int n) {
      std::ostringstream name;
      name << "fields/" << stem << "-" << std::setw(5) << std::setfill('0') << n
           << ".h5";
      return name.str();
    };
    // The mesh (points and cells) is the same at every output time, so it
    // is written once, at the first output, into its own file that every
    // later grid of the series references; the per-time files hold the
    // fields only.
    const bool new_mesh = mesh_file.empty();
    if (new_mesh)
      mesh_file = numbered("mesh", n_written);
    const std::string file           = numbered("fields", n_written++);
    const fs::path    path           = fs::path(directory) / file,
                   mesh_path         = fs::path(directory) / mesh_file;
    const std::string temporary      = path.string() + ".tmp",
                      mesh_temporary = mesh_path.string() + ".tmp";

    DataOutBase::DataOutFilter filter(
      DataOutBase::DataOutFilterFlags(true, true));
    data_out.write_filtered_data(filter);
    try
      {
        data_out.write_hdf5_parallel(filter,
                                     new_mesh,
                                     mesh_temporary,
                                     temporary,
                                     mpi_communicator);
      }
    catch (const ExceptionBase &)
      {
        // deal.II says only "an input/output error"; the user needs the
        // file. Every rank took part in the failed collective write.
        std::error_code ec;
        fs::remove(temporary, ec);
        fs::remove(mesh_temporary, ec);
        if (new_mesh)
          mesh_file.clear();
        throw std::runtime_error("cannot write '" + path.string() +
                                 "' (the disk is full or the folder is not "
                                 "writable)");
      }
    const XDMFEntry entry =
      data_out.create_xdmf_entry(filter, mesh_file, file, 0., mpi_communicator);
    // The mesh first: a file the series names always exists.
    run_collectively(mpi_communicator, true, [&]() {
      if (new_mesh)
        fs::rename(mesh_temporary, mesh_path);
      fs::rename(temporary, path);
    });

    // deal.II's grid carries its own <Time>; in the series the spatial
    // collection of each output time holds it instead.
    std::istringstream content(
      entry.get_xdmf_content(3, ReferenceCells::get_hypercube<dim>()));
    std::string grid, line;
    while (std::getline(content, line))
      if (line.find("<Time ") == std::string::npos)
        grid += (line.find("<Grid Name=\"mesh\"") != std::string::npos
                   ? std::string("      <Grid Name=\"fields\" "
                                 "GridType=\"Uniform\">")
                   : line) +
                "\n";
    return grid;
  }

  StatisticsFile::StatisticsFile(const std::string &path,
                                 const MPI_Comm     communicator)
      : path(path)
      , mpi_communicator(communicator)
  {
  }

  void
  StatisticsFile::add_row(
    const std::vector<std::pair<std::string, double>> &values)
  {
    if (columns.empty())
      for (const auto &v : values)
        columns.push_back(v.first);
    AssertThrow(values.size() == columns.size(),
                ExcMessage("statistics rows must all have the same columns"));
    std::vector<double> row;
    for (const auto &v : values)
      row.push_back(v.second);
    rows.push_back(row);
  }

  void
  StatisticsFile::write() const
  {
    run_collectively(mpi_communicator, true, [&]() {
      std::ostringstream out;
      out << std::setprecision(std::numeric_limits<double>::max_digits10);
      for (unsigned int c = 0; c < columns.size(); ++c)
        out << (c > 0 ? "," : "") << columns[c];
      out << '\n';
      for (const auto &row : rows)
        {
          for (unsigned int c = 0; c < row.size(); ++c)
            out << (c > 0 ? "," : "") << row[c];
          out << '\n';
        }
      write_file_atomically(path, out.str());
    });
  }

  template class FieldOutput<2>;
  template class FieldOutput<3>;
} // namespace mvb::postprocess
