"""Helpers called by generated derivative code and by the VJP rule templates.

Every helper is a plain NumPy function (the pure-Python path) and, when numba is installed,
also has a `numba.extending.overload` (in `runtime_numba`, registered when this module is
imported), which picks the implementation from the argument *types* at compile time.

Contributions may be `ct` itself or a view of it; when a helper expands a value it returns a
fresh, writable array (never a read-only broadcast view). `ct` is a cotangent.

This file and `runtime_numba` are self-contained (math, NumPy, numba) so that `s2s dump -o`
can copy them into a standalone module.
"""
import math

import numpy as np


class DerivativeUnavailable(NotImplementedError):
    """A derivative s2s does not define, raised when generated code reaches it; the rules'
    `supports` checks normally refuse such calls earlier, at the user's line."""


# ----------------------------------------------------------------- used by generated code
def unbroadcast(ct, x):
    """`ct` summed (or expanded) to the shape of `x`: the adjoint of broadcasting `x` to ct's
    shape. A scalar or 0-d `x` gets a scalar; `x=None` (a missing input) gets None."""
    if x is None:
        return None
    shape = x if isinstance(x, tuple) else np.shape(x)  # a shape saved by `shape_of`
    if not shape:
        return np.sum(ct) if isinstance(ct, np.ndarray) else ct
    if np.shape(ct) == shape:
        return ct
    ct = np.asarray(ct)
    if ct.ndim > len(shape):
        ct = np.sum(ct, axis=tuple(range(ct.ndim - len(shape))))
    off = len(shape) - ct.ndim
    axes = tuple(i for i in range(ct.ndim) if shape[off + i] == 1 and ct.shape[i] != 1)
    if axes:
        ct = np.sum(ct, axis=axes, keepdims=True)
    return ct if ct.shape == shape else np.broadcast_to(ct, shape).copy()


def scalar_output(value):
    """The output of a function grad differentiates (the generated grad function checks it,
    as grad does in Python): a real scalar, else the TypeError JAX raises."""
    if np.ndim(value) != 0:
        raise TypeError(f"Gradient only defined for scalar-output functions. Output had shape: {np.shape(value)}")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("grad requires real-valued outputs (output dtype that is a sub-dtype of np.floating), "
                        "but got bool")
    return value


def real_for(ct, x):
    """`ct` as the cotangent of `x`: its real part where x is real (an adjoint that went
    through complex values keeps an imaginary part its real input has no use for; JAX
    projects the same way). Generated only where the program may compute with complex values."""
    if np.iscomplexobj(ct) and not np.iscomplexobj(x):
        return np.real(ct)
    return ct


def abs_direction(x):
    """d|x| / dx as the VJP of abs uses it: sign(x) for a real x (0 at 0), conj(x) / |x| for
    a complex x (JAX's convention; 0 at 0)."""
    if not np.iscomplexobj(x):
        return np.sign(x)
    r = np.abs(x)
    return np.conj(x) / np.where(r == 0, 1.0, r)


def abs_direction_tangent(x, t):
    """The tangent of abs_direction(x) along t: 0 for a real x (sign is piecewise constant);
    for a complex x, conj(t) / |x| - conj(x) Re(conj(x) t) / |x|^3 (0 at x = 0)."""
    if not np.iscomplexobj(x):
        return np.zeros(np.shape(x)) if np.ndim(x) else 0.0
    r = np.abs(x)
    r = np.where(r == 0, np.inf, r)
    return np.conj(t) / r - np.conj(x) * np.real(np.conj(x) * t) / r ** 3


def abs_direction_vjp(c, x):
    """The cotangent of x from c, a cotangent of abs_direction(x): 0 for a real x; for a
    complex x, conj(c) / |x| - Re(c x') x' / |x|^3 with x' = conj(x) (0 at x = 0)."""
    if not np.iscomplexobj(x):
        return np.zeros(np.shape(x)) if np.ndim(x) else 0.0
    r = np.abs(x)
    r = np.where(r == 0, np.inf, r)
    return np.conj(c) / r - np.real(c * np.conj(x)) * np.conj(x) / r ** 3


