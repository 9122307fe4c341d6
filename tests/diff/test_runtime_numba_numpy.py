"""The numba forms of NumPy calls numba lacks (s2s/diff/runtime_numba_numpy.py): np.tensordot,
np.pad, np.heaviside, abs of an array, svd(compute_uv=False), qr(mode=...), compiled by s2s.jit
and compared with NumPy itself; then their derivatives under jit against the Python path and
central differences."""
import numpy as np
import pytest

import s2s

RNG = np.random.default_rng(11)
A3 = RNG.uniform(-1, 1, (3, 4, 5))
B3 = RNG.uniform(-1, 1, (4, 3, 2))
C3 = RNG.uniform(-1, 1, (4, 5, 2))
M = RNG.uniform(-1, 1, (4, 3))
V = RNG.uniform(-1, 1, 5)


def td_default(a, b):
    return np.tensordot(a, b)  # a's last two axes with b's first two


def td_pairs_list(a, b):
    return np.tensordot(a, b, axes=([1, 0], [0, 1]))


def td_pairs_ints(a, b):
    return np.tensordot(a, b, (2, -1))


def td_int_axes(a, b):
    return np.tensordot(a[0], b[0], 1)


def td_outer(a, b):
    return np.tensordot(a[0, 0], b[0, 0], 0)


def td_full(a, b):
    return np.tensordot(a[:, :, 0], b[:, :, 0], axes=([0, 1], [1, 0]))


def pad_int(x):
    return np.pad(x, 2)


def pad_pairs(x):
    return np.pad(x, [(1, 0), (0, 2)])


def pad_edge(x):
    return np.pad(x, (1, 2), mode="edge")


def pad_reflect_wide(x):
    return np.pad(x, 7, "reflect")


def pad_symmetric_wide(x):
    return np.pad(x, ((5, 1),), "symmetric")


def pad_wrap_wide(x):
    return np.pad(x, (6, 9), mode="wrap")


def pad_constant_value(x):
    return np.pad(x, ((1, 2), (2, 0)), constant_values=-3.5)


def heaviside(x):
    x = x.copy()
    x[0] = 0.0
    return np.heaviside(x, 0.25), np.heaviside(x, x[::-1]), np.heaviside(0.0, 0.5), np.heaviside(-x[1], 0.5)


def heaviside_nan(x):
    return np.heaviside(x / x[0] * np.nan, 0.5)


def builtin_abs(x):
    return abs(x - 0.1) + abs(x[0])


def singular_values(x):
    return np.linalg.svd(x, compute_uv=False)


def qr_modes(x):
    q, r = np.linalg.qr(x, mode="reduced")
    return q @ r, np.linalg.qr(x, "r")


FORWARD = [
    (td_default, (A3, C3)), (td_pairs_list, (A3, B3)), (td_pairs_ints, (A3, RNG.uniform(-1, 1, (2, 5)))),
    (td_int_axes, (A3, C3)), (td_outer, (A3, B3)), (td_full, (A3, B3)),
    (pad_int, (V,)), (pad_pairs, (M,)), (pad_edge, (M,)), (pad_reflect_wide, (V[:3],)), (pad_symmetric_wide, (V[:3],)),
    (pad_wrap_wide, (V[:4],)), (pad_constant_value, (M,)), (pad_reflect_wide, (V[:1],)),
    (heaviside, (V,)), (builtin_abs, (M,)), (singular_values, (M,)), (qr_modes, (M,)),
]


@pytest.mark.parametrize("fn, args", FORWARD, ids=lambda v: getattr(v, "__name__", ""))
def test_compiled_matches_numpy(fn, args):
    want = fn(*args)
    got = s2s.jit(fn)(*args)
    for w, g in zip(want if isinstance(want, tuple) else (want,), got if isinstance(got, tuple) else (got,)):
        assert np.shape(g) == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def test_heaviside_of_nan_is_nan():
    assert np.isnan(s2s.jit(heaviside_nan)(V)).all()


def test_a_tensordot_axes_count_unknown_when_compiling_is_a_compile_error():
    def contract(a, b, n):
        return np.tensordot(a, b, n)
    with pytest.raises(s2s.errors.CompilationError, match="tensordot"):
        s2s.jit(contract)(M, M.T, 1)


def loss_tensordot(a, b):
    return np.sum(np.sin(np.tensordot(a, b, axes=([1, 0], [0, 1]))) ** 2) + np.sum(np.tensordot(a[0], b[:, 0], ([0], [0])) ** 3)


