"""The rules that give every notebook cell its slide type (tools/slides.py)."""
from __future__ import annotations

from pathlib import Path

import nbformat

from tools import slides

ROOT = Path(__file__).resolve().parents[1]


def md(source, tags=None, **meta):
    cell = nbformat.v4.new_markdown_cell(source)
    if tags:
        cell.metadata["tags"] = tags
    cell.metadata.update(meta)
    return cell


def code(source, tags=None, outputs=()):
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = tags
    cell.outputs = list(outputs)
    return cell


def kinds(cells):
    nb = nbformat.v4.new_notebook(cells=cells)
    slides.apply_slide_metadata(nb)
    return [c.metadata["slideshow"]["slide_type"] for c in nb.cells]


def test_the_rules():
    cells = [
        md("[Contents](../README.md#contents)", tags=["nav"]),
        md("# Title"),
        md("## What you will learn\n- a"),
        code("import amslib.setup", tags=["setup"]),
        md("## Theory\n" + "Long text. " * 60),
        md("<!-- notes -->\nSay this aloud."),
        md("### A step"),
        md("A short introduction:"),
        code("x = 1\nprint(x)"),
        md("What the output shows."),
        code("# Figure: a plot\nplot()"),
        code("y = 2"),
        md("**Exercise 2.** Do it."),
        code("answer = None"),
        code("check(solution)", tags=["solution"]),
        md("A remark.\n\n### With a heading inside"),
    ]
    assert kinds(cells) == ["skip", "slide", "slide", "skip", "slide", "notes", "subslide",
                            "subslide", "fragment", "fragment", "subslide", "subslide",
                            "subslide", "fragment", "skip", "subslide"]


def test_locked_cells_keep_their_slide_type_and_rules_are_idempotent():
    locked = md("A remark.", slideshow={"slide_type": "slide"}, slideshow_locked=True)
    nb = nbformat.v4.new_notebook(cells=[md("# Title"), code("x = 1"), locked])
    slides.apply_slide_metadata(nb)
    first = nbformat.writes(nb)
    slides.apply_slide_metadata(nb)
    assert nbformat.writes(nb) == first
    assert nb.cells[2].metadata["slideshow"] == {"slide_type": "slide"}


def test_outputs_do_not_change_the_stored_metadata():
    bare = [md("Intro:"), code("print(1)")]
    ran = [md("Intro:"), code("print(1)", outputs=[nbformat.v4.new_output(
        "stream", name="stdout", text="1\n" * 200)])]
    assert kinds(bare) == kinds(ran)


def test_long_markdown_is_split_for_the_screen():
    text = "## Theory\n\n" + "\n\n".join(f"### Part {k}\n" + "Words and more words. " * 30
                                         for k in range(6))
    nb = nbformat.v4.new_notebook(cells=[md(text)])
    laid = slides.layout_for_projection(slides.apply_slide_metadata(nb))
    assert len(laid.cells) > 1
    assert all(slides.cell_height(c) <= slides.BUDGET_H for c in laid.cells)
    assert [c.metadata["slideshow"]["slide_type"] for c in laid.cells][1:] == \
        ["subslide"] * (len(laid.cells) - 1)


def test_long_code_is_cut_between_top_level_statements_only():
    from tools.slides import CODE_LINE_H, _split_code

    body = "\n".join(f"    y{i} = x + {i}" for i in range(12))
    src = "\n\n".join(f"def f{k}(x):\n{body}\n    return x" for k in range(6))
    budget = 24 + CODE_LINE_H * 30          # room for 30 lines a slide
    pieces = _split_code(src, budget)
    assert len(pieces) > 1
    for piece in pieces:
        assert piece.startswith("def f")                      # never inside a function
        assert piece.count("def ") == piece.count("return x")
        assert len(piece.splitlines()) <= 30
    assert "\n\n".join(pieces) == src                         # nothing lost or reordered
    assert _split_code("x = 1\ny = 2", budget) == ["x = 1\ny = 2"]


def test_a_self_check_is_a_subslide_with_its_answer_cell():
    cells = [
        md("## Theory\n" + "Text. " * 80),
        md("**Check your understanding.** " + "Which one? " * 40),
        code('answer = None  # your answer\nselfcheck.check("key", answer)'),
    ]
    assert kinds(cells) == ["slide", "subslide", "fragment"]


def _slides_of(nb):
    groups = []
    for c in nb.cells:
        kind = c.metadata["slideshow"]["slide_type"]
        if kind in ("slide", "subslide"):
            groups.append([])
        groups[-1].append(c)
    return groups


