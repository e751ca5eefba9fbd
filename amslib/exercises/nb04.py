"""Checks for the exercises of notebooks 05 (AMSGrad from scratch) and 06 (what the paper
proves; the module keeps its name from before notebooks 03 and 05 were split)."""
from __future__ import annotations

import contextlib
import io
import itertools

import numpy as np

from . import checker, close, failed, not_attempted, number, passed, real_array, show

__all__ = ["check_amsgrad_step", "check_running_max", "check_gamma", "check_adamnc_v",
           "reference_amsgrad_step", "reference_adamnc_v"]


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
    near = lambda a: np.allclose(got_x, a, rtol=1e-9, atol=1e-12)  # noqa: E731
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
            except Exception:
                return failed("return (x, m, v, v_hat) as NumPy arrays with the shape of x.")
            m_new, v_new, vh_new = want[1], want[2], want[3]
            near = lambda a, b: np.allclose(a, b, rtol=1e-9, atol=1e-15)  # noqa: E731
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
            if not np.allclose(gx, want[0], rtol=1e-9, atol=1e-12):
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
    return failed("v_hat_t = max(v_hat_{t-1}, v_t), starting from v_hat_1 = v_1.")


@checker
def check_gamma(answer) -> bool:
    """Notebook 05, exercise 3: the sign of AMSGrad's Gamma_t with alpha_t = alpha / sqrt(t) (a letter)."""
    if not_attempted(answer):
        return False
    choice = str(answer).strip().lower().strip("()").strip()
    if choice == "b":
        return passed("sqrt(v_hat_t) never decreases and 1/alpha_t never decreases, so their "
                      "product never decreases: Gamma_t >= 0.")
    if choice == "a":
        return failed("that is Adam's problem: v_t can fall after a spike, AMSGrad's v_hat cannot.")
    if choice not in ("a", "b", "c"):
        return failed(f"answer with one letter, a, b or c (got {show(answer)}).")
    return failed("both factors of sqrt(v_hat_t) / alpha_t are non-decreasing in t.")


# ----------------------------------------------------------------------------- notebook 06, exercise 1
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
    near = lambda a: a.shape == got.shape and np.allclose(got, a, rtol=1e-6, atol=1e-12)  # noqa: E731
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
        except Exception:
            return failed(f"return a NumPy array of numbers, one v_t per step; got {show(out)}.")
        if got.shape != want.shape:
            if got.size == 1 and close(float(got.reshape(-1)[0]), want[-1]):
                return failed("that is v_T alone; return the whole sequence v_1, ..., v_T.")
            return failed(f"return one v_t per step: an array of shape {want.shape} for {len(g)} "
                          f"gradients, got shape {got.shape}.")
        if not np.allclose(got, want, rtol=1e-6, atol=1e-12):  # float32 answers pass
            return failed(_adamnc_hint(g, got))
    return passed(f"v_t is the average of the squared gradients so far, for {len(cases)} sequences; "
                  "a spike stays in it with weight 1/t, never forgotten.")
