"""JVP rules of the elementwise functions of two inputs (the forward twins of binary.py):
arithmetic operators and their ufuncs, `math` and builtin functions of two arguments.
Each template is `dx1 * d/dx1 + dx2 * d/dx2`; broadcasting gives the tangent the output's
shape, and a dropped (zero) term leaves the other as it is.

Kinks and conventions as the VJP rules (as JAX): maximum/minimum (and builtin max/min of
two values) weigh tied inputs 0.5/0.5; clip follows `a` where a_min <= a <= a_max
(inclusive) and the bound that is active outside; `%` has d/dx1 = 1 and
d/dx2 = -floor(x1 / x2), fmod the same with trunc; `//` has a zero tangent; `where` is
linear in its two branches (the condition is read for its value). fmax/fmin as
maximum/minimum, with a NaN input's partner taking the whole tangent; copysign follows x1
only (sign(x1) * copysign(1, x2)); heaviside follows x2 where x1 == 0; ldexp follows x1
(its integer x2 has none).
"""
import builtins
import math

import gast
import numpy as np

from ..registry import JVP_RULES, selects
from ..runtime import inside, log_or_zero, zeros_like

register = JVP_RULES.register


@register(np.add, gast.Add)
def add(ans, x1, x2, dx1, dx2):
    return dx1 + dx2


@register(np.subtract, gast.Sub)
def subtract(ans, x1, x2, dx1, dx2):
    return dx1 - dx2


@register(np.multiply, gast.Mult)
def multiply(ans, x1, x2, dx1, dx2):
    return dx1 * x2 + x1 * dx2


@register(np.divide, gast.Div)
def divide(ans, x1, x2, dx1, dx2):
    """x1 / x2 (`np.true_divide` is `np.divide`)."""
    return (dx1 - ans * dx2) / x2


def _power_select(known):
    x2 = known.get("x2")
    return power_constant if type(x2) in (int, float) and x2 != 0 else None


@register(np.power, gast.Pow, math.pow, builtins.pow)
@selects(_power_select)
def power(ans, x1, x2, dx1, dx2):
    """x1 ** x2: d/dx1 = x2 x1**(x2-1), 0 where x2 == 0 (see binary.power); d/dx2 = ans log(x1),
    taken as 0 where x1 == 0 and nan where x1 < 0 (as JAX)."""
    return dx1 * x2 * np.power(x1, x2 - 1.0 + (x2 == 0)) + dx2 * ans * log_or_zero(x1)


@JVP_RULES.variant(np.power)
def power_constant(ans, x1, x2, dx1, dx2):
    """A nonzero constant exponent: x2 x1**(x2-1)."""
    return dx1 * x2 * np.power(x1, x2 - 1) + dx2 * ans * log_or_zero(x1)


@register(np.mod, gast.Mod)
def mod(ans, x1, x2, dx1, dx2):
    """x1 % x2 = x1 - floor(x1 / x2) x2 (`np.remainder` is `np.mod`)."""
    return dx1 - dx2 * np.floor(x1 / x2)


@register(np.fmod, math.fmod)
def fmod(ans, x1, x2, dx1, dx2):
    """C remainder: x1 - trunc(x1 / x2) x2."""
    return dx1 - dx2 * np.trunc(x1 / x2)


@register(np.floor_divide, gast.FloorDiv)
def floor_divide(ans, x1, x2, dx1, dx2):
    """x1 // x2 is piecewise constant: a zero tangent of the output's shape."""
    return zeros_like(ans)


@register(np.arctan2, math.atan2)
def arctan2(ans, x1, x2, dx1, dx2):
    """atan2(y=x1, x=x2)."""
    return (dx1 * x2 - x1 * dx2) / (x1 * x1 + x2 * x2)


@register(np.hypot, math.hypot)
def hypot(ans, x1, x2, dx1, dx2):
    """sqrt(x1**2 + x2**2) (`math.hypot` with two arguments)."""
    return (x1 * dx1 + x2 * dx2) / ans


@register(np.logaddexp)
def logaddexp(ans, x1, x2, dx1, dx2):
    return dx1 * np.exp(x1 - ans) + dx2 * np.exp(x2 - ans)


@register(np.maximum, max)
def maximum(ans, x1, x2, dx1, dx2):
    """Ties weigh both tangents 0.5 (as JAX). Builtin `max` of two values too."""
    tie = 0.5 * (x1 == x2)
    return dx1 * ((x1 > x2) + tie) + dx2 * ((x2 > x1) + tie)


@register(np.minimum, min)
def minimum(ans, x1, x2, dx1, dx2):
    """Ties weigh both tangents 0.5 (as JAX). Builtin `min` of two values too."""
    tie = 0.5 * (x1 == x2)
    return dx1 * ((x1 < x2) + tie) + dx2 * ((x2 < x1) + tie)


@register(np.clip)
def clip(ans, a, a_min, a_max, da, da_min, da_max):
    """`a`'s tangent where a_min <= a <= a_max (inclusive, as JAX), a_min's where a < a_min,
    a_max's where a > a_max (a None bound is a constant: its tangent is zero)."""
    return (da * inside(a, a_min, a_max) + da_min * (1.0 - inside(a, a_min, None))
            + da_max * (1.0 - inside(a, None, a_max)))


@JVP_RULES.linear(np.where, nondiff=("condition",))
def where(condition, x, y):
    """Linear in the branches: np.where(condition, dx, dy)."""


@register(np.float_power)
def float_power(ans, x1, x2, dx1, dx2):
    """As `power`, in float64."""
    return dx1 * x2 * np.float_power(x1, x2 - 1) + dx2 * ans * log_or_zero(x1)


@register(np.logaddexp2)
def logaddexp2(ans, x1, x2, dx1, dx2):
    return dx1 * np.exp2(x1 - ans) + dx2 * np.exp2(x2 - ans)


@register(np.fmax)
def fmax(ans, x1, x2, dx1, dx2):
    """As maximum; where one input is NaN the other's tangent is the result's."""
    tie = 0.5 * (x1 == x2)
    return dx1 * ((x1 > x2) + tie + np.isnan(x2) * (x1 == x1)) + dx2 * ((x2 > x1) + tie + np.isnan(x1) * (x2 == x2))


@register(np.fmin)
def fmin(ans, x1, x2, dx1, dx2):
    """As minimum; where one input is NaN the other's tangent is the result's."""
    tie = 0.5 * (x1 == x2)
    return dx1 * ((x1 < x2) + tie + np.isnan(x2) * (x1 == x1)) + dx2 * ((x2 < x1) + tie + np.isnan(x1) * (x2 == x2))


@register(np.copysign, math.copysign)
def copysign(ans, x1, x2, dx1, dx2):
    """Follows x1 only: sign(x1) * copysign(1, x2) (x2 changes the result by jumps)."""
    return dx1 * (np.sign(x1) * np.copysign(1.0, x2))


@register(np.heaviside)
def heaviside(ans, x1, x2, dx1, dx2):
    """Follows x2 where x1 == 0 (piecewise constant in x1)."""
    return dx2 * (x1 == 0.0)


@register(np.ldexp)
def ldexp(ans, x1, x2, dx1, dx2):
    """dx1 * 2**x2 (x2 an integer)."""
    return dx1 * np.ldexp(1.0, x2)
