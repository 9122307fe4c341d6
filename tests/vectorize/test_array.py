"""Array batching as a whole (s2s/vectorize/array.py): control flow that does not depend on
mapped values, helpers batched recursively, in_axes/out_axes and pytrees, unmapped
outputs, the chooser (array where it can express f, loop otherwise), strategy="array"
errors, compositions, the pass's before/after docstring."""
import doctest

import numpy as np
import pytest

import s2s
import s2s.vectorize.array
from s2s.errors import UnsupportedSyntaxError
from vectorize.batch_check import check, examples, vecs


# -- control flow on unmapped values ----------------------------------------------------
def unrolled(x, steps):
    h = x
    for _ in range(steps):
        h = np.tanh(h) * 0.5 + x
    return h


def static_branch(x, flag):
    if flag > 0:
        y = x * 2.0
    else:
        y = x - 1.0
    return y


def loop_carried(W, xs, h0):
    h = h0  # unmapped at first, mapped after one step
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return h


def counted_while(x):
    i = 0
    s = 0
    while i < 3:
        s = s + x[i]
        i += 1
    return s, i


def early_return_unmapped(x, n):
    for i in range(5):
        if i >= n:
            return x * i
        x = x + 1.0
    return x


def rank_changes(x):
    x = x.reshape(2, 3)
    x = x.sum(axis=0)
    return x


def _inner(a, b):
    return a * b + np.sum(a)


def _outer_helper(a, b):
    return _inner(a, b) - _inner(b, a), np.max(a)


def helpers(x, y):
    s, m = _outer_helper(x, y)
    return s * m + _inner(y, 2.0)


def returns_param(x, y):
    return x, y[0]


def constant_output(x):
    return 2.5, np.arange(3.0)


TABLE = {
    "unrolled": (unrolled, lambda rng: (rng.standard_normal(3), 3), (0, None)),
    "static_branch": (static_branch, lambda rng: (rng.standard_normal(3), -1), (0, None)),
    "loop_carried": (loop_carried, lambda rng: (rng.standard_normal((3, 3)), rng.standard_normal((4, 3)),
                                                rng.standard_normal(3)), (None, 0, None)),
    "counted_while": (counted_while, vecs((4,)), 0),
    "early_return_unmapped": (early_return_unmapped, lambda rng: (rng.standard_normal(2), 2), (0, None)),
    "rank_changes": (rank_changes, vecs((6,)), 0),
    "helpers": (helpers, vecs((3,), (3,)), 0),
    "returns_param": (returns_param, vecs((3,), (3,)), 0),
    "constant_output": (constant_output, vecs((2,)), 0),
}


@pytest.mark.parametrize("name", list(TABLE))
@pytest.mark.parametrize("out_axes", [0, -1])
def test_array_batching(name, out_axes):
    f, factory, in_axes = TABLE[name]
    check(f, examples(factory), in_axes, out_axes)


@pytest.mark.parametrize("name", ["counted_while"])
def test_array_batching_compiled(name):
    f, factory, in_axes = TABLE[name]
    check(f, examples(factory), in_axes, compiled=True)


def test_outputs_do_not_alias_inputs():
    X = np.ones((3, 2))
    out = s2s.vmap(returns_param, strategy="array")(X, X)[0]
    out[0, 0] = 5.0
    assert X[0, 0] == 1.0


def test_helpers_are_specialized_per_batched_arguments():
    v, args = check(helpers, examples(vecs((3,), (3,))), (0, None))
    src = v.source(*args)
    assert src.count("def _inner_batched") == 2, src  # (mapped, unmapped) and (unmapped, mapped)


# -- in_axes, out_axes, pytrees -----------------------------------------------------------
def tree_fn(p, x):
    W, b = p
    return {"y": np.tanh(W @ x + b), "n": np.sum(x * x)}, [x[0], b]


@pytest.mark.parametrize("in_axes, out_axes", [
    (0, 0), (((None, 0), 0), 0), (((1, None), None), ({"y": 1, "n": 0}, [0, -1])),
    (((-1, 0), -1), -1), (((None, None), 0), ({"y": -1, "n": 0}, [0, None])),
])
def test_pytrees(in_axes, out_axes):
    exs = [((rng.standard_normal((3, 4)), rng.standard_normal(3)), rng.standard_normal(4))
           for rng in map(np.random.default_rng, range(3))]
    if in_axes == (((None, None), 0)):
        exs = [((exs[0][0][0], exs[0][0][1]), e[1]) for e in exs]
    check(tree_fn, exs, in_axes, out_axes)


def test_axis_size_without_mapped_arguments():
    v = s2s.vmap(lambda_free, in_axes=None, axis_size=4, strategy="array")
    out = v(np.arange(3.0))
    np.testing.assert_allclose(out, np.tile(lambda_free(np.arange(3.0)), (4, 1)))


