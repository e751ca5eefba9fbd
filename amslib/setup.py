"""The helper behind every notebook's set-up cell.

``setup_notebook(seed)`` checks the versions the course needs, seeds Python's, NumPy's
and PyTorch's random generators, applies the course's figure style and reports the
device PyTorch will use. It works on Colab (ipywidgets 7.7), Binder and local installs.
"""
from __future__ import annotations

import importlib
import os
import platform
import random
import sys

import numpy as np

__all__ = ["MINIMUM_VERSIONS", "check_versions", "seed_everything", "pick_device",
           "setup_notebook", "in_colab"]

#: The oldest releases the course is tested against (see pyproject.toml for the reasons).
MINIMUM_VERSIONS = {
    "numpy": "1.23",
    "matplotlib": "3.6",
    "torch": "2.1",
    "ipywidgets": "7.7",
}


def _version_tuple(v: str) -> tuple[int, ...]:
    parts = []
    for piece in v.split("+")[0].split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
        if not piece.isdigit():  # '0rc1': stop after the numeric prefix
            break
    return tuple(parts)


def check_versions(minimum: dict | None = None) -> dict:
    """Return {package: version}; raise ImportError with a fix if one is missing or too old."""
    minimum = MINIMUM_VERSIONS if minimum is None else minimum
    if sys.version_info < (3, 10):
        raise ImportError(f"The course needs Python >= 3.10, this is {platform.python_version()}")
    found = {"python": platform.python_version()}
    for name, least in minimum.items():
        try:
            module = importlib.import_module(name)
        except ImportError:
            raise ImportError(f"{name} is missing: install it with  %pip install '{name}>={least}'") from None
        version = getattr(module, "__version__", "0")
        if _version_tuple(version) < _version_tuple(least):
            raise ImportError(f"{name} {version} is too old: the course needs {name} >= {least}; "
                              f"upgrade with  %pip install -U '{name}>={least}'")
        found[name] = version
    return found


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy's global generator and PyTorch (all devices)."""
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:  # torch is only needed from notebook 02 on
        return
    torch.manual_seed(seed)  # seeds the CUDA and MPS generators too
    # One CPU thread: the course's models are small, so extra threads buy little, and a
    # fixed thread count keeps float results (summation order in matrix products) the same
    # on every machine, which the stored outputs rely on. Binder has one CPU anyway.
    torch.set_num_threads(1)


def pick_device() -> tuple[str, str]:
    """Return (device, explanation): CUDA if there is one, else Apple MPS, else the CPU."""
    try:
        import torch
    except ImportError:
        return "cpu", "PyTorch is not installed: NumPy only"
    if torch.cuda.is_available():
        return "cuda", f"GPU found: {torch.cuda.get_device_name(0)}"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps", "Apple GPU found (Metal Performance Shaders)"
    hint = " (on Colab: Runtime > Change runtime type > GPU)" if in_colab() else ""
    return "cpu", f"no GPU found, using the CPU{hint}; every notebook runs on the CPU"


def in_colab() -> bool:
    return "google.colab" in sys.modules


def setup_notebook(seed: int = 0, quiet: bool = False) -> str:
    """Check versions, seed the generators, set the figure style; return the device name."""
    versions = check_versions()
    seed_everything(seed)
    from . import plotting
    plotting.use_style()
    device, why = pick_device()
    if not quiet:
        where = "Colab" if in_colab() else ("Binder" if "BINDER_SERVICE_HOST" in os.environ else "local")
        print(" | ".join(f"{k} {v}" for k, v in versions.items()))
        print(f"running on: {where}; seed: {seed}; device: {device} ({why})")
    return device
