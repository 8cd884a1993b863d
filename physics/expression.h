#pragma once

#include <deal.II/base/function.h>

#include <map>
#include <memory>
#include <string>

namespace mvb::physics
{
  using namespace dealii;

  /**
   * The largest magnitude an expression may take where it is checked: far
   * above any concentration (uM) or flux (uM um/s) of a cell, far below
   * where squares and products overflow.
   */
  constexpr double largest_value = 1e6;

  /**
   * A muparser expression of the time t (a flux that a scenario steps, ramps
   * or pulses), as a Function<dim> that ignores the position. Throws an
   * mvb::InputError that names @p path if the expression does not parse or
   * is not finite at t = @p check_time, is a list of expressions, is larger
   * in magnitude than largest_value there, or (if @p non_negative) is
   * negative there.
   */
  template <int dim>
  std::shared_ptr<Function<dim>>
  time_expression(const std::string                   &expression,
                  const std::string                   &path,
                  const std::map<std::string, double> &constants,
                  double                               check_time,
                  bool                                 non_negative = false);

  /**
   * A muparser expression of the position (x, y and, in 3D, z), for initial
   * values. Same checks as time_expression(), at the origin, but not the
   * sign: the origin may lie in the nucleus, outside the cell (the field
   * solver checks a concentration at every node).
   */
  template <int dim>
  std::shared_ptr<Function<dim>>
  space_expression(const std::string                   &expression,
                   const std::string                   &path,
                   const std::map<std::string, double> &constants);
} // namespace mvb::physics
