"""python_sweep.py: the Python path (python/allysim) against the command
line on the same 10^5-run sweep: a Latin hypercube of 10^4 points with 10
replicates of 24 steps, on all cores. Prints the median wall time and
processor time (user + system) of
  - `allysim sweep` (a subprocess, as a user runs it);
  - the same followed by pandas.read_csv of runs.csv (how a user of the
    command line gets a DataFrame);
  - allysim.sweep(..., out=DIR): the same files, in process;
  - allysim.sweep(...) into DataFrames (runs read back).
The wall time of a sweep includes waiting for the disk (every block is
synced), which varies from run to run on a busy machine.

    PYTHONPATH=python /usr/bin/python3 bench/python_sweep.py [BINARY] [REPEATS]
"""
import filecmp
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import pandas as pd

import allysim

SECTION = """model: { name = "bench"; steps = 24; };
sweep: { method = "lhs"; points = 10000; replicates = 10; seed = 1;
  params = ( { path = "quasi.coop_gain"; range = [1.0, 6.0]; },
             { path = "fears.gain_abandon"; range = [4.0, 12.0]; },
             { name = "commitment"; tie = ["patron.commitment.JPN", "patron.commitment.KOR"]; range = [0.1, 0.9]; } ); };
"""


def cpu_seconds():
    """Processor time of this process and of its finished children."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def measure(fs, repeats):
    """Median wall and processor time of each function, run in turn (so
    that a busy moment of the machine does not favour one of them)."""
    wall = [[] for _ in fs]
    cpu = [[] for _ in fs]
    for _ in range(repeats):
        for k, f in enumerate(fs):
            t0, c0 = time.perf_counter(), cpu_seconds()
            f()
            wall[k].append(time.perf_counter() - t0)
            cpu[k].append(cpu_seconds() - c0)
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(wall, cpu)]


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/release/allysim"
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    work = tempfile.mkdtemp()
    cfg = os.path.join(work, "bench.cfg")
    with open(cfg, "w") as f:
        f.write(SECTION)
    sc = allysim.load(cfg)

    def cli():
        shutil.rmtree(os.path.join(work, "cli"), ignore_errors=True)
        subprocess.run([binary, "sweep", cfg, "-q", "-o", os.path.join(work, "cli")], check=True,
                       stdout=subprocess.DEVNULL)

    def cli_pandas():
        cli()
        runs = pd.read_csv(os.path.join(work, "cli", "runs.csv"), float_precision="round_trip")
        assert len(runs) == 100000

    def py_dir():
        shutil.rmtree(os.path.join(work, "py"), ignore_errors=True)
        allysim.sweep(sc, out=os.path.join(work, "py"))

    def py_frames():
        r = allysim.sweep(sc)
        assert len(r.runs) == 100000

    (w_cli, c_cli), (w_pd, c_pd), (w_dir, c_dir), (w_df, c_df) = measure([cli, cli_pandas, py_dir, py_frames],
                                                                           repeats)
    same = all(filecmp.cmp(os.path.join(work, "cli", n), os.path.join(work, "py", n), shallow=False)
               for n in ("runs.csv", "points.csv", "failures.csv", "config.cfg"))
    print("library: %s, cores: %d, median of %d" % (allysim.LIBRARY, os.cpu_count(), repeats))
    print("%-30s %8s %8s %8s %8s" % ("", "wall s", "vs CLI", "cpu s", "vs CLI"))
    for name, w, c in (("allysim sweep (CLI)", w_cli, c_cli), ("CLI + pandas.read_csv(runs)", w_pd, c_pd),
                       ("allysim.sweep(out=DIR)", w_dir, c_dir), ("allysim.sweep() -> DataFrames", w_df, c_df)):
        print("%-30s %8.3f %+7.1f%% %8.3f %+7.1f%%" % (name, w, 100 * (w / w_cli - 1), c, 100 * (c / c_cli - 1)))
    print("files identical:", same)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
