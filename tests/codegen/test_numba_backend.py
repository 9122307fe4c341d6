"""The numba CPU backend's workaround of numba's own bugs (s2s/codegen/numba_backend.py)."""
import numpy as np

import s2s


def ssa_name_clash(x):
    # numba names b's second version `b.1`; fusing `b * 2.0 + b_1` into one array expression it
    # makes parameter names by `.` -> `_`, and `b.1` and `b_1` clash (numba: "'b_1_1' not
    # unique"). s2s's derivative code names its variables this way (`bout`, `bout_1`).
    b = x * 2.0
    b = b + np.sin(x)
    b_1 = x * 3.0
    return b * 2.0 + b_1


def test_ssa_versions_and_suffixed_names_in_one_array_expression():
    x = np.linspace(-1.0, 1.0, 5)
    np.testing.assert_allclose(s2s.jit(ssa_name_clash)(x), 4.0 * x + 2.0 * np.sin(x) + 3.0 * x, rtol=1e-14)
    # and in derivative code, where the names come from s2s
    np.testing.assert_allclose(s2s.jit(s2s.grad(lambda v: np.sum(ssa_name_clash(v) ** 2)))(x),
                               2.0 * ssa_name_clash(x) * (7.0 + 2.0 * np.cos(x)), rtol=1e-12)


def ratio(x, y):
    return x / y


def floor_ratio(n, m):
    return n // m


def root(x):
    return np.sqrt(x)


def test_division_by_zero_follows_numpy_not_python():
    # numba's default (Python's) error model raised ZeroDivisionError where the same code run
    # as Python on NumPy scalars, and JAX, give inf/nan.
    with np.errstate(divide="ignore", invalid="ignore"):
        for x, y in [(1.0, 0.0), (-2.0, 0.0), (0.0, 0.0), (3.0, -0.0)]:
            np.testing.assert_equal(s2s.jit(ratio)(x, y), np.float64(x) / np.float64(y))
        np.testing.assert_equal(s2s.jit(floor_ratio)(7, 0), np.int64(7) // np.int64(0))
        # derivative code divides too: d sqrt(x)/dx at 0
        assert s2s.grad(root)(0.0) == np.inf
        assert s2s.jit(s2s.grad(root))(0.0) == np.inf
