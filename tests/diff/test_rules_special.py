"""scipy.special rules (s2s/diff/rules/special.py, their helpers in runtime_special.py)
against central finite differences, in Python and compiled with numba (the numba forms of
runtime_numba_special.py); the JVP rules are checked over the same CASES table by
tests/diff/test_jvp_rules.py. Then second derivatives (hessian against differences of
grad), the conventions at singular points, the refused variants, the numba forms against
scipy, batching (vmap), and end-to-end models written with scipy.special."""
import numpy as np
import pytest

sp = pytest.importorskip("scipy.special")

from grad_cases import central_difference  # noqa: E402
from vjp_check import check_vjp, jitted  # noqa: E402

import s2s  # noqa: E402
from s2s.diff import runtime_special as rs  # noqa: E402
from s2s.diff.registry import JVP_RULES, NONDIFF, VJP_RULES  # noqa: E402
from s2s.diff.runtime import DerivativeUnavailable  # noqa: E402
from s2s.errors import NoDerivativeRuleError  # noqa: E402
from s2s.diff.rules import load_scipy_rules  # noqa: E402

load_scipy_rules()  # (transformed code loads them on its first use of scipy; these tests read the tables)


def case(key, make, options=None, numba=False, name=None):
    return pytest.param(key, make, options or {}, numba, id=name or key.__name__)


def _u(lo, hi, shape=(5,)):
    """Uniform floats in (lo, hi): a shape, or () for a Python float."""
    return lambda rng: rng.uniform(lo, hi, shape) if shape else float(rng.uniform(lo, hi))


def _with(*parts):
    return lambda rng: tuple(p(rng) if callable(p) else p for p in parts)


# one-input functions: (key, domain)
UNARY = [(sp.expit, (-3, 3)), (sp.logit, (0.1, 0.9)), (getattr(sp, "log_expit", None), (-5, 5)), (sp.entr, (0.1, 2)),
         (sp.gammaln, (0.3, 4)), (sp.loggamma, (0.3, 4)), (sp.gamma, (0.5, 3)), (sp.rgamma, (0.5, 3)),
         (sp.digamma, (0.5, 4)), (sp.erf, (-2, 2)), (sp.erfc, (-2, 2)), (sp.erfcx, (-1, 3)), (sp.erfinv, (-0.9, 0.9)),
         (sp.erfcinv, (0.1, 1.9)), (sp.ndtr, (-3, 3)), (sp.log_ndtr, (-8, 4)), (sp.ndtri, (0.05, 0.95)),
         (sp.i0, (-3, 3)), (sp.i0e, (-3, 3)), (sp.i1, (-3, 3)), (sp.i1e, (-3, 3)), (sp.j0, (-6, 6)),
         (sp.j1, (-6, 6)), (sp.y0, (0.5, 6)), (sp.y1, (0.5, 6)), (sp.k0, (0.3, 4)), (sp.k0e, (0.3, 4)),
         (sp.k1, (0.3, 4)), (sp.k1e, (0.3, 4))]
UNARY = [(k, d) for k, d in UNARY if k is not None]
ORDERS = np.array([0, 1, 3])  # integer orders: not perturbed (no derivative in them)

