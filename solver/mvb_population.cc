#include <solver/checkpoint.h>
#include <solver/input_error.h>
#include <solver/mvb_population.h>
#include <solver/random_stream.h>

#include <deal.II/base/mpi.h>
#include <deal.II/grid/grid_tools.h>

#include <algorithm>
#include <cmath>

namespace mvb
{
  using physics::MvbFate;
  using physics::MvbMode;

  template <int dim>
  MvbPopulation<dim>::MvbPopulation(
    const physics::MvbParameters                    &parameters,
    const mesh::CellGeometry<dim>                   &geometry,
    const mesh::TrackNetwork<dim>                   &tracks,
    const double                                     capture_radius,
    const parallel::distributed::Triangulation<dim> &triangulation,
    const Mapping<dim>                              &mapping,
    TimerOutput                                     &timer)
      : prm(parameters)
      , kinetics(parameters)
      , geometry(geometry)
      , tracks(tracks)
      , triangulation(triangulation)
      , mapping(mapping)
      , timer(timer)
      , mpi_communicator(triangulation.get_communicator())
      , cache(triangulation, mapping)
      , particles(triangulation, mapping, n_properties)
      , mvb_stepper(kinetics, geometry, tracks, capture_radius, parameters.seed)
  {
    // deal.II 9.4 looks for a particle that left its cell only around the
    // closest vertex of that cell and of the mesh, which misses neighbours
    // on stretched curved cells. Such particles are caught here and placed
    // again by a full search (relocate_lost()).
    particles.signals.particle_lost.connect(
      [this](const auto &particle, const auto &) {
        lost.push_back(double(particle->get_id()));
        for (unsigned int d = 0; d < dim; ++d)
          lost.push_back(particle->get_location()[d]);
        const auto p = particle->get_properties();
        lost.insert(lost.end(), p.begin(), p.end());
      });
  }

  template <int dim>
  MvbPopulation<dim>::~MvbPopulation() = default;

  template <int dim>
  physics::MvbState
  MvbPopulation<dim>::read_state(const ArrayView<const double> &p)
  {
    physics::MvbState s;
    s.mode      = static_cast<MvbMode>(static_cast<unsigned int>(p[mode]));
    s.track     = static_cast<int>(p[track]);
    s.arc       = p[arc];
    s.ilv_count = p[ilv_count];
    s.cargo     = p[cargo];
    s.chi_lm    = p[chi_lm];
    s.chi_ilv   = p[chi_ilv];
    s.rab7      = p[rab7];
    s.age       = p[age];
    return s;
  }

  template <int dim>
  void
  MvbPopulation<dim>::write_state(const physics::MvbState &s,
                                  ArrayView<double>        p)
  {
    p[mode]      = static_cast<unsigned int>(s.mode);
    p[track]     = s.track;
    p[arc]       = s.arc;
    p[ilv_count] = s.ilv_count;
    p[cargo]     = s.cargo;
    p[chi_lm]    = s.chi_lm;
    p[chi_ilv]   = s.chi_ilv;
    p[rab7]      = s.rab7;
    p[age]       = s.age;
  }

  template <int dim>
  Point<dim>
  MvbPopulation<dim>::birth_position(const std::uint64_t id) const
  {
    const double margin = prm.membrane_clearance;
    const double band   = prm.birth_band_width;
    RandomStream random(prm.seed, id, 0, RandomPurpose::birth_position);
    for (unsigned int attempt = 0; attempt < 1000; ++attempt)
      {
        const double     u_facet = random.uniform(), u = random.uniform();
        const Point<dim> p =
          geometry.nuclear_envelope().sample(u_facet, u, random.uniform());
        const Tensor<1, dim> into_nucleus =
          geometry.nuclear_envelope().nearest(p).outward_normal;
        const double     height = margin + random.uniform() * (band - margin);
        const Point<dim> x      = p - height * into_nucleus;
        if (geometry.in_cytoplasm(x, margin))
          return x;
      }
    throw InputError("MVB/Birth/Perinuclear band width",
                     to_text(band),
                     "no point of the band lies in the cytoplasm",
                     "widen the band or check the geometry");
  }

