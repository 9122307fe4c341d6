"""The shared corpus: ordinary NumPy functions every transformation is tested on.

Tangent's `tests/functions.py` idea: one table of plain Python functions (written the way
a user writes them, nothing s2s-specific), each with a deterministic argument factory and
tags saying what it exercises, reused by the tests of jit, grad, jvp, vmap, ...

    for case in CASES:
        args = case.args(seed)             # fresh arrays every call: mutations cannot leak
        expected = case.fn(*args)

Conventions
-----------
* `args_factory(rng)` gets a seeded `numpy.random.Generator` and returns a tuple of inputs:
  float64 arrays and Python floats, plus Python ints where a case needs a count/index
  (`Case.int_argnums()` lists them; `Case.float_argnums()` are the differentiable ones).
* Positive inputs where a function needs them (log, sqrt, Newton).
* No function mutates its arguments and no result depends on aliasing of an augmented
  assignment to a name (`x += y` on a name rebinds under s2s, JAX semantics); in-place
  updates happen on a `.copy()`.

Tags
----
What a case exercises: "scalar" (scalar inputs only), "array" (has array inputs),
"scalar_out" (returns one float: `grad` applies), "array_out", "tuple_out", "unpack"
(tuple unpacking/swaps), "int" (integer or bool variables/results), "loop", "nested_loop",
"while", "break", "continue", "branch", "early_return", "helper", "module_helper", "closure", "nested_def", "recursion",
"inplace", "augassign", "static" (has an argument meant for static_argnums, listed in
`Case.static_argnums`), "defaults", "numpy_alias" (uses `jnp` / `from numpy import`),
"math", "linalg" (dot/@).
"""
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from numpy import exp

import corpus_helpers
import s2s.numpy as jnp
from corpus_helpers import shifted_square, softplus


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable
    args_factory: Callable
    tags: frozenset = field(default_factory=frozenset)
    static_argnums: tuple = ()

    def args(self, seed=0):
        """Fresh inputs for `seed` (a new Generator each time: deterministic)."""
        return self.args_factory(np.random.default_rng(seed))

    def int_argnums(self, seed=0):
        return tuple(i for i, a in enumerate(self.args(seed)) if isinstance(a, (int, np.integer)))

    def float_argnums(self, seed=0):
        return tuple(i for i, a in enumerate(self.args(seed)) if not isinstance(a, (int, np.integer)))

    def __repr__(self):
        return f"Case({self.name})"


CASES = []


def case(args_factory, *tags, static_argnums=()):
    """Register the decorated function in CASES (the function itself is returned as is)."""

    def register(fn):
        CASES.append(Case(fn.__name__, fn, args_factory, frozenset(tags), tuple(static_argnums)))
        return fn

    return register


def register(fn, args_factory, *tags, name=None):
    """Register a function made at run time (closures from a factory)."""
    CASES.append(Case(name or fn.__name__, fn, args_factory, frozenset(tags)))
    return fn


# -- argument factories ------------------------------------------------------------------
def _vec(n=6):
    return lambda rng: (rng.standard_normal(n),)


def _posvec(n=6):
    return lambda rng: (rng.uniform(0.5, 2.0, n),)


def _two_vecs(n=6):
    return lambda rng: (rng.standard_normal(n), rng.standard_normal(n))


def _scalar(lo=-1.5, hi=1.5):
    return lambda rng: (float(rng.uniform(lo, hi)),)


def _two_scalars(rng):
    return (float(rng.uniform(-1.5, 1.5)), float(rng.uniform(0.5, 1.5)))


def _mat_vec(rng):
    return (rng.standard_normal((4, 5)), rng.standard_normal(5))


# -- straight-line scalar math --------------------------------------------------------------
@case(_scalar(), "scalar", "scalar_out")
def scalar_poly(x):
    return 3.0 * x * x - 2.0 * x + 1.0 + x**3 / 4.0


@case(_two_scalars, "scalar", "scalar_out")
def scalar_transcendental(x, y):
    a = np.exp(x) * np.sin(y)
    b = np.log(y + 2.0) - np.tanh(x * y)
    c = np.sqrt(x * x + y * y + 1.0)
    return a + b / c - np.cos(x) ** 2


