"""Checks for the exercises of notebook 09 (beyond AMSGrad: Yogi)."""
from __future__ import annotations

import numpy as np

from . import TooCoarse, checker, failed, not_attempted, passed, real_array, tol

__all__ = ["check_yogi_v", "reference_yogi_v"]


def reference_yogi_v(v, g, beta2):
    """Yogi's second moment: v - (1 - beta_2) sign(v - g^2) g^2 (element-wise)."""
    v = np.asarray(v, dtype=float)
    g2 = np.asarray(g, dtype=float) ** 2
    return v - (1.0 - beta2) * np.sign(v - g2) * g2


@checker
def check_yogi_v(yogi_v) -> bool:
    """Notebook 09, exercise 1: yogi_v(v, g, beta2) -> Yogi's v_t from v_{t-1} and g_t (NumPy arrays)."""
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
        except TooCoarse as exc:
            return failed(f"{exc}.")
        except (TypeError, ValueError):
            return failed(f"expected an array, got {type(got).__name__}.")
        want = reference_yogi_v(v, g, beta2)
        if got.shape != want.shape:
            return failed(f"expected shape {want.shape} (one v per coordinate), got {got.shape}.")
        if np.allclose(got, want, rtol=tol(1e-12), atol=1e-15):
            continue
        g2 = g * g
        if np.allclose(got, beta2 * v + (1 - beta2) * g2, rtol=tol(1e-12)):
            return failed("that is Adam's v_t; Yogi moves v by (1 - beta_2) g_t^2 only, in the "
                          "direction of sign(g_t^2 - v_{t-1}).")
        if np.allclose(got, v + (1 - beta2) * np.sign(v - g2) * g2, rtol=tol(1e-12)):
            return failed("sign: v should move towards g_t^2, so subtract "
                          "(1 - beta_2) sign(v_{t-1} - g_t^2) g_t^2.")
        if np.allclose(got, v - (1 - beta2) * np.sign(v - g) * g2, rtol=tol(1e-12)) or \
                np.allclose(got, v - (1 - beta2) * np.sign(v - g2) * g, rtol=tol(1e-12)):
            return failed("use the squared gradient g_t^2 in both places.")
        if np.allclose(got, v - np.sign(v - g2) * g2, rtol=tol(1e-12)):
            return failed("missing the factor (1 - beta_2): v moves by (1 - beta_2) g_t^2, not by g_t^2.")
        if np.allclose(got, v - beta2 * np.sign(v - g2) * g2, rtol=tol(1e-12)):
            return failed("beta_2 and 1 - beta_2 are swapped: the step is (1 - beta_2) sign(v_{t-1} - g_t^2) g_t^2.")
        return failed(f"for v = {np.round(v[:3], 3)}..., g = {np.round(g[:3], 3)}..., beta_2 = "
                      f"{beta2}: expected {np.round(want[:3], 4)}..., got {np.round(got[:3], 4)}...")
    return passed("v_t = v_{t-1} - (1 - beta_2) sign(v_{t-1} - g_t^2) g_t^2: "
                  "it moves towards g_t^2 by a step that does not depend on v_{t-1}.")