  template <int dim>
  void
  MvbPopulation<dim>::add_newborns(const unsigned int n)
  {
    std::vector<Point<dim>> positions(n);
    const std::uint64_t     first_id = next_id;
    for (unsigned int i = 0; i < n; ++i)
      positions[i] = birth_position(next_id++);
    // One search for all: the points are sorted in space and each search
    // starts from the last cell found.
    const auto [cells, references, indices] =
      GridTools::compute_point_locations(cache, positions);
    std::array<double, n_properties> p{};
    write_state(kinetics.newborn(), ArrayView<double>(p.data(), p.size()));
    p[clearance]          = -1; // unknown
    unsigned int inserted = 0;
    for (unsigned int c = 0; c < cells.size(); ++c)
      if (cells[c]->is_locally_owned())
        for (unsigned int k = 0; k < indices[c].size(); ++k)
          {
            particles.insert_particle(positions[indices[c][k]],
                                      references[c][k],
                                      first_id + indices[c][k],
                                      cells[c],
                                      ArrayView<double>(p.data(), p.size()));
            ++inserted;
          }
    // Every MVB must have found exactly one owner.
    const unsigned int total = Utilities::MPI::sum(inserted, mpi_communicator);
    if (total != n)
      throw SimulationError(
        "MVB birth at t = " + to_text(current_time) + ": " +
        std::to_string(total) + " of " + std::to_string(n) +
        " new MVBs found a cell of the mesh (the membrane clearance may be "
        "smaller than the mesh's distance from its facets)");
    particles.update_cached_numbers();
  }

  template <int dim>
  void
  MvbPopulation<dim>::relocate_lost(const double dt)
  {
    const unsigned int width = 1 + dim + n_properties;
    if (Utilities::MPI::sum(lost.size(), mpi_communicator) == 0)
      return;
    // Rare: every rank looks at every lost MVB and keeps those in its cells.
    unsigned int n_lost = 0, placed = 0;
    std::string  unplaced;
    for (const auto &part : Utilities::MPI::all_gather(mpi_communicator, lost))
      for (std::size_t k = 0; k + width <= part.size(); k += width)
        {
          ++n_lost;
          Point<dim> x;
          for (unsigned int d = 0; d < dim; ++d)
            x[d] = part[k + 1 + d];
          const auto [cell, reference] =
            GridTools::find_active_cell_around_point(cache, x);
          if (cell.state() == IteratorState::valid && cell->is_locally_owned())
            {
              particles.insert_particle(
                x,
                reference,
                static_cast<types::particle_index>(part[k]),
                cell,
                ArrayView<const double>(part.data() + k + 1 + dim,
                                        n_properties));
              ++placed;
            }
          else if (unplaced.empty())
            unplaced = "MVB " + std::to_string(std::uint64_t(part[k])) +
                       " at (" + to_text(x) + ")";
        }
    particles.update_cached_numbers();
    if (Utilities::MPI::sum(placed, mpi_communicator) != n_lost)
      throw SimulationError(
        "MVBs left the mesh at step " + std::to_string(n_steps) +
        " (t = " + to_text(current_time + dt) + " s), e.g. " + unplaced +
        ": the membrane clearance (MVB/Motion/Membrane clearance) is smaller "
        "than the mesh's distance from its facets");
  }

  template <int dim>
  void
  MvbPopulation<dim>::initialize(const double start_time)
  {
    TimerOutput::Scope scope(timer, "MVBs: births");
    current_time = start_time;
    add_newborns(prm.initial_number);
  }

