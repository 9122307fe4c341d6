"""Rules for the runtime helpers (s2s/diff/rules/helpers.py), which derivative code calls and
a second derivative must differentiate: each checked against finite differences of the
helper itself, with respect to its differentiable arguments."""
import numpy as np
import pytest
from vjp_check import check_vjp

from s2s.diff import runtime as rt
from s2s.diff.registry import JVP_RULES, NONDIFF, VJP_RULES


def _a(*shape):
    return np.random.default_rng(sum(shape) + len(shape)).uniform(-1, 1, shape) if shape else 0.7


def case(fn, inputs, diff, options=None, numba=False, name=None):
    return pytest.param(fn, inputs, diff, options or {}, numba, id=name or fn.__name__)


CASES = [
    case(rt.stored_part, (_a(4, 2), np.array([0, 3, 0, 1, 3])), [0], numba=True, name="stored_part-repeats"),
    case(rt.unstored_part, (_a(5, 2), _a(4, 2), np.array([0, 3, 0, 1, 3])), [0], numba=True, name="unstored_part"),
    case(rt.pick_leaf, (_a(3), 1, 1, 3), [0], numba=True, name="pick_leaf-picked"),
    case(rt.unbroadcast, (_a(3, 4), _a(4)), [0], numba=True),
    case(rt.unsort, (_a(5), _a(5)), [0], numba=True),
    case(rt.unsort, (_a(3, 4), _a(3, 4)), [0], {"axis": 0}, name="unsort-axis0"),
    case(rt.resort, (_a(5), _a(5)), [0], numba=True),
    case(rt.resort, (_a(3, 4), _a(3, 4)), [0], {"axis": None}, name="resort-flat"),
    case(rt.unsort, (_a(12), _a(3, 4)), [0], {"axis": None}, name="unsort-flat"),
    case(rt.unbroadcast, (_a(4), _a(3, 4)), [0], name="unbroadcast-expand"),
    case(rt.unreduce, (_a(3), _a(3, 4)), [0], {"axis": 1}, True),
    case(rt.unreduce, (0.3, _a(3, 4)), [0], name="unreduce-scalar"),
    case(rt.unreduce, (_a(4), _a(2, 3, 4)), [0], {"axis": (0, 1)}, name="unreduce-tuple"),
    case(rt.reduce_to, (_a(3, 4), _a(3)), [0], {"axis": 1}, True),
    case(rt.reduce_to, (_a(3, 4), 0.5), [0], name="reduce_to-scalar"),
    case(rt.reduce_to, (_a(3, 4), _a(3, 1)), [0], {"axis": 1}, name="reduce_to-keepdims"),
    case(rt.reshape_to, (_a(12), _a(3, 4)), [0], numba=True),
    case(rt.copy_value, (_a(3),), [0]),
    case(rt.add_at, (_a(5), np.array([0, 2, 0]), _a(3)), [0, 2]),
    case(rt.log_or_zero, (_a(4) + 2.0,), [0]),
    case(rt.matmul_vjp1, (_a(3, 2), _a(3, 4), _a(4, 2)), [0, 2], numba=True),
    case(rt.matmul_vjp2, (_a(3, 2), _a(3, 4), _a(4, 2)), [0, 1]),
    case(rt.matmul_vjp1, (_a(2, 3, 5), _a(3, 4), _a(2, 4, 5)), [0, 2], name="matmul_vjp1-batch"),
    case(rt.matmul_vjp2, (_a(3), _a(3, 4), _a(4)), [0, 1], name="matmul_vjp2-1d"),
    case(rt.dot_vjp1, (_a(3, 2), _a(3, 4), _a(4, 2)), [0, 2]),
    case(rt.dot_vjp2, (_a(3, 2), _a(3, 4), _a(4, 2)), [0, 1]),
    case(rt.tensordot_vjp1, (_a(3, 5), _a(3, 4), _a(4, 5)), [0, 2], {"axes": 1}),
    case(rt.tensordot_vjp2, (_a(3, 5), _a(3, 4), _a(4, 5)), [0, 1], {"axes": 1}),
    case(rt.tensordot_vjp1, (_a(2, 5), _a(3, 4, 2), _a(4, 3, 5)), [0, 2], {"axes": ((1, 0), (0, 1))}, True,
         name="tensordot_vjp1-tuples"),
    case(rt.tensordot_vjp2, (_a(2, 5), _a(3, 4, 2), _a(4, 3, 5)), [0, 1], {"axes": ((1, 0), (0, 1))}, True,
         name="tensordot_vjp2-tuples"),
    case(rt.transpose_last, (_a(3, 4),), [0]),
    case(rt.abs_direction, (_a(5) + np.sign(_a(5)),), [0], numba=True),  # real: sign, away from 0
    case(rt.real_for, (_a(3, 2), _a(3, 2)), [0], numba=True),
    case(rt.scalar_output, (0.7,), [0], numba=True),
    # real x: zeros (complex values: tests/diff/test_complex.py)
    case(rt.abs_direction_tangent, (_a(4) + np.sign(_a(4)), _a(4)), [0, 1], numba=True),
    case(rt.abs_direction_vjp, (_a(4), _a(4) + np.sign(_a(4))), [0, 1], numba=True),
    case(rt.uncumsum, (_a(3, 4), _a(3, 4)), [0], {"axis": 1}, True),
    case(rt.uncumsum, (_a(12), _a(3, 4)), [0], name="uncumsum-flat"),
    case(rt.untrace, (0.4, _a(3, 3)), [0]),
    case(rt.undiag, (_a(4, 4), _a(4)), [0]),
    case(rt.undiag, (_a(3), _a(3, 5)), [0], {"k": 1}, name="undiag-2d"),
    case(rt.untranspose, (_a(3, 4, 2), ), [0], {"axes": (1, 2, 0)}),
    case(rt.swap_axes, (_a(3, 4),), [0], {"axis1": 0, "axis2": 1}),
    case(rt.unflip, (_a(3, 4),), [0]),
    case(rt.unmoveaxis, (_a(3, 4, 2),), [0], {"source": 0, "destination": 2}),
    case(rt.unroll, (_a(5),), [0], {"shift": 2}),
    case(rt.unconcatenate, (_a(6, 3), (_a(2, 3), _a(4, 3))), [0], numba=True),
    case(rt.unstack, (_a(2, 3), (_a(3), _a(3))), [0]),
    case(rt.unhstack, (_a(5), (_a(3), _a(2))), [0]),
    case(rt.unsum, (_a(2, 3), (_a(3), _a(2, 3), 0.5)), [0], numba=True),
    case(rt.sum_of, ((_a(3), _a(2, 3), 0.5),), [0], numba=True),
    case(rt.unsum, (_a(3), _a(4, 3)), [0], numba=True, name="unsum-rows"),
    case(rt.sum_of, (_a(4, 3),), [0], numba=True, name="sum_of-rows"),
    case(rt.unvstack, (_a(2, 3), (_a(3), _a(3))), [0]),
    case(rt.untile, (_a(6), _a(3)), [0], {"reps": 2}),
    case(rt.unrepeat, (_a(8), _a(4)), [0], {"repeats": 2}),
    case(rt.untake, (_a(3), _a(5)), [0], {"indices": np.array([0, 2, 0])}, True),
    # einsum_vjp<k>: linear in ct and every operand but the k-th (read for its shape)
    case(rt.einsum_vjp1, (_a(3, 3), "ij->ji", _a(3, 3)), [0], name="einsum_vjp1-one"),
    case(rt.einsum_vjp1, (0.4, "ii->", _a(3, 3)), [0], name="einsum_vjp1-one-trace"),
    case(rt.einsum_vjp1, (_a(3, 2), "ij,jk->ik", _a(3, 4), _a(4, 2)), [0, 3], name="einsum_vjp1-two"),
    case(rt.einsum_vjp2, (_a(3, 2), "ij,jk->ik", _a(3, 4), _a(4, 2)), [0, 2], name="einsum_vjp2-two"),
    case(rt.einsum_vjp1, (_a(3), "ii,i->i", _a(3, 3), _a(3)), [0, 3], name="einsum_vjp1-two-diagonal"),
    case(rt.einsum_vjp2, (_a(2, 3), "ij,k->ik", _a(2, 4), _a(3)), [0, 2], name="einsum_vjp2-two-missing"),
    case(rt.einsum_vjp1, (0.3, "i,ij,j->", _a(3), _a(3, 4), _a(4)), [0, 3, 4], name="einsum_vjp1-three"),
    case(rt.einsum_vjp2, (0.3, "i,ij,j->", _a(3), _a(3, 4), _a(4)), [0, 2, 4], name="einsum_vjp2-three"),
    case(rt.einsum_vjp3, (_a(2, 2), "ij,jk,kl->il", _a(2, 3), _a(3, 4), _a(4, 2)), [0, 2, 3],
         name="einsum_vjp3-three"),
]


@pytest.mark.parametrize("fn, inputs, diff, options, use_numba", CASES)
def test_helper_rule(fn, inputs, diff, options, use_numba, request):
    check_vjp(fn, inputs, options, name=request.node.name, diff=diff, use_numba=use_numba)


def test_every_helper_a_template_calls_has_a_rule_or_is_constant():
    """Derivative code contains these calls once templates are inlined; a second derivative
    needs a rule for each (or knows it is constant), in both modes: no gaps."""
    called = set()
    for table in (VJP_RULES, JVP_RULES):
        for rule in table.rules():
            for name in rule.template.__code__.co_names:
                value = rule.template.__globals__.get(name)
                if callable(value) and getattr(value, "__module__", "").startswith(rt.__name__):
                    called.add(value)
    assert len(called) > 20
    missing = {h.__name__ for h in called if h not in VJP_RULES and h not in NONDIFF}
    missing |= {h.__name__ for h in called if h not in JVP_RULES and h not in NONDIFF}
    assert not missing, f"helpers without a rule: {sorted(missing)}"
