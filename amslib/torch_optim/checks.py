"""The checks of :class:`amslib.torch_optim.Adam`: its param groups, parameters, state and
step size, each checked where it enters (construction, add_param_group, load_state_dict, step)."""
from __future__ import annotations

import math

import torch

from ..validation import check_betas, check_eps, check_flag, check_lr, describe, invalid, real_number
from .updates import _moment_dtype

#: torch.optim.Adam's other options, with the one value this optimizer implements. They are
#: stored in every param group (so that a state_dict loads into torch.optim.Adam, which
#: reads them); any other value is refused with a ValueError, at construction, in
#: add_param_group, in load_state_dict and, if changed later, at the next step().
UNSUPPORTED = {"weight_decay": 0.0, "maximize": False, "capturable": False,
               "differentiable": False, "fused": None, "decoupled_weight_decay": False}
#: Keys that torch.optim.lr_scheduler (and named parameters) add to param groups: kept
#: and ignored, as torch.optim.Adam does. Any other unknown key is refused (it would be
#: silently ignored otherwise).
BOOKKEEPING = {"initial_lr", "max_lr", "min_lr", "base_lr", "max_momentum", "base_momentum",
               "param_names", "name"}
_KNOWN = {"params", "lr", "betas", "eps", "amsgrad", "foreach"} | set(UNSUPPORTED) | BOOKKEEPING


def _check_lr_float(lr, name: str = "learning rate") -> float:
    """A float >= 0, or a one-element real tensor holding one (as torch.optim accepts; its
    value is read at every step). Unlike the NumPy optimizers, no schedules here (use a
    ``torch.optim.lr_scheduler``)."""
    if isinstance(lr, torch.Tensor):
        if lr.numel() != 1 or lr.is_complex() or not lr.is_floating_point():
            raise invalid(name, lr, "a float >= 0 or a one-element floating-point tensor: "
                          "Tensor lr must be 1-element")
        return check_lr(lr.detach().reshape(()), name)
    if callable(lr):
        raise invalid(name, lr, "a float >= 0; for a schedule "
                      "use torch.optim.lr_scheduler with this optimizer")
    return check_lr(lr, name)


def _check_group(group: dict, where: str = "") -> dict:
    """The hyperparameters of one param group, checked; returns them normalised.

    ``where`` (e.g. " in param group 1") is added to the messages."""
    unknown = set(group) - _KNOWN
    if unknown:
        raise invalid(f"param group{where}", detail=f"key(s) {sorted(unknown)} are not options of "
                      "amslib.torch_optim.Adam (they would be ignored); allowed: "
                      f"{sorted(_KNOWN - BOOKKEEPING - {'params'})}")
    for key, supported in UNSUPPORTED.items():
        value = group.get(key, supported)
        same = (value is None) if supported is None else (
            value is supported if isinstance(supported, bool) else
            not isinstance(value, bool) and _is_zero(value))
        if not same and not (supported is None and value is False):  # fused=False is fine
            raise invalid(f"{key} value{where}", detail=f"{describe(value)} (amslib.torch_optim.Adam "
                          f"supports only {key}={supported!r}; use torch.optim.Adam for it)")
    foreach = group.get("foreach", None)
    if foreach is not None:
        check_flag(foreach, f"foreach{where}")

    return dict(lr=_check_lr_float(group["lr"], f"learning rate{where}" if where else "learning rate"),
                betas=_check_betas_where(group["betas"], where), eps=check_eps(group["eps"]),
                amsgrad=check_flag(group["amsgrad"], f"amsgrad{where}"), foreach=foreach is not False)


def _check_params(params, gi: int) -> None:
    """A group's 'params': a list of distinct real floating-point tensors."""
    if not isinstance(params, list):
        raise invalid(f"params of param group {gi}", detail=f"a {type(params).__name__} (must be "
                      "a list of tensors; add_param_group makes one from any iterable)")
    if len({id(p) for p in params}) != len(params):
        raise invalid(f"params of param group {gi}", detail="a parameter group with duplicate "
                      "parameters: a parameter appears twice (it would be stepped twice; torch.optim "
                      "warns of the same)")
    for pi, p in enumerate(params):
        _check_param(p, pi, gi)


def _immutable(value) -> bool:
    """Whether ``value`` cannot change in place (a Python scalar, or a tuple of them)."""
    if type(value) is tuple:
        return all(_immutable(v) for v in value)
    return value is None or type(value) in (bool, int, float, str)


def _is_zero(value) -> bool:
    try:
        return real_number(value, "value") == 0.0
    except ValueError:
        return False


def _check_betas_where(betas, where: str):
    """betas, checked; a beta may be a one-element tensor (any shape), as torch.optim takes."""
    if isinstance(betas, (tuple, list)):
        betas = type(betas)(b.reshape(()) if isinstance(b, torch.Tensor) and b.numel() == 1 else b
                            for b in betas)
    try:
        return check_betas(betas)
    except ValueError as exc:
        if not where:
            raise
        raise ValueError(f"{exc}{where}") from None


def _step_count(value, pi: int, gi: int) -> int:
    """A state's step t (an int, or a tensor as torch.optim.Adam saves it), checked."""
    try:
        t = float(value.item() if isinstance(value, torch.Tensor) else value)
        ok = not isinstance(value, bool) and 0 <= t < 2 ** 53 and t == int(t)
    except Exception:
        ok = False
    if not ok:
        raise invalid("state", detail=f"step {describe(value)} of parameter {pi} in param "
                      f"group {gi} (must be a whole number >= 0, below 2^53)")
    return int(t)


