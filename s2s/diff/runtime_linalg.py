"""Runtime helpers of the matrix-decomposition rules (rules/decompositions.py: slogdet,
cholesky, eigh/eigvalsh, svd, pinv, matrix_power, qr): the pieces their VJP and JVP templates
are built from. Part of the runtime (`s2s.diff.runtime` re-exports every name in `__all__`;
`s2s dump -o` copies this file after it), so self-contained like it: math and NumPy.

Every helper acts on the last two axes (stacked matrices broadcast as NumPy). The masks
(`tril_half`, `strict_lower`) are linear and self-adjoint; `block_ur`/`block_ur_t` and
`block_diag_sum`/`block_diag_sum_t` are linear and transposes of each other, so their
rules close over this file (rules in rules/decompositions.py).
"""
import math  # noqa: F401

import numpy as np

__all__ = ["tril_half", "strict_lower", "eig_gaps", "mp_base", "mp_negative", "block_ur", "block_ur_t",
           "block_diag_sum", "block_diag_sum_t", "reduced_only"]


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
