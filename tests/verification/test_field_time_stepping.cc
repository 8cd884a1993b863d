// Temporal order of BDF1 and BDF2 with the linearly implicit Ca2+ pump, on
// problems whose exact solution is known; the resting state of Ca2+.

#include <solver/input_error.h>

#include "field_test_helpers.h"

#include <catch2/catch.hpp>

#include <deal.II/base/conditional_ostream.h>

#include <cmath>
#include <cstdint>
#include <deal.II/fe/mapping_q.h>
#include <deal.II/grid/grid_generator.h>

#include <iostream>

namespace
{
  using namespace dealii;
  using namespace mvb;
  using namespace mvb::testing;

  ConditionalOStream
  root_out()
  {
    return ConditionalOStream(std::cout,
                              Utilities::MPI::this_mpi_process(
                                MPI_COMM_WORLD) == 0);
  }

  FieldSolverSettings
  settings_for(const TimeScheme scheme, const double dt)
  {
    FieldSolverSettings s;
    s.fe_degree = 1;
    s.scheme    = scheme;
    s.time_step = dt;
    s.tolerance = 1e-13;
    return s;
  }

  // Uniform Ca2+ relaxing from c0 under pump and leak,
  //   dc/dt = L - V c^2/(K^2 + c^2),  L = V c_r^2/(K^2 + c_r^2),
  // integrates exactly to t(c) = -[(c - c0) + (K^2 + c_r^2)/(2 c_r)
  //   (ln|(c - c_r)/(c + c_r)| - ln|(c0 - c_r)/(c0 + c_r)|)]/(V - L);
  // c(t) by bisection between c_r and c0.
  double
  relaxing_calcium(const double t,
                   const double c0,
                   const double c_r,
                   const double V,
                   const double K)
  {
    const double L         = V * c_r * c_r / (K * K + c_r * c_r);
    const auto   log_ratio = [&](const double c) {
      return std::log(std::abs((c - c_r) / (c + c_r)));
    };
    const auto time_of = [&](const double c) {
      return -((c - c0) + (K * K + c_r * c_r) / (2 * c_r) *
                            (log_ratio(c) - log_ratio(c0))) /
             (V - L);
    };
    double lo = c_r * (1 + 1e-15), hi = c0;
    for (unsigned int i = 0; i < 200; ++i)
      {
        const double mid             = 0.5 * (lo + hi);
        (time_of(mid) > t ? lo : hi) = mid;
      }
    return 0.5 * (lo + hi);
  }

  double
  calcium_error(const TimeScheme scheme, const double dt)
  {
    TestCell<2> cell("set Shape = round cell\nset Global refinements = 0");
    const RunParameters p = parameters_from(
      "subsection Geometry\n set Dimension = 2\n set Shape = round cell\nend\n"
      "subsection Species\n"
      " subsection Calcium\n  set Initial concentration = 0.6\n  set Basal "
      "plasma membrane influx = 0\n end\n"
      " subsection Cholesterol\n  set Enable = false\n end\n"
      " subsection Cargo\n  set Enable = false\n end\n"
      "end\n");
    TimerOutput    timer(MPI_COMM_WORLD,
                      std::cout,
                      TimerOutput::never,
                      TimerOutput::wall_times);
    FieldSolver<2> solver(cell.triangulation,
                          cell.mapping,
                          p.species.create_models<2>(0.),
                          settings_for(scheme, dt),
                          timer);
    solver.setup();
    solver.initialize(0.);
    // Mid-way through the fall from 0.6 uM towards rest.
    const double end_time = 0.4;
    while (solver.time() < end_time - 1e-12)
      solver.advance();
    const auto          &ca    = p.species.calcium;
    const double         exact = relaxing_calcium(end_time,
                                          0.6,
                                          ca.resting_concentration,
                                          ca.pump_maximal_rate,
                                          ca.pump_half_saturation);
    const SpeciesBalance b     = solver.balance(0);
    // A uniform start stays uniform: the nodal extremes are the solution.
    return std::max(std::abs(b.maximum - exact), std::abs(b.minimum - exact));
  }

