"""test_api: the package against the allysim program: the same tables and
the same bytes, for run, sweep, test, sensitivity and calibrate."""
import json
import os
import shutil

import numpy as np
import pandas as pd
import pytest

import allysim
from conftest import ROOT, cfg, same_files


def meta_without_volatile(path):
    """meta.json without what differs by design (command line, date, build)."""
    with open(path) as f:
        m = json.load(f)
    for k in ("command_line", "date", "git_commit"):  # the commit: library and binary may be built apart
        m.pop(k, None)
    return m


def test_load_reads_values():
    sc = allysim.load(cfg("baseline.cfg"))
    assert sc.name == "baseline"
    assert sc["patron.commitment.KOR"] == 0.8
    assert sc["model.rule"] == "cha"
    assert sc["model.stochastic"] is True
    assert "quasi.coop_gain" in sc and len(sc) == len(sc.paths()) > 50
    assert sc.json()["params"]["model.steps"] == sc["model.steps"]


def test_set_schedule_and_reset():
    sc = allysim.load(cfg("baseline.cfg"))
    sc["patron.commitment.KOR"] = [(2014, .9), (2027, .4)]
    assert sc["patron.commitment.KOR"] == [(2014.0, 0.9), (2027.0, 0.4)]
    sc.update({"model.rule": "threat", "quasi.coop_gain": 5})
    assert sc["model.rule"] == "threat" and sc["quasi.coop_gain"] == 5.0
    del sc["model.rule"]
    assert sc["model.rule"] == "cha"
    assert sc.overrides == ("patron.commitment.KOR=((2014, 0.9), (2027, 0.4))", "quasi.coop_gain=5")


def test_set_events_and_strings():
    sc = allysim.load()
    sc["region.events"] = [{"year": 1970.5, "size": 0.3, "label": 'a "quoted" label'}]
    assert sc["region.events"] == [{"year": 1970.5, "size": 0.3, "label": 'a "quoted" label'}]
    sc["model.name"] = "mine"
    assert sc.name == "mine"


def test_text_scenario():
    sc = allysim.load('model: { name = "t"; steps = 24; };\nquasi: { coop_gain = 3; };\n')
    assert sc.name == "t" and sc["model.steps"] == 24 and sc["quasi.coop_gain"] == 3.0
    with pytest.raises(allysim.ConfigError) as e:
        allysim.load('model: { steps = 24; };\nquasi: { coop_gain = -3; };\n')
    assert e.value.file == "<string>" and e.value.line == 2 and e.value.setting == "quasi.coop_gain"
    assert str(e.value) == "<string>:2: quasi.coop_gain = -3: must be >= 0"


def test_errors_name_file_line_setting(cli):
    path = os.path.join(ROOT, "tests", "data", "bad", "out_of_range.cfg")
    with pytest.raises(allysim.ConfigError) as e:
        allysim.load(path)
    assert (e.value.file, e.value.line, e.value.setting) == (path, 4, "fears.rate")
    assert "allysim: " + str(e.value) + "\n" == cli("check", path, check=False).stderr


def test_set_errors_leave_scenario_unchanged():
    sc = allysim.load(cfg("baseline.cfg"))
    for path, value in [("quasi.coop_gain", -1), ("fears.rate", 1.5), ("model.rule", "walt"),
                        ("patron.commitment.KOR", [(2000, .5), (1990, .5)]), ("quasi.coop_gian", 4),
                        ("quasi.coop_gain", float("nan")), ("quasi.coop_gain", "high"),
                        ("patron.commitment.TWN", .5), ("model.steps", 10**30)]:
        with pytest.raises(allysim.ConfigError) as e:
            sc[path] = value
        assert e.value.setting == path and e.value.file is None
    assert sc.overrides == () and sc["quasi.coop_gain"] != -1
    with pytest.raises(KeyError):
        sc["no.such.setting"]
    with pytest.raises(TypeError):
        sc["quasi.coop_gain"] = object()


