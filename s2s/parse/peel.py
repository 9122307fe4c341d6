"""Peeling the first trip of a constant-count loop that starts a variable from a number.

>>> from s2s.parse.debug import show
>>> print(show('''
... def f(a, xs):
...     out = 1
...     for _ in range(3):
...         out = out * a
...     s = 0.0
...     for i in range(2, 9, 3):
...         s = s + xs[i] * out
...     return s
... ''', upto="peel"))
import numpy as _np
import math as _math
<BLANKLINE>
<BLANKLINE>
def f(a, xs):
    out = 1
    _ = 0
    out = out * a
    for _ in range(1, 3):
        out = out * a
    s = 0.0
    i = 2
    s = s + xs[i] * out
    for i in range(5, 9, 3):
        s = s + xs[i] * out
    return s

`out = 1` then `out = out * a` in the loop: in Python `out` is an int, then an array; numba
types every variable once and cannot unify an int with an array ("Cannot unify
Literal[int](1) and array(float64, 1d, C) for 'out.2'"), so the loop would not compile
under `jit`, and reverse mode would also tape an int on the first trip and arrays after.
With the first trip written out before the loop, the loop starts from the value that trip
made, of the type every later trip makes too. Only where it is known to run at least once
(a `range` of literal bounds with a trip count of one or more), where the variable is set
to a number literal before it (nothing in between mentions it), is read and set again in
the loop, and the loop has no `else:`, no `break`/`continue` of its own and builds no list.
The trips and what the loop variable holds afterwards are Python's.
"""
import gast


from .base import clone, FunctionPass, located, walk


def _number(node):
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        node = node.operand
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


def _int_literal(node):
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        v = _int_literal(node.operand)
        return None if v is None else -v
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    return None


def _range_bounds(loop):
    """(start, stop, step) of `for ... in range(<int literals>)`, or None."""
    it = loop.iter
    if not (isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "range"
            and not it.keywords and 1 <= len(it.args) <= 3):
        return None
    values = [_int_literal(a) for a in it.args]
    if any(v is None for v in values):
        return None
    if len(values) == 1:
        values = [0, values[0], 1]
    elif len(values) == 2:
        values.append(1)
    return None if values[2] == 0 else tuple(values)


def _own_jumps(stmts):
    """Whether a `break` or `continue` of this loop (not of a loop nested in it) occurs."""
    for stmt in stmts:
        for node in _walk_outside_loops(stmt):
            if isinstance(node, (gast.Break, gast.Continue)):
                return True
    return False


def _walk_outside_loops(node):
    yield node
    if isinstance(node, (gast.For, gast.While, gast.FunctionDef, gast.Lambda)):
        return
    for child in gast.iter_child_nodes(node):
        yield from _walk_outside_loops(child)


def _builds_lists(stmts):
    """Whether the body makes a list: reverse mode takes a list built in a loop, not in the
    straight-line code a peeled trip would be."""
    return any(isinstance(n, (gast.List, gast.ListComp)) or (isinstance(n, gast.Attribute) and n.attr == "append")
               for s in stmts for n in walk(s))


def _names(node, ctx):
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, ctx)}


class PeelFirstTrip(FunctionPass):
    name = "peel"
    description = "v = 1; for _ in range(3): v = v * a -> the first trip written out before the loop"

    def generic_visit(self, node):
        node = super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], gast.stmt):
                setattr(node, field, self._block(stmts))
        return node

    def _block(self, stmts):
        out = []
        for stmt in stmts:
            peeled = self._peel(out, stmt) if isinstance(stmt, gast.For) else None
            out.extend(peeled or [stmt])
        return out

    def _peel(self, before, loop):
        bounds = _range_bounds(loop)
        if bounds is None or loop.orelse or _own_jumps(loop.body) or _builds_lists(loop.body):
            return None
        start, stop, step = bounds
        if len(range(start, stop, step)) < 1:
            return None
        if not any(self._starts_from_number(before, v) for v in self._carried(loop)):
            return None
        first = [clone(s) for s in loop.body]
        at = located(gast.Assign(targets=[clone(loop.target)],
                                 value=gast.Constant(value=start, kind=None), type_comment=None), loop)
        rest = []
        if len(range(start + step, stop, step)) > 0:
            bounds = (start + step, stop) if step == 1 else (start + step, stop, step)
            loop.iter.args = [gast.Constant(value=v, kind=None) for v in bounds]
            for a in loop.iter.args:
                located(a, loop.iter)
            rest = [loop]
        return [at] + self._block(first) + rest

    @staticmethod
    def _carried(loop):
        """The names the loop body both reads and sets (not its target)."""
        stored, read = set(), set()
        for s in loop.body:
            stored |= _names(s, gast.Store)
            read |= _names(s, gast.Load)
        return sorted((stored & read) - _names(loop.target, gast.Store))

    @staticmethod
    def _starts_from_number(before, name):
        """Whether the statements before the loop last set `name` to a number literal, and
        none after that mentions it."""
        for stmt in reversed(before):
            if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) \
                    and stmt.targets[0].id == name:
                return _number(stmt.value)
            if name in _names(stmt, gast.Load) | _names(stmt, gast.Store) | _names(stmt, gast.Del):
                return False
        return False
