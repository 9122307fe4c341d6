"""numba forms of the scipy.special functions the rules in rules/special.py cover, and of the
helpers in runtime_special.py (imported by s2s.diff.runtime with the other numba overloads;
it raises ImportError without scipy, which skips it).

numba knows nothing about scipy: each function gets a `numba.extending.overload`. The
numerics are scipy's own compiled kernels, called through the C API of
scipy.special.cython_special (ctypes function pointers numba calls), so results match scipy's
exactly; polygamma uses cephes' Hurwitz zeta, ported (cython_special has none). Scalars give
floats; arrays (any ndim and layout) give float64 arrays of the broadcast shape; 0-d arrays
are scalars. logsumexp, softmax and log_softmax take axis None or an int (keepdims a
literal; logsumexp's b= broadcasting to a's shape; return_sign=True raises).
"""
import ctypes
import math
import re

import numba
import numpy as np
from numba import types
from numba.extending import get_cython_function_address, overload
from numba.np.unsafe.ndarray import to_fixed_tuple
from scipy import special as sp
from scipy.special import cython_special

from .runtime import DerivativeUnavailable
from .runtime_special import multipolygamma, no_derivative, xdivy

_CAPI = cython_special.__pyx_capi__


def _kernel(name, nargs):
    """The double-precision C function of `name` in cython_special (its fused variants are
    numbered differently from one function to the next: found by signature)."""
    want = "double (" + ", ".join(["double"] * nargs) + ", int __pyx_skip_dispatch)"
    for key in (name, *(f"__pyx_fuse_{i}{name}" for i in range(3))):
        capsule = _CAPI.get(key)
        if capsule is not None and re.search(r'"(.*)"', repr(capsule)).group(1) == want:
            addr = get_cython_function_address("scipy.special.cython_special", key)
            return ctypes.CFUNCTYPE(ctypes.c_double, *[ctypes.c_double] * nargs, ctypes.c_int)(addr)
    raise ImportError(f"scipy.special.cython_special has no double-precision {name}")


def _unary_kernel(name):
    c = _kernel(name, 1)
    return numba.njit(lambda x: c(x, 0))


def _binary_kernel(name):
    c = _kernel(name, 2)
    return numba.njit(lambda x, y: c(x, y, 0))


def _ternary_kernel(name):
    c = _kernel(name, 3)
    return numba.njit(lambda x, y, z: c(x, y, z, 0))


# ------------------------------------------------------------------- elementwise mapping
def _scalar_like(t):
    return isinstance(t, (types.Number, types.Boolean)) or isinstance(t, types.Array) and t.ndim == 0


def _elementwise(t):
    return _scalar_like(t) or isinstance(t, types.Array) and isinstance(t.dtype, (types.Number, types.Boolean))


def _float(x):
    return float(x)


@overload(_float)
def _ol_float(x):
    if isinstance(x, types.Array):
        return lambda x: float(x[()])
    return lambda x: float(x)


@numba.njit
def _map1(kern, x):
    out = np.empty(x.shape)
    flat = out.reshape(-1)
    i = 0
    for v in np.nditer(x):
        flat[i] = kern(float(v.item()))
        i += 1
    return out


@numba.njit
def _map2(kern, x, y):
    bx, by = np.broadcast_arrays(np.asarray(x).astype(np.float64), np.asarray(y).astype(np.float64))
    out = np.empty(bx.shape)
    flat = out.reshape(-1)
    i = 0
    for a, b in np.nditer((bx, by)):
        flat[i] = kern(a.item(), b.item())
        i += 1
    return out


@numba.njit
def _map3(kern, x, y, z):
    bx, by, bz = np.broadcast_arrays(np.asarray(x).astype(np.float64), np.asarray(y).astype(np.float64),
                                     np.asarray(z).astype(np.float64))
    out = np.empty(bx.shape)
    flat = out.reshape(-1)
    i = 0
    for a, b, c in np.nditer((bx, by, bz)):
        flat[i] = kern(a.item(), b.item(), c.item())
        i += 1
    return out