def _check_param(p, pi: int, gi: int) -> None:
    if not isinstance(p, torch.Tensor):
        raise TypeError(f"parameter {pi} of param group {gi} is a {type(p).__name__}, not a tensor")
    if p.is_complex() or not p.is_floating_point():
        raise invalid(f"parameter {pi} of param group {gi}", detail=f"dtype {p.dtype} "
                      "(amslib.torch_optim.Adam updates real floating-point tensors only; "
                      "torch.optim.Adam handles complex ones)")


def _check_step_size(hyper: dict, t: int, dtypes, where: str) -> None:
    """The largest step size alpha / (1 - beta_1^t) of a group (at its smallest t) must be finite
    in the parameters' dtype, or every weight it touches would become inf."""
    step_size = hyper["lr"] / (1.0 - hyper["betas"][0] ** t)
    limit = min(torch.finfo(d).max for d in dtypes)
    if not step_size <= limit:
        raise invalid(f"learning rate{where}", detail=f"{hyper['lr']} (at step t={t} the step size "
                      f"lr / (1 - beta_1^t) = {step_size:.3g} is past {limit:.3g}, the largest "
                      "number the parameters' dtype holds; nothing was updated)")


def check_state(p, state: dict, pi: int, gi: int, full: bool = False) -> int:
    """Check one parameter's state (shapes and step; with ``full`` also v >= 0) and
    return its step t. Run at every step (cheap) and on load_state_dict (full)."""
    t = _step_count(state.get("step"), pi, gi)
    shape = p.shape
    for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
        v = state.get(key)
        if v is None:
            if key == "max_exp_avg_sq":
                continue
            raise invalid(f"state of parameter {pi} in param group {gi}", detail=f"no {key!r}")
        if not isinstance(v, torch.Tensor) or v.shape != shape or v.is_complex():
            what = f"shape {tuple(v.shape)}" if isinstance(v, torch.Tensor) else type(v).__name__
            raise invalid(f"state of parameter {pi} in param group {gi}", detail=f"{key} is "
                          f"{what}, the parameter's shape is {tuple(p.shape)}")
        if full and v.numel() and not bool(torch.isfinite(v).all()):
            raise invalid(f"state of parameter {pi} in param group {gi}", detail=f"{key} "
                          "holds non-finite values (NaN or inf)")
        if full and key != "exp_avg" and v.numel() and bool((v < 0).any()):
            raise invalid(f"state of parameter {pi} in param group {gi}", detail=f"{key} "
                          "holds negative values (a mean of squares is >= 0)")
    return t


def checked_group(cache: dict, gi: int, group: dict, where: str) -> dict:
    """:func:`_check_group` of the group, unless its settings are the very objects checked
    at the last step (kept in ``cache``; the usual case: an unchanged group is not checked again). A value
    that can change in place (a tensor, a list) makes the group be checked every time."""
    keys, values = tuple(group), tuple(group.values())
    last = cache.get(gi)  # (keys, ids of the values, the values themselves, checked)
    if last is not None and last[0] == keys and last[1] == tuple(map(id, values)):
        return last[3]  # the same objects (held in the cache: no id is reused), all immutable
    hyper = _check_group(group, where)
    if all(_immutable(v) for k, v in group.items() if k != "params"):
        cache[gi] = (keys, tuple(map(id, values)), values, hyper)
    else:
        cache.pop(gi, None)
    return hyper


def check_gradients_finite(param_groups, state) -> None:
    """Raise ValueError, before anything is updated, if a gradient holds NaN or inf.

    torch.optim.Adam would silently write NaN into the weights. The test is one sum per
    gradient and one read-back per device and dtype (so a GPU waits once a step): a sum
    of finite numbers is finite unless it overflows, and a NaN or inf entry makes the sum
    NaN or inf, so a finite total proves every entry finite. Only if a total is not
    finite (a non-finite entry, or an overflow of the sum) is every entry looked at, to
    name the culprit or clear the alarm. (``torch._foreach_norm`` with the infinity norm
    measured 30x slower on the CPU, ``torch.isfinite`` on every entry 20x slower.)
    """
    total, sums = 0.0, {}  # CPU sums are read at once (no sync to wait for); others once a device
    for group in param_groups:
        for p in group["params"]:
            g = p.grad
            if g is not None and not g.is_sparse and g.is_floating_point() and g.numel():
                s = g.sum(dtype=_moment_dtype(g.dtype))
                if g.device.type == "cpu":
                    total += s.item()
                else:
                    sums.setdefault((g.device, g.dtype), []).append(s)
    if math.isfinite(total) and all(math.isfinite(torch.stack(s).sum().item()) for s in sums.values()):
        return
    for gi, group in enumerate(param_groups):
        for pi, p in enumerate(group["params"]):
            g = p.grad
            if (g is not None and not g.is_sparse and g.is_floating_point()
                    and not bool(torch.isfinite(g).all())):
                try:
                    t = _step_count(state[p].get("step", 0), pi, gi) + 1
                except ValueError:
                    t = "?"
                raise invalid("gradient", detail=f"non-finite values (NaN or inf) in parameter {pi} of "
                              f"param group {gi} (shape {tuple(p.shape)}) at step t={t}; nothing was updated. "
                              "Gradients must be finite (check_finite=False skips this check, "
                              "as torch.optim.Adam does)")
    # every entry is finite: a sum overflowed, a false alarm