  template <int dim>
  void
  MvbPopulation<dim>::save(CheckpointWriter &global,
                           CheckpointWriter &local) const
  {
    global.put(current_time);
    global.put(std::uint64_t(n_steps));
    global.put(std::uint64_t(next_id));
    global.put(std::uint64_t(births));

    local.put(std::vector<double>{double(local_fusions),
                                  local_exosomes,
                                  double(local_degradations),
                                  local_cargo_exported,
                                  local_cargo_degraded,
                                  local_cargo_taken,
                                  local_cholesterol_taken,
                                  local_cholesterol_returned,
                                  local_cholesterol_exported});
    local.put(std::uint64_t(pending_fusions.size()));
    for (const auto &f : pending_fusions)
      local.put(f);
    local.put(std::uint64_t(particles.n_locally_owned_particles()));
    std::vector<double> record;
    for (const auto &particle : particles)
      {
        local.put(
          particle.get_surrounding_cell()->id().template to_binary<dim>());
        local.put(std::uint64_t(particle.get_id()));
        record.clear();
        for (unsigned int d = 0; d < dim; ++d)
          record.push_back(particle.get_location()[d]);
        for (unsigned int d = 0; d < dim; ++d)
          record.push_back(particle.get_reference_location()[d]);
        const auto p = particle.get_properties();
        record.insert(record.end(), p.begin(), p.end());
        local.put(record);
      }
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

    const unsigned int rank =
      Utilities::MPI::this_mpi_process(mpi_communicator);
    const bool same_ranks =
      blocks.size() == Utilities::MPI::n_mpi_processes(mpi_communicator);
    const auto owned =
      locally_owned_cells_by_id(triangulation.active_cell_iterators());

    std::vector<double> counts(9, 0.);
    pending_fusions.clear();
    particles.clear();
    std::uint64_t n_saved = 0;
    for (unsigned int r = 0; r < blocks.size(); ++r)
      {
        auto      &block = blocks[r];
        const bool mine  = same_ranks ? r == rank : rank == 0;
        const auto c     = block.get_vector<double>();
        if (c.size() != counts.size())
          block.corrupt("its MVB counts are incomplete");
        const auto n_fusions = block.get<std::uint64_t>();
        for (std::uint64_t i = 0; i < n_fusions; ++i)
          {
            const auto f = block.get<postprocess::FusionEvent<dim>>();
            if (mine)
              pending_fusions.push_back(f);
          }
        if (mine)
          for (unsigned int k = 0; k < counts.size(); ++k)
            counts[k] += c[k];
        const auto n = block.get<std::uint64_t>();
        n_saved += n;
        for (std::uint64_t i = 0; i < n; ++i)
          {
            const auto id     = block.get<CellId::binary_type>();
            const auto index  = block.get<std::uint64_t>();
            const auto record = block.get_vector<double>();
            if (record.size() != 2 * dim + n_properties)
              block.corrupt("an MVB has the wrong number of properties");
            const auto cell = owned.find(id);
            if (cell == owned.end())
              continue;
            Point<dim> x, reference;
            for (unsigned int d = 0; d < dim; ++d)
              {
                x[d]         = record[d];
                reference[d] = record[dim + d];
              }
            particles.insert_particle(
              x,
              reference,
              index,
              cell->second,
              ArrayView<const double>(record.data() + 2 * dim, n_properties));
          }
        if (!block.at_end())
          block.corrupt("it has more than its MVBs");
      }
    particles.update_cached_numbers();
    if (particles.n_global_particles() != n_saved)
      blocks.front().corrupt(
        std::to_string(n_saved - particles.n_global_particles()) +
        " of its MVBs lie in no cell of this mesh");

    local_fusions              = static_cast<unsigned long>(counts[0]);
    local_exosomes             = counts[1];
    local_degradations         = static_cast<unsigned long>(counts[2]);
    local_cargo_exported       = counts[3];
    local_cargo_degraded       = counts[4];
    local_cargo_taken          = counts[5];
    local_cholesterol_taken    = counts[6];
    local_cholesterol_returned = counts[7];
    local_cholesterol_exported = counts[8];
  }

