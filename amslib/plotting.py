"""The course's one figure style: readable when projected, safe for colour-blind readers.

Colours are the Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008), which
stays distinguishable under the common forms of colour blindness; each optimizer also
gets its own line style, so figures survive a greyscale printer too.

Sizes are chosen for a lecture hall. A figure is projected as large as a 1280x720 slide
allows (about ``SLIDE_FIGURE_PX`` = 1240 x 500 px, leaving room for the heading and the
figure's reading); the smallest text in it, tick labels and legends (``SMALL_PT``), must
then measure at least 16 px on screen. On-screen size in px is ``pt / 72 * scale`` with
``scale`` = min(1240 / width_in, 500 / height_in) screen px per inch, so :func:`subplots`
keeps every figure within ``MAX_WIDTH`` x ``MAX_HEIGHT`` inches (scaling a larger request
down, aspect kept) and :func:`slide_text_px` gives the resulting size; the tests check it
for every stored figure.

    from amslib import plotting
    plotting.use_style()          # the set-up cell does this for you
    fig, ax = plotting.subplots()
    ax.plot(t, x, **plotting.line("adam"))
"""
from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .validation import check_count, check_positive, describe, invalid, real_number

__all__ = ["OKABE_ITO", "COLORS", "use_style", "line", "subplots", "subplot_mosaic",
           "figure_size", "slide_text_px", "contour", "trajectory", "label_axes",
           "figure_problems", "FIGURE_CHECK"]

#: Where a figure goes on a slide, in screen px at 1280x720 (tools/templates/course_reveal).
SLIDE_FIGURE_PX = (1240, 500)
SMALL_PT = 16        # tick labels and legends: the smallest text of a figure
MAX_WIDTH = 11.0     # inches; with SMALL_PT: 16/72 * 1240/11 = 25 px on a slide
MAX_HEIGHT = 5.0     # inches; with SMALL_PT: 16/72 * 500/5.0 = 22 px on a slide
DPI = 90             # stored notebook images: 11 in -> 990 px, readable on the web site too

OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9",
    "bluish green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
    "vermillion": "#D55E00", "reddish purple": "#CC79A7",
}

#: One colour and one line style per method, used by every figure of the course.
COLORS = {
    "sgd": OKABE_ITO["black"],
    "momentum": OKABE_ITO["bluish green"],
    "adagrad": OKABE_ITO["reddish purple"],
    "rmsprop": OKABE_ITO["orange"],
    "adam": OKABE_ITO["vermillion"],
    "amsgrad": OKABE_ITO["blue"],
    "other": OKABE_ITO["sky blue"],
    "reference": "#666666",
}
LINESTYLES = {
    "sgd": ":", "momentum": "-.", "adagrad": (0, (5, 1, 1, 1)), "rmsprop": "--",
    "adam": "-", "amsgrad": "--", "other": (0, (3, 1)), "reference": ":",
}
LABELS = {
    "sgd": "SGD", "momentum": "Momentum", "adagrad": "AdaGrad", "rmsprop": "RMSProp",
    "adam": "Adam", "amsgrad": "AMSGrad", "reference": "reference",
}


def use_style() -> None:
    """Set matplotlib defaults for the course (idempotent)."""
    mpl.rcParams.update({
        "figure.figsize": (9.0, 4.0),      # wide: room on a slide for its reading
        "figure.dpi": DPI,                 # keeps stored notebook images small
        "savefig.dpi": 150,
        "figure.constrained_layout.use": True,
        "font.size": SMALL_PT + 1,
        "axes.titlesize": SMALL_PT + 2,
        "axes.labelsize": SMALL_PT + 1,
        "xtick.labelsize": SMALL_PT,
        "ytick.labelsize": SMALL_PT,
        "legend.fontsize": SMALL_PT,
        "legend.title_fontsize": SMALL_PT,
        "legend.framealpha": 0.9,
        "lines.linewidth": 2.5,
        "lines.markersize": 7,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=[OKABE_ITO[k] for k in (
            "blue", "vermillion", "bluish green", "orange", "reddish purple",
            "sky blue", "black", "yellow")]),
        "image.cmap": "cividis",           # perceptually uniform and colour-blind safe
    })


def line(method: str, **overrides) -> dict:
    """Keyword arguments for ``ax.plot`` in the course's style for ``method``.

    ``method`` is one of sgd, momentum, adagrad, rmsprop, adam, amsgrad, reference.
    """
    key = method.lower() if isinstance(method, str) else None
    if key not in COLORS:
        raise ValueError(f"Unknown method {method!r}: expected one of {sorted(COLORS)}")
    kw = {"color": COLORS[key], "linestyle": LINESTYLES[key], "label": LABELS.get(key, method)}
    kw.update(overrides)
    return kw


