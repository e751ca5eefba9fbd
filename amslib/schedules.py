"""Step-size schedules alpha_t.

A schedule is a callable ``alpha(t)`` of the step number ``t = 1, 2, ...``. Every
schedule here also accepts a NumPy array of step numbers and returns an array, so that
the fast simulator in :mod:`amslib.synthetic` can evaluate a whole run at once. Any
other callable works too: one written for a single t (``lambda t: 0.5 / math.sqrt(t)``,
a step decay ``lambda t: 0.1 if t < 1000 else 0.01``) is called once per step, which
costs about 0.2-0.5 us a step in the simulator (``benchmarks/bench_synthetic.py`` prints
it; at most :data:`amslib.fast_adam.MAX_PER_STEP_SCHEDULE_STEPS` steps).

The classes are :class:`Constant` and :class:`InvSqrt` (both :class:`Schedule`); the
notebooks make them with the factories :func:`constant` and :func:`inv_sqrt`, the names
the paper's notation reads as (``inv_sqrt(0.5)`` is alpha / sqrt(t) with alpha = 0.5), and
that is how they print.
"""
from __future__ import annotations

import math

import numpy as np

from .validation import as_real_array, check_step, invalid, real_number

__all__ = ["Schedule", "Constant", "InvSqrt", "constant", "inv_sqrt"]


def _check_t(t):
    """t as the schedules take it: a step number (an int >= 1, or an integral float) or an
    array of them (real, finite, >= 1; not checked for integrality: the fast simulator
    passes float arrays of whole numbers)."""
    if np.ndim(t) == 0 and not isinstance(t, (list, tuple)):
        return t if type(t) is int and t >= 1 else check_step(t)
    a = t if type(t) is np.ndarray and t.dtype == np.float64 else as_real_array(t, "step numbers t")
    if a.size and not (a.min() >= 1.0 and a.max() < math.inf):  # NaN fails too
        bad = a.flat[int(np.argmin((a >= 1.0) & (a < math.inf)))]
        raise invalid("step number t", float(bad), "an integer >= 1; steps start at t = 1")
    return a


class Schedule:
    """alpha_t from a step size alpha (a finite number >= 0), fixed at construction (an
    optimizer holding the schedule must not change behind the simulator's back); make a new
    schedule instead. Subclasses define ``rate(t)`` for a checked t (an int or a float array)
    and ``factory``, the name they print as."""

    factory = "schedule"

    def __init__(self, alpha: float):
        value = real_number(alpha, "step size alpha", "a finite number >= 0")
        if not math.isfinite(value) or value < 0.0:
            raise invalid("step size alpha", value, "a finite number >= 0")
        object.__setattr__(self, "alpha", value)

    def __call__(self, t):
        return self.rate(_check_t(t))

    def rate(self, t):
        raise NotImplementedError

    def __setattr__(self, name, value):
        raise AttributeError(f"a {self.factory} schedule cannot be changed; make a new one, "
                             f"e.g. {self.factory}({value!r})")

    def __eq__(self, other):
        return type(other) is type(self) and other.alpha == self.alpha

    def __hash__(self):
        return hash((type(self).__name__, self.alpha))

    def __repr__(self) -> str:
        return f"{self.factory}({self.alpha!r})"


class Constant(Schedule):
    """alpha_t = alpha for every t."""

    factory = "constant"

    def rate(self, t):
        return self.alpha if np.ndim(t) == 0 else np.full(np.shape(t), self.alpha)


class InvSqrt(Schedule):
    """alpha_t = alpha / sqrt(t), the schedule of Reddi et al. (2018), Theorems 1-4.

    ``inv_sqrt(0.5)(4) == 0.25``. t starts at 1.
    """

    factory = "inv_sqrt"

    def rate(self, t):
        return self.alpha / math.sqrt(t) if np.ndim(t) == 0 else self.alpha / np.sqrt(t)


def constant(alpha: float) -> Constant:
    """The schedule alpha_t = alpha (a finite number >= 0)."""
    return Constant(alpha)


def inv_sqrt(alpha: float) -> InvSqrt:
    """The schedule alpha_t = alpha / sqrt(t) (alpha a finite number >= 0)."""
    return InvSqrt(alpha)


def as_schedule(lr):
    """``lr`` as a schedule callable; ``lr`` comes checked (``validation.check_lr``: a float
    >= 0 or a callable of t), so a float becomes a Constant without a second check."""
    if callable(lr):
        return lr
    schedule = object.__new__(Constant)
    object.__setattr__(schedule, "alpha", float(lr))
    return schedule
