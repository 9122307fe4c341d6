"""numba overloads of the runtime helpers that move elements (transpose, swapaxes, moveaxis,
flip, roll, concatenate/stack and their inverses, repeat, take, sort) and build Jacobians.
The rest, and the shared code generators, are in `runtime_numba`; like it, this file is
copied into standalone dumped modules.
"""
import math  # noqa: F401  -- used by generated implementations

import numba
import numpy as np
from numba import types
from numba.extending import overload
from numba.np.numpy_support import as_dtype
from numba.np.unsafe.ndarray import to_fixed_tuple  # noqa: F401  -- used by generated implementations

from .runtime import (  # s2s-runtime-import
    untranspose,
    swap_axes,
    unmoveaxis,
    unflip,
    unroll,
    unconcatenate,
    unhstack,
    unvstack,
    unstack,
    unsum,
    sum_of,
    unbroadcast,
    unrepeat,
    untake,
    unsort,
    resort,
    out_size,
    basis,
    jac_alloc,
    real_output,
    jac_row,
    jac_col,
    broadcast_like,
    jac_row_zero,
    jac_row_take,
    jac_col_zero,
    jac_col_take,
    batch_alloc,
    batch_set,
    astype,
    astype_tangent,
    astype_grad,
    move_batch_axis,
)
from .runtime_numba import _arr, _gen, _loops, _none  # noqa: F401
from .runtime import zeros_like  # noqa: E402,F401  -- used by the astype overloads
# s2s-runtime-import


def _permuted(ct, axes):
    """(numba only) a C-ordered copy of ct with its axes permuted: result axis axes[d] is
    ct's axis d (`axes`: a tuple or an integer array)."""


def _permuted_lines(n):  # out (C order) gets ct's elements at permuted strides
    idx = [f"i{d}" for d in range(n)]
    return ["def impl(ct, axes):", f"    shape, strides = np.empty({n}, np.int64), np.empty({n}, np.int64)",
            f"    for d in range({n}):", f"        shape[axes[d] % {n}] = ct.shape[d]",
            "    size = 1", f"    for d in range({n - 1}, -1, -1):", "        strides[d] = size",
            "        size *= shape[d]", "    out = np.empty(size, ct.dtype)"] + [
            f"    s{d} = strides[axes[{d}] % {n}]" for d in range(n)] + _loops(
            [(i, f"ct.shape[{d}]") for d, i in enumerate(idx)],
            [f"out[{' + '.join(f'i{d} * s{d}' for d in range(n))}] = ct[{', '.join(idx)}]"]) + [
            f"    return out.reshape(to_fixed_tuple(shape, {n}))"]


@overload(_permuted)
def _ol_permuted(ct, axes):
    return _gen(("permuted", ct.ndim), lambda: _permuted_lines(ct.ndim), globals())


@overload(untranspose)
def _ol_untranspose(ct, axes=None):
    if not isinstance(ct, types.Array):
        return None
    if _none(axes):
        return lambda ct, axes=None: ct.T
    if isinstance(axes, types.UniTuple) and len(axes) == ct.ndim:
        return lambda ct, axes=None: _permuted(ct, axes)


@overload(swap_axes)
def _ol_swap_axes(ct, axis1, axis2):
    if isinstance(ct, types.Array):
        def impl(ct, axis1, axis2):
            perm = np.arange(ct.ndim)
            perm[axis1 % ct.ndim], perm[axis2 % ct.ndim] = axis2 % ct.ndim, axis1 % ct.ndim
            return _permuted(ct, perm)
        return impl


@overload(unmoveaxis)
def _ol_unmoveaxis(ct, source, destination):
    if isinstance(ct, types.Array) and isinstance(source, types.Integer) and isinstance(destination, types.Integer):
        def impl(ct, source, destination):
            s, d, perm, j = source % ct.ndim, destination % ct.ndim, np.empty(ct.ndim, np.int64), 0
            for k in range(ct.ndim):
                if k == d:
                    perm[k] = s
                else:
                    j += j == s
                    perm[k] = j
                    j += 1
            return _permuted(ct, perm)
        return impl


@overload(unflip)
def _ol_unflip(ct, axis=None):
    if _none(axis):
        return lambda ct, axis=None: np.flip(ct)


@overload(unroll)
def _ol_unroll(ct, shift=0, axis=None):
    if _none(axis) and isinstance(shift, types.Integer):
        return lambda ct, shift=0, axis=None: np.roll(ct, -shift)


