#include <postprocess/snapshot_compare.h>

#include <fnmatch.h>
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

namespace mvb::postprocess
{
  namespace fs = std::filesystem;

  namespace
  {
    /** An HDF5 identifier, closed when it goes out of scope. */
    struct Handle
    {
      hid_t id;
      herr_t (*close)(hid_t);
      ~Handle()
      {
        if (id >= 0)
          close(id);
      }
      operator hid_t() const
      {
        return id;
      }
    };

    /**
     * @p value as text, by default with 17 digits, so that values that
     * differ print differently.
     */
    std::string
    text(const double value, const char *format = "%.17g")
    {
      char buffer[32];
      std::snprintf(buffer, sizeof(buffer), format, value);
      return buffer;
    }

    /** One dataset read as doubles, row-major; no dims for a scalar. */
    struct Dataset
    {
      std::vector<hsize_t> dims;
      std::vector<double>  values;
      bool                 numeric = true; // integers or floats
    };

    /** Every dataset of a file by path without leading slash. */
    using Snapshot = std::map<std::string, Dataset>;

    std::string
    shape_text(const Dataset &d)
    {
      if (!d.numeric)
        return "not numeric";
      if (d.dims.empty())
        return d.values.empty() ? "empty" : "scalar";
      std::string shape;
      for (const hsize_t n : d.dims)
        shape += (shape.empty() ? "" : " x ") + std::to_string(n);
      return shape;
    }

    /** "[i,j]" of the row-major position @p k in an array of @p dims. */
    std::string
    index_text(const std::vector<hsize_t> &dims, std::size_t k)
    {
      std::string index;
      for (std::size_t d = dims.size(); d-- > 0; k /= dims[d])
        index =
          std::to_string(k % dims[d]) + (index.empty() ? "" : ",") + index;
      return dims.empty() ? "" : "[" + index + "]";
    }

    herr_t
    collect_link(hid_t, const char *name, const H5L_info_t *info, void *names)
    {
      if (info->type == H5L_TYPE_HARD)
        static_cast<std::vector<std::string> *>(names)->emplace_back(name);
      return 0;
    }

    Dataset
    read_dataset(const hid_t set, const std::string &where)
    {
      const Handle   space{H5Dget_space(set), H5Sclose};
      const Handle   type{H5Dget_type(set), H5Tclose};
      const int      rank = H5Sget_simple_extent_ndims(space);
      const hssize_t n    = H5Sget_simple_extent_npoints(space);
      if (space < 0 || type < 0 || rank < 0 || n < 0)
        throw CompareError(where + ": cannot read the dataset");
      Dataset d;
      d.dims.resize(rank);
      H5Sget_simple_extent_dims(space, d.dims.data(), nullptr);
      const H5T_class_t type_class = H5Tget_class(type);
      d.numeric = type_class == H5T_INTEGER || type_class == H5T_FLOAT;
      if (!d.numeric)
        return d;
      // HDF5 converts any integer or float type to double as it reads.
      d.values.resize(n);
      if (n > 0 && H5Dread(set,
                           H5T_NATIVE_DOUBLE,
                           H5S_ALL,
                           H5S_ALL,
                           H5P_DEFAULT,
                           d.values.data()) < 0)
        throw CompareError(where + ": cannot read the dataset");
      return d;
    }

    Snapshot
    read_snapshot(const std::string &file)
    {
      // A file that is not HDF5 is an ordinary outcome here, reported in
      // one line, not as HDF5's page of library internals.
      H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
      std::error_code error;
      if (!fs::exists(file, error))
        throw CompareError(file + ": the file does not exist");
      if (fs::is_directory(file, error))
        throw CompareError(file + ": is a directory, not an HDF5 file");
      if (H5Fis_hdf5(file.c_str()) <= 0)
        throw CompareError(file + ": is not an HDF5 file or cannot be read");
      const Handle h5{H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                      H5Fclose};
      std::vector<std::string> names;
      if (h5 < 0 ||
          H5Lvisit(h5, H5_INDEX_NAME, H5_ITER_INC, collect_link, &names) < 0)
        throw CompareError(file + ": cannot open the HDF5 file");
      Snapshot snapshot;
      for (const auto &name : names)
        {
          const Handle object{H5Oopen(h5, name.c_str(), H5P_DEFAULT), H5Oclose};
          if (object < 0)
            throw CompareError(file + ": cannot open " + name);
          if (H5Iget_type(object) == H5I_DATASET)
            snapshot[name] = read_dataset(object, file + ":/" + name);
        }
      return snapshot;
    }

