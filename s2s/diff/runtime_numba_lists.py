"""numba overloads for Python lists of arrays (numba's reflected `types.List`, as built by
`.append` or a list comprehension): the NumPy functions that join a sequence -- np.stack,
np.concatenate, np.vstack, np.hstack, np.column_stack, np.array/np.asarray of a list of
arrays -- which numba itself takes only as tuples, the runtime's `array_of`, and the
list forms of the contributions unstack, unconcatenate, unhstack, unvstack and unsum (one
per element, returned as a list of C-contiguous arrays; `unsum`'s are unbroadcast's). At the
end, the numba forms of runtime_containers.py: adjoint lists (`zeros_list`, `add_to_list`),
`pick_leaf`, `stored_part` / `unstored_part`, and the pytree functions `tree_map_of` /
`tree_leaves_of`, written out from the trees' types (tuples, literal dicts, lists).

The joins are one plain loop nest (`_list_joined`) over a (outer, axis, inner) view of each
element: it compiles once per element type. Like the other runtime_numba*.py files, this
one is copied into standalone dumped modules, after runtime_numba_shape (it uses `_slab`
and `_plane`).

`np.array(L)` right after the loop that appends to an empty `L` is rewritten by numba
itself (its array-comprehension pass, before typing) into per-element stores that fail
for array elements; no overload is reached then, hence `array_of`, which it leaves alone.
"""
import numpy as np
from numba import types
from numba.core import errors
from numba.extending import overload
from numba.np.numpy_support import as_dtype
from numba.np.unsafe.ndarray import to_fixed_tuple

from .runtime import (  # s2s-runtime-import
    add_to_list,
    array_of,
    tree_leaves_of,
    tree_map_of,
    scalar_output,
    unreduce,
    pick_leaf,
    stored_part,
    unstored_part,
    zeros_like,
    zeros_list,
    unconcatenate,
    unhstack,
    unvstack,
    unstack,
    unsum,
    unbroadcast,
)
from .runtime_numba import _gen, _none  # noqa: F401
from .runtime_numba_shape import _plane, _slab  # noqa: F401
# s2s-runtime-import


def _list_of_arrays(t):
    """A reflected list whose elements are arrays (of one or more dimensions)."""
    return isinstance(t, types.List) and isinstance(t.dtype, types.Array) and t.dtype.ndim > 0


def _axis_type(t):  # an integer axis, given or left at its default
    return isinstance(t, (types.Integer, types.Omitted, int))


# The two helpers below are overloads rather than @numba.njit functions: an overload is
# typed with its arguments' non-literal types first, so the constant axes and flags of the
# callers share one compilation per list type.
def _list_axis(axis, n):
    """(numba only) `axis` in range(n) (negative: from the end); ValueError out of range."""


def _list_joined(arrays, ax, stack, dtype):
    """(numba only) the elements of `arrays` joined along axis `ax` of the result -- stacked
    (a new axis) or concatenated (an existing one) -- as (a C-ordered (outer, n, inner)
    array, the result's shape as an integer array)."""


@overload(_list_axis)
def _ol_list_axis(axis, n):
    def impl(axis, n):
        ax = axis + n if axis < 0 else axis
        if ax < 0 or ax >= n:
            raise ValueError("axis is out of bounds for the joined array")
        return ax
    return impl


@overload(_list_joined)
def _ol_list_joined(arrays, ax, stack, dtype):
    return _list_joined_impl


