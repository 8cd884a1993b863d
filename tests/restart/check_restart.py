#!/usr/bin/env python3
"""Checkpoint/restart and data-safety checks of whole mvbsim runs.

Usage: check_restart.py CASE --mvbsim EXE --compare EXE
         --mpiexec 'mpirun -np NP ...' --ranks N --scenario PRM [PRM ...]
         --work DIR [--tolerances F]

Cases:
  stop-and-resume   a run stopped at T/2 and restarted to T gives the same
                    snapshot.h5, statistics.csv and fusions.h5, bit for bit,
                    as the uninterrupted run (same rank count)
  kill-and-resume   a run killed with SIGKILL at 10 moments (while it writes
                    a checkpoint, while it writes an output, at random),
                    restarted after each: every time, every file that
                    solution.xdmf announces is readable, and the last
                    restart ends bit for bit where the uninterrupted run
                    ends
  other-rank-count  a checkpoint of a 1-rank run continues on N ranks, and
                    one of N ranks on 1, within the regression tolerances
                    (--tolerances)
  bad-restarts      restarts that must be refused, each with its message and
                    without changing the run's folder
  full-disk         a write that fails (file size limit, as on a full disk)
                    stops the run with a clear error; what was written stays
"""
import argparse
import hashlib
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import h5py

failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message)


def scenario(args, path, **settings):
    """The scenario with settings appended: {"Time stepping/End time": x}."""
    text = ""
    for part in args.scenario:
        with open(part) as f:
            text += f.read() + "\n"
    for key, value in settings.items():
        *sections, entry = key.split("/")
        text += "\n" + "".join(f"subsection {s}\n" for s in sections)
        text += f"set {entry} = {value}\n" + "end\n" * len(sections)
    with open(path, "w") as f:
        f.write(text)
    return path


def run(args, options, ranks=None, expect_ok=True, limit_file_size=None):
    command = args.mpiexec.replace("NP", str(ranks or args.ranks)).split()
    command += [args.mvbsim] + options

    def limit():
        # A file size limit stands in for a full disk: writes fail with
        # EFBIG instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE,
                           (limit_file_size, limit_file_size))

    p = subprocess.run(command, cwd=args.work, capture_output=True,
                       text=True, preexec_fn=limit if limit_file_size else None)
    if expect_ok and p.returncode != 0:
        print(p.stdout[-3000:], p.stderr[-3000:])
        sys.exit(f"mvbsim {' '.join(options)} failed ({p.returncode})")
    return p


def same_files(a, b, names):
    """Byte for byte: mvbsim's HDF5 files carry no modification times."""
    for name in names:
        with open(os.path.join(a, name), "rb") as f, \
                open(os.path.join(b, name), "rb") as g:
            if f.read() != g.read():
                fail(f"{name} of {a} and {b} differ")


def compare(args, result, reference, exact=True):
    if exact:
        tolerances = os.path.join(args.work, "exact.txt")
        with open(tolerances, "w") as f:
            f.write("default abs 0 rel 0\n")
    else:
        tolerances = args.tolerances
    p = subprocess.run([args.compare, "--tolerances", tolerances,
                        os.path.join(result, "snapshot.h5"),
                        os.path.join(reference, "snapshot.h5")],
                       capture_output=True, text=True)
    print(p.stdout[-2500:], p.stderr[-1000:])
    if p.returncode != 0:
        fail(f"{result}/snapshot.h5 differs from {reference}/snapshot.h5")


def checkpoints(run_dir):
    folder = os.path.join(run_dir, "checkpoints")
    if not os.path.isdir(folder):
        return []
    return sorted(f for f in os.listdir(folder) if f.endswith(".mvbchk"))


def tree_hashes(folder):
    result = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                result[os.path.relpath(path, folder)] = \
                    hashlib.sha256(f.read()).hexdigest()
    return result


