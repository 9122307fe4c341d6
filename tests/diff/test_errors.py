"""What reverse mode refuses, and how: the error type, the construct or function it names,
and the user's file and line (never a traceback into generated code, never a wrong value)."""
import inspect

import numpy as np
import pytest

import s2s
from s2s.errors import NoDerivativeRuleError, UnsupportedSyntaxError


def no_rule(x):
    y = np.histogram2d(x, x, 2, None, False, x)[0] * 2.0
    return np.sum(y)


def out_keyword(x):
    y = np.empty_like(x)
    np.exp(x, out=y)
    return np.sum(y)


def inplace_method(x):
    y = x * 1.0
    y.put(0, 2.0)
    return y[0]


def tuple_by_variable(t, i):  # elements that are containers themselves: constant indices only
    return t[i][0] * 2.0


def store_through_reshape(x):
    y = x.copy()
    v = y.reshape(2, 2)
    v[0, 1] = x[0] * 3.0
    return np.sum(y * y)


def nested_def_in_loop(x):
    s = 0.0
    for i in range(3):
        def f(v):
            return v * i
        s = s + f(x)
    return s


def uses_try(x):
    try:
        return x * 2.0
    except ValueError:
        return x


def mantissas(x):
    return np.sum(np.frexp(x)[0])


def matrix_three_norm(A):
    return np.linalg.norm(A, 3)  # not a matrix norm (NumPy raises too)


def _line(fn, text):
    src, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(src) if text in line)


# (function, args, error type, text the message must contain, the line (a fragment of it))
CASES = [
    (no_rule, (np.arange(3.0),), NoDerivativeRuleError, "np.histogram2d", "np.histogram2d(x, x, 2, None, False, x)"),
    (out_keyword, (np.ones(3),), NoDerivativeRuleError, "out", "np.exp(x, out=y)"),
    (inplace_method, (np.ones(3),), NoDerivativeRuleError, "put", "y.put(0, 2.0)"),
    (tuple_by_variable, (((1.0, 2.0), (3.0, 4.0)), 1), UnsupportedSyntaxError, "constant", "return t[i][0]"),
    (store_through_reshape, (np.ones(4),), UnsupportedSyntaxError, "view", "v[0, 1] = x[0] * 3.0"),
    (nested_def_in_loop, (1.0,), UnsupportedSyntaxError, "nested", "def f(v)"),
    (uses_try, (1.0,), UnsupportedSyntaxError, "try", "try:"),
    (mantissas, (np.ones(2),), NoDerivativeRuleError, "frexp", "np.frexp("),
    (matrix_three_norm, (np.eye(3),), NoDerivativeRuleError, "ord=3", "np.linalg.norm(A, 3)"),
]


@pytest.mark.parametrize("fn, args, exc, text, where", CASES, ids=[c[0].__name__ for c in CASES])
def test_refused_with_the_users_line(fn, args, exc, text, where):
    with pytest.raises(exc) as info:
        s2s.grad(fn)(*args)
    err = info.value
    assert text in str(err)
    assert err.filename == __file__
    assert err.lineno == _line(fn, where), (err.lineno, str(err))
    assert "test_errors.py" in str(err)


def vector_norms(x, A):
    return np.linalg.norm(x, 2) + np.linalg.norm(x, 1) + np.linalg.norm(A) + np.linalg.norm(A, "fro")


def test_covered_norms_are_not_refused():
    x, A = np.array([0.5, -2.0, 1.0]), np.arange(6.0).reshape(2, 3)
    gx, gA = s2s.grad(vector_norms, argnums=(0, 1))(x, A)
    np.testing.assert_allclose(gx, x / np.linalg.norm(x) + np.sign(x), rtol=1e-12)
    np.testing.assert_allclose(gA, 2 * A / np.linalg.norm(A), rtol=1e-12)


def test_vjp_refuses_an_uncovered_rule_at_the_users_line():
    """vjp knows its primals' ranks: a matrix ord=3 (no such norm) is refused when vjp is built, naming
    the user's line (not later, inside generated code, when the VJP is called)."""
    with pytest.raises(NoDerivativeRuleError, match="norm") as info:
        s2s.vjp(matrix_three_norm, np.eye(2))
    assert "np.linalg.norm(A, 3)" in str(info.value)
