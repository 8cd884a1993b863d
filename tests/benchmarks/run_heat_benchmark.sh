#!/usr/bin/env bash
# Runs heat_benchmark (mvbsim's field solver) and the same heat step in dolfinx
# (heat_dolfinx.py, PETSc GAMG) side by side, for each size and MPI rank
# count, and prints one table: the two codes measured in one session, on one
# machine, one after the other (README.md in this folder).
#
#   run_heat_benchmark.sh [sizes] [ranks]   e.g. "37 60" "1 2" (the defaults)
#
# Environment:
#   HEAT_BENCHMARK  the executable (default: $BUILD_DIR/tests/benchmarks/
#                   heat_benchmark, BUILD_DIR defaulting to <repo>/build)
#   DOLFINX_PC      the reference's preconditioners, e.g. "gamg boomeramg"
#                   (default gamg; empty: mvbsim alone)
#   PYTHON          a Python with dolfinx (default /usr/bin/python3, where
#                   Debian's python3-dolfinx is)
#   MVBSIM_PC       mvbsim's preconditioners, e.g. "gamg gmg" (default
#                   gamg; the first is what "vs mvbsim" compares with)
#   STEPS           time steps per run (default 50)
#   LOG_DIR         where each run's output is kept (default: a new folder
#                   under /tmp)
#   MPIEXEC         the MPI launcher (default: mpirun)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source "$here/mpi_run_support.sh"
build=${BUILD_DIR:-$here/../../build}
bin=${HEAT_BENCHMARK:-$build/tests/benchmarks/heat_benchmark}
python=${PYTHON:-/usr/bin/python3}
pcs=${DOLFINX_PC-gamg}
mvbsim_pcs=${MVBSIM_PC:-gamg}
steps=${STEPS:-50}
mpiexec=${MPIEXEC:-mpirun}
sizes=${1:-37 60}
ranks=${2:-1 2}
log_dir=${LOG_DIR:-$(mktemp -d /tmp/heat-benchmark-XXXXXX)}
mkdir -p "$log_dir"

if [ ! -x "$bin" ]; then
  echo "run_heat_benchmark.sh: no heat_benchmark at '$bin' (build it, or set HEAT_BENCHMARK)" >&2
  exit 1
fi
if [ -n "$pcs" ] && ! "$python" -c "import dolfinx" 2>/dev/null; then
  echo "run_heat_benchmark.sh: '$python' cannot import dolfinx (Debian: apt-get install python3-dolfinx; or DOLFINX_PC= for mvbsim alone)" >&2
  exit 1
fi

lines=$log_dir/benchmark-lines.txt
: >"$lines"
for n in $sizes; do
  for r in $ranks; do
    for pc_ours in $mvbsim_pcs; do
      log=$log_dir/mvbsim-$pc_ours-n$n-np$r.log
      echo "mvbsim  N=$n ranks=$r ($pc_ours) ..." >&2
      "$mpiexec" "${mpi_flags[@]}" -np "$r" "$bin" --n "$n" --steps "$steps" --preconditioner "$pc_ours" >"$log" 2>&1 ||
        { echo "run_heat_benchmark.sh: heat_benchmark failed, see $log" >&2; exit 1; }
      grep '^BENCHMARK' "$log" >>"$lines"
    done
    for pc in $pcs; do
      log=$log_dir/dolfinx-$pc-n$n-np$r.log
      echo "dolfinx N=$n ranks=$r ($pc) ..." >&2
      "$mpiexec" "${mpi_flags[@]}" -np "$r" "$python" "$here/heat_dolfinx.py" "$n" "$steps" "$pc" >"$log" 2>&1 ||
        { echo "run_heat_benchmark.sh: heat_dolfinx.py failed, see $log" >&2; exit 1; }
      grep '^BENCHMARK' "$log" >>"$lines"
    done
  done
done

# One row per run; "vs mvbsim": a run's time per step over that of mvbsim's
# first preconditioner at the same size and rank count (above 1: mvbsim is faster).
# mvbsim's code is mvbsim-gamg, mvbsim-boomeramg, mvbsim-gmg or mvbsim-automatic.
awk '
  {
    n++
    for (i = 2; i <= NF; i++)
      {
        eq = index($i, "=")
        v[n, substr($i, 1, eq - 1)] = substr($i, eq + 1)
      }
    key = v[n, "n"] SUBSEP v[n, "ranks"]
    if (v[n, "code"] ~ /^mvbsim/ && !(key in ours))
      ours[key] = v[n, "ms_step"]
  }
  END {
    printf "\n%-17s %4s %5s %9s | %9s %8s %9s %6s | %8s | %8s %8s | %10s\n",
      "code", "N", "ranks", "DoFs", "ms/step", "rhs", "solve", "CG its",
      "set-up s", "peak MB", "vs mvbsim", "integral"
    for (i = 1; i <= n; i++)
      {
        key = v[i, "n"] SUBSEP v[i, "ranks"]
        ratio = (key in ours) ? sprintf("%.2f", v[i, "ms_step"] / ours[key]) : "-"
        printf "%-17s %4d %5d %9d | %9.1f %8.1f %9.1f %6.2f | %8.2f | %8.1f %8s | %10s\n",
          v[i, "code"], v[i, "n"], v[i, "ranks"], v[i, "dofs"],
          v[i, "ms_step"], v[i, "ms_rhs"], v[i, "ms_solve"], v[i, "its"],
          v[i, "s_setup"], v[i, "peak_MB"], ratio, v[i, "integral"]
      }
  }' "$lines"
echo
echo "Logs and BENCHMARK lines: $log_dir"
