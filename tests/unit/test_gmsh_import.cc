// Gmsh meshes: the shipped cells load with their named boundaries; broken
// meshes are refused with the problem named.

#include <mesh/boundary_ids.h>
#include <mesh/cell_geometry.h>
#include <solver/input_error.h>

#include <deal.II/distributed/tria.h>

#include <catch2/catch.hpp>

#include "test_helpers.h"

using namespace dealii;
using namespace mvb;

namespace
{
  template <int dim>
  std::string
  gmsh_text(const std::string &file)
  {
    return "set Dimension = " + std::to_string(dim) +
           "\nset Shape = gmsh\nset Global refinements = 0\n"
           "subsection Gmsh\n set Mesh file = " +
           file + "\nend\n";
  }

  template <int dim>
  void
  load(const std::string &file)
  {
    const auto g = testing::geometry_from(gmsh_text<dim>(file),
                                          testing::source_path("tests/data"));
    parallel::distributed::Triangulation<dim> tria(MPI_COMM_WORLD);
    mesh::CellGeometry<dim>                   geometry(g);
    geometry.create_mesh(tria);
  }

  // Signed area enclosed by oriented segments (shoelace formula):
  // positive for a boundary with the region on its left.
  double
  signed_area(const mesh::BoundarySurface<2> &surface)
  {
    double twice = 0;
    for (const auto &s : surface.facets())
      twice += s[0][0] * s[1][1] - s[1][0] * s[0][1];
    return twice / 2;
  }
} // namespace

TEST_CASE("the shipped 2D irregular cell loads", "[gmsh]")
{
  const auto g =
    testing::geometry_from(gmsh_text<2>("irregular-cell-2d.msh"),
                           testing::source_path("scenarios/meshes"));
  parallel::distributed::Triangulation<2> tria(MPI_COMM_WORLD);
  mesh::CellGeometry<2>                   geometry(g);
  geometry.create_mesh(tria);
  const auto m = mesh::measure_mesh(tria, geometry.mapping());

  CHECK(m.min_jacobian > 0);
  CHECK(m.boundary_area.count(mesh::boundary_id::plasma_membrane) == 1);
  CHECK(m.boundary_area.count(mesh::boundary_id::nuclear_envelope) == 1);
  CHECK(m.boundary_area.count(mesh::boundary_id::synapse) == 1);
  // Straight-sided cells: the integrated area equals the shoelace area of
  // the oriented boundary, outline (counter-clockwise, > 0) plus nucleus
  // (clockwise, < 0).
  const double outline = signed_area(geometry.plasma_membrane());
  const double nucleus = signed_area(geometry.nuclear_envelope());
  CHECK(outline > 0);
  CHECK(nucleus < 0);
  CHECK(m.volume == Approx(outline + nucleus).epsilon(1e-10));
  CHECK(geometry.distance_to_plasma_membrane(geometry.mtoc()) > 0.5);
}

TEST_CASE("the shipped 3D irregular cell loads", "[gmsh]")
{
  const auto g =
    testing::geometry_from(gmsh_text<3>("irregular-cell-3d.msh"),
                           testing::source_path("scenarios/meshes"));
  parallel::distributed::Triangulation<3> tria(MPI_COMM_WORLD);
  mesh::CellGeometry<3>                   geometry(g);
  geometry.create_mesh(tria);
  const auto m = mesh::measure_mesh(tria, geometry.mapping());
  CHECK(m.min_jacobian > 0);
  CHECK(m.volume > 0);
  CHECK(m.boundary_area.count(mesh::boundary_id::plasma_membrane) == 1);
  CHECK(m.boundary_area.count(mesh::boundary_id::nuclear_envelope) == 1);
  // The surface facets and the face quadrature measure the same area.
  CHECK(geometry.plasma_membrane().measure() ==
        Approx(m.boundary_area.at(mesh::boundary_id::plasma_membrane))
          .epsilon(1e-8));
}

TEST_CASE("broken Gmsh meshes are refused with the problem named", "[gmsh]")
{
  CHECK_THROWS_WITH(load<2>("unknown-group-2d.msh"),
                    Catch::Contains("Geometry/Gmsh/Mesh file") &&
                      Catch::Contains("unknown physical group 'mitochondria'"));
  CHECK_THROWS_WITH(load<2>("missing-nucleus-2d.msh"),
                    Catch::Contains("no physical group 'nuclear_envelope'"));
  CHECK_THROWS_WITH(load<2>("corrupt-2d.msh"),
                    Catch::Contains("cannot read the mesh"));
  CHECK_THROWS_WITH(load<2>("no-such-file.msh"),
                    Catch::Contains("does not exist"));
  // A 2D mesh read as 3D: its groups have the wrong dimension.
  CHECK_THROWS_WITH(load<3>("unknown-group-2d.msh"),
                    Catch::Contains("Geometry/Gmsh/Mesh file"));
}
