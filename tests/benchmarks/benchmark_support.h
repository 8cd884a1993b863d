#pragma once

// What every benchmark program shares: its memory figure and its entry
// point (options, --help, errors as one line, exit status).

#include <solver/input_error.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/utilities.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace mvb::benchmarks
{
  /** Peak resident memory of this process so far (VmHWM), in bytes. */
  inline double
  peak_memory()
  {
    dealii::Utilities::System::MemoryStats stats;
    dealii::Utilities::System::get_memory_stats(stats);
    return 1024. * stats.VmHWM;
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
