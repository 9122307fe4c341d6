"""End to end: user functions calling np.linalg decompositions (slogdet, cholesky, eigh,
eigvalsh, eig, eigvals, svd, pinv, matrix_power, qr) and the list-valued np.split family, under s2s.grad
(Python and s2s.jit), jacfwd, hessian and vmap, against central finite differences. The
tuple-valued results are unpacked (`w, v = np.linalg.eigh(a)`), indexed, or partly unused."""
import numpy as np
import pytest

import s2s
from s2s.errors import NoDerivativeRuleError


# ---------------------------------------------------------------- user functions
def eigh_both(a):
    w, v = np.linalg.eigh(a)
    return np.sum(w * w) + np.sum(v[:, 0] ** 2 * np.arange(3.0)) + np.sum(v[:, 2] * v[:, 1])


def eigh_values_only(a):
    w, v = np.linalg.eigh(a @ a.T)
    return w[2] - w[0]


def eig_general(a):
    """Complex eigenvalues and eigenvectors of a real matrix; functions of their real and
    imaginary parts see NumPy's normalization (unit norm, largest component real)."""
    w, v = np.linalg.eig(a)
    return np.sum(np.abs(w) ** 2 * np.real(w)) + np.sum(np.real(v) * np.arange(1.0, 4.0)[:, None]) \
        + np.sum(np.imag(v[0]) ** 2)


def eigvals_spectrum(a):
    w = np.linalg.eigvals(a @ a + a)
    return np.sum(np.real(w) ** 3 + np.imag(w) ** 2)


def eig_complex_input(a):
    """Under jit: numba's eig refuses a real matrix with complex eigenvalues; a complex one works."""
    w, v = np.linalg.eig(a + 0j)
    return np.sum(np.imag(w) ** 2) + np.sum(np.abs(v[:, 0]) ** 3) + np.real(np.sum(w))


def eig_real_spectrum(a):
    w, v = np.linalg.eig(a)
    return np.sum(w ** 3) + np.sum(v[:, 0] * v[:, 2] * np.arange(3.0))


def eigvalsh_of_gram(a):
    return np.sum(np.sqrt(np.linalg.eigvalsh(a.T @ a + np.eye(3))))


def slogdet_value(a):
    sign, logdet = np.linalg.slogdet(a)
    return logdet * sign