  // u = (1 + x^2 + y^2/2 + xy/4)(1.2 + sin t) on the unit square with
  // FE_Q(2): the space discretisation is exact, so the error is the time
  // stepper's. Diffusion, decay, the saturable sink and a boundary flux
  // with Robin exchange are all active.
  constexpr double D = 0.8, decay = 0.3, V = 3., K = 0.5, kappa = 0.7,
                   u_ext = 0.4;

  double
  polynomial(const Point<2> &x)
  {
    return 1 + x[0] * x[0] + 0.5 * x[1] * x[1] + 0.25 * x[0] * x[1];
  }

  double
  exact_value(const Point<2> &x, const double t)
  {
    return polynomial(x) * (1.2 + std::sin(t));
  }

  Tensor<1, 2>
  exact_gradient(const Point<2> &x, const double t)
  {
    Tensor<1, 2> g;
    g[0] = 2 * x[0] + 0.25 * x[1];
    g[1] = x[1] + 0.25 * x[0];
    return (1.2 + std::sin(t)) * g;
  }

  double
  sink(const double u)
  {
    return V * u * u / (K * K + u * u);
  }

  // The irregular steps of variable_step_error(), in units of dt/4: growth
  // by 2 and drops by 2, 4 and 8 as the step controller and landing on
  // output times make them. They add up to 40 units, so that every dt of
  // the order study takes the same sequence a whole number of times.
  const std::vector<unsigned int> irregular_units =
    {2, 4, 8, 1, 2, 4, 8, 4, 2, 4, 1};

  struct ManufacturedRun
  {
    double error;
    // Of the last step, relative to the field.
    double estimated_local_error;
  };

  ManufacturedRun
  manufactured_run(const TimeScheme                 scheme,
                   const double                     unit,
                   const std::vector<unsigned int> &units,
                   bool                             estimate);

  double
  manufactured_error(const TimeScheme scheme, const double dt)
  {
    return manufactured_run(scheme, dt, {1}, false).error;
  }

  double
  variable_step_error(const TimeScheme scheme, const double dt)
  {
    return manufactured_run(scheme, dt / 4, irregular_units, false).error;
  }

  ManufacturedRun
  manufactured_run(const TimeScheme                 scheme,
                   const double                     unit,
                   const std::vector<unsigned int> &units,
                   const bool                       estimate)
  {
    parallel::distributed::Triangulation<2> triangulation(MPI_COMM_WORLD);
    GridGenerator::hyper_cube(triangulation, 0., 1.);
    triangulation.refine_global(2);
    MappingQCache<2> mapping(1);
    mapping.initialize(MappingQ<2>(1), triangulation);

    physics::SpeciesModel<2> m;
    m.name                  = "u";
    m.diffusion_coefficient = D;
    m.decay_rate            = decay;
    m.sink.rate             = sink;
    m.sink.max_slope        = 3. * std::sqrt(3.) / 8. * V / K;
    m.initial_value         = function_of<2>(exact_value, exact_gradient);
    m.volume_source = function_of<2>([](const Point<2> &x, const double t) {
      const double u = exact_value(x, t);
      // du/dt - D lap(u) + decay u + sink(u); lap(polynomial) = 3
      return polynomial(x) * std::cos(t) - D * 3. * (1.2 + std::sin(t)) +
             decay * u + sink(u);
    });
    physics::BoundaryExchange<2> wall;
    wall.boundary              = 0;
    wall.name                  = "wall";
    wall.transfer_coefficient  = kappa;
    wall.exterior_value        = u_ext;
    wall.flux_uniform_in_space = false;
    wall.inward_flux = function_of<2>([](const Point<2> &x, const double t) {
      Tensor<1, 2> n;
      if (x[0] < 1e-12)
        n[0] = -1;
      else if (x[0] > 1 - 1e-12)
        n[0] = 1;
      else if (x[1] < 1e-12)
        n[1] = -1;
      else
        n[1] = 1;
      return D * exact_gradient(x, t) * n + kappa * (exact_value(x, t) - u_ext);
    });
    m.boundaries     = {wall};

    TimerOutput timer(MPI_COMM_WORLD,
                      std::cout,
                      TimerOutput::never,
                      TimerOutput::wall_times);
    // FE_Q(2) holds the quadratic exactly.
    FieldSolverSettings settings = settings_for(scheme, unit);
    settings.fe_degree           = 2;
    settings.estimate_error      = estimate;
    FieldSolver<2> solver(triangulation, mapping, {m}, settings, timer);
    solver.setup();
    solver.initialize(0.);
    // The steps cycle through @p units and end exactly at t = 1.
    const auto end_units = static_cast<std::uint64_t>(std::round(1. / unit));
    for (std::size_t n = 0; solver.ticks() < end_units; ++n)
      solver.advance(static_cast<unsigned int>(
        std::min<std::uint64_t>(units[n % units.size()],
                                end_units - solver.ticks())));
    auto exact = function_of<2>(exact_value, exact_gradient);
    exact->set_time(solver.time());
    return {field_error(solver, 0, *exact, VectorTools::L2_norm),
            solver.last_error_estimate()};
  }

