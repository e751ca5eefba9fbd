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
from pathlib import Path

import nbformat
import pytest

from tools import lecturer, sitepages, slides

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOKS = lecturer.notebooks()
NOTES = lecturer.note_passages()


# ----------------------------------------------------------------------------- sources
def test_every_note_names_a_cell_and_a_slide_that_exist():
    assert sum(len(lecturer.notes_for(p.stem)) for p in NOTEBOOKS) >= 30
    assert all(NOTES.values()), "every note has sentences to check"
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
    seen: dict[str, int] = {}
    for cid, body in notes:                  # several notes after one cell: in the file's order
        k = next(i for i, c in enumerate(copy.cells) if c.get("id") == cid)
        note = copy.cells[k + 1 + seen.get(cid, 0)]
        seen[cid] = seen.get(cid, 0) + 1
        assert note.id == f"{cid}-notes" + (str(seen[cid]) if seen[cid] > 1 else "")
        assert note.metadata["slideshow"] == {"slide_type": "notes"}
        assert note.source.endswith(body)
    ids = [c.get("id") for c in copy.cells]
    assert len(ids) == len(set(ids)), "cell ids are unique"
    nbformat.validate(copy)


def test_a_note_must_be_on_the_rise_slide_of_its_heading(tmp_path):
    """RISE shows a note on the slide of the cell it follows, the decks on the slide of its
    heading: a note after 05's Recap cell (c003) naming The update (c005's slide) is
    reported, for every note of every notebook (problems() checks them all)."""
    stem = "05_amsgrad_from_scratch"
    text = lecturer.notes_path(stem).read_text()
    bad = text.replace("## after c005: The update", "## after c003: The update")
    assert bad != text
    (tmp_path / f"{stem}.md").write_text(bad)
    found = lecturer.problems(tmp_path)
    assert len(found) == 1 and "c003" in found[0] and "RISE" in found[0], found
    rise = lecturer.rise_slides(nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4))
    assert "the update" in rise["c005"] and "recap" in rise["c003"] and "the update" not in rise["c003"]


#: A reference to a section of another document: ``CONTRIBUTING.md, *Heading*``.
SECTION_REF = re.compile(r"\b([A-Z][A-Z_]*\.md)\)?,\s+\*([^*]+)\*")


def _headings(path):
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.S | re.M)
    return [ln.lstrip("#").strip() for ln in text.splitlines() if re.match(r"#{1,6} ", ln)]


def test_every_reference_to_a_section_resolves():
    """"CONTRIBUTING.md, *Who reads what*" must name a heading of that file (all of it, or
    its part before a colon), in every document and every note."""
    docs = sorted(ROOT.glob("*.md")) + sorted((ROOT / "lecturer" / "notes").glob("*.md")) \
        + [ROOT / "tools" / "templates" / "student" / "README.md"]
    refs = 0
    for doc in docs:
        for name, cited in SECTION_REF.findall(doc.read_text()):
            target = ROOT / name
            if not target.exists():
                continue
            cited = " ".join(cited.split())
            refs += 1
            assert any(h == cited or h.startswith(cited + ":") for h in _headings(target)), \
                f"{doc.relative_to(ROOT)} cites {name}, *{cited}*, which has no such heading"
    assert refs >= 11


def test_03_c023_note_agrees_with_c023_and_the_tally():
    """The note said the spike was normalised to "a step of about alpha"; c023 says at most
    about 10 alpha_t, and the tally (c027) prints 7.96 in the repeating regime."""
    body = dict(lecturer.notes_for("03_online_setting_and_adams_drift"))["c023"]
    flat = " ".join(body.split())
    assert "10 alpha_t" in flat and "7.96 (c027 prints it)" in flat
    assert "a step of about alpha," not in flat


# ----------------------------------------------------------------------------- the audit itself
SECRET = lecturer.lecturer_only()


def _leaks_in(tmp_path, name, content):
    """The audit's findings on a folder holding one file ``name`` with ``content`` (a str,
    or a notebook node)."""
    folder = tmp_path / re.sub(r"\W", "_", name)
    folder.mkdir()
    if isinstance(content, str):
        (folder / name).write_text(content)
    else:
        nbformat.write(content, folder / name)
    return lecturer.leaks(folder, SECRET)


def _with_cell(cell, stem="01_from_gradient_descent_to_rmsprop"):
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    nb.cells.insert(5, cell)
    return nb


def _note(stem_prefix, cid):
    return lecturer.note_bodies()[f"{stem_prefix} {cid}"]


