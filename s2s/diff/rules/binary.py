"""Elementwise functions of two inputs (broadcasting): arithmetic operators and their ufuncs,
`math` and builtin functions of two arguments. Every contribution goes through
`unbroadcast`, which sums it back to its input's shape (and gives None for an input that is
None, e.g. a missing clip bound).

Each contribution is a separate expression of the final `return`, so the inliner can drop
the ones for inputs that need no adjoint.

Kinks and conventions (as JAX): maximum/minimum (and builtin max/min of two values) split
the cotangent 0.5/0.5 between tied inputs; clip passes it to `a` where a_min <= a <= a_max
(inclusive) and to the bound that is active outside; `%` has d/dx1 = 1 and
d/dx2 = -floor(x1 / x2); `//` has zero derivative; `where` gives its condition None.
fmax/fmin follow maximum/minimum, and where one input is NaN the other gets the whole
cotangent (it is the result); copysign(x1, x2) = |x1| with x2's sign: d/dx1 =
sign(x1) * copysign(1, x2) (0 at x1 == 0, as abs), x2 gets None; heaviside(x1, x2) is
piecewise constant in x1 and equals x2 where x1 == 0 (x2 gets the cotangent there).
ldexp(x1, x2) = x1 * 2**x2 with an integer x2, which gets None.
`np.true_divide` is `np.divide`; `float_power` is `power` computed in float64.
"""
import builtins
import math

import gast
import numpy as np

from ..registry import VJP_RULES, selects
from ..runtime import inside, log_or_zero, unbroadcast

register = VJP_RULES.register


@register(np.add, gast.Add)
def add(g, ans, x1, x2):
    return unbroadcast(g, x1), unbroadcast(g, x2)


@register(np.subtract, gast.Sub)
def subtract(g, ans, x1, x2):
    return unbroadcast(g, x1), unbroadcast(-g, x2)


@register(np.multiply, gast.Mult)
def multiply(g, ans, x1, x2):
    return unbroadcast(g * x2, x1), unbroadcast(g * x1, x2)


@register(np.divide, gast.Div)
def divide(g, ans, x1, x2):
    """x1 / x2 (`np.true_divide` is `np.divide`)."""
    return unbroadcast(g / x2, x1), unbroadcast(-g * ans / x2, x2)


def power_select(known):
    """A constant exponent other than 0 (`x ** 2`): the plain formula."""
    x2 = known.get("x2")
    return power_constant if type(x2) in (int, float) and x2 != 0 else None


@register(np.power, gast.Pow, math.pow, builtins.pow)
@selects(power_select)
def power(g, ans, x1, x2):
    """x1 ** x2: d/dx1 = x2 x1**(x2-1), 0 where x2 == 0 (x1 ** 0 is constant, at x1 == 0 too:
    the exponent is made 0 there instead of 0 * 0**-1 = nan, as JAX); d/dx2 = ans log(x1),
    taken as 0 where x1 == 0 and nan where x1 < 0 (as JAX)."""
    return unbroadcast(g * x2 * np.power(x1, x2 - 1.0 + (x2 == 0)), x1), unbroadcast(g * ans * log_or_zero(x1), x2)


@VJP_RULES.variant(np.power)
def power_constant(g, ans, x1, x2):
    """A nonzero constant exponent: x2 x1**(x2-1)."""
    return unbroadcast(g * x2 * np.power(x1, x2 - 1), x1), unbroadcast(g * ans * log_or_zero(x1), x2)


@register(np.mod, gast.Mod)
def mod(g, ans, x1, x2):
    """x1 % x2 = x1 - floor(x1 / x2) x2 (`np.remainder` is `np.mod`)."""
    return unbroadcast(g, x1), unbroadcast(-g * np.floor(x1 / x2), x2)


@register(np.fmod, math.fmod)
def fmod(g, ans, x1, x2):
    """C remainder: x1 - trunc(x1 / x2) x2."""
    return unbroadcast(g, x1), unbroadcast(-g * np.trunc(x1 / x2), x2)


@register(np.floor_divide, gast.FloorDiv)
def floor_divide(g, ans, x1, x2):
    """x1 // x2 is piecewise constant: no contribution."""
    return None, None


@register(np.arctan2, math.atan2)
def arctan2(g, ans, x1, x2):
    """atan2(y=x1, x=x2)."""
    return unbroadcast(g * x2 / (x1 * x1 + x2 * x2), x1), unbroadcast(-g * x1 / (x1 * x1 + x2 * x2), x2)


