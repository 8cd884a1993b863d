#include <solver/command_line.h>
#include <solver/input_error.h>

#include <deal.II/base/exceptions.h>

#include <exception>
#include <sstream>

namespace mvb
{
  std::string
  usage()
  {
    return "Usage: mvbsim [options] [scenario.prm | scenario.json]\n"
           "\n"
           "Simulates multivesicular-body trafficking and exosome release in "
           "a\n"
           "cell. Without a scenario file it runs the built-in default.\n"
           "Run in parallel with: mpirun -np N mvbsim [options] [scenario]\n"
           "\n"
           "Options:\n"
           "  -h, --help            print this help and exit\n"
           "  --print-parameters    print every parameter with its default,\n"
           "                        pattern, unit and meaning, and exit\n"
           "  --validate            check the input (mesh included) and exit:\n"
           "                        0 if it is valid, non-zero otherwise\n"
           "  --output DIR          write the run into DIR (overrides\n"
           "                        'Output/Directory')\n"
           "  --overwrite           replace an earlier run in the output\n"
           "                        directory instead of refusing\n"
           "  --restart DIR         continue the run in DIR from its newest\n"
           "                        checkpoint, writing on into DIR; without\n"
           "                        a scenario file it takes DIR's\n"
           "                        parameters.prm (a scenario may change\n"
           "                        only the end time and checkpointing)\n"
           "  --replicates N        run an ensemble: N replicates of the\n"
           "                        scenario with random seeds s, s+1, ...\n"
           "                        (s = 'MVB/Random seed'), each in\n"
           "                        <output>/replicate-NNN; the MPI ranks\n"
           "                        are split into min(N, ranks) groups that\n"
           "                        run their replicates one after another\n";
  }

  namespace
  {
    // "--name DIR" or "--name=DIR"?
    bool
    takes_directory(const std::vector<std::string> &arguments,
                    const std::size_t               i,
                    const std::string              &name)
    {
      return arguments[i] == name || arguments[i].rfind(name + "=", 0) == 0;
    }

    // The directory of "--name DIR" (moving @p i past it) or "--name=DIR".
    std::string
    directory_argument(const std::vector<std::string> &arguments,
                       std::size_t                    &i,
                       const std::string              &name,
                       const std::string              &what)
    {
      std::string directory;
      if (arguments[i] == name)
        {
          if (i + 1 == arguments.size() || arguments[i + 1].rfind("--", 0) == 0)
            throw InputError("option " + name + " needs " + what +
                             " (see mvbsim --help)");
          directory = arguments[++i];
        }
      else
        directory = arguments[i].substr(name.size() + 1);
      if (directory.empty())
        throw InputError("option " + name +
                         " needs a non-empty directory (see mvbsim --help)");
      return directory;
    }
  } // namespace

  CommandLineOptions
  parse_command_line(const std::vector<std::string> &arguments)
  {
    CommandLineOptions options;
    for (std::size_t i = 0; i < arguments.size(); ++i)
      {
        const std::string &arg = arguments[i];
        if (arg == "-h" || arg == "--help")
          options.help = true;
        else if (arg == "--print-parameters")
          options.print_parameters = true;
        else if (arg == "--validate")
          options.validate = true;
        else if (arg == "--overwrite")
          options.overwrite = true;
        else if (takes_directory(arguments, i, "--output"))
          options.output_directory =
            directory_argument(arguments, i, "--output", "a directory");
        else if (takes_directory(arguments, i, "--restart"))
          options.restart_directory =
            directory_argument(arguments,
                               i,
                               "--restart",
                               "the directory of the run to continue");
        else if (takes_directory(arguments, i, "--replicates"))
          {
            const std::string n     = directory_argument(arguments,
                                                     i,
                                                     "--replicates",
                                                     "a number of replicates");
            std::size_t       used  = 0;
            long              value = -1;
            try
              {
                value = std::stol(n, &used);
              }
            catch (const std::exception &)
              {
                used = 0;
              }
            if (used != n.size() || value < 1 || value > 100000)
              throw InputError("--replicates",
                               n,
                               "is not a whole number from 1 to 100000",
                               "give the number of replicates, e.g. "
                               "--replicates 8");
            options.replicates = static_cast<unsigned int>(value);
          }
        else if (arg.rfind("-", 0) == 0 && arg.size() > 1)
          throw InputError("unknown option '" + arg + "' (see mvbsim --help)");
        else if (options.input_file.empty())
          options.input_file = arg;
        else
          throw InputError("more than one scenario file given ('" +
                           options.input_file + "' and '" + arg +
                           "'); mvbsim runs one scenario at a time");
      }
    if (!options.restart_directory.empty() && !options.output_directory.empty())
      throw InputError("options --restart and --output: a restarted run "
                       "continues in its own directory, so drop --output");
    if (!options.restart_directory.empty() && options.replicates > 0)
      throw InputError("options --restart and --replicates: restart the "
                       "replicates of an ensemble one by one, with --restart "
                       "<ensemble>/replicate-NNN");
    if (!options.restart_directory.empty() && options.overwrite)
      throw InputError("options --restart and --overwrite: a restart "
                       "continues a run and never replaces one, so drop "
                       "--overwrite");
    return options;
  }

  std::pair<int, std::string>
  describe_failure(const std::exception_ptr &failure)
  {
    try
      {
        std::rethrow_exception(failure);
      }
    catch (const mvb::InputError &e)
      {
        return {1, std::string("error: ") + e.what()};
      }
    catch (const mvb::SimulationError &e)
      {
        return {3, std::string("error: the run stopped: ") + e.what()};
      }
    catch (const dealii::ExceptionBase &e)
      {
        std::ostringstream info;
        e.print_info(info);
        return {2, "internal error: " + info.str()};
      }
    catch (const std::exception &e)
      {
        return {2, std::string("error: ") + e.what()};
      }
    return {2, "error: unknown"};
  }
} // namespace mvb
