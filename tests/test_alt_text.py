"""Every figure in the notebooks has alt text written for it (WCAG 2.1, 1.1.1).

The text sits in the figure cell's metadata, ``mystnb.image.alt`` (the key Jupyter Book's
myst-nb reads); tools/build.py carries it into the site and the decks. It says what the
figure shows and what to read from it, so it is more than a few words and it is not
nbconvert's placeholder. A figure cell added without it fails here."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MIN_WORDS = 25


def alt_text(cell) -> str:
    return cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_every_figure_has_alt_text(path):
    nb = nbformat.read(path, as_version=4)
    missing = []
    for cell in nb.cells:
        images = [o for o in cell.get("outputs", [])
                  if any(m.startswith("image/") for m in o.get("data", {}))]
        if not images:
            continue
        alt = alt_text(cell)
        if len(alt.split()) < MIN_WORDS or "No description" in alt:
            missing.append(f"{cell.get('id')}: {cell.source.splitlines()[0][:60]!r} "
                           f"({len(alt.split())} words of alt text)")
    assert not missing, (f"{path.name}: figures without alt text (metadata mystnb.image.alt, "
                         "what the figure shows and what to read from it):\n" + "\n".join(missing))


def test_the_check_finds_a_figure_without_alt_text():
    cell = nbformat.v4.new_code_cell("plot()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"})]
    assert alt_text(cell) == ""
