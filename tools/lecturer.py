#!/usr/bin/env python3
"""The lecturer's sources: speaker notes kept apart from the notebooks, and the lecturer copy.

    python -m tools.lecturer check               # every note names a cell that exists
    python -m tools.lecturer build [--out DIR]   # build/lecturer/notebooks: notes merged back
    python -m tools.lecturer audit [--site DIR] [--student DIR] [--lecturer DIR] [--decks DIR]

Speaker notes (what to ask the room, with the answers; timings; what to run live) are for
the lecturer only, so they do not live in the notebooks, which are the learner's edition
(JupyterLab, Binder, Colab and the public site show them as they are). They live in
``lecturer/notes/NN_name.md``, one file per notebook with the notebook's stem, one section
per note; the heading names the cell the note follows and, after a colon, the heading of
the slide the note belongs to in a deck (as ``<!-- notes: Heading -->`` did in a cell)::

    ## after c020: The problem

    Speaker notes (the problem, ...). Ask before showing the numbers: ...

``## after c020`` alone puts the note on the slide that the next cell starts. Anchor a
note on the cell that holds its slide's heading (or a later cell of that slide): RISE
shows a note on the slide of the cell it follows, and ``check`` fails when that is not
the slide its heading names. Several notes may follow one cell (ids ``cNNN-notes``,
``cNNN-notes2``, ...).

:func:`lecturer_copy` merges the notes back into a copy of a notebook, each as a markdown
cell right after its cell, with ``slide_type`` ``notes``, id ``cNNN-notes`` and the marker
line ``<!-- notes: Heading -->`` that ``tools/slides.py`` reads. That copy is what the
decks are built from (press ``s`` for the speaker view) and what a lecturer opens in
JupyterLab for RISE (press ``t`` in the slideshow for RISE's speaker-notes window).
"""
from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTES_DIR = ROOT / "lecturer" / "notes"
NB_DIR = ROOT / "notebooks"
OUT_DIR = ROOT / "build" / "lecturer" / "notebooks"
#: A note's heading: ``## after c020`` or ``## after c020: The problem``.
HEADING = re.compile(r"^## after (c\d{3})(?::\s*(.*?))?\s*$")


class NoteError(ValueError):
    """A notes file that cannot be merged (a malformed heading, a cell that does not exist)."""


def notes_path(stem: str, notes_dir: Path | None = None) -> Path:
    return (notes_dir or NOTES_DIR) / f"{stem}.md"


def parse(text: str, where: str = "notes") -> list[tuple[str, str, str]]:
    """[(cell id, slide heading or "", markdown)] of a notes file, in order. Text before
    the first ``## after`` heading (the file's title and preamble) belongs to no note."""
    notes, current = [], None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("## "):
            m = HEADING.match(line)
            if not m:
                raise NoteError(f"{where}:{number}: a note's heading is '## after cNNN' or "
                                f"'## after cNNN: Slide heading', not {line!r}")
            current = [m.group(1), (m.group(2) or "").strip(), []]
            notes.append(current)
        elif current is not None:
            current[2].append(line)
    out = []
    for cid, target, lines in notes:
        body = "\n".join(lines).strip()
        if not body:
            raise NoteError(f"{where}: the note after {cid} is empty")
        out.append((cid, target, body))
    return out


def notes_for(stem: str, notes_dir: Path | None = None) -> list[tuple[str, str]]:
    """[(cell id, markdown)] of the notes of notebook ``stem`` (none when it has no file)."""
    return [(cid, body) for cid, _, body in _notes(stem, notes_dir)]


def _notes(stem: str, notes_dir: Path | None = None) -> list[tuple[str, str, str]]:
    path = notes_path(stem, notes_dir)
    return parse(path.read_text(encoding="utf-8"), str(path)) if path.exists() else []


def note_cell_source(target: str, body: str) -> str:
    """The source of a merged notes cell: the marker line tools/slides.py reads, then the note."""
    return (f"<!-- notes: {target} -->" if target else "<!-- notes -->") + "\n" + body


