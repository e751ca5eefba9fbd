"""One way for the tests to build decks, site, handouts and lecture decks: the command a
lecturer runs (``python -m tools.build``), shared by tests/ and tests/browser/."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_with(what: str, out: Path, *names: str) -> str:
    """``python -m tools.build WHAT --out OUT [NAMES]``; its output (fails the test on an error)."""
    done = subprocess.run([sys.executable, "-m", "tools.build", what, "--out", str(out), *names],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"python -m tools.build {what} failed:\n{done.stdout}{done.stderr}"
    return done.stdout
