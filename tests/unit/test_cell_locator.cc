// The cell locator against deal.II's own mapping and point search: the
// mapping it evaluates, Newton's inverse, points followed from cell to
// cell, the search of the owned cells, and the distance within which a
// point stays in its cell.

#include <mesh/cell_geometry.h>
#include <mesh/cell_locator.h>

#include <deal.II/base/mpi.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/fe/mapping_q_cache.h>
#include <deal.II/grid/grid_tools.h>
#include <deal.II/grid/grid_tools_cache.h>

#include <catch2/catch.hpp>

#include <random>

#include "test_helpers.h"

using namespace dealii;
using namespace mvb;

namespace
{
  template <int dim>
  struct Cell
  {
    explicit Cell(const std::string &geometry_text)
        : parameters(testing::geometry_from(geometry_text))
        , triangulation(MPI_COMM_WORLD)
        , geometry(parameters)
        , mapping(parameters.mapping_degree)
    {
      geometry.create_mesh(triangulation);
      mapping.initialize(geometry.mapping(), triangulation);
      locator =
        std::make_unique<mesh::CellLocator<dim>>(triangulation,
                                                 mapping,
                                                 parameters.mapping_degree);
    }

    mesh::GeometryParameters                  parameters;
    parallel::distributed::Triangulation<dim> triangulation;
    mesh::CellGeometry<dim>                   geometry;
    MappingQCache<dim>                        mapping;
    std::unique_ptr<mesh::CellLocator<dim>>   locator;
  };

  template <int dim>
  Point<dim>
  random_reference(std::mt19937 &random)
  {
    std::uniform_real_distribution<double> u(0, 1);
    Point<dim>                             p;
    for (unsigned int d = 0; d < dim; ++d)
      p[d] = u(random);
    return p;
  }

  const std::string spread_2d =
    "set Dimension = 2\nset Global refinements = 2\n"
    "subsection Spread cell\n set Cell semi-axes = 15, 10\n"
    " set Nucleus semi-axes = 5, 4\n set Nucleus centre = -4, 0\nend";
  const std::string spread_3d = "set Dimension = 3\nset Global refinements = 1";
  const std::string gmsh_3d =
    "set Dimension = 3\nset Shape = gmsh\nset Global refinements = 0\n"
    "set Mapping degree = 1\nsubsection Gmsh\n set Mesh file = " +
    testing::source_path("scenarios/meshes/irregular-cell-3d.msh") + "\nend";

  // The polynomial the locator evaluates is the mapping's: at random
  // reference points of every local cell, to 1e-12 um; and Newton inverts
  // it from the cell's centre.
  template <int dim>
  void
  check_mapping(const std::string &text)
  {
    Cell<dim>    cell(text);
    const auto  &locator = *cell.locator;
    std::mt19937 random(7);
    double       worst_forward = 0, worst_inverse = 0;
    unsigned int failed = 0;
    for (unsigned int c = 0; c < locator.n_cells(); ++c)
      for (unsigned int k = 0; k < 5; ++k)
        {
          const Point<dim> reference = random_reference<dim>(random);
          const Point<dim> x         = locator.to_real(c, reference);
          worst_forward =
            std::max(worst_forward,
                     x.distance(
                       cell.mapping.transform_unit_to_real_cell(locator.cell(c),
                                                                reference)));
          Point<dim> guess;
          for (unsigned int d = 0; d < dim; ++d)
            guess[d] = 0.5;
          failed += !locator.to_reference(c, x, guess);
          worst_inverse = std::max(worst_inverse, guess.distance(reference));
        }
    INFO(dim << "D: mapping differs by up to " << worst_forward
             << " um, inverse by " << worst_inverse);
    CHECK(Utilities::MPI::max(worst_forward, MPI_COMM_WORLD) < 1e-12);
    CHECK(Utilities::MPI::max(worst_inverse, MPI_COMM_WORLD) < 1e-10);
    CHECK(Utilities::MPI::sum(failed, MPI_COMM_WORLD) == 0);
  }

