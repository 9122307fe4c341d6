"""End to end: user functions calling the elementwise functions of s2s/diff/rules/unary.py
and binary.py added for NumPy coverage (inverse hyperbolics, exp2, cbrt, logaddexp2, angle
conversions, sinc, fmax/fmin, copysign, float_power, heaviside, conj/real, math.erf/erfc...)
under grad (Python and s2s.jit), jvp, hessian and vmap, against central differences and
stacking. The functions are at module level: s2s reads their source."""
import math

import numpy as np
import pytest
from grad_cases import central_difference

import s2s

X = np.array([-0.7, 0.2, 0.9, 1.3])


def hyperbolic_mix(x):
    a = np.arcsinh(x) + np.arctanh(0.5 * np.tanh(x)) + np.exp2(x) + np.cbrt(x + 3.0) + np.arccosh(x * x + 2.0)
    b = np.logaddexp2(x, 0.5 * x) + np.deg2rad(x) * np.rad2deg(x) + np.radians(x) * np.degrees(x) + np.sinc(x)
    c = np.fmax(x, 0.3) + np.fmin(x, -0.2) + np.copysign(x, -1.0) + np.float_power(x * x + 1.0, 1.5)
    return np.sum(a + b + c + np.real(np.conj(x)) * np.fabs(x))


def small_mix(x):  # few calls, arrays and scalars: compiled under s2s.jit
    s = math.asinh(x[0]) * math.erf(x[1]) + math.copysign(x[2], -2.0) * math.atanh(0.5 * x[1])
    return s + np.sum(np.arcsinh(x) * np.exp2(x) + np.sinc(x) + np.fmax(x, 0.3) + np.copysign(x, -1.0))


def scalar_math(t):  # numba has no math.fmod: Python only
    return (math.asinh(t) + math.erf(t) * math.acosh(t * t + 1.5) + math.atanh(0.3 * t) + math.erfc(t)
            + math.degrees(t) * math.copysign(t, -2.0) + math.radians(t) + math.fmod(t + 5.0, 1.5))


def scalar_math_jit(t):
    return math.asinh(t) * math.erfc(t) + math.degrees(t) * math.acosh(t * t + 1.5)


def two_inputs(x, y):
    return np.sum(np.logaddexp2(x, y) * np.fmin(x, y) + np.float_power(np.abs(y) + 0.5, x) + np.copysign(x, y))


def sinc_sum(x):
    return np.sum(np.sinc(x))


def fmax_sum(x, y):
    return np.sum(np.fmax(x, y) + 2.0 * np.fmin(x, y))


def step(x, y):
    return np.sum(np.heaviside(x, y) * x)


def second_order_mix(x):
    return np.sum(np.logaddexp2(x, 0.3 * x * x) * np.fmax(x, 0.1) + np.copysign(x * x, x - 0.5)
                  + np.float_power(x * x + 1.0, 1.7) + np.arccosh(x * x + 1.5) * np.exp2(x) + np.cbrt(x + 3.0))


def elementwise_vector(x):
    return np.arcsinh(x) * np.sinc(x) + np.logaddexp2(x, 1.0)


