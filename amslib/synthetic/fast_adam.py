"""The fast simulator: Adam and AMSGrad on the synthetic problems, 10^7 steps in a second.

:func:`run` gives what :func:`amslib.plain_loop.reference_run` gives (to rounding,
~1e-12) and :func:`sweep` the final iterates of many (beta_1, beta_2) settings at once.

How it works
------------
The gradients g_t do not depend on x. So the moments m_t, v_t and max v_t, and with
them every step d_t = alpha_t m_t / (sqrt(v_t) + eps) (sqrt(v_hat_t), the maximum, for
AMSGrad; with the bias corrections where asked), can be computed for a
whole block of steps at once with array operations ("prefix scans", :mod:`amslib.scan`),
and only the projected walk x_{t+1} = clip(x_t - d_t, -1, 1) is left, which has a closed
form too (:func:`amslib.scan.clipped_walk`). The work is done in chunks of 2^17 steps
carrying the state (m, v, max v, x, the running sums, and which bound's formula the walk
was using) across chunks, so memory stays a few tens of MB however many steps are run.
AMSGrad's max v_t (:func:`amslib.scan.running_max`) scans only the segments of a chunk
where it sets a new record; once it has settled the rest are a fill.

Where the fast path cannot give the loop's numbers it says so or steps aside: a step
that overflows float64 raises the same FloatingPointError as the loop; a schedule
written for one t at a time is called once per step; in :func:`sweep`, a setting whose
steps overflow the split product is recomputed by :func:`run`.
"""
from __future__ import annotations

import math

import numpy as np

from ..optimizers import Adam, check_eps, check_lr
from ..schedules import as_schedule
from ..validation import check_count, check_flag, check_seed, invalid
from .online import check_problem, check_x0
from .plain_loop import RunResult, check_loop_steps, check_optimizer, loop, sample_steps
from .scan import _clipped_walk
from .simulators import _HUGE, MAX_PER_STEP_SCHEDULE_STEPS, _AdamSim, _check_steps_finite, _simulator, _StepSizes

__all__ = ["run", "sweep", "CHUNK", "MAX_STEPS", "MAX_SWEEP_WORK", "MAX_SETTINGS",
           "MAX_PER_STEP_SCHEDULE_STEPS"]

#: The most steps :func:`run` simulates: ~30-80 ns a step for Adam and AMSGrad, ~40-70 ns
#: for AdamNC, ~80-110 ns for AdaBound, quiet to loaded 2-core machine
#: (``benchmarks/bench_synthetic.py`` prints them), so at most ~10 s.
MAX_STEPS = 10 ** 8
#: The most (setting, step) pairs one :func:`sweep` simulates (~3-10 ns each, quiet to
#: loaded: at most ~3-10 s).
MAX_SWEEP_WORK = 10 ** 9
#: The most settings (and distinct beta_1 or beta_2 values) in one :func:`sweep`.
MAX_SETTINGS = 10 ** 6
MAX_DISTINCT_BETAS = 2 ** 12

#: Steps processed at once by :func:`run` (2^17 float64 = 1 MiB per array: the
#: working arrays stay in cache; much larger chunks measured slower).
CHUNK = 2 ** 17

