"""Checks that ParaView reads a run's solution.xdmf, and renders one image.

Run by ParaView's own Python, under a virtual X server (-noreset: see
check_paraview.cmake):

    xvfb-run -a -s "-screen 0 1280x1024x24 -noreset" \
        pvpython check_paraview.py RUN_DIR --times N \
        --fields calcium cholesterol cargo --png render.png

tests/run/check_xdmf.py checks the XDMF file against its HDF5 files; this
script checks what a user of ParaView gets from it. The legacy "XDMF Reader"
(proxy XDMFReader) is used on purpose: it keeps the names of the grids of a
spatial collection as block names (fields, MVBs, tracks; at later times with
a suffix, fields[3]) and makes the MVB points into vertex cells. The reader
pvpython's OpenDataFile picks, Xdmf3ReaderS, merges the grids into one
unnamed multi-piece block, and both Xdmf3 readers give the MVB points no
cells, so only Point Gaussian draws them.

At every time step: the field block carries each expected field as point
data, on more than zero points, with finite values; the MVB block is there
whenever statistics.csv counts MVBs at that time, with as many points as
statistics.csv (and, where h5py is importable, mvbs/mvbs-NNNNN.h5) holds
MVBs, and with the MVB attributes; the track network is there. Then one image
(a clip through the cell coloured by the first field, the MVBs as spheres
coloured by mode, the tracks) is saved and checked to be a real picture.

Exit 0 if everything holds, 1 otherwise, each problem on its own line.
"""
import argparse
import csv
import math
import os
import re
import sys

import numpy
from paraview import simple
from vtkmodules.util.numpy_support import vtk_to_numpy
from vtkmodules.vtkIOImage import vtkPNGReader

try:
    # Debian's pvpython sees the system site-packages, so python3-h5py is
    # usually importable; without it the MVB counts are still checked against
    # statistics.csv.
    import h5py
except ImportError:
    h5py = None

MVB_ATTRIBUTES = ["id", "mode", "ilv_count", "cargo", "rab7"]


def parse_arguments():
    parser = argparse.ArgumentParser(
        description="Check with ParaView that a run's solution.xdmf holds "
        "the fields and the MVBs at every time step, and render one image.")
    parser.add_argument("run_dir", help="the run's output folder")
    parser.add_argument("--times", type=int, required=True,
                        help="expected number of time steps")
    parser.add_argument("--fields", nargs="+", required=True,
                        help="expected field names; the first colours the "
                        "image")
    parser.add_argument("--mvb-attributes", nargs="+", default=MVB_ATTRIBUTES,
                        help="expected MVB point attributes (default: "
                        "%(default)s)")
    parser.add_argument("--png", required=True, help="image to write")
    parser.add_argument("--min-png-bytes", type=int, default=20000,
                        help="smallest acceptable image file (default: "
                        "%(default)s)")
    return parser.parse_args()


def block_name(name):
    """The grid name without the [k] the Xdmf2 reader appends after t0."""
    return re.sub(r"\[\d+\]$", "", name or "")


def named_blocks(output):
    """{fields, MVBs, tracks: dataset} of the reader's output at one time."""
    blocks = {}
    for i in range(output.GetNumberOfBlocks()):
        name = None
        if output.HasMetaData(i):
            name = output.GetMetaData(i).Get(output.NAME())
        blocks[block_name(name)] = output.GetBlock(i)
    return blocks


def missing(blocks, name):
    """Why blocks has no dataset called name."""
    if name in blocks:
        # The reader keeps the block and prints its own error above.
        return f"the '{name}' block could not be read"
    return f"no '{name}' block (blocks: {sorted(blocks)})"


def mvb_totals(run_dir):
    """{time: mvb_total} from statistics.csv, the run's own MVB count."""
    path = os.path.join(run_dir, "statistics.csv")
    with open(path, newline="") as f:
        return {float(row["time"]): int(float(row["mvb_total"]))
                for row in csv.DictReader(f)}


def mvb_rows(run_dir, index):
    """Rows of mvbs/mvbs-NNNNN.h5, or None when it cannot be read here."""
    path = os.path.join(run_dir, "mvbs", f"mvbs-{index:05d}.h5")
    if h5py is None or not os.path.exists(path):
        return None
    with h5py.File(path, "r") as h5:
        return h5["id"].shape[0]


def count_for_time(table, t):
    """The statistics.csv row at time t: times are printed to full
    precision, but the XDMF reader may round them through float."""
    for time, value in table.items():
        if math.isclose(time, t, rel_tol=1e-6, abs_tol=1e-9):
            return value
    return None


