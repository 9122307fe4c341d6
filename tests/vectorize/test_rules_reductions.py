"""Batch rules of reductions (s2s/vectorize/rules/reductions.py): axis moves right, no
axis means every axis but the batch axis (rows, and the runtime helpers for the
reductions numba has no axis for), keepdims, ddof, cumulative sums."""
import numpy as np
import pytest

from vectorize.batch_check import check, examples, params, vecs


def no_axis(A):
    return np.sum(A), np.mean(A), np.max(A), np.min(A), np.prod(A), np.var(A), np.std(A), np.argmax(A)


def vector(x):
    return np.sum(x), np.mean(x), np.max(x) - np.min(x), np.prod(x), np.std(x, ddof=1), np.argmin(x)


def scalar(c):
    return np.sum(c), np.mean(c), np.max(c), np.prod(c)


def with_axis(A):
    return np.sum(A, axis=0), np.mean(A, axis=-1), np.max(A, axis=1), np.var(A, axis=0), np.argmax(A, axis=-1)


def keepdims(A):
    return np.sum(A, keepdims=True), np.mean(A, axis=0, keepdims=True), np.max(A, axis=-1, keepdims=True)


def tuple_axis(T):
    return np.sum(T, axis=(0, 2)), np.mean(T, axis=(-1, -2))


def booleans(A):
    return np.any(A > 0.5), np.all(A > -2.0), np.sum(A > 0.0), np.any(A > 0.0, axis=0)


def cumulative(A):
    return np.cumsum(A), np.cumsum(A, axis=1), np.cumprod(A, axis=0)


def methods(A):
    return A.sum() + A.max(axis=0).sum() + A.min() + A.mean(axis=1).sum() + A.std()


TABLE = {
    "no_axis": (no_axis, vecs((3, 4)), (2,)),
    "vector": (vector, vecs((5,)), (1,)),
    "scalar": (scalar, vecs(()), (0,)),
    "with_axis": (with_axis, vecs((3, 4)), (2,)),
    "keepdims": (keepdims, vecs((3, 4)), (2,)),
    "tuple_axis": (tuple_axis, vecs((2, 3, 4)), (3,)),
    "booleans": (booleans, vecs((3, 4)), (2,)),
    "cumulative": (cumulative, vecs((3, 4)), (2,)),
    "methods": (methods, vecs((3, 4)), (2,)),
}


@pytest.mark.parametrize("f, factory, in_axes", params(TABLE))
def test_reductions(f, factory, in_axes):
    check(f, examples(factory), in_axes)


def many_rows(A):
    """Batch larger than the row length: the helpers loop over columns."""
    return np.max(A), np.min(A), np.prod(A), np.any(A > 1.0), np.all(A > -1.0)


@pytest.mark.parametrize("n", [2, 9])
def test_row_helpers_both_loops(n):
    check(many_rows, examples(vecs((2, 2)), n=n))


def numba_reductions(A, x):
    return np.sum(A) + np.max(x) + np.mean(A)


def test_reductions_compiled():
    check(numba_reductions, examples(vecs((3, 4), (4,))), (1, 0), compiled=True)
