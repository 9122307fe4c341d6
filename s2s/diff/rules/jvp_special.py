"""JVP rules of rules/special.py (scipy.special and its runtime helpers), one per VJP rule
with the same inputs, options and `supports` checks: `dx * f'(x)` with the VJP's
derivatives (so its conventions: no derivative in an order or in gammainc's a -- the
tangent term raises DerivativeUnavailable where that input has one --, 0 y-derivative of
xlogy where x == 0, ...). logsumexp weighs the tangent by softmax and sums it back with
`reduce_to`; softmax and log_softmax subtract the softmax-weighted mean of the tangent.
"""
import math

import numpy as np
from scipy import special as sp

from ..registry import JVP_RULES, supports
from ..runtime import reduce_to, unreduce
from ..runtime_special import multipolygamma, no_derivative, xdivy
from .special import _DIGAMMA, _JV, logsumexp_check, logsumexp_weighted_check

register = JVP_RULES.register
kv, kve, k0, k1, k0e, k1e = sp.kv, sp.kve, sp.k0, sp.k1, sp.k0e, sp.k1e
sp_xlog1py, sp_betaln = sp.xlog1py, sp.betaln  # (xlog1py, betaln: the rules' own names)
digamma, polygamma, i0, i1, i0e, i1e, iv, ive = sp.digamma, sp.polygamma, sp.i0, sp.i1, sp.i0e, sp.i1e, sp.iv, sp.ive
j0, j1, jv, y0, y1, yn, yv, gammaln, expit, xlogy = sp.j0, sp.j1, sp.jv, sp.y0, sp.y1, sp.yn, sp.yv, sp.gammaln, \
    sp.expit, sp.xlogy


# ------------------------------------------------------------------- reductions, softmax
@register(sp.logsumexp)
@supports(logsumexp_check)
def logsumexp(ans, a, da, axis=None, b=None, keepdims=False, return_sign=False):
    return reduce_to(da * np.exp(a - unreduce(ans, a, axis)), ans, axis)


@register(sp.logsumexp)
@supports(logsumexp_weighted_check)
def logsumexp_weighted(ans, a, axis, b, da, daxis, db, keepdims=False, return_sign=False):
    e = np.exp(a - unreduce(ans, a, axis))
    return reduce_to(da * (e * b) + db * e, ans, axis)


@register(sp.softmax)
def softmax(ans, x, dx, axis=None):
    return ans * (dx - unreduce(np.sum(dx * ans, axis), x, axis))


@register(sp.log_softmax)
def log_softmax(ans, x, dx, axis=None):
    return dx - unreduce(np.sum(dx * np.exp(ans), axis), x, axis)


# ---------------------------------------------------------------- logistic, information
@register(sp.expit)
def expit_rule(ans, x, dx):
    return dx * (ans * (1.0 - ans))


@register(sp.logit)
def logit(ans, x, dx):
    return dx / (x * (1.0 - x))


if hasattr(sp, "log_expit"):  # scipy >= 1.8
    @register(sp.log_expit)
    def log_expit(ans, x, dx):
        return dx * expit(-x)


@register(sp.entr)
def entr(ans, x, dx):
    return dx * -(np.log(x) + 1.0)


@register(sp.xlogy)
def xlogy_rule(ans, x, y, dx, dy):
    return dx * np.log(y) + dy * xdivy(x, y)


@register(sp.xlog1py)
def xlog1py(ans, x, y, dx, dy):
    return dx * np.log1p(y) + dy * xdivy(x, 1.0 + y)


@register(sp.rel_entr)
def rel_entr(ans, x, y, dx, dy):
    return dx * (np.log(x / y) + 1.0) - dy * xdivy(x, y)


# --------------------------------------------------------------------- gamma and friends
@register(sp.gammaln, sp.loggamma)
def gammaln_rule(ans, x, dx):
    return dx * digamma(x)


@register(sp.gamma)
def gamma(ans, x, dx):
    return dx * (ans * digamma(x))


