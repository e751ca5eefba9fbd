"""Small 2-D test problems for trajectory plots.

Each problem is a smooth function f of a point p = (x, y) with

- ``problem(x, y)``: the value f(x, y), element-wise over arrays of any (matching)
  shape, so it can be passed straight to :func:`amslib.plotting.contour`;
- ``problem.value(p)``: f at points stored in the last axis of ``p``
  (shape ``(2,)`` or ``(n, 2)``, e.g. a whole path from :func:`optimize`);
- ``problem.grad(p)``: the gradient, a float64 array of shape ``(2,)``;
- ``problem.minimiser`` and ``problem.f_min``: where the minimum is and its value;
- ``problem.xlim``, ``problem.ylim``, ``problem.x0``: a plot window and a start point
  that show the problem's character.

:func:`optimize` runs any optimizer of :mod:`amslib.optimizers` (anything with
``init(x)`` and ``step(x, grad, state)``) on a problem and returns the whole path::

    from amslib.optimizers import Adam
    from amslib.problems import Quadratic, optimize

    problem = Quadratic(a=1.0, b=20.0)
    path = optimize(Adam(lr=0.1), problem, problem.x0, steps=100)  # shape (101, 2)
    loss = problem.value(path)                                      # shape (101,)
"""
from __future__ import annotations

import math

import numpy as np

from .validation import as_real_array, check_count, check_optimizer, describe, invalid, real_number

__all__ = ["Problem", "Quadratic", "RotatedQuadratic", "Rosenbrock", "optimize", "MAX_STEPS"]


#: The most steps :func:`optimize` takes (it keeps the whole path: 16 bytes a step, and
#: ~10-30 us a step for the optimizers of amslib.optimizers: 10^6 steps take ~30 s).
MAX_STEPS = 10 ** 6


def _points(p) -> tuple[np.ndarray, np.ndarray]:
    p = as_real_array(p, "point(s)")
    if p.ndim == 0 or p.shape[-1] != 2:
        raise invalid("point(s)", detail=f"shape {p.shape}; the last axis must hold (x, y)")
    return p[..., 0], p[..., 1]


def _xy(x, y) -> tuple[np.ndarray, np.ndarray]:
    """The coordinates passed to ``problem(x, y)``: finite real arrays (or numbers) whose
    shapes broadcast."""
    x, y = as_real_array(x, "x"), as_real_array(y, "y")
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise invalid("x, y", detail=f"shapes {x.shape} and {y.shape} do not broadcast") from None
    return x, y


def _finite_result(out, what: str, p):
    """f or its gradient, checked: from finite points it can still overflow float64."""
    if not np.all(np.isfinite(out)):
        raise FloatingPointError(f"{what} overflowed float64 at the point(s) {describe(p)} "
                                 "(|x|, |y| too large for this problem)")
    return out


def _positive(value, name: str) -> float:
    value = real_number(value, name, "a finite number > 0")
    if not math.isfinite(value) or value <= 0.0:
        raise invalid(name, value, "a finite number > 0")
    return value


class Problem:
    """Base class: subclasses define ``__call__(x, y)`` and ``_grad(x, y)``."""

    name = "problem"
    minimiser: np.ndarray
    f_min: float = 0.0
    xlim: tuple[float, float] = (-2.0, 2.0)
    ylim: tuple[float, float] = (-2.0, 2.0)
    x0: np.ndarray

    def __call__(self, x, y):
        raise NotImplementedError

    def _grad(self, x, y):
        raise NotImplementedError

    def value(self, p) -> np.ndarray | float:
        """f at the point(s) p: shape (2,) gives a float, shape (n, 2) an array (n,)."""
        x, y = _points(p)
        with np.errstate(over="ignore", invalid="ignore"):  # said by _finite_result
            out = _finite_result(self(x, y), "f", p)
        return float(out) if np.ndim(out) == 0 else out

    def grad(self, p) -> np.ndarray:
        """The gradient of f at p, with the same shape as p (float64)."""
        x, y = _points(p)
        with np.errstate(over="ignore", invalid="ignore"):  # said by _finite_result
            gx, gy = self._grad(x, y)
            g = np.stack([np.asarray(gx, dtype=np.float64), np.asarray(gy, dtype=np.float64)], axis=-1)
        return _finite_result(g, "the gradient", p)

    def gap(self, p) -> np.ndarray | float:
        """The optimality gap f(p) - f_min (>= 0), the natural y-axis of a log-scale loss plot."""
        return self.value(p) - self.f_min

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({fields})"

    def _params(self) -> dict:
        return {}


class Quadratic(Problem):
    """The axis-aligned quadratic  f(x, y) = (a x^2 + b y^2) / 2,  a, b > 0.

    Gradient (a x, b y); Hessian diag(a, b); minimiser (0, 0), f_min = 0. Its condition
    number is kappa = max(a, b) / min(a, b). Gradient descent with step alpha multiplies
    each coordinate by (1 - alpha a) and (1 - alpha b): it converges if and only if
    alpha < 2 / max(a, b), and then the flat direction shrinks only by
    |1 - alpha min(a, b)| per step. Methods with a step size per coordinate (AdaGrad,
    RMSProp, Adam) rescale the two axes separately, which is exactly what this problem
    rewards.
    """

    name = "quadratic"

    def __init__(self, a: float = 1.0, b: float = 20.0):
        self.a = _positive(a, "curvature a")
        self.b = _positive(b, "curvature b")
        self.minimiser = np.zeros(2)
        self.f_min = 0.0
        self.xlim = (-5.0, 5.0)
        self.ylim = (-2.0, 2.0)
        self.x0 = np.array([-4.5, 1.5])

    @property
    def condition_number(self) -> float:
        return max(self.a, self.b) / min(self.a, self.b)

    @property
    def max_stable_lr(self) -> float:
        """Gradient descent converges for 0 < alpha < 2 / max(a, b)."""
        return 2.0 / max(self.a, self.b)

    def __call__(self, x, y):
        x, y = _xy(x, y)
        return 0.5 * (self.a * x * x + self.b * y * y)

    def _grad(self, x, y):
        return self.a * x, self.b * y

    def _params(self) -> dict:
        return {"a": self.a, "b": self.b}


