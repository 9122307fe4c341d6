"""Library functions s2s transforms through a NumPy source of its own ("stand-ins"): where
the user's code calls `scipy.stats.norm.logpdf(x, mu, sigma)`, resolve makes it a call of
parse/stand_in_stats.py's `norm_logpdf`, which then joins the program like a helper of the
user's (differentiated, batched and compiled from its source).

Covered: the pdf/logpdf (pmf/logpmf) and, where they are elementary, cdf/logcdf/sf/logsf/ppf
of the distribution objects norm, t, cauchy, logistic, laplace, expon, gamma, beta, poisson,
multivariate_normal and dirichlet (not frozen distributions such as `norm(0, 1)`); other
methods stay what they are (and are refused by the derivative rules by name).
"""


def stand_in(owner, attr):
    """The stand-in function for `owner.attr` where `owner` is one of scipy.stats'
    distribution objects, else None."""
    cls = type(owner)
    if not (cls.__module__ or "").startswith("scipy.stats") or not cls.__name__.endswith("_gen"):
        return None
    from . import stand_in_stats

    fn = getattr(stand_in_stats, f"{cls.__name__[:-4]}_{attr}", None)
    if fn is None or not callable(fn):
        return None
    fn.__s2s_function__ = fn  # s2s's own source, transformed as a user's helper
    return fn
