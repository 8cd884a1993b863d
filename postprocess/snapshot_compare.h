#pragma once

// The regression comparer: a run's snapshot.h5 against a reference one.
// HDF5 C API only (no deal.II), so that the comparer stays a small tool that
// reads any HDF5 file, whichever writer made it.

#include <cstddef>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace mvb::postprocess
{
  /**
   * A file the comparer cannot use: an HDF5 file that does not exist or
   * cannot be read, a tolerance file with a malformed line. The message names
   * the file (and the line). mvbsim-compare exits 2 on it.
   */
  class CompareError : public std::runtime_error
  {
  public:
    explicit CompareError(const std::string &message)
        : std::runtime_error(message)
    {
    }
  };

  /** A value passes when |result - reference| <= abs + rel * |reference|. */
  struct Tolerance
  {
    double abs = 1e-12;
    double rel = 1e-9;
  };

  /**
   * Tolerances per dataset, read from a text file of lines
   *
   *     <pattern> abs <a> rel <r>
   *     default abs <a> rel <r>
   *
   * with '#' starting a comment and blank lines ignored. A pattern is an
   * fnmatch() glob matched against the dataset path without its leading
   * slash ('*' also matches '/'; a leading slash in a pattern is dropped;
   * examples in the README). The last matching line wins, so that specific
   * lines follow general ones as in any configuration file. A dataset no
   * line matches takes the default line, or the built-in abs 1e-12 rel 1e-9.
   */
  struct Tolerances
  {
    struct Rule
    {
      std::string  pattern;
      Tolerance    tolerance;
      unsigned int line = 0;
    };

    Tolerance         fallback;
    std::vector<Rule> rules;

    /** The rule for @p dataset: an index into rules, or -1 for fallback. */
    int
    find(const std::string &dataset) const;

    /** Reads @p file; throws CompareError naming the file and the line. */
    static Tolerances
    read(const std::string &file);

    /** Parses @p content; @p name is the file name errors give. */
    static Tolerances
    parse(const std::string &content, const std::string &name);
  };

  /** A value out of tolerance, or the largest deviations when none is. */
  struct Offender
  {
    std::string dataset;
    std::string index; // "[3,1]", "[id=17,2]" or "" for a scalar
    double      result     = 0;
    double      reference  = 0;
    double      difference = 0; // |result - reference|
    double      allowed    = 0; // abs + rel * |reference|
    double      ratio      = 0; // difference / allowed (inf if allowed = 0)
  };

  /**
   * What compare_snapshots() found. Every list holds a failure except
   * not_numeric and unused_rules, which are notes.
   */
  struct CompareResult
  {
    std::size_t n_datasets = 0; // datasets whose values were compared
    std::size_t n_values   = 0; // values compared
    std::size_t n_failed   = 0; // values out of tolerance

    std::vector<std::string> missing_datasets; // in the reference only
    std::vector<std::string> extra_datasets;   // in the result only
    std::vector<std::string> shape_mismatches; // "name: result 3, ref 4"
    std::vector<std::string> row_mismatches;   // ids missing, extra, twice
    std::vector<Offender>    worst;            // by ratio, largest first
    std::vector<std::string> not_numeric;
    std::vector<std::string> unused_rules; // tolerance lines matching nothing

    /** True if the result agrees with the reference within tolerance. */
    bool
    same() const;

    /** One line: "same within tolerance (...)" or "DIFFERENT: ...". */
    std::string
    summary() const;
  };

  /**
   * Compares the snapshot @p result with @p reference element by element,
   * every integer and float dataset read as doubles (datasets of other
   * types, strings, are noted but not compared).
   * In a group holding a dataset `id` (a keyed table: MVBs), the datasets
   * whose leading dimension is the number of ids in both files are columns,
   * whose rows are matched by id rather than by position. Keeps the
   * @p n_worst largest deviations. Throws CompareError if a file cannot be
   * read.
   */
  CompareResult
  compare_snapshots(const std::string &result,
                    const std::string &reference,
                    const Tolerances  &tolerances,
                    unsigned int       n_worst = 10);

  /** The human-readable report of @p comparison, ending with the verdict. */
  void
  write_report(std::ostream &out, const CompareResult &comparison);
} // namespace mvb::postprocess