def take_mask(a, mask):
    """`a[mask]` for a boolean mask (numba indexes with 1-d masks only: its form flattens a
    mask of a's shape); jit writes mask reads this way (codegen/numba_reductions.py)."""
    return a[mask]


def real_only(x, t):
    """Zeros of x's shape (abs_direction's helpers depend on x only through its complex
    values): for a complex x whose tangent/cotangent t is not zero, DerivativeUnavailable --
    the third derivatives of |z| for complex z are not covered."""
    if np.iscomplexobj(x) and np.any(np.asarray(t) != 0):
        raise DerivativeUnavailable("third derivatives of abs() of complex values are not supported")
    return np.zeros(np.shape(x)) if np.ndim(x) else 0.0


def shape_of(x):
    """The shape of `x`: what the backward sweep keeps of a value a rule reads only to
    `unbroadcast` into -- `()` for a scalar, which costs nothing on a tape."""
    return np.shape(x)


def out_size(out):
    """How many elements the output has: the number of rows of its Jacobian."""
    return int(np.size(out))


def basis(out, i):
    """The i-th basis cotangent for an output like `out`: 1.0 for a scalar output, else an
    array of out's shape with a one at flat position i."""
    if np.ndim(out) == 0:
        return 1.0
    e = np.zeros(np.size(out))
    e[i] = 1.0
    return e.reshape(np.shape(out))


def real_output(out):
    """jacrev's check of the output (JAX's TypeError): real leaves, not complex -- a VJP per
    real basis vector is not the Jacobian of a complex output. Returns `out`."""
    if isinstance(out, (tuple, list, dict)):
        for v in (out.values() if isinstance(out, dict) else out):
            real_output(v)
    elif np.iscomplexobj(out):
        raise TypeError("jacrev requires real-valued outputs (output dtype that is a sub-dtype of np.floating), "
                        "but got a complex output. For a complex output use jacfwd, or vjp directly.")
    return out


def jac_alloc(out, x):
    """A zero Jacobian of shape out.shape + x.shape, of the result type of out's and x's
    dtypes (as JAX: float32 in and out gives float32; NumPy's float64 stays float64). 0.0
    when both are scalars (a zero of that type when it is not float64)."""
    dtype = np.result_type(np.asarray(out).dtype, np.asarray(x).dtype)
    shape = np.shape(out) + np.shape(x)
    if shape:
        return np.zeros(shape, dtype)
    return 0.0 if dtype == np.float64 else dtype.type(0)


def _jac_scalar(J, v):
    """The value `v` (a scalar or a one-element array) as a scalar Jacobian of J's type."""
    v = v if np.ndim(v) == 0 else np.asarray(v).reshape(())
    return J.dtype.type(v) if isinstance(J, np.generic) else (complex(v) if np.iscomplexobj(v) else float(v))


def jac_row(J, i, g):
    """J with its i-th row (the gradient of output element i) set to `g`; returns J (a
    scalar Jacobian is returned as the new value)."""
    if np.ndim(J) == 0:
        return _jac_scalar(J, g)
    m = int(np.size(g))
    J.reshape(-1)[i * m:(i + 1) * m] = np.ravel(g)
    return J


def stop_gradient(x):
    """The identity, whose derivative is zero: a constant for every transformation."""
    return x


def broadcast_like(t, x):
    """The tangent `t` with the shape of the value `x` (forward mode: the tangent of
    `x1 + x2` when only the smaller `x1` carries one). `t` itself when it already has it."""
    shape = np.shape(x)
    if np.shape(t) == shape:
        return t
    return np.broadcast_to(t, shape).copy()


def jac_col(J, j, t):
    """J with its j-th column (the tangent of the output for input basis vector j) set to
    `t`; returns J (a scalar Jacobian is returned as the new value)."""
    if np.ndim(J) == 0:
        return _jac_scalar(J, t)
    m = int(np.size(t))
    J.reshape(m, -1)[:, j] = np.ravel(t)
    return J


