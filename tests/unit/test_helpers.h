#pragma once

#include <mesh/geometry_parameters.h>
#include <solver/run_parameters.h>

#include <deal.II/base/parameter_handler.h>

#include <string>

namespace mvb::testing
{
  /**
   * Geometry parameters as a scenario file would give them: @p prm_text is
   * the body of "subsection Geometry".
   */
  inline mesh::GeometryParameters
  geometry_from(const std::string &geometry_text,
                const std::string &input_directory = "")
  {
    dealii::ParameterHandler prm;
    RunParameters::declare_parameters(prm);
    ScenarioInput input;
    input.file      = "test.prm";
    input.directory = input_directory;
    input.text      = "subsection Geometry\n" + geometry_text + "\nend\n";
    RunParameters parameters;
    parameters.parse(prm, input);
    return parameters.geometry;
  }

  /** Every parameter of a run from the text of a scenario file. */
  inline RunParameters
  parameters_from(const std::string &text)
  {
    dealii::ParameterHandler prm;
    RunParameters::declare_parameters(prm);
    ScenarioInput input;
    input.file = "test.prm";
    input.text = text;
    RunParameters parameters;
    parameters.parse(prm, input);
    return parameters;
  }

  inline std::string
  source_path(const std::string &relative)
  {
    return std::string(MVBSIM_SOURCE_DIR) + "/" + relative;
  }
} // namespace mvb::testing
