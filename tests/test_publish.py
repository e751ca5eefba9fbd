"""`python -m tools.nbtool publish OWNER/REPO --branch B` sets the course's address in one step.

Run on a copy of the repository (the files git knows), so the real one is never touched."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from amslib.course import PLACEHOLDER
from tools import nbtool

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    dest = tmp_path_factory.mktemp("course")
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file() and name.split("/")[0] in ("amslib", "tools", "notebooks", "README.md"):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def run_nbtool(where: Path, *args):
    return subprocess.run([sys.executable, "-m", "tools.nbtool", *args],
                          cwd=where, capture_output=True, text=True)


def test_publish_rewrites_every_address(copy):
    done = run_nbtool(copy, "publish", "jane-doe/adam-course", "--branch", "spring-2027")
    assert done.returncode == 0, done.stdout + done.stderr
    course = (copy / "amslib" / "course.py").read_text()
    assert 'REPOSITORY = "jane-doe/adam-course"' in course and 'BRANCH = "spring-2027"' in course
    readme = (copy / "README.md").read_text()
    assert ("https://mybinder.org/v2/gh/jane-doe/adam-course/spring-2027"
            "?urlpath=lab/tree/notebooks/00_start_here.ipynb") in readme
    assert "colab.research.google.com/github/jane-doe/adam-course/blob/spring-2027/notebooks/" in readme
    assert PLACEHOLDER not in readme and "Placeholders until" not in readme
    assert "This course is published at [jane-doe/adam-course]" in readme
    for nb in sorted((copy / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        text = nb.read_text()
        assert PLACEHOLDER not in text, nb.name
        setup = next(c for c in json.loads(text)["cells"] if "setup" in c["metadata"].get("tags", []))
        assert "--branch spring-2027 https://github.com/jane-doe/adam-course " in "".join(setup["source"])
    assert run_nbtool(copy, "check").returncode == 0


@pytest.mark.parametrize("address, branch, message", [
    ("not-a-repo", "main", "is not a GitHub address"),
    ("-bad/owner", "main", "is not a GitHub address"),
    ("owner/re po", "main", "is not a GitHub address"),
    ("a/b/c", "main", "is not a GitHub address"),
    ("owner/..", "main", "is not a GitHub address"),
    ("owner/repo", "bad..branch", "is not a usable branch name"),
    ("owner/repo", "trailing/", "is not a usable branch name"),
    ("owner/repo", "", "is not a usable branch name"),
    (PLACEHOLDER, "main", "placeholder"),
])
def test_publish_refuses_bad_addresses(tmp_path, monkeypatch, capsys, address, branch, message):
    """Checked in-process, before anything is written (writes would land in tmp_path)."""
    course_py = tmp_path / "course.py"
    course_py.write_text((ROOT / "amslib" / "course.py").read_text())
    monkeypatch.setattr(nbtool, "COURSE_PY", course_py)
    monkeypatch.setattr(nbtool, "cmd_generate", lambda args: pytest.fail("generate must not run"))
    assert nbtool.main(["publish", "--branch", branch, "--", address]) == 2
    assert message in capsys.readouterr().err
    assert course_py.read_text() == (ROOT / "amslib" / "course.py").read_text(), "nothing is written"


def test_readme_says_the_badges_are_placeholders_until_published():
    from amslib import course

    readme = (ROOT / "README.md").read_text()
    if not course.is_published():
        assert "Placeholders until the course is published" in readme
        assert "python -m tools.nbtool publish OWNER/REPO --branch main" in readme
