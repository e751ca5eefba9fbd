"""Building and serving the decks and the site for the browser tests, and the measurement
of one slide (shared by the deck, handout and accessibility tests)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from browser_common import ROOT

VIEWPORT = {"width": 1280, "height": 720}


def build(what: str, out: Path, names: list[str] = ()) -> None:
    done = subprocess.run([sys.executable, "-m", "tools.build", what,
                           "--out", str(out), *names], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"python -m tools.build {what} failed:\n{done.stdout}{done.stderr}"


def open_deck(browser, base: str, name: str, query: str = "", viewport: dict = VIEWPORT):
    page = browser.new_page(viewport=viewport)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base, "data:"))
               else r.abort())
    page.goto(f"{base}/slides/{name}.slides.html{query}", wait_until="load")
    wait_math_ready(page)
    return page


def wait_math_ready(page, timeout_s: float = 180.0) -> None:
    """Wait for the deck's own signal that its mathematics is typeset and fitted
    (<html data-course-math="ready">, set by tools/templates/course_reveal): reveal.js has
    placed the slides (in the print view: every slide in its page), MathJax has typeset
    every formula, the fonts have loaded and wide formulas are scaled to their slide. A
    deck that never says so fails here, rather than being measured half-typeset."""
    page.wait_for_function("() => document.documentElement.getAttribute('data-course-math') === 'ready'",
                           timeout=timeout_s * 1000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


# Formulas MathJax could not typeset (shown as "[Math Processing Error]" or a red TeX
# error): the TeX of each, for the report.
MATH_ERRORS = r"""() => {
    if (!(window.MathJax && MathJax.Hub)) return [];
    const failed = [];
    for (const s of document.querySelectorAll('script[type^="math/tex"]')) {
        const jax = MathJax.Hub.getJaxFor(s);
        const error = s.MathJax && s.MathJax.error;
        if (!jax || error) failed.push((error && error.errorText ? error.errorText.split('\n')[0] + ': ' : '')
                                       + s.textContent.replace(/\s+/g, ' ').slice(0, 80));
    }
    for (const e of document.querySelectorAll('.MathJax_Error, mjx-merror, .noError'))
        failed.push('error shown: ' + e.textContent.slice(0, 80));
    return failed;
}"""


# What each slide shows, in screen px at 1280x720, measured in reveal's print view
# (?print-pdf) where every slide is laid out at once at the size of the slide.
MEASURE_SLIDES = r"""() => Array.from(document.querySelectorAll('.pdf-page'))
        .map(p => p.querySelector('section')).map((slide, number) => {
    const top = slide.getBoundingClientRect(), scale = top.width / Reveal.getConfig().width;
    const visible = el => el.offsetParent !== null && el.innerText.trim() !== '' && !el.closest('aside.notes');
    const px = el => parseFloat(getComputedStyle(el).fontSize) * scale;
    let prose_min = 99, code_min = 99, prose_small = '', bottom = 0, right = 0, widest = '';
    for (const el of slide.querySelectorAll('.jp-MarkdownCell p, .jp-MarkdownCell li, .jp-MarkdownCell td, .jp-MarkdownCell th, .figure-caption')) {
        if (!visible(el)) continue;
        if (px(el) < prose_min) { prose_min = px(el); prose_small = el.innerText.slice(0, 40); }
    }
    for (const el of slide.querySelectorAll('pre, code')) {
        if (visible(el)) code_min = Math.min(code_min, px(el));
    }
    const scrolls = [];
    for (const el of slide.querySelectorAll('*')) {
        if (el.closest('aside.notes')) continue;
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden') {
            bottom = Math.max(bottom, (r.bottom - top.top) / scale);
            if ((r.right - top.left) / scale > right) {
                right = (r.right - top.left) / scale;
                widest = el.tagName + '.' + el.className + ' ' + (el.textContent || '').slice(0, 40);
            }
        }
        const st = getComputedStyle(el);
        const scrollable = /(auto|scroll)/.test(st.overflowX + st.overflowY);
        if (scrollable && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
                && !el.closest('.MathJax_Display, .MathJax, .MJX_Assistive_MathML'))
            scrolls.push(el.className + ': ' + el.innerText.slice(0, 50));
    }
    const md = Array.from(slide.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')).filter(m => !m.closest('aside.notes'));
    let words = 0;
    for (const m of md) {
        const c = m.cloneNode(true);
        c.querySelectorAll('h1,h2,h3,h4,h5,h6,script,.MathJax,.MathJax_Display,.MathJax_Preview,.MJX_Assistive_MathML,pre').forEach(e => e.remove());
        words += (c.innerText.match(/[A-Za-z0-9][\w'-]*/g) || []).length;
    }
    const cells = Array.from(slide.querySelectorAll('.jp-Cell')).filter(c => c.offsetParent !== null && !c.closest('aside.notes'));
    const first = cells[0];
    const firstEl = first && first.querySelector('.jp-RenderedMarkdown > *');
    const starts_with_heading = !!(firstEl && /^H[1-4]$/.test(firstEl.tagName));
    const media = slide.querySelector('img, pre, table, .MathJax_Display');
    const images = Array.from(slide.querySelectorAll('img')).map(i => ({
        width: i.getBoundingClientRect().width, natural: i.naturalWidth, alt: i.getAttribute('alt') || ''}));
    return {widest, prose_min, prose_small, code_min, bottom, right, scrolls, words, starts_with_heading,
            thin: number > 0 && !media && words < 15, images, text: slide.innerText.replace(/\s+/g, ' ').trim(),
            number, height: slide.scrollHeight / scale};
})"""  # noqa: E501  (JavaScript: wrapping its long lines would change the string)
