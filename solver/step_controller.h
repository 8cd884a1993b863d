#pragma once

#include <cstdint>

namespace mvb
{
  /**
   * Chooses the length of the next field step, in units of the smallest
   * step (FieldSolver::ticks()), from the local error estimate of the last
   * one. Steps are powers of two of the unit, so that a few system
   * matrices recur (FieldSolver keeps them), and at most double, which
   * keeps variable-step BDF2 zero-stable (ratio < 1 + sqrt 2).
   *
   * Steps are never rejected: the MVBs have already moved through a step
   * when the fields solve it, and their stochastic events cannot be
   * undone. An error above the tolerance shrinks the next step instead,
   * to what BDF2's third-order local error asks for.
   */
  class StepController
  {
  public:
    /** @p first, @p largest: the first and the largest step in units (powers
     * of two); @p tolerance: of the relative local error. */
    StepController(unsigned int first, unsigned int largest, double tolerance);

    /**
     * The next step from @p position (in units since the start) after one
     * of @p last units with relative error @p error (negative: not known,
     * the step is kept), not beyond @p to_landing units, where an output
     * or the end falls. A step of 2^k units starts only at a multiple of
     * 2^k: steps then land on outputs without chains of odd lengths, and
     * few step lengths, so few matrices and preconditioners, recur.
     */
    unsigned int
    next(std::uint64_t position,
         unsigned int  last,
         double        error,
         std::uint64_t to_landing) const;

    unsigned int
    first() const
    {
      return first_;
    }

  private:
    unsigned int first_;
    unsigned int largest;
    double       tolerance;
  };
} // namespace mvb
