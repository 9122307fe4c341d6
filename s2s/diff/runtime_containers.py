"""Runtime helpers for containers and stores in derivative code: the adjoint lists of lists
built in place (`zeros_list`, `add_to_list`, see diff/lists.py), `array_of` (np.array of a list,
which numba compiles through runtime_numba_lists.py), `pick_leaf` (a tuple read at a run-time
index), and `tree_map_of` / `tree_leaves_of` (the pytree functions called in transformed code, see
parse/tree_calls.py), and `stored_part` / `unstored_part` (a store `x[idx] = v` whose integer-array index
repeats a position: only the last write stays). Part of the runtime (`s2s.diff.runtime`
re-exports every name in `__all__`; `s2s dump -o` copies this file after it), so
self-contained like it: NumPy only.
"""
import numpy as np

from .runtime import zeros_like  # noqa: E402  s2s-runtime-import
# s2s-runtime-import (the dumped module defines it above)

__all__ = ["zeros_list", "add_to_list", "array_of", "pick_leaf", "stored_part", "unstored_part", "tree_map_of",
           "tree_leaves_of"]


def zeros_list(items):
    """The zero adjoint of a list built in place (`L = []; L.append(v)`): zeros like each
    element. The backward sweep pops one per append, so it keeps L's length."""
    return [zeros_like(v) for v in items]


def add_to_list(acc, ct):
    """`acc[i] += ct[i]` for a list adjoint, in place: `ct` is the contribution to the whole
    list (a tuple, a list, or an array whose rows are the elements)."""
    for i in range(len(acc)):
        acc[i] = acc[i] + ct[i]


def array_of(seq, dtype=None):
    """np.array(seq, dtype), for generated code: under numba, a list of arrays is stacked
    (numba rewrites `np.array` of a just-built list itself, and fails for array elements)."""
    return np.array(seq, dtype)


def pick_leaf(ct, i, k, n):
    """The contribution to element k of an n-element container read at a run-time index i
    (`t = (a, b, c)[i]`): ct where i picks k, else zero."""
    return ct if i % n == k else 0.0


def stored_part(b, idx):
    """b[idx] for the backward sweep of a store `x[idx] = v`: where an integer-array idx
    names a position twice, only the last write stays in x, so only it gets the adjoint."""
    part = b[idx]
    parts = idx if isinstance(idx, tuple) else (idx,)
    if not any(isinstance(p, (np.ndarray, list)) and np.asarray(p).dtype.kind in "iu" for p in parts):
        return part
    flat = np.ravel(np.arange(np.size(b)).reshape(np.shape(b))[idx])
    keep = np.zeros(flat.size, bool)
    _, first_of_reversed = np.unique(flat[::-1], return_index=True)
    keep[flat.size - 1 - first_of_reversed] = True
    return np.where(keep.reshape(np.shape(part)), part, 0.0)


def unstored_part(ct, b, idx):
    """Contribution to b of `stored_part(b, idx)`: ct written back at idx (where idx repeats
    a position, the last write -- the one stored_part kept -- wins)."""
    out = np.zeros(np.shape(b))
    out[idx] = ct
    return out


def _is_node(tree):
    """A pytree node as s2s.tree_util takes them: tuples (not named tuples), lists, dicts."""
    return isinstance(tree, (list, dict)) or isinstance(tree, tuple) and not hasattr(tree, "_fields")


def tree_map_of(fn, env, tree, *rest):
    """`tree_util.tree_map(f, tree, *rest)` in generated code: `fn` is the function made for f,
    called on each leaf of `tree` and the matching leaves of `rest`, then f's variables `env`.
    Dict keys in sorted order, None an empty node, as tree_util does."""
    if tree is None:
        return None
    if not _is_node(tree):
        return fn(tree, *rest, *env)
    for r in rest:
        same = type(r) is type(tree) and (sorted(r) == sorted(tree) if isinstance(tree, dict) else len(r) == len(tree))
        if not same:
            raise ValueError(f"tree_map: the trees have different structures: {tree!r} and {r!r}")
    if isinstance(tree, dict):
        return {k: tree_map_of(fn, env, tree[k], *[r[k] for r in rest]) for k in sorted(tree)}
    out = [tree_map_of(fn, env, t, *[r[i] for r in rest]) for i, t in enumerate(tree)]
    return out if isinstance(tree, list) else tuple(out)


def tree_leaves_of(tree):
    """`tree_util.tree_leaves(tree)` in generated code: the leaves, depth first, dict keys sorted."""
    if tree is None:
        return []
    if not _is_node(tree):
        return [tree]
    keys = sorted(tree) if isinstance(tree, dict) else range(len(tree))
    return [leaf for k in keys for leaf in tree_leaves_of(tree[k])]
