"""amslib.torch_optim.Adam: same numbers as torch.optim.Adam and as the NumPy reference.

Quick (a few seconds on a 2-core CPU). The CUDA and MPS variants are skipped where
there is no such device: run ``benchmarks/gpu_check.sh`` on a GPU machine.
"""
from __future__ import annotations

import io
import math

import numpy as np
import pytest
import torch

from amslib import optimizers as ref
from amslib.torch_optim import Adam

HAS_CUDA = torch.cuda.is_available()
_mps = getattr(torch.backends, "mps", None)
HAS_MPS = _mps is not None and _mps.is_available()
needs_cuda = pytest.mark.skipif(
    not HAS_CUDA, reason="no CUDA GPU on this machine: run benchmarks/gpu_check.sh on a GPU machine")
needs_mps = pytest.mark.skipif(not HAS_MPS, reason="no Apple MPS device on this machine")

DEVICES = [
    pytest.param("cpu", id="cpu"),
    pytest.param("cuda", id="cuda", marks=needs_cuda),
    pytest.param("mps", id="mps", marks=needs_mps),
]
DTYPES = [pytest.param(torch.float64, id="float64"), pytest.param(torch.float32, id="float32")]
RTOL = {torch.float64: 1e-9, torch.float32: 1e-5}

# The course's MLP
N, D_IN, H, D_OUT = 64, 1000, 100, 10
STEPS = 100


