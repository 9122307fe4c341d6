"""VJP rules of scipy.special (registered only where scipy is installed: rules/__init__.py),
and of their runtime helpers (runtime_special.py), so that derivative code can be
differentiated again: every template calls only scipy.special functions that have rules
themselves (gammaln' = digamma, digamma' = polygamma(1, .), polygamma(n, .)' = polygamma(n + 1, .),
i0' = i1, i1' = (i0 + iv(2, .)) / 2, iv(v, .)' = (iv(v - 1, .) + iv(v + 1, .)) / 2, ...).

Covered: logsumexp (axis None, int or tuple, keepdims, weights b= of a's rank),
softmax, log_softmax; expit, logit, log_expit, xlogy, xlog1py, entr, rel_entr; gammaln,
loggamma, gamma, rgamma, digamma/psi, polygamma, multigammaln, betaln, beta; erf, erfc, erfcx,
erfinv, erfcinv, ndtr, log_ndtr, ndtri; i0, i0e, i1, i1e, iv, ive, j0, j1, jv/jn, y0, y1,
yn, yv, kv, kve, k0, k0e, k1, k1e; gammainc, gammaincc; betainc, betaincc (in x), stdtr (in t);
gammasgn is piecewise constant.

Conventions: integer-like arguments (polygamma's n, multigammaln's d, a Bessel function's
order, gammainc's a, betainc's a and b, stdtr's df) get no derivative: where such an input is differentiated, the
derivative code raises DerivativeUnavailable naming it (`no_derivative`). logsumexp: a slice
of -inf only (result -inf) has a nan gradient (0/0, as JAX); -inf entries of a finite
slice, and entries with weight 0, get 0. return_sign=True is refused. xlogy/xlog1py/rel_entr:
the y-derivative is 0 where x == 0 (as JAX), the x-derivative log(y) (-inf at y = 0).
entr'(0) = -inf. rgamma' is -rgamma * digamma (nan at the poles of gamma, where rgamma is 0).
"""
import math

import numpy as np
from scipy import special as sp

from ..registry import NONDIFF, VJP_RULES, supports
from ..runtime import unbroadcast, unreduce
from ..runtime_special import multipolygamma, no_derivative, xdivy

register = VJP_RULES.register
digamma, polygamma, i0, i1, i0e, i1e, iv, ive = sp.digamma, sp.polygamma, sp.i0, sp.i1, sp.i0e, sp.i1e, sp.iv, sp.ive
j0, j1, jv, y0, y1, yn, yv, gammaln, expit, xlogy = sp.j0, sp.j1, sp.jv, sp.y0, sp.y1, sp.yn, sp.yv, sp.gammaln, \
    sp.expit, sp.xlogy
kv, kve, k0, k1, k0e, k1e = sp.kv, sp.kve, sp.k0, sp.k1, sp.k0e, sp.k1e
sp_xlog1py, sp_betaln = sp.xlog1py, sp.betaln  # (xlog1py, betaln: the rules' own names)
# Aliases are one object (digamma is psi, jn is jv): registered once.
_DIGAMMA = list({id(f): f for f in (sp.digamma, sp.psi)}.values())
_JV = list({id(f): f for f in (sp.jv, sp.jn)}.values())
NONDIFF.register(no_derivative)


# ------------------------------------------------------------------------ support checks
def logsumexp_check(known):
    if known.get("return_sign", True) is not False:
        return "with return_sign=True (or not a literal): its sign output has no derivative"
    return None


def logsumexp_weighted_check(known):
    reason = logsumexp_check(known)
    na, nb = known.get("ndim:a"), known.get("ndim:b")
    if reason is None and na is not None and nb is not None and nb > na:
        return "with weights b of more dimensions than a: broadcast a to b's shape"
    return reason


