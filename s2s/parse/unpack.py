"""Unpacking: tuple targets and chained assignments become one assignment per name.

>>> from s2s.parse.debug import show
>>> print(show('''
... def f(x, y, pair):
...     x, y = y, x + y
...     a, (b, c) = pair
...     m, n = x.shape
...     p = q = a * b
...     return x, y, a, b, c, m, n, p, q
... ''', upto="unpack"))
import numpy as _np
import math as _math
<BLANKLINE>
<BLANKLINE>
def f(x, y, pair):
    new_y = x + y
    x = y
    y = new_y
    a = pair[0]
    b_c = pair[1]
    b = b_c[0]
    c = b_c[1]
    m = x.shape[0]
    n = x.shape[1]
    p = a * b
    q = p
    return (x, y, a, b, c, m, n, p, q)

`a, b = expr` evaluates `expr` once (into a temporary unless it is a name or `x.shape`)
and indexes it. With a literal on the right (`a, b = b, a`), the elements that would read
a name assigned to their left are evaluated first into temporaries, so swaps keep Python's
"evaluate everything, then assign" meaning. When a target is a subscript (`x[0], x[1] =
...`), the values the later targets need are read before the store, since the store may
write into the object they come from. `a = b = expr` becomes `a = expr; b = a`.

A starred target takes a slice: `first, *rest = s` -> `first = s[0]; rest = s[1:]` (a slice
of a tuple is a tuple, of an array an array, where Python would make a list).

Unlike Python, unpacking does not check the length (`a, b = three_values` takes the first
two); a literal of the wrong length (`a, b = 1, 2, 3`) is rejected.
"""
import gast


from .base import assign, clone, FunctionPass, hint_of, is_atom, is_signed_literal, load, located, names_read, walk


def _stores(target):
    return {n.id for n in walk(target) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}


def _mutates(target):
    """Whether assigning `target` writes into an object (rather than binding names)."""
    return any(isinstance(n, (gast.Subscript, gast.Attribute)) for n in walk(target))


def _literal(node):
    return isinstance(node, (gast.Tuple, gast.List)) and not any(isinstance(e, gast.Starred) for e in node.elts)


def _index(value, k):
    return gast.Subscript(value=value, slice=gast.Constant(value=k, kind=None), ctx=gast.Load())


