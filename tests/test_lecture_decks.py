"""The designed lecture decks (lecturer/decks, tools/decks.py): one per planned lecture,
their figures and numbers taken from the notebooks' stored outputs (the build fails when a
cited output changes or disappears), their parts matching LECTURERS.md's plans, their
notes kept out of everything a learner gets. (tests/browser/test_lecture_decks_browser.py
measures them on screen.)"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from tools import decks

ROOT = Path(__file__).resolve().parents[1]

PLANS = {"lecture90": "## One session", "session1": "**Session 1", "session2": "**Session 2"}
DECKS = [p.stem for p in decks.sources()]


def test_a_deck_for_each_planned_lecture():
    assert sorted(DECKS) == sorted(PLANS)


@pytest.mark.parametrize("name", DECKS)
def test_deck_is_well_formed(name):
    header, slides = decks.parse(decks.DECKS / f"{name}.md")
    assert 10 <= len(slides) <= decks.MAX_SLIDES
    assert sum(s["minutes"] for s in slides) == float(header["minutes"]) == 90
    for k, s in enumerate(slides):
        assert s["notes"], f"{name} slide {k + 1}: no speaker notes"
        assert "`" not in s["title"], f"{name} slide {k + 1}: raw markup in the title"
        if s["title"].startswith("Question"):
            assert k + 1 < len(slides) and slides[k + 1]["title"].startswith("Answer"), \
                f"{name} slide {k + 1}: a question whose answer is not on the next slide"
        figures = [m for m in decks.REF.finditer(s["body"]) if m.group(1) == "figure"]
        assert len(figures) <= 1, f"{name} slide {k + 1}: more than one figure"
        assert not re.search(r"data:image|!\[", s["body"]), f"{name} slide {k + 1}: a pasted image"


@pytest.mark.parametrize("name", DECKS)
def test_every_reference_resolves_and_is_as_the_author_read_it(name):
    nb = decks.load(decks.DECKS / f"{name}.md")       # raises on a missing or changed output
    assert sum(c.metadata.slideshow.slide_type == "slide" for c in nb.cells) <= decks.MAX_SLIDES


def _referenced(kind):
    for name in DECKS:
        _, slides = decks.parse(decks.DECKS / f"{name}.md")
        for _, m in decks.references(slides):
            if m.group(1) == kind:
                return name, m
    raise AssertionError(f"no {kind} reference in any deck")


@pytest.mark.parametrize("kind", ["figure", "output", "number"])
def test_a_changed_output_fails_the_build(monkeypatch, kind):
    name, m = _referenced(kind)
    cell = copy.deepcopy(decks.cell(m.group(2), m.group(3)))
    for out in cell["outputs"]:
        if "image/png" in out.get("data", {}):
            out["data"]["image/png"] = out["data"]["image/png"][:-8] + "AAAAAAA="
        elif out.get("output_type") == "stream":
            out["text"] = re.sub(r"\d", lambda d: str((int(d.group(0)) + 1) % 10), out["text"])
    monkeypatch.setitem(decks._NB[m.group(2)], m.group(3), cell)
    with pytest.raises(decks.DeckError, match="changed"):
        decks.load(decks.DECKS / f"{name}.md")


@pytest.mark.parametrize("kind", ["figure", "output", "number"])
def test_a_vanished_output_fails_the_build(monkeypatch, kind):
    name, m = _referenced(kind)
    cell = copy.deepcopy(decks.cell(m.group(2), m.group(3)))
    cell["outputs"] = []
    monkeypatch.setitem(decks._NB[m.group(2)], m.group(3), cell)
    with pytest.raises(decks.DeckError, match="no such line|no stored figure|no longer matches"):
        decks.load(decks.DECKS / f"{name}.md")
    monkeypatch.delitem(decks._NB[m.group(2)], m.group(3))
    with pytest.raises(decks.DeckError, match="no such cell"):
        decks.load(decks.DECKS / f"{name}.md")


def test_a_malformed_slide_is_refused(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("title: x\n---\n## A claim\n\nNo notes here.\n")
    with pytest.raises(decks.DeckError, match="Notes"):
        decks.parse(bad)
    bad.write_text("title: x\n---\nno title\nNotes (1 min):\nx\n")
    with pytest.raises(decks.DeckError, match="## title"):
        decks.parse(bad)


def _parts(name):
    """(start, end minutes, first, last slide) of each row of the plan's table."""
    text = (ROOT / "LECTURERS.md").read_text()
    start = text.index(PLANS[name])
    table = text[text.index("| Time |", start):].split("\n\n")[0].splitlines()
    assert table[0].rstrip().endswith("Deck slides |"), f"{name}: the plan names no slides"
    rows = []
    for line in table[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        (h0, m0, h1, m1), slides = map(int, re.findall(r"\d+", cells[0])), cells[-1]
        first, _, last = slides.partition("-")
        rows.append((h0 * 60 + m0, h1 * 60 + m1, int(first), int(last or first)))
    return rows


@pytest.mark.parametrize("name", DECKS)
def test_the_plan_names_the_slides_of_each_part(name):
    """LECTURERS.md's table: each part's slides follow on, cover the deck, and their minutes
    are the part's time."""
    _, slides = decks.parse(decks.DECKS / f"{name}.md")
    rows = _parts(name)
    assert rows[0][2] == 1 and rows[-1][3] == len(slides)
    for (a0, a1, f, last), nxt in zip(rows, rows[1:] + [None]):
        if nxt:
            assert nxt[2] == last + 1 and nxt[0] == a1
        minutes = sum(s["minutes"] for s in slides[f - 1:last])
        assert minutes == a1 - a0, f"{name}: slides {f}-{last} take {minutes} min, the plan {a1 - a0}"
    text = (ROOT / "LECTURERS.md").read_text()
    assert f"Deck: `{name}` ({len(slides)} slides)" in text


def test_lecturer_notes_stay_out_of_learner_files():
    """The decks' notes are the lecturer's: no notebook, page template or student-edition
    source carries them, and the decks build under build/lecturer, not the site."""
    learner = [p for p in (ROOT / "notebooks").glob("*.ipynb")] + \
        [p for p in (ROOT / "tools" / "templates").rglob("*") if p.is_file()] + [ROOT / "README.md"]
    texts = {p: p.read_text(errors="replace") for p in learner}
    for name in DECKS:
        _, slides = decks.parse(decks.DECKS / f"{name}.md")
        for s in slides:
            probe = s["notes"][:60]
            leaks = [str(p.relative_to(ROOT)) for p, t in texts.items() if probe in t]
            assert not leaks, f"{name}: notes {probe!r} found in {leaks}"
    build = (ROOT / "tools" / "build.py").read_text()
    assert '"lectures": "lecturer/decks"' in build
    assert "build_lectures(" not in build.split("def build_site")[1].split("def ")[0]
