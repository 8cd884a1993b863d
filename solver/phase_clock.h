#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace mvb
{
  /**
   * Wall time spent in each phase of a loop that switches phases many
   * times per second: one clock read per switch (tens of ns), where a
   * TimerOutput section costs microseconds (it synchronises the ranks and
   * reads the CPU time), more than an MVB step of a few MVBs. The phases
   * are named once, at construction; times are this rank's.
   */
  class PhaseClock
  {
  public:
    explicit PhaseClock(std::vector<std::string> names)
        : phase_names(std::move(names))
        , totals(phase_names.size(), 0.)
    {
    }

    /** Ends the running phase, if any, and starts @p phase. */
    void
    start(const unsigned int phase)
    {
      const auto now = clock::now();
      if (running < totals.size())
        totals[running] += std::chrono::duration<double>(now - since).count();
      running = phase;
      since   = now;
    }

    /** Ends the running phase. */
    void
    stop()
    {
      start(idle);
    }

    const std::vector<std::string> &
    names() const
    {
      return phase_names;
    }

    /** Seconds spent in each phase so far. */
    const std::vector<double> &
    seconds() const
    {
      return totals;
    }

  private:
    using clock                        = std::chrono::steady_clock;
    static constexpr unsigned int idle = ~0U;
    std::vector<std::string>      phase_names;
    std::vector<double>           totals;
    unsigned int                  running = idle;
    clock::time_point             since;
  };
} // namespace mvb
