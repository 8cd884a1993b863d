#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace mvb
{
  /**
   * A problem with what the user gave mvbsim: a parameter, an input file, a
   * mesh, a command-line option. The message is one line that names the
   * parameter (by its full path), the bad value, what is wrong and the fix.
   * The entry point prints it and exits non-zero before any output is written.
   */
  class InputError : public std::runtime_error
  {
  public:
    explicit InputError(const std::string &message)
        : std::runtime_error(message)
    {
    }

    /**
     * "Path/To/Entry = value: problem; fix".
     */
    InputError(const std::string &parameter_path,
               const std::string &value,
               const std::string &problem,
               const std::string &fix)
        : std::runtime_error(parameter_path + " = " + value + ": " + problem +
                             "; " + fix)
    {
    }
  };

  /** A number as a user would write it in a message: 8, 0.25, 1e-06. */
  inline std::string
  to_text(const double value)
  {
    std::ostringstream out;
    out << value;
    return out.str();
  }
} // namespace mvb
