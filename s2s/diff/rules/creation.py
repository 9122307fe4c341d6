"""VJP rules of the array-creation functions whose values come from differentiable
arguments: np.linspace (its start and stop), np.full (its fill value) and np.full_like
(its fill value; the template array gives only a shape). The other creation functions
(zeros, ones, arange, eye, ...) are constants (nondiff.py).

np.linspace is differentiated along axis 0 (the default) with a literal `num`, `endpoint`
and `retstep=False`: sample j is start + (stop - start) t_j, t_j = j / (num - 1) (or j / num
without the endpoint), so start gets sum_j g_j (1 - t_j) and stop sum_j g_j t_j.
"""
import numpy as np

from ..registry import VJP_RULES, supports
from ..runtime import linspace_t, unbroadcast

register = VJP_RULES.register


def linspace_check(known):
    if known.get("retstep", True) is not False:
        return "with retstep=True (or not a literal)"
    if known.get("axis", 1) != 0:
        return "along an axis other than 0 (or not a literal)"
    if not isinstance(known.get("endpoint"), bool):
        return "with an endpoint that is not a literal"
    return None


@register(np.linspace)
@supports(linspace_check)
def linspace(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    t = linspace_t(ans, num, endpoint)
    return unbroadcast(g * (1.0 - t), start), unbroadcast(g * t, stop)


@register(np.full)
def full(g, ans, shape, fill_value, dtype=None):
    """The shape gets None."""
    return None, unbroadcast(g, fill_value)


@register(np.full_like)
def full_like(g, ans, a, fill_value, dtype=None):
    """`a` gives only the shape."""
    return None, unbroadcast(g, fill_value)