    /** A keyed table (a group with `id` in both files): rows by id. */
    struct KeyedTable
    {
      std::size_t                   n_result = 0, n_reference = 0;
      std::map<double, std::size_t> result_rows, reference_rows;
    };

    std::map<double, std::size_t>
    rows_by_id(const Dataset            &id,
               const std::string        &where,
               std::vector<std::string> &problems)
    {
      std::map<double, std::size_t> rows;
      for (std::size_t r = 0; r < id.values.size(); ++r)
        if (!rows.emplace(id.values[r], r).second)
          problems.push_back(where + text(id.values[r]) + " appears twice");
      return rows;
    }

    /** "n ids <what>: 5, 17" for the ids of @p from that @p in lacks. */
    void
    report_unmatched(const std::map<double, std::size_t> &from,
                     const std::map<double, std::size_t> &in,
                     const std::string                   &what,
                     std::vector<std::string>            &problems)
    {
      std::size_t n = 0;
      std::string list;
      for (const auto &[id, row] : from)
        if (in.count(id) == 0 && ++n <= 10)
          list += (list.empty() ? "" : ", ") + text(id);
      if (n > 0)
        problems.push_back(std::to_string(n) + (n == 1 ? " id " : " ids ") +
                           what + ": " + list + (n > 10 ? ", ..." : ""));
    }

    bool
    by_ratio(const Offender &x, const Offender &y)
    {
      return x.ratio > y.ratio;
    }
  } // namespace

  int
  Tolerances::find(const std::string &dataset) const
  {
    for (std::size_t i = rules.size(); i-- > 0;)
      if (fnmatch(rules[i].pattern.c_str(), dataset.c_str(), 0) == 0)
        return int(i);
    return -1;
  }

  Tolerances
  Tolerances::parse(const std::string &content, const std::string &name)
  {
    Tolerances         tolerances;
    unsigned int       default_line = 0, line_number = 0;
    std::istringstream in(content);
    for (std::string line; std::getline(in, line);)
      {
        ++line_number;
        std::istringstream       words(line.substr(0, line.find('#')));
        std::vector<std::string> w;
        for (std::string word; words >> word;)
          w.push_back(word);
        if (w.empty())
          continue;
        const auto fail = [&](const std::string &problem) {
          std::string shown;
          for (const auto &word : w)
            shown += (shown.empty() ? "" : " ") + word;
          throw CompareError(name + ", line " + std::to_string(line_number) +
                             ": '" + shown + "': " + problem);
        };
        if (w.size() != 5 || w[1] != "abs" || w[3] != "rel")
          fail("expected '<pattern> abs <a> rel <r>' or "
               "'default abs <a> rel <r>'");
        const auto number = [&](const std::string &word) {
          char        *end   = nullptr;
          const double value = std::strtod(word.c_str(), &end);
          if (end == word.c_str() || *end != '\0' || !std::isfinite(value) ||
              value < 0)
            fail("'" + word + "' is not a number >= 0");
          return value;
        };
        const Tolerance tolerance{number(w[2]), number(w[4])};
        if (w[0] != "default")
          {
            // Dataset paths have no leading slash; forgive one here.
            const auto pattern = w[0].substr(w[0][0] == '/' ? 1 : 0);
            tolerances.rules.push_back({pattern, tolerance, line_number});
          }
        else if (default_line > 0)
          fail("a second default line (the first is line " +
               std::to_string(default_line) + ")");
        else
          {
            default_line        = line_number;
            tolerances.fallback = tolerance;
          }
      }
    return tolerances;
  }

  Tolerances
  Tolerances::read(const std::string &file)
  {
    std::ifstream in(file);
    if (!in || fs::is_directory(file))
      throw CompareError(file + ": cannot read the tolerance file" +
                         (fs::exists(file) ? "" : " (it does not exist)"));
    std::ostringstream content;
    content << in.rdbuf();
    return parse(content.str(), file);
  }

  bool
  CompareResult::same() const
  {
    return n_failed == 0 && missing_datasets.empty() &&
           extra_datasets.empty() && shape_mismatches.empty() &&
           row_mismatches.empty();
  }