def check_announced_files(run_dir):
    """Every HDF5 dataset solution.xdmf names opens and has its shape."""
    root = ET.parse(os.path.join(run_dir, "solution.xdmf")).getroot()
    n = 0
    for item in root.iter("DataItem"):
        file, dataset = item.text.strip().split(":")
        shape = tuple(int(x) for x in item.get("Dimensions").split())
        with h5py.File(os.path.join(run_dir, file), "r") as f:
            data = f[dataset][()]
            if data.size != int(eval("*".join(map(str, shape)))):
                fail(f"{file}:{dataset} has {data.size} values, the XDMF "
                     f"announces {shape}")
        n += 1
    with h5py.File(os.path.join(run_dir, "snapshot.h5"), "r") as f:
        times = f["time"][()]
    with open(os.path.join(run_dir, "statistics.csv")) as f:
        rows = f.read().splitlines()[1:]
    print(f"  {n} datasets of {len(root.findall('./Domain/Grid/Grid'))} "
          f"output times readable; snapshot {len(times)} times, "
          f"statistics {len(rows)} rows")


def stop_and_resume(args):
    every = {"Checkpointing/Steps between checkpoints": 100}
    full = scenario(args, "full.prm", **every)
    half = scenario(args, "half.prm", **every,
                    **{"Time stepping/End time": args.half_time})
    run(args, ["--output", "full", full])
    run(args, ["--output", "half", half])
    p = run(args, ["--restart", "half", full])
    if "Restarting from" not in p.stdout:
        fail("the restart does not say where it restarts from")
    compare(args, "half", "full")
    same_files("half", "full", ["statistics.csv", "fusions.h5", "snapshot.h5"])
    # The run record now says what the run became: a later restart without
    # a scenario takes the longer end time.
    with open(os.path.join("half", "parameters.prm")) as f:
        end = re.search(r"set End time *= *([^ #\n]+)", f.read()).group(1)
    with open(os.path.join("full", "parameters.prm")) as f:
        wanted = re.search(r"set End time *= *([^ #\n]+)", f.read()).group(1)
    if end != wanted:
        fail(f"parameters.prm of the restarted run has End time {end}, "
             f"not {wanted}")


def output_files(run_dir):
    return sum(len(os.listdir(os.path.join(run_dir, d)))
               for d in ("fields", "mvbs")
               if os.path.isdir(os.path.join(run_dir, d)))


