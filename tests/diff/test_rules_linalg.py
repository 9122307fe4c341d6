"""Product and linear-algebra rules (s2s/diff/rules/linalg.py) against finite differences,
in Python; in numba for the 1-d/2-d forms NumPy-under-numba supports."""
import gast
import numpy as np
import pytest

import s2s
from vjp_check import check_vjp

from s2s.diff import runtime as rt
from s2s.diff.registry import VJP_RULES, Rule
from s2s.diff.rules.linalg import einsum_one

NO_NUMBA = "NumPy-under-numba has no {}"


def _r(*shapes):
    return lambda rng: tuple(rng.uniform(-1, 1, s) if s else float(rng.uniform(-1, 1)) for s in shapes)


def _well_conditioned(shape):
    def make(rng):
        a = rng.uniform(-0.3, 0.3, shape) + 2.0 * np.eye(shape[-1])
        return a
    return make


def _det_inputs(*shapes):
    return lambda rng: tuple(_well_conditioned(s)(rng) if len(s) > 1 and s[-1] == s[-2] else rng.uniform(-1, 1, s)
                             for s in shapes)


def case(key, make, options=None, numba=False, name=None):
    return pytest.param(key, make, options or {}, numba, id=name)


def _seq(*shapes, then=()):
    """A tuple of random arrays (multi_dot's `arrays`), after the values `then` gives."""
    return lambda rng: (*(t(rng) for t in then), tuple(rng.uniform(-1, 1, s) for s in shapes))


def _with_tangents(*shapes, pairs=1):
    """multi_dot helper inputs: the operands, then `pairs` tuples of values shaped like them."""
    return lambda rng: tuple(tuple(rng.uniform(-1, 1, s) for s in shapes) for _ in range(1 + pairs))


