"""Checks of the values a learner passes to amslib: one place for all of them.

Every check returns the value in its plain form (a float, an int, a bool, a float64
array) or raises a ValueError that names the parameter and says what is allowed, in
``torch.optim``'s wording where it has one ("Invalid beta parameter at index 1: ...").
The checks refuse what Python or NumPy would otherwise convert quietly into something
else: ``True`` as the number 1, the string ``'False'`` as the flag True, ``'0.1'`` as
0.1, a complex number as its real part, ``2.7`` steps as 2, a one-element list as a
number. The optimizers of :mod:`amslib.optimizers`, :mod:`amslib.beyond` and
:mod:`amslib.torch_optim`, the simulators and the models all use these, so that the
same bad value gets the same message everywhere.
"""
from __future__ import annotations

import itertools
import math
import numbers
import operator

import numpy as np

__all__ = ["G_MAX", "G_MIN", "check_gradient_value",
           "invalid", "real_number", "check_real", "check_positive", "check_lr", "check_beta", "check_betas",
           "check_nonnegative", "check_eps", "check_flag", "check_count", "check_step", "check_seed",
           "check_schedule_value", "as_real_array", "check_grad", "describe", "MAX_ELEMENTS",
           "check_beta1_decay", "check_optimizer", "check_x0", "check_within"]

#: The most elements an array argument may have. Arrays are copied to float64 (8 bytes an
#: element) before use; a broadcast view costs no memory until then, so the size is checked
#: before the copy (10^9 elements would be 8 GB).
MAX_ELEMENTS = 5 * 10 ** 7


def describe(value) -> str:
    """A short repr for error messages (long arrays and strings are cut)."""
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= 80 else text[:77] + "..."


def invalid(name: str, value=None, allowed: str = "", *, detail: str | None = None,
            error: type[Exception] = ValueError) -> Exception:
    """The one message every check in amslib uses: ``Invalid <name>: <value> (must be
    <allowed>)``. ``detail`` replaces what follows the colon where the value alone does not
    show what is wrong (a shape, where a non-finite entry is, a limit and what it protects)."""
    if detail is None:
        detail = describe(value) + (f" (must be {allowed})" if allowed else "")
    return error(f"Invalid {name}: {detail}")


def real_number(value, name: str, allowed: str = "a real number") -> float:
    """``float(value)`` for a real number (Python, NumPy or a 0-d array/tensor); a
    ValueError ``Invalid <name>: <value> (must be <allowed>)`` for anything else: bools,
    strings, complex numbers, None, arrays of several numbers. Not checked for finiteness."""
    bad = invalid(name, value, allowed)
    if isinstance(value, (bool, np.bool_, str, bytes, complex, np.complexfloating)) or value is None:
        raise bad
    if not isinstance(value, numbers.Real):  # arrays, tensors, Decimal-like objects
        dtype = getattr(value, "dtype", None)
        kind = getattr(dtype, "kind", None)
        if kind is None and dtype is not None:  # a torch dtype
            kind = "c" if dtype.is_complex else ("f" if dtype.is_floating_point else
                                                 ("b" if str(dtype) == "torch.bool" else "i"))
        if kind is not None and (kind not in "iuf" or np.ndim(value) != 0):
            raise bad
    detach = getattr(value, "detach", None)
    if callable(detach):  # a tensor that requires grad: float() of it warns
        value = detach()
    try:
        return float(value)
    except Exception:
        raise bad from None


def check_real(value, name: str, allowed: str = "a finite number") -> float:
    """A finite float; ``allowed`` (the range, in words) is repeated in every message."""
    v = real_number(value, name, allowed)
    if not math.isfinite(v):
        raise invalid(name, value, allowed)
    return v


#: The largest |g_t| a problem allows: its square, 1e300, still fits in float64 (max ~1.8e308).
G_MAX = 1e150
#: The smallest nonzero |g_t| a problem allows: its square, 1e-300, is still a normal float64.
G_MIN = 1e-150


def check_gradient_value(value, name: str, allow_zero: bool) -> float:
    """A gradient value of a problem: |value| in [G_MIN, G_MAX] (or 0 if allowed)."""
    value = check_real(value, name, f"a finite number with |{name}| in [{G_MIN:g}, {G_MAX:g}]"
                       + (" or 0" if allow_zero else ""))
    if value == 0.0 and allow_zero:
        return value
    if not G_MIN <= abs(value) <= G_MAX:
        zero = " or 0" if allow_zero else ""
        raise invalid(name, detail=f"{value} (|{name}| must lie in [{G_MIN:g}, {G_MAX:g}]"
                      f"{zero}, so that its square is a normal float64)")
    return value


