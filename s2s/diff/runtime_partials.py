"""Helpers with which the derivatives of `np.prod` and `np.linalg.norm` are differentiated
again (second and higher derivatives), called by the rules of `prod_partials` and
`norm_grad` (s2s/diff/rules/partials.py, jvp_partials.py) and by their own rules, so that
every order closes over the helpers of this file:

- `prod_pairs(x, t, axis)`: the derivative of `prod_partials` along `t`. Its own derivative
  in `x` is written with `prod_pairs` of the rows "x with element i set to 1"
  (`off_diag(to_rows(x)) + eye_rows(...)`), so third and higher derivatives of a product are
  exact with zeros too, at a cost of one more factor of the slice length per order.
- `norm_grad_partial(x, ans, ord, axis, kx, kn)`: the partial derivatives of `norm_grad`,
  x and the norm `ans` taken as independent inputs (kx times in x, kn times in ans),
  elementwise for the vector and Frobenius norms: a closed family (the rule of order
  (kx, kn) calls orders (kx + 1, kn) and (kx, kn + 1)).
- `norm_grad_dx(x, ans, t, ord, axis)`: the derivative of `norm_grad` in x along t (the
  nuclear norm's is not elementwise: the derivative of the polar factor U V^T).

Part of the runtime (`s2s.diff.runtime` re-exports every helper here; `s2s dump -o` copies
this file after it), so self-contained like it: math, NumPy and the runtime's helpers.
"""
import math

import numpy as np

from .runtime import (  # s2s-runtime-import
    DerivativeUnavailable,
    _pnorm_grad,
    norm_grad,
    unreduce,
)  # s2s-runtime-import


# ------------------------------------------------------------------------------- prod
def prod_pairs(x, t, axis=None):
    """The derivative of `prod_partials(x, axis)` along t: over each slice,
    `sum_{k != i} t_k * prod_{j not in (i, k)} x_j` at position i. A symmetric linear map of
    t (its own transpose); exact when the slice has zeros (only up to two of them count),
    accurate when it has tiny elements (no leave-one-out by subtracting the largest term)."""
    xs, ts = to_rows(x, axis), to_rows(np.broadcast_to(t, np.shape(x)), axis)
    z = xs == 0
    nz = np.sum(z, -1, keepdims=True)
    y = np.where(z, 1.0, xs)
    p = np.prod(y, -1, keepdims=True)  # the product of the slice's nonzero elements
    r = np.where(z, 0.0, ts / y)
    big = np.arange(r.shape[-1]) == np.argmax(np.abs(r), -1)[:, None]  # the largest t_k / x_k
    r_big = np.sum(np.where(big, r, 0.0), -1, keepdims=True)
    rest = np.sum(np.where(big, 0.0, r), -1, keepdims=True)  # the sum of the others
    others = np.where(big, rest, (rest - r) + r_big)  # sum_{k != i} t_k / x_k
    tz = np.sum(np.where(z, ts, 0.0), -1, keepdims=True)  # sum of t_k, x_k == 0
    at_nonzero = np.where(nz == 0, others, np.where(nz == 1, tz, 0.0)) * (p / y)
    at_zero = np.where(nz == 1, rest + r_big, np.where(nz == 2, tz - ts, 0.0)) * p
    return from_rows(np.where(z, at_zero, at_nonzero), x, axis)


def _row_axes(ndim, axis):
    """(kept axes, reduced axes) of a reduction over `axis` of an ndim-dimensional array."""
    if axis is None:
        return (), tuple(range(ndim))
    red = tuple(sorted(int(a) % ndim for a in np.atleast_1d(axis)))
    return tuple(a for a in range(ndim) if a not in red), red


def to_rows(x, axis=None):
    """x as a matrix with one row per slice of a reduction over `axis` (the reduced axes
    moved last and flattened): shape (number of slices, slice length)."""
    x = np.asarray(x)
    kept, red = _row_axes(x.ndim, axis)
    n = int(np.prod([x.shape[a] for a in red]))
    return np.transpose(x, kept + red).reshape(-1, n)


def from_rows(r, x, axis=None):
    """The inverse (and transpose) of `to_rows(x, axis)`: the rows `r` back in x's shape."""
    shape = np.shape(x)
    kept, red = _row_axes(len(shape), axis)
    moved = np.reshape(r, tuple(shape[a] for a in kept + red))
    return np.transpose(moved, np.argsort(kept + red))[()]


def off_diag(r):
    """(m, n) -> (m, n, n): out[b, i, k] = r[b, k] for k != i, 0 on the diagonal (row b
    repeated, its i-th element dropped from the i-th copy)."""
    r = np.asarray(r)
    n = r.shape[-1]
    return np.expand_dims(r, -2) * (1.0 - np.eye(n))


def off_diag_sum(c):
    """The transpose of `off_diag`: (m, n, n) -> (m, n), summing over the copies i."""
    n = np.shape(c)[-1]
    return np.sum(c * (1.0 - np.eye(n)), -2)


