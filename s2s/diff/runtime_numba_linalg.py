"""numba overloads of the helpers in runtime_linalg.py (types decide the implementation at compile
time, as in runtime_numba.py); copied into standalone dumped modules like it. NumPy-under-numba
has the decompositions for single 2-d matrices only, so these take 2-d matrices (1-d
eigenvalue vectors), written as plain loops. Also an implementation of np.linalg.multi_dot,
which numba lacks.
"""
import numpy as np
from numba import types
from numba.extending import overload

from .runtime_linalg import (  # s2s-runtime-import
    block_diag_sum,
    block_diag_sum_t,
    block_ur,
    block_ur_t,
    eig_gaps,
    mp_base,
    mp_negative,
    reduced_only,
    strict_lower,
    tril_half,
)  # s2s-runtime-import


def _la_matrix(x):
    return isinstance(x, types.Array) and x.ndim == 2


@overload(tril_half)
def _ol_tril_half(x):
    if _la_matrix(x):
        def impl(x):
            out = np.zeros(x.shape)
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
        def impl(x):
            out = np.zeros(x.shape)
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
            out = np.zeros((n, n))
            for i in range(n):
                for j in range(n):
                    if i != j:
                        out[i, j] = 1.0 / (w[j] - w[i])
            return out
        return impl


@overload(mp_base)
def _ol_mp_base(a, n):
    if _la_matrix(a) and isinstance(n, types.Integer):
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
