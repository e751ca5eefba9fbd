"""The version matrix: the course must pass in more than the one environment it was written in.

    nox -l                   # the sessions
    nox -s isa               # the notebooks under nbval, with the CPU kernels of other machines
    nox -s newest oldest     # the newest releases / the oldest that pyproject.toml declares
    nox -s colab             # the versions Google Colab ships (ipywidgets 7.7.1 ...)
    nox                      # all of them
    nox -s newest -- quick   # what CI runs: the notebooks and the version-sensitive tests

Sessions (README.md, "Tests", has the table of what each one last gave):

- ``locked``: `make test`, i.e. the whole suite in the environment of requirements/lock.txt.
- ``isa-<variant>``: the locked environment, every notebook under nbval, with PyTorch's ATen
  kernels forced to another instruction set (``ATEN_CPU_CAPABILITY``), MKL, oneDNN and
  OpenBLAS limited alike, NumPy's dispatch limited (``NPY_DISABLE_CPU_FEATURES``), or more
  BLAS threads: a stand-in for the laptops and servers that learners have. A stored output
  that changes under any of them is float noise (CONTRIBUTING.md).
- ``newest``: the newest releases pyproject.toml's ranges allow (Python 3.13). It tells when
  a lock refresh (`make lock`) would break something.
- ``oldest``: the oldest releases pyproject.toml declares, resolved by uv with
  ``--resolution lowest-direct`` (Python 3.10): every floor must install together and pass.
- ``colab``: Colab's old kernel stack (ipywidgets 7.7.1, IPython 7.34, ipykernel 6.17) and
  Python 3.12, executing every notebook top to bottom under nbval.

The environments are built with uv. PyTorch: ``locked``/``isa`` use the Makefile's choice
(the CPU build of the locked release); ``newest``, ``oldest`` and ``colab`` take the build
PyPI serves, which on Linux is the CUDA build (about 4-5 GB each, from PyPI or uv's cache);
they still run on the CPU when there is no GPU. Pass extra pytest arguments after ``--``.
"""
from __future__ import annotations

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.error_on_missing_interpreters = True
nox.needs_version = ">=2024.3.2"

#: What each ISA variant sets. ``default`` is the plainest x86-64 code (SSE2); ``sse42``
#: also keeps MKL, oneDNN, OpenBLAS and NumPy off AVX; ``avx2`` is a typical laptop of the
#: last ten years; ``avx512`` a recent server (on a CPU without AVX-512, PyTorch falls back).
ISA = {
    "default": {"ATEN_CPU_CAPABILITY": "default"},
    "sse42": {"ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
              "ONEDNN_MAX_CPU_ISA": "SSE41", "OPENBLAS_CORETYPE": "Nehalem",
              "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2",
             "ONEDNN_MAX_CPU_ISA": "AVX2", "OPENBLAS_CORETYPE": "Haswell",
             "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"},
    "avx512": {"ATEN_CPU_CAPABILITY": "avx512"},
    "threads": {"OMP_NUM_THREADS": "4", "MKL_NUM_THREADS": "4", "OPENBLAS_NUM_THREADS": "4"},
}

#: Google Colab's kernel-side versions that differ most from the lock. ipywidgets 7.7.1 has
#: been Colab's for years; IPython 7.34 and ipykernel 6.17 are the old kernel stack that
#: Colab's front end needs; Python 3.12. Update from `pip list` in a fresh Colab runtime.
COLAB = ["ipywidgets==7.7.1", "ipython==7.34.0", "ipykernel==6.17.1"]
COLAB_PYTHON = "3.12"

#: What CI runs in the newest/oldest/colab sessions (.ci/run passes it; the whole suite takes
#: 15-40 min a session on CI's 2 cores): every notebook under nbval, and the tests of what
#: depends most on library versions (set-up and floors, PyTorch, widgets, nbconvert's
#: site, nbformat, packaging). `nox -s newest oldest` alone runs the whole suite.
QUICK = ["notebooks", "tests/test_setup.py", "tests/test_torch_optim.py", "tests/test_models.py",
         "tests/test_widgets.py", "tests/test_site.py", "tests/test_notebooks.py",
         "tests/test_packaging.py", "tests/test_data.py", "-m", "not browser"]

