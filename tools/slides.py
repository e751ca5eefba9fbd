"""Slide metadata for the course's notebooks, assigned by rule, and the decks' layout.

Several people write the notebooks, so nobody sets "Slide Type" by hand: ``nbtool.py
generate`` calls :func:`apply_slide_metadata` on every notebook and ``nbtool.py check``
flags metadata that no longer follows the rules. The stored metadata depends on the
cells' *sources and tags only*, never on their outputs, so re-executing a notebook never
makes it stale.

The rules, in order (the first that applies wins):

1. A cell with ``"slideshow_locked": true`` in its metadata *and* a ``slideshow`` entry is
   left as its author set it.
2. Navigation bars (tag ``nav``), the set-up cell (``setup``) and worked solutions
   (``solution``) are skipped.
3. A markdown cell whose first line is ``<!-- notes -->`` is a speaker note (press ``s``
   in a deck to see it).
4. The title (``# ``) and every section (``## ``) start a new slide; ``### `` and deeper
   headings, and every exercise (a cell starting ``**Exercise`` or ``**Check your
   understanding``), a new sub-slide.
5. Short markdown (at most ``SHORT_MARKDOWN`` characters, no display maths, no table,
   no heading anywhere in it) right after a code cell appears as a fragment under it: the comment on what the output
   shows.
6. A code cell of at most ``SHORT_CODE_LINES`` lines, not a figure cell, right after a
   short introduction (markdown) appears as a fragment under it; so does the answer cell
   right after an exercise.
7. Everything else starts a sub-slide: one idea per slide, a code cell's input and output
   together.

At build time (``tools/build.py slides``) :func:`layout_for_projection` adjusts a copy of
the notebook to the 1280x720 screen, using the outputs as stored: a heading inside a markdown cell starts a sub-slide
(as if the cell were split there), a figure cell (``# Figure:``) shows its figure with
its first comment line as the caption, not its code (CONTRIBUTING: the learner may skip
figure code; the notebook has it); markdown taller than the
screen is split at paragraph boundaries into several sub-slides, a fragment that would
overflow its slide starts its own sub-slide, and code cells that are still too tall get a
smaller font (``fit-small``); code taller than a whole slide is shown over several
subslides, cut between top-level statements, its outputs under the last piece; what still
does not fit gets, as a last resort, a scrolling box (``fit-scroll``).
:func:`overflow_report` lists those last cases: they are the ones to split in the source.
"""
from __future__ import annotations

import base64
import copy
import math
import re
import struct

SHORT_MARKDOWN = 280      # characters: a one- or two-line remark
SHORT_CODE_LINES = 12     # a code cell this short fits under its introduction
NOTES_MARKER = "<!-- notes -->"
LOCK_KEY = "slideshow_locked"
SKIP_TAGS = ("nav", "setup", "solution")

# The projection geometry, matching tools/templates/course_reveal (CSS and Reveal config).
SLIDE_W, SLIDE_H = 1280, 720
BUDGET_H = 620            # usable height: the slide less reveal's margin and some slack
TEXT_LINE_H = 33.6        # 24 px text, line-height 1.4
TEXT_CHARS = 92           # characters per wrapped line of text at 24 px on 1200 px
CODE_LINE_H = 23.4        # 18 px code, line-height 1.3
OUT_LINE_H = 21.0         # 16 px output text
FIGURE_MAX_H = 430        # CSS max-height of a figure on a slide
FIGURE_ONLY_MAX_H = 520   # the figure of a figure cell (shown without its code), enlarged
HEADING_H = {1: 80, 2: 66, 3: 54, 4: 46}


# ----------------------------------------------------------------------------- rules
def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def _first_line(cell) -> str:
    src = cell.get("source", "")
    return src.lstrip("\n").splitlines()[0].strip() if src.strip() else ""


def _heading_level(cell) -> int:
    m = re.match(r"^(#{1,6}) ", _first_line(cell))
    return len(m.group(1)) if m else 0


def _is_locked(cell) -> bool:
    md = cell.get("metadata", {})
    return bool(md.get(LOCK_KEY)) and "slideshow" in md


def _is_short_markdown(cell) -> bool:
    src = cell.source
    return (len(src) <= SHORT_MARKDOWN and "$$" not in src and "\n|" not in src
            and not src.startswith("|") and not _has_heading(cell))


def _has_heading(cell) -> bool:
    return any(re.match(r"^#{1,6} ", ln) for ln in cell.source.splitlines())


