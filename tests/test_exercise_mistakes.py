"""The commonest wrong answers of every exercise, and the hint each must get.

A learner who makes a mistake should read a hint that names that mistake, not a generic
restatement of the formula (issue 21, item 20). The table below lists, for every exercise
checker of every notebook, at least two wrong answers a learner commonly gives (written the
way a learner would write them) and a phrase its hint must contain. The last tests make the
table complete: every ``check_*`` of ``amslib.exercises.nbNN`` and every checker a notebook
calls must have at least two rows here, so a new exercise without its mistakes fails.
"""
from __future__ import annotations

import importlib
import inspect
import json
import math
import pathlib
import re

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
MIN_MISTAKES = 2


# ----------------------------------------------------------------------------- learners' code
# 01.2: ema_weights(beta, t)
def ema_reversed(beta, t):
    return np.array([(1 - beta) * beta ** (k - 1) for k in range(1, t + 1)])


def ema_no_factor(beta, t):
    return np.array([beta ** (t - k) for k in range(1, t + 1)])


def ema_exponent_off_by_one(beta, t):
    return np.array([(1 - beta) * beta ** (t - k + 1) for k in range(1, t + 1)])


# 01.3: rmsprop_step(x, g, v, lr, beta, eps)
def rmsprop(v_new, x_new):
    def step(x, g, v, lr, beta, eps):
        v2 = v_new(g, v, beta)
        return x_new(x, g, v, v2, lr, eps), v2
    return step


_rms_v = lambda g, v, b: b * v + (1 - b) * g * g  # noqa: E731
_rms_x = lambda x, g, v, v2, lr, eps: x - lr * g / (np.sqrt(v2) + eps)  # noqa: E731


# 02.2: adam_step(x, g, m, v, t, lr, beta1, beta2, eps)
def adam(*, swap_betas=False, correct=True, return_corrected=False, t_shift=0, eps_inside=False,
         sign=-1.0):
    def step(x, g, m, v, t, lr, b1, b2, eps):
        bm, bv = (b2, b1) if swap_betas else (b1, b2)
        m = bm * m + (1 - bm) * g
        v = bv * v + (1 - bv) * g * g
        tt = t + t_shift
        mh = m / (1 - b1 ** tt) if correct else m
        vh = v / (1 - b2 ** tt) if correct else v
        den = np.sqrt(vh + eps) if eps_inside else np.sqrt(vh) + eps
        x = x + sign * lr * mh / den
        return (x, mh, vh) if return_corrected else (x, m, v)
    return step


# 03.2: regret(g, x)
def regret_total_loss(g, x):
    return float(np.dot(g, x))


def regret_per_step_best(g, x):
    return float(np.dot(g, x) + np.abs(g).sum())


def regret_average(g, x):
    return float(np.dot(g, x) + abs(g.sum())) / len(g)


def regret_sign(g, x):
    return float(np.dot(g, x) - abs(g.sum()))


# 05.1: amsgrad_step(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps)
def amsgrad(*, use_v=False, no_max=False, correct=False, project=False, eps_inside=False, sign=-1.0):
    def step(x, g, m, v, v_hat, t, alpha, b1, b2, eps):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_hat = v.copy() if no_max else np.maximum(v_hat, v)
        d = v if use_v else v_hat
        mm, dd = (m / (1 - b1 ** t), d / (1 - b2 ** t)) if correct else (m, d)
        den = np.sqrt(dd + eps) if eps_inside else np.sqrt(dd) + eps
        x = x + sign * alpha * mm / den
        if project:
            x = np.clip(x, -1.0, 1.0)
        return x, m, v, v_hat
    return step


# 06.1: adamnc_v(grads)
def adamnc_sum(grads):
    return np.cumsum(np.asarray(grads) ** 2)


def adamnc_ema(grads):
    v, out = 0.0, []
    for g in grads:
        v = 0.9 * v + 0.1 * g * g
        out.append(v)
    return np.array(out)


