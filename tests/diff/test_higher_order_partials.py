"""Second and higher derivatives through np.prod, np.linalg.norm and np.einsum (whose
gradients call the helpers prod_partials, norm_grad and einsum_vjp<k>): Hessians against
central differences of the gradient, symmetric, equal by every composition (jacfwd of
jacrev, jacrev of jacfwd, jacrev of grad), jvp and vjp of the gradient transposes of each
other, third derivatives against differences of the Hessian -- in Python, and compiled with
numba where NumPy-under-numba runs the function (prod without axis, 2-norms and p-norms of
vectors; numba has no einsum)."""
import numpy as np
import pytest

import s2s
from s2s.errors import NoDerivativeRuleError

EPS = 1e-6


def prod_all(x):
    return np.prod(x) * 1.5 + np.sin(x.prod())


def prod_axes(A):
    return np.sum(np.sin(np.prod(A, axis=1))) + np.sum(np.prod(A, axis=0, keepdims=True) * A)


def prod_tuple_axis(B):
    return np.sum(np.prod(B, axis=(0, 2)) ** 2) + np.prod(B[0], axis=-1) @ np.ones(3)


def norm_vector(x):
    return np.linalg.norm(x) + 0.5 * np.linalg.norm(x, 3) + np.linalg.norm(x, 1.5) ** 2


def norm_axes(A):
    return (np.sum(np.log(np.linalg.norm(A, axis=1))) + np.linalg.norm(A, "fro")
            + np.sum(np.linalg.norm(A, 3, 0, True) * A) + np.linalg.norm(A, np.inf, 1) @ np.ones(3))


def norm_nuclear(A):
    return np.linalg.norm(A, "nuc") + np.linalg.norm(A @ A.T, "nuc") * 0.1


def einsums(A, x):
    return (np.einsum("i,ki,kj->", x, A, A[:, :3]) * np.einsum("i,i->", x, x) + np.einsum("ii->", A[:, :3]) ** 2
            + np.sum(np.einsum("ij,kj->ik", A, A) ** 2) + np.sum(np.einsum("ij->i", A) ** 3))


def _x34(rng):
    return rng.uniform(0.5, 1.5, (3, 4)) * np.array([1.0, -1.0, 1.0, -1.0])


# (function, make arguments)
CASES = {
    "prod_all": (prod_all, lambda rng: (rng.uniform(0.5, 1.5, 5) * [1, -1, 1, 1, -1],)),
    "prod_axes": (prod_axes, lambda rng: (_x34(rng),)),
    "prod_tuple_axis": (prod_tuple_axis, lambda rng: (rng.uniform(0.5, 1.5, (2, 3, 2)),)),
    "norm_vector": (norm_vector, lambda rng: (rng.uniform(-1, 1, 5),)),
    "norm_axes": (norm_axes, lambda rng: (rng.uniform(-1, 1, (3, 4)),)),
    "norm_nuclear": (norm_nuclear, lambda rng: (rng.uniform(-1, 1, (3, 4)),)),
    "einsums": (einsums, lambda rng: (rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, 4))),
}
PARAMS = [pytest.param(name, i, id=f"{name}-arg{i}") for name, (fn, make) in CASES.items()
          for i in range(len(make(np.random.default_rng(0))))]


def _args(name):
    return CASES[name][1](np.random.default_rng(len(name)))


def _fd_jacobian(fn, args, argnum):
    """Central differences of fn (array-valued) in argument argnum: out.shape + in.shape."""
    x = np.asarray(args[argnum], dtype=float)
    cols = []
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = EPS
        up, down = list(args), list(args)
        up[argnum], down[argnum] = x + e.reshape(x.shape), x - e.reshape(x.shape)
        cols.append((np.asarray(fn(*up)) - np.asarray(fn(*down))) / (2 * EPS))
    return np.stack(cols, -1).reshape(np.shape(cols[0]) + x.shape)


