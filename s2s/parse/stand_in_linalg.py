"""NumPy sources standing in for scipy.linalg functions (and np.linalg.lstsq) inside
transformed code (parse/stand_ins.py maps `scipy.linalg.solve_triangular` & co. to these),
transformed like the user's own helpers: their derivatives come from the np.linalg rules.

solve_triangular, the Cholesky functions, eigh/eigvalsh and solve with a symmetric assume_a
read only the triangle scipy reads (so their
derivatives are those of the function scipy computes); expm is scaling and squaring with a
degree-13 Pade approximant (Higham 2005), the loop's length set by the matrix's 1-norm.
"""
import numpy as np

_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True):
    t = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        t = t - np.diag(np.diag(t)) + np.eye(t.shape[0])
    if trans == 1 or trans == "T":
        t = t.T
    elif trans == 2 or trans == "C":
        t = np.conj(t).T
    return np.linalg.solve(t, b)


def _from_triangle(a, lower):
    """The Hermitian (real: symmetric) matrix LAPACK sees when it reads only a's lower
    (upper) triangle."""
    t = np.tril(a, -1) if lower else np.triu(a, 1)
    return t + np.conj(t).T + np.diag(np.real(np.diag(a)))  # LAPACK reads the diagonal's real part


def _symmetric_from_triangle(a, lower):
    """The complex symmetric matrix (assume_a="sym") read from a's lower (upper) triangle."""
    return np.tril(a) + np.tril(a, -1).T if lower else np.triu(a) + np.triu(a, 1).T


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    # scipy reads the triangle it returns: the upper one by default
    low = np.linalg.cholesky(_from_triangle(a, lower))
    return low if lower else np.conj(low).T


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    return cholesky(a, lower), lower


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    c, lower = c_and_lower
    low = np.tril(c) if lower else np.conj(np.triu(c)).T
    return np.linalg.solve(np.conj(low).T, np.linalg.solve(low, b))


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True, assume_a=None,
          transposed=False):
    m = a.T if transposed else a
    if assume_a in ("sym", "symmetric"):
        m = _symmetric_from_triangle(a, lower)  # scipy reads one triangle then
    elif assume_a in ("her", "pos", "hermitian", "positive definite"):
        m = _from_triangle(a, lower)
    return np.linalg.solve(m, b)


def eigh(a, b=None, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False, type=1,
         check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    """The standard problem (b None): np.linalg.eigh of the triangle scipy reads."""
    w, v = np.linalg.eigh(_from_triangle(a, lower))
    if eigvals_only:
        return w
    return w, v


def eigvalsh(a, b=None, lower=True, overwrite_a=False, overwrite_b=False, type=1, check_finite=True,
             subset_by_index=None, subset_by_value=None, driver=None):
    return np.linalg.eigvalsh(_from_triangle(a, lower))


def solve_banded(l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True):
    """The dense matrix of the banded storage (ab[u + i - j, j] = a[i, j]), solved."""
    lo, up = l_and_u
    n = ab.shape[1]
    a = np.zeros((n, n))
    for k in range(-lo, up + 1):  # diagonal k (j - i = k) is row up - k of ab
        if k >= 0:
            a = a + np.diag(ab[up - k, k:], k)
        else:
            a = a + np.diag(ab[up - k, :n + k], k)
    return np.linalg.solve(a, b)


def inv(a, overwrite_a=False, check_finite=True):
    return np.linalg.inv(a)


def det(a, overwrite_a=False, check_finite=True):
    return np.linalg.det(a)


def expm(A):
    """exp(A) for a square matrix: Pade 13 on A / 2^s, squared s times."""
    n = A.shape[0]
    norm1 = np.max(np.sum(np.abs(A), axis=0))
    s = 0
    while norm1 > 5.371920351148152 * 2.0 ** s:
        s = s + 1
    B = A / 2.0 ** s
    ident = np.eye(n)
    B2 = B @ B
    B4 = B2 @ B2
    B6 = B4 @ B2
    c = _PADE13
    U = B @ (B6 @ (c[13] * B6 + c[11] * B4 + c[9] * B2) + c[7] * B6 + c[5] * B4 + c[3] * B2 + c[1] * ident)
    V = B6 @ (c[12] * B6 + c[10] * B4 + c[8] * B2) + c[6] * B6 + c[4] * B4 + c[2] * B2 + c[0] * ident
    R = np.linalg.solve(V - U, V + U)
    for _ in range(s):
        R = R @ R
    return R


def lstsq(a, b, cond=None, overwrite_a=False, overwrite_b=False, check_finite=True, lapack_driver=None):
    """scipy.linalg.lstsq: (x, residues, rank, singular values), x = pinv(a) @ b."""
    return np_lstsq(a, b, cond)


def np_lstsq(a, b, rcond=None):
    """np.linalg.lstsq: (x, residuals, rank, singular values). x = pinv(a) @ b, the
    minimum-norm least-squares solution (its derivative is pinv's); the residuals are the
    squared norms of b's columns' misfits when a has full column rank and more rows, else
    empty, as NumPy returns them."""
    x = np.linalg.pinv(a) @ b
    rank = np.linalg.matrix_rank(a)
    s = np.linalg.svd(a, compute_uv=False)
    r = a @ x - b
    if rank == a.shape[1] and a.shape[0] > a.shape[1]:
        residuals = np.atleast_1d(np.sum(r * r, axis=0))
    else:
        residuals = np.zeros(0)
    return x, residuals, rank, s


def np_tensorinv(a, ind=2):
    """np.linalg.tensorinv: the inverse of a as a matrix of its first `ind` axes by the
    others, in the shape a.shape[ind:] + a.shape[:ind] (its derivative is inv's)."""
    rows = 1
    for k in a.shape[ind:]:
        rows = rows * k
    inverse = np.linalg.inv(np.reshape(a, (a.size // rows, rows)))
    return np.reshape(inverse, a.shape[ind:] + a.shape[:ind])


def np_tensorsolve(a, b, axes=None):
    """np.linalg.tensorsolve (axes=None): x with tensordot(a, x, x.ndim) == b, by solve on a
    as a matrix of b's axes by the others."""
    if axes is not None:
        raise ValueError("tensorsolve with axes= is not supported inside transformed code; move the axes "
                         "of a last with np.moveaxis first")
    shape = a.shape[b.ndim:]
    n = 1
    for k in shape:
        n = n * k
    x = np.linalg.solve(np.reshape(a, (b.size, n)), np.ravel(b))
    return np.reshape(x, shape)
