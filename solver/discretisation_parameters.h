#pragma once

#include <solver/field_solver.h>

#include <deal.II/base/parameter_handler.h>

namespace mvb
{
  /**
   * Subsection "Time stepping": the simulated interval and the field time
   * step. The interval must hold a whole number of steps.
   */
  struct TimeSteppingParameters
  {
    static void
    declare_parameters(ParameterHandler &prm);

    void
    parse_parameters(ParameterHandler &prm);

    double       start_time = 0;   // s
    double       end_time   = 600; // s
    double       time_step  = 0.5; // s
    TimeScheme   scheme     = TimeScheme::bdf2;
    unsigned int n_steps    = 240;
  };

  /**
   * Subsection "Fields": the finite elements and the linear solver.
   */
  struct FieldDiscretisationParameters
  {
    static void
    declare_parameters(ParameterHandler &prm);

    void
    parse_parameters(ParameterHandler &prm);

    unsigned int        fe_degree      = 1;
    double              tolerance      = 1e-10;
    unsigned int        max_iterations = 1000;
    FieldPreconditioner preconditioner = FieldPreconditioner::gamg;
  };

  /**
   * A count of steps that must be whole: @p interval / @p step, rounded if
   * within 1e-9 relative; else an InputError naming @p path.
   */
  unsigned int
  whole_number_of_steps(double             interval,
                        double             step,
                        const std::string &path,
                        const std::string &value,
                        const std::string &what);
} // namespace mvb
