"""numba forms of NumPy calls along an axis that numba compiles without one: the reductions
np.median, np.nanmedian, np.nanmax, np.nanmin, np.nansum, np.nanprod, np.nanmean, np.nanvar,
np.nanstd, np.percentile, np.quantile, np.nanpercentile, np.nanquantile and np.average (no
weights) with an int `axis` (and keepdims); np.argsort, np.flip, np.roll, np.repeat and
np.diff with an int `axis` (and unrepeat, np.repeat's contribution); np.expand_dims with a tuple
of axes. Registered on import, like
runtime_numba.py; copied into standalone dumped modules like it.

numba tries its own implementation first; these serve only the variants it rejects. Each
works on the C-ordered (outer, n, inner) copy of the array around the axis (the axis itself
may be a run-time value), calling numba's own 1-d function on every slice.
"""
import numpy as np
from numba import njit, types
from numba.extending import overload

from .runtime import (  # s2s-runtime-import
    add_at, prod_partials, reduce_to, take_mask, unconcatenate, unflip, unreduce, unrepeat, unroll,
)
from .runtime_numba import _gen, _none  # noqa: F401
from .runtime_numba_shape import _slices  # noqa: F401
from .runtime_numba_stats import _quantile_row  # noqa: F401
from .runtime_stats import quantile_axis, quantile_weights  # noqa: F401
# s2s-runtime-import


def _shape_without(shape, ax):
    """`shape` without axis `ax`, as a tuple (numba)."""


@overload(_shape_without)
def _ol_shape_without(shape, ax):
    parts = [f"shape[{d}] if {d} < ax else shape[{d + 1}]" for d in range(len(shape) - 1)]
    lines = ["def impl(shape, ax):", "    return (" + "".join(f"{p}, " for p in parts) + ")"]
    return _gen(("shape_without", len(shape)), lines, globals())


def _int_axis(axis):
    return isinstance(axis, types.Integer)


def _real_array(a):
    return isinstance(a, types.Array) and a.ndim > 0 and isinstance(a.dtype, (types.Float, types.Integer, types.Boolean))


def _keep(keepdims):
    """keepdims as a Python bool, or None when it is not known when compiling."""
    if _none(keepdims) or isinstance(keepdims, bool):
        return bool(keepdims)
    if isinstance(keepdims, types.Omitted):
        return bool(keepdims.value)
    if isinstance(keepdims, types.BooleanLiteral):
        return keepdims.literal_value
    return None


def _along(one, a, keep, same):
    """impl(a, axis, q): `one(slice, q)` of every 1-d slice along `axis`, into an array of
    NumPy's result type (same: a's own, sums of ints int64; else float64)."""
    dtype = a.dtype if same and isinstance(a.dtype, types.Float) else types.int64 if same else types.float64

    def impl(a, axis, q):
        ax = axis % a.ndim
        outer, n, inner = _slices(a, ax)
        a3 = np.ascontiguousarray(a).reshape((outer, n, inner))
        out = np.empty((outer, inner), dtype)
        for i in range(outer):
            for k in range(inner):
                out[i, k] = one(a3[i, :, k].copy(), q)
        if keep:
            return out.reshape(_shape_with(a.shape, ax, 1))
        return out.reshape(_shape_without(a.shape, ax))
    return impl


def _reduction(fn, one, same=False):
    """The axis form of reduction `fn(a, axis=None, keepdims=False)`."""
    @overload(fn, prefer_literal=True)
    def _ol(a, axis=None, keepdims=False):
        keep = _keep(keepdims)
        if _real_array(a) and _int_axis(axis) and keep is not None:
            impl = njit(_along(one, a, keep, same))
            return lambda a, axis=None, keepdims=False: impl(a, axis, 0.0)


def _q_reduction(fn, one):
    """The axis form of `fn(a, q, axis=None, keepdims=False)` for a scalar q."""
    @overload(fn, prefer_literal=True)
    def _ol(a, q, axis=None, keepdims=False):
        keep = _keep(keepdims)
        if _real_array(a) and _int_axis(axis) and keep is not None and isinstance(q, (types.Float, types.Integer)):
            impl = njit(_along(one, a, keep, False))
            return lambda a, q, axis=None, keepdims=False: impl(a, axis, q)


