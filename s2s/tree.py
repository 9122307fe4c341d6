"""s2s.tree: the pytree functions under the short names of JAX's `jax.tree` module
(`tree.map`, `tree.leaves`, ...); the same functions as s2s.tree_util's, so inside transformed
code `tree.map` and `tree.leaves` work as tree_util.tree_map and tree_leaves do."""
from .tree_util import (  # noqa: F401
    tree_flatten as flatten,
    tree_leaves as leaves,
    tree_map as map,
    tree_structure as structure,
    tree_unflatten as unflatten,
)

__all__ = ["flatten", "leaves", "map", "structure", "unflatten"]
