"""VJP rules of the stats family: running sums, products and differences (cumprod,
cumulative_sum, nancumsum, nancumprod, diff, ediff1d), averages (average, also weighted),
ptp, NaN-aware reductions (nansum, nanmean, nanmax, nanmin, nanprod, nanvar, nanstd), order
statistics (median, percentile, quantile), covariances (cov, corrcoef), weighted bincount, trapezoid, small
products (vdot, cross, kron, convolve, correlate); and the rules of their runtime helpers
(runtime_stats.py), so that derivative code can be differentiated again.

Conventions: options follow NumPy's positional order; `dtype`/`out`/`overwrite_input` are
ignored. Reductions take `axis` None or int (negative too) with or without `keepdims` as the
reductions family. Kinks as there: ties of max/min (ptp, nanmax, nanmin) split the cotangent
equally; median/percentile/quantile ('linear' method only) weigh the two neighbouring sorted
elements, ties taken in stable sort order; their q gets the interpolation's slope
(right-sided where (n - 1) q is whole). NaN entries of the nan-functions (nan-reductions,
nancumsum, nancumprod) get a zero cotangent: the derivative is w.r.t. the other entries (an
all-NaN slice of nanvar/nanstd gives NaN, as its value). cumprod, nancumprod and nanprod are
exact with zeros (nothing divides by x).

np.cov and np.corrcoef take m (and y, by position or keyword), rowvar, bias and ddof; not
fweights/aweights. Their observations go through `obs_rows` (m as a 2-d array of
variables in rows) and a one-variable result (squeezed by NumPy) through `as_square`;
corrcoef is differentiated as Z Z^T with Z the centered rows scaled to unit norm (its clip
to [-1, 1] only trims rounding). np.ediff1d takes literal to_begin/to_end (numbers or None).

Optional differentiable inputs that NumPy also takes by keyword (average's `weights`,
trapezoid's `x`) have a variant with more inputs, in NumPy's positional order; a call
passing them by keyword is bound to that variant (callsite.rule_for).
"""
import numpy as np

from ..registry import NONDIFF, VJP_RULES, selects, supports
from ..runtime import (
    as_square,
    convolve_vjp1,
    convolve_vjp2,
    correlate_vjp1,
    correlate_vjp2,
    cov_scale,
    cross_vjp1,
    cross_vjp2,
    cumprod_jac,
    cumprod_vjp,
    diff_along,
    ediff1d_lin,
    from_rows,
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
    unbroadcast,
    uncumsum,
    uncumulative_sum,
    undiff,
    unediff1d,
    unobs_rows,
    unpair_sum,
    unreduce,
)

register = VJP_RULES.register
NONDIFF.register(ptp_weights, quantile_weights, quantile_axis, tri_mask, cov_scale)
_CUMULATIVE_SUM = [np.cumulative_sum] if hasattr(np, "cumulative_sum") else []  # NumPy >= 2.1
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


def ediff1d_check(known):
    for name in ("to_end", "to_begin"):
        if name not in known and f"ndim:{name}" in known:
            return f"with a {name}= that is not a literal constant (its own derivative is not propagated)"
    return None


def cov_check(known):
    if any(known.get(n, 0) is not None for n in ("fweights", "aweights")):
        return "with fweights= or aweights= (only unweighted covariances)"
    return None


def quantile_check(known):
    others = ("interpolation", "weights")
    if known.get("method") != "linear" or any(n not in known or known[n] is not None for n in others):
        return "with a method other than the default 'linear' (or weights)"
    return None


def _int_axis(v):
    return type(v) is int


def cross_check(known):
    """Constant axes (`axis` overrides the other three, as in NumPy)."""
    if "axis" in known and known["axis"] is not None:
        ok = _int_axis(known["axis"])
    else:
        ok = "axis" in known and all(_int_axis(known.get(n)) for n in ("axisa", "axisb", "axisc"))
    return None if ok else "with axis arguments that are not constant ints"


def cross_select(known):
    """The vectors along other axes than the last: the rule between np.moveaxis."""
    if known.get("axis") is not None:
        return None if known["axis"] == -1 else cross_axis
    if any(known.get(n) != -1 for n in ("axisa", "axisb", "axisc")):
        return cross_axes
    return None


