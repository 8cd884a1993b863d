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

    /** Simulated time between two outputs of the fields and statistics. */
    double output_interval = 30; // s
    bool   write_fields    = true;
    bool   write_mvbs      = true;

    /** Probe points of snapshot.h5 as written; empty: automatic. */
    std::string probe_points;

    /** Wall time between two progress lines. */
    double progress_interval = 5; // s
  };
} // namespace mvb::postprocess
