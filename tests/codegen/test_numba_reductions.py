"""Reductions along an axis under jit (s2s/codegen/numba_reductions.py): numba compiles
np.sum's axis but not np.mean's, np.var's, np.std's, np.max's, np.min's, np.prod's, np.ptp's,
np.any's or np.all's. Every kind is checked against NumPy itself, for 1-d to 3-d arrays,
negative and positional axes, keepdims and ddof, float inputs (and int inputs for three); and their gradients
under jit against the pure-Python gradient and central differences.
"""
import numpy as np
import pytest

import s2s
from s2s.codegen.numba_reductions import reduce_axis


def mean_(a, b, v):
    return np.mean(a, axis=0), np.mean(b, axis=-1, keepdims=True), np.mean(b, 1), np.mean(v, axis=0)


def sum_(a, b, v):  # numba compiles np.sum's axis, not its keepdims
    return np.sum(a, axis=0), np.sum(b, axis=-1, keepdims=True), np.sum(b, 1, keepdims=False), np.sum(v, axis=0)


def var_(a, b, v):
    return np.var(a, axis=0), np.var(b, axis=-1, keepdims=True, ddof=1), np.var(b, 1), np.var(v, axis=0)


def std_(a, b, v):
    return np.std(a, axis=1, ddof=1), np.std(b, axis=0, keepdims=True), np.std(b, 2), np.std(v, axis=-1)


def max_(a, b, v):
    return np.max(a, axis=0), np.amax(b, axis=-1, keepdims=True), b.max(axis=1), np.max(v, axis=0)


def min_(a, b, v):
    return np.min(a, axis=1), np.amin(b, axis=0, keepdims=True), b.min(axis=2), np.min(v, axis=0)


def prod_(a, b, v):
    return np.prod(a, axis=0), np.prod(b, axis=-1, keepdims=True), np.prod(b, 1), np.prod(v, axis=0)


def ptp_(a, b, v):
    return np.ptp(a, axis=0), np.ptp(b, axis=-1, keepdims=True), np.ptp(b, 1), np.ptp(v, axis=0)


def any_(a, b, v):
    return np.any(a > 0.5, axis=0), np.any(b > 0, axis=-1, keepdims=True), np.any(b, 1), np.any(v > 0, axis=0)


def all_(a, b, v):
    return np.all(a > -0.5, axis=1), np.all(b > 0, axis=0, keepdims=True), np.all(b, 2), np.all(v > 0, axis=0)


def norm_(a, b, v):  # numba's np.linalg.norm takes no axis: vector norms along one are loops
    return (np.linalg.norm(a, axis=0), np.linalg.norm(b, 1, axis=-1, keepdims=True), np.linalg.norm(b, np.inf, 1),
            np.linalg.norm(a, ord=-np.inf, axis=1), np.linalg.norm(v, 3, 0), np.linalg.norm(a, 0, axis=1))


def whole_(a, b, v):  # axis None: numba reduces whole arrays, but without keepdims or ddof
    return (np.std(a, ddof=1), np.var(b, ddof=2), np.mean(b, keepdims=True), np.sum(a, axis=None, keepdims=True),
            np.max(v, keepdims=True))


def sort_(a, b, v):  # numba's np.sort sorts the last axis and takes no axis argument; cumsum/cumprod: no axis
    return (np.sort(a, axis=0), np.sort(b, 1), np.sort(b, axis=-1), np.sort(a, axis=None), np.sort(v, axis=0),
            np.cumsum(a, axis=0), np.cumprod(b, -1), np.cumsum(v, axis=0), np.cumsum(b, axis=1))


KINDS = [sum_, mean_, var_, std_, max_, min_, prod_, ptp_, any_, all_, norm_, whole_]


def _inputs(dtype, rng):
    a = rng.normal(size=(4, 3))
    b = rng.normal(size=(2, 3, 4))
    v = rng.normal(size=5)
    if dtype == "int":
        return tuple((x * 4).round().astype(np.int64) for x in (a, b, v))
    return a, b, v


