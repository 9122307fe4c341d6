"""numpy.fft rules (s2s/diff/rules/fft.py, jvp_fft.py and the helpers of runtime_fft.py)
against central finite differences in float64, with complex values (JAX's convention: the
cotangent of z is dL/dRe z - i dL/dIm z; a cotangent c pairs with a tangent t as Re(c t)).

For each case, with random weights c (complex for a complex output) and w > 0, the loss
L = sum(Re(F c)) + sum(|F|^2 w) has the output cotangent g = c + 2 w conj(F); the VJP
template's contribution to every input must equal dL/dRe x - i dL/dIm x element by element
(real for a real input). The JVP rule must match finite differences along a random
(complex for a complex input) direction, and be the VJP's transpose: Re<g, J t> =
Re<J^T g, t>. The cases of NUMBA (one or two per function and helper) also run the
numba-compiled template (np.fft in numba: rocket-fft; the helpers' numba forms in
runtime_numba_fft.py) against the Python one. The same CASES table feeds
tests/diff/test_jvp_rules.py (real directions there). End-to-end tests run s2s.grad,
value_and_grad, jacfwd, jacrev and hessian of real losses through the transforms.
"""
import zlib

import numpy as np
import pytest

import s2s
import s2s.diff.rules  # noqa: F401  -- fills the tables
from s2s.diff import runtime as rt
from s2s.diff.registry import JVP_RULES, NONDIFF, VJP_RULES, jvp_reference
from s2s.errors import NoDerivativeRuleError
from vjp_check import jitted

EPS = 1e-6
NORMS = [None, "backward", "ortho", "forward"]


def case(key, make, options=None, numba=False, name=None, skip=None):
    marks = [pytest.mark.skip(reason=skip)] if skip else []
    return pytest.param(key, make, options or {}, numba, id=name, marks=marks)


def _real(shape):
    return lambda rng: rng.uniform(-1, 1, shape)


def _cplx(shape):
    return lambda rng: rng.uniform(-1, 1, shape) + 1j * rng.uniform(-1, 1, shape)


def _with(*parts):
    return lambda rng: tuple(p(rng) for p in parts)


def _ct(fn, x, complex_out, options):
    """A cotangent input for a transpose helper: random values of the shape of fn(x)."""
    def make(rng):
        xv = x(rng)
        shape = np.shape(fn(xv, **options))
        ct = rng.uniform(-1, 1, shape) + (1j * rng.uniform(-1, 1, shape) if complex_out else 0.0)
        return ct, xv
    return make


def _family(key, label, variants):
    """Cases of `key`: every (name, make, options) of `variants`, and each norm on the
    first variant that has options (n/s and axis/axes)."""
    out = [case(key, make, opts, name=f"{label}-{name}") for name, make, opts in variants]
    name, make, opts = next(v for v in variants if v[2])
    out += [case(key, make, {**opts, "norm": norm}, name=f"{label}-{name}-norm-{norm}") for norm in NORMS]
    return out


def _one_axis(key, label, x1, x2):
    """fft-like one-axis functions: 1-d input x1 (length 8 or 7), 2-d input x2 (4, 5)."""
    return _family(key, label, [
        ("default", _with(x1), {}),
        ("n-short-axis0", _with(x2), {"n": 3, "axis": 0}),
        ("n-long", _with(x1), {"n": 11}),
        ("n-short", _with(x1), {"n": 5}),
        ("axis0", _with(x2), {"axis": 0}),
        ("2d-last", _with(x2), {}),
    ])


def _n_axes(key, label, x2, x3, default_axes):
    """fft2/fftn-like functions: 2-d input x2 (4, 5), 3-d input x3 (2, 3, 4)."""
    variants = [
        ("s-axes", _with(x3), {"s": (3, 6), "axes": (0, 2)}),
        ("default-2d", _with(x2), {}),
        ("default-3d", _with(x3), {}),
        ("s", _with(x2), {"s": (5, 3)} if default_axes else {"s": (5, 3), "axes": (0, 1)}),
        ("axes", _with(x3), {"axes": (2, 0)}),
        ("axes-negative", _with(x3), {"axes": (-1, -3)}),
    ]
    if not default_axes:
        variants += [("one-axis", _with(x3), {"axes": (1,)}), ("repeated-axis", _with(x2), {"axes": (1, 1)})]
    return _family(key, label, variants)


