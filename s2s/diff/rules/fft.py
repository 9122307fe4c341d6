"""VJP rules of numpy.fft: fft, ifft, fft2, ifft2, fftn, ifftn, rfft, irfft, rfft2, irfft2,
rfftn, irfftn, hfft, ihfft (with n / s, axis / axes and every norm), fftshift and
ifftshift -- and the rules of their runtime helpers (runtime_fft.py), so that derivative
code can be differentiated again. np.fft.fftfreq / rfftfreq are constants (nondiff.py).

Conventions (JAX's): the cotangent of a complex z is dL/dRe z - i dL/dIm z, so the VJP of a
complex-linear map y = A x is A^T ct, without conjugation. The DFT matrix is symmetric: the
VJP of fft (ifft, fftn...) is the same transform of ct, cut or zero-padded back to the
input's lengths where n / s changed them (`dft_t`). rfft's is the real part of the fft of ct
zero-padded to n (`rdft_t`); irfft's the first n//2 + 1 bins of ifft(ct) weighted
[1, 2, ..., 2, 1 at an even n's Nyquist bin] (`irdft_t`); the n-d real transforms compose
these along their axes. A real input gets a real contribution. hfft(a) is
irfft(conj(a)) and ihfft(a) conj(rfft(a)), both with the swapped norm. fftshift and
ifftshift are each other's transposes. `out=` is not taken (the call is refused).
Every function here is R-linear: the JVP rules (jvp_fft.py) are the same call on the
tangent. Under jit, np.fft is rocket-fft's and the helpers have numba forms
(runtime_numba_fft.py).
"""
import numpy as np

from ..registry import NONDIFF, VJP_RULES
from ..runtime import dft, dft_t, irdft, irdft_t, rdft, rdft_t, swap_norm

register = VJP_RULES.register

NONDIFF.register(swap_norm)


# ------------------------------------------------------------------ complex transforms
@register(np.fft.fft)
def fft(g, ans, a, n=None, axis=-1, norm=None):
    return dft_t(g, a, n, axis, norm, False)


@register(np.fft.ifft)
def ifft(g, ans, a, n=None, axis=-1, norm=None):
    return dft_t(g, a, n, axis, norm, True)


@register(np.fft.fft2)
def fft2(g, ans, a, s=None, axes=(-2, -1), norm=None):
    return dft_t(g, a, s, axes, norm, False)


@register(np.fft.ifft2)
def ifft2(g, ans, a, s=None, axes=(-2, -1), norm=None):
    return dft_t(g, a, s, axes, norm, True)


@register(np.fft.fftn)
def fftn(g, ans, a, s=None, axes=None, norm=None):
    return dft_t(g, a, s, axes, norm, False)


@register(np.fft.ifftn)
def ifftn(g, ans, a, s=None, axes=None, norm=None):
    return dft_t(g, a, s, axes, norm, True)


# ------------------------------------------------------------ real-input transforms
@register(np.fft.rfft)
def rfft(g, ans, a, n=None, axis=-1, norm=None):
    return rdft_t(g, a, n, axis, norm)


@register(np.fft.rfft2)
def rfft2(g, ans, a, s=None, axes=(-2, -1), norm=None):
    return rdft_t(g, a, s, axes, norm)


@register(np.fft.rfftn)
def rfftn(g, ans, a, s=None, axes=None, norm=None):
    return rdft_t(g, a, s, axes, norm)


@register(np.fft.ihfft)
def ihfft(g, ans, a, n=None, axis=-1, norm=None):
    """conj(rfft(a)) with the swapped norm."""
    return rdft_t(np.conj(g), a, n, axis, swap_norm(norm))


# ----------------------------------------------------------- real-output transforms
@register(np.fft.irfft)
def irfft(g, ans, a, n=None, axis=-1, norm=None):
    return irdft_t(g, a, n, axis, norm)


@register(np.fft.irfft2)
def irfft2(g, ans, a, s=None, axes=(-2, -1), norm=None):
    return irdft_t(g, a, s, axes, norm)


@register(np.fft.irfftn)
def irfftn(g, ans, a, s=None, axes=None, norm=None):
    return irdft_t(g, a, s, axes, norm)


@register(np.fft.hfft)
def hfft(g, ans, a, n=None, axis=-1, norm=None):
    """irfft(conj(a)) with the swapped norm."""
    return np.conj(irdft_t(g, a, n, axis, swap_norm(norm)))


# --------------------------------------------------------------------------- shifts
@register(np.fft.fftshift)
def fftshift(g, ans, x, axes=None):
    return np.fft.ifftshift(g, axes)


@register(np.fft.ifftshift)
def ifftshift(g, ans, x, axes=None):
    return np.fft.fftshift(g, axes)


# ------------------------------------------------------------------ rules of the helpers
@register(dft)
def dft_rule(g, ans, x, s=None, axes=None, norm=None, inverse=False):
    return dft_t(g, x, s, axes, norm, inverse)


@register(dft_t)
def dft_t_rule(g, ans, ct, x, s=None, axes=None, norm=None, inverse=False):
    """The transpose of the transpose: the transform of g (x-shaped), fit to s."""
    return dft(g, s, axes, norm, inverse), None


@register(rdft)
def rdft_rule(g, ans, x, s=None, axes=None, norm=None):
    return rdft_t(g, x, s, axes, norm)


@register(rdft_t)
def rdft_t_rule(g, ans, ct, x, s=None, axes=None, norm=None):
    return rdft(g, s, axes, norm), None


@register(irdft)
def irdft_rule(g, ans, c, s=None, axes=None, norm=None):
    return irdft_t(g, c, s, axes, norm)


@register(irdft_t)
def irdft_t_rule(g, ans, ct, c, s=None, axes=None, norm=None):
    """irfftn(g) = Re(the transpose of irdft_t applied to g)."""
    return irdft(g, s, axes, norm), None
