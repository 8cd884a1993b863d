// The two-way coupling of fields and MVBs against mathematics: one MVB in a
// uniform field takes up what its ODEs predict and the field loses exactly
// that; a uniform Ca2+ raise multiplies the fusion rate of docked MVBs by
// S(c)/S(c_rest).

#include <mesh/track_network.h>
#include <physics/mvb_kinetics.h>
#include <solver/field_coupling.h>
#include <solver/field_solver.h>
#include <solver/input_error.h>
#include <solver/mvb_population.h>

#include <deal.II/base/timer.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include "field_test_helpers.h"

namespace
{
  using namespace mvb;
  using namespace mvb::testing;

  // A cell with its fields, an empty or generated track network, MVBs and
  // the coupling, stepped like Simulator::run() steps them.
  template <int dim>
  struct CoupledCell
  {
    explicit CoupledCell(const std::string &scenario)
        : prm(parameters_from(scenario))
        , triangulation(MPI_COMM_WORLD)
        , geometry(prm.geometry)
        , mapping(prm.geometry.mapping_degree)
        , timer(MPI_COMM_WORLD,
                std::cout,
                TimerOutput::never,
                TimerOutput::wall_times)
    {
      geometry.create_mesh(triangulation);
      mapping.initialize(geometry.mapping(), triangulation);
      FieldSolverSettings settings;
      settings.fe_degree = prm.fields.fe_degree;
      settings.scheme    = prm.time.scheme;
      settings.time_step = prm.time.time_step;
      settings.tolerance = 1e-13;
      fields             = std::make_unique<FieldSolver<dim>>(
        triangulation,
        mapping,
        prm.species.template create_models<dim>(prm.time.start_time),
        settings,
        timer);
      fields->setup();
      fields->initialize(prm.time.start_time);
      tracks = std::make_unique<mesh::TrackNetwork<dim>>(
        mesh::generate_track_network(prm.tracks,
                                     geometry,
                                     prm.mvbs.seed,
                                     prm.mvbs.membrane_clearance));
      mvbs = std::make_unique<MvbPopulation<dim>>(prm.mvbs,
                                                  geometry,
                                                  *tracks,
                                                  prm.tracks.capture_radius,
                                                  triangulation,
                                                  mapping,
                                                  prm.geometry.mapping_degree,
                                                  timer);
      physics::LocalFields stand_in;
      stand_in.values = prm.mvbs.stand_in;
      coupling =
        std::make_unique<FiniteElementFields<dim>>(*fields,
                                                   mvbs->cell_locator(),
                                                   stand_in);
      mvbs->initialize(prm.time.start_time);
    }

    void
    step()
    {
      mvbs->advance(prm.time.time_step, *coupling);
      fields->advance();
    }

    unsigned int
    species(const std::string &name) const
    {
      for (unsigned int k = 0; k < fields->n_species(); ++k)
        if (fields->model(k).name == name)
          return k;
      throw std::runtime_error("no species " + name);
    }

    RunParameters                             prm;
    parallel::distributed::Triangulation<dim> triangulation;
    mesh::CellGeometry<dim>                   geometry;
    MappingQCache<dim>                        mapping;
    TimerOutput                               timer;
    std::unique_ptr<FieldSolver<dim>>         fields;
    std::unique_ptr<mesh::TrackNetwork<dim>>  tracks;
    std::unique_ptr<MvbPopulation<dim>>       mvbs;
    std::unique_ptr<FiniteElementFields<dim>> coupling;
  };

  // MVB settings in which nothing happens to an MVB but its maturation: no
  // motion, no tracks, no transitions, no births.
  const std::string held_mvbs =
    "subsection MVB\n set Random seed = 7\n subsection Motion\n  set "
    "Diffusion coefficient = 0\n end\n subsection Birth\n  set Birth rate = "
    "0\n end\n subsection Transitions\n  set Microtubule binding rate = 0\n "
    " set Actin binding rate = 0\n  set Docking rate = 0\n end\n subsection "
    "Fusion\n  set Basal fusion rate = 0\n end\n subsection Degradation\n  "
    "set Lysosome rate = 0\n  set Autophagy rate = 0\n end\n subsection "
    "Tracks\n  set Number of microtubules = 0\n  set Actin filament density "
    "= 0\n end\n";

