"""Shape operations: the per-example shape is the batched shape without its first entry, so
axes move one place right and new shapes get the batch size in front; array creation
(`np.zeros(3)`: unbatched, but its rank matters when a batched value meets it).

    np.reshape(x, (3, 2))        ->  np.reshape(np.ascontiguousarray(x), (n, 3, 2))
    np.transpose(A)              ->  np.transpose(A, (0, 2, 1))
    np.stack((a, b), axis=-1)    ->  np.stack((a, b), axis=-1)
    np.concatenate((a, u))       ->  np.concatenate((a, np.broadcast_to(u, (n,) + u.shape).copy()), axis=1)
    np.array([s, t])             ->  np.stack((s, t), axis=1)
"""
import numpy as np

from .base import Arr, Cont, Operand, Other, Out, register
from .reductions import _rows, example_size


def _shape_len(c, shape):
    """The number of entries of a shape argument (an int or a tuple), or None."""
    if shape.is_const:
        v = shape.value
        return 1 if isinstance(v, (int, np.integer)) else len(v) if isinstance(v, (tuple, list)) else None
    if isinstance(shape.desc, Cont):
        return len(shape.desc.items)
    return 1 if shape.rank == 0 else None


def _shape_text(c, shape):
    """(n,) + the per-example shape, as source."""
    if shape.batched:
        c.fail("a shape that depends on a mapped value")
    if shape.is_const:
        v = shape.value
        v = (v,) if isinstance(v, (int, np.integer)) else tuple(v)
        return f"({', '.join([c.n] + [str(int(d)) for d in v])}{',' if not v else ''})"
    if shape.rank == 0:
        return f"({c.n}, {shape})"
    return f"({c.n},) + tuple({shape})" if not isinstance(shape.desc, Cont) else f"({c.n},) + {shape}"


def reshape(c, a, shape, order="C"):
    rank = _shape_len(c, shape)
    if not c.batched:
        return c.keep(rank, a.kind, view=a.desc.view)
    if order != "C" and c.const(order, "order") != "C":
        c.fail("a reshape in an order other than 'C'")
    text = f"{c.np}.reshape({c.np}.ascontiguousarray({a}), {_shape_text(c, shape)})"
    return c.out(text, rank, a.kind, view=a.desc.view)


def ravel(c, a, order="C"):
    if not c.batched:
        return c.keep(1, a.kind, view=a.desc.view)
    if order != "C" and c.const(order, "order") != "C":
        c.fail("a ravel in an order other than 'C'")
    return c.out(f"{c.np}.reshape({c.np}.ascontiguousarray({a}), ({c.n}, {example_size(a)}))", 1, a.kind,
                 view=a.desc.view)


def transpose(c, a, axes=None):
    if not c.batched:
        return c.keep(a.rank, a.kind, view=a.desc.view)
    c.need_rank(a)
    r = a.rank
    perm = c.const(axes, "axes")
    if perm is None:
        if r <= 1:
            return c.out(a.text, r, a.kind, view=a.desc.view)
        perm = tuple(range(r - 1, -1, -1))
    perm = (0,) + tuple(p % r + 1 for p in perm)
    return c.out(f"{c.np}.transpose({a}, {perm!r})", r, a.kind, view=a.desc.view)


def _axis_rule(extra_rank):
    """Functions of one array and integer axis arguments (swapaxes, moveaxis, flip...)."""
    def rule(c, a, *axes):
        rank = None if a.rank is None else a.rank + extra_rank(c, axes)
        if not c.batched:
            return c.keep(rank, a.kind, view=a.desc.view)
        shifted = [repr(c.shift(tuple(v) if isinstance(v, list) else v))
                   for v in (c.const(ax, "the axis") for ax in axes)]
        return c.out(f"{c.func}({', '.join([a.text] + shifted)})", rank, a.kind, view=a.desc.view)
    return rule


def _n_axes(ax):
    v = ax.value if ax.is_const else None
    return len(v) if isinstance(v, (tuple, list)) else 1


register([np.swapaxes, np.moveaxis], _axis_rule(lambda c, axes: 0))
register([np.expand_dims], _axis_rule(lambda c, axes: _n_axes(axes[0])))
register([np.reshape], reshape)
register([np.ravel], ravel)
register([np.transpose], transpose)


def squeeze(c, a, axis=None):
    if axis is None or (axis.is_const and axis.value is None):
        if c.batched:
            c.fail("np.squeeze without an axis (which axes are 1 is not known)")
        return c.keep(None, a.kind, view=a.desc.view)
    return _axis_rule(lambda c, axes: -_n_axes(axes[0]))(c, a, axis)


