"""Every public callable of amslib against a catalogue of bad (and good edge) inputs.

The project rule: bad input gets a clear error that names the parameter and, where there
is one, the allowed range (torch.optim's wording, "Invalid beta parameter at index 1:
..."); never a silent NaN, never an obscure traceback from deep inside NumPy or PyTorch.
The targeted tests (test_synthetic.py::test_invalid_input, test_optimizers.py, the
property tests) check chosen cases; this file checks the class:

* ``SPECS`` lists the public callables (constructors are driven a few steps, so that a
  bad setting that only bites at the first step counts too) with one good call each and,
  for every numeric, array, flag or object parameter, its *kind*;
* each kind has a catalogue of bad values (NaN, +-inf, out of range, bool, str, None,
  complex, lists and arrays where a number is wanted, empty and wrong-shaped arrays,
  huge ints, generators, ...) and of good edge values (0 where allowed, the ends of the
  range, NumPy scalars, 0-d arrays and tensors, float32 and float16, non-contiguous
  arrays);
* ``test_bad_value`` (one case per callable, parameter and bad value) asserts a
  ValueError or TypeError whose message names the parameter (and, for a number out of
  range, the range); ``test_good_edge_value`` asserts a finite result of the right shape;
* ``test_random_combinations`` (hypothesis, derandomized) mixes good and bad values in
  every parameter at once: either an error naming one of the bad parameters, or a finite
  result when all were good;
* the mid-run tests: a schedule or a gradient that turns NaN or inf after some steps
  raises with that step number, and a run that overflows from valid settings raises
  FloatingPointError with the step (or epoch), never returns NaN.

Warnings are errors here (a RuntimeWarning from NumPy is an obscure message too).
Not covered here: amslib.exercises, whose checkers take any answer by design (never an
error: a hint; tests/test_exercises.py feeds them random answers), and the plain record
types (the state named tuples, RunResult, Digits), which hold what they are given; the
optimizers check a state when it is used (``state`` cases below).
"""
from __future__ import annotations

import itertools
import math
import re
import warnings
from dataclasses import dataclass, field

import matplotlib
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amslib import (
    adamnc,
    beyond,
    data,
    fast_adam,
    models,
    online,
    optimizers,
    plain_loop,
    plotting,
    problems,
    scan,
    schedules,
    setup,
    synthetic,
    torch_optim,
    validation,
    widgets,
)
from amslib.explorer import controls as explorer_controls
from amslib.explorer import figure as explorer_figure
from amslib.explorer import runs as explorer_runs

matplotlib.use("Agg")

NAN, INF = math.nan, math.inf


# =========================================================================== catalogue
@dataclass(frozen=True)
class Case:
    label: str
    value: object
    ranged: bool = False  # a number of the right type but out of range: the message must give the range


def _cases(ranged: bool, **named) -> list[Case]:
    return [Case(k, v, ranged) for k, v in named.items()]


# What no real-number parameter may accept (the type is wrong).
NOT_A_NUMBER = _cases(
    False, true=True, np_bool=np.bool_(False), string="0.5", none=None, complex=0.5 + 0j,
    np_complex=np.complex128(0.5), list1=[0.5], array2=np.array([0.5, 0.5]),
    empty=np.array([]), array_1x1=np.array([[0.5]]), object=object(),
    tensor2=torch.tensor([0.5, 0.5]), complex_tensor=torch.tensor(0.5 + 0j), bytes=b"1")
NOT_FINITE = _cases(True, nan=NAN, inf=INF, minus_inf=-INF, np_nan32=np.float32("nan"),
                    tensor_nan=torch.tensor(NAN), huge_int=10 ** 400)
NEGATIVE = _cases(True, minus_one=-1.0, minus_tiny=-1e-300, np_negative=np.float32(-0.5), neg_int=-3)
REAL_GOOD = dict(np_float32=np.float32(0.125), np_float16=np.float16(0.5), np_int=np.int64(1),
                 int_one=1, zero_d=np.array(0.25), tensor=torch.tensor(0.25, dtype=torch.float64),
                 tensor_grad=torch.tensor(0.25, requires_grad=True), float32_tensor=torch.tensor(0.5))


@dataclass
class Kind:
    """What a parameter accepts: ``bad`` and ``good`` catalogues and the range's wording."""
    range_text: str | None
    bad: list
    good: dict

    def but(self, *, drop=(), good=None, bad=(), drop_bad=(), range_text=...):
        """A variant: some good values dropped (or replaced, or added: ``good``), some bad ones
        added or dropped (``drop_bad``: labels)."""
        g = {k: v for k, v in (self.good if good is None else good).items() if k not in drop}
        b = [c for c in self.bad if c.label not in drop_bad] + list(bad)
        return Kind(self.range_text if range_text is ... else range_text, b, g)


NONNEG = Kind(">= 0", NOT_A_NUMBER + NOT_FINITE + NEGATIVE, dict(zero=0.0, **REAL_GOOD))
POSITIVE = Kind("> 0", NONNEG.bad + _cases(True, zero=0.0, int_zero=0), dict(REAL_GOOD))
FINITE = Kind("finite", NOT_A_NUMBER + NOT_FINITE, dict(zero=0.0, negative=-1.5, **REAL_GOOD))
BETA = Kind("[0, 1)", NOT_A_NUMBER + NOT_FINITE + _cases(
    True, one=1.0, int_one=1, above=1.5, negative=-0.1, np_one=np.float32(1.0),
    just_above=float(np.nextafter(1.0, 2.0))),
    dict(zero=0.0, int_zero=0, half=0.5, np_float32=np.float32(0.9), np_float16=np.float16(0.5),
         zero_d=np.array(0.9), tensor=torch.tensor(0.9, dtype=torch.float64),
         below_one=float(np.nextafter(1.0, 0.0))))
UNIT_CLOSED = Kind("[0, 1]", NOT_A_NUMBER + NOT_FINITE + _cases(True, above=1.5, negative=-0.1),
                   dict(zero=0.0, one=1.0, half=np.float32(0.5), zero_d=np.array(0.9)))
BETAS = Kind("[0, 1)", _cases(
    False, one_beta=(0.9,), three=(0.9, 0.99, 0.999), string="ab", none=None, number=0.9,
    dict={0.9: 1, 0.99: 2}, set={0.9, 0.99}, endless=itertools.count(), nested=np.array([[0.9, 0.99]]),
    bool_pair=(True, 0.9), str_pair=("0.9", 0.99), complex_pair=(0.9 + 0j, 0.99)) + _cases(
    True, beta2_one=(0.9, 1.0), beta1_one=(1.0, 0.9), nan=(NAN, 0.9), inf=(0.9, INF),
    negative=(-0.1, 0.9), above=(0.5, 1.5)),
    dict(zeros=(0.0, 0.0), list=[0.9, 0.99], array=np.array([0.9, 0.99]),
         tensor=torch.tensor([0.9, 0.99]), np_scalars=(np.float32(0.9), np.float16(0.5)),
         ints=(0, 0), near_one=(0.999999, 1 - 1e-12)))
FLAG = Kind("True or False", _cases(False, one=1, zero=0, string="False", none=None,
                                    array=np.array([True]), float=1.0, tensor=torch.tensor(True)),
            dict(true=True, false=False, np_bool=np.bool_(True)))


def COUNT(lo: int, hi: int | None = None, good_extra=None) -> Kind:
    bad = _cases(False, float_=float(lo), frac=lo + 0.5, true=True, string=str(lo), none=None,
                 nan=NAN, inf=INF, np_float=np.float64(lo), complex=lo + 0j, list=[lo],
                 array=np.array([lo, lo]))
    bad += _cases(True, below=lo - 1, far_below=-(10 ** 30))
    if hi is not None:
        bad += _cases(True, above=hi + 1, huge=10 ** 30)
    good = dict(lo=lo, np_int=np.int64(lo), np_uint=np.uint16(lo), zero_d=np.array(lo), **(good_extra or {}))
    return Kind(f">= {lo}", bad, good)


