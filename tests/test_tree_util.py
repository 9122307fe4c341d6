"""s2s.tree_util: JAX's pytree functions (dict keys sorted, None an empty node)."""
from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import s2s
from s2s.tree_util import tree_flatten, tree_leaves, tree_map, tree_structure, tree_unflatten

TREE = {"b": [1.0, (2.0, None)], "a": np.arange(3.0)}


def test_flatten_orders_dict_keys_and_skips_none():
    leaves, treedef = tree_flatten(TREE)
    assert [np.asarray(v).tolist() for v in leaves] == [[0.0, 1.0, 2.0], 1.0, 2.0]
    assert treedef.num_leaves == 3
    assert repr(treedef) == "{'a': *, 'b': [*, (*, None)]}"
    rebuilt = tree_unflatten(treedef, leaves)
    assert list(rebuilt) == ["a", "b"] and rebuilt["b"][1][1] is None
    assert tree_leaves((1, [2, {"x": 3}])) == [1, 2, 3]


def test_tree_map_over_several_trees_and_with_gradients():
    loss = lambda p: np.sum(p["w"] ** 2) + p["b"] ** 3  # noqa: E731
    params = {"w": np.array([1.0, -2.0]), "b": 0.5}
    grads = s2s.grad(loss)(params)
    assert tree_structure(grads) == tree_structure(params)
    new = tree_map(lambda p, g: p - 0.1 * g, params, grads)
    np.testing.assert_allclose(new["w"], [0.8, -1.6])
    assert new["b"] == pytest.approx(0.5 - 0.1 * 0.75)


@pytest.mark.parametrize("call", [
    lambda: tree_map(lambda a, b: a + b, {"x": 1.0}, {"y": 1.0}),
    lambda: tree_unflatten(tree_structure((1, 2)), [1]),
    lambda: tree_unflatten(tree_structure((1, 2)), [1, 2, 3]),
])
def test_mismatches_are_value_errors(call):
    with pytest.raises(ValueError):
        call()


Point = namedtuple("Point", ["x", "y"])
Pair = namedtuple("Pair", ["x", "y"])


def norm(pt):
    return np.sqrt(pt.x ** 2 + pt.y[0] ** 2)


def test_namedtuples_are_nodes():
    tree = Point(1.0, (2.0, 3.0))
    leaves, treedef = tree_flatten(tree)
    assert leaves == [1.0, 2.0, 3.0]
    assert repr(treedef) == "Point(x=*, y=(*, *))"
    assert tree_unflatten(treedef, [4.0, 5.0, 6.0]) == Point(4.0, (5.0, 6.0))
    assert tree_map(lambda v: v + 1.0, Point(1.0, 2.0)) == Point(2.0, 3.0)
    assert tree_structure(Point(1.0, 2.0)) != tree_structure(Pair(1.0, 2.0))  # the class is part of it
    assert tree_structure(Point(1.0, 2.0)) != tree_structure((1.0, 2.0))


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_the_gradient_of_a_namedtuple_is_one_read_by_attribute(jit):
    p = Point(3.0, (4.0, 7.0))
    g = (s2s.jit(s2s.grad(norm)) if jit else s2s.grad(norm))(p)
    assert isinstance(g, Point)
    np.testing.assert_allclose([g.x, g.y[0], g.y[1]], [0.6, 0.8, 0.0], rtol=1e-12)
    _, tangent = s2s.jvp(norm, (p,), (Point(1.0, (0.0, 0.0)),))
    np.testing.assert_allclose(tangent, 0.6, rtol=1e-12)


def test_a_dict_subclass_gradient_keeps_its_type_and_order():
    params = OrderedDict([("b", np.array([1.0, 2.0])), ("a", 3.0)])
    g = s2s.grad(lambda d: np.sum(d["b"] ** 2) * d["a"])(params)
    assert type(g) is OrderedDict and list(g) == ["b", "a"]
    np.testing.assert_allclose(g["b"], 2.0 * params["b"] * 3.0)
    np.testing.assert_allclose(g["a"], 5.0)
