# Sourced by the run_*_benchmark.sh scripts: the MPI launcher flags and
# readers of mvbsim's TimerOutput table.
mpi_flags=()
[ "$(id -u)" = 0 ] && mpi_flags+=(--allow-run-as-root)
mpi_flags+=(--oversubscribe)

# TimerOutput row "| name | calls | wall time | % |": calls and seconds
# (summed if the name repeats; "0 0" if the section did not run).
timer_row() {
  awk -F'|' -v name="$1" '{n = $2; gsub(/^ +| +$/, "", n)}
    n == name {t = $4; gsub(/[ s]/, "", t); c += $3; s += t}
    END {print c + 0, s + 0}' "$2"
}

# Seconds of a TimerOutput section.
section() {
  timer_row "$1" "$2" | awk '{print $2}'
}

# The run's total wall time in seconds.
total_wall() {
  awk '/Total wallclock time elapsed since start/ {
    split($0, a, "|"); t = a[3]; gsub(/[ s]/, "", t); print t; exit}' "$1"
}
