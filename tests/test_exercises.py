"""What every exercise checker must do, found automatically so that a new checker cannot
slip through: a blank answer (None or ...) is "not attempted" and does not pass, and an
answer of the wrong kind fails with a hint instead of raising."""
import importlib
import inspect
import pkgutil

import pytest

import amslib.exercises

CHECKS = [
    fn
    for info in pkgutil.iter_modules(amslib.exercises.__path__)
    for name, fn in inspect.getmembers(importlib.import_module(f"amslib.exercises.{info.name}"),
                                       inspect.isfunction)
    if name.startswith("check_")
]


def test_every_notebook_has_checkers():
    modules = {fn.__module__.rsplit(".", 1)[1] for fn in CHECKS}
    assert modules == {f"nb0{k}" for k in range(7)}


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: f"{c.__module__[-4:]}.{c.__name__}")
@pytest.mark.parametrize("answer", [None, ...])
def test_blank_answer_is_not_attempted(verdict, check, answer):
    ok, out = verdict(check, answer)
    assert ok is False and "Not attempted yet" in out


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: f"{c.__module__[-4:]}.{c.__name__}")
def test_wrong_kind_of_answer_fails_with_a_hint(verdict, check):
    ok, out = verdict(check, "banana")
    assert ok is False and out.startswith("Not yet:")