@case(_two_scalars, "scalar", "scalar_out", "math")
def scalar_math_module(x, y):
    return math.exp(x) * math.sin(y) + math.sqrt(y) - math.log(y + 1.0) + math.pi * math.tanh(x)


@case(_scalar(), "scalar", "scalar_out", "numpy_alias")
def scalar_from_import(x):
    return exp(x) + exp(-2.0 * x)


@case(_two_scalars, "scalar", "scalar_out", "branch")
def scalar_ternary_builtins(x, y):
    a = x if x > y else y * 2.0
    b = abs(x - y) + max(x, y) - min(x, 0.5)
    return a * b


# -- straight-line array math ------------------------------------------------------------
@case(_vec(), "array", "scalar_out")
def array_reductions(x):
    return np.sum(np.exp(x)) + np.mean(x * x) - np.max(x) + np.min(np.sin(x))


@case(_posvec(), "array", "array_out")
def array_elementwise(x):
    return np.log(x) * np.sqrt(x) + np.tanh(x) - np.cos(x) / x


@case(_vec(), "array", "array_out")
def leaky_where(x):
    return np.where(x > 0, x, 0.01 * x)


@case(_two_vecs(), "array", "scalar_out", "linalg")
def dot_products(x, y):
    return np.dot(x, y) + x @ y * 0.5 + np.sum(x * y) ** 2


@case(_mat_vec, "array", "array_out", "linalg")
def matvec_tanh(W, x):
    return np.tanh(W @ x) + np.dot(W, x) ** 2


@case(
    lambda rng: (rng.standard_normal((3, 4)), rng.standard_normal(3), rng.standard_normal((2, 3)), rng.standard_normal(2), rng.standard_normal(4)),
    "array", "scalar_out", "linalg",
)
def mlp(W1, b1, W2, b2, x):
    h = np.tanh(W1 @ x + b1)
    out = W2 @ h + b2
    return np.sum(out * out) / 2.0


@case(_vec(), "array", "scalar_out", "numpy_alias")
def sum_logistic(x):
    # The JAX quickstart's example.
    return jnp.sum(1.0 / (1.0 + jnp.exp(-x)))


@case(_vec(), "array", "array_out", "numpy_alias", "defaults")
def selu(x, alpha=1.67, lmbda=1.05):
    # The JAX quickstart's example.
    return lmbda * jnp.where(x > 0, x, alpha * jnp.exp(x) - alpha)


@case(_vec(), "array", "scalar_out")
def softmax_entropy(x):
    z = x - np.max(x)
    e = np.exp(z)
    p = e / np.sum(e)
    return -np.sum(p * np.log(p))


# -- loops -------------------------------------------------------------------------------
@case(_vec(8), "array", "scalar_out", "loop")
def loop_range_bounds(x):
    n = x.shape[0]
    s = 0.0
    for i in range(n):
        s = s + x[i] * x[i]
    for i in range(1, n - 1):
        s = s + x[i - 1] * x[i + 1]
    for i in range(1, n, 3):
        s = s - np.sin(x[i])
    return s


@case(_vec(8), "array", "scalar_out", "loop")
def loop_negative_step(x):
    n = x.shape[0]
    s = 0.0
    k = 1.0
    for i in range(n - 1, -1, -1):
        s = s * 0.5 + k * x[i]
        k = k + 1.0
    for i in range(n - 2, 0, -2):
        s = s + np.exp(x[i]) / k
    return s


@case(lambda rng: (rng.standard_normal(7), 2, 6), "array", "scalar_out", "loop", "int")
def loop_runtime_args(x, start, stop):
    s = 1.0
    for i in range(start, stop):
        s = s * (1.0 + 0.1 * x[i])
    for i in range(stop - 1, start - 1, -2):
        s = s + x[i] ** 2
    return s


@case(_vec(), "array", "scalar_out", "loop")
def loop_over_array(x):
    s = 0.0
    for v in x:
        s = s + np.cos(v) * v
    return s


@case(_vec(), "array", "scalar_out", "loop", "int")
def loop_enumerate(x):
    s = 0.0
    for i, v in enumerate(x):
        s = s + (i + 1) * v * v
    return s


