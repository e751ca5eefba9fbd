"""The designed lecture decks (lecturer/decks, tools/decks.py) in headless Chromium at
1280x720, as a lecturer in a hall uses them: every slide measured in reveal's print view,
then walked with the right-arrow key.

- at most 50 slides a deck; ArrowRight visits every slide, in order, once;
- nothing taller or wider than the slide, nor past the screen in the slide show; nothing
  scrolls, every formula typeset, and nothing moves in the 2 s after a slide appears;
- prose >= 26 px, code and printed output >= 20 px;
- every slide at least half full (its content reaches below the middle of the slide);
- a figure slide's figure fills >= 60 % of the slide (its area), with its reading, a
  sentence of prose, on the same slide;
- a "Question:" slide is followed by its "Answer:" slide.
The measurements are written to artifacts/browser/lecture_decks.json.
"""
from __future__ import annotations

import json

import pytest
from browser_common import ARTIFACTS, BROWSER_MARKS, import_playwright
from build_common import build_with
from decks_common import MATH_ERRORS, MEASURE_SLIDES, SLIDE_SHOW, wait_ready

from tools import decks

pytestmark = BROWSER_MARKS
import_playwright()

KEY_FIGURES = {"04:c024", "05:c030", "05:c024"}   # Figure 1, the phase diagram, Gamma_t
FILL_MIN = 0.60

EXTRA = r"""() => Array.from(document.querySelectorAll('.pdf-page')).map(p => {
    const s = p.querySelector('section'), top = s.getBoundingClientRect();
    const scale = top.width / Reveal.getConfig().width;
    const img = s.querySelector('img');
    const r = img && img.getBoundingClientRect();
    const prose = Array.from(s.querySelectorAll('.jp-RenderedMarkdown p, .jp-RenderedMarkdown li'))
        .filter(e => !e.closest('aside.notes')).map(e => e.innerText.trim()).filter(t => t.length > 20);
    return {fill: img ? r.width * r.height / (top.width * top.height) : null,
            title: (s.querySelector('h2') || {}).innerText || '', prose: prose.length};
})"""


@pytest.fixture(scope="module")
def lectures(tmp_path_factory):
    from a11y import serve
    root = tmp_path_factory.mktemp("lectures")
    build_with("lectures", root / "slides")
    server, base = serve(root)
    yield root, base
    server.shutdown()
    server.server_close()


def figure_slides(path):
    _, slides_ = decks.parse(path)
    return {s["number"]: m.group(2) + ":" + m.group(3) for s in slides_
            for m in decks.REF.finditer(s["body"]) if m.group(1) == "figure"}


@pytest.mark.parametrize("name", [p.stem for p in decks.sources()])
def test_lecture_deck_in_the_hall(browser, lectures, name):
    root, base = lectures
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base, "data:")) else r.abort())
    page.goto(f"{base}/slides/{name}.slides.html?print-pdf", wait_until="load")
    wait_ready(page)
    assert page.evaluate(MATH_ERRORS) == []
    shown, extra = page.evaluate(MEASURE_SLIDES), page.evaluate(EXTRA)
    page.close()
    figures = figure_slides(decks.DECKS / f"{name}.md")
    rows, problems = [], []
    for k, (m, e) in enumerate(zip(shown, extra), 1):
        row = {"slide": k, "title": e["title"][:60], "bottom": round(m["bottom"]),
               "right": round(m["right"]), "prose_min": m["prose_min"], "code_min": m["code_min"],
               "fill": e["fill"] and round(e["fill"], 3), "figure": figures.get(k)}
        rows.append(row)
        if m["bottom"] > 721 or m["right"] > 1281 or m["scrolls"]:
            problems.append(f"slide {k} does not fit: {row} {m['scrolls']} {m['widest']}")
        if m["prose_min"] < 26 or m["code_min"] < 20:
            problems.append(f"slide {k}: text too small {row} ({m['prose_small']!r})")
        if m["bottom"] < 360:
            problems.append(f"slide {k} is less than half full: {row}")
        if figures.get(k) in KEY_FIGURES and (e["fill"] < FILL_MIN or not e["prose"]):
            problems.append(f"slide {k}: key figure {figures[k]} fills {e['fill']:.0%} "
                            f"(< {FILL_MIN:.0%}) or has no reading on its slide")
        if e["title"].startswith("Question") and not (k < len(extra) and extra[k]["title"].startswith("Answer")):
            problems.append(f"slide {k}: a question not followed by its answer")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "lecture_decks.json"
    data = json.loads(out.read_text()) if out.exists() else {}
    data[name] = rows
    out.write_text(json.dumps(data, indent=1))
    assert len(rows) <= decks.MAX_SLIDES
    assert not problems, "\n".join(problems)

    # the clicker: ArrowRight from the first slide reaches every slide, in order, once each
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base, "data:")) else r.abort())
    page.goto(f"{base}/slides/{name}.slides.html", wait_until="load")
    wait_ready(page)
    moved, off = page.evaluate(SLIDE_SHOW, 2000)    # maths typeset at build time: nothing moves
    assert moved[0] <= 0.5, f"moves {moved[0]:.1f} px after its slide appeared: {moved[1]}"
    assert not off, f"slides past the 1280x720 screen: {off}"
    page.evaluate("() => Reveal.slide(0, 0, -1)")
    seen = [page.evaluate("() => Reveal.getIndices().h")]
    for _ in range(len(rows) + 2):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(30)
        h = page.evaluate("() => Reveal.getIndices().h")
        if h != seen[-1]:
            seen.append(h)
    page.close()
    assert seen == list(range(len(rows))), f"ArrowRight visited {seen}"
