#!/usr/bin/env python3
"""The lock: exact versions of every dependency, for `make test`, `make lab` and Binder.

    python -m tools.lock              # refresh requirements/lock.txt and binder/environment.yml
    python -m tools.lock --torch 2.14.1   # ... and move the locked PyTorch to another release
    python -m tools.lock --upgrade    # ... every package at its newest release that fits
    python -m tools.lock --check      # offline: is binder/environment.yml the lock's twin?

(`make lock` runs the first.) The lock is made by uv (`uv pip compile`, installed on demand
into the running interpreter's environment) from pyproject.toml with ALL its extras, for
every Python from requires-python on and every platform (`--universal`: a package whose
newest release dropped an old Python gets one line per Python range, with markers).

PyTorch is locked to one release (``--torch``; by default the one already in the lock) but
not to one build: the same version exists as a CPU build on PyTorch's own index and as a
CUDA build on PyPI, and `make` picks the build for the machine (see the Makefile). The CUDA
build's own libraries (nvidia-*, cuda-*, triton) are left out of the lock for that reason:
a CUDA build pins them itself, exactly, and a CPU build needs none of them.

binder/environment.yml is generated from the lock for Binder's platform (Linux x86-64,
Python BINDER_PYTHON): conda-forge gives Python and pip only, pip installs the locked
versions from PyPI and the CPU build of torch from PyPI's CPU index.
tests/test_packaging.py fails when the two drift or when pyproject.toml asks for a package
or range the lock does not satisfy (then run `make lock`).
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
BINDER = ROOT / "binder" / "environment.yml"
BINDER_PYTHON = "3.11"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: The CUDA build's own libraries (see the docstring): never locked.
CUDA_ONLY = re.compile(r"^(nvidia-.*|cuda-.*|triton)$")
BINDER_ENVIRONMENT = {  # marker variables of Binder's machine
    "python_version": BINDER_PYTHON, "python_full_version": f"{BINDER_PYTHON}.99",
    "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
    "os_name": "posix", "implementation_name": "cpython", "platform_python_implementation": "CPython",
}


def python_floor() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    return re.search(r'requires-python\s*=\s*">=\s*([0-9.]+)"', text).group(1)


def pins(text: str) -> list[tuple[str, str, str]]:
    """(name, version, marker) for every `name==version [; marker]` line of a lock."""
    out = []
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)\s*(?:;\s*(.*))?$", line.strip())
        if m:
            out.append((m.group(1).lower(), m.group(2), (m.group(3) or "").strip()))
    return out


def locked_torch(text: str) -> str | None:
    return next((v for name, v, _ in pins(text) if name == "torch"), None)


def pins_for(text: str, environment: dict) -> dict:
    """{name: version} of the lock, evaluated for one platform and Python."""
    from packaging.markers import Marker

    out = {}
    for name, version, marker in pins(text):
        if not marker or Marker(marker).evaluate(environment):
            out[name] = version
    return out


def uv() -> list[str]:
    """uv (and packaging, for the markers), installed on demand into this environment."""
    try:
        import packaging.markers  # noqa: F401
        import uv as _uv  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "uv", "packaging"], check=True)
    return [sys.executable, "-m", "uv"]


def compile_lock(torch: str, exclude: list[str], keep: str = "") -> str:
    """uv's resolution; `keep` (the current lock) is uv's starting point, so a package whose
    pin still fits keeps it: adding a dependency changes no other pin (stored outputs stay)."""
    with tempfile.TemporaryDirectory() as tmp:
        constraint = Path(tmp) / "torch.txt"
        constraint.write_text(f"torch=={torch}\n")
        out = Path(tmp) / "lock.txt"
        out.write_text(keep)
        cmd = uv() + ["pip", "compile", "pyproject.toml", "--all-extras", "--universal",
                      "--python-version", python_floor(), "--constraint", str(constraint),
                      "--no-header", "--quiet", "--output-file", str(out)]
        for name in exclude:
            cmd += ["--no-emit-package", name]
        subprocess.run(cmd, cwd=ROOT, check=True)
        # uv names the constraint file, a temporary path: name what it is instead.
        return out.read_text().replace(str(constraint), "torch-release (tools/lock.py)")


HEADER = """\
# The lock: exact versions of every dependency (all extras), every Python >= {floor}.
# Generated by `make lock` (python -m tools.lock); do not edit. PyTorch: release {torch};
# the Makefile installs its CPU or CUDA build first (their CUDA libraries are not listed).
"""


def binder_environment(text: str) -> str:
    versions = pins_for(text, BINDER_ENVIRONMENT)
    torch = versions.pop("torch")
    lines = [
        "# Binder's environment, generated from requirements/lock.txt by `make lock`",
        "# (python -m tools.lock): the same exact versions, for Linux x86-64 and Python "
        f"{BINDER_PYTHON}.",
        "# conda-forge gives Python (pinned in the form repo2docker reads) and pip; pip installs",
        "# everything else, PyTorch as its CPU build (Binder has no GPU). Do not edit;",
        "# tests/test_packaging.py fails when this file and the lock drift apart.",
        "name: amsgrad-course",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={BINDER_PYTHON}",
        "  - pip",
        "  - pip:",
        f"      - --extra-index-url {TORCH_CPU_INDEX}",
        f"      - torch=={torch}+cpu",
    ]
    lines += [f"      - {name}=={version}" for name, version in sorted(versions.items())]
    return "\n".join(lines) + "\n"


def refresh(torch: str | None, upgrade: bool = False) -> int:
    current = LOCK.read_text() if LOCK.exists() else ""
    keep = "" if upgrade else current
    torch = torch or locked_torch(current)
    if not torch:
        raise SystemExit("no PyTorch release in the lock yet: pass --torch VERSION")
    first = compile_lock(torch, exclude=[], keep=keep)
    cuda = sorted({name for name, _, _ in pins(first) if CUDA_ONLY.match(name)})
    body = compile_lock(torch, exclude=cuda, keep=keep) if cuda else first
    LOCK.parent.mkdir(exist_ok=True)
    text = HEADER.format(floor=python_floor(), torch=torch) + body
    LOCK.write_text(text)
    BINDER.write_text(binder_environment(text))
    print(f"wrote {LOCK.relative_to(ROOT)} ({len(pins(text))} pins; torch {torch}; "
          f"left out, the CUDA build's own: {', '.join(cuda) or 'none'})")
    print(f"wrote {BINDER.relative_to(ROOT)}")
    return 0


def check() -> int:
    expected = binder_environment(LOCK.read_text())
    if BINDER.read_text() != expected:
        print(f"{BINDER.relative_to(ROOT)} is not the lock's twin: run `make lock`")
        return 1
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torch", help="PyTorch release to lock (default: the one in the lock)")
    parser.add_argument("--check", action="store_true", help="only check binder/environment.yml")
    parser.add_argument("--upgrade", action="store_true",
                        help="resolve every package afresh (default: keep the pins that still fit)")
    args = parser.parse_args(argv)
    return check() if args.check else refresh(args.torch, args.upgrade)


if __name__ == "__main__":
    sys.exit(main())