R1, R2, R3 = _real((8,)), _real((4, 5)), _real((2, 3, 4))
C1, C2, C3 = _cplx((7,)), _cplx((4, 5)), _cplx((2, 3, 4))

CASES = [
    *_one_axis(np.fft.fft, "fft", R1, C2),
    case(np.fft.fft, _with(C1), name="fft-complex-1d"),
    case(np.fft.fft, _with(R2), {"n": 7, "axis": 0, "norm": "ortho"}, name="fft-real-2d-n"),
    *_one_axis(np.fft.ifft, "ifft", C1, R2),
    case(np.fft.ifft, _with(C2), {"n": 6, "axis": -2, "norm": "forward"}, name="ifft-complex-2d-n"),
    *_n_axes(np.fft.fft2, "fft2", C2, R3, True),
    case(np.fft.fft2, _with(R2), name="fft2-real"),
    *_n_axes(np.fft.ifft2, "ifft2", R2, C3, True),
    *_n_axes(np.fft.fftn, "fftn", C2, C3, False),
    case(np.fft.fftn, _with(R3), {"s": (4, 2, 5), "axes": (0, 1, 2)}, name="fftn-real-s3"),
    *_n_axes(np.fft.ifftn, "ifftn", R2, C3, False),
    # real input; even and odd lengths (the Nyquist bin)
    *_one_axis(np.fft.rfft, "rfft", R1, R2),
    case(np.fft.rfft, _with(_real((7,))), name="rfft-odd"),
    case(np.fft.rfft, _with(R1), {"n": 9, "norm": "ortho"}, name="rfft-n-odd"),
    *_n_axes(np.fft.rfft2, "rfft2", R2, R3, True),
    *_n_axes(np.fft.rfftn, "rfftn", R2, R3, False),
    # real output from complex bins (the imaginary parts of bin 0 and the Nyquist bin do not enter)
    *_one_axis(np.fft.irfft, "irfft", _cplx((5,)), C2),
    case(np.fft.irfft, _with(_cplx((5,))), {"n": 9}, name="irfft-odd-n"),
    case(np.fft.irfft, _with(_cplx((5,))), {"n": 7, "norm": "ortho"}, name="irfft-odd-n-ortho"),
    case(np.fft.irfft, _with(_real((5,))), name="irfft-real-input"),
    *_n_axes(np.fft.irfft2, "irfft2", C2, C3, True),
    case(np.fft.irfft2, _with(C2), {"s": (4, 7)}, name="irfft2-odd-last"),
    *_n_axes(np.fft.irfftn, "irfftn", C2, C3, False),
    case(np.fft.irfftn, _with(C3), {"s": (2, 5, 4), "axes": (2, 0, 1)}, name="irfftn-three-axes"),
    # Hermitian transforms (hfft: irfft of the conjugate; ihfft: conj of rfft; swapped norms)
    *_one_axis(np.fft.hfft, "hfft", _cplx((5,)), C2),
    *_one_axis(np.fft.ihfft, "ihfft", R1, R2),
    # permutations
    case(np.fft.fftshift, _with(_real((7,))), name="fftshift-odd"),
    case(np.fft.fftshift, _with(C2), {"axes": 0}, name="fftshift-axis0"),
    case(np.fft.fftshift, _with(R3), {"axes": (0, 2)}, name="fftshift-axes"),
    case(np.fft.ifftshift, _with(_cplx((7,))), name="ifftshift-odd"),
    case(np.fft.ifftshift, _with(R2), {"axes": 1}, name="ifftshift-axis1"),
    case(np.fft.ifftshift, _with(C3), name="ifftshift-3d"),
    # the helpers (the array after `ct` gives a shape and a dtype only)
    case(rt.dft, _with(R2), {"s": 6, "axes": 0}, name="dft-one-axis"),
    case(rt.dft, _with(C3), {"s": (3, 2), "axes": (2, 0), "norm": "ortho", "inverse": True}, name="dft-inverse"),
    case(rt.dft_t, _ct(np.fft.fftn, C3, True, {"s": (3, 5), "axes": (0, 2)}), {"s": (3, 5), "axes": (0, 2)},
         name="dft_t"),
    case(rt.dft_t, _ct(np.fft.ifft, R2, True, {"n": 3, "axis": 0}),
         {"s": 3, "axes": 0, "inverse": True, "norm": "forward"}, name="dft_t-real-x"),
    case(rt.rdft, _with(R3), {"s": (4, 5), "axes": (0, 2)}, name="rdft"),
    case(rt.rdft, _with(C1), {"s": 9, "axes": -1, "norm": "ortho"}, name="rdft-complex-x"),
    case(rt.rdft_t, _ct(np.fft.rfftn, R3, True, {"s": (3, 5), "axes": (0, 2)}), {"s": (3, 5), "axes": (0, 2)},
         name="rdft_t"),
    case(rt.rdft_t, _ct(np.fft.rfft, R1, True, {"n": 11}), {"s": 11, "axes": -1, "norm": "forward"},
         name="rdft_t-one-axis"),
    case(rt.irdft, _with(C3), {"s": (3, 5), "axes": (0, 2)}, name="irdft"),
    case(rt.irdft, _with(C2), {"axes": -1, "norm": "ortho"}, name="irdft-one-axis"),
    case(rt.irdft_t, _ct(np.fft.irfftn, C3, False, {"s": (3, 7), "axes": (0, 2)}), {"s": (3, 7), "axes": (0, 2)},
         name="irdft_t"),
    case(rt.irdft_t, _ct(np.fft.irfft, C2, False, {"n": 6}), {"s": 6, "axes": -1, "norm": "ortho"},
         name="irdft_t-one-axis"),
    case(rt.irdft_t, _ct(np.fft.irfft, _real((5,)), False, {}), {"axes": 0}, name="irdft_t-real-c"),
]


