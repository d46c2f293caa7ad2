"""results: what a run, design or study gives back, and reading a result
directory that the command line (or this package) wrote.

A Result holds pandas DataFrames named after the CSV files of the command
(timeseries, summary; runs, points, series, failures; coefficients,
verdicts, regimes; sensitivity; comparison, parameters, observations),
the metadata (meta.json as a dict), the resolved configuration text and,
for the studies, the report the command prints. Numbers are read back
exactly (the files hold %.17g); an empty field is NaN.
"""
from __future__ import annotations

import io
import json
import os
from typing import Any

import pandas as pd

TABLES = ("timeseries", "summary", "runs", "points", "series", "failures", "coefficients",
          "verdicts", "regimes", "sensitivity", "comparison", "parameters", "observations")


def read_csv(source) -> pd.DataFrame:
    """A CSV file (path or bytes) of allysim as a DataFrame, doubles exact."""
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    return pd.read_csv(source, float_precision="round_trip", keep_default_na=False,
                       na_values=[""])


class Result:
    """Tables of a run, a design or a study, with their metadata.

    Attributes: the tables present (see `tables`), e.g. `r.summary`,
    `r.runs`; `meta` (dict: version, commit, seed, status, counts, ...);
    `config` (the resolved configuration text, config.cfg); `report` (the
    text the command prints, for test, sensitivity and calibrate);
    `files` (other text files, e.g. fitted-cha.cfg); `directory` (where
    the files are, or None for an in-memory result). Each DataFrame also
    carries the metadata in `df.attrs["allysim"]`.
    """

    def __init__(self, tables: dict[str, pd.DataFrame], meta: dict[str, Any], config: str | None = None,
                 report: str | None = None, directory: str | None = None,
                 files: dict[str, str] | None = None):
        self._tables = dict(tables)
        self.meta = meta
        self.config = config
        self.report = report
        self.directory = directory
        self.files = dict(files or {})
        for df in self._tables.values():
            df.attrs["allysim"] = meta

    @property
    def tables(self) -> list[str]:
        """The names of the tables this result holds."""
        return list(self._tables)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("_tables", {})
        if name in tables:
            return tables[name]
        if name in TABLES:
            raise AttributeError("this result has no %s table (it has: %s)" % (name, ", ".join(tables)))
        raise AttributeError(name)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._tables[name]

    def __contains__(self, name: str) -> bool:
        return name in self._tables

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._tables))

    def __repr__(self) -> str:
        shapes = ", ".join("%s %dx%d" % (k, *v.shape) for k, v in self._tables.items())
        where = " in %s" % self.directory if self.directory else ""
        return "<allysim.Result%s: %s>" % (where, shapes or "no tables")


def read(directory: str | os.PathLike, keep_directory: bool = True) -> Result:
    """Read a result directory written by `allysim run`, `sweep`, `test`,
    `sensitivity` or `calibrate` (or by this package with out=...): every
    CSV becomes a DataFrame, meta.json the metadata, config.cfg the
    configuration text, other .cfg files go into `files`."""
    d = os.fspath(directory)
    if not os.path.isdir(d):
        raise FileNotFoundError("allysim.read: no such directory: %s" % d)
    tables, files = {}, {}
    names = sorted(os.listdir(d))
    order = {t: i for i, t in enumerate(TABLES)}
    for name in sorted(names, key=lambda n: (order.get(n[:-4], len(order)), n)):
        path = os.path.join(d, name)
        if name.endswith(".csv") and os.path.isfile(path):
            tables[name[:-4]] = read_csv(path)
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
