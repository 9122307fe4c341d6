"""s2s.nn (jax.nn's names, in NumPy): values against independent formulas (scipy where it has
them), gradients against central differences in Python and compiled, and vmap."""
import math

import numpy as np
import pytest
import scipy.special as sp
from grad_cases import central_difference

import s2s
from s2s import nn

X = np.array([[-1.7, -0.2, 0.0], [0.4, 2.5, -3.0]])
SMOOTH = np.array([[-1.7, -0.2, 0.3], [0.4, 2.5, -3.0]])  # no kinks at 0 for the piecewise ones

CASES = [
    ("relu", lambda x: nn.relu(x), lambda x: np.where(x > 0, x, 0.0)),
    ("relu6", lambda x: nn.relu6(x * 3.0), lambda x: np.clip(x * 3.0, 0.0, 6.0)),
    ("sigmoid", lambda x: nn.sigmoid(x), sp.expit),
    ("log_sigmoid", lambda x: nn.log_sigmoid(x), sp.log_expit),
    ("softplus", lambda x: nn.softplus(x), lambda x: np.log1p(np.exp(x))),
    ("silu", lambda x: nn.silu(x), lambda x: x * sp.expit(x)),
    ("gelu", lambda x: nn.gelu(x), lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    ("gelu exact", lambda x: nn.gelu(x, approximate=False), lambda x: x * sp.ndtr(x)),
    ("elu", lambda x: nn.elu(x), lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    ("leaky_relu", lambda x: nn.leaky_relu(x), lambda x: np.where(x >= 0, x, 0.01 * x)),
    ("hard_tanh", lambda x: nn.hard_tanh(x), lambda x: np.minimum(np.maximum(x, -1), 1)),
    ("logsumexp", lambda x: nn.logsumexp(x), lambda x: sp.logsumexp(x)),
    ("logsumexp axis", lambda x: nn.logsumexp(x, axis=1), lambda x: sp.logsumexp(x, axis=1)),
    ("logsumexp keepdims", lambda x: nn.logsumexp(x, axis=0, keepdims=True),
     lambda x: sp.logsumexp(x, axis=0, keepdims=True)),
    ("log_softmax", lambda x: nn.log_softmax(x), lambda x: sp.log_softmax(x, axis=-1)),
    ("softmax axis 0", lambda x: nn.softmax(x, axis=0), lambda x: sp.softmax(x, axis=0)),
]
IDS = [c[0] for c in CASES]
COMPILED = {"relu", "softplus", "gelu exact", "logsumexp axis", "log_softmax"}
W = np.array([[0.3, -1.0, 0.7], [1.1, 0.2, -0.4]])


@pytest.mark.parametrize("name,fn,ref", CASES, ids=IDS)
def test_values(name, fn, ref):
    np.testing.assert_allclose(fn(X), ref(X), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(s2s.jit(fn)(X), ref(X), rtol=1e-12, atol=1e-14)


def weighted(out):
    return np.sum(out * np.resize(W.ravel(), np.shape(out)))


@pytest.mark.parametrize("name,fn,ref", CASES, ids=IDS)
def test_gradients(name, fn, ref):
    f = lambda x: weighted(fn(x))  # noqa: E731
    want = central_difference(lambda x: weighted(ref(x)), (SMOOTH,), 0)
    np.testing.assert_allclose(s2s.grad(f)(SMOOTH), want, rtol=1e-6, atol=1e-8)
    if name in COMPILED:  # (a sample: each compiled gradient costs seconds of numba)
        np.testing.assert_allclose(s2s.jit(s2s.grad(f))(SMOOTH), want, rtol=1e-6, atol=1e-8)


def test_relu_derivative_at_zero_is_zero():
    assert s2s.grad(lambda x: nn.relu(x))(0.0) == 0.0


def test_vmap_and_one_hot():
    np.testing.assert_allclose(s2s.vmap(nn.softmax)(X), sp.softmax(X, axis=1), rtol=1e-12)
    labels = np.array([2, 0, 1])
    np.testing.assert_array_equal(nn.one_hot(labels, 3), np.eye(3)[labels])
    loss = lambda z: -np.sum(nn.one_hot(labels, 3) * nn.log_softmax(z))  # noqa: E731
    z = np.array([[0.1, 0.5, -0.3], [1.0, -1.0, 0.2], [0.0, 0.3, 0.3]])
    np.testing.assert_allclose(s2s.grad(loss)(z), sp.softmax(z, axis=1) - np.eye(3)[labels], rtol=1e-10)
