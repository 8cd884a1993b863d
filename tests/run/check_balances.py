#!/usr/bin/env python3
"""Checks the conservation balances of a run's statistics.csv.

Every *_balance_error (cargo, cholesterol and, if it is on, the label) must
stay within --tol (relative) at every output time; the amounts the fields
report as exchanged with the MVBs must equal minus what the MVBs report as
taken (net of what degradation returned) to --tol; and every
process named in --active must have moved a non-zero amount by the end, so
that the balances were tested with it. Exit 0 if all hold, 1 if not, 2 if
the file cannot be read.
"""
import argparse
import csv
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("statistics")
    p.add_argument("--tol", type=float, default=1e-8)
    p.add_argument("--active", action="append", default=[])
    a = p.parse_args()
    try:
        with open(a.statistics) as f:
            rows = [{k: float(v) for k, v in r.items()}
                    for r in csv.DictReader(f)]
    except (OSError, ValueError) as e:
        print(f"cannot read {a.statistics}: {e}")
        return 2
    failures = []
    balances = [c for c in rows[0] if c.endswith("_balance_error")]
    species = [c[:-len("_balance_error")] for c in balances]
    if not {"cargo", "cholesterol"} <= set(species) or \
            not set(species) <= {"cargo", "cholesterol", "label"}:
        failures.append(f"balance columns {balances}")
    for c in balances:
        worst = max(abs(r[c]) for r in rows)
        print(f"{c}: largest {worst:.3e} over {len(rows)} rows")
        if worst > a.tol:
            failures.append(f"{c} reaches {worst:.3e} > {a.tol}")
    for r in rows:
        pairs = [(f"{s}_from_mvbs", -r[f"mvb_{s}_taken"]) for s in species]
        for column, mvbs in pairs:
            field = r[column]
            scale = max(abs(field), abs(mvbs), 1e-300)
            if abs(field - mvbs) > a.tol * scale:
                failures.append(f"t = {r['time']}: {column} = {field!r} but "
                                f"the MVBs exchanged {mvbs!r}")
    last = rows[-1]
    for c in a.active:
        print(f"{c} = {last[c]}")
        if last[c] == 0:
            failures.append(f"{c} is zero at the end: the process was not "
                            "tested")
    for f in failures[:20]:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
