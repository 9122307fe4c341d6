"""Complex values in differentiated code, JAX's convention: the gradient of a real loss L
with respect to a complex z is dL/dRe z - i dL/dIm z, and a real input's gradient is real
(its adjoint's real part: diff/complexes.py, the projection `real_for`). Checked against
central differences of the real and imaginary parts, in Python and compiled, for the rules
that must conjugate (abs, angle, imag, conj) and end to end."""
import numpy as np
import pytest

import s2s

X = np.array([0.3, -1.2, 2.0, 0.7])
Z = np.array([0.5 + 0.2j, -1.0 + 0.7j, 0.3 - 1.1j])


def _real_grad(f, x, eps=1e-6):
    out = np.zeros(x.shape)
    for k in range(x.size):
        e = np.zeros(x.shape)
        e[k] = eps
        out[k] = (f(x + e) - f(x - e)) / (2 * eps)
    return out


def _complex_grad(f, z, eps=1e-6):
    """dL/dRe z - i dL/dIm z by central differences."""
    re, im = np.zeros(z.shape), np.zeros(z.shape)
    for k in range(z.size):
        e = np.zeros(z.shape)
        e[k] = eps
        re[k] = (f(z + e) - f(z - e)) / (2 * eps)
        im[k] = (f(z + 1j * e) - f(z - 1j * e)) / (2 * eps)
    return re - 1j * im


# -- real inputs, complex values inside --------------------------------------------------------
def phase_sum(x):
    return np.sum(np.real(np.exp(1j * x)))


def modulus(x):
    return np.sum(np.abs(x + 1j * x[::-1]) ** 2)


def angles(x):
    return np.sum(np.angle(x + 1j * x ** 2)) + np.sum(np.angle(x + 0.5j, deg=True)) / 90.0


def imaginary(x):
    return np.sum(np.imag(np.exp(1j * x) * x))


def rotated_modulus(x):
    return np.sum(np.abs(np.exp(1j * x) * (x + 2j)) ** 1.5)


def cast(x):
    z = x.astype(complex) * (1 + 2j)
    return np.sum(np.real(z * np.conj(z)))


REAL_INPUT = [phase_sum, modulus, angles, imaginary, rotated_modulus, cast]


@pytest.mark.parametrize("transform", ["grad", "jit-grad", "jacfwd"])
@pytest.mark.parametrize("fn", REAL_INPUT, ids=lambda f: f.__name__)
def test_real_inputs_get_real_gradients(fn, transform):
    t = {"grad": s2s.grad, "jit-grad": lambda f: s2s.jit(s2s.grad(f)), "jacfwd": s2s.jacfwd}[transform]
    g = t(fn)(X)
    assert not np.iscomplexobj(g)
    np.testing.assert_allclose(g, _real_grad(fn, X), rtol=1e-6, atol=1e-8)


def periodic(x):
    return np.sum(np.abs(np.exp(1j * x) * (x + 1j)) ** 2)  # = sum(x ** 2 + 1)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_second_derivatives_through_complex_abs(compiled):
    h = s2s.hessian(periodic)
    h = s2s.jit(h) if compiled else h
    np.testing.assert_allclose(h(X), 2.0 * np.eye(X.size), atol=1e-12)
    h2 = s2s.hessian(rotated_modulus)
    np.testing.assert_allclose(h2(X), s2s.jacfwd(s2s.grad(rotated_modulus))(X), rtol=1e-10)
    fd = np.array([_real_grad(lambda x: s2s.grad(rotated_modulus)(x)[k], X) for k in range(X.size)])
    np.testing.assert_allclose(h2(X), fd, rtol=1e-5, atol=1e-7)


def test_batched_gradients():
    xs = np.stack([X, X * 0.5 + 0.1])
    for fn in (modulus, rotated_modulus):
        want = np.stack([s2s.grad(fn)(x) for x in xs])
        np.testing.assert_allclose(s2s.vmap(s2s.grad(fn))(xs), want, rtol=1e-12)
        np.testing.assert_allclose(s2s.jit(s2s.vmap(s2s.grad(fn)))(xs), want, rtol=1e-12)


# -- complex inputs -------------------------------------------------------------------------------
def energy(z):
    return np.sum(np.abs(z) ** 2 + np.real(z * z) + np.imag(z) * np.angle(z))


def holomorphic(z):
    return np.sum(np.real(np.exp(z) * np.conj(z) + np.sin(z) ** 2))


def products(z):
    # complex operands of numba forms that allocate their result (outer, prod's partials)
    w = np.outer(z, z) @ z + np.cumsum(z) * np.mean(z) + np.prod(z) + np.prod(np.outer(z, z), axis=0)
    return np.sum(np.real(w) * np.array([0.3, -1.2, 0.7]) + np.imag(w))


@pytest.mark.parametrize("fn", [energy, holomorphic, products], ids=lambda f: f.__name__)
@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_complex_inputs_follow_jax_convention(fn, compiled):
    g = s2s.grad(fn)
    g = s2s.jit(g) if compiled else g
    np.testing.assert_allclose(g(Z), _complex_grad(fn, Z), rtol=1e-6, atol=1e-8)


def scaled(x, z):
    return np.sum(np.abs(x * z) ** 2)


def test_a_real_argument_beside_a_complex_one_gets_a_real_gradient():
    x = np.array([0.3, -1.2, 2.0])
    gx, gz = s2s.grad(scaled, argnums=(0, 1))(x, Z)
    assert not np.iscomplexobj(gx)
    np.testing.assert_allclose(gx, 2 * x * np.abs(Z) ** 2, rtol=1e-12)
    np.testing.assert_allclose(gz, _complex_grad(lambda z: scaled(x, z), Z), rtol=1e-6)
    _, pullback = s2s.vjp(scaled, x, Z)
    assert not np.iscomplexobj(pullback(1.0)[0])


def test_jvp_and_vjp_are_transposes_for_complex_values():
    """<ct, J t> = <J^T ct, t> with the real pairing Re(c t) of a cotangent c and a tangent t."""
    def f(z):
        return np.exp(z) * np.conj(z) + np.abs(z) * 1j
    rng = np.random.default_rng(3)
    t = rng.normal(size=3) + 1j * rng.normal(size=3)
    ct = rng.normal(size=3) + 1j * rng.normal(size=3)
    _, jt = s2s.jvp(f, (Z,), (t,))
    _, pullback = s2s.vjp(f, Z)
    (jct,) = pullback(ct)
    np.testing.assert_allclose(np.real(np.sum(ct * jt)), np.real(np.sum(jct * t)), rtol=1e-12)


def test_the_projection_is_generated_only_for_complex_code():
    def plain(x):
        return np.sum(np.sin(x) ** 2)
    assert "real_for" not in s2s.source(s2s.grad(plain))
    assert "real_for(bx, x)" in s2s.source(s2s.grad(phase_sum))


def real_part_sum(z):
    return np.sum(np.real(z)) * 2.0


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
@pytest.mark.parametrize("z", [1.0j, np.complex128(0.5 + 1j), np.array([1.0j, 2.0])], ids=["complex", "complex128",
                                                                                             "array"])
def test_the_gradient_of_a_complex_input_is_complex_where_only_its_real_part_is_read(z, jit):
    # autograd's test_real_type: the gradient has the input's dtype (JAX: complex in, complex out)
    g = (s2s.jit(s2s.grad(real_part_sum)) if jit else s2s.grad(real_part_sum))(z)
    assert np.iscomplexobj(g)
    np.testing.assert_allclose(g, 2.0 * np.ones_like(z))