CASES = [case(k, _with(_u(*d)), numba=True) for k, d in UNARY]
CASES += [case(k, _with(_u(*d, ())), name=f"{k.__name__}-scalar") for k, d in UNARY[::3]]
CASES += [case(k, _with(_u(*d, (2, 3))), name=f"{k.__name__}-2d") for k, d in UNARY[1::4]]
CASES += [
    case(sp.xlogy, _with(_u(-1, 2, (3, 4)), _u(0.2, 3, (4,))), numba=True, name="xlogy"),
    case(sp.xlogy, _with(_u(0.1, 2, ()), _u(0.2, 3)), name="xlogy-scalar-x"),
    case(sp.xlog1py, _with(_u(-1, 2), _u(-0.5, 3)), numba=True, name="xlog1py"),
    case(sp.rel_entr, _with(_u(0.1, 2, (2, 3)), _u(0.2, 3, (2, 3))), numba=True, name="rel_entr"),
    case(sp.betaln, _with(_u(0.5, 3, (3, 4)), _u(0.5, 3, (4,))), numba=True, name="betaln"),
    case(sp.beta, _with(_u(0.5, 3), _u(0.5, 3)), numba=True, name="beta"),
    case(sp.polygamma, _with(2, _u(0.5, 4)), numba=True, name="polygamma"),
    case(sp.polygamma, _with(ORDERS, _u(0.5, 4, (2, 3))), name="polygamma-orders"),
    case(sp.multigammaln, _with(_u(2.0, 5)), {"d": 3}, numba=True, name="multigammaln"),
    case(sp.multigammaln, _with(_u(1.0, 5, ())), {"d": 1}, name="multigammaln-scalar"),
    case(sp.gammainc, _with(np.array([1, 2, 5, 2, 3]), _u(0.1, 4)), numba=True, name="gammainc"),
    case(sp.gammaincc, _with(3, _u(0.1, 4, (2, 3))), numba=True, name="gammaincc"),
    case(sp.iv, _with(ORDERS, _u(-3, 3, (2, 3))), numba=True, name="iv"),
    case(sp.ive, _with(2, _u(-3, 3)), numba=True, name="ive"),
    case(sp.jv, _with(ORDERS, _u(-5, 5, (4, 3))), numba=True, name="jv"),
    case(sp.yn, _with(ORDERS, _u(0.5, 5, (2, 3))), numba=True, name="yn"),
    case(sp.yv, _with(1, _u(0.5, 5)), name="yv"),
    case(sp.kv, _with(ORDERS, _u(0.3, 4, (2, 3))), numba=True, name="kv"),
    # (the shape parameters are ints here: the tables perturb every float input, and these
    # functions have no derivative in them)
    case(sp.kve, _with(2, _u(0.3, 4)), numba=True, name="kve"),
    case(sp.betainc, _with(3, np.array([1, 2, 3, 1, 5]), _u(0.05, 0.95)), numba=True, name="betainc"),
    case(sp.betaincc, _with(2, 4, _u(0.05, 0.95, (2, 3))), numba=True, name="betaincc"),
    case(sp.stdtr, _with(np.array([1, 2, 4, 10, 3]), _u(-3, 3)), numba=True, name="stdtr"),
    # logsumexp (axis None/int/negative/tuple, keepdims, weights), softmax, log_softmax
    case(sp.logsumexp, _with(_u(-2, 2, (6,))), numba=True, name="logsumexp"),
    case(sp.logsumexp, _with(_u(-2, 2, (3, 4))), {"axis": 1}, numba=True, name="logsumexp-axis1"),
    case(sp.logsumexp, _with(_u(-2, 2, (3, 4))), {"axis": -2, "keepdims": True}, numba=True,
         name="logsumexp-axis-2-keepdims"),
    case(sp.logsumexp, _with(_u(-2, 2, (2, 3, 4))), {"axis": (0, 2)}, name="logsumexp-axis-tuple"),
    case(sp.logsumexp, _with(_u(-2, 2, (2, 3))), {"keepdims": True}, name="logsumexp-keepdims"),
    case(sp.logsumexp, _with(_u(-2, 2, (3, 4)), 1, _u(0.5, 2, (3, 4))), numba=True, name="logsumexp-weighted"),
    case(sp.logsumexp, _with(_u(-2, 2, (3, 4)), None, _u(0.5, 2, (4,))), name="logsumexp-weighted-bcast"),
    case(sp.logsumexp, _with(_u(-2, 2, (3, 4)), 0, _u(0.5, 2, ())), {"keepdims": True},
         name="logsumexp-weighted-scalar"),
    case(sp.softmax, _with(_u(-2, 2, (5,))), numba=True, name="softmax"),
    case(sp.softmax, _with(_u(-2, 2, (3, 4))), {"axis": 1}, numba=True, name="softmax-axis1"),
    case(sp.softmax, _with(_u(-2, 2, (2, 3, 4))), {"axis": (0, 2)}, name="softmax-axis-tuple"),
    case(sp.log_softmax, _with(_u(-2, 2, (3, 4))), numba=True, name="log_softmax"),
    case(sp.log_softmax, _with(_u(-2, 2, (3, 4))), {"axis": 0}, numba=True, name="log_softmax-axis0"),
    # the helpers
    case(rs.xdivy, _with(_u(-1, 2, (3, 4)), _u(0.5, 2, (4,))), numba=True, name="xdivy"),
    case(rs.multipolygamma, _with(1, _u(2.0, 5)), {"d": 3}, numba=True, name="multipolygamma"),
]


@pytest.mark.parametrize("key, make, options, use_numba", CASES)
def test_special_rule(key, make, options, use_numba, request):
    inputs = make(np.random.default_rng(len(request.node.name)))
    check_vjp(key, inputs, options, name=request.node.name, use_numba=use_numba)


