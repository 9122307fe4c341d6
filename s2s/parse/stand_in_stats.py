"""NumPy sources standing in for scipy.stats distributions' methods inside transformed code
(parse/stand_ins.py maps `scipy.stats.norm.logpdf` & co. to these). s2s reads and
transforms them like the user's own helpers, so their derivatives (any order), batching and
numba forms come from the rules of the NumPy and scipy.special functions they call.

Each follows scipy's formula and signature (`loc`, `scale` as keywords or positions);
outside a distribution's support the log-density is -inf and the density 0, as scipy's.
Not checked, unlike scipy (which returns nan): a positive scale and valid shape parameters.
"""
import math

import numpy as np
from scipy import special as sp

_LOG_2PI = math.log(2.0 * math.pi)


# -- norm ---------------------------------------------------------------------------------
def norm_logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return -0.5 * z * z - np.log(scale) - 0.5 * _LOG_2PI


def norm_pdf(x, loc=0.0, scale=1.0):
    return np.exp(norm_logpdf(x, loc, scale))


def norm_cdf(x, loc=0.0, scale=1.0):
    return sp.ndtr((x - loc) / scale)


def norm_logcdf(x, loc=0.0, scale=1.0):
    return sp.log_ndtr((x - loc) / scale)


def norm_sf(x, loc=0.0, scale=1.0):
    return sp.ndtr((loc - x) / scale)


def norm_logsf(x, loc=0.0, scale=1.0):
    return sp.log_ndtr((loc - x) / scale)


def norm_ppf(q, loc=0.0, scale=1.0):
    return loc + scale * sp.ndtri(q)


def norm_isf(q, loc=0.0, scale=1.0):
    return loc - scale * sp.ndtri(q)


