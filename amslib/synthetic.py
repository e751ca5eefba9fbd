"""The synthetic problems of Reddi, Kale and Kumar (ICLR 2018), and a fast simulator.

The problems are linear losses f_t(x) = g_t x on the feasible set F = [-1, 1]; after
every optimizer step the iterate is projected back onto F (clipped)::

    Theorem 1            g_t = C if t mod 3 == 1 else -1                 (C > 2)
    Section 5, online    g_t = 1010 if t mod 101 == 1 else -10
    Section 5, stochastic g_t = 1010 with probability 0.01, else -10

The regret after T steps is

    R_T = sum_t f_t(x_t) - min_{x in F} sum_t f_t(x) = sum_t g_t x_t + |sum_t g_t|,

where x_t is the iterate used at step t (before its update) and x_1 = x0.

Usage::

    from amslib.optimizers import Adam
    from amslib.schedules import inv_sqrt
    from amslib.synthetic import online_problem, stochastic_problem, run, sweep

    prob = online_problem(C=1010.0, period=101, c=-10.0)
    res = run(prob, Adam(lr=inv_sqrt(0.5), betas=(0.9, 0.99), amsgrad=True), steps=10**7)
    res.x_final, res.average_regret              # the numbers
    res.t, res.x, res.average_regret_curve       # <= ~10^4 points, for plots

    X = sweep(prob, beta1=B1, beta2=B2, lr=inv_sqrt(0.5), steps=10**5)  # final iterates

:func:`reference_run` is the plain step-by-step loop with :class:`amslib.optimizers.Adam`
(the ground truth); :func:`run` and :func:`sweep` give the same numbers (to ~1e-12)
about a hundred times faster than the loop, with NumPy alone.

Where things live (one idea a module; this module gathers them for the notebooks)
---------------------------------------------------------------------------------
* :mod:`amslib.online`: the problems (``online_problem``, ``stochastic_problem``,
  Theorem 1's) and their gradient streams;
* :mod:`amslib.plain_loop`: ``reference_run``, the plain loop, and ``RunResult``;
* :mod:`amslib.scan`: the scan engine (moments and the clipped walk for whole blocks);
* :mod:`amslib.fast_adam`: ``run`` and ``sweep``, Adam on the scan engine.

Limits (each refused with a message naming the parameter): ``run`` at most 10^9 steps,
``reference_run`` 10^7, ``sweep`` 10^10 (setting, step) pairs; problem gradients
|g| in [1e-150, 1e150] (or c = 0).

How the fast simulator works
----------------------------
The gradients g_t do not depend on x. So the moments m_t, v_t and max v_t, and with
them every step d_t (for Adam, alpha_t times the bias-corrected m_t over the root of the
bias-corrected v_t, or of its running maximum, plus eps), can be computed for a
whole block of steps at once with array operations ("prefix scans"), and only the
projected walk x_{t+1} = clip(x_t - d_t, -1, 1) is left, which has a closed form too
(see :func:`amslib.scan.clipped_walk`). The work is done in chunks of 2^17 steps carrying the
state (m, v, max v, x, the running sums) across chunks, so memory stays a few tens of MB
however many steps are run.
"""
from __future__ import annotations

from .fast_adam import CHUNK, MAX_SETTINGS, MAX_STEPS, MAX_SWEEP_WORK, run, sweep
from .online import (OnlineProblem, StochasticProblem, online_problem, stochastic_problem,
                     theorem1_beta2, theorem1_problem)
from .plain_loop import MAX_LOOP_STEPS, MAX_POINTS, RunResult, reference_run, sample_steps

__all__ = [
    "OnlineProblem", "StochasticProblem", "RunResult",
    "online_problem", "stochastic_problem", "theorem1_problem", "theorem1_beta2",
    "run", "reference_run", "sweep", "sample_steps",
    "CHUNK", "MAX_POINTS", "MAX_STEPS", "MAX_LOOP_STEPS", "MAX_SWEEP_WORK", "MAX_SETTINGS",
]