def _jac_view(ct, n, by_row):
    """ct (a Jacobian's cotangent) as a matrix whose rows (by_row) or columns hold the
    entries jac_row/jac_col set: m = n elements each."""
    flat = np.asarray(ct).reshape(-1)
    return flat.reshape(-1, n) if by_row else flat.reshape(n, -1)


def jac_row_zero(ct, i, g):
    """The cotangent of the J that `jac_row(J, i, g)` received: ct with row i zeroed."""
    if np.ndim(ct) == 0:
        return 0.0
    out = np.array(ct, dtype=np.result_type(ct, 0.0))
    _jac_view(out, int(np.size(g)), True)[i, :] = 0.0
    return out


def jac_row_take(ct, i, g):
    """The cotangent of the row `g` that `jac_row(J, i, g)` set: row i of ct, shaped like g."""
    if np.ndim(ct) == 0:
        return ct
    row = _jac_view(ct, int(np.size(g)), True)[i, :].copy()
    return row.reshape(np.shape(g)) if np.ndim(g) else row[0]


def jac_col_zero(ct, j, t):
    """The cotangent of the J that `jac_col(J, j, t)` received: ct with column j zeroed."""
    if np.ndim(ct) == 0:
        return 0.0
    out = np.array(ct, dtype=np.result_type(ct, 0.0))
    _jac_view(out, int(np.size(t)), False)[:, j] = 0.0
    return out


def jac_col_take(ct, j, t):
    """The cotangent of the column `t` that `jac_col(J, j, t)` set, shaped like t."""
    if np.ndim(ct) == 0:
        return ct
    col = _jac_view(ct, int(np.size(t)), False)[:, j].copy()
    return col.reshape(np.shape(t)) if np.ndim(t) else col[0]


def astype(x, dtype):
    """`x.astype(dtype)` (arrays) / `dtype(x)` (scalars): the array method as a function, so
    that it has derivative rules (a float cast passes derivatives, an integer cast stops them)."""
    if np.ndim(x):
        return np.asarray(x).astype(dtype)
    return np.dtype(dtype).type(x)


def item(a):
    """`a.item()`: the one element of a size-1 array (or a scalar), as a scalar; like NumPy,
    a ValueError for any other size."""
    return np.asarray(a).item()


def astype_tangent(t, ans):
    """The tangent of `ans = astype(x, dtype)` for x's tangent t: cast like ans, or zero when
    ans is not floating point."""
    if not np.issubdtype(np.result_type(ans), np.inexact):
        return zeros_like(ans)
    return np.asarray(t).astype(np.result_type(ans)) if np.ndim(t) else np.result_type(ans).type(t)


def astype_grad(g, x, ans):
    """The cotangent of x in `ans = astype(x, dtype)`: g cast back to x's type, or zero."""
    if not np.issubdtype(np.result_type(ans), np.inexact):
        return zeros_like(x)
    kind = np.result_type(x) if np.issubdtype(np.result_type(x), np.inexact) else np.float64
    if np.iscomplexobj(g) and not np.issubdtype(kind, np.complexfloating):
        g = np.real(g)  # a real x of a complex cast: the real part (as real_for)
    return np.asarray(g).astype(kind) if np.ndim(g) else kind.type(g) if hasattr(kind, "type") else float(g)


def batch_alloc(r, n):
    """An uninitialized batch of `n` values like `r` (vmap's output), batch axis first."""
    return np.empty((n,) + np.shape(r), np.result_type(r))


def batch_set(o, b, r):
    """`o[b] = r` for vmap's output batch `o`; returns o -- promoted to a wider dtype when
    example b's result needs it (`x if x > 0 else 0` gives ints and floats in Python)."""
    dtype = np.result_type(o, r) if np.ndim(r) else np.result_type(o.dtype, type(r) if not isinstance(r, np.generic)
                                                                    else r.dtype)
    if dtype != o.dtype:
        o = o.astype(dtype)
    o[b] = r
    return o