# ------------------------------------------------------------------- reductions, softmax
@register(sp.logsumexp)
@supports(logsumexp_check)
def logsumexp(g, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    """a gets g softmax(a) along the axis."""
    return unreduce(g, a, axis) * np.exp(a - unreduce(ans, a, axis))


@register(sp.logsumexp)
@supports(logsumexp_weighted_check)
def logsumexp_weighted(g, ans, a, axis, b, keepdims=False, return_sign=False):
    """logsumexp(a, axis, b), b broadcasting to a's shape: a gets g b exp(a - ans), b
    g exp(a - ans)."""
    e = unreduce(g, a, axis) * np.exp(a - unreduce(ans, a, axis))
    return unbroadcast(e * b, a), None, unbroadcast(e, b)


@register(sp.softmax)
def softmax(g, ans, x, axis=None):
    return ans * (g - unreduce(np.sum(g * ans, axis), x, axis))


@register(sp.log_softmax)
def log_softmax(g, ans, x, axis=None):
    return g - np.exp(ans) * unreduce(np.sum(g, axis), x, axis)


# ---------------------------------------------------------------- logistic, information
@register(sp.expit)
def expit_rule(g, ans, x):
    return g * (ans * (1.0 - ans))


@register(sp.logit)
def logit(g, ans, x):
    return g / (x * (1.0 - x))


if hasattr(sp, "log_expit"):  # scipy >= 1.8
    @register(sp.log_expit)
    def log_expit(g, ans, x):
        """expit(-x): no cancellation for large |x|."""
        return g * expit(-x)


@register(sp.entr)
def entr(g, ans, x):
    return -g * (np.log(x) + 1.0)


@register(sp.xlogy)
def xlogy_rule(g, ans, x, y):
    return unbroadcast(g * np.log(y), x), unbroadcast(g * xdivy(x, y), y)


@register(sp.xlog1py)
def xlog1py(g, ans, x, y):
    return unbroadcast(g * np.log1p(y), x), unbroadcast(g * xdivy(x, 1.0 + y), y)


@register(sp.rel_entr)
def rel_entr(g, ans, x, y):
    return unbroadcast(g * (np.log(x / y) + 1.0), x), unbroadcast(-g * xdivy(x, y), y)


# --------------------------------------------------------------------- gamma and friends
@register(sp.gammaln, sp.loggamma)
def gammaln_rule(g, ans, x):
    return g * digamma(x)


@register(sp.gamma)
def gamma(g, ans, x):
    return g * (ans * digamma(x))


@register(sp.rgamma)
def rgamma(g, ans, x):
    return -g * (ans * digamma(x))


@register(*_DIGAMMA)
def digamma_rule(g, ans, x):
    return g * polygamma(1, x)


@register(sp.polygamma)
def polygamma_rule(g, ans, n, x):
    return (no_derivative(unbroadcast(g, n), n, "scipy.special.polygamma(n, x): no derivative in n"),
            unbroadcast(g * polygamma(n + 1, x), x))


@register(sp.multigammaln)
def multigammaln(g, ans, a, d=1):
    return g * multipolygamma(0, a, d)


@register(sp.betaln)
def betaln(g, ans, a, b):
    ab = digamma(a + b)
    return unbroadcast(g * (digamma(a) - ab), a), unbroadcast(g * (digamma(b) - ab), b)


@register(sp.beta)
def beta(g, ans, a, b):
    ab = digamma(a + b)
    return unbroadcast(g * ans * (digamma(a) - ab), a), unbroadcast(g * ans * (digamma(b) - ab), b)


@register(sp.gammainc)
def gammainc(g, ans, a, x):
    """x gets the gamma density x^(a-1) e^-x / gamma(a), formed in log space."""
    return (no_derivative(unbroadcast(g, a), a, "scipy.special.gammainc(a, x): no derivative in a"),
            unbroadcast(g * np.exp(xlogy(a - 1.0, x) - x - gammaln(a)), x))


@register(sp.gammaincc)
def gammaincc(g, ans, a, x):
    return (no_derivative(unbroadcast(g, a), a, "scipy.special.gammaincc(a, x): no derivative in a"),
            unbroadcast(-g * np.exp(xlogy(a - 1.0, x) - x - gammaln(a)), x))


# ---------------------------------------------------------------- error function, normal
@register(sp.erf)
def erf(g, ans, x):
    return g * ((2.0 / math.sqrt(math.pi)) * np.exp(-x * x))


@register(sp.erfc)
def erfc(g, ans, x):
    return g * ((-2.0 / math.sqrt(math.pi)) * np.exp(-x * x))


@register(sp.erfcx)
def erfcx(g, ans, x):
    return g * (2.0 * x * ans - 2.0 / math.sqrt(math.pi))


@register(sp.erfinv)
def erfinv(g, ans, x):
    return g * ((0.5 * math.sqrt(math.pi)) * np.exp(ans * ans))


@register(sp.erfcinv)
def erfcinv(g, ans, x):
    return g * ((-0.5 * math.sqrt(math.pi)) * np.exp(ans * ans))


@register(sp.ndtr)
def ndtr(g, ans, x):
    return g * (np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi))


@register(sp.log_ndtr)
def log_ndtr(g, ans, x):
    """The normal density over ndtr, as exp(-x^2/2 - log_ndtr(x)): finite far in the tail."""
    return g * (np.exp(-0.5 * x * x - ans) / math.sqrt(2.0 * math.pi))


@register(sp.ndtri)
def ndtri(g, ans, x):
    return g * (math.sqrt(2.0 * math.pi) * np.exp(0.5 * ans * ans))


# ------------------------------------------------------------------------------- Bessel
@register(sp.i0)
def i0_rule(g, ans, x):
    return g * i1(x)


@register(sp.i0e)
def i0e_rule(g, ans, x):
    return g * (i1e(x) - np.sign(x) * ans)


@register(sp.i1)
def i1_rule(g, ans, x):
    """(i0 + iv(2, .)) / 2: no division by x (i1'(0) = 1/2)."""
    return g * (0.5 * (i0(x) + iv(2.0, x)))


@register(sp.i1e)
def i1e_rule(g, ans, x):
    return g * (0.5 * (i0e(x) + ive(2.0, x)) - np.sign(x) * ans)


