"""Checks for the exercises of notebook 04 (where Adam fails: Theorem 1)."""
from __future__ import annotations

import itertools
import math

from . import checker, close, failed, not_attempted, number, number_answer, passed

__all__ = ["check_theorem1_beta2", "check_where_adam_ends", "reference_adam_ends"]


@checker
def check_theorem1_beta2(answer) -> bool:
    """Notebook 04, exercise 1, first part: Theorem 1's beta_2 for C = 3."""
    value = number_answer(answer)
    if value is None:
        return False
    if close(value, 1 / (1 + 3 ** 2)):
        return passed("beta_2 = 1/(1 + C^2) = 1/10.")
    if close(value, 1 / 3 ** 2):
        return failed("close: Theorem 1 takes beta_2 = 1/(1 + C^2), not 1/C^2.")
    if close(value, 1 / (1 + 3)):
        return failed("that is 1/(1 + C): square C first, beta_2 = 1/(1 + C^2).")
    if close(value, 1 - 1 / (1 + 3 ** 2)):
        return failed("that is 1 - beta_2 = C^2/(1 + C^2); beta_2 itself is 1/(1 + C^2).")
    return failed("Theorem 1 takes beta_2 = 1/(1 + C^2).")


def reference_adam_ends() -> tuple[float, float]:
    """x_T after 10^5 steps on theorem1_problem(3.0), for beta_2 = 1/10 and 0.99."""
    from ..optimizers import Adam
    from ..schedules import inv_sqrt
    from ..synthetic import run, theorem1_beta2, theorem1_problem

    out = []
    for b2 in (theorem1_beta2(3.0), 0.99):
        opt = Adam(lr=inv_sqrt(0.5), betas=(0.0, b2), eps=0.0, bias_correction=False)
        out.append(run(theorem1_problem(3.0), opt, steps=10 ** 5).x_final)
    return out[0], out[1]


@checker
def check_where_adam_ends(answer) -> bool:
    """Notebook 04, exercise 1, second part: (x_T with Theorem 1's beta_2, x_T with beta_2 = 0.99),
    the final iterates of the two runs the exercise describes (to about 0.01)."""
    if not_attempted(answer):
        return False
    try:
        items = list(itertools.islice(iter(answer), 3))  # at most 3: an endless iterator is fine
    except TypeError:
        items = None
    if items is None or len(items) != 2:
        return failed("expected a pair of numbers: (x_T with beta_2 = 1/10, x_T with beta_2 = 0.99).")
    if all(a is None or a is Ellipsis for a in items):
        not_attempted(None)
        return False
    values = [number(a) for a in items]
    if None in values:
        return False
    want = reference_adam_ends()
    ok = [math.isclose(v, w, abs_tol=0.01) for v, w in zip(values, want)]
    if all(ok):
        return passed("with beta_2 = 1/10 Adam ends at +1, the worst point; with beta_2 = 0.99 "
                      "it remembers the spike long enough and reaches the best point, -1.")
    if all(math.isclose(v, w, abs_tol=0.01) for v, w in zip(values, want[::-1])):
        return failed("the two are swapped: the first number is for Theorem 1's beta_2 = 1/10, "
                      "the second for beta_2 = 0.99.")
    if not ok[0]:
        return failed("with beta_2 = 1/(1 + C^2) = 0.1 Adam does what Theorem 1 says it does: "
                      "run the exercise's line and read run(...).x_final.")
    return failed("run the same line with betas=(0.0, 0.99) and read run(...).x_final.")


def expected_answers() -> dict:
    """The right answers of this notebook's value exercises (for the student edition's
    sealed checkers, :mod:`amslib.exercises.sealed`)."""
    return {"check_theorem1_beta2": [1 / (1 + 3 ** 2)], "check_where_adam_ends": [reference_adam_ends()]}
