"""s2s.vmap: the batched function equals stacking f over slices (JAX's batching_test /
api_test vmap tests), in the pure-Python path and compiled (`jit(vmap(f))`); per-example
gradients and compositions; JAX's errors.

The reference never goes through s2s: `_reference` slices every mapped leaf with np.take,
calls the original f on each example, and np.stack's each output leaf along its out_axes.
"""
import numpy as np
import pytest

import corpus
import corpus_helpers
import s2s
from corpus import CASES

B = 3  # batch size used throughout


# -- the reference: stacking f over slices -------------------------------------------------------
def _is_axis(a):
    return a is None or (isinstance(a, (int, np.integer)) and not isinstance(a, bool))


def _sub(spec, k):
    return spec if _is_axis(spec) else spec[k]


def _stack(items, spec):
    """Stack a list of same-structured pytrees leaf by leaf along `spec` (an axis or a
    pytree prefix of axes); a None leaf takes the first item's value."""
    first = items[0]
    if isinstance(first, dict):
        return {k: _stack([it[k] for it in items], _sub(spec, k)) for k in first}
    if isinstance(first, (tuple, list)):
        return type(first)(_stack([it[i] for it in items], _sub(spec, i)) for i in range(len(first)))
    if spec is None:
        return first
    return np.stack([np.asarray(it) for it in items], axis=spec)


def _slice(value, spec, b):
    if isinstance(value, dict):
        return {k: _slice(v, _sub(spec, k), b) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_slice(v, _sub(spec, i), b) for i, v in enumerate(value))
    return value if spec is None else np.take(value, b, axis=spec)


def _sizes(value, spec):
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _sizes(v, _sub(spec, k))]
    if isinstance(value, (tuple, list)):
        return [s for i, v in enumerate(value) for s in _sizes(v, _sub(spec, i))]
    return [] if spec is None else [np.shape(value)[spec]]


def _specs(in_axes, n):
    return list(in_axes) if isinstance(in_axes, (tuple, list)) else [in_axes] * n


def _reference(f, args, in_axes=0, out_axes=0, axis_size=None):
    specs = _specs(in_axes, len(args))
    sizes = {s for a, sp in zip(args, specs) for s in _sizes(a, sp)}
    assert len(sizes) <= 1
    n = sizes.pop() if sizes else axis_size
    outs = [f(*[_slice(a, sp, b) for a, sp in zip(args, specs)]) for b in range(n)]
    return _stack(outs, out_axes)


def _batch(examples, in_axes):
    """Batched arguments: example b's leaves stacked along their axis (unmapped leaves:
    example 0's)."""
    n = len(examples[0])
    specs = _specs(in_axes, n)
    return tuple(_stack([ex[i] for ex in examples], specs[i]) for i in range(n))


def assert_tree_close(got, expected, rtol=1e-11, atol=1e-13, path="out"):
    if isinstance(expected, dict):
        assert isinstance(got, dict) and list(got) == list(expected), f"{path}: {got!r}"
        for k in expected:
            assert_tree_close(got[k], expected[k], rtol, atol, f"{path}[{k!r}]")
        return
    if isinstance(expected, (tuple, list)):
        assert type(got) is type(expected), f"{path}: expected a {type(expected).__name__}, got {type(got).__name__}"
        assert len(got) == len(expected), f"{path}: length {len(got)} != {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_tree_close(g, e, rtol, atol, f"{path}[{i}]")
        return
    g, e = np.asarray(got), np.asarray(expected)
    assert g.shape == e.shape, f"{path}: shape {g.shape} != {e.shape}"
    assert g.dtype == e.dtype, f"{path}: dtype {g.dtype} != {e.dtype}"
    if e.dtype == bool or np.issubdtype(e.dtype, np.integer):
        np.testing.assert_array_equal(g, e, err_msg=path)
    else:
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol, err_msg=path)


def check_vmap(f, examples, in_axes=0, out_axes=0, axis_size=None, compiled=False, strategy="auto"):
    args = _batch(examples, in_axes) if examples else ()
    expected = _reference(f, args, in_axes, out_axes, axis_size)
    v = s2s.vmap(f, in_axes=in_axes, out_axes=out_axes, axis_size=axis_size, strategy=strategy)
    assert_tree_close(v(*args), expected)
    if strategy != "auto":
        assert v.chosen_strategy(*args) == strategy
    if compiled:
        assert_tree_close(s2s.jit(v)(*args), expected)
    return expected


# -- the test's own functions --------------------------------------------------------------------
def _helper_scale(v, c):
    return np.tanh(v) * c + 1.0


