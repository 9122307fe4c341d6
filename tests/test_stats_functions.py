"""End to end: user functions calling the stats functions of s2s/diff/rules/stats.py
(cumprod, cumulative_sum, nancumsum, nancumprod, diff, ediff1d, average, ptp,
nan-reductions, median/percentile/quantile, cov, corrcoef, trapezoid, vdot, cross, kron,
convolve, correlate) and of rules/interpolation.py (polyval, interp) under grad (Python and
s2s.jit), jvp, hessian and vmap, against central differences and stacking. The functions
are at module level: s2s reads their source."""
import numpy as np
import pytest
from grad_cases import central_difference

import s2s
from s2s.errors import NoDerivativeRuleError, UnsupportedSyntaxError

TRAPEZOID = getattr(np, "trapezoid", None) or np.trapz
RNG = np.random.default_rng(11)
A = RNG.uniform(-1, 1, (3, 4))
X = np.array([0.3, -0.8, 0.55, 1.2, -0.4, 0.9])
Y = np.array([0.7, -0.2, 0.45])
T = np.cumsum(RNG.uniform(0.2, 1.0, 6))
XP = np.array([-1.0, -0.2, 0.5, 1.0])  # interp's knots: X has points below, between and above them


def running(x):
    c = np.cumprod(x)
    d = np.diff(x * x, 2)
    return np.sum(c * c) + np.sum(np.sin(d)) + np.average(x * c)


def running_axis(a):
    c = np.cumprod(a, axis=1)
    d = np.diff(a, axis=0)
    return np.sum(c * a) + np.sum(d ** 3) + np.sum(np.average(a, axis=0) ** 2)


def weighted(x, w):
    v = w * w + 0.5
    return np.average(np.sin(x), None, v) + np.sum(np.average(np.outer(x, w), 1, np.outer(v, v)) ** 2)


def spreads(a):
    q = np.quantile(a, [0.2, 0.7], axis=1)
    return (np.sum(np.ptp(a, axis=1) ** 2) + np.ptp(a) * np.median(a) + np.sum(np.median(a, axis=0) ** 2)
            + np.percentile(a, 30.0) + np.sum(q * q))


def quantile_in_q(a, q):
    return np.sum(np.quantile(a * a, q, axis=1) ** 2) + np.percentile(a, q[0] * 100.0)


def nan_aware(x):
    y = np.where(x > 1.0, np.nan, x)
    return np.nansum(y * y) + np.nanmean(np.sin(y)) + np.nanmax(y) * np.nanmin(y) + np.nanprod(y + 2.0)


def products(x, y):
    return (np.vdot(x, x * 2.0) + np.sum(np.convolve(x, y) ** 2) + np.sum(np.correlate(x, y, "same") * x)
            + np.sum(np.kron(y, x) ** 2) + np.sum(np.cross(y, y * y + 1.0) ** 2))


def integrals(y, t):
    return TRAPEZOID(y * y, t) + TRAPEZOID(np.sin(y), dx=0.5) + TRAPEZOID(np.outer(y, y), axis=0)[1]


def nan_spreads(x):
    y = np.where(x > 1.0, np.nan, x)
    a = np.reshape(y, (2, 3))
    return (np.nanvar(y) + np.nanstd(y, ddof=1) + np.sum(np.nanstd(a, axis=1, keepdims=True) ** 2)
            + np.sum(np.nanvar(a, 0) * x[:3]) + np.sum(np.nancumsum(a, axis=0) ** 2) + np.sum(np.nancumprod(y + 1.5)))


def running_sums(x):
    a = np.reshape(x, (2, 3))
    return (np.sum(np.ediff1d(x * x, to_begin=0.5) ** 2) + np.sum(np.sin(np.ediff1d(a, -1.0, 2.0)))
            + np.sum(np.cumulative_sum(x * x, include_initial=True) ** 3) + np.sum(np.cumulative_sum(a, axis=0) * a))


def covariances(x, y):
    a = np.outer(x[:3], y) + np.sin(np.reshape(x, (3, 2)) @ np.ones((2, 4)))
    return (np.sum(np.cov(a) ** 2) + np.cov(x) + np.sum(np.cov(a, y, rowvar=True, bias=True))
            + np.sum(np.cov(a.T, rowvar=False, ddof=2) * a[:, :3]) + np.sum(np.corrcoef(a) ** 3)
            + np.sum(np.corrcoef(x, x[::-1] ** 2) ** 2) + np.sum(np.corrcoef(a, y=y * y, rowvar=True) * 0.3))


