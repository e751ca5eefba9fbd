"""Checks for the exercises of notebook 05 (AMSGrad from scratch)."""
from __future__ import annotations

import contextlib
import io
import itertools

import numpy as np

from . import TooCoarse, checker, close, failed, letter_answer, not_attempted, number, passed, real_array, show, tol

__all__ = ["check_amsgrad_step", "check_running_max", "check_gamma", "reference_amsgrad_step"]


def reference_amsgrad_step(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):
    """One AMSGrad step as notebook 05's exercise 1 asks: Reddi et al.'s Algorithm 2 without its
    projection and without bias correction, eps outside the square root (PyTorch's
    place for it). Returns new arrays (x, m, v, v_hat); the inputs are not modified."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    v_hat = np.maximum(v_hat, v)
    return x - alpha * m / (np.sqrt(v_hat) + eps), m, v, v_hat


#: (alpha, beta_1, beta_2, eps) of the checked runs: every hyperparameter varies, and some
#: runs leave [-1, 1] (so a projection shows) or have a large eps (so its place shows).
_CASES = [(0.1, 0.9, 0.99, 1e-8), (0.5, 0.0, 0.9, 0.25), (0.02, 0.5, 0.999, 1e-3),
          (1.5, 0.8, 0.5, 1.0)]
_STEPS = 8


def _as_array(a, shape):
    a = real_array(a)
    if a.shape != shape:
        raise ValueError(f"shape {a.shape}")
    return a


def _x_hint(x, m, v, v_old, v_hat, t, alpha, beta1, beta2, eps, got_x, want_x) -> str:
    near = lambda a: np.allclose(got_x, a, rtol=tol(1e-9), atol=1e-12)  # noqa: E731
    if not np.allclose(want_x, np.clip(want_x, -1, 1)) and near(np.clip(want_x, -1, 1)):
        return ("x was projected (clipped) onto [-1, 1]: the exercise asks for the optimizer's "
                "step alone, without the projection (the simulator projects separately).")
    if near(x - alpha * m / np.sqrt(v_hat + eps)):
        return "eps belongs outside the square root: m_t / (sqrt(v_hat_t) + eps), as in PyTorch."
    if near(x - alpha * m / np.sqrt(v_hat)):
        return "add eps to the denominator: m_t / (sqrt(v_hat_t) + eps)."
    if near(x - alpha / (1 - beta1 ** t) * m / (np.sqrt(v_hat / (1 - beta2 ** t)) + eps)) or \
            near(x - alpha / (1 - beta1 ** t) * m / (np.sqrt(v_hat) / np.sqrt(1 - beta2 ** t) + eps)):
        return "no bias correction in this exercise: x_t - alpha m_t / (sqrt(v_hat_t) + eps)."
    if near(x - alpha * m / (np.sqrt(v) + eps)):
        return "x divides by sqrt(v_t): AMSGrad divides by the running maximum, sqrt(v_hat_t)."
    if near(x + alpha * m / (np.sqrt(v_hat) + eps)):
        return "the sign is wrong: step against the averaged gradient."
    return (f"x differs at t = {t} (alpha = {alpha}, eps = {eps}): expected {np.round(want_x, 6)}, "
            f"got {np.round(got_x, 6)}; x_(t+1) = x_t - alpha m_t / (sqrt(v_hat_t) + eps).")


@checker
def check_amsgrad_step(step) -> bool:
    """Notebook 05, exercise 1: amsgrad_step(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps) -> (x, m, v, v_hat).

    Several runs of a few chained steps, with different alpha, beta_1, beta_2 and eps;
    each call gets its own copies of the arrays (so an in-place solution is fine), and
    all four returned values are compared with :func:`reference_amsgrad_step`.
    """
    if not_attempted(step):
        return False
    if not callable(step):
        return failed(f"expected a function amsgrad_step(...), got {show(step)}.")
    rng = np.random.default_rng(4)
    for alpha, beta1, beta2, eps in _CASES:
        x = rng.uniform(-1, 1, 3)
        m, v, v_hat = np.zeros(3), np.zeros(3), np.zeros(3)
        for t in range(1, _STEPS + 1):
            g = rng.normal(size=3) * (20.0 if t % 4 == 1 else 1.0)
            hyper = (t, alpha, beta1, beta2, eps)
            want = reference_amsgrad_step(x, g, m, v, v_hat, *hyper)
            try:
                with np.errstate(all="ignore"):  # a wrong answer may divide by 0: hint, not warn
                    out = step(x.copy(), g.copy(), m.copy(), v.copy(), v_hat.copy(), *hyper)
            except Exception as exc:  # the learner's code may raise anything
                return failed(f"your function raised {type(exc).__name__} at t = {t}: {show(str(exc))}")
            if not_attempted(out):  # the template still returns None
                return False
            try:
                got = list(itertools.islice(iter(out), 5))
            except TypeError:
                got = None
            if got is None or len(got) != 4:
                n = "something else" if got is None else f"{len(got)} values"
                return failed(f"return the four values (x, m, v, v_hat), in that order; got {n}.")
            try:
                gx, gm, gv, gvh = (_as_array(a, x.shape) for a in got)
            except TooCoarse as exc:
                return failed(f"{exc}.")
            except Exception:
                return failed("return (x, m, v, v_hat) as NumPy arrays with the shape of x.")
            m_new, v_new, vh_new = want[1], want[2], want[3]
            near = lambda a, b: np.allclose(a, b, rtol=tol(1e-9), atol=1e-15)  # noqa: E731
            if not near(gm, m_new):
                if near(gm, beta1 * m + g):
                    return failed("m is missing the factor (1 - beta1): m_t = beta1 m + (1 - beta1) g.")
                return failed(f"m differs at t = {t} (beta1 = {beta1}): m_t = beta1 m_(t-1) + (1 - beta1) g_t.")
            if not near(gv, v_new):
                if near(gv, beta2 * v + (1 - beta2) * g):
                    return failed("v averages the squared gradients: use g**2.")
                return failed(f"v differs at t = {t} (beta2 = {beta2}): v_t = beta2 v_(t-1) + (1 - beta2) g_t**2.")
            if not near(gvh, vh_new):
                if near(gvh, v_new):
                    return failed(f"at t = {t} v_hat equals v: keep the running maximum, max(v_hat, v).")
                return failed(f"v_hat differs at t = {t}: v_hat_t = max(v_hat_(t-1), v_t), element-wise.")
            if not np.allclose(gx, want[0], rtol=tol(1e-9), atol=1e-12):
                return failed(_x_hint(x, m_new, v_new, v, vh_new, t, alpha, beta1, beta2, eps,
                                      gx, want[0]))
            x, m, v, v_hat = want
    return passed(f"your step matches AMSGrad for {len(_CASES)} settings of alpha, beta1, beta2 "
                  f"and eps, {_STEPS} steps each.")


@checker
def check_running_max(answer) -> bool:
    """Notebook 05, exercise 2: v_hat for v = [4, 1, 9, 2, 9.5]."""
    if not_attempted(answer):
        return False
    try:
        items = list(itertools.islice(iter(answer), 6))  # bounded: an endless iterator is fine
    except TypeError:
        items = None
    if items is None or len(items) != 5:
        return failed("expected a list of five numbers.")
    with contextlib.redirect_stdout(io.StringIO()):  # number() explains; one hint is enough
        got = [number(a) for a in items]
    if None in got:
        return failed(f"expected a list of five numbers, got {show(answer)}.")
    want = list(np.maximum.accumulate([4, 1, 9, 2, 9.5]))
    if all(close(a, b) for a, b in zip(got, want)):
        return passed("v_hat never decreases: [4, 4, 9, 9, 9.5].")
    if all(close(a, b) for a, b in zip(got, [4, 1, 9, 2, 9.5])):
        return failed("that is v itself; v_hat_t = max(v_hat_{t-1}, v_t).")
    if all(close(a, b) for a, b in zip(got, sorted([4, 1, 9, 2, 9.5]))):
        return failed("that is v sorted; v_hat keeps the order of the steps: v_hat_t = max(v_hat_{t-1}, v_t), "
                      "the largest v seen so far.")
    if all(close(a, 9.5) for a in got):
        return failed("that is the overall maximum at every step; v_hat_t is the running maximum, "
                      "the largest of v_1 ... v_t only (the future is not known yet).")
    return failed("v_hat_t = max(v_hat_{t-1}, v_t), starting from v_hat_1 = v_1.")


@checker
def check_gamma(answer) -> bool:
    """Notebook 05, exercise 3: the sign of AMSGrad's Gamma_t with alpha_t = alpha / sqrt(t) (a letter)."""
    if not_attempted(answer):
        return False
    options = {"a": "sometimes negative, like Adam's", "b": "never negative", "c": "always zero"}
    choice = letter_answer(answer, options)   # "b", "(b)", "b: never negative", "never negative" ...
    if choice == "b":
        return passed("sqrt(v_hat_t) never decreases and 1/alpha_t never decreases, so their "
                      "product never decreases: Gamma_t >= 0.")
    if choice == "a":
        return failed("that is Adam's problem: v_t can fall after a spike, AMSGrad's v_hat cannot.")
    if choice == "c":
        return failed("always zero would need sqrt(v_hat_t) / alpha_t to stay constant; but 1/alpha_t = "
                      "sqrt(t)/alpha grows with t, so Gamma_t > 0 at every step once v_hat_t > 0.")
    return failed(f"answer with one letter, a, b or c, as a string (got {show(answer)}).")


def expected_answers() -> dict:
    """The right answers of this notebook's value exercises (for the student edition's
    sealed checkers, :mod:`amslib.exercises.sealed`)."""
    return {"check_running_max": [[4, 4, 9, 9, 9.5]], "check_gamma": ["b"]}