# --------------------------------------------------------------------------- run
def run(prob, opt, steps: int, x0: float = 0.0, seed=0, *, chunk: int = CHUNK) -> RunResult:
    """Run ``opt`` on ``prob`` for ``steps`` steps, projecting onto [-1, 1] after each.

    Gives what :func:`reference_run` gives (to rounding, ~1e-12), much faster: 10^7 steps
    in ~0.3-0.8 s (``benchmarks/bench_synthetic.py``), for up to :data:`MAX_STEPS` steps. Simulated this way:
    :class:`amslib.optimizers.Adam` (either ``amsgrad``, either ``bias_correction``, any
    step-size schedule: one written for a single t is called once per step, which costs
    ~0.2-0.5 us a step), :class:`amslib.beyond.AdaBound` / ``AMSBound`` and
    :class:`amslib.adamnc.AdamNC` with a constant beta_1: their steps do not depend on x.
    A step that overflows float64 raises FloatingPointError, as in the loop. Any other
    optimizer with ``init`` and ``step`` (SGD, AdaGrad, Yogi, AdamX, a decaying beta_1,
    and subclasses that change the update, such as AdamW) is run by the plain loop
    :func:`reference_run`, at its speed (~40-120 us a step, at most
    :data:`amslib.plain_loop.MAX_LOOP_STEPS` steps); anything else is a TypeError.

    ``seed`` fixes the stochastic problem's gradients (see :class:`StochasticProblem`);
    the online problem ignores it.
    """
    check_problem(prob)
    x0 = check_x0(x0)
    steps = check_count(steps, "steps", 1, MAX_STEPS, "run simulates 10^7 steps in ~0.3-0.8 s; "
                        "ask for fewer")
    seed = check_seed(seed)
    chunk = check_count(chunk, "chunk", 1, 2 ** 22, "larger chunks only cost memory")
    check_optimizer(opt)
    sim = _simulator(opt, steps)
    if sim is None:
        check_loop_steps(steps)
        return loop(prob, opt, steps, x0, seed)

    stream = prob.stream(seed)
    keep = sample_steps(steps)
    xs = np.empty(len(keep))
    regrets = np.empty(len(keep))
    loss = G = 0.0  # running sums of g_t x_t and g_t
    x = x0
    walk = np.empty(chunk + 1)  # walk[j] = x_{t0 + j}: walk[:-1] the iterates used, walk[1:] the next
    upper = x > -1.0  # the walk's formula (upper or lower bound), carried across chunks
    start = 1  # the step number of the chunk's first step
    while start <= steps:
        n = min(chunk, steps - start + 1)
        g = stream.take(n)
        with np.errstate(over="ignore", invalid="ignore"):  # overflow: the check below says it
            d = sim.steps(g)
        _check_steps_finite(d, start)
        w = walk[:n + 1]
        w[0] = x
        with np.errstate(over="ignore", invalid="ignore"):  # huge sums: cut by WALK_LIMIT
            upper = _clipped_walk(x, d, w[1:], upper)
        used = w[:n]
        # Regret bookkeeping: sums of g x and g up to each kept step, by segments.
        gx = np.multiply(g, used, out=d)
        lo = np.searchsorted(keep, start, side="left")
        hi = np.searchsorted(keep, start + n - 1, side="right")
        idx = keep[lo:hi] - start  # kept steps inside this chunk (local indices)
        if len(idx):
            # One piece per kept step: the sum since the previous kept step (reduceat).
            end = int(idx[-1]) + 1
            cuts = np.concatenate([[0], idx[:-1] + 1])
            cum_gx = loss + np.cumsum(np.add.reduceat(gx[:end], cuts))
            cum_g = G + np.cumsum(np.add.reduceat(g[:end], cuts))
            xs[lo:hi] = used[idx]
            regrets[lo:hi] = (cum_gx + np.abs(cum_g)) / keep[lo:hi]
            loss = float(cum_gx[-1]) + float(gx[end:].sum())
            G = float(cum_g[-1]) + float(g[end:].sum())
        else:
            loss += float(gx.sum())
            G += float(g.sum())
        x = float(w[n])
        start += n
    regret = loss + abs(G)
    return RunResult(prob.name, repr(opt), steps, x0, seed, x, regret, regret / steps,
                     keep, xs, regrets)


