"""Checks for the exercises of notebook 00 (start here)."""
from __future__ import annotations

import math

from . import _QUOTES, checker, close, failed, not_attempted, number_answer, passed, show


@checker
def check_step_size(answer) -> bool:
    """Exercise 00.1: alpha_t = alpha / sqrt(t) with alpha = 0.5, at t = 16."""
    value = number_answer(answer)
    if value is None:
        return False
    if close(value, 0.5 / math.sqrt(16)):
        return passed("alpha_16 = 0.5 / 4 = 0.125.")
    if close(value, 0.5 / 16):
        return failed("that is alpha / t; the schedule divides by the square root of t.")
    if close(value, 0.5 * math.sqrt(16)):
        return failed("that is alpha * sqrt(t); the step size shrinks: divide alpha by sqrt(t).")
    if close(value, 0.5):
        return failed("that is alpha itself, alpha_1; at t = 16 divide it by sqrt(16).")
    if close(value, 0.5 / math.sqrt(15)) or close(value, 0.5 / math.sqrt(17)):
        return failed("t is off by one: plug in t = 16 itself, so sqrt(t) = 4.")
    return failed("alpha_t = alpha / sqrt(t): plug in alpha = 0.5 and t = 16.")


@checker
def check_best_point(answer) -> bool:
    """Exercise 00.2: the minimiser over F = [-1, 1] of the linear loss f(x) = 2x."""
    value = number_answer(answer)
    if value is None:
        return False
    if value == -1.0:
        return passed("a linear loss with positive slope is smallest at the left end of F.")
    if value == 1.0:
        return failed("x = +1 is the worst point: f(1) = 2 is the largest value on F.")
    if value == -2.0:
        return failed("-2 is the smallest value of the loss, f(-1); the question asks for the point x "
                      "where it is reached.")
    if value == 0.0:
        return failed("x = 0 is where f is zero, not where it is smallest: a linear loss has no "
                      "minimum inside F, it is smallest at an end point.")
    if abs(value) > 1.0:
        return failed(f"{value:g} is outside F = [-1, 1]: the best point must lie in F.")
    return failed("a linear function on an interval takes its minimum at an end point: -1 or +1?")


@checker
def check_notation(answer) -> bool:
    """Exercise 00.3: whose square root AMSGrad divides m_t by (a symbol, as a string)."""
    if not_attempted(answer):
        return False
    if not isinstance(answer, str):
        return failed(f"name the symbol as a string, in quotes, as in the table's Code column; got {show(answer)}.")
    key = answer.strip()
    for _ in range(3):   # quotes, backticks, a trailing comma or full stop: "`v_hat`," -> v_hat
        key = key.strip().strip(_QUOTES + "$").strip().rstrip(".,;:!").strip()
    key = key.lower().replace(" ", "").replace("\\", "").replace("$", "")
    key = key.replace("\u0302", "hat").replace("widehat", "hat").replace("{", "").replace("}", "")
    key = key.replace("-", "_")   # v-hat
    if key.endswith("_t"):        # v_hat_t, \hat{v}_t
        key = key[:-2]
    if key in {"v_hat", "vhat", "hatv"}:
        return passed("AMSGrad divides m_t by sqrt(v_hat_t) (libraries add eps), the square "
                      "root of the running maximum of v_t.")
    if key in {"v_max", "vmax"}:   # amslib's name for it
        return passed("v_max is amslib's name for v_hat_t, the running maximum of v_t; "
                      "AMSGrad divides m_t by sqrt(v_hat_t) (libraries add eps).")
    if key == "v":
        return failed("sqrt(v_t) (plus eps in libraries) is what Adam divides by; AMSGrad uses "
                      "its running maximum.")
    if key in {"m", "m_hat", "mhat", "hatm", "g"}:
        return failed(f"{answer.strip()} is in the numerator (m_t is the average gradient, what "
                      "is divided); the question asks for the symbol under the square root.")
    if "sqrt" in key or "eps" in key or key.startswith(("√", "root")):
        return failed("name only the symbol under the square root, as in the table's Code column.")
    return failed("look at the notation table: which symbol is the running maximum of v_t?")


def expected_answers() -> dict:
    """The right answers of this notebook's value exercises (for the student edition's
    sealed checkers, :mod:`amslib.exercises.sealed`)."""
    return {"check_step_size": [0.5 / math.sqrt(16)], "check_best_point": [-1.0],
            "check_notation": ["v_hat", "vhat", "hatv", "v_max", "vmax"]}
