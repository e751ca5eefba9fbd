"""Property tests of amslib.torch_optim.Adam: it equals torch.optim.Adam on random settings,
survives every way of saving and restoring (both directions with torch.optim.Adam), and
refuses what it does not implement instead of ignoring it."""
import copy
import io
import math
import pickle

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amslib.torch_optim import Adam

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

hyper = st.fixed_dictionaries({
    "lr": st.one_of(st.just(0.0), st.floats(1e-8, 10.0)),
    "betas": st.tuples(st.one_of(st.just(0.0), st.floats(0.0, 0.9999)),
                       st.one_of(st.just(0.0), st.floats(0.0, 0.99999))),
    "eps": st.one_of(st.just(0.0), st.floats(1e-12, 1.0)),
    "amsgrad": st.booleans(),
})
shapes = st.lists(st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple), min_size=1, max_size=3)


def _params(shapes, dtype, seed):
    gen = torch.Generator().manual_seed(seed)
    return [torch.nn.Parameter(torch.randn(s, generator=gen, dtype=dtype)) for s in shapes]


def _grads(params, k, scale):
    gen = torch.Generator().manual_seed(1000 + k)
    return [torch.randn(p.shape, generator=gen, dtype=p.dtype) * scale for p in params]


def _steps(opt, params, start, n, scale):
    for k in range(start, start + n):
        for p, g in zip(params, _grads(params, k, scale), strict=False):
            p.grad = g
        opt.step()


def _close(a, b, dtype):
    tol = 1e-12 if dtype == torch.float64 else 1e-5
    for x, y in zip(a, b, strict=False):
        assert torch.allclose(x, y, rtol=tol, atol=tol * 10), (x, y)


@SETTINGS
@given(h=hyper, shapes=shapes, dtype=st.sampled_from([torch.float32, torch.float64]),
       foreach=st.booleans(), scale=st.sampled_from([1e-6, 1.0, 1e3]), seed=st.integers(0, 99))
def test_equals_torch_adam(h, shapes, dtype, foreach, scale, seed):
    ours, theirs = _params(shapes, dtype, seed), _params(shapes, dtype, seed)
    _steps(Adam(ours, foreach=foreach, **h), ours, 0, 5, scale)
    _steps(torch.optim.Adam(theirs, foreach=foreach, **h), theirs, 0, 5, scale)
    _close(ours, theirs, dtype)


def _save_load(kind, opt):
    if kind == "deepcopy":
        return copy.deepcopy(opt)
    if kind == "pickle":
        return pickle.loads(pickle.dumps(opt))
    buf = io.BytesIO()
    torch.save(opt, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=False)


@SETTINGS
@given(h=hyper, check_finite=st.booleans(), kind=st.sampled_from(["deepcopy", "pickle", "torch.save"]))
def test_survives_copies(h, check_finite, kind):
    params = _params([(3,), (2, 2)], torch.float64, 0)
    opt = Adam(params, check_finite=check_finite, **h)
    _steps(opt, params, 0, 3, 1.0)
    twin = _save_load(kind, opt)
    assert twin.check_finite is check_finite
    twin_params = [p for g in twin.param_groups for p in g["params"]]
    _steps(twin, twin_params, 3, 3, 1.0)  # the copy steps on
    _steps(opt, params, 3, 3, 1.0)
    _close(twin_params, params, torch.float64)


@SETTINGS
@given(h=hyper, direction=st.sampled_from(["ours->torch", "torch->ours"]), foreach=st.booleans())
def test_state_dict_round_trips_with_torch(h, direction, foreach):
    a, b, ref = (_params([(3,), (2, 2)], torch.float64, 1) for _ in range(3))
    first, second = (Adam, torch.optim.Adam) if direction == "ours->torch" else (torch.optim.Adam, Adam)
    opt_a = first(a, foreach=foreach, **h)
    _steps(opt_a, a, 0, 3, 1.0)
    opt_b = second(b, foreach=foreach, **h)
    with torch.no_grad():
        for x, y in zip(b, a, strict=False):
            x.copy_(y)
    opt_b.load_state_dict(opt_a.state_dict())
    _steps(opt_b, b, 3, 3, 1.0)
    opt_ref = torch.optim.Adam(ref, foreach=foreach, **h)
    _steps(opt_ref, ref, 0, 6, 1.0)
    _close(b, ref, torch.float64)
    # and back again: the second optimizer's state loads into the first kind
    c = _params([(3,), (2, 2)], torch.float64, 1)
    opt_c = first(c, foreach=foreach, **h)
    opt_c.load_state_dict(opt_b.state_dict())
    assert [float(s["step"]) for s in opt_c.state.values()] == [6.0, 6.0]