# The compiled templates: one or two cases per function (compiling each takes seconds).
NUMBA = {"fft-n-short-axis0", "fft-complex-1d", "ifft-n-long", "fft2-s-axes", "fftn-repeated-axis",
         "ifftn-axes-negative", "rfft-n-short-axis0-norm-ortho", "rfft2-s", "rfftn-s-axes", "irfft-odd-n",
         "irfft-n-short-axis0-norm-forward", "irfft2-odd-last", "irfftn-three-axes",
         "ihfft-n-short-axis0-norm-backward", "fftshift-axes", "dft-inverse", "dft_t-real-x", "rdft_t", "irdft",
         "irdft_t-real-c"}
CASES = [pytest.param(*p.values[:3], p.id in NUMBA, id=p.id, marks=p.marks) for p in CASES]


# ----------------------------------------------------------------------------- checking
def _direction(rng, x):
    x = np.asarray(x)
    return rng.standard_normal(x.shape) + (1j * rng.standard_normal(x.shape) if np.iscomplexobj(x) else 0.0)


def _active(x):
    return not isinstance(x, str) and np.asarray(x).dtype.kind in "fc"


def _fd_grad(loss, x):
    """dL/dRe x - i dL/dIm x, element by element, by central differences."""
    out = np.zeros(np.shape(x), complex)
    for j in np.ndindex(np.shape(x)):
        for unit, sign in ((1.0, 1.0), (1j, -1j)) if np.iscomplexobj(x) else ((1.0, 1.0),):
            e = np.zeros(np.shape(x), np.asarray(x).dtype)
            e[j] = EPS * unit
            out[j] += sign * (loss(x + e) - loss(x - e)) / (2 * EPS)
    return out


def _inputs(make, name):
    return make(np.random.default_rng(zlib.crc32(name.encode())))


