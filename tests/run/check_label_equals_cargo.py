#!/usr/bin/env python3
"""With the pulse p = 1 the labelled cargo is the cargo: checks a run's
snapshot.h5 (field integrals, norms, extremes and probes at every output
time; every MVB's label against its cargo) and statistics.csv (what the
MVBs took, exported and degraded) to --tol relative to each quantity's
scale. Exit 0 if all agree, 1 if not.

Usage: check_label_equals_cargo.py RUN_DIR [--tol 1e-8]
"""
import argparse
import csv
import os
import sys

import h5py
import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("run")
    p.add_argument("--tol", type=float, default=1e-8)
    a = p.parse_args()
    failures = []

    def compare(what, label, cargo):
        label, cargo = np.asarray(label, float), np.asarray(cargo, float)
        scale = max(np.abs(cargo).max(initial=0), 1e-300)
        worst = np.abs(label - cargo).max(initial=0) / scale
        print(f"{what}: largest difference {worst:.2e} of {scale:.3e}")
        if label.shape != cargo.shape or worst > a.tol:
            failures.append(f"{what} differs by {worst:.2e} (relative)")

    with h5py.File(os.path.join(a.run, "snapshot.h5"), "r") as f:
        for q in ("integral", "l2_norm", "max", "min", "probes"):
            compare(f"fields {q}", f["fields/label/" + q][()],
                    f["fields/cargo/" + q][()])
        compare("MVB contents", f["mvbs/label"][()], f["mvbs/cargo"][()])
        if float(np.abs(f["mvbs/cargo"][()]).max(initial=0)) == 0:
            failures.append("no MVB holds cargo: the test tests nothing")
    with open(os.path.join(a.run, "statistics.csv")) as f:
        rows = list(csv.DictReader(f))
    for q in ("taken", "exported", "degraded"):
        compare(f"MVBs {q}", [float(r[f"mvb_label_{q}"]) for r in rows],
                [float(r[f"mvb_cargo_{q}"]) for r in rows])
    for line in failures:
        print(line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
