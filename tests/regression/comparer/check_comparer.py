#!/usr/bin/env python3
"""Checks mvbsim-compare on small snapshot-like HDF5 files.

Usage: check_comparer.py MVBSIM_COMPARE WORK_DIR CASE

Writes a reference and a result file into WORK_DIR (emptied first), runs the
comparer on them and checks its exit code and what it prints. Exit 0 if the
case passes, 1 with the reason otherwise.
"""
import os
import re
import shutil
import subprocess
import sys

import h5py
import numpy as np

EXE, WORK, CASE = sys.argv[1], sys.argv[2], sys.argv[3]


def snapshot():
    """The datasets of a small snapshot.h5: three outputs, two probes and
    an MVB table of three MVBs with a one-element time."""
    return {
        "time": np.array([0.0, 1.0, 2.0]),
        "statistics/calcium_total": np.array([1.0, 1.1, 1.2]),
        "statistics/cargo_balance_error": np.array([1e-15, -2e-15, 3e-15]),
        "fields/calcium/integral": np.array([0.5, 0.25, 0.125]),
        "fields/calcium/probes": np.arange(6.0).reshape(3, 2) * 0.1,
        "probes/position": np.array([[1.0, 2.0, 0.5], [-3.0, 0.0, 1.0]]),
        "mvbs/id": np.array([3, 7, 12], dtype=np.uint32),
        "mvbs/position": np.arange(9.0).reshape(3, 3) + 0.5,
        "mvbs/mode": np.array([0, 1, 4], dtype=np.uint32),
        "mvbs/time": np.array([2.0]),
    }