def svd_all(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(s ** 2) + np.sum(u[:, 0] * u[:, 1] ** 2) + np.sum(vh[0] * vh[1])


def svd_values(a):
    return np.sum(np.linalg.svd(a, compute_uv=False) ** 3)


def cholesky_loss(a):
    chol = np.linalg.cholesky(a @ a.T + 3.0 * np.eye(a.shape[0]))
    return np.sum(chol * chol[::-1]) + np.sum(np.log(np.diag(chol)))


def pinv_loss(a):
    return np.sum(np.linalg.pinv(a) ** 2)


def matrix_powers(a):
    b = np.linalg.matrix_power(a, 3)
    c = np.linalg.matrix_power(a, -2)
    d = np.linalg.matrix_power(a, 0)
    return np.sum(b * b) + np.sum(np.sin(c)) + np.sum(d * a)


def qr_loss(a):
    q, r = np.linalg.qr(a)
    return np.sum(q[:, 0] * q[:, 1]) + np.sum(r ** 2) + np.sum(np.linalg.qr(a, mode="r"))


def split_loss(x):
    a, b, c = np.split(x, [1, 3], axis=1)
    return np.sum(a * b[:, :1]) + np.sum(np.sin(c))


def split_family(x):
    p = np.array_split(x, 3)
    q = np.hsplit(x, 2)
    r = np.vsplit(x, [1])
    return np.sum(p[2] ** 2) + np.sum(q[1] * q[0]) + np.sum(r[1] ** 3)


def combined(a):
    """Most of the above in one function."""
    w, v = np.linalg.eigh(a + a.T)
    sign, logdet = np.linalg.slogdet(a)
    u, s, vh = np.linalg.svd(a)
    q, r = np.linalg.qr(a)
    chol = np.linalg.cholesky(a @ a.T + np.eye(3))
    first, rest = np.split(a, [1])
    return (np.sum(w * v[0]) + logdet + np.sum(s * u[0] * vh[:, 1]) + np.sum(q[0] * r[1])
            + np.sum(chol * chol) + np.sum(np.linalg.pinv(a)) + np.sum(np.linalg.eigvalsh(a @ a.T))
            + np.sum(first * rest[1]))


def combined_compiled(a):
    """The decompositions whose rules test_rules_decompositions does not compile (eigh, svd,
    qr): numba takes about a minute over all of `combined`."""
    w, v = np.linalg.eigh(a + a.T)
    u, s, vh = np.linalg.svd(a)
    q, r = np.linalg.qr(a)
    return np.sum(w * v[0]) + np.sum(s * u[0] * vh[:, 1]) + np.sum(q[0] * r[1])


def eigh_in_a_loop(a, steps):
    total = 0.0
    for _ in range(steps):
        w, v = np.linalg.eigh(a)
        total = total + np.sum(w * v[0])
        a = a + 0.1 * np.tanh(a)
    return total


def stacked_linalg(a):
    """Stacks of matrices (a is (2, 3, 3)): every decomposition maps over the leading axis
    (under jit too: runtime_numba_stacked.py)."""
    s = a @ np.swapaxes(a, -1, -2) + 3.0 * np.eye(3)
    w, v = np.linalg.eigh(s)
    sign, logdet = np.linalg.slogdet(a + 2.0 * np.eye(3))
    u, sv, vh = np.linalg.svd(a, full_matrices=False)
    q, r = np.linalg.qr(a)
    return (np.sum(w ** 2) + np.sum(v[..., 0] ** 2 * np.arange(3.0)) + np.sum(logdet * sign)
            + np.sum(np.linalg.det(a) ** 2) + np.sum(np.linalg.inv(s)) + np.sum(np.linalg.cholesky(s) ** 2)
            + np.sum(sv ** 3) + np.sum(u[..., 0] * vh[..., 0, :]) + np.sum(np.linalg.solve(s, a))
            + np.sum(np.linalg.solve(s[0], a)) + np.sum(r * r)
            + np.sum(np.linalg.eigvalsh(s) ** 3) + np.sum(np.linalg.pinv(a) ** 2)
            + np.sum(np.linalg.matrix_power(s, 2)) + np.sum(np.linalg.svd(a, compute_uv=False)))


def stacked_uncovered(a):
    """The stacked forms that tests/diff/test_rules_decompositions.py does not compile (it
    runs eigh, eigvalsh, slogdet, cholesky, svd and qr of stacks under numba)."""
    s = a @ np.swapaxes(a, -1, -2) + 3.0 * np.eye(3)
    return (np.sum(np.linalg.det(a) ** 2) + np.sum(np.linalg.inv(s)) + np.sum(np.linalg.solve(s[0], a))
            + np.sum(np.linalg.pinv(a) ** 2) + np.sum(np.linalg.matrix_power(s, 2))
            + np.sum(np.linalg.svd(a, compute_uv=False)))


def stacked_small(a):
    """The derivative code of a few of them under jit (each one's rule is compiled for stacks
    in tests/diff/test_rules_decompositions.py)."""
    s = a @ np.swapaxes(a, -1, -2) + 3.0 * np.eye(3)
    sign, logdet = np.linalg.slogdet(a)
    return np.sum(np.linalg.eigvalsh(s) ** 2) + np.sum(logdet) + np.sum(np.linalg.solve(s, a))


def solves_broadcasting(a):
    """np.linalg.solve with b shared by a stack (a matrix, or -- NumPy 2 -- a vector for every
    matrix), a stack of b for one matrix, and matching stacks."""
    s = a + 3.0 * np.eye(3)
    return (np.sum(np.linalg.solve(s, a[0]) ** 2) + np.sum(np.linalg.solve(s, a[0, 0]) ** 3)
            + np.sum(np.linalg.solve(s[1], a) ** 2) + np.sum(np.linalg.solve(s, a * a)))


def slogdet_pair(a):
    return np.linalg.slogdet(a)


def svd_full_tall(a):
    u, s, vh = np.linalg.svd(a)
    return np.sum(s)


def eigh_upper(a):
    w, v = np.linalg.eigh(a, UPLO="U")
    return np.sum(np.linalg.eigvalsh(a, "U") ** 3) + np.sum(w * v[:, 0] ** 2)


def cholesky_upper(a):
    return np.sum(np.linalg.cholesky(a @ a.T, upper=True))


def qr_complete(a):
    q, r = np.linalg.qr(a, mode="complete")
    return np.sum(r)


# ---------------------------------------------------------------- inputs
def _square(seed=0, n=3):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, n)) + 2.0 * np.eye(n)


