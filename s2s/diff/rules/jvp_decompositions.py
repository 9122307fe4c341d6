"""JVP rules of rules/decompositions.py (slogdet, cholesky, eigh, eigvalsh, eig, eigvals, svd, pinv,
matrix_power, qr and their runtime helpers), with the same conventions and the same
`supports`/`selects` checks. A tuple-valued function's rule returns the tuple of the
elements' tangents (slogdet's sign gets a zero tangent). eigh/eigvalsh/cholesky read the
lower triangle: the symmetric tangent they see is `h + h.T` with `h = tril_half(da)`.
"""
import numpy as np

from ..registry import JVP_RULES, selects, supports
from ..runtime import real_for, reduce_to, transpose_last, unreduce
from ..runtime_linalg import (
    block_diag_sum,
    block_diag_sum_t,
    block_ur,
    block_ur_t,
    eig_gaps,
    eig_vectors_jvp,
    eig_vectors_jvp_dv,
    eig_vectors_vjp,
    eig_vectors_vjp_dv,
    mp_base,
    mp_negative,
    reduced_only,
    strict_lower,
    tril_half,
)
from .decompositions import _cholesky_check, _pinv_check, _qr_check, _svd_check, _uplo_check, _upper

register = JVP_RULES.register
linear = JVP_RULES.linear


def _svd_select(known):
    return svd_values if known.get("compute_uv") is False else None


def _qr_select(known):
    return qr_r if known.get("mode") == "r" else None


def _eigh_select(known):
    return eigh_upper if _upper(known) else None


def _eigvalsh_select(known):
    return eigvalsh_upper if _upper(known) else None


@register(np.linalg.slogdet)
def slogdet(ans, a, da):
    """(0, tr(inv(A) dA))."""
    return 0.0 * ans[0], reduce_to(transpose_last(np.linalg.inv(a)) * da, ans[1], (-2, -1))


@register(np.linalg.cholesky)
@supports(_cholesky_check)
def cholesky(ans, a, da, upper=False):
    """dL = L Phi(L^-1 dS L^-T), Phi: lower triangle with half the diagonal."""
    h = tril_half(da)
    linv = np.linalg.inv(ans)
    return ans @ tril_half(linv @ (h + np.conj(transpose_last(h))) @ np.conj(transpose_last(linv)))


@register(np.linalg.eigh)
@supports(_uplo_check)
@selects(_eigh_select)
def eigh(ans, a, da, UPLO="L"):
    """P = V^H dS V: dw = diag(P) (real), dV = V (F * P)."""
    w = ans[0]
    v = ans[1]
    h = tril_half(da)
    dsv = (h + np.conj(transpose_last(h))) @ v
    return (np.real(reduce_to(np.conj(v) * dsv, w, -2)),
            v @ (eig_gaps(w) * (np.conj(transpose_last(v)) @ dsv)))


@JVP_RULES.variant(np.linalg.eigh)
@supports(_uplo_check)
def eigh_upper(ans, a, da, UPLO="L"):
    """UPLO='U': dS made from the upper triangle of dA."""
    w = ans[0]
    v = ans[1]
    h = tril_half(np.conj(transpose_last(da)))
    dsv = (h + np.conj(transpose_last(h))) @ v
    return (np.real(reduce_to(np.conj(v) * dsv, w, -2)),
            v @ (eig_gaps(w) * (np.conj(transpose_last(v)) @ dsv)))


@register(np.linalg.eig)
def eig(ans, a, da):
    """M = V^-1 dA V: dw = diag(M), dV = V (F * M) through the normalization (eig_vectors_jvp).
    Computed in complex (numba's `@` takes one dtype), real again where w and V are."""
    w = ans[0]
    v = ans[1] + 0j
    dav = (1.0 + 0j) * da @ v
    vi = np.linalg.inv(v)
    dv = eig_vectors_jvp(v @ (eig_gaps(w) * (vi @ dav)), v)
    return real_for(reduce_to(transpose_last(vi) * dav, w, -2), w), real_for(dv, ans[1])


