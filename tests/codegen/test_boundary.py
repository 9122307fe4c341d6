"""Dicts across the jit boundary (codegen/boundary.py): `jit(grad(loss))(params, ...)` with
`params` a dict of arrays, results that are dicts, dicts nested in tuples and dicts."""
import numpy as np
import pytest

import s2s
from s2s.codegen.boundary import flatten_value, unflatten_value
from s2s.diff.pytrees import of_value
from s2s.errors import CompilationError

R = np.random.RandomState(7)
PARAMS = {"W1": R.randn(3, 5), "b1": R.randn(5), "W2": R.randn(5, 2), "b2": R.randn(2)}
X, Y = R.randn(7, 3), R.randn(7, 2)


def predict(params, x):
    h = np.tanh(x @ params["W1"] + params["b1"])
    return h @ params["W2"] + params["b2"]


def loss(params, x, y):
    return np.mean((predict(params, x) - y) ** 2)


def scaled(params, s):
    return {"u": params["W1"] * s, "v": (np.sum(params["b1"]), params["b2"])}


def nested(p):
    return p["i"]["j"] * p["i"]["k"] + np.sum(p["m"][1] * p["m"][0])


def saxpy(val):
    return val["a"] * val["b"] + val["c"]


def two_returns(p, flag):
    if flag > 0:
        return {"s": p["a"] * 2.0, "t": p["b"]}
    return {"s": p["a"], "t": p["b"] * 3.0}


def keyword_dict(x, *, p):
    return np.sum(x * p["w"]) + p["c"]


def layers_loss(layers, x):
    h = x
    for layer in layers:
        h = np.tanh(h @ layer["W"] + layer["b"])
    return np.sum(h)


NESTED = {"i": {"j": 2.0, "k": 3.0}, "m": (1.0, R.randn(3))}
ABC = {"a": 1.5, "b": -2.0, "c": 0.25}

CASES = [
    ("loss", loss, (PARAMS, X, Y)),
    ("grad", s2s.grad(loss), (PARAMS, X, Y)),
    ("value_and_grad", s2s.value_and_grad(loss), (PARAMS, X, Y)),
    ("grad argnums=(0, 1)", s2s.grad(loss, argnums=(0, 1)), (PARAMS, X, Y)),
    ("dict result", scaled, (PARAMS, 2.0)),
    ("jacrev of a dict result", s2s.jacrev(scaled), (PARAMS, 2.0)),
    ("nested dicts and tuples", nested, (NESTED,)),
    ("grad of nested", s2s.grad(nested), (NESTED,)),
    ("scalar leaves", saxpy, (ABC,)),
    ("grad, scalar leaves", s2s.grad(saxpy), (ABC,)),
    ("hessian, scalar leaves", s2s.hessian(saxpy), (ABC,)),
    ("two returns, taken", two_returns, (ABC, 1.0)),
    ("two returns, other", two_returns, (ABC, -1.0)),
    ("vmap(grad) with a dict", s2s.vmap(s2s.grad(loss), in_axes=(None, 0, 0)), (PARAMS, X[:, None], Y[:, None])),
]


def _same(a, b):
    assert type(a) is type(b) or (np.ndim(a) == 0 and np.ndim(b) == 0), (type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _same(u, v)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,fn,args", CASES, ids=[c[0] for c in CASES])
def test_jit_matches_python(name, fn, args):
    _same(s2s.jit(fn)(*args), fn(*args))


def test_compiled_gradient_against_central_differences():
    g = s2s.jit(s2s.grad(loss))(PARAMS, X, Y)
    eps = 1e-6
    for k, v in PARAMS.items():
        for idx in [(0,) * v.ndim, tuple(s - 1 for s in v.shape)]:
            up = {kk: vv.copy() for kk, vv in PARAMS.items()}
            dn = {kk: vv.copy() for kk, vv in PARAMS.items()}
            up[k][idx] += eps
            dn[k][idx] -= eps
            fd = (loss(up, X, Y) - loss(dn, X, Y)) / (2 * eps)
            assert g[k][idx] == pytest.approx(fd, rel=1e-6, abs=1e-8), (k, idx)


def test_keyword_argument_dict():
    p = {"w": R.randn(4), "c": 0.5}
    x = R.randn(4)
    assert s2s.jit(keyword_dict)(x, p=p) == pytest.approx(keyword_dict(x, p=p), rel=1e-12)


def test_source_shows_the_boundary_and_is_deterministic():
    j = s2s.jit(s2s.grad(saxpy))
    src = j.source(ABC)
    assert "def saxpy_grad(val_leaves):" in src
    assert "return (out['a'], out['b'], out['c'])" in src
    assert s2s.jit(s2s.grad(saxpy)).source(ABC) == src


def test_new_structure_recompiles():
    j = s2s.jit(saxpy)
    assert j(ABC) == pytest.approx(saxpy(ABC))
    other = {"c": 1.0, "a": 2.0, "b": 4.0}  # other key order: another structure
    assert j(other) == pytest.approx(9.0)
    assert j({"a": np.ones(2), "b": 2.0, "c": np.zeros(2)}) == pytest.approx(np.full(2, 2.0))


@pytest.mark.parametrize("value", [
    {"a": 1.0, "b": (2.0, np.ones(2)), "c": [np.zeros(3), np.ones(3)]},
    ({"x": 1.0}, [2.0, {"y": np.arange(3.0)}]),
])
def test_flatten_unflatten_roundtrip(value):
    s = of_value(value)
    _same(unflatten_value(s, flatten_value(value, s)), value)


def test_list_of_dicts_is_a_clear_error():
    layers = [{"W": R.randn(3, 4), "b": R.randn(4)}, {"W": R.randn(4, 2), "b": R.randn(2)}]
    with pytest.raises(CompilationError, match="list of tuples of arrays"):
        s2s.jit(layers_loss)(layers, X)