def test_run_matches_cli(cli, tmp_path):
    cli("run", cfg("baseline.cfg"), "-r", 3, "--seed", 5, "--every", 7, "-s", "model.rule=threat",
        "-o", tmp_path / "cli")
    sc = allysim.load(cfg("baseline.cfg"), set={"model.rule": "threat"})
    r = allysim.run(sc, replicates=3, seed=5, every=7)
    c = allysim.read(tmp_path / "cli")
    pd.testing.assert_frame_equal(r.timeseries, c.timeseries)
    pd.testing.assert_frame_equal(r.summary, c.summary)
    assert r.meta["base_seed"] == 5 and r.summary.attrs["allysim"]["runs_done"] == 3
    allysim.run(sc, replicates=3, seed=5, every=7, out=tmp_path / "py")
    assert same_files(tmp_path / "cli", tmp_path / "py") == []
    assert meta_without_volatile(tmp_path / "cli" / "meta.json") == meta_without_volatile(tmp_path / "py" / "meta.json")


def test_run_deterministic_and_many_replicates(cli, tmp_path):
    cli("run", "--deterministic", "-r", 40, "--no-timeseries", "-o", tmp_path / "cli")
    r = allysim.run(None, replicates=40, deterministic=True, timeseries=False)
    assert "timeseries" not in r
    pd.testing.assert_frame_equal(r.summary, allysim.read(tmp_path / "cli").summary)
    assert r.summary["mean_relation_JPN_KOR"].nunique() == 1


def test_sweep_same_bytes_as_cli(cli, tmp_path):
    cli("sweep", cfg("sweep_commitment.cfg"), "-r", 2, "--seed", 9, "-j", 2, "--series", "--every", 12,
        "-q", "-o", tmp_path / "cli")
    r = allysim.sweep(cfg("sweep_commitment.cfg"), replicates=2, seed=9, threads=1, series=True, every=12,
                      out=tmp_path / "py")
    assert same_files(tmp_path / "cli", tmp_path / "py") == []
    assert meta_without_volatile(tmp_path / "cli" / "meta.json") == meta_without_volatile(tmp_path / "py" / "meta.json")
    assert set(r.tables) == {"runs", "points", "series", "failures"}
    mem = allysim.sweep(cfg("sweep_commitment.cfg"), replicates=2, seed=9)
    assert mem.directory is None
    pd.testing.assert_frame_equal(mem.runs, r.runs)


def test_sweep_design_dict_equals_section_file(cli, tmp_path):
    section = tmp_path / "lhs.cfg"
    section.write_text('model: { steps = 48; };\nsweep: { method = "lhs"; points = 40; replicates = 3; seed = 4;\n'
                       '  params = ( { path = "quasi.coop_gain"; range = [1.0, 6.0]; },\n'
                       '             { path = "region.history_rate"; range = [0.25, 4.0]; scale = "log"; } ); };\n')
    cli("sweep", section, "-q", "-o", tmp_path / "cli")
    design = {"method": "lhs", "points": 40, "replicates": 3, "seed": 4,
              "params": {"quasi.coop_gain": (1.0, 6.0),
                         "region.history_rate": {"range": [0.25, 4.0], "scale": "log"}}}
    sc = allysim.load(str(section))
    allysim.sweep(sc, design, out=tmp_path / "py")
    assert same_files(tmp_path / "cli", tmp_path / "py") == []


def test_read_any_cli_directory(cli, tmp_path):
    cli("test", cfg("cha_test.cfg"), "-r", 2, "--rules", "cha,history", "-q", "-o", tmp_path / "t")
    r = allysim.read(tmp_path / "t")
    assert {"coefficients", "verdicts", "regimes", "runs", "points"} <= set(r.tables)
    assert r.meta["status"] == "complete" and r.config.startswith("# Resolved configuration")
    with pytest.raises(FileNotFoundError):
        allysim.read(tmp_path / "nothing")


def test_test_same_tables_as_cli(cli, tmp_path):
    p = cli("test", cfg("cha_test.cfg"), "-r", 2, "--rules", "cha,history", "-q", "-o", tmp_path / "cli")
    r = allysim.test(cfg("cha_test.cfg"), replicates=2, rules=["cha", "history"], out=tmp_path / "py")
    assert same_files(tmp_path / "cli", tmp_path / "py") == []
    assert r.report in p.stdout
    mem = allysim.test(cfg("cha_test.cfg"), replicates=2, rules="cha,history")
    pd.testing.assert_frame_equal(mem.verdicts, r.verdicts)
    with pytest.raises(allysim.UsageError):
        allysim.test(cfg("cha_test.cfg"), rules="cha,bogus")


