#!/usr/bin/env python3
"""The validation report: runs the ensemble of every row of
scenarios/validation/experiments.csv (physics/MODEL.md section 7: the
perturbation experiments and the calibration targets)
and of its reference, and writes report.md, report.csv and the plots.

Usage (from the repository root, after building):
  postprocess/validation_report.py [--replicates 8] [--np 2]
      [--runs validation-runs] [--report scenarios/validation]
      [--settings EXTRA.prm] [--only SCENARIO,...] [--reuse]

Every ensemble is one `mpirun -np NP mvbsim --replicates N` job into
RUNS/<ensemble>; all ensembles use the same seeds, so each perturbed
replicate is paired with the reference replicate of the same seed, and
every row is judged once, at N replicates (no second stage).
--settings appends a .prm to every scenario (the reduced 2D test uses it);
--reuse keeps the finished replicates of an interrupted invocation and runs
only the missing ones.

A row of experiments.csv: experiment, scenario, reference, observable (a
column of postprocess/ensemble.py, or patch_share), expected, settings,
seeds, limitation. Three kinds:
  ratio     (a reference is given) 'down' passes if the ratio's 95 %
            interval lies below 1, 'up' if above 1, 'lo-hi' if above 1
            with the ratio in [lo, hi];
  absolute  (no reference) 'lo-hi', '<=x' or '>=x': the ensemble mean lies
            in the band;
  patch     (observable patch_share, expected 'Kx') the fusions on the
            contact patch over all fusions, pooled over the replicates (at
            least MIN_POOLED_FUSIONS), whose 95 % Wilson interval's lower
            end is at least K times the patch's share of the membrane area.
'settings' (optional) names a documented parameter set (.prm, relative to
the experiments file) run with both the scenario and its reference: the
contradictions of section 7, either sign by parameters. A row with a
'limitation' that does not pass is reported as "not reproducible (model)".
Plots: cumulative_release.png, radial_distribution.png, fusion_sites.png,
age_at_fate.png and, if the baseline runs have the label (Species/Label
on), pulse_chase.png (pulse_chase.py). Exit 0 if every row passes or is a
stated limitation, 1 otherwise.
"""
import argparse
import csv
import glob
import math
import os
import shlex
import shutil
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ensemble as ens  # noqa: E402
import ensemble_record as er  # noqa: E402
import pulse_chase  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# What the report appends to every scenario: no field files (the report
# reads statistics, MVB tables and fusions only), MVB tables every minute.
REPORT_OUTPUT = """
subsection Output
  set Write fields = false
  set Write mesh   = false
  set Write MVBs   = true
end
"""


def read_experiments(path):
    with open(path) as f:
        lines = [line for line in f if not line.lstrip().startswith("#")]
    return list(csv.DictReader(lines))


def finished_replicates(out):
    """The replicate folders of @p out whose run completed, in order."""
    done = []
    for r in sorted(glob.glob(os.path.join(out, "replicate-*"))):
        try:
            with open(os.path.join(r, "log.txt")) as f:
                if "Run complete." not in f.read():
                    break
        except OSError:
            break
        done.append(r)
    return done


def ensemble_input(name, args, scenario=None, extra=()):
    """The input of the ensemble @p name: scenario @p scenario (default @p
    name) with the .prm files @p extra appended after args.settings, and
    the report's output settings, written to RUNS/<name>.prm; returns its
    path."""
    scenario = os.path.abspath(os.path.join(args.scenarios,
                                            (scenario or name) + ".prm"))
    if not os.path.exists(scenario):
        raise SystemExit(f"validation_report.py: error: no scenario file "
                         f"'{scenario}'")
    text = f"include {scenario}\n"
    for more in list(args.settings or []) + list(extra):
        text += f"include {os.path.abspath(more)}\n"
    text += REPORT_OUTPUT
    os.makedirs(args.runs, exist_ok=True)
    prm = os.path.join(args.runs, name + ".prm")
    with open(prm, "w") as f:
        f.write(text)
    return prm