class RotatedQuadratic(Problem):
    """The quadratic of :class:`Quadratic`, turned by ``angle`` radians about the origin.

        f(p) = p^T H p / 2,   H = R diag(a, b) R^T,   R = [[cos, -sin], [sin, cos]]

    Gradient H p; minimiser (0, 0), f_min = 0. Its valleys are no longer along the axes,
    so a per-coordinate step size cannot undo the ill-conditioning as well as it does on
    the axis-aligned quadratic (at 45 degrees, not at all).
    """

    name = "rotated quadratic"

    def __init__(self, a: float = 1.0, b: float = 20.0, angle: float = math.pi / 4):
        self.a = _positive(a, "curvature a")
        self.b = _positive(b, "curvature b")
        self.angle = real_number(angle, "angle", "a finite number (radians)")
        if not math.isfinite(self.angle):
            raise invalid("angle", self.angle, "a finite number, in radians")
        c, s = math.cos(self.angle), math.sin(self.angle)
        R = np.array([[c, -s], [s, c]])
        self.hessian = R @ np.diag([self.a, self.b]) @ R.T
        self.minimiser = np.zeros(2)
        self.f_min = 0.0
        self.xlim = (-4.0, 4.0)
        self.ylim = (-4.0, 4.0)
        self.x0 = R @ np.array([-3.5, 0.5])

    @property
    def condition_number(self) -> float:
        return max(self.a, self.b) / min(self.a, self.b)

    def __call__(self, x, y):
        x, y = _xy(x, y)
        (h11, h12), (_, h22) = self.hessian
        return 0.5 * (h11 * x * x + 2.0 * h12 * x * y + h22 * y * y)

    def _grad(self, x, y):
        (h11, h12), (_, h22) = self.hessian
        return h11 * x + h12 * y, h12 * x + h22 * y

    def _params(self) -> dict:
        return {"a": self.a, "b": self.b, "angle": self.angle}


class Rosenbrock(Problem):
    """Rosenbrock's banana  f(x, y) = (a - x)^2 + b (y - x^2)^2.

    Gradient (-2 (a - x) - 4 b x (y - x^2),  2 b (y - x^2)); minimiser (a, a^2),
    f_min = 0. The minimum sits at the end of a long, curved, flat-bottomed valley:
    easy to reach, slow to follow (Rosenbrock, The Computer Journal 3(3), 1960).
    """

    name = "Rosenbrock"

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a = real_number(a, "a", "a finite number")
        if not abs(self.a) <= 1e150:  # the minimiser (a, a^2) must be finite; NaN fails too
            raise invalid("a", self.a, "a finite number with |a| <= 1e150")
        self.b = _positive(b, "valley steepness b")
        self.minimiser = np.array([self.a, self.a ** 2])
        self.f_min = 0.0
        self.xlim = (-2.0, 2.0)
        self.ylim = (-1.0, 3.0)
        self.x0 = np.array([-1.5, 2.0])

    def __call__(self, x, y):
        x, y = _xy(x, y)
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def _grad(self, x, y):
        r = y - x * x
        return -2.0 * (self.a - x) - 4.0 * self.b * x * r, 2.0 * self.b * r

    def _params(self) -> dict:
        return {"a": self.a, "b": self.b}


def optimize(opt, problem: Problem, x0, steps: int) -> np.ndarray:
    """Run ``opt`` for ``steps`` steps on ``problem`` from ``x0``; return the path.

    The path is a float64 array of shape ``(steps + 1, 2)``: row 0 is the start point
    ``x0`` and row k is the point after k steps. In the paper's numbering, where steps
    start at t = 1 and the start point is x_1, row k holds x_{k+1} and step t computes
    x_{t+1} from x_t and g_t = grad f(x_t). ``opt`` is any
    object with ``init(x) -> state`` and ``step(x, grad, state) -> (x_new, state)``,
    such as the optimizers of :mod:`amslib.optimizers`.

    A run that diverges (the point overflows to inf or NaN) raises ``FloatingPointError``
    naming the step; use fewer steps to plot a divergent run. At most
    :data:`MAX_STEPS` steps.
    """
    check_optimizer(opt)
    if not isinstance(problem, Problem):
        raise invalid("problem", problem, "a Problem, such as Quadratic()", error=TypeError)
    steps = check_count(steps, "number of steps", 0, MAX_STEPS,
                        "the whole path is kept, and the loop takes ~10-30 us a step")
    x = as_real_array(x0, "start point")
    if x.shape != (2,):
        raise invalid("start point", detail=f"shape {x.shape} (expected (2,))")
    path = np.empty((steps + 1, 2))
    path[0] = x
    state = opt.init(x)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            try:
                g = problem.grad(x)
            except FloatingPointError:
                g = np.full(2, np.inf)
            if not np.all(np.isfinite(g)):
                raise FloatingPointError(
                    f"the run diverged: the gradient at step t={t} is not finite "
                    f"(x = {x}); lower the step size or run fewer steps")
            x, state = opt.step(x, g, state)
            x = np.asarray(x, dtype=np.float64)
            if not np.all(np.isfinite(x)):
                raise FloatingPointError(
                    f"the run diverged: x_{t} is not finite; lower the step size or run fewer steps")
            path[t] = x
    return path
