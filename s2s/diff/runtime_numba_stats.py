"""numba overloads of the helpers in runtime_stats.py (types decide the implementation at compile
time, as in runtime_numba.py); copied into standalone dumped modules like it.

They cover what NumPy-under-numba runs of the primals: np.diff and np.trapezoid along the last
axis, cumprod/ptp/median/percentile/quantile over the whole array (numba's take no axis; the
cumprod helpers also take the last axis), 1-d convolve/correlate, kron of two 1-d or two 2-d
arrays, ediff1d, np.interp without left/right (cov/corrcoef's helpers: runtime_numba_linalg.py). Also
NumPy functions numba lacks: np.cumulative_sum (any axis) and np.polyval (a 1-d p). Plain
loops: they compile faster than the NumPy formulations.
"""
import math  # noqa: F401

import numba
import numpy as np  # noqa: F401
from numba import types  # noqa: F401
from numba.core import errors
from numba.extending import overload  # noqa: F401
from numba.np.unsafe.ndarray import to_fixed_tuple  # noqa: F401

from .runtime import (  # s2s-runtime-import
    convolve_vjp1,
    convolve_vjp2,
    correlate_vjp1,
    correlate_vjp2,
    cross_vjp1,
    cross_vjp2,
    cumprod_jac,
    cumprod_vjp,
    diff_along,
    ediff1d_lin,
    from_rows,
    interp_slope,
    interp_t,
    kron_vjp1,
    kron_vjp2,
    pair_sum,
    polyder_of,
    ptp_weights,
    quantile_axis,
    quantile_weights,
    to_rows,
    tri_mask,
    uncumulative_sum,
    unbroadcast,
    undiff,
    unediff1d,
    uninterp,
    uninterp_slope,
    unpair_sum,
    unpolyder,
    unpolyval,
)
from .runtime_numba import _arr, _none  # noqa: F401
from .runtime_numba_shape import _slices  # noqa: F401
from .runtime_stats import _end_size  # noqa: F401
# s2s-runtime-import


@numba.njit
def _last_rows(x, axis):
    """x as (rows, length of the last axis) (numba's trapezoid works along it)."""
    if axis % x.ndim != x.ndim - 1:
        raise ValueError("compiled rules of trapezoid work along the last axis only")
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
        def impl(ct, a, n=1, axis=-1):  # the slices along the axis as rows, and back
            ax = axis % a.ndim
            outer, m, inner = _slices(ct, ax)
            rows = np.ascontiguousarray(np.ascontiguousarray(ct * 1.0).reshape((outer, m, inner)).transpose(
                (0, 2, 1))).reshape((outer * inner, m))
            out = _undiff_rows(rows, n)
            return np.ascontiguousarray(out.reshape((outer, inner, out.shape[1])).transpose((0, 2, 1))).reshape(a.shape)
        return impl


@overload(diff_along)
def _ol_diff_along(x, n=1, axis=-1):
    if _arr(x):
        def impl(x, n=1, axis=-1):  # (along another axis than the last: runtime_numba_axes.py's np.diff)
            return np.diff(x, n, axis)
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


# ----------------------------------------------------------------------------- cross
@numba.njit
def _vec3(v):
    # a 2-vector's z is 0 (as np.cross reads it); a copy for 3-vectors too: one result type
    out = np.zeros(v.shape[:-1] + (3,))
    out[..., :v.shape[-1]] = v
    return out


@overload(cross_vjp1)
def _ol_cross_vjp1(ct, a, b):
    # numba's np.cross takes no two 2-vectors, so ct is a 3-vector here
    if _arr(ct) and _arr(a) and _arr(b):
        return lambda ct, a, b: unbroadcast(np.cross(_vec3(b), ct)[..., :a.shape[-1]], a)


@overload(cross_vjp2)
def _ol_cross_vjp2(ct, a, b):
    if _arr(ct) and _arr(a) and _arr(b):
        return lambda ct, a, b: unbroadcast(np.cross(ct, _vec3(a))[..., :b.shape[-1]], b)


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


# ----------------------------------------------------------------- cumulative_sum, ediff1d
def _axis_of(x, axis):
    """The axis of np.cumulative_sum: None only for a 1-d x (as NumPy)."""
    if _none(axis):
        if x.ndim != 1:
            raise errors.TypingError("np.cumulative_sum needs axis= for an array of more than one dimension")
        return lambda axis: 0
    return lambda axis: axis


_CUMULATIVE = {}


