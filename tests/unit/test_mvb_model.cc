// The pieces of the MVB model: reproducible random numbers, the track
// network and its index, and the kinetics of one MVB.

#include <mesh/cell_geometry.h>
#include <mesh/track_network.h>
#include <physics/mvb_kinetics.h>
#include <solver/random_stream.h>
#include <solver/run_parameters.h>

#include <deal.II/distributed/tria.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "test_helpers.h"

using mvb::testing::parameters_from;

using namespace mvb;
using namespace dealii;

TEST_CASE("Random numbers depend on (seed, subject, step, purpose) only",
          "[mvb][random]")
{
  const auto draw = [](std::uint64_t seed,
                       std::uint64_t subject,
                       std::uint64_t step,
                       RandomPurpose purpose) {
    RandomStream        r(seed, subject, step, purpose);
    std::vector<double> v;
    for (unsigned int i = 0; i < 5; ++i)
      v.push_back(r.uniform());
    return v;
  };
  const auto a = draw(1, 7, 3, RandomPurpose::events);
  CHECK(a == draw(1, 7, 3, RandomPurpose::events));
  CHECK(a != draw(2, 7, 3, RandomPurpose::events));
  CHECK(a != draw(1, 8, 3, RandomPurpose::events));
  CHECK(a != draw(1, 7, 4, RandomPurpose::events));
  CHECK(a != draw(1, 7, 3, RandomPurpose::brownian));
  CHECK(a != draw(1, 7, 3 + (std::uint64_t(1) << 32), RandomPurpose::events));

  // Moments of 10^5 draws against their exact values, 4.5 standard errors.
  RandomStream   r(3, 1, 0, RandomPurpose::brownian);
  const unsigned n     = 100000;
  double         u_sum = 0, z_sum = 0, z2_sum = 0, e_sum = 0;
  unsigned long  poisson_sum = 0;
  for (unsigned int i = 0; i < n; ++i)
    {
      const double u = r.uniform();
      REQUIRE(u > 0);
      REQUIRE(u < 1);
      u_sum += u;
      const double z = r.normal();
      z_sum += z;
      z2_sum += z * z;
      e_sum += r.exponential(2.);
      poisson_sum += r.poisson(3.);
    }
  CHECK(std::abs(u_sum / n - 0.5) < 4.5 * std::sqrt(1. / 12 / n));
  CHECK(std::abs(z_sum / n) < 4.5 / std::sqrt(n));
  CHECK(std::abs(z2_sum / n - 1) < 4.5 * std::sqrt(2. / n));
  CHECK(std::abs(e_sum / n - 0.5) < 4.5 * 0.5 / std::sqrt(n));
  CHECK(std::abs(double(poisson_sum) / n - 3) < 4.5 * std::sqrt(3. / n));

  // A mean far beyond where exp(-mean) underflows (many births in a step):
  // mean and variance of 2000 draws.
  RandomStream   large(4, 1, 0, RandomPurpose::birth_count);
  const unsigned m   = 2000;
  double         sum = 0, sum2 = 0;
  for (unsigned int i = 0; i < m; ++i)
    {
      const double k = large.poisson(4000.);
      sum += k;
      sum2 += k * k;
    }
  const double mean = sum / m, variance = sum2 / m - mean * mean;
  CHECK(std::abs(mean - 4000) < 4.5 * std::sqrt(4000. / m));
  CHECK(std::abs(variance / 4000 - 1) < 4.5 * std::sqrt(2. / m));
}

