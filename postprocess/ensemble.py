#!/usr/bin/env python3
"""Summary of an mvbsim ensemble (mvbsim --replicates N): the observables of
physics/MODEL.md section 6 per replicate, their mean with a 95 % confidence
interval, and the ratio to a baseline ensemble.

Usage:
  ensemble.py ENSEMBLE_DIR [--baseline BASELINE_DIR] [--from T0] [--to T1]
              [--csv FILE]

ENSEMBLE_DIR holds the replicates replicate-NNN/ (statistics.csv,
parameters.prm, fusions.h5 and, from model version 2 on, degradations.h5).
The window is [T0, T1] (default: from t = 0, the end of the warm-up, to the
end of the run); T0 and T1 are moved to the nearest output times, where the
cumulative counts are exact, and events (fusions, degradations) count if
their time lies in (T0, T1]. Observables per replicate:
  release_per_hour      exosomes released per hour (sum of ILVs of fused MVBs)
  fusions_per_hour      MVB fusions with the plasma membrane per hour
  docked                mean number of docked MVBs at the output times
  secreted_fraction     fusions / (fusions + degradations)
  degraded_fraction     degradations / (fusions + degradations)
  peripheral_fraction   mean share of MVBs in the outer half of the cytoplasm
  patch_fraction        share of the exosomes released on the contact patch
                        (only with a patch; see patch_from_parameters)
Model version 2 (NaN, and left out of the table, for runs that do not write
the columns or datasets, e.g. version-1 reference outputs):
  median_age_at_fate_min
                        median MVB age (min) at fate, fusions and
                        degradations pooled (the 'age' datasets of fusions.h5
                        and degradations.h5)
  microtubule_delivered_fraction
                        share of the fusions whose MVB reached the cortex on
                        a microtubule run (mvb_fusions_microtubule /
                        mvb_fusions; else fusions.h5 'microtubule_delivery')
  escrt_exosome_fraction, ceramide_exosome_fraction
                        share of the exosomes from ESCRT / ceramide ILVs
                        (mvb_exosomes_escrt, mvb_exosomes_ceramide over
                        mvb_exosomes)
  lysosomal_degradations_per_hour, amphisomal_degradations_per_hour
                        degradations per hour by route
                        (mvb_degradations_lysosomal, _amphisomal)
  mean_lysosome_density time mean of mvb_mean_lysosome_density, the mean
                        lysosome density L(x) at the MVBs (high: clustered
                        around the nucleus / MTOC)
The pulse-chase curve (label released per minute after the pulse) is
postprocess/pulse_chase.py.

Ratios to a baseline: the replicates of the seeds both ensembles ran are
paired (same track network, same births until the perturbation acts)
and the ratio of means R = mean(y)/mean(x) gets the paired delta-method
variance (s_y^2 - 2 R s_xy + R^2 s_x^2) / (n mean(x)^2); otherwise the
unpaired one (s_y^2/n_y + R^2 s_x^2/n_x) / mean(x)^2. The interval is
R +- t(0.975, df) sqrt(var).
"""
import argparse
import csv
import glob
import math
import os
import sys

import h5py
import numpy as np

OBSERVABLES = [
    ("release_per_hour", "exosomes per hour"),
    ("fusions_per_hour", "fusions per hour"),
    ("docked", "docked MVBs"),
    ("secreted_fraction", "secreted fraction"),
    ("degraded_fraction", "degraded fraction"),
    ("peripheral_fraction", "peripheral fraction"),
    ("patch_fraction", "release on the contact patch"),
    # Model version 2.
    ("median_age_at_fate_min", "median MVB age at fate (min)"),
    ("microtubule_delivered_fraction", "fusions delivered by microtubule"),
    ("escrt_exosome_fraction", "ESCRT share of exosomes"),
    ("ceramide_exosome_fraction", "ceramide share of exosomes"),
    ("lysosomal_degradations_per_hour", "lysosomal degradations per hour"),
    ("amphisomal_degradations_per_hour", "amphisomal degradations per hour"),
    ("mean_lysosome_density", "mean lysosome density at the MVBs"),
]


# --- Student's t quantile (no SciPy in Debian's minimal Python set) --------

def _betacf(a, b, x):
    """Continued fraction of the incomplete beta function (Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return h


def _incomplete_beta(a, b, x):
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1 - front * _betacf(b, a, 1 - x) / b


def t_cdf(t, df):
    x = df / (df + t * t)
    tail = 0.5 * _incomplete_beta(df / 2, 0.5, x)
    return 1 - tail if t > 0 else tail


def t_quantile(p, df):
    """The p-quantile of Student's t with df degrees of freedom."""
    if df <= 0:
        return math.inf
    lo, hi = -1e3, 1e3
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


# --- statistics --------------------------------------------------------------

