"""The explorer's computations: the problem and the optimizers its controls describe, and
the runs of :func:`amslib.synthetic.run`, remembered (least recently used first out) so
that going back to a setting redraws at once. No widgets here."""
from __future__ import annotations

from collections import OrderedDict

from .. import synthetic
from ..optimizers import Adam
from ..schedules import constant, inv_sqrt
from ..validation import check_betas, check_count, check_eps, invalid

#: key -> (method, bias_correction, label)
OPTIMIZERS = {
    "adam_pytorch": ("adam", True, "Adam (PyTorch form)"),
    "amsgrad_pytorch": ("amsgrad", True, "AMSGrad (PyTorch form)"),
    "adam_paper": ("adam", False, "Adam (paper form)"),
    "amsgrad_paper": ("amsgrad", False, "AMSGrad (paper form)"),
}
SCHEDULES = {"inv_sqrt": inv_sqrt, "constant": constant}


def problem_for(settings: dict, c: float):
    """The problem ``settings`` describe: online (C every ``period`` steps, else c) or
    stochastic (C with probability ``p``, else c)."""
    if settings["problem"] == "online":
        return synthetic.online_problem(C=settings["C"], period=settings["period"], c=c)
    return synthetic.stochastic_problem(C=settings["C"], p=settings["p"], c=c)


def optimizer_for(settings: dict, key: str, eps: float) -> Adam:
    """The optimizer ``settings`` describe for ``key`` (one of :data:`OPTIMIZERS`)."""
    if not isinstance(key, str) or key not in OPTIMIZERS:
        raise invalid("key", key, f"one of {list(OPTIMIZERS)}")
    method, bias_correction, _ = OPTIMIZERS[key]
    lr = SCHEDULES[settings["schedule"]](settings["alpha"])  # checks alpha
    betas, eps = check_betas((settings["beta1"], settings["beta2"])), check_eps(eps)
    return Adam._checked(lr, betas, eps, method == "amsgrad", bias_correction)


class RunCache:
    """Runs of the simulator, keyed by everything that determines them."""

    def __init__(self, size: int = 64):
        self.size = check_count(size, "size", 1, 10 ** 4, "each run keeps ~10^4 points for the plot")
        self._runs: OrderedDict = OrderedDict()

    def run(self, prob, key: str, settings: dict, steps: int, *, eps: float, x0: float, seed: int):
        cache_key = (prob, key, settings["beta1"], settings["beta2"], settings["alpha"],
                     settings["schedule"], steps, eps, x0, seed)
        res = self._runs.get(cache_key)
        if res is None:
            res = synthetic.run(prob, optimizer_for(settings, key, eps), steps=steps, x0=x0, seed=seed)
            self._runs[cache_key] = res
            if len(self._runs) > self.size:
                self._runs.popitem(last=False)
        else:
            self._runs.move_to_end(cache_key)
        return res

    def clear(self) -> None:
        self._runs.clear()
