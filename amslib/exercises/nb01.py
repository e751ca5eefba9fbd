"""Checks for the exercises of notebook 01 (from gradient descent to RMSProp)."""
from __future__ import annotations

import math

import numpy as np

from ..optimizers import RMSProp, RMSPropState
from . import checker, failed, not_attempted, number_answer, passed, real_array, tol

__all__ = ["check_max_lr", "check_ema_weights", "check_rmsprop_step"]


# ----------------------------------------------------------------------------- exercise 1
@checker
def check_max_lr(answer) -> bool:
    """Exercise 01.1: the largest step size for which gradient descent converges on
    f(x) = (2 x_1^2 + 50 x_2^2) / 2 (any start point): the supremum 2 / max(a, b)."""
    value = number_answer(answer)
    if value is None:
        return False
    a, b = 2.0, 50.0
    if math.isclose(value, 2.0 / b, rel_tol=tol(1e-6)):
        return passed("alpha must stay below 2 / b = 0.04: then |1 - alpha b| < 1 "
                      "(and |1 - alpha a| < 1 follows).")
    if math.isclose(value, 1.0 / b, rel_tol=tol(1e-6)):
        return failed("alpha = 1 / b zeroes the steep coordinate in one step, but larger steps "
                      "still converge: the condition is |1 - alpha b| < 1.")
    if math.isclose(value, 2.0 / a, rel_tol=tol(1e-6)) or math.isclose(value, 1.0 / a, rel_tol=tol(1e-6)):
        return failed("that bound comes from the flat coordinate (curvature a = 2); "
                      "the steep one (b = 50) diverges first.")
    if math.isclose(value, 2.0 / (a + b), rel_tol=tol(1e-6)):
        return failed("2 / (a + b) is the step that makes both coordinates shrink equally fast, "
                      "not the largest one that converges.")
    return failed("each coordinate is multiplied by (1 - alpha * curvature) at every step; "
                  "for which alpha do both factors stay in (-1, 1)?")


# ----------------------------------------------------------------------------- exercise 2
def _ema_weights(beta: float, t: int) -> np.ndarray:
    k = np.arange(1, t + 1)
    return (1.0 - beta) * beta ** (t - k)


@checker
def check_ema_weights(ema_weights) -> bool:
    """Exercise 01.2: ``ema_weights(beta, t)`` returns the array w of length t with
    m_t = sum_k w[k-1] g_k, i.e. w[k-1] = (1 - beta) beta^(t - k)."""
    if not_attempted(ema_weights):
        return False
    if not callable(ema_weights):
        return failed(f"expected a function ema_weights(beta, t), got {type(ema_weights).__name__}.")
    cases = [(0.9, 5), (0.5, 3), (0.99, 40), (0.0, 4), (0.7, 1)]
    for beta, t in cases:
        want = _ema_weights(beta, t)
        try:
            got = real_array(ema_weights(beta, t))
        except Exception as exc:  # the learner's code may raise anything
            return failed(f"ema_weights({beta}, {t}) raised {type(exc).__name__}: {exc}")
        if got.shape != want.shape:
            return failed(f"ema_weights({beta}, {t}) should have shape ({t},), one weight per "
                          f"gradient g_1 ... g_{t}; got shape {got.shape}.")
        if np.allclose(got, want, rtol=tol(1e-9), atol=1e-12):
            continue
        if np.allclose(got[::-1], want, rtol=tol(1e-9), atol=1e-12):
            return failed("the weights are in reverse order: w[0] belongs to the oldest gradient "
                          "g_1 and is the smallest; the newest, g_t, gets 1 - beta.")
        if beta < 1.0 and np.allclose(got * (1.0 - beta), want, rtol=tol(1e-9), atol=1e-12):
            return failed("missing the factor (1 - beta): m_t = beta m_{t-1} + (1 - beta) g_t.")
        if np.allclose(got, want * beta, rtol=tol(1e-9), atol=1e-12) or \
                np.allclose(got * beta, want, rtol=tol(1e-9), atol=1e-12):
            return failed("the exponent is off by one: g_t itself has weight (1 - beta) beta^0.")
        return failed(f"ema_weights({beta}, {t}) is wrong: unroll m_t = beta m_(t-1) + (1 - beta) g_t "
                      "with m_0 = 0 and read off the factor in front of each g_k.")
    return passed("the weights (1 - beta) beta^(t-k) sum to 1 - beta^t, not to 1.")


