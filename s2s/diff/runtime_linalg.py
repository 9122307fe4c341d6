"""Runtime helpers of the matrix-decomposition rules (rules/decompositions.py: slogdet,
cholesky, eigh/eigvalsh, svd, pinv, matrix_power, qr) and of np.linalg.multi_dot
(rules/linalg.py): the pieces their VJP and JVP templates are built from. Part of the
runtime (`s2s.diff.runtime` re-exports every name in `__all__`;
`s2s dump -o` copies this file after it), so self-contained like it: math and NumPy.

Every helper acts on the last two axes (stacked matrices broadcast as NumPy). The masks
(`tril_half`, `strict_lower`) are linear and self-adjoint; `block_ur`/`block_ur_t` and
`block_diag_sum`/`block_diag_sum_t` are linear and transposes of each other, so their
rules close over this file (rules in rules/decompositions.py).

multi_dot's helpers are the partial derivatives of <G, A_0 A_1 ... A_{N-1}> (a 1-d A_0 is a
row, a 1-d A_{N-1} a column): `multi_dot_t` sums the products with one operand replaced by
its tangent, `unmulti_dot` gives each operand its cotangent (a tuple), and the second-order
`multi_dot_tt`/`unmulti_dot_t` replace two operands (or one in the cotangent's product).
"""
import math  # noqa: F401

import numpy as np

from .runtime import DerivativeUnavailable  # noqa: E402  s2s-runtime-import

__all__ = ["tril_half", "strict_lower", "eig_gaps", "mp_base", "mp_negative", "block_ur", "block_ur_t",
           "block_diag_sum", "block_diag_sum_t", "reduced_only", "eig_vectors_jvp", "eig_vectors_vjp",
           "eig_vectors_jvp_dv", "eig_vectors_vjp_dv", "eig_vectors_jvp_dv_t",
           "eig_vectors_vjp_dv_t", "eig_third", "multi_dot_t", "multi_dot_tt", "unmulti_dot",
           "unmulti_dot_t"]


def tril_half(x):
    """The strictly lower triangle of x plus half its diagonal. eigh and cholesky read only
    the lower triangle L of their input: the symmetric matrix they see is
    `tril_half(a) + tril_half(a).T`, and a symmetric cotangent m goes back to a as
    `tril_half(m + m.T)`. Self-adjoint."""
    return np.tril(x, -1) + 0.5 * (np.tril(x) - np.tril(x, -1))


def strict_lower(x):
    """The strictly lower triangle of x (self-adjoint)."""
    return np.tril(x, -1)


def eig_gaps(w):
    """F[..., i, j] = 1 / (w_j - w_i) off the diagonal, 0 on it: the coupling of the
    eigenvectors (singular vectors with w = s**2) in the decomposition derivatives. Equal
    values (degenerate spectra) give inf: their vectors are not differentiable."""
    d = np.expand_dims(w, -2) - np.expand_dims(w, -1)
    eye = np.eye(np.shape(w)[-1])
    return (1.0 - eye) / (d + eye)


def _largest(v):
    """The row of each column's largest component (by modulus), as an index array for
    take_along_axis on the last two axes."""
    return np.expand_dims(np.argmax(np.abs(v), axis=-2), -2)


def eig_vectors_jvp(d, v):
    """The tangent of np.linalg.eig's eigenvectors from D = V (F * (V^-1 dA V)): NumPy (LAPACK)
    scales each eigenvector to unit norm and turns its largest component real, so the tangent
    keeps Re(v_j^H dv_j) = 0 and that component's phase (real eigenvectors: the norm only)."""
    dv = d - v * np.real(np.sum(np.conj(v) * d, axis=-2, keepdims=True))
    if not np.iscomplexobj(v):
        return dv
    k = _largest(v)
    return dv - 1j * v * np.imag(np.take_along_axis(dv, k, -2) / np.take_along_axis(v, k, -2))


