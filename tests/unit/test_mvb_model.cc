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

TEST_CASE("MVB kinetics: rate factors and exact maturation", "[mvb][kinetics]")
{
  const RunParameters        prm = parameters_from("");
  const physics::MvbKinetics k(prm.mvbs);
  const auto                &p = prm.mvbs;

  // S(c_rest) = 1; Phi(chi*) = 1/2; the dynein share follows Rab7.
  CHECK(k.calcium_factor(p.resting_calcium) == Approx(1));
  CHECK(k.calcium_factor(10 * p.resting_calcium) > 1);
  CHECK(k.fusion_competence(p.fusion_cholesterol_half) == Approx(0.5));
  CHECK(k.dynein_share(0) == 0);
  CHECK(k.dynein_share(1) ==
        Approx(p.dynein_weight / (p.dynein_weight + p.kinesin_weight)));

  // One step of dt equals a hundred steps of dt/100 where the ODE is
  // solved exactly (ILV count, Rab7 at fixed cholesterol), and cholesterol
  // moved into ILVs leaves the limiting membrane.
  physics::LocalFields fields{0.1, 1, 0.3};
  physics::MvbState    one = k.newborn(), many = k.newborn();
  one.chi_lm = many.chi_lm = 0.4;
  physics::MaturationExchange e_one, e_many;
  k.mature(one, fields, 20, e_one);
  for (unsigned int i = 0; i < 100; ++i)
    k.mature(many, fields, 0.2, e_many);
  CHECK(one.ilv_count == Approx(many.ilv_count).epsilon(1e-12));
  const double u_sat = 0.3 / (p.cargo_half_saturation + 0.3);
  const double rate  = p.escrt_rate * u_sat + p.ceramide_rate;
  CHECK(one.ilv_count ==
        Approx(p.max_ilv * (1 - std::exp(-rate * 20 / p.max_ilv))));
  CHECK(one.cargo == Approx(p.cargo_per_ilv * u_sat * one.ilv_count));
  CHECK(e_one.cargo_taken == Approx(one.cargo));
  CHECK(one.age == Approx(20));
  // Cholesterol bookkeeping (units of a limiting membrane): what is in the
  // two membranes now is what was there plus what was taken up.
  const auto total = [&](const physics::MvbState &s) {
    return s.chi_lm + s.chi_ilv * s.ilv_count / p.max_ilv;
  };
  CHECK(total(one) == Approx(0.4 + e_one.cholesterol_uptake).epsilon(1e-12));
  CHECK(total(many) == Approx(0.4 + e_many.cholesterol_uptake).epsilon(1e-12));
  CHECK(one.chi_ilv > one.chi_lm); // enriched
  CHECK(one.rab7 >= 0);
  CHECK(one.rab7 <= 1);
}
