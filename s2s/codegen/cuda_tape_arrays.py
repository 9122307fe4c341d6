"""Arrays on reverse-mode tapes inside CUDA kernels.

A tape slot holds one float64 (`kernel_tapes.py`). An array pushed on a tape is copied into
the thread's arena -- its dimensions first, then its elements in C order -- and the slot
keeps the offset; the pop reads the array back as a view of that arena memory. The arena is
never reused within an example, so the copy stays valid until the reverse sweep reads it.
Shapes (what `shape_of` saves for `unbroadcast`) go to the arena the same way.
"""
import math

import numpy as np
from numba import types
from numba.extending import overload

from .cuda_arrays import _GENERATED, _is_array, arena_alloc, sim


def k_tape_store(arena, state, buf, layout, need, k, i, v):
    """Push `v` at position `i` of tape `k` (an array: its arena offset). The simulator."""
    arena, v = sim(arena), sim(v)  # (the simulator's arrays)
    from .cuda_runtime import tape_store

    if isinstance(v, tuple):  # a shape (shape_of): its ints in the arena
        off = arena_alloc(arena, state, len(v))
        if off >= 0:
            arena[off:off + len(v)] = v
        tape_store(buf, layout, need, k, i, float(off))
        return (0,)
    if np.ndim(v) == 0:
        tape_store(buf, layout, need, k, i, v)
        return (0,)
    v = np.asarray(v, dtype=np.float64)
    off = arena_alloc(arena, state, v.ndim + v.size)
    if off >= 0:
        arena[off:off + v.ndim] = v.shape
        arena[off + v.ndim:off + v.ndim + v.size] = v.ravel()
    tape_store(buf, layout, need, k, i, float(off))
    return (0,)


def k_tape_load(arena, state, buf, layout, k, i, like):
    """Position `i` of tape `k`, as the type of `like` (an array: a view of the arena). The
    simulator; an overflowing launch (its results are discarded) gets `like` back."""
    arena, like = sim(arena), sim(like)  # (the simulator's arrays)
    from .cuda_runtime import tape_load

    if not isinstance(like, tuple) and np.ndim(like) == 0:
        return (tape_load(buf, layout, k, i, like),)
    off = int(tape_load(buf, layout, k, i, -1.0))
    if off < 0:
        return (like,)
    if isinstance(like, tuple):
        return (tuple(int(arena[off + d]) for d in range(len(like))),)
    nd = np.ndim(like)
    shape = tuple(int(arena[off + d]) for d in range(nd))
    return (arena[off + nd:off + nd + int(np.prod(shape))].reshape(shape),)


_TAPE_DTYPE = ("a CUDA kernel keeps arrays on a reverse-mode tape as float64; this one is {}: compute it in "
               "float64 (e.g. x.astype(np.float64)) or run the function with jit on the CPU")


@overload(k_tape_store, target="generic")
def _ol_k_tape_store(arena, state, buf, layout, need, k, i, v):
    from numba.core import errors

    from .cuda_runtime import tape_store

    if _is_shape(v):
        lines = ["def impl(arena, state, buf, layout, need, k, i, v):", f"    off = arena_alloc(arena, state, {len(v)})"]
        lines += [f"    arena[off + {d}] = v[{d}]" for d in range(len(v))]
        lines += ["    tape_store(buf, layout, need, k, i, off)", "    return (0,)"]
        return _compile_with(("tape_store_shape", len(v)), lines, tape_store=tape_store)
    if not _is_array(v):
        def scalar(arena, state, buf, layout, need, k, i, v):
            tape_store(buf, layout, need, k, i, v)
            return (0,)
        return scalar
    if not isinstance(v.dtype, types.Float):
        raise errors.TypingError(_TAPE_DTYPE.format(v.dtype))
    nd = v.ndim
    lines = ["def impl(arena, state, buf, layout, need, k, i, v):",
             f"    off = arena_alloc(arena, state, {nd} + v.size)"]
    lines += [f"    arena[off + {d}] = v.shape[{d}]" for d in range(nd)]
    lines.append(f"    j = off + {nd}")
    for d in range(nd):
        lines.append("    " * (d + 1) + f"for i{d} in range(v.shape[{d}]):")
    lines.append("    " * (nd + 1) + f"arena[j] = v[{', '.join(f'i{d}' for d in range(nd))}]")
    lines.append("    " * (nd + 1) + "j += 1")
    lines += ["    tape_store(buf, layout, need, k, i, off)", "    return (0,)"]
    return _compile_with(("tape_store", nd), lines, tape_store=tape_store)


@overload(k_tape_load, target="generic")
def _ol_k_tape_load(arena, state, buf, layout, k, i, like):
    from numba.core import errors

    from .cuda_runtime import tape_load

    if _is_shape(like):
        dims = "".join(f"int(arena[off + {d}]), " for d in range(len(like)))
        return _compile_with(("tape_load_shape", len(like)), [
            "def impl(arena, state, buf, layout, k, i, like):",
            "    if i >= layout[2 * k + 1]:  # an overflowing launch (discarded)",
            "        return (like,)",
            "    off = int(buf[layout[2 * k] + i])",
            f"    return (({dims}),)"], tape_load=tape_load)
    if not _is_array(like):
        return lambda arena, state, buf, layout, k, i, like: (tape_load(buf, layout, k, i, like),)
    if not isinstance(like.dtype, types.Float):
        raise errors.TypingError(_TAPE_DTYPE.format(like.dtype))
    nd = like.ndim
    dims = ", ".join(f"int(arena[off + {d}])" for d in range(nd)) + ("," if nd == 1 else "")
    lines = ["def impl(arena, state, buf, layout, k, i, like):",
             "    if i >= layout[2 * k + 1]:  # an overflowing launch (discarded): any array of like's shape",
             "        if like.size > arena.shape[0]:",
             "            raise MemoryError('s2s kernel tape')",
             "        return (arena[0:like.size].reshape(like.shape),)",
             "    off = int(buf[layout[2 * k] + i])",
             f"    shape = ({dims})",
             "    n = 1",
             "    for s in shape:",
             "        n *= s",
             f"    return (arena[off + {nd}:off + {nd} + n].reshape(shape),)"]
    return _compile_with(("tape_load", nd), lines, tape_load=tape_load)


def _is_shape(t):
    """A shape tuple (shape_of's result): ints, or the empty tuple of a scalar."""
    return isinstance(t, types.UniTuple) and isinstance(t.dtype, types.Integer) or t == types.Tuple(())


def _compile_with(key, lines, **names):
    fn = _GENERATED.get(key)
    if fn is None:
        env = {"math": math, "arena_alloc": arena_alloc, "np": np, **names}
        exec("\n".join(lines), env)
        fn = _GENERATED[key] = env["impl"]
    return fn
