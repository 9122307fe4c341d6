"""Calls rewritten where they stand (parse/macros.py) and the array stand-ins they and resolve
use (parse/stand_in_arrays.py): np.gradient, np.piecewise, lax.switch, sorted / .sort(), the
in-place np.fill_diagonal / put / place / copyto, np.unwrap, np.choose, np.broadcast_arrays.
Values against NumPy itself, gradients against central differences, in Python and compiled;
forward mode and vmap of the gradient on a few."""
import numpy as np
import pytest

import s2s
from s2s import lax
from s2s.errors import S2SError

X = np.array([1.0, 3.0, 2.2, 5.0, 4.5, 7.0])  # no two values (nor keys) tie, none on a piece's edge


def gradient_1d(x):
    return np.sum(np.gradient(x) ** 2)


def gradient_spacing_order2(x):
    return np.sum(np.gradient(x, 0.5, edge_order=2) ** 2)


def gradient_coordinates(x):
    return np.sum(np.gradient(np.sin(x), np.array([0.0, 1.0, 1.5, 3.0, 4.0, 4.2]), edge_order=2) ** 2)


def gradient_unpacked(x):
    gy, gx = np.gradient(x.reshape(2, 3) ** 2, 2.0, 0.5)
    return np.sum(gy * gx + gx)


def gradient_axis(x):
    return np.sum(np.sin(np.gradient(x.reshape(3, 2), 0.3, axis=-1)))


def gradient_axes(x):
    a, b = np.gradient(x.reshape(3, 2) ** 3, axis=(1, 0))
    return np.sum(a * np.cos(b))


def unwrap(x):
    return np.sum(np.unwrap(x * 3) ** 2)


def unwrap_axis0(x):
    return np.sum(np.unwrap(x.reshape(3, 2) * 4, axis=0) * np.arange(6.0).reshape(3, 2))


def choose(x):
    return np.sum(np.choose(np.array([0, 1, 0, 1, 2, 2]), [x, x ** 2, np.sin(x)]))


def choose_clip(x):
    return np.sum(np.choose(np.array([-1, 1, 5, 1, 0, 2]), [x, x ** 2, np.sin(x)], mode="clip") * X)


def broadcast_arrays(x):
    a, b = np.broadcast_arrays(x[:, None], x[None, :3])
    return np.sum(a * b ** 2)


def sorted_list(x):
    s = sorted([x[0], x[1], x[2], x[3]])
    return s[0] * 2 + s[3] + s[1] * s[2]


def sorted_key_reverse(x):
    s = sorted([x[0], x[1], x[2], x[3]], key=lambda v: (v - 2.7) ** 2, reverse=True)
    return s[0] * 2 + s[3] * 3


def sorted_array(x):
    s = sorted(np.sin(x))
    return s[0] + 3 * s[-1]


def sort_method(x):
    y = x * 1.0
    y.sort()
    return y[0] * 2 + y[3] * y[5]


def sort_method_list(x):
    L = [x[1], x[0], x[2]]
    L.sort(reverse=True)
    return L[0] * 2 + L[2]


def fill_diagonal(x):
    a = np.outer(x, x)
    np.fill_diagonal(a, x[0])
    return np.sum(a ** 2)


def fill_diagonal_wrap(x):
    a = np.outer(x, x[:2])
    np.fill_diagonal(a, 0.5, wrap=True)
    return np.sum(a ** 2)


def put(x):
    y = np.zeros(8)
    np.put(y, np.array([0, 2, 4, 5]), x[:4])
    return np.sum(y * np.arange(8.0) * y)


def place(x):
    y = x.reshape(2, 3) * 1.0
    np.place(y, y > 3.5, x[:3] ** 2)
    return np.sum(y ** 2)


def copyto(x):
    y = np.zeros((2, 6))
    np.copyto(y, x * 2)
    return np.sum(y ** 2 * np.arange(12.0).reshape(2, 6))


def piecewise(x):
    return np.sum(np.piecewise(x, [x < 2, x >= 4], [lambda v: v ** 2, np.sin, 1.5]))


def piecewise_otherwise(x):
    def low(v):
        return v ** 3

    return np.sum(np.piecewise(x, [x < 2.5, x > 4.8], [low, lambda v: 2.0 * v, lambda v: np.log(v)]))


def piecewise_overlap(x):
    # both conditions hold for x > 4: NumPy lets the later one win
    return np.sum(np.piecewise(x, [x > 2.5, x > 4.0], [lambda v: v ** 2, lambda v: -v]))


def switch(x):
    def square(v):
        return np.sum(v ** 2)

    return lax.switch(1, [square, lambda v: np.sum(np.sin(v)), square], x) + \
        lax.switch(7, [square, lambda v: np.sum(np.cos(v))], x) + lax.switch(-2, [square, np.sum], x * 2)