CASES = [
    case(gast.MatMult, _r((3, 4), (4, 2)), numba=True, name="matmul-2d-2d"),
    case(gast.MatMult, _r((4,), (4,)), numba=True, name="matmul-1d-1d"),
    case(gast.MatMult, _r((3, 4), (4,)), numba=True, name="matmul-2d-1d"),
    case(gast.MatMult, _r((4,), (4, 2)), numba=True, name="matmul-1d-2d"),
    case(np.matmul, _r((2, 3, 4), (4, 5)), name="matmul-batch-2d"),
    case(np.matmul, _r((2, 3, 4), (2, 4, 5)), name="matmul-batch"),
    case(np.matmul, _r((3, 4), (2, 4, 5)), name="matmul-2d-batch"),
    case(np.matmul, _r((1, 3, 4), (2, 4, 2)), name="matmul-broadcast-batch"),
    case(np.matmul, _r((2, 3, 4), (4,)), name="matmul-batch-1d"),
    case(np.matmul, _r((4,), (2, 4, 3)), name="matmul-1d-batch"),
    case(np.dot, _r((3, 4), (4, 2)), numba=True, name="dot-2d-2d"),
    case(np.dot, _r((4,), (4,)), numba=True, name="dot-1d-1d"),
    case(np.dot, _r((3, 4), (4,)), name="dot-2d-1d"),
    case(np.dot, _r((), (3, 4)), name="dot-scalar"),
    case(np.dot, _r((2, 3, 4), (4,)), name="dot-3d-1d"),
    case(np.dot, _r((2, 3, 4), (5, 4, 2)), name="dot-3d-3d"),
    case(np.dot, _r((4,), (2, 4, 3)), name="dot-1d-3d"),
    case(np.outer, _r((3,), (4,)), numba=True, name="outer"),
    case(np.outer, _r((2, 2), (3,)), name="outer-flattens"),
    case(np.inner, _r((4,), (4,)), name="inner-1d"),
    case(np.inner, _r((2, 4), (3, 4)), name="inner-2d"),
    case(np.inner, _r((2, 3, 4), (4,)), name="inner-3d-1d"),
    case(np.tensordot, _r((3, 4, 5), (4, 5, 2)), numba=True, name="tensordot-2"),
    case(np.tensordot, _r((3, 4), (4, 5)), {"axes": 1}, name="tensordot-1"),
    case(np.tensordot, _r((2,), (3,)), {"axes": 0}, name="tensordot-0"),  # an int: literal only in generated code
    case(np.tensordot, _r((3, 4, 5), (4, 3, 2)), {"axes": ([1, 0], [0, 1])}, name="tensordot-pairs"),
    case(np.tensordot, _r((3, 4, 5), (5, 2)), {"axes": (-1, 0)}, numba=True, name="tensordot-ints"),
    # under numba the number of axes contracted must be in the type: tuples (or an int literal)
    case(np.tensordot, _r((3, 4, 5), (4, 3, 2)), {"axes": ((1, 0), (0, 1))}, numba=True, name="tensordot-tuples"),
    case(np.tensordot, _r((3, 4), (4, 5)), {"axes": ((1,), (0,))}, numba=True, name="tensordot-1-tuples"),
    case(np.trace, _r((4, 4)), numba=True, name="trace"),
    case(np.trace, _r((3, 5)), {"offset": 1}, numba=True, name="trace-offset"),
    case(np.trace, _r((4, 3)), {"offset": -1}, numba=True, name="trace-negative-offset"),
    case(np.trace, _r((4, 3)), {"offset": 1, "axis1": 1, "axis2": 0}, numba=True, name="trace-2d-swapped-axes"),
    case(np.trace, _r((2, 3, 3)), {"axis1": 1, "axis2": 2}, numba=True, name="trace-batch"),
    case(np.trace, _r((3, 4, 5)), {"offset": -1}, numba=True, name="trace-3d"),
    case(np.trace, _r((3, 2, 4)), {"offset": 1, "axis1": 2, "axis2": 0}, numba=True, name="trace-swapped-axes"),
    case(np.diag, _r((4,)), numba=True, name="diag-build"),
    case(np.diag, _r((4,)), {"k": -2}, name="diag-build-k"),
    case(np.diag, _r((4, 4)), name="diag-extract"),
    case(np.diag, _r((3, 5)), {"k": 1}, numba=True, name="diag-extract-k"),
    case(np.diag, _r((4, 3)), {"k": -1}, name="diag-extract-negative-k"),
    case(np.linalg.det, _det_inputs((3, 3)), numba=True, name="det"),
    case(np.linalg.det, _det_inputs((2, 3, 3)), name="det-batch"),
    case(np.linalg.inv, _det_inputs((3, 3)), numba=True, name="inv"),
    case(np.linalg.inv, _det_inputs((2, 3, 3)), name="inv-batch"),
    case(np.linalg.solve, _det_inputs((3, 3), (3,)), numba=True, name="solve-vector"),
    case(np.linalg.solve, _det_inputs((3, 3), (3, 2)), name="solve-matrix"),
    case(np.linalg.solve, _det_inputs((2, 3, 3), (2, 3, 2)), name="solve-batch"),
    case(np.linalg.solve, _det_inputs((2, 3, 3), (3, 2)), numba=True, name="solve-batch-shared-matrix"),
    case(np.linalg.solve, _det_inputs((2, 3, 3), (3,)), numba=True, name="solve-batch-shared-vector"),
    # NumPy 2's array-API functions (numba: the overloads of runtime_numba_linalg.py; the thin
    # wrappers are compiled by tests/test_linalg_functions.py's jit test instead: CI time)
    case(np.linalg.outer, _r((3,), (4,)), name="linalg.outer"),
    case(np.linalg.cross, _r((3,), (3,)), numba=True, name="linalg.cross"),
    case(np.linalg.cross, _r((4, 3), (3,)), name="linalg.cross-broadcast"),
    case(np.linalg.cross, _r((3, 4), (3, 4)), {"axis": 0}, name="linalg.cross-axis0"),
    case(np.linalg.matmul, _r((3, 4), (4, 2)), name="linalg.matmul"),
    case(np.linalg.matmul, _r((2, 3, 4), (4,)), name="linalg.matmul-batch-1d"),
    case(np.linalg.vecdot, _r((4,), (4,)), numba=True, name="linalg.vecdot"),
    case(np.linalg.vecdot, _r((3, 4), (4,)), name="linalg.vecdot-broadcast"),
    case(np.linalg.vecdot, _r((3, 4), (3, 4)), {"axis": 0}, name="linalg.vecdot-axis0"),
    case(np.vecdot, _r((2, 3, 4), (3, 1)), {"axis": -2}, name="vecdot-ufunc"),
    case(np.linalg.diagonal, _r((3, 4)), name="linalg.diagonal"),
    case(np.linalg.diagonal, _r((2, 3, 4)), {"offset": 1}, name="linalg.diagonal-batch"),
    case(np.linalg.trace, _r((4, 4)), name="linalg.trace"),
    case(np.linalg.trace, _r((2, 3, 4)), {"offset": -1}, name="linalg.trace-batch"),
    case(np.linalg.matrix_transpose, _r((3, 4)), name="linalg.matrix_transpose"),
    case(np.matrix_transpose, _r((2, 3, 4)), name="matrix_transpose"),
    case(np.linalg.multi_dot, _seq((3, 4), (4, 2)), name="multi_dot-2"),
    case(np.linalg.multi_dot, _seq((4,), (4, 3), (3, 2), (2,)), numba=True, name="multi_dot-vectors"),
    case(np.linalg.multi_dot, _seq((2, 4), (4, 3), (3,)), name="multi_dot-column"),
    case(np.linalg.multi_dot, _seq((3,), (3, 4), (4, 2)), name="multi_dot-row"),
    case(rt.unmulti_dot, _seq((3,), (3, 4), (4, 2), then=(lambda rng: rng.uniform(-1, 1, 2),)), name="unmulti_dot"),
    case(rt.unmulti_dot, _seq((2, 3), (3, 4), (4,), then=(lambda rng: rng.uniform(-1, 1, 2),)),
         name="unmulti_dot-column"),
    case(rt.multi_dot_t, _with_tangents((3,), (3, 4), (4, 2)), name="multi_dot_t"),
    case(rt.multi_dot_t, _with_tangents((2, 3), (3, 4), (4,)), name="multi_dot_t-column"),
]
NORMS = [((5,), None, None, False, True), ((5,), 2, None, False, False), ((5,), 1, None, False, True),
         ((5,), np.inf, None, False, False), ((5,), -np.inf, None, False, False), ((5,), 3, None, False, False),
         ((5,), 0.5, None, False, False), ((5,), 0, None, False, False), ((3, 4), None, None, False, True),
         ((3, 4), "fro", None, False, False), ((3, 4), "nuc", None, False, False), ((3, 4), None, 1, False, False),
         ((3, 4), None, 0, True, False), ((3, 4), 1, -1, False, False), ((3, 4), np.inf, 1, True, False),
         ((3, 4), None, (0, 1), False, False), ((2, 3, 4), None, (1, 2), True, False),
         ((2, 3, 4), "fro", (0, 2), False, False),
         # the other matrix norms (distinct singular values, column and row sums at random inputs)
         ((4, 3), 2, None, False, True), ((3, 4), -2, None, False, True), ((4, 3), 1, None, False, True),
         ((4, 3), -1, None, False, True), ((3, 4), np.inf, None, False, True), ((3, 4), -np.inf, None, False, True),
         ((2, 3, 4), "nuc", (2, 0), False, False), ((2, 3, 4), 2, (0, 1), False, False),
         ((2, 3, 4), -1, (1, 2), True, False), ((2, 3, 4), np.inf, (2, 1), False, False)]