def check_point_arrays(dataset, names, what, t, problems):
    """Each of names is a finite point array on dataset; returns the found."""
    found = []
    data = dataset.GetPointData()
    for name in names:
        array = data.GetArray(name)
        if array is None:
            problems.append(f"t = {t}: {what} block has no point array "
                            f"'{name}'")
            continue
        values = vtk_to_numpy(array)
        if len(values) != dataset.GetNumberOfPoints():
            problems.append(f"t = {t}: {what} array '{name}' has "
                            f"{len(values)} values for "
                            f"{dataset.GetNumberOfPoints()} points")
        elif not numpy.isfinite(values).all():
            problems.append(f"t = {t}: {what} array '{name}' is not finite")
        else:
            found.append(name)
    return found


def check_time(reader, run_dir, index, t, args, totals, problems):
    """Checks one time step; returns (MVB count, range of the first field)."""
    reader.UpdatePipeline(t)
    blocks = named_blocks(reader.GetClientSideObject().GetOutputDataObject(0))
    field_range = None
    fields = blocks.get("fields")
    if fields is None:
        problems.append(f"t = {t}: {missing(blocks, 'fields')}")
    elif fields.GetNumberOfPoints() == 0 or fields.GetNumberOfCells() == 0:
        problems.append(f"t = {t}: the 'fields' block is empty")
    else:
        found = check_point_arrays(fields, args.fields, "fields", t, problems)
        if args.fields[0] in found:
            field_range = fields.GetPointData().GetArray(
                args.fields[0]).GetRange()

    # The writer leaves the MVB grid out when there are none, so its absence
    # is only a problem when the run counted MVBs at that time.
    expected = count_for_time(totals, t)
    if expected is None:
        problems.append(f"t = {t}: no row of statistics.csv at this time")
    rows = mvb_rows(run_dir, index)
    if rows is not None and expected is not None and rows != expected:
        problems.append(f"t = {t}: mvbs-{index:05d}.h5 holds {rows} MVBs, "
                        f"statistics.csv {expected}")
    mvbs = blocks.get("MVBs")
    n_mvbs = 0 if mvbs is None else mvbs.GetNumberOfPoints()
    if mvbs is None and "MVBs" in blocks:
        problems.append(f"t = {t}: {missing(blocks, 'MVBs')}")
    elif mvbs is None and expected:
        problems.append(f"t = {t}: {missing(blocks, 'MVBs')}, but "
                        f"statistics.csv counts {expected} MVBs")
    elif mvbs is not None:
        if expected is not None and n_mvbs != expected:
            problems.append(f"t = {t}: the 'MVBs' block has {n_mvbs} points, "
                            f"statistics.csv counts {expected} MVBs")
        if n_mvbs == 0:
            problems.append(f"t = {t}: the 'MVBs' block has no points")
        # Without cells, only Point Gaussian would draw the MVBs.
        if mvbs.GetNumberOfCells() != n_mvbs:
            problems.append(f"t = {t}: the 'MVBs' block has "
                            f"{mvbs.GetNumberOfCells()} cells for {n_mvbs} "
                            "points")
        check_point_arrays(mvbs, args.mvb_attributes, "MVBs", t, problems)

    tracks = blocks.get("tracks")
    if tracks is None:
        problems.append(f"t = {t}: {missing(blocks, 'tracks')}")
    elif tracks.GetNumberOfCells() == 0:
        problems.append(f"t = {t}: the 'tracks' block has no lines")
    elif tracks.GetCellData().GetArray("track_type") is None:
        problems.append(f"t = {t}: the 'tracks' block has no cell array "
                        "'track_type'")
    return n_mvbs, field_range


