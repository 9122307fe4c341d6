"""numba forms of NumPy calls numba lacks (or lacks a variant of), and of their derivative
helpers: np.tensordot (with tensordot_vjp1/2), np.pad (constant, edge, reflect, symmetric,
wrap; with unpad), np.heaviside, the builtin abs of an array, np.linalg.svd(compute_uv=False),
np.linalg.qr(mode='reduced' | 'r'), np.inner, np.dot and np.matmul / `@` of n-d arrays (batch
axes broadcast), np.tile, np.ravel(order='F'). Registered on import, like runtime_numba.py; copied
into standalone dumped modules like it.

np.tensordot's result has a number of dimensions that depends on how many axes it contracts,
so that count must be in the argument's type: an int literal, or tuples (the parser turns
list literals of numbers given as `axes` into tuples); a variable `axes` does not compile.
Both operands are laid out as matrices (free axes x contracted axes) and multiplied.
"""
import math  # noqa: F401  -- used by generated implementations
import operator

import numpy as np
from numba import types
from numba.core import errors
from numba.extending import overload
from numba.np.numpy_support import as_dtype

from .runtime import (  # s2s-runtime-import
    dot_vjp1, dot_vjp2, matmul_vjp1, matmul_vjp2, tensordot_vjp1, tensordot_vjp2, unbroadcast, untile,
)
from .runtime_layout import unpad  # noqa: F401
from .runtime_numba import _gen, _loops, _none  # noqa: F401
# s2s-runtime-import


# ------------------------------------------------------------------------------ tensordot
def _contracted(axes):
    """How many axes `axes` (a numba type) contracts, when its type says; else None."""
    if isinstance(axes, types.IntegerLiteral):
        return axes.literal_value
    if isinstance(axes, types.BaseTuple) and len(axes) == 2:
        counts = []
        for part in axes:
            if isinstance(part, types.Integer):
                counts.append(1)
            elif isinstance(part, types.BaseTuple) and all(isinstance(t, types.Integer) for t in part):
                counts.append(len(part))
            else:
                return None
        return counts[0] if counts[0] == counts[1] else None
    return None


def _axis_list_lines(name, part, k, nd):
    """Lines filling the int array `name` (length k) with one side of a pair of axes."""
    if isinstance(part, types.Integer):
        return [f"    {name}[0] = {{}} % {nd}"]
    return [f"    {name}[{i}] = {{}}[{i}] % {nd}" for i in range(k)]


def _axes_lines(axes, k, an, bn):
    """Lines binding xa, xb (contracted axes of a, b) and fa, fb (the free ones, in order)."""
    lines = ["    xa = np.empty(%d, np.int64)" % k, "    xb = np.empty(%d, np.int64)" % k]
    if isinstance(axes, types.Integer):
        lines += [f"    for i in range({k}):", f"        xa[i] = {an - k} + i", "        xb[i] = i"]
    else:
        lines += [s.format("axes[0]") for s in _axis_list_lines("xa", axes[0], k, an)]
        lines += [s.format("axes[1]") for s in _axis_list_lines("xb", axes[1], k, bn)]
    lines += [f"    fa = _free_axes(xa, {an})", f"    fb = _free_axes(xb, {bn})"]
    return lines


def _free_axes(contracted, nd):
    """The axes 0..nd-1 not in `contracted`, in order (numba)."""


@overload(_free_axes)
def _ol_free_axes(contracted, nd):
    def impl(contracted, nd):
        out = np.empty(nd - contracted.size, np.int64)
        j = 0
        for d in range(nd):
            if not np.any(contracted == d):
                out[j] = d
                j += 1
        return out
    return impl


def _matricize(x, rows, cols):
    """x as the C-contiguous matrix [ravel(x's `rows` axes), ravel(x's `cols` axes)]."""


def _unmatricize(m, shape, rows, cols):
    """The array of `shape` whose _matricize(., rows, cols) is m (the inverse layout)."""


def _layout_lines(head, body):
    """An implementation walking x's elements in C order with their row and column numbers
    in the matrix layout (`r`, `c`), then `body`."""
    return head + [
        "    sh = np.array(shape_of, np.int64)",
        "    nd = sh.size",
        "    nr = 1",
        "    for d in rows:",
        "        nr *= sh[d]",
        "    nc = 1",
        "    for d in cols:",
        "        nc *= sh[d]",
        "    idx = np.zeros(nd, np.int64)",
        "    for flat in range(nr * nc):",
        "        r = 0",
        "        for d in rows:",
        "            r = r * sh[d] + idx[d]",
        "        c = 0",
        "        for d in cols:",
        "            c = c * sh[d] + idx[d]",
    ] + ["        " + b for b in body] + [
        "        d = nd - 1",  # the next C-order multi-index
        "        while d >= 0:",
        "            idx[d] += 1",
        "            if idx[d] < sh[d]:",
        "                break",
        "            idx[d] = 0",
        "            d -= 1",
        "    return out",
    ]


