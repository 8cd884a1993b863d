#!/usr/bin/env python3
"""Checks a run's solution.xdmf the way ParaView reads it.

Every time step's grid must reference HDF5 datasets that exist with the
shapes the XDMF file announces, carry each expected field, and the times
must increase. Usage: check_xdmf.py RUN_DIR N_TIMES FIELD [FIELD ...].
Exit 0 if all holds, 1 otherwise.
"""
import os
import sys
import xml.etree.ElementTree as ET

import h5py


def main():
    run, n_times, fields = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    root = ET.parse(os.path.join(run, "solution.xdmf")).getroot()
    grids = root.findall("./Domain/Grid/Grid")
    problems = []
    if len(grids) != n_times:
        problems.append(f"{len(grids)} time steps, expected {n_times}")
    times = []
    for grid in grids:
        times.append(float(grid.find("Time").get("Value")))
        names = {a.get("Name") for a in grid.findall("Attribute")}
        for f in fields:
            if f not in names:
                problems.append(f"t = {times[-1]}: no field '{f}'")
        for item in grid.iter("DataItem"):
            path, dataset = item.text.strip().split(":")
            shape = tuple(int(d) for d in item.get("Dimensions").split())
            try:
                with h5py.File(os.path.join(run, path), "r") as h5:
                    got = h5[dataset].shape
                    if got != shape:
                        problems.append(f"{path}:{dataset} has shape {got}, "
                                        f"the XDMF file says {shape}")
                    elif not (h5[dataset][()] == h5[dataset][()]).all():
                        problems.append(f"{path}:{dataset} holds NaN")
            except (OSError, KeyError) as e:
                problems.append(f"{path}:{dataset} cannot be read: {e}")
    if any(b <= a for a, b in zip(times, times[1:])):
        problems.append(f"times do not increase: {times}")
    for p in problems:
        print(p)
    print(f"{len(grids)} time steps {times[:1]}..{times[-1:]}, fields "
          f"{fields}: {'OK' if not problems else 'FAILED'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
