"""Helpers called by generated derivative code and by the VJP rule templates.

Every helper is a plain NumPy function (the pure-Python path) and, when numba is installed,
also has a `numba.extending.overload` registered at import, which picks the implementation
from the argument *types* at compile time (scalar or array, number of dimensions, `None`,
int or slice or array index) -- never with `isinstance` at run time.

Contributions may be `ct` itself or a view of it; when a helper expands a value it returns a
fresh, writable array (never a read-only broadcast view). `ct` is a cotangent.

This file is self-contained (math, NumPy, and numba when present) so it can be copied
verbatim into a standalone dumped module.
"""
import math

import numpy as np

try:
    import numba
    from numba import types
    from numba.extending import overload
    from numba.np.unsafe.ndarray import to_fixed_tuple  # noqa: F401  -- used by generated implementations
except ImportError:  # the pure-NumPy path needs no numba
    numba = None


# ----------------------------------------------------------------- used by generated code
def unbroadcast(ct, x):
    """`ct` summed (or expanded) to the shape of `x`: the adjoint of broadcasting `x` to ct's
    shape. A scalar or 0-d `x` gets a scalar; `x=None` (a missing input) gets None."""
    if x is None:
        return None
    shape = np.shape(x)
    if not shape:
        return np.sum(ct) if isinstance(ct, np.ndarray) else ct
    if np.shape(ct) == shape:
        return ct
    ct = np.asarray(ct)
    if ct.ndim > len(shape):
        ct = np.sum(ct, axis=tuple(range(ct.ndim - len(shape))))
    off = len(shape) - ct.ndim
    axes = tuple(i for i in range(ct.ndim) if shape[off + i] == 1 and ct.shape[i] != 1)
    if axes:
        ct = np.sum(ct, axis=axes, keepdims=True)
    return ct if ct.shape == shape else np.broadcast_to(ct, shape).copy()


def unreduce(ct, x, axis=None):
    """Expand `ct`, the cotangent of a reduction of `x` over `axis` (keepdims or not: told
    apart by ct's number of dimensions), back to x's shape (a fresh array)."""
    shape = np.shape(x)
    if not shape:
        return ct
    if axis is not None and np.ndim(ct) < len(shape):
        ct = np.expand_dims(ct, axis)
    return np.broadcast_to(ct, shape).copy()


def reduce_to(ct, x, axis=None):
    """Sum `ct` over `axis` to the shape of `x`, a reduction's result (the transpose of
    `unreduce`)."""
    if np.ndim(x) == 0:
        return np.sum(ct)
    return np.sum(ct, axis=axis, keepdims=np.ndim(x) == np.ndim(ct))


def zeros_like(x):
    """A zero adjoint for `x`: 0.0 (or 0j) for scalars; for arrays zeros of x's shape, of
    x's dtype when it is inexact (float32, complex) and float64 otherwise."""
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, x.dtype if x.dtype.kind in "fc" else np.float64)
    if isinstance(x, tuple):
        return tuple(zeros_like(v) for v in x)
    return 0j if isinstance(x, (complex, np.complexfloating)) else 0.0


def _basic_index(i):
    if isinstance(i, tuple):
        return all(_basic_index(j) for j in i)
    return i is None or i is Ellipsis or isinstance(i, slice) or (
        isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)))


def add_at(a, idx, v):
    """`a[idx] += v` in place, accumulating repeated integer-array indices like `np.add.at`;
    returns `a`. `idx`: int, slice, tuple of those, integer array, boolean mask."""
    if _basic_index(idx):
        a[idx] += v
    else:
        np.add.at(a, idx, v)
    return a


def copy_value(v):
    """A copy of an array (to save a value about to be overwritten); scalars as they are."""
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, list):
        return [copy_value(e) for e in v]
    return v


def range_len(start, stop, step):
    """len(range(start, stop, step)), in integer arithmetic numba compiles."""
    if step > 0:
        n = (stop - start + step - 1) // step
    else:
        n = (start - stop - step - 1) // (-step)
    return max(n, 0)


