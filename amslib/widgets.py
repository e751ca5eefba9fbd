"""An interactive explorer for the synthetic problems of Reddi, Kale and Kumar (2018).

    from amslib.widgets import explore
    explorer = explore()            # displays the controls and the figure

Sliders and buttons set beta_1, beta_2, the step size alpha and its schedule (constant or
alpha / sqrt(t)), the problem (online: g_t = C every ``period`` steps, else c; stochastic:
g_t = C with probability p, else c), the number of steps and which optimizers to show
(Adam and AMSGrad, each in the paper's form, without bias correction, or PyTorch's, with
it). Every change re-runs :func:`amslib.synthetic.run` and redraws two panels: the
iterate x_t and the average regret R_t / t.

How it is drawn, so that it works in JupyterLab 4, Notebook 7, VS Code and Colab
(ipywidgets 8 or 7.7) without ipympl: one :class:`matplotlib.figure.Figure` (not pyplot,
so nothing is displayed by accident) whose lines are updated in place with ``set_data``,
rendered to PNG bytes and put into an ``ipywidgets.Image``. Where no widget front end
runs (nbval, a static HTML export, GitHub), the explorer's display falls back to a PNG of
the figure and a fixed line of text.

Only widget APIs that ipywidgets 7.7 and 8 share are used (sliders, Dropdown,
ToggleButtons, Checkbox, HBox/VBox, Image, HTML, Layout, ``observe(names="value")``).
"""
from __future__ import annotations

import base64
import html
import io
import math
import statistics
import time
from collections import OrderedDict

import ipywidgets as W
import matplotlib as mpl
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import EngFormatter, NullLocator

from . import plotting
from .optimizers import Adam
from .schedules import constant, inv_sqrt
from .synthetic import online_problem, run, stochastic_problem

__all__ = ["Explorer", "explore", "OPTIMIZERS", "TEXT_PLAIN", "STEP_CHOICES"]

#: The explorer's fixed plain-text representation (what nbval compares).
TEXT_PLAIN = ("Adam vs AMSGrad explorer (interactive in Jupyter with ipywidgets; "
              "a static figure otherwise)")

#: key -> (method, bias_correction, label)
OPTIMIZERS = {
    "adam_pytorch": ("adam", True, "Adam (PyTorch form)"),
    "amsgrad_pytorch": ("amsgrad", True, "AMSGrad (PyTorch form)"),
    "adam_paper": ("adam", False, "Adam (paper form)"),
    "amsgrad_paper": ("amsgrad", False, "AMSGrad (paper form)"),
}
#: The paper's form gets its own line style, same colour per method.
_PAPER_STYLE = {"adam": ":", "amsgrad": "-."}

#: The choices of the "steps" control (label, value).
STEP_CHOICES = [("10^3", 10**3), ("10^4", 10**4), ("10^5", 10**5), ("10^6 (~1/4 s)", 10**6),
                ("10^7 (seconds)", 10**7)]

