"""The NumPy reference optimizers: against torch.optim, against the equations, bad input."""
import math

import numpy as np
import pytest
import torch

from amslib.optimizers import SGD, AdaGrad, Adam, AMSGrad, Momentum, RMSProp
from amslib.schedules import constant, inv_sqrt


def run_numpy(opt, x0, grads):
    x, state = np.array(x0), opt.init(x0)
    path = [x]
    for g in grads:
        x, state = opt.step(x, g, state)
        path.append(x)
    return np.array(path)


def run_torch(make_opt, x0, grads, lr_schedule=None):
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = make_opt([p])
    path = [p.detach().clone().numpy()]
    for t, g in enumerate(grads, start=1):
        if lr_schedule is not None:
            for group in opt.param_groups:
                group["lr"] = lr_schedule(t)
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        path.append(p.detach().clone().numpy())
    return np.array(path)


def random_gradients(rng, steps, dim):
    # heavy-tailed, with sign changes and occasional spikes, like real gradients
    g = rng.standard_t(df=3, size=(steps, dim)) * rng.uniform(0.01, 10.0, size=dim)
    g[rng.random(steps) < 0.05] *= 30.0
    return g


SETTINGS = [  # (lr, beta_1, beta_2, eps)
    (1e-3, 0.9, 0.999, 1e-8),
    (0.05, 0.9, 0.99, 1e-8),
    (0.1, 0.0, 0.99, 1e-8),          # beta_1 = 0: RMSProp with bias correction
    (0.01, 0.5, 0.9, 1e-3),
    (0.2, 0.99, 0.999, 0.0),
    (0.01, 0.95, 0.5, 1e-6),
]


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("lr,b1,b2,eps", SETTINGS)
def test_adam_matches_torch(amsgrad, lr, b1, b2, eps):
    rng = np.random.default_rng(hash((amsgrad, lr, b1, b2, eps)) % 2**32)
    x0 = rng.normal(size=7)
    grads = random_gradients(rng, 400, 7)
    ours = run_numpy(Adam(lr=lr, betas=(b1, b2), eps=eps, amsgrad=amsgrad), x0, grads)
    ref = run_torch(lambda p: torch.optim.Adam(p, lr=lr, betas=(b1, b2), eps=eps, amsgrad=amsgrad),
                    x0, grads)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("seed", range(20))
def test_adam_matches_torch_random_settings(seed):
    rng = np.random.default_rng(1000 + seed)
    lr = 10 ** rng.uniform(-4, -0.5)
    b1 = 0.0 if seed % 5 == 0 else rng.uniform(0, 0.999)
    b2 = rng.uniform(0.5, 0.9999)
    eps = 10 ** rng.uniform(-10, -2)
    amsgrad = bool(seed % 2)
    x0 = rng.normal(size=5)
    grads = random_gradients(rng, 300, 5)
    ours = run_numpy(Adam(lr=lr, betas=(b1, b2), eps=eps, amsgrad=amsgrad), x0, grads)
    ref = run_torch(lambda p: torch.optim.Adam(p, lr=lr, betas=(b1, b2), eps=eps, amsgrad=amsgrad),
                    x0, grads)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_schedule_matches_torch_with_lr_set_each_step(amsgrad):
    rng = np.random.default_rng(7)
    x0 = rng.normal(size=3)
    grads = random_gradients(rng, 300, 3)
    schedule = inv_sqrt(0.3)
    ours = run_numpy(Adam(lr=schedule, betas=(0.9, 0.99), amsgrad=amsgrad), x0, grads)
    ref = run_torch(lambda p: torch.optim.Adam(p, lr=0.3, betas=(0.9, 0.99), amsgrad=amsgrad),
                    x0, grads, lr_schedule=schedule)
    np.testing.assert_allclose(ours, ref, rtol=1e-10)