# ---------------------------------------------------------------- running products, diff
@register(np.cumprod)
def cumprod(g, ans, a, axis=None, dtype=None, out=None):
    """Exact with zeros (no division)."""
    return cumprod_vjp(g, a, axis)


@register(*_CUMULATIVE_SUM)
def cumulative_sum(g, ans, x, axis=None, dtype=None, out=None, include_initial=False):
    """NumPy 2's cumsum (axis None only for a 1-d x; include_initial prepends a 0)."""
    return uncumulative_sum(g, x, axis, include_initial)


@register(np.nancumsum)
def nancumsum(g, ans, a, axis=None, dtype=None, out=None):
    """cumsum with NaNs as zeros: the NaN entries get zero."""
    return uncumsum(g, a, axis) * (1.0 - np.isnan(a))


@register(np.nancumprod)
def nancumprod(g, ans, a, axis=None, dtype=None, out=None):
    """cumprod with NaNs as ones: the NaN entries get zero (exact with zeros)."""
    return cumprod_vjp(g, np.where(np.isnan(a), 1.0, a), axis) * (1.0 - np.isnan(a))


@register(np.diff)
@supports(diff_check)
def diff(g, ans, a, n=1, axis=-1, prepend=None, append=None):
    return undiff(g, a, n, axis)


@register(np.ediff1d)
@supports(ediff1d_check)
def ediff1d(g, ans, ary, to_end=None, to_begin=None):
    """diff of the flattened array, between the literal to_begin and to_end."""
    return unediff1d(g, ary, to_end, to_begin)


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


