"""The reverse-mode API: argnums, has_aux, allow_int, pytrees in and out, vjp, and JAX's
errors for misuse. Values are checked against central differences and analytic formulas."""
import numpy as np
import pytest

import s2s
from grad_cases import central_difference

RNG = np.random.default_rng(3)
W0, B0, X0 = RNG.normal(size=(3, 4)), RNG.normal(size=3), RNG.normal(size=4)


def two_args(x, y):
    return np.sum(np.sin(x) * y) + x[0] * x[1]


def dict_loss(params, x):
    h = np.tanh(params["W"] @ x + params["b"])
    return np.sum(h * h) + params["c"][0] * params["c"][1]


def list_loss(layers, x):
    h = np.tanh(layers[0] @ x)
    return np.sum(layers[1] * h)


def pair(t):
    a, b = t
    return a * b, a + b


def tuple_helper(x, y):
    u, v = pair((x, y))
    return u * v


def with_aux(x):
    return np.sum(x ** 2), {"mean": np.mean(x), "n": x.shape[0]}


def vector_out(x):
    return np.sin(x) * x[0]


def tuple_out(x):
    return np.sin(x), {"s": np.sum(x * x)}


def int_scale(x, n):
    return x * n


def _flat_fd(fn, params, path_get, path_set, eps=1e-6):
    """Central differences of fn(params) w.r.t. the leaf of params at a path."""
    leaf = np.asarray(path_get(params), dtype=float)
    out = np.zeros(leaf.shape)
    for i in np.ndindex(leaf.shape) if leaf.shape else [()]:
        up, down = leaf.copy(), leaf.copy()
        up[i] += eps
        down[i] -= eps
        out[i] = (fn(path_set(params, up if leaf.shape else float(up)))
                  - fn(path_set(params, down if leaf.shape else float(down)))) / (2 * eps)
    return out


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0), -1, (-2,)])
def test_argnums_forms(argnums, jit):
    x, y = RNG.normal(size=4), RNG.normal(size=4)
    g = s2s.grad(two_args, argnums=argnums)
    got = (s2s.jit(g) if jit else g)(x, y)
    fd = [central_difference(two_args, (x, y), i) for i in (0, 1)]
    if isinstance(argnums, int):
        np.testing.assert_allclose(got, fd[argnums], rtol=1e-6, atol=1e-8)
    else:
        assert isinstance(got, tuple) and len(got) == len(argnums)
        for gi, a in zip(got, argnums):
            np.testing.assert_allclose(gi, fd[a], rtol=1e-6, atol=1e-8)


def test_dict_of_arrays_and_tuple_leaves():
    p = {"W": W0, "b": B0, "c": (1.5, -2.0)}
    g = s2s.grad(dict_loss)(p, X0)
    assert isinstance(g, dict) and list(g) == ["W", "b", "c"] and isinstance(g["c"], tuple)
    f = lambda q: dict_loss(q, X0)  # noqa: E731
    np.testing.assert_allclose(g["W"], _flat_fd(f, p, lambda q: q["W"], lambda q, v: {**q, "W": v}), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g["b"], _flat_fd(f, p, lambda q: q["b"], lambda q, v: {**q, "b": v}), rtol=1e-6, atol=1e-8)
    assert g["c"] == pytest.approx((-2.0, 1.5))


def test_list_of_arrays_gives_a_list():
    layers = [W0, B0]
    g = s2s.grad(list_loss)(layers, X0)
    assert isinstance(g, list) and len(g) == 2
    f = lambda q: list_loss(q, X0)  # noqa: E731
    np.testing.assert_allclose(g[0], _flat_fd(f, layers, lambda q: q[0], lambda q, v: [v, q[1]]), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g[1], np.tanh(W0 @ X0), rtol=1e-12)


def test_structures_are_specialized_per_call():
    g = s2s.grad(lambda t: t[0] * t[1])
    assert g((2.0, 3.0)) == pytest.approx((3.0, 2.0))
    assert g([2.0, 5.0]) == pytest.approx([5.0, 2.0])


def test_tuple_passed_to_and_returned_from_a_helper():
    got = s2s.grad(tuple_helper, argnums=(0, 1))(2.0, 3.0)
    # u v = x y (x + y): d/dx = 2 x y + y^2, d/dy = x^2 + 2 x y
    assert got == pytest.approx((2 * 2 * 3 + 9, 4 + 2 * 2 * 3))


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_tuple_helper_compiles(jit):
    g = s2s.grad(tuple_helper, argnums=1)
    assert (s2s.jit(g) if jit else g)(2.0, 3.0) == pytest.approx(16.0)