@pytest.mark.parametrize("key, make, options, use_numba", CASES)
def test_vjp_elementwise(key, make, options, use_numba, request):
    name = request.node.name
    inputs = _inputs(make, name)
    rule = VJP_RULES.get(key, len(inputs))
    rng = np.random.default_rng(len(name))
    ans = key(*inputs, **options)
    c = _direction(rng, ans)
    w = rng.uniform(0.5, 1.5, np.shape(ans))
    g = c + 2 * w * np.conj(ans)
    contributions = rule.template(g, ans, *inputs, **options)
    contributions = contributions if len(rule.inputs) > 1 else (contributions,)
    assert len(contributions) == len(inputs)
    for i, x in enumerate(inputs):
        if contributions[i] is None:  # read for its shape and dtype: the output does not move with it
            assert np.allclose(key(*inputs[:i], 1.5 * x, *inputs[i + 1:], **options), ans)
            continue

        def loss(xi, i=i):
            f = key(*inputs[:i], xi, *inputs[i + 1:], **options)
            return np.sum(np.real(f * c)) + np.sum(np.abs(f) ** 2 * w)

        got, want = np.asarray(contributions[i]), _fd_grad(loss, x)
        assert got.shape == np.shape(x), f"contribution of shape {got.shape} for an input of {np.shape(x)}"
        if not np.iscomplexobj(x):
            assert not np.iscomplexobj(got), "a real input gets a real contribution"
        scale = max(1.0, float(np.max(np.abs(want))))
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6 * scale)
    if use_numba:
        positional = [options.get(n, d) for n, d in rule.options]
        while positional and rule.options[len(positional) - 1][0] not in options:
            positional.pop()  # trailing defaults stay omitted
        compiled = jitted(rule.template)(g, ans, *inputs, *positional)
        compiled = compiled if len(rule.inputs) > 1 else (compiled,)
        for py, nb in zip(contributions, compiled):
            assert (py is None) == (nb is None)
            if py is not None:
                assert np.shape(nb) == np.shape(py) and np.iscomplexobj(nb) == np.iscomplexobj(py)
                np.testing.assert_allclose(nb, py, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("key, make, options, use_numba", CASES)
def test_jvp_against_fd_and_vjp(key, make, options, use_numba, request):
    name = request.node.name
    inputs = _inputs(make, name)
    rule, vjp = JVP_RULES.get(key, len(inputs)), VJP_RULES.get(key, len(inputs))
    assert rule.kind == "linear" and (rule.inputs, rule.options) == (vjp.inputs, vjp.options)
    rng = np.random.default_rng(len(name) + 1)
    dirs = [_direction(rng, x) if _active(x) else None for x in inputs]
    out = jvp_reference(rule, key, inputs, dirs, options)
    plus = key(*[x + EPS * d if d is not None else x for x, d in zip(inputs, dirs)], **options)
    minus = key(*[x - EPS * d if d is not None else x for x, d in zip(inputs, dirs)], **options)
    want = (plus - minus) / (2 * EPS)
    assert np.shape(out) == np.shape(want) and np.iscomplexobj(out) == np.iscomplexobj(want)
    np.testing.assert_allclose(out, want, rtol=1e-6, atol=1e-6 * max(1.0, float(np.max(np.abs(want)))))
    ans = key(*inputs, **options)
    g = _direction(rng, ans)
    contributions = vjp.template(g, ans, *inputs, **options)
    contributions = contributions if len(vjp.inputs) > 1 else (contributions,)
    lhs = np.real(np.sum(g * out))
    rhs = sum(np.real(np.sum(ci * d)) for ci, d in zip(contributions, dirs) if ci is not None)
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs))


def test_numba_cases_exist():
    assert NUMBA <= {p.id for p in CASES}


def test_every_fft_rule_is_exercised():
    keys = {id(p.values[0]) for p in CASES}
    mine = [r for r in VJP_RULES.rules() if r.template.__module__.endswith(".fft")]
    assert len(mine) == 22 and all(id(r.key) in keys for r in mine)


def test_frequencies_are_constants():
    for fn in (np.fft.fftfreq, np.fft.rfftfreq, rt.swap_norm):
        assert fn in NONDIFF and fn not in VJP_RULES


