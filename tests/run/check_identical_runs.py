#!/usr/bin/env python3
"""Two runs that must be bit-identical: their statistics.csv byte for byte
and every dataset of their snapshot.h5 exactly. Exit 0 if so, 1 if not.

Usage: check_identical_runs.py RUN_A RUN_B
"""
import os
import sys

import h5py
import numpy as np


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return out


def main():
    a, b = sys.argv[1:3]
    failures = []
    with open(os.path.join(a, "statistics.csv"), "rb") as fa, \
            open(os.path.join(b, "statistics.csv"), "rb") as fb:
        if fa.read() != fb.read():
            failures.append("statistics.csv differ")
    da = datasets(os.path.join(a, "snapshot.h5"))
    db = datasets(os.path.join(b, "snapshot.h5"))
    if sorted(da) != sorted(db):
        failures.append("the snapshots hold different datasets")
    for name in sorted(set(da) & set(db)):
        if not np.array_equal(da[name], db[name]):
            failures.append(f"snapshot dataset {name} differs")
    print(f"{len(da)} snapshot datasets and statistics.csv compared")
    for line in failures:
        print(line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
