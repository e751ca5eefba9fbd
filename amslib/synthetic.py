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

How the fast simulator works
----------------------------
The gradients g_t do not depend on x. So the moments m_t, v_t and max v_t, and with
them every step d_t = alpha_t m_hat_t / (sqrt(v_hat_t) + eps), can be computed for a
whole block of steps at once with array operations ("prefix scans"), and only the
projected walk x_{t+1} = clip(x_t - d_t, -1, 1) is left, which has a closed form too
(see :func:`_clipped_walk`). The work is done in chunks of 2^17 steps carrying the
state (m, v, max v, x, the running sums) across chunks, so memory stays a few tens of MB
however many steps are run.
"""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .adamnc import AdamNC
from .beyond import AdaBound
from .optimizers import Adam, check_betas, check_eps, check_lr
from .schedules import as_schedule

__all__ = [
    "OnlineProblem", "StochasticProblem", "RunResult",
    "online_problem", "stochastic_problem", "theorem1_problem", "theorem1_beta2",
    "run", "reference_run", "sweep", "sample_steps",
]

#: Steps processed at once by :func:`run` (2^17 float64 = 1 MiB per array: the
#: working arrays stay in cache; much larger chunks measured slower).
CHUNK = 2 ** 17
#: At most about this many points are kept for plots (plus the first and last step).
MAX_POINTS = 10_000


# --------------------------------------------------------------------------- checks
def _finite(value, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid {name}: {value!r} (must be a finite number)") from None
    if not math.isfinite(value):
        raise ValueError(f"Invalid {name}: {value} (must be a finite number)")
    return value


def _check_C(C, period=None, c=None) -> float:
    C = _finite(C, "C")
    if period == 3 and c == -1.0 and C <= 2.0:
        raise ValueError(f"Invalid C: {C} (Theorem 1's problem needs C > 2)")
    if C <= 0.0:
        raise ValueError(f"Invalid C: {C} (must be > 0)")
    return C


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"Invalid {name}: {value!r} (must be an integer >= {minimum})")
    try:
        value = operator.index(value)
    except TypeError:
        raise ValueError(f"Invalid {name}: {value!r} (must be an integer >= {minimum})") from None
    if value < minimum:
        raise ValueError(f"Invalid {name}: {value} (must be an integer >= {minimum})")
    return value


def _check_x0(x0) -> float:
    x0 = _finite(x0, "x0")
    if not -1.0 <= x0 <= 1.0:
        raise ValueError(f"Invalid x0: {x0} (must lie in F = [-1, 1])")
    return x0


# --------------------------------------------------------------------------- problems
@dataclass(frozen=True)
class OnlineProblem:
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
        period = _check_int(self.period, "period", 2)
        c = _finite(self.c, "c")
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

    @property
    def mean_gradient(self) -> float:
        return self.period_sum / self.period

    @property
    def optimal_point(self) -> float:
        """The best fixed point in hindsight (over whole periods): -sign(S)."""
        return -1.0 if self.period_sum > 0 else 1.0

    @property
    def worst_point(self) -> float:
        return -self.optimal_point

    def average_regret_of(self, x: float) -> float:
        """Average regret of the fixed point x, over whole periods (exact for T = k period)."""
        S = self.period_sum
        return (S * x + abs(S)) / self.period

    @property
    def worst_average_regret(self) -> float:
        """Average regret of the worst fixed point (+1 when S > 0): 2 |S| / period."""
        return self.average_regret_of(self.worst_point)

    def gradients(self, T: int, seed=None) -> np.ndarray:
        """g_1, ..., g_T as a float64 array (``seed`` is ignored: nothing is random)."""
        return self.stream(seed).take(_check_int(T, "T", 0)).copy()

    def stream(self, seed=None) -> "_PeriodicStream":
        """An object whose ``take(n)`` returns the next n gradients."""
        return _PeriodicStream(self)


@dataclass(frozen=True)
class StochasticProblem:
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
        p = _finite(self.p, "p")
        if not 0.0 < p < 1.0:
            raise ValueError(f"Invalid p: {p} (must be a probability in (0, 1))")
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "c", _finite(self.c, "c"))
        object.__setattr__(self, "C", _check_C(self.C))

    @property
    def name(self) -> str:
        return f"stochastic(C={self.C:g}, p={self.p:g}, c={self.c:g})"

    @property
    def description(self) -> str:
        return (f"Stochastic problem: f_t(x) = g_t x on [-1, 1], g_t = {self.C:g} with "
                f"probability {self.p:g}, else {self.c:g}")

    @property
    def mean_gradient(self) -> float:
        return self.p * self.C + (1.0 - self.p) * self.c

    @property
    def optimal_point(self) -> float:
        """The minimiser of the expected loss: -sign(mu)."""
        return -1.0 if self.mean_gradient > 0 else 1.0

    @property
    def worst_point(self) -> float:
        return -self.optimal_point

    def average_regret_of(self, x: float) -> float:
        """Limit (T -> infinity) of the average regret of the fixed point x: mu x + |mu|."""
        mu = self.mean_gradient
        return mu * x + abs(mu)

    @property
    def worst_average_regret(self) -> float:
        return self.average_regret_of(self.worst_point)

    def gradients(self, T: int, seed=0) -> np.ndarray:
        """g_1, ..., g_T as a float64 array, drawn as the class docstring says."""
        return self.stream(seed).take(_check_int(T, "T", 0))

    def stream(self, seed=0) -> "_StochasticStream":
        """An object whose ``take(n)`` returns the next n gradients (same seed, same sequence,
        however the steps are split into takes)."""
        return _StochasticStream(self, seed)


class _PeriodicStream:
    def __init__(self, prob: OnlineProblem):
        self.prob, self.t = prob, 0  # t: steps handed out so far
        self._pattern = np.full(prob.period, prob.c)
        self._pattern[0] = prob.C  # index (t - 1) mod period
        self._tiled = self._pattern  # the pattern repeated; grown on demand

    def take(self, n: int) -> np.ndarray:
        """The next n gradients, as a read-only view into a repeated copy of one period
        (no work per step: the simulator only reads them)."""
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
        gaps = np.minimum(gaps, 2.0 ** 62).astype(np.int64)  # a gap past 2^62 is "never"
        times = self._last + np.cumsum(gaps)
        self._last = int(times[-1])
        self._events = np.concatenate([self._events, times])

    def take(self, n: int) -> np.ndarray:
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


def _check_problem(prob):
    if not isinstance(prob, (OnlineProblem, StochasticProblem)):
        raise TypeError(f"prob must be an OnlineProblem or StochasticProblem (from "
                        f"online_problem() or stochastic_problem()), not {type(prob).__name__}")


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

    Works with any optimizer of :mod:`amslib.optimizers` (about 10-20 us a step).
    """
    _check_problem(prob)
    steps = _check_int(steps, "steps", 1)
    x0 = _check_x0(x0)
    g = prob.gradients(steps, seed)
    keep = sample_steps(steps)
    xs = np.empty(len(keep))
    regrets = np.empty(len(keep))
    i = 0
    x = np.array(x0)
    state = opt.init(x)
    loss = G = 0.0
    for t in range(1, steps + 1):
        gt = float(g[t - 1])
        xt = float(x)
        loss += gt * xt
        G += gt
        if t == keep[i]:
            xs[i], regrets[i] = xt, (loss + abs(G)) / t
            i += 1
        x, state = opt.step(x, gt, state)
        x = np.clip(x, -1.0, 1.0)
    regret = loss + abs(G)
    return RunResult(prob.name, repr(opt), steps, x0, seed, float(x), regret, regret / steps,
                     keep, xs, regrets)


