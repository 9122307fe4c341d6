"""numba overloads of the helpers in runtime_linalg.py (types decide the implementation at compile
time, as in runtime_numba.py); copied into standalone dumped modules like it. NumPy-under-numba
has the decompositions for single 2-d matrices only, so these take 2-d matrices (1-d
eigenvalue vectors), written as plain loops.

Also the covariance helpers of runtime_stats.py (np.cov/np.corrcoef's observation matrices,
1-d and 2-d), and the NumPy functions numba lacks: np.linalg.multi_dot (a tuple of 1-d/2-d operands) and
its helpers (code generated per number and ranks of the operands), and NumPy 2's
array-API np.linalg.outer, cross (along the last axis), matmul (1-d/2-d), vecdot (not the
ufunc np.vecdot: numba maps ufuncs over elements), diagonal, trace, matrix_transpose and
np.matrix_transpose.
"""
import numpy as np
from numba import types
from numba.core import errors
from numba.extending import overload

from .runtime_linalg import (  # s2s-runtime-import
    block_diag_sum,
    block_diag_sum_t,
    block_ur,
    block_ur_t,
    eig_gaps,
    eig_third,
    eig_vectors_jvp,
    eig_vectors_jvp_dv,
    eig_vectors_jvp_dv_t,
    eig_vectors_vjp,
    eig_vectors_vjp_dv,
    eig_vectors_vjp_dv_t,
    mp_base,
    mp_negative,
    multi_dot_t,
    multi_dot_tt,
    reduced_only,
    strict_lower,
    tril_half,
    unmulti_dot,
    unmulti_dot_t,
)
from .runtime import DerivativeUnavailable  # noqa: F401
from .runtime_numba import _arr, _gen, _none  # noqa: F401
from .runtime_stats import as_square, cov_scale, obs_rows, unobs_rows  # noqa: F401
# s2s-runtime-import


def _la_matrix(x):
    return isinstance(x, types.Array) and x.ndim == 2


def _result_dtype(x):
    """complex128 for complex input (Hermitian rules), float64 otherwise."""
    return np.complex128 if isinstance(x.dtype, types.Complex) else np.float64


@overload(tril_half)
def _ol_tril_half(x):
    if _la_matrix(x):
        dt = _result_dtype(x)

        def impl(x):
            out = np.zeros(x.shape, dt)
            for i in range(x.shape[0]):
                for j in range(min(i, x.shape[1])):
                    out[i, j] = x[i, j]
                if i < x.shape[1]:
                    out[i, i] = 0.5 * x[i, i]
            return out
        return impl


@overload(strict_lower)
def _ol_strict_lower(x):
    if _la_matrix(x):
        dt = _result_dtype(x)

        def impl(x):
            out = np.zeros(x.shape, dt)
            for i in range(x.shape[0]):
                for j in range(min(i, x.shape[1])):
                    out[i, j] = x[i, j]
            return out
        return impl


@overload(eig_gaps)
def _ol_eig_gaps(w):
    if isinstance(w, types.Array) and w.ndim == 1:
        def impl(w):
            n = w.shape[0]
            out = np.zeros((n, n), w.dtype)  # (complex eigenvalues: np.linalg.eig's)
            for i in range(n):
                for j in range(n):
                    if i != j:
                        out[i, j] = 1.0 / (w[j] - w[i])
            return out
        return impl


def _complex_array(t):
    return isinstance(t, types.Array) and isinstance(t.dtype, types.Complex)


def _largest_row(v, j):
    """The row of column j's largest component (by modulus): LAPACK makes it real."""


@overload(_largest_row)
def _ol_largest_row(v, j):
    def impl(v, j):
        k = 0
        for i in range(1, v.shape[0]):
            if abs(v[i, j]) > abs(v[k, j]):
                k = i
        return k
    return impl


