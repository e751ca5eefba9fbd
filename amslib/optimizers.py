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

__all__ = [
    "SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "AMSGrad",
    "SGDState", "MomentumState", "AdaGradState", "RMSPropState", "AdamState",
    "check_lr", "check_beta", "check_eps", "check_nonnegative", "adam_moments",
]


# --------------------------------------------------------------------------- checks
def check_lr(lr, name: str = "learning rate"):
    """Accept a float >= 0 or a callable schedule; raise ValueError otherwise."""
    if callable(lr):
        return lr
    try:
        value = float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid {name}: {lr!r} (must be a float >= 0 or a callable of t)") from None
    if not math.isfinite(value) or value < 0.0:
        raise ValueError(f"Invalid {name}: {lr} (must be a finite float >= 0)")
    return value


def check_beta(beta, index=None, name: str = "beta parameter") -> float:
    """beta must lie in [0, 1). ``index`` reproduces torch.optim's message for betas."""
    where = f" at index {index}" if index is not None else ""
    try:
        value = float(beta)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid {name}{where}: {beta!r} (must be a float in [0, 1))") from None
    if not 0.0 <= value < 1.0:  # also rejects NaN
        raise ValueError(f"Invalid {name}{where}: {beta} (must be in [0, 1))")
    return value


def check_betas(betas) -> tuple[float, float]:
    try:
        b1, b2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"Invalid betas: {betas!r} (must be a pair (beta_1, beta_2))") from None
    return check_beta(b1, 0), check_beta(b2, 1)


def check_nonnegative(value, name: str) -> float:
    """A finite float >= 0; the message names the parameter (``Invalid <name> value: ...``)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid {name} value: {value!r} (must be a float >= 0)") from None
    if not math.isfinite(v) or v < 0.0:
        raise ValueError(f"Invalid {name} value: {value} (must be a finite float >= 0)")
    return v


def check_eps(eps) -> float:
    return check_nonnegative(eps, "epsilon")


def _as_params(x) -> np.ndarray:
    x = np.array(x, dtype=np.float64)  # a copy: we never modify the caller's array
    if not np.all(np.isfinite(x)):
        raise ValueError("Invalid parameters x: contains NaN or inf")
    return x


def _check_grad(x: np.ndarray, grad) -> np.ndarray:
    g = np.asarray(grad, dtype=np.float64)
    if g.shape != np.shape(x):
        raise ValueError(
            f"Invalid gradient: shape {g.shape} does not match the parameters' shape {np.shape(x)}")
    if not np.all(np.isfinite(g)):
        bad = np.flatnonzero(~np.isfinite(g))[0]
        raise ValueError(
            f"Invalid gradient: non-finite value {g.flat[bad]} at flat index {bad} "
            "(gradients must be finite)")
    return g


class _Optimizer:
    """Shared plumbing: the step-size schedule and input checks."""

    def __init__(self, lr):
        self.lr = check_lr(lr)
        self._schedule = as_schedule(self.lr)

    def alpha(self, t: int) -> float:
        """The step size alpha_t at step t (t = 1, 2, ...)."""
        a = float(self._schedule(t))
        if not math.isfinite(a) or a < 0.0:
            raise ValueError(f"Invalid learning rate at step t={t}: {a} (must be a finite float >= 0)")
        return a

    def _params_and_grad(self, x, grad):
        x = _as_params(x)
        return x, _check_grad(x, grad)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


# --------------------------------------------------------------------------- SGD
class SGDState(NamedTuple):
    t: int


class SGD(_Optimizer):
    """Gradient descent: x_{t+1} = x_t - alpha_t g_t."""

    def init(self, x) -> SGDState:
        _as_params(x)
        return SGDState(t=0)

    def step(self, x, grad, state: SGDState):
        x, g = self._params_and_grad(x, grad)
        t = state.t + 1
        return x - self.alpha(t) * g, SGDState(t)


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

    def __init__(self, lr, beta: float = 0.9):
        super().__init__(lr)
        self.beta = check_beta(beta, name="beta")

    def init(self, x) -> MomentumState:
        x = _as_params(x)
        return MomentumState(t=0, m=np.zeros_like(x))

    def step(self, x, grad, state: MomentumState):
        x, g = self._params_and_grad(x, grad)
        t = state.t + 1
        m = self.beta * state.m + (1.0 - self.beta) * g
        return x - self.alpha(t) * m, MomentumState(t, m)


# --------------------------------------------------------------------------- AdaGrad
def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, with 0 where den == 0.

    With eps = 0 the denominator is 0 only while every gradient so far was 0, and then
    the numerator is 0 too: the right update is 0, not the NaN of 0/0.
    """
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den > 0)
    return out


class AdaGradState(NamedTuple):
    t: int
    G: np.ndarray


