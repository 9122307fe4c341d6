"""grad / value_and_grad over the shared corpus, checked against central finite differences
in float64, in the pure-Python path and the numba-compiled path (jit(grad(f)))."""
import numpy as np
import pytest

import s2s
from grad_cases import GRAD_CASES, _params, central_difference


def _check(case, transform):
    args = case.args(0)
    for argnum in case.float_argnums():
        got = transform(case.fn, argnum)(*case.args(0))
        want = central_difference(case.fn, args, argnum)
        assert np.shape(got) == np.shape(args[argnum])
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=f"d/d arg {argnum}")


@pytest.mark.parametrize("case", _params(GRAD_CASES))
def test_grad_python_matches_finite_differences(case):
    _check(case, lambda f, i: s2s.grad(f, argnums=i))


@pytest.mark.parametrize("case", _params(GRAD_CASES))
def test_jit_grad_matches_finite_differences(case):
    # All float arguments at once: one numba compilation per case (the suite's time); the
    # Python test above takes them one at a time.
    nums = case.float_argnums()
    args = case.args(0)
    got = s2s.jit(s2s.grad(case.fn, argnums=tuple(nums)))(*case.args(0))
    assert isinstance(got, tuple) and len(got) == len(nums)
    for g, argnum in zip(got, nums):
        want = central_difference(case.fn, args, argnum)
        assert np.shape(g) == np.shape(args[argnum])
        np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6, err_msg=f"d/d arg {argnum}")


@pytest.mark.parametrize("case", _params(GRAD_CASES[:12]))
def test_value_and_grad_agrees_with_grad(case):
    args = case.args(0)
    nums = case.float_argnums()
    value, grads = s2s.value_and_grad(case.fn, argnums=nums)(*args)
    np.testing.assert_allclose(value, case.fn(*case.args(0)), rtol=1e-12)
    for g, i in zip(grads, nums):
        np.testing.assert_allclose(g, s2s.grad(case.fn, argnums=i)(*case.args(0)), rtol=1e-12)
