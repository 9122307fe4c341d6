"""Shape rules (s2s/diff/rules/shape.py) against finite differences, in Python and, where
NumPy-under-numba has the function and the variant, in numba."""
import numpy as np
import pytest
from vjp_check import check_vjp

NO_NUMBA = "NumPy-under-numba has no np.{}"


def _r(*shapes):
    return lambda rng: tuple(rng.uniform(-1, 1, s) if s else float(rng.uniform(-1, 1)) for s in shapes)


def _seq(*shapes, as_list=False):
    def make(rng):
        arrays = [rng.uniform(-1, 1, s) if s else float(rng.uniform(-1, 1)) for s in shapes]
        return (arrays if as_list else tuple(arrays),)
    return make


def case(key, make, options=None, numba=False, name=None, skip=None):
    marks = [pytest.mark.skip(reason=skip)] if skip else []
    return pytest.param(key, make, options or {}, numba, id=name, marks=marks)


CASES = [
    case(np.reshape, _r((3, 4)), {"shape": (2, 6)}, name="reshape"),
    case(np.reshape, _r((6,)), {"shape": (2, 3)}, True, name="reshape-1d"),
    case(np.reshape, _r((3, 4)), {"shape": (12,), "order": "F"}, name="reshape-F"),
    case(np.reshape, _r(()), {"shape": (1, 1)}, name="reshape-scalar"),
    case(np.ravel, _r((3, 4)), numba=True, name="ravel"),
    case(np.ravel, _r((3, 4)), {"order": "F"}, name="ravel-F"),
    case(np.expand_dims, _r((3, 4)), {"axis": 1}, True, name="expand_dims"),
    case(np.expand_dims, _r((3, 4)), {"axis": (0, 3)}, name="expand_dims-tuple"),
    case(np.squeeze, _r((3, 1, 4)), name="squeeze"),
    case(np.squeeze, _r((1, 3, 1)), {"axis": 2}, name="squeeze-axis"),
    case(np.squeeze, _r((3, 1, 4)), numba=True, name="squeeze-numba", skip=NO_NUMBA.format("squeeze")),
    case(np.transpose, _r((3, 4)), numba=True, name="transpose"),
    case(np.transpose, _r((3, 4)), {"axes": (1, 0)}, True, name="transpose-axes-2d"),
    case(np.transpose, _r((2, 3, 4)), {"axes": (1, 2, 0)}, name="transpose-axes"),
    case(np.transpose, _r((2, 3, 4)), {"axes": (-1, 0, 1)}, name="transpose-negative-axes"),
    case(np.swapaxes, _r((2, 3, 4)), {"axis1": 0, "axis2": 2}, name="swapaxes"),
    case(np.swapaxes, _r((3, 4)), {"axis1": 0, "axis2": 1}, True, name="swapaxes-2d"),
    case(np.moveaxis, _r((2, 3, 4)), {"source": 0, "destination": -1}, name="moveaxis"),
    case(np.moveaxis, _r((3, 4)), {"source": 0, "destination": 1}, True, name="moveaxis-2d"),
    case(np.moveaxis, _r((2, 3, 4)), {"source": (0, 1), "destination": (2, 0)}, name="moveaxis-tuples"),
    case(np.broadcast_to, _r((4,)), {"shape": (3, 4)}, True, name="broadcast_to"),
    case(np.broadcast_to, _r((3, 1)), {"shape": (2, 3, 4)}, name="broadcast_to-3d"),
    case(np.broadcast_to, _r(()), {"shape": (3,)}, name="broadcast_to-scalar"),
    case(np.concatenate, _seq((2, 3), (4, 3)), {}, True, name="concatenate"),
    case(np.concatenate, _seq((2, 3), (2, 1), (2, 2)), {"axis": 1}, True, name="concatenate-axis1"),
    case(np.concatenate, _seq((2, 3), (2, 1), as_list=True), {"axis": -1}, name="concatenate-list"),
    case(np.concatenate, _seq((2, 2), (3,)), {"axis": None}, name="concatenate-flat"),
    case(np.stack, _seq((3,), (3,)), {}, True, name="stack"),
    case(np.stack, _seq((2, 3), (2, 3), (2, 3)), {"axis": 1}, True, name="stack-axis1"),
    case(np.stack, _seq((2, 3), (2, 3)), {"axis": -1}, name="stack-last"),
    case(np.stack, _seq((), ()), name="stack-scalars"),
    case(np.hstack, _seq((3,), (2,)), numba=True, name="hstack"),
    case(np.hstack, _seq((2, 3), (2, 1)), numba=True, name="hstack-2d"),
    case(np.hstack, _seq((), ()), name="hstack-scalars"),
    case(np.vstack, _seq((3,), (3,)), numba=True, name="vstack"),
    case(np.vstack, _seq((2, 3), (1, 3)), numba=True, name="vstack-2d"),
    case(np.vstack, _seq((3,), (2, 3)), name="vstack-mixed"),
    case(np.tile, _r((3,)), {"reps": 2}, name="tile"),
    case(np.tile, _r((2, 3)), {"reps": (2, 1)}, name="tile-2d"),
    case(np.tile, _r((3,)), {"reps": (2, 2)}, name="tile-grows"),
    case(np.tile, _r((3,)), {"reps": 2}, True, name="tile-numba", skip=NO_NUMBA.format("tile")),
    case(np.repeat, _r((4,)), {"repeats": 2}, True, name="repeat"),
    case(np.repeat, _r((4,)), {"repeats": np.array([1, 0, 3, 2])}, True, name="repeat-array"),
    case(np.repeat, _r((2, 3)), {"repeats": 2}, name="repeat-flattens"),
    case(np.repeat, _r((2, 3)), {"repeats": [1, 0, 2], "axis": 1}, name="repeat-axis"),
    case(np.repeat, _r((2, 3)), {"repeats": 3, "axis": 0}, name="repeat-axis0"),
    case(np.repeat, _r((3, 2)), {"repeats": np.array([2, 0, 1]), "axis": 0}, True, name="repeat-axis-counts"),
    case(np.sort, _r((6,)), numba=True, name="sort"),
    case(np.sort, _r((3, 4)), {"axis": 0}, name="sort-axis0"),
    case(np.sort, _r((3, 4)), {"axis": None}, name="sort-flat"),
    case(np.partition, _r((7,)), {"kth": 3}, numba=True, name="partition"),
    case(np.partition, _r((3, 5)), {"kth": (0, 2), "axis": 0}, name="partition-axis0-kths"),
    case(np.partition, _r((3, 5)), {"kth": -1, "axis": None}, name="partition-flat"),
    case(np.flip, _r((3, 4)), numba=True, name="flip"),
    case(np.flip, _r((3, 4)), {"axis": 1}, name="flip-axis"),
    case(np.flip, _r((3, 4)), {"axis": (0, 1)}, name="flip-axes"),
    case(np.roll, _r((5,)), {"shift": 2}, True, name="roll"),
    case(np.roll, _r((3, 4)), {"shift": -1}, name="roll-flat"),
    case(np.roll, _r((3, 4)), {"shift": 1, "axis": 1}, name="roll-axis"),
    case(np.roll, _r((3, 4)), {"shift": (1, 2), "axis": (0, 1)}, name="roll-axes"),
    case(np.take, _r((5,)), {"indices": np.array([0, 2, 0, -1])}, True, name="take"),
    case(np.take, _r((5,)), {"indices": 3}, True, name="take-int"),
    case(np.take, _r((3, 4)), {"indices": np.array([[0, 1], [1, 1]])}, name="take-2d-indices"),
    case(np.take, _r((3, 4)), {"indices": np.array([0, 0, 2]), "axis": 1}, True, name="take-axis"),
    case(np.take, _r((3, 4)), {"indices": 2, "axis": 0}, name="take-int-axis"),
    case(np.take, _r((2, 3, 4)), {"indices": np.array([[0, 1], [2, 2]]), "axis": 1}, name="take-2d-indices-axis"),
    case(np.ascontiguousarray, _r((2, 3)), numba=True, name="ascontiguousarray"),
    case(np.ascontiguousarray, _r(()), name="ascontiguousarray-scalar"),  # 0-d in, 1-d out
    case(np.take, _r((5,)), {"indices": np.array([7, 0, -3, 2]), "mode": "clip"}, name="take-clip"),
    case(np.take, _r((3, 4)), {"indices": np.array([5, -1, 1]), "axis": 1, "mode": "wrap"}, name="take-wrap-axis"),
    case(np.take, _r((3, 4)), {"indices": np.array([[13, 0], [1, -20]]), "mode": "wrap"}, name="take-wrap-flat"),
]


@pytest.mark.parametrize("key, make, options, use_numba", CASES)
def test_shape_rule(key, make, options, use_numba, request):
    inputs = make(np.random.default_rng(len(request.node.name)))
    check_vjp(key, inputs, options, name=request.node.name, use_numba=use_numba)


def test_sequence_inputs_get_one_contribution_per_element():
    from s2s.diff.registry import VJP_RULES
    arrays = (np.ones((2, 3)), np.ones((1, 3)))
    out = VJP_RULES.get(np.concatenate).template(np.arange(9.0).reshape(3, 3), None, arrays)
    assert isinstance(out, tuple) and [o.shape for o in out] == [(2, 3), (1, 3)]
    np.testing.assert_array_equal(out[1], [[6.0, 7.0, 8.0]])
