// Parameter parsing: defaults, JSON, and one-line messages that name the
// full parameter path.

#include <solver/input_error.h>
#include <solver/run_parameters.h>
#include <solver/step_controller.h>

#include <deal.II/base/parameter_handler.h>

#include <catch2/catch.hpp>

#include <sstream>

using namespace mvb;

namespace
{
  RunParameters
  parse(const std::string &text, const bool json = false)
  {
    dealii::ParameterHandler prm;
    RunParameters::declare_parameters(prm);
    ScenarioInput input;
    input.file = json ? "test.json" : "test.prm";
    input.text = text;
    input.json = json;
    RunParameters parameters;
    parameters.parse(prm, input);
    return parameters;
  }
} // namespace

TEST_CASE("the built-in default is the 3D spread cell", "[parameters]")
{
  const RunParameters p = parse("");
  CHECK(p.geometry.dimension == 3);
  CHECK(p.geometry.shape == mesh::CellShape::spread_cell);
  CHECK(p.geometry.cell_semi_axes == std::vector<double>{15, 10, 4});
  CHECK(p.geometry.nucleus_semi_axes == std::vector<double>{5, 4, 2.5});
  CHECK_FALSE(p.geometry.mtoc_position_given);
  CHECK(p.output.directory == "mvbsim-output");
}

TEST_CASE("every entry documents its unit", "[parameters]")
{
  dealii::ParameterHandler prm;
  RunParameters::declare_parameters(prm);
  std::ostringstream out;
  prm.print_parameters(out, dealii::ParameterHandler::PRM);
  std::istringstream in(out.str());
  std::string        line, documentation;
  unsigned int       n_entries = 0;
  while (std::getline(in, line))
    {
      if (line.find_first_not_of(' ') == std::string::npos)
        continue;
      const auto text = line.substr(line.find_first_not_of(' '));
      if (text.rfind("#", 0) == 0)
        documentation += text;
      else if (text.rfind("set ", 0) == 0)
        {
          ++n_entries;
          INFO(text);
          CHECK(documentation.find("Unit:") != std::string::npos);
          documentation.clear();
        }
      else
        documentation.clear();
    }
  CHECK(n_entries > 10);
}

TEST_CASE("JSON and .prm give the same parameters", "[parameters]")
{
  dealii::ParameterHandler prm;
  RunParameters::declare_parameters(prm);
  std::ostringstream json;
  prm.enter_subsection("Output");
  prm.set("Directory", "elsewhere");
  prm.leave_subsection();
  prm.print_parameters(json, dealii::ParameterHandler::JSON);
  const RunParameters p = parse(json.str(), true);
  CHECK(p.output.directory == "elsewhere");
  CHECK(p.geometry.cell_semi_axes == std::vector<double>{15, 10, 4});
}

TEST_CASE("bad values are named with their full path", "[parameters]")
{
  CHECK_THROWS_WITH(parse("subsection Geometry\n set Global refinements = "
                          "two\nend\n"),
                    Catch::Contains("Geometry/Global refinements = two") &&
                      Catch::Contains("line 2"));
  CHECK_THROWS_WITH(parse("subsection Geometry\n subsection Spread cell\n"
                          "  set Cell semi-axes = 15, -10, 4\n end\nend\n"),
                    Catch::Contains("Geometry/Spread cell/Cell semi-axes"));
  CHECK_THROWS_WITH(parse("subsection Geometry\n set Colour = red\nend\n"),
                    Catch::Contains("Colour"));
  CHECK_THROWS_WITH(parse("subsection Geometry\n set Shape = cube\nend\n"),
                    Catch::Contains("Geometry/Shape = cube"));
  CHECK_THROWS_WITH(parse("subsection Geometry\n subsection MTOC\n"
                          "  set Direction = 0, 0, 0\n end\nend\n"),
                    Catch::Contains("Geometry/MTOC/Direction") &&
                      Catch::Contains("zero vector"));
  CHECK_THROWS_WITH(parse("{ \"Geometry\": ", true),
                    Catch::Contains("test.json"));
  CHECK_THROWS_WITH(
    parse("{ \"Geometry\": { \"Global refinements\": \"two\" } }", true),
    Catch::Contains("test.json: Geometry/Global refinements = two"));
  CHECK_THROWS_WITH(
    parse("{ \"Geometry\": { \"Spread cell\": { \"Colour\": \"red\" } } }",
          true),
    Catch::Contains("test.json: Geometry/Spread cell/Colour: there is no such "
                    "parameter"));
}

