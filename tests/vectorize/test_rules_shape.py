"""Batch rules of shape operations (s2s/vectorize/rules/shape.py): reshape/ravel get the
batch size in front, transpose/swapaxes/moveaxis/expand_dims/squeeze/flip shift their
axes, stack/concatenate/hstack/vstack broadcast unbatched pieces to the batch, np.array
of scalars stacks them, creation functions give ranks to the values batched ones meet."""
import numpy as np
import pytest

from vectorize.batch_check import check, examples, params, vecs


def reshapes(x):
    y = x.reshape(3, 2)
    return y.T, np.ravel(y), x.reshape(-1), np.reshape(x, (2, 1, 3)).sum(axis=1), x.flatten()[::2]


def transposes(T):
    return np.transpose(T), np.transpose(T, (1, 0, 2)), np.swapaxes(T, 0, -1), np.moveaxis(T, 0, 2), T.T[0]


def new_axes(A):
    return np.expand_dims(A, 0), np.expand_dims(A, -1), np.squeeze(A[:, :1], axis=1), np.flip(A), np.flip(A, 1)


def joins(x, y):
    return (np.stack((x, y)), np.stack((x, y), axis=-1), np.concatenate((x, y)), np.concatenate((x, y), axis=None),
            np.hstack((x, y)), np.vstack((x, y)))


def join_matrices(A, B):
    return np.concatenate((A, B), axis=1), np.stack((A, B), axis=1), np.vstack((A, B)), np.hstack((A, B))


def from_scalars(a, b):
    return np.array([a, b, 1.0]), np.asarray((a * b, a)), np.hstack((a, b))


def like_and_creation(x):
    z = np.zeros(3) + x
    o = np.ones((2, 3)) * x
    return z, o, np.zeros_like(x) + 1.0, np.full_like(x, 2.0), np.arange(3) * x, np.eye(3) @ x


def broadcasts(x):
    return np.broadcast_to(x, (2, 3)), np.atleast_2d(x), np.atleast_1d(x[0]), np.copy(x)


def shape_queries(A):
    return A.shape[0] * A + A.shape[-1] + A.ndim + A.size + len(A) + np.shape(A)[1]


TABLE = {
    "reshapes": (reshapes, vecs((6,)), (1,)),
    "transposes": (transposes, vecs((2, 3, 4)), (3,)),
    "new_axes": (new_axes, vecs((2, 3)), (2,)),
    "joins": (joins, vecs((3,), (3,)), (1, 1)),
    "join_matrices": (join_matrices, vecs((2, 3), (2, 3)), (2, 2)),
    "from_scalars": (from_scalars, vecs((), ()), (0, 0)),
    "like_and_creation": (like_and_creation, vecs((3,)), (1,)),
    "broadcasts": (broadcasts, vecs((3,)), (1,)),
    "shape_queries": (shape_queries, vecs((2, 3)), (2,)),
}


@pytest.mark.parametrize("f, factory, in_axes", params(TABLE))
def test_shapes(f, factory, in_axes):
    check(f, examples(factory), in_axes)


def stack_unmapped(x, y):  # y unmapped: broadcast to the batch before the stack
    return np.stack((x, y), axis=-1)


def test_shapes_compiled():
    check(stack_unmapped, examples(vecs((3,), (3,))), (0, None), compiled=True)
