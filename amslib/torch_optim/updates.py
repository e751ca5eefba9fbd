"""The update of :class:`amslib.torch_optim.Adam` on checked tensors, written twice: one
parameter at a time (the pseudocode) and with the multi-tensor ``torch._foreach_*`` ops."""
from __future__ import annotations

import math

import torch

#: Parameters of these dtypes keep their moments, and are updated, in float32 (as
#: mixed-precision optimizers do): float16's v_t = g_t^2 would overflow at |g| > 256.
_LOW_PRECISION = (torch.float16, torch.bfloat16)


def _moment_dtype(dtype: torch.dtype) -> torch.dtype:
    return torch.float32 if dtype in _LOW_PRECISION else dtype


def _init_state(p: torch.Tensor, state: dict, amsgrad: bool) -> torch.dtype:
    """Make (or convert) the state the update reads: t as a float64 tensor, as torch.optim.Adam
    keeps it (exact to 2^53 steps), and m, v (and v_hat) in the moments' dtype; returns it."""
    dtype = _moment_dtype(p.dtype)
    if not state:
        state["step"] = torch.tensor(0.0, dtype=torch.float64)
    for key in ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ()):
        # max_exp_avg_sq also when amsgrad is switched on mid-training: max(0, v_t) = v_t
        if key not in state:
            state[key] = torch.zeros_like(p, dtype=dtype, memory_format=torch.preserve_format)
        elif isinstance(state[key], torch.Tensor) and state[key].dtype != dtype:
            state[key] = state[key].to(dtype)  # e.g. torch.optim's float16 moments
    return dtype


def _finish_step(ps, xs, steps, state) -> None:
    """After the update: low-precision parameters get their float32 result, and each
    parameter's t is counted (only once the step is done: t - 1 -> t)."""
    counters = []
    for p, x, t in zip(ps, xs, steps, strict=True):
        if x is not p:  # a float16 / bfloat16 parameter, updated in float32
            p.copy_(x)
        st = state[p]["step"]
        if isinstance(st, torch.Tensor) and st.dtype == torch.float64 and st.device.type == "cpu":
            counters.append(st)
        else:  # a torch.optim.Adam state (float32 step): store ours
            state[p]["step"] = torch.tensor(float(t), dtype=torch.float64)
    if counters:
        torch._foreach_add_(counters, 1.0)


def _adam_loop(params, grads, exp_avgs, exp_avg_sqs, max_sqs, steps, *, lr, beta1, beta2, eps):
    """The pseudocode, one parameter at a time (``foreach=False``). m_t is written as
    m + (1 - beta_1)(g - m) (lerp): one pass over memory instead of two, exact for beta_1 = 0."""
    for i, (x, g, m, v, t) in enumerate(zip(params, grads, exp_avgs, exp_avg_sqs, steps, strict=True)):
        m.lerp_(g, 1.0 - beta1)                                # m_t = beta_1 m_{t-1} + (1 - beta_1) g_t
        v.mul_(beta2).addcmul_(g, g, value=1.0 - beta2)        # v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2
        d = v if max_sqs is None else torch.maximum(max_sqs[i], v, out=max_sqs[i])  # d_t = v_t or v_hat_t
        denom = _denominators([d], math.sqrt(1.0 - beta2 ** t), eps)[0]  # sqrt(d_t) / sqrt(1 - beta_2^t) + eps
        x.addcdiv_(m, denom, value=-lr / (1.0 - beta1 ** t))   # x_{t+1} = x_t - alpha / (1 - beta_1^t) m_t / denom


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
    for xs, gs, ms, vs, v_hats, ts in _by_device(params, grads, exp_avgs, exp_avg_sqs, max_sqs, steps):
        torch._foreach_lerp_(ms, gs, 1.0 - beta1)                # m_t = beta_1 m_{t-1} + (1 - beta_1) g_t
        torch._foreach_mul_(vs, beta2)                           # v_t = beta_2 v_{t-1} ...
        torch._foreach_addcmul_(vs, gs, gs, value=1.0 - beta2)   #       ... + (1 - beta_2) g_t^2
        if v_hats is not None:
            torch._foreach_maximum_(v_hats, vs)                  # v_hat_t = max(v_hat_{t-1}, v_t)
        bc2_sqrt, step_size = _corrections(ts, lr, beta1, beta2)  # sqrt(1 - beta_2^t), -alpha / (1 - beta_1^t)
        denom = _denominators(vs if v_hats is None else v_hats, bc2_sqrt, eps)  # sqrt(d_t) / sqrt(1 - beta_2^t) + eps
        torch._foreach_addcdiv_(xs, ms, denom, step_size)        # x_{t+1} = x_t - alpha_t m_t / denom


def _by_device(params, grads, exp_avgs, exp_avg_sqs, max_sqs, steps):
    """The update's lists, split by (device, dtype): a foreach op takes tensors of one kind."""
    buckets: dict[tuple, list[int]] = {}
    for i, x in enumerate(params):
        buckets.setdefault((x.device, x.dtype), []).append(i)
    if len(buckets) == 1:
        yield params, grads, exp_avgs, exp_avg_sqs, max_sqs, steps
        return
    for idx in buckets.values():
        yield (*([seq[i] for i in idx] for seq in (params, grads, exp_avgs, exp_avg_sqs)),
               None if max_sqs is None else [max_sqs[i] for i in idx], [steps[i] for i in idx])


def _corrections(ts, lr: float, beta1: float, beta2: float):
    """sqrt(1 - beta_2^t) and the step size -alpha / (1 - beta_1^t): plain scalars when the
    tensors share t (the usual case, cheapest), else one per tensor (some grads were None
    at some steps)."""
    if all(t == ts[0] for t in ts):
        return math.sqrt(1.0 - beta2 ** ts[0]), -lr / (1.0 - beta1 ** ts[0])
    return [math.sqrt(1.0 - beta2 ** t) for t in ts], [-lr / (1.0 - beta1 ** t) for t in ts]


def _denominators(ds, bc2_sqrt, eps: float) -> list[torch.Tensor]:
    """sqrt(d_t) / sqrt(1 - beta_2^t) + eps for each tensor, new tensors, in torch.optim.Adam's
    order of operations (so that its numbers come out bit for bit). With eps = 0, a 0
    denominator (every g so far 0, or g^2 underflowed) becomes inf: a step of 0, not NaN."""
    denom = torch._foreach_sqrt(ds)
    torch._foreach_div_(denom, bc2_sqrt)
    torch._foreach_add_(denom, eps)
    if eps == 0.0:
        for d in denom:
            d.masked_fill_(d == 0, math.inf)
    return denom