def test_every_function_a_template_calls_has_rules():
    """Derivative code calls these (digamma, polygamma, i1, iv, jv, yn, xlogy, gammaln,
    expit, the helpers): a second derivative needs their rules in both modes."""
    called = set()
    for table in (VJP_RULES, JVP_RULES):
        for rule in table.rules():
            if rule.template.__module__.endswith("special"):
                for name in rule.template.__code__.co_names:
                    value = rule.template.__globals__.get(name)
                    if isinstance(value, np.ufunc) or callable(value) and value.__module__.startswith(("scipy", rs.__name__)):
                        called.add(value)
    assert len(called) >= 14
    missing = [getattr(f, "__name__", f) for f in called
               if f not in NONDIFF and (f not in VJP_RULES or f not in JVP_RULES)]
    assert not missing


# ---------------------------------------------------------------- conventions, refusals
@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_singular_points(compiled):
    def vjp(key, *args, **kw):
        t = VJP_RULES.get(key, len(args) - 2).template
        with np.errstate(divide="ignore"):
            return (jitted(t) if compiled else t)(*args, **kw)
    x, y = np.array([0.0, 0.0, 2.0]), np.array([0.0, 3.0, 3.0])
    bx, by = vjp(sp.xlogy, np.ones(3), sp.xlogy(x, y), x, y)
    np.testing.assert_array_equal(by, [0.0, 0.0, 2.0 / 3.0])  # 0 where x == 0 (as JAX)
    a = np.array([-np.inf, 0.5, -np.inf, 1.0])  # -inf entries get 0, no nan
    np.testing.assert_allclose(vjp(sp.logsumexp, 1.0, sp.logsumexp(a), a), sp.softmax(a))
    t = np.array([-40.0, 40.0])
    assert np.all(np.isfinite(vjp(sp.log_expit, np.ones(2), sp.log_expit(t), t)))
    np.testing.assert_allclose(vjp(sp.log_ndtr, np.ones(2), sp.log_ndtr(t), t), [40.0248, 0.0], rtol=1e-4)
    assert vjp(sp.i1, 1.0, 0.0, 0.0) == 0.5  # no division by x


def _gammainc_sum(a, x):
    return np.sum(sp.gammainc(a, x))


def _bessel_sum(v, x):
    return np.sum(sp.iv(v, x) + sp.jv(v, x))


def _signed(x):
    return sp.logsumexp(x, return_sign=True)[0]


X3 = np.array([0.5, 1.5, 3.0])


def test_no_derivative_in_an_order_or_gammainc_a():
    """x is differentiated; a or the order raises DerivativeUnavailable naming it, in Python,
    in numba and in forward mode -- unless its tangent is zero."""
    g = s2s.grad(_gammainc_sum, argnums=1)(2.0, X3)
    np.testing.assert_allclose(g, central_difference(_gammainc_sum, (2.0, X3), 1), rtol=1e-6)
    for fn in (s2s.grad(_gammainc_sum, argnums=0), s2s.jit(s2s.grad(_gammainc_sum, argnums=(0, 1)))):
        with pytest.raises(DerivativeUnavailable, match=r"gammainc\(a, x\): no derivative in a"):
            fn(2.0, X3)
    with pytest.raises(DerivativeUnavailable, match="no derivative in v"):
        s2s.grad(_bessel_sum, argnums=0)(1.5, X3)
    with pytest.raises(DerivativeUnavailable, match="no derivative in a"):
        s2s.jvp(_gammainc_sum, (2.0, X3), (1.0, X3))
    out, t = s2s.jvp(_gammainc_sum, (2.0, X3), (0.0, X3))
    np.testing.assert_allclose(t, np.dot(g, X3))


def test_return_sign_is_refused_at_the_users_line():
    with pytest.raises(NoDerivativeRuleError, match="return_sign=True") as info:
        s2s.grad(_signed)(X3)
    assert "_signed" in str(info.value) or "test_rules_special.py" in str(info.value)


norm = pytest.importorskip("scipy.stats").norm


def _norm_logpdf(x):
    return np.sum(norm.logpdf(x, 1.0, 2.0))


def test_scipy_stats_norm_methods_go_through_their_stand_in():
    """norm.logpdf is a bound method of a distribution object: resolve makes it a call of
    parse/stand_in_stats.py's NumPy source (tests/parse/test_stand_ins.py covers them all)."""
    np.testing.assert_allclose(s2s.grad(_norm_logpdf)(X3), -(X3 - 1.0) / 4.0, rtol=1e-12)


