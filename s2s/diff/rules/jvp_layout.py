"""JVP rules of rules/layout.py (triu, tril, diagonal, diagflat, atleast_*d, fliplr, flipud,
rot90, append, column_stack, dstack, row_stack, pad, take_along_axis, delete, insert, select,
meshgrid) and of the runtime helpers its templates call: all linear -- the tangent is the same call on
the tangents, with the same shape and index arguments (`nondiff`: inputs read for their
shape or as indices).

np.pad is affine, not linear, when constant_values is not zero (the same call on the
tangent would pad it with the constants): forward mode refuses that variant at the user's
line; reverse mode takes it.
"""
import numpy as np

from ..registry import JVP_RULES, supports
from ..runtime import (
    delete_at,
    remesh,
    unappend_arr,
    unappend_values,
    uncolumn_stack,
    undelete,
    undiagonal,
    undstack,
    uninsert_arr,
    uninsert_values,
    unmeshgrid,
    unpad,
    unrollaxis,
    unrot90,
    unselect,
    untake_along_axis,
)
from .layout import _axis_check, _meshgrid_check, _pad_check

linear = JVP_RULES.linear


@linear(np.rollaxis)
def rollaxis(a, axis=0, start=0):
    """Linear."""


@linear(np.real_if_close)
def real_if_close(a, tol=100):
    """Real input: the identity."""


@linear(unrollaxis, nondiff=("a",))
def unrollaxis_rule(ct, a, axis=0, start=0):
    """Linear in ct."""


def _pad_jvp_check(known):
    reason = _pad_check(known)
    if reason is None and known.get("constant_values", 0) not in (0, 0.0):
        reason = "in forward mode with a nonzero constant_values (affine, not linear: use reverse mode)"
    return reason


@linear(np.triu, np.tril)
def triangle(m, k=0):
    """Linear."""


@linear(np.diagonal)
def diagonal(a, offset=0, axis1=0, axis2=1):
    """Linear."""


@linear(np.diagflat)
def diagflat(v, k=0):
    """Linear."""


@linear(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def atleast(a):
    """Linear."""


@linear(np.fliplr, np.flipud)
def flip(m):
    """Linear."""


@linear(np.rot90)
def rot90(m, k=1, axes=(0, 1)):
    """Linear."""


@supports(_axis_check)
@linear(np.append)
def append(arr, values, axis=None):
    """Linear in (arr, values) jointly."""


@linear(np.column_stack, np.dstack, *([np.row_stack] if hasattr(np, "row_stack") else []))
def stacked(tup):
    """Linear in the tuple of arrays."""


@supports(_pad_jvp_check)
@linear(np.pad)
def pad(array, pad_width=0, mode="constant", constant_values=0, reflect_type="even"):
    """Linear when the padding constants are zero."""


@linear(np.take_along_axis, nondiff=("indices",))
def take_along_axis(arr, indices, axis=-1):
    """Linear in arr (a gather)."""


@supports(_axis_check)
@linear(np.delete, nondiff=("obj",))
def delete(arr, obj, axis=None):
    """Linear in arr."""


@supports(_axis_check)
@linear(np.insert, nondiff=("obj",))
def insert(arr, obj, values, axis=None):
    """Linear in (arr, values) jointly."""


@linear(np.select, nondiff=("condlist",))
def select(condlist, choicelist, default=0):
    """Linear in the choices (the default is the constant 0: a given default is an input)."""


@linear(np.select, nondiff=("condlist",))
def select_default(condlist, choicelist, default):
    """Linear in the choices and the default together."""


@linear(np.meshgrid)
@supports(_meshgrid_check)
def meshgrid1(x1, copy=True, sparse=False, indexing="xy", s2s_inputs=1):
    """Linear (a tuple of outputs)."""


@linear(np.meshgrid)
@supports(_meshgrid_check)
def meshgrid2(x1, x2, copy=True, sparse=False, indexing="xy", s2s_inputs=2):
    """Linear in the inputs together."""


@linear(np.meshgrid)
@supports(_meshgrid_check)
def meshgrid3(x1, x2, x3, copy=True, sparse=False, indexing="xy", s2s_inputs=3):
    """Linear in the inputs together."""


@linear(np.meshgrid)
@supports(_meshgrid_check)
def meshgrid4(x1, x2, x3, x4, copy=True, sparse=False, indexing="xy", s2s_inputs=4):
    """Linear in the inputs together."""


# ------------------------------------------------------------------- the helpers
@linear(undiagonal, nondiff=("a",))
def undiagonal_jvp(ct, a, offset=0, axis1=0, axis2=1):
    """Linear in ct."""


@linear(unrot90)
def unrot90_jvp(ct, k=1, axes=(0, 1)):
    """Linear in ct."""


@linear(unappend_arr, unappend_values, nondiff=("arr", "values"))
def unappend_jvp(ct, arr, values, axis=None):
    """Linear in ct."""


@linear(uncolumn_stack, undstack, nondiff=("tup",))
def unstacked_jvp(ct, tup):
    """Linear in ct (a tuple of pieces)."""


@linear(unpad, nondiff=("array",))
def unpad_jvp(ct, array, pad_width=0, mode="constant"):
    """Linear in ct."""


@linear(untake_along_axis, nondiff=("arr", "indices"))
def untake_along_axis_jvp(ct, arr, indices, axis=-1):
    """Linear in ct."""


@linear(undelete, nondiff=("arr", "obj"))
def undelete_jvp(ct, arr, obj, axis=None):
    """Linear in ct."""


@linear(delete_at, nondiff=("obj",))
def delete_at_jvp(ct, obj, axis=None):
    """Linear in ct."""


@linear(uninsert_arr, uninsert_values, nondiff=("arr", "obj", "values"))
def uninsert_jvp(ct, arr, obj, values, axis=None):
    """Linear in ct."""


@linear(unselect, nondiff=("condlist", "choicelist"))
def unselect_jvp(ct, condlist, choicelist):
    """Linear in ct."""


@linear(unmeshgrid, nondiff=("x",))
def unmeshgrid_jvp(ct, x, k=0, n=1, indexing="xy"):
    """Linear in ct."""


@linear(remesh, nondiff=("ct",))
def remesh_jvp(t, ct, k=0, n=1, indexing="xy"):
    """Linear in t."""
