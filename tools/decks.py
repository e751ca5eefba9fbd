"""Designed lecture decks: ``lecturer/decks/NAME.md``, one deck per planned lecture, built to
reveal.js with the course's slide template (``python -m tools.build lectures``).

A source is a short header (``title:``, ``plan:``) and then slides, separated by a line
``---``. A slide is, in order: its title (``## `` a claim, one line), its body (the words
the room needs, and ONE figure, table, derivation or printed output), and after a line
``Notes (N min):`` the speaker notes and the minutes the slide takes. A question to the room
is a slide whose title starts ``Question:``; the next slide's title starts ``Answer:``.

Figures and numbers are never pasted; they come from the notebooks' stored outputs:

    {{figure 04:c024}}                 the cell's stored PNG (on a line of its own), sized to
                                       fill what the title and the reading leave of the slide
    {{output 04:c023 "x_T"}}           the lines of the cell's printed output containing "x_T"
    {{number 04:c023 "Adam +x_T = (\\S+)"}}   the group of a regular expression, inline

``lecturer/decks/outputs.lock.json`` holds a fingerprint of every referenced output: the
build fails when a referenced cell or output is gone, or has changed since the author last
read it (``python -m tools.decks --accept`` after checking the slides that cite it).
The decks are the lecturer's: they are built under ``build/lecturer``, never into the site
or the student edition.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from pathlib import Path

import nbformat

from tools import slides

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent

DECKS = ROOT / "lecturer" / "decks"
LOCK = DECKS / "outputs.lock.json"
MAX_SLIDES = 50
REF = re.compile(r'\{\{(figure|output|number) (\d\d):(c\d{3})(?: "((?:[^"\\]|\\.)*)")?\}\}')
NOTES = re.compile(r"^Notes \((\d+(?:\.\d+)?) min\):\s*$", re.M)
PROSE_PX, READING_PX, TITLE_PX = 32, 28, 40   # the lecture decks' type (course_slides.css)
FIGURE_BUDGET_H = 690     # a figure slide: 720 less the 20 px top padding and some slack


class DeckError(ValueError):
    pass


def parse(path: Path) -> tuple[dict, list[dict]]:
    """(header, slides): each slide a dict of title, body, notes, minutes."""
    blocks = re.split(r"^---\s*$", path.read_text(), flags=re.M)
    header = dict(re.findall(r"^(\w+):\s*(.+)$", blocks[0], flags=re.M))
    out = []
    for k, block in enumerate(blocks[1:], 1):
        lines = block.strip("\n").splitlines()
        if not lines or not lines[0].startswith("## "):
            raise DeckError(f"{path.name} slide {k}: starts with '## title', not {lines[:1]}")
        rest = "\n".join(lines[1:])
        m = NOTES.search(rest)
        if not m:
            raise DeckError(f"{path.name} slide {k}: no 'Notes (N min):' line")
        out.append({"title": lines[0][3:].strip(), "body": rest[:m.start()].strip(),
                    "notes": rest[m.end():].strip(), "minutes": float(m.group(1)), "number": k})
    return header, out


# ----------------------------------------------------------------------------- references
_NB: dict[str, dict] = {}


def cell(nb: str, cid: str):
    if nb not in _NB:
        path = next((ROOT / "notebooks").glob(f"{nb}_*.ipynb"), None)
        if path is None:
            raise DeckError(f"no notebook {nb}")
        _NB[nb] = {c.get("id"): c for c in nbformat.read(path, as_version=4).cells}
    if cid not in _NB[nb]:
        raise DeckError(f"{nb}:{cid}: no such cell (was it removed?)")
    return _NB[nb][cid]


def text_of(c) -> str:
    parts = []
    for o in c.get("outputs", []):
        if o.get("output_type") == "stream":
            parts.append(slides._stream_text(o))
        elif "text/plain" in o.get("data", {}) and "image/png" not in o.get("data", {}):
            parts.append(o["data"]["text/plain"] + "\n")
    return "".join(parts)


def resolve(kind: str, nb: str, cid: str, arg: str | None):
    """The referenced content: a (png base64, alt) pair, or text. Raises DeckError when gone."""
    c = cell(nb, cid)
    where = f"{{{{{kind} {nb}:{cid}{' ' + repr(arg) if arg else ''}}}}}"
    if kind == "figure":
        pngs = [o["data"]["image/png"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
        if not pngs:
            raise DeckError(f"{where}: the cell has no stored figure")
        return pngs[0], c.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
    text = text_of(c)
    if kind == "output":
        lines = [ln for ln in text.rstrip("\n").split("\n") if arg is None or arg in ln]
        if not lines or not "".join(lines).strip():
            raise DeckError(f"{where}: no such line in the stored output")
        return "\n".join(lines)
    m = re.search(arg.replace('\\"', '"'), text)
    if not m:
        raise DeckError(f"{where}: the stored output no longer matches")
    return m.group(1)


def fingerprint(value) -> str:
    data = value[0] if isinstance(value, tuple) else value
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def references(deck_slides: list[dict]):
    for s in deck_slides:
        for m in REF.finditer(s["body"]):
            yield s, m


# ----------------------------------------------------------------------------- layout
def _text_h(md: str, px: float = PROSE_PX) -> float:
    """Height in slide px of a few lines of markdown at the lecture decks' sizes (CSS:
    course_reveal/static/course_slides.css, the celltag_lecture rules)."""
    h = 0.0
    for para in [p for p in re.split(r"\n\s*\n", md) if p.strip()]:
        if para.startswith("## "):
            h += TITLE_PX * 1.2 * math.ceil(len(slides._visible(para[3:])) / (1240 / (TITLE_PX * 0.5))) + 12
        else:
            chars = 1240 / (px * 0.5)
            h += sum(math.ceil(len(slides._visible(ln)) / chars) for ln in para.splitlines()) * px * 1.35 + px * 0.5
    return h


def to_cells(deck_slides: list[dict]) -> list:
    """The deck as notebook cells for nbconvert's reveal exporter (course_reveal template):
    a markdown cell a slide (a figure: the words above it, the figure, the words below)."""
    v4 = nbformat.v4
    cells = []
    for s in deck_slides:
        body = s["body"]
        fig = next((m for m in REF.finditer(body) if m.group(1) == "figure"), None)
        parts = [body[:fig.start()], body[fig.end():]] if fig else [body]
        parts = [REF.sub(_inline, p).strip() for p in parts]
        head = v4.new_markdown_cell(f"## {s['title']}\n\n{parts[0]}".strip())
        head.metadata.update({"slideshow": {"slide_type": "slide"}, "tags": ["lecture"] + (
            ["question"] if s["title"].startswith(("Question", "Vote")) else [])})
        cells.append(head)
        if fig:
            png, alt = resolve("figure", fig.group(2), fig.group(3), None)
            used = _text_h(f"## {s['title']}") + _text_h(parts[0]) + _text_h(parts[1], READING_PX)
            w, h = slides._png_size(png)
            scale = min(slides.CONTENT_W / w, (FIGURE_BUDGET_H - used) / h)
            out = v4.new_output("display_data", data={"image/png": png},
                                metadata={"slides_size": [round(w * scale), round(h * scale)]})
            figure = v4.new_code_cell("", outputs=[out])
            figure.metadata.update({"slides_output_only": True, "slideshow": {"slide_type": "-"},
                                    "mystnb": {"image": {"alt": alt}}})
            cells.append(figure)
            if parts[1]:
                after = v4.new_markdown_cell(parts[1])
                after.metadata.update({"slideshow": {"slide_type": "-"}, "tags": ["reading"]})
                cells.append(after)
        note = v4.new_markdown_cell(f"*{s['minutes']:g} min.* {s['notes']}")
        note.metadata["slideshow"] = {"slide_type": "notes"}
        cells.append(note)
    for k, c in enumerate(cells):
        c["id"] = f"s{k:03d}"
    return cells


def _inline(m: re.Match) -> str:
    value = resolve(m.group(1), m.group(2), m.group(3), m.group(4))
    if m.group(1) == "output":
        return f"```text\n{value}\n```"
    return value


def load(path: Path, accept: bool = False):
    """The deck ``path`` as a notebook, its references checked against the lock."""
    header, deck_slides = parse(path)
    if len(deck_slides) > MAX_SLIDES:
        raise DeckError(f"{path.name}: {len(deck_slides)} slides, at most {MAX_SLIDES}")
    refs = {f"{path.stem} {m.group(0)}": fingerprint(resolve(*m.groups()))
            for _, m in references(deck_slides)}
    lock = json.loads(LOCK.read_text()) if LOCK.exists() else {}
    mine = {k: v for k, v in lock.items() if not k.startswith(path.stem + " ")}
    if accept:
        LOCK.write_text(json.dumps(dict(sorted({**mine, **refs}.items())), indent=1) + "\n")
    else:
        changed = [k for k, v in refs.items() if lock.get(k) != v]
        if changed:
            raise DeckError(f"{path.name}: referenced outputs changed since the deck was written "
                            f"(or are new): {', '.join(changed)}. Check the slides that cite them, "
                            "then run `python -m tools.decks --accept`")
    nb = nbformat.v4.new_notebook()
    nb.metadata["title"] = header.get("title", path.stem)
    nb.cells = to_cells(deck_slides)
    return nb


def sources() -> list[Path]:
    return sorted(DECKS.glob("*.md"))


if __name__ == "__main__":
    if sys.argv[1:] != ["--accept"]:
        sys.exit("usage: python -m tools.decks --accept   (re-read the referenced outputs into "
                 "lecturer/decks/outputs.lock.json; build with python -m tools.build lectures)")
    for p in sources():
        load(p, accept=True)
        print(f"{p.name}: references accepted")