def _slab(ct, ax, lo, hi):
    """(numba only) ct[..., lo:hi, ...] with the range on axis `ax` (a view)."""


def _plane(ct, ax, j):
    """(numba only) ct[..., j, ...] with the index on axis `ax` (a view)."""


def _by_axis(sig, n, item):  # `if ax == d: return ct[:, ..., item, ...]` for each axis d
    lines = [f"def impl({sig}):"]
    for d in range(n - 1):
        lines += [f"    if ax == {d}:", f"        return ct[{':, ' * d}{item}]"]
    return lines + [f"    return ct[{':, ' * (n - 1)}{item}]"]


@overload(_slab)
def _ol_slab(ct, ax, lo, hi):
    return _gen(("slab", ct.ndim), lambda: _by_axis("ct, ax, lo, hi", ct.ndim, "lo:hi"), globals())


@overload(_plane)
def _ol_plane(ct, ax, j):
    return _gen(("plane", ct.ndim), lambda: _by_axis("ct, ax, j", ct.ndim, "j"), globals())


def _pieces(sig, n, ax, step, piece):
    # impl(sig) returning a tuple of n pieces of ct; o{j}..o{j+1}: piece j's range
    lines = [f"def impl({sig}):", f"    ax = {ax}", "    o0 = 0"]
    lines += [f"    o{j + 1} = o{j} + {step(j)}" for j in range(n)]
    return lines + ["    return (" + "".join(piece(j) + ", " for j in range(n)) + ")"]


def _split(sig, seq, n, ax):
    return _pieces(sig, n, ax, lambda j: f"{seq}[{j}].shape[ax]", lambda j: f"_slab(ct, ax, o{j}, o{j + 1})")


@overload(unconcatenate)
def _ol_unconcatenate(ct, arrays, axis=0):
    if isinstance(ct, types.Array) and isinstance(arrays, types.BaseTuple) and isinstance(axis, types.Integer):
        return _gen(("concat", len(arrays)), lambda: _split("ct, arrays, axis=0", "arrays", len(arrays),
                                                             "axis % ct.ndim"), globals())


@overload(unhstack)
def _ol_unhstack(ct, tup):
    if isinstance(ct, types.Array) and isinstance(tup, types.BaseTuple):
        ax = 0 if tup.types[0].ndim <= 1 else 1
        return _gen(("hstack", len(tup), ax), lambda: _split("ct, tup", "tup", len(tup), ax), globals())


@overload(unvstack)
def _ol_unvstack(ct, tup):
    if isinstance(ct, types.Array) and isinstance(tup, types.BaseTuple):
        one = tuple(t.ndim == 1 for t in tup.types)
        return _gen(("vstack", one), lambda: _pieces(
            "ct, tup", len(tup), 0, lambda j: "1" if one[j] else f"tup[{j}].shape[0]",
            lambda j: f"ct[o{j}]" if one[j] else f"ct[o{j}:o{j + 1}]"), globals())


@overload(unstack)
def _ol_unstack(ct, arrays, axis=0):
    if isinstance(ct, types.Array) and isinstance(arrays, types.BaseTuple):
        return _gen(("stack", len(arrays)), lambda: _pieces(
            "ct, arrays, axis=0", len(arrays), "axis % ct.ndim", lambda j: "1", lambda j: f"_plane(ct, ax, {j})"), globals())


@overload(unsum)
def _ol_unsum(ct, items):
    if isinstance(items, types.Array):
        return lambda ct, items: np.zeros(items.shape) + ct
    if isinstance(items, types.BaseTuple):
        n = len(items)
        return _gen(("unsum", n), ["def impl(ct, items):",
                                   "    return (" + "".join(f"unbroadcast(ct, items[{j}]), " for j in range(n)) + ")"],
                    globals())


@overload(sum_of)
def _ol_sum_of(items):
    if isinstance(items, types.Array):
        return lambda items: np.sum(items, 0)
    if isinstance(items, types.List):
        def impl(items):
            total = items[0]
            for k in range(1, len(items)):
                total = total + items[k]
            return total
        return impl
    if isinstance(items, types.BaseTuple):
        n = len(items)
        return _gen(("sum_of", n), ["def impl(items):", "    return " + " + ".join(f"items[{j}]" for j in range(n))],
                    globals())