@overload(eig_vectors_jvp)
def _ol_eig_vectors_jvp(d, v):
    if not (_arr(d) and _arr(v) and d.ndim == 2 and v.ndim == 2):
        return None
    phase = _complex_array(v)

    def impl(d, v):
        n, m = v.shape
        r = np.zeros(m)
        for j in range(m):
            for i in range(n):
                r[j] += (np.conj(v[i, j]) * d[i, j]).real
        dv = d - v * r
        if phase:  # the largest component's phase stays
            for j in range(m):
                k = _largest_row(v, j)
                t = (dv[k, j] / v[k, j]).imag
                for i in range(n):
                    dv[i, j] = dv[i, j] - 1j * v[i, j] * t
        return dv
    return impl


@overload(eig_vectors_vjp)
def _ol_eig_vectors_vjp(gv, v):
    if not (_arr(gv) and _arr(v) and gv.ndim == 2 and v.ndim == 2):
        return None
    phase = _complex_array(v)

    def impl(gv, v):
        n, m = v.shape
        g1 = gv + 0.0 * v  # (the common dtype, a copy)
        if phase:
            for j in range(m):
                k = _largest_row(v, j)
                c = 0.0
                for i in range(n):
                    c += (gv[i, j] * v[i, j]).imag
                g1[k, j] = g1[k, j] - 1j * c / v[k, j]
        r = np.zeros(m)
        for j in range(m):
            for i in range(n):
                r[j] += (g1[i, j] * v[i, j]).real
        return g1 - np.conj(v) * r
    return impl


@overload(eig_vectors_jvp_dv)
def _ol_eig_vectors_jvp_dv(d, v, dv):
    if not all(_arr(t) and t.ndim == 2 for t in (d, v, dv)):
        return None
    phase = _complex_array(v)

    def impl(d, v, dv):
        n, m = v.shape
        r = np.zeros(m)
        dr = np.zeros(m)
        for j in range(m):
            for i in range(n):
                r[j] += (np.conj(v[i, j]) * d[i, j]).real
                dr[j] += (np.conj(dv[i, j]) * d[i, j]).real
        out1 = d - v * r
        t1 = -dv * r - v * dr
        if phase:
            for j in range(m):
                k = _largest_row(v, j)
                t = (out1[k, j] / v[k, j]).imag
                dt = (t1[k, j] / v[k, j] - out1[k, j] * dv[k, j] / (v[k, j] * v[k, j])).imag
                for i in range(n):
                    t1[i, j] = t1[i, j] - 1j * dv[i, j] * t - 1j * v[i, j] * dt
        return t1
    return impl


@overload(eig_vectors_vjp_dv)
def _ol_eig_vectors_vjp_dv(gv, v, dv):
    if not all(_arr(t) and t.ndim == 2 for t in (gv, v, dv)):
        return None
    phase = _complex_array(v)

    def impl(gv, v, dv):
        n, m = v.shape
        g1 = gv + 0.0 * v * dv  # (the common dtype, a copy)
        dg1 = 0.0 * g1
        if phase:
            for j in range(m):
                k = _largest_row(v, j)
                c = 0.0
                dc = 0.0
                for i in range(n):
                    c += (gv[i, j] * v[i, j]).imag
                    dc += (gv[i, j] * dv[i, j]).imag
                g1[k, j] = g1[k, j] - 1j * c / v[k, j]
                dg1[k, j] = dg1[k, j] - 1j * (dc / v[k, j] - c * dv[k, j] / (v[k, j] * v[k, j]))
        r = np.zeros(m)
        dr = np.zeros(m)
        for j in range(m):
            for i in range(n):
                r[j] += (g1[i, j] * v[i, j]).real
                dr[j] += (dg1[i, j] * v[i, j] + g1[i, j] * dv[i, j]).real
        return dg1 - np.conj(dv) * r - np.conj(v) * dr
    return impl


@overload(eig_third)
def _ol_eig_third(ct, x):
    def impl(ct, x):
        if np.any(np.asarray(ct) != 0):
            raise DerivativeUnavailable("third derivatives of np.linalg.eig's eigenvectors have no rule")
        return np.zeros(np.shape(x))
    return impl


