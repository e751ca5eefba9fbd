"""amslib.beyond: each optimizer against its published rule, written out here again as a
plain loop over Python floats, one coordinate at a time."""
import math

import numpy as np
import pytest

from amslib.beyond import AdaBound, AdamW, AdamX, AdamXState, AMSBound, Yogi, YogiState, large_beta2_adam
from amslib.optimizers import Adam, AdamState
from amslib.schedules import inv_sqrt

SETTINGS = [0, 1, 2, 3]  # seeds of the random settings


def _grads(rng, steps, d=3):
    """Gradients of varied sizes, with exact zeros and sign changes."""
    g = rng.normal(size=(steps, d)) * rng.choice([0.01, 1.0, 30.0], size=(steps, d))
    g[rng.random((steps, d)) < 0.1] = 0.0
    return g


def _run(opt, x0, grads):
    x, state = np.array(x0, dtype=float), opt.init(x0)
    xs = []
    for g in grads:
        x, state = opt.step(x, g, state)
        xs.append(x)
    return np.array(xs), state


def _sign(z):
    return (z > 0) - (z < 0)


# --------------------------------------------------------------------------- AdamX
def adamx_reference(x0, grads, lr, b1, b2, lam, eps):
    """Tran and Phong (2019), Algorithm AdamX, one coordinate at a time."""
    out = []
    x = list(x0)
    m, v, vh = [0.0] * len(x), [0.0] * len(x), [0.0] * len(x)
    for t, g in enumerate(grads, start=1):
        b1t = b1 * lam ** (t - 1)
        b1prev = b1 * lam ** (t - 2)
        for i in range(len(x)):
            m[i] = b1t * m[i] + (1 - b1t) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            if t == 1:
                vh[i] = v[i]
            else:
                vh[i] = max((1 - b1t) ** 2 / (1 - b1prev) ** 2 * vh[i], v[i])
            den = math.sqrt(vh[i]) + eps
            x[i] -= lr(t) * m[i] / den if den > 0 else 0.0
        out.append(list(x))
    return np.array(out)


def test_adamx_by_hand():
    # beta_1 = lambda = beta_2 = 1/2, eps = 0, alpha = 1, gradients 1 then 0:
    # t=1: m=.5, v=.5, v_hat=.5, step .5/sqrt(.5) = 0.70710678...
    # t=2: beta_12=.25, m=.125, v=.25, v_hat=max((.75/.5)^2 * .5, .25)=1.125,
    #      step .125/sqrt(1.125) = 0.11785113...
    opt = AdamX(lr=1.0, betas=(0.5, 0.5), eps=0.0, beta1_decay=0.5)
    x, s = opt.step([0.0], [1.0], opt.init([0.0]))
    assert x[0] == pytest.approx(-0.7071067811865476, rel=1e-15)
    x, s = opt.step(x, [0.0], s)
    assert s.v_hat[0] == pytest.approx(1.125, rel=1e-15)
    assert x[0] == pytest.approx(-0.7071067811865476 - 0.11785113019775792, rel=1e-15)
    assert isinstance(s, AdamXState) and s.t == 2