ARRAYS_OK = ("list1", "array2", "empty", "array_1x1", "tensor2")
# a number or an array of numbers (vectorised functions)
FINITE_ARRAYLIKE = FINITE.but(drop_bad=ARRAYS_OK, good=dict(
    FINITE.good, list=[0.5, 1.0], array=np.array([[0.5], [2.0]]), tensor=torch.tensor([0.5, -1.0])))


SEED = Kind(">= 0", _cases(False, frac=1.5, true=True, string="0", nan=NAN, complex=1 + 0j,
                           generator=np.random.default_rng(0), float_=2.0)
            + _cases(True, negative=-1, negative_list=[-1, 2]),
            dict(none=None, zero=0, np_int=np.int64(3), list=[1, 2], big=2 ** 70))
STEP = COUNT(1).but(drop_bad=("float_", "np_float"), good=dict(COUNT(1).good, float_t=2.0, np_float=np.float64(3.0)))
# what a schedule takes: a step number or an array of them
STEPS = STEP.but(drop_bad=("list", "array"), good=dict(STEP.good, array=np.arange(1.0, 4.0), list=[1, 2]))
X0 = Kind("[-1, 1]", NOT_A_NUMBER + NOT_FINITE + _cases(True, above=1.5, below=-1.0000001, int_2=2),
          dict(minus_one=-1, one=1.0, zero=0, np_float32=np.float32(0.5), zero_d=np.array(-1.0),
               tensor=torch.tensor(0.5)))
ARRAY_BAD = _cases(False, string="abc", none=None, complex=[1 + 1j, 2.0], bools=np.array([True, False]),
                   strings=np.array(["1", "2"]), ragged=[[1.0], [1.0, 2.0]], object=object(),
                   obj_array=np.array([1.0, None], dtype=object)) + _cases(
    True, nan=[NAN, 1.0], inf=[1.0, INF], minus_inf=np.array([-INF, 0.0], dtype=np.float32))
ARRAY_GOOD = dict(float32=np.array([0.5, -1.0], dtype=np.float32), float16=np.array([0.5, -1.0], dtype=np.float16),
                  non_contiguous=np.arange(4.0)[::2] - 1.5, ints=[1, -2], list=[0.5, -0.5],
                  tensor=torch.tensor([0.5, -1.0]), tensor_grad=torch.tensor([0.5, -1.0], requires_grad=True),
                  read_only=np.array([1.0, 2.0]).copy())
ARRAY_GOOD["read_only"].setflags(write=False)
ARRAY2 = Kind("finite", ARRAY_BAD + _cases(False, wrong_shape=np.ones(3), matrix=np.ones((2, 2)),
                                           scalar=0.5, empty=np.array([])), dict(ARRAY_GOOD))
G_RANGE = "[1e-150, 1e+150]"  # |C|, |c| of the synthetic problems
SWEEP_BETA = BETA.but(drop_bad=ARRAYS_OK, good=dict(BETA.good, list=[0.0, 0.5], grid=np.array([[0.1], [0.9]])))
PROBLEMS = dict(online=online.online_problem(), stochastic=online.stochastic_problem(),
                theorem1=online.theorem1_problem(3.0))
PROB = Kind(None, _cases(False, string="online", none=None, number=3, cls=online.OnlineProblem,
                         dict={"C": 1010.0}), dict(PROBLEMS))
OPT = Kind(None, _cases(False, string="adam", none=None, cls=optimizers.Adam, obj=object(),
                        torch_adam=torch.optim.SGD), dict(adam=optimizers.Adam(0.1), sgd=optimizers.SGD(0.01)))
OPT_NAMES = ("opt", "optimizer")

# Names the messages use for each parameter (any one of them will do).
ALIASES = {"lr": ("learning rate", "lr"), "eps": ("epsilon", "eps"), "betas": ("beta",),
           "x": ("parameters x", "parameters'", " x"), "steps": ("steps",), "seed": ("seed",),
           "prob": ("prob",), "opt": OPT_NAMES, "T": ("T",), "alpha": ("alpha",), "t": ("t",),
           "n": ("n",), "beta1": ("beta1", "beta_1"), "beta2": ("beta2", "beta_2"),
           "b": ("b", "beta"), "g": ("g", "gradient"), "grad": ("gradient",), "state": ("state",)}


# =========================================================================== results
def finite(result, shape=None):
    """The result (numbers, arrays, tuples of them, a RunResult) is finite; ``shape`` checked."""
    if shape is not None:
        assert np.shape(result) == shape, (np.shape(result), shape)
    if isinstance(result, synthetic.RunResult):
        parts = [result.x_final, result.regret, result.average_regret, result.x, result.average_regret_curve]
        assert -1.0 <= result.x_final <= 1.0
    elif isinstance(result, (tuple, list)):
        parts = list(result)
    else:
        parts = [result]
    for part in parts:
        if isinstance(part, torch.Tensor):
            part = part.detach().numpy()
        if isinstance(part, (tuple, list)):
            finite(part)
            continue
        a = np.asarray(part)
        assert a.dtype.kind in "iuf", a.dtype
        assert np.all(np.isfinite(a)), part
    return True


X = np.array([1.0, -2.0])
GRADS = [np.array([0.5, -1.0]), np.array([-3.0, 0.25]), np.array([1e-3, 2.0]), np.zeros(2)]


def drive(opt, x=X, grads=GRADS):
    """Construct-and-use: a few steps of a NumPy optimizer; the final x."""
    state = opt.init(x)
    for g in grads:
        x, state = opt.step(x, g, state)
    assert np.shape(x) == np.shape(X)
    return x


def drive_torch(**kw):
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    opt = torch_optim.Adam([p], **kw)
    for g in GRADS:
        p.grad = torch.as_tensor(g, dtype=torch.float64)
        opt.step()
    return p.detach().numpy().copy()


def tiny_digits():
    rng = np.random.default_rng(0)
    Xtr, Xte = rng.random((24, 64)), rng.random((10, 64))
    return models.Digits.from_numpy(Xtr, np.arange(24) % 10, Xte, np.arange(10) % 10)


DIGITS = tiny_digits()
STATES = {
    "adam": optimizers.Adam(0.1).init(X),
}


@dataclass
class Spec:
    """A public callable: ``call(**kwargs)`` with ``good`` kwargs, ``kinds`` of its parameters."""
    name: str
    call: object
    good: dict
    kinds: dict
    shape: object = None            # the result's shape, if it has one
    names: dict = field(default_factory=dict)  # parameter -> names its messages may use
    check: object = None            # result -> None (asserts); default: finite(result, shape)

    def aliases(self, param):
        return self.names.get(param) or ALIASES.get(param) or (param,)


def _out_for(d):
    """A work array for clipped_walk(x, d, out) (shape (1,) when d has none)."""
    try:
        return np.empty(np.shape(d) if np.ndim(d) == 1 else 1)
    except ValueError:
        return np.empty(1)


def _opt_spec(name, cls, good, kinds, names=None):
    return Spec(name, lambda **kw: drive(cls(**kw)), good, kinds, (2,), names or {})


