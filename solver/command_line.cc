#include <solver/command_line.h>
#include <solver/input_error.h>

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
           "                        directory instead of refusing\n";
  }

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
        else if (arg == "--output" || arg.rfind("--output=", 0) == 0)
          {
            if (arg == "--output")
              {
                if (i + 1 == arguments.size() ||
                    arguments[i + 1].rfind("--", 0) == 0)
                  throw InputError("option --output needs a directory "
                                   "argument (see mvbsim --help)");
                options.output_directory = arguments[++i];
              }
            else
              options.output_directory = arg.substr(9);
            if (options.output_directory.empty())
              throw InputError("option --output needs a non-empty directory "
                               "(see mvbsim --help)");
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
    return options;
  }
} // namespace mvb
