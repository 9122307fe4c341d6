"""layout rules (s2s/diff/rules/layout.py) against finite differences, in Python and, where
NumPy-under-numba has the function and the variant, in numba. The JVP rules are checked
over the same CASES table by tests/diff/test_jvp_rules.py."""
import numpy as np
import pytest
from vjp_check import check_vjp

from s2s.diff import runtime as rt


def _r(*shapes):
    return lambda rng: tuple(rng.uniform(-1, 1, s) if s else float(rng.uniform(-1, 1)) for s in shapes)


def case(key, make, options=None, numba=False, name=None, skip=None):
    marks = [pytest.mark.skip(reason=skip)] if skip else []
    return pytest.param(key, make, options or {}, numba, id=name, marks=marks)


def _with(shape, *rest):
    """A random array of `shape` followed by fixed non-differentiable inputs (indices)."""
    return lambda rng: (rng.uniform(-1, 1, shape) if shape else float(rng.uniform(-1, 1)), *rest)


def _seq(*shapes):
    return lambda rng: (tuple(rng.uniform(-1, 1, s) if s else float(rng.uniform(-1, 1)) for s in shapes),)


def _like(*shape):
    """An integer array: a helper's shape-only argument (not perturbed by the checks)."""
    return np.zeros(shape, np.int64)


IDX = np.array([[2, 0], [1, 1], [3, 3]])  # repeats: the adjoint accumulates


def _select(shape, *choices, default=None):
    """np.select inputs: conditions from a draw (overlapping: the first true one wins),
    choices of the given shapes, then a default of `default`'s shape if given."""
    def make(rng):
        u = rng.uniform(-1, 1, shape)
        conds = (u > 0.3, u < -0.2, u > 0.0)[:len(choices)]
        chosen = tuple(rng.uniform(-1, 1, s) if s else float(rng.uniform(-1, 1)) for s in choices)
        if default is None:
            return conds, chosen
        return conds, chosen, rng.uniform(-1, 1, default) if default else float(rng.uniform(-1, 1))
    return make

