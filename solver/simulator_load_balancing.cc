// Load balancing: the Simulator's repartitioning of the mesh by the work of
// the MVBs its cells hold (the step-68 pattern). A rank's work in a field
// step is its cells' (the field assembly and solves) plus its MVBs' (every
// MVB step); both are counted in units of one cell, with
// Load balancing/MVB weight per MVB. p4est cuts the space-filling curve of
// the cells so that every rank has the same sum of cell weights.

#include <solver/field_coupling.h>
#include <solver/field_probes.h>
#include <solver/mvb_population.h>
#include <solver/simulator.h>

#include <deal.II/base/timer.h>

#include <iomanip>
#include <map>

namespace mvb
{
  template <int dim>
  void
  Simulator<dim>::balance_load()
  {
    const auto &b = parameters.balancing;
    if (b.threshold <= 0 || !mvbs ||
        Utilities::MPI::n_mpi_processes(mpi_communicator) == 1)
      return;
    const RankLoad before =
      measure_load(triangulation.n_locally_owned_active_cells(),
                   mvbs->n_local(),
                   b,
                   mpi_communicator);
    if (before.imbalance() <= b.threshold)
      return;

    Timer clock(mpi_communicator, true);
    repartition([this](const typename Triangulation<dim>::cell_iterator &cell) {
      return mvbs->n_in_cell(cell);
    });
    clock.stop();
    partitions.add(mvbs->occupied_cells(), mpi_communicator);
    const RankLoad after =
      measure_load(triangulation.n_locally_owned_active_cells(),
                   mvbs->n_local(),
                   b,
                   mpi_communicator);
    const auto cells = Utilities::MPI::min_max_avg(
      double(triangulation.n_locally_owned_active_cells()),
      mpi_communicator);
    const auto local_mvbs =
      Utilities::MPI::min_max_avg(double(mvbs->n_local()), mpi_communicator);
    pcout << "  load balance at t = " << fields->time() << " s: imbalance "
          << std::setprecision(3) << before.imbalance() << " before, "
          << after.imbalance() << " after (threshold " << b.threshold
          << "); cells per rank " << cells.min << " to " << cells.max
          << ", MVBs per rank " << local_mvbs.min << " to " << local_mvbs.max
          << "; " << clock.wall_time() << " s" << std::setprecision(6)
          << std::endl;
  }

  template <int dim>
  void
  Simulator<dim>::restore_partition(const PartitionHistory &history)
  {
    constexpr unsigned int n_words =
      std::tuple_size<CellId::binary_type>::value;
    for (const auto &words : history.repartitionings)
      {
        // Cells not listed held no MVB then.
        std::map<CellId::binary_type, unsigned int> occupied;
        for (std::size_t i = 0; i + n_words < words.size(); i += n_words + 1)
          {
            CellId::binary_type id;
            std::copy(words.begin() + i,
                      words.begin() + i + n_words,
                      id.begin());
            occupied[id] = words[i + n_words];
          }
        repartition_mesh(
          [&](const typename Triangulation<dim>::cell_iterator &cell) {
            const auto it = occupied.find(cell->id().template to_binary<dim>());
            return it == occupied.end() ? 0u : it->second;
          });
      }
    // Nothing is restored yet: what is built on the cells is built anew
    // (the geometry's mapping was, in repartition_mesh()).
    fields->setup();
    if (mvbs)
      mvbs->mesh_changed();
    setup_coupling();
    setup_probes();
    partitions = history;
  }

  template <int dim>
  void
  Simulator<dim>::repartition_mesh(const MvbsInCell &mvbs_in_cell)
  {
    TimerOutput::Scope scope(timer, "load balancing");
    const auto         weight = triangulation.signals.weight.connect(
      [&](const typename Triangulation<dim>::cell_iterator &cell,
          const typename Triangulation<dim>::CellStatus) {
        return cell_weight(mvbs_in_cell(cell), parameters.balancing);
      });
    triangulation.repartition();
    weight.disconnect();
    geometry.mark_refined_boundaries(triangulation);
    geometry.update_mapping(triangulation);
  }

  template <int dim>
  void
  Simulator<dim>::repartition(const MvbsInCell &mvbs_in_cell)
  {
    mvbs->prepare_repartition(triangulation);
    fields->prepare_repartition();
    repartition_mesh(mvbs_in_cell);
    // Each rank now has other cells: everything built on them is rebuilt
    // (the geometry's mapping was, in repartition_mesh()).
    fields->finish_repartition();
    {
      TimerOutput::Scope scope(timer, "load balancing");
      mvbs->finish_repartition(triangulation);
      setup_coupling();
      setup_probes();
      if (field_output)
        field_output->mesh_changed();
    }
  }

  // Simulator<dim> is instantiated in simulator.cc, which does not see
  // these definitions.
#define MVB_INSTANTIATE(dim)                                                 \
  template void Simulator<dim>::balance_load();                              \
  template void Simulator<dim>::restore_partition(const PartitionHistory &); \
  template void Simulator<dim>::repartition_mesh(const MvbsInCell &);        \
  template void Simulator<dim>::repartition(const MvbsInCell &);
  MVB_INSTANTIATE(2)
  MVB_INSTANTIATE(3)
#undef MVB_INSTANTIATE
} // namespace mvb
