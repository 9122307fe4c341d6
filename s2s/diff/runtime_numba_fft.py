"""numba forms of the numpy.fft rules' runtime helpers (runtime_fft.py): dft, rdft, irdft and
their transposes dft_t, rdft_t, irdft_t, and swap_norm. The one-axis transforms are
rocket-fft's (pocketfft, as NumPy's own), which makes np.fft callable in numba; this module
composes them along the axes in NumPy's order, as runtime_fft.py does.

`s` / `axes` arrive as None, an int (the one-axis functions' n / axis) or a tuple of ints,
and are turned into int arrays when the code runs (`_cook`); the array is carried as
complex128 through the steps (one type in the loop over the axes) and a real input gets the
real part at the end. Cutting / zero-padding along an axis known only at run time reshapes
the array to (before, axis, after) (`_fit_nb`, `_weigh_nb`).
"""
import importlib.util

import numpy as np
from numba import errors, njit, types
from numba.cpython.unsafe.tuple import tuple_setitem
from numba.extending import overload

from .runtime_fft import dft, dft_t, irdft, irdft_t, rdft, rdft_t, swap_norm  # s2s-runtime-import
# s2s-runtime-import

# rocket-fft registers np.fft with numba through numba's extension entry point, when numba
# first compiles; importing it here would import scipy (as `import s2s` must not)
_HAVE_NUMBA_FFT = importlib.util.find_spec("rocket_fft") is not None


def _no_fft_nb(name):
    def typer(*args):
        raise errors.TypingError(f"numpy.fft has no numba form here ({name}, a derivative of an np.fft call): "
                                 "install rocket-fft (an s2s dependency), or call the function without s2s.jit "
                                 "(S2S_DISABLE_JIT=1)")
    return typer


if not _HAVE_NUMBA_FFT:
    for _fn in (dft, dft_t, rdft, rdft_t, irdft, irdft_t):
        overload(_fn)(_no_fft_nb(_fn.__name__))


def _forms_nb(fn):
    """overload(fn), where np.fft exists in numba."""
    return overload(fn) if _HAVE_NUMBA_FFT else (lambda typer: typer)


@njit(cache=False)
def _split3_nb(shape, ax):
    pre = 1
    for i in range(ax):
        pre *= shape[i]
    post = 1
    for i in range(ax + 1, len(shape)):
        post *= shape[i]
    return pre, post


@njit(cache=False)
def _fit_nb(c, n, ax):
    """c cut or zero-padded to length n along axis ax."""
    m = c.shape[ax]
    pre, post = _split3_nb(c.shape, ax)
    a3 = np.ascontiguousarray(c).reshape((pre, m, post))
    out = np.zeros((pre, n, post), c.dtype)
    q = min(m, n)
    out[:, :q, :] = a3[:, :q, :]
    return out.reshape(tuple_setitem(c.shape, ax, n))


@njit(cache=False)
def _weigh_nb(c, w, ax):
    """c times w along axis ax (len(w) == c.shape[ax])."""
    pre, post = _split3_nb(c.shape, ax)
    a3 = np.ascontiguousarray(c).reshape((pre, c.shape[ax], post)).copy()
    for j in range(c.shape[ax]):
        a3[:, j, :] *= w[j]
    return a3.reshape(c.shape)


def _cook_axes_nb(shape, s, axes):
    pass


def _cook_lengths_nb(shape, s, axes, invreal):
    pass