  std::string
  CompareResult::summary() const
  {
    if (same())
      return "same within tolerance (" + std::to_string(n_values) +
             " values in " + std::to_string(n_datasets) + " datasets)";
    std::string line = "DIFFERENT: " + std::to_string(n_failed) + " of " +
                       std::to_string(n_values) + " values outside tolerance";
    const auto count = [&](const std::vector<std::string> &list,
                           const std::string              &one,
                           const std::string              &many) {
      if (!list.empty())
        line += ", " + std::to_string(list.size()) + " " +
                (list.size() == 1 ? one : many);
    };
    count(missing_datasets, "missing dataset", "missing datasets");
    count(extra_datasets, "extra dataset", "extra datasets");
    count(shape_mismatches, "shape mismatch", "shape mismatches");
    count(row_mismatches, "table id mismatch", "table id mismatches");
    return line;
  }

  CompareResult
  compare_snapshots(const std::string &result_file,
                    const std::string &reference_file,
                    const Tolerances  &tolerances,
                    const unsigned int n_worst)
  {
    const Snapshot result    = read_snapshot(result_file);
    const Snapshot reference = read_snapshot(reference_file);
    CompareResult  comparison;

    // Keyed tables: the groups whose `id` both files hold, by path prefix.
    std::map<std::string, KeyedTable> tables;
    for (const auto &[name, ref_id] : reference)
      {
        const auto id = result.find(name);
        if (name.size() < 2 || name.compare(name.size() - 2, 2, "id") != 0 ||
            (name.size() > 2 && name[name.size() - 3] != '/') ||
            id == result.end() || !id->second.numeric || !ref_id.numeric ||
            id->second.dims.size() != 1 || ref_id.dims.size() != 1)
          continue;
        const std::string prefix = name.substr(0, name.size() - 2);
        const std::string group =
          prefix.empty() ? "/" : prefix.substr(0, prefix.size() - 1);
        auto &table       = tables[prefix];
        auto &problems    = comparison.row_mismatches;
        table.n_result    = id->second.values.size();
        table.n_reference = ref_id.values.size();
        table.result_rows =
          rows_by_id(id->second, group + ": in the result, id ", problems);
        table.reference_rows =
          rows_by_id(ref_id, group + ": in the reference, id ", problems);
        std::vector<std::string> unmatched;
        report_unmatched(table.reference_rows,
                         table.result_rows,
                         "missing from the result (in the reference only)",
                         unmatched);
        report_unmatched(table.result_rows,
                         table.reference_rows,
                         "extra in the result (not in the reference)",
                         unmatched);
        for (const auto &line : unmatched)
          problems.push_back(group + ": " + line);
      }

    // Compares one value; keeps the n_worst largest deviations in a heap
    // whose front is the smallest of them.
    auto      &worst   = comparison.worst;
    const auto compare = [&](const double       a,
                             const double       b,
                             const Tolerance   &tolerance,
                             const std::string &dataset,
                             const auto        &index) {
      ++comparison.n_values;
      if (a == b || (std::isnan(a) && std::isnan(b)))
        return;
      const double difference = std::abs(a - b);
      const double allowed    = tolerance.abs + tolerance.rel * std::abs(b);
      // An infinity or a NaN against anything else is never within
      // tolerance, whatever rel * |b| says.
      const bool   finite = std::isfinite(a) && std::isfinite(b);
      const bool   pass   = finite && difference <= allowed;
      const double ratio  = pass || (finite && allowed > 0)
                              ? difference / allowed
                              : std::numeric_limits<double>::infinity();
      comparison.n_failed += pass ? 0 : 1;
      if (n_worst == 0 ||
          (worst.size() == n_worst && !(ratio > worst.front().ratio)))
        return;
      if (worst.size() == n_worst)
        {
          std::pop_heap(worst.begin(), worst.end(), by_ratio);
          worst.pop_back();
        }
      worst.push_back({dataset, index(), a, b, difference, allowed, ratio});
      std::push_heap(worst.begin(), worst.end(), by_ratio);
    };

    std::set<std::string> names;
    for (const auto *snapshot : {&result, &reference})
      for (const auto &entry : *snapshot)
        names.insert(entry.first);
    std::vector<bool> rule_used(tolerances.rules.size(), false);
    for (const auto &name : names)
      {
        const auto a = result.find(name), b = reference.find(name);
        if (a == result.end() || b == reference.end())
          {
            (a == result.end() ? comparison.missing_datasets
                               : comparison.extra_datasets)
              .push_back(name);
            continue;
          }
        const Dataset &x = a->second, &y = b->second;
        if (!x.numeric && !y.numeric)
          {
            comparison.not_numeric.push_back(name);
            continue;
          }
        const auto slash  = name.rfind('/');
        const auto prefix = name.substr(0, slash + 1); // "" if no slash
        const auto table  = tables.find(prefix);
        const bool keyed  = table != tables.end();
        if (keyed && name == prefix + "id")
          continue; // the key itself: its rows were matched above
        const int rule = tolerances.find(name);
        if (rule >= 0)
          rule_used[rule] = true;
        const Tolerance tolerance =
          rule >= 0 ? tolerances.rules[rule].tolerance : tolerances.fallback;

        if (x.numeric && y.numeric && keyed && !x.dims.empty() &&
            !y.dims.empty() && x.dims[0] == table->second.n_result &&
            y.dims[0] == table->second.n_reference &&
            std::equal(x.dims.begin() + 1,
                       x.dims.end(),
                       y.dims.begin() + 1,
                       y.dims.end()))
          {
            // A column of a keyed table: rows matched by id.
            const std::size_t width =
              y.dims[0] == 0 ? 0 : y.values.size() / y.dims[0];
            for (const auto &[id, row] : table->second.reference_rows)
              {
                const auto other = table->second.result_rows.find(id);
                for (std::size_t c = 0;
                     other != table->second.result_rows.end() && c < width;
                     ++c)
                  compare(x.values[other->second * width + c],
                          y.values[row * width + c],
                          tolerance,
                          name,
                          [&, key = id]() {
                            return "[id=" + text(key) +
                                   (y.dims.size() == 1
                                      ? ""
                                      : "," + std::to_string(c)) +
                                   "]";
                          });
              }
          }
        else if (x.numeric && y.numeric && x.dims == y.dims &&
                 x.values.size() == y.values.size())
          for (std::size_t k = 0; k < y.values.size(); ++k)
            compare(x.values[k], y.values[k], tolerance, name, [&]() {
              return index_text(y.dims, k);
            });
        else
          {
            comparison.shape_mismatches.push_back(
              name + ": result " + shape_text(x) + ", reference " +
              shape_text(y));
            continue;
          }
        ++comparison.n_datasets;
      }

    std::sort_heap(worst.begin(), worst.end(), by_ratio);
    for (std::size_t i = 0; i < rule_used.size(); ++i)
      if (!rule_used[i])
        comparison.unused_rules.push_back(
          "line " + std::to_string(tolerances.rules[i].line) + " (" +
          tolerances.rules[i].pattern + ")");
    return comparison;
  }

