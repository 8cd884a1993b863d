#!/usr/bin/env bash
# Runs field_benchmark for each refinement level and MPI rank count and prints
# one table of the figures (README.md in this folder explains them).
#
#   run_field_benchmark.sh [levels] [ranks]      e.g. "4 5" "1 2" (defaults)
#   run_field_benchmark.sh --table FILE          the table of saved BENCHMARK
#                                                lines (benchmark-lines.txt)
#
# Environment:
#   FIELD_BENCHMARK  the executable (default: $BUILD_DIR/tests/benchmarks/
#                    field_benchmark, BUILD_DIR defaulting to <repo>/build)
#   BENCHMARK_ARGS   further options for every run, e.g. "--steps 20"
#   LOG_DIR          where each run's full output is kept (default: a new
#                    folder under /tmp)
#   MPIEXEC          the MPI launcher (default: mpirun)
set -uo pipefail

# One row per run, grouped by rank count; the ratios are to the smallest
# level of the same rank count (time) and to 1 rank of the same level.
print_table() {
  sort -V -k3,3 -k2,2 "$1" | awk '
    {
      n++
      for (i = 2; i <= NF; i++)
        {
          eq = index($i, "=")
          v[n, substr($i, 1, eq - 1)] = substr($i, eq + 1)
        }
      r = v[n, "ranks"]; l = v[n, "level"] + 0
      if (!(r in base))
        rank_list[++n_ranks] = r
      if (!(r in base) || l < v[base[r], "level"] + 0)
        base[r] = n
      if (r == 1)
        one_rank[l] = v[n, "ms_per_step_total"]
    }
    END {
      if (n == 0)
        exit
      printf "\n%5s %5s %9s %8s | %9s %8s %9s %8s | %7s %7s | %6s %9s | %-15s %-15s %-15s | %8s %8s %7s | %5s %4s\n",
        "level", "ranks", "DoFs", "cells", "ms/step", "rhs", "solve", "output",
        "AMG s", "ns/itD", "t/DoF", "speedup", "CG calcium",
        "CG cholesterol", "CG cargo", "peak MB", "B/DoF", "B/DoF1",
        "load", "wall"
      for (i = 1; i <= n; i++)
        {
          r = v[i, "ranks"]; b = base[r]; l = v[i, "level"] + 0
          t = v[i, "ms_per_step_total"]
          lin = (t / v[i, "dofs"]) / (v[b, "ms_per_step_total"] / v[b, "dofs"])
          its = v[i, "cg_mean_calcium"] + v[i, "cg_mean_cholesterol"] + \
                v[i, "cg_mean_cargo"]
          # Solve time per CG iteration and DoF: flat if AMG scales linearly.
          ns = (its > 0) ? 1e6 * v[i, "ms_solve"] / its / v[i, "dofs"] : 0
          speedup = (l in one_rank) ? sprintf("%.2f", one_rank[l] / t) : "-"
          printf "%5d %5d %9d %8d | %9.1f %8.1f %9.1f %8.1f | %7.2f %7.1f | %6.2f %9s | %6.2f (%2d-%3d) %6.2f (%2d-%3d) %6.2f (%2d-%3d) | %8.1f %8.0f %7.0f | %5s %4s\n",
            l, r, v[i, "dofs"], v[i, "cells"], t, v[i, "ms_rhs"],
            v[i, "ms_solve"], v[i, "ms_output"], v[i, "s_amg"], ns, lin,
            speedup, v[i, "cg_mean_calcium"], v[i, "cg_min_calcium"],
            v[i, "cg_max_calcium"], v[i, "cg_mean_cholesterol"],
            v[i, "cg_min_cholesterol"], v[i, "cg_max_cholesterol"],
            v[i, "cg_mean_cargo"], v[i, "cg_min_cargo"], v[i, "cg_max_cargo"],
            v[i, "peak_MB"], v[i, "bytes_per_dof"], v[i, "bytes_per_field_dof"],
            v[i, "load"], v[i, "wall_s"]
        }
  
      # Mean CG iterations against the smallest level: a solver whose
      # iterations do not grow with the mesh stays within +-3.
      split("calcium cholesterol cargo", names, " ")
      print "\nCG iterations per solve against the smallest level (mean):"
      for (k = 1; k <= n_ranks; k++)
        for (s = 1; s <= 3; s++)
          {
            r = rank_list[k]; key = "cg_mean_" names[s]; worst = 0; text = ""
            for (i = 1; i <= n; i++)
              if (v[i, "ranks"] == r)
                {
                  d = v[i, key] - v[base[r], key]
                  if (d < 0 ? -d > worst : d > worst)
                    worst = (d < 0 ? -d : d)
                  text = text sprintf(" L%d %+.2f", v[i, "level"], d)
                }
            printf "  %d rank(s) %-12s%s -> %s\n", r, names[s], text,
              (worst <= 3 ? "flat (within +-3)" : "NOT flat")
          }
    }'
}

if [[ ${1:-} == --table ]]; then
  print_table "${2:?--table needs a file of BENCHMARK lines}"
  exit
fi

levels=${1:-"4 5"}
ranks=${2:-"1 2"}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${BUILD_DIR:-$here/../../build}
exe=${FIELD_BENCHMARK:-$build_dir/tests/benchmarks/field_benchmark}
mpiexec=${MPIEXEC:-mpirun}
read -r -a extra <<< "${BENCHMARK_ARGS:-}"
if [[ ! -x $exe ]]; then
  echo "run_field_benchmark.sh: no executable $exe; build the target" \
    "field_benchmark or set FIELD_BENCHMARK" >&2
  exit 1
fi
log_dir=${LOG_DIR:-$(mktemp -d /tmp/field-benchmark-logs.XXXXXX)}
mkdir -p "$log_dir"
results=$log_dir/benchmark-lines.txt
: > "$results"

failed=0
for level in $levels; do
  for np in $ranks; do
    log=$log_dir/level$level-np$np.log
    echo "level $level, $np rank(s): running (log $log)"
    start=$(date +%s)
    if "$mpiexec" --allow-run-as-root --oversubscribe -np "$np" "$exe" \
        --level "$level" "${extra[@]}" > "$log" 2>&1; then
      # The 1-minute load average at the end: well above the rank count,
      # other work shared the cores and the times are too long.
      load=$(cut -d' ' -f1 /proc/loadavg)
      line=$(grep '^BENCHMARK ' "$log" | tail -n 1)
      echo "$line load=$load wall_s=$(($(date +%s) - start))" >> "$results"
    else
      echo "level $level, $np rank(s): FAILED; the end of its log:" >&2
      tail -n 20 "$log" >&2
      failed=1
    fi
  done
done

print_table "$results"
echo
echo "Logs and BENCHMARK lines: $log_dir"
exit $failed