@overload(unrepeat)
def _ol_unrepeat(ct, a, repeats=1, axis=None):
    if isinstance(a, types.Array) and isinstance(ct, types.Array) and ct.ndim == 1 and _none(axis):
        rep = "repeats" if isinstance(repeats, types.Integer) else "repeats[i]"
        return _gen(("unrepeat", rep), ["def impl(ct, a, repeats=1, axis=None):",
                                        "    out = np.zeros(a.size, ct.dtype)", "    k = 0",
                                        "    for i in range(a.size):", f"        for _ in range({rep}):",
                                        "            out[i] += ct[k]", "            k += 1",
                                        "    return out.reshape(a.shape)"], globals())


def _untake_lines(n):  # axis given, 1-d indices: out[.., indices[i_ax], ..] += ct[.., i_ax, ..]
    lines = ["def impl(ct, a, indices=0, axis=None):", "    out = np.zeros(a.shape)", "    ax = axis % a.ndim"]
    idx = [f"i{d}" for d in range(n)]
    for ax in range(n):
        lines.append(f"    {'if' if ax == 0 else 'elif'} ax == {ax}:")
        tgt = ", ".join(f"indices[i{d}]" if d == ax else f"i{d}" for d in range(n))
        lines += _loops([(i, f"ct.shape[{d}]") for d, i in enumerate(idx)], [f"out[{tgt}] += ct[{', '.join(idx)}]"],
                        depth=2)
    return lines + ["    return out"]


@overload(untake)
def _ol_untake(ct, a, indices=0, axis=None):
    if not isinstance(a, types.Array):
        return None
    if _none(axis) and isinstance(indices, types.Integer):
        def impl(ct, a, indices=0, axis=None):
            out = np.zeros(a.size)
            out[indices] += ct
            return out.reshape(a.shape)
        return impl
    if _none(axis) and isinstance(indices, (types.List, types.UniTuple)):  # np.take(x, [0, 2])
        return lambda ct, a, indices=0, axis=None: untake(ct, a, np.array(indices), axis)
    if _none(axis) and isinstance(indices, types.Array):
        def impl(ct, a, indices=0, axis=None):
            out, idx, c = np.zeros(a.size), indices.copy().reshape(-1), ct.copy().reshape(-1)
            for k in range(idx.size):
                out[idx[k]] += c[k]
            return out.reshape(a.shape)
        return impl
    if isinstance(axis, types.Integer) and isinstance(indices, types.Array) and indices.ndim == 1:
        return _gen(("untake", a.ndim), lambda: _untake_lines(a.ndim), globals())


@numba.njit
def _slices(a, axis):
    """(outer, n, inner): a's shape around `axis` (a C-ordered copy of a is (outer, n, inner))."""
    ax = axis % a.ndim
    n, outer, inner = a.shape[ax], 1, 1
    for d in range(a.ndim):
        if d < ax:
            outer *= a.shape[d]
        elif d > ax:
            inner *= a.shape[d]
    return outer, n, inner


def _sort_perm(ct, a, axis, back):
    """unsort (back=True: out[perm[j]] = ct[j]) or resort (out[j] = ct[perm[j]]) along an axis
    (None: the flat arrays), perm the stable argsort of each slice of a, as the NumPy path."""
    if not (isinstance(a, types.Array) and isinstance(ct, types.Array)):
        return None
    if _none(axis):
        if back:
            def flat(ct, a, axis=-1):
                idx = np.argsort(a.ravel(), kind="mergesort")
                out, cf = np.zeros(a.size, ct.dtype), ct.ravel()
                for i in range(idx.shape[0]):
                    out[idx[i]] = cf[i]
                return out.reshape(a.shape)
        else:
            def flat(ct, a, axis=-1):
                idx = np.argsort(a.ravel(), kind="mergesort")
                out, cf = np.empty(a.size, ct.dtype), ct.ravel()
                for i in range(idx.shape[0]):
                    out[i] = cf[idx[i]]
                return out
        return flat

    def impl(ct, a, axis=-1):
        outer, n, inner = _slices(a, axis)
        a3 = np.ascontiguousarray(a).reshape((outer, n, inner))
        c3 = np.ascontiguousarray(ct).reshape((outer, n, inner))
        out = np.zeros((outer, n, inner), ct.dtype)
        for i in range(outer):
            for k in range(inner):
                idx = np.argsort(a3[i, :, k], kind="mergesort")
                for j in range(n):
                    if back:
                        out[i, idx[j], k] = c3[i, j, k]
                    else:
                        out[i, j, k] = c3[i, idx[j], k]
        return out.reshape(a.shape)
    return impl


overload(unsort)(lambda ct, a, axis=-1: _sort_perm(ct, a, axis, True))
overload(resort)(lambda ct, a, axis=-1: _sort_perm(ct, a, axis, False))


