"""numba versions of runtime_jit.py's helpers (the calls jit's passes write): loop nests
generated for the array's number of dimensions and the literal axis, kind and options. Like the
other runtime_numba files, copied into standalone dumped modules.
"""
import math  # noqa: F401  -- used by generated implementations

import numpy as np
from numba import types
from numpy.lib.stride_tricks import as_strided  # noqa: F401  -- numba compiles it (a view)
from numba.core import errors
from numba.extending import overload
from numba.np.unsafe.ndarray import to_fixed_tuple

from .runtime_jit import (  # s2s-runtime-import
    cast_as,
    concat_flat,
    cumulate_axis,
    diag_indices_like,
    diag_indices_of,
    matrix_norm,
    moveaxis_view,
    reduce_axis,
    reshape_c,
    reshape_f,
    rollaxis_view,
    select_of,
    sort_axis,
    swapaxes_view,
    transpose_view,
    unravel_of,
)
from .runtime_numba_norms import matrices_lines  # noqa: F401
from .runtime_numba_shape import _slices  # noqa: F401
# s2s-runtime-import

_REDUCE_IMPLS = {}


def _reduce_lines(kind, nd, a, keepdims, ddof, dtype):
    """Source of impl(kind, x, axis, keepdims, ddof) for an `nd`-d array reduced along `a`
    into an array of `dtype` (source text: "x.dtype", "np.float64"...)."""
    outer = [d for d in range(nd) if d != a]
    out_shape = ", ".join(f"x.shape[{d}]" for d in outer) + ("," if len(outer) == 1 else "")
    kept = ", ".join("1" if d == a else f"x.shape[{d}]" for d in range(nd)) + ("," if nd == 1 else "")
    oi = ", ".join(f"i{d}" for d in outer) or "0"
    xi = ", ".join(f"i{d}" for d in range(nd))
    lines = [f"def impl(kind, x, axis, keepdims=False, ddof=0):", f"    n = x.shape[{a}]"]
    if kind in ("max", "min", "ptp"):
        lines += ["    if n == 0:", "        raise ValueError('zero-size array to reduction operation which has no identity')"]
    if outer:
        lines.append(f"    out = np.empty(({out_shape}), {dtype})")
    else:
        lines.append(f"    out = np.empty(1, {dtype})")
    if kind == "ptp":
        lines.append("    low = np.empty_like(out)")

    def loop(body, first_only=False, start=0):
        """Nested loops over x (the reduced axis from `start`, or only its first element)."""
        out_lines = []
        depth = 1
        for d in range(nd):
            if d == a:
                rng = "range(1)" if first_only else f"range({start}, n)"
            else:
                rng = f"range(x.shape[{d}])"
            out_lines.append("    " * depth + f"for i{d} in {rng}:")
            depth += 1
        out_lines += ["    " * depth + b for b in body]
        return out_lines

    if kind in ("mean", "var", "std"):
        lines += ["    out[...] = 0.0"] if outer else ["    out[0] = 0.0"]
        lines += loop([f"out[{oi}] += x[{xi}]"])
        lines += ["    out /= n"]
        if kind != "mean":
            lines += ["    m = out.copy()", "    out[...] = 0.0"]
            lines += loop([f"dv = x[{xi}] - m[{oi}]", f"out[{oi}] += dv * dv"])
            lines += [f"    out /= max(n - ddof, 0)"]
            if kind == "std":
                lines += ["    out[...] = np.sqrt(out)"]
    elif kind == "norm":  # a vector p-norm along the axis; ddof holds p (a run-time float)
        lines += ["    p = float(ddof)", "    out[...] = np.inf if p == -np.inf else 0.0"]
        lines += loop([f"v = abs(x[{xi}])", "if p == np.inf:", f"    out[{oi}] = max(out[{oi}], v)",
                       "elif p == -np.inf:", f"    out[{oi}] = min(out[{oi}], v)",
                       "elif p == 0:", f"    out[{oi}] += 1.0 if v != 0 else 0.0",
                       "elif p == 1:", f"    out[{oi}] += v", "elif p == 2:", f"    out[{oi}] += v * v",
                       "else:", f"    out[{oi}] += v ** p"])
        lines += ["    if p == 2:", "        out[...] = np.sqrt(out)",
                  "    elif p != 1 and p != 0 and p != np.inf and p != -np.inf:", "        out[...] = out ** (1.0 / p)"]
    elif kind in ("sum", "prod", "any", "all"):
        init = {"sum": "0", "prod": "1", "any": "False", "all": "True"}[kind]
        step = {"sum": f"out[{oi}] += x[{xi}]", "prod": f"out[{oi}] *= x[{xi}]", "any": f"out[{oi}] = out[{oi}] or x[{xi}] != 0",
                "all": f"out[{oi}] = out[{oi}] and x[{xi}] != 0"}[kind]
        lines += [f"    out[...] = {init}"]
        lines += loop([step])
    else:  # max, min, ptp: start from the first element along the axis; NaN wins, as NumPy's
        lines += loop([f"out[{oi}] = x[{xi}]"] + ([f"low[{oi}] = x[{xi}]"] if kind == "ptp" else []), first_only=True)
        hi = [f"v = x[{xi}]", f"if v != v or (v > out[{oi}] and out[{oi}] == out[{oi}]):", f"    out[{oi}] = v"]
        lo = [f"v = x[{xi}]", f"if v != v or (v < {'low' if kind == 'ptp' else 'out'}[{oi}] and "
              f"{'low' if kind == 'ptp' else 'out'}[{oi}] == {'low' if kind == 'ptp' else 'out'}[{oi}]):",
              f"    {'low' if kind == 'ptp' else 'out'}[{oi}] = v"]
        lines += loop(hi if kind == "max" else lo if kind == "min" else hi + lo, start=1)
        if kind == "ptp":
            lines += ["    out -= low"]
    if keepdims:
        lines.append(f"    return out.reshape(({kept}))")
    elif outer:
        lines.append("    return out")
    else:
        lines.append("    return out[0]")
    return lines


