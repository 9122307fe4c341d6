"""Products and linear algebra: dot, matmul/@, outer, inner, tensordot, einsum, trace, diag,
linalg.norm/det/inv/solve. Batch dimensions (matmul, det, inv, solve) broadcast as NumPy.

NumPy 2's array-API functions: np.linalg.outer (1-d), cross (3-vectors along `axis`),
matmul, vecdot and the ufunc np.vecdot (a sum along `axis`, real inputs), diagonal and
trace (of the last two axes, unlike np.diagonal/np.trace), matrix_transpose (and
np.matrix_transpose); and np.linalg.multi_dot, whose `arrays` get a tuple of contributions
(runtime_linalg.py's multi_dot helpers, with their own rules for second derivatives).
"""
import math

import gast
import numpy as np

from ..registry import JVP_RULES, OUTPUTS, VJP_RULES, selects, supports
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
    unbroadcast,
    undiag,
    undiagonal,
    unreduce,
    untrace,
)
from ..runtime_linalg import multi_dot_t, multi_dot_tt, unmulti_dot, unmulti_dot_t

register = VJP_RULES.register
_VECDOT = [np.linalg.vecdot] + ([np.vecdot] if hasattr(np, "vecdot") else [])
_MATRIX_TRANSPOSE = [np.linalg.matrix_transpose] + ([np.matrix_transpose] if hasattr(np, "matrix_transpose") else [])


def _one_per_operand(known):
    """multi_dot's helpers return one contribution per element of `arrays`."""
    seq = known.get("arrays")
    return ("tuple", len(seq)) if isinstance(seq, (list, tuple)) else None


OUTPUTS.register(unmulti_dot, unmulti_dot_t)(_one_per_operand)


def _einsum_check(known):
    """'...' is written out at run time from the operands' ranks (runtime_einsum.py)."""
    return None


def _vecdot_check(known):
    """A non-negative axis counts from each operand's first axis: the rule needs the same
    axis of the broadcast result (equal ranks)."""
    axis, n1, n2 = known.get("axis"), known.get("ndim:x1"), known.get("ndim:x2")
    if "ndim:axis" in known:  # (a negative literal is neither a constant nor a name here)
        return "with an axis that is not a literal int"
    if isinstance(axis, int) and axis >= 0 and (n1 is None or n1 != n2):
        return "with a non-negative axis and operands of different (or unknown) ranks: use a negative axis"
    return None


