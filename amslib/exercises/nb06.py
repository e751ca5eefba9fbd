"""Checks for the exercises of notebook 07 (real data, and what came after AMSGrad; the
module keeps its name from before notebook 03 was split)."""
from __future__ import annotations

import math

import numpy as np

from . import checker, close, failed, not_attempted, number, number_answer, passed, real_array, show


# ----------------------------------------------------------------------------- 07.1
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
    """Notebook 07, exercise 1: best_alpha(alphas, final_losses) -> the alpha with the lowest mean loss.

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


# ----------------------------------------------------------------------------- 07.2
#: Relative tolerance of check_warmup_fraction. The question asks for three decimals:
#: 0.198 (rounded) and 0.197 (truncated) are both within 1 % of 1 - 0.999^220 = 0.19757,
#: while the typical mistakes (0.802, 0.890, 0.22) are more than 10 % away.
REL_TOL_WARMUP = 0.01


@checker
def check_warmup_fraction(answer) -> bool:
    """Notebook 07, exercise 2: 1 - beta_2^T for beta_2 = 0.999 and T = 220 steps, to three
    decimals (0.198)."""
    value = number_answer(answer)
    if value is None:
        return False
    want = 1.0 - 0.999 ** 220

    def near(x):
        return math.isclose(value, x, rel_tol=REL_TOL_WARMUP)
    if near(want):
        return passed(f"1 - 0.999^220 = {want:.4f}: the raw v_t is still only about a fifth of "
                      "its long-run size and still rising; one step lowers it by at most the factor beta_2, so "
                      "its running maximum stays close to v_t.")
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


# ----------------------------------------------------------------------------- 07.3
def reference_yogi_v(v, g, beta2):
    """Yogi's second moment: v - (1 - beta_2) sign(v - g^2) g^2 (element-wise)."""
    v = np.asarray(v, dtype=float)
    g2 = np.asarray(g, dtype=float) ** 2
    return v - (1.0 - beta2) * np.sign(v - g2) * g2


@checker
def check_yogi_v(yogi_v) -> bool:
    """Notebook 07, exercise 3: yogi_v(v, g, beta2) -> Yogi's v_t from v_{t-1} and g_t (NumPy arrays)."""
    if not_attempted(yogi_v):
        return False
    if not callable(yogi_v):
        return failed("expected a function yogi_v(v, g, beta2).")
    rng = np.random.default_rng(63)
    cases = [(np.array([4.0, 1.0, 9.0]), np.array([1.0, 2.0, 3.0]), 0.9)]  # >, <, = cases
    for _ in range(20):
        v = rng.uniform(0, 10, size=5)
        g = rng.normal(size=5) * rng.choice([0.1, 1.0, 5.0], size=5)
        cases.append((v, g, float(rng.choice([0.9, 0.99, 0.999]))))
    for v, g, beta2 in cases:
        try:
            got = yogi_v(v.copy(), g.copy(), beta2)
        except Exception as exc:  # the learner's code may raise anything
            return failed(f"your function raised {type(exc).__name__}: {exc}")
        if got is None:
            not_attempted(None)
            return False
        try:
            got = real_array(got)
        except (TypeError, ValueError):
            return failed(f"expected an array, got {type(got).__name__}.")
        want = reference_yogi_v(v, g, beta2)
        if got.shape != want.shape:
            return failed(f"expected shape {want.shape} (one v per coordinate), got {got.shape}.")
        if np.allclose(got, want, rtol=1e-12, atol=1e-15):
            continue
        g2 = g * g
        if np.allclose(got, beta2 * v + (1 - beta2) * g2, rtol=1e-12):
            return failed("that is Adam's v_t; Yogi moves v by (1 - beta_2) g_t^2 only, in the "
                          "direction of sign(g_t^2 - v_{t-1}).")
        if np.allclose(got, v + (1 - beta2) * np.sign(v - g2) * g2, rtol=1e-12):
            return failed("sign: v should move towards g_t^2, so subtract "
                          "(1 - beta_2) sign(v_{t-1} - g_t^2) g_t^2.")
        if np.allclose(got, v - (1 - beta2) * np.sign(v - g) * g2, rtol=1e-12) or \
                np.allclose(got, v - (1 - beta2) * np.sign(v - g2) * g, rtol=1e-12):
            return failed("use the squared gradient g_t^2 in both places.")
        return failed(f"for v = {np.round(v[:3], 3)}..., g = {np.round(g[:3], 3)}..., beta_2 = "
                      f"{beta2}: expected {np.round(want[:3], 4)}..., got {np.round(got[:3], 4)}...")
    return passed("v_t = v_{t-1} - (1 - beta_2) sign(v_{t-1} - g_t^2) g_t^2: "
                  "it moves towards g_t^2 by a step that does not depend on v_{t-1}.")
