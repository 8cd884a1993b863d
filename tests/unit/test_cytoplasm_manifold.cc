// The built-in shapes' map from the spherical shell to the cytoplasm: its
// pull-back inverts it, new points keep the membranes exact, and a refined
// mesh's membrane vertices lie on the ellipsoids.

#include <mesh/boundary_ids.h>
#include <mesh/cell_geometry.h>
#include <mesh/cytoplasm_manifold.h>

#include <deal.II/distributed/tria.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "test_helpers.h"

using namespace dealii;
using namespace mvb;

namespace
{
  // The default spread cell's nucleus sits off the cell's centre.
  const mesh::Ellipsoid<3> nucleus{Point<3>(-4, 0, 0),
                                   Tensor<1, 3>({5, 4, 2.5})};
  const mesh::Ellipsoid<3> membrane{Point<3>(), Tensor<1, 3>({15, 10, 4})};

  // |(x - centre) / semi_axes|: 1 on the ellipsoid.
  double
  ellipsoidal_radius(const mesh::Ellipsoid<3> &e, const Point<3> &x)
  {
    double r = 0;
    for (unsigned int d = 0; d < 3; ++d)
      r += std::pow((x[d] - e.centre[d]) / e.semi_axes[d], 2);
    return std::sqrt(r);
  }

  template <int dim>
  Tensor<1, dim>
  random_direction(std::mt19937 &random)
  {
    std::normal_distribution<double> normal;
    Tensor<1, dim>                   d;
    for (unsigned int k = 0; k < dim; ++k)
      d[k] = normal(random);
    return d / d.norm();
  }

  // The largest |F^-1(F(y)) - y| over random points y of the shell.
  template <int dim>
  double
  worst_inverse(const mesh::Ellipsoid<dim> &inner,
                const mesh::Ellipsoid<dim> &outer)
  {
    const mesh::CytoplasmManifold<dim>     map(inner, outer);
    std::mt19937                           random(7);
    std::uniform_real_distribution<double> uniform(0, 1);
    double                                 worst = 0;
    for (unsigned int i = 0; i < 2000; ++i)
      {
        const Point<dim> y((0.5 + 0.5 * uniform(random)) *
                           random_direction<dim>(random));
        worst = std::max(worst, map.pull_back(map.push_forward(y)).distance(y));
      }
    return worst;
  }
} // namespace

TEST_CASE("the cytoplasm map's pull-back inverts it", "[geometry]")
{
  CHECK(worst_inverse(nucleus, membrane) < 1e-13);
  // Thin or narrow nuclei: the blended ellipsoids stop being nested just
  // below s = 0, where a wide search bracket found other roots.
  CHECK(worst_inverse(mesh::Ellipsoid<3>{Point<3>(-4, 0, 0),
                                         Tensor<1, 3>({5, 4, 0.3})},
                      membrane) < 1e-12);
  CHECK(
    worst_inverse(mesh::Ellipsoid<2>{Point<2>(5, 0), Tensor<1, 2>({0.5, 4})},
                  mesh::Ellipsoid<2>{Point<2>(), Tensor<1, 2>({15, 10})}) <
    1e-12);

  const mesh::CytoplasmManifold<3> map(nucleus, membrane);
  std::mt19937                     random(3);
  // The shell's inner and outer spheres are the nucleus and the cell.
  const Tensor<1, 3> d = random_direction<3>(random);
  CHECK(ellipsoidal_radius(nucleus, map.push_forward(Point<3>(0.5 * d))) ==
        Approx(1).epsilon(1e-14));
  CHECK(ellipsoidal_radius(membrane, map.push_forward(Point<3>(d))) ==
        Approx(1).epsilon(1e-14));
  CHECK(map.pull_back(membrane.surface_point(d)).norm() ==
        Approx(1).epsilon(1e-14));
}

TEST_CASE("new points of membrane points stay on the membrane", "[geometry]")
{
  const mesh::CytoplasmManifold<3> map(nucleus, membrane);
  std::mt19937                     random(11);
  for (const auto &surface : {nucleus, membrane})
    {
      std::vector<Point<3>> points;
      for (unsigned int i = 0; i < 4; ++i)
        points.push_back(surface.surface_point(random_direction<3>(random)));
      // Weights with a negative one, as deal.II's for face and cell centres.
      const std::vector<double> weights = {0.5, 0.25, 0.5, -0.25};
      const Point<3>            x =
        map.get_new_point(make_array_view(points), make_array_view(weights));
      CHECK(ellipsoidal_radius(surface, x) == Approx(1).epsilon(1e-13));
      // The midpoint of two membrane points, too.
      CHECK(ellipsoidal_radius(
              surface,
              map.get_intermediate_point(points[0], points[1], 0.5)) ==
            Approx(1).epsilon(1e-13));
    }
}

TEST_CASE("a refined spread cell's membrane vertices lie on the ellipsoids",
          "[geometry]")
{
  const auto g = mvb::testing::geometry_from(
    "set Dimension = 3\nset Shape = spread cell\nset Global refinements = 2\n");
  parallel::distributed::Triangulation<3> tria(MPI_COMM_WORLD);
  mesh::CellGeometry<3>                   geometry(g);
  geometry.create_mesh(tria);

  double       worst   = 0;
  unsigned int n_faces = 0;
  for (const auto &cell : tria.active_cell_iterators())
    if (cell->is_locally_owned())
      for (const auto &face : cell->face_iterators())
        if (face->at_boundary())
          {
            ++n_faces;
            const auto &surface =
              face->boundary_id() == mesh::boundary_id::nuclear_envelope
                ? nucleus
                : membrane;
            for (const unsigned int v : face->vertex_indices())
              worst =
                std::max(worst,
                         std::abs(ellipsoidal_radius(surface, face->vertex(v)) -
                                  1));
          }
  CHECK(Utilities::MPI::sum(n_faces, MPI_COMM_WORLD) == 24 * 16);
  CHECK(Utilities::MPI::max(worst, MPI_COMM_WORLD) < 1e-13);
}

TEST_CASE("new points made together equal those made one by one", "[geometry]")
{
  const mesh::CytoplasmManifold<3> map(nucleus, membrane);
  std::mt19937                     random(5);
  std::vector<Point<3>>            points;
  for (unsigned int i = 0; i < 4; ++i)
    points.push_back(map.push_forward(
      Point<3>((0.6 + 0.1 * i) * random_direction<3>(random))));
  Table<2, double> weights(3, points.size());
  for (unsigned int row = 0; row < 3; ++row)
    for (unsigned int i = 0; i < points.size(); ++i)
      weights(row, i) = (row + 1 == i) ? 0.4 : 0.2;
  std::vector<Point<3>> together(3);
  map.get_new_points(make_array_view(points),
                     weights,
                     make_array_view(together));
  for (unsigned int row = 0; row < 3; ++row)
    {
      std::vector<double> w(points.size());
      for (unsigned int i = 0; i < points.size(); ++i)
        w[i] = weights(row, i);
      CHECK(together[row].distance(
              map.get_new_point(make_array_view(points), make_array_view(w))) <
            1e-14);
    }
}