@pytest.mark.parametrize("fn", KINDS, ids=[f.__name__ for f in KINDS])
def test_reductions_along_an_axis_match_numpy_under_jit(fn):
    rng = np.random.default_rng(5)
    jitted = s2s.jit(fn)
    assert "reduce_axis(" in jitted.source(*_inputs("float", rng))
    _check(fn, jitted, rng)


def _check(fn, jitted, rng):
    for dtype in ("float", "int") if fn in (mean_, max_, any_) else ("float",):  # (each dtype compiles anew)
        args = _inputs(dtype, rng)
        got, expected = jitted(*args), fn(*args)
        for g, e in zip(got, expected):
            assert np.shape(g) == np.shape(e)
            assert np.asarray(g).dtype.kind == np.asarray(e).dtype.kind
            np.testing.assert_allclose(np.asarray(g, dtype=float), np.asarray(e, dtype=float), rtol=1e-12, atol=1e-12)


def test_sorts_and_cumulations_along_any_axis_match_numpy_under_jit():
    jitted = s2s.jit(sort_)
    src = jitted.source(*_inputs("float", np.random.default_rng(1)))
    assert src.count("sort_axis(") == 4 and src.count("cumulate_axis(") == 4  # axis=-1 stays np.sort
    _check(sort_, jitted, np.random.default_rng(6))


def test_nan_propagates_through_max_and_min_as_in_numpy():
    x = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]])
    got = s2s.jit(max_)(x, x[None], x[0])
    np.testing.assert_array_equal(np.isnan(got[0]), np.isnan(np.max(x, axis=0)))
    assert np.isnan(got[3])


def test_the_python_body_is_numpy():
    x = np.arange(12.0).reshape(3, 4)
    assert np.array_equal(reduce_axis("std", x, 1, True, 1), np.std(x, axis=1, keepdims=True, ddof=1))
    assert np.array_equal(reduce_axis("ptp", x, 0), np.ptp(x, axis=0))


def loss(x):
    m = np.mean(x, axis=0)
    s = np.std(x, axis=1)
    return np.sum(np.max(x, axis=1) * s) + np.sum(m * m) + np.sum(np.var(x, axis=0, ddof=1))


def loss_more(x):  # norms along an axis, ddof of the whole array, sorts along an axis, products along an axis
    w = np.arange(12.0).reshape(4, 3)
    return (np.sum(np.linalg.norm(x, axis=1)) + np.std(x, ddof=1) + np.sum(np.sort(x, axis=0) * w)
            + np.sum(np.prod(x, axis=0)) + np.sum(np.sort(x, axis=None) * np.ravel(w)) + np.sum(np.cumsum(x, axis=1) ** 2))


@pytest.mark.parametrize("fn", [loss, loss_more])
def test_gradients_of_axis_reductions_under_jit(fn):
    x = np.random.default_rng(2).normal(size=(4, 3))
    loss = fn
    g = s2s.jit(s2s.grad(loss))(x)
    np.testing.assert_allclose(g, s2s.grad(loss)(x), rtol=1e-12)
    eps = 1e-6
    fd = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        fd[i] = (loss(x + e) - loss(x - e)) / (2 * eps)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


def nonliteral_axis(x, k):
    return np.mean(x, axis=k)


def test_an_axis_known_only_at_run_time_is_left_to_numba():
    src = s2s.jit(nonliteral_axis, static_argnums=1).source(np.ones((2, 2)), 1)
    assert "reduce_axis('mean', x, 1" in src  # a static argument is known when the code is generated
    src = s2s.jit(lambda x, k: np.mean(x, axis=k)).source()
    assert "reduce_axis" not in src


def builtin_sums(x, A):  # numba's builtin sum takes neither mixed tuples nor an array's rows
    return sum((x, x ** 2, 2.0)), sum(x), sum(A), sum([v * v for v in x])


