"""NumPy sources standing in for array functions s2s has no rule for, and for the in-place
ones (resolve rewrites `np.fill_diagonal(a, v)` to `a = fill_diagonal(a, v)`: the array is
rebound, as `a += v` is), transformed like the user's own helpers.

np.gradient along one axis (parse/macros.py makes one call per axis): NumPy's second-order
central differences inside and first- or second-order one-sided ones at the ends, for a scalar
spacing or a coordinate array (the non-uniform formulas, which reduce to the uniform ones).
np.unwrap is NumPy's algorithm (the corrections are piecewise constant: the derivative is
the identity's). np.choose, np.broadcast_arrays, fill_diagonal/put/place/copyto select or
store -- their derivatives are those of `where` and of stores. np.apply_along_axis(f, axis,
arr, *args) and np.vectorize(f)(x, ...) (parse/macros.py) call f on every 1-d slice / element
in turn (a comprehension) and stack the results in NumPy's layout. sorted(seq, key, reverse): the
elements in the order of a stable argsort of their keys (Python's sort is stable too).
"""
import numpy as np


def _moved_last(x, axis):
    if axis == -1:  # (a literal axis: the test folds, and numba never sees a swapaxes)
        return x
    return np.swapaxes(x, axis, -1)


def gradient_axis(f, h, axis, edge_order, ndim):
    """np.gradient(f, h, axis=axis, edge_order=edge_order) of an `ndim`-d f (-1: any)."""
    if ndim == 1 and f.ndim != 1:
        raise ValueError("np.gradient of an n-d array without axis= returns one array per axis: "
                         "unpack it (`gy, gx = np.gradient(z)`) or pass axis=")
    if ndim > 1 and f.ndim != ndim:
        raise ValueError("np.gradient returns one array per axis of its input: unpack as many as it has")
    m = _moved_last(f, axis)
    n = m.shape[-1]
    if n < edge_order + 1:
        raise ValueError("Shape of array too small to calculate a numerical gradient, "
                         "at least (edge_order + 1) elements are required.")
    c = np.atleast_1d(h) * 1.0  # a spacing, or the coordinates along the axis
    coords = c[0] * np.arange(n) if c.shape[0] == 1 else c + 0.0 * np.arange(n)
    dx = coords[1:] - coords[:-1]
    d1 = dx[:-1]
    d2 = dx[1:]
    a = -d2 / (d1 * (d1 + d2))
    b = (d2 - d1) / (d1 * d2)
    cc = d1 / (d2 * (d1 + d2))
    inner = a * m[..., :-2] + b * m[..., 1:-1] + cc * m[..., 2:]
    # the ends as length-1 slices: an axis of their own even for a 1-d f (numba makes m[..., 0] a scalar)
    if edge_order == 1:
        first = (m[..., 1:2] - m[..., 0:1]) / dx[0]
        last = (m[..., n - 1:n] - m[..., n - 2:n - 1]) / dx[n - 2]
    else:
        e1 = dx[0]
        e2 = dx[1]
        first = (-(2.0 * e1 + e2) / (e1 * (e1 + e2)) * m[..., 0:1] + (e1 + e2) / (e1 * e2) * m[..., 1:2]
                 - e1 / (e2 * (e1 + e2)) * m[..., 2:3])
        e1 = dx[n - 3]
        e2 = dx[n - 2]
        last = (e2 / (e1 * (e1 + e2)) * m[..., n - 3:n - 2] - (e2 + e1) / (e1 * e2) * m[..., n - 2:n - 1]
                + (2.0 * e2 + e1) / (e2 * (e1 + e2)) * m[..., n - 1:n])
    out = np.concatenate((first, inner, last), axis=-1)
    return _moved_last(out, axis)


def unwrap(p, discont=None, axis=-1, period=6.283185307179586):
    m = _moved_last(p, axis)
    dd = m[..., 1:] - m[..., :-1]
    half = period / 2.0
    limit = half if discont is None else max(discont, half)
    ddmod = np.mod(dd + half, period) - half
    ddmod = np.where((ddmod == -half) & (dd > 0), half, ddmod)
    correct = np.where(np.abs(dd) < limit, 0.0, ddmod - dd)
    head = m[..., :1]
    rest = m[..., 1:] + np.cumsum(correct, axis=-1)
    return _moved_last(np.concatenate((head * 1.0, rest), axis=-1), axis)


def choose(a, choices, out=None, mode="raise"):
    n = len(choices)
    if mode == "raise" and (np.any(a < 0) or np.any(a >= n)):
        raise ValueError("invalid entry in choice array")
    index = np.clip(a, 0, n - 1) if mode == "clip" else (np.mod(a, n) if mode == "wrap" else a)
    result = np.where(index == 0, choices[0], choices[0])
    for k in range(1, n):
        result = np.where(index == k, choices[k], result)
    return result


