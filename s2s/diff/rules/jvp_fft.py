"""JVP rules of rules/fft.py (numpy.fft's transforms, fftshift/ifftshift, and the runtime
helpers of runtime_fft.py): every one is R-linear (the real transforms take or give real
parts, hfft/ihfft conjugate, the transposes are linear in `ct`), so the tangent is the same
call on the tangent, with the same n / s, axis / axes and norm (`nondiff`: the inputs read
for their shape and dtype only).
"""
import numpy as np

from ..registry import JVP_RULES
from ..runtime import dft, dft_t, irdft, irdft_t, rdft, rdft_t

linear = JVP_RULES.linear


@linear(np.fft.fft, np.fft.ifft, np.fft.rfft, np.fft.irfft, np.fft.hfft, np.fft.ihfft)
def one_axis(a, n=None, axis=-1, norm=None):
    """Linear (R-linear: rfft reads the real part, hfft/ihfft conjugate)."""


@linear(np.fft.fft2, np.fft.ifft2, np.fft.rfft2, np.fft.irfft2)
def two_axes(a, s=None, axes=(-2, -1), norm=None):
    """Linear."""


@linear(np.fft.fftn, np.fft.ifftn, np.fft.rfftn, np.fft.irfftn)
def n_axes(a, s=None, axes=None, norm=None):
    """Linear."""


@linear(np.fft.fftshift, np.fft.ifftshift)
def shift(x, axes=None):
    """A permutation."""


# ------------------------------------------------------------------ rules of the helpers
@linear(dft)
def dft_rule(x, s=None, axes=None, norm=None, inverse=False):
    """Linear."""


@linear(dft_t, nondiff=("x",))
def dft_t_rule(ct, x, s=None, axes=None, norm=None, inverse=False):
    """Linear in ct (x: a shape and a dtype)."""


@linear(rdft)
def rdft_rule(x, s=None, axes=None, norm=None):
    """R-linear."""


@linear(rdft_t, nondiff=("x",))
def rdft_t_rule(ct, x, s=None, axes=None, norm=None):
    """R-linear in ct."""


@linear(irdft)
def irdft_rule(c, s=None, axes=None, norm=None):
    """R-linear."""


@linear(irdft_t, nondiff=("c",))
def irdft_t_rule(ct, c, s=None, axes=None, norm=None):
    """R-linear in ct."""