def test_builtin_sum_under_jit():
    rng = np.random.default_rng(3)
    x, A = rng.normal(size=4), rng.normal(size=(3, 4))
    jitted = s2s.jit(builtin_sums)
    assert jitted.source(x, A).count("sum_of(") == 4
    for got, want in zip(jitted(x, A), builtin_sums(x, A)):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def scatter_add(x, idx):
    y = np.zeros(3)
    np.add.at(y, idx, x * 2.0)
    return y


def test_add_at_under_jit():
    """np.add.at (numba has no ufunc.at) -> the runtime's add_at: repeated indices accumulate."""
    x, idx = np.array([0.5, -1.0, 2.0, 0.25]), np.array([0, 2, 0, 1])
    np.testing.assert_allclose(s2s.jit(scatter_add)(x, idx), scatter_add(x, idx))


def casts(x):  # numba calls np.int64 & co. on numbers only (and has no np.fix: np.trunc)
    idx = np.int64(x * 2.0)
    return np.float32(x), idx, np.int32(x[0] * 3.0), np.complex128(x) + 1j, np.bool_(x[1]), np.fix(x * 1.5)


def test_numpy_scalar_type_casts_of_arrays_under_jit():
    x = np.array([0.3, 1.7, -2.2])
    got, want = s2s.jit(casts)(x), casts(x)
    for g, w in zip(got, want):
        if np.ndim(w):  # (numba returns numbers as Python's)
            assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)


def axis_views(a, b):
    c = np.swapaxes(b, 0, -1)
    return (c, np.moveaxis(b, 0, -1), np.moveaxis(b, -1, 1), np.transpose(b, (1, 2, 0)), b.transpose(2, 0, 1),
            a.swapaxes(0, 1), np.swapaxes(b[:, ::-1], 1, 2), np.moveaxis(a, 1, 0) * 2.0, c[1:, 0])


def written_through(b):
    v = np.swapaxes(b, 0, 2)
    v[1, 0, 0] = -7.0  # a view, as NumPy's: b sees the write
    w = np.moveaxis(b, 2, 0)
    w[0] += 1.0
    return b


def test_axis_permutations_are_views_under_jit():
    """np.swapaxes / np.moveaxis / np.transpose(x, axes) (numba's own take seconds to compile
    per rank) -> the runtime's as_strided views: NumPy's values, and writes reach the array."""
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(2, 3, 4))
    jitted = s2s.jit(axis_views)
    src = jitted.source(a, b)
    assert src.count("swapaxes_view(") == 3 and src.count("moveaxis_view(") == 3 and src.count("transpose_view(") == 2
    for got, want in zip(jitted(a, b), axis_views(a, b)):
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(s2s.jit(written_through)(b.copy()), written_through(b.copy()))


def loss_views(b):
    return np.sum(np.swapaxes(b, 0, 2) * np.arange(8.0).reshape(4, 1, 2)) + np.sum(np.moveaxis(b, 0, -1)[0] ** 2) \
        + np.sum(np.transpose(b, (1, 0, 2))[1] ** 3)


def test_gradients_through_axis_views_under_jit():
    b = np.random.default_rng(5).normal(size=(2, 3, 4))
    want = s2s.grad(loss_views)(b)
    np.testing.assert_allclose(s2s.jit(s2s.grad(loss_views))(b), want, rtol=1e-12)
    eps, e = 1e-6, np.zeros_like(b)
    e[1, 2, 3] = eps
    assert want[1, 2, 3] == pytest.approx((loss_views(b + e) - loss_views(b - e)) / (2 * eps), rel=1e-6)


def reshapes_of_other_layouts(a):
    inv = np.linalg.inv(a)  # F-ordered in numba
    return (a.T.reshape(16), a.T.reshape(2, 2, 4), np.reshape(inv, (2, 2, 4)), a[:, ::2].reshape(8),
            np.sum(inv.reshape(2, 2, 2, 2) * np.arange(16.0).reshape(2, 2, 2, 2)), a.reshape(-1, order="C")[3])