@overload(_matricize)
def _ol_matricize(x, rows, cols):
    if isinstance(x, types.Array):
        return _gen("matricize", _layout_lines(
            ["def impl(x, rows, cols):", "    shape_of = x.shape", "    xf = np.ascontiguousarray(x).reshape(-1)",
             "    nr0 = 1", "    for d in rows:", "        nr0 *= x.shape[d]", "    nc0 = 1", "    for d in cols:",
             "        nc0 *= x.shape[d]", "    out = np.empty((nr0, nc0), xf.dtype)"],
            ["out[r, c] = xf[flat]"]), globals())


@overload(_unmatricize)
def _ol_unmatricize(m, shape, rows, cols):
    return _gen("unmatricize", _layout_lines(
        ["def impl(m, shape, rows, cols):", "    shape_of = shape", "    out = np.empty(shape, m.dtype)",
         "    of = out.reshape(-1)"],
        ["of[flat] = m[r, c]"]), globals())


def _shape_expr(parts):
    return "(" + "".join(p + ", " for p in parts) + ")"


def _tensordot_lines(a, b, axes, k):
    an, bn = a.ndim, b.ndim
    out_shape = [f"a.shape[fa[{i}]]" for i in range(an - k)] + [f"b.shape[fb[{i}]]" for i in range(bn - k)]
    lines = ["def impl(a, b, axes=2):"] + _axes_lines(axes, k, an, bn)
    lines += ["    m = np.dot(_matricize(a, fa, xa), _matricize(b, xb, fb))"]
    if not out_shape:
        return lines + ["    return m[0, 0]"]
    return lines + [f"    return m.reshape({_shape_expr(out_shape)})"]


def _operands_ok(a, b, axes):
    return (isinstance(a, types.Array) and isinstance(b, types.Array) and a.ndim > 0 and b.ndim > 0
            and _contracted(axes) is not None and _contracted(axes) <= min(a.ndim, b.ndim))


@overload(np.tensordot, prefer_literal=True)
def _ol_tensordot(a, b, axes=2):
    if isinstance(axes, (types.Omitted, int)):
        axes = types.IntegerLiteral(2)
    if _operands_ok(a, b, axes):
        k = _contracted(axes)
        return _gen(("tensordot", a.ndim, b.ndim, str(axes), k), _tensordot_lines(a, b, axes, k), globals())


def _ct_matrix(ct, a, b, k):
    """The line binding ctm: ct as the (free a) x (free b) matrix."""
    rows = " * ".join([f"a.shape[fa[{i}]]" for i in range(a.ndim - k)]) or "1"
    cols = " * ".join([f"b.shape[fb[{i}]]" for i in range(b.ndim - k)]) or "1"
    if isinstance(ct, types.Array):
        return [f"    ctm = np.ascontiguousarray(ct).reshape(({rows}, {cols}))"]
    return [f"    ctm = np.full(({rows}, {cols}), ct)"]


# contribution to a: ct (free a x free b) times b's matrix transposed, laid out as a;
# to b: a's matrix transposed times ct, laid out as b
_TENSORDOT_VJP = {
    "tensordot_vjp1": ["    m = np.dot(ctm, _matricize(b, xb, fb).T)", "    return _unmatricize(m, a.shape, fa, xa)"],
    "tensordot_vjp2": ["    m = np.dot(_matricize(a, fa, xa).T, ctm)", "    return _unmatricize(m, b.shape, xb, fb)"],
}


def _tensordot_vjp(which):
    def typer(ct, a, b, axes=2):
        if isinstance(axes, (types.Omitted, int)):
            axes = types.IntegerLiteral(2)
        if _operands_ok(a, b, axes):
            k = _contracted(axes)
            lines = ["def impl(ct, a, b, axes=2):"] + _axes_lines(axes, k, a.ndim, b.ndim) + _ct_matrix(ct, a, b, k)
            return _gen((which, str(ct), a.ndim, b.ndim, str(axes)), lines + _TENSORDOT_VJP[which], globals())
    return typer


