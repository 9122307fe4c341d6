"""numba overloads of the helpers in runtime_layout.py (types decide the implementation at
compile time, as in runtime_numba.py), and of the NumPy functions of the layout family that
numba lacks -- np.diagonal, np.trace of n-d arrays, np.real_if_close (real input), np.squeeze
with an axis, np.row_stack and the array methods `diagonal`/`trace`/`squeeze` -- so user code calling them compiles. Copied into standalone dumped
modules like runtime_numba.py.

The selections that repeat or drop elements (take_along_axis, delete, insert) scatter ct
through the element numbers of the input selected the same way, as the NumPy path does.
numba's np.delete/np.insert take no axis, so neither do their helpers here.
"""
import numba
import numpy as np
from numba import types
from numba.core import errors
from numba.extending import overload, overload_method
from numba.np.unsafe.ndarray import to_fixed_tuple  # noqa: F401  -- used by generated implementations

from .runtime_layout import (  # s2s-runtime-import
    AT_REPEATED,
    at_selected_once,
    delete_at,
    linspace_t,
    meshgrid_of,
    remesh,
    select_rest,
    unappend_arr,
    unappend_values,
    uncolumn_stack,
    undelete,
    undiagonal,
    undstack,
    uninsert_arr,
    uninsert_values,
    unmeshgrid,
    unrollaxis,
    unrot90,
    unselect,
    untake_along_axis,
)
from .runtime import add_at, unbroadcast, untrace  # noqa: F401  -- unbroadcast: used by generated implementations
from .runtime_jit import moveaxis_view
from .runtime_numba import _gen, _loops, _none, _text  # noqa: F401
from .runtime_numba_shape import _pieces, _slab, _slices  # noqa: F401
# s2s-runtime-import


def _colons(n):
    return ":, " * n


def _moved_last(n):
    """Lines: `perm` puts a1, a2 last, the other axes first in order."""
    return [f"    a1, a2 = axis1 % {n}, axis2 % {n}", f"    perm = np.empty({n}, np.int64)", "    j = 0",
            f"    for d in range({n}):", "        if d != a1 and d != a2:", "            perm[j] = d",
            "            j += 1", f"    perm[{n - 2}] = a1", f"    perm[{n - 1}] = a2",
            "    r0, c0 = max(-offset, 0), max(offset, 0)"]


def _diagonal_lines(n):  # a copy (NumPy gives a read-only view)
    lead = _colons(n - 2)
    return (["def impl(a, offset=0, axis1=0, axis2=1):"] + _moved_last(n) + [
        f"    v = a.transpose(to_fixed_tuple(perm, {n}))",
        f"    m = max(min(v.shape[{n - 2}] - r0, v.shape[{n - 1}] - c0), 0)",
        f"    out = np.empty(v.shape[:{n - 2}] + (m,), a.dtype)",
        "    for i in range(m):", f"        out[{lead}i] = v[{lead}r0 + i, c0 + i]", "    return out"])


def _undiagonal_lines(n):
    lead = _colons(n - 2)
    return (["def impl(ct, a, offset=0, axis1=0, axis2=1):"] + _moved_last(n) + [
        "    out = np.zeros(a.shape, ct.dtype)", f"    v = out.transpose(to_fixed_tuple(perm, {n}))",
        f"    for i in range(ct.shape[{n - 2}]):", f"        v[{lead}r0 + i, c0 + i] = ct[{lead}i]", "    return out"])


@overload(np.diagonal)
def _ol_np_diagonal(a, offset=0, axis1=0, axis2=1):
    if isinstance(a, types.Array) and a.ndim >= 2:
        return _gen(("diagonal", a.ndim), lambda: _diagonal_lines(a.ndim), globals())


@overload_method(types.Array, "diagonal")
def _ol_diagonal_method(a, offset=0, axis1=0, axis2=1):
    if a.ndim >= 2:
        return lambda a, offset=0, axis1=0, axis2=1: np.diagonal(a, offset, axis1, axis2)


