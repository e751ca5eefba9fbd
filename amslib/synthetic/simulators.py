"""The block simulators behind :func:`amslib.synthetic.run` and :func:`~amslib.synthetic.sweep`:
for a block of gradients, the steps d_t of Adam (and AMSGrad), AdaBound and AdamNC with
a constant beta_1, which do not depend on x, carrying the moments from block to block.
The settings come checked (from an optimizer, or from sweep, which checks them).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..adamnc import AdamNC
from ..beyond import AdaBound
from ..optimizers import Adam
from ..schedules import Constant, InvSqrt
from ..validation import check_schedule_value, describe, invalid
from .scan import cumsum, ema, running_max

#: The most steps with a schedule written for one t at a time, called once per step
#: (~0.2-0.45 us a step, benchmarks/bench_synthetic.py: at most ~9 s).
MAX_PER_STEP_SCHEDULE_STEPS = 2 * 10 ** 7

def _is_exactly(opt, cls) -> bool:
    """Whether ``opt``'s update *is* ``cls``'s: a subclass that changes it (AdamW's weight
    decay, say) keeps the attributes but not the update, so it must go through the exact
    loop. We compare the methods themselves. (Settings are checked and fixed at
    construction, so reading them once here is what the loop reads at every step.)"""
    return isinstance(opt, cls) and all(getattr(type(opt), name) is getattr(cls, name)
                                        for name in ("step", "_update", "alpha"))


#: Steps or factors above this are close enough to float64's limit (1.8e308) that the
#: order of operations decides whether they overflow (see sweep).
_HUGE = 1e300


class _StepSizes:
    """alpha_t for a block of steps t0 .. t0 + n - 1, as the loop's Adam.alpha(t) gives them.

    The course's schedules (constant, inv_sqrt) take an array of t. Any other callable is
    tried on the array once per block and spot-checked against calls with single integer
    steps (as the loop makes them); if it fails on arrays (``lambda t: 0.5 / math.sqrt(t)``,
    a step decay written with ``if``) or gives other numbers, it is called once per step
    from then on, at ~0.2-0.5 us a step (``benchmarks/bench_synthetic.py`` prints it).
    """

    def __init__(self, schedule, steps: int = 0, shared: bool = False):
        self.schedule = schedule
        self.steps = steps  # how many the run will ask for (checked before calling one by one)
        self.trusted = type(schedule) in (Constant, InvSqrt)  # exact types: a subclass may change rate
        self.per_step = False
        # sweep's simulators share one block of alphas (computed once, copied for each);
        # run's single simulator takes the fresh array itself.
        self.shared = shared
        self._last = (None, None)  # (t0, n), alphas
        self._iota = np.empty(0)  # 0, 1, 2, ... (np.arange is ~3x slower than an add)
        self._buffer = np.empty(0)

    def __call__(self, t0: int, n: int) -> np.ndarray:
        """A new array: alpha_t for t = t0 .. t0 + n - 1 (the caller may change it)."""
        if not self.shared:
            return self._compute(t0, n)
        key, value = self._last
        if key != (t0, n):
            value = self._compute(t0, n)
            self._last = ((t0, n), value)
        return value.copy()

    def _compute(self, t0: int, n: int) -> np.ndarray:
        if type(self.schedule) is InvSqrt:
            # alpha / sqrt(t), as inv_sqrt computes it, in one buffer: t (whole numbers,
            # exact in float64) and alpha >= 0 finite are valid by construction, so the
            # schedule's and _checked_alphas' checks have nothing to find.
            if len(self._iota) < n:
                self._iota = np.arange(n, dtype=np.float64)
                self._buffer = np.empty(n)
            # t (sums of whole numbers < 2^53: exact); run's own simulator gets the same
            # buffer every block (it is done with the last block's alphas by then), which
            # spares an allocation of n floats a block
            a = np.add(self._iota[:n], float(t0), out=None if self.shared else self._buffer[:n])
            np.sqrt(a, out=a)
            return np.divide(self.schedule.alpha, a, out=a)
        t = np.arange(t0, t0 + n, dtype=np.float64)
        if not self.per_step:
            a = self._on_array(t)
            if a is not None:
                return _checked_alphas(a, t0)
            self.per_step = True
            if self.steps > MAX_PER_STEP_SCHEDULE_STEPS:
                raise invalid("steps", detail=f"{self.steps:,} (at most {MAX_PER_STEP_SCHEDULE_STEPS:,} with this "
                              f"schedule, {describe(self.schedule)}: it does not take an array of t, so it "
                              "is called once per step; write it with NumPy (np.sqrt, np.where) or use "
                              "amslib.schedules)")
        return self._one_by_one(t0, n)

    def _on_array(self, t: np.ndarray):
        if self.trusted:
            return np.asarray(self.schedule.rate(t), dtype=np.float64)  # t: valid by construction
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                a = np.asarray(self.schedule(t))
        except Exception:  # written for one t at a time
            return None
        if a.shape != t.shape or a.dtype.kind not in "iuf":
            return None
        a = a.astype(np.float64)
        n = len(t)
        for i in sorted({0, 1 % n, n // 3, n // 2, n - 1}):  # spot checks, as the loop calls it
            k = int(t[i])
            want = check_schedule_value(self.schedule(k), k)
            if not (a[i] == want or abs(a[i] - want) <= 1e-12 * abs(want)):
                return None
        return a

    def _one_by_one(self, t0: int, n: int) -> np.ndarray:
        f = self.schedule
        values = [f(k) for k in range(t0, t0 + n)]
        try:
            a = np.array(values)
            ok = a.shape == (n,) and a.dtype.kind in "iuf"
        except Exception:
            ok = False
        if not ok:  # find the culprit, for the loop's message
            for k, value in enumerate(values, start=t0):
                check_schedule_value(value, k)
        return _checked_alphas(a.astype(np.float64), t0)


def _checked_alphas(a: np.ndarray, t0: int) -> np.ndarray:
    """a, after checking that every alpha_t is finite and >= 0 (the loop's message)."""
    if not (a.min() >= 0.0 and a.max() < math.inf):  # two fast reductions; NaN fails too
        ok = np.isfinite(a) & (a >= 0.0)
        i = int(np.argmin(ok))
        raise invalid(f"learning rate at step t={t0 + i}", detail=f"{a[i]} "
                      "(must be a finite float >= 0)")
    return a


def _check_steps_finite(d: np.ndarray, t0: int) -> None:
    """The loop raises when a step overflows float64 (Optimizer._finite_step); so do we."""
    if not (d.max() < math.inf and d.min() > -math.inf):  # NaN fails too
        i = int(np.argmin(np.isfinite(d)))
        raise FloatingPointError(
            f"the step at t={t0 + i} overflowed float64 (the new x is not finite); "
            "lower the learning rate")


def _bias_prefix(b: float, t0: int, n: int) -> int:
    """How many steps from t0 on have b^t >= 2^-60 (beyond, 1 - b^t rounds to 1)."""
    if b == 0.0:
        return 0  # 1 - 0^t = 1 for t >= 1
    last = int(60 * math.log(2) / -math.log(b)) + 2
    return max(0, min(n, last - t0 + 1))


class _Moments:
    """Adam's moments for a block of gradients g_{t0}, ..., g_{t0+n-1}, from the moments of the
    block before (the state ``m``, ``v``, ``v_max``, all 0 before the first block, carried
    from block to block). Used by the simulators below, which set ``b1``, ``b2`` and that state."""

    b1: float
    b2: float
    m: float
    v: float
    v_max: float

    def first_moments(self, g: np.ndarray) -> np.ndarray:
        """m_t = beta_1 m_{t-1} + (1 - beta_1) g_t for the block; carries m on."""
        m = ema(g, self.b1, self.m)
        self.m = float(m[-1])
        return m

    def second_moments(self, g: np.ndarray, amsgrad: bool) -> np.ndarray:
        """v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2 for the block, or with ``amsgrad`` AMSGrad's
        running maximum v_hat_t = max(v_hat_{t-1}, v_t), the one the step divides by;
        carries v (and v_max) on."""
        v = ema(g, self.b2, self.v, square=True)
        self.v = float(v[-1])
        if amsgrad:
            v = running_max(v, self.v_max)
            self.v_max = float(v[-1])
        return v


class _AdamSim(_Moments):
    """The moments and steps of Adam for a block of gradients, carrying state."""

    def __init__(self, b1, b2, eps, amsgrad, bias_correction, schedule):
        self.b1, self.b2, self.eps = b1, b2, eps
        self.amsgrad, self.bias_correction = amsgrad, bias_correction
        self.alphas = schedule if isinstance(schedule, _StepSizes) else _StepSizes(schedule)
        self.t = 0  # steps done
        self.m = self.v = self.v_max = 0.0

    def steps(self, g: np.ndarray) -> np.ndarray:
        """d_t for the next len(g) steps: x_{t+1} = clip(x_t - d_t)."""
        n, t0 = len(g), self.t + 1
        b1, b2 = self.b1, self.b2
        m = self.first_moments(g)
        v = self.second_moments(g, self.amsgrad)
        alpha = self.alphas(t0, n)
        den = np.sqrt(v, out=v)
        if self.bias_correction:
            # Only the first few thousand steps (for beta ~ 0.99) need 1 - beta^t.
            k = _bias_prefix(b2, t0, n)
            if k:
                den[:k] /= np.sqrt(1.0 - b2 ** np.arange(t0, t0 + k, dtype=np.float64))
            k = _bias_prefix(b1, t0, n)
            if k:
                alpha[:k] /= 1.0 - b1 ** np.arange(t0, t0 + k, dtype=np.float64)
        den += self.eps
        if self.eps > 0.0:
            q = np.divide(m, den, out=m)
        else:  # _safe_div: 0 where the denominator is 0
            q = np.divide(m, den, out=np.zeros(n), where=den > 0)
        self.t += n
        return np.multiply(alpha, q, out=alpha)

    # sweep() splits d_t = [m_t / (1 - b1^t)] * [alpha_t / (sqrt(v_t / (1 - b2^t)) + eps)]
    # (v_hat_t in place of v_t for AMSGrad)
    # into a factor that depends on beta_1 only and one that depends on beta_2 only.
    def numerators(self, g: np.ndarray) -> np.ndarray:
        """m_t / (1 - beta_1^t) (or m_t without bias correction) for the next len(g) steps."""
        n, t0 = len(g), self.t + 1
        m = self.first_moments(g)
        if self.bias_correction:
            k = _bias_prefix(self.b1, t0, n)
            if k:
                m[:k] /= 1.0 - self.b1 ** np.arange(t0, t0 + k, dtype=np.float64)
        self.t += n
        return m

    def inverse_denominators(self, g: np.ndarray) -> np.ndarray:
        """alpha_t / (sqrt(v_t) / sqrt(1 - beta_2^t) + eps) (v_hat_t for AMSGrad), and 0 where the
        denominator is 0 (as _safe_div), for the next len(g) steps."""
        n, t0 = len(g), self.t + 1
        v = self.second_moments(g, self.amsgrad)
        t = np.arange(t0, t0 + n, dtype=np.float64)
        alpha = self.alphas(t0, n)
        den = np.sqrt(v, out=v)
        if self.bias_correction:
            k = _bias_prefix(self.b2, t0, n)
            if k:
                den[:k] /= np.sqrt(1.0 - self.b2 ** t[:k])
        den += self.eps
        self.t += n
        return np.divide(alpha, den, out=np.zeros(n), where=den > 0)


class _AdaBoundSim(_Moments):
    """The steps of :class:`amslib.beyond.AdaBound` (and AMSBound) for a block of
    gradients, carrying state: its moments are Adam's, and the clipped step size
    eta_t = clip(a_t / (sqrt(d_t) + eps), eta_l(t), eta_u(t)), d_t = v_t or (AMSBound) v_hat_t,
    does not depend on x."""

    def __init__(self, opt, steps: int):
        self.opt = opt
        self.b1, self.b2 = opt.betas
        self.alphas = _StepSizes(opt._schedule, steps)
        self.alpha1 = opt.alpha(1)
        self.t = 0
        self.m = self.v = self.v_max = 0.0

    def steps(self, g: np.ndarray) -> np.ndarray:
        opt, b1, b2 = self.opt, self.b1, self.b2
        n, t0 = len(g), self.t + 1
        m = self.first_moments(g)
        v = self.second_moments(g, opt.amsbound)
        t = np.arange(t0, t0 + n, dtype=np.float64)
        alpha = self.alphas(t0, n)
        a = alpha.copy()
        if opt.bias_correction:  # a_t = alpha_t sqrt(1 - beta_2^t) / (1 - beta_1^t)
            # past the first few thousand steps both factors are exactly 1 (_bias_prefix)
            k = max(_bias_prefix(b2, t0, n), _bias_prefix(b1, t0, n))
            if k:
                with np.errstate(under="ignore"):
                    a[:k] = a[:k] * np.sqrt(1.0 - b2 ** t[:k]) / (1.0 - b1 ** t[:k])
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

    def __init__(self, opt, steps: int):
        self.b1, self.eps = opt.beta1, opt.eps
        self.alphas = _StepSizes(opt._schedule, steps)
        self.t = 0
        self.m = self.sum_g2 = 0.0

    def steps(self, g: np.ndarray) -> np.ndarray:
        n, t0 = len(g), self.t + 1
        m = ema(g, self.b1, self.m)
        s = cumsum(g * g, self.sum_g2)
        self.m, self.sum_g2 = float(m[-1]), float(s[-1])
        t = np.arange(t0, t0 + n, dtype=np.float64)
        alpha = self.alphas(t0, n)
        den = np.sqrt(s / t) + self.eps
        q = np.divide(m, den, out=np.zeros(n), where=den > 0)
        self.t += n
        return alpha * q


def _simulator(opt, steps: int = 0):
    """The block simulator for ``opt``, or None if only the plain loop can run it.

    A subclass that changes ``step`` is not recognised (we compare the step method
    itself), so it goes through the exact loop."""
    if _is_exactly(opt, Adam):
        return _AdamSim(*opt.betas, opt.eps, opt.amsgrad, opt.bias_correction,
                        _StepSizes(opt._schedule, steps))
    if _is_exactly(opt, AdaBound):
        return _AdaBoundSim(opt, steps)
    if _is_exactly(opt, AdamNC) and opt.beta1_decay == 1.0:
        return _AdamNCSim(opt, steps)
    return None