def ufunc3(fn, kern):
    """Overload the three-argument (broadcasting) scipy function `fn` with `kern`."""
    @overload(fn)
    def _ol(x, y, z):
        if _scalar_like(x) and _scalar_like(y) and _scalar_like(z):
            return lambda x, y, z: kern(_float(x), _float(y), _float(z))
        if _elementwise(x) and _elementwise(y) and _elementwise(z):
            return lambda x, y, z: _map3(kern, x, y, z)
    return _ol


def ufunc1(fn, kern):
    """Overload the one-argument scipy function `fn` with the scalar kernel `kern`."""
    @overload(fn)
    def _ol(x):
        if _scalar_like(x):
            return lambda x: kern(_float(x))
        if _elementwise(x):
            return lambda x: _map1(kern, x)
    return _ol


def ufunc2(fn, kern):
    """Overload the two-argument (broadcasting) scipy function `fn` with `kern`."""
    @overload(fn)
    def _ol(x, y):
        if _scalar_like(x) and _scalar_like(y):
            return lambda x, y: kern(_float(x), _float(y))
        if _elementwise(x) and _elementwise(y):
            return lambda x, y: _map2(kern, x, y)
    return _ol


_UNARY = ["expit", "logit", "log_expit", "entr", "gammaln", "loggamma", "gamma", "rgamma", "psi", "erf", "erfc",
          "erfcx", "erfinv", "erfcinv", "ndtr", "log_ndtr", "ndtri", "i0", "i0e", "i1", "i1e", "j0", "j1", "y0", "y1",
          "k0", "k0e", "k1", "k1e", "gammasgn"]
_BINARY = ["xlogy", "xlog1py", "rel_entr", "betaln", "beta", "gammainc", "gammaincc", "iv", "ive", "jv", "yn", "yv",
           "kv", "kve", "stdtr"]
_TERNARY = ["betainc", "betaincc"]
K = {}  # name -> scalar kernel (numba)
for _name in _UNARY:
    if hasattr(sp, _name):
        K[_name] = _unary_kernel(_name)
        ufunc1(getattr(sp, _name), K[_name])
for _name in _BINARY:
    K[_name] = _binary_kernel(_name)
    ufunc2(getattr(sp, _name), K[_name])
for _name in _TERNARY:
    K[_name] = _ternary_kernel(_name)
    ufunc3(getattr(sp, _name), K[_name])


# ------------------------------------------------------------------- polygamma, zeta
_ZETA_A = np.array([12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
                    -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
                    1.8152105401943546773e17, -7.1661652561756670113e18])
_MACHEP = 1.11022302462515654042e-16


@numba.njit
def hurwitz_zeta(x, q):
    """sum_k (k + q)^-x: cephes' zeta (Euler-Maclaurin summation), as scipy.special.zeta."""
    if x == 1.0:
        return np.inf
    if x < 1.0:
        return np.nan
    if q <= 0.0:
        if q == math.floor(q):
            return np.inf
        if x != math.floor(x):
            return np.nan
    if q > 1e8:
        return (1.0 / (x - 1.0) + 1.0 / (2.0 * q)) * q ** (1.0 - x)
    s, a, i, b = q ** -x, q, 0, 0.0
    while i < 9 or a <= 9.0:
        i += 1
        a += 1.0
        b = a ** -x
        s += b
        if abs(b / s) < _MACHEP:
            return s
    w = a
    s += b * w / (x - 1.0)
    s -= 0.5 * b
    a, k = 1.0, 0.0
    for j in range(12):
        a *= x + k
        b /= w
        t = a * b / _ZETA_A[j]
        s = s + t
        if abs(t / s) < _MACHEP:
            return s
        k += 1.0
        a *= x + k
        b /= w
        k += 1.0
    return s


_psi, _gamma, _gammaln = K["psi"], K["gamma"], K["gammaln"]


@numba.njit
def _polygamma(n, x):
    """scipy's formula: psi for n == 0, else (-1)^(n+1) n! zeta(n + 1, x)."""
    if n == 0.0:
        return _psi(x)
    return (-1.0) ** (n + 1.0) * _gamma(n + 1.0) * hurwitz_zeta(n + 1.0, x)


