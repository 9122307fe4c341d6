"""Batch rules of indexing and in-place stores (s2s/vectorize/rules/indexing.py): a leading
`:` for batched arrays, unbatched index arrays and masks, integer indices that differ per
example (gathers), stores into batched arrays (values given the slot's rank)."""
import numpy as np
import pytest

from vectorize.batch_check import check, examples, params, vecs


def basic(A):
    return A[1], A[:, 0], A[-1, 1:], A[::-1, None], A[..., 0], A[None, 0, :2]


def unbatched_index_arrays(x, idx, mask):
    return x[idx], x[mask], x[idx] * 2.0


def per_example_index(W, i):  # W unmapped, i mapped: one row per example
    return W[i], W[i, :2], W[i, 1]


def gather(x, i):  # both mapped: x[np.arange(n), i]
    return x[i] + x[i % 2]


def stores(x, v):
    y = np.zeros(4)
    y[0] = v
    y[1:3] = x[:2] * 2.0
    y[3] += np.sum(x)
    z = x.copy()
    z[0] = 1.0
    z[1:] *= v
    return y, z


def store_into_matrix(A, r):
    B = A.copy()
    B[0] = r
    B[:, 1] = r[:2]
    B[1, 2] = 7.0
    return B


def loop_stores(x):
    out = np.zeros(x.shape[0])
    acc = 0.0
    for i in range(x.shape[0]):
        acc = acc + x[i]
        out[i] = acc
    return out


IDX = np.array([2, 0, 1, 2])
MASK = np.array([True, False, True])


def _fixed(x, _):
    return x[IDX] + x[:3][MASK].sum()


TABLE = {
    "basic": (basic, vecs((3, 4)), (2,)),
    "fixed_arrays": (_fixed, vecs((4,), ()), (1, 0)),
    "per_example_index": (per_example_index, vecs((3, 4), (), ints=(1,)), (2, 0)),
    "gather": (gather, vecs((3,), (), ints=(1,)), (1, 0)),
    "stores": (stores, vecs((3,), ()), (1, 0)),
    "store_into_matrix": (store_into_matrix, vecs((2, 3), (3,)), (2, 1)),
    "loop_stores": (loop_stores, vecs((4,)), (1,)),
}


@pytest.mark.parametrize("f, factory, in_axes", params(TABLE))
def test_indexing(f, factory, in_axes):
    check(f, examples(factory), in_axes)


def test_unbatched_index_arrays_and_masks():
    exs = [(np.random.default_rng(s).standard_normal(3), np.array([2, 0]), np.array([True, False, True]))
           for s in range(3)]
    check(unbatched_index_arrays, exs, (0, None, None))


@pytest.mark.parametrize("name, in_axes", [("stores", (0, 0)), ("gather", (0, 0))])
def test_indexing_compiled(name, in_axes):
    f, factory, _ = TABLE[name]
    check(f, examples(factory), in_axes, compiled=True)


def mapped_mask(x):
    return np.sum(x[x > 0.0])


def store_at_mapped_index(x, i):
    y = x.copy()
    y[i] = 0.0
    return y


@pytest.mark.parametrize("f, factory, in_axes", [
    (mapped_mask, vecs((4,)), 0),
    (store_at_mapped_index, vecs((3,), (), ints=(1,)), (0, 0)),
])
def test_ragged_or_scattered_fall_back_to_loop(f, factory, in_axes):
    check(f, examples(factory), in_axes, strategy="loop")
    v, args = check(f, examples(factory), in_axes, strategy="auto")
    assert v.chosen_strategy(*args) == "loop"
