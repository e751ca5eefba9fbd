"""Step-size schedules alpha_t.

A schedule is a callable ``alpha(t)`` of the step number ``t = 1, 2, ...``. Every
schedule here also accepts a NumPy array of step numbers and returns an array, so that
the fast simulator in :mod:`amslib.synthetic` can evaluate a whole run at once. Any
other callable works too: one written for a single t (``lambda t: 0.5 / math.sqrt(t)``,
a step decay ``lambda t: 0.1 if t < 1000 else 0.01``) is called once per step, which
costs about 0.2-0.5 us a step in the simulator (``benchmarks/bench_synthetic.py`` prints
it; at most :data:`amslib.fast_adam.MAX_PER_STEP_SCHEDULE_STEPS` steps).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["constant", "inv_sqrt"]


def _check_alpha(alpha: float) -> float:
    from .validation import real_number

    value = real_number(alpha, "step size alpha", "a finite number >= 0")
    if not math.isfinite(value) or value < 0.0:
        raise ValueError(f"Invalid step size alpha: {value} (must be a finite number >= 0)")
    return value


def _check_t(t):
    """t as the schedules take it: a step number (an int >= 1, or an integral float) or an
    array of them (real, finite, >= 1; not checked for integrality: the fast simulator
    passes float arrays of whole numbers)."""
    from .validation import as_real_array, check_step

    if np.ndim(t) == 0 and not isinstance(t, (list, tuple)):
        return t if type(t) is int and t >= 1 else check_step(t)
    a = t if type(t) is np.ndarray and t.dtype == np.float64 else as_real_array(t, "step numbers t")
    if a.size and not (a.min() >= 1.0 and a.max() < math.inf):  # NaN fails too
        bad = a.flat[int(np.argmin((a >= 1.0) & (a < math.inf)))]
        raise ValueError(f"Invalid step number t: {bad} (must be an integer >= 1; steps "
                         "start at t = 1)")
    return a


class _Schedule:
    """A schedule's alpha is fixed at construction (an optimizer holding it must not
    change behind the simulator's back); make a new schedule instead."""

    def __init__(self, alpha: float):
        object.__setattr__(self, "alpha", _check_alpha(alpha))

    def __setattr__(self, name, value):
        raise AttributeError(f"a {type(self).__name__} schedule cannot be changed; make a new one, "
                             f"e.g. {type(self).__name__}({value!r})")

    def __eq__(self, other):
        return type(other) is type(self) and other.alpha == self.alpha

    def __hash__(self):
        return hash((type(self).__name__, self.alpha))


class constant(_Schedule):
    """alpha_t = alpha for every t."""

    def __call__(self, t):
        t = _check_t(t)
        if np.ndim(t) == 0:
            return self.alpha
        return np.full(np.shape(t), self.alpha)

    def __repr__(self) -> str:
        return f"constant({self.alpha!r})"


class inv_sqrt(_Schedule):
    """alpha_t = alpha / sqrt(t), the schedule of Reddi et al. (2018), Theorems 1-4.

    ``inv_sqrt(0.5)(4) == 0.25``. t starts at 1.
    """

    def __call__(self, t):
        t = _check_t(t)
        if np.ndim(t) == 0:
            return self.alpha / math.sqrt(t)
        return self.alpha / np.sqrt(t)

    def __repr__(self) -> str:
        return f"inv_sqrt({self.alpha!r})"


def as_schedule(lr):
    """Turn ``lr`` (a float or a callable of t) into a schedule callable."""
    if callable(lr):
        return lr
    return constant(lr)