@overload(eig_vectors_jvp_dv_t)
def _ol_eig_vectors_jvp_dv_t(g, d, v):
    if not all(_arr(t) and t.ndim == 2 for t in (g, d, v)):
        return None
    phase = _complex_array(v)

    def impl(g, d, v):
        n, m = v.shape
        r = np.zeros(m)
        for j in range(m):
            for i in range(n):
                r[j] += (np.conj(v[i, j]) * d[i, j]).real
        gt1 = g + 0.0 * v * d  # (the common dtype, a copy)
        gdv = 0.0 * gt1
        if phase:
            for j in range(m):
                k = _largest_row(v, j)
                vk = v[k, j]
                out1k = d[k, j] - vk * r[j]
                t = (out1k / vk).imag
                c = 0.0
                for i in range(n):
                    c += (g[i, j] * v[i, j]).imag
                    gdv[i, j] = gdv[i, j] - 1j * g[i, j] * t
                gdv[k, j] = gdv[k, j] + 1j * c * out1k / (vk * vk)
                gt1[k, j] = gt1[k, j] - 1j * c / vk
        e = np.zeros(m)
        for j in range(m):
            for i in range(n):
                e[j] -= (gt1[i, j] * v[i, j]).real
        return gdv - gt1 * r + e * np.conj(d)
    return impl


@overload(eig_vectors_vjp_dv_t)
def _ol_eig_vectors_vjp_dv_t(g, gv, v):
    if not all(_arr(t) and t.ndim == 2 for t in (g, gv, v)):
        return None
    phase = _complex_array(v)

    def impl(g, gv, v):
        n, m = v.shape
        f = np.zeros(m)
        for j in range(m):
            for i in range(n):
                f[j] -= (g[i, j] * np.conj(v[i, j])).real
        gdg1 = g + f * v
        g1 = gv + 0.0 * v * g  # (the common dtype, a copy)
        out = 0.0 * (g1 + gdg1)
        if phase:
            for j in range(m):
                k = _largest_row(v, j)
                vk = v[k, j]
                c = 0.0
                for i in range(n):
                    c += (gv[i, j] * v[i, j]).imag
                g1[k, j] = g1[k, j] - 1j * c / vk
                h = gdg1[k, j]
                ct = (h / vk).imag
                for i in range(n):
                    out[i, j] = out[i, j] - 1j * ct * gv[i, j]
                out[k, j] = out[k, j] + 1j * c * h / (vk * vk)
        r = np.zeros(m)
        for j in range(m):
            for i in range(n):
                r[j] += (g1[i, j] * v[i, j]).real
        return out - np.conj(g) * r + f * g1
    return impl


@overload(mp_base)
def _ol_mp_base(a, n):
    if isinstance(a, types.Array) and a.ndim >= 2 and isinstance(n, types.Integer):  # (stacks: inv maps)
        def impl(a, n):
            if n >= 0:
                return np.ascontiguousarray(a) + 0.0
            return np.ascontiguousarray(np.linalg.inv(a))
        return impl


@overload(mp_negative)
def _ol_mp_negative(n):
    if isinstance(n, types.Integer):
        return lambda n: 1.0 if n < 0 else 0.0


@overload(block_ur)
def _ol_block_ur(x):
    if _la_matrix(x):
        def impl(x):
            m = x.shape[1] // 2
            return np.ascontiguousarray(x[:m, m:]) + 0.0
        return impl


@overload(block_ur_t)
def _ol_block_ur_t(x):
    if _la_matrix(x):
        def impl(x):
            m = x.shape[1]
            out = np.zeros((2 * m, 2 * m))
            out[:m, m:] = x
            return out
        return impl


@overload(block_diag_sum)
def _ol_block_diag_sum(x):
    if _la_matrix(x):
        def impl(x):
            m = x.shape[1] // 2
            return x[:m, :m] + x[m:, m:]
        return impl