# ----------------------------------------------------------------------- second order
def _fd_jacobian(fn, x, eps=1e-5):
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = eps
        cols.append((np.asarray(fn(x + e.reshape(x.shape))) - fn(x - e.reshape(x.shape))).ravel() / (2 * eps))
    return np.stack(cols, axis=-1)


def _entropies(x):
    return sp.xlogy(x, x + 1.0) + sp.xlog1py(x, x) + sp.rel_entr(x, 2.5 - x)


def _gammas(x):
    return sp.betaln(x, 2.0 * x) + sp.beta(x, 1.5) + sp.polygamma(2, x) + sp.multigammaln(x + 1.0, 3)


def _incomplete(x):
    return sp.gammainc(2, x) + sp.gammaincc(0.5, x)


def _bessels(x):
    return sp.iv(1, x) + sp.ive(2, x) + sp.jv(3, x) + sp.yn(1, x + 3.0) + sp.yv(2, x + 3.0)


def _softmaxes(x):
    return sp.logsumexp(x) + sp.logsumexp(x * x, b=x + 2.0) + sp.softmax(x) * np.arange(1.0, 5.0) \
        + sp.log_softmax(x * x)


SECOND = [(k, d) for k, d in UNARY] + [(_entropies, (0.2, 1.2)), (_gammas, (0.5, 2)), (_incomplete, (0.2, 3)),
                                       (_bessels, (-2, 2)), (_softmaxes, (-1, 1))]


