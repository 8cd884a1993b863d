#!/usr/bin/env python3
"""Checks a run's solution.xdmf the way ParaView reads it.

Every output time is a spatial collection of grids (fields, MVBs, tracks)
that must reference HDF5 datasets that exist with the shapes the XDMF file
announces; the field grid must carry each expected field, and the times must
increase. With --mvbs, some time must hold an MVB point grid with the MVB
state attributes, and every time the track network. Usage:
check_xdmf.py RUN_DIR N_TIMES [--mvbs] FIELD [FIELD ...].
Exit 0 if all holds, 1 otherwise.
"""
import os
import sys
import xml.etree.ElementTree as ET

import h5py


def main():
    run, n_times, fields = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    mvbs = "--mvbs" in fields
    fields = [f for f in fields if f != "--mvbs"]
    mvb_attributes = {"id", "mode", "track", "arc", "ilv_count", "cargo",
                      "chi_lm", "chi_ilv", "rab7", "age"}
    n_with_mvbs = 0
    root = ET.parse(os.path.join(run, "solution.xdmf")).getroot()
    grids = root.findall("./Domain/Grid/Grid")
    problems = []
    if len(grids) != n_times:
        problems.append(f"{len(grids)} time steps, expected {n_times}")
    times = []
    for grid in grids:
        times.append(float(grid.find("Time").get("Value")))
        parts = {g.get("Name"): g for g in grid.findall("Grid")}
        names = set()
        if "fields" in parts:
            names = {a.get("Name") for a in parts["fields"].findall("Attribute")}
        for f in fields:
            if f not in names:
                problems.append(f"t = {times[-1]}: no field '{f}'")
        if mvbs:
            if "tracks" not in parts:
                problems.append(f"t = {times[-1]}: no track network")
            if "MVBs" in parts:
                n_with_mvbs += 1
                got = {a.get("Name") for a in parts["MVBs"].findall("Attribute")}
                if not mvb_attributes <= got:
                    problems.append(f"t = {times[-1]}: MVB attributes "
                                    f"{sorted(mvb_attributes - got)} missing")
                topology = parts["MVBs"].find("Topology").get("TopologyType")
                if topology != "Polyvertex":
                    problems.append(f"MVBs as {topology}, not Polyvertex")
        for item in grid.iter("DataItem"):
            path, dataset = item.text.strip().split(":/")
            dataset = "/" + dataset
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
    if mvbs and n_with_mvbs == 0:
        problems.append("no output time has MVBs")
    if any(b <= a for a, b in zip(times, times[1:])):
        problems.append(f"times do not increase: {times}")
    for p in problems:
        print(p)
    print(f"{len(grids)} time steps {times[:1]}..{times[-1:]}, fields "
          f"{fields}: {'OK' if not problems else 'FAILED'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