def eig_vectors_vjp(gv, v):
    """The transpose of `eig_vectors_jvp` in its first argument (JAX's convention: the
    pairing Re(sum(a * b)) of complex cotangents and tangents)."""
    g1 = gv
    if np.iscomplexobj(v):
        k = _largest(v)
        c = np.imag(np.sum(gv * v, axis=-2, keepdims=True))
        g1 = np.array(gv, dtype=np.result_type(gv, v))
        np.put_along_axis(g1, k, np.take_along_axis(g1, k, -2) - 1j * c / np.take_along_axis(v, k, -2), -2)
    return g1 - np.conj(v) * np.real(np.sum(g1 * v, axis=-2, keepdims=True))


def eig_vectors_jvp_dv(d, v, dv):
    """The tangent of `eig_vectors_jvp(d, v)` for a tangent dv of v (linear in d, so the
    whole tangent is this plus eig_vectors_jvp(dd, v)). The largest components' rows are
    held fixed: they change only where two components tie."""
    r = np.real(np.sum(np.conj(v) * d, axis=-2, keepdims=True))
    dr = np.real(np.sum(np.conj(dv) * d, axis=-2, keepdims=True))
    out1, t1 = d - v * r, -dv * r - v * dr
    if not np.iscomplexobj(v):
        return t1
    k = _largest(v)
    vk, dvk = np.take_along_axis(v, k, -2), np.take_along_axis(dv, k, -2)
    t = np.imag(np.take_along_axis(out1, k, -2) / vk)
    dt = np.imag(np.take_along_axis(t1, k, -2) / vk - np.take_along_axis(out1, k, -2) * dvk / (vk * vk))
    return t1 - 1j * dv * t - 1j * v * dt


def eig_vectors_vjp_dv(gv, v, dv):
    """The tangent of `eig_vectors_vjp(gv, v)` for a tangent dv of v (linear in gv: the
    whole tangent is this plus eig_vectors_vjp(dgv, v))."""
    dgv = np.zeros(np.shape(gv))
    g1, dg1 = gv, dgv
    if np.iscomplexobj(v):
        k = _largest(v)
        vk, dvk = np.take_along_axis(v, k, -2), np.take_along_axis(dv, k, -2)
        c = np.imag(np.sum(gv * v, axis=-2, keepdims=True))
        dc = np.imag(np.sum(gv * dv, axis=-2, keepdims=True))
        dtype = np.result_type(gv, dgv, v, dv)
        g1, dg1 = np.array(gv, dtype=dtype), np.array(dgv, dtype=dtype)
        np.put_along_axis(g1, k, np.take_along_axis(g1, k, -2) - 1j * c / vk, -2)
        np.put_along_axis(dg1, k, np.take_along_axis(dg1, k, -2) - 1j * (dc / vk - c * dvk / (vk * vk)), -2)
    r = np.real(np.sum(g1 * v, axis=-2, keepdims=True))
    dr = np.real(np.sum(dg1 * v + g1 * dv, axis=-2, keepdims=True))
    return dg1 - np.conj(dv) * r - np.conj(v) * dr


def eig_vectors_jvp_dv_t(g, d, v):
    """The transpose of dv -> eig_vectors_jvp_dv(d, v, dv): v's cotangent (derivatives of
    derivatives in reverse mode)."""
    r = np.real(np.sum(np.conj(v) * d, axis=-2, keepdims=True))
    gt1, gdv = g, 0.0
    if np.iscomplexobj(v):
        k = _largest(v)
        vk = np.take_along_axis(v, k, -2)
        out1k = np.take_along_axis(d - v * r, k, -2)
        t = np.imag(out1k / vk)
        c = np.imag(np.sum(g * v, axis=-2, keepdims=True))
        gdv = -1j * g * t
        extra = np.zeros(np.shape(g), dtype=complex)
        np.put_along_axis(extra, k, 1j * c * out1k / (vk * vk), -2)
        gdv = gdv + extra
        gt1 = np.array(g, dtype=complex)
        np.put_along_axis(gt1, k, np.take_along_axis(gt1, k, -2) - 1j * c / vk, -2)
    e = -np.real(np.sum(gt1 * v, axis=-2, keepdims=True))
    return gdv - gt1 * r + e * np.conj(d)