  void
  check_order(const std::string &name,
              double (*error)(TimeScheme, double),
              const TimeScheme scheme,
              const double     expected,
              const double     dt0)
  {
    auto                out = root_out();
    std::vector<double> e;
    for (unsigned int k = 0; k < 4; ++k)
      {
        const double dt = dt0 / (1 << k);
        e.push_back(error(scheme, dt));
        out << name << (scheme == TimeScheme::bdf1 ? " BDF1" : " BDF2")
            << " dt = " << dt << ": error " << e.back();
        if (k > 0)
          out << ", order " << order(e[k - 1], e[k]);
        out << std::endl;
      }
    CHECK(order(e[2], e[3]) == Approx(expected).margin(0.1));
  }
} // namespace

TEST_CASE("Ca2+ relaxation under the pump: BDF1 is first order",
          "[fields][time]")
{
  check_order("Ca2+ relaxation", calcium_error, TimeScheme::bdf1, 1., 0.02);
}

TEST_CASE("Ca2+ relaxation under the pump: BDF2 is second order",
          "[fields][time]")
{
  check_order("Ca2+ relaxation", calcium_error, TimeScheme::bdf2, 2., 0.02);
}

TEST_CASE("Diffusion, decay, pump and Robin flux: BDF1 is first order",
          "[fields][time]")
{
  check_order("manufactured", manufactured_error, TimeScheme::bdf1, 1., 0.1);
}

TEST_CASE("Diffusion, decay, pump and Robin flux: BDF2 is second order",
          "[fields][time]")
{
  check_order("manufactured", manufactured_error, TimeScheme::bdf2, 2., 0.05);
}

TEST_CASE("Diffusion, decay, pump and Robin flux: BDF2 on irregular steps "
          "is second order",
          "[fields][time][adaptive]")
{
  check_order("manufactured, irregular steps",
              variable_step_error,
              TimeScheme::bdf2,
              2.,
              0.05);
}