def test_adam_paper_form_by_hand():
    """bias_correction=False is Reddi et al.'s Algorithm 2: x - alpha_t m_t / sqrt(v_hat_t)."""
    b1, b2, alpha = 0.9, 0.99, 0.5
    grads = [3.0, -1.0, -1.0, 3.0, -1.0, 0.5]
    for amsgrad in (False, True):
        opt = Adam(lr=inv_sqrt(alpha), betas=(b1, b2), eps=0.0, amsgrad=amsgrad, bias_correction=False)
        x, state = np.array([0.2]), opt.init(np.array([0.2]))
        m = v = v_hat = 0.0
        xs = 0.2
        for t, g in enumerate(grads, start=1):
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            v_hat = max(v_hat, v) if amsgrad else v
            xs = xs - alpha / math.sqrt(t) * m / math.sqrt(v_hat)
            x, state = opt.step(x, np.array([g]), state)
            assert x[0] == pytest.approx(xs, rel=1e-14)


def test_amsgrad_max_is_over_raw_v_then_corrected():
    """PyTorch's convention: v_hat = max of the raw v_t, bias-corrected with the current t."""
    b2 = 0.9
    opt = AMSGrad(lr=1.0, betas=(0.0, b2), eps=0.0)
    x, state = np.zeros(1), opt.init(np.zeros(1))
    x, state = opt.step(x, np.array([10.0]), state)   # v_1 = 10
    x_before = x.copy()
    x, state = opt.step(x, np.array([1.0]), state)    # v_2 = 9 + 0.1 = 9.1 < v_1
    assert state.v_max[0] == pytest.approx((1 - b2) * 100)
    expected = 1.0 * 1.0 / (math.sqrt((1 - b2) * 100) / math.sqrt(1 - b2 ** 2))
    assert (x_before - x)[0] == pytest.approx(expected, rel=1e-14)


def test_step_does_not_modify_inputs():
    x = np.array([1.0, 2.0])
    g = np.array([0.5, -0.5])
    opt = Adam(lr=0.1, amsgrad=True)
    state = opt.init(x)
    x_new, new_state = opt.step(x, g, state)
    assert np.array_equal(x, [1.0, 2.0]) and np.array_equal(g, [0.5, -0.5])
    assert state.t == 0 and np.all(state.m == 0) and new_state.t == 1
    assert not np.shares_memory(x_new, x)


def test_zero_gradient_with_zero_eps_is_not_nan():
    for opt in (Adam(lr=0.1, eps=0.0), Adam(lr=0.1, eps=0.0, amsgrad=True), RMSProp(0.1, eps=0.0),
                AdaGrad(0.1, eps=0.0)):
        x, state = opt.step(np.ones(2), np.zeros(2), opt.init(np.ones(2)))
        assert np.array_equal(x, np.ones(2)), type(opt).__name__


def test_rmsprop_matches_torch():
    rng = np.random.default_rng(3)
    x0 = rng.normal(size=4)
    grads = random_gradients(rng, 300, 4)
    ours = run_numpy(RMSProp(lr=0.01, beta=0.95, eps=1e-6), x0, grads)
    ref = run_torch(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.95, eps=1e-6), x0, grads)
    np.testing.assert_allclose(ours, ref, rtol=1e-10)


def test_sgd_momentum_adagrad_equations():
    g = np.array([[1.0, -2.0], [0.5, 4.0], [-3.0, 1.0]])
    x0 = np.array([0.3, -0.7])
    # SGD
    path = run_numpy(SGD(lr=0.1), x0, g)
    np.testing.assert_allclose(path[-1], x0 - 0.1 * g.sum(axis=0), rtol=1e-15)
    # Momentum as an exponential moving average
    m, x = np.zeros(2), x0.copy()
    for gt in g:
        m = 0.8 * m + 0.2 * gt
        x = x - 0.1 * m
    np.testing.assert_allclose(run_numpy(Momentum(lr=0.1, beta=0.8), x0, g)[-1], x, rtol=1e-15)
    # AdaGrad
    G, x = np.zeros(2), x0.copy()
    for gt in g:
        G = G + gt ** 2
        x = x - 0.1 * gt / (np.sqrt(G) + 1e-10)
    np.testing.assert_allclose(run_numpy(AdaGrad(lr=0.1), x0, g)[-1], x, rtol=1e-15)


