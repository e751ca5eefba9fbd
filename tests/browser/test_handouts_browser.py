"""`make handouts`: one PDF per deck, a page a slide, no blank page, text that can be
extracted (pypdf). Built offline with headless Chromium (tools/build.py handouts)."""
from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest
from browser_common import BROWSER_MARKS, ROOT, import_playwright

pytestmark = BROWSER_MARKS
import_playwright()
pypdf = pytest.importorskip("pypdf", reason="pip install pypdf (the browser extra)")

sys.path.insert(0, str(ROOT / "tools"))
import slides  # noqa: E402


def slide_count(notebook) -> int:
    nb = slides.layout_for_projection(slides.apply_slide_metadata(nbformat.read(notebook, 4)))
    return sum(c.metadata["slideshow"]["slide_type"] in ("slide", "subslide") for c in nb.cells)


def test_one_pdf_per_deck_a_page_a_slide(tmp_path):
    wanted = os.environ.get("AMSGRAD_DECKS", "all")
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if wanted != "all":
        notebooks = [n for n in notebooks if any(n.stem.startswith(w) for w in wanted.split(","))]
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build.py"), "handouts",
                           "--out", str(tmp_path), *[n.name for n in notebooks]],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    problems = []
    for nb in notebooks:
        pdf = tmp_path / f"{nb.stem}.pdf"
        assert pdf.exists(), f"no handout for {nb.name}"
        reader = pypdf.PdfReader(pdf)
        expected = slide_count(nb)
        if len(reader.pages) != expected:
            problems.append(f"{pdf.name}: {len(reader.pages)} pages for {expected} slides")
        for k, page in enumerate(reader.pages, 1):
            text = (page.extract_text() or "").strip()
            images = page.get("/Resources", {}).get("/XObject", {}) if page.get("/Resources") else {}
            if len(text) < 10 and not images:
                problems.append(f"{pdf.name} page {k}: blank")
        first = reader.pages[0].extract_text() or ""
        title = nb.stem[3:].replace("_", " ")
        if not any(w.lower() in first.lower() for w in title.split()[:2]):
            problems.append(f"{pdf.name}: the title is not extractable from page 1: {first[:60]!r}")
        print(f"{pdf.name}: {len(reader.pages)} pages, {pdf.stat().st_size // 1024} KiB")
    assert not problems, "\n".join(problems)
