"""The "check your understanding" questions (amslib.exercises.selfcheck) and their use in
the notebooks: every question accepts its answer, gives each common mistake its own hint,
survives any odd answer, and is asked in exactly one notebook, right after its question."""
import json
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from amslib.exercises import selfcheck
from amslib.exercises.selfcheck import QUESTIONS, Choice, Number

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KEYS = list(QUESTIONS)
NUMBERS = [k for k in KEYS if isinstance(QUESTIONS[k], Number)]
CHOICES = [k for k in KEYS if isinstance(QUESTIONS[k], Choice)]
VERDICTS = ("Correct!", "Not yet:", "Not attempted yet")


class Weird:
    """An object whose conversions all raise."""
    def __float__(self):
        raise RuntimeError("no float")

    def __str__(self):
        raise RuntimeError("no str")

    __repr__ = __str__


ODD_ANSWERS = [
    "", " ", "banana", "1e", "nan", "inf", "-inf", "0x10", "None", "a b", "ab", "()", "z",
    "\u00e9", "\x00", "b" * 10_000, b"b", b"1.0", float("nan"), float("inf"), -float("inf"),
    1e308, -1e-308, 0, -0.0, True, False, 10**400, 1j, Fraction(1, 3), [], [1.0], [1, 2],
    (), {}, {"b": 1}, {1.0}, np.array([]), np.array([1.0, 2.0]), np.float32(np.nan),
    np.int64(7), object(), Weird(), print, selfcheck, ValueError("x"),
]


@pytest.fixture
def ask(capsys):
    """ask(key, answer) -> (what check returned, what it printed)."""
    def run(key, answer):
        result = selfcheck.check(key, answer)
        return result, capsys.readouterr().out
    return run


def correct_answer(key):
    q = QUESTIONS[key]
    return q.value if isinstance(q, Number) else q.correct


@pytest.mark.parametrize("key", KEYS)
def test_blank_is_not_attempted_and_the_answer_is_correct(ask, key):
    for blank in (None, ...):
        ok, out = ask(key, blank)
        assert ok is False and out.startswith("Not attempted yet")
    ok, out = ask(key, correct_answer(key))
    assert ok is True and out.startswith("Correct!") and len(out) > 20


@pytest.mark.parametrize("key", KEYS)
def test_answer_prints_a_solution_that_check_accepts(ask, capsys, key):
    selfcheck.answer(key)
    printed = capsys.readouterr().out
    assert printed.startswith("Answer: ")
    q = QUESTIONS[key]
    if isinstance(q, Number):
        shown = float(re.match(r"Answer: (\S+?)\.? ", printed).group(1))
        assert ask(key, shown)[0] is True
    else:
        assert f'"{q.correct}"' in printed


@pytest.mark.parametrize("key", NUMBERS)
def test_each_common_mistake_gets_its_own_hint(ask, key):
    q = QUESTIONS[key]
    hints = []
    for wrong, hint in q.mistakes:
        assert not q.close(wrong, q.value), f"{key}: the mistake {wrong} counts as correct"
        ok, out = ask(key, wrong)
        assert ok is False and out == f"Not yet: {hint}\n"
        hints.append(hint)
    assert len(set(hints + [q.hint])) == len(hints) + 1, f"{key}: two mistakes share a hint"
    far = q.value * 7.77 + 123.4        # no mistake of any question is this
    ok, out = ask(key, far)
    assert ok is False and out == f"Not yet: {q.hint}\n"


@pytest.mark.parametrize("key", NUMBERS)
def test_number_within_tolerance_is_correct_and_a_quoted_number_gets_a_hint(ask, key):
    q = QUESTIONS[key]
    near = q.value * (1 + q.rel_tol / 2)
    assert ask(key, near)[0] is True
    # Every checker of the course treats a string as "not a number" (amslib.exercises.number)
    # and says to leave out the quotes, rather than guessing what the text meant.
    result, out = ask(key, f" {q.value!r} ")
    assert result is not True and "quotes" in out
    assert ask(key, np.float64(q.value))[0] is True
    assert ask(key, np.array([q.value]))[0] is True


