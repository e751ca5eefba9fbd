"""End to end: release an assignment, grade made-up submissions, check the points.

The assignment is the notebook whose three exercises are AMSGrad's (its running maximum, a
function for one AMSGrad step, the sign of Gamma_t); it is found by its checkers, not its
name.
Each made-up submission is the released notebook with some exercise cells rewritten:
right, wrong, blank, hanging, crashing the kernel, running out of memory, and malicious
ones (writes and deletes outside its folder, reads the solutions, patches the checker,
prints "Correct!", fits the checker's visible cases only). Grading runs the real command
line, with small time limits; the points each earns are asserted.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import grading_common  # tests/grading_common.py: made-up submissions
import pytest

from tools import grade, student

ROOT = Path(__file__).resolve().parents[1]

CHECKERS = ("check_running_max", "check_amsgrad_step", "check_gamma")

STEP = ("def {answer}(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):\n"
        "    m = beta1 * m + (1 - beta1) * g\n"
        "    v = beta2 * v + (1 - beta2) * g**2\n"
        "    v_hat = np.maximum(v_hat, v)\n"
        "    return x - alpha * m / (np.sqrt(v_hat) + eps), m, v, v_hat")
RIGHT = {
    "check_running_max": "{answer} = [4, 4, 9, 9, 9.5]",
    "check_amsgrad_step": STEP,
    "check_gamma": "{answer} = 'b'",
}
WRONG = {
    "check_running_max": "{answer} = [4, 1, 9, 2, 9.5]",
    "check_amsgrad_step": STEP.replace("v_hat = np.maximum(v_hat, v)", "v_hat = v"),
    "check_gamma": "{answer} = 'a'",
}


def assignment_notebook() -> Path:
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


MARKER = f"amsgrad-test-{uuid.uuid4().hex}"  # in the command line of every process a submission starts

#: A background process that, for a minute, tries to rewrite the grades, another student's
#: notebook and result, and a file outside the course (the paths are the grading machine's).
BACKGROUND = """import time
for i in range(600):
    for p in PATHS:
        try:
            open(p, 'w').write('full marks')
        except Exception:
            pass
    time.sleep(0.1)
# MARKER"""

#: Looks everywhere the sandbox lets it for the key, the course's notebooks, the grades and
#: the grader's processes (torch.from_file, os.open with a directory handle, /proc, a walk
#: of the whole file system); answers only with what it found, and prints it.
KEY_READER = """import os, re, torch
found = []
for p in SECRETS:
    try:
        torch.from_file(p, size=8, dtype=torch.uint8); found.append(p)
    except Exception:
        pass
    try:
        d = os.open('/', os.O_RDONLY)
        os.read(os.open(p.lstrip('/'), os.O_RDONLY, dir_fd=d), 8); found.append('dir_fd ' + p)
    except Exception:
        pass
for pid in filter(str.isdigit, os.listdir('/proc')):
    for part in ('cmdline', 'environ'):
        try:
            if COURSE.encode() in open(f'/proc/{pid}/{part}', 'rb').read():
                found.append(f'/proc/{pid}/{part}')
        except Exception:
            pass
for root, dirs, files in os.walk('/'):
    if root in ('/proc', '/sys', '/dev'):
        dirs[:] = []
    found += [os.path.join(root, f) for f in files if f in ('grading.json', 'grades.csv')
              or (re.match(r'\\d\\d_.*ipynb$', f) and not root.startswith('/home/student'))]
print('FOUND', found)
"""


#: Starts sleeping processes (2 each) until one is refused, then counts the processes in sight.
FORK_BOMB = ("import os, subprocess\n"
             "bomb = subprocess.run(['/bin/sh', '-c', 'i=0; while [ $i -lt 3000 ]; do sh -c \"sleep 600; :\" "
             f"{MARKER} >/dev/null 2>&1 & i=$((i+1)); done'], capture_output=True, text=True, timeout=60)\n"
             "print('processes', len([p for p in os.listdir('/proc') if p.isdigit()]), bomb.stderr[-100:])")


def visible_cases(module: str) -> list[str]:
    """Hashes of the (x, g, m, v, v_hat) the checker of the AMSGrad step calls a function with."""
    import importlib

    import numpy as np

    seen = []

    def spy(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):
        seen.append(hashlib.sha256(b"".join(np.asarray(a, float).tobytes() for a in (x, g, m, v, v_hat))).hexdigest())
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_hat = np.maximum(v_hat, v)
        return x - alpha * m / (np.sqrt(v_hat) + eps), m, v, v_hat

    assert importlib.import_module(f"amslib.exercises.{module}").check_amsgrad_step(spy)
    return sorted(set(seen))


