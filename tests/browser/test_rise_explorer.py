"""The explorer live in RISE: notebook 04 as a slideshow, its explorer run and used on its slide.

The same throw-away JupyterLab as test_live_slides.py, which loads what ``make lab`` and Binder
install (binder/labextensions: the widgets in RISE's page; binder/overrides.d: RISE's settings)
and RISE loads notebooks/rise.css. At 1280x720, with every request that leaves 127.0.0.1
refused, the test walks from the first slide to the explorer's slide, measuring the text of
every slide on the way; there, on the fresh kernel, it runs every cell above (Ctrl+Shift+Enter:
the set-up cell, hidden from the slides, included) and then the explorer's cell, and checks that

- every control of the explorer is on the screen, in the slide, at >= 24 px;
- dragging the beta_1 slider changes its readout and the figure (other PNG bytes);
- prose is >= 24 px and code >= 20 px on every slide seen, the headings and links have the
  decks' colours and the theme's font;
- the console has no error of the widget manager (@jupyter-widgets/jupyterlab-manager).

    python -m pytest tests/browser/test_rise_explorer.py -m browser -s     # about a minute
"""
from __future__ import annotations

import json
import re
import time

import pytest
from browser_common import ARTIFACTS, BROWSER_MARKS, ROOT, import_playwright

pytestmark = BROWSER_MARKS
sync_api = import_playwright()
pytest.importorskip("jupyterlab_rise", reason="jupyterlab-rise is missing (pip install -e '.[classroom]')")

from test_explorer_browser import lab  # noqa: E402,F401  (the same throw-away JupyterLab server, as a fixture)

CONTROLS = ["problem", "C", "period", "steps", "schedule", "alpha", "beta1", "beta2",
            "adam_pytorch", "amsgrad_pytorch", "adam_paper", "amsgrad_paper"]
# What the widget manager's failure to load (or a widget's) writes to the console; not the
# version notes ("Unsatisfied version", "No satisfying version") of RISE's JupyterLab 4.3 core
WIDGET_TROUBLE = re.compile(r"jupyterlab-manager|@jupyter-widgets|doesn't exist in shared scope|"
                            r"Failed to create module|Error displaying widget|Model not found|"
                            r"Failed to load model class|[Ww]idget manager")

# The smallest text of the current slide: every visible text node, by its element's computed
# size; code (editors, printed output, prompts) apart from the rest.
SLIDE_TEXT = """() => {
    const stack = [...document.querySelectorAll('.reveal .slides section.present')];
    const slide = stack[stack.length - 1];
    const out = {prose: [], code: []};
    const walk = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const el = n.parentElement;
        if (!n.textContent.trim() || !el || el.closest('aside.notes, mjx-assistive-mml')) continue;
        const box = el.getBoundingClientRect(), style = getComputedStyle(el);
        if (!box.width || !box.height || style.visibility === 'hidden' || !el.checkVisibility()) continue;
        if (box.top >= innerHeight || box.left >= innerWidth) continue;   // past the screen's edge
        const kind = el.closest('.cm-editor, .jp-OutputArea-output pre, .jp-InputPrompt, .jp-OutputPrompt')
            ? 'code' : 'prose';
        out[kind].push([parseFloat(style.fontSize), n.textContent.trim().slice(0, 40)]);
    }
    return out;
}"""

ON_EXPLORER_SLIDE = """() => { const s = [...document.querySelectorAll('.reveal .slides section.present')];
    return s.length > 0 && s[s.length - 1].textContent.includes('explorer = explore(');}"""

FIGURE_BYTES = """async () => { const img = document.querySelector('img.amslib-explorer-figure');
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let s = ''; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); }"""


def _rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i:i + 2], 16) for i in (0, 2, 4)))


