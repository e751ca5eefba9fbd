#!/usr/bin/env python3
"""The lecturer's sources: speaker notes kept apart from the notebooks, and the lecturer copy.

    python tools/lecturer.py check               # every note names a cell that exists
    python tools/lecturer.py build [--out DIR]   # build/lecturer/notebooks: notes merged back
    python tools/lecturer.py audit [--site DIR] [--student DIR] [--lecturer DIR] [--decks DIR]

Speaker notes (what to ask the room, with the answers; timings; what to run live) are for
the lecturer only, so they do not live in the notebooks, which are the learner's edition
(JupyterLab, Binder, Colab and the public site show them as they are). They live in
``lecturer/notes/NN_name.md``, one file per notebook with the notebook's stem, one section
per note; the heading names the cell the note follows and, after a colon, the heading of
the slide the note belongs to in a deck (as ``<!-- notes: Heading -->`` did in a cell)::

    ## after c020: The problem

    Speaker notes (the problem, ...). Ask before showing the numbers: ...

``## after c020`` alone puts the note on the slide that the next cell starts.

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
#: A passage is a sentence of at least this many words: shorter ones ("Then ask.") say
#: nothing that is the lecturer's alone.
MIN_WORDS = 8
LECTURERS_MD = ROOT / "LECTURERS.md"
#: The parts of LECTURERS.md that are for the lecturer's eyes only: the answers to the
#: questions for the room, the explorer's moves with their outcomes, the lecture plans, and
#: the grep that finds submissions using the checkers' reference code.
LECTURERS_SECTIONS = ("Questions to ask the room", "The interactive parts",
                      "One session (90 minutes)", "Two sessions")
WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> str:
    """Text as its words, lower case, one space apart: markdown, HTML and reflowed lines
    compare equal ("*One period, tallied*" and "<em>One period, tallied</em>")."""
    return " ".join(WORD.findall(text.lower()))


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` with at least MIN_WORDS words, as :func:`words`."""
    parts = re.split(r"(?<=[.?!;])\s+|\n\s*[-*|]\s+|\n\n", text)
    return [w for w in (words(p) for p in parts) if len(w.split()) >= MIN_WORDS]


def note_passages(notes_dir: Path | None = None) -> dict[str, list[str]]:
    """{"NN cNNN": [its sentences]} for every note of lecturer/notes."""
    out = {}
    for path in sorted((notes_dir or NOTES_DIR).glob("*.md")):
        for cid, _, body in parse(path.read_text(encoding="utf-8"), str(path)):
            out[f"{path.stem[:2]} {cid}"] = sentences(body)
    return out


def lecturers_md_passages(path: Path = LECTURERS_MD) -> list[str]:
    """The sentences of LECTURERS.md's lecturer-only parts (LECTURERS_SECTIONS, and every
    grep command line)."""
    text = path.read_text(encoding="utf-8")
    out = []
    for part in re.split(r"^(?=## )", text, flags=re.M):
        if part.startswith("## ") and part[3:].startswith(LECTURERS_SECTIONS):
            out += sentences(part.split("\n", 1)[1])
    for line in text.splitlines():
        if line.strip().startswith("grep "):
            out.append(words(line))
    return out


def html_words(raw: str) -> str:
    """The text of an HTML page or fragment (tags dropped, entities decoded), as :func:`words`."""
    import html as html_lib

    return words(html_lib.unescape(re.sub(r"<[^>]+>", " ", raw)))


def readable_text(path: Path) -> str:
    """What a reader of the file can see in it, as :func:`words`: a notebook's cell sources
    and outputs, an HTML page's text and attributes' values, any other file as it is."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        import json

        chunks = []
        for cell in json.loads(raw).get("cells", []):
            chunks.append("".join(cell.get("source", "")))
            for out in cell.get("outputs", []):
                chunks.append("".join(out.get("text", "")))
                chunks += ["".join(v) if isinstance(v, list) else str(v)
                           for k, v in out.get("data", {}).items() if k.startswith("text/")]
        return words("\n\n".join(chunks))
    if path.suffix in (".html", ".htm", ".js"):
        data = re.match(r"\s*window\.\w+\s*=\s*(.*?);?\s*$", raw, re.S) if path.suffix == ".js" else None
        if data:                                   # the site's search index: JSON strings
            import json

            try:
                raw = json.dumps(json.loads(data.group(1)), ensure_ascii=False)
            except ValueError:
                pass
        return html_words(raw)
    return words(raw)


TEXT_SUFFIXES = {".ipynb", ".html", ".htm", ".js", ".md", ".txt", ".py", ".toml", ".yml",
                 ".yaml", ".cfg", ".json", ""}


def leaks(folder_or_files, passages: list[str]) -> list[str]:
    """["file: passage"] for every passage found in a text file under ``folder_or_files``
    (a folder or a list of files). Vendored code (reveal.js, MathJax) is skipped."""
    files = folder_or_files
    if isinstance(files, Path):
        files = [p for p in sorted(files.rglob("*")) if p.is_file()
                 and p.suffix in TEXT_SUFFIXES and not {"reveal.js", "mathjax"} & set(p.parts)]
    found = []
    for path in files:
        text = " " + readable_text(path) + " "
        found += [f"{path}: {s}" for s in passages if f" {s} " in text]
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
      contain no lecturer-only passage (no sentence of a note, nor of LECTURERS.md's
      lecturer-only parts) and no notes cell, and the student edition no LECTURERS.md;
    - every sentence of every note is in the lecturer copy of its notebook and in the
      speaker notes (``<aside class="notes">``) of its deck.
    Any of the folders may be None (not checked)."""
    notes = note_passages()
    secret = [s for v in notes.values() for s in v] + lecturers_md_passages()
    found = []
    for name, folder in (("learner edition", learner), ("site", site), ("student edition", student)):
        if folder is None:
            continue
        found += [f"{name}: lecturer-only passage in {leak}" for leak in leaks(folder, secret)]
        for path in sorted(folder.rglob("*.ipynb")):
            found += [f"{name}: {path} has a speaker-notes cell {cid}" for cid in notes_cells(path)]
    if student is not None:
        found += [f"student edition: {p} is for the lecturer" for p in
                  (student / "LECTURERS.md", student / "lecturer") if p.exists()]
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


def problems(notes_dir: Path | None = None, nb_dir: Path | None = None) -> list[str]:
    """What is wrong with the notes: a file for no notebook, a malformed heading, an empty
    note, a note after a cell its notebook does not have."""
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
        for cid, target, _ in _notes(path.stem, notes_dir):
            if target and not any(h.startswith(target.lower()) for h in heads):
                found.append(f"{path}: the note after {cid} names the slide {target!r}, "
                             f"but no heading of notebooks/{path.stem}.ipynb starts so")
    return found


def build(out: Path = OUT_DIR, names: list[str] | None = None) -> list[Path]:
    """Write the lecturer copy of every notebook (or of ``names``) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [NB_DIR / (n if n.endswith(".ipynb") else f"{n}.ipynb") for n in names] if names else notebooks()
    written = []
    for path in paths:
        nb = lecturer_copy(nbformat.read(path, as_version=4), path.stem)
        target = out / path.name
        nbformat.write(nb, target)
        written.append(target)
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
              + ("every one names a cell that exists" if not found else f"{len(found)} problems"))
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
