"""NumPy's sequence functions and the runtime's per-element contributions on lists built by
`.append` under numba (s2s/diff/runtime_numba_lists.py), against the same functions run by
Python. Each case is a function that appends one element per row of `x` to a list `L`,
then returns one expression of `L`, the cotangent `c` and the axis `a`; it is compiled once
per argument types (numba's compile time dominates: keep the cases few)."""
import numba
import numpy as np
import pytest

from s2s.diff import runtime as rt

ROW = "x[i] * (i + 1.0)"  # the default element: row i of x, scaled
RAGGED = "x[: i + 1] * (i + 1.0)"  # the first i + 1 rows of x: elements of different lengths
# (expression, element, [(shape of x, shape of c (None: no c), a), ...])
CASES = [
    ("np.stack(L)", ROW, [((4, 3), None, 0)]),
    ("np.stack(L, a)", ROW, [((4, 2, 3), None, 0), ((4, 2, 3), None, 2), ((4, 2, 3), None, -2)]),
    ("np.stack(L, axis=-1)", ROW, [((4, 3), None, 0)]),
    ("np.concatenate(L)", RAGGED, [((4,), None, 0)]),
    ("np.concatenate(L, a)", ROW, [((4, 2, 3), None, 0), ((4, 2, 3), None, 1), ((4, 2, 3), None, -1)]),
    ("np.concatenate(L, axis=None)", ROW, [((4, 2, 3), None, 0)]),
    ("(np.vstack(L), np.hstack(L), np.column_stack(L))", ROW, [((4, 3), None, 0), ((4, 2, 3), None, 0)]),
    # np.array(L) just after the loop is numba's own array comprehension (see array_of)
    ("(np.asarray(L), np.array(L[1:]))", ROW, [((4, 2, 3), None, 0)]),
    ("array_of(L)", ROW, [((4, 3), None, 0), ((4,), None, 0)]),
    ("unstack(c, L, a)", ROW, [((4, 2, 3), (4, 2, 3), 0), ((4, 2, 3), (2, 3, 4), -1)]),
    ("unconcatenate(c, L, a)", RAGGED, [((4,), (10,), 0)]),
    ("unconcatenate(c, L, a)", ROW, [((4, 2, 3), (2, 12), 1)]),
    ("unconcatenate(c, L, None)", ROW, [((4, 2, 3), (24,), 0)]),
    ("unhstack(c, L)", ROW, [((4, 3), (12,), 0), ((4, 2, 3), (2, 12), 0)]),
    ("unvstack(c, L)", ROW, [((4, 3), (4, 3), 0), ((4, 2, 3), (8, 3), 0)]),
    ("unsum(c, L)", ROW, [((4,), (), 0), ((4, 3), (2, 3), 0)]),
    # derivative code differentiated again: np.stack of an array (its rows), the zero adjoint of a list
    ("(np.stack(np.stack(L), a), np.stack(x[0], -1), np.stack(x[0, 0], -1), zeros_like(L))", ROW, [((4, 2, 3), None, 1)]),
]
ENV = {"np": np, **{h: getattr(rt, h) for h in ("array_of", "unstack", "unconcatenate", "unhstack", "unvstack",
                                                "unsum", "zeros_like")}}
_COMPILED = {}


def _functions(expr, elem):
    """(the Python function, its numba.njit) building L from x's rows and returning expr."""
    if (expr, elem) not in _COMPILED:
        env = dict(ENV)
        exec(f"def f(x, c, a):\n    L = []\n    for i in range(x.shape[0]):\n        L.append({elem})\n"
             f"    return {expr}\n", env)
        _COMPILED[expr, elem] = env["f"], numba.njit(env["f"])
    return _COMPILED[expr, elem]


def _args(xshape, cshape, a):
    x = np.arange(1.0, 1.0 + np.prod(xshape)).reshape(xshape) * 0.5
    c = 0.0 if cshape is None else 1.5 if cshape == () else np.linspace(-1.0, 2.0, int(np.prod(cshape)))
    return x, np.reshape(c, cshape) if np.ndim(c) else c, a


def _same(got, want):
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)
        return
    assert np.shape(got) == np.shape(want) and np.result_type(got) == np.result_type(want)
    np.testing.assert_allclose(got, want, rtol=1e-13)


@pytest.mark.parametrize("case", CASES, ids=[f"{e}-{'ragged' if el == RAGGED else 'rows'}" for e, el, _ in CASES])
def test_list_functions_match_python_under_numba(case):
    expr, elem, inputs = case
    py, nb = _functions(expr, elem)
    for spec in inputs:
        want, got = py(*_args(*spec)), nb(*_args(*spec))
        _same(got, want)
        assert isinstance(got, list) == expr.startswith("un")  # the helpers' tuples come back as lists


# (expression, element, shape of x): NumPy raises ValueError, and so does numba's version
ERRORS = [
    ("np.stack(L)", ROW, (0, 3)),  # no arrays
    ("np.concatenate(L)", RAGGED, (0,)),
    ("(np.vstack(L), np.hstack(L), np.column_stack(L))", ROW, (0, 2, 3)),
    ("np.stack(L)", RAGGED, (3,)),  # different shapes
    ("np.concatenate(L, axis=1)", RAGGED, (3, 2)),
    ("np.stack(L, a)", ROW, (4, 2, 3)),  # axis out of range (a = 3)
]


@pytest.mark.parametrize("case", ERRORS, ids=[f"{e}-{s}" for e, _, s in ERRORS])
def test_list_function_errors_are_value_errors(case):
    expr, elem, xshape = case
    py, nb = _functions(expr, elem)
    args = _args(xshape, None, 3)
    for fn in (py, nb):
        with pytest.raises(ValueError):
            fn(*args)


def test_empty_list_array_is_empty():
    py, nb = _functions("array_of(L)", ROW)
    assert nb(*_args((0, 3), None, 0)).size == 0 == py(*_args((0, 3), None, 0)).size
