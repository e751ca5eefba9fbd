"""One course, three readers: each edition has what is its reader's, and nothing else.

Judged by content, not by a marker: the lecturer-only passages are the sentences of every
speaker note (lecturer/notes/*.md) and of LECTURERS.md's lecturer-only parts (the
questions for the room with their answers, the explorer's moves, the lecture plans, the
grep for copied answers); none may appear in a learner's or a student's file (the
notebooks as committed, every file of the built site, every file of the student edition),
however it is wrapped, marked up or reflowed; and every sentence of every note must reach
the lecturer's outputs (the lecturer copy of the notebooks, for RISE, and the speaker
notes of the decks). The site, the student edition and the decks are built once per
session (tests/conftest.py).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import lecturer  # noqa: E402  (tools/lecturer.py)
import sitepages  # noqa: E402  (tools/sitepages.py)
import slides  # noqa: E402  (tools/slides.py)

NOTEBOOKS = lecturer.notebooks()
NOTES = lecturer.note_passages()


# ----------------------------------------------------------------------------- sources
def test_every_note_names_a_cell_and_a_slide_that_exist():
    assert len(NOTES) >= 30 and all(NOTES.values()), "every note has sentences to check"
    assert lecturer.problems() == [], "\n".join(lecturer.problems())


def _notes_dir(tmp_path, stem, text):
    (tmp_path / f"{stem}.md").write_text(text)
    return tmp_path


def test_a_note_citing_a_missing_cell_or_slide_is_an_error(tmp_path):
    stem = NOTEBOOKS[3].stem
    nb = nbformat.read(NOTEBOOKS[3], as_version=4)
    missing = _notes_dir(tmp_path, stem, "# Notes\n\n## after c999: The problem\n\nSay it.\n")
    with pytest.raises(lecturer.NoteError, match="c999"):
        lecturer.lecturer_copy(nb, stem, missing)
    assert any("c999" in p for p in lecturer.problems(missing))
    (tmp_path / f"{stem}.md").write_text("## after c020: No such heading\n\nSay it.\n")
    assert any("No such heading" in p for p in lecturer.problems(tmp_path))
    for bad in ("## About c020\n\nSay it.\n", "## after c020: The problem\n\n"):
        (tmp_path / f"{stem}.md").write_text(bad)
        with pytest.raises(lecturer.NoteError):
            lecturer.lecturer_copy(nb, stem, tmp_path)
    (tmp_path / f"{stem}.md").unlink()
    (tmp_path / "99_no_such_notebook.md").write_text("## after c001\n\nSay it.\n")
    assert any("99_no_such_notebook" in p for p in lecturer.problems(tmp_path))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_the_lecturer_copy_puts_each_note_right_after_its_cell(path):
    nb = nbformat.read(path, as_version=4)
    copy = lecturer.lecturer_copy(nb, path.stem)
    notes = lecturer.notes_for(path.stem)
    merged = [c for c in copy.cells if slides.is_notes(c)]
    assert len(merged) == len(notes)
    assert [c for c in copy.cells if not slides.is_notes(c)] == nb.cells   # nothing else changes
    for cid, body in notes:
        k = next(i for i, c in enumerate(copy.cells) if c.get("id") == cid)
        note = copy.cells[k + 1]
        assert note.id == f"{cid}-notes" and note.metadata["slideshow"] == {"slide_type": "notes"}
        assert note.source.endswith(body)
    nbformat.validate(copy)


def test_03_c023_note_agrees_with_c023_and_the_tally():
    """The note said the spike was normalised to "a step of about alpha"; c023 says at most
    about 10 alpha_t, and the tally (c027) prints 7.96 in the repeating regime."""
    body = dict(lecturer.notes_for("03_online_setting_and_adams_drift"))["c023"]
    flat = " ".join(body.split())
    assert "10 alpha_t" in flat and "7.96 (c027 prints it)" in flat
    assert "a step of about alpha," not in flat


# ----------------------------------------------------------------------------- the audit itself
def test_the_audit_finds_a_passage_however_it_is_dressed(tmp_path):
    """Adversarial: a note pasted into a notebook without its marker, reflowed; a question
    for the room as HTML with markup and entities; in the site's search index."""
    key, passages = next(iter(NOTES.items()))
    stem = next(p.stem for p in NOTEBOOKS if p.stem.startswith(key[:2]))
    body = dict(lecturer.notes_for(stem))[key.split()[1]]
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_markdown_cell("Remember:\n" + "\n".join(body.split())))
    learner = tmp_path / "learner"
    learner.mkdir()
    nbformat.write(nb, learner / f"{stem}.ipynb")
    secret = [s for v in NOTES.values() for s in v] + lecturer.lecturers_md_passages()
    assert lecturer.leaks(learner, secret)

    room = next(s for s in lecturer.lecturers_md_passages() if "adam" in s)
    words = room.split()
    html = ("<p><em>" + " ".join(words[:3]) + "</em> &amp;\n" + " ".join(words[3:]).upper()
            + "</p>")
    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text(html)
    (site / "search-index.js").write_text(sitepages.search_index([{"text": " ".join(words)}]))
    found = lecturer.leaks(site, [room])
    assert len(found) == 2, found

    notes_cell = nbformat.v4.new_markdown_cell("<!-- notes -->\nShort.")
    nb.cells.insert(3, notes_cell)
    nbformat.write(nb, learner / f"{stem}.ipynb")
    assert lecturer.notes_cells(learner / f"{stem}.ipynb")