def mean_ci(values):
    """Mean and the half-width of its 95 % confidence interval."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return math.nan, math.nan
    if len(v) == 1:
        return float(v[0]), math.inf
    half = t_quantile(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v))
    return float(v.mean()), float(half)


def ratio_ci(y, x, paired):
    """Ratio of means y/x and its 95 % interval (delta method)."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    if paired:
        keep = np.isfinite(x) & np.isfinite(y)
        x, y = x[keep], y[keep]
    else:
        x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if len(x) < 2 or len(y) < 2 or x.mean() == 0:
        return math.nan, math.nan, math.nan
    r = y.mean() / x.mean()
    if paired:
        n = len(x)
        cov = np.cov(y, x, ddof=1)
        var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (
            n * x.mean() ** 2)
        df = n - 1
    else:
        var = (y.var(ddof=1) / len(y) + r * r * x.var(ddof=1) / len(x)) / (
            x.mean() ** 2)
        df = min(len(x), len(y)) - 1
    half = t_quantile(0.975, df) * math.sqrt(max(var, 0.0))
    return float(r), float(r - half), float(r + half)


# --- reading runs ------------------------------------------------------------

def read_statistics(run):
    path = os.path.join(run, "statistics.csv")
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise ValueError(f"{path} has no rows")
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def parse_prm(lines):
    """The entries of a flat .prm text (as mvbsim writes it: subsections,
    set lines, comments) as {'Subsection/Entry': 'value'}."""
    values, path = {}, []
    for line in lines:
        line = line.split("#")[0].strip()
        if line.startswith("subsection "):
            path.append(line[len("subsection "):].strip())
        elif line == "end":
            path.pop()
        elif line.startswith("set ") and "=" in line:
            name, value = line[4:].split("=", 1)
            values["/".join(path + [name.strip()])] = value.strip()
    return values


def read_parameters(run):
    """parameters.prm as {'Subsection/Entry': 'value'}."""
    with open(os.path.join(run, "parameters.prm")) as f:
        return parse_prm(f)


def _vector(text):
    return np.array([float(v) for v in text.split(",")])


def patch_from_parameters(parameters):
    """The contact patch of a built-in cell as (centre, radius), or None.

    Same rule as the mesh: the patch centre is where the ray from the cell
    centre along 'Direction' meets the membrane; a point belongs to the
    patch if it lies within 'Radius' of that centre."""
    if parameters.get("Geometry/Contact patch/Enable", "false") != "true":
        return None
    dim = int(parameters["Geometry/Dimension"])
    shape = parameters["Geometry/Shape"]
    if shape == "spread cell":
        axes = _vector(parameters["Geometry/Spread cell/Cell semi-axes"])[:dim]
    elif shape == "round cell":
        axes = np.full(dim, float(parameters["Geometry/Round cell/Cell radius"]))
    else:
        raise ValueError("patch_fraction needs a built-in cell shape")
    d = _vector(parameters["Geometry/Contact patch/Direction"])[:dim]
    d = d / np.linalg.norm(d)
    centre = d / math.sqrt(float(np.sum(d * d / axes ** 2)))
    return centre, float(parameters["Geometry/Contact patch/Radius"])


def patch_area_share(parameters, samples=1000000, seed=1):
    """The contact patch's share of the plasma membrane's area (3D) or
    length (2D) for a built-in cell, by Monte Carlo: points uniform on the
    unit sphere (circle) mapped to the membrane x = a s and weighted by the
    area element, |a_1 ... a_d| sqrt(sum s_i^2 / a_i^2) up to a constant;
    the patch region is that of patch_from_parameters. None without a
    patch. Deterministic (fixed seed); relative standard error ~ sqrt((1 - share) / (share samples))."""
    patch = patch_from_parameters(parameters)
    if patch is None:
        return None
    centre, radius = patch
    dim = len(centre)
    if parameters["Geometry/Shape"] == "spread cell":
        axes = _vector(parameters["Geometry/Spread cell/Cell semi-axes"])[:dim]
    else:
        axes = np.full(dim, float(parameters["Geometry/Round cell/Cell radius"]))
    s = np.random.default_rng(seed).normal(size=(samples, dim))
    s /= np.linalg.norm(s, axis=1)[:, None]
    weight = np.sqrt(np.sum(s * s / axes ** 2, axis=1))
    on = np.linalg.norm(s * axes - centre, axis=1) <= radius
    return float(weight[on].sum() / weight.sum())


def wilson_interval(k, n, z=1.959964):
    """The 95 % Wilson score interval of a proportion k/n."""
    if n == 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (
        1 + z * z / n)
    return centre - half, centre + half


def on_patch(positions, patch):
    """Which of the (fusion) @p positions lie in the contact patch region
    @p patch (centre, radius) of patch_from_parameters."""
    centre, radius = patch
    return np.linalg.norm(positions[:, :len(centre)] - centre,
                          axis=1) <= radius


