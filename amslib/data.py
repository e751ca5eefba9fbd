"""The course's real data set: 8x8 handwritten digits.

``data/digits.npz`` holds the UCI "Optical Recognition of Handwritten Digits" images as
bundled with scikit-learn (1,797 images of 8x8 pixels with values 0..16, labels 0..9;
licence CC BY 4.0; see ``data/README.md`` for the source, the citation and how the
file was made)::

    from amslib.data import load_digits, minibatches

    X_train, y_train = load_digits("train")   # (1397, 64) float64 in [0, 1], int64 labels
    X_test, y_test = load_digits("test")      # (400, 64): 40 images of each digit
    rng = np.random.default_rng(0)
    for xb, yb in minibatches(X_train, y_train, 64, rng):
        ...

The train/test split is fixed: :func:`stratified_split` drew 40 test images of each
digit with a seeded permutation per class (seed :data:`SPLIT_SEED`), and the chosen
indices are stored in the file itself (``test_idx``), so the split does not depend on
the NumPy version that loads it.

Where the file is looked for, in order (the first that exists wins):

1. ``$AMSGRAD_COURSE_DATA`` when that variable is set (a folder holding
   ``digits.npz``, or the path of the file itself); then nothing else is tried;
2. the ``data/`` folder next to the ``amslib`` package (a clone of the repository,
   or an editable install of it);
3. ``./data`` and ``../data``, relative to the working directory (a notebook run from
   ``notebooks/``);
4. ``amslib.course.COLAB_CLONE_DIR/data`` (the repository cloned in Google Colab).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from . import course
from .validation import check_count, check_flag, check_seed, invalid

__all__ = ["load_digits", "minibatches", "find_data_file", "stratified_split",
           "digits_sha256", "DIGITS_FILE", "DIGITS_SHA256", "SPLIT_SEED",
           "N_TEST_PER_CLASS", "ENV_VAR"]

DIGITS_FILE = "digits.npz"
ENV_VAR = "AMSGRAD_COURSE_DATA"
#: Seed of the per-class permutations that chose the test images.
SPLIT_SEED = 2018
#: Test images per digit: 10 x 40 = 400 test images, 1,397 training images.
N_TEST_PER_CLASS = 40
#: SHA-256 of the arrays in data/digits.npz, as computed by :func:`digits_sha256`
#: (and printed by data/make_digits.py).
DIGITS_SHA256 = "3e011eeb21a19aa0c5164f811489236ce838413147b501fd106784d23f21d6f8"

_N, _SIDE, _N_CLASSES = 1797, 8, 10


def stratified_split(labels, n_test_per_class: int = N_TEST_PER_CLASS,
                     seed: int = SPLIT_SEED) -> np.ndarray:
    """Sorted indices of a stratified test set: ``n_test_per_class`` of each label.

    For each class c (in increasing order) the indices of its samples, in file order,
    are permuted by ``np.random.default_rng([seed, c])`` and the first
    ``n_test_per_class`` are taken. Used once, by ``data/make_digits.py``; the result is
    stored in the data file.
    """
    labels = np.asarray(labels)
    n_test_per_class = check_count(n_test_per_class, "n_test_per_class", 1)
    seed = check_count(seed, "seed", 0)
    test = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        if idx.size <= n_test_per_class:
            raise ValueError(f"class {c} has only {idx.size} samples, "
                             f"cannot hold out {n_test_per_class}")
        perm = np.random.default_rng([seed, int(c)]).permutation(idx.size)
        test.append(idx[perm[:n_test_per_class]])
    return np.sort(np.concatenate(test)).astype(np.uint16)


def digits_sha256(images: np.ndarray, labels: np.ndarray, test_idx: np.ndarray) -> str:
    """SHA-256 of the three arrays: each one's dtype, shape and C-order bytes, in turn.

    Hashing the arrays rather than the .npz file makes the checksum independent of how
    the zip container was written.
    """
    h = hashlib.sha256()
    for name, a in (("images", images), ("labels", labels), ("test_idx", test_idx)):
        a = np.ascontiguousarray(a)
        h.update(f"{name}:{a.dtype.str}:{a.shape};".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _candidates() -> list[Path]:
    env = os.environ.get(ENV_VAR)
    if env:
        p = Path(env).expanduser()
        return [p if p.suffix == ".npz" else p / DIGITS_FILE]
    cwd = Path.cwd()
    return [
        Path(__file__).resolve().parents[1] / "data" / DIGITS_FILE,
        cwd / "data" / DIGITS_FILE,
        cwd.parent / "data" / DIGITS_FILE,
        Path(course.COLAB_CLONE_DIR) / "data" / DIGITS_FILE,
    ]


def find_data_file() -> Path:
    """The path of digits.npz; FileNotFoundError naming every place looked at."""
    candidates = _candidates()
    for p in candidates:
        if p.is_file():
            return p
    where = "\n".join(f"  {p}" for p in candidates)
    how = (f"(${ENV_VAR} is set, so only that place was tried)" if os.environ.get(ENV_VAR)
           else f"Set ${ENV_VAR} to the folder holding {DIGITS_FILE}, or run from a clone "
                "of the course repository (its data/ folder has the file).")
    raise FileNotFoundError(f"Could not find the digits data file {DIGITS_FILE}. Looked in:\n"
                            f"{where}\n{how}")


def _restore_hint(path: Path) -> str:
    return (f"Restore the file: in a clone of the course repository run "
            f"`git checkout -- data/{DIGITS_FILE}` (or download data/{DIGITS_FILE} from the "
            f"repository again; data/make_digits.py rebuilds it from scikit-learn's copy). "
            f"File used: {path}")


def _read(path: Path):
    """The three arrays of the digits file, checked (layout, ranges, SHA-256); a
    ValueError naming the path and how to restore the file if anything is wrong."""
    if not path.is_file():
        raise invalid("path", detail=f"no file {path} (the digits file is "
                      f"{DIGITS_FILE}; leave path=None to look in the usual places). "
                      + _restore_hint(path), error=FileNotFoundError)
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = {"images", "labels", "test_idx"} - set(f.files)
            if missing:
                raise ValueError(f"{path} is not the course's digits file: no {sorted(missing)}. "
                                 + _restore_hint(path))
            images, labels, test_idx = f["images"], f["labels"], f["test_idx"]
    except ValueError as exc:
        if str(path) in str(exc):
            raise
        raise ValueError(f"{path} cannot be read as the digits file ({exc}). "
                         + _restore_hint(path)) from exc
    except Exception as exc:  # a truncated or bit-flipped zip: BadZipFile, EOFError, zlib.error, ...
        raise ValueError(f"{path} is damaged ({type(exc).__name__}: {exc}). "
                         + _restore_hint(path)) from exc
    problems = []
    if images.dtype != np.uint8 or images.shape != (_N, _SIDE, _SIDE):
        problems.append(f"images: {images.dtype} {images.shape}, "
                        f"expected uint8 {(_N, _SIDE, _SIDE)}")
    if labels.dtype != np.uint8 or labels.shape != (_N,):
        problems.append(f"labels: {labels.dtype} {labels.shape}, expected uint8 {(_N,)}")
    if test_idx.ndim != 1 or test_idx.size != _N_CLASSES * N_TEST_PER_CLASS:
        problems.append(f"test_idx: shape {test_idx.shape}, "
                        f"expected {(_N_CLASSES * N_TEST_PER_CLASS,)}")
    if not problems:
        if images.max() > 16:
            problems.append(f"images: maximum {images.max()}, expected values in 0..16")
        if labels.max() >= _N_CLASSES:
            problems.append(f"labels: maximum {labels.max()}, expected 0..9")
        if test_idx.max() >= _N or np.unique(test_idx).size != test_idx.size:
            problems.append("test_idx: indices out of range or repeated")
    if not problems:
        digest = digits_sha256(images, labels, test_idx)
        if digest != DIGITS_SHA256:
            problems.append(f"its arrays' SHA-256 is {digest}, expected {DIGITS_SHA256} (a pixel, "
                            "a label or the test split differs from the course's)")
    if problems:
        raise ValueError(f"{path} looks damaged: " + "; ".join(problems) + ". " + _restore_hint(path))
    return images, labels, test_idx.astype(np.int64)


def load_digits(split: str = "train", scale: bool = True, path=None):
    """Load the digits as ``(X, y)``.

    Args:
        split: ``"train"`` (1,397 images), ``"test"`` (400 images, 40 of each digit) or
            ``"all"`` (1,797 images, in the file's order).
        scale: divide the pixel values 0..16 by 16, so that X lies in [0, 1]
            (default); ``False`` keeps 0..16 (still as float64).
        path: the .npz file to read; by default :func:`find_data_file` finds it.
            Whichever file is read, its arrays must have the SHA-256
            :data:`DIGITS_SHA256`; a damaged or changed file is a ValueError that
            names the path and says how to restore it.

    Returns:
        X: float64 array of shape (n, 64), each row an 8x8 image in row-major order
        (``X[i].reshape(8, 8)`` shows it); y: int64 array of shape (n,), the digits.
        Train and test rows keep the file's order.
    """
    if not isinstance(split, str) or split not in ("train", "test", "all"):
        raise invalid("split", split, "'train', 'test' or 'all'")
    scale = check_flag(scale, "scale")
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise invalid("path", path, "a file path, a str or pathlib.Path", error=TypeError)
    images, labels, test_idx = _read(Path(path) if path is not None else find_data_file())
    if split == "all":
        rows = np.arange(_N)
    else:
        is_test = np.zeros(_N, dtype=bool)
        is_test[test_idx] = True
        rows = np.flatnonzero(is_test if split == "test" else ~is_test)
    X = images.reshape(_N, _SIDE * _SIDE)[rows].astype(np.float64)
    if scale:
        X /= 16.0
    return X, labels[rows].astype(np.int64)


def minibatches(X, y, batch_size: int, rng, drop_last: bool = False):
    """Yield ``(X_batch, y_batch)`` over one epoch, in an order shuffled by ``rng``.

    ``rng`` is a ``np.random.Generator`` (or a seed for one). The last batch is smaller
    when ``batch_size`` does not divide ``len(X)``, unless ``drop_last=True``.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y differ in length: {len(X)} != {len(y)}")
    batch_size = check_count(batch_size, "batch_size", 1)
    drop_last = check_flag(drop_last, "drop_last")
    rng = check_seed(rng, "rng", generator=True)
    order = np.random.default_rng(rng).permutation(len(X))
    stop = len(X) - len(X) % batch_size if drop_last else len(X)
    for start in range(0, stop, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]
