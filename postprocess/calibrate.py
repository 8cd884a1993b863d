#!/usr/bin/env python3
"""Calibration as a computation: searches the free parameters declared in a
calibration file (scenarios/validation/calibration.cfg) for a set that meets
its declared targets (physics/MODEL.md section 7, and directions of section
6 as constraints), and writes calibration.md.

Usage (from the repository root, after building):
  postprocess/calibrate.py [--inputs scenarios/validation/calibration.cfg]
      [--runs calibration-runs] [--output scenarios/validation/calibration.md]
      [--np 2] [--max-evaluations N] [--check-defaults]

The calibration file declares, in sections:
  [search]                 seed, replicates (common random numbers: every
                           candidate runs the seeds s, s+1, ... of the
                           scenarios), design points, refine points, local
                           evaluations, initial step, smallest step, and
                           optionally settings (.prm files appended to every
                           scenario, relative to the file)
  [parameter: PATH]        a free parameter (PATH as in --print-parameters,
                           e.g. MVB/Motion/Diffusion coefficient): low, high
                           (its textbook range), scale (log or linear),
                           digits (significant digits of a value), integer,
                           optionally start (the first design point; else
                           the centre of the range), unit, source
  [target: NAME]           observable (a column of postprocess/ensemble.py),
                           scenario, optional reference (then the target is
                           the ratio scenario/reference, paired by seed), low,
                           high (the band the ensemble mean must lie in),
                           tolerance (the unit of a violation), stage (design:
                           judged from the first stage on; refine: only at
                           the refine and local stages), source

The search, deterministic given the file:
  1. design: a Latin hypercube of `design points` points (NumPy's generator
     seeded with `seed`) in the unit cube of the parameters (log scale where
     declared), after the declared start point (or the centre); each point
     runs the scenarios of the design targets (the baseline) and gets the objective of those targets;
  2. refine: the `refine points` best design points run the scenarios of
     every target (same seeds), and get the full objective;
  3. local: a compass search from the best refined point (each coordinate
     +step then -step; a better point is taken at once; a sweep without
     improvement halves the step) until `local evaluations` points or the
     smallest step.
The objective is the sum over the targets of (distance of the mean outside
[low, high] / tolerance)^2: zero when every target is met. Values are
rounded to their digits before they are run, so the chosen set is the set
that was run, and it can become the built-in defaults as it is.

Resuming: every evaluated point is recorded in RUNS/trace.jsonl as its
ensembles finish, and finished replicates are kept; run the same command
again and the search replays, runs only what is missing and goes on.
--max-evaluations N stops after N new ensemble runs (calibration.md then
says the search is incomplete). --check-defaults compares the chosen values
with mvbsim's built-in defaults (mvbsim --print-parameters) and exits 1 if
any differs.
"""
import argparse
import configparser
import json
import math
import os
import shutil
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ensemble as ens  # noqa: E402
import ensemble_record as er  # noqa: E402
import validation_report as report  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class InputError(Exception):
    pass


# --- the declared inputs -----------------------------------------------------

