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

import csv
import json
import resource
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import grade  # noqa: E402  (tools/grade.py)
import grading_common  # noqa: E402  (tests/grading_common.py: made-up submissions)
import student  # noqa: E402  (tools/student.py)

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


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    outside = tmp_path_factory.mktemp("outside")
    canary = outside / "canary.txt"
    canary.write_text("do not delete")
    escape = outside / f"escaped-{uuid.uuid4().hex}.txt"

    path = assignment_notebook()
    fingerprint = grade.course_fingerprint()
    run = [sys.executable, str(ROOT / "tools" / "grade.py"), "--course", str(course)]
    subprocess.run(run + ["release", path.name[:2]], check=True, cwd=ROOT)
    assignment = path.stem
    key = json.loads((course / "source" / assignment / "grading.json").read_text())
    released = json.loads((course / "release" / assignment / path.name).read_text())
    source_nb = str(course / "source" / assignment / path.name)
    ex = {e["checker"]: e for e in key["exercises"]}
    module = ex[CHECKERS[0]]["module"].rsplit(".", 1)[1]

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
        "writes_outside": submission(released, key, {
            "check_running_max": f"open({str(escape)!r}, 'w').write('escaped')\n{{answer}} = [4, 4, 9, 9, 9.5]",
            "check_amsgrad_step": f"import os\nos.remove({str(canary)!r})\n" + STEP,
            "check_gamma": "open('../../../escaped-relative.txt', 'w').write('x')\n{answer} = 'b'"}),
        "reads_solutions": submission(released, key, {
            # the lecturer's source notebook, the course's notebook, the key, a shell
            "check_running_max": f"text = open({source_nb!r}).read()\n{{answer}} = [4, 4, 9, 9, 9.5]",
            "check_amsgrad_step": f"text = open({str(path)!r}).read()\n" + STEP,
            "check_gamma": "import subprocess\nsubprocess.run(['cat', "
                           f"{str(course / 'source' / assignment / 'grading.json')!r}])\n{{answer}} = 'b'"}),
        "patches_checker": submission(released, key, {
            "check_running_max": "{module}.check_running_max = lambda answer: True\n{answer} = [0.0]",
            "check_amsgrad_step": "import amslib.exercises as ex, math\nex.passed = lambda *a: True\n"
                                  "math.isclose = lambda *a, **k: True\nnp.allclose = lambda *a, **k: True\n"
                                  "open({module}.__file__, 'a').write('\\n# patched')\n"
                                  "def {answer}(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):\n"
                                  "    return x, m, v, v_hat",
            # the way around the audit hook: native calls through ctypes
            "check_gamma": "import ctypes\nctypes.CDLL(None).system(b'true')\n{answer} = 'b'"}),
        "prints_correct": submission(released, key, {
            # the grader's memory and command line are another process's /proc files
            "check_running_max": "import os\ntry:\n    open(f'/proc/{{os.getppid()}}/cmdline').read()\n"
                                 "except PermissionError:\n    pass\nprint('Correct!')\n{answer} = None",
            "check_amsgrad_step": "def {answer}(*args):\n    print('Correct!')\n    return 'Correct!'",
            "check_gamma": "print('Correct!')\n{answer} = 'Correct!'"}),
        "fits_visible_cases": submission(released, key, {
            "check_running_max": RIGHT["check_running_max"],
            # memorises the checker's own cases (it may call the checker) and nothing else
            "check_amsgrad_step": "seen = {{}}\n"
                                  "def key(*args):\n"
                                  "    return b''.join(np.asarray(a, float).tobytes() for a in args)\n"
                                  "def spy(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):\n"
                                  "    m2 = beta1 * m + (1 - beta1) * g\n"
                                  "    v2 = beta2 * v + (1 - beta2) * g**2\n"
                                  "    vh = np.maximum(v_hat, v2)\n"
                                  "    out = (x - alpha * m2 / (np.sqrt(vh) + eps), m2, v2, vh)\n"
                                  "    seen[key(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps)] = out\n"
                                  "    return out\n"
                                  f"{module}.check_amsgrad_step(spy)\n"
                                  "def {answer}(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):\n"
                                  "    return seen.get(key(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps),\n"
                                  "                    (x, m, v, v_hat))",
            "check_gamma": RIGHT["check_gamma"]}),
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


EXPECTED = {  # points for (running maximum, AMSGrad step function, sign of Gamma_t)
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
    # the 16 GB array was refused in its cell, and the feedback says why
    crashing_fb = (course / "feedback" / "crashing" / a / "feedback.md").read_text()
    assert "ran out of memory: a submission may use 3072 MB (MemoryError: Unable to allocate" in crashing_fb
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
sys.path.insert(0, {tools!r})
import grade_kernel

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
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="measures the address space in /proc")
@pytest.mark.skipif(resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY,
                    reason="reserves 6 GB of address space: needs no address-space limit of its own")
@pytest.mark.parametrize("reserve_gb", [0, 6])
def test_memory_allowance_does_not_depend_on_what_the_start_up_reserved(reserve_gb):
    """grade_kernel.limit_memory measures the process before limiting it: a process that
    reserved 6 GB of address space at start-up (as a CUDA build's import does, in part) gets
    the same allowance as one that reserved nothing, and the allowance is enforced."""
    memory_mb = 512
    code = RESERVING_START.format(tools=str(ROOT / "tools"), reserve=reserve_gb * 2**30, memory_mb=memory_mb)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
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
    for (module, name), check in grade.load_checkers(key).items():
        ok, hint = grade.verdict_of(check, answer)
        assert not ok and hint.startswith("Not yet"), (name, hint)


def test_benchmark_refuses_a_broken_grader():
    """The benchmark reports no time unless the points are what each kind deserves."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_grading

    def result(*points, status="wrong"):
        return {"exercises": [{"exercise": f"e{i}", "points": p, "max_points": 1,
                               "status": "correct" if p else status} for i, p in enumerate(points)]}

    kinds = {"r": "right", "w": "wrong", "b": "blank"}
    good = {"r": result(1, 1), "w": result(1, 0), "b": result(0, 0, status="not attempted")}
    assert bench_grading.problems_with(good, kinds) == []
    for student_id, broken in [("r", result(1, 0)), ("w", result(1, 1)), ("b", result(0, 1)),
                               ("b", result(0, 0, status="error"))]:
        assert bench_grading.problems_with({**good, student_id: broken}, kinds), (student_id, broken)
