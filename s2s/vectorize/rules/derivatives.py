"""Batch rules of the runtime helpers derivative code calls (`s2s.diff.runtime`), so that
`vmap(grad(f))` of straight-line code is array-batched too (per-example gradients as whole-
batch array code). The helpers depend on shapes, and a batched value's per-example shape
is its shape without the batch axis:

    unbroadcast(ct, w)      ct batched, w not  ->  unbroadcast(ct, (n,) + w.shape)
    unbroadcast(ct, ())     ct batched         ->  np.sum(ct, axis=1)      (a vector per example)
    unreduce(ct, x, None)   ct batched         ->  np.broadcast_to(ct[:, None], x.shape).copy()
    dot_vjp2(ct, x, w)      x (k,) batched     ->  ct[:, None] * x         (the template ct * x1)

The products' VJPs are written as the per-example expressions they compute (`c.batch`)
and batched by the linalg rules.
"""
from ...diff import runtime as rt
from .base import Arr, Cont, Operand, Other, Out, register
from .indexing import index_rank
from .reductions import _rows


def _target_rank(c, x):
    """The per-example rank of what `unbroadcast`/`unreduce` produce: x's, or the length
    of a shape tuple."""
    if isinstance(x.desc, Cont):
        return len(x.desc.items)
    if x.is_const and isinstance(x.value, tuple):
        return len(x.value)
    return x.rank


def _shape(c, x):
    """The batched shape `(n,) + per-example shape` of a value or shape argument."""
    if isinstance(x.desc, Cont) or x.is_const:
        return f"({c.n},) + {x}"
    return f"{x}.shape" if x.batched else f"({c.n},) + {x}.shape"


def unbroadcast(c, ct, x):
    if isinstance(x.desc, Other) and x.desc.value is None:
        if c.batched:
            c.fail("unbroadcast to a missing input")
        return c.keep(None)
    rank = _target_rank(c, x)
    if not c.batched:
        return c.keep(rank, ct.kind)
    if not ct.batched:  # only x's per-example shape matters: the same for every example
        shape = f"{x}.shape[1:]" if isinstance(x.desc, Arr) else x.text
        return c.out(f"{c.func}({ct}, {shape})", rank, ct.kind, batched=False)
    c.need_rank(ct)
    if rank is None or rank > ct.rank:
        c.fail("unbroadcast to a value of unknown (or more) dimensions")
    if rank == 0:
        return c.out(ct.text if ct.rank == 0 else f"{c.np}.sum({_rows(c, ct)}, axis=1)", 0, ct.kind)
    text = ct.text
    for _ in range(ct.rank - rank):  # the leading per-example axes broadcasting added
        text = f"{c.np}.sum({text}, axis=1)"
    return c.out(f"{c.func}({text}, {_shape(c, x)})", rank, ct.kind)


def unreduce(c, ct, x, axis=None):
    rank = x.rank
    if not c.batched:
        return c.keep(rank, ct.kind)
    c.need_rank(ct, x)
    if rank == 0:
        return c.out(ct.text, 0, ct.kind, batched=ct.batched)
    ax = c.const(axis, "axis")
    text = ct.text
    if ax is not None and ct.rank < rank:
        text = f"{c.np}.expand_dims({ct}, {c.shift(ax) if ct.batched else ax})"
    elif ax is None and ct.batched and ct.rank < rank:
        text = f"{ct}[:{', None' * (rank - ct.rank)}]"
    return c.out(f"{c.np}.broadcast_to({text}, {_shape(c, x)}).copy()", rank, ct.kind)


def shape_of(c, x):
    """The per-example shape (what `unbroadcast` gets for a value it saved the shape of)."""
    r = x.rank
    d = Cont("tuple", range(r), [Arr(False, 0, "i")] * r) if r is not None else Other()
    return Out(f"{x}.shape[1:]" if c.batched else None, d)