_reduction(np.median, njit(lambda v, q: np.median(v)))
_reduction(np.nanmedian, njit(lambda v, q: np.nanmedian(v)))
_reduction(np.nanmax, njit(lambda v, q: np.nanmax(v)), same=True)
_reduction(np.nanmin, njit(lambda v, q: np.nanmin(v)), same=True)
_reduction(np.nansum, njit(lambda v, q: np.nansum(v)), same=True)
_reduction(np.nanprod, njit(lambda v, q: np.nanprod(v)), same=True)
_reduction(np.nanmean, njit(lambda v, q: np.nanmean(v)))
_reduction(np.nanvar, njit(lambda v, q: np.nanvar(v)))
_reduction(np.nanstd, njit(lambda v, q: np.nanstd(v)))
_reduction(np.average, njit(lambda v, q: np.mean(v)))
_q_reduction(np.percentile, njit(lambda v, q: np.percentile(v, q)))
_q_reduction(np.quantile, njit(lambda v, q: np.quantile(v, q)))
_q_reduction(np.nanpercentile, njit(lambda v, q: np.nanpercentile(v, q)))
_q_reduction(np.nanquantile, njit(lambda v, q: np.nanquantile(v, q)))


# --------------------------------------------------------- reorderings along an axis
def _reorder(head, body, out_len="na", dtype="a.dtype"):
    """impl(`head`) over the (outer, na, inner) slices of `a` around `axis`: `body` fills
    out3[i, :, k] (of length mo = `out_len`) from a3[i, :, k]."""
    return ([f"def impl({head}):", "    ax = axis % a.ndim", "    outer, na, inner = _slices(a, ax)",
             "    a3 = np.ascontiguousarray(a).reshape((outer, na, inner))", f"    mo = {out_len}",
             f"    out3 = np.empty((outer, mo, inner), {dtype})", "    for i in range(outer):",
             "        for k in range(inner):"] + ["            " + b for b in body]
            + ["    return out3.reshape(_shape_with(a.shape, ax, mo))"])


def _shape_with(shape, ax, m):
    """`shape` with axis `ax` of length m (numba)."""


@overload(_shape_with)
def _ol_shape_with(shape, ax, m):
    n = len(shape)
    lines = ["def impl(shape, ax, m):",
             "    return (" + "".join(f"m if ax == {d} else shape[{d}], " for d in range(n)) + ")"]
    return _gen(("shape_with", n), lines, globals())


@overload(np.argsort, prefer_literal=True)
def _ol_argsort(a, axis=-1, kind=None):
    if _real_array(a) and _int_axis(axis) and not (isinstance(axis, types.IntegerLiteral) and axis.literal_value == -1):
        body = ["out3[i, :, k] = np.argsort(a3[i, :, k].copy(), kind='mergesort')"]
        return _gen("argsort_axis", _reorder("a, axis=-1, kind=None", body, dtype="np.int64"), globals())


@overload(np.flip, prefer_literal=True)
def _ol_flip(m, axis=None):
    if isinstance(m, types.Array) and m.ndim > 0 and _int_axis(axis):
        lines = _reorder("m, axis=None", ["out3[i, :, k] = a3[i, ::-1, k]"])
        lines.insert(1, "    a = m")
        return _gen("flip_axis", lines, globals())


@overload(np.roll, prefer_literal=True)
def _ol_roll(a, shift, axis=None):
    if isinstance(a, types.Array) and a.ndim > 0 and _int_axis(axis) and isinstance(shift, types.Integer):
        body = ["for j in range(na):", "    out3[i, (j + shift) % na, k] = a3[i, j, k]"]
        return _gen("roll_axis", _reorder("a, shift, axis=None", body), globals())


