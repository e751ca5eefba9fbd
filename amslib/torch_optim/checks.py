"""The checks of :class:`amslib.torch_optim.Adam`: its param groups, parameters, state and
step size, each checked where it enters (construction, add_param_group, load_state_dict, step)."""
from __future__ import annotations

import torch

from ..validation import check_betas, check_eps, check_flag, check_lr, describe, invalid, real_number

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
