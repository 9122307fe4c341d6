"""The functions vjp and linearize return are functions s2s transforms like any other:
vmap(pullback) builds a Jacobian by rows and vmap(f_jvp) by columns (JAX's autodiff
cookbook), jit compiles them, and code calling them is differentiated and batched."""
import numpy as np
import pytest

import s2s


def f(x):
    return np.sin(x) * np.cos(x[::-1]) + x[0] * x ** 2


def looped(x):
    # a while loop: linearize cannot split it, f_jvp reruns the whole JVP twin
    y = x
    k = 0
    while k < 3:
        y = np.sin(y) + 0.5 * y * x
        k += 1
    return y


def two_args(x, w):
    return np.tanh(w @ x)


X = np.array([0.3, -1.2, 0.8, 2.0])
W = np.arange(12.0).reshape(3, 4) / 10.0


@pytest.mark.parametrize("fn", [f, looped], ids=["split", "whole-twin"])
def test_vmap_of_the_pullback_gives_the_jacobian_by_rows(fn):
    _, pull = s2s.vjp(fn, X)
    rows = s2s.vmap(pull)(np.eye(4))
    assert isinstance(rows, tuple) and len(rows) == 1
    np.testing.assert_allclose(rows[0], s2s.jacfwd(fn)(X), rtol=1e-12)
    np.testing.assert_allclose(s2s.jit(s2s.vmap(pull))(np.eye(4))[0], s2s.jacfwd(fn)(X), rtol=1e-12)


@pytest.mark.parametrize("fn", [f, looped], ids=["split", "whole-twin"])
def test_vmap_of_the_linearized_function_gives_the_jacobian_by_columns(fn):
    _, f_jvp = s2s.linearize(fn, X)
    np.testing.assert_allclose(s2s.vmap(f_jvp)(np.eye(4)), s2s.jacrev(fn)(X).T, rtol=1e-12)
    t = np.array([1.0, -2.0, 0.5, 0.25])
    np.testing.assert_allclose(s2s.jit(f_jvp)(t), f_jvp(t), rtol=1e-12)


def test_jit_of_the_pullback_and_of_two_primals():
    _, pull = s2s.vjp(two_args, X, W)
    ct = np.array([1.0, -0.5, 2.0])
    want = pull(ct)
    got = s2s.jit(pull)(ct)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    jx, jw = s2s.jacrev(two_args, argnums=(0, 1))(X, W)
    np.testing.assert_allclose(want[0], ct @ jx, rtol=1e-12)
    np.testing.assert_allclose(want[1], np.tensordot(ct, jw, 1), rtol=1e-12)


def test_a_function_calling_the_pullback_is_differentiated_and_batched():
    _, pull = s2s.vjp(f, X)
    jac = s2s.jacfwd(f)(X)

    def energy(c):
        return np.sum(pull(c)[0] ** 2)  # |J^T c|^2

    c = np.array([0.5, -1.0, 0.25, 2.0])
    np.testing.assert_allclose(s2s.grad(energy)(c), 2.0 * jac @ (jac.T @ c), rtol=1e-12)
    np.testing.assert_allclose(s2s.vmap(lambda v: pull(v)[0])(np.eye(4)), jac, rtol=1e-12)


def test_the_pullback_keeps_its_checks_when_called():
    _, pull = s2s.vjp(f, X)
    with pytest.raises(ValueError, match="shape"):
        pull(np.ones(3))