  void
  write_report(std::ostream &out, const CompareResult &comparison)
  {
    out << "compared " << comparison.n_values << " values in "
        << comparison.n_datasets << " datasets: " << comparison.n_failed
        << " outside tolerance\n";
    for (const auto &name : comparison.missing_datasets)
      out << "missing dataset (in the reference, not in the result): " << name
          << '\n';
    for (const auto &name : comparison.extra_datasets)
      out << "extra dataset (in the result, not in the reference): " << name
          << '\n';
    for (const auto &line : comparison.shape_mismatches)
      out << "shape differs: " << line << '\n';
    for (const auto &line : comparison.row_mismatches)
      out << line << '\n';
    for (const auto &name : comparison.not_numeric)
      out << "note: not compared (not numeric): " << name << '\n';
    for (const auto &line : comparison.unused_rules)
      out << "note: tolerance " << line << " sets the tolerance of no dataset"
          << '\n';

    const std::size_t n_failed = comparison.n_failed;
    const std::size_t shown    = n_failed > 0
                                   ? std::min(n_failed, comparison.worst.size())
                                   : comparison.worst.size();
    if (n_failed > 0)
      out << "worst offenders (" << shown << " of " << n_failed
          << "), largest |a-b| / allowed first:\n";
    else if (shown > 0)
      out << "largest deviations (all within tolerance):\n";
    for (std::size_t i = 0; i < shown; ++i)
      {
        const Offender &o = comparison.worst[i];
        out << "  " << o.dataset << o.index << "  result " << text(o.result)
            << "  reference " << text(o.reference) << "  |a-b| "
            << text(o.difference) << "  allowed " << text(o.allowed) << "  ("
            << text(o.ratio, "%.3g") << " x allowed)\n";
      }
    out << comparison.summary() << '\n';
  }
} // namespace mvb::postprocess
