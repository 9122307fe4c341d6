"""VJP rules of the stats family: running products and differences (cumprod, diff),
averages (average, also weighted), ptp, NaN-aware reductions (nansum, nanmean, nanmax,
nanmin, nanprod), order statistics (median, percentile, quantile), trapezoid, small products
(vdot, cross, kron, convolve, correlate); and the rules of their runtime helpers
(runtime_stats.py), so that derivative code can be differentiated again.

Conventions: options follow NumPy's positional order; `dtype`/`out`/`overwrite_input` are
ignored. Reductions take `axis` None or int (negative too) with or without `keepdims` as the
reductions family. Kinks as there: ties of max/min (ptp, nanmax, nanmin) split the cotangent
equally; median/percentile/quantile ('linear' method only) weigh the two neighbouring sorted
elements, ties taken in stable sort order; their q gets the interpolation's slope
(right-sided where (n - 1) q is whole). NaN entries of the nan-reductions get a zero
cotangent. cumprod and nanprod are exact with zeros (nothing divides by x).

Optional differentiable inputs that NumPy also takes by keyword (average's `weights`,
trapezoid's `x`) have a variant with more inputs, in NumPy's positional order; a call
passing them by keyword is bound to that variant (callsite.rule_for).
"""
import numpy as np

from ..registry import NONDIFF, VJP_RULES, supports
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
    reshape_to,
    to_rows,
    tri_mask,
    unbroadcast,
    undiff,
    unpair_sum,
    unreduce,
)

register = VJP_RULES.register
NONDIFF.register(ptp_weights, quantile_weights, quantile_axis, tri_mask)
_TRAPEZOID = [getattr(np, n) for n in ("trapezoid", "trapz") if hasattr(np, n)][:1]


# ------------------------------------------------------------------------ support checks
def _literal(known, name, allowed, hint):
    if name not in known or known[name] not in allowed:
        return hint
    return None


def average_check(known):
    if known.get("returned", True) is not False:
        return "with returned=True (or not a literal)"
    return _literal(known, "weights", (None,), "with weights= by keyword: pass them by position, "
                    "np.average(a, axis, weights), to differentiate them")


def weighted_average_check(known):
    if known.get("returned", True) is not False:
        return "with returned=True (or not a literal)"
    na, nw = known.get("ndim:a"), known.get("ndim:weights")
    if na is not None and nw is not None and na != nw:
        return "with weights of another rank than a (1-d weights along an axis): broadcast them to a's shape"
    return None


def diff_check(known):
    if known.get("prepend", 0) is not None or known.get("append", 0) is not None:
        return "with prepend= or append= (concatenate them first)"
    return None


def trapezoid_check(known):
    if "x" not in known or known["x"] is not None:
        return "with x= by keyword: pass x by position, np.trapezoid(y, x), to differentiate it"
    if "dx" not in known:
        return "with dx= not a literal number: multiply the result by dx instead"
    return None


def trapezoid_x_check(known):
    ny, nx = known.get("ndim:y"), known.get("ndim:x")
    if ny is not None and nx is not None and ny != nx:
        return "with x of another rank than y: broadcast x to y's shape"
    return None


def quantile_check(known):
    others = ("interpolation", "weights")
    if known.get("method") != "linear" or any(n not in known or known[n] is not None for n in others):
        return "with a method other than the default 'linear' (or weights)"
    return None


def cross_check(known):
    if any(n not in known or known[n] != -1 for n in ("axisa", "axisb", "axisc")) or known.get("axis", 0) is not None:
        return "with axis arguments (vectors along the last axis only: move the axis first)"
    return None


# ---------------------------------------------------------------- running products, diff
@register(np.cumprod)
def cumprod(g, ans, a, axis=None, dtype=None, out=None):
    """Exact with zeros (no division)."""
    return cumprod_vjp(g, a, axis)


@register(np.diff)
@supports(diff_check)
def diff(g, ans, a, n=1, axis=-1, prepend=None, append=None):
    return undiff(g, a, n, axis)