@register(np.linalg.eigvals)
def eigvals(ans, a, da):
    """dw = diag(V^-1 dA V) (eigenvectors recomputed)."""
    v = np.linalg.eig(a)[1] + 0j
    return real_for(reduce_to(transpose_last(np.linalg.inv(v)) * ((1.0 + 0j) * da @ v), ans, -2), ans)


@register(np.linalg.eigvalsh)
@supports(_uplo_check)
@selects(_eigvalsh_select)
def eigvalsh(ans, a, da, UPLO="L"):
    """dw = diag(V^H dS V) (eigenvectors recomputed)."""
    v = np.linalg.eigh(a)[1]
    h = tril_half(da)
    return np.real(reduce_to(np.conj(v) * ((h + np.conj(transpose_last(h))) @ v), ans, -2))


@JVP_RULES.variant(np.linalg.eigvalsh)
@supports(_uplo_check)
def eigvalsh_upper(ans, a, da, UPLO="L"):
    """UPLO='U': the upper triangles of A and dA."""
    v = np.linalg.eigh(np.conj(transpose_last(a)))[1]
    h = tril_half(np.conj(transpose_last(da)))
    return np.real(reduce_to(np.conj(v) * ((h + np.conj(transpose_last(h))) @ v), ans, -2))


@register(np.linalg.svd)
@supports(_svd_check)
@selects(_svd_select)
def svd(ans, a, da, full_matrices=True, compute_uv=True, hermitian=False):
    """P = U^T dA V: dS = diag(P), dU = U (F * (P S + S P^T)) + (I - U U^T) dA V S^-1,
    dV = V (F * (S P + P^T S)) + (I - V V^T) dA^T U S^-1 (JAX's svd_jvp_rule)."""
    u = reduced_only(ans[0], ans[2])
    s = ans[1]
    vh = ans[2]
    v = transpose_last(vh)
    ut = transpose_last(u)
    f = eig_gaps(s * s)
    row = np.expand_dims(s, -2)
    col = np.expand_dims(s, -1)
    dav = da @ v
    datu = transpose_last(da) @ u
    p = ut @ dav
    dss = p * row
    sds = col * p
    du = u @ (f * (dss + transpose_last(dss))) + (dav - u @ (ut @ dav)) / row
    dv = v @ (f * (sds + transpose_last(sds))) + (datu - v @ (vh @ datu)) / row
    return du, reduce_to(u * dav, s, -2), transpose_last(dv)


@JVP_RULES.variant(np.linalg.svd)
@supports(_svd_check)
def svd_values(ans, a, da, full_matrices=True, compute_uv=True, hermitian=False):
    """dS = diag(U^T dA V) (vectors recomputed)."""
    usv = np.linalg.svd(a, False)
    return reduce_to(usv[0] * (da @ transpose_last(usv[2])), ans, -2)


@register(np.linalg.pinv)
@supports(_pinv_check)
def pinv(ans, a, da, rcond=None, hermitian=False):
    """dX = -X dA X + X X^T dA^T (I - A X) + (I - X A) dA^T X^T X (full rank)."""
    xt = transpose_last(ans)
    dat = transpose_last(da)
    return (-(ans @ da @ ans) + (ans @ xt) @ dat - (ans @ xt) @ dat @ (a @ ans)
            + dat @ (xt @ ans) - (ans @ a) @ dat @ (xt @ ans))


@register(np.linalg.matrix_power)
def matrix_power(ans, a, n, da, dn):
    """d C^p = the upper-right block of [[C, dC], [0, C]]^p, with C = A (dC = dA) or
    C = inv(A) (dC = -C dA C) for n < 0, p = |n|; linear in dA (the block is)."""
    c = mp_base(a, n)
    neg = mp_negative(n)
    dc = (1.0 - neg) * da - neg * (c @ da @ c)
    return block_ur(np.linalg.matrix_power(block_diag_sum_t(c) + block_ur_t(dc), np.abs(n)))


