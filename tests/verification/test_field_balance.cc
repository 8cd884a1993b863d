// Exact solutions and exact bookkeeping: a steady decay/Robin problem on
// the round cell against its Bessel / exponential solution, and the balance
// of every species (change of its integral = what crossed the boundaries +
// what its reactions made) to the linear solver's tolerance.

#include "field_test_helpers.h"

#include <catch2/catch.hpp>

#include <deal.II/base/conditional_ostream.h>

#include <cmath>
#include <iostream>

namespace
{
  using namespace dealii;
  using namespace mvb;
  using namespace mvb::testing;

  // -D lap(u) + k u = 0 between the nuclear envelope (r0, inward flux j)
  // and the plasma membrane (R, Robin kappa (u - u_ext)).
  constexpr double D = 1., k = 0.05, kappa = 0.2, u_ext = 1., j = 0.3, r0 = 4.,
                   R = 10.;
  const double ell   = std::sqrt(D / k);

  // u = A f(r) + B g(r) with radial solutions f, g and their derivatives.
  template <int dim>
  struct Radial
  {
    static double
    f(const double r, const int derivative)
    {
      const double s = r / ell;
      if (dim == 2)
        return derivative == 0 ? std::cyl_bessel_i(0, s)
                               : std::cyl_bessel_i(1, s) / ell;
      return derivative == 0 ? std::exp(s) / r
                             : std::exp(s) * (1. / (ell * r) - 1. / (r * r));
    }

    static double
    g(const double r, const int derivative)
    {
      const double s = r / ell;
      if (dim == 2)
        return derivative == 0 ? std::cyl_bessel_k(0, s)
                               : -std::cyl_bessel_k(1, s) / ell;
      return derivative == 0 ? std::exp(-s) / r
                             : std::exp(-s) * (-1. / (ell * r) - 1. / (r * r));
    }

    // The two boundary conditions fix A and B:
    //   -D u'(R) = kappa (u(R) - u_ext),   -D u'(r0) = j.
    static std::pair<double, double>
    coefficients()
    {
      const double a11 = -D * f(R, 1) - kappa * f(R, 0),
                   a12 = -D * g(R, 1) - kappa * g(R, 0), b1 = -kappa * u_ext;
      const double a21 = -D * f(r0, 1), a22 = -D * g(r0, 1), b2 = j;
      const double det = a11 * a22 - a12 * a21;
      return {(b1 * a22 - a12 * b2) / det, (a11 * b2 - a21 * b1) / det};
    }
  };

  template <int dim>
  double
  steady_robin_error(const unsigned int refinements, const unsigned int p)
  {
    TestCell<dim> cell("set Shape = round cell\nset Global refinements = " +
                       std::to_string(refinements));
    physics::SpeciesModel<dim> m;
    m.name                  = "u";
    m.diffusion_coefficient = D;
    m.decay_rate            = k;
    m.initial_value         = function_of<dim>([](const Point<dim> &, double) {
      return 0.;
    });
    physics::BoundaryExchange<dim> pm, ne;
    pm.boundary             = 1;
    pm.transfer_coefficient = kappa;
    pm.exterior_value       = u_ext;
    ne.boundary             = 2;
    ne.inward_flux          = function_of<dim>([](const Point<dim> &, double) {
      return j;
    });
    m.boundaries            = {pm, ne};

    TimerOutput         timer(MPI_COMM_WORLD,
                      std::cout,
                      TimerOutput::never,
                      TimerOutput::wall_times);
    FieldSolverSettings settings;
    settings.fe_degree = p;
    settings.scheme    = TimeScheme::bdf1;
    settings.time_step = 1e8; // backward Euler at this step is the steady
                              // problem up to 1/(1 + k dt)
    settings.tolerance = 1e-13;
    FieldSolver<dim> solver(cell.triangulation,
                            cell.mapping,
                            {m},
                            settings,
                            timer);
    solver.setup();
    solver.initialize(0.);
    for (unsigned int n = 0; n < 3; ++n)
      solver.advance();

    const auto [A, B] = Radial<dim>::coefficients();
    auto exact        = function_of<dim>(
      [A = A, B = B](const Point<dim> &x, double) {
        return A * Radial<dim>::f(x.norm(), 0) +
               B * Radial<dim>::g(x.norm(), 0);
      },
      [A = A, B = B](const Point<dim> &x, double) {
        return (A * Radial<dim>::f(x.norm(), 1) +
                B * Radial<dim>::g(x.norm(), 1)) *
               x / x.norm();
      });
    return field_error(solver, 0, *exact, VectorTools::L2_norm);
  }

