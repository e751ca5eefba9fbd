"""The checkers behind the exercises of notebooks 00, 03, 04 and 05: each accepts the right
answer, rejects typical mistakes with a hint, and reports a blank answer as not attempted."""
import numpy as np
import pytest
import torch

from amslib.exercises import nb00, nb03, nb04, nb05




@pytest.mark.parametrize("check,right,wrong,hint", [
    (nb00.check_step_size, 0.125, 0.5 / 16, "square root"),
    (nb00.check_best_point, -1, 1, "worst point"),
    (nb00.check_notation, "v_hat", "v", "running maximum"),
    (nb03.check_worst_regret, 1.6, 0.8, "best point"),
    (nb03.check_theorem1_beta2, 0.1, 0.9, "1/(1 + C^2)"),
    (nb04.check_running_max, [4, 4, 9, 9, 9.5], [4, 1, 9, 2, 9.5], "that is v itself"),
    (nb04.check_gamma, "b", "a", "Adam's problem"),
    (nb05.check_missing_line, "optimizer.zero_grad()", "optimizer.step()", "already there"),
    (nb05.check_accumulation, 2, 1, "adds to it"),
])
def test_right_and_wrong_answers(verdict, check, right, wrong, hint):
    ok, out = verdict(check, right)
    assert ok is True and "Correct!" in out
    ok, out = verdict(check, wrong)
    assert ok is False and hint in out


def test_numbers_must_be_numbers(verdict):
    ok, out = verdict(nb00.check_step_size, "a lot")
    assert ok is False and "expected a number" in out


def test_regret_function(verdict):
    right = lambda g, x: float(np.dot(g, x) + abs(np.sum(g)))
    assert verdict(nb03.check_regret_function, right)[0] is True
    ok, out = verdict(nb03.check_regret_function, lambda g, x: float(np.dot(g, x)))
    assert ok is False and "total loss" in out
    ok, out = verdict(nb03.check_regret_function, lambda g, x: None)
    assert ok is False and "Not attempted yet" in out


def test_amsgrad_step(verdict):
    def right(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_hat = np.maximum(v_hat, v)
        return x - alpha * m / (np.sqrt(v_hat) + eps), m, v, v_hat

    def adam(x, g, m, v, v_hat, t, alpha, beta1, beta2, eps):  # forgets the maximum
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        return x - alpha * m / (np.sqrt(v) + eps), m, v, v

    assert verdict(nb04.check_amsgrad_step, right)[0] is True
    ok, out = verdict(nb04.check_amsgrad_step, adam)
    assert ok is False and "running maximum" in out
    ok, out = verdict(nb04.check_amsgrad_step, lambda *args: None)
    assert ok is False and "Not attempted yet" in out


def test_make_optimizer(verdict):
    ok, _ = verdict(nb05.check_make_optimizer,
                    lambda p: torch.optim.Adam(p, lr=1e-4, amsgrad=True))
    assert ok is True
    ok, out = verdict(nb05.check_make_optimizer, lambda p: torch.optim.Adam(p, lr=1e-4))
    assert ok is False and "amsgrad=True" in out
    ok, out = verdict(nb05.check_make_optimizer,
                      lambda p: torch.optim.Adam(p, lr=1e-3, amsgrad=True))
    assert ok is False and "1e-4" in out
    ok, out = verdict(nb05.check_make_optimizer, lambda p: None)
    assert ok is False and "Not attempted yet" in out