_SCHEDULES = {"inv_sqrt": inv_sqrt, "constant": constant}
_CACHE_SIZE = 64


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
                 eps: float = 1e-8, x0: float = 0.0, seed: int = 0, dpi: float = 80.0,
                 compress_level: int = 1):
        if schedule not in _SCHEDULES:
            raise ValueError(f"Invalid schedule {schedule!r}: expected one of {sorted(_SCHEDULES)}")
        if problem not in ("online", "stochastic"):
            raise ValueError(f"Invalid problem {problem!r}: expected 'online' or 'stochastic'")
        unknown = set(optimizers) - set(OPTIMIZERS)
        if unknown:
            raise ValueError(f"Unknown optimizers {sorted(unknown)}: expected some of {list(OPTIMIZERS)}")
        self.c, self.eps, self.x0, self.seed, self.dpi = float(c), float(eps), float(x0), seed, float(dpi)
        self.compress_level = int(compress_level)
        self._cache: OrderedDict = OrderedDict()
        self._busy = self._pending = False
        self.results: dict = {}
        self.error = ""
        self.last_update_ms = math.nan
        self.update_count = 0
        self.figure_png = b""

        def slider():  # common arguments; a Layout of its own for each control
            return dict(continuous_update=False, style={"description_width": "initial"},
                        layout=W.Layout(width="400px"))

        step_choices = list(STEP_CHOICES)
        if steps not in [v for _, v in step_choices]:
            step_choices.append((f"{steps:,}", int(steps)))
            step_choices.sort(key=lambda item: item[1])
        w = self.widgets = {
            "beta1": W.FloatSlider(value=beta1, min=0.0, max=0.999, step=0.001, readout_format=".3f",
                                   description="β₁ (momentum)", **slider()),
            "beta2": W.FloatSlider(value=beta2, min=0.5, max=0.9999, step=0.0001, readout_format=".4f",
                                   description="β₂ (2nd moment)", **slider()),
            "alpha": W.FloatLogSlider(value=alpha, base=10, min=-3, max=1, step=0.05,
                                      readout_format=".3g", description="α (step size)", **slider()),
            "schedule": W.ToggleButtons(options=[("α / √t", "inv_sqrt"), ("constant α", "constant")],
                                        value=schedule, description="schedule",
                                        style={"description_width": "initial", "button_width": "90px"}),
            "problem": W.ToggleButtons(options=[("online", "online"), ("stochastic", "stochastic")],
                                       value=problem, description="problem",
                                       style={"description_width": "initial", "button_width": "90px"}),
            "C": W.FloatLogSlider(value=C, base=10, min=1, max=5, step=0.01, readout_format=".4g",
                                  description="C (rare gradient)", **slider()),
            "period": W.IntSlider(value=period, min=2, max=1000, step=1,
                                  description="period (C every … steps)", **slider()),
            "p": W.FloatLogSlider(value=p, base=10, min=-4, max=math.log10(0.5), step=0.05,
                                  readout_format=".3g", description="p (probability of C)", **slider()),
            "steps": W.Dropdown(options=step_choices, value=int(steps), description="steps T",
                                style={"description_width": "initial"}, layout=W.Layout(width="240px")),
        }
        for name, value in (("beta1", beta1), ("beta2", beta2), ("alpha", alpha), ("C", C),
                            ("period", period), ("p", p)):
            control = w[name]
            lo, hi = ((control.base ** control.min, control.base ** control.max)
                      if isinstance(control, W.FloatLogSlider) else (control.min, control.max))
            if not lo * (1 - 1e-12) <= value <= hi * (1 + 1e-12):
                raise ValueError(f"Invalid {name}: {value} (the explorer's range is {lo:g} .. {hi:g})")
        for key, (_, _, label) in OPTIMIZERS.items():
            w[key] = W.Checkbox(value=key in optimizers, description=label, indent=False,
                                layout=W.Layout(width="210px"))
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%", height="auto"))
        self.message = W.HTML(value="")   # errors, in red; empty when all is well
        self.info = W.HTML(value="")      # the problem, the best point, the timing

        self._build_figure()
        for control in w.values():
            control.observe(self._on_change, names="value")
        self._show_problem_controls()

        left = W.VBox([w["problem"], w["C"], w["period"], w["p"], w["steps"]])
        right = W.VBox([w["schedule"], w["alpha"], w["beta1"], w["beta2"]])
        checks = W.HBox([w[k] for k in OPTIMIZERS], layout=W.Layout(flex_flow="row wrap"))
        self.box = W.VBox([W.HBox([left, right], layout=W.Layout(flex_flow="row wrap")),
                           checks, self.message, self.image, self.info])
        # CSS classes: stable handles for styling and for the browser test
        self.box.add_class("amslib-explorer")
        self.image.add_class("amslib-explorer-figure")
        self.message.add_class("amslib-explorer-error")
        self.info.add_class("amslib-explorer-info")
        for name, control in w.items():
            control.add_class(f"amslib-explorer-{name}")
        self.update()

    # ------------------------------------------------------------------ settings
    def settings(self) -> dict:
        """The current values of all controls (name -> value)."""
        return {name: control.value for name, control in self.widgets.items()}

    def selected(self) -> list:
        """The keys of the ticked optimizers, in :data:`OPTIMIZERS` order."""
        return [k for k in OPTIMIZERS if self.widgets[k].value]

    def problem(self):
        """The problem the controls describe (an OnlineProblem or StochasticProblem)."""
        s = self.settings()
        if s["problem"] == "online":
            return online_problem(C=s["C"], period=s["period"], c=self.c)
        return stochastic_problem(C=s["C"], p=s["p"], c=self.c)

    def optimizer(self, key: str) -> Adam:
        """The optimizer the controls describe for ``key`` (one of :data:`OPTIMIZERS`)."""
        s = self.settings()
        method, bias_correction, _ = OPTIMIZERS[key]
        lr = _SCHEDULES[s["schedule"]](s["alpha"])
        return Adam(lr=lr, betas=(s["beta1"], s["beta2"]), eps=self.eps,
                    amsgrad=(method == "amsgrad"), bias_correction=bias_correction)

    # ------------------------------------------------------------------ computing
    def _run(self, prob, key: str, steps: int):
        s = self.settings()
        cache_key = (prob, key, s["beta1"], s["beta2"], s["alpha"], s["schedule"], steps,
                     self.eps, self.x0, self.seed)
        res = self._cache.get(cache_key)
        if res is None:
            res = run(prob, self.optimizer(key), steps=steps, x0=self.x0, seed=self.seed)
            self._cache[cache_key] = res
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(cache_key)
        return res

    def clear_cache(self) -> None:
        """Forget the stored runs (the next update recomputes everything)."""
        self._cache.clear()

    # ------------------------------------------------------------------ drawing
    # Drawing a whole figure costs most of the time budget (text layout: ticks, labels,
    # legend). So the figure without the data lines (the "background") is drawn only
    # when the axes change, and kept; an update restores it and draws only the lines
    # (matplotlib's blitting, done by hand on the Agg canvas), then encodes the PNG.
    def _build_figure(self) -> None:
        with mpl.rc_context():
            plotting.use_style()
            mpl.rcParams.update({"figure.constrained_layout.use": False, "font.size": 12,
                                 "axes.labelsize": 12, "xtick.labelsize": 11,
                                 "ytick.labelsize": 11, "legend.fontsize": 11,
                                 "lines.linewidth": 2.0})
            fig = Figure(figsize=(11.0, 4.4), dpi=self.dpi)
            FigureCanvasAgg(fig)
            fig.subplots_adjust(left=0.075, right=0.985, bottom=0.13, top=0.86, wspace=0.22)
            ax_x, ax_r = fig.subplots(1, 2)
            self._lines = {}
            for key, (method, bias_correction, label) in OPTIMIZERS.items():
                style = {} if bias_correction else {"linestyle": _PAPER_STYLE[method]}
                kw = plotting.line(method, label=label, **style)
                self._lines[key] = (ax_x.plot([], [], **kw)[0], ax_r.plot([], [], **kw)[0])
            ref = plotting.line("reference")
            self._best_line = ax_x.axhline(-1.0, **dict(ref, label="best point x*"))
            self._worst_line = ax_r.axhline(1.0, **dict(ref, linestyle="-.",
                                                        label="worst point's R_T / T"))
            ax_x.set_ylim(-1.1, 1.1)
            ax_x.xaxis.set_major_formatter(EngFormatter(sep=""))  # 20k, 1M rather than 1e7
            ax_r.set_xscale("log")
            ax_r.set_yscale("log")
            for axis in (ax_r.xaxis, ax_r.yaxis):  # minor ticks on log axes: costly to draw
                axis.set_minor_locator(NullLocator())
            plotting.label_axes(ax_x, "step t", "iterate x_t")
            plotting.label_axes(ax_r, "step t", "average regret R_t / t")
            self._legend = None
        self.figure, self._ax_x, self._ax_r = fig, ax_x, ax_r
        self._backgrounds: OrderedDict = OrderedDict()

    def _regret_ylim(self, worst: float) -> tuple:
        """The regret panel's y range: whole decades, the same for most settings."""
        vals = [worst] if worst > 0 else []
        for res in self.results.values():
            r = res.average_regret_curve
            r = r[r > 0]
            if r.size:
                vals += [float(r.min()), float(r.max())]
        if not vals:
            return (1e-3, 1e1)
        # At least 1e-3 .. 1e4 (the Section 5 problem's range), wider only if a curve
        # needs it: then most slider moves keep the axes, and the stored background.
        hi = max(1e4, 10.0 ** math.ceil(math.log10(max(vals)) - 1e-9))
        lo = min(1e-3, 10.0 ** math.floor(math.log10(max(min(vals), hi * 1e-12))))
        return (lo, hi)

    def _background(self, prob, steps: int):
        """The stored figure without data lines for these axes, drawn if needed."""
        ylim = self._regret_ylim(prob.worst_average_regret)
        keys = tuple(self.results)
        bg_key = (steps, ylim, keys)
        bg = self._backgrounds.get(bg_key)
        if bg is not None:
            self._backgrounds.move_to_end(bg_key)
            return bg
        self._ax_x.set_xlim(1, steps)
        self._ax_r.set_xlim(1, steps)
        self._ax_r.set_ylim(*ylim)
        if self._legend is not None:
            self._legend.remove()
        handles = [self._lines[k][0] for k in keys] + [self._best_line, self._worst_line]
        self._legend = self.figure.legend(handles=handles, loc="upper center", ncol=3,
                                          bbox_to_anchor=(0.5, 1.0), frameon=False)
        for line in self._data_lines():
            line.set_visible(False)
        canvas = self.figure.canvas
        canvas.draw()
        bg = canvas.copy_from_bbox(self.figure.bbox)
        self._backgrounds[bg_key] = bg
        if len(self._backgrounds) > 8:
            self._backgrounds.popitem(last=False)
        return bg

    def _pixel_bins(self, steps: int):
        """Bin edges in t, one bin per pixel column of each panel (linear and log t)."""
        key = (steps, self.dpi)
        if getattr(self, "_bins_key", None) != key:
            n_x = max(int(self._ax_x.bbox.width), 16)
            n_r = max(int(self._ax_r.bbox.width), 16)
            self._bins = (np.linspace(1.0, steps, n_x + 1)[1:-1],
                          np.geomspace(1.0, steps, n_r + 1)[1:-1])
            self._bins_key = key
        return self._bins

    def _data_lines(self):
        """The artists drawn on top of the background at every update."""
        lines = [self._best_line, self._worst_line]
        for pair in self._lines.values():
            lines += pair
        return lines

    def _draw(self, prob, steps: int) -> None:
        canvas = self.figure.canvas
        bg = self._background(prob, steps)
        canvas.restore_region(bg)
        best, worst = prob.optimal_point, prob.worst_average_regret
        self._best_line.set_ydata([best, best])
        self._worst_line.set_ydata([worst, worst])
        drawn = [(self._best_line, self._ax_x), (self._worst_line, self._ax_r)]
        x_lin, x_log = self._pixel_bins(steps)
        for key, res in self.results.items():
            line_x, line_r = self._lines[key]
            line_x.set_data(*_envelope(res.t, res.x, x_lin))
            line_r.set_data(*_envelope(res.t, res.average_regret_curve, x_log))
            drawn += [(line_x, self._ax_x), (line_r, self._ax_r)]
        for line, ax in drawn:
            line.set_visible(True)
            ax.draw_artist(line)
        rgba = np.asarray(canvas.buffer_rgba())
        buf = io.BytesIO()
        PIL.Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=self.compress_level)
        self.figure_png = buf.getvalue()
        self.image.value = self.figure_png

    def _show_problem_controls(self) -> None:
        online = self.widgets["problem"].value == "online"
        self.widgets["period"].layout.display = None if online else "none"
        self.widgets["p"].layout.display = "none" if online else None

    def _set_error(self, text: str) -> None:
        self.error = text
        self.message.value = (f'<span style="color:#D55E00;font-weight:bold">{html.escape(text)}</span>'
                              if text else "")

    # ------------------------------------------------------------------ updating
    def _on_change(self, change) -> None:
        if change.get("owner") is self.widgets["problem"]:
            self._show_problem_controls()
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

    def _update_once(self) -> None:
        start = time.perf_counter()
        try:
            keys = self.selected()
            if not keys:
                raise ValueError("Tick at least one optimizer to see a curve.")
            prob = self.problem()
            steps = int(self.widgets["steps"].value)
            self.results = {k: self._run(prob, k, steps) for k in keys}
            self._draw(prob, steps)
        except Exception as exc:  # shown in the widget: a learner should not see a traceback
            self._set_error(f"Cannot draw these settings: {exc}")
        else:
            self._set_error("")
            s = self.settings()
            gamma = s["beta1"] / math.sqrt(s["beta2"])
            note = ("" if gamma < 1 else
                    f" Note: β₁/√β₂ = {gamma:.3f} ≥ 1, outside the paper's assumptions.")
            elapsed = 1000.0 * (time.perf_counter() - start)
            self.info.value = html.escape(
                f"{prob.description}; T = {steps:,} steps. Best fixed point x* = "
                f"{prob.optimal_point:+.0f}; the worst point's average regret is "
                f"{prob.worst_average_regret:.4f}. Updated in {elapsed:.0f} ms.{note}")
        self.last_update_ms = 1000.0 * (time.perf_counter() - start)
        self.update_count += 1

    def measure_latency(self, repeats: int = 5, redraw_axes: bool = False) -> float:
        """Median time in ms of ``repeats`` updates (computation and rendering), with the
        stored runs forgotten before each, as after a slider move. ``redraw_axes=True``
        also forgets the stored backgrounds (as after a change of T or of the axes)."""
        times = []
        for _ in range(repeats):
            self.clear_cache()
            if redraw_axes:
                self._backgrounds.clear()
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