class Parameter:
    def __init__(self, path, section):
        self.path = path
        try:
            self.low = float(section["low"])
            self.high = float(section["high"])
        except (KeyError, ValueError) as err:
            raise InputError(f"[parameter: {path}]: low and high must be "
                             f"numbers ({err})")
        self.scale = section.get("scale", "linear")
        if self.scale not in ("log", "linear"):
            raise InputError(f"[parameter: {path}]: scale must be log or "
                             f"linear, not '{self.scale}'")
        if not self.low < self.high or (self.scale == "log" and
                                        self.low <= 0):
            raise InputError(f"[parameter: {path}]: need 0 < low < high "
                             f"(log) or low < high (linear)")
        try:
            self.digits = int(section.get("digits", "2"))
            self.integer = section.getboolean("integer", False)
            self.start = (float(section["start"]) if "start" in section
                          else None)
        except ValueError as err:
            raise InputError(f"[parameter: {path}]: digits, integer or "
                             f"start: {err}")
        if self.digits < 1:
            raise InputError(f"[parameter: {path}]: digits must be >= 1")
        if self.start is not None and not (self.low <= self.start <=
                                           self.high):
            raise InputError(f"[parameter: {path}]: start {self.start:g} "
                             f"outside [{self.low:g}, {self.high:g}]")
        self.unit = section.get("unit", "")
        self.source = section.get("source", "")

    def value(self, u):
        """The rounded value at unit coordinate @p u."""
        u = min(max(u, 0.0), 1.0)
        if self.scale == "log":
            v = math.exp(math.log(self.low) + u * math.log(self.high /
                                                           self.low))
        else:
            v = self.low + u * (self.high - self.low)
        if self.integer:
            return float(round(v))
        return float(f"{v:.{self.digits}g}")

    def unit_coordinate(self, v):
        if self.scale == "log":
            return math.log(v / self.low) / math.log(self.high / self.low)
        return (v - self.low) / (self.high - self.low)

    def text(self, v):
        return f"{int(v)}" if self.integer else f"{v:.{self.digits}g}"


class Target:
    def __init__(self, name, section):
        self.name = name
        try:
            self.observable = section["observable"]
            self.scenario = section["scenario"]
            self.low = float(section.get("low", "-inf"))
            self.high = float(section.get("high", "inf"))
            self.tolerance = float(section["tolerance"])
        except (KeyError, ValueError) as err:
            raise InputError(f"[target: {name}]: {err} (needs observable, "
                             f"scenario, low and/or high, tolerance)")
        if not self.tolerance > 0:
            raise InputError(f"[target: {name}]: tolerance must be > 0")
        if not self.low <= self.high:
            raise InputError(f"[target: {name}]: low must not exceed high")
        if self.observable not in dict(ens.OBSERVABLES):
            raise InputError(f"[target: {name}]: unknown observable "
                             f"'{self.observable}'")
        self.reference = section.get("reference", "") or None
        self.stage = section.get("stage", "refine")
        if self.stage not in ("design", "refine"):
            raise InputError(f"[target: {name}]: stage must be design or "
                             f"refine")
        self.source = section.get("source", "")

    def scenarios(self):
        return [self.scenario] + ([self.reference] if self.reference else [])

    def band_text(self):
        if math.isinf(self.high):
            return f"≥ {self.low:g}"
        if math.isinf(self.low):
            return f"≤ {self.high:g}"
        return f"{self.low:g}–{self.high:g}"

    def violation(self, value):
        if math.isnan(value):
            return math.inf
        return max(0.0, self.low - value, value - self.high) / self.tolerance


