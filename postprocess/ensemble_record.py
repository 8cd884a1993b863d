#!/usr/bin/env python3
"""The record of an ensemble: what the validation report reads of its
replicate runs, kept in one small JSON file so that the report can be
rebuilt, audited, and an interrupted report resumed on another machine,
without the run folders (hundreds of MB per ensemble).

A record holds, per replicate: the seed, the wall time, the observables of
postprocess/ensemble.py over [t0, end] (patch_fraction aside: it depends on
the patch the report measures, and is computed from the fusions), the
cumulative exosome and label columns of statistics.csv from t0 (or the pulse
start) on, the histogram of the MVBs' radial positions at the output times
from t0 on, the fusions after t0 (time, position, ILVs) and the ages at
fate after t0. Per ensemble: its name, scenario and parameter set, the
parameters of its first replicate, the mvbsim revision that ran it (from
log.txt) and a fingerprint of its input files (the .prm with every included
file), so a record is reused only where the simulator's code and the
inputs are those of the checkout (see reusable()).

RecordedEnsemble is an ensemble.Ensemble built from a record: the same
column(), summary(), paired_seeds() and ratio().
"""
import glob
import hashlib
import json
import math
import os
import re
import subprocess

import h5py
import numpy as np

import ensemble as ens
import pulse_chase

FORMAT = 1


def _code_paths():
    """The git pathspecs of the files mvbsim is built from, read from
    MVBSIM_CODE_PATHS of cmake/MvbsimVersion.cmake (which marks a build of
    uncommitted changes to them "-dirty"), so that the two cannot differ."""
    cmake = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         os.pardir, "cmake", "MvbsimVersion.cmake")
    with open(cmake) as f:
        m = re.search(r"set\(MVBSIM_CODE_PATHS\s+(.*?)\)\s*\n", f.read(),
                      re.S)
    return tuple(quoted or bare for quoted, bare in
                 re.findall(r'"([^"]+)"|(\S+)', m.group(1)))


# A record made by a revision whose code (these files) differs from the
# checkout's here is not reused. Documents in these folders
# (physics/MODEL.md) are not code: editing them keeps records.
CODE_PATHS = _code_paths()

# Radial position bins of the histogram (0: nuclear envelope, 1: membrane).
RADIAL_BINS = np.linspace(0, 1, 21)

# The statistics columns the report plots (cumulative counts).
SERIES = ("mvb_exosomes", pulse_chase.LABEL)


def _rounded(values, digits=7):
    """A list of floats with @p digits significant digits (the plots' data:
    full precision would triple the record for nothing)."""
    return [float(f"{v:.{digits}g}") for v in np.asarray(values).ravel()]


def run_revision(run):
    """The mvbsim revision a replicate's log.txt names ('unknown' if none)."""
    with open(os.path.join(run, "log.txt")) as f:
        for line in f:
            m = re.match(r"mvbsim \S+ \(revision (\S+)\)", line)
            if m:
                return m.group(1)
    return "unknown"


def input_fingerprint(prm, root):
    """SHA-256 of the text of @p prm and of the name and content of every
    file it includes (recursively, in order) and of every mesh file it
    names ('set Mesh file = ...', if the file is there), with the paths
    below @p root written relative to it: two checkouts with the same inputs
    get the same fingerprint, wherever they and the run folders are. (Files
    outside @p root keep their absolute paths: the same inputs elsewhere
    then give another fingerprint, and their records are not reused.)"""
    digest = hashlib.sha256()
    root = os.path.realpath(root)

    def name(path):
        inside = path.startswith(root + os.sep)
        return os.path.relpath(path, root) if inside else path

    def add(path, top=False):
        path = os.path.realpath(path)
        with open(path, "rb") as f:
            content = f.read()
        if not top:
            digest.update(name(path).encode() + b"\0")
        text = content.decode(errors="replace")
        digest.update(text.replace(root + os.sep, "./").encode() + b"\0")
        if path.endswith(".msh"):
            return
        for line in text.splitlines():
            here = os.path.dirname(path)
            m = re.match(r"\s*include\s+(\S+)", line)
            if m:
                add(os.path.join(here, m.group(1)))
            m = re.match(r"\s*set\s+Mesh file\s*=\s*(\S+)", line)
            if m and os.path.exists(os.path.join(here, m.group(1))):
                add(os.path.join(here, m.group(1)))

    add(prm, top=True)
    return digest.hexdigest()


