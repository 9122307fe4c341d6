"""Operands numba's own NumPy forms refuse, under jit (s2s/diff/runtime_numba_operands.py):
Python numbers where NumPy reads 0-d arrays, one array where a sequence of arrays is
expected (np.vstack(a) & co. join a's rows), lists of numbers and nested lists of arrays,
np.repeat(axis=None), np.append of a list, `x.dtype == np.int64`, np.real_if_close of reals. Each value is checked against NumPy itself, each
gradient under jit against the pure-Python gradient and central differences.
"""
import numpy as np
import pytest

import s2s

A = np.array([[0.3, -1.2, 0.7], [1.1, 0.4, -0.5]])
V = np.array([0.9, -0.4, 1.3])
C = np.arange(24.0).reshape(2, 3, 4) / 10.0 - 1.0


def dot_scalar(x):
    return np.sum(np.dot(x, 2.0) ** 2) + np.sum(np.dot(0.5, x) * x)


def tensordot_scalar(x):
    return np.sum(np.tensordot(x, 3.0, axes=0) * x) + np.sum(np.tensordot(1.5, x, 0))


def inner_scalar(x):
    return np.sum(np.inner(x, 0.3) ** 2) + np.sum(np.inner(2.0, x))


def number_stats(t):
    return np.var(t) + np.median(t) * np.prod(t) + np.linalg.norm(t) + np.clip(t, -1.0, 1.0) * t


def number_shapes(t):
    return np.sum(np.ravel(t) * np.reshape(t, (1, 1)) + np.expand_dims(t, 0)) + np.transpose(t) * np.ndim(t) + \
        np.sum(np.stack((t, 2.0 * t)) ** 2)


def values_only(x):  # (np.std's derivative at zero spread is 0/0, as in NumPy and JAX)
    return np.ndim(x) * np.sum(x) + np.ndim(V) + np.std(np.sum(x)) + np.argmax(np.sum(x)) + np.squeeze(np.sum(x))


def norm_of_list(t):
    return np.linalg.norm([t, t + 2.0, 3.0 * t])


def nested_list_array(x):
    return np.sum(np.array([[2.0 * x, x + 1.0], [x * x, x]]) ** 2)


def repeat_flat(x):
    return np.sum(np.repeat(x, 2, axis=None) * np.arange(2.0 * x.size))


def vstack_one(x):
    return np.sum(np.vstack(x) * np.arange(1.0, 1.0 + x.size).reshape(np.vstack(x).shape))


def hstack_one(x):
    return np.sum(np.hstack(x) ** 2 * np.arange(1.0, 1.0 + x.size).reshape(np.hstack(x).shape))


def column_stack_one(x):
    return np.sum(np.column_stack(x) ** 3 * np.arange(1.0, 1.0 + x.size).reshape(np.column_stack(x).shape))


def dstack_one(x):
    return np.sum(np.sin(np.dstack(x)) * np.arange(1.0, 1.0 + x.size).reshape(np.dstack(x).shape))


def concatenate_one(x):
    return np.sum(np.concatenate(x, axis=1) ** 2 * np.arange(1.0, 1.0 + x.size).reshape(np.concatenate(x, 1).shape))


def append_to_list(a, b):
    return np.sum(np.append(a, b) ** 2 * np.arange(1.0, 6.0))


def dtype_checks(x):  # autograd's test_cast_to_int: `assert new_inds.dtype == np.int64`
    idx = np.int64(np.abs(x) * 1.7)  # (away from the integers, where it jumps)
    assert idx.dtype == np.int64 and idx.dtype != np.float64
    bonus = 1.0 if x.dtype == np.float32 else 0.0
    return np.sum(np.real_if_close(x * x)) + bonus + np.sum(x * idx)