TEST_CASE("cholesterol loading multiplies the plasma membrane pool",
          "[parameters]")
{
  const auto cholesterol = [](const RunParameters &p) {
    for (const auto &m : p.species.create_models<3>(0.0))
      if (m.name == "cholesterol")
        return m;
    FAIL("no cholesterol model");
    return physics::SpeciesModel<3>();
  };
  const auto unperturbed = cholesterol(parse(""));
  const auto loaded      = cholesterol(
    parse("subsection Perturbations\n set Plasma membrane cholesterol = 2\n"
               "end\nsubsection Species\n subsection Cholesterol\n"
               "  set Plasma membrane concentration = 1.5\n end\nend\n"));
  const dealii::Point<3> x(1, 2, 0.5);
  CHECK(unperturbed.boundaries[0].exterior_value == 1.0);
  CHECK(loaded.boundaries[0].exterior_value == 3.0);
  CHECK(loaded.boundaries[1].exterior_value == 3.0);
  CHECK(unperturbed.initial_value->value(x) == 1.0);
  CHECK(loaded.initial_value->value(x) == 3.0);
  CHECK_THROWS_WITH(parse("subsection Perturbations\n set Plasma membrane "
                          "cholesterol = -1\nend\n"),
                    Catch::Contains("Perturbations/Plasma membrane "
                                    "cholesterol"));
}

TEST_CASE("adaptive time steps: powers of two of the time step, BDF2 only",
          "[parameters][adaptive]")
{
  const std::string adaptive =
    "subsection Time stepping\n set Step control = Adaptive\n";
  const RunParameters p = parse(adaptive + "end\n");
  CHECK(p.time.adaptive);
  // Defaults: Time step / 16 to Time step * 16, in units of the smallest.
  CHECK(p.time.units_per_step == 16);
  CHECK(p.time.max_units == 256);
  CHECK(p.time.unit() == 0.5 / 16);
  CHECK(p.time.n_units() == 16 * p.time.n_steps);

  const RunParameters q = parse(adaptive + " set Minimum time step = 0.125\n"
                                           " set Maximum time step = 4\nend\n");
  CHECK(q.time.units_per_step == 4);
  CHECK(q.time.max_units == 32);

  CHECK_THROWS_WITH(parse(adaptive + " set Minimum time step = 0.2\nend\n"),
                    Catch::Contains("Time stepping/Minimum time step") &&
                      Catch::Contains("not a power of two"));
  CHECK_THROWS_WITH(parse(adaptive + " set Maximum time step = 3\nend\n"),
                    Catch::Contains("Time stepping/Maximum time step"));
  CHECK_THROWS_WITH(parse(adaptive + " set Scheme = BDF1\nend\n"),
                    Catch::Contains("Time stepping/Step control") &&
                      Catch::Contains("BDF2"));
  CHECK_THROWS_WITH(parse(adaptive + " set Error tolerance = 0\nend\n"),
                    Catch::Contains("Time stepping/Error tolerance"));
  // Fixed steps are one unit each, as always.
  const RunParameters f =
    parse("subsection Time stepping\n set Step control = Fixed\nend\n");
  CHECK_FALSE(f.time.adaptive);
  CHECK(f.time.units_per_step == 1);
  CHECK(f.time.unit() == f.time.time_step);
}

TEST_CASE("Step control Automatic (the default): adaptive steps on large "
          "fields, fixed steps on small ones and with BDF1",
          "[parameters][adaptive]")
{
  const auto threshold = TimeSteppingParameters::automatic_adaptive_min_dofs;
  // Undecided, everything is checked as for adaptive steps.
  RunParameters small = parse("");
  CHECK(small.time.automatic);
  CHECK(small.time.adaptive);
  small.time.choose_step_control(threshold - 1);
  CHECK_FALSE(small.time.automatic);
  CHECK_FALSE(small.time.adaptive);
  CHECK(small.time.units_per_step == 1);
  CHECK(small.time.max_units == 1);
  CHECK(small.time.unit() == small.time.time_step);
  CHECK(small.time.event_units.empty());

  RunParameters large = parse("");
  large.time.choose_step_control(threshold);
  CHECK(large.time.adaptive);
  CHECK(large.time.units_per_step == 16);
  CHECK(large.time.max_units == 256);
  // Decided once.
  large.time.choose_step_control(0);
  CHECK(large.time.adaptive);

  const RunParameters bdf1 =
    parse("subsection Time stepping\n set Scheme = BDF1\nend\n");
  CHECK_FALSE(bdf1.time.automatic);
  CHECK_FALSE(bdf1.time.adaptive);
  CHECK(bdf1.time.units_per_step == 1);
}

