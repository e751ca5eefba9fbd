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
   in a deck to see it). It belongs to the next slide, the content it prepares; a cell that
   sits after that content names its slide instead: ``<!-- notes: The theorems -->`` goes
   with the slide whose heading starts "The theorems".
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

At build time (``python -m tools.build slides``) :func:`layout_for_projection` lays a copy of the
notebook out for a 1280x720 screen read from the back of a hall, from the outputs as
stored (the sizes below are the template's CSS, tools/templates/course_reveal):

- every slide starts with a heading: a slide that the layout had to continue repeats the
  innermost heading open there ("(continued)"), and a heading never stands alone on a slide
  (what follows it joins it);
- slides are filled: a cell whose rule starts a sub-slide goes on under the current slide
  when it fits (a section, ``##``, and a figure start a new one), and short slides are
  merged with the one before, so few slides are less than half full;
- at most ``MAX_WORDS`` words of prose and ``BUDGET_H`` px of content a slide: markdown is
  split between paragraphs or list items into pieces of about equal size, so no slide is
  left with a stray line; a table is never split: whole on one slide, or, when it is taller
  than a slide, shown as a list, one item a row;
- code is never shrunk nor scrolled: taller than a slide, it is cut between top-level
  statements (between lines only if one statement is taller than a slide), its outputs
  after the last piece; long printed output is cut between lines too;
- a figure is drawn as large as the slide allows, with its reading (the markdown after it,
  its first sentences when it is long) on the same slide; a figure cell (``# Figure:``)
  shows its figure, not its code (CONTRIBUTING: the learner may skip figure code);
- the bare ``True``/``False`` a checker cell returns is not shown, and a traceback is cut
  to its last lines.
"""
from __future__ import annotations

import base64
import copy
import html
import math
import re
import struct

SHORT_MARKDOWN = 280      # characters: a one- or two-line remark
SHORT_CODE_LINES = 12     # a code cell this short fits under its introduction
NOTES_MARKER = "<!-- notes -->"
LOCK_KEY = "slideshow_locked"
SKIP_TAGS = ("nav", "setup", "solution")

# The projection geometry, matching tools/templates/course_reveal (CSS and Reveal config:
# margin 0, so one CSS px is one screen px at 1280x720).
SLIDE_W, SLIDE_H = 1280, 720
CONTENT_W = 1240          # the slide less its 20 px side padding
BUDGET_H = 660            # usable height: the slide less its 20 px top and bottom padding, slack
PROSE_PX = 30             # prose (>= 26 px on screen, larger for the back row)
TEXT_LINE_H = 40.5        # 30 px, line-height 1.35
TEXT_CHARS = 78           # characters per wrapped line of 30 px prose on 1187 px (measured: 82 may wrap)
TABLE_LINE_H, TABLE_CHARS = 36.5, 96   # tables at 27 px: a whole table fits more often
CODE_PX = 20              # code and printed output (>= 20 px on screen)
CODE_LINE_H = 26.0        # 20 px, line-height 1.3
CODE_CHARS = 96           # characters per line before `pre-wrap` wraps it (20 px mono: 12 px each, 1200 px)
OUT_LINE_H = CODE_LINE_H
HEADING_H = {1: 76, 2: 62, 3: 56, 4: 50}
CONTINUED_H = HEADING_H[3]
MAX_WORDS = 120           # prose words a slide
IMAGE_SLACK = 40          # px of the budget's slack a figure may use (its height is exact, not estimated)
READING = (2 * TEXT_LINE_H + 24, 45)   # a figure's reading on its slide: about two lines (px, words)
MIN_FIGURE_SCALE = 0.81   # figure text 20 px in the PNG (plotting.SMALL_PT at plotting.DPI): >= 16 px
TRACEBACK_LINES = 8       # an error shows its last lines
HALF_H = 340              # estimated content under which a slide ends above its middle (360 px, less the padding)
THIN_SLACK = 30           # px of the estimate's margin a heading-and-a-line slide may use to join the next


# ----------------------------------------------------------------------------- rules
def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def _first_line(cell) -> str:
    src = cell.get("source", "")
    return src.lstrip("\n").splitlines()[0].strip() if src.strip() else ""


def _heading_level(cell) -> int:
    m = re.match(r"^(#{1,6}) ", _first_line(cell))
    return len(m.group(1)) if m else 0


NOTES_TARGET = re.compile(r"^<!--\s*notes(?::\s*(.*?))?\s*-->$")


def is_notes(cell) -> bool:
    return cell.cell_type == "markdown" and bool(NOTES_TARGET.match(_first_line(cell)))


def notes_target(cell) -> str:
    """The heading a notes cell names (``<!-- notes: Heading -->``), or "" for the next slide."""
    m = NOTES_TARGET.match(_first_line(cell))
    return (m.group(1) or "").strip() if m else ""


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
        if is_notes(cell):
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
        if short_code and intro and not is_notes(prev):
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
def _math_chars(tex: str) -> int:
    """About how many characters wide inline maths renders: a command is one symbol."""
    return max(2, len(re.sub(r"[{}_^\s]|\\(left|right|[,;!])", "", re.sub(r"\\[A-Za-z]+", "x", tex))))


def _visible(text: str) -> str:
    text = re.sub(r"\$([^$]*)\$", lambda m: "x" * _math_chars(m.group(1)), text)   # inline maths
    return re.sub(r"\]\([^)]*\)", "]", text)      # link targets are not shown


def _math_height(tex: str) -> float:
    rows = tex.split("\\\\")
    tall = ("\\frac", "\\dfrac", "\\sum", "\\prod", "\\int", "\\begin{cases}")
    return (26 + sum(72 if any(t in r for t in tall) else 44 for r in rows)) * PROSE_PX / 27


def _lines(text: str, chars: int) -> int:
    """Wrapped lines of ``text`` at ``chars`` characters a line."""
    return sum(max(1, math.ceil(len(ln) / chars)) for ln in text.split("\n"))


PLAIN = re.compile(r"^(?!#{1,6} |\||\$\$|<|```|([-*+]|\d+[.)]) )\S")    # a line of running text


def _reflow(src: str) -> list[str]:
    """The lines of markdown as rendered: a paragraph's (or a list item's) lines joined."""
    out, fenced, in_math = [], False, False
    for line in src.splitlines():
        s = line.strip()
        text = PLAIN.match(s) is not None and not fenced and not in_math
        if text and out and out[-1][0]:
            out[-1] = (True, out[-1][1] + " " + s)
        else:
            out.append((text or bool(ITEM.match(line)) and not fenced and not in_math, line))
        fenced ^= s.startswith("```")
        in_math = (in_math or s.startswith("$$")) and not (s.endswith("$$") and (in_math or len(s) > 2))
    return [ln for _, ln in out]


def _markdown_height(src: str) -> float:
    h, math_lines = 0.0, None
    for line in _reflow(src):
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
            h += HEADING_H.get(len(m.group(1)), 50)
        elif re.match(r"^<h\d", s):
            h += CONTINUED_H
        elif not s:
            h += 14                                   # paragraph gap
        elif s.startswith("|"):
            if not set(s) <= set("|-: "):             # a table row; the separator row: nothing
                cells = [c for c in s.strip("|").split("|")]
                wraps = max(math.ceil(len(_visible(c)) / (TABLE_CHARS * 0.85 / max(len(cells), 1)))
                            for c in cells) if cells else 1
                tall = any(t in s for t in ("\\frac", "\\dfrac"))
                h += max(1, wraps) * TABLE_LINE_H + 12 + (8 if "$" in s else 0) + (30 if tall else 0)
        else:
            extra = 10 if any(t in s for t in ("\\frac", "\\sqrt", "\\hat", "^")) else 0
            h += (TEXT_LINE_H + extra) * max(1, math.ceil(len(_visible(s)) / TEXT_CHARS))
    if math_lines is not None:
        h += _math_height("\n".join(math_lines))
    return h


def prose_words(src: str) -> int:
    """Words of prose that markdown ``src`` shows: not headings, code or display maths
    (inline maths counts as one word)."""
    text = re.sub(r"\$\$.*?\$\$", " ", src, flags=re.S)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]*\$", " x ", text)
    text = re.sub(r"<h\d[^>]*>.*?</h\d>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"^\s*#{1,6} .*$", "", text, flags=re.M)
    return len(re.findall(r"[A-Za-z0-9][\w'-]*", text))


def _png_size(b64: str):
    try:
        head = base64.b64decode(b64[:64])
        if head[:8] == b"\x89PNG\r\n\x1a\n":
            return struct.unpack(">II", head[16:24])
    except Exception:   # noqa: BLE001 - a malformed image: fall back to a guess
        pass
    return (640, 480)


def _stream_text(out) -> str:
    text = out.get("text", "").replace("\r\n", "\n")
    return "\n".join(ln.rsplit("\r", 1)[-1] for ln in text.split("\n"))   # progress bars


def _output_height(out) -> float:
    kind = out.get("output_type")
    if kind == "stream":
        return OUT_LINE_H * _lines(_stream_text(out).rstrip("\n"), CODE_CHARS) + 12
    if kind == "error":
        return OUT_LINE_H * sum(_lines(t, CODE_CHARS) for t in out.get("traceback", [])) + 12
    data = out.get("data", {})
    if "image/png" in data:
        size = out.get("metadata", {}).get("slides_size")
        w, h = size if size else _png_size(data["image/png"])
        return h + 8 - out.get("metadata", {}).get("slides_slack", 0)
    if "text/plain" in data:
        return OUT_LINE_H * _lines(data["text/plain"], CODE_CHARS) + 12
    return 40


def _code_height(src: str) -> float:
    return CODE_LINE_H * _lines(src, CODE_CHARS) + 20


def cell_height(cell) -> float:
    """Estimated height in slide pixels of ``cell`` as the decks render it."""
    if cell.cell_type == "markdown":
        return _markdown_height(cell.source) + 10
    if cell.cell_type != "code":
        return 0.0
    md = cell.get("metadata", {})
    if md.get("slides_fit") == "figure-only" or md.get("slides_output_only"):
        inp = 0         # a figure shows no code: its reading says what to see
    else:
        inp = _code_height(cell.source)
    return inp + sum(_output_height(o) for o in cell.get("outputs", []))


# ----------------------------------------------------------------------------- splitting
ITEM = re.compile(r"^ ?([-*+]|\d+[.)]) ")


def _blocks(src: str) -> list[str]:
    """Paragraph-level blocks (never cutting $$ maths, code fences or a table); a list
    further into items."""
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
    out = []
    for b in blocks:
        lines = b.splitlines()
        if len(lines) > 1 and re.match(r"^#{1,6} ", lines[0]):      # a heading on its own
            out.append(lines.pop(0))
        if len(lines) > 2 and all(ln.lstrip().startswith("|") for ln in lines):
            # a table is never split: whole when it fits a slide, else one item a row
            fits = _markdown_height(b) <= BUDGET_H - CONTINUED_H
            out += [b] if fits else _table_as_list(lines)
        elif sum(bool(ITEM.match(ln)) for ln in lines) > 1:
            items: list[list[str]] = []
            for ln in lines:
                if ITEM.match(ln) or not items:
                    items.append([ln])
                else:
                    items[-1].append(ln)
            out += ["\n".join(i) for i in items]
        else:
            out.append("\n".join(lines))
    # a heading or a lead-in ending with ':' stays with what follows it (if both fit a slide)
    merged: list[str] = []
    for b in out:
        if merged and (re.match(r"^#{1,6} ", merged[-1]) and "\n" not in merged[-1].strip()
                       or merged[-1].rstrip().endswith(":")) \
                and _markdown_height(_join(merged[-1], b)) <= BUDGET_H - CONTINUED_H:
            merged[-1] = _join(merged[-1], b)
        else:
            merged.append(b)
    return merged


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _table_as_list(lines: list[str]) -> list[str]:
    """A table taller than a slide, redesigned for slides: one list item a row, its first
    cell in bold, then each other column's header and cell (items split between slides;
    a table never does)."""
    head = _cells(lines[0])
    items = []
    for row in lines[2:]:
        cells = _cells(row)
        rest = "; ".join(f"{h}: {c}" if h else c for h, c in zip(head[1:], cells[1:]) if c)
        items.append(f"- **{cells[0]}**" + (f" ({rest})" if rest else ""))
    return items


SENTENCE = re.compile(r"(?<=[.;:!?])\s+(?=[A-Z(*`$])")
GLUE = "\x00"            # a block that goes on the same paragraph as the one before it


def _sentences(block: str, cap: tuple[float, int]) -> list[str]:
    """A paragraph taller or wordier than ``cap``: cut between sentences (never inside
    maths, a table or a list)."""
    if _markdown_height(block) <= cap[0] and prose_words(block) <= cap[1]:
        return [block]
    if block.lstrip().startswith("#") and "\n" in block.strip():       # a heading, then text
        head, body = block.lstrip().split("\n", 1)
        rest = _sentences(body, (cap[0] - HEADING_H[3], cap[1]))
        return [head + "\n" + rest[0].lstrip(GLUE)] + rest[1:]
    if block.lstrip().startswith(("|", "```")):
        return [block]
    parts = []
    for seg in re.split(r"(\$\$.*?\$\$)", block, flags=re.S):   # display maths stays whole
        if seg.startswith("$$"):
            parts.append(seg)
            continue
        start = 0
        for m in SENTENCE.finditer(seg):
            if seg[:m.start()].count("$") % 2 == 0:
                parts.append(seg[start:m.start()])
                start = m.end()
        parts.append(seg[start:])
    parts = [p.strip() for p in parts if p.strip()]
    return [parts[0]] + [GLUE + p for p in parts[1:]] if parts else [block]


def _join(a: str, b: str) -> str:
    """Two blocks as markdown: list items stay one list; a sentence cut from its
    paragraph goes back into it."""
    if b.startswith(GLUE):           # display maths keeps lines of its own
        return a + ("\n" if "$$" in a[-2:] + b[1:3] else " ") + b[1:]
    if ITEM.match(a.lstrip()) and ITEM.match(b):         # items of one list
        return a + "\n" + b
    return a + "\n\n" + b


def _chunks(blocks: list[str], caps: list[tuple[float, int]], f: float = 1.0):
    """Greedy: blocks into chunks, chunk k within f * caps[k] (height, words)."""
    chunks: list[str] = []
    for b in blocks:
        k = len(chunks) - 1
        cap_h, cap_w = caps[min(max(k, 0), len(caps) - 1)]
        if chunks:
            joined = _join(chunks[-1], b)
            if _markdown_height(joined) <= f * cap_h and prose_words(joined) <= f * cap_w:
                chunks[-1] = joined
                continue
        chunks.append(b.lstrip(GLUE))
    return chunks


def split_markdown(src: str, first: tuple[float, int], rest: tuple[float, int]) -> list[str]:
    """``src`` cut between blocks into pieces of about equal size: the first within
    ``first`` (height, words), the others within ``rest``. The pieces are balanced (the
    smallest cap that needs no more pieces), so the last is not a stray line."""
    blocks = [piece for b in _blocks(src) for piece in _sentences(b, rest)]
    caps = [first] + [rest]
    base = _chunks(blocks, caps)
    lo, hi = 0.3, 1.0
    for _ in range(12):                         # the smallest f with as few pieces
        mid = (lo + hi) / 2
        if len(_chunks(blocks, caps, mid)) <= len(base):
            hi = mid
        else:
            lo = mid
    return [c.lstrip(GLUE) for c in _chunks(blocks, caps, hi)]


def first_block_fits(src: str, cap: tuple[float, int], rest: tuple[float, int]) -> bool:
    b = [piece for b in _blocks(src) for piece in _sentences(b, rest)][0].lstrip(GLUE)
    return _markdown_height(b) <= cap[0] and prose_words(b) <= cap[1]


def _split_code(src: str, budget: float) -> list[str]:
    """Split a long code cell's source between top-level statements, into pieces whose
    input fits ``budget``: at a blank line followed by an unindented line, so a function
    or a loop is not cut; a single statement taller than a slide is cut between lines.
    Balanced: the smallest budget that needs no more pieces, so the last is not a scrap."""
    pieces = _split_code_greedy(src, budget)
    b = budget
    while len(pieces) > 1 and b > 4 * CODE_LINE_H and \
            len(_split_code_greedy(src, b - CODE_LINE_H)) == len(pieces):
        b -= CODE_LINE_H
    return _split_code_greedy(src, b)


def _split_code_greedy(src: str, budget: float) -> list[str]:
    lines = src.splitlines()
    per_slide = max(int((budget - 20) // CODE_LINE_H), 1)
    blocks, current = [], []
    for i, line in enumerate(lines):
        current.append(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if not line.strip() and nxt is not None and nxt.strip() and not nxt[0].isspace():
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    def rows(ls):
        return sum(_lines(ln, CODE_CHARS) for ln in ls)

    cut = []
    for b in blocks:                       # a statement taller than a slide: between lines
        part = []
        for ln in b:
            if part and rows(part + [ln]) > per_slide:
                cut.append(part)
                part = []
            part.append(ln)
        cut.append(part)
    pieces, piece = [], []
    for block in cut:
        if piece and rows(piece) + rows(block) > per_slide:
            pieces.append(piece)
            piece = []
        piece = piece + block
    pieces.append(piece)
    return ["\n".join(p).strip("\n") for p in pieces if "".join(p).strip()]


def _split_stream(out, budget: float) -> list:
    """A printed output taller than ``budget``: several outputs, cut between lines (at a
    blank line when there is one near the cut)."""
    lines = _stream_text(out).rstrip("\n").split("\n")
    per = max(int((budget - 12) // OUT_LINE_H), 1)
    pieces, start = [], 0
    while start < len(lines):
        end = min(start + per, len(lines))
        if end < len(lines):
            blank = [i for i in range(start + per // 2, end) if not lines[i].strip()]
            end = blank[-1] + 1 if blank else end
        pieces.append(lines[start:end])
        start = end
    outs = []
    for p in pieces:
        o = copy.deepcopy(out)
        o["text"] = "\n".join(p) + "\n"
        outs.append(o)
    return outs


# ----------------------------------------------------------------------------- layout
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


def _heading_text(src: str) -> str:
    """The last heading of ``src`` (the innermost one open after it), as HTML."""
    found = ""
    for ln in src.splitlines():
        m = re.match(r"^#{1,6} +(.*)$", ln.strip())
        if m:
            found = re.sub(r"`([^`]+)`", lambda c: f"<code>{html.escape(c.group(1))}</code>",
                           m.group(1).strip())
    return found


def _headings(src: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^\s*#{1,6} +(.*)$", src, flags=re.M)]


def _only_headings(cell) -> bool:
    return cell.cell_type == "markdown" and all(
        re.match(r"^(#{1,6} |<h\d)", ln.strip()) for ln in cell.source.splitlines() if ln.strip())


def _has_image(cell) -> bool:
    return any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def _words(cell) -> int:
    return prose_words(cell.source) if cell.cell_type == "markdown" else 0


def _is_thin(cells) -> bool:
    """A slide showing no more than a heading and a stray line or two."""
    if any(c.cell_type != "markdown" for c in cells):
        return False
    src = "\n".join(c.source for c in cells)
    return prose_words(re.sub(r"\$[^$]*\$", " ", src)) < 20 and "$$" not in src and "\n|" not in src


def _clean_outputs(cell) -> None:
    """What a slide leaves out: a checker's bare True/False, a traceback's first lines."""
    outs = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if (out.get("output_type") == "execute_result" and set(data) == {"text/plain"}
                and data["text/plain"].strip() in ("True", "False", "None")):
            continue
        if out.get("output_type") == "error":
            lines = "\n".join(out.get("traceback", [])).split("\n")
            if len(lines) > TRACEBACK_LINES:
                out = copy.deepcopy(out)
                out["traceback"] = ["(traceback shortened on the slide)"] + lines[-TRACEBACK_LINES:]
        outs.append(out)
    cell.outputs = outs


def _new_md(source: str, cid: str):
    import nbformat
    cell = nbformat.v4.new_markdown_cell(source)
    cell["id"] = cid
    return cell


CONTINUED = '<h3 class="continued">'     # the heading a section's continued slide starts with


def _is_continued(cell) -> bool:
    return cell.source.startswith(CONTINUED)


class _Slide:
    def __init__(self, section: bool, heading: str):
        self.cells, self.notes, self.section, self.heading = [], [], section, heading
        self.h, self.words = 0.0, 0

    def add(self, cell, h: float | None = None) -> None:
        self.cells.append(cell)
        self.h += cell_height(cell) if h is None else h
        if cell.cell_type == "markdown":
            self.words += prose_words(cell.source)

    def only_headings(self) -> bool:
        """Nothing on the slide yet but headings (or nothing at all)."""
        return all(_only_headings(c) for c in self.cells)


class _Layout:
    """Cells into slides, one at a time (see the module's docstring)."""

    def __init__(self, budget: float):
        self.budget, self.slides, self.heading, self.count = budget, [], "", 0

    @property
    def cur(self) -> _Slide | None:
        return self.slides[-1] if self.slides else None

    def room(self) -> tuple[float, int]:
        return (self.budget - self.cur.h, MAX_WORDS - self.cur.words) if self.cur else \
            (self.budget, MAX_WORDS)

    def new_slide(self, section: bool = False, continued: bool = True) -> _Slide:
        if self.cur is not None and not self.cur.cells:
            self.slides.pop()                  # an empty slide: start it again
        self.slides.append(_Slide(section, self.heading))
        if continued and self.heading:
            self.count += 1
            head = _new_md(f'{CONTINUED}{self.heading} '
                           f'<span class="cont">(continued)</span></h3>', f"cont{self.count}")
            self.cur.add(head)
        return self.cur

    def start(self, kind: str, cell, h: float = 0.0) -> None:
        """A cell whose rule starts a slide: a new one for a section (``#``, ``##``) or a
        figure, or when the cell does not fit under what the slide holds; else it goes on
        the current slide (a slide is filled, not left half empty). The section's heading
        on top of a new slide when the cell does not start with one."""
        if self.cur is not None and (self.cur.only_headings() or (
                kind != "slide" and not _has_image(cell) and self.fits(h, _words(cell)))):
            return
        own = cell.cell_type == "markdown" and bool(re.match(r"^#{1,6} ", _first_line(cell)))
        self.new_slide(section=(kind == "slide"), continued=not own)

    def fits(self, h: float, words: int = 0) -> bool:
        room_h, room_w = self.room()
        return h <= room_h and words <= room_w

    def markdown(self, cell, kind: str, follow: bool = False) -> None:
        h, w = cell_height(cell), prose_words(cell.source)
        if kind in ("slide", "subslide"):
            self.start(kind, cell, h)
        elif self.cur is None:
            self.new_slide(continued=False)
        if not self.fits(h, w):
            fresh = (self.budget - CONTINUED_H, MAX_WORDS)
            if not (follow or self.cur.only_headings()) and h <= fresh[0] and w <= fresh[1]:
                self.new_slide()
            else:
                room = self.room()
                first, rest = (room[0] - 10, room[1]), (fresh[0] - 10, fresh[1])
                here = follow or self.cur.only_headings()
                if not (here and first_block_fits(cell.source, first, rest)) \
                        and not (self.cur.only_headings() and not self.cur.cells):
                    self.new_slide()
                    first = (self.room()[0] - 10, self.room()[1])
                pieces = split_markdown(cell.source, first, rest)
                for k, piece in enumerate(pieces):
                    part = copy.deepcopy(cell)
                    part.source = piece
                    part["id"] = f"{cell.get('id', 'cell')}-part{k}"
                    if k:
                        self._set_heading(pieces[k - 1])
                        self.new_slide()
                    self.cur.add(part)
                self._set_heading(pieces[-1])
                return
        self.cur.add(cell)
        self._set_heading(cell.source)

    def _set_heading(self, src: str) -> None:
        text = _heading_text(src)
        if text and not src.lstrip().startswith("<h3 class=\"continued\""):
            self.heading = text

    def code(self, cell, kind: str, reading_h: float = 0.0) -> None:
        if kind in ("slide", "subslide"):
            self.start(kind, cell, cell_height(cell))
        elif self.cur is None:
            self.new_slide(continued=False)
        figure_only = cell.metadata.get("slides_fit") == "figure-only"
        inp_h = 0 if figure_only else _code_height(cell.source)
        outputs = list(cell.get("outputs", []))
        images = [o for o in outputs if "image/png" in o.get("data", {})]
        if images:
            self._size_images(cell, inp_h, reading_h)
        h = cell_height(cell)
        if self.fits(h):
            self.cur.add(cell)
            return
        fresh = self.budget - CONTINUED_H
        alone = self.cur.only_headings() or _is_thin(self.cur.cells)   # would be left thin
        if h <= fresh and not alone:
            self.new_slide()
            if images:
                self._size_images(cell, inp_h, reading_h)
            self.cur.add(cell)
            return
        # too tall for one slide: the code in pieces, then the outputs
        if figure_only:
            pieces = []
        else:
            room = self.room()[0]
            pieces = _split_code(cell.source, fresh)
            if _code_height(pieces[0]) > room:
                if alone:
                    pieces = _split_code(cell.source, room) if room > 120 else pieces
                if _code_height(pieces[0]) > self.room()[0]:
                    self.new_slide()
            for k, piece in enumerate(pieces):
                part = copy.deepcopy(cell)
                part.source, part.outputs = piece, []
                part["id"] = f"{cell.get('id', 'cell')}-part{k}"
                if k:
                    self.new_slide()
                self.cur.add(part)
        last = pieces and self.cur.cells[-1]
        for j, out in enumerate(outputs):
            parts = _split_stream(out, fresh) if out.get("output_type") == "stream" else [out]
            for m, o in enumerate(parts):
                oh = _output_height(o)
                if last and self.fits(oh):
                    last.outputs.append(o)
                    self.cur.h += oh
                    continue
                holder = copy.deepcopy(cell)
                holder.outputs = [o]
                holder["id"] = f"{cell.get('id', 'cell')}-out{j}-{m}"
                holder.metadata["slides_output_only"] = True
                if "image/png" in o.get("data", {}):
                    self._size_images(holder, 0, reading_h)
                if not self.fits(cell_height(holder)):
                    self.new_slide()
                    if "image/png" in o.get("data", {}):
                        self._size_images(holder, 0, reading_h)
                self.cur.add(holder)
                last = holder

    def _size_images(self, cell, inp_h: float, reading_h: float) -> None:
        """Each figure as large as the slide allows, leaving room for the reading."""
        used = self.cur.h if self.cur else 0.0
        others = sum(_output_height(o) for o in cell.outputs if "image/png" not in o.get("data", {}))
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        slack = IMAGE_SLACK if reading_h < READING[0] else 0.0    # a longer reading keeps its slack
        avail = (self.budget + slack - used - inp_h - reading_h - others) / max(len(images), 1) - 9
        for o in images:
            w, h = _png_size(o["data"]["image/png"])
            if avail < MIN_FIGURE_SCALE * h <= avail + reading_h:
                avail = MIN_FIGURE_SCALE * h       # the reading gets what is left
            scale = max(min(CONTENT_W / w, avail / h), 0.01)
            if scale < MIN_FIGURE_SCALE and used > CONTINUED_H + 1:
                avail_fresh = (self.budget + slack - CONTINUED_H - inp_h - reading_h - others) / len(images) - 9
                scale = max(scale, min(CONTENT_W / w, avail_fresh / h))
            o.setdefault("metadata", {}).update(slides_size=[round(w * scale), round(h * scale)], slides_slack=slack)


def _reading_of(cell, nxt) -> float:
    """Height to keep free under a figure for its reading: the markdown right after it (a
    figure cell's: its first sentences, _reading_apart)."""
    reading = nxt is not None and nxt.cell_type == "markdown" and not is_notes(nxt) and not _has_heading(nxt)
    if not (reading and _has_image(cell)):
        return 0.0
    n = len(_visible(" ".join(_reflow(nxt.source))))      # a reading at a line's end may wrap: one line more
    near_wrap = math.ceil(n / (0.9 * TEXT_CHARS)) > math.ceil(n / TEXT_CHARS)
    return min(cell_height(nxt) + (TEXT_LINE_H if near_wrap else 0.0), 200)


def _reading_apart(cells: list) -> list:
    """A figure's reading on the figure's slide: when the markdown after a figure is longer
    than READING, its first sentences become a cell of their own (shown under the figure),
    the rest a cell that goes on after."""
    out = []
    for cell in cells:
        prev = next((c for c in reversed(out) if not is_notes(c)), None)
        src = cell.source.strip() if cell.cell_type == "markdown" else ""
        if prev is not None and _is_figure(prev) and _has_image(prev) and src and not is_notes(cell) \
                and not _has_heading(cell) and _markdown_height(src) > READING[0]:
            first = _sentences(_blocks(src)[0], READING)[0]
            lead = re.match(r"[^\n]*:\n(?=\s*([-*+]|\d+[.)]) )", first)    # a lead-in, then a list
            first = lead.group()[:-1] if lead and _markdown_height(first) > READING[0] else first
            if src.startswith(first) and src[len(first):].strip():
                reading, rest = copy.deepcopy(cell), cell
                reading.source, reading["id"] = first, f"{cell.get('id', 'cell')}-reading"
                rest.source = src[len(first):].strip()
                rest.metadata["slideshow"] = {"slide_type": "subslide"}
                out.append(reading)
        out.append(cell)
    return out


def layout_for_projection(nb, budget: float = BUDGET_H):
    """A copy of ``nb`` laid out for 1280x720 (see the module's docstring)."""
    nb = copy.deepcopy(nb)
    cells = [piece for c in nb.cells for piece in _split_at_headings(c)]
    lay, targeted, pending = _Layout(budget), [], []
    shown = _reading_apart([c for c in cells if c.metadata.get("slideshow", {}).get("slide_type") != "skip"])
    reading_next = False
    for i, cell in enumerate(shown):
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        if kind == "notes":
            (targeted if notes_target(cell) else pending).append(cell)
            continue
        nxt = next((c for c in shown[i + 1:] if not is_notes(c)), None)
        before = len(lay.slides)
        if cell.cell_type == "code":
            _clean_outputs(cell)
            if _is_figure(cell) and any("image/png" in o.get("data", {}) for o in cell.outputs):
                cell.metadata["slides_fit"] = "figure-only"
            reading = _reading_of(cell, nxt)
            lay.code(cell, kind, reading)
            reading_next = reading > 0
        else:
            lay.markdown(cell, "-" if reading_next else kind, follow=reading_next)
            reading_next = False
        if pending:
            slide = lay.slides[before] if len(lay.slides) > before else lay.cur
            slide.notes += pending
            pending = []
    slides_ = [s for s in lay.slides if s.cells]
    if pending and slides_:
        slides_[-1].notes += pending
    slides_ = _balance(_merge_short(slides_, budget), budget)
    for note in targeted:
        target = notes_target(note).lower()
        home = next((s for s in slides_ if any(h.lower().startswith(target)
                                                for c in s.cells if c.cell_type == "markdown"
                                                for h in _headings(c.source))), None)
        (home or slides_[0]).notes.append(note)
    out = []
    for s in slides_:
        for k, cell in enumerate(s.cells):
            was = cell.metadata.get("slideshow", {}).get("slide_type", "-")
            kind = ("slide" if s.section else "subslide") if k == 0 else \
                ("fragment" if was == "fragment" and "-part" not in cell.get("id", "") else "-")
            cell.metadata["slideshow"] = {"slide_type": kind}
            out.append(cell)
            if k == 0:
                for note in s.notes:
                    note.metadata["slideshow"] = {"slide_type": "notes"}
                    out.append(note)
    nb.cells = out
    return nb


def _merge_short(slides_: list, budget: float) -> list:
    """Short slides merged: a slide joins the one before it when both fit one slide
    (height and words), leaving out its "(continued)" heading; a new section then starts
    under the previous one's end instead of on a half-empty slide of its own."""
    def body(s):
        return [c for c in s.cells if not _is_continued(c)]

    def fits(a, b, slack=0.0):
        rest = body(b)      # a figure keeps the slide it was sized for
        return rest and not any(c.metadata.get("slides_fit") == "figure-only" for c in rest) and \
            a.h + sum(cell_height(c) for c in rest) <= budget + slack and \
            a.words + sum(prose_words(c.source) for c in rest if c.cell_type == "markdown") <= MAX_WORDS

    def join(a, b):
        for c in body(b):
            a.add(c)
        a.notes += b.notes

    out = []
    for s in slides_:
        if out and fits(out[-1], s):
            join(out[-1], s)
        elif out and _is_thin(out[-1].cells) and fits(out[-1], s, THIN_SLACK):
            join(out[-1], s)
        else:
            out.append(s)
    return out


def _balance(slides_: list, budget: float) -> list:
    """A section's continued slide that would be under half full takes cells from the end of
    the slide before it, while that one stays at least half full: two slides half full or
    more, not a full one and a nearly empty one. Figures, their readings and headings stay."""
    def movable(a, k):
        c, prev = a.cells[k], a.cells[k - 1]
        return k > 0 and not _has_image(c) and not _has_heading(c) and not _has_image(prev) \
            and not _is_continued(c) and "-reading" not in c.get("id", "")

    for a, b in zip(slides_, slides_[1:]):
        if not (b.cells and _is_continued(b.cells[0]) and b.heading == a.heading):
            continue
        while b.h < HALF_H and len(a.cells) > 1 and movable(a, len(a.cells) - 1):
            c = a.cells[-1]
            h, w = cell_height(c), prose_words(c.source) if c.cell_type == "markdown" else 0
            if a.h - h < HALF_H or b.h + h > budget or b.words + w > MAX_WORDS:
                break
            a.cells.pop()
            a.h, a.words = a.h - h, a.words - w
            b.cells.insert(1, c)
            b.h, b.words = b.h + h, b.words + w
    return slides_


def slide_report(nb) -> list[str]:
    """Slides of a laid-out deck whose estimate still breaks a rule (taller than the
    budget, too many words): the cells to split in the source."""
    found, group = [], []

    def check(group):
        if not group:
            return
        h = sum(cell_height(c) for c in group)
        w = sum(prose_words(c.source) for c in group if c.cell_type == "markdown")
        if h > BUDGET_H + 1 or w > MAX_WORDS:
            found.append(f"cell {group[0].get('id')}: ~{h:.0f} px, {w} words "
                         f"({_first_line(group[0])[:50]!r})")

    for cell in nb.cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        if kind == "notes":
            continue
        if kind in ("slide", "subslide"):
            check(group)
            group = []
        group.append(cell)
    check(group)
    return found

