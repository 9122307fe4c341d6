"""Unary rules (s2s/diff/rules/unary.py) against finite differences, in Python and numba."""
import math

import gast
import numpy as np
import pytest
from vjp_check import check_vjp, jitted, run_case

from s2s.diff import runtime_bessel as rb
from s2s.diff.registry import VJP_RULES


def _uniform(lo, hi):
    return lambda rng, shape: rng.uniform(lo, hi, shape) if shape else float(rng.uniform(lo, hi))


def _away_from_zero(rng, shape):
    x = rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    return x if shape else float(x)


ANY, POS, UNIT = _uniform(-1.5, 1.5), _uniform(0.5, 2.0), _uniform(-0.9, 0.9)
ABOVE_ONE, WIDE = _uniform(1.2, 3.0), _uniform(-3.0, 3.0)
NUMPY = [
    (np.negative, ANY), (np.positive, ANY), (np.exp, ANY), (np.expm1, ANY), (np.log, POS), (np.log1p, POS),
    (np.log2, POS), (np.log10, POS), (np.sqrt, POS), (np.square, ANY), (np.reciprocal, POS), (np.sin, ANY),
    (np.cos, ANY), (np.tan, UNIT), (np.arcsin, UNIT), (np.arccos, UNIT), (np.arctan, ANY), (np.sinh, ANY),
    (np.cosh, ANY), (np.tanh, ANY), (np.abs, _away_from_zero), (gast.USub, ANY), (gast.UAdd, ANY),
    (abs, _away_from_zero), (np.fabs, _away_from_zero), (np.exp2, ANY), (np.cbrt, _away_from_zero),
    (np.arcsinh, WIDE), (np.arccosh, ABOVE_ONE), (np.arctanh, UNIT), (np.deg2rad, WIDE), (np.radians, WIDE),
    (np.rad2deg, ANY), (np.degrees, ANY), (np.sinc, WIDE), (np.conj, ANY), (np.real, ANY), (np.imag, ANY),
    (np.angle, _away_from_zero), (np.i0, WIDE), (rb.bessel_i1, WIDE),
    (np.nan_to_num, ANY), (np.float64, ANY),
]
MATH = [
    (math.exp, ANY), (math.expm1, ANY), (math.log, POS), (math.log1p, POS), (math.log2, POS), (math.log10, POS),
    (math.sqrt, POS), (math.sin, ANY), (math.cos, ANY), (math.tan, UNIT), (math.asin, UNIT), (math.acos, UNIT),
    (math.atan, ANY), (math.sinh, ANY), (math.cosh, ANY), (math.tanh, ANY), (math.fabs, _away_from_zero),
    (float, ANY), (math.asinh, WIDE), (math.acosh, ABOVE_ONE), (math.atanh, UNIT),
    (math.erf, ANY), (math.erfc, ANY), (math.degrees, ANY), (math.radians, WIDE),
] + [(getattr(math, n), dom) for n, dom in (("exp2", ANY), ("cbrt", _away_from_zero)) if hasattr(math, n)]
SHAPES = {"scalar": (), "vector": (5,), "matrix": (3, 4)}
NUMBA_SHAPES = ("scalar", "vector")  # a scalar and a 1-d signature per template (2-d compiles 3x slower)


def _name(key):
    return getattr(key, "__name__", str(key))


CASES = [pytest.param(key, dom, shape, id=f"{_name(key)}-{shape}") for key, dom in NUMPY for shape in SHAPES]
CASES += [pytest.param(key, dom, "scalar", id=f"math.{_name(key)}") for key, dom in MATH]


@pytest.mark.parametrize("key, domain, shape", CASES)
def test_unary_rule(key, domain, shape, request):
    use_numba = shape in NUMBA_SHAPES
    run_case(key, lambda rng: (domain(rng, SHAPES[shape]),), {}, use_numba, None, request.node.name)


def test_every_unary_input_is_named_x():
    for key, _ in NUMPY + MATH:
        assert VJP_RULES.get(key).inputs == ("x",), key


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_abs_at_zero_is_zero(compiled):
    """abs'(0) = 0 (the derivative is sign(x), as JAX)."""
    template = VJP_RULES.get(np.abs).template
    run = jitted(template) if compiled else template
    assert run(2.0, 0.0, 0.0) == 0.0
    np.testing.assert_array_equal(run(np.ones(3), np.zeros(3), np.array([-1.0, 0.0, 2.0])), [-1.0, 0.0, 1.0])


def test_builtin_abs_and_fabs_share_the_numpy_rule():
    assert VJP_RULES.get(abs).template is VJP_RULES.get(np.abs).template is VJP_RULES.get(math.fabs).template
    assert VJP_RULES.get(np.absolute) is not None  # np.absolute is np.abs


def test_float_of_a_0d_array():
    check_vjp(float, (np.array(0.7),), name="float-0d")


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_sinc_at_zero(compiled):
    """sinc'(0) = 0 exactly (the series branch), and the other branch is finite there."""
    template = VJP_RULES.get(np.sinc).template
    run = jitted(template) if compiled else template
    assert run(2.0, 1.0, 0.0) == 0.0
    x = np.array([-0.5, 0.0, 1e-3, 2.0])
    got = run(np.ones(4), np.sinc(x), x)
    want = (np.cos(np.pi * x) - np.sinc(x)) / np.where(x == 0.0, 1.0, x)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    assert got[1] == 0.0


def test_sinc_near_zero_against_finite_differences():
    check_vjp(np.sinc, (np.array([-5e-3, 0.0, 2e-3, 0.01, 0.3]),), name="sinc-near-zero", use_numba=True)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_nan_to_num_passes_finite_entries_only(compiled):
    template = VJP_RULES.get(np.nan_to_num).template
    run = jitted(template) if compiled else template
    x = np.array([1.0, np.nan, np.inf, -np.inf, -2.0])
    np.testing.assert_array_equal(run(np.full(5, 3.0), np.nan_to_num(x), x), [3.0, 0.0, 0.0, 0.0, 3.0])


def test_nan_to_num_with_options():
    check_vjp(np.nan_to_num, (np.array([0.3, -1.2]),), {"nan": 1.0, "posinf": 5.0}, name="nan_to_num-options")


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_bessel_i1_values_and_i0_derivative(compiled):
    """I1 against its defining series (every term exact in float64 at these points) and the
    asymptotic regime against I1 = I0' by central differences of NumPy's np.i0; at 0, I1'(0) = 1/2."""
    f = jitted(lambda x: rb.bessel_i1(x)) if compiled else rb.bessel_i1
    x = np.array([-3.0, -0.5, 0.0, 0.5, 2.0, 7.5, 19.5, 20.5, 35.0, 80.0])
    got = f(x)
    series = [sum((v / 2) ** (2 * k + 1) / (math.factorial(k) * math.factorial(k + 1)) for k in range(60))
              for v in x[:6]]
    np.testing.assert_allclose(got[:6], series, rtol=1e-14)
    h = 1e-6 * np.maximum(1.0, np.abs(x))
    np.testing.assert_allclose(got, (np.i0(x + h) - np.i0(x - h)) / (2 * h), rtol=1e-8)
    rule = VJP_RULES.get(rb.bessel_i1).template
    run = jitted(rule) if compiled else rule
    assert run(1.0, 0.0, 0.0) == 0.5