def lecturer_copy(nb, stem: str, notes_dir: Path | None = None):
    """A copy of ``nb`` (the notebook ``notebooks/<stem>.ipynb``) with the notes of
    ``lecturer/notes/<stem>.md`` merged back, each right after the cell it names. Raises
    NoteError for a note naming a cell the notebook does not have."""
    nb = copy.deepcopy(nb)
    notes = _notes(stem, notes_dir)
    ids = [c.get("id") for c in nb.cells]
    missing = [cid for cid, _, _ in notes if cid not in ids]
    if missing:
        raise NoteError(f"{notes_path(stem, notes_dir)}: notes after {', '.join(missing)}, "
                        f"which notebooks/{stem}.ipynb does not have")
    after: dict[str, list] = {}
    for cid, target, body in notes:
        cell = nbformat.v4.new_markdown_cell(note_cell_source(target, body))
        cell["id"] = f"{cid}-notes" if cid not in after else f"{cid}-notes{len(after[cid]) + 1}"
        cell.metadata["slideshow"] = {"slide_type": "notes"}
        after.setdefault(cid, []).append(cell)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        cells += after.get(cell.get("id"), [])
    nb.cells = cells
    return nb


# ----------------------------------------------------------------------------- passages
#: The reach check (every note in the lecturer's outputs) compares sentences of at least
#: this many words; the leak check compares shingles (below), whatever a sentence's length.
MIN_WORDS = 3
#: A shingle is this many consecutive words (as :func:`words`). A lecturer-only shingle in
#: a learner's or student's file is a leak: any copied run of SHINGLE words or more is
#: caught, wherever it starts and however the text around it is split into sentences.
SHINGLE = 6
#: A run this long of a note is a leak even where the learner's own text has it too: the
#: subtraction below cannot see a note pasted into notebooks/ itself (the learner's text
#: would then have it), but no note quotes the course at such length (the longest quote,
#: 08 c011's, is 23 words; tests/test_editions.py keeps the margin).
LONG_RUN = 30
LECTURERS_MD = ROOT / "LECTURERS.md"
#: The parts of LECTURERS.md that are for the lecturer's eyes only: the answers to the
#: questions for the room, the explorer's moves with their outcomes, the lecture plans,
#: the grep that finds submissions using the checkers' reference code, and the advice on
#: running and grading a class (what the points show, how a submission is graded).
LECTURERS_SECTIONS = ("Questions to ask the room", "The interactive parts",
                      "One session (90 minutes)", "Two sessions", "Running the course in a class")
#: Phrases that only text for the lecturer has: a learner's or student's file with one of
#: them talks about the room or the notes (tests/test_editions.py checks that no learner
#: text has them today). As :func:`words`.
LECTURER_PHRASES = ("speaker notes", "speaker view", "the room",
                    "of the 90 minute plan", "lecturer copy", "let the room", "ask the room")
#: The learner's own text: a lecturer-only run of words that is also here (a note quoting a
#: cell, a formula) is the course's, not the lecturer's.
#: The course library (its docstrings, the self-checks' answers) is the learner's too.
#: So is what the student edition writes for students (its README and Makefile, and the
#: sentences tools/student.py rewords for it).
LEARNER_DOCS = ([ROOT / "README.md"] + sorted((ROOT / "tools" / "templates" / "student").glob("*"))
                + sorted((ROOT / "amslib").rglob("*.py")))
WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> str:
    """Text as its words, lower case, one space apart: markdown, HTML and reflowed lines
    compare equal ("*One period, tallied*" and "<em>One period, tallied</em>")."""
    return " ".join(WORD.findall(text.lower()))


def shingles(text: str, n: int = SHINGLE) -> set[str]:
    """The runs of ``n`` consecutive words of ``text`` (already :func:`words`); a text of
    fewer words is one shingle, itself."""
    w = text.split()
    if len(w) < n:
        return {" ".join(w)} if w else set()
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


