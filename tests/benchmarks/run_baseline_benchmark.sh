#!/usr/bin/env bash
# The 3D baseline cell (scenarios/baseline-3d.prm) at its default resolution,
# shortened to SIM seconds of its warm-up, at each rank count: simulated
# seconds per wall second, the wall time by phase (fields, MVB engine and
# its phases, output) from the run's TimerOutput table, and the wall time one
# simulated hour takes at that rate. README.md in this folder explains the
# figures.
#
#   run_baseline_benchmark.sh [sim_seconds] [ranks]   defaults: 300 "1 2"
#
# Environment: MVBSIM (default $BUILD_DIR/mvbsim, BUILD_DIR defaulting to
# <repo>/build), MPIEXEC (default mpirun), LOG_DIR (default: a new folder
# under /tmp), APPEND (a .prm file whose settings are appended to the
# scenario, e.g. another Fields/Preconditioner or Geometry/Global
# refinements).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mvbsim=${MVBSIM:-${BUILD_DIR:-$repo/build}/mvbsim}
mpiexec=${MPIEXEC:-mpirun}
sim=${1:-300}
ranks_list=${2:-1 2}
log_dir=${LOG_DIR:-$(mktemp -d /tmp/mvbsim-baseline-benchmark.XXXXXX)}
mkdir -p "$log_dir"
mpi_flags=()
[ "$(id -u)" = 0 ] && mpi_flags+=(--allow-run-as-root)
mpi_flags+=(--oversubscribe)

# The scenario, ending SIM seconds after its start; statistics every 60 s
# and the fields and MVBs written every 60 s, as the scenario does.
start=$(awk '/set Start time/ {print $NF}' "$repo/scenarios/baseline-3d.prm")
scenario=$log_dir/baseline-3d-benchmark.prm
sed "s/set End time *= *[^#]*/set End time = $((start + sim))/" \
  "$repo/scenarios/baseline-3d.prm" > "$scenario"
if [ -n "${APPEND:-}" ]; then
  cat "$APPEND" >> "$scenario"
fi

printf '%-6s %-7s %-8s %-9s %-8s %-8s %-8s %-8s %-8s %-8s %-8s %-9s\n' ranks \
  sim_s wall_s sim/wall fields MVBs motion migr coupling output other \
  hour_min
for ranks in $ranks_list; do
  out=$log_dir/np$ranks
  log=$log_dir/np$ranks.log
  "$mpiexec" "${mpi_flags[@]}" -np "$ranks" "$mvbsim" --overwrite \
    --output "$out" "$scenario" > "$log" 2>&1
  # TimerOutput rows: "| section | calls | wall time | % |"; then the MVB
  # engine's phases within its section "MVBs": "  phase   seconds s  share %".
  awk -F'|' -v ranks="$ranks" -v sim="$sim" '
    /Total wallclock time elapsed since start/ {
      split($3, w, "s"); total = w[1] + 0
    }
    NF >= 5 && $3 ~ /[0-9]/ {
      name = $2; gsub(/^ +| +$/, "", name)
      t = $4; gsub(/[ s]/, "", t); t += 0
      # Every section of the field steps: right-hand sides, solves, the
      # error estimate, and the matrices and preconditioners of new step
      # lengths (adaptive steps); not the set-up of the DoFs.
      if (name ~ /^fields: / && name != "fields: setup") fields += t
      else if (name == "MVBs") mvbs += t
      else if (name == "output") output += t
    }
    /^MVB engine by phase/ { phases = 1; next }
    phases && /^  [a-z].* s +[0-9.]+ %$/ {
      line = $0; sub(/^  /, "", line)
      t = line; sub(/ +[0-9.eE+-]+ s +[0-9.]+ %$/, "", t)
      s = substr(line, length(t) + 1); sub(/^ +/, "", s); s += 0
      if (t ~ /^(motion and transitions|births)$/) motion += s
      else if (t == "migration") migration += s
      else if (t ~ /^field/) coupling += s
      next
    }
    phases && !/^  / { phases = 0 }
    END {
      loop = fields + mvbs + output
      printf "%-6s %-7s %-8.1f %-9.1f %-8.1f %-8.1f %-8.1f %-8.1f %-8.1f %-8.1f %-8.1f %-9.1f\n",
        ranks, sim, total, sim / total, fields, mvbs, motion, migration,
        coupling, output, total - loop, 3600 / (sim / total) / 60
    }' "$log"
done
echo "(wall times in s: fields = right-hand sides, solves, error estimates and"
echo " the matrices and preconditioners of the step lengths; MVBs = the whole"
echo " MVB engine, of which motion (with transitions and births), migration"
echo " and coupling (field values and deposits); other = set-up, mesh and run"
echo " record, checkpoints and everything untimed; sim/wall and the hour from"
echo " the whole wall time; logs in $log_dir)"