def _is_exercise(cell) -> bool:
    """An exercise, or a "check your understanding" question: a prompt and its answer cell."""
    return cell.cell_type == "markdown" and cell.source.lstrip().startswith(
        ("**Exercise", "**Check your understanding"))


def _is_figure(cell) -> bool:
    return cell.cell_type == "code" and cell.source.lstrip().startswith("# Figure:")


def slide_type_for(cell, prev) -> str:
    """The slide type the rules give ``cell``; ``prev`` is the previous shown cell or None."""
    if any(t in _tags(cell) for t in SKIP_TAGS):
        return "skip"
    if cell.cell_type == "markdown":
        if _first_line(cell) == NOTES_MARKER:
            return "notes"
        level = _heading_level(cell)
        if level in (1, 2):
            return "slide"
        if level >= 3 or _is_exercise(cell):
            return "subslide"
        if prev is not None and prev.cell_type == "code" and _is_short_markdown(cell):
            return "fragment"
        return "subslide"
    if cell.cell_type == "code" and prev is not None and prev.cell_type == "markdown":
        short_code = cell.source.count("\n") + 1 <= SHORT_CODE_LINES and not _is_figure(cell)
        intro = _is_exercise(prev) or (len(prev.source) <= SHORT_MARKDOWN and "$$" not in prev.source)
        if short_code and intro and _first_line(prev) != NOTES_MARKER:
            return "fragment"
    return "subslide"


def apply_slide_metadata(nb):
    """Set ``cell.metadata.slideshow.slide_type`` on every cell by the rules; returns ``nb``.

    Idempotent, and depends only on sources and tags (not outputs).
    """
    prev = None
    for cell in nb.cells:
        if _is_locked(cell):
            kind = cell.metadata["slideshow"].get("slide_type", "-")
        else:
            kind = slide_type_for(cell, prev)
            cell.metadata["slideshow"] = {"slide_type": kind}
        if kind not in ("skip", "notes"):
            prev = cell
    return nb


# ----------------------------------------------------------------------------- heights
def _visible(text: str) -> str:
    text = re.sub(r"\$[^$]*\$", "xxxxxx", text)    # inline maths: about 6 characters wide
    return re.sub(r"\]\([^)]*\)", "]", text)      # link targets are not shown


def _math_height(tex: str) -> float:
    rows = tex.split("\\\\")
    tall = ("\\frac", "\\dfrac", "\\sum", "\\prod", "\\int", "\\begin{cases}")
    return 24 + sum(66 if any(t in r for t in tall) else 40 for r in rows)


def _markdown_height(src: str) -> float:
    h, math_lines = 0.0, None
    for line in src.splitlines():
        s = line.strip()
        if math_lines is not None:                    # inside a $$ ... $$ block
            math_lines.append(s)
            if s.endswith("$$"):
                h += _math_height("\n".join(math_lines))
                math_lines = None
            continue
        if s.startswith("$$"):
            if len(s) > 2 and s.endswith("$$"):
                h += _math_height(s)
            else:
                math_lines = [s]
            continue
        m = re.match(r"^(#{1,6}) ", s)
        if m:
            h += HEADING_H.get(len(m.group(1)), 44)
        elif not s:
            h += 14                                   # paragraph gap
        elif s.startswith("|"):
            if not set(s) <= set("|-: "):             # a table row; the separator row: nothing
                cells = [c for c in s.strip("|").split("|")]
                wraps = max(math.ceil(len(_visible(c)) / (TEXT_CHARS * 0.9 / max(len(cells), 1)))
                             for c in cells) if cells else 1
                tall = any(t in s for t in ("\\frac", "\\dfrac"))
                h += max(1, wraps) * 34 + 16 + (8 if "$" in s else 0) + (30 if tall else 0)
        else:
            extra = 10 if any(t in s for t in ("\\frac", "\\sqrt", "\\hat", "^")) else 0
            h += (TEXT_LINE_H + extra) * max(1, math.ceil(len(_visible(s)) / TEXT_CHARS))
    if math_lines is not None:
        h += _math_height("\n".join(math_lines))
    return h


def _png_size(b64: str):
    try:
        head = base64.b64decode(b64[:64])
        if head[:8] == b"\x89PNG\r\n\x1a\n":
            return struct.unpack(">II", head[16:24])
    except Exception:   # noqa: BLE001 - a malformed image: fall back to a guess
        pass
    return (640, 480)


