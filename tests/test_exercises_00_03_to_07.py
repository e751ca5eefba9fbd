"""The checkers behind the exercises of notebooks 00 and 03 to 07 (module nbNN for notebook
NN): each accepts the right answer, rejects typical mistakes with a hint, and reports a blank
answer as not attempted."""
import numpy as np
import pytest
import torch

from amslib.exercises import nb00, nb03, nb04, nb05, nb06, nb07


@pytest.mark.parametrize("check,right,wrong,hint", [
    (nb00.check_step_size, 0.125, 0.5 / 16, "square root"),
    (nb00.check_best_point, -1, 1, "worst point"),
    (nb00.check_notation, "v_hat", "v", "running maximum"),
    (nb03.check_worst_regret, 1.6, 0.8, "best point"),
    (nb04.check_theorem1_beta2, 0.1, 0.9, "1/(1 + C^2)"),
    (nb05.check_running_max, [4, 4, 9, 9, 9.5], [4, 1, 9, 2, 9.5], "that is v itself"),
    (nb05.check_gamma, "b", "a", "Adam's problem"),
    (nb07.check_missing_line, "optimizer.zero_grad()", "optimizer.step()", "already there"),
    (nb07.check_accumulation, 2, 1, "adds to it"),
])
def test_right_and_wrong_answers(verdict, check, right, wrong, hint):
    ok, out = verdict(check, right)
    assert ok is True and "Correct!" in out
    ok, out = verdict(check, wrong)
    assert ok is False and hint in out


@pytest.mark.parametrize("answer", ["v_hat", "v_hat_t", "\\hat v_t", "v_max", "v_max_t", " V_MAX ",
                                    "vhat", "\\hat{v}", "\\hat{v}_t", "$\\hat v_t$", "v\u0302", "v\u0302_t"])
def test_notation_accepts_both_names_in_the_table(verdict, answer):
    """The notation table's Code column reads `v_hat` (`v_max` in `amslib`): both pass."""
    ok, out = verdict(nb00.check_notation, answer)
    assert ok is True and "Correct!" in out and "running maximum" in out


@pytest.mark.parametrize("answer, hint", [("v", "what Adam divides by"), ("v_t", "what Adam divides by"),
                                          ("m_t", "numerator"), ("max", "notation table"),
                                          ("sqrt(v_hat)", "under the square root"),
                                          ("sqrt(v_hat_t) + eps", "under the square root")])
def test_notation_wrong_answers_get_their_hint(verdict, answer, hint):
    ok, out = verdict(nb00.check_notation, answer)
    assert ok is False and hint in out


def test_numbers_must_be_numbers(verdict):
    ok, out = verdict(nb00.check_step_size, "a lot")
    assert ok is False and "expected a number" in out


def test_regret_function(verdict):
    right = lambda g, x: float(np.dot(g, x) + abs(np.sum(g)))
    assert verdict(nb03.check_regret_function, right)[0] is True
    ok, out = verdict(nb03.check_regret_function, lambda g, x: float(np.dot(g, x)))
    assert ok is False and "total loss" in out
    ok, out = verdict(nb03.check_regret_function, lambda g, x: None)
    assert ok is False and "Not attempted yet" in out


