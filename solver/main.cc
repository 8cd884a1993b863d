// The mvbsim command line: parse options and the scenario, then run the
// simulator in the scenario's dimension.

#include <solver/command_line.h>
#include <solver/input_error.h>
#include <solver/run_parameters.h>
#include <solver/simulator.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <utility>

namespace
{
  std::string
  replicate_name(const unsigned int r)
  {
    std::ostringstream name;
    name << "replicate-" << std::setw(3) << std::setfill('0') << r;
    return name.str();
  }

  // An ensemble (--replicates N): replicate r runs with the seed s + r into
  // <output>/replicate-NNN. The ranks are split into G = min(N, P) groups
  // and group g runs replicates g, g + G, ... one after another. A cell of
  // a few thousand cells runs best on one rank, so spreading the replicates
  // over the ranks is faster than running each on all of them; a large
  // cell still gets several ranks per replicate when more ranks than
  // replicates are started. Returns the exit code.
  int
  run_ensemble(mvb::RunParameters             parameters,
               dealii::ParameterHandler      &prm,
               const mvb::ScenarioInput      &input,
               const mvb::CommandLineOptions &options)
  {
    namespace fs = std::filesystem;
    using dealii::Utilities::MPI::this_mpi_process;
    const unsigned int n_ranks =
      dealii::Utilities::MPI::n_mpi_processes(MPI_COMM_WORLD);
    const unsigned int  rank       = this_mpi_process(MPI_COMM_WORLD);
    const unsigned int  n          = options.replicates;
    const unsigned int  n_groups   = std::min(n, n_ranks);
    const unsigned int  group      = rank % n_groups;
    const std::uint64_t first_seed = parameters.mvbs.seed;
    const fs::path      directory(options.output_directory.empty()
                               ? parameters.output.directory
                               : options.output_directory);

    // Refuse before anything runs, so that no replicate is half replaced.
    std::string error;
    if (rank == 0)
      {
        for (unsigned int r = 0; r < n && error.empty(); ++r)
          if (!options.overwrite &&
              fs::exists(directory / replicate_name(r) / ".mvbsim-run"))
            error = "output directory '" +
                    (directory / replicate_name(r)).string() +
                    "' already holds a run; give another --output or add "
                    "--overwrite";
        if (error.empty())
          try
            {
              fs::create_directories(directory);
              std::ostringstream record;
              record << "# An mvbsim ensemble: replicate r ran with random "
                        "seed first_seed + r.\n"
                     << "scenario "
                     << (input.file.empty() ? "default" : input.file)
                     << "\nreplicates " << n << "\nfirst_seed " << first_seed
                     << "\nrank_groups " << n_groups << "\n";
              mvb::postprocess::write_file_atomically(
                (directory / "ensemble.txt").string(),
                record.str());
            }
          catch (const std::exception &e)
            {
              error = e.what();
            }
      }
    error = dealii::Utilities::MPI::broadcast(MPI_COMM_WORLD, error, 0);
    if (!error.empty())
      throw mvb::InputError(error);

    if (rank == 0)
      std::cout << "mvbsim: ensemble of " << n << " replicates (seeds "
                << first_seed << " to " << first_seed + n - 1 << ") on "
                << n_groups << " group(s) of ranks, into " << directory.string()
                << "/replicate-NNN" << std::endl;

    MPI_Comm group_communicator;
    MPI_Comm_split(MPI_COMM_WORLD,
                   static_cast<int>(group),
                   static_cast<int>(rank),
                   &group_communicator);
    const bool group_root = this_mpi_process(group_communicator) == 0;

    int exit_code = 0;
    for (unsigned int r = group; r < n && exit_code == 0; r += n_groups)
      {
        const std::uint64_t seed = first_seed + r;
        prm.enter_subsection("MVB");
        prm.set("Random seed", std::to_string(seed));
        prm.leave_subsection();
        parameters.mvbs.seed                      = seed;
        mvb::CommandLineOptions replicate_options = options;
        replicate_options.replicates              = 0;
        replicate_options.output_directory =
          (directory / replicate_name(r)).string();

        const auto               start = std::chrono::steady_clock::now();
        mvb::postprocess::RunLog log(/*echo=*/false);
        std::exception_ptr       failure;
        try
          {
            mvb::run_simulator(parameters,
                               prm,
                               input,
                               replicate_options,
                               log,
                               group_communicator);
          }
        catch (...)
          {
            failure = std::current_exception();
          }
        const double seconds = std::chrono::duration<double>(
                                 std::chrono::steady_clock::now() - start)
                                 .count();
        if (failure)
          {
            const auto [code, message] = mvb::describe_failure(failure);
            exit_code                  = code;
            if (group_root)
              std::cerr << "mvbsim: replicate " << r << " (seed " << seed
                        << ") " << message << std::endl;
          }
        else if (group_root)
          std::cout << "mvbsim: replicate " << r + 1 << " of " << n << " (seed "
                    << seed << ") done in " << std::fixed
                    << std::setprecision(1) << seconds
                    << " s: " << replicate_options.output_directory
                    << std::endl;
      }
    MPI_Comm_free(&group_communicator);

    exit_code = dealii::Utilities::MPI::max(exit_code, MPI_COMM_WORLD);
    if (rank == 0 && exit_code == 0)
      std::cout << "mvbsim: ensemble done: " << n << " replicates in "
                << directory.string() << std::endl;
    return exit_code;
  }
} // namespace