def write(name, datasets):
    path = os.path.join(WORK, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with h5py.File(path, "w") as f:
        for key, value in datasets.items():
            f[key] = value
    return path


def write_text(name, text):
    path = os.path.join(WORK, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def run(*args):
    p = subprocess.run([EXE, *args], capture_output=True, text=True, cwd=WORK)
    print("$ mvbsim-compare", " ".join(args))
    print(f"exit {p.returncode}\n--- stdout\n{p.stdout}--- stderr\n{p.stderr}")
    return p


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def expect(p, code, stdout=(), stderr=()):
    """Exit code @p code, and every regex of stdout/stderr found there."""
    if p.returncode != code:
        fail(f"exit code {p.returncode}, expected {code}")
    for pattern in stdout:
        if not re.search(pattern, p.stdout):
            fail(f"stdout does not match {pattern!r}")
    for pattern in stderr:
        if not re.search(pattern, p.stderr):
            fail(f"stderr does not match {pattern!r}")
    if code == 2 and p.stderr.count("mvbsim-compare: error:") != 1:
        fail("expected exactly one error line on stderr")


def full(x):
    """A value as the comparer prints it (%.17g), as a regex."""
    return re.escape("%.17g" % x)


def compare_with(change):
    """Reference = snapshot(); result = snapshot() changed by @p change."""
    ref = write("reference.h5", snapshot())
    data = snapshot()
    change(data)
    return write("result.h5", data), ref


def outside(data):
    # 2e-9 relative: outside the default rel 1e-9.
    data["statistics/calcium_total"][1] = 1.1 * (1 + 2e-9)


def permute_mvbs(data, order):
    for key in ("mvbs/id", "mvbs/position", "mvbs/mode"):
        data[key] = data[key][order]


def case_identical():
    res, ref = compare_with(lambda d: None)
    expect(run(res, ref), 0, stdout=[r"same within tolerance \(\d+ values"])
    p = run("--quiet", res, ref)
    expect(p, 0)
    if len(p.stdout.splitlines()) != 1:
        fail("--quiet printed more than one line")


def case_within_tolerance():
    def change(d):
        d["statistics/calcium_total"][1] = 1.1 * (1 + 5e-10)
        d["fields/calcium/integral"][2] += 5e-13  # abs part
    res, ref = compare_with(change)
    expect(run(res, ref), 0, stdout=["largest deviations",
                                     "same within tolerance"])


def case_outside_tolerance():
    res, ref = compare_with(outside)
    result_value = 1.1 * (1 + 2e-9)
    expect(run(res, ref), 1, stdout=[
        r"statistics/calcium_total\[1\]  result " + full(result_value) +
        "  reference " + full(1.1),
        r"1 outside tolerance", r"DIFFERENT: 1 of \d+ values"])


def case_per_dataset_tolerance():
    res, ref = compare_with(outside)
    loose = write_text("loose.txt", "# per dataset\n\n"
                       "default abs 1e-12 rel 1e-9\n"
                       "statistics/* abs 0 rel 1e-6  # statistics\n")
    expect(run("--tolerances", loose, res, ref), 0,
           stdout=["tolerances: .*loose.txt", "same within tolerance"])
    # The last matching line wins: a strict line after the loose one.
    strict = write_text("strict.txt", "statistics/* abs 0 rel 1e-6\n"
                        "statistics/calcium_total abs 0 rel 1e-12\n")
    expect(run("--tolerances", strict, res, ref), 1,
           stdout=[r"statistics/calcium_total\[1\]"])
    # A pattern that decides no dataset is noted (a typo would be silent).
    typo = write_text("typo.txt", "statistics/* abs 0 rel 1e-6\n"
                      "fields/calcum/* abs 1 rel 0\n")
    expect(run("--tolerances", typo, res, ref), 0,
           stdout=[r"note: tolerance line 2 \(fields/calcum/\*\)"])


def case_missing_dataset():
    res, ref = compare_with(lambda d: d.pop("fields/calcium/integral"))
    expect(run(res, ref), 1, stdout=[
        r"missing dataset \(in the reference, not in the result\): "
        r"fields/calcium/integral", "1 missing dataset"])


def case_extra_dataset():
    res, ref = compare_with(
        lambda d: d.update({"statistics/new_column": np.ones(3)}))
    expect(run(res, ref), 1, stdout=[
        r"extra dataset \(in the result, not in the reference\): "
        r"statistics/new_column", "1 extra dataset"])


def case_reordered_mvbs():
    res, ref = compare_with(lambda d: permute_mvbs(d, [2, 0, 1]))
    expect(run(res, ref), 0, stdout=["same within tolerance"])


def case_missing_mvb():
    res, ref = compare_with(lambda d: permute_mvbs(d, [2, 0]))
    expect(run(res, ref), 1, stdout=[
        r"mvbs: 1 id missing from the result \(in the reference only\): 7"])
    res, ref = compare_with(lambda d: d.update({
        "mvbs/id": np.array([3, 7, 12, 40], dtype=np.uint32),
        "mvbs/position": np.vstack([d["mvbs/position"], [[0, 0, 0]]]),
        "mvbs/mode": np.array([0, 1, 4, 2], dtype=np.uint32)}))
    expect(run(res, ref), 1, stdout=[r"mvbs: 1 id extra in the result.*: 40"])


def case_mvb_values():
    # Rows reordered, and the MVB of id 12 moved: reported by id.
    def change(d):
        d["mvbs/position"][2, 1] += 1e-3
        permute_mvbs(d, [1, 2, 0])
        d["mvbs/time"][0] = 2.5  # one element: compared as it stands
    res, ref = compare_with(change)
    expect(run(res, ref), 1, stdout=[
        r"mvbs/position\[id=12,1\]  result " + full(7.5 + 1e-3) +
        "  reference " + full(7.5),
        r"mvbs/time\[0\]  result 2.5  reference 2  "])


def case_shape_mismatch():
    res, ref = compare_with(lambda d: d.update(
        {"fields/calcium/probes": np.zeros((3, 3))}))
    expect(run(res, ref), 1, stdout=[
        "shape differs: fields/calcium/probes: result 3 x 3, reference 3 x 2"])


def case_nan():
    def put_nan(d):
        d["fields/calcium/integral"][1] = np.nan
    ref = write("reference.h5", snapshot())
    nan_ref = write("nan-reference.h5",
                    {**snapshot(), "fields/calcium/integral":
                     np.array([0.5, np.nan, 0.125])})
    res, _ = compare_with(put_nan)
    expect(run(res, nan_ref), 0)
    expect(run(res, ref), 1, stdout=[
        r"fields/calcium/integral\[1\]  result nan  reference 0.25"])


def case_unreadable():
    ref = write("reference.h5", snapshot())
    expect(run("no-such.h5", ref), 2, stderr=["no-such.h5: .*does not exist"])
    expect(run(ref, "no-such-ref.h5"), 2, stderr=["no-such-ref.h5: "])
    text = write_text("text.h5", "not HDF5\n")
    expect(run(text, ref), 2, stderr=["text.h5: is not an HDF5 file"])
    expect(run(ref, WORK), 2, stderr=["is a directory"])
    truncated = os.path.join(WORK, "truncated.h5")
    with open(ref, "rb") as f, open(truncated, "wb") as g:
        g.write(f.read()[:600])
    p = run(truncated, ref)
    expect(p, 2, stderr=["truncated.h5: "])
    if "HDF5-DIAG" in p.stdout + p.stderr:
        fail("HDF5 printed its error stack")


def case_malformed_tolerances():
    res, ref = compare_with(lambda d: None)
    bad = write_text("bad.txt", "# tolerances\ndefault abs 1e-12 rel 1e-9\n"
                     "statistics/* abs 1e-3\n")
    expect(run("--tolerances", bad, res, ref), 2,
           stderr=[r"bad.txt, line 3: 'statistics/\* abs 1e-3': expected"])
    bad = write_text("bad.txt", "fields/* abs 1e-3 rel ten\n")
    expect(run("--tolerances", bad, res, ref), 2,
           stderr=[r"bad.txt, line 1: .*'ten' is not a number"])
    expect(run("--tolerances", "missing.txt", res, ref), 2,
           stderr=["missing.txt: cannot read the tolerance file"])


def case_tolerances_beside_reference():
    res, _ = compare_with(outside)
    ref = write("reference/snapshot.h5", snapshot())
    write_text("reference/tolerances.txt", "statistics/* abs 0 rel 1e-6\n")
    expect(run(res, ref), 0, stdout=[
        r"tolerances: \S*reference/tolerances.txt", "same within tolerance"])
    # --tolerances overrides the file beside the reference.
    strict = write_text("strict.txt", "default abs 0 rel 0\n")
    expect(run("--tolerances", strict, res, ref), 1,
           stdout=[r"tolerances: \S*strict.txt"])


def case_usage():
    res, ref = compare_with(lambda d: None)
    expect(run("--help"), 0, stdout=["Usage: mvbsim-compare"])
    expect(run(res), 2, stderr=["expected two files"])
    expect(run("--worst", "x", res, ref), 2, stderr=["--worst = x"])
    expect(run("--frobnicate", res, ref), 2,
           stderr=["unknown option '--frobnicate'"])
    # --worst limits the list.
    def many(d):
        d["fields/calcium/probes"] += 1
    res, ref = compare_with(many)
    p = run("--worst", "2", res, ref)
    expect(p, 1, stdout=["6 outside tolerance"])
    if p.stdout.count("fields/calcium/probes[") != 2:
        fail("--worst 2 did not list exactly two values")


if __name__ == "__main__":
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    globals()["case_" + CASE.replace("-", "_")]()
    print("PASS")