@overload(_cook_axes_nb)
def _ol_cook_axes(shape, s, axes):
    """The axes as an int array, each in [0, ndim)."""
    if isinstance(axes, types.NoneType):
        if isinstance(s, types.NoneType):
            def impl(shape, s, axes):
                return np.arange(len(shape))
        elif isinstance(s, types.Integer):
            def impl(shape, s, axes):
                return np.arange(len(shape) - 1, len(shape))
        else:
            def impl(shape, s, axes):
                return np.arange(len(shape) - len(s), len(shape))
    elif isinstance(axes, types.Integer):
        def impl(shape, s, axes):
            return np.array([axes % len(shape)])
    elif isinstance(axes, (types.UniTuple, types.List)) and isinstance(axes.dtype, types.Integer):
        def impl(shape, s, axes):
            out = np.empty(len(axes), np.int64)
            for i in range(len(axes)):
                out[i] = axes[i] % len(shape)
            return out
    else:
        raise errors.TypingError(f"np.fft under s2s.jit: axes must be None, an int or a tuple of ints, not {axes}")
    return impl


@overload(_cook_lengths_nb)
def _ol_cook_lengths(shape, s, axes, invreal):
    """The lengths s as an int array (-1: the axis' own; None for an inverse real transform:
    2 (m - 1) for the last axis' m bins)."""
    if isinstance(s, types.NoneType):
        def impl(shape, s, axes, invreal):
            out = np.empty(len(axes), np.int64)
            for i in range(len(axes)):
                out[i] = shape[axes[i]]
            if invreal and len(out):
                out[-1] = 2 * (out[-1] - 1)
            return out
    elif isinstance(s, types.Integer):
        def impl(shape, s, axes, invreal):
            return np.array([shape[axes[0]] if s == -1 else s])
    elif isinstance(s, (types.UniTuple, types.List)) and isinstance(s.dtype, types.Integer):
        def impl(shape, s, axes, invreal):
            if len(s) != len(axes):
                raise ValueError("Shape and axes have different lengths.")
            out = np.empty(len(s), np.int64)
            for i in range(len(s)):
                out[i] = shape[axes[i]] if s[i] == -1 else s[i]
            return out
    else:
        raise errors.TypingError(f"np.fft under s2s.jit: s / n must be None, an int or a tuple of ints, not {s}")
    return impl


@njit(cache=False)
def _befores_nb(shape, axes, lengths, order, real_first):
    """The length of each axis before each step of `order` (indices into axes), the steps
    setting it to lengths[i] (to lengths[i] // 2 + 1 for an rfft step: the first one when
    `real_first`)."""
    now = np.array(shape)
    out = np.empty(len(axes), np.int64)
    for j in range(len(order)):
        i = order[j]
        out[i] = now[axes[i]]
        now[axes[i]] = lengths[i] // 2 + 1 if real_first and j == 0 else lengths[i]
    return out


def _real_if_nb(x):
    """Whether a helper's result for the array-like x is real (x real)."""
    return isinstance(x, types.Array) and not isinstance(x.dtype, types.Complex) or isinstance(x, (types.Float, types.Integer))


# ------------------------------------------------------------------ complex transforms
@_forms_nb(dft)
def _ol_dft(x, s=None, axes=None, norm=None, inverse=False):
    def impl(x, s=None, axes=None, norm=None, inverse=False):
        c = np.asarray(x).astype(np.complex128)
        ax = _cook_axes_nb(c.shape, s, axes)
        n = _cook_lengths_nb(c.shape, s, ax, False)
        for i in range(len(ax) - 1, -1, -1):  # fftn: the last axis first
            c = np.fft.ifft(c, n[i], ax[i], norm) if inverse else np.fft.fft(c, n[i], ax[i], norm)
        return c
    return impl


@_forms_nb(dft_t)
def _ol_dft_t(ct, x, s=None, axes=None, norm=None, inverse=False):
    real = _real_if_nb(x)

    def impl(ct, x, s=None, axes=None, norm=None, inverse=False):
        shape = np.shape(x)
        ax = _cook_axes_nb(shape, s, axes)
        n = _cook_lengths_nb(shape, s, ax, False)
        before = _befores_nb(shape, ax, n, np.arange(len(ax) - 1, -1, -1), False)
        c = np.asarray(ct).astype(np.complex128)
        for i in range(len(ax)):  # the steps' transposes, backwards
            c = np.fft.ifft(c, None, ax[i], norm) if inverse else np.fft.fft(c, None, ax[i], norm)
            c = _fit_nb(c, before[i], ax[i])
        return np.real(c).copy() if real else c
    return impl