def _symmetric(seed=0):
    b = np.random.default_rng(seed).uniform(-1, 1, (3, 3))
    return b + b.T + np.diag([0.0, 1.0, 3.0])


def _rotating(seed=0):
    """Eigenvalues 1 +- 1.5i and -2 (well separated), in a random basis."""
    rng = np.random.default_rng(seed)
    q = np.linalg.qr(rng.uniform(-1, 1, (3, 3)))[0]
    return q @ np.array([[1.0, -1.5, 0.0], [1.5, 1.0, 0.0], [0.0, 0.0, -2.0]]) @ q.T + 0.1 * rng.uniform(-1, 1, (3, 3))


def _tall(seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (4, 3)) + np.eye(4, 3)


def _wide(seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (3, 5)) + np.eye(3, 5)


def _split_input(seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (4, 4))


CASES = [
    (eigh_both, _symmetric),
    (eig_general, _rotating),
    (eig_general, _symmetric),
    (eigvals_spectrum, _rotating),
    (eigh_values_only, _square),
    (eigvalsh_of_gram, _tall),
    (slogdet_value, _square),
    (svd_all, _tall),
    (svd_values, _tall),
    (cholesky_loss, _tall),
    (pinv_loss, _tall),
    (matrix_powers, _square),
    (qr_loss, _tall),
    (qr_loss, _wide),
    (split_loss, _split_input),
    (split_family, _split_input),
]
IDS = [f"{f.__name__}-{make.__name__[1:]}" for f, make in CASES]


def finite_differences(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def close(got, want, tol=1e-6):
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * max(1.0, np.max(np.abs(want))))


# ---------------------------------------------------------------- tests
@pytest.mark.parametrize("f, make", CASES, ids=IDS)
def test_grad_and_jacfwd_match_finite_differences(f, make):
    x = make()
    want = finite_differences(f, x)
    close(s2s.grad(f)(x), want)
    close(s2s.jacfwd(f)(x), want)


def test_jit_grad_matches_finite_differences():
    x = _square(1)
    close(s2s.grad(combined)(x), finite_differences(combined, x))
    close(s2s.jit(s2s.grad(combined_compiled))(x), finite_differences(combined_compiled, x))


def test_eig_under_jit():
    """Real spectra compile as they are; complex ones through a complex matrix (numba)."""
    x = _rotating(3)
    close(s2s.jit(s2s.grad(eig_complex_input))(x), finite_differences(eig_complex_input, x))
    close(s2s.jit(s2s.jacfwd(eig_complex_input))(x), finite_differences(eig_complex_input, x))
    s = _symmetric(3)
    close(s2s.jit(s2s.grad(eig_real_spectrum))(s), finite_differences(eig_real_spectrum, s))


def test_solve_with_a_broadcast_right_hand_side():
    x = np.random.default_rng(6).uniform(-1, 1, (2, 3, 3))
    want = finite_differences(solves_broadcasting, x)
    close(s2s.grad(solves_broadcasting)(x), want)
    close(s2s.jacfwd(solves_broadcasting)(x), want)
    # (compiled: the templates, by tests/diff/test_rules_linalg.py's solve-batch-shared rows)


def solve_vector_cubed(a):
    return np.sum(np.linalg.solve(a + 3.0 * np.eye(3), a[0, 0]) ** 3)