@register(sp.rgamma)
def rgamma(ans, x, dx):
    return dx * -(ans * digamma(x))


@register(*_DIGAMMA)
def digamma_rule(ans, x, dx):
    return dx * polygamma(1, x)


@register(sp.polygamma)
def polygamma_rule(ans, n, x, dn, dx):
    return (no_derivative(dn, n, "scipy.special.polygamma(n, x): no derivative in n")
            + dx * polygamma(n + 1, x))


@register(sp.multigammaln)
def multigammaln(ans, a, da, d=1):
    return da * multipolygamma(0, a, d)


@register(sp.betaln)
def betaln(ans, a, b, da, db):
    ab = digamma(a + b)
    return da * (digamma(a) - ab) + db * (digamma(b) - ab)


@register(sp.beta)
def beta(ans, a, b, da, db):
    ab = digamma(a + b)
    return da * (ans * (digamma(a) - ab)) + db * (ans * (digamma(b) - ab))


@register(sp.gammainc)
def gammainc(ans, a, x, da, dx):
    return (no_derivative(da, a, "scipy.special.gammainc(a, x): no derivative in a")
            + dx * np.exp(xlogy(a - 1.0, x) - x - gammaln(a)))


@register(sp.gammaincc)
def gammaincc(ans, a, x, da, dx):
    return (no_derivative(da, a, "scipy.special.gammaincc(a, x): no derivative in a")
            - dx * np.exp(xlogy(a - 1.0, x) - x - gammaln(a)))


# ---------------------------------------------------------------- error function, normal
@register(sp.erf)
def erf(ans, x, dx):
    return dx * ((2.0 / math.sqrt(math.pi)) * np.exp(-x * x))


@register(sp.erfc)
def erfc(ans, x, dx):
    return dx * ((-2.0 / math.sqrt(math.pi)) * np.exp(-x * x))


@register(sp.erfcx)
def erfcx(ans, x, dx):
    return dx * (2.0 * x * ans - 2.0 / math.sqrt(math.pi))


@register(sp.erfinv)
def erfinv(ans, x, dx):
    return dx * ((0.5 * math.sqrt(math.pi)) * np.exp(ans * ans))


@register(sp.erfcinv)
def erfcinv(ans, x, dx):
    return dx * ((-0.5 * math.sqrt(math.pi)) * np.exp(ans * ans))


@register(sp.ndtr)
def ndtr(ans, x, dx):
    return dx * (np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi))


@register(sp.log_ndtr)
def log_ndtr(ans, x, dx):
    return dx * (np.exp(-0.5 * x * x - ans) / math.sqrt(2.0 * math.pi))


@register(sp.ndtri)
def ndtri(ans, x, dx):
    return dx * (math.sqrt(2.0 * math.pi) * np.exp(0.5 * ans * ans))


# ------------------------------------------------------------------------------- Bessel
@register(sp.i0)
def i0_rule(ans, x, dx):
    return dx * i1(x)


@register(sp.i0e)
def i0e_rule(ans, x, dx):
    return dx * (i1e(x) - np.sign(x) * ans)


@register(sp.i1)
def i1_rule(ans, x, dx):
    return dx * (0.5 * (i0(x) + iv(2.0, x)))


@register(sp.i1e)
def i1e_rule(ans, x, dx):
    return dx * (0.5 * (i0e(x) + ive(2.0, x)) - np.sign(x) * ans)


@register(sp.iv)
def iv_rule(ans, v, x, dv, dx):
    return (no_derivative(dv, v, "scipy.special.iv(v, x): no derivative in v")
            + dx * (0.5 * (iv(v - 1.0, x) + iv(v + 1.0, x))))


@register(sp.ive)
def ive_rule(ans, v, x, dv, dx):
    return (no_derivative(dv, v, "scipy.special.ive(v, x): no derivative in v")
            + dx * (0.5 * (ive(v - 1.0, x) + ive(v + 1.0, x)) - np.sign(x) * ans))


