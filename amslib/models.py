"""Small classifiers for the digits data, and a way to train many copies of one at once.

Notebook 08 repeats the paper's Figure 2 experiments (Reddi, Kale and Kumar, ICLR 2018)
on the 8x8 digits: multinomial logistic regression and a network with one hidden
layer of ReLU units, trained by ``torch.optim.Adam`` with ``amsgrad=False`` and
``True``, for a grid of step sizes, two beta_2 and several seeds. Each model is tiny
(650 or 7,510 parameters), so a plain training loop spends its time in PyTorch's
per-call overhead, not in arithmetic: 72 runs one after the other take about a minute.

:func:`train_grid` trains all the runs of one model at the same time, with the same
numbers as separate runs (checked against :func:`train_one`, the plain loop, in
``tests/test_models.py``, and in notebook 08 against the plain loop the notebook writes
out, ``train_one_run``, to ~1e-12)::

    from amslib.models import train_grid, train_one
    configs = [dict(lr=3e-3, betas=(0.9, 0.999), amsgrad=a) for a in (False, True)]
    hist = train_grid(data, hidden=100, configs=configs, seeds=(0, 1, 2), epochs=20)
    hist.shape   # (2 configs, 3 seeds, 21 evaluations, 3): train loss, test loss, test accuracy

How: every parameter tensor gets two leading axes, (config, seed) (and the weights of one
config are stored as one flat tensor, of which the layers are views). A forward pass is one
batched matrix product over all copies (``torch.matmul`` broadcasts), and the loss is
the **sum** of the copies' mean cross-entropies, so the gradient of each copy's
parameters is exactly the gradient of its own loss. Adam and AMSGrad act element by
element, so one ``torch.optim.Adam`` whose parameter groups are the configs (each group
with its own ``lr``, ``betas`` and ``amsgrad``; the group's tensors hold all seeds of
that config) takes exactly the steps that separate optimizers would.

Conventions, the same in both functions:

* float64 on the CPU (results reproducible to the printed digits across machines);
* initial parameters: ``torch.nn.Linear``'s default initialisation drawn right after
  ``torch.manual_seed(seed)``, so every config with the same seed starts from the same
  point;
* minibatch order: ``np.random.default_rng(seed)``, one ``permutation`` per epoch,
  consecutive batches of ``batch_size`` (the last one smaller), exactly as
  :func:`amslib.data.minibatches` with that generator;
* ``schedule="inv_sqrt"``: alpha_t = lr / sqrt(t), t the step number (1, 2, ...);
  ``"constant"``: alpha_t = lr;
* evaluation before training and after every epoch: mean cross-entropy (nats) on the
  whole training set and on the test set, and test accuracy.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

from .validation import as_real_array, check_betas, check_count, check_eps, check_flag, check_lr, invalid

__all__ = ["Digits", "make_model", "train_one", "train_grid", "SCHEDULES"]

DTYPE = torch.float64
SCHEDULES = ("constant", "inv_sqrt")
N_FEATURES, N_CLASSES = 64, 10


class Digits(NamedTuple):
    """The data as tensors: float64 images (n, 64) and int64 labels (n,)."""
    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor

    @classmethod
    def from_numpy(cls, X_train, y_train, X_test, y_test) -> Digits:
        """From arrays as :func:`amslib.data.load_digits` returns them: images (n, 64), finite;
        labels (n,), integers 0..9."""
        X_train, X_test = _images(X_train, "X_train"), _images(X_test, "X_test")
        y_train, y_test = _labels(y_train, "y_train", len(X_train)), _labels(y_test, "y_test", len(X_test))
        return cls(torch.as_tensor(X_train, dtype=DTYPE), torch.as_tensor(y_train, dtype=torch.int64),
                   torch.as_tensor(X_test, dtype=DTYPE), torch.as_tensor(y_test, dtype=torch.int64))


def _images(X, name: str) -> np.ndarray:
    X = as_real_array(X, name)
    if X.ndim != 2 or X.shape[1] != N_FEATURES or len(X) == 0:
        raise invalid(name, detail=f"shape {X.shape} (must be (n, {N_FEATURES}) with n >= 1: "
                      "one flattened 8x8 image a row)")
    return X


def _labels(y, name: str, n: int) -> np.ndarray:
    y = as_real_array(y, name)
    if y.shape != (n,) or not np.all((y == np.round(y)) & (y >= 0) & (y < N_CLASSES)):
        raise invalid(name, y, f"{n} integer labels in "
                      f"0..{N_CLASSES - 1}, one an image")
    return y.astype(np.int64)


#: Limits that keep a call within memory and time (each refused with a message).
MAX_HIDDEN = 10_000
MAX_EPOCHS = 10_000
#: configs x seeds x parameters per model: the weights, gradients and Adam's moments of
#: all copies take ~5 x 8 bytes per parameter (2e7: ~0.8 GB).
MAX_TOTAL_PARAMETERS = 2 * 10 ** 7


def _check(hidden, schedule, epochs, batch_size):
    """(hidden, epochs, batch_size) as ints (hidden may be None), checked."""
    if hidden is not None:
        try:
            hidden = check_count(hidden, "hidden", 1, MAX_HIDDEN)
        except ValueError as exc:
            raise ValueError(f"{exc} (None for logistic regression, or a number of hidden "
                             "units)") from None
    if not isinstance(schedule, str) or schedule not in SCHEDULES:
        raise invalid("schedule", schedule, f"one of {SCHEDULES}")
    epochs = check_count(epochs, "epochs", 0, MAX_EPOCHS)
    batch_size = check_count(batch_size, "batch_size", 1)
    return hidden, epochs, batch_size


def _check_config(lr, betas, eps, amsgrad, where: str = "") -> dict:
    """The Adam options of one run, checked as torch.optim.Adam should (it lets a NaN or
    negative lr through in a param group, and takes amsgrad='False' as True)."""
    try:
        if callable(lr) or isinstance(lr, torch.Tensor):
            raise invalid("learning rate", lr, f"a float >= 0; the schedule "
                          f"is chosen by schedule={SCHEDULES}")
        return dict(lr=check_lr(lr), betas=check_betas(betas), eps=check_eps(eps),
                    amsgrad=check_flag(amsgrad, "amsgrad"))
    except ValueError as exc:
        raise ValueError(f"{exc}{where}") from None


def _n_parameters(hidden) -> int:
    return sum(o * i + o for o, i in _layer_shapes(hidden))


def check_seed_int(seed) -> int:
    """A seed for torch.manual_seed and numpy: an integer in [0, 2^63)."""
    return check_count(seed, "seed", 0, 2 ** 63 - 1)


def make_model(hidden: int | None, seed: int) -> torch.nn.Module:
    """Logistic regression (``hidden=None``): Linear(64, 10); otherwise
    Linear(64, hidden), ReLU, Linear(hidden, 10). float64, initialised by PyTorch's
    default right after ``torch.manual_seed(seed)``. The outputs are logits."""
    hidden = _check(hidden, "constant", 0, 1)[0]
    torch.manual_seed(check_seed_int(seed))
    if hidden is None:
        layers = [torch.nn.Linear(N_FEATURES, N_CLASSES)]
    else:
        layers = [torch.nn.Linear(N_FEATURES, int(hidden)), torch.nn.ReLU(),
                  torch.nn.Linear(int(hidden), N_CLASSES)]
    return torch.nn.Sequential(*layers).to(DTYPE)


def _check_history(values: np.ndarray, epoch: int, t: int, where=lambda index: "") -> None:
    """Raise FloatingPointError, naming the epoch, if an evaluation is not finite (the run
    diverged: a step size so large that the weights overflowed float64)."""
    if not np.all(np.isfinite(values)):
        index = np.unravel_index(int(np.argmin(np.isfinite(values))), values.shape)
        raise FloatingPointError(f"training diverged: the loss after epoch {epoch} (step t={t})"
                                 f"{where(index)} is not finite; lower the learning rate")


def _lr(base: float, schedule: str, t: int) -> float:
    return base / math.sqrt(t) if schedule == "inv_sqrt" else base


def _evaluate(logits_train, y_train, logits_test, y_test):
    """Mean cross-entropy on train and test, and test accuracy, over the last two axes
    (n, 10) of the logits; leading axes are kept."""
    def ce(logits, y):
        lead = logits.shape[:-2]
        flat = logits.reshape(-1, N_CLASSES)
        yy = y.expand(*lead, -1).reshape(-1)
        return F.cross_entropy(flat, yy, reduction="none").reshape(*lead, -1).mean(-1)
    acc = (logits_test.argmax(-1) == y_test).to(DTYPE).mean(-1)
    return torch.stack([ce(logits_train, y_train), ce(logits_test, y_test), acc], dim=-1)


def train_one(data: Digits, hidden: int | None, lr: float, betas=(0.9, 0.999),
              amsgrad: bool = False, eps: float = 1e-8, seed: int = 0, epochs: int = 10,
              batch_size: int = 128, schedule: str = "constant") -> np.ndarray:
    """Train one model with ``torch.optim.Adam``: the plain loop.

    Returns an array of shape (epochs + 1, 3): train loss, test loss, test accuracy,
    before training and after each epoch.
    """
    hidden, epochs, batch_size = _check(hidden, schedule, epochs, batch_size)
    options = _check_config(lr, betas, eps, amsgrad)
    seed = check_seed_int(seed)
    lr = options["lr"]
    model = make_model(hidden, seed)
    opt = torch.optim.Adam(model.parameters(), **options)
    rng = np.random.default_rng(seed)
    n = len(data.X_train)
    history = np.empty((epochs + 1, 3))

    def evaluate():
        with torch.no_grad():
            return _evaluate(model(data.X_train), data.y_train,
                             model(data.X_test), data.y_test).numpy()

    history[0] = evaluate()
    t = 0
    for epoch in range(1, epochs + 1):
        order = torch.from_numpy(rng.permutation(n))
        for idx in order.split(int(batch_size)):
            t += 1
            opt.param_groups[0]["lr"] = _lr(lr, schedule, t)
            loss = F.cross_entropy(model(data.X_train[idx]), data.y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        history[epoch] = evaluate()
        _check_history(history[epoch], epoch, t)
    return history


def _layer_shapes(hidden):
    """[(out, in), ...] of the linear layers."""
    if hidden is None:
        return [(N_CLASSES, N_FEATURES)]
    return [(int(hidden), N_FEATURES), (N_CLASSES, int(hidden))]


def _stacked_init(hidden, seeds, n_configs):
    """One leaf tensor per config, of shape (S, P): row j holds all P weights of the model
    with seed seeds[j], flattened layer by layer as W1, b1, W2, b2 (see :func:`_unflatten`).
    One tensor per config keeps ``torch.optim.Adam``'s per-tensor overhead small."""
    rows = [torch.cat([p.detach().reshape(-1) for p in make_model(hidden, s).parameters()])
            for s in seeds]
    flat = torch.stack(rows)
    return [flat.clone().requires_grad_(True) for _ in range(n_configs)]


