"""scenario: loading a scenario and changing it from Python.

A Scenario is a scenario file (or the built-in baseline, or text) plus the
settings changed since, kept as `-s path=value` overrides: every change is
checked by the library's own loader, so it fails with the message the
command line would print, and `allysim run FILE -s ...` with
`scenario.overrides` runs the same configuration.
"""
from __future__ import annotations

import ctypes
import json
import math
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any, Union

from . import _lib

TEXT_NAME = "<string>"  # how a scenario given as text is named in messages


def format_value(v: Any) -> str:
    """A Python value in scenario-file (libconfig) syntax: numbers,
    strings, booleans, sequences as lists "(a, b)" (a schedule is
    [(year, value), ...]) and dicts as groups "{ k = v; }" (events)."""
    if isinstance(v, bool) or type(v).__name__ == "bool_":
        return "true" if v else "false"
    if isinstance(v, str):
        return quote(v)
    if hasattr(v, "item") and not isinstance(v, (list, tuple, dict)):  # numpy scalars
        v = v.item()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else {"nan": "nan", "inf": "inf", "-inf": "-inf"}[repr(v)]
    if isinstance(v, Mapping):
        return "{ " + " ".join("%s = %s;" % (k, format_value(x)) for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)) or hasattr(v, "tolist"):
        items = v.tolist() if hasattr(v, "tolist") else v
        return "(" + ", ".join(format_value(x) for x in items) + ")"
    raise TypeError("allysim: cannot write a %s as a setting value" % type(v).__name__)


def quote(s: str) -> str:
    """s as a libconfig string, escaped."""
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 32:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _looks_like_text(source: str) -> bool:
    return any(c in source for c in "\n;{=")


class Scenario(MutableMapping):
    """A resolved configuration, readable and changeable like a dict.

    Keys are the dotted setting paths of `allysim params`
    ("patron.commitment.KOR", "quasi.coop_gain", "model.rule", ...).
    Values read back as numbers, strings, booleans, schedules (a list of
    (year, value) tuples, or a float when the schedule is constant) and
    events (a list of dicts with year, size, label). Assigning checks the
    value at once and raises ConfigError without changing the scenario:

        sc = allysim.load("configs/baseline.cfg")
        sc["patron.commitment.KOR"] = [(2014, .9), (2027, .4)]
        sc["model.rule"] = "threat"
        del sc["model.rule"]          # back to the file's value

    Attributes: name, file (None: built-in baseline or text), overrides
    (the "path=value" changes in order), text() and json() (the resolved
    configuration as `allysim check` and `check --json` print it).
    """

    def __init__(self, file: str | None, overrides: list[str], _tmpdir: str | None = None):
        self._file = file
        self._tmpdir = _tmpdir
        self._overrides: list[str] = []
        self._handle = None
        self._reload(list(overrides))
        if _tmpdir:
            weakref.finalize(self, shutil.rmtree, _tmpdir, True)

    # ---- loading ------------------------------------------------------------
    def _rename(self) -> dict | None:
        return {self._file: TEXT_NAME} if self._tmpdir else None

    def _reload(self, overrides: list[str]) -> None:
        """Load file + overrides; on failure raise and keep the old state."""
        err = _lib.Error()
        handle = ctypes.c_void_p()
        words = (ctypes.c_char_p * max(1, len(overrides)))(*[_lib.enc(o) for o in overrides])
        st = _lib.lib.asim_api_load(ctypes.byref(handle), _lib.enc(self._file), words, len(overrides),
                                    ctypes.byref(err))
        _lib.check(st, err, rename=self._rename())
        self._free()
        self._handle, self._overrides = handle, overrides

    def _free(self) -> None:
        if self._handle is not None and self._handle.value:
            _lib.lib.asim_api_free(self._handle)
        self._handle = None

    def __del__(self):
        try:
            self._free()
        except Exception:  # interpreter shutdown
            pass

    # ---- what it is -----------------------------------------------------------
    @property
    def name(self) -> str:
        """The scenario name (model.name)."""
        return _lib.lib.asim_api_name(self._handle).decode()

    @property
    def file(self) -> str | None:
        """The scenario file (None: the built-in baseline or text)."""
        return None if self._tmpdir else self._file

    @property
    def overrides(self) -> tuple[str, ...]:
        """The changes since loading, as `-s` takes them ("path=value")."""
        return tuple(self._overrides)

    def copy(self) -> "Scenario":
        """An independent copy (the same file and overrides)."""
        if not self._tmpdir:
            return Scenario(self._file, self._overrides)
        tmp = tempfile.mkdtemp(prefix="allysim-")
        path = os.path.join(tmp, os.path.basename(self._file))
        shutil.copy(self._file, path)
        return Scenario(path, self._overrides, tmp)

    __copy__ = copy

    def with_settings(self, settings: Mapping[str, Any] | None = None, **kw) -> "Scenario":
        """A copy with the settings changed (the original is left alone);
        keyword paths use "__" for "." (model__rule="threat")."""
        c = self.copy()
        changes = dict(settings or {})
        changes.update({k.replace("__", "."): v for k, v in kw.items()})
        if changes:
            c.update(changes)
        return c

    def _text(self, json_: int) -> str:
        err, out = _lib.Error(), ctypes.c_void_p()
        _lib.check(_lib.lib.asim_api_config_text(self._handle, json_, ctypes.byref(out), ctypes.byref(err)), err)
        return _lib.take_text(out)

    def text(self) -> str:
        """The resolved configuration in scenario-file syntax (`allysim check`)."""
        return self._text(0)

    def json(self) -> dict:
        """The resolved configuration as `allysim check --json` gives it."""
        return json.loads(self._text(1))

    def __repr__(self) -> str:
        src = self.file or (TEXT_NAME if self._tmpdir else "(built-in defaults)")
        return "<allysim.Scenario %r from %s, %d change%s>" % (
            self.name, src, len(self._overrides), "" if len(self._overrides) == 1 else "s")

    # ---- the mapping -----------------------------------------------------------
    def paths(self) -> list[str]:
        """Every setting path, in the order of `allysim params`."""
        err, out = _lib.Error(), ctypes.c_void_p()
        _lib.check(_lib.lib.asim_api_paths(self._handle, ctypes.byref(out), ctypes.byref(err)), err)
        return _lib.take_text(out).splitlines()

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths())

    def __len__(self) -> int:
        return len(self.paths())

    def __contains__(self, path) -> bool:
        return isinstance(path, str) and path in self.paths()

    def __getitem__(self, path: str) -> Any:
        if not isinstance(path, str):
            raise KeyError(path)
        err, out = _lib.Error(), ctypes.c_void_p()
        st = _lib.lib.asim_api_get(self._handle, _lib.enc(path), ctypes.byref(out), ctypes.byref(err))
        if st != _lib.OK:
            raise KeyError(err.msg.decode("utf-8", "replace"))
        return _from_json(json.loads(_lib.take_text(out)))

    def __setitem__(self, path: str, value: Any) -> None:
        if not isinstance(path, str) or "=" in path:
            raise KeyError("allysim: a setting path is a dotted name such as quasi.coop_gain, not %r" % (path,))
        self._reload(self._overrides + ["%s=%s" % (path, format_value(value))])

    def __delitem__(self, path: str) -> None:
        if path not in self:
            raise KeyError(path)
        self._reload([o for o in self._overrides if o.split("=", 1)[0].strip() != path])

    def update(self, other=(), /, **kw) -> None:
        """Change several settings at once (checked together)."""
        items = list(other.items() if isinstance(other, Mapping) else other) + list(kw.items())
        self._reload(self._overrides + ["%s=%s" % (k, format_value(v)) for k, v in items])


