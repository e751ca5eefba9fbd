"""Reference NumPy implementations of the optimizers the course builds.

Every optimizer has the same two-method interface, in the spirit of Optax's
``init`` / ``update`` pair::

    opt = Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    state = opt.init(x)                     # x: float64 NumPy array
    x_new, state = opt.step(x, grad, state) # x and the old state are not modified

States are small immutable named tuples, so a learner can print them, keep old ones,
and compare two runs step by step. ``lr`` is a float or a schedule: a callable of the
step number t = 1, 2, ... (see :mod:`amslib.schedules`).

Notation follows Reddi, Kale and Kumar, "On the Convergence of Adam and Beyond"
(ICLR 2018): g_t the gradient, m_t the first moment, v_t the second moment,
v_hat_t the running maximum of v_t (AMSGrad), alpha_t the step size.
"""
from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np

from .schedules import as_schedule
from .validation import (as_real_array, check_beta, check_betas, check_count, check_eps,
                         check_flag, check_grad, check_lr, check_nonnegative,
                         check_schedule_value, check_step, describe)

__all__ = [
    "SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "AMSGrad",
    "SGDState", "MomentumState", "AdaGradState", "RMSPropState", "AdamState",
    "check_lr", "check_beta", "check_betas", "check_eps", "check_nonnegative", "check_flag",
    "adam_moments",
]


# --------------------------------------------------------------------------- checks
# (the checks live in amslib.validation; these names stay importable from here)
_as_params = as_real_array
_check_grad = check_grad


def _check_array_field(value, name: str, x: np.ndarray, nonnegative: bool = False) -> np.ndarray:
    a = as_real_array(value, name)
    if a.shape != x.shape:
        raise ValueError(f"Invalid {name}: shape {a.shape} does not match the parameters' shape "
                         f"{x.shape} (a state from init(x) of these parameters is needed)")
    if nonnegative and a.size and a.min() < 0.0:
        raise ValueError(f"Invalid {name}: negative entries (it is a sum of squares, >= 0)")
    return a


class _Frozen(type):
    """Metaclass: an optimizer's settings are fixed once its __init__ has run."""

    def __call__(cls, *args, **kwargs):
        obj = super().__call__(*args, **kwargs)
        object.__setattr__(obj, "_frozen", True)
        return obj