TEST_CASE("The local error estimate of BDF2 is third order",
          "[fields][time][adaptive]")
{
  // Equal steps of dt to t = 1: the estimate of the last step falls as
  // dt^3, the order of BDF2's local error.
  auto                      out = root_out();
  std::vector<double>       estimate;
  std::vector<double>       error;
  const std::vector<double> dts = {0.05, 0.025, 0.0125};
  for (const double dt : dts)
    {
      const ManufacturedRun r =
        manufactured_run(TimeScheme::bdf2, dt, {1}, true);
      estimate.push_back(r.estimated_local_error);
      error.push_back(r.error);
      out << "dt = " << dt << ": estimated local error (relative) "
          << r.estimated_local_error << ", global L2 error " << r.error
          << std::endl;
    }
  CHECK(order(estimate[1], estimate[2]) == Approx(3.).margin(0.2));
  CHECK(order(estimate[0], estimate[1]) == Approx(3.).margin(0.3));
  // Without the estimate the solver reports none.
  CHECK(
    manufactured_run(TimeScheme::bdf2, 0.05, {1}, false).estimated_local_error <
    0);
}

TEST_CASE("The linearly implicit pump is stable far above its time scale",
          "[fields][time]")
{
  // The pump's fastest time scale is 1/max slope = 0.15 s; dt = 50 s is
  // 300 times that. Starting far from rest, BDF2 must relax monotonically
  // towards c_rest without overshoot or oscillation.
  for (const TimeScheme scheme : {TimeScheme::bdf1, TimeScheme::bdf2})
    {
      TestCell<2> cell("set Shape = round cell\nset Global refinements = 1");
      const RunParameters p = parameters_from(
        "subsection Geometry\n set Dimension = 2\n set Shape = round "
        "cell\nend\n"
        "subsection Species\n"
        " subsection Calcium\n  set Initial concentration = 5\n  set Basal "
        "plasma membrane influx = 0\n end\n"
        " subsection Cholesterol\n  set Enable = false\n end\n"
        " subsection Cargo\n  set Enable = false\n end\n"
        "end\n");
      TimerOutput    timer(MPI_COMM_WORLD,
                        std::cout,
                        TimerOutput::never,
                        TimerOutput::wall_times);
      FieldSolver<2> solver(cell.triangulation,
                            cell.mapping,
                            p.species.create_models<2>(0.),
                            settings_for(scheme, 50.),
                            timer);
      solver.setup();
      solver.initialize(0.);
      // Stable: the distance from rest never exceeds the initial one, and
      // the run settles at rest. BDF1 is also monotone.
      double last = 5.;
      for (unsigned int n = 0; n < 40; ++n)
        {
          solver.advance();
          const double c = solver.balance(0).maximum;
          CHECK(std::abs(c - 0.1) <= 4.9);
          if (scheme == TimeScheme::bdf1)
            {
              CHECK(c <= last + 1e-12);
              CHECK(c >= 0.1 - 1e-9);
            }
          last = c;
        }
      CHECK(last == Approx(0.1).epsilon(1e-6));
    }
}

namespace
{
  // Ca2+ alone (cholesterol and cargo off) on a test cell, with the basal
  // plasma membrane influx @p basal_influx, BDF2 steps of @p dt, from c_rest.
  template <int dim>
  struct CalciumOnly
  {
    CalciumOnly(TestCell<dim>     &cell,
                const std::string &geometry_text,
                const double       basal_influx,
                const double       dt)
        : parameters(parameters_from(
            geometry_text +
            "subsection Species\n subsection Calcium\n  set Basal plasma "
            "membrane influx = " +
            mvb::to_text(basal_influx) +
            "\n end\n subsection Cholesterol\n  set Enable = false\n end\n "
            "subsection Cargo\n  set Enable = false\n end\nend\n"))
        , timer(MPI_COMM_WORLD,
                std::cout,
                TimerOutput::never,
                TimerOutput::wall_times)
        , solver(cell.triangulation,
                 cell.mapping,
                 parameters.species.create_models<dim>(0.),
                 settings_for(TimeScheme::bdf2, dt),
                 timer)
    {
      solver.setup();
      solver.initialize(0.);
    }

    const RunParameters parameters;
    TimerOutput         timer;
    FieldSolver<dim>    solver;
  };
} // namespace

