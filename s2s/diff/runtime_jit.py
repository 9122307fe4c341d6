"""Runtime helpers that jit's own passes call (codegen/numba_reductions.py rewrites NumPy calls
numba does not compile into them): reductions and cumulations along an axis, matrix norms,
F-order reshapes (and C-order ones of arrays that are not C-contiguous), flat concatenation, scalar casts, sorts along an axis, np.select (numba's
takes a scalar default only), np.diag_indices(_from) and np.unravel_index (numba has none),
and the axis permutations np.swapaxes / np.moveaxis /
np.rollaxis / np.transpose(x, axes) (views, as NumPy's: numba's own
take seconds to compile for each rank; these a fraction of one). Their Python bodies are
NumPy's own; the numba versions (loops written for the array's rank and literal options) are in
runtime_numba_jit.py. Part of the runtime (`s2s.diff.runtime` re-exports `__all__`), so a module
`s2s dump --jit -o` writes carries them like the derivative helpers.
"""
import numpy as np

__all__ = ["reduce_axis", "cumulate_axis", "matrix_norm", "reshape_f", "reshape_c", "concat_flat", "cast_as", "sort_axis",
           "swapaxes_view", "moveaxis_view", "transpose_view", "rollaxis_view", "select_of",
           "diag_indices_of", "diag_indices_like", "unravel_of"]

_NUMPY_REDUCTIONS = {"sum": np.sum, "mean": np.mean, "var": np.var, "std": np.std, "max": np.max, "min": np.min,
                     "prod": np.prod, "ptp": np.ptp, "any": np.any, "all": np.all}


def reduce_axis(kind, x, axis, keepdims=False, ddof=0):
    """np.<kind>(x, axis=axis, keepdims=keepdims[, ddof=ddof]) (in numba: loops); for
    kind 'norm', `ddof` is the vector norm's order (a float, read at run time) (np.linalg.norm(x, ddof, axis, keepdims))."""
    if kind in ("var", "std"):
        return _NUMPY_REDUCTIONS[kind](x, axis=axis, keepdims=keepdims, ddof=ddof)
    if kind == "norm":
        return np.linalg.norm(x, ord=ddof, axis=axis, keepdims=keepdims)
    return _NUMPY_REDUCTIONS[kind](x, axis=axis, keepdims=keepdims)


def cumulate_axis(kind, x, axis):
    """np.cumsum / np.cumprod (kind 'sum' / 'prod') of x along an axis (numba's take none)."""
    return np.cumsum(x, axis) if kind == "sum" else np.cumprod(x, axis)


def matrix_norm(x, ord, axis=None):
    """np.linalg.norm(x, ord, axis) of matrices: ord 'fro' | 'nuc' (numba's norm rejects string
    orders at run time), or any matrix ord over a pair of axes (numba's norm takes no axis)."""
    return np.linalg.norm(x, ord, axis)


def reshape_f(x, shape):
    """np.reshape(x, shape, order='F') (numba reshapes in C order only)."""
    return np.reshape(x, shape, order="F")


def reshape_c(x, shape):
    """np.reshape(x, shape): numba reshapes C-contiguous arrays only and misreads an
    F-ordered one (np.linalg.inv's result, x.T) it reshapes as a view; others are copied
    first, where NumPy would copy or make a view -- the same values."""
    return np.reshape(x, shape)


def concat_flat(arrays):
    """np.concatenate(arrays, axis=None): the flattened arrays joined."""
    return np.concatenate(arrays, axis=None)


def cast_as(x, dtype):
    """np.int64(x) & co.: numba calls them on numbers only; an array is cast with astype."""
    return dtype(x)


def sort_axis(x, axis):
    """np.sort(x, axis) (numba's np.sort sorts the last axis only, without the argument)."""
    return np.sort(x, axis)


def swapaxes_view(x, axis1, axis2):
    """np.swapaxes(x, axis1, axis2)."""
    return np.swapaxes(x, axis1, axis2)


def moveaxis_view(x, source, destination):
    """np.moveaxis(x, source, destination)."""
    return np.moveaxis(x, source, destination)


def transpose_view(x, axes):
    """np.transpose(x, axes)."""
    return np.transpose(x, axes)


def rollaxis_view(x, axis, start=0):
    """np.rollaxis(x, axis, start) (numba has none)."""
    return np.rollaxis(x, axis, start)


def select_of(condlist, choicelist, default=0):
    """np.select(condlist, choicelist, default)."""
    return np.select(condlist, choicelist, default)


def diag_indices_of(n, ndim=2):
    """np.diag_indices(n, ndim) (numba has none; ndim a literal)."""
    return np.diag_indices(n, ndim)


def diag_indices_like(arr):
    """np.diag_indices_from(arr)."""
    return np.diag_indices_from(arr)


def unravel_of(indices, shape):
    """np.unravel_index(indices, shape) in C order (shape a tuple)."""
    return np.unravel_index(indices, shape)
