#!/usr/bin/env python3
"""Maintain the course's notebooks: generated parts, execution, authoring.

    python -m tools.nbtool generate          # rewrite navigation, set-up cells, README tables
    python -m tools.nbtool check             # exit 1 if any generated part is stale
    python -m tools.nbtool execute [NB ...]  # run notebooks top to bottom, store the outputs
    python -m tools.nbtool from-py SRC.py OUT.ipynb   # author a notebook as a percent script
    python -m tools.nbtool publish OWNER/REPO [--branch main]  # set the public address

Generated parts (everything else in a notebook is hand-written):
- the navigation bars, first and last cell, tagged ``nav``;
- the set-up cell, the first code cell, tagged ``setup`` (its Colab line holds the
  repository address from ``amslib/course.py``; it passes ``torch=False`` where no code
  cell uses PyTorch, so that kernel never imports it; ``%matplotlib inline`` keeps figures
  inline even where the environment sets ``MPLBACKEND=Agg``);
- README.md's contents table, badge line and address note, between
  ``<!-- generated:NAME -->`` markers;
- every cell's slide type (``metadata.slideshow``), by the rules in ``tools/slides.py``
  (a cell with ``"slideshow_locked": true`` keeps what its author set).
Safe to re-run: it only replaces what it generated.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import nbformat

from amslib import course
from tools.slides import apply_slide_metadata
from tools.slides import is_notes as slides_is_notes

ROOT = Path(__file__).resolve().parents[1]

NB_DIR = ROOT / course.NOTEBOOK_DIR
README = ROOT / "README.md"
CLONE_DIR = course.COLAB_CLONE_DIR

#: Code that needs PyTorch: the notebook's set-up cell then seeds and checks it; elsewhere
#: PyTorch is never imported (a kernel without it is about 200 MB smaller, see binder/).
USES_TORCH = re.compile(r"^\s*(import torch|from torch\b|from amslib\.(torch_optim|models)\b|"
                        r"from amslib import .*\b(torch_optim|models)\b)", re.M)


def setup_source(uses_torch: bool) -> str:
    """The set-up cell of a notebook (uses_torch: whether any code cell uses PyTorch)."""
    return f'''\
# Set-up cell: run it first. On Colab it fetches and installs the course library (amslib);
# everywhere it checks versions, seeds the random generators and picks the device.
# Its output depends on your machine, so the automatic tests ignore it.
%matplotlib inline
import os, sys
if "google.colab" in sys.modules and not os.path.isdir("{CLONE_DIR}"):
    !git clone --quiet --depth 1 --branch {course.BRANCH} {course.GITHUB_URL} {CLONE_DIR}
    %pip install --quiet {CLONE_DIR}
import amslib.setup
DEVICE = amslib.setup.setup_notebook(seed=0, torch={uses_torch})'''


def uses_torch(nb) -> bool:
    return any(USES_TORCH.search(c.source) for c in nb.cells
               if c.cell_type == "code" and not has_tag(c, "setup"))


# ----------------------------------------------------------------------------- helpers
def notebooks() -> list[Path]:
    return sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))


def has_tag(cell, tag: str) -> bool:
    return tag in cell.get("metadata", {}).get("tags", [])


def is_notes(cell) -> bool:
    """A speaker-notes cell: markdown whose first line is <!-- notes --> (or names the
    slide it belongs to, <!-- notes: Heading -->; tools/slides.py). The notebooks have none:
    speaker notes are the lecturer's, in lecturer/notes/NN_name.md, and tools/lecturer.py
    merges them into the lecturer copy; `check` flags a notes cell left in a notebook."""
    return slides_is_notes(cell)


def title_of(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not has_tag(cell, "nav"):
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError("notebook has no '# ' title")


def short(path: Path) -> str:
    return path.stem[:2]


def badges(name: str) -> str:
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({course.colab_url(name)}) "
            f"[![Binder](https://mybinder.org/badge_logo.svg)]({course.binder_url(name)})")


def nav_source(paths: list[Path], titles: dict, i: int, bottom: bool) -> str:
    prev_link = next_link = ""
    if i > 0:
        p = paths[i - 1]
        prev_link = f"[< {short(p)} {titles[p]}]({p.name})"
    if i < len(paths) - 1:
        n = paths[i + 1]
        next_link = f"[{short(n)} {titles[n]} >]({n.name})"
    parts = [s for s in (prev_link, "[Contents](../README.md#contents)", next_link) if s]
    bar = " | ".join(parts)
    if bottom:
        return f"---\n{bar}"
    return f"{bar}\n\n{badges(paths[i].name)}"


def make_cell(kind: str, source: str, tags=None, hidden: bool = False):
    cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    if hidden:
        cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


# ----------------------------------------------------------------------------- generate
def regenerate(nb, paths, titles, i) -> None:
    cells = [c for c in nb.cells if not has_tag(c, "nav")]
    code = [c for c in cells if c.cell_type == "code"]
    if code and has_tag(code[0], "setup"):
        source = setup_source(uses_torch(nb))
        if code[0].source != source:
            code[0].source = source
    else:
        raise SystemExit(f"{paths[i].name}: the first code cell must be the set-up cell (tag 'setup')")
    top = make_cell("markdown", nav_source(paths, titles, i, bottom=False), tags=["nav"])
    bottom = make_cell("markdown", nav_source(paths, titles, i, bottom=True), tags=["nav"])
    nb.cells = [top] + cells + [bottom]
    # Stable ids: a cell keeps its id for good, because lecturer notes, decks, LECTURERS.md
    # and the tests cite cells by id. A new cell (no id of the form cNNN, or a duplicate)
    # gets the next free number; the navigation bars are always c000 and the last number.
    assign_ids(nb.cells)


ID = re.compile(r"c(\d{3})(?:-notes)?")


def assign_ids(cells) -> None:
    """Stable ids: a body cell keeps a unique id of the form cNNN (or cNNN-notes); any other
    body cell gets the next number after the largest in use. The navigation bars, made anew
    by every run, are c000 (top) and one past the largest number (bottom)."""
    body = cells[1:-1]
    numbers = [int(m.group(1)) for c in body if (m := ID.fullmatch(str(c.get("id", ""))))]
    fresh = iter(range(max(numbers + [0]) + 1, 10**4))
    seen = {"c000"}
    for cell in body:
        cid = str(cell.get("id", ""))
        if not ID.fullmatch(cid) or cid in seen:
            cid = f"c{next(fresh):03d}"
            cell["id"] = cid
        seen.add(cid)
    cells[0]["id"] = "c000"
    cells[-1]["id"] = f"c{next(fresh):03d}"


def contents_table(paths, titles) -> str:
    rows = ["| # | Notebook | Open |", "|---|---|---|"]
    for p in paths:
        rows.append(f"| {short(p)} | [{titles[p]}]({course.NOTEBOOK_DIR}/{p.name}) | {badges(p.name)} |")
    return "\n".join(rows)


def address_note() -> str:
    where = (f"This course is published at [{course.REPOSITORY}]({course.GITHUB_URL}), branch "
             f"`{course.BRANCH}`." if course.is_published() else
             f"**The course is not published yet: its address is the placeholder "
             f"`{course.PLACEHOLDER}`, so the Colab and Binder badges above and in the "
             f"notebooks do not work yet.**")
    return f"""{where} The address is defined once, in [`amslib/course.py`](amslib/course.py);
