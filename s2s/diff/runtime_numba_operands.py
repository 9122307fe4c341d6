"""numba forms of NumPy calls whose operands numba's own forms do not take, where NumPy
reads them as arrays: Python numbers (np.dot / np.tensordot(axes=0) / np.inner of a scalar
and their derivatives' contributions, np.var / np.std / np.median / np.ravel / np.clip /
np.linalg.norm ... of a float, np.ndim of anything), one array where a sequence of arrays is
expected (np.vstack(a) & co. join a's rows), lists of numbers (norm) and nested lists of
arrays (np.array([[x, y], [y, x]])), np.repeat(..., axis=None), np.cross with axis arguments.

Each keeps NumPy's meaning: a number is a 0-d array, an array given as a sequence is the
sequence of its rows. `x.dtype == np.int64` (decided from the types) and np.real_if_close of
real values. Copied into standalone dumped modules like the other runtime_numba*.py.
"""
import operator

import numpy as np
from numba import types
from numba.extending import overload

from .runtime import dot_vjp1, dot_vjp2, norm_grad, prod_partials, unbroadcast, zeros_like, tensordot_vjp1, tensordot_vjp2  # s2s-runtime-import
from .runtime import unconcatenate, unhstack, unstack, untranspose, unvstack
from .runtime_stats import quantile_weights
from .runtime_layout import uncolumn_stack, undstack
from .runtime_numba import _gen, _none  # noqa: F401
from .runtime_numba_lists import _list_array
# s2s-runtime-import


def _scalar(t):
    """A number, a bool or a 0-d array: what NumPy treats as a 0-d operand."""
    return isinstance(t, (types.Number, types.Boolean)) or isinstance(t, types.Array) and t.ndim == 0


def _operand(t):
    return _scalar(t) or isinstance(t, types.Array)


def _number(t):
    return isinstance(t, (types.Number, types.Boolean))


# ---------------------------------------------------------------- products with a scalar
@overload(np.dot)
def _ol_dot_scalar(a, b):
    if _operand(a) and _operand(b) and (_scalar(a) or _scalar(b)):
        return lambda a, b: a * b


@overload(np.tensordot, prefer_literal=True)
def _ol_tensordot_scalar(a, b, axes=2):
    # a scalar operand contracts nothing (NumPy accepts axes=0 only): the product
    if _operand(a) and _operand(b) and (_scalar(a) or _scalar(b)) and isinstance(axes, types.IntegerLiteral) \
            and axes.literal_value == 0:
        return lambda a, b, axes=2: a * b


def _tensordot_scalar_vjp(first):
    """Contributions of `tensordot(a, b)` (or inner/dot) when an operand is a scalar: ct
    times the other operand, summed to a scalar when the one it goes to is the scalar."""
    def typer(ct, a, b, axes=2):
        if not (_operand(a) and _operand(b) and (_scalar(a) or _scalar(b))):
            return None
        mine, other = (a, b) if first else (b, a)
        if _scalar(mine):
            if first:
                return lambda ct, a, b, axes=2: np.sum(ct * b)
            return lambda ct, a, b, axes=2: np.sum(ct * a)
        if first:
            return lambda ct, a, b, axes=2: ct * b + np.zeros(a.shape)
        return lambda ct, a, b, axes=2: ct * a + np.zeros(b.shape)
    return typer


overload(tensordot_vjp1, prefer_literal=True)(_tensordot_scalar_vjp(True))
overload(tensordot_vjp2, prefer_literal=True)(_tensordot_scalar_vjp(False))


def _dot_scalar_vjp(first):
    def typer(ct, x1, x2):
        if _operand(x1) and _operand(x2) and (_scalar(x1) or _scalar(x2)):
            return (lambda ct, x1, x2: unbroadcast(ct * x2, x1)) if first else (lambda ct, x1, x2: unbroadcast(ct * x1, x2))
    return typer


overload(dot_vjp1)(_dot_scalar_vjp(True))
overload(dot_vjp2)(_dot_scalar_vjp(False))


