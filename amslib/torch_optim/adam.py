"""The optimizer :class:`amslib.torch_optim.Adam` (the package docstring shows it in use)."""
from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch.optim import Optimizer

from ..validation import check_flag, invalid
from .checks import (
    UNSUPPORTED,
    _check_group,
    _check_params,
    _check_step_size,
    _immutable,
    _step_count,
)
from .updates import _adam_foreach, _adam_loop, _moment_dtype


class Adam(Optimizer):
    r"""Adam (Kingma and Ba, 2015) and AMSGrad (Reddi, Kale and Kumar, 2018).

    Args:
        params: an iterable of tensors, or of dicts defining parameter groups (each
            group may set its own ``lr``, ``betas``, ``eps``, ``amsgrad``, ``foreach``).
        lr (float): the step size alpha (default 1e-3). A float >= 0 or a one-element
            tensor holding one, as torch.optim accepts; callables are rejected with a
            ValueError (use ``torch.optim.lr_scheduler`` for schedules; it works with this
            optimizer). A step size alpha / (1 - beta_1^t) past the largest number of the
            parameters' dtype is refused at that step, before anything is updated.
        betas (tuple[float, float]): beta_1, beta_2, each in [0, 1) (default (0.9, 0.999)).
        eps (float): added to the denominator, >= 0 (default 1e-8). With eps = 0 an
            entry whose denominator is 0 (every gradient so far 0 there, or g_t^2
            underflowed) takes a step of 0, not the NaN of 0/0 that torch.optim writes.
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
    device with its dtype (float32, float64, ...; CPU, CUDA, MPS), except that float16 and
    bfloat16 parameters keep their moments in float32 and are updated in float32, as
    mixed-precision optimizers do (in float16, g_t^2 overflows for |g_t| > 256 and the step
    would silently be 0). A parameter may appear once in a group (torch.optim warns).

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
                raise invalid("params", params, "an iterable of tensors "
                              "or of param-group dicts, such as model.parameters()", error=TypeError) from None
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
        try:
            _check_params(self.param_groups[-1]["params"], len(self.param_groups) - 1)
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
                raise invalid(f"state of parameter {pi} in param group {gi}", detail=f"no {key!r}")
            v = state[key]
            if not isinstance(v, torch.Tensor) or v.shape != p.shape or v.is_complex():
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

    # ------------------------------------------------------------------ step
    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None):
        """One Adam/AMSGrad step for every parameter with a gradient.

        ``closure``, if given, re-evaluates the model and returns the loss; it runs
        with gradients enabled and its loss is returned. Every group (hyperparameters and
        params), state and gradient is checked first (a group may have been changed since
        construction), and nothing is updated if one is invalid.
        """
        if closure is not None and not callable(closure):
            raise invalid("closure", closure, "None or a callable "
                          "that re-evaluates the model and returns the loss", error=TypeError)
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        work = [self._gather(gi, group) for gi, group in enumerate(self.param_groups)]
        if self.check_finite:
            self._check_gradients_finite()
        for hyper, ps, (xs, gs, ms, vs, v_hats, steps) in work:
            if not ps:
                continue
            update = _adam_foreach if hyper["foreach"] else _adam_loop
            beta1, beta2 = hyper["betas"]
            update(xs, gs, ms, vs, v_hats if hyper["amsgrad"] else None, steps,
                   lr=hyper["lr"], beta1=beta1, beta2=beta2, eps=hyper["eps"])
            counters = []
            for p, x, t in zip(ps, xs, steps, strict=True):
                if x is not p:  # a float16 / bfloat16 parameter, updated in float32
                    p.copy_(x)
                st = self.state[p]["step"]  # counted only once the step is done: t - 1 -> t
                if isinstance(st, torch.Tensor) and st.dtype == torch.float64 and st.device.type == "cpu":
                    counters.append(st)
                else:  # a torch.optim.Adam state (float32 step): store ours
                    self.state[p]["step"] = torch.tensor(float(t), dtype=torch.float64)
            if counters:
                torch._foreach_add_(counters, 1.0)
        return loss

    def _gather(self, gi: int, group: dict):
        """The checked hyperparameters of group ``gi``, its parameters with a gradient, and the
        lists the update takes (parameters, gradients, m, v, v_hat, t), each parameter's
        state made (or converted) and checked; nothing is changed but the new states."""
        where = f" in param group {gi}"
        hyper = self._checked_group(gi, group, where)
        _check_params(group["params"], gi)
        ps, lists = [], ([], [], [], [], [], [])
        for pi, p in enumerate(group["params"]):
            g = p.grad
            if g is None:
                continue
            if g.is_sparse:
                raise RuntimeError(
                    f"amslib.torch_optim.Adam does not support sparse gradients "
                    f"(parameter {pi} of param group {gi}); use torch.optim.SparseAdam")
            if g.shape != p.shape or g.is_complex():
                raise invalid(f"gradient of parameter {pi}{where}", detail=f"shape {tuple(g.shape)}, dtype {g.dtype} "
                              f"(must be real, with the parameter's shape {tuple(p.shape)})")
            state = self.state[p]
            dtype = _moment_dtype(p.dtype)
            if not state:
                # t as a float64 tensor, as torch.optim.Adam keeps it (exact to 2^53 steps)
                state["step"] = torch.tensor(0.0, dtype=torch.float64)
            for key in ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if hyper["amsgrad"] else ()):
                # max_exp_avg_sq also when amsgrad is switched on mid-training: max(0, v_t) = v_t
                if key not in state:
                    state[key] = torch.zeros_like(p, dtype=dtype, memory_format=torch.preserve_format)
                elif isinstance(state[key], torch.Tensor) and state[key].dtype != dtype:
                    state[key] = state[key].to(dtype)  # e.g. torch.optim's float16 moments
            t = self._check_state(p, state, pi, gi) + 1
            if dtype != p.dtype:
                p, g = p.to(dtype), g.to(dtype)
            ps.append(group["params"][pi])
            for seq, item in zip(lists, (p, g, state["exp_avg"], state["exp_avg_sq"],
                                         state.get("max_exp_avg_sq"), t), strict=True):
                seq.append(item)
        if ps:
            _check_step_size(hyper, min(lists[5]), [p.dtype for p in ps], where)
        return hyper, ps, lists

    def _checked_group(self, gi: int, group: dict, where: str) -> dict:
        """:func:`_check_group` of the group, unless its settings are the very objects checked
        at the last step (the usual case: an unchanged group is not checked again). A value
        that can change in place (a tensor, a list) makes the group be checked every time."""
        values = tuple((k, v) for k, v in group.items() if k != "params")
        cache = self.__dict__.setdefault("_checked", {})
        last = cache.get(gi)
        if (last is not None and len(last[0]) == len(values)
                and all(k == k0 and v is v0 for (k, v), (k0, v0) in zip(values, last[0], strict=True))
                and all(_immutable(v) for _, v in values)):
            return last[1]
        hyper = _check_group(group, where)
        cache[gi] = (values, hyper)
        return hyper

    def _check_gradients_finite(self) -> None:
        """Raise ValueError, before anything is updated, if a gradient holds NaN or inf.

        torch.optim.Adam would silently write NaN into the weights. The test is one sum per
        gradient and one read-back per device and dtype (so a GPU waits once a step): a sum
        of finite numbers is finite unless it overflows, and a NaN or inf entry makes the sum
        NaN or inf, so a finite total proves every entry finite. Only if a total is not
        finite (a non-finite entry, or an overflow of the sum) is every entry looked at, to
        name the culprit or clear the alarm. (``torch._foreach_norm`` with the infinity norm
        measured 30x slower on the CPU, ``torch.isfinite`` on every entry 20x slower.)
        """
        sums = {}
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is not None and not g.is_sparse and g.is_floating_point() and g.numel():
                    sums.setdefault((g.device, g.dtype), []).append(
                        g.sum(dtype=_moment_dtype(g.dtype)))
        if all(math.isfinite(torch.stack(s).sum().item()) for s in sums.values()):
            return
        for gi, group in enumerate(self.param_groups):
            for pi, p in enumerate(group["params"]):
                g = p.grad
                if (g is not None and not g.is_sparse and g.is_floating_point()
                        and not bool(torch.isfinite(g).all())):
                    try:
                        t = _step_count(self.state[p].get("step", 0), pi, gi) + 1
                    except ValueError:
                        t = "?"
                    raise invalid("gradient", detail=f"non-finite values (NaN or inf) in parameter {pi} of "
                                  f"param group {gi} (shape {tuple(p.shape)}) at step t={t}; nothing was updated. "
                                  "Gradients must be finite (check_finite=False skips this check, "
                                  "as torch.optim.Adam does)")
        # every entry is finite: a sum overflowed, a false alarm