def _cumulative_sum_impl(x, axis, include_initial, backward):
    """(cached per rank, axis kind, dtype) np.cumulative_sum (backward: its transpose on ct)."""
    dtype = types.float64 if backward else x.dtype
    if isinstance(dtype, (types.Integer, types.Boolean)):
        dtype = types.int64
    key = (x.ndim, _none(axis), dtype, backward)
    if key not in _CUMULATIVE:
        _CUMULATIVE[key] = _cumulative_sum_loops(x.ndim, numba.njit(_axis_of(x, axis)), dtype, backward)
    return _CUMULATIVE[key]


def _cumulative_sum_loops(nd, at, dtype, backward):

    def impl(x, axis, include_initial, ct):
        ax = at(axis) % nd
        outer, n, inner = _slices(x, ax)
        k = 1 if include_initial else 0
        shape = np.empty(nd, np.int64)
        for d in range(nd):
            shape[d] = x.shape[d]
        if backward:  # ct (outer, n + k, inner) -> x's shape
            c3 = np.ascontiguousarray(ct).reshape((outer, n + k, inner))
            out = np.empty((outer, n, inner), dtype)
            for i in range(outer):
                for m in range(inner):
                    acc = 0.0
                    for j in range(n - 1, -1, -1):
                        acc += c3[i, j + k, m]
                        out[i, j, m] = acc
        else:
            x3 = np.ascontiguousarray(x).reshape((outer, n, inner))
            out = np.zeros((outer, n + k, inner), dtype)
            shape[ax] += k
            for i in range(outer):
                for m in range(inner):
                    acc = out[i, 0, m]
                    for j in range(n):
                        acc += x3[i, j, m]
                        out[i, j + k, m] = acc
        return out.reshape(to_fixed_tuple(shape, nd))
    return numba.njit(impl)


if hasattr(np, "cumulative_sum"):  # NumPy >= 2.1; numba has none
    @overload(np.cumulative_sum)
    def _ol_np_cumulative_sum(x, axis=None, dtype=None, out=None, include_initial=False):
        if _arr(x) and _none(out):
            inner = _cumulative_sum_impl(x, axis, include_initial, False)
            return lambda x, axis=None, dtype=None, out=None, include_initial=False: inner(x, axis, include_initial, x)


@overload(uncumulative_sum)
def _ol_uncumulative_sum(ct, x, axis=None, include_initial=False):
    if _arr(ct) and _arr(x):
        inner = _cumulative_sum_impl(x, axis, include_initial, True)
        return lambda ct, x, axis=None, include_initial=False: inner(x, axis, include_initial, ct)


@overload(_end_size)
def _ol_end_size(v):
    if _none(v):
        return lambda v: 0
    if isinstance(v, types.Array):
        return lambda v: v.size
    if isinstance(v, (types.Number, types.Boolean)):
        return lambda v: 1


@overload(unediff1d)
def _ol_unediff1d(ct, ary, to_end=None, to_begin=None):
    if _arr(ct) and _arr(ary):
        def impl(ct, ary, to_end=None, to_begin=None):
            nb, c = _end_size(to_begin), np.ascontiguousarray(ct).reshape(-1)
            out = np.zeros(ary.size)
            for i in range(ary.size - 1):
                out[i] -= c[nb + i]
                out[i + 1] += c[nb + i]
            return out.reshape(ary.shape)
        return impl


@overload(ediff1d_lin)
def _ol_ediff1d_lin(t, to_end=None, to_begin=None):
    if _arr(t):
        def impl(t, to_end=None, to_begin=None):
            nb, f = _end_size(to_begin), np.ascontiguousarray(t).reshape(-1)
            out = np.zeros(nb + max(f.size - 1, 0) + _end_size(to_end))
            for i in range(f.size - 1):
                out[nb + i] = f[i + 1] - f[i]
            return out
        return impl


# ------------------------------------------------------------------- polyval, interp
@numba.njit
def _horner(p, v):
    y = 0.0
    for k in range(p.size):
        y = y * v + p[k]
    return y


@numba.njit
def _flat(x):
    return np.asarray(x * 1.0).ravel()


@overload(np.polyval)
def _ol_np_polyval(p, x):
    if _arr(p) and p.ndim == 1 and isinstance(x, (types.Number, types.Boolean)):
        return lambda p, x: _horner(p, x)
    if _arr(p) and p.ndim == 1 and _arr(x):
        def impl(p, x):
            xs = _flat(x)
            out = np.empty(xs.size)
            for i in range(xs.size):
                out[i] = _horner(p, xs[i])
            return out.reshape(x.shape)
        return impl