class _Optimizer(metaclass=_Frozen):
    """Shared plumbing: the step-size schedule, input checks, and fixed settings.

    Settings cannot be changed after construction (``opt.lr = 0.5`` raises), so that
    one optimizer object always means one algorithm: :func:`amslib.synthetic.run`,
    which reads the settings once, and the plain loop, which reads them at every step,
    cannot disagree. Make a new optimizer instead.

    Subclasses describe their state with ``_state_type`` (a NamedTuple with ``t`` first)
    and ``_nonnegative`` (the state arrays that are sums of squares); :meth:`_check_state`
    then refuses a state of another optimizer, another shape, or a non-integral t.
    """

    _state_type = None
    _nonnegative: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        """Every ``step`` runs with NumPy's overflow warnings off: a step that overflows raises
        FloatingPointError naming t (``_finite_step``), which says it better than a
        RuntimeWarning from deep inside the arithmetic would."""
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_quiet", False):
            @functools.wraps(step)
            def quiet_step(self, x, grad, state):
                with np.errstate(over="ignore", invalid="ignore"):
                    return step(self, x, grad, state)
            quiet_step._quiet = True
            cls.step = quiet_step

    def __init__(self, lr):
        self.lr = check_lr(lr)
        self._schedule = as_schedule(self.lr)

    def __setattr__(self, name, value):
        if self.__dict__.get("_frozen"):
            raise AttributeError(
                f"{type(self).__name__}'s settings cannot be changed after construction (one "
                f"optimizer object is one algorithm); make a new one, e.g. "
                f"{type(self).__name__}(..., {name}={describe(value)})")
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__}'s settings cannot be deleted")

    def alpha(self, t: int) -> float:
        """The step size alpha_t at step t (t = 1, 2, ...)."""
        t = t if type(t) is int and t >= 1 else check_step(t)
        return check_schedule_value(self._schedule(t), t)

    def _params_and_grad(self, x, grad, state=None):
        """x as a float64 array and the gradient checked against it; a bad gradient's message
        says at which step it came (``state``: the state it is applied to)."""
        x = as_real_array(x)
        try:
            return x, check_grad(x, grad)
        except ValueError as exc:
            t = getattr(state, "t", None)
            if type(t) is int and t >= 0:
                raise ValueError(f"{exc} at step t={t + 1}") from None
            raise

    def _check_state(self, state, x: np.ndarray):
        """The state as given, checked against the parameters x (see the class docstring)."""
        cls = self._state_type
        if cls is None:
            return state
        if not isinstance(state, cls):
            raise ValueError(f"Invalid state: {describe(state)} (must be the {cls.__name__} that "
                             f"{type(self).__name__}.init(x) or .step returned)")
        fast = type(state.t) is int and state.t >= 0
        fields = {"t": state.t if fast else check_count(state.t, "state.t (the number of steps done)", 0)}
        for name in cls._fields[1:]:
            value = getattr(state, name)
            if type(value) is np.ndarray and value.dtype == np.float64 and value.shape == x.shape:
                fields[name] = value  # the usual case, a state from init or step: nothing to convert
            else:
                fast = False
                fields[name] = _check_array_field(value, f"state.{name}", x, name in self._nonnegative)
        return state if fast else cls(**fields)

    def _check_state_values(self, state, x: np.ndarray) -> None:
        """Every array of the state finite (and >= 0 where it is a sum of squares): the full
        check that :meth:`_check_state` skips for arrays of the right type and shape."""
        for name in type(state)._fields[1:]:
            _check_array_field(getattr(state, name), f"state.{name}", x, name in self._nonnegative)

    def _finite_step(self, x_new: np.ndarray, t: int, state=None, x=None) -> np.ndarray:
        """x_new, if finite. If not: a ValueError naming the culprit when the ``state`` passed
        in (checked in full now, with the parameters ``x``) holds NaN, inf or a negative sum
        of squares, else a FloatingPointError (the step overflowed)."""
        if not np.all(np.isfinite(x_new)):
            if state is not None:
                self._check_state_values(state, x)
            raise FloatingPointError(
                f"the step at t={t} overflowed float64 (the new x is not finite); "
                "lower the learning rate (or, if you built the state yourself, check that it "
                "holds finite values and v >= 0)")
        return x_new

    def _finite_moment(self, v: np.ndarray, name: str, t: int, state, x: np.ndarray) -> np.ndarray:
        """:func:`_finite_moment`, naming the state's field if the state passed in was bad."""
        try:
            return _finite_moment(v, name, t)
        except FloatingPointError:
            self._check_state_values(state, x)
            raise

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


# --------------------------------------------------------------------------- SGD
class SGDState(NamedTuple):
    t: int


class SGD(_Optimizer):
    """Gradient descent: x_{t+1} = x_t - alpha_t g_t."""

    _state_type = SGDState

    def init(self, x) -> SGDState:
        _as_params(x)
        return SGDState(t=0)

    def step(self, x, grad, state: SGDState):
        x, g = self._params_and_grad(x, grad, state)
        t = self._check_state(state, x).t + 1
        return self._finite_step(x - self.alpha(t) * g, t), SGDState(t)


# --------------------------------------------------------------------------- momentum
class MomentumState(NamedTuple):
    t: int
    m: np.ndarray


class Momentum(_Optimizer):
    """Momentum as an exponential moving average of the gradients.

        m_t     = beta m_{t-1} + (1 - beta) g_t,   m_0 = 0
        x_{t+1} = x_t - alpha_t m_t

    (This is Adam's first moment on its own. The "heavy ball" form
    b_t = beta b_{t-1} + g_t, x_{t+1} = x_t - alpha' b_t is the same method: b_t = m_t / (1 - beta),
    so heavy ball with step alpha' equals this form with alpha = alpha' / (1 - beta).)
    """

    _state_type = MomentumState

    def __init__(self, lr, beta: float = 0.9):
        super().__init__(lr)
        self.beta = check_beta(beta, name="beta")

    def init(self, x) -> MomentumState:
        x = _as_params(x)
        return MomentumState(t=0, m=np.zeros_like(x))

    def step(self, x, grad, state: MomentumState):
        x, g = self._params_and_grad(x, grad, state)
        state = self._check_state(state, x)
        t = state.t + 1
        m = self.beta * state.m + (1.0 - self.beta) * g
        return self._finite_step(x - self.alpha(t) * m, t, state, x), MomentumState(t, m)


