"""Rules of the partial-derivative helpers of prod and linalg.norm (s2s/diff/rules/partials.py):
each checked against finite differences of the helper itself, with respect to its
differentiable arguments (the JVP twins, jvp_partials.py, reuse these cases in
test_jvp_rules.py), and the helpers' values against their definitions."""
import itertools

import numba
import numpy as np
import pytest
from vjp_check import check_vjp

from s2s.diff import runtime as rt


def _a(*shape, seed=0, lo=-1.0, hi=1.0):
    return np.random.default_rng(seed + sum(shape) + len(shape)).uniform(lo, hi, shape)


def _zeros(x, idx):
    x = x.copy()
    x[idx] = 0.0
    return x


def case(fn, inputs, diff, options=None, numba=False, name=None):
    return pytest.param(fn, inputs, diff, options or {}, numba, id=name or fn.__name__)


def _norm_inputs(shape, ord, axis, keepdims=False, seed=1):
    x = _a(*shape, seed=seed)
    return x, np.linalg.norm(x, ord, axis, keepdims)


_X34 = _a(3, 4, seed=2, lo=0.5, hi=1.5) * np.array([1.0, -1.0, 1.0, 1.0])
CASES = [
    # prod_partials, prod_pairs: every axis form, zeros in a slice (0 to 3 of them)
    case(rt.prod_partials, (_a(5),), [0], numba=True, name="prod_partials-vector"),
    case(rt.prod_partials, (_X34,), [0], {"axis": 1}, name="prod_partials-axis1"),
    case(rt.prod_partials, (_zeros(_X34, (0, 1)),), [0], {"axis": 0}, name="prod_partials-axis0-zero"),
    case(rt.prod_partials, (_zeros(_X34, (1, 1)),), [0], name="prod_partials-one-zero"),
    case(rt.prod_partials, (_zeros(_X34, ([1, 2], [1, 3])),), [0], numba=True, name="prod_partials-two-zeros"),
    case(rt.prod_partials, (_a(2, 3, 4),), [0], {"axis": (0, 2)}, name="prod_partials-tuple-axis"),
    case(rt.prod_pairs, (_a(5), _a(5, seed=3)), [0, 1], name="prod_pairs-vector"),
    case(rt.prod_pairs, (_X34, _a(3, 4, seed=4)), [0, 1], {"axis": -1}, name="prod_pairs-axis-1"),
    case(rt.prod_pairs, (_zeros(_X34, (0, 2)), _a(3, 4, seed=4)), [0, 1], {"axis": 0}, name="prod_pairs-one-zero"),
    case(rt.prod_pairs, (_zeros(_X34, ([0, 2], [2, 2])), _a(3, 4, seed=4)), [0, 1], {"axis": 0},
         name="prod_pairs-two-zeros"),
    case(rt.prod_pairs, (_zeros(_X34, (0, [0, 1, 3])), _a(3, 4, seed=4)), [0, 1], {"axis": 1},
         name="prod_pairs-three-zeros"),
    case(rt.prod_pairs, (_zeros(_a(2, 3, 4), (1, 2, 0)), _a(2, 3, 4, seed=5)), [0, 1], {"axis": (2, 0)},
         name="prod_pairs-tuple-axis-zero"),
    case(rt.prod_pairs, (_zeros(_X34, ([0, 1], [0, 3])), _a(3, 4, seed=4)), [0, 1], name="prod_pairs-flat-two-zeros"),
    case(rt.to_rows, (_a(2, 3, 4),), [0], {"axis": (0, 2)}),
    case(rt.to_rows, (_a(3, 4),), [0], name="to_rows-flat"),
    case(rt.from_rows, (_a(3, 8), _a(2, 3, 4)), [0], {"axis": (2, 0)}),
    case(rt.off_diag, (_a(2, 3),), [0]),
    case(rt.off_diag_sum, (_a(2, 3, 3),), [0]),
    # norm_grad and its partials: x and the norm independent
    case(rt.norm_grad, _norm_inputs((5,), None, None), [0, 1], name="norm_grad-2"),
    case(rt.norm_grad, _norm_inputs((5,), 3, None), [0, 1], {"ord": 3}, numba=True, name="norm_grad-3"),
    case(rt.norm_grad, _norm_inputs((5,), 1, None), [0, 1], {"ord": 1}, name="norm_grad-1"),
    case(rt.norm_grad, _norm_inputs((5,), 0.5, None), [0, 1], {"ord": 0.5}, name="norm_grad-0.5"),
    case(rt.norm_grad, _norm_inputs((5,), -2, None), [0, 1], {"ord": -2}, name="norm_grad-minus-2"),
    case(rt.norm_grad, _norm_inputs((3, 4), None, 1), [0, 1], {"axis": 1}, name="norm_grad-axis"),
    case(rt.norm_grad, _norm_inputs((3, 4), 3, 0, True), [0, 1], {"ord": 3, "axis": 0}, name="norm_grad-keepdims"),
    case(rt.norm_grad, _norm_inputs((3, 4), "fro", None), [0, 1], {"ord": "fro"}, name="norm_grad-fro"),
    case(rt.norm_grad, _norm_inputs((2, 3, 4), None, (0, 2)), [0, 1], {"axis": (0, 2)}, name="norm_grad-fro-axes"),
    case(rt.norm_grad, _norm_inputs((3, 4), "nuc", None), [0, 1], {"ord": "nuc"}, name="norm_grad-nuc"),
    case(rt.norm_grad, _norm_inputs((4, 3), "nuc", None), [0, 1], {"ord": "nuc"}, name="norm_grad-nuc-tall"),
    case(rt.norm_grad, _norm_inputs((3, 3), "nuc", None), [0, 1], {"ord": "nuc"}, name="norm_grad-nuc-square"),
    case(rt.norm_grad_partial, _norm_inputs((5,), None, None), [0, 1], {"kx": 1, "kn": 0},
         name="norm_grad_partial-2-x"),
    case(rt.norm_grad_partial, _norm_inputs((5,), None, None), [0, 1], {"kx": 0, "kn": 2},
         name="norm_grad_partial-2-nn"),
    case(rt.norm_grad_partial, _norm_inputs((5,), 3.5, None), [0, 1], {"ord": 3.5, "kx": 2, "kn": 1},
         numba=True, name="norm_grad_partial-3.5"),
    case(rt.norm_grad_partial, _norm_inputs((3, 4), 4, 1), [0, 1], {"ord": 4, "axis": 1, "kx": 1, "kn": 1},
         name="norm_grad_partial-4-axis"),
    case(rt.norm_grad_dx, _norm_inputs((5,), None, None) + (_a(5, seed=7),), [0, 1, 2], numba=True,
         name="norm_grad_dx-2"),
    case(rt.norm_grad_dx, _norm_inputs((3, 4), 3, 0) + (_a(3, 4, seed=7),), [0, 1, 2], {"ord": 3, "axis": 0},
         name="norm_grad_dx-3-axis"),
]


