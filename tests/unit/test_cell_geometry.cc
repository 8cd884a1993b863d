// The built-in cell shapes against their analytic volume and membrane areas,
// their boundary ids, the contact patch and the MTOC.

#include <mesh/boundary_ids.h>
#include <mesh/cell_geometry.h>
#include <solver/input_error.h>

#include <deal.II/distributed/tria.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "test_helpers.h"

using namespace dealii;
using namespace mvb;
using mvb::testing::geometry_from;

namespace
{
  // Surface area of the ellipsoid with semi-axes a, b, c (Legendre's form).
  double
  ellipsoid_area(std::vector<double> s)
  {
    std::sort(s.begin(), s.end(), std::greater<double>());
    const double a = s[0], b = s[1], c = s[2];
    if (a - c < 1e-12 * a)
      return 4 * M_PI * a * a;
    const double phi = std::acos(c / a);
    const double k =
      std::sqrt(a * a * (b * b - c * c) / (b * b * (a * a - c * c)));
    return 2 * M_PI * c * c +
           2 * M_PI * a * b / std::sin(phi) *
             (std::ellint_2(k, phi) * std::pow(std::sin(phi), 2) +
              std::ellint_1(k, phi) * std::pow(std::cos(phi), 2));
  }

  // Perimeter of the ellipse with semi-axes a, b.
  double
  ellipse_perimeter(std::vector<double> s)
  {
    const double a = std::max(s[0], s[1]), b = std::min(s[0], s[1]);
    return 4 * a * std::comp_ellint_2(std::sqrt(1 - b * b / (a * a)));
  }

  template <int dim>
  double
  exact_volume(const mesh::GeometryParameters &g)
  {
    double cell    = (dim == 3 ? 4. / 3 : 1.) * M_PI;
    double nucleus = cell;
    for (unsigned int d = 0; d < dim; ++d)
      {
        cell *= g.cell_semi_axes[d];
        nucleus *= g.nucleus_semi_axes[d];
      }
    return cell - nucleus;
  }

  template <int dim>
  double
  exact_area(const std::vector<double> &semi_axes)
  {
    return dim == 3 ? ellipsoid_area(semi_axes) : ellipse_perimeter(semi_axes);
  }

  template <int dim>
  std::string
  shape_text(const std::string &shape, const unsigned int refinements)
  {
    std::string text =
      "set Dimension = " + std::to_string(dim) + "\nset Shape = " + shape +
      "\nset Global refinements = " + std::to_string(refinements) + "\n";
    if (dim == 2)
      text += "subsection Spread cell\n set Cell semi-axes = 15, 10\n"
              " set Nucleus semi-axes = 5, 4\n set Nucleus centre = -4, 0\n"
              "end\nsubsection Contact patch\n set Direction = 1, 0\nend\n";
    return text;
  }

  template <int dim>
  void
  check_convergence(const std::string &shape, const unsigned int max_level)
  {
    std::vector<double> volume_error, membrane_error, nucleus_error;
    for (unsigned int level = 0; level <= max_level; ++level)
      {
        const auto g = geometry_from(shape_text<dim>(shape, level));
        parallel::distributed::Triangulation<dim> tria(MPI_COMM_WORLD);
        mesh::CellGeometry<dim>                   geometry(g);
        geometry.create_mesh(tria);
        const auto m = mesh::measure_mesh(tria, geometry.mapping());
        volume_error.push_back(std::abs(m.volume / exact_volume<dim>(g) - 1));
        membrane_error.push_back(
          std::abs(m.boundary_area.at(mesh::boundary_id::plasma_membrane) /
                     exact_area<dim>(g.cell_semi_axes) -
                   1));
        nucleus_error.push_back(
          std::abs(m.boundary_area.at(mesh::boundary_id::nuclear_envelope) /
                     exact_area<dim>(g.nucleus_semi_axes) -
                   1));
        INFO(shape << " " << dim << "D level " << level << ": relative errors "
                   << volume_error.back() << " (volume), "
                   << membrane_error.back() << " (membrane), "
                   << nucleus_error.back() << " (nucleus)");
        CHECK(m.min_jacobian > 0);
        if (level > 0)
          {
            // Mapping degree p = 2 integrates volume and area with error
            // O(h^(2p)): 16-fold less per halving of h. Require 10-fold
            // (order > 3.3).
            CHECK(volume_error[level] < volume_error[level - 1] / 10);
            CHECK(membrane_error[level] < membrane_error[level - 1] / 10);
            CHECK(nucleus_error[level] < nucleus_error[level - 1] / 10);
          }
      }
    CHECK(volume_error.back() < 1e-4);
    CHECK(membrane_error.back() < 1e-4);
    CHECK(nucleus_error.back() < 1e-4);
  }
} // namespace