def move_batch_axis(o, ax):
    """`o` with its batch axis (0) moved to position `ax` (vmap's out_axes)."""
    return np.ascontiguousarray(np.moveaxis(o, 0, ax))


def unreduce(ct, x, axis=None):
    """Expand `ct`, the cotangent of a reduction of `x` over `axis` (keepdims or not: told
    apart by ct's number of dimensions), back to x's shape (a fresh array)."""
    shape = np.shape(x)
    if not shape:
        return ct
    if axis is not None and np.ndim(ct) < len(shape):
        ct = np.expand_dims(ct, axis)
    return np.broadcast_to(ct, shape).copy()


def reduce_to(ct, x, axis=None):
    """Sum `ct` over `axis` to the shape of `x`, a reduction's result (the transpose of
    `unreduce`)."""
    if np.ndim(x) == 0:
        return np.sum(ct)
    return np.sum(ct, axis=axis, keepdims=np.ndim(x) == np.ndim(ct))


def zeros_like(x):
    """A zero adjoint for `x`: 0.0 (or 0j) for scalars; for arrays zeros of x's shape, of
    x's dtype when it is inexact (float32, complex) and float64 otherwise."""
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, x.dtype if x.dtype.kind in "fc" else np.float64)
    if isinstance(x, tuple):
        return tuple(zeros_like(v) for v in x)
    if isinstance(x, list):
        return [zeros_like(v) for v in x]
    return 0j if isinstance(x, (complex, np.complexfloating)) else 0.0


def _basic_index(i):
    if isinstance(i, tuple):
        return all(_basic_index(j) for j in i)
    return i is None or i is Ellipsis or isinstance(i, slice) or (
        isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)))


def add_at(a, idx, v):
    """`a[idx] += v` in place, accumulating repeated integer-array indices like `np.add.at`;
    returns `a`. `idx`: int, slice, tuple of those, integer array, boolean mask. A complex v
    into a real a adds its real part (an adjoint that went through complex values, as real_for)."""
    if np.iscomplexobj(v) and not np.iscomplexobj(a):
        v = np.real(v)
    if _basic_index(idx):
        a[idx] += v
    else:
        np.add.at(a, idx, v)
    return a


def copy_value(v):
    """A copy of an array (to save a value about to be overwritten); scalars as they are."""
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, list):
        return [copy_value(e) for e in v]
    return v


def range_len(start, stop, step):
    """len(range(start, stop, step)), in integer arithmetic numba compiles."""
    if step > 0:
        n = (stop - start + step - 1) // step
    else:
        n = (start - stop - step - 1) // (-step)
    return max(n, 0)


# ------------------------------------------------------------------- used by templates
def inside(x, lo=None, hi=None):
    """1.0 where lo <= x <= hi (inclusive; a None bound is no bound), else 0.0."""
    r = 1.0
    if lo is not None:
        r = r * (x >= lo)
    if hi is not None:
        r = r * (x <= hi)
    return r


