"""Helpers the scipy.special rule templates (rules/special.py) call, each with its own rules
there so that derivative code can be differentiated again; their numba forms are in
runtime_numba_special.py. Plain NumPy (scipy only for `multipolygamma`, imported when called).
"""
import numpy as np

from .runtime import DerivativeUnavailable

__all__ = ["xdivy", "no_derivative", "multipolygamma"]


def xdivy(x, y):
    """x / y, and 0 where x == 0 (whatever y is, without a warning): the y-derivative of
    xlogy (0 where x == 0, as JAX)."""
    x = np.asarray(x, dtype=float)
    return (x / np.where(x == 0, 1.0, y))[()]


def no_derivative(ct, x, message=""):
    """The contribution of `ct` (a cotangent of x's shape, or a tangent of x) through an
    input s2s does not differentiate (a Bessel function's order, gammainc's a): zeros where
    x is integer-valued (never differentiated) or ct is all zeros, else DerivativeUnavailable
    (message)."""
    if np.asarray(x).dtype.kind in "fc" and np.any(np.asarray(ct) != 0):
        raise DerivativeUnavailable(message)
    return ct * 0.0


def multipolygamma(n, a, d=1):
    """sum_{j<d} polygamma(n, a - j/2): the n-th derivative of multigammaln(a, d)'s sum."""
    from scipy.special import polygamma

    a = np.asarray(a, dtype=float)
    return sum(polygamma(n, a - 0.5 * j) for j in range(int(d)))[()]