RATE = NONNEG  # lr: a float >= 0 (callables: the schedule tests below)
SPECS = [
    _opt_spec("SGD", optimizers.SGD, dict(lr=0.1), dict(lr=RATE)),
    _opt_spec("Momentum", optimizers.Momentum, dict(lr=0.1, beta=0.9), dict(lr=RATE, beta=BETA)),
    _opt_spec("AdaGrad", optimizers.AdaGrad, dict(lr=0.1, eps=1e-10), dict(lr=RATE, eps=NONNEG)),
    _opt_spec("RMSProp", optimizers.RMSProp, dict(lr=0.1, beta=0.99, eps=1e-8),
              dict(lr=RATE, beta=BETA, eps=NONNEG)),
    _opt_spec("Adam", optimizers.Adam, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, amsgrad=False,
                                            bias_correction=True),
              dict(lr=RATE, betas=BETAS, eps=NONNEG, amsgrad=FLAG, bias_correction=FLAG)),
    _opt_spec("AMSGrad", optimizers.AMSGrad, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, bias_correction=False),
              dict(lr=RATE, betas=BETAS, eps=NONNEG, bias_correction=FLAG)),
    _opt_spec("AdamNC", adamnc.AdamNC, dict(lr=0.1, beta1=0.9, eps=1e-8, beta1_decay=1.0),
              dict(lr=RATE, beta1=BETA, eps=NONNEG, beta1_decay=UNIT_CLOSED)),
    _opt_spec("AdamX", beyond.AdamX, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, beta1_decay=0.9),
              dict(lr=RATE, betas=BETAS, eps=NONNEG, beta1_decay=UNIT_CLOSED)),
    _opt_spec("Yogi", beyond.Yogi, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-3, initial_accumulator=0.0,
                                        bias_correction=False),
              dict(lr=RATE, betas=BETAS, eps=NONNEG, initial_accumulator=NONNEG, bias_correction=FLAG)),
    _opt_spec("AdaBound", beyond.AdaBound, dict(lr=0.1, betas=(0.9, 0.999), final_lr=0.1, gamma=1e-3,
                                                eps=1e-8, amsbound=False, bias_correction=True,
                                                scaled_bounds=True),
              dict(lr=RATE.but(drop=("zero",)), betas=BETAS, final_lr=NONNEG,
                   gamma=POSITIVE.but(bad=_cases(True, one=1.0), range_text="(0, 1)",
                                      good=dict(small=1e-3, np_float32=np.float32(0.5), zero_d=np.array(0.5))),
                   eps=NONNEG, amsbound=FLAG, bias_correction=FLAG, scaled_bounds=FLAG)),
    _opt_spec("AMSBound", beyond.AMSBound, dict(lr=0.1, betas=(0.9, 0.999), final_lr=0.1, gamma=1e-3,
                                                eps=1e-8),
              dict(lr=RATE.but(drop=("zero",)), betas=BETAS, final_lr=NONNEG, eps=NONNEG)),
    _opt_spec("AdamW", beyond.AdamW, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                                          amsgrad=False),
              dict(lr=RATE, betas=BETAS, eps=NONNEG, weight_decay=NONNEG, amsgrad=FLAG)),
    _opt_spec("large_beta2_adam", beyond.large_beta2_adam,
              dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True),
              dict(lr=RATE, beta1=BETA.but(drop=("below_one", "np_float32", "zero_d", "tensor")),
                   beta2=BETA.but(drop=("zero", "int_zero", "half", "np_float16")), eps=NONNEG,
                   bias_correction=FLAG)),
    Spec("check_beta1_decay", beyond.check_beta1_decay, dict(value=0.5), dict(value=UNIT_CLOSED),
         (), dict(value=("beta1_decay",))),
    # one step of an optimizer with a given x, gradient and state
    Spec("Adam.step", lambda x, grad, state: optimizers.Adam(0.1).step(x, grad, state)[0],
         dict(x=X, grad=GRADS[0], state=optimizers.Adam(0.1).init(X)),
         dict(x=ARRAY2, grad=ARRAY2,
              state=Kind(None, _cases(False, none=None, tuple=(0, X, X, X), other=optimizers.SGD(0.1).init(X),
                                      wrong_shape=optimizers.Adam(0.1).init(np.ones(3)),
                                      nan=optimizers.AdamState(0, X, np.array([NAN, 0.0]), X),
                                      negative_v=optimizers.AdamState(0, X, -np.ones(2), X),
                                      t_negative=optimizers.AdamState(-1, X, X * 0, X * 0),
                                      t_float=optimizers.AdamState(1.5, X, X * 0, X * 0)), {})),
         (2,), dict(x=("parameters x", "x", "parameters'"), grad=("gradient",), state=("state",))),
    Spec("adam_moments", lambda state, g, b1, b2, amsgrad: optimizers.adam_moments(state, g, b1, b2, amsgrad)[1:],
         dict(state=optimizers.Adam(0.1).init(X), g=GRADS[0], b1=0.9, b2=0.999, amsgrad=True),
         dict(g=ARRAY2, b1=BETA, b2=BETA, amsgrad=FLAG,
              state=Kind(None, _cases(False, none=None, other=optimizers.SGD(0.1).init(X),
                                      wrong_shape=optimizers.Adam(0.1).init(np.ones(3))), {})),
         (4, 2), dict(g=("gradient", "g"), b1=("beta parameter at index 0",), b2=("beta parameter at index 1",))),
    Spec("torch_optim.Adam", drive_torch, dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, amsgrad=False),
         dict(lr=RATE.but(drop=("zero_d", "tensor", "tensor_grad", "float32_tensor")), betas=BETAS,
              eps=NONNEG, amsgrad=FLAG, foreach=FLAG.but(good=dict(none=None, true=True, false=False),
                                                         drop_bad=("none",)),
              check_finite=FLAG, weight_decay=NONNEG.but(bad=_cases(False, nonzero=0.1), good=dict(zero=0.0),
                                                         range_text="only weight_decay=0.0")),
         (2,)),
    Spec("torch_optim.Adam(params)", lambda params: torch_optim.Adam(params, lr=0.1) and 0.0,
         dict(params=[torch.zeros(2, requires_grad=True)]),
         dict(params=Kind(None, _cases(False, empty=[], ints=[torch.zeros(2, dtype=torch.int64)],
                                       complex=[torch.zeros(2, dtype=torch.complex64)],
                                       array=[np.zeros(2)], none=None, number=3), {})),
         (), dict(params=("params", "parameter"))),
    # ------------------------------------------------------------------ schedules
    Spec("constant", lambda alpha: schedules.constant(alpha)(np.arange(1.0, 4.0)), dict(alpha=0.5),
         dict(alpha=NONNEG), (3,), dict(alpha=("alpha",))),
    Spec("inv_sqrt", lambda alpha: schedules.inv_sqrt(alpha)(np.arange(1.0, 4.0)), dict(alpha=0.5),
         dict(alpha=NONNEG), (3,), dict(alpha=("alpha",))),
    Spec("inv_sqrt(t)", lambda t: schedules.inv_sqrt(0.5)(t), dict(t=1), dict(t=STEPS), None),
    Spec("constant(t)", lambda t: schedules.constant(0.5)(t), dict(t=1), dict(t=STEPS), None),
    Spec("Adam.alpha(t)", lambda t: optimizers.Adam(schedules.inv_sqrt(0.5)).alpha(t), dict(t=1),
         dict(t=STEP), (), dict(t=("t",))),
    Spec("AdamNC.beta2_at(t)", lambda t: adamnc.AdamNC(0.1).beta2_at(t), dict(t=1), dict(t=STEP), ()),
    Spec("AdamNC.beta1_at(t)", lambda t: adamnc.AdamNC(0.1, beta1_decay=0.5).beta1_at(t), dict(t=1),
         dict(t=STEP), ()),
    Spec("AdamX.beta1_at(t)", lambda t: beyond.AdamX(0.1, beta1_decay=0.5).beta1_at(t), dict(t=1), dict(t=STEP), ()),
    Spec("AdaBound.bounds(t)", lambda t: beyond.AdaBound(0.1).bounds(t), dict(t=1), dict(t=STEP), (2,)),
    # ------------------------------------------------------------------ problems of the paper
    Spec("online_problem", lambda C, period, c: online.online_problem(C, period, c).gradients(7),
         dict(C=1010.0, period=101, c=-10.0),
         dict(C=POSITIVE.but(bad=_cases(True, huge=1e151), range_text=G_RANGE), period=COUNT(2, online.MAX_PERIOD),
              c=FINITE.but(bad=_cases(True, huge=-1e151, tiny=1e-200), range_text=G_RANGE)), (7,)),
    Spec("stochastic_problem", lambda C, p, c: online.stochastic_problem(C, p, c).gradients(7, seed=0),
         dict(C=1010.0, p=0.01, c=-10.0),
         dict(C=POSITIVE.but(range_text=G_RANGE), p=POSITIVE.but(bad=_cases(True, one=1.0), range_text="(0, 1)",
                                         good=dict(tiny=1e-300, np_float32=np.float32(0.5), zero_d=np.array(0.5))),
              c=FINITE.but(range_text=G_RANGE)), (7,)),
    Spec("theorem1_problem", lambda C: online.theorem1_problem(C).gradients(4), dict(C=3.0),
         dict(C=POSITIVE.but(bad=_cases(True, two=2.0), good=dict(three=3, np_float=np.float32(2.5),
                                                                  zero_d=np.array(5.0)), range_text="> 2")), (4,)),
    Spec("theorem1_beta2", online.theorem1_beta2, dict(C=3.0),
         dict(C=POSITIVE.but(bad=_cases(True, two=2.0), good=dict(three=3, big=1e150), range_text="> 2")), ()),
    Spec("gradients(T, seed)", lambda prob, T, seed: prob.gradients(T, seed), dict(prob=PROBLEMS["stochastic"], T=5, seed=0),
         dict(T=COUNT(0, online.MAX_GRADIENTS), seed=SEED), None),
    Spec("average_regret_of", lambda prob, x: prob.average_regret_of(x), dict(prob=PROBLEMS["online"], x=0.5),
         dict(x=X0), (), dict(x=("x",))),
    Spec("check_x0", online.check_x0, dict(x0=0.5), dict(x0=X0), ()),
    Spec("stream(seed).take(n)", lambda prob, seed, n: prob.stream(seed).take(n),
         dict(prob=PROBLEMS["stochastic"], seed=0, n=3), dict(seed=SEED, n=COUNT(0)), None),
    # ------------------------------------------------------------------ simulators
    Spec("run", lambda prob, opt, steps, x0, seed, chunk: synthetic.run(prob, opt, steps, x0, seed, chunk=chunk),
         dict(prob=PROBLEMS["online"], opt=optimizers.Adam(0.1), steps=50, x0=0.0, seed=0, chunk=16),
         dict(prob=PROB, opt=OPT, steps=COUNT(1, fast_adam.MAX_STEPS), x0=X0, seed=SEED,
              chunk=COUNT(1, 2 ** 22))),
    Spec("reference_run", lambda prob, opt, steps, x0, seed: synthetic.reference_run(prob, opt, steps, x0, seed),
         dict(prob=PROBLEMS["online"], opt=optimizers.Adam(0.1), steps=50, x0=0.0, seed=0),
         dict(prob=PROB, opt=OPT, steps=COUNT(1, plain_loop.MAX_LOOP_STEPS), x0=X0, seed=SEED)),
    Spec("sweep", lambda prob, beta1, beta2, lr, steps, amsgrad, eps, bias_correction, x0, seed:
         synthetic.sweep(prob, beta1, beta2, lr, steps, amsgrad, eps, bias_correction, x0, seed),
         dict(prob=PROBLEMS["online"], beta1=np.array([0.0, 0.9]), beta2=0.99, lr=0.1, steps=30,
              amsgrad=False, eps=1e-8, bias_correction=True, x0=0.0, seed=0),
         dict(prob=PROB, beta1=SWEEP_BETA, beta2=SWEEP_BETA, lr=RATE,
              steps=COUNT(1, fast_adam.MAX_STEPS), amsgrad=FLAG, eps=NONNEG, bias_correction=FLAG,
              x0=X0, seed=SEED)),
    Spec("sample_steps", lambda steps, max_points: plain_loop.sample_steps(steps, max_points),
         dict(steps=20, max_points=10), dict(steps=COUNT(1), max_points=COUNT(2)), None),
    Spec("check_optimizer", lambda opt: plain_loop.check_optimizer(opt) or 0.0, dict(opt=optimizers.Adam(0.1)),
         dict(opt=OPT), ()),
    Spec("check_problem", lambda prob: online.check_problem(prob) or 0.0, dict(prob=PROBLEMS["online"]),
         dict(prob=PROB), ()),
    # ------------------------------------------------------------------ the scan engine
    Spec("ema", lambda g, b, h0, square: scan.ema(g, b, h0, square), dict(g=np.arange(40.0), b=0.9, h0=0.0, square=False),
         dict(g=Kind("finite", ARRAY_BAD + _cases(False, matrix=np.ones((2, 2)), scalar=0.5), dict(ARRAY_GOOD)),
              b=UNIT_CLOSED, h0=FINITE, square=FLAG), None, dict(g=("g",), b=("b",), h0=("h0",))),
    Spec("cumsum", lambda u, h0, scale: scan.cumsum(u, h0, scale), dict(u=np.arange(40.0), h0=0.0, scale=1.0),
         dict(u=Kind("finite", ARRAY_BAD + _cases(False, matrix=np.ones((2, 2)), scalar=0.5), dict(ARRAY_GOOD)),
              h0=FINITE, scale=FINITE), None),
    Spec("clipped_walk", lambda x, d: scan.clipped_walk(x, d, _out_for(d)) or 0.0,
         dict(x=0.0, d=np.linspace(-0.5, 0.5, 40)),
         dict(x=X0, d=Kind("finite", ARRAY_BAD + _cases(False, matrix=np.ones((2, 2)), scalar=0.5), dict(ARRAY_GOOD))),
         (), dict(x=("x",), d=("d",))),
    # ------------------------------------------------------------------ 2-D problems
    Spec("Quadratic", lambda a, b: problems.Quadratic(a, b).value(np.array([1.0, 2.0])), dict(a=1.0, b=20.0),
         dict(a=POSITIVE, b=POSITIVE), (), dict(a=("a",), b=("b",))),
    Spec("RotatedQuadratic", lambda a, b, angle: problems.RotatedQuadratic(a, b, angle).grad(np.array([1.0, 2.0])),
         dict(a=1.0, b=20.0, angle=0.5), dict(a=POSITIVE, b=POSITIVE, angle=FINITE), (2,),
         dict(a=("a",), b=("b",))),
    Spec("Rosenbrock", lambda a, b: problems.Rosenbrock(a, b).value(np.array([1.0, 2.0])), dict(a=1.0, b=100.0),
         dict(a=FINITE, b=POSITIVE), (), dict(a=("a",), b=("b",))),
    Spec("Problem.value(p)", lambda p: problems.Rosenbrock().value(p), dict(p=np.array([0.5, 1.0])),
         dict(p=Kind("finite", ARRAY_BAD + _cases(False, wrong=np.ones(3), scalar=1.0), dict(ARRAY_GOOD))),
         (), dict(p=("point",))),
    Spec("Problem.grad(p)", lambda p: problems.Quadratic().grad(p), dict(p=np.array([0.5, 1.0])),
         dict(p=Kind("finite", ARRAY_BAD + _cases(False, wrong=np.ones(3), scalar=1.0), dict(ARRAY_GOOD))),
         (2,), dict(p=("point",))),
    Spec("Problem(x, y)", lambda x, y: problems.Rosenbrock()(x, y), dict(x=0.5, y=1.0),
         dict(x=FINITE_ARRAYLIKE, y=FINITE_ARRAYLIKE)),
    Spec("optimize", lambda opt, problem, x0, steps: problems.optimize(opt, problem, x0, steps),
         dict(opt=optimizers.Adam(0.1), problem=problems.Quadratic(), x0=np.array([1.0, 1.0]), steps=5),
         dict(opt=OPT, problem=Kind(None, _cases(False, string="quadratic", none=None,
                                                 cls=problems.Quadratic), {}),
              x0=ARRAY2, steps=COUNT(0, problems.MAX_STEPS)), None,
         dict(x0=("start point",), steps=("steps",), problem=("problem",))),
    # ------------------------------------------------------------------ data and models
    Spec("minibatches", lambda X, y, batch_size, rng, drop_last: list(data.minibatches(X, y, batch_size, rng, drop_last))[0][0],
         dict(X=np.ones((5, 2)), y=np.arange(5), batch_size=2, rng=0, drop_last=False),
         dict(batch_size=COUNT(1), rng=SEED.but(good=dict(none=None, zero=0, generator=np.random.default_rng(0)),
                                                 drop_bad=("generator",)), drop_last=FLAG), None,
         dict(rng=("rng", "seed"))),
    Spec("stratified_split", lambda labels, n_test_per_class, seed: data.stratified_split(labels, n_test_per_class, seed),
         dict(labels=np.arange(30) % 3, n_test_per_class=2, seed=0),
         dict(n_test_per_class=COUNT(1), seed=COUNT(0)), None),
    Spec("load_digits", lambda split, scale: data.load_digits(split, scale)[0][:2], dict(split="test", scale=True),
         dict(split=Kind(None, _cases(False, other="val", none=None, number=1), {}), scale=FLAG), (2, 64)),
    Spec("make_model", lambda hidden, seed: sum(float(p.detach().sum()) for p in models.make_model(hidden, seed).parameters()),
         dict(hidden=3, seed=0), dict(hidden=COUNT(1, models.MAX_HIDDEN, dict(none=None)).but(drop_bad=("none",)), seed=COUNT(0, 2 ** 63 - 1)), ()),
    Spec("train_one", lambda **kw: models.train_one(DIGITS, **kw),
         dict(hidden=None, lr=0.01, betas=(0.9, 0.999), amsgrad=False, eps=1e-8, seed=0, epochs=1,
              batch_size=8, schedule="constant"),
         dict(hidden=COUNT(1, models.MAX_HIDDEN, dict(none=None)).but(drop_bad=("none",)), lr=RATE.but(drop=("zero_d", "tensor", "tensor_grad", "float32_tensor")),
              betas=BETAS, amsgrad=FLAG, eps=NONNEG, seed=COUNT(0, 2 ** 63 - 1), epochs=COUNT(0, models.MAX_EPOCHS),
              batch_size=COUNT(1), schedule=Kind(None, _cases(False, other="cosine", none=None, number=1), {})),
         None),
    Spec("train_grid", lambda **kw: models.train_grid(DIGITS, **kw),
         dict(hidden=None, configs=[dict(lr=0.01)], seeds=(0,), epochs=2, batch_size=8, eval_every=1),
         dict(hidden=COUNT(1, models.MAX_HIDDEN, dict(none=None)).but(drop_bad=("none",)), epochs=COUNT(0, models.MAX_EPOCHS),
              batch_size=COUNT(1), eval_every=COUNT(1).but(bad=_cases(True, not_divisor=3)),
              configs=Kind(None, _cases(False, empty=[], none=None, no_lr=[dict(eps=0.1)], nan_lr=[dict(lr=NAN)],
                                        bad_beta=[dict(lr=0.1, betas=(1.0, 0.9))], extra=[dict(lr=0.1, momentum=0.9)]), {}),
              seeds=Kind(None, _cases(False, empty=[], negative=[-1], frac=[0.5], none=None), dict(two=(0, 1)))),
         None, dict(configs=("configs", "config"), seeds=("seeds", "seed"))),
    # ------------------------------------------------------------------ plotting
    Spec("figure_size", plotting.figure_size, dict(width=5.0, height=4.0),
         dict(width=POSITIVE.but(drop=("tensor_grad",)), height=POSITIVE.but(drop=("tensor_grad",))), (2,),
         dict(width=("width", "size"), height=("height", "size"))),
    Spec("slide_text_px", plotting.slide_text_px, dict(width=5.0, height=4.0, pt=16),
         dict(width=POSITIVE.but(drop=("tensor_grad",)), height=POSITIVE.but(drop=("tensor_grad",)),
              pt=POSITIVE.but(drop=("tensor_grad",))), ()),
    Spec("line", lambda method: len(plotting.line(method)), dict(method="adam"),
         dict(method=Kind(None, _cases(False, number=3, none=None, unknown="lion"), dict(upper="AdaM"))), ()),
    # ------------------------------------------------------------------ set-up
    Spec("seed_everything", lambda seed, torch: setup.seed_everything(seed, torch) or 0.0,
         dict(seed=0, torch=False), dict(seed=COUNT(0, 2 ** 32 - 1), torch=FLAG), ()),
    Spec("pick_device", lambda torch: len(setup.pick_device(torch)), dict(torch=False), dict(torch=FLAG), ()),
]
SPEC = {s.name: s for s in SPECS}


