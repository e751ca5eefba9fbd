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

import math
from typing import NamedTuple

import numpy as np

from .schedules import as_schedule
from .validation import (
    as_real_array,
    check_beta,
    check_betas,
    check_count,
    check_eps,
    check_flag,
    check_grad,
    check_lr,
    check_nonnegative,
    check_schedule_value,
    check_step,
    describe,
    invalid,
)

__all__ = [
    "SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "AMSGrad",
    "SGDState", "MomentumState", "AdaGradState", "RMSPropState", "AdamState",
    "check_lr", "check_beta", "check_betas", "check_eps", "check_nonnegative", "check_flag",
    "adam_moments", "MAX_T",
]

#: The largest step number a state may hold: t and beta^t stay exact in float64 up to 2^53.
MAX_T = 2 ** 53


# --------------------------------------------------------------------------- the door
class _Optimizer:
    """What every optimizer shares: the checks at the door, once, and nothing else.

    ``step`` checks x, the gradient and the state (a state from outside is checked like an
    argument: the right type and shape, finite, >= 0 where it is a sum of squares), calls
    the algorithm's ``_update`` (its equations, on checked values), and checks that what
    came out is finite: if not, the step overflowed float64 and a FloatingPointError names t.
    The new state never shares an array with the old one.

    Settings cannot be changed after construction (``opt.lr = 0.5`` raises), so that one
    optimizer object always means one algorithm: :func:`amslib.synthetic.run`, which reads
    the settings once, and the plain loop, which reads them at every step, cannot disagree.

    Subclasses set ``_state_type`` (a NamedTuple with ``t`` first), ``_nonnegative`` (the
    state fields that are sums of squares) and ``_update(x, g, state, t, alpha)``.
    """

    _state_type: type = None
    _nonnegative: tuple[str, ...] = ()

    def __init__(self, lr):
        self.lr = check_lr(lr)

    @property
    def _schedule(self):
        """alpha_t as a callable of t (a constant lr as a Constant schedule)."""
        return as_schedule(self.lr)

    def __setattr__(self, name, value):
        code = type(self).__init__.__code__
        settings = code.co_varnames[1:code.co_argcount + code.co_kwonlyargcount]
        if name in self.__dict__ or not (name in settings or name.startswith("_")):
            # each setting is a parameter of the constructor, set once, by __init__
            raise AttributeError(
                f"{type(self).__name__}'s settings cannot be changed after construction (one "
                f"optimizer object is one algorithm); make a new one, e.g. "
                f"{type(self).__name__}(..., {name}={describe(value)})")
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__}'s settings cannot be deleted")

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"

    def alpha(self, t: int) -> float:
        """The step size alpha_t at step t (t = 1, 2, ...)."""
        t = t if type(t) is int and t >= 1 else check_step(t)
        return check_schedule_value(self.lr(t), t) if callable(self.lr) else self.lr

    def init(self, x):
        """The state before the first step: t = 0 and every array 0 (new arrays, not shared)."""
        x = as_real_array(x)
        return self._state_type(0, *(np.zeros_like(x) for _ in self._state_type._fields[1:]))

    def step(self, x, grad, state):
        """x_{t+1} and the new state (x and the old state are not modified)."""
        x = as_real_array(x)
        state = check_state(state, x, self._state_type, self._nonnegative, type(self).__name__)
        t = state.t + 1
        try:
            g = check_grad(x, grad)
        except ValueError as exc:
            raise ValueError(f"{exc} at step t={t}") from None
        alpha = self.alpha(t)
        with np.errstate(over="ignore", invalid="ignore"):
            x_new, new = self._update(x, g, state, t, alpha)
        new = _finite_state(new, state, t)
        return _finite(x_new, t), new

    def _update(self, x: np.ndarray, g: np.ndarray, state, t: int, alpha: float):
        """The algorithm's equations on checked values: (x_{t+1}, state_t)."""
        raise NotImplementedError


def check_state(state, x: np.ndarray, cls: type, nonnegative=(), owner: str = "the optimizer"):
    """A state of type ``cls`` for parameters ``x``, checked like an argument: its t an
    integer in [0, MAX_T), every array of x's shape, finite, and >= 0 for the fields in
    ``nonnegative``. Returns it with its arrays as float64."""
    if not isinstance(state, cls):
        raise invalid("state", state, f"the {cls.__name__} that "
                      f"{owner}.init(x) or .step returned")
    t = state.t if type(state.t) is int and 0 <= state.t < MAX_T else check_count(
        state.t, "state.t (the number of steps done)", 0, MAX_T - 1, "t stays exact in float64")
    fields = [t]
    for name in cls._fields[1:]:
        value = getattr(state, name)
        a = value if type(value) is np.ndarray and value.dtype == np.float64 else as_real_array(
            value, f"state.{name}")
        if a.shape != x.shape:
            raise invalid(f"state.{name}", detail=f"shape {a.shape} does not match the parameters' "
                          f"shape {x.shape} (a state from init(x) of these parameters is needed)")
        if name in nonnegative:
            if a.size and not (a.min() >= 0.0 and a.max() < math.inf):  # NaN fails too
                as_real_array(a, f"state.{name}")  # names a non-finite entry
                raise invalid(f"state.{name}", detail="negative entries (it is a sum of squares, >= 0)")
        elif a is value:
            if a.size and not np.isfinite(a).all():
                as_real_array(a, f"state.{name}")
        fields.append(a)
    return cls(*fields)


