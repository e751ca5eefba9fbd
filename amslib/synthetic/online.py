"""The synthetic problems of Reddi, Kale and Kumar (ICLR 2018): linear losses on [-1, 1].

The problems are linear losses f_t(x) = g_t x on the feasible set F = [-1, 1]; after
every optimizer step the iterate is projected back onto F (clipped)::

    Theorem 1            g_t = C if t mod 3 == 1 else -1                 (C > 2)
    Section 5, online    g_t = 1010 if t mod 101 == 1 else -10
    Section 5, stochastic g_t = 1010 with probability 0.01, else -10

The regret after T steps is

    R_T = sum_t f_t(x_t) - min_{x in F} sum_t f_t(x) = sum_t g_t x_t + |sum_t g_t|,

where x_t is the iterate used at step t (before its update) and x_1 = x0.

Each problem hands out its gradients through a *stream* (``prob.stream(seed).take(n)``),
so that the simulators (:mod:`amslib.plain_loop`, :mod:`amslib.fast_adam`) can walk
through 10^9 steps without holding them all.

Limits: |C| and |c| lie in [1e-150, 1e150] (or c = 0), so that every g_t^2, and with
it Adam's v_t, is a normal float64 (beyond, the squares overflow to inf or underflow to 0
and the numbers would be wrong without notice).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..validation import G_MAX, G_MIN, check_count, check_gradient_value, check_real, check_seed, check_x0, invalid

__all__ = ["OnlineProblem", "StochasticProblem", "online_problem", "stochastic_problem",
           "theorem1_problem", "theorem1_beta2", "check_problem", "check_x0", "G_MAX", "G_MIN"]

#: The longest period of the online problem (one period is kept in memory, 8 MB).
MAX_PERIOD = 10 ** 6
#: The most gradients handed out as one array by ``gradients(T)`` (8 bytes each: 800 MB).
MAX_GRADIENTS = 10 ** 8


# --------------------------------------------------------------------------- checks
def _check_C(C, period=None, c=None) -> float:
    theorem1 = period == 3 and c == -1.0
    C = check_real(C, "C", "a finite number > 2 (Theorem 1's problem)" if theorem1 else
                   f"a finite number in [{G_MIN:g}, {G_MAX:g}]")
    if theorem1 and C <= 2.0:
        raise invalid("C", detail=f"{C} (Theorem 1's problem needs C > 2)")
    if C <= 0.0:
        raise invalid("C", C, f"> 0, in [{G_MIN:g}, {G_MAX:g}]")
    return check_gradient_value(C, "C", allow_zero=False)


def _check_n(n) -> int:
    """How many gradients one take(n) hands out."""
    if type(n) is int and 0 <= n <= MAX_GRADIENTS:
        return n
    return check_count(n, "n", 0, MAX_GRADIENTS, "take them in pieces")


def _check_T(T) -> int:
    return check_count(T, "T", 0, MAX_GRADIENTS,
                       "that many gradients take 8 bytes each; use prob.stream(seed).take(n) in pieces")


# --------------------------------------------------------------------------- problems
class _FixedPointRegret:
    """What both problems say of a fixed point x in F = [-1, 1], from the gradients' sum S
    over a stretch of n steps (``_gradient_sum``: one period, or the expected gradient and
    n = 1): its average regret (S x + |S|) / n, the best point x* = -sign(S) (regret 0,
    +1 when S = 0) and the worst point -x*, whose average regret is 2 |S| / n."""

    def _gradient_sum(self) -> tuple[float, float]:
        raise NotImplementedError

    @property
    def mean_gradient(self) -> float:
        """The gradients' average, S / n (the expected gradient for the stochastic problem)."""
        S, n = self._gradient_sum()
        return S / n

    @property
    def optimal_point(self) -> float:
        """The best fixed point in hindsight: -sign(S)."""
        return -1.0 if self._gradient_sum()[0] > 0 else 1.0

    @property
    def worst_point(self) -> float:
        return -self.optimal_point

    def average_regret_of(self, x: float) -> float:
        """Average regret of the fixed point x: (S x + |S|) / n."""
        x = check_x0(x, "x")
        S, n = self._gradient_sum()
        return (S * x + abs(S)) / n

    @property
    def worst_average_regret(self) -> float:
        """Average regret of the worst fixed point: 2 |S| / n."""
        return self.average_regret_of(self.worst_point)


