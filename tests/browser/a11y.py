"""axe-core (WCAG 2.1 A/AA rules) on the built site and decks, offline.

The axe-core script is the copy bundled by the PyPI package ``axe-playwright-python``
(axe-core is MPL-2.0; the file is used unmodified, nothing is fetched). A deck is audited
in reveal.js's print view (``?print-pdf``), where every slide is laid out and visible at
once, so one run covers all its slides.

    python tests/browser/a11y.py build/site build/slides    # counts by rule and impact
"""
from __future__ import annotations

import collections
import functools
import http.server
import json
import sys
import threading
from pathlib import Path

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = ("serious", "critical")


def axe_source() -> str:
    import axe_playwright_python
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


RUN_AXE = """async (tags) => {
    const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                       resultTypes: ['violations']});
    return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                  summary: (n.failureSummary || '').slice(0, 200)}))}));
}"""


def run_axe(page) -> list[dict]:
    """The WCAG 2.1 A/AA violations on ``page`` (already loaded)."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=axe_source())
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in SERIOUS]


def summary(violations: list[dict]) -> collections.Counter:
    """Counter of (rule, impact) -> number of elements."""
    c = collections.Counter()
    for v in violations:
        c[v["id"], v["impact"]] += len(v["nodes"])
    return c


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(root: Path):
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def wait_rendered(page, deck: bool) -> None:
    """A deck: reveal.js has placed its slides (decks_common.wait_ready); a site page
    is ready once loaded (its maths is MathML typeset at build time)."""
    if deck:
        from decks_common import wait_ready
        wait_ready(page)


def audit(folders: list[Path]) -> dict:
    from browser_common import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright
    root = Path(folders[0]).resolve().parent
    server, base = serve(root)
    totals, per_page = collections.Counter(), {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for folder in folders:
            folder = Path(folder).resolve()
            for html in sorted(folder.glob("*.html")):
                deck = html.name.endswith(".slides.html")
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                url = f"{base}/{folder.name}/{html.name}" + ("?print-pdf" if deck else "")
                page.goto(url, wait_until="load")
                wait_rendered(page, deck)
                found = summary(run_axe(page))
                per_page[f"{folder.name}/{html.name}"] = dict(
                    (f"{k[0]} ({k[1]})", n) for k, n in sorted(found.items()))
                totals.update(found)
                page.close()
        browser.close()
    server.shutdown()
    return {"total": {f"{k[0]} ({k[1]})": n for k, n in sorted(totals.items())},
            "serious_or_critical": sum(n for k, n in totals.items() if k[1] in SERIOUS),
            "pages": per_page}


if __name__ == "__main__":
    print(json.dumps(audit([Path(a) for a in sys.argv[1:]]), indent=1))
