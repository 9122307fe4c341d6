"""JAX's index updates (parse/index_updates.py): `x.at[idx].set(v)` and its kin against the
same updates written in NumPy (each case has its NumPy twin), value and gradient in Python
and compiled with numba, the gradient against central differences too; the updates that
cannot be moved before their statement are refused at the line."""
import numpy as np
import pytest

from grad_cases import central_jacobian

import s2s
import s2s.numpy as jnp
from s2s.errors import UnsupportedSyntaxError

X = np.array([0.3, -0.5, 0.8, 1.2])


def every_method(x):
    y = jnp.zeros(5)
    y = y.at[1:4].set(x[:3] ** 2)
    y = y.at[jnp.array([0, 0, 4])].add(x[1:4])  # accumulates at the repeated 0
    y = y.at[4].subtract(x[0] * x[1])
    y = y.at[2].multiply(x[0])
    y = y.at[1].divide(x[3] + 2.0)
    y = y.at[3].max(x[3])
    y = y.at[0].min(x[2] * 3.0)
    y = y.at[1].power(2.0)
    return jnp.sum(y * jnp.arange(1.0, 6.0)) + y.at[2].get()


def every_method_numpy(x):
    y = np.zeros(5)
    y[1:4] = x[:3] ** 2
    np.add.at(y, np.array([0, 0, 4]), x[1:4])
    y[4] = y[4] - x[0] * x[1]
    y[2] = y[2] * x[0]
    y[1] = y[1] / (x[3] + 2.0)
    y[3] = max(y[3], x[3])
    y[0] = min(y[0], x[2] * 3.0)
    y[1] = y[1] ** 2.0
    return np.sum(y * np.arange(1.0, 6.0)) + y[2]


def in_a_loop(x):
    h = jnp.zeros(4)
    for i in range(4):
        h = h.at[i].set(jnp.sin(x[i]) + h[i - 1] * 0.5)
    return jnp.sum(h ** 2)


def in_a_loop_numpy(x):
    h = np.zeros(4)
    for i in range(4):
        h[i] = np.sin(x[i]) + h[i - 1] * 0.5
    return np.sum(h ** 2)


def rows_and_slices(x):
    m = jnp.outer(x, x)
    m = m.at[0, 1:].add(x[1:] * 2.0)
    m = m.at[:, 2].set(jnp.cos(x))
    return jnp.sum(m.at[1:3, ::2].get() ** 2) + jnp.sum(m)


def rows_and_slices_numpy(x):
    m = np.outer(x, x)
    m[0, 1:] = m[0, 1:] + x[1:] * 2.0
    m[:, 2] = np.cos(x)
    return np.sum(m[1:3, ::2] ** 2) + np.sum(m)


def nested_and_unchanged(x):
    y = x.at[0].set(x.at[1].get() * 3.0) * 2.0  # inner update first; x itself is not changed
    return jnp.sum(y) + jnp.sum(x ** 2)


def nested_and_unchanged_numpy(x):
    y = x.copy()
    y[0] = x[1] * 3.0
    return np.sum(y * 2.0) + np.sum(x ** 2)


def array_index_combines(x):
    y = x.at[jnp.array([2, 0])].multiply(x[1:3] + 1.0)  # distinct positions: each combined once
    y = y.at[jnp.array([3, 1])].max(x[:2] * 2.0)
    return jnp.sum(y ** 2)


def array_index_combines_numpy(x):
    y = x.copy()
    y[[2, 0]] = y[[2, 0]] * (x[1:3] + 1.0)
    y[[3, 1]] = np.maximum(y[[3, 1]], x[:2] * 2.0)
    return np.sum(y ** 2)


def repeated_multiply(x, idx):
    return jnp.sum(x.at[idx].multiply(2.0))


CASES = [(every_method, every_method_numpy), (array_index_combines, array_index_combines_numpy),
         (in_a_loop, in_a_loop_numpy),
         (rows_and_slices, rows_and_slices_numpy), (nested_and_unchanged, nested_and_unchanged_numpy)]


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
@pytest.mark.parametrize("fn, twin", CASES, ids=[c[0].__name__ for c in CASES])
def test_value_and_gradient_match_numpy(fn, twin, jit):
    run = s2s.jit(fn) if jit else s2s.jit(fn).python()
    grad = s2s.jit(s2s.grad(fn)) if jit else s2s.grad(fn)
    for x in (X, X[::-1] * 1.5):
        assert run(x) == pytest.approx(twin(x), rel=1e-13)
        np.testing.assert_allclose(grad(x), central_jacobian(twin, x), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(grad(x), s2s.grad(twin)(x), rtol=1e-13)


def test_forward_mode_and_vmap():
    v = np.array([0.2, -0.1, 0.4, 0.3])
    for fn, twin in CASES:
        assert s2s.jvp(fn, (X,), (v,))[1] == pytest.approx(central_jacobian(twin, X) @ v, rel=1e-6)
        xs = np.stack([X, X * 0.5, -X])
        np.testing.assert_allclose(s2s.vmap(s2s.grad(fn))(xs), [s2s.grad(twin)(x) for x in xs], rtol=1e-13)


def in_a_comprehension(x):
    return jnp.sum(jnp.stack([x.at[i].set(0.0) for i in range(2)]))


def in_a_while_test(x):
    while jnp.sum(x.at[0].set(0.0)) > 0.0:
        x = x - 1.0
    return jnp.sum(x)


def with_a_fill_mode(x):
    return jnp.sum(x.at[7].set(1.0, mode="drop"))


@pytest.mark.parametrize("fn, line", [
    (in_a_comprehension, "x.at[i].set(0.0) for i"), (in_a_while_test, "while jnp.sum"),
    (with_a_fill_mode, 'mode="drop"')])
def test_refused_at_the_line(fn, line):
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.grad(fn)(X)
    assert info.value.construct == ".at[]" and info.value.filename == __file__
    assert line in info.value.text


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_a_combining_update_at_a_repeated_position_is_refused(jit):
    """JAX applies every update at a repeated position; s2s combines once, so it says so."""
    wrap = s2s.jit if jit else (lambda f: s2s.jit(f).python())
    assert wrap(repeated_multiply)(X, np.array([1, 3])) == pytest.approx(np.sum(X) + X[1] + X[3])
    np.testing.assert_allclose(wrap(s2s.grad(repeated_multiply))(X, np.array([1, 3])), [1.0, 2.0, 1.0, 2.0])
    for fn in (repeated_multiply, s2s.grad(repeated_multiply)):
        with pytest.raises(ValueError, match="more than once: JAX applies every update"):
            wrap(fn)(X, np.array([1, 3, 1]))
