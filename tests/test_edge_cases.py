"""Edge cases of NumPy calls found by running autograd's and Tangent's test functions through
s2s: the sublist form of np.einsum, stacking functions given one array, np.inner of a scalar,
x ** 0 at x = 0. Gradients against analytic values, in the Python path and compiled."""
import numpy as np
import pytest

import s2s

W = np.array([[1.0, 2.0], [3.0, 4.0]])


def einsum_sublist_transpose(a):
    return np.sum(np.einsum(a, [0, 1], [1, 0]) * W)


def einsum_sublist_product(a):
    return np.sum(np.einsum(a, [0, 1], W, [1, 2], [0, 2]) ** 2)


def einsum_sublist_implicit(a):
    return np.einsum(a, [0, 0])  # the trace (no output list: implicit mode)


def vstack_one_array(a):
    return np.sum(np.vstack(a) * np.array([[1.0], [2.0]]))


def hstack_one_array(v):
    return np.sum(np.hstack(v) ** 2) + np.sum(np.column_stack(v) * 3.0) + np.sum(np.stack(v) * v)


def inner_with_scalars(x, y):
    return np.sum(np.inner(x, y)) + np.inner(y, 2.0)


def power_zero(x):
    return np.power(x, 0.0) + x ** 0.0


X2 = np.array([[0.5, -1.0], [2.0, 0.25]])
V = np.array([1.0, -2.0, 0.5])
CASES = [
    (einsum_sublist_transpose, (X2,), 0, W.T),
    (einsum_sublist_product, (X2,), 0, 2 * (X2 @ W) @ W.T),
    (einsum_sublist_implicit, (X2,), 0, np.eye(2)),
    (vstack_one_array, (X2,), 0, np.array([[1.0, 1.0], [2.0, 2.0]])),
    (hstack_one_array, (V,), 0, 2 * V + 3.0 + 2 * V),
    (inner_with_scalars, (V, 1.5), 0, np.full(3, 1.5)),
    (inner_with_scalars, (V, 1.5), 1, np.sum(V) + 2.0),
    (power_zero, (0.0,), 0, 0.0),
]


@pytest.mark.parametrize("fn, args, argnum, want", CASES,
                         ids=[f"{c[0].__name__}-{c[2]}" for c in CASES])
def test_gradients(fn, args, argnum, want):
    got = s2s.grad(fn, argnums=argnum)(*args)
    assert isinstance(got, np.ndarray) == isinstance(want, np.ndarray) or np.ndim(want) == 0
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(s2s.jacfwd(fn, argnums=argnum)(*args), want, rtol=1e-12, atol=1e-14)


def test_power_zero_second_derivative_and_compiled():
    assert s2s.grad(s2s.grad(power_zero))(0.0) == 0.0
    assert s2s.jit(s2s.grad(power_zero))(0.0) == 0.0
    np.testing.assert_allclose(s2s.jit(s2s.grad(einsum_sublist_product))(X2), 2 * (X2 @ W) @ W.T, rtol=1e-12)


def sublist_of_a_variable(a, subs):
    return np.sum(np.einsum(a, subs))


def test_einsum_sublists_must_be_written_in_the_call():
    with pytest.raises(s2s.errors.S2SError, match="sublist form"):
        s2s.grad(sublist_of_a_variable)(X2, [0, 1])


def sum_of_squares(x):
    return np.sum(x ** 2)


def doubled(x):
    return x * 2.0


def all_close(x):
    return np.allclose(x, x * 3.0 / 3.0)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "jit"])
def test_grad_checks_hold_under_jit(compiled):
    """jit(grad(f)) answers as grad(f) does: float32 in, float32 out; a non-scalar or a boolean
    output is the TypeError JAX raises (the generated grad function checks its output)."""
    T = s2s.jit if compiled else (lambda f: f)
    x32 = np.ones(3, np.float32)
    got = T(s2s.grad(sum_of_squares))(x32)
    assert got.dtype == np.float32 and np.allclose(got, 2.0)
    with pytest.raises(TypeError, match="scalar-output"):
        T(s2s.grad(doubled))(np.zeros(2))
    with pytest.raises(TypeError, match="real-valued outputs"):
        T(s2s.grad(all_close))(np.array([1.0, 2.0]))


def cross_defaults_written(a, b):
    return np.sum(np.cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None) ** 2) + np.sum(np.cross(a, b, axis=-1))


def cross_run_time_axis(a, b, k):
    return np.sum(np.cross(a, b, axisa=k))