  template <int dim>
  void
  check_steady(const unsigned int p,
               const unsigned int coarsest,
               const unsigned int finest)
  {
    ConditionalOStream  out(std::cout,
                           Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) ==
                             0);
    std::vector<double> e;
    for (unsigned int r = coarsest; r <= finest; ++r)
      {
        e.push_back(steady_robin_error<dim>(r, p));
        out << "steady Robin " << dim << "D p=" << p << " refinements " << r
            << ": L2 error " << e.back();
        if (e.size() > 1)
          out << ", order " << order(e[e.size() - 2], e.back());
        out << std::endl;
      }
    CHECK(order(e[e.size() - 2], e.back()) == Approx(p + 1.).margin(0.1));
  }

  // Runs the default species (with a Ca2+ pulse, endocytosis and ER
  // synthesis all on) and checks the balance after every step. With
  // @p units, the steps cycle through those multiples of 0.25/4 s
  // (variable-step BDF2), and every step also puts point loads into each
  // species, which must show up exactly in its point amount.
  void
  check_balance(const TimeScheme                 scheme,
                const std::vector<unsigned int> &units = {})
  {
    TestCell<3>         cell("set Global refinements = 1");
    const RunParameters p = parameters_from(
      "subsection Species\n"
      " subsection Calcium\n"
      "  set Plasma membrane influx = 2*(t<3)\n"
      "  set Initial concentration = 0.4 + 0.02*x\n"
      " end\n"
      " subsection Cargo\n  set Endocytic flux = 0.05*(1+sin(t))\n end\n"
      " subsection Cholesterol\n  set ER synthesis flux = 0.2\n end\n"
      "end\n");
    TimerOutput         timer(MPI_COMM_WORLD,
                      std::cout,
                      TimerOutput::never,
                      TimerOutput::wall_times);
    FieldSolverSettings settings;
    settings.scheme    = scheme;
    settings.time_step = units.empty() ? 0.25 : 0.25 / 4;
    settings.tolerance = 1e-12;
    FieldSolver<3> solver(cell.triangulation,
                          cell.mapping,
                          p.species.create_models<3>(0.),
                          settings,
                          timer);
    solver.setup();
    solver.initialize(0.);
    std::vector<double> initial;
    for (unsigned int s = 0; s < solver.n_species(); ++s)
      initial.push_back(solver.balance(s).integral);

    // Point loads on the first locally owned cell of each rank, of
    // amounts that change from step to step and change sign.
    std::vector<types::global_dof_index> point_dofs;
    for (const auto &c : solver.dof_handler().active_cell_iterators())
      if (c->is_locally_owned())
        {
          point_dofs.resize(c->get_fe().n_dofs_per_cell());
          c->get_dof_indices(point_dofs);
          break;
        }
    std::vector<double> put_in(solver.n_species(), 0.);

    double worst = 0;
    for (unsigned int n = 0; n < 40; ++n)
      {
        if (units.empty())
          solver.advance();
        else
          {
            for (unsigned int s = 0; s < solver.n_species(); ++s)
              {
                const double   q = 0.05 * std::cos(n + s) * (1 + n % 3);
                Vector<double> amounts(point_dofs.size());
                for (unsigned int i = 0; i < amounts.size(); ++i)
                  amounts(i) =
                    q * (i + 1.) / (amounts.size() * (amounts.size() + 1) / 2.);
                if (!point_dofs.empty())
                  solver.add_point_amounts(s, point_dofs, amounts);
                put_in[s] += Utilities::MPI::sum(point_dofs.empty() ? 0. : q,
                                                 MPI_COMM_WORLD);
              }
            solver.advance(units[n % units.size()]);
          }
        for (unsigned int s = 0; s < solver.n_species(); ++s)
          {
            const SpeciesBalance b = solver.balance(s);
            INFO("species " << solver.model(s).name << ", step " << n + 1);
            // What went in at points is the point amount, exactly.
            REQUIRE(std::abs(b.point_amount - put_in[s]) <=
                    1e-13 * (1 + std::abs(put_in[s])));
            double made  = b.reaction_amount + b.point_amount;
            double scale = std::abs(b.reaction_amount) + std::abs(put_in[s]);
            for (const double a : b.boundary_amount)
              {
                made += a;
                scale += std::abs(a);
              }
            // Something really happened: the check is not 0 = 0.
            REQUIRE(scale > 1e-3 * std::abs(initial[s]));
            const double error = std::abs(b.integral - initial[s] - made) /
                                 std::max(std::abs(b.integral), scale);
            worst = std::max(worst, error);
            REQUIRE(error < 1e-10);
          }
      }
    if (Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0)
      std::cout << "balance " << (scheme == TimeScheme::bdf1 ? "BDF1" : "BDF2")
                << (units.empty() ? "" : ", variable steps")
                << ": largest relative error " << worst << std::endl;
  }
} // namespace

TEST_CASE("Steady decay with Robin exchange, 2D FE_Q(1), exact solution",
          "[fields][steady]")
{
  check_steady<2>(1, 3, 5);
}

TEST_CASE("Steady decay with Robin exchange, 3D FE_Q(1), exact solution",
          "[fields][steady]")
{
  check_steady<3>(1, 1, 3);
}

TEST_CASE("Balance of every species closes to solver tolerance, BDF1",
          "[fields][balance]")
{
  check_balance(TimeScheme::bdf1);
}

TEST_CASE("Balance of every species closes to solver tolerance, BDF2",
          "[fields][balance]")
{
  check_balance(TimeScheme::bdf2);
}

TEST_CASE("Balance of every species and its point loads closes to solver "
          "tolerance, BDF2 with variable steps",
          "[fields][balance][adaptive]")
{
  // Growth by 2 and drops by 2, 4 and 8, as the step controller and
  // landing on output times make them.
  check_balance(TimeScheme::bdf2, {2, 4, 8, 1, 2, 4, 8, 4, 2, 4, 1});
}