def loss_reshapes(a):
    inv = np.linalg.inv(a)
    return np.sum(np.sin(inv.reshape(2, 2, 4)) * np.arange(16.0).reshape(2, 2, 4)) + np.sum(a.T.reshape(4, 4)[0] ** 3)


def test_reshapes_of_arrays_that_are_not_c_contiguous_under_jit():
    """numba reshapes C-contiguous arrays only: an F-ordered one (np.linalg.inv's result,
    x.T) it reshapes as a view is misread later (wrong numbers), others fail at run time
    or when compiling; jit's reshape_c copies them first."""
    a = np.random.default_rng(6).normal(size=(4, 4)) + 4.0 * np.eye(4)
    for i, (got, want) in enumerate(zip(s2s.jit(reshapes_of_other_layouts)(a), reshapes_of_other_layouts(a))):
        assert np.shape(got) == np.shape(want), i
        np.testing.assert_allclose(got, want, rtol=1e-13, err_msg=f"output {i}")
    want = s2s.grad(loss_reshapes)(a)
    np.testing.assert_allclose(s2s.jit(s2s.grad(loss_reshapes))(a), want, rtol=1e-12)
    eps, e = 1e-6, np.zeros_like(a)
    e[2, 1] = eps
    assert want[2, 1] == pytest.approx((loss_reshapes(a + e) - loss_reshapes(a - e)) / (2 * eps), rel=1e-6)


def rolls_and_selects(b, v):
    r = np.rollaxis(b, 2) * 2.0 + 0.0
    s = np.rollaxis(b, 0, 3)
    t = np.rollaxis(b, -1, 1)
    picked = np.select([v < 0.0, v > 0.5], [v ** 2, v ** 3], default=v)
    return r, s, t, picked, np.select((v > 0.0,), (v,))


def loss_rolls_and_selects(b, v):
    r, s, t, picked, plain = rolls_and_selects(b, v)
    return np.sum(r * np.arange(24.0).reshape(r.shape)) + np.sum(s ** 2 * t[0, 0, 0]) + np.sum(picked * v) + np.sum(plain)


def test_rollaxis_and_select_under_jit():
    """np.rollaxis (numba has none) -> a view; np.select with an array default (numba's takes a
    scalar) -> nested wheres, the first condition winning. Their gradients too."""
    rng = np.random.default_rng(6)
    b, v = rng.normal(size=(2, 3, 4)), np.array([-0.7, 0.2, 0.9, 0.4, -0.1])
    for got, want in zip(s2s.jit(rolls_and_selects)(b, v), rolls_and_selects(b, v)):
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    want = s2s.grad(loss_rolls_and_selects, argnums=(0, 1))(b, v)
    got = s2s.jit(s2s.grad(loss_rolls_and_selects, argnums=(0, 1)))(b, v)
    for g, w, x, i in zip(got, want, (b, v), (0, 1)):
        np.testing.assert_allclose(g, w, rtol=1e-12)
        e = np.zeros_like(x)
        e.flat[3] = 1e-6
        args = [b, v]
        hi, lo = list(args), list(args)
        hi[i], lo[i] = x + e, x - e
        fd = (loss_rolls_and_selects(*hi) - loss_rolls_and_selects(*lo)) / 2e-6
        assert w.flat[3] == pytest.approx(fd, rel=1e-6)


def vector_norms_along_axes(x):
    return np.sum(np.linalg.norm(x, ord=1, axis=1)) + np.sum(np.linalg.norm(x, 3, axis=0) ** 2) \
        + np.sum(np.linalg.norm(x, np.inf, axis=-1))


def test_gradients_of_vector_p_norms_along_an_axis_under_jit():
    x = np.random.default_rng(7).normal(size=(3, 4))
    want = s2s.grad(vector_norms_along_axes)(x)
    np.testing.assert_allclose(s2s.jit(s2s.grad(vector_norms_along_axes))(x), want, rtol=1e-12)
    e = np.zeros_like(x)
    e[1, 2] = 1e-6
    fd = (vector_norms_along_axes(x + e) - vector_norms_along_axes(x - e)) / 2e-6
    assert want[1, 2] == pytest.approx(fd, rel=1e-6)