# ----------------------------------------------------------------------------- refusals
def _p():
    return torch.nn.Parameter(torch.ones(3, dtype=torch.float64))


@pytest.mark.parametrize("key, value", [("weight_decay", 0.1), ("maximize", True),
                                        ("capturable", True), ("differentiable", True),
                                        ("fused", True), ("decoupled_weight_decay", True)])
def test_unimplemented_torch_options_are_refused_everywhere(key, value):
    with pytest.raises(ValueError, match=f"Invalid {key}"):
        Adam([_p()], **{key: value})
    with pytest.raises(ValueError, match=f"Invalid {key}"):
        Adam([{"params": [_p()], key: value}])
    p = _p()
    theirs = torch.optim.Adam([p], **({key: value} if key != "fused" else {}))
    sd = theirs.state_dict()
    sd["param_groups"][0][key] = value
    opt = Adam([_p()])
    with pytest.raises(ValueError, match=f"Invalid {key}"):
        opt.load_state_dict(sd)
    assert opt.param_groups[0][key] == Adam([_p()]).param_groups[0][key]  # unchanged
    opt.param_groups[0][key] = value  # changed after construction: refused on use
    q = opt.param_groups[0]["params"][0]
    q.grad = torch.ones(3, dtype=torch.float64)
    with pytest.raises(ValueError, match=f"Invalid {key}"):
        opt.step()
    assert torch.equal(q, torch.ones(3, dtype=torch.float64))


def test_unknown_group_keys_are_refused_scheduler_keys_kept():
    with pytest.raises(ValueError, match="nesterov"):
        Adam([{"params": [_p()], "nesterov": True}])
    opt = Adam([_p()], lr=0.1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    p = opt.param_groups[0]["params"][0]
    p.grad = torch.ones(3, dtype=torch.float64)
    opt.step()
    sched.step()


@pytest.mark.parametrize("key, value, match", [
    ("lr", math.nan, "learning rate"), ("lr", -1.0, "learning rate"), ("lr", True, "learning rate"),
    ("betas", (1.0, 0.9), "beta parameter at index 0"), ("betas", (0.9, 1.5), "index 1"),
    ("eps", -1.0, "epsilon"), ("amsgrad", "False", "amsgrad"),
])
def test_group_changed_after_construction_is_checked_on_step(key, value, match):
    p = _p()
    opt = Adam([p])
    opt.param_groups[0][key] = value
    p.grad = torch.ones(3, dtype=torch.float64)
    with pytest.raises(ValueError, match=match):
        opt.step()
    assert torch.equal(p, torch.ones(3, dtype=torch.float64))


@pytest.mark.parametrize("break_state, match", [
    (lambda s: s.__setitem__("exp_avg", torch.zeros(5, dtype=torch.float64)), "shape"),
    (lambda s: s.__setitem__("step", torch.tensor(2.5)), "whole number"),
    (lambda s: s.__setitem__("step", -1), "whole number"),
    (lambda s: s.__setitem__("exp_avg_sq", -torch.ones(3, dtype=torch.float64)), "negative"),
    (lambda s: s.pop("exp_avg"), "exp_avg"),
])
def test_broken_loaded_state_is_refused(break_state, match):
    p = _p()
    opt = Adam([p])
    p.grad = torch.ones(3, dtype=torch.float64)
    opt.step()
    sd = opt.state_dict()
    break_state(sd["state"][0])
    fresh = Adam([_p()])
    with pytest.raises(ValueError, match=match):
        fresh.load_state_dict(sd)
    assert not fresh.state  # nothing was loaded


@pytest.mark.parametrize("dtype", [torch.complex64, torch.int64])
def test_complex_and_integer_parameters_are_refused(dtype):
    with pytest.raises(ValueError, match="real floating-point"):
        Adam([torch.zeros(2, dtype=dtype)])


def test_flags_and_types_are_not_converted():
    for kwargs, match in [(dict(amsgrad="False"), "amsgrad"), (dict(lr=True), "learning rate"),
                          (dict(lr="0.1"), "learning rate"), (dict(check_finite="no"), "check_finite"),
                          (dict(eps=1j), "epsilon")]:
        with pytest.raises(ValueError, match=match):
            Adam([_p()], **kwargs)


def test_finite_check_does_not_overflow():
    """A float16 gradient of a million 70s has a 2-norm of 70,000 > float16's 65,504."""
    p = torch.nn.Parameter(torch.zeros(10**6, dtype=torch.float16))
    opt = Adam([p], lr=1e-3)
    p.grad = torch.full_like(p, 70.0)
    opt.step()
    q = torch.nn.Parameter(torch.zeros(2, dtype=torch.float32))
    opt = Adam([q])
    q.grad = torch.tensor([1e20, -3e38])
    opt.step()
    assert torch.isfinite(q).all()


# ------------------------------------------------------------------ hardening, round 2
def _stepped(opt_kwargs=None, grad=None, dtype=torch.float64, n=3):
    p = torch.nn.Parameter(torch.ones(n, dtype=dtype))
    opt = Adam([p], **(opt_kwargs or {}))
    p.grad = torch.ones(n, dtype=dtype) if grad is None else grad
    return p, opt


@pytest.mark.parametrize("foreach", [True, False])
@pytest.mark.parametrize("amsgrad", [True, False])
def test_eps_0_with_a_zero_gradient_entry_steps_0_not_nan(foreach, amsgrad):
    p, opt = _stepped(dict(eps=0.0, foreach=foreach, amsgrad=amsgrad),
                      torch.tensor([0.0, 1.0, -2.0], dtype=torch.float64))
    opt.step()
    assert torch.isfinite(p).all() and p[0] == 1.0 and p[1] < 1.0 < p[2]


@pytest.mark.parametrize("foreach", [True, False])
def test_a_parameter_with_zero_elements_is_stepped(foreach):
    empty = torch.nn.Parameter(torch.zeros(0, 4))
    full = torch.nn.Parameter(torch.ones(2))
    opt = Adam([empty, full], foreach=foreach)
    empty.grad, full.grad = torch.zeros(0, 4), torch.ones(2)
    opt.step()
    assert full[0] < 1.0 and empty.shape == (0, 4)


def test_the_same_parameter_twice_is_refused():
    p = torch.nn.Parameter(torch.ones(2))
    with pytest.raises(ValueError, match="appears twice"):
        Adam([p, p])
    opt = Adam([p])
    opt.param_groups[0]["params"].append(p)
    p.grad = torch.ones(2)
    with pytest.raises(ValueError, match="appears twice"):
        opt.step()
    assert torch.equal(p, torch.ones(2))


def test_a_group_whose_params_became_a_bare_tensor_is_refused():
    p, opt = _stepped()
    opt.param_groups[0]["params"] = p
    with pytest.raises(ValueError, match="params"):
        opt.step()


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64])
def test_an_lr_that_overflows_the_dtype_is_refused_before_updating(dtype):
    p, opt = _stepped(dict(lr=1e308 if dtype == torch.float64 else 1e300), dtype=dtype)
    with pytest.raises(ValueError, match="learning rate"):
        opt.step()
    assert torch.equal(p, torch.ones(3, dtype=dtype))
    assert all(s["step"] == 0 and not s["exp_avg"].any() for s in opt.state.values())


