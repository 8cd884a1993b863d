#!/usr/bin/env python3
"""Pulse-chase curve of an mvbsim ensemble (model version 2, Species/Label
on): the labelled cargo released by fusions per minute after the pulse,
mean and 95 % confidence band over the replicates, and the cumulative
released label.

Usage:
  pulse_chase.py ENSEMBLE_DIR [--pulse-start T] [--out FILE.png]
                 [--baseline DIR]

ENSEMBLE_DIR is an ensemble (replicate-NNN/statistics.csv, as for
ensemble.py) or a single run folder with a statistics.csv (no band then).
Per replicate, the cumulative column mvb_label_exported gives the label
released in each output interval; divided by the interval's length it is a
rate in uM um^3 per minute (uM um^2 in 2D), plotted at the interval's
midpoint against the time after the pulse start T (s; default: read from
Species/Label/Pulse if it has the form '(t >= T) ...', else 0). From the
output time nearest T on.
The band is the t-interval of the mean over the replicates
(ensemble.mean_ci), at each output time; replicates are cut to the
shortest. A second panel shows the cumulative released label since T.
--baseline draws a second ensemble in grey (e.g. the unperturbed cell).
Prints the table: interval after the pulse (min), mean rate and its 95 %
interval, cumulative released label and its half-width. Writes FILE.png
(default pulse_chase.png).
"""
import argparse
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ensemble as ens  # noqa: E402

LABEL = "mvb_label_exported"


def has_label(stats):
    """Whether a run's statistics have the label column (Species/Label on,
    model version 2)."""
    return LABEL in stats


def pulse_start_from_parameters(parameters):
    """The start of the pulse if Species/Label/Pulse reads '(t >= T) ...'
    (the default is '(t >= 0) * (t < 600)'), else None."""
    pulse = parameters.get("Species/Label/Pulse", "")
    number = r"([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)"
    m = re.match(r"\s*\(?\s*t\s*>=?\s*" + number, pulse)
    return float(m.group(1)) if m else None


def run_folders(directory):
    """The replicates of an ensemble folder, or the folder itself if it is a
    single run."""
    try:
        return ens.replicate_runs(directory)
    except ValueError:
        if os.path.exists(os.path.join(directory, "statistics.csv")):
            return [directory]
        raise


def label_release(stats, pulse_start):
    """One run's label release from the output time nearest @p pulse_start
    on: (t, released), t the output times after the pulse start (s) and
    released the label exported by fusions since then (uM um^dim)."""
    if not has_label(stats):
        raise ValueError(f"no column {LABEL} in statistics.csv (is "
                         f"Species/Label enabled? model version 2 only)")
    t = stats["time"]
    i0 = int(np.argmin(np.abs(t - pulse_start)))
    released = stats[LABEL][i0:] - stats[LABEL][i0]
    return t[i0:] - pulse_start, released


def pulse_chase_curves(statistics, pulse_start):
    """The pulse-chase curves of the replicates' @p statistics: a dict with
    t_min (output times after the pulse, min), mid_min (midpoints of the
    output intervals, min), rate_mean and rate_half (label released per
    minute in each interval, mean and 95 % half-width over the
    replicates), released_mean and released_half (cumulative, at t_min),
    and replicates."""
    runs = [label_release(s, pulse_start) for s in statistics]
    n = min(len(t) for t, _ in runs)
    if n < 2:
        raise ValueError("fewer than two output times after the pulse start")
    t = runs[0][0][:n]
    for other, _ in runs[1:]:
        if not np.allclose(other[:n], t):
            raise ValueError("the replicates have different output times")
    released = np.array([r[:n] for _, r in runs])
    minutes = np.diff(t) / 60
    rates = np.diff(released, axis=1) / minutes

    def band(values):
        m, h = zip(*(ens.mean_ci(values[:, k])
                     for k in range(values.shape[1])))
        return np.array(m), np.array(h)

    rate_mean, rate_half = band(rates)
    released_mean, released_half = band(released)
    return {"t_min": t / 60, "mid_min": 0.5 * (t[1:] + t[:-1]) / 60,
            "rate_mean": rate_mean, "rate_half": rate_half,
            "released_mean": released_mean, "released_half": released_half,
            "replicates": len(runs)}


def dimension(parameters):
    """Geometry/Dimension of a run's parameters (3 if not given)."""
    return int(parameters.get("Geometry/Dimension", 3))


