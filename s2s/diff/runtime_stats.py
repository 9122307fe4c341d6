"""Runtime helpers of the stats rules (cumprod, diff, ptp, trapezoid, median/percentile/quantile,
convolve/correlate, kron, cross): the contributions the VJP templates of rules/stats.py call. Part
of the runtime (`s2s.diff.runtime` re-exports every name in `__all__`; `s2s dump -o` copies
this file after it), so self-contained like it: math, NumPy and the runtime's helpers.

Linear helpers (`undiff`, `pair_sum`/`unpair_sum`, `convolve_vjp<k>`, `correlate_vjp<k>`,
`kron_vjp<k>`, `cross_vjp<k>`) are linear in `ct` and in the other operand; arrays named `a`, `y`, `x` next to
`ct` give a shape only. `ptp_weights`, `quantile_weights`, `quantile_axis` and `tri_mask` are
piecewise constant (registered non-differentiable). cumprod's helpers never divide by x, so
they are exact with zeros: `cumprod_vjp` is J^T ct by a prefix product and a backward
recurrence, `cumprod_jac` the Jacobian per slice (rows, n, n), whose derivatives go through
`prod_pairs` of the rows "x_k for k <= j, 1 after" (see rules/stats.py).
"""
import math  # noqa: F401

import numpy as np

from .runtime import prod_partials, reshape_to, unbroadcast, unreduce  # noqa: E402  s2s-runtime-import
from .runtime_partials import from_rows, to_rows  # noqa: E402
# s2s-runtime-import (the dumped module defines them above)

__all__ = ["undiff", "diff_along", "pair_sum", "unpair_sum", "ptp_weights", "quantile_weights", "quantile_axis",
           "convolve_vjp1", "convolve_vjp2", "correlate_vjp1", "correlate_vjp2", "kron_vjp1", "kron_vjp2",
           "cross_vjp1", "cross_vjp2", "cumprod_vjp", "cumprod_jac", "tri_mask", "unediff1d", "ediff1d_lin", "uncumulative_sum", "obs_rows",
           "unobs_rows", "as_square", "cov_scale", "unpolyval", "polyder_of", "unpolyder", "interp_t", "uninterp",
           "interp_slope", "uninterp_slope"]


# ------------------------------------------------------------------------ diff, trapezoid
def undiff(ct, a, n=1, axis=-1):
    """Contribution to a of `np.diff(a, n, axis)`: n times the transposed difference
    (c_{k-1} - c_k, zero beyond the ends)."""
    c = np.moveaxis(np.asarray(ct, dtype=np.result_type(ct, 0.0)), axis, -1)
    for _ in range(n):
        z = np.zeros(c.shape[:-1] + (1,), c.dtype)
        c = np.concatenate((z, c), -1) - np.concatenate((c, z), -1)
    return np.moveaxis(c, -1, axis)


def diff_along(x, n=1, axis=-1):
    """`np.diff(x, n, axis)` (a helper so that numba, whose np.diff takes no axis, compiles
    it along the last axis): undiff's transpose."""
    return np.diff(x, n, axis)


def pair_sum(y, axis=-1):
    """y[1:] + y[:-1] along axis (trapezoid's neighbour sums)."""
    y = np.moveaxis(np.asarray(y), axis, -1)
    return np.moveaxis(y[..., 1:] + y[..., :-1], -1, axis)


def unpair_sum(ct, y, axis=-1):
    """The transpose of `pair_sum(y, axis)`: c_{k-1} + c_k, zero beyond the ends."""
    c = np.moveaxis(np.asarray(ct, dtype=np.result_type(ct, 0.0)), axis, -1)
    z = np.zeros(c.shape[:-1] + (1,), c.dtype)
    return np.moveaxis(np.concatenate((z, c), -1) + np.concatenate((c, z), -1), -1, axis)


