"""The two kinds of self-check question (:mod:`amslib.exercises.selfcheck`): a number, a letter."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import failed, letter_answer, number, passed, show, tol

__all__ = ["Number", "Choice"]


@dataclass(frozen=True)
class Number:
    """A question whose answer is a number.

    ``mistakes`` maps common wrong answers to their hints; an answer within ``rel_tol`` (or
    ``abs_tol``) of ``value`` is correct, one within the same tolerance of a mistake gets
    that mistake's hint, anything else gets ``hint``.
    """
    question: str
    value: float
    why: str
    hint: str
    mistakes: tuple[tuple[float, str], ...] = ()
    rel_tol: float = 0.01
    abs_tol: float = 0.0

    def close(self, a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=tol(self.rel_tol), abs_tol=self.abs_tol)

    def judge(self, given) -> bool:
        value = number(given)
        if value is None:
            return False
        if self.close(value, self.value):
            return passed(self.why)
        for wrong, hint in self.mistakes:
            if self.close(value, wrong):
                return failed(hint)
        if self.value != 0 and self.close(-value, self.value):
            return failed("the size is right, the sign is not: the question asks for "
                          f"{'a positive' if self.value > 0 else 'a negative'} number.")
        return failed(self.hint)

    def solution(self) -> str:
        return f"{self.value:g}"


@dataclass(frozen=True)
class Choice:
    """A question with lettered options; ``hints`` has a hint for every wrong letter."""
    question: str
    options: dict[str, str]
    correct: str
    why: str
    hints: dict[str, str] = field(default_factory=dict)
    #: regular expressions of sentences that state the answer, for options that words cannot
    #: tell apart (symbols such as "-1 and +1", or the order of quantifiers) or that the text
    #: names without giving the answer (an experiment, a library); given, they replace the
    #: distinctive-word rule; see :func:`tells`
    tells: tuple[str, ...] = ()

    def letters(self) -> str:
        return ", ".join(f'"{k}"' for k in self.options)

    def judge(self, given) -> bool:
        if not isinstance(given, str):
            return failed(f"answer with one letter as a string: {self.letters()}.")
        key = letter_answer(given, self.options)   # "b", "(b)", "b: never negative", the words ...
        if key is None:
            return failed(f"answer with one of the letters {self.letters()} (got {show(given)}).")
        if key == self.correct:
            return passed(self.why)
        if key in self.hints:
            return failed(self.hints[key])
        return failed(f"answer with one of the letters {self.letters()}.")

    def solution(self) -> str:
        return f'"{self.correct}" ({self.options[self.correct]})'