ufunc2(sp.polygamma, _polygamma)
ufunc2(xdivy, numba.njit(lambda x, y: 0.0 if x == 0.0 else x / y))


@numba.njit
def _multigammaln(a, d):
    if a <= 0.5 * (d - 1):
        raise ValueError("condition a > 0.5 * (d-1) not met")
    s = 0.25 * d * (d - 1) * math.log(math.pi)
    for j in range(d):
        s += _gammaln(a - 0.5 * j)
    return s



@overload(sp.multigammaln)
def _ol_multigammaln(a, d):
    if isinstance(d, types.Integer) and _scalar_like(a):
        return lambda a, d: _multigammaln(_float(a), d)
    if isinstance(d, types.Integer) and _elementwise(a):
        def impl(a, d):
            out = np.empty(a.shape)
            flat = out.reshape(-1)
            i = 0
            for v in np.nditer(a):
                flat[i] = _multigammaln(float(v.item()), d)
                i += 1
            return out
        return impl


@numba.njit
def _multipolygamma(n, a, d):
    s = 0.0
    for j in range(d):
        s += _polygamma(n, a - 0.5 * j)
    return s


@overload(multipolygamma)
def _ol_multipolygamma(n, a, d=1):
    if isinstance(n, types.Integer) and _scalar_like(a):
        return lambda n, a, d=1: _multipolygamma(float(n), _float(a), d)
    if isinstance(n, types.Integer) and _elementwise(a):
        def impl(n, a, d=1):
            out = np.empty(a.shape)
            flat = out.reshape(-1)
            i = 0
            for v in np.nditer(a):
                flat[i] = _multipolygamma(float(n), float(v.item()), d)
                i += 1
            return out
        return impl


@overload(no_derivative, prefer_literal=True)
def _ol_no_derivative(ct, x, message=""):
    text = message.literal_value if isinstance(message, types.StringLiteral) else "no derivative"
    integer = isinstance(getattr(x, "dtype", x), (types.Integer, types.Boolean))
    if isinstance(ct, types.Array):
        def impl(ct, x, message=""):
            if not integer and np.any(ct != 0):
                raise DerivativeUnavailable(text)
            return ct * 0.0
        return impl

    def scalar(ct, x, message=""):
        if not integer and ct != 0:
            raise DerivativeUnavailable(text)
        return ct * 0.0
    return scalar


# ------------------------------------------------------------ logsumexp, softmax, log_softmax
def _none(t):
    return t is None or isinstance(t, (types.NoneType, types.Omitted)) and getattr(t, "value", None) is None


def _literal_bool(t):
    """The value of a literal (or omitted) bool argument; None if not known when compiling."""
    if isinstance(t, bool):
        return t
    if isinstance(t, types.Omitted):
        return bool(t.value)
    if isinstance(t, types.BooleanLiteral):
        return t.literal_value
    if isinstance(t, types.NoneType):
        return False
    return None


@numba.njit
def _rows(x, ax):
    """x (float64) as rows: the axis `ax` last, the other axes flattened in C order."""
    c = np.ascontiguousarray(x)
    pre, post = 1, 1
    for i in range(ax):
        pre *= c.shape[i]
    for i in range(ax + 1, c.ndim):
        post *= c.shape[i]
    n = c.shape[ax]
    return np.ascontiguousarray(c.reshape((pre, n, post)).transpose((0, 2, 1))).reshape((pre * post, n)), pre, post


@numba.njit
def _unrows(r, pre, post, like):
    n = r.shape[1]
    return np.ascontiguousarray(r.reshape((pre, post, n)).transpose((0, 2, 1))).reshape(like.shape)


@numba.njit
def _reduced_shape(shape, ax, keep):
    out = np.empty(len(shape) - (0 if keep else 1), np.int64)
    j = 0
    for i in range(len(shape)):
        if i != ax:
            out[j] = shape[i]
            j += 1
        elif keep:
            out[j] = 1
            j += 1
    return out


