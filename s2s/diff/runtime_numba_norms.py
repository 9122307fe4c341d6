"""numba forms of the matrix norms' derivatives: `norm_grad(x, ans, ord, axis)` (runtime.py)
for a 2-d x with a numeric ord (1, -1, 2, -2, inf, -inf; numba's own np.linalg.norm computes
those), and for any matrix norm over a pair of axes of an n-d x (the matrices moved last,
one at a time, moved back). The primal over a pair of axes is codegen/numba_reductions.py's
`matrix_norm`.
"""
import numba
import numpy as np
from numba import types
from numba.extending import overload
from numba.np.unsafe.ndarray import to_fixed_tuple  # noqa: F401  -- used by generated implementations

from .runtime import norm_grad  # s2s-runtime-import
from .runtime_numba import _gen, _none  # noqa: F401
# s2s-runtime-import


@numba.njit
def _column_grad(x, largest):
    """sign(x) in the column with the largest (smallest) absolute sum, zeros elsewhere."""
    rows, cols = x.shape
    best, pick = 0.0, 0
    for j in range(cols):
        t = 0.0
        for i in range(rows):
            t += abs(x[i, j])
        if j == 0 or (t > best if largest else t < best):
            best, pick = t, j
    g = np.zeros(x.shape, x.dtype)
    for i in range(rows):
        g[i, pick] = np.sign(x[i, pick])
    return g


@numba.njit
def _matrix_grad(x, ans, p):
    """d norm(x, p) / dx of a matrix, p a number (as runtime._matrix_norm_grad)."""
    if p == 2.0 or p == -2.0:
        u, s, vt = np.linalg.svd(np.ascontiguousarray(x), False)
        k = 0 if p == 2.0 else s.size - 1
        return np.outer(u[:, k], vt[k, :])
    if p == 1.0 or p == -1.0:  # the column with the largest (smallest) absolute sum
        return _column_grad(x, p > 0)
    return np.ascontiguousarray(_column_grad(x.T, p > 0).T)  # inf / -inf: the row


@numba.njit
def _frobenius_grad(x, ans):
    return x / ans


@numba.njit
def _nuclear_grad(x, ans):
    u, s, vh = np.linalg.svd(np.ascontiguousarray(x), False)
    return u @ vh


def _one_matrix(ord):
    """The 2-d gradient's call text for `ord` (a type), with `m` the matrix and `a` its norm."""
    if _none(ord) or isinstance(ord, types.StringLiteral) and ord.literal_value == "fro":
        return "_frobenius_grad(m, a)"
    if isinstance(ord, types.StringLiteral) and ord.literal_value == "nuc":
        return "_nuclear_grad(m, a)"
    if isinstance(ord, (types.Integer, types.Float)):
        return "_matrix_grad(m, a, float(ord))"
    return None


def matrices_lines(n):
    """Lines: the matrices over the axes `axis` (a pair) of an n-d `x` moved last -- `v`
    (contiguous), its batch shape `lead`, `count` of them, `ms` a (count, r, c) stack -- and
    `inv`, the permutation back. (codegen/numba_reductions.py's matrix_norm uses them too.)"""
    return [f"    a1, a2 = axis[0] % {n}, axis[1] % {n}",
            f"    perm, inv = np.empty({n}, np.int64), np.empty({n}, np.int64)",
            "    j = 0",
            f"    for d in range({n}):",
            "        if d != a1 and d != a2:",
            "            perm[j] = d",
            "            j += 1",
            f"    perm[{n - 2}], perm[{n - 1}] = a1, a2",
            f"    for d in range({n}):",
            "        inv[perm[d]] = d",
            f"    v = np.ascontiguousarray(x.transpose(to_fixed_tuple(perm, {n})))",
            f"    lead = v.shape[:{n - 2}]",
            "    count = 1",
            f"    for d in range({n - 2}):",  # (not `for d in lead`: numba cannot iterate an empty tuple)
            "        count *= v.shape[d]",
            f"    ms = v.reshape((count,) + v.shape[{n - 2}:])"]


def _pair_lines(n, call):
    """norm_grad over the axes `axis` (a pair) of an n-d x: the matrices moved last."""
    return ["def impl(x, ans, ord=None, axis=None):"] + matrices_lines(n) + [
            "    ns = np.ascontiguousarray(np.asarray(ans)).reshape(-1)",
            "    out = np.empty(ms.shape, ms.dtype)",
            "    for i in range(count):",
            "        m, a = ms[i], ns[i]",
            f"        out[i] = {call}",
            f"    return np.ascontiguousarray(out.reshape(v.shape).transpose(to_fixed_tuple(inv, {n})))"]


@overload(norm_grad, prefer_literal=True)
def _ol_norm_grad_matrix(x, ans, ord=None, axis=None):
    if not isinstance(x, types.Array) or x.ndim < 2:
        return None
    call = _one_matrix(ord)
    if call is None:
        return None
    if isinstance(axis, types.BaseTuple) and len(axis) == 2:
        if x.ndim == 2:
            return _gen(("norm_grad_pair", 2, call), lambda: _pair_lines(2, call), globals())
        return _gen(("norm_grad_pair", x.ndim, call), lambda: _pair_lines(x.ndim, call), globals())
    if _none(axis) and x.ndim == 2 and isinstance(ord, (types.Integer, types.Float)):
        return lambda x, ans, ord=None, axis=None: _matrix_grad(x, ans, float(ord))