@case(_two_vecs(), "array", "scalar_out", "loop")
def loop_zip(x, y):
    s = 0.0
    for a, b in zip(x, y):
        s = s + a * np.tanh(b)
    return s


@case(_mat_vec, "array", "array_out", "loop", "nested_loop", "inplace")
def loop_nested_matvec(W, x):
    m, n = W.shape
    out = np.zeros(m)
    for i in range(m):
        acc = 0.0
        for j in range(n):
            acc = acc + W[i, j] * x[j]
        out[i] = np.tanh(acc)
    return out


@case(_vec(), "array", "scalar_out", "loop", "nested_loop")
def loop_triangular(x):
    n = x.shape[0]
    s = 0.0
    for i in range(n):
        for j in range(i):
            s = s + x[i] * x[j] / (1.0 + i + j)
    return s


@case(
    lambda rng: (0.5 * rng.standard_normal((4, 4)), rng.standard_normal((4, 2)), rng.standard_normal((5, 2)), rng.standard_normal(4)),
    "array", "scalar_out", "loop", "linalg",
)
def rnn(W, U, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


# -- while / break / continue ------------------------------------------------------------
@case(lambda rng: (float(rng.uniform(5.0, 50.0)),), "scalar", "tuple_out", "while", "int")
def while_halving(x):
    count = 0
    while x > 1.0:
        x = x / 2.0
        count += 1
    return x, count


@case(lambda rng: (float(rng.uniform(0.5, 4.0)),), "scalar", "scalar_out", "while", "defaults")
def newton_sqrt(a, tol=1e-12):
    x = a
    while abs(x * x - a) > tol * a:
        x = 0.5 * (x + a / x)
    return x


@case(lambda rng: (rng.uniform(0.2, 1.0, 12),), "array", "scalar_out", "while", "break", "int")
def while_break(x):
    i = 0
    s = 0.0
    while True:
        if i >= x.shape[0]:
            break
        s = s + x[i] ** 2
        if s > 2.0:
            break
        i = i + 1
    return s + i


@case(_vec(10), "array", "scalar_out", "loop", "continue", "branch")
def loop_continue(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] < 0.0:
            continue
        s = s + np.sqrt(x[i])
    return s


@case(_vec(10), "array", "scalar_out", "loop", "break", "branch")
def loop_break(x):
    s = 0.0
    for v in x:
        if v > 1.0:
            break
        s = s + v * v
    return s


# -- branches ----------------------------------------------------------------------------
@case(lambda rng: (rng.uniform(-3.0, 3.0, 12),), "array", "scalar_out", "loop", "branch")
def piecewise_loop(x):
    s = 0.0
    for v in x:
        if v > 1.0:
            s = s + v * v
        elif v > -1.0:
            s = s + np.sin(v)
        else:
            s = s - 2.0 * v
    return s


@case(_scalar(-2.0, 2.0), "scalar", "scalar_out", "branch")
def scalar_branches(x):
    if x > 0.5:
        y = x * x
    elif x < -0.5:
        y = -x
    else:
        y = np.cos(x)
    if y > 1.0:
        y = np.log(y) + 1.0
    return y


@case(lambda rng: (rng.uniform(-3.0, 3.0, 12),), "array", "scalar_out", "loop", "branch", "int")
def bool_conditions(x):
    s = 0.0
    for v in x:
        if v > 0.0 and v < 1.0 or v < -2.0:
            s = s + v
        elif not (v > -1.0) and v > -2.0:
            s = s + v * v
        t = v * 0.5 if v > 0.0 else v * 0.25
        s = s + t
    return s


@case(_vec(10), "array", "scalar_out", "loop", "early_return", "branch")
def early_return_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i]
        if s > 1.5:
            return s * 2.0
    return s - 1.0


@case(_vec(8), "array", "tuple_out", "loop", "branch", "int")
def mixed_int_bool(x):
    n_pos = 0
    seen_big = False
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > 0.0:
            n_pos = n_pos + 1
            s = s + x[i] * n_pos
        if x[i] > 1.0:
            seen_big = True
    scale = 2.0 if seen_big else 1.0
    return s * scale + n_pos, n_pos, seen_big