  // Faster loading and uptake than the defaults, so that 200 s show them;
  // h_ref = 100 uM as the field, so that the MVB's uptake (0.26 of 7500
  // uM um^2) leaves the rate unchanged to 4e-5.
  const std::string uptake_maturation =
    " subsection Maturation\n  set Cargo per ILV = 0.01\n  set Membrane "
    "cholesterol capacity = 0.2\n  set Cholesterol uptake rate = 0.02\n  "
    "set Cholesterol reference = 100\n  set ESCRT ILV rate = 0.5\n  set "
    "Ceramide ILV rate = 0.1\n end\n";

  // The maturation ODEs of physics/MODEL.md section 4 at constant u and h,
  // as one system (N, chi_LM, Y = chi_ILV N/N_max, r), by classical RK4:
  // the reference the split exact steps of MvbKinetics::mature() converge
  // to. The MVB is born with chi_LM = chi_0 h/h_ref.
  std::array<double, 4>
  maturation_reference(const physics::MvbParameters &p,
                       const double                  u,
                       const double                  h,
                       const double                  t_end)
  {
    const double a_e = p.escrt_rate * u / (p.cargo_half_saturation + u);
    const double a_c = p.ceramide_rate;
    const double k   = p.cholesterol_uptake_rate * h / p.cholesterol_reference;
    const auto   f   = [&](const std::array<double, 4> &y) {
      const double room = 1 - y[0] / p.max_ilv;
      // A route's ILV membrane takes epsilon_route chi_LM, at most pure
      // cholesterol.
      const double transfer =
        (std::min(p.escrt_enrichment * y[1], 1.) * a_e +
         std::min(p.ceramide_enrichment * y[1], 1.) * a_c) *
        room / p.max_ilv;
      const double dn = (a_e + a_c) * room;
      return std::array<double, 4>{
        {dn,
         k * (1 - y[1]) - transfer,
         transfer,
         p.rab7_activation_rate * (1 + p.rab7_cholesterol_gain * y[1]) *
             (1 - y[3]) -
           p.rab7_inactivation_rate * y[3]}};
    };
    std::array<double, 4> y = {
      {0,
       std::min(1., p.initial_cholesterol * h / p.cholesterol_reference),
       0,
       p.initial_rab7}};
    const unsigned int n  = 200000;
    const double       dt = t_end / n;
    for (unsigned int i = 0; i < n; ++i)
      {
        std::array<double, 4> k1 = f(y), s;
        for (unsigned int j = 0; j < 4; ++j)
          s[j] = y[j] + 0.5 * dt * k1[j];
        std::array<double, 4> k2 = f(s);
        for (unsigned int j = 0; j < 4; ++j)
          s[j] = y[j] + 0.5 * dt * k2[j];
        std::array<double, 4> k3 = f(s);
        for (unsigned int j = 0; j < 4; ++j)
          s[j] = y[j] + dt * k3[j];
        std::array<double, 4> k4 = f(s);
        for (unsigned int j = 0; j < 4; ++j)
          y[j] += dt / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
      }
    return y;
  }

  struct UptakeResult
  {
    physics::MvbState state;
    double            cargo_lost, cholesterol_lost; // by the fields
    double            cargo_min, cholesterol_min;   // field values
  };