@overload(reduce_axis, prefer_literal=True)
def _ol_reduce_axis(kind, x, axis, keepdims=False, ddof=0):
    def lit(t, default=None):
        if t is None or isinstance(t, (types.Omitted, types.NoneType)):
            return getattr(t, "value", default)
        return getattr(t, "literal_value", None)
    whole = isinstance(axis, types.NoneType)  # the whole array: its flat copy along axis 0
    k, a, keep, dd = lit(kind), 0 if whole else lit(axis), lit(keepdims, False), lit(ddof, 0)
    if k == "norm":
        dd = 0  # the order is read at run time
    if not isinstance(x, types.Array) or k is None or a is None or keep is None or dd is None:
        return None
    if not -x.ndim <= a < x.ndim:
        raise errors.TypingError(f"axis {a} is out of bounds for an array of dimension {x.ndim}")
    a %= x.ndim
    dtype = "x.dtype"  # NumPy's result types:
    if k in ("any", "all"):
        dtype = "np.bool_"
    elif k in ("mean", "var", "std", "norm") and not isinstance(x.dtype, types.Float):
        dtype = "np.float64"
    elif k in ("sum", "prod") and isinstance(x.dtype, (types.Boolean, types.Integer)):
        dtype = "np.uint64" if getattr(x.dtype, "signed", True) is False else "np.int64"
    key = (k, x.ndim, a, bool(keep), dd, dtype, whole)
    impl = _REDUCE_IMPLS.get(key)
    if impl is None:
        if whole:
            lines = _reduce_lines(k, 1, 0, False, dd, dtype)
            lines.insert(1, "    shape = x.shape")
            lines.insert(2, "    x = np.ascontiguousarray(x).reshape(-1)")
            if keep:
                lines[-1] = f"    return np.full({(1,) * x.ndim}, out[0])"
        else:
            lines = _reduce_lines(k, x.ndim, a, bool(keep), dd, dtype)
        env = {"np": np, "math": math}
        exec("\n".join(lines), env)
        impl = _REDUCE_IMPLS[key] = env["impl"]
    return impl


@overload(cumulate_axis, prefer_literal=True)
def _ol_cumulate_axis(kind, x, axis):
    if not isinstance(x, types.Array) or not isinstance(kind, types.StringLiteral):
        return None
    prod = kind.literal_value == "prod"
    dtype = x.dtype if isinstance(x.dtype, (types.Float, types.Complex)) else types.int64

    def impl(kind, x, axis):  # along each (outer, :, inner) slice
        outer, n, inner = _slices(x, axis)
        x3 = np.ascontiguousarray(x).reshape((outer, n, inner))
        out = np.empty((outer, n, inner), dtype)
        for i in range(outer):
            for k in range(inner):
                acc = 1 if prod else 0
                for j in range(n):
                    acc = acc * x3[i, j, k] if prod else acc + x3[i, j, k]
                    out[i, j, k] = acc
        return out.reshape(x.shape)
    return impl


@overload(sort_axis, prefer_literal=True)
def _ol_sort_axis(x, axis):
    if not isinstance(x, types.Array):
        return None
    if isinstance(axis, types.NoneType):
        return lambda x, axis: np.sort(np.ascontiguousarray(x).reshape(-1))

    def impl(x, axis):  # each (outer, :, inner) slice sorted on its own
        outer, n, inner = _slices(x, axis)
        out = np.ascontiguousarray(x).reshape((outer, n, inner)).copy()
        for i in range(outer):
            for k in range(inner):
                out[i, :, k] = np.sort(out[i, :, k])
        return out.reshape(x.shape)
    return impl