def _broadcast_arrays1(a):
    return (np.asarray(a),)


def _broadcast_arrays2(a, b):
    return a + np.zeros_like(b), b + np.zeros_like(a)


def _broadcast_arrays3(a, b, c):
    return a + np.zeros_like(b) + np.zeros_like(c), b + np.zeros_like(a) + np.zeros_like(c), \
        c + np.zeros_like(a) + np.zeros_like(b)


def broadcast_arrays(*args):
    return tuple(np.broadcast_arrays(*args))


broadcast_arrays.__s2s_by_arity__ = {1: _broadcast_arrays1, 2: _broadcast_arrays2, 3: _broadcast_arrays3}


def _diagonal_positions(shape, wrap):
    rows, cols = shape[0], shape[1]
    end = rows * cols if wrap else min(rows * cols, cols * cols)
    return np.arange(0, end, cols + 1)


def fill_diagonal(a, val, wrap=False):
    if a.ndim != 2:
        raise ValueError("s2s: np.fill_diagonal of an array that is not 2-d is not supported")
    flat = np.ravel(a).copy()
    flat[_diagonal_positions(a.shape, wrap)] = val
    return flat.reshape(a.shape)


def put(a, ind, v, mode="raise"):
    flat = np.ravel(a).copy()
    flat[ind] = v
    return flat.reshape(a.shape)


def place(arr, mask, vals):
    flat = np.ravel(arr).copy()
    flat[np.ravel(mask)] = vals
    return flat.reshape(arr.shape)


def copyto(dst, src, casting="same_kind"):
    return src + np.zeros_like(dst)


def copyto_where(dst, src, casting="same_kind", where=True):
    return np.where(where, src, dst) + np.zeros_like(dst)


def sorted_values(seq, reverse=False):
    keys = np.array([v for v in seq])
    order = np.argsort(-keys if reverse else keys, kind="mergesort")
    return [seq[i] for i in order]


def sorted_by_key(seq, key, reverse=False):
    keys = np.array([key(v) for v in seq])
    order = np.argsort(-keys if reverse else keys, kind="mergesort")
    return [seq[i] for i in order]


def _along_rows(arr, axis):
    """The 1-d slices of arr along `axis`, one per row of a 2-d array, and the other axes' shape."""
    m = np.ascontiguousarray(np.moveaxis(arr, axis, -1))
    return m.reshape((-1, m.shape[-1])), m.shape[:-1]


def _placed(res, outer, axis):
    """The stacked results of f (one per row) in NumPy's layout: f's axes where `axis` was."""
    out = res.reshape(outer + res.shape[1:])
    if out.ndim == len(outer):
        return out
    return np.moveaxis(out, -1, axis)


def _apply_along_axis3(func1d, axis, arr):
    rows, outer = _along_rows(arr, axis)
    return _placed(np.array([func1d(rows[i]) for i in range(rows.shape[0])]), outer, axis)


def _apply_along_axis4(func1d, axis, arr, a1):
    rows, outer = _along_rows(arr, axis)
    return _placed(np.array([func1d(rows[i], a1) for i in range(rows.shape[0])]), outer, axis)


def _apply_along_axis5(func1d, axis, arr, a1, a2):
    rows, outer = _along_rows(arr, axis)
    return _placed(np.array([func1d(rows[i], a1, a2) for i in range(rows.shape[0])]), outer, axis)


def apply_along_axis(func1d, axis, arr, *args):
    return np.apply_along_axis(func1d, axis, arr, *args)


apply_along_axis.__s2s_by_arity__ = {3: _apply_along_axis3, 4: _apply_along_axis4, 5: _apply_along_axis5}


def _vectorized1(f, x):
    a = np.asarray(x)
    fa = np.ravel(a)
    return np.array([f(fa[i]) for i in range(fa.shape[0])]).reshape(a.shape)


def _vectorized2(f, x, y):
    a = x + np.zeros_like(y)
    b = y + np.zeros_like(x)
    fa = np.ravel(a)
    fb = np.ravel(b)
    return np.array([f(fa[i], fb[i]) for i in range(fa.shape[0])]).reshape(np.shape(a))


def _vectorized3(f, x, y, z):
    a = x + np.zeros_like(y) + np.zeros_like(z)
    b = y + np.zeros_like(x) + np.zeros_like(z)
    c = z + np.zeros_like(x) + np.zeros_like(y)
    fa = np.ravel(a)
    fb = np.ravel(b)
    fc = np.ravel(c)
    return np.array([f(fa[i], fb[i], fc[i]) for i in range(fa.shape[0])]).reshape(np.shape(a))


def vectorized(f, *args):
    """np.vectorize(f)(*args) (parse/macros.py calls the version for the number of arguments)."""
    return np.vectorize(f)(*args)


vectorized.__s2s_by_arity__ = {2: _vectorized1, 3: _vectorized2, 4: _vectorized3}