class UnpackTuples(FunctionPass):
    name = "unpack"
    description = "a, b = expr -> one assignment per name (swaps stay correct); a = b = v -> a = v; b = a"

    def visit_Assign(self, node):
        node = self.generic_visit(node)
        if len(node.targets) == 1:
            return self._unpack(node.targets[0], node.value, node)
        first, rest = node.targets[0], node.targets[1:]
        if isinstance(first, gast.Name):
            out = self._unpack(first, node.value, node)
            source = located(load(first.id), node)
        else:  # a subscript or tuple: keep the value itself, not what the store converted
            rest = node.targets
            stored = set().union(*(_stores(t) for t in rest))
            if is_atom(node.value) and not (names_read(node.value) & stored):
                out, source = [], node.value
            else:
                source = self.ctx.namer.fresh(hint_of(node.value))
                out = [assign(source, node.value, node)]
                source = located(load(source), node)
        for t in rest:
            out += self._unpack(t, clone(source), node)
        return out

    def _unpack(self, target, value, like):
        if not isinstance(target, (gast.Tuple, gast.List)):
            return [assign(target, value, like)]
        stars = [k for k, e in enumerate(target.elts) if isinstance(e, gast.Starred)]
        if len(stars) == 1 and _literal(value) and len(value.elts) >= len(target.elts) - 1:
            # `a, *b = 1, 2, 3`: b gets the list literal of the values in the middle
            k, after = stars[0], len(target.elts) - 1 - stars[0]
            middle = gast.List(elts=value.elts[k:len(value.elts) - after], ctx=gast.Load())
            target = gast.Tuple(elts=target.elts[:k] + [target.elts[k].value] + target.elts[k + 1:], ctx=gast.Store())
            value = gast.Tuple(elts=value.elts[:k] + [middle] + value.elts[len(value.elts) - after:], ctx=gast.Load())
        if _literal(value):
            if len(value.elts) != len(target.elts):
                raise self.ctx.error(
                    like,
                    f"cannot unpack {len(value.elts)} values into {len(target.elts)} targets",
                    "tuple assignment",
                )
            return self._parallel(self._flatten(target, value, like), like)
        stars = [k for k, e in enumerate(target.elts) if isinstance(e, gast.Starred)]
        if len(stars) > 1:
            raise self.ctx.error(like, "multiple starred expressions in one assignment", "starred assignment")
        if stars and any(_mutates(e) for e in target.elts):
            raise self.ctx.error(like, "a starred assignment can only bind names (a, *b = ...)", "starred assignment")
        out = []
        if is_atom(value) and not (names_read(value) & _stores(target)):
            source = value  # `m, n = x.shape`, `a, b = pair`: index it directly
        else:
            name = self.ctx.namer.fresh("_".join(hint_of(e) for e in target.elts))
            out.append(assign(name, value, like))
            source = located(load(name), like)
        elts = target.elts
        first_write = next((k for k, e in enumerate(elts) if _mutates(e)), len(elts))
        items = []
        for k, elt in enumerate(elts):
            if stars and k >= stars[0]:  # `a, *b, c = s`: b = s[1:-1], c = s[-1]
                after = len(elts) - 1 - stars[0]
                if k == stars[0]:
                    elt = elt.value
                    sl = gast.Slice(lower=gast.Constant(value=k, kind=None) if k else None,
                                    upper=gast.Constant(value=-after, kind=None) if after else None, step=None)
                    item = gast.Subscript(value=clone(source), slice=sl, ctx=gast.Load())
                else:
                    item = _index(clone(source), k - len(elts))
                items.append((elt, located(item, like)))
                continue
            item = located(_index(clone(source), k), like)
            if k > first_write:  # read before an earlier target writes into the source
                name = self.ctx.namer.fresh(hint_of(item))
                out.append(assign(name, item, like))
                item = located(load(name), like)
            items.append((elt, item))
        for elt, item in items:
            out += self._unpack(elt, item, like)
        return out

    def _flatten(self, target, value, like):
        """(target, value) pairs, matching nested literals against nested targets."""
        pairs = []
        for t, v in zip(target.elts, value.elts):
            if isinstance(t, (gast.Tuple, gast.List)) and _literal(v):
                if len(v.elts) != len(t.elts):
                    why = f"cannot unpack {len(v.elts)} values into {len(t.elts)} targets"
                    raise self.ctx.error(like, why, "tuple assignment")
                pairs += self._flatten(t, v, like)
            else:
                pairs.append((t, v))
        return pairs

    def _parallel(self, pairs, like):
        """Assign `pairs` as if every value were evaluated before any target is assigned."""
        stored, writes, needs = set(), False, []
        for t, v in pairs:
            constant = isinstance(v, gast.Constant) or is_signed_literal(v)
            needs.append(bool(names_read(v) & stored) or (writes and not constant))
            stored |= _stores(t)
            writes = writes or _mutates(t)
        last = max((k for k, n in enumerate(needs) if n), default=-1)
        out, assigns = [], []
        for k, (t, v) in enumerate(pairs):
            # Up to the last value that must be saved, evaluate in order (keeps the order of
            # evaluation); atoms that need no saving are read where they are assigned.
            if k <= last and (needs[k] or not is_atom(v)):
                if isinstance(v, gast.Name):
                    hint = f"old_{v.id}"
                elif isinstance(t, gast.Name):
                    hint = f"new_{t.id}"
                else:
                    hint = hint_of(v)
                name = self.ctx.namer.fresh(hint)
                out.append(assign(name, v, like))
                v = located(load(name), like)
            assigns.append((t, v))
        for t, v in assigns:
            out += self._unpack(t, v, like)
        return out
