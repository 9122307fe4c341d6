"""numba overloads of the runtime helpers (`s2s.diff.runtime`): each picks the implementation
from the argument *types* at compile time (scalar or array, number of dimensions, `None`, int
or slice or array index) -- never with `isinstance` at run time.

Imported by `s2s.diff.runtime` when numba is installed. Like it, self-contained apart from
the helpers it overloads, so `s2s dump -o` can copy both files into a standalone module.
"""
import math  # noqa: F401  -- used by generated implementations

import numpy as np
import numba  # noqa: F401
from numba import types
from numba.extending import overload
from numba.np.unsafe.ndarray import to_fixed_tuple  # noqa: F401  -- used by generated implementations

from .runtime import (  # s2s-runtime-import
    unbroadcast,
    shape_of,
    unreduce,
    reduce_to,
    item,
    zeros_like,
    array_of,
    add_at,
    copy_value,
    real_for,
    abs_direction,
    abs_direction_tangent,
    abs_direction_vjp,
    real_only,
    range_len,
    inside,
    log_or_zero,
    matmul_vjp1,
    matmul_vjp2,
    dot_vjp1,
    dot_vjp2,
    transpose_last,
    prod_partials,
    uncumsum,
    _pnorm_grad,
    norm_grad,
    untrace,
    undiag,
    reshape_to,
    stop_gradient,
    prod_pairs,
    norm_grad_partial,
    norm_grad_dx,
    to_rows,
    from_rows,
    off_diag,
    off_diag_sum,
    eye_rows,
)  # s2s-runtime-import

# ------------------------------------------------------------------- numba overloads
# Each overload returns the implementation for the argument types, or None (no match: numba
# reports a typing error) where NumPy-under-numba cannot run the primal either. Most are
# generated as plain loops for the known number of dimensions: they compile several times
# faster than the equivalent np.sum(axis)/moveaxis/transpose calls.


def _none(t):
    return t is None or isinstance(t, (types.NoneType, types.Omitted))


def _arr(t):
    return isinstance(t, types.Array) and t.ndim > 0


_GENERATED = {}


def _gen(key, lines, env=None):
    """The function `impl` defined by `lines` (a list, or a callable giving it), by key; its
    globals are `env` (the calling module's, for the helpers it names) or this module's."""
    if key not in _GENERATED:
        ns = dict(globals() if env is None else env)
        exec("\n".join(lines() if callable(lines) else lines), ns)
        _GENERATED[key] = ns["impl"]
    return _GENERATED[key]


def _loops(ranges, body, depth=1):
    """Nested loops over `ranges` [(variable, range expression), ...] around `body`."""
    pad = "    "
    out = [pad * (depth + d) + f"for {var} in range({n}):" for d, (var, n) in enumerate(ranges)]
    return out + [pad * (depth + len(ranges)) + line for line in body]


def _bcast_sum(ct, x):
    """(numba only) a fresh array of x's shape: ct summed or expanded to it."""


def _bcast_sum_lines(cn, xn):
    nd = max(cn, xn)
    lines = ["def impl(ct, x):", "    out = np.zeros(x.shape, ct.dtype)"]
    cidx, xidx = [], []
    for d in range(nd):
        cd, xd = d - nd + cn, d - nd + xn
        lines.append(f"    n{d} = max({f'ct.shape[{cd}]' if cd >= 0 else 1}, {f'x.shape[{xd}]' if xd >= 0 else 1})")
        if cd >= 0:
            lines.append(f"    c{d} = 1 if ct.shape[{cd}] != 1 else 0")
            cidx.append(f"i{d} * c{d}")
        if xd >= 0:
            lines.append(f"    x{d} = 1 if x.shape[{xd}] != 1 else 0")
            xidx.append(f"i{d} * x{d}")
    body = [f"out[{', '.join(xidx)}] += ct[{', '.join(cidx)}]"]
    return lines + _loops([(f"i{d}", f"n{d}") for d in range(nd)], body) + ["    return out"]


@overload(_bcast_sum)
def _ol_bcast_sum(ct, x):
    if _arr(ct) and _arr(x):
        return _gen(("bcast", ct.ndim, x.ndim), lambda: _bcast_sum_lines(ct.ndim, x.ndim))