def flip(c, m, axis=None):
    if axis is not None and not (axis.is_const and axis.value is None):
        return _axis_rule(lambda c, axes: 0)(c, m, axis)
    if not c.batched:
        return c.keep(m.rank, m.kind, view=m.desc.view)
    c.need_rank(m)
    return c.out(f"{m}[:{', ::-1' * m.rank}]", m.rank, m.kind, view=m.desc.view)


register([np.squeeze], squeeze)
register([np.flip], flip)


def _items(c, arrays):
    items = arrays.items()
    if items is None or any(isinstance(i.desc, Cont) for i in items):
        if c.batched or arrays.batched:
            c.fail("a sequence of arrays whose elements are not known")
        return None
    return items


def _joined(c, items):
    """Texts of the items, every one batched (broadcast if not), and their common rank."""
    ranks = {i.rank for i in items}
    if len(ranks) != 1 or None in ranks:
        c.fail("joining arrays of different or unknown numbers of dimensions")
    return [c.bcast(i) for i in items], ranks.pop()


def _join_rule(np_name, extra_rank):
    def rule(c, arrays, axis=0, dtype=None):
        items = _items(c, arrays)
        ranks = {i.rank for i in items} if items else {None}
        rank = ranks.pop() if len(ranks) == 1 else None
        if rank is not None:
            rank += extra_rank
        if items is None or not any(i.batched for i in items):
            return c.keep(rank if c.const(axis, "axis", 0) is not None or np_name == "stack" else 1)
        ax = c.const(axis, "axis", 0)
        if dtype is not None:
            c.fail("a dtype= argument")
        if ax is None:  # concatenate(axis=None): the examples flattened
            texts = [_rows(c, Operand(t, i.desc.but(batched=True))) for t, i in zip(_joined(c, items)[0], items)]
            return c.out(f"{c.np}.concatenate(({', '.join(texts)},), axis=1)", 1)
        texts, r = _joined(c, items)
        return c.out(f"{c.np}.{np_name}(({', '.join(texts)},), axis={c.shift(ax)})", r + extra_rank)
    return rule


register([np.stack], _join_rule("stack", 1))
register([np.concatenate], _join_rule("concatenate", 0))


def hstack(c, tup, dtype=None):
    items = _items(c, tup)
    if items is None or not any(i.batched for i in items):
        return c.keep(None)
    texts, r = _joined(c, items)
    if r == 0:
        return c.out(f"{c.np}.stack(({', '.join(texts)},), axis=1)", 1)
    return c.out(f"{c.np}.concatenate(({', '.join(texts)},), axis={1 if r == 1 else 2})", r)


def vstack(c, tup, dtype=None):
    items = _items(c, tup)
    if items is None or not any(i.batched for i in items):
        return c.keep(None)
    texts, r = _joined(c, items)
    if r == 0:
        c.fail("np.vstack of scalars")
    if r == 1:
        return c.out(f"{c.np}.stack(({', '.join(texts)},), axis=1)", 2)
    return c.out(f"{c.np}.concatenate(({', '.join(texts)},), axis=1)", r)


register([np.hstack], hstack)
register([np.vstack], vstack)


def array(c, a, dtype=None, *rest, **kw):
    """`np.array` / `np.asarray` / `np.ascontiguousarray`: of an array, the same call; of a
    list or tuple of batched scalars or arrays, their stack along axis 1."""
    if rest or kw:
        if c.batched:
            c.fail("extra arguments")
        return c.keep(None)
    items = a.items() if isinstance(a.desc, Cont) else None
    if items is None:
        if isinstance(a.desc, Cont):
            return c.keep(None)
        if not c.batched:
            return c.keep(a.rank, a.kind)
        dt = f", dtype={dtype}" if dtype is not None else ""
        return c.out(f"{c.func}({a}{dt})", a.rank, a.kind, view=c.func.endswith("asarray"))
    ranks = {i.rank for i in items}
    rank = ranks.pop() + 1 if len(ranks) == 1 and None not in ranks and not any(
        isinstance(i.desc, Cont) for i in items) else None
    if not any(i.batched for i in items):
        return c.keep(rank)
    if any(isinstance(i.desc, Cont) for i in items):
        c.fail("nested sequences")
    texts, r = _joined(c, items)
    text = f"{c.np}.stack(({', '.join(texts)},), axis=1)"
    if dtype is not None:
        text = f"{text}.astype({dtype})"
    return c.out(text, r + 1)


