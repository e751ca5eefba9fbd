"""amslib.adamnc.AdamNC against the equations of Reddi, Kale and Kumar (2018),
Algorithm 3 with beta_{2t} = 1 - 1/t, and on the paper's counterexample."""
import math

import numpy as np
import pytest

from amslib.adamnc import AdamNC, AdamNCState
from amslib.optimizers import AdaGrad, Adam
from amslib.schedules import constant, inv_sqrt
from amslib.synthetic import online_problem, reference_run, run, stochastic_problem


def _gradient_sets(n=40):
    """Seeded gradient sequences of 1-40 steps in 1-3 coordinates: sizes from 1e-3 to
    1e3, exact zeros (whole leading runs of them too), sign changes, one spike."""
    rng = np.random.default_rng(2018)
    for k in range(n):
        T, d = int(rng.integers(1, 41)), int(rng.integers(1, 4))
        g = rng.normal(size=(T, d)) * 10.0 ** rng.uniform(-3, 3, size=(T, d))
        g[rng.random((T, d)) < 0.2] = 0.0
        if k % 5 == 0:
            g[: T // 2] = 0.0
        if k % 7 == 0:
            g[rng.integers(T)] *= 1e3
        yield g


GRADS = list(_gradient_sets())


def adamnc_reference(x0, grads, lr, b1, lam, eps):
    """Algorithm 3 written out with Python floats, one coordinate at a time, with
    beta_{1t} = b1 lam^(t-1) and beta_{2t} = 1 - 1/t."""
    x = list(map(float, x0))
    m, v = [0.0] * len(x), [0.0] * len(x)
    out = []
    for t, g in enumerate(grads, start=1):
        b1t, b2t = b1 * lam ** (t - 1), 1.0 - 1.0 / t
        for i in range(len(x)):
            m[i] = b1t * m[i] + (1 - b1t) * g[i]
            v[i] = b2t * v[i] + (1 - b2t) * g[i] ** 2
            den = math.sqrt(v[i]) + eps
            x[i] -= lr(t) * m[i] / den if den > 0 else 0.0
        out.append(list(x))
    return np.array(out)


def _run(opt, x0, grads):
    x, state, xs = np.array(x0, dtype=float), opt.init(x0), []
    for g in grads:
        x, state = opt.step(x, g, state)
        xs.append(x)
    return np.array(xs), state


def test_by_hand():
    # beta_1 = 1/2, alpha = 1, eps = 0, gradients 2 then 0:
    # t=1: beta_21 = 0, m = 1, v = 4, step 1/2 -> x = -0.5
    # t=2: beta_22 = 1/2, m = 1/2, v = 2, step (1/2)/sqrt(2) -> x = -0.5 - 0.35355...
    opt = AdamNC(lr=1.0, beta1=0.5, eps=0.0)
    x, s = opt.step([0.0], [2.0], opt.init([0.0]))
    assert x[0] == -0.5 and s == AdamNCState(1, np.array([1.0]), np.array([4.0]))
    x, s = opt.step(x, [0.0], s)
    assert x[0] == pytest.approx(-0.5 - 0.5 / math.sqrt(2), rel=1e-15)
    assert s.v[0] == 2.0 and opt.beta2_at(1) == 0.0 and opt.beta2_at(4) == 0.75


@pytest.mark.parametrize("seed", range(4))
def test_matches_the_equations(seed):
    rng = np.random.default_rng(seed)
    b1, lam = rng.uniform(0, 0.95), rng.choice([1.0, 0.99, 0.5])
    eps = float(rng.choice([0.0, 1e-8, 1e-3]))
    lr = inv_sqrt(rng.uniform(0.01, 1.0)) if seed % 2 else constant(rng.uniform(0.01, 1.0))
    grads = rng.normal(size=(60, 3)) * rng.choice([0.01, 1.0, 30.0], size=(60, 3))
    grads[rng.random(grads.shape) < 0.1] = 0.0
    x0 = rng.normal(size=3)
    xs, _ = _run(AdamNC(lr, b1, eps, beta1_decay=lam), x0, grads)
    np.testing.assert_allclose(xs, adamnc_reference(x0, grads, lr, b1, lam, eps), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("grads", GRADS)
def test_v_is_the_average_of_all_squared_gradients(grads):
    opt = AdamNC(lr=0.1, beta1=0.9)
    x, state = np.zeros(grads.shape[1]), opt.init(np.zeros(grads.shape[1]))
    for t, g in enumerate(grads, start=1):
        x, state = opt.step(x, g, state)
        np.testing.assert_allclose(state.v, np.mean(grads[:t] ** 2, axis=0), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("grads, alpha", list(zip(GRADS, np.geomspace(0.01, 2.0, len(GRADS)))))
def test_with_beta1_zero_and_inv_sqrt_it_is_adagrad(grads, alpha):
    """alpha_t / sqrt(v_t) = (alpha / sqrt(t)) / sqrt(G_t / t) = alpha / sqrt(G_t)."""
    x0 = np.zeros(grads.shape[1])
    nc, _ = _run(AdamNC(inv_sqrt(alpha), beta1=0.0, eps=0.0), x0, grads)
    ada, _ = _run(AdaGrad(alpha, eps=0.0), x0, grads)
    np.testing.assert_allclose(nc, ada, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("grads", GRADS)
def test_effective_step_never_grows(grads):
    """Gamma_t >= 0: with alpha_t = alpha / sqrt(t), sqrt(v_t) / alpha_t = sqrt(G_t) / alpha."""
    opt = AdamNC(lr=inv_sqrt(0.5), beta1=0.9)
    x, state, prev = np.zeros(grads.shape[1]), opt.init(np.zeros(grads.shape[1])), None
    for t, g in enumerate(grads, start=1):
        x, state = opt.step(x, g, state)
        inverse_step = np.sqrt(state.v) / opt.alpha(t)
        if prev is not None:
            assert np.all(inverse_step >= prev * (1 - 1e-12))
        prev = inverse_step


def test_on_the_counterexample_it_goes_to_the_optimum():
    """Section 5's online problem: Adam goes to +1; AdamNC, like AMSGrad, to -1. The fast
    simulator agrees with the plain loop, which runs AdamNC.step itself."""
    prob = online_problem()
    opt = AdamNC(inv_sqrt(0.5), beta1=0.9)
    loop = reference_run(prob, opt, 20_000)
    fast = run(prob, opt, 20_000)
    assert abs(fast.x_final - loop.x_final) < 1e-9 and abs(fast.average_regret - loop.average_regret) < 1e-9
    long = run(prob, opt, 10**6)
    adam = run(prob, Adam(inv_sqrt(0.5), (0.9, 0.99)), 10**6)
    assert long.x_final < -0.99 and adam.x_final > 0.99
    assert long.average_regret < 0.5 * prob.worst_average_regret < adam.average_regret
    stoch = stochastic_problem()
    res = run(stoch, opt, 10**6)
    assert res.x_final < -0.5 and res.average_regret < 0.5 * stoch.worst_average_regret


def test_inputs_and_states_not_modified():
    opt = AdamNC(lr=0.1, beta1=0.9, beta1_decay=0.9)
    x = np.array([1.0, -2.0, 0.5])
    state = opt.init(x)
    for g in ([1.0, 0.0, -3.0], [0.5, 2.0, 1.0]):
        x_before, state_before = x.copy(), [np.copy(f) for f in state]
        x_new, new_state = opt.step(x, np.array(g), state)
        np.testing.assert_array_equal(x, x_before)
        for f, f0 in zip(state, state_before, strict=True):
            np.testing.assert_array_equal(f, f0)
        assert new_state.t == state.t + 1
        x, state = x_new, new_state
    with pytest.raises(ValueError, match="gradient"):
        opt.step(x, [1.0, 2.0], state)
    with pytest.raises(ValueError, match="gradient"):
        opt.step(x, [np.inf, 0.0, 0.0], state)
    assert repr(opt).startswith("AdamNC(")


@pytest.mark.parametrize("make, name", [
    (lambda: AdamNC(lr=-1.0), "learning rate"),
    (lambda: AdamNC(beta1=1.0), "beta1"),
    (lambda: AdamNC(beta1=float("nan")), "beta1"),
    (lambda: AdamNC(beta1="x"), "beta1"),
    (lambda: AdamNC(eps=-1e-8), "epsilon"),
    (lambda: AdamNC(beta1_decay=1.5), "beta1_decay"),
    (lambda: AdamNC(beta1_decay=None), "beta1_decay"),
])
def test_validation(make, name):
    with pytest.raises(ValueError, match=name):
        make()