@dataclass(frozen=True)
class OnlineProblem(_FixedPointRegret):
    """g_t = C when t mod period == 1, else c (t = 1, 2, ...): C comes first.

    Over one period the gradients add up to S = C + (period - 1) c. For S > 0 the best
    fixed point is x* = -1, and a fixed point x has average regret, over whole periods,

        (S x + |S|) / period,

    so the worst point x = +1 has 2 S / period (20/101 for the Section 5 problem).
    """
    C: float = 1010.0
    period: int = 101
    c: float = -10.0

    def __post_init__(self):
        period = check_count(self.period, "period", 2, MAX_PERIOD,
                             "one period of gradients is kept in memory")
        c = check_gradient_value(self.c, "c", allow_zero=True)
        object.__setattr__(self, "C", _check_C(self.C, period, c))
        object.__setattr__(self, "period", period)
        object.__setattr__(self, "c", c)

    @property
    def name(self) -> str:
        return f"online(C={self.C:g}, period={self.period}, c={self.c:g})"

    @property
    def description(self) -> str:
        return (f"Online problem: f_t(x) = g_t x on [-1, 1], g_t = {self.C:g} if t mod "
                f"{self.period} == 1 else {self.c:g}")

    @property
    def period_sum(self) -> float:
        """S = C + (period - 1) c, the sum of the gradients over one period."""
        return self.C + (self.period - 1) * self.c

    def _gradient_sum(self) -> tuple[float, float]:
        """S over one period: the regrets are over whole periods (exact for T = k period)."""
        return self.period_sum, self.period

    def gradients(self, T: int, seed=None) -> np.ndarray:
        """g_1, ..., g_T as a float64 array (``seed`` is ignored: nothing is random)."""
        return self.stream(seed).take(_check_T(T)).copy()

    def stream(self, seed=None) -> _PeriodicStream:
        """An object whose ``take(n)`` returns the next n gradients."""
        return _PeriodicStream(self)


@dataclass(frozen=True)
class StochasticProblem(_FixedPointRegret):
    """g_t = C with probability p, else c, independently for each t.

    How the sequence is drawn (so that :func:`run`, :func:`sweep` and
    :func:`reference_run` see the same one for the same seed): with
    ``rng = numpy.random.default_rng(seed)`` and U_1, U_2, ... successive
    ``rng.random()`` values, the steps where g_t = C are t_1 < t_2 < ... with gaps

        t_k - t_{k-1} = 1 + floor(log(1 - U_k) / log(1 - p))     (t_0 = 0),

    a geometric law: P(gap > j) = (1 - p)^j, exactly what independent coin flips with
    probability p give, but with one random number per C-step instead of one per step.

    The expected gradient is mu = p C + (1 - p) c; a fixed point x has average regret
    tending to mu x + |mu| (0.4 for the worst point of the Section 5 problem).
    """
    C: float = 1010.0
    p: float = 0.01
    c: float = -10.0

    def __post_init__(self):
        p = check_real(self.p, "p", "a probability in (0, 1)")
        if not 0.0 < p < 1.0:
            raise invalid("p", p, "a probability in (0, 1)")
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "c", check_gradient_value(self.c, "c", allow_zero=True))
        object.__setattr__(self, "C", _check_C(self.C))

    @property
    def name(self) -> str:
        return f"stochastic(C={self.C:g}, p={self.p:g}, c={self.c:g})"

    @property
    def description(self) -> str:
        return (f"Stochastic problem: f_t(x) = g_t x on [-1, 1], g_t = {self.C:g} with "
                f"probability {self.p:g}, else {self.c:g}")

    def _gradient_sum(self) -> tuple[float, float]:
        """mu = p C + (1 - p) c, the expected gradient, over one step: the regrets are the
        limits as T -> infinity (the optimal point minimises the expected loss), e.g.
        mu x + |mu| for the fixed point x."""
        return self.p * self.C + (1.0 - self.p) * self.c, 1

    def gradients(self, T: int, seed=0) -> np.ndarray:
        """g_1, ..., g_T as a float64 array, drawn as the class docstring says."""
        return self.stream(seed).take(_check_T(T))

    def stream(self, seed=0) -> _StochasticStream:
        """An object whose ``take(n)`` returns the next n gradients (same seed, same sequence,
        however the steps are split into takes)."""
        return _StochasticStream(self, check_seed(seed))