@overload(np.repeat, prefer_literal=True)
def _ol_repeat(a, repeats, axis=None):
    if isinstance(a, types.Array) and a.ndim > 0 and _int_axis(axis) and isinstance(repeats, types.Integer):
        body = ["for j in range(mo):", "    out3[i, j, k] = a3[i, j // repeats, k]"]
        return _gen("repeat_axis", _reorder("a, repeats, axis=None", body, out_len="na * repeats"), globals())
    if isinstance(a, types.Array) and a.ndim > 0 and _int_axis(axis) and isinstance(repeats, types.Array) \
            and repeats.ndim == 1 and isinstance(repeats.dtype, types.Integer):
        # one count per element along the axis (a single count is used for all, as NumPy does)
        body = ["p = 0", "for j in range(na):", "    for _ in range(reps[j]):", "        out3[i, p, k] = a3[i, j, k]",
                "        p += 1"]
        lines = _reorder("a, repeats, axis=None", body, out_len="reps.sum()")
        lines[4:4] = ["    if repeats.size != na and repeats.size != 1:",
                      "        raise ValueError('np.repeat: repeats must have one count per element along the axis')",
                      "    reps = np.empty(na, np.int64)", "    for j in range(na):",
                      "        reps[j] = repeats[j] if repeats.size == na else repeats[0]",
                      "    if na and reps.min() < 0:", "        raise ValueError('np.repeat: negative repeats')"]
        return _gen("repeat_axis_counts", lines, globals())


@overload(np.diff, prefer_literal=True)
def _ol_diff(a, n=1, axis=-1):
    if not (_real_array(a) and _int_axis(axis) and isinstance(n, (types.Integer, int, types.Omitted))):
        return None
    dtype = "a.dtype" if isinstance(a.dtype, types.Float) else "np.int64"
    body = ["v = a3[i, :, k].copy()", "for _ in range(n):", "    v = v[1:] - v[:-1]", "out3[i, :, k] = v"]
    return _gen(("diff_axis", dtype), _reorder("a, n=1, axis=-1", body, out_len="max(na - n, 0)", dtype=dtype),
                globals())


@overload(np.expand_dims, prefer_literal=True)
def _ol_expand_dims(a, axis):
    if isinstance(a, types.Array) and isinstance(axis, types.BaseTuple) and all(
            isinstance(t, types.Integer) for t in axis):
        k, nd = len(axis), a.ndim + len(axis)
        lines = ["def impl(a, axis):", f"    new = np.zeros({nd}, np.bool_)"]
        lines += [f"    new[axis[{j}] % {nd}] = True" for j in range(k)]
        lines += ["    src = np.empty(%d, np.int64)" % nd, "    j = 0", f"    for d in range({nd}):",
                  "        src[d] = -1 if new[d] else j", "        j += 0 if new[d] else 1"]
        parts = [f"1 if src[{d}] < 0 else a.shape[src[{d}]]" for d in range(nd)]
        lines += ["    return np.ascontiguousarray(a).reshape((" + "".join(p + ", " for p in parts) + "))"]
        return _gen(("expand_dims", a.ndim, k), lines, globals())


@overload(unrepeat)
def _ol_unrepeat_axis(ct, a, repeats=1, axis=None):
    # the flat form (axis None) is runtime_numba_shape.py's
    if not (isinstance(a, types.Array) and isinstance(ct, types.Array) and _int_axis(axis)):
        return None
    rep = "repeats" if isinstance(repeats, types.Integer) else "repeats[j]"
    lines = ["def impl(ct, a, repeats=1, axis=None):", "    ax = axis % a.ndim", "    outer, na, inner = _slices(a, ax)",
             "    c3 = np.ascontiguousarray(ct).reshape((outer, ct.shape[ax], inner))",
             "    out3 = np.zeros((outer, na, inner), ct.dtype)", "    for i in range(outer):",
             "        for k in range(inner):", "            p = 0", "            for j in range(na):",
             f"                for _ in range({rep}):", "                    out3[i, j, k] += c3[i, p, k]",
             "                    p += 1", "    return out3.reshape(a.shape)"]
    return _gen(("unrepeat_axis", rep), lines, globals())


@overload(unflip)
def _ol_unflip_axis(ct, axis=None):
    if isinstance(ct, types.Array) and _int_axis(axis):
        return lambda ct, axis=None: np.flip(ct, axis)


