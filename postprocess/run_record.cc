#include <postprocess/run_record.h>
#include <solver/input_error.h>

#include <deal.II/base/utilities.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <streambuf>
#include <vector>

namespace mvb::postprocess
{
  namespace fs = std::filesystem;

  namespace
  {
    // Present in every folder mvbsim has written a run into.
    const std::string run_marker = ".mvbsim-run";

    // Everything a run writes at the top of its folder: --overwrite removes
    // these and leaves anything else (a user's notes, a mesh) alone. A new
    // kind of output adds its name here.
    const std::vector<std::string> run_entries = {run_marker,
                                                  "log.txt",
                                                  "input.prm",
                                                  "input.json",
                                                  "parameters.prm",
                                                  "parameters.json",
                                                  "mesh",
                                                  "mesh.tmp",
                                                  "fields",
                                                  "solution.xdmf",
                                                  "statistics.csv",
                                                  "statistics.csv.tmp",
                                                  "snapshot.h5",
                                                  "snapshot.h5.tmp",
                                                  "checkpoints",
                                                  "mvbs",
                                                  "fusions.h5",
                                                  "fusions.h5.tmp",
                                                  "degradations.h5",
                                                  "degradations.h5.tmp",
                                                  "tracks.h5",
                                                  "tracks.h5.tmp",
                                                  "tracks.xdmf",
                                                  "tracks.txt",
                                                  "tracks.txt.tmp"};

    // Creates the marker only if it does not exist, so two runs started at
    // once cannot both claim the folder.
    bool
    claim(const fs::path &directory)
    {
      const std::string path = (directory / run_marker).string();
      const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
      if (fd < 0)
        {
          if (errno == EEXIST)
            return false;
          throw std::runtime_error(std::strerror(errno));
        }
      const std::string text = "mvbsim output directory\n";
      const bool        ok   = ::write(fd, text.data(), text.size()) ==
                      static_cast<ssize_t>(text.size());
      ::close(fd);
      if (!ok)
        throw std::runtime_error("cannot write " + path);
      return true;
    }
  } // namespace

  void
  prepare_output_directory(const std::string &directory,
                           const std::string &parameter_name,
                           const bool         overwrite,
                           const MPI_Comm     communicator)
  {
    std::string error;
    if (dealii::Utilities::MPI::this_mpi_process(communicator) == 0)
      {
        const fs::path  path(directory);
        std::error_code ec;
        try
          {
            if (fs::exists(path) && !fs::is_directory(path))
              error = InputError(parameter_name,
                                 directory,
                                 "exists and is not a directory",
                                 "choose another output directory")
                        .what();
            else if (fs::exists(path) && !fs::is_empty(path))
              {
                if (!fs::exists(path / run_marker))
                  error = InputError(parameter_name,
                                     directory,
                                     "is not empty and holds no mvbsim run, "
                                     "so mvbsim will not write into it",
                                     "choose a new or empty directory")
                            .what();
                else if (!overwrite)
                  error = InputError(parameter_name,
                                     directory,
                                     "holds an earlier run, which mvbsim "
                                     "does not overwrite",
                                     "pass --overwrite to replace it, or "
                                     "choose another directory with --output")
                            .what();
                else
                  for (const auto &entry : run_entries)
                    fs::remove_all(path / entry);
              }
            if (error.empty())
              {
                fs::create_directories(path);
                if (!claim(path))
                  error = InputError(parameter_name,
                                     directory,
                                     "holds an earlier run (another run "
                                     "claimed it at the same time)",
                                     "give each run its own directory")
                            .what();
              }
          }
        catch (const std::exception &e)
          {
            error =
              InputError(parameter_name,
                         directory,
                         std::string("cannot be prepared (") + e.what() + ")",
                         "check that the path is writable")
                .what();
          }
      }
    error = dealii::Utilities::MPI::broadcast(communicator, error, 0);
    if (!error.empty())
      throw InputError(error);
  }

