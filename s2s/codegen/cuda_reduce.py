"""Sums over the batch on the device: `np.sum(v, axis=0)` / `np.mean(v)` of a batched result.

A batched kernel leaves one row per example in an (n, ...) device array; reducing over the
examples (the mean of per-example losses, of per-example gradients) happens where the rows
are. The array is viewed as (n, m) (m: one example's size) and each thread sums a chunk of
`CHUNK` rows of one column, adding its partial sum to the column's total with an atomic add:

    thread t:  column j = t % m,  rows [c * CHUNK, (c + 1) * CHUNK) with c = t // m
               out[j] += sum of x[i, j] over its rows         (cuda.atomic.add)

So n = 10^6 scalar losses take 3,907 threads of 256 additions each; the order of the
atomic additions varies between launches, so the last bits of a float sum may too (as with
any parallel reduction). Only the m totals go back to the host.
"""
import math

import numpy as np

CHUNK = 256
_KERNELS = {}
cuda = None  # numba.cuda, imported by the first reduction


def _kernel():
    # `cuda` must be a global of the kernel (the simulator swaps the kernel's global `cuda`).
    global cuda
    if "sum" not in _KERNELS:
        from numba import cuda as cuda_module

        cuda = cuda_module

        @cuda.jit
        def sum_rows(x, out, chunk):
            t = cuda.grid(1)
            n = x.shape[0]
            m = x.shape[1]
            if t < ((n + chunk - 1) // chunk) * m:
                j = t % m
                start = (t // m) * chunk
                stop = min(start + chunk, n)
                acc = x[start, j] * 0
                for i in range(start, stop):
                    acc += x[i, j]
                cuda.atomic.add(out, j, acc)
        _KERNELS["sum"] = sum_rows
    return _KERNELS["sum"]


def _result_dtype(dtype):
    """NumPy's dtype of a sum: floats keep theirs, bools and ints become int64."""
    dtype = np.dtype(dtype)
    if dtype.kind in "fc":
        return dtype
    return np.dtype(np.uint64 if dtype.kind == "u" else np.int64)


def batch_sum(x):
    """The sum over axis 0 of the C-contiguous device array `x` (n, ...): a NumPy array of
    shape x.shape[1:] (a NumPy scalar for a 1-d x)."""
    from numba import cuda

    n = x.shape[0]
    m = int(np.prod(x.shape[1:], dtype=np.int64)) if x.ndim > 1 else 1
    dtype = _result_dtype(x.dtype)
    if dtype.kind == "c":
        raise TypeError("a sum over the batch of complex values is not supported on the device")
    if x.dtype != dtype:
        raise TypeError(f"a sum over the batch of {x.dtype} values: make the batched function return "
                        f"{dtype} (numba.cuda's atomic additions need the result's type)")
    out = cuda.to_device(np.zeros(m, dtype))
    if n:
        rows = x.reshape(n, m)
        threads = math.ceil(n / CHUNK) * m
        tpb = 128 if threads >= 128 else max(threads, 1)
        _kernel()[math.ceil(threads / tpb), tpb](rows, out, CHUNK)
    total = out.copy_to_host()
    return total.reshape(x.shape[1:]) if x.ndim > 1 else total[0]


def device_sum(x, axis=None):
    """np.sum(x, axis) for a batched device array `x`: axis 0 (the batch) or None (every
    element), computed on the device; a NumPy result."""
    if axis is None:
        return batch_sum(x.reshape(x.size)) if x.ndim > 1 else batch_sum(x)
    if axis not in (0, -x.ndim):
        raise ValueError(f"on the device, a batched result is summed over its batch axis (axis=0) or entirely "
                         f"(axis=None); got axis={axis}: reduce other axes inside the batched function")
    return batch_sum(x)


def device_mean(x, axis=None):
    """np.mean(x, axis) for a batched device array (axis 0 or None), on the device."""
    total = device_sum(x, axis)
    count = x.size if axis is None else x.shape[0]
    if np.dtype(x.dtype).kind in "biu":
        total = np.asarray(total, dtype=np.float64)
    return total / count