def elementwise(x, y):
    return np.sin(x) * y + np.exp(-x * x) - 0.5 * x


def scalar_broadcast(x, c):
    return x * c + c * c


def reductions(x):
    return np.sum(x, axis=0) * np.max(x, axis=1).sum(), x.min(axis=-1) + np.mean(x), np.mean(x)


def sum_axes(x):
    return np.sum(x, axis=0) * np.sum(x, axis=1)[0], np.mean(x)


def matvec(A, x):
    return A @ x + np.dot(A, x) * 0.5


def matmat(A, C):
    return A @ C - np.dot(A, C).sum()


def indexing(x):
    return x[1:] * x[:-1] + x[0] - np.sum(x[x > 0.0]) + x[-1] + x[::-1][1:]


def indexing2d(A):
    return A[1, :] + A[:, 0][0] + np.sum(A[1:, 1:]) + A[-1]


def shapes(x):
    y = x.reshape(3, 2)
    return np.concatenate((y.T, x * 2.0), axis=1).ravel()[::2] + x.T.sum()


def branchy(x, t):
    if np.sum(x) > t:
        y = np.exp(x)
    else:
        y = -x
    y = y * 2.0 if x[0] > 0.0 else y + 1.0
    return y


def while_exit(x, thresh):
    s = 0.0
    i = 0
    while s < thresh and i < 100:
        s = s + x[i % x.shape[0]] ** 2 + 0.1
        i += 1
    return s, i


def newton_vec(a):
    y = a
    while np.max(np.abs(y * y - a)) > 1e-12:
        y = 0.5 * (y + a / y)
    return y


def with_helpers(x, y):
    return _helper_scale(x, 2.0) * corpus_helpers.softplus(y) + _helper_scale(y, x[0])


def tuple_out(x, y):
    return x * y, np.sum(x), (x - y, y[0])


def tuple_arg(p, x):
    W, b = p
    return np.tanh(W @ x + b)


def dict_arg(p, x):
    return {"y": p["w"] * x + p["b"], "n": np.sum(p["w"])}


def list_arg(xs, c):
    return xs[0] * xs[1] + c


def pass_through(x, y):
    return x * 2.0, y + 1.0


def constant(x):
    return 1.5


def scaled_sum(a, b):
    return np.sum(a * b) + a[0]


def _vecs(*shapes):
    return lambda rng: tuple(float(rng.uniform(0.5, 1.5)) if s == () else rng.standard_normal(s) for s in shapes)


def _posvecs(*shapes):
    return lambda rng: tuple(float(rng.uniform(0.5, 2.0)) if s == () else rng.uniform(0.5, 2.0, s) for s in shapes)


# name -> (f, example factory, per-example ranks of the arguments, per-example output ranks (tuple for tuple outputs))
FUNCS = {
    "elementwise": (elementwise, _vecs((2, 3), (2, 3)), (2, 2), 2),
    "scalar_broadcast": (scalar_broadcast, _vecs((2, 3), ()), (2, 0), 2),
    "reductions": (reductions, _vecs((3, 4)), (2,), (1, 1, 0)),
    "sum_axes": (sum_axes, _vecs((3, 4)), (2,), (1, 0)),
    "matvec": (matvec, _vecs((3, 4), (4,)), (2, 1), 1),
    "matmat": (matmat, _vecs((3, 4), (4, 2)), (2, 2), 2),
    "indexing": (indexing, _vecs((5,)), (1,), 1),
    "indexing2d": (indexing2d, _vecs((3, 4)), (2,), 1),
    "shapes": (shapes, _vecs((2, 3)), (2,), 1),
    "branchy": (branchy, _vecs((3,), ()), (1, 0), 1),
    "while_exit": (while_exit, lambda rng: (rng.standard_normal(4), float(rng.uniform(0.5, 6.0))), (1, 0), (0, 0)),
    "newton_vec": (newton_vec, _posvecs((3,)), (1,), 1),
    "with_helpers": (with_helpers, _vecs((3,), (3,)), (1, 1), 1),
    "tuple_out": (tuple_out, _vecs((3,), (3,)), (1, 1), (1, 0, (1, 0))),
}


def _axis_choices(rank):
    return [0, 1, -1, None] if rank >= 1 else [0, -1, None]


def _in_axes_combos(ranks):
    combos = [()]
    for r in ranks:
        combos = [c + (a,) for c in combos for a in _axis_choices(r)]
    return [c for c in combos if any(a is not None for a in c)]