def test_hessian_of_solve_with_a_vector_for_a_stack():
    """Forward over reverse: the VJP function's twin knows its arguments' ranks, so the
    solve of a vector b takes the vector template (the matrix one gave a wrong Hessian
    when, as here, the batch size equals the matrix size)."""
    x = np.random.default_rng(7).uniform(-1, 1, (3, 3, 3)) + 2.0 * np.eye(3)
    grad = s2s.grad(solve_vector_cubed)
    want = np.stack([finite_differences(lambda y, i=i: grad(y).ravel()[i], x).ravel() for i in range(x.size)])
    close(s2s.hessian(solve_vector_cubed)(x).reshape(x.size, x.size), want, 1e-5)


def test_stacked_matrices_under_jit():
    x = np.random.default_rng(5).uniform(-1, 1, (2, 3, 3)) + 2.0 * np.eye(3)
    close(s2s.jit(stacked_uncovered)(x), stacked_uncovered(x), 1e-12)
    close(s2s.grad(stacked_linalg)(x), finite_differences(stacked_linalg, x))
    close(s2s.jit(s2s.grad(stacked_small))(x), finite_differences(stacked_small, x))


@pytest.mark.parametrize("f, make", [c for c in CASES if c[0].__name__ in
                                      ("eigh_both", "svd_all", "matrix_powers", "cholesky_loss", "qr_loss")]
                         + [(eig_general, _rotating)],
                         ids=["eigh", "svd", "matrix_power", "cholesky", "qr", "qr-wide", "eig"])
def test_hessian_matches_finite_differences_of_the_gradient(f, make):
    """Second derivatives: reverse over the rules' own derivative code (the helpers' rules)."""
    x = make(2)
    grad = s2s.grad(f)
    h = s2s.hessian(f)(x)
    n = x.size
    want = np.stack([finite_differences(lambda y, i=i: grad(y).ravel()[i], x).ravel() for i in range(n)])
    close(h.reshape(n, n), want, 1e-5)


def test_loop_tapes_the_tuple_results():
    a = _symmetric(3)
    f = lambda x: eigh_in_a_loop(x, 3)  # noqa: E731
    close(s2s.grad(eigh_in_a_loop)(a, 3), finite_differences(f, a))


def test_a_returned_tuple_has_a_tuple_jacobian():
    a = _square(4)
    sign_jac, logdet_jac = s2s.jacfwd(slogdet_pair)(a)
    np.testing.assert_array_equal(sign_jac, np.zeros((3, 3)))
    close(logdet_jac, np.linalg.inv(a).T)
    _, logdet_rev = s2s.jacrev(slogdet_pair)(a)
    close(logdet_rev, np.linalg.inv(a).T)


@pytest.mark.parametrize("f, make", [CASES[0], CASES[7], CASES[12], CASES[14]], ids=["eigh", "svd", "qr", "split"])
def test_vmap_stacks_the_examples(f, make):
    xs = np.stack([make(s) for s in range(3)])
    want = np.stack([f(x) for x in xs])
    close(s2s.vmap(f)(xs), want)
    grads = np.stack([s2s.grad(f)(x) for x in xs])
    close(s2s.vmap(s2s.grad(f))(xs), grads)


def test_jit_of_vmap():
    xs = np.stack([_symmetric(s) for s in range(3)])
    close(s2s.jit(s2s.vmap(eigh_both))(xs), np.stack([eigh_both(x) for x in xs]))


