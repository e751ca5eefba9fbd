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
    assert modules == {f"nb0{k}" for k in range(10)}


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: f"{c.__module__[-4:]}.{c.__name__}")
@pytest.mark.parametrize("answer", [None, ...])
def test_blank_answer_is_not_attempted(verdict, check, answer):
    ok, out = verdict(check, answer)
    assert ok is False and "Not attempted yet" in out


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: f"{c.__module__[-4:]}.{c.__name__}")
def test_wrong_kind_of_answer_fails_with_a_hint(verdict, check):
    ok, out = verdict(check, "banana")
    assert ok is False and out.startswith("Not yet:")


# ----------------------------------------------------------------------------- random answers
# Property: for ANY answer, every checker returns True or False, prints one verdict, and
# neither raises nor hangs. The answers are what a learner (or a half-written cell) may pass:
# numbers of every kind, strings, arrays, tensors, containers, endless iterators, objects
# whose special methods raise, and functions returning any of these (or raising).
import itertools  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import amslib.exercises as ex  # noqa: E402


class _Hostile:
    """An answer whose special methods raise (chosen by ``which``)."""

    def __init__(self, which):
        self.which = which

    def _maybe(self, name):
        if name in self.which:
            raise RuntimeError(f"hostile {name}")

    def __float__(self):
        self._maybe("float")
        return 0.5

    def __iter__(self):
        self._maybe("iter")
        return iter([1.0, 2.0])

    def __len__(self):
        self._maybe("len")
        return 2

    def __repr__(self):
        self._maybe("repr")
        return "_Hostile()"

    def __str__(self):
        self._maybe("str")
        return "b"

    def __bool__(self):
        self._maybe("bool")
        return True

    def __eq__(self, other):
        self._maybe("eq")
        return False

    __hash__ = object.__hash__


def _endless():
    return itertools.count()


def _raising_generator():
    yield 1.0
    raise RuntimeError("half-written generator")


scalars = st.one_of(
    st.none(), st.just(...), st.booleans(), st.integers(-10**30, 10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(),
    st.text(max_size=20), st.binary(max_size=8),
    st.sampled_from(["b", "a", "0.125", "optimizer.zero_grad()", "v_hat", "(b)", "zero_grad",
                     "optimizer.zero_grad(", "import os"]),
    st.floats(-2, 2).map(np.float32), st.floats(-2, 2).map(np.float64),
    st.floats(-2, 2).map(torch.tensor),
)
arrays = st.one_of(
    hnp.arrays(st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128]),
               hnp.array_shapes(min_dims=0, max_dims=3, max_side=6)),
    hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=6)).map(torch.from_numpy),
)
hostile = st.sets(st.sampled_from(["float", "iter", "len", "repr", "str", "bool", "eq"]),
                  min_size=1).map(_Hostile)
iterators = st.sampled_from([_endless, _raising_generator, lambda: iter([]),
                             lambda: iter([4, 4, 9, 9, 9.5])]).map(lambda f: f())
values = st.recursive(st.one_of(scalars, arrays, hostile, iterators),
                      lambda inner: st.one_of(st.lists(inner, max_size=6),
                                              st.lists(inner, max_size=6).map(tuple),
                                              st.dictionaries(st.text(max_size=3), inner, max_size=3)),
                      max_leaves=8)


def _function_returning(value):
    def answer(*args, **kwargs):
        return value
    return answer


def _function_raising(exc):
    def answer(*args, **kwargs):
        raise exc
    return answer


functions = st.one_of(
    values.map(_function_returning),
    st.sampled_from([ValueError("v"), TypeError("t"), ZeroDivisionError("z"), KeyError("k"),
                     IndexError("i"), RecursionError("r"), MemoryError("m")]).map(_function_raising),
    st.just(lambda *args: (_ for _ in ())),  # a generator instead of a value
    st.just(lambda *args: itertools.repeat(args[0] if args else 0.0)),  # endless
    st.just(lambda *args: [a.copy() if hasattr(a, "copy") else a for a in args][:4]),
)
answers = st.one_of(values, functions)
VERDICTS = ("Not yet:", "Correct!", "Not attempted yet")