def _envelope(t: np.ndarray, y: np.ndarray, edges: np.ndarray):
    """Thin a curve to at most two points per pixel column (its minimum and maximum
    there, in the order the curve visits them), so that drawing it takes a fixed,
    small time however many points it has; the band an oscillating curve fills is kept."""
    if len(t) <= 2 * (len(edges) + 1):
        return t, y
    cuts = np.searchsorted(t, edges, side="left")
    starts = np.unique(np.concatenate([[0], cuts]))
    starts = starts[starts < len(t)]
    lo = np.minimum.reduceat(y, starts)
    hi = np.maximum.reduceat(y, starts)
    ends = np.append(starts[1:], len(t)) - 1
    first_t, last_t = t[starts], t[ends]
    falling = y[starts] > y[ends]
    out_t = np.column_stack([first_t, last_t]).reshape(-1)
    out_y = np.column_stack([np.where(falling, hi, lo), np.where(falling, lo, hi)]).reshape(-1)
    return out_t, out_y


def explore(**settings) -> Explorer:
    """Create an :class:`Explorer` with ``settings`` (see its arguments), display it and
    return it (assign the result, ``explorer = explore()``, to avoid a second display)."""
    from IPython.display import display

    explorer = Explorer(**settings)
    display(explorer)
    return explorer
