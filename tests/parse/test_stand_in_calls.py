"""Calls of functions that take a function (np.vectorize, np.apply_along_axis) and the NumPy
functions done through stand-ins (np.maximum/minimum.accumulate, np.linalg.cond) or constant
for differentiation (index helpers): values and derivatives against NumPy and central
differences, in Python, batched and compiled."""
import numpy as np
import pytest

import s2s
from grad_cases import central_difference
from s2s.errors import S2SError


def _central(f, x):
    return central_difference(f, (x,), 0)


def piece(t):
    return t * t if t > 0 else -t


vpiece = np.vectorize(piece)


@np.vectorize
def hinge(t, c):
    return max(t - c, 0.0) ** 2


def vectorize_lambda(x):
    return np.sum(np.vectorize(lambda t: t * t if t > 0 else -t)(x) * np.arange(3.0))


def vectorize_global(x):
    return np.sum(vpiece(x) * 2.0) + np.sum(hinge(x, 0.1))


def vectorize_inline(x):
    w = 3.0
    return np.sum(np.vectorize(piece, otypes=[float])(x[0]) + x[1, 0]) \
        + np.sum(np.vectorize(lambda a, b: a * w + np.sin(b))(x, x[0]) ** 2)


def row_energy(r):
    return np.sum(r ** 2)


def scaled(r, c):
    return r * c


def along_axis(x):
    return np.sum(np.apply_along_axis(row_energy, 1, x) ** 2) \
        + np.sum(np.apply_along_axis(scaled, 0, x, 2.0) ** 2 * np.arange(3.0))


def along_axis_lambda(x):
    return np.sum(np.apply_along_axis(lambda c: np.cumsum(c) * c[0], 0, x) * np.arange(3.0))


def accumulates(x):
    return np.sum(np.maximum.accumulate(x[0]) * np.arange(3.0)) \
        + np.sum(np.minimum.accumulate(x, axis=1) ** 2 * np.arange(3.0)) \
        + np.sum(np.maximum.accumulate(x) ** 3)


def conditions(x):
    s = x @ x.T + np.eye(3)
    return np.linalg.cond(s) + 0.5 * np.linalg.cond(s, 1) + np.linalg.cond(s, -2) + np.linalg.cond(x, "fro")


def index_helpers(x):
    return np.sum(x[np.triu_indices_from(x, k=1)] ** 2) + np.sum(x[np.tril_indices_from(x)] ** 3) \
        + np.sum(x * np.digitize(x, np.array([0.0, 0.45]))) \
        + np.sum(np.where(np.isin(np.arange(3), np.array([1])), x[0], 0.0) ** 2)


def fits(x):
    """np.polyfit of a line through points x[0] (abscissae) and of a quadratic through rows."""
    t = np.linspace(0.0, 1.0, 3)
    return np.sum(np.polyfit(x[0] + np.array([0.0, 2.0, 4.0]), x[1], 1) ** 2) \
        + np.sum(np.polyfit(t, x.T, 2) * np.arange(1.0, 4.0)[:, None])


X = np.array([[0.3, -1.2, 2.0], [0.55, 0.7, -0.1], [1.0, 2.0, 0.25]])
CASES = [vectorize_lambda, vectorize_global, vectorize_inline, along_axis, along_axis_lambda, accumulates,
         conditions, index_helpers, fits]


@pytest.mark.parametrize("fn", CASES)
def test_values_and_derivatives(fn):
    want = _central(fn, X)
    value, grad = s2s.value_and_grad(fn)(X)
    np.testing.assert_allclose(value, fn(X), rtol=1e-12)
    np.testing.assert_allclose(grad, want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jacfwd(fn)(X), want, rtol=1e-6, atol=1e-8)
    xs = np.stack([X, X[::-1] * 0.9])
    np.testing.assert_allclose(s2s.vmap(s2s.grad(fn))(xs), np.stack([s2s.grad(fn)(x) for x in xs]), rtol=1e-12)


def vectorized_all(x):
    return vectorize_lambda(x) + vectorize_global(x) + vectorize_inline(x)


def along_all(x):
    return along_axis(x) + np.sum(np.minimum.accumulate(x, axis=1) ** 2 * np.arange(3.0))


def linalg_all(x):
    """(np.linalg.cond with p and np.isin: numba takes over ten seconds more to compile its
    np.linalg.norm and np.isin; their Python path is checked above.)"""
    s = x @ x.T + np.eye(3)
    return np.linalg.cond(s) + np.sum(x[np.triu_indices_from(x, k=1)] ** 2) \
        + np.sum(x * np.digitize(x, np.array([0.0, 0.45]))) + np.sum(np.polyfit(x[0], x[2], 1))


@pytest.mark.parametrize("fn", [vectorized_all, along_all, linalg_all])
def test_compiled(fn):
    """A few functions each (numba compiles each one's derivative code in seconds)."""
    np.testing.assert_allclose(s2s.jit(fn)(X), fn(X), rtol=1e-12)
    np.testing.assert_allclose(s2s.jit(s2s.grad(fn))(X), _central(fn, X), rtol=1e-6, atol=1e-8)


def outside_signature(x):
    return np.sum(np.vectorize(piece, signature="()->()")(x))


vsig = np.vectorize(piece, excluded={1})


def outside_excluded(x):
    return np.sum(vsig(x))


def vectorize_keywords(x):
    return np.sum(vpiece(t=x))


def weighted_fit(x):
    return np.sum(np.polyfit(x[0], x[1], 1, w=x[2]))


def test_polyfit_other_arguments_are_refused():
    with pytest.raises(ValueError, match="three positional arguments only"):
        s2s.grad(weighted_fit)(X)


@pytest.mark.parametrize("fn, what", [(outside_signature, "signature="), (outside_excluded, "excluded="),
                                      (vectorize_keywords, "positional arguments")])
def test_unsupported_vectorize_forms_are_refused(fn, what):
    with pytest.raises(S2SError, match=what) as info:
        s2s.grad(fn)(X)
    assert "test_stand_in_calls.py" in str(info.value)