# ------------------------------------------------------------------ order statistics
def ptp_weights(a, axis=None):
    """d ptp(a, axis) / da: the max's weights minus the min's, ties split equally (as max
    and min); 0 for a constant slice."""
    hi = a == unreduce(np.max(a, axis), a, axis)
    lo = a == unreduce(np.min(a, axis), a, axis)
    return hi / unreduce(np.sum(hi, axis), a, axis) - lo / unreduce(np.sum(lo, axis), a, axis)


def quantile_weights(a, q, axis=None, scale=1.0, slope=False):
    """d quantile(a, q / scale, axis) / da for the default 'linear' method, shaped
    np.shape(q) + np.shape(a): (1 - f) on the element sorted at floor(h) and f on the one at
    floor(h) + 1, h = (n - 1) q = floor(h) + f. Ties go to the elements in stable sort order
    (median of an even count: half to each middle element). With `slope`, the weights D of
    d quantile / dq = sum(D a): -(n - 1) / scale and +(n - 1) / scale on those two elements
    (the right derivative at a whole h; 0 at q = 1)."""
    a = np.asarray(a, dtype=float)
    if isinstance(axis, (tuple, list)):  # several axes: as one, moved last
        axes = tuple(ax % a.ndim for ax in axis)
        last = tuple(range(a.ndim - len(axes), a.ndim))
        moved = np.moveaxis(a, axes, last)
        w = quantile_weights(moved.reshape(moved.shape[:a.ndim - len(axes)] + (-1,)), q, -1, scale, slope)
        nq = np.ndim(q)
        w = w.reshape(np.shape(q) + moved.shape)
        return np.moveaxis(w, tuple(nq + ax for ax in last), tuple(nq + ax for ax in axes))
    x = np.reshape(a, (-1,)) if axis is None else np.moveaxis(a, axis, -1)
    n = x.shape[-1]
    order = np.argsort(x, axis=-1, kind="stable")
    qs = np.asarray(q, dtype=float) / scale
    out = np.zeros(qs.shape + a.shape)
    for i in np.ndindex(qs.shape):
        h = (n - 1) * qs[i]
        lo = min(max(int(math.floor(h)), 0), n - 1)
        f = h - lo
        w = np.zeros(n)
        w[lo] += -(n - 1) / scale if slope else 1.0 - f
        w[min(lo + 1, n - 1)] += (n - 1) / scale if slope else f
        placed = np.zeros(x.shape)
        np.put_along_axis(placed, order, np.broadcast_to(w, x.shape), -1)
        out[i] = np.reshape(placed, a.shape) if axis is None else np.moveaxis(placed, -1, axis)
    return out


def quantile_axis(q, a, axis=None):
    """The axes of `quantile_weights(a, q, axis)` that the quantile reduces (a's, after q's;
    all of a's for axis None)."""
    k, nd = np.ndim(q), np.ndim(a)
    if axis is None:
        return k if nd == 1 else tuple(range(k, k + nd))
    if isinstance(axis, (tuple, list)):
        return tuple(sorted(k + ax % nd for ax in axis))
    return k + axis % nd


