#!/usr/bin/env python3
"""MVB fates of a run over a time window, from its statistics.csv.

Usage: fate_summary.py RUN_DIR [--from T0] [--to T1] [--compare OTHER_RUN]

Prints, between T0 and T1 (default: the whole run): births, fusions,
exosomes, degradations, the secreted share fusions / (fusions +
degradations), release rates per hour, the mean docked pool and the mean
number of MVBs, and the largest conservation-balance errors. With
--compare, also the ratio of this run's exosome and fusion rates to the
other run's over the same window (e.g. a perturbation against its
baseline).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ensemble as ens  # noqa: E402


def read(run):
    try:
        return ens.read_statistics(run)
    except ValueError as e:
        sys.exit(str(e))


def window(stats, t0, t1):
    t = stats["time"]
    try:
        return ens.window_indices(t, t[0] if t0 is None else t0,
                                  t[-1] if t1 is None else t1)
    except ValueError as e:
        sys.exit(str(e))


def summary(stats, i0, i1):
    t = stats["time"]
    hours = (t[i1] - t[i0]) / 3600

    def delta(c):
        return stats[c][i1] - stats[c][i0]

    def mean(c):
        return sum(stats[c][i0:i1 + 1]) / (i1 - i0 + 1)

    s = {
        "window_s": (t[i0], t[i1]),
        "births": delta("mvb_births"),
        "fusions": delta("mvb_fusions"),
        "exosomes": delta("mvb_exosomes"),
        "degradations": delta("mvb_degradations"),
        "mean_docked": mean("mvb_docked"),
        "mean_total": mean("mvb_total"),
        "mean_peripheral_fraction": mean("mvb_peripheral_fraction"),
    }
    ended = s["fusions"] + s["degradations"]
    s["secreted_share"] = s["fusions"] / ended if ended > 0 else float("nan")
    s["fusions_per_hour"] = s["fusions"] / hours
    s["exosomes_per_hour"] = s["exosomes"] / hours
    for c in stats:
        if c.endswith("_balance_error"):
            s["worst_" + c] = max(abs(v) for v in stats[c])
    return s


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("run")
    p.add_argument("--from", dest="t0", type=float)
    p.add_argument("--to", dest="t1", type=float)
    p.add_argument("--compare")
    a = p.parse_args()
    stats = read(a.run)
    i0, i1 = window(stats, a.t0, a.t1)
    s = summary(stats, i0, i1)
    for k, v in s.items():
        print(f"{k:32s} {v}")
    if a.compare:
        other = read(a.compare)
        j0, j1 = window(other, stats["time"][i0], stats["time"][i1])
        o = summary(other, j0, j1)
        for k in ("exosomes_per_hour", "fusions_per_hour", "mean_docked"):
            ratio = s[k] / o[k] if o[k] > 0 else float("inf")
            print(f"{'ratio_' + k:32s} {ratio}")


if __name__ == "__main__":
    main()