def _explorer(**kw):
    explorer = widgets.Explorer(**kw)
    assert not explorer.error, explorer.error  # good settings draw; bad ones are refused, not shown
    return float(explorer.results["adam_pytorch"].x_final)


def _explorer_specs():
    def slider(lo, hi, good):
        return Kind(None, NOT_A_NUMBER + _cases(True, nan=NAN, inf=INF, below=lo - 1, above=hi + 1), good)
    return [
        Spec("ExplorerControls", lambda **kw: len(explorer_controls.ExplorerControls(**kw).settings()),
             dict(beta1=0.9, beta2=0.99, alpha=0.5, schedule="inv_sqrt", problem="online", C=1010.0,
                  period=101, p=0.01, steps=1000, optimizers=("adam_pytorch",)),
             dict(beta1=slider(0, 0.999, dict(zero=0.0, np_float=np.float32(0.5))),
                  beta2=slider(0.5, 0.9999, dict(half=0.5)),
                  alpha=slider(1e-3, 10, dict(ten=10, np_float=np.float64(1e-3))),
                  C=slider(10, 1e5, dict(ten=10.0)), period=COUNT(2, 1000), p=slider(1e-4, 0.5, dict(half=0.5)),
                  steps=COUNT(1, explorer_controls.MAX_EXPLORER_STEPS),
                  schedule=Kind(None, _cases(False, other="cosine", none=None, number=1), {}),
                  problem=Kind(None, _cases(False, other="offline", none=None, number=1), {}),
                  optimizers=Kind(None, _cases(False, other=("adam",), string="adam_pytorch!", number=3), {})),
             (), dict(C=("C",), p=("p",))),
        Spec("ExplorerFigure", lambda dpi, compress_level: len(explorer_figure.ExplorerFigure(dpi, compress_level).draw(
            {}, PROBLEMS["online"], 100)) and 0.0, dict(dpi=30, compress_level=1),
             dict(dpi=POSITIVE.but(bad=_cases(True, huge=10 ** 6), good=dict(small=20, np_float=np.float32(40)),
                                   range_text="[10, 600]"),
                  compress_level=COUNT(0, 9)), ()),
        Spec("Explorer", _explorer,
             dict(steps=1000, c=-10.0, eps=1e-8, x0=0.0, seed=0, dpi=30, compress_level=1),
             dict(c=FINITE.but(good=dict(zero=0.0, neg=-1.0), bad=_cases(True, tiny=1e-200, huge=-1e200),
                             range_text="1e-150"), eps=NONNEG.but(good=dict(zero=0.0)),
                  x0=X0.but(good=dict(one=1.0)), seed=SEED.but(good=dict(zero=0)),
                  dpi=POSITIVE.but(good=dict(small=20), range_text="[10, 600]"),
                  compress_level=COUNT(0, 9).but(good=dict(nine=9)))),
    ]


