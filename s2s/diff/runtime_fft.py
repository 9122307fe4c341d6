"""Runtime helpers of the numpy.fft rules (rules/fft.py): the transforms with their arguments
made explicit, and their transposes. Part of the runtime (`s2s.diff.runtime` re-exports
every name in `__all__`), so self-contained like it: math and NumPy. Their numba forms are
in runtime_numba_fft.py (np.fft in numba: rocket-fft).

Conventions (JAX's): the cotangent of a complex z is dL/dRe z - i dL/dIm z, so the VJP of
a complex-linear map A is the plain transpose A^T ct, and the VJP of a real-linear map
x -> Re(A x) or real x -> A x is A^T ct (real part taken for a real input). Every transform
is a sequence of one-axis steps as NumPy applies them (`fit` to the length n -- cut or zero
padded --, then the DFT of length n); the transpose runs the steps' transposes backwards,
each ending by fitting back to the length the axis had before the step:

- fft / ifft step: the DFT matrix is symmetric: the same transform (same norm), then fit;
- rfft step (real in, n//2 + 1 bins out): the full fft of ct zero-padded to n, then fit; the
  real part is taken at the end (the input of rfft is real);
- irfft step (m bins in, n reals out): irfft(c) = Re(IFFT_n pad_n(w * fit_m'(c))) with
  m' = n//2 + 1 and weights w = [1, 2, ..., 2, w_last], w_last = 1 for an even n (the
  Nyquist bin) and 2 for an odd one (the imaginary parts of bin 0 and of the Nyquist bin do
  not enter): the transpose is w * (the first m' bins of ifft(Re ct)), then fit.

`dft_t`, `rdft_t`, `irdft_t` are these transposes for the complex, real-input and
real-output families (the array next to `ct` gives a shape and a dtype only: a real input
gets a real contribution). They are linear in `ct`, and each is the transpose of the
forward helper of its family (`dft`, `rdft`, `irdft`), whose VJP is in turn the transpose
helper: derivative code differentiates again (rules/fft.py).
"""
import math  # noqa: F401

import numpy as np

__all__ = ["dft", "dft_t", "rdft", "rdft_t", "irdft", "irdft_t", "swap_norm"]


def _cook(shape, s=None, axes=None, invreal=False):
    """(s, axes) as NumPy's n-d transforms read them, as lists: an int `axes` (and `s`, the
    one-axis `n`) for the one-axis functions; `axes=None`: every axis, or the last len(s);
    a length -1: the axis' own; a length None: the axis' own -- for the last axis of an
    inverse real transform (`invreal`), 2 (m - 1) from its m bins."""
    ndim = len(shape)
    if axes is not None and np.ndim(axes) == 0:
        axes, s = [axes], (None if s is None else [s])
    if axes is None:
        axes = list(range(ndim)) if s is None else list(range(ndim - len(s), ndim))
    axes = [int(a) % ndim for a in axes]
    s = [None] * len(axes) if s is None else list(s)
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    last = s[-1] if s else -1
    s = [shape[a] if n is None or n == -1 else int(n) for n, a in zip(s, axes)]
    if invreal and last is None:
        s[-1] = 2 * (shape[axes[-1]] - 1)
    return s, axes


def _fit(a, n, axis):
    """`a` cut or zero-padded to length n along axis."""
    m = a.shape[axis]
    if m == n:
        return a
    if m > n:
        return np.take(a, np.arange(n), axis=axis)
    pad = [(0, 0)] * a.ndim
    pad[axis] = (0, n - m)
    return np.pad(a, pad)


def _steps(kind, shape, s, axes):
    """The one-axis steps NumPy's n-d transform of `kind` ('fft', 'ifft', 'rfft', 'irfft')
    applies, in order, as (op, axis, n, length of the axis before the step)."""
    k = len(axes)
    if kind in ("fft", "ifft"):  # fftn / ifftn: the last axis first
        plan = [(kind, i) for i in range(k - 1, -1, -1)]
    elif kind == "rfft":  # rfftn: rfft along the last axis, then fft along the others, backwards
        plan = [("rfft", k - 1)] + [("fft", i) for i in range(k - 2, -1, -1)]
    else:  # irfftn: ifft along the others, forwards, then irfft along the last
        plan = [("ifft", i) for i in range(k - 1)] + [("irfft", k - 1)]
    lengths, out = list(shape), []
    for op, i in plan:
        ax, n = axes[i], s[i]
        out.append((op, ax, n, lengths[ax]))
        lengths[ax] = n // 2 + 1 if op == "rfft" else n
    return out