@overload(shape_of)
def _ol_shape_of(x):
    if isinstance(x, types.Array):
        return lambda x: x.shape
    if isinstance(x, (types.Number, types.Boolean)):
        return lambda x: ()


@overload(unbroadcast)
def _ol_unbroadcast(ct, x):
    if _none(x):
        return lambda ct, x: None
    if isinstance(x, types.BaseTuple):  # a shape from shape_of
        if len(x) == 0:
            return (lambda ct, x: np.sum(ct)) if isinstance(ct, types.Array) else (lambda ct, x: ct)
        return lambda ct, x: unbroadcast(ct, np.broadcast_to(np.zeros(1), x))
    if isinstance(ct, types.Array) and ct.ndim == 0:
        return lambda ct, x: unbroadcast(ct[()], x)
    if not _arr(x):
        return (lambda ct, x: np.sum(ct)) if isinstance(ct, types.Array) else (lambda ct, x: ct)
    if not isinstance(ct, types.Array):
        return lambda ct, x: np.full(x.shape, ct)
    if ct.ndim != x.ndim:
        return lambda ct, x: _bcast_sum(ct, x)

    def impl(ct, x):
        if ct.shape == x.shape:
            return ct
        return _bcast_sum(ct, x)
    return impl


@overload(unreduce)
def _ol_unreduce(ct, x, axis=None):
    if isinstance(x, types.Optional):  # numba's np.linalg.matrix_power returns Optional(array)
        x = x.type
    if isinstance(x, types.List):  # a reduction of a list (np.sum(L)): one per element
        return lambda ct, x, axis=None: unreduce(ct, array_of(x), axis)
    if isinstance(x, types.BaseTuple) and len(x) and _none(axis):
        return None  # a whole reduction of a tuple: runtime_numba_lists.py
    if not _arr(x):
        return lambda ct, x, axis=None: ct
    if not isinstance(ct, types.Array):
        return lambda ct, x, axis=None: np.full(x.shape, ct)
    if ct.ndim == x.ndim:
        return lambda ct, x, axis=None: _bcast_sum(ct, x)
    if ct.ndim == x.ndim - 1 and isinstance(axis, types.Integer):
        return lambda ct, x, axis=None: _bcast_sum(np.expand_dims(ct, axis % x.ndim), x)


@overload(reduce_to)
def _ol_reduce_to(ct, x, axis=None):
    if not isinstance(ct, types.Array):
        return lambda ct, x, axis=None: ct
    if not _arr(x):
        return lambda ct, x, axis=None: np.sum(ct)
    if x.ndim == ct.ndim:
        return lambda ct, x, axis=None: _bcast_sum(ct, x)
    if x.ndim == ct.ndim - 1 and isinstance(axis, types.Integer):
        return lambda ct, x, axis=None: _bcast_sum(ct, np.expand_dims(x, axis % ct.ndim)).reshape(x.shape)


@overload(item)
def _ol_item(a):
    if isinstance(a, types.Array):
        def impl(a):
            if a.size != 1:
                raise ValueError("can only convert an array of size 1 to a Python scalar")
            return a.ravel()[0]
        return impl
    if isinstance(a, (types.Number, types.Boolean)):
        return lambda a: a


@overload(zeros_like)
def _ol_zeros_like(x):
    if isinstance(x, types.Array):
        if isinstance(x.dtype, (types.Float, types.Complex)):
            return lambda x: np.zeros(x.shape, x.dtype)
        return lambda x: np.zeros(x.shape)
    if isinstance(x, types.Complex):
        return lambda x: 0j
    if isinstance(x, (types.Number, types.Boolean)):
        return lambda x: 0.0
    if isinstance(x, types.BaseTuple):  # e.g. a saved shape, in derivative code differentiated again
        n = len(x)
        return _gen(("zeros_tuple", n), ["def impl(x):", "    return (" + "".join(f"zeros_like(x[{i}]), " for i in range(n)) + ")"])
    if isinstance(x, types.List):  # a list restored from a tape: the adjoint is a list too
        return lambda x: [zeros_like(v) for v in x]


