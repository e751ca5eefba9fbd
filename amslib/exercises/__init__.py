"""Automatic checks for the notebooks' exercises.

Each notebook has its own module (``amslib.exercises.nb01`` for notebook 01, ...). A check
takes the learner's answer, compares it with the reference implementation, prints a short
verdict with a hint, and returns True or False. An answer left as ``None`` (or ``...``)
counts as "not attempted yet", so the notebooks run top to bottom before any exercise is
done.

Every ``check_*`` function is wrapped in :func:`checker`, which makes three promises for
any answer whatsoever (tests/test_exercises.py tries random ones):

* it never raises: an exception from the learner's code, or from an answer that is not
  what was asked (an object whose ``__float__`` raises, say), becomes a hint;
* it never hangs: a check that takes longer than :data:`TIME_LIMIT` seconds (an endless
  loop in the learner's function, an endless iterator as an answer) is stopped with a
  hint (on Linux and macOS, in the main thread, where Jupyter runs a notebook's code);
* it does not accept amslib's own functions (the checkers' reference solutions, or the
  library's optimizers) as the learner's work.
"""
from __future__ import annotations

import contextlib
import functools
import math
import reprlib
import signal
import threading
import warnings

__all__ = ["not_attempted", "passed", "failed", "number", "number_answer", "close", "real_array",
           "show", "checker", "TIME_LIMIT", "REL_TOL"]

#: Seconds a check may take before it is stopped with a hint.
TIME_LIMIT = 10.0
#: Relative tolerance of the number checkers: float32 answers (7 digits) and answers
#: computed another way pass; every hinted mistake is much further away than this.
REL_TOL = 1e-6


def not_attempted(answer) -> bool:
    """True when the learner has not filled in the answer yet; prints a reminder."""
    if answer is None or answer is Ellipsis:
        print("Not attempted yet: replace the None above with your answer and run the cell again.")
        return True
    return False


def passed(message: str = "") -> bool:
    print("Correct!" + (f" {message}" if message else ""))
    return True


def failed(message: str) -> bool:
    print(f"Not yet: {message}")
    return False


_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 60


def show(obj) -> str:
    """A short repr of the learner's answer that never raises (for hints)."""
    try:
        return _repr.repr(obj)
    except Exception:  # an answer whose __repr__ raises
        return f"<a {type(obj).__name__} object>"


def number(answer):
    """The answer as a float, or None after printing why it is not one finite number.

    Python and NumPy numbers, float32 included, 0-d arrays and one-element tensors are
    numbers; booleans, strings, complex numbers and arrays of several values are not.
    """
    try:
        if hasattr(answer, "detach") and hasattr(answer, "numpy"):  # a torch tensor
            answer = answer.detach().cpu().numpy()
        kind = getattr(getattr(answer, "dtype", None), "kind", None)
        if isinstance(answer, bool) or kind == "b":
            failed(f"expected a number, got the boolean {show(answer)}.")
            return None
        if isinstance(answer, (str, bytes)):
            failed(f"expected a number, got the string {show(answer)} (leave out the quotes).")
            return None
        if isinstance(answer, complex) or kind == "c":
            failed(f"expected a real number, got the complex value {show(answer)}.")
            return None
        shape = tuple(getattr(answer, "shape", ()) or ())
        if math.prod(shape) != 1:
            failed(f"expected one number, got an array of shape {shape}.")
            return None
        if shape or kind is not None:
            answer = answer.item()  # NumPy scalars and one-element arrays
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(answer)
    except Exception:  # not convertible, or an answer whose __float__ raises
        failed(f"expected a number, got {show(answer)}.")
        return None
    if not math.isfinite(value):
        failed(f"expected a number (a finite one), got {value}.")
        return None
    return value


def real_array(value):
    """``np.asarray(value, dtype=float64)``, refusing (TypeError) what that conversion would
    silently change: complex values (the imaginary part would be dropped), booleans,
    strings and other objects. Tensors are converted too."""
    import numpy as np

    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        value = value.detach().cpu().numpy()
    a = np.asarray(value)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"expected real numbers, got an array of dtype {a.dtype}")
    return a.astype(np.float64)


def number_answer(answer):
    """The learner's answer as a float, or None after printing why not (not attempted yet,
    or not a finite number): the first lines of every checker that wants a number."""
    if not_attempted(answer):
        return None
    return number(answer)


def close(value: float, want: float, rel_tol: float = REL_TOL, abs_tol: float = 1e-12) -> bool:
    """The number checkers' comparison: equal to ``rel_tol`` (float32 answers pass)."""
    return math.isclose(value, want, rel_tol=rel_tol, abs_tol=abs_tol)


# ----------------------------------------------------------------------------- the guard
class _OutOfTime(BaseException):
    """Raised inside a check that ran past TIME_LIMIT (a BaseException, so that a
    learner's ``except Exception`` does not swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise _OutOfTime after ``seconds`` (SIGALRM; only in the main thread of a POSIX
    process, and only if no other timer is running; otherwise no limit)."""
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise _OutOfTime

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, old)


def _amslib_origin(answer) -> str | None:
    """The amslib module an answer (function, method, partial or class) comes from."""
    if not callable(answer):
        return None
    for obj in (answer, getattr(answer, "func", None), getattr(answer, "__func__", None),
                getattr(answer, "__wrapped__", None)):
        module = getattr(obj, "__module__", None)
        if isinstance(module, str) and (module == "amslib" or module.startswith("amslib.")):
            return module
    return None


def checker(check):
    """Wrap a check so that it never raises, never hangs and refuses amslib's own code
    (see the module docstring). The wrapped check always returns True or False."""
    @functools.wraps(check)
    def guarded(answer, *args, **kwargs) -> bool:
        origin = _amslib_origin(answer)
        if origin is not None:
            return failed(f"that function comes from {origin} (the course's reference code); "
                          "write your own and pass that.")
        try:
            with _time_limit(TIME_LIMIT):
                result = check(answer, *args, **kwargs)
        except _OutOfTime:
            return failed(f"checking your answer took longer than {TIME_LIMIT:g} s and was "
                          "stopped: does your code loop forever, or is your answer an endless "
                          "iterator?")
        except Exception as exc:  # whatever the learner's code or answer raises
            return failed(f"checking your answer raised {type(exc).__name__}: {show(str(exc))}")
        return result is True
    return guarded
