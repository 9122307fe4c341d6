"""End to end: np.linalg.norm's matrix norms -- 'fro', 'nuc', 1, -1, 2, -2, inf, -inf -- of a
matrix and over a pair of axes of a stack, under grad (Python and s2s.jit), jacfwd, vmap and
hessian, against central differences (random inputs: singular values, column and row sums
are distinct, where these norms are differentiable). Second derivatives: 'nuc' has them
(the polar factor's derivative), 1/-1/inf/-inf are piecewise linear (zero), 2/-2 are refused."""
import numpy as np
import pytest
from grad_cases import central_difference

import s2s
from s2s.diff.runtime import DerivativeUnavailable

RNG = np.random.default_rng(11)
M = RNG.uniform(-1, 1, (4, 3))
S = RNG.uniform(-1, 1, (3, 4, 5))


def matrix_norms(a):
    return (np.linalg.norm(a, 2) + 0.5 * np.linalg.norm(a, -2) + np.linalg.norm(a, 1) ** 2 + np.linalg.norm(a, -1)
            + np.linalg.norm(a, np.inf) * np.linalg.norm(a, -np.inf) + np.linalg.norm(a, "nuc") + np.linalg.norm(a, "fro"))


def norms_over_axes(s):
    return (np.sum(np.linalg.norm(s, "nuc", axis=(2, 0)) ** 2) + np.sum(np.linalg.norm(s, 2, axis=(0, 1)))
            + np.sum(np.linalg.norm(s, -1, axis=(1, 2)) * np.arange(3.0)) + np.sum(np.linalg.norm(s, np.inf, axis=(-1, 1)))
            + np.sum(np.linalg.norm(s, axis=(0, 2)) ** 3) + np.sum(np.linalg.norm(s, "fro", axis=(2, 1))))


def nuclear_over_axes(s):
    return np.sum(np.linalg.norm(s, "nuc", axis=(0, 2)) ** 2)


def one_norm(a):
    return np.linalg.norm(a, 1) + np.linalg.norm(a, np.inf)


def two_norm(a):
    return np.linalg.norm(a, 2)


CASES = [(matrix_norms, M), (norms_over_axes, S)]
IDS = ["matrix", "over-axes"]


@pytest.mark.parametrize("fn, x", CASES, ids=IDS)
def test_grad_and_jacfwd(fn, x):
    want = central_difference(fn, (x,), 0)
    np.testing.assert_allclose(s2s.grad(fn)(x), want, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(s2s.jacfwd(fn)(x), want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("fn, x", CASES, ids=IDS)
def test_under_jit(fn, x):
    np.testing.assert_allclose(s2s.jit(fn)(x), fn(x), rtol=1e-12)
    np.testing.assert_allclose(s2s.jit(s2s.grad(fn))(x), central_difference(fn, (x,), 0), rtol=1e-6, atol=1e-7)


def test_vmap_of_grad_matches_stacking():
    xs = np.stack([M, M[::-1] * 1.5])
    np.testing.assert_allclose(s2s.vmap(s2s.grad(matrix_norms))(xs), np.stack([s2s.grad(matrix_norms)(x) for x in xs]),
                               rtol=1e-12)


def test_hessians():
    x = S[:2, :3, :2]
    grad = s2s.grad(nuclear_over_axes)
    want = np.stack([central_difference(lambda y, i=i: grad(y).ravel()[i], (x,), 0).ravel() for i in range(x.size)])
    np.testing.assert_allclose(s2s.hessian(nuclear_over_axes)(x).reshape(x.size, x.size), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(s2s.hessian(one_norm)(M), np.zeros(M.shape * 2))
    with pytest.raises(DerivativeUnavailable, match="ord=2"):
        s2s.hessian(two_norm)(M)
