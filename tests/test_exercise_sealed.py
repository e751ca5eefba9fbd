"""The student edition's value checkers hold no answer (amslib/exercises/sealed.py).

Every exercise whose answer is a value (not a function) lists its right answers in its module's
``expected_answers()``; the full checker accepts each of them; and in the student edition
(``tools.student.seal_exercises``) neither the checker module's source nor what its checker
prints for a wrong answer holds the expected value, while the right answer still passes.
"""
from __future__ import annotations

import contextlib
import importlib
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grading_common
import pytest

from tools import grade, student

ROOT = Path(__file__).resolve().parents[1]


def value_exercises() -> dict:
    """checker module -> names of its checkers whose answer is a value: the exercises whose
    solution in the course notebook is not a function it defines."""
    out: dict = {}
    for path in student.notebooks():
        nb = json.loads(path.read_text())
        key = grade.make_key(nb, path.name)
        for e in key["exercises"]:
            if grade.solution_function(key, e, nb) is None:
                out.setdefault(e["module"], set()).add(e["checker"])
    return out


VALUES = value_exercises()


def test_every_value_exercise_lists_its_answers():
    assert sum(map(len, VALUES.values())) >= 14
    for path in sorted((ROOT / "amslib" / "exercises").glob("nb*.py")):
        name = f"amslib.exercises.{path.stem}"
        module = importlib.import_module(name)
        listed = set(module.expected_answers()) if hasattr(module, "expected_answers") else set()
        assert listed == VALUES.get(name, set()), name


@pytest.mark.parametrize("name", sorted(VALUES))
def test_expected_answers_pass_the_full_checkers(name):
    module = importlib.import_module(name)
    for checker, answers in module.expected_answers().items():
        for answer in answers:
            with contextlib.redirect_stdout(io.StringIO()):
                assert getattr(module, checker)(answer) is True, (checker, answer)


PROBE = """
import contextlib, io, importlib, json, sys
report = {}
for name, answers in json.loads(sys.argv[1]).items():
    module = importlib.import_module(name)
    for checker, values in answers.items():
        check = getattr(module, checker)
        for value in values:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                right, wrong = check(value), check(float(sys.argv[2]))
            report[checker + json.dumps(value)] = [right, wrong, out.getvalue(), module.__file__]
print(json.dumps(report))
"""


def spelled(value) -> list[str]:
    """How an expected value could be written in a source or a hint."""
    if isinstance(value, str):
        return [value] if len(value) >= 3 else []
    if isinstance(value, (list, tuple)):
        return [", ".join(f"{x:g}" for x in value), ",".join(f"{x:.4g}" for x in value)]
    return sorted({f"{value:.3g}", f"{value:.4g}", repr(value)})


def test_the_student_edition_checks_values_without_holding_them(tmp_path):
    shutil.copytree(ROOT / "amslib", tmp_path / "amslib", ignore=shutil.ignore_patterns("__pycache__"))
    student.seal_exercises(tmp_path / "amslib" / "exercises", salt="test")
    expected = {name: importlib.import_module(name).expected_answers() for name in VALUES}
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(expected), grading_common.WRONG_ANSWER],
                          capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)},
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    for name, answers in expected.items():
        source = (tmp_path / "amslib" / "exercises" / f"{name.rsplit('.', 1)[1]}.py").read_text()
        for checker, values in answers.items():
            assert f"{checker} = sealed(" in source and "def expected_answers" not in source
            for value in values:
                right, wrong, printed, file = report[checker + json.dumps(value)]
                assert file.startswith(str(tmp_path)), file  # the sealed module was the one run
                assert right is True and wrong is False, (checker, value, printed)
                hint = printed.split("\n", 1)[1]  # what the wrong answer got
                for text in spelled(value):
                    pattern = rf"(?<![\w.]){re.escape(text)}(?![\w])"
                    assert not re.search(pattern, source), (name, checker, text)
                    assert not re.search(pattern, hint), (checker, text, hint)