def _add_at_lines(a, idx, v):
    """A loop over every element a[idx] selects (slices, integers, one 1-d integer array
    or a boolean mask -- what numba's indexing takes), adding the matching element of v."""
    tup = isinstance(idx, types.BaseTuple)
    items = list(idx.types) if tup else [idx]
    head, parts, ranges, res, dim, adv, adv_k = [], [], {}, [], 0, [], False
    used = sum(it.ndim if isinstance(it, types.Array) and isinstance(it.dtype, types.Boolean) else 1
               for it in items if not isinstance(it, (types.NoneType, types.EllipsisType)))
    for j, it in enumerate(items):
        name = f"idx[{j}]" if tup else "idx"
        if isinstance(it, types.EllipsisType):  # the axes no other index takes, whole
            for q in range(a.ndim - used):
                parts.append(f"e{j}_{q}")
                ranges[f"e{j}_{q}"] = f"a.shape[{dim}]"
                res.append(f"e{j}_{q}")
                dim += 1
            continue
        if isinstance(it, types.Array) and isinstance(it.dtype, types.Boolean) and len(items) == 1:
            head.append(f"    nz = np.nonzero({name})")
            parts += [f"nz[{d}][k]" for d in range(it.ndim)]
            ranges["k"], dim, adv = "nz[0].shape[0]", it.ndim, [j]
            res.append("k")
        elif isinstance(it, types.Array) and isinstance(it.dtype, types.Integer) and it.ndim == 1:
            parts.append(f"{name}[k]")  # several 1-d index arrays go together (of one length)
            if not adv_k:
                ranges["k"], adv_k = f"{name}.shape[0]", True
                res.append("k")
            dim += 1
            adv.append(j)
        elif isinstance(it, types.Integer):
            parts.append(name)
            dim += 1
            adv.append(j)
        elif isinstance(it, types.NoneType):  # np.newaxis: a length-1 axis of v, none of a
            res.append("0")
        elif isinstance(it, types.SliceType):
            head.append(f"    b{j}, e{j}, d{j} = {name}.indices(a.shape[{dim}])")
            parts.append(f"b{j} + s{j} * d{j}")
            ranges[f"s{j}"], dim = f"range_len(b{j}, e{j}, d{j})", dim + 1
            res.append(f"s{j}")
        else:
            return None  # as numba's own indexing: one 1-d advanced index at most
    if dim == a.ndim and all(isinstance(it, types.Integer) for it in items):  # one element
        return ["def impl(a, idx, v):", "    a[idx] += v", "    return a"]
    if "k" in ranges and adv[-1] - adv[0] != len(adv) - 1:  # NumPy: separated advanced indices go first
        res = ["k"] + [r for r in res if r != "k"]
    for d in range(a.ndim - dim):
        parts.append(f"t{d}")
        ranges[f"t{d}"] = f"a.shape[{dim + d}]"
        res.append(f"t{d}")
    val = "v"
    if isinstance(v, types.Array):
        if v.ndim > len(res):
            return None
        sub = [f"({r} if v.shape[{e}] != 1 else 0)" for e, r in enumerate(res[len(res) - v.ndim:])]
        val = f"v[{', '.join(sub)}]" if v.ndim else "v[()]"
    body = [f"a[{', '.join(parts)}] += {val}"]
    return ["def impl(a, idx, v):"] + head + _loops([(r, ranges[r]) for r in res if r != "0"], body) + ["    return a"]


@overload(add_at)
def _ol_add_at(a, idx, v):
    if isinstance(a, types.Array) and not isinstance(a.dtype, types.Complex) and _complex_type(v):
        return lambda a, idx, v: add_at(a, idx, np.real(v))  # as runtime.add_at: the real part
    if isinstance(a, types.Array):
        lines = _add_at_lines(a, idx, v)
        return None if lines is None else _gen(("add_at", a, idx, v), lines)
    if isinstance(a, types.List) and isinstance(idx, types.Integer):  # a list's adjoint, a run-time index
        def impl(a, idx, v):
            a[idx] = a[idx] + v
            return a
        return impl


@overload(real_for)
def _ol_real_for(ct, x):
    complex_ct = isinstance(getattr(ct, "dtype", ct), types.Complex)
    complex_x = isinstance(getattr(x, "dtype", x), types.Complex)
    if complex_ct and not complex_x:
        return lambda ct, x: np.real(ct)
    return lambda ct, x: ct