def index_helpers(m, t, a):
    return (m[np.diag_indices(3)] ** 2, t[np.diag_indices(3, 3)], m[np.diag_indices_from(m)] * 3.0,
            a[np.unravel_index(5, (3, 4))], a[np.unravel_index(np.array([1, 7, 11]), a.shape)] ** 2)


def test_index_helpers_under_jit():
    """np.diag_indices, np.diag_indices_from and np.unravel_index (numba has none) -> the
    runtime's tuples of index arrays; gradients through the reads they index."""
    rng = np.random.default_rng(8)
    m, t, a = rng.normal(size=(3, 3)), rng.normal(size=(3, 3, 3)), rng.normal(size=(3, 4))
    for got, want in zip(s2s.jit(index_helpers)(m, t, a), index_helpers(m, t, a)):
        np.testing.assert_array_equal(got, want)

    def loss(m, t, a):
        return sum(np.sum(v * (k + 1.0)) for k, v in enumerate(index_helpers(m, t, a)))

    want = s2s.grad(loss, argnums=(0, 1, 2))(m, t, a)
    for g, w in zip(s2s.jit(s2s.grad(loss, argnums=(0, 1, 2)))(m, t, a), want):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    expected_m = np.zeros((3, 3))
    expected_m[np.diag_indices(3)] = 2.0 * m[np.diag_indices(3)] + 3.0 * 3.0
    np.testing.assert_allclose(want[0], expected_m, rtol=1e-12)


def whole_reductions_without_keepdims(t):
    return np.sum(t, keepdims=False) + np.mean(t, None, keepdims=False) + np.max(t, axis=None, keepdims=False) \
        + t.std(ddof=0)


def reduction_with_static_keepdims(t, kd):
    return np.sum(np.sum(t, 0, keepdims=kd) * np.arange(1.0, 4.0)) + np.sum(np.mean(t, keepdims=kd))


def pair(a):
    return 2.0 * a, a


def tuple_reductions(a):
    return np.sum(pair(a)) + np.mean((a, 3.0 * a)) + np.sum((1.5, a[0]))


def test_whole_reductions_with_constant_options_and_static_keepdims_under_jit():
    """keepdims=False / ddof=0 written out (numba's whole-array reductions take neither), a
    keepdims given through a static argument, also in the gradient's helpers; np.sum and
    np.mean of tuples (of equal arrays, of numbers)."""
    t = np.random.default_rng(4).normal(size=(2, 3))
    np.testing.assert_allclose(s2s.jit(whole_reductions_without_keepdims)(t), whole_reductions_without_keepdims(t))
    np.testing.assert_allclose(s2s.jit(s2s.grad(whole_reductions_without_keepdims))(t),
                               s2s.grad(whole_reductions_without_keepdims)(t), rtol=1e-12)
    for kd in (True, False):
        want = s2s.grad(reduction_with_static_keepdims)(t, kd)
        np.testing.assert_allclose(want, [[1.0 + 1 / 6, 2.0 + 1 / 6, 3.0 + 1 / 6]] * 2, rtol=1e-12)
        got = s2s.jit(s2s.grad(reduction_with_static_keepdims), static_argnums=1)(t, kd)
        np.testing.assert_allclose(got, want, rtol=1e-12)
    a = np.arange(1.0, 4.0)
    np.testing.assert_allclose(s2s.jit(tuple_reductions)(a), tuple_reductions(a), rtol=1e-12)
    # 3 sum(a) + 4 sum(a) / 6 + a[0]
    np.testing.assert_allclose(s2s.jit(s2s.grad(tuple_reductions))(a), [3 + 2 / 3 + 1, 3 + 2 / 3, 3 + 2 / 3], rtol=1e-12)
