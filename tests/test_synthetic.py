"""Tests of amslib.synthetic: the fast simulator against the plain loop, and the paper's results."""
import math

import numpy as np
import pytest

from amslib.optimizers import SGD, Adam
from amslib.schedules import constant, inv_sqrt
from amslib.synthetic import (
    online_problem,
    reference_run,
    run,
    sample_steps,
    stochastic_problem,
    sweep,
    theorem1_beta2,
    theorem1_problem,
)

PROBLEMS = {
    "online": online_problem(),                       # Section 5: (1010, 101, -10)
    "stochastic": stochastic_problem(),               # Section 5: (1010, 0.01, -10)
    "theorem1": theorem1_problem(3.0),                # (3, 3, -1)
    "small": stochastic_problem(C=2.0, p=0.4, c=-1.0),  # many switches between +1 and -1
}
LRS = {"const": constant(0.05), "const_big": constant(1.0), "inv_sqrt": inv_sqrt(0.5)}


def _close(res, ref, tol=1e-9):
    assert res.steps == ref.steps
    np.testing.assert_array_equal(res.t, ref.t)
    assert abs(res.x_final - ref.x_final) <= tol
    assert abs(res.average_regret - ref.average_regret) <= tol
    np.testing.assert_allclose(res.x, ref.x, rtol=0, atol=tol)
    np.testing.assert_allclose(res.average_regret_curve, ref.average_regret_curve, rtol=0, atol=tol)


@pytest.mark.parametrize("prob", PROBLEMS, ids=str)
@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("bias_correction", [False, True])
@pytest.mark.parametrize("lr", LRS, ids=str)
@pytest.mark.parametrize("betas", [(0.9, 0.99), (0.0, 0.9), (0.5, 0.999)], ids=str)
def test_run_matches_reference_loop(prob, amsgrad, bias_correction, lr, betas):
    opt = Adam(lr=LRS[lr], betas=betas, amsgrad=amsgrad, bias_correction=bias_correction)
    # chunk=500: several chunks (state carried across), and a length that is no
    # multiple of the scan's block length 16.
    res = run(PROBLEMS[prob], opt, 1500, x0=0.3, seed=7, chunk=500)
    _close(res, reference_run(PROBLEMS[prob], opt, 1500, x0=0.3, seed=7))


@pytest.mark.parametrize("eps", [0.0, 1e-8])
@pytest.mark.parametrize("x0", [-1.0, 1.0])
def test_run_eps_zero_and_edges(eps, x0):
    # c = 0: with eps = 0 the denominator is 0 until the first C (0/0 -> 0, like _safe_div).
    prob = stochastic_problem(C=2.0, p=0.05, c=0.0)
    for amsgrad in (False, True):
        opt = Adam(lr=0.1, betas=(0.9, 0.999999), eps=eps, amsgrad=amsgrad)
        _close(run(prob, opt, 3000, x0=x0, seed=1), reference_run(prob, opt, 3000, x0=x0, seed=1))


def test_run_default_chunk_and_one_step():
    opt = Adam(lr=inv_sqrt(0.5), betas=(0.9, 0.99))
    for prob in (PROBLEMS["online"], PROBLEMS["stochastic"]):
        _close(run(prob, opt, 5000, seed=3), reference_run(prob, opt, 5000, seed=3))
        _close(run(prob, opt, 1), reference_run(prob, opt, 1))


def test_run_other_optimizers_fall_back_to_the_loop():
    opt = SGD(lr=0.01)
    _close(run(PROBLEMS["online"], opt, 300), reference_run(PROBLEMS["online"], opt, 300), tol=0)
    with pytest.raises(TypeError, match="Invalid opt: .*must be an optimizer"):
        run(PROBLEMS["online"], object(), 10)


def test_run_rejects_objects_that_only_look_like_adam():
    class MyAdam:  # Adam's attributes but no update rule: nothing says it *is* Adam
        lr, betas, eps, amsgrad, bias_correction = inv_sqrt(0.5), (0.9, 0.99), 1e-8, True, True
    with pytest.raises(TypeError, match="optimizer with init and step"):
        run(PROBLEMS["online"], MyAdam(), 1000)


B1 = np.array([0.0, 0.5, 0.9])[:, None]
B2 = np.array([0.3, 0.99, 0.999])[None, :]


@pytest.mark.parametrize("prob", ["online", "stochastic"])
@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("bias_correction", [False, True])
def test_sweep_entries_match_reference(prob, amsgrad, bias_correction):
    lr = inv_sqrt(0.5)
    X = sweep(PROBLEMS[prob], B1, B2, lr, 1000, amsgrad=amsgrad, bias_correction=bias_correction,
              x0=-0.2, seed=11)
    assert X.shape == (3, 3)
    for i, b1 in enumerate(B1[:, 0]):
        for j, b2 in enumerate(B2[0]):
            opt = Adam(lr, (b1, b2), amsgrad=amsgrad, bias_correction=bias_correction)
            ref = reference_run(PROBLEMS[prob], opt, 1000, x0=-0.2, seed=11)
            assert abs(X[i, j] - ref.x_final) <= 1e-9