  // One MVB held for 200 s in uniform cargo (100 uM, far above K_u, so
  // that what the MVB takes does not change its saturation) and
  // cholesterol (1 uM) fields that diffuse fast and exchange with nothing.
  UptakeResult
  run_uptake(const unsigned int steps_per_field_step)
  {
    CoupledCell<2> cell(
      "subsection Geometry\n set Dimension = 2\n set Shape = round cell\n "
      "set Global refinements = 2\nend\n"
      "subsection Time stepping\n set End time = 200\n set Time step = 0.5\n"
      "end\nsubsection Species\n subsection Calcium\n  set Enable = false\n "
      "end\n subsection Cholesterol\n  set Diffusion coefficient = 50\n  set "
      "Plasma membrane exchange rate = 0\n  set ER synthesis flux = 0\n  set "
      "Initial concentration = 100\n end\n subsection Cargo\n  set Diffusion "
      "coefficient = 50\n  set Recycling rate = 0\n  set Endocytic flux = "
      "0\n  set Initial concentration = 100\n end\nend\n" +
      held_mvbs + " set Initial number = 1\n set Steps per field step = " +
      std::to_string(steps_per_field_step) + "\n" + uptake_maturation +
      "end\n");
    const unsigned int cargo = cell.species("cargo");
    const unsigned int chol  = cell.species("cholesterol");
    const double       u0    = cell.fields->balance(cargo).integral;
    const double       h0    = cell.fields->balance(chol).integral;
    for (unsigned int n = 0; n < cell.prm.time.n_steps; ++n)
      cell.step();
    const auto   records = cell.mvbs->gather();
    UptakeResult r;
    const auto   bu    = cell.fields->balance(cargo);
    const auto   bh    = cell.fields->balance(chol);
    r.cargo_lost       = u0 - bu.integral;
    r.cholesterol_lost = h0 - bh.integral;
    r.cargo_min        = bu.minimum;
    r.cholesterol_min  = bh.minimum;
    // The MVB lives on one rank: give its state to all.
    std::vector<double> state(physics::n_mvb_state_values + 1, 0.);
    if (!records.empty())
      {
        physics::write_state_values(records[0].state, state.data());
        state.back() = 1;
      }
    state = Utilities::MPI::broadcast(MPI_COMM_WORLD, state, 0);
    REQUIRE(state.back() == 1);
    r.state = physics::read_state_values(state.data());
    return r;
  }
} // namespace

TEST_CASE("One MVB in uniform fields takes up what its ODEs predict, and "
          "the fields lose exactly that",
          "[coupling][uptake]")
{
  const physics::MvbParameters p =
    parameters_from(held_mvbs + uptake_maturation + "end\n").mvbs;
  const double t = 200, u = 100, h = 100;
  const auto   coarse = run_uptake(5);  // MVB steps of 0.1 s
  const auto   fine   = run_uptake(10); // 0.05 s

  // ILVs and cargo are integrated exactly: N = N_max (1 - e^{-a t/N_max}),
  // q = cargo per ILV u/(K_u + u) N, whatever the step.
  const double saturation = u / (p.cargo_half_saturation + u);
  const double a          = p.escrt_rate * saturation + p.ceramide_rate;
  const double n          = p.max_ilv * (1 - std::exp(-a * t / p.max_ilv));
  const double q          = p.cargo_per_ilv * saturation * n;
  INFO("N " << coarse.state.ilv_count() << " vs " << n << ", q "
            << coarse.state.cargo << " vs " << q);
  CHECK(coarse.state.age == Approx(t).epsilon(1e-12));
  // (The MVB lowers the cargo at its position by about 1e-2 uM, which
  // changes u/(K_u + u) by 1e-7 relative.)
  CHECK(coarse.state.ilv_count() == Approx(n).epsilon(1e-7));
  CHECK(coarse.state.ilv_escrt ==
        Approx(n * p.escrt_rate * saturation / a).epsilon(1e-7));
  CHECK(coarse.state.cargo == Approx(q).epsilon(1e-6));

  // Exact conservation: the fields lost what the MVB holds, to the linear
  // solver's tolerance relative to the fields' content (7500 uM um^2).
  const physics::MvbKinetics kinetics(p);
  CHECK(std::abs(coarse.cargo_lost - coarse.state.cargo) < 1e-11 * 7500);
  // Everything the MVB holds came from the field, its cholesterol at birth
  // included.
  const double taken = kinetics.cholesterol_content(coarse.state);
  INFO("cholesterol taken " << taken << ", field lost "
                            << coarse.cholesterol_lost);
  CHECK(taken > p.cholesterol_capacity * p.initial_cholesterol);
  CHECK(std::abs(coarse.cholesterol_lost - taken) < 1e-11 * 7500);

  // Cholesterol and Rab7 couple to the ILVs through the transfer into
  // them; mature() splits the coupled system, so it converges to the RK4
  // reference at first order in the MVB step.
  const auto reference = maturation_reference(p, u, h, t);
  const auto errors    = [&](const UptakeResult &r) {
    const double y = r.state.chi_ilv * r.state.ilv_count() / p.max_ilv;
    return std::array<double, 3>{{std::abs(r.state.chi_lm - reference[1]),
                                  std::abs(y - reference[2]),
                                  std::abs(r.state.rab7 - reference[3])}};
  };
  const auto e_coarse = errors(coarse), e_fine = errors(fine);
  for (unsigned int i = 0; i < 3; ++i)
    {
      INFO("variable " << i << ": error " << e_coarse[i] << " at dt 0.1, "
                       << e_fine[i] << " at dt 0.05 (reference "
                       << reference[i + 1] << ")");
      CHECK(e_fine[i] < 3e-4 * std::abs(reference[i + 1]));
      CHECK(e_coarse[i] / e_fine[i] == Approx(2).margin(0.3));
    }
}

