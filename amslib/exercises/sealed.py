"""Checkers that hold no answer: the student edition's, for the exercises whose answer is a value.

In a graded class the student edition (``python -m tools.student``) must not carry the expected
values: there each value checker is replaced by :func:`sealed`, which knows only salted SHA-256
digests of the right answer's spellings (:func:`spellings`), says whether the answer has one of
them, and otherwise gives shape feedback only (a number, a string, a list of n numbers were
expected). The course itself (the learner's edition) keeps the full checkers and their hints;
the grader always checks with those. Each ``nbNN`` module lists its value exercises' answers in
``expected_answers()`` (tests/test_exercise_sealed.py keeps it complete and right).
"""
from __future__ import annotations

import hashlib
import math

from . import checker, failed, not_attempted, passed


def _number(x) -> float | None:
    if x is None or isinstance(x, (bool, str, bytes)):
        return None
    try:
        value = float(x)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def spellings(answer) -> set[str]:
    """An answer written canonically: a number to 4 and to 3 significant digits (an answer
    within a millionth of a rounding boundary is written both ways), a string in lower case
    without spaces, quotes or brackets at its ends, a sequence item by item (4 digits)."""
    value = _number(answer)
    if value is not None:
        return {f"{value * (1 + d):.{k}g}" for k in (3, 4) for d in (-1e-6, 0.0, 1e-6)}
    if isinstance(answer, str):
        return {"".join(answer.lower().split()).strip("'\"`$.,;()")}
    try:
        items = [_number(x) for x in list(answer)[:1000]]
    except TypeError:
        return set()
    return {"[" + ",".join(f"{x:.4g}" for x in items) + "]"} if None not in items else set()


def digests(answers, salt: str) -> tuple[str, ...]:
    return tuple(sorted({hashlib.sha256(f"{salt}:{s}".encode()).hexdigest() for a in answers for s in spellings(a)}))


def shape(answer) -> str:
    if _number(answer) is not None:
        return "a number"
    if isinstance(answer, str):
        return "a string"
    return f"a list of {len(list(answer))} numbers" if spellings(answer) else "something else"


def sealed(name: str, salt: str, known: tuple[str, ...], expected_shape: str):
    """A checker named ``name`` that accepts an answer whose spellings have a digest in ``known``."""

    def check(answer) -> bool:
        if not_attempted(answer):
            return False
        if set(digests([answer], salt)) & set(known):
            return passed("(this edition checks a digest of the answer; the grader checks it fully).")
        got = shape(answer)
        if got != expected_shape:
            return failed(f"expected {expected_shape}, got {got}.")
        return failed("that is not the expected value (this edition holds only a digest of the answer, "
                      "so it cannot say more: check your working against the notebook).")

    check.__name__ = check.__qualname__ = name
    return checker(check)