TEST_CASE("analytic reference values are right", "[geometry]")
{
  // Known values: a sphere, and the ellipse/ellipsoid formulas' limits.
  CHECK(ellipsoid_area({2, 2, 2}) == Approx(16 * M_PI));
  CHECK(ellipse_perimeter({3, 3}) == Approx(6 * M_PI));
  // Prolate spheroid a = 2, c = 1: 2 pi c^2 (1 + a/(c e) asin e).
  const double e = std::sqrt(1 - 0.25);
  CHECK(ellipsoid_area({2, 1, 1}) ==
        Approx(2 * M_PI * (1 + 2 / e * std::asin(e))).epsilon(1e-6));
}

TEST_CASE("spread cell 2D: volume and membranes converge", "[geometry]")
{
  check_convergence<2>("spread cell", 4);
}

TEST_CASE("round cell 2D: volume and membranes converge", "[geometry]")
{
  check_convergence<2>("round cell", 4);
}

TEST_CASE("spread cell 3D: volume and membranes converge", "[geometry]")
{
  check_convergence<3>("spread cell", 2);
}

TEST_CASE("round cell 3D: volume and membranes converge", "[geometry]")
{
  check_convergence<3>("round cell", 2);
}

TEST_CASE("boundary ids sit on the right surfaces", "[geometry]")
{
  const auto g = geometry_from("set Global refinements = 1\n"
                               "subsection Contact patch\n"
                               " set Enable = true\n set Radius = 4\nend\n");
  parallel::distributed::Triangulation<3> tria(MPI_COMM_WORLD);
  mesh::CellGeometry<3>                   geometry(g);
  geometry.create_mesh(tria);

  // Distance from the surface in ellipsoidal coordinates (0 = on it).
  const auto level = [](const Point<3>            &x,
                        const std::vector<double> &centre,
                        const std::vector<double> &semi_axes) {
    double r2 = 0;
    for (unsigned int d = 0; d < 3; ++d)
      r2 += std::pow((x[d] - centre[d]) / semi_axes[d], 2);
    return std::abs(std::sqrt(r2) - 1);
  };
  const std::vector<double> origin = {0, 0, 0};

  // Counted and reduced over all ranks before any check, so that a failure
  // cannot leave one rank waiting for the other.
  unsigned int n_faces[4] = {0, 0, 0, 0}, n_unknown = 0;
  double       worst_membrane = 0, worst_nucleus = 0;
  for (const auto &cell : tria.active_cell_iterators())
    if (cell->is_locally_owned())
      for (const auto &face : cell->face_iterators())
        if (face->at_boundary())
          {
            const auto id = face->boundary_id();
            if (id < 1 || id > 3)
              {
                ++n_unknown;
                continue;
              }
            ++n_faces[id];
            for (const unsigned int v : face->vertex_indices())
              {
                if (mesh::on_plasma_membrane(id))
                  worst_membrane =
                    std::max(worst_membrane,
                             level(face->vertex(v), origin, g.cell_semi_axes));
                else
                  worst_nucleus = std::max(worst_nucleus,
                                           level(face->vertex(v),
                                                 g.nucleus_centre,
                                                 g.nucleus_semi_axes));
              }
          }
  const MPI_Comm comm = MPI_COMM_WORLD;
  CHECK(Utilities::MPI::max(worst_membrane, comm) < 1e-12);
  CHECK(Utilities::MPI::max(worst_nucleus, comm) < 1e-12);
  CHECK(Utilities::MPI::sum(n_unknown, comm) == 0);
  for (unsigned int id = 1; id <= 3; ++id)
    CHECK(Utilities::MPI::sum(n_faces[id], comm) > 0);
}