def _matrix_norm_call(ord):
    """The norm of one matrix `m` as text, for `ord` (a type)."""
    if ord is None or isinstance(ord, (types.NoneType, types.Omitted)) or \
            isinstance(ord, types.StringLiteral) and ord.literal_value == "fro":
        return "np.sqrt(np.sum(np.abs(m) ** 2))"
    if isinstance(ord, types.StringLiteral) and ord.literal_value == "nuc":
        return "np.sum(np.linalg.svd(np.ascontiguousarray(m))[1])"
    if isinstance(ord, (types.Integer, types.Float)):
        return "np.linalg.norm(np.ascontiguousarray(m), ord)"
    return None


def _matrix_norm_lines(n, call):
    """impl: the norm of each matrix over the axes `axis` (moved last) of an n-d x."""
    return ["def impl(x, ord, axis=None):"] + matrices_lines(n) + [
            "    out = np.empty(count)",
            "    for i in range(count):",
            "        m = ms[i]",
            f"        out[i] = {call}",
            "    return out.reshape(lead)" if n > 2 else "    return out[0]"]


_MATRIX_NORMS = {}


@overload(matrix_norm, prefer_literal=True)
def _ol_matrix_norm(x, ord, axis=None):
    if not isinstance(x, types.Array):
        return None
    if isinstance(axis, types.BaseTuple) and len(axis) == 2:
        call = _matrix_norm_call(ord)
        if call is None:
            return None
        key = (x.ndim, call)
        if key not in _MATRIX_NORMS:
            ns = {"np": np, "to_fixed_tuple": to_fixed_tuple}
            exec("\n".join(_matrix_norm_lines(x.ndim, call)), ns)
            _MATRIX_NORMS[key] = ns["impl"]
        return _MATRIX_NORMS[key]
    if not isinstance(ord, types.StringLiteral):
        return None
    if x.ndim != 2:
        raise errors.TypingError(f"np.linalg.norm with ord={ord.literal_value!r} takes a 2-d array (got {x.ndim}-d)")
    if ord.literal_value == "fro":
        return lambda x, ord, axis=None: np.sqrt(np.sum(x * x))
    return lambda x, ord, axis=None: np.sum(np.linalg.svd(np.ascontiguousarray(x))[1])


@overload(cast_as)
def _ol_cast_as(x, dtype):
    if isinstance(x, types.Array):
        return lambda x, dtype: x.astype(dtype)
    return lambda x, dtype: dtype(x)


@overload(reshape_c)
def _ol_reshape_c(x, shape):
    if not isinstance(x, types.Array):  # a number: np.reshape's overloads (runtime_numba_operands.py)
        return lambda x, shape: np.reshape(x, shape)
    if x.layout == "C":
        return lambda x, shape: x.reshape(shape)
    return lambda x, shape: np.ascontiguousarray(x).reshape(shape)


@overload(reshape_f)
def _ol_reshape_f(x, shape):
    if not isinstance(x, types.Array):
        return None
    n = len(shape) if isinstance(shape, types.BaseTuple) else 1
    flipped = "(" + "".join(f"shape[{n - 1 - d}], " for d in range(n)) + ")" if isinstance(shape, types.BaseTuple) \
        else "(shape,)"
    # F order of x is C order of x.T; the C reshape to the reversed shape, transposed, reads it in F order
    lines = ["def impl(x, shape):", "    flat = np.ascontiguousarray(x.T).reshape(-1)", f"    return flat.reshape({flipped}).T"]
    env = {"np": np}
    exec("\n".join(lines), env)
    return env["impl"]


@overload(concat_flat)
def _ol_concat_flat(arrays):
    if isinstance(arrays, types.BaseTuple):
        parts = "".join(f"np.ravel(arrays[{j}]), " for j in range(len(arrays)))
        env = {"np": np}
        exec(f"def impl(arrays):\n    return np.concatenate(({parts}))", env)
        return env["impl"]
    if isinstance(arrays, types.List):
        def impl(arrays):
            total = 0
            for a in arrays:
                total += a.size
            out = np.empty(total, arrays[0].dtype)
            k = 0
            for a in arrays:
                out[k:k + a.size] = np.ravel(a)
                k += a.size
            return out
        return impl


# -- axis permutations as views: the permuted shape and strides given to as_strided
def _view_lines(n, head, perm):
    """impl: x viewed with its axes in the order perm[0..n) (lines computing `perm`)."""
    return [head, f"    perm = np.empty({n}, np.int64)"] + perm + [
            f"    shape, strides = np.empty({n}, np.int64), np.empty({n}, np.int64)",
            f"    for k in range({n}):",
            "        shape[k] = x.shape[perm[k]]",
            "        strides[k] = x.strides[perm[k]]",
            f"    return as_strided(x, shape=to_fixed_tuple(shape, {n}), strides=to_fixed_tuple(strides, {n}))"]