def _selfcheck_checkers():
    """Every "check your understanding" question (amslib.exercises.selfcheck), as a checker
    of one answer, so that the same properties are tested for them."""
    try:
        from amslib.exercises import selfcheck
    except ImportError:
        return []
    out = []
    for key in selfcheck.QUESTIONS:
        def check(answer, key=key):
            return selfcheck.check(key, answer)
        check.__module__, check.__name__ = "amslib.exercises.selfcheck", f"check[{key}]"
        out.append(check)
    return out


ALL_CHECKS = CHECKS + _selfcheck_checkers()


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: f"{c.__module__.rsplit('.', 1)[1]}.{c.__name__}")
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(answer=answers)
def test_any_answer_gives_a_verdict(check, answer):
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = check(answer)
    assert result is True or result is False
    assert out.getvalue().startswith(VERDICTS), out.getvalue()


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: f"{c.__module__.rsplit('.', 1)[1]}.{c.__name__}")
def test_an_endless_loop_is_stopped(verdict, check, monkeypatch):
    monkeypatch.setattr(ex, "TIME_LIMIT", 0.3)

    def forever(*args, **kwargs):
        while True:
            pass

    for answer in (forever, _Hostile(()), itertools.count()):
        ok, out = verdict(check, answer)
        assert ok is False or answer is not forever
        assert out.startswith(VERDICTS)


REFERENCES = [
    fn
    for info in pkgutil.iter_modules(amslib.exercises.__path__)
    for name, fn in inspect.getmembers(importlib.import_module(f"amslib.exercises.{info.name}"),
                                       inspect.isfunction)
    if not name.startswith("check_") and fn.__module__.startswith("amslib")
]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: f"{c.__module__.rsplit('.', 1)[1]}.{c.__name__}")
def test_the_checkers_own_reference_code_does_not_pass(verdict, check):
    import functools

    from amslib.optimizers import Adam
    for ref in REFERENCES + [Adam, functools.partial(REFERENCES[0])]:
        ok, out = verdict(check, ref)
        assert ok is False, (check.__name__, ref)


# ----------------------------------------------------------------------------- number types
from amslib.exercises import nb00, nb01, nb02, nb03, nb04, nb07, nb08  # noqa: E402

RIGHT_NUMBERS = [(nb00.check_step_size, 0.125), (nb00.check_best_point, -1.0),
                 (nb01.check_max_lr, 0.04), (nb02.check_m3, 0.542),
                 (nb02.check_tiny_gradient_step, 0.005), (nb03.check_worst_regret, 1.6),
                 (nb04.check_theorem1_beta2, 0.1), (nb07.check_accumulation, 2.0),
                 (nb08.check_warmup_fraction, 1 - 0.999 ** 220)]


@pytest.mark.parametrize("check, right", RIGHT_NUMBERS, ids=lambda c: getattr(c, "__name__", ""))
@pytest.mark.parametrize("kind", [float, np.float32, np.float64, np.array, torch.tensor,
                                  lambda v: torch.tensor([v], dtype=torch.float32),
                                  lambda v: np.array([[v]])],
                         ids=["float", "float32", "float64", "0-d array", "torch scalar",
                              "torch float32 [v]", "array [[v]]"])
def test_number_checkers_accept_every_kind_of_number(verdict, check, right, kind):
    ok, out = verdict(check, kind(right))
    assert ok is True, out


@pytest.mark.parametrize("check, right", RIGHT_NUMBERS, ids=lambda c: getattr(c, "__name__", ""))
@pytest.mark.parametrize("wrong", [lambda v: str(v), lambda v: complex(v, 1), lambda v: [v, v],
                                   lambda v: v != 0, lambda v: np.array([v, v])])
def test_number_checkers_refuse_near_misses_of_type(verdict, check, right, wrong):
    ok, out = verdict(check, wrong(right))
    assert ok is False and out.startswith("Not yet:")


def test_best_alpha_accepts_float32_and_torch(verdict):
    best = lambda a, L: a[int(np.argmin(np.mean(L, axis=1)))]  # noqa: E731
    assert verdict(nb08.check_best_alpha, lambda a, L: np.float32(best(a, L)))[0] is True
    assert verdict(nb08.check_best_alpha, lambda a, L: torch.tensor(best(a, L)))[0] is True