  // Random walks through the cytoplasm, followed cell to cell: wherever a
  // walker is, the locator's cell and reference point give back its
  // position, and deal.II's search finds it in the same cell (or a cell
  // whose boundary it is on).
  template <int dim>
  void
  check_follow(const std::string &text, const double step)
  {
    Cell<dim>                        cell(text);
    const auto                      &locator = *cell.locator;
    GridTools::Cache<dim>            cache(cell.triangulation, cell.mapping);
    std::mt19937                     random(11);
    std::normal_distribution<double> normal(0, step);
    unsigned long steps = 0, walks = 0, elsewhere = 0, wrong = 0;
    double        worst  = 0;
    const double  margin = 0.1;
    for (unsigned int c = 0; c < locator.n_owned_cells(); c += 3)
      {
        unsigned int current   = c;
        Point<dim>   reference = random_reference<dim>(random);
        Point<dim>   x         = locator.to_real(c, reference);
        if (!cell.geometry.in_cytoplasm(x, margin))
          continue;
        ++walks;
        for (unsigned int n = 0; n < 60; ++n)
          {
            Point<dim> y = x;
            for (unsigned int d = 0; d < dim; ++d)
              y[d] += normal(random);
            if (!cell.geometry.in_cytoplasm(y, margin))
              continue;
            x = y;
            ++steps;
            const auto where = locator.follow(x, current, reference);
            if (where == mesh::CellLocator<dim>::Location::elsewhere)
              {
                // On one rank every cell is local: a search finds it.
                ++elsewhere;
                if (!locator.find_owned(x, current, reference))
                  break; // another rank's: its owner takes it from here
              }
            worst =
              std::max(worst, locator.to_real(current, reference).distance(x));
            wrong += !mesh::CellLocator<dim>::inside(reference, 1e-9);
            // Not in the cell it says: compare with deal.II's search.
            const auto found =
              GridTools::find_active_cell_around_point(cache,
                                                       x,
                                                       locator.cell(current));
            if (found.first.state() == IteratorState::valid &&
                found.first != locator.cell(current))
              wrong += !mesh::CellLocator<dim>::inside(
                cell.mapping.transform_real_to_unit_cell(locator.cell(current),
                                                         x),
                1e-8);
            if (where == mesh::CellLocator<dim>::Location::ghost)
              break; // its owner follows it from here
          }
      }
    INFO(dim << "D: " << walks << " walks, " << steps << " steps, " << elsewhere
             << " needed a search, worst position error " << worst);
    CHECK(Utilities::MPI::sum(steps, MPI_COMM_WORLD) > 200);
    CHECK(Utilities::MPI::max(worst, MPI_COMM_WORLD) < 1e-10);
    CHECK(Utilities::MPI::sum(wrong, MPI_COMM_WORLD) == 0);
    // Following is the rule, searching the exception.
    CHECK(Utilities::MPI::sum(elsewhere, MPI_COMM_WORLD) <
          0.01 * Utilities::MPI::sum(steps, MPI_COMM_WORLD));
  }

  // Every point of the cytoplasm is found by exactly one rank, in a cell
  // that holds it.
  template <int dim>
  void
  check_find_owned(const std::string &text)
  {
    Cell<dim>              cell(text);
    const auto            &locator = *cell.locator;
    const BoundingBox<dim> box = cell.geometry.plasma_membrane().bounding_box();
    std::mt19937           random(3);
    unsigned long          points = 0, not_once = 0;
    double                 worst = 0;
    for (unsigned int n = 0; n < 2000; ++n)
      {
        Point<dim> x;
        for (unsigned int d = 0; d < dim; ++d)
          x[d] = std::uniform_real_distribution<double>(
            box.get_boundary_points().first[d],
            box.get_boundary_points().second[d])(random);
        // Every rank draws the same points.
        if (!cell.geometry.in_cytoplasm(x, 0.05))
          continue;
        ++points;
        unsigned int c;
        Point<dim>   reference;
        const bool   found = locator.find_owned(x, c, reference);
        if (found)
          worst = std::max(worst, locator.to_real(c, reference).distance(x));
        const bool bad =
          Utilities::MPI::sum(unsigned(found), MPI_COMM_WORLD) != 1;
        not_once += bad ? 1 : 0;
      }
    INFO(dim << "D: " << points << " points, " << not_once
             << " not found exactly once");
    CHECK(points > 300);
    CHECK(not_once == 0);
    CHECK(Utilities::MPI::max(worst, MPI_COMM_WORLD) < 1e-10);
  }

