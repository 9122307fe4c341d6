"""Reductions over an `axis` (None, an int, negative, or a tuple where NumPy allows), with
or without `keepdims`: `unreduce` expands the cotangent back to the input's shape (it
tells keepdims apart by the number of dimensions, so the flag itself is not needed).
Options follow NumPy's positional order; `dtype` is ignored and `out=` is not supported.

The builtin `sum(items[, start])` of a sequence of numbers or arrays (a list or tuple the
function builds) gives each element the cotangent summed back to its shape.

Ties: max/min (and amax/amin) split the cotangent equally among the tied extrema (as JAX).
prod is exact with zeros in the input (it does not divide by x).
"""
import builtins

import numpy as np

from ..registry import VJP_RULES
from ..runtime import prod_partials, uncumsum, unreduce, unsum, unbroadcast

register = VJP_RULES.register
# one object in NumPy 1.x, two in 2.x; the builtin max(L) / min(L) of one sequence too (its
# two-argument form is elementwise: binary.py)
_MAX = list({id(f): f for f in (np.max, np.amax)}.values()) + [builtins.max]
_MIN = list({id(f): f for f in (np.min, np.amin)}.values()) + [builtins.min]


@register(np.sum)
def sum(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return unreduce(g, a, axis)


@register(np.mean)
def mean(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return unreduce(g, a, axis) * (np.size(ans) / np.size(a))


@register(np.prod)
def prod(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return unreduce(g, a, axis) * prod_partials(a, axis)


@register(*_MAX)
def max(g, ans, a, axis=None, out=None, keepdims=False):
    """Split equally among tied maxima (as JAX)."""
    mask = a == unreduce(ans, a, axis)
    return unreduce(g, a, axis) * mask / unreduce(np.sum(mask, axis), a, axis)


@register(*_MIN)
def min(g, ans, a, axis=None, out=None, keepdims=False):
    """Split equally among tied minima (as JAX)."""
    mask = a == unreduce(ans, a, axis)
    return unreduce(g, a, axis) * mask / unreduce(np.sum(mask, axis), a, axis)


@register(np.var)
def var(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    n = np.size(a) / np.size(ans)
    centered = a - unreduce(np.sum(a, axis), a, axis) / n
    return unreduce(g, a, axis) * centered * (2.0 / (n - ddof))


@register(np.std)
def std(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """At a constant slice (std 0) the derivative is infinite (nan), as JAX."""
    n = np.size(a) / np.size(ans)
    centered = a - unreduce(np.sum(a, axis), a, axis) / n
    return unreduce(g / ans, a, axis) * centered / (n - ddof)


@register(np.cumsum)
def cumsum(g, ans, a, axis=None, dtype=None, out=None):
    return uncumsum(g, a, axis)


@register(builtins.sum)
def builtin_sum(g, ans, items):
    return unsum(g, items)


@register(builtins.sum)
def builtin_sum_start(g, ans, items, start):
    return unsum(g, items), unbroadcast(g, start)
