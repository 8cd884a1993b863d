// mvbsim-compare: a run's snapshot.h5 against a reference. Exit 0 if they
// agree within tolerance, 1 if they differ, 2 if a file cannot be read or
// the command line or the tolerance file is wrong.

#include <postprocess/snapshot_compare.h>

#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace
{
  const char *const usage =
    "Usage: mvbsim-compare [--tolerances FILE] [--worst N] [--quiet] "
    "RESULT.h5 REFERENCE.h5\n"
    "\n"
    "Compares every dataset of RESULT.h5 (a run's snapshot.h5) with\n"
    "REFERENCE.h5, value by value: a value passes when\n"
    "|result - reference| <= abs + rel * |reference|. Datasets in a group\n"
    "holding an `id` dataset (the MVB table) are matched row by row by id.\n"
    "\n"
    "  --tolerances FILE  tolerances per dataset, lines\n"
    "                     '<glob pattern> abs <a> rel <r>' (the last matching\n"
    "                     line wins) and 'default abs <a> rel <r>'. Without\n"
    "                     it, tolerances.txt beside REFERENCE.h5 if there is\n"
    "                     one, else abs 1e-12 rel 1e-9 everywhere\n"
    "  --worst N          list the N largest deviations (default 10)\n"
    "  --quiet            print only the verdict line\n"
    "  --help             this text\n"
    "\n"
    "Exit status: 0 the same within tolerance, 1 different (values, missing\n"
    "or extra datasets, shapes, missing or extra MVB ids), 2 a file cannot\n"
    "be read, a bad tolerance file or a bad command line.\n";

  /** A bad command line: exit 2 with the message and a hint. */
  int
  usage_error(const std::string &message)
  {
    std::cerr << "mvbsim-compare: error: " << message
              << "; see mvbsim-compare --help\n";
    return 2;
  }
} // namespace

int
main(int argc, char **argv)
{
  namespace pp = mvb::postprocess;
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  std::vector<std::string>       files;
  std::string                    tolerance_file;
  unsigned int                   n_worst = 10;
  bool                           quiet   = false;
  for (std::size_t i = 0; i < arguments.size(); ++i)
    {
      const std::string &a = arguments[i];
      if (a == "--help" || a == "-h")
        {
          std::cout << usage;
          return 0;
        }
      else if (a == "--quiet")
        quiet = true;
      else if (a == "--tolerances" || a == "--worst")
        {
          if (i + 1 == arguments.size())
            return usage_error(a + " needs a value");
          const std::string &value = arguments[++i];
          if (a == "--tolerances")
            tolerance_file = value;
          else if (value.empty() ||
                   value.find_first_not_of("0123456789") != std::string::npos ||
                   value.size() > 9)
            return usage_error("--worst = " + value +
                               ": is not a whole number");
          else
            n_worst = std::stoul(value);
        }
      else if (a.size() > 1 && a[0] == '-')
        return usage_error("unknown option '" + a + "'");
      else
        files.push_back(a);
    }
  if (files.size() != 2)
    return usage_error("expected two files, RESULT.h5 and REFERENCE.h5, got " +
                       std::to_string(files.size()));

  try
    {
      // A reference directory carries its own tolerances: the file beside
      // the reference applies unless the command line names another.
      const std::filesystem::path beside =
        std::filesystem::path(files[1]).parent_path() / "tolerances.txt";
      if (tolerance_file.empty() && std::filesystem::is_regular_file(beside))
        tolerance_file = beside.string();
      const pp::Tolerances tolerances =
        tolerance_file.empty() ? pp::Tolerances()
                               : pp::Tolerances::read(tolerance_file);
      const pp::CompareResult comparison =
        pp::compare_snapshots(files[0], files[1], tolerances, n_worst);
      if (quiet)
        std::cout << comparison.summary() << '\n';
      else
        {
          std::cout << "result:     " << files[0] << '\n'
                    << "reference:  " << files[1] << '\n'
                    << "tolerances: "
                    << (tolerance_file.empty() ? "built-in defaults"
                                               : tolerance_file)
                    << " (default abs " << tolerances.fallback.abs << " rel "
                    << tolerances.fallback.rel << "; "
                    << tolerances.rules.size() << " pattern line"
                    << (tolerances.rules.size() == 1 ? "" : "s") << ")\n";
          pp::write_report(std::cout, comparison);
        }
      return comparison.same() ? 0 : 1;
    }
  catch (const std::exception &e)
    {
      std::cerr << "mvbsim-compare: error: " << e.what() << '\n';
      return 2;
    }
}