def run_ensemble(name, args, log, scenario=None, extra=()):
    """Runs the ensemble @p name (ensemble_input()) into RUNS/<name>;
    returns seconds.

    With --reuse, finished replicates are kept and only the missing ones
    run: replicates k..N-1 run with the seeds s+k..s+N-1 in a staging
    folder and are moved in as replicate-k... So an interrupted report (or
    calibration) resumes where it stopped, paired by seed. Replicates are
    kept only if they ran from the same inputs: the fingerprint of the
    inputs (ensemble_record.input_fingerprint()) is written to
    RUNS/<name>.sha256 before the ensemble runs."""
    out = os.path.join(args.runs, name)
    prm = ensemble_input(name, args, scenario, extra)
    fingerprint = er.input_fingerprint(prm, ROOT)
    stamp = os.path.join(args.runs, name + ".sha256")
    have = 0
    if args.reuse:
        try:
            with open(stamp) as f:
                same_inputs = f.read().strip() == fingerprint
        except OSError:
            same_inputs = False
        kept = len(finished_replicates(out))
        have = kept if same_inputs else 0
        if kept and not same_inputs:
            log(f"  {name}: not reusing the replicates in {out}: other "
                f"inputs ran them")
    if have >= args.replicates:
        log(f"  {name}: reusing {have} replicates in {out}")
        return math.nan
    with open(stamp, "w") as f:
        f.write(fingerprint + "\n")
    with open(prm) as f:
        text = f.read()
    target = out
    if have > 0:
        seed = int(ens.read_parameters(os.path.join(
            out, "replicate-000"))["MVB/Random seed"])
        text += (f"subsection MVB\n  set Random seed = {seed + have}\n"
                 f"end\n")
        target = out + "-extension"
        with open(prm, "w") as f:
            f.write(text)
    # No more ranks than replicates: a replicate then always runs on one
    # rank, so a resumed ensemble equals an uninterrupted one bit for bit.
    ranks = min(args.np, args.replicates - have)
    command = shlex.split(args.mpirun) + ["-np", str(ranks)]
    if os.geteuid() == 0:
        command += ["--allow-run-as-root", "--oversubscribe"]
    command += [args.mvbsim, "--replicates", str(args.replicates - have),
                "--output", target, "--overwrite", prm]
    log(f"  {name}: {' '.join(command)}")
    start = time.time()
    result = subprocess.run(command, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    seconds = time.time() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout)
        raise SystemExit(f"validation_report.py: error: the ensemble of "
                         f"{name} failed (exit {result.returncode})")
    if have > 0:
        for k in range(args.replicates - have):
            moved = os.path.join(out, f"replicate-{have + k:03d}")
            if os.path.exists(moved):
                shutil.rmtree(moved)
            os.rename(os.path.join(target, f"replicate-{k:03d}"), moved)
        shutil.rmtree(target)
        with open(os.path.join(out, "ensemble.txt"), "a") as f:
            f.write(f"# extended by --reuse: replicates "
                    f"{have}..{args.replicates - 1} with seeds "
                    f"{seed + have}..{seed + args.replicates - 1}\n"
                    f"replicates {args.replicates}\n")
    log(f"  {name}: {args.replicates - have} replicates in {seconds:.0f} s"
        + (f" (added to the {have} there were)" if have else ""))
    return seconds


# Pooled fusions the contact-patch row needs before it is judged
# (issue: the immunological synapse is judged on >= 200 pooled fusions).
MIN_POOLED_FUSIONS = 200


def band_of(expected):
    """(low, high) of an absolute expectation 'lo-hi', '<=x' or '>=x'."""
    if expected.startswith("<="):
        return -math.inf, float(expected[2:])
    if expected.startswith(">="):
        return float(expected[2:]), math.inf
    lo, hi = expected.split("-")
    return float(lo), float(hi)


def verdict(kind, expected, value, lo, hi):
    """The verdict of a row. ratio rows: 'down' passes if the ratio's 95 %
    interval lies below 1, 'up' above 1, 'lo-hi' above 1 with the ratio in
    [lo, hi]; absolute rows: the ensemble mean within the band; the patch
    row: the lower end of the pooled share's interval at least the given
    multiple of the patch's area share (value, lo, hi: the share and its
    interval divided by the area share)."""
    if any(math.isnan(v) for v in (value, lo, hi)):
        return "no data"
    if kind == "ratio":
        if expected == "down":
            return "pass" if hi < 1 else "FAIL"
        if expected == "up":
            return "pass" if lo > 1 else "FAIL"
        band_lo, band_hi = (float(v) for v in expected.split("-"))
        return "pass" if lo > 1 and band_lo <= value <= band_hi else "FAIL"
    if kind == "patch":
        return "pass" if lo >= float(expected.rstrip("x")) else "FAIL"
    band_lo, band_hi = band_of(expected)
    return "pass" if band_lo <= value <= band_hi else "FAIL"


