#pragma once

#include <string>
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
} // namespace mvb
