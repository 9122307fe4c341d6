"""Derivative rules of scipy.signal.convolve (registered only where scipy is installed:
rules/__init__.py): real inputs of the same number of dimensions, mode 'full', 'valid' or
'same', `method` any (the derivative is the same). The VJP correlates the
cotangent, placed in the full convolution's shape, with the other input (runtime_signal.py);
the JVP is bilinear. The helpers are bilinear in the cotangent and the other input, with
VJP rules of their own, so second derivatives work in both modes.
"""
from scipy import signal

from ..registry import JVP_RULES, VJP_RULES, supports
from ..runtime_signal import signal_convolve_vjp1, signal_convolve_vjp2, signal_convolve_window_t


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
    return signal_convolve_vjp1(g, in1, in2, mode), signal_convolve_vjp2(g, in1, in2, mode)


@VJP_RULES.register(signal_convolve_vjp1)
def signal_convolve_vjp1_rule(g, ans, ct, a, b, mode="full"):
    """The adjoint of a -> convolve(a, b) is this helper: back to ct it is the convolution
    again; to b, the other helper with g in a's place."""
    return signal.convolve(g, b, mode), None, signal_convolve_vjp2(ct, g, b, mode)


@VJP_RULES.register(signal_convolve_vjp2)
def signal_convolve_vjp2_rule(g, ans, ct, a, b, mode="full"):
    """The same with the inputs' roles swapped."""
    return signal.convolve(a, g, mode), signal_convolve_vjp1(ct, a, g, mode), None


@JVP_RULES.multilinear(signal.convolve)
@supports(mode_check)
def convolve_jvp(in1, in2, mode="full", method="auto"):
    """Bilinear."""


@JVP_RULES.multilinear(signal_convolve_vjp1, nondiff=("a",))
def convolve_vjp1_jvp(ct, a, b, mode="full"):
    """Bilinear in ct and b (a gives a shape)."""


@JVP_RULES.multilinear(signal_convolve_vjp2, nondiff=("b",))
def convolve_vjp2_jvp(ct, a, b, mode="full"):
    """Bilinear in ct and a."""


@JVP_RULES.linear(signal_convolve_window_t, nondiff=("a", "b"))
def convolve_window_t_jvp(ct, a, b, mode="full"):
    """Linear in ct."""
