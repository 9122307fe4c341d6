"""s2s.tree_util: JAX's pytree functions (dict keys sorted, None an empty node)."""
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
