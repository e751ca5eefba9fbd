"""axe-core (WCAG 2.1 A and AA rules) on every page of the site and every deck, offline.

The axe-core script is the copy bundled by the PyPI package axe-playwright-python (see
a11y.py); nothing is fetched. A deck is checked in its print view, where all its slides
are laid out and visible, so one run covers every slide. Fails on any serious or critical
violation, on any figure without alt text, and on any formula not typeset (TeX left as
typed). Counts by rule are written to
artifacts/browser/axe.json.
"""
from __future__ import annotations

import json

from a11y import run_axe, serious, summary, wait_rendered
from browser_common import ARTIFACTS, BROWSER_MARKS, import_playwright
from decks_common import MATH_ERRORS

pytestmark = BROWSER_MARKS
import_playwright()          # skips the module without the playwright package

MISSING_ALT = """() => Array.from(document.querySelectorAll('img')).filter(i => {
    const alt = (i.getAttribute('alt') || '').trim();
    return !alt || /No description/.test(alt); }).map(i => (i.getAttribute('src') || '').slice(0, 40))"""


def _pages(root):
    site = sorted((root / "site").glob("*.html"))
    decks = sorted((root / "slides").glob("*.slides.html"))
    return [("site/" + p.name, False) for p in site] + [("slides/" + p.name, True) for p in decks]


def test_axe_core_finds_no_serious_violation_on_any_page_or_deck(built, browser):
    root, base = built
    counts, problems = {}, []
    for rel, deck in _pages(root):
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{base}/{rel}" + ("?print-pdf" if deck else ""), wait_until="load")
        wait_rendered(page, deck)
        found = run_axe(page)
        counts[rel] = {f"{rule} ({impact})": n for (rule, impact), n in sorted(summary(found).items())}
        for v in serious(found):
            problems.append(f"{rel}: {v['id']} ({v['impact']}) on {len(v['nodes'])} elements, "
                            f"e.g. {v['nodes'][0]['html'][:100]}")
        problems += [f"{rel}: figure without alt text ({src})" for src in page.evaluate(MISSING_ALT)]
        problems += [f"{rel}: a formula not typeset: {e}" for e in page.evaluate(MATH_ERRORS)]
        page.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe.json").write_text(json.dumps(counts, indent=1))
    print(json.dumps(counts, indent=1))
    assert not problems, "\n".join(problems)
