"""JVP rules of the reductions (the forward twins of reductions.py), over an `axis` (None,
an int, negative, or a tuple where NumPy allows), with or without `keepdims`. sum, mean
and cumsum are linear; the others weigh the input tangent elementwise and sum it back with
`reduce_to`, which gives the result's shape (it tells keepdims apart by the result's number
of dimensions, so the flag itself is not needed). `dtype` is ignored, `out=` unsupported.

Ties as the VJP rules: max/min (and amax/amin) average the tangents of the tied extrema
(as JAX). prod is exact with zeros in the input (it does not divide by x).
"""
import builtins

import numpy as np

from ..registry import JVP_RULES
from ..runtime import prod_partials, reduce_to, unreduce

register = JVP_RULES.register
# one object in NumPy 1.x, two in 2.x; the builtin max(L) / min(L) of one sequence too (its
# two-argument form is elementwise: binary.py)
_MAX = list({id(f): f for f in (np.max, np.amax)}.values()) + [builtins.max]
_MIN = list({id(f): f for f in (np.min, np.amin)}.values()) + [builtins.min]


@JVP_RULES.linear(np.sum)
def sum(a, axis=None, dtype=None, out=None, keepdims=False):
    """Linear."""


@JVP_RULES.linear(np.mean)
def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    """Linear."""


@JVP_RULES.linear(np.cumsum)
def cumsum(a, axis=None, dtype=None, out=None):
    """Linear."""


@register(np.prod)
def prod(ans, a, da, axis=None, dtype=None, out=None, keepdims=False):
    """sum(da * prod(other elements of the slice))."""
    return reduce_to(da * prod_partials(a, axis), ans, axis)


@register(*_MAX)
def max(ans, a, da, axis=None, out=None, keepdims=False):
    """The mean tangent of the tied maxima (as JAX)."""
    mask = a == unreduce(ans, a, axis)
    return reduce_to(da * (mask / unreduce(np.sum(mask, axis), a, axis)), ans, axis)


@register(*_MIN)
def min(ans, a, da, axis=None, out=None, keepdims=False):
    """The mean tangent of the tied minima (as JAX)."""
    mask = a == unreduce(ans, a, axis)
    return reduce_to(da * (mask / unreduce(np.sum(mask, axis), a, axis)), ans, axis)


@register(np.var)
def var(ans, a, da, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """2 sum(centered * da) / (n - ddof)."""
    n = np.size(a) / np.size(ans)
    centered = a - unreduce(np.sum(a, axis), a, axis) / n
    return reduce_to(da * centered, ans, axis) * (2.0 / (n - ddof))


@register(np.std)
def std(ans, a, da, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """var's tangent / (2 std). At a constant slice (std 0) it is nan (0/0), as JAX."""
    n = np.size(a) / np.size(ans)
    centered = a - unreduce(np.sum(a, axis), a, axis) / n
    return reduce_to(da * centered, ans, axis) / (ans * (n - ddof))


@JVP_RULES.linear(builtins.sum)
def builtin_sum(items):
    """Linear in the sequence's elements."""


@JVP_RULES.linear(builtins.sum)
def builtin_sum_start(items, start):
    """Linear in the elements and the start."""