@overload(block_diag_sum_t)
def _ol_block_diag_sum_t(x):
    if _la_matrix(x):
        def impl(x):
            m = x.shape[1]
            out = np.zeros((2 * m, 2 * m))
            out[:m, :m] = x
            out[m:, m:] = x
            return out
        return impl


@overload(reduced_only)
def _ol_reduced_only(u, vh):
    if _la_matrix(u) and _la_matrix(vh):
        def impl(u, vh):
            if u.shape[1] != vh.shape[0]:
                raise ValueError("the derivative of np.linalg.svd with full_matrices=True needs a square matrix; "
                                 "pass full_matrices=False")
            return u
        return impl


# ---------------------------------------------------------------------- cov, corrcoef
@overload(obs_rows)
def _ol_obs_rows(m, rowvar=True):
    if _arr(m) and m.ndim == 1:
        return lambda m, rowvar=True: (m * 1.0).reshape((1, m.shape[0]))
    if _arr(m) and m.ndim == 2:
        def impl(m, rowvar=True):
            if not rowvar and m.shape[0] != 1:
                return np.ascontiguousarray(m.T) * 1.0
            return np.ascontiguousarray(m) * 1.0
        return impl


@overload(unobs_rows)
def _ol_unobs_rows(ct, m, rowvar=True):
    if _arr(ct) and _arr(m) and m.ndim == 1:
        return lambda ct, m, rowvar=True: np.ascontiguousarray(ct).reshape(m.shape)
    if _arr(ct) and _arr(m) and m.ndim == 2:
        def impl(ct, m, rowvar=True):
            if not rowvar and m.shape[0] != 1:
                return np.ascontiguousarray(ct.T)
            return np.ascontiguousarray(ct)
        return impl


@overload(as_square)
def _ol_as_square(ct, x):
    if isinstance(ct, types.Array) and ct.ndim == 2:
        return lambda ct, x: ct * 1.0
    if isinstance(ct, types.Array) and ct.ndim == 0:
        return lambda ct, x: np.full((1, 1), ct[()] * 1.0)
    if isinstance(ct, (types.Number, types.Boolean)):
        return lambda ct, x: np.full((1, 1), ct * 1.0)


@overload(cov_scale)
def _ol_cov_scale(x, bias=False, ddof=None):
    if _none(ddof):
        return lambda x, bias=False, ddof=None: 1.0 / (x.shape[1] - (0 if bias else 1))
    return lambda x, bias=False, ddof=None: 1.0 / (x.shape[1] - ddof)


# ---------------------------------------------------- NumPy 2's array-API linear algebra
def _la_arrays(*xs):
    return all(isinstance(x, types.Array) and x.ndim >= 1 for x in xs)


@overload(np.linalg.outer)
def _ol_linalg_outer(x1, x2):
    if _la_arrays(x1, x2) and x1.ndim == x2.ndim == 1:
        return lambda x1, x2: np.outer(x1, x2)


@overload(np.linalg.cross)
def _ol_linalg_cross(x1, x2, axis=-1):
    if _la_arrays(x1, x2):
        nd = max(x1.ndim, x2.ndim)

        def impl(x1, x2, axis=-1):
            if axis % nd != nd - 1:
                raise ValueError("np.linalg.cross under numba: vectors along the last axis only")
            return np.cross(x1, x2)
        return impl


@overload(np.linalg.matmul)
def _ol_linalg_matmul(x1, x2):
    if _la_arrays(x1, x2) and x1.ndim <= 2 and x2.ndim <= 2:  # numba's `@`
        return lambda x1, x2: x1 @ x2


def _vecdot_typer(x1, x2, axis=-1):
    if not _la_arrays(x1, x2):
        return None
    nd = max(x1.ndim, x2.ndim)
    if nd == 1:
        return lambda x1, x2, axis=-1: np.sum(x1 * x2)
    return lambda x1, x2, axis=-1: np.sum(x1 * x2, axis=axis % nd)


