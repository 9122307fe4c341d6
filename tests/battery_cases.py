"""An independent battery of plain NumPy functions for forward mode (jvp / jacfwd / hessian)
and its agreement with reverse mode (tests/diff/test_battery.py).

In the style of Autograd's tests/test_numpy.py and test_systematic.py, JAX's api_test.py and
Tangent's tests/functions.py: ordinary functions a user writes, nothing s2s-specific, each
with a seeded argument factory. Different functions from tests/corpus.py.

Conventions
-----------
* `args_factory(rng)` returns a tuple of float64 arrays and Python floats (positive where a
  function needs it). Shapes are small: Jacobians and Hessians are built column by column.
* Inputs are kept away from kinks (abs at 0, ties in max, clip bounds, floor steps) far
  enough that central differences with eps=1e-6 are valid.
* No function mutates its arguments; in-place updates happen on a `.copy()`.
* `out` says what the function returns: "scalar" (one float: grad/hessian apply), "array",
  "tuple" or "dict".
* `compiled` puts the case in the (slow: numba) subset for `jit(jacfwd(f))`: True for its
  first float argument, or a tuple of argnums.
* Cases named `lim_*` use something s2s refuses with a clear error (the test file lists
  which); cases whose comment says "BUG" exercise a bug of s2s found by this battery.
"""
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable
    args_factory: Callable
    out: str  # "scalar", "array", "tuple", "dict"
    compiled: object = False  # False, True (every float argument) or a tuple of argnums

    def args(self, seed=0):
        return self.args_factory(np.random.default_rng(seed))

    def float_argnums(self):
        return tuple(i for i, a in enumerate(self.args()) if not isinstance(a, (int, np.integer)))

    def compiled_argnums(self):
        if self.compiled is True:
            return self.float_argnums()[:1]
        return tuple(self.compiled or ())

    def __repr__(self):
        return f"Case({self.name})"


CASES = []


def case(args_factory, out, compiled=False):
    def register(fn):
        CASES.append(Case(fn.__name__, fn, args_factory, out, compiled))
        return fn

    return register


# -- argument factories ------------------------------------------------------------------
def vec(n=5, lo=None, hi=None):
    if lo is None:
        return lambda rng: (rng.standard_normal(n),)
    return lambda rng: (rng.uniform(lo, hi, n),)


def mat(m=3, n=4, lo=None, hi=None):
    if lo is None:
        return lambda rng: (rng.standard_normal((m, n)),)
    return lambda rng: (rng.uniform(lo, hi, (m, n)),)


def two_vecs(n=5):
    return lambda rng: (rng.standard_normal(n), rng.standard_normal(n))


def scalars(k, lo=0.5, hi=1.5):
    return lambda rng: tuple(float(rng.uniform(lo, hi)) for _ in range(k))


def well_conditioned(n=3):
    return lambda rng: (3.0 * np.eye(n) + 0.5 * rng.standard_normal((n, n)),)


# =========================================================================================
# elementwise functions and operators
# =========================================================================================
@case(vec(6, -0.9, 0.9), "array")
def ew_trig(x):
    return np.sin(x) + np.cos(2.0 * x) * np.tan(x) + np.arcsin(x) - np.arccos(x) * np.arctan(3.0 * x)


@case(vec(6), "array")
def ew_hyperbolic(x):
    return np.sinh(x) * np.cosh(0.5 * x) - np.tanh(x) ** 2


@case(vec(6, 0.3, 2.0), "array", compiled=True)
def ew_exp_log(x):
    a = np.exp(x) - np.expm1(-x) + np.log(x) * np.log1p(x)
    b = np.log2(x) + np.log10(x) + np.sqrt(x) + np.square(x) + np.reciprocal(x)
    return a + b


@case(vec(6), "array")
def ew_sign_ops(x):
    return -x + (+x) * 2.0 + np.negative(x) * np.positive(x) + np.abs(x) * abs(x)


@case(lambda rng: (rng.uniform(0.5, 2.0, 5), rng.uniform(-1.0, 1.0, 5)), "array")
def ew_powers(x, y):
    return x ** 2 + x ** 0.5 + x ** y + 2.0 ** y + np.power(x, 3) + np.power(x, y) + x ** -1.5


