"""Built modules are remembered per process (codegen/remember.py): a transformation made
again for the same function reuses the module, until something the build captured changes."""
import numpy as np
import pytest

import s2s
from s2s.codegen import remember

SCALE = 2.0


def helper(x):
    return SCALE * np.sin(x)


def loss(x):
    return np.sum(helper(x) * x)


def loss_grad_formula(x):
    return SCALE * (np.cos(x) * x + np.sin(x))


def cube(x):
    return np.sum(x ** 3)


def square(x):
    return np.sum(x ** 2)


X = np.linspace(-1.0, 1.2, 5)


@pytest.fixture(autouse=True)
def fresh_memory():
    remember.forget()
    yield
    remember.forget()


@pytest.mark.parametrize("make", [
    lambda f: s2s.grad(f),
    lambda f: s2s.value_and_grad(f),
    lambda f: s2s.jacfwd(f),
    lambda f: s2s.jacrev(f),
    lambda f: s2s.hessian(f),
    lambda f: s2s.jacrev(s2s.grad(f)),  # a fresh inner transformation object each time
], ids=["grad", "value_and_grad", "jacfwd", "jacrev", "hessian", "jacrev-of-grad"])
def test_a_transformation_made_again_builds_nothing(make):
    first, second = make(loss), make(loss)
    assert first is not second
    first(X), second(X)
    assert second.generated() is first.generated()


def test_vjp_and_linearize_per_call_reuse_the_module():
    calls = []
    real = remember._built.__class__.__setitem__

    class Counting(remember.OrderedDict):
        def __setitem__(self, key, value):
            calls.append(key[0])
            real(self, key, value)

    saved = remember._built
    remember._built = Counting()
    try:
        for _ in range(3):
            _, pull = s2s.vjp(loss, X)
            np.testing.assert_allclose(pull(1.0)[0], loss_grad_formula(X), rtol=1e-12)
            _, t = s2s.jvp(loss, (X,), (np.ones_like(X),))
            np.testing.assert_allclose(t, np.sum(loss_grad_formula(X)), rtol=1e-12)
            _, lin = s2s.linearize(loss, X)
            np.testing.assert_allclose(lin(np.ones_like(X)), np.sum(loss_grad_formula(X)), rtol=1e-12)
    finally:
        remember._built = saved
    assert sorted(calls) == ["build_jvp_module", "build_linearize_module", "build_vjp_module"]  # once each


def test_a_rebound_global_of_a_helper_builds_again(monkeypatch):
    np.testing.assert_allclose(s2s.grad(loss)(X), loss_grad_formula(X), rtol=1e-12)
    monkeypatch.setitem(globals(), "SCALE", 3.0)
    np.testing.assert_allclose(s2s.grad(loss)(X), loss_grad_formula(X), rtol=1e-12)  # the formula reads 3.0 too
    np.testing.assert_allclose(s2s.grad(loss)(X), 3.0 * (np.cos(X) * X + np.sin(X)), rtol=1e-12)


def test_a_changed_closure_cell_builds_again():
    k = 1.5

    def f(x):
        return np.sum(k * x ** 2)

    np.testing.assert_allclose(s2s.grad(f)(X), 2 * 1.5 * X, rtol=1e-12)
    k = -4.0  # noqa: F841 -- read by f through its cell
    np.testing.assert_allclose(s2s.grad(f)(X), 2 * -4.0 * X, rtol=1e-12)


def test_edited_code_builds_again():
    def f(x):
        return np.sum(x ** 3)

    np.testing.assert_allclose(s2s.grad(f)(X), 3 * X ** 2, rtol=1e-12)
    f.__code__ = square.__code__
    np.testing.assert_allclose(s2s.grad(f)(X), 2 * X, rtol=1e-12)


def test_distinct_options_are_distinct_builds():
    np.testing.assert_allclose(s2s.value_and_grad(cube)(X)[1], 3 * X ** 2, rtol=1e-12)
    np.testing.assert_allclose(s2s.grad(cube)(X), 3 * X ** 2, rtol=1e-12)
    assert s2s.grad(cube).generated() is not s2s.value_and_grad(cube).generated()
    assert s2s.grad(cube).generated() is not s2s.grad(square).generated()