def test_has_aux():
    x = np.arange(3.0)
    g, aux = s2s.grad(with_aux, has_aux=True)(x)
    np.testing.assert_allclose(g, 2 * x)
    assert aux == {"mean": 1.0, "n": 3}
    (value, aux2), g2 = s2s.value_and_grad(with_aux, has_aux=True)(x)
    assert value == pytest.approx(5.0) and aux2 == aux
    np.testing.assert_allclose(g2, 2 * x)


def test_vjp_matches_the_jacobian_transpose():
    x = RNG.normal(size=5)
    out, f_vjp = s2s.vjp(vector_out, x)
    np.testing.assert_allclose(out, vector_out(x))
    jac = np.stack([central_difference(lambda z: vector_out(z)[i], (x,), 0) for i in range(5)])
    u = RNG.normal(size=5)
    (ct,) = f_vjp(u)
    np.testing.assert_allclose(ct, jac.T @ u, rtol=1e-6, atol=1e-8)


def test_vjp_with_pytree_output_and_aux():
    x = np.arange(3.0)
    out, f_vjp = s2s.vjp(tuple_out, x)
    (ct,) = f_vjp((np.ones(3), {"s": 2.0}))
    np.testing.assert_allclose(ct, np.cos(x) + 4 * x)
    value, f_vjp2, aux = s2s.vjp(with_aux, x, has_aux=True)
    assert value == pytest.approx(5.0) and aux["n"] == 3
    np.testing.assert_allclose(f_vjp2(1.0)[0], 2 * x)


def test_allow_int():
    with pytest.raises(TypeError, match="allow_int"):
        s2s.grad(int_scale, argnums=1)(2.0, 3)
    # JAX: an integer input's gradient has the trivial dtype float0 (no data), not a number
    g = s2s.grad(int_scale, argnums=1, allow_int=True)(2.0, 3)
    assert g.dtype == s2s.autodiff.FLOAT0 and g.shape == ()
    summed = lambda x, n: np.sum(x * n)  # noqa: E731
    gx, gn = s2s.grad(summed, argnums=(0, 1), allow_int=True)(2.0, np.array([3, 4]))
    assert gn.dtype == s2s.autodiff.FLOAT0 and gn.shape == (2,)
    assert gx == pytest.approx(7.0)
    (cx, cn) = s2s.vjp(int_scale, 2.0, 3)[1](1.0)
    assert cx == pytest.approx(3.0) and cn.dtype == s2s.autodiff.FLOAT0