  template <int dim>
  void
  MvbPopulation<dim>::advance(const double dt_field, FieldCoupling<dim> &fields)
  {
    const unsigned int substeps = prm.steps_per_field_step;
    const double       dt       = dt_field / substeps;
    for (unsigned int k = 0; k < substeps; ++k)
      {
        {
          // Sampled in the handler's current order, which migration and
          // births change: so once per step, just before the loop.
          TimerOutput::Scope scope(timer, "MVBs: field values");
          fields.sample(particles, field_values);
        }
        {
          TimerOutput::Scope scope(timer, "MVBs: motion and transitions");
          to_remove.clear();
          exchanges.resize(field_values.size());
          unsigned int i = 0;
          for (auto particle = particles.begin(); particle != particles.end();
               ++particle, ++i)
            {
              ArrayView<double>           p = particle->get_properties();
              physics::MvbState           s = read_state(p);
              const physics::LocalFields &f = field_values[i];
              physics::MaturationExchange exchange;
              kinetics.mature(s, f, dt, exchange);
              Point<dim> x     = particle->get_location();
              double     bound = p[clearance];
              const auto outcome =
                mvb_stepper
                  .advance(particle->get_id(), n_steps, dt, f, x, s, bound);
              exchanges[i] = kinetics.field_exchange(exchange, s, outcome.fate);
              local_cargo_taken += exchange.cargo_taken;
              local_cholesterol_taken +=
                prm.cholesterol_capacity * exchange.cholesterol_uptake;
              if (outcome.fate == MvbFate::fused)
                {
                  local_cholesterol_exported += kinetics.cholesterol_content(s);
                  ++local_fusions;
                  local_exosomes += s.ilv_count;
                  local_cargo_exported += s.cargo;
                  pending_fusions.push_back({current_time + outcome.event_time,
                                             particle->get_id(),
                                             x,
                                             s.ilv_count,
                                             s.cargo});
                  to_remove.push_back(particle);
                  continue;
                }
              if (outcome.fate == MvbFate::degraded)
                {
                  ++local_degradations;
                  local_cargo_degraded += s.cargo;
                  local_cholesterol_returned += kinetics.cholesterol_content(s);
                  to_remove.push_back(particle);
                  continue;
                }
              write_state(s, p);
              p[clearance] = bound;
              particle->set_location(x);
            }
        }
        {
          // Before removal and migration: the particles are still in the
          // cells (and reference positions) where they were sampled.
          TimerOutput::Scope scope(timer, "MVBs: field exchange");
          fields.deposit(particles, exchanges);
          particles.remove_particles(to_remove);
        }
        {
          TimerOutput::Scope scope(timer, "MVBs: migration");
          lost.clear();
          particles.sort_particles_into_subdomains_and_cells();
          relocate_lost(dt);
        }
        ++n_steps;
        current_time += dt;
        {
          TimerOutput::Scope scope(timer, "MVBs: births");
          RandomStream       random(prm.seed,
                              RandomStream::population_subject,
                              n_steps,
                              RandomPurpose::birth_count);
          const unsigned int n = random.poisson(kinetics.birth_rate() * dt);
          if (n > 0)
            add_newborns(n);
          births += n;
        }
      }
  }

  template <int dim>
  MvbCounts
  MvbPopulation<dim>::counts() const
  {
    MvbCounts c;
    double    radial_sum = 0;
    for (const auto &particle : particles)
      {
        const auto p = particle.get_properties();
        ++c.per_mode[static_cast<unsigned int>(p[mode])];
        c.cargo_in_mvbs += p[cargo];
        c.cholesterol_in_mvbs += kinetics.cholesterol_content(
          read_state(ArrayView<const double>(p.data(), p.size())));
        double       d_pm = 0;
        const double r    = radial_position(particle.get_location(), &d_pm);
        radial_sum += r;
        c.peripheral_fraction += (r > 0.5);
        c.near_membrane += (d_pm <= prm.docking_distance);
      }
    for (auto &n : c.per_mode)
      n = Utilities::MPI::sum(n, mpi_communicator);
    c.total = 0;
    for (const auto n : c.per_mode)
      c.total += n;
    c.births       = births;
    c.fusions      = Utilities::MPI::sum(local_fusions, mpi_communicator);
    c.exosomes     = Utilities::MPI::sum(local_exosomes, mpi_communicator);
    c.degradations = Utilities::MPI::sum(local_degradations, mpi_communicator);
    c.cargo_exported =
      Utilities::MPI::sum(local_cargo_exported, mpi_communicator);
    c.cargo_degraded =
      Utilities::MPI::sum(local_cargo_degraded, mpi_communicator);
    c.cargo_in_mvbs = Utilities::MPI::sum(c.cargo_in_mvbs, mpi_communicator);
    c.cargo_taken   = Utilities::MPI::sum(local_cargo_taken, mpi_communicator);
    c.cholesterol_in_mvbs =
      Utilities::MPI::sum(c.cholesterol_in_mvbs, mpi_communicator);
    c.cholesterol_taken =
      Utilities::MPI::sum(local_cholesterol_taken, mpi_communicator);
    c.cholesterol_returned =
      Utilities::MPI::sum(local_cholesterol_returned, mpi_communicator);
    c.cholesterol_exported =
      Utilities::MPI::sum(local_cholesterol_exported, mpi_communicator);
    // Every rank knows how many were born; each brings the same amount.
    c.cholesterol_born = (prm.initial_number + births) *
                         kinetics.cholesterol_content(kinetics.newborn());
    radial_sum = Utilities::MPI::sum(radial_sum, mpi_communicator);
    c.peripheral_fraction =
      Utilities::MPI::sum(c.peripheral_fraction, mpi_communicator);
    c.near_membrane = Utilities::MPI::sum(c.near_membrane, mpi_communicator);
    c.mean_radial_position = c.total > 0 ? radial_sum / c.total : 0;
    c.peripheral_fraction  = c.total > 0 ? c.peripheral_fraction / c.total : 0;
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
    // Flattened: id, position, state properties, radial position (the
    // membrane distances are found where the MVB lives).
    constexpr unsigned int width = 1 + dim + n_properties + 1;
    std::vector<double>    local;
    local.reserve(particles.n_locally_owned_particles() * width);
    for (const auto &particle : particles)
      {
        local.push_back(double(particle.get_id()));
        for (unsigned int d = 0; d < dim; ++d)
          local.push_back(particle.get_location()[d]);
        const auto p = particle.get_properties();
        local.insert(local.end(), p.begin(), p.end());
        local.push_back(radial_position(particle.get_location()));
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
          r.state = read_state(make_array_view(part.begin() + k + 1 + dim,
                                               part.begin() + k + width - 1));
          r.radial_position = part[k + width - 1];
          records.push_back(r);
        }
    std::sort(records.begin(), records.end(), [](const auto &a, const auto &b) {
      return a.id < b.id;
    });
    return records;
  }