@numba.njit
def _lse_rows(r, w):
    """log(sum(w exp(row))) per row, shifted by the row's max (0 where it is not finite)."""
    out = np.empty(r.shape[0])
    for i in range(r.shape[0]):
        m = -np.inf
        for j in range(r.shape[1]):
            if w[i, j] != 0.0 and r[i, j] > m:
                m = r[i, j]
        if not np.isfinite(m):
            m = 0.0
        s = 0.0
        for j in range(r.shape[1]):
            if w[i, j] != 0.0:
                s += w[i, j] * np.exp(r[i, j] - m)
        out[i] = np.log(s) + m
    return out


def _lse_impl(a, axis, b, keep):
    """The implementation for these types (None where they are not covered)."""
    if not _elementwise(a) or not (_none(b) or _elementwise(b)) or keep is None:
        return None
    nd = a.ndim if isinstance(a, types.Array) else 0
    weighted = not _none(b)
    if _none(axis):
        def impl(a, axis=None, b=None, keepdims=False, return_sign=False):
            if return_sign:
                raise ValueError("compiled logsumexp: return_sign=True is not supported")
            x = np.asarray(a).astype(np.float64)
            w = np.broadcast_to(np.asarray(b).astype(np.float64), x.shape) if weighted else np.ones(x.shape)
            res = _lse_rows(np.ascontiguousarray(x).reshape((1, x.size)), np.ascontiguousarray(w).reshape((1, x.size)))
            return res.reshape(to_fixed_tuple(np.ones(nd, np.int64), nd)) if keep and nd else res[0]
        return impl
    if not isinstance(axis, types.Integer) or nd == 0:
        return None
    k = nd if keep else nd - 1

    def impl(a, axis=None, b=None, keepdims=False, return_sign=False):
        if return_sign:
            raise ValueError("compiled logsumexp: return_sign=True is not supported")
        x = np.asarray(a).astype(np.float64)
        ax = axis % nd
        w = np.broadcast_to(np.asarray(b).astype(np.float64), x.shape) if weighted else np.ones(x.shape)
        r, pre, post = _rows(x, ax)
        res = _lse_rows(r, _rows(w, ax)[0])
        return res.reshape(to_fixed_tuple(_reduced_shape(x.shape, ax, keep), k)) if k else res[0]
    return impl


@overload(sp.logsumexp, prefer_literal=True)
def _ol_logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    return _lse_impl(a, axis, b, _literal_bool(keepdims))


@numba.njit
def _softmax_rows(r, log):
    out = np.empty(r.shape)
    for i in range(r.shape[0]):
        m = -np.inf
        for j in range(r.shape[1]):
            m = max(m, r[i, j])
        if log and not np.isfinite(m):
            m = 0.0
        s = 0.0
        for j in range(r.shape[1]):
            out[i, j] = np.exp(r[i, j] - m)
            s += out[i, j]
        for j in range(r.shape[1]):
            out[i, j] = r[i, j] - m - np.log(s) if log else out[i, j] / s
    return out


def _softmax_impl(x, axis, log):
    if not _elementwise(x):
        return None
    nd = x.ndim if isinstance(x, types.Array) else 0
    if _none(axis) or nd == 0:
        def impl(x, axis=None):
            a = np.asarray(x).astype(np.float64)
            out = _softmax_rows(np.ascontiguousarray(a).reshape((1, a.size)), log).reshape(a.shape)
            return out if nd else out[()]
        return impl
    if isinstance(axis, types.Integer):
        def impl(x, axis=None):
            a = np.asarray(x).astype(np.float64)
            r, pre, post = _rows(a, axis % nd)
            return _unrows(_softmax_rows(r, log), pre, post, a)
        return impl


@overload(sp.softmax)
def _ol_softmax(x, axis=None):
    return _softmax_impl(x, axis, False)


@overload(sp.log_softmax)
def _ol_log_softmax(x, axis=None):
    return _softmax_impl(x, axis, True)