@register(np.nanvar)
def nanvar(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """var over the non-NaN entries (n of them per slice): 2 (a - mean) / (n - ddof)."""
    keep = 1.0 - np.isnan(a)
    a0 = np.where(keep > 0, a, 0.0)
    n = reduce_to(keep, ans, axis)
    centered = (a0 - unreduce(reduce_to(a0, ans, axis) / n, a, axis)) * keep
    return unreduce(g * 2.0 / (n - ddof), a, axis) * centered


@register(np.nanstd)
def nanstd(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """nanvar's cotangent / (2 std): infinite (nan) at a constant slice, as std."""
    keep = 1.0 - np.isnan(a)
    a0 = np.where(keep > 0, a, 0.0)
    n = reduce_to(keep, ans, axis)
    centered = (a0 - unreduce(reduce_to(a0, ans, axis) / n, a, axis)) * keep
    return unreduce(g / (ans * (n - ddof)), a, axis) * centered


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


# --------------------------------------------------------------------------- covariances
@register(np.cov)
@supports(cov_check)
def cov(g, ans, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None):
    """C = Xc Xc^T s (X: the variables in rows, Xc centered, s = 1 / (n - ddof)): X gets
    (G + G^T) Xc s (whose rows are centered already)."""
    x = obs_rows(m, rowvar)
    xc = x - unreduce(np.sum(x, 1), x, 1) / np.shape(x)[1]
    gm = as_square(g, x)
    return unobs_rows((gm + transpose_last(gm)) @ xc * cov_scale(x, bias, ddof), m, rowvar)


@register(np.cov)
@supports(cov_check)
def cov_y(g, ans, m, y, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None):
    """The covariance of m's and y's variables together (y's rows after m's)."""
    xm = obs_rows(m, rowvar)
    x = np.concatenate((xm, obs_rows(y, rowvar)), 0)
    xc = x - unreduce(np.sum(x, 1), x, 1) / np.shape(x)[1]
    gm = as_square(g, x)
    gx = (gm + transpose_last(gm)) @ xc * cov_scale(x, bias, ddof)
    return unobs_rows(gx[:np.shape(xm)[0]], m, rowvar), unobs_rows(gx[np.shape(xm)[0]:], y, rowvar)


@register(np.corrcoef)
def corrcoef(g, ans, x, y=None, rowvar=True):
    """R = Z Z^T, Z = Xc / |Xc| row by row: Z gets (G + G^T) Z, Xc that without its part
    along Z, divided by the row norm."""
    xr = obs_rows(x, rowvar)
    xc = xr - unreduce(np.sum(xr, 1), xr, 1) / np.shape(xr)[1]
    s = unreduce(np.sqrt(np.sum(xc * xc, 1)), xc, 1)
    z = xc / s
    gm = as_square(g, xr)
    gz = (gm + transpose_last(gm)) @ z
    return unobs_rows((gz - z * unreduce(np.sum(gz * z, 1), z, 1)) / s, x, rowvar)


@register(np.corrcoef)
def corrcoef_y(g, ans, x, y, rowvar=True):
    xm = obs_rows(x, rowvar)
    xr = np.concatenate((xm, obs_rows(y, rowvar)), 0)
    xc = xr - unreduce(np.sum(xr, 1), xr, 1) / np.shape(xr)[1]
    s = unreduce(np.sqrt(np.sum(xc * xc, 1)), xc, 1)
    z = xc / s
    gm = as_square(g, xr)
    gz = (gm + transpose_last(gm)) @ z
    gx = (gz - z * unreduce(np.sum(gz * z, 1), z, 1)) / s
    return unobs_rows(gx[:np.shape(xm)[0]], x, rowvar), unobs_rows(gx[np.shape(xm)[0]:], y, rowvar)


# ------------------------------------------------------------------------------- bincount
def bincount_check(known):
    return _literal(known, "weights", (None,), "with weights= by keyword: pass them by position to "
                    "differentiate them")


@register(np.bincount)
@supports(bincount_check)
def bincount(g, ans, x, weights=None, minlength=0):
    """Unweighted counts: integers, nothing to differentiate."""
    return None


@register(np.bincount)
def bincount_weighted(g, ans, x, weights, minlength=0):
    """Sums of the weights per bin: each weight gets its bin's cotangent (a gather); the
    bins x are integers (None)."""
    return None, g[x]


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
@selects(cross_select)
def cross(g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Vectors along the last axis (3 or 2 long), stacks broadcast."""
    return cross_vjp1(g, a, b), cross_vjp2(g, a, b)


@VJP_RULES.variant(np.cross)
def cross_axes(g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Vectors along axisa of a, axisb of b, axisc of the result: the last-axis rule on
    the vectors moved last, the contributions moved back."""
    a1, b1, g1 = np.moveaxis(a, axisa, -1), np.moveaxis(b, axisb, -1), np.moveaxis(g, axisc, -1)
    return np.moveaxis(cross_vjp1(g1, a1, b1), -1, axisa), np.moveaxis(cross_vjp2(g1, a1, b1), -1, axisb)


@VJP_RULES.variant(np.cross)
def cross_axis(g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """`axis` for all three."""
    a1, b1, g1 = np.moveaxis(a, axis, -1), np.moveaxis(b, axis, -1), np.moveaxis(g, axis, -1)
    return np.moveaxis(cross_vjp1(g1, a1, b1), -1, axis), np.moveaxis(cross_vjp2(g1, a1, b1), -1, axis)


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


@register(unediff1d)
def unediff1d_rule(g, ans, ct, ary, to_end=None, to_begin=None):
    return ediff1d_lin(g, to_end, to_begin), None


@register(ediff1d_lin)
def ediff1d_lin_rule(g, ans, t, to_end=None, to_begin=None):
    return unediff1d(g, t, to_end, to_begin)


@register(uncumulative_sum)
def uncumulative_sum_rule(g, ans, ct, x, axis=None, include_initial=False):
    return np.cumulative_sum(g, axis=axis, include_initial=include_initial), None


@register(obs_rows)
def obs_rows_rule(g, ans, m, rowvar=True):
    return unobs_rows(g, m, rowvar)


@register(unobs_rows)
def unobs_rows_rule(g, ans, ct, m, rowvar=True):
    return obs_rows(g, rowvar), None


@register(as_square)
def as_square_rule(g, ans, ct, x):
    """Linear in ct; x gives the size."""
    return reshape_to(g, ct), None


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


@register(cross_vjp1)
def cross_vjp1_rule(g, ans, ct, a, b):
    """Linear in ct and b: <g, cross_vjp1(ct, a, b)> = <ct, a x b> with a = g."""
    return np.cross(g, b), None, cross_vjp2(ct, g, b)


@register(cross_vjp2)
def cross_vjp2_rule(g, ans, ct, a, b):
    return np.cross(a, g), cross_vjp1(ct, a, g), None


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
