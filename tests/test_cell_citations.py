"""Cell ids cited in the notebooks' own text and in the speaker notes ("run c021 and c022
live", "1.245 (c022 prints it)") point at the right cells.

The speaker notes live in lecturer/notes/NN_name.md (tools/lecturer.py), not in the
notebooks; each notebook is checked as its lecturer copy, notes merged back after the
cells they follow, so a note's citations are checked against its own notebook. Cell ids
are stable (``python -m tools.nbtool generate``), but a cell can be deleted, split or turned into
another kind, and a citation typed by hand then goes stale silently. For every markdown
cell of every notebook and every note:

- every cited id exists, in that notebook (or in the notebook named just before it:
  "notebook 06's c024", "06 c024");
- a cell cited as something to run ("run c021 and c022", "run c017 live") or as printing,
  measuring or drawing something ("c022 prints it", "c017's table") is a code cell;
- a number said to be printed by a cell ("1.245 (c022 prints it)", "c022 prints 1.245")
  appears in that cell's stored output.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from tools import lecturer

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

ID = r"c\d{3}(?:-notes)?"
CITED = re.compile(rf"(?:(?:notebook\s+)?\b(\d\d)(?:'s)?\s+)?\b({ID})\b")
# "run c021 and c022 live", "run c019, c020 and c021": every id in the list is run
RUN = re.compile(rf"\brun\s+((?:the\s+cells?\s+)?{ID}(?:(?:\s*,\s*|\s+and\s+|\s*-\s*){ID})*)",
                 re.IGNORECASE)
# "c022 prints it", "c017's table", "c030 measures it", "(c022 draws it)"
OUTPUT_VERB = re.compile(rf"\b({ID})(?:'s\s+(?:table|output|figure|numbers|plot)\b"
                         r"|\s+(?:prints|measures|draws|shows|plots)\b)")
NUMBER = r"[-+]?\d+(?:[.,]\d+)*(?:\s?%)?"
# "1.245 (c022 prints it)", "1.245 (printed by c022)", "c022 prints 1.245"
NUMBER_BEFORE = re.compile(rf"({NUMBER})\s*\((?:as\s+)?(?:({ID})\s+prints|printed\s+by\s+({ID}))\b")
NUMBER_AFTER = re.compile(rf"\b({ID})\s+prints\s+({NUMBER})")


def load(path: Path) -> list:
    return json.loads(path.read_text())["cells"]


def outputs(cell: dict) -> str:
    text = []
    for out in cell.get("outputs", []):
        text.append("".join(out.get("text", "")))
        text.append("".join(out.get("data", {}).get("text/plain", "")))
    return "".join(text)


def problems(path: Path, cells: list | None = None) -> list[str]:
    """Every stale citation in the markdown of the notebook at ``path`` (its cells given as
    ``cells``, or read from the file)."""
    cells = load(path) if cells is None else cells
    by_number = {p.name[:2]: {c.get("id"): c for c in load(p)} for p in NOTEBOOKS}
    own = {c.get("id"): c for c in cells}
    by_number[path.name[:2]] = own
    found = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = " ".join("".join(cell["source"]).split())
        where = f"{path.name} {cell.get('id')}"
        for number, cited in CITED.findall(text):
            table = by_number.get(number, own) if number else own
            if cited not in table:
                found.append(f"{where}: cites {(number + ' ') if number else ''}{cited}, which does not exist")
        code_ids = [i for m in RUN.finditer(text) for i in re.findall(ID, m.group(1))]
        code_ids += OUTPUT_VERB.findall(text)
        for cited in code_ids:
            if cited in own and own[cited]["cell_type"] != "code":
                found.append(f"{where}: {cited} is cited as a cell to run or that prints, "
                             f"but it is a {own[cited]['cell_type']} cell")
        pairs = [(n, a or b) for n, a, b in NUMBER_BEFORE.findall(text)]
        pairs += [(n, cited) for cited, n in NUMBER_AFTER.findall(text)]
        for value, cited in pairs:
            if cited in own and value.strip() not in outputs(own[cited]):
                found.append(f"{where}: says {cited} prints {value}, which is not in its stored output")
    return found


def with_notes(path: Path) -> list:
    """The cells of the lecturer copy of the notebook at ``path`` (its notes merged back)."""
    nb = lecturer.lecturer_copy(nbformat.read(path, as_version=4), path.stem)
    return json.loads(nbformat.writes(nb))["cells"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cited_cells_exist_and_print_what_the_text_says(path):
    cells = with_notes(path)
    assert len(cells) == len(load(path)) + len(lecturer.notes_for(path.stem))
    found = problems(path, cells)
    assert not found, "\n".join(found)


def test_the_notes_are_checked_in_their_new_home(tmp_path):
    """A stale citation in a note (lecturer/notes), not in any notebook, is found."""
    path = next(p for p in NOTEBOOKS if lecturer.notes_for(p.stem))
    cid, body = lecturer.notes_for(path.stem)[0]
    (tmp_path / f"{path.stem}.md").write_text(f"## after {cid}\n\n{body} That is 1.25 (c998 prints it); see c999.\n")
    nb = lecturer.lecturer_copy(nbformat.read(path, as_version=4), path.stem, tmp_path)
    found = problems(path, json.loads(nbformat.writes(nb))["cells"])
    assert any("cites c999, which does not exist" in f and f"{cid}-notes" in f for f in found), found


def _cell(cid, kind, source, output=""):
    cell = {"id": cid, "cell_type": kind, "source": [source], "metadata": {}}
    if kind == "code":
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": [output]}]
    return cell


def test_the_checks_catch_each_kind_of_stale_citation():
    """Each rule fails on the kind of text that went stale before (05 c020-notes cited a
    markdown cell to run, 08 c007-notes a cell that printed something else)."""
    path = NOTEBOOKS[0]
    cells = [_cell("c001", "markdown", "A table follows."),
             _cell("c002", "code", "print(x)", "ratio 1.245 (largest)"),
             _cell("c003", "markdown", "More prose.")]
    good = cells + [_cell("c004", "markdown",
                          "Run c002 live; that is 1.245 (c002 prints it); c002 prints 1.245; c002's table.")]
    assert problems(path, good) == []
    for stale, says in [("run c002 and c003 live", "c003 is cited as a cell to run"),
                        ("Run c001, c002 live", "c001 is cited as a cell to run"),
                        ("c003 prints the differences seed by seed", "c003 is cited as a cell to run"),
                        ("c001's table", "c001 is cited"),
                        ("that is 1.25 (c002 prints it)", "says c002 prints 1.25"),
                        ("c002 prints 9.03", "says c002 prints 9.03"),
                        ("see c099", "cites c099, which does not exist")]:
        found = problems(path, cells + [_cell("c004", "markdown", stale)])
        assert any(says in f for f in found), (stale, found)