def curves_of(directory, pulse_start=None):
    """The pulse-chase curves of an ensemble (or run) folder, the pulse
    start used, and the cell's dimension."""
    runs = run_folders(directory)
    try:
        parameters = ens.read_parameters(runs[0])
    except OSError:
        parameters = {}
    if pulse_start is None:
        pulse_start = pulse_start_from_parameters(parameters)
        pulse_start = 0.0 if pulse_start is None else pulse_start
    statistics = [ens.read_statistics(r) for r in runs]
    for run, stats in zip(runs, statistics):
        if not has_label(stats):
            raise ValueError(f"{run}/statistics.csv has no column {LABEL} "
                             f"(Species/Label off, or a run of model "
                             f"version 1)")
    return (pulse_chase_curves(statistics, pulse_start), pulse_start,
            dimension(parameters))


def plot_pulse_chase(series, path, pulse_start, title=None, dim=3):
    """Plots [(name, curves, colour), ...] (curves of pulse_chase_curves):
    release rate (left) and cumulative released label (right); @p dim: the
    cell's dimension (amounts in uM um^dim)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (rate_ax, cum_ax) = plt.subplots(1, 2, figsize=(10, 3.8))
    for name, c, colour in series:
        # One replicate: no interval (mean_ci gives an infinite one).
        label = f"{name} ({c['replicates']} replicates)"
        for ax, x, mean, half in (
                (rate_ax, c["mid_min"], c["rate_mean"], c["rate_half"]),
                (cum_ax, c["t_min"], c["released_mean"],
                 c["released_half"])):
            half = np.where(np.isfinite(half), half, np.nan)
            ax.fill_between(x, mean - half, mean + half, color=colour,
                            alpha=0.3, lw=0)
            ax.plot(x, mean, color=colour, lw=1.2, label=label)
    unit = "µM µm³" if dim == 3 else "µM µm²"
    rate_ax.set_ylabel(f"label released ({unit} / min)", fontsize=9)
    cum_ax.set_ylabel(f"label released since the pulse ({unit})",
                      fontsize=9)
    for ax in (rate_ax, cum_ax):
        ax.set_xlabel(f"time after the pulse start t = {pulse_start:g} s "
                      f"(min)", fontsize=9)
        ax.axvline(0, color="0.6", lw=0.8, ls=":")
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=7, loc="upper right")
    fig.suptitle(title or "Pulse-chase: label released by MVB fusions, mean "
                 "and 95 % confidence band over replicates", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def table(curves):
    """The printed table of pulse_chase_curves' result."""
    c = curves
    rows = ["{:>10} {:>10} {:>14} {:>14} {:>14} {:>14} {:>12}".format(
        "from_min", "to_min", "rate_mean", "rate_ci95_low", "rate_ci95_high",
        "released", "released_ci95")]
    for k in range(len(c["rate_mean"])):
        m, h = c["rate_mean"][k], c["rate_half"][k]
        rows.append(
            f"{c['t_min'][k]:>10.4g} {c['t_min'][k + 1]:>10.4g} "
            f"{m:>14.4g} {m - h:>14.4g} {m + h:>14.4g} "
            f"{c['released_mean'][k + 1]:>14.4g} "
            f"{c['released_half'][k + 1]:>12.4g}")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ensemble")
    parser.add_argument("--pulse-start", type=float, default=None,
                        help="start of the pulse (s); default: from "
                             "Species/Label/Pulse, else 0")
    parser.add_argument("--out", default="pulse_chase.png")
    parser.add_argument("--baseline")
    args = parser.parse_args()
    try:
        curves, start, dim = curves_of(args.ensemble, args.pulse_start)
        base = (curves_of(args.baseline, start)[0] if args.baseline
                else None)
    except (OSError, ValueError, KeyError) as err:
        sys.exit(f"pulse_chase.py: error: {err}")
    series = ([] if base is None else
              [(os.path.basename(os.path.normpath(args.baseline)), base,
                "0.5")])
    series.append((os.path.basename(os.path.normpath(args.ensemble)), curves,
                   "C2"))
    unit = f"uM um^{dim}"
    print(f"{args.ensemble}: {curves['replicates']} replicates, pulse start "
          f"t = {start:g} s; label released per minute ({unit}/min) and "
          f"since the pulse ({unit}), mean and 95 % interval")
    print(table(curves))
    if base is not None:
        print(f"\nbaseline {args.baseline}: {base['replicates']} replicates")
        print(table(base))
    plot_pulse_chase(series, args.out, start, dim=dim)
    print(f"plot written to {args.out}")


if __name__ == "__main__":
    main()