def adamnc_running_max(grads):
    return np.maximum.accumulate(np.asarray(grads) ** 2)


def adamnc_t_from_0(grads):   # beta_2t = 1 - 1/t with t counted from 0: the first step divides by 0
    v, out = 0.0, []
    for t, g in enumerate(grads):
        v = (1 - 1 / t) * v + g * g / t
        out.append(v)
    return np.array(out)


def adamnc_t_plus_1(grads):
    g2 = np.asarray(grads) ** 2
    return np.cumsum(g2) / np.arange(2, len(g2) + 2)


def adamnc_last_only(grads):
    return float(np.mean(np.asarray(grads) ** 2))


# 07.2: make_optimizer(params)
def torch_opt(name, **kw):
    def make(params):
        import torch
        return getattr(torch.optim, name)(params, **kw)
    return make


# 08.1: best_alpha(alphas, final_losses)
def best_index(alphas, L):
    return int(np.argmin(np.mean(L, axis=1)))


def best_axis0(alphas, L):
    return alphas[int(np.argmin(np.mean(L, axis=0)))]


def best_single_seed(alphas, L):
    return alphas[int(np.argmin(np.min(L, axis=1)))]


def best_argmax(alphas, L):
    return alphas[int(np.argmax(np.mean(L, axis=1)))]


# 09.1: yogi_v(v, g, beta2)
def yogi_adam(v, g, b2):
    return b2 * v + (1 - b2) * g * g


def yogi_sign(v, g, b2):
    return v + (1 - b2) * np.sign(v - g * g) * g * g


def yogi_no_factor(v, g, b2):
    return v - np.sign(v - g * g) * g * g


def yogi_g_not_squared(v, g, b2):
    return v - (1 - b2) * np.sign(v - g) * g * g


def yogi_swapped(v, g, b2):
    return v - b2 * np.sign(v - g * g) * g * g


def _adam_ends_swapped():
    from amslib.exercises.nb04 import reference_adam_ends
    return reference_adam_ends()[::-1]


def _adam_ends_first_wrong():
    from amslib.exercises.nb04 import reference_adam_ends
    return (0.0, reference_adam_ends()[1])