def test_amsgrad_step(verdict):
    def right(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_hat = np.maximum(v_hat, v)
        return x - alpha * m / (np.sqrt(v_hat) + eps), m, v, v_hat

    def adam(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):  # forgets the maximum
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        return x - alpha * m / (np.sqrt(v) + eps), m, v, v

    assert verdict(nb05.check_amsgrad_step, right)[0] is True
    ok, out = verdict(nb05.check_amsgrad_step, adam)
    assert ok is False and "running maximum" in out
    ok, out = verdict(nb05.check_amsgrad_step, lambda *args: None)
    assert ok is False and "Not attempted yet" in out


def test_make_optimizer(verdict):
    ok, _ = verdict(nb07.check_make_optimizer,
                    lambda p: torch.optim.Adam(p, lr=1e-4, amsgrad=True))
    assert ok is True
    ok, out = verdict(nb07.check_make_optimizer, lambda p: torch.optim.Adam(p, lr=1e-4))
    assert ok is False and "amsgrad=True" in out
    ok, out = verdict(nb07.check_make_optimizer,
                      lambda p: torch.optim.Adam(p, lr=1e-3, amsgrad=True))
    assert ok is False and "1e-4" in out
    ok, out = verdict(nb07.check_make_optimizer, lambda p: None)
    assert ok is False and "Not attempted yet" in out


# ----------------------------------------------------------------------------- 03, every hint
def _regret_right(g, x):
    return float(np.dot(g, x) + abs(np.sum(g)))


@pytest.mark.parametrize("wrong, hint", [
    (lambda g, x: float(np.dot(g, x) + np.abs(g).sum()), "best point at EACH step"),
    (lambda g, x: float(np.dot(g, x)), "total loss"),
    (lambda g, x: float(np.dot(g, x) - abs(np.sum(g))), "sign"),
    (lambda g, x: _regret_right(g, x) / len(g), "average regret"),
    (lambda g, x: float(np.dot(g, x) + np.sum(g)), "depends on the sign"),
    (lambda g, x: 1 / 0, "ZeroDivisionError"),
    (lambda g, x: "12", "expected a number"),
    (lambda g, x: 0.0, "expected"),
])
def test_regret_function_hints(verdict, wrong, hint):
    ok, out = verdict(nb03.check_regret_function, wrong)
    assert ok is False and hint in out


def test_regret_function_accepts_numpy_and_torch_results(verdict):
    # float32 answers pass (issue 22): the tolerance follows the answer's dtype, whether the
    # float32 is the float64 result rounded or computed in float32 throughout
    assert verdict(nb03.check_regret_function, lambda g, x: np.float32(_regret_right(g, x)))[0]
    assert verdict(nb03.check_regret_function, lambda g, x: np.dot(g.astype(np.float32), x.astype(np.float32))
                   + np.abs(g.astype(np.float32).sum()))[0]
    assert not verdict(nb03.check_regret_function, lambda g, x: np.float32(_regret_right(g, x) * 1.001))[0]
    assert verdict(nb03.check_regret_function, lambda g, x: np.float64(_regret_right(g, x)))[0]
    assert verdict(nb03.check_regret_function,
                   lambda g, x: torch.tensor(_regret_right(g, x), dtype=torch.float64))[0]


@pytest.mark.parametrize("answer, ok, hint", [
    ((1.0, -1.0), True, "Correct!"),
    ([0.9983, -1.0], True, "Correct!"),
    ((-1.0, 1.0), False, "swapped"),
    ((-1.0, -1.0), False, "Theorem 1 says"),
    ((1.0, 1.0), False, "betas=(0.0, 0.99)"),
    ((1.0,), False, "pair"),
    ((None, None), False, "Not attempted"),
    (("a", 1.0), False, "expected a number"),
])
def test_where_adam_ends(verdict, answer, ok, hint):
    got, out = verdict(nb04.check_where_adam_ends, answer)
    assert got is ok and hint in out


# ----------------------------------------------------------------------------- 05, every hint (AMSGrad step)
def _ams_right(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_hat = np.maximum(v_hat, v)
    return x - alpha * m / (np.sqrt(v_hat) + eps), m, v, v_hat


def _ams_in_place(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * g * g
    np.maximum(v_hat, v, out=v_hat)
    x -= alpha * m / (np.sqrt(v_hat) + eps)
    return x, m, v, v_hat


def _ams_variant(**kw):
    """The right step with one mistake."""
    def step(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):
        if kw.get("fixed"):
            alpha, beta1, beta2, eps = 0.1, 0.9, 0.99, 1e-8
        m = beta1 * m + (1 if kw.get("no_factor") else 1 - beta1) * g
        v = beta2 * v + (1 - beta2) * (g if kw.get("no_square") else g * g)
        v_hat = v if kw.get("no_max") else np.maximum(v_hat, v)
        den_v = v if kw.get("divide_by_v") else v_hat
        if kw.get("eps_inside"):
            x = x - alpha * m / np.sqrt(den_v + eps)
        elif kw.get("bias"):
            x = x - alpha / (1 - beta1**t) * m / (np.sqrt(den_v / (1 - beta2**t)) + eps)
        else:
            x = x - alpha * m / (np.sqrt(den_v) + (0 if kw.get("no_eps") else eps))
        if kw.get("clip"):
            x = np.clip(x, -1, 1)
        if kw.get("three"):
            return x, m, v
        return x, m, v, v_hat
    return step


def test_amsgrad_step_accepts_right_and_in_place(verdict):
    assert verdict(nb05.check_amsgrad_step, _ams_right)[0] is True
    assert verdict(nb05.check_amsgrad_step, _ams_in_place)[0] is True


@pytest.mark.parametrize("mistake, hint", [
    ("clip", "projected (clipped)"),
    ("eps_inside", "outside the square root"),
    ("no_eps", "add eps"),
    ("bias", "no bias correction"),
    ("divide_by_v", "running maximum, sqrt(v_hat_t)"),
    ("no_max", "keep the running maximum"),
    ("no_factor", "missing the factor (1 - beta1)"),
    ("no_square", "use g**2"),
    ("three", "four values"),
    ("fixed", "differs"),
])
def test_amsgrad_step_hints(verdict, mistake, hint):
    ok, out = verdict(nb05.check_amsgrad_step, _ams_variant(**{mistake: True}))
    assert ok is False and hint in out, out


def test_amsgrad_step_survives_a_step_that_raises_later(verdict):
    def late(x, g, m, v, v_hat, t, *rest):
        if t >= 2:
            raise RuntimeError("boom")
        return _ams_right(x, g, m, v, v_hat, t, *rest)
    ok, out = verdict(nb05.check_amsgrad_step, late)
    assert ok is False and "RuntimeError at t = 2" in out


def test_running_max_is_bounded_and_tolerant(verdict):
    import itertools
    assert verdict(nb05.check_running_max, itertools.count())[0] is False
    assert verdict(nb05.check_running_max, np.float32([4, 4, 9, 9, 9.5]))[0] is True
    assert verdict(nb05.check_running_max, torch.tensor([4, 4, 9, 9, 9.5]))[0] is True
    ok, out = verdict(nb05.check_running_max, [4, 4, 9, 9])
    assert ok is False and "five numbers" in out


# ----------------------------------------------------------------------------- 06, AdamNC's v_t
def _adamnc_right(g):
    g2 = np.asarray(g, dtype=float) ** 2
    return np.cumsum(g2) / np.arange(1, len(g2) + 1)


def _adamnc_loop(g, start=1):
    v, out = 0.0, []
    for t, gt in enumerate(g, start=start):
        b2 = 1 - 1 / t
        v = b2 * v + (1 - b2) * gt * gt
        out.append(v)
    return np.array(out)


def _adamnc_ema(beta2):
    def adamnc_v(g):
        v, out = 0.0, []
        for gt in g:
            v = beta2 * v + (1 - beta2) * gt * gt
            out.append(v)
        return np.array(out)
    return adamnc_v


@pytest.mark.parametrize("answer", [_adamnc_right, _adamnc_loop, lambda g: list(_adamnc_right(g)),
                                    lambda g: _adamnc_right(g).astype(np.float32),
                                    lambda g: torch.tensor(_adamnc_right(g))],
                         ids=["closed form", "recursion", "list", "float32", "tensor"])
def test_adamnc_v_accepts_every_right_form(verdict, answer):
    ok, out = verdict(nb06.check_adamnc_v, answer)
    assert ok is True and "Correct!" in out, out


@pytest.mark.parametrize("answer, hint", [
    (lambda g: np.cumsum(np.asarray(g) ** 2), "divide by t"),
    (lambda g: np.cumsum(g) / np.arange(1, len(g) + 1), "not the gradients"),
    (lambda g: np.maximum.accumulate(np.asarray(g) ** 2), "running maximum"),
    (_adamnc_ema(0.9), "constant beta_2 = 0.9;"),
    (_adamnc_ema(0.99), "constant beta_2 = 0.99;"),
    (_adamnc_ema(0.999), "constant beta_2 = 0.999;"),
    (lambda g: _adamnc_loop(g, start=0), "divided by zero"),
    (lambda g: np.cumsum(np.asarray(g) ** 2) / (np.arange(len(g)) + 2), "count the steps from t = 1"),
    (lambda g: np.cumsum(np.asarray(g) ** 2) / np.arange(len(g)), "inf or nan"),
    (lambda g: float(np.mean(np.asarray(g) ** 2)), "v_T alone"),
    (lambda g: _adamnc_right(g)[:-1], "one v_t per step"),
    (lambda g: _adamnc_right(g) * 1.5, "expected v ="),
    (lambda g: "v", "NumPy array of numbers"),
])
def test_adamnc_v_hints(verdict, answer, hint):
    """Each common mistake gets its own hint (the first sequence, [3, 1, 0], tells them apart)."""
    ok, out = verdict(nb06.check_adamnc_v, answer)
    assert ok is False and hint in out, out


# ----------------------------------------------------------------------------- 07, every hint
@pytest.mark.parametrize("line", ["optimizer.zero_grad()", "optimizer.zero_grad()  # reset",
                                  "optimizer.zero_grad(set_to_none=False)", "opt.zero_grad(True);",
                                  " model.zero_grad( ) "])
def test_missing_line_accepts_every_spelling(verdict, line):
    assert verdict(nb07.check_missing_line, line)[0] is True


@pytest.mark.parametrize("line, hint", [
    ("optimizer.zero_grad", "parentheses"),
    ("optimizer.zero_grad(lr=1)", "set_to_none"),
    ("loss.zero_grad()", "not on loss"),
    ("optimizer.step()", "already there"),
    ("x = 1", "clears the .grad"),
    (42, "as a string"),
])
def test_missing_line_hints(verdict, line, hint):
    ok, out = verdict(nb07.check_missing_line, line)
    assert ok is False and hint in out


@pytest.mark.parametrize("make, hint", [
    (lambda p: torch.optim.AdamW(p, lr=1e-4, amsgrad=True), "AdamW"),
    (lambda p: torch.optim.Adam(p, lr=1e-4, amsgrad=True, weight_decay=0.5), "weight decay"),
    (lambda p: torch.optim.Adam(p, lr=1e-4, amsgrad=True, betas=(0.0, 0.0)), "default betas"),
    (lambda p: torch.optim.Adam(p, lr=1e-4, amsgrad=True, eps=1e-3), "default eps"),
    (lambda p: torch.optim.Adam(p, lr=1e-4, amsgrad=True, maximize=True), "maximize"),
    (lambda p: torch.optim.Adam(p[:1], lr=1e-4, amsgrad=True), "all of them"),
    (lambda p: torch.optim.SGD(p, lr=1e-4), "expected a torch.optim.Adam, got torch.optim.sgd.SGD"),
    # the course's own Adam has the same class name: the hint must say which one it got
    (lambda p: __import__("amslib.torch_optim", fromlist=["Adam"]).Adam(p, lr=1e-4, amsgrad=True),
     "got amslib.torch_optim.Adam"),
    (lambda p: 1 / 0, "ZeroDivisionError"),
])
def test_make_optimizer_hints(verdict, make, hint):
    ok, out = verdict(nb07.check_make_optimizer, make)
    assert ok is False and hint in out