def eig_vectors_vjp_dv_t(g, gv, v):
    """The transpose of dv -> eig_vectors_vjp_dv(gv, v, dv): v's cotangent."""
    f = -np.real(np.sum(g * np.conj(v), axis=-2, keepdims=True))
    g1, gdg1 = gv, g + f * v
    out = 0.0
    if np.iscomplexobj(v):
        k = _largest(v)
        vk = np.take_along_axis(v, k, -2)
        c = np.imag(np.sum(gv * v, axis=-2, keepdims=True))
        g1 = np.array(gv, dtype=complex)
        np.put_along_axis(g1, k, np.take_along_axis(g1, k, -2) - 1j * c / vk, -2)
        h = np.take_along_axis(gdg1, k, -2)
        ct_dc = np.imag(h / vk)
        out = -1j * ct_dc * gv
        extra = np.zeros(np.shape(g), dtype=complex)
        np.put_along_axis(extra, k, 1j * c * h / (vk * vk), -2)
        out = out + extra
    r = np.real(np.sum(g1 * v, axis=-2, keepdims=True))
    return out - np.conj(g) * r + f * g1


def eig_third(ct, x):
    """The contribution of ct to an input of the eigenvector helpers' derivatives above:
    third derivatives of np.linalg.eig's eigenvectors have no rule (zeros where ct is zero)."""
    if np.any(np.asarray(ct) != 0):
        raise DerivativeUnavailable("third derivatives of np.linalg.eig's eigenvectors have no rule")
    return np.zeros(np.shape(x))


def mp_base(a, n):
    """The matrix `matrix_power(a, n)` raises to |n|: a, or inv(a) for n < 0."""
    return a if n >= 0 else np.linalg.inv(a)


def mp_negative(n):
    """1.0 for a negative power, else 0.0 (selects the inverse's chain rule arithmetically)."""
    return 1.0 if n < 0 else 0.0


def block_ur(x):
    """The upper-right block of a 2m x 2m matrix."""
    m = np.shape(x)[-1] // 2
    return x[..., :m, m:].copy()


def block_ur_t(x):
    """[[0, x], [0, 0]] (the transpose of `block_ur`)."""
    m = np.shape(x)[-1]
    out = np.zeros(np.shape(x)[:-2] + (2 * m, 2 * m), np.result_type(x, np.float64))
    out[..., :m, m:] = x
    return out


def block_diag_sum(x):
    """The sum of the two diagonal blocks of a 2m x 2m matrix."""
    m = np.shape(x)[-1] // 2
    return x[..., :m, :m] + x[..., m:, m:]


def block_diag_sum_t(x):
    """[[x, 0], [0, x]] (the transpose of `block_diag_sum`)."""
    m = np.shape(x)[-1]
    out = np.zeros(np.shape(x)[:-2] + (2 * m, 2 * m), np.result_type(x, np.float64))
    out[..., :m, :m] = x
    out[..., m:, m:] = x
    return out


def reduced_only(u, vh):
    """u, after checking that svd's U and Vh are the reduced ones (the extra singular vectors
    of full_matrices=True on a non-square matrix are not unique: no derivative)."""
    if np.shape(u)[-1] != np.shape(vh)[-2]:
        raise ValueError("the derivative of np.linalg.svd with full_matrices=True needs a square matrix; "
                         "pass full_matrices=False")
    return u