# -- helpers, closures, nested defs, recursion ----------------------------------------------
def _square_plus(x, c):
    return x * x + c


def _norm2(x):
    return np.sqrt(np.sum(_square_plus(x, 0.0)))


@case(_vec(), "array", "scalar_out", "helper")
def helper_once(x):
    return np.sum(_square_plus(x, 1.0)) * 0.5


@case(_two_vecs(), "array", "scalar_out", "helper")
def helper_twice(x, y):
    return np.sum(_square_plus(x, 1.0) * _square_plus(y, -1.0))


@case(_vec(), "array", "scalar_out", "helper")
def helper_chain(x):
    return _norm2(x) + _norm2(np.sin(x))


@case(_vec(), "array", "scalar_out", "helper", "module_helper")
def helper_other_module(x):
    return np.sum(softplus(x)) + np.sum(shifted_square(x)) + corpus_helpers.softplus(x[0])


@case(_vec(), "array", "scalar_out", "nested_def")
def nested_def(x):
    def inner(y):
        return y * y + 1.0

    return inner(x[0]) + np.sum(inner(x))


@case(lambda rng: (rng.standard_normal(6), float(rng.uniform(0.5, 1.5))), "array", "scalar_out", "nested_def", "closure")
def nested_def_closure(x, a):
    def scaled(y):
        return a * np.tanh(y)

    s = 0.0
    for v in x:
        s = s + scaled(v)
    return s


def make_scaled_exp(a):
    def scaled_exp(x):
        return a * np.exp(x) + a

    return scaled_exp


def make_projector(W):
    def projector(x):
        return np.sum(np.tanh(W @ x))

    return projector


register(make_scaled_exp(1.5), _vec(), "array", "array_out", "closure", name="closure_scalar")
register(make_projector(np.linspace(-1.0, 1.0, 15).reshape(3, 5)), lambda rng: (rng.standard_normal(5),),
         "array", "scalar_out", "closure", "linalg", name="closure_array")


def _rpow(x, n):
    if n == 0:
        return 1.0
    return x * _rpow(x, n - 1)


@case(lambda rng: (float(rng.uniform(0.5, 1.5)), 5), "scalar", "scalar_out", "recursion", "int", "static", static_argnums=(1,))
def recursive_power(x, n):
    return _rpow(x, n) + _rpow(x, 2)


def _rsum_from(x, i):
    if i >= x.shape[0]:
        return 0.0
    return x[i] * x[i] + _rsum_from(x, i + 1)


@case(_vec(), "array", "scalar_out", "recursion", "helper")
def recursive_sum(x):
    return _rsum_from(x, 0)


@case(lambda rng: (float(rng.uniform(0.5, 1.5)), 4), "scalar", "scalar_out", "loop", "int", "static", static_argnums=(1,))
def power_loop(x, n):
    y = 1.0
    for _ in range(n):
        y = y * x
    if n > 2:
        y = y + 1.0
    return y


# -- in-place updates, tuples, augmented assignment ----------------------------------------
@case(_vec(6), "array", "array_out", "inplace")
def inplace_updates(x):
    y = x.copy()
    y[0] = 2.0 * x[1]
    y[1] += x[0]
    y[2:4] = x[2:4] * 3.0
    y[-1] -= 1.0
    y[1:3] *= np.exp(x[4])
    y[4] /= 2.0
    return y


@case(_vec(6), "array", "scalar_out", "inplace", "loop")
def inplace_cumsum(x):
    c = np.zeros(x.shape[0])
    c[0] = x[0]
    for i in range(1, x.shape[0]):
        c[i] = c[i - 1] + x[i]
    return np.sum(c * c)


@case(lambda rng: (rng.standard_normal(5), rng.standard_normal(2)), "array", "scalar_out", "inplace")
def inplace_slice_store(x, y):
    # A slice store: its adjoint reads a view of the adjoint array, then zeroes it.
    z = x * 1.0
    z[1:3] = y * 2.0
    z[3:] += z[:2] * y
    return np.sum(z * z)


