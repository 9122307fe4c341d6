"""Elementwise functions of one input: NumPy ufuncs, `math` functions, builtins, unary
operators. Each template is `g * f'(x)`, written with `ans` where that is cheaper; the
`math` templates use `math` (scalars), the NumPy ones `np` (scalars and arrays).

Kinks: abs'(0) = 0 (the derivative is `sign(x)`, as JAX).
"""
import math

import gast
import numpy as np

from ..registry import VJP_RULES
from ..runtime import unbroadcast

register = VJP_RULES.register


@register(np.negative, gast.USub)
def negative(g, ans, x):
    return -g


@register(np.positive, gast.UAdd)
def positive(g, ans, x):
    return g


@register(np.exp, math.exp)
def exp(g, ans, x):
    return g * ans


@register(np.expm1, math.expm1)
def expm1(g, ans, x):
    return g * (ans + 1.0)


@register(np.log, math.log)
def log(g, ans, x):
    """Natural logarithm (`math.log` with one argument only: a base does not fit the rule)."""
    return g / x


@register(np.log1p, math.log1p)
def log1p(g, ans, x):
    return g / (1.0 + x)


@register(np.log2, math.log2)
def log2(g, ans, x):
    return g / (x * math.log(2.0))


@register(np.log10, math.log10)
def log10(g, ans, x):
    return g / (x * math.log(10.0))


@register(np.sqrt, math.sqrt)
def sqrt(g, ans, x):
    return g / (2.0 * ans)


@register(np.square)
def square(g, ans, x):
    return g * 2.0 * x


@register(np.reciprocal)
def reciprocal(g, ans, x):
    return -g * ans * ans


@register(np.sin)
def sin(g, ans, x):
    return g * np.cos(x)


@register(math.sin)
def math_sin(g, ans, x):
    return g * math.cos(x)


@register(np.cos)
def cos(g, ans, x):
    return -g * np.sin(x)


@register(math.cos)
def math_cos(g, ans, x):
    return -g * math.sin(x)


@register(np.tan, math.tan)
def tan(g, ans, x):
    return g * (1.0 + ans * ans)


@register(np.arcsin)
def arcsin(g, ans, x):
    return g / np.sqrt(1.0 - x * x)


@register(math.asin)
def math_asin(g, ans, x):
    return g / math.sqrt(1.0 - x * x)


@register(np.arccos)
def arccos(g, ans, x):
    return -g / np.sqrt(1.0 - x * x)


@register(math.acos)
def math_acos(g, ans, x):
    return -g / math.sqrt(1.0 - x * x)


@register(np.arctan, math.atan)
def arctan(g, ans, x):
    return g / (1.0 + x * x)


@register(np.sinh)
def sinh(g, ans, x):
    return g * np.cosh(x)


@register(math.sinh)
def math_sinh(g, ans, x):
    return g * math.cosh(x)


@register(np.cosh)
def cosh(g, ans, x):
    return g * np.sinh(x)


@register(math.cosh)
def math_cosh(g, ans, x):
    return g * math.sinh(x)


@register(np.tanh, math.tanh)
def tanh(g, ans, x):
    return g * (1.0 - ans * ans)


@register(np.abs, abs, math.fabs)
def absolute(g, ans, x):
    """|x|' = sign(x), so abs'(0) = 0 (as JAX). `np.absolute` is `np.abs`."""
    return g * np.sign(x)


@register(float)
def to_float(g, ans, x):
    """float(x): the identity (a one-element array gets its cotangent back in its shape)."""
    return unbroadcast(g, x)