def _list_joined_impl(arrays, ax, stack, dtype):
    if len(arrays) == 0:
        if stack:
            raise ValueError("need at least one array to stack")
        raise ValueError("need at least one array to concatenate")
    s0 = arrays[0].shape
    nd = len(s0) + (1 if stack else 0)
    shape = np.empty(nd, np.int64)
    for d in range(nd):  # an element's shape, with the new axis of length 1 when stacking
        shape[d] = 1 if stack and d == ax else s0[d - 1 if stack and d > ax else d]
    total = 0
    for j in range(len(arrays)):
        s = arrays[j].shape
        for d in range(len(s)):
            e = d + 1 if stack and d >= ax else d
            if e != ax and s[d] != shape[e]:
                if stack:
                    raise ValueError("all input arrays must have the same shape")
                raise ValueError("all the input array dimensions except for the concatenation axis must match exactly")
        total += 1 if stack else s[ax]
    outer, inner = 1, 1
    for d in range(nd):
        if d < ax:
            outer *= shape[d]
        elif d > ax:
            inner *= shape[d]
    shape[ax] = total
    out = np.empty((outer, total, inner), dtype)
    off = 0
    for j in range(len(arrays)):
        a = np.ascontiguousarray(arrays[j])
        m = 1 if stack else a.shape[ax]
        a3 = a.reshape((outer, m, inner))
        for o in range(outer):
            for k in range(m):
                for i in range(inner):
                    out[o, off + k, i] = a3[o, k, i]
        off += m
    return out, shape


def _join_impl(arrays, stack, axis=None):
    """The impl joining the list `arrays` along axis `axis` (None: impl(arrays, axis=0), the
    axis its argument; an int: impl(tup)), as their dtype."""
    nd, dt = arrays.dtype.ndim + (1 if stack else 0), as_dtype(arrays.dtype.dtype)
    if axis is not None:
        def fixed(tup):
            out, shape = _list_joined(tup, axis, stack, dt)
            return out.reshape(to_fixed_tuple(shape, nd))
        return fixed

    def impl(arrays, axis=0):
        out, shape = _list_joined(arrays, _list_axis(axis, nd), stack, dt)
        return out.reshape(to_fixed_tuple(shape, nd))
    return impl


@overload(np.stack)
def _ol_np_stack_list(arrays, axis=0):
    if _list_of_arrays(arrays) and _axis_type(axis):
        return _join_impl(arrays, True)


@overload(np.stack)
def _ol_np_stack_array(arrays, axis=0):
    """np.stack of an array (a sequence of its rows), as derivative code differentiated
    again writes it for the contribution to a list: the rows joined along `axis`."""
    if isinstance(arrays, types.Array) and arrays.ndim > 1 and _axis_type(axis):
        def impl(arrays, axis=0):
            return np.stack([arrays[i] for i in range(arrays.shape[0])], axis)
        return impl
    if isinstance(arrays, types.Array) and arrays.ndim == 1 and _axis_type(axis):
        def impl1(arrays, axis=0):
            if axis != 0 and axis != -1:
                raise ValueError("axis is out of bounds for the stacked array")
            return arrays.copy()
        return impl1


@overload(np.concatenate)
def _ol_np_concatenate_list(arrays, axis=0):
    if _list_of_arrays(arrays) and _axis_type(axis):
        return _join_impl(arrays, False)
    if _list_of_arrays(arrays) and _none(axis):  # the flattened elements, one after another
        def impl(arrays, axis=0):
            flat = []
            for j in range(len(arrays)):
                flat.append(np.ascontiguousarray(arrays[j]).reshape(-1))
            return np.concatenate(flat)
        return impl


@overload(np.vstack)
def _ol_np_vstack_list(tup):
    if _list_of_arrays(tup):
        return _join_impl(tup, tup.dtype.ndim == 1, 0)


@overload(np.hstack)
def _ol_np_hstack_list(tup):
    if _list_of_arrays(tup):
        return _join_impl(tup, False, 0 if tup.dtype.ndim == 1 else 1)


@overload(np.column_stack)
def _ol_np_column_stack_list(tup):
    if _list_of_arrays(tup):  # 1-d elements become columns
        return _join_impl(tup, tup.dtype.ndim == 1, 1)


def _list_array(seq):
    """(numba only) np.array(seq) of a list of equally shaped arrays: np.stack(seq), empty
    for an empty list (shape (0, 0, ...): its elements' shape is unknown)."""


@overload(_list_array)
def _ol_list_array(seq):
    nd, dt = seq.dtype.ndim + 1, as_dtype(seq.dtype.dtype)

    def impl(seq):
        if len(seq) == 0:
            return np.empty(to_fixed_tuple(np.zeros(nd, np.int64), nd), dt)
        out, shape = _list_joined(seq, 0, True, dt)
        return out.reshape(to_fixed_tuple(shape, nd))
    return impl


