"""VJP rules of the matrix decompositions and functions of matrices: np.linalg.slogdet,
cholesky, eigh, eigvalsh, eig, eigvals, svd, pinv, matrix_power, qr; the list-valued np.split,
array_split, hsplit, vsplit, dsplit -- plus the rules of their runtime
helpers (runtime_linalg.py), so derivatives of derivatives close over them.

Conventions:
- Tuple-valued results (`sign, logdet = slogdet(a)`, `w, v = eigh(a)`, `u, s, vh = svd(a)`,
  `q, r = qr(a)`, `a, b = np.split(x, 2)`) are declared in `OUTPUTS`; the template's `g` is the tuple of the
  elements' cotangents (zeros for an element the user never reads) and `ans` the tuple.
- eigh, eigvalsh and cholesky read only the lower triangle of `a` (as LAPACK): the
  derivative is that of the function NumPy computes, so the upper triangle gets zero and the
  strictly lower one the sum of the symmetric gradient's two mirrored entries. For a
  symmetric `a` built from other variables (`b @ b.T`) the chain rule is exact.
- Eigenvectors and singular vectors are differentiable only for distinct eigenvalues /
  singular values (the F matrix 1/(w_j - w_i) is inf otherwise; JAX does the same).
- eig/eigvals of a general real matrix: complex eigenvalues and eigenvectors (when NumPy
  returns them) take complex cotangents, as JAX's; the real input gets the real part. The
  eigenvectors' derivative keeps NumPy's normalization (unit norm, largest component real).
- eigh, eigvalsh and cholesky take complex Hermitian input too (conjugate transposes where
  the real rules transpose; the diagonal's imaginary part, which LAPACK ignores, gets zero).
  Complex eigenvectors have a free phase: their derivative is the one with no phase change
  (as JAX's), which LAPACK's choice need not follow -- phase-invariant functions of them
  (|v|^2, v v^H) are exact.
- Otherwise only real inputs; eigh/eigvalsh with UPLO 'L' or 'U' (a constant), cholesky with upper=False, svd with
  hermitian=False, qr with mode 'reduced' or 'r' (any shape), pinv with hermitian=False are
  covered; svd's U and Vh are the reduced ones (full_matrices=False, or square matrices:
  non-square full_matrices=True raises a ValueError saying so when differentiated). Stacked matrices (leading batch
  axes) work in Python and under jit (runtime_numba_stacked.py loops numba's 2-d forms).
- slogdet's sign is piecewise constant (cotangent ignored); pinv is differentiated where
  its rank is constant (full rank), matrix_power for any integer n (negative: through inv).
"""
import numpy as np

from ..registry import JVP_RULES, NONDIFF, OUTPUTS, VJP_RULES, selects, supports
from ..runtime import real_for, transpose_last, unreduce
from ..runtime_linalg import (
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
    reduced_only,
    strict_lower,
    tril_half,
)

register = VJP_RULES.register
NONDIFF.register(mp_negative)


# -- what the tuple-valued functions return (registry.OUTPUTS) ---------------------------------
@OUTPUTS.register(np.linalg.slogdet, np.linalg.eigh, np.linalg.eig)
def _pair(known):
    return ("tuple", 2)


@OUTPUTS.register(np.linalg.svd)
def _svd_outputs(known):
    return ("tuple", 3) if known.get("compute_uv") is not False else None


@OUTPUTS.register(np.linalg.qr)
def _qr_outputs(known):
    return None if known.get("mode") == "r" else ("tuple", 2)


def _sections(known):
    """Pieces of np.split & co.: an int count, or a list/tuple of cut indices (a literal)."""
    sections = known.get("indices_or_sections")
    if isinstance(sections, int) and not isinstance(sections, bool):
        return ("tuple", sections)  # a list at run time; read with constant indices only
    if isinstance(sections, (list, tuple)):
        return ("tuple", len(sections) + 1)
    return None


OUTPUTS.register(np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit)(_sections)


# -- which calls are covered ----------------------------------------------------------------
def _complex(known, *names):
    return any(isinstance(known.get(n), complex) for n in names)


def _uplo_check(known):
    if known.get("UPLO", "L") not in ("L", "l", "U", "u"):
        return "with an UPLO that is not a constant 'L' or 'U'"
    return None


def _upper(known):
    return known.get("UPLO", "L") in ("U", "u")


def _eigh_select(known):
    return eigh_upper if _upper(known) else None