def test_the_least_recently_used_build_goes_first(monkeypatch):
    monkeypatch.setattr(remember, "LIMIT", 2)
    a = s2s.grad(cube).generated()
    s2s.grad(square).generated()
    assert s2s.grad(cube).generated() is a  # used again: now the most recent
    s2s.grad(loss).generated()  # pushes out square's
    assert len(remember._built) == 2
    assert s2s.grad(cube).generated() is a


def test_jit_of_a_transformation_made_again_transforms_the_same_function():
    first = s2s.jit(s2s.grad(loss))
    np.testing.assert_allclose(first(X), loss_grad_formula(X), rtol=1e-12)
    assert s2s.grad(loss).__s2s_function__ is s2s.grad(loss).__s2s_function__
    second = s2s.jit(s2s.grad(loss))
    np.testing.assert_allclose(second(X), loss_grad_formula(X), rtol=1e-12)
    assert second.generated().source == first.generated().source


@pytest.mark.parametrize("make", [lambda f: s2s.vmap(f), lambda f: s2s.vmap(s2s.grad(f)),
                                  lambda f: s2s.vmap(f, strategy="loop")], ids=["vmap", "vmap-of-grad", "vmap-loop"])
def test_vmap_made_again_builds_nothing(make):
    xs = np.stack([X, 2 * X])
    first, second = make(loss), make(loss)
    out = first(xs)
    np.testing.assert_allclose(second(xs), out, rtol=1e-12)
    assert second.generated(xs) is first.generated(xs)


def test_vmap_after_a_rebound_global_builds_again(monkeypatch):
    xs = np.stack([X, 2 * X])
    np.testing.assert_allclose(s2s.vmap(s2s.grad(loss))(xs), [loss_grad_formula(x) for x in xs], rtol=1e-12)
    monkeypatch.setitem(globals(), "SCALE", -1.5)
    np.testing.assert_allclose(s2s.vmap(s2s.grad(loss))(xs), [-1.5 * (np.cos(x) * x + np.sin(x)) for x in xs],
                               rtol=1e-12)


def test_vmap_with_an_unhashable_out_axes_still_builds():
    def pair(x):
        return [x * 2.0, np.sin(x)]

    xs = np.stack([X, 2 * X])
    out = s2s.vmap(pair, out_axes=[0, 1])(xs)
    np.testing.assert_allclose(out[0], xs * 2.0)
    np.testing.assert_allclose(out[1], np.sin(xs).T)


def power(x, n):
    return np.sum(x ** n)


def test_jit_made_again_builds_nothing():
    first, second = s2s.jit(loss), s2s.jit(loss)
    np.testing.assert_allclose(first(X), loss(X), rtol=1e-12)
    np.testing.assert_allclose(second(X), loss(X), rtol=1e-12)
    assert second.generated() is first.generated()
    # with a pytree argument (the module is built per structure, crossing dicts as tuples)
    tree = {"a": X, "b": (X, 2.0 * X)}

    def total(t):
        return np.sum(t["a"]) + np.sum(t["b"][0] * t["b"][1])

    assert s2s.jit(total).generated(tree) is s2s.jit(total).generated(tree)
    np.testing.assert_allclose(s2s.jit(total)(tree), total(tree), rtol=1e-12)


def test_jit_after_a_rebound_global_builds_again(monkeypatch):
    np.testing.assert_allclose(s2s.jit(loss)(X), np.sum(2.0 * np.sin(X) * X), rtol=1e-12)
    monkeypatch.setitem(globals(), "SCALE", 5.0)
    np.testing.assert_allclose(s2s.jit(loss)(X), np.sum(5.0 * np.sin(X) * X), rtol=1e-12)


def test_jit_static_values_equal_but_of_other_types_are_distinct_builds():
    # 2 == 2.0 == True-ish keys must not share the code baked for another type
    f = s2s.jit(power, static_argnums=1)
    g = s2s.jit(power, static_argnums=1)
    np.testing.assert_allclose(f(X, 2), np.sum(X ** 2), rtol=1e-12)
    np.testing.assert_allclose(g(X, 2.0), np.sum(X ** 2.0), rtol=1e-12)
    assert "2.0" in g.source(X, 2.0) and "2.0" not in f.source(X, 2)
    assert f.generated(X, 1) is not g.generated(X, True)
    h = s2s.jit(power, static_argnums=1)  # one jit object, both values
    h(X, 2)
    assert "2.0" in h.source(X, 2.0) and "2.0" not in h.source(X, 2)