@pytest.mark.parametrize("uplo", ["L", "U"])
@pytest.mark.parametrize("shape", [(5, 5), (3, 4, 4)], ids=["matrix", "stack"])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_jitted_eigh_returns_numpys_eigenvectors(uplo, shape, dtype):
    """The eigenvectors' signs (phases) are LAPACK's choice for the triangle it reads: under
    jit they must be NumPy's, or any function of v has another value (here a non-symmetric
    input, so each triangle gives another problem)."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal(shape)
    if dtype is np.complex128:
        x = x + 1j * rng.standard_normal(shape)
    w, v = s2s.jit(lambda a: np.linalg.eigh(a, uplo))(x)
    wn, vn = np.linalg.eigh(x, uplo)
    close(w, wn, 1e-12)
    close(v, vn, 1e-12)
    close(s2s.jit(lambda a: np.linalg.eigvalsh(a, UPLO=uplo))(x), wn, 1e-12)


def signed_eigenvectors_upper(a):
    w, v = np.linalg.eigh(a, "U")
    return np.sum(v * np.arange(1.0, 1.0 + a.size).reshape(a.shape))


def test_grad_of_signed_eigenvectors_of_the_upper_triangle_under_jit():
    x = _symmetric(4)
    want = finite_differences(signed_eigenvectors_upper, x)
    close(s2s.jit(signed_eigenvectors_upper)(x), signed_eigenvectors_upper(x), 1e-12)
    close(s2s.grad(signed_eigenvectors_upper)(x), want)
    close(s2s.jit(s2s.grad(signed_eigenvectors_upper))(x), want)


def test_upper_triangle_of_eigh():
    """UPLO='U': LAPACK reads the upper triangle; a non-symmetric input shows which."""
    x = _square(3)
    want = finite_differences(eigh_upper, x)
    close(s2s.grad(eigh_upper)(x), want)
    close(s2s.jacfwd(eigh_upper)(x), want)
    close(s2s.jit(s2s.grad(eigh_upper))(x), want)
    assert np.all(np.tril(want, -1) == 0.0)


@pytest.mark.parametrize("f, what", [(cholesky_upper, "upper=True"), (qr_complete, "mode='complete'")])
def test_unsupported_variants_are_refused(f, what):
    with pytest.raises(NoDerivativeRuleError, match=what):
        s2s.grad(f)(_square())


def test_svd_full_matrices_of_a_non_square_matrix_is_refused_at_run_time():
    with pytest.raises(ValueError, match="full_matrices=False"):
        s2s.grad(svd_full_tall)(_tall())


# ---------------------------------------------------------------- complex Hermitian input
def _hermitian(seed=0):
    rng = np.random.default_rng(seed)
    b = rng.uniform(-1, 1, (3, 3)) + 1j * rng.uniform(-1, 1, (3, 3))
    return b @ b.conj().T + 3.0 * np.eye(3)


def eigh_phase_invariant(h):
    w, v = np.linalg.eigh(h)
    # |v|^2 does not depend on each eigenvector's phase (LAPACK's is not the rule's)
    return np.sum(w ** 2 * np.array([1.0, 2.0, 3.0])) + np.sum(np.abs(v[0, :]) ** 2 * w)


def eigh_upper_values(h):
    w, v = np.linalg.eigh(h, UPLO="U")
    return np.sum(np.sin(w)) + np.sum(np.abs(v[1, :]) ** 2 * w)


def eigvalsh_values(h):
    return np.sum(np.linalg.eigvalsh(h) ** 3)


def cholesky_entries(h):
    low = np.linalg.cholesky(h)
    return np.sum(np.real(low) * np.arange(9.0).reshape(3, 3)) + np.sum(np.imag(low) ** 2)


def complex_finite_differences(f, z, eps=1e-6):
    """df/dx - i df/dy per entry: the gradient of a real function of complex input (JAX's)."""
    g = np.zeros_like(z)
    for i in np.ndindex(z.shape):
        e = np.zeros_like(z)
        e[i] = eps
        g[i] = (f(z + e) - f(z - e)) / (2 * eps) - 1j * (f(z + 1j * e) - f(z - 1j * e)) / (2 * eps)
    return g


HERMITIAN = [eigh_phase_invariant, eigh_upper_values, eigvalsh_values, cholesky_entries]


@pytest.mark.parametrize("f", HERMITIAN, ids=[f.__name__ for f in HERMITIAN])
def test_hermitian_input_matches_finite_differences(f):
    h = _hermitian(4)
    want = complex_finite_differences(f, h)
    close(s2s.grad(f)(h), want)
    direction = np.random.default_rng(1).standard_normal((3, 3)) * (1 + 0.5j)
    close(s2s.jvp(f, (h,), (direction,))[1], np.sum(np.real(want * direction)))


@pytest.mark.parametrize("f", [eigh_phase_invariant, cholesky_entries], ids=["eigh", "cholesky"])
def test_hermitian_input_under_jit(f):
    h = _hermitian(5)
    close(s2s.jit(s2s.grad(f))(h), complex_finite_differences(f, h))
