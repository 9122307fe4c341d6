"""Runtime helpers (s2s/diff/runtime.py) in the pure-Python path and compiled by numba."""
import ast
import inspect
import sys

import numba
import numpy as np
import pytest

from s2s import cli
from s2s.diff import runtime
from s2s.diff.runtime import add_at, copy_value, range_len, reduce_to, unbroadcast, unreduce, zeros_like

UNBROADCAST = [  # (cotangent shape, input shape)
    ((3, 4), (4,)), ((3, 4), (3, 1)), ((3, 4), (1, 4)), ((2, 3, 4), (3, 1)), ((2, 3, 4), (4,)), ((2, 1, 4), (3, 1)),
    ((3, 1), (1, 4)), ((4,), (3, 4)), ((1, 4), (3, 4)), ((3, 4), ()), ((), (3, 4)), ((3, 4), (3, 4)), ((5,), (5,)),
]
NUMBA_UNBROADCAST = {((3, 4), (4,)), ((3, 1), (1, 4)), ((4,), (3, 4)), ((3, 4), ()), ((), (3, 4)), ((3, 4), (3, 4))}


def _unbroadcast_reference(g, shape):
    full = np.broadcast_shapes(np.shape(g), shape)
    big = np.broadcast_to(g, full).astype(float)
    big = big.sum(axis=tuple(range(len(full) - len(shape))))
    return big.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True).reshape(shape)


@numba.njit
def _unbroadcast_nb(g, x):
    return unbroadcast(g, x)


@pytest.mark.parametrize("gshape, xshape", UNBROADCAST, ids=[f"{g}->{x}" for g, x in UNBROADCAST])
def test_unbroadcast(gshape, xshape):
    rng = np.random.default_rng(0)
    g = rng.standard_normal(gshape) if gshape else 0.75
    x = rng.standard_normal(xshape) if xshape else 1.5
    ref = _unbroadcast_reference(g, xshape)
    paths = [unbroadcast] + ([_unbroadcast_nb] if (gshape, xshape) in NUMBA_UNBROADCAST else [])
    for fn in paths:
        out = fn(g, x)
        assert np.shape(out) == xshape
        np.testing.assert_allclose(out, ref)
        if not xshape:
            assert np.ndim(out) == 0 and not isinstance(out, np.ndarray)


def test_unbroadcast_of_a_missing_input_is_none():
    assert unbroadcast(np.ones(3), None) is None
    assert _unbroadcast_nb(np.ones(3), None) is None


def test_unbroadcast_of_the_same_shape_is_the_cotangent_itself():
    g = np.ones((2, 3))
    assert unbroadcast(g, np.zeros((2, 3))) is g


def test_expanding_gives_a_fresh_writable_array():
    out = unbroadcast(np.ones(3), np.zeros((2, 3)))
    out[0, 0] = 5.0
    out = unreduce(1.0, np.zeros(3))
    out[0] = 5.0


REDUCE = [(None, False), (None, True), (1, False), (1, True), (-1, False), (0, True), ((0, 2), False), ((0, 2), True)]


@numba.njit
def _unreduce_nb(g, x, axis):
    return unreduce(g, x, axis)


@numba.njit
def _reduce_to_nb(g, x, axis):
    return reduce_to(g, x, axis)


def _check_unreduce(shape, axis, keepdims, up, down):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    g = rng.standard_normal(np.shape(np.sum(x, axis=axis, keepdims=keepdims)))
    g = float(g) if np.ndim(g) == 0 else g
    expect = np.broadcast_to(np.expand_dims(g, axis) if axis is not None and not keepdims else g, x.shape)
    v = rng.standard_normal(x.shape)
    np.testing.assert_allclose(up(g, x, axis), expect)
    np.testing.assert_allclose(down(v, g, axis), np.sum(v, axis=axis, keepdims=keepdims))
    assert np.shape(down(v, g, axis)) == np.shape(g)


@pytest.mark.parametrize("axis, keepdims", REDUCE)
def test_unreduce_and_reduce_to(axis, keepdims):
    _check_unreduce((2, 3, 4), axis, keepdims, unreduce, reduce_to)


@pytest.mark.parametrize("axis, keepdims", [(None, False), (None, True), (1, False), (-1, True)])
def test_unreduce_and_reduce_to_in_numba(axis, keepdims):
    _check_unreduce((3, 4), axis, keepdims, _unreduce_nb, _reduce_to_nb)


