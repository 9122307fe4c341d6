"""parse/fold.py: tests known when the code is transformed (captured globals, static
arguments, literal axes) are decided before differentiation, so a branch that never runs
records nothing -- numba drops such a branch itself and could not type what it recorded."""
import sys

import numpy as np
import pytest
from grad_cases import central_difference

import s2s

FLAG = False


def flagged(x):
    s = x
    for _ in range(3):
        if FLAG:  # a captured global: constant for the transformed code
            s = np.sin(s) * s
        else:
            s = s * 0.5 + np.tanh(s)
    return np.sum(s)


def moded(x, mode):
    s = x
    for _ in range(2):
        s = np.sin(s) * s if mode == "sine" else s * np.tanh(s)
    return np.sum(s)


X = np.array([0.3, -0.7, 1.1])


def test_a_global_flag_in_a_differentiated_loop_compiles(monkeypatch):
    want = central_difference(flagged, (X,), 0)
    np.testing.assert_allclose(s2s.jit(s2s.grad(flagged))(X), want, rtol=1e-6, atol=1e-8)
    monkeypatch.setattr(sys.modules[__name__], "FLAG", True)  # rebinding it re-transforms
    want = central_difference(flagged, (X,), 0)
    np.testing.assert_allclose(s2s.jit(s2s.grad(flagged))(X), want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("mode", ["sine", "tanh"])
def test_a_static_string_argument_decides_the_branch(mode):
    g = s2s.jit(s2s.grad(moded), static_argnames="mode")
    want = central_difference(lambda x: moded(x, mode), (X,), 0)
    np.testing.assert_allclose(g(X, mode), want, rtol=1e-6, atol=1e-8)


def test_generated_source_shows_only_the_branch_that_runs():
    src = s2s.source(s2s.jit(flagged), X)
    assert "_np.sin" not in src and "_np.tanh" in src


def optional(x, w=None):
    s = x
    for _ in range(2):
        if w is not None:
            s = np.sin(s) * w
        else:
            s = s * np.tanh(s)
    return np.sum(s)


def calls_optional(x):
    return optional(x) + optional(x, 2.0)  # the helper is made for w=None: the test decided


def test_an_optional_argument_left_out_of_a_helper():
    want = central_difference(calls_optional, (X,), 0)
    np.testing.assert_allclose(s2s.grad(calls_optional)(X), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jit(s2s.grad(calls_optional))(X), want, rtol=1e-6, atol=1e-8)


def test_none_arguments_of_compiled_derivative_code():
    want = central_difference(optional, (X,), 0)
    # grad is made per None-pattern of its arguments (the test on w decided)
    np.testing.assert_allclose(s2s.jit(s2s.grad(optional))(X), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jit(s2s.grad(optional))(X, None), want, rtol=1e-6, atol=1e-8)
    # and so are the Jacobians and the Hessian
    np.testing.assert_allclose(s2s.jit(s2s.jacrev(optional))(X), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jit(s2s.jacfwd(optional))(X, None), want, rtol=1e-6, atol=1e-8)
    grad = s2s.grad(optional)
    hess = np.stack([central_difference(lambda y, i=i: grad(y)[i], (X,), 0) for i in range(X.size)])
    np.testing.assert_allclose(s2s.jit(s2s.hessian(optional))(X), hess, rtol=1e-5, atol=1e-7)
    # the other pattern, from the same functions
    with_w = central_difference(lambda x: optional(x, 1.5), (X,), 0)
    np.testing.assert_allclose(s2s.jit(s2s.jacrev(optional))(X, 1.5), with_w, rtol=1e-6, atol=1e-8)
