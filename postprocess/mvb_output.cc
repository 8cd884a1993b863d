#include <postprocess/mvb_output.h>
#include <postprocess/run_record.h>
#include <solver/input_error.h>

#include <deal.II/base/exceptions.h>

#include <hdf5.h>

#include <filesystem>
#include <iomanip>
#include <sstream>

namespace mvb::postprocess
{
  namespace fs = std::filesystem;
  using dealii::ExcMessage;

  void
  write_hdf5_file(const std::string              &path,
                  const std::vector<Hdf5Dataset> &datasets)
  {
    // HDF5 would print its error stack; the exception below says it all.
    H5E_auto2_t handler      = nullptr;
    void       *handler_data = nullptr;
    H5Eget_auto2(H5E_DEFAULT, &handler, &handler_data);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);

    const std::string temporary = path + ".tmp";
    std::string       failure;
    // No modification times anywhere: the same run gives the same bytes.
    const hid_t file_creation = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(file_creation, false);
    const hid_t file =
      H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, file_creation, H5P_DEFAULT);
    H5Pclose(file_creation);
    if (file < 0)
      failure = "cannot create the file";
    const hid_t creation = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(creation, false);
    const hid_t group_creation = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(group_creation, false);
    // Names such as "fields/calcium/max" need their groups.
    for (const auto &d : datasets)
      for (std::size_t slash = d.name.find('/');
           file >= 0 && failure.empty() && slash != std::string::npos;
           slash = d.name.find('/', slash + 1))
        {
          const std::string group = d.name.substr(0, slash);
          if (H5Lexists(file, group.c_str(), H5P_DEFAULT) > 0)
            continue;
          const hid_t g = H5Gcreate2(file,
                                     group.c_str(),
                                     H5P_DEFAULT,
                                     group_creation,
                                     H5P_DEFAULT);
          if (g < 0)
            failure = "cannot create group " + group;
          else
            H5Gclose(g);
        }
    for (const auto &d : datasets)
      {
        if (!failure.empty())
          break;
        const hsize_t rows    = d.values.size() / std::max(1U, d.columns);
        const hsize_t dims[2] = {rows, d.columns};
        const hid_t   space =
          H5Screate_simple(d.columns == 1 ? 1 : 2, dims, nullptr);
        const hid_t type   = d.integer ? H5T_NATIVE_UINT : H5T_NATIVE_DOUBLE;
        const hid_t set    = H5Dcreate2(file,
                                     d.name.c_str(),
                                     type,
                                     space,
                                     H5P_DEFAULT,
                                     creation,
                                     H5P_DEFAULT);
        herr_t      status = set < 0 ? -1 : 0;
        if (status >= 0 && rows > 0 && d.integer)
          {
            const std::vector<unsigned int> v(d.values.begin(), d.values.end());
            status =
              H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
          }
        else if (status >= 0 && rows > 0)
          status =
            H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, d.values.data());
        if (status < 0)
          failure = "cannot write dataset " + d.name;
        if (set >= 0)
          H5Dclose(set);
        H5Sclose(space);
      }
    H5Pclose(group_creation);
    H5Pclose(creation);
    // Closing flushes: a full disk shows here.
    if (file >= 0 && H5Fclose(file) < 0 && failure.empty())
      failure = "cannot finish the file";
    H5Eset_auto2(H5E_DEFAULT, handler, handler_data);

    std::error_code ec;
    if (failure.empty())
      fs::rename(temporary, path, ec);
    if (!failure.empty() || ec)
      {
        fs::remove(temporary, ec);
        throw std::runtime_error("cannot write '" + path + "': " +
                                 (failure.empty() ? ec.message() : failure) +
                                 " (disk full or no permission?)");
      }
  }

  namespace
  {
    std::string
    data_item(const std::string &h5_file,
              const std::string &dataset,
              const std::string &dimensions,
              const std::string &pad)
    {
      return pad + "<DataItem Dimensions=\"" + dimensions +
             "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">" +
             h5_file + ":/" + dataset + "</DataItem>\n";
    }
  } // namespace

  std::string
  point_grid_xdmf(const std::string              &name,
                  const std::string              &h5_file,
                  const std::vector<Hdf5Dataset> &datasets,
                  const unsigned int              n_points,
                  const unsigned int              indent)
  {
    if (n_points == 0)
      return "";
    const std::string  pad(indent, ' ');
    const std::string  n = std::to_string(n_points);
    std::ostringstream x;
    x << pad << "<Grid Name=\"" << name << "\" GridType=\"Uniform\">\n"
      << pad << "  <Topology TopologyType=\"Polyvertex\" NumberOfElements=\""
      << n
      << "\" NodesPerElement=\"1\">\n"
      // Listed, although XDMF 2 readers would number the points themselves:
      // ParaView's Xdmf3 readers give the points no cells without it.
      << pad << "    <DataItem Dimensions=\"" << n
      << "\" NumberType=\"UInt\" Precision=\"4\" Format=\"HDF\">" << h5_file
      << ":/connectivity</DataItem>\n"
      << pad << "  </Topology>\n"
      << pad << "  <Geometry GeometryType=\"XYZ\">\n"
      << data_item(h5_file, "position", n + " 3", pad + "    ") << pad
      << "  </Geometry>\n";
    for (const auto &d : datasets)
      if (d.name != "position" && d.name != "connectivity")
        x << pad << "  <Attribute Name=\"" << d.name
          << "\" AttributeType=\"Scalar\" Center=\"Node\">\n"
          << data_item(h5_file, d.name, n, pad + "    ") << pad
          << "  </Attribute>\n";
    x << pad << "</Grid>\n";
    return x.str();
  }

  template <int dim>
  std::vector<Hdf5Dataset>
  mvb_datasets(const std::vector<MvbRecord<dim>> &records,
               const std::string                 &prefix)
  {
    std::vector<Hdf5Dataset> data = {{"position", 3, {}}, {"id", 1, {}}};
    for (const auto &v : physics::mvb_state_variables)
      data.push_back({v.name, 1, {}});
    for (const char *name :
         {"ilv_count", "radial_position", "lysosome_density"})
      data.push_back({name, 1, {}});
    for (auto &d : data)
      d.name = prefix + d.name;
    for (const auto &r : records)
      {
        for (unsigned int d = 0; d < 3; ++d)
          data[0].values.push_back(d < dim ? r.position[d] : 0.);
        unsigned int k = 1;
        data[k++].values.push_back(double(r.id));
        for (const auto &v : physics::mvb_state_variables)
          data[k++].values.push_back(v.get(r.state));
        for (const double value :
             {r.state.ilv_count(), r.radial_position, r.lysosome_density})
          data[k++].values.push_back(value);
      }
    return data;
  }

  template <int dim>
  std::string
  write_mvb_snapshot(const std::vector<MvbRecord<dim>> &records,
                     const std::string                 &directory,
                     const std::string                 &file)
  {
    std::vector<Hdf5Dataset> data = mvb_datasets(records, "");
    Hdf5Dataset              connectivity{"connectivity", 1, {}, true};
    for (std::size_t i = 0; i < records.size(); ++i)
      connectivity.values.push_back(double(i));
    data.push_back(connectivity);
    write_hdf5_file((fs::path(directory) / file).string(), data);
    return point_grid_xdmf("MVBs", file, data, records.size(), 6);
  }

  template <int dim>
  void
  write_fate_table(const std::vector<FateEvent<dim>> &events,
                   const std::string                 &path)
  {
    std::vector<Hdf5Dataset> data = {{"time", 1, {}},
                                     {"id", 1, {}},
                                     {"position", 3, {}}};
    for (const auto &v : physics::mvb_state_variables)
      data.push_back({v.name, 1, {}});
    data.push_back({"ilv_count", 1, {}});
    for (const auto &e : events)
      {
        data[0].values.push_back(e.time);
        data[1].values.push_back(double(e.id));
        for (unsigned int d = 0; d < 3; ++d)
          data[2].values.push_back(d < dim ? e.position[d] : 0.);
        unsigned int k = 3;
        for (const auto &v : physics::mvb_state_variables)
          data[k++].values.push_back(v.get(e.state));
        data[k].values.push_back(e.state.ilv_count());
      }
    write_hdf5_file(path, data);
  }

  template <int dim>
  std::string
  write_track_network(const mesh::TrackNetwork<dim> &network,
                      const std::string             &directory,
                      const MPI_Comm                 communicator)
  {
    // Each segment is a two-point polyline: ParaView needs no mixed
    // topology, and every segment carries its track's id and type.
    std::vector<double> points, track_id, type;
    for (unsigned int i = 0; i < network.n_tracks(); ++i)
      {
        const auto &t = network.track(i);
        for (unsigned int k = 0; k + 1 < t.vertices.size(); ++k)
          for (unsigned int e = 0; e < 2; ++e)
            {
              for (unsigned int d = 0; d < 3; ++d)
                points.push_back(d < dim ? t.vertices[k + e][d] : 0.);
              if (e == 0)
                {
                  track_id.push_back(t.id);
                  type.push_back(double(static_cast<unsigned int>(t.type)));
                }
            }
      }
    const std::size_t   n_segments = track_id.size();
    std::vector<double> connectivity(2 * n_segments);
    for (std::size_t i = 0; i < connectivity.size(); ++i)
      connectivity[i] = double(i);

    const std::string  h5 = "tracks.h5";
    const std::string  n  = std::to_string(n_segments);
    std::ostringstream grid;
    if (n_segments > 0)
      {
        const std::string pad(6, ' ');
        grid << pad << "<Grid Name=\"tracks\" GridType=\"Uniform\">\n"
             << pad << "  <Topology TopologyType=\"Polyline\" "
             << "NumberOfElements=\"" << n << "\" NodesPerElement=\"2\">\n"
             << pad << "    <DataItem Dimensions=\"" << n
             << " 2\" NumberType=\"UInt\" Format=\"HDF\">" << h5
             << ":/segments</DataItem>\n"
             << pad << "  </Topology>\n"
             << pad << "  <Geometry GeometryType=\"XYZ\">\n"
             << data_item(h5,
                          "points",
                          std::to_string(2 * n_segments) + " 3",
                          pad + "    ")
             << pad << "  </Geometry>\n";
        for (const char *name : {"track_id", "track_type"})
          grid << pad << "  <Attribute Name=\"" << name
               << "\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
               << data_item(h5, name, n, pad + "    ") << pad
               << "  </Attribute>\n";
        grid << pad << "</Grid>\n";
      }

    run_collectively(communicator, true, [&]() {
      const fs::path dir(directory);
      network.write_text((dir / "tracks.txt.tmp").string());
      fs::rename(dir / "tracks.txt.tmp", dir / "tracks.txt");
      write_hdf5_file((dir / h5).string(),
                      {{"points", 3, points},
                       {"segments", 2, connectivity, true},
                       {"track_id", 1, track_id},
                       {"track_type", 1, type}});
      write_file_atomically((dir / "tracks.xdmf").string(),
                            "<?xml version=\"1.0\" ?>\n"
                            "<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
                            "<Xdmf Version=\"2.0\">\n  <Domain>\n" +
                              grid.str() + "  </Domain>\n</Xdmf>\n");
    });
    return grid.str();
  }

  XdmfSeries::XdmfSeries(const std::string &directory,
                         const MPI_Comm     communicator)
      : directory(directory)
      , mpi_communicator(communicator)
  {
  }

  std::string
  XdmfSeries::file_name()
  {
    return "solution.xdmf";
  }

  void
  XdmfSeries::add(const double time, const std::vector<std::string> &grids)
  {
    times.push_back(time);
    grids_per_time.push_back(grids);
    write();
  }

  void
  XdmfSeries::write() const
  {
    run_collectively(mpi_communicator, true, [&]() {
      std::ostringstream xdmf;
      xdmf << std::setprecision(17);
      xdmf << "<?xml version=\"1.0\" ?>\n"
           << "<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
           << "<Xdmf Version=\"2.0\">\n"
           << "  <Domain>\n"
           << "    <Grid Name=\"CellTime\" GridType=\"Collection\" "
              "CollectionType=\"Temporal\">\n";
      for (unsigned int i = 0; i < times.size(); ++i)
        {
          xdmf << "      <Grid Name=\"output " << i
               << "\" GridType=\"Collection\" CollectionType=\"Spatial\">\n"
               << "        <Time Value=\"" << times[i] << "\"/>\n";
          for (const auto &g : grids_per_time[i])
            {
              // Indent the grid two more levels.
              std::istringstream lines(g);
              std::string        line;
              while (std::getline(lines, line))
                xdmf << "    " << line << '\n';
            }
          xdmf << "      </Grid>\n";
        }
      xdmf << "    </Grid>\n"
           << "  </Domain>\n"
           << "</Xdmf>\n";
      write_file_atomically((fs::path(directory) / file_name()).string(),
                            xdmf.str());
    });
  }

  template std::vector<Hdf5Dataset>
  mvb_datasets(const std::vector<MvbRecord<2>> &, const std::string &);
  template std::vector<Hdf5Dataset>
  mvb_datasets(const std::vector<MvbRecord<3>> &, const std::string &);
  template std::string
  write_mvb_snapshot(const std::vector<MvbRecord<2>> &,
                     const std::string &,
                     const std::string &);
  template std::string
  write_mvb_snapshot(const std::vector<MvbRecord<3>> &,
                     const std::string &,
                     const std::string &);
  template void
  write_fate_table(const std::vector<FateEvent<2>> &, const std::string &);
  template void
  write_fate_table(const std::vector<FateEvent<3>> &, const std::string &);
  template std::string
  write_track_network(const mesh::TrackNetwork<2> &,
                      const std::string &,
                      MPI_Comm);
  template std::string
  write_track_network(const mesh::TrackNetwork<3> &,
                      const std::string &,
                      MPI_Comm);
} // namespace mvb::postprocess
