#pragma once

#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>

#include <fstream>
#include <memory>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace mvb::postprocess
{
  /**
   * Makes @p directory ready for a new run (collective; the file system is
   * touched on rank 0 only). A missing folder is created; an empty one is
   * used; in one that holds an earlier mvbsim run the files of that run are
   * removed only if @p overwrite (other files stay), else it is refused; a
   * non-empty folder that holds no mvbsim run is always refused, so a typo
   * cannot wipe a user's files. Throws mvb::InputError naming @p parameter_name
   * on every rank.
   */
  void
  prepare_output_directory(const std::string &directory,
                           const std::string &parameter_name,
                           bool               overwrite,
                           MPI_Comm           communicator);

  /**
   * Writes @p content to @p path through a temporary file and a rename, so
   * the file appears complete or not at all. Throws std::runtime_error
   * naming the file if it cannot be written (full disk, no permission).
   */
  void
  write_file_atomically(const std::string &path, const std::string &content);

  /**
   * The error of a write of @p path that failed with errno @p error: it
   * names the file and says so when the disk is full.
   */
  std::runtime_error
  write_failure(const std::string &path, int error);

  /**
   * The run record: the input as given ("input.prm" or "input.json"), the
   * resolved "parameters.prm" and "parameters.json" with every entry. Call on
   * rank 0.
   */
  void
  write_run_record(const std::string              &directory,
                   const std::string              &input_file,
                   const std::string              &input_text,
                   bool                            input_is_json,
                   const dealii::ParameterHandler &prm);

  /**
   * "parameters.prm" and "parameters.json": every entry of @p prm as the
   * run uses it. Call on rank 0.
   */
  void
  write_resolved_parameters(const std::string              &directory,
                            const dealii::ParameterHandler &prm);

  /**
   * The lines a run prints, sent to the terminal and, once the output folder
   * exists, to its "log.txt" too (what was printed before is copied in).
   */
  class RunLog
  {
  public:
    /** @p echo: also print to the console (not for the replicates of an
     * ensemble, which would interleave). */
    explicit RunLog(bool echo = true);
    ~RunLog();

    std::ostream &
    stream();

    /** Starts teeing into @p path (after what it holds if @p append);
     * call on rank 0 only. */
    void
    open(const std::string &path, bool append = false);

  private:
    class TeeBuffer;
    std::unique_ptr<TeeBuffer>    buffer;
    std::unique_ptr<std::ostream> out;
  };
} // namespace mvb::postprocess
