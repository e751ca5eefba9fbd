"""The exact shortcuts in the scan engine give the plain computations' numbers bit for
bit: running_max (segments that set no record are filled, not scanned) against
np.maximum.accumulate, and the walk cut into blocks with its formula carried from block
to block against the plain clipped loop."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amslib.synthetic.scan import _SEGMENT, _clipped_walk, clipped_walk, running_max

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def shaped(kind: int, n: int, rng) -> np.ndarray:
    """Rising (every segment a record), settling (records die out), flat, noisy, periodic."""
    t = np.arange(n, dtype=np.float64)
    return [np.sort(rng.standard_normal(n)),
            1.0 - np.exp(-t / rng.uniform(1.0, 3.0 * n)) + 1e-3 * np.sin(t / 7.0),
            np.full(n, rng.standard_normal()),
            rng.standard_normal(n) * 10.0 ** rng.uniform(-100, 100),
            np.tile(rng.standard_normal(rng.integers(1, 300)), n)[:n]][kind]


@SETTINGS
@given(st.integers(1, 6 * _SEGMENT + 7), st.integers(0, 4), st.integers(0, 2 ** 32 - 1),
       st.sampled_from([-np.inf, -1.0, 0.0, 0.5, 1e300]))
def test_running_max_is_the_running_maximum_bit_for_bit(n, kind, seed, h0):
    v = shaped(kind, n, np.random.default_rng(seed))
    h0 = float(h0) if np.isfinite(h0) else float(v.min()) - 1.0
    want = v.copy()
    want[0] = max(want[0], h0)
    np.maximum.accumulate(want, out=want)
    got = running_max(v.copy(), h0)
    assert np.array_equal(got, want)


def test_running_max_settled_segments_take_the_fill():
    """A settled maximum: the segments after the record get exactly the record."""
    v = np.zeros(8 * _SEGMENT)
    v[3 * _SEGMENT + 5] = 2.0
    got = running_max(v.copy(), 1.0)
    assert np.array_equal(got[:3 * _SEGMENT + 5], np.ones(3 * _SEGMENT + 5))
    assert np.array_equal(got[3 * _SEGMENT + 5:], np.full(5 * _SEGMENT - 5, 2.0))


def _plain_walk(x, d):
    out = np.empty(len(d))
    for k, dk in enumerate(d.tolist()):
        x = min(max(x - dk, -1.0), 1.0)
        out[k] = x
    return out


@SETTINGS
@given(st.integers(0, 2 ** 32 - 1), st.floats(-1.0, 1.0), st.floats(-3.0, 3.0),
       st.integers(1, 5), st.booleans())
def test_walk_in_blocks_with_either_starting_formula_is_the_clipped_walk(seed, x0, drift, blocks,
                                                                        start_upper):
    """Whichever formula a block starts with (a wrong guess only costs a switch), the
    blocks together give the clipped walk (to rounding: the closed form restarts its
    sums at each block)."""
    rng = np.random.default_rng(seed)
    d = 10.0 ** drift * (rng.standard_normal(3000) * 0.1 + rng.uniform(-0.05, 0.05))
    want = _plain_walk(x0, d)
    cuts = np.sort(rng.integers(0, len(d), blocks - 1))
    got = np.empty(len(d))
    x, upper = x0, start_upper
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(d)]):
        if hi > lo:
            upper = _clipped_walk(x, d[lo:hi], got[lo:hi], upper)
            x = float(got[hi - 1])
    assert np.allclose(got, want, rtol=0, atol=1e-9)
    one = np.empty(len(d))
    clipped_walk(x0, d, one)
    assert np.allclose(one, want, rtol=0, atol=1e-9)
