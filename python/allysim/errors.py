"""errors: the exceptions of the allysim package.

Every failure of the library comes back as a status and a message (the one
the command line prints); here they become exceptions:

  ConfigError    a scenario, override or design section is wrong
                 (also a ValueError); carries file, line and setting
  UsageError     a bad argument to a function (also a ValueError)
  RunError       a run produced a non-finite value (RuntimeError)
  AllysimIOError reading or writing files failed (also an OSError)
  AllysimError   the base class of all of them

Runs that fail inside a sweep do not raise: the sweep writes them to
failures.csv, and a RunWarning says how many there were.
"""
from __future__ import annotations

import re


class AllysimError(Exception):
    """Base class of allysim's exceptions; `message` is the library's text."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigError(AllysimError, ValueError):
    """A scenario file, an override or a design section is invalid.

    Attributes: file (None for an override or the built-in defaults), line
    (int or None), setting (the dotted path, or None when the message names
    none) and message (the text `allysim check` prints after "allysim: ").
    """

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 setting: str | None = None):
        super().__init__(message)
        self.file, self.line, self.setting = file, line, setting


class UsageError(AllysimError, ValueError):
    """An argument is wrong (e.g. every=0, an unknown rule)."""


class RunError(AllysimError, RuntimeError):
    """A run became non-finite; `result` holds what was computed (or None)."""

    result = None


class AllysimIOError(AllysimError, OSError):
    """A file could not be read or written."""


class RunWarning(UserWarning):
    """Some runs of a design failed (they are listed in failures.csv)."""


_LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<rest>.*)$", re.S)
_OVERRIDE = re.compile(r"^-s (?P<path>[^=]+)=")
_SETTING = re.compile(r"^(?P<path>[A-Za-z_][\w.\[\]]*)(?: = |: )")
_IN = re.compile(r"\(in (?P<path>[A-Za-z_][\w.]*)\)")


def parse_config_message(message: str, rename: dict | None = None) -> ConfigError:
    """A ConfigError from a message in the loader's forms
    "FILE:LINE: SETTING = VALUE: reason", "-s PATH=VALUE: reason" or
    "(built-in defaults): PATH: reason"; rename maps file names to show."""
    for old, new in (rename or {}).items():
        message = message.replace(old, new)
    m = _OVERRIDE.match(message)
    if m:
        return ConfigError(message, None, None, m.group("path").strip())
    file = line = None
    rest = message
    m = _LOCATED.match(message)
    if m:
        file, line, rest = m.group("file"), int(m.group("line")), m.group("rest")
    elif message.startswith("(built-in defaults): "):
        rest = message[len("(built-in defaults): "):]
    s = _SETTING.match(rest) or _IN.search(rest)
    return ConfigError(message, file, line, s.group("path") if s else None)


_BY_STATUS = {2: UsageError, 3: MemoryError, 4: AllysimIOError, 5: RunError,
              6: KeyboardInterrupt, 7: AllysimError}


def raise_status(status: int, message: str, rename: dict | None = None):
    """Raise the exception for a status of asim_status (status.h)."""
    if status == 1:
        raise parse_config_message(message, rename)
    for old, new in (rename or {}).items():
        message = message.replace(old, new)
    cls = _BY_STATUS.get(status, AllysimError)
    if cls is MemoryError or cls is KeyboardInterrupt:
        raise cls(message)
    raise cls(message)
