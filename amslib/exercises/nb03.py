"""Checks for the exercises of notebooks 03 (the online setting and Adam's drift: regret)
and 04 (where Adam fails: Theorem 1). The module names keep the numbering from before
notebook 03 was split in two: nb03 serves 03 and 04, nb04 serves 05, and so on."""
from __future__ import annotations

import itertools
import math

import numpy as np

from . import checker, close, failed, not_attempted, number, number_answer, passed, show

__all__ = ["check_worst_regret", "check_regret_function", "check_theorem1_beta2",
           "check_where_adam_ends", "reference_regret", "reference_adam_ends"]


@checker
def check_worst_regret(answer) -> bool:
    """Notebook 03, exercise 1: worst-point average regret of online_problem(C=20, period=5, c=-4)."""
    value = number_answer(answer)
    if value is None:
        return False
    S = 20 - 4 * 4
    if close(value, 2 * S / 5):
        return passed("S = 20 - 4*4 = 4 per period; x = +1 loses S, x = -1 gains S: 2S/5 = 1.6.")
    if close(value, S / 5):
        return failed("that is the average loss of x = +1; regret subtracts the best point's loss, -S/5.")
    if close(value, 2 * S):
        return failed("that is the regret of one whole period; the average divides by its 5 steps.")
    return failed("add up the gradients over one period (S), then compare x = +1 with x = -1.")


# ----------------------------------------------------------------------------- notebook 03, exercise 2
def reference_regret(g, x) -> float:
    """R_T = sum_t g_t x_t - min_{x in [-1, 1]} sum_t g_t x = sum_t g_t x_t + |sum_t g_t|."""
    g = np.asarray(g, dtype=float)
    x = np.asarray(x, dtype=float)
    return float(np.dot(g, x) + abs(g.sum()))


def _regret_cases():
    """(g, x) pairs on which every common mistake gives a different number."""
    yield np.array([2.0, -1.0, -3.0]), np.array([0.5, -0.5, 1.0])  # worked by hand
    rng = np.random.default_rng(3)
    for trial in range(20):
        T = int(rng.integers(2, 50))
        g = rng.normal(size=T) * 5 + (2.0 if trial % 2 else -2.0)
        yield g, rng.uniform(-1, 1, size=T)


def _regret_hint(g, x, got, want) -> str:
    loss, G = float(np.dot(g, x)), float(g.sum())
    T = len(g)
    if close(got, loss + float(np.abs(g).sum())):
        return ("that compares with the best point at EACH step (min over x of g_t x is -|g_t|, "
                "a different point every step). Regret compares with the best FIXED point: one "
                "x for all steps, min over x of x * sum_t g_t = -|sum_t g_t|.")
    if close(got, loss):
        return "you returned the total loss; subtract the loss of the best fixed point in F."
    if close(got, loss - abs(G)):
        return ("sign: min over x in [-1, 1] of G x is -|G| (at x = -sign(G), which depends "
                "on the sign of G = sum_t g_t), so regret adds |G|.")
    if close(got, want / T):
        return "that is the average regret R_T / T; the exercise asks for R_T itself."
    return (f"for g = {np.round(g[:3], 2)}..., x = {np.round(x[:3], 2)}... "
            f"expected {want:.4f}, got {got:.4f}.")


@checker
def check_regret_function(regret) -> bool:
    """Notebook 03, exercise 2: a function regret(g, x) returning R_T for gradients g and iterates x."""
    if not_attempted(regret):
        return False
    if not callable(regret):
        return failed(f"expected a function regret(g, x), got {show(regret)}.")
    for g, x in _regret_cases():
        try:
            out = regret(g.copy(), x.copy())
        except Exception as exc:  # the learner's code may raise anything
            return failed(f"your function raised {type(exc).__name__}: {show(str(exc))}")
        if not_attempted(out):  # the template returns None
            return False
        got = number(out)
        if got is None:
            return False
        want = reference_regret(g, x)
        if not close(got, want, rel_tol=1e-9, abs_tol=1e-9):
            return failed(_regret_hint(g, x, got, want))
    return passed("regret(g, x) = g . x + |sum(g)|.")


# ----------------------------------------------------------------------------- notebook 04, exercise 1
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
