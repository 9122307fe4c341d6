"""stats rules (s2s/diff/rules/stats.py) against finite differences, in Python and, where
NumPy-under-numba has the function and the variant, in numba. The JVP rules are checked
over the same CASES table by tests/diff/test_jvp_rules.py."""
import numpy as np
import pytest
from vjp_check import check_vjp


def _r(*shapes):
    return lambda rng: tuple(rng.uniform(-1, 1, s) if s else float(rng.uniform(-1, 1)) for s in shapes)


def case(key, make, options=None, numba=False, name=None, skip=None):
    marks = [pytest.mark.skip(reason=skip)] if skip else []
    return pytest.param(key, make, options or {}, numba, id=name, marks=marks)


CASES = []


@pytest.mark.parametrize("key, make, options, use_numba", CASES)
def test_stats_rule(key, make, options, use_numba, request):
    inputs = make(np.random.default_rng(len(request.node.name)))
    check_vjp(key, inputs, options, name=request.node.name, use_numba=use_numba)