def test_cross_with_its_default_axes_written_out():
    """np.cross's defaults written out (signed literals such as -1 are constants to the rules'
    checks); another axis is still refused at the user's line."""
    a, b = np.arange(6.0).reshape(2, 3) + 1.0, np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])
    eps, want = 1e-6, np.zeros((2, 3))
    for i in np.ndindex(a.shape):
        e = np.zeros_like(a)
        e[i] = eps
        want[i] = (cross_defaults_written(a + e, b) - cross_defaults_written(a - e, b)) / (2 * eps)
    np.testing.assert_allclose(s2s.grad(cross_defaults_written)(a, b), want, rtol=1e-7)
    np.testing.assert_allclose(s2s.jacfwd(cross_defaults_written)(a, b), want, rtol=1e-7)
    with pytest.raises(s2s.errors.NoDerivativeRuleError, match="not constant ints"):
        s2s.grad(cross_run_time_axis)(a.T, b, 0)


def cross_axes_a(a, b):
    return np.sum(np.cross(a, b, axisa=0, axisb=1, axisc=1) * np.arange(1.0, 13.0).reshape(4, 3) ** 0.5)


def cross_axis_all(a, b):
    return np.sum(np.sin(np.cross(a, b, axis=0)) * np.arange(1.0, 13.0).reshape(3, 4))


def cross_stacked(a, b):
    return np.sum(np.cross(a, b, axisa=1, axisb=0, axisc=0) ** 2)


def cross_axis_none_spelled(a, b):  # (axis=None and the defaults written: numba's np.cross takes neither)
    return np.sum(np.cross(a, b, axisa=0, axisb=-1, axisc=1, axis=None) ** 2)


CROSS = [(cross_axes_a, (3, 4), (4, 3)), (cross_axis_all, (3, 4), (3, 4)), (cross_stacked, (2, 3, 4), (3, 4)),
         (cross_defaults_written, (2, 3), (2, 3)), (cross_axis_none_spelled, (3, 2), (2, 3))]


@pytest.mark.parametrize("f, sa, sb", CROSS, ids=[c[0].__name__ for c in CROSS])
@pytest.mark.parametrize("how", ["grad", "jacfwd", "jit-grad"])
def test_cross_along_other_axes(f, sa, sb, how):
    """axisa/axisb/axisc/axis: the last-axis rule between np.moveaxis (autograd's test_cross
    combinations); under jit the vectors are moved for numba's np.cross."""
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    transform = {"grad": s2s.grad, "jacfwd": s2s.jacfwd, "jit-grad": lambda fn, argnums: s2s.jit(s2s.grad(fn, argnums))}[how]
    for argnum, x in ((0, a), (1, b)):
        want, eps = np.zeros(x.shape), 1e-6
        for i in np.ndindex(x.shape):
            e = np.zeros(x.shape)
            e[i] = eps
            up = f(a + e, b) if argnum == 0 else f(a, b + e)
            down = f(a - e, b) if argnum == 0 else f(a, b - e)
            want[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(transform(f, argnums=argnum)(a, b), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jit(f)(a, b), f(a, b), rtol=1e-12)


def test_hessian_of_cross_along_other_axes():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    h = s2s.hessian(cross_axis_all)(a, b)
    g = s2s.grad(cross_axis_all)
    eps, want = 1e-5, np.zeros((3, 4, 3, 4))
    for i in np.ndindex(a.shape):
        e = np.zeros(a.shape)
        e[i] = eps
        want[(...,) + i] = (g(a + e, b) - g(a - e, b)) / (2 * eps)
    np.testing.assert_allclose(h, want, rtol=1e-5, atol=1e-7)


def dsplit_sections(x):
    a, b = np.dsplit(x, 2)
    return np.sum(a ** 2) + np.sum(np.sin(b))


def dsplit_indices(x):
    p = np.dsplit(x, [1, 3])
    return np.sum(p[0] * 2.0) + np.sum(p[2] ** 3) + np.sum(np.cos(p[1]))


@pytest.mark.parametrize("f", [dsplit_sections, dsplit_indices])
@pytest.mark.parametrize("how", ["grad", "jacfwd", "jit-grad"])
def test_dsplit(f, how):
    """np.dsplit: pieces along the third axis (autograd's test_dsplit_3d)."""
    x = np.random.default_rng(5).standard_normal((2, 3, 4))
    want, eps = np.zeros(x.shape), 1e-6
    for i in np.ndindex(x.shape):
        e = np.zeros(x.shape)
        e[i] = eps
        want[i] = (f(x + e) - f(x - e)) / (2 * eps)
    transform = {"grad": s2s.grad, "jacfwd": s2s.jacfwd, "jit-grad": lambda fn: s2s.jit(s2s.grad(fn))}[how]
    np.testing.assert_allclose(transform(f)(x), want, rtol=1e-6, atol=1e-8)
