"""s2s.lax: JAX's structured control flow as Python functions that s2s transforms like a
user's helper (made for the functions passed, closures included). Gradients against central
differences, in Python, forward mode and compiled; vmap against a Python loop."""
import numpy as np
import pytest
from grad_cases import central_difference

import s2s
from s2s import lax
from s2s.errors import UnsupportedSyntaxError


def fori(x, n):
    return np.sum(lax.fori_loop(0, n, lambda i, v: v * np.cos(v) + i * 0.1, x))


def while_(x):
    scale = 1.5
    return np.sum(lax.while_loop(lambda v: v[0] < 10.0, lambda v: v * scale, x))


def cond(x):
    a = lax.cond(x[0] > 0, lambda v: np.sin(v), lambda v: v ** 2, x)
    b = lax.cond(x[1] > 0, lambda u, w: u * w, lambda u, w: u - w, x[0], x[2])
    return np.sum(a) + b


def scan(w, xs):
    def step(c, xi):
        c = np.tanh(w * c + xi)
        return c, c * 2.0

    c, ys = lax.scan(step, 0.0, xs)
    return c + np.sum(ys ** 2)


def select(x):
    return np.sum(lax.select(x > 0, np.sin(x), x ** 3))


def scan_reverse(w, xs):
    def step(c, xi):
        c = np.tanh(w * c + xi)
        return c, c * xi

    c, ys = lax.scan(step, 0.1, xs, reverse=True)  # ys[i] from xs[i]
    return c + np.sum(ys * np.arange(1.0, 5.0))


def scan_length(w):
    def step(c, _):
        c = c * w + 1.0
        return c, c * c

    c, ys = lax.scan(step, 0.5, None, length=4)
    return c + np.sum(ys * np.arange(1.0, 5.0))


def scan_pytrees(w, xs):
    def step(c, inp):
        x, y = inp
        c = {"h": np.tanh(w * c["h"] + x), "n": c["n"] + y}
        return c, (c["h"] * y, c["n"] ** 2)

    c, (a, b) = lax.scan(step, {"h": 0.0, "n": 1.0}, (xs, np.cos(xs)))  # ys' tuple read from the target
    return c["h"] + c["n"] + np.sum(a) + np.sum(b * xs)


def scan_no_ys(w, xs):
    def step(c, x):
        return c * np.sin(w * x) + x, None

    c, _ = lax.scan(step, 1.0, xs)
    return c


def _pair_step(c, x):
    c = c * np.cos(x[0]) + x[1]
    return c, (c, c * x[0])


def scan_ys_from_return(w, xs):
    c, ys = lax.scan(_pair_step, w, (xs, xs ** 2), reverse=True)  # ys' tuple read from _pair_step's return
    return c + np.sum(ys[0] ** 2) + np.sum(ys[1])


def map_and_slices(w, xs):
    m = np.outer(xs, np.sin(w * xs))
    rows = lax.map(lambda r: np.cos(r * w), m)
    a = lax.dynamic_slice_in_dim(rows, 1, 2, axis=1)
    b = lax.dynamic_index_in_dim(rows, 7, axis=0, keepdims=False)  # clamped to the last row
    c = lax.dynamic_update_slice_in_dim(rows, a * 2.0, 3, axis=1)  # clamped to columns 2:4
    return np.sum(a ** 2) + np.sum(b * xs) + np.sum(c ** 3)


def dynamic_blocks(w, xs):
    m = np.outer(xs, np.sin(w * xs))
    a = lax.dynamic_slice(m, (1, 5), (2, 3))  # the column start clamped to 1
    b = lax.dynamic_update_slice(m, a * 3.0, (-1, 2))  # the row start clamped to 0, the column to 1
    return np.sum(a ** 2) + np.sum(b ** 3) + np.sum(lax.dynamic_slice(xs, (2,), (2,)) * w)


def stopped(w, xs):
    return np.sum(lax.stop_gradient(xs * w) * xs * w)


X = np.array([0.4, -0.3, 0.9])
XS = np.array([0.1, 0.5, -0.2, 0.3])
CASES = [
    ("fori_loop", fori, (X, 4)),
    ("while_loop", while_, (np.array([1.0, 2.0]),)),
    ("cond, taken", cond, (X,)),
    ("cond, other", cond, (-X,)),
    ("scan", scan, (0.7, XS)),
    ("select", select, (X,)),
    ("scan, reverse", scan_reverse, (0.7, XS)),
    ("scan, no xs", scan_length, (0.7,)),
    ("scan, pytrees", scan_pytrees, (0.7, XS)),
    ("scan, ys None", scan_no_ys, (0.7, XS)),
    ("scan, ys from f's return", scan_ys_from_return, (0.7, XS)),
    ("map and dynamic slices", map_and_slices, (0.7, XS)),
    ("dynamic_slice, dynamic_update_slice", dynamic_blocks, (0.7, XS)),
]
IDS = [c[0] for c in CASES]


def _plain_python(name):
    # the same computations written with Python control flow: the oracle for the values
    return {
        "fori_loop": lambda x, n: np.sum(_fori(x, n)),
        "while_loop": lambda x: np.sum(_while(x)),
        "cond, taken": lambda x: np.sum(np.sin(x)) + (x[0] * x[2] if x[1] > 0 else x[0] - x[2]),
        "cond, other": lambda x: np.sum(x ** 2) + (x[0] * x[2] if x[1] > 0 else x[0] - x[2]),
        "scan": _scan,
        "select": lambda x: np.sum(np.where(x > 0, np.sin(x), x ** 3)),
        "scan, reverse": _scan_reverse,
        "scan, no xs": _scan_length,
        "map and dynamic slices": _map_and_slices,
        "scan, pytrees": _scan_pytrees,
        "scan, ys None": _scan_no_ys,
        "scan, ys from f's return": _scan_ys_from_return,
        "dynamic_slice, dynamic_update_slice": _dynamic_blocks,
    }[name]


