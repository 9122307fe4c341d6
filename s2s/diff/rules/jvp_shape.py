"""JVP rules of the functions that move, copy or regroup elements (the forward twins of
shape.py): all linear -- the tangent is the same call on the input's tangent, with the same
shape options -- except sort and partition, whose permutations depend on the value: sort's
tangent is the input's tangent taken in the order the sort puts the input (`resort`,
stable for ties as the VJP's `unsort`); partition's that sorted tangent put back where the
result's sort order says (`unsort` by the result).

Sequence inputs (concatenate, stack, hstack, vstack): the input is the tuple of arrays and
its tangent the tuple of their tangents.
"""
import numpy as np

from ..registry import JVP_RULES
from ..runtime import resort, unsort

linear = JVP_RULES.linear


@linear(np.copy, np.asarray, np.array, np.ascontiguousarray)
def copy(a, dtype=None):
    """Linear (a list literal `np.array([a, b])` takes the list of tangents)."""


@JVP_RULES.register(np.sort)
def sort(ans, a, da, axis=-1, kind=None, order=None):
    """da in a's sort order."""
    return resort(da, a, axis)


@JVP_RULES.register(np.partition)
def partition(ans, a, da, kth=0, axis=-1, kind="introselect", order=None):
    """da in a's sort order, then in the result's order."""
    return unsort(resort(da, a, axis), ans, axis)


@linear(np.reshape)
def reshape(a, shape=None, order="C"):
    """Linear."""


@linear(np.ravel)
def ravel(a, order="C"):
    """Linear."""


@linear(np.expand_dims)
def expand_dims(a, axis=0):
    """Linear."""


@linear(np.squeeze)
def squeeze(a, axis=None):
    """Linear."""


@linear(np.transpose)
def transpose(a, axes=None):
    """Linear."""


@linear(np.swapaxes)
def swapaxes(a, axis1=0, axis2=1):
    """Linear."""


@linear(np.moveaxis)
def moveaxis(a, source=0, destination=0):
    """Linear."""


@linear(np.broadcast_to)
def broadcast_to(array, shape=(), subok=False):
    """Linear."""


@linear(np.concatenate)
def concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    """Linear in the tuple of arrays."""


@linear(np.stack)
def stack(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    """Linear in the tuple of arrays."""


@linear(np.hstack)
def hstack(tup):
    """Linear in the tuple of arrays."""


@linear(np.vstack)
def vstack(tup):
    """Linear in the tuple of arrays."""


@linear(np.tile)
def tile(A, reps=1):
    """Linear."""


@linear(np.repeat)
def repeat(a, repeats=1, axis=None):
    """Linear."""


@linear(np.flip)
def flip(m, axis=None):
    """Linear."""


@linear(np.roll)
def roll(a, shift=0, axis=None):
    """Linear."""


@linear(np.take)
def take(a, indices=0, axis=None, out=None, mode="raise"):
    """Linear (a gather)."""
