#pragma once

#include <mesh/track_network.h>
#include <physics/mvb_kinetics.h>

#include <deal.II/base/point.h>

#include <deal.II/base/mpi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mvb::postprocess
{
  using namespace dealii;

  /** One MVB as written to output: id, position, state. */
  template <int dim>
  struct MvbRecord
  {
    std::uint64_t     id = 0;
    Point<dim>        position;
    physics::MvbState state;
    // Normalised distance from the nuclear envelope (0) to the plasma
    // membrane (1): d_NE / (d_NE + d_PM).
    double radial_position = 0;
    // The lysosome density L(x) there.
    double lysosome_density = 0;
  };

  /**
   * The end of an MVB: a fusion with the plasma membrane (exosomes
   * released) or a degradation, with its state at that moment (age, ILVs
   * by route, cargo, label, amphisome, how it reached the cortex).
   */
  template <int dim>
  struct FateEvent
  {
    double            time = 0;
    std::uint64_t     id   = 0;
    Point<dim>        position;
    physics::MvbState state;
  };

  template <int dim>
  struct FateEvents
  {
    std::vector<FateEvent<dim>> fusions, degradations;
  };

  /**
   * Writes the MVBs of one output time (sorted by id) to @p directory /
   * @p file: datasets position (n x 3, z = 0 in 2D), id, one per state
   * variable (physics::mvb_state_variables: mode, track, arc, ilv_escrt,
   * ilv_ceramide, cargo, label, chi_lm, chi_ilv, rab7, age, amphisome,
   * microtubule_delivery, newborn), ilv_count, radial_position (0 at the
   * nuclear envelope, 1 at the plasma membrane), lysosome_density, and
   * connectivity (0, 1, ..., for the XDMF topology). Returns the XDMF grid
   * (empty if there are no MVBs). Serial: rank 0.
   */
  template <int dim>
  std::string
  write_mvb_snapshot(const std::vector<MvbRecord<dim>> &records,
                     const std::string                 &directory,
                     const std::string                 &file);

  /**
   * fusions.h5 or degradations.h5, rewritten whole at each output:
   * datasets time, id, position (n x 3), one per state variable at the
   * event (age, ilv_escrt, ilv_ceramide, cargo, label, amphisome,
   * microtubule_delivery, ...) and ilv_count (the exosomes of a fusion),
   * for every event so far, in order of time. Serial: rank 0.
   */
  template <int dim>
  void
  write_fate_table(const std::vector<FateEvent<dim>> &events,
                   const std::string                 &path);

  /**
   * A table of columns for a serial HDF5 file: each dataset is rows x
   * columns doubles (columns = 1: a vector).
   */
  struct Hdf5Dataset
  {
    std::string         name;
    unsigned int        columns = 1;
    std::vector<double> values;          // row-major
    bool                integer = false; // stored as 32-bit unsigned
  };

  /**
   * The MVB table of write_mvb_snapshot() (sorted as @p records), each
   * dataset named @p prefix + its name.
   */
  template <int dim>
  std::vector<Hdf5Dataset>
  mvb_datasets(const std::vector<MvbRecord<dim>> &records,
               const std::string                 &prefix);

  /**
   * Writes @p datasets to @p path through a temporary file and a rename, so
   * the file is complete or absent. Serial: call on one rank.
   */
  void
  write_hdf5_file(const std::string              &path,
                  const std::vector<Hdf5Dataset> &datasets);

  /**
   * The XDMF grid of a set of points in an HDF5 file: a Polyvertex
   * topology (dataset "connectivity") over dataset "position" (n x 3) with
   * every other dataset of n rows as a node attribute. Empty if there are no
   * points.
   */
  std::string
  point_grid_xdmf(const std::string              &name,
                  const std::string              &h5_file,
                  const std::vector<Hdf5Dataset> &datasets,
                  unsigned int                    n_points,
                  unsigned int                    indent);

  /**
   * Writes the track network once per run: tracks.h5 (vertices; each
   * segment as a two-point polyline with its track id and type, 0 =
   * microtubule, 1 = actin), tracks.xdmf to open it alone, and tracks.txt
   * to read it back (MVB/Tracks/Source = file). Returns the XDMF grid for
   * the run's time series. Rank 0 writes.
   */
  template <int dim>
  std::string
  write_track_network(const mesh::TrackNetwork<dim> &network,
                      const std::string             &directory,
                      MPI_Comm                       communicator);

  /**
   * solution.xdmf: one temporal collection whose every time is a spatial
   * collection of grids (fields, MVBs, tracks), so that ParaView opens them
   * all from one file. Rewritten atomically after each output time.
   */
  class XdmfSeries
  {
  public:
    XdmfSeries(const std::string &directory, MPI_Comm communicator);

    /** Adds a time with its grids (XDMF Grid elements) and rewrites. */
    void
    add(double time, const std::vector<std::string> &grids);

    /** Writes the file (collective: rank 0 writes). */
    void
    write() const;

    /** The file to open in ParaView, relative to the run directory. */
    static std::string
    file_name();

    const std::vector<double> &
    time_values() const
    {
      return times;
    }

    const std::vector<std::vector<std::string>> &
    grids() const
    {
      return grids_per_time;
    }

    /** Continues a restarted run's series (written by write()). */
    void
    restore(std::vector<double> t, std::vector<std::vector<std::string>> g)
    {
      times          = std::move(t);
      grids_per_time = std::move(g);
    }

  private:
    std::string                           directory;
    MPI_Comm                              mpi_communicator;
    std::vector<double>                   times;
    std::vector<std::vector<std::string>> grids_per_time;
  };
} // namespace mvb::postprocess
