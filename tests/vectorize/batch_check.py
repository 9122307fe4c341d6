"""JAX's batching check for array batching: `vmap(f, in_axes, out_axes)(*args)` equals
stacking f over slices, for a strategy, in the pure-Python path and compiled; which
strategy the chooser picked.

The reference never goes through s2s (tests/test_vmap.py's `_reference`: np.take per
example, the original f, np.stack along out_axes).
"""
import numpy as np

import s2s
from test_vmap import _batch, _in_axes_combos, _reference, assert_tree_close

B = 3


def vecs(*shapes, low=None, high=None, ints=()):
    """Example factory: floats for `()`, arrays of `shapes`; positions in `ints` are
    integer scalars in [0, 3)."""
    def make(rng):
        out = []
        for k, s in enumerate(shapes):
            if k in ints:
                out.append(int(rng.integers(0, 3)) if s == () else rng.integers(0, 3, s))
            elif low is not None:
                out.append(float(rng.uniform(low, high)) if s == () else rng.uniform(low, high, s))
            else:
                out.append(float(rng.uniform(0.5, 1.5)) if s == () else rng.standard_normal(s))
        return tuple(out)
    return make


def examples(factory, n=B):
    return [factory(np.random.default_rng(seed)) for seed in range(n)]


def check(f, exs, in_axes=0, out_axes=0, strategy="array", compiled=False, rtol=1e-11, atol=1e-13):
    """Compare with stacking f over slices; returns the vmap function (and the args)."""
    args = _batch(exs, in_axes)
    expected = _reference(f, args, in_axes, out_axes)
    v = s2s.vmap(f, in_axes=in_axes, out_axes=out_axes, strategy=strategy)
    assert_tree_close(v(*args), expected, rtol=rtol, atol=atol)
    if strategy == "auto":
        pass
    else:
        assert v.chosen_strategy(*args) == strategy
    if compiled:
        assert_tree_close(s2s.jit(v)(*args), expected, rtol=rtol, atol=atol)
    return v, args


def in_axes_variants(ranks, limit=None):
    """Every in_axes combination of arguments of these per-example ranks (0, 1, -1, None)."""
    combos = _in_axes_combos(ranks)
    return combos if limit is None else combos[:limit] + combos[-1:]


def params(table, limit=None):
    """pytest params (name, f, factory, in_axes) for a table {name: (f, factory, ranks)}."""
    import pytest

    out = []
    for name, (f, factory, ranks) in table.items():
        for c in in_axes_variants(ranks, limit):
            out.append(pytest.param(f, factory, c, id=f"{name}-in{c}"))
    return out
