#!/usr/bin/env python3
"""Compares two statistics.csv files column by column.

Passes (exit 0) if they have the same columns and rows and every value
agrees to |a - b| <= rel * max(|a|, |b|) + rel * 1e-2 * (largest |value| of
the column). The second term is for values that pass through zero, such as a
membrane's cumulative flux that changes sign: their absolute error is that of
the column's large values, whatever the value itself. At the rel = 1e-8 of
the 1-vs-2-rank tests it is 1e-10 of the column's size, about the linear
solver's tolerance. The
conservation-balance columns (*_balance_error) are relative round-off
errors themselves: they must agree to |a - b| <= rel. With
--field-tolerance T, a field's extremes (the columns X_min and X_max) may
also differ by T times the field's size (the largest X_max of the rows):
the linear solver stops within its tolerance of the solution, so a small
minimum of a large field is not known to its own relative precision on
another partition. Columns named in --ignore (substring match) are skipped. Exit 1 if they differ,
2 if a file cannot be read.
"""
import argparse
import csv
import sys


def read(path):
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        return rows[0], [[float(v) for v in r] for r in rows[1:]]
    except (OSError, ValueError, IndexError) as e:
        print(f"cannot read {path}: {e}")
        sys.exit(2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--rel", type=float, default=1e-10)
    parser.add_argument("--field-tolerance", type=float, default=0.0)
    parser.add_argument("--ignore", action="append", default=[])
    args = parser.parse_args()
    head_a, rows_a = read(args.a)
    head_b, rows_b = read(args.b)
    if head_a != head_b or len(rows_a) != len(rows_b):
        print("the files have different columns or numbers of rows")
        return 1
    worst = (0.0, None)
    failures = 0
    for c, name in enumerate(head_a):
        if any(i in name for i in args.ignore):
            continue
        scale = max(abs(r[c]) for r in rows_a + rows_b)
        field = 0.0
        stem = name[:-4] if name.endswith(("_min", "_max")) else None
        if stem is not None and stem + "_max" in head_a:
            m = head_a.index(stem + "_max")
            field = max(abs(r[m]) for r in rows_a + rows_b)
        for i, (ra, rb) in enumerate(zip(rows_a, rows_b)):
            a, b = ra[c], rb[c]
            allowed = args.rel * max(abs(a), abs(b)) + args.rel * 1e-2 * scale \
                + args.field_tolerance * field
            if name.endswith("_balance_error"):
                allowed = args.rel
            diff = abs(a - b)
            if diff > allowed:
                failures += 1
                print(f"{name}, row {i + 1}: {a!r} and {b!r} differ by {diff:.3e}"
                      f" (allowed {allowed:.3e})")
            if scale > 0 and diff / max(abs(a), abs(b), 1e-300) > worst[0]:
                worst = (diff / max(abs(a), abs(b), 1e-300), f"{name}, row {i + 1}")
    print(f"{len(rows_a)} rows, {len(head_a)} columns; largest relative "
          f"difference {worst[0]:.3e} ({worst[1]}); {failures} values differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
