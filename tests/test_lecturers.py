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


WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def test_exercise_counts_as_stated():
    """LECTURERS.md's *After the session* states how many exercises each notebook has;
    count them (the distinct "**Exercise N" numbers outside the solutions)."""
    counts = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        numbers = set()
        for cell in json.loads(path.read_text())["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and not text.lstrip().startswith("## Solutions"):
                numbers |= set(re.findall(r"\*\*Exercise (\d+)", text))
        counts[path.name[:2]] = len(numbers)
    usual = max(set(counts.values()), key=list(counts.values()).count)
    others = [f"{nb} ({WORDS[n]})" for nb, n in counts.items() if n != usual]
    phrase = f"{WORDS[usual]} in each notebook" + (" except " + " and ".join(others) if others else "")
    text = " ".join((ROOT / "LECTURERS.md").read_text().split())
    assert phrase in text, f"LECTURERS.md should say: {phrase}"
