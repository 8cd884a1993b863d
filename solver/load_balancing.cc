#include <solver/input_error.h>
#include <solver/load_balancing.h>

#include <cmath>

namespace mvb
{
  void
  LoadBalancingParameters::declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Load balancing");
    {
      prm.declare_entry(
        "Imbalance threshold",
        "1.25",
        dealii::Patterns::Double(0),
        "After each time step, the work of every rank (its mesh cells plus "
        "the MVB weight times its MVBs) is compared with the mean; when the "
        "busiest rank has more than this many times the mean, the mesh is "
        "repartitioned with cell weights from the MVBs each cell holds, and "
        "the fields and MVBs follow their cells. 0: never repartition; "
        "otherwise larger than 1. Unit: none (max / mean).");
      prm.declare_entry(
        "MVB weight",
        "2",
        dealii::Patterns::Double(0, 1e6),
        "The work of one MVB in a field step, in units of the work of one "
        "mesh cell in a field step. Measured on the 3D baseline (four "
        "species, FE_Q(1), 768 cells, about 250 MVBs, 5 MVB steps per field "
        "step): 11.9 us per MVB and 5.3 us per cell, so 2. Unit: cells.");
    }
    prm.leave_subsection();
  }

  void
  LoadBalancingParameters::parse_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Load balancing");
    threshold  = prm.get_double("Imbalance threshold");
    mvb_weight = prm.get_double("MVB weight");
    prm.leave_subsection();
    if (threshold > 0 && threshold <= 1)
      throw InputError("Load balancing/Imbalance threshold",
                       to_text(threshold),
                       "must be 0 (never repartition) or larger than 1",
                       "1.25 repartitions when the busiest rank has a "
                       "quarter more work than the mean");
  }

  RankLoad
  measure_load(const unsigned int             n_owned_cells,
               const std::size_t              n_local_mvbs,
               const LoadBalancingParameters &parameters,
               const MPI_Comm                 communicator)
  {
    const double work =
      n_owned_cells + parameters.mvb_weight * double(n_local_mvbs);
    const auto stats = dealii::Utilities::MPI::min_max_avg(work, communicator);
    return {stats.max, stats.avg};
  }

  unsigned int
  cell_weight(const unsigned int             n_mvbs,
              const LoadBalancingParameters &parameters)
  {
    return 100 + static_cast<unsigned int>(
                   std::lround(100 * parameters.mvb_weight * n_mvbs));
  }

  void
  PartitionHistory::add(const std::vector<std::uint32_t> &local,
                        const MPI_Comm                    communicator)
  {
    std::vector<std::uint32_t> words;
    for (const auto &part :
         dealii::Utilities::MPI::all_gather(communicator, local))
      words.insert(words.end(), part.begin(), part.end());
    repartitionings.push_back(std::move(words));
  }
} // namespace mvb