def interpolated(x, p):
    return (np.sum(np.polyval(p, x) ** 2) + np.polyval(p * p, x[2]) + np.sum(np.interp(x, XP, np.cos(p[0] * XP)) ** 2)
            + np.sum(np.interp(x * 2.0, XP, p[1] * XP + p[2], left=0.5, right=-1.0) * x)
            + np.sum(np.ldexp(x * p[0], 3) ** 2))


def second_order(x):  # the newer rules in one function (hessian: one transformation, CI time)
    y = np.where(x > 1.0, np.nan, x)
    a = np.reshape(x, (2, 3))
    return (np.nanstd(y) * np.sum(np.nancumprod(y + 1.5)) + np.sum(np.ediff1d(x * x, 0.5) * np.cumulative_sum(x))
            + np.sum(np.cov(a, x[:3] ** 2) ** 2) + np.sum(np.corrcoef(a.T, rowvar=False) ** 3)
            + np.polyval(x[:3], x[4]) * np.sum(np.interp(x, XP, x[:4] ** 2)))


def compiled_new(x):  # the newer rules' numba overloads, under s2s.jit (one compilation: CI time)
    y = np.where(x > 1.0, np.nan, x)
    c = np.cumulative_sum(np.reshape(x, (2, 3)), axis=1, include_initial=True)
    return (np.nanvar(y) + np.sum(np.ediff1d(x * x, 0.5) ** 2) + np.sum(c ** 3) + np.polyval(x[:3], x[4])
            + np.sum(np.interp(x, XP, x[:4] ** 2)))


def compiled_mix(x, y):  # what NumPy-under-numba runs too: checked under s2s.jit (kept small: compile time)
    c = np.cumprod(x)
    d = np.diff(x * c, 2)
    s = np.average(np.sin(x), None, x * x + 1.0) + np.median(x) + np.nansum(x * y[0])
    return np.sum(c * c) + np.sum(d * d) + s + np.sum(np.convolve(x, y) ** 2) + TRAPEZOID(x * x, c)


def compiled_small(x):
    return np.sum(np.cumprod(x)) + np.median(x) * np.ptp(x) + TRAPEZOID(x)


def average_by_keyword(x, w):
    return np.average(x, weights=w)


def trapezoid_by_keyword(y, t):
    return TRAPEZOID(y, x=t)


def trapezoid_by_keyword_axis(a, t):
    return np.sum(TRAPEZOID(a * a, x=np.broadcast_to(t, a.shape), axis=0) ** 2)


def percentile_nearest(x):
    return np.percentile(x, 30.0, method="nearest")


def diff_prepend(x):
    return np.sum(np.diff(x, prepend=0.0) ** 2)


def nanvar_of(x):
    return np.nanvar(x)


def nanstd_of(x):
    return np.nanstd(x, ddof=1)


def nancumsum_of(x):
    return np.sum(np.nancumsum(x) ** 2)


def nancumprod_of(x):
    return np.sum(np.nancumprod(x))


def interp_periodic(x):
    return np.sum(np.interp(x, XP, XP * XP, period=3.0))


def interp_variable_left(x):
    return np.sum(np.interp(x, XP, XP * x[:4], left=x[0]))


def cov_weighted(x):
    return np.sum(np.cov(np.outer(x, x), fweights=np.arange(1, 7)))


def ediff1d_variable_end(x):
    return np.sum(np.ediff1d(x, to_end=x[:2]))


def _check_grad(fn, args, argnum=0, grad=None, rtol=1e-6):
    got = (grad or s2s.grad(fn, argnums=argnum))(*args)
    np.testing.assert_allclose(got, central_difference(fn, args, argnum), rtol=rtol, atol=1e-7)


GRADS = [(running, (X,), 0), (running_axis, (A,), 0), (weighted, (X, X[::-1]), 0), (weighted, (X, X[::-1]), 1),
         (spreads, (A,), 0), (quantile_in_q, (A, np.array([0.23, 0.61])), 0),
         (quantile_in_q, (A, np.array([0.23, 0.61])), 1), (nan_aware, (X,), 0), (products, (X, Y), 0), (products, (X, Y), 1),
         (integrals, (X, T), 0), (integrals, (X, T), 1), (compiled_mix, (X, Y), 0), (compiled_mix, (X, Y), 1),
         (nan_spreads, (X,), 0), (running_sums, (X,), 0), (covariances, (X, A[0]), 0), (covariances, (X, A[0]), 1),
         (interpolated, (X, Y), 0), (interpolated, (X, Y), 1), (compiled_new, (X,), 0)]


@pytest.mark.parametrize("fn, args, argnum", GRADS,
                         ids=[f"{f.__name__}-{i}" for f, _, i in GRADS])
def test_grad_against_finite_differences(fn, args, argnum):
    _check_grad(fn, args, argnum)


