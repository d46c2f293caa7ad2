"""studies: runs, sweeps and the studies of the command line, in process.

run         replicates of one scenario          (allysim run)
sweep       a design of parameter points        (allysim sweep)
test        Cha's hypothesis under each rule    (allysim test)
sensitivity Sobol indices of summary metrics    (allysim sensitivity)
calibrate   fit to coded history               (allysim calibrate)

Each does what its command does, through libasim (no subprocess); with
out=DIR it writes the command's files into DIR (the same bytes as the
command for the same scenario, design and seed; only meta.json's command
line and date differ), otherwise it works in a temporary directory and
returns the tables as DataFrames. A design or study section may be given
as a dict (the section's settings), as the path of a file that has the
section, or left out (the scenario file's own section).
"""
from __future__ import annotations

import ctypes
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Mapping
from typing import Any, Optional, Union

import numpy as np
import pandas as pd

from . import _lib
from .errors import RunError, RunWarning, UsageError
from .results import Result, like_csv, read, read_csv
from .scenario import Scenario, Source, as_scenario, format_value, quote

Design = Union[Mapping[str, Any], str, "os.PathLike[str]", None]
Progress = Optional[Callable[[int, int], None]]


# ---- arguments ------------------------------------------------------------------

def _count(name: str, v: Any, lo: int = 1, hi: int = 10**12) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= int(v) <= hi:
        raise UsageError("%s must be a whole number from %d to %d (got %r)" % (name, lo, hi, v))
    return int(v)


def _prepared(scenario: Source, seed: Any, deterministic: bool) -> Scenario:
    """The scenario with --seed and --deterministic applied (on a copy)."""
    sc = as_scenario(scenario)
    changes: dict[str, Any] = {}
    if seed is not None:
        changes["model.seed"] = _count("seed", seed, 0, 2**64 - 1)
    if deterministic:
        changes["model.stochastic"] = False
    return sc.with_settings(changes) if changes else sc


def _argv(command: str, sc: Scenario, extra: list[str]) -> list[str]:
    """The command line meta.json records: the call, as the CLI would say it."""
    words = ["allysim." + command] + ([sc.file] if sc.file else [])
    for o in sc.overrides:
        words += ["-s", o]
    return words + extra


# ---- sections -------------------------------------------------------------------

def _section_value(v: Any) -> str:
    """A section value: groups for dicts, arrays for lists of scalars,
    lists for lists of groups."""
    if isinstance(v, Mapping):
        return "{ " + " ".join("%s = %s;" % (k, _section_value(x)) for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)) or (hasattr(v, "tolist") and not np.isscalar(v)):
        items = list(v.tolist() if hasattr(v, "tolist") else v)
        if items and all(isinstance(x, Mapping) for x in items):
            return "( " + ", ".join(_section_value(x) for x in items) + " )"
        if any(isinstance(x, float) for x in items) and all(
                isinstance(x, (int, float)) and not isinstance(x, bool) for x in items):
            items = [float(x) for x in items]  # a libconfig array has one type
        return "[" + ", ".join(format_value(x) for x in items) + "]"
    return format_value(v)


def _sweep_params(params: Any) -> Any:
    """{path: values | (lo, hi) | {...}} into the section's list of groups."""
    if not isinstance(params, Mapping):
        return params
    out = []
    for path, v in params.items():
        if isinstance(v, Mapping):
            out.append({"path": path, **v})
        elif isinstance(v, tuple) and len(v) == 2:
            out.append({"path": path, "range": list(v)})
        else:
            out.append({"path": path, "values": list(v.tolist() if hasattr(v, "tolist") else v)})
    return out


def section_text(name: str, settings: Mapping[str, Any]) -> str:
    """A `name: { ... };` section in scenario-file syntax."""
    d = dict(settings)
    if "params" in d:
        d["params"] = _sweep_params(d["params"])
    return "%s: %s;\n" % (name, _section_value(d))


