"""Rank inference (s2s/diff/ranks.py) and what reverse mode does with it: a scalar loop
tapes nothing for the shapes of its additions; arrays still get their shapes saved."""
import numpy as np
import pytest

import s2s
from s2s.diff.program import _diff_passes
from s2s.diff.ranks import Ranks, of_value
from s2s.parse.pipeline import build_program


def scalars(x, n):
    y = x * 2.0 + 1.0
    for i in range(n):
        y = y + i * 0.5
    return y


def arrays(x, W):
    h = np.tanh(x)
    s = np.sum(h)
    first = x[0]
    col = W[:, 0]
    row = W[1]
    size = x.shape[0]
    grown = x[:, None]
    return s + first + col[0] + row[0] + size + grown[0, 0]


def conflict(x, flag):
    if flag:
        y = 1.0
    else:
        y = x
    return y


# (function, parameter ranks, {name: expected rank (None: unknown)})
CASES = [
    (scalars, {"x": 0, "n": 0}, {"y": 0, "i": 0}),
    (scalars, {"x": 1, "n": 0}, {"y": 1, "i": 0}),
    (arrays, {"x": 1, "W": 2}, {"h": 1, "s": 0, "first": 0, "col": 1, "row": 1, "size": 0, "grown": 2}),
    (conflict, {"x": 1, "flag": 0}, {"y": None}),
    (conflict, {"x": 0, "flag": 0}, {"y": 0}),
    (scalars, {}, {"y": None}),
]


@pytest.mark.parametrize("fn, params, expected", CASES, ids=lambda v: getattr(v, "__name__", None))
def test_inferred_ranks(fn, params, expected):
    program = build_program(fn)
    _diff_passes(program)
    ranks = Ranks(program.entry.tree, params)
    for name, want in expected.items():
        assert ranks.of(name) == want, name


def test_rank_of_values():
    assert [of_value(v) for v in (1.0, 3, np.float64(2.0), np.ones(3), np.ones((2, 2)), (1.0,), "s")] == [0, 0, 0, 1, 2, None, None]


def loop(x0, steps):
    x = x0
    for _ in range(steps):
        x = x + 0.01 * x * x
    return np.sum(x)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_scalar_loop_saves_no_shapes_and_is_right(jit):
    g = s2s.grad(loop)
    run = s2s.jit(g) if jit else g
    got = run(0.5, 50)
    eps = 1e-6
    np.testing.assert_allclose(got, (loop(0.5 + eps, 50) - loop(0.5 - eps, 50)) / (2 * eps), rtol=1e-7)
    got_arr = run(np.array([0.5, 0.2]), 50)
    np.testing.assert_allclose(got_arr[0], got, rtol=1e-12)
    scalar_src = g._build(*g._key((0.5, 50)))[0].source
    array_src = g._build(*g._key((np.ones(2), 50)))[0].source
    # The sum's operands are saved for their shape only when they may be arrays.
    assert "shape_of(" in array_src and "shape_of(" not in scalar_src