class Inputs:
    def __init__(self, path):
        self.path = path
        cfg = configparser.ConfigParser(inline_comment_prefixes=(";", "#"),
                                        interpolation=None)
        cfg.optionxform = str
        try:
            if not cfg.read(path):
                raise InputError(f"cannot read the calibration file "
                                 f"'{path}'")
        except configparser.Error as err:
            raise InputError(f"{path}: " + " ".join(str(err).split()))
        if "search" not in cfg:
            raise InputError(f"{path}: no [search] section")
        s = cfg["search"]
        try:
            self.seed = int(s["seed"])
            self.replicates = int(s["replicates"])
            self.design_points = int(s["design points"])
            self.refine_points = int(s.get("refine points", "1"))
            self.local_evaluations = int(s.get("local evaluations", "0"))
            self.initial_step = float(s.get("initial step", "0.25"))
            self.smallest_step = float(s.get("smallest step", "0.03"))
        except (KeyError, ValueError) as err:
            raise InputError(f"{path}: [search]: {err}")
        if self.replicates < 2:
            raise InputError(f"{path}: [search]: replicates must be at "
                             f"least 2 (a confidence interval)")
        if (self.design_points < 0 or self.refine_points < 1
                or self.local_evaluations < 0):
            raise InputError(f"{path}: [search]: need design points >= 0, "
                             f"refine points >= 1, local evaluations >= 0")
        if not 0 < self.smallest_step <= self.initial_step:
            raise InputError(f"{path}: [search]: need 0 < smallest step <= "
                             f"initial step")
        base = os.path.dirname(os.path.abspath(path))
        self.settings = [os.path.join(base, f)
                         for f in s.get("settings", "").split()]
        for f in self.settings:
            if not os.path.exists(f):
                raise InputError(f"{path}: [search]: no settings file "
                                 f"'{f}'")
        self.parameters = [Parameter(n.split(":", 1)[1].strip(), cfg[n])
                           for n in cfg.sections()
                           if n.startswith("parameter:")]
        self.targets = [Target(n.split(":", 1)[1].strip(), cfg[n])
                        for n in cfg.sections() if n.startswith("target:")]
        if not self.parameters or not self.targets:
            raise InputError(f"{path}: needs at least one [parameter: ...] "
                             f"and one [target: ...]")
        unknown = [n for n in cfg.sections()
                   if n != "search" and not n.startswith(("parameter:",
                                                          "target:"))]
        if unknown:
            raise InputError(f"{path}: unknown section [{unknown[0]}]")

    def scenarios(self, stage):
        names = []
        for t in self.targets:
            if stage == "refine" or t.stage == "design":
                names += [n for n in t.scenarios() if n not in names]
        return names

    def targets_of(self, stage):
        return [t for t in self.targets
                if stage == "refine" or t.stage == "design"]


# --- evaluating a point ------------------------------------------------------

def key_of(values):
    return json.dumps([float(v) for v in values])


def settings_text(inputs, values):
    """The parameter values as a .prm (nested subsections)."""
    lines = []
    for p, v in zip(inputs.parameters, values):
        parts = p.path.split("/")
        for depth, name in enumerate(parts[:-1]):
            lines.append("  " * depth + f"subsection {name}")
        lines.append("  " * (len(parts) - 1) + f"set {parts[-1]} = "
                     f"{p.text(v)}")
        for depth in reversed(range(len(parts) - 1)):
            lines.append("  " * depth + "end")
    return "\n".join(lines) + "\n"