overload(tensordot_vjp1, prefer_literal=True)(_tensordot_vjp("tensordot_vjp1"))
overload(tensordot_vjp2, prefer_literal=True)(_tensordot_vjp("tensordot_vjp2"))


# ------------------------------------------------------------------------------------ pad
_PAD_CODES = {"constant": 0, "edge": 1, "reflect": 2, "symmetric": 3, "wrap": 4}


def _pad_source(n, before, after, mode):
    """For each position of one padded axis, the element of the axis it repeats (-1: a
    constant), NumPy's rule for each mode code of _PAD_CODES."""


@overload(_pad_source)
def _ol_pad_source(n, before, after, mode):
    def impl(n, before, after, mode):
        out = np.empty(before + n + after, np.int64)
        for j in range(before + n + after):
            p = j - before
            if 0 <= p < n:
                out[j] = p
            elif mode == 0:
                out[j] = -1
            elif mode == 1:
                out[j] = 0 if p < 0 else n - 1
            elif mode == 4:
                out[j] = p % n
            elif mode == 2:  # reflect about the edge elements: period 2n - 2
                q = p % (2 * n - 2) if n > 1 else 0
                out[j] = q if q < n else 2 * n - 2 - q
            else:  # symmetric: the edge elements repeated, period 2n
                q = p % (2 * n)
                out[j] = q if q < n else 2 * n - 1 - q
        return out
    return impl


def _pad_code(mode):
    """The code of a pad mode name (numba; -1 when not one of _PAD_CODES)."""


@overload(_pad_code)
def _ol_pad_code(mode):
    names = tuple(_PAD_CODES)

    def impl(mode):
        for i, name in enumerate(names):
            if mode == name:
                return i
        return -1
    return impl


def _width_exprs(pw, nd):
    """[(before, after)] expressions for each axis from a pad_width of numba type pw."""
    if isinstance(pw, types.Integer):
        return [("pad_width", "pad_width")] * nd
    if not isinstance(pw, types.BaseTuple) or len(pw) == 0:
        return None
    if all(isinstance(t, types.Integer) for t in pw):
        if len(pw) == 1:
            return [("pad_width[0]", "pad_width[0]")] * nd
        return [("pad_width[0]", "pad_width[1]")] * nd if len(pw) == 2 else None
    if not all(isinstance(t, types.BaseTuple) and 1 <= len(t) <= 2 and all(isinstance(e, types.Integer) for e in t)
               for t in pw) or len(pw) not in (1, nd):
        return None
    out = []
    for d in range(nd):
        t = pw[d if len(pw) == nd else 0]
        i = d if len(pw) == nd else 0
        out.append((f"pad_width[{i}][0]", f"pad_width[{i}][{len(t) - 1}]"))
    return out


def _pad_lines(nd, widths, head, body, sources="x.shape"):
    lines = [head, "    code = _pad_code(mode)",
             "    if code < 0:", "        raise ValueError('np.pad under s2s.jit: mode must be one of "
             + ", ".join(_PAD_CODES) + "')"]
    for d, (lo, hi) in enumerate(widths):
        lines.append(f"    s{d} = _pad_source({sources}[{d}], {lo}, {hi}, code)")
    lines += body
    loops = [f"for i{d} in range(s{d}.size):" for d in range(nd)]
    src = ", ".join(f"s{d}[i{d}]" for d in range(nd))
    dst = ", ".join(f"i{d}" for d in range(nd))
    inner = "    " * (nd + 1)
    return lines, loops, src, dst, inner


@overload(np.pad)
def _ol_pad(array, pad_width, mode="constant", constant_values=0):
    if not (isinstance(array, types.Array) and array.ndim > 0):
        return None
    widths = _width_exprs(pad_width, array.ndim)
    if widths is None or not (_none(constant_values) or isinstance(constant_values, (types.Number, types.Omitted, int, float))):
        return None
    nd = array.ndim
    lines, loops, src, dst, inner = _pad_lines(
        nd, widths, "def impl(array, pad_width, mode='constant', constant_values=0):",
        [], sources="array.shape")
    lines += ["    out = np.empty((" + "".join(f"s{d}.size, " for d in range(nd)) + "), array.dtype)"]
    lines += ["    " * (d + 1) + loop for d, loop in enumerate(loops)]
    cond = " or ".join(f"s{d}[i{d}] < 0" for d in range(nd))
    lines += [inner + f"if {cond}:", inner + f"    out[{dst}] = constant_values",
              inner + "else:", inner + f"    out[{dst}] = array[{src}]", "    return out"]
    return _gen(("pad", nd, str(pad_width)), lines, globals())