class _Section:
    """The file a design section is read from: the scenario's, a given
    file, or a temporary one written from a dict."""

    def __init__(self, name: str, design: Design):
        self.tmp = None
        self.path: str | None = None
        if isinstance(design, Mapping):
            self.tmp = tempfile.TemporaryDirectory(prefix="allysim-")
            self.path = os.path.join(self.tmp.name, name + ".cfg")
            with open(self.path, "w", encoding="utf-8") as f:
                f.write(section_text(name, design))
        elif design is not None:
            self.path = os.fspath(design)

    def rename(self) -> dict | None:
        return {self.path: "<design>"} if self.tmp else None

    def close(self):
        if self.tmp:
            self.tmp.cleanup()


# ---- run --------------------------------------------------------------------------

def _seeds(seeds: np.ndarray) -> np.ndarray:
    return seeds.astype(np.int64) if not seeds.size or seeds.max() < 2**63 else seeds


def _summary_frame(h, rows: int) -> pd.DataFrame:
    L = _lib.lib
    cols = L.asim_api_result_cols(h)
    names = [L.asim_api_result_colname(h, k).decode() for k in range(cols)]
    vals = np.ctypeslib.as_array(L.asim_api_result_summary(h), shape=(rows * cols,)).reshape(rows, cols).copy() \
        if rows and cols else np.zeros((rows, cols))
    seeds = np.ctypeslib.as_array(L.asim_api_result_seeds(h), shape=(rows,)).copy() if rows else np.zeros(0, np.uint64)
    data = {"run": np.zeros(rows, np.int64), "replicate": np.arange(rows, dtype=np.int64), "seed": _seeds(seeds)}
    for k, name in enumerate(names):
        data[name] = like_csv(vals[:, k])
    return pd.DataFrame(data)


def run(scenario: Source = None, replicates: int = 1, seed: int | None = None, deterministic: bool = False,
        every: int = 1, timeseries: bool = True, out: str | os.PathLike | None = None,
        overwrite: bool = False) -> Result:
    """Run replicates of a scenario, as `allysim run` does.

    scenario: a Scenario, a path, scenario text, or None (the baseline).
    replicates: stochastic replicates (run 0, replicates 0..n-1).
    seed: base seed (model.seed); None keeps the scenario's.
    deterministic: True for the mean-field mode (model.stochastic = false);
        False keeps the scenario's mode.
    every: keep every k-th step of the time series.
    timeseries: False for the summary alone.
    out: write timeseries.csv, summary.csv, config.cfg and meta.json to
        this directory (the bytes `allysim run ... -o DIR` writes). As for
        the command, a directory with earlier results is refused
        (UsageError) unless overwrite=True (--overwrite).

    Returns a Result with `timeseries` (one row per replicate and kept
    step) and `summary` (one row per replicate) DataFrames and `meta`.
    Raises RunError (with .result) when a replicate became non-finite.
    """
    replicates = _count("replicates", replicates)
    every = _count("every", every)
    sc = _prepared(scenario, seed, deterministic)
    err = _lib.Error()
    if out is not None:
        n, argv = _lib.argv(_argv("run", sc, ["-r", str(replicates), "--every", str(every), "-o", os.fspath(out)]
                                  + ([] if timeseries else ["--no-timeseries"])
                                  + (["--overwrite"] if overwrite else [])))
        st = _lib.lib.asim_api_run_dir(sc._handle, _lib.enc(out), replicates, every, int(timeseries),
                                       int(overwrite), n, argv, ctypes.byref(err))
        res = read(out) if st in (_lib.OK, _lib.ENUMERIC) else None
        _raise_run(st, err, res)
        return res
    h = ctypes.c_void_p()
    st = _lib.lib.asim_api_run(sc._handle, replicates, every, int(timeseries), ctypes.byref(h), ctypes.byref(err))
    if st not in (_lib.OK, _lib.ENUMERIC):
        _lib.check(st, err)
    try:
        tables = {}
        if timeseries:
            size = ctypes.c_size_t()
            ptr = _lib.lib.asim_api_result_timeseries(h, ctypes.byref(size))
            tables["timeseries"] = read_csv(ctypes.string_at(ptr, size.value))
        tables["summary"] = _summary_frame(h, replicates)
        failed = int(np.ctypeslib.as_array(_lib.lib.asim_api_result_failed(h), shape=(replicates,)).sum())
    finally:
        _lib.lib.asim_api_result_free(h)
    meta = {"allysim_version": _lib.lib.asim_api_version().decode(),
            "git_commit": _lib.lib.asim_api_commit().decode(), "config_file": sc.file,
            "overrides": list(sc.overrides), "base_seed": sc["model.seed"],
            "stochastic": sc["model.stochastic"], "every": every,
            "status": "complete" if st == _lib.OK else "failed",
            "runs_total": replicates, "runs_done": replicates, "runs_failed": failed}
    res = Result(tables, meta, sc.text())
    _raise_run(st, err, res)
    return res


