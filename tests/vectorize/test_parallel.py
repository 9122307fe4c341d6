"""Loop batching on numba's threads: `jit(vmap(f))` runs examples in a `prange` loop when no
function of f's program writes into memory it was given (s2s/vectorize/parallel.py), and in
order otherwise; `prange` in users' own code under jit, grad and vmap.

References never go through s2s: a Python loop calling the original f per example, and
central differences for derivatives.
"""
import numba
import numpy as np
import pytest

import s2s
from s2s.parse.pipeline import build_program
from s2s.diff.program import _diff_passes
from s2s.vectorize.parallel import shared_write

RNG = np.random.default_rng(7)
SHARED = np.zeros(3)


# -- the analysis: which writes reach memory the function was given -------------------------
def own_array(x):
    t = x * 2.0
    t[0] = 1.0
    return t


def own_zeros(x):
    out = np.zeros(3)
    for i in range(3):
        out[i] = x[i] ** 2
    return out


def reads_only(x, w):
    v = x[1:]
    return np.sum(v * w[1:])


def writes_param(x):
    x[0] = 1.0
    return x


def writes_view(x):
    v = x[1:]
    v[0] = 2.0
    return np.sum(v)


def writes_reshaped(x):
    v = x.reshape((3, 1))
    v[0, 0] = 2.0
    return np.sum(v)


def writes_through_tuple(x):
    pair = (x, 1.0)
    a = pair[0]
    a[1] = 0.0
    return a


def writes_global(x):
    SHARED[0] = x[0]
    return x[0]


def fills_param(x):
    x.fill(0.0)
    return 1.0


def helper_writes(v):
    v[0] = 0.0
    return v


def calls_helper_that_writes(x):
    y = x * 1.0
    return helper_writes(y)


def view_in_loop(x):
    a = x * 1.0
    for i in range(2):
        b = a
        a = x
    b[0] = 1.0
    return b


def list_holds_param(x):
    keep = []
    keep.append(x)
    v = keep.pop()
    v[0] = 1.0
    return v


def own_list(x):
    keep = []
    keep.append(x[0])
    keep.append(x * 2.0)
    keep.append(0.0)
    w = keep.pop()
    return w + keep[0]


ANALYSIS = [
    (own_list, None),
    (list_holds_param, "v[0] = 1.0"),
    (own_array, None),
    (own_zeros, None),
    (reads_only, None),
    (writes_param, "x[0] = 1.0"),
    (writes_view, "v[0] = 2.0"),
    (writes_reshaped, "v[0, 0] = 2.0"),
    (writes_through_tuple, "a[1] = 0.0"),
    (writes_global, "SHARED[0] = x[0]"),
    (fills_param, "x.fill(0.0)"),
    (calls_helper_that_writes, "v[0] = 0.0"),  # conservative: the helper writes its parameter
    (view_in_loop, "b[0] = 1.0"),
]


@pytest.mark.parametrize("fn, line", ANALYSIS, ids=[f.__name__ for f, _ in ANALYSIS])
def test_shared_write_analysis(fn, line):
    program = build_program(fn)
    _diff_passes(program)
    found = shared_write(program)
    if line is None:
        assert found is None
    else:
        assert found is not None
        ctx, node = found
        import linecache

        assert line in linecache.getline(ctx.filename, node.lineno)


# -- jit(vmap(f)) in parallel matches the examples run one by one -----------------------------
def early_exit(x0, rate):
    x = x0
    steps = 0
    while steps < 200:
        x = x - rate * np.sin(x)
        steps += 1
        if abs(x) < 1e-6:
            break
    return x, steps


def per_example_array(x, w):
    h = np.tanh(w @ x)
    out = np.zeros(h.shape[0] + 1)
    out[1:] = h * h
    out[0] = np.sum(h)
    return out


def loss(w, x, y):
    z = np.dot(x, w)
    return np.log1p(np.exp(-y * z)) + 0.1 * np.sum(w * w)


def accumulate(x, buf):
    buf[0] = buf[0] + x
    return buf[0]


def _loop(fn, args, in_axes):
    n = [np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None][0]
    outs = [fn(*[a if ax is None else np.take(a, b, axis=ax) for a, ax in zip(args, in_axes)]) for b in range(n)]
    if isinstance(outs[0], tuple):
        return tuple(np.stack([np.asarray(o[k]) for o in outs]) for k in range(len(outs[0])))
    return np.stack([np.asarray(o) for o in outs])


W = RNG.normal(size=(4, 5))
PARALLEL = [
    ("early_exit", early_exit, (RNG.normal(size=64) * 3, 0.3), (0, None), True),
    ("per_example_array_axis1", per_example_array, (RNG.normal(size=(5, 64)), W), (1, None), True),
    ("accumulate_is_in_order", accumulate, (np.ones(8), None), (0, None), False),
]


