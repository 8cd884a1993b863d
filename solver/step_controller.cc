#include <solver/step_controller.h>

#include <algorithm>
#include <cmath>

namespace mvb
{
  StepController::StepController(const unsigned int first,
                                 const unsigned int largest,
                                 const double       tolerance)
      : first_(first)
      , largest(largest)
      , tolerance(tolerance)
  {
  }

  unsigned int
  StepController::next(const std::uint64_t position,
                       const unsigned int  last,
                       const double        error,
                       const std::uint64_t to_landing) const
  {
    unsigned int n = last;
    if (error >= 0)
      {
        // The error of a BDF2 step grows as its length cubed; 0.9 keeps
        // the next one clear of the tolerance.
        const double factor =
          error > 0 ? 0.9 * std::cbrt(tolerance / error) : 2.;
        if (error > tolerance)
          while (n > 1 && n > factor * last)
            n /= 2;
        else if (factor >= 2)
          n *= 2;
      }
    n = std::min(n, largest);
    while (n > 1 && (n > to_landing || position % n != 0))
      n /= 2;
    return n;
  }
} // namespace mvb
