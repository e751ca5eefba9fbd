"""`make handouts`: one PDF per deck and one per lecture deck, three slides an A4 page with
room for notes, margins of at least 10 mm, no blank page, text that can be extracted
(pypdf). Built offline with headless Chromium (python -m tools.build handouts)."""
from __future__ import annotations

import math
import os

import pytest
from browser_common import BROWSER_MARKS, ROOT, import_playwright
from build_common import build_with

from tools import build, decks, lecturer, slides

pytestmark = BROWSER_MARKS
import_playwright()
pypdf = pytest.importorskip("pypdf", reason="pip install pypdf (the browser extra)")

MM = 72 / 25.4


def text_box(page):
    """(left, bottom, right, top) in mm of where the page's text starts its lines."""
    xs, ys = [], []

    def visit(text, cm, tm, *_):
        if text.strip():
            xs.append(tm[4] * cm[0] + tm[5] * cm[2] + cm[4])
            ys.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
    page.extract_text(visitor_text=visit)
    return (min(xs) / MM, min(ys) / MM, max(xs) / MM, max(ys) / MM) if xs else None


def slide_count(notebook) -> int:
    """The slides of the deck a handout prints: the public deck (no notes, no solutions)."""
    nb = slides.layout_for_projection(slides.apply_slide_metadata(build.deck_source(notebook, notes=False)))
    return sum(c.metadata["slideshow"]["slide_type"] in ("slide", "subslide") for c in nb.cells)


def test_one_pdf_per_deck_a_page_a_slide(tmp_path):
    wanted = os.environ.get("AMSGRAD_DECKS", "all")
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if wanted != "all":
        notebooks = [n for n in notebooks if any(n.stem.startswith(w) for w in wanted.split(","))]
    lectures = [p.stem for p in decks.sources()]
    build_with("handouts", tmp_path / "site", *[n.name for n in notebooks])
    build_with("lecture-handouts", tmp_path / "lecturer", *lectures)
    problems = []
    counts = {nb.stem: slide_count(nb) for nb in notebooks}
    counts.update({n: len(decks.parse(decks.DECKS / f"{n}.md")[1]) for n in lectures})
    for stem, count in counts.items():
        pdf = tmp_path / ("lecturer" if stem in lectures else "site") / f"{stem}.pdf"
        assert pdf.exists(), f"no handout for {stem}"
        reader = pypdf.PdfReader(pdf)
        expected = math.ceil(count / build.PER_PAGE)
        if len(reader.pages) != expected:
            problems.append(f"{pdf.name}: {len(reader.pages)} pages for {count} slides")
        for k, page in enumerate(reader.pages, 1):
            if abs(float(page.mediabox.width) - build.A4_W) > 1 or abs(float(page.mediabox.height) - build.A4_H) > 1:
                problems.append(f"{pdf.name} page {k}: not A4")
            box = text_box(page)
            if box and (box[0] < 10 or box[1] < 10 or box[3] > 297 - 10 or box[2] > 210 - 10):
                problems.append(f"{pdf.name} page {k}: text within 10 mm of the edge {box}")
            text = (page.extract_text() or "").strip()
            images = page.get("/Resources", {}).get("/XObject", {}) if page.get("/Resources") else {}
            if len(text) < 10 and not images:
                problems.append(f"{pdf.name} page {k}: blank")
        first = reader.pages[0].extract_text() or ""
        title = stem[3:].replace("_", " ") if stem[:2].isdigit() else \
            decks.parse(decks.DECKS / f"{stem}.md")[1][0]["title"]
        if not any(w.lower() in first.lower() for w in title.split()[:2]):
            problems.append(f"{pdf.name}: the title is not extractable from page 1: {first[:60]!r}")
        print(f"{pdf.name}: {len(reader.pages)} pages, {pdf.stat().st_size // 1024} KiB")
        if stem not in lectures:           # a public handout: no lecturer-only text on it
            text = tmp_path / f"{stem}.txt"
            text.write_text("\n".join(p.extract_text() or "" for p in reader.pages))
            problems += lecturer.leaks([text])
    assert not problems, "\n".join(problems)

