"""Runtime helpers of batched code.

Loop batching calls `batch_alloc`, `batch_set` and `move_batch_axis`; they live with the
other helpers of generated code (`s2s.diff.runtime`, which `s2s dump -o` copies into
standalone files) and are re-exported here.

Array batching's helpers below are different: they are *source* helpers. Each is written
in the subset s2s transforms, with only what numba compiles (2-d products, `np.sum` over
one axis, loops), and array batching copies the ones a program needs into its generated
module as ordinary functions -- so the pure-Python path, `jit` (numba compiles them with
the rest) and `s2s dump -o` (a standalone file) all get the same code. The row reductions
loop over whichever of rows or columns is shorter, so the Python path does at most
min(rows, columns) NumPy calls.
"""
import numpy as np

from ..diff.runtime import batch_alloc, batch_set, move_batch_axis  # noqa: F401


def batch_max(x):
    """The maximum of each row of the 2-d array x (NaN propagates, as np.max)."""
    n = x.shape[0]
    m = x.shape[1]
    out = x[:, 0].copy()
    if n <= m:
        for i in range(n):
            out[i] = np.max(x[i])
    else:
        for j in range(1, m):
            out = np.maximum(out, x[:, j])
    return out


def batch_min(x):
    """The minimum of each row of the 2-d array x (NaN propagates, as np.min)."""
    n = x.shape[0]
    m = x.shape[1]
    out = x[:, 0].copy()
    if n <= m:
        for i in range(n):
            out[i] = np.min(x[i])
    else:
        for j in range(1, m):
            out = np.minimum(out, x[:, j])
    return out


def batch_prod(x):
    """The product of each row of the 2-d array x."""
    n = x.shape[0]
    m = x.shape[1]
    out = x[:, 0] * 1
    if n <= m:
        for i in range(n):
            out[i] = np.prod(x[i])
    else:
        for j in range(1, m):
            out = out * x[:, j]
    return out


def batch_any(x):
    """Whether any element of each row of the 2-d array x is nonzero."""
    n = x.shape[0]
    m = x.shape[1]
    out = x[:, 0] != 0
    if n <= m:
        for i in range(n):
            out[i] = np.any(x[i])
    else:
        for j in range(1, m):
            out = np.logical_or(out, x[:, j] != 0)
    return out


def batch_all(x):
    """Whether every element of each row of the 2-d array x is nonzero."""
    n = x.shape[0]
    m = x.shape[1]
    out = x[:, 0] != 0
    if n <= m:
        for i in range(n):
            out[i] = np.all(x[i])
    else:
        for j in range(1, m):
            out = np.logical_and(out, x[:, j] != 0)
    return out


def batch_matmul_left(a, b):
    """a (n, m, k) @ b (k,) or (k, p), as one (n*m, k) matrix product."""
    n = a.shape[0]
    m = a.shape[1]
    rows = np.reshape(np.ascontiguousarray(a), (n * m, a.shape[2]))
    r = rows @ b
    return np.reshape(r, (n, m) + r.shape[1:])


def batch_matmat_right(a, b):
    """a (m, k) @ b (n, k, p) -> (n, m, p), as one (m, k) @ (k, n*p) matrix product."""
    n = b.shape[0]
    k = b.shape[1]
    p = b.shape[2]
    cols = np.reshape(np.ascontiguousarray(np.transpose(b, (1, 0, 2))), (k, n * p))
    r = a @ cols
    return np.ascontiguousarray(np.transpose(np.reshape(r, (a.shape[0], n, p)), (1, 0, 2)))


def batch_matmat(a, b):
    """a (n, m, k) @ b (n, k, p) -> (n, m, p): one matrix product per example."""
    n = a.shape[0]
    first = a[0] @ b[0]
    out = np.empty((n,) + first.shape, first.dtype)
    out[0] = first
    for i in range(1, n):
        out[i] = a[i] @ b[i]
    return out


def batch_trace(a):
    """The trace of each matrix of a (n, m, k)."""
    out = a[:, 0, 0] * 1
    for i in range(1, min(a.shape[1], a.shape[2])):
        out = out + a[:, i, i]
    return out


SOURCE_HELPERS = {f.__name__: f for f in (batch_max, batch_min, batch_prod, batch_any, batch_all, batch_matmul_left,
                                          batch_matmat_right, batch_matmat, batch_trace)}
