"""End to end: user functions calling the layout functions of s2s/diff/rules/layout.py
(triu/tril, diagonal and x.diagonal(), diagflat, atleast_*d, fliplr/flipud/rot90, append,
column_stack/dstack/row_stack, pad, take_along_axis, delete/insert, select, squeeze under
numba) and np.partition (shape.py) under grad (Python and s2s.jit), jvp, hessian and vmap,
against central differences and stacking. The functions are at module level: s2s reads
their source."""
import warnings

import numpy as np
import pytest
from grad_cases import central_difference

import s2s
from s2s.errors import NoDerivativeRuleError

RNG = np.random.default_rng(7)
A = RNG.uniform(-1, 1, (3, 4))
X = RNG.uniform(-1, 1, 4)
IDX = np.array([[2, 0], [1, 1], [3, 3]])


def triangles(a):
    return np.sum(np.sin(np.triu(a, 1)) * np.tril(a) + np.triu(a * a, -1)) + np.sum(np.tril(a[0], 1) ** 2)


def diagonals(a):
    d = np.diagonal(a)
    e = a.diagonal(1)
    b = a[:, :, None] * a[:, None, :]  # (3, 4, 4)
    return np.sum(d * d) + np.sum(np.sin(e)) + np.sum(np.diagonal(b, 1, 2, 1) ** 3)


def rotations(a):
    b = np.rot90(a)
    c = np.rot90(a[None] * a[:, None], 3, (1, 2))  # (3, 4, 3)
    return np.sum(b @ a) + np.sum(np.fliplr(a) * np.flipud(a) * a) + np.sum(c * c * b)


def stacks(x, y):
    c = np.column_stack((x, y * y, np.outer(x, y)[:, :2]))
    d = np.dstack((x, np.sin(y)))
    a = np.append(x, y[:2] * x[1])
    b = np.append(np.atleast_2d(x), np.atleast_2d(y), axis=0)
    return np.sum(c * c[::-1]) + np.sum(d ** 3) + np.sum(np.cos(a) * a) + np.sum(b * b[::-1]) \
        + np.sum(np.atleast_3d(x) * np.atleast_1d(y[0]))


def padded(x):
    p = np.pad(x, 2, mode="reflect")
    q = np.pad(x, (1, 3), constant_values=0.5)
    r = np.pad(x, 1, mode="edge")
    s = np.pad(np.outer(x, x), ((1, 0), (2, 1)), mode="wrap")
    return np.sum(p * np.arange(8.0)) + np.sum(q * q) + np.sum(np.sin(r)) + np.sum(s * s * s)


def padded_linear(x):  # zero constants: forward mode takes it too
    return np.sum(np.pad(x * x, (2, 0)) * np.pad(x, 1, mode="symmetric")[::-1] ** 2)


def gathers(a, idx):
    t = np.take_along_axis(a, idx, axis=1)
    f = np.diagflat(a[0], 1)
    g = np.delete(a, [0, 2], axis=1)
    h = np.insert(a[0], 1, a[1, 1] * a[2, 0])
    k = np.insert(a, 2, a[1], axis=0)
    return np.sum(t * t) + np.sum(f * f * f) + np.sum(g ** 3) + np.sum(h * h[::-1]) + np.sum(np.sin(k))


def compiled_mix(a, idx):  # what NumPy-under-numba runs too (squeeze with an axis: the numba overload)
    t = np.triu(a, 1) + a.diagonal()[0]
    p = np.append(np.take_along_axis(a, idx, 1), np.squeeze(a[:, 1:2], axis=1))
    w = np.insert(np.delete(a[2], 1), 0, a[0, 3])
    return np.sum(t * t) + np.sum(p * p * p) + np.sum(np.diagflat(w) ** 2)


def compiled_small(a):  # checked under s2s.jit
    return np.sum(np.diagonal(a, 1) * np.fliplr(a)[0, :3]) + np.sum(np.column_stack((a[0], a[1])) ** 2)


def selected(x, y):
    conds = [x > 0.5, x < -0.3, y > 0.0]
    a = np.select(conds, [x * y, np.sin(x), y * y])
    b = np.select([x > 0.0], [np.outer(x, y)], default=y)  # broadcast choice and default
    return np.sum(a * a) + np.sum(np.select(conds[:2], [x, y], x * y) ** 3) + np.sum(b * b)