TEST_CASE("Ca2+ without any influx stays at rest to 1e-10", "[fields][rest]")
{
  // The default 3D cell with the default Ca2+, but no basal influx, for
  // 200 s: the leak balances the pump exactly at c_rest.
  TestCell<3>    cell("");
  CalciumOnly<3> calcium(cell, "", 0, 1.);
  const double   c_rest =
    calcium.parameters.species.calcium.resting_concentration;
  for (unsigned int n = 0; n < 200; ++n)
    {
      calcium.solver.advance();
      const SpeciesBalance b = calcium.solver.balance(0);
      REQUIRE(std::abs(b.maximum - c_rest) <= 1e-10);
      REQUIRE(std::abs(b.minimum - c_rest) <= 1e-10);
    }
}

namespace
{
  double
  calcium_default_influx()
  {
    return parameters_from("").species.calcium.basal_influx;
  }
} // namespace

TEST_CASE("Resting Ca2+ microdomain: above the bulk under the membrane, and "
          "the linearised profile on the round cell",
          "[fields][rest]")
{
  // The 2D round cell (radii R = 5, a = 1), Ca2+ only, with a basal influx
  // j on the plasma membrane, run to its steady state. Linearised about
  // c_rest, c' = c - c_rest solves D (c'' + c'/r) = k c', D c'(R) = j,
  // c'(a) = 0, with k the pump's slope at c_rest:
  //   c' = A I0(b r) + B K0(b r), b = sqrt(k/D), B = A I1(b a)/K1(b a),
  //   A = j / (D b (I1(b R) - I1(b a) K1(b R)/K1(b a))).
  // A small j keeps the nonlinearity (c' P''/P' ~ 1e-3) below the check.
  const double R = 5, a = 1;
  const auto   steady = [&](const double j) {
    TestCell<2> cell(
      "set Shape = round cell\n set Global refinements = 4\n subsection "
        "Round cell\n  set Cell radius = 5\n  set Nucleus radius = 1\n end");
    CalciumOnly<2> calcium(cell,
                           "subsection Geometry\n set Dimension = 2\n set "
                             "Shape = round cell\nend\n",
                           j,
                           0.25);
    for (unsigned int n = 0; n < 240; ++n)
      calcium.solver.advance();
    return std::make_pair(calcium.parameters.species.calcium,
                          calcium.solver.balance(0));
  };

  {
    const double j          = 0.01;
    const auto [calcium, b] = steady(j);
    const double D          = calcium.diffusion_coefficient;
    const double k          = calcium.pump_slope_at_rest();
    const double beta       = std::sqrt(k / D);
    const double A =
      j / (D * beta *
           (std::cyl_bessel_i(1, beta * R) - std::cyl_bessel_i(1, beta * a) *
                                               std::cyl_bessel_k(1, beta * R) /
                                               std::cyl_bessel_k(1, beta * a)));
    const double B =
      A * std::cyl_bessel_i(1, beta * a) / std::cyl_bessel_k(1, beta * a);
    const auto c_prime = [&](const double r) {
      return A * std::cyl_bessel_i(0, beta * r) +
             B * std::cyl_bessel_k(0, beta * r);
    };
    const double c_rest = calcium.resting_concentration;
    INFO("membrane " << b.maximum - c_rest << " vs " << c_prime(R)
                     << ", nuclear envelope " << b.minimum - c_rest << " vs "
                     << c_prime(a));
    // The profile is monotone in r: its extremes sit on the two membranes.
    CHECK(b.maximum - c_rest == Approx(c_prime(R)).epsilon(0.01));
    CHECK(b.minimum - c_rest == Approx(c_prime(a)).epsilon(0.02));
  }
  {
    // The default basal influx: the membrane a few times c_rest, clearly
    // above the bulk by the nuclear envelope.
    const auto [calcium, b] = steady(calcium_default_influx());
    INFO("membrane " << b.maximum << ", bulk " << b.minimum);
    CHECK(b.maximum > 2 * calcium.resting_concentration);
    CHECK(b.maximum > 1.5 * b.minimum);
  }
}
