"""The checkers of notebooks 08 (real data) and 09 (beyond AMSGrad) accept the reference answers
and reject typical mistakes."""
import numpy as np
import pytest

from amslib.exercises import nb08, nb09

NOT_ATTEMPTED = "Not attempted yet"


@pytest.mark.parametrize("check", [nb08.check_best_alpha, nb09.check_yogi_v],
                         ids=lambda c: c.__name__)
def test_template_function_counts_as_not_attempted(verdict, check):
    ok, out = verdict(check, lambda *args: None)
    assert ok is False
    assert NOT_ATTEMPTED in out


@pytest.mark.parametrize("check", [nb08.check_best_alpha, nb09.check_yogi_v],
                         ids=lambda c: c.__name__)
def test_function_that_raises(verdict, check):
    ok, out = verdict(check, lambda *args: 1 / 0)
    assert ok is False
    assert "ZeroDivisionError" in out


# ----------------------------------------------------------------------------- 08.1
def best_alpha_right(alphas, final_losses):
    return alphas[int(np.argmin(np.asarray(final_losses).mean(axis=1)))]


def test_best_alpha_right(verdict):
    ok, out = verdict(nb08.check_best_alpha, best_alpha_right)
    assert ok and out.startswith("Correct!")


def test_best_alpha_accepts_numpy_scalar(verdict):
    ok, _ = verdict(nb08.check_best_alpha,
                    lambda a, L: np.asarray(a)[np.argmin(np.mean(L, axis=1))])
    assert ok


@pytest.mark.parametrize("wrong, hint", [
    (lambda a, L: int(np.argmin(np.mean(L, axis=1))), "index"),
    (lambda a, L: a[int(np.argmin(np.min(L, axis=1)))], "luckiest seed"),
    (lambda a, L: a[int(np.argmax(np.mean(L, axis=1)))], "worst step size"),
    (lambda a, L: a[1], "expected"),
    (lambda a, L: [a[0]], "expected a number"),
])
def test_best_alpha_wrong(verdict, wrong, hint):
    ok, out = verdict(nb08.check_best_alpha, wrong)
    assert not ok and out.startswith("Not yet:")
    assert hint in out


def test_reference_best_alpha():
    assert nb08.reference_best_alpha([0.1, 0.3, 1.0], [[3, 3], [1, 2], [0.5, 4]]) == 0.3


# ----------------------------------------------------------------------------- 08.2
def test_warmup_fraction_right(verdict):
    ok, out = verdict(nb08.check_warmup_fraction, 1 - 0.999 ** 220)
    assert ok and out.startswith("Correct!")
    ok, _ = verdict(nb08.check_warmup_fraction, 0.1975)  # rounded is fine
    assert ok


@pytest.mark.parametrize("answer", [0.198, 0.197, 0.1976])
def test_warmup_fraction_three_decimals_pass(verdict, answer):
    """The question asks for three decimals: rounded (0.198) and truncated (0.197) pass."""
    ok, out = verdict(nb08.check_warmup_fraction, answer)
    assert ok and out.startswith("Correct!"), out


def test_warmup_fraction_two_decimals_get_their_hint(verdict):
    ok, out = verdict(nb08.check_warmup_fraction, 0.2)
    assert not ok and "to two decimals only; give three" in out


@pytest.mark.parametrize("answer, hint", [
    (0.999 ** 220, "1 - beta_2^T"),
    (1 - 0.99 ** 220, "0.99"),
    (0.22, "first-order"),
    (0.5, "v_T = (1 - beta_2^T) G"),
    (0.18, "v_T = (1 - beta_2^T) G"),
    (0.8, "1 - beta_2^T"),
    (0.89, "0.99"),
    (True, "expected a number"),
    (float("nan"), "expected a number"),
])
def test_warmup_fraction_wrong(verdict, answer, hint):
    ok, out = verdict(nb08.check_warmup_fraction, answer)
    assert not ok and out.startswith("Not yet:")
    assert hint in out


# ----------------------------------------------------------------------------- 09.1
def yogi_v_right(v, g, beta2):
    g2 = np.asarray(g) ** 2
    return v - (1 - beta2) * np.sign(v - g2) * g2


def test_yogi_v_right(verdict):
    ok, out = verdict(nb09.check_yogi_v, yogi_v_right)
    assert ok and out.startswith("Correct!")


def test_yogi_v_matches_amslib_yogi():
    """The checker's reference is the v of amslib.beyond.Yogi."""
    from amslib.beyond import Yogi
    rng = np.random.default_rng(0)
    opt = Yogi(lr=0.1, betas=(0.9, 0.99), initial_accumulator=0.5)
    x = np.zeros(4)
    state = opt.init(x)
    v = state.v
    for _ in range(30):
        g = rng.normal(size=4) * 3
        x, state = opt.step(x, g, state)
        v = nb09.reference_yogi_v(v, g, 0.99)
        np.testing.assert_allclose(state.v, v, rtol=1e-13)


@pytest.mark.parametrize("wrong, hint", [
    (lambda v, g, b: b * v + (1 - b) * g ** 2, "Adam's v_t"),
    (lambda v, g, b: v + (1 - b) * np.sign(v - g ** 2) * g ** 2, "sign"),
    (lambda v, g, b: v - (1 - b) * np.sign(v - g) * g ** 2, "squared gradient"),
    (lambda v, g, b: v - (1 - b) * np.sign(v - g ** 2) * g, "squared gradient"),
    (lambda v, g, b: np.zeros(2), "shape"),
    (lambda v, g, b: v, "expected"),
])
def test_yogi_v_wrong(verdict, wrong, hint):
    ok, out = verdict(nb09.check_yogi_v, wrong)
    assert not ok and out.startswith("Not yet:")
    assert hint in out