@overload(unroll)
def _ol_unroll_axis(ct, shift=0, axis=None):
    if isinstance(ct, types.Array) and _int_axis(axis) and isinstance(shift, types.Integer):
        return lambda ct, shift=0, axis=None: np.roll(ct, -shift, axis)


@overload(quantile_weights)
def _ol_quantile_weights_axis(a, q, axis=None, scale=1.0, slope=False):
    # d quantile / da along an int axis, for a scalar q (the whole-array form: runtime_numba_stats.py)
    if not (_real_array(a) and _int_axis(axis) and isinstance(q, (types.Number, types.Boolean))):
        return None

    def impl(a, q, axis=None, scale=1.0, slope=False):
        ax = axis % a.ndim
        outer, na, inner = _slices(a, ax)
        a3 = np.ascontiguousarray(a).reshape((outer, na, inner))
        out3 = np.empty((outer, na, inner))
        for i in range(outer):
            for k in range(inner):
                out3[i, :, k] = _quantile_row(np.argsort(a3[i, :, k].copy(), kind="mergesort"), na, q, scale, slope)
        return out3.reshape(a.shape)
    return impl


@overload(quantile_axis)
def _ol_quantile_axis_int(q, a, axis=None):
    if isinstance(a, types.Array) and _int_axis(axis) and isinstance(q, (types.Number, types.Boolean)):
        return lambda q, a, axis=None: axis % a.ndim


# ------------------------------------------------------- reductions over a tuple of axes
def _int_tuple(axis):
    return isinstance(axis, types.BaseTuple) and len(axis) > 0 and all(isinstance(t, types.Integer) for t in axis)


def _sorted_axes(axis, nd):
    """The axes of a tuple, made non-negative, largest first (numba)."""


@overload(_sorted_axes)
def _ol_sorted_axes(axis, nd):
    k = len(axis)
    lines = ["def impl(axis, nd):", f"    out = np.empty({k}, np.int64)"]
    lines += [f"    out[{j}] = axis[{j}] % nd" for j in range(k)]
    lines += ["    return np.sort(out)[::-1]"]
    return _gen(("sorted_axes", k), lines, globals())


def _kept_shape(shape, axes):
    """`shape` with 1 at each of `axes` (an int array) (numba)."""


@overload(_kept_shape)
def _ol_kept_shape(shape, axes):
    n = len(shape)
    parts = [f"1 if np.any(axes == {d}) else shape[{d}]" for d in range(n)]
    return _gen(("kept_shape", n), ["def impl(shape, axes):", "    return (" + "".join(p + ", " for p in parts) + ")"],
                globals())


_ONE = {"sum": njit(lambda v, q: np.sum(v)), "prod": njit(lambda v, q: np.prod(v)),
        "max": njit(lambda v, q: np.max(v)), "min": njit(lambda v, q: np.min(v)),
        "any": njit(lambda v, q: np.any(v)), "all": njit(lambda v, q: np.all(v))}


def _tuple_reduction(fn, kind):
    """`fn(a, axis=(i, j, ...), keepdims=...)`: the one-axis reduction along each axis in
    turn, the largest first (so the others keep their numbers); mean divides the sum."""
    @overload(fn, prefer_literal=True)
    def _ol(a, axis=None, keepdims=False):
        keep = _keep(keepdims)
        if not (_real_array(a) and _int_tuple(axis)) or keep is None or len(axis) > a.ndim:
            return None
        base = "sum" if kind == "mean" else kind
        same = base in ("sum", "prod", "max", "min")
        steps = []
        nd = a.ndim
        for j in range(len(axis)):
            one = _ONE[base]
            probe = types.Array(a.dtype, nd - j, "C")
            steps.append(njit(_along(one, probe, False, same)) if base not in ("any", "all") else
                         njit(_along_bool(one)))
        env = dict(globals(), **{f"step{j}": st for j, st in enumerate(steps)})
        lines = ["def impl(a, axis=None, keepdims=False):", "    ax = _sorted_axes(axis, a.ndim)", "    r = a"]
        lines += [f"    r = step{j}(r, ax[{j}], 0.0)" for j in range(len(axis))]
        if kind == "mean":
            lines += ["    count = 1", "    for d in ax:", "        count *= a.shape[d]", "    r = r / count"]
        if keep:
            lines += ["    return np.asarray(r).reshape(_kept_shape(a.shape, ax))"]
        else:
            lines += ["    return r"]
        return _gen(("tuple_reduction", kind, nd, len(axis), bool(keep), str(a.dtype)), lines, env)
    return _ol