namespace
{
  template <int dim>
  void
  check_network(const std::string &geometry_text)
  {
    const RunParameters prm = parameters_from(
      "subsection Geometry\n set Dimension = " + std::to_string(dim) + "\n" +
      geometry_text +
      "\nend\nsubsection MVB\n subsection Tracks\n  set Number of "
      "microtubules = 60\n end\nend\n");
    parallel::distributed::Triangulation<dim> triangulation(MPI_COMM_WORLD);
    mesh::CellGeometry<dim>                   geometry(prm.geometry);
    geometry.create_mesh(triangulation);
    const double clearance = prm.mvbs.membrane_clearance;
    const auto   network   = mesh::generate_track_network(prm.tracks,
                                                      geometry,
                                                      prm.mvbs.seed,
                                                      clearance);
    REQUIRE(network.n_tracks(mesh::TrackType::microtubule) == 60);
    REQUIRE(network.n_tracks(mesh::TrackType::actin) > 0);
    REQUIRE_NOTHROW(
      mesh::check_tracks_inside(network, geometry, clearance, "test", "-"));
    const double cortex = prm.geometry.cortex_thickness;
    for (unsigned int i = 0; i < network.n_tracks(); ++i)
      {
        const auto &t = network.track(i);
        // Plus (barbed) ends in the cortex; microtubules start at the MTOC.
        CHECK(geometry.depth_below_plasma_membrane(t.vertices.back()) <=
              cortex + 1e-9);
        if (t.type == mesh::TrackType::microtubule)
          CHECK(t.vertices.front().distance(geometry.mtoc()) < 1e-12);
        else
          CHECK(geometry.depth_below_plasma_membrane(t.vertices.front()) <=
                cortex + 1e-9);
      }

    // The same network from the same seed, a different one from another.
    const auto again = mesh::generate_track_network(prm.tracks,
                                                    geometry,
                                                    prm.mvbs.seed,
                                                    clearance);
    CHECK(again.track(17).vertices == network.track(17).vertices);
    const auto other = mesh::generate_track_network(prm.tracks,
                                                    geometry,
                                                    prm.mvbs.seed + 1,
                                                    clearance);
    CHECK(other.track(17).vertices != network.track(17).vertices);

    // The search tree answers what a scan of every track answers: the
    // closest track within the radius (the lowest id among equals).
    RandomStream random(5, 0, 0, RandomPurpose::initial_state);
    const auto   box = geometry.plasma_membrane().bounding_box();
    std::vector<typename mesh::TrackNetwork<dim>::Hit> all;
    unsigned int                                       n_hits = 0;
    for (unsigned int q = 0; q < 3000; ++q)
      {
        Point<dim> x;
        for (unsigned int d = 0; d < dim; ++d)
          x[d] = box.lower_bound(d) + random.uniform() * box.side_length(d);
        for (const auto type :
             {mesh::TrackType::microtubule, mesh::TrackType::actin})
          {
            const double radius = q % 2 == 0 ? 0.1 : 0.5;
            const auto   hit    = network.nearest_track(x, radius, type);
            network.tracks_near_by_scan(x, radius, type, all);
            REQUIRE(hit.has_value() == !all.empty());
            if (!hit)
              continue;
            auto closest = all.front();
            for (const auto &h : all)
              if (h.distance < closest.distance)
                closest = h;
            CHECK(hit->track == closest.track);
            CHECK(hit->distance == Approx(closest.distance));
            CHECK(hit->arc == Approx(closest.arc).margin(1e-12));
            ++n_hits;
          }
      }
    CHECK(n_hits > 100);

    // The text format reads back what was written.
    const std::string file =
      "tracks-roundtrip-" + std::to_string(dim) + "d-" +
      std::to_string(Utilities::MPI::this_mpi_process(MPI_COMM_WORLD)) + ".txt";
    network.write_text(file);
    const auto read = mesh::TrackNetwork<dim>::read_text(file, "test");
    std::filesystem::remove(file);
    REQUIRE(read.n_tracks() == network.n_tracks());
    for (unsigned int i = 0; i < read.n_tracks(); ++i)
      {
        CHECK(read.track(i).type == network.track(i).type);
        CHECK(read.track(i).vertices == network.track(i).vertices);
      }
  }
} // namespace

TEST_CASE("Track network: inside the cell, reproducible, indexed (2D)",
          "[mvb][tracks]")
{
  check_network<2>(
    "subsection Spread cell\n set Cell semi-axes = 15, 10\n set Nucleus "
    "semi-axes = 5, 4\n set Nucleus centre = -4, 0\n end");
}

TEST_CASE("Track network: inside the cell, reproducible, indexed (3D)",
          "[mvb][tracks]")
{
  check_network<3>("set Global refinements = 1");
}

