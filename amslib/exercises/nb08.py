"""Checks for the exercises of notebook 08 (real data: Adam and AMSGrad on the digits)."""
from __future__ import annotations

import math

import numpy as np

from . import agrees, checker, close, failed, not_attempted, number, number_answer, passed

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
    cases = list(_best_alpha_cases())
    values = []
    for alphas, losses in cases:
        try:
            got = best_alpha(list(alphas), losses.copy())
        except IndexError as exc:
            return failed(f"your function raised IndexError: {exc}. If you averaged over axis 0, that gives one "
                          "mean per seed, not per step size: average over axis 1 (the seeds).")
        except Exception as exc:  # the learner's code may raise anything
            return failed(f"your function raised {type(exc).__name__}: {exc}")
        if got is None:
            not_attempted(None)
            return False
        value = number(got)
        if value is None:
            return False
        values.append(value)
    wants = [reference_best_alpha(a, L) for a, L in cases]
    if all(close(v, w) for v, w in zip(values, wants)):
        return passed("the step size with the lowest mean loss over the seeds.")
    # Name the mistake that explains *every* answer, not the first one a single case allows
    # (on the first case the wrong axis and the worst step size give the same alpha).
    for hint, mistake in _BEST_ALPHA_MISTAKES:
        made = [mistake(np.asarray(a, dtype=float), L) for a, L in cases]
        if all(m is None or close(v, m) for v, m in zip(values, made)) and any(m is not None for m in made):
            return failed(hint)
    (alphas, losses), value, want = next((c, v, w) for c, v, w in zip(cases, values, wants) if not close(v, w))
    return failed(f"for alphas = {alphas} and mean losses "
                  f"{np.round(losses.mean(axis=1), 3).tolist()} expected {want:g}, got {value:g}.")


def _axis0(a, L):
    """alphas[argmin of the mean over axis 0], where that index exists."""
    j = int(np.argmin(L.mean(axis=0)))
    return float(a[j]) if j < len(a) else None


#: (hint, what the mistake returns): checked in this order, each against every case.
_BEST_ALPHA_MISTAKES = [
    ("you returned the index of the best step size; return alphas[index].",
     lambda a, L: float(np.argmin(L.mean(axis=1)))),
    ("you averaged over axis 0 (over the step sizes, one mean per seed); average over axis 1 "
     "(the seeds), one mean per step size, then take the smallest.", _axis0),
    ("you picked the step size with the single luckiest seed; average over the seeds (axis 1) "
     "first, then take the smallest mean.", lambda a, L: float(a[int(np.argmin(L.min(axis=1)))])),
    ("that is the worst step size: take the smallest mean loss, not the largest.",
     lambda a, L: float(a[int(np.argmax(L.mean(axis=1)))])),
    ("you took the smallest step size, whatever the losses; compare the mean losses.",
     lambda a, L: float(np.min(a))),
]


# ----------------------------------------------------------------------------- 08.2
#: How near a typical mistake (0.802, 0.890, 0.22, all more than 10 % away) must be to get
#: its hint. The answer itself must be 1 - 0.999^220 = 0.19757 rounded or truncated to three
#: or more digits (0.198, 0.197, 0.1976): see agrees(); 0.196 and 0.1995 fail.
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
    if agrees(value, want, digits=3):   # 0.198, 0.197 (truncated), 0.1976; not 0.196 or 0.1995
        return passed(f"1 - 0.999^220 = {want:.4f}: the raw v_t is still only about a fifth of "
                      "its long-run size and still rising; over all 220 steps it can fall by at most the "
                      "factor beta_2^(T-1) = 0.999^219 = 0.803, so its running maximum stays within "
                      "beta_2^-(T-1) = 0.999^-219 = 1.245 times v_t.")
    if agrees(value, 1.0 - 0.999 ** 219, digits=4) or agrees(value, 1.0 - 0.999 ** 221, digits=4):
        return failed("the exponent is off by one: after T = 220 steps from v_0 = 0, "
                      "v_T = (1 - beta_2^220) G.")
    if round(value, 2) == round(want, 2):
        return failed(f"{value:g} agrees with the answer to two decimals only; give three correct "
                      "significant digits (compute 1 - 0.999**220).")
    if agrees(value / 100, want, digits=3):
        return failed("that is a percentage; give the fraction, a number between 0 and 1 "
                      f"({value:g} % is {value / 100:g}).")
    if near(0.999 ** 220):
        return failed("that is beta_2^T, the weight the zero start still has; the fraction "
                      "reached is 1 - beta_2^T.")
    if near(1.0 - 0.99 ** 220):
        return failed("that is for beta_2 = 0.99; the exercise asks for 0.999.")
    if near(220 * 0.001):
        return failed("T (1 - beta_2) is the first-order approximation; compute 1 - beta_2^T exactly.")
    return failed("with v_0 = 0 and g_t^2 = G for all t, v_T = (1 - beta_2^T) G.")


def expected_answers() -> dict:
    """The right answers of this notebook's value exercises (for the student edition's
    sealed checkers, :mod:`amslib.exercises.sealed`)."""
    return {"check_warmup_fraction": [1.0 - 0.999 ** 220]}
