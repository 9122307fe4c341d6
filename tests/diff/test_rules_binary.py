"""Binary rules (s2s/diff/rules/binary.py) against finite differences, over scalar, vector
and broadcasting shapes, in Python and numba; the tie and bound conventions exactly."""
import math

import gast
import numpy as np
import pytest
from vjp_check import check_vjp, jitted, run_case

from s2s.diff.registry import VJP_RULES

SHAPES = {
    "scalar": ((), ()), "vector": ((4,), (4,)), "row": ((3, 4), (4,)), "outer": ((3, 1), (1, 4)),
    "3d": ((2, 3, 4), (3, 1)), "scalar-array": ((), (3, 4)), "array-scalar": ((3, 4), ()),
}
NUMBA_SHAPES = ("scalar", "vector")  # 2-d signatures compile 3x slower; `outer` below covers unbroadcast


def _draw(rng, lo, hi, shape):
    x = rng.uniform(lo, hi, shape)
    return x if shape else float(x)


def _signed(rng, shape):  # |x| in [0.5, 2]
    return _draw(rng, 0.5, 2.0, shape) * (rng.choice([-1.0, 1.0], shape) if shape else float(rng.choice([-1.0, 1.0])))


def _pair(d1, d2):
    return lambda rng, s1, s2: (d1(rng, s1), d2(rng, s2))


ANY = lambda rng, s: _draw(rng, -1.5, 1.5, s)
INT = lambda rng, s: rng.integers(-3, 4, s) if s else int(rng.integers(-3, 4))  # not perturbed: ldexp's exponent
POS = lambda rng, s: _draw(rng, 0.5, 2.0, s)


def _mod_inputs(rng, s1, s2):
    """x1 / x2 = an integer plus a fraction in [0.2, 0.8]: away from the jumps of % and fmod."""
    full = np.broadcast_shapes(s1, s2)
    q = rng.integers(-3, 3, full) + rng.uniform(0.2, 0.8, full)
    if full == s1:
        x2 = _signed(rng, s2)
        x1 = q * x2
    else:
        x1 = _signed(rng, s1)
        x2 = x1 / q
    return (x1 if s1 else float(x1)), (x2 if s2 else float(x2))


BINARY = [
    (np.add, _pair(ANY, ANY)), (gast.Add, _pair(ANY, ANY)), (np.subtract, _pair(ANY, ANY)),
    (gast.Sub, _pair(ANY, ANY)), (np.multiply, _pair(ANY, ANY)), (gast.Mult, _pair(ANY, ANY)),
    (np.divide, _pair(ANY, _signed)), (gast.Div, _pair(ANY, _signed)), (np.power, _pair(POS, ANY)),
    (gast.Pow, _pair(POS, ANY)), (np.arctan2, _pair(_signed, _signed)), (np.hypot, _pair(_signed, _signed)),
    (np.logaddexp, _pair(ANY, ANY)), (np.maximum, _pair(ANY, ANY)), (np.minimum, _pair(ANY, ANY)),
    (np.float_power, _pair(POS, ANY)), (np.logaddexp2, _pair(ANY, ANY)), (np.fmax, _pair(ANY, ANY)),
    (np.fmin, _pair(ANY, ANY)), (np.copysign, _pair(_signed, _signed)), (np.heaviside, _pair(_signed, ANY)),
    (np.ldexp, _pair(ANY, INT)),
]
SCALAR_ONLY = [
    (math.pow, _pair(POS, ANY)), (pow, _pair(POS, ANY)), (math.atan2, _pair(_signed, _signed)), (math.hypot, _pair(_signed, _signed)),
    (max, _pair(ANY, ANY)), (min, _pair(ANY, ANY)), (math.copysign, _pair(_signed, _signed)),
    (math.fmod, _mod_inputs), (math.log, _pair(POS, lambda rng, s: _draw(rng, 1.5, 3.0, s))),
]


def _name(key):
    return getattr(key, "__name__", str(key))


CASES = [pytest.param(k, mk, s, id=f"{_name(k)}-{s}") for k, mk in BINARY for s in SHAPES]
CASES += [pytest.param(k, mk, "scalar", id=f"{_name(k)}-builtin-or-math") for k, mk in SCALAR_ONLY]
CASES += [pytest.param(k, _mod_inputs, s, id=f"{_name(k)}-{s}") for k in (np.mod, gast.Mod, np.fmod)
          for s in ("scalar", "vector", "row", "scalar-array")]


# Inputs that get a None contribution (no derivative almost everywhere): the others are checked.
ONLY = {id(np.copysign): [0], id(math.copysign): [0], id(np.heaviside): [1]}


@pytest.mark.parametrize("key, make, shape", CASES)
def test_binary_rule(key, make, shape, request):
    s1, s2 = SHAPES[shape]
    use_numba = shape in NUMBA_SHAPES or (shape == "outer" and key is np.multiply)
    run_case(key, lambda rng: make(rng, s1, s2), {}, use_numba, ONLY.get(id(key)), request.node.name)


def test_power_of_a_negative_base_to_an_integer_exponent():
    check_vjp(np.power, (np.array([-1.5, -0.7, 0.8]), 3.0), name="pow-neg", diff=[0])


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_power_exponent_derivative_at_a_zero_base_is_zero(compiled):
    t = VJP_RULES.get(np.power).template
    t = jitted(t) if compiled else t
    _, bx2 = t(np.ones(2), np.array([0.0, 4.0]), np.array([0.0, 2.0]), np.array([2.0, 2.0]))
    np.testing.assert_allclose(bx2, [0.0, 4.0 * math.log(2.0)])


