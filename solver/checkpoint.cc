#include <postprocess/run_record.h>
#include <solver/checkpoint.h>
#include <solver/input_error.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace mvb
{
  namespace fs = std::filesystem;

  namespace
  {
    const std::string magic = "MVBSIM-CHECKPOINT\n";
    // 2: model version 2 (MVB state by route, label, fates by kind).
    // 3: written in parallel: a header with a table of parts, then each
    //    rank's part at its offset.
    // 4: the partition record (load balancing) opens the header.
    // 5: the fields' step history (variable steps): elapsed time in steps,
    //    the last two step lengths and u^{n-2}.
    const std::uint32_t version = 5;
    // magic, version, length of the header
    const std::uint64_t head_start =
      magic.size() + sizeof(std::uint32_t) + sizeof(std::uint64_t);

    // FNV-1a: enough to tell a damaged file from an intact one.
    std::uint64_t
    checksum(const char *data, const std::size_t n)
    {
      std::uint64_t hash = 14695981039346656037ull;
      for (std::size_t i = 0; i < n; ++i)
        {
          hash ^= static_cast<unsigned char>(data[i]);
          hash *= 1099511628211ull;
        }
      return hash;
    }

    void
    broadcast_bytes(std::string &bytes, const MPI_Comm communicator)
    {
      std::uint64_t size = bytes.size();
      MPI_Bcast(&size, 1, MPI_UINT64_T, 0, communicator);
      bytes.resize(size);
      for (std::uint64_t done = 0; done < size;)
        {
          const int n = int(std::min<std::uint64_t>(size - done, 1u << 30));
          MPI_Bcast(bytes.data() + done, n, MPI_CHAR, 0, communicator);
          done += n;
        }
    }

    std::vector<fs::path>
    checkpoint_files(const fs::path &folder)
    {
      std::vector<fs::path> files;
      if (fs::is_directory(folder))
        for (const auto &entry : fs::directory_iterator(folder))
          if (entry.path().extension() == ".mvbchk" &&
              entry.path().filename().string().rfind("checkpoint-", 0) == 0)
            files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      return files;
    }

    // pwrite() or pread() of all @p n bytes at @p offset, in pieces of at
    // most 1 GiB; 0 or the errno (EIO if the file ends first).
    template <typename Io, typename Byte>
    int
    transfer_at(const Io            io,
                const int           fd,
                Byte               *data,
                const std::uint64_t n,
                const std::uint64_t offset)
    {
      for (std::uint64_t done = 0; done < n;)
        {
          const ssize_t k = io(fd,
                               data + done,
                               std::min<std::uint64_t>(n - done, 1u << 30),
                               off_t(offset + done));
          if (k < 0 && errno == EINTR)
            continue;
          if (k <= 0)
            return k < 0 ? errno : EIO;
          done += k;
        }
      return 0;
    }

    int
    write_at(const int           fd,
             const char         *data,
             const std::uint64_t n,
             const std::uint64_t offset)
    {
      return transfer_at(::pwrite, fd, data, n, offset);
    }

    bool
    read_at(const int           fd,
            char               *data,
            const std::uint64_t n,
            const std::uint64_t offset)
    {
      return transfer_at(::pread, fd, data, n, offset) == 0;
    }

    // One rank's part in the table of the header.
    struct PartEntry
    {
      std::uint64_t              offset = 0; // from the end of the header
      std::uint64_t              size   = 0;
      std::uint64_t              sum    = 0;
      std::vector<std::uint64_t> coarse_cells;
    };

    // What rank 0 finds at the start of a file: why it cannot be used
    // (empty if it can), its format version, its header and its size.
    struct FileHead
    {
      std::string   why;
      std::uint32_t version = 0;
      std::string   header;
      std::uint64_t file_size = 0;
    };

    FileHead
    read_head(const fs::path &file)
    {
      FileHead  head;
      const int fd = ::open(file.c_str(), O_RDONLY);
      if (fd < 0)
        {
          head.why = "cannot be read";
          return head;
        }
      struct stat status;
      if (::fstat(fd, &status) == 0)
        head.file_size = status.st_size;
      std::string   start(head_start, '\0');
      std::uint64_t length = 0, stored = 0;
      if (!read_at(fd, start.data(), start.size(), 0) ||
          start.compare(0, magic.size(), magic) != 0)
        head.why = "is not an mvbsim checkpoint";
      else
        {
          std::memcpy(&head.version, start.data() + magic.size(), 4);
          std::memcpy(&length, start.data() + magic.size() + 4, 8);
          // Another version is refused by the caller, with its number.
          if (head.version == version)
            {
              if (length + head_start + 8 > head.file_size)
                head.why = "is damaged (it ends too early)";
              else
                {
                  head.header.resize(length);
                  if (!read_at(fd, head.header.data(), length, head_start) ||
                      !read_at(fd,
                               reinterpret_cast<char *>(&stored),
                               8,
                               head_start + length))
                    head.why = "cannot be read";
                  else if (stored != checksum(head.header.data(), length))
                    head.why = "is damaged (its checksum does not match)";
                }
            }
        }
      ::close(fd);
      if (!head.why.empty())
        head.header.clear();
      return head;
    }

    bool
    share_a_cell(const std::vector<std::uint64_t> &a,
                 const std::vector<std::uint64_t> &b)
    {
      for (auto i = a.begin(), j = b.begin(); i != a.end() && j != b.end();)
        if (*i < *j)
          ++i;
        else if (*j < *i)
          ++j;
        else
          return true;
      return false;
    }

    // "Path/To/Entry" -> value of a .prm as ParameterHandler prints it.
    std::map<std::string, std::string>
    parameter_entries(const std::string &text)
    {
      std::map<std::string, std::string> entries;
      std::vector<std::string>           path;
      std::istringstream                 in(text);
      std::string                        line;
      while (std::getline(in, line))
        {
          // ParameterHandler adds "# default: ..." after changed values.
          line = dealii::Utilities::trim(line.substr(0, line.find('#')));
          if (line.empty())
            continue;
          if (line.rfind("subsection ", 0) == 0)
            path.push_back(dealii::Utilities::trim(line.substr(11)));
          else if (line == "end" && !path.empty())
            path.pop_back();
          else if (line.rfind("set ", 0) == 0)
            {
              const auto  equals = line.find('=');
              std::string name, prefix;
              for (const auto &p : path)
                prefix += p + "/";
              name = dealii::Utilities::trim(line.substr(4, equals - 4));
              entries[prefix + name] =
                equals == std::string::npos
                  ? ""
                  : dealii::Utilities::trim(line.substr(equals + 1));
            }
        }
      return entries;
    }

    bool
    may_change_on_restart(const std::string &entry)
    {
      return entry == "Time stepping/End time" ||
             entry.rfind("Checkpointing/", 0) == 0 ||
             entry.rfind("Load balancing/", 0) == 0 ||
             entry == "Output/Progress interval" || entry == "Output/Directory";
    }
  } // namespace

  void
  CheckpointWriter::put(const std::string &text)
  {
    put(std::uint64_t(text.size()));
    bytes.append(text);
  }

  void
  CheckpointWriter::put(const std::vector<std::string> &texts)
  {
    put(std::uint64_t(texts.size()));
    for (const auto &t : texts)
      put(t);
  }

  CheckpointReader::CheckpointReader(std::string bytes, std::string source)
      : bytes(std::move(bytes))
      , source(std::move(source))
  {
  }

  const char *
  CheckpointReader::take(const std::size_t n)
  {
    if (n > bytes.size() - position)
      corrupt("it ends too early");
    const char *p = bytes.data() + position;
    position += n;
    return p;
  }

  std::string
  CheckpointReader::get_string()
  {
    const auto n = get<std::uint64_t>();
    return std::string(take(n), n);
  }

  std::vector<std::string>
  CheckpointReader::get_strings()
  {
    std::vector<std::string> texts(get<std::uint64_t>());
    for (auto &t : texts)
      t = get_string();
    return texts;
  }

  void
  CheckpointReader::corrupt(const std::string &what) const
  {
    throw InputError("--restart",
                     source,
                     "the checkpoint cannot be used: " + what,
                     "restart from an intact checkpoint of the same run");
  }

  void
  CheckpointWriter::put_bytes(const std::string &bytes)
  {
    this->bytes.append(bytes);
  }

  std::string
  write_checkpoint(const std::string                &run_directory,
                   const std::uint64_t               step,
                   const unsigned int                dimension,
                   const std::string                &parameters,
                   const CheckpointWriter           &header,
                   const CheckpointWriter           &local,
                   const std::vector<std::uint64_t> &coarse_cells,
                   const unsigned int                keep,
                   const MPI_Comm                    communicator)
  {
    const unsigned int rank =
      dealii::Utilities::MPI::this_mpi_process(communicator);
    const std::string &part = local.data();
    // Only sizes, checksums and coarse cells travel, never a part's bytes.
    const auto sizes = dealii::Utilities::MPI::all_gather(
      communicator,
      std::make_pair(std::uint64_t(part.size()),
                     checksum(part.data(), part.size())));
    const auto coarse =
      dealii::Utilities::MPI::gather(communicator, coarse_cells, 0);

    std::string head;
    if (rank == 0)
      {
        CheckpointWriter table;
        table.put(std::uint32_t(dimension));
        table.put(std::uint32_t(sizes.size()));
        table.put(parameters);
        table.put(std::uint64_t(step));
        table.put(header.data());
        std::uint64_t offset = 0;
        for (unsigned int r = 0; r < sizes.size(); ++r)
          {
            table.put(offset);
            table.put(sizes[r].first);
            table.put(sizes[r].second);
            table.put(coarse[r]);
            offset += sizes[r].first;
          }
        const std::uint64_t length = table.data().size();
        const std::uint64_t sum    = checksum(table.data().data(), length);
        head                       = magic;
        head.append(reinterpret_cast<const char *>(&version), sizeof(version));
        head.append(reinterpret_cast<const char *>(&length), sizeof(length));
        head.append(table.data());
        head.append(reinterpret_cast<const char *>(&sum), sizeof(sum));
      }
    std::uint64_t offset =
      dealii::Utilities::MPI::broadcast(communicator,
                                        std::uint64_t(head.size()),
                                        0);
    for (unsigned int r = 0; r < rank; ++r)
      offset += sizes[r].first;

    std::ostringstream name;
    name << "checkpoint-" << std::setw(9) << std::setfill('0') << step
         << ".mvbchk";
    const fs::path    folder    = fs::path(run_directory) / "checkpoints";
    const fs::path    file      = folder / name.str();
    const std::string temporary = file.string() + ".tmp";
    try
      {
        run_collectively(communicator, true, [&]() {
          fs::create_directories(folder);
          const int fd =
            ::open(temporary.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
          if (fd < 0 || ::close(fd) != 0)
            throw postprocess::write_failure(file.string(), errno);
        });
        run_collectively(communicator, false, [&]() {
          const int fd    = ::open(temporary.c_str(), O_WRONLY);
          int       error = fd < 0 ? errno : 0;
          if (error == 0 && rank == 0)
            error = write_at(fd, head.data(), head.size(), 0);
          if (error == 0)
            error = write_at(fd, part.data(), part.size(), offset);
          // On the disk before the rename: after a crash the name holds a
          // whole checkpoint or none.
          if (error == 0 && ::fsync(fd) != 0)
            error = errno;
          if (fd >= 0 && ::close(fd) != 0 && error == 0)
            error = errno;
          if (error != 0)
            throw postprocess::write_failure(file.string(), error);
        });
        run_collectively(communicator, true, [&]() {
          fs::rename(temporary, file);
          const auto files = checkpoint_files(folder);
          for (std::size_t i = 0; i + keep < files.size(); ++i)
            fs::remove(files[i]);
        });
      }
    catch (...)
      {
        if (rank == 0)
          ::unlink(temporary.c_str());
        throw;
      }
    return file.string();
  }

  CheckpointData
  read_latest_checkpoint(const std::string                &run_directory,
                         std::ostream                     &warnings,
                         const std::vector<std::uint64_t> &coarse_cells,
                         const MPI_Comm                    communicator)
  {
    const unsigned int rank =
      dealii::Utilities::MPI::this_mpi_process(communicator);
    const unsigned int n_ranks =
      dealii::Utilities::MPI::n_mpi_processes(communicator);
    const std::string        fix = "checkpoints are written when "
                                   "Checkpointing/Steps between checkpoints or Wall "
                                   "time between checkpoints is set; start the run "
                                   "again";
    std::string              error;
    std::vector<std::string> candidates; // newest first
    if (rank == 0)
      try
        {
          const fs::path dir(run_directory);
          if (!fs::is_directory(dir))
            error = InputError("--restart",
                               run_directory,
                               "is not a directory",
                               "give the output directory of the run to "
                               "continue")
                      .what();
          else if (!fs::exists(dir / ".mvbsim-run"))
            error = InputError("--restart",
                               run_directory,
                               "holds no mvbsim run",
                               "give the output directory of the run to "
                               "continue")
                      .what();
          else
            {
              const auto files = checkpoint_files(dir / "checkpoints");
              for (auto f = files.rbegin(); f != files.rend(); ++f)
                candidates.push_back(f->string());
              if (candidates.empty())
                error = InputError("--restart",
                                   run_directory,
                                   "holds no checkpoint (folder "
                                   "'checkpoints' is missing or empty)",
                                   fix)
                          .what();
            }
        }
      catch (const std::exception &e)
        {
          error = InputError("--restart",
                             run_directory,
                             std::string("cannot be read (") + e.what() + ")",
                             "check the folder and its permissions")
                    .what();
        }
    error = dealii::Utilities::MPI::broadcast(communicator, error, 0);
    if (!error.empty())
      throw InputError(error);
    candidates = dealii::Utilities::MPI::broadcast(communicator, candidates, 0);

    for (const std::string &file : candidates)
      {
        FileHead head;
        if (rank == 0)
          head = read_head(file);
        std::string why =
          dealii::Utilities::MPI::broadcast(communicator, head.why, 0);
        const auto [file_version, file_size] =
          dealii::Utilities::MPI::broadcast(communicator,
                                            std::make_pair(head.version,
                                                           head.file_size),
                                            0);
        if (why.empty() && file_version != version)
          CheckpointReader("", file).corrupt(
            "it has format version " + std::to_string(file_version) +
            ", this mvbsim reads version " + std::to_string(version));
        if (why.empty())
          {
            broadcast_bytes(head.header, communicator);
            const std::uint64_t data_start =
              head_start + head.header.size() + 8;
            CheckpointReader in(std::move(head.header), file);
            CheckpointData   data;
            data.file       = file;
            data.dimension  = in.get<std::uint32_t>();
            data.n_parts    = in.get<std::uint32_t>();
            data.parameters = in.get_string();
            in.get<std::uint64_t>(); // the step, also in the file name
            data.header = CheckpointReader(in.get_string(), file);
            std::vector<PartEntry> parts(data.n_parts);
            std::uint64_t          end = 0;
            for (auto &p : parts)
              {
                p.offset       = in.get<std::uint64_t>();
                p.size         = in.get<std::uint64_t>();
                p.sum          = in.get<std::uint64_t>();
                p.coarse_cells = in.get_vector<std::uint64_t>();
                if (p.offset != end)
                  in.corrupt("its parts do not add up");
                end += p.size;
              }
            if (!in.at_end())
              in.corrupt("its parts do not add up");
            if (data_start + end != file_size)
              why = data_start + end > file_size
                      ? "is damaged (it ends too early)"
                      : "is damaged (it is longer than its parts)";

            // Every part is read and checked by some rank.
            const int fd = why.empty() ? ::open(file.c_str(), O_RDONLY) : -1;
            for (unsigned int r = 0; why.empty() && r < parts.size(); ++r)
              if (r % n_ranks == rank ||
                  share_a_cell(parts[r].coarse_cells, coarse_cells))
                {
                  std::string bytes(parts[r].size, '\0');
                  if (fd < 0 || !read_at(fd,
                                         bytes.data(),
                                         bytes.size(),
                                         data_start + parts[r].offset))
                    why = "cannot be read";
                  else if (checksum(bytes.data(), bytes.size()) != parts[r].sum)
                    why = "is damaged (the part of rank " + std::to_string(r) +
                          " does not match its checksum)";
                  data.blocks.emplace_back(std::move(bytes), file);
                  data.block_ranks.push_back(r);
                }
            if (fd >= 0)
              ::close(fd);
            // What the lowest rank found, on all.
            for (const auto &w :
                 dealii::Utilities::MPI::all_gather(communicator, why))
              if (!w.empty())
                {
                  why = w;
                  break;
                }
            if (why.empty())
              return data;
          }
        if (rank == 0)
          warnings << "Warning: checkpoint " << file << ' ' << why
                   << "; trying the one before." << std::endl;
      }
    throw InputError("--restart",
                     run_directory,
                     "holds no intact checkpoint",
                     fix);
  }

  void
  retire_checkpoints_after(const std::string  &run_directory,
                           const std::uint64_t step,
                           const MPI_Comm      communicator)
  {
    run_collectively(communicator, true, [&]() {
      const fs::path folder = fs::path(run_directory) / "checkpoints";
      for (const auto &file : checkpoint_files(folder))
        {
          // checkpoint-<step>.mvbchk
          const std::string name = file.stem().string();
          if (std::stoull(name.substr(name.find('-') + 1)) > step)
            fs::rename(file, file.string() + ".unused");
        }
      for (const auto &entry : fs::directory_iterator(folder))
        if (entry.path().extension() == ".tmp")
          fs::remove(entry.path());
    });
  }

  void
  check_same_scenario(const CheckpointData           &checkpoint,
                      const dealii::ParameterHandler &prm,
                      const unsigned int              dimension,
                      const std::string              &run_directory)
  {
    const std::string fix =
      "restart with the scenario of that run (without a scenario file, "
      "--restart takes the run's own parameters.prm)";
    if (checkpoint.dimension != dimension)
      throw InputError("--restart",
                       run_directory,
                       "its checkpoint is of a " +
                         std::to_string(checkpoint.dimension) +
                         "D run and this scenario is " +
                         std::to_string(dimension) + "D",
                       fix);
    std::ostringstream current;
    prm.print_parameters(current, dealii::ParameterHandler::PRM);
    const auto there = parameter_entries(checkpoint.parameters);
    const auto here  = parameter_entries(current.str());
    for (const auto &[entry, value] : here)
      {
        if (may_change_on_restart(entry))
          continue;
        const auto it = there.find(entry);
        if (it == there.end())
          throw InputError("--restart",
                           run_directory,
                           "its checkpoint was written by another version "
                           "of mvbsim without the entry '" +
                             entry + "'",
                           fix);
        if (it->second != value)
          throw InputError("--restart",
                           run_directory,
                           "its checkpoint is of another scenario: '" + entry +
                             "' is '" + it->second + "' there and '" + value +
                             "' here",
                           fix);
      }
  }

  void
  CheckpointParameters::declare_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Checkpointing");
    {
      prm.declare_entry(
        "Steps between checkpoints",
        "0",
        dealii::Patterns::Integer(0),
        "Write a checkpoint (checkpoints/checkpoint-<step>.mvbchk in the "
        "output directory) every this many field time steps; 0: never by "
        "step count. The two newest checkpoints are kept; mvbsim --restart "
        "DIR continues from the newest. Unit: steps.");
      prm.declare_entry(
        "Wall time between checkpoints",
        "30",
        dealii::Patterns::Double(0),
        "Write a checkpoint whenever this much wall-clock time has passed "
        "since the start or the last checkpoint; 0: never by wall time. "
        "Unit: min.");
    }
    prm.leave_subsection();
  }

  void
  CheckpointParameters::parse_parameters(dealii::ParameterHandler &prm)
  {
    prm.enter_subsection("Checkpointing");
    steps_between = prm.get_integer("Steps between checkpoints");
    wall_minutes  = prm.get_double("Wall time between checkpoints");
    prm.leave_subsection();
  }
} // namespace mvb