def test_adagrad_matches_torch():
    rng = np.random.default_rng(5)
    x0 = rng.normal(size=3)
    grads = random_gradients(rng, 200, 3)
    ours = run_numpy(AdaGrad(lr=0.1, eps=1e-10), x0, grads)
    ref = run_torch(lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-10), x0, grads)
    np.testing.assert_allclose(ours, ref, rtol=1e-10)


def test_schedules():
    assert inv_sqrt(0.5)(4) == 0.25
    np.testing.assert_allclose(inv_sqrt(0.5)(np.array([1, 4, 16])), [0.5, 0.25, 0.125])
    assert constant(0.1)(7) == 0.1
    assert constant(0.1)(np.arange(1, 4)).shape == (3,)
    with pytest.raises(ValueError, match="step number"):
        inv_sqrt(0.5)(0)
    with pytest.raises(ValueError, match="alpha"):
        inv_sqrt(-1.0)


def test_schedule_classes_behind_the_factories():
    from amslib.schedules import Constant, InvSqrt, Schedule

    for make, cls in ((constant, Constant), (inv_sqrt, InvSqrt)):
        s = make(0.5)
        assert type(s) is cls and isinstance(s, Schedule)
        assert repr(s) == f"{make.__name__}(0.5)" and eval(repr(s)) == s == cls(0.5)  # prints as made
        with pytest.raises(AttributeError, match=f"make a new one, e.g. {make.__name__}"):
            s.alpha = 0.3


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=-0.1), r"Invalid learning rate: -0.1"),
    (dict(lr=float("nan")), r"Invalid learning rate"),
    (dict(lr="fast"), r"Invalid learning rate"),
    (dict(betas=(1.0, 0.999)), r"Invalid beta parameter at index 0: 1.0 \(must be in \[0, 1\)\)"),
    (dict(betas=(0.9, 1.0)), r"Invalid beta parameter at index 1: 1.0"),
    (dict(betas=(-0.1, 0.99)), r"Invalid beta parameter at index 0: -0.1"),
    (dict(betas=(0.9, float("nan"))), r"Invalid beta parameter at index 1: nan"),
    (dict(betas=(0.9,)), r"Invalid betas"),
    (dict(eps=-1e-8), r"Invalid epsilon value: -1e-08"),
])
def test_adam_rejects_bad_hyperparameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Adam(**kwargs)


@pytest.mark.parametrize("make", [lambda: Momentum(0.1, beta=1.0), lambda: RMSProp(0.1, beta=-0.5)])
def test_single_beta_rejected(make):
    with pytest.raises(ValueError, match=r"Invalid beta: .* \(must be in \[0, 1\)\)"):
        make()


@pytest.mark.parametrize("cls", [SGD, Momentum, AdaGrad, RMSProp, Adam])
def test_bad_gradients_rejected(cls):
    opt = cls(lr=0.1)
    x = np.zeros(3)
    state = opt.init(x)
    with pytest.raises(ValueError, match=r"shape \(2,\) does not match the parameters' shape \(3,\)"):
        opt.step(x, np.zeros(2), state)
    with pytest.raises(ValueError, match=r"non-finite value nan at flat index 1"):
        opt.step(x, np.array([0.0, np.nan, 0.0]), state)
    with pytest.raises(ValueError, match=r"non-finite value inf"):
        opt.step(x, np.array([0.0, 0.0, np.inf]), state)


def test_schedule_returning_negative_rejected_at_step():
    opt = Adam(lr=lambda t: 0.25 - 0.125 * t)
    x, state = opt.step(np.zeros(1), np.ones(1), opt.init(np.zeros(1)))
    x, state = opt.step(x, np.ones(1), state)  # alpha_2 = 0 is allowed
    with pytest.raises(ValueError, match=r"Invalid learning rate at step t=3: -0.125"):
        opt.step(x, np.ones(1), state)


