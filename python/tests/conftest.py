"""conftest: what the tests of the Python package share: the source tree,
the allysim binary to compare with (ALLYSIM_BIN, else build/test/allysim
or build/release/allysim) and the library of the same build (unless
ALLYSIM_LIB says otherwise), and a helper that runs the binary."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))


def _binary():
    if os.environ.get("ALLYSIM_BIN"):
        return os.environ["ALLYSIM_BIN"]
    for preset in ("test", "release", "ci", "debug"):
        path = os.path.join(ROOT, "build", preset, "allysim")
        if os.path.isfile(path):
            return path
    return None


BIN = _binary()
if BIN and not os.environ.get("ALLYSIM_LIB") and os.path.isfile(os.path.join(os.path.dirname(BIN), "libasim.so")):
    os.environ["ALLYSIM_LIB"] = os.path.join(os.path.dirname(BIN), "libasim.so")  # the same build


@pytest.fixture
def cli(tmp_path):
    """Run the allysim program from the source tree; returns the process."""
    if BIN is None:
        pytest.skip("no allysim binary to compare with")

    def run(*args, check=True):
        p = subprocess.run([BIN, *map(str, args)], cwd=ROOT, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError("allysim %s: rc %d: %s" % (" ".join(map(str, args)), p.returncode, p.stderr))
        return p
    return run


def cfg(name):
    """A path in configs/."""
    return os.path.join(ROOT, "configs", name)


def data(*parts):
    """A path in tests/data/."""
    return os.path.join(ROOT, "tests", "data", *parts)


def same_files(a, b, skip=("meta.json", ".allysim.lock")):
    """The names of files that differ between two result directories (the
    lock holds the process id of its writer)."""
    names = sorted(set(os.listdir(a)) | set(os.listdir(b)))
    bad = []
    for n in names:
        if n in skip:
            continue
        pa, pb = os.path.join(a, n), os.path.join(b, n)
        if not (os.path.isfile(pa) and os.path.isfile(pb)):
            bad.append(n + " (missing)")
        elif open(pa, "rb").read() != open(pb, "rb").read():
            bad.append(n)
    return bad
