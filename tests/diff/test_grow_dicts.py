"""Dicts filled key by key (diff/grow_dicts.py): `out = {}; out["a"] = ...` under grad, the
Jacobians and has_aux, in Python and compiled with numba, against analytic derivatives and
central differences; the stores it cannot follow are refused at the user's line."""
import doctest

import numpy as np
import pytest

from grad_cases import central_jacobian

import s2s
import s2s.diff.grow_dicts
from s2s.errors import UnsupportedSyntaxError

X = np.array([0.5, 1.5, -0.7])
PATHS = ["python", "numba"]


def _maybe_jit(fn, path):
    return s2s.jit(fn) if path == "numba" else fn


def features(x):
    out = {}
    out["sq"] = x * x
    out["sin"] = np.sin(out["sq"])
    return out


def loss(x):
    out = features(x)
    return np.sum(out["sq"] * out["sin"])


def grown_from_a_literal(x):
    d = {"a": x}
    d["b"] = d["a"] * 3.0   # reads the dict it grows
    d["a"] = np.sin(x)      # then overwrites a key it has
    d["total"] = np.sum(d["b"])
    return np.sum(d["a"] * d["b"]) + d["total"]


def metrics(w):
    m = {"n": 3.0}
    m["loss"] = np.sum(w ** 2)
    m["reg"] = np.sum(np.abs(w))
    return m["loss"] + 0.1 * m["reg"], m


def test_the_pass_example():
    assert doctest.testmod(s2s.diff.grow_dicts, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


@pytest.mark.parametrize("path", PATHS)
def test_gradients(path):
    want = 2 * X * np.sin(X ** 2) + 2 * X ** 3 * np.cos(X ** 2)
    np.testing.assert_allclose(_maybe_jit(s2s.grad(loss), path)(X), want, rtol=1e-12)
    g = _maybe_jit(s2s.grad(grown_from_a_literal), path)(X)
    np.testing.assert_allclose(g, 3 * np.sin(X) + 3 * X * np.cos(X) + 3.0, rtol=1e-12)
    np.testing.assert_allclose(g, central_jacobian(grown_from_a_literal, X), rtol=1e-6)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("jac", [s2s.jacfwd, s2s.jacrev], ids=["jacfwd", "jacrev"])
def test_jacobians_of_a_dict_filled_key_by_key(jac, path):
    J = _maybe_jit(jac(features), path)(X)
    assert sorted(J) == ["sin", "sq"]
    for k in J:
        np.testing.assert_allclose(J[k], central_jacobian(lambda x: features(x)[k], X), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("path", PATHS)
def test_metrics_as_auxiliary_output(path):
    (value, aux), g = _maybe_jit(s2s.value_and_grad(metrics, has_aux=True), path)(X)
    assert sorted(aux) == ["loss", "n", "reg"]
    np.testing.assert_allclose([aux["n"], aux["loss"], aux["reg"]], [3.0, np.sum(X ** 2), np.sum(np.abs(X))])
    np.testing.assert_allclose(value, np.sum(X ** 2) + 0.1 * np.sum(np.abs(X)), rtol=1e-15)
    np.testing.assert_allclose(g, 2 * X + 0.1 * np.sign(X), rtol=1e-15)


def by_branches(x):
    out = {"x": x}
    if x[0] > 0.0:
        out["sq"] = x * x
        if x[1] > 1.0:
            out["s"] = np.sin(out["sq"])
        else:
            out["s"] = np.cos(out["sq"])
    elif x[1] < -1.0:
        return np.sum(x)  # a branch that returns: the others need not agree with it
    else:
        out["sq"] = x * 3.0
        out["s"] = out["sq"] + out["x"]
    return np.sum(out["sq"] * out["s"])


def by_branches_analytic(x):
    if x[0] > 0.0:
        inner = np.sin(x * x) if x[1] > 1.0 else np.cos(x * x)
        d_inner = 2 * x * (np.cos(x * x) if x[1] > 1.0 else -np.sin(x * x))
        return 2 * x * inner + x * x * d_inner
    if x[1] < -1.0:
        return np.ones_like(x)
    return 3.0 * 4.0 * x + 3.0 * 4.0 * x


BRANCH_INPUTS = [np.array([0.5, 1.5, -0.7]), np.array([0.5, 0.2, -0.7]), np.array([-0.5, -1.5, 0.3]),
                 np.array([-0.5, 0.4, 0.3])]


@pytest.mark.parametrize("path", PATHS)
def test_keys_added_in_every_branch(path):
    grad = _maybe_jit(s2s.grad(by_branches), path)
    for x in BRANCH_INPUTS:  # every way through the branches
        np.testing.assert_allclose(grad(x), by_branches_analytic(x), rtol=1e-12)
        np.testing.assert_allclose(grad(x), central_jacobian(by_branches, x), rtol=1e-6)
    if path == "python":  # forward mode through the same branches
        v = np.array([0.3, -0.2, 0.5])
        for x in BRANCH_INPUTS:
            assert s2s.jvp(by_branches, (x,), (v,))[1] == pytest.approx(by_branches_analytic(x) @ v, rel=1e-12)


def in_one_branch_only(x):
    out = {"a": x}
    if x[0] > 0.0:
        out["b"] = x * 2.0
    return np.sum(out["a"]) + len(out)


def branches_in_another_order(x):
    out = {}
    if x[0] > 0.0:
        out["a"] = x
        out["b"] = x * 2.0
    else:
        out["b"] = x
        out["a"] = x * 2.0
    return np.sum(out["a"] * out["b"])


def in_a_loop(x):
    out = {}
    for i in range(2):
        out[i] = x * i
    return np.sum(out[1])


def through_an_alias(x):
    out = {"a": x}
    view = out
    out["b"] = x * 2.0  # `view` sees this key too: a new name for `out` would not
    return np.sum(view["b"])


@pytest.mark.parametrize("fn, line, match", [
    (in_a_loop, "out[i] = x * i", "constant indices or keys"),
    (through_an_alias, 'out["b"] = x * 2.0', "in every branch of an `if`"),
    (in_one_branch_only, 'out["b"] = x * 2.0', "in every branch of an `if`"),
    (branches_in_another_order, 'out["a"] = x', "the same keys in the same order"),
], ids=["in-a-loop", "through-an-alias", "in-one-branch-only", "in-another-order"])
def test_stores_it_cannot_follow_are_refused_at_the_line(fn, line, match):
    with pytest.raises(UnsupportedSyntaxError, match=match) as info:
        s2s.grad(fn)(X)
    assert line in str(info.value) and "test_grow_dicts.py" in str(info.value)
