#include <postprocess/run_record.h>
#include <solver/checkpoint.h>
#include <solver/input_error.h>

#include <algorithm>
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
    const std::uint32_t version = 2;

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

    // Plain MPI for the bytes: deal.II's broadcast and gather would pack
    // (and compress) them through boost.
    std::vector<std::string>
    gather_bytes(const std::string &local, const MPI_Comm communicator)
    {
      const int root = 0;
      const int rank = dealii::Utilities::MPI::this_mpi_process(communicator);
      const int n_ranks = dealii::Utilities::MPI::n_mpi_processes(communicator);
      const std::uint64_t size = local.size();
      // Every rank knows every size, so that all refuse together.
      const std::vector<std::uint64_t> sizes =
        dealii::Utilities::MPI::all_gather(communicator, size);
      std::vector<int> counts, offsets;
      std::uint64_t    total = 0;
      for (const auto s : sizes)
        {
          counts.push_back(int(s));
          offsets.push_back(int(total));
          total += s;
        }
      if (total >= (std::uint64_t(1) << 31))
        throw std::runtime_error(
          "the checkpoint would hold " + std::to_string(total >> 20) +
          " MB, more than the 2 GB one file gathered on rank 0 can; "
          "checkpointing a mesh this large is not supported yet");
      std::string all;
      if (rank == root)
        all.resize(total);
      MPI_Gatherv(local.data(),
                  int(size),
                  MPI_CHAR,
                  all.data(),
                  counts.data(),
                  offsets.data(),
                  MPI_CHAR,
                  root,
                  communicator);
      std::vector<std::string> parts;
      for (int r = 0; rank == root && r < n_ranks; ++r)
        parts.push_back(all.substr(offsets[r], counts[r]));
      return parts;
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

    // Reads and checks one file; returns an empty string and sets @p why
    // if it is not an intact checkpoint.
    std::string
    read_intact(const fs::path &file, std::string &why)
    {
      std::ifstream in(file, std::ios::binary);
      std::string   bytes((std::istreambuf_iterator<char>(in)),
                        std::istreambuf_iterator<char>());
      if (!in.eof() && !in)
        why = "cannot be read";
      else if (bytes.size() < magic.size() + 8 ||
               bytes.compare(0, magic.size(), magic) != 0)
        why = "is not an mvbsim checkpoint";
      else
        {
          std::uint64_t stored;
          std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
          if (stored != checksum(bytes.data(), bytes.size() - 8))
            why = "is damaged (its checksum does not match)";
        }
      if (!why.empty())
        return "";
      return bytes;
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

  std::string
  write_checkpoint(const std::string      &run_directory,
                   const std::uint64_t     step,
                   const unsigned int      dimension,
                   const std::string      &parameters,
                   const CheckpointWriter &header,
                   const CheckpointWriter &local,
                   const unsigned int      keep,
                   const MPI_Comm          communicator)
  {
    const std::vector<std::string> parts =
      gather_bytes(local.data(), communicator);
    std::ostringstream name;
    name << "checkpoint-" << std::setw(9) << std::setfill('0') << step
         << ".mvbchk";
    const fs::path folder = fs::path(run_directory) / "checkpoints";
    const fs::path file   = folder / name.str();
    run_collectively(communicator, true, [&]() {
      CheckpointWriter out;
      out.put(std::uint32_t(dimension));
      out.put(std::uint32_t(parts.size()));
      out.put(parameters);
      out.put(std::uint64_t(step));
      out.put(header.data());
      out.put(parts);
      std::string bytes = magic;
      bytes.append(reinterpret_cast<const char *>(&version), sizeof(version));
      bytes.append(out.data());
      const std::uint64_t sum = checksum(bytes.data(), bytes.size());
      bytes.append(reinterpret_cast<const char *>(&sum), sizeof(sum));

      fs::create_directories(folder);
      postprocess::write_file_atomically(file.string(), bytes);
      const auto files = checkpoint_files(folder);
      for (std::size_t i = 0; i + keep < files.size(); ++i)
        fs::remove(files[i]);
    });
    return file.string();
  }

  CheckpointData
  read_latest_checkpoint(const std::string &run_directory,
                         std::ostream      &warnings,
                         const MPI_Comm     communicator)
  {
    std::string error, bytes, chosen;
    if (dealii::Utilities::MPI::this_mpi_process(communicator) == 0)
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
              auto files = checkpoint_files(dir / "checkpoints");
              for (auto f = files.rbegin(); f != files.rend() && chosen.empty();
                   ++f)
                {
                  std::string why;
                  bytes = read_intact(*f, why);
                  if (why.empty())
                    chosen = f->string();
                  else
                    warnings << "Warning: checkpoint " << f->string() << ' '
                             << why << "; trying the one before." << std::endl;
                }
              if (chosen.empty())
                error = InputError("--restart",
                                   run_directory,
                                   files.empty()
                                     ? "holds no checkpoint (folder "
                                       "'checkpoints' is missing or empty)"
                                     : "holds no intact checkpoint",
                                   "checkpoints are written when "
                                   "Checkpointing/Steps between checkpoints "
                                   "or Wall time between checkpoints is set; "
                                   "start the run again")
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
    chosen = dealii::Utilities::MPI::broadcast(communicator, chosen, 0);
    broadcast_bytes(bytes, communicator);

    const std::size_t start = magic.size() + sizeof(version);
    std::uint32_t     file_version;
    std::memcpy(&file_version, bytes.data() + magic.size(), sizeof(version));
    CheckpointReader in(bytes.substr(start, bytes.size() - start - 8), chosen);
    if (file_version != version)
      in.corrupt("it has format version " + std::to_string(file_version) +
                 ", this mvbsim reads version " + std::to_string(version));

    CheckpointData data;
    data.file          = chosen;
    data.dimension     = in.get<std::uint32_t>();
    const auto n_parts = in.get<std::uint32_t>();
    data.parameters    = in.get_string();
    in.get<std::uint64_t>(); // the step, also in the file name
    data.header      = CheckpointReader(in.get_string(), chosen);
    const auto parts = in.get_strings();
    if (parts.size() != n_parts || !in.at_end())
      in.corrupt("its parts do not add up");
    for (const auto &p : parts)
      data.blocks.emplace_back(p, chosen);
    return data;
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
