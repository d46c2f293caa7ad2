"""test_memory: no leak through the binding: the resident size stays flat
over 1000 successive runs (and 100 loads, sweeps and failed loads) in one
interpreter."""
import os

import allysim


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def test_rss_flat_over_1000_runs(tmp_path):
    sc = allysim.load(None, set={"model.steps": 24})
    for _ in range(50):  # warm up: pandas and the allocator settle
        allysim.run(sc, replicates=2)
    before = rss_kb()
    for i in range(1000):
        allysim.run(sc, replicates=2, seed=i)
    for i in range(100):
        s = allysim.load(None, set={"model.steps": 24, "quasi.coop_gain": 1 + i % 5})
        allysim.sweep(s, {"method": "grid", "params": {"quasi.coop_gain": [1, 2]}})
        try:
            allysim.load(None, set={"quasi.coop_gain": -1})
        except allysim.ConfigError:
            pass
    growth = rss_kb() - before
    assert growth < 8 * 1024, "resident size grew by %d kB" % growth
