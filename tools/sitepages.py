"""What the web site adds to nbconvert's pages: a header with search and the page's deck,
notebook and handout, a table of contents, tables that scroll (with a cue) instead of
widening a phone's screen, and the search index.

nbconvert writes each page; :func:`decorate` rewrites it (plain string work on its HTML,
whose shape nbconvert's lab template fixes); :func:`search_index` collects the sections
of every page into ``search-index.js``, which ``site.js`` searches in the browser (no
server, works from ``file://``). Sizes and the scroll cue are in course_site.css.
"""
from __future__ import annotations

import html
import json
import re

HEADING = re.compile(r'<h([1-3]) id="([^"]+)">(.*?)<a class="anchor-link"[^>]*>[^<]*</a></h\1>', re.S)
TABLE = re.compile(r"(<table\b.*?</table>)", re.S)
TAG = re.compile(r"<[^>]+>")


def text_of(fragment: str) -> str:
    """The words of an HTML fragment; a formula (MathML) as the TeX it keeps as annotation."""
    fragment = re.sub(r"<math\b.*?<annotation[^>]*>(.*?)</annotation>.*?</math>", r" $\1$ ", fragment, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(TAG.sub(" ", fragment))).strip()


def headings(page: str) -> list[tuple[int, str, str]]:
    """(level, id, title html) of the page's h1-h3."""
    return [(int(m.group(1)), m.group(2), m.group(3).strip()) for m in HEADING.finditer(page)]


def toc(page: str) -> str:
    items = [f'<li class="toc-{level}"><a href="#{hid}">{title}</a></li>'
             for level, hid, title in headings(page) if level in (2, 3)]
    return ('<nav class="course-toc" aria-label="On this page"><details open>'
            '<summary>On this page</summary><ul>' + "".join(items) + "</ul></details></nav>")


def header(links: list[tuple[str, str]]) -> str:
    own = " ".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>' for href, label in links)
    return f"""<header class="course-header">
<a class="course-home" href="index.html">The AMSGrad course</a>
<span class="course-links">{own}</span>
{search_box()}
</header>"""


def search_box() -> str:
    return """<form class="course-search" role="search" onsubmit="return false">
<label for="course-search-input">Search the course</label>
<input id="course-search-input" type="search" autocomplete="off" placeholder="e.g. phase diagram">
<div id="course-search-results" aria-live="polite"></div>
</form>"""


def wrap_tables(page: str) -> str:
    """A table keeps its columns and scrolls sideways inside a focusable region."""
    return TABLE.sub(lambda m: '<div class="course-scroll" role="region" tabindex="0" '
                     'aria-label="Table (scrolls sideways when the screen is narrow)">'
                     + m.group(1) + "</div>", page)


def decorate(page: str, links: list[tuple[str, str]]) -> str:
    page = wrap_tables(page)
    page = page.replace("<main>", "<main>\n" + header(links) + "\n" + toc(page), 1)
    scripts = '<script src="search-index.js"></script>\n<script src="site.js"></script>\n'
    return page.replace("</body>", scripts + "</body>", 1)


def sections(page: str, url: str, title: str) -> list[dict]:
    """The page cut at its headings: one search entry a section."""
    body = page.split("<main>", 1)[-1]
    marks = list(HEADING.finditer(body))
    out = []
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(body)
        chunk = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|"
                       r'<details class="course-solution">.*?</details>', " ", body[m.end():end], flags=re.S)
        out.append({"page": title, "url": f"{url}#{m.group(2)}", "heading": text_of(m.group(3)),
                    "text": text_of(chunk)[:4000]})
    return out


ANSWER = re.compile(r"^\*\*Exercise (\d+)\.?\*\*", re.M)
ANSWER_TAG = "answer"


def fold_worked_answers(nb):
    """The Solutions section's worked answers folded away on the page, as its code already
    is: each markdown answer (from a line starting "**Exercise N.**") becomes a cell of its
    own, tagged ``answer``, that the template (course_lab) puts inside a closed
    ``<details>`` "Show the answer to Exercise N". The section's heading and introduction
    stay in sight. Returns a new notebook; ``nb`` is not changed."""
    import copy

    nb = copy.deepcopy(nb)
    cells, section = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            level2 = [ln[3:].strip() for ln in cell.source.splitlines() if ln.startswith("## ")]
            section = level2[-1] if level2 else section
        if section != "Solutions" or cell.cell_type != "markdown" or not ANSWER.search(cell.source):
            cells.append(cell)
            continue
        starts = [m.start() for m in ANSWER.finditer(cell.source)]
        head = cell.source[:starts[0]].strip()
        if head:
            lead = copy.deepcopy(cell)
            lead.source = head
            cells.append(lead)
        for k, start in enumerate(starts):
            part = copy.deepcopy(cell)
            part.source = cell.source[start:starts[k + 1] if k + 1 < len(starts) else None].strip()
            part["id"] = f"{cell.get('id', 'cell')}-answer{k}"
            part.metadata.setdefault("tags", []).append(ANSWER_TAG)
            part.metadata["course_answer"] = ANSWER.match(part.source).group(1)
            cells.append(part)
    nb.cells = cells
    return nb


def search_index(entries: list[dict]) -> str:
    return "window.COURSE_SEARCH = " + json.dumps(entries, ensure_ascii=True) + ";\n"
