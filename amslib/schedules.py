"""Step-size schedules alpha_t.

A schedule is a callable ``alpha(t)`` of the step number ``t = 1, 2, ...``. Every
schedule here also accepts a NumPy array of step numbers and returns an array, so that
the fast simulator in :mod:`amslib.synthetic` can evaluate a whole run at once.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["constant", "inv_sqrt"]


def _check_alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not math.isfinite(alpha) or alpha < 0.0:
        raise ValueError(f"Invalid step size alpha: {alpha} (must be a finite number >= 0)")
    return alpha


class constant:
    """alpha_t = alpha for every t."""

    def __init__(self, alpha: float):
        self.alpha = _check_alpha(alpha)

    def __call__(self, t):
        if np.ndim(t) == 0:
            return self.alpha
        return np.full(np.shape(t), self.alpha)

    def __repr__(self) -> str:
        return f"constant({self.alpha!r})"


class inv_sqrt:
    """alpha_t = alpha / sqrt(t), the schedule of Reddi et al. (2018), Theorems 1-4.

    ``inv_sqrt(0.5)(4) == 0.25``. t starts at 1.
    """

    def __init__(self, alpha: float):
        self.alpha = _check_alpha(alpha)

    def __call__(self, t):
        if np.ndim(t) == 0:
            if t < 1:
                raise ValueError(f"Invalid step number t: {t} (steps start at t = 1)")
            return self.alpha / math.sqrt(t)
        t = np.asarray(t, dtype=np.float64)
        if t.size and t.min() < 1:
            raise ValueError(f"Invalid step number t: {t.min()} (steps start at t = 1)")
        return self.alpha / np.sqrt(t)

    def __repr__(self) -> str:
        return f"inv_sqrt({self.alpha!r})"


def as_schedule(lr):
    """Turn ``lr`` (a float or a callable of t) into a schedule callable."""
    if callable(lr):
        return lr
    return constant(lr)