@register(np.linalg.qr)
@supports(_qr_check)
@selects(_qr_select)
def qr(ans, a, da, mode="reduced"):
    """Q from the first k = min(m, n) columns X (U: R's first k columns): Y = dX U^-1,
    Z = Q^T Y, dO = tril(Z, -1) - tril(Z, -1)^T, dQ = Q (dO - Z) + Y (JAX's qr_jvp_rule);
    R = Q^T A, so dR = dQ^T A + Q^T dA (= (Z - dO) R when m >= n)."""
    q = ans[0]
    r = ans[1]
    k = r.shape[-2]
    y = transpose_last(np.linalg.solve(transpose_last(r[..., :k]), transpose_last(da[..., :k])))
    z = transpose_last(q) @ y
    lo = strict_lower(z)
    dq = q @ (lo - transpose_last(lo) - z) + y
    return dq, transpose_last(dq) @ a + transpose_last(q) @ da


@JVP_RULES.variant(np.linalg.qr)
@supports(_qr_check)
def qr_r(ans, a, da, mode="reduced"):
    """qr(a, mode='r'): dR as in `qr` (Q recomputed)."""
    q = np.linalg.qr(a)[0]
    k = ans.shape[-2]
    y = transpose_last(np.linalg.solve(transpose_last(ans[..., :k]), transpose_last(da[..., :k])))
    z = transpose_last(q) @ y
    lo = strict_lower(z)
    dq = q @ (lo - transpose_last(lo) - z) + y
    return transpose_last(dq) @ a + transpose_last(q) @ da


@linear(np.split, np.array_split, nondiff=("indices_or_sections",))
def split(ary, indices_or_sections, axis=0):
    """Linear: the pieces of the tangent."""


@linear(np.hsplit, np.vsplit, np.dsplit, nondiff=("indices_or_sections",))
def hsplit(ary, indices_or_sections):
    """Linear: the pieces of the tangent."""


# -- the helpers -------------------------------------------------------------------------------
@linear(tril_half)
def tril_half_rule(x):
    """Linear."""


@linear(strict_lower)
def strict_lower_rule(x):
    """Linear."""


@linear(block_ur)
def block_ur_rule(x):
    """Linear."""


@linear(block_ur_t)
def block_ur_t_rule(x):
    """Linear."""


@linear(block_diag_sum)
def block_diag_sum_rule(x):
    """Linear."""


@linear(block_diag_sum_t)
def block_diag_sum_t_rule(x):
    """Linear."""


@register(eig_gaps)
def eig_gaps_rule(ans, w, dw):
    """dF_ij = -F_ij^2 (dw_j - dw_i)."""
    e = unreduce(dw, ans, -2)
    return -(ans * ans) * (e - transpose_last(e))


@register(eig_vectors_jvp)
def eig_vectors_jvp_rule(ans, d, v, dd, dv):
    """Linear in d; through v: eig_vectors_jvp_dv."""
    return eig_vectors_jvp(dd, v) + eig_vectors_jvp_dv(d, v, dv)


@register(eig_vectors_vjp)
def eig_vectors_vjp_rule(ans, gv, v, dgv, dv):
    """Linear in gv; through v: eig_vectors_vjp_dv (second derivatives of eigenvectors)."""
    return eig_vectors_vjp(dgv, v) + eig_vectors_vjp_dv(gv, v, dv)


@register(mp_base)
def mp_base_rule(ans, a, n, da, dn):
    """da, or -inv(a) da inv(a) for n < 0."""
    neg = mp_negative(n)
    return (1.0 - neg) * da - neg * (ans @ da @ ans)


@linear(reduced_only, nondiff=("vh",))
def reduced_only_rule(u, vh):
    """The identity on u."""
