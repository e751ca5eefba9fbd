"""The student edition (tools/student.py, `make student`): no solutions, still runs.

Notebooks are found by glob, like the tool does, so a renumbered or split notebook is
covered without editing this file.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tools import grade, student

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOKS = student.notebooks()
LINK = re.compile(r"\]\(([^)\s]+)\)")
MIN_LINE = 12  # shorter lines ("return x", "plt.show()") say nothing about a solution


@pytest.fixture(scope="module")
def edition(student_edition):
    """Built once per session (tests/conftest.py; test_editions reads it too)."""
    return student_edition


def test_every_notebook_is_there(edition):
    assert len(NOTEBOOKS) >= 7
    assert sorted(p.name for p in (edition / "notebooks").glob("*.ipynb")) == [p.name for p in NOTEBOOKS]


def solution_lines(nb: dict) -> set[str]:
    """Lines of the removed cells' sources and outputs that no kept cell's source has."""
    removed = student.solution_cells(nb)
    kept_text = "\n".join(student.source(c) for c in nb["cells"] if all(c is not r for r in removed))
    lines = set()
    for cell in removed:
        texts = [student.source(cell)]
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")))
            texts.append("".join(out.get("data", {}).get("text/plain", "")))
        for text in texts:
            for line in text.splitlines():
                line = line.strip()
                if len(line) >= MIN_LINE and line not in kept_text:
                    lines.add(line)
    return lines


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_no_solution_survives(edition, path):
    nb = json.loads(path.read_text())
    assert student.solution_cells(nb), f"{path.name} has no solutions to remove: has the template changed?"
    text = (edition / "notebooks" / path.name).read_text()  # sources, outputs, metadata, attachments
    lines = solution_lines(nb)
    assert lines, path.name
    leaked = [line for line in lines if line in text or json.dumps(line)[1:-1] in text]
    assert not leaked, leaked[:5]
    out = json.loads(text)
    assert not any(student.is_solution(c) for c in out["cells"])
    assert not any(student.heading(c) == "Solutions" for c in out["cells"])
    assert not any(student.is_notes(c) for c in out["cells"])
    assert "Worked solutions" not in text
    assert set(out["metadata"]) <= student.NOTEBOOK_METADATA
    for cell in student.exercise_cells(out):
        assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]
    assert student.exercise_cells(out), "the exercises must stay"


def test_hidden_metadata_and_attachments_are_removed():
    """The class of leak, on a made-up notebook: a solution hidden in a tagged cell outside
    the Solutions section, in an attachment, in cell and notebook metadata."""
    secret = "SECRET-ANSWER-42"
    md = lambda text, **kw: {"cell_type": "markdown", "metadata": kw.get("metadata", {}), "source": text,
                             **({"attachments": kw["attachments"]} if "attachments" in kw else {})}
    code = lambda text, tags=(), metadata=None: {
        "cell_type": "code", "metadata": {"tags": list(tags), **(metadata or {})}, "source": text,
        "outputs": [{"output_type": "stream", "name": "stdout", "text": secret}], "execution_count": 1}
    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}, "answers": secret},
          "cells": [md("# Title"), md("## Exercises\n**Exercise 1.**"),
                    code("x = None\ncheck(x)", metadata={"grader_note": secret}),
                    code(f"x = '{secret}'  # hidden", tags=["solution"], metadata={"jupyter": {"source_hidden": True}}),
                    md("![fig](attachment:a.png)", attachments={"a.png": {"image/png": "AAAA"}}),
                    md(f"## Solutions\n{secret}",
                       attachments={"s.png": {"text/plain": secret}}),
                    code(f"print('{secret}')", tags=["solution"]),
                    md("## References\n- a book"),
                    code(f"y = '{secret}'", tags=["solution"])]}
    out = student.student_notebook(nb)
    assert secret not in json.dumps(out)
    assert [student.source(c)[:12] for c in out["cells"]] == [
        "# Title", "## Exercises", "x = None\nche", "![fig](attac", "## Reference"]
    assert out["cells"][3]["attachments"] == {"a.png": {"image/png": "AAAA"}}  # still referred to: kept
    assert out["cells"][2]["outputs"] == []


def test_links_and_badges_work(edition):
    for path in sorted((edition / "notebooks").glob("*.ipynb")) + [edition / "README.md"]:
        text = path.read_text()
        for target in LINK.findall(text):
            if target.startswith(("http://", "https://", "mailto:", "#")):
                continue
            file = target.split("#")[0]
            assert (path.parent / file).exists(), f"{path.name}: broken link {target}"
        urls = re.findall(r"https://(?:colab\.research\.google\.com|mybinder\.org)/[^)\s\"]+", text)
        repo = student.course.REPOSITORY
        for url in urls:
            if repo in url:
                assert f"{repo}/blob/student/" in url or f"{repo}/student?" in url, url
        assert f"--branch {student.course.BRANCH} " not in text or student.course.BRANCH == "student"
    assert (edition / "pyproject.toml").exists() and (edition / "amslib" / "exercises").is_dir()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_runs_top_to_bottom_with_nothing_attempted(edition, path):
    import nbformat
    from nbclient import NotebookClient

    target = edition / "notebooks" / path.name
    nb = nbformat.read(target, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(target.parent)}}).execute()  # raises on an error
    exercises = student.exercise_cells(nb)
    assert exercises
    for cell in exercises:
        text = "".join(o.get("text", "") for o in cell["outputs"] if o["output_type"] == "stream")
        calls = len(grade.checker_calls(student.source(cell)))  # every checker in the cell says so
        assert calls and text.count("Not attempted yet") == calls, (cell["id"], text)
        assert not any(o["output_type"] == "error" for o in cell["outputs"])
