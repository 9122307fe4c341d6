"""JVP rules of the products and linear algebra (the forward twins of linalg.py). The
products (dot, matmul/@, outer, inner, tensordot, einsum) are multilinear: the tangent is
the product with one operand replaced by its tangent, summed over the operands. trace and
diag are linear. norm, det, inv and solve are templates; batch dimensions (det, inv, solve)
broadcast as NumPy. einsum and norm refuse the calls the VJP rules refuse (same `supports`
checks: '...' subscripts, matrix ords NumPy does not have).

NumPy 2's array-API functions: np.linalg.outer, cross, matmul, vecdot/np.vecdot are
multilinear, diagonal, trace and matrix_transpose linear. np.linalg.multi_dot is multilinear
in its operands *separately*, not linear in the tuple `arrays`: its tangent is `multi_dot_t`,
the sum of the products with one operand replaced by its tangent.
"""
import gast
import numpy as np

from ..registry import JVP_RULES, selects, supports
from ..runtime import norm_grad, reduce_to, transpose_last
from ..runtime_linalg import multi_dot_t, multi_dot_tt, unmulti_dot, unmulti_dot_t
from .linalg import _MATRIX_TRANSPOSE, _VECDOT, _einsum_check, _norm_check, _vecdot_check

register = JVP_RULES.register
multilinear = JVP_RULES.multilinear


@multilinear(np.matmul, gast.MatMult)
def matmul(x1, x2):
    """Bilinear."""


@multilinear(np.dot)
def dot(a, b):
    """Bilinear."""


@multilinear(np.outer)
def outer(a, b):
    """Bilinear (inputs of any shape are flattened, as NumPy)."""


@multilinear(np.inner)
def inner(a, b):
    """Bilinear."""


@multilinear(np.tensordot)
def tensordot(a, b, axes=2):
    """Bilinear."""


@multilinear(np.einsum, nondiff=("subscripts",))
@supports(_einsum_check)
def einsum(subscripts, x1, x2):
    """Two operands, linear in each ('ij,jk->ik', 'ij,j->i', implicit output...)."""


@multilinear(np.einsum, nondiff=("subscripts",))
@supports(_einsum_check)
def einsum_one(subscripts, x1):
    """One operand: linear ('ij->ji', 'ii->', 'ij->i', 'ii->i')."""


@multilinear(np.einsum, nondiff=("subscripts",))
@supports(_einsum_check)
def einsum_three(subscripts, x1, x2, x3):
    """Three operands, linear in each ('i,ij,j->', 'ij,jk,kl->il', ...)."""


@JVP_RULES.linear(np.trace)
def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """Linear."""


@JVP_RULES.linear(np.diag)
def diag(v, k=0):
    """Linear (both building and extracting a diagonal)."""


@register(np.linalg.norm)
@supports(_norm_check)
def norm(ans, x, dx, ord=None, axis=None, keepdims=False):
    """sum(d norm/dx * dx) over `axis`: vector p-norms (2, 1, inf, -inf, 0, any p), matrix
    norms ('fro', 'nuc', 1, -1, 2, -2, inf, -inf). At x = 0 the 2-norm's tangent is nan (0/0), as JAX."""
    return reduce_to(dx * norm_grad(x, ans, ord, axis), ans, axis)


@register(np.linalg.det)
def det(ans, a, da):
    """d det(A) = det(A) tr(inv(A) dA) (A invertible)."""
    return ans * reduce_to(transpose_last(np.linalg.inv(a)) * da, ans, (-2, -1))


@register(np.linalg.inv)
def inv(ans, a, da):
    """d inv(A) = -inv(A) dA inv(A)."""
    return -(ans @ da @ ans)


def _solve_select(known):
    return solve_vector if known.get("ndim:b") == 1 else None


@register(np.linalg.solve)
@selects(_solve_select)
def solve(ans, a, b, da, db):
    """x = solve(a, b): dx = solve(a, db - da x) (b a matrix, or a vector of unknown rank)."""
    return np.linalg.solve(a, db - da @ ans)


@JVP_RULES.variant(np.linalg.solve)
def solve_vector(ans, a, b, da, db):
    """b a vector (one for every matrix of a): the same with columns."""
    rhs = db - (da @ np.expand_dims(ans, -1))[..., 0]
    return np.linalg.solve(a, np.expand_dims(rhs, -1))[..., 0]


# ------------------------------------------------- NumPy 2's array-API linear algebra
@multilinear(np.linalg.outer)
def linalg_outer(x1, x2):
    """Bilinear."""


@multilinear(np.linalg.cross)
def linalg_cross(x1, x2, axis=-1):
    """Bilinear."""


@multilinear(np.linalg.matmul)
def linalg_matmul(x1, x2):
    """Bilinear."""


@multilinear(*_VECDOT)
@supports(_vecdot_check)
def vecdot(x1, x2, axis=-1):
    """Bilinear (real)."""


@JVP_RULES.linear(np.linalg.diagonal)
def linalg_diagonal(x, offset=0):
    """Linear."""


@JVP_RULES.linear(np.linalg.trace)
def linalg_trace(x, offset=0, dtype=None):
    """Linear."""


@JVP_RULES.linear(*_MATRIX_TRANSPOSE)
def matrix_transpose(x):
    """Linear."""


@register(np.linalg.multi_dot)
def multi_dot(ans, arrays, darrays, out=None):
    """The sum of the products with one operand replaced by its tangent."""
    return multi_dot_t(arrays, darrays)


# ------------------------------------------------------ rules of the multi_dot helpers
@register(unmulti_dot)
def unmulti_dot_rule(ans, ct, arrays, dct, darrays):
    return unmulti_dot_t(ct, arrays, darrays, dct)


@register(multi_dot_t)
def multi_dot_t_rule(ans, arrays, tangents, darrays, dtangents):
    return multi_dot_t(arrays, dtangents) + multi_dot_tt(arrays, tangents, darrays)