def deck_colours() -> dict[str, str]:
    """The headings' and the links' colours of the decks' CSS, as the browser writes them."""
    slides_css = (ROOT / "tools" / "templates" / "course_reveal" / "static" / "course_slides.css").read_text()
    a11y_css = (ROOT / "tools" / "templates" / "course_common" / "a11y.css").read_text()
    heading = re.search(r"h4 \{\s*text-transform: none; color: (#[0-9a-f]{6})", slides_css)
    link = re.search(r"--jp-content-link-color: (#[0-9a-f]{6})", a11y_css)
    assert heading and link, "the decks' CSS no longer says its heading and link colours"
    return {"heading": _rgb(heading.group(1)), "link": _rgb(link.group(1))}


def test_explorer_works_on_its_rise_slide(lab, browser):  # noqa: F811  (the imported fixture)
    t0 = time.monotonic()
    timings: dict[str, float] = {}
    path = sorted((ROOT / "notebooks").glob("04_*.ipynb"))[0]
    nb = json.loads(path.read_text())
    assert any("explorer = explore(" in "".join(c["source"]) for c in nb["cells"])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    console: list[tuple[str, str]] = []
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.set_default_timeout(60_000)
        page.on("console", lambda m: console.append((m.type, m.text)))
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(lab.base) else r.abort())
        page.goto(f"{lab.base}/rise/notebooks/{path.name}?token={lab.token}")
        page.wait_for_function("() => document.querySelector('.reveal.ready') !== null", timeout=120_000)
        timings["slideshow ready"] = time.monotonic() - t0
        assert page.evaluate("() => { const l = document.getElementById('rise-custom-css');"
                             " try { return l.sheet.cssRules.length > 0; } catch (e) { return false; } }"), \
            "notebooks/rise.css not applied"

        # Walk to the explorer's slide, measuring every slide on the way
        sizes = {"prose": [], "code": []}
        style = None
        for _ in range(80):
            page.wait_for_timeout(300)
            seen = page.evaluate(SLIDE_TEXT)
            for kind in sizes:
                sizes[kind] += seen[kind]
            style = style or page.evaluate("""() => {
                const h = document.querySelector('.reveal .slides section.present .jp-RenderedHTMLCommon h2');
                const a = document.querySelector('.reveal .slides section.present .jp-RenderedHTMLCommon a[href]');
                return h && a ? {heading: getComputedStyle(h).color, font: getComputedStyle(h).fontFamily,
                                 link: getComputedStyle(a).color} : null; }""")
            if page.evaluate(ON_EXPLORER_SLIDE):
                break
            page.keyboard.press("Space")
        else:
            pytest.fail("the explorer's slide not reached in 80 steps")
        timings["explorer slide"] = time.monotonic() - t0

        # Run every cell above (the hidden set-up cell included), then the explorer's cell
        cell = page.locator(".jp-CodeCell", has_text="explorer = explore(")
        box = cell.locator(".cm-content").bounding_box()
        page.mouse.click(box["x"] + 30, box["y"] + 8)
        page.keyboard.press("Escape")
        page.keyboard.press("Control+Shift+Enter")
        setup = page.locator(".jp-CodeCell", has_text="Set-up cell")
        setup.locator(".jp-InputArea-prompt", has_text=re.compile(r"\[\d+\]")).wait_for(
            state="attached", timeout=120_000)
        page.wait_for_function("""() => {
            const cells = [...document.querySelectorAll('.jp-CodeCell')];
            const i = cells.findIndex(c => c.textContent.includes('explorer = explore('));
            return cells.slice(0, i).every(c => /\\[\\d+\\]/.test(c.querySelector('.jp-InputArea-prompt').textContent));
        }""", timeout=180_000, polling=500)
        timings["cells above run"] = time.monotonic() - t0
        errors_above = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
                                    " .jp-OutputArea-output.jp-mod-error")
        assert "Traceback" not in (page.locator(".jp-Notebook").first.text_content() or ""), \
            [errors_above.nth(i).text_content()[:300] for i in range(errors_above.count())]
        page.keyboard.press("Control+Enter")
        try:
            page.wait_for_function("() => { const i = document.querySelector('img.amslib-explorer-figure');"
                                   " return i && i.complete && i.naturalWidth > 0; }", timeout=60_000)
        except sync_api.Error:
            pytest.fail("the explorer did not show; the console says: "
                        + " | ".join(t[:200] for _, t in console if WIDGET_TROUBLE.search(t)))
        page.wait_for_timeout(1500)   # the slide settles (RISE re-lays it out)
        timings["explorer shown"] = time.monotonic() - t0
        assert page.evaluate(ON_EXPLORER_SLIDE), "running the cells moved the slideshow"

        controls = page.evaluate("""(names) => names.map(n => {
            const el = document.querySelector('.amslib-explorer-' + n);
            if (!el || !el.checkVisibility()) return [n, null];
            const b = el.getBoundingClientRect();
            return [n, [Math.round(b.left), Math.round(b.top), Math.round(b.right), Math.round(b.bottom)]]; })""",
                                 [c for c in CONTROLS])
        explorer_text = page.evaluate(SLIDE_TEXT)
        figure = page.locator("img.amslib-explorer-figure").bounding_box()

        # Drag the beta_1 slider's handle 150 px to the left
        readout = page.locator(".amslib-explorer-beta1 .widget-readout").first
        before_readout = readout.inner_text().strip()
        before_src = page.locator("img.amslib-explorer-figure").get_attribute("src")
        before_bytes = page.evaluate(FIGURE_BYTES)
        handle = page.locator(".amslib-explorer-beta1 .noUi-handle").first.bounding_box()
        x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 75, y, steps=5)
        page.mouse.move(x - 150, y, steps=5)
        page.mouse.up()
        page.wait_for_function(
            "old => { const i = document.querySelector('img.amslib-explorer-figure');"
            " return i && i.getAttribute('src') !== old && i.complete && i.naturalWidth > 0; }",
            arg=before_src, timeout=60_000)
        after_bytes = page.evaluate(FIGURE_BYTES)
        after_readout = readout.inner_text().strip()
        timings["figure redrawn"] = time.monotonic() - t0
        error_label = page.locator(".amslib-explorer-error").first.inner_text().strip()
        page.screenshot(path=str(ARTIFACTS / "rise-explorer.png"))
    finally:
        page.close()

    timings["total"] = time.monotonic() - t0
    prose_min = min(sizes["prose"] + explorer_text["prose"])
    code_min = min(sizes["code"] + explorer_text["code"])
    print("\nRISE explorer timings (s since start): " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    print(f"smallest prose {prose_min}, smallest code {code_min}; explorer's smallest text "
          f"{min(explorer_text['prose'])}; figure {figure}; beta_1 {before_readout} -> {after_readout}; "
          f"PNG {len(before_bytes)} -> {len(after_bytes)} base64 chars; style {style}")

    missing = [n for n, b in controls if b is None]
    assert not missing, f"controls not shown: {missing}"
    off_screen = [(n, b) for n, b in controls if b[0] < 0 or b[1] < 0 or b[2] > 1280 or b[3] > 720]
    assert not off_screen, f"controls past the 1280x720 screen: {off_screen}"
    assert figure and figure["y"] < 720 and figure["height"] >= 200, f"the figure is not on the screen: {figure}"
    assert prose_min[0] >= 24, f"prose smaller than 24 px: {prose_min}"
    assert code_min[0] >= 20, f"code smaller than 20 px: {code_min}"
    assert min(explorer_text["prose"])[0] >= 24, min(explorer_text["prose"])
    assert style, "no slide with a heading and a link on the way"
    colours = deck_colours()
    assert style["heading"] == colours["heading"] and style["link"] == colours["link"], (style, colours)
    assert "Source Sans Pro" in style["font"], style   # reveal's white theme: the decks' headings
    assert after_readout != before_readout, "the slider did not move"
    assert after_bytes != before_bytes, "the figure did not change"
    assert error_label == "", f"the explorer shows an error: {error_label}"
    widget_trouble = [f"{kind}: {text[:200]}" for kind, text in console
                      if kind in ("error", "warning") and WIDGET_TROUBLE.search(text)]
    assert not widget_trouble, f"the widget manager's errors in the console: {widget_trouble}"
    assert timings["total"] < 120, timings
