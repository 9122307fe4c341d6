"""JVP rules of the elementwise functions of one input (the forward twins of unary.py):
NumPy ufuncs, `math` functions, builtins, unary operators. Each template is `dx * f'(x)`,
written with `ans` where that is cheaper; the `math` templates use `math` (scalars), the
NumPy ones `np` (scalars and arrays).

Kinks as the VJP rules: abs'(0) = 0 (the derivative is `sign(x)`, as JAX).
"""
import math

import gast
import numpy as np

from ..registry import JVP_RULES
from ..runtime import unbroadcast

register = JVP_RULES.register


@register(np.negative, gast.USub)
def negative(ans, x, dx):
    return -dx


@register(np.positive, gast.UAdd)
def positive(ans, x, dx):
    return dx


@register(np.exp, math.exp)
def exp(ans, x, dx):
    return dx * ans


@register(np.expm1, math.expm1)
def expm1(ans, x, dx):
    return dx * (ans + 1.0)


@register(np.log, math.log)
def log(ans, x, dx):
    """Natural logarithm (`math.log` with one argument only)."""
    return dx / x


@register(np.log1p, math.log1p)
def log1p(ans, x, dx):
    return dx / (1.0 + x)


@register(np.log2, math.log2)
def log2(ans, x, dx):
    return dx / (x * math.log(2.0))


@register(np.log10, math.log10)
def log10(ans, x, dx):
    return dx / (x * math.log(10.0))


@register(np.sqrt, math.sqrt)
def sqrt(ans, x, dx):
    return dx / (2.0 * ans)


@register(np.square)
def square(ans, x, dx):
    return 2.0 * x * dx


@register(np.reciprocal)
def reciprocal(ans, x, dx):
    return -dx * ans * ans


@register(np.sin)
def sin(ans, x, dx):
    return dx * np.cos(x)


@register(math.sin)
def math_sin(ans, x, dx):
    return dx * math.cos(x)


@register(np.cos)
def cos(ans, x, dx):
    return -dx * np.sin(x)


@register(math.cos)
def math_cos(ans, x, dx):
    return -dx * math.sin(x)


@register(np.tan, math.tan)
def tan(ans, x, dx):
    return dx * (1.0 + ans * ans)


@register(np.arcsin)
def arcsin(ans, x, dx):
    return dx / np.sqrt(1.0 - x * x)


@register(math.asin)
def math_asin(ans, x, dx):
    return dx / math.sqrt(1.0 - x * x)


@register(np.arccos)
def arccos(ans, x, dx):
    return -dx / np.sqrt(1.0 - x * x)


@register(math.acos)
def math_acos(ans, x, dx):
    return -dx / math.sqrt(1.0 - x * x)


@register(np.arctan, math.atan)
def arctan(ans, x, dx):
    return dx / (1.0 + x * x)


@register(np.sinh)
def sinh(ans, x, dx):
    return dx * np.cosh(x)


@register(math.sinh)
def math_sinh(ans, x, dx):
    return dx * math.cosh(x)


@register(np.cosh)
def cosh(ans, x, dx):
    return dx * np.sinh(x)


@register(math.cosh)
def math_cosh(ans, x, dx):
    return dx * math.sinh(x)


@register(np.tanh, math.tanh)
def tanh(ans, x, dx):
    return dx * (1.0 - ans * ans)


@register(np.abs, abs, math.fabs)
def absolute(ans, x, dx):
    """|x|' = sign(x), so abs'(0) = 0 (as JAX). `np.absolute` is `np.abs`."""
    return dx * np.sign(x)


@register(float)
def to_float(ans, x, dx):
    """float(x): the identity; a one-element array's tangent becomes a scalar."""
    return unbroadcast(dx, ans)
