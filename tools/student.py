#!/usr/bin/env python3
"""The student edition of the course: every notebook without its solutions.

    python -m tools.student [--out build/student] [--branch student]

writes a folder that can be pushed as a branch of its own (``student`` by default) and
handed to a class:

- ``notebooks/NN_*.ipynb``: every notebook of ``notebooks/`` (found by glob, so new or
  renumbered notebooks need nothing here) with
  - the *Solutions* section removed: from its ``## Solutions`` heading up to the next
    ``## `` heading (the references), and every cell tagged ``solution`` wherever it is;
  - the speaker notes removed (they are for the lecturer, and some answer the questions
    the lecturer asks the room);
  - the outputs of the exercise cells cleared (they ran on the empty template anyway);
  - cell and notebook metadata reduced to what Jupyter, the slides and the tests use
    (no attachments on removed cells survive, since the cells are gone);
  - the sentence that points to the worked solutions reworded;
  - the Colab/Binder badges and the Colab set-up line pointing at the student branch;
- ``README.md`` written for students (tools/templates/student/README.md): how to open,
  run and hand in a notebook, and the contents table with the badges of the student branch;
- the files a learner needs next to them: ``amslib/`` (the checkers included: they give the
  hints; those of value answers sealed, see ``seal_exercises``), ``data/``, ``binder/``,
  ``pyproject.toml`` (without the test runner's settings) and what the README links to, and
  a Makefile of its own (``make lab``, ``make check``); never what is for the lecturer
  (``LECTURERS.md``, ``lecturer/``: speaker notes with the answers to the questions for the
  room) nor the authors' guide (``CONTRIBUTING.md``).

The notebooks' navigation links are relative, so they keep working in the new folder.
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import sys
from pathlib import Path

from amslib import course

ROOT = Path(__file__).resolve().parents[1]

#: Files and folders copied beside the student notebooks (README.md's links point to them).
COPIED = ["LICENSE", "environment.yml", "requirements", "amslib", "data", "binder"]
#: The student edition's Makefile: ``make lab`` and ``make check`` (every notebook runs),
#: nothing that needs the tests, the tools or the lecturer's files, which it does not have.
STUDENT_MAKEFILE = ROOT / "tools" / "templates" / "student" / "Makefile"
#: For the lecturer or the course's authors only: never in the student edition, even if linked.
NOT_FOR_STUDENTS = {"LECTURERS.md", "CONTRIBUTING.md", "lecturer", "tests", "tools", "notebooks", ".."}
#: The README written for students; {badges} and {contents} come from the course's README.
STUDENT_README = ROOT / "tools" / "templates" / "student" / "README.md"
LINK = re.compile(r"\]\(([^)\s]+)\)")
#: Notebook metadata kept; anything else (authoring notes, tool state) is dropped.
NOTEBOOK_METADATA = {"kernelspec", "language_info", "widgets"}
#: Cell metadata kept.
CELL_METADATA = {"slideshow", "tags", "jupyter", "collapsed", "scrolled", "editable", "deletable",
                 "mystnb"}   # mystnb.image.alt: a figure's alt text (accessibility)
#: The keys nbformat 4.5 allows on each kind of cell.
CELL_KEYS = {"code": {"id", "cell_type", "metadata", "source", "outputs", "execution_count"},
             "markdown": {"id", "cell_type", "metadata", "source", "attachments"},
             "raw": {"id", "cell_type", "metadata", "source", "attachments"}}
SOLUTION_TAG = "solution"
SOLUTIONS_POINTER = re.compile(r"\s*(?:Worked solutions are|A worked solution is) at the end of the "
                               r"notebook;?\s*try first\.")
#: Sentences addressed to lecturers (the student edition has no LECTURERS.md).
LECTURER_POINTER = re.compile(r"\s*Lecturers: see `LECTURERS\.md`[^.]*\.")
#: Sentences of the course that are not true of the student edition, and what they say there
#: (pattern, replacement): it has no worked solutions and no test suite (``make check`` runs
#: the notebooks instead, tools/templates/student/Makefile).
STUDENT_REWORDING = [
    (re.compile(r"exercises with worked solutions end each notebook"), "exercises end each notebook"),
    (re.compile(r"`make test` runs\s+all\s+tests\."),
     "`make check` runs every notebook top to bottom and reports the first error."),
]


def reword(text: str) -> str:
    """The course's sentences that the student edition makes untrue, reworded (STUDENT_REWORDING)."""
    for pattern, replacement in STUDENT_REWORDING:
        text = pattern.sub(replacement, text)
    return text