@overload(unpad)
def _ol_unpad(ct, array, pad_width=0, mode="constant"):
    if not (isinstance(array, types.Array) and array.ndim > 0 and isinstance(ct, types.Array)):
        return None
    widths = _width_exprs(pad_width, array.ndim)
    if widths is None:
        return None
    nd = array.ndim
    lines, loops, src, dst, inner = _pad_lines(nd, widths, "def impl(ct, array, pad_width=0, mode='constant'):",
                                               [], sources="array.shape")
    lines += ["    out = np.zeros(array.shape, ct.dtype)"]
    lines += ["    " * (d + 1) + loop for d, loop in enumerate(loops)]
    cond = " and ".join(f"s{d}[i{d}] >= 0" for d in range(nd))
    lines += [inner + f"if {cond}:", inner + f"    out[{src}] += ct[{dst}]", "    return out"]
    return _gen(("unpad", nd, str(pad_width)), lines, globals())


# ----------------------------------------------------------------- elementwise, linalg
def _heaviside1(x1, x2):
    """np.heaviside of two scalars (NaN stays NaN, as NumPy)."""


@overload(_heaviside1)
def _ol_heaviside1(x1, x2):
    def impl(x1, x2):
        if x1 != x1:
            return x1 * 1.0
        return 0.0 if x1 < 0 else (1.0 if x1 > 0 else x2 * 1.0)
    return impl


@overload(np.heaviside)
def _ol_heaviside(x1, x2):
    arrays = [t for t in (x1, x2) if isinstance(t, types.Array)]
    if not arrays:
        return lambda x1, x2: _heaviside1(x1, x2)
    if all(isinstance(t, (types.Array, types.Number, types.Boolean)) for t in (x1, x2)):
        def impl(x1, x2):
            a, b = np.broadcast_arrays(np.asarray(x1), np.asarray(x2))
            out = np.empty(a.shape)
            af, bf, of = a.ravel(), b.ravel(), out.reshape(-1)
            for i in range(of.size):
                of[i] = _heaviside1(af[i], bf[i])
            return out
        return impl


@overload(abs)
def _ol_abs(x):
    if isinstance(x, types.Array):
        return lambda x: np.abs(x)


@overload(np.linalg.svd, prefer_literal=True)
def _ol_svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    # numba's own svd takes no compute_uv: this form serves compute_uv=False (the singular values)
    if isinstance(compute_uv, types.BooleanLiteral) and not compute_uv.literal_value and isinstance(a, types.Array):
        return lambda a, full_matrices=True, compute_uv=True, hermitian=False: np.linalg.svd(a, False)[1]


@overload(np.linalg.qr, prefer_literal=True)
def _ol_qr(a, mode="reduced"):
    # numba's own qr takes no mode (it is 'reduced'); 'r' is its R factor
    if isinstance(mode, types.StringLiteral) and isinstance(a, types.Array):
        if mode.literal_value == "reduced":
            return lambda a, mode="reduced": np.linalg.qr(a)
        if mode.literal_value == "r":
            return lambda a, mode="reduced": np.linalg.qr(a)[1]


# ------------------------------------------------------------- products of n-d arrays
@overload(np.inner)
def _ol_inner(a, b):
    if isinstance(a, types.Array) and isinstance(b, types.Array) and a.ndim > 0 and b.ndim > 0:
        axes = f"(({a.ndim - 1},), ({b.ndim - 1},))"
        return _gen(("inner", a.ndim, b.ndim), ["def impl(a, b):", f"    return np.tensordot(a, b, {axes})"], globals())
    if isinstance(a, (types.Number, types.Array)) and isinstance(b, (types.Number, types.Array)):
        return lambda a, b: a * b


@overload(np.dot)
def _ol_dot(a, b):
    # numba's own np.dot takes 1-d and 2-d operands: this is the n-d rule (a's last axis
    # with b's second-to-last, or its only one)
    if isinstance(a, types.Array) and isinstance(b, types.Array) and max(a.ndim, b.ndim) > 2 and min(a.ndim, b.ndim) > 0:
        axes = f"(({a.ndim - 1},), ({max(b.ndim - 2, 0)},))"
        return _gen(("dot_nd", a.ndim, b.ndim), ["def impl(a, b):", f"    return np.tensordot(a, b, {axes})"], globals())