@overload(copy_value)
def _ol_copy_value(v):
    return (lambda v: v.copy()) if isinstance(v, types.Array) else (lambda v: v)


overload(range_len)(lambda start, stop, step: range_len)
overload(stop_gradient)(lambda x: lambda x: x)


@overload(inside)
def _ol_inside(x, lo=None, hi=None):
    if _none(lo) and _none(hi):
        return lambda x, lo=None, hi=None: 1.0
    if _none(lo):
        return lambda x, lo=None, hi=None: (x <= hi) * 1.0
    if _none(hi):
        return lambda x, lo=None, hi=None: (x >= lo) * 1.0
    return lambda x, lo=None, hi=None: ((x >= lo) & (x <= hi)) * 1.0


def _flat_map(name, expr):  # an elementwise map of one array, as a loop: out[i] = expr(xi)
    return _gen(name, ["def impl(x):", "    xf = x.copy().reshape(-1)", "    out = np.empty(xf.size)",
                       "    for i in range(xf.size):", "        xi = xf[i]", f"        out[i] = {expr}",
                       "    return out.reshape(x.shape)"])


@overload(log_or_zero)
def _ol_log_or_zero(x):
    if isinstance(x, types.Array):
        return _flat_map("log_or_zero", "0.0 if xi == 0 else math.log(xi)")
    return lambda x: 0.0 if x == 0 else math.log(x)


def _matmul_typer(table):  # 1-d and 2-d operands, as numba's `@` and np.dot
    def typer(ct, x1, x2):
        if isinstance(x1, types.Array) and isinstance(x2, types.Array):
            return table.get((x1.ndim, x2.ndim))
    return typer


@numba.njit
def _outer(u, w):  # np.outer of two vectors, as a loop (compiles faster)
    out = np.empty((u.shape[0], w.shape[0]), (u[:0] * w[:0]).dtype)  # complex operands: complex
    for i in range(u.shape[0]):
        for j in range(w.shape[0]):
            out[i, j] = u[i] * w[j]
    return out

_MM1 = {(1, 1): lambda ct, x1, x2: ct * x2, (2, 1): lambda ct, x1, x2: _outer(ct, x2),
        (1, 2): lambda ct, x1, x2: x2 @ ct, (2, 2): lambda ct, x1, x2: ct @ x2.T}
_MM2 = {(1, 1): lambda ct, x1, x2: ct * x1, (2, 1): lambda ct, x1, x2: x1.T @ ct,
        (1, 2): lambda ct, x1, x2: _outer(x1, ct), (2, 2): lambda ct, x1, x2: x1.T @ ct}
for _fn, _table in ((matmul_vjp1, _MM1), (matmul_vjp2, _MM2), (dot_vjp1, _MM1), (dot_vjp2, _MM2)):
    overload(_fn)(_matmul_typer(_table))


@overload(transpose_last)
def _ol_transpose_last(x):
    if isinstance(x, types.Array) and x.ndim == 2:
        return lambda x: x.T


@overload(prod_partials)
def _ol_prod_partials(x, axis=None):
    if isinstance(x, types.Array) and _none(axis):
        def impl(x, axis=None):
            xf = x.copy().reshape(-1)
            nz, p = 0, xf[:0].sum() + 1.0  # 1 of x's dtype (complex stays complex)
            for v in xf:
                if v == 0:
                    nz += 1
                else:
                    p *= v
            out = np.zeros(xf.size, (xf[:0] * 1.0).dtype)
            for i in range(xf.size):
                if nz == 0:
                    out[i] = p / xf[i]
                elif nz == 1 and xf[i] == 0:
                    out[i] = p
            return out.reshape(x.shape)
        return impl
    if isinstance(x, types.Array) and isinstance(axis, types.Integer):
        def impl_axis(x, axis=None):  # as above along each (outer, :, inner) slice of x
            ax = axis % x.ndim
            n, outer, inner = x.shape[ax], 1, 1
            for d in range(x.ndim):
                if d < ax:
                    outer *= x.shape[d]
                elif d > ax:
                    inner *= x.shape[d]
            x3 = np.ascontiguousarray(x).reshape((outer, n, inner))
            out = np.zeros((outer, n, inner), (x3[:0, 0, 0] * 1.0).dtype)
            for i in range(outer):
                for k in range(inner):
                    nz, p, at = 0, x3[:0, 0, 0].sum() + 1.0, 0
                    for j in range(n):
                        v = x3[i, j, k]
                        if v == 0:
                            nz, at = nz + 1, j
                        else:
                            p *= v
                    if nz == 0:
                        for j in range(n):
                            out[i, j, k] = p / x3[i, j, k]
                    elif nz == 1:
                        out[i, at, k] = p
            return out.reshape(x.shape)
        return impl_axis


