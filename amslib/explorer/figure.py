"""The explorer's figure: two panels (the iterate x_t, the average regret R_t / t), drawn
fast enough to follow a slider.

One :class:`matplotlib.figure.Figure` (not pyplot, so nothing is displayed by accident).
Drawing a whole figure costs most of the time budget (text layout: ticks, labels,
legend), so the figure without its data lines (the "background") is drawn only when the
axes change, and kept; an update restores it, draws only the lines (matplotlib's
blitting, done by hand on the Agg canvas) and encodes a PNG. Curves are thinned to two
points a pixel column (:func:`envelope`). Text sizes are the course style's
(:mod:`amslib.plotting`), so the figure is readable on a slide too.
"""
from __future__ import annotations

import io
import math
from collections import OrderedDict
from functools import partial

import matplotlib as mpl
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import EngFormatter, NullLocator

from .. import plotting
from ..validation import check_count, check_within
from .runs import OPTIMIZERS

#: The paper's form gets its own line style, same colour per method.
PAPER_STYLE = {"adam": ":", "amsgrad": "-."}
SIZE = (11.0, 4.6)            # inches: within plotting.MAX_WIDTH x MAX_HEIGHT
MIN_DPI, MAX_DPI = 10, 600    # 110 .. 6600 px wide
#: The checks of the figure's arguments (validation's own functions, so that the Explorer can
#: run them at its door along with its other checks).
check_dpi = partial(check_within, name="dpi", lo=MIN_DPI, hi=MAX_DPI, why="the figure is 11 inches wide")
check_compress_level = partial(check_count, name="compress_level", minimum=0, maximum=9, why="PNG's zlib levels")


