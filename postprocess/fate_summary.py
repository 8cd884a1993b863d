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

Model version 2 runs also give (each only if the run wrote its column or
dataset, so version-1 outputs print as before): the exosomes by ILV route
(ESCRT, ceramide) and their shares, the degradations by route (lysosomal,
amphisomal) with their shares and rates per hour, the share of fusions
delivered by a microtubule run, the mean lysosome density at the MVBs
(high: perinuclear), the label released and destroyed (Species/Label on),
and the median MVB age at fate (min) over fusions, degradations and both,
from fusions.h5 and degradations.h5.
"""
import argparse
import os
import sys

import numpy as np

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


def summary(stats, i0, i1, run=None):
    """The fates of a run over output rows i0..i1; @p run: its folder, for
    the ages at fate of fusions.h5 and degradations.h5 (model version 2)."""
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
    s.update(version2(stats, i0, i1, hours, run))
    for c in stats:
        if c.endswith("_balance_error"):
            s["worst_" + c] = max(abs(v) for v in stats[c])
    return s


def version2(stats, i0, i1, hours, run):
    """The quantities of model version 2 a run has columns or datasets
    for."""
    t = stats["time"]
    s = {}

    def delta(c):
        return stats[c][i1] - stats[c][i0]

    def share(part, whole):
        return part / whole if whole > 0 else float("nan")

    if "mvb_exosomes_escrt" in stats and "mvb_exosomes_ceramide" in stats:
        s["exosomes_escrt"] = delta("mvb_exosomes_escrt")
        s["exosomes_ceramide"] = delta("mvb_exosomes_ceramide")
        s["escrt_share"] = share(s["exosomes_escrt"], delta("mvb_exosomes"))
        s["ceramide_share"] = share(s["exosomes_ceramide"],
                                    delta("mvb_exosomes"))
    if ("mvb_degradations_lysosomal" in stats
            and "mvb_degradations_amphisomal" in stats):
        s["degradations_lysosomal"] = delta("mvb_degradations_lysosomal")
        s["degradations_amphisomal"] = delta("mvb_degradations_amphisomal")
        s["lysosomal_share"] = share(s["degradations_lysosomal"],
                                     delta("mvb_degradations"))
        s["amphisomal_share"] = share(s["degradations_amphisomal"],
                                      delta("mvb_degradations"))
        s["lysosomal_per_hour"] = s["degradations_lysosomal"] / hours
        s["amphisomal_per_hour"] = s["degradations_amphisomal"] / hours
    if "mvb_amphisomes" in stats:
        s["mean_amphisomes"] = sum(stats["mvb_amphisomes"][i0:i1 + 1]) / (
            i1 - i0 + 1)
    if "mvb_fusions_microtubule" in stats:
        s["fusions_microtubule"] = delta("mvb_fusions_microtubule")
        s["microtubule_delivered_share"] = share(s["fusions_microtubule"],
                                                 delta("mvb_fusions"))
    if "mvb_mean_lysosome_density" in stats:
        d = [v for v in stats["mvb_mean_lysosome_density"][i0:i1 + 1]
             if v == v]
        s["mean_lysosome_density"] = (sum(d) / len(d) if d
                                      else float("nan"))
    if "mvb_label_exported" in stats:
        s["label_exported"] = delta("mvb_label_exported")
        if "mvb_label_degraded" in stats:
            s["label_degraded"] = delta("mvb_label_degraded")
    ages = ens.ages_at_fate(run, t[i0], t[i1]) if run else None
    if ages is not None:
        for key, a in (("median_age_at_fusion_min", ages[0]),
                       ("median_age_at_degradation_min", ages[1]),
                       ("median_age_at_fate_min",
                        np.concatenate(ages))):
            s[key] = (float(np.median(a)) / 60 if len(a)
                      else float("nan"))
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
    s = summary(stats, i0, i1, a.run)
    for k, v in s.items():
        print(f"{k:32s} {v}")
    if a.compare:
        other = read(a.compare)
        j0, j1 = window(other, stats["time"][i0], stats["time"][i1])
        o = summary(other, j0, j1, a.compare)
        for k in ("exosomes_per_hour", "fusions_per_hour", "mean_docked"):
            ratio = s[k] / o[k] if o[k] > 0 else float("inf")
            print(f"{'ratio_' + k:32s} {ratio}")


if __name__ == "__main__":
    main()