def _mixed_out_axes(out_ranks):
    """A pytree of out_axes: 1 for leaves of rank >= 1, -1 for scalar leaves."""
    if isinstance(out_ranks, tuple):
        return tuple(_mixed_out_axes(r) for r in out_ranks)
    return 1 if out_ranks >= 1 else -1


def _out_axes_choices(out_ranks):
    if isinstance(out_ranks, tuple):
        return [0, -1, _mixed_out_axes(out_ranks)]
    return [0, 1, -1] if out_ranks >= 1 else [0, -1]


def _batching_params():
    params = []
    for name, (f, factory, ranks, out_ranks) in FUNCS.items():
        combos = _in_axes_combos(ranks)
        for c in combos:  # every in_axes combination, out_axes=0
            params.append(pytest.param(f, factory, c, 0, id=f"{name}-in{c}-out0"))
        for oa in _out_axes_choices(out_ranks)[1:]:  # every out_axes, with a few in_axes
            for c in (combos[0], combos[-1]):
                params.append(pytest.param(f, factory, c, oa, id=f"{name}-in{c}-out{oa}"))
        # in_axes as an int for every argument and as a list
        for a in (0, -1, 1) if min(ranks) >= 1 else (0, -1):
            params.append(pytest.param(f, factory, a, 0, id=f"{name}-in{a}-out0"))
        params.append(pytest.param(f, factory, list(combos[-1]), -1, id=f"{name}-inlist{list(combos[-1])}-out-1"))
    return params


@pytest.mark.parametrize("f, factory, in_axes, out_axes", _batching_params())
def test_batching(f, factory, in_axes, out_axes):
    examples = [factory(np.random.default_rng(seed)) for seed in range(B)]
    check_vmap(f, examples, in_axes, out_axes)


# The strategies (s2s/vectorize/array.py, loop.py): "auto" (above) picks array batching for
# the functions it can express; each strategy on its own gives the same results.
ARRAY_BATCHABLE = {"elementwise", "scalar_broadcast", "reductions", "sum_axes", "matvec", "matmat", "indexing2d",
                   "shapes", "with_helpers", "tuple_out"}  # the others: control flow on mapped values, a mask


@pytest.mark.parametrize("name", list(FUNCS))
def test_strategy_chosen(name):
    f, factory, ranks, _ = FUNCS[name]
    examples = [factory(np.random.default_rng(seed)) for seed in range(B)]
    for in_axes in (0, _in_axes_combos(ranks)[-1]):
        args = _batch(examples, in_axes)
        assert s2s.vmap(f, in_axes=in_axes).chosen_strategy(*args) == ("array" if name in ARRAY_BATCHABLE else "loop")


def _strategy_params():
    params = []
    for name, (f, factory, ranks, out_ranks) in FUNCS.items():
        combos = _in_axes_combos(ranks)
        for strategy in ("array", "loop") if name in ARRAY_BATCHABLE else ("loop",):
            for c, oa in ((combos[0], 0), (combos[-1], _out_axes_choices(out_ranks)[-1])):
                params.append(pytest.param(f, factory, c, oa, strategy, id=f"{name}-{strategy}-in{c}-out{oa}"))
    return params


@pytest.mark.parametrize("f, factory, in_axes, out_axes, strategy", _strategy_params())
def test_batching_strategy(f, factory, in_axes, out_axes, strategy):
    examples = [factory(np.random.default_rng(seed)) for seed in range(B)]
    check_vmap(f, examples, in_axes, out_axes, strategy=strategy)


# Compiled: a restricted set (numba compiles each variant).
# in_axes != 0 under jit: the per-example slice is passed as a contiguous copy (numba's reshape).
COMPILED = [
    ("elementwise", (0, 0), 0, ()),
    ("scalar_broadcast", (2, -1), 1, ()),
    ("scalar_broadcast", (2, 0), 1, ()),
    ("scalar_broadcast", (None, 0), -1, ()),
    ("sum_axes", 1, (1, 0), ()),
    ("indexing", 0, 0, ()),
    ("shapes", 1, 0, ()),
    ("branchy", (0, 0), 0, ()),
    ("with_helpers", (0, 1), 0, ()),
]


@pytest.mark.parametrize("name, in_axes, out_axes",
                         [pytest.param(n, i, o, id=f"{n}-in{i}-out{o}", marks=m) for n, i, o, m in COMPILED])
def test_batching_compiled(name, in_axes, out_axes):
    f, factory, _, _ = FUNCS[name]
    examples = [factory(np.random.default_rng(seed)) for seed in range(B)]
    check_vmap(f, examples, in_axes, out_axes, compiled=True)


