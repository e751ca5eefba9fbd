"""Checks for the exercises of notebook 08 (real data: Adam and AMSGrad on the digits)."""
from __future__ import annotations

import math

import numpy as np

from . import checker, close, failed, not_attempted, number, number_answer, passed

__all__ = ["check_best_alpha", "check_warmup_fraction", "reference_best_alpha"]


# ----------------------------------------------------------------------------- 08.1
def reference_best_alpha(alphas, final_losses) -> float:
    """The alpha whose final loss, averaged over seeds (axis 1), is lowest."""
    final_losses = np.asarray(final_losses, dtype=float)
    return float(np.asarray(alphas, dtype=float)[int(np.argmin(final_losses.mean(axis=1)))])


def _best_alpha_cases():
    """(alphas, losses) pairs on which the usual mistakes give a different answer."""
    alphas = [0.001, 0.003, 0.01, 0.03]
    # the mean picks 0.01; the single luckiest seed is at 0.03
    lucky = np.array([[0.40, 0.41, 0.39],
                      [0.20, 0.21, 0.22],
                      [0.15, 0.16, 0.14],
                      [0.05, 0.30, 0.31]])
    yield alphas, lucky
    rng = np.random.default_rng(6)
    for _ in range(20):
        k, s = int(rng.integers(2, 6)), int(rng.integers(1, 6))
        a = sorted(rng.choice([1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0], size=k,
                              replace=False).tolist())
        yield a, rng.uniform(0.05, 2.0, size=(k, s))


@checker
def check_best_alpha(best_alpha) -> bool:
    """Notebook 08, exercise 1: best_alpha(alphas, final_losses) -> the alpha with the lowest mean loss.

    ``final_losses[i, j]`` is the final loss of step size ``alphas[i]`` with seed j.
    """
    if not_attempted(best_alpha):
        return False
    if not callable(best_alpha):
        return failed("expected a function best_alpha(alphas, final_losses).")
    for alphas, losses in _best_alpha_cases():
        try:
            got = best_alpha(list(alphas), losses.copy())
        except Exception as exc:  # the learner's code may raise anything
            return failed(f"your function raised {type(exc).__name__}: {exc}")
        if got is None:
            not_attempted(None)
            return False
        want = reference_best_alpha(alphas, losses)
        value = number(got)
        if value is None:
            return False
        if close(value, want):
            continue
        i = int(np.argmin(losses.mean(axis=1)))
        if value == i and not close(want, i):
            return failed("you returned the index of the best step size; return alphas[index].")
        if close(value, alphas[int(np.argmin(losses.min(axis=1)))]):
            return failed("you picked the step size with the single luckiest seed; average "
                          "over the seeds (axis 1) first, then take the smallest mean.")
        if close(value, alphas[int(np.argmax(losses.mean(axis=1)))]):
            return failed("that is the worst step size: take the smallest mean loss, not the largest.")
        return failed(f"for alphas = {alphas} and mean losses "
                      f"{np.round(losses.mean(axis=1), 3).tolist()} expected {want:g}, got {value:g}.")
    return passed("the step size with the lowest mean loss over the seeds.")


# ----------------------------------------------------------------------------- 08.2
#: Relative tolerance of check_warmup_fraction. The question asks for three decimals:
#: 0.198 (rounded) and 0.197 (truncated) are both within 1 % of 1 - 0.999^220 = 0.19757,
#: while the typical mistakes (0.802, 0.890, 0.22) are more than 10 % away.
REL_TOL_WARMUP = 0.01


@checker
def check_warmup_fraction(answer) -> bool:
    """Notebook 08, exercise 2: 1 - beta_2^T for beta_2 = 0.999 and T = 220 steps, to three
    decimals (0.198)."""
    value = number_answer(answer)
    if value is None:
        return False
    want = 1.0 - 0.999 ** 220

    def near(x):
        return math.isclose(value, x, rel_tol=REL_TOL_WARMUP)
    if near(want):
        return passed(f"1 - 0.999^220 = {want:.4f}: the raw v_t is still only about a fifth of "
                      "its long-run size and still rising; over all 220 steps it can fall by at most the "
                      "factor beta_2^(T-1) = 0.999^219 = 0.803, so its running maximum stays within "
                      "beta_2^-(T-1) = 0.999^-219 = 1.245 times v_t.")
    if round(value, 2) == round(want, 2):
        return failed(f"{value:g} is right to two decimals; give three (compute 1 - 0.999**220).")
    if near(0.999 ** 220):
        return failed("that is beta_2^T, the weight the zero start still has; the fraction "
                      "reached is 1 - beta_2^T.")
    if near(1.0 - 0.99 ** 220):
        return failed("that is for beta_2 = 0.99; the exercise asks for 0.999.")
    if near(220 * 0.001):
        return failed("T (1 - beta_2) is the first-order approximation; compute 1 - beta_2^T exactly.")
    return failed("with v_0 = 0 and g_t^2 = G for all t, v_T = (1 - beta_2^T) G.")
