// Catch2 entry point for unit tests that may run on several MPI ranks: MPI
// lives for the whole session, and only rank 0 reports (a failure on any rank
// still makes the process, and so mpirun, exit non-zero).
#define CATCH_CONFIG_RUNNER
#include <deal.II/base/mpi.h>

#include <catch2/catch.hpp>

int
main(int argc, char **argv)
{
  dealii::Utilities::MPI::MPI_InitFinalize mpi(argc, argv, 1);
  Catch::Session                           session;
  if (dealii::Utilities::MPI::this_mpi_process(MPI_COMM_WORLD) != 0)
    session.configData().outputFilename = "/dev/null";
  const int status = session.run(argc, argv);
  return dealii::Utilities::MPI::max(status, MPI_COMM_WORLD);
}