CLIP = [((np.linspace(-1, 1, 7), -0.4, 0.6), {}), ((np.linspace(-1, 1, 7), np.full(7, -0.4), np.full(7, 0.6)), {}),
        ((-0.7, -0.4, 0.6), {}), ((0.2, -0.4, 0.6), {})]


@pytest.mark.parametrize("inputs", [c[0] for c in CLIP], ids=["scalar-bounds", "array-bounds", "below", "inside"])
def test_clip(inputs, request):
    check_vjp(np.clip, inputs, name=request.node.name, use_numba=np.ndim(inputs[1]) == 0)


@pytest.mark.parametrize("lo, hi", [(None, 0.5), (-0.5, None)], ids=["no-lower", "no-upper"])
def test_clip_with_a_missing_bound(lo, hi, request):
    out = check_vjp(np.clip, (np.linspace(-1, 1, 7), lo, hi), name=request.node.name, diff=[0], use_numba=True)
    for contributions in out.values():
        assert contributions[1 if lo is None else 2] is None


@pytest.mark.parametrize("shapes", [((4,), (4,), (4,)), ((3, 4), (4,), ()), ((), (), ())],
                         ids=["vector", "bcast", "scalar"])
def test_where(shapes, request):
    rng = np.random.default_rng(7)
    cond, x, y = (rng.uniform(-1, 1, s) if s else float(rng.uniform(-1, 1)) for s in shapes)
    out = check_vjp(np.where, (np.asarray(cond) > 0, x, y), name=request.node.name, use_numba=len(shapes[0]) < 2)
    assert all(c[0] is None for c in out.values())


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_conventions_at_kinks(compiled):
    """maximum/minimum ties split 0.5/0.5; clip is inclusive at its bounds (as JAX)."""
    def run(key, *args):
        t = VJP_RULES.get(key).template
        return (jitted(t) if compiled else t)(*args)
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([1.0, 0.0, 3.0])
    for key in (np.maximum, np.minimum):
        b1, b2 = run(key, np.ones(3), x, x, y)
        np.testing.assert_array_equal(b1, [0.5, 1.0 if key is np.maximum else 0.0, 0.5])
        np.testing.assert_array_equal(b2, [0.5, 0.0 if key is np.maximum else 1.0, 0.5])
    assert run(max, 1.0, 2.0, 2.0, 2.0) == (0.5, 0.5)
    assert run(min, 1.0, 2.0, 2.0, 2.0) == (0.5, 0.5)
    a = np.array([-0.5, 0.5, 0.0])
    ba, blo, bhi = run(np.clip, np.ones(3), np.clip(a, -0.5, 0.5), a, -0.5, 0.5)
    np.testing.assert_array_equal(ba, [1.0, 1.0, 1.0])
    assert blo == 0.0 and bhi == 0.0


@pytest.mark.parametrize("key", [np.floor_divide, gast.FloorDiv])
def test_floor_division_has_no_contribution(key):
    assert VJP_RULES.get(key).template(1.0, 2.0, 7.0, 3.0) == (None, None)


def test_aliases_share_a_rule():
    assert np.true_divide is np.divide and np.remainder is np.mod and getattr(np, "pow", np.power) is np.power
    assert VJP_RULES.get(gast.Mult).template is VJP_RULES.get(np.multiply).template
    assert VJP_RULES.get(max).template is VJP_RULES.get(np.maximum).template


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_fmax_fmin_nan_and_ties(compiled):
    """fmax/fmin: the non-NaN input gets the cotangent; ties split 0.5/0.5 as maximum/minimum."""
    def run(key, *args):
        t = VJP_RULES.get(key).template
        return (jitted(t) if compiled else t)(*args)
    x = np.array([np.nan, 2.0, 3.0, 1.0, np.nan])
    y = np.array([1.0, np.nan, 3.0, 0.0, np.nan])
    for key in (np.fmax, np.fmin):
        b1, b2 = run(key, np.ones(5), key(x, y), x, y)
        bigger = 1.0 if key is np.fmax else 0.0
        np.testing.assert_array_equal(b1, [0.0, 1.0, 0.5, bigger, 0.0])
        np.testing.assert_array_equal(b2, [1.0, 0.0, 0.5, 1.0 - bigger, 0.0])


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_copysign_and_heaviside_values(compiled):
    def run(key, *args):
        t = VJP_RULES.get(key).template
        return (jitted(t) if compiled else t)(*args)
    x1, x2 = np.array([-2.0, 0.0, 3.0, 1.5]), np.array([1.0, -1.0, -0.0, -2.0])
    b1, b2 = run(np.copysign, np.ones(4), np.copysign(x1, x2), x1, x2)
    np.testing.assert_array_equal(b1, [-1.0, 0.0, -1.0, -1.0])  # -0.0 has a negative sign
    assert b2 is None
    h1, h2 = run(np.heaviside, np.full(4, 2.0), np.heaviside(x1, x2), x1, x2)
    assert h1 is None
    np.testing.assert_array_equal(h2, [0.0, 2.0, 0.0, 0.0])


def test_heaviside_at_zero_against_finite_differences():
    check_vjp(np.heaviside, (np.array([-1.0, 0.0, 2.0, 0.0]), np.array([0.3, 0.5, 0.2, 0.7])), name="heaviside-0",
              diff=[1], use_numba=True)


def test_true_divide_is_divide_and_float_power_is_not_power():
    assert np.true_divide is np.divide and VJP_RULES.get(np.float_power).template is not VJP_RULES.get(np.power)
