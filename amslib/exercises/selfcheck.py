"""Check your understanding: short questions after the theory sections, checked at once.

The exercises at the end of a notebook ask for work; these questions ask for one number or
one letter, right after the section that explains it, so that a learner alone finds out at
once whether the section went in. In a notebook:

    from amslib.exercises import selfcheck

    answer = None  # your answer
    selfcheck.check("bias-first-ratio", answer)

Each question has a key (a short name that stays when notebooks are renumbered), the
question as the notebook prints it, the expected answer, the reason (shown with
"Correct!"), and a hint for each common wrong answer. Like the exercise checkers, ``check``
prints "Not attempted yet" for ``None``, "Correct!" or "Not yet:" with a hint, returns True
or False, and never raises on an odd answer. ``selfcheck.answer(key)`` prints the answer
and its reason, for a learner who is stuck.

Two kinds of question:
- :class:`Number`: a number, accepted within a relative tolerance ``rel_tol``;
- :class:`Choice`: one of the lettered options, answered as a string such as ``"b"``.
"""
from __future__ import annotations

import re

from . import failed, not_attempted, questions_00_04, questions_05_09
from .question_kinds import Choice, Number

__all__ = ["Number", "Choice", "QUESTIONS", "check", "answer", "tells"]

#: Every question, by key: notebooks 00 to 04, then 05 to 09 (a module each).
QUESTIONS: dict[str, Number | Choice] = {**questions_00_04.QUESTIONS, **questions_05_09.QUESTIONS}


def check(key: str, given) -> bool:
    """Check the learner's answer ``given`` to the question ``key``; print the verdict."""
    question = QUESTIONS.get(key) if isinstance(key, str) else None
    if question is None:
        return failed(f"there is no question {key!r}; the keys are: {', '.join(QUESTIONS)}.")
    if not_attempted(given):
        return False
    try:
        return question.judge(given)
    except (SystemExit, KeyboardInterrupt) as exc:   # raised by an odd answer's __float__, say
        return failed(f"reading your answer raised {type(exc).__name__}; "
                      "answer with a plain number or a letter as a string.")
    except Exception as exc:  # an odd object whose str() or float() misbehaves
        return failed(f"could not read your answer ({type(exc).__name__}); "
                      "answer with a plain number or a letter as a string.")


def answer(key: str) -> None:
    """Print the answer to question ``key`` and its reason (for a learner who is stuck)."""
    question = QUESTIONS.get(key) if isinstance(key, str) else None
    if question is None:
        print(f"There is no question {key!r}.")
        return
    print(f"Answer: {question.solution()}. {question.why}")


# ----------------------------------------------------------------------------- answers on screen
#: Words that carry no answer: left out when an option's distinctive words are compared.
_FUNCTION_WORDS = frozenset(
    "a an the and or of to in on by is are be it its that what they them their for with as at "
    "this these there than not no".split())
_NUMBER = r"(?<![\d.]){}(?!\d|[.,]\d)"


def _stems(text: str) -> set[str]:
    """The words of ``text``, lower case, without a plural or tense ending."""
    out = set()
    for word in re.findall(r"[a-z]+", text.lower()):
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        out.add(word)
    return out


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n\s*\n|\n\s*- |\n(?=\|)", text) if s.strip()]


def _numerals(q: Number) -> list[str]:
    """The ways a text would print ``q.value`` that ``check`` would accept as the answer; a lone
    digit 0-9 is left out: every formula has them, so it tells nothing."""
    shown = []
    for digits in range(5):
        r = round(abs(q.value), digits)
        text = f"{r:.{digits}f}"
        if q.close(r, abs(q.value)) and text not in shown and not re.fullmatch(r"\d", text):
            shown.append(text)
    return shown


def tells(key: str, text: str) -> list[str]:
    """The statements of question ``key``'s answer in ``text`` (markdown a learner reads before
    the question); empty if ``text`` does not give it away.

    A :class:`Number`'s answer is stated by its value as a standalone number, at any rounding that
    ``check`` accepts (a lone digit 0-9 excepted). A :class:`Choice`'s answer is stated by a sentence that holds every
    distinctive word of the right option (the words no wrong option has, less function words,
    compared without plural or tense endings; a table row is a sentence), or, for a question
    that has ``tells``, by a sentence that matches one of them instead.
    """
    q = QUESTIONS[key]
    flat = re.sub(r"(?<=\d)\{,\}(?=\d)", "", text)          # 10{,}000 -> 10000
    if isinstance(q, Number):
        return [m.group(0) for shown in _numerals(q)
                for m in re.finditer(_NUMBER.format(re.escape(shown)), flat)]
    wrong = set().union(*(_stems(o) for k, o in q.options.items() if k != q.correct))
    distinctive = _stems(q.options[q.correct]) - wrong - _FUNCTION_WORDS
    found = []
    for sentence in _sentences(flat):
        if (distinctive and not q.tells and distinctive <= _stems(sentence)) or any(
                re.search(p, sentence, re.I | re.S) for p in q.tells):
            found.append(sentence)
    return found