def _dynamic_blocks(w, xs):
    m = np.outer(xs, np.sin(w * xs))
    a = m[1:3, 1:4]
    b = m.copy()
    b[0:2, 1:4] = a * 3.0
    return np.sum(a ** 2) + np.sum(b ** 3) + np.sum(xs[2:4] * w)


def _scan_reverse(w, xs):
    c, ys = 0.1, np.zeros(4)
    for k in range(3, -1, -1):
        c = np.tanh(w * c + xs[k])
        ys[k] = c * xs[k]
    return c + np.sum(ys * np.arange(1.0, 5.0))


def _scan_length(w):
    c, total = 0.5, 0.0
    for k in range(4):
        c = c * w + 1.0
        total += c * c * (k + 1)
    return c + total


def _map_and_slices(w, xs):
    rows = np.cos(np.outer(xs, np.sin(w * xs)) * w)
    a = rows[:, 1:3]
    c = rows.copy()
    c[:, 2:4] = a * 2.0
    return np.sum(a ** 2) + np.sum(rows[-1] * xs) + np.sum(c ** 3)


def _scan_pytrees(w, xs):
    h, n, total = 0.0, 1.0, 0.0
    for x in xs:
        h, n = np.tanh(w * h + x), n + np.cos(x)
        total += h * np.cos(x) + n ** 2 * x
    return h + n + total


def _scan_no_ys(w, xs):
    c = 1.0
    for x in xs:
        c = c * np.sin(w * x) + x
    return c


def _scan_ys_from_return(w, xs):
    c, total = w, 0.0
    for x in xs[::-1]:
        c = c * np.cos(x) + x ** 2
        total += c ** 2 + c * x
    return c + total


def test_scan_of_pytrees_outside_transformations():
    # the plain function takes any pytree xs and y (the transformed call: a tuple written in the call)
    xs = {"a": np.arange(3.0), "b": (np.ones((3, 2)),)}
    c, ys = lax.scan(lambda c, x: (c + x["a"], {"s": c * x["b"][0], "t": None}), 0.5, xs)
    want = [0.5 * np.ones(2), 0.5 * np.ones(2), 1.5 * np.ones(2)]
    assert c == 3.5 and ys["t"] is None
    np.testing.assert_array_equal(ys["s"], want)
    with pytest.raises(ValueError, match="same leading axis length"):
        lax.scan(lambda c, x: (c, x), 0.0, (np.ones(2), np.ones(3)))


def _fori(x, n):
    for i in range(n):
        x = x * np.cos(x) + i * 0.1
    return x


def _while(x):
    while x[0] < 10.0:
        x = x * 1.5
    return x


def _scan(w, xs):
    c, total = 0.0, 0.0
    for xi in xs:
        c = np.tanh(w * c + xi)
        total += (c * 2.0) ** 2
    return c + total


@pytest.mark.parametrize("name,fn,args", CASES, ids=IDS)
def test_values(name, fn, args):
    want = _plain_python(name)(*args)
    assert fn(*args) == pytest.approx(want, rel=1e-12)  # the functions run outside s2s too
    assert s2s.jit(fn)(*args) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("name,fn,args", CASES, ids=IDS)
def test_gradients(name, fn, args):
    want = central_difference(fn, args, 0)
    np.testing.assert_allclose(s2s.grad(fn)(*args), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jacfwd(fn)(*args), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jit(s2s.grad(fn))(*args), want, rtol=1e-6, atol=1e-8)


def test_stop_gradient_is_jaxs():
    assert lax.stop_gradient is s2s.stop_gradient
    for grad in (s2s.grad(stopped), s2s.jit(s2s.grad(stopped))):
        assert grad(0.7, XS) == pytest.approx(np.sum(XS * 0.7 * XS), rel=1e-13)  # one factor only


def dynamic_slice_of_names(x, starts):
    return np.sum(lax.dynamic_slice(x, starts, (2,)))


def test_calls_the_macros_cannot_write_out_are_refused():
    with pytest.raises(UnsupportedSyntaxError, match="needs its starts and sizes as tuples written in the call"):
        s2s.grad(dynamic_slice_of_names)(XS, (1,))
    with pytest.raises(UnsupportedSyntaxError, match="lax.scan without xs needs length="):
        s2s.grad(scan_no_length)(0.7)


def scan_no_length(w):
    c, ys = lax.scan(lambda c, _: (c * w, c), 1.0)
    return c


def test_scan_gradient_with_respect_to_the_sequence():
    want = central_difference(scan, (0.7, XS), 1)
    np.testing.assert_allclose(s2s.grad(scan, argnums=1)(0.7, XS), want, rtol=1e-6, atol=1e-8)


def test_vmap():
    xs = np.stack([X, -X, X * 2.0])
    np.testing.assert_allclose(s2s.vmap(cond)(xs), [cond(r) for r in xs], rtol=1e-12)
    np.testing.assert_allclose(s2s.vmap(lambda x: fori(x, 3))(xs), [fori(r, 3) for r in xs], rtol=1e-12)