def _git(root, *arguments):
    return subprocess.run(["git", "-C", root] + list(arguments),
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True)


def same_code(revision, root):
    """Whether the simulator's code (CODE_PATHS) at @p revision is that of
    the checkout at @p root, committed and unchanged. False outside git, for
    a revision git does not know, or one built with uncommitted changes."""
    if revision in ("unknown", "") or revision.endswith("-dirty"):
        return False
    commit = revision.rsplit("-g", 1)[-1]
    if _git(root, "cat-file", "-e", commit + "^{commit}").returncode != 0:
        return False
    if _git(root, "--no-optional-locks", "status", "--porcelain", "--",
            *CODE_PATHS).stdout.strip():
        return False
    return _git(root, "diff", "--quiet", commit, "HEAD", "--",
                *CODE_PATHS).returncode == 0


def radial_counts(run, times, t0):
    """The counts of the MVBs' radial positions in RADIAL_BINS over the
    output times from t0 on (mvbs/mvbs-N.h5 is output N, the N-th row of
    statistics.csv)."""
    counts = np.zeros(len(RADIAL_BINS) - 1, dtype=int)
    for f in glob.glob(os.path.join(run, "mvbs", "mvbs-*.h5")):
        n = int(os.path.basename(f)[len("mvbs-"):-len(".h5")])
        if n < len(times) and times[n] >= t0 - 1e-9:
            with h5py.File(f, "r") as h:
                if "radial_position" in h:
                    counts += np.histogram(h["radial_position"][:],
                                           bins=RADIAL_BINS)[0]
    return counts


def nearest_output(times, t):
    """The output time nearest @p t (where cumulative counts are exact; the
    observables and the pulse-chase curve start there)."""
    return float(times[int(np.argmin(np.abs(times - t)))])


def replicate_record(run, t0, stats, values, seed, seconds):
    """What the report keeps of one finished replicate folder: events after
    the output time nearest t0, the series from there (or from the output
    time nearest the pulse start, if earlier)."""
    t = stats["time"]
    t0 = nearest_output(t, t0)
    start = t0
    pulse = pulse_chase.pulse_start_from_parameters(ens.read_parameters(run))
    if pulse_chase.has_label(stats) and pulse is not None:
        start = min(start, nearest_output(t, pulse))
    keep = t >= start - 1e-9
    record = {"seed": seed, "seconds": seconds,
              "values": {k: v for k, v in values.items()
                         if k != "patch_fraction"},
              "time": _rounded(t[keep], 12)}
    for column in SERIES:
        if column in stats:
            record[column] = _rounded(stats[column][keep], 12)
    record["radial_counts"] = radial_counts(run, t, t0).tolist()
    ft, fx, fn = ens.read_fusions(run)
    inside = ft > t0
    record["fusions"] = {"time": _rounded(ft[inside]),
                         "position": [_rounded(x) for x in fx[inside]],
                         "ilv_count": [int(n) for n in fn[inside]]}
    ages = ens.ages_at_fate(run, t0)
    record["ages"] = (None if ages is None else
                      {"fusions": _rounded(ages[0], 6),
                       "degradations": _rounded(ages[1], 6)})
    return record