CASES += [case(np.linalg.norm, _r(shape), {"ord": o, "axis": ax, "keepdims": kd}, nb, f"norm-{shape}-{o}-{ax}-{kd}")
          for shape, o, ax, kd, nb in NORMS]


@pytest.mark.parametrize("key, make, options, use_numba", CASES)
def test_linalg_rule(key, make, options, use_numba, request):
    inputs = make(np.random.default_rng(len(request.node.name)))
    if use_numba and key is np.linalg.norm:
        options = {k: v for k, v in options.items() if k == "ord"}  # numba's norm takes no axis
    check_vjp(key, inputs, options, name=request.node.name, use_numba=use_numba)


EINSUM = [("ij,jk->ik", (3, 4), (4, 2)), ("ij,j->i", (3, 4), (4,)), ("i,i->", (4,), (4,)), ("ij,ij->", (3, 4), (3, 4)),
          ("bij,bjk->bik", (2, 3, 4), (2, 4, 2)), ("i,j->ij", (3,), (2,)), ("ij,jk", (3, 4), (4, 2)),
          ("ii,i->i", (3, 3), (3,)), ("ij,k->ik", (3, 4), (2,)), ("ij, jk -> ki", (2, 3), (3, 4)),
          # '...' written out from the operands' ranks (runtime_einsum.py)
          ("...ij,...jk->...ik", (2, 3, 4), (2, 4, 2)), ("...ij,j", (2, 3, 4), (4,)), ("i...,i...", (3, 2), (3, 2)),
          ("...i,...i->...", (2, 3), (3,)), ("...i,i...->...", (2, 3), (3, 2))]


