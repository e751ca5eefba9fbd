"""pyproject.toml, environment.yml and binder/ must describe the same dependencies."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools import lock

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CONDA_TO_PIP = {"pytorch": "torch"}  # conda-forge names that differ from PyPI's


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pip_requirements() -> dict:
    project = pyproject()["project"]
    reqs = list(project["dependencies"])
    for extra in ("lab", "test"):
        reqs += project["optional-dependencies"][extra]
    out = {}
    for req in reqs:
        if ";" in req:  # environment markers (backports for old Pythons) have no conda twin
            continue
        name, spec = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", req).groups()
        out[name.lower()] = spec.replace(" ", "")
    return out


def conda_requirements(path: Path) -> dict:
    out, in_deps = {}, False
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        m = re.match(r"^  - ([A-Za-z0-9_.\-]+)\s*([^:]*)$", line)
        if in_deps and m:
            name, spec = m.group(1).lower(), m.group(2).replace(" ", "")
            if name in ("python", "pip"):
                continue
            out[CONDA_TO_PIP.get(name, name)] = spec
    return out


def test_environment_yml_matches_pyproject():
    """The conda recipe for learners keeps pyproject's ranges (Binder's is the lock's twin)."""
    assert conda_requirements(ROOT / "environment.yml") == pip_requirements()


def test_python_floor_is_the_same_everywhere():
    floor = pyproject()["project"]["requires-python"]
    assert f"  - python{floor}" in (ROOT / "environment.yml").read_text()
    assert f"every Python {floor.replace('>=', '>= ')}" in LOCK.read_text()


def test_environment_yml_uses_conda_forge_only():
    for path in (ROOT / "environment.yml", ROOT / "binder" / "environment.yml"):
        text = path.read_text()
        channels = re.search(r"channels:\n((?:  - .*\n)+)", text).group(1)
        assert [c.strip("- ").strip() for c in channels.splitlines()] == ["conda-forge"], path


# ------------------------------------------------------------------------------ the lock
LOCK = ROOT / "requirements" / "lock.txt"


