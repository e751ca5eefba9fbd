"""Checks for the exercises of notebook 05 (the PyTorch MLP)."""
from __future__ import annotations

import math

from . import failed, not_attempted, number_answer, passed


def check_missing_line(answer) -> bool:
    """Exercise 05.1: the call that must come before loss.backward() in every step."""
    if not_attempted(answer):
        return False
    code = str(answer).replace(" ", "").strip().rstrip(";")
    if code in {"optimizer.zero_grad()", "optimizer.zero_grad(set_to_none=True)", "model.zero_grad()"}:
        return passed("without it .grad accumulates the gradients of every step so far.")
    if "zero_grad" in code:
        return failed("close: call it on the optimizer object, with parentheses.")
    if "step" in code:
        return failed("optimizer.step() is already there; what resets the gradients?")
    return failed("which method of the optimizer clears the .grad of every parameter it updates?")


def check_make_optimizer(make_optimizer) -> bool:
    """Exercise 05.2: make_optimizer(params) -> torch.optim.Adam with lr 1e-4 and AMSGrad."""
    if not_attempted(make_optimizer):
        return False
    import torch

    params = [torch.nn.Parameter(torch.zeros(3))]
    try:
        opt = make_optimizer(params)
    except Exception as exc:  # the learner's code may raise anything
        return failed(f"your function raised {type(exc).__name__}: {exc}")
    if not_attempted(opt):
        return False  # the template still returns None
    if not isinstance(opt, torch.optim.Adam):
        return failed(f"expected a torch.optim.Adam, got {type(opt).__name__}.")
    group = opt.param_groups[0]
    if group["params"][0] is not params[0]:
        return failed("pass the params argument to the optimizer.")
    if not group["amsgrad"]:
        return failed("AMSGrad is switched on with amsgrad=True.")
    if not math.isclose(float(group["lr"]), 1e-4, rel_tol=1e-12):
        return failed(f"the example uses learning_rate = 1e-4, not {group['lr']}.")
    return passed("torch.optim.Adam(params, lr=1e-4, amsgrad=True).")


def check_accumulation(answer) -> bool:
    """Exercise 05.3: ratio of .grad after two backward() calls without zeroing to one call."""
    value = number_answer(answer)
    if value is None:
        return False
    if math.isclose(value, 2.0, rel_tol=1e-6):
        return passed("backward() adds into .grad: two calls, twice the gradient.")
    if math.isclose(value, 1.0, rel_tol=1e-6):
        return failed("that would be true if backward() overwrote .grad; it adds to it.")
    return failed("run the experiment: backward() twice on the same loss, compare .grad.")
