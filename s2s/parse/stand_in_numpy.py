"""NumPy sources standing in for NumPy functions s2s has no rule for (parse/stand_ins.py maps
`np.multiply.outer` & co. to these), transformed like the user's own helpers.

ufunc.outer(a, b) of the arithmetic ufuncs: every element of a with every element of b, the
result shaped a.shape + b.shape -- written as the ufunc of a column and a row, reshaped.
np.vander(x, N, increasing): the columns are powers of x built by repeated products (no
0 ** 0 in a derivative). math.fsum(seq): the sum (its derivative is the sum's; the value is
not compensated as math.fsum's); math.prod(seq, start=1): the running product.
np.maximum/minimum.accumulate: the running extreme, one slice along the axis at a time (its
derivative is np.maximum's: a tie splits the cotangent between the two, as that rule does).
np.linalg.cond: the ratio of the extreme singular values (p None, 2, -2), otherwise
norm(x, p) * norm(inv(x), p) as NumPy computes it.
np.histogram(a, bins): edges by np.linspace between a's extremes (or range) -- or the edges
given --, counts by np.bincount of np.searchsorted's bins (histogram's docstring says how they move).
np.polyfit(x, y, deg): the least-squares fit on the Vandermonde matrix, its columns scaled to
unit norm as NumPy scales them (other arguments: a ValueError saying so).
"""
import numpy as np


def _outer(ufunc, a, b):
    a, b = np.asarray(a), np.asarray(b)
    return ufunc(a.reshape((-1, 1)), b.reshape((1, -1))).reshape(a.shape + b.shape)


def add_outer(a, b):
    return _outer(np.add, a, b)


def subtract_outer(a, b):
    return _outer(np.subtract, a, b)


def multiply_outer(a, b):
    return _outer(np.multiply, a, b)


def divide_outer(a, b):
    return _outer(np.divide, a, b)


def power_outer(a, b):
    return _outer(np.power, a, b)


def maximum_outer(a, b):
    return _outer(np.maximum, a, b)


def minimum_outer(a, b):
    return _outer(np.minimum, a, b)


def hypot_outer(a, b):
    return _outer(np.hypot, a, b)


def arctan2_outer(a, b):
    return _outer(np.arctan2, a, b)


def logaddexp_outer(a, b):
    return _outer(np.logaddexp, a, b)


def vander(x, N=None, increasing=False):
    n = x.shape[0] if N is None else N
    cols = [np.ones(x.shape[0]) + 0.0 * x]
    for k in range(1, n):
        cols.append(cols[k - 1] * x)
    v = np.stack(cols, axis=1)
    return v if increasing else v[:, ::-1]


def _polyfit(x, y, deg):
    lhs = vander(x, deg + 1)
    scale = np.sqrt(np.sum(lhs * lhs, axis=0))
    c = np.linalg.lstsq(lhs / scale, y, rcond=None)[0]
    return (c.T / scale).T


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    raise ValueError("s2s transforms np.polyfit(x, y, deg) with three positional arguments only "
                     "(no rcond, full, w or cov)")


polyfit.__s2s_by_arity__ = {3: _polyfit}


def math_fsum(seq):
    total = 0.0
    for v in seq:
        total = total + v
    return total


def math_prod(seq, start=1):
    """math.prod: the running product (each factor's derivative the product of the others,
    zeros included)."""
    total = start
    for v in seq:
        total = total * v
    return total


def _moved_first(x, axis):
    if axis == 0:  # (a literal axis: the test folds and the common case has no view to make)
        return x
    return np.swapaxes(x, axis, 0)


def _accumulate(ufunc, a, axis):
    m = _moved_first(np.asarray(a), axis)
    out = np.copy(m)
    for i in range(1, m.shape[0]):
        out[i] = ufunc(out[i - 1], m[i])
    return _moved_first(out, axis)


def maximum_accumulate(a, axis=0):
    return _accumulate(np.maximum, a, axis)


def minimum_accumulate(a, axis=0):
    return _accumulate(np.minimum, a, axis)


def _cond_none(x):
    s = np.linalg.svd(x, compute_uv=False)
    return s[..., 0] / s[..., -1]