def _output_height(out, max_h: float = FIGURE_MAX_H, upscale: bool = False) -> float:
    kind = out.get("output_type")
    if kind == "stream":
        text = out.get("text", "").replace("\r\n", "\n").replace("\r", "\n")  # progress bars
        return OUT_LINE_H * (text.rstrip("\n").count("\n") + 1) + 16
    if kind == "error":
        return OUT_LINE_H * sum(t.count("\n") + 1 for t in out.get("traceback", []))
    data = out.get("data", {})
    if "image/png" in data:
        w, h = _png_size(data["image/png"])
        meta = out.get("metadata", {}).get("image/png", {})
        w, h = meta.get("width", w), meta.get("height", h)
        scale = min((SLIDE_W - 100) / max(w, 1), max_h / max(h, 1))
        scale = scale if upscale else min(1.0, scale)
        return h * scale + 12
    if "text/plain" in data:
        return OUT_LINE_H * (data["text/plain"].count("\n") + 1)
    return 40


def cell_height(cell) -> float:
    """Estimated height in slide pixels of ``cell`` as the decks render it."""
    if cell.cell_type == "markdown":
        return _markdown_height(cell.source) + 10
    if cell.cell_type == "code" and cell.get("metadata", {}).get("slides_fit") == "figure-only":
        return 30 + sum(_output_height(o, FIGURE_ONLY_MAX_H, upscale=True)
                        for o in cell.get("outputs", []))
    if cell.cell_type == "code":
        inp = CODE_LINE_H * (cell.source.count("\n") + 1) + 24
        if cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"):
            inp = 0
        return inp + sum(_output_height(o) for o in cell.get("outputs", []))
    return 0.0


# ----------------------------------------------------------------------------- layout
def _split_markdown(src: str, budget: float) -> list[str]:
    """Split markdown at blank lines (never inside $$ blocks, tables or code fences)."""
    blocks, current, in_math, in_fence = [], [], False, False
    for line in src.splitlines():
        s = line.strip()
        if s.startswith("```"):
            in_fence = not in_fence
        if in_math:
            in_math = not s.endswith("$$")
            current.append(line)
            continue
        if s.startswith("$$") and not (len(s) > 2 and s.endswith("$$")):
            in_math = True
        at_heading = bool(re.match(r"^#{1,6} ", s)) and not in_math and not in_fence
        if (not s or at_heading) and not in_math and not in_fence and current:
            blocks.append("\n".join(current))
            current = [line] if at_heading else []
        elif s or current:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    blocks = [piece for b in blocks for piece in _split_block(b, budget)]
    # a heading or a lead-in ending with ':' belongs to what follows it
    merged = []
    for b in blocks:
        if merged and (re.match(r"^#{1,6} ", merged[-1]) and "\n" not in merged[-1].strip()
                       or merged[-1].rstrip().endswith(":")) \
                and _markdown_height(merged[-1] + "\n\n" + b) <= budget:
            merged[-1] = merged[-1] + "\n\n" + b
        else:
            merged.append(b)
    chunks = []
    for b in merged:
        if chunks and _markdown_height(chunks[-1] + "\n\n" + b) <= budget:
            chunks[-1] = chunks[-1] + "\n\n" + b
        else:
            chunks.append(b)
    return chunks


def _split_at_headings(cell) -> list:
    """A shown markdown cell with a heading after its first line: a sub-slide from there."""
    kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
    if cell.cell_type != "markdown" or kind in ("skip", "notes"):
        return [cell]
    lines, parts = cell.source.splitlines(), [[]]
    for ln in lines:
        if re.match(r"^#{1,6} ", ln) and any(x.strip() and not re.match(r"^#{1,6} ", x)
                                             for x in parts[-1]):
            parts.append([])
        parts[-1].append(ln)
    if len(parts) == 1:
        return [cell]
    out = []
    for k, part in enumerate(parts):
        piece = copy.deepcopy(cell)
        piece.source = "\n".join(part).strip("\n")
        piece["id"] = f"{cell.get('id', 'cell')}-h{k}"
        if k:
            piece.metadata["slideshow"] = {"slide_type": "subslide"}
        out.append(piece)
    return out


ITEM = re.compile(r"^ ?([-*+]|\d+[.)]) ")


