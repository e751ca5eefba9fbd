"""The web site in headless Chromium, offline: every page at a desktop width and on a
phone (390 px), the search, the contents, the index's links, printing.

- no request leaves 127.0.0.1, no JavaScript error, every image loads, every formula
  typeset (MathML, no TeX left as typed);
- every page has a table of contents whose links land on its headings;
- the index links each page to its deck, its notebook (and its handout once built);
- the search finds a term that only notebook 05 explains, and lists that page;
- at 390 px nothing makes the page wider than the screen, and nothing lies past its edge
  except inside its own sideways-scrolling box (on every page): what is wider (formulas,
  tables, code) scrolls sideways in its own box, which shows a cue and takes keyboard
  focus; tables keep their columns; figures fit the width and enlarge on a tap or Enter;
- printed (print media), code wraps instead of being cut, and a table is kept whole.
"""
from __future__ import annotations

from browser_common import ARTIFACTS, BROWSER_MARKS, import_playwright
from decks_common import MATH_ERRORS

pytestmark = BROWSER_MARKS
import_playwright()          # skips the module without the playwright package

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _open(browser, base, path, viewport):
    page = browser.new_page(viewport=viewport)
    blocked, errors = [], []

    def route(r):
        if r.request.url.startswith((base + "/", "data:", "about:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/{path}", wait_until="load")
    page.wait_for_timeout(300)
    return page, blocked, errors


BROKEN_IMAGES = """() => Array.from(document.images)
    .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => (img.src || '').slice(0, 60))"""

PHONE_LAYOUT = """() => {
    const vw = document.documentElement.clientWidth, out = [];
    if (document.documentElement.scrollWidth > vw + 1)
        out.push('the page is ' + document.documentElement.scrollWidth + ' px wide');
    for (const el of document.querySelectorAll('main *')) {
        if (el.closest('.zoomed')) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0) continue;
        const st = getComputedStyle(el);
        const scrolls = /(auto|scroll)/.test(st.overflowX);
        if (el.scrollWidth > el.clientWidth + 1 && scrolls) {
            if (!el.classList.contains('scrolls')) out.push('no scroll cue: ' + el.className);
            if (el.tabIndex < 0) out.push('scroll box not focusable: ' + el.className);
        }
    }
    // nothing past the screen's edge unless inside a sideways-scrolling box that is on screen
    for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.right <= vw + 1 || el.closest('.zoomed')) continue;
        let a = el.parentElement;
        while (a && a !== document.body && !/(auto|scroll)/.test(getComputedStyle(a).overflowX)) a = a.parentElement;
        if (!a || a === document.body || a.getBoundingClientRect().right > vw + 1)
            out.push('cut at the screen edge: ' + el.tagName + '.' + el.className + ' ' + (el.textContent || '').slice(0, 30));
    }
    for (const img of document.querySelectorAll('.jp-RenderedImage img'))
        if (img.getBoundingClientRect().width > vw) out.push('figure wider than the screen');
    for (const t of document.querySelectorAll('main table')) {
        if (!t.closest('.course-scroll')) out.push('table outside a scroll box');
        else if (t.getBoundingClientRect().width + 1 < t.scrollWidth) out.push('table squeezed');
    }
    return out;
}"""  # noqa: E501  (JavaScript: wrapping its long lines would change the string)


def test_site_pages_desktop_and_phone(built, browser):
    root, base = built
    pages = sorted(p.name for p in (root / "site").glob("*.html") if p.name != "index.html")
    problems = []
    for name in pages:
        for viewport in (DESKTOP, PHONE):
            page, blocked, errors = _open(browser, base, f"site/{name}", viewport)
            where = f"{name} at {viewport['width']} px"
            problems += [f"{where}: request to {u}" for u in blocked]
            problems += [f"{where}: JavaScript error {e}" for e in errors]
            problems += [f"{where}: image did not load {b}" for b in page.evaluate(BROKEN_IMAGES)]
            problems += [f"{where}: maths not typeset: {e}" for e in page.evaluate(MATH_ERRORS)]
            toc = page.eval_on_selector_all(".course-toc a", "as => as.map(a => a.getAttribute('href'))")
            if len(toc) < 3:
                problems.append(f"{where}: table of contents has {len(toc)} entries")
            missing = page.evaluate("(ids) => ids.filter(h => !document.getElementById(h.slice(1)) "
                                    "&& !document.getElementById(decodeURIComponent(h.slice(1))))", toc)
            problems += [f"{where}: contents link {h} lands nowhere" for h in missing]
            if viewport is PHONE:
                problems += [f"{where}: {p}" for p in page.evaluate(PHONE_LAYOUT)]
                if name.startswith("04"):
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / "site_phone.png"))
            page.close()
    assert not problems, "\n".join(problems[:60])