namespace
{
  // Fusions per second of docked MVB exposure, with 1500 MVBs in a thin
  // round 2D cell whose perinuclear band reaches the membrane, docking fast
  // and never undocking, in a uniform Ca2+ field held at c (no pump, no
  // leak, no influx). Phi = 1 (chi* tiny), so the rate is k_f0 S(c). No
  // tracks and no cortex barrier: free diffusion brings the MVBs to dock.
  struct FusionEstimate
  {
    double rate, fusions, exposure;
  };

  FusionEstimate
  fusion_rate_at(const double c)
  {
    CoupledCell<2> cell(
      "subsection Geometry\n set Dimension = 2\n set Shape = round cell\n "
      "set Global refinements = 3\n subsection Round cell\n  set Cell radius "
      "= 4\n  set Nucleus radius = 3\n end\nend\n"
      "subsection Time stepping\n set End time = 15\n set Time step = 0.02\n"
      "end\nsubsection Species\n subsection Calcium\n  set Pump maximal rate "
      "= 0\n  set Basal plasma membrane influx = 0\n  set Initial "
      "concentration = " +
      to_text(c) +
      "\n end\n subsection Cholesterol\n  set Enable = false\n end\n "
      "subsection Cargo\n  set Enable = false\n end\nend\n"
      "subsection MVB\n set Initial number = 1500\n set Steps per field step "
      "= 1\n subsection Motion\n  set Diffusion coefficient = 0.05\n  set "
      "Cortex barrier = false\n end\n "
      "subsection Birth\n  set Birth rate = 0\n end\n subsection "
      "Transitions\n  set Microtubule binding rate = 0\n  set Actin binding "
      "rate = 0\n  set Docking rate = 20\n  set Undocking rate = 0\n end\n "
      "subsection Fusion\n  set Basal fusion rate = 0.05\n  set Cholesterol "
      "half-competence = 1e-6\n end\n subsection Degradation\n  set Lysosome "
      "rate = 0\n  set Autophagy rate = 0\n end\n subsection Tracks\n  set "
      "Number of microtubules = 0\n  set Actin filament density = 0\n "
      "end\nend\n");
    const auto docked = [&]() {
      return double(
        cell.mvbs->counts()
          .per_mode[static_cast<unsigned int>(physics::MvbMode::docked)]);
    };
    // Exposure (docked MVB-seconds) by the trapezoidal rule over the MVB
    // steps; its error is (k dt)^2/12 relative, below 1e-5.
    double exposure = 0;
    for (unsigned int n = 0; n < cell.prm.time.n_steps; ++n)
      {
        const double before = docked();
        cell.step();
        exposure += 0.5 * (before + docked()) * cell.prm.time.time_step;
      }
    const double fusions = cell.mvbs->counts().books.fusions;
    return {fusions / exposure, fusions, exposure};
  }
} // namespace