@overload(np.array)
def _ol_np_array_list(object, dtype=None):
    if isinstance(object, types.Array):  # a copy (numba's np.array takes no array)
        if _none(dtype):
            return lambda object, dtype=None: object.copy()
        return lambda object, dtype=None: object.astype(dtype)
    if _list_of_arrays(object):
        if _none(dtype):
            return lambda object, dtype=None: _list_array(object)
        return lambda object, dtype=None: _list_array(object).astype(dtype)


@overload(np.asarray)
def _ol_np_asarray_list(a, dtype=None):
    if _list_of_arrays(a):
        if _none(dtype):
            return lambda a, dtype=None: _list_array(a)
        return lambda a, dtype=None: _list_array(a).astype(dtype)


@overload(array_of)
def _ol_array_of(seq, dtype=None):
    if not _list_of_arrays(seq):
        return lambda seq, dtype=None: np.array(seq, dtype)
    if _none(dtype):
        return lambda seq, dtype=None: _list_array(seq)
    return lambda seq, dtype=None: _list_array(seq).astype(dtype)


# ----------------------------------------------- contributions to each element of a list
@overload(unstack)
def _ol_unstack_list(ct, arrays, axis=0):
    if isinstance(ct, types.Array) and _list_of_arrays(arrays) and _axis_type(axis):
        def impl(ct, arrays, axis=0):
            ax, out = _list_axis(axis, ct.ndim), []
            for j in range(len(arrays)):
                out.append(np.ascontiguousarray(_plane(ct, ax, j)))
            return out
        return impl


@overload(unstack)
def _ol_unstack_numbers(ct, arrays, axis=0):
    # np.stack of a list of numbers (0-d values): the elements of the 1-d ct
    if isinstance(ct, types.Array) and ct.ndim == 1 and isinstance(arrays, types.List) \
            and isinstance(arrays.dtype, (types.Float, types.Integer)) and _axis_type(axis):
        def impl(ct, arrays, axis=0):
            out = []
            for j in range(len(arrays)):
                out.append(ct[j] * 1.0)
            return out
        return impl


@overload(unconcatenate)
def _ol_unconcatenate_list(ct, arrays, axis=0):
    if not (isinstance(ct, types.Array) and _list_of_arrays(arrays)):
        return None
    if _axis_type(axis):
        def impl(ct, arrays, axis=0):
            ax, out, lo = _list_axis(axis, ct.ndim), [], 0
            for j in range(len(arrays)):
                hi = lo + arrays[j].shape[ax]
                out.append(np.ascontiguousarray(_slab(ct, ax, lo, hi)))
                lo = hi
            return out
        return impl
    if _none(axis):  # pieces of the flattened ct, in each element's shape
        def impl(ct, arrays, axis=0):
            flat, out, lo = np.ascontiguousarray(ct).reshape(-1), [], 0
            for j in range(len(arrays)):
                hi = lo + arrays[j].size
                out.append(flat[lo:hi].copy().reshape(arrays[j].shape))
                lo = hi
            return out
        return impl


@overload(unhstack)
def _ol_unhstack_list(ct, tup):
    if isinstance(ct, types.Array) and _list_of_arrays(tup):
        if tup.dtype.ndim == 1:
            return lambda ct, tup: unconcatenate(ct, tup, 0)
        return lambda ct, tup: unconcatenate(ct, tup, 1)


@overload(unvstack)
def _ol_unvstack_list(ct, tup):
    if isinstance(ct, types.Array) and _list_of_arrays(tup):
        if tup.dtype.ndim > 1:
            return lambda ct, tup: unconcatenate(ct, tup, 0)

        def impl(ct, tup):  # 1-d elements are ct's rows
            out = []
            for j in range(len(tup)):
                out.append(np.ascontiguousarray(ct[j]))
            return out
        return impl


@overload(unsum)
def _ol_unsum_list(ct, items):
    if isinstance(items, types.List):
        def impl(ct, items):
            out = []
            for j in range(len(items)):
                out.append(unbroadcast(ct, items[j]))
            return out
        return impl


