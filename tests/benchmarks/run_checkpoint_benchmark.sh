#!/usr/bin/env bash
# Checkpoint cost of the 3D baseline cell (scenarios/baseline-3d.prm) at
# REFINEMENTS global refinements, at each rank count: the size of one
# checkpoint, the wall time to write one (mean over the run) and to restart
# from one, and the share of the run's wall time that checkpointing took.
# The run is STEPS steps (default 100) with a checkpoint every STEPS/10;
# the restart continues it by STEPS/10 steps. README.md in this folder
# explains the figures. The mesh is not written (at 4 refinements that takes
# longer than the run).
#
#   run_checkpoint_benchmark.sh [refinements] [ranks]   defaults: "2 3" "1 2"
#
# Environment: MVBSIM (default $BUILD_DIR/mvbsim, BUILD_DIR defaulting to
# <repo>/build), MPIEXEC (default mpirun), STEPS, LOG_DIR (default: a new
# folder under /tmp).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mvbsim=${MVBSIM:-${BUILD_DIR:-$repo/build}/mvbsim}
mpiexec=${MPIEXEC:-mpirun}
refinements_list=${1:-2 3}
ranks_list=${2:-1 2}
steps=${STEPS:-100}
every=$((steps / 10 > 0 ? steps / 10 : 1))
log_dir=${LOG_DIR:-$(mktemp -d /tmp/mvbsim-checkpoint-benchmark.XXXXXX)}
mkdir -p "$log_dir"
. "$here/mpi_run_support.sh"

start=$(awk '/set Start time/ {print $NF}' "$repo/scenarios/baseline-3d.prm")
step=$(awk '/set Time step/ {print $NF}' "$repo/scenarios/baseline-3d.prm")

printf '%-6s %-6s %-10s %-12s %-12s %-12s %-10s\n' level ranks cells \
  size_MB write_s restart_s share_%
for level in $refinements_list; do
  for ranks in $ranks_list; do
    run=$log_dir/L$level-np$ranks
    for end in $steps $((steps + every)); do
      cat "$repo/scenarios/baseline-3d.prm" > "$run-$end.prm"
      cat >> "$run-$end.prm" <<PRM
subsection Geometry
  set Global refinements = $level
end
subsection Time stepping
  set End time = $(awk -v s="$start" -v d="$step" -v n="$end" \
    'BEGIN {print s + n * d}')
end
subsection Checkpointing
  set Steps between checkpoints = $every
end
subsection Output
  set Write mesh = false
end
PRM
    done
    rm -rf "$run"
    "$mpiexec" "${mpi_flags[@]}" -np "$ranks" "$mvbsim" --output "$run" \
      "$run-$steps.prm" > "$run.log" 2>&1
    "$mpiexec" "${mpi_flags[@]}" -np "$ranks" "$mvbsim" --restart "$run" \
      "$run-$((steps + every)).prm" > "$run-restart.log" 2>&1
    cells=$(awk '/^  cells/ {print $2; exit}' "$run.log")
    size=$(ls -l "$run"/checkpoints/*.mvbchk | awk '{s += $5; n++}
      END {printf "%.2f", s / n / 1e6}')
    read -r calls write <<< "$(timer_row checkpoint "$run.log")"
    read -r _ restart <<< "$(timer_row restart "$run-restart.log")"
    total=$(total_wall "$run.log")
    awk -v l="$level" -v r="$ranks" -v c="$cells" -v m="$size" \
      -v w="$write" -v n="$calls" -v re="$restart" -v t="$total" 'BEGIN {
      printf "%-6s %-6s %-10s %-12s %-12.4f %-12.4f %-10.1f\n",
        l, r, c, m, w / n, re, 100 * w / t}'
  done
done
echo "(one checkpoint; write_s: mean wall time per checkpoint; restart_s:"
echo " reading, checking and restoring one; share: of the $steps-step run;"
echo " logs in $log_dir)"
