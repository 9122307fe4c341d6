"""The modified Bessel function I1, the derivative of np.i0 (NumPy has no i1). Part of the
runtime (`s2s.diff.runtime` re-exports `__all__`; `s2s dump -o` copies this file), so
self-contained: NumPy only. Its numba form is in runtime_numba_bessel.py (with np.i0's, which
numba lacks).

I1(x) = sum_k (x/2)^(2k+1) / (k! (k+1)!) for |x| <= 20 (every term of one sign: no
cancellation; 60 terms reach double precision at 20), and beyond, the asymptotic expansion
e^|x| / sqrt(2 pi |x|) sum_k (-1)^k a_k / |x|^k with a_k = prod_{j<=k} (4 - (2j-1)^2) / (8j)
(30 terms: its smallest term at 20 is below 1e-16), odd in x.
"""
import math

import numpy as np

__all__ = ["bessel_i1"]

_SERIES_TERMS = 60
_ASYMPTOTIC_TERMS = 30
_SWITCH = 20.0


def _i1_scalar(x):
    ax = abs(x)
    if ax <= _SWITCH:
        q = 0.25 * ax * ax
        term = 0.5 * ax
        total = term
        for k in range(1, _SERIES_TERMS):
            term = term * q / (k * (k + 1))
            total += term
    else:
        t = 1.0
        total = 1.0
        for k in range(1, _ASYMPTOTIC_TERMS):
            t = -t * (4.0 - (2 * k - 1) ** 2) / (8.0 * k * ax)
            total += t
        total = total * math.exp(ax) / math.sqrt(2.0 * math.pi * ax)
    return total if x >= 0 else -total


def bessel_i1(x):
    """I1(x) (elementwise; a float for a scalar x)."""
    if np.ndim(x) == 0:
        return _i1_scalar(float(x))
    a = np.asarray(x, dtype=float)
    return np.array([_i1_scalar(v) for v in a.ravel()]).reshape(a.shape)
