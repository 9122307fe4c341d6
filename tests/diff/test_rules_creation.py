"""creation rules (s2s/diff/rules/creation.py: linspace, full, full_like) against finite
differences, in Python and numba where numba has the function. The JVP rules are checked over
the same CASES table by tests/diff/test_jvp_rules.py."""
import numpy as np
import pytest
from vjp_check import check_vjp


def case(key, make, options=None, numba=False, name=None):
    return pytest.param(key, make, options or {}, numba, id=name)


def _scalars(k):
    return lambda rng: tuple(float(rng.uniform(-1, 1)) for _ in range(k))


CASES = [
    case(np.linspace, _scalars(2), {"num": 5}, True, name="linspace"),
    case(np.linspace, _scalars(2), {"num": 4, "endpoint": False}, name="linspace-no-endpoint"),
    case(np.linspace, lambda rng: (rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3)), {"num": 6}, name="linspace-arrays"),
    case(np.linspace, lambda rng: (float(rng.uniform(-1, 1)), rng.uniform(-1, 1, 2)), {"num": 3}, name="linspace-mixed"),
    case(np.linspace, _scalars(2), {"num": 1}, name="linspace-one"),
    case(np.full, lambda rng: ((3, 2), float(rng.uniform(-1, 1))), name="full"),
    case(np.full, lambda rng: ((3, 2), rng.uniform(-1, 1, 2)), name="full-broadcast"),
    case(np.full_like, lambda rng: (np.zeros((2, 3), np.int64), float(rng.uniform(-1, 1))), {"dtype": np.float64},
         name="full_like"),
]


@pytest.mark.parametrize("key, make, options, use_numba", CASES)
def test_creation_rule(key, make, options, use_numba, request):
    inputs = make(np.random.default_rng(len(request.node.name)))
    check_vjp(key, inputs, options, name=request.node.name, use_numba=use_numba)


def sampled(x):  # values built from differentiable arguments (these were once taken as constants)
    grid = np.linspace(x[0], x[1], 7)
    fill = np.full((3, 2), x[2] * x[0])
    like = np.full_like(x, x[1] ** 2)
    return np.sum(np.sin(grid) * grid) + np.sum(fill ** 2) + np.sum(like * x)


def test_grad_and_jvp_end_to_end():
    import s2s
    from grad_cases import central_difference
    x = np.array([0.3, 1.7, -0.6])
    want = central_difference(sampled, (x,), 0)
    np.testing.assert_allclose(s2s.grad(sampled)(x), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jacfwd(sampled)(x), want, rtol=1e-6, atol=1e-8)
