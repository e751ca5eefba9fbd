"""The course's one figure style: readable when projected, safe for colour-blind readers.

Colours are the Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008), which
stays distinguishable under the common forms of colour blindness; each optimizer also
gets its own line style, so figures survive a greyscale printer too. Sizes are chosen
for a lecture hall: 14-16 pt text, 2.5 pt lines.

    from amslib import plotting
    plotting.use_style()          # the set-up cell does this for you
    fig, ax = plotting.subplots()
    ax.plot(t, x, **plotting.line("adam"))
"""
from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["OKABE_ITO", "COLORS", "use_style", "line", "subplots", "contour", "trajectory",
           "label_axes"]

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
        "figure.figsize": (8.0, 4.5),      # 16:9, fits a slide
        "figure.dpi": 90,                  # keeps stored notebook images small
        "savefig.dpi": 150,
        "figure.constrained_layout.use": True,
        "font.size": 14,
        "axes.titlesize": 16,
        "axes.labelsize": 15,
        "xtick.labelsize": 13,
        "ytick.labelsize": 13,
        "legend.fontsize": 13,
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
    key = method.lower()
    if key not in COLORS:
        raise ValueError(f"Unknown method {method!r}: expected one of {sorted(COLORS)}")
    kw = {"color": COLORS[key], "linestyle": LINESTYLES[key], "label": LABELS.get(key, method)}
    kw.update(overrides)
    return kw


def subplots(nrows: int = 1, ncols: int = 1, *, width: float | None = None,
             height: float | None = None, **kwargs):
    """``plt.subplots`` with a figure size that grows with the number of panels."""
    w = width if width is not None else min(6.0 * ncols, 16.0)
    h = height if height is not None else 4.5 * nrows
    return plt.subplots(nrows, ncols, figsize=(w, h), **kwargs)


def label_axes(ax, xlabel: str, ylabel: str, title: str | None = None) -> None:
    """Label both axes (with units, please) and optionally the panel."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)


def contour(ax, f, xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), levels: int = 20, n: int = 201) -> None:
    """Draw the level sets of a 2-D function ``f(x, y)`` (vectorised over arrays)."""
    xs = np.linspace(*xlim, n)
    ys = np.linspace(*ylim, n)
    X, Y = np.meshgrid(xs, ys)
    Z = f(X, Y)
    ax.contour(X, Y, Z, levels=levels, colors="#999999", linewidths=0.8)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")


def trajectory(ax, path, method: str, every: int = 1, **overrides) -> None:
    """Draw an optimizer's path (an array of shape (steps + 1, 2)) with markers."""
    path = np.asarray(path)
    kw = line(method, marker="o", markevery=max(every, 1), markersize=4)
    kw.update(overrides)
    ax.plot(path[:, 0], path[:, 1], **kw)
    ax.plot(path[-1, 0], path[-1, 1], marker="*", markersize=14, color=kw["color"], linestyle="none")
