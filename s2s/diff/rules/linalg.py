"""Products and linear algebra: dot, matmul/@, outer, inner, tensordot, einsum, trace, diag,
linalg.norm/det/inv/solve. Batch dimensions (matmul, det, inv, solve) broadcast as NumPy.
"""
import gast
import numpy as np

from ..registry import VJP_RULES, supports
from ..runtime import (
    dot_vjp1,
    dot_vjp2,
    einsum_vjp1,
    einsum_vjp2,
    einsum_vjp3,
    matmul_vjp1,
    matmul_vjp2,
    norm_grad,
    tensordot_vjp1,
    tensordot_vjp2,
    transpose_last,
    undiag,
    unreduce,
    untrace,
)

register = VJP_RULES.register


def _einsum_check(known):
    return "with '...' in the subscripts" if "." in str(known.get("subscripts", "")) else None


def _norm_check(known):
    ord_, axis, nd = known.get("ord"), known.get("axis", "?"), known.get("ndim:x")
    matrix = (axis is None and nd is not None and nd >= 2) or (isinstance(axis, tuple) and len(axis) == 2)
    if matrix and "ord" in known and ord_ not in (None, "fro", "nuc"):
        return f"of the matrix norm ord={ord_!r} (only 'fro' and 'nuc'); vector norms take any ord"
    return None


@register(np.matmul, gast.MatMult)
def matmul(g, ans, x1, x2):
    return matmul_vjp1(g, x1, x2), matmul_vjp2(g, x1, x2)


@register(np.dot)
def dot(g, ans, a, b):
    return dot_vjp1(g, a, b), dot_vjp2(g, a, b)


@register(np.outer)
def outer(g, ans, a, b):
    """Inputs of any shape are flattened, as NumPy."""
    return np.reshape(g @ np.ravel(b), np.shape(a)), np.reshape(np.ravel(a) @ g, np.shape(b))


@register(np.inner)
def inner(g, ans, a, b):
    """Sum over the last axes (arrays of at least one dimension)."""
    return tensordot_vjp1(g, a, b, ([-1], [-1])), tensordot_vjp2(g, a, b, ([-1], [-1]))


@register(np.tensordot)
def tensordot(g, ans, a, b, axes=2):
    return tensordot_vjp1(g, a, b, axes), tensordot_vjp2(g, a, b, axes)


@register(np.einsum)
@supports(_einsum_check)
def einsum(g, ans, subscripts, x1, x2):
    """Two operands ('ij,jk->ik', 'ij,j->i', 'i,i->', 'bij,bjk->bik', implicit output...);
    the subscripts get None. `einsum_one` and `einsum_three` take one and three operands."""
    return None, einsum_vjp1(g, subscripts, x1, x2), einsum_vjp2(g, subscripts, x1, x2)


@register(np.einsum)
@supports(_einsum_check)
def einsum_one(g, ans, subscripts, x1):
    """One operand ('ij->ji', 'ii->', 'ij->i', 'ii->i')."""
    return None, einsum_vjp1(g, subscripts, x1)


@register(np.einsum)
@supports(_einsum_check)
def einsum_three(g, ans, subscripts, x1, x2, x3):
    """Three operands ('i,ij,j->', 'ij,jk,kl->il', ...)."""
    return (None, einsum_vjp1(g, subscripts, x1, x2, x3), einsum_vjp2(g, subscripts, x1, x2, x3),
            einsum_vjp3(g, subscripts, x1, x2, x3))


@register(np.trace)
def trace(g, ans, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return untrace(g, a, offset, axis1, axis2)


@register(np.diag)
def diag(g, ans, v, k=0):
    return undiag(g, v, k)


@register(np.linalg.norm)
@supports(_norm_check)
def norm(g, ans, x, ord=None, axis=None, keepdims=False):
    """Vector p-norms (2, 1, inf, -inf, 0, any p), matrix Frobenius (and 'nuc'), along `axis`.
    At x = 0 the 2-norm's derivative is nan (0/0), as JAX."""
    return unreduce(g, x, axis) * norm_grad(x, ans, ord, axis)


@register(np.linalg.det)
def det(g, ans, a):
    """d det(A) = det(A) inv(A)^T (A invertible)."""
    return unreduce(g * ans, a, (-2, -1)) * transpose_last(np.linalg.inv(a))


@register(np.linalg.inv)
def inv(g, ans, a):
    ans_t = transpose_last(ans)
    return -(ans_t @ g @ ans_t)


@register(np.linalg.solve)
def solve(g, ans, a, b):
    """x = solve(a, b): b gets solve(a^T, g), a gets -(that) x^T."""
    gb = np.linalg.solve(transpose_last(a), g)
    return matmul_vjp1(-gb, a, ans), gb
