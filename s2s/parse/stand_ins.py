"""Library functions s2s transforms through a NumPy source of its own ("stand-ins"): where
the user's code calls `scipy.stats.norm.logpdf(x, mu, sigma)`, resolve makes it a call of
parse/stand_in_stats.py's `norm_logpdf`, which then joins the program like a helper of the
user's (differentiated, batched and compiled from its source).

Covered: the pdf/logpdf (pmf/logpmf) and, where they are elementary or a scipy.special
function with a rule (gammainc, betainc, stdtr), cdf/logcdf/sf/logsf/ppf of the distribution
objects norm, t, chi2, cauchy, logistic, laplace, expon, gamma, beta, poisson,
multivariate_normal (and its entropy) and dirichlet, frozen ones too (`norm(0, 2).logpdf`, made outside the
transformed function: their parameters are constants); other
methods stay what they are (and are refused by the derivative rules by name). And the
functions of scipy.linalg in parse/stand_in_linalg.py: solve_triangular, cholesky,
cho_factor, cho_solve, solve, inv, det, expm, lstsq, eigh, eigvalsh (the standard problem),
solve_banded; and np.linalg.lstsq, tensorinv, tensorsolve, the arithmetic ufuncs' `outer` (np.multiply.outer ...) and
np.vander, np.histogram, math.fsum, math.prod, np.maximum/minimum.accumulate, np.linalg.cond, np.polyfit (parse/stand_in_numpy.py);
np.unwrap, np.choose, np.broadcast_arrays, np.apply_along_axis and what parse/macros.py rewrites
np.gradient, np.vectorize, sorted and the in-place functions to (parse/stand_in_arrays.py).
"""
_LINALG = ("solve_triangular", "cholesky", "cho_factor", "cho_solve", "solve", "inv", "det", "expm", "lstsq", "eigh",
           "eigvalsh", "solve_banded")
# NumPy functions with a stand-in: the attribute path under numpy -> (module, the stand-in's name)
_OUTER = ("add", "subtract", "multiply", "divide", "true_divide", "power", "maximum", "minimum", "hypot", "arctan2",
          "logaddexp")
_NUMPY = {("linalg", "lstsq"): ("stand_in_linalg", "np_lstsq"), ("vander",): ("stand_in_numpy", "vander"),
          ("linalg", "tensorinv"): ("stand_in_linalg", "np_tensorinv"), ("histogram",): ("stand_in_numpy", "histogram"),
          ("linalg", "tensorsolve"): ("stand_in_linalg", "np_tensorsolve"),
          **{(n,): ("stand_in_arrays", n) for n in ("unwrap", "choose", "broadcast_arrays")},
          ("maximum", "accumulate"): ("stand_in_numpy", "maximum_accumulate"),
          ("minimum", "accumulate"): ("stand_in_numpy", "minimum_accumulate"),
          ("linalg", "cond"): ("stand_in_numpy", "linalg_cond"), ("polyfit",): ("stand_in_numpy", "polyfit"),
          ("apply_along_axis",): ("stand_in_arrays", "apply_along_axis"),
          **{(u, "outer"): ("stand_in_numpy", ("divide" if u == "true_divide" else u) + "_outer") for u in _OUTER}}


_MATH = {"fsum": ("stand_in_numpy", "math_fsum"), "prod": ("stand_in_numpy", "math_prod")}


def math_stand_in(attr):
    """The stand-in for math.<attr> (`math.fsum`), else None."""
    entry = _MATH.get(attr)
    if entry is None:
        return None
    import importlib

    return getattr(_marked(importlib.import_module(f"{__package__}.{entry[0]}")), entry[1])


def numpy_stand_in(attrs):
    """The stand-in for numpy.<attrs...> (`np.linalg.lstsq`, `np.multiply.outer`), else None."""
    for n in (2, 1):
        entry = _NUMPY.get(tuple(attrs[:n]))
        if entry is not None and len(attrs) >= n:
            import importlib

            module = importlib.import_module(f"{__package__}.{entry[0]}")
            return getattr(_marked(module), entry[1]), n
    return None


def stand_in_function(value):
    """The stand-in for a scipy.linalg function `value`, else None."""
    name = getattr(value, "__name__", None)
    module = getattr(value, "__module__", None) or ""
    if name not in _LINALG or not module.startswith("scipy.linalg"):
        return None
    import scipy.linalg

    if getattr(scipy.linalg, name, None) is not value:
        return None
    from . import stand_in_linalg

    return getattr(_marked(stand_in_linalg), name)


def _marked(module):
    """`module`, its functions marked as s2s's own sources to transform as a user's helpers
    (they call each other: norm_pdf calls norm_logpdf)."""
    for value in vars(module).values():
        if callable(value) and getattr(value, "__module__", None) == module.__name__:
            value.__s2s_function__ = value
    return module


def stand_in(owner, attr):
    """The stand-in function for `owner.attr` where `owner` is one of scipy.stats'
    distribution objects (a frozen one, `norm(0, 2)`: the stand-in with its parameters bound,
    a functools.partial), else None."""
    cls = type(owner)
    if (cls.__module__ or "").startswith("scipy.stats") and cls.__name__.endswith("_frozen") and hasattr(owner, "dist"):
        fn = stand_in(owner.dist, attr)
        if fn is None:
            return None
        import functools
        import inspect

        names = list(inspect.signature(fn).parameters)[1:]  # after the point x
        if len(owner.args) > len(names):
            return None
        return functools.partial(fn, **dict(zip(names, owner.args)), **owner.kwds)
    if not (cls.__module__ or "").startswith("scipy.stats") or not cls.__name__.endswith("_gen"):
        return None
    from . import stand_in_stats

    fn = getattr(_marked(stand_in_stats), f"{cls.__name__[:-4]}_{attr}", None)
    return fn if callable(fn) else None
