"""Automatic checks for the notebooks' exercises.

Each notebook has its own module (``amslib.exercises.nb01`` for notebook 01, ...). A check
takes the learner's answer, compares it with the reference implementation, prints a short
verdict with a hint, and returns True or False. An answer left as ``None`` (or ``...``)
counts as "not attempted yet", so the notebooks run top to bottom before any exercise is
done.
"""
from __future__ import annotations

import math

__all__ = ["not_attempted", "passed", "failed", "number", "number_answer"]


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


def number(answer):
    """float(answer), or None after printing why it is not a (finite) number."""
    if isinstance(answer, bool):
        failed(f"expected a number, got the boolean {answer!r}.")
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        failed(f"expected a number, got {answer!r}.")
        return None
    if not math.isfinite(value):
        failed(f"expected a finite number, got {value}.")
        return None
    return value


def number_answer(answer):
    """The learner's answer as a float, or None after printing why not (not attempted yet,
    or not a finite number): the first lines of every checker that wants a number."""
    if not_attempted(answer):
        return None
    return number(answer)
