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

from .optimizers import check_betas, check_eps, check_lr

__all__ = ["Adam"]


def _check_lr_float(lr) -> float:
    """A float >= 0. Unlike the NumPy optimizers, no schedules here (use a
    ``torch.optim.lr_scheduler``) and no tensors (torch.optim allows them for
    CUDA-graph capture, which this teaching version does not support)."""
    if isinstance(lr, torch.Tensor):
        raise ValueError(f"Invalid learning rate: {lr!r} (must be a float; "
                         "tensor learning rates are not supported here)")
    if callable(lr):
        raise ValueError(f"Invalid learning rate: {lr!r} (must be a float; for a schedule "
                         "use torch.optim.lr_scheduler with this optimizer)")
    return check_lr(lr)


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
            else:
                v_hat_t = v_t
            alpha_t = alpha / (1 - beta_1^t)
            x_{t+1} = x_t - alpha_t m_t / (sqrt(v_hat_t) / sqrt(1 - beta_2^t) + eps)

    This is PyTorch's convention (``torch.optim.Adam``, including ``amsgrad=True``):
    the maximum is taken over the raw v_t and then bias-corrected, and eps is added
    after the correction, i.e.::

        x_{t+1} = x_t - alpha/(1-beta_1^t) * m_t / (sqrt(v_hat_t)/sqrt(1-beta_2^t) + eps)

    Reddi et al.'s Algorithm 2 has no bias correction and no eps. With eps = 0 the two
    forms differ by the factor sqrt(1 - beta_2^t) / (1 - beta_1^t) on the step. It is not
    a constant: it depends on t (not on the gradients), differs from 1 mostly during the
    first few multiples of 1/(1 - beta_2) steps, and tends to 1 geometrically, since
    beta^t -> 0. (``amslib.optimizers.Adam`` with ``bias_correction=False`` is the
    paper's form.)

    State, per parameter (``optimizer.state[p]``; saved by ``state_dict()``):
    ``step`` (int t), ``exp_avg`` (m_t), ``exp_avg_sq`` (v_t) and, only for groups with
    amsgrad, ``max_exp_avg_sq`` (v_hat_t). State tensors live on the parameter's
    device with its dtype (float32, float64, ...; CPU, CUDA, MPS).

    Parameters whose ``.grad`` is None are skipped (their t does not advance).
    A gradient with NaN or inf raises a ValueError before anything is updated (unlike
    ``torch.optim.Adam``, which writes NaN into the weights); ``check_finite=False``
    turns the check off.
    Sparse gradients raise a RuntimeError (use ``torch.optim.SparseAdam``). Weight
    decay, ``maximize``, complex parameters, ``capturable`` and ``fused`` are not
    supported.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 amsgrad: bool = False, *, foreach: bool | None = None, check_finite: bool = True):
        defaults = dict(lr=_check_lr_float(lr), betas=check_betas(betas), eps=check_eps(eps),
                        amsgrad=bool(amsgrad), foreach=foreach is not False)
        # Not a group hyperparameter, so that state_dicts stay interchangeable with torch's.
        self.check_finite = bool(check_finite)
        super().__init__(params, defaults)  # calls add_param_group for each group

    def add_param_group(self, param_group: dict) -> None:
        """Add a group; its hyperparameters (own or default) are validated like __init__'s."""
        if isinstance(param_group, dict):
            for key, value in self.defaults.items():
                param_group.setdefault(key, value)
            param_group["lr"] = _check_lr_float(param_group["lr"])
            param_group["betas"] = check_betas(param_group["betas"])
            param_group["eps"] = check_eps(param_group["eps"])
            param_group["amsgrad"] = bool(param_group["amsgrad"])
            param_group["foreach"] = param_group["foreach"] is not False
        super().add_param_group(param_group)

    # ------------------------------------------------------------------ step
    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None):
        """One Adam/AMSGrad step for every parameter with a gradient.

        ``closure``, if given, re-evaluates the model and returns the loss; it runs
        with gradients enabled and its loss is returned.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        if self.check_finite:
            self._check_gradients_finite()
        for gi, group in enumerate(self.param_groups):
            amsgrad = group["amsgrad"]
            params, grads, exp_avgs, exp_avg_sqs, max_sqs, steps = [], [], [], [], [], []
            for pi, p in enumerate(group["params"]):
                g = p.grad
                if g is None:
                    continue
                if g.is_sparse:
                    raise RuntimeError(
                        f"amslib.torch_optim.Adam does not support sparse gradients "
                        f"(parameter {pi} of param group {gi}); use torch.optim.SparseAdam")
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                if amsgrad and "max_exp_avg_sq" not in state:
                    # also when amsgrad is switched on mid-training: max(0, v_t) = v_t
                    state["max_exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                # int(): a state_dict saved by torch.optim.Adam stores t as a tensor
                t = state["step"] = int(state["step"]) + 1
                params.append(p)
                grads.append(g)
                exp_avgs.append(state["exp_avg"])
                exp_avg_sqs.append(state["exp_avg_sq"])
                if amsgrad:
                    max_sqs.append(state["max_exp_avg_sq"])
                steps.append(t)
            if not params:
                continue
            # (a group loaded from torch.optim.Adam's state_dict may hold foreach=None)
            update = _adam_loop if group.get("foreach") is False else _adam_foreach
            beta1, beta2 = group["betas"]
            update(params, grads, exp_avgs, exp_avg_sqs, max_sqs if amsgrad else None, steps,
                   lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"])
        return loss


    def _check_gradients_finite(self) -> None:
        """Raise ValueError, before anything is updated, if a gradient holds NaN or inf.

        torch.optim.Adam would silently write NaN into the weights. The test is on the
        norms of the gradients, one multi-tensor op per device and dtype (a norm is finite
        exactly when every entry is, short of squares beyond the float range, where Adam's
        v_t would overflow anyway); ``torch.isfinite`` on every entry measured ten times
        slower on the CPU. One flag per group is read back, so a GPU waits once, not once
        per tensor; the search for the culprit runs only when something is wrong.
        """
        groups = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None and not p.grad.is_sparse:
                    groups.setdefault((p.grad.device, p.grad.dtype), []).append(p.grad)
        if all(bool(torch.stack(torch._foreach_norm(grads)).isfinite().all())
               for grads in groups.values()):
            return
        for gi, group in enumerate(self.param_groups):
            for pi, p in enumerate(group["params"]):
                if p.grad is not None and not p.grad.is_sparse and not bool(torch.isfinite(p.grad).all()):
                    raise ValueError(
                        f"Invalid gradient: non-finite values (NaN or inf) in parameter {pi} of "
                        f"param group {gi} (shape {tuple(p.shape)}); nothing was updated. "
                        "Gradients must be finite (check_finite=False skips this check, "
                        "as torch.optim.Adam does)")
        raise ValueError("Invalid gradient: a gradient's norm overflows the float range; "
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
            v_hat = max_sqs[i]
            torch.maximum(v_hat, v, out=v_hat)                 # v_hat_t = max(v_hat_{t-1}, v_t)
        else:
            v_hat = v
        denom = v_hat.sqrt().div_(math.sqrt(1.0 - beta2 ** t)).add_(eps)
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