def zeros_like(c, x):
    """A zero adjoint: of a batched x, the batch of zeros (accumulated into, maybe in place)."""
    kind = "c" if x.kind == "c" else "f"
    if not c.batched:
        return c.keep(x.rank, kind)
    if not isinstance(x.desc, Arr):
        c.fail("zero adjoints of containers of mapped values")
    return c.out(f"{c.func}({x})", x.rank, kind)


def scalar_output(c, x):
    """grad's check of its function's output, per example: a batch of real scalars passes."""
    if not c.batched:
        return c.keep(x.rank, x.kind)
    if x.rank not in (0, None) or x.kind == "b":
        c.fail("grad of a function whose output is not a real scalar")
    return c.out(f"{x}", x.rank, x.kind)


def slice_(c, *bounds):
    """`slice(a, b, c)` objects (in-place accumulations' indices) are unbatched."""
    if c.batched:
        c.fail("a slice whose bounds depend on a mapped value")
    return Out(None, Other(slice))


def add_at(c, a, idx, v):
    """`add_at(a, idx, v)` (`a[idx] += v` in place) for basic indices: a leading full slice."""
    if not c.batched:
        return c.keep(a.rank, a.kind)
    if idx.batched or not a.batched:
        c.fail("an in-place accumulation at a mapped index or into an unmapped array")
    items = [Operand(i.text, i.desc) for i in idx.items()] if isinstance(idx.desc, Cont) else [idx]
    for item in items:
        if isinstance(item.desc, Other) and item.desc.value is slice:
            item.role = "slice"
        elif not (item.rank == 0 and item.kind == "i"):
            c.fail("an in-place accumulation at an index that is not slices and integers")
    slot = index_rank(a.rank, items)
    if v.batched and slot is None:
        c.fail("an in-place accumulation into a slot of unknown rank")
    full = f"(slice(None),) + {idx}" if isinstance(idx.desc, Cont) else f"(slice(None), {idx})"
    value = c.expand(v, slot) if v.batched else v.text
    return c.out(f"{c.func}({a}, {full}, {value})", a.rank, a.kind)


_PRODUCT_VJPS = {  # (per-example ranks of x1, x2) -> (contribution to x1, to x2), per example
    (1, 1): ("{ct} * {x2}", "{ct} * {x1}"),
    (2, 1): ("_np.outer({ct}, {x2})", "_np.transpose({x1}) @ {ct}"),
    (1, 2): ("{x2} @ {ct}", "_np.outer({x1}, {ct})"),
    (2, 2): ("{ct} @ _np.transpose({x2})", "_np.transpose({x1}) @ {ct}"),
}


def product_vjp(which, dot):
    def rule(c, ct, x1, x2):
        ranks = (x1.rank, x2.rank)
        if not c.batched:
            return c.keep(ranks[which - 1], "f")
        c.need_rank(ct, x1, x2)
        if 0 in ranks:
            if not dot:
                c.fail("matmul of a scalar")
            other, mine = ("x2", "x1") if which == 1 else ("x1", "x2")
            return c.batch(f"{{unbroadcast}}({{ct}} * {{{other}}}, {{{mine}}})", ct=ct, x1=x1, x2=x2,
                           unbroadcast=_name(c, rt.unbroadcast))
        if ranks not in _PRODUCT_VJPS:
            c.fail("products of operands with more than 2 dimensions per example")
        return c.batch(_PRODUCT_VJPS[ranks][which - 1], ct=ct, x1=x1, x2=x2)
    return rule


class _name:
    """A placeholder operand that is a module-level name (a runtime helper)."""

    def __init__(self, c, fn):
        self.text, self.desc = c.constant(fn), Other(fn)


register([rt.unbroadcast], unbroadcast)
register([rt.unreduce], unreduce)
register([rt.shape_of], shape_of)
register([rt.zeros_like], zeros_like)
register([rt.scalar_output], scalar_output)
register([rt.add_at], add_at)
register([slice], slice_)
register([rt.dot_vjp1], product_vjp(1, dot=True))
register([rt.dot_vjp2], product_vjp(2, dot=True))
register([rt.matmul_vjp1], product_vjp(1, dot=False))
register([rt.matmul_vjp2], product_vjp(2, dot=False))
