"""tree_util.tree_map / tree_leaves called inside transformed functions (parse/tree_calls.py,
diff/tree_calls.py): the values against the same functions run as plain Python, derivatives
against central differences, in the Python path and compiled."""
import numpy as np
import pytest

import s2s
from s2s import tree, tree_util
from s2s.errors import S2SError

from grad_cases import central_difference

RNG = np.random.default_rng(3)
MLP = [(RNG.normal(size=(3, 4)), RNG.normal(size=4)), (RNG.normal(size=(4, 2)), RNG.normal(size=2))]
X = RNG.normal(size=(5, 3))
NESTED = {"a": {"u": RNG.normal(size=3), "v": 0.7}, "b": (RNG.normal(size=2), RNG.normal(size=(1, 2)))}
DICT = {"w": RNG.normal(size=(3, 2)), "b": RNG.normal(size=2)}


def predict(params, x):
    for W, b in params:
        x = np.tanh(x @ W + b)
    return np.sum(x ** 2)


def sgd(p, g):
    return p - 0.1 * g


def sgd_step(params, x):
    """JAX's training step: a gradient, then a tree_map of a global function over two trees."""
    grads = s2s.grad(predict)(params, x)
    return tree_util.tree_map(sgd, params, grads)


def lambda_step(params, x, lr):
    grads = s2s.grad(predict)(params, x)
    return tree.map(lambda p, g: p - lr * g, params, grads)


def l2(params):
    return sum(np.sum(w ** 2) for w in tree_util.tree_leaves(params))


def regularized(params, x):
    """tree_leaves in a helper: leaves of different ranks, summed in a loop over them."""
    return predict(params, x) + 0.1 * l2(params)


def scaled(params, x, s):
    """A nested def reading a variable, mapped over a tree that is not differentiated (w.r.t. s)."""
    def scale(p):
        return p * s
    return predict(tree_util.tree_map(scale, params), x)


def squares(t):
    """Nested dicts and tuples, a scalar leaf among arrays."""
    sq = tree_util.tree_map(lambda z: np.sin(z) * z, t)
    return sum(np.sum(v) for v in tree.leaves(sq))


def affine(d, x):
    """A dict built by tree_map, then read by key."""
    e = tree_util.tree_map(lambda p: 2.0 * p, d)
    return np.sum(np.tanh(x @ e["w"] + e["b"]))


def tree_fd(fn, args, argnum):
    """Central differences of fn w.r.t. every leaf of the pytree args[argnum], as that pytree."""
    leaves, treedef = tree_util.tree_flatten(args[argnum])
    out = []
    for k, leaf in enumerate(leaves):
        def of_leaf(v, k=k):
            new = list(leaves)
            new[k] = v
            a = list(args)
            a[argnum] = tree_util.tree_unflatten(treedef, new)
            return fn(*a)
        out.append(central_difference(of_leaf, [leaf], 0))
    return tree_util.tree_unflatten(treedef, out)


def assert_trees_close(got, want, **kw):
    assert tree_util.tree_structure(got) == tree_util.tree_structure(want)
    for g, w in zip(tree_util.tree_leaves(got), tree_util.tree_leaves(want)):
        np.testing.assert_allclose(g, w, **kw)