@overload(unpolyval)
def _ol_unpolyval(ct, p, x):
    if _arr(p):
        def impl(ct, p, x):
            cs, xs = _flat(ct), _flat(x)
            out = np.zeros(p.size)
            for i in range(cs.size):
                power = 1.0
                for k in range(p.size - 1, -1, -1):
                    out[k] += cs[i] * power
                    power *= xs[i]
            return out
        return impl


@overload(polyder_of)
def _ol_polyder_of(p):
    if _arr(p):
        return lambda p: p[:max(p.size - 1, 0)] * np.arange(p.size - 1, 0, -1)


@overload(unpolyder)
def _ol_unpolyder(ct, p):
    if _arr(ct) and _arr(p):
        return lambda ct, p: np.concatenate((ct * np.arange(p.size - 1, 0, -1), np.zeros(min(p.size, 1))))


@numba.njit
def _cell(xp, v):
    """(j, t, h, where) of np.interp at v: xp[j] <= v < xp[j+1] at fraction t of the width h
    (where 0), or below xp[0] (-1), at xp[-1] (1), above it (2)."""
    n = xp.size
    j = np.searchsorted(xp, v, side="right") - 1
    if j < 0:
        return 0, 0.0, 1.0, -1
    if j >= n - 1:
        return n - 1, 0.0, 1.0, 1 if v == xp[n - 1] else 2
    h = xp[j + 1] - xp[j]
    return j, (v - xp[j]) / h, h * 1.0, 0


@numba.njit
def _interp_at(fp, xp, v, no_left, no_right, slope):
    """interp_t (no_left/no_right: the constants are given, zero) or interp_slope at v."""
    j, t, h, where = _cell(xp, v)
    if where == 0:
        return (fp[j + 1] - fp[j]) / h if slope else fp[j] * (1.0 - t) + fp[j + 1] * t
    if slope or where == -1 and no_left or where == 2 and no_right:
        return 0.0
    return fp[0] * 1.0 if where == -1 else fp[xp.size - 1] * 1.0


@numba.njit
def _interp_map(fp, xp, x, no_left, no_right, slope):
    xs = _flat(x)
    out = np.empty(xs.size)
    for i in range(xs.size):
        out[i] = _interp_at(fp, xp, xs[i], no_left, no_right, slope)
    return out.reshape(x.shape)


@numba.njit
def _uninterp_map(ct, xp, x, no_left, no_right, slope):
    """uninterp's (slope: uninterp_slope's) contributions of each (x, ct) element, added up."""
    out = np.zeros(xp.size)
    cs, xs = _flat(ct), _flat(x)
    for i in range(xs.size):
        j, t, h, where = _cell(xp, xs[i])
        c = cs[i]
        if where == 0:
            out[j] += -c / h if slope else c * (1.0 - t)
            out[j + 1] += c / h if slope else c * t
        elif not slope and where == -1 and not no_left:
            out[0] += c
        elif not slope and (where == 1 or where == 2 and not no_right):
            out[xp.size - 1] += c
    return out


@overload(interp_t)
def _ol_interp_t(t, x, xp, left=None, right=None):
    lg, rg = not _none(left), not _none(right)
    if _arr(t) and _arr(xp) and isinstance(x, (types.Number, types.Boolean)):
        return lambda t, x, xp, left=None, right=None: _interp_at(t, xp, x, lg, rg, False)
    if _arr(t) and _arr(xp) and _arr(x):
        return lambda t, x, xp, left=None, right=None: _interp_map(t, xp, x, lg, rg, False)


@overload(interp_slope)
def _ol_interp_slope(x, xp, fp):
    if _arr(fp) and _arr(xp) and isinstance(x, (types.Number, types.Boolean)):
        return lambda x, xp, fp: _interp_at(fp, xp, x, True, True, True)
    if _arr(fp) and _arr(xp) and _arr(x):
        return lambda x, xp, fp: _interp_map(fp, xp, x, True, True, True)


@overload(uninterp)
def _ol_uninterp(ct, x, xp, left=None, right=None):
    lg, rg = not _none(left), not _none(right)
    if _arr(xp):
        return lambda ct, x, xp, left=None, right=None: _uninterp_map(ct, xp, x, lg, rg, False)


@overload(uninterp_slope)
def _ol_uninterp_slope(ct, x, xp):
    if _arr(xp):
        return lambda ct, x, xp: _uninterp_map(ct, xp, x, True, True, True)