def log_or_zero(x):
    """log(x), with 0 where x == 0 and nan where x < 0, without warnings (d x**y / dy)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, np.log(x))[()]


def matmul_vjp1(ct, x1, x2):
    """Contribution to x1 of `x1 @ x2` (1-d operands and broadcast batch dims included)."""
    if np.ndim(x2) == 1:
        return ct * x2 if np.ndim(x1) == 1 else unbroadcast(np.expand_dims(ct, -1) * x2, x1)
    if np.ndim(x1) == 1:
        return unbroadcast((x2 @ np.expand_dims(ct, -1))[..., 0], x1)
    return unbroadcast(ct @ np.swapaxes(x2, -1, -2), x1)


def matmul_vjp2(ct, x1, x2):
    """Contribution to x2 of `x1 @ x2`."""
    if np.ndim(x1) == 1:
        return ct * x1 if np.ndim(x2) == 1 else unbroadcast(np.expand_dims(x1, -1) * np.expand_dims(ct, -2), x2)
    if np.ndim(x2) == 1:
        return unbroadcast((np.swapaxes(x1, -1, -2) @ np.expand_dims(ct, -1))[..., 0], x2)
    return unbroadcast(np.swapaxes(x1, -1, -2) @ ct, x2)


def _tensordot_axes(a, b, axes):
    if a.ndim == 0 or b.ndim == 0:  # np.inner / np.dot of a scalar: a product, nothing contracted
        return [], []
    if np.ndim(axes) == 0:
        return list(range(a.ndim - axes, a.ndim)), list(range(axes))
    xa, xb = (np.atleast_1d(ax) for ax in axes)
    return [int(i) % a.ndim for i in xa], [int(j) % b.ndim for j in xb]


def tensordot_vjp1(ct, a, b, axes=2):
    """Contribution to a of `np.tensordot(a, b, axes)` (NumPy only)."""
    a, b = np.asarray(a), np.asarray(b)
    xa, xb = _tensordot_axes(a, b, axes)
    fa = [i for i in range(a.ndim) if i not in xa]
    fb = [j for j in range(b.ndim) if j not in xb]
    r = np.tensordot(ct, b, (list(range(len(fa), np.ndim(ct))), fb))
    return np.transpose(r, np.argsort(fa + [xa[xb.index(j)] for j in sorted(xb)]))


def tensordot_vjp2(ct, a, b, axes=2):
    """Contribution to b of `np.tensordot(a, b, axes)` (NumPy only)."""
    a, b = np.asarray(a), np.asarray(b)
    xa, xb = _tensordot_axes(a, b, axes)
    fa = [i for i in range(a.ndim) if i not in xa]
    fb = [j for j in range(b.ndim) if j not in xb]
    r = np.tensordot(a, ct, (fa, list(range(len(fa)))))
    return np.transpose(r, np.argsort([xb[xa.index(i)] for i in sorted(xa)] + fb))


def _dot_axes(x1, x2):
    return [np.ndim(x1) - 1], [max(np.ndim(x2) - 2, 0)]


def dot_vjp1(ct, x1, x2):
    """Contribution to x1 of `np.dot(x1, x2)` (a scalar operand: multiplication)."""
    if np.ndim(x1) == 0 or np.ndim(x2) == 0:
        return unbroadcast(ct * x2, x1)
    return tensordot_vjp1(ct, x1, x2, _dot_axes(x1, x2))


def dot_vjp2(ct, x1, x2):
    """Contribution to x2 of `np.dot(x1, x2)`."""
    if np.ndim(x1) == 0 or np.ndim(x2) == 0:
        return unbroadcast(ct * x1, x2)
    return tensordot_vjp2(ct, x1, x2, _dot_axes(x1, x2))


def transpose_last(x):
    """x with its last two axes swapped (x.T for a matrix)."""
    return np.swapaxes(x, -1, -2)


def prod_partials(x, axis=None):
    """d prod(x, axis) / dx elementwise: the product of the other elements of the slice
    (exact when x has zeros)."""
    z = x == 0
    nz = unreduce(np.sum(z, axis), x, axis)
    nonzero = np.where(z, 1.0, x)
    p = unreduce(np.prod(nonzero, axis), x, axis)
    return np.where(nz == 0, p / nonzero, np.where(z & (nz == 1), p, 0.0))


def uncumsum(ct, x, axis=None):
    """Contribution to x of `np.cumsum(x, axis)`: the reversed cumulative sum of ct."""
    if axis is None:
        return np.cumsum(np.ravel(ct)[::-1])[::-1].reshape(np.shape(x))
    return np.flip(np.cumsum(np.flip(ct, axis), axis), axis)


def _pnorm_grad(x, n, p, axis):
    # d ||x||_p / dx for vector norms (n: the norm broadcast to x's shape)
    if p == 2:
        return x / n
    if p == 0:
        return x * 0.0
    if math.isinf(p):
        m = (np.abs(x) == n) * 1.0  # ties split equally, as for max
        return np.sign(x) * m / unreduce(np.sum(m, axis), x, axis)
    return np.sign(x) * (np.abs(x) / n) ** (p - 1)


def norm_grad(x, ans, ord=None, axis=None):
    """d np.linalg.norm(x, ord, axis) / dx, shaped like x: vector p-norms (inf, -inf, 0
    included), and NumPy's matrix norms (None/'fro', 'nuc', 1, -1, 2, -2, inf, -inf) over
    the last two axes or a pair of axes."""
    x = np.asarray(x)
    n = unreduce(ans, x, axis)
    vector = x.ndim == 1 if axis is None else np.ndim(axis) == 0 or len(axis) == 1
    if ord is None or (isinstance(ord, str) and ord == "fro"):
        return x / n
    if vector:
        return _pnorm_grad(x, n, ord, axis)
    if x.ndim >= 2 and (ord == "nuc" or ord in (1, -1, 2, -2) or isinstance(ord, float) and math.isinf(ord)):
        return _matrix_norm_grad(x, ord, axis)
    raise DerivativeUnavailable(f"np.linalg.norm of a matrix with ord={ord!r} has no derivative rule: NumPy's "
                                "matrix norms are ord None, 'fro', 'nuc', 1, -1, 2, -2, inf and -inf")


def _matrix_norm_grad(x, ord, axis):
    """d norm / dx of the matrix norms other than Frobenius, over the two axes `axis` (the last
    two when None): 'nuc' U V^T; 2 / -2 the outer product of the largest / smallest singular
    value's vectors; 1 / -1 (inf / -inf) sign(x) in the column (row) whose absolute sum is the
    largest / smallest. Where singular values or sums tie the derivative does not exist:
    this is the one of the first (as argmax picks)."""
    r, c = (x.ndim - 2, x.ndim - 1) if axis is None else (axis[0] % x.ndim, axis[1] % x.ndim)
    m = np.moveaxis(x, (r, c), (-2, -1))
    if ord == "nuc" or ord in (2, -2):
        u, _, vt = np.linalg.svd(m, full_matrices=False)
        if ord in (2, -2):
            k = 0 if ord == 2 else vt.shape[-2] - 1
            u, vt = u[..., :, k:k + 1], vt[..., k:k + 1, :]
        g = u @ vt
    else:
        along = -2 if ord in (1, -1) else -1  # 1: the sum over rows of each column
        sums = np.sum(np.abs(m), axis=along)
        pick = np.argmax(sums, axis=-1) if ord > 0 else np.argmin(sums, axis=-1)
        one = np.arange(sums.shape[-1]) == np.expand_dims(pick, -1)
        g = np.sign(m) * np.expand_dims(one, along)
    return np.moveaxis(g, (-2, -1), (r, c))


def untrace(ct, a, offset=0, axis1=0, axis2=1):
    """Contribution to a of `np.trace(a, offset, axis1, axis2)`."""
    shape = np.shape(a)
    a1, a2 = axis1 % len(shape), axis2 % len(shape)
    full = np.expand_dims(ct, (-2, -1)) * np.eye(shape[a1], shape[a2], offset)
    return np.moveaxis(full, (-2, -1), (a1, a2))


def undiag(ct, v, k=0):
    """Contribution to v of `np.diag(v, k)` (v 1-d: extract; v 2-d: place on a diagonal)."""
    if np.ndim(v) == 1:
        return np.diag(ct, k)
    out = np.zeros(np.shape(v), np.result_type(ct))
    i = np.arange(len(ct))
    out[i + max(-k, 0), i + max(k, 0)] = ct
    return out


def reshape_to(ct, x, order="C"):
    """`ct` reshaped to x's shape (a scalar for a scalar x): adjoint of reshape, ravel,
    expand_dims, squeeze."""
    r = np.reshape(ct, np.shape(x), order=order)
    return r[()] if r.ndim == 0 else r


def untranspose(ct, axes=None):
    """Contribution to a of `np.transpose(a, axes)`."""
    if axes is None:
        return np.transpose(ct)
    return np.transpose(ct, np.argsort([ax % np.ndim(ct) for ax in axes]))


def swap_axes(ct, axis1, axis2):
    """`np.swapaxes(ct, axis1, axis2)` (its own adjoint), compiled as a copy loop by numba."""
    return np.swapaxes(ct, axis1, axis2)


def unmoveaxis(ct, source, destination):
    """Contribution to a of `np.moveaxis(a, source, destination)`."""
    return np.moveaxis(ct, destination, source)


def unflip(ct, axis=None):
    """Contribution to m of `np.flip(m, axis)`."""
    return np.flip(ct, axis)


def unroll(ct, shift=0, axis=None):
    """Contribution to a of `np.roll(a, shift, axis)`."""
    return np.roll(ct, np.negative(shift), axis)


def _like_sequence(parts, seq):
    """The contributions to the elements of `seq`: a tuple, or -- `seq` one array whose rows
    are the elements (`np.vstack(a)`) -- an array of its shape."""
    if isinstance(seq, np.ndarray):
        return np.stack([np.asarray(p) for p in parts]).reshape(seq.shape) if len(parts) else np.zeros(seq.shape)
    return tuple(parts)


def unconcatenate(ct, arrays, axis=0):
    """One contribution per element of `arrays` for `np.concatenate(arrays, axis)`."""
    if axis is None:
        parts = np.split(np.ravel(ct), np.cumsum([np.size(a) for a in arrays])[:-1])
        return _like_sequence([reshape_to(p, a) for p, a in zip(parts, arrays)], arrays)
    return _like_sequence(np.split(ct, np.cumsum([np.shape(a)[axis] for a in arrays])[:-1], axis), arrays)


def unhstack(ct, tup):
    """One contribution per element of `tup` for `np.hstack(tup)`."""
    parts = unconcatenate(ct, [np.atleast_1d(t) for t in tup], 0 if np.ndim(tup[0]) <= 1 else 1)
    return _like_sequence([reshape_to(p, t) for p, t in zip(parts, tup)], tup)


def unvstack(ct, tup):
    """One contribution per element of `tup` for `np.vstack(tup)`."""
    parts = unconcatenate(ct, [np.atleast_2d(t) for t in tup], 0)
    return _like_sequence([reshape_to(p, t) for p, t in zip(parts, tup)], tup)


def unsum(ct, items):
    """One contribution per element of `items` for the builtin `sum(items)`: ct, summed back
    to each element's shape (the elements broadcast against each other). `sum` of an array
    adds its rows: each row gets ct."""
    if isinstance(items, np.ndarray):
        return np.zeros(items.shape) + ct
    return tuple(unbroadcast(ct, e) for e in items)


def sum_of(items):
    """The builtin sum of a tuple of numbers or arrays (broadcasting), or of an array's rows,
    for derivative code."""
    if isinstance(items, np.ndarray):
        return np.sum(items, axis=0)
    total = items[0]
    for e in items[1:]:
        total = total + e
    return total


def unstack(ct, arrays, axis=0):
    """One contribution per element of `arrays` for `np.stack(arrays, axis)`."""
    return _like_sequence(list(np.moveaxis(ct, axis, 0)), arrays)


def untile(ct, A, reps=1):
    """Contribution to A of `np.tile(A, reps)` (NumPy only)."""
    shape, reps = np.shape(A), tuple(np.atleast_1d(reps))
    d = max(len(shape), len(reps))
    s, r = (1,) * (d - len(shape)) + shape, (1,) * (d - len(reps)) + reps
    g = np.reshape(ct, [n for pair in zip(r, s) for n in pair])
    return reshape_to(np.sum(g, axis=tuple(range(0, 2 * d, 2))), A)


def unrepeat(ct, a, repeats=1, axis=None):
    """Contribution to a of `np.repeat(a, repeats, axis)`."""
    shape = np.shape(a)
    ax = 0 if axis is None else axis % len(shape)
    moved = np.ravel(ct) if axis is None else np.moveaxis(ct, ax, 0)
    n = int(np.prod(shape)) if axis is None else shape[ax]
    out = np.zeros((n,) + moved.shape[1:], np.result_type(ct))
    np.add.at(out, np.repeat(np.arange(n), repeats), moved)
    return reshape_to(out if axis is None else np.moveaxis(out, 0, ax), a)


def unsort(ct, a, axis=-1):
    """Contribution to `a` of `np.sort(a, axis)`: each sorted position's cotangent goes back
    to where its element came from (ties in the order a stable sort gives them)."""
    if axis is None:
        flat = np.zeros(np.size(a), np.result_type(ct, 0.0))
        flat[np.argsort(a, axis=None, kind="stable")] = np.ravel(ct)
        return flat.reshape(np.shape(a))
    out = np.zeros(np.shape(a), np.result_type(ct, 0.0))
    np.put_along_axis(out, np.argsort(a, axis=axis, kind="stable"), ct, axis)
    return out


def resort(ct, a, axis=-1):
    """`ct` (shaped like `a`) in the order `np.sort(a, axis)` puts `a`: the transpose of
    `unsort`, so derivative code with a sort can be differentiated again."""
    if axis is None:
        return np.ravel(ct)[np.argsort(a, axis=None, kind="stable")]
    return np.take_along_axis(np.asarray(ct), np.argsort(a, axis=axis, kind="stable"), axis)


def untake(ct, a, indices=0, axis=None):
    """Contribution to a of `np.take(a, indices, axis)` (scatter-add, repeats accumulate)."""
    out = np.zeros(np.shape(a), np.result_type(ct, np.float64))
    if axis is None:
        np.add.at(out.reshape(-1), indices, ct)
    else:
        ax, ni = axis % out.ndim, np.ndim(indices)
        np.add.at(np.moveaxis(out, ax, 0), indices, np.moveaxis(ct, tuple(range(ax, ax + ni)), tuple(range(ni))))
    return out


# s2s-runtime-end: the rest imports the other runtime files (`s2s dump -o` copies them instead)
from .runtime_partials import (  # noqa: F401,E402  -- the helpers of second derivatives
    eye_rows,
    from_rows,
    norm_grad_dx,
    norm_grad_partial,
    off_diag,
    off_diag_sum,
    prod_pairs,
    to_rows,
)

# The helpers of the other rule families, one file each (each lists its helpers in __all__).
from .runtime_einsum import *  # noqa: F401,F403,E402  -- np.einsum's contributions
from .runtime_layout import *  # noqa: F401,F403,E402  -- triangles, diagonals, padding, splits
from .runtime_stats import *  # noqa: F401,F403,E402  -- running products, differences, averages
from .runtime_linalg import *  # noqa: F401,F403,E402  -- matrix decompositions
from .runtime_containers import *  # noqa: F401,F403,E402  -- lists built in place, tuples, stores
from .runtime_fft import *  # noqa: F401,F403,E402  -- numpy.fft's transforms and transposes
from .runtime_jit import *  # noqa: F401,F403,E402  -- what jit's passes call: reductions along an axis, ...
from .runtime_bessel import *  # noqa: F401,F403,E402  -- I1, np.i0's derivative
from .runtime_special import no_derivative  # noqa: F401,E402  -- (np.interp's rules too; plain NumPy)

try:
    import numba as _numba  # noqa: F401,E402
except ImportError:  # the pure-NumPy path needs no numba
    _numba = None
if _numba is not None:  # the numba implementations, registered on import (an error in them is not hidden)
    from . import runtime_numba, runtime_numba_shape  # noqa: F401,E402  s2s-runtime-numba
    from . import runtime_numba_einsum, runtime_numba_layout, runtime_numba_linalg, runtime_numba_lists, runtime_numba_stats  # noqa: F401,E402
    from . import runtime_numba_axes, runtime_numba_norms, runtime_numba_numpy, runtime_numba_stacked  # noqa: F401,E402
    from . import runtime_numba_bessel, runtime_numba_fft, runtime_numba_jit, runtime_numba_operands  # noqa: F401,E402
# (scipy.special's numba forms, runtime_numba_special.py, load with its rules: rules.load_scipy_rules)
