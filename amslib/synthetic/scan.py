"""The scan engine behind the fast simulator: linear recurrences and the clipped walk
for a whole block of steps at once, with NumPy alone.

* :func:`ema` computes h_t = b h_{t-1} + (1 - b) u_t (Adam's moments) for a block of u,
  and :func:`cumsum` a running sum, by the blocked matrix products of :func:`block_scan`;
* :func:`clipped_walk` computes x_{t+1} = clip(x_t - d_t, -1, 1) for a block of steps d
  by a closed form (Skorokhod / Lindley), falling back to a plain loop where the closed
  form would lose precision.

Used by :mod:`amslib.fast_adam`; nothing here knows about optimizers or problems.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..validation import as_real_array, check_flag, check_real, invalid

__all__ = ["ema", "cumsum", "running_max", "clipped_walk", "block_scan", "WALK_LIMIT"]

#: The largest overshoot the closed-form walk lets build up in one window before it
#: restarts from the last good x: its rounding error stays ~1e-13 (see clipped_walk).
WALK_LIMIT = 2.0 ** 10

# --------------------------------------------------------------------------- checks
# Cheap: a fast path for what the simulator passes (floats, 1-D float64 arrays), two
# reductions for the arrays' finiteness; anything else goes through amslib.validation.
def _series(u, name: str) -> np.ndarray:
    """u as a 1-D float64 array of finite numbers (the caller's array if it is one)."""
    if not (type(u) is np.ndarray and u.dtype == np.float64):
        u = as_real_array(u, name)
    if u.ndim != 1:
        raise invalid(name, detail=f"shape {u.shape} (must be a 1-D array)")
    if u.size and not (u.min() > -math.inf and u.max() < math.inf):  # NaN fails too
        bad = int(np.flatnonzero(~np.isfinite(u))[0])
        raise invalid(name, detail=f"non-finite value {u[bad]} at index {bad} (must be finite)")
    return u


def _real(value, name: str) -> float:
    if type(value) is float and math.isfinite(value):
        return value
    return check_real(value, name)


def _factor(b, name: str = "b", zero: bool = True) -> float:
    """A decay factor b in [0, 1] ((0, 1] with ``zero=False``)."""
    allowed = "a float in [0, 1]" if zero else "a float in (0, 1]"
    if not (type(b) is float and (0.0 <= b if zero else 0.0 < b) and b <= 1.0):
        v = check_real(b, name, allowed)
        if not ((0.0 <= v if zero else 0.0 < v) and v <= 1.0):
            raise invalid(name, b, f"{allowed}")
        b = v
    return b


# --------------------------------------------------------------------------- scans
@lru_cache(maxsize=256)
def _scan_matrix(b: float, L: int, scale: float = 1.0) -> np.ndarray:
    """The (L + 1) x L matrix [scale * P; w]: P[i, j] = b^(j - i) for j >= i (else 0), an
    upper triangular Toeplitz matrix, and the last row w[j] = b^(j + 1)."""
    k = np.arange(L)
    diff = k[None, :] - k[:, None]
    with np.errstate(under="ignore"):
        P = np.where(diff >= 0, scale * b ** np.maximum(diff, 0).astype(np.float64), 0.0)
        w = b ** np.arange(1, L + 1, dtype=np.float64)
    M = np.vstack([P, w])
    M.setflags(write=False)
    return M


def _scan_buffer(u: np.ndarray, L: int = 16, square: bool = False) -> np.ndarray:
    """A (ceil(n / L), L + 1) work array for :func:`block_scan`, its first L columns
    holding u (or u^2) in row-major blocks of L, zero-padded at the end."""
    n = len(u)
    K = -(-n // L)
    A = np.empty((K, L + 1))
    if K * L == n:  # the usual case: write straight into the blocks, no extra copy
        if square:
            np.square(u.reshape(K, L), out=A[:, :L])
        else:
            np.copyto(A[:, :L], u.reshape(K, L))
    else:
        A[:, :L] = np.concatenate([u * u if square else u, np.zeros(K * L - n)]).reshape(K, L)
    return A


def block_scan(A: np.ndarray, b: float, h0: float, scale: float = 1.0) -> np.ndarray:
    """h_j = b h_{j-1} + scale * u_j for 0 < b <= 1, with u in A[:, :L] (row-major
    blocks of L), h_{-1} = h0. Returns h as a (K, L) array (row k = steps kL .. kL + L - 1).

    NumPy cannot vectorise a loop whose steps depend on each other, and np.cumsum or
    ufunc.accumulate run a plain scalar loop (~3 ns an element). Instead, cut the
    sequence into blocks of L = 16. Inside block k,

        h[k, j] = scale * sum_{i <= j} b^(j-i) u[k, i]  +  b^(j+1) h_before[k],

    where h_before[k] is h just before the block. That is one matrix product for all the
    blocks at once, [u | h_before] @ [scale P; w] (BLAS: ~1.3 ns an element), with
    h_before stored in A's last column. The h_before values follow the same recurrence
    one level up, with b^L and the blocks' own end sums as input, on n / L numbers:
    solved by recursion. Each h is a sum of at most L + 1 terms, so rounding stays at a
    few ulps (a running sum, as in np.cumsum, lets it grow with n).
    """
    if not (type(A) is np.ndarray and A.dtype == np.float64 and A.ndim == 2 and A.shape[1] >= 2
            and A.flags.writeable):
        raise invalid("A", A, "a writable 2-D float64 work array "
                      "with at least 2 columns, as _scan_buffer makes")
    if A.size and not np.isfinite(A[:, :-1]).all():
        raise invalid("A", detail="non-finite values (must be finite)")
    return _block_scan(A, _factor(b, zero=False), _real(h0, "h0"), _real(scale, "scale"))


def _block_scan(A: np.ndarray, b: float, h0: float, scale: float = 1.0) -> np.ndarray:
    """:func:`block_scan` without the checks of its arguments."""
    K, L = A.shape[0], A.shape[1] - 1
    M = _scan_matrix(b, L, scale)
    ends_local = _matmul(A[:, :L], M[:L, -1])  # each block's own part of h at its end
    with np.errstate(under="ignore"):
        bL = b ** L
    if K <= 64:  # few blocks: the block ends by a plain loop
        acc = h0
        for k, e in enumerate(ends_local.tolist()):
            A[k, L] = acc
            acc = bL * acc + e
    else:
        ends = _block_scan(_scan_buffer(ends_local, L), bL, h0).reshape(-1)[:K]
        A[0, L] = h0
        A[1:, L] = ends[:-1]
    return _matmul(A, M)


_ROWS = 1024


def _matmul(A: np.ndarray, M: np.ndarray) -> np.ndarray:
    """A @ M, 1024 rows at a time. Why: on a tall, thin product OpenBLAS starts its
    threads, which costs more than it gains here and measured 2-3x slower on a busy
    2-core machine (Colab, Binder); below ~1000 rows it stays on one thread, and the
    pieces stay in cache."""
    out = np.empty(A.shape[:1] + M.shape[1:])
    for r in range(0, len(A), _ROWS):
        np.matmul(A[r:r + _ROWS], M, out=out[r:r + _ROWS])
    return out


def cumsum(u: np.ndarray, h0: float, scale: float = 1.0) -> np.ndarray:
    """h0 + scale (u_0 + ... + u_j) for each j, as a new array (see :func:`block_scan`)."""
    u, h0, scale = _series(u, "u"), _real(h0, "h0"), _real(scale, "scale")
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite_sums(_cumsum(u, h0, scale), "the running sum")


def _finite_sums(h: np.ndarray, what: str) -> np.ndarray:
    """h, if finite: from finite inputs a sum (or a square) can still overflow float64."""
    if h.size and not (h.max() < math.inf and h.min() > -math.inf):
        raise FloatingPointError(f"{what} overflowed float64 at index "
                                 f"{int(np.argmin(np.isfinite(h)))} (inputs too large)")
    return h


def _cumsum(u: np.ndarray, h0: float, scale: float = 1.0) -> np.ndarray:
    return _block_scan(_scan_buffer(u), 1.0, h0, scale).reshape(-1)[:len(u)]


def ema(g: np.ndarray, b: float, h0: float, square: bool = False) -> np.ndarray:
    """m_t = b m_{t-1} + (1 - b) g_t (or g_t^2 if ``square``): the moments of Adam.
    b in [0, 1]; g a 1-D array of finite numbers, h0 (m_0) finite."""
    g, b, h0 = _series(g, "g"), _factor(b), _real(h0, "h0")
    square = square if type(square) is bool else check_flag(square, "square")
    with np.errstate(over="ignore", invalid="ignore"):
        if b == 0.0:
            h = g * g if square else g.copy()  # 0 * m + 1 * g, exactly
        else:
            h = _block_scan(_scan_buffer(g, 16, square), b, h0, 1.0 - b).reshape(-1)[:len(g)]
    return _finite_sums(h, "the moment (of g^2)" if square else "the moment")


#: Segment length of :func:`running_max` (8 KiB of float64: one fast reduction each).
_SEGMENT = 1024


def running_max(v: np.ndarray, h0: float) -> np.ndarray:
    """h_j = max(h0, v_0, ..., v_j) (AMSGrad's v_hat), in place of v; returns v.

    np.maximum.accumulate is a scalar loop (~1.5-3 ns an element). But a running maximum
    that has settled rarely changes: cut v into segments of 1024 and take each segment's
    maximum (a vectorised reduction, ~0.1 ns an element) and their running maximum (n / 1024
    numbers). A segment whose maximum is at most the running maximum h_before before it
    sets no record: all its h_j equal h_before (one fill). Only the segments that set a
    record need the scalar loop, seeded with h_before. Max is exact, so this gives
    np.maximum.accumulate's numbers bit for bit. v must be finite (1-D float64, writable).
    """
    n = len(v)
    K = n // _SEGMENT
    if K < 2:
        v[0] = max(v[0], h0) if n else h0
        return np.maximum.accumulate(v, out=v)
    B = v[:K * _SEGMENT].reshape(K, _SEGMENT)
    seg_max = B.max(axis=1)
    before = np.empty(K + 1)  # before[k]: the running maximum before segment k
    before[0] = h0
    np.maximum.accumulate(seg_max, out=before[1:])
    np.maximum(before[1:], h0, out=before[1:])
    record = np.flatnonzero(seg_max > before[:-1])
    if len(record) > K // 2:  # still rising: the plain loop is cheaper
        v[0] = max(v[0], h0)
        return np.maximum.accumulate(v, out=v)
    rows = B[record]  # the segments that set a record, seeded with the maximum before each
    rows[:, 0] = np.maximum(rows[:, 0], before[record])
    np.maximum.accumulate(rows, axis=1, out=rows)
    B[...] = before[:-1, None]
    B[record] = rows
    if K * _SEGMENT < n:  # the tail
        tail = v[K * _SEGMENT:]
        tail[0] = max(tail[0], before[K])
        np.maximum.accumulate(tail, out=tail)
    return v


def clipped_walk(x: float, d: np.ndarray, out: np.ndarray) -> None:
    """out[j] = x after j+1 steps of x <- clip(x - d_j, -1, 1).

    Free path y_j = x - d_0 - ... - d_j. While only the upper bound 1 can bind, the
    projected walk is (Skorokhod / Lindley)

        x_j = y_j - max(0, max_{k <= j} (y_k - 1))

    (every time the walk would pass 1, it is pushed down by the overshoot, and the
    pushes add up to the running maximum of the overshoot). That is a cumulative sum and
    a running maximum: vectorised. It is exact until the first j where it goes below -1;
    there the true x_j is -1 and the mirror formula (running minimum, lower bound) takes
    over from j + 1, until the walk reaches +1 again, and so on. Windows grow while no
    switch happens and shrink after one, so the wasted work stays in proportion to the
    steps done; a walk that bounces from bound to bound every few steps is done by a
    scalar loop instead. x must lie in [-1, 1], d be finite, ``out`` a writable float64
    array of d's length.
    """
    if not (type(x) is float and -1.0 <= x <= 1.0):
        v = check_real(x, "x", "a finite number in [-1, 1]")
        if not -1.0 <= v <= 1.0:
            raise invalid("x", x, "a finite number in [-1, 1]")
        x = v
    d = _series(d, "d")
    if not (type(out) is np.ndarray and out.dtype == np.float64 and out.shape == d.shape
            and out.flags.writeable):
        raise invalid("out", out, f"a writable float64 array of "
                      f"d's shape {d.shape}")
    _clipped_walk(x, d, out, x > -1.0)  # at -1 exactly: the lower bound's formula


def _clipped_walk(x: float, d: np.ndarray, out: np.ndarray, upper: bool) -> bool:
    """:func:`clipped_walk` without the checks, starting with the upper bound's formula if
    ``upper`` (else the lower one's); returns the formula in use at the end. Either start
    gives the walk (a formula that leaves [-1, 1] is caught and switched), but a walk
    cut into blocks goes on best with the formula the block before ended with: a walk
    pressed against -1 from an x just above it would otherwise switch at once in every
    block and waste the first window."""
    n = len(d)
    pos, w = 0, min(n, 2 ** 15)
    while pos < n:
        seg = d[pos:pos + w]
        y = _cumsum(seg, x, -1.0)  # x - running sum of d
        res = out[pos:pos + len(seg)]  # write the formula's values in place (the part
        # after a switch, if any, is overwritten below)
        if upper:
            shift = np.maximum.accumulate(y)  # the push: running max of the overshoot
            shift -= 1.0
            np.maximum(shift, 0.0, out=shift)
            z = np.subtract(y, shift, out=res)
            crossed = not z.min() >= -1.0  # (NaN, from an overflowed sum, counts too)
        else:
            shift = np.minimum.accumulate(y)  # the pull: running min of the undershoot
            np.subtract(-1.0, shift, out=shift)
            np.maximum(shift, 0.0, out=shift)
            z = np.add(y, shift, out=res)
            crossed = not z.max() <= 1.0
        if crossed:  # the first step where the formula leaves [-1, 1] (or is NaN)
            j = int(np.argmax(~(z >= -1.0)) if upper else np.argmax(~(z <= 1.0)))
        else:
            j = len(seg)
        # Precision: z = y - shift subtracts two numbers of size ~shift, so it carries an
        # error of a few ulp(shift). Past WALK_LIMIT (error ~1e-13) the formula is cut
        # there and restarted from the last good x (which resets the shift to 0); a single
        # step that large is taken by the scalar loop. (shift never decreases: searchsorted.)
        # (A sum that overflowed to inf, or inf - inf = NaN, counts as past the limit: NaN
        # propagates through the running max and sorts last.)
        k = len(seg) if shift[-1] <= WALK_LIMIT else int(np.searchsorted(shift, WALK_LIMIT, side="right"))
        if k <= j and k < len(seg):  # (on a tie the precision limit wins: always safe)
            if k == 0:
                stop = min(pos + 256, n)
                x = _scalar_walk(x, d, out, pos, stop)
                pos = stop
                upper = x > -1.0
                w = 256
                continue
            pos += k
            x = float(z[k - 1])
            w = max(256, k)
            continue
        pos += j
        if j == len(seg):  # no switch in this window: grow the next one
            x = float(z[-1])
            w = min(2 * w, n)
            continue
        x = -1.0 if upper else 1.0  # the walk hits the other bound at step pos
        out[pos] = x
        pos += 1
        upper = not upper
        if j < 32:  # bouncing: a short scalar loop is cheaper than array calls
            stop = min(pos + 256, n)
            x = _scalar_walk(x, d, out, pos, stop)
            pos = stop
            if x == -1.0:
                upper = False
            elif x == 1.0:
                upper = True
            w = 256
        else:
            w = max(256, 2 * j)
    return upper


def _scalar_walk(x: float, d: np.ndarray, out: np.ndarray, start: int, stop: int) -> float:
    """The plain loop x <- clip(x - d_k, -1, 1) for k in [start, stop), into out."""
    for k, dk in enumerate(d[start:stop].tolist(), start=start):
        x = min(max(x - dk, -1.0), 1.0)
        out[k] = x
    return x