def _from_json(v: Any) -> Any:
    """A value as asim_api_get gives it, in Python form."""
    if isinstance(v, list) and v and all(isinstance(k, list) and len(k) == 2 for k in v):
        if len(v) == 1:
            return float(v[0][1])
        return [(float(y), float(x)) for y, x in v]
    return v


Source = Union[str, "os.PathLike[str]", Scenario, None]


def load(source: Source = None, set: Mapping[str, Any] | None = None, **settings) -> Scenario:
    """Load a scenario: a file path, scenario text (anything with a newline,
    ';', '{' or '='), or None for the built-in five-agent baseline; then
    apply `set` (a dict of path -> value) and keyword settings whose path
    has "__" for "." (quasi__coop_gain=4). Raises ConfigError (file, line,
    setting) exactly where `allysim check` fails.

        sc = allysim.load("configs/baseline.cfg", set={"model.rule": "threat"})
        sc = allysim.load('model: { name = "mine"; steps = 120; };')
    """
    if isinstance(source, Scenario):
        sc = source.copy()
    elif source is None:
        sc = Scenario(None, [])
    else:
        text = os.fspath(source)
        if isinstance(text, bytes):
            text = text.decode()
        if not isinstance(source, os.PathLike) and _looks_like_text(text):
            tmp = tempfile.mkdtemp(prefix="allysim-")
            path = os.path.join(tmp, "scenario.cfg")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            sc = Scenario(path, [], tmp)
        else:
            sc = Scenario(text, [])
    changes = dict(set or {})
    changes.update({k.replace("__", "."): v for k, v in settings.items()})
    if changes:
        sc.update(changes)
    return sc


def as_scenario(source: Source) -> Scenario:
    """A Scenario as it is, or loaded from a path or text."""
    return source if isinstance(source, Scenario) else load(source)
