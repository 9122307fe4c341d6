"""Elementwise functions of one input: NumPy ufuncs, `math` functions, builtins, unary
operators. Each template is `g * f'(x)`, written with `ans` where that is cheaper; the
`math` templates use `math` (scalars), the NumPy ones `np` (scalars and arrays); pure
arithmetic templates serve both.

Covered: negative, positive, exp, exp2, expm1, log (`math.log` with a base too), log2,
log10, log1p, sqrt, cbrt, square, reciprocal, sin, cos, tan, arcsin, arccos, arctan, sinh,
cosh, tanh, arcsinh, arccosh, arctanh, deg2rad/radians, rad2deg/degrees, sinc, abs/fabs,
conj/conjugate, real and imag (linear maps), angle, nan_to_num, math.erf/erfc, float.

Kinks and singular points: abs'(0) = 0 (the derivative is `sign(x)`, as JAX); sinc'(0) = 0,
with its Maclaurin series near 0 so that higher derivatives are right there too; cbrt'(0) =
inf (as JAX); nan_to_num passes the cotangent where x is finite only (the replacement values
are constants). Complex values follow JAX's convention: the cotangent of z is
dL/dRe z - i dL/dIm z, so holomorphic functions keep `g * f'(z)` and abs, angle, imag, conj
conjugate where they must; a real input's contribution is projected on its dtype (real part).
"""
import math

import gast
import numpy as np

from ..registry import VJP_RULES
from ..runtime import abs_direction, unbroadcast
from ..runtime_bessel import bessel_i1

register = VJP_RULES.register
# math.exp2 and math.cbrt are new in Python 3.11.
MATH_EXP2 = (math.exp2,) if hasattr(math, "exp2") else ()
MATH_CBRT = (math.cbrt,) if hasattr(math, "cbrt") else ()


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
    """Natural logarithm (`math.log` with a base: `log_base`)."""
    return g / x


@register(math.log)
def log_base(g, ans, x, base):
    """math.log(x, base) = ln x / ln base."""
    return g / (x * math.log(base)), -g * ans / (base * math.log(base))


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


@register(np.abs, np.fabs, abs, math.fabs)
def absolute(g, ans, x):
    """|x|' = sign(x), so abs'(0) = 0 (as JAX). `np.absolute` is `np.abs`; `np.fabs` too. A
    complex x gets g conj(x) / |x| (JAX's convention: the cotangent of z is dL/dRe z - i dL/dIm z)."""
    return np.real(g) * abs_direction(x)


@register(float, np.float64)
def to_float(g, ans, x):
    """float(x), np.float64(x): the identity (a one-element array gets its cotangent back in its shape)."""
    return unbroadcast(g, x)


@register(np.exp2, *MATH_EXP2)
def exp2(g, ans, x):
    return g * ans * math.log(2.0)


@register(np.cbrt, *MATH_CBRT)
def cbrt(g, ans, x):
    """cbrt'(0) = inf (as JAX)."""
    return g / (3.0 * ans * ans)


@register(np.arcsinh)
def arcsinh(g, ans, x):
    return g / np.sqrt(x * x + 1.0)


@register(math.asinh)
def math_asinh(g, ans, x):
    return g / math.sqrt(x * x + 1.0)


@register(np.arccosh)
def arccosh(g, ans, x):
    """1 / sqrt(x**2 - 1), factored for accuracy near x = 1."""
    return g / (np.sqrt(x - 1.0) * np.sqrt(x + 1.0))


@register(math.acosh)
def math_acosh(g, ans, x):
    return g / (math.sqrt(x - 1.0) * math.sqrt(x + 1.0))


@register(np.arctanh, math.atanh)
def arctanh(g, ans, x):
    return g / (1.0 - x * x)


@register(np.deg2rad, np.radians, math.radians)
def deg2rad(g, ans, x):
    return g * (math.pi / 180.0)


@register(np.rad2deg, np.degrees, math.degrees)
def rad2deg(g, ans, x):
    return g * (180.0 / math.pi)


@register(np.i0)
def i0(g, ans, x):
    """I0' = I1."""
    return g * bessel_i1(x)


@register(bessel_i1)
def bessel_i1_rule(g, ans, x):
    """I1' = I0 - I1 / x, 1/2 at 0 (I1(x) / x -> 1/2)."""
    return g * (np.i0(x) - np.where(x == 0.0, 0.5, ans / np.where(x == 0.0, 1.0, x)))


@register(np.sinc)
def sinc(g, ans, x):
    """sin(pi x) / (pi x): the derivative (cos(pi x) - sinc(x)) / x, and for |x| < 0.01 its
    Maclaurin series (exact to rounding there, 0 at x == 0, and its own derivatives are right
    too, where the quotient would cancel). `near` is 1.0 there; `x + near` keeps the unused
    quotient finite at 0."""
    near = 1.0 * (np.abs(x) < 0.01)
    x2 = x * x
    series = x * (x2 * (x2 * (x2 * (math.pi ** 8 / 45360.0) - math.pi ** 6 / 840.0) + math.pi ** 4 / 30.0)
                  - math.pi ** 2 / 3.0)
    return g * (near * series + (1.0 - near) * (np.cos(math.pi * x) - ans) / (x + near))


@register(math.erf)
def math_erf(g, ans, x):
    return g * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@register(math.erfc)
def math_erfc(g, ans, x):
    return -g * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@register(np.conj)
def conj(g, ans, x):
    """Complex conjugate (`np.conjugate` is `np.conj`); the identity on real inputs."""
    return np.conj(g)


@register(np.real)
def real(g, ans, x):
    """The real part: the identity on real inputs (a complex input gets g as its real part).
    Real-valued results (real, imag, abs, angle) take the real part of g: the adjoint of a real
    value that went through complex ones may carry an imaginary part it has no use for."""
    return np.real(g)


@register(np.imag)
def imag(g, ans, x):
    """The imaginary part: a complex x gets -i g (dL/dIm z = g; JAX's convention, as abs);
    a real x's contribution is imaginary, i.e. zero once projected on its real dtype."""
    return -1j * np.real(g)


@register(np.angle)
def angle(g, ans, x, deg=False):
    """d angle = Im(dx / x): x gets -i g conj(x) / |x|^2 (0 at x = 0, where the angle jumps);
    `deg=True` scales by 180 / pi."""
    return -1j * np.real(g) * (1.0 + (180.0 / math.pi - 1.0) * deg) * np.conj(x) / (x * np.conj(x) + (x == 0))


@register(np.nan_to_num)
def nan_to_num(g, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    """The identity where x is finite; replaced NaN/inf entries are constants (zero)."""
    return g * np.isfinite(x)
