"""JVP rules of rules/stats.py (its forward twins), one per VJP rule with the same inputs,
options and `supports` checks. diff, the unweighted average, trapezoid with uniform spacing
and the linear helpers are `linear`; the products (vdot, cross, kron, convolve, correlate and their
helpers) `multilinear`; the rest are templates that weigh the input tangent elementwise and
sum it back with `reduce_to` (the weights are the VJP's, so kinks follow its conventions).

cumprod's tangent is its Jacobian per slice (`cumprod_jac`, (rows, n, n)) applied to the
tangent: exact with zeros, O(n^2) per slice (the reverse mode's `cumprod_vjp` is O(n)).
"""
import numpy as np

from ..registry import JVP_RULES, supports
from ..runtime import (
    convolve_vjp1,
    convolve_vjp2,
    correlate_vjp1,
    correlate_vjp2,
    cumprod_jac,
    cumprod_vjp,
    diff_along,
    from_rows,
    kron_vjp1,
    kron_vjp2,
    pair_sum,
    prod_pairs,
    prod_partials,
    ptp_weights,
    quantile_axis,
    quantile_weights,
    reduce_to,
    to_rows,
    tri_mask,
    undiff,
    unpair_sum,
    unreduce,
)
from .stats import (
    _TRAPEZOID,
    average_check,
    cross_check,
    diff_check,
    quantile_check,
    trapezoid_check,
    trapezoid_x_check,
    weighted_average_check,
)

register = JVP_RULES.register
linear = JVP_RULES.linear
multilinear = JVP_RULES.multilinear


# ---------------------------------------------------------------- running products, diff
@register(np.cumprod)
def cumprod(ans, a, da, axis=None, dtype=None, out=None):
    """The Jacobian of each slice times the slice's tangent (exact with zeros)."""
    j = cumprod_jac(a, axis)
    return from_rows(np.sum(j * unreduce(to_rows(da, axis), j, 1), -1), ans, axis)


@linear(np.diff)
@supports(diff_check)
def diff(a, n=1, axis=-1, prepend=None, append=None):
    """Linear (no prepend/append)."""


# ------------------------------------------------------------------------------ averages
@linear(np.average)
@supports(average_check)
def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """Linear (unweighted)."""


@register(np.average)
@supports(weighted_average_check)
def average_weighted(ans, a, axis, weights, da, daxis, dweights, returned=False, keepdims=False):
    """(sum(w da) + sum((a - average) dw)) / sum(w)."""
    return reduce_to(da * weights + dweights * (a - unreduce(ans, a, axis)), ans, axis) / reduce_to(weights, ans, axis)


@register(np.ptp)
def ptp(ans, a, da, axis=None, out=None, keepdims=False):
    """The mean tangent of the tied maxima minus that of the tied minima."""
    return reduce_to(da * ptp_weights(a, axis), ans, axis)


# ---------------------------------------------------------------------- NaN-aware reductions
@register(np.nansum)
def nansum(ans, a, da, axis=None, dtype=None, out=None, keepdims=False):
    return reduce_to(da * (1.0 - np.isnan(a)), ans, axis)


@register(np.nanmean)
def nanmean(ans, a, da, axis=None, dtype=None, out=None, keepdims=False):
    keep = 1.0 - np.isnan(a)
    return reduce_to(da * keep, ans, axis) / reduce_to(keep, ans, axis)


@register(np.nanmax, np.nanmin)
def nanmax(ans, a, da, axis=None, out=None, keepdims=False):
    mask = a == unreduce(ans, a, axis)
    return reduce_to(da * (mask / unreduce(np.sum(mask, axis), a, axis)), ans, axis)


@register(np.nanprod)
def nanprod(ans, a, da, axis=None, dtype=None, out=None, keepdims=False):
    keep = 1.0 - np.isnan(a)
    return reduce_to(da * (prod_partials(np.where(keep > 0, a, 1.0), axis) * keep), ans, axis)


# ----------------------------------------------------------------------- order statistics
@register(np.median)
def median(ans, a, da, axis=None, out=None, overwrite_input=False, keepdims=False):
    return reduce_to(da * quantile_weights(a, 0.5, axis), ans, axis)


@register(np.quantile)
@supports(quantile_check)
def quantile(ans, a, q, da, dq, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False,
             weights=None, interpolation=None):
    """The weighted tangents of the two neighbouring sorted elements, plus dq times the slope."""
    w = quantile_weights(a, q, axis)
    dw = unreduce(dq, w, quantile_axis(q, a, None)) * (quantile_weights(a, q, axis, 1.0, True) * a)
    return reduce_to(da * w + dw, ans, quantile_axis(q, a, axis))


