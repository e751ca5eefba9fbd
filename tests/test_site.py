"""The static site and the slide decks build, and work offline (no browser needed).

Builds the whole site and one deck into a temporary folder with ``tools/build.py`` and
reads every page: no broken internal link (file or anchor), no image without data, no
script or style sheet from the network, no link left pointing at a notebook or README.
The browser test (tests/browser/test_slides_site_browser.py) checks the rendering itself.
"""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from build_common import build_with

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
DECK = "05_amsgrad_from_scratch"


class Page(HTMLParser):
    """The references and ids of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.resources, self.images, self.scripts = set(), [], [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag == "a" and a.get("href") is not None:
            self.links.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.resources.append(a["src"])
        elif tag == "link" and a.get("href"):
            self.resources.append(a["href"])
        elif tag == "img":
            self.images.append(a.get("src") or "")
        if tag == "script":
            self.scripts.append(a.get("type") or "")


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def problems_in(folder: Path, other_decks: bool = False) -> list[str]:
    """What is wrong in the pages of ``folder``; ``other_decks``: links to decks not built
    here are fine when their notebook exists."""
    pages = {p: parse(p) for p in folder.glob("*.html")}
    found = []
    for path, page in pages.items():
        name = path.name
        for url in page.resources:
            if is_remote(url):
                found.append(f"{name}: script or style sheet from the network: {url}")
            elif not (path.parent / unquote(urlsplit(url).path)).exists():
                found.append(f"{name}: missing local resource {url}")
        for src in page.images:
            if not src:
                found.append(f"{name}: <img> without src")
            elif src.startswith("data:"):
                if len(src.partition(",")[2]) < 100:
                    found.append(f"{name}: <img> with empty data")
            elif is_remote(src):
                found.append(f"{name}: image from the network: {src[:80]}")
            elif not (path.parent / unquote(urlsplit(src).path)).exists():
                found.append(f"{name}: missing image {src}")
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue                                  # external links are fine offline
            if parts.path.endswith((".ipynb", ".md")) and not parts.path.startswith("notebooks/"):
                found.append(f"{name}: link not rewritten: {href}")
                continue
            target = (path.parent / unquote(parts.path)) if parts.path else path
            if other_decks and parts.path.endswith(".slides.html") and not target.exists():
                if not (ROOT / "notebooks" / parts.path.replace(".slides.html", ".ipynb")).exists():
                    found.append(f"{name}: link to a deck of no notebook: {href}")
                continue
            if not target.exists():
                found.append(f"{name}: broken link {href}")
            elif (parts.fragment and target in pages  # nbconvert's ids keep their %-escapes
                  and not {parts.fragment, unquote(parts.fragment)} & pages[target].ids):
                found.append(f"{name}: link to a missing anchor {href}")
    return found


@pytest.fixture(scope="module")
def site(built_site):
    """The whole site, built once per session (tests/conftest.py; test_editions reads it too)."""
    return built_site


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    build_with("slides", out, f"{DECK}.ipynb")
    return out


def test_site_has_a_page_per_notebook_and_an_index(site):
    assert sorted(p.stem for p in site.glob("[0-9][0-9]_*.html")) == [p.stem for p in NOTEBOOKS]
    index = parse(site / "index.html")
    assert [h for h in index.links if h.endswith(".html") and "/" not in h] == \
        [f"{p.stem}.html" for p in NOTEBOOKS]
    for p in NOTEBOOKS:                       # each page's deck and notebook, next to it
        assert f"slides/{p.stem}.slides.html" in index.links
        assert f"notebooks/{p.stem}.ipynb" in index.links
        assert (site / "slides" / f"{p.stem}.slides.html").exists()
        assert (site / "notebooks" / p.name).exists()


def test_every_page_has_contents_search_and_its_links(site):
    for p in NOTEBOOKS:
        html = (site / f"{p.stem}.html").read_text()
        assert 'class="course-toc"' in html and 'id="course-search-input"' in html
        assert f'href="slides/{p.stem}.slides.html"' in html
    assert "window.COURSE_SEARCH" in (site / "search-index.js").read_text()


def test_site_links_images_and_resources(site):
    problems = problems_in(site)
    assert not problems, "\n".join(problems)


def test_site_navigation_is_rewritten(site):
    page = parse(site / NOTEBOOKS[1].with_suffix(".html").name)
    assert "index.html" in page.links                    # the "Contents" link
    assert f"{NOTEBOOKS[0].stem}.html" in page.links      # previous
    assert f"{NOTEBOOKS[2].stem}.html" in page.links      # next


def test_widget_output_falls_back_to_its_png(site):
    page = parse(site / "04_where_adam_fails.html")
    assert "application/vnd.jupyter.widget-view+json" not in page.scripts
    assert "application/vnd.jupyter.widget-state+json" not in page.scripts


def test_deck_uses_the_local_reveal_js(deck):
    page = parse(deck / f"{DECK}.slides.html")
    assert "reveal.js/dist/reveal.js" in page.resources
    assert "reveal.js/dist/reveal.css" in page.resources
    problems = problems_in(deck, other_decks=True)
    assert not problems, "\n".join(problems)
    html = (deck / f"{DECK}.slides.html").read_text()
    assert html.count("<section") > 10
    assert "require(" not in html and "jquery" not in html.lower()


def test_every_formula_is_typeset_when_built():
    """Every formula the decks and the site show (the notebooks' markdown, the lecture decks,
    the speaker notes) converts to MathML (tools/build.py, math-core): one that cannot be
    converted is named here, and no TeX is left in the HTML for a script to typeset."""
    import re

    import nbformat
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    from tools import build, decks
    sources = [(f"{p.stem} {c.get('id')}", c.source) for p in NOTEBOOKS
               for c in nbformat.read(p, as_version=4).cells if c.cell_type == "markdown"]
    sources += [(f"{p.stem} slide {s['number']}", decks.REF.sub("", s["body"] + "\n\n" + s["notes"]))
                for p in decks.sources() for s in decks.parse(p)[1]]
    sources += [(p.name, p.read_text()) for p in sorted((ROOT / "lecturer" / "notes").glob("*.md"))]
    failed, formulas = [], 0
    for where, src in sources:
        try:
            out = MarkdownWithMath(renderer=build.MathMLRenderer(escape=False)).render(src)
        except build.MathError as e:
            failed.append(f"{where}: {e}")
            continue
        formulas += out.count("<math")
        text = re.sub(r"<pre.*?</pre>|<code>.*?</code>|<annotation.*?</annotation>", "", out, flags=re.S)
        if re.search(r"\$[^$\s]|\\(frac|sqrt|beta|alpha|hat)\b", text):
            failed.append(f"{where}: TeX left as typed: {text[:120]!r}")
    assert not failed, "\n".join(failed)
    assert formulas >= 1900, formulas        # every notebook's maths was walked


def test_a_formula_that_cannot_be_typeset_stops_the_build_naming_it():
    from tools import build
    with pytest.raises(build.MathError, match=r"frac\{1\}\{"):
        build.mathml(r"\frac{1}{", display=False)
    # TeX's backslash at the end of a line is a space, not an unknown command
    assert "<math" in build.mathml("a,\\\nb", display=True)