# ------------------------------------------------------------------- used by templates
def inside(x, lo=None, hi=None):
    """1.0 where lo <= x <= hi (inclusive; a None bound is no bound), else 0.0."""
    r = 1.0
    if lo is not None:
        r = r * (x >= lo)
    if hi is not None:
        r = r * (x <= hi)
    return r


def log_or_zero(x):
    """log(x), with 0 where x == 0 and nan where x < 0, without warnings (d x**y / dy)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, np.log(x))[()]


def matmul_vjp1(ct, x1, x2):
    """Contribution to x1 of `x1 @ x2` (1-d operands and broadcast batch dims included)."""
    if np.ndim(x2) == 1:
        return ct * x2 if np.ndim(x1) == 1 else unbroadcast(np.expand_dims(ct, -1) * x2, x1)
    if np.ndim(x1) == 1:
        return unbroadcast((x2 @ np.expand_dims(ct, -1))[..., 0], x1)
    return unbroadcast(ct @ np.swapaxes(x2, -1, -2), x1)


def matmul_vjp2(ct, x1, x2):
    """Contribution to x2 of `x1 @ x2`."""
    if np.ndim(x1) == 1:
        return ct * x1 if np.ndim(x2) == 1 else unbroadcast(np.expand_dims(x1, -1) * np.expand_dims(ct, -2), x2)
    if np.ndim(x2) == 1:
        return unbroadcast((np.swapaxes(x1, -1, -2) @ np.expand_dims(ct, -1))[..., 0], x2)
    return unbroadcast(np.swapaxes(x1, -1, -2) @ ct, x2)


def _tensordot_axes(a, b, axes):
    if np.ndim(axes) == 0:
        return list(range(a.ndim - axes, a.ndim)), list(range(axes))
    xa, xb = (np.atleast_1d(ax) for ax in axes)
    return [int(i) % a.ndim for i in xa], [int(j) % b.ndim for j in xb]


def tensordot_vjp1(ct, a, b, axes=2):
    """Contribution to a of `np.tensordot(a, b, axes)` (NumPy only)."""
    a, b = np.asarray(a), np.asarray(b)
    xa, xb = _tensordot_axes(a, b, axes)
    fa = [i for i in range(a.ndim) if i not in xa]
    fb = [j for j in range(b.ndim) if j not in xb]
    r = np.tensordot(ct, b, (list(range(len(fa), np.ndim(ct))), fb))
    return np.transpose(r, np.argsort(fa + [xa[xb.index(j)] for j in sorted(xb)]))


def tensordot_vjp2(ct, a, b, axes=2):
    """Contribution to b of `np.tensordot(a, b, axes)` (NumPy only)."""
    a, b = np.asarray(a), np.asarray(b)
    xa, xb = _tensordot_axes(a, b, axes)
    fa = [i for i in range(a.ndim) if i not in xa]
    fb = [j for j in range(b.ndim) if j not in xb]
    r = np.tensordot(a, ct, (fa, list(range(len(fa)))))
    return np.transpose(r, np.argsort([xb[xa.index(i)] for i in sorted(xa)] + fb))


def _dot_axes(x1, x2):
    return [np.ndim(x1) - 1], [max(np.ndim(x2) - 2, 0)]


def dot_vjp1(ct, x1, x2):
    """Contribution to x1 of `np.dot(x1, x2)` (a scalar operand: multiplication)."""
    if np.ndim(x1) == 0 or np.ndim(x2) == 0:
        return unbroadcast(ct * x2, x1)
    return tensordot_vjp1(ct, x1, x2, _dot_axes(x1, x2))


def dot_vjp2(ct, x1, x2):
    """Contribution to x2 of `np.dot(x1, x2)`."""
    if np.ndim(x1) == 0 or np.ndim(x2) == 0:
        return unbroadcast(ct * x1, x2)
    return tensordot_vjp2(ct, x1, x2, _dot_axes(x1, x2))


def einsum_vjp(ct, subscripts, operands, i):
    """Contribution to operands[i] of `np.einsum(subscripts, *operands)` (NumPy only;
    explicit or implicit output, repeated indices such as 'ii->'; no '...')."""
    spec = subscripts.replace(" ", "")
    if "." in spec:
        raise NotImplementedError("einsum with '...' has no derivative rule")
    ins, arrow, out = spec.partition("->")
    ins = ins.split(",")
    letters = "".join(ins)
    if not arrow:
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    sizes = {c: n for s, op in zip(ins, operands) for c, n in zip(s, np.shape(op))}
    target = ins[i]
    uniq = "".join(dict.fromkeys(target))
    subs = [out] + [s for j, s in enumerate(ins) if j != i]
    ops = [ct] + [op for j, op in enumerate(operands) if j != i]
    missing = "".join(c for c in uniq if not any(c in s for s in subs))
    if missing:
        subs.append(missing)
        ops.append(np.ones([sizes[c] for c in missing]))
    r = np.einsum(",".join(subs) + "->" + uniq, *ops)
    if uniq == target:
        return r
    full = np.zeros(np.shape(operands[i]), np.result_type(r))
    np.einsum(target + "->" + uniq, full)[...] = r  # a writable view of the diagonal
    return full


def transpose_last(x):
    """x with its last two axes swapped (x.T for a matrix)."""
    return np.swapaxes(x, -1, -2)


def prod_partials(x, axis=None):
    """d prod(x, axis) / dx elementwise: the product of the other elements of the slice
    (exact when x has zeros)."""
    z = x == 0
    nz = unreduce(np.sum(z, axis), x, axis)
    nonzero = np.where(z, 1.0, x)
    p = unreduce(np.prod(nonzero, axis), x, axis)
    return np.where(nz == 0, p / nonzero, np.where(z & (nz == 1), p, 0.0))


def uncumsum(ct, x, axis=None):
    """Contribution to x of `np.cumsum(x, axis)`: the reversed cumulative sum of ct."""
    if axis is None:
        return np.cumsum(np.ravel(ct)[::-1])[::-1].reshape(np.shape(x))
    return np.flip(np.cumsum(np.flip(ct, axis), axis), axis)


def _pnorm_grad(x, n, p, axis):
    # d ||x||_p / dx for vector norms (n: the norm broadcast to x's shape)
    if p == 2:
        return x / n
    if p == 0:
        return x * 0.0
    if math.isinf(p):
        m = (np.abs(x) == n) * 1.0  # ties split equally, as for max
        return np.sign(x) * m / unreduce(np.sum(m, axis), x, axis)
    return np.sign(x) * (np.abs(x) / n) ** (p - 1)


def norm_grad(x, ans, ord=None, axis=None):
    """d np.linalg.norm(x, ord, axis) / dx, shaped like x: vector p-norms (inf, -inf, 0
    included), matrix 'fro' and 'nuc'; other matrix norms raise NotImplementedError."""
    x = np.asarray(x)
    n = unreduce(ans, x, axis)
    vector = x.ndim == 1 if axis is None else np.ndim(axis) == 0 or len(axis) == 1
    if ord is None or (isinstance(ord, str) and ord == "fro"):
        return x / n
    if vector:
        return _pnorm_grad(x, n, ord, axis)
    if isinstance(ord, str) and ord == "nuc" and x.ndim == 2:
        u, _, vt = np.linalg.svd(x, full_matrices=False)
        return u @ vt
    raise NotImplementedError(f"no derivative rule for the matrix norm ord={ord!r}")


def untrace(ct, a, offset=0, axis1=0, axis2=1):
    """Contribution to a of `np.trace(a, offset, axis1, axis2)`."""
    shape = np.shape(a)
    a1, a2 = axis1 % len(shape), axis2 % len(shape)
    full = np.expand_dims(ct, (-2, -1)) * np.eye(shape[a1], shape[a2], offset)
    return np.moveaxis(full, (-2, -1), (a1, a2))


def undiag(ct, v, k=0):
    """Contribution to v of `np.diag(v, k)` (v 1-d: extract; v 2-d: place on a diagonal)."""
    if np.ndim(v) == 1:
        return np.diag(ct, k)
    out = np.zeros(np.shape(v), np.result_type(ct))
    i = np.arange(len(ct))
    out[i + max(-k, 0), i + max(k, 0)] = ct
    return out


def reshape_to(ct, x, order="C"):
    """`ct` reshaped to x's shape (a scalar for a scalar x): adjoint of reshape, ravel,
    expand_dims, squeeze."""
    r = np.reshape(ct, np.shape(x), order=order)
    return r[()] if r.ndim == 0 else r


def untranspose(ct, axes=None):
    """Contribution to a of `np.transpose(a, axes)`."""
    if axes is None:
        return np.transpose(ct)
    return np.transpose(ct, np.argsort([ax % np.ndim(ct) for ax in axes]))


def swap_axes(ct, axis1, axis2):
    """`np.swapaxes(ct, axis1, axis2)` (its own adjoint), compiled as a copy loop by numba."""
    return np.swapaxes(ct, axis1, axis2)


def unmoveaxis(ct, source, destination):
    """Contribution to a of `np.moveaxis(a, source, destination)`."""
    return np.moveaxis(ct, destination, source)


def unflip(ct, axis=None):
    """Contribution to m of `np.flip(m, axis)`."""
    return np.flip(ct, axis)


def unroll(ct, shift=0, axis=None):
    """Contribution to a of `np.roll(a, shift, axis)`."""
    return np.roll(ct, np.negative(shift), axis)


def unconcatenate(ct, arrays, axis=0):
    """One contribution per element of `arrays` for `np.concatenate(arrays, axis)`."""
    if axis is None:
        parts = np.split(np.ravel(ct), np.cumsum([np.size(a) for a in arrays])[:-1])
        return tuple(reshape_to(p, a) for p, a in zip(parts, arrays))
    return tuple(np.split(ct, np.cumsum([np.shape(a)[axis] for a in arrays])[:-1], axis))


def unhstack(ct, tup):
    """One contribution per element of `tup` for `np.hstack(tup)`."""
    parts = unconcatenate(ct, [np.atleast_1d(t) for t in tup], 0 if np.ndim(tup[0]) <= 1 else 1)
    return tuple(reshape_to(p, t) for p, t in zip(parts, tup))


def unvstack(ct, tup):
    """One contribution per element of `tup` for `np.vstack(tup)`."""
    parts = unconcatenate(ct, [np.atleast_2d(t) for t in tup], 0)
    return tuple(reshape_to(p, t) for p, t in zip(parts, tup))


def unstack(ct, arrays, axis=0):
    """One contribution per element of `arrays` for `np.stack(arrays, axis)`."""
    return tuple(np.moveaxis(ct, axis, 0))


def untile(ct, A, reps=1):
    """Contribution to A of `np.tile(A, reps)` (NumPy only)."""
    shape, reps = np.shape(A), tuple(np.atleast_1d(reps))
    d = max(len(shape), len(reps))
    s, r = (1,) * (d - len(shape)) + shape, (1,) * (d - len(reps)) + reps
    g = np.reshape(ct, [n for pair in zip(r, s) for n in pair])
    return reshape_to(np.sum(g, axis=tuple(range(0, 2 * d, 2))), A)


def unrepeat(ct, a, repeats=1, axis=None):
    """Contribution to a of `np.repeat(a, repeats, axis)`."""
    shape = np.shape(a)
    ax = 0 if axis is None else axis % len(shape)
    moved = np.ravel(ct) if axis is None else np.moveaxis(ct, ax, 0)
    n = int(np.prod(shape)) if axis is None else shape[ax]
    out = np.zeros((n,) + moved.shape[1:], np.result_type(ct))
    np.add.at(out, np.repeat(np.arange(n), repeats), moved)
    return reshape_to(out if axis is None else np.moveaxis(out, 0, ax), a)


def untake(ct, a, indices=0, axis=None):
    """Contribution to a of `np.take(a, indices, axis)` (scatter-add, repeats accumulate)."""
    out = np.zeros(np.shape(a), np.result_type(ct, np.float64))
    if axis is None:
        np.add.at(out.reshape(-1), indices, ct)
    else:
        ax, ni = axis % out.ndim, np.ndim(indices)
        np.add.at(np.moveaxis(out, ax, 0), indices, np.moveaxis(ct, tuple(range(ax, ax + ni)), tuple(range(ni))))
    return out


# ------------------------------------------------------------------- numba overloads
# Each overload returns the implementation for the argument types, or None (no match: numba
# reports a typing error) where NumPy-under-numba cannot run the primal either. Most are
# generated as plain loops for the known number of dimensions: they compile several times
# faster than the equivalent np.sum(axis)/moveaxis/transpose calls.
if numba is not None:

    def _none(t):
        return t is None or isinstance(t, (types.NoneType, types.Omitted))

    def _arr(t):
        return isinstance(t, types.Array) and t.ndim > 0

    _GENERATED = {}

    def _gen(key, lines):
        """The function `impl` defined by `lines` (a list, or a callable giving it), by key."""
        if key not in _GENERATED:
            ns = dict(globals())
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

    @overload(unbroadcast)
    def _ol_unbroadcast(ct, x):
        if _none(x):
            return lambda ct, x: None
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

    def _add_at_lines(a, idx, v):
        """A loop over every element a[idx] selects (slices, integers, one 1-d integer array
        or a boolean mask -- what numba's indexing takes), adding the matching element of v."""
        tup = isinstance(idx, types.BaseTuple)
        items = list(idx.types) if tup else [idx]
        head, parts, ranges, res, dim, adv, adv_k = [], [], {}, [], 0, [], False
        for j, it in enumerate(items):
            name = f"idx[{j}]" if tup else "idx"
            if isinstance(it, types.Array) and isinstance(it.dtype, types.Boolean) and len(items) == 1:
                head.append(f"    nz = np.nonzero({name})")
                parts += [f"nz[{d}][k]" for d in range(it.ndim)]
                ranges["k"], dim, adv = "nz[0].shape[0]", it.ndim, [j]
                res.append("k")
            elif isinstance(it, types.Array) and isinstance(it.dtype, types.Integer) and it.ndim == 1 and not adv_k:
                parts.append(f"{name}[k]")
                ranges["k"], dim, adv_k = f"{name}.shape[0]", dim + 1, True
                res.append("k")
                adv.append(j)
            elif isinstance(it, types.Integer):
                parts.append(name)
                dim += 1
                adv.append(j)
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
        return ["def impl(a, idx, v):"] + head + _loops([(r, ranges[r]) for r in res], body) + ["    return a"]

    @overload(add_at)
    def _ol_add_at(a, idx, v):
        if isinstance(a, types.Array):
            lines = _add_at_lines(a, idx, v)
            return None if lines is None else _gen(("add_at", a, idx, v), lines)

    @overload(copy_value)
    def _ol_copy_value(v):
        return (lambda v: v.copy()) if isinstance(v, types.Array) else (lambda v: v)

    overload(range_len)(lambda start, stop, step: range_len)

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
        out = np.empty((u.shape[0], w.shape[0]))
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
                nz, p = 0, 1.0
                for v in xf:
                    if v == 0:
                        nz += 1
                    else:
                        p *= v
                out = np.zeros(xf.size)
                for i in range(xf.size):
                    if nz == 0:
                        out[i] = p / xf[i]
                    elif nz == 1 and xf[i] == 0:
                        out[i] = p
                return out.reshape(x.shape)
            return impl

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

    @overload(norm_grad)
    def _ol_norm_grad(x, ans, ord=None, axis=None):
        if not isinstance(x, types.Array):
            return None
        if _none(ord):
            return lambda x, ans, ord=None, axis=None: x / unreduce(ans, x, axis)
        if isinstance(ord, (types.Integer, types.Float)) and x.ndim == 1:
            return lambda x, ans, ord=None, axis=None: _pnorm_grad_nb(x, unreduce(ans, x, axis), ord, axis)

    @overload(untrace)
    def _ol_untrace(ct, a, offset=0, axis1=0, axis2=1):
        if isinstance(a, types.Array) and a.ndim == 2:  # numba's np.trace: the first two axes
            return lambda ct, a, offset=0, axis1=0, axis2=1: ct * np.eye(a.shape[0], a.shape[1], offset)

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

    @overload(reshape_to)
    def _ol_reshape_to(ct, x, order="C"):
        if _arr(x):
            if isinstance(ct, types.Array):
                return lambda ct, x, order="C": np.ascontiguousarray(ct).reshape(x.shape)
            return lambda ct, x, order="C": np.full(x.shape, ct)
        return (lambda ct, x, order="C": np.sum(ct)) if isinstance(ct, types.Array) else (lambda ct, x, order="C": ct)

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
        return _gen(("permuted", ct.ndim), lambda: _permuted_lines(ct.ndim))

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
        return _gen(("slab", ct.ndim), lambda: _by_axis("ct, ax, lo, hi", ct.ndim, "lo:hi"))

    @overload(_plane)
    def _ol_plane(ct, ax, j):
        return _gen(("plane", ct.ndim), lambda: _by_axis("ct, ax, j", ct.ndim, "j"))

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
                                                                 "axis % ct.ndim"))

    @overload(unhstack)
    def _ol_unhstack(ct, tup):
        if isinstance(ct, types.Array) and isinstance(tup, types.BaseTuple):
            ax = 0 if tup.types[0].ndim <= 1 else 1
            return _gen(("hstack", len(tup), ax), lambda: _split("ct, tup", "tup", len(tup), ax))

    @overload(unvstack)
    def _ol_unvstack(ct, tup):
        if isinstance(ct, types.Array) and isinstance(tup, types.BaseTuple):
            one = tuple(t.ndim == 1 for t in tup.types)
            return _gen(("vstack", one), lambda: _pieces(
                "ct, tup", len(tup), 0, lambda j: "1" if one[j] else f"tup[{j}].shape[0]",
                lambda j: f"ct[o{j}]" if one[j] else f"ct[o{j}:o{j + 1}]"))

    @overload(unstack)
    def _ol_unstack(ct, arrays, axis=0):
        if isinstance(ct, types.Array) and isinstance(arrays, types.BaseTuple):
            return _gen(("stack", len(arrays)), lambda: _pieces(
                "ct, arrays, axis=0", len(arrays), "axis % ct.ndim", lambda j: "1", lambda j: f"_plane(ct, ax, {j})"))

    @overload(unrepeat)
    def _ol_unrepeat(ct, a, repeats=1, axis=None):
        if isinstance(a, types.Array) and isinstance(ct, types.Array) and ct.ndim == 1 and _none(axis):
            rep = "repeats" if isinstance(repeats, types.Integer) else "repeats[i]"
            return _gen(("unrepeat", rep), ["def impl(ct, a, repeats=1, axis=None):",
                                            "    out = np.zeros(a.size, ct.dtype)", "    k = 0",
                                            "    for i in range(a.size):", f"        for _ in range({rep}):",
                                            "            out[i] += ct[k]", "            k += 1",
                                            "    return out.reshape(a.shape)"])

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
        if _none(axis) and isinstance(indices, types.Array):
            def impl(ct, a, indices=0, axis=None):
                out, idx, c = np.zeros(a.size), indices.copy().reshape(-1), ct.copy().reshape(-1)
                for k in range(idx.size):
                    out[idx[k]] += c[k]
                return out.reshape(a.shape)
            return impl
        if isinstance(axis, types.Integer) and isinstance(indices, types.Array) and indices.ndim == 1:
            return _gen(("untake", a.ndim), lambda: _untake_lines(a.ndim))
