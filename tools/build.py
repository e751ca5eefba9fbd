#!/usr/bin/env python3
"""Build the course's slide decks and static web site from the executed notebooks.

    python -m tools.build slides [--out build/slides] [NB ...]   # one reveal.js deck each
    python -m tools.build site   [--out build/site]   [NB ...]   # index.html + one page each
    python -m tools.build handouts [--out build/site/handouts] [NB ...]  # one PDF per deck
    python -m tools.build lectures [--out build/lecturer/decks] [NAME ...]  # lecture decks
    python -m tools.build lecture-handouts [--out build/lecturer/handouts] [NAME ...]

Both use the outputs stored in the notebooks (``nbtool.py execute`` refreshes them); nothing
is executed here. Everything works offline: reveal.js comes from ``tools/vendor/reveal.js``
(copied next to the decks), the maths is MathML typeset when the page is built (math-core:
the browser draws it natively, no script), and the templates in ``tools/templates`` leave out what nbconvert's
templates would load from CDNs (jQuery, require.js, mermaid, the widget manager). Widget
outputs show the PNG stored with them.

The decks of ``slides`` are the lecturer's: built from the lecturer copy of each notebook
(``tools/lecturer.py``: the speaker notes of ``lecturer/notes`` merged back), so the
speaker view (``s``) has every note. The site, its decks and the handouts are public:
built from the notebooks as they are, without notes.

Slides follow the slide metadata that ``nbtool.py generate`` stores (rules in
``tools/slides.py``), re-applied here so a deck is right even before ``generate`` ran; the
layout is then fitted to a 1280x720 screen (``slides.layout_for_projection``).
"""
from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import nbformat
from jinja2 import pass_context
from nbconvert import HTMLExporter, SlidesExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from traitlets.config import Config

from tools import lecturer, nbtool, sitepages, slides

try:
    from math_core import LatexError, LatexToMathML
except ImportError as missing:       # the site extra, which `make` installs
    raise ImportError("building decks and the site needs math-core: pip install -e '.[site]'") from missing

TOOLS = Path(__file__).resolve().parent

ROOT = TOOLS.parent
TEMPLATES = TOOLS / "templates"
REVEAL_SRC = TOOLS / "vendor" / "reveal.js"
REVEAL_DIR = "reveal.js"       # next to the decks
# PNG before the widget view: without the widget manager (a CDN script) a widget cannot
# draw itself, and the explorer in notebook 04 stores a PNG of its first state.
DISPLAY_PRIORITY = ["image/png", "image/jpeg", "image/svg+xml", "text/html", "text/markdown",
                    "text/latex", "application/vnd.jupyter.widget-view+json",
                    "application/javascript", "text/plain"]
NB_LINK = re.compile(r'href="(\d\d_[A-Za-z0-9_]+)\.ipynb(#[^"]*)?"')
CONTENTS_LINK = re.compile(r'href="\.\./README\.md(#[^"]*)?"')
EXTERNAL_IMG = re.compile(r'<img\b[^>]*\bsrc="https?://[^"]*"[^>]*>', re.I)


# ----------------------------------------------------------------------------- shared
A11Y_CSS = TEMPLATES / "course_common" / "a11y.css"


def site_css() -> str:
    return (TEMPLATES / "course_lab" / "static" / "course_site.css").read_text() + A11Y_CSS.read_text()


class MathError(ValueError):
    pass


TEX = LatexToMathML(annotation=True, fancy_error=False)
CONTROL_SPACE = re.compile(r"(?<!\\)\\\n")     # TeX: a backslash ending a line is a space


