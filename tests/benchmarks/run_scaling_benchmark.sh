#!/usr/bin/env bash
# Strong and weak scaling of the 3D baseline cell (scenarios/baseline-3d.prm):
# every pair of REFINEMENTS and RANKS runs STEPS field steps (default 20, the
# mesh not written, no checkpoints) and prints the set-up time, the wall time
# per step and its parts (field solves, right-hand sides, MVBs, output) and
# the peak memory per rank. Strong scaling: one refinement, rising ranks.
# Weak scaling: each refinement multiplies the cells by 8, so (level L,
# 1 rank) and (level L+1, 8 ranks) have the same cells per rank.
# README.md in this folder explains the figures.
#
#   run_scaling_benchmark.sh [refinements] [ranks]   defaults: "3 4" "1 2 4 8"
#
# Environment: MVBSIM (default $BUILD_DIR/mvbsim, BUILD_DIR defaulting to
# <repo>/build), MPIEXEC (default mpirun), STEPS, LOG_DIR (default: a new
# folder under /tmp).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mvbsim=${MVBSIM:-${BUILD_DIR:-$repo/build}/mvbsim}
mpiexec=${MPIEXEC:-mpirun}
refinements_list=${1:-3 4}
ranks_list=${2:-1 2 4 8}
steps=${STEPS:-20}
log_dir=${LOG_DIR:-$(mktemp -d /tmp/mvbsim-scaling-benchmark.XXXXXX)}
mkdir -p "$log_dir"
. "$here/mpi_run_support.sh"

start=$(awk '/set Start time/ {print $NF}' "$repo/scenarios/baseline-3d.prm")
step=$(awk '/set Time step/ {print $NF}' "$repo/scenarios/baseline-3d.prm")

printf '%-6s %-6s %-9s %-10s %-9s %-10s %-9s %-9s %-9s %-9s %-10s\n' \
  level ranks cells cells/rank setup_s step_ms solve_ms rhs_ms mvbs_ms \
  output_ms mem_max_MB
for level in $refinements_list; do
  for ranks in $ranks_list; do
    run=$log_dir/L$level-np$ranks
    cat "$repo/scenarios/baseline-3d.prm" > "$run.prm"
    cat >> "$run.prm" <<PRM
subsection Geometry
  set Global refinements = $level
end
subsection Time stepping
  set End time = $(awk -v s="$start" -v d="$step" -v n="$steps" \
    'BEGIN {print s + n * d}')
end
subsection Output
  set Write mesh = false
end
subsection Checkpointing
  set Wall time between checkpoints = 0
end
PRM
    rm -rf "$run"
    "$mpiexec" "${mpi_flags[@]}" -np "$ranks" "$mvbsim" --output "$run" \
      "$run.prm" > "$run.log" 2>&1
    cells=$(awk '/^  cells/ {print $2; exit}' "$run.log")
    total=$(total_wall "$run.log")
    setup=0
    for s in "setup geometry" "fields: setup" \
      "fields: assemble matrices" "MVBs: tracks" "MVBs: initial placement"; do
      setup=$(awk -v a="$setup" -v b="$(section "$s" "$run.log")" \
        'BEGIN {print a + b}')
    done
    solve=$(section "fields: solve" "$run.log")
    amg=$(section "fields: preconditioner setup" "$run.log")
    rhs=$(section "fields: assemble right-hand side" "$run.log")
    mvbs=$(section "MVBs" "$run.log")
    output=$(section "output" "$run.log")
    memory=$(awk '/^Peak memory per rank/ {print $(NF - 3); exit}' "$run.log")
    awk -v l="$level" -v r="$ranks" -v c="$cells" -v su="$setup" \
      -v t="$total" -v so="$solve" -v amg="$amg" -v rh="$rhs" -v m="$mvbs" \
      -v o="$output" -v mem="$memory" -v n="$steps" 'BEGIN {
      printf "%-6s %-6s %-9s %-10d %-9.1f %-10.1f %-9.1f %-9.1f %-9.1f %-9.1f %-10s\n",
        l, r, c, c / r, su, 1000 * (t - su) / n, 1000 * (so + amg) / n,
        1000 * rh / n, 1000 * m / n, 1000 * o / n, mem}'
  done
done
echo "(setup_s: mesh and its mapping cache, matrices, tracks, first MVBs; step_ms:"
echo " the rest of the run per field step; solve_ms includes AMG set-ups;"
echo " mem_max_MB: the largest peak resident memory of one rank; logs in"
echo " $log_dir)"