def _quoted(body):
    """The first question the note quotes ("...?")."""
    return re.search(r'"([^"]+\?)"', " ".join(body.split())).group(1)


#: Leaks the sentence-based audit missed (review of issue 18), each as a learner would get
#: it: (name, file name, how to dress the text, the note it comes from, the text).
def _misses():
    body03 = _note("03", "c020")
    return [
        ("after a quoted question (01 c008)", "01 c008",
         "They add up to 1 - beta^t, not 1: the average starts too small."),
        ("after a quoted question (01 c005)", "01 c005",
         "The steep one: alpha must stay below 2/b, and then the flat direction crawls."),
        ("the quoted question itself (03 c020)", "03 c020", _quoted(body03)),
        ("part of a sentence (03 c023)", "03 c023",
         "with v_(t-1) = 0, v_t = 0.001 C^2 and the step is C / (0.0316 C) = 31.6 alpha_t"),
        ("a short sentence (03 c020)", "03 c020", "Let the room commit to an answer."),
    ]


def _dressings(text):
    """The places a reader finds text that the old audit never read."""
    html_text = text.replace(" ", "&nbsp;", 3).replace("<", "&lt;")
    alt = nbformat.v4.new_markdown_cell("![](attachment:f.png)")
    alt.metadata["mystnb"] = {"image": {"alt": text}}
    svg = nbformat.v4.new_code_cell("plot()")
    svg.outputs = [nbformat.v4.new_output("display_data", data={
        "image/svg+xml": f'<svg xmlns="http://www.w3.org/2000/svg"><text x="0">{html_text}</text></svg>',
        "text/plain": "<Figure>"})]
    return [
        ("markdown cell", "nb.ipynb", _with_cell(nbformat.v4.new_markdown_cell("Remember:\n" + text))),
        ("cell metadata (mystnb.image.alt)", "nb.ipynb", _with_cell(alt)),
        ("SVG output", "nb.ipynb", _with_cell(svg)),
        ("HTML entities", "page.html", f"<p>{html_text}</p>"),
        ("alt attribute", "page.html", f'<img src="f.png" alt="{html_text}">'),
        ("title attribute", "page.html", f'<a href="#" title="{html_text}">x</a>'),
        ("aria-label attribute", "page.html", f'<button aria-label="{html_text}">?</button>'),
        ("svg file", "figure.svg", f'<svg><title>{html_text}</title></svg>'),
    ]


@pytest.mark.parametrize("case", range(5))
def test_the_audit_finds_every_miss_of_the_review_wherever_it_is(tmp_path, case):
    """Adversarial: each leak the sentence-based audit missed (text glued to a quoted
    question, part of a sentence, a short sentence), in each place it never read (cell
    metadata, SVG outputs, attribute values, entities), is reported."""
    what, key, text = _misses()[case]
    assert lecturer.words(text) in " ".join(lecturer.text_words(_note(*key.split())).split()), \
        f"{what}: the case no longer quotes note {key}: update it"
    for where, name, content in _dressings(text):
        found = _leaks_in(tmp_path, f"{case}_{where}_{name}", content)
        assert found, f"{what}, in a {where}: not reported"


def test_the_audit_finds_lecturers_md_grading_advice(tmp_path):
    """LECTURERS.md's advice on grading (Running the course in a class) is lecturer-only."""
    text = ('So read the points as "the notebook runs and its answers are right". Weight the '
            "function exercises")
    assert lecturer.words(text) in lecturer.words(lecturer.LECTURERS_MD.read_text())
    assert _leaks_in(tmp_path, "README.md", text)


def test_every_run_of_every_note_is_caught_unless_the_course_has_it(tmp_path):
    """General: every note has lecturer-only runs of words, and each of them alone, in a
    student's file, is reported (a sample of 200, all notes, fixed seed)."""
    import random

    for key, body in lecturer.note_bodies().items():
        ours = lecturer.shingles(lecturer.text_words(body)) & SECRET.keys()
        assert ours, f"note {key}: no run of {lecturer.SHINGLE} words that is the lecturer's alone"
    sample = random.Random(18).sample(sorted(SECRET), 200)
    folder = tmp_path / "runs"
    folder.mkdir()
    for i, run in enumerate(sample):
        (folder / f"{i}.md").write_text(f"Some text. {run.upper()} and more.\n")
    assert len({f.split(":")[0] for f in lecturer.leaks(folder, SECRET)}) == len(sample)