@overload(out_size)
def _ol_out_size(out):
    if isinstance(out, types.Array):
        return lambda out: out.size
    if isinstance(out, (types.Number, types.Boolean)):
        return lambda out: 1


@overload(basis)
def _ol_basis(out, i):
    if isinstance(out, types.Array):
        def impl(out, i):
            e = np.zeros(out.size)
            e[i] = 1.0
            return e.reshape(out.shape)
        return impl
    if isinstance(out, types.Number):
        return lambda out, i: 1.0


def _dtype_of(t):
    """The NumPy dtype of a numba array or scalar type (float64 for what has none)."""
    t = t.dtype if isinstance(t, types.Array) else t
    try:
        return as_dtype(t)
    except Exception:  # noqa: BLE001 -- numba's NumbaNotImplementedError for non-NumPy types
        return np.dtype(np.float64)


@numba.njit
def _complex_output():
    raise TypeError("jacrev requires real-valued outputs (output dtype that is a sub-dtype of np.floating), "
                    "but got a complex output. For a complex output use jacfwd, or vjp directly.")


@overload(real_output)
def _ol_real_output(out):
    parts = out.types if isinstance(out, types.BaseTuple) else (out,)
    kinds = [p.dtype if isinstance(p, types.Array) else p for p in parts]
    if any(isinstance(k, types.Complex) for k in kinds):
        def impl(out):
            _complex_output()  # (a call: the function still types as returning out)
            return out
        return impl
    return lambda out: out


@overload(jac_alloc)
def _ol_jac_alloc(out, x):
    oa, xa = isinstance(out, types.Array), isinstance(x, types.Array)
    dtype = np.result_type(_dtype_of(out), _dtype_of(x))
    kind = dtype.type
    if oa and xa:
        return lambda out, x: np.zeros(out.shape + x.shape, kind)
    if oa:
        return lambda out, x: np.zeros(out.shape, kind)
    if xa:
        return lambda out, x: np.zeros(x.shape, kind)
    if dtype == np.float64:
        return lambda out, x: 0.0
    return lambda out, x: kind(0)


@overload(jac_row)
def _ol_jac_row(J, i, g):
    if isinstance(J, types.Array):
        if isinstance(g, types.Array):
            def impl(J, i, g):
                flat = np.ascontiguousarray(g).reshape(-1)
                m = flat.size
                J.reshape(-1)[i * m:(i + 1) * m] = flat
                return J
            return impl

        def impl_scalar(J, i, g):
            J.reshape(-1)[i] = g
            return J
        return impl_scalar
    kind = _dtype_of(J).type if isinstance(J, types.Float) and J.bitwidth != 64 else float
    if isinstance(J, types.Complex) or isinstance(getattr(g, "dtype", g), types.Complex):
        kind = complex  # (holomorphic Jacobians)
    if isinstance(g, types.Array):
        return lambda J, i, g: kind(g.reshape(-1)[0])
    return lambda J, i, g: kind(g)


@overload(jac_col)
def _ol_jac_col(J, j, t):
    if isinstance(J, types.Array):
        if isinstance(t, types.Array):
            def impl(J, j, t):
                flat = np.ascontiguousarray(t).reshape(-1)
                m = flat.size
                n = J.size // m
                J2 = J.reshape(-1)
                for r in range(m):
                    J2[r * n + j] = flat[r]
                return J
            return impl

        def impl_scalar(J, j, t):
            J.reshape(-1)[j] = t
            return J
        return impl_scalar
    kind = _dtype_of(J).type if isinstance(J, types.Float) and J.bitwidth != 64 else float
    if isinstance(J, types.Complex) or isinstance(getattr(t, "dtype", t), types.Complex):
        kind = complex  # (holomorphic Jacobians)
    if isinstance(t, types.Array):
        return lambda J, j, t: kind(t.reshape(-1)[0])
    return lambda J, j, t: kind(t)


@overload(broadcast_like)
def _ol_broadcast_like(t, x):
    if not isinstance(x, types.Array):
        return lambda t, x: t
    if not isinstance(t, types.Array):
        return lambda t, x: np.full(x.shape, t)
    if t.ndim == x.ndim:
        def impl(t, x):
            if t.shape == x.shape:
                return t
            return np.broadcast_to(t, x.shape).copy()
        return impl
    return lambda t, x: np.broadcast_to(t, x.shape).copy()


