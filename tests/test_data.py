"""The digits data file and its loader (amslib.data)."""
from pathlib import Path

import numpy as np
import pytest

from amslib import data
from amslib.data import load_digits, minibatches

REPO_DATA = Path(data.__file__).resolve().parents[1] / "data" / "digits.npz"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(data.ENV_VAR, raising=False)


def test_file_checksum_and_layout():
    with np.load(REPO_DATA) as f:
        assert sorted(f.files) == ["images", "labels", "test_idx"]
        images, labels, test_idx = f["images"], f["labels"], f["test_idx"]
    assert (images.dtype, images.shape) == (np.uint8, (1797, 8, 8))
    assert (labels.dtype, labels.shape) == (np.uint8, (1797,))
    assert data.digits_sha256(images, labels, test_idx) == data.DIGITS_SHA256
    # the stored split is the documented one
    np.testing.assert_array_equal(test_idx, data.stratified_split(labels))


@pytest.mark.parametrize("split, n", [("train", 1397), ("test", 400), ("all", 1797)])
def test_shapes_dtypes_and_range(split, n):
    X, y = load_digits(split)
    assert X.shape == (n, 64) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    X16, y16 = load_digits(split, scale=False)
    np.testing.assert_array_equal(X16, X * 16)
    np.testing.assert_array_equal(X16, np.round(X16))
    np.testing.assert_array_equal(y16, y)


def test_label_counts():
    _, y_all = load_digits("all")
    _, y_train = load_digits("train")
    _, y_test = load_digits("test")
    counts = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert np.bincount(y_all).tolist() == counts
    assert np.bincount(y_test).tolist() == [40] * 10
    assert np.bincount(y_train).tolist() == [c - 40 for c in counts]


def test_split_disjoint_and_covering():
    X_all, y_all = load_digits("all")
    X_train, y_train = load_digits("train")
    X_test, y_test = load_digits("test")
    with np.load(REPO_DATA) as f:
        test_idx = f["test_idx"].astype(int)
    train_idx = np.setdiff1d(np.arange(1797), test_idx)
    assert len(np.intersect1d(train_idx, test_idx)) == 0
    assert len(train_idx) + len(test_idx) == 1797
    np.testing.assert_array_equal(X_test, X_all[test_idx])
    np.testing.assert_array_equal(y_train, y_all[train_idx])
    np.testing.assert_array_equal(X_train, X_all[train_idx])


def test_split_reproducible():
    a = load_digits("train")
    b = load_digits("train")
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    labels = np.repeat(np.arange(10), 50)
    s1 = data.stratified_split(labels, 5, seed=7)
    s2 = data.stratified_split(labels, 5, seed=7)
    np.testing.assert_array_equal(s1, s2)
    assert np.bincount(labels[s1]).tolist() == [5] * 10
    assert not np.array_equal(s1, data.stratified_split(labels, 5, seed=8))


def test_env_var_folder_and_file(monkeypatch, tmp_path):
    (tmp_path / "digits.npz").write_bytes(REPO_DATA.read_bytes())
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    assert data.find_data_file() == tmp_path / "digits.npz"
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "digits.npz"))
    assert load_digits("test")[0].shape == (400, 64)


def test_missing_file_message(monkeypatch, tmp_path):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError) as err:
        load_digits()
    msg = str(err.value)
    assert "digits.npz" in msg and str(tmp_path / "nowhere" / "digits.npz") in msg
    assert data.ENV_VAR in msg


def test_missing_file_lists_default_places(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "__file__", str(tmp_path / "pkg" / "amslib" / "data.py"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as err:
        load_digits()
    msg = str(err.value)
    for place in (tmp_path / "pkg" / "data", tmp_path / "data", tmp_path.parent / "data",
                  Path("/content/amsgrad-course/data")):
        assert str(place / "digits.npz") in msg
    assert data.ENV_VAR in msg


def test_damaged_file_is_rejected(tmp_path):
    bad = tmp_path / "digits.npz"
    np.savez(bad, images=np.zeros((10, 8, 8), np.uint8), labels=np.zeros(10, np.uint8),
             test_idx=np.zeros(400, np.uint16))
    with pytest.raises(ValueError, match="images"):
        load_digits(path=bad)


def test_bad_split_name():
    with pytest.raises(ValueError, match="split"):
        load_digits("validation")


def test_minibatches_cover_one_epoch():
    X, y = load_digits("test")
    batches = list(minibatches(X, y, 64, np.random.default_rng(0)))
    assert [len(b[1]) for b in batches] == [64] * 6 + [16]
    Xc = np.concatenate([b[0] for b in batches])
    yc = np.concatenate([b[1] for b in batches])
    # a permutation of the rows, pairs kept together
    order = np.lexsort(Xc.T[::-1])
    ref = np.lexsort(X.T[::-1])
    np.testing.assert_array_equal(Xc[order], X[ref])
    np.testing.assert_array_equal(yc[order], y[ref])
    again = list(minibatches(X, y, 64, np.random.default_rng(0)))
    np.testing.assert_array_equal(again[0][1], batches[0][1])
    assert len(list(minibatches(X, y, 64, 0, drop_last=True))) == 6
    with pytest.raises(ValueError, match="batch_size"):
        next(minibatches(X, y, 0, 0))


# ----------------------------------------------------------------------------- damaged files
def _copy_with(tmp_path, **change):
    with np.load(data.find_data_file()) as f:
        arrays = {k: f[k].copy() for k in f.files}
    for k, fn in change.items():
        fn(arrays[k])
    out = tmp_path / "digits.npz"
    np.savez_compressed(out, **arrays)
    return out


@pytest.mark.parametrize("change", [
    dict(labels=lambda a: a.__setitem__(5, (a[5] + 1) % 10)),    # one label changed
    dict(images=lambda a: a.__setitem__((0, 3, 3), (a[0, 3, 3] + 1) % 17)),  # one pixel
    dict(test_idx=lambda a: a.__setitem__(0, a[0] + 1 if a[0] + 1 not in a else a[0] - 1)),
])
def test_changed_file_fails_its_checksum(tmp_path, change):
    bad = _copy_with(tmp_path, **change)
    with pytest.raises(ValueError, match="SHA-256") as err:
        load_digits(path=bad)
    assert str(bad) in str(err.value) and "git checkout -- data/digits.npz" in str(err.value)


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "text"])
def test_unreadable_file_names_path_and_fix(tmp_path, damage):
    raw = data.find_data_file().read_bytes()
    bad = tmp_path / "digits.npz"
    if damage == "truncate":
        bad.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip":
        b = bytearray(raw)
        for i in range(200, len(b), 997):
            b[i] ^= 0xFF
        bad.write_bytes(bytes(b))
    elif damage == "empty":
        bad.write_bytes(b"")
    else:
        bad.write_text("not a zip file")
    with pytest.raises(ValueError) as err:
        load_digits(path=bad)
    assert str(bad) in str(err.value) and "git checkout" in str(err.value)


@pytest.mark.parametrize("kwargs, match", [(dict(split=["train"]), "split"), (dict(scale="no"), "scale")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_digits(**kwargs)