def student_pyproject(text: str) -> str:
    """pyproject.toml for the student edition: without the test runner's settings (they
    name tests/ and tests/sanitize.cfg, which the edition does not have) and without
    comments that name files it does not have."""
    text = re.sub(r"\n\[tool\.pytest\.ini_options\]\n.*?(?=\n\[|\Z)", "\n", text, flags=re.S)
    return re.sub(r"[;,]? *(?:see )?LECTURERS\.md", "", text)


def notebooks(root: Path = ROOT) -> list[Path]:
    return sorted((root / course.NOTEBOOK_DIR).glob("[0-9][0-9]_*.ipynb"))


def source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def heading(cell) -> str | None:
    """The text of a level-2 heading opening a markdown cell ('Solutions'), else None."""
    if cell.get("cell_type") != "markdown":
        return None
    first = source(cell).lstrip().split("\n", 1)[0]
    return first[3:].strip() if first.startswith("## ") else None


def is_solution(cell) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def sections(nb) -> list[str | None]:
    """For each cell, the level-2 section it belongs to ('Exercises', 'Solutions', ...)."""
    current, out = None, []
    for cell in nb["cells"]:
        current = heading(cell) or current
        out.append(current)
    return out


def is_notes(cell) -> bool:
    """A speaker note (for the lecturer; it may give away the answer to a question for the room)."""
    return (cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes"
            or (cell.get("cell_type") == "markdown" and re.match(r"<!--\s*notes\b", source(cell).lstrip()) is not None))


def solution_cells(nb) -> list[dict]:
    """The cells the student edition drops: the Solutions section, tagged cells, speaker notes."""
    return [c for c, sec in zip(nb["cells"], sections(nb)) if sec == "Solutions" or is_solution(c) or is_notes(c)]


def exercise_cells(nb) -> list[dict]:
    """The code cells of the Exercises section (minus any tagged solution)."""
    return [c for c, sec in zip(nb["cells"], sections(nb))
            if sec == "Exercises" and c["cell_type"] == "code" and not is_solution(c)]


def point_to_branch(text: str, branch: str) -> str:
    """Colab/Binder badges and the Colab clone line: the student branch instead of BRANCH."""
    repo, main = course.REPOSITORY, course.BRANCH
    return (text.replace(f"{repo}/blob/{main}/", f"{repo}/blob/{branch}/")
                .replace(f"{repo}/{main}?", f"{repo}/{branch}?")
                .replace(f"--branch {main} ", f"--branch {branch} "))


def student_notebook(nb: dict, branch: str = "student") -> dict:
    """A student edition of one notebook (JSON dict in, new JSON dict out)."""
    nb = copy.deepcopy(nb)
    drop = {id(c) for c in solution_cells(nb)}
    exercises = {id(c) for c in exercise_cells(nb)}
    cells = []
    for cell in nb["cells"]:
        if id(cell) in drop:
            continue
        for key in [k for k in cell if k not in CELL_KEYS.get(cell.get("cell_type"), cell)]:
            del cell[key]  # e.g. outputs left on a markdown cell by a bad merge: invalid nbformat
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k in CELL_METADATA}
        if id(cell) in exercises:
            cell["outputs"], cell["execution_count"] = [], None
        text = point_to_branch(reword(LECTURER_POINTER.sub("", SOLUTIONS_POINTER.sub("", source(cell)))), branch)
        cell["source"] = text
        if "attachments" in cell:
            # keep only the attachments the cell's text still refers to
            kept = {k: v for k, v in cell["attachments"].items() if f"attachment:{k}" in text}
            cell["attachments"] = kept
            if not kept:
                del cell["attachments"]
        cells.append(cell)
    nb["cells"] = cells
    nb["metadata"] = {k: v for k, v in nb.get("metadata", {}).items() if k in NOTEBOOK_METADATA}
    return nb


def write_notebook(nb: dict, path: Path) -> None:
    import nbformat

    node = nbformat.from_dict(nb)
    nbformat.validate(node)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(node, path)
    path.write_text(path.read_text().rstrip("\n") + "\n")