# -- pytree arguments and outputs -------------------------------------------------------------------
def _tuple_examples():
    return [((rng.standard_normal((3, 4)), rng.standard_normal(3)), rng.standard_normal(4))
            for rng in map(np.random.default_rng, range(B))]


@pytest.mark.parametrize("in_axes", [0, (0, 0), ((0, None), 0), ((None, 0), None), ((1, -1), 0), ((None, None), -1),
                                     ([0, None], 0), (-1, 0)])
def test_tuple_argument(in_axes):
    check_vmap(tuple_arg, _tuple_examples(), in_axes, 0)


def test_tuple_argument_compiled():
    check_vmap(tuple_arg, _tuple_examples(), 0, 1, compiled=True)


def test_tuple_argument_pytree_in_axes_compiled():
    check_vmap(tuple_arg, _tuple_examples(), ((None, 0), 0), 1, compiled=True)


def _dict_examples():
    return [({"w": rng.standard_normal(3), "b": rng.standard_normal(3)}, rng.standard_normal(3))
            for rng in map(np.random.default_rng, range(B))]


@pytest.mark.parametrize("in_axes, out_axes", [
    (0, 0), (({"w": 0, "b": None}, 0), 0), (({"w": None, "b": 0}, -1), {"y": 1, "n": 0}),
    ((-1, None), {"y": -1, "n": 0}), (({"w": 0, "b": 0}, None), {"y": 1, "n": -1}),
])
def test_dict_argument_python_only(in_axes, out_axes):
    # dict arguments cannot go through jit (numba has no heterogeneous dicts)
    check_vmap(dict_arg, _dict_examples(), in_axes, out_axes)


@pytest.mark.parametrize("in_axes", [0, ([0, None], 0), ([None, 1], None), (0, None)])
def test_list_argument(in_axes):
    examples = [([rng.standard_normal((2, 3)), rng.standard_normal((2, 3))], float(rng.uniform()))
                for rng in map(np.random.default_rng, range(B))]
    check_vmap(list_arg, examples, in_axes, 0)


@pytest.mark.parametrize("compiled", [False, True])
def test_out_axes_none_for_unbatched_output(compiled):
    examples = [tuple(np.random.default_rng(s).standard_normal((2, 3))) for s in range(B)]
    out = check_vmap(pass_through, examples, (0, None), (1, None), compiled=compiled)
    assert out[1].shape == (3,)


def test_nested_tuple_out_axes():
    examples = [_vecs((3,), (3,))(np.random.default_rng(s)) for s in range(B)]
    check_vmap(tuple_out, examples, (0, None), (1, 0, (-1, 0)))
    check_vmap(tuple_out, examples, 0, (0, -1, -1))


def test_constant_output_is_broadcast():
    out = check_vmap(constant, [(np.ones(2),)] * B)
    assert out.shape == (B,)


@pytest.mark.parametrize("compiled", [False, True])
def test_axis_size_with_unmapped_arguments(compiled):
    a, b = np.arange(3.0), np.arange(3.0) + 1.0
    v = s2s.vmap(scaled_sum, in_axes=(None, None), axis_size=4)
    expected = np.full(4, scaled_sum(a, b))
    assert_tree_close((s2s.jit(v) if compiled else v)(a, b), expected)
    assert_tree_close(s2s.vmap(scaled_sum, in_axes=None, axis_size=2, out_axes=0)(a, b), expected[:2])
    # axis_size agreeing with the mapped axes is accepted
    assert_tree_close(s2s.vmap(scaled_sum, in_axes=(0, None), axis_size=2)(np.ones((2, 3)), b),
                      np.array([scaled_sum(np.ones(3), b)] * 2))


def test_keyword_arguments_are_mapped_along_axis_0():
    X, Y = np.random.default_rng(0).standard_normal((2, B, 3))
    got = s2s.vmap(elementwise, in_axes=(1,))(X.T.copy(), y=Y)
    assert_tree_close(got, np.stack([elementwise(X[b], Y[b]) for b in range(B)]))


def test_keyword_arguments_compiled():
    X, Y = np.random.default_rng(0).standard_normal((2, B, 3))
    got = s2s.jit(s2s.vmap(scalar_broadcast))(X, c=Y[:, 0])
    assert_tree_close(got, np.stack([scalar_broadcast(X[b], Y[b, 0]) for b in range(B)]))


def kw_only(x, *, s):
    return x * s


def test_keyword_only_argument_is_mapped():
    x, s = np.random.default_rng(0).standard_normal((2, B))
    assert_tree_close(s2s.vmap(kw_only)(x, s=s), x * s)