SPECS += _explorer_specs()


def _init_and_step(opt, x):
    """init(x), then two steps with gradient 1 everywhere: x's shape is kept."""
    state = opt.init(x)
    shape = tuple(x.shape) if isinstance(x, torch.Tensor) else np.shape(np.asarray(x, dtype=np.float64))
    for _ in range(2):
        x, state = opt.step(x, np.ones(shape), state)
    assert np.shape(x) == shape
    return x


def _step_specs():
    """init(x) and step(x, grad, state) of every NumPy optimizer (bad x, gradient, state)."""
    specs = []
    x_kind = Kind("finite", ARRAY_BAD, dict(ARRAY_GOOD, empty=np.array([]), matrix=np.ones((2, 3)),
                                              zero_d=np.array(0.5), scalar=0.25))
    for cls in [optimizers.SGD, optimizers.Momentum, optimizers.AdaGrad, optimizers.RMSProp,
                optimizers.Adam, adamnc.AdamNC, beyond.AdamX, beyond.Yogi, beyond.AdaBound, beyond.AdamW]:
        opt = cls(lr=0.1)
        other = (optimizers.SGD if cls is not optimizers.SGD else optimizers.Adam)(0.1).init(X)
        state_kind = Kind(None, _cases(False, none=None, tuple=tuple(opt.init(X)), other=other, number=0)
                          + ([] if cls is optimizers.SGD else _cases(False, wrong_shape=opt.init(np.ones(3)))), {})
        specs.append(Spec(f"{cls.__name__}.init", lambda x, opt=opt: _init_and_step(opt, x), dict(x=X),
                          dict(x=x_kind), None))
        specs.append(Spec(f"{cls.__name__}.step", lambda x, grad, state, opt=opt: opt.step(x, grad, state)[0],
                          dict(x=X, grad=GRADS[0], state=opt.init(X)),
                          dict(x=ARRAY2, grad=ARRAY2, state=state_kind), (2,),
                          dict(x=("parameters x", "x", "parameters'"), grad=("gradient",))))
    return specs