def _eigvalsh_select(known):
    return eigvalsh_upper if _upper(known) else None


def _cholesky_check(known):
    return "with upper=True" if known.get("upper", False) is not False else None


def _svd_check(known):
    if known.get("hermitian", False) is not False:
        return "with hermitian=True"
    if "compute_uv" not in known:
        return "with a compute_uv that is not a constant"
    return None


def _svd_select(known):
    return svd_values if known.get("compute_uv") is False else None


def _qr_check(known):
    mode = known.get("mode", "?")
    return None if mode in ("reduced", "r") else f"with mode={mode!r} (only 'reduced' and 'r')"


def _qr_select(known):
    return qr_r if known.get("mode") == "r" else None


def _pinv_check(known):
    return "with hermitian=True" if known.get("hermitian", False) is not False else None


# -- the rules ---------------------------------------------------------------------------------
@register(np.linalg.slogdet)
def slogdet(g, ans, a):
    """d log|det A| = tr(inv(A) dA); the sign is piecewise constant."""
    return unreduce(g[1], a, (-2, -1)) * transpose_last(np.linalg.inv(a))


@register(np.linalg.cholesky)
@supports(_cholesky_check)
def cholesky(g, ans, a, upper=False):
    """L = cholesky(S): S-bar = L^-T Phi(L^T L-bar) L^-1 (Phi: lower triangle, half diagonal),
    symmetrized, then folded onto the lower triangle NumPy reads."""
    linv = np.linalg.inv(ans)
    linv_h = np.conj(transpose_last(linv))
    s = linv_h @ tril_half(np.conj(transpose_last(ans)) @ np.conj(g)) @ linv
    return np.conj(tril_half(s + np.conj(transpose_last(s))))


@register(np.linalg.eigh)
@supports(_uplo_check)
@selects(_eigh_select)
def eigh(g, ans, a, UPLO="L"):
    """A = V diag(w) V^T: A-bar = V (diag(w-bar) + F * (V^T V-bar)) V^T, folded onto the lower
    triangle (the symmetric part is what a symmetric input sees)."""
    w = ans[0]
    v = ans[1]
    vh = np.conj(transpose_last(v))
    m = (v * np.expand_dims(g[0], -2) + v @ (eig_gaps(w) * (vh @ np.conj(g[1])))) @ vh
    return np.conj(tril_half(m + np.conj(transpose_last(m))))


@VJP_RULES.variant(np.linalg.eigh)
@supports(_uplo_check)
def eigh_upper(g, ans, a, UPLO="L"):
    """UPLO='U': the same, folded onto the upper triangle (the one LAPACK reads then)."""
    w = ans[0]
    v = ans[1]
    vh = np.conj(transpose_last(v))
    m = (v * np.expand_dims(g[0], -2) + v @ (eig_gaps(w) * (vh @ np.conj(g[1])))) @ vh
    return transpose_last(tril_half(m + np.conj(transpose_last(m))))


@register(np.linalg.eigvalsh)
@supports(_uplo_check)
@selects(_eigvalsh_select)
def eigvalsh(g, ans, a, UPLO="L"):
    """A-bar = V diag(w-bar) V^T (eigenvectors recomputed), folded onto the lower triangle."""
    v = np.linalg.eigh(a)[1]
    m = (v * np.expand_dims(g, -2)) @ np.conj(transpose_last(v))
    return np.conj(tril_half(m + np.conj(transpose_last(m))))


@VJP_RULES.variant(np.linalg.eigvalsh)
@supports(_uplo_check)
def eigvalsh_upper(g, ans, a, UPLO="L"):
    """UPLO='U': the eigenvectors of the matrix the upper triangle makes, the upper fold."""
    v = np.linalg.eigh(np.conj(transpose_last(a)))[1]
    m = (v * np.expand_dims(g, -2)) @ np.conj(transpose_last(v))
    return transpose_last(tril_half(m + np.conj(transpose_last(m))))


@register(np.linalg.eig)
def eig(g, ans, a):
    """A = V diag(w) V^-1: A-bar = V^-T (diag(w-bar) + F * (V^T G)) V^T, G the eigenvectors'
    cotangent through their normalization (eig_vectors_vjp); its real part for a real A.
    Computed in complex (`+ 0j`): numba's `@` takes operands of one dtype, and the
    cotangents of real eigenvalues may be complex."""
    w = ans[0]
    v = ans[1] + 0j
    vit = transpose_last(np.linalg.inv(v))
    vt = transpose_last(v)
    m = (vit * np.expand_dims(g[0] + 0j, -2) + vit @ (eig_gaps(w) * (vt @ eig_vectors_vjp(g[1] + 0j, v)))) @ vt
    return real_for(m, a)