def copy_linked_files(out: Path, root: Path = ROOT) -> None:
    """Files that the copied Markdown files link to and that are not there yet (a new
    document linked from README.md, say), so that every link keeps working. Never anything
    under notebooks/ (the student notebooks are written separately) or tests/."""
    for md in sorted(out.glob("*.md")):
        for target in LINK.findall(md.read_text()):
            if target.startswith(("http://", "https://", "mailto:", "#")):
                continue
            rel = Path(target.split("#")[0])
            src, dst = (root / rel).resolve(), out / rel
            if (dst.exists() or not src.is_file() or root.resolve() not in src.parents
                    or rel.parts[0] in NOT_FOR_STUDENTS):
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def generated_block(text: str, name: str) -> str:
    """The body of a ``<!-- generated:NAME -->`` block of the course's README."""
    m = re.search(rf"<!-- generated:{name} -->\n(.*?)\n<!-- /generated:{name} -->", text, re.S)
    if not m:
        raise SystemExit(f"README.md has no generated:{name} block (run python -m tools.nbtool generate)")
    return m.group(1).strip()


def student_readme(branch: str = "student", root: Path = ROOT) -> str:
    """README.md of the student edition: for students (how to open, run and hand in), with
    the course README's badges and contents table pointing at ``branch``."""
    course_readme = (root / "README.md").read_text()
    badges = generated_block(course_readme, "badges").split("\n")[0]   # not the maintainers' note
    text = (STUDENT_README.read_text().replace("{badges}", badges)
            .replace("{contents}", generated_block(course_readme, "contents")))
    return point_to_branch(text, branch)


def build(out: Path, branch: str = "student", root: Path = ROOT) -> list[Path]:
    """Write the student edition into ``out`` (replacing it); return the notebooks written."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in COPIED:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        elif src.exists():
            shutil.copy2(src, out / name)
    (out / "README.md").write_text(student_readme(branch, root))
    shutil.copy2(STUDENT_MAKEFILE, out / "Makefile")
    (out / "pyproject.toml").write_text(student_pyproject((root / "pyproject.toml").read_text()))
    copy_linked_files(out, root)
    seal_exercises(out / "amslib" / "exercises")
    written = []
    for path in notebooks(root):
        nb = json.loads(path.read_text())
        target = out / course.NOTEBOOK_DIR / path.name
        write_notebook(student_notebook(nb, branch), target)
        written.append(target)
    return written


def seal_exercises(folder: Path, salt: str | None = None) -> None:
    """Rewrite the exercise modules in ``folder`` (a copy of amslib/exercises) so that no value
    exercise's answer is in them: each value checker (``expected_answers()`` of its module)
    becomes :func:`amslib.exercises.sealed.sealed`, and what only those checkers used (their
    reference code, constants, ``expected_answers`` itself) goes."""
    import ast
    import importlib
    import secrets

    from amslib.exercises import sealed

    salt = salt or secrets.token_hex(16)
    for path in sorted(folder.glob("nb*.py")):
        module = importlib.import_module(f"amslib.exercises.{path.stem}")
        expected = module.expected_answers() if hasattr(module, "expected_answers") else {}
        if not expected:
            continue
        tree = ast.parse(path.read_text())
        body = [n for n in tree.body if getattr(n, "name", None) not in {*expected, "expected_answers"}]
        while True:  # drop the top-level functions and constants nothing left uses
            used = {n.id for node in body for n in ast.walk(node) if isinstance(n, ast.Name)
                    and not (isinstance(node, ast.Assign) and node.targets[0].id == "__all__")}
            keep = [n for n in body if not (isinstance(n, ast.FunctionDef) and n.name not in used)
                    and not (isinstance(n, ast.Assign) and all(isinstance(t, ast.Name) and t.id not in used
                                                                and t.id != "__all__" for t in n.targets))]
            if len(keep) == len(body):
                break
            body = keep
        names = {getattr(n, "name", None) for n in body} | {t.id for n in body if isinstance(n, ast.Assign)
                                                          for t in n.targets if isinstance(t, ast.Name)}
        lines = [f"{name} = sealed({name!r}, {salt!r}, {sealed.digests(answers, salt)!r}, "
                 f"{sealed.shape(answers[0])!r})" for name, answers in expected.items()]
        listed = getattr(module, "__all__", [])
        public = [n for n in listed if n in names or n in expected]
        source = ast.unparse(ast.Module(body, [])).replace(f"__all__ = {listed!r}", f"__all__ = {public!r}")
        path.write_text(source + "\nfrom .sealed import sealed\n" + "\n".join(lines) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "student",
                        help="folder to write (replaced; default build/student)")
    parser.add_argument("--branch", default="student",
                        help="git branch the badges and the Colab set-up line point to (default student)")
    args = parser.parse_args(argv)
    written = build(args.out.resolve(), args.branch)
    for path in written:
        print(f"{path.relative_to(args.out.resolve())}")
    print(f"student edition: {len(written)} notebooks in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