def test_a_note_pasted_into_the_notebooks_themselves_is_caught(tmp_path):
    """The subtraction of the learner's own text cannot see a note pasted into notebooks/
    (it would then be the learner's text too); a run of LONG_RUN words of a note is caught
    all the same, and no note legitimately quotes the course at that length (margin kept)."""
    stem = "03_online_setting_and_adams_drift"
    learner = tmp_path / "notebooks"
    learner.mkdir()
    for path in NOTEBOOKS:
        (learner / path.name).write_bytes(path.read_bytes())
    body = _note("03", "c023")
    pasted = body.split("Speaker notes (why Adam goes the wrong way).")[1]   # no phrase, no marker
    nb = nbformat.read(learner / f"{stem}.ipynb", as_version=4)
    nb.cells.insert(5, nbformat.v4.new_markdown_cell(pasted))
    nbformat.write(nb, learner / f"{stem}.ipynb")
    secret = lecturer.lecturer_only(nb_dir=learner)     # the learner's text now has the note
    found = lecturer.leaks(learner, secret)
    assert any("note 03 c023 (a run of" in f for f in found), found
    texts = [lecturer.readable_text(p) for p in NOTEBOOKS + lecturer.LEARNER_DOCS]
    margin = lecturer.LONG_RUN - 5
    common = set().union(*(lecturer.shingles(t, margin) for t in texts))
    for key, note in lecturer.note_bodies().items():
        assert not lecturer.shingles(lecturer.text_words(note), margin) & common, \
            f"note {key} quotes the course at {margin}+ words: cite the cell instead, or raise LONG_RUN"


def test_the_lecturers_phrases_are_the_lecturers(tmp_path):
    """Each phrase of LECTURER_PHRASES is in the lecturer's sources, so it is their
    language; a file with one is reported even with no run of note words around it."""
    sources = " " + " ".join(lecturer.text_words(b) for b in lecturer.note_bodies().values()) + " "
    sources += lecturer.words(lecturer.LECTURERS_MD.read_text())
    for phrase in lecturer.LECTURER_PHRASES:
        assert f" {phrase} " in f" {sources} ", phrase
        assert _leaks_in(tmp_path, f"{phrase.replace(' ', '_')}.md", f"See the {phrase.upper()}.")


def test_the_audit_finds_a_passage_however_it_is_dressed(tmp_path):
    """Adversarial: a note pasted into a notebook without its marker, reflowed; a question
    for the room as HTML with markup and entities; in the site's search index."""
    key, _ = next(iter(NOTES.items()))
    stem = next(p.stem for p in NOTEBOOKS if p.stem.startswith(key[:2]))
    body = dict(lecturer.notes_for(stem))[key.split()[1]]
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_markdown_cell("Remember:\n" + "\n".join(body.split())))
    assert _leaks_in(tmp_path, f"{stem}.ipynb", nb)

    room = next(s for s in lecturer.lecturers_md_passages() if "adam" in s
                and lecturer.shingles(s) & SECRET.keys())
    words = room.split()
    html = ("<p><em>" + " ".join(words[:3]) + "</em> &amp;\n" + " ".join(words[3:]).upper()
            + "</p>")
    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text(html)
    (site / "search-index.js").write_text(sitepages.search_index([{"text": " ".join(words)}]))
    found = lecturer.leaks(site, SECRET)
    assert {f.split(":")[0] for f in found} == {str(site / "page.html"), str(site / "search-index.js")}, found

    notes_cell = nbformat.v4.new_markdown_cell("<!-- notes -->\nShort.")
    nb.cells.insert(3, notes_cell)
    nbformat.write(nb, tmp_path / f"{stem}.ipynb")
    assert lecturer.notes_cells(tmp_path / f"{stem}.ipynb")


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


def _worked_answers():
    """{notebook stem: the sentences of its worked answers}, as the site folds them."""
    out = {}
    for path in NOTEBOOKS:
        folded = sitepages.fold_worked_answers(nbformat.read(path, as_version=4))
        cells = [c for c in folded.cells if sitepages.ANSWER_TAG in c.metadata.get("tags", [])]
        assert cells, f"{path.name}: no worked answer found to fold"
        out[path.stem] = [s for c in cells for s in lecturer.sentences(c.source) if len(s.split()) >= 5]
    return out


