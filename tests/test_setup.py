"""amslib.setup, the helper behind every set-up cell: version floors, seeds, no needless
PyTorch, and figures that survive MPLBACKEND=Agg."""
import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from amslib import setup
from tools import nbtool

ROOT = Path(__file__).resolve().parents[1]


def test_floors_are_pyprojects():
    """MINIMUM_VERSIONS repeats the floors of pyproject.toml's dependencies, exactly."""
    from test_packaging import pyproject

    floors = {}
    for req in pyproject()["project"]["dependencies"]:
        m = re.match(r"([A-Za-z0-9_.\-]+)\s*>=\s*([0-9.]+)", req)
        floors[m.group(1)] = m.group(2)
    assert floors == setup.MINIMUM_VERSIONS
    assert pyproject()["project"]["requires-python"] == ">={}.{}".format(*setup.MINIMUM_PYTHON)


@pytest.mark.parametrize("version, expected", [
    ("2.13.0+cpu", (2, 13, 0)), ("1.23.2", (1, 23, 2)), ("2.1.0rc1", (2, 1, 0)),
    ("8.1.9", (8, 1, 9)), ("3.10.0.dev0", (3, 10, 0)), ("1.23", (1, 23)),
])
def test_version_tuple(version, expected):
    assert setup._version_tuple(version) == expected


def test_below_a_floor_warns_naming_package_and_version():
    with pytest.warns(setup.VersionWarning, match=r"numpy .* older than the course needs \(numpy >= 99\.1\)"):
        found = setup.check_versions({"numpy": "99.1"}, torch=False)
    assert "numpy" in found


def test_at_the_floors_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = setup.check_versions()
    assert set(found) == {"python", *setup.MINIMUM_VERSIONS}


def test_missing_package_is_an_error_with_the_fix():
    with pytest.raises(ImportError, match=r"no-such-package-xyz is missing: install it with  "
                                          r"%pip install 'no-such-package-xyz>=1'"):
        setup.check_versions({"no-such-package-xyz": "1"})


def test_torch_false_leaves_torch_out():
    found = setup.check_versions(torch=False)
    assert "torch" not in found
    assert setup.pick_device(torch=False) == ("cpu", "this notebook uses NumPy only")


def test_torch_false_never_imports_torch():
    """A NumPy-only notebook's set-up cell costs no PyTorch import (Binder's memory)."""
    code = ("import sys, amslib.setup; amslib.setup.setup_notebook(seed=0, torch=False, quiet=True); "
            "print('torch' in sys.modules, 'ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "False"]


def test_seeds_are_reproducible():
    import random

    import numpy as np
    import torch

    setup.seed_everything(3)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    setup.seed_everything(3)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == first
    assert torch.get_num_threads() == 1


@pytest.mark.parametrize("path", nbtool.notebooks(), ids=lambda p: p.name)
def test_setup_cell_imports_torch_only_where_used(path):
    """The generated set-up cell passes torch=True exactly when another code cell uses it."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    setup_cell = next(c for c in nb.cells if nbtool.has_tag(c, "setup"))
    used = any(re.search(r"\btorch\b", c.source) for c in nb.cells
               if c.cell_type == "code" and not nbtool.has_tag(c, "setup"))
    assert f"torch={used}" in setup_cell.source
    assert setup_cell.source.splitlines().count("%matplotlib inline") == 1


def test_figures_survive_mplbackend_agg(tmp_path):
    """A server that exports MPLBACKEND=Agg would swallow every figure; the set-up cell's
    %matplotlib inline keeps them (executed in a real kernel, as nbval does)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(nbtool.setup_source(False)),
                nbformat.v4.new_code_cell("from amslib import plotting\n"
                                          "fig, ax = plotting.subplots()\nax.plot([0, 1])\n"
                                          "plotting.plt.show()")]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env, cwd=str(ROOT))
    try:
        NotebookClient(nb, km=km, timeout=120).execute()
    finally:
        km.shutdown_kernel(now=True)
    figure = [o for o in nb.cells[1].outputs if o.get("output_type") == "display_data"]
    assert figure and "image/png" in figure[0]["data"], json.dumps(nb.cells[1].outputs)[:500]


@pytest.mark.parametrize("minimum, match", [
    ("numpy", "minimum"), (["numpy"], "minimum"), ({"numpy": "abc"}, r"minimum\['numpy'\]"),
    ({"numpy": 1.26}, r"minimum\['numpy'\]"), ({"": "1.0"}, "package name"), ({3: "1.0"}, "package name"),
])
def test_check_versions_names_a_bad_minimum(minimum, match):
    from amslib import setup

    with pytest.raises(ValueError, match=match):
        setup.check_versions(minimum=minimum)


def test_check_versions_refuses_a_non_flag_torch():
    from amslib import setup

    with pytest.raises(ValueError, match="torch"):
        setup.check_versions(torch="no")