def switch_value_dependent(x):
    i = int(x[0] > 0) + int(x[1] > 2)
    return lax.switch(i, [lambda a, b: a * b, lambda a, b: a / b, lambda a, b: a - b], x[2], x[3])


CASES = [gradient_1d, gradient_spacing_order2, gradient_coordinates, gradient_unpacked, gradient_axis, gradient_axes,
         unwrap, unwrap_axis0, choose, choose_clip, broadcast_arrays, sorted_list, sorted_key_reverse, sorted_array,
         sort_method, sort_method_list, fill_diagonal, fill_diagonal_wrap, put, place, copyto, piecewise,
         piecewise_otherwise, piecewise_overlap, switch, switch_value_dependent]


def numpy_value(f, x):
    """f run by NumPy (lax.switch and the rest are plain Python outside a transformation)."""
    return f(x)


def central(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


# Compiled: one case of every stand-in and rewrite (numba's compiles of the n-d slicing in
# np.gradient's and np.unwrap's derivatives take 5-15 s each, cold).
JIT_CASES = [gradient_coordinates, unwrap, choose_clip, broadcast_arrays, sorted_key_reverse, sorted_array,
             sort_method_list, fill_diagonal_wrap, put, place, copyto, piecewise_otherwise, switch, switch_value_dependent]


@pytest.mark.parametrize("f, compiled", [pytest.param(f, False, id=f"{f.__name__}-python") for f in CASES]
                         + [pytest.param(f, True, id=f"{f.__name__}-jit") for f in JIT_CASES])
def test_value_and_gradient(f, compiled):
    vg = s2s.value_and_grad(f)
    value, g = (s2s.jit(vg) if compiled else vg)(X)
    np.testing.assert_allclose(value, numpy_value(f, X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g, central(f, X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("f", [gradient_unpacked, unwrap, choose, sorted_key_reverse, fill_diagonal, piecewise, switch],
                         ids=lambda f: f.__name__)
def test_forward_mode_and_vmap(f):
    np.testing.assert_allclose(s2s.jacfwd(f)(X), central(f, X), rtol=1e-6, atol=1e-6)
    xs = np.stack([X, X * 1.01])
    np.testing.assert_allclose(s2s.vmap(s2s.grad(f))(xs), [central(f, xs[0]), central(f, xs[1])], rtol=1e-6, atol=1e-6)


def test_gradient_matches_numpy_in_every_form():
    z = np.cos(np.arange(12.0).reshape(3, 4) ** 1.3)
    coords = np.array([0.0, 0.5, 1.7, 2.0])

    def forms(z):
        a = np.gradient(z, axis=1)
        b, c = np.gradient(z, 0.5, coords, edge_order=2)
        d = np.gradient(z[0], coords)
        return a, b, c, d

    expected = (np.gradient(z, axis=1),) + tuple(np.gradient(z, 0.5, coords, edge_order=2)) + (np.gradient(z[0], coords),)
    for g, e in zip(s2s.vmap(forms, in_axes=None, axis_size=2)(z), expected):
        np.testing.assert_allclose(g, np.stack([e, e]), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "jit"])
def test_gradient_of_an_nd_array_must_be_unpacked(compiled):
    def f(x):
        return np.sum(np.gradient(x.reshape(2, 3)))

    with pytest.raises(ValueError, match="unpack it"):
        (s2s.jit(s2s.grad(f)) if compiled else s2s.grad(f))(X)


def test_choose_out_of_range_raises_as_numpy():
    def f(x):
        return np.sum(np.choose(np.array([0, 3, 1, 0, 1, 0]), [x, 2 * x]))

    with pytest.raises(ValueError, match="invalid entry"):
        s2s.grad(f)(X)


def test_in_place_functions_rebind_and_name_what_they_need():
    def f(x):
        a = np.outer(x, x)
        np.fill_diagonal(a[1:], 0.0)
        return np.sum(a)

    with pytest.raises(S2SError, match="must be a variable name"):
        s2s.grad(f)(X)


def test_switch_needs_a_written_list_of_branches():
    def f(x):
        branches = [np.sin, np.cos]
        return np.sum(lax.switch(0, branches, x))

    with pytest.raises(S2SError, match="list or tuple written in the call"):
        s2s.grad(f)(X)


def test_switch_outside_a_transformation_clamps_as_jax():
    assert lax.switch(5, [lambda v: v + 1, lambda v: v * 10], 2) == 20
    assert lax.switch(-3, [lambda v: v + 1, lambda v: v * 10], 2) == 3


def test_piecewise_source_reads_as_nested_where():
    src = s2s.source(s2s.jit(piecewise))
    assert "_np.where(x >= 4" in src and "_np.piecewise" not in src