def _matmul_lines(an, bn, dtype):
    """impl(a, b) of a @ b for n-d operands (at least one with more than 2 dimensions): the
    batch axes broadcast, each (batch) pair multiplied as matrices; a 1-d operand is a
    row (a) or column (b) vector whose axis the result drops, as NumPy's."""
    am, bm = max(an, 2), max(bn, 2)
    nb = max(am, bm) - 2
    lines = ["def impl(a, b):"]
    lines.append("    a2 = a.reshape((1, a.shape[0]))" if an == 1 else "    a2 = a")
    lines.append("    b2 = b.reshape((b.shape[0], 1))" if bn == 1 else "    b2 = b")
    batch = []
    for j in range(nb):
        da, db = j - (nb - (am - 2)), j - (nb - (bm - 2))
        sa = f"a2.shape[{da}]" if da >= 0 else "1"
        sb = f"b2.shape[{db}]" if db >= 0 else "1"
        lines.append(f"    n{j} = max({sa}, {sb})")
        if da >= 0 and db >= 0:
            lines += [f"    if {sa} != {sb} and {sa} != 1 and {sb} != 1:",
                      "        raise ValueError('matmul: the batch dimensions do not broadcast')"]
        batch.append((da, db))
    lines += [f"    if a2.shape[{am - 1}] != b2.shape[{bm - 2}]:",
              "        raise ValueError('matmul: mismatch in the core dimension')",
              f"    out = np.empty(({''.join(f'n{j}, ' for j in range(nb))}a2.shape[{am - 2}], b2.shape[{bm - 1}]),"
              f" np.{dtype})"]
    ia, ib = [], []
    for j, (da, db) in enumerate(batch):
        if da >= 0:
            ia.append(f"(i{j} if a2.shape[{da}] != 1 else 0)")
        if db >= 0:
            ib.append(f"(i{j} if b2.shape[{db}] != 1 else 0)")
    pa = f"a2[{''.join(i + ', ' for i in ia)}...]" if ia else "a2"
    pb = f"b2[{''.join(i + ', ' for i in ib)}...]" if ib else "b2"
    body = [f"out[{''.join(f'i{j}, ' for j in range(nb))}...] = np.dot(np.ascontiguousarray({pa}), "
            f"np.ascontiguousarray({pb}))"]
    lines += _loops([(f"i{j}", f"n{j}") for j in range(nb)], body)
    if an == 1:
        lines.append(f"    return out.reshape(out.shape[:-2] + (out.shape[-1],))")
    elif bn == 1:
        lines.append(f"    return out.reshape(out.shape[:-1])")
    else:
        lines.append("    return out")
    return lines


def _ol_matmul_nd(a, b):
    if (isinstance(a, types.Array) and isinstance(b, types.Array) and max(a.ndim, b.ndim) > 2
            and min(a.ndim, b.ndim) > 0 and isinstance(a.dtype, (types.Float, types.Integer))
            and isinstance(b.dtype, (types.Float, types.Integer))):
        dtype = np.result_type(as_dtype(a.dtype), as_dtype(b.dtype)).name
        return _gen(("matmul_nd", a.ndim, b.ndim, dtype), _matmul_lines(a.ndim, b.ndim, dtype), globals())


# (np.matmul itself: numba maps a ufunc it has an overload for over elements, so the jit
# pass of codegen/numba_reductions.py writes np.matmul(a, b) as a @ b)
overload(operator.matmul)(_ol_matmul_nd)


# ------------------------------------------------------------------------ layout
def _tile_dims(A, reps):
    """(d, source sizes, repetitions) as expressions for np.tile(A, reps), or None."""
    if not isinstance(A, (types.Array, types.Number)):
        return None
    an = A.ndim if isinstance(A, types.Array) else 0
    if isinstance(reps, types.Integer):
        rn, rep = 1, ["reps"]
    elif isinstance(reps, types.BaseTuple) and all(isinstance(t, types.Integer) for t in reps):
        rn, rep = len(reps), [f"reps[{i}]" for i in range(len(reps))]
    else:
        return None
    d = max(an, rn)
    return d, ["1"] * (d - an) + [f"a.shape[{i}]" for i in range(an)], ["1"] * (d - rn) + rep