def render(reader, t, field, png):
    """A clip through the cell coloured by field, MVBs and tracks at t."""
    # Black text and scalar bars on white, for a picture that reads on paper.
    simple.LoadPalette("WhiteBackground")
    view = simple.CreateRenderView()
    view.ViewSize = [1200, 800]
    view.ViewTime = t
    view.OrientationAxesVisibility = 0

    # Blocks are chosen by name prefix: after the first time step the Xdmf2
    # reader calls them fields[k], MVBs[k], tracks[k].
    def block(name):
        return simple.ExtractBlock(
            Input=reader,
            Selectors=[f"/Root/*[starts-with(name(), '{name}')]"])

    # The lower half of the cell shows the field inside it and leaves the
    # MVBs and tracks above the cut in view.
    clip = simple.Clip(Input=block("fields"))
    clip.ClipType = "Plane"
    clip.ClipType.Normal = [0, 0, 1]
    clip.ClipType.Origin = [0, 0, 0]
    clip.Invert = 1
    field_display = simple.Show(clip, view)
    simple.ColorBy(field_display, ("POINTS", field))
    field_display.RescaleTransferFunctionToDataRange(True, False)
    field_display.SetScalarBarVisibility(view, True)
    simple.GetScalarBar(simple.GetColorTransferFunction(field), view).Title = \
        f"{field} (uM)"

    tracks_display = simple.Show(block("tracks"), view)
    simple.ColorBy(tracks_display, None)
    tracks_display.AmbientColor = tracks_display.DiffuseColor = [.5, .5, .5]
    tracks_display.Opacity = 0.25

    mvbs_display = simple.Show(block("MVBs"), view)
    mvbs_display.SetRepresentationType("Point Gaussian")
    mvbs_display.GaussianRadius = 0.3  # um, about an MVB
    mvbs_display.ShaderPreset = "Sphere"
    simple.ColorBy(mvbs_display, ("POINTS", "mode"))
    mode = simple.GetColorTransferFunction("mode")
    mode.ApplyPreset("Rainbow Uniform", True)
    mode.RescaleTransferFunction(0.0, 4.0)  # free .. docked
    mvbs_display.SetScalarBarVisibility(view, True)
    mode_bar = simple.GetScalarBar(mode, view)
    mode_bar.Title = "MVB mode"
    mode_bar.ComponentTitle = "0 free .. 4 docked"
    mode_bar.WindowLocation = "Upper Right Corner"

    label = simple.Text(Text=f"t = {t:g} s")
    label_display = simple.Show(label, view)
    label_display.WindowLocation = "Upper Left Corner"

    # From above and in front: the flat cell at about 50 degrees elevation.
    view.CameraPosition = [0, -25, 30]
    view.CameraFocalPoint = [0, 0, 0]
    view.CameraViewUp = [0, 0, 1]
    view.ResetCamera()
    view.GetActiveCamera().Dolly(1.6)
    simple.SaveScreenshot(png, view, ImageResolution=[1200, 800])
    # Left to the interpreter's exit, the view's teardown crashes pvpython
    # under Xvfb (GLXBadContext, exit 1 or a segfault) after a passing check.
    simple.Delete(view)


def check_png(png, min_bytes, problems):
    """The image exists, is not tiny, and is more than a blank background."""
    if not os.path.exists(png):
        problems.append(f"no image written: {png}")
        return None
    size = os.path.getsize(png)
    if size < min_bytes:
        problems.append(f"{png}: {size} bytes, expected at least {min_bytes}")
    reader = vtkPNGReader()
    reader.SetFileName(png)
    reader.Update()
    image = reader.GetOutput()
    pixels = vtk_to_numpy(image.GetPointData().GetScalars())[:, :3]
    colours = numpy.unique(pixels, axis=0)
    drawn = (pixels != pixels[0]).any(axis=1).mean()
    if len(colours) < 50 or drawn < 0.05:
        problems.append(f"{png}: {len(colours)} colours, {100 * drawn:.1f}% "
                        "of it differs from the corner: no picture of the "
                        "cell")
    return size, len(colours)


def main():
    args = parse_arguments()
    problems = []
    xdmf = os.path.join(args.run_dir, "solution.xdmf")
    if not os.path.exists(xdmf):
        print(f"no {xdmf}")
        return 1
    reader = simple.XDMFReader(FileNames=[xdmf])
    times = list(reader.TimestepValues)
    if len(times) != args.times:
        problems.append(f"{len(times)} time steps, expected {args.times}: "
                        f"{times}")
    totals = mvb_totals(args.run_dir)

    mvb_counts = []
    render_time, widest, image = None, -1.0, None
    for index, t in enumerate(times):
        n_mvbs, field_range = check_time(reader, args.run_dir, index, t, args,
                                         totals, problems)
        mvb_counts.append(n_mvbs)
        # The image shows the time at which the field varies most (a flat
        # field shows nothing); the latest such time on a tie.
        if field_range and field_range[1] - field_range[0] >= widest:
            render_time, widest = t, field_range[1] - field_range[0]
    if not any(mvb_counts):
        problems.append("no time step has MVBs: nothing to check them on")

    if render_time is not None:
        render(reader, render_time, args.fields[0], args.png)
        image = check_png(args.png, args.min_png_bytes, problems)
    else:
        problems.append(f"no time step has the field '{args.fields[0]}' to "
                        "render")

    for p in problems:
        print(p)
    print(f"XDMFReader: {len(times)} time steps "
          f"{times[:1]}..{times[-1:]}; fields {args.fields}; MVB attributes "
          f"{args.mvb_attributes}; MVBs per time {mvb_counts} (checked "
          f"against statistics.csv"
          f"{' and mvbs/*.h5' if h5py else ''})")
    if image:
        print(f"image {args.png} at t = {render_time:g} s: {image[0]} bytes, "
              f"{image[1]} colours")
    print("OK" if not problems else "FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
