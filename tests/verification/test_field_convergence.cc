// Manufactured solutions: the FE error of the reaction-diffusion solver
// under mesh refinement, on the round cell (annulus / spherical shell, with
// curved membranes), every term of the species model active.

#include "field_test_helpers.h"

#include <catch2/catch.hpp>

#include <deal.II/base/conditional_ostream.h>

#include <iostream>

namespace
{
  using namespace dealii;
  using namespace mvb;
  using namespace mvb::testing;

  constexpr double D = 1.5, decay = 0.1, source = 0.05, V = 0.8, K = 0.7,
                   kappa = 0.4, u_ext = 0.9;

  double
  sink(const double u)
  {
    return V * u * u / (K * K + u * u);
  }

  // u(x,t) = (1 + t/2) s(x), s = 1 + 0.5 sin(a x) cos(b y) cos(c z): linear
  // in time, so BDF2 started from the exact history is exact in time and
  // the error is the spatial one.
  template <int dim>
  struct Solution
  {
    static constexpr double a = 0.3, b = 0.2, c = 0.25;

    static double
    shape(const Point<dim> &x)
    {
      return 0.5 * std::sin(a * x[0]) * std::cos(b * x[1]) *
             (dim == 3 ? std::cos(c * x[dim - 1]) : 1.);
    }

    static double
    value(const Point<dim> &x, const double t)
    {
      return (1 + t / 2) * (1 + shape(x));
    }

    static Tensor<1, dim>
    gradient(const Point<dim> &x, const double t)
    {
      const double   zc = (dim == 3 ? std::cos(c * x[dim - 1]) : 1.);
      Tensor<1, dim> g;
      g[0] = 0.5 * a * std::cos(a * x[0]) * std::cos(b * x[1]) * zc;
      g[1] = -0.5 * b * std::sin(a * x[0]) * std::sin(b * x[1]) * zc;
      if (dim == 3)
        g[dim - 1] = -0.5 * c * std::sin(a * x[0]) * std::cos(b * x[1]) *
                     std::sin(c * x[dim - 1]);
      return (1 + t / 2) * g;
    }

    static double
    laplacian(const Point<dim> &x, const double t)
    {
      const double k2 = a * a + b * b + (dim == 3 ? c * c : 0.);
      return -(1 + t / 2) * k2 * shape(x);
    }

    // du/dt - D lap(u) + decay u - source + sink(u)
    static double
    forcing(const Point<dim> &x, const double t)
    {
      const double u = value(x, t);
      return (1 + shape(x)) / 2 - D * laplacian(x, t) + decay * u - source +
             sink(u);
    }
  };

  template <int dim>
  physics::SpeciesModel<dim>
  manufactured_model()
  {
    using S = Solution<dim>;
    physics::SpeciesModel<dim> m;
    m.name                  = "u";
    m.diffusion_coefficient = D;
    m.decay_rate            = decay;
    m.constant_source       = source;
    m.sink.rate             = sink;
    m.sink.max_slope        = 3. * std::sqrt(3.) / 8. * V / K;
    m.volume_source         = function_of<dim>(S::forcing);
    m.initial_value         = function_of<dim>(S::value, S::gradient);

    // Inward flux j = D grad(u).n + kappa (u - u_ext), n the outward normal
    // of the cytoplasm: away from the centre on the plasma membrane,
    // towards it on the nuclear envelope.
    physics::BoundaryExchange<dim> pm, ne;
    pm.boundary              = 1;
    pm.name                  = "plasma_membrane";
    pm.transfer_coefficient  = kappa;
    pm.exterior_value        = u_ext;
    pm.flux_uniform_in_space = false;
    pm.inward_flux = function_of<dim>([](const Point<dim> &x, double t) {
      const Tensor<1, dim> n = x / x.norm();
      return D * S::gradient(x, t) * n + kappa * (S::value(x, t) - u_ext);
    });
    ne.boundary    = 2;
    ne.name        = "nuclear_envelope";
    ne.flux_uniform_in_space = false;
    ne.inward_flux = function_of<dim>([](const Point<dim> &x, double t) {
      const Tensor<1, dim> n = -x / x.norm();
      return D * S::gradient(x, t) * n;
    });
    m.boundaries   = {pm, ne};
    return m;
  }

  struct Errors
  {
    double l2, h1;
  };

  template <int dim>
  Errors
  solve_manufactured(const unsigned int refinements, const unsigned int p)
  {
    TestCell<dim> cell("set Shape = round cell\nset Global refinements = " +
                       std::to_string(refinements) +
                       "\nset Mapping degree = 2");
    TimerOutput   timer(MPI_COMM_WORLD,
                      std::cout,
                      TimerOutput::never,
                      TimerOutput::wall_times);
    FieldSolverSettings settings;
    settings.fe_degree = p;
    settings.scheme    = TimeScheme::bdf2;
    settings.time_step = 0.05;
    settings.tolerance = 1e-12;
    FieldSolver<dim> solver(cell.triangulation,
                            cell.mapping,
                            {manufactured_model<dim>()},
                            settings,
                            timer);
    solver.setup();
    auto previous = function_of<dim>(Solution<dim>::value);
    solver.initialize(0., {previous.get()});
    for (unsigned int n = 0; n < 3; ++n)
      solver.advance();

    auto exact =
      function_of<dim>(Solution<dim>::value, Solution<dim>::gradient);
    exact->set_time(solver.time());
    return {field_error(solver, 0, *exact, VectorTools::L2_norm),
            field_error(solver, 0, *exact, VectorTools::H1_seminorm)};
  }

  template <int dim>
  void
  check_orders(const unsigned int p,
               const unsigned int coarsest,
               const unsigned int finest)
  {
    ConditionalOStream  out(std::cout,
                           Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) ==
                             0);
    std::vector<Errors> errors;
    for (unsigned int r = coarsest; r <= finest; ++r)
      {
        errors.push_back(solve_manufactured<dim>(r, p));
        out << dim << "D p=" << p << " refinements " << r << ": L2 "
            << errors.back().l2 << ", H1 " << errors.back().h1;
        if (errors.size() > 1)
          out << ", orders "
              << order(errors[errors.size() - 2].l2, errors.back().l2) << ' '
              << order(errors[errors.size() - 2].h1, errors.back().h1);
        out << std::endl;
      }
    const Errors &c = errors[errors.size() - 2], &f = errors.back();
    CHECK(order(c.l2, f.l2) == Approx(p + 1.).margin(0.1));
    CHECK(order(c.h1, f.h1) == Approx(double(p)).margin(0.1));
  }
} // namespace

TEST_CASE("Manufactured solution, 2D, FE_Q(1): L2 order 2, H1 order 1",
          "[fields][convergence]")
{
  check_orders<2>(1, 2, 5);
}

TEST_CASE("Manufactured solution, 2D, FE_Q(2): L2 order 3, H1 order 2",
          "[fields][convergence]")
{
  check_orders<2>(2, 1, 4);
}

TEST_CASE("Manufactured solution, 3D, FE_Q(1): L2 order 2, H1 order 1",
          "[fields][convergence]")
{
  check_orders<3>(1, 1, 3);
}

TEST_CASE("Manufactured solution, 3D, FE_Q(2): L2 order 3, H1 order 2",
          "[fields][convergence]")
{
  check_orders<3>(2, 1, 3);
}
