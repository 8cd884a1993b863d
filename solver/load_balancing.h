#pragma once

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <cstdint>
#include <vector>

namespace mvb
{
  /**
   * The "Load balancing" subsection: when the ranks' work is repartitioned
   * and how much an MVB weighs against a mesh cell.
   */
  struct LoadBalancingParameters
  {
    static void
    declare_parameters(dealii::ParameterHandler &prm);

    void
    parse_parameters(dealii::ParameterHandler &prm);

    /** Repartition when the busiest rank's work exceeds the mean by this
     * factor; 0: never. */
    double threshold = 1.25;
    /** The work of one MVB in units of the work of one mesh cell. */
    double mvb_weight = 2;
  };

  /**
   * The ranks' work, in units of one mesh cell's (cells + MVB weight x
   * MVBs), the same on every rank.
   */
  struct RankLoad
  {
    double maximum = 0;
    double mean    = 0;

    /** max / mean: 1 is perfect balance. */
    double
    imbalance() const
    {
      return mean > 0 ? maximum / mean : 1.;
    }
  };

  /** Collective. */
  RankLoad
  measure_load(unsigned int                   n_owned_cells,
               std::size_t                    n_local_mvbs,
               const LoadBalancingParameters &parameters,
               MPI_Comm                       communicator);

  /**
   * The partition weight of a cell that holds @p n_mvbs MVBs: a cell's
   * weight is 100 (so that MVB weights below 1 still count) plus 100 times
   * the MVB weight per MVB.
   */
  unsigned int
  cell_weight(unsigned int n_mvbs, const LoadBalancingParameters &parameters);

  /**
   * What decided the partition: for every repartitioning so far, in order,
   * the cells that held MVBs (CellId words) and their MVB counts, over all
   * ranks. A restart repeats the repartitionings with the same weights. The
   * last gives p4est's same partition, and all of them give each rank's
   * local mesh the same history, so that its cells, and so the DoFs and
   * every sum over them, come in the same order: the continued run is the
   * uninterrupted one bit for bit. Its size is that of the MVB counts once
   * per repartitioning (about 20 bytes per occupied cell).
   */
  struct PartitionHistory
  {
    std::vector<std::vector<std::uint32_t>> repartitionings;

    /** Collective: appends every rank's @p local (id words and count per
     * occupied cell), in rank order, on every rank. */
    void
    add(const std::vector<std::uint32_t> &local, MPI_Comm communicator);
  };
} // namespace mvb