def _raise_run(st: int, err: _lib.Error, res: Result | None) -> None:
    if st == _lib.ENUMERIC:
        e = RunError(err.msg.decode("utf-8", "replace"))
        e.result = res
        raise e
    _lib.check(st, err)


# ---- designs ------------------------------------------------------------------------

def _drive(study, progress: Progress) -> tuple[int, _lib.Error]:
    """Step the design block by block; Ctrl-C stops it between blocks
    (the files are kept, as for the command, for resume=True)."""
    err = _lib.Error()
    prog = (ctypes.c_uint64 * 5)()
    L = _lib.lib
    st = _lib.OK
    try:
        while st == _lib.OK and not L.asim_api_study_done(study):
            st = L.asim_api_study_step(study, ctypes.byref(err))
            if progress is not None:
                L.asim_api_study_progress(study, prog)
                progress(int(prog[1]), int(prog[0]))
    except KeyboardInterrupt:
        L.asim_api_study_close(study, _lib.EINTR, None, ctypes.byref(_lib.Error()))
        raise
    return st, err


def _renames(section: "_Section", sc: Scenario) -> dict:
    """Setting names to show in errors: the section's, then the scenario's."""
    rename = section.rename() or {}
    rename.update(sc._rename() or {})
    return rename


def _read_result(directory: str, out, text: str | None) -> Result:
    """The study's tables from directory, with its report."""
    res = read(directory, keep_directory=out is not None)
    res.report = text or None
    return res


def _study(kind: int, command: str, sc: Scenario, design: Design, section_name: str,
           out: str | os.PathLike | None, replicates: int | None, threads: int | None,
           every: int = 1, series: bool = False, timeseries: bool = False, resume: bool = False,
           overwrite: bool = False, rules: str | None = None, alpha: float | None = None,
           progress: Progress = None, extra: list[str] | None = None) -> Result:
    """Open, drive and close a design; the result read from its directory."""
    section = _Section(section_name, design)
    tmp = tempfile.TemporaryDirectory(prefix="allysim-") if out is None else None
    directory = os.fspath(out) if out is not None else os.path.join(tmp.name, "out")
    try:
        words = _argv(command, sc, (["--design", section.path] if section.path and not section.tmp else [])
                      + (extra or []) + ["-o", directory] + (["--resume"] if resume else [])
                      + (["--overwrite"] if overwrite else []))
        n, argv = _lib.argv(words)
        opts = _lib.StudyOpts(kind=kind, section=_lib.enc(section.path), dir=_lib.enc(directory),
                              replicates=0 if replicates is None else _count("replicates", replicates),
                              threads=0 if threads is None else _count("threads", threads, 1, 4096),
                              resume=int(resume), overwrite=int(overwrite), every=_count("every", every),
                              series=int(series),
                              timeseries=int(timeseries), rules=_lib.enc(rules),
                              alpha=0.0 if alpha is None else float(alpha), argc=n, argv=argv)
        if alpha is not None and not 0 < float(alpha) < 1:
            raise UsageError("alpha must be between 0 and 1 (got %r)" % (alpha,))
        err = _lib.Error()
        study = ctypes.c_void_p()
        rename = _renames(section, sc)
        _lib.check(_lib.lib.asim_api_study_open(ctypes.byref(study), sc._handle, ctypes.byref(opts),
                                                ctypes.byref(err)), err, rename=rename)
        st, err = _drive(study, progress)
        report = ctypes.c_void_p()
        cerr = _lib.Error()
        cst = _lib.lib.asim_api_study_close(study, st, ctypes.byref(report), ctypes.byref(cerr))
        if st != _lib.OK:
            _lib.check(st, err, rename=rename)
        text = _lib.take_text(report)
        if cst == _lib.ENUMERIC:
            warnings.warn(RunWarning(cerr.msg.decode("utf-8", "replace")), stacklevel=3)
        else:
            _lib.check(cst, cerr, rename=rename)
        res = _read_result(directory, out, text)
        res._keep, tmp = tmp, None  # the tables are read from it when used
        return res
    finally:
        section.close()
        if tmp:
            tmp.cleanup()