def read_fusions(run):
    with h5py.File(os.path.join(run, "fusions.h5"), "r") as f:
        if "time" not in f or f["time"].shape[0] == 0:
            return np.zeros(0), np.zeros((0, 3)), np.zeros(0)
        return f["time"][:], f["position"][:], f["ilv_count"][:]


def read_events(run, name, fields):
    """The datasets @p fields of the event file @p name of a run
    (fusions.h5, degradations.h5) as {field: array}. None if the file or one
    of the fields is missing (runs of model version 1 have no
    degradations.h5 and no 'age', 'amphisome', 'microtubule_delivery'); a
    file without events (no 'time' dataset, or an empty one) gives empty
    arrays."""
    path = os.path.join(run, name)
    if not os.path.exists(path):
        return None
    with h5py.File(path, "r") as f:
        if "time" not in f or f["time"].shape[0] == 0:
            return {k: np.zeros((0, 3)) if k == "position" else np.zeros(0)
                    for k in fields}
        if any(k not in f for k in fields):
            return None
        return {k: f[k][:] for k in fields}


def ages_at_fate(run, t_from=-math.inf, t_to=math.inf):
    """The ages (s) at fate of the fusions and of the degradations of a run
    whose time lies in (t_from, t_to], as two arrays; None if the run did
    not record them (model version 1)."""
    fusions = read_events(run, "fusions.h5", ("time", "age"))
    degradations = read_events(run, "degradations.h5", ("time", "age"))
    if fusions is None or degradations is None:
        return None

    def inside(e):
        return e["age"][(e["time"] > t_from) & (e["time"] <= t_to)]

    return inside(fusions), inside(degradations)


def _share(part, whole):
    """part / whole, NaN if either is unknown or whole is not positive."""
    if not (math.isfinite(part) and math.isfinite(whole)) or whole <= 0:
        return math.nan
    return part / whole


def window_indices(times, t0, t1):
    # The output times nearest the window's ends: cumulative counts are
    # exact at output times only.
    i0 = int(np.argmin(np.abs(times - t0)))
    i1 = int(np.argmin(np.abs(times - t1)))
    if i1 <= i0:
        raise ValueError(f"empty window [{t0}, {t1}] s: the run covers "
                         f"[{times[0]}, {times[-1]}] s")
    return i0, i1


def replicate_observables(run, t0=0.0, t1=None, patch=None, stats=None):
    """The observables of one run over [t0, t1] (t1 None: the end);
    @p stats: its statistics.csv if already read."""
    s = read_statistics(run) if stats is None else stats
    t = s["time"]
    i0, i1 = window_indices(t, t0, t[-1] if t1 is None else t1)
    hours = (t[i1] - t[i0]) / 3600

    def delta(c):
        return s[c][i1] - s[c][i0]

    def delta_if(c):
        # Columns of model version 2: NaN for runs without them.
        return float(delta(c)) if c in s else math.nan

    fusions, degradations = delta("mvb_fusions"), delta("mvb_degradations")
    fates = fusions + degradations
    o = {
        "release_per_hour": delta("mvb_exosomes") / hours,
        "fusions_per_hour": fusions / hours,
        "docked": float(np.mean(s["mvb_docked"][i0:i1 + 1])),
        "secreted_fraction": fusions / fates if fates > 0 else math.nan,
        "degraded_fraction": degradations / fates if fates > 0 else math.nan,
        "peripheral_fraction":
            float(np.mean(s["mvb_peripheral_fraction"][i0:i1 + 1])),
        "patch_fraction": math.nan,
    }
    if patch is not None:
        ft, fx, fn = read_fusions(run)
        inside = (ft > t[i0]) & (ft <= t[i1])
        on = on_patch(fx, patch)
        total = fn[inside].sum()
        o["patch_fraction"] = (fn[inside & on].sum() / total
                               if total > 0 else math.nan)
    o.update(version2_observables(run, s, i0, i1, hours, delta_if))
    return o