def _along_bool(one):
    """_along for any/all (a boolean result)."""
    def impl(a, axis, q):
        ax = axis % a.ndim
        outer, n, inner = _slices(a, ax)
        a3 = np.ascontiguousarray(a).reshape((outer, n, inner))
        out = np.empty((outer, inner), np.bool_)
        for i in range(outer):
            for k in range(inner):
                out[i, k] = one(a3[i, :, k].copy(), q)
        return out.reshape(_shape_without(a.shape, ax))
    return impl


for _fn, _kind in ((np.sum, "sum"), (np.prod, "prod"), (np.max, "max"), (np.min, "min"), (np.mean, "mean"),
                   (np.any, "any"), (np.all, "all")):
    _tuple_reduction(_fn, _kind)
if np.amax is not np.max:
    _tuple_reduction(np.amax, "max")
    _tuple_reduction(np.amin, "min")


def _tuple_spread(fn, root):
    """np.var / np.std over a tuple of axes (with ddof, keepdims): the mean of the squared
    deviations from the mean over those axes, times n / (n - ddof) (the root for std)."""
    @overload(fn, prefer_literal=True)
    def _ol(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        keep = _keep(keepdims)
        if not (_real_array(a) and _int_tuple(axis)) or keep is None or len(axis) > a.ndim:
            return None
        lines = ["def impl(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):",
                 "    ax = _sorted_axes(axis, a.ndim)", "    kept = _kept_shape(a.shape, ax)", "    count = 1",
                 "    for d in ax:", "        count *= a.shape[d]",
                 "    dev = a - np.asarray(np.sum(a, axis)).reshape(kept) / count",
                 "    r = np.sum(dev * dev, axis) / (count - ddof)"]
        if root:
            lines.append("    r = np.sqrt(r)")
        lines.append("    return np.asarray(r).reshape(kept)" if keep else "    return r")
        return _gen(("tuple_spread", root, a.ndim, len(axis), bool(keep)), lines, globals())
    return _ol


_tuple_spread(np.var, False)
_tuple_spread(np.std, True)


@overload(unreduce)
def _ol_unreduce_tuple(ct, x, axis=None):
    # ct reduced over a tuple of axes: put them back with length 1, broadcast to x
    if isinstance(x, types.Array) and isinstance(ct, types.Array) and _int_tuple(axis) and ct.ndim == x.ndim - len(axis):
        def impl(ct, x, axis=None):
            ax = _sorted_axes(axis, x.ndim)
            kept = np.ascontiguousarray(ct).reshape(_kept_shape(x.shape, ax))
            return np.broadcast_to(kept, x.shape).copy()
        return impl


@overload(reduce_to)
def _ol_reduce_to_tuple(ct, x, axis=None):
    # the transpose of unreduce: ct summed over the axes x lacks
    if isinstance(x, types.Array) and isinstance(ct, types.Array) and _int_tuple(axis) and x.ndim == ct.ndim - len(axis):
        lines = ["def impl(ct, x, axis=None):", "    ax = _sorted_axes(axis, ct.ndim)", "    r = ct"]
        lines += [f"    r = np.sum(r, axis=ax[{j}])" for j in range(len(axis))]
        lines += ["    return np.asarray(r).reshape(x.shape)"]
        return _gen(("reduce_to_tuple", ct.ndim, len(axis)), lines, globals())


# ------------------------------------------------------------- atleast_2d/3d of a number
@overload(np.atleast_2d)
def _ol_atleast_2d_scalar(a):
    if isinstance(a, (types.Number, types.Boolean)):
        return lambda a: np.full((1, 1), a)


@overload(np.atleast_3d)
def _ol_atleast_3d_scalar(a):
    if isinstance(a, (types.Number, types.Boolean)):
        return lambda a: np.full((1, 1, 1), a)


# one-axis forms numba lacks for prod/max/min (np.sum's is numba's own), for the helpers here
_reduction(np.prod, _ONE["prod"], same=True)
_reduction(np.max, _ONE["max"], same=True)
_reduction(np.min, _ONE["min"], same=True)


@overload(prod_partials)
def _ol_prod_partials_axis(x, axis=None):
    # along an int or a tuple of axes (the whole-array form: runtime_numba.py)
    if isinstance(x, types.Array) and (_int_axis(axis) or _int_tuple(axis)):
        def impl(x, axis=None):  # runtime.prod_partials, compiled
            z = x == 0
            nz = unreduce(np.sum(z, axis), x, axis)
            nonzero = np.where(z, 1.0, x)
            p = unreduce(np.prod(nonzero, axis), x, axis)
            return np.where(nz == 0, p / nonzero, np.where(z & (nz == 1), p, 0.0))
        return impl



# ---------------------------------------------------------------- boolean masks of n-d arrays
def _bool_array(t):
    return isinstance(t, types.Array) and isinstance(t.dtype, types.Boolean)


@overload(take_mask)
def _ol_take_mask(a, mask):
    """a[mask]: numba's own for a 1-d mask; a mask of a's leading axes selects in C order."""
    if not (isinstance(a, types.Array) and _bool_array(mask)) or mask.ndim <= 1 or mask.ndim > a.ndim:
        return lambda a, mask: a[mask]  # numba's own (and its own error where it has none)
    rest = a.ndim - mask.ndim
    lead = " * ".join(f"a.shape[{d}]" for d in range(mask.ndim))
    tail = "".join(f"a.shape[{mask.ndim + d}], " for d in range(rest))
    lines = ["def impl(a, mask):", f"    if mask.shape != a.shape[:{mask.ndim}]:",
             "        raise IndexError('boolean index did not match the indexed array')",
             f"    flat = np.ascontiguousarray(a).reshape(({lead}, {tail}))",
             "    return flat[np.ascontiguousarray(mask).reshape(-1)]"]
    return _gen(("take_mask", a.ndim, mask.ndim), lines, globals())


@overload(add_at)
def _ol_add_at_mask(a, idx, v):
    """a[mask] += v in place for an n-d boolean mask of a's shape (the elements in C order)."""
    if not (isinstance(a, types.Array) and _bool_array(idx) and idx.ndim > 1 and idx.ndim == a.ndim):
        return None
    n = a.ndim
    ii = ", ".join(f"i{d}" for d in range(n))
    val = "v[k]" if isinstance(v, types.Array) and v.ndim == 1 else ("v[()]" if isinstance(v, types.Array) else "v")
    lines = ["def impl(a, idx, v):", "    k = 0"]
    lines += _loops_nd(n, [f"if idx[{ii}]:", f"    a[{ii}] += {val}", "    k += 1"])
    return _gen(("add_at_mask", n, val), lines + ["    return a"], globals())


def _loops_nd(n, body):
    out = ["    " * (d + 1) + f"for i{d} in range(a.shape[{d}]):" for d in range(n)]
    return out + ["    " * (n + 1) + b for b in body]


@overload(unconcatenate)
def _ol_unconcatenate_flat(ct, arrays, axis=0):
    # np.concatenate(arrays, axis=None): each piece of the flat ct back in its array's shape
    if not (isinstance(ct, types.Array) and isinstance(arrays, types.BaseTuple) and _none(axis)):
        return None
    n = len(arrays)
    lines = ["def impl(ct, arrays, axis=0):", "    o0 = 0"]
    lines += [f"    o{j + 1} = o{j} + arrays[{j}].size" for j in range(n)]
    parts = "".join(f"np.ascontiguousarray(ct[o{j}:o{j + 1}]).reshape(arrays[{j}].shape), " for j in range(n))
    lines += [f"    return ({parts})"]
    return _gen(("unconcatenate_flat", n), lines, globals())
