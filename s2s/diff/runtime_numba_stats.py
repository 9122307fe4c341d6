"""numba overloads of the helpers in runtime_stats.py (types decide the implementation at compile
time, as in runtime_numba.py); copied into standalone dumped modules like it.

They cover what NumPy-under-numba runs of the primals: np.diff and np.trapezoid along the last
axis, cumprod/ptp/median/percentile/quantile over the whole array (numba's take no axis; the
cumprod helpers also take the last axis), 1-d convolve/correlate, kron of two 1-d or two 2-d
arrays. Plain loops: they compile faster than the NumPy formulations.
"""
import math  # noqa: F401

import numba
import numpy as np  # noqa: F401
from numba import types  # noqa: F401
from numba.extending import overload  # noqa: F401

from .runtime import (  # s2s-runtime-import
    convolve_vjp1,
    convolve_vjp2,
    correlate_vjp1,
    correlate_vjp2,
    cumprod_jac,
    cumprod_vjp,
    diff_along,
    from_rows,
    kron_vjp1,
    kron_vjp2,
    pair_sum,
    ptp_weights,
    quantile_axis,
    quantile_weights,
    to_rows,
    tri_mask,
    undiff,
    unpair_sum,
)
from .runtime_numba import _arr, _none  # noqa: F401
# s2s-runtime-import


