"""Checks for the exercises of notebook 06 (what the paper proves about AMSGrad: AdamNC)."""
from __future__ import annotations

import numpy as np

from . import TooCoarse, checker, close, failed, not_attempted, passed, real_array, show, tol

__all__ = ["check_adamnc_v", "reference_adamnc_v"]


def reference_adamnc_v(grads):
    """AdamNC's second moment v_1..v_T with beta_2t = 1 - 1/t and v_0 = 0 (Reddi et al.,
    Algorithm 3): v_t = (1 - 1/t) v_{t-1} + (1/t) g_t^2 = (1/t) sum_{s <= t} g_s^2."""
    g2 = np.asarray(grads, dtype=float) ** 2
    return np.cumsum(g2) / np.arange(1, len(g2) + 1)


def _ema(values, beta2):
    out, acc = np.empty(len(values)), 0.0
    for i, value in enumerate(values):
        acc = beta2 * acc + (1 - beta2) * value
        out[i] = acc
    return out


def _counterexample(steps):
    t = np.arange(1, steps + 1)
    return np.where(t % 101 == 1, 1010.0, -10.0)


def _adamnc_cases():
    rng = np.random.default_rng(6)
    yield np.array([3.0, 1.0, 0.0])
    yield rng.normal(size=7) * 2.0
    yield _counterexample(303)
    yield rng.standard_t(df=3, size=50) * np.array([0.1, 10.0] * 25)


def _adamnc_hint(g, got) -> str:
    g2 = g * g
    t = np.arange(1, len(g) + 1)
    near = lambda a: a.shape == got.shape and np.allclose(got, a, rtol=tol(1e-6), atol=1e-12)  # noqa: E731
    if near(np.cumsum(g2)):
        return "that is the sum of the squared gradients; AdamNC's v_t is their average: divide by t."
    if near(np.cumsum(g) / t) or near(np.abs(np.cumsum(g)) / t):
        return "v_t averages the squared gradients g_t**2, not the gradients."
    if near(np.maximum.accumulate(g2)):
        return ("that is the running maximum of g_t**2 (AMSGrad's idea); AdamNC keeps the plain "
                "average of all squared gradients so far.")
    for beta2 in (0.9, 0.99, 0.999):
        if near(_ema(g2, beta2)):
            return (f"that is Adam's v_t with a constant beta_2 = {beta2}; AdamNC's beta_2t = 1 - 1/t "
                    "changes with t.")
    if near(np.cumsum(g2) / (t + 1)) or near(np.concatenate([[0.0], np.cumsum(g2)[:-1] / t[:-1]])):
        return "count the steps from t = 1: beta_21 = 1 - 1/1 = 0, so v_1 = g_1**2."
    if not np.all(np.isfinite(got)):
        return ("your v contains inf or nan: with t counted from 1, beta_2t = 1 - 1/t never divides "
                "by zero.")
    return (f"for the {len(g)} gradients {show(list(np.round(g, 3)))} expected v = "
            f"{show(list(np.round(reference_adamnc_v(g), 4)))}; v_t = (1 - 1/t) v_(t-1) + (1/t) g_t**2.")


@checker
def check_adamnc_v(adamnc_v) -> bool:
    """Notebook 06, exercise 1: adamnc_v(grads) -> AdamNC's v_1..v_T (beta_2t = 1 - 1/t, v_0 = 0).

    Tries sequences of several lengths (a hand-sized one, random ones, the counterexample's
    spikes), each passed as a fresh copy, and compares with :func:`reference_adamnc_v`.
    """
    if not_attempted(adamnc_v):
        return False
    if not callable(adamnc_v):
        return failed(f"expected a function adamnc_v(grads), got {show(adamnc_v)}.")
    cases = list(_adamnc_cases())
    for g in cases:
        want = reference_adamnc_v(g)
        try:
            with np.errstate(all="ignore"):
                out = adamnc_v(g.copy())
        except ZeroDivisionError:
            return failed("your function divided by zero: count the steps from t = 1 "
                          "(beta_21 = 1 - 1/1 = 0, so v_1 = g_1**2).")
        except Exception as exc:  # the learner's code may raise anything
            return failed(f"your function raised {type(exc).__name__}: {show(str(exc))}")
        if not_attempted(out):
            return False
        try:
            got = real_array(out)
        except TooCoarse as exc:
            return failed(f"{exc}.")
        except Exception:
            return failed(f"return a NumPy array of numbers, one v_t per step; got {show(out)}.")
        if got.shape != want.shape:
            if got.size == 1 and close(float(got.reshape(-1)[0]), want[-1]):
                return failed("that is v_T alone; return the whole sequence v_1, ..., v_T.")
            return failed(f"return one v_t per step: an array of shape {want.shape} for {len(g)} "
                          f"gradients, got shape {got.shape}.")
        if not np.allclose(got, want, rtol=tol(1e-6), atol=1e-12):  # float32 answers pass
            return failed(_adamnc_hint(g, got))
    return passed(f"v_t is the average of the squared gradients so far, for {len(cases)} sequences; "
                  "a spike stays in it with weight 1/t, never forgotten.")