# ---------------------------------------- whole-list and -tuple reductions (numba: arrays only)
def _list_reduction(fn):
    def ol(a):
        if isinstance(a, types.List):
            return lambda a: fn(array_of(a))
        if isinstance(a, types.UniTuple) and isinstance(a.dtype, types.Array):  # `np.sum((x, 2 * x))`
            return lambda a: fn(np.stack(a))
        if isinstance(a, types.UniTuple) and isinstance(a.dtype, (types.Number, types.Boolean)):
            return lambda a: fn(np.array(a))
        if isinstance(a, types.BaseTuple) and len(a) and all(isinstance(t, (types.Number, types.Boolean))
                                                              for t in a.types):
            n = len(a)  # mixed numbers (an int and a float): as floats
            return _gen(("tuple_reduction", fn.__name__, n), [
                "def impl(a):", "    return fn(np.array((" + "".join(f"a[{i}] * 1.0, " for i in range(n)) + ")))"],
                env={**globals(), "fn": fn})
    return ol


for _fn in (np.sum, np.mean, np.prod, np.max, np.min, np.std, np.var):
    overload(_fn)(_list_reduction(_fn))


@overload(unreduce)
def _ol_unreduce_tuple_items(ct, x, axis=None):
    """The cotangent of a whole reduction of a tuple (`np.sum((a, 2 * a))`), indexed per element."""
    if isinstance(x, types.UniTuple) and isinstance(x.dtype, types.Array) and _none(axis):
        return lambda ct, x, axis=None: unreduce(ct, np.stack(x), axis)
    if isinstance(x, types.BaseTuple) and len(x) and _none(axis) and all(
            isinstance(t, (types.Number, types.Boolean)) for t in x.types):
        n = len(x)
        return lambda ct, x, axis=None: np.full(n, ct)


@overload(scalar_output)
def _ol_scalar_output(value):
    if isinstance(value, types.Array):
        def impl(value):
            raise TypeError("Gradient only defined for scalar-output functions (the output was an array)")
        return impl
    if isinstance(value, types.Boolean):
        def impl(value):
            raise TypeError("grad requires real-valued outputs (output dtype that is a sub-dtype of "
                            "np.floating), but got bool")
        return impl
    return lambda value: value


@overload(np.size)
def _ol_size_tuple(a):
    """np.size of a tuple of equal arrays or of numbers (the mean's derivative reads it)."""
    if isinstance(a, types.UniTuple) and isinstance(a.dtype, types.Array):
        return lambda a: len(a) * a[0].size
    if isinstance(a, types.BaseTuple) and all(isinstance(t, (types.Number, types.Boolean)) for t in a.types):
        n = len(a)
        return lambda a: n


# ------------------------------------------ adjoint lists, tuple reads, repeated-index stores
@overload(zeros_list)
def _ol_zeros_list(items):
    if isinstance(items, types.List):
        return lambda items: [zeros_like(v) for v in items]


@overload(add_to_list)
def _ol_add_to_list(acc, ct):
    if isinstance(acc, types.List):
        def impl(acc, ct):
            for i in range(len(acc)):
                acc[i] = acc[i] + ct[i]
        return impl


@overload(pick_leaf)
def _ol_pick_leaf(ct, i, k, n):
    return lambda ct, i, k, n: ct * (1.0 if i % n == k else 0.0)  # one type for both cases


@overload(stored_part)
def _ol_stored_part(b, idx):
    if isinstance(b, types.Array) and isinstance(idx, types.Array) and isinstance(idx.dtype, types.Integer) \
            and idx.ndim == 1:
        def impl(b, idx):  # the last write of each position of axis 0 keeps its adjoint
            part = b[idx]
            taken = np.zeros(b.shape[0], np.bool_)
            for j in range(len(idx) - 1, -1, -1):
                k = idx[j] % b.shape[0]
                if taken[k]:
                    part[j] = 0.0
                taken[k] = True
            return part
        return impl
    return lambda b, idx: b[idx]  # slices, integers, masks: no position twice


@overload(unstored_part)
def _ol_unstored_part(ct, b, idx):
    if isinstance(b, types.Array):
        def impl(ct, b, idx):
            out = np.zeros(b.shape)
            out[idx] = ct
            return out
        return impl


