"""Adam and AMSGrad for PyTorch, written from scratch as a ``torch.optim.Optimizer``.

The NumPy reference in :mod:`amslib.optimizers` shows the algorithm one array at a
time; this module is the same algorithm for real ``nn.Module`` training::

    import torch
    from amslib.torch_optim import Adam

    model = torch.nn.Sequential(torch.nn.Linear(1000, 100), torch.nn.ReLU(),
                                torch.nn.Linear(100, 10))
    opt = Adam(model.parameters(), lr=1e-3, amsgrad=True)
    for x, y in batches:
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y, reduction="sum")
        loss.backward()
        opt.step()

It follows ``torch.optim.Adam`` (weight_decay=0, maximize=False) step for step, and
the tests check that both produce the same trajectory.

One module per idea: :mod:`.adam` (the optimizer), :mod:`.checks` (what it checks, where each
value enters) and :mod:`.updates` (the update on checked tensors, per tensor and foreach).
"""
from .adam import Adam

__all__ = ["Adam"]

# The public name, as users import it (messages and pickles name it so; the class lives in .adam).
Adam.__module__ = __name__