@pytest.fixture(autouse=True, scope="module")
def one_cpu_thread():
    """One intra-op thread: on a small shared CI machine (2 cores) OpenMP threads that
    wait for each other can make these tiny matmuls 10-50x slower. Both optimizers
    always run under the same setting, so comparisons are unaffected."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def skip_unsupported(device, dtype):
    if device == "mps" and dtype == torch.float64:
        pytest.skip("MPS has no float64")


def make_mlp(device="cpu", dtype=torch.float64, seed=0):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(D_IN, H), torch.nn.ReLU(),
                                torch.nn.Linear(H, D_OUT))
    gen = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(N, D_IN, generator=gen, dtype=torch.float64)
    y = torch.randn(N, D_OUT, generator=gen, dtype=torch.float64)
    return (model.to(device=device, dtype=dtype), x.to(device=device, dtype=dtype),
            y.to(device=device, dtype=dtype))


def train(model, x, y, opt, steps, drop_grad=None):
    """``steps`` training steps; returns the losses. ``drop_grad(t)`` lists parameters
    whose grad is set to None at step t (so the optimizer must skip them)."""
    loss_fn = torch.nn.MSELoss(reduction="sum")
    losses = []
    for t in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        if drop_grad is not None:
            for p in drop_grad(t):
                p.grad = None
        opt.step()
        losses.append(loss.item())
    return losses


def flat(model) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1).double().cpu() for p in model.parameters()])


def assert_rel_close(a: torch.Tensor, b: torch.Tensor, rtol: float, what=""):
    """max |a - b| <= rtol * max |b|: relative to the scale of the whole vector
    (element-wise relative errors are meaningless for entries that cross 0)."""
    err = (a - b).abs().max().item()
    scale = b.abs().max().item()
    assert err <= rtol * scale, f"{what}: max abs diff {err:.3e} > {rtol:g} * {scale:.3e}"


# --------------------------------------------------------------------------- vs torch.optim.Adam
SETTINGS = [
    pytest.param(dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8), id="defaults"),
    pytest.param(dict(lr=1e-2, betas=(0.0, 0.99), eps=1e-6), id="beta1=0"),
    pytest.param(dict(lr=3e-4, betas=(0.5, 0.9), eps=1e-3), id="small-beta2-big-eps"),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("amsgrad", [False, True], ids=["adam", "amsgrad"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("hyper", SETTINGS)
def test_same_trajectory_as_torch(device, dtype, amsgrad, hyper):
    skip_unsupported(device, dtype)
    model, x, y = make_mlp(device, dtype)
    losses_ref = train(model, x, y, torch.optim.Adam(model.parameters(), amsgrad=amsgrad, **hyper),
                       STEPS)
    final_ref = flat(model)
    for foreach in (True, False):
        model, x, y = make_mlp(device, dtype)
        losses = train(model, x, y, Adam(model.parameters(), amsgrad=amsgrad, foreach=foreach,
                                         **hyper), STEPS)
        assert_rel_close(flat(model), final_ref, RTOL[dtype], f"parameters, foreach={foreach}")
        np.testing.assert_allclose(losses, losses_ref, rtol=10 * RTOL[dtype], atol=1e-12)
        assert losses[-1] < 0.5 * losses[0]  # it trains


def param_groups(model, torch_style=False):
    first, _, second = model
    return [
        {"params": first.parameters(), "lr": 1e-2, "betas": (0.0, 0.99), "amsgrad": True},
        {"params": second.parameters(), "eps": 1e-6},  # the rest from the defaults
    ]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_param_groups_with_different_hyperparameters(device, dtype):
    skip_unsupported(device, dtype)
    model, x, y = make_mlp(device, dtype)
    train(model, x, y, torch.optim.Adam(param_groups(model), lr=1e-3, betas=(0.8, 0.9)), STEPS)
    final_ref = flat(model)
    for foreach in (True, False):
        model, x, y = make_mlp(device, dtype)
        opt = Adam(param_groups(model), lr=1e-3, betas=(0.8, 0.9), foreach=foreach)
        assert [g["amsgrad"] for g in opt.param_groups] == [True, False]
        assert opt.param_groups[1]["betas"] == (0.8, 0.9)
        train(model, x, y, opt, STEPS)
        assert_rel_close(flat(model), final_ref, RTOL[dtype], f"foreach={foreach}")
        # max_exp_avg_sq only where amsgrad is on
        assert all("max_exp_avg_sq" in opt.state[p] for p in model[0].parameters())
        assert not any("max_exp_avg_sq" in opt.state[p] for p in model[2].parameters())


def test_add_param_group_mid_training():
    results = []
    for make_opt in (torch.optim.Adam, Adam):
        model, x, y = make_mlp()
        opt = make_opt(model[0].parameters(), lr=1e-3, amsgrad=True)
        train(model, x, y, opt, 40)
        opt.add_param_group({"params": model[2].parameters(), "lr": 3e-3, "betas": (0.5, 0.9)})
        train(model, x, y, opt, 40)
        results.append(flat(model))
    assert_rel_close(results[1], results[0], 1e-9)


def test_params_without_grad_are_skipped():
    """Dropping some grads makes the step counts t differ within a group (the foreach
    path then uses one bias correction per tensor)."""
    def drop(model):
        return lambda t: [model[2].weight] if t % 3 == 0 else ([model[0].bias] if t % 5 == 0 else [])

    model, x, y = make_mlp()
    train(model, x, y, torch.optim.Adam(model.parameters(), amsgrad=True), 100, drop(model))
    final_ref = flat(model)
    for foreach in (True, False):
        model, x, y = make_mlp()
        opt = Adam(model.parameters(), amsgrad=True, foreach=foreach)
        train(model, x, y, opt, 100, drop(model))
        assert_rel_close(flat(model), final_ref, 1e-9, f"foreach={foreach}")
        assert opt.state[model[2].weight]["step"] == 100 - len(range(0, 100, 3))
        assert opt.state[model[2].bias]["step"] == 100

    frozen = torch.nn.Parameter(torch.ones(3))  # never gets a grad: no state, unchanged
    model, x, y = make_mlp()
    opt = Adam([*model.parameters(), frozen])
    train(model, x, y, opt, 3)
    assert frozen not in opt.state and torch.equal(frozen, torch.ones(3))


@pytest.mark.parametrize("device", DEVICES)
def test_foreach_equals_loop_with_mixed_dtypes(device):
    """One group holding float32 and float64 tensors: foreach splits it by dtype."""
    def run(foreach):
        torch.manual_seed(3)
        dtypes = [torch.float32] * 2 if device == "mps" else [torch.float32, torch.float64]
        ps = [torch.nn.Parameter(torch.randn(7, 5, dtype=dt, device=device))
              for dt in dtypes for _ in range(2)]
        opt = Adam(ps, lr=1e-2, betas=(0.7, 0.95), amsgrad=True, foreach=foreach)
        for t in range(50):
            opt.zero_grad()
            sum(((p.double() - 1) ** 2 * (1 + math.sin(t))).sum() for p in ps).backward()
            opt.step()
        for p in ps:
            for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
                s = opt.state[p][key]
                assert s.dtype == p.dtype and s.device == p.device
        return ps

    for a, b in zip(run(True), run(False), strict=False):
        rtol = 1e-12 if a.dtype == torch.float64 else 1e-6
        torch.testing.assert_close(a, b, rtol=rtol, atol=rtol)


# --------------------------------------------------------------------------- vs NumPy reference
@pytest.mark.parametrize("amsgrad", [False, True], ids=["adam", "amsgrad"])
@pytest.mark.parametrize("hyper", [dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8),
                                   dict(lr=5e-2, betas=(0.0, 0.9), eps=1e-6)],
                         ids=["defaults", "beta1=0"])
def test_same_as_numpy_reference(amsgrad, hyper):
    """A small least-squares problem with minibatches (so v_t goes up and down and the
    AMSGrad maximum matters): torch tensors W (3x4) and b (3) against the NumPy Adam on
    the flattened vector x = [W.ravel(), b]."""
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(40, 4)), rng.normal(size=(40, 3))
    batches = [rng.choice(40, size=8, replace=False) for _ in range(200)]
    W0, b0 = rng.normal(size=(3, 4)), rng.normal(size=3)

    W = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(b0, requires_grad=True)
    opt = Adam([W, b], amsgrad=amsgrad, **hyper)
    np_opt = ref.Adam(amsgrad=amsgrad, **hyper)
    x = np.concatenate([W0.ravel(), b0])
    state = np_opt.init(x)
    v_max_grew = 0
    for idx in batches:
        Xb, Yb = torch.from_numpy(X[idx]), torch.from_numpy(Y[idx])
        opt.zero_grad()
        (0.5 * ((Xb @ W.T + b - Yb) ** 2).sum()).backward()
        opt.step()

        Wn, bn = x[:12].reshape(3, 4), x[12:]
        r = X[idx] @ Wn.T + bn - Y[idx]
        grad = np.concatenate([(r.T @ X[idx]).ravel(), r.sum(axis=0)])
        x, state = np_opt.step(x, grad, state)
        v_max_grew += bool(np.any(state.v_max > state.v))

        got = torch.cat([W.detach().ravel(), b.detach()]).numpy()
        np.testing.assert_allclose(got, x, rtol=1e-10, atol=1e-10 * np.abs(x).max())
    if amsgrad:
        assert v_max_grew > 0, "the test should exercise v_hat_t > v_t"


# --------------------------------------------------------------------------- state_dict
@pytest.mark.parametrize("foreach", [True, False], ids=["foreach", "loop"])
def test_state_dict_round_trip(foreach):
    """Save mid-training, load into a fresh model and optimizer, continue: the same
    trajectory as training without interruption."""
    model, x, y = make_mlp()
    opt = Adam(param_groups(model), lr=2e-3, foreach=foreach)
    train(model, x, y, opt, 50)
    buf = io.BytesIO()
    torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, buf)
    train(model, x, y, opt, 50)
    uninterrupted = flat(model)

    buf.seek(0)
    saved = torch.load(buf)
    model2, _, _ = make_mlp(seed=123)  # different initial weights: all must come from the file
    opt2 = Adam(param_groups(model2), lr=0.5, foreach=foreach)  # hyperparameters too
    model2.load_state_dict(saved["model"])
    opt2.load_state_dict(saved["opt"])
    assert opt2.param_groups[0]["lr"] == 1e-2 and opt2.param_groups[1]["lr"] == 2e-3
    state = opt2.state[model2[0].weight]
    assert state["step"] == 50
    assert set(state) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    train(model2, x, y, opt2, 50)
    assert torch.equal(flat(model2), uninterrupted)


def test_loads_torch_adam_state_dict():
    """A checkpoint of torch.optim.Adam (t stored as a tensor) continues identically."""
    model, x, y = make_mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, amsgrad=True)
    train(model, x, y, opt, 30)
    saved_model, saved_opt = io.BytesIO(), io.BytesIO()
    torch.save(model.state_dict(), saved_model)
    torch.save(opt.state_dict(), saved_opt)
    train(model, x, y, opt, 30)
    expected = flat(model)

    saved_model.seek(0)
    saved_opt.seek(0)
    model2, x, y = make_mlp()
    model2.load_state_dict(torch.load(saved_model))
    opt2 = Adam(model2.parameters())
    opt2.load_state_dict(torch.load(saved_opt))
    train(model2, x, y, opt2, 30)
    assert_rel_close(flat(model2), expected, 1e-9)


# --------------------------------------------------------------------------- API details
def test_step_returns_closure_loss_and_zero_grad():
    model, x, y = make_mlp()
    opt = Adam(model.parameters())

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y, reduction="sum")
        loss.backward()
        return loss

    first = opt.step(closure)
    assert isinstance(first, torch.Tensor) and first.requires_grad  # closure ran with grad
    assert opt.step(closure).item() < first.item()
    assert opt.step() is None
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert not opt.state[model[0].weight]["exp_avg"].requires_grad


def test_lr_scheduler_works():
    results = []
    for make_opt in (torch.optim.Adam, Adam):
        model, x, y = make_mlp()
        opt = make_opt(model.parameters(), lr=1e-2, amsgrad=True)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
        for _ in range(4):
            train(model, x, y, opt, 10)
            sched.step()
        results.append(flat(model))
    assert_rel_close(results[1], results[0], 1e-9)


def test_sparse_gradients_raise():
    emb = torch.nn.Embedding(10, 3, sparse=True)
    opt = Adam(emb.parameters())
    emb(torch.tensor([1, 2])).sum().backward()
    with pytest.raises(RuntimeError, match="does not support sparse gradients.*SparseAdam"):
        opt.step()


BAD = [
    pytest.param(dict(lr=-1), "Invalid learning rate: -1", id="lr<0"),
    pytest.param(dict(lr=float("nan")), "Invalid learning rate: nan", id="lr-nan"),
    pytest.param(dict(lr="fast"), "Invalid learning rate: 'fast'", id="lr-str"),
    pytest.param(dict(eps=-1e-8), "Invalid epsilon value: -1e-08", id="eps<0"),
    pytest.param(dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0", id="beta1=1"),
    pytest.param(dict(betas=(-0.1, 0.999)), "Invalid beta parameter at index 0: -0.1", id="beta1<0"),
    pytest.param(dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0", id="beta2=1"),
    pytest.param(dict(betas=(0.9, 1.5)), "Invalid beta parameter at index 1: 1.5", id="beta2>1"),
]


@pytest.mark.parametrize("kwargs, message", BAD)
def test_bad_hyperparameters_raise(kwargs, message):
    p = torch.nn.Parameter(torch.zeros(2))
    with pytest.raises(ValueError) as ours:
        Adam([p], **kwargs)
    assert str(ours.value).startswith(message), str(ours.value)
    # torch.optim's wording, where it has one, is a prefix of ours
    try:
        torch.optim.Adam([p], **kwargs)
    except TypeError:  # torch compares a str lr with 0.0
        pass
    except ValueError as theirs:
        assert str(ours.value).startswith(str(theirs)), (str(ours.value), str(theirs))
    # the same checks apply to a group's own hyperparameters, in __init__ and later
    with pytest.raises(ValueError, match=message.split(":")[0]):
        Adam([{"params": [p], **kwargs}])
    opt = Adam([p])
    with pytest.raises(ValueError, match=message.split(":")[0]):
        opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(2))], **kwargs})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize("lr, why", [(lambda t: 1e-3, "lr_scheduler"),
                                     (torch.tensor([1e-3, 1e-3]), "one-element"),
                                     (torch.tensor(1), "one-element floating-point")],
                         ids=["callable", "two-element tensor", "integer tensor"])
def test_lr_must_be_a_float_or_a_one_element_tensor(lr, why):
    with pytest.raises(ValueError, match=f"Invalid learning rate: .*{why}"):
        Adam([torch.nn.Parameter(torch.zeros(2))], lr=lr)


def test_a_0_dim_tensor_lr_is_accepted_as_torch_optim_does():
    paths = []
    for lr in (float(torch.tensor(1e-2)), torch.tensor(1e-2)):  # the same float32 value
        p = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
        opt = Adam([p], lr=lr)
        for _ in range(3):
            p.grad = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
            opt.step()
        paths.append(p.detach().clone())
    assert torch.equal(*paths)


def test_betas_must_be_a_pair():
    with pytest.raises(ValueError, match="Invalid betas"):
        Adam([torch.nn.Parameter(torch.zeros(2))], betas=0.9)


# --------------------------------------------------------------------------- devices
@needs_cuda
def test_cuda_state_dict_from_cpu_checkpoint():
    """A CPU checkpoint loads into a CUDA model: the state moves to the parameters' device."""
    model, x, y = make_mlp("cpu")
    opt = Adam(model.parameters(), amsgrad=True)
    train(model, x, y, opt, 20)
    buf = io.BytesIO()
    torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, buf)
    train(model, x, y, opt, 20)
    expected = flat(model)

    buf.seek(0)
    saved = torch.load(buf)
    model2, x2, y2 = make_mlp("cuda")
    model2.load_state_dict(saved["model"])
    opt2 = Adam(model2.parameters(), amsgrad=True)
    opt2.load_state_dict(saved["opt"])
    for p in model2.parameters():
        assert opt2.state[p]["exp_avg"].device == p.device
    train(model2, x2, y2, opt2, 20)
    assert_rel_close(flat(model2), expected, 1e-9)  # float64; matmul order may differ on GPU


def test_non_finite_gradient_raises_before_any_update():
    p = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    q = torch.nn.Parameter(torch.ones(2, dtype=torch.float64))
    opt = Adam([{"params": [p]}, {"params": [q], "lr": 0.1}], lr=0.01)
    p.grad, q.grad = torch.ones(3, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    opt.step()
    before = (p.detach().clone(), q.detach().clone(), opt.state_dict())
    q.grad = torch.tensor([1.0, float("inf")], dtype=torch.float64)
    with pytest.raises(ValueError, match=r"non-finite values \(NaN or inf\) in parameter 0 of param group 1"):
        opt.step()
    assert torch.equal(p, before[0]) and torch.equal(q, before[1])
    assert opt.state_dict()["state"][0]["step"] == before[2]["state"][0]["step"] == 1
    unchecked = Adam([p], lr=0.01, check_finite=False)
    p.grad = torch.tensor([float("nan"), 0.0, 0.0], dtype=torch.float64)
    unchecked.step()                                  # torch.optim.Adam's behaviour: NaN in, NaN out
    assert torch.isnan(p[0]) and torch.isfinite(p[1:]).all()