@overload(undiagonal)
def _ol_undiagonal(ct, a, offset=0, axis1=0, axis2=1):
    if isinstance(ct, types.Array) and isinstance(a, types.Array) and a.ndim >= 2:
        return _gen(("undiagonal", a.ndim), lambda: _undiagonal_lines(a.ndim), globals())


def _trace_lines(n):  # the sum over the last axis of the diagonal
    total = "np.sum(d)" if n == 2 else f"np.sum(d, axis={n - 2})"
    return ["def impl(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):",
            "    d = np.diagonal(a, offset, axis1, axis2)", f"    return {total}"]


def _trace_typer(a, axis1, axis2, dtype, out):
    """np.trace where numba's (2-d arrays, no axes) does not apply: n-d arrays, or axes given."""
    omitted = isinstance(axis1, types.Omitted) and isinstance(axis2, types.Omitted)
    if isinstance(a, types.Array) and (a.ndim > 2 or a.ndim == 2 and not omitted) and _none(dtype) and _none(out):
        return _gen(("trace", a.ndim), lambda: _trace_lines(a.ndim), globals())


@overload(np.trace)
def _ol_np_trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return _trace_typer(a, axis1, axis2, dtype, out)


@overload_method(types.Array, "trace")
def _ol_trace_method(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return _trace_typer(a, axis1, axis2, dtype, out)


def _untrace_lines(n):  # ct repeated along the diagonal, put back in place
    return ["def impl(ct, a, offset=0, axis1=0, axis2=1):",
            "    d = np.diagonal(a, offset, axis1, axis2)",
            "    full = np.empty(d.shape, np.asarray(ct).dtype)",
            f"    for i in range(d.shape[{n - 2}]):",
            f"        full[{_colons(n - 2)}i] = ct",
            "    return undiagonal(full, a, offset, axis1, axis2)"]


@overload(untrace)
def _ol_untrace(ct, a, offset=0, axis1=0, axis2=1):
    if isinstance(a, types.Array) and a.ndim >= 2:
        return _gen(("untrace", a.ndim), lambda: _untrace_lines(a.ndim), globals())


@overload(np.real_if_close)
def _ol_real_if_close(a, tol=100):
    if isinstance(a, types.Array) and not isinstance(a.dtype, types.Complex):
        return lambda a, tol=100: a  # NumPy returns real input itself
    if isinstance(a, types.Array):
        raise errors.TypingError("np.real_if_close of a complex array under numba: its result's type depends on "
                                 "the values (real when every imaginary part is small); use np.real(a) or keep it complex")


# ---------------------------------------------------------------------------- squeeze
_SQUEEZE = {}


def _squeeze_impl(nd, n_axes):
    """(cached per ranks) a without the axes in `axes` (which must have length 1), as a C-ordered copy."""
    out_nd = nd - n_axes  # a closure constant: to_fixed_tuple needs a literal length

    def impl(a, axes):
        drop = np.zeros(nd, np.bool_)
        for j in range(n_axes):
            ax = axes[j] % nd
            if a.shape[ax] != 1:
                raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
            drop[ax] = True
        shape, k = np.empty(out_nd, np.int64), 0
        for d in range(nd):
            if not drop[d]:
                shape[k] = a.shape[d]
                k += 1
        return np.ascontiguousarray(a).reshape(to_fixed_tuple(shape, out_nd))
    return _SQUEEZE.setdefault((nd, n_axes), numba.njit(impl))


def _squeeze_typer(a, axis):
    if not isinstance(a, types.Array):
        return None
    if _none(axis):
        if a.ndim == 0:
            return lambda a, axis=None: a
        raise errors.TypingError("np.squeeze under numba needs axis= (an int or a tuple of ints): without it "
                                 "the result's number of dimensions depends on the shape's values")
    if isinstance(axis, types.Integer):
        inner = _squeeze_impl(a.ndim, 1)
        return lambda a, axis=None: inner(a, (axis,))
    if isinstance(axis, types.UniTuple) and isinstance(axis.dtype, types.Integer):
        inner = _squeeze_impl(a.ndim, len(axis))
        return lambda a, axis=None: inner(a, axis)


@overload(np.squeeze)
def _ol_np_squeeze(a, axis=None):
    return _squeeze_typer(a, axis)


@overload_method(types.Array, "squeeze")
def _ol_squeeze_method(a, axis=None):
    return _squeeze_typer(a, axis)


if hasattr(np, "row_stack"):  # deprecated in NumPy 2.0 and absent from numba: vstack
    @overload(np.row_stack)
    def _ol_np_row_stack(tup):
        return lambda tup: np.vstack(tup)


# ------------------------------------------------------------------------ the helpers
def _rot90_lines(n):  # move the two axes first, rotate there (numba's rot90), move back
    return ["def impl(ct, k=1, axes=(0, 1)):", f"    b0, b1 = axes[0] % {n}, axes[1] % {n}",
            f"    perm, inv = np.empty({n}, np.int64), np.empty({n}, np.int64)",
            "    perm[0], perm[1] = b0, b1", "    j = 2", f"    for d in range({n}):",
            "        if d != b0 and d != b1:", "            perm[j] = d", "            j += 1",
            f"    for d in range({n}):", "        inv[perm[d]] = d",
            f"    r = np.rot90(np.ascontiguousarray(ct.transpose(to_fixed_tuple(perm, {n}))), -k)",
            f"    return np.ascontiguousarray(r.transpose(to_fixed_tuple(inv, {n})))"]


@overload(unrot90)
def _ol_unrot90(ct, k=1, axes=(0, 1)):
    if isinstance(ct, types.Array) and ct.ndim >= 2:
        if _none(axes):
            return lambda ct, k=1, axes=(0, 1): np.rot90(ct, -k)
        return _gen(("unrot90", ct.ndim), lambda: _rot90_lines(ct.ndim), globals())


def _size(x):  # np.size: an array's, a flat sequence's length, 1 for a number
    if isinstance(x, types.Array):
        return lambda x: x.size
    if isinstance(x, (types.List, types.BaseTuple)):
        return lambda x: len(x)
    return lambda x: 1


def _unappend(first):
    def typer(ct, arr, values, axis=None):
        if not isinstance(ct, types.Array):
            return None
        part = arr if first else values
        if _none(axis):
            size_arr = numba.njit(_size(arr))
            if isinstance(part, types.Array):
                if first:
                    return lambda ct, arr, values, axis=None: np.ravel(ct)[:arr.size].copy().reshape(arr.shape)
                return lambda ct, arr, values, axis=None: np.ravel(ct)[size_arr(arr):].copy().reshape(values.shape)
            if isinstance(part, (types.List, types.BaseTuple)):  # a sequence of numbers: its part, flat
                if first:
                    return lambda ct, arr, values, axis=None: np.ravel(ct)[:len(arr)].copy()
                return lambda ct, arr, values, axis=None: np.ravel(ct)[len(arr):].copy()
            return lambda ct, arr, values, axis=None: np.ravel(ct)[0 if first else size_arr(arr)]
        if isinstance(axis, types.Integer) and isinstance(part, types.Array):
            if first:
                return lambda ct, arr, values, axis=None: _slab(ct, axis % ct.ndim, 0, arr.shape[axis])
            return lambda ct, arr, values, axis=None: _slab(ct, axis % ct.ndim, arr.shape[axis], ct.shape[axis])
    return typer


overload(unappend_arr)(_unappend(True))
overload(unappend_values)(_unappend(False))


def _stack_piece(ax, nd, j):
    """Piece j of ct split along `ax` (1: column_stack, 2: dstack), as the element's shape."""
    lo, hi = f"o{j}", f"o{j + 1}"
    if nd == 0:
        return f"ct[{'0, ' * ax}{lo}]"
    if nd < ax:  # a 1-d element of dstack: ct[0, :, o]
        return f"ct[0, :, {lo}].copy()"
    if nd == ax:  # 1-d (column_stack) or 2-d (dstack): one plane
        return f"ct[{_colons(ax)}{lo}].copy()"
    return f"_slab(ct, {ax}, {lo}, {hi})"


def _unstacker(ax):
    def typer(ct, tup):
        if isinstance(ct, types.Array) and isinstance(tup, types.BaseTuple):
            nds = tuple(t.ndim if isinstance(t, types.Array) else 0 for t in tup.types)
            return _gen(("unstacked", ax, nds), lambda: _pieces(
                "ct, tup", len(nds), ax, lambda j: f"tup[{j}].shape[{ax}]" if nds[j] > ax else "1",
                lambda j: _stack_piece(ax, nds[j], j)), globals())
    return typer


overload(uncolumn_stack)(_unstacker(1))
overload(undstack)(_unstacker(2))


@numba.njit
def _scatter(ct, src, size):
    """out[src[j]] += ct[j] over the flat elements, src < 0 skipped: out of length size."""
    out = np.zeros(size, np.float64)
    s, c = np.ascontiguousarray(src).reshape(-1), np.ascontiguousarray(ct).reshape(-1)
    for j in range(s.size):
        if s[j] >= 0:
            out[s[j]] += c[j]
    return out


@numba.njit
def _ids(x):
    return np.arange(x.size).reshape(x.shape)


def _untake_along_lines(n):  # numba's take_along_axis wants a literal axis: plain loops
    idx = [f"i{d}" for d in range(n)]
    iax = (" ".join(f"i{d} if ax == {d} else" for d in range(n - 1)) + f" i{n - 1}").strip()
    return (["def impl(ct, arr, indices, axis=-1):", f"    ax = axis % {n}",
             f"    st, b, e = np.empty({n}, np.int64), np.empty({n}, np.int64), np.empty({n}, np.int64)",
             "    s = 1", f"    for d in range({n - 1}, -1, -1):", "        st[d] = s", "        s *= arr.shape[d]",
             "        b[d] = 0 if arr.shape[d] == 1 else 1", "        e[d] = 0 if indices.shape[d] == 1 else 1",
             "    out = np.zeros(arr.size)"]
            + _loops([(i, f"ct.shape[{d}]") for d, i in enumerate(idx)], [
                f"j = indices[{', '.join(f'i{d} * e[{d}]' for d in range(n))}]",
                "j = j + arr.shape[ax] if j < 0 else j",
                f"flat = {' + '.join(f'i{d} * b[{d}] * st[{d}]' for d in range(n))} + (j - ({iax}) * b[ax]) * st[ax]",
                f"out[flat] += ct[{', '.join(idx)}]"])
            + ["    return out.reshape(arr.shape)"])


@overload(untake_along_axis)
def _ol_untake_along_axis(ct, arr, indices, axis=-1):
    if not (isinstance(ct, types.Array) and isinstance(arr, types.Array) and isinstance(indices, types.Array)):
        return None
    if _none(axis):
        def impl(ct, arr, indices, axis=-1):
            out, c = np.zeros(arr.size), np.ascontiguousarray(ct).reshape(-1)
            for k in range(c.size):
                out[indices[k]] += c[k]
            return out.reshape(arr.shape)
        return impl
    if isinstance(axis, types.Integer) and indices.ndim == arr.ndim == ct.ndim:
        return _gen(("untake_along", arr.ndim), lambda: _untake_along_lines(arr.ndim), globals())


@overload(undelete)
def _ol_undelete(ct, arr, obj, axis=None):
    if isinstance(ct, types.Array) and isinstance(arr, types.Array) and _none(axis):
        def impl(ct, arr, obj, axis=None):
            return _scatter(ct, np.delete(_ids(arr).reshape(-1), obj), arr.size).reshape(arr.shape)
        return impl


@overload(delete_at)
def _ol_delete_at(ct, obj, axis=None):
    if isinstance(ct, types.Array) and _none(axis):
        return lambda ct, obj, axis=None: np.delete(ct, obj)


@overload(uninsert_arr)
def _ol_uninsert_arr(ct, arr, obj, values, axis=None):
    if isinstance(ct, types.Array) and isinstance(arr, types.Array) and _none(axis):
        def impl(ct, arr, obj, values, axis=None):
            return _scatter(ct, np.insert(_ids(arr), obj, -1), arr.size).reshape(arr.shape)
        return impl


@overload(uninsert_values)
def _ol_uninsert_values(ct, arr, obj, values, axis=None):
    if not (isinstance(ct, types.Array) and isinstance(arr, types.Array) and _none(axis)):
        return None
    if isinstance(values, types.Array):
        def impl(ct, arr, obj, values, axis=None):
            src = np.insert(np.full(arr.shape, -1), obj, _ids(values))
            return _scatter(ct, src, values.size).reshape(values.shape)
        return impl

    def impl_scalar(ct, arr, obj, values, axis=None):
        return _scatter(ct, np.insert(np.full(arr.shape, -1), obj, 0), 1)[0]
    return impl_scalar


@overload(linspace_t)
def _ol_linspace_t(ans, num, endpoint=True):
    if isinstance(ans, types.Array) and ans.ndim == 1:  # numba's np.linspace takes scalars only
        def impl(ans, num, endpoint=True):
            div = (num - 1) if endpoint else num
            return np.arange(num) / div if div > 0 else np.zeros(num)
        return impl


def _unselect_lines(n):
    lines = ["def impl(ct, condlist, choicelist):", "    taken = np.zeros(ct.shape, np.bool_)"]
    for k in range(n):
        lines += [f"    c{k} = unbroadcast(np.where(np.logical_and(condlist[{k}], np.logical_not(taken)), ct, 0.0), "
                  f"choicelist[{k}])", f"    taken = np.logical_or(taken, condlist[{k}])"]
    return lines + ["    return (" + "".join(f"c{k}, " for k in range(n)) + ")"]


def _uniform(seq):
    """A list, or a tuple of one type: indexable at a run-time position (a loop)."""
    return isinstance(seq, (types.List, types.UniTuple))


@overload(unselect)
def _ol_unselect(ct, condlist, choicelist):
    if not isinstance(ct, types.Array):
        return None
    if isinstance(choicelist, types.List) and _uniform(condlist):  # numba's np.select takes lists: one per choice
        def impl(ct, condlist, choicelist):
            taken = np.zeros(ct.shape, np.bool_)
            out = [unbroadcast(np.where(np.logical_and(condlist[0], np.logical_not(taken)), ct, 0.0), choicelist[0])]
            taken = np.logical_or(taken, condlist[0])
            for k in range(1, len(choicelist)):
                out.append(unbroadcast(np.where(np.logical_and(condlist[k], np.logical_not(taken)), ct, 0.0),
                                       choicelist[k]))
                taken = np.logical_or(taken, condlist[k])
            return out
        return impl
    if all(isinstance(t, types.BaseTuple) for t in (condlist, choicelist)):
        return _gen(("unselect", len(choicelist)), lambda: _unselect_lines(len(choicelist)), globals())


@overload(select_rest)
def _ol_select_rest(condlist, like):
    if isinstance(like, types.Array) and _uniform(condlist):
        def impl(condlist, like):
            taken = np.zeros(like.shape, np.bool_)
            for k in range(len(condlist)):
                taken = np.logical_or(taken, condlist[k])
            return 1.0 - taken
        return impl
    if isinstance(like, types.Array) and isinstance(condlist, types.BaseTuple):
        n = len(condlist)
        return _gen(("select_rest", n), ["def impl(condlist, like):", "    taken = np.zeros(like.shape, np.bool_)"]
                    + [f"    taken = np.logical_or(taken, condlist[{k}])" for k in range(n)]
                    + ["    return 1.0 - taken"], globals())


# ------------------------------------------------------------------------------ meshgrid
def _meshgrid_lines(n):
    """np.meshgrid of n inputs (flattened): output k varies along axis k ('ij'; 'xy' swaps
    the first two), broadcast to the full shape unless sparse."""
    lines = ["def impl(xs, copy=True, sparse=False, indexing='xy'):"]
    lines += [f"    v{k} = np.ascontiguousarray(xs[{k}]).reshape(-1) * 1" for k in range(n)]
    sizes = [f"v{k}.size" for k in range(n)]
    swapped = [sizes[1], sizes[0]] + sizes[2:] if n > 1 else sizes
    lines += [f"    full = ({', '.join(swapped)},) if indexing == 'xy' else ({', '.join(sizes)},)"]
    for k in range(n):
        ax = f"1 - {k} if indexing == 'xy' else {k}" if n > 1 and k < 2 else f"{k}"
        lines += [f"    ax{k} = {ax}", f"    s{k} = ({', '.join(f'full[{d}] if {d} == ax{k} else 1' for d in range(n))},)",
                  f"    m{k} = v{k}.reshape(s{k})",
                  f"    o{k} = m{k}.copy() if sparse else np.ascontiguousarray(np.broadcast_to(m{k}, full))"]
    return lines + [f"    return ({''.join(f'o{k}, ' for k in range(n))})"]


@overload(meshgrid_of)
def _ol_meshgrid_of(xs, copy=True, sparse=False, indexing="xy"):
    if isinstance(xs, types.BaseTuple) and len(xs) and all(isinstance(t, types.Array) for t in xs.types):
        return _gen(("meshgrid", len(xs)), lambda: _meshgrid_lines(len(xs)), globals())


def _grid_axis(k, n, indexing):
    """(numba only) the axis that meshgrid's k-th input runs along (xy swaps the first two)."""


@overload(_grid_axis, prefer_literal=True)
def _ol_grid_axis(k, n, indexing):
    known = _text(indexing, "xy")  # a literal: decided now (numba compiles no string compare)
    if known is None:
        return lambda k, n, indexing: 1 - k if indexing == "xy" and n > 1 and k < 2 else k
    if known == "xy":
        return lambda k, n, indexing: 1 - k if n > 1 and k < 2 else k
    return lambda k, n, indexing: k


@overload(unmeshgrid, prefer_literal=True)
def _ol_unmeshgrid(ct, x, k, n, indexing="xy"):
    if isinstance(ct, types.Array) and isinstance(x, types.Array):
        def impl(ct, x, k, n, indexing="xy"):
            ax = _grid_axis(k, n, indexing)
            outer, m, inner = _slices(ct, ax)
            c3 = np.ascontiguousarray(ct).reshape((outer, m, inner))
            out = np.zeros(m)
            for i in range(outer):
                for j in range(m):
                    for l in range(inner):
                        out[j] += c3[i, j, l]
            return out.reshape(x.shape)
        return impl


@overload(remesh, prefer_literal=True)
def _ol_remesh(t, ct, k, n, indexing="xy"):
    if isinstance(t, types.Array) and isinstance(ct, types.Array):
        def impl(t, ct, k, n, indexing="xy"):
            ax = _grid_axis(k, n, indexing)
            outer, m, inner = _slices(ct, ax)
            v = np.ascontiguousarray(t).reshape(-1)
            out = np.empty((outer, m, inner))
            for i in range(outer):
                for j in range(m):
                    for l in range(inner):
                        out[i, j, l] = v[j]
            return out.reshape(ct.shape)
        return impl


@overload(unrollaxis)
def _ol_unrollaxis(ct, a, axis=0, start=0):
    if isinstance(ct, types.Array) and isinstance(a, types.Array):
        n = a.ndim

        def impl(ct, a, axis=0, start=0):
            ax = axis % n
            s = start + n if start < 0 else start
            s = s - 1 if ax < s else s
            return moveaxis_view(ct, s, ax)
        return impl


@overload(at_selected_once)
def _ol_at_selected_once(a, idx):
    items = list(idx.types) if isinstance(idx, types.BaseTuple) else [idx]
    if all(isinstance(it, (types.Integer, types.SliceType, types.NoneType, types.EllipsisType)) for it in items):
        return lambda a, idx: 0

    def impl(a, idx):
        counts = np.zeros(a.shape, np.int64)
        add_at(counts, idx, 1)
        if counts.size and counts.max() > 1:
            raise ValueError(AT_REPEATED)
        return 0
    return impl
