"""_lib: finds libasim.so and declares the C API of include/allysim/api.h
for ctypes. Internal: the public functions live in the other modules.

The library is looked for, in order, at
  1. the path in the environment variable ALLYSIM_LIB;
  2. libasim.so next to this file (an installed package);
  3. build/<preset>/libasim.so of the source tree this package sits in
     (python/allysim/ -> ../../build/), presets release, test, ci, debug:
     the most recently built of them.
"""
from __future__ import annotations

import ctypes
import os
from ctypes import (POINTER, Structure, c_char, c_char_p, c_double, c_int, c_long,
                    c_size_t, c_uint64, c_void_p)

from .errors import raise_status

ERROR_MAX = 1024
PRESETS = ("release", "test", "ci", "debug")


class Error(Structure):
    """asim_error: a status and a one-line message."""
    _fields_ = [("status", c_int), ("msg", c_char * ERROR_MAX)]


class StudyOpts(Structure):
    """asim_api_study_opts (api.h), field for field."""
    _fields_ = [("kind", c_int), ("section", c_char_p), ("dir", c_char_p),
                ("replicates", c_size_t), ("threads", c_int), ("resume", c_int), ("overwrite", c_int),
                ("every", c_long), ("series", c_int), ("timeseries", c_int),
                ("rules", c_char_p), ("alpha", c_double), ("argc", c_int),
                ("argv", POINTER(c_char_p))]


STUDY_SWEEP, STUDY_TEST, STUDY_SENSITIVITY = 0, 1, 2
OK, ECONFIG, EUSAGE, ENOMEM, EIO, ENUMERIC, EINTR, EINTERNAL = range(8)


def candidates() -> list[str]:
    """The paths where the library is looked for, in order."""
    here = os.path.dirname(os.path.abspath(__file__))
    found = []
    if os.environ.get("ALLYSIM_LIB"):
        found.append(os.environ["ALLYSIM_LIB"])
    found.append(os.path.join(here, "libasim.so"))
    root = os.path.dirname(os.path.dirname(here))
    built = [os.path.join(root, "build", p, "libasim.so") for p in PRESETS]
    built.sort(key=lambda p: -os.path.getmtime(p) if os.path.isfile(p) else 0.0)
    return found + built


def _open() -> ctypes.CDLL:
    for path in candidates():
        if os.path.isfile(path):
            return ctypes.CDLL(path)
    raise ImportError("allysim: libasim.so not found; build it (cmake --workflow --preset release) "
                      "or set ALLYSIM_LIB to its path. Looked at: " + ", ".join(candidates()))


def _declare(lib: ctypes.CDLL) -> None:
    P, E, S = c_void_p, POINTER(Error), c_int
    text = POINTER(c_void_p)  # char **, freed with asim_api_free_text
    sig = {
        "asim_api_init": (None, []),
        "asim_api_version": (c_char_p, []),
        "asim_api_commit": (c_char_p, []),
        "asim_api_free_text": (None, [c_void_p]),
        "asim_api_load": (S, [POINTER(c_void_p), c_char_p, POINTER(c_char_p), c_size_t, E]),
        "asim_api_free": (None, [P]),
        "asim_api_name": (c_char_p, [P]),
        "asim_api_file": (c_char_p, [P]),
        "asim_api_config_text": (S, [P, c_int, text, E]),
        "asim_api_paths": (S, [P, text, E]),
        "asim_api_get": (S, [P, c_char_p, text, E]),
        "asim_api_run": (S, [P, c_size_t, c_long, c_int, POINTER(c_void_p), E]),
        "asim_api_result_rows": (c_size_t, [P]),
        "asim_api_result_cols": (c_size_t, [P]),
        "asim_api_result_colname": (c_char_p, [P, c_size_t]),
        "asim_api_result_summary": (POINTER(c_double), [P]),
        "asim_api_result_seeds": (POINTER(c_uint64), [P]),
        "asim_api_result_failed": (POINTER(c_int), [P]),
        "asim_api_result_timeseries": (c_void_p, [P, POINTER(c_size_t)]),
        "asim_api_result_free": (None, [P]),
        "asim_api_run_dir": (S, [P, c_char_p, c_size_t, c_long, c_int, c_int, c_int, POINTER(c_char_p), E]),
        "asim_api_study_open": (S, [POINTER(c_void_p), P, POINTER(StudyOpts), E]),
        "asim_api_study_step": (S, [P, E]),
        "asim_api_study_done": (c_int, [P]),
        "asim_api_study_progress": (None, [P, POINTER(c_uint64)]),
        "asim_api_study_close": (S, [P, c_int, text, E]),
        "asim_csvread_table": (S, [c_char_p, c_void_p, E]),
        "asim_csvread_free": (None, [c_void_p]),
        "asim_api_calibrate": (S, [P, c_char_p, c_char_p, c_char_p, c_char_p, c_int, c_char_p,
                                   c_int, text, E]),
    }
    for name, (res, args) in sig.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args


lib = _open()
_declare(lib)
lib.asim_api_init()
PATH = lib._name


def enc(s: str | os.PathLike | None) -> bytes | None:
    """A str or path as bytes for the C side (None stays None)."""
    if s is None:
        return None
    b = os.fsencode(s)
    if b"\0" in b:
        raise ValueError("allysim: text with a NUL character: %r" % (s,))
    return b


def argv(words: list[str]):
    """A char *argv[] (and its length) that lives as long as the returned array."""
    arr = (c_char_p * (len(words) + 1))(*[enc(w) for w in words], None)
    return len(words), arr


def take_text(ptr: c_void_p) -> str:
    """The text behind a char * the library handed over, freed afterwards."""
    if not ptr.value:
        return ""
    try:
        return ctypes.string_at(ptr.value).decode("utf-8", "replace")
    finally:
        lib.asim_api_free_text(ptr)


def check(status: int, err: Error, ok=(OK,), rename: dict | None = None) -> int:
    """Raise the exception of a failed call (errors.raise_status); rename
    maps file names in the message to the names to show."""
    if status not in ok:
        raise_status(status, err.msg.decode("utf-8", "replace"), rename)
    return status
