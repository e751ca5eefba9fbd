"""The synthetic problems of Reddi, Kale and Kumar (ICLR 2018) and their simulators, a
package; its public names are gathered here for the notebooks. Nothing is defined in this
file; each piece lives in its own module (one idea a module), whose docstring states the math:

* :mod:`amslib.synthetic.online`: the problems (``online_problem``, ``stochastic_problem``,
  ``theorem1_problem``, ``theorem1_beta2``), their gradient streams, the regret and the
  limits on the gradients;
* :mod:`amslib.synthetic.plain_loop`: ``reference_run``, the plain step-by-step loop (the
  ground truth), ``RunResult`` and ``sample_steps``;
* :mod:`amslib.synthetic.fast_adam`: ``run`` and ``sweep``, the same numbers (to ~1e-12)
  about a hundred times faster, and how that works;
* :mod:`amslib.synthetic.simulators`: the block simulators behind them (Adam, AdaBound, AdamNC);
* :mod:`amslib.synthetic.scan`: the scan engine (moments and the clipped walk for whole
  blocks of steps).

The modules were ``amslib.online``, ``amslib.plain_loop``, ``amslib.fast_adam`` and
``amslib.scan``; those names still import the same modules.

Usage::

    from amslib.optimizers import Adam
    from amslib.schedules import inv_sqrt
    from amslib.synthetic import online_problem, stochastic_problem, run, sweep

    prob = online_problem(C=1010.0, period=101, c=-10.0)
    res = run(prob, Adam(lr=inv_sqrt(0.5), betas=(0.9, 0.99), amsgrad=True), steps=10**7)
    res.x_final, res.average_regret              # the numbers
    res.t, res.x, res.average_regret_curve       # <= ~10^4 points, for plots

    X = sweep(prob, beta1=B1, beta2=B2, lr=inv_sqrt(0.5), steps=10**5)  # final iterates
"""
from __future__ import annotations

from .fast_adam import CHUNK, MAX_SETTINGS, MAX_STEPS, MAX_SWEEP_WORK, run, sweep
from .online import (
                     OnlineProblem,
                     StochasticProblem,
                     online_problem,
                     stochastic_problem,
                     theorem1_beta2,
                     theorem1_problem,
)
from .plain_loop import MAX_LOOP_STEPS, MAX_POINTS, RunResult, reference_run, sample_steps

__all__ = [
    "OnlineProblem", "StochasticProblem", "RunResult",
    "online_problem", "stochastic_problem", "theorem1_problem", "theorem1_beta2",
    "run", "reference_run", "sweep", "sample_steps",
    "CHUNK", "MAX_POINTS", "MAX_STEPS", "MAX_LOOP_STEPS", "MAX_SWEEP_WORK", "MAX_SETTINGS",
]
