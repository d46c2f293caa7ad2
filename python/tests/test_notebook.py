"""test_notebook: docs/notebooks/tour.ipynb runs top to bottom with
Debian's jupyter (python3-nbconvert, python3-ipykernel); a failing cell
fails the test."""
import importlib.util
import os
import subprocess
import sys

import pytest

from conftest import ROOT


def test_tour_notebook_runs(tmp_path):
    for module in ("nbconvert", "ipykernel", "nbformat"):
        if importlib.util.find_spec(module) is None:
            pytest.skip("needs %s (bash scripts/setup.sh installs it)" % module)
    nb = os.path.join(ROOT, "docs", "notebooks", "tour.ipynb")
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("MPLBACKEND", None)  # the kernel's inline backend keeps the figures
    p = subprocess.run([sys.executable, "-Xfrozen_modules=off", "-m", "nbconvert", "--to", "notebook",
                        "--execute", "--ExecutePreprocessor.timeout=600", "--output-dir", str(tmp_path),
                        "--output", "tour", nb], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr[-3000:]
    import nbformat
    done = nbformat.read(str(tmp_path / "tour.ipynb"), as_version=4)
    errors = [o for c in done.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    images = sum("image/png" in o.get("data", {}) for c in done.cells if c.cell_type == "code"
                 for o in c.get("outputs", []))
    assert images >= 3
