"""VJP rules of the functions that select or regroup elements without arithmetic: rollaxis,
real_if_close (of real input), triu,
tril, diagonal, diagflat, atleast_1d/2d/3d (one argument), fliplr, flipud, rot90, append,
column_stack, dstack, row_stack, pad, take_along_axis, delete, insert, select, meshgrid.
Each is linear, so its VJP is the transposed selection (a scatter-add where elements repeat:
pad's edge and reflect modes, repeated take_along_axis indices, insert's broadcast values).
Shape and index arguments (k, axes, pad_width, obj, indices) are options or inputs that get None.

np.select(condlist, choicelist, default) takes the element of the first choice whose
condition holds, else the default: each choice gets the cotangent where it was taken (a
tuple, `unselect`), the default (an input when given, by position or keyword) where none
was; the conditions get None.

np.meshgrid(x1, ..., xn) (n = 1 to 4; copy, sparse and indexing as NumPy) returns a tuple:
input k gets its output's cotangent summed over the other axes (`unmeshgrid`). Its rules
have one variant per n, told apart by a last option `s2s_inputs` (its number of inputs,
never passed by the user), which registry.OUTPUTS reads for the result's length.

Refused (at the user's line, `supports`): np.pad modes other than constant, edge, reflect,
symmetric and wrap, reflect_type='odd', and a constant_values that is not a literal (its
own derivative is not propagated); np.append/np.insert's axis must be None or an int.

The second half registers the rules of the runtime helpers these templates call
(runtime_layout.py), so derivative code containing them can be differentiated again: each
helper is linear in `ct` and its rule is the primal selection again (undiagonal <->
np.diagonal, unpad <-> np.pad, untake_along_axis <-> np.take_along_axis, ...).
"""
import numpy as np

from ..registry import NONDIFF, OUTPUTS, VJP_RULES, supports
from ..runtime import (
    delete_at,
    remesh,
    reshape_to,
    select_rest,
    unappend_arr,
    unappend_values,
    unbroadcast,
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
    unvstack,
    zeros_like,
)
from ..runtime_layout import PAD_MODES

register = VJP_RULES.register
NONDIFF.register(select_rest)


@OUTPUTS.register(unselect)
def _one_per_choice(known):
    seq = known.get("choicelist")
    return ("tuple", len(seq)) if isinstance(seq, (list, tuple)) else None


@OUTPUTS.register(np.meshgrid)
def _one_per_input(known):
    n = known.get("s2s_inputs")
    return ("tuple", n) if isinstance(n, int) else None


def _meshgrid_check(known):
    """Five arrays or more would bind the fifth to `s2s_inputs`."""
    if not isinstance(known.get("s2s_inputs"), int):
        return "of more than four arrays"
    return None


@register(np.rollaxis)
def rollaxis(g, ans, a, axis=0, start=0):
    return unrollaxis(g, a, axis, start)


@register(np.real_if_close)
def real_if_close(g, ans, a, tol=100):
    """Real input: the identity."""
    return g


@register(unrollaxis)
def unrollaxis_rule(g, ans, ct, a, axis=0, start=0):
    return np.rollaxis(g, axis, start), None


def _axis_check(known):
    axis = known.get("axis")
    if "axis" in known and axis is not None and not isinstance(axis, int):
        return f"with axis={axis!r} (None or an int)"
    return None


def _pad_check(known):
    """The modes whose output is a selection of the input; the constants must be literals
    (a variable constant_values would need its own derivative)."""
    mode = known.get("mode", "constant")
    if "mode" in known and mode not in PAD_MODES:
        return f"with mode={mode!r} (supported: {', '.join(PAD_MODES)})"
    if known.get("reflect_type", "even") != "even":
        return "with reflect_type='odd' (only 'even')"
    if "constant_values" not in known and "ndim:constant_values" in known:
        return "with a constant_values that is not a literal constant"
    return None


@register(np.triu)
def triu(g, ans, m, k=0):
    # A 1-d m is broadcast to rows first: unbroadcast sums them back.
    return unbroadcast(np.triu(g, k), m)


@register(np.tril)
def tril(g, ans, m, k=0):
    return unbroadcast(np.tril(g, k), m)


@register(np.diagonal)
def diagonal(g, ans, a, offset=0, axis1=0, axis2=1):
    return undiagonal(g, a, offset, axis1, axis2)


@register(np.diagflat)
def diagflat(g, ans, v, k=0):
    return reshape_to(np.diag(g, k), v)


