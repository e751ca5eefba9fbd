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


def test_what_the_points_show_names_the_right_exercises():
    """*What the points show* in LECTURERS.md: which exercises have hidden tests (the answers
    that are functions) and which are graded by the public checker alone; and its grep for
    the checkers' reference code names every reference_* function and flags no released
    notebook."""
    from tools import grade, student

    functions, values, released = [], [], []
    for path in student.notebooks():
        nb = json.loads(path.read_text())
        key = grade.make_key(nb, path.name)
        for e in key["exercises"]:
            (functions if grade.solution_function(key, e, nb) else values).append(e["id"])
        released.append(json.dumps(student.student_notebook(nb), indent=1))
    text = " ".join((ROOT / "LECTURERS.md").read_text().split())

    def listed(ids):
        return ", ".join(ids[:-1]) + f" and {ids[-1]}"

    assert f"{len(functions)} of the course's {len(functions) + len(values)} exercises, {listed(functions)}." in text
    assert f"{len(values)} answers are numbers, strings or lists, {listed(values)}," in text

    pattern = re.search(r"grep -l -E '([^']+)' build/classroom/submitted", text).group(1)
    named = set(re.search(r"reference_\(([^)]*)\)", pattern).group(1).split("|"))
    defined = {name for f in (ROOT / "amslib" / "exercises").glob("nb*.py")
               for name in re.findall(r"^def reference_(\w+)", f.read_text(), re.M)}
    assert named == defined, "LECTURERS.md's grep should name every reference_ function of amslib/exercises"
    assert not [nb for nb in released if re.search(pattern, nb)], "the grep flags a released notebook"
