"""numba forms of runtime_bessel.py's `bessel_i1` and of np.i0 (numba has neither): the same
series and expansion, elementwise (np.i0 through NumPy's own Chebyshev coefficients, read
from NumPy, as NumPy evaluates it). Copied into standalone dumped modules like the other
runtime_numba*.py files.
"""
import math

import numpy as np
from numba import types
from numba.extending import overload, register_jitable

from .runtime_bessel import _i1_scalar, bessel_i1  # s2s-runtime-import

try:  # NumPy's tables for i0 (numpy/lib/_function_base_impl.py): A on [0, 8], B beyond
    from numpy.lib._function_base_impl import _i0A, _i0B
except ImportError:  # NumPy 1.x
    from numpy.lib.function_base import _i0A, _i0B
_I0A = np.array(_i0A, dtype=np.float64)
_I0B = np.array(_i0B, dtype=np.float64)


_i1_one = register_jitable(_i1_scalar)  # the same loop, compiled


@register_jitable
def _chbevl(x, vals):
    b0 = vals[0]
    b1 = 0.0
    b2 = 0.0
    for i in range(1, len(vals)):
        b2 = b1
        b1 = b0
        b0 = x * b1 - b2 + vals[i]
    return 0.5 * (b0 - b2)


@register_jitable
def _i0_one(x):
    ax = abs(x)
    if ax <= 8.0:
        return math.exp(ax) * _chbevl(ax / 2.0 - 2.0, _I0A)
    return math.exp(ax) * _chbevl(32.0 / ax - 2.0, _I0B) / math.sqrt(ax)


def _elementwise(one):
    def ol(x):
        if isinstance(x, (types.Float, types.Integer)):
            return lambda x: one(float(x))
        if isinstance(x, types.Array) and isinstance(x.dtype, (types.Float, types.Integer)):
            def impl(x):
                flat = np.ravel(x)
                out = np.empty(flat.shape[0])
                for i in range(flat.shape[0]):
                    out[i] = one(float(flat[i]))
                return out.reshape(x.shape)
            return impl
    return ol


overload(bessel_i1)(_elementwise(_i1_one))
overload(np.i0)(_elementwise(_i0_one))