TEST_CASE("MVB kinetics: rate factors of model version 2", "[mvb][kinetics]")
{
  const RunParameters prm = parameters_from(
    "subsection MVB\n subsection Fusion\n  set Calcium reference = 0.15\n "
    "set Amphisome fusion factor = 0.3\n end\nend\nsubsection Perturbations\n "
    "set ISGylation = 2\n set V-ATPase = 0.5\n set Autophagy = 3\nend\n");
  const physics::MvbKinetics k(prm.mvbs);
  const auto                &p = prm.mvbs;

  // S(c_ref) = 1 at the fixed reference, above it S > 1; Phi(chi*) = 1/2.
  CHECK(k.calcium_factor(0.15) == Approx(1).epsilon(1e-14));
  CHECK(k.calcium_factor(0.3) > 1);
  CHECK(k.fusion_competence(p.fusion_cholesterol_half) == Approx(0.5));

  // p_dyn(r) = w_dyn r / (w_dyn r + w_kin g_27b), and T3 both ways: the
  // two-state chain's stationary dynein share k(k->d)/(k(k->d) + k(d->k))
  // is p_dyn(r) for every r.
  physics::Surroundings here;
  for (const double r : {0., 0.2, 0.5, 0.9})
    {
      const double p_dyn =
        p.dynein_weight * r / (p.dynein_weight * r + p.kinesin_weight);
      CHECK(k.dynein_share(r) == Approx(p_dyn).margin(1e-15));
      physics::MvbState s;
      s.rab7                  = r;
      s.mode                  = physics::MvbMode::kinesin;
      const double to_dynein  = k.switching_rate(s, here);
      s.mode                  = physics::MvbMode::dynein;
      const double to_kinesin = k.switching_rate(s, here);
      CHECK(to_dynein + to_kinesin == Approx(p.switching_rate));
      CHECK(to_dynein / (to_dynein + to_kinesin) ==
            Approx(p_dyn).margin(1e-15));
    }

  // L(x) = L_min + (1 - L_min) exp(-d/l_lys); degradation by route.
  CHECK(k.lysosome_density(0) == Approx(1));
  CHECK(k.lysosome_density(2 * p.lysosome_length) ==
        Approx(p.lysosome_floor + (1 - p.lysosome_floor) * std::exp(-2.)));
  physics::MvbState mvb;
  mvb.rab7              = 0.4;
  here.lysosome_density = 0.7;
  CHECK(k.lysosomal_degradation_rate(mvb, here) ==
        Approx(p.lysosome_rate * 0.7 * 0.4 * 2 * 0.5));
  CHECK(k.amphisomal_degradation_rate(mvb, here) == 0);
  CHECK(k.amphisome_formation_rate(mvb, here) == Approx(p.autophagy_rate * 3));
  physics::MvbState amphisome = mvb;
  amphisome.amphisome         = true;
  CHECK(k.lysosomal_degradation_rate(amphisome, here) == 0);
  CHECK(k.amphisome_formation_rate(amphisome, here) == 0);
  CHECK(k.amphisomal_degradation_rate(amphisome, here) ==
        Approx(p.amphisome_degradation_rate * 0.7 * 0.5));
  // Amphisomes fuse at f_amph times an MVB's rate.
  mvb.chi_ilv = amphisome.chi_ilv = 0.5;
  CHECK(k.fusion_rate(amphisome, here) ==
        Approx(0.3 * k.fusion_rate(mvb, here)));
}

namespace
{
  // The internal ODEs of an MVB (physics/MODEL.md section 4) written out
  // and integrated by classical Runge-Kutta, independently of
  // MvbKinetics::mature(): y = (N_E, N_C, chi_LM, chi_ILV N, r, q, q_l).
  std::array<double, 7>
  maturation_rhs(const physics::MvbParameters &p,
                 const std::array<double, 7>  &y,
                 const double                  u,
                 const double                  l,
                 const double                  h)
  {
    const double s    = u / (p.cargo_half_saturation + u);
    const double room = 1 - (y[0] + y[1]) / p.max_ilv;
    const double dn_e = p.escrt_rate * s * room;
    const double dn_c = p.ceramide_rate * room;
    // Each route's ILV membrane at most pure cholesterol.
    const double into_ilvs =
      (std::min(p.escrt_enrichment * y[2], 1.) * dn_e +
       std::min(p.ceramide_enrichment * y[2], 1.) * dn_c) /
      p.max_ilv;
    const double uptake =
      p.cholesterol_uptake_rate * h / p.cholesterol_reference * (1 - y[2]);
    const double on =
      p.rab7_activation_rate * (1 + p.rab7_cholesterol_gain * y[2]);
    const double dq = p.cargo_per_ilv * s * (dn_e + dn_c);
    return {{dn_e,
             dn_c,
             uptake - into_ilvs,
             into_ilvs * p.max_ilv,
             on * (1 - y[4]) - p.rab7_inactivation_rate * y[4],
             dq,
             dq * l / u}};
  }
} // namespace

