"""Checks for the exercises of notebook 04 (AMSGrad from scratch)."""
from __future__ import annotations

import numpy as np

from . import failed, not_attempted, passed


def reference_amsgrad_step(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):
    """One AMSGrad step in the paper's form (no bias correction); returns (x, m, v, v_hat)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    v_hat = np.maximum(v_hat, v)
    return x - alpha * m / (np.sqrt(v_hat) + eps), m, v, v_hat


def check_amsgrad_step(step) -> bool:
    """Exercise 04.1: amsgrad_step(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps)."""
    if not_attempted(step):
        return False
    if not callable(step):
        return failed("expected a function amsgrad_step(...).")
    z = np.zeros(1)
    try:
        if not_attempted(step(z, z + 1.0, z, z, z, 1, 0.1, 0.9, 0.99, 1e-8)):
            return False  # the template still returns None
    except Exception as exc:  # the learner's code may raise anything
        return failed(f"your function raised {type(exc).__name__}: {exc}")
    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, 3)
    m = v = v_hat = np.zeros(3)
    ref = (x, m, v, v_hat)
    for t in range(1, 30):
        g = rng.normal(size=3) * (20.0 if t % 7 == 1 else 1.0)
        args = (t, 0.1, 0.9, 0.99, 1e-8)
        got = step(x, g, m, v, v_hat, *args)
        ref = reference_amsgrad_step(*ref[:1], g, *ref[1:], *args)
        x, m, v, v_hat = (np.asarray(a, dtype=float) for a in got)
        if not np.allclose(v_hat, ref[3], rtol=1e-12):
            if np.allclose(v_hat, ref[2], rtol=1e-12):
                return failed(f"at t = {t} v_hat equals v: keep the running maximum, max(v_hat, v).")
            return failed(f"v_hat differs at t = {t}: expected {ref[3]}, got {v_hat}.")
        if not np.allclose(x, ref[0], rtol=1e-12, atol=1e-15):
            return failed(f"x differs at t = {t}: divide m_t by sqrt(v_hat_t) + eps (the paper's form, "
                          "no bias correction).")
    return passed("your step matches the paper's AMSGrad for 29 steps.")


def check_running_max(answer) -> bool:
    """Exercise 04.2: v_hat for v = [4, 1, 9, 2, 9.5]."""
    if not_attempted(answer):
        return False
    try:
        got = [float(a) for a in answer]
    except (TypeError, ValueError):
        return failed("expected a list of five numbers.")
    want = list(np.maximum.accumulate([4, 1, 9, 2, 9.5]))
    if got == want:
        return passed("v_hat never decreases: [4, 4, 9, 9, 9.5].")
    if got == [4, 1, 9, 2, 9.5]:
        return failed("that is v itself; v_hat_t = max(v_hat_{t-1}, v_t).")
    return failed("v_hat_t = max(v_hat_{t-1}, v_t), starting from v_hat_1 = v_1.")


def check_gamma(answer) -> bool:
    """Exercise 04.3: the sign of AMSGrad's Gamma_t with alpha_t = alpha / sqrt(t) (a letter)."""
    if not_attempted(answer):
        return False
    choice = str(answer).strip().lower().strip("()").strip()
    if choice == "b":
        return passed("sqrt(v_hat_t) never decreases and 1/alpha_t never decreases, so their "
                      "product never decreases: Gamma_t >= 0.")
    if choice == "a":
        return failed("that is Adam's problem: v_t can fall after a spike, AMSGrad's v_hat cannot.")
    if choice not in ("a", "b", "c"):
        return failed(f"answer with one letter, a, b or c (got {answer!r}).")
    return failed("both factors of sqrt(v_hat_t) / alpha_t are non-decreasing in t.")
