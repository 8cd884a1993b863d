#pragma once

// What every benchmark program shares: its memory figure, its option values,
// the section times of a TimerOutput, and its entry point (options, --help,
// errors as one line, exit status).

#include <solver/field_solver.h>
#include <solver/input_error.h>

#include <deal.II/base/conditional_ostream.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/timer.h>
#include <deal.II/base/utilities.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace mvb::benchmarks
{
  /** The whole number @p value of @p option, at most @p maximum. */
  inline unsigned int
  parse_count(const std::string  &option,
              const std::string  &value,
              const unsigned long maximum)
  {
    std::size_t   end = 0;
    unsigned long n   = 0;
    try
      {
        n = std::stoul(value, &end);
      }
    catch (const std::exception &)
      {
        end = 0;
      }
    if (end == 0 || end != value.size() || value[0] == '-' || n > maximum)
      throw mvb::InputError(option + " " + value +
                            ": not a whole number from 0 to " +
                            std::to_string(maximum));
    return static_cast<unsigned int>(n);
  }

  /** The number @p value of @p option, within [@p low, @p high]. */
  inline double
  parse_number(const std::string &option,
               const std::string &value,
               const double       low,
               const double       high)
  {
    std::size_t end = 0;
    double      x   = low - 1;
    try
      {
        x = std::stod(value, &end);
      }
    catch (const std::exception &)
      {
        end = 0;
      }
    if (end == 0 || end != value.size() || !std::isfinite(x) || x < low ||
        x > high)
      {
        std::ostringstream range;
        range << low << " to " << high;
        throw mvb::InputError(option + " " + value + ": not a number from " +
                              range.str());
      }
    return x;
  }

  /** The name of @p p in --preconditioner: that of Fields/Preconditioner
   * in lower case. */
  inline std::string
  option_name(const mvb::FieldPreconditioner p)
  {
    std::string lower(mvb::name(p));
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
      return static_cast<char>(std::tolower(c));
    });
    return lower;
  }

  /** The preconditioner named @p value (option_name()) of
   * --preconditioner. */
  inline mvb::FieldPreconditioner
  parse_preconditioner(const std::string &value)
  {
    std::string names;
    for (const auto &[kind, name] : mvb::field_preconditioners)
      {
        if (value == option_name(kind))
          return kind;
        names += (names.empty() ? "" : ", ") + option_name(kind);
      }
    throw mvb::InputError("--preconditioner " + value + ": give one of " +
                          names);
  }

  /** One command-line option of a benchmark: its name, whether a value
   * follows it, and what it sets (a flag's @p set gets ""). */
  struct Option
  {
    std::string                              name;
    bool                                     takes_value;
    std::function<void(const std::string &)> set;
  };

  /**
   * Applies @p args to the @p options of @p program in turn; returns true
   * if --help or -h was among them. An unknown option, or one without its
   * value, is an InputError naming it.
   */
  inline bool
  apply_options(const std::vector<std::string> &args,
                const std::string              &program,
                const std::vector<Option>      &options)
  {
    bool help = false;
    for (std::size_t i = 0; i < args.size(); ++i)
      {
        if (args[i] == "--help" || args[i] == "-h")
          {
            help = true;
            continue;
          }
        const auto option =
          std::find_if(options.begin(), options.end(), [&](const Option &o) {
            return o.name == args[i];
          });
        if (option == options.end())
          throw mvb::InputError("unknown option '" + args[i] + "'; see " +
                                program + " --help");
        if (!option->takes_value)
          {
            option->set("");
            continue;
          }
        if (i + 1 == args.size())
          throw mvb::InputError(args[i] + " needs a value");
        option->set(args[++i]);
      }
    return help;
  }

  /** TimerOutput::get_summary_data() of one kind. */
  using SectionTimes = std::map<std::string, double>;

  /** The figure of section @p name, 0 if it never ran. */
  inline double
  section(const SectionTimes &times, const std::string &name)
  {
    const auto it = times.find(name);
    return it == times.end() ? 0. : it->second;
  }

  /** Peak resident memory of this process so far (VmHWM), in bytes. */
  inline double
  peak_memory()
  {
    dealii::Utilities::System::MemoryStats stats;
    dealii::Utilities::System::get_memory_stats(stats);
    return 1024. * stats.VmHWM;
  }

  /**
   * Calls @p measure with the timers @p make_timers returns (a TimerOutput,
   * or an object holding some), ended before an exception of @p measure
   * goes on: a TimerOutput destroyed while an exception is in flight warns
   * instead of ending normally (as in solver/main.cc).
   */
  template <typename MakeTimers, typename Measure>
  void
  with_timers(const MakeTimers &make_timers, const Measure &measure)
  {
    std::exception_ptr failure;
    {
      auto timers = make_timers();
      try
        {
          measure(timers);
        }
      catch (...)
        {
          failure = std::current_exception();
        }
    }
    if (failure)
      std::rethrow_exception(failure);
  }

  /** with_timers() with one TimerOutput of wall times that prints nothing
   * by itself (the benchmark reads and prints its sections). */
  template <typename Measure>
  void
  with_wall_timer(const MPI_Comm              communicator,
                  dealii::ConditionalOStream &pcout,
                  const Measure              &measure)
  {
    with_timers(
      [&]() {
        return dealii::TimerOutput(communicator,
                                   pcout,
                                   dealii::TimerOutput::never,
                                   dealii::TimerOutput::wall_times);
      },
      measure);
  }

  /**
   * The body of a benchmark's main(): initialises MPI, parses the options
   * with @p parse (an object with a bool member `help`), prints @p usage
   * for --help, calls @p run (options, communicator), and turns an
   * exception into one line on standard error and exit status 1.
   */
  template <typename Parse, typename Usage, typename Run>
  int
  benchmark_main(int                argc,
                 char             **argv,
                 const std::string &name,
                 const Parse       &parse,
                 const Usage       &usage,
                 const Run         &run)
  {
    dealii::Utilities::MPI::MPI_InitFinalize mpi_initialization(argc, argv, 1);
    const bool                               root =
      dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0;
    try
      {
        const auto options =
          parse(std::vector<std::string>(argv + 1, argv + argc));
        if (options.help)
          {
            if (root)
              std::cout << usage();
            return 0;
          }
        run(options, MPI_COMM_WORLD);
        return 0;
      }
    catch (const std::exception &e)
      {
        if (root)
          std::cerr << name << ": " << mvb::one_line(e.what()) << std::endl;
        return 1;
      }
  }
} // namespace mvb::benchmarks