@register(np.linalg.eigvals)
def eigvals(g, ans, a):
    """A-bar = V^-T diag(w-bar) V^T (eigenvectors recomputed); its real part for a real A."""
    v = np.linalg.eig(a)[1] + 0j
    m = (transpose_last(np.linalg.inv(v)) * np.expand_dims(g + 0j, -2)) @ transpose_last(v)
    return real_for(m, a)


@register(np.linalg.svd)
@supports(_svd_check)
@selects(_svd_select)
def svd(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    """(U, S, Vh), reduced; distinct nonzero singular values (Townsend 2016):
    A-bar = U [F*(U^T U-bar - U-bar^T U) S + diag(S-bar) + S F*(V^T V-bar - V-bar^T V)] V^T
            + (I - U U^T) U-bar S^-1 V^T + U S^-1 V-bar^T (I - V V^T),  F = 1/(s_j^2 - s_i^2)."""
    u = reduced_only(ans[0], ans[2])
    s = ans[1]
    vh = ans[2]
    gu = g[0]
    gvh = g[2]
    ut = transpose_last(u)
    v = transpose_last(vh)
    f = eig_gaps(s * s)
    row = np.expand_dims(s, -2)
    col = np.expand_dims(s, -1)
    inner = (f * (ut @ gu - transpose_last(gu) @ u)) * row + col * (f * (vh @ transpose_last(gvh) - gvh @ v))
    core = (u @ inner + u * np.expand_dims(g[1], -2)) @ vh
    left = ((gu - u @ (ut @ gu)) / row) @ vh
    right = (u / row) @ (gvh - (gvh @ v) @ vh)
    return core + left + right


@VJP_RULES.variant(np.linalg.svd)
@supports(_svd_check)
def svd_values(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    """svd(a, compute_uv=False): A-bar = U diag(s-bar) V^T (vectors recomputed)."""
    usv = np.linalg.svd(a, False)
    return (usv[0] * np.expand_dims(g, -2)) @ usv[2]


@register(np.linalg.pinv)
@supports(_pinv_check)
def pinv(g, ans, a, rcond=None, hermitian=False):
    """X = pinv(A), A of full rank (constant rank; Golub & Pereyra):
    A-bar = -X^T G X^T + (I - A X) G^T X X^T + X^T X G^T (I - X A)."""
    xt = transpose_last(ans)
    gt = transpose_last(g)
    return (-(xt @ g @ xt) + gt @ (ans @ xt) - (a @ ans) @ gt @ (ans @ xt)
            + (xt @ ans) @ gt - (xt @ ans) @ gt @ (ans @ a))


@register(np.linalg.matrix_power)
def matrix_power(g, ans, a, n):
    """A^n, n any integer: with C = A (or inv(A) for n < 0) and p = |n|, the contribution to
    C is the upper-right block of [[C^T, G], [0, C^T]]^p (the sum of C^T^k G C^T^(p-1-k));
    through inv for n < 0 (selected arithmetically: no branch, no inverse for n >= 0)."""
    c = mp_base(a, n)
    ct = transpose_last(c)
    gc = block_ur(np.linalg.matrix_power(block_diag_sum_t(ct) + block_ur_t(g), np.abs(n)))
    neg = mp_negative(n)
    return (1.0 - neg) * gc - neg * (ct @ gc @ ct), None


@register(np.linalg.qr)
@supports(_qr_check)
@selects(_qr_select)
def qr(g, ans, a, mode="reduced"):
    """(Q, R) reduced, full rank, any shape: Q depends on the first k = min(m, n) columns X
    alone and R = Q^T A, so Q-bar collects A R-bar^T and A-bar = Q R-bar plus X-bar from
    M = Q^T Q-bar, X-bar = (Q-bar + Q (tril(M - M^T, -1) - M)) U^-T (U: R's first k columns)."""
    q = ans[0]
    r = ans[1]
    k = r.shape[-2]
    gq = g[0] + a @ transpose_last(g[1])
    m = transpose_last(q) @ gq
    b = gq + q @ (strict_lower(m - transpose_last(m)) - m)
    gx = transpose_last(np.linalg.solve(r[..., :k], transpose_last(b)))
    pad = np.zeros(a.shape[:-1] + (a.shape[-1] - k,))
    return q @ g[1] + np.concatenate((gx, pad), axis=-1)


@VJP_RULES.variant(np.linalg.qr)
@supports(_qr_check)
def qr_r(g, ans, a, mode="reduced"):
    """qr(a, mode='r'): R alone (Q recomputed); Q-bar = 0 in the rule of `qr`."""
    q = np.linalg.qr(a)[0]
    k = ans.shape[-2]
    gq = a @ transpose_last(g)
    m = transpose_last(q) @ gq
    b = gq + q @ (strict_lower(m - transpose_last(m)) - m)
    gx = transpose_last(np.linalg.solve(ans[..., :k], transpose_last(b)))
    pad = np.zeros(a.shape[:-1] + (a.shape[-1] - k,))
    return q @ g + np.concatenate((gx, pad), axis=-1)


@register(np.split, np.array_split)
def split(g, ans, ary, indices_or_sections, axis=0):
    """The pieces' cotangents joined back (indices_or_sections: an int or a list literal)."""
    return np.concatenate(g, axis), None


@register(np.hsplit)
def hsplit(g, ans, ary, indices_or_sections):
    return np.hstack(g), None


@register(np.vsplit)
def vsplit(g, ans, ary, indices_or_sections):
    return np.vstack(g), None


@register(np.dsplit)
def dsplit(g, ans, ary, indices_or_sections):
    """Pieces along the third axis (ary of 3 or more dimensions)."""
    return np.concatenate(g, 2), None


# -- rules of the helpers (derivatives of derivatives) ------------------------------------------
@register(tril_half)
def tril_half_rule(g, ans, x):
    """Self-adjoint."""
    return tril_half(g)


@register(strict_lower)
def strict_lower_rule(g, ans, x):
    """Self-adjoint."""
    return strict_lower(g)


@register(eig_gaps)
def eig_gaps_rule(g, ans, w):
    """dF_ij = -F_ij^2 (dw_j - dw_i)."""
    gf = g * ans * ans
    return np.sum(gf, axis=-1) - np.sum(gf, axis=-2)


@register(eig_vectors_jvp)
def eig_vectors_jvp_rule(g, ans, d, v):
    """Linear in d, with eig_vectors_vjp its transpose; through v: eig_vectors_jvp_dv_t."""
    return eig_vectors_vjp(g, v), eig_vectors_jvp_dv_t(g, d, v)


@register(eig_vectors_vjp)
def eig_vectors_vjp_rule(g, ans, gv, v):
    """Linear in gv, with eig_vectors_jvp its transpose; through v: eig_vectors_vjp_dv_t."""
    return eig_vectors_jvp(g, v), eig_vectors_vjp_dv_t(g, gv, v)


# The tangents of the eigenvector helpers appear in second derivatives; differentiating them
# again (third derivatives of eigenvectors) has no rule: a clear error where it is reached.
NONDIFF.register(eig_third)


@register(eig_vectors_jvp_dv, eig_vectors_vjp_dv, eig_vectors_jvp_dv_t, eig_vectors_vjp_dv_t)
def eig_vectors_second_rule(g, ans, a, b, c):
    return eig_third(g, a), eig_third(g, b), eig_third(g, c)


@JVP_RULES.register(eig_vectors_jvp_dv, eig_vectors_vjp_dv, eig_vectors_jvp_dv_t, eig_vectors_vjp_dv_t)
def eig_vectors_second_tangent(ans, a, b, c, da, db, dc):
    return eig_third(da, ans) + eig_third(db, ans) + eig_third(dc, ans)


@register(mp_base)
def mp_base_rule(g, ans, a, n):
    """a, or inv(a) for n < 0 (d inv = -inv da inv), selected arithmetically."""
    neg = mp_negative(n)
    at = transpose_last(ans)
    return (1.0 - neg) * g - neg * (at @ g @ at), None


@register(block_ur)
def block_ur_rule(g, ans, x):
    return block_ur_t(g)


@register(block_ur_t)
def block_ur_t_rule(g, ans, x):
    return block_ur(g)


@register(block_diag_sum)
def block_diag_sum_rule(g, ans, x):
    return block_diag_sum_t(g)


@register(block_diag_sum_t)
def block_diag_sum_t_rule(g, ans, x):
    return block_diag_sum(g)


@register(reduced_only)
def reduced_only_rule(g, ans, u, vh):
    """The identity on u."""
    return g, None