def course_fingerprint() -> str:
    """A hash of every file under amslib/ and notebooks/ (what a submission must not change)."""
    h = hashlib.sha256()
    for base in (ROOT / "amslib", ROOT / "notebooks"):
        for p in sorted(base.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(ROOT)).encode() + p.read_bytes())
    return h.hexdigest()


def tree_snapshot(*folders: Path) -> dict:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


def marked_processes() -> list[str]:
    alive = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and MARKER.encode() in (proc / "cmdline").read_bytes():
                alive.append(proc.name)
    return alive


def require_sandbox():
    """Fails where bwrap is missing (the classroom extra installs it); skips where the
    machine cannot start one (no user namespaces): grading there refuses, see test_no_sandbox."""
    try:
        grade.bwrap()
    except grade.NoSandbox as exc:
        if "no bwrap found" in str(exc):
            pytest.fail(str(exc))
        pytest.skip(f"this machine cannot start a sandbox: {exc}")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    require_sandbox()
    course = tmp_path_factory.mktemp("course")
    outside = tmp_path_factory.mktemp("outside")
    canary = outside / "canary.txt"
    canary.write_text("do not delete")
    escape = outside / f"escaped-{uuid.uuid4().hex}.txt"

    path = assignment_notebook()
    fingerprint = course_fingerprint()
    run = [sys.executable, "-m", "tools.grade", "--course", str(course)]
    subprocess.run(run + ["release", path.name[:2]], check=True, cwd=ROOT)
    assignment = path.stem
    key = json.loads((course / "source" / assignment / "grading.json").read_text())
    released = json.loads((course / "release" / assignment / path.name).read_text())
    source_nb = str(course / "source" / assignment / path.name)
    ex = {e["checker"]: e for e in key["exercises"]}
    module = ex[CHECKERS[0]]["module"].rsplit(".", 1)[1]
    targets = [str(course / "grades.csv"), str(course / "submitted" / "right" / assignment / path.name),
               str(course / "autograded" / "right" / assignment / "result.json"), str(canary)]
    background = BACKGROUND.replace("PATHS", repr(targets)).replace("MARKER", MARKER)
    key_reader = KEY_READER.replace("SECRETS", repr([str(course / "source" / assignment / "grading.json"),
                                                     source_nb, str(path)])).replace("COURSE", repr(str(course)))
    right = {c: RIGHT[c] for c in CHECKERS}

    subs = {
        "right": submission(released, key, RIGHT, trim=False),
        "wrong": submission(released, key, WRONG),
        "blank": released,
        "hanging": submission(released, key, {
            "check_running_max": RIGHT["check_running_max"],
            # a function that never returns when the checker calls it
            "check_amsgrad_step": "def {answer}(*args):\n    while True:\n        pass",
            # a cell that never ends, before its answer
            "check_gamma": "while True:\n    pass\n{answer} = 'b'"}),
        "crashing": submission(released, key, {
            "check_running_max": RIGHT["check_running_max"],
            # kills its own kernel: the notebook is run again without this cell
            "check_amsgrad_step": "import os\nos._exit(1)\n" + STEP,
            # more memory than the limit
            "check_gamma": "big = np.ones(2 * 10**9)\n{answer} = 'b'"}),
        "patches_checker": submission(released, key, {
            "check_running_max": "{module}.check_running_max = lambda answer: True\n{answer} = [0.0]",
            "check_amsgrad_step": "import amslib.exercises as ex, math\nex.passed = lambda *a: True\n"
                                  "math.isclose = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True\n"
                                  "open({module}.__file__, 'a').write('\\n# patched')\n"
                                  "def {answer}(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):\n"
                                  "    return x, m, v, v_hat",
            "check_gamma": "import ctypes\nctypes.CDLL(None).system(b'true')\n{answer} = 'b'"}),
        "prints_html": submission(released, key, {
            "check_running_max": "print('Correct!')\n{answer} = '<script>alert(1)</script>'",
            "check_amsgrad_step": "def {answer}(*args):\n    raise ValueError('<img src=x onerror=alert(1)> in "
                                  + str(ROOT / "tools") + "')",
            "check_gamma": "{answer} = '<b onmouseover=alert(1)>b</b>'"}),
        # right on the checker's own cases only (copied from amslib's source before handing in)
        "fits_visible_cases": submission(released, key, {
            "check_running_max": RIGHT["check_running_max"],
            "check_amsgrad_step": f"import hashlib\nVISIBLE = {visible_cases(module)!r}\n" + STEP.replace(
                "eps):\n", "eps):\n    seen = hashlib.sha256(b''.join(np.asarray(a, float).tobytes() for a in "
                "(x, g, m, v, v_hat))).hexdigest() in VISIBLE\n", 1).replace(
                "    return x", "    if not seen:\n        return x, m, v, v_hat\n    return x"),
            "check_gamma": RIGHT["check_gamma"]}),
        # answers from what it finds of the key, and from the course's own library
        "key_reader": submission(released, key, {
            "check_running_max": key_reader.replace("{", "{{").replace("}", "}}")
                                 + "{answer} = [4, 4, 9, 9, 9.5] if found else None",
            "check_amsgrad_step": "{answer} = {module}.reference_amsgrad_step",
            "check_gamma": "import inspect\nsource = inspect.getsource({module})\n"
                           "{answer} = next((c for c in 'abc' if {module}.check_gamma(c)), None)"}),
        # starts processes that outlive the notebook and write outside their folder
        "spawner": submission(released, key, {
            "check_running_max": "import multiprocessing.util, os, sys\n"
                                 f"code = {background!r}\n"
                                 "pid = multiprocessing.util.spawnv_passfds(os.fsencode(sys.executable), "
                                 "[sys.executable, '-c', code], [])\nprint('started', pid)\n"
                                 "pid = os.fork()\nif pid == 0:\n"
                                 "    os.execv(sys.executable, [sys.executable, '-c', code])\n"
                                 "print('started', pid)\n"
                                 f"try:\n    open({str(escape)!r}, 'w').write('escaped')\nexcept OSError:\n    pass\n"
                                 "{answer} = [4, 4, 9, 9, 9.5]"}),
        # a fork bomb (a shell's: quick to fork) until the operating system refuses a process
        # (RLIMIT_NPROC, even under a root grader), its processes left running
        "fork_bomb": submission(released, key, {**right, "check_running_max":
                                                RIGHT["check_running_max"] + "\n" + FORK_BOMB}),
        "sleeper": submission(released, key, {**right, "check_amsgrad_step":
                                              "import time\ndef {answer}(*args):\n    time.sleep(60)"}),
        "killer": submission(released, key, {**right, "check_amsgrad_step":
                                             "import os\ndef {answer}(*args):\n    os._exit(1)"}),
        # an asyncio task that never yields: it blocks the kernel's event loop after its cell
        "asyncio_task": submission(released, key, {**right, "check_amsgrad_step":
                                                   "import asyncio\nasync def spin():\n    while True:\n"
                                                   "        pass\nasyncio.get_event_loop().create_task(spin())"}),
        # a busy thread left running, and 50 MB of output
        "threads_output": submission(released, key, {**right, "check_amsgrad_step":
                                                     "import threading\nthreading.Thread(target=lambda: sum("
                                                     "i for i in iter(int, 1)), daemon=True).start()\n"
                                                     "print('x' * 50 * 2**20)\n" + STEP}),
    }
    invalid = submission(released, key, right)  # cell ids with nbformat_minor 4, a markdown cell with outputs
    invalid["nbformat_minor"] = 4
    next(c for c in invalid["cells"] if c["cell_type"] == "markdown")["outputs"] = []
    files = {name: (path.name, json.dumps(nb)) for name, nb in subs.items()}
    files |= {"invalid_nbformat": (path.name, json.dumps(invalid)),
              "not_json": (path.name, "{this is not a notebook"),
              "copy_name": (f"{path.stem} (1).ipynb", json.dumps(submission(released, key, right))),
              "untitled": ("Untitled.ipynb", json.dumps(submission(released, key, right))),
              "checkpoints_only": (f".ipynb_checkpoints/{path.stem}-checkpoint.ipynb", json.dumps(invalid))}
    for name, (filename, text) in files.items():
        (course / "submitted" / name / assignment / filename).parent.mkdir(parents=True)
        (course / "submitted" / name / assignment / filename).write_text(text)
    untouched = tree_snapshot(course / "submitted", course / "source", course / "release")
    started = time.time()
    proc = subprocess.run(run + ["autograde", assignment, "--timeout", "15", "--call-timeout", "4",
                                 "--total-timeout", "200", "--memory-mb", "3072", "--jobs", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = list(csv.DictReader(open(course / "grades.csv")))
    by_student: dict = {}
    for row in rows:
        by_student.setdefault(row["student"], {})[row["exercise"]] = row
    ids = [ex[c]["id"] for c in CHECKERS]
    return {"course": course, "assignment": assignment, "rows": by_student, "ids": ids, "students": set(files),
            "canary": canary, "escape": escape, "fingerprint": fingerprint, "stdout": proc.stdout, "path": path,
            "untouched": untouched, "started": started, "processes": marked_processes(),
            "totals": {r["student"]: r for r in csv.DictReader(open(course / "totals.csv"))}}


EXPECTED = {  # points for (running maximum, AMSGrad step function, sign of Gamma_t)
    "right": (1, 1, 1),
    "wrong": (0, 0, 0),
    "blank": (0, 0, 0),
    "hanging": (1, 0, 0),
    "crashing": (1, 0, 0),
    "patches_checker": (0, 0, 1),  # the last answer is right: ctypes in the sandbox reaches nothing
    "prints_html": (0, 0, 0),
    "fits_visible_cases": (1, 0, 1),
    "key_reader": (0, 0, 0),
    "spawner": (1, 0, 0),
    "fork_bomb": (1, 1, 1),
    "sleeper": (1, 0, 1),
    "killer": (1, 0, 1),
    "asyncio_task": (1, 0, 1),
    "threads_output": (1, 1, 1),
    "invalid_nbformat": (1, 1, 1),
    "copy_name": (1, 1, 1),
    "untitled": (1, 1, 1),
    "not_json": (0, 0, 0),
    "checkpoints_only": (0, 0, 0),
}
STATUS = {"not_json": "invalid notebook", "checkpoints_only": "missing notebook"}


def test_one_row_per_student_with_its_status(graded):
    totals = graded["totals"]
    assert set(totals) == graded["students"] == set(EXPECTED)
    for name, row in totals.items():
        a = graded["assignment"]
        assert row["status"].startswith(f"{a}: {STATUS.get(name, 'graded')}"), row
        assert int(row["total"]) == sum(EXPECTED[name]), row
    assert "should be named" in totals["copy_name"]["status"] and "should be named" in totals["untitled"]["status"]
    moodle = list(csv.DictReader(open(graded["course"] / "moodle.csv")))
    assert {r["username"]: int(r[graded["assignment"]]) for r in moodle} == {s: sum(p) for s, p in EXPECTED.items()}


def test_right_earns_every_point(graded):
    rows = graded["rows"]["right"]
    assert all(r["status"] == "correct" for r in rows.values()), rows
    assert all(r["sandbox"] == "bwrap" for s in graded["rows"].values() for r in s.values())


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
    assert rows["hanging"][ids[1]]["status"] == rows["sleeper"][ids[1]]["status"] == "timed out"
    assert "did not return" in rows["sleeper"][ids[1]]["hint_shown"]
    assert rows["killer"][ids[1]]["status"] == "kernel died"
    assert "died" in rows["killer"][ids[1]]["hint_shown"]


def test_nothing_escaped(graded):
    assert graded["canary"].read_text() == "do not delete"
    assert not graded["escape"].exists()
    assert course_fingerprint() == graded["fingerprint"]  # amslib/ and notebooks/ untouched
    course = graded["course"]
    assert tree_snapshot(course / "submitted", course / "source", course / "release") == graded["untouched"]
    assert graded["processes"] == []  # nothing a submission started outlived its grading
    left = [p for p in Path(tempfile.gettempdir()).glob("amsgrad-*") if p.stat().st_mtime > graded["started"]]
    assert not left, [sorted(str(f) for f in p.rglob("*"))[:20] for p in left]


def test_the_key_is_not_in_the_sandbox(graded):
    course, a = graded["course"], graded["assignment"]
    ran = (course / "autograded" / "key_reader" / a / graded["path"].name).read_text()
    assert "FOUND []" in ran, "the submission found the key, the notebooks, the grades or the grader"
    assert "has no attribute 'reference_amsgrad_step'" in ran  # not in the sandbox's amslib
    spawner = (course / "autograded" / "spawner" / a / graded["path"].name).read_text()
    assert spawner.count("started ") == 2  # the background processes did start (and then died with the sandbox)
    bomb = (course / "autograded" / "fork_bomb" / a / graded["path"].name).read_text()
    assert "fork" in bomb and int(re.search(r"processes (\d+)", bomb)[1]) < 520, bomb[:3000]  # refused, at the limit


def test_feedback(graded):
    course, a = graded["course"], graded["assignment"]
    for name in EXPECTED:
        text = (course / "feedback" / name / a / "feedback.md").read_text()
        assert f"Student: {name}." in text
        for leak in ("<script", "<img", "<b ", str(ROOT), str(course), "/tmp/", "/home/"):
            assert leak not in text, (name, leak)
        assert len(text) < 20_000
    html = (course / "feedback" / "prints_html" / a / "feedback.md").read_text()
    assert "&lt;img" in html and "&lt;b onmouseover" in html
    assert "time limit" in (course / "feedback" / "hanging" / a / "feedback.md").read_text()
    crashing = json.loads((course / "autograded" / "crashing" / a / "result.json").read_text())
    assert any("kernel died" in line for line in crashing["log"]), crashing["log"]
    crashing_fb = (course / "feedback" / "crashing" / a / "feedback.md").read_text()
    assert "ran out of memory: a submission may use 3072 MB (MemoryError: Unable to allocate" in crashing_fb
    big = course / "autograded" / "threads_output" / a / graded["path"].name
    assert big.stat().st_size < 4 * 2**20 and "output past" in big.read_text()


def test_release_hides_the_solutions(graded):
    course, a = graded["course"], graded["assignment"]
    released = (course / "release" / a / graded["path"].name).read_text()
    assert "hidden_seed" not in released and '"solution"' not in released
    key = json.loads((course / "source" / a / "grading.json").read_text())
    assert str(key["hidden_seed"]) not in released


def test_hidden_values_are_each_students_own():
    import numpy as np

    seen: dict = {}

    class Function:  # a right answer; records the hidden values it is called with
        calls = [(np.ones(4), 0.5)]

        def __call__(self, x, scale):
            seen.setdefault(name, []).append(x.tolist())
            return x * scale

    for name in ("ann", "bob", "ann"):
        key = {"hidden_seed": 7, "hidden_cases": 1, "student": name}
        assert grade.hidden_cases_pass(Function(), lambda x, scale: x * scale, key, {"id": "05.1"}) == (True, "")
    assert seen["ann"][0] == seen["ann"][1] != seen["bob"][0] and seen["bob"][0] != [1.0] * 4


def test_no_sandbox_no_grading(tmp_path, monkeypatch, capsys):
    """Where bwrap cannot start, autograde refuses (naming --unsafe) rather than grade bare."""
    (tmp_path / "source" / "x").mkdir(parents=True)
    (tmp_path / "source" / "x" / "grading.json").write_text("{}")
    monkeypatch.setattr(grade, "bwrap", lambda: (_ for _ in ()).throw(grade.NoSandbox("no bwrap found")))
    with pytest.raises(SystemExit) as exc:
        grade.main(["--course", str(tmp_path), "autograde", "x"])
    assert "no sandbox: no bwrap found" in str(exc.value)


def small_class(course: Path, students: dict) -> tuple[str, dict]:
    """Release the assignment into ``course``; students: name -> notebook or None (blank)."""
    path = assignment_notebook()
    assert grade.main(["--course", str(course), "release", path.name]) == 0
    key = json.loads((course / "source" / path.stem / "grading.json").read_text())
    released = (course / "release" / path.stem / path.name).read_text()
    for name, nb in students.items():
        (course / "submitted" / name / path.stem).mkdir(parents=True)
        (course / "submitted" / name / path.stem / path.name).write_text(json.dumps(nb) if nb else released)
    return path.stem, key


def test_a_grader_crash_costs_one_row(tmp_path, monkeypatch):
    """The grader failing on one submission gives that student a row saying so; the others
    are graded (grade_submission stands in for the sandbox here)."""
    assignment, key = small_class(tmp_path, {"alice": None, "bob": None, "carol": None})

    def grade_submission(path, key, source_nb, limits, checkers):
        if "bob" in str(path):
            raise RecursionError("maximum recursion depth exceeded")
        return {"status": "graded", "reason": "", "notebook": None, "log": [], "seconds": 0.0,
                "exercises": [grade.error_row(e, "Not attempted yet", "not attempted") for e in key["exercises"]]}

    monkeypatch.setattr(grade, "grade_submission", grade_submission)
    monkeypatch.setattr(grade, "bwrap", lambda: "bwrap")
    monkeypatch.setattr(grade, "BWRAP", grade.BWRAP)  # the path autograde finds is not kept
    assert grade.main(["--course", str(tmp_path), "autograde", assignment]) == 0
    totals = {r["student"]: r["status"] for r in csv.DictReader(open(tmp_path / "totals.csv"))}
    assert totals == {"alice": f"{assignment}: graded", "carol": f"{assignment}: graded",
                      "bob": f"{assignment}: grader error (RecursionError: maximum recursion depth exceeded)"}
    assert len(list(csv.DictReader(open(tmp_path / "grades.csv")))) == 3 * len(key["exercises"])


def test_unsafe_grading_says_so_on_every_row(tmp_path):
    """--unsafe grades without a sandbox, and every row says "unsandboxed"."""
    assignment, key = small_class(tmp_path, {"alice": None})
    assert grade.main(["--course", str(tmp_path), "autograde", assignment, "--unsafe", "--timeout", "300"]) == 0
    rows = list(csv.DictReader(open(tmp_path / "grades.csv")))
    assert len(rows) == len(key["exercises"]) and {r["sandbox"] for r in rows} == {"unsandboxed"}
    assert {r["status"] for r in rows} == {"not attempted"}
    assert next(csv.DictReader(open(tmp_path / "totals.csv")))["status"] == f"{assignment}: unsandboxed"


def test_stripped_library_has_no_answers(tmp_path):
    lib = grade.stripped_amslib(tmp_path)
    text = "".join(p.read_text() for p in (lib / "amslib" / "exercises").glob("nb*.py"))
    assert "reference_" not in text and "Correct" not in text and "check_gamma = _recorded" in text
    assert (lib / "amslib" / "optimizers.py").exists()


# ----------------------------------------------------------------------------- memory limit
MEMORY_PROBE = """
import json, resource, sys
import numpy as np
import torch

def vm_size():
    with open('/proc/self/status') as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith('VmSize:'))

report = {'torch_version': torch.__version__, 'cuda_build': bool(torch.version.cuda),
          'limit': resource.getrlimit(resource.RLIMIT_AS)[0], 'vm_size': vm_size()}
big = np.ones(2**30 // 8)  # 1 GiB, written
report['one_gib'] = float(big.sum()) == 2**30 / 8
del big
for name, allocate in [('numpy', lambda: np.ones(TOO_MUCH // 8)),
                       ('torch', lambda: torch.ones(TOO_MUCH // 4)),
                       ('python', lambda: bytearray(TOO_MUCH))]:
    try:
        allocate()
        report[name] = 'allocated'
    except (MemoryError, RuntimeError) as exc:
        report[name] = f'{type(exc).__name__}: {exc}'
"""


def test_default_memory_limit_counts_from_the_kernels_start(tmp_path):
    """With the torch installed here, whichever build: the kernel starts under the default
    limit, a submission may allocate (and fill) 1 GiB, twice the default is refused in its
    cell with the usual errors, and the kernel lives on. The allowance left at the first cell
    is the default, less at most 256 MB the kernel took since it measured its start."""
    require_sandbox()
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "answer.ipynb").write_text("{}")
    limits = grade.Limits(cell_timeout=120)
    assert limits.memory_mb == grade.DEFAULT_MEMORY_MB
    box = grade.Sandbox(folder / "answer.ipynb", limits)
    try:
        box.start()
        too_much = 2 * limits.memory_mb * 2**20
        text = box.expression(MEMORY_PROBE.replace("TOO_MUCH", str(too_much)), "json.dumps(report)", 120)
        report = json.loads(text)
        assert box.km.is_alive()
        assert box.expression("x = 1 + 1", "str(x)", 30) == "2"  # still answering
    finally:
        box.cleanup()
    assert report["limit"] != resource.RLIM_INFINITY, report
    allowance = (report["limit"] - report["vm_size"]) / 2**20
    assert limits.memory_mb - 256 <= allowance <= limits.memory_mb, report
    assert report["one_gib"], report
    assert report["numpy"].startswith("MemoryError: Unable to allocate"), report
    assert report["torch"].startswith("RuntimeError") and "can't allocate memory" in report["torch"], report
    assert report["python"].startswith("MemoryError"), report


def test_negative_memory_limit_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        grade.main(["--course", str(tmp_path), "autograde", "x", "--memory-mb", "-1"])
    assert exc.value.code == 2
    assert "Invalid --memory-mb: -1 (must be >= 0" in capsys.readouterr().err


RESERVING_START = """
import mmap, resource, sys
from tools import grade_kernel

# what a build's imports reserve without using it (the CUDA build of torch: about 3 GB)
reserved = mmap.mmap(-1, {reserve}, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, prot=mmap.PROT_READ) if {reserve} else None
before = grade_kernel.address_space_bytes()
limit = grade_kernel.limit_memory({memory_mb})
print('limit-before', (limit - before) // 2**20)
try:
    a = bytearray({memory_mb} * 2**20 // 2)  # half the allowance
    print('half: allocated')
    del a
except MemoryError:
    print('half: MemoryError')
try:
    a = bytearray({memory_mb} * 2**20 * 3 // 2)  # one and a half times the allowance
    print('one and a half: allocated')
except MemoryError:
    print('one and a half: MemoryError')
"""  # noqa: E501  (code run in a kernel: wrapping its long line would change the string)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="measures the address space in /proc")
@pytest.mark.skipif(resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY,
                    reason="reserves 6 GB of address space: needs no address-space limit of its own")
@pytest.mark.parametrize("reserve_gb", [0, 6])
def test_memory_allowance_does_not_depend_on_what_the_start_up_reserved(reserve_gb):
    """grade_kernel.limit_memory measures the process before limiting it: a process that
    reserved 6 GB of address space at start-up (as a CUDA build's import does, in part) gets
    the same allowance as one that reserved nothing, and the allowance is enforced."""
    memory_mb = 512
    code = RESERVING_START.format(reserve=reserve_gb * 2**30, memory_mb=memory_mb)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:3] == [f"limit-before {memory_mb}", "half: allocated",
                                             "one and a half: MemoryError"], proc.stdout


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
    released = json.loads((tmp_path / "release" / assignment / path.name).read_text())
    nb = grading_common.copier(released, key, source)
    folder = tmp_path / "submitted" / "copier" / assignment
    folder.mkdir(parents=True)
    (folder / path.name).write_text(json.dumps(nb))
    assert grade.main(["--course", str(tmp_path), "autograde", assignment, "--timeout", "300",
                       "--call-timeout", "20"]) == 0
    rows = list(csv.DictReader(open(tmp_path / "grades.csv")))
    assert len(rows) == len(key["exercises"])
    assert all(r["status"] == "correct" for r in rows), [(r["exercise"], r["status"], r["hint_shown"]) for r in rows]


