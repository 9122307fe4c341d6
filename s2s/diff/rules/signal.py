"""Derivative rules of scipy.signal.convolve (registered only where scipy is installed:
rules/__init__.py): real inputs of the same number of dimensions, mode 'full', 'valid' or
'same', `method` any (the derivative is the same). The VJP correlates the
cotangent, placed in the full convolution's shape, with the other input (runtime_signal.py);
the JVP is bilinear. The helpers are bilinear in the cotangent and the other input, so
forward-over-reverse Hessians work too.
"""
from scipy import signal

from ..registry import JVP_RULES, VJP_RULES, supports
from ..runtime_signal import convolve_vjp1, convolve_vjp2, convolve_window_t


def mode_check(known):
    """A constant mode must be one of the three (one known only at run time is read by the
    helpers then)."""
    if "mode" in known and known["mode"] not in ("full", "valid", "same"):
        return "with a mode other than 'full', 'valid' or 'same'"
    return None


@VJP_RULES.register(signal.convolve)
@supports(mode_check)
def convolve(g, ans, in1, in2, mode="full", method="auto"):
    """c = window of sum_k in1[k] in2[n - k]: each contribution a correlation with the other."""
    return convolve_vjp1(g, in1, in2, mode), convolve_vjp2(g, in1, in2, mode)


@JVP_RULES.multilinear(signal.convolve)
@supports(mode_check)
def convolve_jvp(in1, in2, mode="full", method="auto"):
    """Bilinear."""


@JVP_RULES.multilinear(convolve_vjp1, nondiff=("a",))
def convolve_vjp1_jvp(ct, a, b, mode="full"):
    """Bilinear in ct and b (a gives a shape)."""


@JVP_RULES.multilinear(convolve_vjp2, nondiff=("b",))
def convolve_vjp2_jvp(ct, a, b, mode="full"):
    """Bilinear in ct and a."""


@JVP_RULES.linear(convolve_window_t, nondiff=("a", "b"))
def convolve_window_t_jvp(ct, a, b, mode="full"):
    """Linear in ct."""
