"""JVP rules of rules/stats.py (its forward twins), one per VJP rule with the same inputs,
options and `supports` checks. diff, cumulative_sum, the unweighted average, weighted bincount, trapezoid with
uniform spacing and the linear helpers are `linear`; the products (vdot, cross, kron,
convolve, correlate and their helpers) `multilinear`; the rest are templates that weigh the
input tangent elementwise and sum it back with `reduce_to` (the weights are the VJP's, so
kinks follow its conventions). ediff1d is affine (its to_begin/to_end constants): its
tangent is `ediff1d_lin`, the same call with zero constants. cov and corrcoef assemble the
tangent of their observations matrix from m's and y's through constant row selections
(`np.eye`), so that a zero tangent of either folds away.

cumprod's tangent is its Jacobian per slice (`cumprod_jac`, (rows, n, n)) applied to the
tangent: exact with zeros, O(n^2) per slice (the reverse mode's `cumprod_vjp` is O(n)).
"""
import numpy as np

from ..registry import JVP_RULES, supports
from ..runtime import (
    as_square,
    convolve_vjp1,
    convolve_vjp2,
    correlate_vjp1,
    correlate_vjp2,
    cov_scale,
    cumprod_jac,
    cumprod_vjp,
    diff_along,
    ediff1d_lin,
    from_rows,
    cross_vjp1,
    cross_vjp2,
    kron_vjp1,
    kron_vjp2,
    obs_rows,
    pair_sum,
    prod_pairs,
    prod_partials,
    ptp_weights,
    quantile_axis,
    quantile_weights,
    reduce_to,
    reshape_to,
    to_rows,
    transpose_last,
    tri_mask,
    uncumulative_sum,
    undiff,
    unediff1d,
    unobs_rows,
    unpair_sum,
    unreduce,
)
from .stats import (
    _CUMULATIVE_SUM,
    _TRAPEZOID,
    average_check,
    bincount_check,
    cov_check,
    cross_check,
    diff_check,
    ediff1d_check,
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


@linear(*_CUMULATIVE_SUM)
def cumulative_sum(x, axis=None, dtype=None, out=None, include_initial=False):
    """Linear."""


@register(np.nancumsum)
def nancumsum(ans, a, da, axis=None, dtype=None, out=None):
    """cumsum of the tangent with the NaN entries' zeroed."""
    return np.cumsum(da * (1.0 - np.isnan(a)), axis)


@register(np.nancumprod)
def nancumprod(ans, a, da, axis=None, dtype=None, out=None):
    """cumprod's tangent with the NaN entries as ones (constants)."""
    keep = 1.0 - np.isnan(a)
    j = cumprod_jac(np.where(keep > 0, a, 1.0), axis)
    return from_rows(np.sum(j * unreduce(to_rows(da * keep, axis), j, 1), -1), ans, axis)


@linear(np.diff)
@supports(diff_check)
def diff(a, n=1, axis=-1, prepend=None, append=None):
    """Linear (no prepend/append)."""


@register(np.ediff1d)
@supports(ediff1d_check)
def ediff1d(ans, ary, dary, to_end=None, to_begin=None):
    """Affine: the differences of the tangent, zeros for the constants."""
    return ediff1d_lin(dary, to_end, to_begin)


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


@register(np.nanvar)
def nanvar(ans, a, da, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """2 sum(centered * da) / (n - ddof) over the non-NaN entries."""
    keep = 1.0 - np.isnan(a)
    a0 = np.where(keep > 0, a, 0.0)
    n = reduce_to(keep, ans, axis)
    centered = (a0 - unreduce(reduce_to(a0, ans, axis) / n, a, axis)) * keep
    return reduce_to(da * centered, ans, axis) * 2.0 / (n - ddof)


@register(np.nanstd)
def nanstd(ans, a, da, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    keep = 1.0 - np.isnan(a)
    a0 = np.where(keep > 0, a, 0.0)
    n = reduce_to(keep, ans, axis)
    centered = (a0 - unreduce(reduce_to(a0, ans, axis) / n, a, axis)) * keep
    return reduce_to(da * centered, ans, axis) / (ans * (n - ddof))


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


# --------------------------------------------------------------------------- covariances
@register(np.cov)
@supports(cov_check)
def cov(ans, m, dm, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None):
    """dC = (dXc Xc^T + Xc dXc^T) s."""
    x = obs_rows(m, rowvar)
    xc = x - unreduce(np.sum(x, 1), x, 1) / np.shape(x)[1]
    dx = obs_rows(dm, rowvar)
    dc = (dx - unreduce(np.sum(dx, 1), x, 1) / np.shape(x)[1]) @ transpose_last(xc)
    return reshape_to((dc + transpose_last(dc)) * cov_scale(x, bias, ddof), ans)


@register(np.cov)
@supports(cov_check)
def cov_y(ans, m, y, dm, dy, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None):
    xm = obs_rows(m, rowvar)
    x = np.concatenate((xm, obs_rows(y, rowvar)), 0)
    xc = x - unreduce(np.sum(x, 1), x, 1) / np.shape(x)[1]
    p = np.shape(x)[0]
    pm = np.shape(xm)[0]
    dx = np.eye(p, pm) @ obs_rows(dm, rowvar) + np.eye(p, p - pm, -pm) @ obs_rows(dy, rowvar)
    dc = (dx - unreduce(np.sum(dx, 1), x, 1) / np.shape(x)[1]) @ transpose_last(xc)
    return reshape_to((dc + transpose_last(dc)) * cov_scale(x, bias, ddof), ans)


@register(np.corrcoef)
def corrcoef(ans, x, dx, y=None, rowvar=True):
    """dR = dZ Z^T + Z dZ^T, dZ = (dXc - Z <Z, dXc>) / |Xc| row by row."""
    xr = obs_rows(x, rowvar)
    xc = xr - unreduce(np.sum(xr, 1), xr, 1) / np.shape(xr)[1]
    s = unreduce(np.sqrt(np.sum(xc * xc, 1)), xc, 1)
    z = xc / s
    dxr = obs_rows(dx, rowvar)
    dxc = dxr - unreduce(np.sum(dxr, 1), xr, 1) / np.shape(xr)[1]
    dr = ((dxc - z * unreduce(np.sum(z * dxc, 1), z, 1)) / s) @ transpose_last(z)
    return reshape_to(dr + transpose_last(dr), ans)


@register(np.corrcoef)
def corrcoef_y(ans, x, y, dx, dy, rowvar=True):
    xm = obs_rows(x, rowvar)
    xr = np.concatenate((xm, obs_rows(y, rowvar)), 0)
    xc = xr - unreduce(np.sum(xr, 1), xr, 1) / np.shape(xr)[1]
    s = unreduce(np.sqrt(np.sum(xc * xc, 1)), xc, 1)
    z = xc / s
    p = np.shape(xr)[0]
    pm = np.shape(xm)[0]
    dxr = np.eye(p, pm) @ obs_rows(dx, rowvar) + np.eye(p, p - pm, -pm) @ obs_rows(dy, rowvar)
    dxc = dxr - unreduce(np.sum(dxr, 1), xr, 1) / np.shape(xr)[1]
    dr = ((dxc - z * unreduce(np.sum(z * dxc, 1), z, 1)) / s) @ transpose_last(z)
    return reshape_to(dr + transpose_last(dr), ans)


# ------------------------------------------------------------------------------- bincount
@register(np.bincount)
@supports(bincount_check)
def bincount(ans, x, dx, weights=None, minlength=0):
    """Unweighted counts: integers, a zero tangent."""
    return np.zeros(np.shape(ans))


@linear(np.bincount, nondiff=("x",))
def bincount_weighted(x, weights, minlength=0):
    """Linear in the weights (the same bins: the tangent has the value's length)."""


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


@linear(unediff1d, nondiff=("ary",))
def unediff1d_rule(ct, ary, to_end=None, to_begin=None):
    """Linear in ct."""


@linear(ediff1d_lin)
def ediff1d_lin_rule(t, to_end=None, to_begin=None):
    """Linear."""


@linear(uncumulative_sum, nondiff=("x",))
def uncumulative_sum_rule(ct, x, axis=None, include_initial=False):
    """Linear in ct."""


@linear(obs_rows)
def obs_rows_rule(m, rowvar=True):
    """Linear."""


@linear(unobs_rows, nondiff=("m",))
def unobs_rows_rule(ct, m, rowvar=True):
    """Linear in ct."""


@linear(as_square, nondiff=("x",))
def as_square_rule(ct, x):
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


@multilinear(cross_vjp1, nondiff=("a",))
def cross_vjp1_rule(ct, a, b):
    """Linear in ct and in b (a gives the shape)."""


@multilinear(cross_vjp2, nondiff=("b",))
def cross_vjp2_rule(ct, a, b):
    """Linear in ct and in a (b gives the shape)."""


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