def test_unreduce_of_a_scalar_input():
    assert unreduce(2.0, 3.0) == 2.0 and _unreduce_nb(2.0, 3.0, None) == 2.0


ADD_AT = [  # (a shape, index, v shape)
    ((6,), np.array([0, 2, 0, 5, 2, 0]), (6,)),
    ((6,), np.array([0, 2, 0, -1]), ()),
    ((5, 3), np.array([4, 1, 4, 4]), (4, 3)),
    ((5, 3), np.array([4, 1, 4, 4]), (3,)),
    ((5, 3), np.array([4, 1, 4, 4]), (4, 1)),
    ((4, 5), (slice(None), np.array([1, 3, 1])), (4, 3)),
    ((4, 5), (np.array([1, 3, 1]), slice(1, 4)), (3, 3)),
    ((4, 5), (2, np.array([0, 0, 4])), (3,)),
    ((2, 4, 5), (1, slice(None), np.array([0, 0])), (2, 4)),
    ((2, 4, 5), (slice(None), 1, np.array([0, 0])), (2, 2)),
    ((4, 5), np.arange(20).reshape(4, 5) % 3 == 0, (7,)),
    ((4, 5), np.array([True, False, True, True]), (3, 5)),
    ((4, 5), 2, (5,)),
    ((4, 5), (1, 3), ()),
    ((4, 5), slice(1, 3), (2, 5)),
    ((4, 5), (slice(None), 2), (4,)),
    ((6, 5), (slice(4, 0, -2), np.array([1, 1])), (2, 1)),
    ((4, 5), (slice(1, None), slice(None, None, 2)), (3, 1)),
    ((2, 4, 5), (Ellipsis, 1), (2, 4)),
    ((2, 4, 5), (1, Ellipsis), (4, 5)),
    ((2, 4, 5), (0, Ellipsis, slice(1, 3)), (4, 2)),
    ((4, 5), (Ellipsis, np.array([0, 0, 3])), (4, 3)),
    ((4, 5), (np.array([0, 3, 0]), np.array([1, 1, 1])), (3,)),
    ((2, 4, 5), (np.array([1, 1]), slice(None), np.array([0, 0])), (2, 4)),
]


@numba.njit
def _add_at_nb(a, idx, v):
    return add_at(a, idx, v)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
@pytest.mark.parametrize("shape, idx, vshape", ADD_AT, ids=[str(i) for i in range(len(ADD_AT))])
def test_add_at_accumulates_repeated_indices(shape, idx, vshape, compiled):
    rng = np.random.default_rng(2)
    a = rng.standard_normal(shape)
    v = rng.standard_normal(vshape) if vshape else 0.5
    expect = a.copy()
    np.add.at(expect, idx, v)
    out = (_add_at_nb if compiled else add_at)(a, idx, v)
    assert out is a or compiled
    np.testing.assert_allclose(a, expect)


