"""Stored outputs must not show float noise (CONTRIBUTING.md, "Outputs that hold on any machine").

nbval compares every stored output with a fresh run, so a digit that depends on the CPU's
vector width (AVX2, AVX-512), the BLAS library, the thread count or a library's patch
release makes the notebook fail on someone else's machine. This test scans the outputs of
every cell that nbval compares (cells not tagged ``nbval-ignore-output``) for the shapes
float noise usually takes:

- a tiny value in scientific notation with a mantissa (``6.7e-07``): a float32 loss at its
  noise floor, the residue of a cancellation;
- a rounded zero with a sign (``+0.000``, ``-0.00``): the sign of a value too small to print;
- a long mantissa (``0.30000000000000004``, eight or more significant digits).

Such a number is fine only when it is exact or far from a rounding edge; a line that is
listed in ``STABLE`` below says why. Everything else: print the conclusion with its
tolerance ("below 1e-3: True"), or move the number into a cell tagged
``nbval-ignore-output`` and check its conclusion in the next cell. The ISA sessions of
``noxfile.py`` (nbval with ``ATEN_CPU_CAPABILITY`` and ``NPY_DISABLE_CPU_FEATURES`` set)
prove the rest empirically.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

PATTERNS = {
    "tiny value in scientific notation": re.compile(r"(?<![\w.])[-+]?\d\.\d+e-(?:0[5-9]|[1-9]\d)\b"),
    "rounded zero with a sign": re.compile(r"(?<![\w.])[-+]0\.0+(?![\d.]|e[-+]?\d)"),
    "long mantissa": re.compile(r"(?<![\w.])[-+]?(?=(?:0\.0*)?[1-9](?:\.?\d){7,})\d+\.\d+"),
}

#: Lines that match a pattern and are stable all the same: (notebook number, regex of the
#: line, why). Keep the reason honest: "float64" alone is not one when a BLAS sum feeds it.
STABLE = [
    ("01", r"f after \d+ steps = \d\.\d\de-\d\d$",
     "float64 NumPy on a 2-vector, elementwise operations only (each IEEE-rounded, the same "
     "on every CPU); three digits of a value the iteration contracts geometrically"),
    ("08", r"test loss AMSGrad - Adam per seed: ",
     "float64 losses; the differences that print as +0.000 are 6e-6 to 4e-4, far from the "
     "sign flip and the 5e-4 rounding edge compared with float64 noise (~1e-13)"),
]


def compared_outputs(path: Path):
    """(cell id, line) for every output line nbval compares in the notebook at path."""
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                text = "".join(out["text"])
            elif out["output_type"] in ("execute_result", "display_data"):
                text = "".join(out.get("data", {}).get("text/plain", ""))
            else:
                continue
            for line in text.splitlines():
                yield cell["id"], line


def noise_in(line: str) -> list[str]:
    return [f"{what}: {m.group(0)}" for what, rx in PATTERNS.items() for m in rx.finditer(line)]


def allowed(number: str, line: str) -> bool:
    return any(number == nb and re.search(rx, line) for nb, rx, _ in STABLE)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_float_noise_in_compared_outputs(path):
    problems = []
    for cell_id, line in compared_outputs(path):
        found = noise_in(line)
        if found and not allowed(path.name[:2], line):
            problems.append(f"{cell_id}: {line.strip()!r} ({'; '.join(found)})")
    assert not problems, (
        "stored outputs that look like float noise (see CONTRIBUTING.md: print the conclusion "
        "with its tolerance, or tag the cell nbval-ignore-output and check it in the next "
        "cell; or list the line in STABLE with the reason):\n" + "\n".join(problems))


@pytest.mark.parametrize("line, expected", [
    ("torch.optim.Adam   628   42   6.6e-07", ["tiny value in scientific notation: 6.6e-07"]),
    ("loss 2.73e-06 and 1.2e-4", ["tiny value in scientific notation: 2.73e-06"]),
    ("per seed: +0.000, -0.00, +0.012", ["rounded zero with a sign: +0.000", "rounded zero with a sign: -0.00"]),
    ("x = 0.30000000000000004", ["long mantissa: 0.30000000000000004"]),
    ("mean 12.34567891", ["long mantissa: 12.34567891"]),
    ("eps = 1e-08, c = 1e-10, f = 3.031e+00, 0.000123, 10201.0, -0.1301", []),
    ("R_T/T = 0.0105 x = -0.999999 +0.374302", []),
])
def test_patterns(line, expected):
    """The scanner finds what it should and leaves ordinary numbers alone."""
    assert noise_in(line) == expected


def test_stable_entries_are_still_used():
    """An entry of STABLE that matches no stored line anymore is stale: remove it."""
    for number, rx, _ in STABLE:
        path = next((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
        assert any(re.search(rx, line) and noise_in(line) for _, line in compared_outputs(path)), rx