# ----------------------------------------------------------------------------- the benchmark's class
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_wrong_answer_is_wrong_for_every_exercise(path):
    """benchmarks/bench_grading.py's wrong submissions answer every exercise with
    grading_common.WRONG_ANSWER: every checker must call it wrong, not "not attempted"."""
    key = grade.make_key(json.loads(path.read_text()), path.name)
    answer = float(grading_common.WRONG_ANSWER)
    for (_module, name), check in grade.load_checkers(key).items():
        ok, hint = grade.verdict_of(check, answer)
        assert not ok and hint.startswith("Not yet"), (name, hint)


def test_benchmark_refuses_a_broken_grader():
    """The benchmark reports no time unless the points are what each kind deserves."""
    from benchmarks import bench_grading

    def result(*points, status="wrong"):
        return {"exercises": [{"exercise": f"e{i}", "points": p, "max_points": 1,
                               "status": "correct" if p else status} for i, p in enumerate(points)]}

    kinds = {"r": "right", "w": "wrong", "b": "blank"}
    good = {"r": result(1, 1), "w": result(1, 0), "b": result(0, 0, status="not attempted")}
    assert bench_grading.problems_with(good, kinds) == []
    for student_id, broken in [("r", result(1, 0)), ("w", result(1, 1)), ("b", result(0, 1)),
                               ("b", result(0, 0, status="error"))]:
        assert bench_grading.problems_with({**good, student_id: broken}, kinds), (student_id, broken)