ARROWS = {"down": "↓", "up": "↑"}

# How the report explains each kind of row it has.
ROW_KINDS_TEXT = (
    ("ratio", "- **ratio** rows (the perturbation experiments of "
     "physics/MODEL.md §7): scenario mean over reference mean with the 95 % "
     "interval of the paired ratio (delta method, Student's t); ↓ passes if "
     "the interval lies below 1, ↑ if above 1; a band a–b also needs the "
     "ratio within it."),
    ("absolute", "- **absolute** rows (the calibration targets of §7): the "
     "baseline's ensemble mean must lie in the band; the interval is "
     "shown."),
    ("patch", f"- **patch** row: fusions on the contact patch over all "
     f"fusions, pooled over the replicates (at least {MIN_POOLED_FUSIONS}), "
     f"with its 95 % Wilson interval, divided by the patch's share of the "
     f"membrane area; passes if the interval's lower end is at least the "
     f"multiple asked."),
    ("settings", "- Rows with a parameter set in brackets run the scenario "
     "and its reference with that documented set (the contradictions of §7: "
     "either sign, by parameters)."))


def expected_text(kind, expected):
    if kind == "patch":
        return f"≥ {expected.rstrip('x')}× area share"
    if kind == "absolute":
        lo, hi = band_of(expected)
        return (f"≤ {hi:g}" if math.isinf(lo) else
                f"≥ {lo:g}" if math.isinf(hi) else f"{lo:g}–{hi:g}")
    return ARROWS.get(expected, f"↑ {expected}×")


def row_kind(e):
    if e["observable"] == "patch_share":
        return "patch"
    return "ratio" if e.get("reference") else "absolute"


def ensemble_name(scenario, settings):
    """The ensemble of a scenario with an optional documented parameter set
    (a .prm named in the row's 'settings')."""
    if not settings:
        return scenario
    return f"{scenario}@{os.path.splitext(os.path.basename(settings))[0]}"


# --- plots -------------------------------------------------------------------

def cumulative_release(s, t0):
    """Exosomes released since t0 at the output times from t0 on, from a
    run's statistics."""
    keep = s["time"] >= t0 - 1e-9
    t = s["time"][keep]
    return t, s["mvb_exosomes"][keep] - s["mvb_exosomes"][keep][0]


def band(curves):
    """Mean and 95 % half-width at each output time over replicates."""
    c = np.array(curves)
    mean = c.mean(axis=0)
    if len(c) < 2:
        return mean, np.zeros_like(mean)
    q = ens.t_quantile(0.975, len(c) - 1)
    return mean, q * c.std(axis=0, ddof=1) / math.sqrt(len(c))


def plot_panels(names, draw, path, title, ncols=4):
    """One panel per name; returns False (and removes a stale plot of an
    earlier report) if there is nothing to draw, as in a report of
    absolute rows only."""
    if not names:
        if os.path.exists(path):
            os.remove(path)
        return False
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    nrows = math.ceil(len(names) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols,
                                                     2.8 * nrows),
                             squeeze=False, sharex=True)
    for ax, name in zip(axes.flat, names):
        draw(ax, name)
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=11)
    # Keep 0.4 inch above the panels for the title: tight_layout alone lets
    # it run into the first row's panel titles.
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / fig.get_figheight()))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_cumulative(ensembles, references, path, t0):
    def curves(e):
        runs = [cumulative_release(s, t0) for s in e.statistics]
        n = min(len(t) for t, _ in runs)
        return runs[0][0][:n], band([c[:n] for _, c in runs])

    def draw(ax, name):
        for e, colour, label in ((ensembles[references[name]], "0.5",
                                  references[name]),
                                 (ensembles[name], "C3", name)):
            t, (mean, half) = curves(e)
            h = (t - t0) / 3600
            ax.fill_between(h, mean - half, mean + half, color=colour,
                            alpha=0.3, lw=0)
            ax.plot(h, mean, color=colour, lw=1.2, label=label)
        ax.set_xlabel("time after t = 0 (h)", fontsize=8)
        ax.set_ylabel("exosomes released", fontsize=8)
        ax.legend(fontsize=6, loc="upper left")

    return plot_panels([n for n in ensembles if n in references], draw, path,
                "Cumulative exosome release: mean and 95 % confidence band "
                "over replicates (grey: reference)")