CASES = [
    case(np.rollaxis, _r((2, 3, 4)), {"axis": 2}, name="rollaxis"),
    case(np.rollaxis, _r((2, 3, 4)), {"axis": 0, "start": 3}, name="rollaxis-to-end"),
    case(np.rollaxis, _r((2, 3, 4)), {"axis": -1, "start": 1}, name="rollaxis-negative"),
    case(rt.unrollaxis, lambda rng: (rng.uniform(-1, 1, (4, 2, 3)), _like(2, 3, 4)), {"axis": 2}, name="unrollaxis"),
    case(np.real_if_close, _r((3,)), numba=True, name="real_if_close"),
    case(np.triu, _r((4, 4)), numba=True, name="triu"),
    case(np.triu, _r((3, 5)), {"k": 1}, True, name="triu-k1"),
    case(np.triu, _r((2, 3, 3)), {"k": -1}, True, name="triu-stacked"),
    case(np.triu, _r((4,)), numba=True, name="triu-1d"),
    case(np.tril, _r((4, 4)), numba=True, name="tril"),
    case(np.tril, _r((5, 3)), {"k": -2}, True, name="tril-k-2"),
    case(np.tril, _r((3,)), {"k": 1}, name="tril-1d"),
    case(np.diagonal, _r((4, 4)), numba=True, name="diagonal"),
    case(np.diagonal, _r((3, 5)), {"offset": 1}, True, name="diagonal-offset"),
    case(np.diagonal, _r((4, 3)), {"offset": -2}, True, name="diagonal-negative-offset"),
    case(np.diagonal, _r((2, 3, 4)), {"axis1": 1, "axis2": 2}, True, name="diagonal-3d"),
    case(np.diagonal, _r((2, 3, 4)), {"offset": 1, "axis1": 2, "axis2": 0}, True, name="diagonal-3d-swapped"),
    case(np.diagonal, _r((3, 4, 2)), {"axis1": -1, "axis2": 0}, name="diagonal-negative-axes"),
    case(np.diagflat, _r((3,)), numba=True, name="diagflat"),
    case(np.diagflat, _r((2, 2)), {"k": 1}, True, name="diagflat-2d-k1"),
    case(np.diagflat, _r((3,)), {"k": -2}, name="diagflat-k-2"),
    case(np.atleast_1d, _r(()), numba=True, name="atleast_1d-scalar"),
    case(np.atleast_1d, _r((3,)), numba=True, name="atleast_1d"),
    case(np.atleast_2d, _r(()), name="atleast_2d-scalar"),
    case(np.atleast_2d, _r((3,)), numba=True, name="atleast_2d"),
    case(np.atleast_3d, _r((3,)), numba=True, name="atleast_3d-1d"),
    case(np.atleast_3d, _r((2, 3)), name="atleast_3d-2d"),
    case(np.fliplr, _r((3, 4)), numba=True, name="fliplr"),
    case(np.fliplr, _r((2, 3, 4)), name="fliplr-3d"),
    case(np.flipud, _r((3,)), numba=True, name="flipud-1d"),
    case(np.flipud, _r((3, 4)), numba=True, name="flipud"),
    case(np.rot90, _r((3, 4)), numba=True, name="rot90"),
    case(np.rot90, _r((3, 4)), {"k": 2}, True, name="rot90-k2"),
    case(np.rot90, _r((3, 4)), {"k": -1}, True, name="rot90-k-1"),
    case(np.rot90, _r((2, 3, 4)), {"k": 3, "axes": (1, 2)}, True, name="rot90-axes"),
    case(np.rot90, _r((2, 3, 4)), {"axes": (2, 0)}, name="rot90-axes-reversed"),
    case(np.append, _r((3,), (2,)), numba=True, name="append"),
    case(np.append, _r((2, 3), (3,)), numba=True, name="append-flattens"),
    case(np.append, _r((3,), ()), name="append-scalar"),
    case(np.append, _r((2, 3), (1, 3)), {"axis": 0}, True, name="append-axis0"),
    case(np.append, _r((2, 3), (2, 2)), {"axis": -1}, True, name="append-axis-1"),
    case(np.column_stack, _seq((3,), (3,)), numba=True, name="column_stack"),
    case(np.column_stack, _seq((3, 2), (3,), (3, 1)), numba=True, name="column_stack-mixed"),
    case(np.dstack, _seq((3,), (3,)), numba=True, name="dstack-1d"),
    case(np.dstack, _seq((2, 3), (2, 3, 2)), numba=True, name="dstack-mixed"),
    case(np.dstack, _seq((), ()), name="dstack-scalars"),
    *([case(np.row_stack, _seq((3,), (2, 3)), numba=True, name="row_stack")] if hasattr(np, "row_stack") else []),
    case(np.pad, _r((3,)), {"pad_width": 2}, numba=True, name="pad"),
    case(np.pad, _r((3, 4)), {"pad_width": (1, 2), "mode": "edge"}, numba=True, name="pad-edge"),
    case(np.pad, _r((4,)), {"pad_width": 5, "mode": "reflect"}, numba=True, name="pad-reflect"),
    case(np.pad, _r((3, 4)), {"pad_width": ((2, 1),), "mode": "symmetric"}, numba=True, name="pad-symmetric"),
    case(np.pad, _r((3,)), {"pad_width": (4, 1), "mode": "wrap"}, numba=True, name="pad-wrap"),
    case(np.take_along_axis, _with((3, 4), IDX), {"axis": 1}, True, name="take_along_axis"),
    case(np.take_along_axis, _with((4, 3), IDX.T), {"axis": 0}, True, name="take_along_axis-axis0"),
    case(np.take_along_axis, _with((3, 4), np.array([[1, 1, 0]])), {"axis": 1}, name="take_along_axis-broadcast"),
    case(np.take_along_axis, _with((3, 4), np.array([5, 0, 5])), {"axis": None}, True, name="take_along_axis-flat"),
    case(np.delete, _with((5,), 1), numba=True, name="delete"),
    case(np.delete, _with((5,), np.array([0, 3])), numba=True, name="delete-several"),
    case(np.delete, _with((3, 4), 1), {"axis": 1}, name="delete-axis"),
    case(np.delete, _with((3, 4), slice(0, 2)), {"axis": 0}, name="delete-slice"),
    case(np.insert, lambda rng: (rng.uniform(-1, 1, 5), 2, 0.3), numba=True, name="insert"),
    case(np.insert, lambda rng: (rng.uniform(-1, 1, 5), np.array([1, 3]), rng.uniform(-1, 1, 2)), name="insert-several"),
    case(np.insert, lambda rng: (rng.uniform(-1, 1, (3, 4)), 1, rng.uniform(-1, 1, 3)), {"axis": 1},
         name="insert-axis"),
    case(np.insert, lambda rng: (rng.uniform(-1, 1, (3, 4)), 1, 0.5), {"axis": 0}, name="insert-broadcast"),
    case(np.select, _select((6,), (6,), (6,)), name="select"),
    case(np.select, _select((6,), (6,), (6,), default=()), numba=True, name="select-default"),
    case(np.select, _select((3, 4), (3, 4), (4,), (3, 1), default=(4,)), name="select-broadcast"),
    case(np.meshgrid, _r((3,)), name="meshgrid-1"),
    case(np.meshgrid, _r((3,), (4,)), numba=True, name="meshgrid-2"),
    case(np.meshgrid, _r((3,), (2, 2)), {"indexing": "ij"}, name="meshgrid-2-ij-flattens"),
    case(np.meshgrid, _r((2,), (3,), (4,)), {"sparse": True}, name="meshgrid-3-sparse"),
    case(np.meshgrid, _r((2,), (3,), (2,), (2,)), {"indexing": "ij", "sparse": True}, name="meshgrid-4"),
    # the helpers the templates call (their rules serve second derivatives)
    case(rt.undiagonal, _with((4,), _like(4, 4)), numba=True, name="undiagonal"),
    case(rt.undiagonal, _with((3, 1), _like(2, 3, 4)), {"offset": 1, "axis1": 2, "axis2": 0}, True,
         name="undiagonal-3d"),
    case(rt.unrot90, _r((3, 4)), {"k": 3}, True, name="unrot90"),
    case(rt.unrot90, _r((2, 3, 4)), {"k": 1, "axes": (1, 2)}, name="unrot90-axes"),
    case(rt.unappend_arr, _with((5,), _like(3), _like(2)), numba=True, name="unappend_arr"),
    case(rt.unappend_arr, _with((2, 5), _like(2, 3), _like(2, 2)), {"axis": 1}, True, name="unappend_arr-axis"),
    case(rt.unappend_values, _with((5,), _like(3), _like(2)), numba=True, name="unappend_values"),
    case(rt.unappend_values, _with((4, 3), _like(2, 3), _like(2, 3)), {"axis": 0}, True,
         name="unappend_values-axis"),
    case(rt.uncolumn_stack, _with((3, 3), (_like(3), _like(3, 2))), numba=True, name="uncolumn_stack"),
    case(rt.undstack, _with((1, 3, 2), (_like(3), _like(3))), numba=True, name="undstack"),
    case(rt.unpad, _with((7,), _like(3)), {"pad_width": 2, "mode": "reflect"}, name="unpad"),
    case(rt.unpad, _with((5, 5), _like(3, 4)), {"pad_width": ((1, 1), (0, 1))}, name="unpad-constant"),
    # numba=False: numba's np.take_along_axis wants a literal axis, which generated code has
    # (the call site's constant) but a template compiled on its own does not
    case(rt.untake_along_axis, _with((3, 2), _like(3, 4), IDX), {"axis": 1}, name="untake_along_axis"),
    case(rt.undelete, _with((3,), _like(5), np.array([0, 3])), numba=True, name="undelete"),
    case(rt.delete_at, _with((2, 3), np.array([0, 4])), numba=True, name="delete_at"),
    case(rt.delete_at, _with((2, 3), 1), {"axis": 1}, name="delete_at-axis"),
    case(rt.uninsert_arr, _with((6,), _like(5), 2, _like()), numba=True, name="uninsert_arr"),
    case(rt.uninsert_values, _with((3, 5), _like(3, 4), 1, _like()), {"axis": 1}, name="uninsert_values"),
    case(rt.unmeshgrid, _with((4, 3, 2), _like(2, 2)), {"k": 1, "n": 3}, True, name="unmeshgrid"),
    case(rt.unmeshgrid, _with((1, 3), _like(3)), {"k": 0, "n": 2}, name="unmeshgrid-sparse"),
    case(rt.unmeshgrid, _with((2, 3, 4), _like(4)), {"k": 2, "n": 3, "indexing": "ij"}, name="unmeshgrid-ij"),
    case(rt.remesh, _with((4,), _like(4, 3, 2)), {"k": 1, "n": 3}, True, name="remesh"),
    case(rt.unselect, lambda rng: (rng.uniform(-1, 1, (3, 4)), _select((3, 4), (), ())(rng)[0],
                                   (_like(3, 4), _like(4))), name="unselect"),
]


@pytest.mark.parametrize("key, make, options, use_numba", CASES)
def test_layout_rule(key, make, options, use_numba, request):
    inputs = make(np.random.default_rng(len(request.node.name)))
    check_vjp(key, inputs, options, name=request.node.name, use_numba=use_numba)


# Reverse mode only: forward mode refuses np.pad with nonzero constants (affine, not linear).
VJP_ONLY = [
    case(np.pad, _r((3, 4)), {"pad_width": ((1, 2), (0, 1)), "constant_values": 1.5}, numba=True, name="pad-constant"),
]


@pytest.mark.parametrize("key, make, options, use_numba", VJP_ONLY)
def test_layout_rule_reverse_only(key, make, options, use_numba, request):
    inputs = make(np.random.default_rng(len(request.node.name)))
    check_vjp(key, inputs, options, name=request.node.name, use_numba=use_numba)