def _view(key, lines):
    if key not in _VIEWS:
        ns = {"np": np, "as_strided": as_strided, "to_fixed_tuple": to_fixed_tuple}
        exec("\n".join(lines), ns)
        _VIEWS[key] = ns["impl"]
    return _VIEWS[key]


_VIEWS = {}


@overload(swapaxes_view)
def _ol_swapaxes_view(x, axis1, axis2):
    if isinstance(x, types.Array) and x.ndim > 0:
        n = x.ndim
        return _view(("swap", n), _view_lines(n, "def impl(x, axis1, axis2):", [
            f"    for k in range({n}):", "        perm[k] = k",
            f"    perm[axis1 % {n}], perm[axis2 % {n}] = axis2 % {n}, axis1 % {n}"]))


@overload(moveaxis_view)
def _ol_moveaxis_view(x, source, destination):
    if isinstance(x, types.Array) and x.ndim > 0 and isinstance(source, types.Integer) \
            and isinstance(destination, types.Integer):
        n = x.ndim
        return _view(("move", n), _view_lines(n, "def impl(x, source, destination):", [
            f"    s, d, j = source % {n}, destination % {n}, 0"] + _move_lines(n)))
    return lambda x, source, destination: np.moveaxis(x, source, destination)


def _move_lines(n):
    """Lines: perm moving axis `s` to position `d` (both in range), the others in order."""
    return [f"    for k in range({n}):",
            "        if k == d:",
            "            perm[k] = s",
            "        else:",
            "            j += j == s",
            "            perm[k] = j",
            "            j += 1"]


@overload(rollaxis_view)
def _ol_rollaxis_view(x, axis, start=0):
    if isinstance(x, types.Array) and x.ndim > 0 and isinstance(axis, types.Integer) \
            and isinstance(start, (types.Integer, types.Omitted, int)):
        n = x.ndim
        return _view(("roll", n), _view_lines(n, "def impl(x, axis, start=0):", [
            f"    s, d, j = axis % {n}, start + {n} if start < 0 else start, 0",
            "    d = d - 1 if s < d else d"] + _move_lines(n)))


@overload(select_of)
def _ol_select_of(condlist, choicelist, default=0):
    def impl(condlist, choicelist, default=0):  # the first condition that holds wins: it is outermost
        n = len(condlist)
        result = np.where(condlist[n - 1], choicelist[n - 1], default)
        for k in range(n - 2, -1, -1):
            result = np.where(condlist[k], choicelist[k], result)
        return result
    return impl


@overload(transpose_view)
def _ol_transpose_view(x, axes):
    if isinstance(x, types.Array) and isinstance(axes, types.UniTuple) and len(axes) == x.ndim and x.ndim > 0:
        n = x.ndim
        return _view(("transpose", n), _view_lines(n, "def impl(x, axes):", [
            f"    for k in range({n}):", f"        perm[k] = axes[k] % {n}"]))
    return lambda x, axes: np.transpose(x, axes)


def _tuple_impl(head, parts):
    ns = {"np": np}
    exec(f"{head}\n    return ({''.join(p + ', ' for p in parts)})", ns)
    return ns["impl"]


@overload(diag_indices_of, prefer_literal=True)
def _ol_diag_indices_of(n, ndim=2):
    k = ndim.literal_value if isinstance(ndim, types.IntegerLiteral) else (
        ndim.value if isinstance(ndim, types.Omitted) else (ndim if isinstance(ndim, int) else None))
    if isinstance(n, types.Integer) and k is not None:
        return _tuple_impl("def impl(n, ndim=2):\n    i = np.arange(n)", ["i"] * k)
    raise errors.TypingError("np.diag_indices under jit needs ndim as a literal int")


@overload(diag_indices_like)
def _ol_diag_indices_like(arr):
    if isinstance(arr, types.Array) and arr.ndim >= 2:
        return _tuple_impl("def impl(arr):\n    i = np.arange(arr.shape[0])", ["i"] * arr.ndim)


@overload(unravel_of)
def _ol_unravel_of(indices, shape):
    if isinstance(shape, types.UniTuple) and isinstance(indices, (types.Integer, types.Array)):
        k = len(shape)
        lines = ["def impl(indices, shape):", "    r = indices"]
        for d in range(k - 1, 0, -1):  # the last axis varies fastest (C order)
            lines += [f"    i{d} = r % shape[{d}]", f"    r = r // shape[{d}]"]
        lines += ["    i0 = r", f"    return ({''.join(f'i{d}, ' for d in range(k))})"]
        ns = {"np": np}
        exec("\n".join(lines), ns)
        return ns["impl"]