def partitioned(a):
    p = np.partition(a * a, 1, axis=1)
    return np.sum(p[:, :2] * np.arange(2.0)) + np.sum(np.partition(a, (0, 5), axis=None)[:3] ** 3)


def meshed(x, y):
    gx, gy = np.meshgrid(x, y[:3])
    a, b, c = np.meshgrid(x[:2], y, x * y, indexing="ij", sparse=True)
    return np.sum(np.sin(gx) * gy ** 2) + np.sum(a * b * c) + np.sum(np.meshgrid(x * y[0])[0] ** 2)


def compiled_new(x, y):  # select, partition and meshgrid under s2s.jit (one compilation: CI time)
    s = np.select([x > 0.5, x < -0.3], [x * y, np.sin(x)], 0.25 * y[0])  # numba: a scalar default
    gx, gy = np.meshgrid(x, y[:2], indexing="ij")
    return np.sum(s * s) + np.sum(np.partition(x * y, 2)[:3] * np.arange(3.0)) + np.sum(gx * gy ** 2)


def upper(a):
    return np.sum(np.triu(a, 1) * a)


def row_stacked(x):
    return np.sum(np.row_stack((x, x * x)) ** 2)


def matrix_out(a):
    return np.triu(np.rot90(a)) + np.pad(np.diagonal(a * a), (0, 1))[:, None]


def pad_maximum(x):
    return np.sum(np.pad(x, 1, mode="maximum"))


def pad_affine(x):
    return np.sum(np.pad(x, 1, constant_values=2.0) ** 2)


def meshgrid_of_five(x):
    return np.sum(np.meshgrid(x, x, x, x, x)[0])


def squeeze_all(x):
    return np.sum(np.squeeze(x))


def _check_grad(fn, args, argnum=0, grad=None, rtol=1e-6):
    got = (grad or s2s.grad(fn, argnums=argnum))(*args)
    np.testing.assert_allclose(got, central_difference(fn, args, argnum), rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("fn, args, argnum", [
    (triangles, (A,), 0), (diagonals, (A,), 0), (rotations, (A,), 0), (stacks, (X, X[::-1] + 0.3), 0),
    (stacks, (X, X[::-1] + 0.3), 1), (padded, (X,), 0), (padded_linear, (X,), 0), (gathers, (A, IDX), 0),
    (compiled_mix, (A, IDX), 0), (compiled_small, (A,), 0), (selected, (X, X[::-1] - 0.1), 0),
    (selected, (X, X[::-1] - 0.1), 1), (partitioned, (A,), 0), (meshed, (X, X[::-1] - 0.1), 0),
    (meshed, (X, X[::-1] - 0.1), 1),
], ids=["triangles", "diagonals", "rotations", "stacks-x", "stacks-y", "padded", "padded_linear", "gathers",
        "compiled_mix", "compiled_small", "selected-x", "selected-y", "partitioned", "meshed-x", "meshed-y"])
def test_grad_against_finite_differences(fn, args, argnum):
    _check_grad(fn, args, argnum)


def test_row_stack_if_numpy_has_it():
    if not hasattr(np, "row_stack"):
        pytest.skip("this NumPy has no np.row_stack")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        _check_grad(row_stacked, (X,))


def test_jit_grad_against_finite_differences():
    # One small function: numba's compile time dominates (every helper's numba overload is
    # also compiled on its own by tests/diff/test_rules_layout.py).
    _check_grad(compiled_small, (A,), grad=s2s.jit(s2s.grad(compiled_small)))


def test_jit_grad_of_select_partition_and_meshgrid():
    args = (X, X[::-1] - 0.1)
    gx, gy = s2s.jit(s2s.grad(compiled_new, argnums=(0, 1)))(*args)  # one compilation: CI time
    for got, argnum in ((gx, 0), (gy, 1)):
        np.testing.assert_allclose(got, central_difference(compiled_new, args, argnum), rtol=1e-6, atol=1e-7)


def test_jacobian_of_a_matrix_output():
    want = np.stack([central_difference(lambda a, i=i: matrix_out(a).ravel()[i], (A,), 0).ravel()
                     for i in range(matrix_out(A).size)]).reshape(matrix_out(A).shape + A.shape)
    np.testing.assert_allclose(s2s.jacrev(matrix_out)(A), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jacfwd(matrix_out)(A), want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn, args", [(diagonals, (A,)), (rotations, (A,)), (padded_linear, (X,)),
                                      (gathers, (A, IDX)), (stacks, (X, X + 0.1)), (selected, (X, X[::-1] - 0.1)),
                                      (partitioned, (A,)), (meshed, (X, X[::-1] - 0.1))],
                         ids=["diagonals", "rotations", "padded_linear", "gathers", "stacks", "selected", "partitioned",
                              "meshed"])
