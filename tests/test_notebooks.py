"""Every notebook follows the template, is saved executed, and its generated parts are fresh.

nbval (configured in pyproject.toml) re-executes the notebooks and compares the outputs;
these tests check the structure that nbval does not look at.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TEMPLATE = ["What you will learn", "Recap", "Theory", "Implementation", "Summary",
            "Exercises", "Solutions"]


def load(path):
    return json.loads(path.read_text())


def text(cell):
    return "".join(cell["source"])


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["00_start_here.ipynb"]


def test_generated_parts_are_fresh():
    result = subprocess.run([sys.executable, "-m", "tools.nbtool", "check"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_valid_nbformat(path):
    """Valid against the nbformat schema (older nbformat releases refuse what newer ones
    let pass, e.g. a markdown cell with outputs, which a bad merge leaves behind)."""
    import nbformat

    nbformat.validate(nbformat.read(path, as_version=4))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_template(path):
    cells = load(path)["cells"]
    assert "nav" in tags(cells[0]) and "nav" in tags(cells[-1])
    assert text(cells[1]).startswith("# "), "the title comes right after the navigation bar"
    headings = [line[3:].strip() for c in cells if c["cell_type"] == "markdown"
                for line in text(c).splitlines() if line.startswith("## ")]
    positions = []
    for section in TEMPLATE:
        found = [i for i, h in enumerate(headings) if h.startswith(section)]
        assert found, f"missing section '## {section}'"
        positions.append(found[0])
    assert positions == sorted(positions), f"sections out of order: {headings}"
    code = [c for c in cells if c["cell_type"] == "code"]
    assert "setup" in tags(code[0]) and "nbval-ignore-output" in tags(code[0])
    solutions = [c for c in code if "solution" in tags(c)]
    assert solutions, "worked solutions are tagged 'solution'"
    assert all(c["metadata"].get("jupyter", {}).get("source_hidden") for c in solutions)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_saved_executed_top_to_bottom(path):
    code = [c for c in load(path)["cells"] if c["cell_type"] == "code" and text(c).strip()]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    for c in code:
        errors = [o for o in c["outputs"] if o["output_type"] == "error"]
        assert not errors or "raises-exception" in tags(c), f"unexpected error in: {text(c)[:80]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_pass(path):
    """Each solution cell ran and its checker said Correct!."""
    for c in load(path)["cells"]:
        if "solution" in tags(c) and "check" in text(c):
            out = "".join("".join(o.get("text", "")) for o in c["outputs"])
            assert "Correct!" in out, text(c)[:120]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_internal_links_resolve(path):
    for c in load(path)["cells"]:
        if c["cell_type"] != "markdown":
            continue
        for target in re.findall(r"\]\(([^)\s]+)\)", text(c)):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            file_part = target.split("#")[0]
            assert (path.parent / file_part).exists(), f"broken link {target}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_size(path):
    assert path.stat().st_size < 1_500_000, "keep stored figures small (dpi, size, count)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid_nbformat(path):
    """Every notebook passes nbformat's schema (a merge of two notebooks can leave, for
    example, outputs on a markdown cell, which Jupyter refuses to open)."""
    import nbformat

    nbformat.validate(nbformat.read(path, as_version=4))


TIME = re.compile(r"^\*Estimated learner time: (?:about (\d+)|(\d+) to (\d+)) minutes", re.M)


def stated_time(match) -> str:
    """The header's time as 00's table writes it: "45" or, for a range, "45-75"."""
    about, lo, hi = match.groups()
    return about if about else f"{lo}-{hi}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_states_an_estimated_time(path):
    assert TIME.search(text(load(path)["cells"][1])), (
        "the title cell states '*Estimated learner time: about N minutes ...*' or 'N to M minutes'")


def test_the_path_in_00_lists_every_notebook_with_its_own_time():
    path_cell = next(text(c) for c in load(NOTEBOOKS[0])["cells"]
                     if "### The path through the course" in text(c))
    rows = re.findall(r"^\| \[\d\d [^]]*\]\(([^)]+)\) \|[^|]*\| (\d+(?:-\d+)?) min \|", path_cell, re.M)
    assert [name for name, _ in rows] == [p.name for p in NOTEBOOKS[1:]]
    for name, minutes in rows:
        stated = stated_time(TIME.search(text(load(ROOT / "notebooks" / name)["cells"][1])))
        assert stated == minutes, f"00's path says {minutes} min for {name}, its header {stated}"


def test_the_path_in_00_states_the_savings_its_rows_add_up_to():
    """00 says how much skipping saves, notebook by notebook; the rows that give a time
    without the skipped sections ("about 30 min without them") must add up to it."""
    path_cell = next(text(c) for c in load(NOTEBOOKS[0])["cells"]
                     if "### The path through the course" in text(c))
    rows = re.findall(r"^\| \[(\d\d) [^]]*\]\([^)]+\) \|[^|]*\| (\d+)(?:-\d+)? min \|"
                      r"[^|]*\(about (\d+) min without (?:them|it)\)",
                      path_cell, re.M)
    savings = {nb: int(full) - int(short) for nb, full, short in rows}
    # every row that names something to skip says what is left without it
    skipping = re.findall(r"^\| \[(\d\d) [^]]*\]\([^)]+\) \|[^|]*\| \d+(?:-\d+)? min \| (?!nothing)[^|]*\|$",
                          path_cell, re.M)
    assert skipping and set(skipping) == set(savings), \
        f"00's path: rows that name a skip but give no time without it: {set(skipping) - set(savings)}"
    assert all(0 < s for s in savings.values()), savings
    said = re.search(r"saves about (\d+) minutes in ([\d, and]+) \(([\d, and]+)\)", " ".join(path_cell.split()))
    assert said, "00 states what skipping the last column saves"
    numbers = re.findall(r"\d\d", said.group(2))
    parts = [int(p) for p in re.findall(r"\d+", said.group(3))]
    assert dict(zip(numbers, parts)) == savings, f"00's path: the savings per notebook are {savings}"
    assert int(said.group(1)) == sum(savings.values()), f"they add up to {sum(savings.values())} minutes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_run_all_does_not_stop(path):
    """No cell raises on purpose: Colab's "Run all" stops at the first uncaught exception
    (issue 21, item 22). A lesson about an error catches it and prints it."""
    tagged = [c.get("id") for c in load(path)["cells"] if "raises-exception" in tags(c)]
    assert not tagged, f"{path.name}: cells tagged raises-exception: {tagged}"
