"""Device-side helpers that generated CUDA kernels call (imported only when CUDA is used).

Kernels cannot allocate, so reverse mode's list tapes become slices of one preallocated
float64 buffer per thread (see `kernel_tapes.py`): tape `k` owns the rows
`layout[2k] .. layout[2k] + layout[2k+1]` of the thread's column. A push past the capacity
stores nothing and records how much room the tape needed (`need[k]`, an atomic max over
threads); the host then grows the buffer and launches again, so a kernel never writes out
of bounds and the tape sizes never need to be known when the kernel is built.

Values come back from the float64 buffer with the type of the variable they restore (its
*witness*, the same variable in the forward sweep): bools and ints round-trip exactly up to
2**53, which covers loop counters and branch flags. Arrays and shapes on a tape are copied
into the thread's arena and the tape keeps their offset (`cuda_arrays.k_tape_store`).
"""
import math

import numpy as np
from numba import cuda, types
from numba.core import errors
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


def tape_store(buf, layout, need, k, i, v):
    """Push `v` at position `i` of tape `k`, or record that tape `k` needs `i + 1` slots
    (pure Python: the CUDA simulator)."""
    if np.ndim(v):
        raise TypeError(_ARRAY_ON_TAPE)
    if i < layout[2 * k + 1]:
        buf[layout[2 * k] + i] = v
    else:
        need[k] = max(need[k], i + 1)


_ARRAY_ON_TAPE = ("a CUDA kernel could not tell that this tape entry is an array (arrays on tapes go through "
                  "the thread's arena, but its number of dimensions was not inferred): run it with jit on the CPU, "
                  "and report the function")


@overload(tape_store, target="generic")
def _ol_tape_store(buf, layout, need, k, i, v):
    if not isinstance(v, (types.Number, types.Boolean)):
        raise errors.TypingError(_ARRAY_ON_TAPE)

    def impl(buf, layout, need, k, i, v):
        if i < layout[2 * k + 1]:
            buf[layout[2 * k] + i] = v
        else:
            cuda.atomic.max(need, k, i + 1)
    return impl


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


def size(x):
    """np.size on the device: an array's number of elements, 1 for a scalar."""
    return np.size(x)


def ndim(x):
    """np.ndim on the device."""
    return np.ndim(x)


@overload(size, target="generic")
def _ol_size(x):
    if isinstance(x, types.Array):
        return lambda x: x.size
    return lambda x: 1


@overload(ndim, target="generic")
def _ol_ndim(x):
    n = x.ndim if isinstance(x, types.Array) else 0
    return lambda x: n


# -- reductions of a thread's read-only arrays (the example's slice of an input) --------
# Kernels cannot allocate, but reducing an array they are given to a scalar needs no memory:
# np.dot of two vectors, np.sum/np.mean/np.max/np.min of a whole array. numba.cuda has
# none of them on the device, so the kernel calls these instead.
def reduce_dot(a, b):
    """np.dot for scalars and 1-d arrays (pure Python: the CUDA simulator)."""
    return np.dot(a, b)


def reduce_sum(a):
    return np.sum(a)


def reduce_mean(a):
    return np.mean(a)


def reduce_max(a):
    return np.max(a)


def reduce_min(a):
    return np.min(a)


def _nd_loop(ndim, body, init, finish="acc"):
    """Source of `impl(a)` visiting every element of an `ndim`-d array `a` as `v`."""
    lines = ["def impl(a):", f"    acc = {init}"]
    idx = []
    for d in range(ndim):
        lines.append("    " * (d + 1) + f"for i{d} in range(a.shape[{d}]):")
        idx.append(f"i{d}")
    lines.append("    " * (ndim + 1) + f"v = a[{', '.join(idx)}]")
    lines.append("    " * (ndim + 1) + body)
    lines.append(f"    return {finish}")
    env = {}
    exec("\n".join(lines), {"math": math}, env)
    return env["impl"]


def _reduction(kind):
    def typer(a):
        if isinstance(a, (types.Number, types.Boolean)):
            return lambda a: a
        if not isinstance(a, types.Array):
            return None
        nd = a.ndim
        zero = "0" if isinstance(a.dtype, (types.Integer, types.Boolean)) else "0.0"
        if kind == "sum":
            return _nd_loop(nd, "acc = acc + v", zero)
        if kind == "mean":
            return _nd_loop(nd, "acc = acc + v", "0.0", "acc / a.size")
        if kind == "max":
            return _nd_loop(nd, "acc = v if (v > acc or v != v) and acc == acc else acc", "-math.inf")
        return _nd_loop(nd, "acc = v if (v < acc or v != v) and acc == acc else acc", "math.inf")
    return typer


for _fn, _kind in ((reduce_sum, "sum"), (reduce_mean, "mean"), (reduce_max, "max"), (reduce_min, "min")):
    overload(_fn, target="generic")(_reduction(_kind))


@overload(reduce_dot, target="generic")
def _ol_reduce_dot(a, b):
    scalar = (types.Number, types.Boolean)
    if isinstance(a, scalar) and isinstance(b, scalar):
        return lambda a, b: a * b
    if isinstance(a, types.Array) and isinstance(b, types.Array) and a.ndim == 1 and b.ndim == 1:
        def impl(a, b):
            acc = a[0] * b[0] * 0
            for i in range(a.shape[0]):
                acc = acc + a[i] * b[i]
            return acc
        return impl
    return None  # a matrix product allocates: refused by numba's typing, at the user's line