def list_out(x):
    return [x, x * 2.0]


def test_list_output():
    examples = [(np.random.default_rng(s).standard_normal(2),) for s in range(B)]
    check_vmap(list_out, examples, 0, [1, 0])


def tuple_through_variable(x, y):
    t = (x * 2.0, y + 1.0)
    return t


def test_out_axes_none_for_leaf_of_tuple_variable():
    examples = [tuple(np.random.default_rng(s).standard_normal((2, 3))) for s in range(B)]
    check_vmap(tuple_through_variable, examples, (0, None), (0, None))


def kw_defaults(x, a=1.0, b=2.0):
    return x * a + b


def test_keyword_argument_after_skipped_default():
    x, b = np.ones(3), np.array([10.0, 20.0, 30.0])
    got = s2s.vmap(kw_defaults)(x, b=b)
    assert_tree_close(got, np.array([kw_defaults(1.0, b=v) for v in b]))


def relu_int_zero(x):
    return x if x > 0.0 else 0


def test_output_dtype_not_taken_from_first_example_only():
    x = np.array([-1.0, 2.5, 3.5])
    assert_tree_close(s2s.vmap(relu_int_zero)(x), np.stack([np.asarray(relu_int_zero(v)) for v in x]))


# -- the corpus ---------------------------------------------------------------------------------------
def _corpus_variants():
    params = []
    for case in CASES:
        if case.static_argnums:
            continue
        args = case.args(0)
        floats = case.float_argnums()
        if not floats:
            continue

        def axes(pick):
            return tuple(None if i not in floats else pick(i, np.ndim(a)) for i, a in enumerate(args))
        variants = {"axis0": (axes(lambda i, r: 0), 0),
                    "last": (axes(lambda i, r: -1), -1),
                    "axis1": (axes(lambda i, r: 1 if r >= 1 else 0), -1)}
        if len(floats) >= 2:
            variants["first_only"] = (axes(lambda i, r: 0 if i == floats[0] else None), 0)
        for vname, (in_axes, out_axes) in variants.items():
            params.append(pytest.param(case, in_axes, out_axes, id=f"{case.name}-{vname}"))
    return params


@pytest.mark.parametrize("case, in_axes, out_axes", _corpus_variants())
def test_corpus(case, in_axes, out_axes):
    examples = [case.args(seed) for seed in range(B)]
    check_vmap(case.fn, examples, in_axes, out_axes)


@pytest.mark.parametrize("name, in_axes", [("rnn", (None, None, 0, 0)), ("mixed_int_bool", 0),
                                           ("loop_runtime_args", (1, None, None))])
def test_corpus_compiled(name, in_axes):
    case = corpus.by_name(name)
    check_vmap(case.fn, [case.args(seed) for seed in range(B)], in_axes, 0, compiled=True)


# -- per-example gradients and compositions -------------------------------------------------------------
def loss(w, x, y):
    return (np.tanh(np.dot(w, x)) - y) ** 2 + 0.1 * np.sum(w * w)


def _data(n=5, d=3):
    rng = np.random.default_rng(1)
    return rng.standard_normal(d), rng.standard_normal((n, d)), rng.standard_normal(n)


@pytest.mark.parametrize("compiled", [False, True])
def test_per_example_gradients(compiled):
    w, X, y = _data()
    v = s2s.vmap(s2s.grad(loss), in_axes=(None, 0, 0))
    expected = np.stack([s2s.grad(loss)(w, X[i], y[i]) for i in range(len(y))])
    assert_tree_close((s2s.jit(v) if compiled else v)(w, X, y), expected, rtol=1e-10)


def test_per_example_gradients_argnums_tuple_and_axes():
    w, X, y = _data()
    v = s2s.vmap(s2s.grad(loss, argnums=(0, 1)), in_axes=(None, 1, 0), out_axes=(0, 1))
    per = [s2s.grad(loss, argnums=(0, 1))(w, X[i], y[i]) for i in range(len(y))]
    got = v(w, X.T.copy(), y)
    assert_tree_close(got, (np.stack([p[0] for p in per]), np.stack([p[1] for p in per], axis=1)), rtol=1e-10)


def f_jac(x):
    return np.sin(x) * np.sum(x * x)