def _jac_cotangent_impl(by_row, take):
    """numba: ct's entries that jac_row/jac_col set (take) or ct without them (zero)."""
    def impl(ct, k, g):
        flat = np.ascontiguousarray(ct).reshape(-1)
        m = np.asarray(g).size
        n = flat.size // m
        if take:
            out = np.empty(m, flat.dtype)
            for r in range(m):
                out[r] = flat[k * m + r] if by_row else flat[r * n + k]
            return out
        out = flat.copy()
        for r in range(m):
            if by_row:
                out[k * m + r] = 0.0
            else:
                out[r * n + k] = 0.0
        return out.reshape(ct.shape)
    return impl


def _ol_jac_cotangent(by_row, take):
    def typer(ct, k, g):
        if not isinstance(ct, types.Array):
            return (lambda ct, k, g: ct) if take else (lambda ct, k, g: 0.0)
        inner = numba.njit(_jac_cotangent_impl(by_row, take))
        if not take:
            return lambda ct, k, g: inner(ct, k, g)
        if isinstance(g, types.Array):
            return lambda ct, k, g: inner(ct, k, g).reshape(g.shape)
        return lambda ct, k, g: inner(ct, k, g)[0]
    return typer


overload(jac_row_zero)(_ol_jac_cotangent(True, False))
overload(jac_row_take)(_ol_jac_cotangent(True, True))
overload(jac_col_zero)(_ol_jac_cotangent(False, False))
overload(jac_col_take)(_ol_jac_cotangent(False, True))


@overload(batch_alloc)
def _ol_batch_alloc(r, n):
    if isinstance(r, types.Array):
        return lambda r, n: np.empty((n,) + r.shape, r.dtype)
    from numba.np.numpy_support import as_dtype

    dt = as_dtype(r)
    return lambda r, n: np.empty(n, dt)


@overload(move_batch_axis)
def _ol_move_batch_axis(o, ax):
    if not isinstance(o, types.Array):
        return lambda o, ax: o
    nd = o.ndim

    def impl(o, ax):
        if ax < 0:
            ax += nd
        perm = np.empty(nd, np.int64)
        k = 1
        for d in range(nd):
            if d == ax:
                perm[d] = 0
            else:
                perm[d] = k
                k += 1
        return np.ascontiguousarray(o.transpose(to_fixed_tuple(perm, nd)))
    return impl


@overload(batch_set)
def _ol_batch_set(o, b, r):
    def impl(o, b, r):  # numba unified the result's type already: no promotion here
        o[b] = r
        return o
    return impl


def _float_type(t):
    """A float or complex scalar or array type (a cast to it carries derivatives)."""
    inexact = (types.Float, types.Complex)
    return isinstance(t, inexact) or (isinstance(t, types.Array) and isinstance(t.dtype, inexact))


def _builtin_class(dtype):  # 'int' for the builtin `int` as a dtype argument (float, bool, complex)
    name = getattr(getattr(dtype, "typing_key", None), "__name__", "") if isinstance(dtype, types.Function) else ""
    return name if name in ("int", "float", "bool", "complex") else None


@overload(astype)
def _ol_astype(x, dtype):
    builtin = _builtin_class(dtype)
    if builtin is not None:  # x.astype(int) is x.astype(np.int64), as NumPy reads the builtin
        if isinstance(x, types.Array):
            np_name = {"int": "int64", "float": "float64", "bool": "bool_", "complex": "complex128"}[builtin]
            return _gen(("astype", builtin), ["def impl(x, dtype):", f"    return x.astype(np.{np_name})"], globals())
        return _gen(("astype_scalar", builtin), ["def impl(x, dtype):", f"    return {builtin}(x)"], globals())
    if isinstance(x, types.Array):
        return lambda x, dtype: x.astype(dtype)
    return lambda x, dtype: dtype(x)


@overload(astype_tangent)
def _ol_astype_tangent(t, ans):
    if not _float_type(ans):
        return lambda t, ans: zeros_like(ans)
    if isinstance(ans, types.Array):
        return lambda t, ans: np.asarray(t).astype(ans.dtype)
    return lambda t, ans: t


@overload(astype_grad)
def _ol_astype_grad(g, x, ans):
    if not _float_type(ans):
        return lambda g, x, ans: zeros_like(x)
    if isinstance(x, types.Array) and isinstance(x.dtype, types.Float):  # a complex g: its real part
        return lambda g, x, ans: np.real(np.asarray(g)).astype(x.dtype)
    if isinstance(x, types.Float) and isinstance(getattr(g, "dtype", g), types.Complex):
        return lambda g, x, ans: np.real(g)
    return lambda g, x, ans: g
