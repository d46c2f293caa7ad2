"""_interp: run the allysim scripts under a python3 that has their modules.

Imported first by every script in scripts/ (before numpy, pandas or
matplotlib), then `_interp.ensure(...)` with the modules the script needs.
When the running interpreter has them, nothing happens. Otherwise the
script is started again, with the same arguments, under the first of
/usr/bin/python3 and /usr/local/bin/python3 that has them (only under
$ALLYSIM_PYTHON when that is set); when none has, one line on stderr says
what to run instead, exit status 2.

It fails soft: an unexpected problem in this search leaves the script to
run as it would have without this module.
"""
import importlib.util
import os
import subprocess
import sys

DEFAULT = ("numpy", "pandas", "matplotlib")
CANDIDATES = ("/usr/bin/python3", "/usr/local/bin/python3")
_GUARD = "ALLYSIM_INTERP_REEXEC"  # set in the re-started script: never search twice


def _missing(modules):
    return [m for m in modules if importlib.util.find_spec(m) is None]


def _has(python, modules):
    """True when `python` runs and imports every module."""
    try:
        r = subprocess.run([python, "-c", "import " + ", ".join(modules)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        return r.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _candidates():
    env = os.environ.get("ALLYSIM_PYTHON")
    here = os.path.realpath(sys.executable or "")
    seen = {here}
    for c in [env] if env else CANDIDATES:
        real = os.path.realpath(c)
        if real not in seen and os.access(real, os.X_OK):
            seen.add(real)
            yield c


def ensure(*modules):
    """Make sure `modules` (default numpy, pandas, matplotlib) can be
    imported: re-run the script under another python3, or exit 2 with one
    line saying what to run."""
    modules = modules or DEFAULT
    try:
        missing = _missing(modules)
    except (ImportError, ValueError):
        return
    if not missing:
        return
    prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "script"
    try:
        if not os.environ.get(_GUARD) and sys.argv and os.path.isfile(sys.argv[0]):
            for c in _candidates():
                if _has(c, modules):
                    os.environ[_GUARD] = "1"
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os.execv(c, [c] + sys.argv)
    except OSError:
        pass
    print(f"{prog}: error: {sys.executable or 'python3'} has no {', '.join(missing)}; run the script with "
          f"a python3 that has {', '.join(modules)} (or install them: python3 -m pip install "
          f"{' '.join(missing)}; or set ALLYSIM_PYTHON to such a python3)", file=sys.stderr)
    sys.exit(2)