@numba.njit
def _last_rows(x, axis):
    """x as (rows, length of the last axis) (numba's diff and trapezoid work along it)."""
    if axis % x.ndim != x.ndim - 1:
        raise ValueError("compiled rules of diff/trapezoid work along the last axis only")
    n = x.shape[-1]
    return np.ascontiguousarray(x).reshape(x.size // n if n else 0, n)


@numba.njit
def _undiff_rows(c, n):
    for _ in range(n):
        m = c.shape[1]
        nxt = np.zeros((c.shape[0], m + 1))
        for r in range(c.shape[0]):
            for k in range(m):
                nxt[r, k + 1] += c[r, k]
                nxt[r, k] -= c[r, k]
        c = nxt
    return c


@overload(undiff)
def _ol_undiff(ct, a, n=1, axis=-1):
    if _arr(ct) and _arr(a):
        def impl(ct, a, n=1, axis=-1):
            return _undiff_rows(_last_rows(ct * 1.0, axis), n).reshape(a.shape)
        return impl


@overload(diff_along)
def _ol_diff_along(x, n=1, axis=-1):
    if _arr(x):
        def impl(x, n=1, axis=-1):
            _last_rows(x, axis)  # checks the axis
            return np.diff(x, n)
        return impl


@overload(pair_sum)
def _ol_pair_sum(y, axis=-1):
    if _arr(y):
        def impl(y, axis=-1):
            r = _last_rows(y, axis)
            out = np.empty((r.shape[0], r.shape[1] - 1))
            for b in range(r.shape[0]):
                for k in range(r.shape[1] - 1):
                    out[b, k] = r[b, k] + r[b, k + 1]
            shape = y.shape[:-1] + (r.shape[1] - 1,)
            return out.reshape(shape)
        return impl


@overload(unpair_sum)
def _ol_unpair_sum(ct, y, axis=-1):
    if _arr(ct) and _arr(y):
        def impl(ct, y, axis=-1):
            r = _last_rows(ct * 1.0, axis)
            out = np.zeros((r.shape[0], r.shape[1] + 1))
            for b in range(r.shape[0]):
                for k in range(r.shape[1]):
                    out[b, k] += r[b, k]
                    out[b, k + 1] += r[b, k]
            return out.reshape(y.shape)
        return impl


@overload(ptp_weights)
def _ol_ptp_weights(a, axis=None):
    if _arr(a) and _none(axis):
        def impl(a, axis=None):
            f = np.ascontiguousarray(a).reshape(-1)
            hi, lo = f.max(), f.min()
            nh, nl = 0, 0
            for v in f:
                nh += v == hi
                nl += v == lo
            out = np.zeros(f.size)
            for i in range(f.size):
                out[i] = (f[i] == hi) / nh - (f[i] == lo) / nl
            return out.reshape(a.shape)
        return impl


@numba.njit
def _quantile_row(order, n, q, scale, slope):
    """The weights of quantile q / scale of a sample whose stable sort order is `order`."""
    w = np.zeros(n)
    h = (n - 1) * q / scale
    lo = min(max(int(math.floor(h)), 0), n - 1)
    f = h - lo
    w[order[lo]] += -(n - 1) / scale if slope else 1.0 - f
    w[order[min(lo + 1, n - 1)]] += (n - 1) / scale if slope else f
    return w


@overload(quantile_weights)
def _ol_quantile_weights(a, q, axis=None, scale=1.0, slope=False):
    if not (_arr(a) and _none(axis)):
        return None
    if isinstance(q, (types.Number, types.Boolean)):
        def impl(a, q, axis=None, scale=1.0, slope=False):
            f = np.ascontiguousarray(a).reshape(-1)
            return _quantile_row(np.argsort(f, kind="mergesort"), f.size, q, scale, slope).reshape(a.shape)
        return impl
    if isinstance(q, types.Array) and q.ndim == 1:
        def impl(a, q, axis=None, scale=1.0, slope=False):
            f = np.ascontiguousarray(a).reshape(-1)
            order = np.argsort(f, kind="mergesort")
            out = np.empty((q.shape[0], f.size))
            for i in range(q.shape[0]):
                out[i] = _quantile_row(order, f.size, q[i], scale, slope)
            return out.reshape((q.shape[0],) + a.shape)
        return impl


@overload(quantile_axis)
def _ol_quantile_axis(q, a, axis=None):
    if _arr(a) and _none(axis):
        k = q.ndim if isinstance(q, types.Array) else 0
        if a.ndim == 1:
            return lambda q, a, axis=None: k
        axes = tuple(range(k, k + a.ndim))
        return lambda q, a, axis=None: axes


# --------------------------------------------------------------- convolve, correlate
@numba.njit
def _offset(m, n, mode, corr):
    k = min(m, n)
    if mode == "full":
        return 0
    if mode == "valid":
        return k - 1
    return k // 2 if corr and m < n else (k - 1) // 2


@numba.njit
def _full(ct, m, n, mode, corr):
    """ct placed in the full result's cotangent (length m + n - 1) at the mode's offset."""
    g = np.zeros(m + n - 1)
    off = _offset(m, n, mode, corr)
    for i in range(ct.size):
        g[off + i] = ct[i]
    return g


@numba.njit
def _slide(g, w, length, flip):
    """out[k] = sum_j g[k + j] w[j] (flip: w reversed, g[k + len(w) - 1 - j] w[j]), k < length."""
    out = np.zeros(length)
    nw = w.size
    for k in range(length):
        s = 0.0
        for j in range(nw):
            s += g[k + (nw - 1 - j if flip else j)] * w[j]
        out[k] = s
    return out


@overload(convolve_vjp1)
def _ol_convolve_vjp1(ct, a, v, mode="full"):
    if _arr(ct) and _arr(a) and _arr(v):
        return lambda ct, a, v, mode="full": _slide(_full(ct, a.size, v.size, mode, False), v * 1.0, a.size, False)


@overload(convolve_vjp2)
def _ol_convolve_vjp2(ct, a, v, mode="full"):
    if _arr(ct) and _arr(a) and _arr(v):
        return lambda ct, a, v, mode="full": _slide(_full(ct, v.size, a.size, mode, False), a * 1.0, v.size, False)


@overload(correlate_vjp1)
def _ol_correlate_vjp1(ct, a, v, mode="valid"):
    if _arr(ct) and _arr(a) and _arr(v):
        return lambda ct, a, v, mode="valid": _slide(_full(ct, a.size, v.size, mode, True), v * 1.0, a.size, True)


@overload(correlate_vjp2)
def _ol_correlate_vjp2(ct, a, v, mode="valid"):
    if _arr(ct) and _arr(a) and _arr(v):
        def impl(ct, a, v, mode="valid"):  # out[n] = sum_i G[i + N - 1 - n] a[i]
            g = _full(ct, a.size, v.size, mode, True)
            return _slide(g, a * 1.0, v.size, False)[::-1].copy()
        return impl


# ------------------------------------------------------------------------------ kron
@overload(kron_vjp1)
def _ol_kron_vjp1(ct, a, b):
    if _arr(a) and _arr(b) and a.ndim == b.ndim == 1:
        def impl(ct, a, b):
            out = np.zeros(a.shape[0])
            for i in range(a.shape[0]):
                for k in range(b.shape[0]):
                    out[i] += ct[i * b.shape[0] + k] * b[k]
            return out
        return impl
    if _arr(a) and _arr(b) and a.ndim == b.ndim == 2:
        def impl(ct, a, b):
            r, s = b.shape
            out = np.zeros(a.shape)
            for i in range(a.shape[0]):
                for j in range(a.shape[1]):
                    for k in range(r):
                        for m in range(s):
                            out[i, j] += ct[i * r + k, j * s + m] * b[k, m]
            return out
        return impl


@overload(kron_vjp2)
def _ol_kron_vjp2(ct, a, b):
    if _arr(a) and _arr(b) and a.ndim == b.ndim == 1:
        def impl(ct, a, b):
            out = np.zeros(b.shape[0])
            for i in range(a.shape[0]):
                for k in range(b.shape[0]):
                    out[k] += ct[i * b.shape[0] + k] * a[i]
            return out
        return impl
    if _arr(a) and _arr(b) and a.ndim == b.ndim == 2:
        def impl(ct, a, b):
            r, s = b.shape
            out = np.zeros(b.shape)
            for i in range(a.shape[0]):
                for j in range(a.shape[1]):
                    for k in range(r):
                        for m in range(s):
                            out[k, m] += ct[i * r + k, j * s + m] * a[i, j]
            return out
        return impl


# --------------------------------------------------------------------------- cumprod
@overload(cumprod_vjp)
def _ol_cumprod_vjp(ct, x, axis=None):
    if _arr(ct) and _arr(x):
        def impl(ct, x, axis=None):
            xs, cs = to_rows(x, axis), to_rows(ct, axis)
            m, n = xs.shape
            out = np.empty((m, n))
            for b in range(m):
                r = 0.0
                for i in range(n - 1, -1, -1):  # R_i = ct_i + x_{i+1} R_{i+1}
                    r = cs[b, i] + (xs[b, i + 1] * r if i + 1 < n else 0.0)
                    out[b, i] = r
                left = 1.0
                for i in range(n):
                    out[b, i] *= left
                    left *= xs[b, i]
            return from_rows(out, x, axis)
        return impl


@overload(tri_mask)
def _ol_tri_mask(x, axis=None):
    if _arr(x):
        def impl(x, axis=None):
            m, n = to_rows(x, axis).shape
            out = np.zeros((m, n, n))
            for b in range(m):
                for j in range(n):
                    for i in range(j + 1):
                        out[b, j, i] = 1.0
            return out
        return impl


@overload(cumprod_jac)
def _ol_cumprod_jac(x, axis=None):
    if _arr(x):
        def impl(x, axis=None):
            xs = to_rows(x, axis)
            m, n = xs.shape
            out = np.zeros((m, n, n))
            for b in range(m):
                for j in range(n):
                    suffix = 1.0  # prod_{i < k <= j} x_k
                    for i in range(j, -1, -1):
                        out[b, j, i] = suffix
                        suffix *= xs[b, i]
                    left = 1.0
                    for i in range(j + 1):
                        out[b, j, i] *= left
                        left *= xs[b, i]
            return out
        return impl