@overload(uncumsum)
def _ol_uncumsum(ct, x, axis=None):
    if not (isinstance(ct, types.Array) and isinstance(x, types.Array)):
        return None

    def impl(ct, x, axis=None):
        out = ct.copy()
        of = out.reshape(-1)
        ax = 0 if axis is None else axis % ct.ndim
        n, inner, outer = ct.shape[ax], 1, 1
        for d in range(ct.ndim):
            if d < ax:
                outer *= ct.shape[d]
            elif d > ax:
                inner *= ct.shape[d]
        for o in range(outer):
            for i in range(inner):
                for j in range(n - 2, -1, -1):
                    of[(o * n + j) * inner + i] += of[(o * n + j + 1) * inner + i]
        return out.reshape(x.shape)
    return impl

_pnorm_grad_nb = numba.njit(_pnorm_grad)


@overload(norm_grad, prefer_literal=True)
def _ol_norm_grad(x, ans, ord=None, axis=None):
    if not isinstance(x, types.Array) or isinstance(axis, types.BaseTuple) and len(axis) == 2:
        return None  # (a pair of axes: matrix norms, runtime_numba_norms.py)
    if _none(ord):
        return lambda x, ans, ord=None, axis=None: x / unreduce(ans, x, axis)
    if isinstance(ord, (types.Integer, types.Float)) and (x.ndim == 1 or isinstance(axis, types.Integer)):
        # (a vector, or the vectors along one axis of an n-d x)
        return lambda x, ans, ord=None, axis=None: _pnorm_grad_nb(x, unreduce(ans, x, axis), ord, axis)
    if isinstance(ord, types.StringLiteral) and x.ndim == 2 and _none(axis):  # (numeric matrix ords: runtime_numba_norms.py)
        if ord.literal_value == "fro":
            return lambda x, ans, ord=None, axis=None: x / ans
        if ord.literal_value == "nuc":  # the sum of singular values: U V^T
            def nuc(x, ans, ord=None, axis=None):
                u, s, vh = np.linalg.svd(np.ascontiguousarray(x), False)
                return u @ vh
            return nuc


def _vector_or_none(x, ans, ord):
    """norm_grad's numba forms (numba's norm takes no axis: the norm is a scalar): ord None,
    or a number for a vector."""
    return isinstance(x, types.Array) and isinstance(ans, types.Number) and (
        _none(ord) or (isinstance(ord, (types.Integer, types.Float)) and x.ndim == 1))


@overload(norm_grad_partial)
def _ol_norm_grad_partial(x, ans, ord=None, axis=None, kx=0, kn=0):
    if not _vector_or_none(x, ans, ord):
        return None
    p_of = (lambda ord: 2.0) if _none(ord) else (lambda ord: float(ord))
    p_nb = numba.njit(p_of)

    def impl(x, ans, ord=None, axis=None, kx=0, kn=0):  # runtime_partials._pnorm_partial, by element
        if kx == 0 and kn == 0:
            return norm_grad(x, ans, ord, axis)
        p = p_nb(ord)
        out = np.zeros(x.shape)
        if p == 0 or math.isinf(p):
            return out
        c = p - 1.0
        scale = 1.0
        for i in range(kx):
            scale *= c - i
        for i in range(kn):
            scale *= -c - i
        scale *= ans ** (-c - kn)
        whole = c == math.floor(c)
        at_zero = 0.0 if c > kx or (whole and not (c == kx and c % 2 == 1)) else (1.0 if whole else math.nan)
        xf, of = np.ascontiguousarray(x).reshape(-1), out.reshape(-1)
        for i in range(xf.size):
            v = xf[i]
            if v == 0:
                of[i] = scale * at_zero
            else:
                of[i] = (1.0 if v > 0 else -1.0) ** (kx + 1) * abs(v) ** (c - kx) * scale
        return out
    return impl