# ------------------------------------------------------------------------------ averages
@register(np.average)
@supports(average_check)
def average(g, ans, a, axis=None, weights=None, returned=False, keepdims=False):
    """Unweighted (weights by keyword refused unless None): the mean's rule."""
    return unreduce(g, a, axis) * (np.size(ans) / np.size(a))


@register(np.average)
@supports(weighted_average_check)
def average_weighted(g, ans, a, axis, weights, returned=False, keepdims=False):
    """np.average(a, axis, weights), weights of a's shape: a gets g w / sum(w), the weights
    g (a - average) / sum(w)."""
    gw = unreduce(g / reduce_to(weights, ans, axis), a, axis)
    return gw * weights, None, gw * (a - unreduce(ans, a, axis))


@register(np.ptp)
def ptp(g, ans, a, axis=None, out=None, keepdims=False):
    """max - min, ties split equally among the tied extrema."""
    return unreduce(g, a, axis) * ptp_weights(a, axis)


# ---------------------------------------------------------------------- NaN-aware reductions
@register(np.nansum)
def nansum(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return unreduce(g, a, axis) * (1.0 - np.isnan(a))


@register(np.nanmean)
def nanmean(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    keep = 1.0 - np.isnan(a)
    return unreduce(g / reduce_to(keep, ans, axis), a, axis) * keep


@register(np.nanmax, np.nanmin)
def nanmax(g, ans, a, axis=None, out=None, keepdims=False):
    """Split equally among tied extrema (NaN never equals the result)."""
    mask = a == unreduce(ans, a, axis)
    return unreduce(g, a, axis) * mask / unreduce(np.sum(mask, axis), a, axis)


@register(np.nanprod)
def nanprod(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    keep = 1.0 - np.isnan(a)
    return unreduce(g, a, axis) * prod_partials(np.where(keep > 0, a, 1.0), axis) * keep


# ----------------------------------------------------------------------- order statistics
@register(np.median)
def median(g, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The middle element (even count: half to each of the two middle ones)."""
    return unreduce(g, a, axis) * quantile_weights(a, 0.5, axis)


@register(np.quantile)
@supports(quantile_check)
def quantile(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False,
             weights=None, interpolation=None):
    """'linear' method. q gets the slope of the interpolation, (n - 1) (s_hi - s_lo)
    (right-sided at a whole (n - 1) q)."""
    w = quantile_weights(a, q, axis)
    gw = unreduce(g, w, quantile_axis(q, a, axis))
    return (unbroadcast(gw * w, a),
            reduce_to(gw * quantile_weights(a, q, axis, 1.0, True) * a, q, quantile_axis(q, a, None)))


@register(np.percentile)
@supports(quantile_check)
def percentile(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False,
               weights=None, interpolation=None):
    """quantile at q / 100."""
    w = quantile_weights(a, q, axis, 100.0)
    gw = unreduce(g, w, quantile_axis(q, a, axis))
    return (unbroadcast(gw * w, a),
            reduce_to(gw * quantile_weights(a, q, axis, 100.0, True) * a, q, quantile_axis(q, a, None)))


# ------------------------------------------------------------------------------ trapezoid
@register(*_TRAPEZOID)
@supports(trapezoid_check)
def trapezoid(g, ans, y, x=None, dx=1.0, axis=-1):
    """Uniform spacing dx (a literal): weights dx/2 at the ends, dx inside."""
    return unpair_sum(unreduce(g * (0.5 * dx), pair_sum(y, axis), axis), y, axis)


@register(*_TRAPEZOID)
@supports(trapezoid_x_check)
def trapezoid_x(g, ans, y, x, axis=-1):
    """sum(pair_sum(y) diff(x)) / 2, x of y's shape (or both 1-d)."""
    d = diff_along(x, 1, axis)
    gg = unreduce(g * 0.5, d, axis)
    return unpair_sum(gg * d, y, axis), undiff(gg * pair_sum(y, axis), x, 1, axis)


# ---------------------------------------------------------------------------- products
@register(np.vdot)
def vdot(g, ans, a, b):
    """Real inputs of any shapes with the same size (flattened)."""
    return reshape_to(g * np.ravel(b), a), reshape_to(g * np.ravel(a), b)


@register(np.cross)
@supports(cross_check)
def cross(g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """3-vectors along the last axis, stacks broadcast."""
    return unbroadcast(np.cross(b, g), a), unbroadcast(np.cross(g, a), b)


@register(np.kron)
def kron(g, ans, a, b):
    return kron_vjp1(g, a, b), kron_vjp2(g, a, b)


@register(np.convolve)
def convolve(g, ans, a, v, mode="full"):
    return convolve_vjp1(g, a, v, mode), convolve_vjp2(g, a, v, mode)


@register(np.correlate)
def correlate(g, ans, a, v, mode="valid"):
    """Real inputs."""
    return correlate_vjp1(g, a, v, mode), correlate_vjp2(g, a, v, mode)


# ------------------------------------------------------------------ rules of the helpers
@register(undiff)
def undiff_rule(g, ans, ct, a, n=1, axis=-1):
    return diff_along(g, n, axis), None


@register(diff_along)
def diff_along_rule(g, ans, x, n=1, axis=-1):
    return undiff(g, x, n, axis)


@register(pair_sum)
def pair_sum_rule(g, ans, y, axis=-1):
    return unpair_sum(g, y, axis)


@register(unpair_sum)
def unpair_sum_rule(g, ans, ct, y, axis=-1):
    return pair_sum(g, axis), None


@register(convolve_vjp1)
def convolve_vjp1_rule(g, ans, ct, a, v, mode="full"):
    """Bilinear in (ct, v); a gives the shape."""
    return np.convolve(g, v, mode), None, convolve_vjp2(ct, g, v, mode)


@register(convolve_vjp2)
def convolve_vjp2_rule(g, ans, ct, a, v, mode="full"):
    return np.convolve(a, g, mode), convolve_vjp1(ct, a, g, mode), None


@register(correlate_vjp1)
def correlate_vjp1_rule(g, ans, ct, a, v, mode="valid"):
    return np.correlate(g, v, mode), None, correlate_vjp2(ct, g, v, mode)


@register(correlate_vjp2)
def correlate_vjp2_rule(g, ans, ct, a, v, mode="valid"):
    return np.correlate(a, g, mode), correlate_vjp1(ct, a, g, mode), None


@register(kron_vjp1)
def kron_vjp1_rule(g, ans, ct, a, b):
    return np.kron(g, b), None, kron_vjp2(ct, g, b)


@register(kron_vjp2)
def kron_vjp2_rule(g, ans, ct, a, b):
    return np.kron(a, g), kron_vjp1(ct, a, g), None


@register(cumprod_vjp)
def cumprod_vjp_rule(g, ans, ct, x, axis=None):
    """ct gets J g; x gets the Hessian of ct . cumprod(x) along g: per row j of the
    prefix rows, prod_pairs with the weights ct_j g_i (i <= j), summed over j <= k."""
    m = tri_mask(x, axis)
    rows = unreduce(to_rows(x, axis), m, 1) * m + (1.0 - m)
    c = unreduce(to_rows(ct, axis), m, 2) * unreduce(to_rows(g, axis), m, 1) * m
    return (from_rows(np.sum(cumprod_jac(x, axis) * unreduce(to_rows(g, axis), m, 1), -1), ct, axis),
            from_rows(np.sum(prod_pairs(rows, c, -1) * m, 1), x, axis))


@register(cumprod_jac)
def cumprod_jac_rule(g, ans, x, axis=None):
    """[b, j, i] = prod_partials(prefix row j)_i for i <= j: its derivative is prod_pairs
    of the prefix rows (x_k enters row j when k <= j)."""
    m = tri_mask(x, axis)
    rows = unreduce(to_rows(x, axis), m, 1) * m + (1.0 - m)
    return from_rows(np.sum(prod_pairs(rows, g * m, -1) * m, 1), x, axis)
