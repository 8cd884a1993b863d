#pragma once

#include <deal.II/base/iterator_range.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/parameter_handler.h>
#include <deal.II/grid/cell_id.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

namespace mvb
{
  /**
   * The bytes of one part of a checkpoint, appended in the order they are
   * read back by CheckpointReader. Numbers are stored as their bytes, so a
   * restart continues with exactly the numbers the run had.
   */
  class CheckpointWriter
  {
  public:
    template <typename T>
    void
    put(const T &value)
    {
      static_assert(std::is_trivially_copyable_v<T>);
      bytes.append(reinterpret_cast<const char *>(&value), sizeof(T));
    }

    void
    put(const std::string &text);

    template <typename T>
    void
    put(const std::vector<T> &values)
    {
      static_assert(std::is_trivially_copyable_v<T>);
      put(std::uint64_t(values.size()));
      bytes.append(reinterpret_cast<const char *>(values.data()),
                   values.size() * sizeof(T));
    }

    void
    put(const std::vector<std::string> &texts);

    /** Appends what another CheckpointWriter wrote, to be read field by
     * field as if written here. */
    void
    put_bytes(const std::string &bytes);

    const std::string &
    data() const
    {
      return bytes;
    }

  private:
    std::string bytes;
  };

  /**
   * Reads what a CheckpointWriter wrote. Reading past the end is an
   * mvb::InputError naming the checkpoint: a file that is too short is
   * corrupt, not a reason to crash.
   */
  class CheckpointReader
  {
  public:
    CheckpointReader(std::string bytes, std::string source);

    template <typename T>
    T
    get()
    {
      static_assert(std::is_trivially_copyable_v<T>);
      T value;
      std::memcpy(&value, take(sizeof(T)), sizeof(T));
      return value;
    }

    std::string
    get_string();

    template <typename T>
    std::vector<T>
    get_vector()
    {
      static_assert(std::is_trivially_copyable_v<T>);
      const auto     n = get<std::uint64_t>();
      std::vector<T> values(n);
      if (n > 0)
        std::memcpy(values.data(), take(n * sizeof(T)), n * sizeof(T));
      return values;
    }

    std::vector<std::string>
    get_strings();

    bool
    at_end() const
    {
      return position == bytes.size();
    }

    /** Throws an mvb::InputError: the checkpoint says something impossible. */
    [[noreturn]] void
    corrupt(const std::string &what) const;

  private:
    const char *
    take(std::size_t n);

    std::string bytes;
    std::string source;
    std::size_t position = 0;
  };

  /**
   * This rank's cells among @p cells (active cell iterators of a
   * triangulation or DoF handler) by their id, to find the cells a
   * checkpoint names: cell ids do not depend on the partition.
   */
  template <typename Iterator>
  std::map<dealii::CellId::binary_type, Iterator>
  locally_owned_cells_by_id(const dealii::IteratorRange<Iterator> &cells)
  {
    std::map<dealii::CellId::binary_type, Iterator> owned;
    for (const Iterator &cell : cells)
      if (cell->is_locally_owned())
        owned.emplace(
          cell->id().template to_binary<Iterator::AccessorType::dimension>(),
          cell);
    return owned;
  }

  /**
   * The coarse cells that this rank's cells among @p cells descend from,
   * sorted: which parts of a checkpoint a rank needs.
   */
  template <typename Iterator>
  std::vector<std::uint64_t>
  locally_owned_coarse_cells(const dealii::IteratorRange<Iterator> &cells)
  {
    std::vector<std::uint64_t> coarse;
    for (const Iterator &cell : cells)
      if (cell->is_locally_owned())
        coarse.push_back(cell->id().get_coarse_cell_id());
    std::sort(coarse.begin(), coarse.end());
    coarse.erase(std::unique(coarse.begin(), coarse.end()), coarse.end());
    return coarse;
  }

  /**
   * A checkpoint as read back: the header all ranks share (written by rank
   * 0) and the parts this rank read, each with the rank that wrote it.
   */
  struct CheckpointData
  {
    std::string                   file;
    unsigned int                  dimension = 0;
    std::string                   parameters;  // the run's resolved .prm
    unsigned int                  n_parts = 0; // the ranks that wrote it
    CheckpointReader              header{"", ""};
    std::vector<CheckpointReader> blocks;
    std::vector<unsigned int>     block_ranks; // writer of each block
  };

  /**
   * Writes a checkpoint of the run in @p run_directory: its folder
   * "checkpoints" gets "checkpoint-<step>.mvbchk" through a temporary name
   * and a rename, and then loses all but the newest @p keep, so a crash
   * while writing leaves the previous checkpoint usable. Collective, and no
   * rank's part passes through another: rank 0 writes the @p header and a
   * table of the parts, and every rank writes its @p local part into the
   * same file at its own offset. @p coarse_cells are the coarse cells
   * (CellId::get_coarse_cell_id()) of this rank's cells, so that a restart
   * on another number of ranks reads only the parts it needs. Returns the
   * file's path.
   */
  std::string
  write_checkpoint(const std::string                &run_directory,
                   std::uint64_t                     step,
                   unsigned int                      dimension,
                   const std::string                &parameters,
                   const CheckpointWriter           &header,
                   const CheckpointWriter           &local,
                   const std::vector<std::uint64_t> &coarse_cells,
                   unsigned int                      keep,
                   MPI_Comm                          communicator);

  /**
   * The newest intact checkpoint of the run in @p run_directory. Rank 0
   * reads the header and the table of parts and shares them; every rank
   * then reads the parts whose coarse cells meet its own @p coarse_cells
   * (on as many ranks as wrote it: its own part and its neighbours'), and
   * the parts of the ranks r with r mod n_ranks = its rank, so that every
   * part is read and checked by some rank. A damaged newest checkpoint is
   * reported on @p warnings (by rank 0) and the one before it is taken.
   * Throws mvb::InputError naming --restart if there is no run or no intact
   * checkpoint.
   */
  CheckpointData
  read_latest_checkpoint(const std::string                &run_directory,
                         std::ostream                     &warnings,
                         const std::vector<std::uint64_t> &coarse_cells,
                         MPI_Comm                          communicator);

  /**
   * A restart from the checkpoint of @p step continues the run: checkpoints
   * of later steps (damaged ones the restart passed over) are renamed to
   * "*.unused", so that the two kept are the continued run's, and a
   * temporary file left by a crash is removed. Collective; rank 0 acts.
   */
  void
  retire_checkpoints_after(const std::string &run_directory,
                           std::uint64_t      step,
                           MPI_Comm           communicator);

  /**
   * Checks that @p checkpoint was written by the scenario of @p prm:
   * every entry must agree except those a restart may change (the end
   * time, checkpointing, progress and the output folder). Throws an
   * mvb::InputError that names the first entry that differs.
   */
  void
  check_same_scenario(const CheckpointData           &checkpoint,
                      const dealii::ParameterHandler &prm,
                      unsigned int                    dimension,
                      const std::string              &run_directory);

  /** The "Checkpointing" subsection. */
  struct CheckpointParameters
  {
    static void
    declare_parameters(dealii::ParameterHandler &prm);

    void
    parse_parameters(dealii::ParameterHandler &prm);

    unsigned int steps_between = 0;  // 0: never by steps
    double       wall_minutes  = 30; // 0: never by wall time
  };
} // namespace mvb