@overload(norm_grad_dx)
def _ol_norm_grad_dx(x, ans, t, ord=None, axis=None):
    if _vector_or_none(x, ans, ord):
        return lambda x, ans, t, ord=None, axis=None: norm_grad_partial(x, ans, ord, axis, 1, 0) * t


@numba.njit
def _prod_pairs_rows(xs, ts):
    """runtime_partials.prod_pairs over each row of the matrices xs, ts (by element)."""
    out = np.zeros(xs.shape)
    for b in range(xs.shape[0]):
        xf, tf, of = xs[b], ts[b], out[b]
        nz, p, tz, big, r_big = 0, 1.0, 0.0, 0, 0.0
        r = np.zeros(xf.size)
        for k in range(xf.size):
            if xf[k] == 0:
                nz += 1
                tz += tf[k]
            else:
                p *= xf[k]
                r[k] = tf[k] / xf[k]
                if abs(r[k]) > abs(r_big):
                    big, r_big = k, r[k]
        rest = 0.0
        for k in range(xf.size):
            if k != big:
                rest += r[k]
        for i in range(xf.size):
            if xf[i] != 0:
                if nz == 0:
                    of[i] = p / xf[i] * (rest if i == big else (rest - r[i]) + r_big)
                elif nz == 1:
                    of[i] = p / xf[i] * tz
            elif nz == 1:
                of[i] = p * (rest + r_big)
            elif nz == 2:
                of[i] = p * (tz - tf[i])
    return out


def _flat_or_last(x, axis):
    """The reductions of the row helpers under numba: the whole array (axis None, as
    NumPy-under-numba's prod) or one axis (an int known at run time)."""
    return isinstance(x, types.Array) and (_none(axis) or isinstance(axis, types.Integer))


def _swapped_shape(shape, k):
    """`shape` with axis k and the last exchanged (numba)."""


@overload(_swapped_shape)
def _ol_swapped_shape(shape, k):
    n = len(shape)
    parts = [f"shape[{n - 1}] if k == {d} else shape[{d}]" for d in range(n - 1)] + ["shape[k]"]
    return _gen(("swapped_shape", n), ["def impl(shape, k):", "    return (" + "".join(f"{p}, " for p in parts) + ")"])


