#!/usr/bin/env python3
"""Checks postprocess/calibrate.py on a small declared calibration
(calibration-quick.cfg, short 2D runs):
  - a search stopped by --max-evaluations resumes: the second invocation
    runs only what is missing and ends with the same trace as an
    uninterrupted search in a fresh folder (deterministic given the file);
  - a third invocation runs nothing;
  - calibration.md has the chosen point, every target and the trace;
  - --check-defaults passes when the chosen point is mvbsim's defaults and
    names the parameter that differs when it is not;
  - bad input files give a one-line error naming the entry.

Usage: test_calibrate.py MVBSIM MPIEXEC WORKDIR
"""
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CALIBRATE = os.path.join(HERE, "..", "..", "postprocess", "calibrate.py")
CFG = os.path.join(HERE, "calibration-quick.cfg")

mvbsim, mpiexec, work = sys.argv[1:4]
failures = []


def check(condition, text):
    print(("ok    " if condition else "FAIL  ") + text, flush=True)
    if not condition:
        failures.append(text)


def calibrate(runs, *extra, inputs=CFG):
    command = [sys.executable, CALIBRATE, "--inputs", inputs, "--runs", runs,
               "--output", os.path.join(runs, "calibration.md"),
               "--mvbsim", mvbsim, "--mpirun", mpiexec, "--np", "2"]
    result = subprocess.run(command + list(extra), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    print(result.stdout)
    return result


def new_runs(result):
    m = re.search(r"(\d+) new ensemble runs", result.stdout)
    return int(m.group(1)) if m else -1


def trace(runs):
    """The final record of every point, in order of first evaluation."""
    records = {}
    with open(os.path.join(runs, "trace.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            records[r["index"]] = (r["values"], r["stage"],
                                   round(r["objective"], 12))
    return [records[k] for k in sorted(records)]


def derived(name, **changes):
    """A copy of the quick file with some [search] or start entries
    changed, next to it in WORKDIR (settings are made absolute)."""
    with open(CFG) as f:
        text = f.read()
    text = text.replace("settings          = reduced-2d.prm "
                        "calibration-quick.prm",
                        f"settings = {os.path.join(HERE, 'reduced-2d.prm')} "
                        f"{os.path.join(HERE, 'calibration-quick.prm')}")
    for old, new in changes.items():
        text = re.sub(old, new, text, count=1, flags=re.M)
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    return path


if os.path.exists(work):
    shutil.rmtree(work)
os.makedirs(work)
resumed, fresh = os.path.join(work, "resumed"), os.path.join(work, "fresh")

# Interrupted after two ensemble runs, then resumed.
first = calibrate(resumed, "--max-evaluations", "2")
check(first.returncode == 0 and new_runs(first) == 2,
      "a search stopped after 2 ensemble runs exits 0")
with open(os.path.join(resumed, "calibration.md")) as f:
    check("search is incomplete" in f.read(),
          "calibration.md says the stopped search is incomplete")
second = calibrate(resumed)
third = calibrate(resumed)
check(second.returncode == 0 and third.returncode == 0,
      "the resumed search completes")
check(new_runs(third) == 0, "a finished search runs nothing again "
      f"({new_runs(third)} new ensemble runs)")

# The same search uninterrupted, in a fresh folder.
whole = calibrate(fresh)
check(whole.returncode == 0, "the uninterrupted search completes")
check(new_runs(whole) == 2 + new_runs(second),
      f"resuming ran only what was missing ({new_runs(second)} + 2 = "
      f"{new_runs(whole)} ensemble runs)")
uninterrupted = trace(fresh)
check(trace(resumed) == uninterrupted,
      "resumed and uninterrupted searches evaluate the same points with "
      "the same objectives")
print("trace:", uninterrupted)

with open(os.path.join(fresh, "calibration.md")) as f:
    md = f.read()
check("Chosen point" in md and "search is incomplete" not in md,
      "calibration.md names the chosen point")
for needle in ("secreted share", "nocodazole release", "Search trace",
               "Cost:", "Diffusion coefficient", "Basal fusion rate"):
    check(needle in md, f"calibration.md has '{needle}'")

# --check-defaults: a search that only runs the start point chooses it.
at_defaults = derived("at-defaults.cfg", **{
    r"^design points .*$": "design points = 0",
    r"^local evaluations .*$": "local evaluations = 0"})
r = calibrate(fresh, "--check-defaults", inputs=at_defaults)
check(r.returncode == 0 and "every calibrated value is mvbsim's built-in "
      "default" in r.stdout, "--check-defaults passes at the defaults")
elsewhere = derived("elsewhere.cfg", **{
    r"^design points .*$": "design points = 0",
    r"^local evaluations .*$": "local evaluations = 0",
    r"^start = 0.01$": "start = 0.002"})
r = calibrate(fresh, "--check-defaults", inputs=elsewhere)
check(r.returncode == 1 and "MVB/Motion/Diffusion coefficient: calibrated "
      "0.002, built-in default 0.01" in r.stdout,
      "--check-defaults names the value that is not the default")

# Bad input: one line naming the entry, non-zero exit, nothing run.
for name, change, expect in (
        ("unknown-parameter.cfg",
         {r"^\[parameter: MVB/Motion/Diffusion coefficient\]$":
          "[parameter: MVB/Motion/Diffusion coefficent]"},
         "no parameter 'MVB/Motion/Diffusion coefficent'"),
        ("bad-range.cfg", {r"^low = 0.001$": "low = 0.1"},
         "[parameter: MVB/Motion/Diffusion coefficient]: need 0 < low < "
         "high"),
        ("bad-observable.cfg",
         {r"^observable = secreted_fraction$":
          "observable = secreted_fractoin"},
         "[target: secreted share]: unknown observable"),
        ("start-outside.cfg", {r"^start = 0.01$": "start = 0.05"},
         "start 0.05 outside"),
        ("zero-tolerance.cfg", {r"^tolerance = 0.05$": "tolerance = 0"},
         "[target: secreted share]: tolerance must be > 0"),
        ("no-refine.cfg", {r"^refine points .*$": "refine points = 0"},
         "refine points >= 1")):
    r = calibrate(os.path.join(work, "bad"), inputs=derived(name, **change))
    lines = [x for x in r.stdout.splitlines() if x.strip()]
    check(r.returncode != 0 and len(lines) == 1 and expect in lines[0],
          f"{name}: one-line error naming the entry ({lines})")

# A folder holding a search of other measurements is not resumed.
r = calibrate(fresh, inputs=derived("more-replicates.cfg", **{
    r"^replicates .*$": "replicates = 3"}))
lines = [x for x in r.stdout.splitlines() if x.strip()]
check(r.returncode != 0 and len(lines) == 1 and "holds a search with other "
      "replicates" in lines[0], f"a search of other replicates is refused "
      f"({lines})")

# A settings file whose comments changed still resumes the search (nothing
# runs again); one whose value changed is refused.
with open(os.path.join(HERE, "calibration-quick.prm")) as f:
    quick_prm = f.read()
for name, text, resumes in (
        ("commented.prm", "# A comment added since.\n" + quick_prm.replace(
            "= 600", "= 600  # ten observed minutes"), True),
        ("changed.prm", quick_prm + "subsection MVB\n  set Initial number = "
         "7\nend\n", False)):
    with open(os.path.join(work, name), "w") as f:
        f.write(text)
    cfg = derived("settings-" + name + ".cfg")
    with open(cfg) as f:
        cfg_text = f.read()
    with open(cfg, "w") as f:
        f.write(cfg_text.replace(os.path.join(HERE, "calibration-quick.prm"),
                                 os.path.join(work, name)))
    r = calibrate(fresh, inputs=cfg)
    if resumes:
        check(r.returncode == 0 and new_runs(r) == 0,
              "a settings file with other comments resumes the search")
    else:
        check(r.returncode != 0 and "holds a search with other settings"
              in r.stdout, "a settings file with another value is refused")

# A trace whose last line a kill cut short: that point is measured again.
with open(os.path.join(resumed, "trace.jsonl")) as f:
    text = f.read()
with open(os.path.join(resumed, "trace.jsonl"), "w") as f:
    f.write(text[:-40])
r = calibrate(resumed)
check(r.returncode == 0 and trace(resumed) == uninterrupted,
      "a trace cut short by a kill resumes to the same search")

sys.exit(1 if failures else 0)