  template <int dim>
  std::vector<postprocess::FusionEvent<dim>>
  MvbPopulation<dim>::collect_fusions()
  {
    std::vector<double> local;
    for (const auto &e : pending_fusions)
      {
        local.push_back(e.time);
        local.push_back(double(e.id));
        for (unsigned int d = 0; d < dim; ++d)
          local.push_back(e.position[d]);
        local.push_back(e.ilv_count);
        local.push_back(e.cargo);
      }
    pending_fusions.clear();
    constexpr unsigned int width = 4 + dim;
    const auto all = Utilities::MPI::gather(mpi_communicator, local, 0);
    std::vector<postprocess::FusionEvent<dim>> events;
    for (const auto &part : all)
      for (std::size_t k = 0; k + width <= part.size(); k += width)
        {
          postprocess::FusionEvent<dim> e;
          e.time = part[k];
          e.id   = static_cast<std::uint64_t>(part[k + 1]);
          for (unsigned int d = 0; d < dim; ++d)
            e.position[d] = part[k + 2 + d];
          e.ilv_count = part[k + 2 + dim];
          e.cargo     = part[k + 3 + dim];
          events.push_back(e);
        }
    std::sort(events.begin(), events.end(), [](const auto &a, const auto &b) {
      return a.time < b.time || (a.time == b.time && a.id < b.id);
    });
    return events;
  }

  template <int dim>
  unsigned long
  MvbPopulation<dim>::count_misplaced() const
  {
    unsigned long n = 0;
    // The clearance is kept to round-off; reflections are exact only to
    // the facet search's floating-point accuracy.
    const double allowance = prm.membrane_clearance - 1e-9;
    for (const auto &particle : particles)
      {
        const Point<dim> x   = particle.get_location();
        const auto       p   = particle.get_properties();
        bool             bad = !geometry.in_cytoplasm(x, allowance);
        const auto m = static_cast<MvbMode>(static_cast<unsigned int>(p[mode]));
        if (m == MvbMode::kinesin || m == MvbMode::dynein ||
            m == MvbMode::myosin)
          bad |= tracks.position(static_cast<unsigned int>(p[track]), p[arc])
                   .distance(x) > 1e-9;
        n += bad;
      }
    return Utilities::MPI::sum(n, mpi_communicator);
  }

  template class MvbPopulation<2>;
  template class MvbPopulation<3>;
} // namespace mvb