@overload(to_rows)
def _ol_to_rows(x, axis=None):
    # the slices along the axis as rows: the axis swapped with the last (the rows' order
    # is from_rows' own; NumPy's moves it last instead, the same slices)
    if _flat_or_last(x, axis):
        if _none(axis):
            return lambda x, axis=None: np.ascontiguousarray(x).reshape(1, x.size)

        def impl(x, axis=None):
            k = axis % x.ndim
            n = x.shape[k]
            return np.ascontiguousarray(np.swapaxes(x, k, x.ndim - 1)).reshape(x.size // max(n, 1), n)
        return impl


@overload(from_rows)
def _ol_from_rows(r, x, axis=None):
    if isinstance(r, types.Array) and _flat_or_last(x, axis):
        if _none(axis):
            return lambda r, x, axis=None: np.ascontiguousarray(r).reshape(x.shape)

        def impl(r, x, axis=None):
            k = axis % x.ndim
            moved = np.ascontiguousarray(r).reshape(_swapped_shape(x.shape, k))
            return np.ascontiguousarray(np.swapaxes(moved, k, x.ndim - 1))
        return impl


@overload(off_diag)
def _ol_off_diag(r):
    if isinstance(r, types.Array) and r.ndim == 2:
        def impl(r):
            m, n = r.shape
            out = np.zeros((m, n, n))
            for b in range(m):
                for i in range(n):
                    for k in range(n):
                        if k != i:
                            out[b, i, k] = r[b, k]
            return out
        return impl


@overload(off_diag_sum)
def _ol_off_diag_sum(c):
    if isinstance(c, types.Array) and c.ndim == 3:
        def impl(c):
            m, n = c.shape[0], c.shape[2]
            out = np.zeros((m, n))
            for b in range(m):
                for i in range(n):
                    for k in range(n):
                        if k != i:
                            out[b, k] += c[b, i, k]
            return out
        return impl


@overload(eye_rows)
def _ol_eye_rows(r):
    if isinstance(r, types.Array):
        return lambda r: np.eye(r.shape[-1])


@overload(prod_pairs)
def _ol_prod_pairs(x, t, axis=None):
    if _flat_or_last(x, axis) and isinstance(t, types.Array):
        return lambda x, t, axis=None: from_rows(_prod_pairs_rows(to_rows(x, axis), to_rows(t, axis)), x, axis)


@overload(undiag)
def _ol_undiag(ct, v, k=0):
    if isinstance(v, types.Array) and v.ndim == 1:
        return lambda ct, v, k=0: np.diag(ct, k)
    if isinstance(v, types.Array) and v.ndim == 2:
        def impl(ct, v, k=0):
            out = np.zeros(v.shape, ct.dtype)
            for i in range(ct.shape[0]):
                out[i + max(-k, 0), i + max(k, 0)] = ct[i]
            return out
        return impl


def _text(t, default):
    """The value of a string argument's literal type ('C' for `order='C'`), `default` when
    omitted, None when known at run time only. Deciding on it while typing keeps numba from
    compiling its string comparisons (seconds, once per process) into every such helper."""
    if isinstance(t, types.StringLiteral):
        return t.literal_value
    if t is None or isinstance(t, types.Omitted):
        return default
    return None


@overload(reshape_to, prefer_literal=True)
def _ol_reshape_to(ct, x, order="C"):
    if _arr(x):
        if isinstance(ct, types.Array):
            known = _text(order, "C")
            if known is not None and known != "F":
                return lambda ct, x, order="C": np.ascontiguousarray(ct).reshape(x.shape)

            def impl(ct, x, order="C"):
                if order == "F":  # F order of ct is C order of ct.T; reshaped, transposed back
                    flat = np.ascontiguousarray(ct.T).reshape(-1)
                    return np.ascontiguousarray(flat.reshape(x.shape[::-1]).T)
                return np.ascontiguousarray(ct).reshape(x.shape)
            return impl
        return lambda ct, x, order="C": np.full(x.shape, ct)
    return (lambda ct, x, order="C": np.sum(ct)) if isinstance(ct, types.Array) else (lambda ct, x, order="C": ct)


def _complex_type(t):
    return isinstance(getattr(t, "dtype", t), types.Complex)


@overload(abs_direction)
def _ol_abs_direction(x):
    if not _complex_type(x):
        return lambda x: np.sign(x)
    if isinstance(x, types.Array):
        return lambda x: np.conj(x) / np.where(np.abs(x) == 0, 1.0, np.abs(x))
    return lambda x: np.conj(x) / (abs(x) if x != 0 else 1.0)


@overload(abs_direction_tangent)
def _ol_abs_direction_tangent(x, t):
    if not _complex_type(x):
        return (lambda x, t: np.zeros(x.shape)) if isinstance(x, types.Array) else (lambda x, t: 0.0)

    def impl(x, t):
        r = np.where(np.abs(x) == 0, np.inf, np.abs(x))
        return np.conj(t) / r - np.conj(x) * np.real(np.conj(x) * t) / r ** 3
    return impl


@overload(abs_direction_vjp)
def _ol_abs_direction_vjp(c, x):
    if not _complex_type(x):
        return (lambda c, x: np.zeros(x.shape)) if isinstance(x, types.Array) else (lambda c, x: 0.0)

    def impl(c, x):
        r = np.where(np.abs(x) == 0, np.inf, np.abs(x))
        return np.conj(c) / r - np.real(c * np.conj(x)) * np.conj(x) / r ** 3
    return impl


@overload(real_only)
def _ol_real_only(x, t):
    if _complex_type(x):
        def impl(x, t):
            if np.any(np.asarray(t) != 0):
                raise NotImplementedError("third derivatives of abs() of complex values are not supported")
            return np.zeros(np.shape(x))
        return impl if isinstance(x, types.Array) else (lambda x, t: 0.0)
    return (lambda x, t: np.zeros(x.shape)) if isinstance(x, types.Array) else (lambda x, t: 0.0)