def _check_grad(fn, args, argnum=0, grad=None, rtol=1e-6):
    got = (grad or s2s.grad(fn, argnums=argnum))(*args)
    np.testing.assert_allclose(got, central_difference(fn, args, argnum), rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("fn, args, argnum", [
    (hyperbolic_mix, (X,), 0), (scalar_math, (0.4,), 0), (scalar_math, (-0.8,), 0),
    (two_inputs, (X, X[::-1] - 0.3), 0), (two_inputs, (X, X[::-1] - 0.3), 1),
], ids=["hyperbolic_mix", "scalar_math", "scalar_math-neg", "two_inputs-x", "two_inputs-y"])
def test_grad_against_finite_differences(fn, args, argnum):
    _check_grad(fn, args, argnum)


def test_jit_grad_against_finite_differences():
    _check_grad(small_mix, (X,), grad=s2s.jit(s2s.grad(small_mix)))


def test_jvp_agrees_with_grad():
    v = np.array([0.3, -1.0, 0.5, 2.0])
    _, tangent = s2s.jvp(hyperbolic_mix, (X,), (v,))
    np.testing.assert_allclose(tangent, s2s.grad(hyperbolic_mix)(X) @ v, rtol=1e-10)
    y = X[::-1] - 0.3
    _, tangent = s2s.jvp(two_inputs, (X, y), (np.zeros(4), v))
    np.testing.assert_allclose(tangent, s2s.grad(two_inputs, argnums=1)(X, y) @ v, rtol=1e-10)


def test_hessian_of_sinc_including_zero():
    """sinc''(0) = -pi**2 / 3: the series branch of the rule makes grad-of-grad right at 0."""
    x = np.array([0.0, 0.5, -1.2])
    h, grad = s2s.hessian(sinc_sum)(x), s2s.grad(sinc_sum)
    fd = np.stack([central_difference(lambda z, i=i: grad(z)[i], (x,), 0) for i in range(3)])
    np.testing.assert_allclose(h, fd, rtol=1e-6, atol=1e-8)
    assert h[0, 0] == pytest.approx(-math.pi ** 2 / 3, rel=1e-12)
    assert grad(np.zeros(2)).tolist() == [0.0, 0.0]


def test_hessian_against_finite_differences_of_grad():
    grad = s2s.grad(second_order_mix)  # built once: the finite differences call it 16 times
    fd = np.stack([central_difference(lambda z, i=i: grad(z)[i], (X,), 0) for i in range(4)])
    np.testing.assert_allclose(s2s.hessian(second_order_mix)(X), fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jacfwd(s2s.grad(second_order_mix))(X), fd, rtol=1e-6, atol=1e-8)


def test_fmax_fmin_nan_goes_to_the_other_input():
    x, y = np.array([np.nan, 1.0, 2.0, 3.0]), np.array([0.5, np.nan, 2.0, 1.0])
    gx, gy = s2s.grad(fmax_sum, argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, [0.0, 3.0, 1.5, 1.0 + 0.0])
    np.testing.assert_array_equal(gy, [3.0, 0.0, 1.5, 2.0])


def test_heaviside_passes_to_its_second_input_at_zero():
    x, y = np.array([-1.0, 0.0, 2.0]), np.array([0.3, 0.5, 0.7])
    gx, gy = s2s.grad(step, argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gy, [0.0, 0.0, 0.0])  # multiplied by x == 0 there
    np.testing.assert_array_equal(gx, np.heaviside(x, y))


def test_vmap_matches_stacking():
    xs = np.stack([X, X * 0.5, X - 0.2])
    np.testing.assert_allclose(s2s.vmap(elementwise_vector)(xs), np.stack([elementwise_vector(r) for r in xs]))
    np.testing.assert_allclose(s2s.vmap(scalar_math)(X), [scalar_math(t) for t in X])
    np.testing.assert_allclose(s2s.vmap(s2s.grad(small_mix))(xs), np.stack([s2s.grad(small_mix)(r) for r in xs]))


def test_jit_vmap_matches_stacking():
    np.testing.assert_allclose(s2s.jit(s2s.vmap(scalar_math_jit))(X), [scalar_math_jit(t) for t in X])


def imag_part(x):
    return np.sum(np.imag(x) + x)


def test_imag_of_a_real_input_is_a_constant():
    """np.imag of a real array is 0: its contribution is imaginary, projected away (the
    gradient is real; complex inputs: tests/diff/test_complex.py)."""
    g = s2s.grad(imag_part)(X)
    assert not np.iscomplexobj(g)
    np.testing.assert_allclose(g, np.ones_like(X))


def log_base(t, b):
    return math.log(t * t + 1.0, b) * t + math.log(t + 2.0)


def test_math_log_with_a_base():
    for argnum in (0, 1):
        _check_grad(log_base, (0.7, 2.5), argnum)
    _, tangent = s2s.jvp(log_base, (0.7, 2.5), (1.0, 0.0))
    assert np.isclose(tangent, s2s.grad(log_base)(0.7, 2.5), rtol=1e-12)


def safe_log(x):
    return np.sum(np.nan_to_num(np.log(x), nan=-1.0, neginf=-2.0) * x)


def test_nan_to_num_blocks_replaced_entries():
    """log(-1) is NaN, replaced: only the factor x passes a gradient there. (At x == 0 the
    result would be 0 * log'(0) = nan, as in JAX.)"""
    x = np.array([0.5, -1.0, 2.0])
    with np.errstate(invalid="ignore"):
        got = s2s.grad(safe_log)(x)
    np.testing.assert_allclose(got, [np.log(0.5) + 1.0, -1.0, np.log(2.0) + 1.0])


def bessel_mix(x):
    return np.sum(np.i0(x) * x + np.i0(2.0 * x) ** 2)


def test_i0_gradient_hessian_and_jit():
    """np.i0's derivative is I1 (runtime_bessel.py); second order through I1' = I0 - I1/x."""
    x = np.array([-2.5, 0.0, 0.4, 3.0])
    want = central_difference(bessel_mix, (x,), 0)  # (round-off: f is about 5e3)
    np.testing.assert_allclose(s2s.grad(bessel_mix)(x), want, rtol=1e-7, atol=1e-5)
    np.testing.assert_allclose(s2s.jit(s2s.grad(bessel_mix))(x), want, rtol=1e-7, atol=1e-5)
    np.testing.assert_allclose(s2s.jit(bessel_mix)(x), bessel_mix(x), rtol=1e-14)
    g = s2s.grad(bessel_mix)
    hess = np.stack([central_difference(lambda y, i=i: g(y)[i], (x,), 0) for i in range(4)])
    np.testing.assert_allclose(s2s.hessian(bessel_mix)(x), hess, rtol=1e-6, atol=1e-4)
