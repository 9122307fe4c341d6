"""JVP rules of the partial-derivative helpers of `np.prod` and `np.linalg.norm` (the forward
twins of partials.py, which explains the helpers): forward-over-reverse Hessians and
Hessian-vector products through products and norms, and every higher order. The row helpers
(`to_rows`, `from_rows`, `off_diag`, `off_diag_sum`) are linear.
"""
import numpy as np

from ..registry import JVP_RULES, supports
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
    to_rows,
    unreduce,
)
from .partials import nuclear_check

register = JVP_RULES.register
linear = JVP_RULES.linear


@register(prod_partials)
def prod_partials_rule(ans, x, dx, axis=None):
    """sum_{k != i} dx_k prod_{j != i, k} x_j over each slice (exact with zeros)."""
    return prod_pairs(x, dx, axis)


@register(prod_pairs)
def prod_pairs_rule(ans, x, t, dx, dt, axis=None):
    """Linear in t; along x, the symmetric third derivative of the slice's product (see the
    VJP rule): the same expression with dx in the place of g."""
    xs = to_rows(x, axis)
    y = off_diag(xs) + eye_rows(xs)
    inner = np.sum(prod_pairs(y, off_diag(to_rows(dx, axis)), -1) * np.expand_dims(to_rows(t, axis), -2), -1)
    return prod_pairs(x, dt, axis) + from_rows(inner, x, axis) - t * prod_pairs(x, dx, axis)


@linear(to_rows)
def to_rows_rule(x, axis=None):
    """Linear."""


@linear(from_rows, nondiff=("x",))
def from_rows_rule(r, x, axis=None):
    """Linear in r; x gives the shape."""


@linear(off_diag)
def off_diag_rule(r):
    """Linear."""


@linear(off_diag_sum)
def off_diag_sum_rule(c):
    """Linear."""


@register(norm_grad)
def norm_grad_rule(ans, x, n, dx, dn, ord=None, axis=None):
    """Along x (n held): norm_grad_dx; along the norm n: elementwise, n broadcast over `axis`."""
    return norm_grad_dx(x, n, dx, ord, axis) + norm_grad_partial(x, n, ord, axis, 0, 1) * unreduce(dn, x, axis)


@register(norm_grad_partial)
@supports(nuclear_check)
def norm_grad_partial_rule(ans, x, n, dx, dn, ord=None, axis=None, kx=0, kn=0):
    """The partials one order higher in x and in n."""
    return (norm_grad_partial(x, n, ord, axis, kx + 1, kn) * dx
            + norm_grad_partial(x, n, ord, axis, kx, kn + 1) * unreduce(dn, x, axis))


@register(norm_grad_dx)
@supports(nuclear_check)
def norm_grad_dx_rule(ans, x, n, t, dx, dn, dt, ord=None, axis=None):
    """norm_grad_partial(x, n, ord, axis, 1, 0) * t, differentiated in x, n and t."""
    return (norm_grad_dx(x, n, dt, ord, axis) + norm_grad_partial(x, n, ord, axis, 2, 0) * t * dx
            + norm_grad_partial(x, n, ord, axis, 1, 1) * t * unreduce(dn, x, axis))
