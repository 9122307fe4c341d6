"""numba forms of scipy.signal.convolve and of its derivative helpers (runtime_signal.py):
the direct sum over both inputs' elements into the full convolution, then the window of
the mode (a string compared when it runs). Code is generated per number of dimensions and
result dtype (complex128 where an input is complex, else float64).
Registered with the other scipy rules (rules.load_scipy_rules).
"""
import numpy as np  # noqa: F401  (the generated code's)
from numba import types
from numba.extending import overload
from scipy import signal

from .runtime_numba import _gen
from .runtime_signal import signal_convolve_vjp1, signal_convolve_vjp2, signal_convolve_window_t


def _nd(*ts):
    return all(isinstance(t, types.Array) and t.ndim == ts[0].ndim and t.ndim > 0 for t in ts)


def _window_lines(n, sa, sb):
    """Lines binding s{i} (start) and n{i} (length) of the mode's window for shapes sa, sb."""
    lines = []
    for i in range(n):
        p, q = f"{sa}[{i}]", f"{sb}[{i}]"
        lines += ["    if mode == 'full':", f"        s{i}, n{i} = 0, {p} + {q} - 1",
                  "    elif mode == 'same':", f"        s{i}, n{i} = ({q} - 1) // 2, {p}",
                  "    elif mode == 'valid':", f"        s{i}, n{i} = min({p}, {q}) - 1, abs({p} - {q}) + 1",
                  "    else:", "        raise ValueError('convolve: mode must be full, valid or same')"]
    return lines


def _window(n):
    return ", ".join(f"s{i}:s{i} + n{i}" for i in range(n))


def _dtype(*ts):
    """The generated code's result dtype: complex128 where an input is complex, else float64."""
    return "np.complex128" if any(isinstance(t.dtype, types.Complex) for t in ts) else "np.float64"


def _full_lines(n, x, y, dtype="np.float64"):
    """Lines: `full`, the full convolution of x and y (direct sum)."""
    fs = ", ".join(f"{x}.shape[{i}] + {y}.shape[{i}] - 1" for i in range(n))
    lines = [f"    full = np.zeros(({fs},), {dtype})"]
    pad = "    "
    for i in range(n):
        lines.append(pad + f"for i{i} in range({x}.shape[{i}]):")
        pad += "    "
    idx = ", ".join(f"i{i}" for i in range(n))
    lines.append(pad + f"v = {x}[{idx}]")
    for i in range(n):
        lines.append(pad + f"for j{i} in range({y}.shape[{i}]):")
        pad += "    "
    out = ", ".join(f"i{i} + j{i}" for i in range(n))
    lines.append(pad + f"full[{out}] += v * {y}[{', '.join(f'j{i}' for i in range(n))}]")
    return lines


@overload(signal.convolve)
def _ol_convolve(in1, in2, mode="full", method="auto"):
    if _nd(in1, in2):
        n, dtype = in1.ndim, _dtype(in1, in2)
        return _gen(("sp_convolve", n, dtype), lambda: ["def impl(in1, in2, mode='full', method='auto'):"]
                    + _full_lines(n, "in1", "in2", dtype) + _window_lines(n, "in1.shape", "in2.shape")
                    + [f"    return full[{_window(n)}].copy()"], globals())


@overload(signal_convolve_window_t)
def _ol_convolve_window_t(ct, a, b, mode="full"):
    if _nd(a, b):
        n, dtype = a.ndim, _dtype(ct) if isinstance(ct, types.Array) else "np.float64"
        fs = ", ".join(f"a.shape[{i}] + b.shape[{i}] - 1" for i in range(n))
        return _gen(("sp_convolve_window_t", n, dtype), lambda: ["def impl(ct, a, b, mode='full'):"]
                    + _window_lines(n, "a.shape", "b.shape")
                    + [f"    out = np.zeros(({fs},), {dtype})", f"    out[{_window(n)}] = ct", "    return out"], globals())


def _vjp(other):
    def typer(ct, a, b, mode="full"):
        if _nd(a, b):
            n = a.ndim
            flipped = f"{other}[{', '.join(['::-1'] * n)}]"
            return _gen(("sp_convolve_vjp", other, n), lambda: [
                "def impl(ct, a, b, mode='full'):",
                "    g = signal_convolve_window_t(ct, a, b, mode)",
                f"    return signal.convolve(g, np.ascontiguousarray({flipped}), 'valid')"], globals())
    return typer


overload(signal_convolve_vjp1)(_vjp("b"))
overload(signal_convolve_vjp2)(_vjp("a"))