CASES = [
    (dtype_checks, (V,)), (dtype_checks, (A,)), (dtype_checks, (V.astype(np.float32),)),
    (dot_scalar, (A,)), (dot_scalar, (V,)), (dot_scalar, (0.7,)),
    (tensordot_scalar, (A,)), (tensordot_scalar, (0.7,)),
    (inner_scalar, (V,)), (inner_scalar, (A,)),
    (number_stats, (0.6,)), (number_stats, (-1.7,)),
    (number_shapes, (0.6,)),
    (values_only, (A,)), (values_only, (V,)),
    (norm_of_list, (0.8,)),
    (nested_list_array, (A,)), (nested_list_array, (V,)),
    (repeat_flat, (A,)), (repeat_flat, (C,)),
    (vstack_one, (V,)), (vstack_one, (A,)), (vstack_one, (C,)),
    (hstack_one, (V,)), (hstack_one, (A,)), (hstack_one, (C,)),
    (column_stack_one, (V,)), (column_stack_one, (A,)), (column_stack_one, (C,)),
    (dstack_one, (V,)), (dstack_one, (A,)), (dstack_one, (C,)),
    (concatenate_one, (C,)),
]


def _id(case):
    f, args = case
    dtype = "-float32" if np.asarray(args[0]).dtype == np.float32 else ""
    return (f"{f.__name__}-" + "x".join(str(d) for d in np.shape(args[0])) if np.ndim(args[0]) else f"{f.__name__}-float") + dtype


def central_differences(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        e = np.zeros(x.shape)
        e[i] = eps
        g[i] = (f(x + e if x.ndim else float(x + e)) - f(x - e if x.ndim else float(x - e))) / (2 * eps)
    return g


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_values_under_jit_are_numpys(case):
    f, args = case
    tol = 1e-6 if np.asarray(args[0]).dtype == np.float32 else 1e-12  # (float32 sums: numba's order)
    np.testing.assert_allclose(s2s.jit(f)(*args), f(*args), rtol=tol, atol=tol)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] is not values_only], ids=[_id(c) for c in CASES if c[0] is not values_only])
def test_gradients_under_jit(case):
    f, args = case
    want = central_differences(f, args[0])
    np.testing.assert_allclose(s2s.grad(f)(*args), want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(s2s.jit(s2s.grad(f))(*args), want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("a, b", [([1.0, 2.0, 3.0], [4.0, 5.0]), ((1.0, 2.0), [3.0, 4.0, 5.0]),
                                  ([1.0, 2.0, 3.0, 4.0], 5.0), (np.array([1.0, 2.0]), (3.0, 4.0, 5.0))],
                         ids=["list-list", "tuple-list", "list-number", "array-tuple"])
def test_append_of_sequences(a, b):
    """np.append's contributions to a list (or a number after one): NumPy's flat order,
    so each element gets 2 * value * its position's weight."""
    want_a = [2.0 * v * (i + 1) for i, v in enumerate(np.ravel(a))]
    n = np.size(a)
    want_b = [2.0 * v * (n + i + 1) for i, v in enumerate(np.ravel(b))]
    for grad in (s2s.grad(append_to_list, argnums=(0, 1)), s2s.jit(s2s.grad(append_to_list, argnums=(0, 1)))):
        ga, gb = grad(a, b)
        np.testing.assert_allclose(np.ravel(ga), want_a)
        np.testing.assert_allclose(np.ravel(gb), want_b)


def test_dirichlet_under_jit():
    stats = pytest.importorskip("scipy.stats")
    x = np.array([0.1, 0.2, 0.3, 0.4])
    xs = np.array([[0.1, 0.5], [0.2, 0.1], [0.7, 0.4]])
    alpha = np.array([1.3, 1.7, 2.2, 1.5])

    def logpdf(a):
        return stats.dirichlet.logpdf(x, a)

    def logpdf_points(a):  # points as columns
        return np.sum(stats.dirichlet.logpdf(xs, a))

    for f, a in ((logpdf, alpha), (logpdf_points, alpha[:3])):
        np.testing.assert_allclose(s2s.jit(f)(a), f(a), rtol=1e-12)
        np.testing.assert_allclose(s2s.jit(s2s.grad(f))(a), central_differences(f, a), rtol=1e-6, atol=1e-7)