def _finite(x_new: np.ndarray, t: int) -> np.ndarray:
    """x_{t+1}, if finite; else the step overflowed float64."""
    if x_new.size and not np.isfinite(x_new).all():
        raise FloatingPointError(
            f"the step at t={t} overflowed float64 (the new x is not finite); "
            "lower the learning rate")
    return x_new


def _finite_state(new, old, t: int):
    """The new state, if finite (a sum of squares past float64's range, |g| above ~1e154,
    would make every later step silently 0), with no array shared with the old state."""
    fields = [new.t]
    for name, a, a_old in zip(new._fields[1:], new[1:], old[1:], strict=True):
        if a.size and not np.isfinite(a).all():
            raise FloatingPointError(
                f"{name}_t overflowed float64 at step t={t} (squared gradients above ~1e308); "
                "scale the loss (and so the gradients) down")
        fields.append(a.copy() if a is a_old else a)
    return type(new)(*fields)


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, with 0 where den == 0.

    With eps = 0 the denominator is 0 only while every gradient so far was 0, and then
    the numerator is 0 too: the right update is 0, not the NaN of 0/0.
    """
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den > 0)
    return out


# --------------------------------------------------------------------------- SGD
class SGDState(NamedTuple):
    t: int


class SGD(_Optimizer):
    """Gradient descent: x_{t+1} = x_t - alpha_t g_t."""

    _state_type = SGDState

    def _update(self, x, g, state, t, alpha):
        return x - alpha * g, SGDState(t)


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

    def _update(self, x, g, state, t, alpha):
        m = self.beta * state.m + (1.0 - self.beta) * g          # m_t
        return x - alpha * m, MomentumState(t, m)                 # x_{t+1}


# --------------------------------------------------------------------------- AdaGrad
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

    def _update(self, x, g, state, t, alpha):
        G = state.G + g * g                                        # G_t
        return x - alpha * _safe_div(g, np.sqrt(G) + self.eps), AdaGradState(t, G)


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

    _state_type = RMSPropState
    _nonnegative = ("v",)

    def __init__(self, lr, beta: float = 0.99, eps: float = 1e-8):
        super().__init__(lr)
        self.beta = check_beta(beta, name="beta")
        self.eps = check_eps(eps)

    def _update(self, x, g, state, t, alpha):
        v = self.beta * state.v + (1.0 - self.beta) * g * g        # v_t
        return x - alpha * _safe_div(g, np.sqrt(v) + self.eps), RMSPropState(t, v)


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
    AMSGrad's maximum only, as in Reddi et al. Every argument is checked here, at the door
    (the optimizers call the unchecked ``_adam_moments``).
    """
    if not isinstance(state, AdamState):
        raise invalid("state", state, "the AdamState that "
                      "Adam.init(x) or Adam.step returned")
    x = state.m if isinstance(state.m, np.ndarray) else np.asarray(state.m)
    try:
        state = check_state(state, x, AdamState, Adam._nonnegative, "Adam")
    except ValueError as exc:
        raise ValueError(f"{exc} (in adam_moments)") from None
    try:
        g = check_grad(x, g)
    except ValueError as exc:
        if "does not match" in str(exc):  # which is wrong, g or the state? say both
            raise invalid("gradient g or state", detail=f"g has shape {np.shape(g)}, the state's "
                          f"arrays {x.shape} (they must match)") from None
        raise
    b1, b2 = check_beta(b1, 0), check_beta(b2, 1)
    amsgrad = check_flag(amsgrad, "amsgrad")
    with np.errstate(over="ignore", invalid="ignore"):
        m, v, v_max, d = _adam_moments(state, g, b1, b2, amsgrad)
    new = _finite_state(AdamState(state.t + 1, m, v, v_max), state, state.t + 1)
    return (*new, v_max if d is v_max else v)


def _adam_moments(state: AdamState, g: np.ndarray, b1: float, b2: float, amsgrad: bool):
    """:func:`adam_moments` on checked values: (m_t, v_t, v_max_t, d_t)."""
    m = b1 * state.m + (1.0 - b1) * g                              # m_t
    v = b2 * state.v + (1.0 - b2) * g * g                          # v_t
    v_max = np.maximum(state.v_max, v) if amsgrad else state.v_max  # v_hat_t (AMSGrad)
    return m, v, v_max, (v_max if amsgrad else v)                  # d_t


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

    @classmethod
    def _checked(cls, lr, betas, eps, amsgrad, bias_correction):
        """An Adam from values its caller already checked as ``__init__`` does (no second check)."""
        self = object.__new__(cls)
        self.lr, self.betas, self.eps, self.amsgrad, self.bias_correction = lr, betas, eps, amsgrad, bias_correction
        return self

    def _update(self, x, g, state, t, alpha):
        b1, b2 = self.betas
        m, v, v_max, d = _adam_moments(state, g, b1, b2, self.amsgrad)   # m_t, v_t, v_hat_t, d_t
        if self.bias_correction:  # torch.optim.Adam's form
            step = alpha / (1.0 - b1 ** t) * _safe_div(m, np.sqrt(d) / math.sqrt(1.0 - b2 ** t) + self.eps)
        else:                     # Reddi et al., Algorithm 2
            step = alpha * _safe_div(m, np.sqrt(d) + self.eps)
        return x - step, AdamState(t, m, v, v_max)                 # x_{t+1}


def AMSGrad(lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8, bias_correction: bool = True) -> Adam:
    """AMSGrad: ``Adam(..., amsgrad=True)``, named for readability."""
    return Adam(lr=lr, betas=betas, eps=eps, amsgrad=True, bias_correction=bias_correction)