@case(vec(5), "scalar")
def ew_pow_named_exponent(x):
    # Forward over forward at x < 0: the exponent, a constant held in a name, is a residual
    # of the inner linearization; its tangent must stay a symbolic zero (0 * log(x) is nan).
    p = 2.0
    return np.sum(x ** p) + np.sum(x ** (p + 1.0))


@case(two_vecs(5), "array")
def ew_binary_funcs(x, y):
    return np.arctan2(y, x) + np.hypot(x, y) + np.logaddexp(x, y) + np.maximum(x, y) * np.minimum(x, y)


@case(lambda rng: (rng.uniform(-1.0, 1.0, (3, 1)), rng.uniform(0.5, 2.0, (1, 4))), "array")
def bcast_col_row(c, r):
    return c + r - c * r + c / r - r / (c + 2.0) + (c - r) ** 2


@case(lambda rng: (float(rng.uniform(0.5, 1.5)), rng.standard_normal(4)), "array")
def bcast_scalar_vector(a, v):
    return a * v + v / a - a ** 2 * v + (a - v) + 1.0 / (a + v * v)


@case(lambda rng: (rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((3, 1))), "array")
def bcast_matrix_vector(M, v, c):
    return M * v + c - M / (1.0 + v * v) * c + v


@case(lambda rng: (rng.standard_normal((2, 1, 3)), rng.standard_normal((4, 1))), "array")
def bcast_3d(T, c):
    return np.tanh(T * c + T - c)