TEST_CASE("the step controller: grows by doubling, shrinks by the error, "
          "lands on outputs",
          "[adaptive]")
{
  const StepController c(16, 256, 1e-4);
  CHECK(c.first() == 16);
  // No estimate yet: the step is kept.
  CHECK(c.next(0, 16, -1, 1000) == 16);
  // A small error doubles the step, at most to the largest.
  CHECK(c.next(0, 16, 1e-7, 1000) == 32);
  CHECK(c.next(0, 256, 1e-7, 1000) == 256);
  // An error a little below the tolerance keeps it; one above it shrinks
  // it by powers of two to below 0.9 (tol/error)^(1/3) of the step.
  CHECK(c.next(0, 16, 5e-5, 1000) == 16);
  CHECK(c.next(0, 16, 2e-4, 1000) == 8); // factor 0.71
  CHECK(c.next(0, 16, 1e-2, 1000) == 2); // factor 0.19
  CHECK(c.next(0, 16, 1e3, 1000) == 1);  // never below one unit
  // The next output or the end is never stepped over.
  CHECK(c.next(0, 16, 1e-7, 20) == 16);
  CHECK(c.next(0, 16, 1e-7, 12) == 8);
  CHECK(c.next(0, 16, 1e-7, 1) == 1);
  // A step of 2^k units starts at a multiple of 2^k.
  CHECK(c.next(48, 16, 1e-7, 1000) == 16);
  CHECK(c.next(64, 16, 1e-7, 1000) == 32);
  CHECK(c.next(24, 16, -1, 1000) == 8);
}

TEST_CASE("event times of adaptive steps: in units of the minimum step",
          "[parameters][adaptive]")
{
  const std::string adaptive =
    "subsection Time stepping\n set Step control = Adaptive\n";
  // Start 0, end 600, unit 0.5/16; times outside the run are ignored.
  const RunParameters p =
    parse(adaptive + " set Event times = 300, 60.25, -5, 900\nend\n");
  CHECK(p.time.event_units == std::vector<std::uint64_t>{1928, 9600});
  CHECK_THROWS_WITH(parse(adaptive + " set Event times = 60.01\nend\n"),
                    Catch::Contains("Time stepping/Event times") &&
                      Catch::Contains("not a whole number"));
  CHECK_THROWS_WITH(parse(adaptive + " set Event times = soon\nend\n"),
                    Catch::Contains("Time stepping/Event times") &&
                      Catch::Contains("'soon' is not a finite number"));
}

TEST_CASE("adaptive steps land on the ionophore's start without listing it",
          "[parameters][adaptive]")
{
  const std::string ionophore =
    "subsection Perturbations\n set Calcium ionophore influx = 1.5\n"
    " set Calcium ionophore start = 100.3\nend\n";
  const std::string adaptive =
    "subsection Time stepping\n set Step control = Adaptive\n";
  // 100.3 s is 3209.6 units of 1/32 s: rounded to the unit grid.
  CHECK(parse(ionophore + adaptive + "end\n").time.event_units ==
        std::vector<std::uint64_t>{3210});
  // Listed as well: once.
  CHECK(parse(ionophore + adaptive + " set Event times = 100.3125, 50\nend\n")
          .time.event_units == std::vector<std::uint64_t>{1600, 3210});
  // Without the ionophore, or with fixed steps: no events.
  CHECK(parse(adaptive + "end\n").time.event_units.empty());
  CHECK(parse(ionophore + "subsection Time stepping\n set Step control = "
                          "Fixed\nend\n")
          .time.event_units.empty());
  // Step control Automatic keeps the event until it chooses fixed steps.
  RunParameters automatic = parse(ionophore);
  CHECK(automatic.time.event_units == std::vector<std::uint64_t>{3210});
  automatic.time.choose_step_control(0);
  CHECK(automatic.time.event_units.empty());
}