# (name, function, arguments, the argument differentiated)
CASES = [
    ("regularized", regularized, (MLP, X), 0),
    ("scaled-params", scaled, (MLP, X, 1.3), 0),
    ("scaled-s", scaled, (MLP, X, 1.3), 2),
    ("squares", squares, (NESTED,), 0),
    ("affine", affine, (DICT, X[:, :3]), 0),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name, fn, args, argnum", CASES, ids=IDS)
def test_grad_python_path(name, fn, args, argnum):
    want = tree_fd(fn, args, argnum) if argnum != 2 else central_difference(fn, args, argnum)
    assert_trees_close(s2s.grad(fn, argnums=argnum)(*args), want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name, fn, args, argnum", [c for c in CASES if c[0] in ("scaled-s", "squares")],
                         ids=["scaled-s", "squares"])
def test_forward_mode_and_hessian(name, fn, args, argnum):
    want = tree_fd(fn, args, argnum) if argnum != 2 else central_difference(fn, args, argnum)
    assert_trees_close(s2s.jacfwd(fn, argnums=argnum)(*args), want, rtol=1e-6, atol=1e-7)
    if argnum == 2:  # d2/ds2 against central differences of the gradient
        g = s2s.grad(fn, argnums=2)
        want2 = central_difference(g, args, 2)
        np.testing.assert_allclose(s2s.hessian(fn, argnums=2)(*args), want2, rtol=1e-5)


def test_jvp_matches_vjp():
    """<J t, c> == <t, J^T c> for a tree_map over the differentiated tree."""
    t = tree_util.tree_map(lambda v: np.ones_like(v) * 0.3, NESTED)
    _, tangent_out = s2s.jvp(squares, (NESTED,), (t,))
    ct = 1.7
    (g,) = s2s.vjp(squares, NESTED)[1](ct)
    inner = sum(np.sum(a * b) for a, b in zip(tree_util.tree_leaves(t), tree_util.tree_leaves(g)))
    np.testing.assert_allclose(tangent_out * ct, inner, rtol=1e-10)


def test_training_steps_python_and_compiled():
    grads = s2s.grad(predict)(MLP, X)
    want = [tuple(p - 0.1 * g for p, g in zip(pl, gl)) for pl, gl in zip(MLP, grads)]
    for step in (sgd_step, s2s.jit(sgd_step)):
        assert_trees_close(step(MLP, X), want, rtol=1e-12)
    # a lambda reading a variable; a dict of parameters crosses jit's boundary and comes back a dict
    d_want = {k: DICT[k] - 0.05 * g for k, g in s2s.grad(affine)(DICT, X).items()}
    step = s2s.jit(lambda_dict_step)
    assert_trees_close(step(DICT, X, 0.05), d_want, rtol=1e-12)
    assert_trees_close(lambda_step(MLP, X, 0.1), want, rtol=1e-12)


def lambda_dict_step(d, x, lr):
    grads = s2s.grad(affine)(d, x)
    return tree_util.tree_map(lambda p, g: p - lr * g, d, grads)


def test_compiled_values_and_gradients():
    """jit of the functions and of their gradients (one compiled group: numba's time)."""
    args = (MLP, X)
    np.testing.assert_allclose(s2s.jit(regularized)(*args), regularized(*args), rtol=1e-12)
    assert_trees_close(s2s.jit(s2s.grad(regularized))(*args), s2s.grad(regularized)(*args), rtol=1e-10)
    np.testing.assert_allclose(s2s.jit(squares)(NESTED), squares(NESTED), rtol=1e-12)
    assert_trees_close(s2s.jit(s2s.grad(squares))(NESTED), tree_fd(squares, (NESTED,), 0), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(s2s.jit(s2s.grad(scaled, argnums=2))(MLP, X, 1.3),
                               central_difference(scaled, (MLP, X, 1.3), 2), rtol=1e-6)


def test_vmap_over_a_closure_variable():
    s = np.array([0.5, 1.0, 2.0])
    want = [scaled(MLP, X, v) for v in s]
    np.testing.assert_allclose(s2s.vmap(scaled, in_axes=(None, None, 0))(MLP, X, s), want, rtol=1e-12)
    np.testing.assert_allclose(s2s.vmap(s2s.grad(scaled, argnums=2), in_axes=(None, None, 0))(MLP, X, s),
                               [central_difference(scaled, (MLP, X, v), 2) for v in s], rtol=1e-6)


def test_the_derivative_calls_the_function_per_leaf():
    """Readable derivative code: the map is the calls it stands for, one per leaf, dict keys
    sorted (s2s.source with arguments shows the version made for their structures)."""
    text = s2s.source(s2s.grad(affine), DICT, X)
    vjp = text[text.index("def affine_vjp"):]
    vjp = vjp[:vjp.index("\ndef ")]
    assert "tree_map_of" not in vjp
    assert 0 < vjp.index("affine_lambda(d_b)") < vjp.index("affine_lambda(d_w)")
    assert "e = {'b': " in vjp


def test_python_path_agrees_with_tree_util():
    """The runtime form (no structure known) orders dict keys and maps None as tree_util does."""
    from s2s.diff.runtime import tree_leaves_of, tree_map_of

    t = {"b": [1.0, (2.0, None)], "a": np.arange(3.0)}
    assert [np.asarray(v).tolist() for v in tree_leaves_of(t)] == [np.asarray(v).tolist()
                                                                   for v in tree_util.tree_leaves(t)]
    mapped = tree_map_of(lambda v, c: v * c, (3.0,), t)
    assert_trees_close(mapped, tree_util.tree_map(lambda v: v * 3.0, t))
    with pytest.raises(ValueError, match="different structures"):
        tree_map_of(lambda a, b: a + b, (), {"x": 1.0}, {"y": 1.0})


def with_is_leaf(t):
    return tree_util.tree_map(lambda v: v, t, is_leaf=lambda v: False)


def wrong_arity(t):
    return tree_util.tree_map(lambda a, b: a + b, t)


def numpy_function(t):
    return sum(tree_util.tree_leaves(tree_util.tree_map(np.sin, t)))


def in_nested_def(t, c):
    def inner(u):
        return tree_util.tree_map(lambda v: v * c, u)
    return l2(inner(t))


def mismatched(a, b):
    return l2(tree_util.tree_map(lambda u, v: u * v, a, b))


@pytest.mark.parametrize("fn, args, exc, match", [
    (with_is_leaf, ({"a": 1.0},), S2SError, "is_leaf"),
    (wrong_arity, ({"a": 1.0},), S2SError, "takes 2 argument"),
    (numpy_function, ({"a": 1.0},), S2SError, "must be a lambda, a nested def or a Python function"),
    (mismatched, ({"a": 1.0}, {"b": 2.0}), ValueError, "different structures"),
    (in_nested_def, ({"a": 1.0}, 2.0), S2SError, "inside a nested def"),
], ids=["is_leaf", "arity", "numpy-function", "mismatch", "nested-def"])
def test_refusals(fn, args, exc, match):
    with pytest.raises(exc, match=match):
        s2s.grad(fn)(*args)