@pytest.mark.parametrize("jac", [s2s.jacfwd, s2s.jacrev])
def test_vmap_of_jacobian(jac):
    X = np.random.default_rng(2).standard_normal((4, 3))
    expected = np.stack([jac(f_jac)(X[i]) for i in range(4)])
    assert_tree_close(s2s.vmap(jac(f_jac))(X), expected, rtol=1e-10)
    assert_tree_close(s2s.vmap(jac(f_jac), in_axes=1, out_axes=-1)(X.T.copy()), np.moveaxis(expected, 0, -1),
                      rtol=1e-10)


PER_EXAMPLE_LOSS = s2s.vmap(loss, in_axes=(None, 0, 0))


def total_loss(w, X, y):
    return np.sum(PER_EXAMPLE_LOSS(w, X, y)) / X.shape[0]


def test_grad_of_function_calling_vmap():
    w, X, y = _data()
    expected = sum(s2s.grad(loss)(w, X[i], y[i]) for i in range(len(y))) / len(y)
    assert_tree_close(s2s.grad(total_loss)(w, X, y), expected, rtol=1e-10)
    assert np.isclose(total_loss(w, X, y), np.mean([loss(w, X[i], y[i]) for i in range(len(y))]))


def uses_the_batch_twice(w, X, y):
    o = PER_EXAMPLE_LOSS(w, X, y)
    return np.sum(o * o) + 3.0 * o[0] - np.mean(np.sin(o))


@pytest.mark.parametrize("compiled", [False, True])
def test_grad_through_vmap_output_used_twice(compiled):
    """The VJP of vmap's loop reads each example's cotangent row; rows are not zeroed (each is
    set once: zeroing copied the batch per example, quadratic in its size)."""
    from grad_cases import central_difference, central_jacobian

    w, X, y = _data(n=7)
    wrap = s2s.jit if compiled else (lambda f: f)
    g = wrap(s2s.grad(uses_the_batch_twice, argnums=(0, 1)))
    gw, gX = g(w, X, y)
    np.testing.assert_allclose(gw, central_difference(uses_the_batch_twice, (w, X, y), 0), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(gX, central_difference(uses_the_batch_twice, (w, X, y), 1), rtol=1e-6, atol=1e-6)
    assert "jac_row_zero" not in s2s.source(g)
    if not compiled:  # second order through the same loop
        H = s2s.hessian(uses_the_batch_twice)(w, X, y)
        fd = central_jacobian(lambda v: s2s.grad(uses_the_batch_twice)(v, X, y), w)
        np.testing.assert_allclose(H, fd, rtol=1e-6, atol=1e-8)


def test_jit_vmap_per_example_while_loop_trip_counts():
    X = np.random.default_rng(3).standard_normal((6, 4))
    t = np.linspace(0.5, 8.0, 6)
    v = s2s.jit(s2s.vmap(while_exit))
    s, n = v(X, t)
    expected = _reference(while_exit, (X, t))
    assert_tree_close((s, n), expected)
    assert len(set(n.tolist())) > 1, "the examples should take different numbers of iterations"


def mul(a, b):
    return a * b


def outer_via_vmap(x, y):
    return s2s_outer(x, y)


s2s_outer = s2s.vmap(s2s.vmap(mul, in_axes=(None, 0)), in_axes=(0, None))


@pytest.mark.parametrize("compiled", [False, True])
def test_nested_vmap_outer_product(compiled):
    x, y = np.arange(3.0) + 1.0, np.arange(4.0) - 1.5
    wrap = s2s.jit if compiled else (lambda f: f)
    assert_tree_close(wrap(s2s_outer)(x, y), np.outer(x, y))
    if not compiled:
        t = s2s.vmap(s2s.vmap(mul, in_axes=(None, 0)), in_axes=(0, None), out_axes=1)
        assert_tree_close(t(x, y), np.outer(x, y).T)
        # batched outer products: a third level, and a function that calls a nested vmap
        X, Y = np.random.default_rng(4).standard_normal((2, 5, 3))
        assert_tree_close(s2s.vmap(s2s_outer)(X, Y), np.einsum("bi,bj->bij", X, Y))
        assert_tree_close(s2s.vmap(outer_via_vmap)(X, Y), np.einsum("bi,bj->bij", X, Y))


def test_vmap_of_jit():
    X, Y = np.random.default_rng(5).standard_normal((2, 4, 3))
    assert_tree_close(s2s.vmap(s2s.jit(elementwise))(X, Y), _reference(elementwise, (X, Y)))


def static_steps(x, n, mode):
    s = x
    for i in range(n):
        s = s * 0.5 + 1.0 if mode == "half" else s + np.sin(s)
    return s


def test_jit_of_vmap_with_static_arguments():
    x = np.linspace(0.0, 1.0, 4)
    f = s2s.jit(s2s.vmap(static_steps, in_axes=(0, None, None)), static_argnums=(1, 2))
    g = s2s.jit(s2s.vmap(s2s.grad(static_steps), in_axes=(0, None, None)), static_argnames=("n", "mode"))
    for n, mode in ((3, "half"), (2, "sine")):
        np.testing.assert_allclose(f(x, n, mode), [static_steps(v, n, mode) for v in x], rtol=1e-14)
        eps = 1e-6
        fd = [(static_steps(v + eps, n, mode) - static_steps(v - eps, n, mode)) / (2 * eps) for v in x]
        np.testing.assert_allclose(g(x, n, mode), fd, rtol=1e-7)


# -- chunk_size -----------------------------------------------------------------------------------------
def layer_stats(v, b, W):
    h = np.tanh(W @ v + b)
    return h, np.sum(h * h), {"bias": b * 2.0}


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "jit"])
def test_chunk_size_gives_the_same_results(compiled):
    wrap = s2s.jit if compiled else (lambda f: f)
    rng = np.random.default_rng(3)
    W, V = rng.standard_normal((5, 4)), rng.standard_normal((4, 10))
    in_axes, out_axes = (1, None, None), (1, 0, {"bias": None})
    expected = _reference(layer_stats, (V, 0.5, W), in_axes, out_axes)
    for chunk in (3, 64) if compiled else (1, 3, 10, 64):  # compiled: one module per chunk size
        v = s2s.vmap(layer_stats, in_axes=in_axes, out_axes=out_axes, chunk_size=chunk)
        got = wrap(v)(V, 0.5, W)
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)
        assert got[2]["bias"] == expected[2]["bias"]
        assert got[0].shape == (5, 10)
        if not compiled:
            assert v.chosen_strategy(V, 0.5, W) == "array"
            assert f"min(n, {chunk})" in v.source(V, 0.5, W)  # the batched function sees <= chunk examples
    empty = wrap(s2s.vmap(layer_stats, in_axes=in_axes, out_axes=out_axes, chunk_size=3))(np.zeros((4, 0)), 0.5, W)
    assert empty[0].shape == (5, 0) and empty[1].shape == (0,)