def environment(python: str, platform: str = "linux") -> dict:
    machine = {"linux": "x86_64", "darwin": "arm64", "win32": "AMD64"}[platform]
    return {"python_version": python, "python_full_version": f"{python}.0",
            "sys_platform": platform,
            "platform_system": {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[platform],
            "platform_machine": machine, "os_name": "nt" if platform == "win32" else "posix",
            "implementation_name": "cpython", "platform_python_implementation": "CPython",
            "extra": ""}


PLATFORMS = [(py, plat) for py in ("3.10", "3.11", "3.12", "3.13") for plat in ("linux", "darwin", "win32")]


@pytest.mark.parametrize("python, platform", PLATFORMS)
def test_lock_satisfies_pyproject(python, platform):
    """Every dependency of pyproject.toml (all extras) is locked, within its range, for every
    supported Python and platform. Fails after a change to pyproject.toml: run `make lock`."""
    from packaging.requirements import Requirement

    env = environment(python, platform)
    pins = lock.pins_for(LOCK.read_text(), env)
    project = pyproject()["project"]
    reqs = list(project["dependencies"]) + [r for extra in project["optional-dependencies"].values() for r in extra]
    problems = []
    for text in reqs:
        req = Requirement(text)
        if req.marker and not req.marker.evaluate(env):
            continue
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name not in pins:
            problems.append(f"{name} is not in the lock")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{name}=={pins[name]} is outside pyproject's {req.specifier}")
    assert not problems, "requirements/lock.txt is stale (run `make lock`): " + "; ".join(problems)


def test_lock_pins_everything_once_per_platform():
    from packaging.markers import Marker

    text = LOCK.read_text()
    for python, platform in PLATFORMS:
        env = environment(python, platform)
        seen = [name for name, _, marker in lock.pins(text)
                if not marker or Marker(marker).evaluate(env)]
        assert len(seen) == len(set(seen)), (python, platform)
    assert not [name for name, _, _ in lock.pins(text) if lock.CUDA_ONLY.match(name)], \
        "the CUDA build's own libraries stay out of the lock"
    assert lock.locked_torch(text), "the lock fixes PyTorch's release"


def test_binder_is_the_locks_twin():
    """binder/environment.yml holds the lock's versions for Binder's platform (`make lock`)."""
    assert lock.check() == 0
    text = (ROOT / "binder" / "environment.yml").read_text()
    assert re.search(r"^  - python=3\.\d+$", text, re.M), "repo2docker reads python=X.Y"
    assert f"torch=={lock.locked_torch(LOCK.read_text())}+cpu" in text


def test_makefile_installs_the_lock_by_default():
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK ?= requirements/lock.txt" in makefile
    assert "pip install --quiet -r $(LOCK)" in makefile


def test_makefile_without_the_lock_installs_the_locks_extras():
    """`make LOCK=none` installs the same packages as the lock (all extras, `--all-extras`
    in tools/lock.py), only newer: no extra is left out (the classroom extra once was, and
    the live-slides test skipped there)."""
    makefile = (ROOT / "Makefile").read_text()
    extras = re.search(r"^EXTRAS := (.*)$", makefile, re.M).group(1).strip().split(",")
    assert sorted(extras) == sorted(pyproject()["project"]["optional-dependencies"])
    assert 'pip install --quiet --upgrade -e ".[$(EXTRAS)]"' in makefile
    assert '"--all-extras"' in (ROOT / "tools" / "lock.py").read_text()


def test_binder_installs_amslib_and_opens_notebook_00():
    post = (ROOT / "binder" / "postBuild").read_text()
    assert re.search(r"pip install .*-e \.", post)
    readme = (ROOT / "README.md").read_text()
    assert "?urlpath=lab/tree/notebooks/00_start_here.ipynb" in readme


def test_repository_address_defined_once():
    """The address is written in amslib/course.py only; everything else is generated."""
    from amslib import course
    owner = course.REPOSITORY
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    hits = []
    for name in listed:
        path = ROOT / name
        if path.is_file() and path.suffix in {".py", ".md", ".yml", ".toml", ".cfg", ".txt", ""}:
            if owner in path.read_text(errors="ignore"):
                hits.append(name)
    # README mentions the placeholder when it explains how a fork changes it
    assert set(hits) <= {"amslib/course.py", "README.md"}, hits


# ------------------------------------------------------------------------------ Binder
BINDER_CONFIG = ROOT / "binder" / "jupyter_server_config.json"


def test_binder_culling_config_names_real_settings():
    """A misspelt setting would be ignored silently by Jupyter: each must be a real trait."""
    import json

    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager

    config = json.loads(BINDER_CONFIG.read_text())
    settings = config["MappingKernelManager"]
    assert set(settings) <= set(MappingKernelManager.class_trait_names())
    assert settings["cull_connected"] is True, "tabs left open must not keep their kernels"
    assert 0 < settings["cull_idle_timeout"] <= 1800
    assert "binder/jupyter_server_config.json" in (ROOT / "binder" / "postBuild").read_text()


def test_binder_culling_config_culls_an_idle_kernel(tmp_path):
    """A real server reading binder's config (times shortened on the command line) shuts an
    idle kernel down by itself."""
    import json
    import shutil
    import socket
    import time
    import urllib.request

    shutil.copy(BINDER_CONFIG, tmp_path / "jupyter_server_config.json")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(tmp_path),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", f"--port={port}",
         "--ip=127.0.0.1", "--IdentityProvider.token=t", f"--ServerApp.root_dir={tmp_path}",
         "--MappingKernelManager.cull_idle_timeout=2", "--MappingKernelManager.cull_interval=1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def api(method="GET"):
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/kernels", method=method,
                                     headers={"Authorization": "token t"},
                                     data=b"{}" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    try:
        for _ in range(120):
            try:
                api()
                break
            except OSError:
                time.sleep(0.5)
        kernel = api("POST")["id"]
        assert [k["id"] for k in api()] == [kernel]
        for _ in range(120):
            if not api():
                break
            time.sleep(0.5)
        assert api() == [], "the idle kernel was not culled"
    finally:
        server.terminate()
        out = server.communicate(timeout=30)[0]
    assert "cull_connected=True" in out or "Culling kernels with idle durations" in out, out[-2000:]


def test_lab_extra_never_pairs_jupyterlab_4_with_ipywidgets_7():
    """JupyterLab 4 cannot show ipywidgets 7 ("@jupyter-widgets/base ^1.2.0 is not
    registered"): whoever installs the lab extra must get ipywidgets 8."""
    from packaging.requirements import Requirement

    lab = {Requirement(r).name: Requirement(r).specifier
           for r in pyproject()["project"]["optional-dependencies"]["lab"]}
    assert not lab["jupyterlab"].contains("3.6.8"), "the lab extra is for JupyterLab 4"
    assert "ipywidgets" in lab and not lab["ipywidgets"].contains("7.7.1")
    assert all(int(v.split(".")[0]) >= 8 for name, v, _ in lock.pins(LOCK.read_text()) if name == "ipywidgets")