TEST_CASE("the MTOC sits next to the nucleus on the long axis", "[geometry]")
{
  // Nucleus centre x = -4, semi-axis 5: its envelope meets the long axis at
  // x = 1 on the side of the larger part of the cell; the MTOC is 1 um out.
  const auto g = geometry_from("set Global refinements = 1");
  parallel::distributed::Triangulation<3> tria(MPI_COMM_WORLD);
  mesh::CellGeometry<3>                   geometry(g);
  geometry.create_mesh(tria);
  CHECK(geometry.mtoc().distance(Point<3>(2, 0, 0)) < 0.05);

  const auto given = geometry_from("set Global refinements = 1\n"
                                   "subsection MTOC\n"
                                   " set Position = 3, 1, 0.5\nend");
  parallel::distributed::Triangulation<3> tria2(MPI_COMM_WORLD);
  mesh::CellGeometry<3>                   geometry2(given);
  geometry2.create_mesh(tria2);
  CHECK(geometry2.mtoc().distance(Point<3>(3, 1, 0.5)) == 0);
}

TEST_CASE("bad geometries are refused with the parameter named", "[geometry]")
{
  CHECK_THROWS_WITH(
    geometry_from(
      "subsection Spread cell\n set Nucleus centre = 11, 0, 0\nend"),
    Catch::Contains("Geometry/Spread cell/Nucleus semi-axes") &&
      Catch::Contains("reaches"));
  CHECK_THROWS_WITH(geometry_from("set Shape = round cell\n"
                                  "subsection Round cell\n"
                                  " set Nucleus radius = 10\nend"),
                    Catch::Contains("Geometry/Round cell/Nucleus radius"));
  CHECK_THROWS_WITH(geometry_from("set Dimension = 2"),
                    Catch::Contains("Geometry/Spread cell/Cell semi-axes") &&
                      Catch::Contains("3 components"));

  const auto outside = geometry_from("subsection MTOC\n"
                                     " set Position = 30, 0, 0\nend");
  parallel::distributed::Triangulation<3> tria(MPI_COMM_WORLD);
  mesh::CellGeometry<3>                   geometry(outside);
  CHECK_THROWS_WITH(geometry.create_mesh(tria),
                    Catch::Contains("Geometry/MTOC/Position") &&
                      Catch::Contains("outside the cytoplasm"));

  const auto tiny_patch = geometry_from(
    "set Global refinements = 0\n"
    "subsection Contact patch\n set Enable = true\n set Radius = 0.01\nend");
  parallel::distributed::Triangulation<3> tria2(MPI_COMM_WORLD);
  mesh::CellGeometry<3>                   geometry2(tiny_patch);
  CHECK_THROWS_WITH(geometry2.create_mesh(tria2),
                    Catch::Contains("Geometry/Contact patch/Radius"));
}

TEST_CASE("the contact patch matches its spherical cap", "[geometry]")
{
  // On a sphere, the points within chord distance rho of a pole form a cap
  // of area pi rho^2 (Archimedes). The patch is made of the faces whose
  // centre lies within rho, so with faces of diameter at most h it contains
  // the cap of rho - h and lies inside the cap of rho + h.
  const double rho = 4;
  for (unsigned int level = 1; level <= 3; ++level)
    {
      const auto g = geometry_from(
        "set Shape = round cell\nset Global refinements = " +
        std::to_string(level) +
        "\nsubsection Round cell\n set Cell radius = 8\nend\n"
        "subsection Contact patch\n set Enable = true\n set Radius = 4\nend");
      parallel::distributed::Triangulation<3> tria(MPI_COMM_WORLD);
      mesh::CellGeometry<3>                   geometry(g);
      geometry.create_mesh(tria);
      double h = 0;
      for (const auto &cell : tria.active_cell_iterators())
        if (cell->is_locally_owned())
          for (const auto &face : cell->face_iterators())
            if (face->at_boundary())
              // Curved faces: 10% above the vertex diameter covers the bulge.
              h = std::max(h, 1.1 * face->diameter());
      h = Utilities::MPI::max(h, MPI_COMM_WORLD);
      const double area =
        geometry.measures().boundary_area.at(mesh::boundary_id::synapse);
      INFO("level " << level << ": patch area " << area << ", cap "
                    << M_PI * rho * rho << ", face diameter " << h);
      CHECK(area >= M_PI * std::pow(std::max(rho - h, 0.), 2));
      CHECK(area <= M_PI * std::pow(rho + h, 2));
    }
}
