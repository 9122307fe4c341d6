"""Runtime helpers for containers and stores in derivative code: the adjoint lists of lists
built in place (`zeros_list`, `add_to_list`, see diff/lists.py), `array_of` (np.array of a list,
which numba compiles through runtime_numba_lists.py), `pick_leaf` (a tuple read at a run-time
index), and `stored_part` / `unstored_part` (a store `x[idx] = v` whose integer-array index
repeats a position: only the last write stays). Part of the runtime (`s2s.diff.runtime`
re-exports every name in `__all__`; `s2s dump -o` copies this file after it), so
self-contained like it: NumPy only.
"""
import numpy as np

from .runtime import zeros_like  # noqa: E402  s2s-runtime-import
# s2s-runtime-import (the dumped module defines it above)

__all__ = ["zeros_list", "add_to_list", "array_of", "pick_leaf", "stored_part", "unstored_part"]


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
