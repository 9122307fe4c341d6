"""The first trip of a constant-count loop starting a variable from a number is written out
(parse/peel.py), so `out = 1; for ...: out = out * a` compiles under jit and differentiates
there; values and derivatives against Python and central differences."""
import numpy as np
import pytest

import s2s
from grad_cases import central_difference
from s2s.parse.debug import show

W = np.array([0.5, -1.25, 2.0])


def third_power(a):  # Tangent's iter_third_pow1
    out = 1
    for _ in range(3):
        out = out * a
    return np.sum(out)


def weighted_sum(x):
    s = 0.0
    for i in range(3):
        s = s + x * W[i]
    return np.sum(np.sin(s))


def strided(x):
    acc = -2
    for i in range(2, 9, 3):
        acc = acc * x + i
    return np.sum(acc * acc)


def one_trip(x):
    p = 1.0
    for _ in range(1):
        p = p * np.exp(x)
    return np.sum(p)


def inside_a_branch(x):
    total = 0.0
    if x[0] > -10.0:
        prod = 1
        for k in range(1, 4):
            prod = prod * (x + k)
        total = np.sum(prod)
    return total


def nested(x):
    out = 0
    for i in range(2):
        inner = 1
        for _ in range(2):
            inner = inner * x
        out = out + inner * (i + 1)
    return np.sum(out)


CASES = [third_power, weighted_sum, strided, one_trip, inside_a_branch, nested]
X = np.array([0.3, -0.7, 1.1, 0.45])


def central(f, x):
    return central_difference(f, (x,), 0)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_python_derivatives_match_differences(f):
    np.testing.assert_allclose(s2s.grad(f)(X), central(f, X), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(s2s.jacfwd(f)(X), central(f, X), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_jit_values_and_gradients(f):
    np.testing.assert_allclose(s2s.jit(f)(X), f(X), rtol=1e-12)
    value, g = s2s.jit(s2s.value_and_grad(f))(X)
    np.testing.assert_allclose(value, f(X), rtol=1e-12)
    np.testing.assert_allclose(g, central(f, X), rtol=1e-6, atol=1e-7)


def test_third_power_against_the_formula():
    np.testing.assert_allclose(s2s.jit(s2s.grad(third_power))(X), 3 * X ** 2, rtol=1e-12)


def test_the_first_trip_is_written_before_the_loop():
    text = show('''
def f(a):
    out = 1
    for _ in range(3):
        out = out * a
    return out
''', upto="peel")
    assert "    _ = 0\n    out = out * a\n    for _ in range(1, 3):\n        out = out * a\n" in text


@pytest.mark.parametrize("body", [
    "out = 1\n    for _ in range(n):\n        out = out * a",  # a count known only at run time
    "out = 1\n    for _ in range(0):\n        out = out * a",  # no trip
    "out = 1\n    for _ in range(3):\n        out = out * a\n        if out[0] > 2:\n            break",
    "out = 1\n    out = out + 0\n    for _ in range(3):\n        out = out * a",  # set again before the loop
    "out = a\n    for _ in range(3):\n        out = out * a",  # not a number literal
    "out = 1\n    for _ in range(3):\n        y = out * a",  # not set in the loop
    "out = 1\n    for t in range(3):\n        row = [a * t, a]\n        out = out * row[0]",  # builds a list
], ids=["runtime-count", "no-trip", "break", "set-between", "not-a-literal", "not-carried", "list"])
def test_other_loops_stay_as_they_are(body):
    src = f"\ndef f(a, n):\n    {body}\n    return out\n"
    assert show(src, upto="peel") == show(src, upto="lower_for")