def test_irfft_ignores_the_imaginary_parts_of_bin_0_and_nyquist():
    """The contribution to c of irfft(c, n) is w * ifft(ct)[:m'] with w = 1 at bin 0 and at
    an even n's Nyquist bin, 2 elsewhere; the forward map ignores Im c_0 and Im c_{n/2}."""
    ct = np.random.default_rng(3).standard_normal(8)
    c = np.zeros(5, complex)
    got = VJP_RULES.get(np.fft.irfft).template(ct, np.fft.irfft(c), c)
    np.testing.assert_allclose(got, np.fft.ifft(ct)[:5] * [1, 2, 2, 2, 1], atol=1e-15)
    np.testing.assert_allclose(np.fft.irfft(c + 1j * np.array([1, 0, 0, 0, 1])), 0.0, atol=1e-15)
    got = VJP_RULES.get(np.fft.irfft).template(ct[:7], np.fft.irfft(c, 7), c, 7)
    np.testing.assert_allclose(got, np.append(np.fft.ifft(ct[:7])[:4] * [1, 2, 2, 2], 0.0), atol=1e-15)  # odd n


# ------------------------------------------------------------------------------ end to end
def _fd(f, x):
    out = np.zeros(np.shape(x))
    for j in np.ndindex(np.shape(x)):
        e = np.zeros(np.shape(x))
        e[j] = EPS
        out[j] = (f(x + e) - f(x - e)) / (2 * EPS)
    return out


def _fd_jac(f, x):
    cols = []
    for j in np.ndindex(np.shape(x)):
        e = np.zeros(np.shape(x))
        e[j] = EPS
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * EPS))
    return np.moveaxis(np.array(cols), 0, -1).reshape(np.shape(f(x)) + np.shape(x))


RNG = np.random.default_rng(11)
H = RNG.standard_normal(6) + 1j * RNG.standard_normal(6)
KERNEL = RNG.standard_normal(6)
C2D = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))


def power_spectrum(x):
    return np.sum(np.abs(np.fft.rfft(x)) ** 2)


def filtered(x):
    return np.sum(np.real(np.fft.ifft(np.fft.fft(x) * H)))


def circular_convolution(x):
    y = np.fft.irfft(np.fft.rfft(x) * np.fft.rfft(KERNEL), n=6)
    return np.sum(y ** 3)


def shifted_spectrum(x):
    s = np.fft.fftshift(np.fft.fft(x, norm="ortho"))
    return np.sum(np.real(s) ** 2 * np.arange(6.0)) + np.sum(np.imag(s) * np.cos(np.arange(6.0)))


def spectrum_2d(x):
    z = np.fft.fft2(x, s=(3, 4), norm="forward")
    return np.sum(np.real(z * np.conj(z)) * np.arange(4.0)) + np.sum(np.real(z[:, :3] * C2D) ** 2)


def real_2d(x):
    y = np.fft.irfftn(np.fft.rfftn(x, axes=(0, 1)) ** 2, s=(2, 3), axes=(0, 1))
    return np.sum(np.sin(y))


SMOOTH = [("filtered", filtered, (6,)), ("circular-convolution", circular_convolution, (6,)),
          ("real-2d", real_2d, (2, 3))]
THROUGH_ABS = [("power-spectrum", power_spectrum, (6,))]
THROUGH_COMPLEX = [("shifted-spectrum", shifted_spectrum, (6,)), ("spectrum-2d", spectrum_2d, (2, 4))]
LOSSES = SMOOTH + THROUGH_ABS + THROUGH_COMPLEX


def _x(shape):
    return np.random.default_rng(sum(shape)).uniform(-1, 1, shape)


@pytest.mark.parametrize("f, shape", [lf[1:] for lf in LOSSES], ids=[lf[0] for lf in LOSSES])
def test_grad_and_value_and_grad(f, shape):
    x = _x(shape)
    g = s2s.grad(f)(x)
    assert np.shape(g) == shape and not np.iscomplexobj(g)
    np.testing.assert_allclose(g, _fd(f, x), rtol=1e-6, atol=1e-6)
    v, g2 = s2s.value_and_grad(f)(x)
    assert np.isclose(v, f(x)) and np.allclose(g2, g)