@register(np.percentile)
@supports(quantile_check)
def percentile(ans, a, q, da, dq, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False,
               weights=None, interpolation=None):
    w = quantile_weights(a, q, axis, 100.0)
    dw = unreduce(dq, w, quantile_axis(q, a, None)) * (quantile_weights(a, q, axis, 100.0, True) * a)
    return reduce_to(da * w + dw, ans, quantile_axis(q, a, axis))


# ------------------------------------------------------------------------------ trapezoid
@linear(*_TRAPEZOID)
@supports(trapezoid_check)
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Linear in y (uniform spacing dx, a literal)."""


@register(*_TRAPEZOID)
@supports(trapezoid_x_check)
def trapezoid_x(ans, y, x, dy, dx, axis=-1):
    """Bilinear in (y, diff(x))."""
    d = diff_along(x, 1, axis)
    return (reduce_to(dy * unpair_sum(0.5 * d, y, axis), ans, axis)
            + reduce_to(dx * undiff(0.5 * pair_sum(y, axis), x, 1, axis), ans, axis))


# ---------------------------------------------------------------------------- products
@multilinear(np.vdot)
def vdot(a, b):
    """Bilinear (real)."""


@multilinear(np.cross)
@supports(cross_check)
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Bilinear."""


@multilinear(np.kron)
def kron(a, b):
    """Bilinear."""


@multilinear(np.convolve)
def convolve(a, v, mode="full"):
    """Bilinear."""


@multilinear(np.correlate)
def correlate(a, v, mode="valid"):
    """Bilinear (real)."""


# ------------------------------------------------------------------ rules of the helpers
@linear(undiff, nondiff=("a",))
def undiff_rule(ct, a, n=1, axis=-1):
    """Linear in ct."""


@linear(diff_along)
def diff_along_rule(x, n=1, axis=-1):
    """Linear."""


@linear(pair_sum)
def pair_sum_rule(y, axis=-1):
    """Linear."""


@linear(unpair_sum, nondiff=("y",))
def unpair_sum_rule(ct, y, axis=-1):
    """Linear in ct."""


@multilinear(convolve_vjp1, nondiff=("a",))
def convolve_vjp1_rule(ct, a, v, mode="full"):
    """Linear in ct and in v (a gives the shape)."""


@multilinear(convolve_vjp2, nondiff=("v",))
def convolve_vjp2_rule(ct, a, v, mode="full"):
    """Linear in ct and in a (v gives the shape)."""


@multilinear(correlate_vjp1, nondiff=("a",))
def correlate_vjp1_rule(ct, a, v, mode="valid"):
    """Linear in ct and in v (a gives the shape)."""


@multilinear(correlate_vjp2, nondiff=("v",))
def correlate_vjp2_rule(ct, a, v, mode="valid"):
    """Linear in ct and in a (v gives the shape)."""


@multilinear(kron_vjp1, nondiff=("a",))
def kron_vjp1_rule(ct, a, b):
    """Linear in ct and in b (a gives the shape)."""


@multilinear(kron_vjp2, nondiff=("b",))
def kron_vjp2_rule(ct, a, b):
    """Linear in ct and in a (b gives the shape)."""


@register(cumprod_vjp)
def cumprod_vjp_rule(ans, ct, x, dct, dx, axis=None):
    """J^T dct plus the Hessian of ct . cumprod(x) along dx (see rules/stats.py)."""
    m = tri_mask(x, axis)
    rows = unreduce(to_rows(x, axis), m, 1) * m + (1.0 - m)
    c = unreduce(to_rows(ct, axis), m, 2) * unreduce(to_rows(dx, axis), m, 1) * m
    return (from_rows(np.sum(cumprod_jac(x, axis) * unreduce(to_rows(dct, axis), m, 2), 1), x, axis)
            + from_rows(np.sum(prod_pairs(rows, c, -1) * m, 1), x, axis))


@register(cumprod_jac)
def cumprod_jac_rule(ans, x, dx, axis=None):
    m = tri_mask(x, axis)
    rows = unreduce(to_rows(x, axis), m, 1) * m + (1.0 - m)
    return prod_pairs(rows, unreduce(to_rows(dx, axis), m, 1) * m, -1) * m
