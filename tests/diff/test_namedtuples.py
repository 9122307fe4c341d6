"""Namedtuples built inside transformed code (diff/pytrees.py, parse/functional.py): `P(a, b)`
packs as a tuple does for the derivatives, `p.a` reads its field, and a function returning
one gets Jacobians, tangents, batches and gradients of the same namedtuple type (as JAX's
pytrees do). Checked against central differences and analytic derivatives, in Python and
compiled with numba."""
from collections import namedtuple

import numpy as np
import pytest

from grad_cases import central_jacobian

import s2s

P = namedtuple("P", "a b")
Q = namedtuple("Q", ["w", "scale"], defaults=[2.0])

X = np.array([0.7, -1.3, 2.1])
PATHS = ["python", "numba"]


def _maybe_jit(fn, path):
    return s2s.jit(fn) if path == "numba" else fn


def helper(x):
    return P(x ** 2, b=np.sin(x))


def loss(x):
    p = helper(x)
    q = Q(p.a)  # scale: its default
    return np.sum(q.w * p.b) * q.scale


def loss_keywords(x):
    q = Q(scale=np.sum(x), w=np.exp(x))  # keywords out of field order
    return np.sum(q.w) * q.scale


def pair(x):
    return P(b=np.sin(x) * x[0], a=x ** 3)


@pytest.mark.parametrize("path", PATHS)
def test_gradient_through_construction_and_field_reads(path):
    want = 2.0 * (2 * X * np.sin(X) + X ** 2 * np.cos(X))
    np.testing.assert_allclose(_maybe_jit(s2s.grad(loss), path)(X), want, rtol=1e-12)
    np.testing.assert_allclose(_maybe_jit(s2s.grad(loss_keywords), path)(X),
                               central_jacobian(loss_keywords, X), rtol=1e-6)
    np.testing.assert_allclose(_maybe_jit(s2s.hessian(loss), path)(X), central_jacobian(s2s.grad(loss), X), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("jac", [s2s.jacfwd, s2s.jacrev], ids=["jacfwd", "jacrev"])
def test_jacobians_of_a_namedtuple_output_are_that_namedtuple(jac, path):
    J = _maybe_jit(jac(pair), path)(X)
    assert type(J) is P
    np.testing.assert_allclose(J.a, central_jacobian(lambda x: pair(x).a, X), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(J.b, central_jacobian(lambda x: pair(x).b, X), rtol=1e-6, atol=1e-9)


def test_jvp_and_vjp_are_consistent():
    rng = np.random.default_rng(3)
    v = rng.normal(size=X.shape)
    ct = P(rng.normal(size=X.shape), rng.normal(size=X.shape))
    out, tangent = s2s.jvp(pair, (X,), (v,))
    assert type(out) is P and type(tangent) is P
    value, pullback = s2s.vjp(pair, X)
    assert type(value) is P
    (back,) = pullback(ct)
    np.testing.assert_allclose(np.vdot(back, v), np.vdot(ct.a, tangent.a) + np.vdot(ct.b, tangent.b), rtol=1e-12)
    np.testing.assert_allclose(tangent.a, central_jacobian(lambda x: pair(x).a, X) @ v, rtol=1e-6)


@pytest.mark.parametrize("path", PATHS)
def test_vmap_of_a_namedtuple_output_batches_each_field(path):
    xs = np.stack([X, X[::-1], X * 0.5])
    got = _maybe_jit(s2s.vmap(pair), path)(xs)
    assert type(got) is P
    for i, x in enumerate(xs):
        np.testing.assert_allclose(got.a[i], pair(x).a, rtol=1e-15)
        np.testing.assert_allclose(got.b[i], pair(x).b, rtol=1e-15)
    moved = _maybe_jit(s2s.vmap(pair, out_axes=1), path)(xs)
    np.testing.assert_allclose(moved.a, got.a.T, rtol=1e-15)
    per_example = _maybe_jit(s2s.vmap(s2s.grad(loss)), path)(xs)
    np.testing.assert_allclose(per_example, np.stack([s2s.grad(loss)(x) for x in xs]), rtol=1e-12)


@pytest.mark.parametrize("path", PATHS)
def test_a_namedtuple_as_auxiliary_output(path):
    def value_and_aux(x):
        p = helper(x)
        return np.sum(p.a), p

    (value, aux), g = _maybe_jit(s2s.value_and_grad(value_and_aux, has_aux=True), path)(X)
    assert type(aux) is P
    np.testing.assert_allclose(aux.b, np.sin(X), rtol=1e-15)
    np.testing.assert_allclose(value, np.sum(X ** 2), rtol=1e-15)
    np.testing.assert_allclose(g, 2 * X, rtol=1e-15)