@pytest.mark.parametrize("f, shape", [lf[1:] for lf in LOSSES], ids=[lf[0] for lf in LOSSES])
def test_hessian(f, shape):
    x = _x(shape)
    h = s2s.hessian(f)(x)
    want = _fd_jac(s2s.grad(f), x)  # differences of the gradient (checked above)
    assert h.shape == shape + shape
    np.testing.assert_allclose(np.real(h), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(s2s.jacfwd(s2s.grad(f))(x), h, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("f, shape", [lf[1:] for lf in LOSSES], ids=[lf[0] for lf in LOSSES])
def test_jit_grad_and_value(f, shape):
    """Compiled: the value and the gradient equal the Python path's (checked above)."""
    x = _x(shape)
    np.testing.assert_allclose(s2s.jit(f)(x), f(x), rtol=1e-12)
    np.testing.assert_allclose(s2s.jit(s2s.grad(f))(x), s2s.grad(f)(x), rtol=1e-10, atol=1e-12)


def test_jit_hessian_and_jacfwd():
    f, shape = real_2d, (2, 3)
    x = _x(shape)
    np.testing.assert_allclose(s2s.jit(s2s.hessian(f))(x), s2s.hessian(f)(x), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(s2s.jit(s2s.jacfwd(f))(x), s2s.grad(f)(x), rtol=1e-10, atol=1e-12)


def test_jit_hermitian_and_shifts():
    def f(x):
        z = np.fft.ihfft(x * x, n=7, norm="ortho")
        y = np.fft.hfft(np.fft.ifftshift(z) * H[:4], n=6)
        return np.sum(np.fft.fftshift(y) * np.arange(6.0)) + np.sum(np.fft.fftn(np.outer(x, y), axes=(1,)).imag ** 2)
    x = _x((6,))
    np.testing.assert_allclose(s2s.jit(f)(x), f(x), rtol=1e-12)
    g = s2s.jit(s2s.grad(f))(x)
    np.testing.assert_allclose(g, _fd(f, x), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(g, s2s.grad(f)(x), rtol=1e-10, atol=1e-12)


def test_jacobians_of_a_real_transform():
    def f(x):
        return np.fft.irfft(np.fft.rfft(x, norm="ortho") * np.fft.rfft(KERNEL, norm="ortho"), n=6, norm="ortho")
    x = _x((6,))
    want = _fd_jac(f, x)
    np.testing.assert_allclose(s2s.jacfwd(f)(x), want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(s2s.jacrev(f)(x), want, rtol=1e-6, atol=1e-6)


def test_vmap_of_grad():
    xs = np.random.default_rng(4).uniform(-1, 1, (3, 6))
    got = s2s.vmap(s2s.grad(circular_convolution))(xs)
    np.testing.assert_allclose(got, [s2s.grad(circular_convolution)(x) for x in xs], rtol=1e-12, atol=1e-12)


def test_grad_of_a_complex_input():
    """grad w.r.t. a complex argument: dL/dRe z - i dL/dIm z (JAX's convention)."""
    def f(z):
        return np.sum(np.real(np.fft.ifft(z, n=5) * H[:5])) + np.sum(np.real(np.fft.fft(z)) ** 2)
    z = _cplx((4,))(np.random.default_rng(5))
    np.testing.assert_allclose(s2s.grad(f)(z), _fd_grad(f, z), rtol=1e-6, atol=1e-6)


def test_jvp_of_a_complex_valued_function():
    def f(x):
        return np.fft.fftshift(np.fft.fft(x * x, n=8))
    x, t = _x((6,)), np.random.default_rng(2).standard_normal(6)
    out, dt = s2s.jvp(f, (x,), (t,))
    np.testing.assert_allclose(out, f(x))
    np.testing.assert_allclose(dt, (f(x + EPS * t) - f(x - EPS * t)) / (2 * EPS), rtol=1e-6, atol=1e-6)


def test_out_is_refused_at_the_users_line():
    def f(x):
        y = np.empty(4, complex)
        return np.sum(np.real(np.fft.fft(x, out=y)))
    with pytest.raises(NoDerivativeRuleError):
        s2s.grad(f)(np.ones(4))
