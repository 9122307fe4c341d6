"""Batch rules of scipy.special (registered only where scipy is installed: __init__.py) and
of the helpers its derivative rules call (s2s/diff/runtime_special.py). The elementwise
functions broadcast like NumPy's ufuncs (elementwise.py) and give floats; logsumexp,
softmax and log_softmax move their axis one place right, and without an axis work on the
example flattened to a row (as reductions.py):

    logsumexp(x)               ->  logsumexp(np.reshape(np.ascontiguousarray(x), (n, ...)), axis=1)
    softmax(x, axis=0)         ->  softmax(x, axis=1)
    softmax(A)                 ->  softmax(rows, axis=1).reshape(A.shape)

logsumexp's weights b= are batched with an int axis only (else loop batching).
"""
from scipy import special as sp

from ...diff import runtime_special as rs
from .base import register
from .reductions import _rows

_ELEMENTWISE = ["expit", "logit", "log_expit", "entr", "xlogy", "xlog1py", "rel_entr", "gammaln", "loggamma",
                "gamma", "rgamma", "psi", "polygamma", "multigammaln", "betaln", "beta", "gammainc",
                "gammaincc", "erf", "erfc", "erfcx", "erfinv", "erfcinv", "ndtr", "log_ndtr", "ndtri", "i0", "i0e",
                "i1", "i1e", "iv", "ive", "j0", "j1", "jv", "y0", "y1", "yn", "yv", "kv", "kve", "k0", "k0e", "k1",
                "k1e", "betainc", "betaincc", "stdtr", "gammasgn"]


def _elementwise(c, *ops):
    texts, rank = c.broadcast(ops)
    if not c.batched:
        return c.keep(rank, "f")
    return c.out(f"{c.func}({', '.join(texts)})", rank, "f")


register(list({id(f): f for f in (getattr(sp, n) for n in _ELEMENTWISE if hasattr(sp, n))}.values())
         + [rs.xdivy, rs.multipolygamma], _elementwise)


def _no_derivative(c, ct, x, message=""):
    """The zero (or raising) contribution through an order: ct's batching."""
    if not c.batched:
        return c.keep(ct.rank, "f")
    return c.out(f"{c.func}({ct}, {x}, {message})", ct.rank, "f", batched=ct.batched)


register([rs.no_derivative], _no_derivative)


def _reduced_rank(r, axis, keepdims):
    if keepdims or r is None:
        return r
    if axis is None:
        return 0
    return r - (len(axis) if isinstance(axis, tuple) else 1)


def _logsumexp(c, a, axis=None, b=None, keepdims=False, return_sign=False):
    axis = c.const(axis, "axis")
    axis = tuple(axis) if isinstance(axis, list) else axis
    keepdims = bool(c.const(keepdims, "keepdims", False))
    if c.const(return_sign, "return_sign", False):
        c.fail("logsumexp with return_sign=True")
    rank = _reduced_rank(a.rank, axis, keepdims)
    if not c.batched:
        return c.keep(rank, "f")
    keep = ", keepdims=True" if keepdims else ""
    if b is not None and not (b.is_const and b.value is None):
        if axis is None or isinstance(axis, tuple):
            c.fail("logsumexp with weights b= and no int axis")
        c.need_rank(a, b)
        if b.rank > a.rank:
            c.fail("logsumexp with weights b= of more dimensions than a")
        at = a.text if a.batched else c.bcast(a)
        bt = c.expand(b, a.rank) if b.batched else b.text
        return c.out(f"{c.func}({at}, axis={c.shift(axis)!r}, b={bt}{keep})", rank, "f")
    if axis is not None:
        return c.out(f"{c.func}({a}, axis={c.shift(axis)!r}{keep})", rank, "f")
    text = f"{c.func}({_rows(c, a)}, axis=1)"
    if keepdims and a.rank:
        text = f"({text})[:{', None' * a.rank}]"
    return c.out(text, rank, "f")


def _softmax(c, x, axis=None):
    axis = c.const(axis, "axis")
    if not c.batched:
        return c.keep(x.rank, "f")
    if axis is not None:
        return c.out(f"{c.func}({x}, axis={c.shift(axis)!r})", x.rank, "f")
    return c.out(f"{c.func}({_rows(c, x)}, axis=1).reshape({x}.shape)", x.rank, "f")


register([sp.logsumexp], _logsumexp)
register([sp.softmax, sp.log_softmax], _softmax)