def figure_size(width: float, height: float) -> tuple[float, float]:
    """``(width, height)`` in inches, scaled down (aspect kept) to fit ``MAX_WIDTH`` x
    ``MAX_HEIGHT``, so that the figure's text stays readable when projected."""
    width = check_positive(width, "figure width (inches)")
    height = check_positive(height, "figure height (inches)")
    k = min(1.0, MAX_WIDTH / width, MAX_HEIGHT / height)
    return (width * k, height * k)


def slide_text_px(width: float, height: float, pt: float = SMALL_PT) -> float:
    """On-screen size in px of ``pt``-point text in a ``width`` x ``height`` inch figure
    shown as large as a slide allows (``SLIDE_FIGURE_PX``)."""
    width = check_positive(width, "figure width (inches)")
    height = check_positive(height, "figure height (inches)")
    pt = check_positive(pt, "text size pt")
    return pt / 72 * min(SLIDE_FIGURE_PX[0] / width, SLIDE_FIGURE_PX[1] / height)


def subplots(nrows: int = 1, ncols: int = 1, *, width: float | None = None,
             height: float | None = None, **kwargs):
    """``plt.subplots`` with a figure size that grows with the number of panels, within
    ``MAX_WIDTH`` x ``MAX_HEIGHT`` inches (see :func:`figure_size`)."""
    nrows = check_count(nrows, "nrows", 1, 50)
    ncols = check_count(ncols, "ncols", 1, 50)
    w = width if width is not None else min(5.5 * ncols, MAX_WIDTH)
    h = height if height is not None else 4.0 * nrows
    fig, axes = plt.subplots(nrows, ncols, figsize=figure_size(w, h), **kwargs)
    _watch(fig)
    return fig, axes


def subplot_mosaic(mosaic, *, width: float = MAX_WIDTH, height: float = MAX_HEIGHT, **kwargs):
    """``plt.subplot_mosaic`` with the size rule of :func:`subplots`."""
    fig, axes = plt.subplot_mosaic(mosaic, figsize=figure_size(width, height), **kwargs)
    _watch(fig)
    return fig, axes


# ----------------------------------------------------------------------------- figure check
#: The start of what a figure check prints (to stderr) when a drawn figure breaks a rule;
#: tests/test_plotting.py looks for it in every stored notebook output.
FIGURE_CHECK = "Figure check:"


def _dash_key(artist):
    """A line's style as drawn: its dash pattern (not only '--', which hides the pattern)."""
    pattern = getattr(artist, "_unscaled_dash_pattern", None)
    if pattern is not None:
        offset, seq = pattern
        return (round(float(offset), 3), tuple(round(float(s), 3) for s in seq) if seq else None)
    return artist.get_linestyle()


def _display_points(line, per_segment: int = 16) -> np.ndarray:
    """A line's points in display coordinates, with points added along each drawn segment
    (a segment can cross a legend without a vertex inside it)."""
    xy = np.asarray(line.get_xydata(), dtype=float)
    if xy.size == 0:
        return np.empty((0, 2))
    pts = line.get_transform().transform(xy)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if line.get_linestyle() in ("None", "none", " ", "") or len(pts) < 2:
        return pts
    a, b = pts[:-1], pts[1:]
    f = np.linspace(0.0, 1.0, per_segment, endpoint=False)[None, :, None]
    return np.concatenate([(a[:, None, :] + f * (b - a)[:, None, :]).reshape(-1, 2), pts[-1:]])


def figure_problems(fig) -> list[str]:
    """What a drawn figure does wrong, in words (an empty list when nothing):

    - a legend covers plotted data: a point of a line or a marker, or any part of a heat
      map or image, lies under a legend box (contour lines, a background, are not data);
    - two series share colour and line style (and marker): two differently labelled lines
      a reader cannot tell apart, in print or on a projector.
    """
    from matplotlib.collections import PathCollection, QuadMesh
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(str(invalid("fig", fig, "a matplotlib Figure")))
    canvas = fig.canvas
    renderer = canvas.get_renderer() if hasattr(canvas, "get_renderer") else None
    if renderer is None:
        return []
    problems = []
    legends = [(f"the legend of panel {k + 1}", ax.get_legend()) for k, ax in enumerate(fig.axes)
               if ax.get_legend() is not None] + [("the figure legend", leg) for leg in fig.legends]
    boxes = [(name, leg.get_window_extent(renderer).padded(-1.0)) for name, leg in legends]
    for k, ax in enumerate(fig.axes):
        styles: dict = {}   # per panel: a panel's series must be told apart
        panel = ax.get_window_extent(renderer)
        clip = lambda p: p[(p[:, 0] >= panel.x0) & (p[:, 0] <= panel.x1)   # noqa: E731
                           & (p[:, 1] >= panel.y0) & (p[:, 1] <= panel.y1)]
        data = []   # (what, display points) of this panel's data
        for line in ax.get_lines():
            if not line.get_visible():
                continue
            label = line.get_label()
            data.append((label if not label.startswith("_") else "a line", clip(_display_points(line))))
            if not label.startswith("_"):
                marker = line.get_marker()
                key = (to_hex(line.get_color()),
                       _dash_key(line) if line.get_linestyle() not in ("None", "none", "", " ") else None,
                       marker if marker not in (None, "None", "none", "", " ") else None)
                if key in styles and styles[key] != label:
                    problems.append(f"'{styles[key]}' and '{label}' share colour and line style.")
                styles.setdefault(key, label)
        for coll in ax.collections:
            if isinstance(coll, PathCollection) and coll.get_visible():   # scatter markers
                offsets = np.asarray(coll.get_offsets(), dtype=float)
                if offsets.size:
                    data.append(("markers", clip(coll.get_offset_transform().transform(offsets))))
        areas = [c for c in ax.collections if isinstance(c, QuadMesh) and c.get_visible()] + list(ax.images)
        for name, box in boxes:
            for what, pts in data:
                if len(pts) and np.any((pts[:, 0] > box.x0) & (pts[:, 0] < box.x1)
                                       & (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)):
                    problems.append(f"{name} covers '{what}' in panel {k + 1}.")
            for area in areas:
                extent = area.get_window_extent(renderer)
                if extent.overlaps(box) and panel.overlaps(box):
                    problems.append(f"{name} covers the heat map or image of panel {k + 1}.")
    return list(dict.fromkeys(problems))