def test_jvp_agrees_with_grad(fn, args):
    v = RNG.uniform(-1, 1, np.shape(args[0]))
    _, tangent = s2s.jvp(fn, args, (v,) + tuple(np.zeros(np.shape(a)) for a in args[1:]))
    np.testing.assert_allclose(tangent, np.sum(s2s.grad(fn)(*args) * v), rtol=1e-10)


@pytest.mark.parametrize("fn, args", [(triangles, (A,)), (diagonals, (A,)), (rotations, (A,)), (padded, (X,)),
                                      (gathers, (A, IDX)), (stacks, (X, X + 0.1)), (selected, (X, X[::-1] - 0.1)),
                                      (meshed, (X, X[::-1] - 0.1))],
                         ids=["triangles", "diagonals", "rotations", "padded", "gathers", "stacks", "selected", "meshed"])
def test_hessian_against_finite_differences_of_grad(fn, args):
    """Second derivatives go through the helpers' own rules (reverse over reverse, forward
    over reverse)."""
    x, grad = args[0], s2s.grad(fn)
    fd = np.stack([central_difference(lambda z, i=i: grad(z, *args[1:]).ravel()[i], (x,), 0)
                   for i in range(x.size)]).reshape(x.shape + x.shape)
    if fn is not stacks:  # reverse over reverse of a tuple literal argument: an s2s bug (np.stack's too)
        np.testing.assert_allclose(s2s.jacrev(grad)(*args), fd, rtol=1e-5, atol=1e-7)
    if fn is not padded:  # forward mode refuses padding with nonzero constants
        np.testing.assert_allclose(s2s.hessian(fn)(*args), fd, rtol=1e-5, atol=1e-7)


def test_vmap_matches_stacking():
    xs = np.stack([A, A * 0.5, A - 0.2])
    for fn in (triangles, diagonals, rotations):
        np.testing.assert_allclose(s2s.vmap(fn)(xs), [fn(a) for a in xs])
    np.testing.assert_allclose(s2s.vmap(matrix_out)(xs), np.stack([matrix_out(a) for a in xs]))
    vs = np.stack([X, X * 2.0])
    np.testing.assert_allclose(s2s.vmap(padded)(vs), [padded(x) for x in vs])
    np.testing.assert_allclose(s2s.vmap(s2s.grad(gathers), in_axes=(0, None))(xs, IDX),
                               np.stack([s2s.grad(gathers)(a, IDX) for a in xs]))


def test_jit_vmap_matches_stacking():
    xs = np.stack([A, A * 0.5, A - 0.2])
    np.testing.assert_allclose(s2s.jit(s2s.vmap(upper))(xs), [upper(a) for a in xs])


def test_refused_variants_name_the_function():
    with pytest.raises(NoDerivativeRuleError, match="pad.*maximum"):
        s2s.grad(pad_maximum)(X)
    with pytest.raises(NoDerivativeRuleError, match="constant_values"):
        s2s.jvp(pad_affine, (X,), (X,))
    with pytest.raises(NoDerivativeRuleError, match="meshgrid of more than four"):
        s2s.grad(meshgrid_of_five)(X[:2])
    _check_grad(pad_affine, (X,))  # reverse mode takes it


def test_squeeze_under_numba_needs_an_axis():
    with pytest.raises(Exception, match="axis"):
        s2s.jit(squeeze_all)(A[:1])
