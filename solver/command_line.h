#pragma once

#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace mvb
{
  /**
   * What the user typed after `mvbsim`.
   */
  struct CommandLineOptions
  {
    bool        help             = false;
    bool        print_parameters = false;
    bool        validate         = false;
    bool        overwrite        = false;
    std::string output_directory;  // empty: take 'Output/Directory'
    std::string restart_directory; // empty: a new run
    std::string input_file;        // empty: the built-in default scenario
    // An ensemble: this many replicates with seeds s, s + 1, ... (s the
    // scenario's MVB/Random seed), each in <output>/replicate-NNN. 0: one
    // ordinary run.
    unsigned int replicates = 0;
  };

  /** Throws mvb::InputError for an unknown option or a missing argument. */
  CommandLineOptions
  parse_command_line(const std::vector<std::string> &arguments);

  std::string
  usage();

  /**
   * The exit code and the one-line message (without "mvbsim: ") of a run
   * that failed with @p failure: 1 for bad input (mvb::InputError), 3 for a
   * run that stopped (mvb::SimulationError), 2 for anything else (a bug).
   */
  std::pair<int, std::string>
  describe_failure(const std::exception_ptr &failure);
} // namespace mvb
