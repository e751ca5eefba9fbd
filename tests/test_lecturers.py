"""LECTURERS.md cites notebook sections and cell ids; fail when a notebook change leaves
a citation pointing at the wrong place."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CITATION = re.compile(r"\b(0\d) \*([^*]+)\* \((c\d{3})")


def sections_by_id(number: str) -> dict:
    """{cell id: the text of every heading seen up to and including that cell}."""
    path = next((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    seen, out = [], {}
    for cell in json.loads(path.read_text())["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            seen += [ln.lstrip("#").strip() for ln in text.splitlines() if ln.startswith("#")]
        out[cell["id"]] = list(seen) + [text]
    return out


def normalise(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", s.lower().replace("beta_", "beta ").replace("\\", "")).strip()


def test_cited_cells_exist_and_sit_in_the_cited_section():
    text = (ROOT / "LECTURERS.md").read_text()
    citations = CITATION.findall(text)
    assert len(citations) >= 10, "the lecture plan cites notebook cells"
    for number, section, cell_id in citations:
        cells = sections_by_id(number)
        assert cell_id in cells, f"LECTURERS.md cites {number} {cell_id}, which does not exist"
        context = " ".join(normalise(h) for h in cells[cell_id])
        assert normalise(section) in context, (
            f"LECTURERS.md: {number} *{section}* ({cell_id}): that cell is not in that section")