#: Where a sentence ends: after . ? ! ; and any closing quotes or brackets ("?\"", ".)"),
#: at a list item, at a blank line.
SENTENCE_END = re.compile(r"""(?<=[.?!;])["'\u201d\u2019)\]*]*\s+|\n\s*[-*|]\s+|\n\n""")


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` with at least MIN_WORDS words, as :func:`words`."""
    parts = SENTENCE_END.split(text)
    return [w for w in (words(p) for p in parts) if len(w.split()) >= MIN_WORDS]


def note_bodies(notes_dir: Path | None = None) -> dict[str, str]:
    """{"NN cNNN": its markdown} for every note of lecturer/notes."""
    out = {}
    for path in sorted((notes_dir or NOTES_DIR).glob("*.md")):
        for cid, _, body in parse(path.read_text(encoding="utf-8"), str(path)):
            key = f"{path.stem[:2]} {cid}"
            out[key] = out[key] + "\n\n" + body if key in out else body
    return out


def note_passages(notes_dir: Path | None = None) -> dict[str, list[str]]:
    """{"NN cNNN": [its sentences]} for every note of lecturer/notes."""
    return {k: sentences(v) for k, v in note_bodies(notes_dir).items()}


def _lecturer_parts(path: Path = LECTURERS_MD) -> list[str]:
    text = path.read_text(encoding="utf-8")
    parts = [part.split("\n", 1)[1] for part in re.split(r"^(?=## )", text, flags=re.M)
             if part.startswith("## ") and part[3:].startswith(LECTURERS_SECTIONS)]
    parts += [line for line in text.splitlines() if line.strip().startswith("grep ")]
    return parts


def lecturers_md_passages(path: Path = LECTURERS_MD) -> list[str]:
    """The sentences of LECTURERS.md's lecturer-only parts (LECTURERS_SECTIONS, and every
    grep command line)."""
    out = []
    for part in _lecturer_parts(path):
        out += sentences(part) if "\n" in part else [words(part)]
    return out


def learner_shingles(nb_dir: Path | None = None) -> set[str]:
    """Every shingle of the learner's own text: the notebooks as committed and the
    learner-facing documents (LEARNER_DOCS)."""
    import json

    found: set[str] = set()
    for path in sorted((nb_dir or NB_DIR).glob("[0-9][0-9]_*.ipynb")) + LEARNER_DOCS:
        found |= shingles(readable_text(path))
        if path.suffix == ".ipynb":   # its table of contents: the headings one after another
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            toc = [ln.lstrip("#") for c in cells if c["cell_type"] == "markdown"
                   for ln in "".join(c["source"]).splitlines() if ln.startswith("#")]
            found |= shingles(text_words("\n".join(toc)))
    from tools import student

    for _, replacement in student.STUDENT_REWORDING:
        found |= shingles(text_words(replacement))
    return found


def lecturer_only(notes_dir: Path | None = None, lecturers_md: Path = LECTURERS_MD,
                  nb_dir: Path | None = None) -> dict[str, str]:
    """{shingle: where it comes from} of every lecturer-only run of SHINGLE words: the
    shingles of every note and of LECTURERS.md's lecturer-only parts, minus those of the
    learner's own text (learner_shingles: a note quoting a cell quotes the course); and
    every run of LONG_RUN words of a note, whoever else has it."""
    out: dict[str, str] = {}
    for key, body in note_bodies(notes_dir).items():
        for s in shingles(text_words(body)):
            out.setdefault(s, f"note {key}")
    for part in _lecturer_parts(lecturers_md):
        for s in shingles(text_words(part)):
            out.setdefault(s, "LECTURERS.md")
    for s in learner_shingles(nb_dir):
        out.pop(s, None)
    for key, body in note_bodies(notes_dir).items():
        for s in shingles(text_words(body), LONG_RUN):
            if len(s.split()) == LONG_RUN:
                out.setdefault(s, f"note {key} (a run of {LONG_RUN} words)")
    return out


TAG = re.compile(r"<[^<>]*>")
#: A markdown link's target, ``[text](target)``: the reader sees the text only.
LINK_TARGET = re.compile(r"\]\([^()\s]*\)")
#: Attributes whose values a reader sees or hears (alt text, tooltips, screen readers).
ATTRIBUTE = re.compile(r"""\b(?:alt|title|aria-label|aria-description|placeholder|content|label)\s*=\s*"""
                       r"""(?:"([^"]*)"|'([^']*)')""", re.I)


#: A formula of a built page (MathML, tools/build.py) and the TeX it keeps as annotation.
MATHML = re.compile(r"<math\b.*?<annotation[^>]*>(.*?)</annotation>.*?</math>", re.S)


def text_words(raw: str) -> str:
    """What a reader can see of a text that may hold markup, as :func:`words`: the text
    with its tags dropped and its entities decoded (``&nbsp;``, ``&#39;``), then the values
    of the attributes a reader sees (alt, title, aria-label), then the text as it is
    (should a ``<`` in a formula have hidden text from the tag-stripping)."""
    import html as html_lib

    raw = MATHML.sub(r" \1 ", raw)     # a formula as its TeX, as the notebooks have it
    visible = html_lib.unescape(TAG.sub(" ", LINK_TARGET.sub("]", raw)))
    attrs = " ".join(html_lib.unescape(a or b) for a, b in ATTRIBUTE.findall(raw))
    return words(visible) + " \n " + words(attrs) + " \n " + words(html_lib.unescape(raw))


def html_words(raw: str) -> str:
    """The text of an HTML page or fragment (tags dropped, entities decoded), as :func:`words`."""
    import html as html_lib

    return words(html_lib.unescape(TAG.sub(" ", MATHML.sub(r" \1 ", raw))))


def _strings(value) -> list[str]:
    """Every string inside a JSON value (cell metadata: mystnb.image.alt, ...)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def readable_text(path: Path) -> str:
    """What a reader of the file can see in it, as :func:`text_words`: a notebook's cell
    sources, cell metadata (``mystnb.image.alt`` becomes the site's alt text) and outputs
    (text, HTML, SVG); an HTML page's text and attributes' values; any other file as it is."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        import json

        chunks = []
        for cell in json.loads(raw).get("cells", []):
            chunks.append("".join(cell.get("source", "")))
            chunks += _strings(cell.get("metadata", {}))
            for out in cell.get("outputs", []):
                chunks.append("".join(out.get("text", "")))
                chunks += ["".join(v) if isinstance(v, list) else str(v)
                           for k, v in out.get("data", {}).items()
                           if k.startswith("text/") or k.endswith(("+xml", "+json", "/json"))]
        return text_words("\n\n".join(chunks))
    if path.suffix == ".js":
        data = re.match(r"\s*window\.\w+\s*=\s*(.*?);?\s*$", raw, re.S)
        if data:                                   # the site's search index: JSON strings
            import json

            try:
                raw = " \n ".join(_strings(json.loads(data.group(1))))
            except ValueError:
                pass
    return text_words(raw)


TEXT_SUFFIXES = {".ipynb", ".html", ".htm", ".js", ".md", ".txt", ".py", ".toml", ".yml",
                 ".yaml", ".cfg", ".json", ".svg", ".xml", ".csv", ".css", ""}


def _files(folder_or_files) -> list[Path]:
    if isinstance(folder_or_files, Path):
        return [p for p in sorted(folder_or_files.rglob("*")) if p.is_file()
                and p.suffix in TEXT_SUFFIXES and "reveal.js" not in p.parts]
    return list(folder_or_files)


def leaks(folder_or_files, secret: dict[str, str] | None = None) -> list[str]:
    """["file: where: the words"] for every lecturer-only shingle (``secret``, default
    :func:`lecturer_only`) found in a text file under ``folder_or_files`` (a folder or a
    list of files), one line per file and source, and for every LECTURER_PHRASES phrase.
    Vendored code (reveal.js) is skipped."""
    secret = lecturer_only() if secret is None else secret
    found = []
    for path in _files(folder_or_files):
        text = readable_text(path)
        hits: dict[str, list[str]] = {}
        for s in (shingles(text) | shingles(text, LONG_RUN)) & secret.keys():
            hits.setdefault(secret[s], []).append(s)
        found += [f"{path}: {where}: '{sorted(v)[0]}' (+{len(v) - 1} more runs)"
                  for where, v in sorted(hits.items())]
        padded = f" {text} "
        found += [f"{path}: lecturer's phrase '{ph}'" for ph in LECTURER_PHRASES if f" {ph} " in padded]
    return found


NOTES_ASIDE = re.compile(r'<aside class="notes">(.*?)</aside>', re.S)
MARKER = re.compile(r"<!--\s*notes\b")


def notes_cells(path: Path) -> list[str]:
    """Ids of the speaker-notes cells of a notebook (slide type notes, or the marker line)."""
    import json

    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    return [c.get("id", "?") for c in cells
            if c.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes"
            or (c.get("cell_type") == "markdown" and MARKER.match("".join(c.get("source", "")).lstrip()))]


def audit(learner: Path | None = None, site: Path | None = None, student: Path | None = None,
          lecturer_notebooks: Path | None = None, decks: Path | None = None) -> list[str]:
    """Which edition has what it should not, or lacks what it should, judged by content:

    - the learner edition (``learner``, notebooks/), the public site and the student edition
      contain no lecturer-only text (no run of SHINGLE words of a note or of LECTURERS.md's
      lecturer-only parts that the learner's own text does not have, no LECTURER_PHRASES
      phrase, in any text, metadata, attribute or output) and no notes cell, and the student
      edition no LECTURERS.md, no lecturer/ and no file that names either;
    - every sentence of every note is in the lecturer copy of its notebook and in the
      speaker notes (``<aside class="notes">``) of its deck.
    Any of the folders may be None (not checked)."""
    notes = note_passages()
    secret = lecturer_only() if (learner or site or student) else {}
    found = []
    for name, folder in (("learner edition", learner), ("site", site), ("student edition", student)):
        if folder is None:
            continue
        found += [f"{name}: lecturer-only text in {leak}" for leak in leaks(folder, secret)]
        for path in sorted(folder.rglob("*.ipynb")):
            found += [f"{name}: {path} has a speaker-notes cell {cid}" for cid in notes_cells(path)]
    if student is not None:
        found += [f"student edition: {p} is for the lecturer" for p in
                  (student / "LECTURERS.md", student / "lecturer") if p.exists()]
        found += [f"student edition: {p} names {name}" for p in _files(student)
                  for name in ("LECTURERS.md", "lecturer/")
                  if name in p.read_text(encoding="utf-8", errors="replace")]
    for name, folder, suffix in (("lecturer copy", lecturer_notebooks, ".ipynb"),
                                 ("decks' speaker view", decks, ".slides.html")):
        if folder is None:
            continue
        for key, passages in notes.items():
            stem = next(p.stem for p in NOTES_DIR.glob(f"{key[:2]}_*.md"))
            path = folder / f"{stem}{suffix}"
            if not path.exists():
                found.append(f"{name}: {path} is missing")
                continue
            if suffix == ".ipynb":
                text = " " + readable_text(path) + " "
            else:
                asides = NOTES_ASIDE.findall(path.read_text(encoding="utf-8"))
                text = " " + html_words(" ".join(asides)) + " "
            found += [f"{name}: {path.name} lacks note {key}: {s}" for s in passages if f" {s} " not in text]
    return found


def notebooks() -> list[Path]:
    return sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))


def rise_slides(nb) -> dict[str, list[str]]:
    """{cell id: the headings (lower case) of the RISE slide that cell is on}. A cell of
    slide type ``slide`` or ``subslide`` starts a slide (RISE shows a subslide as a slide
    of its own); a skipped cell is on no slide, so a note after it shows on the slide of
    the last cell shown before it."""
    groups: list[list] = [[]]
    where: dict[str, int] = {}
    for cell in nb.cells:
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
        if kind in ("slide", "subslide"):
            groups.append([])
        if kind not in ("skip", "notes"):
            groups[-1].append(cell)
        where[cell.get("id")] = len(groups) - 1
    heads = [[ln.lstrip("#").strip().lower() for c in g if c.cell_type == "markdown"
              for ln in c.source.splitlines() if ln.startswith("#")] for g in groups]
    return {cid: heads[k] for cid, k in where.items()}


def problems(notes_dir: Path | None = None, nb_dir: Path | None = None) -> list[str]:
    """What is wrong with the notes: a file for no notebook, a malformed heading, an empty
    note, a note after a cell its notebook does not have, a note whose slide heading is not
    on the RISE slide of the cell it follows (RISE and the decks would show it on
    different slides)."""
    notes_dir, nb_dir = notes_dir or NOTES_DIR, nb_dir or NB_DIR
    found = []
    stems = {p.stem for p in nb_dir.glob("[0-9][0-9]_*.ipynb")}
    for path in sorted(notes_dir.glob("*.md")):
        if path.stem not in stems:
            found.append(f"{path}: no notebook notebooks/{path.stem}.ipynb")
            continue
        nb = nbformat.read(nb_dir / f"{path.stem}.ipynb", as_version=4)
        try:
            lecturer_copy(nb, path.stem, notes_dir)
        except NoteError as exc:
            found.append(str(exc))
            continue
        # a note's slide heading must start a heading of the notebook, or the deck would put
        # it on the first slide (tools/slides.py, layout_for_projection)
        heads = [ln.lstrip("#").strip().lower() for c in nb.cells if c.cell_type == "markdown"
                 for ln in c.source.splitlines() if ln.startswith("#")]
        rise = rise_slides(nb)
        for cid, target, _ in _notes(path.stem, notes_dir):
            if target and not any(h.startswith(target.lower()) for h in heads):
                found.append(f"{path}: the note after {cid} names the slide {target!r}, "
                             f"but no heading of notebooks/{path.stem}.ipynb starts so")
                continue
            # in RISE the note shows on the slide of the cell it follows; in the decks on the
            # slide of its heading: the two must be the same slide
            shown = rise.get(cid, [])
            if target and not any(h.startswith(target.lower()) for h in shown):
                found.append(f"{path}: the note after {cid} names the slide {target!r}, but in "
                             f"RISE it shows on the slide of {cid}, whose headings are "
                             f"{shown or 'none'}: put it after the cell with that heading")
    return found


#: A relative link in markdown (``](target)``) or HTML (``href="target"``, ``src="target"``).
RELATIVE_LINK = re.compile(r"""(\]\(|\b(?:href|src)=["'])(?![a-z][a-z0-9+.-]*:|#|/)([^)\s"'#]+)""", re.I)


def relink(nb, out: Path, nb_dir: Path | None = None):
    """``nb`` (a notebook of ``nb_dir``) with each relative link that would not resolve from
    ``out`` (``../README.md#contents``: out is build/lecturer/notebooks) rewritten to reach the
    same file from there; links to the other notebooks, which are written beside it, stay."""
    import os

    nb_dir = (nb_dir or NB_DIR).resolve()

    def fix(m: re.Match) -> str:
        target = m.group(2)
        src = (nb_dir / target).resolve()
        if (out / target).exists() or not src.exists() or src.parent == nb_dir:
            return m.group(0)
        return m.group(1) + Path(os.path.relpath(src, out.resolve())).as_posix()

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = RELATIVE_LINK.sub(fix, cell.source)
    return nb


def build(out: Path = OUT_DIR, names: list[str] | None = None) -> list[Path]:
    """Write the lecturer copy of every notebook (or of ``names``) into ``out``, its
    relative links rewritten to resolve from there (:func:`relink`)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [NB_DIR / (n if n.endswith(".ipynb") else f"{n}.ipynb") for n in names] if names else notebooks()
    written = []
    for path in paths:
        nb = relink(lecturer_copy(nbformat.read(path, as_version=4), path.stem), out, path.parent)
        target = out / path.name
        nbformat.write(nb, target)
        written.append(target)
    if (NB_DIR / "rise.css").exists():   # RISE's style, read from the notebook's folder
        shutil.copyfile(NB_DIR / "rise.css", out / "rise.css")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("check", help="every note names a cell that exists")
    au = sub.add_parser("audit", help="by content: no lecturer-only passage reaches a learner or "
                                      "student file, every note reaches the lecturer's outputs")
    au.add_argument("--site", type=Path, help="the built public site (make site)")
    au.add_argument("--student", type=Path, help="the built student edition (make student)")
    au.add_argument("--lecturer", type=Path, help="the built lecturer copy (make lecturer)")
    au.add_argument("--decks", type=Path, help="the lecturer's decks (make slides)")
    b = sub.add_parser("build", help="the lecturer copy of the notebooks, notes merged back")
    b.add_argument("notebooks", nargs="*", help="names (default: all)")
    b.add_argument("--out", type=Path, default=OUT_DIR, help="default build/lecturer/notebooks")
    args = parser.parse_args(argv)
    if args.what == "check":
        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        count = sum(len(_notes(p.stem)) for p in notebooks())
        print(f"{count} notes in {NOTES_DIR.relative_to(ROOT)}: "
              + ("every one names a cell that exists, on the slide it names"
                 if not found else f"{len(found)} problems"))
        return 1 if found else 0
    if args.what == "audit":
        found = audit(NB_DIR, args.site, args.student, args.lecturer, args.decks)
        for line in found:
            print(line, file=sys.stderr)
        checked = ", ".join(f"{k} {v}" for k, v in [("learner", NB_DIR), ("site", args.site),
                            ("student", args.student), ("lecturer copy", args.lecturer),
                            ("decks", args.decks)] if v is not None)
        print(f"editions audit ({checked}): " + ("every note where it belongs, and nowhere else"
                                                 if not found else f"{len(found)} problems"))
        return 1 if found else 0
    try:
        written = build(args.out.resolve(), args.notebooks)
    except NoteError as exc:
        print(exc, file=sys.stderr)
        return 1
    notes = sum(len(_notes(p.stem)) for p in written)
    print(f"lecturer copy: {len(written)} notebooks, {notes} notes merged, in {args.out} "
          "(JupyterLab: open one, RISE's slideshow, then t for the speaker notes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