def test_cumprod_with_zeros():
    x = np.array([0.5, 0.0, -1.5, 0.0, 2.0])
    want = np.array([sum(np.prod(np.delete(x[:j + 1], i)) for j in range(i, 5)) for i in range(5)])
    np.testing.assert_allclose(s2s.grad(lambda z: np.sum(np.cumprod(z)))(x), want)


def test_jit_grad_against_finite_differences():
    _check_grad(compiled_mix, (X, Y), grad=s2s.jit(s2s.grad(compiled_mix)))


def test_jit_grad_of_the_newer_rules():
    """nanvar, ediff1d, cumulative_sum, polyval, interp with numba's primals and the overloads
    of runtime_numba_stats.py (cumulative_sum, polyval). (cov/corrcoef's templates are compiled
    by tests/diff/test_rules_stats.py: numba's own np.cov/np.corrcoef take 20 s to compile.)"""
    _check_grad(compiled_new, (X,), grad=s2s.jit(s2s.grad(compiled_new)))


@pytest.mark.parametrize("fn, args", [(running, (X,)), (weighted, (X, Y[:1] + X)), (spreads, (A,)),
                                      (products, (X, Y)), (integrals, (X, T)), (nan_spreads, (X,)),
                                      (running_sums, (X,)), (covariances, (X, A[0])), (interpolated, (X, Y))],
                         ids=["running", "weighted", "spreads", "products", "integrals", "nan_spreads",
                              "running_sums", "covariances", "interpolated"])
def test_jvp_agrees_with_grad(fn, args):
    v = RNG.uniform(-1, 1, np.shape(args[0]))
    _, tangent = s2s.jvp(fn, args, (v,) + tuple(np.zeros(np.shape(a)) for a in args[1:]))
    np.testing.assert_allclose(tangent, np.sum(s2s.grad(fn)(*args) * v), rtol=1e-10)


@pytest.mark.parametrize("fn, args", [(running, (X,)), (running_axis, (A,)), (weighted, (X, X[::-1])),
                                      (products, (X, Y)), (integrals, (X, T)), (second_order, (X,))],
                         ids=["running", "running_axis", "weighted", "products", "integrals", "second_order"])