def check_positive(value, name: str) -> float:
    """A finite float > 0 (``Invalid <name>: ... (must be a finite number > 0)``)."""
    v = check_real(value, name, "a finite number > 0")
    if not v > 0.0:
        raise invalid(name, value, "a finite number > 0")
    return v


def check_nonnegative(value, name: str) -> float:
    """A finite float >= 0; the message names the parameter (``Invalid <name> value: ...``)."""
    v = real_number(value, f"{name} value", "a finite float >= 0")
    if not math.isfinite(v) or v < 0.0:
        raise invalid(f"{name} value", value, "a finite float >= 0")
    return v


def check_eps(eps) -> float:
    return check_nonnegative(eps, "epsilon")


def check_lr(lr, name: str = "learning rate"):
    """Accept a float >= 0 or a callable schedule (see :mod:`amslib.schedules`)."""
    if callable(lr) and not isinstance(lr, (np.ndarray, np.generic)):
        return lr
    v = real_number(lr, name, "a finite float >= 0 or a callable of t")
    if not math.isfinite(v) or v < 0.0:
        raise invalid(name, lr, "a finite float >= 0 or a callable of t")
    return v


def check_schedule_value(value, t) -> float:
    """What a schedule returned at step t, checked like a learning rate."""
    v = real_number(value, f"learning rate at step t={t}", "a finite float >= 0")
    if not math.isfinite(v) or v < 0.0:
        raise invalid(f"learning rate at step t={t}", v, "a finite float >= 0")
    return v


def check_beta(beta, index=None, name: str = "beta parameter") -> float:
    """beta must lie in [0, 1). ``index`` reproduces torch.optim's message for betas."""
    where = f" at index {index}" if index is not None else ""
    v = real_number(beta, f"{name}{where}", "in [0, 1)")
    if not 0.0 <= v < 1.0:  # also rejects NaN
        raise invalid(f"{name}{where}", beta, "in [0, 1)")
    return v


def check_betas(betas) -> tuple[float, float]:
    """A pair (beta_1, beta_2), each in [0, 1), as a tuple of floats."""
    bad = invalid("betas", betas, "a pair (beta_1, beta_2)")
    if isinstance(betas, (str, bytes, dict, set, frozenset)):
        raise bad
    try:
        pair = list(itertools.islice(iter(betas), 3))  # bounded: an endless iterator is refused
    except TypeError:
        raise bad from None
    if len(pair) != 2:
        raise bad
    return check_beta(pair[0], 0), check_beta(pair[1], 1)


