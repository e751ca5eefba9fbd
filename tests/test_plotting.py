"""The figure style keeps every figure readable on a 1280x720 slide (amslib.plotting)."""
from __future__ import annotations

import base64
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
