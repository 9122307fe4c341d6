"""Dead stores (diff/liveness.py) get no backward code: a variable rebound to a value of
another shape, its earlier value unread (`a, t = ...` twice), differentiates -- it failed
on the zeros of the later value's shape -- in Python and numba, against central differences."""
import doctest

import numpy as np
import pytest

from grad_cases import central_jacobian

import s2s
import s2s.diff.liveness

X = np.array([0.3, -1.1, 0.47, 1.1, 0.05])


def pair(x, k):
    return x[:k] * 2.0, x[k:] ** 2


def unpacked_twice(x):
    a, t = pair(x, 2)  # this t is never read
    b, t = pair(x, 1)
    return np.sum(a) + np.sum(b) + np.sum(t)


def rebound_unread(x):
    t = x[:2] ** 2
    t = x[1:] ** 3
    return np.sum(t)


def unread_in_a_loop(x):
    s = 0.0
    for i in range(3):
        u = x[i:] * 2.0  # read below
        w = x[:i + 1] ** 2  # never read
        w = np.sin(u)
        s = s + np.sum(w)
    return s


def read_in_the_next_trip(x):
    s = 0.0
    t = x[:2]
    for i in range(3):
        s = s + np.sum(t ** 2)  # reads the t of the trip before
        t = x[i:i + 2] * (i + 1.0)
    return s


CASES = [unpacked_twice, rebound_unread, unread_in_a_loop, read_in_the_next_trip]


def test_the_module_example():
    assert doctest.testmod(s2s.diff.liveness).failed == 0


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
@pytest.mark.parametrize("fn", CASES, ids=[f.__name__ for f in CASES])
def test_gradients(fn, jit):
    grad = s2s.jit(s2s.grad(fn)) if jit else s2s.grad(fn)
    np.testing.assert_allclose(grad(X), central_jacobian(fn, X), rtol=1e-6, atol=1e-8)
