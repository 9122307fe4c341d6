"""Indexing and in-place stores. A batched array gains a leading `:` (every example is
indexed the same way); an index that is itself batched (a different integer per example)
picks one element per example with `np.arange(n)` alongside it:

    x[i]         x batched, i not       ->  x[:, i]
    x[1:, None]                         ->  x[:, 1:, None]
    x[mask]      mask unbatched         ->  x[:, mask]
    W[i, :]      W not, i batched       ->  W[i, :]             (n rows)
    x[i]         both batched           ->  x[np.arange(n), i]
    x[i] = v     x batched, i not       ->  x[:, i] = v         (v given the slot's rank)

The rule is called with the array and one Operand per index entry; each entry's `role`
is 'slice', 'newaxis', 'ellipsis' or 'value' (an integer, an integer array or a mask).
Several array indices separated by slices put their dimensions first, per example and in
the batch alike, so the batch axis would move: that (and a batched mask, whose selection
has a different size per example) is left to loop batching.
"""
import operator

from .base import Out, register


def index_rank(rank, parts):
    """The per-example rank of `x[parts]` for x of `rank`, or None when not known."""
    if rank is None:
        return None
    consumed = added = 0
    adv = []
    for p in parts:
        if p.role == "slice":
            consumed += 1
            added += 1
        elif p.role == "newaxis":
            added += 1
        elif p.role == "ellipsis":
            continue
        else:
            if p.rank is None or (p.rank == 0 and p.kind == "b") or (p.rank > 0 and p.kind is None):
                return None
            if p.rank == 0:
                consumed += 1
                adv.append(0)
            elif p.kind == "b":
                consumed += p.rank
                adv.append(1)
            else:
                consumed += 1
                adv.append(p.rank)
    if consumed > rank:
        return None
    arrays = [a for a in adv if a > 0]
    return added + (rank - consumed) + (max(adv) if arrays else 0)


def _advanced_spread(parts):
    """Are there array indices (with integers) separated by a slice, newaxis or ellipsis?"""
    if not any(p.role == "value" and p.rank for p in parts):
        return False
    pos = [k for k, p in enumerate(parts) if p.role == "value"]
    return pos[-1] - pos[0] + 1 != len(pos)


def _per_example_scalars(c, parts):
    """Batched indices: integers per example, leading, followed by slices only."""
    values = [p for p in parts if p.role == "value"]
    if any(p.rank != 0 for p in values) or any(p.batched and p.kind not in ("i", "u") for p in values):
        c.fail("a mapped index that is not an integer per example (or together with index arrays)")
    if [p.role for p in parts[:len(values)]] != ["value"] * len(values) or any(
            p.role != "slice" for p in parts[len(values):]):
        c.fail("a mapped index that is not followed by slices only")


def getitem(c, x, *parts):
    rank = index_rank(x.rank, parts)
    view = x.desc.view and not any(p.role == "value" and p.rank for p in parts)
    if not c.batched:
        return c.keep(rank, x.kind, view=view)
    if any(p.batched and p.role != "value" for p in parts):
        c.fail("a slice bound that depends on a mapped value")
    texts = [p.text for p in parts]
    if not any(p.batched for p in parts):
        if _advanced_spread(parts):
            c.fail("index arrays separated by slices (their dimensions would move before the batch axis)")
        return c.out(f"{x}[:, {', '.join(texts)}]", rank, x.kind, view=view)
    _per_example_scalars(c, parts)
    if x.batched:
        rows = c.let(f"{c.np}.arange({c.n})", "example")
        return c.out(f"{x}[{rows}, {', '.join(texts)}]", rank, x.kind)
    return c.out(f"{x}[{', '.join(texts)}]", rank, x.kind)


def setitem(c, x, value, *parts):
    """`x[parts] = value`: a statement (`Out.text` is the whole assignment)."""
    if any(p.batched for p in parts):
        c.fail("a store at a mapped index")
    if not x.batched:
        if value.batched:
            c.fail("a store of a mapped value into an array that is not batched")
        return c.keep()
    if _advanced_spread(parts):
        c.fail("index arrays separated by slices")
    slot = index_rank(x.rank, parts)
    v = value.text
    if value.batched:
        if slot is None:
            c.fail("a store whose target's number of dimensions is not known")
        v = c.expand(value, slot)
    return Out(f"{x}[:, {', '.join(p.text for p in parts)}] = {v}", None)


register([operator.getitem], getitem)
register([operator.setitem], setitem)