# --------------------------------------------------------------------------- sweep
def sweep(prob, beta1, beta2, lr, steps: int, amsgrad: bool = False, eps: float = 1e-8,
          bias_correction: bool = True, x0: float = 0.0, seed=0) -> np.ndarray:
    """Final iterates of Adam (or AMSGrad) for many (beta_1, beta_2) settings at once.

    ``beta1`` and ``beta2`` are numbers or arrays; the result has the shape of
    ``np.broadcast(beta1, beta2)``, and each entry equals
    ``run(prob, Adam(lr, (b1, b2), eps, amsgrad, bias_correction), steps, x0, seed).x_final``.
    Every setting sees the same gradient sequence.

    How: the moments depend on one beta each, so they are computed once per distinct
    beta_1 (m_t / (1 - beta_1^t)) and once per distinct beta_2
    (alpha_t / (sqrt(v_t / (1 - beta_2^t)) + eps), v_hat_t for AMSGrad); a 64 x 64 grid needs 64 + 64
    scans, not 4096. The step of setting (i, j) is the product of the two, and the walk
    x <- clip(x - d_t, -1, 1) runs with one array operation per step over all settings.
    """
    check_problem(prob)
    x0 = check_x0(x0)
    steps = check_count(steps, "steps", 1, MAX_STEPS, "ask for fewer")
    seed = check_seed(seed)
    eps = check_eps(eps)
    amsgrad = check_flag(amsgrad, "amsgrad")
    bias_correction = check_flag(bias_correction, "bias_correction")
    lr = check_lr(lr)
    b1, b2 = _beta_array(beta1, "beta1"), _beta_array(beta2, "beta2")
    try:
        shape = np.broadcast_shapes(b1.shape, b2.shape)
    except ValueError:
        raise invalid("beta1, beta2", detail=f"shapes {b1.shape} and {b2.shape} do not broadcast "
                      "(use a grid, e.g. np.meshgrid(b1, b2, indexing='ij'))") from None
    S = math.prod(shape)
    check_count(S, "number of (beta1, beta2) settings", 1, MAX_SETTINGS)
    check_count(S * steps, "steps x settings", 1, MAX_SWEEP_WORK,
                "about 3-10 ns each on one core; use fewer steps or a coarser grid")
    B1, B2 = np.broadcast_arrays(b1, b2)
    for name, B in (("beta1", B1), ("beta2", B2)):
        bad = ~((B >= 0.0) & (B < 1.0))
        if bad.any():
            raise invalid(name, detail=f"{B[bad].flat[0]} (must be in [0, 1))")
    u1, inv1 = np.unique(B1.ravel(), return_inverse=True)
    u2, inv2 = np.unique(B2.ravel(), return_inverse=True)
    for name, u in (("beta1", u1), ("beta2", u2)):
        check_count(len(u), f"number of distinct {name} values", 1, MAX_DISTINCT_BETAS,
                    "each one is a scan of its own")
    # The usual case, a grid beta1[:, None] x beta2[None, :] (both ascending), is the
    # outer product of the distinct values, in order: no index gathers needed.
    outer = (S == len(u1) * len(u2) and np.array_equal(inv1, np.repeat(np.arange(len(u1)), len(u2)))
             and np.array_equal(inv2, np.tile(np.arange(len(u2)), len(u1))))
    # One simulator per distinct beta_1 (numerators) and per distinct beta_2 (denominators),
    # all sharing one evaluation of the schedule per block.
    schedule = as_schedule(lr)
    alphas = _StepSizes(schedule, steps, shared=True)
    sims1 = [_AdamSim(b, 0.0, eps, amsgrad, bias_correction, alphas) for b in u1]
    sims2 = [_AdamSim(0.0, b, eps, amsgrad, bias_correction, alphas) for b in u2]
    stream = prob.stream(seed)
    x = np.full(S, x0)
    overflow = np.zeros(S, dtype=bool)  # settings whose split product d = num * inv_den overflowed
    tchunk = max(256, min(2 ** 13, 2 ** 22 // max(len(u1), len(u2))))
    rows = max(16, 2 ** 20 // max(S, 1))  # steps per block of the (steps x settings) array
    with np.errstate(over="ignore", invalid="ignore"):  # overflows are caught below
        start = 1
        while start <= steps:
            n = min(tchunk, steps - start + 1)
            g = stream.take(n)
            num = np.empty((n, len(u1)))
            for i, sim in enumerate(sims1):
                num[:, i] = sim.numerators(g)
            inv_den = np.empty((n, len(u2)))
            for i, sim in enumerate(sims2):
                inv_den[:, i] = sim.inverse_denominators(g)
            # run (and the loop, and torch) first forms alpha_t / (1 - beta_1^t): where that
            # comes near float64's limit, let run answer (or raise) for those settings.
            alpha_max = float(alphas(start, n).max())
            if alpha_max > 0.0:
                for i, b in enumerate(u1):
                    first = (1.0 - b ** start) if bias_correction else 1.0
                    if not alpha_max / first <= _HUGE:
                        overflow |= inv1 == i
            for r in range(0, n, rows):
                if outer:  # a full grid: d[t, i, j] = num[t, i] * inv_den[t, j], one product
                    D = np.multiply(num[r:r + rows, :, None], inv_den[r:r + rows, None, :])
                    D = D.reshape(len(D), S)
                else:
                    D = num[r:r + rows].take(inv1, axis=1)
                    D *= inv_den[r:r + rows].take(inv2, axis=1)
                if not (D.max() <= _HUGE and D.min() >= -_HUGE):  # NaN fails too
                    overflow |= ~(np.abs(D) <= _HUGE).all(axis=0)
                for drow in D:
                    np.subtract(x, drow, out=x)
                    np.clip(x, -1.0, 1.0, out=x)
            start += n
    # Near float64's limit the two orders of operations (sweep's num * inv_den, run's
    # (alpha / (1 - beta_1^t)) * (m / den)) can overflow differently: those settings are
    # recomputed by run, which answers or raises exactly as the loop does.
    for i in np.flatnonzero(overflow):
        opt = Adam(schedule, (float(B1.flat[i]), float(B2.flat[i])), eps, amsgrad, bias_correction)
        x[i] = run(prob, opt, steps, x0, seed).x_final
    return x.reshape(shape)


def _beta_array(value, name: str) -> np.ndarray:
    """betas for sweep as a float64 array; booleans, strings and complex numbers are refused."""
    try:
        a = np.asarray(value)
    except Exception:
        a = None
    if a is None or a.dtype.kind not in "iuf":
        raise invalid(name, value, "a number or an array of "
                      "numbers in [0, 1)")
    return a.astype(np.float64)