def sweep(scenario: Source, design: Design = None, *, out: str | os.PathLike | None = None,
          replicates: int | None = None, seed: int | None = None, deterministic: bool = False,
          threads: int | None = None, every: int = 1, series: bool = False, timeseries: bool = False,
          resume: bool = False, overwrite: bool = False, progress: Progress = None) -> Result:
    """Run a design of parameter points, as `allysim sweep` does.

    design: the sweep section as a dict, e.g.
        {"method": "lhs", "points": 200, "replicates": 5, "seed": 1,
         "params": {"quasi.coop_gain": (1.0, 6.0),          # a range
                    "model.rule": ["cha", "threat"]}}        # values
      (params may also be the section's list of groups, with tie, mode,
      scale, name); or the path of a file with a sweep section; or None
      for the scenario file's own sweep section.
    out: the directory to write (the bytes `allysim sweep` writes for the
      same scenario, design and seed); None: a temporary one, read back.
      A directory with earlier results is refused (UsageError) unless
      resume=True (finish an interrupted sweep) or overwrite=True.
    replicates, seed, deterministic, every, series, timeseries, resume,
      overwrite: as -r, --seed, --deterministic, --every, --series,
      --timeseries, --resume, --overwrite. threads: OpenMP threads (None:
      all cores).
    progress: called as progress(runs_done, runs_total) after each block.

    Returns a Result with runs, points, failures (and series,
    timeseries when asked for). Failed runs give a RunWarning.
    """
    sc = _prepared(scenario, seed, deterministic)
    extra = (["-r", str(replicates)] if replicates is not None else []) + (["--series"] if series else []) \
        + (["--timeseries"] if timeseries else []) + (["--every", str(every)] if every != 1 else [])
    return _study(_lib.STUDY_SWEEP, "sweep", sc, design, "sweep", out, replicates, threads, every, series,
                  timeseries, resume, overwrite, progress=progress, extra=extra)


def test(scenario: Source = None, design: Design = None, *, out: str | os.PathLike | None = None,
         rules: str | list[str] | None = None, alpha: float | None = None, replicates: int | None = None,
         seed: int | None = None, deterministic: bool = False, threads: int | None = None,
         resume: bool = False, overwrite: bool = False, progress: Progress = None) -> Result:
    """Cha's hypothesis as a regression test under each rule (`allysim test`).

    design: the test section as a dict (pair, commitment, gap,
      assertiveness, replicates, steps, alpha, rules), a file with one, or
      None (the scenario file's, else the defaults).
    rules: "cha,history" or ["cha", "history"]; alpha, replicates, seed,
      deterministic, threads, resume, overwrite: as --alpha, -r, --seed,
      --deterministic, -j, --resume, --overwrite; out as for sweep().

    Returns a Result with coefficients, verdicts, regimes, runs, points
    and the printed report in .report.
    """
    sc = _prepared(scenario, seed, deterministic)
    if isinstance(rules, (list, tuple)):
        rules = ",".join(rules)
    extra = (["--rules", rules] if rules else []) + (["--alpha", repr(alpha)] if alpha else []) \
        + (["-r", str(replicates)] if replicates is not None else [])
    return _study(_lib.STUDY_TEST, "test", sc, design, "test", out, replicates, threads, resume=resume,
                  overwrite=overwrite, rules=rules, alpha=alpha, progress=progress, extra=extra)


