"""Reduction rules (s2s/diff/rules/reductions.py) against finite differences, for every
axis/keepdims variant NumPy allows, in Python; in numba where NumPy-under-numba has the
variant (np.sum and np.cumsum take an int axis there, the others only the whole array)."""
import numpy as np
import pytest
from vjp_check import check_vjp, jitted

from s2s.diff.registry import VJP_RULES

FUNCS = [np.sum, np.mean, np.prod, np.max, np.amax, np.min, np.amin, np.var, np.std]
AXES = {  # input shape -> axis variants
    (5,): [None, 0, -1],
    (3, 4): [None, 0, 1, -1, (0, 1)],
    (2, 3, 4): [None, 1, -1, (0, 2), (2, 0, 1)],
}
CASES = [pytest.param(f, shape, axis, kd, id=f"{f.__name__}-{shape}-axis{axis}-{'keep' if kd else 'drop'}")
         for f in FUNCS for shape, axes in AXES.items() for axis in axes for kd in (False, True)]


def _inputs(shape, seed):
    # positive and distinct values (no ties for max/min), away from zero (prod)
    return np.random.default_rng(seed).uniform(0.5, 1.5, shape)


@pytest.mark.parametrize("fn, shape, axis, keepdims", CASES)
def test_reduction(fn, shape, axis, keepdims, request):
    check_vjp(fn, (_inputs(shape, len(request.node.name)),), {"axis": axis, "keepdims": keepdims},
              name=request.node.name)


@pytest.mark.parametrize("fn", [np.var, np.std])
@pytest.mark.parametrize("axis", [None, 1])
def test_ddof(fn, axis, request):
    check_vjp(fn, (_inputs((3, 4), 3),), {"axis": axis, "ddof": 1}, name=request.node.name)


NUMBA = [(np.sum, (5,), {}), (np.sum, (3, 4), {"axis": 1}), (np.mean, (5,), {}), (np.prod, (5,), {}),
         (np.max, (5,), {}), (np.min, (5,), {}), (np.var, (5,), {}), (np.std, (5,), {}), (np.cumsum, (5,), {}),
         (np.cumsum, (3, 4), {"axis": 1})]


@pytest.mark.parametrize("fn, shape, options", NUMBA, ids=[f"{f.__name__}-{s}-{o}" for f, s, o in NUMBA])
def test_reduction_in_numba(fn, shape, options, request):
    check_vjp(fn, (_inputs(shape, 4),), options, name=request.node.name, use_numba=True)


@pytest.mark.parametrize("shape, axis", [((5,), None), ((3, 4), None), ((3, 4), 0), ((2, 3, 4), -1), ((2, 3, 4), 1)])
def test_cumsum(shape, axis, request):
    check_vjp(np.cumsum, (_inputs(shape, 5),), {"axis": axis}, name=request.node.name)


# The builtin sum of a sequence (elements broadcast against each other), with a start value.
BUILTIN_SUM = [
    pytest.param(lambda rng: ((rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3)),), True, id="arrays"),
    pytest.param(lambda rng: ((rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, 3), 0.5),), True, id="broadcast"),
    pytest.param(lambda rng: ([0.25, -1.5],), False, id="list-of-floats"),
    pytest.param(lambda rng: (rng.uniform(-1, 1, 4),), True, id="vector"),
    pytest.param(lambda rng: (rng.uniform(-1, 1, (4, 3)),), True, id="matrix-rows"),
    pytest.param(lambda rng: ((rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3)), rng.uniform(-1, 1, (2, 3))), True,
                 id="start"),
]


@pytest.mark.parametrize("make, compiled", BUILTIN_SUM)
def test_builtin_sum(make, compiled, request):
    check_vjp(sum, make(np.random.default_rng(7)), name=request.node.name, use_numba=compiled)


@pytest.mark.parametrize("fn", [max, min])
def test_builtin_max_min_of_one_sequence(fn, request):
    """max(L) of one sequence: np.max's rule (the two-argument max is elementwise)."""
    check_vjp(fn, (_inputs((6,), 8),), name=request.node.name)


@pytest.mark.parametrize("zeros", [1, 2, 3])
@pytest.mark.parametrize("axis", [None, 1, 0])
def test_prod_with_zeros_is_exact(zeros, axis, request):
    x = _inputs((3, 4), 6)
    x[0, :zeros] = 0.0
    x[1, 1:zeros] = 0.0  # (a column with zeros too)
    check_vjp(np.prod, (x,), {"axis": axis}, name=request.node.name, use_numba=zeros == 1 or axis == 0)
    if zeros == 1:  # the derivative at the zero is the product of the others
        b = VJP_RULES.get(np.prod).template(1.0, np.prod(x), x)
        assert b[0, 0] == np.prod(x.ravel()[1:]) and not b.ravel()[1:].any()


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_max_and_min_split_ties_equally(compiled):
    x = np.array([1.0, 3.0, 3.0, -2.0, 3.0, -2.0])
    for fn, ties in ((np.max, [0, 1, 1, 0, 1, 0]), (np.min, [0, 0, 0, 1, 0, 1])):
        t = VJP_RULES.get(fn).template
        b = (jitted(t) if compiled else t)(6.0, fn(x), x)
        np.testing.assert_allclose(b, 6.0 * np.array(ties) / sum(ties))


def test_max_ties_along_an_axis():
    x = np.array([[1.0, 1.0, 0.0], [2.0, 5.0, 5.0]])
    b = VJP_RULES.get(np.max).template(np.array([1.0, 4.0]), np.max(x, axis=1), x, 1)
    np.testing.assert_allclose(b, [[0.5, 0.5, 0.0], [0.0, 2.0, 2.0]])


def test_amax_is_max_for_the_rules():
    assert VJP_RULES.get(np.amax).template is VJP_RULES.get(np.max).template
    assert VJP_RULES.get(np.sum).options[:2] == (("axis", None), ("dtype", None))