@pytest.mark.parametrize("name, fn, args, in_axes, parallel", PARALLEL, ids=[c[0] for c in PARALLEL])
def test_jit_vmap_parallel_matches_loop(name, fn, args, in_axes, parallel):
    if fn is accumulate:
        args = (args[0], np.zeros(1))
        expected = np.cumsum(args[0])  # in order: example b sees the writes of 0..b-1
        got = s2s.jit(s2s.vmap(fn, in_axes=in_axes))(*args)
        np.testing.assert_allclose(got, expected)
        args = (args[0], np.zeros(1))
    else:
        expected = _loop(fn, args, in_axes)
        got = s2s.jit(s2s.vmap(fn, in_axes=in_axes, strategy="loop"))(*args)
        for e, g in zip(expected if isinstance(expected, tuple) else (expected,), got if isinstance(got, tuple) else (got,)):
            np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)
    module = s2s.jit(s2s.vmap(fn, in_axes=in_axes, strategy="loop")).generated(*args)
    assert module.parallel is parallel
    assert ("prange(1, n)" in module.source) is parallel


def test_per_example_gradients_in_parallel():
    w = RNG.normal(size=6)
    X = RNG.normal(size=(200, 6))
    y = np.sign(RNG.normal(size=200))
    f = s2s.jit(s2s.vmap(s2s.grad(loss), in_axes=(None, 0, 0)))
    got = f(w, X, y)
    assert f.generated(w, X, y).parallel
    eps = 1e-6
    for b in (0, 77, 199):
        fd = [(loss(w + eps * e, X[b], y[b]) - loss(w - eps * e, X[b], y[b])) / (2 * eps) for e in np.eye(6)]
        np.testing.assert_allclose(got[b], fd, rtol=1e-6, atol=1e-8)


def raises_on_large(x):
    if x > 100.0:
        raise ValueError("x is too large for this model")
    return np.sqrt(x)


def test_exception_in_parallel_loop_is_the_users():
    f = s2s.jit(s2s.vmap(raises_on_large))
    np.testing.assert_allclose(f(np.arange(4.0)), np.sqrt(np.arange(4.0)))
    with pytest.raises(ValueError, match="too large for this model"):
        f(np.array([1.0, 2.0, 500.0, 3.0]))
    np.testing.assert_allclose(f(np.arange(3.0)), np.sqrt(np.arange(3.0)))  # and it still works


def test_nested_vmap_has_one_parallel_loop():
    def cell(a, b):
        return a * b + np.sin(a)
    g = s2s.jit(s2s.vmap(s2s.vmap(cell, in_axes=(None, 0)), in_axes=(0, None)))
    a, b = np.arange(5.0), np.arange(3.0)
    np.testing.assert_allclose(g(a, b), a[:, None] * b[None, :] + np.sin(a)[:, None])
    src = g.source(a, b)
    assert src.count("prange(") == 1  # numba's thread pools do not nest: the inner loop runs in order


def test_disable_jit_runs_in_order(monkeypatch):
    monkeypatch.setenv("S2S_DISABLE_JIT", "1")
    f = s2s.jit(s2s.vmap(raises_on_large))
    assert "prange" not in f.source(np.arange(3.0))
    np.testing.assert_allclose(f(np.arange(3.0)), np.sqrt(np.arange(3.0)))


# -- prange in the user's code ------------------------------------------------------------------
def user_prange(x, w):
    out = np.zeros(x.shape[0])
    for i in numba.prange(x.shape[0]):
        out[i] = np.tanh(w * x[i]) ** 2
    return np.sum(out * x)


def user_prange_reduction(x):
    s = 0.0
    for i in numba.prange(x.shape[0]):
        s += np.exp(-x[i] * x[i])
    return s


def _fd_grad(f, x, eps=1e-6):
    return np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "jit"])
def test_user_prange_runs_and_differentiates(compiled):
    x = RNG.normal(size=7)
    wrap = s2s.jit if compiled else (lambda f: f)
    assert np.isclose(wrap(user_prange)(x, 0.7), user_prange(x, 0.7))
    assert np.isclose(wrap(user_prange_reduction)(x), user_prange_reduction(x))
    g = wrap(s2s.grad(user_prange))(x, 0.7)
    np.testing.assert_allclose(g, _fd_grad(lambda v: user_prange(v, 0.7), x), rtol=1e-6, atol=1e-9)
    g = wrap(s2s.grad(user_prange_reduction))(x)
    np.testing.assert_allclose(g, _fd_grad(user_prange_reduction, x), rtol=1e-6, atol=1e-9)
    _, t = s2s.jvp(user_prange_reduction, (x,), (np.ones_like(x),))
    assert np.isclose(t, _fd_grad(user_prange_reduction, x).sum(), rtol=1e-6)


def test_user_prange_parallel_only_where_jit_compiles_it():
    x = RNG.normal(size=7)
    assert s2s.jit(user_prange).generated(x, 0.7).parallel
    module = s2s.jit(s2s.grad(user_prange)).generated(x, 0.7)
    assert not module.parallel and " in prange(" not in module.source  # the adjoint loop runs in order