@overload(np.tile)
def _ol_tile(A, reps):
    dims = _tile_dims(A, reps)
    if dims is None:
        return None
    d, src, rep = dims
    lines = ["def impl(A, reps):", "    a = np.asarray(A)"] + [f"    s{i} = {src[i]}" for i in range(d)]
    lines += [f"    out = np.empty(({''.join(f's{i} * ({rep[i]}), ' for i in range(d))}), a.dtype)"]
    lines += ["    a = a.reshape((" + "".join(f"s{i}, " for i in range(d)) + "))"]
    idx = ", ".join(f"i{i}" for i in range(d))
    lines += _loops([(f"i{i}", f"out.shape[{i}]") for i in range(d)],
                    [f"out[{idx}] = a[{', '.join(f'i{i} % s{i}' for i in range(d))}]"])
    return _gen(("tile", str(A), str(reps)), lines + ["    return out"], globals())


@overload(untile)
def _ol_untile(ct, A, reps=1):
    dims = _tile_dims(A, reps)
    if dims is None or not isinstance(ct, types.Array):
        return None
    d, src, rep = dims
    lines = ["def impl(ct, A, reps=1):", "    a = np.asarray(A)"] + [f"    s{i} = {src[i]}" for i in range(d)]
    lines += ["    out = np.zeros((" + "".join(f"s{i}, " for i in range(d)) + "), ct.dtype)"]
    idx = ", ".join(f"i{i}" for i in range(d))
    lines += _loops([(f"i{i}", f"ct.shape[{i}]") for i in range(d)],
                    [f"out[{', '.join(f'i{i} % s{i}' for i in range(d))}] += ct[{idx}]"])
    back = "out.reshape(a.shape)" if isinstance(A, types.Array) else "out.sum()"
    return _gen(("untile", str(A), str(reps), str(ct)), lines + [f"    return {back}"], globals())


@overload(np.ravel, prefer_literal=True)
def _ol_ravel(a, order="C"):
    if isinstance(a, types.Array) and isinstance(order, types.StringLiteral):
        if order.literal_value == "F":  # F order of a is C order of its transpose
            return lambda a, order="C": np.ascontiguousarray(a.T).reshape(-1)
        if order.literal_value in ("C", "A", "K"):
            return lambda a, order="C": np.ascontiguousarray(a).reshape(-1)


# ------------------------------------------ contributions of n-d products (runtime.py's)
def _nd(x1, x2):
    return (isinstance(x1, types.Array) and isinstance(x2, types.Array) and max(x1.ndim, x2.ndim) > 2
            and min(x1.ndim, x2.ndim) > 0)


@overload(matmul_vjp1)
def _ol_matmul_vjp1_nd(ct, x1, x2):
    if not _nd(x1, x2):
        return None
    if x2.ndim == 1:
        return lambda ct, x1, x2: unbroadcast(np.expand_dims(ct, -1) * x2, x1)
    if x1.ndim == 1:
        return lambda ct, x1, x2: unbroadcast((x2 @ np.expand_dims(ct, -1))[..., 0], x1)
    return lambda ct, x1, x2: unbroadcast(ct @ np.swapaxes(x2, -1, -2), x1)


@overload(matmul_vjp2)
def _ol_matmul_vjp2_nd(ct, x1, x2):
    if not _nd(x1, x2):
        return None
    if x1.ndim == 1:
        return lambda ct, x1, x2: unbroadcast(np.expand_dims(x1, -1) * np.expand_dims(ct, -2), x2)
    if x2.ndim == 1:
        return lambda ct, x1, x2: unbroadcast((np.swapaxes(x1, -1, -2) @ np.expand_dims(ct, -1))[..., 0], x2)
    return lambda ct, x1, x2: unbroadcast(np.swapaxes(x1, -1, -2) @ ct, x2)


def _dot_axes_text(x1, x2):
    return f"(({x1.ndim - 1},), ({max(x2.ndim - 2, 0)},))"


@overload(dot_vjp1)
def _ol_dot_vjp1_nd(ct, x1, x2):
    if _nd(x1, x2):
        return _gen(("dot_vjp1", x1.ndim, x2.ndim), ["def impl(ct, x1, x2):",
                    f"    return tensordot_vjp1(ct, x1, x2, {_dot_axes_text(x1, x2)})"], globals())


@overload(dot_vjp2)
def _ol_dot_vjp2_nd(ct, x1, x2):
    if _nd(x1, x2):
        return _gen(("dot_vjp2", x1.ndim, x2.ndim), ["def impl(ct, x1, x2):",
                    f"    return tensordot_vjp2(ct, x1, x2, {_dot_axes_text(x1, x2)})"], globals())


@overload(np.atleast_1d)
def _ol_atleast_1d_scalar(a):
    # numba's own takes arrays only: a number becomes a 1-element array (np.r_ items)
    if isinstance(a, (types.Number, types.Boolean)):
        return lambda a: np.full(1, a)