def record_from_runs(directory, name, scenario, settings, t0, fingerprint,
                     limit=None):
    """The record of the ensemble folder @p directory (its first @p limit
    replicates), observed from @p t0."""
    e = ens.Ensemble(directory, t0, None, None, limit=limit)
    seconds = [replicate_seconds(r) for r in e.runs]
    revisions = sorted({run_revision(r) for r in e.runs})
    return {"format": FORMAT, "name": name, "scenario": scenario,
            "settings": settings, "t0": t0, "fingerprint": fingerprint,
            "revision": revisions[0] if len(revisions) == 1
            else "mixed: " + ", ".join(revisions),
            "parameters": e.parameters,
            "replicates": [replicate_record(r, t0, s, v, seed, sec)
                           for r, s, v, seed, sec in
                           zip(e.runs, e.statistics, e.values, e.seeds,
                               seconds)]}


def replicate_seconds(run):
    """The wall time a finished replicate reports in its log.txt."""
    with open(os.path.join(run, "log.txt")) as f:
        for line in f:
            if "Total wallclock time elapsed since start" in line:
                return float(line.split("|")[2].strip().rstrip("s"))
    return math.nan


def write(record, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".part", "w") as f:
        json.dump(record, f, separators=(",", ":"))
        f.write("\n")
    os.replace(path + ".part", path)


def read(path):
    """The record at @p path, or None if there is none or it is of another
    format."""
    try:
        with open(path) as f:
            record = json.load(f)
    except (OSError, ValueError):
        return None
    return record if record.get("format") == FORMAT else None


def reusable(record, replicates, t0, fingerprint, root):
    """Why @p record cannot stand for a run of @p replicates replicates
    observed from @p t0 with the inputs @p fingerprint (None: it can)."""
    if record is None:
        return "no record"
    if len(record["replicates"]) < replicates:
        return f"{len(record['replicates'])} replicates recorded"
    if record["t0"] != t0:
        return f"observed from t = {record['t0']:g} s"
    if record["fingerprint"] != fingerprint:
        return "the input files changed"
    if not same_code(record["revision"], root):
        return f"made by revision {record['revision']}, whose code differs"
    return None


class RecordedEnsemble(ens.Ensemble):
    """An ensemble.Ensemble read from a record (its first @p limit
    replicates); @p patch (centre, radius) or None gives patch_fraction."""

    def __init__(self, record, patch=None, limit=None):
        self.record = record
        self.replicates = record["replicates"][:limit]
        self.parameters = record["parameters"]
        self.seeds = [r["seed"] for r in self.replicates]
        self.statistics = [
            {k: np.array(r[k]) for k in ("time",) + SERIES if k in r}
            for r in self.replicates]
        self.values = []
        for r in self.replicates:
            v = dict(r["values"])
            v["patch_fraction"] = math.nan
            if patch is not None:
                _, x, n = self.fusions_of(r)
                on = ens.on_patch(x, patch)
                v["patch_fraction"] = (n[on].sum() / n.sum() if n.sum() > 0
                                       else math.nan)
            self.values.append(v)

    @staticmethod
    def fusions_of(replicate):
        f = replicate["fusions"]
        x = np.array(f["position"], dtype=float).reshape(-1, 3)
        return np.array(f["time"]), x, np.array(f["ilv_count"])

    def fusions(self):
        """(time, position, ILVs) of the fusions after t0 of each
        replicate."""
        return [self.fusions_of(r) for r in self.replicates]

    def ages(self):
        """The ages at fate (s) after t0 of each replicate, (fusions,
        degradations), or None if its runs did not record them."""
        if any(r["ages"] is None for r in self.replicates):
            return None
        return [(np.array(r["ages"]["fusions"]),
                 np.array(r["ages"]["degradations"]))
                for r in self.replicates]

    def radial_counts(self):
        """The radial histogram (RADIAL_BINS) pooled over the replicates."""
        return np.sum([r["radial_counts"] for r in self.replicates], axis=0)

    def seconds(self):
        return [r["seconds"] for r in self.replicates]

    def __len__(self):
        return len(self.replicates)