def check_flag(value, name: str) -> bool:
    """True or False (also NumPy's bool); anything else, the string 'False' included, is refused."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise invalid(name, value, "True or False")


def check_count(value, name: str, minimum: int = 0, maximum: int | None = None,
                why: str = "") -> int:
    """An integer (Python or NumPy; not a bool, not 2.0 or 2.7) in [minimum, maximum].
    ``why`` says, in the message, what the upper limit protects (time or memory)."""
    allowed = f"an integer >= {minimum}"
    if isinstance(value, (bool, np.bool_)):
        raise invalid(name, value, f"{allowed}")
    try:
        n = operator.index(value)
    except TypeError:
        raise invalid(name, value, f"{allowed}") from None
    if n < minimum:
        raise invalid(name, n, f"{allowed}")
    if maximum is not None and n > maximum:
        raise invalid(name, detail=f"{n:,} (at most {maximum:,}{': ' + why if why else ''})")
    return n


def check_step(t, name: str = "step number t") -> int:
    """A step number t = 1, 2, ... as an int (an integral float such as 2.0 is taken; 2.5,
    bools, NaN and t < 1 are refused)."""
    if type(t) is int and t >= 1:
        return t
    allowed = "an integer >= 1; steps start at t = 1"
    if not isinstance(t, (bool, np.bool_)):
        try:
            return check_count(t, name, 1)
        except ValueError:
            pass
        try:
            v = real_number(t, name, allowed)
        except ValueError:
            v = None
        if v is not None and math.isfinite(v) and v >= 1.0 and v == math.floor(v):
            return int(v)
    raise invalid(name, t, f"{allowed}")


def check_x0(x0, name: str = "x0") -> float:
    """The start point (or another point ``name``) of a synthetic problem, a number in F = [-1, 1]."""
    x0 = check_real(x0, name, "a finite number in F = [-1, 1]")
    if not -1.0 <= x0 <= 1.0:
        raise invalid(name, detail=f"{x0} (must lie in F = [-1, 1])")
    return x0


def check_within(value, name: str, lo: float, hi: float, why: str) -> float:
    """A finite number in [lo, hi]; the message says the range and, past it, ``why``."""
    v = check_real(value, name, f"a number in [{lo}, {hi}]")
    if not lo <= v <= hi:
        raise invalid(name, v, f"a number in [{lo}, {hi}]; {why}")
    return v


def check_seed(seed, name: str = "seed", generator: bool = False):
    """A seed for ``numpy.random.default_rng``: None, an integer >= 0 or a sequence of them
    (``generator=True``: a ``numpy.random.Generator`` too).

    A Generator is refused otherwise: it changes as it is used, so two runs given the same
    one would not see the same numbers."""
    allowed = "None, an integer >= 0, or a sequence of them"
    if generator:
        if isinstance(seed, np.random.Generator):
            return seed
        allowed += ", or a numpy.random.Generator"
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_, str, bytes, float, np.floating, complex)):
        raise invalid(name, seed, f"{allowed}")
    if isinstance(seed, (np.random.Generator, np.random.RandomState, np.random.BitGenerator)):
        raise invalid(name, detail=f"a {type(seed).__name__} (must be {allowed}; a generator "
                      "changes as it is used, so runs with the same one would differ)")
    try:
        np.random.SeedSequence(seed)
    except Exception:
        raise invalid(name, seed, f"{allowed}") from None
    return seed


def as_real_array(x, name: str = "parameters x") -> np.ndarray:
    """A new float64 array of finite values (the caller's array is never modified).
    Complex, boolean, string and object arrays are refused (NumPy would drop the
    imaginary part, or turn True into 1 and '0.5' into 0.5)."""
    x = _detached(x)
    try:
        raw = np.asarray(x)
    except Exception:
        raise invalid(name, x, "an array of real numbers") from None
    if raw.dtype.kind not in "iuf":
        raise invalid(name, detail=f"{'an array of dtype ' + str(raw.dtype) if raw.ndim else describe(x)} "
                      "(must hold finite real numbers: integers or floats within float64's range)")
    _check_size(raw, name)
    a = np.array(raw, dtype=np.float64)  # a copy
    if not np.all(np.isfinite(a)):
        bad = np.flatnonzero(~np.isfinite(a))[0]
        raise invalid(name, detail=f"non-finite value {a.flat[bad]} at flat index {bad}")
    return a


def _check_size(a: np.ndarray, name: str) -> None:
    """Refuse an array of more than MAX_ELEMENTS elements before it is copied."""
    if a.size > MAX_ELEMENTS:
        raise invalid(name, detail=f"{a.size:,} elements (at most {MAX_ELEMENTS:,}: it is "
                      "copied as float64, 8 bytes an element)")


def _detached(x):
    """A tensor without its autograd graph (NumPy cannot convert one that requires grad)."""
    detach = getattr(x, "detach", None)
    return detach() if callable(detach) and getattr(x, "requires_grad", False) else x


def check_grad(x: np.ndarray, grad) -> np.ndarray:
    """The gradient as a float64 array of x's shape, finite."""
    grad = _detached(grad)
    try:
        raw = np.asarray(grad)
    except Exception:
        raise invalid("gradient", grad, "an array of real numbers") from None
    if raw.dtype.kind not in "iuf":
        raise invalid("gradient", detail=f"an array of dtype {raw.dtype} (must hold real numbers)")
    if raw.shape != np.shape(x):
        raise invalid("gradient", detail=f"shape {raw.shape} does not match the parameters' shape {np.shape(x)}")
    g = np.asarray(raw, dtype=np.float64)
    if g.shape != np.shape(x):
        raise invalid("gradient", detail=f"shape {g.shape} does not match the parameters' shape {np.shape(x)}")
    if not np.all(np.isfinite(g)):
        bad = np.flatnonzero(~np.isfinite(g))[0]
        raise invalid("gradient", detail=f"non-finite value {g.flat[bad]} at flat index {bad} "
                      "(gradients must be finite)")
    return g


def check_beta1_decay(value) -> float:
    """lambda of beta_{1,t} = beta_1 lambda^(t-1): a float in [0, 1] (1: constant beta_1)."""
    lam = real_number(value, "beta1_decay", "in [0, 1]")
    if not 0.0 <= lam <= 1.0:  # also rejects NaN
        raise invalid("beta1_decay", value, "in [0, 1]")
    return lam


def check_optimizer(opt) -> None:
    """TypeError unless ``opt`` has the optimizers' ``init`` and ``step`` methods."""
    if isinstance(opt, type):
        raise invalid("opt", detail=f"the class {opt.__name__} (must be an optimizer object: "
                      f"make one first, {opt.__name__}(lr=...))", error=TypeError)
    if not (callable(getattr(opt, "init", None)) and callable(getattr(opt, "step", None))):
        raise invalid("opt", detail=f"a {type(opt).__name__} (must be an optimizer with init and step, "
                      "such as amslib.optimizers.Adam(...))", error=TypeError)
