"""JVP rules of rules/interpolation.py (np.polyval, np.interp and their helpers), with the
same inputs, options and `supports` checks: the tangent in the coefficients/values is the
same evaluation of their tangents (`np.polyval(dp, x)`, `interp_t`, linear), plus dx times
the x-derivative (p'(x); the interpolation's slope, right-sided at a knot, 0 outside the
knots, as the VJP).
"""
import numpy as np

from ..registry import JVP_RULES, supports
from ..runtime import interp_slope, interp_t, no_derivative, polyder_of, uninterp, uninterp_slope, unpolyder, unpolyval, unreduce
from .interpolation import interp_check, polyval_check

register = JVP_RULES.register
linear = JVP_RULES.linear


@register(np.polyval)
@supports(polyval_check)
def polyval(ans, p, x, dp, dx):
    return np.polyval(dp, x) + dx * np.polyval(polyder_of(p), x)


@register(np.interp)
@supports(interp_check)
def interp(ans, x, xp, fp, dx, dxp, dfp, left=None, right=None, period=None):
    """Moving the knots: -slope times the knot tangents interpolated (rules/interpolation.py;
    an inactive xp's tangent is a zero scalar: made xp's shape)."""
    slope = interp_slope(x, xp, fp)
    return dx * slope + interp_t(dfp, x, xp, left, right) - slope * interp_t(unreduce(dxp, xp), x, xp, left, right)


# ------------------------------------------------------------------ rules of the helpers
@register(unpolyval)
def unpolyval_rule(ans, ct, p, x, dct, dp, dx):
    """Linear in ct; x's tangent through the derivative's powers (p gives the length)."""
    return unpolyval(dct, p, x) + unpolyder(unpolyval(ct * dx, polyder_of(p), x), p)


@linear(polyder_of)
def polyder_of_rule(p):
    """Linear."""


@linear(unpolyder, nondiff=("p",))
def unpolyder_rule(ct, p):
    """Linear in ct."""


@register(interp_t)
def interp_t_rule(ans, t, x, xp, dt, dx, dxp, left=None, right=None):
    return (interp_t(dt, x, xp, left, right) + dx * interp_slope(x, xp, t)
            + np.sum(no_derivative(dxp, xp, "np.interp: no second derivative w.r.t. the knots xp")))


@register(uninterp)
def uninterp_rule(ans, ct, x, xp, dct, dx, dxp, left=None, right=None):
    return (uninterp(dct, x, xp, left, right) + uninterp_slope(ct * dx, x, xp)
            + np.sum(no_derivative(dxp, xp, "np.interp: no second derivative w.r.t. the knots xp")))


@register(interp_slope)
def interp_slope_rule(ans, x, xp, fp, dx, dxp, dfp):
    """Piecewise constant in x, linear in fp."""
    return interp_slope(x, xp, dfp) + np.sum(no_derivative(dxp, xp, "np.interp: no second derivative w.r.t. the knots xp"))


@register(uninterp_slope)
def uninterp_slope_rule(ans, ct, x, xp, dct, dx, dxp):
    """Linear in ct, piecewise constant in x."""
    return uninterp_slope(dct, x, xp) + np.sum(no_derivative(dxp, xp, "np.interp: no second derivative w.r.t. the knots xp"))
