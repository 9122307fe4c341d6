"""jvp / linearize: JAX's API and errors, pytrees, integer primals, has_aux, compositions
(Hessian-vector products by forward over reverse), and the generated source."""
import numpy as np
import pytest

import s2s

RNG = np.random.default_rng(3)


def sum_logistic(x):
    return np.sum(1.0 / (1.0 + np.exp(-x)))


def predict(params, x):
    w, b = params
    return np.tanh(x @ w + b)


def scaled(x, n):
    y = x
    for _ in range(n):
        y = 2.0 * y
    return y


def _fd(f, primals, tangents, eps=1e-6):
    up = [p + eps * t for p, t in zip(primals, tangents)]
    down = [p - eps * t for p, t in zip(primals, tangents)]
    return (np.asarray(f(*up)) - np.asarray(f(*down))) / (2 * eps)


def test_jvp_of_the_quickstart_function():
    x, v = np.arange(3.0), np.array([1.0, -1.0, 0.5])
    out, tangent = s2s.jvp(sum_logistic, (x,), (v,))
    s = 1.0 / (1.0 + np.exp(-x))
    np.testing.assert_allclose(out, sum_logistic(x), rtol=1e-15)
    np.testing.assert_allclose(tangent, np.sum(s * (1 - s) * v), rtol=1e-13)


def test_lists_work_like_tuples():
    x, v = np.arange(3.0), np.ones(3)
    assert s2s.jvp(sum_logistic, [x], [v]) == s2s.jvp(sum_logistic, (x,), (v,))


def test_pytree_primals_and_tangents():
    w, b, x = RNG.normal(size=(3, 2)), RNG.normal(size=2), RNG.normal(size=3)
    dw, db = RNG.normal(size=(3, 2)), RNG.normal(size=2)
    out, tangent = s2s.jvp(predict, ((w, b), x), ((dw, db), np.zeros(3)))
    want = _fd(lambda w_, b_: predict((w_, b_), x), (w, b), (dw, db))
    np.testing.assert_allclose(out, predict((w, b), x))
    np.testing.assert_allclose(tangent, want, rtol=1e-6, atol=1e-9)


def test_integer_primals_are_held_constant():
    out, tangent = s2s.jvp(scaled, (np.array([1.0, 2.0]), 3), (np.array([1.0, 0.0]), 0))
    np.testing.assert_allclose(out, [8.0, 16.0])
    np.testing.assert_allclose(tangent, [8.0, 0.0])


def test_has_aux_returns_the_aux_third():
    def f(x):
        return np.sin(x), {"norm": np.sum(x * x)}

    x = np.array([0.2, 0.4])
    out, tangent, aux = s2s.jvp(f, (x,), (np.ones(2),), has_aux=True)
    np.testing.assert_allclose(out, np.sin(x))
    np.testing.assert_allclose(tangent, np.cos(x))
    assert aux == {"norm": np.sum(x * x)}


