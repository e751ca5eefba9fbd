"""AdamNC: the second fix of Reddi, Kale and Kumar (ICLR 2018, Section 6, "Extension: AdamNC algorithm", Algorithm 3).

Same interface as :class:`amslib.optimizers.Adam`::

    from amslib.adamnc import AdamNC
    from amslib.schedules import inv_sqrt

    opt = AdamNC(lr=inv_sqrt(0.5), beta1=0.9)
    state = opt.init(x)
    x_new, state = opt.step(x, grad, state)   # x and the old state are not modified

AMSGrad keeps Adam's constant beta_2 and divides by a running maximum. AdamNC ("Adam,
non-constant") keeps Adam's division by sqrt(v_t) and changes beta_2 instead: it grows
with t, beta_{2t} = 1 - 1/t, so that v_t becomes the plain average of *all* squared
gradients so far,

    v_t = (1 - 1/t) v_{t-1} + (1/t) g_t^2 = (g_1^2 + ... + g_t^2) / t,

and no gradient is ever forgotten. With alpha_t = alpha / sqrt(t) the effective step is
alpha_t / sqrt(v_t) = alpha / sqrt(g_1^2 + ... + g_t^2): AdaGrad's, which never grows,
so the paper's Gamma_t >= 0 holds. With beta_1 = 0 AdamNC *is* AdaGrad (eps aside).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .optimizers import _Optimizer, _safe_div, check_beta, check_eps
from .validation import check_beta1_decay, check_step

__all__ = ["AdamNC", "AdamNCState"]


class AdamNCState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray  # the average of g_1^2, ..., g_t^2


class AdamNC(_Optimizer):
    r"""AdamNC (Reddi, Kale and Kumar, 2018, Algorithm 3) with beta_{2t} = 1 - 1/t.

    With m_0 = v_0 = 0, beta_{1t} = beta_1 lambda^(t-1) (``beta1_decay`` = lambda, default
    1: a constant beta_1, as in practice) and beta_{2t} = 1 - 1/t::

        m_t     = beta_{1t} m_{t-1} + (1 - beta_{1t}) g_t
        v_t     = beta_{2t} v_{t-1} + (1 - beta_{2t}) g_t^2    = (1/t) sum_{i<=t} g_i^2
        x_{t+1} = x_t - alpha_t m_t / (sqrt(v_t) + eps)

    (beta_{2,1} = 0, so v_1 = g_1^2: v_t needs no bias correction, being an exact average.)
    No bias correction, as in the paper; eps (default 1e-8) is added for safety and
    eps = 0 gives the paper's rule exactly (a 0/0, when every gradient so far was 0, is
    taken as a step of 0). The projection onto the feasible set F is left to the caller,
    as everywhere in amslib (:mod:`amslib.synthetic` clips).

    What the paper proves (Theorem 5, Corollary 2): under the hypotheses of its AMSGrad
    theorem (convex f_t, bounded diameter D_inf, gradients bounded by G_inf,
    alpha_t = alpha / sqrt(t), beta_{1t} <= beta_1) and conditions on the sequence
    beta_{2t} that 1 - 1/t satisfies, AdamNC with beta_{1t} = beta_1 lambda^(t-1) has
    O(sqrt(T)) regret. As for AMSGrad, that proof needs the decay of beta_{1t}; the
    default here, like the paper's experiments, keeps beta_1 constant.
    """

    def __init__(self, lr=1e-3, beta1: float = 0.9, eps: float = 1e-8,
                 beta1_decay: float = 1.0):
        super().__init__(lr)
        self.beta1 = check_beta(beta1, name="beta1")
        self.eps = check_eps(eps)
        self.beta1_decay = check_beta1_decay(beta1_decay)

    def beta1_at(self, t: int) -> float:
        """beta_{1t} = beta_1 lambda^(t-1), t = 1, 2, ..."""
        t = t if type(t) is int and t >= 1 else check_step(t)
        return self.beta1 * self.beta1_decay ** (t - 1)

    @staticmethod
    def beta2_at(t: int) -> float:
        """beta_{2t} = 1 - 1/t, t = 1, 2, ...: v_t is the average of g_1^2, ..., g_t^2."""
        t = t if type(t) is int and t >= 1 else check_step(t)
        return 1.0 - 1.0 / t

    _state_type = AdamNCState
    _nonnegative = ("v",)

    def _update(self, x, g, state, t, alpha):
        b1t, b2t = self.beta1_at(t), self.beta2_at(t)
        m = b1t * state.m + (1.0 - b1t) * g                                    # m_t
        v = b2t * state.v + (1.0 - b2t) * g * g                                # v_t
        return x - alpha * _safe_div(m, np.sqrt(v) + self.eps), AdamNCState(t, m, v)
