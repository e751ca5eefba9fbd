"""Opening a deck for the browser tests, and the measurement of its slides (shared by the
deck, lecture deck, handout and accessibility tests)."""
from __future__ import annotations

VIEWPORT = {"width": 1280, "height": 720}


def open_deck(browser, base: str, name: str, query: str = "", viewport: dict = VIEWPORT):
    page = browser.new_page(viewport=viewport)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base, "data:"))
               else r.abort())
    page.goto(f"{base}/slides/{name}.slides.html{query}", wait_until="load")
    wait_ready(page)
    return page


def wait_ready(page, timeout_s: float = 180.0) -> None:
    """Wait until reveal.js has placed the slides (in the print view, ?print-pdf: every slide
    in a page of its own). The maths needs no waiting: it is MathML, typeset when the deck
    was built (tools/build.py), and no script touches it in the browser."""
    page.wait_for_function("() => document.querySelector('.reveal.ready') && (!/print-pdf/.test(location.search)"
                           " || document.querySelector('.pdf-page'))", timeout=timeout_s * 1000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


# Maths the page shows as TeX rather than typeset (a $ pair or \command left in the text
# outside code), or that MathML marks as an error (math-core's <merror>): the text of each.
MATH_ERRORS = r"""() => {
    const failed = Array.from(document.querySelectorAll('merror'))
        .map(e => 'error shown: ' + e.textContent.slice(0, 80));
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.parentElement.closest('pre, code, script, style, annotation, .jp-OutputArea, aside.notes')) continue;
        if (/\$[^$\s][^$]*\$|\\(frac|sqrt|beta|alpha|hat|mathcal)\b/.test(n.textContent))
            failed.push('TeX as typed: ' + n.textContent.trim().slice(0, 80));
    }
    return failed;
}"""


#: The pictures the lectures are about: Figure 1 (average regret and iterate, 04), the
#: inverse step Gamma_t (05) and the phase diagram (05), as notebook:cell. On any deck they
#: fill at least KEY_FILL of their slide, with their reading on the same slide.
KEY_FIGURES, KEY_FILL = {"04:c024", "05:c024", "05:c030"}, 0.60


def key_figures() -> dict[str, str]:
    """{the last 80 characters of the stored PNG (base64): notebook:cell} of KEY_FIGURES."""
    import nbformat
    from browser_common import ROOT
    out = {}
    for key in KEY_FIGURES:
        nb = nbformat.read(next((ROOT / "notebooks").glob(f"{key[:2]}_*.ipynb")), as_version=4)
        cell = next(c for c in nb.cells if c.get("id") == key[3:])
        png = next(o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {}))
        out[png.replace("\n", "")[-80:]] = key
    return out


# What each slide shows, in screen px at 1280x720, measured in reveal's print view
# (?print-pdf) where every slide is laid out at once at the size of the slide.
MEASURE_SLIDES = r"""() => Array.from(document.querySelectorAll('.pdf-page'))
        .map(p => p.querySelector('section')).map((slide, number) => {
    const top = slide.getBoundingClientRect(), scale = top.width / Reveal.getConfig().width;
    const visible = el => el.offsetParent !== null && el.innerText.trim() !== '' && !el.closest('aside.notes');
    const px = el => parseFloat(getComputedStyle(el).fontSize) * scale;
    let prose_min = 99, code_min = 99, prose_small = '', bottom = 0, right = 0, widest = '';
    for (const el of slide.querySelectorAll('.jp-MarkdownCell p, .jp-MarkdownCell li, .jp-MarkdownCell td, .jp-MarkdownCell th')) {
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
                && !el.closest('math'))
            scrolls.push(el.className + ': ' + el.innerText.slice(0, 50));
    }
    const md = Array.from(slide.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')).filter(m => !m.closest('aside.notes'));
    let words = 0;
    for (const m of md) {
        const c = m.cloneNode(true);
        c.querySelectorAll('h1,h2,h3,h4,h5,h6,script,math,pre').forEach(e => e.remove());
        words += (c.innerText.match(/[A-Za-z0-9][\w'-]*/g) || []).length;
    }
    const cells = Array.from(slide.querySelectorAll('.jp-Cell')).filter(c => c.offsetParent !== null && !c.closest('aside.notes'));
    const first = cells[0];
    const firstEl = first && first.querySelector('.jp-RenderedMarkdown > *');
    const starts_with_heading = !!(firstEl && /^H[1-4]$/.test(firstEl.tagName));
    const media = slide.querySelector('img, pre, table, .course-math');
    const images = Array.from(slide.querySelectorAll('img')).map(i => ({
        width: i.getBoundingClientRect().width, natural: i.naturalWidth, alt: i.getAttribute('alt') || '',
        fill: i.getBoundingClientRect().width * i.getBoundingClientRect().height / (top.width * top.height),
        tail: (i.getAttribute('src') || '').slice(-80)}));
    return {widest, prose_min, prose_small, code_min, bottom, right, scrolls, words, starts_with_heading,
            thin: number > 0 && !media && words < 15, images, text: slide.innerText.replace(/\s+/g, ' ').trim(),
            number, height: slide.scrollHeight / scale};
})"""  # noqa: E501  (JavaScript: wrapping its long lines would change the string)


# The slide show as the projector shows it (not the print view), every slide shown once as
# a lecturer steps through the deck (the boxes of its elements right after it is drawn),
# then, ``wait_ms`` later, once more. Returns ``[moved, off]``: the largest move of any box
# between the two showings, in px, and where; and, per slide whose content reaches past the
# 1280x720 screen (a nested slide inherits its stack's offset, which the print view does not
# have), [slide number, element, bottom, right].
SLIDE_SHOW = r"""async (wait_ms) => {
    const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const boxes = () => Array.from(Reveal.getCurrentSlide().querySelectorAll('*'))
        .filter(e => !e.closest('aside.notes')).map(e => {
            const r = e.getBoundingClientRect();
            return [r.left, r.top, r.width, r.height, e.tagName + ' ' + (e.textContent || '').slice(0, 40)];
        });
    const slides = Reveal.getSlides().map(s => Reveal.getIndices(s)), first = [];
    for (const i of slides) { Reveal.slide(i.h, i.v || 0, -1); await frame(); first.push(boxes()); }
    await new Promise(r => setTimeout(r, wait_ms));
    let worst = [0, ''];
    const off = [];
    for (const [k, i] of slides.entries()) {
        Reveal.slide(i.h, i.v || 0, -1); await frame();
        const now = boxes();
        now.forEach((b, j) => {
            const a = first[k][j];
            const move = a ? Math.max(...[0, 1, 2, 3].map(n => Math.abs(a[n] - b[n]))) : 1e9;
            if (move > worst[0]) worst = [move, 'slide ' + (k + 1) + ': ' + b[4]];
        });
        const past = now.find(([l, t, w, h]) => w > 0 && h > 0 &&
            (t + h > innerHeight + 0.5 || l + w > innerWidth + 0.5 || t < -0.5));
        if (past) off.push([k + 1, past[4], past[1] + past[3], past[0] + past[2]]);
    }
    return [worst, off];
}"""

