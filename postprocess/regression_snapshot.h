#pragma once

#include <postprocess/mvb_output.h>

#include <deal.II/base/mpi.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mvb::postprocess
{
  /**
   * snapshot.h5: what regression tests and users compare runs by
   * (postprocess/compare_main.cc). The visualisation files are ordered by
   * the mesh partition; this one holds only numbers that do not depend on
   * it: global integrals, norms and extremes, field values at fixed probe
   * points, and the MVBs sorted by id. Layout:
   *
   *   time                          one value per output time
   *   statistics/<column>           every column of statistics.csv
   *   fields/<species>/integral     ... and l2_norm, min, max
   *   fields/<species>/probes       output times x probe points
   *   probes/position               probe points x 3
   *   mvbs/<property>               the MVBs at the last output time
   *
   * Rewritten whole (temporary name, then rename) at each output time, like
   * statistics.csv, so that it is always complete.
   */
  class RegressionSnapshot
  {
  public:
    /** A time series: rows of @p columns values. */
    struct Series
    {
      unsigned int        columns = 1;
      std::vector<double> values;
    };

    RegressionSnapshot(const std::string &path, MPI_Comm communicator);

    /** Appends one row to the time series @p name (created if new). */
    void
    add(const std::string &name, const std::vector<double> &row);

    /** Datasets written as they are: the probe positions, the MVBs. */
    void
    set(std::vector<Hdf5Dataset> datasets);

    /** Writes the file (collective: rank 0 writes). */
    void
    write() const;

    /** What a checkpoint must keep to continue the series. */
    const std::map<std::string, Series> &
    series() const
    {
      return time_series;
    }

    const std::vector<Hdf5Dataset> &
    datasets() const
    {
      return fixed;
    }

    void
    restore(std::map<std::string, Series> series,
            std::vector<Hdf5Dataset>      datasets)
    {
      time_series = std::move(series);
      fixed       = std::move(datasets);
    }

  private:
    std::string                   path;
    MPI_Comm                      mpi_communicator;
    std::map<std::string, Series> time_series;
    std::vector<Hdf5Dataset>      fixed;
  };

} // namespace mvb::postprocess