@pytest.mark.parametrize("foreach", [True, False])
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision_moments_are_kept_in_float32(dtype, foreach):
    """A float16 gradient of 1e4: g^2 = 1e8 overflows float16 (the step would silently be 0);
    the moments are float32 and the step is the float32 step, rounded to the dtype."""
    p, opt = _stepped(dict(lr=1e-1, foreach=foreach), torch.full((3,), 1e4, dtype=dtype), dtype=dtype)
    q, ref = _stepped(dict(lr=1e-1, foreach=foreach), torch.full((3,), 1e4), dtype=torch.float32)
    for _ in range(3):
        opt.step()
        ref.step()
    assert opt.state[p]["exp_avg_sq"].dtype == torch.float32
    assert torch.equal(p, q.to(dtype)) or torch.allclose(p.float(), q, rtol=1e-2)
    assert (p < 1.0).all()


@pytest.mark.parametrize("key", ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"])
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_loaded_state_with_non_finite_moments_is_refused(key, bad):
    p, opt = _stepped(dict(amsgrad=True))
    opt.step()
    sd = opt.state_dict()
    sd["state"][0][key][1] = bad
    fresh = Adam([_p()], amsgrad=True)
    with pytest.raises(ValueError, match=key):
        fresh.load_state_dict(sd)
    assert not fresh.state


@pytest.mark.parametrize("closure", [1, "loss", 0.5])
def test_a_closure_that_is_not_callable_is_named(closure):
    p, opt = _stepped()
    with pytest.raises(TypeError, match="closure"):
        opt.step(closure)


def test_a_step_number_past_2_53_is_refused():
    p, opt = _stepped()
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["step"] = 10 ** 400
    with pytest.raises(ValueError, match="step"):
        Adam([_p()]).load_state_dict(sd)