@pytest.mark.parametrize("key", CHOICES)
def test_choice_letters_and_hints(ask, key):
    q = QUESTIONS[key]
    assert q.correct in q.options and len(q.options) >= 2
    assert set(q.hints) == set(q.options) - {q.correct}, "a hint for every wrong option"
    assert len(set(q.hints.values())) == len(q.hints)
    for spelled in (q.correct.upper(), f" ({q.correct}) ", f"{q.correct}."):
        assert ask(key, spelled)[0] is True
    for letter, hint in q.hints.items():
        ok, out = ask(key, letter)
        assert ok is False and out == f"Not yet: {hint}\n"
    ok, out = ask(key, "q")
    assert ok is False and "one of the letters" in out


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("odd", ODD_ANSWERS, ids=lambda a: type(a).__name__)
def test_odd_answers_never_raise(ask, key, odd):
    ok, out = ask(key, odd)
    assert isinstance(ok, bool) and out.startswith(VERDICTS)
    if ok:   # only something that spells or is the answer may pass
        assert isinstance(odd, (str, bytes, int, float, np.integer))


@pytest.mark.parametrize("key", [None, 3, "no-such-question", ["bias-first-ratio"]])
def test_unknown_question(ask, capsys, key):
    ok, out = ask(key, 1.0)
    assert ok is False and out.startswith("Not yet: there is no question")
    selfcheck.answer(key)
    assert "no question" in capsys.readouterr().out


def test_question_texts_are_questions():
    for key, q in QUESTIONS.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", key), key
        assert q.question.rstrip().endswith(("?", "."))
        assert q.why and (q.hint if isinstance(q, Number) else q.hints)
        if isinstance(q, Number):
            assert math.isfinite(q.value)


# ----------------------------------------------------------------------------- notebooks
CALL = re.compile(r"""selfcheck\.check\(\s*["']([^"']+)["']""")


def cells(path):
    return json.loads(path.read_text())["cells"]


def test_every_question_is_asked_once_after_its_prompt():
    asked = {}
    for path in NOTEBOOKS:
        nb = cells(path)
        for i, cell in enumerate(nb):
            src = "".join(cell["source"])
            for key in CALL.findall(src):
                assert key in QUESTIONS, f"{path.name}: unknown question {key!r}"
                assert key not in asked, f"{key!r} asked in {asked.get(key)} and {path.name}"
                asked[key] = path.name
                if "solution" in cell.get("metadata", {}).get("tags", []):
                    continue
                prompt = "".join(nb[i - 1]["source"])
                assert nb[i - 1]["cell_type"] == "markdown" and prompt.startswith(
                    "**Check your understanding"), f"{path.name}: {key!r} lacks its prompt"
                out = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []))
                assert "Not attempted yet" in out, f"{path.name}: {key!r} is stored answered"
    assert set(asked) == set(QUESTIONS), f"never asked: {set(QUESTIONS) - set(asked)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_has_a_self_check(path):
    assert any(CALL.search("".join(c["source"])) for c in cells(path))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_theory_section_ends_with_a_question(path):
    """Every markdown cell of a notebook's ## Theory that opens a ### section (one section, or
    two short ones sharing the cell and its slide) is followed by a self-check before the
    next section, as LECTURERS.md and CONTRIBUTING.md say."""
    open_section, in_theory, missing = None, False, []
    for cell in cells(path):
        src = "".join(cell["source"])
        if cell["cell_type"] == "code":
            if CALL.search(src):
                open_section = None
            continue
        heads = [h.strip() for h in src.splitlines() if h.startswith(("## ", "### "))]
        if not heads:
            continue
        if open_section:
            missing.append(open_section)
        if any(h.startswith("## ") for h in heads):
            in_theory = "## Theory" in heads
        open_section = (f"{cell['id']} {heads[-1]}"
                        if in_theory and any(h.startswith("### ") for h in heads) else None)
    assert not missing, f"{path.name}: theory sections with no question of their own: {missing}"


# ----------------------------------------------------------------------------- no give-aways
# A question must ask for something the learner works out (issue 21, item 23): the right
# option does not stand out by carrying the explanation.
from amslib.exercises.selfcheck import Choice as _Choice  # noqa: E402


@pytest.mark.parametrize("key", [k for k, q in QUESTIONS.items() if isinstance(q, _Choice)])
def test_the_right_option_does_not_carry_the_explanation(key):
    q = QUESTIONS[key]
    right = len(q.options[q.correct].split())
    longest_wrong = max(len(text.split()) for k, text in q.options.items() if k != q.correct)
    assert right <= longest_wrong + 3, (key, q.options)
