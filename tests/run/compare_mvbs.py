#!/usr/bin/env python3
"""Compares the MVB trajectories of two runs of the same scenario.

Every MVB snapshot mvbs/mvbs-NNNNN.h5 of run A must have a partner in run B
with the same MVB ids (both sorted by id), the same mode and track of each
MVB, positions that agree to --abs um, and every other state variable to
--rel relative; fusions.h5 must list the same fusions (time, id, position,
ILV count). Usage: compare_mvbs.py RUN_A RUN_B [--abs A] [--rel R].
Exit 0 if the runs agree, 1 if they differ, 2 if a file cannot be read.
"""
import argparse
import glob
import os
import sys

import h5py
import numpy as np


def load(path):
    try:
        with h5py.File(path, "r") as f:
            return {k: f[k][()] for k in f}
    except OSError as e:
        print(f"cannot read {path}: {e}")
        sys.exit(2)


def compare(name, a, b, abs_tol, rel_tol, exact, problems):
    if set(a) != set(b):
        problems.append(f"{name}: datasets {sorted(a)} vs {sorted(b)}")
        return
    for key in sorted(a):
        x, y = np.asarray(a[key], float), np.asarray(b[key], float)
        if x.shape != y.shape:
            problems.append(f"{name}:{key} shapes {x.shape} vs {y.shape}")
            continue
        if x.size == 0:
            continue
        if key in exact:
            bad = x != y
        elif key == "position":
            bad = np.abs(x - y) > abs_tol
        else:
            bad = np.abs(x - y) > rel_tol * np.maximum(np.abs(x), np.abs(y)) + 1e-300
        if bad.any():
            i = np.argwhere(bad)[0]
            problems.append(f"{name}:{key} differs first at {tuple(i)}: "
                            f"{x[tuple(i)]} vs {y[tuple(i)]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--abs", type=float, default=1e-12)
    parser.add_argument("--rel", type=float, default=1e-12)
    args = parser.parse_args()
    problems = []
    snapshots = sorted(glob.glob(os.path.join(args.a, "mvbs", "mvbs-*.h5")))
    if not snapshots:
        print(f"no MVB snapshots in {args.a}")
        return 1
    n_mvbs = 0
    for path in snapshots:
        other = os.path.join(args.b, "mvbs", os.path.basename(path))
        if not os.path.exists(other):
            problems.append(f"{other} is missing")
            continue
        a, b = load(path), load(other)
        n_mvbs += len(a.get("id", []))
        compare(os.path.basename(path), a, b, args.abs, args.rel,
                {"id", "mode", "track"}, problems)
    n_b = len(glob.glob(os.path.join(args.b, "mvbs", "mvbs-*.h5")))
    if n_b != len(snapshots):
        problems.append(f"{len(snapshots)} snapshots vs {n_b}")
    fa = load(os.path.join(args.a, "fusions.h5"))
    fb = load(os.path.join(args.b, "fusions.h5"))
    compare("fusions.h5", fa, fb, args.abs, args.rel, {"id"}, problems)
    for p in problems:
        print(p)
    print(f"{len(snapshots)} snapshots, {n_mvbs} MVB records, "
          f"{len(fa.get('id', []))} fusions: "
          f"{'the same' if not problems else 'DIFFERENT'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
