"""interpolation rules (s2s/diff/rules/interpolation.py: np.polyval, np.interp and their
helpers) against finite differences, in Python and, where NumPy-under-numba has the
function and the variant, in numba. The JVP rules are checked over the same CASES table by
tests/diff/test_jvp_rules.py; the conventions at the knots and beyond them exactly below."""
import numpy as np
import pytest
from grad_cases import central_difference
from vjp_check import check_vjp, jitted

import s2s
from s2s.diff import runtime as rt
from s2s.diff.registry import JVP_RULES, VJP_RULES


def case(key, make, options=None, numba=False, name=None, skip=None):
    marks = [pytest.mark.skip(reason=skip)] if skip else []
    return pytest.param(key, make, options or {}, numba, id=name, marks=marks)


def _with(*parts):
    """Inputs from `parts`: a shape (random floats), or a callable rng -> value."""
    return lambda rng: tuple(p(rng) if callable(p) else (rng.uniform(-1, 1, p) if p else float(rng.uniform(-1, 1)))
                             for p in parts)


def _const(v):
    return lambda rng: v


def _ints(shape):  # read for its shape only (not perturbed: integers)
    return lambda rng: np.zeros(shape, dtype=int)


# Knots (integers: not perturbed -- xp gets no derivative), and points inside, below, above
# and between them, none on a knot (finite differences there see the kink).
XP = np.array([-2, -1, 1, 2, 4])
X_ALL = np.array([-3.1, -1.7, -0.2, 0.6, 1.3, 2.9, 3.5, 4.8])
X_2D = X_ALL.reshape(2, 4)
INT_X = np.array([-3, 0, 3, 5])  # an integer x away from the knots (for the helpers x enters piecewise)


def _interp(x, fp_shape=(5,)):
    return lambda rng: (x, XP, rng.uniform(-1, 1, fp_shape))


CASES = [
    case(np.polyval, _with((4,), (6,)), numba=True, name="polyval"),
    case(np.polyval, _with((3,), ()), name="polyval-scalar"),
    case(np.polyval, _with((5,), (2, 3)), name="polyval-2d"),
    case(np.polyval, _with((1,), (3,)), name="polyval-constant"),
    case(np.polyval, _with((4,), _const(2)), name="polyval-integer-x"),
    case(np.interp, lambda rng: (X_ALL + rng.uniform(-0.05, 0.05, 8), XP, rng.uniform(-1, 1, 5)), numba=True,
         name="interp"),
    case(np.interp, _interp(X_2D), name="interp-2d"),
    case(np.interp, _interp(0.37), name="interp-scalar"),
    case(np.interp, _interp(X_ALL), {"left": 0.5, "right": -1.0}, name="interp-left-right"),
    case(np.interp, _interp(X_ALL), {"left": 0.5}, name="interp-left"),
    # the helpers (shape-only arguments as integer arrays: not perturbed)
    case(rt.unpolyval, _with((6,), _ints(4), (6,)), numba=True, name="unpolyval"),
    case(rt.unpolyval, _with((), _ints(3), ()), name="unpolyval-scalar"),
    case(rt.polyder_of, _with((5,)), name="polyder_of"),
    case(rt.unpolyder, _with((4,), _ints(5)), name="unpolyder"),
    case(rt.interp_t, lambda rng: (rng.uniform(-1, 1, 5), X_ALL, XP), numba=True, name="interp_t"),
    case(rt.interp_t, lambda rng: (rng.uniform(-1, 1, 5), X_2D, XP), {"left": 0.0, "right": 1.0},
         name="interp_t-constants"),
    case(rt.uninterp, lambda rng: (rng.uniform(-1, 1, 8), X_ALL, XP), numba=True, name="uninterp"),
    case(rt.uninterp, lambda rng: (rng.uniform(-1, 1, (2, 4)), X_2D, XP), {"right": 1.0}, name="uninterp-right"),
    case(rt.interp_slope, lambda rng: (INT_X, XP, rng.uniform(-1, 1, 5)), numba=True, name="interp_slope"),
    case(rt.uninterp_slope, lambda rng: (rng.uniform(-1, 1, 4), INT_X, XP), name="uninterp_slope"),
]


@pytest.mark.parametrize("key, make, options, use_numba", CASES)
def test_interpolation_rule(key, make, options, use_numba, request):
    inputs = make(np.random.default_rng(len(request.node.name)))
    check_vjp(key, inputs, options, name=request.node.name, use_numba=use_numba)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_interp_at_the_knots_and_beyond(compiled):
    """The slope is right-sided at a knot and 0 outside [xp[0], xp[-1]); at xp[-1] (where
    NumPy returns fp[-1]) it is 0. fp[0]/fp[-1] get the cotangent of the x beyond them
    unless left/right are given."""
    xp, fp = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])
    x = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0])
    vjp = VJP_RULES.get(np.interp).template
    vjp = jitted(vjp) if compiled else vjp
    bx, _, bfp = vjp(np.ones(6), np.interp(x, xp, fp), x, xp, fp)
    np.testing.assert_allclose(bx, [0.0, 2.0, 0.5, 0.5, 0.0, 0.0])
    np.testing.assert_allclose(bfp, [2.0, 1.5, 2.5])  # x = -1 and x = 4 go to the ends
    if not compiled:  # numba's np.interp takes no left/right
        _, _, bfp = vjp(np.ones(6), np.interp(x, xp, fp, 0.0, 9.0), x, xp, fp, 0.0, 9.0)
        np.testing.assert_allclose(bfp, [1.0, 1.5, 1.5])
    jvp = JVP_RULES.get(np.interp).template
    np.testing.assert_allclose(jvp(None, x, xp, fp, np.ones(6), 0.0, np.zeros(3)), [0.0, 2.0, 0.5, 0.5, 0.0, 0.0])


QUERIES = np.array([-0.5, 0.5, 1.7, 3.0, 4.5])
VALUES = np.array([1.0, 2.0, -1.0, 0.5])


def interp_of_knots(xp):
    return np.sum(np.interp(QUERIES, xp, VALUES) * np.array([1.0, -2.0, 0.5, 3.0, 1.5]))


def interp_of_knots_squared(xp):
    return interp_of_knots(xp) ** 2


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_interp_with_respect_to_the_knots(compiled):
    # inside a cell the knots move the line: -slope (1 - t) and -slope t (0 outside the knots)
    xp = np.array([0.0, 1.0, 2.5, 4.0])
    want = central_difference(interp_of_knots, (xp,), 0)
    grad = s2s.jit(s2s.grad(interp_of_knots)) if compiled else s2s.grad(interp_of_knots)
    np.testing.assert_allclose(grad(xp), want, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s2s.jacfwd(interp_of_knots)(xp), want, rtol=1e-6, atol=1e-9)
    if not compiled:  # a second derivative w.r.t. the knots is refused, not a silent wrong answer
        with pytest.raises(Exception, match="knots xp"):
            s2s.hessian(interp_of_knots_squared)(xp)
