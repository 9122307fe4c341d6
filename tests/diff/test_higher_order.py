"""Derivatives of derivatives: grad of generated derivative code (its tuples, tapes and
helpers), checked against central differences of the first derivative and analytic
formulas, in the pure-Python and the numba-compiled path."""
import math

import numpy as np
import pytest

import s2s
import s2s.numpy as jnp
from corpus import CASES
from grad_cases import _params

GRAD_CASES = [c for c in CASES if "scalar_out" in c.tags and c.float_argnums()]


def logistic(x):
    return 1.0 / (1.0 + jnp.exp(-x))


def sum_logistic(x):
    return jnp.sum(1.0 / (1.0 + jnp.exp(-x)))


def cube(x):
    return x * x * x


def sin_of_exp(x):
    return math.sin(math.exp(x))


def loop_power(x):
    y = 1.0
    for _ in range(4):
        y = y * x
    return y


def while_halving(x):
    y = x
    while abs(y) > 0.1:
        y = y * 0.5 + 0.01 * y * y
    return y * x


def _s(x):
    return 1.0 / (1.0 + math.exp(-x))


# (function, x, [f', f'', f'''] from the analytic formulas)
SCALAR = [
    (logistic, 1.0, [lambda x: _s(x) * (1 - _s(x)), lambda x: _s(x) * (1 - _s(x)) * (1 - 2 * _s(x)),
                     lambda x: _s(x) * (1 - _s(x)) * (1 - 6 * _s(x) + 6 * _s(x) ** 2)]),
    (cube, 0.7, [lambda x: 3 * x * x, lambda x: 6 * x, lambda x: 6.0]),
    (loop_power, -1.3, [lambda x: 4 * x ** 3, lambda x: 12 * x ** 2, lambda x: 24 * x]),
    (sin_of_exp, 0.4, [
        lambda x: math.cos(math.exp(x)) * math.exp(x),
        lambda x: -math.sin(math.exp(x)) * math.exp(2 * x) + math.cos(math.exp(x)) * math.exp(x),
        lambda x: (-math.cos(math.exp(x)) * math.exp(3 * x) - 3 * math.sin(math.exp(x)) * math.exp(2 * x)
                   + math.cos(math.exp(x)) * math.exp(x)),
    ]),
]


def _nth(fn, order, jit):
    for _ in range(order):
        fn = s2s.grad(fn)
        if jit:
            fn = s2s.jit(fn)
    return fn


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
@pytest.mark.parametrize("fn, x, derivs", SCALAR, ids=[c[0].__name__ for c in SCALAR])
def test_scalar_derivatives_up_to_third_order(fn, x, derivs, jit):
    for order, want in enumerate(derivs, start=1):
        np.testing.assert_allclose(_nth(fn, order, jit)(x), want(x), rtol=1e-10, atol=1e-12, err_msg=f"order {order}")


def test_quickstart_third_order_through_jit():
    # The JAX quickstart: grad(jit(grad(jit(grad(sum_logistic)))))(1.0)
    got = s2s.grad(s2s.jit(s2s.grad(s2s.jit(s2s.grad(sum_logistic)))))(1.0)
    np.testing.assert_allclose(got, -0.0353256, rtol=1e-5)
    s = _s(1.0)
    np.testing.assert_allclose(got, s * (1 - s) * (1 - 6 * s + 6 * s * s), rtol=1e-12)


def test_while_loop_second_derivative_against_differences():
    d1 = s2s.grad(while_halving)
    for jit in (False, True):
        d2 = _nth(while_halving, 2, jit)
        for x in (0.9, -2.5, 3.7):
            fd = (d1(x + 1e-6) - d1(x - 1e-6)) / 2e-6
            np.testing.assert_allclose(d2(x), fd, rtol=1e-6, atol=1e-8)


def _hvp_function(gf, v, n):
    """x -> <grad f(x), v>: its gradient is the Hessian-vector product H v."""
    if n == 1:
        def h(a):
            return np.sum(gf(a) * v)
    elif n == 2:
        def h(a, b):
            return np.sum(gf(a, b) * v)
    elif n == 3:
        def h(a, b, c):
            return np.sum(gf(a, b, c) * v)
    elif n == 4:
        def h(a, b, c, d):
            return np.sum(gf(a, b, c, d) * v)
    else:
        def h(a, b, c, d, e):
            return np.sum(gf(a, b, c, d, e) * v)
    return h


