#pragma once

#include <mesh/cell_geometry.h>
#include <physics/species_model.h>
#include <solver/field_solver.h>
#include <solver/run_parameters.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/timer.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/fe/mapping_q_cache.h>
#include <deal.II/numerics/vector_tools.h>

#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "../unit/test_helpers.h"

namespace mvb::testing
{
  using namespace dealii;

  /** A cell mesh with the mapping the fields use. */
  template <int dim>
  struct TestCell
  {
    explicit TestCell(const std::string &geometry_text,
                      MPI_Comm           communicator = MPI_COMM_WORLD)
        : parameters(parameters_from(
            "subsection Geometry\n set Dimension = " + std::to_string(dim) +
            "\n" + geometry_text + "\nend\n"))
        , triangulation(communicator)
        , geometry(parameters.geometry)
        , mapping(parameters.geometry.mapping_degree)
    {
      geometry.create_mesh(triangulation);
      mapping.initialize(geometry.mapping(), triangulation);
    }

    RunParameters                             parameters;
    parallel::distributed::Triangulation<dim> triangulation;
    mesh::CellGeometry<dim>                   geometry;
    MappingQCache<dim>                        mapping;
  };

  /** L2 or H1-seminorm error of species @p k against @p exact. */
  template <int dim>
  double
  field_error(const FieldSolver<dim>     &solver,
              const unsigned int          k,
              const Function<dim>        &exact,
              const VectorTools::NormType norm)
  {
    const auto       &dof = solver.dof_handler();
    Vector<float>     cellwise(dof.get_triangulation().n_active_cells());
    const QGauss<dim> quadrature(dof.get_fe().degree + 2);
    VectorTools::integrate_difference(solver.mapping(),
                                      dof,
                                      solver.solution(k),
                                      exact,
                                      cellwise,
                                      quadrature,
                                      norm);
    return VectorTools::compute_global_error(dof.get_triangulation(),
                                             cellwise,
                                             norm);
  }

  /** Convergence order between two errors at mesh sizes h and h/2. */
  inline double
  order(const double coarse, const double fine)
  {
    return std::log2(coarse / fine);
  }

  /** A Function given by two lambdas (value and gradient) of (x, t). */
  template <int dim, typename Value, typename Gradient>
  class LambdaFunction : public Function<dim>
  {
  public:
    LambdaFunction(Value v, Gradient g)
        : v(v)
        , g(g)
    {
    }

    double
    value(const Point<dim> &x, const unsigned int = 0) const override
    {
      return v(x, this->get_time());
    }

    Tensor<1, dim>
    gradient(const Point<dim> &x, const unsigned int = 0) const override
    {
      return g(x, this->get_time());
    }

  private:
    Value    v;
    Gradient g;
  };

  template <int dim, typename Value>
  std::shared_ptr<Function<dim>>
  function_of(Value v)
  {
    auto g = [](const Point<dim> &, double) {
      return Tensor<1, dim>();
    };
    return std::make_shared<LambdaFunction<dim, Value, decltype(g)>>(v, g);
  }

  template <int dim, typename Value, typename Gradient>
  std::shared_ptr<Function<dim>>
  function_of(Value v, Gradient g)
  {
    return std::make_shared<LambdaFunction<dim, Value, Gradient>>(v, g);
  }
} // namespace mvb::testing
