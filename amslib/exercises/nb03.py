"""Checks for the exercises of notebook 03 (where Adam fails)."""
from __future__ import annotations

import math

import numpy as np

from . import failed, not_attempted, number_answer, passed


def check_worst_regret(answer) -> bool:
    """Exercise 03.1: worst-point average regret of online_problem(C=20, period=5, c=-4)."""
    value = number_answer(answer)
    if value is None:
        return False
    S = 20 - 4 * 4
    if math.isclose(value, 2 * S / 5, rel_tol=1e-9):
        return passed("S = 20 - 4*4 = 4 per period; x = +1 loses S, x = -1 gains S: 2S/5 = 1.6.")
    if math.isclose(value, S / 5, rel_tol=1e-9):
        return failed("that is the average loss of x = +1; regret subtracts the best point's loss, -S/5.")
    return failed("add up the gradients over one period (S), then compare x = +1 with x = -1.")


def reference_regret(g, x) -> float:
    """R_T = sum_t g_t x_t - min_{x in [-1, 1]} sum_t g_t x = sum_t g_t x_t + |sum_t g_t|."""
    g = np.asarray(g, dtype=float)
    x = np.asarray(x, dtype=float)
    return float(np.dot(g, x) + abs(g.sum()))


def check_regret_function(regret) -> bool:
    """Exercise 03.2: a function regret(g, x) returning R_T for gradients g and iterates x."""
    if not_attempted(regret):
        return False
    if not callable(regret):
        return failed("expected a function regret(g, x).")
    if not_attempted(regret(np.array([1.0]), np.array([0.0]))):  # the template returns None
        return False
    rng = np.random.default_rng(3)
    for trial in range(20):
        T = int(rng.integers(1, 50))
        g = rng.normal(size=T) * 5 + (2.0 if trial % 2 else -2.0)
        x = rng.uniform(-1, 1, size=T)
        try:
            got = float(regret(g, x))
        except Exception as exc:  # the learner's code may raise anything
            return failed(f"your function raised {type(exc).__name__}: {exc}")
        want = reference_regret(g, x)
        if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9):
            if math.isclose(got, float(np.dot(g, x)), rel_tol=1e-9):
                return failed("you returned the total loss; subtract the loss of the best fixed point in F.")
            if math.isclose(got, float(np.dot(g, x) - abs(g.sum())), rel_tol=1e-9):
                return failed("sign: min over x in [-1, 1] of G x is -|G|, so regret adds |G|.")
            return failed(f"for g = {np.round(g[:3], 2)}..., x = {np.round(x[:3], 2)}... "
                          f"expected {want:.4f}, got {got:.4f}.")
    return passed("regret(g, x) = g . x + |sum(g)|.")


def check_theorem1_beta2(answer) -> bool:
    """Exercise 03.3: Theorem 1's beta_2 for C = 3."""
    value = number_answer(answer)
    if value is None:
        return False
    if math.isclose(value, 1 / (1 + 3 ** 2), rel_tol=1e-9):
        return passed("beta_2 = 1/(1 + C^2) = 1/10.")
    return failed("Theorem 1 takes beta_2 = 1/(1 + C^2).")