class AdaGrad(_Optimizer):
    """AdaGrad (Duchi, Hazan and Singer, 2011), diagonal form.

        G_t     = G_{t-1} + g_t^2                 (element-wise)
        x_{t+1} = x_t - alpha_t g_t / (sqrt(G_t) + eps)
    """

    def __init__(self, lr, eps: float = 1e-10):
        super().__init__(lr)
        self.eps = check_eps(eps)

    def init(self, x) -> AdaGradState:
        x = _as_params(x)
        return AdaGradState(t=0, G=np.zeros_like(x))

    def step(self, x, grad, state: AdaGradState):
        x, g = self._params_and_grad(x, grad)
        t = state.t + 1
        G = state.G + g * g
        return x - self.alpha(t) * _safe_div(g, np.sqrt(G) + self.eps), AdaGradState(t, G)


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

    def init(self, x) -> RMSPropState:
        x = _as_params(x)
        return RMSPropState(t=0, v=np.zeros_like(x))

    def step(self, x, grad, state: RMSPropState):
        x, g = self._params_and_grad(x, grad)
        t = state.t + 1
        v = self.beta * state.v + (1.0 - self.beta) * g * g
        return x - self.alpha(t) * _safe_div(g, np.sqrt(v) + self.eps), RMSPropState(t, v)


# --------------------------------------------------------------------------- Adam
class AdamState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray  # running maximum of v_t (used only when amsgrad=True)


def adam_moments(state: AdamState, g: np.ndarray, b1: float, b2: float, amsgrad: bool):
    """One update of Adam's moments, shared by every rule of the Adam family.

        m_t = beta_1 m_{t-1} + (1 - beta_1) g_t
        v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2
        v_max_t = max(v_max_{t-1}, v_t)             (kept only when amsgrad)
        v_hat_t = v_max_t if amsgrad else v_t       (what the step divides by)

    Returns (t, m_t, v_t, v_max_t, v_hat_t), with t the new step number.
    """
    m = b1 * state.m + (1.0 - b1) * g
    v = b2 * state.v + (1.0 - b2) * g * g
    v_max = np.maximum(state.v_max, v) if amsgrad else state.v_max
    return state.t + 1, m, v, v_max, (v_max if amsgrad else v)


class Adam(_Optimizer):
    """Adam (Kingma and Ba, 2015) and AMSGrad (Reddi, Kale and Kumar, 2018).

    Moments, with m_0 = v_0 = 0::

        m_t = beta_1 m_{t-1} + (1 - beta_1) g_t
        v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2
        v_hat_t = max(v_hat_{t-1}, v_t)   if amsgrad   else   v_t

    ``bias_correction=True`` (default) is exactly ``torch.optim.Adam``, including its
    AMSGrad variant: the maximum is taken over the raw v_t, then bias-corrected, and
    eps is added after the correction::

        x_{t+1} = x_t - alpha_t / (1 - beta_1^t) * m_t / (sqrt(v_hat_t) / sqrt(1 - beta_2^t) + eps)

    ``bias_correction=False`` is the paper's form (Reddi et al., Algorithm 2, with a
    constant beta_1 and an eps for safety; eps=0 gives the paper exactly)::

        x_{t+1} = x_t - alpha_t m_t / (sqrt(v_hat_t) + eps)

    The projection onto the feasible set F is not part of the optimizer; the
    synthetic problems of :mod:`amslib.synthetic` clip after each step.
    """

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 amsgrad: bool = False, bias_correction: bool = True):
        super().__init__(lr)
        self.betas = check_betas(betas)
        self.eps = check_eps(eps)
        self.amsgrad = bool(amsgrad)
        self.bias_correction = bool(bias_correction)

    def init(self, x) -> AdamState:
        x = _as_params(x)
        zeros = np.zeros_like(x)
        return AdamState(t=0, m=zeros, v=zeros, v_max=zeros)

    def step(self, x, grad, state: AdamState):
        x, g = self._params_and_grad(x, grad)
        b1, b2 = self.betas
        t, m, v, v_max, v_hat = adam_moments(state, g, b1, b2, self.amsgrad)
        alpha = self.alpha(t)
        if self.bias_correction:
            denom = np.sqrt(v_hat) / math.sqrt(1.0 - b2 ** t) + self.eps
            x_new = x - (alpha / (1.0 - b1 ** t)) * _safe_div(m, denom)
        else:
            x_new = x - alpha * _safe_div(m, np.sqrt(v_hat) + self.eps)
        return x_new, AdamState(t, m, v, v_max)


def AMSGrad(lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8, bias_correction: bool = True) -> Adam:
    """AMSGrad: ``Adam(..., amsgrad=True)``, named for readability."""
    return Adam(lr=lr, betas=betas, eps=eps, amsgrad=True, bias_correction=bias_correction)