def test_chunk_size_with_loop_batching_changes_nothing():
    x = np.linspace(-1, 1, 7)
    v = s2s.vmap(branchy, in_axes=(0, None), chunk_size=2)
    xs = np.stack([x, -x, x * 2])
    np.testing.assert_allclose(v(xs, 0.1), _reference(branchy, (xs, 0.1), (0, None)))
    assert v.chosen_strategy(xs, 0.1) == "loop"


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "4"])
def test_chunk_size_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match="chunk_size"):
        s2s.vmap(elementwise, chunk_size=bad)


# -- an empty batch -------------------------------------------------------------------------------------
@pytest.mark.parametrize("compiled", [False, True], ids=["python", "jit"])
def test_empty_batch_gives_empty_outputs(compiled):
    wrap = s2s.jit if compiled else (lambda f: f)
    A = np.ones((3, 4))
    out = wrap(s2s.vmap(matvec, in_axes=(None, 0)))(A, np.zeros((0, 4)))
    assert out.shape == (0, 3) and out.dtype == np.float64
    if not compiled:  # (numba compiles each variant: the compiled path checks two)
        out = s2s.vmap(matvec, in_axes=(None, 1), out_axes=1)(A, np.zeros((4, 0)))
        assert out.shape == (3, 0)
        s, m = s2s.vmap(sum_axes)(np.zeros((0, 2, 5)))
        assert s.shape == (0, 5) and m.shape == (0,)
    # per-example gradients of an empty batch: an empty (0, d) array, like JAX
    g = wrap(s2s.vmap(s2s.grad(scaled_sum), in_axes=(0, None)))(np.zeros((0, 4)), np.ones(4))
    assert g.shape == (0, 4)


def test_empty_batch_of_loop_batched_function_says_why():
    with pytest.raises(ValueError, match="size 0.*first example"):
        s2s.vmap(branchy, in_axes=(0, None))(np.zeros((0, 3)), 0.5)
    with pytest.raises(ValueError, match="strategy='loop' was requested"):
        s2s.vmap(matvec, in_axes=(None, 0), strategy="loop")(np.ones((3, 4)), np.zeros((0, 4)))


# -- errors --------------------------------------------------------------------------------------------
X23 = np.ones((2, 3))


def _call(v, *args):
    return lambda: v(*args)


