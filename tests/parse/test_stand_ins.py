"""scipy.stats distributions' methods, scipy.linalg functions and NumPy functions without a rule
inside transformed code (parse/stand_ins.py and the NumPy sources of parse/stand_in_stats.py,
stand_in_linalg.py, stand_in_numpy.py): values against scipy/NumPy themselves, gradients
against central differences, in Python and compiled."""
import math

import numpy as np
import pytest

stats = pytest.importorskip("scipy.stats")

import s2s  # noqa: E402
from s2s.errors import NoDerivativeRuleError  # noqa: E402

X = np.array([0.3, -1.2, 2.0, 0.7])
POS = np.array([0.3, 1.2, 2.0, 0.7])
UNIT = np.array([0.15, 0.5, 0.8, 0.35])
COUNTS = np.array([0.0, 2.0, 5.0, 1.0])
COV = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 1.5]])
POINTS = np.array([[0.1, 0.4, -0.3], [1.0, -0.3, 0.2]])
SIMPLEX = np.array([0.2, 0.5, 0.3])

# (name, method, data, params): the method is called as method(data, *params); the gradient
# is taken w.r.t. the data (where it is differentiable) and every parameter.
CASES = [
    ("norm.logpdf", stats.norm.logpdf, X, (0.4, 1.3)),
    ("norm.pdf", stats.norm.pdf, X, (0.4, 1.3)),
    ("norm.cdf", stats.norm.cdf, X, (0.4, 1.3)),
    ("norm.logcdf", stats.norm.logcdf, X, (0.4, 1.3)),
    ("norm.sf", stats.norm.sf, X, (0.4, 1.3)),
    ("norm.logsf", stats.norm.logsf, X, (0.4, 1.3)),
    ("norm.ppf", stats.norm.ppf, UNIT, (0.4, 1.3)),
    ("norm.isf", stats.norm.isf, UNIT, (0.4, 1.3)),
    ("t.logpdf", stats.t.logpdf, X, (3.5, 0.2, 0.8)),
    ("t.pdf", stats.t.pdf, X, (2.5,)),
    ("cauchy.logpdf", stats.cauchy.logpdf, X, (0.1, 0.9)),
    ("cauchy.cdf", stats.cauchy.cdf, X, (0.1, 0.9)),
    ("logistic.logpdf", stats.logistic.logpdf, X, (0.1, 0.9)),
    ("logistic.cdf", stats.logistic.cdf, X, (0.1, 0.9)),
    ("laplace.logpdf", stats.laplace.logpdf, X, (0.1, 0.9)),
    ("laplace.cdf", stats.laplace.cdf, X, (0.1, 0.9)),
    ("expon.logpdf", stats.expon.logpdf, POS, (0.1, 0.9)),
    ("expon.cdf", stats.expon.cdf, POS, (0.1, 0.9)),
    ("gamma.logpdf", stats.gamma.logpdf, POS, (2.5, 0.05, 1.4)),
    ("gamma.pdf", stats.gamma.pdf, POS, (1.5,)),
    ("gamma.cdf", stats.gamma.cdf, POS, (2.5,)),  # d/da is refused: not in the table of params
    ("beta.logpdf", stats.beta.logpdf, UNIT, (2.5, 1.5)),
    ("beta.pdf", stats.beta.pdf, UNIT, (0.7, 3.0)),
    ("poisson.logpmf", stats.poisson.logpmf, COUNTS, (2.5,)),
    ("poisson.pmf", stats.poisson.pmf, COUNTS, (2.5,)),
    ("multivariate_normal.logpdf", stats.multivariate_normal.logpdf, POINTS, (np.array([0.1, 0.0, -0.2]), COV)),
    ("multivariate_normal.pdf-one-point", stats.multivariate_normal.pdf, POINTS[0], (np.zeros(3), COV)),
    ("dirichlet.logpdf", stats.dirichlet.logpdf, SIMPLEX, (np.array([1.5, 2.0, 3.0]),)),
    ("t.cdf", stats.t.cdf, X, (3.5, 0.2, 0.8)),
    ("t.logcdf", stats.t.logcdf, X, (2.5,)),
    ("t.sf", stats.t.sf, X, (4.5, -0.1, 1.2)),
    ("t.logsf", stats.t.logsf, X, (2.5,)),
    ("chi2.logpdf", stats.chi2.logpdf, POS, (3.0, -0.1, 1.3)),
    ("chi2.pdf", stats.chi2.pdf, POS, (2.5,)),
    ("chi2.cdf", stats.chi2.cdf, POS, (3.0,)),
    ("chi2.logcdf", stats.chi2.logcdf, POS, (1.5,)),
    ("chi2.sf", stats.chi2.sf, POS, (3.0, 0.1, 1.2)),
    ("chi2.logsf", stats.chi2.logsf, POS, (4.0,)),
    ("beta.cdf", stats.beta.cdf, UNIT, (2.5, 1.5)),
    ("beta.sf", stats.beta.sf, UNIT, (0.7, 3.0)),
    ("poisson.cdf", stats.poisson.cdf, COUNTS + 0.5, (2.5,)),
    ("poisson.sf", stats.poisson.sf, COUNTS, (1.5,)),
    ("poisson.logcdf", stats.poisson.logcdf, COUNTS, (3.5,)),
]
NOT_IN_DATA = {"poisson.logpmf", "poisson.pmf", "dirichlet.logpdf", "poisson.cdf", "poisson.sf",
               "poisson.logcdf"}  # counts; a point of the simplex
