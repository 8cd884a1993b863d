#!/usr/bin/env bash
# Runs mvb_benchmark for each number of MVBs, MPI rank count and case and
# prints one table of the figures (README.md in this folder explains them).
#
#   run_mvb_benchmark.sh [mvbs] [ranks] [cases]
#       e.g. "10000 100000" "1 2" "free 100:0.875 1000:0.875" (defaults);
#       "free" is Smoldyn's case (--case free-diffusion), any other case is
#       the full-model mix with microtubules:actin density (filaments per
#       um^2; the default cell has 1141 um^2 of plasma membrane, so 0.875
#       gives about 1000 actin filaments)
#   run_mvb_benchmark.sh --table FILE      the table of saved BENCHMARK lines
#                                          (benchmark-lines.txt)
#
# Environment:
#   MVB_BENCHMARK   the executable (default: $BUILD_DIR/tests/benchmarks/
#                   mvb_benchmark, BUILD_DIR defaulting to <repo>/build)
#   BENCHMARK_ARGS  options for every mix run (e.g. "--steps 50 --coupled")
#   FREE_ARGS       options for every free-diffusion run (e.g. "--steps 200")
#   LOG_DIR         where each run's full output is kept (default: a new
#                   folder under /tmp)
#   MPIEXEC         the MPI launcher (default: mpirun)
set -uo pipefail

# One row per run, grouped by case and rank count. t/MVB is the cost per
# MVB-step over that of the fewest MVBs of the same case and ranks (1.00: a
# cost linear in the number of MVBs); speedup is 1 rank's time per step over
# this run's, same case and MVBs.
print_table() {
  sort -V -k2,2 -k5,5 -k6,6 -k8,8 -k4,4 "$1" | awk '
    {
      n++
      for (i = 2; i <= NF; i++)
        {
          eq = index($i, "=")
          v[n, substr($i, 1, eq - 1)] = substr($i, eq + 1)
        }
      r = v[n, "ranks"]; N = v[n, "mvbs"] + 0
      c = (v[n, "case"] == "mix") ? \
        v[n, "microtubules"] "MT/" v[n, "actin"] "act" : v[n, "case"]
      if (v[n, "coupled"] + 0) c = c "+FE"
      if (v[n, "births"] + 0) c = c "+births"
      name[n] = c
      group = r SUBSEP c
      if (!(group in smallest) || N < v[smallest[group], "mvbs"] + 0)
        smallest[group] = n
      if (r == 1)
        one_rank[N, c] = v[n, "ms_step"]
    }
    END {
      if (n == 0)
        exit
      printf "\n%-22s %7s %5s | %9s %8s %8s %7s | %10s %8s | %6s %6s %6s %6s | %5s %7s | %6s | %7s %5s | %4s %5s %5s\n",
        "case", "MVBs", "ranks", "ms/step", "motion", "migr", "births",
        "MVB-st/s", "ns/st", "search", "query", "reloc", "sent", "t/MVB",
        "speedup", "place", "peak MB", "B/MVB", "cpu%", "load", "wall"
      for (i = 1; i <= n; i++)
        {
          r = v[i, "ranks"]; N = v[i, "mvbs"] + 0; c = name[i]
          lin = v[i, "ns_total"] / v[smallest[r SUBSEP c], "ns_total"]
          speedup = ((N, c) in one_rank) ? \
            sprintf("%.2f", one_rank[N, c] / v[i, "ms_step"]) : "-"
          printf "%-22s %7d %5d | %9.3f %8.3f %8.3f %7.3f | %10.0f %8.1f | %6.3f %6.3f %6.3f %6.4f | %5.2f %7s | %6.2f | %7.1f %5.0f | %4.0f %5s %5s\n",
            c, N, r, v[i, "ms_step"], v[i, "ms_motion_and_transitions"],
            v[i, "ms_migration"], v[i, "ms_births"], v[i, "mvb_steps_per_s"],
            v[i, "ns_total"], v[i, "searches_per_step"],
            v[i, "queries_per_step"], v[i, "relocations_per_step"],
            v[i, "sent_per_step"], lin, speedup, v[i, "s_place"],
            v[i, "peak_MB"], v[i, "bytes_per_mvb"], 100 * v[i, "cpu"],
            v[i, "load"], v[i, "wall_s"]
          if (v[i, "misplaced"] + 0 > 0 || v[i, "lost"] + 0 > 0)
            bad = bad sprintf("  %s, %d MVBs, %d rank(s): %d misplaced, %d beyond the ghost layer\n",
              c, N, r, v[i, "misplaced"], v[i, "lost"])
        }
      if (bad != "")
        printf "\nMISPLACED OR FAR-TRAVELLED MVBS:\n%s", bad
    }'
}

if [[ ${1:-} == --table ]]; then
  print_table "${2:?--table needs a file of BENCHMARK lines}"
  exit
fi

mvb_counts=${1:-"10000 100000"}
ranks=${2:-"1 2"}
cases=${3:-"free 100:0.875 1000:0.875"}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${BUILD_DIR:-$here/../../build}
exe=${MVB_BENCHMARK:-$build_dir/tests/benchmarks/mvb_benchmark}
mpiexec=${MPIEXEC:-mpirun}
read -r -a mix_args <<< "${BENCHMARK_ARGS:-}"
read -r -a free_args <<< "${FREE_ARGS:-}"
if [[ ! -x $exe ]]; then
  echo "run_mvb_benchmark.sh: no executable $exe; build the target" \
    "mvb_benchmark or set MVB_BENCHMARK" >&2
  exit 1
fi
log_dir=${LOG_DIR:-$(mktemp -d /tmp/mvb-benchmark-logs.XXXXXX)}
mkdir -p "$log_dir"
results=$log_dir/benchmark-lines.txt
: > "$results"

failed=0
for case in $cases; do
  if [[ $case == free ]]; then
    options=(--case free-diffusion "${free_args[@]}")
  else
    options=(--case mix --microtubules "${case%%:*}"
      --actin-density "${case#*:}" "${mix_args[@]}")
  fi
  for n in $mvb_counts; do
    for np in $ranks; do
      name="$case, $n MVBs, $np rank(s)"
      log=$log_dir/${case//[:.]/_}-mvbs$n-np$np.log
      echo "$name: running (log $log)"
      start=$(date +%s)
      if "$mpiexec" --allow-run-as-root --oversubscribe -np "$np" "$exe" \
          --mvbs "$n" "${options[@]}" > "$log" 2>&1; then
        # The 1-minute load average at the end: well above the rank count,
        # other work shared the cores and the times are too long (the
        # program's own cpu= figure says the same for its timed steps).
        load=$(cut -d' ' -f1 /proc/loadavg)
        line=$(grep '^BENCHMARK ' "$log" | tail -n 1)
        echo "$line load=$load wall_s=$(($(date +%s) - start))" >> "$results"
      else
        echo "$name: FAILED; the end of its log:" >&2
        tail -n 20 "$log" >&2
        failed=1
      fi
    done
  done
done

print_table "$results"
echo
echo "Logs and BENCHMARK lines: $log_dir"
exit $failed