def _cond_p(x, p):
    if p is None or p == 2:
        return _cond_none(x)
    if p == -2:
        s = np.linalg.svd(x, compute_uv=False)
        return s[..., -1] / s[..., 0]
    return np.linalg.norm(x, p, axis=(-2, -1)) * np.linalg.norm(np.linalg.inv(x), p, axis=(-2, -1))


def linalg_cond(x, p=None):
    return np.linalg.cond(x, p)


linalg_cond.__s2s_by_arity__ = {1: _cond_none, 2: _cond_p}


def histogram(a, bins=10, range=None, density=None, weights=None):
    """np.histogram with a number of bins: (counts, edges). The edges span range, or a's
    minimum to maximum (widened by 0.5 either way when they are equal), so they move with
    those extremes; each value falls in the bin whose left edge it reaches (the last bin
    closed), as NumPy places it; values outside the range are left out. Weights are summed
    per bin (np.bincount: differentiated in the weights), density divides by the total and
    the bin widths. Inside a transformed function the call becomes `_histogram_counts`
    (integer counts, as NumPy's without weights or density) or `_histogram_float` by what
    it passes (parse/macros.py): numba compiles one result type per call; bins that are
    edges -- a list or a call written there, or a local variable made by one -- make it
    `_histogram_edges_counts` / `_histogram_edges_float`."""
    if np.ndim(bins) != 0:
        if weights is None and not density:
            return _histogram_edges_counts(a, bins)
        return _histogram_edges_float(a, bins, density, weights)
    if weights is None and not density:
        return _histogram_counts(a, bins, range)
    return _histogram_float(a, bins, range, density, weights)


def _histogram_bins(flat, bins, range):
    """(edges, each value's bin, which values are inside the range)."""
    if np.ndim(bins) != 0:
        raise ValueError("np.histogram inside a transformed function reads `bins` held in a variable as a number "
                         "of bins; pass bin edges written in the call (a list, np.linspace(...), np.array(...)) or "
                         "made by such a call in this function")
    if range is None:
        lo, hi = np.min(flat), np.max(flat)
    else:
        lo, hi = range[0], range[1]
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    idx = np.searchsorted(edges, flat, side="right") - 1
    idx = np.where(flat == edges[-1], bins - 1, idx)
    return edges, idx, (idx >= 0) & (idx < bins)


def _histogram_counts(a, bins, range):
    flat = np.ravel(a)
    edges, idx, keep = _histogram_bins(flat, bins, range)
    return np.bincount(idx[keep], minlength=bins), edges


def _histogram_float(a, bins, range, density, weights):
    flat = np.ravel(a)
    edges, idx, keep = _histogram_bins(flat, bins, range)
    w = np.ones(flat.shape) if weights is None else np.ravel(weights) * 1.0
    counts = np.bincount(idx[keep], weights=w[keep], minlength=bins)
    if density:
        return counts / (np.sum(counts) * np.diff(edges)), edges
    return counts, edges


def _edge_bins(flat, edges):
    """Each value's bin among explicit edges, and which values are inside them (NumPy's
    placement: a bin holds its left edge, the last one its right edge too)."""
    n = edges.shape[0] - 1
    idx = np.searchsorted(edges, flat, side="right") - 1
    idx = np.where(flat == edges[-1], n - 1, idx)
    return idx, (idx >= 0) & (idx < n)


def _histogram_edges_counts(a, edges):
    flat = np.ravel(a)
    edges = np.asarray(edges) * 1.0
    idx, keep = _edge_bins(flat, edges)
    return np.bincount(idx[keep], minlength=edges.shape[0] - 1), edges


def _histogram_edges_float(a, edges, density, weights):
    flat = np.ravel(a)
    edges = np.asarray(edges) * 1.0
    idx, keep = _edge_bins(flat, edges)
    w = np.ones(flat.shape) if weights is None else np.ravel(weights) * 1.0
    counts = np.bincount(idx[keep], weights=w[keep], minlength=edges.shape[0] - 1)
    if density:
        return counts / (np.sum(counts) * np.diff(edges)), edges
    return counts, edges


histogram.__s2s_macro__ = True