class _PeriodicStream:
    def __init__(self, prob: OnlineProblem):
        self.prob, self.t = prob, 0  # t: steps handed out so far
        self._pattern = np.full(prob.period, prob.c)
        self._pattern[0] = prob.C  # index (t - 1) mod period
        self._tiled = self._pattern  # the pattern repeated; grown on demand

    def take(self, n: int) -> np.ndarray:
        """The next n gradients, as a read-only view into a repeated copy of one period
        (no work per step: the simulator only reads them)."""
        n = _check_n(n)
        period = self.prob.period
        if len(self._tiled) < n + period:
            self._tiled = np.tile(self._pattern, -(-(n + period) // period))
            self._tiled.setflags(write=False)
        start = self.t % period
        self.t += n
        return self._tiled[start:start + n]


class _StochasticStream:
    def __init__(self, prob: StochasticProblem, seed):
        self.prob, self.t = prob, 0
        self._rng = np.random.default_rng(seed)
        self._log_q = math.log1p(-prob.p)
        self._events = np.empty(0, dtype=np.int64)  # drawn C-steps not yet handed out
        self._last = 0  # the last C-step drawn so far

    def _draw(self, k: int) -> None:
        u = self._rng.random(k)
        gaps = 1.0 + np.floor(np.log1p(-u) / self._log_q)
        # A gap past 2^40 (~10^12 steps, beyond any run allowed) means "not in this run";
        # capping it keeps the sums of k gaps far from int64's limit (with a tiny p the raw
        # gaps reach 1e300) and makes the loop in take() end.
        gaps = np.minimum(gaps, 2.0 ** 40).astype(np.int64)
        times = self._last + np.cumsum(gaps)
        self._last = int(times[-1])
        self._events = np.concatenate([self._events, times])

    def take(self, n: int) -> np.ndarray:
        n = _check_n(n)
        stop = self.t + n
        while self._last <= stop:  # draw until an event lies beyond this block
            self._draw(max(16, int(1.1 * n * self.prob.p) + 16))
        k = np.searchsorted(self._events, stop, side="right")
        g = np.full(n, self.prob.c)
        g[self._events[:k] - self.t - 1] = self.prob.C
        self._events = self._events[k:]
        self.t = stop
        return g


def online_problem(C: float = 1010.0, period: int = 101, c: float = -10.0) -> OnlineProblem:
    """The online problem: g_t = C when t mod period == 1, else c.

    ``online_problem()`` is Section 5's (1010, 101, -10); ``online_problem(C, 3, -1.0)``
    is Theorem 1's (which needs C > 2).
    """
    return OnlineProblem(C, period, c)


def stochastic_problem(C: float = 1010.0, p: float = 0.01, c: float = -10.0) -> StochasticProblem:
    """The stochastic problem: g_t = C with probability p, else c (Section 5 defaults)."""
    return StochasticProblem(C, p, c)


def theorem1_problem(C: float = 3.0) -> OnlineProblem:
    """Theorem 1's problem: g_t = C when t mod 3 == 1, else -1 (C > 2)."""
    return OnlineProblem(C, 3, -1.0)


def theorem1_beta2(C: float) -> float:
    """Theorem 1's beta_2 = 1 / (1 + C^2) (used there with beta_1 = 0 and alpha / sqrt(t))."""
    C = _check_C(C, 3, -1.0)
    return 1.0 / (1.0 + C * C)


def check_problem(prob):
    if not isinstance(prob, (OnlineProblem, StochasticProblem)):
        raise invalid("prob", detail=f"a {type(prob).__name__} (must be an OnlineProblem or StochasticProblem, "
                      "from online_problem() or stochastic_problem())", error=TypeError)


