#include <postprocess/regression_snapshot.h>
#include <solver/input_error.h>

namespace mvb::postprocess
{
  RegressionSnapshot::RegressionSnapshot(const std::string &path,
                                         const MPI_Comm     communicator)
      : path(path)
      , mpi_communicator(communicator)
  {
  }

  void
  RegressionSnapshot::add(const std::string         &name,
                          const std::vector<double> &row)
  {
    auto [it, created] = time_series.try_emplace(name);
    if (created)
      it->second.columns = row.size();
    AssertThrow(row.size() == it->second.columns,
                dealii::ExcMessage("snapshot series " + name +
                                   " changed its width"));
    it->second.values.insert(it->second.values.end(), row.begin(), row.end());
  }

  void
  RegressionSnapshot::set(std::vector<Hdf5Dataset> datasets)
  {
    for (auto &d : datasets)
      {
        bool replaced = false;
        for (auto &f : fixed)
          if (f.name == d.name)
            {
              f        = std::move(d);
              replaced = true;
              break;
            }
        if (!replaced)
          fixed.push_back(std::move(d));
      }
  }

  void
  RegressionSnapshot::write() const
  {
    run_collectively(mpi_communicator, true, [&]() {
      std::vector<Hdf5Dataset> datasets = fixed;
      for (const auto &[name, s] : time_series)
        datasets.push_back({name, s.columns, s.values});
      write_hdf5_file(path, datasets);
    });
  }

} // namespace mvb::postprocess
