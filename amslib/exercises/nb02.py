"""Checks for the exercises of notebook 02 (Adam from scratch)."""
from __future__ import annotations

import math

import numpy as np

from ..optimizers import Adam
from . import agrees, checker, failed, not_attempted, number_answer, passed, real_array, tol

__all__ = ["check_m3", "check_adam_step", "check_tiny_gradient_step"]


# ----------------------------------------------------------------------------- exercise 1
#: How near a typical wrong answer (m_1 = 0.2, m_2 = 0.38, 0.729, 1.458, 2) must be to get
#: its hint: 1 %. The right answer itself must be 0.542 or 0.542 rounded (0.54): see agrees().
REL_TOL_M3 = 0.01


@checker
def check_m3(answer) -> bool:
    """Exercise 02.1: m_3 without bias correction, for the constant gradient g = 2 and
    beta_1 = 0.9: m_3 = (1 - 0.9^3) * 2 = 0.542."""
    value = number_answer(answer)
    if value is None:
        return False
    g, b1 = 2.0, 0.9
    m = [0.0]
    for _ in range(3):
        m.append(b1 * m[-1] + (1 - b1) * g)

    def near(x):  # for the hints of the mistakes, all far from 0.542
        return math.isclose(value, x, rel_tol=REL_TOL_M3)
    if agrees(value, m[3], digits=2):   # two decimals, as asked: 0.54, 0.542 (not 0.537, 0.547)
        return passed("m_3 = (1 - 0.9^3) * 2 = 0.542, only 27 % of the true gradient 2.")
    if near(m[3]):
        return failed(f"{value:g} is close to m_3 but not it, nor m_3 rounded: compute "
                      "0.9 m_2 + 0.1 * 2 again from m_2 = 0.38 (or use m_3 = (1 - 0.9^3) * 2).")
    if near(g):
        return failed("2 is the bias-corrected value m_3 / (1 - beta_1^3); the question asks for m_3 itself.")
    if near(m[1]) or near(m[2]):
        return failed("that is m_1 or m_2; apply m_t = beta_1 m_(t-1) + (1 - beta_1) g three times from m_0 = 0.")
    if near(g * b1 ** 3) or near(b1 ** 3):
        return failed("the weights sum to 1 - beta_1^t, so m_t = (1 - beta_1^t) g for a constant g.")
    return failed("start from m_0 = 0 and apply m_t = 0.9 m_(t-1) + 0.1 * 2 three times.")


# ----------------------------------------------------------------------------- exercise 2
@checker
def check_adam_step(adam_step) -> bool:
    """Exercise 02.2: ``adam_step(x, g, m, v, t, lr, beta1, beta2, eps) -> (x_new, m_new, v_new)``
    where t = 1, 2, ... is the number of this step; compared with
    :class:`amslib.optimizers.Adam` (= torch.optim.Adam) over several chained steps."""
    if not_attempted(adam_step):
        return False
    if not callable(adam_step):
        return failed(f"expected a function adam_step(x, g, m, v, t, lr, beta1, beta2, eps), "
                      f"got {type(adam_step).__name__}.")
    rng = np.random.default_rng(202)
    for lr, (b1, b2), eps in [(0.1, (0.9, 0.999), 1e-8), (0.01, (0.5, 0.9), 1e-2), (0.3, (0.8, 0.99), 0.5)]:
        ref = Adam(lr=lr, betas=(b1, b2), eps=eps)
        x = rng.normal(size=5)
        state = ref.init(x)
        m, v = state.m, state.v
        for t in range(1, 5):
            g = rng.normal(size=5) * np.array([1e-3, 1.0, 10.0, 0.1, 1e-2])
            want_x, state = ref.step(x, g, state)
            try:
                with np.errstate(all="ignore"):  # a wrong answer may divide by 0: hint, not warn
                    out = adam_step(x.copy(), g.copy(), m.copy(), v.copy(), t, lr, b1, b2, eps)
                got_x, got_m, got_v = (real_array(a) for a in out)
            except Exception as exc:
                return failed(f"adam_step raised {type(exc).__name__}: {exc} "
                              "(it should return the triple (x_new, m_new, v_new)).")
            if not got_x.shape == got_m.shape == got_v.shape == x.shape:
                return failed("return the triple (x_new, m_new, v_new), each with the shape of x.")
            if not np.allclose(got_m, state.m, rtol=tol(1e-9), atol=1e-15):
                return failed(_diagnose_moment(got_m, m, g, b1, t, "m", "g", "beta_1", b2))
            if not np.allclose(got_v, state.v, rtol=tol(1e-9), atol=1e-15):
                return failed(_diagnose_moment(got_v, v, g * g, b2, t, "v", "g**2", "beta_2", b1))
            if not np.allclose(got_x, want_x, rtol=tol(1e-9), atol=1e-12):
                return failed(_diagnose_x(x, state.m, state.v, t, lr, b1, b2, eps, got_x))
            x, m, v = want_x, state.m, state.v
    return passed("your Adam step matches amslib.optimizers.Adam (and so torch.optim.Adam).")