@register(np.hypot, math.hypot)
def hypot(g, ans, x1, x2):
    """sqrt(x1**2 + x2**2) (`math.hypot` with two arguments)."""
    return unbroadcast(g * x1 / ans, x1), unbroadcast(g * x2 / ans, x2)


@register(np.logaddexp)
def logaddexp(g, ans, x1, x2):
    return unbroadcast(g * np.exp(x1 - ans), x1), unbroadcast(g * np.exp(x2 - ans), x2)


@register(np.maximum, max)
def maximum(g, ans, x1, x2):
    """Ties split the cotangent 0.5/0.5 (as JAX). Builtin `max` of two values too."""
    return (unbroadcast(g * ((x1 > x2) + 0.5 * (x1 == x2)), x1),
            unbroadcast(g * ((x2 > x1) + 0.5 * (x1 == x2)), x2))


@register(np.minimum, min)
def minimum(g, ans, x1, x2):
    """Ties split the cotangent 0.5/0.5 (as JAX). Builtin `min` of two values too."""
    return (unbroadcast(g * ((x1 < x2) + 0.5 * (x1 == x2)), x1),
            unbroadcast(g * ((x2 < x1) + 0.5 * (x1 == x2)), x2))


@register(np.clip)
def clip(g, ans, a, a_min, a_max):
    """The cotangent goes to `a` where a_min <= a <= a_max (inclusive, as JAX), to a_min where
    a < a_min, to a_max where a > a_max; a None bound gets None."""
    return (unbroadcast(g * inside(a, a_min, a_max), a),
            unbroadcast(g * (1.0 - inside(a, a_min, None)), a_min),
            unbroadcast(g * (1.0 - inside(a, None, a_max)), a_max))


@register(np.where)
def where(g, ans, condition, x, y):
    """The condition gets None."""
    return None, unbroadcast(np.where(condition, g, 0.0), x), unbroadcast(np.where(condition, 0.0, g), y)


@register(np.float_power)
def float_power(g, ans, x1, x2):
    """As `power`, in float64."""
    return (unbroadcast(g * x2 * np.float_power(x1, x2 - 1), x1),
            unbroadcast(g * ans * log_or_zero(x1), x2))


@register(np.logaddexp2)
def logaddexp2(g, ans, x1, x2):
    """log2(2**x1 + 2**x2): d/dx1 = 2**(x1 - ans)."""
    return unbroadcast(g * np.exp2(x1 - ans), x1), unbroadcast(g * np.exp2(x2 - ans), x2)


@register(np.fmax)
def fmax(g, ans, x1, x2):
    """maximum ignoring NaN: ties split 0.5/0.5; a NaN input's partner gets the cotangent."""
    return (unbroadcast(g * ((x1 > x2) + 0.5 * (x1 == x2) + np.isnan(x2) * (x1 == x1)), x1),
            unbroadcast(g * ((x2 > x1) + 0.5 * (x1 == x2) + np.isnan(x1) * (x2 == x2)), x2))


@register(np.fmin)
def fmin(g, ans, x1, x2):
    """minimum ignoring NaN: ties split 0.5/0.5; a NaN input's partner gets the cotangent."""
    return (unbroadcast(g * ((x1 < x2) + 0.5 * (x1 == x2) + np.isnan(x2) * (x1 == x1)), x1),
            unbroadcast(g * ((x2 < x1) + 0.5 * (x1 == x2) + np.isnan(x1) * (x2 == x2)), x2))


@register(np.copysign, math.copysign)
def copysign(g, ans, x1, x2):
    """|x1| with the sign of x2: d/dx1 = sign(x1) * copysign(1, x2); x2 gets None."""
    return unbroadcast(g * np.sign(x1) * np.copysign(1.0, x2), x1), None


@register(np.heaviside)
def heaviside(g, ans, x1, x2):
    """0 where x1 < 0, 1 where x1 > 0, x2 where x1 == 0: only x2 gets a cotangent, there."""
    return None, unbroadcast(g * (x1 == 0.0), x2)


@register(np.ldexp)
def ldexp(g, ans, x1, x2):
    """x1 * 2**x2, x2 an integer (None)."""
    return unbroadcast(g * np.ldexp(1.0, x2), x1), None