# --------------------------------------------------------------------------- scans
@lru_cache(maxsize=256)
def _scan_matrix(b: float, L: int, scale: float = 1.0) -> np.ndarray:
    """The (L + 1) x L matrix [scale * P; w]: P[i, j] = b^(j - i) for j >= i (else 0), an
    upper triangular Toeplitz matrix, and the last row w[j] = b^(j + 1)."""
    k = np.arange(L)
    diff = k[None, :] - k[:, None]
    with np.errstate(under="ignore"):
        P = np.where(diff >= 0, scale * b ** np.maximum(diff, 0).astype(np.float64), 0.0)
        w = b ** np.arange(1, L + 1, dtype=np.float64)
    M = np.vstack([P, w])
    M.setflags(write=False)
    return M


def _scan_buffer(u: np.ndarray, L: int = 16, square: bool = False) -> np.ndarray:
    """A (ceil(n / L), L + 1) work array for :func:`_block_scan`, its first L columns
    holding u (or u^2) in row-major blocks of L, zero-padded at the end."""
    n = len(u)
    K = -(-n // L)
    A = np.empty((K, L + 1))
    if K * L == n:  # the usual case: write straight into the blocks, no extra copy
        if square:
            np.square(u.reshape(K, L), out=A[:, :L])
        else:
            np.copyto(A[:, :L], u.reshape(K, L))
    else:
        A[:, :L] = np.concatenate([u * u if square else u, np.zeros(K * L - n)]).reshape(K, L)
    return A


def _block_scan(A: np.ndarray, b: float, h0: float, scale: float = 1.0) -> np.ndarray:
    """h_j = b h_{j-1} + scale * u_j for 0 < b <= 1, with u in A[:, :L] (row-major
    blocks of L), h_{-1} = h0. Returns h as a (K, L) array (row k = steps kL .. kL + L - 1).

    NumPy cannot vectorise a loop whose steps depend on each other, and np.cumsum or
    ufunc.accumulate run a plain scalar loop (~3 ns an element). Instead, cut the
    sequence into blocks of L = 16. Inside block k,

        h[k, j] = scale * sum_{i <= j} b^(j-i) u[k, i]  +  b^(j+1) h_before[k],

    where h_before[k] is h just before the block. That is one matrix product for all the
    blocks at once, [u | h_before] @ [scale P; w] (BLAS: ~1.3 ns an element), with
    h_before stored in A's last column. The h_before values follow the same recurrence
    one level up, with b^L and the blocks' own end sums as input, on n / L numbers:
    solved by recursion. Each h is a sum of at most L + 1 terms, so rounding stays at a
    few ulps (a running sum, as in np.cumsum, lets it grow with n).
    """
    K, L = A.shape[0], A.shape[1] - 1
    M = _scan_matrix(b, L, scale)
    ends_local = _matmul(A[:, :L], M[:L, -1])  # each block's own part of h at its end
    with np.errstate(under="ignore"):
        bL = b ** L
    if K <= 64:  # few blocks: the block ends by a plain loop
        acc = h0
        for k, e in enumerate(ends_local.tolist()):
            A[k, L] = acc
            acc = bL * acc + e
    else:
        ends = _block_scan(_scan_buffer(ends_local, L), bL, h0).reshape(-1)[:K]
        A[0, L] = h0
        A[1:, L] = ends[:-1]
    return _matmul(A, M)


_ROWS = 1024


def _matmul(A: np.ndarray, M: np.ndarray) -> np.ndarray:
    """A @ M, 1024 rows at a time. Why: on a tall, thin product OpenBLAS starts its
    threads, which costs more than it gains here and measured 2-3x slower on a busy
    2-core machine (Colab, Binder); below ~1000 rows it stays on one thread, and the
    pieces stay in cache."""
    out = np.empty(A.shape[:1] + M.shape[1:])
    for r in range(0, len(A), _ROWS):
        np.matmul(A[r:r + _ROWS], M, out=out[r:r + _ROWS])
    return out


def _cumsum(u: np.ndarray, h0: float, scale: float = 1.0) -> np.ndarray:
    """h0 + scale (u_0 + ... + u_j) for each j, as a new array (see :func:`_block_scan`)."""
    return _block_scan(_scan_buffer(u), 1.0, h0, scale).reshape(-1)[:len(u)]


def _ema(g: np.ndarray, b: float, h0: float, square: bool = False) -> np.ndarray:
    """m_t = b m_{t-1} + (1 - b) g_t (or g_t^2 if ``square``): the moments of Adam."""
    if b == 0.0:
        return g * g if square else g.copy()  # 0 * m + 1 * g, exactly
    return _block_scan(_scan_buffer(g, 16, square), b, h0, 1.0 - b).reshape(-1)[:len(g)]


def _clipped_walk(x: float, d: np.ndarray, out: np.ndarray) -> None:
    """out[j] = x after j+1 steps of x <- clip(x - d_j, -1, 1).

    Free path y_j = x - d_0 - ... - d_j. While only the upper bound 1 can bind, the
    projected walk is (Skorokhod / Lindley)

        x_j = y_j - max(0, max_{k <= j} (y_k - 1))

    (every time the walk would pass 1, it is pushed down by the overshoot, and the
    pushes add up to the running maximum of the overshoot). That is a cumulative sum and
    a running maximum: vectorised. It is exact until the first j where it goes below -1;
    there the true x_j is -1 and the mirror formula (running minimum, lower bound) takes
    over from j + 1, until the walk reaches +1 again, and so on. Windows grow while no
    switch happens and shrink after one, so the wasted work stays in proportion to the
    steps done; a walk that bounces from bound to bound every few steps is done by a
    scalar loop instead.
    """
    n = len(d)
    pos, w = 0, min(n, 2 ** 15)
    upper = x > -1.0  # which bound's formula to use (at -1 exactly: the lower one)
    while pos < n:
        seg = d[pos:pos + w]
        y = _cumsum(seg, x, -1.0)  # x - running sum of d
        res = out[pos:pos + len(seg)]  # write the formula's values in place (the part
        # after a switch, if any, is overwritten below)
        if upper:
            push = np.maximum.accumulate(y)
            push -= 1.0
            np.maximum(push, 0.0, out=push)
            z = np.subtract(y, push, out=res)
            crossed = z.min() < -1.0
        else:
            pull = np.minimum.accumulate(y)
            np.subtract(-1.0, pull, out=pull)
            np.maximum(pull, 0.0, out=pull)
            z = np.add(y, pull, out=res)
            crossed = z.max() > 1.0
        if crossed:  # the first step where the formula leaves [-1, 1]
            j = int(np.argmax(z < -1.0) if upper else np.argmax(z > 1.0))
        else:
            j = len(seg)
        pos += j
        if j == len(seg):  # no switch in this window: grow the next one
            x = float(z[-1])
            w = min(2 * w, n)
            continue
        x = -1.0 if upper else 1.0  # the walk hits the other bound at step pos
        out[pos] = x
        pos += 1
        upper = not upper
        if j < 32:  # bouncing: a short scalar loop is cheaper than array calls
            stop = min(pos + 256, n)
            for k, dk in enumerate(d[pos:stop].tolist(), start=pos):
                x = min(max(x - dk, -1.0), 1.0)
                out[k] = x
            pos = stop
            if x == -1.0:
                upper = False
            elif x == 1.0:
                upper = True
            w = 256
        else:
            w = max(256, 2 * j)


# --------------------------------------------------------------------------- run
def _adam_params(opt):
    """(beta_1, beta_2, eps, amsgrad, bias_correction, schedule), or None if not plain Adam.

    Only optimizers whose update *is* Adam's take the fast path. A subclass that changes
    the step (AdamW's weight decay, say) keeps Adam's attributes but not its update, so it
    must go through the exact loop instead: we compare the step method itself.
    """
    if not (isinstance(opt, Adam) and type(opt).step is Adam.step):
        return None
    b1, b2 = check_betas(opt.betas)
    return (b1, b2, check_eps(opt.eps), bool(opt.amsgrad), bool(opt.bias_correction),
            as_schedule(check_lr(opt.lr)))


def _alphas(schedule, t: np.ndarray) -> np.ndarray:
    """alpha_t for an array of step numbers, checked like Adam.alpha(t)."""
    a = schedule(t)
    if np.shape(a) != t.shape:  # a schedule that only takes one t at a time
        a = np.array([float(schedule(int(k))) for k in t])
    a = np.asarray(a, dtype=np.float64)
    if not (a.min() >= 0.0 and a.max() < math.inf):  # two fast reductions; NaN fails too
        ok = np.isfinite(a) & (a >= 0.0)
        i = int(np.argmin(ok))
        raise ValueError(f"Invalid learning rate at step t={int(t[i])}: {a[i]} "
                         "(must be a finite float >= 0)")
    return a


def _bias_prefix(b: float, t0: int, n: int) -> int:
    """How many steps from t0 on have b^t >= 2^-60 (beyond, 1 - b^t rounds to 1)."""
    if b == 0.0:
        return 0  # 1 - 0^t = 1 for t >= 1
    last = int(60 * math.log(2) / -math.log(b)) + 2
    return max(0, min(n, last - t0 + 1))


class _AdamSim:
    """The moments and steps of Adam for a block of gradients, carrying state."""

    def __init__(self, b1, b2, eps, amsgrad, bias_correction, schedule):
        self.b1, self.b2, self.eps = b1, b2, eps
        self.amsgrad, self.bias_correction, self.schedule = amsgrad, bias_correction, schedule
        self.t = 0  # steps done
        self.m = self.v = self.v_max = 0.0

    def steps(self, g: np.ndarray) -> np.ndarray:
        """d_t for the next len(g) steps: x_{t+1} = clip(x_t - d_t)."""
        n, t0 = len(g), self.t + 1
        b1, b2 = self.b1, self.b2
        m = _ema(g, b1, self.m)
        v = _ema(g, b2, self.v, square=True)
        self.m, self.v = float(m[-1]), float(v[-1])
        if self.amsgrad:
            v[0] = max(v[0], self.v_max)
            v_hat = np.maximum.accumulate(v, out=v)
            self.v_max = float(v_hat[-1])
        else:
            v_hat = v
        t = np.arange(t0, t0 + n, dtype=np.float64)
        alpha = _alphas(self.schedule, t)
        den = np.sqrt(v_hat, out=v_hat)
        if self.bias_correction:
            # Only the first few thousand steps (for beta ~ 0.99) need 1 - beta^t.
            k = _bias_prefix(b2, t0, n)
            if k:
                den[:k] /= np.sqrt(1.0 - b2 ** t[:k])
            k = _bias_prefix(b1, t0, n)
            if k:
                alpha[:k] /= 1.0 - b1 ** t[:k]
        den += self.eps
        if self.eps > 0.0:
            q = np.divide(m, den, out=m)
        else:  # _safe_div: 0 where the denominator is 0
            q = np.divide(m, den, out=np.zeros(n), where=den > 0)
        self.t += n
        return np.multiply(alpha, q, out=alpha)

    # sweep() splits d_t = [m_t / (1 - b1^t)] * [alpha_t / (sqrt(v_hat_t / (1 - b2^t)) + eps)]
    # into a factor that depends on beta_1 only and one that depends on beta_2 only.
    def numerators(self, g: np.ndarray) -> np.ndarray:
        """m_t / (1 - beta_1^t) (or m_t without bias correction) for the next len(g) steps."""
        n, t0 = len(g), self.t + 1
        m = _ema(g, self.b1, self.m)
        self.m = float(m[-1])
        if self.bias_correction:
            k = _bias_prefix(self.b1, t0, n)
            if k:
                m[:k] /= 1.0 - self.b1 ** np.arange(t0, t0 + k, dtype=np.float64)
        self.t += n
        return m

    def inverse_denominators(self, g: np.ndarray) -> np.ndarray:
        """alpha_t / (sqrt(v_hat_t) / sqrt(1 - beta_2^t) + eps), and 0 where the
        denominator is 0 (as _safe_div), for the next len(g) steps."""
        n, t0 = len(g), self.t + 1
        v = _ema(g, self.b2, self.v, square=True)
        self.v = float(v[-1])
        if self.amsgrad:
            v[0] = max(v[0], self.v_max)
            v = np.maximum.accumulate(v, out=v)
            self.v_max = float(v[-1])
        t = np.arange(t0, t0 + n, dtype=np.float64)
        alpha = _alphas(self.schedule, t)
        den = np.sqrt(v, out=v)
        if self.bias_correction:
            k = _bias_prefix(self.b2, t0, n)
            if k:
                den[:k] /= np.sqrt(1.0 - self.b2 ** t[:k])
        den += self.eps
        self.t += n
        return np.divide(alpha, den, out=np.zeros(n), where=den > 0)


class _AdaBoundSim:
    """The steps of :class:`amslib.beyond.AdaBound` (and AMSBound) for a block of
    gradients, carrying state: its moments are Adam's, and the clipped step size
    eta_t = clip(a_t / (sqrt(v_hat_t) + eps), eta_l(t), eta_u(t)) does not depend on x."""

    def __init__(self, opt):
        self.opt = opt
        self.b1, self.b2 = check_betas(opt.betas)
        self.schedule = as_schedule(check_lr(opt.lr))
        self.alpha1 = opt.alpha(1)
        self.t = 0
        self.m = self.v = self.v_max = 0.0

    def steps(self, g: np.ndarray) -> np.ndarray:
        opt, b1, b2 = self.opt, self.b1, self.b2
        n, t0 = len(g), self.t + 1
        m = _ema(g, b1, self.m)
        v = _ema(g, b2, self.v, square=True)
        self.m, self.v = float(m[-1]), float(v[-1])
        if opt.amsbound:
            v[0] = max(v[0], self.v_max)
            v = np.maximum.accumulate(v, out=v)
            self.v_max = float(v[-1])
        t = np.arange(t0, t0 + n, dtype=np.float64)
        alpha = _alphas(self.schedule, t)
        a = alpha.copy()
        if opt.bias_correction:
            with np.errstate(under="ignore"):
                a = a * np.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t)
        den = np.sqrt(v) + opt.eps
        ratio = np.divide(a, den, out=np.full(n, np.inf), where=den > 0)
        if not opt.scaled_bounds:
            f = np.full(n, opt.final_lr)
        elif self.alpha1 > 0.0:
            f = opt.final_lr * (alpha / self.alpha1)
        else:  # alpha_1 = 0: f_t = 0 while alpha_t = 0; AdaBound.final_lr_at raises after
            if alpha.max() > 0.0:
                opt.final_lr_at(int(t[np.argmax(alpha > 0.0)]))
            f = np.zeros(n)
        lower = f * (1.0 - 1.0 / (opt.gamma * t + 1.0))
        upper = f * (1.0 + 1.0 / (opt.gamma * t))
        self.t += n
        return np.clip(ratio, lower, upper) * m