the badges in this README and in the notebooks, and the Colab set-up line of every notebook,
are generated from it. To publish the course, or a fork, in one step:

```bash
python -m tools.nbtool publish OWNER/REPO --branch main
```

It checks the address, rewrites `amslib/course.py`, regenerates badges, set-up cells and
this README, and checks that nothing generated is stale and no old address is left; then
commit. (A test fails while anything generated is stale.)"""


def readme_blocks(paths, titles) -> dict:
    return {
        "contents": contents_table(paths, titles),
        "badges": badges(course.FIRST_NOTEBOOK) + ("" if course.is_published() else
                                                   "\n\n*(Placeholders until the course is published: "
                                                   "see [its address](#the-repositorys-address).)*"),
        "address": address_note(),
    }


def replace_block(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- generated:{name} -->).*?(<!-- /generated:{name} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md lacks the markers <!-- generated:{name} --> ... <!-- /generated:{name} -->")
    return pattern.sub(lambda m: m.group(1) + "\n" + body + "\n" + m.group(2), text)


def generated_state():
    """Return {path: new_text} for every file whose generated parts we own."""
    paths = notebooks()
    nbs = {p: nbformat.read(p, as_version=4) for p in paths}
    titles = {p: title_of(nbs[p]) for p in paths}
    out = {}
    for i, p in enumerate(paths):
        nb = nbs[p]
        regenerate(nb, paths, titles, i)
        apply_slide_metadata(nb)
        out[p] = nbformat.writes(nb) + "\n"
    if README.exists():
        text = README.read_text()
        for name, body in readme_blocks(paths, titles).items():
            text = replace_block(text, name, body)
        out[README] = text
    return out


def cmd_generate(_args) -> int:
    for path, text in generated_state().items():
        if path.read_text() != text:
            path.write_text(text)
            print(f"updated {path.relative_to(ROOT)}")
    return 0


def cmd_check(_args) -> int:
    stale = [p for p, text in generated_state().items() if p.read_text() != text]
    for p in stale:
        print(f"stale: {p.relative_to(ROOT)} (run: python -m tools.nbtool generate)")
    notes = [(p, c.get("id")) for p in notebooks() for c in nbformat.read(p, as_version=4).cells
             if is_notes(c) or c.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes"]
    for p, cid in notes:
        print(f"{p.relative_to(ROOT)}: cell {cid} is a speaker note; move it to "
              f"lecturer/notes/{p.stem}.md as '## after <cell id>' (CONTRIBUTING.md)")
    return 1 if stale or notes else 0


# ----------------------------------------------------------------------------- publish
OWNER_REPO = re.compile(r"^(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})/"
                        r"(?P<repo>[A-Za-z0-9._-]{1,100})$")
BRANCH_NAME = re.compile(r"^(?!/|.*(?:\.\.|//|@\{|\.lock$|/$|\.$))[A-Za-z0-9._/-]{1,200}$")
COURSE_PY = ROOT / "amslib" / "course.py"


def cmd_publish(args) -> int:
    import importlib

    m = OWNER_REPO.match(args.address)
    if not m or m.group("repo") in (".", ".."):
        print(f"publish: {args.address!r} is not a GitHub address: expected OWNER/REPO, e.g. "
              f"jane-doe/amsgrad-course (owner: letters, digits, single hyphens, at most 39; "
              f"repository: letters, digits, '.', '_', '-')", file=sys.stderr)
        return 2
    if not BRANCH_NAME.match(args.branch):
        print(f"publish: {args.branch!r} is not a usable branch name (letters, digits, '.', '_', "
              f"'-', '/'; no '..', no trailing '/' or '.')", file=sys.stderr)
        return 2
    if args.address == course.PLACEHOLDER:
        print("publish: that is the placeholder itself", file=sys.stderr)
        return 2
    old_url = course.GITHUB_URL
    text = COURSE_PY.read_text()
    text = re.sub(r'^REPOSITORY = ".*?"', f'REPOSITORY = "{args.address}"', text, count=1, flags=re.M)
    text = re.sub(r'^BRANCH = ".*?"', f'BRANCH = "{args.branch}"', text, count=1, flags=re.M)
    COURSE_PY.write_text(text)
    importlib.reload(course)
    print(f"amslib/course.py: REPOSITORY = {course.REPOSITORY!r}, BRANCH = {course.BRANCH!r}")
    cmd_generate(args)
    problems = cmd_check(args)
    if old_url != course.GITHUB_URL:
        for path in list(generated_state()) + [COURSE_PY]:
            if old_url in path.read_text():
                print(f"publish: {path.relative_to(ROOT)} still mentions {old_url}", file=sys.stderr)
                problems = 1
    print("published: now commit the changes" if not problems else "publish: see the problems above")
    return problems


# ----------------------------------------------------------------------------- execute
def cmd_execute(args) -> int:
    from nbclient import NotebookClient

    paths = [Path(p).resolve() for p in args.notebooks] or notebooks()
    total = 0.0
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        start = time.perf_counter()
        client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": str(p.parent)}})
        client.execute()
        elapsed = time.perf_counter() - start
        total += elapsed
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nbformat.write(nb, p)
        # nbformat.write omits the final newline; keep files identical to `generate`'s output
        p.write_text(p.read_text().rstrip("\n") + "\n")
        print(f"{p.name}: executed in {elapsed:.1f} s")
    print(f"total: {total:.1f} s")
    return 0


# ----------------------------------------------------------------------------- from-py
HEADER = re.compile(r"^# %%(?P<md> \[markdown\])?(?P<rest>.*)$")


def parse_percent(text: str):
    """Cells from a percent-format script: '# %%' starts code, '# %% [markdown]' markdown.

    Options after the marker: tags=["a", "b"] and/or hidden (collapse the input).
    """
    cells, kind, opts, lines = [], None, "", []

    def flush():
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(re.sub(r"^# ?", "", ln) for ln in body.splitlines())
        m = re.search(r"tags=(\[.*?\])", opts)
        tags = json.loads(m.group(1)) if m else None
        cells.append(make_cell(kind, body, tags=tags, hidden="hidden" in opts.replace("source_hidden", "hidden")))

    for line in text.splitlines():
        h = HEADER.match(line)
        if h:
            flush()
            kind = "markdown" if h.group("md") else "code"
            opts, lines = h.group("rest"), []
        elif kind is not None:
            lines.append(line)
    flush()
    return cells


def cmd_from_py(args) -> int:
    nb = nbformat.v4.new_notebook()
    nb.cells = parse_percent(Path(args.src).read_text())
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, args.out)
    print(f"wrote {args.out}: {len(nb.cells)} cells (now run: generate, then execute)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("generate").set_defaults(func=cmd_generate)
    sub.add_parser("check").set_defaults(func=cmd_check)
    ex = sub.add_parser("execute")
    ex.add_argument("notebooks", nargs="*")
    ex.set_defaults(func=cmd_execute)
    fp = sub.add_parser("from-py")
    fp.add_argument("src")
    fp.add_argument("out")
    fp.set_defaults(func=cmd_from_py)
    pub = sub.add_parser("publish", help="set the course's public address and regenerate")
    pub.add_argument("address", help="OWNER/REPO on GitHub")
    pub.add_argument("--branch", default="main", help="the branch Colab and Binder open (default: main)")
    pub.set_defaults(func=cmd_publish)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