def test_hessian_vector_product_by_forward_over_reverse():
    x, v = RNG.normal(size=5), RNG.normal(size=5)
    _, hvp = s2s.jvp(s2s.grad(sum_logistic), (x,), (v,))
    H = s2s.hessian(sum_logistic)(x)
    np.testing.assert_allclose(hvp, H @ v, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(hvp, _fd(s2s.grad(sum_logistic), (x,), (v,)), rtol=1e-6, atol=1e-9)


def test_third_order_by_jvp_of_hessian():
    def cube(x):
        return x ** 3 * np.sin(x)

    d3 = s2s.jvp(s2s.grad(s2s.grad(cube)), (0.7,), (1.0,))[1]
    x = 0.7
    want = 6 * np.sin(x) + 18 * x * np.cos(x) - 9 * x * x * np.sin(x) - x ** 3 * np.cos(x)
    np.testing.assert_allclose(d3, want, rtol=1e-12)


def test_linearize_matches_jvp():
    x = RNG.normal(size=4)
    out, f_jvp = s2s.linearize(sum_logistic, x)
    np.testing.assert_allclose(out, sum_logistic(x))
    for _ in range(3):
        v = RNG.normal(size=4)
        np.testing.assert_allclose(f_jvp(v), s2s.jvp(sum_logistic, (x,), (v,))[1], rtol=1e-15)
    assert "def sum_logistic_lint(" in s2s.source(f_jvp)  # straight-line: the linear part alone


def test_linearize_through_a_loop_reruns_the_twin():
    out, f_jvp = s2s.linearize(scaled, np.array([1.0, 2.0]), 3)
    np.testing.assert_allclose(out, [8.0, 16.0])
    np.testing.assert_allclose(f_jvp(np.array([1.0, 0.0]), 0), [8.0, 0.0])


def rebinds_its_parameter(c, w):
    c = np.tanh(w * c)  # the tangent reads both versions of c
    return c, c * 2.0


def calls_the_rebinding_helper(w):
    c, y = rebinds_its_parameter(0.5, w)
    return c + y


def test_linearized_helper_that_rebinds_a_parameter():
    # regression: the linear part read the rebound value for both versions (a wrong jacfwd)
    want = _fd(calls_the_rebinding_helper, [0.7], [1.0])
    assert s2s.jacfwd(calls_the_rebinding_helper)(0.7) == pytest.approx(want, rel=1e-7)
    assert s2s.linearize(calls_the_rebinding_helper, 0.7)[1](1.0) == pytest.approx(want, rel=1e-7)
    assert s2s.jit(s2s.jacfwd(calls_the_rebinding_helper))(0.7) == pytest.approx(want, rel=1e-7)


def test_jvp_source_is_readable():
    src = s2s.source(s2s.linearize(sum_logistic, np.ones(2))[1])
    assert "dx" in src and "# test_forward.py:" in src


@pytest.mark.parametrize("call, exc, match", [
    (lambda: s2s.jvp(sum_logistic, np.ones(3), np.ones(3)), TypeError, "tuples or lists"),
    (lambda: s2s.jvp(sum_logistic, (np.ones(3),), (np.ones(3), np.ones(3))), TypeError, "tree structure"),
    (lambda: s2s.jvp(sum_logistic, (np.ones(3),), (np.ones(2),)), ValueError, "shapes"),
    (lambda: s2s.jvp(sum_logistic, (np.ones(3),), (np.ones(3, np.float32),)), TypeError, "dtypes"),
    (lambda: s2s.jvp(5, (1.0,), (1.0,)), TypeError, "callable"),
    (lambda: s2s.jvp(sum_logistic, (np.ones(3),), (np.ones(3),), has_aux=True), TypeError, "pair"),
    (lambda: s2s.linearize(sum_logistic), TypeError, "primal"),
    (lambda: s2s.linearize(sum_logistic, np.ones(3))[1](np.ones(2)), ValueError, "shapes"),
])
def test_misuse_raises_jax_error_types(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def hvp(x, v):
    return s2s.jvp(s2s.grad(sum_logistic), (x,), (v,))[1]


def directional(x, v):
    return s2s.jvp(sum_logistic, (x,), (v,))[1]


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_jvp_of_grad_inside_jit_is_a_compiled_hessian_vector_product(jit):
    x, v = RNG.normal(size=6), RNG.normal(size=6)
    f = s2s.jit(hvp) if jit else s2s.jit(hvp).python()
    np.testing.assert_allclose(f(x, v), s2s.hessian(sum_logistic)(x) @ v, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_grad_of_a_function_calling_jvp(jit):
    x, v = RNG.normal(size=4), RNG.normal(size=4)
    g = s2s.grad(directional)
    got = (s2s.jit(g) if jit else g)(x, v)
    np.testing.assert_allclose(got, s2s.hessian(sum_logistic)(x) @ v, rtol=1e-12, atol=1e-15)


def test_transformations_made_inside_code_take_constant_options():
    def two(x, y):
        return np.sum(x * x * y)

    def f(x, y):
        return s2s.grad(two, argnums=1)(x, y) + s2s.jacfwd(two)(x, y)

    x, y = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    np.testing.assert_allclose(s2s.jit(f)(x, y), x * x + 2 * x * y)


def test_jvp_inside_code_needs_literal_tuples():
    def bad(x, v):
        p = (x,)
        return s2s.jvp(sum_logistic, p, (v,))[1]

    with pytest.raises(s2s.errors.UnsupportedSyntaxError, match="literal tuples"):
        s2s.jit(bad)(np.ones(2), np.ones(2))