ERRORS = [
    ("in_axes_length", ValueError, "len(in_axes)=3",
     lambda: s2s.vmap(elementwise, in_axes=(0, 0, 0))(X23, X23)),
    ("in_axes_length_short", ValueError, "len(in_axes)=1",
     lambda: s2s.vmap(elementwise, in_axes=(0,))(X23, X23)),
    ("inconsistent_sizes", ValueError, "inconsistent sizes",
     lambda: s2s.vmap(elementwise)(np.ones((2, 3)), np.ones((3, 3)))),
    ("inconsistent_with_axis_size", ValueError, "inconsistent sizes",
     lambda: s2s.vmap(elementwise, axis_size=5)(X23, X23)),
    ("no_mapped_argument", ValueError, "at least one non-None",
     lambda: s2s.vmap(elementwise, in_axes=None)(X23, X23)),
    ("no_mapped_argument_tuple", ValueError, "at least one non-None",
     lambda: s2s.vmap(elementwise, in_axes=(None, None))(X23, X23)),
    ("map_scalar", ValueError, "rank",
     lambda: s2s.vmap(scalar_broadcast)(X23, 2.0)),
    ("axis_out_of_bounds", ValueError, "out of bounds",
     lambda: s2s.vmap(elementwise, in_axes=(2, 0))(X23, X23)),
    ("negative_axis_out_of_bounds", ValueError, "out of bounds",
     lambda: s2s.vmap(elementwise, in_axes=(0, -3))(X23, X23)),
    ("out_axes_none_batched", ValueError, "out_axes is None",
     lambda: s2s.vmap(elementwise, out_axes=None)(X23, X23)),
    ("out_axes_none_branch_dependent", ValueError, "out_axes is None",
     lambda: s2s.vmap(branchy, in_axes=(None, 0), out_axes=None)(np.ones(3), np.ones(2))),
    ("out_axes_out_of_bounds", ValueError, "out of bounds",
     lambda: s2s.vmap(scaled_sum, out_axes=1)(X23, X23)),
    ("out_axes_pytree_mismatch", ValueError, "out_axes",
     lambda: s2s.vmap(tuple_out, out_axes=(0, 0))(X23, X23)),
    ("in_axes_bad_type", TypeError, "in_axes",
     lambda: s2s.vmap(elementwise, in_axes="0")),
    ("in_axes_float", TypeError, "in_axes",
     lambda: s2s.vmap(elementwise, in_axes=1.5)),
    ("out_axes_bad_type", TypeError, "out_axes",
     lambda: s2s.vmap(elementwise, out_axes="0")),
    ("pytree_in_axes_mismatch_length", ValueError, "in_axes",
     lambda: s2s.vmap(tuple_arg, in_axes=((0, 0, 0), 0))((np.ones((2, 3, 4)), np.ones((2, 3))), np.ones((2, 4)))),
    ("pytree_in_axes_dict_for_tuple", ValueError, "in_axes",
     lambda: s2s.vmap(tuple_arg, in_axes=({"W": 0}, 0))((np.ones((2, 3, 4)), np.ones((2, 3))), np.ones((2, 4)))),
    ("pytree_in_axes_for_array", ValueError, "in_axes",
     lambda: s2s.vmap(elementwise, in_axes=((0, 0), 0))(X23, X23)),
    ("pytree_in_axes_dict_keys", ValueError, "in_axes",
     lambda: s2s.vmap(dict_arg, in_axes=({"w": 0}, 0))({"w": X23, "b": X23}, X23)),
    ("top_level_dict_in_axes", ValueError, "in_axes",
     lambda: s2s.vmap(elementwise, in_axes={"x": 0})(X23, X23)),
    ("non_callable", TypeError, "callable",
     lambda: s2s.vmap(3.0)),
    ("bad_axis_size", ValueError, "axis_size",
     lambda: s2s.vmap(elementwise, in_axes=None, axis_size=0)),
    ("wrong_number_of_arguments", TypeError, "vmap of elementwise",
     lambda: s2s.vmap(elementwise)(X23)),
    pytest.param("in_axes_bad_leaf_type", TypeError, "in_axes",
                 lambda: s2s.vmap(elementwise, in_axes=(0, "a"))(X23, X23), id="in_axes_bad_leaf_type"),
]


@pytest.mark.parametrize("name, exc, fragment, thunk",
                         [e if hasattr(e, "marks") else pytest.param(*e, id=e[0]) for e in ERRORS])
def test_errors(name, exc, fragment, thunk):
    with pytest.raises(exc) as info:
        thunk()
    assert fragment in str(info.value), str(info.value)
