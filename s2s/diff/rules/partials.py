"""VJP rules of the partial-derivative helpers of `np.prod` and `np.linalg.norm`
(`prod_partials`, `norm_grad`) and of the helpers these rules call (s2s/diff/runtime_partials.py),
so that derivative code through a product or a norm can be differentiated again, to any order.

- prod: the derivative of `prod_partials` is the symmetric linear map `prod_pairs(x, ., axis)`
  (its own transpose). prod_pairs's derivative in x goes through prod_pairs of the rows
  "x with element i set to 1" (`off_diag(xs) + eye_rows(xs)`), one row per element of each
  slice: exact with zeros, at one more factor of the slice length per order.
- norm: `norm_grad(x, ans)` is differentiated with x and the norm `ans` as independent inputs
  (derivative code passes the saved norm): `norm_grad_dx` along x, the elementwise
  `norm_grad_partial(..., 0, 1)` along ans; `norm_grad_partial(..., kx, kn)`'s rule calls
  orders (kx + 1, kn) and (kx, kn + 1). The nuclear norm stops at second order: its
  `norm_grad_dx` (the derivative of the polar factor) has no rule.
"""
import numpy as np

from ..registry import NONDIFF, VJP_RULES, supports
from ..runtime import (
    eye_rows,
    from_rows,
    norm_grad,
    norm_grad_dx,
    norm_grad_partial,
    off_diag,
    off_diag_sum,
    prod_pairs,
    prod_partials,
    reduce_to,
    to_rows,
)

register = VJP_RULES.register
NONDIFF.register(eye_rows)


def nuclear_check(known):
    """The nuclear norm's gradient has derivatives of the second order only."""
    return "beyond the second derivative of the nuclear norm (ord='nuc')" if known.get("ord") == "nuc" else None


@register(prod_partials)
def prod_partials_rule(g, ans, x, axis=None):
    """Symmetric: its own transpose."""
    return prod_pairs(x, g, axis)


@register(prod_pairs)
def prod_pairs_rule(g, ans, x, t, axis=None):
    """Along x: sum over the other two indices of g t prod(the rest of the slice), a symmetric
    third derivative; inner[b, i] = sum_k t_k prod_pairs(row i of y, g with g_i dropped)_k,
    whose k = i term is t_i prod_pairs(x, g)_i."""
    xs = to_rows(x, axis)
    y = off_diag(xs) + eye_rows(xs)
    inner = np.sum(prod_pairs(y, off_diag(to_rows(g, axis)), -1) * np.expand_dims(to_rows(t, axis), -2), -1)
    return from_rows(inner, x, axis) - t * prod_pairs(x, g, axis), prod_pairs(x, g, axis)


@register(to_rows)
def to_rows_rule(g, ans, x, axis=None):
    return from_rows(g, x, axis)


@register(from_rows)
def from_rows_rule(g, ans, r, x, axis=None):
    return to_rows(g, axis), None


@register(off_diag)
def off_diag_rule(g, ans, r):
    return off_diag_sum(g)


@register(off_diag_sum)
def off_diag_sum_rule(g, ans, c):
    return off_diag(g)


@register(norm_grad)
def norm_grad_rule(g, ans, x, n, ord=None, axis=None):
    """x: the symmetric norm_grad_dx; the norm n: summed back over `axis`."""
    return norm_grad_dx(x, n, g, ord, axis), reduce_to(g * norm_grad_partial(x, n, ord, axis, 0, 1), n, axis)


@register(norm_grad_partial)
@supports(nuclear_check)
def norm_grad_partial_rule(g, ans, x, n, ord=None, axis=None, kx=0, kn=0):
    """Elementwise: the partials one order higher in x and in n."""
    return (g * norm_grad_partial(x, n, ord, axis, kx + 1, kn),
            reduce_to(g * norm_grad_partial(x, n, ord, axis, kx, kn + 1), n, axis))


@register(norm_grad_dx)
@supports(nuclear_check)
def norm_grad_dx_rule(g, ans, x, n, t, ord=None, axis=None):
    """norm_grad_partial(x, n, ord, axis, 1, 0) * t (the vector and Frobenius norms)."""
    return (g * t * norm_grad_partial(x, n, ord, axis, 2, 0),
            reduce_to(g * t * norm_grad_partial(x, n, ord, axis, 1, 1), n, axis),
            norm_grad_dx(x, n, g, ord, axis))