def mathml(tex: str, display: bool) -> str:
    """TeX as MathML Core, typeset once when the page is built (math-core): the browser
    draws it natively, no script runs and nothing moves once the page is shown. A display
    formula gets a box of its own (course CSS: it scrolls sideways on the site, is scaled
    to fit on a slide). A formula that cannot be converted stops the build, named."""
    try:
        out = TEX.convert_with_local_state(CONTROL_SPACE.sub(r"\\ ", tex.strip()), displaystyle=display)
    except LatexError as e:
        raise MathError(f"cannot typeset {'$$' if display else '$'}{tex.strip()}: {e}") from None
    return f'<span class="course-math">{out}</span>' if display else out


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer with the maths as MathML (it leaves the TeX for MathJax)."""

    def block_math(self, body: str) -> str:
        return mathml(body, True)

    def inline_math(self, body: str) -> str:
        return mathml(body, False)

    def latex_environment(self, name: str, body: str) -> str:
        return mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", True)

    def block_html(self, html_: str) -> str:        # a continued slide's heading (slides.py)
        return super().block_html(INLINE_TEX.sub(lambda m: mathml(m.group(1), False), html_))


INLINE_TEX = re.compile(r"(?<![\\$])\$([^$]+)\$")


class MathMLMixin:
    @pass_context
    def markdown2html(self, context, source):
        cell = context.get("cell", {})
        renderer = MathMLRenderer(
            escape=False, attachments=cell.get("attachments", {}), embed_images=self.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=self.anchor_link_text, exclude_anchor_links=self.exclude_anchor_links)
        return MarkdownWithMath(renderer=renderer).render(source)


class PageExporter(MathMLMixin, HTMLExporter):
    pass


class DeckExporter(MathMLMixin, SlidesExporter):
    """A slide does not scroll: a display formula wider than the slide is drawn smaller."""

    def from_notebook_node(self, nb, resources=None, **kw):
        body, res = super().from_notebook_node(nb, resources, **kw)
        return DISPLAY.sub(_fit_display, body), res


DISPLAY = re.compile(r'<span class="course-math">(<math.*?</math>)</span>', re.S)
DISPLAY_EM = 36.0          # a display formula's room on a slide, in em of its text (1180 px at 32 px)
SCRIPTS = ("msub", "msup", "msubsup", "munder", "mover", "munderover")


def math_em(e) -> float:
    """About how wide MathML element ``e`` is drawn, in em (an over-estimate: measured in
    Chromium on the course's formulas, the real width is 0.83 to 1.2 times this)."""
    if e.tag in ("mi", "mn", "mtext", "mo"):
        spaced = e.tag == "mo" and e.get("lspace") != "0" and (e.text or "") not in "()[]|"
        return (0.55 * len(e.text or "") + 0.5 * spaced) / 0.83
    if e.tag == "mspace":
        return float(re.match(r"[\d.]*", e.get("width", "")).group() or 0)
    kids = [math_em(k) for k in e if k.tag != "annotation"] or [0.0]
    if e.tag == "mfrac":
        return max(kids) + 0.2
    if e.tag in SCRIPTS:
        side = e.tag.startswith(("msub", "msup"))      # scripts beside the base, not over it
        return kids[0] + 0.7 * max(kids[1:]) if side else max(kids[0], 0.7 * max(kids[1:]))
    if e.tag == "mtable":
        return max(sum(math_em(c) + 0.6 for c in row) for row in e)
    return sum(kids) + (1.0 if e.tag == "msqrt" else 0.0)


def _fit_display(m: re.Match) -> str:
    xml = re.sub(r"&(?!lt;|gt;|amp;|quot;)\w+;", lambda e: html.unescape(e.group(0)), m.group(1))
    scale = min(1.0, DISPLAY_EM / math_em(ElementTree.fromstring(xml)))
    style = f' style="font-size: {scale:.0%}"' if scale < 1 else ""
    return f'<span class="course-math"{style}>{m.group(1)}</span>'


def deck_source(path: Path, notes: bool):
    """The notebook a deck is built from: the lecturer copy (speaker notes merged back from
    lecturer/notes, tools/lecturer.py) for the lecturer's decks, the notebook as it is for
    the public site's."""
    nb = read(path)
    if notes and not any(slides.is_notes(c) for c in nb.cells):   # not a lecturer copy already
        nb = lecturer.lecturer_copy(nb, path.stem)
    if not notes:
        nb = without_solutions(nb, path.stem)
    return nb


def without_solutions(nb, stem: str):
    """A public deck has no worked answers on screen (a slide cannot fold them as the
    site's page does): the Solutions section, up to the next level-2 heading, becomes one
    slide that points to the notebook's page, where they are folded."""
    cells, dropping = [], False
    for cell in nb.cells:
        first = cell.source.lstrip().split("\n", 1)[0] if cell.cell_type == "markdown" else ""
        if first.startswith("## "):
            dropping = first[3:].strip() == "Solutions"
            if dropping:
                pointer = nbformat.v4.new_markdown_cell(
                    f"## Solutions\n\nThe worked solutions are on [this notebook's page](../{stem}.html), "
                    "folded: try the exercises first.")
                pointer["id"] = cell.get("id", "solutions")
                cells.append(pointer)
                continue
        if not dropping:
            cells.append(cell)
    nb.cells = cells     # nb is read() afresh for each deck
    return nb


def select(names: list[str]) -> list[Path]:
    if not names:
        return nbtool.notebooks()
    return [Path(n).resolve() if Path(n).exists() else nbtool.NB_DIR / n for n in names]


def read(path: Path):
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)   # widget state: useless without the widget manager
    return nb