def test_the_lecturer_passages_are_the_lecturers_alone():
    """LECTURERS.md's lecturer-only passages include the questions for the room (with their
    answers) and the grep for copied answers, the leaks the issue found in the student
    edition; the edition tests below prove that none of them reaches a learner or student."""
    ours = lecturer.lecturers_md_passages()
    assert len(ours) >= 30
    assert any(s.startswith("grep") for s in ours)
    assert any("rmsprop with a constant alpha does it settle at the minimum" in s for s in ours)


# ----------------------------------------------------------------------------- the editions
def test_learner_edition_has_no_notes_and_no_lecturer_passage():
    found = lecturer.audit(learner=ROOT / "notebooks")
    assert not found, "\n".join(found[:10])
    for path in NOTEBOOKS:
        assert "<!-- notes" not in path.read_text()


def test_public_site_has_no_lecturer_passage_and_folds_worked_answers(built_site):
    found = lecturer.audit(site=built_site)
    assert not found, "\n".join(found[:10])
    for path in NOTEBOOKS:
        page = (built_site / f"{path.stem}.html").read_text()
        shown = re.sub(r'<details class="course-solution">.*?</details>', " ", page, flags=re.S)
        folded = sitepages.fold_worked_answers(nbformat.read(path, as_version=4))
        answers = [c for c in folded.cells if sitepages.ANSWER_TAG in c.metadata.get("tags", [])]
        assert answers, f"{path.name}: no worked answer found to fold"
        for cell in answers:
            text = lecturer.sentences(cell.source)
            inside = " " + lecturer.html_words(page) + " "
            outside = " " + lecturer.html_words(shown) + " "
            for s in text:
                assert f" {s} " in inside, (path.name, s)           # on the page, ...
                assert f" {s} " not in outside, (path.name, s)      # ... but folded away


def test_student_edition_has_no_lecturer_file_or_passage(student_edition):
    found = lecturer.audit(student=student_edition)
    assert not found, "\n".join(found[:10])
    assert not (student_edition / "LECTURERS.md").exists()
    assert not (student_edition / "CONTRIBUTING.md").exists()
    readme = (student_edition / "README.md").read_text()
    for heading in ("## How to open a notebook", "## How to run it", "## How to hand in", "## Contents"):
        assert heading in readme
    assert "LECTURERS" not in readme and "lecturer/" not in readme
    for path in (student_edition / "notebooks").glob("*.ipynb"):
        assert "LECTURERS.md" not in path.read_text(), path.name


def test_every_note_reaches_the_lecturer_copy_and_the_decks_speaker_view(lecturer_edition):
    found = lecturer.audit(lecturer_notebooks=lecturer_edition / "notebooks",
                           decks=lecturer_edition / "slides")
    assert not found, "\n".join(found[:10])
    for path in NOTEBOOKS:
        copy = json.loads((lecturer_edition / "notebooks" / path.name).read_text())
        ids = [c["id"] for c in copy["cells"]
               if c["metadata"].get("slideshow", {}).get("slide_type") == "notes"]
        assert ids == [f"{cid}-notes" for cid, _ in lecturer.notes_for(path.stem)]


def test_the_audit_fails_on_the_old_mixed_notebooks(tmp_path):
    """The check is not empty: merged back into notebooks/ (as before this change), every
    note is reported, and a deck without speaker notes lacks every note."""
    for path in NOTEBOOKS:
        nb = lecturer.lecturer_copy(nbformat.read(path, as_version=4), path.stem)
        nbformat.write(nb, tmp_path / path.name)
    found = lecturer.audit(learner=tmp_path)
    reported = {key for key, passages in NOTES.items() for s in passages if any(s in f for f in found)}
    assert reported == set(NOTES)
    decks = tmp_path / "decks"
    decks.mkdir()
    for path in NOTEBOOKS:
        (decks / f"{path.stem}.slides.html").write_text("<html><body>no notes</body></html>")
    assert len(lecturer.audit(decks=decks)) == sum(len(v) for v in NOTES.values())