# --------------------------------------------------------------------------- a state from outside
from amslib import adamnc, beyond, optimizers, synthetic  # noqa: E402

EVERY_NUMPY_OPTIMIZER = [SGD, Momentum, AdaGrad, RMSProp, Adam, AMSGrad, adamnc.AdamNC,
                         beyond.AdamX, beyond.Yogi, beyond.AdaBound, beyond.AMSBound, beyond.AdamW]


def _opt(cls):
    return cls(0.1)


def _states_after_some_steps(opt, x):
    state = opt.init(x)
    for g in ([1.0, -2.0, 0.5], [0.3, 0.0, -1.0]):
        x, state = opt.step(x, np.array(g), state)
    return x, state


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, -1.0])
@pytest.mark.parametrize("cls", EVERY_NUMPY_OPTIMIZER, ids=lambda c: c.__name__)
def test_a_state_from_outside_is_checked_like_an_argument(cls, bad):
    """Every array field of every optimizer's state, given NaN, +-inf or (for sums of squares) a
    negative entry: a ValueError naming the field, never NaN in the new x or the new state
    (whether or not the algorithm reads that field: AMSGrad's v_max under amsgrad=False too)."""
    opt = _opt(cls)
    x, state = _states_after_some_steps(opt, np.array([0.2, -0.3, 0.1]))
    for name in type(state)._fields[1:]:
        if bad == -1.0 and name not in opt._nonnegative:
            continue  # a first moment may be negative
        field = getattr(state, name).copy()
        field[1] = bad
        with pytest.raises(ValueError, match=f"state.{name}"):
            opt.step(x, np.ones(3), state._replace(**{name: field}))


@pytest.mark.parametrize("cls", EVERY_NUMPY_OPTIMIZER, ids=lambda c: c.__name__)
def test_a_new_state_shares_no_memory_with_the_old_one_or_x(cls):
    opt = _opt(cls)
    x, state = _states_after_some_steps(opt, np.array([0.2, -0.3, 0.1]))
    x_new, new = opt.step(x, np.ones(3), state)
    for a in new[1:]:
        assert not np.shares_memory(a, x) and not np.shares_memory(a, x_new)
        assert not any(np.shares_memory(a, b) for b in state[1:])
    for name, a in zip(new._fields[1:], new[1:], strict=False):
        others = [b for other, b in zip(new._fields[1:], new[1:], strict=False) if other != name]
        assert not any(np.shares_memory(a, b) for b in others)


@pytest.mark.parametrize("t", [10 ** 400, 2 ** 53, -1, 2.5])
@pytest.mark.parametrize("cls", EVERY_NUMPY_OPTIMIZER, ids=lambda c: c.__name__)
def test_a_state_step_number_out_of_range_is_named(cls, t):
    opt = _opt(cls)
    state = opt.init(np.zeros(2))
    with pytest.raises(ValueError, match=r"state\.t"):
        opt.step(np.zeros(2), np.ones(2), state._replace(t=t))


class _NaNAfter:
    """A user's optimizer (init and step) whose step returns NaN from step k on."""

    def __init__(self, k, bad=math.nan):
        self.k, self.bad = k, bad

    def init(self, x):
        return 0

    def step(self, x, g, t):
        return (np.array(self.bad) if t + 1 >= self.k else x - 0.01 * g), t + 1


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("engine", [synthetic.run, synthetic.reference_run])
def test_a_user_optimizer_returning_non_finite_stops_at_that_step(engine, bad):
    prob = synthetic.online_problem()
    with pytest.raises(FloatingPointError, match="t=5"):
        engine(prob, _NaNAfter(5, bad), 20)


def test_adam_moments_checks_the_state_it_is_given():
    state = Adam().init(np.zeros(2))
    with pytest.raises(ValueError, match="state.v_max"):
        optimizers.adam_moments(state._replace(v_max=np.array([0.0, math.nan])), np.ones(2),
                                0.9, 0.999, False)