def _transpose(ct, steps, norm):
    """The transpose of the chain of `steps` (see the module docstring) applied to ct."""
    c = np.asarray(ct)
    for op, ax, n, before in reversed(steps):
        if op == "fft":
            c = np.fft.fft(c, axis=ax, norm=norm)
        elif op == "ifft":
            c = np.fft.ifft(c, axis=ax, norm=norm)
        elif op == "rfft":
            c = np.fft.fft(_fit(c, n, ax), axis=ax, norm=norm)
        else:  # irfft: n reals from n // 2 + 1 bins
            m = n // 2 + 1
            c = _fit(np.fft.ifft(np.real(c), axis=ax, norm=norm), m, ax)
            w = np.full(m, 2.0, np.real(c).dtype)
            w[0] = 1.0
            if n % 2 == 0:
                w[-1] = 1.0
            shape = [1] * c.ndim
            shape[ax] = m
            c = c * w.reshape(shape)
        c = _fit(c, before, ax)
    return c


def _like_input(c, x):
    """A real input gets the real part of its contribution."""
    return c if np.iscomplexobj(x) else np.real(c)


# ------------------------------------------------------------------ complex transforms
def dft(x, s=None, axes=None, norm=None, inverse=False):
    """np.fft.fftn (or ifftn, `inverse`) of x along axes with lengths s; an int `axes` (and
    `s`) for one axis, as np.fft.fft(x, n=s, axis=axes)."""
    x = np.asarray(x)
    s, axes = _cook(x.shape, s, axes)
    return (np.fft.ifftn if inverse else np.fft.fftn)(x, s, axes, norm)


def dft_t(ct, x, s=None, axes=None, norm=None, inverse=False):
    """Contribution to x of `dft(x, s, axes, norm, inverse)` (np.fft.fft, ifft, fft2, ifft2,
    fftn, ifftn): the same transform of ct, fit back to x's lengths; real for a real x."""
    s, axes = _cook(np.shape(x), s, axes)
    steps = _steps("ifft" if inverse else "fft", np.shape(x), s, axes)
    return _like_input(_transpose(ct, steps, norm), x)


# ------------------------------------------------------------ real-input transforms
def rdft(x, s=None, axes=None, norm=None):
    """np.fft.rfftn of the real part of x (rfft with an int `axes`, rfft2, rfftn)."""
    x = np.real(np.asarray(x))
    s, axes = _cook(x.shape, s, axes)
    return np.fft.rfftn(x, s, axes, norm)


def rdft_t(ct, x, s=None, axes=None, norm=None):
    """Contribution to x of `rdft(x, s, axes, norm)` (np.fft.rfft, rfft2, rfftn): real."""
    s, axes = _cook(np.shape(x), s, axes)
    return np.real(_transpose(ct, _steps("rfft", np.shape(x), s, axes), norm))


# ----------------------------------------------------------- real-output transforms
def irdft(c, s=None, axes=None, norm=None):
    """np.fft.irfftn of c (irfft with an int `axes`, irfft2, irfftn): real."""
    c = np.asarray(c)
    s, axes = _cook(c.shape, s, axes, invreal=True)
    return np.fft.irfftn(c, s, axes, norm)


def irdft_t(ct, c, s=None, axes=None, norm=None):
    """Contribution to c of `irdft(c, s, axes, norm)` (np.fft.irfft, irfft2, irfftn): the
    real part of ct (the output is real) through the weighted transpose; real for a real c."""
    s, axes = _cook(np.shape(c), s, axes, invreal=True)
    return _like_input(_transpose(ct, _steps("irfft", np.shape(c), s, axes), norm), c)


def swap_norm(norm):
    """The norm of the forward transform that an inverse one with `norm` is (hfft is irfft
    with the swapped norm): "backward" <-> "forward", "ortho" stays."""
    return {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}[norm]
