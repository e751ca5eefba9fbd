"""The lecturer's notes in RISE: the lecturer copy of notebook 03 as a live slideshow.

The notebooks have no speaker notes (they are the learner's edition); ``make lecturer``
writes a copy with the notes of lecturer/notes merged back as cells of slide type
``notes``. This test serves that copy from the same throw-away JupyterLab as
test_live_slides.py, opens it as a RISE slideshow with every request that leaves
127.0.0.1 refused, and checks that jupyterlab-rise puts each note into reveal.js's speaker
notes (``aside.notes``, not shown on the slide), and that ``t`` (RISE's "open speaker notes
window") opens the speaker view with the note of the current slide.

    python -m pytest tests/browser/test_lecturer_rise.py -m browser -s
"""
from __future__ import annotations

import nbformat
import pytest
from browser_common import BROWSER_MARKS, ROOT, import_playwright

from tools import lecturer

pytestmark = BROWSER_MARKS
import_playwright()
pytest.importorskip("jupyterlab_rise", reason="jupyterlab-rise is missing (pip install -e '.[classroom]')")

from test_explorer_browser import lab  # noqa: E402,F401  (the same throw-away JupyterLab server, as a fixture)

STEM = "03_online_setting_and_adams_drift"


def test_rise_shows_the_lecturer_copy_notes_in_its_speaker_view(lab, browser):  # noqa: F811  (the imported fixture)
    notes = lecturer.notes_for(STEM)
    assert notes
    target = lab.tmp / "root" / "lecturer" / f"{STEM}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(lecturer.lecturer_copy(nbformat.read(ROOT / "notebooks" / f"{STEM}.ipynb", 4), STEM),
                   target)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.set_default_timeout(60_000)
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(lab.base) else r.abort())
        page.goto(f"{lab.base}/rise/lecturer/{STEM}.ipynb?token={lab.token}")
        page.wait_for_function("() => document.querySelector('.reveal.ready') !== null", timeout=120_000)
        asides = page.evaluate("""() => [...document.querySelectorAll('.reveal aside.notes')].map(a => ({
            text: a.textContent, shown: a.getBoundingClientRect().height > 0
                                        && getComputedStyle(a).display !== 'none'}))""")
        assert len(asides) == len(notes), asides
        text = " " + " ".join(lecturer.words(a["text"]) for a in asides) + " "
        for cid, body in notes:
            assert all(f" {s} " in text for s in lecturer.sentences(body)), cid
        assert not any(a["shown"] for a in asides), "a note is on a slide"

        # t: RISE's speaker-notes window, with the note of the slide it is on
        first = lecturer.sentences(notes[0][1])[0]
        for _ in range(60):          # walk to the first slide that carries a note
            if page.evaluate("() => { const s = [...document.querySelectorAll('.reveal .slides section.present')];"
                             " return s.length && s[s.length - 1].querySelector('aside.notes') !== null; }"):
                break
            page.keyboard.press("Space")
            page.wait_for_timeout(300)
        else:
            pytest.fail("no slide with a note in the first 60")
        page.locator(".reveal").click(position={"x": 5, "y": 5})
        with page.expect_popup(timeout=30_000) as popup:
            page.keyboard.press("t")
        view = popup.value
        view.wait_for_function("(s) => document.body.innerText.toLowerCase().replace(/[^a-z0-9]+/g, ' ')"
                               ".includes(s.split(' ').slice(0, 6).join(' '))", arg=first, timeout=30_000)
    finally:
        page.close()
