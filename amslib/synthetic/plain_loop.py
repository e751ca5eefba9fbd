"""The plain simulation loop, one step at a time: the ground truth for the fast one.

:func:`reference_run` runs any optimizer of :mod:`amslib.optimizers` (or anything with
``init`` and ``step``) on a problem of :mod:`amslib.online`, projecting onto
F = [-1, 1] after every step, and returns a :class:`RunResult`. :mod:`amslib.fast_adam`
must give the same numbers for Adam; the tests check it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..validation import check_count, check_optimizer, check_seed, describe
from .online import check_problem, check_x0

__all__ = ["RunResult", "reference_run", "sample_steps", "check_optimizer", "MAX_POINTS",
           "MAX_LOOP_STEPS"]

#: At most about this many points are kept for plots (plus the first and last step).
MAX_POINTS = 10_000
#: The most steps the plain loop takes: ~40-60 us a step on a quiet 2-core machine, up to
#: ~120 us on a loaded one (``benchmarks/bench_synthetic.py`` prints it), so at most ~5-12 s.
MAX_LOOP_STEPS = 10 ** 5

# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class RunResult:
    """What :func:`run` and :func:`reference_run` return.

    ``t`` are the kept step numbers (<= ~10^4 of them, always 1 and ``steps``); ``x[i]``
    is the iterate used at step ``t[i]`` (before its update) and
    ``average_regret_curve[i]`` is R_t / t there. ``x_final`` is the iterate after the
    last (projected) update and ``average_regret`` is R_T / T.
    """
    problem: str
    optimizer: str
    steps: int
    x0: float
    seed: object
    x_final: float
    regret: float
    average_regret: float
    t: np.ndarray = field(repr=False)
    x: np.ndarray = field(repr=False)
    average_regret_curve: np.ndarray = field(repr=False)


def sample_steps(steps: int, max_points: int = MAX_POINTS) -> np.ndarray:
    """The step numbers kept for plots: all of them if there are at most ``max_points``,
    else about half evenly spaced and half log-spaced (so both a linear and a log time
    axis look right), always including 1 and ``steps``."""
    steps = check_count(steps, "steps", 1)
    max_points = check_count(max_points, "max_points", 2)
    if steps <= max_points:
        return np.arange(1, steps + 1, dtype=np.int64)
    half = max_points // 2
    lin = np.linspace(1, steps, half)
    log = np.geomspace(1, steps, max_points - half)
    return np.unique(np.concatenate([[1, steps], np.rint(lin), np.rint(log)]).astype(np.int64))


# --------------------------------------------------------------------------- reference
def reference_run(prob, opt, steps: int, x0: float = 0.0, seed=0) -> RunResult:
    """The plain loop, one step at a time: the ground truth for :func:`run`.

    ::

        x = x0
        for t in 1..T:
            loss += g_t x;  G += g_t                   # x is x_t, the iterate used at step t
            x, state = opt.step(x, g_t, state)
            x = clip(x, -1, 1)                         # projection onto F
        R_T = loss + |G|

    Works with any optimizer of :mod:`amslib.optimizers` (about 40-120 us a step, as
    ``benchmarks/bench_synthetic.py`` measures it), for at
    most :data:`MAX_LOOP_STEPS` steps. An optimizer's settings are fixed when it is made,
    so the loop and :func:`amslib.fast_adam.run` always simulate the same algorithm.
    """
    check_problem(prob)
    x0 = check_x0(x0)
    steps = check_loop_steps(steps)
    seed = check_seed(seed)
    check_optimizer(opt)
    return loop(prob, opt, steps, x0, seed)


def check_loop_steps(steps) -> int:
    """The number of steps for the plain loop: an integer in [1, MAX_LOOP_STEPS]."""
    return check_count(steps, "steps", 1, MAX_LOOP_STEPS,
                       "the plain loop takes ~40-120 us a step; amslib.synthetic.run "
                       "simulates Adam, AdaBound and AdamNC much faster")


def loop(prob, opt, steps: int, x0: float, seed) -> RunResult:
    """:func:`reference_run` on checked arguments. An optimizer of the user's that returns a
    non-finite iterate is stopped there, with the step t."""
    stream = prob.stream(seed)
    keep = sample_steps(steps)
    xs = np.empty(len(keep))
    regrets = np.empty(len(keep))
    i = 0
    x = np.array(x0)
    state = opt.init(x)
    loss = G = 0.0
    t = 0
    while t < steps:
        for gt in stream.take(min(2 ** 16, steps - t)).tolist():
            t += 1
            xt = float(x)
            loss += gt * xt
            G += gt
            if t == keep[i]:
                xs[i], regrets[i] = xt, (loss + abs(G)) / t
                i += 1
            x, state = opt.step(x, gt, state)
            if not abs(x) < math.inf:  # NaN fails too
                raise FloatingPointError(f"{type(opt).__name__}.step returned a non-finite "
                                         f"iterate at step t={t}: {describe(x)}")
            x = np.clip(x, -1.0, 1.0)
    regret = loss + abs(G)
    return RunResult(prob.name, repr(opt), steps, x0, seed, float(x), regret, regret / steps,
                     keep, xs, regrets)

