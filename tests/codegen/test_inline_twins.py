"""codegen/inline_twins.py: under jit a transformation's wrapper holds the twin it calls once
(one numba function), with the same values as the Python path; user helpers and the twins
called inside twins stay functions."""
import numpy as np
import pytest
from grad_cases import central_jacobian

import s2s


def helper(v):
    return np.tanh(v) * v


def f(x):
    y = np.sin(x) * x
    g = helper(y)  # the name the VJP's seed has: renamed where the wrapper takes the VJP in
    return np.sum(g ** 2) + np.sum(y)


X = np.array([0.3, -0.8, 1.1])


def _defs(src):
    return [line.split("(")[0][4:] for line in src.splitlines() if line.startswith("def ")]


@pytest.mark.parametrize("make", [s2s.grad, s2s.value_and_grad, s2s.jacfwd, s2s.jacrev, s2s.hessian],
                         ids=["grad", "value_and_grad", "jacfwd", "jacrev", "hessian"])
def test_wrappers_hold_their_twin_and_compute_the_same(make):
    jitted = s2s.jit(make(f))
    got, want = jitted(X), make(f)(X)
    for g, w in zip(got if isinstance(got, tuple) else [got], want if isinstance(want, tuple) else [want]):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)
    defs = _defs(s2s.source(jitted))
    if make is not s2s.hessian:  # (its entry calls f_grad, no twin: nothing is taken in)
        assert not any(d.startswith("f_") and d.endswith(("_vjp", "_linp", "_lint")) for d in defs), defs


def twice(x):
    return helper(x) + helper(2.0 * x)


def test_helpers_and_twins_called_twice_keep_their_functions():
    assert _defs(s2s.source(s2s.jit(f))) == ["f", "helper"]
    defs = _defs(s2s.source(s2s.jit(s2s.grad(lambda x: np.sum(twice(x))))))
    assert "twice_vjp" not in defs and "helper_vjp" in defs  # called from two places: one function
    np.testing.assert_allclose(s2s.jit(s2s.grad(lambda x: np.sum(twice(x))))(X),
                               s2s.grad(lambda x: np.sum(twice(x)))(X), rtol=1e-13)


def test_gradient_against_central_differences():
    np.testing.assert_allclose(s2s.jit(s2s.grad(f))(X), central_jacobian(f, X), rtol=1e-6, atol=1e-8)