# (np.vecdot, a generalized ufunc, cannot be overloaded: numba maps ufuncs over elements.)
overload(np.linalg.vecdot)(_vecdot_typer)


@overload(np.linalg.diagonal)
def _ol_linalg_diagonal(x, offset=0):
    if isinstance(x, types.Array) and x.ndim >= 2:
        return lambda x, offset=0: np.diagonal(x, offset, -2, -1)


@overload(np.linalg.trace)
def _ol_linalg_trace(x, offset=0, dtype=None):
    if isinstance(x, types.Array) and x.ndim == 2:
        return lambda x, offset=0, dtype=None: np.trace(x, offset)
    if isinstance(x, types.Array) and x.ndim > 2:
        ax = x.ndim - 2
        return lambda x, offset=0, dtype=None: np.sum(np.diagonal(x, offset, -2, -1), axis=ax)


def _matrix_transpose_typer(x):
    if isinstance(x, types.Array) and x.ndim >= 2:
        return lambda x: np.ascontiguousarray(np.swapaxes(x, -1, -2))


overload(np.linalg.matrix_transpose)(_matrix_transpose_typer)
if hasattr(np, "matrix_transpose"):
    overload(np.matrix_transpose)(_matrix_transpose_typer)


# ------------------------------------------------------------------------------ multi_dot
def _md_ndims(arrays):
    """The operands' ranks, checked: a tuple (or list literal) of 2-d arrays, the first and
    last may be 1-d."""
    if not isinstance(arrays, (types.BaseTuple, types.LiteralList)) or len(arrays.types) < 2 \
            or not all(isinstance(t, types.Array) for t in arrays.types):
        return None
    nds = tuple(t.ndim for t in arrays.types)
    if any(nd != 2 for nd in nds[1:-1]) or any(nd not in (1, 2) for nd in (nds[0], nds[-1])):
        raise errors.TypingError("np.linalg.multi_dot under numba takes a tuple of 2-d arrays (the first and "
                                 "last may be 1-d)")
    return nds


def _md_load(nds, src, prefix):
    """Lines: `<prefix>k` = operand k of `src` as a C-ordered float matrix (row/column)."""
    out = []
    for k, nd in enumerate(nds):
        a, size = f"np.ascontiguousarray({src}[{k}])", f"{src}[{k}].shape[0]"
        shape = "" if nd == 2 else f".reshape((1, {size}))" if k == 0 else f".reshape(({size}, 1))"
        out.append(f"    {prefix}{k} = {a}{shape} * 1.0")
    return out


def _md_chain(names):
    return " @ ".join(names)


def _md_result(nds, expr):
    if nds[0] == 1 and nds[-1] == 1:
        return f"({expr})[0, 0]"
    if nds[0] == 1:
        return f"np.ascontiguousarray(({expr})[0])"
    if nds[-1] == 1:
        return f"np.ascontiguousarray(({expr})[:, 0])"
    return expr


def _md_grad(n, j, subs, g):
    """The expression of d <g, product> / d operand j, operands k replaced by subs[k]."""
    left = [subs.get(k, f"m{k}") for k in range(j)]
    right = [subs.get(k, f"m{k}") for k in range(j + 1, n)]
    out = g if not left else f"({_md_chain(left)}).T @ {g}"
    return out if not right else f"{out} @ ({_md_chain(right)}).T"


def _md_ct(ct, g, last, scalar):
    shape = f"(m0.shape[0], m{last}.shape[1])"
    if scalar:
        return f"    {g} = np.full({shape}, {ct} * 1.0)"
    return f"    {g} = np.ascontiguousarray({ct}).reshape({shape}) * 1.0"