class _AdamNCSim:
    """The steps of :class:`amslib.adamnc.AdamNC` with a constant beta_1: m_t is Adam's
    first moment and v_t = (g_1^2 + ... + g_t^2) / t, a running sum over t."""

    def __init__(self, opt):
        self.b1, self.eps = opt.beta1, opt.eps
        self.schedule = as_schedule(check_lr(opt.lr))
        self.t = 0
        self.m = self.sum_g2 = 0.0

    def steps(self, g: np.ndarray) -> np.ndarray:
        n, t0 = len(g), self.t + 1
        m = _ema(g, self.b1, self.m)
        s = _cumsum(g * g, self.sum_g2)
        self.m, self.sum_g2 = float(m[-1]), float(s[-1])
        t = np.arange(t0, t0 + n, dtype=np.float64)
        alpha = _alphas(self.schedule, t)
        den = np.sqrt(s / t) + self.eps
        q = np.divide(m, den, out=np.zeros(n), where=den > 0)
        self.t += n
        return alpha * q


def _simulator(opt):
    """The block simulator for ``opt``, or None if only the plain loop can run it.

    A subclass that changes ``step`` is not recognised (we compare the step method
    itself), so it goes through the exact loop."""
    params = _adam_params(opt)
    if params is not None:
        return _AdamSim(*params)
    if isinstance(opt, AdaBound) and type(opt).step is AdaBound.step:
        return _AdaBoundSim(opt)
    if (isinstance(opt, AdamNC) and type(opt).step is AdamNC.step
            and opt.beta1_decay == 1.0):
        return _AdamNCSim(opt)
    return None