TEST_CASE("MVB kinetics: ILV routes, cholesterol, Rab7 and label against "
          "their closed forms and an independent integration",
          "[mvb][kinetics]")
{
  const RunParameters        prm = parameters_from("");
  const physics::MvbKinetics k(prm.mvbs);
  const auto                &p = prm.mvbs;
  const double               u = 0.3, l = 0.12, h = 1.4;
  physics::LocalFields       fields;
  fields[physics::CoupledSpecies::calcium]     = 0.1;
  fields[physics::CoupledSpecies::cholesterol] = h;
  fields[physics::CoupledSpecies::cargo]       = u;
  fields[physics::CoupledSpecies::label]       = l;

  // A newborn takes chi_LM = chi_0 h/h_ref from the field.
  physics::MvbState           s = k.newborn();
  physics::MaturationExchange exchange;
  k.take_birth_cholesterol(s, fields, exchange);
  const double chi_0 =
    std::min(1., p.initial_cholesterol * h / p.cholesterol_reference);
  CHECK(s.chi_lm == Approx(chi_0));
  CHECK(exchange.taken[physics::CoupledSpecies::cholesterol] ==
        Approx(p.cholesterol_capacity * chi_0));
  CHECK(!s.newborn);

  // Thirty minutes in steps of 0.05 s against Runge-Kutta with 0.01 s.
  const double t_end = 1800, dt = 0.05;
  for (unsigned int i = 0; i < std::lround(t_end / dt); ++i)
    k.mature(s, fields, dt, exchange);
  std::array<double, 7> y = {{0, 0, chi_0, 0, p.initial_rab7, 0, 0}};
  const double          H = 0.01;
  for (unsigned int i = 0; i < std::lround(t_end / H); ++i)
    {
      const auto k1 = maturation_rhs(p, y, u, l, h);
      auto       y2 = y, y3 = y, y4 = y;
      for (unsigned int j = 0; j < 7; ++j)
        y2[j] += H / 2 * k1[j];
      const auto k2 = maturation_rhs(p, y2, u, l, h);
      for (unsigned int j = 0; j < 7; ++j)
        y3[j] += H / 2 * k2[j];
      const auto k3 = maturation_rhs(p, y3, u, l, h);
      for (unsigned int j = 0; j < 7; ++j)
        y4[j] += H * k3[j];
      const auto k4 = maturation_rhs(p, y4, u, l, h);
      for (unsigned int j = 0; j < 7; ++j)
        y[j] += H / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
    }
  // ILVs by route in closed form: N = N_max - N_max exp(-a t/N_max), split
  // a_E : a_C; cargo and label follow exactly.
  const double a_e = p.escrt_rate * u / (p.cargo_half_saturation + u);
  const double a_c = p.ceramide_rate;
  const double n = p.max_ilv * (1 - std::exp(-(a_e + a_c) * t_end / p.max_ilv));
  INFO("N_E " << s.ilv_escrt << " N_C " << s.ilv_ceramide << " chi_LM "
              << s.chi_lm << " (RK4 " << y[2] << ") chi_ILV " << s.chi_ilv
              << " (" << y[3] / (y[0] + y[1]) << ") r " << s.rab7 << " ("
              << y[4] << ")");
  CHECK(s.ilv_escrt == Approx(n * a_e / (a_e + a_c)).epsilon(1e-10));
  CHECK(s.ilv_ceramide == Approx(n * a_c / (a_e + a_c)).epsilon(1e-10));
  CHECK(s.ilv_escrt == Approx(y[0]).epsilon(1e-9));
  CHECK(s.ilv_ceramide == Approx(y[1]).epsilon(1e-9));
  const double dq = p.cargo_per_ilv * u / (p.cargo_half_saturation + u) * n;
  CHECK(s.cargo == Approx(dq).epsilon(1e-10));
  CHECK(s.label == Approx(dq * l / u).epsilon(1e-10));
  CHECK(exchange.taken[physics::CoupledSpecies::cargo] ==
        Approx(s.cargo).epsilon(1e-12));
  CHECK(exchange.taken[physics::CoupledSpecies::label] ==
        Approx(s.label).epsilon(1e-12));
  // Cholesterol and Rab7: the splitting of maturation is first order in
  // dt, 1e-3 relative at 0.05 s.
  CHECK(s.chi_lm == Approx(y[2]).epsilon(1e-3));
  CHECK(s.chi_ilv * s.ilv_count() == Approx(y[3]).epsilon(1e-3));
  CHECK(s.rab7 == Approx(y[4]).epsilon(1e-3));
  // The ceramide route's ILVs are richer in cholesterol than the limiting
  // membrane; everything the MVB holds came from the field.
  CHECK(s.chi_ilv > s.chi_lm);
  CHECK(exchange.taken[physics::CoupledSpecies::cholesterol] ==
        Approx(k.cholesterol_content(s)).epsilon(1e-12));
  CHECK(s.age == Approx(t_end));
}
