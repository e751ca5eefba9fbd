#!/usr/bin/env python3
"""The lecturer's sources: speaker notes kept apart from the notebooks, and the lecturer copy.

    python tools/lecturer.py check               # every note names a cell that exists
    python tools/lecturer.py build [--out DIR]   # build/lecturer/notebooks: notes merged back

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
        try:
            lecturer_copy(nbformat.read(nb_dir / f"{path.stem}.ipynb", as_version=4), path.stem, notes_dir)
        except NoteError as exc:
            found.append(str(exc))
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