def version2_observables(run, s, i0, i1, hours, delta_if):
    """The observables of model version 2 of replicate_observables (NaN
    where the run lacks the column or dataset)."""
    exosomes, fusions = delta_if("mvb_exosomes"), delta_if("mvb_fusions")
    t = s["time"]
    o = {
        "escrt_exosome_fraction": _share(delta_if("mvb_exosomes_escrt"),
                                         exosomes),
        "ceramide_exosome_fraction":
            _share(delta_if("mvb_exosomes_ceramide"), exosomes),
        "lysosomal_degradations_per_hour":
            delta_if("mvb_degradations_lysosomal") / hours,
        "amphisomal_degradations_per_hour":
            delta_if("mvb_degradations_amphisomal") / hours,
    }
    if "mvb_fusions_microtubule" in s:
        o["microtubule_delivered_fraction"] = _share(
            delta_if("mvb_fusions_microtubule"), fusions)
    else:
        e = read_events(run, "fusions.h5", ("time", "microtubule_delivery"))
        o["microtubule_delivered_fraction"] = math.nan
        if e is not None:
            inside = (e["time"] > t[i0]) & (e["time"] <= t[i1])
            o["microtubule_delivered_fraction"] = _share(
                float(np.sum(e["microtubule_delivery"][inside] == 1)),
                float(np.sum(inside)))
    density = s.get("mvb_mean_lysosome_density")
    if density is not None:
        # No MVBs at an output time: the mean may be written as NaN.
        density = density[i0:i1 + 1]
        density = density[np.isfinite(density)]
    o["mean_lysosome_density"] = (float(np.mean(density))
                                  if density is not None and len(density)
                                  else math.nan)
    ages = ages_at_fate(run, t[i0], t[i1])
    o["median_age_at_fate_min"] = math.nan
    if ages is not None and len(ages[0]) + len(ages[1]) > 0:
        o["median_age_at_fate_min"] = float(
            np.median(np.concatenate(ages))) / 60
    return o


def replicate_runs(directory):
    """The replicate folders replicate-NNN of an ensemble that hold a
    statistics.csv, in order."""
    runs = sorted(glob.glob(os.path.join(directory, "replicate-*")))
    runs = [r for r in runs
            if os.path.exists(os.path.join(r, "statistics.csv"))]
    if not runs:
        raise ValueError(f"{directory} holds no replicate-NNN runs")
    return runs


class Ensemble:
    """The replicates of one `mvbsim --replicates N` folder."""

    def __init__(self, directory, t0=0.0, t1=None, patch=None, limit=None):
        """@p limit: use only the first so many replicates."""
        self.directory = directory
        self.runs = replicate_runs(directory)[:limit]
        self.parameters = read_parameters(self.runs[0])
        self.seeds = [int(read_parameters(r)["MVB/Random seed"])
                      for r in self.runs]
        self.statistics = [read_statistics(r) for r in self.runs]
        self.values = [replicate_observables(r, t0, t1, patch, s)
                       for r, s in zip(self.runs, self.statistics)]

    def column(self, name):
        return np.array([v[name] for v in self.values])

    def summary(self, name):
        return mean_ci(self.column(name))

    def paired_seeds(self, baseline):
        return sorted(set(self.seeds) & set(baseline.seeds))

    def ratio(self, name, baseline):
        """Ratio to @p baseline: paired on the seeds both ensembles ran if
        there are at least two (the other replicates are left out), else
        unpaired."""
        common = self.paired_seeds(baseline)
        if len(common) >= 2:
            mine = {s: v for s, v in zip(self.seeds, self.column(name))}
            theirs = {s: v for s, v in zip(baseline.seeds,
                                           baseline.column(name))}
            return ratio_ci([mine[s] for s in common],
                            [theirs[s] for s in common], paired=True)
        return ratio_ci(self.column(name), baseline.column(name), paired=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ensemble")
    parser.add_argument("--baseline")
    parser.add_argument("--from", dest="t0", type=float, default=0.0)
    parser.add_argument("--to", dest="t1", type=float, default=None)
    parser.add_argument("--csv", help="also write the table to this file")
    args = parser.parse_args()
    try:
        patch = patch_from_parameters(
            read_parameters(sorted(glob.glob(
                os.path.join(args.ensemble, "replicate-*")))[0]))
        e = Ensemble(args.ensemble, args.t0, args.t1, patch)
        b = (Ensemble(args.baseline, args.t0, args.t1, patch)
             if args.baseline else None)
    except (OSError, ValueError, KeyError, IndexError) as err:
        sys.exit(f"ensemble.py: error: {err}")
    print(f"{args.ensemble}: {len(e.runs)} replicates, seeds {e.seeds}")
    header = ["observable", "mean", "ci95_low", "ci95_high"]
    if b:
        header += ["ratio", "ratio_ci95_low", "ratio_ci95_high"]
    rows = []
    for name, _ in OBSERVABLES:
        m, h = e.summary(name)
        if math.isnan(m):
            continue
        row = [name, m, m - h, m + h]
        if b:
            row += list(e.ratio(name, b))
        rows.append(row)
    # The names of model version 2 are longer than the other columns.
    width = max([20] + [len(row[0]) for row in rows])
    print("  ".join(f"{h:>{width if i == 0 else 20}}"
                    for i, h in enumerate(header)))
    for row in rows:
        print("  ".join(f"{row[0]:>{width}}" if i == 0 else f"{v:>20.4g}"
                        for i, v in enumerate(row)))
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)


if __name__ == "__main__":
    main()