def test_add_at_with_two_index_arrays_in_python():
    a = np.zeros((3, 3))
    add_at(a, (np.array([0, 0, 2]), np.array([1, 1, 0])), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(a, [[0, 3, 0], [0, 0, 0], [3, 0, 0]])


@numba.njit
def _zeros_like_nb(x):
    return zeros_like(x)


ZEROS = [(2.5, float), (3, float), (True, float), (1 + 2j, complex), (np.ones(3), np.float64),
         (np.ones(3, np.float32), np.float32), (np.arange(3), np.float64), (np.ones(2, bool), np.float64),
         (np.ones(2, complex), np.complex128)]


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
@pytest.mark.parametrize("x, kind", ZEROS, ids=[type(x).__name__ + str(getattr(x, "dtype", "")) for x, _ in ZEROS])
def test_zeros_like(x, kind, compiled):
    z = (_zeros_like_nb if compiled else zeros_like)(x)
    if isinstance(x, np.ndarray):
        assert z.dtype == kind and z.shape == x.shape and not z.any()
    else:
        assert type(z) is kind and z == 0


def test_zeros_like_of_a_tuple_in_python():
    assert zeros_like((1.0, np.ones(2)))[0] == 0.0


@numba.njit
def _copy_nb(v):
    return copy_value(v)


@pytest.mark.parametrize("fn", [copy_value, _copy_nb], ids=["python", "numba"])
def test_copy_value(fn):
    a = np.arange(4.0)
    c = fn(a)
    assert c is not a and np.array_equal(c, a)
    a[0] = 9.0
    assert c[0] == 0.0
    assert fn(2.5) == 2.5


@numba.njit
def _range_lens_nb(triples):
    out = np.empty(len(triples), np.int64)
    for i in range(len(triples)):
        out[i] = range_len(triples[i, 0], triples[i, 1], triples[i, 2])
    return out


def test_range_len():
    triples = np.array([(s, e, st) for s in (-3, 0, 2, 7) for e in (-5, 0, 3, 8, 10) for st in (-3, -1, 1, 2, 4)])
    expect = [len(range(*t)) for t in triples.tolist()]
    assert [range_len(*t) for t in triples.tolist()] == expect
    assert _range_lens_nb(triples).tolist() == expect


def test_runtime_text_is_self_contained():
    """What `dump -o` copies in imports only math, numpy and numba (numba optionally)."""
    tree = ast.parse("\n".join(cli.runtime_text()))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import"
            imported.add(node.module.split(".")[0])
    assert imported <= {"math", "operator", "numpy", "numba", "importlib"}  # the standard library, NumPy, numba


@pytest.mark.parametrize("with_numba", [True, False])
def test_the_copied_runtime_works(tmp_path, with_numba):
    """The copied text registers its own overloads (as a dumped module would), and without
    numba still gives the NumPy helpers."""
    path = tmp_path / "copied_runtime.py"
    text = "\n".join(cli.runtime_text())
    if not with_numba:
        text = "import sys\nsys.modules['numba'] = None\n" + text
    path.write_text(text)
    saved = sys.modules.get("numba")
    ns = {"__name__": "copied_runtime"}
    try:
        exec(compile(path.read_text(), str(path), "exec"), ns)
    finally:
        sys.modules["numba"] = saved
    unb = ns["unbroadcast"]
    assert (ns["numba"] is not None) == with_numba
    if with_numba:
        f = numba.njit(lambda g, x: unb(g, x) * 2.0)
        np.testing.assert_allclose(f(np.ones((3, 2)), np.zeros(2)), [6.0, 6.0])
    np.testing.assert_allclose(unb(np.ones((3, 2)), np.zeros(2)) * 2.0, [6.0, 6.0])


@numba.njit
def _permutations_nb(x, s, d, axes):
    return runtime.unmoveaxis(x, s, d), runtime.swap_axes(x, s, d), runtime.untranspose(x, axes)


def test_axis_permutations_in_numba():
    """unmoveaxis, swap_axes and untranspose are generated copy loops under numba."""
    x = np.arange(24.0).reshape(2, 3, 4)
    for s in range(-3, 3):
        for d in range(-3, 3):
            for axes in ((1, 2, 0), (2, 0, 1), (0, 2, 1), (-1, 0, 1)):
                moved, swapped, transposed = _permutations_nb(x, s, d, axes)
                np.testing.assert_array_equal(moved, np.moveaxis(x, d, s))
                np.testing.assert_array_equal(swapped, np.swapaxes(x, s, d))
                np.testing.assert_array_equal(transposed, np.transpose(x, np.argsort([a % 3 for a in axes])))


def test_jacobian_cotangent_helpers_are_the_transposes_of_jac_row_and_jac_col():
    """<jac_row(J, i, g), C> == <J, jac_row_zero(C, i, g)> + <g, jac_row_take(C, i, g)>, and
    the same for columns; in Python and numba."""
    import numba

    from s2s.diff import runtime as rt

    rng = np.random.default_rng(5)
    for set_, zero, take in ((rt.jac_row, rt.jac_row_zero, rt.jac_row_take),
                             (rt.jac_col, rt.jac_col_zero, rt.jac_col_take)):
        J, C = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
        g = rng.normal(size=3) if set_ is rt.jac_col else rng.normal(size=4)
        k = 1
        lhs = np.sum(set_(J.copy(), k, g) * C)
        for z, t in ((zero, take), (numba.njit(lambda c, k, g, f=zero: f(c, k, g)),
                                    numba.njit(lambda c, k, g, f=take: f(c, k, g)))):
            rhs = np.sum(J * z(C, k, g)) + np.sum(g * t(C, k, g))
            np.testing.assert_allclose(lhs, rhs, rtol=1e-12)


def test_item_takes_the_one_element_or_raises_like_numpy():
    import numba

    from s2s.diff import runtime as rt

    compiled = numba.njit(lambda a: rt.item(a))
    for fn in (rt.item, compiled):
        assert fn(np.array([[2.5]])) == 2.5
        assert fn(1.5) == 1.5
        with pytest.raises(ValueError, match="size 1"):
            fn(np.ones(2))