@case(lambda rng: (rng.uniform(1.0, 2.0, 5), rng.integers(0, 4, 5) + rng.uniform(0.2, 0.8, 5)), "array")
def ew_mod_floordiv(y, q):
    x = q * y
    return x % y + np.fmod(x, y) * (x // y) + np.mod(x, 1.5) + np.floor_divide(x, y) * y


@case(two_vecs(6), "array")
def ew_max_min_clip(x, y):
    return np.maximum(x, y) - np.minimum(x, 0.1) + np.clip(x, -0.5, 0.5) + np.maximum(0.0, y) * x


@case(vec(6), "array")
def ew_nondiff_mix(x):
    # sign / floor / round are piecewise constant: zero derivative.
    return np.sign(x) * x ** 2 + np.floor(x) * x + np.round(3.0 * x) + np.ceil(x)


@case(two_vecs(6), "array")
def ew_where_nested(x, y):
    a = np.where(x > y, x * y, x - y)
    b = np.where(x > 0, np.sqrt(np.abs(x) + 1.0), np.exp(x))
    return np.where(y < 0.0, a, b) + np.where(x > 0.5, 1.0, x)


@case(vec(6), "array")
def ew_methods(x):
    return x.clip(-0.5, 0.7) * 2.0 + x.copy() ** 2 + x.reshape(2, 3).T.ravel() * x


@case(vec(6), "array")
def ew_astype(x):
    # A float cast passes derivatives (an integer cast would stop them).
    return x.astype(np.float64) * 2.0 + x


@case(vec(6), "scalar", compiled=True)
def ew_item(x):
    # x.item() of a size-1 array (runtime.item); x.item(k): the flat element k; A.item(i, j): A[i, j]
    A = np.outer(x[:3], x[3:])
    return np.sum(x[:1] * x[2]).item() * A.item(4) + A.item(0, 2) ** 2 + x.max().item() * np.sin(x[1:2]).item()


# =========================================================================================
# reductions
# =========================================================================================
@case(mat(3, 4), "array", compiled=True)
def red_sum_mean_axis(A):
    return np.sum(A, axis=0) * np.mean(A, axis=1, keepdims=True) + A.sum(axis=1, keepdims=True) - np.mean(A)


@case(mat(3, 4, 0.5, 1.5), "array", compiled=True)
def red_prod(A):
    return np.prod(A, axis=1) + np.prod(A) + A.prod(axis=0)[:3]


@case(mat(3, 4), "array", compiled=True)
def red_max_min(A):
    return np.max(A, axis=0) - np.min(A, axis=1, keepdims=True) + A.max() * A.min(axis=0)


@case(mat(3, 4), "array", compiled=True)
def red_var_std(A):
    return np.var(A, axis=0) + np.std(A, axis=1, keepdims=True) + A.var() - A.std(axis=0)


@case(mat(3, 4), "array")
def red_cumsum(A):
    return np.cumsum(A, axis=1) + np.cumsum(A, axis=0) * A.cumsum(axis=1) + np.cumsum(A).reshape(3, 4)


@case(lambda rng: (rng.standard_normal((2, 3, 4)),), "array")
def red_negative_and_tuple_axis(T):
    return np.sum(T, axis=-1) + np.mean(T ** 2, axis=(0, 2)) + np.max(T, axis=-1)


@case(vec(7), "scalar", compiled=True)
def red_logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


@case(mat(3, 4), "scalar")
def red_methods_scalar(A):
    return A.sum() * A.mean() + A.max() - A.min() + A.std() + A.var()


@case(lambda rng: (rng.uniform(0.5, 1.5, 4), rng.uniform(0.5, 1.5, (2, 3))), "scalar")
def red_prod_scalar(x, A):
    return np.prod(x) + x.prod() * 0.5 + np.sum(np.prod(A, axis=1))


# =========================================================================================
# indexing
# =========================================================================================
@case(mat(4, 5), "array")
def idx_ints_slices(A):
    return A[1:3, ::2] * A[-1, -2] + A[0, 1:4:1][:3] - A[::-1, 2][1:3, None] + A[2][:3]


@case(vec(6), "array", compiled=True)
def idx_fancy_duplicates(x):
    idx = np.array([0, 2, 2, 5, 0])
    return x[idx] * 2.0 + x[[1, 1, 3, 0, 4]] ** 2


@case(vec(8), "scalar")
def idx_bool_mask(x):
    return np.sum(x[x > 0.0] ** 2) + np.sum(x[np.abs(x) < 1.0]) * 3.0


@case(two_vecs(4), "array")
def idx_newaxis_outer(x, y):
    return x[:, None] * y[None, :] + x[:, np.newaxis] - y[np.newaxis] + np.sin(x)[:, None]


@case(mat(3, 4), "array")
def idx_2d_fancy(A):
    d = A[np.arange(3), np.arange(3)]
    return A[[0, 2], :] * A[:, [1, 3]][:2].T[0][:, None] + d[:, None][:2]


@case(lambda rng: (rng.standard_normal((2, 3, 4)),), "array")
def idx_ellipsis(T):
    return T[..., 0] * T[1, ...][:, 1] + T[:, -1, ...][:, 1:4]


@case(mat(3, 4), "scalar", compiled=True)
def idx_loop_elements(A):
    s = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            s = s + A[i, j] * A[i, -1 - j] + A[-1 - i, j] ** 2
    return s


# =========================================================================================
# shape operations
# =========================================================================================
@case(vec(12), "array")
def shp_reshape_transpose(x):
    A = x.reshape(3, 4)
    B = np.reshape(x, (4, 3))
    return A @ B + np.transpose(B) @ A.T + x.reshape(-1, 4)[:, :3] * x.reshape((3, -1))[:, 1:]


@case(two_vecs(4), "array")
def shp_concat_stack(x, y):
    a = np.concatenate([x, y])
    b = np.stack([x, y], axis=1).ravel()
    c = np.hstack((x * y, y))
    d = np.vstack([x, y * 2.0]).ravel()
    e = np.concatenate((np.stack([x, y]), np.stack([y, x])), axis=1).ravel()[:8]
    return a * b + c * d - e


@case(vec(4), "array")
def shp_expand_squeeze(x):
    a = np.expand_dims(x, 0) * np.expand_dims(x, axis=1)
    b = np.squeeze(x[None, :, None])
    c = x[:, None].squeeze(1)
    return a + b * c + np.squeeze(a[:1])


@case(mat(3, 4), "array", compiled=True)
def shp_flip_roll(A):
    return np.flip(A) + np.flip(A, axis=1) * np.roll(A, 2) + np.roll(A, -1, axis=0) + A[::-1, ::-1]


@case(vec(3), "array", compiled=True)
def shp_tile_repeat(x):
    return np.tile(x, 4) + np.repeat(x, 4) * np.tile(x, (2, 2)).ravel()[:12] + np.repeat(x[:, None], 2, axis=1).ravel().sum()


@case(lambda rng: (rng.standard_normal((2, 3, 4)),), "array")
def shp_take_swap_move(T):
    a = np.take(T, [0, 2], axis=1)
    b = np.swapaxes(T, 0, 2)
    c = np.moveaxis(T, 0, -1)
    d = T.transpose(1, 0, 2)
    return a.sum(axis=1) + b.sum(axis=1).T + c.sum(axis=0).T + d[0] * np.take(T, 1, axis=2)[:, :1]


@case(lambda rng: (rng.standard_normal(4), rng.standard_normal((3, 4))), "array")
def shp_broadcast_to(x, A):
    return np.broadcast_to(x, (3, 4)) * A + np.broadcast_to(A[:, :1], (3, 4))


@case(mat(3, 4), "array")
def shp_ravel_flatten(A):
    return A.ravel() * A.flatten() + np.ravel(A.T) + A.reshape(-1)


@case(vec(6), "array")
def shp_array_constructors(x):
    a = np.array([x[0], x[1] * 2.0, 3.0])
    b = np.asarray(x[3:]) * a
    z = np.zeros_like(x) + np.ones_like(x) * x[0]
    return np.concatenate([a + b, z[:3]]) + np.linspace(0.0, 1.0, 6) * np.arange(6) + np.full(6, 2.0) * x


# =========================================================================================
# linear algebra
# =========================================================================================
@case(lambda rng: (rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(4)), "array", compiled=(0,))
def la_dot_matmul(A, B, x):
    return np.dot(A, B) + (A @ x)[:, None] + np.matmul(A, B) * np.dot(x, x) + A.dot(B) * x.dot(x)


@case(two_vecs(4), "array", compiled=(0,))
def la_outer_inner(x, y):
    return np.outer(x, y) + np.inner(x, y) + np.outer(np.sin(x), x)


@case(lambda rng: (rng.standard_normal((3, 4)), rng.standard_normal(4)), "scalar")
def la_einsum_scalar(A, x):
    return np.einsum("i,i->", x, x) ** 2 + np.einsum("ij,j->i", A, x) @ np.einsum("ij->i", A)


@case(lambda rng: (rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(4)), "array")
def la_tensordot_einsum(A, B, x):
    a = np.tensordot(A, B, axes=1)
    b = np.tensordot(A, B, axes=([1], [0]))
    c = np.einsum("ij,jk->ik", A, B)
    d = np.einsum("ij,j->i", A, x)[:, None]
    e = np.einsum("i,i->", x, x)
    return a + b * c + d * e + np.tensordot(x, x, axes=0)[:3, :2]


@case(lambda rng: (rng.standard_normal((3, 3)), rng.standard_normal(3)), "array")
def la_trace_diag(A, x):
    return np.trace(A) * np.diag(A) + np.diag(x) @ A @ x + np.diag(np.diag(A)) @ x + A.trace() * x


@case(well_conditioned(3), "scalar")
def la_det(A):
    return np.linalg.det(A) + np.linalg.det(A @ A.T) * 0.1


@case(well_conditioned(3), "array")
def la_inv(A):
    return np.linalg.inv(A) + np.linalg.inv(A.T @ A) @ A


@case(lambda rng: (3.0 * np.eye(3) + 0.5 * rng.standard_normal((3, 3)), rng.standard_normal(3), rng.standard_normal((3, 2))), "array")
def la_solve(A, b, B):
    x = np.linalg.solve(A, b)
    X = np.linalg.solve(A, B)
    return X * x[:, None] + np.linalg.solve(A.T, X)


@case(lambda rng: (rng.standard_normal(4), rng.standard_normal((3, 4))), "scalar", compiled=(0,))
def la_norms(x, A):
    return np.linalg.norm(x) + np.linalg.norm(A) * 0.5 + np.sum(np.linalg.norm(A, axis=1))


@case(lambda rng: (rng.standard_normal((4, 4)), rng.standard_normal(4)), "scalar", compiled=(1,))
def la_quadratic_form(A, x):
    return x @ A @ x + 0.5 * x @ (A.T @ A) @ x + np.sum(np.tanh(A @ x)) + (x @ x) ** 2


@case(lambda rng: (rng.standard_normal((3, 3)) * 0.5,), "array")
def la_matrix_power_loop(A):
    P = np.eye(3)
    S = np.eye(3)
    for k in range(1, 5):
        P = P @ A / k
        S = S + P
    return S


@case(lambda rng: (rng.standard_normal((5, 3)), rng.standard_normal(5)), "array")
def la_normal_equations(A, b):
    G = A.T @ A + 0.1 * np.eye(3)
    return np.linalg.solve(G, A.T @ b)


# =========================================================================================
# sort
# =========================================================================================
@case(vec(6), "array")
def sort_values(x):
    s = np.sort(x)
    return s * np.arange(1.0, 7.0) + np.sort(x * x)[::-1]


@case(mat(3, 4), "scalar")
def sort_median_axis(A):
    S = np.sort(A, axis=0)
    s = np.sort(A.ravel())
    return np.sum(S[1] * S[2]) + s[5] + s[6]


# =========================================================================================
# math module and builtins on scalars
# =========================================================================================
@case(scalars(2, 0.2, 0.8), "scalar", compiled=True)
def math_module_all(x, y):
    a = math.sin(x) * math.cos(y) + math.tan(x) + math.exp(y) + math.log(x) + math.sqrt(y)
    b = math.atan2(y, x) + math.hypot(x, y) + math.pow(x, y) + math.fabs(x - y) + math.log1p(x)
    c = math.expm1(y) + math.log10(x) + math.log2(y) + math.asin(x) + math.acos(y) + math.atan(x)
    d = math.sinh(x) + math.cosh(y) + math.tanh(x * y) + math.pi * x + math.e * y
    return a + b + c + d


@case(lambda rng: (float(rng.uniform(0.2, 0.6)), float(rng.uniform(-1.5, -0.8)), float(rng.uniform(1.0, 2.0))), "scalar", compiled=(0,))
def builtins_scalars(x, y, z):
    return abs(y) * max(x, z) + min(x, y) - max(y, z) * min(z, 3.0) + float(x) * z ** 3


@case(scalars(3, -1.0, 1.0), "tuple")
def scalar_tuple_out(a, b, c):
    return a * b + c, np.sin(a) * np.cos(b), (a - c) ** 2


# =========================================================================================
# control flow
# =========================================================================================
@case(vec(5), "array", compiled=True)
def cf_if_on_reduction(x):
    if np.sum(x) > 0.0:
        y = np.exp(0.5 * x)
    else:
        y = -x * x
    if x[0] > x[1]:
        y = y * x[0]
    return y


@case(mat(4, 3), "array", compiled=True)
def cf_for_over_rows(A):
    acc = np.zeros(3)
    for row in A:
        acc = acc * 0.5 + np.tanh(row)
    return acc


@case(lambda rng: (rng.uniform(0.5, 1.5, 4), rng.uniform(-0.5, 0.5, 3)), "scalar")
def cf_horner_loop_over_coeffs(c, x):
    s = 0.0
    for xi in x:
        p = 0.0
        for ck in c:
            p = p * xi + ck
        s = s + p
    return s


@case(lambda rng: (float(rng.uniform(0.5, 2.0)),), "scalar", compiled=True)
def cf_while_break_continue(a):
    x = 1.0
    k = 0
    while True:
        k = k + 1
        if k > 50:
            break
        if k % 2 == 0:
            continue
        x = 0.5 * (x + a / x)
        if abs(x * x - a) < 1e-14:
            break
    return x * x + x


@case(vec(6), "scalar", compiled=True)
def cf_early_return_nested(x):
    s = 0.0
    for i in range(x.shape[0]):
        for j in range(i + 1, x.shape[0]):
            s = s + x[i] * x[j]
            if s > 4.0:
                return s * 0.5 + x[j]
    if s < -4.0:
        return -s
    return s + 1.0


def _rec_chain(x, n):
    if n <= 0:
        return x
    return np.sin(_rec_chain(x, n - 1)) + 0.5 * x


@case(vec(4), "array")
def cf_recursion(x):
    return _rec_chain(x, 3) * 2.0


def _smooth_step(x, w):
    return 0.5 * (1.0 + np.tanh(x / w))


def _mix(a, b, t):
    return a * (1.0 - t) + b * t


@case(two_vecs(5), "array")
def cf_helpers(x, y):
    t = _smooth_step(x - y, 0.7)
    return _mix(np.sin(x), np.cos(y), t) + _mix(x, y, _smooth_step(y, 2.0))


def _make_closure(scale, W):
    def model(x):
        h = np.tanh(W @ x) * scale
        return np.sum(h * h) + scale * x[0]

    return model


bat_closure = _make_closure(1.7, np.linspace(-1.0, 1.0, 12).reshape(3, 4))
CASES.append(Case("cf_closure", bat_closure, vec(4), "scalar", True))


@case(lambda rng: (rng.standard_normal(4), float(rng.uniform(0.5, 1.5))), "scalar")
def cf_nested_defs(x, a):
    def outer(v):
        def inner(w, p=2.0):
            return a * w ** p

        return np.sum(inner(v)) + inner(v[0], 3.0)

    return outer(x) + outer(np.sin(x))


@case(vec(6), "array", compiled=True)
def cf_inplace_loop_set(x):
    y = np.zeros(x.shape[0])
    y[0] = x[0]
    for i in range(1, x.shape[0]):
        y[i] = 0.5 * y[i - 1] + x[i] * x[i - 1]
    return y


@case(vec(6), "array")
def cf_inplace_augassign_index(x):
    y = x.copy()
    for i in range(x.shape[0] - 1):
        y[i + 1] += y[i] * 0.5
        y[i] *= x[i]
    y[-1] -= x[0] ** 2
    y[1:3] += np.sin(x[3:5])
    return y


@case(mat(3, 4), "array")
def cf_inplace_2d_rows_cols(A):
    B = A.copy()
    B[0, :] = B[1, :] * B[2, :]
    B[:, 1] += A[:, 0] ** 2
    B[2] = np.exp(A[2] * 0.5)
    B[1:, 2:] *= A[:2, :2]
    return B


@case(vec(6), "array")
def cf_inplace_mask_and_fancy(x):
    y = x.copy()
    y[y < 0.0] = 0.0
    z = x * 1.0
    z[[0, 3]] = x[[1, 2]] ** 2
    z[np.array([1, 4])] += x[:2]
    return y + z


@case(lambda rng: (rng.standard_normal(5), float(rng.uniform(0.5, 1.5))), "scalar")
def cf_augassign_scalar_array(x, a):
    s = a
    v = x * 1.0
    for i in range(3):
        s += np.sum(v) * a
        s *= 0.5
        v *= a
        v -= x * 0.1
        v /= 1.0 + a
    s **= 2
    return s + np.sum(v ** 2)


@case(lambda rng: (rng.standard_normal(3), float(rng.uniform(0.5, 1.5))), "scalar")
def cf_tuple_unpack(x, c):
    a, b, d = x
    (p, q), r = (a * c, b + c), d * d
    for _ in range(3):
        p, q = q, p + 0.5 * q
    u, v = np.sin(p), np.cos(q)
    return u * v + r + a * b


@case(two_vecs(4), "tuple")
def cf_returns_tuple(x, y):
    return np.sum(x * y), x * 2.0 + y, (np.max(x), np.tanh(y))


@case(two_vecs(4), "dict")
def cf_returns_dict(x, y):
    return {"dot": x @ y, "sum": x + y, "nested": {"p": x * y[0]}}


@case(lambda rng: (float(rng.uniform(-0.9, 0.9)),), "scalar", compiled=True)
def cf_chebyshev(x):
    t0, t1 = 1.0, x
    s = t0 + t1
    for n in range(2, 8):
        t0, t1 = t1, 2.0 * x * t1 - t0
        s = s + t1 / n
    return s


@case(lambda rng: (rng.uniform(0.5, 1.5, 3),), "array")
def cf_rk4_ode(k):
    def rhs(y):
        return -k * y + 0.1 * np.sin(y)

    y = np.ones(3)
    h = 0.1
    for _ in range(10):
        k1 = rhs(y)
        k2 = rhs(y + 0.5 * h * k1)
        k3 = rhs(y + 0.5 * h * k2)
        k4 = rhs(y + h * k3)
        y = y + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return y


@case(lambda rng: (rng.uniform(0.5, 2.0, 3),), "array")
def cf_vector_newton_while(b):
    # Solve x + x**3 / 3 = b componentwise, vector residual norm as the stopping rule.
    x = b * 1.0
    r = x + x ** 3 / 3.0 - b
    it = 0
    while np.sqrt(np.sum(r * r)) > 1e-13 and it < 50:
        x = x - r / (1.0 + x * x)
        r = x + x ** 3 / 3.0 - b
        it += 1
    return x


@case(lambda rng: (4.0 * np.eye(4) + 0.3 * rng.standard_normal((4, 4)), rng.standard_normal(4)), "array")
def cf_jacobi_iteration(A, b):
    n = b.shape[0]
    x = np.zeros(n)
    for _ in range(40):
        x_new = np.zeros(n)
        for i in range(n):
            s = b[i]
            for j in range(n):
                if j != i:
                    s -= A[i, j] * x[j]
            x_new[i] = s / A[i, i]
        x = x_new
    return x


@case(lambda rng: (rng.standard_normal((3, 4)), rng.standard_normal((5, 4))), "scalar", compiled=True)
def cf_softmax_xent(W, X):
    labels = np.array([0, 2, 1, 1, 0])
    logits = X @ W.T
    z = logits - np.max(logits, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    loss = 0.0
    for i in range(X.shape[0]):
        loss -= logp[i, labels[i]]
    return loss / X.shape[0]


@case(lambda rng: (rng.standard_normal(3), 2.0 * np.eye(3) + 0.3 * np.ones((3, 3))), "scalar")
def cf_gaussian_loglik(mu, S):
    x = np.array([0.3, -0.2, 0.5])
    d = x - mu
    return -0.5 * d @ np.linalg.solve(S, d) - 0.5 * np.log(np.linalg.det(S)) - 1.5 * np.log(2.0 * np.pi)


@case(vec(5), "scalar")
def cf_attrs_len(x):
    n = len(x)
    s = 0.0
    for i in range(n):
        s = s + x[i] * (i + 1) / x.size + x.ndim * x[i] ** 2
    return s + x.T @ x + float(x.shape[0]) * x[-1]


@case(vec(6), "scalar")
def cf_while_value_dependent(x):
    # The number of iterations depends on the values (piecewise smooth).
    s = 0.0
    i = 0
    while i < x.shape[0] and s < 3.0:
        s = s + x[i] ** 2 + 0.1
        i += 1
    return s * np.exp(-0.1 * i)


@case(mat(3, 3), "array")
def cf_mixed_keepdims(A):
    # (1, n) against (m, 1): a centered covariance-like product.
    r = A - np.mean(A, axis=0, keepdims=True)
    c = A - np.mean(A, axis=1, keepdims=True)
    return r.T @ c / 3.0 + np.sum(r, axis=1, keepdims=True) * np.sum(c, axis=0, keepdims=True)


@case(lambda rng: (rng.standard_normal(4), 3), "scalar", compiled=True)
def cf_int_argument(x, n):
    # n is a Python int: not differentiated, drives the loop.
    s = 0.0
    for k in range(n):
        s = s + np.sum(np.cos(x * (k + 1))) / (k + 1)
    return s * n


@case(vec(5), "array")
def cf_inplace_through_view(x):
    # A store through a view `v = y[1:4]; v[0] = ...` changes y: jvp follows it (dv is a
    # view of dy); reverse mode refuses it with an error naming the view.
    y = x.copy()
    v = y[1:4]
    v[0] = x[0] ** 2
    v[2] += x[1]
    return y * 2.0


@case(vec(4), "array")
def cf_inplace_row_view_of_zeros(x):
    # Rows of a fresh array filled through a view: A becomes active (jvp); reverse mode
    # refuses the store through the view.
    A = np.zeros((2, 4))
    row = A[1]
    row[:] = x ** 2
    return A


# once refused (lim_*), now differentiated: NumPy functions and builtins that gained rules,
# reversed() loops, max/min of three
@case(vec(5, 0.5, 1.5), "array")
def red_cumprod(x):
    return np.cumprod(x)


@case(vec(5, -0.5, 0.5), "array")
def ew_inverse_hyperbolic(x):
    return np.arcsinh(x) + np.arctanh(x)


@case(scalars(3, 0.5, 1.5), "scalar")
def builtins_max3_min3(x, y, z):
    return max(x, y, z) * min(x, y, z)


@case(scalars(2, 0.5, 1.5), "scalar")
def builtins_pow(x, y):
    return pow(x, 2) + pow(x, y)


@case(vec(5), "scalar")
def builtins_sum_array(x):
    return sum(x * x)


@case(vec(5), "scalar")
def cf_reversed_loop(x):
    s = 0.0
    for v in reversed(x):
        s = 0.5 * s + v
    return s


@case(vec(5), "array")
def ew_np_float64_cast(x):
    return np.float64(x[0]) * x


@case(vec(5), "scalar")
def red_median(x):
    return np.median(x * x)


@case(lambda rng: (rng.uniform(0.5, 1.5), rng.uniform(0.5, 1.5), rng.uniform(0.5, 1.5), 1), "scalar")
def ct_tuple_read_at_run_time_index(a, b, c, i):
    t = a * b, np.sin(b), c * c
    return t[i] * t[i - 1]


@case(scalars(1), "scalar")
def ct_list_literal_store(a):
    x = [1.0, a * a, 3.0]
    x[1] = x[0] * x[1] + np.sin(x[1])
    x[2] = x[1] * a
    return x[1] + x[2] * x[1]


@case(scalars(3), "scalar")
def ct_dict_call(a, b, c):
    d = dict(w=a * b, v=np.tanh(c))
    return d["w"] * d["v"] + d["w"]


@case(vec(4), "scalar")
def ip_repeated_index_store(x):
    y = np.zeros(3)
    idx = np.array([0, 0, 2, 2])
    y[idx] += x * x  # NumPy: where idx repeats, the last write wins (no accumulation)
    y[np.array([1, 1])] = np.array([x[0], x[3]]) * 3.0
    return np.sum(np.sin(y) * y)


@case(vec(4), "scalar")
def ip_add_at(x):
    y = np.zeros(3)
    np.add.at(y, np.array([0, 0, 2, 1]), x * np.cos(x))  # accumulates repeated positions
    return np.sum(y * y)


@case(vec(6), "scalar")
def ip_store_into_reshaped_zeros(x):
    A = np.zeros(6).reshape(2, 3)  # a view of a temporary nobody reads: stores are fine
    A[0, :] = x[:3] * x[3:]
    A[1, 1] = np.sum(x)
    return np.sum(A @ A.T)


@case(vec(4), "scalar")
def ct_loop_over_literal_list(x):
    s = 0.0
    for v in [x[0], x[1] * x[2], np.exp(x[3])]:
        s = s * v + v
    return s


@case(vec(4), "scalar")
def ct_sum_of_comprehension(x):
    return np.sum([v * 3.0 + v * v for v in x]) + np.mean([np.sin(v) for v in x])


@case(vec(5), "scalar")
def cf_list_comprehension(x):
    return sum([v * v for v in x])


@case(vec(4), "scalar")
def cf_list_append_read_store(x):
    L = []
    for i in range(x.shape[0]):
        L.append(np.sin(x[i]) * x)
    L[1] = L[1] * L[0]
    last = L.pop()
    return np.sum(np.stack(L) ** 2) + np.sum(last * L[-1])


@case(vec(4), "scalar")
def cf_list_built_in_loop(x):
    out = 0.0
    for t in range(3):
        row = [x[j] * (t + 1.0) for j in range(x.shape[0]) if j != t]
        out = out + sum(row) * row[0]
    return out


@case(vec(5), "scalar")
def cf_for_else(x):
    s = 0.0
    for v in x:
        if v > 10.0:
            break
        s = s + v * v
    else:
        s = s * 2.0
    k = 0
    while k < x.shape[0]:
        if x[k] * s > 0.5:
            break
        k += 1
    else:
        s = s - 1.0
    return s * x[min(k, x.shape[0] - 1)]


# =========================================================================================
# functions s2s is expected to refuse with a clear error (unsupported syntax / no rule)
# =========================================================================================
@case(vec(5), "scalar")
def lim_fstring_in_raise(x):
    if x.shape[0] == 0:
        raise ValueError(f"empty input {x.shape}")
    return np.sum(x * x)


CASE_NAMES = [c.name for c in CASES]
assert len(set(CASE_NAMES)) == len(CASE_NAMES), "duplicate case names"


def by_name(name):
    return next(c for c in CASES if c.name == name)
