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


@checker
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
        if not group["amsgrad"]:
            return failed("AMSGrad is switched on with amsgrad=True.")
        lr = float(group["lr"])
        if not math.isclose(lr, 1e-4, rel_tol=1e-12):
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
    return failed("run the experiment: backward() twice on the same loss, compare .grad.")