int
main(int argc, char **argv)
{
  using namespace dealii;
  Utilities::MPI::MPI_InitFinalize mpi_initialization(argc, argv, 1);
  // A file that outgrows a size limit (a quota) makes its write fail with
  // EFBIG, which is reported like a full disk, instead of killing the run.
  std::signal(SIGXFSZ, SIG_IGN);
  const bool root = Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) == 0;

  try
    {
      const mvb::CommandLineOptions options = mvb::parse_command_line(
        std::vector<std::string>(argv + 1, argv + argc));
      if (options.help)
        {
          if (root)
            std::cout << mvb::usage();
          return 0;
        }

      ParameterHandler prm;
      mvb::RunParameters::declare_parameters(prm);
      if (options.print_parameters)
        {
          if (root)
            mvb::print_parameter_reference(prm, std::cout);
          return 0;
        }

      if (!options.restart_directory.empty() &&
          !std::filesystem::is_directory(options.restart_directory))
        throw mvb::InputError("--restart",
                              options.restart_directory,
                              "is not a directory",
                              "give the output directory of the run to "
                              "continue");
      if (!options.restart_directory.empty() &&
          !std::filesystem::exists(
            std::filesystem::path(options.restart_directory) / ".mvbsim-run"))
        throw mvb::InputError("--restart",
                              options.restart_directory,
                              "holds no mvbsim run",
                              "give the output directory of the run to "
                              "continue");
      // A restart without a scenario continues with the run's own
      // resolved parameters.
      const std::string scenario =
        options.restart_directory.empty() || !options.input_file.empty()
          ? options.input_file
          : (std::filesystem::path(options.restart_directory) /
             "parameters.prm")
              .string();
      const mvb::ScenarioInput input =
        mvb::read_scenario_file(scenario, MPI_COMM_WORLD);
      mvb::RunParameters parameters;
      parameters.parse(prm, input);

      if (options.replicates > 0 && !options.validate)
        return run_ensemble(parameters, prm, input, options);

      mvb::postprocess::RunLog log;
      mvb::run_simulator(parameters, prm, input, options, log, MPI_COMM_WORLD);
    }
  catch (...)
    {
      const auto [code, message] =
        mvb::describe_failure(std::current_exception());
      if (root)
        std::cerr << "mvbsim: " << message << std::endl;
      return code;
    }
  return 0;
}