class Evaluator:
    """Runs and caches the ensembles of candidate points (RUNS/trace.jsonl).

    A record holds what was measured (values, seconds, and per target the
    ensemble value and interval); whether a target is met and the objective
    are recomputed from the current targets whenever a record is read, so a
    changed band or tolerance applies to every point. What makes a stored
    measurement invalid (the replicates, the settings files, the scenario
    files, the window) is fingerprinted in RUNS/fingerprint.json (the .prm
    files without their comments), and a search in a folder with another
    fingerprint is refused."""

    def __init__(self, inputs, args):
        self.inputs, self.args = inputs, args
        self.trace_path = os.path.join(args.runs, "trace.jsonl")
        self.records = {}
        self.order = []
        self.new_runs = 0
        self._check_fingerprint()
        if os.path.exists(self.trace_path):
            with open(self.trace_path) as f:
                lines = f.read().splitlines()
            for k, line in enumerate(lines):
                try:
                    record = json.loads(line)
                except ValueError:
                    if k < len(lines) - 1:
                        raise InputError(f"{self.trace_path}: line {k + 1} "
                                         f"is not a record")
                    # The last line, cut short by a kill: dropped, and its
                    # point measured again (its finished replicates kept).
                    with open(self.trace_path, "w") as f:
                        f.write("".join(x + "\n" for x in lines[:k]))
                    break
                self._remember(record)

    def _check_fingerprint(self):
        def text(path):
            with open(path) as f:
                return content(f.read())

        names = self.inputs.scenarios("refine")
        fingerprint = {
            "replicates": self.inputs.replicates, "from": self.args.t0,
            "settings": [text(f) for f in self.inputs.settings],
            "scenarios": {n: text(os.path.join(self.args.scenarios,
                                               n + ".prm")) for n in names}}
        path = os.path.join(self.args.runs, "fingerprint.json")
        if os.path.exists(path):
            with open(path) as f:
                old = json.load(f)
            old["settings"] = [content(t) for t in old.get("settings", [])]
            old["scenarios"] = {n: content(t) for n, t in
                                old.get("scenarios", {}).items()}
            for key in fingerprint:
                if key == "scenarios":
                    same = all(old[key].get(n, v) == v
                               for n, v in fingerprint[key].items())
                else:
                    same = old.get(key) == fingerprint[key]
                if not same:
                    raise InputError(f"{self.args.runs} holds a search with "
                                     f"other {key}: use another --runs "
                                     f"folder")
            fingerprint["scenarios"] = {**old["scenarios"],
                                        **fingerprint["scenarios"]}
        with open(path, "w") as f:
            json.dump(fingerprint, f)

    def _remember(self, record):
        for t in self.inputs.targets:
            m = record["targets"].get(t.name)
            if m is not None:
                m["met"] = bool(t.low <= m["value"] <= t.high)
        record["objective"] = objective(self.inputs, record)
        if record["key"] not in self.records:
            self.order.append(record["key"])
        self.records[record["key"]] = record

    def budget_left(self):
        m = self.args.max_evaluations
        return m is None or self.new_runs < m

    def evaluate(self, values, stage, why):
        """The record of the point @p values with the targets of @p stage;
        None if the evaluation budget ran out first (finished ensembles of
        the point are kept and reused when the search resumes)."""
        key = key_of(values)
        record = self.records.get(key)
        targets = self.inputs.targets_of(stage)
        if record and all(t.name in record["targets"] for t in targets):
            return record
        if not self.budget_left():
            return None
        index = (record["index"] if record else len(self.order))
        folder = os.path.join(self.args.runs, f"point-{index:03d}")
        prm = os.path.join(folder, "parameters.prm")
        text = ("# Candidate point of postprocess/calibrate.py\n"
                + settings_text(self.inputs, values))
        if os.path.exists(prm):
            with open(prm) as f:
                if f.read() != text:
                    # Left by a killed point of another search: not ours.
                    shutil.rmtree(folder)
        os.makedirs(folder, exist_ok=True)
        with open(prm, "w") as f:
            f.write(text)
        run_args = argparse.Namespace(
            runs=folder, scenarios=self.args.scenarios,
            settings=self.inputs.settings + [prm],
            replicates=self.inputs.replicates, np=self.args.np,
            mvbsim=self.args.mvbsim, mpirun=self.args.mpirun, reuse=True)
        seconds = dict(record["seconds"]) if record else {}
        names = self.inputs.scenarios(stage)
        text = ", ".join(f"{p.path.split('/')[-1]} {p.text(v)}"
                         for p, v in zip(self.inputs.parameters, values))
        self.log(f"point {index} ({why}, {stage}): {text}")
        for name in names:
            if name in seconds:
                continue
            if not self.budget_left():
                return None
            s = report.run_ensemble(name, run_args, lambda t: None)
            if not math.isnan(s):
                self.new_runs += 1
            seconds[name] = 0.0 if math.isnan(s) else s
        record = {"key": key, "index": index, "values": list(values),
                  "stage": stage, "why": why if not record else
                  record["why"], "seconds": seconds,
                  "replicate_seconds": self._replicate_seconds(folder, names),
                  "targets": self._measure(folder, targets)}
        self._remember(record)
        with open(self.trace_path, "a") as f:
            f.write(json.dumps(record) + "\n")
        self.log(f"  objective {record['objective']:.4g}: " + ", ".join(
            f"{n} {v['value']:.3g}" for n, v in record["targets"].items()))
        return record

    @staticmethod
    def _replicate_seconds(folder, names):
        total = 0.0
        for n in names:
            for r in ens.replicate_runs(os.path.join(folder, n)):
                total += er.replicate_seconds(r)
        return total

    def _measure(self, folder, targets):
        cache = {}

        def ensemble(name):
            if name not in cache:
                cache[name] = ens.Ensemble(os.path.join(folder, name),
                                           self.args.t0)
            return cache[name]

        out = {}
        for t in targets:
            e = ensemble(t.scenario)
            if t.reference:
                v, lo, hi = e.ratio(t.observable, ensemble(t.reference))
            else:
                v, h = e.summary(t.observable)
                lo, hi = v - h, v + h
            out[t.name] = {"value": v, "low": lo, "high": hi}
        return out

    def log(self, text):
        print(text, flush=True)


