"""VJP rules of polynomial evaluation and interpolation: np.polyval (w.r.t. the coefficients
and x) and np.interp (w.r.t. x, the values fp and the knots xp; second derivatives w.r.t. xp raise) -- and the rules of
their runtime helpers (runtime_stats.py), so that derivative code can be differentiated
again.

Conventions: polyval takes a 1-d p (np.poly1d and 2-d coefficient columns are refused).
np.interp is piecewise linear in x: its x-derivative is the slope of the knot interval
[xp[j], xp[j+1]) holding x -- right-sided at a knot -- and 0 outside [xp[0], xp[-1]) (the
constants left/right, or fp[0]/fp[-1] held flat); fp gets the interpolation weights (1 - t,
t) of the two knots around x, and fp[0]/fp[-1] the cotangent of the x beyond them unless
left/right are given. left/right must be literal numbers (or None); period= is refused.
"""
import numpy as np

from ..registry import VJP_RULES, supports
from ..runtime import (
    interp_slope,
    interp_t,
    no_derivative,
    polyder_of,
    unbroadcast,
    uninterp,
    uninterp_slope,
    unpolyder,
    unpolyval,
)

register = VJP_RULES.register


def polyval_check(known):
    nd = known.get("ndim:p")
    if nd is not None and nd != 1:
        return "with coefficients p that are not a 1-d array (np.poly1d or 2-d columns)"
    return None


def interp_check(known):
    if known.get("period", 0) is not None:
        return "with period= (not covered)"
    for name in ("left", "right"):
        if name not in known and f"ndim:{name}" in known:
            return f"with a {name}= that is not a literal number (its own derivative is not propagated)"
    return None


@register(np.polyval)
@supports(polyval_check)
def polyval(g, ans, p, x):
    """p gets sum(g x^(N-1-k)), x g p'(x)."""
    return unpolyval(g, p, x), unbroadcast(g * np.polyval(polyder_of(p), x), x)


@register(np.interp)
@supports(interp_check)
def interp(g, ans, x, xp, fp, left=None, right=None, period=None):
    """Inside a cell y = fp_j + s (x - xp_j) with s its slope: moving the knots xp_j, xp_j+1
    changes y by -s (1 - t), -s t -- the fp weights times -s (0 outside the knots)."""
    slope = interp_slope(x, xp, fp)
    return unbroadcast(g * slope, x), -uninterp(g * slope, x, xp, left, right), uninterp(g, x, xp, left, right)


# ------------------------------------------------------------------ rules of the helpers
@register(unpolyval)
def unpolyval_rule(g, ans, ct, p, x):
    """<g, unpolyval(ct, p, x)> = sum(ct polyval(g, x)); p gives the length."""
    return unbroadcast(np.polyval(g, x), ct), None, unbroadcast(ct * np.polyval(polyder_of(g), x), x)


@register(polyder_of)
def polyder_of_rule(g, ans, p):
    return unpolyder(g, p)


@register(unpolyder)
def unpolyder_rule(g, ans, ct, p):
    return polyder_of(g), None


@register(interp_t)
def interp_t_rule(g, ans, t, x, xp, left=None, right=None):
    return (uninterp(g, x, xp, left, right), unbroadcast(g * interp_slope(x, xp, t), x),
            no_derivative(np.sum(np.abs(g)) + 0.0 * xp, xp, "np.interp: no second derivative w.r.t. the knots xp"))


@register(uninterp)
def uninterp_rule(g, ans, ct, x, xp, left=None, right=None):
    """<g, uninterp(ct, x, xp)> = <ct, interp_t(g, x, xp)>."""
    return (interp_t(g, x, xp, left, right), unbroadcast(ct * interp_slope(x, xp, g), x),
            no_derivative(np.sum(np.abs(g)) + 0.0 * xp, xp, "np.interp: no second derivative w.r.t. the knots xp"))


@register(interp_slope)
def interp_slope_rule(g, ans, x, xp, fp):
    """Piecewise constant in x (None), linear in fp."""
    return (None, no_derivative(np.sum(np.abs(g)) + 0.0 * xp, xp, "np.interp: no second derivative w.r.t. the knots xp"),
            uninterp_slope(g, x, xp))


@register(uninterp_slope)
def uninterp_slope_rule(g, ans, ct, x, xp):
    return (interp_slope(x, xp, g), None,
            no_derivative(np.sum(np.abs(g)) + 0.0 * xp, xp, "np.interp: no second derivative w.r.t. the knots xp"))