def run(prob, opt, steps: int, x0: float = 0.0, seed=0, *, chunk: int = CHUNK) -> RunResult:
    """Run ``opt`` on ``prob`` for ``steps`` steps, projecting onto [-1, 1] after each.

    Gives what :func:`reference_run` gives (to rounding, ~1e-12), much faster: 10^7 steps
    in a fraction of a second. Simulated this way: :class:`amslib.optimizers.Adam` (either
    ``amsgrad``, either ``bias_correction``, any step-size schedule),
    :class:`amslib.beyond.AdaBound` / ``AMSBound`` and :class:`amslib.adamnc.AdamNC` with
    a constant beta_1: their steps do not depend on x. Any other optimizer with ``init``
    and ``step`` (SGD, AdaGrad, Yogi, AdamX, a decaying beta_1, and subclasses that change
    the update, such as AdamW) is run by the plain loop :func:`reference_run`, at its
    speed (~10-40 us a step); anything else is a TypeError.

    ``seed`` fixes the stochastic problem's gradients (see :class:`StochasticProblem`);
    the online problem ignores it.
    """
    _check_problem(prob)
    steps = _check_int(steps, "steps", 1)
    x0 = _check_x0(x0)
    chunk = _check_int(chunk, "chunk", 1)
    sim = _simulator(opt)
    if sim is None:
        if not (hasattr(opt, "init") and hasattr(opt, "step")):
            raise TypeError(f"opt must be an optimizer with init and step, not {type(opt).__name__}")
        return reference_run(prob, opt, steps, x0, seed)

    stream = prob.stream(seed)
    keep = sample_steps(steps)
    xs = np.empty(len(keep))
    regrets = np.empty(len(keep))
    loss = G = 0.0  # running sums of g_t x_t and g_t
    x = x0
    walk = np.empty(chunk + 1)  # walk[j] = x_{t0 + j}: walk[:-1] the iterates used, walk[1:] the next
    start = 1  # the step number of the chunk's first step
    while start <= steps:
        n = min(chunk, steps - start + 1)
        g = stream.take(n)
        d = sim.steps(g)
        w = walk[:n + 1]
        w[0] = x
        _clipped_walk(x, d, w[1:])
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
    (alpha_t / (sqrt(v_hat_t / (1 - beta_2^t)) + eps)); a 64 x 64 grid needs 64 + 64
    scans, not 4096. The step of setting (i, j) is the product of the two, and the walk
    x <- clip(x - d_t, -1, 1) runs with one array operation per step over all settings.
    """
    _check_problem(prob)
    steps = _check_int(steps, "steps", 1)
    x0 = _check_x0(x0)
    eps = check_eps(eps)
    schedule = as_schedule(check_lr(lr))
    b1, b2 = np.asarray(beta1, dtype=np.float64), np.asarray(beta2, dtype=np.float64)
    try:
        B1, B2 = np.broadcast_arrays(b1, b2)
    except ValueError:
        raise ValueError(f"Invalid beta1, beta2: shapes {b1.shape} and {b2.shape} do not broadcast "
                         "(use a grid, e.g. np.meshgrid(b1, b2, indexing='ij'))") from None
    shape = B1.shape
    for name, B, i in (("beta1", B1, 0), ("beta2", B2, 1)):
        bad = ~((B >= 0.0) & (B < 1.0))
        if bad.any():
            raise ValueError(f"Invalid {name}: {B[bad].flat[0]} (must be in [0, 1))")
    u1, inv1 = np.unique(B1.ravel(), return_inverse=True)
    u2, inv2 = np.unique(B2.ravel(), return_inverse=True)
    S = B1.size
    # The usual case, a grid beta1[:, None] x beta2[None, :] (both ascending), is the
    # outer product of the distinct values, in order: no index gathers needed.
    outer = (S == len(u1) * len(u2) and np.array_equal(inv1, np.repeat(np.arange(len(u1)), len(u2)))
             and np.array_equal(inv2, np.tile(np.arange(len(u2)), len(u1))))
    # One simulator per distinct beta_1 (numerators) and per distinct beta_2 (denominators).
    sims1 = [_AdamSim(b, 0.0, eps, amsgrad, bias_correction, schedule) for b in u1]
    sims2 = [_AdamSim(0.0, b, eps, amsgrad, bias_correction, schedule) for b in u2]
    stream = prob.stream(seed)
    x = np.full(S, x0)
    tchunk = 2 ** 13
    rows = max(16, 2 ** 20 // max(S, 1))  # steps per block of the (steps x settings) array
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
        for r in range(0, n, rows):
            if outer:  # a full grid: d[t, i, j] = num[t, i] * inv_den[t, j], one product
                D = np.multiply(num[r:r + rows, :, None], inv_den[r:r + rows, None, :])
                D = D.reshape(len(D), S)
            else:
                D = num[r:r + rows].take(inv1, axis=1)
                D *= inv_den[r:r + rows].take(inv2, axis=1)
            for drow in D:
                np.subtract(x, drow, out=x)
                np.clip(x, -1.0, 1.0, out=x)
        start += n
    return x.reshape(shape)
