"""Live slides: notebook 03 as a RISE slideshow inside JupyterLab, running a cell on a slide.

Starts JupyterLab (the same throw-away server as the explorer test: temporary copy of the
notebooks, random token, settings in temporary folders) with the ``jupyterlab-rise``
extension (``pip install -e ".[classroom]"``), opens ``/rise/notebooks/03_*.ipynb`` (what
the toolbar's "Render as slideshow" button opens) with every request that leaves 127.0.0.1
refused, as in a room without a network, and then, on the first slide that shows a code cell:

1. runs the cell as it is (Ctrl+Enter) and waits for its new prompt and output;
2. replaces its code with ``print("live", 6 * 7)``, runs it and waits for ``live 42``.

It also checks that the slides come from the notebook's slide metadata (one section per
``slide``/``subslide`` cell, the set-up cell and speaker notes not shown) and that the maths
is typeset without a network. Screenshots go to ``artifacts/browser/live-slides-*.png``.

    python -m pytest tests/browser/test_live_slides.py -m browser -s
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from browser_common import ARTIFACTS, BROWSER_MARKS, ROOT, import_playwright

pytestmark = BROWSER_MARKS
import_playwright()
pytest.importorskip("jupyterlab_rise", reason="jupyterlab-rise is missing (pip install -e '.[classroom]')")

from test_explorer_browser import lab  # noqa: E402,F401  (the same throw-away JupyterLab server, as a fixture)

VISIBLE_CELLS = """() => {
    const stack = [...document.querySelectorAll('.reveal .slides section.present')];
    const slide = stack[stack.length - 1];
    if (!slide) return [];
    return [...slide.querySelectorAll('.jp-Cell')]
        .filter(c => c.closest('section') === slide && c.getBoundingClientRect().height > 0
                     && getComputedStyle(c).display !== 'none')
        .map(c => {
            if (c.classList.contains('jp-CodeCell') && !document.querySelector('[data-live-test]'))
                c.setAttribute('data-live-test', 'run');  // the cell this test runs
            return {code: c.classList.contains('jp-CodeCell'), text: c.textContent.slice(0, 80)};
        });
}"""


def notebook_03() -> Path:
    found = sorted((ROOT / "notebooks").glob("03_*.ipynb"))
    assert found, "no notebook 03"
    return found[0]


def slide_sections(nb: dict) -> int:
    """Slides and subslides the notebook's metadata asks for (what RISE should build)."""
    return sum(c.get("metadata", {}).get("slideshow", {}).get("slide_type") in ("slide", "subslide")
               for c in nb["cells"])


def test_live_slideshow_runs_a_cell(lab, browser):  # noqa: F811  (lab: the fixture imported above)
    path = notebook_03()
    nb = json.loads(path.read_text())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    refused: list[str] = []
    # The session's Chromium (tests/browser/conftest.py): one Playwright per test session
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.set_default_timeout(60_000)

        def offline(route):
            if route.request.url.startswith(lab.base):
                route.continue_()
            else:
                refused.append(route.request.url)
                route.abort()

        page.route("**/*", offline)
        page.goto(f"{lab.base}/rise/notebooks/{path.name}?token={lab.token}")
        page.wait_for_selector(".reveal .slides section", timeout=120_000)
        page.wait_for_function("() => document.querySelector('.reveal.ready') !== null", timeout=60_000)

        sections = page.evaluate("() => document.querySelectorAll('.reveal .slides section section, "
                                 ".reveal .slides > section:not(.stack)').length")
        assert sections == slide_sections(nb), (sections, slide_sections(nb))
        page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0", timeout=60_000)

        # Walk the deck to the first slide with a code cell on it
        for _ in range(40):
            cells = page.evaluate(VISIBLE_CELLS)
            assert not any("Set-up cell" in c["text"] or "<!-- notes -->" in c["text"] for c in cells), cells
            if any(c["code"] for c in cells):
                break
            page.keyboard.press("Space")
            time.sleep(0.4)
        else:
            pytest.fail("no slide with a code cell in the first 40")

        cell = page.locator("[data-live-test=run]")
        prompt = cell.locator(".jp-InputArea-prompt")
        stored_prompt = prompt.text_content()

        # 1. Run the cell as it is (click near its first line, not its middle: a long
        #    cell can reach past the 720 px of the slide; and click
        #    with the mouse: Reveal's 3-D slide transforms confuse Playwright's
        #    visibility checks, not the browser)
        time.sleep(1.5)  # the slide transition
        page.screenshot(path=str(ARTIFACTS / "live-slides-before.png"))
        box = cell.locator(".cm-content").bounding_box()
        page.mouse.click(box["x"] + 30, box["y"] + 8)
        page.keyboard.press("Control+Enter")  # run in place: Shift+Enter would move on
        cell.locator(".jp-InputArea-prompt", has_text="[1]").wait_for(timeout=120_000)
        outputs = cell.locator(".jp-OutputArea-output")
        outputs.first.wait_for(timeout=60_000)
        assert cell.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        assert "Traceback" not in (cell.locator(".jp-OutputArea").text_content() or "")
        assert stored_prompt != prompt.text_content()

        # 2. Change the code on the slide and run it again
        box = cell.locator(".cm-content").bounding_box()
        page.mouse.click(box["x"] + 30, box["y"] + 8)
        page.keyboard.press("Control+a")
        page.keyboard.type('print("live", 6 * 7)')
        page.keyboard.press("Control+Enter")  # run in place: Shift+Enter would move on
        cell.locator(".jp-OutputArea-output", has_text="live 42").wait_for(timeout=60_000)
        # the output can come before the reply that turns the prompt from [*] into [2]
        cell.locator(".jp-InputArea-prompt", has_text="[2]").wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "live-slides-after.png"))
    finally:
        page.close()
    # Only decorations go out (badges, the theme's web fonts); the deck works without them
    assert all(("fonts.googleapis" in u or "badge" in u or "colab" in u or "mybinder" in u)
               for u in refused), refused
