"""`holomorphic=True` (JAX's option of grad, value_and_grad, jacfwd, jacrev, jacobian and
hessian): functions of complex values get their complex derivatives, in Python and compiled
with numba, checked against analytic derivatives and complex central differences (for a
holomorphic f, (f(z + h) - f(z - h)) / 2h -> f'(z) along the real direction h)."""
import numpy as np
import pytest

import s2s

Z = 0.7 - 0.4j
ZS = np.array([1.0 + 1.0j, 0.5 - 2.0j, -0.3 + 0.2j])
W = np.array([1.0, 2.0, -0.5])


def poly_trig(z):
    return z * z * z + np.sin(z) * z


def poly_trig_prime(z):
    return 3 * z * z + np.cos(z) * z + np.sin(z)


def poly_trig_second(z):
    return 6 * z - np.sin(z) * z + 2 * np.cos(z)


def looped(z):
    acc = 1.0 + 0.0j
    for k in range(4):
        acc = acc * z + np.exp(z * (k * 0.1))
    return acc / (1.0 + z * z)


def mapped(z):
    return z ** 2 * W + np.sin(z[::-1]) + np.sum(z) * z


def mapped_jacobian(z):
    n = z.shape[0]
    # d f_i / d z_j = (2 z_i W_i + sum(z)) [i = j] + cos(z_j) [j = n - 1 - i] + z_i
    return np.diag(2 * z * W + np.sum(z)) + np.fliplr(np.diag(np.cos(z[::-1]))) + np.outer(z, np.ones(n))


def complex_step(f, z, h=1e-6):
    return (f(z + h) - f(z - h)) / (2 * h)


def complex_jacobian(f, z, h=1e-6):
    cols = []
    for j in range(z.shape[0]):
        e = np.zeros(z.shape[0])
        e[j] = h
        cols.append((f(z + e) - f(z - e)) / (2 * h))
    return np.stack(cols, axis=-1)


def _run(fn, jit):
    return s2s.jit(fn) if jit else fn


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_grad_is_the_complex_derivative(jit):
    g = _run(s2s.grad(poly_trig, holomorphic=True), jit)(Z)
    assert np.iscomplexobj(g)
    assert g == pytest.approx(poly_trig_prime(Z), rel=1e-13)
    assert _run(s2s.grad(looped, holomorphic=True), jit)(Z) == pytest.approx(complex_step(looped, Z), rel=1e-7)
    value, g = _run(s2s.value_and_grad(poly_trig, holomorphic=True), jit)(Z)
    assert value == pytest.approx(poly_trig(Z), rel=1e-15) and g == pytest.approx(poly_trig_prime(Z), rel=1e-13)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
@pytest.mark.parametrize("jac", [s2s.jacfwd, s2s.jacrev, s2s.jacobian])
def test_jacobians_of_a_complex_map(jac, jit):
    J = _run(jac(mapped, holomorphic=True), jit)(ZS)
    want = complex_jacobian(mapped, ZS)
    np.testing.assert_allclose(J, want, rtol=1e-7)
    np.testing.assert_allclose(J, mapped_jacobian(ZS), rtol=1e-13)
    assert _run(jac(poly_trig, holomorphic=True), jit)(Z) == pytest.approx(poly_trig_prime(Z), rel=1e-13)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_hessian_is_the_second_complex_derivative(jit):
    H = _run(s2s.hessian(poly_trig, holomorphic=True), jit)(Z)
    assert H == pytest.approx(poly_trig_second(Z), rel=1e-12)


def real_part(z):
    return np.real(z * z)


@pytest.mark.parametrize("call, message", [
    (lambda: s2s.grad(poly_trig, holomorphic=True)(0.5), "grad with holomorphic=True requires inputs with complex dtype"),
    (lambda: s2s.grad(real_part, holomorphic=True)(Z), "grad with holomorphic=True requires outputs with complex dtype"),
    (lambda: s2s.jacfwd(mapped, holomorphic=True)(W), "jacfwd with holomorphic=True requires inputs with complex"),
    (lambda: s2s.jacrev(mapped, holomorphic=True)(W), "jacrev with holomorphic=True requires inputs with complex"),
    (lambda: s2s.jacfwd(mapped)(ZS), "jacfwd requires real-valued inputs"),
    (lambda: s2s.jacrev(mapped)(ZS), "jacrev requires real-valued outputs"),
])
def test_type_errors_as_jax(call, message):
    with pytest.raises(TypeError, match=message):
        call()
