"""The helper behind every notebook's set-up cell.

``setup_notebook(seed, torch)`` checks the versions the course needs, seeds Python's,
NumPy's and (where the notebook uses it) PyTorch's random generators, applies the course's
figure style and reports the device PyTorch will use. It works on Colab (ipywidgets 7.7),
Binder and local installs.

Notebooks that never touch PyTorch call it with ``torch=False``: then PyTorch is not
imported at all, which keeps such a kernel about 200 MB smaller (Binder gives 2 GB for
every kernel a learner leaves open).
"""
from __future__ import annotations

import importlib.metadata
import os
import platform
import random
import sys
import warnings

import numpy as np

__all__ = ["MINIMUM_VERSIONS", "MINIMUM_PYTHON", "check_versions", "seed_everything",
           "pick_device", "setup_notebook", "in_colab", "VersionWarning"]

#: The oldest releases the course is tested against: the floors of pyproject.toml's
#: dependencies (tests/test_packaging.py keeps the two in step; the reasons are there).
MINIMUM_VERSIONS = {
    "numpy": "1.23.2",
    "matplotlib": "3.8",
    "torch": "2.1",
    "ipywidgets": "7.7.1",
}
MINIMUM_PYTHON = (3, 10)


class VersionWarning(UserWarning):
    """A package is older than the course's floor: things may break in odd places."""


def _version_tuple(v: str) -> tuple[int, ...]:
    parts = []
    for piece in v.split("+")[0].split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if digits != piece:  # '0rc1': stop after the numeric prefix
            break
    return tuple(parts)


def installed_version(name: str) -> str | None:
    """The version of an installed package without importing it (None if it is missing).

    A module that is already imported answers with its ``__version__`` (what this kernel
    really runs, even if pip changed the files since)."""
    module = sys.modules.get(name)
    if module is not None and getattr(module, "__version__", None):
        return module.__version__
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _check_minimum(minimum) -> dict:
    """``minimum`` as check_versions takes it: a dict {package name: version such as '1.26'}."""
    from .validation import invalid

    allowed = "None or a dict {package name: minimum version}, e.g. {'numpy': '1.26'}"
    if not isinstance(minimum, dict):
        raise invalid("minimum", minimum, allowed)
    for name, least in minimum.items():
        if not (isinstance(name, str) and name.strip()):
            raise invalid("minimum", minimum, allowed + " (a package name is a non-empty string)")
        if not (isinstance(least, str) and _version_tuple(least)):
            raise invalid(f"minimum[{name!r}]", least, "a version string such as '1.26' "
                          "(numbers separated by dots)")
    return minimum


def check_versions(minimum: dict | None = None, torch: bool = True) -> dict:
    """Return {package: version}; warn (``VersionWarning``) for each package below its floor.

    A missing package raises ImportError with the command that installs it. ``torch=False``
    leaves PyTorch out (notebooks that do not use it). Nothing is imported here.
    """
    minimum = MINIMUM_VERSIONS if minimum is None else _check_minimum(minimum)
    minimum = dict(minimum)
    from .validation import check_flag

    if not check_flag(torch, "torch"):
        minimum.pop("torch", None)
    if sys.version_info[:2] < MINIMUM_PYTHON:
        raise ImportError(f"The course needs Python >= {'.'.join(map(str, MINIMUM_PYTHON))}, "
                          f"this is {platform.python_version()}")
    found = {"python": platform.python_version()}
    for name, least in minimum.items():
        version = installed_version(name)
        if version is None:
            raise ImportError(f"{name} is missing: install it with  %pip install '{name}>={least}'")
        if _version_tuple(version) < _version_tuple(least):
            warnings.warn(f"{name} {version} is older than the course needs ({name} >= {least}): "
                          f"some cells may fail or look wrong. Upgrade with  "
                          f"%pip install -U '{name}>={least}'  and restart the kernel.",
                          VersionWarning, stacklevel=2)
        found[name] = version
    return found


def seed_everything(seed: int = 0, torch: bool = True) -> None:
    """Seed Python's ``random``, NumPy's global generator and (``torch=True``) PyTorch.
    ``seed``: an integer in [0, 2^32 - 1] (NumPy's global generator takes no more)."""
    from .validation import check_count, check_flag

    seed = check_count(seed, "seed", 0, 2 ** 32 - 1, "numpy.random.seed takes 32 bits")
    torch = check_flag(torch, "torch")
    random.seed(seed)
    np.random.seed(seed)
    if not torch:
        return
    import torch as _torch
    _torch.manual_seed(seed)  # seeds the CUDA and MPS generators too
    # One CPU thread: the course's models are small, so extra threads buy little, and a
    # fixed thread count keeps float results (summation order in matrix products) the same
    # on every machine. Binder has one CPU anyway.
    _torch.set_num_threads(1)


def pick_device(torch: bool = True) -> tuple[str, str]:
    """Return (device, explanation): CUDA if there is one, else Apple MPS, else the CPU."""
    from .validation import check_flag

    if not check_flag(torch, "torch"):
        return "cpu", "this notebook uses NumPy only"
    try:
        import torch as _torch
    except ImportError:
        return "cpu", "PyTorch is not installed: NumPy only"
    if _torch.cuda.is_available():
        return "cuda", f"GPU found: {_torch.cuda.get_device_name(0)}"
    mps = getattr(_torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps", "Apple GPU found (Metal Performance Shaders)"
    hint = " (on Colab: Runtime > Change runtime type > GPU)" if in_colab() else ""
    return "cpu", f"no GPU found, using the CPU{hint}; every notebook runs on the CPU"


def in_colab() -> bool:
    return "google.colab" in sys.modules


def setup_notebook(seed: int = 0, torch: bool = True, quiet: bool = False) -> str:
    """Check versions, seed the generators, set the figure style; return the device name.

    ``torch=False``: the notebook does not use PyTorch; it is neither checked nor imported.
    """
    from .validation import check_flag

    torch, quiet = check_flag(torch, "torch"), check_flag(quiet, "quiet")
    versions = check_versions(torch=torch)
    seed_everything(seed, torch=torch)
    from . import plotting
    plotting.use_style()
    device, why = pick_device(torch=torch)
    if not quiet:
        where = "Colab" if in_colab() else ("Binder" if "BINDER_SERVICE_HOST" in os.environ else "local")
        print(" | ".join(f"{k} {v}" for k, v in versions.items()))
        print(f"running on: {where}; seed: {seed}; device: {device} ({why})")
    return device