def test_index_links_and_search(built, browser):
    root, base = built
    page, blocked, errors = _open(browser, base, "site/index.html", DESKTOP)
    pages = sorted(p.stem for p in (root / "site").glob("[0-9][0-9]_*.html"))
    for stem in pages:
        item = page.locator("ul.course-pages li", has=page.locator(f'a[href="{stem}.html"]'))
        hrefs = item.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert f"slides/{stem}.slides.html" in hrefs and f"notebooks/{stem}.ipynb" in hrefs, hrefs
        assert (root / "site" / "slides" / f"{stem}.slides.html").exists()
        assert (root / "site" / "notebooks" / f"{stem}.ipynb").exists()
    page.fill("#course-search-input", "Optax")           # the four forms: notebook 05 only
    page.wait_for_selector("#course-search-results li")
    results = page.eval_on_selector_all("#course-search-results li a", "as => as.map(a => a.getAttribute('href'))")
    assert any(r.startswith("05_amsgrad_from_scratch.html#") for r in results), results
    page.click("#course-search-results li a >> nth=0")
    page.wait_for_load_state("load")
    assert "#" in page.url and page.url.split("/")[-1].split("#")[0] in {r.split("#")[0] for r in results}
    page.fill("#course-search-input", "no such wordzz")
    assert page.inner_text("#course-search-results").startswith("0 sections")
    assert not blocked and not errors, (blocked, errors)
    page.close()


def test_figures_enlarge_and_print_wraps_code(built, browser):
    _, base = built
    page, _, _ = _open(browser, base, "site/05_amsgrad_from_scratch.html", PHONE)
    img = page.locator(".jp-RenderedImage img").first
    img.focus()
    page.keyboard.press("Enter")
    assert page.locator(".jp-RenderedImage.zoomed").count() == 1
    assert img.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert page.locator(".jp-RenderedImage.zoomed").count() == 0
    img.click()
    assert page.locator(".jp-RenderedImage.zoomed").count() == 1
    page.emulate_media(media="print")
    cut = page.evaluate("""() => Array.from(document.querySelectorAll('pre'))
        .filter(p => p.offsetParent !== null && p.scrollWidth > p.clientWidth + 1).length""")
    wraps = page.evaluate("() => getComputedStyle(document.querySelector('.jp-Cell pre')).whiteSpace")
    assert cut == 0 and wraps == "pre-wrap", (cut, wraps)
    page.close()
    # printed on A4 (less 12 mm margins: 718 CSS px), every table is whole: not broken
    # across pages, and its columns wrapped to the page's width instead of cut
    root, _ = built
    tables = []
    for name in sorted(p.name for p in (root / "site").glob("0*.html")):
        page, _, _ = _open(browser, base, f"site/{name}", {"width": 718, "height": 1047})
        page.emulate_media(media="print")
        tables += [[name] + t for t in page.evaluate("""() => Array.from(document.querySelectorAll('main table'))
            .map(t => [getComputedStyle(t).breakInside, t.scrollWidth <= t.closest('.course-scroll').clientWidth + 1])""")]  # noqa: E501
        page.close()
    assert tables and all(b == "avoid" and fits for _, b, fits in tables), tables
