#!/usr/bin/env python3
"""The records of the validation report (postprocess/ensemble_record.py),
on the runs and the report of validation.reduced-report:

- a record gives every observable of ensemble.py exactly as the run
  folders do, and the contact-patch share from its fusions;
- the report rebuilt from the records alone (no run folders, no mvbsim)
  has the same rows;
- a record is not reused for other inputs, another t0, more replicates
  or code that is not the checkout's (the report then runs the ensemble,
  which fails here with a mvbsim that cannot run, after saying why).

Usage: test_report_records.py REPORT_SCRIPT RUNS REPORT EXPERIMENTS
                              SETTINGS WORK
Exit 77 (skipped) if the records cannot be reused in this checkout: the
simulator's code has uncommitted changes, or the build that made them is
of a commit whose code is not the checkout's."""
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
             "--np", "2", "--mvbsim", "/bin/false", "--mpirun", "mpirun"]
shutil.rmtree(work, ignore_errors=True)
rebuilt = subprocess.run(
    [sys.executable, script] + arguments +
    ["--replicates", "8", "--records", records,
     "--runs", os.path.join(work, "runs"),
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



def not_reused(more, why, text, records_dir=records):
    """Runs the report with the further arguments @p more; the first
    ensemble must not be taken from its record, for the reason @p why."""
    k = len(failures)
    changed = subprocess.run(
        [sys.executable, script] + arguments +
        ["--records", records_dir, "--runs", os.path.join(work, f"runs-{k}"),
         "--report", os.path.join(work, f"report-{k}")] + more,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(changed.stdout)
    check(changed.returncode != 0 and why in changed.stdout,
          f"a record is not reused for {text}: the ensemble runs (and "
          f"fails with /bin/false)")


# One more settings file, with only a comment, changes the fingerprint.
extra = os.path.join(work, "comment.prm")
with open(extra, "w") as f:
    f.write("# a comment, and yet other inputs\n")
not_reused(["--settings", extra], "the input files changed", "other inputs")
not_reused(["--from", "60"], "observed from t = 0 s", "another t0")
not_reused(["--replicates", "16"], "8 replicates recorded",
           "more replicates")
# A record made by a build with uncommitted changes to the code.
dirty = os.path.join(work, "dirty-records")
shutil.copytree(records, dirty)
for name in names:
    path = os.path.join(dirty, name + ".json")
    record = er.read(path)
    record["revision"] += "-dirty"
    er.write(record, path)
not_reused([], "whose code differs", "code that is not the checkout's",
           dirty)

if failures:
    print(f"{len(failures)} checks failed")
    sys.exit(1)
print("all checks passed")