# --------------------------------------------------------------------------- AdaGrad
def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, with 0 where den == 0.

    With eps = 0 the denominator is 0 only while every gradient so far was 0, and then
    the numerator is 0 too: the right update is 0, not the NaN of 0/0.
    """
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _finite_moment(v: np.ndarray, name: str, t: int) -> np.ndarray:
    """A sum of squared gradients, checked: past float64's range (|g| above ~1e154) it
    would be inf and every later step silently 0. (NaN and negative values, which only a
    state built by hand can bring, fail too: the optimizers then say which field.)"""
    if v.size and not (v.min() >= 0.0 and v.max() < math.inf):
        raise FloatingPointError(
            f"{name} overflowed float64 at step t={t} (squared gradients above ~1e308); "
            "scale the loss (and so the gradients) down")
    return v


class AdaGradState(NamedTuple):
    t: int
    G: np.ndarray


class AdaGrad(_Optimizer):
    """AdaGrad (Duchi, Hazan and Singer, 2011), diagonal form.

        G_t     = G_{t-1} + g_t^2                 (element-wise)
        x_{t+1} = x_t - alpha_t g_t / (sqrt(G_t) + eps)
    """

    _state_type = AdaGradState
    _nonnegative = ("G",)

    def __init__(self, lr, eps: float = 1e-10):
        super().__init__(lr)
        self.eps = check_eps(eps)

    def init(self, x) -> AdaGradState:
        x = _as_params(x)
        return AdaGradState(t=0, G=np.zeros_like(x))

    def step(self, x, grad, state: AdaGradState):
        x, g = self._params_and_grad(x, grad, state)
        state = self._check_state(state, x)
        t = state.t + 1
        G = self._finite_moment(state.G + g * g, "G_t", t, state, x)
        x_new = x - self.alpha(t) * _safe_div(g, np.sqrt(G) + self.eps)
        return self._finite_step(x_new, t, state, x), AdaGradState(t, G)


# --------------------------------------------------------------------------- RMSProp
class RMSPropState(NamedTuple):
    t: int
    v: np.ndarray


class RMSProp(_Optimizer):
    """RMSProp (Tieleman and Hinton, 2012): AdaGrad with a forgetting sum.

        v_t     = beta v_{t-1} + (1 - beta) g_t^2
        x_{t+1} = x_t - alpha_t g_t / (sqrt(v_t) + eps)

    Same as ``torch.optim.RMSprop(lr, alpha=beta, eps=eps)`` (momentum 0, not centered).
    """

    def __init__(self, lr, beta: float = 0.99, eps: float = 1e-8):
        super().__init__(lr)
        self.beta = check_beta(beta, name="beta")
        self.eps = check_eps(eps)

    _state_type = RMSPropState
    _nonnegative = ("v",)

    def init(self, x) -> RMSPropState:
        x = _as_params(x)
        return RMSPropState(t=0, v=np.zeros_like(x))

    def step(self, x, grad, state: RMSPropState):
        x, g = self._params_and_grad(x, grad, state)
        state = self._check_state(state, x)
        t = state.t + 1
        v = self._finite_moment(self.beta * state.v + (1.0 - self.beta) * g * g, "v_t", t, state, x)
        x_new = x - self.alpha(t) * _safe_div(g, np.sqrt(v) + self.eps)
        return self._finite_step(x_new, t, state, x), RMSPropState(t, v)


# --------------------------------------------------------------------------- Adam
class AdamState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray  # running maximum of v_t (used only when amsgrad=True)


def adam_moments(state: AdamState, g, b1: float, b2: float, amsgrad: bool):
    """One update of Adam's moments, shared by every rule of the Adam family.

        m_t = beta_1 m_{t-1} + (1 - beta_1) g_t
        v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2
        v_max_t = max(v_max_{t-1}, v_t)             (AMSGrad's hat v_t; kept only when amsgrad)
        d_t = v_max_t if amsgrad else v_t           (the denominator: the step divides by sqrt(d_t))

    Returns (t, m_t, v_t, v_max_t, d_t), with t the new step number. The hat is kept for
    AMSGrad's maximum only, as in Reddi et al. Every argument is checked (the optimizers'
    steps, which have checked them already, call the unchecked ``_adam_moments``).
    """
    if not isinstance(state, AdamState):
        raise ValueError(f"Invalid state: {describe(state)} (must be the AdamState that "
                         "Adam.init(x) or Adam.step returned)")
    x = state.m if isinstance(state.m, np.ndarray) else np.asarray(state.m)
    try:
        state = Adam(0.0)._check_state(state, x)
        Adam(0.0)._check_state_values(state, x)
    except ValueError as exc:
        raise ValueError(f"{exc} (in adam_moments)") from None
    try:
        g = check_grad(x, g)
    except ValueError as exc:
        if "does not match" in str(exc):  # which is wrong, g or the state? say both
            raise ValueError(f"Invalid gradient g or state: g has shape {np.shape(g)}, the state's "
                             f"arrays {x.shape} (they must match)") from None
        raise
    b1, b2 = check_beta(b1, 0), check_beta(b2, 1)
    return _adam_moments(state, g, b1, b2, check_flag(amsgrad, "amsgrad"))


def _adam_moments(state: AdamState, g: np.ndarray, b1: float, b2: float, amsgrad: bool):
    """:func:`adam_moments` without the checks of its arguments."""
    m = b1 * state.m + (1.0 - b1) * g
    v = _finite_moment(b2 * state.v + (1.0 - b2) * g * g, "v_t", state.t + 1)
    v_max = np.maximum(state.v_max, v) if amsgrad else state.v_max
    d = v_max if amsgrad else v
    return state.t + 1, m, v, v_max, d


class Adam(_Optimizer):
    """Adam (Kingma and Ba, 2015) and AMSGrad (Reddi, Kale and Kumar, 2018).

    Moments, with m_0 = v_0 = 0::

        m_t = beta_1 m_{t-1} + (1 - beta_1) g_t
        v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2
        v_hat_t = max(v_hat_{t-1}, v_t)            (AMSGrad's running maximum, state.v_max)
        d_t = v_hat_t   if amsgrad   else   v_t    (the denominator's second moment)

    ``bias_correction=True`` (default) is exactly ``torch.optim.Adam``, including its
    AMSGrad variant: the maximum is taken over the raw v_t, then bias-corrected, and
    eps is added after the correction::

        x_{t+1} = x_t - alpha_t / (1 - beta_1^t) * m_t / (sqrt(d_t) / sqrt(1 - beta_2^t) + eps)

    ``bias_correction=False`` is the paper's form (Reddi et al., Algorithm 2, with a
    constant beta_1 and an eps for safety; eps=0 gives the paper exactly)::

        x_{t+1} = x_t - alpha_t m_t / (sqrt(d_t) + eps)

    The projection onto the feasible set F is not part of the optimizer; the
    synthetic problems of :mod:`amslib.synthetic` clip after each step.
    """

    _state_type = AdamState
    _nonnegative = ("v", "v_max")

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 amsgrad: bool = False, bias_correction: bool = True):
        super().__init__(lr)
        self.betas = check_betas(betas)
        self.eps = check_eps(eps)
        self.amsgrad = check_flag(amsgrad, "amsgrad")
        self.bias_correction = check_flag(bias_correction, "bias_correction")

    def init(self, x) -> AdamState:
        x = _as_params(x)
        # three arrays, not one shared three times: writing into m must not change v
        return AdamState(t=0, m=np.zeros_like(x), v=np.zeros_like(x), v_max=np.zeros_like(x))

    def step(self, x, grad, state: AdamState):
        x, g = self._params_and_grad(x, grad, state)
        state = self._check_state(state, x)
        b1, b2 = self.betas
        try:
            t, m, v, v_max, d = _adam_moments(state, g, b1, b2, self.amsgrad)
        except FloatingPointError:
            self._check_state_values(state, x)  # a state built by hand with NaN or v < 0?
            raise
        alpha = self.alpha(t)
        if self.bias_correction:
            denom = np.sqrt(d) / math.sqrt(1.0 - b2 ** t) + self.eps
            x_new = x - (alpha / (1.0 - b1 ** t)) * _safe_div(m, denom)
        else:
            x_new = x - alpha * _safe_div(m, np.sqrt(d) + self.eps)
        return self._finite_step(x_new, t, state, x), AdamState(t, m, v, v_max)


def AMSGrad(lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8, bias_correction: bool = True) -> Adam:
    """AMSGrad: ``Adam(..., amsgrad=True)``, named for readability."""
    return Adam(lr=lr, betas=betas, eps=eps, amsgrad=True, bias_correction=bias_correction)