def content(prm_text):
    """What of a .prm text can change a measurement: its lines without
    comments, blank lines and surrounding blanks (a comment may change
    without making a search's measurements invalid)."""
    lines = (line.split("#")[0].strip() for line in prm_text.splitlines())
    return "\n".join(line for line in lines if line)


def objective(inputs, record):
    total = 0.0
    for t in inputs.targets:
        if t.name in record["targets"]:
            total += t.violation(record["targets"][t.name]["value"]) ** 2
    return total


# --- the search --------------------------------------------------------------

def latin_hypercube(n, d, rng):
    """n points in [0,1]^d, one in each of n strata per coordinate."""
    u = (np.arange(n)[:, None] + rng.random((n, d))) / n
    for j in range(d):
        u[:, j] = u[rng.permutation(n), j]
    return u


def search(inputs, ev):
    """The deterministic search; returns (chosen record, complete?)."""
    params = inputs.parameters
    rng = np.random.default_rng(inputs.seed)

    def point(u):
        return [p.value(x) for p, x in zip(params, u)]

    # The declared start (or the centre) first, then the hypercube.
    first = [0.5 if p.start is None else p.unit_coordinate(p.start)
             for p in params]
    design = [np.array(first)] + list(
        latin_hypercube(inputs.design_points, len(params), rng))
    evaluated = []
    for k, u in enumerate(design):
        r = ev.evaluate(point(u), "design", "start" if k == 0 else
                        f"design {k}")
        if r is None:
            return None, False
        evaluated.append(r)

    def design_objective(r):
        return sum(t.violation(r["targets"][t.name]["value"]) ** 2
                   for t in inputs.targets_of("design"))

    # Distinct points only (two design points may round to one).
    distinct = list({r["key"]: r for r in evaluated}.values())
    best = sorted(distinct, key=lambda r: (design_objective(r), r["index"]))
    refined = []
    for r in best[:inputs.refine_points]:
        full = ev.evaluate(r["values"], "refine", "refine")
        if full is None:
            return None, False
        refined.append(full)
    current = min(refined, key=lambda r: (r["objective"], r["index"]))

    # Compass search. The budget counts the distinct points this search
    # visits here for the first time (not what a resumed search finds in its
    # cache), so the path is the same however often it is interrupted.
    seen = {r["key"] for r in evaluated} | {r["key"] for r in refined}
    step, spent = inputs.initial_step, 0
    while (spent < inputs.local_evaluations and step >= inputs.smallest_step
           and current["objective"] > 0):
        improved = False
        for j in range(len(params)):
            for sign in (1, -1):
                if spent >= inputs.local_evaluations:
                    break
                u = [p.unit_coordinate(v) for p, v in zip(params,
                                                          current["values"])]
                u[j] = min(max(u[j] + sign * step, 0.0), 1.0)
                values = point(u)
                key = key_of(values)
                if key in seen:
                    continue
                r = ev.evaluate(values, "refine", f"local step {step:g}")
                if r is None:
                    return current, False
                seen.add(key)
                spent += 1
                if r["objective"] < current["objective"]:
                    current, improved = r, True
                    break  # the next parameter, from the new point
        if not improved:
            step /= 2
    return current, True


# --- defaults and the written record -----------------------------------------