register([np.array, np.asarray, np.ascontiguousarray], array)


def broadcast_to(c, array, shape):
    rank = _shape_len(c, shape)
    if not c.batched:
        return c.keep(rank, array.kind, view=True)
    if rank is None:
        c.fail("a shape of unknown length")
    return c.out(f"{c.np}.broadcast_to({c.expand(array, rank)}, {_shape_text(c, shape)})", rank, array.kind,
                 view=True)


register([np.broadcast_to], broadcast_to)


def atleast(k):
    def rule(c, a):
        rank = None if a.rank is None else max(a.rank, k)
        if not c.batched or a.rank is not None and a.rank >= k:
            if not c.batched:
                return c.keep(rank, a.kind, view=a.desc.view)
            return c.out(a.text, rank, a.kind, view=a.desc.view)
        c.need_rank(a)
        if k == 2 and a.rank == 1:
            return c.out(f"{a}[:, None, :]", 2, a.kind, view=a.desc.view)
        return c.out(f"{a}[:{', None' * (k - a.rank)}]", k, a.kind, view=a.desc.view)
    return rule


register([np.atleast_1d], atleast(1))
register([np.atleast_2d], atleast(2))


def like(c, a, *rest, **kw):
    """`np.zeros_like(x)`, `np.full_like(x, v)`: the batch is part of x's shape."""
    if any(getattr(v, "batched", False) for v in list(rest) + list(kw.values())):
        c.fail("a mapped fill value")
    kind = a.kind
    if not c.batched:
        return c.keep(a.rank, kind)
    args = [a.text] + [r.text for r in rest] + [f"{k}={v}" for k, v in kw.items()]
    return c.out(f"{c.func}({', '.join(args)})", a.rank, kind)


register([np.zeros_like, np.ones_like, np.empty_like, np.full_like], like)


def _dtype_kind(c, dtype, default):
    if dtype is None:
        return default
    value = getattr(dtype.desc, "value", None)
    try:
        return np.dtype(value).kind if value is not None else None
    except TypeError:
        return None


def creation(dtype_position):
    """Array constructors: unbatched; the rank comes from the shape (`np.zeros((3, 2))`)."""
    def rule(c, *args, **kw):
        if c.batched:
            c.fail("an array whose shape or value depends on a mapped value")
        shape = args[0] if args else kw.get("shape")
        rank = _shape_len(c, shape) if isinstance(shape, Operand) else None
        dtype = kw.get("dtype") or (args[dtype_position] if len(args) > dtype_position else None)
        fill = (args[1] if len(args) > 1 else kw.get("fill_value")) if dtype_position == 2 else None
        return c.keep(rank, _dtype_kind(c, dtype, fill.kind if fill is not None else "f"))
    return rule


register([np.zeros, np.ones, np.empty], creation(1))
register([np.full], creation(2))


def ranged(rank):
    def rule(c, *args, **kw):
        if c.batched:
            c.fail("an array whose shape or value depends on a mapped value")
        kinds = {a.kind for a in args}
        return c.keep(rank, _dtype_kind(c, kw.get("dtype"), "i" if kinds <= {"i"} and rank == 1 else "f"))
    return rule


register([np.arange], ranged(1))
register([np.linspace], ranged(1))
register([np.eye, np.identity], ranged(2))


def length(c, obj):
    """`len(x)`: the per-example length is the batched array's second dimension."""
    if not c.batched:
        return c.keep(0, "i")
    if not isinstance(obj.desc, Arr) or obj.rank == 0:
        c.fail("len of a mapped value that is not an array per example")
    return c.out(f"{obj}.shape[1]", 0, "i", batched=False)


def shape_query(attr):
    """`np.shape(x)`, `np.ndim(x)`, `np.size(x)` (and the attributes `x.shape`...)."""
    def rule(c, a):
        r = a.rank
        if attr == "shape":
            d = Cont("tuple", range(r), [Arr(False, 0, "i")] * r) if r is not None else Other()
            return Out(None if not c.batched else f"{a}.shape[1:]", d)
        if not c.batched:
            return c.keep(0, "i")
        if attr == "ndim":
            return c.out(str(r) if r is not None else f"{a}.ndim - 1", 0, "i", batched=False)
        return c.out(f"{a}.size // {a}.shape[0]", 0, "i", batched=False)
    return rule


register([len], length)
register([np.shape], shape_query("shape"))
register([np.ndim], shape_query("ndim"))
register([np.size], shape_query("size"))