# ----------------------------------------------------------------------------- the table
#: (module, checker, the mistake, the wrong answer (a callable named "lazy:" is built when
#: the test runs), a phrase the hint must contain)
MISTAKES = [
    # 00.1: alpha_16 = 0.5 / sqrt(16)
    ("nb00", "check_step_size", "alpha / t", 0.5 / 16, "square root of t"),
    ("nb00", "check_step_size", "alpha * sqrt(t)", 2.0, "alpha * sqrt(t)"),
    ("nb00", "check_step_size", "alpha itself", 0.5, "alpha itself"),
    ("nb00", "check_step_size", "t off by one", 0.5 / math.sqrt(15), "off by one"),
    # 00.2: argmin of 2x on [-1, 1]
    ("nb00", "check_best_point", "the worst point", 1, "worst point"),
    ("nb00", "check_best_point", "the minimum value, not the point", -2, "asks for the point x"),
    ("nb00", "check_best_point", "the zero of f", 0, "no minimum inside F"),
    ("nb00", "check_best_point", "outside F", -3, "outside F"),
    # 00.3: the symbol under AMSGrad's square root
    ("nb00", "check_notation", "Adam's v", "v_t", "Adam divides"),
    ("nb00", "check_notation", "the numerator", "m_t", "numerator"),
    ("nb00", "check_notation", "the whole denominator", "sqrt(v_hat)", "only the symbol"),
    # 01.1: 2 / 50
    ("nb01", "check_max_lr", "1 / b", 1 / 50, "larger steps still converge"),
    ("nb01", "check_max_lr", "the flat coordinate", 2 / 2, "flat coordinate"),
    ("nb01", "check_max_lr", "2 / (a + b)", 2 / 52, "shrink equally fast"),
    # 01.2
    ("nb01", "check_ema_weights", "reverse order", ema_reversed, "reverse order"),
    ("nb01", "check_ema_weights", "no (1 - beta)", ema_no_factor, "missing the factor (1 - beta)"),
    ("nb01", "check_ema_weights", "exponent off by one", ema_exponent_off_by_one, "off by one"),
    # 01.3
    ("nb01", "check_rmsprop_step", "g instead of g^2",
     rmsprop(lambda g, v, b: b * v + (1 - b) * g, _rms_x), "squared gradients"),
    ("nb01", "check_rmsprop_step", "AdaGrad's sum", rmsprop(lambda g, v, b: v + g * g, _rms_x), "AdaGrad"),
    ("nb01", "check_rmsprop_step", "beta swapped",
     rmsprop(lambda g, v, b: (1 - b) * v + b * g * g, _rms_x), "swapped"),
    ("nb01", "check_rmsprop_step", "eps inside the sqrt",
     rmsprop(_rms_v, lambda x, g, v, v2, lr, eps: x - lr * g / np.sqrt(v2 + eps)), "outside the square root"),
    ("nb01", "check_rmsprop_step", "the old v",
     rmsprop(_rms_v, lambda x, g, v, v2, lr, eps: x - lr * g / (np.sqrt(v) + eps)), "not the old one"),
    ("nb01", "check_rmsprop_step", "no sqrt",
     rmsprop(_rms_v, lambda x, g, v, v2, lr, eps: x - lr * g / (v2 + eps)), "square root of v_t"),
    ("nb01", "check_rmsprop_step", "sign",
     rmsprop(_rms_v, lambda x, g, v, v2, lr, eps: x + lr * g / (np.sqrt(v2) + eps)), "sign is wrong"),
    # 02.1: m_3 = 0.542
    ("nb02", "check_m3", "bias-corrected", 2.0, "bias-corrected"),
    ("nb02", "check_m3", "m_2", 0.38, "m_1 or m_2"),
    ("nb02", "check_m3", "beta^3 g", 1.458, "1 - beta_1^t"),
    # 02.2
    ("nb02", "check_adam_step", "no bias correction", adam(correct=False), "without bias correction"),
    ("nb02", "check_adam_step", "returns corrected moments", adam(return_corrected=True), "raw moment"),
    ("nb02", "check_adam_step", "t off by one", adam(t_shift=1), "off by one"),
    ("nb02", "check_adam_step", "eps inside", adam(eps_inside=True), "outside the square root"),
    ("nb02", "check_adam_step", "beta_1 and beta_2 swapped", adam(swap_betas=True), "uses beta_2"),
    ("nb02", "check_adam_step", "sign", adam(sign=+1.0), "sign is wrong"),
    # 02.3: 0.005
    ("nb02", "check_tiny_gradient_step", "signed step", -0.005, "length of the step"),
    ("nb02", "check_tiny_gradient_step", "eps ignored", 0.01, "eps = |g_1|"),
    ("nb02", "check_tiny_gradient_step", "gradient descent", 1e-10, "gradient descent"),
    # 03.1: 1.6
    ("nb03", "check_worst_regret", "loss, not regret", 0.8, "subtracts the best point"),
    ("nb03", "check_worst_regret", "not averaged", 8.0, "one whole period"),
    ("nb03", "check_worst_regret", "sign", -1.6, "sign"),
    ("nb03", "check_worst_regret", "C + 5c", 0.0, "period - 1 = 4 steps"),
    # 03.2
    ("nb03", "check_regret_function", "total loss", regret_total_loss, "total loss"),
    ("nb03", "check_regret_function", "best point at each step", regret_per_step_best, "best FIXED point"),
    ("nb03", "check_regret_function", "average", regret_average, "average regret"),
    ("nb03", "check_regret_function", "sign", regret_sign, "sign"),
    # 04.1: 1/10
    ("nb04", "check_theorem1_beta2", "1 / C^2", 1 / 9, "not 1/C^2"),
    ("nb04", "check_theorem1_beta2", "1 / (1 + C)", 1 / 4, "square C"),
    ("nb04", "check_theorem1_beta2", "1 - beta_2", 0.9, "1 - beta_2"),
    # 04.2
    ("nb04", "check_where_adam_ends", "swapped", "lazy:swapped", "swapped"),
    ("nb04", "check_where_adam_ends", "first run wrong", "lazy:first_wrong", "1/(1 + C^2) = 0.1"),
    ("nb04", "check_where_adam_ends", "one number", 1.0, "pair of numbers"),
    # 05.1
    ("nb05", "check_amsgrad_step", "divides by v_t", amsgrad(use_v=True), "running maximum"),
    ("nb05", "check_amsgrad_step", "no running max", amsgrad(no_max=True), "keep the running maximum"),
    ("nb05", "check_amsgrad_step", "bias correction", amsgrad(correct=True), "no bias correction"),
    ("nb05", "check_amsgrad_step", "projected", amsgrad(project=True), "projected"),
    ("nb05", "check_amsgrad_step", "eps inside", amsgrad(eps_inside=True), "outside the square root"),
    ("nb05", "check_amsgrad_step", "sign", amsgrad(sign=+1.0), "sign is wrong"),
    # 05.2: [4, 4, 9, 9, 9.5]
    ("nb05", "check_running_max", "v itself", [4, 1, 9, 2, 9.5], "that is v itself"),
    ("nb05", "check_running_max", "sorted", [1, 2, 4, 9, 9.5], "sorted"),
    ("nb05", "check_running_max", "overall max", [9.5] * 5, "overall maximum"),
    # 05.3: "b"
    ("nb05", "check_gamma", "Adam's answer", "a", "Adam's problem"),
    ("nb05", "check_gamma", "always zero", "(c)", "grows with t"),
    # 06.1
    ("nb06", "check_adamnc_v", "sum", adamnc_sum, "divide by t"),
    ("nb06", "check_adamnc_v", "constant beta_2", adamnc_ema, "constant beta_2"),
    ("nb06", "check_adamnc_v", "running max", adamnc_running_max, "running maximum"),
    ("nb06", "check_adamnc_v", "t from 0", adamnc_t_from_0, "t = 1"),
    ("nb06", "check_adamnc_v", "t + 1", adamnc_t_plus_1, "count the steps from t = 1"),
    ("nb06", "check_adamnc_v", "v_T only", adamnc_last_only, "whole sequence"),
    # 07.1: optimizer.zero_grad()
    ("nb07", "check_missing_line", "step", "optimizer.step()", "already there"),
    ("nb07", "check_missing_line", "no parentheses", "optimizer.zero_grad", "with parentheses"),
    ("nb07", "check_missing_line", "wrong owner", "loss.zero_grad()", "not on loss"),
    # 07.2
    ("nb07", "check_make_optimizer", "amsgrad off", torch_opt("Adam", lr=1e-4), "amsgrad=True"),
    ("nb07", "check_make_optimizer", "default lr", torch_opt("Adam", amsgrad=True), "not 0.001"),
    ("nb07", "check_make_optimizer", "AdamW", torch_opt("AdamW", lr=1e-4, amsgrad=True), "decays the weights"),
    ("nb07", "check_make_optimizer", "amsgrad as a string",
     torch_opt("Adam", lr=1e-4, amsgrad="True"), "not a string"),
    # 07.3: 2
    ("nb07", "check_accumulation", "overwrites", 1, "overwrote"),
    ("nb07", "check_accumulation", "ratio upside down", 0.5, "other way round"),
    ("nb07", "check_accumulation", "cleared", 0, "never clears"),
    # 08.1
    ("nb08", "check_best_alpha", "index", best_index, "index"),
    ("nb08", "check_best_alpha", "axis 0", best_axis0, "axis 0"),
    ("nb08", "check_best_alpha", "luckiest seed", best_single_seed, "luckiest seed"),
    ("nb08", "check_best_alpha", "largest mean", best_argmax, "worst step size"),
    # 08.2: 0.198
    ("nb08", "check_warmup_fraction", "beta_2^T", 0.802, "beta_2^T, the weight"),
    ("nb08", "check_warmup_fraction", "beta_2 = 0.99", 0.890, "beta_2 = 0.99"),
    ("nb08", "check_warmup_fraction", "T (1 - beta_2)", 0.22, "first-order approximation"),
    ("nb08", "check_warmup_fraction", "percent", 19.8, "percentage"),
    ("nb08", "check_warmup_fraction", "two decimals", 0.2, "two decimals"),
    ("nb08", "check_warmup_fraction", "T - 1", round(1 - 0.999 ** 219, 4), "off by one"),
    # 09.1
    ("nb09", "check_yogi_v", "Adam's v", yogi_adam, "Adam's v_t"),
    ("nb09", "check_yogi_v", "sign", yogi_sign, "sign"),
    ("nb09", "check_yogi_v", "no (1 - beta_2)", yogi_no_factor, "missing the factor (1 - beta_2)"),
    ("nb09", "check_yogi_v", "g not squared", yogi_g_not_squared, "squared gradient"),
    ("nb09", "check_yogi_v", "beta swapped", yogi_swapped, "swapped"),
]

