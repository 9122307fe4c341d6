"""The corpus programs that reverse mode differentiates, the ones it does not yet, and a
central-difference oracle (float64) shared by the gradient tests."""
import numpy as np
import pytest

from corpus import CASES

GRAD_CASES = [c for c in CASES if "scalar_out" in c.tags]

# Corpus programs reverse mode does not handle yet, each with the reason (strict: a fix
# shows up as an unexpected pass and the entry must go).
NOT_YET = {}


def _params(cases):
    return [
        pytest.param(c, id=c.name, marks=[pytest.mark.xfail(reason=NOT_YET[c.name], strict=True)] if c.name in NOT_YET else [])
        for c in cases
    ]


def central_difference(fn, args, argnum, eps=1e-6):
    """d fn / d args[argnum] by central differences, element by element (float64)."""
    x = np.asarray(args[argnum], dtype=np.float64)
    out = np.zeros(x.shape)
    for i in np.ndindex(x.shape) if x.shape else [()]:
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        a_up, a_down = list(args), list(args)
        a_up[argnum] = up if x.shape else float(up)
        a_down[argnum] = down if x.shape else float(down)
        out[i] = (fn(*a_up) - fn(*a_down)) / (2 * eps)
    return out if x.shape else float(out)


def central_jacobian(fn, x, eps=1e-6):
    """d fn(x) / d x by central differences for a flat float64 vector x: the output's
    shape followed by x's one axis (a scalar output gives the gradient)."""
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        cols.append((np.asarray(fn(x + e)) - np.asarray(fn(x - e))) / (2 * eps))
    return np.stack(cols, axis=-1)