def test_notes_go_with_the_slide_they_prepare_or_name():
    cells = [md("# Title\n" + "Intro words " * 3), md("## Theory\n### Part A\n" + "Text a. " * 30),
             md("<!-- notes -->\nSay this before Part B."),
             md("### Part B\n" + "Text b. " * 30),
             md("<!-- notes: Part A -->\nAbout Part A, written after it.")]
    laid = slides.layout_for_projection(slides.apply_slide_metadata(
        nbformat.v4.new_notebook(cells=cells)))
    where = {}
    for group in _slides_of(laid):
        for c in group:
            if c.metadata["slideshow"]["slide_type"] == "notes":
                where[c.source.splitlines()[1]] = "\n".join(x.source for x in group)
    # short parts share a slide (slides are filled): the note is on the slide showing its part
    assert "### Part B" in where["Say this before Part B."]
    assert "### Part A" in where["About Part A, written after it."]


def test_every_slide_has_a_heading_fits_and_is_not_a_stray_line():
    long_para = " ".join(f"Sentence number {k} says something." for k in range(80))
    cells = [md("# Title"), md("## Theory"), md("### Part\n" + long_para),
             code("\n".join(f"x{k} = {k}" for k in range(70)),
                  outputs=[nbformat.v4.new_output("stream", name="stdout",
                                                  text="".join(f"line {k}\n" for k in range(90)))]),
             md("Short remark."), md("### Next\n" + "Words here. " * 40)]
    laid = slides.layout_for_projection(slides.apply_slide_metadata(
        nbformat.v4.new_notebook(cells=cells)))
    for group in _slides_of(laid):
        shown = [c for c in group if c.metadata["slideshow"]["slide_type"] != "notes"]
        first = shown[0]
        assert first.cell_type == "markdown" and first.source.lstrip().startswith(("#", "<h3")), first.source[:40]
        assert sum(slides.cell_height(c) for c in shown) <= slides.BUDGET_H + 1
        words = sum(slides.prose_words(c.source) for c in shown if c.cell_type == "markdown")
        assert words <= slides.MAX_WORDS
        assert len(shown) > 1 or slides.prose_words(first.source) >= 15
    text = " ".join(c.source for c in laid.cells if c.cell_type == "markdown")
    assert all(f"Sentence number {k} says" in text for k in range(80))     # nothing lost
    printed = "".join(o["text"] for c in laid.cells if c.cell_type == "code" for o in c.outputs)
    assert printed == "".join(f"line {k}\n" for k in range(90))


def _laid(cells):
    return _slides_of(slides.layout_for_projection(slides.apply_slide_metadata(
        nbformat.v4.new_notebook(cells=cells))))


def test_a_table_is_never_split_across_slides():
    """A table that fits a slide stays whole (on the next slide if need be); one taller than
    a slide becomes a list, one item a row, which may split between items."""
    rows = "\n".join(f"| row {k} | value {k} |" for k in range(9))
    small = "| Name | Value |\n|---|---|\n" + rows
    big = "| Name | Value |\n|---|---|\n" + "\n".join(
        f"| row {k} | {'a long explanation of the row ' * 4}|" for k in range(30))
    cells = [md("# T"), md("## S\n" + "Words of the lead-in. " * 40 + "\n\n" + small),
             md("## Big\n" + big)]
    laid = _laid(cells)
    tables = [c.source for g in laid for c in g if "| Name |" in c.source]
    assert len(tables) == 1 and all(f"| row {k} |" in tables[0] for k in range(9))
    items = [ln for g in laid for c in g for ln in c.source.splitlines() if ln.startswith("- **row")]
    assert len(items) == 30 and len([g for g in laid if any("- **row" in c.source for c in g)]) > 1


def test_continued_slides_keep_the_subsection_and_show_no_raw_markup():
    cells = [md("# T"), md("## Section\n### Using `amslib` here\n" + "A sentence of text. " * 150)]
    heads = [g[0].source for g in _laid(cells) if g[0].source.startswith('<h3 class="continued"')]
    assert heads and all("Using <code>amslib</code> here" in h and "`" not in h for h in heads)


def test_short_slides_are_merged():
    """Short sub-sections share a slide: at most the last slide of the deck is less than
    half of the budget."""
    cells = [md("# T\n" + "Intro. " * 20)] + [md(f"### Part {k}\n" + "Some words here. " * 8)
                                               for k in range(12)]
    laid = _laid(cells)
    heights = [sum(slides.cell_height(c) for c in g) for g in laid]
    assert len(laid) < 6 and all(h >= slides.BUDGET_H / 2 for h in heights[:-1]), heights
