"""Checks for the exercises of notebook 07 (the PyTorch MLP)."""
from __future__ import annotations

import ast
import math

from . import checker, close, failed, not_attempted, number_answer, passed, show

__all__ = ["check_missing_line", "check_make_optimizer", "check_accumulation"]

_ZERO_GRAD_OWNERS = {"optimizer", "opt", "model"}


def _zero_grad_call(code: str):
    """(owner, ok_arguments) if ``code`` is one call ``<name>.zero_grad(...)``, else None.

    Parsed as Python, so spaces, a trailing comment or semicolon, and the argument
    ``set_to_none=True/False`` (by keyword or position) are all fine."""
    try:
        tree = ast.parse(code.strip().rstrip(";"), mode="eval")
    except SyntaxError:
        return None
    call = tree.body
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "zero_grad"):
        return None
    owner = call.func.value.id if isinstance(call.func.value, ast.Name) else ast.unparse(call.func.value)
    args = list(call.args) + [k.value for k in call.keywords]
    names_ok = all(k.arg == "set_to_none" for k in call.keywords)
    values_ok = all(isinstance(a, ast.Constant) and isinstance(a.value, bool) for a in args)
    return owner, names_ok and values_ok and len(args) <= 1


@checker
def check_missing_line(answer) -> bool:
    """Notebook 07, exercise 1: the call that must come before loss.backward() in every step."""
    if not_attempted(answer):
        return False
    if not isinstance(answer, str):
        return failed(f"expected the line of code as a string, in quotes; got {show(answer)}.")
    found = _zero_grad_call(answer)
    if found is not None:
        owner, args_ok = found
        if owner in _ZERO_GRAD_OWNERS and args_ok:
            return passed("without it .grad accumulates the gradients of every step so far.")
        if not args_ok:
            return failed("zero_grad takes no argument, or set_to_none=True / False.")
        return failed(f"close: call zero_grad on the optimizer (or the model), not on {owner}.")
    code = answer.replace(" ", "")
    if "zero_grad" in code:
        return failed("close: call it on the optimizer object, with parentheses: optimizer.zero_grad().")
    if "step" in code:
        return failed("optimizer.step() is already there; what resets the gradients?")
    return failed("which method of the optimizer clears the .grad of every parameter it updates?")


#: What notebook 07's exercise 2 asks for: torch.optim.Adam's defaults, except lr and amsgrad.
_WANTED = dict(lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=True,
               maximize=False)


def _warm_up_torch_optim() -> None:
    """Build and step one torch.optim.Adam, so that PyTorch's one-off imports (seconds) are
    not counted against the learner's code by the time limit."""
    import torch

    p = torch.nn.Parameter(torch.zeros(1))
    p.grad = torch.zeros(1)
    torch.optim.Adam([p], lr=1e-4, amsgrad=True).step()


@checker(before=_warm_up_torch_optim)
def check_make_optimizer(make_optimizer) -> bool:
    """Notebook 07, exercise 2: make_optimizer(params) -> torch.optim.Adam with lr 1e-4 and AMSGrad
    (every other setting at its default: betas (0.9, 0.999), eps 1e-8, no weight decay)."""
    if not_attempted(make_optimizer):
        return False
    if not callable(make_optimizer):
        return failed(f"expected a function make_optimizer(params), got {show(make_optimizer)}.")
    import torch

    params = [torch.nn.Parameter(torch.zeros(3)), torch.nn.Parameter(torch.zeros(2))]
    try:
        opt = make_optimizer(list(params))
    except Exception as exc:  # the learner's code may raise anything
        return failed(f"your function raised {type(exc).__name__}: {show(str(exc))}")
    if not_attempted(opt):
        return False  # the template still returns None
    if type(opt) is not torch.optim.Adam:
        return failed(f"expected a torch.optim.Adam, got {type(opt).__module__}.{type(opt).__qualname__}"
                      + (" (AdamW decays the weights: a different algorithm)."
                         if isinstance(opt, torch.optim.AdamW) else "."))
    given = [p for group in opt.param_groups for p in group["params"]]
    if len(given) != len(params) or any(a is not b for a, b in zip(given, params)):
        return failed("pass the params argument to the optimizer (all of them).")
    for group in opt.param_groups:
        if group["amsgrad"] is not True:   # amsgrad="False" is a non-empty string, so truthy
            return failed("AMSGrad is switched on with amsgrad=True (the boolean True, not a string)."
                          if group["amsgrad"] not in (False, None, 0) else
                          "AMSGrad is switched on with amsgrad=True.")
        lr = group["lr"]
        if isinstance(lr, torch.Tensor):   # a 0-dim tensor lr is allowed, as torch.optim allows it
            if lr.numel() != 1 or not lr.is_floating_point():
                return failed(f"lr should be one number, 1e-4; got {show(lr)}.")
            lr_tol = 64 * torch.finfo(lr.dtype).eps
            lr = float(lr.item())
        else:
            lr_tol = 1e-12
            lr = float(lr)
        if not math.isclose(lr, 1e-4, rel_tol=lr_tol):
            return failed(f"the example uses learning_rate = 1e-4, not {lr:g}.")
        b1, b2 = (float(b) for b in group["betas"])
        if (b1, b2) != _WANTED["betas"]:
            return failed(f"keep the default betas (0.9, 0.999), not ({b1:g}, {b2:g}).")
        if float(group["eps"]) != _WANTED["eps"]:
            return failed(f"keep the default eps = 1e-8, not {float(group['eps']):g}.")
        if float(group.get("weight_decay", 0.0)) != 0.0 or group.get("decoupled_weight_decay"):
            return failed("no weight decay: the exercise asks for plain AMSGrad.")
        if group.get("maximize"):
            return failed("maximize=True climbs the loss; leave it at False.")
        for flag in ("capturable", "differentiable"):
            if group.get(flag):
                return failed(f"{flag}=True is for CUDA graphs / differentiating through the step; "
                              "leave it at its default, False.")
    return _same_steps_as_amsgrad(opt, params, torch)