  // A point within distance_to_other_ranks() of a point of an owned cell
  // is in an owned cell too; on one rank the distance is infinite. A point
  // this rank does not own must then be outside the mesh: no other rank's
  // search of its owned cells (exact, tested above) finds it either.
  template <int dim>
  void
  check_distance_to_other_ranks(const std::string &text)
  {
    Cell<dim>                        cell(text);
    const auto                      &locator = *cell.locator;
    std::mt19937                     random(5);
    std::normal_distribution<double> normal(0, 1);
    unsigned long                    tested = 0, finite = 0;
    std::vector<Point<dim>>          not_owned;
    for (unsigned int c = 0; c < locator.n_owned_cells(); ++c)
      for (unsigned int k = 0; k < 2; ++k)
        {
          const Point<dim> x =
            locator.to_real(c, random_reference<dim>(random));
          const double r = locator.distance_to_other_ranks(x);
          if (!std::isfinite(r))
            continue;
          ++finite;
          for (unsigned int m = 0; m < 8; ++m)
            {
              Tensor<1, dim> direction;
              for (unsigned int d = 0; d < dim; ++d)
                direction[d] = normal(random);
              // Just inside the bound: at it, a point may be on a face
              // shared with another rank's cell.
              const Point<dim> y =
                x + (0.999 * r / direction.norm()) * direction;
              unsigned int found;
              Point<dim>   reference;
              if (!locator.find_owned(y, found, reference))
                not_owned.push_back(y);
              ++tested;
            }
        }
    unsigned long elsewhere = 0;
    for (const auto &points :
         Utilities::MPI::all_gather(MPI_COMM_WORLD, not_owned))
      for (const auto &y : points)
        {
          unsigned int found;
          Point<dim>   reference;
          elsewhere += locator.find_owned(y, found, reference) ? 1 : 0;
        }
    INFO(dim << "D: " << tested << " points at the bound, " << not_owned.size()
             << " outside this rank's cells");
    CHECK(Utilities::MPI::sum(elsewhere, MPI_COMM_WORLD) == 0);
    if (Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD) == 1)
      CHECK(finite == 0);
    else
      CHECK(Utilities::MPI::sum(tested, MPI_COMM_WORLD) > 100);
  }
} // namespace

TEST_CASE("Cell locator: the mapping and its inverse", "[locator]")
{
  check_mapping<2>(spread_2d);
  check_mapping<3>(spread_3d);
  check_mapping<3>(gmsh_3d);
}

TEST_CASE("Cell locator: points followed from cell to cell", "[locator]")
{
  check_follow<2>(spread_2d, 0.3);
  check_follow<3>(spread_3d, 0.3);
  check_follow<3>(gmsh_3d, 0.3);
}

TEST_CASE("Cell locator: search of the owned cells", "[locator]")
{
  check_find_owned<2>(spread_2d);
  check_find_owned<3>(spread_3d);
  check_find_owned<3>(gmsh_3d);
}

TEST_CASE("Cell locator: distance within which a point stays on its rank",
          "[locator]")
{
  check_distance_to_other_ranks<2>(spread_2d);
  check_distance_to_other_ranks<3>(spread_3d);
  check_distance_to_other_ranks<3>(gmsh_3d);
}