def test_sweep_not_a_grid_and_scalars():
    # paired (not outer-product) settings, descending order, repeats: the gather path
    b1 = np.array([0.9, 0.0, 0.9, 0.5])
    b2 = np.array([0.999, 0.99, 0.9, 0.999])
    lr = constant(0.02)
    X = sweep(PROBLEMS["small"], b1, b2, lr, 1000, amsgrad=True, eps=0.0, seed=2)
    for k in range(4):
        ref = reference_run(PROBLEMS["small"], Adam(lr, (b1[k], b2[k]), eps=0.0, amsgrad=True), 1000, seed=2)
        assert abs(X[k] - ref.x_final) <= 1e-9
    x = sweep(PROBLEMS["online"], 0.9, 0.99, lr, 500)
    assert x.shape == () and abs(float(x) - run(PROBLEMS["online"], Adam(lr, (0.9, 0.99)), 500).x_final) <= 1e-9


def test_seeds():
    prob = PROBLEMS["stochastic"]
    g = prob.gradients(10**5, seed=5)
    assert np.array_equal(g, prob.gradients(10**5, seed=5))
    assert not np.array_equal(g, prob.gradients(10**5, seed=6))
    assert set(np.unique(g)) == {1010.0, -10.0}
    assert abs((g == 1010.0).mean() - 0.01) < 0.002  # ~ 6.5 standard deviations
    # the same sequence however it is taken in pieces
    s = prob.stream(5)
    pieces = np.concatenate([s.take(k) for k in (1, 999, 3, 50_000, 48_997)])
    assert np.array_equal(pieces, g)
    opt = Adam(inv_sqrt(0.5), (0.9, 0.99))
    assert run(prob, opt, 3000, seed=1).x_final == run(prob, opt, 3000, seed=1).x_final


def test_online_gradients_and_facts():
    prob = online_problem(C=5.0, period=4, c=-1.0)
    assert prob.gradients(9).tolist() == [5.0, -1, -1, -1, 5, -1, -1, -1, 5]
    sec5 = online_problem()
    assert math.isclose(sec5.worst_average_regret, 20 / 101)
    assert sec5.optimal_point == -1.0 and sec5.average_regret_of(-1.0) == 0.0
    # a fixed point's average regret over whole periods, from the definition
    T = 101 * 7
    g = sec5.gradients(T)
    assert math.isclose((g.sum() * 1.0 + abs(g.sum())) / T, sec5.worst_average_regret)
    assert math.isclose(stochastic_problem().worst_average_regret, 0.4)
    assert math.isclose(theorem1_beta2(3.0), 0.1)


def test_subsampling():
    assert sample_steps(10).tolist() == list(range(1, 11))
    for T in (10_001, 10**6, 10**7):
        t = sample_steps(T)
        assert t[0] == 1 and t[-1] == T and len(t) <= 10_002 and np.all(np.diff(t) > 0)
    res = run(PROBLEMS["online"], Adam(0.01), 50_000)
    assert len(res.t) == len(res.x) == len(res.average_regret_curve) <= 10_002
    assert res.t[0] == 1 and res.t[-1] == 50_000 and res.x[0] == 0.0
    assert res.average_regret_curve[-1] == pytest.approx(res.average_regret)