# -- t ------------------------------------------------------------------------------------
def t_logpdf(x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    half = 0.5 * (df + 1.0)
    return (sp.gammaln(half) - sp.gammaln(0.5 * df) - 0.5 * np.log(df * math.pi) - np.log(scale)
            - half * np.log1p(z * z / df))


def t_pdf(x, df, loc=0.0, scale=1.0):
    return np.exp(t_logpdf(x, df, loc, scale))


def t_cdf(x, df, loc=0.0, scale=1.0):
    return sp.stdtr(df, (x - loc) / scale)


def t_logcdf(x, df, loc=0.0, scale=1.0):
    return np.log(sp.stdtr(df, (x - loc) / scale))


def t_sf(x, df, loc=0.0, scale=1.0):
    return sp.stdtr(df, (loc - x) / scale)


def t_logsf(x, df, loc=0.0, scale=1.0):
    return np.log(sp.stdtr(df, (loc - x) / scale))


# -- cauchy, logistic, laplace --------------------------------------------------------------
def cauchy_logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return -np.log(math.pi * scale * (1.0 + z * z))


def cauchy_pdf(x, loc=0.0, scale=1.0):
    return np.exp(cauchy_logpdf(x, loc, scale))


def cauchy_cdf(x, loc=0.0, scale=1.0):
    return 0.5 + np.arctan((x - loc) / scale) / math.pi


def logistic_logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return sp.log_expit(z) + sp.log_expit(-z) - np.log(scale)


def logistic_pdf(x, loc=0.0, scale=1.0):
    return np.exp(logistic_logpdf(x, loc, scale))


def logistic_cdf(x, loc=0.0, scale=1.0):
    return sp.expit((x - loc) / scale)


def laplace_logpdf(x, loc=0.0, scale=1.0):
    return -np.abs(x - loc) / scale - np.log(2.0 * scale)


def laplace_pdf(x, loc=0.0, scale=1.0):
    return np.exp(laplace_logpdf(x, loc, scale))


def laplace_cdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return np.where(z < 0.0, 0.5 * np.exp(np.minimum(z, 0.0)), 1.0 - 0.5 * np.exp(-np.maximum(z, 0.0)))


# -- expon, gamma, beta (supported on z >= 0, and z <= 1 for beta) --------------------------
def expon_logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return np.where(z >= 0.0, -z - np.log(scale), -np.inf)


def expon_pdf(x, loc=0.0, scale=1.0):
    return np.exp(expon_logpdf(x, loc, scale))


def expon_cdf(x, loc=0.0, scale=1.0):
    return -np.expm1(-np.maximum((x - loc) / scale, 0.0))


def gamma_logpdf(x, a, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    inside = z >= 0.0
    zin = np.where(inside, z, 1.0)
    return np.where(inside, sp.xlogy(a - 1.0, zin) - zin - sp.gammaln(a) - np.log(scale), -np.inf)


def gamma_pdf(x, a, loc=0.0, scale=1.0):
    return np.exp(gamma_logpdf(x, a, loc, scale))


def gamma_cdf(x, a, loc=0.0, scale=1.0):
    return sp.gammainc(a, np.maximum((x - loc) / scale, 0.0))


def beta_logpdf(x, a, b, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    inside = (z >= 0.0) & (z <= 1.0)
    zin = np.where(inside, z, 0.5)
    return np.where(inside, sp.xlogy(a - 1.0, zin) + sp.xlog1py(b - 1.0, -zin) - sp.betaln(a, b) - np.log(scale),
                    -np.inf)


def beta_pdf(x, a, b, loc=0.0, scale=1.0):
    return np.exp(beta_logpdf(x, a, b, loc, scale))


def beta_cdf(x, a, b, loc=0.0, scale=1.0):
    return sp.betainc(a, b, np.clip((x - loc) / scale, 0.0, 1.0))


def beta_sf(x, a, b, loc=0.0, scale=1.0):
    return sp.betaincc(a, b, np.clip((x - loc) / scale, 0.0, 1.0))


# -- chi2 (the gamma distribution of shape df/2, scale 2) ------------------------------------
def chi2_logpdf(x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    inside = z > 0.0
    zin = np.where(inside, z, 1.0)
    half = 0.5 * df
    return np.where(inside, sp.xlogy(half - 1.0, zin) - 0.5 * zin - half * math.log(2.0) - sp.gammaln(half)
                    - np.log(scale), -np.inf)


def chi2_pdf(x, df, loc=0.0, scale=1.0):
    return np.exp(chi2_logpdf(x, df, loc, scale))


def chi2_cdf(x, df, loc=0.0, scale=1.0):
    return sp.gammainc(0.5 * df, 0.5 * np.maximum((x - loc) / scale, 0.0))


def chi2_logcdf(x, df, loc=0.0, scale=1.0):
    return np.log(chi2_cdf(x, df, loc, scale))


def chi2_sf(x, df, loc=0.0, scale=1.0):
    return sp.gammaincc(0.5 * df, 0.5 * np.maximum((x - loc) / scale, 0.0))


def chi2_logsf(x, df, loc=0.0, scale=1.0):
    return np.log(chi2_sf(x, df, loc, scale))


# -- poisson (k: counts) --------------------------------------------------------------------
def poisson_logpmf(k, mu, loc=0):
    n = k - loc
    return sp.xlogy(n, mu) - sp.gammaln(n + 1.0) - mu


def poisson_pmf(k, mu, loc=0):
    return np.exp(poisson_logpmf(k, mu, loc))


def poisson_cdf(k, mu, loc=0):
    """P(K <= k) = Q(floor(k) + 1, mu) (0 below the support)."""
    n = np.floor(k - loc)
    return np.where(n >= 0.0, sp.gammaincc(np.maximum(n, 0.0) + 1.0, mu), 0.0 * mu)


def poisson_sf(k, mu, loc=0):
    n = np.floor(k - loc)
    return np.where(n >= 0.0, sp.gammainc(np.maximum(n, 0.0) + 1.0, mu), 1.0 + 0.0 * mu)


def poisson_logcdf(k, mu, loc=0):
    return np.log(poisson_cdf(k, mu, loc))


# -- multivariate_normal, dirichlet -----------------------------------------------------------
def multivariate_normal_logpdf(x, mean=0.0, cov=1.0, allow_singular=False):
    """x: one point (k,) or rows of points (n, k); cov: (k, k) (a scalar or a (k,) vector:
    its multiple of / diagonal matrix)."""
    dev = x - mean
    k = np.shape(dev)[-1]
    # a scalar or a vector cov is that multiple of / diagonal of the identity (both branches
    # are matrices, for numba, which types the branch not taken too)
    c = cov * np.eye(k) if np.asarray(cov).ndim < 2 else cov * np.ones((k, k))
    c = np.tril(c) + np.tril(c, -1).T  # scipy reads the lower triangle (its derivative too)
    maha = np.sum(dev * (dev @ np.linalg.inv(c)), axis=-1)
    return -0.5 * (k * _LOG_2PI + np.linalg.slogdet(c)[1] + maha)


def multivariate_normal_pdf(x, mean=0.0, cov=1.0, allow_singular=False):
    return np.exp(multivariate_normal_logpdf(x, mean, cov, allow_singular))


def multivariate_normal_entropy(mean=None, cov=1.0, allow_singular=False):
    """0.5 * log det(2 pi e cov) (cov (k, k); a scalar is 1-d)."""
    c = cov * np.ones((1, 1)) if np.asarray(cov).ndim < 2 else cov
    c = np.tril(c) + np.tril(c, -1).T
    k = c.shape[-1]
    return 0.5 * (k * (_LOG_2PI + 1.0) + np.linalg.slogdet(c)[1])


def dirichlet_logpdf(x, alpha):
    """x: a point of the simplex (k,), or points as columns (k, n), as scipy's."""
    # (points as rows of x.T: alpha broadcasts along the last axis, whatever x's rank)
    return np.sum(sp.xlogy(alpha - 1.0, np.transpose(x)), axis=-1) + sp.gammaln(np.sum(alpha)) - np.sum(sp.gammaln(alpha))


def dirichlet_pdf(x, alpha):
    return np.exp(dirichlet_logpdf(x, alpha))