@register(sp.j0)
def j0_rule(ans, x, dx):
    return dx * -j1(x)


@register(sp.j1)
def j1_rule(ans, x, dx):
    return dx * (0.5 * (j0(x) - jv(2.0, x)))


@register(*_JV)
def jv_rule(ans, v, x, dv, dx):
    return (no_derivative(dv, v, "scipy.special.jv(v, x): no derivative in v")
            + dx * (0.5 * (jv(v - 1.0, x) - jv(v + 1.0, x))))


@register(sp.y0)
def y0_rule(ans, x, dx):
    return dx * -y1(x)


@register(sp.y1)
def y1_rule(ans, x, dx):
    return dx * (0.5 * (y0(x) - yn(2, x)))


@register(sp.yn)
def yn_rule(ans, n, x, dn, dx):
    return (no_derivative(dn, n, "scipy.special.yn(n, x): no derivative in n")
            + dx * (0.5 * (yn(n - 1, x) - yn(n + 1, x))))


@register(sp.yv)
def yv_rule(ans, v, x, dv, dx):
    return (no_derivative(dv, v, "scipy.special.yv(v, x): no derivative in v")
            + dx * (0.5 * (yv(v - 1.0, x) - yv(v + 1.0, x))))


# ------------------------------------------------------------------ rules of the helpers
@register(xdivy)
def xdivy_rule(ans, x, y, dx, dy):
    return dx / y - dy * xdivy(x, y * y)


@register(multipolygamma)
def multipolygamma_rule(ans, n, a, dn, da, d=1):
    return da * multipolygamma(n + 1, a, d)


@register(sp.kv)
def kv_rule(ans, v, x, dv, dx):
    return no_derivative(dv, v, "scipy.special.kv(v, x): no derivative in v") + dx * (
        -0.5 * (kv(v - 1.0, x) + kv(v + 1.0, x)))


@register(sp.kve)
def kve_rule(ans, v, x, dv, dx):
    return no_derivative(dv, v, "scipy.special.kve(v, x): no derivative in v") + dx * (
        ans - 0.5 * (kve(v - 1.0, x) + kve(v + 1.0, x)))


@register(sp.k0)
def k0_rule(ans, x, dx):
    return -dx * k1(x)


@register(sp.k1)
def k1_rule(ans, x, dx):
    return dx * (-0.5 * (k0(x) + kv(2.0, x)))


@register(sp.k0e)
def k0e_rule(ans, x, dx):
    return dx * (ans - k1e(x))


@register(sp.k1e)
def k1e_rule(ans, x, dx):
    return dx * (ans - 0.5 * (k0e(x) + kve(2.0, x)))


@register(sp.betainc)
def betainc_rule(ans, a, b, x, da, db, dx):
    return (no_derivative(da, a, "scipy.special.betainc(a, b, x): no derivative in a")
            + no_derivative(db, b, "scipy.special.betainc(a, b, x): no derivative in b")
            + dx * np.exp(xlogy(a - 1.0, x) + sp_xlog1py(b - 1.0, -x) - sp_betaln(a, b)))


@register(sp.betaincc)
def betaincc_rule(ans, a, b, x, da, db, dx):
    return (no_derivative(da, a, "scipy.special.betaincc(a, b, x): no derivative in a")
            + no_derivative(db, b, "scipy.special.betaincc(a, b, x): no derivative in b")
            - dx * np.exp(xlogy(a - 1.0, x) + sp_xlog1py(b - 1.0, -x) - sp_betaln(a, b)))


@register(sp.stdtr)
def stdtr_rule(ans, df, t, ddf, dt):
    half = 0.5 * (df + 1.0)
    dens = np.exp(gammaln(half) - gammaln(0.5 * df) - 0.5 * np.log(df * math.pi) - half * np.log1p(t * t / df))
    return no_derivative(ddf, df, "scipy.special.stdtr(df, t): no derivative in df") + dt * dens