class ExplorerFigure:
    """``draw(results, prob, steps)`` -> PNG bytes of the two panels."""

    def __init__(self, dpi: float = plotting.DPI, compress_level: int = 1):
        self._build(check_dpi(dpi), check_compress_level(compress_level))

    @classmethod
    def _checked(cls, dpi: float, compress_level: int) -> ExplorerFigure:
        """The figure for a dpi and a level already checked (by check_dpi, check_compress_level)."""
        self = object.__new__(cls)
        self._build(dpi, compress_level)
        return self

    def _build(self, dpi: float, compress_level: int) -> None:
        self.dpi, self.compress_level = dpi, compress_level
        with mpl.rc_context():
            plotting.use_style()
            mpl.rcParams.update({"figure.constrained_layout.use": False, "lines.linewidth": 2.0})
            fig = Figure(figsize=SIZE, dpi=self.dpi)
            FigureCanvasAgg(fig)
            fig.subplots_adjust(left=0.085, right=0.965, bottom=0.15, top=0.76, wspace=0.28)
            ax_x, ax_r = fig.subplots(1, 2)
            self.lines = {}
            for key, (method, bias_correction, label) in OPTIMIZERS.items():
                style = {} if bias_correction else {"linestyle": PAPER_STYLE[method]}
                kw = plotting.line(method, label=label, **style)
                self.lines[key] = (ax_x.plot([], [], **kw)[0], ax_r.plot([], [], **kw)[0])
            ref = plotting.line("reference")
            self.best_line = ax_x.axhline(-1.0, **dict(ref, label="best point x*"))
            self.worst_line = ax_r.axhline(1.0, **dict(ref, linestyle="-.", label="worst point's R_T / T"))
            ax_x.set_ylim(-1.1, 1.1)
            ax_x.set_yticks([-1, -0.5, 0, 0.5, 1])
            ax_x.xaxis.set_major_formatter(EngFormatter(sep=""))  # 20k, 1M rather than 1e7
            ax_r.set_xscale("log")
            # Symmetric log: realised regret against the best point in hindsight can be
            # negative (stochastic problems); a log axis would silently drop those points.
            ax_r.set_yscale("symlog", linthresh=1e-3)
            for axis in (ax_r.xaxis, ax_r.yaxis):  # minor ticks on log axes: costly to draw
                axis.set_minor_locator(NullLocator())
            plotting.label_axes(ax_x, "step t", "iterate x_t")
            plotting.label_axes(ax_r, "step t", "R_t / t")
            self.legend = None
        self.figure, self.ax_x, self.ax_r = fig, ax_x, ax_r
        self.backgrounds: OrderedDict = OrderedDict()
        self._bins_key = None

    @staticmethod
    def regret_ylim(results: dict, worst: float) -> tuple:
        """The regret panel's (bottom, top, linthresh): whole decades, the same for most settings.

        The axis is symmetric-log: logarithmic above ``linthresh``, linear between
        -linthresh and linthresh, logarithmic again below. Without negative values the
        bottom is ``linthresh`` and the panel looks like a plain log axis; with them (the
        realised regret of a stochastic run can beat the best point in hindsight) the
        bottom goes down to the next decade below the most negative value, so no point
        is dropped."""
        vals = [worst] if worst > 0 else []
        most_negative = 0.0
        for res in results.values():
            r = np.asarray(res.average_regret_curve, dtype=float)
            r = r[np.isfinite(r)]
            if r.size:
                most_negative = min(most_negative, float(r.min()))
            r = r[r > 0]
            if r.size:
                vals += [float(r.min()), float(r.max())]
        if not vals:
            lo, hi = 1e-3, 1e1
        else:
            # At least 1e-3 .. 1e4 (the Section 5 problem's range), wider only if a curve
            # needs it: then most slider moves keep the axes, and the stored background.
            hi = max(1e4, 10.0 ** math.ceil(math.log10(max(vals)) - 1e-9))
            lo = min(1e-3, 10.0 ** math.floor(math.log10(max(min(vals), hi * 1e-12))))
        bottom = lo if most_negative >= 0 else -max(lo, 10.0 ** math.ceil(math.log10(-most_negative) - 1e-9))
        return (bottom, hi, lo)

    def background(self, results: dict, prob, steps: int):
        """The stored figure without data lines for these axes, drawn if needed."""
        ylim = self.regret_ylim(results, prob.worst_average_regret)
        keys = tuple(results)
        bg_key = (steps, ylim, keys)
        bg = self.backgrounds.get(bg_key)
        if bg is not None:
            self.backgrounds.move_to_end(bg_key)
            return bg
        self.ax_x.set_xlim(1, steps)
        self.ax_r.set_xlim(1, steps)
        self.ax_r.set_yscale("symlog", linthresh=ylim[2])
        self.ax_r.yaxis.set_minor_locator(NullLocator())   # minor ticks: costly to draw
        self.ax_r.set_ylim(ylim[0], ylim[1])
        if self.legend is not None:
            self.legend.remove()
        handles = [self.lines[k][0] for k in keys] + [self.best_line, self.worst_line]
        self.legend = self.figure.legend(handles=handles, loc="upper center", ncol=3,
                                         bbox_to_anchor=(0.5, 1.0), frameon=False,
                                         fontsize=plotting.SMALL_PT)
        for line in self.data_lines():
            line.set_visible(False)
        canvas = self.figure.canvas
        canvas.draw()
        bg = canvas.copy_from_bbox(self.figure.bbox)
        self.backgrounds[bg_key] = bg
        if len(self.backgrounds) > 8:
            self.backgrounds.popitem(last=False)
        return bg

    def pixel_bins(self, steps: int):
        """Bin edges in t, one bin per pixel column of each panel (linear and log t)."""
        key = (steps, self.dpi)
        if self._bins_key != key:
            n_x = max(int(self.ax_x.bbox.width), 16)
            n_r = max(int(self.ax_r.bbox.width), 16)
            self._bins = (np.linspace(1.0, steps, n_x + 1)[1:-1],
                          np.geomspace(1.0, steps, n_r + 1)[1:-1])
            self._bins_key = key
        return self._bins

    def data_lines(self):
        """The artists drawn on top of the background at every update."""
        lines = [self.best_line, self.worst_line]
        for pair in self.lines.values():
            lines += pair
        return lines

    def draw(self, results: dict, prob, steps: int) -> bytes:
        canvas = self.figure.canvas
        canvas.restore_region(self.background(results, prob, steps))
        best, worst = prob.optimal_point, prob.worst_average_regret
        self.best_line.set_ydata([best, best])
        self.worst_line.set_ydata([worst, worst])
        drawn = [(self.best_line, self.ax_x), (self.worst_line, self.ax_r)]
        x_lin, x_log = self.pixel_bins(steps)
        for key, res in results.items():
            line_x, line_r = self.lines[key]
            line_x.set_data(*envelope(res.t, res.x, x_lin))
            line_r.set_data(*envelope(res.t, res.average_regret_curve, x_log))
            drawn += [(line_x, self.ax_x), (line_r, self.ax_r)]
        for line, ax in drawn:
            line.set_visible(True)
            ax.draw_artist(line)
        rgba = np.asarray(canvas.buffer_rgba())
        buf = io.BytesIO()
        PIL.Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=self.compress_level)
        return buf.getvalue()


def envelope(t: np.ndarray, y: np.ndarray, edges: np.ndarray):
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
