"""Following a bad argument through amslib crosses each module at most once.

For every public callable of ``tests/test_bad_inputs.py``'s catalogue (the optimizers'
constructors and steps, run, reference_run, sweep, the Explorer and its parts, the
problems, the schedules, torch_optim.Adam, the models, plotting) and each parameter, a
bad value is traced with ``sys.setprofile`` from the public entry to the error it raises:
that path is the argument's way through the checks. Its *crossings* (a call from one amslib
module into another) give the sequence of modules visited; a module may be visited many
times in a row (validation's checks one after another) but never again once the path has
moved on to another module (A -> B -> A): checked once at the door, the value is trusted
inside. Not counted as a visit: the optimizers' ``__setattr__``, which stores a setting (and
refuses a change after construction) and checks no value.

``KNOWN`` would list entries that still cross back, each with why, as strict xfails (fixing
one fails the test until it leaves the list); it is empty: the Explorer, ``optimizer_for``
and ``large_beta2_adam`` check all their arguments at the door and build their inner objects
from the checked values through trusted paths (``Adam._checked``, ``ExplorerFigure._checked``).
"""
from __future__ import annotations

import sys

import pytest
from test_bad_inputs import SPECS, call


def _module(frame) -> str:
    name = frame.f_globals.get("__name__", "")
    return name if name.startswith("amslib") and not name.startswith("amslib.exercises") else ""


def crossings(fn) -> list[list[str]]:
    """The modules each entry into amslib (a call from outside it) visits, in order: the
    entry's module, then the callee of every call from one amslib module into another."""
    paths: list[list[str]] = []

    def profile(frame, event, arg):
        if event != "call" or not (here := _module(frame)) or frame.f_code.co_name == "__setattr__":
            return
        caller = _module(frame.f_back) if frame.f_back else ""
        if not caller:
            paths.append([here])
        elif caller != here and paths[-1][-1] != here:
            paths[-1].append(here)

    sys.setprofile(profile)
    try:
        fn()
    except (ValueError, TypeError, FileNotFoundError):
        pass
    finally:
        sys.setprofile(None)
    return paths


def returns(path: list[str]) -> list[str]:
    """The modules visited again after the path had left them."""
    return [m for i, m in enumerate(path) if m in path[:i]]


KNOWN: dict = {}  # (name, parameter) -> why it still crosses back; none left
CASES = [pytest.param(s, p, k.bad[0], id=f"{s.name}-{p}-{k.bad[0].label}",
                      marks=[pytest.mark.xfail(strict=True, reason=KNOWN[s.name, p])] if (s.name, p) in KNOWN else [])
         for s in SPECS for p, k in s.kinds.items() if k.bad]


@pytest.mark.parametrize("spec, param, case", CASES)
def test_a_bad_argument_crosses_each_module_once(spec, param, case):
    paths = crossings(lambda: call(spec, **{param: case.value}))
    assert paths, f"{spec.name} never entered amslib"
    path = paths[-1]  # the entry that raised: the checks the bad value went through
    short = " > ".join(m.removeprefix("amslib.") for m in path)
    assert not returns(path), f"{spec.name}({param}=...) returns to {returns(path)}: {short}"


def test_the_tracer_sees_a_return():
    """The test can fail: a path that comes back to a module it left is caught."""
    a, b = {"__name__": "amslib.fake_a"}, {"__name__": "amslib.fake_b"}
    exec("def helper(): pass\ndef enter(): helper(); to_b()", a)
    exec("def to_b(): back_to_a()", b)
    a["to_b"], b["back_to_a"] = b["to_b"], a["helper"]
    assert crossings(a["enter"]) == [["amslib.fake_a", "amslib.fake_b", "amslib.fake_a"]]
    assert returns(["a", "b", "a"]) == ["a"] and returns(["a", "b", "c"]) == []