_LAZY = {"lazy:swapped": _adam_ends_swapped, "lazy:first_wrong": _adam_ends_first_wrong}


def _check(module, name):
    return getattr(importlib.import_module(f"amslib.exercises.{module}"), name)


@pytest.mark.parametrize("module, name, mistake, answer, phrase", MISTAKES,
                         ids=[f"{m}.{n}:{k}" for m, n, k, _, _ in MISTAKES])
def test_a_common_mistake_gets_the_hint_that_names_it(verdict, module, name, mistake, answer, phrase):
    if isinstance(answer, str) and answer in _LAZY:
        answer = _LAZY[answer]()
    ok, out = verdict(_check(module, name), answer)
    assert ok is False, f"{mistake!r} passed: {out}"
    assert out.startswith("Not yet:") and out.count("\n") == 1, out
    assert phrase in out, f"{mistake!r}: the hint should say {phrase!r}, it says: {out}"


def test_each_mistake_gets_its_own_hint():
    """Two different mistakes of one exercise do not share a phrase (a phrase that several
    hints contain would not show which mistake the hint names)."""
    seen = {}
    for module, name, mistake, _, phrase in MISTAKES:
        key = (module, name, phrase)
        assert key not in seen, f"{module}.{name}: {mistake!r} and {seen[key]!r} share the phrase {phrase!r}"
        seen[key] = mistake


# ----------------------------------------------------------------------------- completeness
def _module_checkers():
    found = set()
    for k in range(10):
        mod = importlib.import_module(f"amslib.exercises.nb0{k}")
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if name.startswith("check_") and fn.__module__ == mod.__name__:
                found.add((f"nb0{k}", name))
    return found


def _notebook_checkers():
    found = set()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                found |= set(re.findall(r"\b(nb\d\d)\.(check_\w+)\b", "".join(cell["source"])))
    return found


def test_every_exercise_checker_has_its_common_mistakes():
    counts = {}
    for module, name, *_ in MISTAKES:
        counts[(module, name)] = counts.get((module, name), 0) + 1
    checkers = _module_checkers()
    called = _notebook_checkers()
    assert len(checkers) >= 20 and called, "the checkers or the notebooks' calls were not found"
    assert called <= checkers, f"notebooks call checkers that amslib.exercises lacks: {called - checkers}"
    missing = {c: counts.get(c, 0) for c in checkers | called if counts.get(c, 0) < MIN_MISTAKES}
    assert not missing, f"exercises with fewer than {MIN_MISTAKES} common mistakes in MISTAKES: {missing}"
    assert set(counts) <= checkers, f"rows for checkers that do not exist: {set(counts) - checkers}"
