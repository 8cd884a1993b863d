// Bad input, exhaustively: every entry that `mvbsim --print-parameters`
// lists is given each malformed value of kinds() (one entry at a time, on
// top of a small valid scenario) and checked the way `mvbsim --validate`
// checks an input: read, parse, build the mesh, the fields and the MVBs.
// Each case must end either in a one-line input error that names the entry,
// or be accepted and listed, with the reason, in the file of legal values.
// Anything else fails the test: an internal error or a run-time error
// instead of an input error, a message that does not name the entry, an
// accepted value that is not listed, or a listed value that is refused (a
// stale list). A crash fails it too.
//
// Usage: input_sweep BASE.prm LEGAL.txt WORK_DIR [--print]
//   --print: print every case and its outcome (to write the list).

#include <postprocess/run_record.h>
#include <solver/command_line.h>
#include <solver/input_error.h>
#include <solver/run_parameters.h>
#include <solver/simulator.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace
{
  namespace fs = std::filesystem;

  // The malformed values, by kind: what a user mistypes.
  const std::vector<std::pair<std::string, std::string>> &
  kinds()
  {
    static const std::vector<std::pair<std::string, std::string>> k = {
      {"empty", ""},
      {"text", "abc"},
      {"list", "1,2,3"},
      {"negative", "-1"},
      {"huge", "1e300"},
      {"nan", "nan"}};
    return k;
  }

  struct Entry
  {
    std::vector<std::string> sections;
    std::string              name;

    std::string
    path() const
    {
      std::string p;
      for (const auto &s : sections)
        p += s + "/";
      return p + name;
    }
  };

  // The entries of the parameter reference, in its order.
  std::vector<Entry>
  entries_of(const std::string &reference)
  {
    std::vector<Entry>       entries;
    std::vector<std::string> sections;
    std::istringstream       in(reference);
    std::string              line;
    while (std::getline(in, line))
      {
        const std::string text = mvb::one_line(line);
        if (text.rfind("subsection ", 0) == 0)
          sections.push_back(text.substr(11));
        else if (text == "end")
          sections.pop_back();
        else if (text.rfind("set ", 0) == 0)
          {
            const auto eq = text.find(" =");
            entries.push_back({sections, text.substr(4, eq - 4)});
          }
      }
    return entries;
  }

  // The legal (entry, kind) pairs: lines "Path/To/Entry | kind kind ... |
  // why"; '#' starts a comment.
  std::map<std::string, std::set<std::string>>
  read_legal(const std::string &file)
  {
    std::map<std::string, std::set<std::string>> legal;
    std::ifstream                                in(file);
    if (!in)
      throw std::runtime_error("cannot read " + file);
    std::string line;
    while (std::getline(in, line))
      {
        if (line.empty() || line[0] == '#')
          continue;
        const auto bar1 = line.find('|'), bar2 = line.find('|', bar1 + 1);
        if (bar1 == std::string::npos || bar2 == std::string::npos ||
            mvb::one_line(line.substr(bar2 + 1)).empty())
          throw std::runtime_error(file + ": '" + line +
                                   "' is not 'entry | kinds | why'");
        const std::string  entry = mvb::one_line(line.substr(0, bar1));
        std::istringstream words(line.substr(bar1 + 1, bar2 - bar1 - 1));
        std::string        kind;
        while (words >> kind)
          legal[entry].insert(kind);
      }
    return legal;
  }

  // The input of one case: the base scenario and then the entry's value.
  std::string
  case_text(const std::string &base, const Entry &e, const std::string &value)
  {
    std::string text = base + "\n";
    for (const auto &s : e.sections)
      text += "subsection " + s + "\n";
    text += "set " + e.name + " = " + value + "\n";
    for (std::size_t i = 0; i < e.sections.size(); ++i)
      text += "end\n";
    return text;
  }

  // What `mvbsim --validate FILE` does, with its exit code and message.
  std::pair<int, std::string>
  check(const std::string &file)
  {
    try
      {
        const mvb::ScenarioInput input =
          mvb::read_scenario_file(file, MPI_COMM_WORLD);
        dealii::ParameterHandler prm;
        mvb::RunParameters::declare_parameters(prm);
        mvb::RunParameters parameters;
        parameters.parse(prm, input);
        mvb::CommandLineOptions options;
        options.validate   = true;
        options.input_file = file;
        mvb::postprocess::RunLog log(/*echo=*/false);
        mvb::run_simulator(parameters,
                           prm,
                           input,
                           options,
                           log,
                           MPI_COMM_WORLD);
      }
    catch (...)
      {
        return mvb::describe_failure(std::current_exception());
      }
    return {0, ""};
  }
} // namespace