def plot_radial(ensembles, references, path):
    bins = er.RADIAL_BINS

    def histogram(name):
        counts = ensembles[name].radial_counts()
        total = counts.sum()
        return counts / (total * np.diff(bins)) if total else counts

    def draw(ax, name):
        centres = 0.5 * (bins[1:] + bins[:-1])
        ax.step(centres, histogram(references[name]), where="mid",
                color="0.5", label=references[name])
        ax.step(centres, histogram(name), where="mid", color="C0",
                label=name)
        ax.set_xlabel("radial position (0: NE, 1: PM)", fontsize=8)
        ax.set_ylabel("density of MVBs", fontsize=8)
        ax.legend(fontsize=6, loc="upper left")

    return plot_panels([n for n in ensembles if n in references], draw, path,
                "MVB radial distribution over all output times and "
                "replicates (grey: reference)")


def plot_fusion_sites(ensembles, names, patch, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4.2),
                             squeeze=False)
    for ax, name in zip(axes.flat, names):
        e = ensembles[name]
        xs, sizes = [], []
        for _, x, n in e.fusions():
            xs.append(x)
            sizes.append(n)
        x = np.concatenate(xs) if xs else np.zeros((0, 3))
        n = np.concatenate(sizes) if sizes else np.zeros(0)
        ax.scatter(x[:, 0], x[:, 1], s=4 + 0.1 * n, alpha=0.5, color="C3",
                   lw=0)
        p = e.parameters
        if p.get("Geometry/Shape") == "spread cell":
            a = ens._vector(p["Geometry/Spread cell/Cell semi-axes"])
            phi = np.linspace(0, 2 * np.pi, 200)
            ax.plot(a[0] * np.cos(phi), a[1] * np.sin(phi), color="0.3",
                    lw=0.8)
            c = ens._vector(p["Geometry/Spread cell/Nucleus centre"])
            b = ens._vector(p["Geometry/Spread cell/Nucleus semi-axes"])
            ax.plot(c[0] + b[0] * np.cos(phi), c[1] + b[1] * np.sin(phi),
                    color="0.6", lw=0.8)
        if patch is not None:
            centre, radius = patch
            phi = np.linspace(0, 2 * np.pi, 100)
            ax.plot(centre[0] + radius * np.cos(phi),
                    centre[1] + radius * np.sin(phi), color="C0", lw=1,
                    ls="--", label="contact patch region")
            ax.legend(fontsize=7, loc="lower left")
        ax.set_aspect("equal")
        ax.set_title(f"{name}: {len(x)} fusions, {len(e)} replicates",
                     fontsize=9)
        ax.set_xlabel("x (µm)")
        ax.set_ylabel("y (µm)")
    fig.suptitle("Fusion sites on the plasma membrane, seen from above "
                 "(marker size ∝ exosomes released)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def fate_ages(e):
    """Ages at fate (min) of the fusions and of the degradations after t0,
    pooled over the replicates of @p e; None if its runs did not record
    them (model version 1)."""
    ages = e.ages()
    if ages is None:
        return None
    return (np.concatenate([a[0] for a in ages]) / 60,
            np.concatenate([a[1] for a in ages]) / 60)


def plot_age_at_fate(ensembles, names, path, t0):
    ages = {n: fate_ages(ensembles[n]) for n in names}
    pooled = [a for pair in ages.values() if pair is not None for a in pair]
    pooled = np.concatenate(pooled) if pooled else np.zeros(0)
    top = float(np.percentile(pooled, 99)) if len(pooled) else 60.0
    bins = np.linspace(0, max(top, 1.0), 31)

    def draw(ax, name):
        if ages[name] is None:
            ax.text(0.5, 0.5, "no ages at fate recorded\n(model version 1 "
                    "run)", transform=ax.transAxes, ha="center",
                    va="center", fontsize=8)
            ax.set_axis_off()
            return
        per_run = 1 / len(ensembles[name])
        for a, colour, fate in zip(ages[name], ("C3", "C0"),
                                   ("fusions", "degradations")):
            text = f"{fate} (n = {len(a)}"
            text += f", median {np.median(a):.3g} min)" if len(a) else ")"
            ax.hist(np.minimum(a, bins[-1]), bins=bins, histtype="step",
                    color=colour, weights=np.full(len(a), per_run),
                    label=text)
        ax.set_xlabel("MVB age at fate (min)", fontsize=8)
        ax.set_ylabel("MVBs per replicate", fontsize=8)
        ax.legend(fontsize=6, loc="upper right")

    return plot_panels(list(names), draw, path,
                f"MVB age at fate after t = {t0:g} s, pooled over replicates "
                f"(red: fusions, blue: degradations; last bin: older)")


# --- the report --------------------------------------------------------------

def fmt(v, digits=3):
    return "–" if v is None or math.isnan(v) else f"{v:.{digits}g}"


def pooled_patch_fusions(e, patch):
    """Fusions on the contact patch and in all, pooled over the replicates
    of the recorded ensemble @p e."""
    on = total = 0
    for _, x, _ in e.fusions():
        on += int(np.sum(ens.on_patch(x, patch)))
        total += len(x)
    return on, total


def evaluate(experiments, records, args):
    """The ensembles of the @p records (name -> record) and the report's
    rows."""
    # The contact patch of the scenario that has one (the synapse) is
    # measured as a region in every ensemble, its reference included.
    patches = {n: ens.patch_from_parameters(r["parameters"])
               for n, r in records.items()}
    patch = next((p for p in patches.values() if p is not None), None)
    ensembles = {n: er.RecordedEnsemble(r, patch, limit=args.replicates)
                 for n, r in records.items()}

    rows = []
    for e in experiments:
        kind = row_kind(e)
        name = ensemble_name(e["scenario"], e.get("settings"))
        s = ensembles[name]
        obs = e["observable"]
        row = {"experiment": e["experiment"], "kind": kind,
               "scenario": name, "reference": "", "observable": obs,
               "expected": e["expected"], "seeds": e["seeds"],
               "replicates": len(s), "scenario_mean": math.nan,
               "scenario_ci95": math.nan, "reference_mean": math.nan,
               "reference_ci95": math.nan, "value": math.nan,
               "value_ci95_low": math.nan, "value_ci95_high": math.nan,
               "pooled_fusions": "", "limitation": e.get("limitation") or ""}
        if kind == "ratio":
            ref = ensemble_name(e["reference"], e.get("settings"))
            b = ensembles[ref]
            m, h = s.summary(obs)
            mb, hb = b.summary(obs)
            r, lo, hi = s.ratio(obs, b)
            row.update(reference=ref, replicates=len(s.paired_seeds(b))
                       or len(s), scenario_mean=m, scenario_ci95=h,
                       reference_mean=mb, reference_ci95=hb, value=r,
                       value_ci95_low=lo, value_ci95_high=hi)
        elif kind == "absolute":
            m, h = s.summary(obs)
            row.update(scenario_mean=m, scenario_ci95=h, value=m,
                       value_ci95_low=m - h, value_ci95_high=m + h)
        elif patches[name] is None:
            row["verdict"] = "no contact patch in the scenario"
            rows.append(row)
            continue
        else:
            area = ens.patch_area_share(s.parameters)
            on, total = pooled_patch_fusions(s, patches[name])
            lo, hi = ens.wilson_interval(on, total)
            row.update(scenario_mean=on / total if total else math.nan,
                       reference_mean=area, pooled_fusions=total)
            if total >= MIN_POOLED_FUSIONS:
                row.update(value=on / total / area,
                           value_ci95_low=lo / area,
                           value_ci95_high=hi / area)
        row["verdict"] = verdict(kind, e["expected"], row["value"],
                                 row["value_ci95_low"],
                                 row["value_ci95_high"])
        if kind == "patch" and row["pooled_fusions"] < MIN_POOLED_FUSIONS:
            row["verdict"] = (f"too few fusions ({row['pooled_fusions']} < "
                              f"{MIN_POOLED_FUSIONS})")
        if row["limitation"] and row["verdict"] != "pass":
            row["verdict"] = "not reproducible (model)"
        rows.append(row)
    return patches, patch, ensembles, rows


def check_rows(experiments, path):
    """A one-line error for a row that could only fail after its ensembles
    ran: an unknown observable, or an expectation its kind cannot judge."""
    known = dict(ens.OBSERVABLES)
    for k, e in enumerate(experiments):
        where = f"{path}: row {k + 1} ({e.get('experiment')})"
        kind, expected = row_kind(e), e.get("expected") or ""
        if kind != "patch" and e.get("observable") not in known:
            raise ValueError(f"{where}: unknown observable "
                             f"'{e.get('observable')}'")
        try:
            if kind == "patch":
                if e.get("reference"):
                    raise ValueError("a patch_share row has no reference")
                float(expected.rstrip("x"))
                if not expected.endswith("x"):
                    raise ValueError
            elif kind == "ratio" and expected not in ("down", "up"):
                lo, hi = (float(v) for v in expected.split("-"))
            elif kind == "absolute":
                band_of(expected)
        except ValueError as err:
            detail = f" ({err})" if str(err) else ""
            raise ValueError(f"{where}: expected '{expected}' cannot judge "
                             f"a row of kind {kind}{detail}")


def wanted_ensembles(experiments):
    """Every ensemble the rows need, as name -> (scenario, settings), the
    references first."""
    wanted = {}
    for e in experiments:
        for scenario in (e.get("reference"), e["scenario"]):
            if scenario:
                wanted.setdefault(ensemble_name(scenario, e.get("settings")),
                                  (scenario, e.get("settings") or ""))
    return wanted


def row_cell(r):
    kind = r["kind"]
    value = (f"{fmt(r['value'])} [{fmt(r['value_ci95_low'])}, "
             f"{fmt(r['value_ci95_high'])}]")
    if kind == "ratio":
        return (value, f"{fmt(r['scenario_mean'])} ± "
                f"{fmt(r['scenario_ci95'], 2)}",
                f"{fmt(r['reference_mean'])} ± {fmt(r['reference_ci95'], 2)}")
    if kind == "absolute":
        return (f"{fmt(r['value'])} [{fmt(r['value_ci95_low'])}, "
                f"{fmt(r['value_ci95_high'])}]", "", "")
    return (value + " (share / area share)",
            f"share {fmt(r['scenario_mean'])} of {r['pooled_fusions']} "
            f"pooled fusions", f"area share {fmt(r['reference_mean'])}")


def ensemble_record(name, args, log, scenario, settings):
    """The record of the ensemble @p name: REPORT/ensembles/<name>.json if
    it can stand for this run (ensemble_record.reusable()), else that of a
    new run, written there. Returns (seconds of the run or NaN, record)."""
    prm = ensemble_input(name, args, scenario, [settings] if settings else [])
    fingerprint = er.input_fingerprint(prm, ROOT)
    path = os.path.join(args.records, name + ".json")
    record = None if args.rerun else er.read(path)
    why = er.reusable(record, args.replicates, args.t0, fingerprint, ROOT)
    if why is None:
        log(f"  {name}: recorded ({path}, revision {record['revision']})")
        return math.nan, record
    if record is not None:
        log(f"  {name}: not reusing {path}: {why}")
    seconds = run_ensemble(name, args, log, scenario,
                           [settings] if settings else [])
    record = er.record_from_runs(os.path.join(args.runs, name), name,
                                 scenario, os.path.basename(settings or ""),
                                 args.t0, fingerprint, args.replicates)
    record["wall_seconds"] = seconds
    er.write(record, path)
    if not er.same_code(record["revision"], ROOT):
        log(f"  {name}: warning: made by mvbsim revision "
            f"{record['revision']}, whose code is not this checkout's "
            f"(uncommitted changes, or another commit): the record will not "
            f"be reused")
    return seconds, record


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--experiments",
                        default=os.path.join(ROOT, "scenarios", "validation",
                                             "experiments.csv"))
    parser.add_argument("--scenarios", default=os.path.join(ROOT,
                                                            "scenarios"))
    parser.add_argument("--runs", default="validation-runs")
    parser.add_argument("--report", default=os.path.join(ROOT, "scenarios",
                                                         "validation"))
    parser.add_argument("--replicates", type=int, default=8)
    parser.add_argument("--np", type=int, default=2)
    parser.add_argument("--mvbsim", default=os.path.join(ROOT, "build",
                                                         "mvbsim"))
    parser.add_argument("--mpirun", default="mpirun")
    parser.add_argument("--settings", action="append",
                        help="a .prm appended to every scenario (may be "
                             "given more than once)")
    parser.add_argument("--only", help="comma-separated scenarios")
    parser.add_argument("--reuse", action="store_true",
                        help="keep finished replicates of an earlier "
                             "(interrupted) invocation")
    parser.add_argument("--records",
                        help="the folder of the ensembles' records "
                             "(default: REPORT/ensembles)")
    parser.add_argument("--rerun", action="store_true",
                        help="run every ensemble, even those whose record "
                             "could be reused")
    parser.add_argument("--from", dest="t0", type=float, default=0.0)
    parser.add_argument("--title", default="mvbsim validation report")
    args = parser.parse_args()
    args.records = args.records or os.path.join(args.report, "ensembles")
    if args.replicates < 2:
        sys.exit("validation_report.py: error: --replicates must be at "
                 "least 2 for a confidence interval")

    experiments = read_experiments(args.experiments)
    try:
        check_rows(experiments, args.experiments)
    except ValueError as err:
        sys.exit(f"validation_report.py: error: {err}")
    base = os.path.dirname(os.path.abspath(args.experiments))
    for e in experiments:
        if e.get("settings"):
            e["settings"] = os.path.join(base, e["settings"])
            if not os.path.exists(e["settings"]):
                sys.exit(f"validation_report.py: error: {args.experiments}: "
                         f"no settings file '{e['settings']}'")
    if args.only:
        only = set(args.only.split(","))
        unknown = only - {e["scenario"] for e in experiments}
        if unknown:
            sys.exit(f"validation_report.py: error: --only: no experiment "
                     f"with scenario {', '.join(sorted(unknown))}")
        experiments = [e for e in experiments if e["scenario"] in only]
    wanted = wanted_ensembles(experiments)
    names = list(wanted)

    def log(text):
        print(text, flush=True)

    log(f"validation report: {len(experiments)} rows, {len(names)} "
        f"ensembles of {args.replicates} replicates on {args.np} ranks")
    start = time.time()
    seconds, records = {}, {}
    for n, (scenario, settings) in wanted.items():
        seconds[n], records[n] = ensemble_record(n, args, log, scenario,
                                                 settings)
    total = time.time() - start

    patches, patch, ensembles, rows = evaluate(experiments, records, args)
    write_report(args, experiments, names, patches, patch, ensembles, rows,
                 seconds, total, log)
    passed = sum(r["verdict"] == "pass" for r in rows)
    limited = [r for r in rows if r["verdict"].startswith("not reproducible")]
    return 0 if passed + len(limited) == len(rows) else 1


