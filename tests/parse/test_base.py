"""parse/base.py's tree helpers against the standard ones they replace for speed: `walk`
(ast.walk's order), `clone` (copy.deepcopy) and `fix_missing_locations` (gast's)."""
import ast
import copy
import inspect

import gast
import pytest

from s2s.parse import base
from s2s.parse.function_args import Shared

SOURCES = [inspect.getsource(base.clone), inspect.getsource(base), "def f(x):\n    return [v * 2 for v in x if v > 0]\n"]


@pytest.mark.parametrize("src", SOURCES, ids=["function", "module", "comprehension"])
def test_walk_is_ast_walk(src):
    tree = gast.parse(src)
    assert [id(n) for n in base.walk(tree)] == [id(n) for n in ast.walk(tree)]
    expr = tree.body[0]
    assert [id(n) for n in base.walk(expr)] == [id(n) for n in ast.walk(expr)]


@pytest.mark.parametrize("src", SOURCES, ids=["function", "module", "comprehension"])
def test_clone_is_a_deep_copy(src):
    tree = gast.parse(src)
    name = next(n for n in ast.walk(tree) if isinstance(n, gast.Name))
    marker, note = object(), ["a", "list"]
    name.s2s_value, name.s2s_note = Shared(marker), note  # s2s's attributes on a node
    new = base.clone(tree)
    assert gast.dump(new, include_attributes=True) == gast.dump(tree, include_attributes=True)
    old_ids = {id(n) for n in ast.walk(tree)}
    assert not any(id(n) in old_ids for n in ast.walk(new))  # nothing shared
    twin = next(n for n in ast.walk(new) if isinstance(n, gast.Name))
    assert twin.s2s_value.value is marker  # a Shared value stays shared, as under deepcopy
    assert twin.s2s_note == note and twin.s2s_note is not note
    assert gast.dump(copy.deepcopy(tree)) == gast.dump(new)
    assert base.clone([tree.body[0], 3])[1] == 3


def test_clone_keeps_a_node_referenced_twice_as_one():
    shared = gast.Name(id="x", ctx=gast.Load(), annotation=None, type_comment=None)
    pair = gast.Tuple(elts=[shared, shared], ctx=gast.Load())
    new = base.clone(pair)
    assert new.elts[0] is new.elts[1] and new.elts[0] is not shared


def test_fix_missing_locations_is_gasts():
    def made():
        tree = gast.parse("def f(x):\n    y = x + 1\n    return y\n")
        call = gast.Call(func=gast.Name(id="g", ctx=gast.Load(), annotation=None, type_comment=None),
                         args=[gast.Constant(value=2, kind=None)], keywords=[])
        tree.body[0].body.insert(1, gast.Expr(value=call))  # generated: no positions
        tree.body[0].body[2].lineno = 7
        return tree

    want, got = gast.fix_missing_locations(made()), made()
    assert base.fix_missing_locations(got) is got
    assert gast.dump(got, include_attributes=True) == gast.dump(want, include_attributes=True)