# ----------------------------------------------------------------------- pytrees
# A tree's structure is in its numba type: a tuple's elements, a literal dict's constant keys
# (`{'w': W, 'b': b}` built in generated code), a list's one element type. The implementation
# is the expression that takes the tree apart and builds the result, written out per type.

def _tree_kind(t):
    if isinstance(t, (types.NoneType, types.Omitted)):
        return "none"
    if isinstance(t, types.LiteralStrKeyDict):
        return "dict"
    if isinstance(t, types.BaseTuple) and not isinstance(t, (types.NamedTuple, types.NamedUniTuple)):
        return "tuple"
    if isinstance(t, types.List):
        return "list"
    if isinstance(t, types.DictType):
        raise errors.TypingError("tree_map/tree_leaves take dicts of constant string keys under jit "
                                 "(a typed dict's keys are not known when compiling)")
    return "leaf"


def _tree_children(t):
    """(key expressions, child types) of a tuple or literal dict type, dict keys sorted."""
    if _tree_kind(t) == "dict":
        keys = sorted(t.fields)
        return [repr(k) for k in keys], [t.types[t.fields.index(k)] for k in keys]
    return [str(i) for i in range(len(t.types))], list(t.types)


def _tree_map_expr(tys, exprs, leaf, depth=0):
    """The expression mapping `leaf` over trees of types `tys` read as `exprs`."""
    kinds = [_tree_kind(t) for t in tys]
    if kinds[0] == "none":
        return "None"
    if kinds[0] == "leaf":
        return leaf(exprs)
    if any(k != kinds[0] for k in kinds):
        raise errors.TypingError(f"tree_map: the trees have different structures: {tys[0]} and "
                                 f"{next(t for t, k in zip(tys, kinds) if k != kinds[0])}")
    if kinds[0] == "list":
        i = f"i{depth}"
        inner = _tree_map_expr([t.dtype for t in tys], [f"{e}[{i}]" for e in exprs], leaf, depth + 1)
        return f"[{inner} for {i} in range(len({exprs[0]}))]"
    keys, first = _tree_children(tys[0])
    children = [_tree_children(t) for t in tys]
    if any(c[0] != keys for c in children):
        raise errors.TypingError(f"tree_map: the trees have different structures: {tys[0]} and "
                                 f"{next(t for t, c in zip(tys, children) if c[0] != keys)}")
    parts = [_tree_map_expr([c[1][j] for c in children], [f"{e}[{k}]" for e in exprs], leaf, depth)
             for j, k in enumerate(keys)]
    if kinds[0] == "dict":
        return "{" + ", ".join(f"{k}: {p}" for k, p in zip(keys, parts)) + "}"
    return "(" + "".join(p + ", " for p in parts) + ")"


@overload(tree_map_of)
def _ol_tree_map_of(fn, env, tree, *rest):
    n_env = len(env)
    exprs = ["tree"] + [f"rest[{j}]" for j in range(len(rest))]

    def leaf(args):
        return "fn(" + ", ".join(args + [f"env[{j}]" for j in range(n_env)]) + ")"

    body = _tree_map_expr([tree] + list(rest), exprs, leaf)
    ns = {}
    exec(f"def impl(fn, env, tree, *rest):\n    return {body}\n", ns)
    return ns["impl"]


def _tree_leaf_exprs(t, e):
    kind = _tree_kind(t)
    if kind == "none":
        return []
    if kind == "leaf":
        return [e]
    if kind == "list":
        raise errors.TypingError("tree_leaves of a list under jit: its length is not known when compiling "
                                 "(use a tuple)")
    keys, children = _tree_children(t)
    return [x for k, c in zip(keys, children) for x in _tree_leaf_exprs(c, f"{e}[{k}]")]


@overload(tree_leaves_of)
def _ol_tree_leaves_of(tree):
    if _tree_kind(tree) == "list" and _tree_kind(tree.dtype) == "leaf":
        return lambda tree: [v for v in tree]
    leaves = _tree_leaf_exprs(tree, "tree")
    ns = {}
    exec("def impl(tree):\n    return (" + "".join(x + ", " for x in leaves) + ")\n", ns)
    return ns["impl"]
