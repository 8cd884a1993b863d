// Distance to the plasma membrane and ray hits on the nuclear envelope,
// against the exact values for a round cell and against brute force.

#include <mesh/cell_geometry.h>
#include <mesh/facet_geometry.h>

#include <deal.II/distributed/tria.h>

#include <catch2/catch.hpp>

#include <random>

#include "test_helpers.h"

using namespace dealii;
using namespace mvb;

namespace
{
  template <int dim>
  void
  check_round_cell()
  {
    const double R = 10, r = 4;
    const auto   g = testing::geometry_from(
      "set Dimension = " + std::to_string(dim) +
      "\nset Shape = round cell\nset Global refinements = 2\n"
        "subsection Contact patch\n set Direction = " +
      (dim == 2 ? "1, 0" : "1, 0, 0") + "\nend\n");
    parallel::distributed::Triangulation<dim> tria(MPI_COMM_WORLD);
    mesh::CellGeometry<dim>                   geometry(g);
    geometry.create_mesh(tria);
    const auto &membrane = geometry.plasma_membrane();

    std::mt19937                           random(42);
    std::uniform_real_distribution<double> coordinate(-R, R);
    double worst_exact = 0, worst_brute_force = 0;
    bool   cortex_consistent = true;
    for (unsigned int n = 0; n < 500;)
      {
        Point<dim> x;
        for (unsigned int d = 0; d < dim; ++d)
          x[d] = coordinate(random);
        if (x.norm() <= r || x.norm() >= R)
          continue;
        ++n;
        const auto nearest = membrane.nearest(x);
        worst_exact =
          std::max(worst_exact, std::abs(nearest.distance - (R - x.norm())));
        double brute_force = std::numeric_limits<double>::infinity();
        for (const auto &facet : membrane.facets())
          {
            // Sampling each facet densely bounds the true facet distance
            // from above; the exact search must not exceed it.
            const unsigned int m = 40;
            for (unsigned int i = 0; i <= m; ++i)
              for (unsigned int j = 0; j <= (dim == 3 ? m - i : 0); ++j)
                {
                  Point<dim> p =
                    facet[0] + (double(i) / m) * (facet[1] - facet[0]);
                  if constexpr (dim == 3)
                    p += (double(j) / m) * (facet[2] - facet[0]);
                  brute_force = std::min(brute_force, p.distance(x));
                }
          }
        worst_brute_force =
          std::max(worst_brute_force, nearest.distance - brute_force);
        // The tree's answer is the exact closest facet point, found by a
        // scan of every facet; a search told an upper bound of the
        // distance (tight or loose) gives the same answer.
        double scanned = std::numeric_limits<double>::infinity();
        for (const auto &facet : membrane.facets())
          scanned =
            std::min(scanned, mesh::closest_on_facet(facet, x).distance(x));
        CHECK(nearest.distance == Approx(scanned).epsilon(1e-14));
        for (const double bound :
             {nearest.distance * (1 + 1e-12) + 1e-15, 2 * nearest.distance})
          {
            const auto bounded = membrane.nearest(x, bound);
            CHECK(bounded.distance == nearest.distance);
            CHECK(bounded.point.distance(nearest.point) == 0);
            CHECK(bounded.outward_normal == nearest.outward_normal);
          }
        // A search within a radius finds the same point if it is that
        // close, and nothing otherwise.
        for (const double radius :
             {0.5 * nearest.distance, 1.01 * nearest.distance})
          {
            const auto within = membrane.nearest_within(x, radius);
            REQUIRE(within.has_value() == (nearest.distance <= radius));
            if (within)
              CHECK(within->distance == nearest.distance);
          }
        CHECK(nearest.outward_normal * (nearest.point - Point<dim>()) > 0);
        cortex_consistent =
          cortex_consistent &&
          (geometry.in_cortex(x) == (nearest.distance <= g.cortex_thickness));
      }
    // Facets are chords of the sphere: a flat facet of circumradius rho
    // lies within R - sqrt(R^2 - rho^2) <= rho^2 / R of it, and rho is at
    // most the longest facet edge e.
    double longest_edge = 0;
    for (const auto &facet : membrane.facets())
      for (unsigned int i = 0; i < dim; ++i)
        longest_edge =
          std::max(longest_edge, facet[i].distance(facet[(i + 1) % dim]));
    INFO(dim << "D: worst error against R - |x|: " << worst_exact
             << ", against sampled facets: " << worst_brute_force
             << ", longest facet edge " << longest_edge);
    CHECK(worst_exact <= longest_edge * longest_edge / R);
    CHECK(longest_edge < 2.5); // so that the bound above is tight (< 0.7)
    CHECK(worst_brute_force <= 1e-12);
    CHECK(cortex_consistent);

    Tensor<1, dim> e;
    e[0]         = 1;
    const auto t = geometry.nuclear_envelope().first_ray_hit(Point<dim>(), e);
    REQUIRE(t.has_value());
    CHECK(*t == Approx(r).margin(1e-10));
    CHECK(membrane.measure() ==
          Approx(dim == 2 ? 2 * M_PI * R : 4 * M_PI * R * R).epsilon(0.01));
  }
} // namespace

TEST_CASE("distance to the membrane in a round cell, 2D", "[surface]")
{
  check_round_cell<2>();
}

TEST_CASE("distance to the membrane in a round cell, 3D", "[surface]")
{
  check_round_cell<3>();
}
