"""results: what a run, design or study gives back, and reading a result
directory that the command line (or this package) wrote.

A Result holds pandas DataFrames named after the CSV files of the command
(timeseries, summary; runs, points, series, failures; coefficients,
verdicts, regimes; sensitivity; comparison, parameters, observations),
the metadata (meta.json as a dict), the resolved configuration text and,
for the studies, the report the command prints. Numbers are read back
exactly (the files hold %.17g); an empty field is NaN. A table is read
from its file when it is first used.
"""
from __future__ import annotations

import ctypes
import functools
import io
import json
import os
from typing import Any, Callable, Union

import numpy as np
import pandas as pd

from . import _lib

TABLES = ("timeseries", "summary", "runs", "points", "series", "failures", "coefficients",
          "verdicts", "regimes", "sensitivity", "comparison", "parameters", "observations")


SNIFF_ROWS = 2000  # rows pandas reads to find the text columns of a large file


def _pandas_csv(source, **kw) -> pd.DataFrame:
    return pd.read_csv(source, float_precision="round_trip", keep_default_na=False, na_values=[""], **kw)


def like_csv(values: np.ndarray) -> np.ndarray:
    """A column of doubles as pandas reads it from a CSV: whole numbers
    without gaps as int64."""
    if values.size and np.all(np.isfinite(values)) and np.all(values == np.round(values)) \
            and np.all(np.abs(values) < 2.0**53):
        return values.astype(np.int64)
    return values


class _Table(ctypes.Structure):
    """asim_table (csvread.h)."""
    _fields_ = [("rows", ctypes.c_size_t), ("cols", ctypes.c_size_t),
                ("names", ctypes.POINTER(ctypes.c_char_p)), ("v", ctypes.POINTER(ctypes.c_double))]


def _numbers(path: str) -> tuple[list[str], np.ndarray]:
    """The names and values of a numeric CSV, parsed by the library
    (strtod: exact, and faster than pandas' exact parser)."""
    t, err = _Table(), _lib.Error()
    _lib.check(_lib.lib.asim_csvread_table(_lib.enc(path), ctypes.byref(t), ctypes.byref(err)), err)
    try:
        names = [t.names[k].decode("utf-8", "replace") for k in range(t.cols)]
        n = t.rows * t.cols
        v = np.ctypeslib.as_array(t.v, shape=(n,)).reshape(t.rows, t.cols).copy() if n else np.zeros((t.rows, t.cols))
    finally:
        _lib.lib.asim_csvread_free(ctypes.byref(t))
    return names, v


def read_csv(source) -> pd.DataFrame:
    """A CSV file (path or bytes) of allysim as a DataFrame, doubles exact;
    the same frame as pandas.read_csv(..., float_precision="round_trip")."""
    if isinstance(source, (bytes, bytearray)):
        return _pandas_csv(io.BytesIO(source))
    head = _pandas_csv(source, nrows=SNIFF_ROWS)
    if len(head) < SNIFF_ROWS:
        return _pandas_csv(source)
    names, v = _numbers(os.fspath(source))
    if names != list(head.columns):  # e.g. repeated names: pandas' way
        return _pandas_csv(source)
    text = [c for c in names if head[c].dtype == object]
    texts = _pandas_csv(source, usecols=text, dtype=str) if text else None
    return pd.DataFrame({c: texts[c] if c in text else like_csv(v[:, k]) for k, c in enumerate(names)})


class Result:
    """Tables of a run, a design or a study, with their metadata.

    Attributes: the tables present (see `tables`), e.g. `r.summary`,
    `r.runs`; `meta` (dict: version, commit, seed, status, counts, ...);
    `config` (the resolved configuration text, config.cfg); `report` (the
    text the command prints, for test, sensitivity and calibrate);
    `files` (other text files, e.g. fitted-cha.cfg); `directory` (where
    the files are, or None for an in-memory result, whose files wait in a
    temporary directory until the result is dropped). Each DataFrame
    also carries the metadata in `df.attrs["allysim"]`.
    """

    def __init__(self, tables: dict[str, Union[pd.DataFrame, Callable[[], pd.DataFrame]]],
                 meta: dict[str, Any], config: str | None = None, report: str | None = None,
                 directory: str | None = None, files: dict[str, str] | None = None):
        self._tables = dict(tables)  # a DataFrame, or a function that reads it
        self.meta = meta
        self.config = config
        self.report = report
        self.directory = directory
        self.files = dict(files or {})
        self._keep = None  # a temporary directory the lazy tables read from

    def _table(self, name: str) -> pd.DataFrame:
        t = self._tables[name]
        if callable(t):
            t = self._tables[name] = t()
        t.attrs["allysim"] = self.meta
        return t

    @property
    def tables(self) -> list[str]:
        """The names of the tables this result holds."""
        return list(self._tables)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("_tables", {})
        if name in tables:
            return self._table(name)
        if name in TABLES:
            raise AttributeError("this result has no %s table (it has: %s)" % (name, ", ".join(tables)))
        raise AttributeError(name)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._table(name)

    def __contains__(self, name: str) -> bool:
        return name in self._tables

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._tables))

    def __repr__(self) -> str:
        shapes = ", ".join("%s %dx%d" % (k, *v.shape) if not callable(v) else k for k, v in self._tables.items())
        where = " in %s" % self.directory if self.directory else ""
        return "<allysim.Result%s: %s>" % (where, shapes or "no tables")


def read(directory: str | os.PathLike, keep_directory: bool = True) -> Result:
    """Read a result directory written by `allysim run`, `sweep`, `test`,
    `sensitivity` or `calibrate` (or by this package with out=...): every
    CSV becomes a DataFrame, meta.json the metadata, config.cfg the
    configuration text, other .cfg files go into `files`. Tables are
    read when first used."""
    d = os.fspath(directory)
    if not os.path.isdir(d):
        raise FileNotFoundError("allysim.read: no such directory: %s" % d)
    tables, files = {}, {}
    names = sorted(os.listdir(d))
    order = {t: i for i, t in enumerate(TABLES)}
    for name in sorted(names, key=lambda n: (order.get(n[:-4], len(order)), n)):
        path = os.path.join(d, name)
        if name.endswith(".csv") and os.path.isfile(path):
            tables[name[:-4]] = functools.partial(read_csv, path)
        elif name.endswith(".cfg") and name != "config.cfg" and os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                files[name] = f.read()
    meta: dict[str, Any] = {}
    if os.path.isfile(os.path.join(d, "meta.json")):
        with open(os.path.join(d, "meta.json"), encoding="utf-8") as f:
            meta = json.load(f)
    config = None
    if os.path.isfile(os.path.join(d, "config.cfg")):
        with open(os.path.join(d, "config.cfg"), encoding="utf-8", errors="replace") as f:
            config = f.read()
    if not tables and not meta:
        raise FileNotFoundError("allysim.read: %s holds no allysim results (no CSV, no meta.json)" % d)
    return Result(tables, meta, config, None, d if keep_directory else None, files)