# ----------------------------------------------------------------------------- exercise 3
@checker
def check_rmsprop_step(rmsprop_step) -> bool:
    """Exercise 01.3: ``rmsprop_step(x, g, v, lr, beta, eps) -> (x_new, v_new)``, compared
    with :class:`amslib.optimizers.RMSProp` over several chained steps on random inputs."""
    if not_attempted(rmsprop_step):
        return False
    if not callable(rmsprop_step):
        return failed(f"expected a function rmsprop_step(x, g, v, lr, beta, eps), "
                      f"got {type(rmsprop_step).__name__}.")
    rng = np.random.default_rng(101)
    for lr, beta, eps in [(0.1, 0.9, 1e-8), (0.01, 0.99, 1e-3), (0.5, 0.5, 0.1)]:
        ref = RMSProp(lr=lr, beta=beta, eps=eps)
        x = rng.normal(size=4)
        v = rng.uniform(0.0, 2.0, size=4)  # continue a run: the average so far is not zero
        state = RMSPropState(t=5, v=v)
        for _ in range(1, 4):
            g = rng.normal(size=4) * np.array([1e-3, 1.0, 10.0, 0.1])
            want_x, state = ref.step(x, g, state)
            try:
                with np.errstate(all="ignore"):  # a wrong answer may divide by 0: hint, not warn
                    out = rmsprop_step(x.copy(), g.copy(), v.copy(), lr, beta, eps)
                got_x, got_v = (real_array(a) for a in out)
            except Exception as exc:
                return failed(f"rmsprop_step raised {type(exc).__name__}: {exc} "
                              "(it should return the pair (x_new, v_new)).")
            if got_x.shape != x.shape or got_v.shape != x.shape:
                return failed("return the pair (x_new, v_new), each with the shape of x.")
            if not np.allclose(got_v, state.v, rtol=tol(1e-9), atol=1e-15):
                if np.allclose(got_x, state.v, rtol=tol(1e-9), atol=1e-15):
                    return failed("return (x_new, v_new) in that order.")
                return failed(_diagnose_v(g, v, beta, got_v))
            if not np.allclose(got_x, want_x, rtol=tol(1e-9), atol=1e-12):
                return failed(_diagnose_x(x, g, v, lr, beta, eps, got_x))
            x, v = want_x, state.v
    return passed("your RMSProp step matches amslib.optimizers.RMSProp.")


def _diagnose_v(g, v, beta, got_v) -> str:
    close = lambda a: np.allclose(got_v, a, rtol=tol(1e-9), atol=1e-15)  # noqa: E731
    if close(beta * v + (1 - beta) * g):
        return "v_t averages the squared gradients: use g * g (or g**2), not g."
    if close(beta * v + g * g):
        return "missing the factor (1 - beta) in front of g_t^2."
    if close(v + g * g):
        return "that is AdaGrad's running sum; RMSProp forgets: v_t = beta v_(t-1) + (1 - beta) g_t^2."
    if close((1 - beta) * v + beta * g * g):
        return "beta and 1 - beta are swapped: the old average gets beta, the new g_t^2 gets 1 - beta."
    return "v_new should be beta * v + (1 - beta) * g**2."


def _diagnose_x(x, g, v, lr, beta, eps, got_x) -> str:
    v_new = beta * v + (1 - beta) * g * g
    close = lambda a: np.allclose(got_x, a, rtol=tol(1e-9), atol=1e-12)  # noqa: E731
    if close(x - lr * g / np.sqrt(v_new + eps)):
        return "eps belongs outside the square root: g / (sqrt(v) + eps)."
    if close(x - lr * g / (np.sqrt(v) + eps)):
        return "divide by the new average v_t (updated with this g_t), not the old one."
    if close(x + lr * g / (np.sqrt(v_new) + eps)):
        return "the sign is wrong: step against the gradient."
    if close(x - lr * g / (v_new + eps)):
        return "divide by the square root of v_t, not by v_t."
    return "x_new should be x - lr * g / (sqrt(v_new) + eps)."


def expected_answers() -> dict:
    """The right answers of this notebook's value exercises (for the student edition's
    sealed checkers, :mod:`amslib.exercises.sealed`)."""
    return {"check_max_lr": [2.0 / 50.0]}