def eye_rows(r):
    """The n-by-n identity for rows `r` of length n (a constant)."""
    return np.eye(np.shape(r)[-1])


# ------------------------------------------------------------------------------- norm
def _falling(c, k):
    """c (c - 1) ... (c - k + 1), 1 for k = 0."""
    out = 1.0
    for i in range(k):
        out = out * (c - i)
    return out


def _pnorm_partial(x, n, p, kx, kn, axis):
    # d^kx/dx^kx d^kn/dn^kn of sign(x) |x|^(p-1) n^(1-p), elementwise (n: the norm broadcast
    # to x's shape). At x = 0: the polynomial's derivative for odd integers p - 1 (p = 2), 0
    # where the derivative is continuous or at a kink, nan where it is infinite.
    if kx + kn == 0:
        return _pnorm_grad(x, n, p, axis)
    if p == 0 or math.isinf(p):
        return x * 0.0  # piecewise constant in x and n
    c = p - 1.0
    scale = _falling(c, kx) * _falling(-c, kn) * n ** (-c - kn)
    ax = np.abs(x)
    away = np.sign(x) ** (kx + 1) * np.where(ax == 0, 1.0, ax) ** (c - kx) * scale
    whole = c == math.floor(c)
    if c > kx or (whole and not (c == kx and c % 2 == 1)):
        at_zero = 0.0
    elif whole:
        at_zero = 1.0
    else:
        at_zero = math.nan
    return np.where(x == 0, scale * at_zero, away)


def _nuclear(ord):
    return isinstance(ord, str) and ord == "nuc"


def _matrix_ord(x, ord, axis):
    """A matrix norm other than Frobenius ('nuc', 1, -1, 2, -2, inf, -inf)."""
    pair = axis is None and np.ndim(x) >= 2 or axis is not None and np.ndim(axis) == 1 and len(axis) == 2
    return pair and ord is not None and not (isinstance(ord, str) and ord == "fro")


def _matrices(x, axis):
    """x's matrices over `axis` (the last two when None) as an (n, r, c) stack, and the
    function putting such a stack back in x's layout."""
    r, c = (x.ndim - 2, x.ndim - 1) if axis is None else (axis[0] % x.ndim, axis[1] % x.ndim)
    m = np.moveaxis(x, (r, c), (-2, -1))
    shape = m.shape
    return m.reshape((-1,) + shape[-2:]), lambda s: np.moveaxis(s.reshape(shape), (-2, -1), (r, c))


def norm_grad_partial(x, ans, ord=None, axis=None, kx=0, kn=0):
    """The partial derivative of `norm_grad(x, ans, ord, axis)` kx times in x and kn times in
    ans (taken as independent), shaped like x: elementwise for the vector p-norms and the
    Frobenius norm. The nuclear norm's gradient does not depend on ans (kx = 0: zeros); its
    derivatives in x are not elementwise (`norm_grad_dx`)."""
    x = np.asarray(x)
    if kx == 0 and kn == 0:
        return norm_grad(x, ans, ord, axis)
    if _nuclear(ord):
        if kx == 0:
            return np.zeros(x.shape)
        raise DerivativeUnavailable("third and higher derivatives of the nuclear norm (ord='nuc') have no rule: "
                                    "differentiate it at most twice, or use ord='fro'")
    if _matrix_ord(x, ord, axis):
        if kx == 0 or ord not in (2, -2):  # independent of ans; 1 and inf: piecewise constant in x
            return np.zeros(x.shape)
        raise DerivativeUnavailable(f"second derivatives of the matrix norm ord={ord!r} have no rule: use "
                                    "ord='fro' or 'nuc'")
    p = 2.0 if ord is None or ord == "fro" else float(ord)
    return _pnorm_partial(x, unreduce(ans, x, axis), p, kx, kn, axis)


def _polar_tangent(a, t):
    """The derivative of the polar factor U V^T of a = U S V^T (thin SVD, full rank) along t."""
    if a.shape[0] < a.shape[1]:
        return _polar_tangent(a.T, np.transpose(t)).T
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    k = u.T @ t @ vt.T
    inside = u @ ((k - k.T) / (s[:, None] + s[None, :])) @ vt
    return inside + (t - u @ (u.T @ t)) @ (vt.T / s) @ vt


def norm_grad_dx(x, ans, t, ord=None, axis=None):
    """The derivative of `norm_grad(x, ans, ord, axis)` in x (ans held) along t, linear in t
    and symmetric: `norm_grad_partial(..., 1, 0) * t` for the vector and Frobenius norms,
    the derivative of the polar factor for 'nuc' (a full-rank matrix)."""
    if _nuclear(ord):
        x = np.asarray(x)
        if x.ndim == 2 and axis is None:
            return _polar_tangent(x, t)
        xs, back = _matrices(x, axis)
        ts, _ = _matrices(np.broadcast_to(t, x.shape), axis)
        return back(np.stack([_polar_tangent(a, b) for a, b in zip(xs, ts)]))
    return norm_grad_partial(x, ans, ord, axis, 1, 0) * t
