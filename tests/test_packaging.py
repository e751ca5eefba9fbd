"""pyproject.toml, environment.yml and binder/ must describe the same dependencies."""
import re
import subprocess
import sys
from pathlib import Path

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
    assert conda_requirements(ROOT / "environment.yml") == pip_requirements()


def test_binder_matches_pyproject():
    assert conda_requirements(ROOT / "binder" / "environment.yml") == pip_requirements()


def test_python_floor_is_the_same_everywhere():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floor = project["requires-python"]
    for path in (ROOT / "environment.yml", ROOT / "binder" / "environment.yml"):
        assert f"  - python{floor}" in path.read_text(), path


def test_environment_yml_uses_conda_forge_only():
    for path in (ROOT / "environment.yml", ROOT / "binder" / "environment.yml"):
        text = path.read_text()
        channels = re.search(r"channels:\n((?:  - .*\n)+)", text).group(1)
        assert [c.strip("- ").strip() for c in channels.splitlines()] == ["conda-forge"], path


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
