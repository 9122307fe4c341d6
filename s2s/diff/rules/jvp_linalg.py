"""JVP rules of the products and linear algebra (the forward twins of linalg.py). The
products (dot, matmul/@, outer, inner, tensordot, einsum) are multilinear: the tangent is
the product with one operand replaced by its tangent, summed over the operands. trace and
diag are linear. norm, det, inv and solve are templates; batch dimensions (det, inv, solve)
broadcast as NumPy. einsum and norm refuse the calls the VJP rules refuse (same `supports`
checks: '...' subscripts, matrix norms other than 'fro' and 'nuc').
"""
import gast
import numpy as np

from ..registry import JVP_RULES, supports
from ..runtime import norm_grad, reduce_to, transpose_last
from .linalg import _einsum_check, _norm_check

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
    Frobenius (and 'nuc'). At x = 0 the 2-norm's tangent is nan (0/0), as JAX."""
    return reduce_to(dx * norm_grad(x, ans, ord, axis), ans, axis)


@register(np.linalg.det)
def det(ans, a, da):
    """d det(A) = det(A) tr(inv(A) dA) (A invertible)."""
    return ans * reduce_to(transpose_last(np.linalg.inv(a)) * da, ans, (-2, -1))


@register(np.linalg.inv)
def inv(ans, a, da):
    """d inv(A) = -inv(A) dA inv(A)."""
    return -(ans @ da @ ans)


@register(np.linalg.solve)
def solve(ans, a, b, da, db):
    """x = solve(a, b): dx = solve(a, db - da x) (b a vector or a matrix, as the VJP)."""
    return np.linalg.solve(a, db - da @ ans)
