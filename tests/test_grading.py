"""End to end: release an assignment, grade made-up submissions, check the points.

The assignment is the notebook whose exercises are the counterexample's three (worst-point
regret, a regret function, Theorem 1's beta_2); it is found by its checkers, not its name.
Each made-up submission is the released notebook with some exercise cells rewritten:
right, wrong, blank, hanging, crashing the kernel, running out of memory, and malicious
ones (writes and deletes outside its folder, reads the solutions, patches the checker,
prints "Correct!", fits the checker's visible cases only). Grading runs the real command
line, with small time limits; the points each earns are asserted.
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import grade  # noqa: E402  (tools/grade.py)
import student  # noqa: E402  (tools/student.py)

CHECKERS = ("check_worst_regret", "check_regret_function", "check_theorem1_beta2")

RIGHT = {
    "check_worst_regret": "{answer} = 1.6",
    "check_regret_function": "def {answer}(g, x):\n    return float(np.dot(g, x) + abs(np.sum(g)))",
    "check_theorem1_beta2": "{answer} = 1 / (1 + 3**2)",
    # the second part of that exercise, where the notebook has it: the two runs' end points
    "check_where_adam_ends": "from amslib.optimizers import Adam\nfrom amslib.schedules import inv_sqrt\n"
                             "from amslib.synthetic import run, theorem1_problem\n"
                             "{answer} = tuple(run(theorem1_problem(3.0), Adam(lr=inv_sqrt(0.5), betas=(0.0, b2), "
                             "eps=0.0, bias_correction=False), steps=10**5).x_final for b2 in (0.1, 0.99))",
}
WRONG = {
    "check_worst_regret": "{answer} = 0.8",
    "check_regret_function": "def {answer}(g, x):\n    return float(np.dot(g, x))",
    "check_theorem1_beta2": "{answer} = 0.99",
}


def counterexample_notebook() -> Path:
    for path in student.notebooks():
        key = grade.make_key(json.loads(path.read_text()), path.name)
        if set(CHECKERS) <= {e["checker"] for e in key["exercises"]}:
            return path
    raise AssertionError(f"no notebook has exercises checked by {CHECKERS}: update this test")


def exercise_cell(nb: dict, key: dict, checker: str):
    exercise = next(e for e in key["exercises"] if e["checker"] == checker)
    cell = next(c for c in nb["cells"] if c.get("id") == exercise["cell"])
    return cell, exercise


def submission(released: dict, key: dict, answers: dict, trim: bool = True) -> dict:
    """The released notebook with exercise cells rewritten: each exercise in ``answers``
    (checker name -> a template with {answer} and {module}) gets that code and its checker
    call; a cell that checks several answers gets all of its parts, in order."""
    nb = json.loads(json.dumps(released))
    by_cell: dict = {}
    for exercise in key["exercises"]:
        if exercise["checker"] in answers:
            by_cell.setdefault(exercise["cell"], []).append(exercise)
    for cell in nb["cells"]:
        parts = by_cell.get(cell.get("id"), [])
        if not parts:
            continue
        lines = ["import numpy as np"]
        for exercise in parts:
            module = exercise["module"].rsplit(".", 1)[1]
            lines += [f"from amslib.exercises import {module}",
                      answers[exercise["checker"]].format(answer=exercise["answer"], module=module),
                      f"{module}.{exercise['checker']}({exercise['answer']})"]
        cell["source"] = "\n".join(lines) + "\n"
    if trim:  # the set-up cell and the exercises: the rest of the notebook only costs time
        keep = {e["cell"] for e in key["exercises"]}
        first_code = next(c for c in nb["cells"] if c["cell_type"] == "code")
        nb["cells"] = [c for c in nb["cells"] if c is first_code or c.get("id") in keep or c["cell_type"] == "markdown"]
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    outside = tmp_path_factory.mktemp("outside")
    canary = outside / "canary.txt"
    canary.write_text("do not delete")
    escape = outside / f"escaped-{uuid.uuid4().hex}.txt"

    path = counterexample_notebook()
    fingerprint = grade.course_fingerprint()
    run = [sys.executable, str(ROOT / "tools" / "grade.py"), "--course", str(course)]
    subprocess.run(run + ["release", path.name[:2]], check=True, cwd=ROOT)
    assignment = path.stem
    key = json.loads((course / "source" / assignment / "grading.json").read_text())
    released = json.loads((course / "release" / assignment / path.name).read_text())
    source_nb = str(course / "source" / assignment / path.name)
    ex = {e["checker"]: e for e in key["exercises"]}
    module = ex["check_worst_regret"]["module"].rsplit(".", 1)[1]
    w, r, b = (ex[c]["answer"] for c in CHECKERS)

    subs = {
        "right": submission(released, key, RIGHT, trim=False),
        "wrong": submission(released, key, WRONG),
        "blank": released,
        "hanging": submission(released, key, {
            "check_worst_regret": RIGHT["check_worst_regret"],
            # a function that never returns when the checker calls it
            "check_regret_function": "def {answer}(g, x):\n    while True:\n        pass",
            # a cell that never ends, before its answer
            "check_theorem1_beta2": "while True:\n    pass\n{answer} = 0.1"}),
        "crashing": submission(released, key, {
            "check_worst_regret": RIGHT["check_worst_regret"],
            # kills its own kernel: the notebook is run again without this cell
            "check_regret_function": "import os\nos._exit(1)\n" + RIGHT["check_regret_function"],
            # more memory than the limit
            "check_theorem1_beta2": "big = np.ones(2 * 10**9)\n{answer} = 0.1"}),
        "writes_outside": submission(released, key, {
            "check_worst_regret": f"open({str(escape)!r}, 'w').write('escaped')\n{{answer}} = 1.6",
            "check_regret_function": f"import os\nos.remove({str(canary)!r})\n" + RIGHT["check_regret_function"],
            "check_theorem1_beta2": "open('../../../escaped-relative.txt', 'w').write('x')\n{answer} = 0.1"}),
        "reads_solutions": submission(released, key, {
            # the lecturer's source notebook, the course's notebook, the key, a shell
            "check_worst_regret": f"text = open({source_nb!r}).read()\n{{answer}} = 1.6",
            "check_regret_function": f"text = open({str(path)!r}).read()\n" + RIGHT["check_regret_function"],
            "check_theorem1_beta2": "import subprocess\nsubprocess.run(['cat', "
                                    f"{str(course / 'source' / assignment / 'grading.json')!r}])\n{{answer}} = 0.1"}),
        "patches_checker": submission(released, key, {
            "check_worst_regret": "{module}.check_worst_regret = lambda answer: True\n{answer} = 0.0",
            "check_regret_function": "import amslib.exercises as ex, math\nex.passed = lambda *a: True\n"
                                     "math.isclose = lambda *a, **k: True\n"
                                     "open({module}.__file__, 'a').write('\\n# patched')\n"
                                     "def {answer}(g, x):\n    return 0.0",
            # the way around the audit hook: native calls through ctypes
            "check_theorem1_beta2": "import ctypes\nctypes.CDLL(None).system(b'true')\n{answer} = 0.1"}),
        "prints_correct": submission(released, key, {
            # the grader's memory and command line are another process's /proc files
            "check_worst_regret": "import os\ntry:\n    open(f'/proc/{{os.getppid()}}/cmdline').read()\n"
                                  "except PermissionError:\n    pass\nprint('Correct!')\n{answer} = None",
            "check_regret_function": "def {answer}(g, x):\n    print('Correct!')\n    return 'Correct!'",
            "check_theorem1_beta2": "print('Correct!')\n{answer} = 'Correct!'"}),
        "fits_visible_cases": submission(released, key, {
            "check_worst_regret": RIGHT["check_worst_regret"],
            # memorises the checker's own cases (it may call the checker) and nothing else
            "check_regret_function": "seen = {{}}\n"
                                     "def spy(g, x):\n    v = float(np.dot(g, x) + abs(np.sum(g)))\n"
                                     "    seen[np.asarray(g, float).tobytes() + np.asarray(x, float).tobytes()] = v\n    return v\n"
                                     f"{module}.check_regret_function(spy)\n"
                                     "def {answer}(g, x):\n"
                                     "    return seen.get(np.asarray(g, float).tobytes() + np.asarray(x, float).tobytes(), 0.0)",
            "check_theorem1_beta2": RIGHT["check_theorem1_beta2"]}),
    }
    for name, nb in subs.items():
        folder = course / "submitted" / name / assignment
        folder.mkdir(parents=True)
        (folder / path.name).write_text(json.dumps(nb))
    proc = subprocess.run(run + ["autograde", assignment, "--timeout", "15", "--call-timeout", "4",
                                 "--total-timeout", "200", "--memory-mb", "3072"],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = list(csv.DictReader(open(course / "grades.csv")))
    by_student: dict = {}
    for row in rows:
        by_student.setdefault(row["student"], {})[row["exercise"]] = row
    ids = [ex[c]["id"] for c in CHECKERS]
    return {"course": course, "assignment": assignment, "rows": by_student, "ids": ids,
            "canary": canary, "escape": escape, "fingerprint": fingerprint, "stdout": proc.stdout, "path": path}


EXPECTED = {  # points for (worst-point regret, regret function, beta_2)
    "right": (1, 1, 1),
    "wrong": (0, 0, 0),
    "blank": (0, 0, 0),
    "hanging": (1, 0, 0),
    "crashing": (1, 0, 0),
    "writes_outside": (0, 0, 0),
    "reads_solutions": (0, 0, 0),
    "patches_checker": (0, 0, 0),
    "prints_correct": (0, 0, 0),
    "fits_visible_cases": (1, 0, 1),
}


def test_right_earns_every_point(graded):
    rows = graded["rows"]["right"]
    assert all(r["status"] == "correct" for r in rows.values()), rows


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_points(graded, name):
    rows = graded["rows"][name]
    got = tuple(int(rows[i]["points"]) for i in graded["ids"])
    assert got == EXPECTED[name], {i: (rows[i]["status"], rows[i]["hint_shown"]) for i in graded["ids"]}


def test_statuses_and_hints(graded):
    rows, ids = graded["rows"], graded["ids"]
    assert {rows["blank"][i]["status"] for i in ids} == {"not attempted"}
    assert all(rows["wrong"][i]["hint_shown"].startswith("Not yet") for i in ids)
    assert all(rows["right"][i]["hint_shown"].startswith("Correct!") for i in ids)
    assert "hidden test values" in rows["fits_visible_cases"][ids[1]]["hint_shown"]
    assert "did not return" in rows["hanging"][ids[1]]["hint_shown"]


def test_nothing_escaped(graded):
    assert graded["canary"].read_text() == "do not delete"
    assert not graded["escape"].exists()
    assert not list(graded["course"].parent.glob("escaped-relative.txt"))
    assert grade.course_fingerprint() == graded["fingerprint"]  # amslib/ and notebooks/ untouched


def test_feedback_and_logs(graded):
    course, a = graded["course"], graded["assignment"]
    for name in EXPECTED:
        text = (course / "feedback" / name / a / "feedback.md").read_text()
        assert f"Student: {name}." in text
        assert (course / "autograded" / name / a / graded["path"].name).exists()
    hanging = (course / "feedback" / "hanging" / a / "feedback.md").read_text()
    assert "time limit" in hanging
    crashing = json.loads((course / "autograded" / "crashing" / a / "result.json").read_text())
    assert any("kernel died" in line for line in crashing["log"]), crashing["log"]
    reads = (course / "feedback" / "reads_solutions" / a / "feedback.md").read_text()
    assert "refused: read" in reads and "refused: subprocess.Popen" in reads
    writes = (course / "feedback" / "writes_outside" / a / "feedback.md").read_text()
    assert "refused: write" in writes and "refused: os.remove" in writes
    patches = (course / "feedback" / "patches_checker" / a / "feedback.md").read_text()
    assert "refused: write" in patches and "refused: ctypes" in patches
    prints = (course / "feedback" / "prints_correct" / a / "feedback.md").read_text()
    assert "refused: read /proc/" in prints


def test_release_hides_the_solutions(graded):
    course, a = graded["course"], graded["assignment"]
    released = (course / "release" / a / graded["path"].name).read_text()
    assert "hidden_seed" not in released and '"solution"' not in released
    key = json.loads((course / "source" / a / "grading.json").read_text())
    assert str(key["hidden_seed"]) not in released


# ----------------------------------------------------------------------------- every notebook
NOTEBOOKS = student.notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_every_notebook_grades_its_own_solutions(tmp_path, path):
    """Every kind of answer the course asks for (numbers, strings, lists, NumPy functions, a
    function returning a torch optimizer) crosses from the kernel to the checker: a made-up
    student who pastes the worked solutions under the exercises gets every point."""
    source = json.loads(path.read_text())
    assert grade.main(["--course", str(tmp_path), "release", path.name]) == 0
    assignment = path.stem
    key = json.loads((tmp_path / "source" / assignment / "grading.json").read_text())
    assert key["exercises"], f"{path.name}: no exercise found"
    nb = json.loads((tmp_path / "release" / assignment / path.name).read_text())
    last_exercise = max(i for i, c in enumerate(nb["cells"]) if c.get("id") in {e["cell"] for e in key["exercises"]})
    pasted = [json.loads(json.dumps(c)) for c in student.solution_cells(source) if c["cell_type"] == "code"]
    assign = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "id": "answers", "source": "\n".join(f"{e['answer']} = {e['solution']}" for e in key["exercises"])}
    nb["cells"][last_exercise + 1:last_exercise + 1] = pasted + [assign]
    folder = tmp_path / "submitted" / "copier" / assignment
    folder.mkdir(parents=True)
    (folder / path.name).write_text(json.dumps(nb))
    assert grade.main(["--course", str(tmp_path), "autograde", assignment, "--timeout", "300",
                       "--call-timeout", "20"]) == 0
    rows = list(csv.DictReader(open(tmp_path / "grades.csv")))
    assert len(rows) == len(key["exercises"])
    assert all(r["status"] == "correct" for r in rows), [(r["exercise"], r["status"], r["hint_shown"]) for r in rows]