@pytest.mark.parametrize("spec, s1, s2", EINSUM, ids=[e[0] for e in EINSUM])
def test_einsum(spec, s1, s2, request):
    rng = np.random.default_rng(len(spec))
    check_vjp(np.einsum, (spec, rng.uniform(-1, 1, s1), rng.uniform(-1, 1, s2)), name=request.node.name)


EINSUM_ONE = ["ij->ji", "ii->", "ij->i", "ii->i", "ij->", "ij", "...i->...", "i...->..."]


@pytest.mark.parametrize("spec", EINSUM_ONE)
def test_einsum_with_one_operand(spec, request):
    rule = Rule(np.einsum, einsum_one, ("subscripts", "x1"), ())
    x = np.random.default_rng(3).uniform(-1, 1, (3, 3))
    check_vjp(np.einsum, (spec, x), name=request.node.name, rule=rule)


EINSUM_THREE = [("i,ij,j->", (3,), (3, 4), (4,)), ("ij,jk,kl->il", (2, 3), (3, 4), (4, 2)), ("i,i,i", (3,), (3,), (3,))]


@pytest.mark.parametrize("spec, s1, s2, s3", EINSUM_THREE, ids=[e[0] for e in EINSUM_THREE])
def test_einsum_with_three_operands(spec, s1, s2, s3, request):
    rule = VJP_RULES.get(np.einsum, n_args=4)
    assert rule.inputs == ("subscripts", "x1", "x2", "x3")
    rng = np.random.default_rng(5)
    check_vjp(np.einsum, (spec, *(rng.uniform(-1, 1, s) for s in (s1, s2, s3))), name=request.node.name, rule=rule)


def einsum_three_in_a_program(x, M):
    return np.einsum("i,ij,j->", x, M, x) + np.einsum("ii->", M)


def test_einsum_arity_is_chosen_at_the_call():
    rng = np.random.default_rng(6)
    x, M = rng.normal(size=3), rng.normal(size=(3, 3))
    gx, gM = s2s.grad(einsum_three_in_a_program, argnums=(0, 1))(x, M)
    np.testing.assert_allclose(gx, (M + M.T) @ x, rtol=1e-12)
    np.testing.assert_allclose(gM, np.outer(x, x) + np.eye(3), rtol=1e-12)


@pytest.mark.parametrize("key", [
    pytest.param(np.inner, marks=pytest.mark.skip(reason=NO_NUMBA.format("inner"))),
    pytest.param(np.einsum, marks=pytest.mark.skip(reason=NO_NUMBA.format("einsum"))),
])
def test_numba(key):
    """Placeholders: these rules are checked in the Python path only (above)."""


def test_subscripts_get_no_contribution():
    out = VJP_RULES.get(np.einsum).template(np.ones(3), np.ones(3), "ij,j->i", np.ones((3, 2)), np.ones(2))
    assert out[0] is None


def test_unsupported_matrix_norm_is_an_error():
    with pytest.raises(NotImplementedError, match="ord=3"):  # not a matrix norm in NumPy either
        VJP_RULES.get(np.linalg.norm).template(1.0, 1.0, np.eye(3), 3)