def _img_as_text(match: re.Match) -> str:
    alt = re.search(r'\balt="([^"]*)"', match.group(0))
    return f'<span class="course-badge">{alt.group(1) if alt else "link"}</span>'


def rewrite_links(text: str, page_suffix: str) -> str:
    """Notebook links to their pages, the contents link to index.html, no remote images."""
    text = NB_LINK.sub(lambda m: f'href="{m.group(1)}{page_suffix}{m.group(2) or ""}"', text)
    text = CONTENTS_LINK.sub('href="index.html"', text)
    return EXTERNAL_IMG.sub(_img_as_text, text)


def exporter_config() -> Config:
    c = Config()
    c.NbConvertBase.display_data_priority = DISPLAY_PRIORITY
    c.TemplateExporter.extra_template_basedirs = [str(TEMPLATES)]
    c.TemplateExporter.extra_template_paths = [str(TEMPLATES)]  # for course_common/
    return c


def write_index(out: Path, entries: list[tuple[str, str, list[tuple[str, str]]]], heading: str,
                intro: str, css: str, search: bool = False) -> None:
    """index.html: one entry a notebook (its title, then the links that go with it)."""
    items = "\n".join(
        f'  <li><a href="{html.escape(href)}">{html.escape(title)}</a>'
        + (f'<span class="course-links">'
           f'{" ".join(f"<a href={chr(34)}{html.escape(h)}{chr(34)}>{html.escape(t)}</a>" for h, t in links)}'
           '</span>' if links else "")
        + "</li>"
        for href, title, links in entries)
    extra = sitepages.search_box() if search else ""
    scripts = '<script src="search-index.js"></script>\n<script src="site.js"></script>' if search else ""
    out.joinpath("index.html").write_text(f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(heading)}</title>