# (refused by the rules of scipy.special: gammainc's a, betainc's a and b, stdtr's df)
NOT_IN_PARAM = {"gamma.cdf": {0}, "t.cdf": {0}, "t.logcdf": {0}, "t.sf": {0}, "t.logsf": {0}, "chi2.cdf": {0},
                "chi2.logcdf": {0}, "chi2.sf": {0}, "chi2.logsf": {0}, "beta.cdf": {0, 1}, "beta.sf": {0, 1}}


def _central(f, args, i, eps=1e-6):
    x = np.asarray(args[i], dtype=float)
    out = np.zeros(x.shape)
    for k in range(x.size):
        e = np.zeros(x.shape)
        e.flat[k] = eps
        hi, lo = list(args), list(args)
        hi[i], lo[i] = x + e if x.ndim else float(x + e), x - e if x.ndim else float(x - e)
        out.flat[k] = (f(*hi) - f(*lo)) / (2 * eps)
    return out


def _loss(method, n):
    """sum(method(data, *params) ** 2) with n named parameters (s2s wants them named); the
    bound method is read from the closure."""
    def loss1(data, a):
        return np.sum(method(data, a) ** 2)

    def loss2(data, a, b):
        return np.sum(method(data, a, b) ** 2)

    def loss3(data, a, b, c):
        return np.sum(method(data, a, b, c) ** 2)
    return (loss1, loss2, loss3)[n - 1]


@pytest.mark.parametrize("name, method, data, params", CASES, ids=[c[0] for c in CASES])
def test_value_and_gradient(name, method, data, params):
    loss = _loss(method, len(params))  # run as written, it calls scipy itself: the reference value
    argnums = tuple(i for i in range(1 + len(params))
                    if not (i == 0 and name in NOT_IN_DATA) and (i - 1) not in NOT_IN_PARAM.get(name, ()))
    value, grads = s2s.value_and_grad(loss, argnums=argnums)(data, *params)
    np.testing.assert_allclose(value, loss(data, *params), rtol=1e-12)
    for g, i in zip(grads, argnums):
        np.testing.assert_allclose(g, _central(loss, (data,) + params, i), rtol=1e-5, atol=1e-8, err_msg=f"arg {i}")


def model(theta, x, y, counts):
    """One program calling several stand-ins (one compile): a regression with Student-t and
    Gaussian terms, a gamma prior, a Poisson count model."""
    mu = theta[0] + theta[1] * x
    sigma = np.exp(theta[2])
    lp = np.sum(stats.norm.logpdf(y, mu, sigma)) + np.sum(stats.t.logpdf(y, 4.0, loc=mu))
    lp = lp + stats.gamma.logpdf(sigma, 2.0, scale=0.5) + np.sum(stats.poisson.logpmf(counts, np.exp(mu)))
    lp = lp + np.sum(stats.norm.logcdf(x, loc=theta[0])) + stats.multivariate_normal.logpdf(theta, np.zeros(3), COV)
    return lp


def entropy_of(a):
    return stats.multivariate_normal.entropy(np.zeros(3), a @ a.T + np.eye(3))


def test_multivariate_normal_entropy():
    a = COV[::-1] * 0.7
    np.testing.assert_allclose(s2s.jit(entropy_of)(a), entropy_of(a), rtol=1e-12)
    np.testing.assert_allclose(s2s.grad(entropy_of)(a), _central(entropy_of, (a,), 0), rtol=1e-6)
    np.testing.assert_allclose(s2s.jit(s2s.grad(entropy_of))(a), _central(entropy_of, (a,), 0), rtol=1e-6)


