"""The explorer itself: :class:`Explorer` connects the controls, the runs and the figure
(the package docstring, :mod:`amslib.explorer`, says how it is shown and used)."""
from __future__ import annotations

import base64
import html
import math
import statistics
import time

import ipywidgets as W

from .. import plotting
from ..optimizers import Adam
from ..validation import check_eps, check_gradient_value, check_seed, check_x0
from .controls import ExplorerControls
from .figure import ExplorerFigure, check_compress_level, check_dpi
from .runs import RunCache, optimizer_for, problem_for

__all__ = ["Explorer", "explore", "TEXT_PLAIN"]

#: The explorer's fixed plain-text representation (what nbval compares).
TEXT_PLAIN = ("Adam vs AMSGrad explorer (interactive in Jupyter with ipywidgets; "
              "a static figure otherwise)")


class Explorer:
    """Controls plus a two-panel figure (iterate x_t, average regret R_t / t).

    ``Explorer(**settings)`` builds the widgets and draws the figure once; display it in a
    notebook (it is the last expression of a cell, or ``display(explorer)``).

    Attributes: ``widgets`` (name -> control; changing ``.value`` redraws),
    ``results`` (key -> :class:`amslib.synthetic.RunResult` of the shown optimizers),
    ``figure_png`` (the current PNG bytes), ``last_update_ms`` (how long the last
    update took, computation and rendering), ``error`` (the message shown, or "").
    """

    def __init__(self, beta1: float = 0.9, beta2: float = 0.99, alpha: float = 0.5,
                 schedule: str = "inv_sqrt", problem: str = "online", C: float = 1010.0,
                 period: int = 101, p: float = 0.01, steps: int = 10**5,
                 optimizers=("adam_pytorch", "amsgrad_pytorch"), *, c: float = -10.0,
                 eps: float = 1e-8, x0: float = 0.0, seed: int = 0, dpi: float = plotting.DPI,
                 compress_level: int = 1):
        self.controls = ExplorerControls(beta1, beta2, alpha, schedule, problem, C, period, p,
                                         steps, optimizers)
        # checked here (raised), not shown in the widget: they have no control to correct them;
        # all at once, right after the controls' checks, before anything is built from them
        c = check_gradient_value(c, "c", allow_zero=True)
        self.eps, self.x0, self.seed = check_eps(eps), check_x0(x0), check_seed(seed)
        dpi, compress_level = check_dpi(dpi), check_compress_level(compress_level)
        self.widgets = self.controls.widgets
        self.c = problem_for(self.controls.settings(), c).c
        self.runs = RunCache()
        self.plot = ExplorerFigure._checked(dpi, compress_level)
        self._busy = self._pending = False
        self.results: dict = {}
        self.error = ""
        self.last_update_ms = math.nan
        self.update_count = 0
        self.figure_png = b""
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%", height="auto"))
        self.message = W.HTML(value="")   # errors; empty when all is well
        self.info = W.HTML(value="")      # the problem, the best point, the timing
        self.box = self.controls.layout(self.message, self.image, self.info)
        # CSS classes: stable handles for styling and for the browser test
        self.box.add_class("amslib-explorer")
        self.image.add_class("amslib-explorer-figure")
        self.message.add_class("amslib-explorer-error")
        self.info.add_class("amslib-explorer-info")
        self.controls.observe(self._on_change)
        self.update()

    # ------------------------------------------------------------------ settings
    def settings(self) -> dict:
        """The current values of all controls (name -> value)."""
        return self.controls.settings()

    def selected(self) -> list:
        """The keys of the ticked optimizers, in :data:`OPTIMIZERS` order."""
        return self.controls.selected()

    def problem(self):
        """The problem the controls describe (an OnlineProblem or StochasticProblem)."""
        return problem_for(self.settings(), self.c)

    def optimizer(self, key: str) -> Adam:
        """The optimizer the controls describe for ``key`` (one of :data:`OPTIMIZERS`)."""
        return optimizer_for(self.settings(), key, self.eps)

    def clear_cache(self) -> None:
        """Forget the stored runs (the next update recomputes everything)."""
        self.runs.clear()

    # ------------------------------------------------------------------ updating
    def _on_change(self, change) -> None:
        if change.get("owner") is self.widgets["problem"]:
            self.controls.show_problem_controls()
        self.update()

    def update(self) -> None:
        """Recompute the runs for the current settings and redraw the figure.

        Called by every control. If an update is already running (a change made while
        drawing), the changes are coalesced: one more update runs when it is done.
        Errors are shown in the widget (``self.error``), never raised.
        """
        if self._busy:
            self._pending = True
            return
        self._busy = True
        try:
            while True:
                self._pending = False
                self._update_once()
                if not self._pending:
                    break
        finally:
            self._busy = False

    def _draw(self, prob, steps: int) -> None:
        self.figure_png = self.plot.draw(self.results, prob, steps)
        self.image.value = self.figure_png

    def _update_once(self) -> None:
        start = time.perf_counter()
        try:
            keys = self.selected()
            if not keys:
                raise ValueError("Tick at least one optimizer to see a curve.")
            prob = self.problem()
            steps = int(self.widgets["steps"].value)
            s = self.settings()
            self.results = {k: self.runs.run(prob, k, s, steps, eps=self.eps, x0=self.x0,
                                             seed=self.seed) for k in keys}
            self._draw(prob, steps)
        except Exception as exc:  # shown in the widget: a learner should not see a traceback
            self._set_error(f"Cannot draw these settings: {exc}")
        else:
            self._set_error("")
            self.info.value = html.escape(self._describe(prob, steps, start))
        self.last_update_ms = 1000.0 * (time.perf_counter() - start)
        self.update_count += 1

    def _describe(self, prob, steps: int, start: float) -> str:
        s = self.settings()
        gamma = s["beta1"] / math.sqrt(s["beta2"])
        note = ("" if gamma < 1 else
                f" Note: β₁/√β₂ = {gamma:.3f} ≥ 1, outside the paper's assumptions.")
        elapsed = 1000.0 * (time.perf_counter() - start)
        return (f"{prob.description}; T = {steps:,} steps. Best fixed point x* = "
                f"{prob.optimal_point:+.0f}; the worst point's average regret is "
                f"{prob.worst_average_regret:.4f}. Updated in {elapsed:.0f} ms.{note}")

    def _set_error(self, text: str) -> None:
        self.error = text
        # #B00020 on white: 7.3:1 (WCAG AA); bold and prefixed, so not by colour alone
        self.message.value = (f'<span role="alert" style="color:#B00020;font-weight:bold">'
                              f'Error: {html.escape(text)}</span>' if text else "")

    def measure_latency(self, repeats: int = 5, redraw_axes: bool = False) -> float:
        """Median time in ms of ``repeats`` updates (computation and rendering), with the
        stored runs forgotten before each, as after a slider move. ``redraw_axes=True``
        also forgets the stored backgrounds (as after a change of T or of the axes)."""
        times = []
        for _ in range(repeats):
            self.clear_cache()
            if redraw_axes:
                self.plot.backgrounds.clear()
            self.update()
            times.append(self.last_update_ms)
        return statistics.median(times)

    # ------------------------------------------------------------------ display
    @property
    def widget(self):
        """The top-level box (display this, or the explorer itself)."""
        return self.box

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "application/vnd.jupyter.widget-view+json": {
                "model_id": self.box.model_id, "version_major": 2, "version_minor": 0},
            "image/png": base64.b64encode(self.figure_png).decode("ascii"),
            "text/plain": TEXT_PLAIN,
        }

    def __repr__(self) -> str:
        return TEXT_PLAIN


def explore(**settings) -> Explorer:
    """Create an :class:`Explorer` with ``settings`` (see its arguments), display it and
    return it (assign the result, ``explorer = explore()``, to avoid a second display)."""
    from IPython.display import display

    explorer = Explorer(**settings)
    display(explorer)
    return explorer
