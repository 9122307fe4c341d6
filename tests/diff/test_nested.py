"""A transformation called inside a differentiated function with pytree arguments
(s2s/diff/nested.py): `g = s2s.grad(fun)(input_tuple)` (Autograd's test_tuple.test_grads),
lists, dicts, argnums, value_and_grad and jacfwd inside. Each nested function has a twin
with the inner derivative written by hand: values must agree, and the outer gradient is
checked against central differences of the twin (Python and s2s.jit)."""
import numpy as np
import pytest
from grad_cases import central_difference

import s2s


def fun(t):
    return np.sum(np.sin(t[0])) * t[1][0] + np.sum(np.cos(t[1]))


def fun_grad_by_hand(t):
    return (np.cos(t[0]) * t[1][0],
            -np.sin(t[1]) + np.eye(len(t[1]))[0] * np.sum(np.sin(t[0])))


def tuple_nested(a, b):  # Autograd's test_tuple.test_grads, as a function of two arrays
    g = s2s.grad(fun)((a, b))
    return np.sum(g[0]) + np.sum(np.sin(g[0])) + np.sum(np.cos(g[1]))


def tuple_by_hand(a, b):
    g = fun_grad_by_hand((a, b))
    return np.sum(g[0]) + np.sum(np.sin(g[0])) + np.sum(np.cos(g[1]))


def dict_loss(p):
    return np.sum(np.tanh(p["w"] * p["b"][0])) + p["b"][1] ** 2


def dict_nested(w, b):
    g = s2s.grad(dict_loss)({"w": w, "b": b})
    return np.sum(g["w"] ** 2) + np.sum(g["b"] * b)


def dict_by_hand(w, b):
    s = 1.0 - np.tanh(w * b[0]) ** 2
    gw, gb = s * b[0], np.array([np.sum(s * w), 2.0 * b[1]])
    return np.sum(gw ** 2) + np.sum(gb * b)


def list_loss(x, p):
    return np.sum(x * p[0]) * np.sum(p[1] ** 3)


def list_nested(a, b):  # argnums=1 and a list
    g = s2s.grad(list_loss, argnums=1)(a * 2.0, [a, b])
    return np.sum(np.sin(g[0])) + np.sum(g[1] * g[1])


def list_by_hand(a, b):
    x = a * 2.0
    g0, g1 = x * np.sum(b ** 3), np.sum(x * a) * 3.0 * b ** 2
    return np.sum(np.sin(g0)) + np.sum(g1 * g1)


def value_and_grad_nested(a, b):
    v, g = s2s.value_and_grad(fun)((a, b))
    return v * np.sum(g[1])


def value_and_grad_by_hand(a, b):
    return fun((a, b)) * np.sum(fun_grad_by_hand((a, b))[1])


def vector_fun(t):
    return np.sin(t[0]) * t[1]


def jacfwd_nested(a, b):
    J = s2s.jacfwd(vector_fun)((a, b))
    return np.sum(J[0] * J[1])


def jacfwd_by_hand(a, b):
    return np.sum(np.diag(np.cos(a) * b) * np.diag(np.sin(a)))


CASES = [
    (tuple_nested, tuple_by_hand, (3, 2)),
    (dict_nested, dict_by_hand, (3, 2)),
    (list_nested, list_by_hand, (3, 3)),
    (value_and_grad_nested, value_and_grad_by_hand, (3, 2)),
    (jacfwd_nested, jacfwd_by_hand, (3, 3)),
]
IDS = [c[0].__name__ for c in CASES]
RNG = np.random.default_rng(11)


def _args(sizes):
    return tuple(RNG.uniform(0.2, 0.9, size=n) for n in sizes)


@pytest.mark.parametrize("nested,by_hand,sizes", CASES, ids=IDS)
def test_value_matches_the_hand_written_inner_derivative(nested, by_hand, sizes):
    args = _args(sizes)
    np.testing.assert_allclose(nested(*args), by_hand(*args), rtol=1e-12)


@pytest.mark.parametrize("nested,by_hand,sizes", CASES, ids=IDS)
def test_grad_against_central_differences(nested, by_hand, sizes):
    args = _args(sizes)
    got = s2s.grad(nested, argnums=(0, 1))(*args)
    for i in range(2):
        np.testing.assert_allclose(got[i], central_difference(by_hand, args, i), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("nested,by_hand,sizes", CASES[:2], ids=IDS[:2])
def test_forward_mode_over_nested(nested, by_hand, sizes):
    args = _args(sizes)
    np.testing.assert_allclose(s2s.jacfwd(nested)(*args), central_difference(by_hand, args, 0), rtol=1e-6, atol=1e-8)


def test_compiled():
    args = _args((3, 2))
    got = s2s.jit(s2s.grad(tuple_nested, argnums=(0, 1)))(*args)
    for i in range(2):
        np.testing.assert_allclose(got[i], central_difference(tuple_by_hand, args, i), rtol=1e-6, atol=1e-8)


def test_autograd_tuple_argument():
    """The outer function takes the tuple itself, as in Autograd's test."""
    def d_fun(input_tuple):
        g = s2s.grad(fun)(input_tuple)
        return np.sum(g[0]) + np.sum(np.sin(g[0])) + np.sum(np.cos(g[1]))

    a, b = _args((3, 2))
    # jit of the function itself: compiled per structure of its arguments (api.py)
    np.testing.assert_allclose(s2s.jit(d_fun)((a, b)), tuple_by_hand(a, b), rtol=1e-12)
    got = s2s.grad(d_fun)((a, b))
    assert isinstance(got, tuple) and len(got) == 2
    for i in range(2):
        np.testing.assert_allclose(got[i], central_difference(tuple_by_hand, (a, b), i), rtol=1e-6, atol=1e-8)
