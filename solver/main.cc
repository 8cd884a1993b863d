// The mvbsim command line: parse options and the scenario, then run the
// simulator in the scenario's dimension.

#include <solver/command_line.h>
#include <solver/input_error.h>
#include <solver/run_parameters.h>
#include <solver/simulator.h>

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <csignal>
#include <exception>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace
{
  template <int dim>
  void
  run_in_dimension(const mvb::RunParameters       &parameters,
                   const dealii::ParameterHandler &prm,
                   const mvb::ScenarioInput       &input,
                   const mvb::CommandLineOptions  &options,
                   mvb::postprocess::RunLog       &log)
  {
    // The simulator is destroyed before an error travels on, so that its
    // TimerOutput ends normally instead of warning about an exception.
    std::exception_ptr failure;
    {
      mvb::Simulator<dim> simulator(parameters,
                                    prm,
                                    input,
                                    options,
                                    log,
                                    MPI_COMM_WORLD);
      try
        {
          if (options.validate)
            simulator.validate();
          else
            simulator.run();
        }
      catch (...)
        {
          failure = std::current_exception();
        }
    }
    if (failure)
      std::rethrow_exception(failure);
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

      mvb::postprocess::RunLog log;
      if (parameters.geometry.dimension == 2)
        run_in_dimension<2>(parameters, prm, input, options, log);
      else
        run_in_dimension<3>(parameters, prm, input, options, log);
    }
  catch (const mvb::InputError &e)
    {
      if (root)
        std::cerr << "mvbsim: error: " << e.what() << std::endl;
      return 1;
    }
  catch (const mvb::SimulationError &e)
    {
      if (root)
        std::cerr << "mvbsim: error: the run stopped: " << e.what()
                  << std::endl;
      return 3;
    }
  catch (const dealii::ExceptionBase &e)
    {
      if (root)
        {
          std::cerr << "mvbsim: internal error: ";
          e.print_info(std::cerr);
          std::cerr << std::endl;
        }
      return 2;
    }
  catch (const std::exception &e)
    {
      if (root)
        std::cerr << "mvbsim: error: " << e.what() << std::endl;
      return 2;
    }
  return 0;
}
