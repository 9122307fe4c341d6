"""Functions that move, copy or regroup elements: copy, asarray, array, sort, partition, reshape, ravel, transpose,
swapaxes, moveaxis, expand_dims, squeeze, broadcast_to, concatenate, stack, hstack, vstack, tile,
repeat, flip, roll, take. Shape arguments are options (non-differentiable).

np.partition's result is a permutation of its input that NumPy does not report (and
np.argpartition may order differently): the rule matches the result's elements to the
input's by sorting both (`resort` of the result, `unsort` into the input), so each output
position's cotangent goes to an input element of the same value -- tied values in stable
sort order, as np.sort's rule.

Sequence inputs (concatenate, stack, hstack, vstack): the template's input is the tuple
of arrays and it returns a tuple with one contribution per element.
"""
import numpy as np

from ..registry import VJP_RULES, selects
from ..runtime import (
    reshape_to,
    resort,
    swap_axes,
    unbroadcast,
    unconcatenate,
    unflip,
    unhstack,
    unmoveaxis,
    unrepeat,
    unroll,
    unstack,
    unsort,
    untake,
    untile,
    untranspose,
    unvstack,
)

register = VJP_RULES.register


@register(np.copy, np.asarray, np.array)
def copy(g, ans, a, dtype=None):
    # A copy (or a view) of the same values: the cotangent passes through unchanged. A list
    # literal `np.array([a, b])` gets it split over its elements.
    return g


@register(np.ascontiguousarray)
def ascontiguousarray(g, ans, a, dtype=None):
    """The same values, but a 0-d input comes back 1-d (NumPy): the cotangent in a's shape."""
    return reshape_to(g, a)


@register(np.sort)
def sort(g, ans, a, axis=-1, kind=None, order=None):
    return unsort(g, a, axis)


@register(np.partition)
def partition(g, ans, a, kth=0, axis=-1, kind="introselect", order=None):
    """The k-th sorted element of the result is the k-th sorted element of a."""
    return unsort(resort(g, ans, axis), a, axis)


@register(np.reshape)
def reshape(g, ans, a, shape=None, order="C"):
    return reshape_to(g, a, order)


@register(np.ravel)
def ravel(g, ans, a, order="C"):
    return reshape_to(g, a, order)


@register(np.expand_dims)
def expand_dims(g, ans, a, axis=0):
    return reshape_to(g, a)


@register(np.squeeze)
def squeeze(g, ans, a, axis=None):
    return reshape_to(g, a)


@register(np.transpose)
def transpose(g, ans, a, axes=None):
    return untranspose(g, axes)


@register(np.swapaxes)
def swapaxes(g, ans, a, axis1=0, axis2=1):
    return swap_axes(g, axis1, axis2)


@register(np.moveaxis)
def moveaxis(g, ans, a, source=0, destination=0):
    return unmoveaxis(g, source, destination)


@register(np.broadcast_to)
def broadcast_to(g, ans, array, shape=(), subok=False):
    return unbroadcast(g, array)


@register(np.concatenate)
def concatenate(g, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    return unconcatenate(g, arrays, axis)


@register(np.stack)
def stack(g, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    return unstack(g, arrays, axis)


@register(np.hstack)
def hstack(g, ans, tup):
    return unhstack(g, tup)


@register(np.vstack)
def vstack(g, ans, tup):
    return unvstack(g, tup)


@register(np.tile)
def tile(g, ans, A, reps=1):
    return untile(g, A, reps)


@register(np.repeat)
def repeat(g, ans, a, repeats=1, axis=None):
    return unrepeat(g, a, repeats, axis)


@register(np.flip)
def flip(g, ans, m, axis=None):
    return unflip(g, axis)


@register(np.roll)
def roll(g, ans, a, shift=0, axis=None):
    return unroll(g, shift, axis)


def _take_mode(known):
    return {"clip": take_clip, "wrap": take_wrap}.get(known.get("mode", "raise"))


@register(np.take)
@selects(_take_mode)
def take(g, ans, a, indices=0, axis=None, out=None, mode="raise"):
    """Scatter-add: repeated indices accumulate."""
    return untake(g, a, indices, axis)


@VJP_RULES.variant(np.take)
def take_clip(g, ans, a, indices=0, axis=None, out=None, mode="raise"):
    """mode='clip': to the indices NumPy read (clipped to the axis)."""
    return untake(g, a, np.clip(indices, 0, (np.size(a) if axis is None else np.shape(a)[axis]) - 1), axis)


@VJP_RULES.variant(np.take)
def take_wrap(g, ans, a, indices=0, axis=None, out=None, mode="raise"):
    """mode='wrap': to the indices NumPy read (modulo the axis length)."""
    return untake(g, a, np.mod(indices, np.size(a) if axis is None else np.shape(a)[axis]), axis)