@pytest.mark.parametrize("name, argnum", PARAMS)
def test_hessian_against_differences_and_every_composition(name, argnum):
    fn, args = CASES[name][0], _args(name)
    H = s2s.hessian(fn, argnums=argnum)(*args)
    n = np.size(args[argnum])
    np.testing.assert_allclose(H, _fd_jacobian(s2s.grad(fn, argnums=argnum), args, argnum), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(H.reshape(n, n), H.reshape(n, n).T, rtol=1e-10, atol=1e-12)  # symmetric
    for outer, inner in ((s2s.jacfwd, s2s.jacrev), (s2s.jacrev, s2s.jacfwd), (s2s.jacrev, s2s.grad)):
        other = outer(inner(fn, argnums=argnum), argnums=argnum)(*args)
        np.testing.assert_allclose(other, H, rtol=1e-10, atol=1e-12, err_msg=f"{outer.__name__}({inner.__name__})")


@pytest.mark.parametrize("name, argnum", PARAMS)
def test_jvp_and_vjp_of_the_gradient_are_transposes(name, argnum):
    """forward-over-reverse (the JVP rules of the helpers) against reverse-over-reverse (their
    VJP rules): <u, J_g v> == <J_g^T u, v> for g = grad(f)."""
    fn, args = CASES[name][0], _args(name)
    g = s2s.grad(fn, argnums=argnum)
    rng = np.random.default_rng(11)
    v, u = (rng.standard_normal(np.shape(args[argnum])) for _ in range(2))
    tangents = tuple(v if i == argnum else np.zeros(np.shape(a)) for i, a in enumerate(args))
    _, jv = s2s.jvp(g, args, tangents)
    _, vjp_fn = s2s.vjp(g, *args)
    assert np.isclose(np.sum(u * jv), np.sum(vjp_fn(u)[argnum] * v), rtol=1e-10, atol=1e-12)


def compiled_mix(x):
    # np.sum: a result of rank 0 for rank inference, so hessian is jacfwd(grad) (less to compile)
    return np.sum(np.prod(x) + np.linalg.norm(x))


@pytest.mark.parametrize("zeros", [(), (2,), (0, 3)])
def test_compiled_hessian_equals_python(zeros):
    """jit(hessian) runs the numba forms of the helpers and of their JVP rules (their VJP
    rules compiled: test_rules_partials.py) -- with zeros in the product too."""
    x = np.array([0.7, -1.3, 2.0, 0.9, 1.1])
    x[list(zeros)] = 0.0
    H = s2s.hessian(compiled_mix)(x)
    if not zeros:
        np.testing.assert_allclose(H, _fd_jacobian(s2s.grad(compiled_mix), (x,), 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s2s.jit(s2s.hessian(compiled_mix))(x), H, rtol=1e-10, atol=1e-12)


def prod_rows(A):
    return np.sum(np.sin(np.prod(A, axis=1)))


def norm_rows(A):
    return np.sum(np.linalg.norm(A, 3, 1) ** 2)


def einsum_cubic(x, A):
    return np.einsum("i,ij,j->", x, A, x) * np.einsum("i,i->", x, x)


THIRD = {"prod_all": (prod_all, (np.array([0.7, -1.3, 2.0, 0.9]),)),
         "prod_rows": (prod_rows, (np.array([[0.7, -1.3, 0.0], [2.0, 0.9, 1.1]]),)),
         "norm_vector": (norm_vector, (np.array([0.3, -0.5, 0.8]),)),
         "norm_rows": (norm_rows, (np.array([[0.3, -0.5, 0.8], [1.0, 0.2, -0.4]]),)),
         "einsum_cubic": (einsum_cubic, (np.array([0.3, -0.5, 0.8]), np.arange(9.0).reshape(3, 3) / 9))}


@pytest.mark.parametrize("name", THIRD)
def test_third_derivatives_against_differences_of_the_hessian(name):
    fn, args = THIRD[name]
    T = s2s.jacfwd(s2s.hessian(fn))(*args)
    np.testing.assert_allclose(T, _fd_jacobian(s2s.hessian(fn), args, 0), rtol=1e-5, atol=1e-6)
    n = np.size(args[0])
    for perm in ((1, 0, 2), (0, 2, 1), (2, 1, 0)):  # symmetric in its three indices
        np.testing.assert_allclose(T.reshape(n, n, n), T.reshape(n, n, n).transpose(perm), rtol=1e-9, atol=1e-11)


def _prod_hessian(x):
    """d2 prod(x) / dx_i dx_k = prod of the others (0 on the diagonal), by definition."""
    n = x.size
    return np.array([[0.0 if i == k else np.prod(np.delete(x, [i, k])) for k in range(n)] for i in range(n)])


@pytest.mark.parametrize("zeros", [(2,), (0, 3), (0, 1, 4)])
def test_prod_hessian_is_exact_with_zeros(zeros):
    x = np.array([0.7, -1.3, 2.0, 0.9, 1.1])
    x[list(zeros)] = 0.0
    np.testing.assert_allclose(s2s.hessian(np.prod)(x), _prod_hessian(x), rtol=1e-13, atol=1e-15)
    A = np.stack([x, x[::-1]])  # along an axis: one Hessian block per row
    H = s2s.hessian(lambda A: np.sum(np.prod(A, axis=1)))(A)
    np.testing.assert_allclose(H[0, :, 0, :], _prod_hessian(x), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(H[1, :, 1, :], _prod_hessian(x[::-1]), rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(H[0, :, 1, :], 0.0)


def test_prod_third_derivative_is_exact_with_zeros():
    def third(x):  # d3 prod / dx_i dx_k dx_l = prod of the other elements for distinct i, k, l
        n = x.size
        return np.array([[[np.prod(np.delete(x, [i, k, m])) if len({i, k, m}) == 3 else 0.0 for m in range(n)]
                          for k in range(n)] for i in range(n)])
    for zeros in ((1,), (0, 3), (0, 2, 3)):
        x = np.array([0.7, -1.3, 2.0, 0.9])
        x[list(zeros)] = 0.0
        np.testing.assert_allclose(s2s.jacfwd(s2s.hessian(np.prod))(x), third(x), atol=1e-15)


def test_fourth_derivative_of_an_einsum_third_of_a_product():
    """Forms that close over their helpers: derivatives of any order exist."""
    x = np.array([0.3, -0.2, 0.5])
    d4 = s2s.grad(s2s.grad(s2s.grad(s2s.grad(lambda t: np.einsum("i,i->", t * x, t * x) ** 2))))(0.7)
    np.testing.assert_allclose(d4, 24 * np.sum(x * x) ** 2, rtol=1e-10)
    d3 = s2s.grad(s2s.grad(s2s.grad(lambda t: np.prod(t * x + 1.0))))(0.7)  # a cubic in t
    np.testing.assert_allclose(d3, 6 * np.prod(x), rtol=1e-10)


def test_nuclear_norm_stops_at_the_second_derivative():
    A = np.random.default_rng(2).uniform(-1, 1, (3, 4))
    with pytest.raises(NoDerivativeRuleError, match="nuclear norm"):
        s2s.jacfwd(s2s.hessian(norm_nuclear))(A)
