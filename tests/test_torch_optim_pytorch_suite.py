"""PyTorch's own test inputs for ``torch.optim.Adam`` (its ``optim_db`` entry in
``torch.testing._internal.common_optimizers``: the inputs and the error inputs that its
``TestOptimRenewed`` runs), run against :class:`amslib.torch_optim.Adam`.

* every input amslib supports gives torch.optim.Adam's numbers (both update paths, both
  amsgrad settings); an input with an option amslib does not implement (weight_decay,
  maximize, capturable) is refused with a ValueError naming it;
* every error input raises what torch raises, with torch's words, except the deviations in
  ``DEVIATIONS``, each with what amslib does instead;
* the optimizer contract the suite relies on: state_dicts interchangeable with torch's,
  deepcopy, step hooks, closures, an lr_scheduler.
"""
from __future__ import annotations

import copy

import pytest
import torch

pytest.importorskip("expecttest")  # torch's internal test modules import it
from torch.testing._internal.common_optimizers import OptimizerErrorEnum, optim_db  # noqa: E402

from amslib.torch_optim import Adam  # noqa: E402
from amslib.torch_optim.checks import UNSUPPORTED  # noqa: E402

ADAM = next(o for o in optim_db if o.optim_cls is torch.optim.Adam)
# The CPU inputs, and the CUDA ones (tensor lr and betas) without capturable, a CUDA-graphs option.
INPUTS = ADAM.optim_inputs_func(device="cpu", dtype=torch.float64) + [
    i for i in ADAM.optim_inputs_func(device="cuda", dtype=torch.float64)
    if isinstance(i.kwargs.get("lr"), torch.Tensor)]
ERRORS = ADAM.optim_error_inputs_func(device="cpu", dtype=torch.float32)

# torch refuses these, amslib accepts them on purpose (and gives torch's numbers for the same
# values as floats: a tensor lr or beta is read at every step), or refuses them in its own words.
DEVIATIONS = {
    "a param group cannot have duplicate parameters": (ValueError, "a parameter group with duplicate parameters"),
    "lr as Tensor doesn't work with foreach & not capturable": None,
    "betas must be either both floats or both Tensors": None,
    r"betas\[0\] as a Tensor is not supported for capturable=False and foreach=True": None,
}


def _floats(kwargs: dict) -> dict:
    """The same settings with tensors as Python floats (what torch.optim takes everywhere)."""
    def f(v):
        return float(v) if isinstance(v, torch.Tensor) else v
    return {k: (tuple(f(b) for b in v) if k == "betas" else f(v)) for k, v in kwargs.items()}


def _trajectory(make, steps: int = 12) -> list[torch.Tensor]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    X, y = torch.randn(16, 3, dtype=torch.float64), torch.randn(16, 1, dtype=torch.float64)
    opt = make(model.parameters())

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X), y)
        loss.backward()
        return loss
    for _ in range(steps):
        opt.step(closure)
    return [p.detach().clone() for p in model.parameters()]


def _unsupported(kwargs: dict) -> list[str]:
    return [k for k in kwargs if k in UNSUPPORTED and kwargs[k] != UNSUPPORTED[k]]


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("inp", INPUTS, ids=[i.desc for i in INPUTS])
def test_pytorch_inputs_give_torchs_numbers(inp, foreach, amsgrad):
    kwargs = {k: v for k, v in inp.kwargs.items() if k != "capturable"}
    kwargs["amsgrad"] = kwargs.get("amsgrad", False) or amsgrad
    if bad := _unsupported(kwargs):
        with pytest.raises(ValueError, match=rf"Invalid ({'|'.join(bad)}) value: .*supports only"):
            Adam([torch.zeros(2, requires_grad=True)], **kwargs, foreach=foreach)
        return
    ours = _trajectory(lambda p: Adam(p, **kwargs, foreach=foreach))
    theirs = _trajectory(lambda p: torch.optim.Adam(p, **_floats(kwargs), foreach=foreach))
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("err", ERRORS, ids=[e.optimizer_error_input.desc for e in ERRORS])
def test_pytorch_error_inputs(err):
    inp = err.optimizer_error_input
    params = inp.params if inp.params is not None else [torch.zeros(2, requires_grad=True)]

    def make_and_step():
        opt = Adam(params, **inp.kwargs)
        if err.error_on == OptimizerErrorEnum.STEP_ERROR:
            opt.step()
        return opt

    if inp.desc not in DEVIATIONS:
        with pytest.raises(err.error_type, match=err.error_regex):
            make_and_step()
    elif DEVIATIONS[inp.desc] is None:  # accepted: the numbers of the same values as floats
        kwargs = {k: v for k, v in inp.kwargs.items() if k != "foreach"}
        ours = _trajectory(lambda p: Adam(p, **inp.kwargs))
        theirs = _trajectory(lambda p: torch.optim.Adam(p, **_floats(kwargs)))
        for a, b in zip(ours, theirs, strict=True):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)
    else:
        error, words = DEVIATIONS[inp.desc]
        with pytest.raises(error, match=words):
            make_and_step()


def test_every_deviation_is_an_error_input_of_torch():
    assert set(DEVIATIONS) <= {e.optimizer_error_input.desc for e in ERRORS}


def test_zero_dim_tensor_lr_is_the_float_lr():
    for foreach in (False, True):
        a = _trajectory(lambda p: Adam(p, lr=torch.tensor(0.01, dtype=torch.float64), foreach=foreach))
        b = _trajectory(lambda p: Adam(p, lr=0.01, foreach=foreach))
        for x, y in zip(a, b, strict=True):
            assert torch.equal(x, y)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_state_dicts_interchange_with_torch(amsgrad):
    """Six steps of amslib, its state loaded into torch.optim.Adam, six more: the same as
    twelve steps of torch.optim.Adam (and the other way round)."""
    def run(first, second):
        torch.manual_seed(1)
        w = torch.randn(5, dtype=torch.float64, requires_grad=True)
        target = torch.randn(5, dtype=torch.float64)
        opt = first([w], lr=0.05, amsgrad=amsgrad)
        for k in range(12):
            if k == 6:
                state = copy.deepcopy(opt.state_dict())
                opt = second([w], lr=0.05, amsgrad=amsgrad)
                opt.load_state_dict(state)
            opt.zero_grad()
            ((w - target) ** 4).sum().backward()
            opt.step()
        return w.detach()

    ref = run(torch.optim.Adam, torch.optim.Adam)
    for first, second in ((Adam, torch.optim.Adam), (torch.optim.Adam, Adam)):
        torch.testing.assert_close(run(first, second), ref, rtol=1e-12, atol=1e-14)


def test_deepcopy_hooks_closure_and_scheduler():
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = Adam([w], lr=0.1)
    calls = []
    opt.register_step_pre_hook(lambda o, args, kw: calls.append("pre"))
    opt.register_step_post_hook(lambda o, args, kw: calls.append("post"))
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)

    def closure():
        opt.zero_grad()
        loss = ((w - 1.0) ** 2).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    sched.step()
    assert calls == ["pre", "post"] and loss.item() == 3.0
    assert opt.param_groups[0]["lr"] == pytest.approx(0.05)
    twin = copy.deepcopy(opt)
    assert twin.state_dict()["state"][0]["step"] == 1 and twin.check_finite == opt.check_finite
