"""End to end: user functions calling NumPy 2's array-API linear algebra (np.linalg.outer,
cross, matmul, vecdot and np.vecdot, diagonal and trace of the last two axes,
matrix_transpose and np.matrix_transpose) and np.linalg.multi_dot (s2s/diff/rules/linalg.py)
under grad (Python and s2s.jit), jvp, hessian and vmap, against central differences and
stacking. The functions are at module level: s2s reads their source. (np.vecdot, a ufunc,
does not compile under numba, which maps ufuncs over elements: np.linalg.vecdot does.)"""
import numba
import numpy as np
import pytest
from grad_cases import central_difference

import s2s
from s2s.errors import NoDerivativeRuleError

RNG = np.random.default_rng(5)
X = RNG.uniform(-1, 1, 6)
A = RNG.uniform(-1, 1, (2, 3, 3))


def array_api(x, a):
    m = np.outer(x[:3], x[3:]) + np.eye(3)
    return (np.sum(np.linalg.outer(x, x[::-1]) ** 2) + np.sum(np.linalg.cross(x[:3], x[3:] ** 2) ** 2)
            + np.sum(np.linalg.cross(a, a * x[:3], axis=-2) * a) + np.sum(np.linalg.matmul(a, m) ** 2)
            + np.sum(np.linalg.matmul(m, x[:3]) ** 3) + np.linalg.vecdot(x, np.sin(x))
            + np.sum(np.vecdot(a, m, axis=-2) ** 2) + np.sum(np.linalg.diagonal(a * m, offset=1) ** 3)
            + np.sum(np.linalg.trace(a @ m) ** 2) + np.sum(np.linalg.matrix_transpose(a) * a ** 2)
            + np.sum(np.matrix_transpose(m) * np.sin(m)))


def chained(x, a):
    m = np.outer(x[:3], x[3:]) + np.eye(3)
    return np.linalg.multi_dot([x[:3], a[0], m, x[3:]]) + np.sum(np.linalg.multi_dot((a[1], m, m, a[0])) ** 2)


def compiled_new(x):  # the overloads of runtime_numba_linalg.py, under s2s.jit (one compilation: CI time)
    m = np.outer(x[:3], x[3:]) + np.eye(3)
    return (np.sum(np.linalg.outer(x, x) * m[0, 1]) + np.sum(np.linalg.cross(x[:3], x[3:]) ** 2)
            + np.sum(np.linalg.matmul(m, x[:3]) ** 2) + np.linalg.vecdot(x, x * x) + np.sum(np.linalg.vecdot(m, m * m) ** 2)
            + np.sum(np.linalg.diagonal(m) ** 3) + np.linalg.trace(m @ m) + np.sum(np.linalg.matrix_transpose(m) * m)
            + np.sum(np.matrix_transpose(m) ** 3) + np.linalg.multi_dot((x[:3], m, m, x[3:])))


def product_of_list(ms):  # numba.njit'ed: multi_dot of a (reflected) list of matrices
    return np.linalg.multi_dot(ms)


def vecdot_positive_axis(x, a):
    return np.sum(np.vecdot(a, x[:3], axis=0))


def _check_grad(fn, args, argnum=0, grad=None, rtol=1e-6):
    got = (grad or s2s.grad(fn, argnums=argnum))(*args)
    np.testing.assert_allclose(got, central_difference(fn, args, argnum), rtol=rtol, atol=1e-7)


GRADS = [(array_api, (X, A), 0), (array_api, (X, A), 1), (chained, (X, A), 0), (chained, (X, A), 1)]


@pytest.mark.parametrize("fn, args, argnum", GRADS, ids=[f"{f.__name__}-{i}" for f, _, i in GRADS])
def test_grad_against_finite_differences(fn, args, argnum):
    _check_grad(fn, args, argnum)


def test_jit_grad_against_finite_differences():
    _check_grad(compiled_new, (X,), grad=s2s.jit(s2s.grad(compiled_new)))


def test_multi_dot_of_a_list_under_numba():
    ms = [A[0], A[1], A[0] + np.eye(3)]
    np.testing.assert_allclose(numba.njit(product_of_list)(numba.typed.List(ms)), np.linalg.multi_dot(ms), rtol=1e-12)


@pytest.mark.parametrize("fn", [array_api, chained], ids=["array_api", "chained"])
def test_jvp_agrees_with_grad(fn):
    v = RNG.uniform(-1, 1, X.shape)
    _, tangent = s2s.jvp(fn, (X, A), (v, np.zeros(A.shape)))
    np.testing.assert_allclose(tangent, np.sum(s2s.grad(fn)(X, A) * v), rtol=1e-10)


def test_hessian_against_finite_differences_of_grad():
    """Second derivatives through multi_dot's helpers and the array-API functions, reverse
    over reverse and forward over reverse."""
    for fn in (array_api, chained):
        grad = s2s.grad(fn)
        fd = np.stack([central_difference(lambda z, i=i: grad(z, A)[i], (X,), 0) for i in range(X.size)])
        np.testing.assert_allclose(s2s.jacrev(grad)(X, A), fd, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2s.hessian(array_api)(X, A), s2s.jacrev(s2s.grad(array_api))(X, A), rtol=1e-9,
                               atol=1e-9)


def test_hessian_of_multi_dot_forward_over_reverse():
    """A JVP template's tuple input bound to a name (multi_dot((a, b, c)) in derivative code)."""
    np.testing.assert_allclose(s2s.hessian(chained)(X, A), s2s.jacrev(s2s.grad(chained))(X, A), rtol=1e-9, atol=1e-9)


def test_vmap_matches_stacking():
    xs = np.stack([X, X * 0.5, X - 0.2])
    for fn in (array_api, chained):
        np.testing.assert_allclose(s2s.vmap(fn, in_axes=(0, None))(xs, A), [fn(x, A) for x in xs])


def test_vecdot_refuses_a_positive_axis_over_operands_of_different_ranks():
    with pytest.raises(NoDerivativeRuleError, match="vecdot.*negative axis"):
        s2s.grad(vecdot_positive_axis)(X, A)


def tensor_inverses(x):
    m = (np.outer(x[:4], x[2:]) * 0.3 + 4.0 * np.eye(4))
    w = np.arange(16.0).reshape(2, 2, 2, 2)
    return (np.sum(np.linalg.tensorinv(m.reshape(2, 2, 2, 2)) * w)
            + np.sum(np.linalg.tensorinv(m.reshape(4, 2, 2), ind=1) ** 2)
            + np.sum(np.linalg.tensorsolve(m.reshape(2, 2, 4), x[:4].reshape(2, 2)) ** 2))


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_tensorinv_and_tensorsolve(jit):
    """np.linalg.tensorinv / tensorsolve (parse/stand_in_linalg.py: inv and solve of the
    tensors as matrices): NumPy's values, gradients against central differences."""
    run = s2s.jit(tensor_inverses) if jit else s2s.jit(tensor_inverses).python()
    assert run(X) == pytest.approx(tensor_inverses(X), rel=1e-13)
    grad = s2s.jit(s2s.grad(tensor_inverses)) if jit else s2s.grad(tensor_inverses)
    np.testing.assert_allclose(grad(X), central_difference(tensor_inverses, (X,), 0), rtol=1e-6, atol=1e-9)
