"""Runtime helpers of scipy.signal.convolve's derivative rules (rules/signal.py).

c = convolve(a, b, mode) is a window of the full convolution f[n] = sum_k a[k] b[n - k]
(shape sa + sb - 1): 'full' all of it, 'same' a's shape centered in it, 'valid' the
|sa - sb| + 1 positions where one input covers the other (centered too). The cotangent of c
is placed in that window of a full-shape array (`signal_convolve_window_t`), and then
    d/da = convolve(ct_full, flip(b), 'valid')     (shape sa)
    d/db = convolve(ct_full, flip(a), 'valid')     (shape sb)
each a correlation of the cotangent with the other input. Both are linear in the
cotangent and the other input (their own derivative rules: bilinear).
"""
import numpy as np

__all__ = ["convolve_window", "signal_convolve_window_t", "signal_convolve_vjp1", "signal_convolve_vjp2"]


def convolve_window(sa, sb, mode):
    """(start, shape) of the result of `mode` inside the full convolution of shapes sa, sb."""
    full = [p + q - 1 for p, q in zip(sa, sb)]
    if mode == "full":
        return [0] * len(full), full
    if mode == "same":
        return [(f - p) // 2 for f, p in zip(full, sa)], list(sa)
    if mode == "valid":
        return [min(p, q) - 1 for p, q in zip(sa, sb)], [abs(p - q) + 1 for p, q in zip(sa, sb)]
    raise ValueError(f"convolve: mode must be 'full', 'valid' or 'same', got {mode!r}")


def signal_convolve_window_t(ct, a, b, mode="full"):
    """ct (the cotangent of convolve(a, b, mode)) in its window of a full-shape zero array."""
    sa, sb = np.shape(a), np.shape(b)
    start, shape = convolve_window(sa, sb, mode)
    out = np.zeros([p + q - 1 for p, q in zip(sa, sb)], dtype=np.result_type(ct, float))
    out[tuple(slice(s, s + n) for s, n in zip(start, shape))] = ct
    return out


def _convolve(x, y, mode):
    from scipy import signal  # (the user's code called scipy.signal: it is installed)

    return signal.convolve(x, y, mode=mode, method="direct")


def signal_convolve_vjp1(ct, a, b, mode="full"):
    """Contribution to a of `scipy.signal.convolve(a, b, mode)` (real inputs)."""
    return _convolve(signal_convolve_window_t(ct, a, b, mode), np.flip(b), "valid")


def signal_convolve_vjp2(ct, a, b, mode="full"):
    """Contribution to b of `scipy.signal.convolve(a, b, mode)`."""
    return _convolve(signal_convolve_window_t(ct, a, b, mode), np.flip(a), "valid")