<style type="text/css">
{css}
</style>
</head>
<body class="course-index jp-Notebook">
<main>
<h1 id="contents">{html.escape(heading)}</h1>
{intro}
{extra}
<ul class="course-pages">
{items}
</ul>
</main>
{scripts}
</body>
</html>
""")


COURSE_INTRO = """<p>An open course on Adam, why it can fail to converge, and how AMSGrad fixes
it: from gradient descent to a PyTorch model, each algorithm in the paper's equations, built
from scratch and checked against a reference implementation.</p>
<p>These pages are the course's Jupyter notebooks as executed, outputs and figures
included. To run and change the code, open the notebooks themselves (in JupyterLab,
Colab or Binder: see the repository's README). Start with notebook 00.</p>"""


# ----------------------------------------------------------------------------- site
def page_links(out: Path, stem: str) -> list[tuple[str, str]]:
    """The deck, the notebook and (once `make handouts` has written it) the handout of a page."""
    links = [(f"slides/{stem}.slides.html", "slides"), (f"notebooks/{stem}.ipynb", "notebook")]
    if (out / "handouts" / f"{stem}.pdf").exists():
        links.append((f"handouts/{stem}.pdf", "handout (PDF)"))
    return links


def build_site(out: Path, names: list[str]) -> list[Path]:
    """The pages, with the decks in out/slides and the notebooks in out/notebooks (the
    index links each page to both, and to its handout in out/handouts when built)."""
    out.mkdir(parents=True, exist_ok=True)
    css = site_css()
    exporter = PageExporter(config=exporter_config(), template_name="course_lab")
    written, entries, index = [], [], []
    paths = select(names)
    build_slides(out / "slides", [str(p) for p in paths], notes=False)   # public: no notes
    (out / "notebooks").mkdir(exist_ok=True)
    shutil.copy2(TEMPLATES / "course_lab" / "static" / "site.js", out / "site.js")
    for path in paths:
        start = time.perf_counter()
        nb = sitepages.fold_worked_answers(read(path))
        shutil.copy2(path, out / "notebooks" / path.name)
        body, _ = exporter.from_notebook_node(nb, resources={
            "metadata": {"name": nbtool.title_of(nb)},
            "course_css": css})
        page = out / f"{path.stem}.html"
        links = page_links(out, path.stem)
        body = sitepages.decorate(rewrite_links(body, ".html"), links)
        page.write_text(body)
        index += sitepages.sections(body, page.name, f"{path.stem[:2]} {nbtool.title_of(nb)}")
        written.append(page)
        entries.append((page.name, f"{path.stem[:2]} {nbtool.title_of(nb)}", links))
        print(f"{page.relative_to(out.parent) if out.parent in page.parents else page}: "
              f"{time.perf_counter() - start:.1f} s")
    (out / "search-index.js").write_text(sitepages.search_index(index))
    write_index(out, entries, "The AMSGrad course", COURSE_INTRO, css, search=True)
    return written


# ----------------------------------------------------------------------------- slides
def deck_exporter(out: Path) -> tuple[SlidesExporter, dict]:
    """reveal.js copied into ``out``; the exporter and the resources for a deck."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REVEAL_SRC, out / REVEAL_DIR, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("README.md"))
    css = (TEMPLATES / "course_reveal" / "static" / "course_slides.css").read_text() + A11Y_CSS.read_text()
    config = exporter_config()
    config.SlidesExporter.reveal_url_prefix = REVEAL_DIR
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.reveal_width = str(slides.SLIDE_W)
    config.SlidesExporter.reveal_height = str(slides.SLIDE_H)
    return DeckExporter(config=config, template_name="course_reveal"), {"course_css": css}


def build_slides(out: Path, names: list[str], notes: bool = True) -> list[Path]:
    """One deck per notebook; ``notes``: with the lecturer's speaker notes (press s)."""
    exporter, res = deck_exporter(out)
    written, entries = [], []
    for path in select(names):
        start = time.perf_counter()
        nb = slides.layout_for_projection(slides.apply_slide_metadata(deck_source(path, notes)))
        body, _ = exporter.from_notebook_node(nb, resources={
            "metadata": {"name": nbtool.title_of(nb)}, **res})
        deck = out / f"{path.stem}.slides.html"
        deck.write_text(rewrite_links(body, ".slides.html"))
        written.append(deck)
        entries.append((deck.name, f"{path.stem[:2]} {nbtool.title_of(nb)}"))
        print(f"{deck.name}: {time.perf_counter() - start:.1f} s")
        for line in slides.slide_report(nb):
            print(f"  may not fit its slide, split it in the source? {line}")
    keys = ("Keys: <kbd>&rarr;</kbd>, <kbd>Space</kbd>, <kbd>Page Down</kbd> or <kbd>n</kbd> "
            "for the next slide (every slide, in order; <kbd>&larr;</kbd> or <kbd>p</kbd> back), ")
    if notes:
        intro = ("<p>The course's notebooks as reveal.js slide decks, for a 1280x720 projector. "
                 + keys + "<kbd>s</kbd> for the speaker view (notes, timer, next slide), <kbd>f</kbd> "
                 "for full screen, <kbd>Esc</kbd> for the overview. Handouts: <code>make handouts</code> "
                 "(one PDF per deck).</p>")
    else:   # the public site's decks: nothing about notes or the lecturer's commands
        intro = ("<p>The course's notebooks as slides, one deck per notebook. " + keys
                 + "<kbd>f</kbd> for full screen, <kbd>Esc</kbd> for an overview of all slides. "
                 "The worked solutions are on each notebook's page, folded.</p>")
    write_index(out, [(h, t, []) for h, t in entries], "The AMSGrad course: slides", intro,
                site_css())
    return written


def build_lectures(out: Path, names: list[str]) -> list[Path]:
    """The designed lecture decks (lecturer/decks, tools/decks.py): lecturer-only, speaker
    notes included, so built under build/lecturer and never linked from the site."""
    from tools import decks
    exporter, res = deck_exporter(out)
    written = []
    for path in [decks.DECKS / f"{Path(n).stem}.md" for n in names] or decks.sources():
        nb = decks.load(path)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": nb.metadata.title}, **res})
        deck = out / f"{path.stem}.slides.html"
        deck.write_text(body)
        written.append(deck)
        print(f"{deck.name}: {sum(c.metadata.slideshow.slide_type == 'slide' for c in nb.cells)} slides")
    return written


# ----------------------------------------------------------------------------- handouts
# Handouts: A4 portrait, three slides a page down the left, ruled lines for notes beside
# each, 12 mm margins (in PDF points: 1 mm = 72 / 25.4 pt).
A4_W, A4_H, MM = 595.28, 841.89, 72 / 25.4
PER_PAGE, MARGIN, SLIDE_PT_W = 3, 12 * MM, 300.0
# reveal.js has laid every slide out in a page of its own (?print-pdf)
PRINT_READY = "() => document.querySelector('.reveal.ready') && document.querySelector('.pdf-page')"
RULED = """<!DOCTYPE html><html><head><style>@page {{ size: A4; margin: 0 }}
body {{ margin: 0 }} div {{ position: absolute; box-sizing: border-box }}</style></head>
<body>{}</body></html>"""


def _slot(k: int) -> tuple[float, float, float]:
    """(x, y from the bottom, scale) of the k-th slide of a handout page, in points."""
    row_h = (A4_H - 2 * MARGIN) / PER_PAGE
    scale = SLIDE_PT_W / (slides.SLIDE_W * 0.75)          # a printed px is 0.75 pt
    top = MARGIN + k * row_h
    return MARGIN, A4_H - top - slides.SLIDE_H * 0.75 * scale, scale


def _ruled_page(page) -> bytes:
    """One A4 page: a frame where each slide goes and ruled lines for notes beside it."""
    px = 96 / 72                                            # CSS px a point
    boxes = []
    for k in range(PER_PAGE):
        x, y, scale = _slot(k)
        w, h = SLIDE_PT_W, slides.SLIDE_H * 0.75 * scale
        top = A4_H - y - h
        boxes.append(f'<div style="left:{x * px}px;top:{top * px}px;width:{w * px}px;'
                     f'height:{h * px}px;border:1px solid #999"></div>')
        left, right = x + w + 6 * MM, A4_W - MARGIN
        for j in range(1, int((A4_H - 2 * MARGIN) / PER_PAGE / (8 * MM))):
            boxes.append(f'<div style="left:{left * px}px;top:{(top + j * 8 * MM) * px}px;'
                         f'width:{(right - left) * px}px;border-top:1px solid #bbb"></div>')
    page.set_content(RULED.format("".join(boxes)))
    return page.pdf(format="A4", margin={"top": "0", "bottom": "0", "left": "0", "right": "0"})


def n_up(slides_pdf: Path, ruled: bytes, out: Path) -> int:
    """The deck's one-slide pages, PER_PAGE to an A4 page over the ruled background (pypdf;
    the slides stay vector, their text searchable). Returns the number of pages."""
    import io

    from pypdf import PdfReader, PdfWriter, Transformation
    src, background = PdfReader(slides_pdf), PdfReader(io.BytesIO(ruled)).pages[0]
    writer = PdfWriter()
    for first in range(0, len(src.pages), PER_PAGE):
        page = writer.add_blank_page(A4_W, A4_H)
        page.merge_page(background)
        for k, slide in enumerate(src.pages[first:first + PER_PAGE]):
            x, y, _ = _slot(k)
            scale = SLIDE_PT_W / float(slide.mediabox.width)
            page.merge_transformed_page(slide, Transformation().scale(scale).translate(x, y))
    with open(out, "wb") as f:
        writer.write(f)
    return len(writer.pages)


def build_handouts(out: Path, names: list[str], lectures: bool = False) -> list[Path]:
    """One PDF per deck (``lectures``: per lecture deck, lecturer/decks): three slides an A4
    page with ruled lines for notes beside them, 12 mm margins, no speaker notes. The decks'
    handouts are public (build/site/handouts); the lecture decks' are the lecturer's
    (build/lecturer/handouts: their question and answer slides are what LECTURERS.md keeps
    from learners). Each deck is printed a page a slide by reveal.js's print view
    (?print-pdf) in headless Chromium (Playwright), offline (served from 127.0.0.1), then put
    three to a page (pypdf). Needs the playwright package and Chromium (Debian's
    /usr/bin/chromium, or AMSLIB_CHROMIUM)."""
    import functools
    import http.server
    import os
    import tempfile
    import threading
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("make handouts needs the playwright package: pip install -e '.[browser]'")
    chromium = os.environ.get("AMSLIB_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        sys.exit(f"make handouts needs Chromium at {chromium} (apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="handouts-"))
    decks = build_lectures(tmp / "slides", names) if lectures else \
        build_slides(tmp / "slides", names, notes=False)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp / "slides")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    written = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"])
            ruled = _ruled_page(browser.new_page())
            for deck in decks:
                start = time.perf_counter()
                page = browser.new_page(viewport={"width": slides.SLIDE_W, "height": slides.SLIDE_H})
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                    (base, "data:")) else r.abort())
                page.goto(f"{base}/{deck.name}?print-pdf", wait_until="load")
                page.wait_for_function(PRINT_READY, timeout=180000)
                one = tmp / deck.name.replace(".slides.html", ".slides.pdf")
                page.pdf(path=str(one), width=f"{slides.SLIDE_W}px", height=f"{slides.SLIDE_H}px",
                         print_background=True, margin={"top": "0", "bottom": "0",
                                                        "left": "0", "right": "0"})
                page.close()
                pdf = out / deck.name.replace(".slides.html", ".pdf")
                pages = n_up(one, ruled, pdf)
                written.append(pdf)
                print(f"{pdf.name}: {pages} pages, {time.perf_counter() - start:.1f} s")
            browser.close()
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["slides", "site", "handouts", "lectures", "lecture-handouts"])
    parser.add_argument("notebooks", nargs="*", help="names or paths (default: all)")
    parser.add_argument("--out", type=Path, help="default: build/slides or build/site")
    args = parser.parse_intermixed_args(argv)
    default = ROOT / "build" / {"handouts": "site/handouts", "lectures": "lecturer/decks",
                                "lecture-handouts": "lecturer/handouts"}.get(args.what, args.what)
    out = (args.out or default).resolve()
    start = time.perf_counter()
    build = {"slides": build_slides, "site": build_site, "handouts": build_handouts,
             "lectures": build_lectures,
             "lecture-handouts": lambda out, names: build_handouts(out, names, lectures=True)}[args.what]
    written = build(out, args.notebooks)
    what = {"lectures": "lecture decks", "site": "pages", "slides": "decks"}.get(args.what, "PDFs")
    first = out / "index.html" if (out / "index.html").exists() else written[0]   # lectures: no index
    print(f"{len(written)} {what} in {out} ({time.perf_counter() - start:.1f} s); open {first}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