def _unflatten(flat, hidden):
    """Views [W1, b1, (W2, b2)] of flat weights (..., P): weights (..., out, in), biases
    (..., 1, out), the leading axes kept."""
    lead, params, start = flat.shape[:-1], [], 0
    for out, inp in _layer_shapes(hidden):
        params.append(flat[..., start:start + out * inp].reshape(*lead, out, inp))
        start += out * inp
        params.append(flat[..., start:start + out].reshape(*lead, 1, out))
        start += out
    return params


def _stacked_forward(params, X):
    """X: (S, B, 64) or (B, 64); params: [W1, b1, (W2, b2)] each with leading (C, S)."""
    h = X
    n_layers = len(params) // 2
    for k in range(n_layers):
        W, b = params[2 * k], params[2 * k + 1]
        h = torch.matmul(h, W.transpose(-1, -2)) + b
        if k < n_layers - 1:
            h = torch.relu(h)
    return h


def train_grid(data: Digits, hidden: int | None, configs: Sequence[dict],
               seeds: Sequence[int] = (0, 1, 2), epochs: int = 10, batch_size: int = 128,
               schedule: str = "constant", eval_every: int = 1) -> np.ndarray:
    """Train every (config, seed) pair at once; the same numbers as :func:`train_one`.

    ``configs``: a list of dicts of ``torch.optim.Adam`` options, each with ``lr`` and
    optionally ``betas``, ``eps``, ``amsgrad`` (e.g. ``dict(lr=0.01, betas=(0.9, 0.99),
    amsgrad=True)``). Returns an array of shape
    (len(configs), len(seeds), epochs // eval_every + 1, 3): train loss, test loss, test
    accuracy, before training and after every ``eval_every`` epochs (which must divide
    ``epochs``; evaluating the whole training set costs about a third of the time).
    """
    hidden, epochs, batch_size = _check(hidden, schedule, epochs, batch_size)
    try:
        eval_every = check_count(eval_every, "eval_every", 1)
        if epochs % eval_every:
            raise ValueError
    except ValueError:
        raise invalid("eval_every", eval_every, f"an integer >= 1 "
                      f"that divides epochs = {epochs}") from None
    try:
        configs = list(configs)
    except TypeError:
        raise invalid("configs", configs, "a list of dicts such as "
                      "[dict(lr=0.01)]") from None
    try:
        seeds = [check_seed_int(s) for s in seeds]
    except TypeError:
        raise invalid("seeds", seeds, "a list of integers >= 0") from None
    if not configs or not seeds:
        raise ValueError("need at least one config and one seed")
    allowed = {"lr", "betas", "eps", "amsgrad"}
    checked = []
    for i, c in enumerate(configs):
        if not isinstance(c, dict) or "lr" not in c or set(c) - allowed:
            raise invalid(f"config {c!r}", detail=f"needs 'lr', may have {sorted(allowed - {'lr'})}")
        checked.append(_check_config(c["lr"], c.get("betas", (0.9, 0.999)), c.get("eps", 1e-8),
                                     c.get("amsgrad", False), f" in config {i}"))
    configs = checked  # the same rules as train_one's (torch.optim.Adam checks only defaults)
    C, S = len(configs), len(seeds)
    check_count(C * S * _n_parameters(hidden), "configs x seeds x parameters per model", 1,
                MAX_TOTAL_PARAMETERS, "the copies are trained at once, in memory")
    per_config = _stacked_init(hidden, seeds, C)
    groups = [dict(c, params=[p]) for c, p in zip(configs, per_config, strict=True)]
    opt = torch.optim.Adam(groups)
    base_lr = [float(c["lr"]) for c in configs]
    rngs = [np.random.default_rng(s) for s in seeds]
    n = len(data.X_train)
    history = np.empty((C, S, epochs // eval_every + 1, 3))

    def params():  # views (C, S, ...) of the weights and biases of every layer
        return _unflatten(torch.stack(per_config), hidden)

    def evaluate():
        with torch.no_grad():
            p = params()
            return _evaluate(_stacked_forward(p, data.X_train), data.y_train,
                             _stacked_forward(p, data.X_test), data.y_test).numpy()

    history[:, :, 0] = evaluate()
    t = 0
    for epoch in range(1, epochs + 1):
        orders = torch.from_numpy(np.stack([rng.permutation(n) for rng in rngs]))  # (S, n)
        for idx in orders.split(int(batch_size), dim=1):                             # (S, B)
            t += 1
            for group, lr in zip(opt.param_groups, base_lr, strict=True):
                group["lr"] = _lr(lr, schedule, t)
            logits = _stacked_forward(params(), data.X_train[idx])                  # (C, S, B, 10)
            y = data.y_train[idx].expand(C, -1, -1)
            losses = F.cross_entropy(logits.reshape(-1, N_CLASSES), y.reshape(-1),
                                     reduction="none").reshape(C, S, -1).mean(-1)
            opt.zero_grad()
            losses.sum().backward()  # each copy's gradient is that of its own mean loss
            opt.step()
        if epoch % eval_every == 0:
            history[:, :, epoch // eval_every] = evaluate()
            _check_history(history[:, :, epoch // eval_every], epoch, t,
                           lambda i: f" of config {i[0]}, seed {seeds[i[1]]}")
    return history