# ------------------------------------------------------------ real-input transforms
@_forms_nb(rdft)
def _ol_rdft(x, s=None, axes=None, norm=None):
    def impl(x, s=None, axes=None, norm=None):
        r = np.ascontiguousarray(np.real(np.asarray(x)))
        ax = _cook_axes_nb(r.shape, s, axes)
        n = _cook_lengths_nb(r.shape, s, ax, False)
        k = len(ax)
        c = np.fft.rfft(r, n[k - 1], ax[k - 1], norm)
        for i in range(k - 2, -1, -1):
            c = np.fft.fft(c, n[i], ax[i], norm)
        return c
    return impl


@_forms_nb(rdft_t)
def _ol_rdft_t(ct, x, s=None, axes=None, norm=None):
    def impl(ct, x, s=None, axes=None, norm=None):
        shape = np.shape(x)
        ax = _cook_axes_nb(shape, s, axes)
        n = _cook_lengths_nb(shape, s, ax, False)
        k = len(ax)
        before = _befores_nb(shape, ax, n, np.concatenate((np.array([k - 1]), np.arange(k - 2, -1, -1))), True)
        c = np.asarray(ct).astype(np.complex128)
        for i in range(k - 1):  # the fft steps' transposes
            c = _fit_nb(np.fft.fft(c, None, ax[i], norm), before[i], ax[i])
        c = _fit_nb(np.fft.fft(c, n[k - 1], ax[k - 1], norm), before[k - 1], ax[k - 1])  # rfft's: fit to n first
        return np.real(c).copy()
    return impl


# ----------------------------------------------------------- real-output transforms
@_forms_nb(irdft)
def _ol_irdft(c, s=None, axes=None, norm=None):
    def impl(c, s=None, axes=None, norm=None):
        a = np.asarray(c).astype(np.complex128)
        ax = _cook_axes_nb(a.shape, s, axes)
        n = _cook_lengths_nb(a.shape, s, ax, True)
        k = len(ax)
        for i in range(k - 1):
            a = np.fft.ifft(a, n[i], ax[i], norm)
        return np.fft.irfft(a, n[k - 1], ax[k - 1], norm)
    return impl


@_forms_nb(irdft_t)
def _ol_irdft_t(ct, c, s=None, axes=None, norm=None):
    real = _real_if_nb(c)

    def impl(ct, c, s=None, axes=None, norm=None):
        shape = np.shape(c)
        ax = _cook_axes_nb(shape, s, axes)
        n = _cook_lengths_nb(shape, s, ax, True)
        k = len(ax)
        before = _befores_nb(shape, ax, n, np.arange(k), False)
        nl, al = n[k - 1], ax[k - 1]
        m = nl // 2 + 1
        a = _fit_nb(np.fft.ifft(np.real(np.asarray(ct)).astype(np.complex128), None, al, norm), m, al)
        w = np.full(m, 2.0)
        w[0] = 1.0
        if nl % 2 == 0:
            w[m - 1] = 1.0
        a = _fit_nb(_weigh_nb(a, w, al), before[k - 1], al)
        for i in range(k - 2, -1, -1):  # the ifft steps' transposes, backwards
            a = _fit_nb(np.fft.ifft(a, None, ax[i], norm), before[i], ax[i])
        return np.real(a).copy() if real else a
    return impl


@overload(swap_norm)
def _ol_swap_norm(norm):
    if isinstance(norm, (types.NoneType, types.Omitted)):
        return lambda norm: "forward"

    def impl(norm):
        if norm == "backward":
            return "forward"
        if norm == "forward":
            return "backward"
        if norm == "ortho":
            return "ortho"
        raise ValueError("norm must be None, 'backward', 'ortho' or 'forward'")
    return impl
