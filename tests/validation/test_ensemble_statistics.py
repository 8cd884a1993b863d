#!/usr/bin/env python3
"""Checks the statistics of postprocess/ensemble.py against known values:
Student's t quantiles, the coverage of the 95 % intervals of a mean and of
a ratio of means (paired and unpaired) on synthetic ensembles with a known
answer, and the contact-patch region of a built-in cell."""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "postprocess"))
import ensemble as ens  # noqa: E402

failures = []


def check(condition, text):
    print(("ok    " if condition else "FAIL  ") + text)
    if not condition:
        failures.append(text)


# Tabulated 0.975 quantiles.
for df, q in ((1, 12.7062), (2, 4.3027), (5, 2.5706), (7, 2.3646),
              (10, 2.2281), (30, 2.0423), (1000, 1.9623)):
    got = ens.t_quantile(0.975, df)
    check(abs(got - q) < 5e-4, f"t(0.975, {df}) = {got:.4f} (table {q})")

rng = np.random.default_rng(12345)
trials = 4000

# Coverage of the mean's interval, n = 6.
hits = 0
for _ in range(trials):
    m, h = ens.mean_ci(rng.normal(3.0, 2.0, 6))
    hits += abs(m - 3.0) <= h
check(0.935 <= hits / trials <= 0.965,
      f"mean interval covers the true mean in {hits / trials:.3f} of cases")

# Paired ratio: y and x share a replicate effect (same seed), true ratio
# of the means 0.6.
hits, widths_paired = 0, []
for _ in range(trials):
    common = rng.normal(0, 3.0, 20)
    x = 20 + common + rng.normal(0, 1.0, 20)
    y = 0.6 * (20 + common) + rng.normal(0, 1.0, 20)
    r, lo, hi = ens.ratio_ci(y, x, paired=True)
    hits += lo <= 0.6 <= hi
    widths_paired.append(hi - lo)
check(0.93 <= hits / trials <= 0.97,
      f"paired ratio interval covers 0.6 in {hits / trials:.3f} of cases")

hits, widths_unpaired = 0, []
for _ in range(trials):
    x = 20 + rng.normal(0, 3.0, 20) + rng.normal(0, 1.0, 20)
    y = 0.6 * (20 + rng.normal(0, 3.0, 20)) + rng.normal(0, 1.0, 20)
    r, lo, hi = ens.ratio_ci(y, x, paired=False)
    hits += lo <= 0.6 <= hi
    widths_unpaired.append(hi - lo)
check(0.93 <= hits / trials <= 0.97,
      f"unpaired ratio interval covers 0.6 in {hits / trials:.3f} of cases")
check(np.mean(widths_paired) < 0.6 * np.mean(widths_unpaired),
      f"pairing narrows the interval ({np.mean(widths_paired):.3f} vs "
      f"{np.mean(widths_unpaired):.3f})")

# Identical ensembles: ratio exactly 1 with a zero-width interval.
x = np.array([3.0, 5.0, 4.0])
r, lo, hi = ens.ratio_ci(x, x, paired=True)
check(r == 1 and abs(hi - lo) < 1e-12, f"identical ensembles: {r} [{lo}, {hi}]")

# The patch centre of the 15 x 10 x 4 um cell towards +y is (0, 10, 0);
# towards (1, 1, 0) it lies on the ellipse x^2/225 + y^2/100 = 1.
p = {"Geometry/Contact patch/Enable": "true", "Geometry/Dimension": "3",
     "Geometry/Shape": "spread cell",
     "Geometry/Spread cell/Cell semi-axes": "15, 10, 4",
     "Geometry/Contact patch/Direction": "0, 1, 0",
     "Geometry/Contact patch/Radius": "3"}
centre, radius = ens.patch_from_parameters(p)
check(np.allclose(centre, [0, 10, 0]) and radius == 3,
      f"patch centre {centre}, radius {radius}")
p["Geometry/Contact patch/Direction"] = "1, 1, 0"
centre, _ = ens.patch_from_parameters(p)
check(abs(centre[0] ** 2 / 225 + centre[1] ** 2 / 100 - 1) < 1e-12
      and abs(centre[0] - centre[1]) < 1e-12, f"patch centre {centre}")
p["Geometry/Contact patch/Enable"] = "false"
check(ens.patch_from_parameters(p) is None, "no patch when disabled")

# The patch's share of the membrane: a ball of radius rho around a point of
# a sphere of radius R cuts a cap of area share rho^2 / (4 R^2); on a circle
# an arc of share 2 asin(rho / 2R) / pi.
round_cell = {"Geometry/Contact patch/Enable": "true",
              "Geometry/Shape": "round cell",
              "Geometry/Round cell/Cell radius": "8",
              "Geometry/Contact patch/Direction": "0, 1, 0",
              "Geometry/Contact patch/Radius": "4"}
for dim, exact in ((3, 16 / (4 * 64)), (2, 2 * math.asin(0.25) / math.pi)):
    round_cell["Geometry/Dimension"] = str(dim)
    got = ens.patch_area_share(round_cell)
    check(abs(got - exact) < 0.02 * exact,
          f"patch area share, round cell, {dim}D: {got:.5f} (exact "
          f"{exact:.5f})")
p["Geometry/Contact patch/Enable"] = "true"
p["Geometry/Contact patch/Direction"] = "0, 1, 0"
share = ens.patch_area_share(p)
check(0 < share < 0.1, f"patch area share of the 3D spread cell: {share:.4f}")
check(ens.patch_area_share(p) == share, "patch area share is deterministic")

# Wilson interval: 20 of 100 gives [0.1333, 0.2888] (tabulated); 0 of 10
# has the lower bound 0.
lo, hi = ens.wilson_interval(20, 100)
check(abs(lo - 0.1333) < 1e-3 and abs(hi - 0.2888) < 1e-3,
      f"Wilson 20/100: [{lo:.4f}, {hi:.4f}]")
lo, hi = ens.wilson_interval(0, 10)
check(abs(lo) < 1e-12 and 0.27 < hi < 0.28, f"Wilson 0/10: [{lo}, {hi:.4f}]")

sys.exit(1 if failures else 0)
