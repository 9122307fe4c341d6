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


# -- isinstance of a parameter: decided per call's argument types ---------------------------
def dispatch(x, k):
    if isinstance(x, np.ndarray):  # numba could not type np.ndarray here; s2s decides it
        t = np.sum(np.sin(x) * x)
    else:
        t = np.sin(x) * x
    if isinstance(k, (int, np.integer)):
        u = t * k
        t = t + u * u
    return t


def _dispatch_grad(x, k):  # by hand: d/dx of t + (t k)^2 (int k) or t, t = sum(sin(x) x)
    dt = np.cos(x) * x + np.sin(x)
    t = np.sum(np.sin(x) * x)
    return dt * (1.0 + 2.0 * k * k * t) if isinstance(k, (int, np.integer)) else dt


@pytest.mark.parametrize("x, k", [(X, 3), (X, 3.0), (0.7, 2), (0.7, 2.5)],
                         ids=["array-int", "array-float", "scalar-int", "scalar-float"])
@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_isinstance_of_parameters_decided_per_call(x, k, jit):
    wrap = s2s.jit if jit else (lambda f: f)
    np.testing.assert_allclose(wrap(s2s.grad(dispatch))(x, k), _dispatch_grad(x, k), rtol=1e-12)
    np.testing.assert_allclose(wrap(dispatch)(x, k), dispatch(x, k), rtol=1e-12)
    np.testing.assert_allclose(wrap(s2s.jacfwd(dispatch))(x, k), _dispatch_grad(x, k), rtol=1e-12)
    if not jit:
        np.testing.assert_allclose(s2s.grad(dispatch)(x, k), central_difference(dispatch, (x, k), 0), rtol=1e-6)


def scaled_by_int(x, k):
    if isinstance(k, int):
        u = x * k
        t = np.sum(u * u)
    else:
        t = np.sum(x)
    if isinstance(k, int):
        t = t + np.sum(u)
    return t


def twice(x, k):
    return scaled_by_int(x, k) * 2.0


def local_type_test(x, k):
    m = k + 0  # a value computed here: its type is numba's to decide
    if isinstance(m, int):
        u = x * m
        t = np.sum(u * u)
    else:
        t = np.sum(x)
    if isinstance(m, int):
        t = t + np.sum(u)
    return t


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_isinstance_in_a_called_function(jit):
    """A helper given a parameter of the transformed function gets its type too."""
    wrap = s2s.jit if jit else (lambda f: f)
    np.testing.assert_allclose(wrap(s2s.grad(twice))(X, 3), 2.0 * (18.0 * X + 3.0), rtol=1e-12)
    np.testing.assert_allclose(wrap(s2s.grad(twice))(X, 3.0), 2.0 * np.ones(3), rtol=1e-12)
    np.testing.assert_allclose(wrap(twice)(X, 3), twice(X, 3), rtol=1e-12)


def test_isinstance_of_a_local_under_jit_is_a_clear_error():
    """s2s decides the tests of parameters; one of a value computed in the function is
    numba's to decide, which fails on derivative code: said, with what to do."""
    np.testing.assert_allclose(s2s.grad(local_type_test)(X, 3), 18.0 * X + 3.0, rtol=1e-12)
    from s2s.errors import CompilationError

    with pytest.raises(CompilationError, match="isinstance test") as info:
        s2s.jit(s2s.grad(local_type_test))(X, 3)
    assert "parameters" in str(info.value)
