"""Functions whose result is a constant for differentiation: creation functions, shapes and
sizes, integer-valued roundings, comparisons and logic, index searches -- and the runtime
helpers that return masks, zeros or counts. (np.full, np.full_like and np.linspace take
differentiable values: rules/creation.py.) `sign` lives here (zero derivative).
`//` is not here: it is an operator rule with no contribution (binary.py)."""
import builtins
import math

import numpy as np

from ..registry import NONDIFF
from ..runtime import at_selected_once, batch_alloc, inside, linspace_t, range_len, shape_of, stop_gradient, zeros_like, zeros_list


def _distinct(*fns):
    """Drop aliases (NumPy has several names for one function object)."""
    seen = {}
    for fn in fns:
        seen.setdefault(id(fn), fn)
    return tuple(seen.values())


NONDIFF.register(*_distinct(
    # creation
    np.zeros, np.ones, np.empty, np.zeros_like, np.ones_like, np.empty_like,
    np.arange, np.eye, np.identity,
    np.fft.fftfreq, np.fft.rfftfreq,  # sample frequencies
    # integer-valued
    np.floor, np.ceil, np.round, getattr(np, "around", np.round), np.rint, np.trunc, np.fix, np.sign,
    math.floor, math.ceil, math.trunc, builtins.round, builtins.int, builtins.bool, builtins.len, builtins.range,
    np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64, np.intp, np.bool_,
    # indices and searches
    np.argmax, np.argmin, np.argsort, np.nonzero, np.flatnonzero, np.argwhere, np.searchsorted,
    np.count_nonzero, np.linalg.matrix_rank, np.digitize, np.isin, np.unravel_index, np.ravel_multi_index,
    np.triu_indices_from, np.tril_indices_from, np.diag_indices_from, np.diag_indices, np.triu_indices,
    np.tril_indices, np.indices,
    # shapes
    np.shape, np.ndim, np.size,
    # predicates, comparisons, logic
    np.isnan, np.isinf, np.isfinite, np.isclose, np.allclose, np.array_equal,
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.all, np.any,
    math.isnan, math.isinf, math.isfinite,
    np.signbit, np.isreal, np.iscomplex, np.isrealobj, np.iscomplexobj, np.isneginf, np.isposinf, math.isclose,
    # piecewise constant: the gap to the next float
    np.spacing,
    # runtime helpers
    zeros_like, zeros_list, linspace_t, range_len, inside, shape_of, stop_gradient, batch_alloc, at_selected_once,
))