@pytest.mark.parametrize("fn, domain", SECOND, ids=[k.__name__ for k, _ in SECOND])
def test_hessian_against_differences_of_grad(fn, domain):
    x = np.random.default_rng(3).uniform(domain[0], domain[1], 4)

    def total(v):
        return np.sum(fn(v))
    grad = s2s.grad(total)
    np.testing.assert_allclose(s2s.hessian(total)(x), _fd_jacobian(grad, x), rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(s2s.jacrev(s2s.grad(total))(x), _fd_jacobian(grad, x), rtol=2e-5, atol=1e-6)


def _third(x):
    return np.sum(sp.gammaln(x) + sp.erf(x) + sp.i0(x) + sp.expit(x))


def test_third_derivative():
    x = np.array([0.7, 1.3])
    h = s2s.hessian(_third)
    d3 = s2s.jacfwd(s2s.hessian(_third))(x)
    np.testing.assert_allclose(d3, _fd_jacobian(h, x).reshape(2, 2, 2), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------- numba forms vs scipy
def test_numba_forms_match_scipy():
    import numba
    rng = np.random.default_rng(5)
    a = rng.uniform(0.2, 0.8, (3, 4))

    @numba.njit
    def run(a, v):
        t = a.T  # a non-contiguous layout
        return (sp.gammaln(t), sp.digamma(a), sp.erfinv(a), sp.ndtri(a), sp.expit(2.0), sp.xlogy(a, v),
                sp.iv(v, a), sp.yn(2, t), sp.polygamma(3, a), sp.multigammaln(a + 2.0, 2), sp.logsumexp(t, 1),
                sp.logsumexp(a, 0, v, True), sp.softmax(t, 0), sp.log_softmax(a), sp.gammainc(v, a[0, 0]),
                sp.betaln(a, np.array(0.5)), sp.logit(a[1:, ::2]))
    v = np.array([0.5, 1.0, 2.0, 3.0])
    for got, want in zip(run(a, v), run.py_func(a, v)):
        assert np.shape(got) == np.shape(want)
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)


# ---------------------------------------------------------------------- end to end
def _logistic_loss(w, X, y):
    z = X @ w
    return -np.sum(y * sp.log_expit(z) + (1.0 - y) * sp.log_expit(-z)) + 0.1 * sp.logsumexp(z) \
        + np.sum(sp.expit(z) ** 2)


def _gamma_logpdf(k, theta, x):
    return np.sum(sp.xlogy(k - 1.0, x) - x / theta - sp.gammaln(k) - k * np.log(theta))


def _gaussian_loglik(mu, x):
    """Normal log-density and a probit term, written with special functions (scipy.stats.norm
    methods have no rule)."""
    z = (x - mu) / 2.0
    return np.sum(-0.5 * z * z - np.log(2.0) - 0.5 * np.log(2 * np.pi) + sp.log_ndtr(z) + sp.ndtr(-z))


RNG = np.random.default_rng(7)
XM, YB, W = RNG.standard_normal((6, 3)), (RNG.uniform(size=6) > 0.5) * 1.0, RNG.standard_normal(3)
XS = RNG.uniform(0.5, 3.0, 5)
MODELS = [(_logistic_loss, (W, XM, YB), 0), (_gamma_logpdf, (2.5, 1.5, XS), 0),
          (_gamma_logpdf, (2.5, 1.5, XS), 1), (_gaussian_loglik, (0.3, XS), 0)]


@pytest.mark.parametrize("fn, args, argnum", MODELS, ids=["logistic", "gamma-k", "gamma-theta", "gaussian"])
def test_models_python_and_jit(fn, args, argnum):
    want = central_difference(fn, args, argnum)
    np.testing.assert_allclose(s2s.grad(fn, argnums=argnum)(*args), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jit(s2s.grad(fn, argnums=argnum))(*args), want, rtol=1e-6, atol=1e-8)


def test_model_hessians_python_and_jit():
    h = s2s.hessian(_logistic_loss)(W, XM, YB)
    np.testing.assert_allclose(h, _fd_jacobian(lambda w: s2s.grad(_logistic_loss)(w, XM, YB), W), rtol=1e-5)
    np.testing.assert_allclose(s2s.jit(s2s.hessian(_logistic_loss))(W, XM, YB), h, rtol=1e-12)
    hk = s2s.hessian(_gamma_logpdf)(2.5, 1.5, XS)
    np.testing.assert_allclose(hk, -XS.size * sp.polygamma(1, 2.5), rtol=1e-12)


def _per_example(x, w):
    return sp.logsumexp(x * w) + np.sum(sp.softmax(x) * sp.gammaln(x + 2.0)) + np.sum(sp.log_softmax(x, 0) * w) \
        + sp.logsumexp(x, 0, w, True)[0] + np.sum(sp.i0e(x) * sp.erf(x))


@pytest.mark.parametrize("strategy", ["array", "loop"])
def test_vmap_of_grad_matches_stacking(strategy):
    xs, w = RNG.uniform(-1, 1, (4, 5)), RNG.uniform(0.5, 1.5, 5)
    g = s2s.grad(_per_example)
    want = np.stack([g(x, w) for x in xs])
    batched = s2s.vmap(g, in_axes=(0, None), strategy=strategy)
    np.testing.assert_allclose(batched(xs, w), want, rtol=1e-12)
    np.testing.assert_allclose(s2s.vmap(_per_example, in_axes=(0, None), strategy=strategy)(xs, w),
                               [_per_example(x, w) for x in xs], rtol=1e-12)
    if strategy == "array":
        np.testing.assert_allclose(s2s.jit(batched)(xs, w), want, rtol=1e-12)


def _matrix_softmax(a):
    return sp.softmax(a, axis=1) + sp.logsumexp(a, axis=-1, keepdims=True) + sp.log_softmax(a)


def test_vmap_batches_axes():
    a = RNG.uniform(-1, 1, (3, 2, 4))
    v = s2s.vmap(_matrix_softmax, strategy="array")
    np.testing.assert_allclose(v(a), np.stack([_matrix_softmax(e) for e in a]), rtol=1e-12)
    np.testing.assert_allclose(s2s.jit(v)(a), np.stack([_matrix_softmax(e) for e in a]), rtol=1e-12)


def test_import_s2s_does_not_import_scipy_special_and_first_use_loads_its_rules():
    """(numba itself imports the scipy package, to check its version; scipy.special is the slow part.)"""
    import pathlib
    import subprocess
    import sys
    import tempfile
    script = ("import sys, numpy as np, s2s\n"
              "assert 'scipy.special' not in sys.modules, 'import s2s imported scipy.special'\n"
              "import lazy_case\n"
              "print(*s2s.grad(lazy_case.f)(np.array([1.5, 2.5])).tolist())\n")
    with tempfile.TemporaryDirectory() as d:
        pathlib.Path(d, "lazy_case.py").write_text(
            "import numpy as np\nfrom scipy.special import gammaln\n\n\ndef f(x):\n    return np.sum(gammaln(x))\n")
        out = subprocess.run([sys.executable, "-c", script], cwd=d, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = np.array([float(v) for v in out.stdout.split()])
    np.testing.assert_allclose(got, sp.digamma(np.array([1.5, 2.5])), rtol=1e-12)