def _diagnose_moment(got, old, new, beta, t, name, new_name, beta_name, other_beta) -> str:
    close = lambda a: np.allclose(got, a, rtol=tol(1e-9), atol=1e-15)  # noqa: E731
    raw = beta * old + (1 - beta) * new
    corrected = close(raw / (1 - beta ** t))
    no_factor = close(beta * old + new)
    if corrected and no_factor:  # at t = 1 these two mistakes give the same number
        return (f"{name}_new should be the raw moment {beta_name} * {name} + (1 - {beta_name}) * {new_name}: "
                f"either the factor (1 - {beta_name}) is missing, or you returned the bias-corrected "
                "value (the correction only enters the update of x).")
    if corrected:
        return (f"return the raw moment {name}_new, not the bias-corrected one: the correction only "
                "enters the update of x, and the next step continues from the raw moment.")
    if no_factor:
        return f"{name}_new is missing the factor (1 - {beta_name}) in front of {new_name}."
    if name == "v" and close(beta * old + (1 - beta) * np.sqrt(new)):
        return "v_t averages the squared gradients: use g**2."
    if close((1 - beta) * old + beta * new):
        return f"{beta_name} and 1 - {beta_name} are swapped in {name}_new."
    other_name = "beta_2" if beta_name == "beta_1" else "beta_1"
    if close(other_beta * old + (1 - other_beta) * new):
        return (f"{name}_new uses {other_name}; {name} is averaged with {beta_name}: beta_1 belongs to "
                "m (the gradients), beta_2 to v (the squared gradients).")
    return f"{name}_new should be {beta_name} * {name} + (1 - {beta_name}) * {new_name}."


def _diagnose_x(x, m, v, t, lr, b1, b2, eps, got_x) -> str:
    close = lambda a: np.allclose(got_x, a, rtol=tol(1e-9), atol=1e-12)  # noqa: E731

    def adam(t_used=t, c1=True, c2=True, eps_inside=False, eps_before=False):
        m_tilde = m / (1 - b1 ** t_used) if c1 else m
        v_tilde = v / (1 - b2 ** t_used) if c2 else v
        if eps_inside:
            return x - lr * m_tilde / np.sqrt(v_tilde + eps)
        if eps_before:  # eps added to sqrt(v_t) before the correction is applied
            return x - lr * (m_tilde / (np.sqrt(v) + eps)) * (np.sqrt(1 - b2 ** t_used) if c2 else 1.0)
        return x - lr * m_tilde / (np.sqrt(v_tilde) + eps)

    if not np.all(np.isfinite(got_x)):
        return (f"x_new is not finite at step t = {t}: is t off by one? The first step has t = 1, "
                "so 1 - beta**t is never 0.")
    if close(adam(c1=False, c2=False)):
        return ("that is Adam without bias correction (the paper's form, bias_correction=False); "
                "divide m_t by 1 - beta_1^t and v_t by 1 - beta_2^t.")
    if close(adam(c1=False)):
        return "m_t needs its bias correction too: m_tilde = m / (1 - beta_1**t)."
    if close(adam(c2=False)):
        return "v_t needs its bias correction too: v_tilde = v / (1 - beta_2**t)."
    if close(adam(eps_inside=True)):
        return "eps belongs outside the square root: m_tilde / (sqrt(v_tilde) + eps)."
    if close(adam(eps_before=True)):
        return "add eps after the bias correction: m_tilde / (sqrt(v_tilde) + eps)."
    if close(adam(t_used=t + 1)) or (t > 1 and close(adam(t_used=t - 1))):
        return "the step number is off by one: t is the number of this step (t = 1 for the first)."
    if close(x + lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)):
        return "the sign is wrong: step against the (averaged) gradient."
    return "x_new should be x - lr * m_tilde / (sqrt(v_tilde) + eps) with the updated, bias-corrected moments."


# ----------------------------------------------------------------------------- exercise 3
@checker
def check_tiny_gradient_step(answer) -> bool:
    """Exercise 02.3: the length of Adam's first step (lr = 0.01, default betas,
    eps = 1e-8) on a 1-D problem whose gradient is g_1 = 1e-8: lr * |g| / (|g| + eps) = 0.005."""
    value = number_answer(answer)
    if value is None:
        return False
    lr, g, eps = 0.01, 1e-8, 1e-8
    want = lr * g / (g + eps)
    if math.isclose(abs(value), want, rel_tol=tol(1e-6)):
        if value < 0:
            return failed("the question asks for the length of the step, a positive number.")
        return passed("eps = |g_1| here, so the step is halved: 0.01 * 1e-8 / (1e-8 + 1e-8) = 0.005.")
    if math.isclose(value, lr, rel_tol=tol(1e-3)):
        return failed("that is the first step when |g_1| is much larger than eps; here eps = |g_1|.")
    if math.isclose(value, lr * g, rel_tol=tol(1e-3)):
        return failed("lr * |g| is gradient descent's step; Adam divides by sqrt(v_tilde_1) + eps.")
    if math.isclose(value, lr * g / math.sqrt(g * g + eps), rel_tol=tol(1e-3)):
        return failed("eps is added outside the square root: sqrt(v_tilde_1) + eps.")
    return failed("after bias correction m_tilde_1 = g_1 and v_tilde_1 = g_1^2: "
                  "the step is lr * |g_1| / (|g_1| + eps).")


def expected_answers() -> dict:
    """The right answers of this notebook's value exercises (for the student edition's
    sealed checkers, :mod:`amslib.exercises.sealed`)."""
    return {"check_m3": [(1 - 0.9 ** 3) * 2, 0.54], "check_tiny_gradient_step": [0.01 * 1e-8 / (1e-8 + 1e-8)]}
