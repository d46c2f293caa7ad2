"""allysim from Python: the simulation engine in process.

    import allysim
    sc = allysim.load("configs/baseline.cfg")
    sc["patron.commitment.KOR"] = [(2014, .9), (2027, .4)]
    r = allysim.run(sc, replicates=20, seed=1)
    r.timeseries, r.summary, r.meta          # pandas DataFrames and a dict
    s = allysim.sweep(sc, {"method": "lhs", "points": 200, "replicates": 5,
                           "params": {"quasi.coop_gain": (1.0, 6.0)}})
    box = allysim.discover(s.runs, outcome="mean_relation_JPN_KOR > 0",
                           inputs=["quasi.coop_gain"])

Functions: load, run, sweep, test, sensitivity, calibrate, read, discover.
Exceptions: ConfigError, UsageError, RunError, AllysimIOError (all
AllysimError), and the RunWarning of a design whose runs partly failed.
The shared library is found through ALLYSIM_LIB, next to the package, or
in build/<preset>/ of the source tree (allysim.LIBRARY says which).
"""
from . import _lib
from .errors import (AllysimError, AllysimIOError, ConfigError, RunError, RunWarning,
                     UsageError)
from .scenario import Scenario, load
from .results import Result, read
from .studies import calibrate, run, sensitivity, sweep, test
from .discover import Prim, discover

LIBRARY = _lib.PATH
__version__ = _lib.lib.asim_api_version().decode()

__all__ = ["load", "run", "sweep", "test", "sensitivity", "calibrate", "read", "discover",
           "Scenario", "Result", "Prim", "AllysimError", "ConfigError", "UsageError", "RunError",
           "AllysimIOError", "RunWarning", "LIBRARY", "__version__"]
