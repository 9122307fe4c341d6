"""The fusion step of code generation: single-use temporaries go back into the expression
that reads them (numba fuses whole-array expressions), only where that cannot change a
value. Each case checks the printed source and that the compiled function still agrees
with the original."""
import numpy as np
import pytest

import s2s


def chain(x):
    return np.sum(1.0 / (1.0 + np.exp(-x)))


def used_twice(x):
    e = np.exp(x)
    return e / (1.0 + e)


def across_lines(x):
    a = np.sin(x)
    return a * 2.0


def rebinds_between(x):
    t = x * 2.0; x = x + 1.0; return t + x  # noqa: E702 -- one line on purpose


def helper(v):
    v[0] = 7.0
    return v[1]


def impure_call(x):
    y = x.copy()
    return y[0] + helper(y)


def while_test(x):
    n = 0
    while np.abs(x) > 1.0:
        x = x / 2.0
        n += 1
    return x + n


def random_order(seed):
    np.random.seed(seed)
    a = np.random.uniform(); b = np.random.uniform(); return a - b  # noqa: E702


# (function, args, lines the generated source must contain, lines it must not contain)
CASES = [
    (chain, (np.linspace(-2, 2, 7),), ["return _np.sum(1.0 / (1.0 + _np.exp(-x)))"], []),
    (used_twice, (np.linspace(-2, 2, 7),), ["e = _np.exp(x)"], []),
    (across_lines, (np.linspace(-2, 2, 7),), ["a = _np.sin(x)", "return a * 2.0"], []),
    (rebinds_between, (1.5,), ["t = x * 2.0"], []),
    (impure_call, (np.arange(3.0),), ["y0 = y[0]"], []),  # not moved past a call that mutates y
    (while_test, (37.0,), ["if not _np.abs(x) > 1.0:"], []),  # tested in the loop body, every time
    (random_order, (3,), ["a = _np.random.uniform()"], []),
]


@pytest.mark.parametrize("fn, args, has, has_not", CASES, ids=[c[0].__name__ for c in CASES])
def test_fusion(fn, args, has, has_not):
    jitted = s2s.jit(fn)
    src = jitted.source()
    body = [line.strip() for line in src.splitlines()]
    for line in has:
        assert line in body, src
    for line in has_not:
        assert line not in body, src
    expected = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    np.testing.assert_allclose(jitted(*args), expected, rtol=1e-12)


def test_fusion_is_deterministic():
    assert s2s.jit(chain).source() == s2s.jit(chain).source()