def sensitivity(scenario: Source, design: Design = None, *, out: str | os.PathLike | None = None,
                replicates: int | None = None, seed: int | None = None, deterministic: bool = False,
                threads: int | None = None, resume: bool = False, overwrite: bool = False,
                progress: Progress = None) -> Result:
    """Sobol indices of summary metrics (`allysim sensitivity`).

    design: the sensitivity section as a dict (samples, replicates,
      bootstrap, seed, metrics, params with ranges), a file with one, or
      None (the scenario file's). The other arguments as for sweep().

    Returns a Result with sensitivity (metric, parameter, S1, ST and
    their intervals), points, runs and the report.
    """
    sc = _prepared(scenario, seed, deterministic)
    extra = ["-r", str(replicates)] if replicates is not None else []
    return _study(_lib.STUDY_SENSITIVITY, "sensitivity", sc, design, "sensitivity", out, replicates, threads,
                  resume=resume, overwrite=overwrite, progress=progress, extra=extra)


def calibrate(scenario: Source, observations: str | os.PathLike | pd.DataFrame, *,
              holdout: str | os.PathLike | pd.DataFrame | None = None, design: Design = None,
              rules: str | list[str] | None = None, threads: int | None = None,
              out: str | os.PathLike | None = None, overwrite: bool = False) -> Result:
    """Fit the calibrate section's parameters to coded history under each
    rule (`allysim calibrate`).

    observations, holdout: a CSV path or a DataFrame with columns
      start, end, pair, outcome, score, weight.
    design: the calibrate section as a dict, a file with one, or None
      (the scenario file's).
    rules, threads, out, overwrite: as --rules, -j, -o, --overwrite.

    Returns a Result with comparison, parameters, observations, the
    calibrated-<rule>.cfg and fitted-<rule>.cfg texts in .files, and the
    report.
    """
    sc = as_scenario(scenario)
    if isinstance(rules, (list, tuple)):
        rules = ",".join(rules)
    section = _Section("calibrate", design)
    tmp = tempfile.TemporaryDirectory(prefix="allysim-")
    directory = os.fspath(out) if out is not None else os.path.join(tmp.name, "out")
    try:
        obs = _observations(observations, tmp.name, "observations.csv")
        hold = _observations(holdout, tmp.name, "holdout.csv") if holdout is not None else None
        err, report = _lib.Error(), ctypes.c_void_p()
        st = _lib.lib.asim_api_calibrate(sc._handle, _lib.enc(section.path), _lib.enc(obs), _lib.enc(hold),
                                         _lib.enc(rules), 0 if threads is None else _count("threads", threads, 1, 4096),
                                         _lib.enc(directory), int(overwrite), ctypes.byref(report),
                                         ctypes.byref(err))
        rename = _renames(section, sc)
        _lib.check(st, err, rename=rename)
        text = _lib.take_text(report)
        res = _read_result(directory, out, text)
        if out is None:
            res._keep, tmp = tmp, None  # the tables are read from it when used
        return res
    finally:
        section.close()
        if tmp:
            tmp.cleanup()


def _observations(source, tmpdir: str, name: str) -> str:
    if isinstance(source, pd.DataFrame):
        path = os.path.join(tmpdir, name)
        source.to_csv(path, index=False)
        return path
    return os.fspath(source)