def _norm_check(known):
    ord_, axis, nd = known.get("ord"), known.get("axis", "?"), known.get("ndim:x")
    matrix = (axis is None and nd is not None and nd >= 2) or (isinstance(axis, tuple) and len(axis) == 2)
    if matrix and "ord" in known and ord_ not in (None, "fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        return f"of the matrix norm ord={ord_!r} (NumPy's are None, 'fro', 'nuc', 1, -1, 2, -2, inf, -inf)"
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
    return tensordot_vjp1(g, a, b, ((-1,), (-1,))), tensordot_vjp2(g, a, b, ((-1,), (-1,)))


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
    """Vector p-norms (2, 1, inf, -inf, 0, any p) and NumPy's matrix norms, along `axis`.
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


def solve_select(known):
    """NumPy 2 reads a 1-d b as one vector for every matrix of a: a template of its own."""
    return solve_vector if known.get("ndim:b") == 1 else None


@register(np.linalg.solve)
@selects(solve_select)
def solve(g, ans, a, b):
    """x = solve(a, b): b gets solve(a^T, g) (summed over the batch axes b was broadcast
    along), a gets -(that) x^T."""
    gb = np.linalg.solve(transpose_last(a), g)
    return matmul_vjp1(-gb, a, ans), unbroadcast(gb, b)


@VJP_RULES.variant(np.linalg.solve)
def solve_vector(g, ans, a, b):
    """b a vector (x has a's batch axes and b's length): the same with columns."""
    gb = np.linalg.solve(transpose_last(a), np.expand_dims(g, -1))[..., 0]
    return -(np.expand_dims(gb, -1) * np.expand_dims(ans, -2)), unbroadcast(gb, b)


# ------------------------------------------------- NumPy 2's array-API linear algebra
@register(np.linalg.outer)
def linalg_outer(g, ans, x1, x2):
    """1-d operands."""
    return g @ x2, x1 @ g


@register(np.linalg.cross)
def linalg_cross(g, ans, x1, x2, axis=-1):
    """3-vectors along `axis`, stacks broadcast: <g, a x b> = <a, b x g> = <b, g x a>."""
    return (unbroadcast(np.linalg.cross(x2, g, axis=axis), x1),
            unbroadcast(np.linalg.cross(g, x1, axis=axis), x2))


@register(np.linalg.matmul)
def linalg_matmul(g, ans, x1, x2):
    return matmul_vjp1(g, x1, x2), matmul_vjp2(g, x1, x2)


@register(*_VECDOT)
@supports(_vecdot_check)
def vecdot(g, ans, x1, x2, axis=-1):
    """sum(x1 * x2, axis) (real), operands broadcast."""
    gg = unreduce(g, x1 * x2, axis)
    return unbroadcast(gg * x2, x1), unbroadcast(gg * x1, x2)


@register(np.linalg.diagonal)
def linalg_diagonal(g, ans, x, offset=0):
    """The diagonal of the last two axes."""
    return undiagonal(g, x, offset, -2, -1)


@register(np.linalg.trace)
def linalg_trace(g, ans, x, offset=0, dtype=None):
    """The trace of the last two axes."""
    return untrace(g, x, offset, -2, -1)


@register(*_MATRIX_TRANSPOSE)
def matrix_transpose(g, ans, x):
    return transpose_last(g)


@register(np.linalg.multi_dot)
def multi_dot(g, ans, arrays, out=None):
    """A tuple of contributions, one per operand (a 1-d first/last one is a row/column)."""
    return unmulti_dot(g, arrays)


# ------------------------------------------------------ rules of the multi_dot helpers
@register(unmulti_dot)
def unmulti_dot_rule(g, ans, ct, arrays):
    """Bilinear in ct and each operand: `g` is the tuple of the contributions' cotangents."""
    return multi_dot_t(arrays, g), unmulti_dot_t(ct, arrays, g)


@register(multi_dot_t)
def multi_dot_t_rule(g, ans, arrays, tangents):
    return unmulti_dot_t(g, arrays, tangents), unmulti_dot(g, arrays)


def _third_order(known):
    return "(a third derivative of np.linalg.multi_dot: not covered)"


# The second-order helpers have rules that refuse, at the user's line: a third derivative of
# multi_dot would need the products with three operands replaced (and so on, a helper per
# order). Their JVP rules live here too, next to the VJP ones (not a family's forward twins).
@register(multi_dot_tt)
@supports(_third_order)
def multi_dot_tt_rule(g, ans, arrays, t1, t2):
    return None, None, None


@register(unmulti_dot_t)
@supports(_third_order)
def unmulti_dot_t_rule(g, ans, ct, arrays, tangents):
    return None, None, None


@register(unmulti_dot_t)
@supports(_third_order)
def unmulti_dot_t_rule_4(g, ans, ct, arrays, tangents, ct_t):
    return None, None, None, None


@JVP_RULES.register(multi_dot_tt)
@supports(_third_order)
def multi_dot_tt_jvp(ans, arrays, t1, t2, darrays, dt1, dt2):
    return None


@JVP_RULES.register(unmulti_dot_t)
@supports(_third_order)
def unmulti_dot_t_jvp(ans, ct, arrays, tangents, dct, darrays, dtangents):
    return None


@JVP_RULES.register(unmulti_dot_t)
@supports(_third_order)
def unmulti_dot_t_jvp_4(ans, ct, arrays, tangents, ct_t, dct, darrays, dtangents, dct_t):
    return None
