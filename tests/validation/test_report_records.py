#!/usr/bin/env python3
"""The records of the validation report (postprocess/ensemble_record.py),
on the runs and the report of validation.reduced-report:

- a record gives every observable of ensemble.py exactly as the run
  folders do, and the contact-patch share from its fusions;
- the report rebuilt from the records alone (no run folders, no mvbsim)
  has the same rows;
- a record made from other inputs is not reused (the report then runs the
  ensemble, which fails here with a mvbsim that cannot run).

Usage: test_report_records.py REPORT_SCRIPT RUNS REPORT EXPERIMENTS
                              SETTINGS WORK
Exit 77 (skipped) if the records cannot be reused in this checkout: the
simulator's code has uncommitted changes, or the build's revision differs
from the checkout's code (reconfigure to update it)."""
import math
import os
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "postprocess"))
import ensemble as ens  # noqa: E402
import ensemble_record as er  # noqa: E402

script, runs, report, experiments, settings, work = sys.argv[1:7]
root = os.path.dirname(os.path.dirname(os.path.abspath(script)))
records = os.path.join(report, "ensembles")
failures = []


def check(condition, text):
    print(("ok    " if condition else "FAIL  ") + text)
    if not condition:
        failures.append(text)


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


names = sorted(f[:-len(".json")] for f in os.listdir(records)
               if f.endswith(".json"))
check(len(names) >= 2, f"{len(names)} records in {records}")
for name in names:
    record = er.read(os.path.join(records, name + ".json"))
    from_runs = ens.Ensemble(os.path.join(runs, name), record["t0"])
    patch = ens.patch_from_parameters(from_runs.parameters) or (
        np.zeros(2), 1.0)
    with_patch = ens.Ensemble(os.path.join(runs, name), record["t0"], None,
                              patch)
    recorded = er.RecordedEnsemble(record, patch)
    check(recorded.seeds == from_runs.seeds,
          f"{name}: seeds {recorded.seeds}")
    for obs, _ in ens.OBSERVABLES:
        got, want = recorded.column(obs), with_patch.column(obs)
        close = (np.allclose(got, want, rtol=1e-6, equal_nan=True)
                 if obs == "patch_fraction" else
                 all(same(a, b) for a, b in zip(got, want)))
        check(close and len(got) == len(want),
              f"{name}: {obs} from the record equals the runs'")
    fusions = sum(len(x) for _, x, _ in recorded.fusions())
    check(fusions == sum(len(t[t > record["t0"]]) for t, _, _ in
                         (ens.read_fusions(r) for r in from_runs.runs)),
          f"{name}: {fusions} fusions after t0 recorded")
    check(recorded.radial_counts().sum() > 0,
          f"{name}: {recorded.radial_counts().sum()} radial positions")

revision = er.read(os.path.join(records, names[0] + ".json"))["revision"]
if not er.same_code(revision, root):
    print(f"skipped: the records were made by revision {revision}, whose "
          f"code is not the checkout's (uncommitted changes, or a build "
          f"configured at another commit): they would not be reused")
    sys.exit(77 if not failures else 1)

arguments = ["--experiments", experiments, "--settings", settings,
             "--replicates", "8", "--np", "2", "--records", records,
             "--mvbsim", "/bin/false", "--mpirun", "mpirun"]
shutil.rmtree(work, ignore_errors=True)
rebuilt = subprocess.run(
    [sys.executable, script] + arguments +
    ["--runs", os.path.join(work, "runs"),
     "--report", os.path.join(work, "report")],
    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
print(rebuilt.stdout)
check("/bin/false" not in rebuilt.stdout and
      rebuilt.stdout.count(": recorded (") == len(names),
      "the rebuilt report ran no ensemble: every one is recorded")
with open(os.path.join(report, "report.csv")) as f:
    first = f.read()
try:
    with open(os.path.join(work, "report", "report.csv")) as f:
        second = f.read()
except OSError:
    second = ""
check(first == second, "the report rebuilt from the records has the same "
      "rows (report.csv)")

# Other inputs: one more settings file, with only a comment, changes the
# fingerprint, so the ensembles must run again.
extra = os.path.join(work, "comment.prm")
with open(extra, "w") as f:
    f.write("# a comment, and yet other inputs\n")
changed = subprocess.run(
    [sys.executable, script] + arguments +
    ["--settings", extra, "--runs", os.path.join(work, "runs-2"),
     "--report", os.path.join(work, "report-2")],
    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
print(changed.stdout)
check(changed.returncode != 0 and "the input files changed" in changed.stdout,
      "a record of other inputs is not reused: the ensemble runs (and "
      "fails with /bin/false)")

if failures:
    print(f"{len(failures)} checks failed")
    sys.exit(1)
print("all checks passed")