# --------------------------------------------------------------- convolve, correlate
def _embed(ct, m, n, mode, corr):
    """ct, the cotangent of a `mode` result of two 1-d arrays of lengths m and n, placed in
    the full result's cotangent (length m + n - 1) at NumPy's offset for the mode."""
    out = np.zeros(m + n - 1, np.result_type(ct, 0.0))
    k = min(m, n)
    off = 0 if mode == "full" else k - 1 if mode == "valid" else (k // 2 if corr and m < n else (k - 1) // 2)
    out[off:off + np.size(ct)] = ct
    return out


def convolve_vjp1(ct, a, v, mode="full"):
    """Contribution to a of `np.convolve(a, v, mode)` (linear in ct and v)."""
    return np.correlate(_embed(ct, np.size(a), np.size(v), mode, False), v, "valid")


def convolve_vjp2(ct, a, v, mode="full"):
    """Contribution to v of `np.convolve(a, v, mode)` (convolution commutes, offsets too)."""
    return convolve_vjp1(ct, v, a, mode)


def correlate_vjp1(ct, a, v, mode="valid"):
    """Contribution to a of `np.correlate(a, v, mode)` (real; linear in ct and v)."""
    return np.convolve(_embed(ct, np.size(a), np.size(v), mode, True), v, "valid")


def correlate_vjp2(ct, a, v, mode="valid"):
    """Contribution to v of `np.correlate(a, v, mode)` (real; linear in ct and a)."""
    return np.correlate(_embed(ct, np.size(a), np.size(v), mode, True), a, "valid")[::-1]


# ------------------------------------------------------------------------------ kron
def _kron_parts(ct, a, b):
    nd = max(np.ndim(a), np.ndim(b))
    sa = (1,) * (nd - np.ndim(a)) + np.shape(a)
    sb = (1,) * (nd - np.ndim(b)) + np.shape(b)
    return np.reshape(ct, [s for pair in zip(sa, sb) for s in pair]), sa, sb, nd


def kron_vjp1(ct, a, b):
    """Contribution to a of `np.kron(a, b)`: ct as blocks (a's index, b's index per axis),
    summed against b over b's indices."""
    g, sa, sb, nd = _kron_parts(ct, a, b)
    bb = np.reshape(b, [s for d in sb for s in (1, d)])
    return np.reshape(np.sum(g * bb, axis=tuple(range(1, 2 * nd, 2))), np.shape(a))[()]


def kron_vjp2(ct, a, b):
    """Contribution to b of `np.kron(a, b)`."""
    g, sa, sb, nd = _kron_parts(ct, a, b)
    aa = np.reshape(a, [s for d in sa for s in (d, 1)])
    return np.reshape(np.sum(g * aa, axis=tuple(range(0, 2 * nd, 2))), np.shape(b))[()]


# ----------------------------------------------------------------------------- cross
def _vec3(v):
    """Vectors along the last axis as 3-vectors: a 2-vector's z is 0, as np.cross reads it."""
    if v.shape[-1] == 3:
        return v
    out = np.zeros(v.shape[:-1] + (3,), np.result_type(v, 0.0))
    out[..., :2] = v
    return out


def _ct3(ct, a, b):
    """The cotangent of np.cross(a, b) as 3-vectors: two 2-vectors give the z component only."""
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return np.asarray(ct)[..., None] * np.array([0.0, 0.0, 1.0])
    return ct


def cross_vjp1(ct, a, b):
    """Contribution to a of `np.cross(a, b)` (vectors along the last axes, 2 or 3 long,
    stacks broadcast): (b x ct) in a's components, summed over a's broadcast axes."""
    a, b = np.asarray(a), np.asarray(b)
    return unbroadcast(np.cross(_vec3(b), _ct3(ct, a, b))[..., :a.shape[-1]], a)


def cross_vjp2(ct, a, b):
    """Contribution to b of `np.cross(a, b)`: (ct x a) in b's components."""
    a, b = np.asarray(a), np.asarray(b)
    return unbroadcast(np.cross(_ct3(ct, a, b), _vec3(a))[..., :b.shape[-1]], b)


# --------------------------------------------------------------------------- cumprod
def cumprod_vjp(ct, x, axis=None):
    """Contribution to x of `np.cumprod(x, axis)` without dividing by x: per slice,
    (prod_{k<i} x_k) * R_i with R_i = ct_i + x_{i+1} R_{i+1}."""
    xs, cs = to_rows(x, axis), to_rows(ct, axis)
    n = xs.shape[1]
    left = np.ones(xs.shape)
    if n > 1:
        left[:, 1:] = np.cumprod(xs[:, :-1], axis=1)
    r = np.array(cs, dtype=np.result_type(cs, xs, 0.0))
    for i in range(n - 2, -1, -1):
        r[:, i] += xs[:, i + 1] * r[:, i + 1]
    return from_rows(left * r, x, axis)


def tri_mask(x, axis=None):
    """(rows, n, n) ones where i <= j (row j of a slice's cumprod Jacobian reads x_i)."""
    xs = to_rows(x, axis)
    m, n = xs.shape
    return np.broadcast_to(np.tril(np.ones((n, n))), (m, n, n)).copy()


def cumprod_jac(x, axis=None):
    """The Jacobian of `np.cumprod(x, axis)` per slice, (rows, n, n): [b, j, i] =
    prod_{k <= j, k != i} x_k for i <= j, else 0 (exact with zeros)."""
    m = tri_mask(x, axis)
    rows = np.expand_dims(to_rows(x, axis), 1) * m + (1.0 - m)
    return prod_partials(rows, -1) * m


# ----------------------------------------------------------------- ediff1d, cumulative_sum
def _end_size(v):
    return 0 if v is None else int(np.size(v))


def unediff1d(ct, ary, to_end=None, to_begin=None):
    """Contribution to ary of `np.ediff1d(ary, to_end, to_begin)`: the differences' part of ct
    (after the to_begin entries), transposed (undiff), in ary's shape."""
    nb, n = _end_size(to_begin), int(np.size(ary))
    c = np.ravel(ct)[nb:nb + max(n - 1, 0)]
    return reshape_to(undiff(c, c) if n > 0 else np.zeros(0), ary)


def ediff1d_lin(t, to_end=None, to_begin=None):
    """`np.ediff1d(t, to_end, to_begin)` with zeros for the constants: its linear part (the
    tangent of np.ediff1d; unediff1d's transpose)."""
    d = np.diff(np.ravel(t) * 1.0)
    return np.concatenate((np.zeros(_end_size(to_begin)), d, np.zeros(_end_size(to_end))))


def uncumulative_sum(ct, x, axis=None, include_initial=False):
    """Contribution to x of `np.cumulative_sum(x, axis=axis, include_initial=...)` (axis None
    for a 1-d x): the reversed cumulative sum of ct, without the initial zero's entry."""
    ax = 0 if axis is None else axis % np.ndim(x)
    c = np.asarray(ct, dtype=np.result_type(ct, 0.0))
    if include_initial:
        c = np.take(c, np.arange(1, c.shape[ax]), ax)
    return np.flip(np.cumsum(np.flip(c, ax), ax), ax)


# ---------------------------------------------------------------------- cov, corrcoef
def obs_rows(m, rowvar=True):
    """np.cov's observations matrix of m: a 2-d float array, one variable per row (a 1-d m is
    one row; rowvar=False transposes a 2-d m with more than one row, as NumPy)."""
    x = np.atleast_2d(np.asarray(m, dtype=np.result_type(m, 0.0)))
    return x.T if not rowvar and x.shape[0] != 1 else x


def unobs_rows(ct, m, rowvar=True):
    """Contribution to m of `obs_rows(m, rowvar)` (its transpose): ct back in m's shape."""
    c = ct.T if not rowvar and np.ndim(m) == 2 and np.shape(m)[0] != 1 else ct
    return reshape_to(c, m)


def as_square(ct, x):
    """ct, the cotangent of np.cov/np.corrcoef's result (squeezed to a scalar for a single
    variable), as the (p, p) matrix of x's p variables."""
    p = np.shape(x)[0]
    return np.reshape(np.asarray(ct, dtype=np.result_type(ct, 0.0)), (p, p))


def cov_scale(x, bias=False, ddof=None):
    """1 / (n - ddof) of np.cov over x's n observations (ddof None: 0 with bias, else 1)."""
    d = (0 if bias else 1) if ddof is None else ddof
    return 1.0 / (np.shape(x)[1] - d)


# ------------------------------------------------------------------------- polyval
def unpolyval(ct, p, x):
    """Contribution to the coefficients p (1-d) of `np.polyval(p, x)`: sum(ct x^(N-1-k))."""
    n = np.size(p)
    out = np.zeros(n, np.result_type(ct, x, 0.0))
    power = np.ones(np.shape(ct)) * 1.0
    for k in range(n - 1, -1, -1):
        out[k] = np.sum(ct * power)
        power = power * x
    return out


def polyder_of(p):
    """The coefficients of p's derivative (np.polyder for a 1-d p; empty for a constant)."""
    n = np.size(p)
    return np.asarray(p)[:max(n - 1, 0)] * np.arange(n - 1, 0, -1)


def unpolyder(ct, p):
    """Contribution to p of `polyder_of(p)` (its transpose): ct_k (N-1-k), then 0."""
    n = np.size(p)
    return np.concatenate((ct * np.arange(n - 1, 0, -1), np.zeros(min(n, 1))))


# -------------------------------------------------------------------------- interp
def _cells(x, xp):
    """For np.interp at x over the knots xp: the cell j with xp[j] <= x < xp[j+1] clipped to
    [0, n-2], whether x is inside [xp[0], xp[-1]), the fraction t in the cell, the cell's
    width, and whether x is below xp[0], at xp[-1], above it."""
    xp = np.asarray(xp, dtype=float)
    xs = np.asarray(x, dtype=float)
    n = xp.size
    j = np.searchsorted(xp, xs, side="right") - 1
    jj = np.clip(j, 0, max(n - 2, 0))
    inner = (j >= 0) & (j < n - 1)
    h = xp[np.minimum(jj + 1, n - 1)] - xp[jj]
    t = np.where(inner, (xs - xp[jj]) / np.where(inner, h, 1.0), 0.0)
    at_end = j == n - 1
    return jj, inner, t, np.where(inner, h, 1.0), j < 0, at_end & (xs == xp[n - 1]), at_end & (xs != xp[n - 1])


def _float_like(out, x):
    return float(out) if np.ndim(x) == 0 else out


def interp_t(t, x, xp, left=None, right=None):
    """`np.interp(x, xp, t, left, right)` with zeros for the constant left/right values: the
    values' part, linear in t (the tangent of np.interp in fp)."""
    return _float_like(np.interp(x, xp, t, None if left is None else 0.0, None if right is None else 0.0), x)


def uninterp(ct, x, xp, left=None, right=None):
    """Contribution to fp of `np.interp(x, xp, fp, left, right)`: ct split (1 - t, t) between
    the two knots around x; below xp[0] to fp[0] unless left is given, at xp[-1] to fp[-1],
    above it to fp[-1] unless right is given (interp_t's transpose)."""
    n = np.size(xp)
    jj, inner, t, _, below, last, above = _cells(x, xp)
    c = np.broadcast_to(np.asarray(ct, dtype=float), np.shape(t))
    out = np.zeros(n)
    np.add.at(out, jj[inner], c[inner] * (1.0 - t[inner]))
    np.add.at(out, jj[inner] + 1, c[inner] * t[inner])
    out[0] += np.sum(c[below]) if left is None else 0.0
    out[n - 1] += np.sum(c[last]) + (np.sum(c[above]) if right is None else 0.0)
    return out


def interp_slope(x, xp, fp):
    """d np.interp(x, xp, fp) / dx: the slope of the cell [xp[j], xp[j+1]) holding x (right-
    sided at a knot), 0 outside [xp[0], xp[-1]). Piecewise constant in x, linear in fp."""
    fp = np.asarray(fp, dtype=float)
    jj, inner, _, h, *_ = _cells(x, xp)
    hi = fp[np.minimum(jj + 1, fp.size - 1)]
    return _float_like(np.where(inner, (hi - fp[jj]) / h, 0.0), x)


def uninterp_slope(ct, x, xp):
    """The transpose of `interp_slope(x, xp, fp)` in fp: -ct / h to the cell's left knot,
    +ct / h to its right one."""
    jj, inner, _, h, *_ = _cells(x, xp)
    c = np.broadcast_to(np.asarray(ct, dtype=float), np.shape(h))
    out = np.zeros(np.size(xp))
    np.add.at(out, jj[inner], -c[inner] / h[inner])
    np.add.at(out, jj[inner] + 1, c[inner] / h[inner])
    return out