@pytest.mark.parametrize("call, match", [
    (lambda: online_problem(C=0.0), r"Invalid C: 0.0 \(must be > 0, in \[1e-150, 1e\+150\]\)"),
    (lambda: online_problem(C=2.0, period=3, c=-1.0), r"Theorem 1's problem needs C > 2"),
    (lambda: theorem1_problem(1.5), r"needs C > 2"),
    (lambda: online_problem(period=1), r"Invalid period: 1 \(must be an integer >= 2\)"),
    (lambda: online_problem(period=3.5), r"Invalid period: 3.5 \(must be an integer"),
    (lambda: online_problem(c=math.nan),
     r"Invalid c: nan \(must be a finite number with \|c\| in \[1e-150, 1e\+150\] or 0\)"),
    (lambda: online_problem(C=math.inf), r"Invalid C: inf"),
    (lambda: stochastic_problem(p=0.0), r"Invalid p: 0.0 \(must be a probability in \(0, 1\)\)"),
    (lambda: stochastic_problem(p=1.0), r"Invalid p: 1.0"),
    (lambda: stochastic_problem(C=-1.0), r"Invalid C: -1.0"),
    (lambda: run(online_problem(), Adam(0.1), 0), r"Invalid steps: 0 \(must be an integer >= 1\)"),
    (lambda: run(online_problem(), Adam(0.1), 10, x0=1.5), r"Invalid x0: 1.5 \(must lie in F = \[-1, 1\]\)"),
    (lambda: run(online_problem(), Adam(0.1), 10, x0=math.nan), r"Invalid x0: nan"),
    (lambda: reference_run(online_problem(), Adam(0.1), 0), r"Invalid steps"),
    (lambda: sweep(online_problem(), [0.9, 1.0], 0.99, 0.1, 10), r"Invalid beta1: 1.0 \(must be in \[0, 1\)\)"),
    (lambda: sweep(online_problem(), 0.9, [0.99, -0.1], 0.1, 10), r"Invalid beta2: -0.1"),
    (lambda: sweep(online_problem(), 0.9, 0.99, 0.1, 10, x0=-2), r"Invalid x0"),
    (lambda: sweep(online_problem(), 0.9, 0.99, -0.1, 10), r"Invalid learning rate"),
    (lambda: run(online_problem(), Adam(lambda t: -1.0), 10), r"Invalid learning rate at step t=1"),
])
def test_invalid_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_wrong_problem_type():
    with pytest.raises(TypeError, match=r"Invalid prob: a str \(must be an OnlineProblem"):
        run("online", Adam(0.1), 10)


# ----------------------------------------------------------------- the paper's results
FIG1 = dict(lr=inv_sqrt(0.5), betas=(0.9, 0.99))


@pytest.mark.parametrize("name", ["online", "stochastic"])
def test_figure1_adam_fails_amsgrad_converges(name):
    """Reddi et al., Figure 1 (10^7 steps here too: ~0.3 s a run).

    Adam ends at the worst point +1. Its average regret then tends to at least the worst
    fixed point's (20/101 online, 2 mu = 0.4 stochastic): its losses at the C-steps are
    those of x = +1, and after each C-step it dips below +1 just when the gradient
    rewards a large x, so it pays a bit more. We measured 0.2075 (online) and 0.436
    (stochastic) at 10^7 steps, so we ask for [1, 1.15] x the worst point's value.
    AMSGrad ends near the optimum -1, with a small average regret (measured 0.011 and
    0.057, still falling like 1/sqrt(T)): at most a quarter of Adam's.
    """
    prob = PROBLEMS[name]
    adam = run(prob, Adam(**FIG1), 10**7, seed=0)
    ams = run(prob, Adam(**FIG1, amsgrad=True), 10**7, seed=0)
    worst = prob.worst_average_regret
    assert adam.x_final > 0.9
    assert worst * 0.999 <= adam.average_regret <= 1.15 * worst
    assert ams.x_final < -0.9
    assert 0 <= ams.average_regret < 0.25 * worst


def test_theorem1_adam_drifts_to_worst_point():
    """Theorem 1: beta_1 = 0, beta_2 = 1/(1 + C^2), alpha_t = alpha / sqrt(t) (paper's
    Adam: no bias correction). Adam goes to +1, AMSGrad to the optimum -1."""
    C = 3.0
    prob = theorem1_problem(C)
    kw = dict(lr=inv_sqrt(0.5), betas=(0.0, theorem1_beta2(C)), bias_correction=False)
    adam = run(prob, Adam(**kw), 10**6)
    ams = run(prob, Adam(**kw, amsgrad=True), 10**6)
    assert adam.x_final > 0.99
    assert adam.average_regret > 0.9 * prob.worst_average_regret
    assert ams.x_final < -0.9


def test_run_uses_the_exact_loop_for_adam_subclasses_with_another_update():
    """AdamW is an Adam subclass whose step adds weight decay: run must not simulate plain Adam."""
    from amslib.beyond import AdamW
    from amslib.schedules import inv_sqrt
    from amslib.synthetic import online_problem, reference_run, run

    prob = online_problem()
    opt = AdamW(lr=inv_sqrt(0.5), betas=(0.9, 0.99), weight_decay=0.5, amsgrad=True)
    fast, loop = run(prob, opt, steps=3000), reference_run(prob, opt, steps=3000)
    assert fast.x_final == loop.x_final
    plain = run(prob, Adam(lr=inv_sqrt(0.5), betas=(0.9, 0.99), amsgrad=True), steps=3000)
    assert abs(plain.x_final - loop.x_final) > 1e-3


def test_sweep_rejects_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"Invalid beta1, beta2: shapes \(2,\) and \(3,\) do not broadcast"):
        sweep(online_problem(), np.array([0.9, 0.95]), np.array([0.9, 0.99, 0.999]), 0.1, 10)


