// Parameter parsing: defaults, JSON, and one-line messages that name the
// full parameter path.

#include <solver/input_error.h>
#include <solver/run_parameters.h>

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
