#!/usr/bin/env python3
"""The 3D baseline with adaptive field steps against the same with fixed
0.5 s steps: two ensembles of N replicates (the same seeds), and every
observable of postprocess/ensemble.py (window 0 to 3600 s) compared as the
ratio adaptive / fixed with its 95 % confidence interval, which must hold 1.
Exit 0 if every interval holds 1, 1 if not.

Usage: check_adaptive_ensemble.py MVBSIM MPIRUN WORK [--replicates 8]
       [--np 2] [--scenario scenarios/baseline-3d.prm] [--reuse]
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mvbsim")
    p.add_argument("mpirun")
    p.add_argument("work")
    p.add_argument("--replicates", type=int, default=8)
    p.add_argument("--np", type=int, default=2)
    p.add_argument("--scenario",
                   default=os.path.join(ROOT, "scenarios", "baseline-3d.prm"))
    p.add_argument("--reuse", action="store_true",
                   help="keep ensembles that finished in WORK")
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    with open(a.scenario) as f:
        base = f.read()
    flags = ["--allow-run-as-root"] if os.geteuid() == 0 else []
    seconds = {}
    for name, extra in [("fixed", ""),
                        ("adaptive", "subsection Time stepping\n"
                         "  set Step control = Adaptive\n"
                         "  set Event times  = 0, 600\nend\n")]:
        out = os.path.join(a.work, name)
        done = os.path.join(out, f"replicate-{a.replicates - 1:03d}",
                            "statistics.csv")
        if a.reuse and os.path.exists(done):
            continue
        prm = os.path.join(a.work, name + ".prm")
        with open(prm, "w") as f:
            # The scenario's own folder, for its includes.
            f.write(f"include {os.path.abspath(a.scenario)}\n{extra}")
        start = time.time()
        run = subprocess.run([a.mpirun, *flags, "--oversubscribe", "-np",
                              str(a.np), a.mvbsim, "--overwrite",
                              "--replicates", str(a.replicates),
                              "--output", out, prm],
                             capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"the {name} ensemble failed:\n{run.stdout}\n"
                     f"{run.stderr}")
        seconds[name] = time.time() - start
    table = os.path.join(a.work, "adaptive-vs-fixed.csv")
    subprocess.run([sys.executable,
                    os.path.join(ROOT, "postprocess", "ensemble.py"),
                    os.path.join(a.work, "adaptive"), "--baseline",
                    os.path.join(a.work, "fixed"), "--csv", table],
                   check=True)
    for name, s in seconds.items():
        print(f"{name} ensemble: {s:.0f} s on {a.np} ranks")
    failures = []
    with open(table) as f:
        for row in csv.DictReader(f):
            low, high = float(row["ratio_ci95_low"]), float(
                row["ratio_ci95_high"])
            if math.isnan(low) or math.isnan(high):
                print(f"{row['observable']}: no ratio (a zero baseline)")
                continue
            if not low <= 1 <= high:
                failures.append(f"{row['observable']}: ratio "
                                f"{float(row['ratio']):.3g}, interval "
                                f"[{low:.3g}, {high:.3g}] excludes 1")
    for failure in failures:
        print("FAILED: " + failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
