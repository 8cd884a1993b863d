#include <solver/checkpoint.h>
#include <solver/input_error.h>
#include <solver/mvb_population.h>
#include <solver/random_stream.h>

#include <deal.II/base/array_view.h>
#include <deal.II/base/mpi.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace mvb
{
  using physics::MvbFate;
  using physics::MvbMode;

  namespace
  {
    // Message tags on the population's own communicator.
    constexpr int count_tag  = 1;
    constexpr int record_tag = 2;

    // Fewer newborns than this: every rank computes every position, which
    // is cheaper than gathering them.
    constexpr unsigned int births_worth_sharing = 64;

    // Uniform candidates per newborn whose density follows the cargo: the
    // chosen one has density ~ u(x) up to O(1/candidates).
    constexpr unsigned int candidates_per_birth = 16;

    // Largest radius of an MVB's home ball (um): an MVB deep inside its
    // rank's cells is relocated after it has travelled this far, in
    // exchange for a search of the rank boundary that looks no further.
    constexpr double home_cap = 2;

    // The phases of a step (MvbPopulation::phase_times()).
    enum Phase : unsigned int
    {
      sampling_phase,
      motion_phase,
      exchange_phase,
      migration_phase,
      births_phase
    };
  } // namespace

  std::vector<double>
  MvbBooks::values() const
  {
    std::vector<double> v = {fusions,
                             exosomes_escrt,
                             exosomes_ceramide,
                             fusions_microtubule,
                             degradations_lysosomal,
                             degradations_amphisomal};
    for (const auto *amounts : {&taken, &exported, &degraded})
      v.insert(v.end(), amounts->values.begin(), amounts->values.end());
    return v;
  }

  void
  MvbBooks::set_values(const std::vector<double> &v)
  {
    AssertDimension(v.size(), values().size());
    auto i                  = v.begin();
    fusions                 = *i++;
    exosomes_escrt          = *i++;
    exosomes_ceramide       = *i++;
    fusions_microtubule     = *i++;
    degradations_lysosomal  = *i++;
    degradations_amphisomal = *i++;
    for (auto *amounts : {&taken, &exported, &degraded})
      for (double &a : amounts->values)
        a = *i++;
  }

  template <int dim>
  MvbPopulation<dim>::MvbPopulation(
    const physics::MvbParameters                    &parameters,
    const mesh::CellGeometry<dim>                   &geometry,
    const mesh::TrackNetwork<dim>                   &tracks,
    const double                                     capture_radius,
    const parallel::distributed::Triangulation<dim> &triangulation,
    const Mapping<dim>                              &mapping,
    const unsigned int                               mapping_degree,
    TimerOutput                                     &timer)
      : prm(parameters)
      , kinetics(parameters)
      , geometry(geometry)
      , tracks(tracks)
      , timer(timer)
      , mpi_communicator(triangulation.get_communicator())
      , mvb_communicator(
          Utilities::MPI::duplicate_communicator(mpi_communicator))
      , triangulation(triangulation)
      , mapping(mapping)
      , mapping_degree(mapping_degree)
      , locator(triangulation, mapping, mapping_degree)
      , mvb_stepper(kinetics, geometry, tracks, capture_radius, parameters.seed)
      , phases({"field values",
                "motion and transitions",
                "field exchange",
                "migration",
                "births"})
  {
    find_neighbours();
  }

  template <int dim>
  void
  MvbPopulation<dim>::find_neighbours()
  {
    // Ghost layers are symmetric on p4est meshes, but the exchange must not
    // hang if one is not: add the ranks that have this one as neighbour.
    const auto &mine = locator.neighbour_ranks();
    neighbours       = mine;
    if (Utilities::MPI::n_mpi_processes(mpi_communicator) > 1)
      for (const unsigned int r :
           Utilities::MPI::compute_point_to_point_communication_pattern(
             mpi_communicator,
             mine))
        neighbours.push_back(r);
    std::sort(neighbours.begin(), neighbours.end());
    neighbours.erase(std::unique(neighbours.begin(), neighbours.end()),
                     neighbours.end());
    outgoing.resize(neighbours.size());
    incoming.resize(neighbours.size());
    send_counts.resize(neighbours.size());
    receive_counts.resize(neighbours.size());
    requests.resize(2 * neighbours.size());
  }

  template <int dim>
  MvbPopulation<dim>::~MvbPopulation()
  {
    Utilities::MPI::free_communicator(mvb_communicator);
  }

  template <int dim>
  void
  MvbPopulation<dim>::pack(const Mvb           &mvb,
                           const MvbSite<dim>  &site,
                           std::vector<double> &out) const
  {
    out.push_back(double(mvb.id));
    for (unsigned int d = 0; d < dim; ++d)
      out.push_back(mvb.position[d]);
    double state[physics::n_mvb_state_values];
    physics::write_state_values(mvb.state, state);
    out.insert(out.end(), state, state + physics::n_mvb_state_values);
    for (unsigned int d = 0; d < dim; ++d)
      out.push_back(mvb.membranes.anchor[d]);
    out.push_back(mvb.membranes.depth);
    out.push_back(mvb.membranes.height);
    for (unsigned int d = 0; d < dim; ++d)
      out.push_back(site.reference[d]);
    for (const unsigned int word :
         locator.cell(site.cell)->id().template to_binary<dim>())
      out.push_back(double(word));
  }

  template <int dim>
  bool
  MvbPopulation<dim>::unpack(const double *record, const bool by_cell_id)
  {
    Mvb           mvb;
    MvbSite<dim>  site;
    const double *r = record;
    mvb.id          = static_cast<std::uint64_t>(*r++);
    for (unsigned int d = 0; d < dim; ++d)
      mvb.position[d] = *r++;
    mvb.state = physics::read_state_values(r);
    r += physics::n_mvb_state_values;
    for (unsigned int d = 0; d < dim; ++d)
      mvb.membranes.anchor[d] = *r++;
    mvb.membranes.depth  = *r++;
    mvb.membranes.height = *r++;
    for (unsigned int d = 0; d < dim; ++d)
      site.reference[d] = *r++;
    CellId::binary_type id;
    for (auto &word : id)
      word = static_cast<unsigned int>(*r++);
    site.cell =
      by_cell_id ? locator.owned_index(id) : mesh::CellLocator<dim>::invalid;
    if (site.cell == mesh::CellLocator<dim>::invalid &&
        !locator.find_owned(mvb.position, site.cell, site.reference))
      return false;
    append(mvb, site);
    return true;
  }

  template <int dim>
  void
  MvbPopulation<dim>::append(const Mvb &mvb, const MvbSite<dim> &site)
  {
    mvbs.push_back(mvb);
    settle(mvbs.back());
    sites.push_back(site);
  }

  template <int dim>
  void
  MvbPopulation<dim>::settle(Mvb &mvb) const
  {
    mvb.home = mvb.position;
    mvb.home_radius =
      exact_sites ? 0.
                  : locator.distance_to_other_ranks(mvb.position, home_cap);
  }

  template <int dim>
  Point<dim>
  MvbPopulation<dim>::birth_position(const std::uint64_t id,
                                     const unsigned int  attempt) const
  {
    const double margin = prm.membrane_clearance;
    const double band   = prm.birth_band_width;
    const double cortex = geometry.parameters().cortex_thickness;
    RandomStream random(prm.seed, id, attempt, RandomPurpose::birth_position);
    const auto   box = geometry.plasma_membrane().bounding_box();
    for (unsigned int trial = 0; trial < 1000; ++trial)
      {
        Point<dim> x;
        if (prm.births_follow_cargo)
          for (unsigned int d = 0; d < dim; ++d)
            x[d] = box.lower_bound(d) +
                   random.uniform() * (box.upper_bound(d) - box.lower_bound(d));
        else
          {
            const double     u_facet = random.uniform(), u = random.uniform();
            Tensor<1, dim>   into_nucleus;
            const Point<dim> p =
              geometry.nuclear_envelope().sample(u_facet,
                                                 u,
                                                 random.uniform(),
                                                 &into_nucleus);
            const double height = margin + random.uniform() * (band - margin);
            x                   = p - height * into_nucleus;
          }
        // Endosomes mature into MVBs while they move inward (004): none is
        // born in the cortex.
        if (geometry.in_cytoplasm(x, margin) &&
            geometry.distance_to_plasma_membrane(x) > cortex)
          return x;
      }
    throw InputError(prm.births_follow_cargo
                       ? "MVB/Birth/Birth distribution"
                       : "MVB/Birth/Perinuclear band width",
                     prm.births_follow_cargo ? "cargo" : to_text(band),
                     "no point of the cytoplasm outside the cortex was found "
                     "where MVBs are born",
                     "widen the band or check the geometry and the cortex "
                     "thickness");
  }

  template <int dim>
  std::vector<Point<dim>>
  MvbPopulation<dim>::cargo_weighted_positions(const unsigned int  n,
                                               FieldCoupling<dim> *fields) const
  {
    std::vector<Point<dim>> candidates;
    for (unsigned int i = 0; i < n; ++i)
      for (unsigned int k = 0; k < candidates_per_birth; ++k)
        candidates.push_back(birth_position(next_id + i, k));
    std::vector<physics::LocalFields> values;
    if (fields != nullptr)
      fields->values_at(candidates, values);
    std::vector<Point<dim>> positions(n);
    for (unsigned int i = 0; i < n; ++i)
      {
        // One of the MVB's candidates, with weights u(x): the same on every
        // rank, which all know every value.
        std::array<double, candidates_per_birth> weight;
        double                                   total = 0;
        for (unsigned int k = 0; k < candidates_per_birth; ++k)
          {
            weight[k] = values.empty()
                          ? 1.
                          : std::max(values[i * candidates_per_birth + k]
                                           [physics::CoupledSpecies::cargo],
                                     0.);
            total += weight[k];
          }
        RandomStream random(prm.seed,
                            next_id + i,
                            candidates_per_birth,
                            RandomPurpose::birth_position);
        double       pick   = random.uniform() * total;
        unsigned int chosen = 0; // no cargo anywhere: the first, uniform
        if (total > 0)
          for (chosen = 0; chosen + 1 < candidates_per_birth; ++chosen)
            {
              if (pick < weight[chosen])
                break;
              pick -= weight[chosen];
            }
        positions[i] = candidates[i * candidates_per_birth + chosen];
      }
    return positions;
  }

  template <int dim>
  void
  MvbPopulation<dim>::add_newborns(const unsigned int  n,
                                   FieldCoupling<dim> *fields)
  {
    if (prm.births_follow_cargo)
      {
        add_mvbs(cargo_weighted_positions(n, fields));
        return;
      }
    const unsigned int n_ranks =
      Utilities::MPI::n_mpi_processes(mpi_communicator);
    const unsigned int rank =
      Utilities::MPI::this_mpi_process(mpi_communicator);

    // Every position is a function of the MVB's id alone. Many of them are
    // shared out: rank r computes every r-th, and all ranks get all.
    std::vector<Point<dim>> positions(n);
    if (n < births_worth_sharing || n_ranks == 1)
      for (unsigned int i = 0; i < n; ++i)
        positions[i] = birth_position(next_id + i);
    else
      {
        // A band where no position is found fails on some ranks only;
        // all must throw together.
        std::vector<double> mine;
        run_collectively(mpi_communicator, false, [&]() {
          for (unsigned int i = rank; i < n; i += n_ranks)
            {
              const Point<dim> x = birth_position(next_id + i);
              for (unsigned int d = 0; d < dim; ++d)
                mine.push_back(x[d]);
            }
        });
        const auto all = Utilities::MPI::all_gather(mpi_communicator, mine);
        for (unsigned int r = 0; r < n_ranks; ++r)
          for (unsigned int i = r, k = 0; i < n; i += n_ranks, k += dim)
            for (unsigned int d = 0; d < dim; ++d)
              positions[i][d] = all[r][k + d];
      }
    add_mvbs(positions);
  }

  template <int dim>
  void
  MvbPopulation<dim>::add_mvbs(const std::vector<Point<dim>> &positions)
  {
    const unsigned int  n        = positions.size();
    const std::uint64_t first_id = next_id;
    next_id += n;
    const unsigned int n_ranks =
      Utilities::MPI::n_mpi_processes(mpi_communicator);
    const unsigned int rank =
      Utilities::MPI::this_mpi_process(mpi_communicator);

    // Each rank keeps the ones in its cells.
    const std::size_t first = mvbs.size();
    Mvb               mvb;
    mvb.state = kinetics.newborn();
    std::vector<unsigned int> claimed;
    for (unsigned int i = 0; i < n; ++i)
      {
        MvbSite<dim> site;
        if (locator.find_owned(positions[i], site.cell, site.reference))
          {
            mvb.id       = first_id + i;
            mvb.position = positions[i];
            append(mvb, site);
            claimed.push_back(i);
          }
      }

    // Each exactly once: a point on a face between two ranks' cells may be
    // claimed by both (the lower rank keeps it), a point outside the mesh
    // by none.
    if (Utilities::MPI::sum(claimed.size(), mpi_communicator) == n)
      return;
    std::vector<unsigned int> owner(n, n_ranks);
    const auto all = Utilities::MPI::all_gather(mpi_communicator, claimed);
    for (unsigned int r = n_ranks; r-- > 0;)
      for (const unsigned int i : all[r])
        owner[i] = r;
    std::size_t keep = first;
    for (std::size_t k = first; k < mvbs.size(); ++k)
      if (owner[mvbs[k].id - first_id] == rank)
        {
          mvbs[keep]  = mvbs[k];
          sites[keep] = sites[k];
          ++keep;
        }
    mvbs.resize(keep);
    sites.resize(keep);
    const auto missing = std::find(owner.begin(), owner.end(), n_ranks);
    if (missing != owner.end())
      throw SimulationError(
        "MVB birth at t = " + to_text(current_time) + ": MVB " +
        std::to_string(first_id + (missing - owner.begin())) + " at (" +
        to_text(positions[missing - owner.begin()]) +
        ") found no cell of the mesh (the membrane clearance may be "
        "smaller than the mesh's distance from its facets)");
  }

  template <int dim>
  void
  MvbPopulation<dim>::initialize(const double                   start_time,
                                 const std::vector<Point<dim>> &positions)
  {
    TimerOutput::Scope scope(timer, "MVBs: initial placement");
    current_time = start_time;
    if (positions.empty())
      add_newborns(prm.initial_number);
    else
      add_mvbs(positions);
  }

  template <int dim>
  void
  MvbPopulation<dim>::refresh_sites()
  {
    if (exact_sites)
      return; // current after every step
    for (std::size_t i = 0; i < mvbs.size(); ++i)
      {
        MvbSite<dim> &site = sites[i];
        const auto    where =
          locator.follow(mvbs[i].position, site.cell, site.reference);
        if (where != mesh::CellLocator<dim>::Location::owned &&
            !locator.find_owned(mvbs[i].position, site.cell, site.reference))
          throw SimulationError("MVB " + std::to_string(mvbs[i].id) + " at (" +
                                to_text(mvbs[i].position) +
                                ") is not in a cell of its rank");
        settle(mvbs[i]);
      }
  }

  template <int dim>
  void
  MvbPopulation<dim>::prepare_repartition(
    parallel::distributed::Triangulation<dim> &mesh)
  {
    refresh_sites();
    records_by_cell.assign(mesh.n_active_cells(), {});
    for (std::size_t i = 0; i < mvbs.size(); ++i)
      pack(mvbs[i],
           sites[i],
           records_by_cell[locator.cell(sites[i].cell)->active_cell_index()]);
    transfer_handle = mesh.register_data_attach(
      [this](const typename Triangulation<dim>::cell_iterator &cell,
             const typename Triangulation<dim>::CellStatus) {
        const auto &records = records_by_cell[cell->active_cell_index()];
        const auto *bytes   = reinterpret_cast<const char *>(records.data());
        return std::vector<char>(bytes,
                                 bytes + records.size() * sizeof(double));
      },
      true);
  }

  template <int dim>
  unsigned int
  MvbPopulation<dim>::n_in_cell(
    const typename Triangulation<dim>::cell_iterator &cell) const
  {
    return records_by_cell[cell->active_cell_index()].size() / record_size;
  }

  template <int dim>
  void
  MvbPopulation<dim>::finish_repartition(
    parallel::distributed::Triangulation<dim> &mesh)
  {
    const unsigned long n_before = n_global();
    records_by_cell.clear();
    mvbs.clear();
    sites.clear();
    mesh_changed();
    std::vector<double> records;
    bool                lost_one = false;
    mesh.notify_ready_to_unpack(
      transfer_handle,
      [&](
        const typename Triangulation<dim>::cell_iterator &,
        const typename Triangulation<dim>::CellStatus,
        const boost::iterator_range<std::vector<char>::const_iterator> &bytes) {
        records.resize(bytes.size() / sizeof(double));
        std::copy(bytes.begin(),
                  bytes.end(),
                  reinterpret_cast<char *>(records.data()));
        for (std::size_t r = 0; r < records.size(); r += record_size)
          lost_one |= !unpack(records.data() + r, true);
      });
    if (Utilities::MPI::logical_or(lost_one, mpi_communicator) ||
        n_global() != n_before)
      throw SimulationError("the MVBs did not all reach the ranks of their "
                            "cells when the mesh was repartitioned");
  }

  template <int dim>
  void
  MvbPopulation<dim>::mesh_changed()
  {
    Assert(mvbs.empty(), ExcMessage("the MVBs' sites would be lost"));
    locator = mesh::CellLocator<dim>(triangulation, mapping, mapping_degree);
    find_neighbours();
  }

  template <int dim>
  std::vector<std::uint32_t>
  MvbPopulation<dim>::occupied_cells()
  {
    refresh_sites();
    std::vector<unsigned int> count(locator.n_owned_cells(), 0);
    for (const auto &site : sites)
      ++count[site.cell];
    std::vector<std::uint32_t> words;
    for (unsigned int c = 0; c < count.size(); ++c)
      if (count[c] > 0)
        {
          for (const unsigned int word :
               locator.cell(c)->id().template to_binary<dim>())
            words.push_back(word);
          words.push_back(count[c]);
        }
    return words;
  }

  template <int dim>
  void
  MvbPopulation<dim>::save(CheckpointWriter &global, CheckpointWriter &local)
  {
    refresh_sites();
    global.put(current_time);
    global.put(std::uint64_t(n_steps));
    global.put(std::uint64_t(next_id));
    global.put(std::uint64_t(births));
    global.put(std::uint64_t(n_global()));
    // Counters and the fates not yet written are few: rank 0 keeps every
    // rank's in the header, so a restart on any number of ranks has all.
    CheckpointWriter small;
    small.put(local_books.values());
    for (const auto *events : {&pending.fusions, &pending.degradations})
      {
        small.put(std::uint64_t(events->size()));
        for (const auto &e : *events)
          small.put(e);
      }
    const auto all_small =
      Utilities::MPI::gather(mpi_communicator, small.data(), 0);
    global.put(std::uint32_t(all_small.size()));
    for (const auto &bytes : all_small)
      global.put_bytes(bytes);

    std::vector<double> records;
    records.reserve(mvbs.size() * record_size);
    for (std::size_t i = 0; i < mvbs.size(); ++i)
      pack(mvbs[i], sites[i], records);
    local.put(std::uint64_t(mvbs.size()));
    local.put(records);
  }

  template <int dim>
  void
  MvbPopulation<dim>::load(CheckpointReader              &global,
                           std::vector<CheckpointReader> &blocks)
  {
    current_time = global.get<double>();
    n_steps      = global.get<std::uint64_t>();
    next_id      = global.get<std::uint64_t>();
    births       = global.get<std::uint64_t>();

    const auto n_saved = global.get<std::uint64_t>();

    // On as many ranks as saved, each rank takes back its own counters and
    // fates; otherwise rank 0 takes all.
    const unsigned int rank =
      Utilities::MPI::this_mpi_process(mpi_communicator);
    const auto n_parts = global.get<std::uint32_t>();
    const bool same_ranks =
      n_parts == Utilities::MPI::n_mpi_processes(mpi_communicator);
    std::vector<double> counts(MvbBooks().values().size(), 0.);
    pending = {};
    for (unsigned int r = 0; r < n_parts; ++r)
      {
        const bool mine = same_ranks ? r == rank : rank == 0;
        const auto c    = global.get_vector<double>();
        if (c.size() != counts.size())
          global.corrupt("its MVB counts are incomplete");
        for (auto *events : {&pending.fusions, &pending.degradations})
          {
            const auto n_events = global.get<std::uint64_t>();
            for (std::uint64_t i = 0; i < n_events; ++i)
              {
                const auto e = global.get<postprocess::FateEvent<dim>>();
                if (mine)
                  events->push_back(e);
              }
          }
        if (mine)
          for (unsigned int k = 0; k < counts.size(); ++k)
            counts[k] += c[k];
      }

    mvbs.clear();
    sites.clear();
    for (auto &block : blocks)
      {
        const auto n       = block.get<std::uint64_t>();
        const auto records = block.get_vector<double>();
        if (records.size() != n * record_size)
          block.corrupt("its MVBs have the wrong number of values");
        // Each MVB to the owner of its cell (the saving rank's order kept).
        for (std::uint64_t i = 0; i < n; ++i)
          {
            const double       *record = records.data() + i * record_size;
            CellId::binary_type id;
            for (unsigned int k = 0; k < id.size(); ++k)
              id[k] =
                static_cast<unsigned int>(record[record_size - id.size() + k]);
            if (locator.owned_index(id) != mesh::CellLocator<dim>::invalid)
              unpack(record, true);
          }
        if (!block.at_end())
          block.corrupt("it has more than its MVBs");
      }
    if (n_global() != n_saved)
      global.corrupt(std::to_string(n_saved - n_global()) +
                     " of its MVBs lie in no cell of this mesh");

    local_books.set_values(counts);
  }

  template <int dim>
  void
  MvbPopulation<dim>::advance(const double        dt_field,
                              FieldCoupling<dim> &fields,
                              const unsigned int  n_substeps)
  {
    TimerOutput::Scope scope(timer, "MVBs");
    const unsigned int substeps =
      n_substeps > 0 ? n_substeps : prm.steps_per_field_step;
    const double dt = dt_field / substeps;
    exact_sites     = fields.uses_sites();
    for (unsigned int k = 0; k < substeps; ++k)
      {
        phases.start(sampling_phase);
        fields.sample(sites, field_values);

        phases.start(motion_phase);
        removed.clear();
        exchanges.resize(mvbs.size());
        engine.mvb_steps += mvbs.size();
        for (std::size_t i = 0; i < mvbs.size(); ++i)
          {
            Mvb                        &mvb = mvbs[i];
            physics::MvbState          &s   = mvb.state;
            const physics::LocalFields &f   = field_values[i];
            physics::MaturationExchange exchange;
            kinetics.mature(s, f, dt, exchange);
            const auto outcome = mvb_stepper.advance(mvb.id,
                                                     n_steps,
                                                     dt,
                                                     f,
                                                     mvb.position,
                                                     s,
                                                     mvb.membranes);
            exchanges[i] = kinetics.field_exchange(exchange, s, outcome.fate);
            local_books.taken += exchange.taken;
            if (outcome.fate == MvbFate::alive)
              continue;
            const physics::SpeciesValues content = kinetics.held(s);
            for (const auto &species : physics::coupled_species_table)
              {
                // What leaves the MVB into its field again is no longer
                // taken.
                const auto c = species.species;
                if (outcome.fate == MvbFate::fused)
                  local_books.exported[c] += content[c];
                else if (species.at_degradation ==
                         physics::AtDegradation::destroyed)
                  local_books.degraded[c] += content[c];
                else
                  local_books.taken[c] -= content[c];
              }
            const postprocess::FateEvent<dim> event{current_time +
                                                      outcome.event_time,
                                                    mvb.id,
                                                    mvb.position,
                                                    s};
            if (outcome.fate == MvbFate::fused)
              {
                local_books.fusions += 1;
                local_books.exosomes_escrt += s.ilv_escrt;
                local_books.exosomes_ceramide += s.ilv_ceramide;
                local_books.fusions_microtubule += s.microtubule_delivery;
                pending.fusions.push_back(event);
              }
            else
              {
                (s.amphisome ? local_books.degradations_amphisomal
                             : local_books.degradations_lysosomal) += 1;
                pending.degradations.push_back(event);
              }
            removed.push_back(i);
          }

        // Before removal and migration: the MVBs are still at the sites
        // where they were sampled.
        phases.start(exchange_phase);
        fields.deposit(sites, exchanges);
        // From the back, each replaced by the last MVB.
        for (auto i = removed.rbegin(); i != removed.rend(); ++i)
          {
            mvbs[*i]  = mvbs.back();
            sites[*i] = sites.back();
            mvbs.pop_back();
            sites.pop_back();
          }

        phases.start(migration_phase);
        migrate(current_time + dt);
        ++n_steps;
        current_time += dt;

        phases.start(births_phase);
        RandomStream       random(prm.seed,
                            RandomStream::population_subject,
                            n_steps,
                            RandomPurpose::birth_count);
        const unsigned int n = random.poisson(kinetics.birth_rate() * dt);
        if (n > 0)
          add_newborns(n, &fields);
        births += n;
      }
    phases.start(exchange_phase);
    fields.finish();
    phases.stop();
  }

  template <int dim>
  void
  MvbPopulation<dim>::migrate(const double step_end)
  {
    using Location = typename mesh::CellLocator<dim>::Location;
    for (auto &buffer : outgoing)
      buffer.clear();
    lost.clear();
    unsigned long n_outgoing = 0;
    std::size_t   kept       = 0;
    for (std::size_t i = 0; i < mvbs.size(); ++i)
      {
        Mvb          &mvb  = mvbs[i];
        MvbSite<dim> &site = sites[i];
        // Exact sites: every MVB that moved (docked and stalled ones do
        // not). Else: those that left their home ball.
        if (exact_sites ? !(mvb.position == mvb.home)
                        : mvb.position.distance_square(mvb.home) >=
                            mvb.home_radius * mvb.home_radius)
          {
            ++engine.relocations;
            const Location where =
              locator.follow(mvb.position, site.cell, site.reference);
            if (where == Location::ghost)
              {
                const unsigned int to =
                  std::lower_bound(neighbours.begin(),
                                   neighbours.end(),
                                   locator.owner(site.cell)) -
                  neighbours.begin();
                pack(mvb, site, outgoing[to]);
                ++n_outgoing;
                ++engine.sent;
                continue;
              }
            if (where == Location::elsewhere)
              {
                ++engine.searches;
                if (!locator.find_owned(mvb.position,
                                        site.cell,
                                        site.reference))
                  {
                    pack(mvb, site, lost);
                    ++engine.lost;
                    continue;
                  }
              }
            settle(mvb);
          }
        if (kept != i)
          {
            mvbs[kept]  = mvb;
            sites[kept] = site;
          }
        ++kept;
      }
    mvbs.resize(kept);
    sites.resize(kept);

    // One collective per step: the count check, and whether anything moves
    // between ranks.
    const unsigned long                n_lost = lost.size() / record_size;
    const std::array<unsigned long, 5> local  = {
       {kept + n_outgoing + n_lost,
        n_outgoing,
        n_lost,
        static_cast<unsigned long>(local_books.fusions),
        static_cast<unsigned long>(local_books.degradations())}};
    std::array<unsigned long, 5> total;
    Utilities::MPI::sum(ArrayView<const unsigned long>(local.data(), 5),
                        mpi_communicator,
                        ArrayView<unsigned long>(total.data(), 5));
    check_count(total[0],
                total[3],
                total[4],
                "in step " + std::to_string(n_steps + 1) +
                  " (t = " + to_text(step_end) + " s)");
    if (total[1] > 0)
      exchange_with_neighbours();
    if (total[2] > 0)
      place_lost(step_end);
  }

  template <int dim>
  void
  MvbPopulation<dim>::exchange_with_neighbours()
  {
    // A receive and a send per neighbour, then a wait for all of them.
    const unsigned int n    = neighbours.size();
    const auto         post = [&](const unsigned int j,
                          void              *receive,
                          const int          n_receive,
                          const void        *send,
                          const int          n_send,
                          const MPI_Datatype type,
                          const int          tag) {
      MPI_Irecv(receive,
                n_receive,
                type,
                neighbours[j],
                tag,
                mvb_communicator,
                &requests[j]);
      MPI_Isend(send,
                n_send,
                type,
                neighbours[j],
                tag,
                mvb_communicator,
                &requests[n + j]);
    };
    for (unsigned int j = 0; j < n; ++j)
      {
        send_counts[j] = outgoing[j].size();
        post(j,
             &receive_counts[j],
             1,
             &send_counts[j],
             1,
             MPI_UNSIGNED_LONG,
             count_tag);
      }
    MPI_Waitall(2 * n, requests.data(), MPI_STATUSES_IGNORE);
    for (unsigned int j = 0; j < n; ++j)
      {
        incoming[j].resize(receive_counts[j]);
        post(j,
             incoming[j].data(),
             receive_counts[j],
             outgoing[j].data(),
             send_counts[j],
             MPI_DOUBLE,
             record_tag);
      }
    MPI_Waitall(2 * n, requests.data(), MPI_STATUSES_IGNORE);
    // Appended in the order of the sending ranks: the same on every run.
    for (unsigned int j = 0; j < n; ++j)
      for (std::size_t k = 0; k < incoming[j].size(); k += record_size)
        if (!unpack(incoming[j].data() + k, true))
          lost.insert(lost.end(),
                      incoming[j].begin() + k,
                      incoming[j].begin() + k + record_size);
    AssertThrow(lost.empty(),
                ExcMessage("an MVB sent to the owner of its cell was not "
                           "in a cell of that rank"));
  }

  template <int dim>
  void
  MvbPopulation<dim>::place_lost(const double step_end)
  {
    // Rare (an MVB that moved beyond the ghost layer in one step): every
    // rank looks at every lost MVB and keeps those in its cells.
    unsigned long n_lost = 0, placed = 0;
    std::string   unplaced;
    const auto    all = Utilities::MPI::all_gather(mpi_communicator, lost);
    for (const auto &part : all)
      for (std::size_t k = 0; k + record_size <= part.size(); k += record_size)
        {
          ++n_lost;
          // Its cell id is stale: found by its position.
          if (unpack(part.data() + k, false))
            ++placed;
          else if (unplaced.empty())
            {
              Point<dim> x;
              for (unsigned int d = 0; d < dim; ++d)
                x[d] = part[k + 1 + d];
              unplaced = "MVB " + std::to_string(std::uint64_t(part[k])) +
                         " at (" + to_text(x) + ")";
            }
        }
    lost.clear();
    if (Utilities::MPI::sum(placed, mpi_communicator) != n_lost)
      throw SimulationError(
        "MVBs left the mesh at step " + std::to_string(n_steps + 1) +
        " (t = " + to_text(step_end) + " s), e.g. " + unplaced +
        ": the membrane clearance (MVB/Motion/Membrane clearance) is smaller "
        "than the mesh's distance from its facets");
  }

  template <int dim>
  void
  MvbPopulation<dim>::check_count(const unsigned long present,
                                  const unsigned long fusions,
                                  const unsigned long degradations,
                                  const std::string  &when) const
  {
    // Every MVB ever made took one id: the initial ones and the born.
    const unsigned long expected = next_id - fusions - degradations;
    if (present != expected)
      throw SimulationError(
        "MVB count check " + when + ": " + std::to_string(present) +
        " MVBs on the ranks, but initial " + std::to_string(next_id - births) +
        " + born " + std::to_string(births) + " - fused " +
        std::to_string(fusions) + " - degraded " +
        std::to_string(degradations) + " = " + std::to_string(expected) +
        " (MVBs were lost or duplicated)");
  }

  template <int dim>
  unsigned long
  MvbPopulation<dim>::n_global() const
  {
    return Utilities::MPI::sum<unsigned long>(mvbs.size(), mpi_communicator);
  }

  template <int dim>
  MvbCounts
  MvbPopulation<dim>::counts() const
  {
    MvbCounts c;
    // Sums over this rank's MVBs, then over all ranks in one reduction.
    std::vector<double> sums(physics::n_mvb_modes + 5 +
                             physics::n_coupled_species);
    for (const Mvb &mvb : mvbs)
      {
        ++sums[static_cast<unsigned int>(mvb.state.mode)];
        double       d_pm = 0;
        const double r    = radial_position(mvb.position, &d_pm);
        double      *more = sums.data() + physics::n_mvb_modes;
        more[0] += r;
        more[1] += (r > 0.5);
        more[2] += (d_pm <= prm.docking_distance);
        more[3] += mvb_stepper.lysosome_density(mvb.position);
        more[4] += mvb.state.amphisome;
        const auto held = kinetics.held(mvb.state);
        for (unsigned int k = 0; k < physics::n_coupled_species; ++k)
          more[5 + k] += held[k];
      }
    auto books = local_books.values();
    sums.insert(sums.end(), books.begin(), books.end());
    Utilities::MPI::sum(sums, mpi_communicator, sums);
    for (unsigned int m = 0; m < physics::n_mvb_modes; ++m)
      {
        c.per_mode[m] = static_cast<unsigned long>(sums[m]);
        c.total += c.per_mode[m];
      }
    const double *more      = sums.data() + physics::n_mvb_modes;
    const double  n         = std::max<double>(c.total, 1);
    c.mean_radial_position  = more[0] / n;
    c.peripheral_fraction   = more[1] / n;
    c.near_membrane         = static_cast<unsigned long>(more[2]);
    c.mean_lysosome_density = more[3] / n;
    c.amphisomes            = static_cast<unsigned long>(more[4]);
    for (unsigned int k = 0; k < physics::n_coupled_species; ++k)
      c.held[k] = more[5 + k];
    books.assign(sums.end() - books.size(), sums.end());
    c.books.set_values(books);
    c.births = births;
    check_count(c.total,
                static_cast<unsigned long>(c.books.fusions),
                static_cast<unsigned long>(c.books.degradations()),
                "at t = " + to_text(current_time) + " s");
    return c;
  }

  template <int dim>
  double
  MvbPopulation<dim>::radial_position(const Point<dim> &x,
                                      double *const     distance_to_pm) const
  {
    const double d_pm = geometry.distance_to_plasma_membrane(x);
    const double d_ne = geometry.distance_to_nuclear_envelope(x);
    if (distance_to_pm != nullptr)
      *distance_to_pm = d_pm;
    return d_ne / std::max(d_ne + d_pm, 1e-300);
  }

  template <int dim>
  std::vector<postprocess::MvbRecord<dim>>
  MvbPopulation<dim>::gather() const
  {
    // Flattened: id, position, state, radial position (the membrane
    // distances are found where the MVB lives).
    constexpr unsigned int width = 1 + dim + physics::n_mvb_state_values + 2;
    std::vector<double>    local(mvbs.size() * width);
    for (std::size_t i = 0; i < mvbs.size(); ++i)
      {
        double *r = local.data() + i * width;
        r[0]      = double(mvbs[i].id);
        for (unsigned int d = 0; d < dim; ++d)
          r[1 + d] = mvbs[i].position[d];
        physics::write_state_values(mvbs[i].state, r + 1 + dim);
        r[width - 2] = radial_position(mvbs[i].position);
        r[width - 1] = mvb_stepper.lysosome_density(mvbs[i].position);
      }
    const auto all = Utilities::MPI::gather(mpi_communicator, local, 0);
    std::vector<postprocess::MvbRecord<dim>> records;
    for (const auto &part : all)
      for (std::size_t k = 0; k + width <= part.size(); k += width)
        {
          postprocess::MvbRecord<dim> r;
          r.id = static_cast<std::uint64_t>(part[k]);
          for (unsigned int d = 0; d < dim; ++d)
            r.position[d] = part[k + 1 + d];
          r.state            = physics::read_state_values(&part[k + 1 + dim]);
          r.radial_position  = part[k + width - 2];
          r.lysosome_density = part[k + width - 1];
          records.push_back(r);
        }
    std::sort(records.begin(), records.end(), [](const auto &a, const auto &b) {
      return a.id < b.id;
    });
    return records;
  }

  template <int dim>
  postprocess::FateEvents<dim>
  MvbPopulation<dim>::collect_fates()
  {
    constexpr unsigned int       width = 2 + dim + physics::n_mvb_state_values;
    postprocess::FateEvents<dim> gathered;
    for (auto *events : {&pending.fusions, &pending.degradations})
      {
        std::vector<double> local;
        for (const auto &e : *events)
          {
            local.push_back(e.time);
            local.push_back(double(e.id));
            for (unsigned int d = 0; d < dim; ++d)
              local.push_back(e.position[d]);
            local.resize(local.size() + physics::n_mvb_state_values);
            physics::write_state_values(e.state,
                                        local.data() + local.size() -
                                          physics::n_mvb_state_values);
          }
        events->clear();
        auto &out =
          events == &pending.fusions ? gathered.fusions : gathered.degradations;
        for (const auto &part :
             Utilities::MPI::gather(mpi_communicator, local, 0))
          for (std::size_t k = 0; k + width <= part.size(); k += width)
            {
              postprocess::FateEvent<dim> e;
              e.time = part[k];
              e.id   = static_cast<std::uint64_t>(part[k + 1]);
              for (unsigned int d = 0; d < dim; ++d)
                e.position[d] = part[k + 2 + d];
              e.state = physics::read_state_values(&part[k + 2 + dim]);
              out.push_back(e);
            }
        std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) {
          return a.time < b.time || (a.time == b.time && a.id < b.id);
        });
      }
    return gathered;
  }

  template <int dim>
  unsigned long
  MvbPopulation<dim>::count_misplaced() const
  {
    unsigned long n = 0;
    // The clearance is kept to round-off; reflections are exact only to
    // the facet search's floating-point accuracy.
    const double allowance = prm.membrane_clearance - 1e-9;
    for (std::size_t i = 0; i < mvbs.size(); ++i)
      {
        const Point<dim>        &x   = mvbs[i].position;
        const physics::MvbState &s   = mvbs[i].state;
        bool                     bad = !geometry.in_cytoplasm(x, allowance);
        if (s.mode == MvbMode::kinesin || s.mode == MvbMode::dynein ||
            s.mode == MvbMode::myosin)
          bad |= tracks.position(static_cast<unsigned int>(s.track), s.arc)
                   .distance(x) > 1e-9;
        // On this rank: in one of its cells.
        MvbSite<dim> site = sites[i];
        bad |= locator.follow(x, site.cell, site.reference) !=
                 mesh::CellLocator<dim>::Location::owned &&
               !locator.find_owned(x, site.cell, site.reference);
        n += bad;
      }
    return Utilities::MPI::sum(n, mpi_communicator);
  }

  template class MvbPopulation<2>;
  template class MvbPopulation<3>;
} // namespace mvb
