"""test_hostile: the loader's bad and hostile scenario files, and hostile
values and arguments, through the Python API: an exception with the
message `allysim check` prints, never a crash of the interpreter."""
import glob
import os

import pytest

import allysim
from conftest import data

CORPUS = sorted(glob.glob(data("bad", "*.cfg")) + glob.glob(data("hostile", "*.cfg")))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: os.path.relpath(p, data()))
def test_corpus_file_as_the_cli_says(path, cli):
    p = cli("check", path, check=False)
    if p.returncode == 0:
        sc = allysim.load(path)
        assert sc.text() == p.stdout
        return
    assert p.returncode == 2, p.stderr
    with pytest.raises(allysim.ConfigError) as e:
        allysim.load(path)
    assert "".join("allysim: %s\n" % line for line in str(e.value).split("\n")) == p.stderr
    if e.value.line is not None:
        assert e.value.line >= 1


@pytest.mark.parametrize("path", CORPUS[:12], ids=lambda p: os.path.basename(p))
def test_corpus_file_as_text(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    try:
        allysim.load(text + "\n")
    except (allysim.ConfigError, ValueError):
        pass


HOSTILE_VALUES = [
    "\x00", "\n@include \"/etc/passwd\"", "x" * 100000, "((((((((((((((((((((1))))))))))))))))))))",
    [(1e308, 1e308)] * 5, [(float("inf"), 0.5)], [(1965, 0.5)] * 100000, [], [()], [(1, 2, 3)], {"a": {}},
    -0.0, 2**64, -(2**63) - 1, "\xff\xfe", "\"", "\\", float("-inf"), True, None,
]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
@pytest.mark.parametrize("path", ["quasi.coop_gain", "patron.commitment.KOR", "model.name", "model.seed",
                                  "model.rule", "region.events", "model.steps"])
def test_hostile_values(path, value):
    sc = allysim.load()
    try:
        sc[path] = value
    except (allysim.ConfigError, ValueError, TypeError, allysim.UsageError):
        assert sc.overrides == ()
        return
    assert sc[path] is not None


@pytest.mark.parametrize("key", [None, 3, "", "=", "a=b", "quasi", "quasi.", "..", "x" * 5000, "\x00"])
def test_hostile_keys(key):
    sc = allysim.load()
    with pytest.raises((KeyError, ValueError)):
        sc[key]
    with pytest.raises((KeyError, ValueError, allysim.ConfigError)):
        sc[key] = 1


def test_hostile_designs_and_paths(tmp_path):
    sc = allysim.load(None, set={"model.steps": 12})
    for design in ({}, {"method": "grid"}, {"method": "lhs", "points": -1, "params": {"quasi.coop_gain": (1, 2)}},
                   {"params": {"quasi.coop_gain": []}}, {"method": "sobol", "points": 10**15,
                                                         "params": {"quasi.coop_gain": (2, 1)}},
                   str(tmp_path / "missing.cfg"), data("hostile", "binary.cfg")):
        with pytest.raises((allysim.ConfigError, allysim.UsageError, allysim.AllysimIOError)):
            allysim.sweep(sc, design, out=tmp_path / "o")
    with pytest.raises(FileNotFoundError):
        allysim.read(tmp_path / "missing")
    with pytest.raises((allysim.AllysimIOError, allysim.ConfigError)):
        allysim.calibrate(sc, tmp_path / "missing.csv", design={"params": {"quasi.coop_gain": (0, 1)}})