@register(sp.iv)
def iv_rule(g, ans, v, x):
    return (no_derivative(unbroadcast(g, v), v, "scipy.special.iv(v, x): no derivative in v"),
            unbroadcast(g * (0.5 * (iv(v - 1.0, x) + iv(v + 1.0, x))), x))


@register(sp.ive)
def ive_rule(g, ans, v, x):
    return (no_derivative(unbroadcast(g, v), v, "scipy.special.ive(v, x): no derivative in v"),
            unbroadcast(g * (0.5 * (ive(v - 1.0, x) + ive(v + 1.0, x)) - np.sign(x) * ans), x))


@register(sp.j0)
def j0_rule(g, ans, x):
    return -g * j1(x)


@register(sp.j1)
def j1_rule(g, ans, x):
    return g * (0.5 * (j0(x) - jv(2.0, x)))


@register(*_JV)
def jv_rule(g, ans, v, x):
    return (no_derivative(unbroadcast(g, v), v, "scipy.special.jv(v, x): no derivative in v"),
            unbroadcast(g * (0.5 * (jv(v - 1.0, x) - jv(v + 1.0, x))), x))


@register(sp.y0)
def y0_rule(g, ans, x):
    return -g * y1(x)


@register(sp.y1)
def y1_rule(g, ans, x):
    return g * (0.5 * (y0(x) - yn(2, x)))


@register(sp.yn)
def yn_rule(g, ans, n, x):
    return (no_derivative(unbroadcast(g, n), n, "scipy.special.yn(n, x): no derivative in n"),
            unbroadcast(g * (0.5 * (yn(n - 1, x) - yn(n + 1, x))), x))


@register(sp.yv)
def yv_rule(g, ans, v, x):
    return (no_derivative(unbroadcast(g, v), v, "scipy.special.yv(v, x): no derivative in v"),
            unbroadcast(g * (0.5 * (yv(v - 1.0, x) - yv(v + 1.0, x))), x))


@register(sp.kv)
def kv_rule(g, ans, v, x):
    return (no_derivative(unbroadcast(g, v), v, "scipy.special.kv(v, x): no derivative in v"),
            unbroadcast(g * (-0.5 * (kv(v - 1.0, x) + kv(v + 1.0, x))), x))


@register(sp.kve)
def kve_rule(g, ans, v, x):
    return (no_derivative(unbroadcast(g, v), v, "scipy.special.kve(v, x): no derivative in v"),
            unbroadcast(g * (ans - 0.5 * (kve(v - 1.0, x) + kve(v + 1.0, x))), x))


@register(sp.k0)
def k0_rule(g, ans, x):
    return -g * k1(x)


@register(sp.k1)
def k1_rule(g, ans, x):
    return g * (-0.5 * (k0(x) + kv(2.0, x)))


@register(sp.k0e)
def k0e_rule(g, ans, x):
    return g * (ans - k1e(x))


@register(sp.k1e)
def k1e_rule(g, ans, x):
    return g * (ans - 0.5 * (k0e(x) + kve(2.0, x)))


# ----------------------------------------------------- incomplete beta, Student's t cdf
@register(sp.betainc)
def betainc_rule(g, ans, a, b, x):
    """x gets the beta density x^(a-1) (1-x)^(b-1) / B(a, b), formed in log space."""
    return (no_derivative(unbroadcast(g, a), a, "scipy.special.betainc(a, b, x): no derivative in a"),
            no_derivative(unbroadcast(g, b), b, "scipy.special.betainc(a, b, x): no derivative in b"),
            unbroadcast(g * np.exp(xlogy(a - 1.0, x) + sp_xlog1py(b - 1.0, -x) - sp_betaln(a, b)), x))


@register(sp.betaincc)
def betaincc_rule(g, ans, a, b, x):
    return (no_derivative(unbroadcast(g, a), a, "scipy.special.betaincc(a, b, x): no derivative in a"),
            no_derivative(unbroadcast(g, b), b, "scipy.special.betaincc(a, b, x): no derivative in b"),
            unbroadcast(-g * np.exp(xlogy(a - 1.0, x) + sp_xlog1py(b - 1.0, -x) - sp_betaln(a, b)), x))


@register(sp.stdtr)
def stdtr_rule(g, ans, df, t):
    """t gets Student's t density with df degrees of freedom."""
    half = 0.5 * (df + 1.0)
    dens = np.exp(gammaln(half) - gammaln(0.5 * df) - 0.5 * np.log(df * math.pi) - half * np.log1p(t * t / df))
    return (no_derivative(unbroadcast(g, df), df, "scipy.special.stdtr(df, t): no derivative in df"),
            unbroadcast(g * dens, t))


NONDIFF.register(sp.gammasgn)  # piecewise constant


# ------------------------------------------------------------------ rules of the helpers
@register(xdivy)
def xdivy_rule(g, ans, x, y):
    return unbroadcast(g / y, x), unbroadcast(-g * xdivy(x, y * y), y)


@register(multipolygamma)
def multipolygamma_rule(g, ans, n, a, d=1):
    return None, g * multipolygamma(n + 1, a, d)