def session_members(leader):
    """The live processes of the session that `leader` leads."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, parent, process group, session.
        if int(fields[3]) == leader and fields[0] != "Z":
            members.append(int(entry))
    return members


def kill_session(leader):
    """SIGKILLs every process of the launcher's session. mpirun puts each
    rank into a process group of its own, so killpg() on the launcher's
    group killed mpirun and left the ranks running and writing while the
    next restart began."""
    while True:
        members = session_members(leader)
        if not members:
            return
        for pid in members:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.001)


def kill_and_resume(args, n_kills=10):
    every = {"Checkpointing/Steps between checkpoints": 20,
             "Output/Output interval": 10}
    full = scenario(args, "full.prm", **every)
    run(args, ["--output", "full", full])
    killed = os.path.join(args.work, "killed")
    rng = random.Random(args.ranks)
    moments = ["checkpoint write", "output write", "random"]
    hits = {m: 0 for m in moments}
    for k in range(n_kills):
        moment = moments[k % 3]
        options = ["--restart", "killed", full] if k else \
            ["--output", "killed", full]
        command = args.mpiexec.replace("NP", str(args.ranks)).split()
        command += [args.mvbsim] + options
        before = (checkpoints(killed), output_files(killed))
        p = subprocess.Popen(command, cwd=args.work,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL,
                             start_new_session=True)
        deadline = time.time() + 300
        # The first run is killed only once it has a checkpoint to go on
        # from.
        while not checkpoints(killed):
            if p.poll() is not None or time.time() > deadline:
                sys.exit("the run ended before its first checkpoint")
            time.sleep(0.01)
        # Armed: wait for the moment, and kill in it; a write that is over
        # before it is seen is a kill right after it. A random moment comes
        # after a random number of changes of the output folders and a
        # random delay of up to 20 ms: somewhere in the steps, but never
        # more than a few outputs on, since the whole run takes only a few
        # seconds (a wall-clock window of up to 2 s once let one kill
        # carry the run from step 20 to 460 of 600, and the last kills found
        # it ended).
        changes = rng.randint(1, 6)
        delay = rng.uniform(0.0, 0.02)
        seen = before[1]
        stop = None
        hit = False
        while p.poll() is None and time.time() < deadline:
            if moment == "random":
                if stop is None:
                    now = output_files(killed)
                    if now != seen:
                        seen = now
                        changes -= 1
                        if changes == 0:
                            stop = time.time() + delay
                elif time.time() >= stop:
                    break
            elif moment == "checkpoint write":
                folder = os.path.join(killed, "checkpoints")
                hit = any(n.endswith(".tmp") for n in os.listdir(folder))
                if hit or checkpoints(killed) != before[0]:
                    break
            elif moment == "output write":
                hit = output_files(killed) != before[1]
                if hit:
                    break
            time.sleep(0.0005)
        if p.poll() is not None:
            sys.exit("the run ended before it was killed: make it longer")
        kill_session(p.pid)
        p.wait()
        hits[moment] += hit
        print(f"kill {k + 1} ({moment}{', in it' if hit else ''}): "
              f"checkpoints {checkpoints(killed)}")
        check_announced_files(killed)
    print(f"  kills in a checkpoint write {hits['checkpoint write']}, "
          f"in an output write {hits['output write']}, of {n_kills}")
    r = run(args, ["--restart", "killed", full])
    print(re.search(r"Restarting from.*", r.stdout).group(0))
    compare(args, "killed", "full")
    same_files("killed", "full",
               ["statistics.csv", "fusions.h5", "snapshot.h5"])


def other_rank_count(args):
    every = {"Checkpointing/Steps between checkpoints": 100}
    full = scenario(args, "full.prm", **every)
    half = scenario(args, "half.prm", **every,
                    **{"Time stepping/End time": args.half_time})
    run(args, ["--output", "full", full], ranks=1)
    run(args, ["--output", "half", half], ranks=1)
    p = run(args, ["--restart", "half", full])
    if "written by 1 ranks" not in p.stdout:
        fail("the restart does not say how many ranks wrote the checkpoint")
    compare(args, "half", "full", exact=False)
    # And back: a checkpoint of N ranks continued on 1.
    run(args, ["--output", "half-n", half])
    p = run(args, ["--restart", "half-n", full], ranks=1)
    if f"written by {args.ranks} ranks; rank 0 read {args.ranks} of" \
            not in p.stdout:
        fail("a restart on 1 rank did not read every part")
    compare(args, "half-n", "full", exact=False)


def bad_restarts(args):
    every = {"Checkpointing/Steps between checkpoints": 100}
    half = scenario(args, "half.prm", **every,
                    **{"Time stepping/End time": args.half_time})
    run(args, ["--output", "half", half])
    os.makedirs("not-a-run", exist_ok=True)
    run(args, ["--output", "no-checkpoints",
               scenario(args, "plain.prm",
                        **{"Time stepping/End time": args.half_time})])
    other = scenario(args, "other.prm", **every, **{"MVB/Random seed": 12345})
    earlier = scenario(args, "earlier.prm",
                       **{"Time stepping/End time": args.early_time})
    with open("three-d.prm", "w") as f:
        f.write("subsection Geometry\n  set Dimension = 3\nend\n")
    cases = [
        (["--restart", "half", other],
         r"--restart = half: its checkpoint is of another scenario: "
         r"'MVB/Random seed' is '1' there and '12345' here"),
        (["--restart", "half", earlier],
         r"Time stepping/End time = .*is before the time of the checkpoint"),
        (["--restart", "half", "three-d.prm"],
         r"its checkpoint is of a 2D run and this scenario is 3D"),
        (["--restart", "no-checkpoints"],
         r"--restart = no-checkpoints: holds no checkpoint"),
        (["--restart", "not-a-run", half], r"--restart = not-a-run: holds no "
                                           r"mvbsim run"),
        (["--restart", "not-a-run"], r"--restart = not-a-run: holds no "
                                     r"mvbsim run"),
        (["--restart", "no-such-run"],
         r"--restart = no-such-run: is not a directory"),
        (["--restart", "half", "--output", "elsewhere", half],
         r"a restarted run continues in its own directory"),
        (["--restart", "half", "--overwrite", half],
         r"a restart continues a run and never replaces one"),
        (["--restart"], r"option --restart needs the directory"),
    ]
    before = tree_hashes("half")
    for options, expect in cases:
        p = run(args, options, expect_ok=False)
        errors = re.findall(r"mvbsim: [a-z ]*error:", p.stderr)
        if p.returncode == 0 or not re.search(expect, p.stderr) \
                or len(errors) != 1:
            fail(f"mvbsim {' '.join(options)}: exit {p.returncode}, "
                 f"stderr {p.stderr.strip()!r}, expected {expect!r}")
        else:
            print(f"  refused as expected: {p.stderr.strip()}")
    if tree_hashes("half") != before:
        fail("a refused restart changed the run's folder")
    if os.path.exists("elsewhere") or os.listdir("not-a-run"):
        fail("a refused restart wrote files")

    # A damaged newest checkpoint: the one before it is taken.
    newest = sorted(checkpoints("half"))[-1]
    path = os.path.join("half", "checkpoints", newest)
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) // 2)
    full = scenario(args, "full.prm", **every)
    p = run(args, ["--restart", "half", full])
    if not re.search(r"Warning: checkpoint .* is damaged", p.stdout):
        fail("a damaged checkpoint was not reported")
    print("  damaged newest checkpoint: restarted from the one before")


def full_disk(args):
    every = {"Checkpointing/Steps between checkpoints": 1,
             "Time stepping/End time": args.early_time,
             "Geometry/Global refinements": 6}
    prm = scenario(args, "big.prm", **every)
    # 8 MB: enough for MPI's start-up files, too little for the checkpoint.
    p = run(args, ["--output", "out", prm], expect_ok=False,
            limit_file_size=8 * 1024 * 1024)
    print(p.stderr.strip())
    if p.returncode == 0 or not re.search(
            r"mvbsim: error: cannot write '.*': File too large \(the disk is "
            r"full\)", p.stderr):
        fail(f"a failed write gave exit {p.returncode} and {p.stderr!r}")
    leftovers = [n for n in tree_hashes("out") if n.endswith(".tmp")]
    if leftovers:
        fail(f"half-written files left behind: {leftovers}")
    check_announced_files("out")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case")
    for option in ["--mvbsim", "--compare", "--mpiexec", "--work"]:
        parser.add_argument(option, required=True)
    parser.add_argument("--scenario", nargs="+", required=True,
                        help="files whose text, one after the other, is the "
                        "scenario")
    parser.add_argument("--ranks", type=int, default=1)
    parser.add_argument("--tolerances")
    parser.add_argument("--half-time", default="-1650")
    parser.add_argument("--early-time", default="-1799.5")
    args = parser.parse_args()
    args.mvbsim = os.path.abspath(args.mvbsim)
    args.scenario = [os.path.abspath(s) for s in args.scenario]
    if args.tolerances:
        args.tolerances = os.path.abspath(args.tolerances)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    os.chdir(args.work)
    {"stop-and-resume": stop_and_resume,
     "kill-and-resume": kill_and_resume,
     "other-rank-count": other_rank_count,
     "bad-restarts": bad_restarts,
     "full-disk": full_disk}[args.case](args)
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    print("all checks passed")


if __name__ == "__main__":
    main()
