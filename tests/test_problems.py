"""Tests for amslib.problems: values, gradients, minimisers and the optimize() driver."""
import math

import numpy as np
import pytest

from amslib import optimizers
from amslib.problems import Quadratic, Rosenbrock, RotatedQuadratic, optimize

PROBLEMS = [Quadratic(), Quadratic(a=0.5, b=3.0), RotatedQuadratic(), RotatedQuadratic(a=2.0, b=7.0, angle=0.3),
            Rosenbrock(), Rosenbrock(a=0.5, b=10.0)]
IDS = [repr(p) for p in PROBLEMS]


@pytest.mark.parametrize("problem", PROBLEMS, ids=IDS)
def test_gradient_matches_finite_differences(problem):
    rng = np.random.default_rng(0)
    h = 1e-6
    for p in rng.uniform(-2, 2, size=(10, 2)):
        fd = np.array([(problem.value(p + h * e) - problem.value(p - h * e)) / (2 * h) for e in np.eye(2)])
        np.testing.assert_allclose(problem.grad(p), fd, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("problem", PROBLEMS, ids=IDS)
def test_minimiser(problem):
    np.testing.assert_allclose(problem.grad(problem.minimiser), 0.0, atol=1e-12)
    assert problem.value(problem.minimiser) == pytest.approx(problem.f_min, abs=1e-12)
    rng = np.random.default_rng(1)
    others = problem.minimiser + rng.normal(size=(50, 2))
    assert np.all(problem.value(others) > problem.f_min)
    assert np.all(problem.gap(others) > 0)


@pytest.mark.parametrize("problem", PROBLEMS, ids=IDS)
def test_vectorised_shapes(problem):
    X, Y = np.meshgrid(np.linspace(-1, 1, 7), np.linspace(-1, 1, 5))
    Z = problem(X, Y)
    assert Z.shape == (5, 7)
    assert Z[2, 3] == pytest.approx(problem.value(np.array([X[2, 3], Y[2, 3]])))
    path = np.stack([X.ravel(), Y.ravel()], axis=1)
    assert problem.value(path).shape == (35,)
    assert isinstance(problem.value(path[0]), float)
    assert problem.grad(path).shape == (35, 2)
    np.testing.assert_allclose(problem.grad(path)[4], problem.grad(path[4]))
    assert problem.grad(path[0]).dtype == np.float64
    assert problem.x0.shape == (2,)


def test_quadratic_formula_and_stability_limit():
    q = Quadratic(a=1.0, b=20.0)
    assert q(2.0, 1.0) == pytest.approx(0.5 * (4.0 + 20.0))
    np.testing.assert_allclose(q.grad([2.0, 1.0]), [2.0, 20.0])
    assert q.condition_number == pytest.approx(20.0)
    assert q.max_stable_lr == pytest.approx(0.1)
    below = optimize(optimizers.SGD(0.99 * q.max_stable_lr), q, q.x0, 300)
    above = optimize(optimizers.SGD(1.01 * q.max_stable_lr), q, q.x0, 300)
    assert q.value(below[-1]) < 1e-3 * q.value(below[0])
    assert q.value(above[-1]) > q.value(above[0])


def test_rotated_quadratic():
    r0 = RotatedQuadratic(a=1.0, b=20.0, angle=0.0)
    q = Quadratic(a=1.0, b=20.0)
    p = np.array([0.3, -1.2])
    assert r0.value(p) == pytest.approx(q.value(p))
    np.testing.assert_allclose(r0.grad(p), q.grad(p))
    r = RotatedQuadratic(a=1.0, b=20.0, angle=math.pi / 4)
    np.testing.assert_allclose(np.linalg.eigvalsh(r.hessian), [1.0, 20.0])
    np.testing.assert_allclose(r.hessian, r.hessian.T)


def test_rosenbrock_formula():
    f = Rosenbrock()
    assert f(0.0, 0.0) == pytest.approx(1.0)
    assert f(1.0, 1.0) == 0.0
    np.testing.assert_allclose(f.grad([0.0, 0.0]), [-2.0, 0.0])
    np.testing.assert_allclose(Rosenbrock(a=2.0).minimiser, [2.0, 4.0])


@pytest.mark.parametrize("bad", [dict(a=0.0), dict(b=-1.0), dict(a=float("nan"))])
def test_invalid_quadratic(bad):
    with pytest.raises(ValueError, match="curvature"):
        Quadratic(**bad)


def test_invalid_points():
    with pytest.raises(ValueError, match="last axis"):
        Quadratic().grad(np.zeros(3))
    with pytest.raises(ValueError, match="last axis"):
        Quadratic().value(1.0)


def test_optimize_matches_a_manual_loop():
    q = Quadratic()
    opt = optimizers.Adam(lr=0.1)
    x0 = np.array([-4.5, 1.5])
    path = optimize(opt, q, x0, 25)
    assert path.shape == (26, 2) and path.dtype == np.float64
    np.testing.assert_array_equal(path[0], x0)
    x, state = x0, opt.init(x0)
    for t in range(1, 26):
        x, state = opt.step(x, q.grad(x), state)
        np.testing.assert_array_equal(path[t], x)
    np.testing.assert_array_equal(x0, [-4.5, 1.5])  # the caller's start point is untouched


@pytest.mark.parametrize("opt", [optimizers.SGD(0.05), optimizers.Momentum(0.1, 0.5), optimizers.AdaGrad(1.0),
                                 optimizers.RMSProp(0.05, 0.9), optimizers.Adam(0.1), optimizers.AMSGrad(0.1)],
                         ids=lambda o: type(o).__name__ if not getattr(o, "amsgrad", False) else "AMSGrad")
def test_every_reference_optimizer_makes_progress(opt):
    q = Quadratic()
    path = optimize(opt, q, q.x0, 200)
    assert q.value(path[-1]) < 1e-2 * q.value(path[0])


def test_optimize_edge_cases():
    q = Quadratic()
    assert optimize(optimizers.SGD(0.1), q, [1.0, 1.0], 0).shape == (1, 2)
    with pytest.raises(ValueError, match="steps"):
        optimize(optimizers.SGD(0.1), q, [1.0, 1.0], -1)
    with pytest.raises(ValueError, match="start point"):
        optimize(optimizers.SGD(0.1), q, [1.0, 1.0, 1.0], 5)
    with pytest.raises(FloatingPointError, match="diverged"):
        optimize(optimizers.SGD(1.0), q, [1.0, 1.0], 1000)
