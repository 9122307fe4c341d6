"""JVP rules of the elementwise functions of one input (the forward twins of unary.py):
NumPy ufuncs, `math` functions, builtins, unary operators. Each template is `dx * f'(x)`,
written with `ans` where that is cheaper; the `math` templates use `math` (scalars), the
NumPy ones `np` (scalars and arrays). `np.conj` and `np.real` are linear.

Kinks as the VJP rules: abs'(0) = 0 (the derivative is `sign(x)`, as JAX); sinc'(0) = 0
(its Maclaurin series near 0); cbrt'(0) = inf; nan_to_num follows x where it is finite.
"""
import math

import gast
import numpy as np

from ..registry import JVP_RULES
from ..runtime import abs_direction, unbroadcast
from ..runtime_bessel import bessel_i1

register = JVP_RULES.register
# math.exp2 and math.cbrt are new in Python 3.11.
MATH_EXP2 = (math.exp2,) if hasattr(math, "exp2") else ()
MATH_CBRT = (math.cbrt,) if hasattr(math, "cbrt") else ()


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
    """Natural logarithm (`math.log` with a base: `log_base`)."""
    return dx / x


@register(math.log)
def log_base(ans, x, base, dx, dbase):
    """math.log(x, base) = ln x / ln base."""
    return (dx / x - dbase * ans / base) / math.log(base)


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


@register(np.abs, np.fabs, abs, math.fabs)
def absolute(ans, x, dx):
    """|x|' = sign(x), so abs'(0) = 0 (as JAX). `np.absolute` is `np.abs`; `np.fabs` too. A
    complex x: Re(conj(x) dx) / |x|."""
    return np.real(abs_direction(x) * dx)


@register(float, np.float64)
def to_float(ans, x, dx):
    """float(x), np.float64(x): the identity; a one-element array's tangent becomes a scalar."""
    return unbroadcast(dx, ans)


@register(np.exp2, *MATH_EXP2)
def exp2(ans, x, dx):
    return dx * ans * math.log(2.0)


@register(np.cbrt, *MATH_CBRT)
def cbrt(ans, x, dx):
    """cbrt'(0) = inf (as JAX)."""
    return dx / (3.0 * ans * ans)


@register(np.arcsinh)
def arcsinh(ans, x, dx):
    return dx / np.sqrt(x * x + 1.0)


@register(math.asinh)
def math_asinh(ans, x, dx):
    return dx / math.sqrt(x * x + 1.0)


@register(np.arccosh)
def arccosh(ans, x, dx):
    """1 / sqrt(x**2 - 1), factored for accuracy near x = 1."""
    return dx / (np.sqrt(x - 1.0) * np.sqrt(x + 1.0))


@register(math.acosh)
def math_acosh(ans, x, dx):
    return dx / (math.sqrt(x - 1.0) * math.sqrt(x + 1.0))


@register(np.arctanh, math.atanh)
def arctanh(ans, x, dx):
    return dx / (1.0 - x * x)


@register(np.deg2rad, np.radians, math.radians)
def deg2rad(ans, x, dx):
    return dx * (math.pi / 180.0)


@register(np.rad2deg, np.degrees, math.degrees)
def rad2deg(ans, x, dx):
    return dx * (180.0 / math.pi)


@register(np.i0)
def i0(ans, x, dx):
    """I0' = I1."""
    return dx * bessel_i1(x)


@register(bessel_i1)
def bessel_i1_rule(ans, x, dx):
    """I1' = I0 - I1 / x, 1/2 at 0."""
    return dx * (np.i0(x) - np.where(x == 0.0, 0.5, ans / np.where(x == 0.0, 1.0, x)))


@register(np.sinc)
def sinc(ans, x, dx):
    """(cos(pi x) - sinc(x)) / x, and its Maclaurin series for |x| < 0.01 (see unary.sinc)."""
    near = 1.0 * (np.abs(x) < 0.01)
    x2 = x * x
    series = x * (x2 * (x2 * (x2 * (math.pi ** 8 / 45360.0) - math.pi ** 6 / 840.0) + math.pi ** 4 / 30.0)
                  - math.pi ** 2 / 3.0)
    return dx * (near * series + (1.0 - near) * (np.cos(math.pi * x) - ans) / (x + near))


@register(math.erf)
def math_erf(ans, x, dx):
    return dx * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@register(math.erfc)
def math_erfc(ans, x, dx):
    return -dx * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@JVP_RULES.linear(np.conj)
def conj(x):
    """Linear: np.conj(dx) (`np.conjugate` is `np.conj`)."""


@JVP_RULES.linear(np.real)
def real(x):
    """Linear: np.real(dx)."""


@JVP_RULES.linear(np.imag)
def imag(x):
    """Linear: np.imag(dx)."""


@register(np.angle)
def angle(ans, x, dx, deg=False):
    """Im(dx / x) = Im(conj(x) dx) / |x|^2 (0 at x = 0); `deg=True` scales by 180 / pi."""
    return (1.0 + (180.0 / math.pi - 1.0) * deg) * np.imag(np.conj(x) * dx) / np.real(x * np.conj(x) + (x == 0))


@register(np.nan_to_num)
def nan_to_num(ans, x, dx, copy=True, nan=0.0, posinf=None, neginf=None):
    """The identity where x is finite; replaced NaN/inf entries are constants (zero)."""
    return dx * np.isfinite(x)