def _report(event) -> None:
    """On each draw of a course figure: print what figure_problems finds (to stderr)."""
    import sys

    try:
        problems = figure_problems(event.canvas.figure)
    except Exception as exc:   # the check must never stop a figure from showing
        problems = [f"the check itself failed ({type(exc).__name__}: {exc})."]
    figure = event.canvas.figure
    seen = figure.__dict__.setdefault("_amslib_reported", set())   # a figure is drawn more than once
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            print(f"{FIGURE_CHECK} {problem}", file=sys.stderr)


def _watch(fig) -> None:
    """Check a course figure every time it is drawn (shown inline, saved, exported)."""
    fig.canvas.mpl_connect("draw_event", _report)


def label_axes(ax, xlabel: str, ylabel: str, title: str | None = None) -> None:
    """Label both axes (with units, please) and optionally the panel."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)


def contour(ax, f, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), levels: int = 20, n: int = 201) -> None:
    """Draw the level sets of a 2-D function ``f(x, y)`` (vectorised over arrays: it gets two
    n x n grids and must return an n x n array of real numbers, finite somewhere)."""
    xlim, ylim = _limits(xlim, "xlim"), _limits(ylim, "ylim")
    levels = check_count(levels, "levels", 1, 1000)
    n = check_count(n, "n", 2, 4000, "an n x n grid is evaluated")
    if not callable(f):
        raise invalid("f", f, "a function f(x, y) of two arrays", error=TypeError)
    xs = np.linspace(*xlim, n)
    ys = np.linspace(*ylim, n)
    X, Y = np.meshgrid(xs, ys)
    Z = f(X, Y)
    try:
        Z = np.asarray(Z)
    except Exception:
        Z = None
    if Z is None or Z.shape != X.shape or Z.dtype.kind not in "iuf":
        raise invalid("f", detail=f"it returned {describe(Z)} for {n} x {n} grids (must return an "
                      f"array of real numbers of shape ({n}, {n}): write it with NumPy "
                      "operations, which work element-wise)")
    if not np.isfinite(Z).any():
        raise invalid("f", detail=f"not finite anywhere on xlim={xlim}, ylim={ylim} (NaN or inf "
                      "at every point of the grid; nothing to draw)")
    ax.contour(X, Y, Z, levels=levels, colors="#999999", linewidths=0.8)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")


def _limits(lim, name: str) -> tuple[float, float]:
    """An axis range (lo, hi): two finite numbers, lo < hi."""
    try:
        lo, hi = lim
    except (TypeError, ValueError):
        raise invalid(name, lim, "a pair (lo, hi) of finite "
                      "numbers, lo < hi") from None
    lo = real_number(lo, name, "a pair (lo, hi) of finite numbers, lo < hi")
    hi = real_number(hi, name, "a pair (lo, hi) of finite numbers, lo < hi")
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise invalid(name, lim, "a pair (lo, hi) of finite "
                      "numbers, lo < hi")
    return lo, hi


def trajectory(ax, path, method: str, every: int = 1, **overrides) -> None:
    """Draw an optimizer's path (an array of shape (steps + 1, 2)) with markers."""
    try:
        path = np.asarray(path, dtype=np.float64)
    except (TypeError, ValueError):
        path = None
    if path is None or path.ndim != 2 or path.shape[1] != 2 or len(path) == 0:
        raise invalid("path", path, "an array of shape (steps + 1, 2), "
                      "as amslib.problems.optimize returns")
    every = check_count(every, "every", 1)
    kw = line(method, marker="o", markevery=every, markersize=4)
    kw.update(overrides)
    ax.plot(path[:, 0], path[:, 1], **kw)
    ax.plot(path[-1, 0], path[-1, 1], marker="*", markersize=14, color=kw["color"], linestyle="none")
