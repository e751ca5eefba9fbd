"""Checks for the exercises of notebook 03 (the online setting and Adam's drift: regret)."""
from __future__ import annotations

import numpy as np

from . import checker, close, failed, not_attempted, number, number_answer, passed, show, tol

__all__ = ["check_worst_regret", "check_regret_function", "reference_regret"]


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
    if close(value, -2 * S / 5):
        return failed("sign: regret is the loss of x = +1 minus the loss of the best point (x = -1), "
                      "so it is positive here.")
    if close(value, 2 * (20 - 4 * 5) / 5) or close(value, 2 * (20 - 4 * 5)):
        return failed("a period has one step with gradient C and period - 1 = 4 steps with c, "
                      "so S = C + 4c, not C + 5c.")
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
        scale = float(np.abs(g * x).sum() + abs(g.sum()))   # a float32 sum errs relative to its terms
        if not close(got, want, rel_tol=tol(1e-9), abs_tol=max(1e-9, tol(0.0) * scale)):
            return failed(_regret_hint(g, x, got, want))
    return passed("regret(g, x) = g . x + |sum(g)|.")


def expected_answers() -> dict:
    """The right answers of this notebook's value exercises (for the student edition's
    sealed checkers, :mod:`amslib.exercises.sealed`)."""
    return {"check_worst_regret": [2 * (20 - 4 * 4) / 5]}
