"""scipy.signal.convolve's derivative (s2s/diff/rules/signal.py, runtime_signal.py and its
numba forms): 1-d, 2-d and 3-d inputs, either one larger, modes 'full', 'valid' and 'same';
gradients (reverse, forward, compiled) against central differences, the compiled value
against scipy itself, a Hessian against differences of the gradient; complex inputs and kernels.
"""
import numpy as np
import pytest

signal = pytest.importorskip("scipy.signal")

import s2s  # noqa: E402

SHAPES = [((5,), (3,)), ((3,), (5,)), ((4, 5), (2, 3)), ((2, 3), (4, 5)), ((3, 3), (3, 3)), ((3, 2, 4), (2, 2, 2))]
MODES = ["full", "valid", "same"]


def conv_full(a, b, w):
    return np.sum(np.tanh(signal.convolve(a, b, mode="full")) * w)


def conv_valid(a, b, w):
    return np.sum(np.tanh(signal.convolve(a, b, mode="valid")) * w)


def conv_same(a, b, w):
    return np.sum(np.tanh(signal.convolve(a, b, "same")) * w)


FNS = {"full": conv_full, "valid": conv_valid, "same": conv_same}


def _inputs(sa, sb, mode, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    return a, b, rng.standard_normal(signal.convolve(a, b, mode=mode).shape)


def central_differences(f, args, k, eps=1e-6):
    x = args[k]
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        e = np.zeros(x.shape)
        e[i] = eps
        up, down = list(args), list(args)
        up[k], down[k] = x + e, x - e
        g[i] = (f(*up) - f(*down)) / (2 * eps)
    return g


JIT = [(SHAPES[0], "same"), (SHAPES[1], "valid"), (SHAPES[3], "full"), (SHAPES[5], "same")]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sa, sb", SHAPES, ids=["x".join(map(str, a)) + "-" + "x".join(map(str, b)) for a, b in SHAPES])
@pytest.mark.parametrize("how", ["grad", "jacfwd"])
def test_gradients_match_central_differences(sa, sb, mode, how):
    f = FNS[mode]
    args = _inputs(sa, sb, mode)
    transform = {"grad": s2s.grad, "jacfwd": s2s.jacfwd}[how]
    for k in (0, 1):
        np.testing.assert_allclose(transform(f, argnums=k)(*args), central_differences(f, args, k), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("shapes, mode", JIT, ids=[f"{len(s[0])}d-{m}" for s, m in JIT])
def test_compiled_gradients_match_central_differences(shapes, mode):
    """(for a few shapes and modes: the numba forms are generated per rank; compiling is slow)"""
    f = FNS[mode]
    args = _inputs(*shapes, mode)
    for k in (0, 1):
        got = s2s.jit(s2s.grad(f, argnums=k))(*args)
        np.testing.assert_allclose(got, central_differences(f, args, k), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sa, sb", SHAPES[:4], ids=["5-3", "3-5", "4x5-2x3", "2x3-4x5"])
def test_compiled_value_is_scipys(sa, sb, mode):
    a, b, _ = _inputs(sa, sb, mode, seed=1)
    got = s2s.jit(lambda x, y: signal.convolve(x, y, mode=mode))(a, b)
    np.testing.assert_allclose(got, signal.convolve(a, b, mode=mode), rtol=1e-12, atol=1e-13)


def test_hessian_matches_differences_of_the_gradient():
    a, b, w = _inputs((4, 3), (2, 2), "same", seed=2)
    h = s2s.hessian(conv_same)(a, b, w)
    h_reverse = s2s.jacrev(s2s.grad(conv_same))(a, b, w)  # (the helpers' own VJP rules)
    g = s2s.grad(conv_same)
    eps, want = 1e-5, np.zeros((4, 3, 4, 3))
    for i in np.ndindex(a.shape):
        e = np.zeros(a.shape)
        e[i] = eps
        want[(...,) + i] = (g(a + e, b, w) - g(a - e, b, w)) / (2 * eps)
    np.testing.assert_allclose(h, want, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(h_reverse, want, rtol=1e-5, atol=1e-7)


def mixed(a, b):  # both inputs: the cross blocks use each helper's rule w.r.t. the other input
    return np.sum(np.sin(signal.convolve(a, b, "valid")))


def test_mixed_second_derivatives_in_both_modes():
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((5,)), rng.standard_normal((3,))
    gb = s2s.grad(mixed, argnums=1)
    eps, want = 1e-5, np.zeros((3, 5))
    for i in range(5):
        e = np.zeros(5)
        e[i] = eps
        want[:, i] = (gb(a + e, b) - gb(a - e, b)) / (2 * eps)
    np.testing.assert_allclose(s2s.jacrev(gb)(a, b), want, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2s.jacfwd(gb)(a, b), want, rtol=1e-5, atol=1e-7)


def run_time_mode(a, b):
    mode = "full" if a[0] > 0 else "same"  # (the helpers read the mode when they run)
    return np.sum(np.sin(signal.convolve(a, b, mode=mode)))


@pytest.mark.parametrize("first", [1.0, -1.0], ids=["full", "same"])
def test_a_mode_chosen_at_run_time(first):
    a, b = np.array([first, 0.5, -0.3, 0.8]), np.array([0.2, -0.7])
    want = central_differences(run_time_mode, (a, b), 0)
    np.testing.assert_allclose(s2s.grad(run_time_mode)(a, b), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jit(s2s.grad(run_time_mode))(a, b), want, rtol=1e-6, atol=1e-8)


def bad_mode(a, b):
    return np.sum(signal.convolve(a, b, mode="circular"))


def test_an_unknown_mode_is_refused():
    with pytest.raises(s2s.errors.NoDerivativeRuleError, match="mode"):
        s2s.grad(bad_mode)(np.ones(3), np.ones(2))


B = np.array([0.4 - 0.3j, -1.1 + 0.2j, 0.7 + 0.9j])


def complex_loss(z):  # a complex input and a complex kernel (JAX's convention for the gradient)
    y = signal.convolve(z, B, mode="full")
    return np.sum(np.abs(y) ** 2) + np.sum(np.real(signal.convolve(B, z, "valid") * B[0]))


def real_input_complex_kernel(x):
    return np.sum(np.abs(signal.convolve(x, B, mode="same")) ** 2)


def _complex_fd(f, z, eps=1e-6):
    """dL/dRe z - i dL/dIm z by central differences."""
    out = np.zeros(z.shape, complex)
    for i in range(z.size):
        e = np.zeros(z.shape)
        e[i] = eps
        out[i] = (f(z + e) - f(z - e)) / (2 * eps) - 1j * (f(z + 1j * e) - f(z - 1j * e)) / (2 * eps)
    return out


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "jit"])
def test_complex_inputs(compiled):
    rng = np.random.default_rng(7)
    z = rng.standard_normal(4) + 1j * rng.standard_normal(4)
    x = rng.standard_normal(5)
    wrap = s2s.jit if compiled else (lambda f: f)
    np.testing.assert_allclose(wrap(s2s.grad(complex_loss))(z), _complex_fd(complex_loss, z), rtol=1e-6, atol=1e-7)
    g = wrap(s2s.grad(real_input_complex_kernel))(x)
    assert not np.iscomplexobj(g)
    np.testing.assert_allclose(g, np.real(_complex_fd(real_input_complex_kernel, x.astype(complex))), rtol=1e-6, atol=1e-7)
    if compiled:
        np.testing.assert_allclose(s2s.jit(complex_loss)(z), complex_loss(z), rtol=1e-12)