def _check_hvp(case, jit):
    i = case.float_argnums()[0]
    args = case.args(0)
    gf = s2s.grad(case.fn, argnums=i)
    v = np.random.default_rng(7).normal(size=np.shape(args[i]))
    h = _hvp_function(gf, v, len(args))
    hvp = s2s.grad(h, argnums=i)
    got = (s2s.jit(hvp) if jit else hvp)(*case.args(0))
    x = np.asarray(args[i], dtype=np.float64)
    want = np.zeros(x.shape)
    eps = 1e-5
    for j in np.ndindex(x.shape) if x.shape else [()]:
        up, down = x.copy(), x.copy()
        up[j] += eps
        down[j] -= eps
        a_up, a_down = list(case.args(0)), list(case.args(0))
        a_up[i], a_down[i] = (up, down) if x.shape else (float(up), float(down))
        want[j] = (h(*a_up) - h(*a_down)) / (2 * eps)
    np.testing.assert_allclose(got, want if x.shape else float(want), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("case", _params(GRAD_CASES))
def test_hessian_vector_product_over_the_corpus(case):
    _check_hvp(case, jit=False)


# Compiling second-order code takes seconds per program: a representative subset.
JIT_HVP = {"while_break", "loop_break", "scalar_branches",
           "recursive_power", "inplace_cumsum", "tuple_unpack_arrays"}


@pytest.mark.parametrize("case", _params([c for c in GRAD_CASES if c.name in JIT_HVP]))
def test_hessian_vector_product_compiled(case):
    _check_hvp(case, jit=True)


def test_second_order_source_is_deterministic():
    a = s2s.source(s2s.grad(s2s.grad(loop_power)))
    b = s2s.source(s2s.grad(s2s.grad(loop_power)))
    assert a == b
    assert "tape.pop()" in a and "grad of:" in a


def _stacked(x):  # derivative code reads the pieces of unhstack/unstack/...'s tuple: contrib[0], contrib[1]
    return (np.sum(np.hstack((x, x * x)) ** 3) + np.sum(np.stack([x, np.sin(x)], axis=1) ** 2)
            + np.sum(np.concatenate((x, x ** 3)) ** 2) + sum((x, x ** 2, 2.0)) @ x
            + np.sum(np.vstack((x, x * x)) ** 3))


def _stacked_two(x):  # the compiled variant: numba takes about a minute over all of _stacked
    return np.sum(np.hstack((x, x * x)) ** 3) + np.sum(np.stack([x, np.sin(x)], axis=1) ** 2)


@pytest.mark.parametrize("fn, compiled", [(_stacked, False), (_stacked_two, True)], ids=["python", "jit"])
def test_reverse_over_reverse_through_sequence_functions(fn, compiled):
    x = np.array([0.3, 0.7, 1.1, 1.4])
    hess = s2s.jacrev(s2s.grad(fn))
    got = (s2s.jit(hess) if compiled else hess)(x)
    np.testing.assert_allclose(got, s2s.hessian(fn)(x), rtol=1e-10, atol=1e-10)
    g = s2s.grad(fn)
    fd = np.array([(g(x + e) - g(x - e)) / 2e-6 for e in np.eye(4) * 1e-6])
    np.testing.assert_allclose(got, fd, rtol=1e-5, atol=1e-6)


# -- transformations of a grad whose argument is a pytree: the grad is generated for the
# structure the outer transformation is given (autograd's test_dict / test_tuple second order)
PA, PB = np.array([1.0, 2.0]), np.array([3.0, -1.0])


def tuple_product(t):
    return np.sum(t[0] * t[1] ** 2)


def dict_product(d):
    return np.sum(d["c"][0] * d["c"][1] ** 2) + np.sum(np.sin(d["w"]))


def _tuple_hvp(u):
    """H u for tuple_product at (PA, PB), by the formula: H = [[0, 2 diag b], [2 diag b, 2 diag a]]."""
    ua, ub = u
    return 2.0 * PB * ub, 2.0 * PB * ua + 2.0 * PA * ub


def test_forward_and_reverse_over_grad_of_a_tuple_argument():
    g = s2s.grad(tuple_product)
    u = (np.array([0.5, -1.0]), np.array([2.0, 0.25]))
    want = _tuple_hvp(u)
    _, tangent = s2s.jvp(g, ((PA, PB),), (u,))
    for got, w in zip(tangent, want):
        np.testing.assert_allclose(got, w, rtol=1e-12)
    (cot,) = s2s.vjp(g, (PA, PB))[1](u)  # H is symmetric
    for got, w in zip(cot, want):
        np.testing.assert_allclose(got, w, rtol=1e-12)
    for jac in (s2s.jacrev(g)((PA, PB)), s2s.jacfwd(g)((PA, PB))):
        # jac[i][j]: d grad_i / d arg_j
        for i in range(2):
            got = sum(jac[i][j] @ u[j] for j in range(2))
            np.testing.assert_allclose(got, want[i], rtol=1e-12)


def test_reverse_over_grad_of_a_nested_dict_argument():
    d = {"c": (PA, PB), "w": np.array([0.3, -0.7])}
    g = s2s.grad(dict_product)
    u = {"c": (np.array([0.5, -1.0]), np.array([2.0, 0.25])), "w": np.array([1.0, -2.0])}
    (cot,) = s2s.vjp(g, d)[1](u)
    want = _tuple_hvp(u["c"])
    np.testing.assert_allclose(cot["c"][0], want[0], rtol=1e-12)
    np.testing.assert_allclose(cot["c"][1], want[1], rtol=1e-12)
    np.testing.assert_allclose(cot["w"], -np.sin(d["w"]) * u["w"], rtol=1e-12)


def test_compiled_forward_over_grad_of_a_tuple_argument():
    g = s2s.grad(tuple_product)
    jac = s2s.jit(s2s.jacfwd(g))((PA, PB))
    u = (np.array([0.5, -1.0]), np.array([2.0, 0.25]))
    for i, w in enumerate(_tuple_hvp(u)):
        np.testing.assert_allclose(sum(jac[i][j] @ u[j] for j in range(2)), w, rtol=1e-12)