# --------------------------------------------------------------------------- other rules
def _other_rules():
    from amslib.adamnc import AdamNC
    from amslib.beyond import AdaBound, AMSBound
    return {
        "adabound_inv_sqrt": AdaBound(inv_sqrt(0.5), (0.9, 0.99)),
        "amsbound_inv_sqrt": AMSBound(inv_sqrt(0.5), (0.9, 0.99)),
        "adabound_const_bounds": AdaBound(inv_sqrt(0.5), (0.9, 0.99), scaled_bounds=False),
        "adabound_no_bc_eps0": AdaBound(constant(0.05), (0.5, 0.999), eps=0.0, gamma=0.1,
                                        bias_correction=False),
        "adamnc": AdamNC(inv_sqrt(0.5), 0.9),
        "adamnc_eps0_beta0": AdamNC(constant(0.05), 0.0, eps=0.0),
    }


@pytest.mark.parametrize("prob", PROBLEMS, ids=str)
@pytest.mark.parametrize("name", list(_other_rules()))
def test_run_simulates_adabound_and_adamnc_like_the_loop(prob, name):
    """AdaBound/AMSBound and AdamNC (constant beta_1) take the fast path: same numbers."""
    from amslib import fast_adam
    opt = _other_rules()[name]
    assert fast_adam._simulator(opt) is not None
    res = run(PROBLEMS[prob], opt, 1500, x0=0.3, seed=7, chunk=500)
    _close(res, reference_run(PROBLEMS[prob], opt, 1500, x0=0.3, seed=7))


def test_run_loops_for_adamnc_with_a_decaying_beta1():
    from amslib import fast_adam
    from amslib.adamnc import AdamNC
    opt = AdamNC(inv_sqrt(0.5), 0.9, beta1_decay=0.99)
    assert fast_adam._simulator(opt) is None
    _close(run(PROBLEMS["online"], opt, 500), reference_run(PROBLEMS["online"], opt, 500), tol=0)


def test_run_adabound_scaled_bounds_with_a_zero_first_step_size():
    from amslib.beyond import AdaBound
    warm = AdaBound(lambda t: np.where(np.asarray(t) < 50, 0.0, 0.1), (0.9, 0.99))
    with pytest.raises(ValueError, match="scaled_bounds"):
        run(PROBLEMS["online"], warm, 100)
    with pytest.raises(ValueError, match="scaled_bounds"):
        reference_run(PROBLEMS["online"], warm, 100)
    zero = AdaBound(0.0, (0.9, 0.99))  # alpha_t = 0 throughout: bounds 0, no step
    assert run(PROBLEMS["online"], zero, 300, x0=0.25).x_final == 0.25


def _caps():
    """Every documented cap on time: (what, call with the cap + 1, the cap)."""
    import math as _math

    from amslib import fast_adam, plain_loop, synthetic
    from amslib.adamnc import AdamNC
    from amslib.beyond import Yogi
    from amslib.explorer.controls import MAX_EXPLORER_STEPS
    from amslib.widgets import Explorer

    prob = synthetic.online_problem()
    one_t = Adam(lambda t: 0.5 / _math.sqrt(t))  # written for one t at a time
    return [
        ("run", lambda: synthetic.run(prob, Adam(0.1), fast_adam.MAX_STEPS + 1), fast_adam.MAX_STEPS),
        ("run, loop-only optimizer", lambda: synthetic.run(prob, Yogi(0.1), plain_loop.MAX_LOOP_STEPS + 1),
         plain_loop.MAX_LOOP_STEPS),
        ("reference_run", lambda: synthetic.reference_run(prob, AdamNC(0.1), plain_loop.MAX_LOOP_STEPS + 1),
         plain_loop.MAX_LOOP_STEPS),
        ("run, one-t schedule", lambda: synthetic.run(prob, one_t, fast_adam.MAX_PER_STEP_SCHEDULE_STEPS + 1),
         fast_adam.MAX_PER_STEP_SCHEDULE_STEPS),
        ("sweep", lambda: synthetic.sweep(prob, np.linspace(0, 0.9, 1000)[:, None],
                                          np.linspace(0.5, 0.99, 1000)[None, :], 0.1,
                                          fast_adam.MAX_SWEEP_WORK // 10 ** 6 + 1), fast_adam.MAX_SWEEP_WORK),
        ("Explorer", lambda: Explorer(steps=MAX_EXPLORER_STEPS + 1), MAX_EXPLORER_STEPS),
    ]


@pytest.mark.parametrize("i", range(6))
def test_every_cap_refuses_with_the_limit_in_the_message(i):
    what, call, cap = _caps()[i]
    with pytest.raises(ValueError, match=f"{cap:,}"):
        call()