@overload(np.cross, prefer_literal=True)
def _ol_cross_axes(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    # numba's np.cross takes the vectors along the last axis only: the others moved there
    # (a constant `axis` stands for all three, as in NumPy)
    if not (isinstance(a, types.Array) and isinstance(b, types.Array)) or all(
            isinstance(t, types.Omitted) or not isinstance(t, types.Type) for t in (axisa, axisb, axisc, axis)):
        return None  # (numba's own)
    axes = [None if isinstance(t, types.NoneType) else getattr(t, "literal_value", getattr(t, "value", t))
            for t in (axisa, axisb, axisc, axis)]
    if axes[3] is not None:
        if not isinstance(axes[3], int):
            return None
        axes[:3] = [axes[3]] * 3
    if not all(isinstance(x, int) for x in axes[:3]):
        return None
    xa, xb, xc = axes[:3]
    if (xa % a.ndim, xb % b.ndim) == (a.ndim - 1, b.ndim - 1) and xc == -1:  # (axes spelled out: numba's own)
        return lambda a, b, axisa=-1, axisb=-1, axisc=-1, axis=None: np.cross(a, b)

    def impl(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
        c = np.cross(np.moveaxis(a, xa, -1), np.moveaxis(b, xb, -1))
        return np.ascontiguousarray(np.moveaxis(c, -1, xc))
    return impl


# ---------------------------------------------------------------- functions of a number
@overload(np.ndim)
def _ol_ndim(a):
    if isinstance(a, types.Array):
        n = a.ndim
        return lambda a: n
    if _number(a):
        return lambda a: 0
    if isinstance(a, types.BaseTuple) and len(a) > 0 and all(_number(t) for t in a.types):
        return lambda a: 1


@overload(np.var)
def _ol_var_number(a):
    if _number(a):
        return lambda a: 0.0 * a


@overload(np.std)
def _ol_std_number(a):
    if _number(a):
        return lambda a: 0.0 * a


@overload(np.median)
def _ol_median_number(a):
    if _number(a):
        return lambda a: float(a)


@overload(np.nanmean)
def _ol_nanmean_number(a):
    if _number(a):
        return lambda a: float(a)


@overload(np.ravel)
def _ol_ravel_number(a, order="C"):
    if _number(a):
        return lambda a, order="C": np.array([a])


@overload(np.clip)
def _ol_clip_number(a, a_min, a_max):
    if _number(a) and _number(a_min) and _number(a_max):
        return lambda a, a_min, a_max: min(max(a, a_min), a_max)


@overload(np.linalg.norm)
def _ol_norm_number(x, ord=None):
    if _number(x) and _none(ord):
        return lambda x, ord=None: abs(x)
    if isinstance(x, (types.List, types.UniTuple)) and _number(x.dtype):  # a list of numbers: a vector
        return lambda x, ord=None: np.linalg.norm(np.array([float(v) for v in x]), ord)


@overload(norm_grad)
def _ol_norm_grad_list(x, ans, ord=None, axis=None):
    if _number(x) and _none(ord) and _none(axis):  # d|x|/dx
        return lambda x, ans, ord=None, axis=None: np.sign(x) * 1.0
    if isinstance(x, (types.List, types.UniTuple)) and _number(x.dtype):
        return lambda x, ans, ord=None, axis=None: norm_grad(np.array([float(v) for v in x]), ans, ord, axis)


@overload(np.transpose)
def _ol_transpose_number(a, axes=None):
    if _number(a):
        return lambda a, axes=None: a


@overload(np.squeeze)
def _ol_squeeze_number(a, axis=None):
    if _number(a):
        return lambda a, axis=None: a


@overload(np.reshape)
def _ol_reshape_number(a, newshape):
    if _number(a):
        return lambda a, newshape: np.array([a]).reshape(newshape)


@overload(np.expand_dims)
def _ol_expand_dims_number(a, axis):
    if _number(a) and isinstance(axis, types.Integer):
        return lambda a, axis: np.array([a])
    if _number(a) and isinstance(axis, types.UniTuple):
        ones = (1,) * len(axis)
        return lambda a, axis: np.array([a]).reshape(ones)


@overload(np.stack)
def _ol_stack_numbers(arrays, axis=0):
    # numbers stack to a vector (axis 0 or -1)
    if isinstance(arrays, (types.UniTuple, types.List)) and _number(arrays.dtype) and \
            isinstance(axis, (types.Integer, types.Omitted, int)):
        def impl(arrays, axis=0):
            if axis != 0 and axis != -1:
                raise ValueError("axis is out of bounds for the stacked array")
            return np.array([v for v in arrays])
        return impl


@overload(np.argmax)
def _ol_argmax_number(a):
    if _number(a):
        return lambda a: 0


@overload(np.argmin)
def _ol_argmin_number(a):
    if _number(a):
        return lambda a: 0


@overload(untranspose)
def _ol_untranspose_number(ct, axes=None):
    if _number(ct):
        return lambda ct, axes=None: ct


@overload(quantile_weights)
def _ol_quantile_weights_number(a, q, axis=None, scale=1.0, slope=False):
    if _number(a) and _number(q) and _none(axis):  # any quantile of one value is that value
        return lambda a, q, axis=None, scale=1.0, slope=False: 0.0 if slope else 1.0


@overload(zeros_like)
def _ol_zeros_like_str(x):
    # a dict's key in a tuple of (key, value) pairs (`d.items()` written out): no derivative
    if isinstance(x, (types.UnicodeType, types.StringLiteral)):
        return lambda x: 0.0
    if isinstance(x, (types.NoneType, types.Omitted)):  # `return c, None` (lax.scan's step): no derivative
        return lambda x: 0.0


@overload(prod_partials)
def _ol_prod_partials_number(x, axis=None):
    if _number(x):  # d x / dx
        return lambda x, axis=None: 1.0


# ---------------------------------------------------------------- one array as a sequence
def _join_rows(fn, param, axis=False):
    """impl: np.<fn> of the list of the array's rows (the list forms in runtime_numba_lists.py)."""
    extra = ", axis=0" if axis else ""
    return _gen(("rows", fn, param, axis), [f"def impl({param}{extra}):",
                                            f"    return np.{fn}([{param}[i] for i in range({param}.shape[0])]"
                                            f"{', axis' if axis else ''})"], globals())


@overload(np.vstack)
def _ol_vstack_array(tup):
    if isinstance(tup, types.Array) and tup.ndim == 1:  # elements: rows of one value
        return lambda tup: np.ascontiguousarray(tup).reshape((tup.shape[0], 1))
    if isinstance(tup, types.Array) and tup.ndim > 1:
        return _join_rows("vstack", "tup")


@overload(np.hstack)
def _ol_hstack_array(tup):
    if isinstance(tup, types.Array) and tup.ndim == 1:
        return lambda tup: tup.copy()
    if isinstance(tup, types.Array) and tup.ndim > 1:
        return _join_rows("hstack", "tup")


@overload(np.column_stack)
def _ol_column_stack_array(tup):
    if isinstance(tup, types.Array) and tup.ndim == 1:  # each value a column of one row
        return lambda tup: np.ascontiguousarray(tup).reshape((1, tup.shape[0]))
    if isinstance(tup, types.Array) and tup.ndim > 1:
        return _join_rows("column_stack", "tup")


@overload(np.dstack)
def _ol_dstack_array(tup):
    # rows made 3-d ((n,) -> (1, n, 1), (m, n) -> (m, n, 1)) and joined along the third axis
    if isinstance(tup, types.Array) and tup.ndim == 1:
        return lambda tup: np.ascontiguousarray(tup).reshape((1, 1, tup.shape[0]))
    if isinstance(tup, types.Array) and tup.ndim == 2:
        return lambda tup: np.ascontiguousarray(tup.T).reshape((1, tup.shape[1], tup.shape[0]))
    if isinstance(tup, types.Array) and tup.ndim == 3:
        return lambda tup: np.ascontiguousarray(np.transpose(tup, (1, 2, 0)))


@overload(np.concatenate)
def _ol_concatenate_array(arrays, axis=0):
    if isinstance(arrays, types.Array) and arrays.ndim > 1 and isinstance(axis, (types.Integer, types.Omitted, int)):
        return _join_rows("concatenate", "arrays", True)


# The contributions to the one array: the join only moves a's elements, so each goes back
# from where the join put it (the join applied to a's element numbers says where).
_JOINS = {unvstack: "np.vstack(idx)", unhstack: "np.hstack(idx)", uncolumn_stack: "np.column_stack(idx)",
          undstack: "np.dstack(idx)"}


def _unjoin(fn, ndmin):
    def typer(ct, tup):
        if isinstance(ct, types.Array) and isinstance(tup, types.Array) and tup.ndim >= ndmin:
            return _gen(("unjoin", fn.__name__), [
                "def impl(ct, tup):",
                "    idx = np.arange(tup.size).reshape(tup.shape)",
                f"    where = np.ascontiguousarray({_JOINS[fn]}).reshape(-1)",
                "    out = np.empty(tup.size, ct.dtype)",
                "    out[where] = np.ascontiguousarray(ct).reshape(-1)",
                "    return out.reshape(tup.shape)"], globals())
    return typer


for _fn in _JOINS:
    overload(_fn)(_unjoin(_fn, 1))


def _unjoin_axis(fn, join):
    def typer(ct, arrays, axis=0):
        if isinstance(ct, types.Array) and isinstance(arrays, types.Array) and arrays.ndim >= 2 and \
                isinstance(axis, (types.Integer, types.Omitted, int)):
            return _gen(("unjoin", fn.__name__), [
                "def impl(ct, arrays, axis=0):",
                "    idx = np.arange(arrays.size).reshape(arrays.shape)",
                f"    where = np.ascontiguousarray(np.{join}(idx, axis)).reshape(-1)",
                "    out = np.empty(arrays.size, ct.dtype)",
                "    out[where] = np.ascontiguousarray(ct).reshape(-1)",
                "    return out.reshape(arrays.shape)"], globals())
    return typer


overload(unconcatenate)(_unjoin_axis(unconcatenate, "concatenate"))
overload(unstack)(_unjoin_axis(unstack, "stack"))


# ---------------------------------------------------------------- nested lists, repeat
@overload(np.array)
def _ol_array_nested(object, dtype=None):
    # a list of lists of arrays: each inner list stacked, then the stacks
    if isinstance(object, types.List) and isinstance(object.dtype, types.List) and \
            isinstance(object.dtype.dtype, types.Array) and _none(dtype):
        def impl(object, dtype=None):
            rows = []  # (not np.array(rows): numba rewrites np.array of a list built in a loop)
            for row in object:
                rows.append(_list_array(row))
            return _list_array(rows)
        return impl


@overload(np.repeat, prefer_literal=True)
def _ol_repeat_flat(a, repeats, axis=None):
    if isinstance(axis, types.NoneType) and (_operand(a)) and isinstance(repeats, types.Integer):
        return lambda a, repeats, axis=None: np.repeat(np.ravel(np.asarray(a)), repeats)


# ------------------------------------------------------------------ dtypes and classes
def _dtype_of(t):
    """The NumPy dtype a `x.dtype` value or a scalar class (np.int64, np.float64) stands for."""
    if isinstance(t, types.DType):
        return np.dtype(str(t.dtype))
    if isinstance(t, types.NumberClass):
        return np.dtype(str(t.instance_type))
    return None


def _dtype_compare(equal):
    def typer(a, b):
        # `x.dtype == np.int64`: decided when the types are (numba has no dtype comparison)
        da, db = _dtype_of(a), _dtype_of(b)
        if da is not None and db is not None:
            same = (da == db) == equal
            return lambda a, b: same
    return typer


overload(operator.eq)(_dtype_compare(True))
overload(operator.ne)(_dtype_compare(False))


@overload(np.real_if_close)
def _ol_real_if_close(a, tol=100):
    # a real input comes back as it is; a complex one would be real or complex by its values
    if isinstance(a, types.Array) and not isinstance(a.dtype, types.Complex) or isinstance(a, (types.Float, types.Integer)):
        return lambda a, tol=100: a