# ------------------------------------------------------------------------------ multi_dot
def _md_mats(values, arrays):
    """`values` (operands, or tangents of them) as matrices: a 1-d first operand is a row, a
    1-d last one a column (as np.linalg.multi_dot reads `arrays`)."""
    out = []
    for k, (v, a) in enumerate(zip(values, arrays)):
        v = np.asarray(v, dtype=np.result_type(v, 0.0))
        if np.ndim(a) == 1:
            v = v.reshape((1, -1)) if k == 0 else v.reshape((-1, 1))
        out.append(v)
    return out


def _md_result(p, arrays):
    """The matrix product p in multi_dot's result shape (1-d ends dropped, a float for two)."""
    if np.ndim(arrays[0]) == 1:
        p = p[0]
    if np.ndim(arrays[-1]) == 1:
        p = p[..., 0]
    return float(p) if np.ndim(p) == 0 else p


def _md_chain(mats):
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return out


def _md_product(mats, subs):
    """The product of `mats` with the operands of `subs` ({position: matrix}) replaced."""
    return _md_chain([subs.get(k, m) for k, m in enumerate(mats)])


def _md_grad(mats, j, g, subs):
    """d <g, product(mats with subs)> / d operand j (subs must not replace j)."""
    left = [subs.get(k, mats[k]) for k in range(j)]
    right = [subs.get(k, mats[k]) for k in range(j + 1, len(mats))]
    out = g if not left else _md_chain(left).T @ g
    return out if not right else out @ _md_chain(right).T


def _md_ct(ct, mats):
    """The cotangent of the result as the product's matrix (a scalar fills it: a 1x1 product,
    or forward mode's literal zero)."""
    shape = (mats[0].shape[0], mats[-1].shape[1])
    if np.ndim(ct) == 0:
        return np.full(shape, ct, dtype=np.result_type(ct, 0.0))
    return np.reshape(np.asarray(ct, dtype=np.result_type(ct, 0.0)), shape)


def multi_dot_t(arrays, tangents):
    """The tangent of `np.linalg.multi_dot(arrays)`: the sum of the products with one operand
    replaced by its tangent."""
    mats, ts = _md_mats(arrays, arrays), _md_mats(tangents, arrays)
    return _md_result(sum(_md_product(mats, {k: ts[k]}) for k in range(len(mats))), arrays)


def multi_dot_tt(arrays, t1, t2):
    """Second order: the sum over pairs k != l of the products with operand k replaced by
    t1's and operand l by t2's."""
    mats, a, b = _md_mats(arrays, arrays), _md_mats(t1, arrays), _md_mats(t2, arrays)
    n = len(mats)
    return _md_result(sum(_md_product(mats, {k: a[k], m: b[m]}) for k in range(n) for m in range(n) if k != m),
                      arrays)


def unmulti_dot(ct, arrays):
    """One contribution per operand of `np.linalg.multi_dot(arrays)`: (A_0..A_{j-1})^T ct
    (A_{j+1}..)^T, in the operand's shape."""
    mats = _md_mats(arrays, arrays)
    g = _md_ct(ct, mats)
    return tuple(np.reshape(_md_grad(mats, j, g, {}), np.shape(a)) for j, a in enumerate(arrays))


def unmulti_dot_t(ct, arrays, tangents, ct_t=0.0):
    """The tangent of `unmulti_dot(ct, arrays)`: per operand j, the sum over k != j of its
    contribution with operand k replaced by its tangent, plus unmulti_dot(ct_t, arrays) (ct's
    tangent). `tangents` may be a literal 0.0 (no tangent: forward mode's folded zero)."""
    mats = _md_mats(arrays, arrays)
    g, dg = _md_ct(ct, mats), _md_ct(ct_t, mats)
    ts = _md_mats(tangents, arrays) if isinstance(tangents, (tuple, list)) else None
    out = []
    for j, a in enumerate(arrays):
        c = _md_grad(mats, j, dg, {})
        if ts is not None:
            c = c + sum(_md_grad(mats, j, g, {k: ts[k]}) for k in range(len(mats)) if k != j)
        out.append(np.reshape(c, np.shape(a)))
    return tuple(out)
