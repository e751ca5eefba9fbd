"""Made-up submissions of a released assignment, shared by tests/test_grading.py and
benchmarks/bench_grading.py.

A submission is the released notebook (the student edition, exercise cells tagged) with
code put in after its last exercise cell: the course notebook's worked solutions pasted in
as they are (a "copier"), and a cell that sets each exercise's answer variable. The
exercise cells themselves keep their ``None``; the grader reads the answers after the whole
notebook has run, so the last assignment counts.
"""
from __future__ import annotations

import json

from tools import student

#: A wrong answer to every exercise of the course, whatever it asks for (a number, a
#: string, a pair, a function): no exercise's answer is this number.
WRONG_ANSWER = "-7.25"


def copy(nb: dict) -> dict:
    return json.loads(json.dumps(nb))


def code_cell(cell_id: str, source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "id": cell_id, "source": source}


def with_answers(released: dict, key: dict, answers: dict, pasted: list | None = None) -> dict:
    """The released notebook with ``pasted`` cells, then one cell setting each exercise's
    answer variable (``answers``: exercise id -> Python expression), inserted after the last
    exercise cell."""
    nb = copy(released)
    cells = {e["cell"] for e in key["exercises"]}
    last_exercise = max(i for i, c in enumerate(nb["cells"]) if c.get("id") in cells)
    assign = code_cell("answers", "\n".join(f"{e['answer']} = {answers[e['id']]}"
                                            for e in key["exercises"] if e["id"] in answers))
    nb["cells"][last_exercise + 1:last_exercise + 1] = [copy(c) for c in pasted or []] + [assign]
    return nb


def worked_solutions(source_nb: dict) -> list[dict]:
    """The course notebook's worked solutions: its code cells in the Solutions section."""
    return [c for c in student.solution_cells(source_nb) if c["cell_type"] == "code"]


def copier(released: dict, key: dict, source_nb: dict) -> dict:
    """A student who pastes the worked solutions under the exercises and answers with what
    they compute (the key's ``solution`` expression of each exercise): every point."""
    return with_answers(released, key, {e["id"]: e["solution"] for e in key["exercises"]},
                        pasted=worked_solutions(source_nb))


def wrong(released: dict, key: dict) -> dict:
    """A student who answers every exercise with :data:`WRONG_ANSWER`: no point."""
    return with_answers(released, key, {e["id"]: WRONG_ANSWER for e in key["exercises"]})
