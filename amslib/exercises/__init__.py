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
  library's optimizers) as the learner's work;
* ``SystemExit`` and ``KeyboardInterrupt`` raised by the learner's code (``exit()`` in an
  answer, say) become a hint too, instead of stopping the kernel's cell.

Tolerances follow the answer's precision: a comparison with ``tol(rtol)`` uses ``rtol`` for
float64 answers and 64 machine epsilons of the least precise float the learner gave
(float32: about 8e-6) otherwise, so a float32 (NumPy or PyTorch) answer passes where its
float64 twin does; a wrong third significant digit (1e-3 relative) still fails. Half
precision is refused with a hint. Letter and notation answers are read in every
reasonable spelling (:func:`letter_answer`).
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import math
import re
import reprlib
import signal
import threading
import warnings

__all__ = ["not_attempted", "passed", "failed", "number", "number_answer", "close", "real_array",
           "show", "checker", "TooCoarse", "TIME_LIMIT", "REL_TOL", "tol", "agrees", "letter_answer"]

#: Seconds a check may take before it is stopped with a hint.
TIME_LIMIT = 10.0
#: Relative tolerance of the number checkers: float32 answers (7 digits) and answers
#: computed another way pass; every hinted mistake is much further away than this.
REL_TOL = 1e-6


#: The machine epsilon of the least precise float the learner's answer held, in this check.
_answer_eps: contextvars.ContextVar[float] = contextvars.ContextVar("_answer_eps", default=0.0)
#: Floats coarser than this are refused (float16, bfloat16: a wrong third digit would pass).
_COARSEST_EPS = 1e-6


class TooCoarse(TypeError):
    """An answer in half precision: too coarse to check to three significant digits."""


def _note_precision(dtype) -> None:
    """Record the precision of a float the learner gave (NumPy dtype); refuse half precision."""
    import numpy as np

    try:
        if np.dtype(dtype).kind != "f":
            return
        eps = float(np.finfo(dtype).eps)
    except Exception:
        return
    if eps > _COARSEST_EPS:
        raise TooCoarse(f"half-precision values ({np.dtype(dtype)}) are too coarse to check; "
                        "compute in float32 or float64")
    if eps > _answer_eps.get():
        _answer_eps.set(eps)


def tol(rtol: float) -> float:
    """The relative tolerance for the answer at hand: ``rtol`` for float64 answers, at least
    64 machine epsilons of the least precise float the learner gave (float32: 7.6e-6)."""
    return max(rtol, 64.0 * _answer_eps.get())


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
        if kind == "f":
            try:
                _note_precision(answer.dtype)
            except TypeError as exc:
                failed(f"{exc}.")
                return None
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
    _note_precision(a.dtype)   # the comparisons' tolerance follows it: see tol()
    return a.astype(np.float64)


def number_answer(answer):
    """The learner's answer as a float, or None after printing why not (not attempted yet,
    or not a finite number): the first lines of every checker that wants a number."""
    if not_attempted(answer):
        return None
    return number(answer)


def close(value: float, want: float, rel_tol: float = REL_TOL, abs_tol: float = 1e-12) -> bool:
    """The number checkers' comparison: equal to ``tol(rel_tol)`` (float32 answers pass)."""
    return math.isclose(value, want, rel_tol=tol(rel_tol), abs_tol=abs_tol)


def agrees(value: float, want: float, digits: int = 3) -> bool:
    """True when ``value`` is ``want`` (to the answer's precision), or ``want`` rounded or
    truncated to ``digits`` or more significant digits: for 0.19757 and digits = 3, 0.198,
    0.197, 0.1976 and 0.19757 agree; 0.196 and 0.1995 do not."""
    if close(value, want):
        return True
    if want == 0 or not math.isfinite(want):
        return False
    top = math.floor(math.log10(abs(want)))
    for k in range(digits, 16):
        scale = 10.0 ** (k - 1 - top)
        for shown in (round(want * scale) / scale, math.trunc(want * scale) / scale):
            if math.isclose(value, shown, rel_tol=tol(1e-12), abs_tol=0.0):
                return True
    return False


_QUOTES = "\"'`\u2018\u2019\u201c\u201d"


def _words(text: str) -> str:
    return " ".join(re.findall(r"[+\-]?\d+(?:\.\d+)?|[a-z0-9]+", text.lower()))   # keeps "-1", "+1"


def letter_answer(answer, options) -> str | None:
    """The option a letter answer names, or None if it names none.

    Accepted for option "b" of {"b": "never negative", ...}: ``"b"``, ``"B"``, ``" b "``,
    ``"b."``, ``"b,"``, ``"(b)"``, ``"b)"``, quoted or in backticks (``"'b'"``, ``"`b`"``),
    ``"(b) never negative"``, ``"b: never negative"``, ``"b - never negative"`` and the
    option's words alone, ``"never negative"`` (case, spaces and punctuation aside).
    A letter followed by another option's words names none."""
    if not isinstance(answer, str):
        return None
    text = answer.strip()
    for _ in range(3):   # nested quotes and brackets: "'(b)'"
        text = text.strip().strip(_QUOTES).strip().rstrip(".,;:!").strip()
    text = text.lower()
    match = re.fullmatch(r"[(\[]?\s*([a-z])\s*[)\]]?(?![a-z0-9])\s*(?:[.:,;)\]=]|[\-\u2013\u2014](?=\s))*\s*(.*)", text,
                         flags=re.S)
    if match and match.group(1) in options:
        letter, rest = match.group(1), _words(match.group(2))
        if not rest or rest == _words(str(options[letter])):
            return letter
    by_words = [k for k, words in options.items() if _words(str(words)) == _words(text)]
    return by_words[0] if len(by_words) == 1 else None


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


def checker(check=None, *, before=None):
    """Wrap a check so that it never raises, never hangs and refuses amslib's own code
    (see the module docstring). The wrapped check always returns True or False.

    ``before`` (optional, no arguments) runs first, outside the time limit: for one-off
    costs that are not the learner's, such as PyTorch importing its optimizer machinery
    the first time an optimizer is built (seconds on a busy machine)."""
    if check is None:
        return functools.partial(checker, before=before)

    @functools.wraps(check)
    def guarded(answer, *args, **kwargs) -> bool:
        origin = _amslib_origin(answer)
        if origin is not None:
            return failed(f"that function comes from {origin} (the course's reference code); "
                          "write your own and pass that.")
        if before is not None:
            before()
        token = _answer_eps.set(0.0)
        try:
            with _time_limit(TIME_LIMIT):
                result = check(answer, *args, **kwargs)
        except (SystemExit, KeyboardInterrupt) as exc:   # exit() or an interrupt in the answer
            return failed(f"your code raised {type(exc).__name__} ({show(str(exc))}): "
                          + ("exit() and sys.exit() stop the program; return a value instead."
                             if isinstance(exc, SystemExit) else
                             "it was interrupted; run the cell again, or look for what raises it."))
        except _OutOfTime:
            return failed(f"checking your answer took longer than {TIME_LIMIT:g} s and was "
                          "stopped: does your code loop forever, or is your answer an endless "
                          "iterator?")
        except Exception as exc:  # whatever the learner's code or answer raises
            return failed(f"checking your answer raised {type(exc).__name__}: {show(str(exc))}")
        finally:
            _answer_eps.reset(token)
        return result is True
    return guarded