def write_report(args, experiments, names, patches, patch, ensembles, rows,
                 seconds, total, log):
    os.makedirs(args.report, exist_ok=True)
    with open(os.path.join(args.report, "report.csv"), "w",
              newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        for row in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v)
                        for k, v in row.items()})

    references = {r["scenario"]: r["reference"] for r in rows
                  if r["kind"] == "ratio"}
    plots = []
    if plot_cumulative(ensembles, references,
                       os.path.join(args.report, "cumulative_release.png"),
                       args.t0):
        plots.append("cumulative_release.png")
    if plot_radial(ensembles, references,
                   os.path.join(args.report, "radial_distribution.png")):
        plots.append("radial_distribution.png")
    site_names = [n for n in names if patches[n] is not None]
    site_names = ([references.get(site_names[0], names[0])] + site_names
                  if site_names else [names[0]])
    site_names = list(dict.fromkeys(site_names))
    plot_fusion_sites(ensembles, site_names, patch,
                      os.path.join(args.report, "fusion_sites.png"))
    plots.append("fusion_sites.png")
    if plot_age_at_fate(ensembles, names,
                        os.path.join(args.report, "age_at_fate.png"),
                        args.t0):
        plots.append("age_at_fate.png")

    passed = sum(r["verdict"] == "pass" for r in rows)
    limited = [r for r in rows if r["verdict"].startswith("not reproducible")]
    baseline = ensembles[names[0]]
    # The pulse-chase curve of the baseline, if its runs have the label
    # (Species/Label on); else a stale plot of an earlier report goes.
    chase = os.path.join(args.report, "pulse_chase.png")
    curves = None
    if all(pulse_chase.has_label(s) for s in baseline.statistics):
        pulse = pulse_chase.pulse_start_from_parameters(baseline.parameters)
        pulse = 0.0 if pulse is None else pulse
        try:
            curves = pulse_chase.pulse_chase_curves(baseline.statistics,
                                                    pulse)
        except ValueError as err:
            log(f"no pulse-chase plot: {err}")
    if curves is not None:
        pulse_chase.plot_pulse_chase(
            [(names[0], curves, "C2")], chase, pulse,
            dim=pulse_chase.dimension(baseline.parameters))
        plots.append("pulse_chase.png")
    elif os.path.exists(chase):
        os.remove(chase)
    lines = [
        f"# {args.title}", "",
        f"**{passed} of {len(rows)} rows pass**"
        + (f"; {len(limited)} cannot be reproduced by the model as "
           f"specified (see below)" if limited else "") + ". Every ensemble "
        f"has {args.replicates} replicates with the seeds "
        f"{min(baseline.seeds)}, {min(baseline.seeds) + 1}, … (the same for "
        f"every scenario, so replicates are paired by seed), judged once at "
        f"that size, observed from t = {args.t0:g} s (after the warm-up) to "
        f"the end of the run.", "",
    ] + [text for kind, text in ROW_KINDS_TEXT
         if any(r["kind"] == kind or (kind == "settings" and
                                       "@" in r["scenario"]) for r in rows)]
    lines += ["",
        "| experiment | observable | expected | value [95 % CI] | n | "
        "scenario | reference | verdict | seeds |",
        "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        value, scen, ref = row_cell(r)
        label = r["experiment"]
        if "@" in r["scenario"]:
            label += f" [{r['scenario'].split('@')[1]}]"
        lines.append(
            f"| {label} | {r['observable']} | "
            f"{expected_text(r['kind'], r['expected'])} | {value} | "
            f"{r['replicates']} | {scen} | {ref} | {r['verdict']} | "
            f"{r['seeds']} |")
    if limited:
        lines += ["", "## Rows the model as specified cannot reproduce", ""]
        lines += [f"- {r['experiment']} ({r['scenario']}): {r['limitation']}."
                  for r in limited]
    lines += ["", "## Baseline ensemble", "",
              "| observable | mean ± 95 % CI |", "|---|---|"]
    for obs, label in ens.OBSERVABLES:
        m, h = baseline.summary(obs)
        if not math.isnan(m):
            lines.append(f"| {label} | {fmt(m, 4)} ± {fmt(h, 2)} |")
    replicate_time = sum(sum(ensembles[n].seconds()) for n in names)
    revisions = sorted({e.record["revision"] for e in ensembles.values()})
    lines += ["", "## Run", "",
              f"- {sum(len(ensembles[n]) for n in names)} replicate "
              f"runs of {replicate_time / 3600:.1f} core-hours in all (the "
              f"sum of their wall times, one rank each): about "
              f"{replicate_time / 3600 / args.np:.1f} h of wall time with "
              f"{args.np} running at once, however many invocations it "
              f"took.",
              f"- {len(names)} ensembles ("
              + ", ".join(names) + f"), {args.np} MPI ranks per ensemble "
              f"job; "
              + (f"wall time of this invocation {total / 60:.1f} min ("
                 + ", ".join(f"{n} {seconds[n]:.0f} s" for n in names
                             if not math.isnan(seconds[n])) + ")"
                 if any(not math.isnan(v) for v in seconds.values())
                 else "this invocation ran none: every ensemble is read "
                 "from its record") + ".",
              f"- Made by mvbsim revision {', '.join(revisions)}."
              f" What the report reads of each ensemble's runs is its "
              f"record, `{os.path.relpath(args.records, args.report)}/"
              f"<ensemble>.json`: the report is rebuilt from the records "
              f"(and an interrupted one resumed) without running them again "
              f"while the simulator's code and the inputs are those that "
              f"made them.",
              f"- Settings appended to every scenario: "
              f"{', '.join(os.path.basename(x) for x in args.settings or []) or 'none'}"
              " (plus: no field or mesh files).",
              "- Plots: " + ", ".join(f"`{p}`" for p in plots) + ".",
              "- Calibrated parameters: see the section below.", ""]
    calibration = os.path.join(os.path.dirname(args.experiments),
                               "calibration.md")
    if os.path.exists(calibration):
        with open(calibration) as f:
            lines += [f.read().rstrip(), ""]
    with open(os.path.join(args.report, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    log("\n".join(lines[:len(rows) + 14]))
    log(f"report written to {args.report} ({total / 60:.1f} min)")
    for name in ["report.md", "report.csv"] + plots:
        if os.path.getsize(os.path.join(args.report, name)) == 0:
            sys.exit(f"validation_report.py: error: {name} is empty")


if __name__ == "__main__":
    sys.exit(main())
