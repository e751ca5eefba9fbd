"""Write data/digits.npz from the copy of the UCI digits that scikit-learn ships.

Needs NumPy and an installed scikit-learn (only its data file is read; scikit-learn is
not imported, and nothing is downloaded). scikit-learn is not a dependency of the
course, so use a throwaway environment::

    python -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn
    /tmp/skvenv/bin/python data/make_digits.py            # or: --csv path/to/digits.csv.gz

The output is deterministic: the same arrays always give the same checksum (printed,
and recorded in data/README.md and amslib/data.py), and the zip container is written
with fixed timestamps, so that with the same zlib the file's bytes repeat too.

Contents of digits.npz (NumPy's .npz format; ``np.load`` reads it):

    images    uint8 (1797, 8, 8)   pixel values 0..16, row-major as in the CSV
    labels    uint8 (1797,)        the digit, 0..9
    test_idx  uint16 (400,)        sorted row indices of the test split (40 per digit)
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.metadata
import importlib.util
import io
import os
import sys
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # amslib from this checkout; it needs only NumPy
from amslib.data import digits_sha256, stratified_split  # noqa: E402


def sklearn_csv() -> Path:
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("scikit-learn is not installed in this environment (see this script's "
                 "docstring), or pass --csv")
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data" / "digits.csv.gz"
    if not path.is_file():
        sys.exit(f"{path} not found: this scikit-learn does not ship digits.csv.gz")
    return path


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.shape != (1797, 65):
        sys.exit(f"unexpected table shape {table.shape} in {path}, expected (1797, 65)")
    pixels, labels = table[:, :64], table[:, 64]
    if pixels.min() < 0 or pixels.max() > 16 or labels.min() < 0 or labels.max() > 9:
        sys.exit(f"values out of range in {path}")
    return pixels.astype(np.uint8).reshape(-1, 8, 8), labels.astype(np.uint8)


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """np.savez_compressed, but with fixed zip timestamps and permissions."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(array), allow_pickle=False)
            zf.writestr(info, buf.getvalue(), compresslevel=9)
    os.replace(tmp, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, help="digits.csv.gz (default: scikit-learn's copy)")
    parser.add_argument("--out", type=Path, default=HERE / "digits.npz")
    args = parser.parse_args()

    csv = args.csv or sklearn_csv()
    source = f"{csv}"
    if args.csv is None:
        source += f" (scikit-learn {importlib.metadata.version('scikit-learn')})"
    images, labels = read_csv(csv)
    test_idx = stratified_split(labels)
    write_npz(args.out, {"images": images, "labels": labels, "test_idx": test_idx})

    print(f"source:      {source}")
    print(f"csv sha256:  {hashlib.sha256(csv.read_bytes()).hexdigest()}")
    print(f"wrote:       {args.out} ({args.out.stat().st_size} bytes)")
    print(f"file sha256: {hashlib.sha256(args.out.read_bytes()).hexdigest()}")
    print(f"samples per digit: {np.bincount(labels, minlength=10).tolist()}")
    print(f"train/test:  {labels.size - test_idx.size} / {test_idx.size}")
    print(f"arrays sha256 (amslib.data.digits_sha256): {digits_sha256(images, labels, test_idx)}")


if __name__ == "__main__":
    main()