int
main(int argc, char **argv)
{
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  if (argc < 4)
    {
      std::cerr << "usage: input_sweep BASE.prm LEGAL.txt WORK_DIR [--print]\n";
      return 2;
    }
  const std::string base_file = argv[1], legal_file = argv[2],
                    work_dir = argv[3];
  const bool print           = argc > 4 && std::string(argv[4]) == "--print";
  fs::create_directories(work_dir);

  std::string base;
  {
    std::ifstream     in(base_file);
    std::stringstream s;
    s << in.rdbuf();
    base = s.str();
  }
  const auto legal = read_legal(legal_file);

  dealii::ParameterHandler prm;
  mvb::RunParameters::declare_parameters(prm);
  std::ostringstream reference;
  mvb::print_parameter_reference(prm, reference);
  const std::vector<Entry> entries = entries_of(reference.str());

  // The base itself must be valid, or every case would fail for it.
  {
    const std::string file = work_dir + "/base.prm";
    std::ofstream(file) << base;
    const auto [code, message] = check(file);
    if (code != 0)
      {
        std::cerr << "the base scenario is not valid: " << message << "\n";
        return 1;
      }
  }

  const auto                          start = std::chrono::steady_clock::now();
  std::map<std::string, unsigned int> counts;
  std::vector<std::string>            failures;
  std::set<std::string>               listed_seen;
  for (const Entry &e : entries)
    for (const auto &[kind, value] : kinds())
      {
        const std::string file = work_dir + "/case.prm";
        std::ofstream(file) << case_text(base, e, value);
        const auto [code, message] = check(file);
        const bool listed =
          legal.count(e.path()) && legal.at(e.path()).count(kind);
        if (listed)
          listed_seen.insert(e.path() + " " + kind);
        const std::string what =
          e.path() + " = '" + value + "' (" + kind + "): ";
        std::string verdict;
        if (code == 0)
          {
            verdict = listed ? "legal (listed)" : "";
            if (!listed)
              failures.push_back(what + "accepted but not listed as legal");
          }
        else if (listed)
          failures.push_back(what + "listed as legal but refused: " + message);
        else if (code != 1)
          failures.push_back(what + "not an input error (exit " +
                             std::to_string(code) + "): " + message);
        else if (message.find('\n') != std::string::npos)
          failures.push_back(what + "error spans lines: " + message);
        else if (message.find(e.path()) == std::string::npos)
          failures.push_back(what +
                             "error does not name the entry: " + message);
        else
          verdict = "error";
        ++counts[verdict.empty() ? "failed"
                 : code == 0     ? "accepted"
                                 : "refused"];
        if (print)
          std::cout << what << (code == 0 ? "accepted" : message) << "\n";
      }
  for (const auto &[entry, ks] : legal)
    for (const auto &kind : ks)
      if (!listed_seen.count(entry + " " + kind))
        failures.push_back(entry + " (" + kind +
                           "): listed as legal, but no such entry or kind");

  const double seconds =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
  std::cout << entries.size() << " entries x " << kinds().size()
            << " malformed values = " << entries.size() * kinds().size()
            << " cases in " << std::fixed << std::setprecision(1) << seconds
            << " s: " << counts["refused"]
            << " refused with a one-line error naming the entry, "
            << counts["accepted"] << " accepted as legal (listed in "
            << fs::path(legal_file).filename().string() << ")\n";
  for (const auto &f : failures)
    std::cout << "FAILED: " << f << "\n";
  return failures.empty() ? 0 : 1;
}