def built_in_defaults(mvbsim):
    """Every entry of mvbsim --print-parameters as PATH -> text."""
    try:
        out = subprocess.run([mvbsim, "--print-parameters"], text=True,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
    except OSError as err:
        raise InputError(f"cannot run mvbsim '{mvbsim}': {err.strerror}")
    if out.returncode != 0:
        raise InputError(f"'{mvbsim} --print-parameters' failed (exit "
                         f"{out.returncode})")
    return ens.parse_prm(out.stdout.splitlines())


def differs(text, value):
    try:
        return not math.isclose(float(text), value, rel_tol=1e-9)
    except ValueError:
        return True


def fmt(v, digits=3):
    return "–" if v is None or math.isnan(v) else f"{v:.{digits}g}"


def write_markdown(inputs, ev, chosen, complete, defaults, path, wall,
                   inputs_name):
    params, targets = inputs.parameters, inputs.targets
    records = [ev.records[k] for k in ev.order]
    core_hours = sum(r["replicate_seconds"] for r in records) / 3600
    runs = sum(len(r["seconds"]) for r in records) * inputs.replicates
    lines = ["## Calibration", "",
             f"Computed by `postprocess/calibrate.py` from `{inputs_name}` "
             f"(the free parameters with their textbook ranges, and the "
             f"targets): a Latin hypercube of {inputs.design_points} points "
             f"after the declared start, judged on the design targets, the "
             f"{inputs.refine_points} best judged on every target, then a "
             f"compass search of at most {inputs.local_evaluations} points. "
             f"Every point ran the same {inputs.replicates} seeds (common "
             f"random numbers). Objective: Σ (distance outside the band / "
             f"tolerance)²."]
    if inputs.settings:
        base = os.path.dirname(os.path.abspath(path))
        names = ", ".join(f"`{os.path.relpath(f, base)}`"
                          for f in inputs.settings)
        lines[-1] += f" Every scenario ran with {names} appended."
    if not complete:
        lines += ["", "**The search is incomplete** (stopped by "
                  "`--max-evaluations`); run the same command again to "
                  "resume it. The values below are the best point so far."]
    if chosen is None:
        lines += ["", "No point has been judged on every target yet."]
    else:
        lines += ["", f"Chosen point: {chosen['index']} (objective "
                  f"{chosen['objective']:.4g}; "
                  f"{sum(v['met'] for v in chosen['targets'].values())} of "
                  f"{len(targets)} targets met)."]
        full = [r for r in records if r["objective"] == 0
                and all(t.name in r["targets"] for t in targets)]
        if complete and len(full) > 1 and chosen["index"] == full[0]["index"]:
            lines[-1] += (
                f" {len(full)} points met every target ("
                + ", ".join(str(r["index"]) for r in full)
                + "): the targets do not single out one set, and the search "
                "keeps the first it reached.")
        lines += ["",
                  "| parameter | chosen | range | scale | built-in default "
                  "| unit | source |", "|---|---|---|---|---|---|---|"]
        for p, v in zip(params, chosen["values"]):
            d = defaults.get(p.path, "?")
            mark = "" if not differs(d, v) else " (differs)"
            lines.append(f"| {p.path} | {p.text(v)} | {p.low:g}–{p.high:g} "
                         f"| {p.scale} | {d}{mark} | {p.unit} | {p.source} |")
        lines += ["", "| target | observable | band | measured [95 % CI] "
                  "| met | source |", "|---|---|---|---|---|---|"]
        for t in targets:
            m = chosen["targets"][t.name]
            obs = (f"{t.observable}, {t.scenario} / {t.reference}"
                   if t.reference else f"{t.observable}, {t.scenario}")
            lines.append(f"| {t.name} | {obs} | {t.band_text()} | "
                         f"{fmt(m['value'])} [{fmt(m['low'])}, "
                         f"{fmt(m['high'])}] | {'yes' if m['met'] else 'no'} "
                         f"| {t.source} |")
    lines += ["", "### Search trace", "",
              "Each point's objective covers the targets it was judged on: "
              "the design targets only for a point of the design stage "
              "(empty columns), every target from the refine stage on.", "",
              "| point | stage | " + " | ".join(
                  p.path.split("/")[-1] for p in params) + " | objective | "
              + " | ".join(t.name for t in targets) + " |",
              "|---" * (3 + len(params) + len(targets)) + "|"]
    for r in records:
        lines.append(
            f"| {r['index']} ({r['why']}) | {r['stage']} | " + " | ".join(
                p.text(v) for p, v in zip(params, r["values"])) +
            f" | {r['objective']:.3g} | " + " | ".join(
                fmt(r["targets"][t.name]["value"])
                if t.name in r["targets"] else "" for t in targets) + " |")
    ensemble_hours = sum(sum(r["seconds"].values()) for r in records) / 3600
    lines += ["", f"Cost: {len(records)} points, {runs} replicate runs, "
              f"{core_hours:.1f} core-hours (the sum of the replicates' wall "
              f"times), {ensemble_hours:.1f} h of ensemble jobs (wall time, "
              f"over all invocations); "
              + (f"this invocation {wall / 60:.1f} min." if ev.new_runs else
                 "this invocation ran none: every point was read from the "
                 "runs of earlier ones.")]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", default=os.path.join(
        ROOT, "scenarios", "validation", "calibration.cfg"))
    parser.add_argument("--runs", default="calibration-runs")
    parser.add_argument("--output", default=os.path.join(
        ROOT, "scenarios", "validation", "calibration.md"))
    parser.add_argument("--scenarios", default=os.path.join(ROOT,
                                                            "scenarios"))
    parser.add_argument("--np", type=int, default=2)
    parser.add_argument("--mvbsim", default=os.path.join(ROOT, "build",
                                                         "mvbsim"))
    parser.add_argument("--mpirun", default="mpirun")
    parser.add_argument("--from", dest="t0", type=float, default=0.0)
    parser.add_argument("--max-evaluations", type=int, default=None,
                        help="stop after this many new ensemble runs")
    parser.add_argument("--check-defaults", action="store_true",
                        help="exit 1 if a chosen value is not mvbsim's "
                             "built-in default")
    args = parser.parse_args()
    try:
        inputs = Inputs(args.inputs)
        defaults = built_in_defaults(args.mvbsim)
    except InputError as err:
        sys.exit(f"calibrate.py: error: {err}")
    missing = [p.path for p in inputs.parameters if p.path not in defaults]
    if missing:
        sys.exit(f"calibrate.py: error: {args.inputs}: no parameter "
                 f"'{missing[0]}' in mvbsim --print-parameters")
    for name in inputs.scenarios("refine"):
        f = os.path.join(args.scenarios, name + ".prm")
        if not os.path.exists(f):
            sys.exit(f"calibrate.py: error: no scenario file '{f}'")
    os.makedirs(args.runs, exist_ok=True)
    start = time.time()
    try:
        ev = Evaluator(inputs, args)
    except InputError as err:
        sys.exit(f"calibrate.py: error: {err}")
    chosen, complete = search(inputs, ev)
    if chosen is None:
        full = [ev.records[k] for k in ev.order
                if ev.records[k]["stage"] == "refine"]
        chosen = min(full, key=lambda r: (r["objective"], r["index"])) \
            if full else None
    wall = time.time() - start
    write_markdown(inputs, ev, chosen, complete, defaults, args.output, wall,
                   os.path.relpath(args.inputs, os.path.dirname(
                       os.path.abspath(args.output))))
    print(f"calibration written to {args.output} ("
          f"{'complete' if complete else 'incomplete'}; {ev.new_runs} new "
          f"ensemble runs in {wall / 60:.1f} min)")
    if args.check_defaults:
        if not complete:
            sys.exit("calibrate.py: error: --check-defaults: the search is "
                     "incomplete; resume it first")
        bad = [(p, v) for p, v in zip(inputs.parameters, chosen["values"])
               if differs(defaults[p.path], v)]
        for p, v in bad:
            print(f"{p.path}: calibrated {p.text(v)}, built-in default "
                  f"{defaults[p.path]}")
        if bad:
            return 1
        print("every calibrated value is mvbsim's built-in default")
    return 0


if __name__ == "__main__":
    sys.exit(main())
