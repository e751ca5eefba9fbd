"""The figure style keeps every figure readable on a 1280x720 slide (amslib.plotting)."""
from __future__ import annotations

import base64
import json
import re
import struct
from pathlib import Path

import nbformat
import numpy as np
import pytest

from amslib import plotting

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MIN_PX = 16          # tick labels and legends, on screen, figure as large as the slide allows


SIZES = [0.5, 1, 3, 4.2, 5, 6.5, 8, 9, 11, 13, 16, 25, 60]


@pytest.mark.parametrize("w", SIZES)
@pytest.mark.parametrize("h", SIZES)
def test_any_requested_size_is_readable_on_a_slide(w, h):
    fw, fh = plotting.figure_size(w, h)
    assert fw <= plotting.MAX_WIDTH + 1e-9 and fh <= plotting.MAX_HEIGHT + 1e-9
    assert abs(fw / fh - w / h) < 1e-9 * (w / h)                 # aspect kept
    assert plotting.slide_text_px(fw, fh) >= MIN_PX


@pytest.mark.parametrize("w, h", [(0, 3), (3, -1), (float("nan"), 2)])
def test_bad_sizes_are_refused(w, h):
    with pytest.raises(ValueError,
                       match=r"Invalid figure (width|height) \(inches\): .* \(must be a finite number > 0\)"):
        plotting.figure_size(w, h)


def _figures(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                yield cell, struct.unpack(">II", base64.b64decode(png[:64])[16:24])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_stored_figures_are_readable_on_a_slide(path):
    """Each stored PNG (at the style's dpi) projected as large as a slide allows: its
    SMALL_PT text is at least 16 px. Catches figures made without plotting.subplots."""
    for cell, (w, h) in _figures(path):
        px = plotting.slide_text_px(w / plotting.DPI, h / plotting.DPI)
        assert px >= MIN_PX, f"{path.name} {cell.get('id')}: {w}x{h} px figure, text {px:.1f} px"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_no_figure_shrinks_its_text_below_the_style(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for size in re.findall(r"fontsize\s*=\s*(\d+(?:\.\d+)?)", cell.source):
            assert float(size) >= plotting.SMALL_PT, \
                f"{path.name} {cell.get('id')}: fontsize={size} < {plotting.SMALL_PT} pt"
        assert not re.search(r"fontsize\s*=\s*['\"](x+-)?small", cell.source), cell.get("id")


@pytest.mark.parametrize("f, match", [
    (lambda x, y: 1.0, "shape"), (lambda x, y: np.full_like(x, np.nan), "not finite anywhere"),
    (lambda x, y: x + 1j * y, "real numbers"), (lambda x, y: None, "shape"), (3, "function"),
    (lambda x, y: np.ones((2, 2)), "shape"),
])
def test_contour_names_a_function_it_cannot_draw(f, match):
    import matplotlib.pyplot as plt

    from amslib import plotting

    fig, ax = plt.subplots()
    try:
        with pytest.raises((ValueError, TypeError), match=match):
            plotting.contour(ax, f, n=11)
    finally:
        plt.close(fig)


# ----------------------------------------------------------------------------- figure check
# No legend covers plotted data, no two series share colour and style (issue 21, item 21):
# every figure made with plotting.subplots is checked each time it is drawn, and the
# notebooks' stored outputs must not hold a report.


def _drawn(fig):
    fig.canvas.draw()
    return plotting.figure_problems(fig)


def test_figure_check_finds_a_legend_over_data():
    fig, ax = plotting.subplots(width=6, height=4)
    x = np.linspace(0, 1, 200)
    ax.plot(x, np.full_like(x, 0.95), label="high")
    ax.plot(x, x, label="diagonal")
    ax.legend(loc="upper left")           # over the line at 0.95
    problems = _drawn(fig)
    assert any("covers" in p for p in problems), problems
    plotting.plt.close(fig)


def test_figure_check_finds_a_segment_crossing_a_legend():
    """A long segment with no vertex under the legend still counts."""
    fig, ax = plotting.subplots(width=6, height=4)
    ax.plot([0, 1], [0.9, 0.9], label="flat")
    ax.plot([0, 1], [0, 0.1], label="low")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper center")
    assert any("covers 'flat'" in p for p in _drawn(fig))
    plotting.plt.close(fig)


def test_figure_check_finds_a_legend_over_a_heat_map():
    fig, ax = plotting.subplots(width=6, height=4)
    ax.pcolormesh(np.arange(5), np.arange(5), np.random.default_rng(0).random((4, 4)), shading="auto")
    ax.plot([1], [1], marker="*", linestyle="none", label="star")
    ax.legend(loc="lower left")
    assert any("heat map" in p for p in _drawn(fig))
    plotting.plt.close(fig)


def test_figure_check_finds_two_series_with_the_same_style():
    fig, ax = plotting.subplots(width=6, height=4)
    x = np.linspace(0, 1, 50)
    ax.plot(x, x, color="#0072B2", linestyle="--", label="one")
    ax.plot(x, x**2, color="#0072B2", linestyle="--", label="two")
    assert any("share colour and line style" in p for p in _drawn(fig))
    plotting.plt.close(fig)


def test_figure_check_passes_a_clean_figure():
    fig, (ax, key) = plotting.subplots(1, 2, width=8, height=4)
    x = np.linspace(0, 1, 50)
    ax.plot(x, x, **plotting.line("adam"))
    ax.plot(x, x**2, **plotting.line("amsgrad"))
    ax.plot(x, x**3, color="#0072B2", linestyle=(0, (1, 3)), label="same colour, other dashes")
    key.axis("off")
    key.legend(*ax.get_legend_handles_labels(), loc="center")
    assert _drawn(fig) == []
    plotting.plt.close(fig)


def test_every_drawn_course_figure_reports_its_problems(capsys):
    fig, ax = plotting.subplots(width=6, height=4)
    ax.plot([0, 1], [0.9, 0.9], label="flat")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper center")
    fig.canvas.draw()
    assert plotting.FIGURE_CHECK in capsys.readouterr().err
    plotting.plt.close(fig)


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: p.name[:2])
def test_no_stored_figure_breaks_the_rules(path):
    """Every stored figure was checked when it was drawn: no output holds a report."""
    nb = json.loads(path.read_text())
    reports = [f"{c.get('id')}: {line}" for c in nb["cells"] for o in c.get("outputs", [])
               for line in "".join(o.get("text", "")).splitlines() if plotting.FIGURE_CHECK in line]
    assert not reports, "\n".join(reports)
