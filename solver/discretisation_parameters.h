#pragma once

#include <solver/field_solver.h>

#include <deal.II/base/parameter_handler.h>

#include <cstdint>
#include <vector>

namespace mvb
{
  /**
   * Subsection "Time stepping": the simulated interval and the field time
   * step, fixed or adaptive. The interval must hold a whole number of
   * (first) steps.
   */
  struct TimeSteppingParameters
  {
    static void
    declare_parameters(ParameterHandler &prm);

    void
    parse_parameters(ParameterHandler &prm);

    /** The unit every step is a whole number of: the time step, or the
     * minimum time step when adaptive (FieldSolverSettings::time_step). */
    double
    unit() const
    {
      return time_step / units_per_step;
    }

    /**
     * Adds @p times (s) at which a forcing of the model jumps to the event
     * times of adaptive steps, rounded to the unit; those outside the run
     * are left out.
     */
    void
    add_jumps(const std::vector<double> &times);

    /**
     * Step control Automatic decided for fields of @p dofs_per_species
     * DoFs each: adaptive steps from automatic_adaptive_min_dofs on, fixed
     * below (then as if Step control were Fixed). Does nothing for Fixed
     * and Adaptive, or once decided.
     */
    void
    choose_step_control(std::uint64_t dofs_per_species);

    /** Automatic chooses adaptive steps from this many DoFs per species
     * on: there the fields are most of a run's cost and adaptive steps make
     * one simulated hour 3-5x faster (tests/benchmarks/README.md); below,
     * at the default resolution, the MVBs are, and the calibrated scenarios
     * and their validation records were made with fixed steps. */
    static constexpr std::uint64_t automatic_adaptive_min_dofs = 20000;

    /** End time - start time in units. */
    std::uint64_t
    n_units() const
    {
      return std::uint64_t(n_steps) * units_per_step;
    }

    double       start_time = 0;   // s
    double       end_time   = 600; // s
    double       time_step  = 0.5; // s; with adaptive steps, the first
    TimeScheme   scheme     = TimeScheme::bdf2;
    unsigned int n_steps    = 240; // of time_step
    bool         adaptive   = false;
    // Step control Automatic, not yet decided (choose_step_control());
    // meanwhile adaptive holds and everything is checked for it.
    bool automatic = false;
    // Adaptive steps: time_step / units_per_step and time_step *
    // max_units / units_per_step are the smallest and the largest (s),
    // both power-of-two multiples of time_step.
    unsigned int units_per_step  = 1;
    unsigned int max_units       = 1;
    double       error_tolerance = 1e-4;
    // Adaptive steps: the times (in units since the start, ascending) at
    // which a forcing jumps; the step ending at each is one unit long.
    std::vector<std::uint64_t> event_units;
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
    FieldPreconditioner preconditioner = FieldPreconditioner::automatic;
  };

  /**
   * A count of steps that must be whole: @p interval / @p step, rounded if
   * within 1e-9 relative; else an InputError naming @p path.
   */
  /**
   * @p larger / @p smaller as a power of two 2^k, k in [0, 20] (within
   * 1e-9 relative); else an InputError naming @p path and its @p value,
   * about @p what.
   */
  unsigned int
  power_of_two_ratio(double             larger,
                     double             smaller,
                     const std::string &path,
                     const std::string &value,
                     const std::string &what);

  unsigned int
  whole_number_of_steps(double             interval,
                        double             step,
                        const std::string &path,
                        const std::string &value,
                        const std::string &what);
} // namespace mvb