def lambda_free(x):
    return np.sin(x)


def test_out_axes_errors_match_loop_batching():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="out_axes is None"):
        s2s.vmap(lambda_free, out_axes=None, strategy="array")(x)
    with pytest.raises(ValueError, match="out of bounds"):
        s2s.vmap(np_sum, out_axes=1, strategy="array")(x)


def np_sum(x):
    return np.sum(x)


# -- the chooser and strategy="array" errors --------------------------------------------------
def mapped_if(x):
    if np.sum(x) > 0.0:
        return x
    return -x


def mapped_while(x):
    while np.max(x) > 1.0:
        x = x * 0.5
    return x


def mapped_range(x, n):
    s = 0.0
    for i in range(n):
        s = s + x[0]
    return s


def no_rule(A):
    return np.linalg.inv(A)


def random_draw(x):
    return x + np.random.normal()


CHOICES = [
    ("elementwise", lambda_free, vecs((3,)), 0, "array"),
    ("reduction", np_sum, vecs((3,)), 0, "array"),
    ("helpers", helpers, vecs((3,), (3,)), 0, "array"),
    ("mapped_if", mapped_if, vecs((3,)), 0, "loop"),
    ("mapped_while", mapped_while, vecs((3,)), 0, "loop"),
    ("mapped_range", mapped_range, vecs((3,), (), ints=(1,)), 0, "loop"),
    ("no_rule", no_rule, lambda rng: (rng.standard_normal((2, 2)) + 3 * np.eye(2),), 0, "loop"),
]


@pytest.mark.parametrize("name, f, factory, in_axes, expected", CHOICES, ids=[c[0] for c in CHOICES])
def test_chooser(name, f, factory, in_axes, expected):
    v, args = check(f, examples(factory), in_axes, strategy="auto", rtol=1e-10)
    assert v.chosen_strategy(*args) == expected
    assert ("array batching" in v.source(*args)) == (expected == "array")
    check(f, examples(factory), in_axes, strategy="loop", rtol=1e-10)


def test_random_draws_are_not_shared_across_the_batch():
    assert s2s.vmap(random_draw).chosen_strategy(np.ones(3)) == "loop"


@pytest.mark.parametrize("f, factory, construct", [
    (mapped_if, vecs((3,)), "control flow on a mapped value"),
    (mapped_while, vecs((3,)), "control flow on a mapped value"),
    (mapped_range, vecs((3,), (), ints=(1,)), "control flow on a mapped value"),
    (no_rule, lambda rng: (np.eye(2),), "np.inv"),
])
def test_strategy_array_errors(f, factory, construct):
    args = tuple(np.stack(a) for a in zip(*examples(factory)))
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.vmap(f, strategy="array")(*args)
    err = info.value
    assert err.filename.endswith("test_array.py") and err.lineno is not None
    assert construct in str(err), str(err)
    assert "strategy='array'" in str(err)


def test_strategy_argument_is_checked():
    with pytest.raises(ValueError, match="strategy"):
        s2s.vmap(np_sum, strategy="vectorized")


# -- compositions -----------------------------------------------------------------------------------
def loss(w, x, y):
    return (np.tanh(np.dot(w, x)) - y) ** 2


def test_vmap_of_grad_and_grad_of_vmap():
    rng = np.random.default_rng(0)
    w, X, y = rng.standard_normal(3), rng.standard_normal((4, 3)), rng.standard_normal(4)
    per = s2s.vmap(s2s.grad(loss), in_axes=(None, 0, 0))
    expected = np.stack([s2s.grad(loss)(w, X[i], y[i]) for i in range(4)])
    np.testing.assert_allclose(per(w, X, y), expected, rtol=1e-10)
    np.testing.assert_allclose(s2s.grad(total_loss)(w, X, y), expected.sum(axis=0), rtol=1e-10)
    np.testing.assert_allclose(total_loss(w, X, y), sum(loss(w, X[i], y[i]) for i in range(4)), rtol=1e-12)
    assert BATCHED_LOSS.chosen_strategy(w, X, y) == "array"


BATCHED_LOSS = s2s.vmap(loss, in_axes=(None, 0, 0))


def total_loss(w, X, y):
    return np.sum(BATCHED_LOSS(w, X, y))


def test_nested_vmap():
    x, y = np.arange(3.0), np.arange(4.0)
    v = s2s.vmap(s2s.vmap(mul, in_axes=(None, 0)), in_axes=(0, None))
    np.testing.assert_allclose(v(x, y), np.outer(x, y))


def mul(a, b):
    return a * b


def test_pass_docstring():
    result = doctest.testmod(s2s.vectorize.array, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
