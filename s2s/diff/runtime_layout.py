"""Runtime helpers of the layout rules (rules/layout.py): the contributions their VJP
templates call -- np.linspace's weights, rollaxis, diagonals, rot90, append, column_stack/dstack, pad, take_along_axis,
np.select's choices, np.meshgrid's inputs.
Part of the runtime (`s2s.diff.runtime` re-exports every name in `__all__`; `s2s dump -o`
copies this file after it), so self-contained like it: math and NumPy.

Each helper is linear in its cotangent `ct`; the other array arguments are read for their
shape only (`a`, `arr`, `values`, `tup`) or are integer indices. Contributions are fresh
arrays of the input's shape (a float for a scalar input).
"""
import math  # noqa: F401

import numpy as np

from .runtime import DerivativeUnavailable, _basic_index, _like_sequence, unbroadcast  # noqa: E402  s2s-runtime-import
# s2s-runtime-import (the dumped module defines it above)

__all__ = ["AT_REPEATED", "at_selected_once", "linspace_t", "unrollaxis", "undiagonal", "unrot90", "unappend_arr", "unappend_values", "uncolumn_stack", "undstack", "unpad",
           "untake_along_axis", "undelete", "delete_at", "uninsert_arr", "uninsert_values", "unselect", "select_rest",
           "unmeshgrid", "remesh", "meshgrid_of"]

# np.pad modes whose result is a fixed selection of the input's elements (plus constants):
# their adjoint scatters ct back through the same selection.
PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def linspace_t(ans, num, endpoint=True):
    """The weights t_j of np.linspace's samples (start + (stop - start) t_j) along axis 0,
    shaped to broadcast against its result `ans`."""
    div = (num - 1) if endpoint else num
    t = np.arange(num) / div if div > 0 else np.zeros(num)
    return t.reshape((num,) + (1,) * (np.ndim(ans) - 1))


def unrollaxis(ct, a, axis=0, start=0):
    """Contribution to a of `np.rollaxis(a, axis, start)`: the axis moved back."""
    n = np.ndim(a)
    axis = axis % n
    start = start + n if start < 0 else start
    start = start - 1 if axis < start else start
    return np.moveaxis(ct, start, axis)


def _to(ct, x):
    """ct (of x's size) as x's shape; a float for a scalar x."""
    r = np.reshape(ct, np.shape(x))
    return r[()] if r.ndim == 0 else r


def _ids(x):
    """x's element numbers, in x's shape."""
    return np.arange(int(np.prod(np.shape(x)))).reshape(np.shape(x))


def _scatter(ct, src, x):
    """Contribution to x of an output whose elements are x.flat[src] (src < 0: not from x)."""
    out = np.zeros(int(np.prod(np.shape(x))), np.result_type(ct, 0.0))
    keep = src >= 0
    np.add.at(out, src[keep], np.broadcast_to(ct, src.shape)[keep])
    return _to(out, x)


def undiagonal(ct, a, offset=0, axis1=0, axis2=1):
    """Contribution to a of `np.diagonal(a, offset, axis1, axis2)`: ct (whose last axis runs
    along the diagonal) placed on that diagonal of zeros shaped like a."""
    shape = np.shape(a)
    out = np.zeros(shape, np.result_type(ct, 0.0))
    a1, a2 = axis1 % len(shape), axis2 % len(shape)
    view = np.moveaxis(out, (a1, a2), (-2, -1))  # a view: writing it fills out
    i = np.arange(np.shape(ct)[-1])
    view[..., i + max(-offset, 0), i + max(offset, 0)] = ct
    return out


def unrot90(ct, k=1, axes=(0, 1)):
    """Contribution to m of `np.rot90(m, k, axes)`: the opposite rotation."""
    return np.rot90(ct, -k, axes)


def unappend_arr(ct, arr, values, axis=None):
    """Contribution to arr of `np.append(arr, values, axis)`: ct's leading part."""
    if axis is None:
        return _to(np.ravel(ct)[: np.size(arr)], arr)
    n = np.shape(arr)[axis]
    return np.take(ct, np.arange(n), axis)


def unappend_values(ct, arr, values, axis=None):
    """Contribution to values of `np.append(arr, values, axis)`: ct's trailing part."""
    if axis is None:
        return _to(np.ravel(ct)[np.size(arr):], values)
    n, m = np.shape(arr)[axis], np.shape(values)[axis]
    return np.take(ct, np.arange(n, n + m), axis)


def _pieces(ct, widths, axis):
    return np.split(ct, np.cumsum(widths)[:-1], axis)


def uncolumn_stack(ct, tup):
    """One contribution per element of tup for `np.column_stack(tup)` (1-d elements are
    columns, scalars 1x1)."""
    widths = [np.shape(t)[1] if np.ndim(t) >= 2 else 1 for t in tup]
    return _like_sequence([_to(p, t) for p, t in zip(_pieces(ct, widths, 1), tup)], tup)


def undstack(ct, tup):
    """One contribution per element of tup for `np.dstack(tup)` (elements made 3-d as by
    np.atleast_3d, then joined along axis 2)."""
    widths = [np.shape(t)[2] if np.ndim(t) >= 3 else 1 for t in tup]
    return _like_sequence([_to(p, t) for p, t in zip(_pieces(ct, widths, 2), tup)], tup)


