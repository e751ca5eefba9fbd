"""The optimizer :class:`amslib.torch_optim.Adam` (the package docstring shows it in use)."""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch.optim import Optimizer

from ..validation import check_flag, invalid
from .checks import (
    UNSUPPORTED,
    _check_group,
    _check_params,
    _check_step_size,
    check_gradients_finite,
    check_state,
    checked_group,
)
from .updates import _adam_foreach, _adam_loop, _finish_step, _init_state


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
                        check_state(p, self.state[p], pi, gi, full=True)
        except ValueError:
            self.__setstate__(saved[0])
            raise

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
            check_gradients_finite(self.param_groups, self.state)
        for hyper, ps, (xs, gs, ms, vs, v_hats, steps) in work:
            if not ps:
                continue
            update = _adam_foreach if hyper["foreach"] else _adam_loop
            beta1, beta2 = hyper["betas"]
            update(xs, gs, ms, vs, v_hats if hyper["amsgrad"] else None, steps,
                   lr=hyper["lr"], beta1=beta1, beta2=beta2, eps=hyper["eps"])
            _finish_step(ps, xs, steps, self.state)
        return loss

    def _gather(self, gi: int, group: dict):
        """The checked hyperparameters of group ``gi``, its parameters with a gradient, and the
        lists the update takes (parameters, gradients, m, v, v_hat, t), each parameter's
        state made (or converted) and checked; nothing is changed but the new states."""
        where = f" in param group {gi}"
        hyper = checked_group(self.__dict__.setdefault("_checked", {}), gi, group, where)
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
            dtype = _init_state(p, state, hyper["amsgrad"])
            t = check_state(p, state, pi, gi) + 1
            if dtype != p.dtype:
                p, g = p.to(dtype), g.to(dtype)
            ps.append(group["params"][pi])
            for seq, item in zip(lists, (p, g, state["exp_avg"], state["exp_avg_sq"],
                                         state.get("max_exp_avg_sq"), t), strict=True):
                seq.append(item)
        if ps:
            _check_step_size(hyper, min(lists[5]), [p.dtype for p in ps], where)
        return hyper, ps, lists