  void
  write_file_atomically(const std::string &path, const std::string &content)
  {
    const std::string temporary = path + ".tmp";
    const int         fd =
      ::open(temporary.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    int error = fd < 0 ? errno : 0;
    for (std::size_t done = 0; error == 0 && done < content.size();)
      {
        const ssize_t n =
          ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno != EINTR)
          error = errno;
        else if (n > 0)
          done += n;
      }
    // On the disk before the rename: after a crash the name holds either
    // the old content or the new, never a part.
    if (error == 0 && ::fsync(fd) != 0)
      error = errno;
    if (fd >= 0 && ::close(fd) != 0 && error == 0)
      error = errno;
    if (error == 0 && std::rename(temporary.c_str(), path.c_str()) != 0)
      error = errno;
    if (error != 0)
      {
        ::unlink(temporary.c_str());
        throw write_failure(path, error);
      }
  }

  std::runtime_error
  write_failure(const std::string &path, const int error)
  {
    return std::runtime_error(
      "cannot write '" + path + "': " + std::strerror(error) +
      (error == ENOSPC || error == EFBIG || error == EDQUOT
         ? " (the disk is full)"
         : ""));
  }

  void
  write_run_record(const std::string              &directory,
                   const std::string              &input_file,
                   const std::string              &input_text,
                   const bool                      input_is_json,
                   const dealii::ParameterHandler &prm)
  {
    const fs::path dir(directory);
    write_file_atomically(
      (dir / (input_is_json ? "input.json" : "input.prm")).string(),
      input_file.empty()
        ? "# The built-in default scenario: no input file was given.\n"
        : input_text);

    write_resolved_parameters(directory, prm);
  }

  void
  write_resolved_parameters(const std::string              &directory,
                            const dealii::ParameterHandler &prm)
  {
    const fs::path     dir(directory);
    std::ostringstream resolved_prm, resolved_json;
    prm.print_parameters(resolved_prm, dealii::ParameterHandler::PRM);
    prm.print_parameters(resolved_json, dealii::ParameterHandler::JSON);
    write_file_atomically((dir / "parameters.prm").string(),
                          resolved_prm.str());
    write_file_atomically((dir / "parameters.json").string(),
                          resolved_json.str());
  }

  // Writes every character to the terminal and to the log (or to a string
  // until the log file is opened).
  class RunLog::TeeBuffer : public std::streambuf
  {
  public:
    explicit TeeBuffer(const bool echo)
        : echo(echo)
    {
    }

    void
    open(const std::string &path, const bool append)
    {
      file.open(path, append ? std::ios::app : std::ios::trunc);
      if (!file)
        throw std::runtime_error("cannot write the run log '" + path + "'");
      file << pending;
      pending.clear();
    }

  protected:
    int
    overflow(const int c) override
    {
      if (c == traits_type::eof())
        return traits_type::not_eof(c);
      if (echo)
        std::cout.put(static_cast<char>(c));
      if (file.is_open())
        file.put(static_cast<char>(c));
      else
        pending.push_back(static_cast<char>(c));
      return c;
    }

    std::streamsize
    xsputn(const char *s, const std::streamsize n) override
    {
      if (echo)
        std::cout.write(s, n);
      if (file.is_open())
        file.write(s, n);
      else
        pending.append(s, n);
      return n;
    }

    int
    sync() override
    {
      std::cout.flush();
      if (file.is_open())
        file.flush();
      return 0;
    }

  private:
    const bool    echo;
    std::ofstream file;
    std::string   pending;
  };

  RunLog::RunLog(const bool echo)
      : buffer(std::make_unique<TeeBuffer>(echo))
      , out(std::make_unique<std::ostream>(buffer.get()))
  {
  }

  RunLog::~RunLog()
  {
    out->flush();
  }

  std::ostream &
  RunLog::stream()
  {
    return *out;
  }

  void
  RunLog::open(const std::string &path, const bool append)
  {
    buffer->open(path, append);
  }
} // namespace mvb::postprocess