def unpad(ct, array, pad_width=0, mode="constant"):
    """Contribution to array of `np.pad(array, pad_width, mode)` for the modes of PAD_MODES:
    padding an array of element numbers the same way says where each output element came
    from (-1 for constants); ct is added back there (edge/reflect/... repeat elements)."""
    if mode not in PAD_MODES:
        raise DerivativeUnavailable(f"np.pad with mode={mode!r} has no derivative rule (modes: {', '.join(PAD_MODES)})")
    ids = _ids(array)
    src = np.pad(ids, pad_width, "constant", constant_values=-1) if mode == "constant" else np.pad(ids, pad_width, mode)
    return _scatter(ct, src, array)


def untake_along_axis(ct, arr, indices, axis=-1):
    """Contribution to arr of `np.take_along_axis(arr, indices, axis)` (scatter-add:
    repeated indices accumulate)."""
    return _scatter(ct, np.take_along_axis(_ids(arr), indices, axis), arr)


def undelete(ct, arr, obj, axis=None):
    """Contribution to arr of `np.delete(arr, obj, axis)`: ct at the kept elements."""
    return _scatter(ct, np.delete(_ids(arr), obj, axis), arr)


def delete_at(ct, obj, axis=None):
    """`np.delete(ct, obj, axis)` (the transpose of undelete; numba's np.delete takes no
    axis, so derivative code calls this)."""
    return np.delete(ct, obj, axis)


def uninsert_arr(ct, arr, obj, values, axis=None):
    """Contribution to arr of `np.insert(arr, obj, values, axis)`: ct without the inserted
    elements."""
    return _scatter(ct, np.insert(_ids(arr), obj, -1, axis), arr)


def uninsert_values(ct, arr, obj, values, axis=None):
    """Contribution to values of `np.insert(arr, obj, values, axis)`: ct at the inserted
    elements, summed where values were broadcast into several."""
    return _scatter(ct, np.insert(np.full(np.shape(arr), -1), obj, _ids(values), axis), values)


def unselect(ct, condlist, choicelist):
    """One contribution per choice of `np.select(condlist, choicelist, default)`: ct where
    its condition is the first true one, summed back to the choice's shape."""
    taken = np.zeros(np.shape(ct), bool)
    out = []
    for c, v in zip(condlist, choicelist):
        first = np.logical_and(c, np.logical_not(taken))
        out.append(unbroadcast(np.where(first, ct, 0.0), v))
        taken = np.logical_or(taken, c)
    return tuple(out)


def select_rest(condlist, like):
    """1.0 where no condition of `np.select` holds (the default is taken), else 0.0, in
    `like`'s (the result's) shape."""
    taken = np.zeros(np.shape(like), bool)
    for c in condlist:
        taken = np.logical_or(taken, c)
    return 1.0 - taken


def _mesh_axis(k, n, indexing):
    """The axis along which np.meshgrid lays input k of n ('xy' swaps the first two)."""
    return 1 - k if indexing == "xy" and n > 1 and k < 2 else k


def unmeshgrid(ct, x, k, n, indexing="xy"):
    """Contribution to x, input k of n of `np.meshgrid`: its output's cotangent summed over the
    other axes (dense or sparse output), in x's shape."""
    c = np.asarray(ct, dtype=np.result_type(ct, 0.0))
    ax = _mesh_axis(k, n, indexing)
    return _to(np.sum(c, axis=tuple(d for d in range(c.ndim) if d != ax)), x)


def remesh(t, ct, k, n, indexing="xy"):
    """t (input k's values) laid along its np.meshgrid axis and broadcast to ct's shape: the
    transpose of `unmeshgrid`."""
    ax, nd = _mesh_axis(k, n, indexing), np.ndim(ct)
    shape = [1] * nd
    shape[ax] = np.size(t)
    return np.broadcast_to(np.reshape(t, shape), np.shape(ct)).copy()


def meshgrid_of(xs, copy=True, sparse=False, indexing="xy"):
    """`np.meshgrid(*xs, ...)` as a tuple: what s2s.jit compiles a call of np.meshgrid into
    (codegen/numba_reductions.py), numba's overloads taking no keywords after `*xi`."""
    return tuple(np.meshgrid(*xs, copy=copy, sparse=sparse, indexing=indexing))


AT_REPEATED = ("an `x.at[idx]` multiply, divide, power, min or max update whose integer-array index selects an "
               "element more than once: JAX applies every update at a repeated position, s2s combines each "
               "selected element once (.add and .subtract accumulate); use unique indices or update in a loop")


def at_selected_once(a, idx):
    """Raises ValueError (AT_REPEATED) when `idx` selects an element of `a` more than once
    (integer arrays with repeats); 0 otherwise. Before the updates that combine once."""
    if _basic_index(idx):
        return 0
    counts = np.zeros(np.shape(a), np.int64)
    np.add.at(counts, idx, 1)
    if counts.size and counts.max() > 1:
        raise ValueError(AT_REPEATED)
    return 0