@pytest.mark.parametrize("fn, inputs, diff, options, use_numba", CASES)
def test_partials_rule(fn, inputs, diff, options, use_numba, request):
    check_vjp(fn, inputs, options, name=request.node.name, diff=diff, use_numba=use_numba)


def test_prod_pairs_rule_compiled(request):
    """The third derivative of a product in numba: the rule's row helpers (to_rows, off_diag,
    prod_pairs along the last axis...) have numba forms for the whole array."""
    x = _zeros(_a(5, lo=0.5, hi=1.5), 2)
    check_vjp(rt.prod_pairs, (x, _a(5, seed=3)), name=request.node.name, use_numba=True)


def _slow_prod_pairs(x, t):
    """sum_{k != i} t_k prod_{j != i, k} x_j for a vector, by definition."""
    n = len(x)
    return np.array([sum(t[k] * np.prod([x[j] for j in range(n) if j not in (i, k)]) for k in range(n) if k != i)
                     for i in range(n)])


_prod_pairs_nb = numba.njit(lambda x, t: rt.prod_pairs(x, t))


@pytest.mark.parametrize("zeros", [(), (1,), (0, 3), (0, 2, 4), (0, 1, 2, 3, 4)])
@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_prod_pairs_is_exact_with_zeros(zeros, compiled):
    x, t = _a(5, lo=0.5, hi=2.0), _a(5, seed=9)
    x[list(zeros)] = 0.0
    fn = _prod_pairs_nb if compiled else rt.prod_pairs
    np.testing.assert_allclose(fn(x, t), _slow_prod_pairs(x, t), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_prod_pairs_is_accurate_with_tiny_elements(compiled):
    """No cancellation: the term of the tiniest element is left out directly, not subtracted."""
    x, t = np.array([1e-14, 0.7, -1.3, 2.0]), np.array([0.5, -1.0, 0.25, 1.0])
    fn = _prod_pairs_nb if compiled else rt.prod_pairs
    np.testing.assert_allclose(fn(x, t), _slow_prod_pairs(x, t), rtol=1e-13)


@pytest.mark.parametrize("shape, axis", [((3, 4), None), ((3, 4), 0), ((2, 3, 4), (2, 0)), ((2, 3, 4), -2)])
def test_rows_round_trip(shape, axis):
    x = _a(*shape)
    rows = rt.to_rows(x, axis)
    assert rows.shape[0] == np.size(np.prod(x, axis))
    np.testing.assert_array_equal(np.prod(rows, -1), np.ravel(np.prod(x, axis)))  # one row per slice
    np.testing.assert_array_equal(rt.from_rows(rows, x, axis), x)


def test_norm_partials_of_the_two_norm_at_zero():
    """p = 2: norm_grad = x / n is a polynomial in x, so its x-derivative at x_i = 0 is 1 / n."""
    x = np.array([0.0, 3.0, 4.0])
    np.testing.assert_allclose(rt.norm_grad_partial(x, 5.0, None, None, 1, 0), np.full(3, 0.2))
    np.testing.assert_allclose(rt.norm_grad_partial(x, 5.0, None, None, 2, 0), np.zeros(3))
    np.testing.assert_allclose(rt.norm_grad_partial(x, 5.0, None, None, 0, 1), -x / 25.0)
    assert np.isnan(rt.norm_grad_partial(x, 5.0, 1.5, None, 1, 0)[0])  # |x|^0.5: infinite slope at 0
    for p, kx, kn in itertools.product((1, np.inf, -np.inf, 0), (0, 1, 2), (0, 1)):
        if kx or kn:
            np.testing.assert_array_equal(rt.norm_grad_partial(x, 5.0, p, None, kx, kn), np.zeros(3))


def test_nuclear_norm_tangent_is_symmetric():
    """norm_grad_dx of 'nuc' is the nuclear norm's Hessian: <u, H v> == <H u, v>."""
    rng = np.random.default_rng(3)
    for shape in ((3, 4), (4, 3), (3, 3)):
        x, u, v = (rng.standard_normal(shape) for _ in range(3))
        n = np.linalg.norm(x, "nuc")
        hu, hv = (rt.norm_grad_dx(x, n, w, "nuc") for w in (u, v))
        assert np.isclose(np.sum(u * hv), np.sum(hu * v), rtol=1e-10)
