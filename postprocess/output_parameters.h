#pragma once

#include <deal.II/base/parameter_handler.h>

#include <string>

namespace mvb::postprocess
{
  /**
   * The "Output" subsection.
   */
  struct OutputParameters
  {
    static void
    declare_parameters(dealii::ParameterHandler &prm);

    void
    parse_parameters(dealii::ParameterHandler &prm);

    std::string directory  = "mvbsim-output";
    bool        write_mesh = true;
  };
} // namespace mvb::postprocess
