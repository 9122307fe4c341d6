"""Calls the user writes in other shapes: helpers with `*args` / `**kwargs` parameters (the
call packs a tuple and a dict, parse/resolve.py), and functools.partial objects -- passed to
a transformation or called inside one (their bound arguments become constants,
parse/source.py), or made inside the transformed function (parse/partials.py). Gradients against central differences (Python, jacfwd and s2s.jit)."""
from functools import partial

import numpy as np
import pytest
from grad_cases import central_difference

import s2s
from s2s.errors import UnsupportedSyntaxError  # (the entry's own *args: tests/test_errors.py)


def total(*xs):
    return sum(xs)


def affine(a, **opts):
    return a * opts["scale"] + opts["shift"] ** 2


def mixed(first, *rest, scale=1.0, **more):
    s = first
    for r in rest:
        s = s + r * scale
    return s * more["m"]


def loss(w, x, scale=1.0):
    return np.sum(np.tanh(x @ w) ** 2) * scale


X = np.array([[0.3, -1.0], [0.5, 0.2], [1.1, 0.4]])
HALF = partial(loss, scale=0.5)
WITH_DATA = partial(loss, x=X)


def packed_calls(x):
    return (total(x[0], x[1] * x[2], 2.0) + affine(x[0], scale=x[1], shift=x[2])
            + mixed(x[0], x[1], x[2] ** 2, scale=2.0, m=x[1]) + total(x[2]))


def calls_a_partial(w):
    return HALF(w, X) * 2.0 + WITH_DATA(w * w)


def makes_partials(w):
    def weighted(a, b, c=1.0):
        return np.sum(a * b) * c

    p = partial(weighted, w * w, c=w[0])  # bound values taken here, before w changes
    q = partial(loss, x=X)  # a module-level function
    w = w + 1.0
    total_ = p(w) + p(w, c=2.0) + q(w)
    return total_ + sum(map(p, [w, w * 3.0]))


W = np.array([0.4, -0.7])
CASES = [
    (packed_calls, np.array([0.3, 0.7, 1.4])),
    (calls_a_partial, W),
    (partial(loss, x=X, scale=2.0), W),  # a partial given to grad itself
    (partial(loss, scale=3.0), W),  # ... with the data still an argument (below)
    (makes_partials, W),
]


@pytest.mark.parametrize("fn, x", CASES, ids=["packed_calls", "calls_a_partial", "partial_keywords", "partial_scale",
                                                 "makes_partials"])
def test_grad_against_central_differences(fn, x):
    args = (x, X) if fn is CASES[3][0] else (x,)
    want = central_difference(fn, args, 0)
    np.testing.assert_allclose(s2s.grad(fn)(*args), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jacfwd(fn)(*args), want, rtol=1e-6, atol=1e-8)


def test_partial_binding_positional_arguments():
    head = partial(loss, W)  # binds w: the gradient is w.r.t. x
    np.testing.assert_allclose(s2s.grad(head)(X), central_difference(lambda x: loss(W, x), (X,), 0), rtol=1e-6,
                               atol=1e-8)


def test_compiled():
    for fn, x in CASES[:3] + CASES[4:]:
        np.testing.assert_allclose(s2s.jit(s2s.grad(fn))(x), s2s.grad(fn)(x), rtol=1e-12)


def adds_a_key(x):
    d = {"a": x[0], "b": x[1]}
    d["c"] = d["a"] * d["b"]  # top-level: a new dict under a new name (diff/grow_dicts.py)
    return d["c"]


def adds_a_key_in_a_branch(x):
    d = {"a": x[0], "b": x[1]}
    if x[0] > 0.0:
        d["c"] = d["a"] * d["b"]  # only here: after the `if`, d has "c" or not
    return d["a"]


def test_adding_a_key_to_a_dict():
    x = np.array([0.3, 0.7])
    for transform in (s2s.grad, s2s.jacfwd):
        np.testing.assert_allclose(transform(adds_a_key)(x), [0.7, 0.3], rtol=1e-15)
        with pytest.raises(UnsupportedSyntaxError, match=r"d\['c'\] = \.\.\. stores at a key that d"):
            transform(adds_a_key_in_a_branch)(x)