def newer_cdfs(theta, x):
    return (np.sum(stats.t.cdf(x, 3.5, theta[0], theta[1])) + np.sum(stats.chi2.logpdf(x * x + theta[2], 3.0))
            + np.sum(stats.beta.cdf(0.5 + 0.3 * np.tanh(x), 2.0, 3.0, theta[0])) + np.sum(stats.poisson.cdf(x + 3.0, theta[1])))


def test_newer_cdfs_compiled():
    theta = np.array([0.2, 1.3, 0.5])
    grad = s2s.jit(s2s.grad(newer_cdfs))
    np.testing.assert_allclose(grad(theta, X), _central(newer_cdfs, (theta, X), 0), rtol=1e-6, atol=1e-9)


def test_a_model_compiled_and_batched():
    theta = np.array([0.2, -0.4, 0.1])
    args = (theta, X, 0.5 * X + 0.3, COUNTS)
    want = _central(model, args, 0)
    np.testing.assert_allclose(s2s.grad(model)(*args), want, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(s2s.jit(s2s.grad(model))(*args), want, rtol=1e-5, atol=1e-8)
    thetas = np.stack([theta, theta * 0.5])
    per = s2s.vmap(s2s.grad(model), in_axes=(0, None, None, None))(thetas, *args[1:])
    np.testing.assert_allclose(per[1], s2s.grad(model)(thetas[1], *args[1:]), rtol=1e-12)


PRIOR = stats.norm(0.5, 2.0)
GAMMA = stats.gamma(2.0, scale=0.5)
STUDENT = stats.t(3.0)


def frozen(x):
    """Frozen distributions made outside: their parameters are constants (a partial of the stand-in)."""
    return np.sum(PRIOR.logpdf(x)) + np.sum(GAMMA.logpdf(np.exp(x))) + STUDENT.logpdf(x[0]) + np.sum(PRIOR.cdf(x))


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_frozen_distributions(compiled):
    g = s2s.grad(frozen)
    g = s2s.jit(g) if compiled else g
    np.testing.assert_allclose(g(X), _central(frozen, (X,), 0), rtol=1e-6, atol=1e-8)


def frozen_inside(x):
    return np.sum(stats.norm(x[0], 1.0).logpdf(x))


def test_a_distribution_frozen_inside_is_refused_by_name():
    with pytest.raises((NoDerivativeRuleError, s2s.errors.UnsupportedSyntaxError)):
        s2s.grad(frozen_inside)(X)


# -- scipy.linalg ---------------------------------------------------------------------------------
linalg = pytest.importorskip("scipy.linalg")
MAT = np.array([[0.9, -0.3, 0.2], [0.4, 1.1, -0.5], [-0.2, 0.3, 0.8]])
RHS = np.array([[0.5, -1.0], [0.2, 0.3], [1.5, 0.1]])

LINALG = [
    ("solve_triangular-lower", lambda a, b: linalg.solve_triangular(a, b, lower=True)),
    ("solve_triangular-upper-trans", lambda a, b: linalg.solve_triangular(a, b, trans=1)),
    ("solve_triangular-trans-C", lambda a, b: linalg.solve_triangular(a, b, trans="C", lower=True)),
    ("solve_triangular-trans-2", lambda a, b: linalg.solve_triangular(a, b, trans=2)),
    ("solve_triangular-unit", lambda a, b: linalg.solve_triangular(a, b, lower=True, unit_diagonal=True)),
    ("cholesky-upper", lambda a, b: linalg.cholesky(a @ a.T + np.eye(3)) @ b),
    ("cholesky-lower", lambda a, b: linalg.cholesky(a @ a.T + np.eye(3), lower=True) @ b),
    ("cho_solve", lambda a, b: linalg.cho_solve(linalg.cho_factor(a @ a.T + np.eye(3)), b)),
    ("cho_solve-lower", lambda a, b: linalg.cho_solve(linalg.cho_factor(a @ a.T + np.eye(3), lower=True), b)),
    ("solve", lambda a, b: linalg.solve(a, b)),
    ("inv-det", lambda a, b: linalg.inv(a) * linalg.det(a) @ b),
    ("expm", lambda a, b: linalg.expm(a) @ b),
    ("expm-scaled", lambda a, b: linalg.expm(6.0 * a) @ b),  # a norm that needs squaring
    # non-symmetric inputs: the triangle scipy reads decides the value and the gradient
    ("cholesky-reads-upper", lambda a, b: linalg.cholesky(a @ a.T + np.eye(3) + np.triu(a, 1)) @ b),
    ("cholesky-reads-lower", lambda a, b: linalg.cholesky(a @ a.T + np.eye(3) + np.triu(a, 1), lower=True) @ b),
    ("eigh", lambda a, b: linalg.eigh(a)[0] * np.abs(linalg.eigh(a)[1][:, 0]) @ b),
    ("eigh-upper-values", lambda a, b: linalg.eigh(a, lower=False, eigvals_only=True) @ b),
    ("eigvalsh", lambda a, b: linalg.eigvalsh(a + a.T) @ b),
    ("solve-assume-sym", lambda a, b: linalg.solve(a, b, assume_a="sym")),
    ("solve-assume-pos-lower", lambda a, b: linalg.solve(a @ a.T + np.eye(3) + np.tril(a), b, assume_a="pos",
                                                         lower=True)),
    ("solve_banded", lambda a, b: linalg.solve_banded((1, 1), a + np.array([[0.0], [3.0], [0.0]]), b)),
]


def _linalg_loss(fn):
    def loss(a, b):
        return np.sum(fn(a, b) ** 2)
    return loss


@pytest.mark.parametrize("name", [c[0] for c in LINALG])
def test_scipy_linalg_values_and_gradients(name):
    fn = dict(LINALG)[name]
    loss = _linalg_loss(fn)  # run as written: scipy itself
    value, (ga, gb) = s2s.value_and_grad(loss, argnums=(0, 1))(MAT, RHS)
    np.testing.assert_allclose(value, loss(MAT, RHS), rtol=1e-10)
    np.testing.assert_allclose(ga, _central(loss, (MAT, RHS), 0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(gb, _central(loss, (MAT, RHS), 1), rtol=1e-5, atol=1e-7)


def linalg_model(a, b):
    """Compiled: one stand-in (numba's linalg compiles slowly: jit(grad) of expm takes ~30 s)."""
    return np.sum(linalg.solve_triangular(a, b, lower=True) ** 2)


CMAT = MAT + 1j * np.array([[0.1, 0.4, -0.2], [-0.3, 0.2, 0.5], [0.6, -0.1, 0.3]])
COMPLEX_LINALG = [  # complex input: conjugate transposes where scipy reads a Hermitian matrix
    ("solve_triangular-trans-C", lambda a, b: linalg.solve_triangular(a, b, trans="C")),
    ("solve_triangular-trans-T", lambda a, b: linalg.solve_triangular(a, b, trans="T", lower=True)),
    ("cholesky-upper", lambda a, b: linalg.cholesky(a @ a.conj().T + np.eye(3)) @ b),
    ("cho_solve", lambda a, b: linalg.cho_solve(linalg.cho_factor(a @ a.conj().T + np.eye(3)), b)),
    ("cho_solve-lower", lambda a, b: linalg.cho_solve(linalg.cho_factor(a @ a.conj().T + np.eye(3), lower=True), b)),
    ("solve-assume-her", lambda a, b: linalg.solve(a @ a.conj().T + np.eye(3) + np.triu(a), b, assume_a="her")),
    ("solve-assume-sym", lambda a, b: linalg.solve(a + np.eye(3), b, assume_a="sym")),
    ("eigh-values", lambda a, b: linalg.eigh(a + a.conj().T, eigvals_only=True) @ b),
]


@pytest.mark.parametrize("name", [c[0] for c in COMPLEX_LINALG])
def test_scipy_linalg_complex_values_and_gradients(name):
    fn = dict(COMPLEX_LINALG)[name]

    def loss(a):
        return np.sum(np.abs(fn(a, RHS)) ** 2)

    value, grad = s2s.value_and_grad(loss)(CMAT)
    np.testing.assert_allclose(value, loss(CMAT), rtol=1e-10)
    eps, want = 1e-6, np.zeros_like(CMAT)
    for i in np.ndindex(CMAT.shape):
        e = np.zeros_like(CMAT)
        e[i] = eps
        want[i] = (loss(CMAT + e) - loss(CMAT - e) - 1j * (loss(CMAT + 1j * e) - loss(CMAT - 1j * e))) / (2 * eps)
    np.testing.assert_allclose(grad, want, rtol=1e-5, atol=1e-7)


def test_scipy_linalg_compiled():
    want = s2s.grad(linalg_model, argnums=(0, 1))(MAT, RHS)
    got = s2s.jit(s2s.grad(linalg_model, argnums=(0, 1)))(MAT, RHS)
    for w, g in zip(want, got):
        np.testing.assert_allclose(g, w, rtol=1e-10)


# -- least squares (np.linalg.lstsq and scipy.linalg.lstsq) -------------------------------------
TALL = np.array([[0.9, -0.3, 0.2], [0.4, 1.1, -0.5], [-0.2, 0.3, 0.8], [0.5, 0.5, 0.1], [1.0, -0.7, 0.3]])
OBS = np.array([0.5, -1.0, 0.2, 0.3, 1.5])


def least_squares(a, b):
    x, residuals, rank, s = np.linalg.lstsq(a, b, rcond=None)
    return np.sum(x ** 2) + np.sum(residuals) + np.sum(s) + rank


def least_squares_scipy(a, b):
    return np.sum(linalg.lstsq(a, b)[0] * np.array([1.0, -2.0, 0.5]))


@pytest.mark.parametrize("fn, a, b", [
    (least_squares, TALL, OBS),  # over-determined: residuals
    (least_squares, TALL, np.stack([OBS, OBS[::-1]], axis=1)),  # several right-hand sides
    (least_squares, TALL[:2], OBS[:2]),  # under-determined: the minimum-norm solution, no residuals
    (least_squares_scipy, TALL, OBS),
], ids=["tall", "columns", "wide", "scipy"])
@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_lstsq(fn, a, b, compiled):
    assert s2s.jit(fn)(a, b) == pytest.approx(fn(a, b), rel=1e-10)
    g = s2s.grad(fn, argnums=(0, 1))
    ga, gb = (s2s.jit(g) if compiled else g)(a, b)
    np.testing.assert_allclose(ga, _central(fn, (a, b), 0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(gb, _central(fn, (a, b), 1), rtol=1e-5, atol=1e-7)
    jf = s2s.jacfwd(fn, argnums=1)(a, b)
    np.testing.assert_allclose(jf, _central(fn, (a, b), 1), rtol=1e-5, atol=1e-7)


# -- NumPy functions through stand-ins (parse/stand_in_numpy.py) ---------------------------------
V = np.array([0.6, 1.3, 0.9, 1.7, 0.4])


def outers(x):
    return (np.sum(np.multiply.outer(x, x[:3]) ** 2) + np.sum(np.add.outer(x[:2], x.reshape(5, 1)) ** 3)
            + np.sum(np.subtract.outer(x, 2.0 * x) ** 2) + np.sum(np.power.outer(x[:2], x[2:]))
            + np.sum(np.divide.outer(x, x + 1.0)) + np.sum(np.true_divide.outer(x, 2.0))
            + np.sum(np.maximum.outer(x, x[::-1] * 0.9)) + np.sum(np.minimum.outer(x, 0.7))
            + np.sum(np.arctan2.outer(x, x)) + np.sum(np.hypot.outer(x, x)) + np.sum(np.logaddexp.outer(x, x)))


def vanders(x):
    return np.sum(np.vander(x) ** 2) + np.sum(np.vander(x - 0.9, 3, increasing=True) * np.arange(3.0))


@pytest.mark.parametrize("fn", [outers, vanders])
def test_numpy_stand_ins(fn):
    want = _central(fn, (V,), 0)
    np.testing.assert_allclose(s2s.value_and_grad(fn)(V)[0], fn(V), rtol=1e-12)
    np.testing.assert_allclose(s2s.grad(fn)(V), want, rtol=1e-6)
    np.testing.assert_allclose(s2s.jacfwd(fn)(V), want, rtol=1e-6)
    np.testing.assert_allclose(s2s.jit(s2s.grad(fn))(V), want, rtol=1e-6)
    xs = np.stack([V, V[::-1]])
    np.testing.assert_allclose(s2s.vmap(s2s.grad(fn))(xs), np.stack([s2s.grad(fn)(x) for x in xs]), rtol=1e-12)


def fsums(x):
    products = []
    for i in range(3):
        products.append(x[i] * x[i + 1])
    return (math.fsum(products) + math.fsum([x[0] ** 2, x[4], 1.0]) + math.fsum(x ** 3)
            + math.prod([x[0], x[1] ** 2, 3.0]) + math.prod(x[2:4], start=2.0))


def test_math_fsum_is_differentiated_as_sum():
    want = _central(fsums, (V,), 0)
    np.testing.assert_allclose(s2s.grad(fsums)(V), want, rtol=1e-6)
    np.testing.assert_allclose(s2s.jit(s2s.grad(fsums))(V), want, rtol=1e-6)
    np.testing.assert_allclose(s2s.jit(fsums)(V), fsums(V), rtol=1e-12)
