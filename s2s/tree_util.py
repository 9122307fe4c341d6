"""Pytrees as JAX's `jax.tree_util` treats them: tuples, namedtuples, lists and dicts (their
keys sorted, as JAX sorts them) are nodes, None is an empty node, anything else a leaf. For use around transformed functions (initialising parameters, applying gradients,
comparing results); the structures s2s's transformations take are the same."""

__all__ = ["tree_flatten", "tree_leaves", "tree_map", "tree_structure", "tree_unflatten", "PyTreeDef"]


class PyTreeDef:
    """The structure of a pytree: its node kinds and keys, without the leaves."""

    __slots__ = ("kind", "keys", "children", "node_type")

    def __init__(self, kind, keys=(), children=(), node_type=None):
        self.kind, self.keys, self.children = kind, tuple(keys), tuple(children)
        self.node_type = node_type  # a namedtuple's class

    @property
    def num_leaves(self):
        if self.kind == "leaf":
            return 1
        return sum(c.num_leaves for c in self.children)

    def __eq__(self, other):
        return isinstance(other, PyTreeDef) and (self.kind, self.keys, self.children, self.node_type) == (
            other.kind, other.keys, other.children, other.node_type)

    def __hash__(self):
        return hash((self.kind, self.keys, self.children, self.node_type))

    def __repr__(self):
        if self.kind == "leaf":
            return "*"
        if self.kind == "none":
            return "None"
        if self.kind == "namedtuple":
            return f"{self.node_type.__name__}(" + ", ".join(f"{k}={c!r}" for k, c in zip(self.keys, self.children)) + ")"
        inner = ", ".join(repr(c) if self.kind != "dict" else f"{k!r}: {c!r}"
                          for k, c in zip(self.keys or range(len(self.children)), self.children))
        return {"tuple": f"({inner}{',' if len(self.children) == 1 else ''})", "list": f"[{inner}]",
                "dict": "{" + inner + "}"}[self.kind]


def _flatten(tree, leaves, is_leaf):
    if is_leaf is not None and is_leaf(tree):
        leaves.append(tree)
        return PyTreeDef("leaf")
    if tree is None:
        return PyTreeDef("none")
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return PyTreeDef("namedtuple", tree._fields, [_flatten(c, leaves, is_leaf) for c in tree], type(tree))
    if isinstance(tree, (tuple, list)):
        kind = "tuple" if isinstance(tree, tuple) else "list"
        return PyTreeDef(kind, (), [_flatten(c, leaves, is_leaf) for c in tree])
    if isinstance(tree, dict):
        keys = sorted(tree)
        return PyTreeDef("dict", keys, [_flatten(tree[k], leaves, is_leaf) for k in keys])
    leaves.append(tree)
    return PyTreeDef("leaf")


def tree_flatten(tree, is_leaf=None):
    """(leaves in order, PyTreeDef)."""
    leaves = []
    treedef = _flatten(tree, leaves, is_leaf)
    return leaves, treedef


def tree_leaves(tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)[0]


def tree_structure(tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)[1]


def tree_unflatten(treedef, leaves):
    """The pytree of structure `treedef` whose leaves are `leaves`, in order."""
    it = iter(leaves)

    def build(d):
        if d.kind == "leaf":
            return next(it)
        if d.kind == "none":
            return None
        children = [build(c) for c in d.children]
        if d.kind == "dict":
            return dict(zip(d.keys, children))
        if d.kind == "namedtuple":
            return d.node_type(*children)
        return tuple(children) if d.kind == "tuple" else children

    try:
        out = build(treedef)
    except StopIteration:
        raise ValueError(f"tree_unflatten: fewer leaves than the structure {treedef!r} has "
                         f"({treedef.num_leaves})") from None
    if next(it, _END) is not _END:
        raise ValueError(f"tree_unflatten: more leaves than the structure {treedef!r} has ({treedef.num_leaves})")
    return out


_END = object()


def tree_map(f, tree, *rest, is_leaf=None):
    """The pytree of `tree`'s structure whose leaves are f(leaf, *matching leaves of rest)."""
    leaves, treedef = tree_flatten(tree, is_leaf)
    others = []
    for r in rest:
        r_leaves, r_def = tree_flatten(r, is_leaf)
        if r_def != treedef:
            raise ValueError(f"tree_map: the trees have different structures: {treedef!r} and {r_def!r}")
        others.append(r_leaves)
    return tree_unflatten(treedef, [f(*xs) for xs in zip(leaves, *others)])
