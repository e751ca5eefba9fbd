"""After AMSGrad: NumPy reference implementations of some of its successors.

Same interface as :class:`amslib.optimizers.Adam`::

    opt = Yogi(lr=1e-2)
    state = opt.init(x)
    x_new, state = opt.step(x, grad, state)   # x and the old state are not modified

``lr`` is a float or a schedule alpha(t) of the step number t = 1, 2, ...; states are
immutable named tuples; bad hyper-parameters raise ValueError naming the parameter.
Notation as in :mod:`amslib.optimizers`: g_t the gradient, m_t and v_t the moments,
alpha_t the step size, squares, roots, max and division element-wise, m_0 = v_0 = 0
unless said otherwise.

=================  ==========================================================
:class:`AdamX`     AMSGrad with the maximum rescaled for a decaying beta_1 (Tran and Phong, 2019)
:class:`Yogi`      additive, sign-controlled v_t (Zaheer et al., 2018)
:class:`AdaBound`  Adam's per-coordinate step size clipped to bounds that close in on
                   final_lr * alpha_t / alpha_1 (as the authors' code); ``amsbound=True``
                   is AMSBound (Luo et al., 2019)
:func:`AMSBound`   ``AdaBound(..., amsbound=True)``
:class:`AdamW`     decoupled weight decay, as ``torch.optim.AdamW`` (Loshchilov and Hutter, 2019)
:func:`large_beta2_adam`  plain Adam with beta_2 near 1 (Zhang et al., 2022): no new rule
=================  ==========================================================
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .optimizers import (
    Adam,
    AdamState,
    _adam_moments,
    _Optimizer,
    _safe_div,
    check_beta,
    check_betas,
    check_eps,
    check_nonnegative,
)
from .validation import check_beta1_decay, check_flag, check_lr, check_step, invalid, real_number

__all__ = ["check_beta1_decay", "AdamX", "AdamXState", "Yogi", "YogiState", "AdaBound", "AMSBound",
           "AdamW",
           "large_beta2_adam"]




# --------------------------------------------------------------------------- AdamX
class AdamXState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    v_hat: np.ndarray  # AdamX's rescaled running maximum


class AdamX(_Optimizer):
    r"""AdamX (P. T. Tran and L. T. Phong, "On the Convergence Proof of AMSGrad and a
    New Version", IEEE Access 7, 2019).

    With beta_{1,t} = beta_1 * lambda^(t-1) (``beta1_decay`` = lambda)::

        m_t     = beta_{1,t} m_{t-1} + (1 - beta_{1,t}) g_t
        v_t     = beta_2 v_{t-1} + (1 - beta_2) g_t^2
        v_hat_1 = v_1
        v_hat_t = max((1 - beta_{1,t})^2 / (1 - beta_{1,t-1})^2 * v_hat_{t-1}, v_t)   (t >= 2)
        x_{t+1} = x_t - alpha_t m_t / (sqrt(v_hat_t) + eps)

    No bias correction, as in the paper (and as ``Adam(bias_correction=False)``); eps
    (default 1e-8) is added for safety, eps=0 gives the paper's rule exactly. The paper's
    analysis uses alpha_t = alpha / sqrt(t) (``amslib.schedules.inv_sqrt``) and a
    projection onto the feasible set, which, as everywhere in amslib, is left to the
    caller.

    Why it exists: AMSGrad's convergence proof (Reddi et al., 2018) allows a
    decreasing beta_{1,t}, and Tran and Phong found a gap in that part of the proof;
    the factor (1 - beta_{1,t})^2 / (1 - beta_{1,t-1})^2 >= 1 repairs it by keeping
    v_hat_t / (1 - beta_{1,t})^2 non-decreasing. **With a constant beta_1 (the default,
    ``beta1_decay=1``) the factor is 1 and AdamX is exactly AMSGrad without bias
    correction**; the two differ only under a decaying beta_1 schedule, where AdamX's
    v_hat may grow although no gradient grew.
    """

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 beta1_decay: float = 1.0):
        super().__init__(lr)
        self.betas = check_betas(betas)
        self.eps = check_eps(eps)
        self.beta1_decay = check_beta1_decay(beta1_decay)

    def beta1_at(self, t: int) -> float:
        """beta_{1,t} = beta_1 * lambda^(t-1), t = 1, 2, ..."""
        t = t if type(t) is int and t >= 1 else check_step(t)
        return self.betas[0] * self.beta1_decay ** (t - 1)

    _state_type = AdamXState
    _nonnegative = ("v", "v_hat")

    def _update(self, x, g, state, t, alpha):
        b1t, b2 = self.beta1_at(t), self.betas[1]
        m = b1t * state.m + (1.0 - b1t) * g                                    # m_t
        v = b2 * state.v + (1.0 - b2) * g * g                                  # v_t
        if t == 1:
            v_hat = v                                                          # v_hat_1
        else:
            factor = ((1.0 - b1t) / (1.0 - self.beta1_at(t - 1))) ** 2
            v_hat = np.maximum(factor * state.v_hat, v)                        # v_hat_t
        return x - alpha * _safe_div(m, np.sqrt(v_hat) + self.eps), AdamXState(t, m, v, v_hat)


# --------------------------------------------------------------------------- Yogi
class YogiState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray


class Yogi(_Optimizer):
    r"""Yogi (M. Zaheer, S. Reddi, D. Sachan, S. Kale and S. Kumar, "Adaptive Methods
    for Nonconvex Optimization", NeurIPS 2018), Algorithm 2::

        m_t     = beta_1 m_{t-1} + (1 - beta_1) g_t
        v_t     = v_{t-1} - (1 - beta_2) sign(v_{t-1} - g_t^2) g_t^2
        x_{t+1} = x_t - alpha_t m_t / (sqrt(v_t) + eps)

    Adam's v_t - v_{t-1} = -(1 - beta_2)(v_{t-1} - g_t^2) moves v by an amount
    proportional to the gap, so one small gradient after large ones can shrink v (and
    blow up the step) quickly. Yogi moves v by (1 - beta_2) g_t^2 only, in the
    direction of g_t^2: v still decreases when gradients get smaller, but more slowly.
    v_t stays >= 0 when v_0 >= 0: if v_{t-1} >= g_t^2 then v_t >= beta_2 g_t^2.

    Defaults are the paper's: eps = 1e-3 (larger than Adam's; the paper found it
    matters), betas (0.9, 0.999), lr 1e-2.

    Initial value: ``initial_accumulator`` sets v_0 (default 0, the same start as
    Adam, so that the two are easy to compare). The paper's experiments start v at a
    small positive value, and common implementations default to 1e-6; pass
    ``initial_accumulator=1e-6`` for that. m_0 = 0 always.

    ``bias_correction=False`` (default) is the paper's rule above. ``True`` scales the
    step as Adam does, alpha_t sqrt(1 - beta_2^t) / (1 - beta_1^t), as some
    implementations (e.g. TensorFlow's) do; it is not in the paper.
    """

    def __init__(self, lr=1e-2, betas=(0.9, 0.999), eps: float = 1e-3,
                 initial_accumulator: float = 0.0, bias_correction: bool = False):
        super().__init__(lr)
        self.betas = check_betas(betas)
        self.eps = check_eps(eps)
        self.initial_accumulator = check_nonnegative(initial_accumulator, "initial_accumulator")
        self.bias_correction = check_flag(bias_correction, "bias_correction")

    _state_type = YogiState
    _nonnegative = ("v",)

    def init(self, x) -> YogiState:
        state = super().init(x)
        return state._replace(v=np.full_like(state.v, self.initial_accumulator))   # v_0

    def _update(self, x, g, state, t, alpha):
        b1, b2 = self.betas
        m = b1 * state.m + (1.0 - b1) * g                                      # m_t
        g2 = g * g
        v = state.v - (1.0 - b2) * np.sign(state.v - g2) * g2                  # v_t
        if self.bias_correction:  # not in the paper (TensorFlow's)
            alpha = alpha * math.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t)
        return x - alpha * _safe_div(m, np.sqrt(v) + self.eps), YogiState(t, m, v)


# --------------------------------------------------------------------------- AdaBound
class AdaBound(_Optimizer):
    r"""AdaBound and AMSBound (L. Luo, Y. Xiong, Y. Liu and X. Sun, "Adaptive Gradient
    Methods with Dynamic Bound of Learning Rate", ICLR 2019).

    Adam whose per-coordinate step size is clipped to [eta_l(t), eta_u(t)]::

        m_t     = beta_1 m_{t-1} + (1 - beta_1) g_t
        v_t     = beta_2 v_{t-1} + (1 - beta_2) g_t^2
        v_hat_t = max(v_hat_{t-1}, v_t)   (the running maximum, kept by AMSBound)
        d_t     = v_hat_t   if amsbound (AMSBound)   else   v_t
        f_t     = final_lr * alpha_t / alpha_1    (scaled_bounds=True, the default)
                  final_lr                        (scaled_bounds=False)
        eta_l(t) = f_t (1 - 1 / (gamma t + 1))
        eta_u(t) = f_t (1 + 1 / (gamma t))
        eta_t   = clip(a_t / (sqrt(d_t) + eps), eta_l(t), eta_u(t))
        x_{t+1} = x_t - eta_t m_t

    The bounds close in on f_t, so the method starts like Adam and ends like SGD with
    momentum and step size f_t. The paper's example bounds are
    eta_l(t) = 0.1 - 0.1 / ((1 - beta_2) t + 1) and eta_u(t) = 0.1 + 0.1 / ((1 - beta_2) t),
    i.e. final_lr = 0.1 and gamma = 1 - beta_2; the authors' code defaults to
    final_lr = 0.1, gamma = 1e-3, as here.

    **The bounds follow the step-size schedule** (``scaled_bounds=True``), as in the
    authors' public code, which computes ``final_lr * lr / base_lr`` at every step: the
    current learning rate over the initial one, i.e. alpha_t / alpha_1 here. Under
    alpha_t = alpha / sqrt(t) the bounds therefore shrink like 1 / sqrt(t), which is also
    what the paper's analysis does (it divides the clipped step by sqrt(t)). With a
    constant ``lr`` the factor is 1. ``scaled_bounds=False`` keeps f_t = final_lr fixed
    whatever the schedule: a variant that is in neither the paper nor the code, kept to
    show what the scaling does (on notebook 09's counterexample it is what makes the
    iterate sit at +1 at every spike). If alpha_1 = 0 the factor is taken as 0 while
    alpha_t = 0, and a later alpha_t > 0 is an error (the authors' code divides by 0).

    Bias correction (which convention): ``bias_correction=True`` (default) follows the
    authors' public code: a_t = alpha_t sqrt(1 - beta_2^t) / (1 - beta_1^t), Adam's
    bias-corrected step size, with eps added to sqrt(d_t) before the correction
    (unlike ``torch.optim.Adam``, which adds eps after). ``bias_correction=False`` uses
    a_t = alpha_t, as in the paper's Algorithms 2 and 3 (without their 1/sqrt(t)).
    The paper's analysis also lets beta_1 decay; its experiments, the authors' code and
    this class keep it constant. No weight decay.

    Where d_t = 0 and eps = 0 the ratio is +inf and the clip gives eta_u(t), its
    limit. :meth:`bounds` returns (eta_l(t), eta_u(t)).
    """

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), final_lr: float = 0.1,
                 gamma: float = 1e-3, eps: float = 1e-8, amsbound: bool = False,
                 bias_correction: bool = True, scaled_bounds: bool = True):
        super().__init__(lr)
        self.betas = check_betas(betas)
        self.final_lr = check_nonnegative(final_lr, "final_lr")
        gamma_f = real_number(gamma, "gamma value", "a float in (0, 1)")
        if not 0.0 < gamma_f < 1.0:
            raise invalid("gamma value", gamma, "in (0, 1)")
        self.gamma = gamma_f
        self.eps = check_eps(eps)
        self.amsbound = check_flag(amsbound, "amsbound")
        self.bias_correction = check_flag(bias_correction, "bias_correction")
        self.scaled_bounds = check_flag(scaled_bounds, "scaled_bounds")

    def final_lr_at(self, t: int) -> float:
        """f_t, the value the bounds close in on at step t: final_lr * alpha_t / alpha_1
        (``scaled_bounds``) or final_lr."""
        t = t if type(t) is int and t >= 1 else check_step(t)
        if not self.scaled_bounds:
            return self.final_lr
        a1, at = self.alpha(1), self.alpha(t)
        if a1 > 0.0:
            return self.final_lr * (at / a1)
        if at == 0.0:
            return 0.0
        raise invalid("learning rate at step t=1", detail="0 (scaled_bounds=True scales "
                      "final_lr by alpha_t / alpha_1; use scaled_bounds=False)")

    def bounds(self, t: int) -> tuple[float, float]:
        """(eta_l(t), eta_u(t)), the interval the step size is clipped to at step t."""
        t = t if type(t) is int and t >= 1 else check_step(t)
        f = self.final_lr_at(t)
        lower = f * (1.0 - 1.0 / (self.gamma * t + 1.0))
        upper = f * (1.0 + 1.0 / (self.gamma * t))
        return lower, upper

    _state_type = AdamState  # the same state as Adam's: (t, m, v, v_max)
    _nonnegative = ("v", "v_max")

    def _update(self, x, g, state, t, alpha):
        b1, b2 = self.betas
        m, v, v_max, d = _adam_moments(state, g, b1, b2, self.amsbound)   # m_t, v_t, v_hat_t, d_t
        a = alpha * math.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t) if self.bias_correction else alpha
        denom = np.sqrt(d) + self.eps
        ratio = np.divide(a, denom, out=np.full(denom.shape, np.inf), where=denom > 0)
        eta = np.clip(ratio, *self.bounds(t))                                  # eta_t
        return x - eta * m, AdamState(t, m, v, v_max)                          # x_{t+1}


def AMSBound(lr=1e-3, betas=(0.9, 0.999), final_lr: float = 0.1, gamma: float = 1e-3,
             eps: float = 1e-8, bias_correction: bool = True,
             scaled_bounds: bool = True) -> AdaBound:
    """AMSBound: ``AdaBound(..., amsbound=True)`` (v_hat_t = max(v_hat_{t-1}, v_t))."""
    return AdaBound(lr=lr, betas=betas, final_lr=final_lr, gamma=gamma, eps=eps,
                    amsbound=True, bias_correction=bias_correction, scaled_bounds=scaled_bounds)


# --------------------------------------------------------------------------- AdamW
class AdamW(Adam):
    r"""AdamW (I. Loshchilov and F. Hutter, "Decoupled Weight Decay Regularization",
    ICLR 2019), exactly as ``torch.optim.AdamW`` (including ``amsgrad=True``)::

        x'      = x_t - alpha_t * weight_decay * x_t        (decay first, g_t unchanged)
        x_{t+1} = the Adam step from x' with gradient g_t   (see amslib.optimizers.Adam)

    The decay does not pass through m_t and v_t, unlike L2 regularisation added to the
    gradient (which Adam would then rescale per coordinate: weights with large
    gradients would be decayed less). g_t is the gradient of the loss alone, taken at
    x_t.

    Convention: as in PyTorch, the decay is multiplied by the learning rate alpha_t.
    The paper writes x_t = x_{t-1} - eta_t (alpha m~_t / (sqrt(v~_t) + eps) +
    lambda x_{t-1}), with eta_t a schedule multiplier and Adam's bias-corrected moments
    m~_t = m_t / (1 - beta_1^t), v~_t = v_t / (1 - beta_2^t) (Kingma and Ba's hats; in
    amslib the hat is AMSGrad's maximum). With alpha_t = eta_t alpha the two agree when
    the paper's lambda is PyTorch's alpha * weight_decay. Default weight_decay = 1e-2, as
    in PyTorch.
    """

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False,
                 bias_correction: bool = True):
        super().__init__(lr=lr, betas=betas, eps=eps, amsgrad=amsgrad,
                         bias_correction=bias_correction)
        self.weight_decay = check_nonnegative(weight_decay, "weight_decay")

    def _update(self, x, g, state, t, alpha):
        x = x * (1.0 - alpha * self.weight_decay)                              # x' (decay first)
        return super()._update(x, g, state, t, alpha)                          # Adam's step from x'


# --------------------------------------------------------------------------- large beta_2
def large_beta2_adam(lr=1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                     bias_correction: bool = True) -> Adam:
    r"""Plain Adam, checked for the condition of Zhang et al. (2022): beta_1 < sqrt(beta_2).

    Y. Zhang, C. Chen, N. Shi, R. Sun and Z.-Q. Luo, "Adam Can Converge Without Any
    Modification On Update Rules", NeurIPS 2022.

    Not a new update rule: this returns ``amslib.optimizers.Adam(lr, (beta1, beta2),
    eps)``, unchanged. The point is the order of the quantifiers.

    * Reddi et al. (2018, Theorem 2) fix a constant pair (beta_1, beta_2) with
      beta_1 < sqrt(beta_2) first and then build a problem on which Adam fails: in the
      proof, f_t(x) = C x when t mod C = 1 and f_t(x) = -x otherwise, on [-1, 1], so the
      period is C, with an integer C chosen large enough from beta_1, beta_2 and
      gamma = beta_1 / sqrt(beta_2). (The period-3 sequence C, -1, -1 is Theorem 1's,
      where beta_1 = 0 and beta_2 = 1 / (1 + C^2) is chosen from C.) That stays true:
      **for every fixed such pair, some problem defeats Adam.**
    * Zhang et al. fix the problem first (an unconstrained finite sum of n smooth
      functions, minibatches drawn by random shuffling, a diminishing step size). They
      show that then **every
      beta_2 close enough to 1** (above a threshold that depends on the problem,
      e.g. on n), together with beta_1 < sqrt(beta_2), makes Adam converge: to a
      neighbourhood of the stationary points, whose size shrinks to 0 when the gradient
      noise vanishes at stationary points (their strong growth condition), and to
      stationary points then. With beta_2 too small for the problem, Adam can diverge.

    In practice: a large beta_2 (0.999 and above) is what practitioners already use, and
    Zhang et al. offer their result as one reason why Adam's failures are rarely seen;
    the counterexamples need a beta_2 that is small for their period C. The check here raises
    ValueError when beta_1 >= sqrt(beta_2);
    whether beta_2 is large enough cannot be checked without the problem.
    """
    b1 = check_beta(beta1, name="beta1")
    b2 = check_beta(beta2, name="beta2")
    if not b1 < math.sqrt(b2):
        raise invalid("beta1", detail=f"{beta1} (Zhang et al. need beta1 < sqrt(beta2) "
                      f"= {math.sqrt(b2):.6g})")
    lr, eps, flag = check_lr(lr), check_eps(eps), check_flag(bias_correction, "bias_correction")
    return Adam._checked(lr, (b1, b2), eps, False, flag)  # every argument checked above, once
