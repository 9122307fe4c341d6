"""Batch rules of the runtime helpers derivative code calls (s2s/vectorize/rules/
derivatives.py): vmap(grad(f)) of straight-line f is array-batched -- per-example gradients
as whole-batch array code -- and equals the per-example gradients."""
import numpy as np
import pytest

import s2s
from vectorize.batch_check import examples, vecs
from test_vmap import _batch, _reference, assert_tree_close


def logistic(w, x, y):
    return np.log1p(np.exp(-y * np.dot(x, w)))


def mlp(W, b, x):
    h = np.tanh(W @ x + b)
    return np.sum(h * h) / 2.0 + 0.1 * np.sum(W * W)


def scalars(a, b):
    return a * b + np.sin(a) / (1.0 + b * b)


def broadcasting(x, c):
    return np.sum(x * c) + np.mean(x) * c


def vector_matrix(x, A):
    return np.sum((x @ A) ** 2) + np.dot(A, x[:2]).sum()


CASES = {
    "logistic": (logistic, lambda rng: (rng.standard_normal(4), rng.standard_normal(4), float(np.sign(rng.normal()))),
                 [(None, 0, 0), (0, 0, 0), (None, 1, None)]),
    "mlp": (mlp, vecs((3, 4), (3,), (4,)), [(None, None, 0), (0, 0, 0), (0, None, None)]),
    "scalars": (scalars, vecs((), ()), [(0, 0), (0, None)]),
    "broadcasting": (broadcasting, vecs((3,), ()), [(0, 0), (0, None), (None, 0)]),
    "vector_matrix": (vector_matrix, vecs((3,), (3, 2)), [(0, 0), (None, 0), (0, None)]),
}


def _params():
    return [pytest.param(name, in_axes, argnums, id=f"{name}-in{in_axes}-arg{argnums}")
            for name, (f, _, axes) in CASES.items() for in_axes in axes for argnums in (0, 1)]


@pytest.mark.parametrize("name, in_axes, argnums", _params())
def test_per_example_gradients(name, in_axes, argnums):
    f, factory, _ = CASES[name]
    g = s2s.grad(f, argnums=argnums)
    args = _batch(examples(factory), in_axes)
    v = s2s.vmap(g, in_axes=in_axes, strategy="array")
    assert_tree_close(v(*args), _reference(g, args, in_axes, 0), rtol=1e-10)


def test_logistic_gradient_is_one_expression_per_example_batch():
    g = s2s.vmap(s2s.grad(logistic), in_axes=(None, 0, 0))
    w, X, y = np.ones(4), np.ones((5, 4)), np.ones(5)
    src = g.source(w, X, y)
    assert g.chosen_strategy(w, X, y) == "array" and "for " not in src
    assert "[:, None] * x" in src


def test_per_example_gradients_compiled():
    f, factory, _ = CASES["logistic"]
    g = s2s.grad(f)
    args = _batch(examples(factory), (None, 0, 0))
    v = s2s.vmap(g, in_axes=(None, 0, 0))
    assert_tree_close(s2s.jit(v)(*args), _reference(g, args, (None, 0, 0), 0), rtol=1e-10)