def test_public_site_has_no_lecturer_passage_and_folds_worked_answers(built_site):
    """No lecturer-only text anywhere on the site, and no worked answer on screen in any
    file of it (pages, decks, the decks' index, the search index): only inside a page's
    folded <details class="course-solution">. The notebooks offered for download
    (site/notebooks/*.ipynb) are the learner edition itself, answers at their end."""
    found = lecturer.audit(site=built_site)
    assert not found, "\n".join(found[:10])
    answers = _worked_answers()
    every = [s for v in answers.values() for s in v]
    assert len(every) >= 40
    files = [p for p in lecturer._files(built_site) if p.suffix in (".html", ".htm", ".js", ".svg")]
    assert len(files) >= 2 * len(NOTEBOOKS) + 2                       # pages, decks, indexes
    for path in files:
        raw = path.read_text(encoding="utf-8", errors="replace")
        shown = re.sub(r'<details class="course-solution">.*?</details>', " ", raw, flags=re.S)
        if path.suffix == ".js":                                     # the search index: folded text is not searched
            outside = " " + lecturer.readable_text(path) + " "
        else:
            outside = " " + lecturer.text_words(shown) + " "
        on_screen = [s for s in every if f" {s} " in outside]
        assert not on_screen, (str(path.relative_to(built_site)), on_screen[:3])
    for stem, sentences in answers.items():                            # still there, folded
        inside = " " + lecturer.html_words((built_site / f"{stem}.html").read_text()) + " "
        assert all(f" {s} " in inside for s in sentences), stem
        deck = (built_site / "slides" / f"{stem}.slides.html").read_text()
        assert f'href="../{stem}.html"' in deck, f"{stem}: the deck's Solutions slide points to the page"
    index = (built_site / "slides" / "index.html").read_text()
    assert "make handouts" not in index and "speaker" not in index.lower()


def test_public_decks_fold_the_solutions_section_and_nothing_else():
    """tools/build.py's public decks: the Solutions section (to the next level-2 heading)
    becomes one pointer slide; the cells before and after it stay."""
    from tools import build

    for path in NOTEBOOKS:
        nb = build.read(path)
        public = build.without_solutions(build.read(path), path.stem)
        heads = [student_heading(c) for c in nb.cells]
        k = heads.index("Solutions")
        end = next((i for i in range(k + 1, len(heads)) if heads[i]), len(heads))
        assert public.cells[:k] == nb.cells[:k] and public.cells[k + 1:] == nb.cells[end:]
        assert f"(../{path.stem}.html)" in public.cells[k].source


def student_heading(cell):
    first = cell.source.lstrip().split("\n", 1)[0] if cell.cell_type == "markdown" else ""
    return first[3:].strip() if first.startswith("## ") else None


def test_student_edition_has_no_lecturer_file_or_passage(student_edition):
    found = lecturer.audit(student=student_edition)
    assert not found, "\n".join(found[:10])
    assert not (student_edition / "LECTURERS.md").exists()
    assert not (student_edition / "CONTRIBUTING.md").exists()
    readme = (student_edition / "README.md").read_text()
    for heading in ("## How to open a notebook", "## How to run it", "## How to hand in", "## Contents"):
        assert heading in readme
    assert "LECTURERS" not in readme and "lecturer/" not in readme
    for path in lecturer._files(student_edition):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert "LECTURERS.md" not in text and "lecturer/" not in text, path