@register(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def atleast(g, ans, a):
    return reshape_to(g, a)


@register(np.fliplr)
def fliplr(g, ans, m):
    return np.fliplr(g)


@register(np.flipud)
def flipud(g, ans, m):
    return np.flipud(g)


@register(np.rot90)
def rot90(g, ans, m, k=1, axes=(0, 1)):
    return unrot90(g, k, axes)


@supports(_axis_check)
@register(np.append)
def append(g, ans, arr, values, axis=None):
    return unappend_arr(g, arr, values, axis), unappend_values(g, arr, values, axis)


@register(np.column_stack)
def column_stack(g, ans, tup):
    return uncolumn_stack(g, tup)


@register(np.dstack)
def dstack(g, ans, tup):
    return undstack(g, tup)


if hasattr(np, "row_stack"):  # deprecated in NumPy 2.0: vstack under another name
    @register(np.row_stack)
    def row_stack(g, ans, tup):
        return unvstack(g, tup)


@supports(_pad_check)
@register(np.pad)
def pad(g, ans, array, pad_width=0, mode="constant", constant_values=0, reflect_type="even"):
    return unpad(g, array, pad_width, mode)


@register(np.take_along_axis)
def take_along_axis(g, ans, arr, indices, axis=-1):
    return untake_along_axis(g, arr, indices, axis), None


@supports(_axis_check)
@register(np.delete)
def delete(g, ans, arr, obj, axis=None):
    return undelete(g, arr, obj, axis), None


@supports(_axis_check)
@register(np.insert)
def insert(g, ans, arr, obj, values, axis=None):
    return uninsert_arr(g, arr, obj, values, axis), None, uninsert_values(g, arr, obj, values, axis)


@register(np.select)
def select(g, ans, condlist, choicelist, default=0):
    """default=0 (the constant); the conditions get None."""
    return None, unselect(g, condlist, choicelist)


@register(np.select)
def select_default(g, ans, condlist, choicelist, default):
    return None, unselect(g, condlist, choicelist), unbroadcast(g * select_rest(condlist, g), default)


@register(np.meshgrid)
@supports(_meshgrid_check)
def meshgrid1(g, ans, x1, copy=True, sparse=False, indexing="xy", s2s_inputs=1):
    return unmeshgrid(g[0], x1, 0, 1, indexing)


@register(np.meshgrid)
@supports(_meshgrid_check)
def meshgrid2(g, ans, x1, x2, copy=True, sparse=False, indexing="xy", s2s_inputs=2):
    return unmeshgrid(g[0], x1, 0, 2, indexing), unmeshgrid(g[1], x2, 1, 2, indexing)


@register(np.meshgrid)
@supports(_meshgrid_check)
def meshgrid3(g, ans, x1, x2, x3, copy=True, sparse=False, indexing="xy", s2s_inputs=3):
    return (unmeshgrid(g[0], x1, 0, 3, indexing), unmeshgrid(g[1], x2, 1, 3, indexing),
            unmeshgrid(g[2], x3, 2, 3, indexing))


@register(np.meshgrid)
@supports(_meshgrid_check)
def meshgrid4(g, ans, x1, x2, x3, x4, copy=True, sparse=False, indexing="xy", s2s_inputs=4):
    return (unmeshgrid(g[0], x1, 0, 4, indexing), unmeshgrid(g[1], x2, 1, 4, indexing),
            unmeshgrid(g[2], x3, 2, 4, indexing), unmeshgrid(g[3], x4, 3, 4, indexing))


# ------------------------------------------------ rules of the helpers (grad of grad)
@register(undiagonal)
def undiagonal_rule(g, ans, ct, a, offset=0, axis1=0, axis2=1):
    return np.diagonal(g, offset, axis1, axis2), None


@register(unrot90)
def unrot90_rule(g, ans, ct, k=1, axes=(0, 1)):
    return unrot90(g, -k, axes)


@register(unappend_arr)
def unappend_arr_rule(g, ans, ct, arr, values, axis=None):
    return np.append(g, zeros_like(values), axis), None, None


@register(unappend_values)
def unappend_values_rule(g, ans, ct, arr, values, axis=None):
    return np.append(zeros_like(arr), g, axis), None, None


@register(uncolumn_stack)
def uncolumn_stack_rule(g, ans, ct, tup):
    """`g` is the tuple of the pieces' cotangents."""
    return np.column_stack(g), None


@register(undstack)
def undstack_rule(g, ans, ct, tup):
    return np.dstack(g), None


@register(unpad)
def unpad_rule(g, ans, ct, array, pad_width=0, mode="constant"):
    return np.pad(g, pad_width, mode), None


@register(untake_along_axis)
def untake_along_axis_rule(g, ans, ct, arr, indices, axis=-1):
    return np.take_along_axis(g, indices, axis), None, None


@register(undelete)
def undelete_rule(g, ans, ct, arr, obj, axis=None):
    return delete_at(g, obj, axis), None, None


@register(delete_at)
def delete_at_rule(g, ans, ct, obj, axis=None):
    return undelete(g, ct, obj, axis), None


@register(uninsert_arr)
def uninsert_arr_rule(g, ans, ct, arr, obj, values, axis=None):
    return np.insert(g, obj, zeros_like(values), axis), None, None, None


@register(uninsert_values)
def uninsert_values_rule(g, ans, ct, arr, obj, values, axis=None):
    return np.insert(zeros_like(arr), obj, g, axis), None, None, None


@register(unselect)
def unselect_rule(g, ans, ct, condlist, choicelist):
    """`g` is the tuple of the choices' cotangents: ct gets each where its choice was taken."""
    return unbroadcast(np.select(condlist, g, 0.0), ct), None, None


@register(unmeshgrid)
def unmeshgrid_rule(g, ans, ct, x, k=0, n=1, indexing="xy"):
    return remesh(g, ct, k, n, indexing), None


@register(remesh)
def remesh_rule(g, ans, t, ct, k=0, n=1, indexing="xy"):
    return unmeshgrid(g, t, k, n, indexing), None
