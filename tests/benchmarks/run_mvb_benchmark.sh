#!/usr/bin/env bash
# Runs mvb_benchmark for each number of MVBs, MPI rank count and track
# network and prints one table of the figures (README.md in this folder
# explains them).
#
#   run_mvb_benchmark.sh [mvbs] [ranks] [networks]
#       e.g. "10000 100000" "1 2" "100:0.875 1000:0.875 1000:8.75" (defaults);
#       a network is microtubules:actin density (filaments per um^2; the
#       default cell has 1141 um^2 of plasma membrane, so 0.875 gives about
#       1000 actin filaments and 8.75 about 10000)
#   run_mvb_benchmark.sh --table FILE      the table of saved BENCHMARK lines
#                                          (benchmark-lines.txt)
#
# Environment:
#   MVB_BENCHMARK   the executable (default: $BUILD_DIR/tests/benchmarks/
#                   mvb_benchmark, BUILD_DIR defaulting to <repo>/build)
#   BENCHMARK_ARGS  options for every run (default "--steps 10 --level 2")
#   LOG_DIR         where each run's full output is kept (default: a new
#                   folder under /tmp)
#   MPIEXEC         the MPI launcher (default: mpirun)
set -uo pipefail

# One row per run, grouped by rank count and network. The ratios are to the
# fewest MVBs of the same ranks and network (t/MVB: 1.00 is a cost linear in
# the number of MVBs), to the network with the fewest tracks of the same MVBs
# and ranks (t/trk), and to 1 rank of the same MVBs and network (speedup).
print_table() {
  sort -V -k6,6 -k3,3 -k4,4 -k2,2 "$1" | awk '
    {
      n++
      for (i = 2; i <= NF; i++)
        {
          eq = index($i, "=")
          v[n, substr($i, 1, eq - 1)] = substr($i, eq + 1)
        }
      r = v[n, "ranks"]; N = v[n, "mvbs"] + 0
      net = v[n, "microtubules"] ":" v[n, "actin"]
      group = r SUBSEP net
      if (!(group in smallest) || N < v[smallest[group], "mvbs"] + 0)
        smallest[group] = n
      size = r SUBSEP N
      if (!(size in fewest) || v[n, "tracks"] + 0 < v[fewest[size], "tracks"] + 0)
        fewest[size] = n
      if (r == 1)
        one_rank[N, net] = v[n, "ms_step"]
    }
    END {
      if (n == 0)
        exit
      printf "\n%7s %5s %5s %6s | %8s %8s %7s %6s %8s | %9s | %6s %6s %6s %6s %6s | %5s %5s | %5s %5s %7s | %5s %6s | %7s %5s | %4s %5s %4s\n",
        "MVBs", "ranks", "MTs", "actin", "ms/step", "motion", "search",
        "trans", "migr", "MVB-st/s", "ns/st", "motion", "search", "trans",
        "migr", "q MT", "q act", "t/MVB", "t/trk", "speedup", "lost%",
        "place", "peak MB", "B/MVB", "cpu%", "load", "wall"
      for (i = 1; i <= n; i++)
        {
          r = v[i, "ranks"]; N = v[i, "mvbs"] + 0
          net = v[i, "microtubules"] ":" v[i, "actin"]
          t = v[i, "ns_total"]
          lin = t / v[smallest[r SUBSEP net], "ns_total"]
          trk = t / v[fewest[r SUBSEP N], "ns_total"]
          speedup = ((N, net) in one_rank) ? \
            sprintf("%.2f", one_rank[N, net] / v[i, "ms_step"]) : "-"
          lost = 100 * v[i, "lost"] / (v[i, "mean_mvbs"] * v[i, "steps"])
          printf "%7d %5d %5d %6d | %8.1f %8.1f %7.2f %6.2f %8.1f | %9.0f | %6.0f %6.0f %6.0f %6.0f %6.0f | %5.0f %5.0f | %5.2f %5.2f %7s | %5.2f %6.1f | %7.1f %5.0f | %4.0f %5s %4s\n",
            N, r, v[i, "microtubules"], v[i, "actin"], v[i, "ms_step"],
            v[i, "ms_motion"], v[i, "ms_search"], v[i, "ms_transitions"],
            v[i, "ms_migration"], v[i, "mvb_steps_per_s"], t,
            v[i, "ns_motion"], v[i, "ns_search"], v[i, "ns_transitions"],
            v[i, "ns_migration"], v[i, "ns_query_mt"], v[i, "ns_query_actin"],
            lin, trk, speedup, lost, v[i, "s_place"], v[i, "peak_MB"],
            v[i, "bytes_per_mvb"], 100 * v[i, "cpu"], v[i, "load"],
            v[i, "wall_s"]
          if (v[i, "misplaced"] + 0 > 0)
            bad = bad sprintf("  %d MVBs, %d rank(s), %s: %d MVBs misplaced\n",
              N, r, net, v[i, "misplaced"])
        }
      if (bad != "")
        printf "\nMISPLACED MVBS (outside the cytoplasm or off their track):\n%s", bad
    }'
}

if [[ ${1:-} == --table ]]; then
  print_table "${2:?--table needs a file of BENCHMARK lines}"
  exit
fi

mvb_counts=${1:-"10000 100000"}
ranks=${2:-"1 2"}
networks=${3:-"100:0.875 1000:0.875 1000:8.75"}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${BUILD_DIR:-$here/../../build}
exe=${MVB_BENCHMARK:-$build_dir/tests/benchmarks/mvb_benchmark}
mpiexec=${MPIEXEC:-mpirun}
read -r -a extra <<< "${BENCHMARK_ARGS:---steps 10 --level 2}"
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
for network in $networks; do
  microtubules=${network%%:*}
  density=${network#*:}
  for n in $mvb_counts; do
    for np in $ranks; do
      name="$n MVBs, $microtubules MTs, actin $density/um^2, $np rank(s)"
      log=$log_dir/mvbs$n-mt$microtubules-actin$density-np$np.log
      echo "$name: running (log $log)"
      start=$(date +%s)
      if "$mpiexec" --allow-run-as-root --oversubscribe -np "$np" "$exe" \
          --mvbs "$n" --microtubules "$microtubules" \
          --actin-density "$density" "${extra[@]}" > "$log" 2>&1; then
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