def test_student_edition_makefile_needs_only_what_it_ships(student_edition):
    """Every target of the student Makefile: its prerequisites and the files its recipes
    name exist in the edition (make -n resolves them all), and there is no `test` target
    (the edition has no tests); the pyproject has no test-runner settings naming files it
    lacks; the notebooks no longer promise `make test` or worked solutions."""
    import shutil
    import subprocess

    makefile = (student_edition / "Makefile").read_text()
    targets = re.findall(r"^([a-z][\w-]*):", makefile, flags=re.M)
    assert set(targets) == {"lab", "check"}
    if shutil.which("make"):
        done = subprocess.run(["make", "-n", "-C", str(student_edition), *targets],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        for path in re.findall(r"(?<![\w.$/-])((?:notebooks|requirements|tools|tests|amslib)/[\w./*-]+)", done.stdout):
            assert list(student_edition.glob(path)), f"make {targets} names {path}, not in the edition"
    for line in re.findall(r"^\S+:(.*)$", makefile, flags=re.M):
        for prereq in line.split():
            if "$" not in prereq and not prereq.startswith("="):
                assert (student_edition / prereq).exists() or prereq in targets, prereq
    pyproject = (student_edition / "pyproject.toml").read_text()
    assert "[tool.pytest" not in pyproject and "sanitize.cfg" not in pyproject
    text = " ".join((student_edition / "notebooks" / p.name).read_text() for p in NOTEBOOKS)
    assert "make test" not in text and "worked solutions end" not in text
    assert "`make check` runs every notebook" in text


def test_student_rewording_applies_to_the_course_sentences():
    """tools/student.py's rewording matches the sentences as the notebooks have them today
    (so it cannot go stale silently), and the result says neither."""
    from tools import student

    course = "\n".join("".join(c["source"]) for p in NOTEBOOKS for c in json.loads(p.read_text())["cells"])
    for pattern, _ in student.STUDENT_REWORDING:
        assert pattern.search(course), f"{pattern.pattern}: no longer in the notebooks"
    assert student.reword("environment; `make test` runs all tests.") == \
        "environment; `make check` runs every notebook top to bottom and reports the first error."
    assert student.reword("and exercises with worked solutions end each notebook.") == \
        "and exercises end each notebook."


def test_student_notebooks_keep_the_figures_alt_text(student_edition):
    """mystnb.image.alt (what the site and screen readers give as a figure's alt text) is
    kept on every cell the student edition keeps."""
    kept = 0
    for path in NOTEBOOKS:
        ours = {c["id"]: c for c in json.loads((student_edition / "notebooks" / path.name).read_text())["cells"]}
        for cell in json.loads(path.read_text())["cells"]:
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt")
            if alt and cell["id"] in ours:
                assert ours[cell["id"]]["metadata"]["mystnb"]["image"]["alt"] == alt, (path.name, cell["id"])
                kept += 1
    assert kept >= 10


def test_every_note_reaches_the_lecturer_copy_and_the_decks_speaker_view(lecturer_edition):
    found = lecturer.audit(lecturer_notebooks=lecturer_edition / "notebooks",
                           decks=lecturer_edition / "slides")
    assert not found, "\n".join(found[:10])
    for path in NOTEBOOKS:
        copy = json.loads((lecturer_edition / "notebooks" / path.name).read_text())
        ids = [c["id"] for c in copy["cells"]
               if c["metadata"].get("slideshow", {}).get("slide_type") == "notes"]
        expected, seen = [], {}
        for cid, _ in lecturer.notes_for(path.stem):
            seen[cid] = seen.get(cid, 0) + 1
            expected.append(f"{cid}-notes" + (str(seen[cid]) if seen[cid] > 1 else ""))
        assert ids == expected


def test_every_relative_link_of_the_lecturer_copy_resolves(lecturer_edition):
    """The lecturer copy lives in build/lecturer/notebooks: its navigation links
    (../README.md#contents) are rewritten to reach the same files from there."""
    folder = lecturer_edition / "notebooks"
    checked = 0
    for path in sorted(folder.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for _, target in lecturer.RELATIVE_LINK.findall(cell.source):
                checked += 1
                assert (folder / target).resolve().exists(), (path.name, cell.get("id"), target)
    assert checked >= 100


def test_relink_rewrites_only_what_would_break(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        "[c](../README.md#contents) [n](01_from_gradient_descent_to_rmsprop.ipynb) "
        '[w](https://example.org/x) [a](#Glossary) <a href="../LICENSE">l</a>')]
    out = tmp_path / "deep" / "er"
    out.mkdir(parents=True)
    text = lecturer.relink(nb, out).cells[0].source
    for target in ("01_from_gradient_descent_to_rmsprop.ipynb", "https://example.org/x", "#Glossary"):
        assert f"({target})" in text
    for _, target in lecturer.RELATIVE_LINK.findall(text):
        if not target.endswith(".ipynb"):
            assert (out / target).resolve() in {ROOT / "README.md", ROOT / "LICENSE"}, target


def test_the_audit_fails_on_the_old_mixed_notebooks(tmp_path):
    """The check is not empty: merged back into notebooks/ (as before this change), every
    note is reported, and a deck without speaker notes lacks every note."""
    for path in NOTEBOOKS:
        nb = lecturer.lecturer_copy(nbformat.read(path, as_version=4), path.stem)
        nbformat.write(nb, tmp_path / path.name)
    found = lecturer.audit(learner=tmp_path)
    reported = {key for key in NOTES if any(f"note {key}:" in f for f in found)}
    assert reported == set(NOTES)
    decks = tmp_path / "decks"
    decks.mkdir()
    for path in NOTEBOOKS:
        (decks / f"{path.stem}.slides.html").write_text("<html><body>no notes</body></html>")
    assert len(lecturer.audit(decks=decks)) == sum(len(v) for v in NOTES.values())
