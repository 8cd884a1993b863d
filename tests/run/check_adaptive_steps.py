#!/usr/bin/env python3
"""Checks the steps of an adaptive run (coupling-busy-adaptive.prm) in its
statistics.csv: a row at every output time, exactly; the step that ends at
the event (the Ca2+ influx step at t = 100) one minimum step long; steps
that grew beyond the first one somewhere and shrank after the event. Exit 0
if all hold, 1 if not.

Usage: check_adaptive_steps.py RUN_DIR
"""
import csv
import os
import sys

START, END, INTERVAL, FIRST_STEP, EVENT = 0.0, 300.0, 10.0, 0.5, 100.0
MINIMUM_STEP = FIRST_STEP / 16


def main():
    with open(os.path.join(sys.argv[1], "statistics.csv")) as f:
        rows = list(csv.DictReader(f))
    failures = []
    times = [float(r["time"]) for r in rows]
    expected = [START + k * INTERVAL
                for k in range(int((END - START) / INTERVAL) + 1)]
    # The times are start + units * unit, with a unit of 2^-5 s: exact.
    if times != expected:
        failures.append(f"output times {times} are not {expected}")
    steps = {float(r["time"]): float(r["time_step"]) for r in rows[1:]}
    print("last step before each output (s): " +
          ", ".join(f"{t:g}: {s:g}" for t, s in steps.items()))
    if steps.get(EVENT) != MINIMUM_STEP:
        failures.append(f"the step ending at the event t = {EVENT:g} is "
                        f"{steps.get(EVENT)} s, not {MINIMUM_STEP} s")
    if max(steps.values()) < 4 * FIRST_STEP:
        failures.append("the steps never grew to 4 times the first one")
    n_steps = int(rows[-1]["step"])
    print(f"{n_steps} steps, against {int((END - START) / FIRST_STEP)} "
          f"fixed ones")
    for failure in failures:
        print("FAILED: " + failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