def _split_block(block: str, budget: float) -> list[str]:
    """A paragraph-level block taller than ``budget``: a table split between its rows (the
    header repeated), a list between its items; anything else is left whole."""
    if _markdown_height(block) <= budget:
        return [block]
    lines = block.splitlines()
    if len(lines) > 3 and all(ln.lstrip().startswith("|") for ln in lines):
        head, units, joiner = lines[:2], [[ln] for ln in lines[2:]], "\n"
    elif any(ITEM.match(ln) for ln in lines):
        head, units = [], []
        for ln in lines:
            if ITEM.match(ln) or not units:
                units.append([ln])
            else:
                units[-1].append(ln)
        joiner = "\n"
    else:
        return [block]
    chunks: list[list[str]] = []
    for unit in units:
        if chunks and _markdown_height("\n".join(chunks[-1] + unit)) <= budget:
            chunks[-1] += unit
        else:
            chunks.append(head + unit)
    return [joiner.join(c) for c in chunks]


def _split_code(src: str, budget: float) -> list[str]:
    """Split a long code cell's source between top-level statements, into pieces whose
    input fits ``budget``. Only at a blank line followed by an unindented line, so a
    function or a loop is never cut; a single statement taller than a slide stays whole."""
    lines = src.splitlines()
    per_slide = max(int((budget - 24) // CODE_LINE_H), 1)
    blocks, current = [], []
    for i, line in enumerate(lines):
        current.append(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if not line.strip() and nxt is not None and nxt.strip() and not nxt[0].isspace():
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    pieces, piece = [], []
    for block in blocks:
        if piece and len(piece) + len(block) > per_slide:
            pieces.append(piece)
            piece = []
        piece = piece + block
    pieces.append(piece)
    return ["\n".join(p).strip("\n") for p in pieces if "".join(p).strip()]


def layout_for_projection(nb, budget: float = BUDGET_H):
    """A copy of ``nb`` laid out for 1280x720 (see the module's docstring).

    Adds ``metadata.slides_fit`` ("fit-small" or "fit-scroll") to code cells that need it;
    the deck template turns it into a CSS class.
    """
    nb = copy.deepcopy(nb)
    cells, used = [], 0.0
    for cell in [piece for c in nb.cells for piece in _split_at_headings(c)]:
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        if kind in ("skip", "notes"):
            cells.append(cell)
            continue
        if _is_figure(cell) and any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            cell.metadata["slides_fit"] = "figure-only"
        h = cell_height(cell)
        if kind in ("-", "fragment") and used + h > budget:
            cell.metadata["slideshow"] = {**cell.metadata["slideshow"], "slide_type": "subslide"}
            kind = "subslide"
        if kind in ("slide", "subslide"):
            used = 0.0
        if cell.cell_type == "markdown" and used + h > budget:
            pieces = _split_markdown(cell.source, budget - 20)
            if len(pieces) > 1:
                for k, piece in enumerate(pieces):
                    part = copy.deepcopy(cell)
                    part.source = piece
                    part["id"] = f"{cell.get('id', 'cell')}-part{k}"
                    if k:
                        part.metadata["slideshow"] = {"slide_type": "subslide"}
                        part.metadata["slides_continued"] = True
                    cells.append(part)
                used = _markdown_height(pieces[-1])
                continue
        if cell.cell_type == "code" and h > budget and "slides_fit" not in cell.metadata:
            # Too tall for any slide: show the code over several subslides, the outputs
            # under its last piece (the notebook itself keeps one cell).
            pieces = _split_code(cell.source, budget)
            if len(pieces) > 1:
                for k, piece in enumerate(pieces):
                    part = copy.deepcopy(cell)
                    part.source = piece
                    part["id"] = f"{cell.get('id', 'cell')}-part{k}"
                    if k < len(pieces) - 1:
                        part.outputs = []
                    if k or used > 0:
                        part.metadata["slideshow"] = {**part.metadata.get("slideshow", {}),
                                                      "slide_type": "subslide"}
                    ph = cell_height(part)
                    if ph > budget:
                        part.metadata["slides_fit"] = "fit-small" if 0.8 * ph <= budget - 60 else "fit-scroll"
                    cells.append(part)
                    used = ph
                continue
        if cell.cell_type == "code" and used + h > budget and "slides_fit" not in cell.metadata:
            if used + 0.8 * h <= budget - 60:
                cell.metadata["slides_fit"] = "fit-small"
            else:
                cell.metadata["slides_fit"] = "fit-scroll"
        used += h
        cells.append(cell)
    nb.cells = cells
    return nb


def overflow_report(nb) -> list[str]:
    """Cells that ``layout_for_projection`` could fit only with a scrolling box."""
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.metadata.get("slides_fit") == "fit-scroll":
            out.append(f"cell {cell.get('id', i)}: {_first_line(cell)[:60]!r} "
                       f"(~{cell_height(cell):.0f} px of {BUDGET_H})")
    return out
