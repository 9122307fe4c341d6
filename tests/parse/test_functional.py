"""The operator module and functools.reduce (parse/functional.py): written out as the
operators and calls they stand for, differentiated (against central differences), batched
and compiled."""
import functools
import operator as op

import numpy as np
import pytest
from grad_cases import central_difference

import s2s
from s2s.errors import UnsupportedSyntaxError


def arithmetic(x):
    a, b = x[0], x[1]
    s = op.add(a, b) * op.sub(a, b) + op.mul(a, b) + op.truediv(a, b) + op.pow(a, 2.0) + op.neg(b)
    s = op.iadd(s, op.abs(b)) + op.pos(a) * op.getitem(x, 2)
    if op.gt(a, b) and op.ne(a, 0.0):
        s = op.imul(s, 2.0)
    return s + np.sum(op.matmul(np.outer(x, x), x))


def reduce_literal(x):
    return functools.reduce(op.add, [x[0], x[1] * x[2], 2.0]) + functools.reduce(op.mul, (x[0], x[1]), 3.0)


def reduce_array(x):
    s = 0.0
    if functools.reduce(op.add, x) > 0.0:  # the loop goes before the `if`
        s = functools.reduce(op.mul, x)
    return s + functools.reduce(np.maximum, x * x, 0.5)


def reduce_lambda(x):
    w = x[0]
    p = functools.reduce(lambda a, b: a * b + w, x, 1.0)
    q = functools.reduce(lambda a, b: np.sin(a) + b, [x[1], x[2] * 2.0])
    return p + q


def reduce_rows(m):
    rows = functools.reduce(lambda acc, row: acc * 0.5 + np.tanh(row), m)
    return np.sum(rows ** 2)


def hypot(a, b):
    return np.sqrt(a * a + b * b)


def reduce_user_function(x):
    return functools.reduce(hypot, x)


def combine(f, a, b):
    return f(a, b) * 2.0


def passes_operators(x):
    return combine(op.mul, x[0], x[1]) + combine(op.sub, x[2], x[0])


def divmods(x):
    q, r = divmod(x[0] * 5.0, x[1] + 2.0)
    s = np.divmod(x, 0.3)[1]  # elementwise
    return q + r * x[2] + np.sum(s ** 2)


X = np.array([0.7, -0.4, 1.3])
M = np.array([[0.2, -0.5], [1.0, 0.3], [-0.7, 0.8]])
CASES = [
    ("arithmetic", arithmetic, X),
    ("reduce literal", reduce_literal, X),
    ("reduce array", reduce_array, X),
    ("reduce lambda", reduce_lambda, X),
    ("reduce rows", reduce_rows, M),
    ("reduce user function", reduce_user_function, X),
    ("operators passed", passes_operators, X),
    ("divmod", divmods, X),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name,fn,x", CASES, ids=IDS)
def test_values_and_gradients(name, fn, x):
    want = central_difference(fn, (x,), 0)
    np.testing.assert_allclose(s2s.jit(fn)(x), fn(x), rtol=1e-12)
    np.testing.assert_allclose(s2s.grad(fn)(x), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jacfwd(fn)(x), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jit(s2s.grad(fn))(x), want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name,fn,x", CASES[:4], ids=IDS[:4])
def test_vmap(name, fn, x):
    xs = np.stack([x, x * 0.5, x + 0.25])
    np.testing.assert_allclose(s2s.vmap(fn)(xs), [fn(r) for r in xs], rtol=1e-12)


@pytest.mark.parametrize("fn,args,want", [
    (op.mul, (3.0, 2.0), (2.0, 3.0)),
    (op.truediv, (3.0, 2.0), (0.5, -0.75)),
    (op.pow, (3.0, 2.0), (6.0, 9.0 * np.log(3.0))),
    (op.neg, (3.0,), (-1.0,)),
])
def test_grad_of_an_operator_function(fn, args, want):
    got = s2s.grad(fn, argnums=tuple(range(len(args))))(*args)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def reduce_without_sequence(x):
    return functools.reduce(op.add)


def reduce_in_comprehension(x):
    return sum([functools.reduce(op.add, r) for r in x])


def reduce_in_while_test(x):
    while functools.reduce(op.add, x) > 0.0:
        x = x - 1.0
    return np.sum(x)


@pytest.mark.parametrize("fn", [reduce_without_sequence, reduce_in_comprehension, reduce_in_while_test])
def test_unsupported_forms_are_clear_errors(fn):
    with pytest.raises(UnsupportedSyntaxError, match="functools.reduce"):
        s2s.grad(fn)(M)