def test_hessian_against_finite_differences_of_grad(fn, args):
    """Second derivatives go through the helpers' own rules (reverse over reverse, forward
    over reverse)."""
    x = args[0]
    fd = np.stack([central_difference(lambda z, i=i: s2s.grad(fn)(z, *args[1:]).ravel()[i], (x,), 0)
                   for i in range(x.size)]).reshape(x.shape + x.shape)
    np.testing.assert_allclose(s2s.jacrev(s2s.grad(fn))(*args), fd, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(s2s.hessian(fn)(*args), fd, rtol=1e-5, atol=1e-7)


def test_vmap_matches_stacking():
    xs = np.stack([X, X * 0.5, X - 0.2])
    for fn in (running, nan_aware):
        np.testing.assert_allclose(s2s.vmap(fn)(xs), [fn(x) for x in xs])
    np.testing.assert_allclose(s2s.vmap(products, in_axes=(0, None))(xs, Y), [products(x, Y) for x in xs])
    a_s = np.stack([A, A * 0.5, A - 0.2])
    np.testing.assert_allclose(s2s.vmap(spreads)(a_s), [spreads(a) for a in a_s])
    np.testing.assert_allclose(s2s.vmap(s2s.grad(running_axis))(a_s),
                               np.stack([s2s.grad(running_axis)(a) for a in a_s]))


def test_jit_vmap_matches_stacking():
    xs = np.stack([X, X * 0.5, X - 0.2])
    np.testing.assert_allclose(s2s.jit(s2s.vmap(compiled_small))(xs), [compiled_small(x) for x in xs])


@pytest.mark.parametrize("fn, args", [(average_by_keyword, (X, X + 2.0)), (trapezoid_by_keyword, (X, T)),
                                      (trapezoid_by_keyword_axis, (A, np.cumsum(np.abs(A[:, :1]) + 0.3, axis=0)))],
                         ids=["average", "trapezoid", "trapezoid_axis"])
def test_differentiable_inputs_by_keyword(fn, args):
    """weights=, x= by keyword bind to the rule variant that differentiates them."""
    for argnum in (0, 1):
        _check_grad(fn, args, argnum)
        v = RNG.uniform(-1, 1, np.shape(args[argnum]))
        tangents = tuple(v if k == argnum else np.zeros(np.shape(a)) for k, a in enumerate(args))
        _, tangent = s2s.jvp(fn, args, tangents)
        np.testing.assert_allclose(tangent, np.sum(s2s.grad(fn, argnums=argnum)(*args) * v), rtol=1e-10)


def test_refused_variants_name_the_function():
    with pytest.raises(NoDerivativeRuleError, match="percentile.*method"):
        s2s.grad(percentile_nearest)(X)
    with pytest.raises(NoDerivativeRuleError, match="diff.*prepend"):
        s2s.jvp(diff_prepend, (X,), (X,))
    with pytest.raises(NoDerivativeRuleError, match="interp.*period"):
        s2s.grad(interp_periodic)(X)
    with pytest.raises(NoDerivativeRuleError, match="interp.*left"):
        s2s.grad(interp_variable_left)(X)
    with pytest.raises(NoDerivativeRuleError, match="cov.*fweights"):
        s2s.jvp(cov_weighted, (X,), (X,))
    with pytest.raises(NoDerivativeRuleError, match="ediff1d.*to_end"):
        s2s.grad(ediff1d_variable_end)(X)


def test_nan_entries_get_zero():
    """The nan-functions differentiate w.r.t. the non-NaN entries."""
    x = np.array([0.5, np.nan, -1.0, 2.0])
    for name in ("nanvar_of", "nanstd_of", "nancumsum_of", "nancumprod_of"):
        g = s2s.grad(globals()[name])(x)
        assert g[1] == 0.0 and np.all(np.isfinite(g))
        keep = np.array([0, 2, 3])
        np.testing.assert_allclose(g[keep], central_difference(lambda z: globals()[name](np.insert(z, 1, np.nan)),
                                                               (x[keep],), 0), rtol=1e-6)


HX = np.array([0.3, -1.1, 0.47, 1.1, 0.05, -0.45, 0.9])  # away from the bin edges


def histogram_of_variable_bins(x, bins):
    return np.sum(np.histogram(x, bins, weights=x)[0])


def histogram_auto(x):
    return np.sum(np.histogram(x, "auto", weights=x)[0])


def test_histogram_bins_it_cannot_read_are_refused():
    with pytest.raises(ValueError, match="reads `bins` held in a variable as a number of bins"):
        s2s.grad(histogram_of_variable_bins)(HX, np.array([-1.0, 0.0, 1.0]))
    with pytest.raises(UnsupportedSyntaxError, match="bins='auto'"):
        s2s.grad(histogram_auto)(HX)


def histograms(x):
    c, e = np.histogram(x, bins=4)  # integer counts; the edges move with min and max
    w, _ = np.histogram(x, 3, weights=x ** 2)
    d, de = np.histogram(x, bins=5, range=(-2.0, 2.0), density=True)
    f, _ = np.histogram(x, 4, (-1.0, 1.5), True, np.exp(x))
    edges = np.linspace(-1.6, 1.4, 6)  # bins as edges: a local made by a NumPy call, or a list
    g, _ = np.histogram(x, edges, weights=np.sin(x))
    h, _ = np.histogram(x, [-1.2, 0.0, 0.4, 2.0], density=True, weights=x * x)
    return (np.sum(c * e[1:]) + np.sum(e ** 2) + np.sum(w * np.arange(1.0, 4.0)) + np.sum(d * np.arange(5.0))
            + de[2] + np.sum(f ** 2) + np.sum(g * np.arange(5.0)) + np.sum(h ** 2))


def histogram_parts(x):
    c, e = np.histogram(x, bins=4)
    k, ke = np.histogram(x, np.array([-2.0, -0.5, 0.3, 1.1]))  # 1.1: the last edge, in the last bin
    return (c, e, np.histogram(x, 3, weights=x ** 2)[0], np.histogram(x, 4, (-1.0, 1.5), True, np.exp(x))[0], k, ke,
            np.histogram(x, [-1.2, 0.0, 0.4, 2.0], density=True)[0])


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_histogram(jit):
    """np.histogram (parse/stand_in_numpy.py): NumPy's counts (integers without weights or
    density) and edges; derivatives through the edges (min, max) and the weights."""
    run = s2s.jit(histogram_parts) if jit else s2s.jit(histogram_parts).python()
    for got, want in zip(run(HX), histogram_parts(HX)):
        assert np.result_type(got) == np.result_type(want)
        np.testing.assert_allclose(got, want, rtol=1e-13)
    grad = s2s.jit(s2s.grad(histograms)) if jit else s2s.grad(histograms)
    np.testing.assert_allclose(grad(HX), central_difference(histograms, (HX,), 0), rtol=1e-6, atol=1e-8)
    if not jit:
        v = np.linspace(-1.0, 1.0, HX.size)
        assert s2s.jvp(histograms, (HX,), (v,))[1] == pytest.approx(grad(HX) @ v, rel=1e-10)