@pytest.mark.parametrize("call, exc, match", [
    (lambda: s2s.grad(vector_out)(np.ones(3)), TypeError, "scalar-output"),
    (lambda: s2s.grad(tuple_out)(np.ones(3)), TypeError, "scalar-output functions. Output was a tuple"),
    (lambda: s2s.value_and_grad(tuple_out)(np.ones(3)), TypeError, "scalar-output"),
    (lambda: s2s.grad(int_scale)(2, 3.0), TypeError, "inexact"),
    (lambda: s2s.grad(two_args, argnums=2)(1.0, 2.0), TypeError, "argnums"),
    (lambda: s2s.grad(two_args, argnums="x"), TypeError, "argnums"),
    (lambda: s2s.grad(two_args, argnums=()), TypeError, "argnums"),
    (lambda: s2s.grad(3), TypeError, "callable"),
    (lambda: s2s.grad(vector_out, has_aux=True)(np.ones(3)), TypeError, "pair"),
    (lambda: s2s.vjp(vector_out, np.ones(3))[1](np.ones(4)), ValueError, "shape"),
    (lambda: s2s.vjp(tuple_out, np.ones(3))[1](np.ones(3)), ValueError, "structure"),
    (lambda: s2s.vjp(vector_out), TypeError, "primal"),
])
def test_misuse_raises_jax_error_types(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def product(a, b):
    return a * b * 2.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
def test_gradient_has_the_dtype_of_its_argument(dtype):
    x = (np.arange(3.0) + 0.5).astype(dtype)
    g = s2s.grad(lambda v: np.real(np.sum(v * v)))(x)  # a float64 seed and constants: JAX returns x's dtype
    assert g.dtype == dtype
    np.testing.assert_allclose(g, 2 * x, rtol=1e-6)  # d/dRe - i d/dIm of Re(z^2) is 2z
    d, e = s2s.grad(product, argnums=(0, 1))(np.float32(0.5), 2.0)
    assert type(d) is np.float32 and e == pytest.approx(1.0)


def indexed_by_variable(t, i):  # a tuple of pairs: constant indices only
    return t[i][1] * 2.0


def test_container_indexed_by_a_variable_is_a_clear_error():
    with pytest.raises(s2s.errors.UnsupportedSyntaxError, match="constant"):
        s2s.grad(indexed_by_variable)(((1.0, 2.0), (3.0, 4.0)), 1)


def nested_with_defaults(x, a):
    def inner(y, k=2.0):
        return a * y ** k

    return inner(x) + inner(x, k=3.0)


def nested_as_value(x):
    def inner(y):
        return y * 2.0

    f = inner
    return f(x)


def test_nested_function_with_defaults_and_keywords():
    # d/dx [a x^2 + a x^3] = 2 a x + 3 a x^2
    for g in (s2s.grad(nested_with_defaults), s2s.jit(s2s.grad(nested_with_defaults))):
        assert g(1.5, 2.0) == pytest.approx(2 * 2.0 * 1.5 + 3 * 2.0 * 1.5 ** 2)


def test_nested_function_used_as_a_value_is_a_clear_error():
    with pytest.raises(s2s.errors.UnsupportedSyntaxError, match="used as a value"):
        s2s.grad(nested_as_value)(1.0)


def newaxis_outer(x):
    return np.sum((x[:, None] * x[None, :]) ** 2)


def take_with_list(x):
    return np.sum(np.take(x, [0, 0, 3]) ** 2)


def concatenate_list(x):
    return np.sum(np.concatenate([x, x ** 2]) * np.arange(2 * x.shape[0]))


def stack_list(x):
    return np.sum(np.stack([x, 2.0 * x], axis=1) ** 2)


def sort_weighted(x):
    return np.sum(np.sort(x) * np.arange(x.shape[0]))


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
@pytest.mark.parametrize("fn", [newaxis_outer, take_with_list, concatenate_list, stack_list, sort_weighted],
                         ids=lambda f: f.__name__)
def test_indexing_and_sequence_calls(fn, jit):
    """np.newaxis in an index, np.take with a list, list literals in concatenate/stack (a
    tuple for numba), np.sort: compiled gradients as well as Python ones."""
    x = np.array([0.3, -1.2, 0.8, 2.0])
    g = s2s.grad(fn)
    got = (s2s.jit(g) if jit else g)(x)
    np.testing.assert_allclose(got, central_difference(fn, (x,), 0), rtol=1e-6, atol=1e-8)


def tuple_params_loss(params, x):
    W, b = params
    return np.sum(np.tanh(W @ x + b) ** 2)


def list_of_vectors_loss(vs):
    return np.sum(vs[0] * vs[1]) + np.sum(vs[2] ** 2)


def test_jit_of_grad_with_tuple_and_list_arguments():
    """jit(grad(f)) specializes on the structure of the differentiated arguments."""
    params, x = (W0, B0), X0
    got = s2s.jit(s2s.grad(tuple_params_loss))(params, x)
    want = s2s.grad(tuple_params_loss)(params, x)
    assert isinstance(got, tuple) and len(got) == 2
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    vs = [np.arange(3.0), np.ones(3), np.array([0.5, -1.0, 2.0])]
    g = s2s.jit(s2s.grad(list_of_vectors_loss))(vs)
    np.testing.assert_allclose(g[0], vs[1])
    np.testing.assert_allclose(g[1], vs[0])
    np.testing.assert_allclose(g[2], 2 * vs[2])


def test_jit_of_grad_with_a_mixed_list_says_to_pass_a_tuple():
    with pytest.raises(TypeError, match="pass a tuple"):
        s2s.jit(s2s.grad(tuple_params_loss))([W0, B0], X0)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_numpy_and_math_functions_transform_directly(jit):
    """grad(np.sin), jit(np.exp), vjp(np.exp, x), as in JAX: s2s writes `def sin(x):
    return np.sin(x)` for them."""
    import math

    wrap = s2s.jit if jit else (lambda f: f)
    assert wrap(s2s.grad(np.sin))(0.5) == pytest.approx(np.cos(0.5), rel=1e-14)
    assert wrap(s2s.grad(math.tanh))(0.3) == pytest.approx(1 - np.tanh(0.3) ** 2, rel=1e-14)
    assert wrap(s2s.grad(s2s.grad(np.sin)))(0.5) == pytest.approx(-np.sin(0.5), rel=1e-14)
    g1, g2 = wrap(s2s.grad(np.arctan2, argnums=(0, 1)))(0.5, 2.0)
    assert (g1, g2) == pytest.approx((2.0 / 4.25, -0.5 / 4.25), rel=1e-14)
    np.testing.assert_allclose(s2s.jit(np.exp)(np.arange(3.0)), np.exp(np.arange(3.0)))
    (ct,) = s2s.vjp(np.exp, np.arange(3.0))[1](np.ones(3))
    np.testing.assert_allclose(ct, np.exp(np.arange(3.0)))
    assert "<s2s: numpy.sin>" in s2s.source(s2s.grad(np.sin))


def test_integer_output_is_a_type_error():
    with pytest.raises(TypeError, match="real-valued outputs"):
        s2s.grad(np.argmax)(np.ones(3))