TEST_CASE("A uniform Ca2+ raise multiplies the fusion rate of docked MVBs "
          "by S(c)/S(c_ref)",
          "[coupling][calcium]")
{
  const physics::MvbParameters p = parameters_from("").mvbs;
  const physics::MvbKinetics   kinetics(p);
  const FusionEstimate         rest = fusion_rate_at(p.calcium_reference);
  // Fusions are a Poisson count given the exposure: the rate's relative
  // standard error is 1/sqrt(fusions).
  const double z = 4.5;
  INFO("at rest: " << rest.fusions << " fusions in " << rest.exposure
                   << " docked MVB-seconds");
  REQUIRE(rest.fusions > 400);
  CHECK(std::abs(rest.rate / 0.05 - 1) < z / std::sqrt(rest.fusions));
  for (const double c : {0.5, 1.0})
    {
      const FusionEstimate raised   = fusion_rate_at(c);
      const double         expected = kinetics.calcium_factor(c) /
                              kinetics.calcium_factor(p.calcium_reference);
      const double ratio = raised.rate / rest.rate;
      const double error =
        ratio * std::sqrt(1 / rest.fusions + 1 / raised.fusions);
      INFO("c = " << c << " uM: " << raised.fusions << " fusions in "
                  << raised.exposure << " docked MVB-seconds; rate ratio "
                  << ratio << " +- " << error << ", S(c)/S(c_ref) "
                  << expected);
      CHECK(expected > 2.5);
      CHECK(std::abs(ratio - expected) < z * error);
    }
}

TEST_CASE("Births where the cargo is: the newborns' density follows u(x)",
          "[coupling][births]")
{
  // The 2D round cell (radii 5 and 1) with a static cargo field u = x + 5
  // (no diffusion, recycling or influx) and about 4000 MVBs born in one
  // step with Birth distribution = cargo, outside the cortex (0.5 um) and
  // the membrane clearance (0.05 um). With density proportional to u on
  // the annulus a < r < R (a = 1.05, R = 4.5), E[x] = int x u / int u =
  // (R^2 + a^2)/20 = 1.068; uniform births would give 0. The sampling-
  // importance-resampling of 16 candidates approaches u with a bias of
  // about var(u)/(16 mean(u)^2) = 1.3 %: allowed 5 % besides the
  // statistical error.
  CoupledCell<2> cell(
    "subsection Geometry\n set Dimension = 2\n set Shape = round cell\n "
    "set Global refinements = 3\n subsection Round cell\n  set Cell radius "
    "= 5\n  set Nucleus radius = 1\n end\nend\n"
    "subsection Time stepping\n set End time = 1\n set Time step = 1\nend\n"
    "subsection Species\n subsection Calcium\n  set Enable = false\n end\n "
    "subsection Cholesterol\n  set Enable = false\n end\n subsection Cargo\n "
    " set Diffusion coefficient = 0\n  set Recycling rate = 0\n  set "
    "Endocytic flux = 0\n  set Initial concentration = x + 5\n end\nend\n" +
    held_mvbs +
    " set Initial number = 0\n set Steps per field step = 1\n subsection "
    "Birth\n  set Birth rate = 4000\n  set Birth distribution = cargo\n "
    "end\nend\n");
  cell.step();
  const auto records = cell.mvbs->gather();
  if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) != 0)
    return;
  REQUIRE(records.size() > 3500);
  std::vector<double> x;
  for (const auto &r : records)
    {
      const double radius = r.position.norm();
      CHECK(radius > 1.05 - 1e-3);
      CHECK(radius < 4.5 + 1e-2);
      x.push_back(r.position[0]);
    }
  double mean = 0, square = 0;
  for (const double v : x)
    mean += v / x.size();
  for (const double v : x)
    square += (v - mean) * (v - mean) / (x.size() - 1);
  const double error = std::sqrt(square / x.size());
  const double R = 4.5, a = 1.05;
  const double expected = (R * R + a * a) / 20;
  INFO("mean x of " << x.size() << " newborns " << mean << " +- " << error
                    << ", expected " << expected);
  CHECK(std::abs(mean - expected) < 4.5 * error + 0.05 * expected);
}
