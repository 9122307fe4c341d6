"""Transformations compose by re-transforming generated source: the second pass must see
the user's lines (for comments and errors), and normalized code is a fixed point."""
import numpy as np
import pytest

import s2s
from corpus import CASES, assert_same_result

PICK = [c for c in CASES if {"helper", "loop", "branch", "while"} & set(c.tags) and not c.static_argnums][:12]


@pytest.mark.parametrize("case", PICK, ids=[c.name for c in PICK])
def test_jit_of_generated_code_is_a_fixed_point(case):
    first = s2s.jit(case.fn)
    second = s2s.jit(first.python())
    # Same code, same user-line comments: the generated file maps back to the user's.
    assert s2s.source(second) == s2s.source(first)
    args = case.args(0)
    assert_same_result(second(*args), case.fn(*case.args(0)))
    assert_same_result(second.python()(*case.args(0)), case.fn(*case.args(0)))


def _loop(x):
    s = 0.0
    for v in x:
        s += np.sin(v) * 2.0
    return s


def test_regenerated_code_points_at_the_users_line():
    import inspect

    second = s2s.jit(s2s.jit(_loop).python())
    text = s2s.source(second)
    _, first_line = inspect.getsourcelines(_loop)
    assert f"# test_compose.py:{first_line + 3}: s += np.sin(v) * 2.0" in text


# -- jit called inside transformed code is the function itself (JAX: jit inside grad/vmap)
def cubic(y):
    return y ** 3 + 2.0 * y


def calls_jit_of_a_global(x):
    return s2s.jit(cubic)(x) * x


def calls_jit_of_a_closure(x):
    def inner(y):
        return y * x  # reads the caller's x

    return s2s.jit(inner)(4.0) + s2s.jit(inner)(5.0)


def test_jit_inside_a_transformed_function():
    x = 0.7
    d = 4.0 * x ** 3 + 4.0 * x  # d/dx (x^4 + 2x^2)
    np.testing.assert_allclose(s2s.grad(calls_jit_of_a_global)(x), d, rtol=1e-12)
    np.testing.assert_allclose(s2s.jit(s2s.grad(calls_jit_of_a_global))(x), d, rtol=1e-12)
    xs = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(s2s.vmap(calls_jit_of_a_global)(xs), xs ** 4 + 2.0 * xs ** 2, rtol=1e-12)
    # JAX's test_jvp_jit_cached: a jit of a nested def reading the caller's variable
    assert s2s.jvp(calls_jit_of_a_closure, (5.0,), (1.0,)) == pytest.approx((45.0, 9.0))
    assert s2s.grad(calls_jit_of_a_closure)(5.0) == pytest.approx(9.0)
