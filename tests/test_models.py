"""amslib.models: the stacked trainer takes exactly the steps of separate torch.optim.Adam runs."""
import numpy as np
import pytest
import torch

from amslib.data import load_digits
from amslib.models import Digits, make_model, train_grid, train_one


@pytest.fixture(scope="module")
def data():
    return Digits.from_numpy(*load_digits("train"), *load_digits("test"))


@pytest.mark.parametrize("hidden, schedule", [(None, "inv_sqrt"), (100, "constant"), (7, "constant")])
def test_grid_equals_separate_runs(data, hidden, schedule):
    configs = [dict(lr=0.05, betas=(0.9, 0.99)), dict(lr=0.01, betas=(0.8, 0.999), amsgrad=True, eps=1e-6)]
    seeds = (3, 5)
    together = train_grid(data, hidden, configs, seeds=seeds, epochs=2, batch_size=200, schedule=schedule)
    assert together.shape == (2, 2, 3, 3)
    for i, c in enumerate(configs):
        for j, s in enumerate(seeds):
            alone = train_one(data, hidden, seed=s, epochs=2, batch_size=200, schedule=schedule, **c)
            np.testing.assert_allclose(together[i, j], alone, rtol=0, atol=1e-12)


def test_eval_every(data):
    full = train_grid(data, None, [dict(lr=0.1)], seeds=(0,), epochs=4)
    sparse = train_grid(data, None, [dict(lr=0.1)], seeds=(0,), epochs=4, eval_every=2)
    np.testing.assert_array_equal(sparse[0, 0], full[0, 0, ::2])
    with pytest.raises(ValueError, match="eval_every"):
        train_grid(data, None, [dict(lr=0.1)], epochs=3, eval_every=2)


def test_make_model_is_seeded():
    a, b = make_model(100, 1), make_model(100, 1)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert sum(p.numel() for p in a.parameters()) == 7510
    assert sum(p.numel() for p in make_model(None, 0).parameters()) == 650


@pytest.mark.parametrize("kwargs, match", [
    (dict(hidden=0), "hidden"), (dict(schedule="cosine"), "schedule"),
    (dict(epochs=-1), "epochs"), (dict(batch_size=0), "batch_size"),
    (dict(configs=[dict(lr=0.1, momentum=0.9)]), "config"), (dict(configs=[]), "at least one"),
])
def test_bad_arguments(data, kwargs, match):
    args = dict(hidden=None, configs=[dict(lr=0.1)], epochs=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        train_grid(data, **args)


@pytest.mark.parametrize("config, match", [
    (dict(lr=float("nan")), "learning rate"), (dict(lr=-1.0), "learning rate"),
    (dict(lr=True), "learning rate"), (dict(lr=0.1, betas=(1.5, 0.9)), "beta parameter at index 0"),
    (dict(lr=0.1, eps=-1.0), "epsilon"), (dict(lr=0.1, amsgrad="False"), "amsgrad"),
])
def test_grid_checks_configs_like_train_one(data, config, match):
    with pytest.raises(ValueError, match=match):
        train_grid(data, None, [config], seeds=(0,), epochs=1)
    with pytest.raises(ValueError, match=match):
        train_one(data, None, epochs=1, **config)


@pytest.mark.parametrize("kwargs, match", [
    (dict(hidden=10**9), "hidden"), (dict(epochs=10**9), "epochs"), (dict(epochs=2.5), "epochs"),
    (dict(seeds=(1.5,)), "seed"), (dict(seeds=(True,)), "seed"),
    (dict(hidden=5000, seeds=tuple(range(100))), "configs x seeds x parameters"),
])
def test_grid_refuses_sizes_and_types(data, kwargs, match):
    args = dict(hidden=None, configs=[dict(lr=0.1)], seeds=(0,), epochs=1) | kwargs
    with pytest.raises(ValueError, match=match):
        train_grid(data, **args)
