"""Device-side helpers that generated CUDA kernels call (imported only when CUDA is used).

Kernels cannot allocate, so reverse mode's list tapes become slices of one preallocated
float64 buffer per thread (see `kernel_tapes.py`): tape `k` owns the rows
`layout[2k] .. layout[2k] + layout[2k+1]` of the thread's column. A push past the capacity
stores nothing and records how much room the tape needed (`need[k]`, an atomic max over
threads); the host then grows the buffer and launches again, so a kernel never writes out
of bounds and the tape sizes never need to be known when the kernel is built.

Values come back from the float64 buffer with the type of the variable they restore (its
*witness*, the same variable in the forward sweep): bools and ints round-trip exactly up to
2**53, which covers loop counters and branch flags, the things tapes of per-example scalar
code hold.
"""
import numpy as np
from numba import cuda, types
from numba.extending import overload


@cuda.jit(device=True)
def thread_index():
    """This thread's index in the whole grid."""
    return cuda.grid(1)


@cuda.jit(device=True)
def thread_count():
    """The number of threads in the grid: the stride of a grid-stride loop."""
    return cuda.gridsize(1)


@cuda.jit(device=True)
def sign(x):
    """np.sign of a scalar (numba.cuda has no device np.sign)."""
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return x  # 0.0, -0.0 and nan, as np.sign


@cuda.jit(device=True)
def heaviside(x, h0):
    """np.heaviside of scalars."""
    return 0.0 if x < 0 else (1.0 if x > 0 else (h0 if x == 0 else x))


@cuda.jit(device=True)
def tape_store(buf, layout, need, k, i, v):
    """Push `v` at position `i` of tape `k`, or record that tape `k` needs `i + 1` slots."""
    if i < layout[2 * k + 1]:
        buf[layout[2 * k] + i] = v
    else:
        cuda.atomic.max(need, k, i + 1)


def tape_load(buf, layout, k, i, like):
    """Position `i` of tape `k`, as the type of `like` (pure Python: the CUDA simulator)."""
    if i >= layout[2 * k + 1]:  # an overflowing launch: its results are discarded
        return like
    v = buf[layout[2 * k] + i]
    if isinstance(like, (bool, np.bool_)):
        return bool(v)
    if isinstance(like, (int, np.integer)):
        return type(like)(int(v))
    return type(like)(v)


@overload(tape_load, target="generic")
def _ol_tape_load(buf, layout, k, i, like):
    if isinstance(like, types.Boolean):
        def impl(buf, layout, k, i, like):
            if i >= layout[2 * k + 1]:  # an overflowing launch: its results are discarded
                return like
            return buf[layout[2 * k] + i] != 0.0
        return impl
    if isinstance(like, types.Integer):
        def impl(buf, layout, k, i, like):
            if i >= layout[2 * k + 1]:
                return like
            return int(buf[layout[2 * k] + i])
        return impl
    if isinstance(like, types.Float):
        def impl(buf, layout, k, i, like):
            if i >= layout[2 * k + 1]:
                return like
            return buf[layout[2 * k] + i]
        return impl
    return None  # an array or tuple on a kernel tape: refused before code generation