def loss_pad(x):
    w = np.arange(1.0, 1.0 + np.pad(x, ((2, 1), (0, 3)), "reflect").size).reshape(np.pad(x, ((2, 1), (0, 3))).shape)
    return np.sum(np.pad(x, ((2, 1), (0, 3)), "reflect") ** 2 * w) + np.sum(np.pad(x, 1, constant_values=2.0) ** 3)


def loss_svd_abs(x):
    return np.sum(np.linalg.svd(x, compute_uv=False) ** 2) + np.sum(abs(x) * x) + np.sum(np.linalg.qr(x, "r") ** 2)


def _central(f, args, i, eps=1e-6):
    x = args[i]
    out = np.zeros_like(x)
    for k in range(x.size):
        e = np.zeros_like(x)
        e.flat[k] = eps
        lo, hi = list(args), list(args)
        hi[i], lo[i] = x + e, x - e
        out.flat[k] = (f(*hi) - f(*lo)) / (2 * eps)
    return out


@pytest.mark.parametrize("fn, args", [(loss_tensordot, (A3, B3)), (loss_pad, (M,)), (loss_svd_abs, (M,))],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_gradients_compiled(fn, args):
    argnums = tuple(range(len(args)))
    python = s2s.grad(fn, argnums=argnums)(*args)
    compiled = s2s.jit(s2s.grad(fn, argnums=argnums))(*args)
    for i, (p, c) in enumerate(zip(python, compiled)):
        np.testing.assert_allclose(c, p, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(p, _central(fn, args, i), rtol=1e-5, atol=1e-6)


# -- along an axis (runtime_numba_axes.py), n-d products, tile, ravel, matrix norms ---------
def axis_reductions(a):
    b = a.copy()
    b[0, 1] = np.nan
    return (np.median(a, axis=0), np.nanmedian(b, 1), np.nanmax(b, axis=0), np.nanmin(b, axis=-1),
            np.nansum(b, axis=0), np.nanprod(b, axis=1), np.nanmean(b, axis=0, keepdims=True), np.nanvar(b, axis=1),
            np.nanstd(b, axis=0), np.percentile(a, 30.0, axis=0), np.quantile(a, 0.7, axis=1, keepdims=True),
            np.nanpercentile(b, 55, axis=1), np.nanquantile(b, 0.2, axis=0), np.average(a, axis=1),
            np.median(a[None], axis=2))


def axis_reorders(a):
    return (np.argsort(a, axis=0), np.flip(a, axis=1), np.flip(a[None], 0), np.roll(a, 2, axis=0),
            np.roll(a, -1, axis=1), np.repeat(a, 2, axis=1), np.diff(a, n=2, axis=0), np.diff(a, axis=1),
            np.expand_dims(a, (0, 2)), np.expand_dims(a, (-1, 0)),
            np.take_along_axis(a, np.argsort(a, axis=0), axis=0))


def products(a, b3):
    v = a[0]
    return (np.inner(a, a), np.inner(v, v), np.inner(b3, a), np.dot(b3, v), np.dot(b3, a.T), b3 @ a.T, a @ b3.transpose(0, 2, 1),
            v @ b3[0].T @ b3, b3 @ v, np.matmul(b3[None], b3.transpose(0, 2, 1)), np.matmul(b3[:1], a.T[None]))


def layouts(a):
    return (np.tile(a, 2), np.tile(a, (2, 1)), np.tile(a[0], (3, 1, 2)), np.tile(a, (1, 1, 2)), np.ravel(a, order="F"),
            np.ravel(a), np.linalg.norm(a, "fro"), np.linalg.norm(a, ord="nuc"), a.flatten("F"),
            a.reshape((2, 6), order="F"), a.reshape(6, 2, order="F"), np.concatenate((a, a[:1]), axis=None))


M43 = RNG.uniform(-1, 1, (4, 3)) + np.arange(12.0).reshape(4, 3) % 3  # ties in no slice
FORWARD_MORE = [(axis_reductions, (M43,)), (axis_reorders, (M43,)), (products, (M43, RNG.uniform(-1, 1, (2, 5, 3)))),
                (layouts, (M43,))]


@pytest.mark.parametrize("fn, args", FORWARD_MORE, ids=lambda v: getattr(v, "__name__", ""))
def test_compiled_matches_numpy_along_axes(fn, args):
    want, got = fn(*args), s2s.jit(fn)(*args)
    assert len(got) == len(want)
    for i, (w, g) in enumerate(zip(want, got)):
        assert np.shape(g) == np.shape(w), (i, np.shape(g), np.shape(w))
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12, err_msg=f"output {i}")


def loss_along_axes(a, b3):
    r = np.sum(np.median(a, axis=0) ** 2) + np.sum(np.percentile(a, 30.0, axis=1) ** 3)
    r = r + np.sum(np.nanmean(a, axis=0) * np.nanmax(a, axis=1)[0]) + np.sum(np.average(a, axis=1) ** 2)
    r = r + np.sum(np.flip(a, axis=1) * a) + np.sum(np.roll(a, 1, axis=0) * a) + np.sum(np.repeat(a, 2, axis=1) ** 2)
    r = r + np.sum(np.diff(a, axis=0) ** 2) + np.sum(np.tile(a, (2, 1)) ** 3)
    r = r + np.sum(np.sin(b3 @ a.T)) + np.sum(np.inner(b3, a) ** 2) + np.linalg.norm(a, "fro") + np.linalg.norm(a, "nuc")
    w = np.arange(12.0)
    r = r + np.sum(a.flatten("F") * w) + np.sum(a.reshape((2, 6), order="F") ** 2 * w.reshape(2, 6))
    return r + np.sum(np.concatenate((a, a[:1] ** 2), axis=None) * np.arange(15.0))


def test_gradients_along_axes_compiled():
    args = (M43, RNG.uniform(-1, 1, (2, 5, 3)))
    test_gradients_compiled(loss_along_axes, args)


def tuple_axes(a):
    b = a.reshape(2, 2, 3)
    return (np.sum(b, axis=(0, 2)), np.prod(b, axis=(0, 1)), np.max(b, axis=(2, 0)), np.min(b, axis=(-1, 0)),
            np.mean(b, axis=(0, 2), keepdims=True), np.any(b > 0.5, axis=(0, 1)), np.all(b > -2.0, axis=(1, 2)),
            np.sum(b, (0, 1, 2)), np.prod(a, axis=1), np.max(a, axis=0), np.atleast_2d(a[0, 0]), np.atleast_3d(1.5),
            a.astype(int), a.astype(float), (a > 0.5).astype(int), a.astype(complex),
            np.var(b, axis=(0, 2), ddof=1), np.std(b, axis=(1, 2), keepdims=True), np.std(b, (0, 1, 2)))


def loss_tuple_axes(a):
    b = a.reshape(2, 2, 3)
    return (np.sum(np.prod(b, axis=(0, 1)) ** 2) + np.sum(np.mean(b, axis=(0, 2)) ** 3) + np.sum(np.max(b, axis=(1, 2)))
            + np.sum(a * a.astype(int)) + np.sum(np.sum(b ** 2, axis=(0, 2)))
            + np.sum(np.std(b, axis=(0, 1)) ** 2) + np.sum(np.var(b, axis=(0, 2), ddof=1, keepdims=True)))


def test_tuple_axes_and_builtin_casts_compiled():
    a = M43 - 1.3
    want, got = tuple_axes(a), s2s.jit(tuple_axes)(a)
    for i, (w, g) in enumerate(zip(want, got)):
        assert np.shape(g) == np.shape(w) and np.result_type(g) == np.result_type(w), (i, np.result_type(g))
        np.testing.assert_allclose(g, w, rtol=1e-12, err_msg=f"output {i}")
    test_gradients_compiled(loss_tuple_axes, (a,))


def masked_reads(a):
    t = np.stack((a, a * 2.0))
    big = t > 1.0
    return (np.sum(a[a > 0.1] ** 2) + np.sum(t[big]) + np.sum(a[a[:, 0] > 0.0]) + np.sum(a[~(a > 0.5)] ** 3)
            + np.sum(a[np.isfinite(a) & (a < 1.5)]))


def test_n_d_boolean_masks_compiled():
    """numba indexes with 1-d masks only (its own assertion fails on 2-d ones): jit reads
    them through take_mask, and their derivative adds back through an n-d add_at."""
    a = M43 - 1.0
    assert s2s.jit(masked_reads)(a) == pytest.approx(masked_reads(a), rel=1e-12)
    np.testing.assert_allclose(s2s.jit(s2s.grad(masked_reads))(a), s2s.grad(masked_reads)(a), rtol=1e-12)
    np.testing.assert_allclose(s2s.grad(masked_reads)(a), _central(masked_reads, (a,), 0), rtol=1e-6, atol=1e-8)
