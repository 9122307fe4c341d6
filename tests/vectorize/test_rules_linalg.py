"""Batch rules of products (s2s/vectorize/rules/linalg.py): `@`/matmul/dot for every
combination of batched and unbatched vector/matrix operands, scalars in np.dot, inner,
outer, einsum, norm, trace."""
import numpy as np
import pytest

from vectorize.batch_check import check, examples, params, vecs


def matvec(A, x):
    return A @ x


def vecmat(x, A):
    return x @ A


def matmat(A, C):
    return np.matmul(A, C)


def vecvec(x, y):
    return np.dot(x, y) + x @ y


def dot_scalar(c, x):
    return np.dot(c, x) + np.dot(x, c)


def transposed(x, W):  # x @ W.T: one BLAS product over the batch
    return x @ W.T


def inner_outer(x, y):
    return np.inner(x, y), np.outer(x, y)


def einsums(A, x):
    return np.einsum("ij,j->i", A, x), np.einsum("ij,ij", A, A), np.einsum("ij->ji", A)


def norms(A, x):
    return np.linalg.norm(A), np.linalg.norm(x), np.linalg.norm(A, axis=1), np.trace(A @ A.T)


TABLE = {
    "matvec": (matvec, vecs((3, 4), (4,)), (2, 1)),
    "vecmat": (vecmat, vecs((3,), (3, 4)), (1, 2)),
    "matmat": (matmat, vecs((3, 4), (4, 2)), (2, 2)),
    "vecvec": (vecvec, vecs((4,), (4,)), (1, 1)),
    "dot_scalar": (dot_scalar, vecs((), (3,)), (0, 1)),
    "transposed": (transposed, vecs((4,), (3, 4)), (1, 2)),
    "inner_outer": (inner_outer, vecs((3,), (3,)), (1, 1)),
    "einsums": (einsums, vecs((3, 4), (4,)), (2, 1)),
    "norms": (norms, vecs((3, 4), (4,)), (2, 1)),
}


@pytest.mark.parametrize("f, factory, in_axes", params(TABLE))
def test_products(f, factory, in_axes):
    check(f, examples(factory), in_axes, rtol=1e-10)


def test_matrix_times_batch_is_one_product():
    """A fixed matrix applied to a batch of vectors: one (n, k) @ (k, m) product."""
    v, args = check(matvec, examples(vecs((3, 4), (4,))), (None, 0))
    src = v.source(*args)
    assert "x @ _np.transpose(A)" in src and "for " not in src


@pytest.mark.parametrize("name, in_axes", [("matvec", (None, 0)), ("matmat", (0, 0))])
def test_products_compiled(name, in_axes):
    f, factory, _ = TABLE[name]
    check(f, examples(factory), in_axes, compiled=True, rtol=1e-10)