def _same_steps_as_amsgrad(opt, params, torch) -> bool:
    """Two steps of the learner's optimizer against torch.optim.Adam(lr=1e-4, amsgrad=True) on
    the same gradients (a large one, then a small one, so that AMSGrad's maximum matters):
    the parameters and the moments must agree. This checks what the optimizer does, so a
    step that does nothing, or settings hidden from param_groups, are caught."""
    reference = [torch.nn.Parameter(p.detach().clone()) for p in params]
    ref = torch.optim.Adam(reference, lr=1e-4, amsgrad=True)
    grads = [[torch.tensor([1.0, -2.0, 3.0]), torch.tensor([0.5, -0.25])],
             [torch.tensor([0.01, 0.02, -0.01]), torch.tensor([-0.001, 0.003])]]
    with torch.no_grad():
        for p in params + reference:
            p.zero_()
    for step, gs in enumerate(grads, start=1):
        for p, q, g in zip(params, reference, gs):
            p.grad, q.grad = g.clone(), g.clone()
        try:
            opt.step()
        except Exception as exc:  # the learner's optimizer may raise anything
            return failed(f"optimizer.step() raised {type(exc).__name__}: {show(str(exc))}")
        ref.step()
        for p, q in zip(params, reference):
            if not torch.allclose(p.detach(), q.detach(), rtol=1e-5, atol=1e-12):
                moved = any(bool((p.detach() != 0).any()) for p in params)
                return failed(f"after step {step} the parameters are not where "
                              "torch.optim.Adam(params, lr=1e-4, amsgrad=True) puts them"
                              + ("" if moved else ": your optimizer's step() did not move them at all")
                              + ".")
            state, want = opt.state.get(p, {}), ref.state[q]
            for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
                got = state.get(key)
                if not (isinstance(got, torch.Tensor) and got.shape == want[key].shape
                        and torch.allclose(got, want[key], rtol=1e-5, atol=0.0)):
                    return failed(f"after step {step} the optimizer's state {key!r} differs from "
                                  "torch.optim.Adam(amsgrad=True)'s.")
    return passed("torch.optim.Adam(params, lr=1e-4, amsgrad=True).")


@checker
def check_accumulation(answer) -> bool:
    """Notebook 07, exercise 3: ratio of .grad after two backward() calls without zeroing to one call."""
    value = number_answer(answer)
    if value is None:
        return False
    if close(value, 2.0):
        return passed("backward() adds into .grad: two calls, twice the gradient.")
    if close(value, 1.0):
        return failed("that would be true if backward() overwrote .grad; it adds to it.")
    if close(value, 0.5):
        return failed("that is the ratio the other way round: the exercise asks for .grad after two "
                      "calls divided by .grad after one.")
    if close(value, 0.0):
        return failed("0 would mean the second call cleared .grad; backward() never clears it, "
                      "only zero_grad() does.")
    return failed("run the experiment: backward() twice on the same loss, compare .grad.")


def expected_answers() -> dict:
    """The right answers of this notebook's value exercises (for the student edition's
    sealed checkers, :mod:`amslib.exercises.sealed`)."""
    return {"check_missing_line": [f"{owner}.zero_grad()" for owner in sorted(_ZERO_GRAD_OWNERS)],
            "check_accumulation": [2.0]}