def _md_lines(kind, nds, scalar_ct=False, scalar_dct=True, no_tangents=False):
    n = len(nds)
    terms = []
    if kind == "multi_dot":
        head, body = "def impl(arrays, out=None):", []
        terms = [_md_chain([f"m{k}" for k in range(n)])]
    elif kind == "multi_dot_t":
        head, body = "def impl(arrays, tangents):", _md_load(nds, "tangents", "t")
        terms = [_md_chain([f"t{k}" if k == i else f"m{k}" for k in range(n)]) for i in range(n)]
    elif kind == "multi_dot_tt":
        head, body = "def impl(arrays, t1, t2):", _md_load(nds, "t1", "a") + _md_load(nds, "t2", "b")
        terms = [_md_chain([f"a{k}" if k == i else f"b{k}" if k == m else f"m{k}" for k in range(n)])
                 for i in range(n) for m in range(n) if i != m]
    if terms:
        lines = [head] + _md_load(nds, "arrays", "m") + body
        return lines + [f"    total = {' + '.join(terms)}", f"    return {_md_result(nds, 'total')}"]
    if kind == "unmulti_dot":
        lines = ["def impl(ct, arrays):"] + _md_load(nds, "arrays", "m") + [_md_ct("ct", "g", n - 1, scalar_ct)]
        parts = [_md_grad(n, j, {}, "g") for j in range(n)]
    else:  # unmulti_dot_t
        lines = (["def impl(ct, arrays, tangents, ct_t=0.0):"] + _md_load(nds, "arrays", "m")
                 + ([] if no_tangents else _md_load(nds, "tangents", "t"))
                 + [_md_ct("ct", "g", n - 1, scalar_ct), _md_ct("ct_t", "dg", n - 1, scalar_dct)])
        parts = [" + ".join([_md_grad(n, j, {}, "dg")] + ([] if no_tangents else [
            _md_grad(n, j, {k: f"t{k}"}, "g") for k in range(n) if k != j])) for j in range(n)]
    return lines + ["    return (" + "".join(f"np.ascontiguousarray({p}).reshape(arrays[{j}].shape), "
                                        for j, p in enumerate(parts)) + ")"]


def _scalar(t):
    return isinstance(t, (types.Number, types.Boolean))


@overload(np.linalg.multi_dot)
def _ol_multi_dot(arrays, out=None):
    item = arrays.dtype if isinstance(arrays, types.List) else getattr(arrays, "item_type", None)
    if isinstance(arrays, (types.List, types.ListType)) and isinstance(item, types.Array) and item.ndim == 2:
        def impl(arrays, out=None):  # a list of matrices, left to right
            p = np.ascontiguousarray(arrays[0]) * 1.0
            for k in range(1, len(arrays)):
                p = p @ np.ascontiguousarray(arrays[k])
            return p
        return impl
    nds = _md_ndims(arrays)
    if nds is not None:
        return _gen(("multi_dot", nds), lambda: _md_lines("multi_dot", nds), globals())


@overload(multi_dot_t)
def _ol_multi_dot_t(arrays, tangents):
    nds = _md_ndims(arrays)
    if nds is not None:
        return _gen(("multi_dot_t", nds), lambda: _md_lines("multi_dot_t", nds), globals())


@overload(multi_dot_tt)
def _ol_multi_dot_tt(arrays, t1, t2):
    nds = _md_ndims(arrays)
    if nds is not None:
        return _gen(("multi_dot_tt", nds), lambda: _md_lines("multi_dot_tt", nds), globals())


@overload(unmulti_dot)
def _ol_unmulti_dot(ct, arrays):
    nds = _md_ndims(arrays)
    if nds is not None:
        key = ("unmulti_dot", nds, _scalar(ct))
        return _gen(key, lambda: _md_lines("unmulti_dot", nds, _scalar(ct)), globals())


@overload(unmulti_dot_t)
def _ol_unmulti_dot_t(ct, arrays, tangents, ct_t=0.0):
    nds = _md_ndims(arrays)
    if nds is not None:
        flags = (_scalar(ct), _scalar(ct_t) or isinstance(ct_t, types.Omitted), _scalar(tangents))
        return _gen(("unmulti_dot_t", nds, flags), lambda: _md_lines("unmulti_dot_t", nds, *flags), globals())
