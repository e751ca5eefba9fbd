"""LECTURERS.md's lecture plans work as written.

Each plan lists, per notebook, the cells to run first (set-up and imports) and the cells
to run live, in order, in a block like

    plan 90-minute
    03  first: c004 c007   live: c009 c011 c012

This test runs exactly those cells, in that order, in a fresh kernel per notebook (as a
lecturer who opens the notebook and runs only what the plan says), and fails on any
error other than in a cell tagged ``raises-exception`` (those fail on purpose). Run as a
script, it prints the time of each live cell on a cold kernel (just started, first run)
and a warm one (the same cells again), the numbers LECTURERS.md quotes:

    python tests/test_lecture_plan.py
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^(\d\d)\s+first:((?:\s+c\d{3})*)\s+live:((?:\s+c\d{3})+)\s*$")


def plans(text: str | None = None) -> dict:
    """{plan name: [(notebook number, [first cells], [live cells])]} from LECTURERS.md."""
    text = text if text is not None else (ROOT / "LECTURERS.md").read_text()
    out, name = {}, None
    for line in text.splitlines():
        if line.startswith("plan "):
            name = line[5:].strip()
            out[name] = []
        elif name and LINE.match(line.strip()):
            nb, first, live = LINE.match(line.strip()).groups()
            out[name].append((nb, first.split(), live.split()))
        elif name and not line.strip().startswith(tuple("0123456789")) and line.strip() != "":
            name = None if line.strip() == "```" else name
    return out


def notebook(number: str):
    path = next((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    return nbformat.read(path, as_version=4)


def run_cells(number: str, first: list, live: list, repeat_live: bool = False) -> dict:
    """Run ``first`` then ``live`` in a fresh kernel; {cell id: seconds} of the live cells
    (and, with ``repeat_live``, {id + " warm": seconds} of a second run)."""
    from nbclient import NotebookClient

    nb = notebook(number)
    cells = {c.get("id"): c for c in nb.cells}
    missing = [i for i in first + live if i not in cells]
    assert not missing, f"LECTURERS.md: notebook {number} has no cells {missing}"
    order = first + live + (live if repeat_live else [])
    run_nb = nbformat.v4.new_notebook(metadata=nb.metadata)
    run_nb.cells = [nbformat.from_dict(dict(cells[i])) for i in order]
    client = NotebookClient(run_nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    times, errors = {}, []
    start = time.perf_counter()
    with client.setup_kernel():
        times["kernel start"] = time.perf_counter() - start
        for k, cell in enumerate(run_nb.cells):
            if cell.cell_type != "code":
                continue
            t0 = time.perf_counter()
            try:
                client.execute_cell(cell, k)
            except Exception as exc:  # noqa: BLE001 - reported below with the cell id
                if "raises-exception" not in cell.metadata.get("tags", []):
                    errors.append(f"{number} {order[k]}: {type(exc).__name__}: {str(exc)[-300:]}")
            label = order[k] + (" warm" if k >= len(first) + len(live) else "")
            if k < len(first):
                times["first cells"] = times.get("first cells", 0.0) + time.perf_counter() - t0
            elif order[k] in live:
                times[label] = time.perf_counter() - t0
    assert not errors, "a cell of the plan fails when run as LECTURERS.md says:\n" + "\n".join(errors)
    return times


def test_plans_are_listed():
    found = plans()
    assert "90-minute" in found and "session 1" in found and "session 2" in found, sorted(found)
    assert all(found.values())


def test_the_parser_reads_a_plan():
    text = "```text\nplan demo\n03  first: c004 c007   live: c009 c011\n```\n"
    assert plans(text) == {"demo": [("03", ["c004", "c007"], ["c009", "c011"])]}


@pytest.mark.parametrize("name, number, first, live", [
    (name, *entry) for name, entries in plans().items() for entry in entries])
def test_live_cells_run_after_the_listed_cells(name, number, first, live):
    run_cells(number, first, live)


if __name__ == "__main__":
    for name, entries in plans().items():
        print(f"plan {name}")
        for number, first, live in entries:
            t = run_cells(number, first, live, repeat_live=True)
            cold = sum(v for k, v in t.items() if k in live)
            warm = sum(v for k, v in t.items() if k.endswith(" warm"))
            detail = ", ".join(f"{k} {v:.1f} s" for k, v in t.items())
            print(f"  {number}: kernel start {t['kernel start']:.1f} s, first cells "
                  f"{t.get('first cells', 0):.1f} s, live cells {cold:.1f} s cold, {warm:.1f} s warm ({detail})")
        sys.stdout.flush()