def test_sensitivity_same_tables_as_cli(cli, tmp_path):
    small = ["-s", "model.steps=24"]
    cli("sensitivity", cfg("sensitivity.cfg"), *small, "-r", 1, "-q", "-o", tmp_path / "cli")
    sc = allysim.load(cfg("sensitivity.cfg"), set={"model.steps": 24})
    r = allysim.sensitivity(sc, replicates=1, out=tmp_path / "py")
    assert same_files(tmp_path / "cli", tmp_path / "py") == []
    assert list(r.sensitivity.columns[:3]) == ["metric", "parameter", "S1"]


def test_calibrate_same_tables_as_cli(cli, tmp_path):
    shutil.copy(cfg("history_1965_1990.cfg"), tmp_path)
    small = tmp_path / "cal.cfg"
    small.write_text('@include "history_1965_1990.cfg"\ncalibrate: { mode = "deterministic"; starts = 2; iterations = 20;\n'
                     '  params = ( { path = "quasi.coop_gain"; range = [0.0, 16.0]; } ); };\n')
    obs = cfg(os.path.join("observations", "cha_1965_1990.csv"))
    p = cli("calibrate", small, "--observations", obs, "--rules", "cha,history", "-j", 1, "-o", tmp_path / "cli")
    r = allysim.calibrate(str(small), obs, rules=["cha", "history"], out=tmp_path / "py")
    assert same_files(tmp_path / "cli", tmp_path / "py") == []
    assert r.report in p.stdout and "fitted-cha.cfg" in r.files
    mem = allysim.calibrate(str(small), pd.read_csv(obs), rules="cha")
    assert list(mem.comparison["rule"]) == ["cha"]


def test_bad_arguments_raise():
    sc = allysim.load()
    for kw in ({"replicates": 0}, {"replicates": -1}, {"replicates": 2.5}, {"every": 0}, {"seed": -1}):
        with pytest.raises(allysim.UsageError):
            allysim.run(sc, **kw)
    with pytest.raises(allysim.UsageError):
        allysim.sweep(sc)  # the baseline has no sweep section
    with pytest.raises(allysim.ConfigError):
        allysim.sweep(sc, {"method": "grid", "params": {"no.such": [1, 2]}})
    with pytest.raises(allysim.ConfigError):
        allysim.sweep(sc, {"method": "bogus", "params": {"quasi.coop_gain": [1, 2]}})
    with pytest.raises(allysim.AllysimIOError):
        allysim.run(sc, out="/proc/allysim-cannot-write-here")
    with pytest.raises(allysim.ConfigError):
        allysim.load("no/such/file.cfg")


def test_help_is_useful():
    for f in (allysim.load, allysim.run, allysim.sweep, allysim.test, allysim.sensitivity,
              allysim.calibrate, allysim.read, allysim.discover):
        assert f.__doc__ and len(f.__doc__) > 200, f.__name__
    assert "ConfigError" in allysim.__doc__ and allysim.Scenario.__doc__


def test_large_tables_read_exactly(tmp_path):
    sc = allysim.load(cfg("sweep_commitment.cfg"), set={"model.steps": 12})
    r = allysim.sweep(sc, replicates=100, out=tmp_path / "s")  # 2700 runs: the library's reader
    want = pd.read_csv(tmp_path / "s" / "runs.csv", float_precision="round_trip")
    assert len(want) > allysim.results.SNIFF_ROWS
    pd.testing.assert_frame_equal(r.runs, want)
    assert r.runs["model.rule"].dtype == object


def test_output_directory_taken_as_the_cli_does(tmp_path):
    sc = allysim.load(None, set={"model.steps": 12})
    allysim.run(sc, out=tmp_path / "r")
    with pytest.raises(allysim.UsageError):
        allysim.run(sc, out=tmp_path / "r")  # earlier results are not mixed in
    allysim.run(sc, replicates=2, out=tmp_path / "r", overwrite=True)
    assert len(allysim.read(tmp_path / "r").summary) == 2
    design = {"method": "grid", "params": {"quasi.coop_gain": [1, 2]}}
    allysim.sweep(sc, design, out=tmp_path / "s")
    with pytest.raises(allysim.UsageError):
        allysim.sweep(sc, design, out=tmp_path / "s")
    with pytest.raises(allysim.UsageError):
        allysim.sweep(sc, design, out=tmp_path / "s", resume=True, overwrite=True)
    allysim.sweep(sc, design, out=tmp_path / "s", overwrite=True)