def _figure(f):
    """Call f(ax) on a new figure (closed after)."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    try:
        return f(ax)
    finally:
        plt.close(fig)


def _drawn_figure():
    """A small drawn figure with one labelled line and a legend (kept open: a spec's good value)."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.plot([0.0, 1.0], [0.0, 1.0], label="line")
    ax.legend(loc="lower right")
    fig.canvas.draw()
    return fig


def _close(fig_axes):
    """The size in inches of a new figure, closed."""
    import matplotlib.pyplot as plt
    size = tuple(fig_axes[0].get_size_inches())
    plt.close(fig_axes[0])
    return size


def _subplots(**kw):
    import matplotlib.pyplot as plt
    fig, _ = plotting.subplots(**kw)
    size = tuple(fig.get_size_inches())
    plt.close(fig)
    return size


PATH = problems.optimize(optimizers.Adam(0.1), problems.Quadratic(), np.array([1.0, 1.0]), 5)
FIGURE = _drawn_figure()
MORE = [
    Spec("subplots", _subplots, dict(nrows=1, ncols=2, width=None, height=None),
         dict(nrows=COUNT(1, 50), ncols=COUNT(1, 50), width=POSITIVE.but(drop=("tensor_grad",), drop_bad=("none",)),
              height=POSITIVE.but(drop=("tensor_grad",), drop_bad=("none",))), (2,),
         dict(width=("width",), height=("height",))),
    Spec("contour", lambda **kw: _figure(lambda ax: plotting.contour(ax, problems.Quadratic(), **kw)) or 0.0,
         dict(xlim=(-1.0, 1.0), ylim=(-2.0, 2.0), levels=5, n=11),
         dict(xlim=Kind(None, _cases(False, reversed=(1.0, -1.0), nan=(NAN, 1.0), one=(1.0,), none=None,
                                     string="ab", inf=(-INF, 0.0)), dict(array=np.array([-1.0, 2.0]))),
              ylim=Kind(None, _cases(False, equal=(1.0, 1.0), three=(0.0, 1.0, 2.0)), {}),
              levels=COUNT(1, 1000), n=COUNT(2, 4000)), ()),
    Spec("figure_problems", lambda fig: len(plotting.figure_problems(fig)),
         dict(fig=FIGURE),
         dict(fig=Kind(None, _cases(False, none=None, axes="ax", number=1.0, string="figure"), {})), ()),
    Spec("trajectory", lambda path, every: _figure(lambda ax: plotting.trajectory(ax, path, "adam", every)) or 0.0,
         dict(path=PATH, every=2),
         dict(path=Kind(None, _cases(False, flat=np.ones(4), three_cols=np.ones((3, 3)), empty=np.ones((0, 2)),
                                     none=None, string="path"), dict(list=[[0.0, 1.0], [1.0, 2.0]])),
              every=COUNT(1)), ()),
    Spec("setup_notebook", lambda seed, torch, quiet: len(setup.setup_notebook(seed, torch, quiet)),
         dict(seed=0, torch=False, quiet=True), dict(seed=COUNT(0, 2 ** 32 - 1), torch=FLAG, quiet=FLAG), ()),
    Spec("Digits.from_numpy", lambda **kw: float(models.Digits.from_numpy(**kw).X_train.sum()),
         dict(X_train=np.ones((3, 64)), y_train=[0, 1, 9], X_test=np.zeros((2, 64)), y_test=np.array([3, 4])),
         dict(X_train=Kind("finite", ARRAY_BAD + _cases(False, wrong=np.ones((3, 63)), flat=np.ones(64)),
                           dict(float32=np.ones((3, 64), dtype=np.float32))),
              y_train=Kind(None, _cases(False, ten=[0, 1, 10], negative=[0, -1, 2], frac=[0.5, 1, 2], short=[0, 1],
                                        nan=[NAN, 1, 2], none=None), dict(uint8=np.array([1, 2, 3], dtype=np.uint8)))),
         (), dict(X_train=("X_train",), y_train=("y_train",))),
    Spec("problem_for", lambda settings, c: explorer_runs.problem_for(settings, c).gradients(3),
         dict(settings=dict(problem="online", C=10.0, period=3, p=0.1), c=-1.0),
         dict(c=FINITE.but(bad=_cases(True, tiny=1e-200), range_text=G_RANGE)), (3,)),
    Spec("block_scan", lambda A, b, h0, scale: scan.block_scan(A, b, h0, scale),
         dict(A=np.zeros((3, 17)), b=0.5, h0=0.0, scale=1.0),
         dict(A=Kind(None, _cases(False, list=[[0.0] * 17], flat=np.zeros(17), ints=np.zeros((3, 17), dtype=int),
                                  nan=np.full((3, 17), NAN), one_col=np.zeros((3, 1))), {}),
              b=UNIT_CLOSED.but(bad=_cases(True, zero=0.0), drop=("zero",), range_text="(0, 1]"),
              h0=FINITE, scale=FINITE), (3, 16)),
    Spec("gradients(T) online", lambda T: PROBLEMS["online"].gradients(T), dict(T=4),
         dict(T=COUNT(0, online.MAX_GRADIENTS)), None),
    Spec("load_digits(path)", lambda path: data.load_digits("test", path=path)[0].shape[0], dict(path=None),
         dict(path=Kind(None, _cases(False, number=3, list=["data"], missing="/nonexistent/digits.npz"), {})), (),
         dict(path=("path", "file"))),
]
MORE += [
    Spec("subplot_mosaic", lambda width, height: _close(plotting.subplot_mosaic("AB", width=width, height=height)),
         dict(width=8.0, height=3.0), dict(width=POSITIVE.but(drop=("tensor_grad",)),
                                           height=POSITIVE.but(drop=("tensor_grad",))), (2,)),
    Spec("optimizer_for", lambda settings, key, eps: drive(explorer_runs.optimizer_for(settings, key, eps)),
         dict(settings=dict(schedule="inv_sqrt", alpha=0.5, beta1=0.9, beta2=0.99), key="adam_paper", eps=1e-8),
         dict(eps=NONNEG, key=Kind(None, _cases(False, other="sgd", none=None), dict(ams="amsgrad_pytorch"))), (2,)),
    Spec("RunCache", lambda size: float(explorer_runs.RunCache(size).run(
        PROBLEMS["online"], "adam_pytorch", dict(schedule="constant", alpha=0.1, beta1=0.9, beta2=0.99), 20,
        eps=1e-8, x0=0.0, seed=0).x_final), dict(size=2), dict(size=COUNT(1, 10 ** 4)), ()),
]
SPECS += _step_specs() + MORE
SPEC = {s.name: s for s in SPECS}


# =========================================================================== the checks
def call(spec: Spec, **changes):
    kw = dict(spec.good, **changes)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return spec.call(**kw)


def assert_names(exc: BaseException, spec: Spec, params: list[str], ranged: bool):
    """The message names one of ``params`` (and, if ``ranged``, that parameter's range)."""
    msg = str(exc)
    ok = []
    for param in params:
        names = spec.aliases(param)
        if any(re.search(rf"(?<![A-Za-z_]){re.escape(n.strip())}(?![A-Za-z])", msg) for n in names):
            rng = spec.kinds[param].range_text
            ok.append(not ranged or rng is None or rng in msg or _range_said(rng, msg))
    assert any(ok), (f"{spec.name}: the message does not name {params}"
                     f"{' with its range' if ranged else ''}: {type(exc).__name__}: {msg}")


def _range_said(rng: str, msg: str) -> bool:
    """Other wordings of the same range."""
    same = {">= 0": ("non-negative", ">= 0", "in [0,"), "> 0": ("positive", "> 0", "(0,"),
            "finite": ("finite",), "[-1, 1]": ("[-1, 1]",)}
    return any(s in msg for s in same.get(rng, ())) or (rng.startswith(">= ") and "at most" in msg)


def outcome_ok(spec: Spec, result):
    if spec.check is not None:
        spec.check(result)
    else:
        finite(result, spec.shape)


BAD = [pytest.param(s.name, p, c, id=f"{s.name}-{p}-{c.label}")
       for s in SPECS for p, k in s.kinds.items() for c in k.bad]
GOOD = [pytest.param(s.name, p, label, id=f"{s.name}-{p}-{label}")
        for s in SPECS for p, k in s.kinds.items() for label in k.good]


@pytest.mark.parametrize("name", [s.name for s in SPECS])
def test_good_call(name):
    spec = SPEC[name]
    outcome_ok(spec, call(spec))


@pytest.mark.parametrize("name, param, case", BAD)
def test_bad_value(name, param, case):
    spec = SPEC[name]
    try:
        result = call(spec, **{param: case.value})
    except (ValueError, TypeError, FileNotFoundError) as exc:  # (the last: a path that does not exist)
        assert_names(exc, spec, [param], case.ranged)
    else:
        pytest.fail(f"{name}({param}={validation.describe(case.value)}) was accepted: {validation.describe(result)}")


@pytest.mark.parametrize("name, param, label", GOOD)
def test_good_edge_value(name, param, label):
    spec = SPEC[name]
    value = spec.kinds[param].good[label]
    try:
        result = call(spec, **{param: value})
    except FloatingPointError as exc:  # a run that overflows float64 says so, with the step
        assert re.search(r"t=\d+|step", str(exc)), exc
        return
    outcome_ok(spec, result)


# =========================================================================== combinations
# Parameters whose good values can clash with each other's (a joint condition): an error
# naming one of them is the right answer even when every value alone was good.
JOINT = {"large_beta2_adam": {"beta1", "beta2"}, "train_grid": {"eval_every"}}
SLOW = {"Explorer", "ExplorerFigure", "train_one", "train_grid", "load_digits", "ExplorerControls"}


@st.composite
def combinations(draw, specs):
    """(spec, changes, bad params): every parameter kept, or given a good or a bad value."""
    spec = draw(st.sampled_from(specs))
    changes, bad = {}, []
    for param, kind in spec.kinds.items():
        choice = draw(st.sampled_from(["keep", "good", "bad"]))
        if choice == "good" and kind.good:
            changes[param] = kind.good[draw(st.sampled_from(sorted(kind.good)))]
        elif choice == "bad" and kind.bad:
            changes[param] = draw(st.sampled_from(kind.bad)).value
            bad.append(param)
    return spec, changes, bad


def check_combination(spec, changes, bad):
    try:
        result = call(spec, **changes)
    except (ValueError, TypeError, FileNotFoundError) as exc:
        blamed = bad or sorted(JOINT.get(spec.name, set()) & set(changes))
        assert blamed, f"{spec.name}: good values refused: {type(exc).__name__}: {exc}"
        assert_names(exc, spec, blamed, ranged=False)
    except FloatingPointError as exc:  # valid settings whose run overflows: said, with the step
        assert not bad, f"{spec.name}: bad {bad} gave a FloatingPointError: {exc}"
        assert re.search(r"t=\d+|step", str(exc)), exc
    else:
        assert not bad, f"{spec.name}: bad values of {bad} were accepted"
        outcome_ok(spec, result)


@settings(max_examples=1500, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(combinations([s for s in SPECS if s.name not in SLOW]))
def test_random_combinations(combination):
    check_combination(*combination)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(combinations([s for s in SPECS if s.name in SLOW]))
def test_random_combinations_slow_callables(combination):
    check_combination(*combination)


@pytest.mark.parametrize("call", [lambda: scan.ema(np.array([1.0, 1e200]), 0.5, 0.0, True),
                                  lambda: scan.cumsum(np.array([1e308, 1e308]), 0.0),
                                  lambda: scan.ema(np.array([1e200, 2.0]), 0.0, 0.0, True)])
def test_scan_overflow_from_finite_inputs_is_said(call):
    """Finite inputs whose squares or sums exceed float64: a FloatingPointError, not inf."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match="overflowed float64 at index"):
            call()


# =========================================================================== mid-run
NUMPY_OPTIMIZERS = [optimizers.SGD, optimizers.Momentum, optimizers.AdaGrad, optimizers.RMSProp,
                    optimizers.Adam, optimizers.AMSGrad, adamnc.AdamNC, beyond.AdamX, beyond.Yogi,
                    beyond.AdaBound, beyond.AMSBound, beyond.AdamW]
K = 7  # the step at which things go wrong
BAD_ALPHA = {"nan": NAN, "inf": INF, "negative": -0.1, "string": "0.1", "none": None,
             "array": np.array([0.1, 0.1]), "complex": 0.1 + 0j}


def schedule_breaking_at(value, k=K):
    """A schedule written for one t at a time that returns ``value`` from step k on."""
    return lambda t: 0.1 if t < k else value


@pytest.mark.parametrize("what", sorted(BAD_ALPHA))
@pytest.mark.parametrize("cls", NUMPY_OPTIMIZERS, ids=lambda c: c.__name__)
def test_schedule_going_bad_mid_run_names_the_step(cls, what):
    opt = cls(lr=schedule_breaking_at(BAD_ALPHA[what]))
    x, state = X, opt.init(X)
    for t in range(1, K):
        x, state = opt.step(x, GRADS[t % len(GRADS)], state)
    with pytest.raises(ValueError, match=rf"Invalid learning rate at step t={K}\b"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step(x, GRADS[0], state)


@pytest.mark.parametrize("what", ["nan", "inf", "negative", "none"])
@pytest.mark.parametrize("make", [
    lambda lr: optimizers.Adam(lr), lambda lr: optimizers.AMSGrad(lr, bias_correction=False),
    lambda lr: beyond.AdaBound(lr), lambda lr: adamnc.AdamNC(lr), lambda lr: optimizers.SGD(lr),
    lambda lr: ("sweep", lr)], ids=["Adam", "AMSGrad", "AdaBound", "AdamNC", "SGD", "sweep"])
def test_schedule_going_bad_mid_run_in_the_simulators(make, what):
    """The fast simulator (whole blocks of steps), the plain loop and sweep say the same."""
    opt = make(schedule_breaking_at(BAD_ALPHA[what], k=300))
    with pytest.raises(ValueError, match=r"Invalid learning rate at step t=300\b"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            if isinstance(opt, tuple):
                synthetic.sweep(PROBLEMS["online"], [0.0, 0.9], 0.99, opt[1], 400)
            else:
                synthetic.run(PROBLEMS["stochastic"], opt, 400, chunk=64)


@pytest.mark.parametrize("bad", [NAN, INF, -INF])
@pytest.mark.parametrize("cls", NUMPY_OPTIMIZERS, ids=lambda c: c.__name__)
def test_gradient_going_bad_mid_run_names_the_step(cls, bad):
    opt = cls(lr=0.1)
    x, state = X, opt.init(X)
    for t in range(1, K):
        x, state = opt.step(x, GRADS[t % len(GRADS)], state)
    with pytest.raises(ValueError, match=rf"Invalid gradient: non-finite value .* at step t={K}\b"):
        opt.step(x, np.array([0.5, bad]), state)
    assert state.t == K - 1  # nothing was updated


@pytest.mark.parametrize("foreach", [True, False])
def test_torch_gradient_going_bad_mid_run_names_the_step(foreach):
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = torch_optim.Adam([p], lr=0.1, foreach=foreach)
    for _ in range(1, K):
        p.grad = torch.tensor([0.5, -1.0])
        opt.step()
    p.grad = torch.tensor([0.5, NAN])
    before = p.detach().clone()
    with pytest.raises(ValueError, match=rf"non-finite values .* at step t={K};"):
        opt.step()
    assert torch.equal(p.detach(), before)


class _Cliff(problems.Quadratic):
    """A quadratic whose gradient is NaN beyond |x| > 3 (a model gone wrong mid-run)."""

    def _grad(self, x, y):
        gx, gy = super()._grad(x, y)
        return np.where(np.abs(x) > 3, NAN, gx), gy


def test_problem_gradient_going_bad_mid_run_names_the_step():
    with pytest.raises(FloatingPointError, match=r"the gradient at step t=\d+ is not finite"):
        problems.optimize(optimizers.SGD(2.5), _Cliff(a=1.0, b=1.0), np.array([1.0, 1.0]), 50)


@pytest.mark.parametrize("cls", NUMPY_OPTIMIZERS, ids=lambda c: c.__name__)
def test_overflow_from_valid_settings_names_the_step(cls):
    """A huge but valid step size: the run stops with the step number, never returns inf/NaN."""
    opt = cls(lr=1e308)
    x, state = np.array([1e300, -1e300]), opt.init(X)
    with pytest.raises(FloatingPointError, match=r"t=\d+"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _ in range(50):
                x, state = opt.step(x, np.array([1e300, -1e300]), state)


@pytest.mark.parametrize("engine", ["run", "reference_run", "sweep"])
def test_simulator_overflow_names_the_step(engine):
    """alpha_t / (1 - beta_1^t) = 1e308 / 0.1 overflows at t = 1 (the projection onto [-1, 1]
    keeps x itself bounded)."""
    opt = optimizers.Adam(1e308, betas=(0.9, 0.999))
    prob = online.online_problem()
    with pytest.raises(FloatingPointError, match=r"t=\d+"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            if engine == "sweep":
                result = synthetic.sweep(prob, 0.9, 0.999, 1e308, 20)
                pytest.fail(f"sweep returned {result}")  # (its settings overflow: run raises)
            getattr(synthetic, engine)(prob, opt, 20)


@pytest.mark.parametrize("grid", [False, True])
def test_training_divergence_names_the_epoch(grid):
    """A huge (valid) learning rate: the weights overflow; the trainer says so, by epoch and step."""
    with pytest.raises(FloatingPointError, match=r"epoch \d+ \(step t=\d+\)"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            if grid:
                models.train_grid(DIGITS, 5, [dict(lr=1e-3), dict(lr=1e300)], seeds=(0,), epochs=2, batch_size=8)
            else:
                models.train_one(DIGITS, 5, 1e300, epochs=3, batch_size=8)


# =========================================================================== coverage
MODULES = [adamnc, beyond, data, explorer_controls, explorer_figure, explorer_runs, fast_adam, models,
           online, optimizers, plain_loop, plotting, problems, scan, schedules, setup, synthetic,
           torch_optim, validation, widgets]
#: Public callables with no parameter to fuzz, or that only hold what they are given.
EXEMPT = {
    "records (named tuples and frozen dataclasses; the optimizers check a state when it is used)":
        {"SGDState", "MomentumState", "AdaGradState", "RMSPropState", "AdamState", "AdamNCState",
         "AdamXState", "YogiState", "RunResult", "Digits"},
    "no numeric or array parameter": {"use_style", "label_axes", "find_data_file", "in_colab",
                                      "check_versions", "installed_version", "VersionWarning", "line",
                                      "describe"},
    "displays an Explorer (whose arguments are covered)": {"explore"},
    "not a constructor: the figure's own helper, fed by the simulator's runs": {"envelope"},
    "a hash of whatever arrays it is given (data/make_digits.py)": {"digits_sha256"},
    "the base class of the 2-D problems (abstract)": {"Problem"},
}


def _public_callables():
    """(module, name, object) for every public callable: a module's __all__, or (without one)
    the names it defines that do not start with an underscore."""
    seen = set()
    for module in MODULES:
        names = getattr(module, "__all__", None) or [n for n, v in vars(module).items() if not n.startswith("_")
                                                     and getattr(v, "__module__", None) == module.__name__]
        for name in names:
            obj = getattr(module, name)
            if callable(obj) and id(obj) not in seen:
                seen.add(id(obj))
                yield module, name, obj


def _codes(obj):
    """The code objects that mean "obj was called": a function's own, a class's methods'."""
    if isinstance(obj, type):
        return {f.__code__ for klass in obj.__mro__ if klass.__module__.startswith("amslib")
                for f in vars(klass).values() if hasattr(f, "__code__")}
    return {getattr(obj, "__code__", None)} - {None}


def test_every_public_callable_is_covered():
    """Each public callable of amslib (but the exempt ones, each with its reason) is reached by
    at least one spec's good call (or good edge value): a new public function cannot be left
    out of this file."""
    import sys
    called = set()

    def profile(frame, event, arg):
        if event == "call":
            called.add(frame.f_code)

    sys.setprofile(profile)
    try:
        for spec in SPECS:
            for changes in [{}] + [{p: v} for p, k in spec.kinds.items() for v in k.good.values()]:
                try:
                    call(spec, **changes)
                except Exception:
                    pass
    finally:
        sys.setprofile(None)
    exempt = set().union(*EXEMPT.values())
    missing = [f"{m.__name__}.{n}" for m, n, obj in _public_callables()
               if n not in exempt and not (_codes(obj) & called)]
    assert not missing, f"public callables no spec reaches (add a Spec, or an EXEMPT reason): {missing}"


def test_every_invalid_message_comes_from_one_builder():
    """No module writes its own "Invalid <name>: ..." or "<name> must be ..." error: each goes
    through validation.invalid, so every bad argument is reported in one form."""
    from pathlib import Path

    import amslib

    root = Path(amslib.__file__).parent
    own = re.compile(r'(?:Error|Exception)\(\s*f?["\'](?:Invalid |\w+ must be)')
    hits = [f"{path.relative_to(root)}:{text[:m.start()].count(chr(10)) + 1}"
            for path in sorted(root.rglob("*.py")) if "exercises" not in path.parts
            for text in [path.read_text()] for m in own.finditer(text)]
    assert hits == [], hits
    builders = [path.name for path in root.rglob("*.py") if 'f"Invalid {name}: {detail}"' in path.read_text()]
    assert builders == ["validation.py"]
