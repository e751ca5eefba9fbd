"""The slide decks and the web site in a real browser, offline: headless Chromium.

Builds a deck and two pages of the site (tools/build.py) into a temporary folder, serves
it on 127.0.0.1 and opens it with every request to anything else aborted and recorded.
Checks that no external request was even attempted, that reveal.js started, that every
image loaded, that MathJax typeset the maths (when jupyter-server-mathjax is installed), and
that no slide is taller than the 1280x720 slide at a 1280x720 viewport; offenders are
reported with their text. Screenshots go to ``artifacts/browser/slides.png`` and
``artifacts/browser/site.png``.

Needs Debian's ``chromium`` (/usr/bin/chromium) and the ``playwright`` Python package
(only the package: its own browser download is not used). Skipped without them.

    python -m pytest tests/browser/test_slides_site_browser.py -m browser -s
    AMSGRAD_DECKS=all python -m pytest ...    # every deck, not just notebook 05's
    AMSGRAD_DECKS=00_start_here,04_where_adam_fails python -m pytest ...
"""
from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from browser_common import ARTIFACTS, BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS, ROOT, import_playwright

DECK = "05_amsgrad_from_scratch"          # maths, figures, long code: the hardest to fit
SITE_PAGES = ["04_where_adam_fails", "05_amsgrad_from_scratch"]   # widget fallback, maths
VIEWPORT = {"width": 1280, "height": 720}

pytestmark = BROWSER_MARKS
sync_api = import_playwright()


def _has_mathjax() -> bool:
    try:
        import jupyter_server_mathjax  # noqa: F401
    except ImportError:
        return False
    return True


def _build(what: str, out: Path, names: list[str]) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build.py"), what,
                           "--out", str(out), *names], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"tools/build.py {what} failed:\n{done.stdout}{done.stderr}"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Build into a temporary folder and serve it on 127.0.0.1; yields the base URL."""
    root = tmp_path_factory.mktemp("built")
    wanted = os.environ.get("AMSGRAD_DECKS", DECK)
    decks = [] if wanted == "all" else [f"{n.strip()}.ipynb" for n in wanted.split(",")]
    _build("slides", root / "slides", decks)
    _build("site", root / "site", [f"{n}.ipynb" for n in SITE_PAGES])
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _offline_page(browser, base: str):
    """A page that may load only from ``base``; returns (page, blocked URLs, JS errors)."""
    page = browser.new_page(viewport=VIEWPORT)
    blocked, errors = [], []

    def route(r):
        url = r.request.url
        if url.startswith(base + "/") or url.startswith(("data:", "about:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, blocked, errors


WAIT_MATHJAX = """() => new Promise(done => {
    if (!(window.MathJax && MathJax.Hub && MathJax.Hub.Queue)) return done(false);
    MathJax.Hub.Queue(() => done(true));
})"""

BROKEN_IMAGES = """() => Array.from(document.images)
    .filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => (img.getAttribute('src') || '').slice(0, 60))"""

WALK_SLIDES = """async () => {
    const height = Reveal.getConfig().height, found = [], scrolls = [];
    const slides = Reveal.getSlides();
    for (const slide of slides) {
        const idx = Reveal.getIndices(slide);
        Reveal.slide(idx.h, idx.v);
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        if (window.MathJax && MathJax.Hub) await new Promise(r => MathJax.Hub.Queue(r));
        const current = Reveal.getCurrentSlide();
        const h = current.scrollHeight;
        const text = current.innerText.replace(/\\s+/g, ' ').trim().slice(0, 90);
        if (h > height + 1) found.push({h: idx.h, v: idx.v, height: h, text: text});
        current.querySelectorAll('.fit-scroll').forEach(el => {
            if (el.scrollHeight > el.clientHeight + 1) scrolls.push({h: idx.h, v: idx.v, text: text});
        });
    }
    return {count: slides.length, overflowing: found, scrolling: scrolls};
}"""


def test_deck_offline_and_within_the_screen(served, browser):
    root, base = served
    decks = sorted((root / "slides").glob("*.slides.html"))
    assert decks, "no deck was built"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for deck in decks:
        page, blocked, errors = _offline_page(browser, base)
        page.goto(f"{base}/slides/{deck.name}", wait_until="load")
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=15000)
        if _has_mathjax():
            assert page.evaluate(WAIT_MATHJAX), f"{deck.name}: MathJax did not start"
            assert page.locator(".MathJax, .MathJax_Display").count() > 0, \
                f"{deck.name}: no maths typeset"
        walk = page.evaluate(WALK_SLIDES)
        if deck.stem.startswith(DECK) or len(decks) == 1:
            page.evaluate("() => Reveal.slide(0, 0)")
            page.wait_for_timeout(200)
            page.screenshot(path=str(ARTIFACTS / "slides.png"))
        broken = page.evaluate(BROKEN_IMAGES)
        print(f"\n{deck.name}: {walk['count']} slides, "
              f"{len(walk['overflowing'])} overflowing, {len(walk['scrolling'])} with a scrolling box")
        for s in walk["scrolling"]:
            print(f"  scrolling box on slide {s['h']}/{s['v']}: {s['text']}")
        problems += [f"{deck.name}: external request attempted: {u}" for u in blocked]
        problems += [f"{deck.name}: JavaScript error: {e}" for e in errors]
        problems += [f"{deck.name}: image did not load: {b}" for b in broken]
        problems += [f"{deck.name}: slide {s['h']}/{s['v']} is {s['height']} px tall "
                     f"(> 720): {s['text']}" for s in walk["overflowing"]]
        page.close()
    assert not problems, "\n".join(problems)


def test_site_offline(served, browser):
    root, base = served
    page, blocked, errors = _offline_page(browser, base)
    page.goto(f"{base}/site/index.html", wait_until="load")
    links = page.eval_on_selector_all("ol a", "as => as.map(a => a.getAttribute('href'))")
    assert links == [f"{n}.html" for n in SITE_PAGES]
    page.click(f"text={page.inner_text('ol li >> nth=1')}")     # notebook 05, with maths
    page.wait_for_load_state("load")
    assert page.url.endswith("05_amsgrad_from_scratch.html")
    if _has_mathjax():
        assert page.evaluate(WAIT_MATHJAX)
        assert page.locator(".MathJax, .MathJax_Display").count() > 10
    assert page.evaluate(BROKEN_IMAGES) == []
    assert page.locator(".jp-RenderedImage img").count() >= 3
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site.png"))
    # notebook 04: the explorer's output is its stored PNG, not a widget that cannot load
    page.goto(f"{base}/site/04_where_adam_fails.html", wait_until="load")
    explorer = page.locator(".jp-CodeCell", has_text="from amslib.widgets import explore")
    assert explorer.locator(".jp-RenderedImage img").count() == 1
    assert page.evaluate(BROKEN_IMAGES) == []
    assert not blocked, f"external requests attempted: {blocked}"
    assert not errors, f"JavaScript errors: {errors}"
    page.close()