#: The packages whose versions each session reports (the matrix table in README.md).
REPORT = ["numpy", "matplotlib", "torch", "ipywidgets", "ipykernel", "ipython", "jupyterlab",
          "nbval", "pytest", "matplotlib-inline"]


VERSIONS = """
import importlib.metadata as m, platform
found = []
for name in NAMES:
    try:
        found.append(f"{name} {m.version(name)}")
    except m.PackageNotFoundError:
        pass
print("versions: python", platform.python_version(), "|", " | ".join(found))
"""


def report_versions(session: nox.Session, python: str = "python") -> None:
    session.run(python, "-c", f"NAMES = {REPORT!r}" + VERSIONS, external=True)


def pytest_args(session: nox.Session, *default: str) -> list[str]:
    """pytest's arguments: those after `--`, `quick` standing for QUICK; else the default."""
    args = [a for arg in session.posargs for a in (QUICK if arg == "quick" else [arg])]
    return args or list(default)


@nox.session(venv_backend="none")
def locked(session: nox.Session) -> None:
    """The lock, as `make test` installs it: the whole suite."""
    session.run("make", "test", external=True)


@nox.session(venv_backend="none")
@nox.parametrize("variant", list(ISA))
def isa(session: nox.Session, variant: str) -> None:
    """The locked environment's notebooks under nbval, with another machine's CPU kernels."""
    session.run("make", "--quiet", ".venv/.installed", external=True)
    report_versions(session, ".venv/bin/python")
    session.log(f"environment: {ISA[variant]}")
    session.run(".venv/bin/python", "-m", "pytest", "-p", "no:cacheprovider", "-q",
                *pytest_args(session, "notebooks", "tests/test_setup.py"),
                env=ISA[variant], external=True)


ALL_EXTRAS = ",".join(tomllib.loads(Path("pyproject.toml").read_text())["project"]["optional-dependencies"])


def install_course(session: nox.Session, *args: str, extras: str = ALL_EXTRAS) -> None:
    session.install(*args, "-e", f".[{extras}]")
    report_versions(session)


@nox.session(python="3.13")
def newest(session: nox.Session) -> None:
    """The newest releases within pyproject.toml's ranges, Python 3.13."""
    install_course(session, "--upgrade", "--resolution=highest")
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", "-q",
                *pytest_args(session, "-m", "not browser"))


FLOORS_ARE_TRUE = """
import importlib.metadata as m, sys, tomli
from packaging.requirements import Requirement
from packaging.version import Version
project = tomli.load(open("pyproject.toml", "rb"))["project"]
reqs = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
floors = {}  # the highest floor any requirement sets (the lab extra raises ipywidgets')
for req in map(Requirement, reqs):
    if req.marker and not req.marker.evaluate({"extra": ""}):
        continue
    for spec in req.specifier:
        if spec.operator == ">=":
            floors[req.name] = max(floors.get(req.name, Version("0")), Version(spec.version))
wrong = [f"{name}: pyproject.toml says >={floor}, the oldest that installs with the rest is {m.version(name)}"
         for name, floor in sorted(floors.items()) if Version(m.version(name)) != floor]
print("\\n".join(wrong) or f"all {len(floors)} floors of pyproject.toml installed together, as declared")
sys.exit(1 if wrong else 0)
"""


@nox.session(python="3.10")
def oldest(session: nox.Session) -> None:
    """The oldest releases pyproject.toml declares (uv --resolution lowest-direct), Python 3.10.

    First checks that uv could install every floor as declared (a floor that only installs
    raised is not a true floor), then runs the tests."""
    install_course(session, "--resolution=lowest-direct")
    session.install("tomli", "packaging")
    session.run("python", "-c", FLOORS_ARE_TRUE)
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", "-q",
                *pytest_args(session, "-m", "not browser"))


@nox.session(python=COLAB_PYTHON)
def colab(session: nox.Session) -> None:
    """Colab's versions: every notebook executed top to bottom under nbval, and the widget tests."""
    install_course(session, *COLAB, extras="test")
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", "-q",
                *pytest_args(session, "notebooks", "tests/test_widgets.py", "tests/test_setup.py"))