@pytest.mark.parametrize("seed", SETTINGS)
def test_adamx_matches_reference(seed):
    rng = np.random.default_rng(seed)
    b1, b2 = rng.uniform(0, 0.95), rng.uniform(0.5, 0.999)
    lam, eps, a = rng.uniform(0.5, 1.0), rng.choice([0.0, 1e-8, 1e-3]), rng.uniform(0.01, 1)
    x0, grads = rng.normal(size=3), _grads(rng, 12)
    xs, _ = _run(AdamX(lr=inv_sqrt(a), betas=(b1, b2), eps=eps, beta1_decay=lam), x0, grads)
    ref = adamx_reference(x0, grads, lambda t: a / math.sqrt(t), b1, b2, lam, eps)
    np.testing.assert_allclose(xs, ref, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("seed", SETTINGS)
def test_adamx_constant_beta1_is_amsgrad(seed):
    rng = np.random.default_rng(seed)
    x0, grads = rng.normal(size=3), _grads(rng, 50)
    xs, s = _run(AdamX(lr=0.1, betas=(0.9, 0.99), eps=1e-8), x0, grads)
    ys, _ = _run(Adam(lr=0.1, betas=(0.9, 0.99), eps=1e-8, amsgrad=True,
                      bias_correction=False), x0, grads)
    np.testing.assert_array_equal(xs, ys)


def test_adamx_decay_inflates_v_hat():
    # with a decaying beta_1 and constant gradients (v increasing, so AMSGrad's max is
    # v itself), AdamX's v_hat grows faster than v
    opt = AdamX(lr=0.1, betas=(0.9, 0.99), beta1_decay=0.9)
    _, s = _run(opt, [0.0], np.ones((20, 1)))
    _, s_ams = _run(AdamX(lr=0.1, betas=(0.9, 0.99)), [0.0], np.ones((20, 1)))
    assert s_ams.v_hat[0] == s.v[0]
    assert s.v_hat[0] > 2 * s.v[0]


# --------------------------------------------------------------------------- Yogi
def yogi_reference(x0, grads, lr, b1, b2, eps, v0):
    """Zaheer et al. (2018), Algorithm 2 (no bias correction)."""
    out = []
    x = [float(z) for z in x0]
    m, v = [0.0] * len(x), [float(v0)] * len(x)
    for g in grads.tolist():
        for i in range(len(x)):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = v[i] - (1 - b2) * _sign(v[i] - g[i] ** 2) * g[i] ** 2
            den = math.sqrt(v[i]) + eps
            x[i] -= lr * m[i] / den if den > 0 else 0.0
        out.append(list(x))
    return np.array(out)


def test_yogi_by_hand():
    # beta_1 = .9, beta_2 = .9, eps = 0, v_0 = 0, alpha = 1
    # t=1, g=2: m=.2, v = 0 - .1 * sign(0 - 4) * 4 = .4, step .2/sqrt(.4) = 0.31622776...
    # t=2, g=1: m=.28, v = .4 - .1 * sign(.4 - 1) * 1 = .5, step .28/sqrt(.5) = 0.39597979...
    opt = Yogi(lr=1.0, betas=(0.9, 0.9), eps=0.0)
    x, s = opt.step([0.0], [2.0], opt.init([0.0]))
    assert s.v[0] == pytest.approx(0.4, rel=1e-15)
    assert x[0] == pytest.approx(-0.31622776601683794, rel=1e-14)
    x, s = opt.step(x, [1.0], s)
    assert s.v[0] == pytest.approx(0.5, rel=1e-15)
    assert x[0] == pytest.approx(-0.31622776601683794 - 0.39597979746446665, rel=1e-14)
    assert isinstance(s, YogiState)


@pytest.mark.parametrize("seed", SETTINGS)
def test_yogi_matches_reference(seed):
    rng = np.random.default_rng(seed)
    b1, b2 = rng.uniform(0, 0.95), rng.uniform(0.5, 0.999)
    eps, a = rng.choice([0.0, 1e-8, 1e-3]), rng.uniform(0.01, 1)
    v0 = rng.choice([0.0, 1e-6, 0.5])
    x0, grads = rng.normal(size=3), _grads(rng, 12)
    xs, _ = _run(Yogi(lr=a, betas=(b1, b2), eps=eps, initial_accumulator=v0), x0, grads)
    ref = yogi_reference(x0, grads, a, b1, b2, eps, v0)
    np.testing.assert_allclose(xs, ref, rtol=1e-12, atol=1e-15)


def test_yogi_bias_correction_scales_the_step():
    opt = Yogi(lr=0.1, betas=(0.9, 0.999), bias_correction=True)
    x, s = opt.step([1.0], [3.0], opt.init([1.0]))
    # t=1: m=.3, v=.001*9, a_1 = .1 * sqrt(.001) / .1
    assert x[0] == pytest.approx(1.0 - math.sqrt(0.001) * 0.3 / (math.sqrt(0.009) + 1e-3))


def test_yogi_v_decreases_but_stays_nonnegative():
    # 100 steps of gradients ~10, then 1000 of ~1: v rises, then comes down, but only by
    # (1 - beta_2) g_t^2 per step (Adam's v would drop by (1 - beta_2)(v - g_t^2))
    rng = np.random.default_rng(5)
    scale = np.r_[np.full(100, 10.0), np.full(1000, 1.0)]
    grads = rng.normal(size=(1100, 4)) * scale[:, None]
    opt = Yogi(lr=0.01, betas=(0.9, 0.5))  # v_0 = 0
    x, s = np.zeros(4), opt.init(np.zeros(4))
    decreased, peak = False, np.zeros(4)
    for g in grads:
        x, s_new = opt.step(x, g, s)
        assert np.all(s_new.v >= 0.0)
        decreased |= bool(np.any(s_new.v < s.v))
        s = s_new
        peak = np.maximum(peak, s.v)
    assert decreased
    assert np.all(s.v < 0.1 * peak)


# --------------------------------------------------------------------------- AdaBound
def adabound_reference(x0, grads, lr, b1, b2, final_lr, gamma, eps, ams, bias_correction=True,
                       scaled=True):
    """Luo et al. (2019) as in the authors' public code, one coordinate at a time, with their
    bias correction or without it. ``lr`` is a number or a schedule t -> alpha_t; with
    ``scaled`` the bounds use final_lr * lr(t) / lr(1), as their code does when a scheduler
    sets group['lr'] = lr(t) and base_lr = lr(1) (for a constant lr: final_lr itself)."""
    alpha = lr if callable(lr) else (lambda t: lr)
    out, x = [], list(x0)
    m, v, vmax = [0.0] * len(x), [0.0] * len(x), [0.0] * len(x)
    for t, g in enumerate(grads, start=1):
        f = final_lr * alpha(t) / alpha(1) if scaled else final_lr
        lo, hi = f * (1 - 1 / (gamma * t + 1)), f * (1 + 1 / (gamma * t))
        a = alpha(t)
        if bias_correction:
            a = a * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        for i in range(len(x)):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            vmax[i] = max(vmax[i], v[i])
            den = math.sqrt(vmax[i] if ams else v[i]) + eps
            eta = min(max(a / den, lo), hi) if den > 0 else hi
            x[i] -= eta * m[i]
        out.append(list(x))
    return np.array(out)


def assert_adabound_matches_reference(x0, grads, lr, b1, b2, final_lr, gamma, eps, ams,
                                      bias_correction=True, scaled=True) -> AdaBound:
    """amslib's AdaBound (AMSBound with ``ams``) on these settings and gradients gives the
    iterates of :func:`adabound_reference` to 1e-12; returns the optimizer."""
    opt = AdaBound(lr=lr, betas=(b1, b2), final_lr=final_lr, gamma=gamma, eps=eps, amsbound=ams,
                   bias_correction=bias_correction, scaled_bounds=scaled)
    xs, _ = _run(opt, x0, grads)
    ref = adabound_reference(x0, grads, lr, b1, b2, final_lr, gamma, eps, ams, bias_correction, scaled)
    np.testing.assert_allclose(xs, ref, rtol=1e-12, atol=1e-15)
    return opt


def test_adabound_by_hand():
    # alpha=1, final_lr=.1, gamma=.5, betas (.5, .5), eps=0, no bias correction, g=1:
    # m=.5, v=.5, 1/sqrt(.5)=1.41 > eta_u(1)=.1*(1+1/.5)=.3 -> eta=.3, x=-.15
    opt = AdaBound(lr=1.0, betas=(0.5, 0.5), final_lr=0.1, gamma=0.5, eps=0.0,
                   bias_correction=False)
    assert opt.bounds(1) == pytest.approx((0.1 * (1 - 1 / 1.5), 0.3))
    x, s = opt.step([0.0], [1.0], opt.init([0.0]))
    assert x[0] == pytest.approx(-0.15, rel=1e-15)
    assert isinstance(s, AdamState)


@pytest.mark.parametrize("ams", [False, True])
@pytest.mark.parametrize("seed", SETTINGS)
def test_adabound_matches_reference(seed, ams):
    rng = np.random.default_rng(seed)
    b1, b2 = rng.uniform(0, 0.95), rng.uniform(0.5, 0.999)
    eps, a = rng.choice([0.0, 1e-8, 1e-3]), rng.uniform(0.001, 1)
    final_lr, gamma = rng.uniform(0.01, 0.5), rng.choice([1e-3, 0.1, 0.5])
    bc = bool(rng.integers(2))
    x0, grads = rng.normal(size=3), _grads(rng, 12)
    assert_adabound_matches_reference(x0, grads, a, b1, b2, final_lr, gamma, eps, ams, bias_correction=bc)


@pytest.mark.parametrize("scaled", [True, False])
@pytest.mark.parametrize("ams", [False, True])
@pytest.mark.parametrize("seed", SETTINGS)
def test_adabound_bounds_follow_the_step_size_schedule(seed, ams, scaled):
    rng = np.random.default_rng(100 + seed)
    lr = inv_sqrt(rng.uniform(0.01, 1.0))
    b1, b2, final_lr = rng.uniform(0, 0.95), rng.uniform(0.5, 0.999), rng.uniform(0.01, 0.5)
    gamma, eps = float(rng.choice([1e-3, 0.1])), float(rng.choice([0.0, 1e-8]))
    x0, grads = rng.normal(size=3), _grads(rng, 40)
    opt = assert_adabound_matches_reference(x0, grads, lr, b1, b2, final_lr, gamma, eps, ams, scaled=scaled)
    f = final_lr / math.sqrt(40) if scaled else final_lr  # alpha_40 / alpha_1 = 1 / sqrt(40)
    assert opt.final_lr_at(40) == pytest.approx(f, rel=1e-15)


def test_adabound_scaled_bounds_shrink_like_one_over_sqrt_t():
    opt = AdaBound(lr=inv_sqrt(0.5), final_lr=0.1, gamma=1e-3)
    for t in (10**4, 10**6):
        lo, hi = opt.bounds(t)
        assert lo < 0.1 / math.sqrt(t) < hi and hi - lo < 1.1 * (0.1 / math.sqrt(t)) * 2 / (1e-3 * t)
    const = AdaBound(lr=inv_sqrt(0.5), final_lr=0.1, gamma=1e-3, scaled_bounds=False)
    assert const.bounds(10**6)[0] > 0.0999
    assert AdaBound(lr=0.3, final_lr=0.1).bounds(500) == AdaBound(lr=0.3, final_lr=0.1, scaled_bounds=False).bounds(500)


def test_adabound_zero_first_step_size():
    assert AdaBound(lr=0.0).bounds(7) == (0.0, 0.0)
    warm = AdaBound(lr=lambda t: 0.0 if t < 3 else 0.1)
    assert warm.bounds(2) == (0.0, 0.0)
    with pytest.raises(ValueError, match="scaled_bounds"):
        warm.bounds(3)
    assert AdaBound(lr=lambda t: 0.0 if t < 3 else 0.1, scaled_bounds=False).bounds(3)[1] > 0.1


def test_amsbound_step_size_inside_bounds():
    rng = np.random.default_rng(11)
    opt = AMSBound(lr=0.05, final_lr=0.1, gamma=0.01)
    assert opt.amsbound
    x, s = np.zeros(5), opt.init(np.zeros(5))
    at_bound = 0
    for g in _grads(rng, 300, 5):
        x_new, s_new = opt.step(x, g, s)
        assert np.all(s_new.v_max >= s.v_max)
        lo, hi = opt.bounds(s_new.t)
        ok = np.abs(s_new.m) > 1e-12
        eta = (x - x_new)[ok] / s_new.m[ok]
        assert np.all(eta >= lo * (1 - 1e-9)) and np.all(eta <= hi * (1 + 1e-9))
        at_bound += int(np.sum(np.isclose(eta, lo) | np.isclose(eta, hi)))
        x, s = x_new, s_new
    assert at_bound > 0  # the clip was active


def test_adabound_bounds_close_in_on_final_lr():
    opt = AdaBound(final_lr=0.1, gamma=1e-3)
    lo, hi = opt.bounds(10**7)
    assert 0.0999 < lo < 0.1 < hi < 0.1001
    assert opt.bounds(1)[0] < lo and opt.bounds(1)[1] > hi


# --------------------------------------------------------------------------- AdamW
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_matches_torch(amsgrad):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    d, steps = 7, 400
    lr, betas, eps, wd = 0.01, (0.9, 0.99), 1e-8, 0.1
    x0 = rng.normal(size=d)
    grads = rng.normal(size=(steps, d)) * np.geomspace(1.0, 1e-3, steps)[:, None]
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    topt = torch.optim.AdamW([p], lr=lr, betas=betas, eps=eps, weight_decay=wd,
                             amsgrad=amsgrad)
    opt = AdamW(lr=lr, betas=betas, eps=eps, weight_decay=wd, amsgrad=amsgrad)
    x, s = x0.copy(), opt.init(x0)
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        topt.step()
        x, s = opt.step(x, g, s)
        np.testing.assert_allclose(x, p.detach().numpy(), rtol=1e-10, atol=0)


def test_adamw_decay_is_decoupled():
    # with zero gradients Adam's step is 0, so AdamW only shrinks x by (1 - lr*wd) each step
    opt = AdamW(lr=0.1, weight_decay=0.5)
    xs, _ = _run(opt, [2.0, -4.0], np.zeros((3, 2)))
    np.testing.assert_allclose(xs[-1], np.array([2.0, -4.0]) * 0.95 ** 3, rtol=1e-15)
    # weight_decay = 0 is Adam
    rng = np.random.default_rng(0)
    x0, grads = rng.normal(size=3), _grads(rng, 30)
    np.testing.assert_array_equal(_run(AdamW(lr=0.1, weight_decay=0.0), x0, grads)[0],
                                  _run(Adam(lr=0.1), x0, grads)[0])


# --------------------------------------------------------------------------- large beta_2
def test_large_beta2_adam_is_plain_adam():
    opt = large_beta2_adam(lr=0.1, beta1=0.9, beta2=0.9999)
    assert type(opt) is Adam and opt.betas == (0.9, 0.9999) and not opt.amsgrad
    with pytest.raises(ValueError, match="beta1"):
        large_beta2_adam(beta1=0.9, beta2=0.8)  # 0.9 >= sqrt(0.8) = 0.894
    with pytest.raises(ValueError, match="beta2"):
        large_beta2_adam(beta2=1.0)


# --------------------------------------------------------------------------- common
ALL = [
    lambda: AdamX(lr=0.1, beta1_decay=0.9),
    lambda: Yogi(lr=0.1),
    lambda: AdaBound(lr=0.1),
    lambda: AMSBound(lr=0.1),
    lambda: AdamW(lr=0.1, amsgrad=True),
]


@pytest.mark.parametrize("make", ALL)
def test_inputs_and_states_not_modified(make):
    opt = make()
    x = np.array([1.0, -2.0, 0.5])
    state = opt.init(x)
    for g in ([1.0, 0.0, -3.0], [0.5, 2.0, 1.0]):
        x_before, state_before = x.copy(), [np.copy(f) for f in state]
        g = np.array(g)
        x_new, new_state = opt.step(x, g, state)
        np.testing.assert_array_equal(x, x_before)
        for f, f0 in zip(state, state_before, strict=True):
            np.testing.assert_array_equal(f, f0)
        assert new_state.t == state.t + 1 and x_new is not x
        with pytest.raises(AttributeError):
            new_state.t = 0
        x, state = x_new, new_state
    with pytest.raises(ValueError, match="gradient"):
        opt.step(x, [1.0, 2.0], state)
    with pytest.raises(ValueError, match="gradient"):
        opt.step(x, [np.nan, 0.0, 0.0], state)
    assert type(opt).__name__ in repr(opt)


@pytest.mark.parametrize("make, name", [
    (lambda: AdamX(lr=-1.0), "learning rate"),
    (lambda: AdamX(betas=(1.0, 0.9)), "beta parameter at index 0"),
    (lambda: AdamX(beta1_decay=1.5), "beta1_decay"),
    (lambda: AdamX(beta1_decay="x"), "beta1_decay"),
    (lambda: AdamX(eps=-1.0), "epsilon"),
    (lambda: Yogi(betas=(0.9, 1.0)), "beta parameter at index 1"),
    (lambda: Yogi(initial_accumulator=-1e-6), "initial_accumulator"),
    (lambda: Yogi(eps=float("nan")), "epsilon"),
    (lambda: AdaBound(final_lr=-0.1), "final_lr"),
    (lambda: AdaBound(gamma=0.0), "gamma"),
    (lambda: AdaBound(gamma=1.0), "gamma"),
    (lambda: AMSBound(lr=float("inf")), "learning rate"),
    (lambda: AdamW(weight_decay=-0.01), "weight_decay"),
    (lambda: AdamW(betas=(0.9,)), "betas"),
])
def test_validation(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_bounds_need_t_at_least_1():
    with pytest.raises(ValueError, match="step number"):
        AdaBound().bounds(0)
