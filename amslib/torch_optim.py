"""Adam and AMSGrad for PyTorch, written from scratch as a ``torch.optim.Optimizer``.

The NumPy reference in :mod:`amslib.optimizers` shows the algorithm one array at a
time; this module is the same algorithm for real ``nn.Module`` training::

    import torch
    from amslib.torch_optim import Adam

    model = torch.nn.Sequential(torch.nn.Linear(1000, 100), torch.nn.ReLU(),
                                torch.nn.Linear(100, 10))
    opt = Adam(model.parameters(), lr=1e-3, amsgrad=True)
    for x, y in batches:
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y, reduction="sum")
        loss.backward()
        opt.step()

It follows ``torch.optim.Adam`` (weight_decay=0, maximize=False) step for step, and
the tests check that both produce the same trajectory.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch.optim import Optimizer

from .validation import check_betas, check_eps, check_flag, check_lr, describe, real_number

__all__ = ["Adam"]

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
    """A float >= 0. Unlike the NumPy optimizers, no schedules here (use a
    ``torch.optim.lr_scheduler``) and no tensors (torch.optim allows them for
    CUDA-graph capture, which this teaching version does not support)."""
    if isinstance(lr, torch.Tensor):
        raise ValueError(f"Invalid {name}: {lr!r} (must be a float >= 0; "
                         "tensor learning rates are not supported here)")
    if callable(lr):
        raise ValueError(f"Invalid {name}: {lr!r} (must be a float >= 0; for a schedule "
                         "use torch.optim.lr_scheduler with this optimizer)")
    return check_lr(lr, name)


def _check_group(group: dict, where: str = "") -> dict:
    """The hyperparameters of one param group, checked; returns them normalised.

    ``where`` (e.g. " in param group 1") is added to the messages."""
    unknown = set(group) - _KNOWN
    if unknown:
        raise ValueError(f"Invalid param group{where}: key(s) {sorted(unknown)} are not options of "
                         "amslib.torch_optim.Adam (they would be ignored); allowed: "
                         f"{sorted(_KNOWN - BOOKKEEPING - {'params'})}")
    for key, supported in UNSUPPORTED.items():
        value = group.get(key, supported)
        same = (value is None) if supported is None else (
            value is supported if isinstance(supported, bool) else
            not isinstance(value, bool) and _is_zero(value))
        if not same and not (supported is None and value is False):  # fused=False is fine
            raise ValueError(f"Invalid {key}{where}: {describe(value)} (amslib.torch_optim.Adam "
                             f"supports only {key}={supported!r}; use torch.optim.Adam for it)")
    foreach = group.get("foreach", None)
    if foreach is not None:
        check_flag(foreach, f"foreach{where}")
    return dict(lr=_check_lr_float(group["lr"], f"learning rate{where}" if where else "learning rate"),
                betas=_check_betas_where(group["betas"], where), eps=check_eps(group["eps"]),
                amsgrad=check_flag(group["amsgrad"], f"amsgrad{where}"), foreach=foreach is not False)


def _is_zero(value) -> bool:
    try:
        return real_number(value, "value") == 0.0
    except ValueError:
        return False


def _check_betas_where(betas, where: str):
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
        ok = not isinstance(value, bool) and t >= 0 and t == int(t)
    except Exception:
        ok = False
    if not ok:
        raise ValueError(f"Invalid state: step {describe(value)} of parameter {pi} in param "
                         f"group {gi} (must be a whole number >= 0)")
    return int(t)


def _check_param(p, pi: int, gi: int) -> None:
    if not isinstance(p, torch.Tensor):
        raise TypeError(f"parameter {pi} of param group {gi} is a {type(p).__name__}, not a tensor")
    if p.is_complex() or not p.is_floating_point():
        raise ValueError(f"Invalid parameter {pi} of param group {gi}: dtype {p.dtype} "
                         "(amslib.torch_optim.Adam updates real floating-point tensors only; "
                         "torch.optim.Adam handles complex ones)")


class Adam(Optimizer):
    r"""Adam (Kingma and Ba, 2015) and AMSGrad (Reddi, Kale and Kumar, 2018).

    Args:
        params: an iterable of tensors, or of dicts defining parameter groups (each
            group may set its own ``lr``, ``betas``, ``eps``, ``amsgrad``, ``foreach``).
        lr (float): the step size alpha (default 1e-3). A float >= 0: callables and
            tensors are rejected with a ValueError (use ``torch.optim.lr_scheduler``
            for schedules; it works with this optimizer).
        betas (tuple[float, float]): beta_1, beta_2, each in [0, 1) (default (0.9, 0.999)).
        eps (float): added to the denominator, >= 0 (default 1e-8).
        amsgrad (bool): use AMSGrad's running maximum v_hat_t (default False).
        foreach (bool | None): update all tensors of a group at once with the
            ``torch._foreach_*`` multi-tensor ops (default None, meaning True: they
            work on every device, unlike torch.optim.Adam's CPU default). ``foreach=False`` runs
            the plain per-parameter loop of the pseudocode below; both give the same
            numbers (the tests check it).

    The algorithm, for each parameter x (g_t its gradient at step t)::

        input: alpha (lr), beta_1, beta_2 (betas), eps, amsgrad
        init:  m_0 = 0, v_0 = 0, v_hat_0 = 0, t = 0
        repeat (one call of step()):
            t       = t + 1
            g_t     = grad f_t(x_t)
            m_t     = beta_1 m_{t-1} + (1 - beta_1) g_t
            v_t     = beta_2 v_{t-1} + (1 - beta_2) g_t^2
            if amsgrad:
                v_hat_t = max(v_hat_{t-1}, v_t)      (element-wise, over the RAW v_t)
                d_t     = v_hat_t
            else:
                d_t     = v_t                        (the hat is kept for the maximum)
            alpha_t = alpha / (1 - beta_1^t)
            x_{t+1} = x_t - alpha_t m_t / (sqrt(d_t) / sqrt(1 - beta_2^t) + eps)

    This is PyTorch's convention (``torch.optim.Adam``, including ``amsgrad=True``):
    the maximum is taken over the raw v_t and then bias-corrected, and eps is added
    after the correction, i.e.::

        x_{t+1} = x_t - alpha/(1-beta_1^t) * m_t / (sqrt(d_t)/sqrt(1-beta_2^t) + eps)

    Reddi et al.'s Algorithm 2 has no bias correction and no eps. With eps = 0 the two
    forms differ by the factor sqrt(1 - beta_2^t) / (1 - beta_1^t) on the step. It is not
    a constant: it depends on t (not on the gradients), differs from 1 mostly during the
    first few multiples of 1/(1 - beta_2) steps, and tends to 1 geometrically, since
    beta^t -> 0. (``amslib.optimizers.Adam`` with ``bias_correction=False`` is the
    paper's form.)

    State, per parameter (``optimizer.state[p]``; saved by ``state_dict()``):
    ``step`` (t, a 0-d float64 tensor, as torch.optim.Adam keeps it), ``exp_avg`` (m_t),
    ``exp_avg_sq`` (v_t) and, only for groups with
    amsgrad, ``max_exp_avg_sq`` (v_hat_t). State tensors live on the parameter's
    device with its dtype (float32, float64, ...; CPU, CUDA, MPS).

    Parameters whose ``.grad`` is None are skipped (their t does not advance).
    A gradient with NaN or inf raises a ValueError before anything is updated (unlike
    ``torch.optim.Adam``, which writes NaN into the weights); ``check_finite=False``
    turns the check off.
    Sparse gradients raise a RuntimeError (use ``torch.optim.SparseAdam``). Weight
    decay, ``maximize``, ``capturable``, ``differentiable``, ``fused`` and complex or
    integer parameters are not supported: such options are refused with a ValueError
    (the keyword arguments exist only with torch's default, so that every param group
    holds the keys torch.optim.Adam reads and a state_dict loads into it). Groups are
    checked when added, when loaded and again at every ``step()``, so a NaN ``lr`` or
    ``betas=(1.0, ...)`` set on a group later is an error, not NaN weights. A copy
    (``copy.deepcopy``, pickle, ``torch.save``) keeps ``check_finite``.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 amsgrad: bool = False, *, foreach: bool | None = None, check_finite: bool = True,
                 weight_decay: float = 0.0, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False):
        defaults = dict(lr=lr, betas=betas, eps=eps, amsgrad=amsgrad, foreach=foreach,
                        weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        defaults.update(_check_group(defaults))
        defaults.update(UNSUPPORTED)
        # Not a group hyperparameter, so that state_dicts stay interchangeable with torch's
        # (kept across deepcopy, pickle and torch.save by __getstate__ / __setstate__).
        self.check_finite = check_flag(check_finite, "check_finite")
        if not isinstance(params, torch.Tensor):  # (torch refuses a lone tensor itself, clearly)
            try:
                params = list(params)
            except TypeError:
                raise TypeError(f"Invalid params: {describe(params)} (must be an iterable of tensors "
                                "or of param-group dicts, such as model.parameters())") from None
        super().__init__(params, defaults)  # calls add_param_group for each group

    def add_param_group(self, param_group: dict) -> None:
        """Add a group; its hyperparameters (own or default) are validated like __init__'s,
        and its parameters must be real floating-point tensors."""
        if isinstance(param_group, dict):
            for key, value in self.defaults.items():
                param_group.setdefault(key, value)
            where = f" in param group {len(self.param_groups)}" if self.param_groups else ""
            param_group.update(_check_group(param_group, where))
        super().add_param_group(param_group)
        gi = len(self.param_groups) - 1
        for pi, p in enumerate(self.param_groups[gi]["params"]):
            try:
                _check_param(p, pi, gi)
            except (TypeError, ValueError):
                self.param_groups.pop()
                raise

    # ------------------------------------------------------------ saving and loading
    def __getstate__(self):
        state = super().__getstate__()
        state["check_finite"] = self.check_finite
        return state

    def __setstate__(self, state):
        check_finite = state.pop("check_finite", getattr(self, "check_finite", True))
        super().__setstate__(state)
        for group in self.param_groups:  # a state from an older version, or from torch
            for key, value in UNSUPPORTED.items():
                group.setdefault(key, value)
        self.check_finite = check_finite

    def load_state_dict(self, state_dict) -> None:
        """Load a state_dict of this optimizer or of ``torch.optim.Adam``.

        The groups' hyperparameters and every parameter's state are checked; on a
        ValueError nothing is changed. torch.optim.Adam options this optimizer does not
        implement (weight_decay != 0, maximize=True, ...) are refused, not ignored."""
        for gi, group in enumerate(state_dict["param_groups"]):
            _check_group({k: v for k, v in group.items() if k != "params"} | {"params": []},
                         f" in param group {gi} of the loaded state_dict")
        saved = (self.__getstate__(), [dict(g) for g in self.param_groups])
        super().load_state_dict(state_dict)
        try:
            for gi, group in enumerate(self.param_groups):
                group.update(_check_group(group, f" in param group {gi}"))
                for pi, p in enumerate(group["params"]):
                    if self.state.get(p):
                        self._check_state(p, self.state[p], pi, gi, full=True)
        except ValueError:
            self.__setstate__(saved[0])
            raise

    def _check_state(self, p, state: dict, pi: int, gi: int, full: bool = False) -> int:
        """Check one parameter's state (shapes and step; with ``full`` also v >= 0) and
        return its step t. Run at every step (cheap) and on load_state_dict (full)."""
        t = _step_count(state.get("step"), pi, gi)
        for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
            if key not in state:
                if key == "max_exp_avg_sq":
                    continue
                raise ValueError(f"Invalid state of parameter {pi} in param group {gi}: no {key!r}")
            v = state[key]
            if not isinstance(v, torch.Tensor) or v.shape != p.shape or v.is_complex():
                what = f"shape {tuple(v.shape)}" if isinstance(v, torch.Tensor) else type(v).__name__
                raise ValueError(f"Invalid state of parameter {pi} in param group {gi}: {key} is "
                                 f"{what}, the parameter's shape is {tuple(p.shape)}")
            if full and key != "exp_avg" and v.numel() and bool((v < 0).any() or ~torch.isfinite(v).all()):
                raise ValueError(f"Invalid state of parameter {pi} in param group {gi}: {key} "
                                 "holds negative or non-finite values (a mean of squares is >= 0)")
        return t

    # ------------------------------------------------------------------ step
    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None):
        """One Adam/AMSGrad step for every parameter with a gradient.

        ``closure``, if given, re-evaluates the model and returns the loss; it runs
        with gradients enabled and its loss is returned. Every group's hyperparameters
        are checked first (they may have been changed since construction), and nothing is
        updated if one is invalid.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        checked = [_check_group(group, f" in param group {gi}")
                   for gi, group in enumerate(self.param_groups)]
        if self.check_finite:
            self._check_gradients_finite()
        for gi, (group, hyper) in enumerate(zip(self.param_groups, checked)):
            amsgrad = hyper["amsgrad"]
            params, grads, exp_avgs, exp_avg_sqs, max_sqs, steps = [], [], [], [], [], []
            for pi, p in enumerate(group["params"]):
                g = p.grad
                if g is None:
                    continue
                if g.is_sparse:
                    raise RuntimeError(
                        f"amslib.torch_optim.Adam does not support sparse gradients "
                        f"(parameter {pi} of param group {gi}); use torch.optim.SparseAdam")
                _check_param(p, pi, gi)
                if g.shape != p.shape or g.is_complex():
                    raise ValueError(f"Invalid gradient of parameter {pi} in param group {gi}: "
                                     f"shape {tuple(g.shape)}, dtype {g.dtype} (must be real, "
                                     f"with the parameter's shape {tuple(p.shape)})")
                state = self.state[p]
                if not state:
                    # t as a float64 tensor, as torch.optim.Adam keeps it (exact to 2^53 steps)
                    state["step"] = torch.tensor(0.0, dtype=torch.float64)
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                if amsgrad and "max_exp_avg_sq" not in state:
                    # also when amsgrad is switched on mid-training: max(0, v_t) = v_t
                    state["max_exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                t = self._check_state(p, state, pi, gi) + 1
                params.append(p)
                grads.append(g)
                exp_avgs.append(state["exp_avg"])
                exp_avg_sqs.append(state["exp_avg_sq"])
                if amsgrad:
                    max_sqs.append(state["max_exp_avg_sq"])
                steps.append(t)
            if not params:
                continue
            update = _adam_foreach if hyper["foreach"] else _adam_loop
            beta1, beta2 = hyper["betas"]
            update(params, grads, exp_avgs, exp_avg_sqs, max_sqs if amsgrad else None, steps,
                   lr=hyper["lr"], beta1=beta1, beta2=beta2, eps=hyper["eps"])
            for p, t in zip(params, steps):  # count the step only once it is done
                st = self.state[p]["step"]
                if isinstance(st, torch.Tensor) and st.dtype == torch.float64 and st.device.type == "cpu":
                    st.fill_(t)
                else:  # a torch.optim.Adam state (float32 step): store ours
                    self.state[p]["step"] = torch.tensor(float(t), dtype=torch.float64)
        return loss


    def _check_gradients_finite(self) -> None:
        """Raise ValueError, before anything is updated, if a gradient holds NaN or inf.

        torch.optim.Adam would silently write NaN into the weights. The test is on the
        infinity norms (largest absolute values) of the gradients, one multi-tensor op per
        device and dtype: finite exactly when every entry is (the 2-norm would overflow
        first: a float16 gradient of a million 70s has a 2-norm of 70000 > 65504);
        ``torch.isfinite`` on every entry measured ten times slower on the CPU. One flag per group is read back, so a GPU waits once, not once
        per tensor; the search for the culprit runs only when something is wrong.
        """
        groups = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None and not p.grad.is_sparse:
                    groups.setdefault((p.grad.device, p.grad.dtype), []).append(p.grad)
        if all(bool(torch.stack(torch._foreach_norm(grads, math.inf)).isfinite().all())
               for grads in groups.values()):
            return
        for gi, group in enumerate(self.param_groups):
            for pi, p in enumerate(group["params"]):
                if p.grad is not None and not p.grad.is_sparse and not bool(torch.isfinite(p.grad).all()):
                    try:
                        t = _step_count(self.state[p].get("step", 0), pi, gi) + 1
                    except ValueError:
                        t = "?"
                    raise ValueError(
                        f"Invalid gradient: non-finite values (NaN or inf) in parameter {pi} of "
                        f"param group {gi} (shape {tuple(p.shape)}) at step t={t}; nothing was updated. "
                        "Gradients must be finite (check_finite=False skips this check, "
                        "as torch.optim.Adam does)")
        raise ValueError("Invalid gradient: a gradient's largest entry is not finite; "
                         "nothing was updated (check_finite=False skips this check)")


# ---------------------------------------------------------------------- the two updates
def _adam_loop(params, grads, exp_avgs, exp_avg_sqs, max_sqs, steps, *, lr, beta1, beta2, eps):
    """The pseudocode, one parameter at a time (``foreach=False``)."""
    for i, (x, g, m, v, t) in enumerate(zip(params, grads, exp_avgs, exp_avg_sqs, steps)):
        # m_t = beta_1 m_{t-1} + (1 - beta_1) g_t, written as m + (1 - beta_1)(g - m):
        # one pass over memory instead of two (and exact for beta_1 = 0: m_t = g_t)
        m.lerp_(g, 1.0 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1.0 - beta2)        # v_t
        if max_sqs is not None:
            d = max_sqs[i]
            torch.maximum(d, v, out=d)                         # d_t = v_hat_t = max(v_hat_{t-1}, v_t)
        else:
            d = v                                              # d_t = v_t (Adam)
        denom = d.sqrt().div_(math.sqrt(1.0 - beta2 ** t)).add_(eps)
        x.addcdiv_(m, denom, value=-lr / (1.0 - beta1 ** t))   # x_{t+1}


def _adam_foreach(params, grads, exp_avgs, exp_avg_sqs, max_sqs, steps, *, lr, beta1, beta2, eps):
    """The same update with the multi-tensor ``torch._foreach_*`` ops (``foreach=True``).

    Why it is worth it: a model has many small tensors (the MLP: two weights, two
    biases), and the per-parameter loop runs ~7 operations per tensor, each paying
    Python and dispatcher overhead (and on a GPU a kernel launch of several
    microseconds) for very little arithmetic. A ``_foreach`` op takes whole lists, so
    that overhead is paid once per list, and on CUDA one fused kernel walks all the
    tensors: the step costs about the same for 4 tensors as for 400. (On the CPU the
    gain is smaller, a C++ loop over the same kernels: ~5% on the course's MLP.)
    Foreach ops need the tensors of one call on one device with one dtype, so we group
    them first.
    """
    buckets: dict[tuple, list[int]] = {}
    for i, x in enumerate(params):
        buckets.setdefault((x.device, x.dtype), []).append(i)
    for idx in buckets.values():
        if len(buckets) == 1:
            xs, gs, ms, vs, ts = params, grads, exp_avgs, exp_avg_sqs, steps
            v_hats = max_sqs
        else:
            xs, gs, ms, vs, ts = ([seq[i] for i in idx]
                                  for seq in (params, grads, exp_avgs, exp_avg_sqs, steps))
            v_hats = None if max_sqs is None else [max_sqs[i] for i in idx]

        torch._foreach_lerp_(ms, gs, 1.0 - beta1)                # m_t
        torch._foreach_mul_(vs, beta2)                           # v_t ...
        torch._foreach_addcmul_(vs, gs, gs, value=1.0 - beta2)   # ... + (1 - beta_2) g_t^2
        if v_hats is not None:
            torch._foreach_maximum_(v_hats, vs)                  # v_hat_t = max(v_hat_{t-1}, v_t)
        else:
            v_hats = vs

        # Parameters of a group usually share t; then plain scalars (cheapest).
        # Otherwise (some grads were None at some steps) one scalar per tensor.
        t0 = ts[0]
        if all(t == t0 for t in ts):
            bc2_sqrt = math.sqrt(1.0 - beta2 ** t0)
            step_size = -lr / (1.0 - beta1 ** t0)
        else:
            bc2_sqrt = [math.sqrt(1.0 - beta2 ** t) for t in ts]
            step_size = [-lr / (1.0 - beta1 ** t) for t in ts]
        denom = torch._foreach_sqrt(v_hats)                      # sqrt(v_hat_t)
        torch._foreach_div_(denom, bc2_sqrt)                     # / sqrt(1 - beta_2^t)
        torch._foreach_add_(denom, eps)                          # + eps
        torch._foreach_addcdiv_(xs, ms, denom, step_size)        # x -= alpha_t m_t / denom