@case(lambda rng: (rng.standard_normal((3, 4)),), "array", "array_out", "inplace", "nested_loop", "loop")
def inplace_matrix(A):
    B = A.copy()
    for i in range(B.shape[0]):
        for j in range(B.shape[1]):
            B[i, j] += i * A[i, j] - j
    B[1, :] = 0.5 * A[0, :]
    B[:, 2] *= 3.0
    return B


@case(_two_scalars, "scalar", "tuple_out")
def tuple_return(x, y):
    s = x + y
    p = x * y
    return s, p, np.sin(s) * p


@case(_two_scalars, "scalar", "tuple_out", "loop", "unpack")
def tuple_swap(a, b):
    for _ in range(4):
        a, b = b, a + 0.5 * b
    x, (y, z) = a, (b, a * b)
    return x + y, z


@case(lambda rng: (rng.standard_normal(3), rng.uniform(0.5, 1.5, 3)), "array", "scalar_out", "unpack")
def tuple_unpack_arrays(x, y):
    a, b, c = x
    u, v = y[0], y[1:]
    return a * u + b * np.sum(v) + c


@case(_two_scalars, "scalar", "scalar_out", "augassign")
def augassign_float(x, y):
    z = x
    z += y
    z -= 0.5 * x
    z *= y
    z /= 1.0 + y * y
    z **= 2
    w = 3.5 + x
    w //= y
    w %= 0.75
    return z + w


@case(lambda rng: (rng.integers(5, 50).item(),), "scalar", "int", "augassign")
def augassign_int(n):
    k = n
    k += 3
    k -= 1
    k *= 2
    k //= 3
    k %= 17
    k **= 2
    m = n
    m <<= 2
    m >>= 1
    m &= 29
    m |= 6
    m ^= 5
    return k + m


@case(_two_vecs(5), "array", "array_out", "augassign")
def augassign_array(x, y):
    z = x * 1.0
    z += y
    z -= 0.25
    z *= y
    z /= 1.0 + y * y
    z **= 2
    return z


@case(lambda rng: (rng.standard_normal((3, 3)), rng.standard_normal((3, 3))), "array", "array_out", "augassign", "linalg")
def augassign_matmul(A, B):
    C = A + 1.0
    C @= B
    return C


CASE_NAMES = [c.name for c in CASES]
assert len(set(CASE_NAMES)) == len(CASE_NAMES), "duplicate case names"


def by_name(name):
    """The case called `name`."""
    return next(c for c in CASES if c.name == name)


# -- comparing results ---------------------------------------------------------------------
def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def assert_same_result(got, expected, rtol=1e-12, atol=1e-14, path="result"):
    """`got` equals `expected`: floats to `rtol`, ints and bools exactly, tuples elementwise.

    Float results must stay float64 (NumPy dtypes, not JAX's float32) and arrays keep
    their shape.
    """
    if isinstance(expected, tuple):
        assert isinstance(got, tuple), f"{path}: expected a tuple, got {type(got).__name__}"
        assert len(got) == len(expected), f"{path}: expected {len(expected)} items, got {len(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same_result(g, e, rtol, atol, f"{path}[{i}]")
        return
    if isinstance(expected, (bool, np.bool_)):
        assert isinstance(got, (bool, np.bool_)), f"{path}: expected a bool, got {type(got).__name__}"
        assert bool(got) == bool(expected), f"{path}: {got!r} != {expected!r}"
        return
    if _is_int(expected):
        assert _is_int(got), f"{path}: expected an int, got {type(got).__name__} {got!r}"
        assert int(got) == int(expected), f"{path}: {got!r} != {expected!r}"
        return
    g, e = np.asarray(got), np.asarray(expected)
    assert g.shape == e.shape, f"{path}: shape {g.shape} != {e.shape}"
    assert g.dtype == e.dtype, f"{path}: dtype {g.dtype} != {e.dtype}"
    np.testing.assert_allclose(g, e, rtol=rtol, atol=atol, err_msg=path)


def assert_jit_agrees(fn, args):
    """`s2s.jit(fn)` (numba) gives what `fn` gives, on fresh copies of `args`."""
    import copy

    import s2s

    expected = fn(*copy.deepcopy(args))
    assert_same_result(s2s.jit(fn)(*copy.deepcopy(args)), expected)
