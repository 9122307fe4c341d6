"""Lowering `for` loops: every loop counts with `range`, elements are read by index.

>>> from s2s.parse.debug import show
>>> print(show('''
... def f(xs, ys, w):
...     s = 0.0
...     for x in xs * w:
...         s = s + x
...     for i, (a, b) in enumerate(zip(xs, ys), 1):
...         s = s + i * a * b
...     for i, y in enumerate(ys):
...         s = s - y
...     return s
... ''', upto="lower_for"))
import numpy as _np
import math as _math
<BLANKLINE>
<BLANKLINE>
def f(xs, ys, w):
    s = 0.0
    xs_times_w = xs * w
    for j in range(len(xs_times_w)):
        x = xs_times_w[j]
        s = s + x
    for k in range(min(len(xs), len(ys))):
        i = 1 + k
        a = xs[k]
        b = ys[k]
        s = s + i * a * b
    for i in range(len(ys)):
        y = ys[i]
        s = s - y
    return s

`for x in seq` reads `seq[i]` for `i` in `range(len(seq))` (`reversed(seq)`, and
`reversed(range(...))`, read from the end); `enumerate` and `zip` (nested
in any way, with `range(...)` inside them too) index each of their sequences, and `zip`
stops at the shortest. What Python evaluates once when the loop starts (the sequence,
`enumerate`'s start, `range`'s bounds) is bound to a temporary before the loop unless it
is a literal or a name the loop does not rebind. A target tuple that does not match a
literal structure (`for a, b in pairs`) becomes a tuple assignment, left to the unpack
pass. `for i in range(...)` is kept as it is, and so is numba's `for i in prange(...)`.

Differences from Python: the trip count is fixed when the loop starts (appending to a list
while looping over it does not extend the loop), and a dict is read at
`d[0], d[1], ...`: where its keys are known (a differentiated or jitted argument, a literal
dict) diff/dict_loops.py turns that into a loop over its keys, written out.
"""
import gast


from .base import (
    assign,
    clone,
    function_locals,
    FunctionPass,
    hint_of,
    is_atom,
    is_module_path,
    load,
    located,
    prange_call,
    store,
    walk,
)

_INDEX_HINTS = ("i", "j", "k")
_NOT_INDEXABLE = ("map", "filter", "iter", "sorted", "set", "dict")


class LowerFor(FunctionPass):
    name = "lower_for"
    description = "for x in arr / enumerate / zip -> for i in range(...) with indexed reads"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.scopes = []  # locals of the enclosing functions (they shadow builtins)
        self.depth = 0

    def visit_FunctionDef(self, node):
        self.scopes.append(function_locals(node))
        depth, self.depth = self.depth, 0
        node = self.generic_visit(node)
        self.depth = depth
        self.scopes.pop()
        return node

    def _builtin(self, node, name):
        """Whether `node` is a call of the builtin `name` (not a local of that name)."""
        return (
            isinstance(node, gast.Call)
            and isinstance(node.func, gast.Name)
            and node.func.id == name
            and not any(name in s for s in self.scopes)
        )

    def visit_For(self, node):
        self.depth += 1
        node = self.generic_visit(node)
        self.depth -= 1
        target = node.target
        if self._builtin(node.iter, "range") or prange_call(node.iter, self.ctx.program):
            if not isinstance(target, gast.Name):
                raise self.ctx.error(node, "a range() loop yields integers: its target must be a single name", "for")
            return node
        for needed in ("range", "len", "min"):
            if any(needed in s for s in self.scopes):
                why = f"a local variable named `{needed}` shadows the builtin this loop is lowered to; rename it"
                raise self.ctx.error(node, why, "for")
        # Names the loop rebinds: a sequence read through them must be bound before the loop.
        rebound = {n.id for n in walk(target) if isinstance(n, gast.Name)}
        for stmt in node.body:
            rebound |= {n.id for n in walk(stmt) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}
        pre = []
        source = self._source(node.iter, rebound, node, pre)
        body = []
        if (
            source[0] == "enumerate"
            and source[2] is None
            and isinstance(target, (gast.Tuple, gast.List))
            and len(target.elts) == 2
            and isinstance(target.elts[0], gast.Name)
        ):
            # `for i, x in enumerate(s)`: the loop counts with the user's own `i`.
            index = target.elts[0].id
            body = self._bind(target.elts[1], _element(clone(source[1]), load(index)), node)
        else:
            index = self._index_name()
            body = self._bind(target, _element(clone(source), load(index)), node)
        node.target = located(store(index), target)
        node.iter = located(_call("range", _length(clone(source))), node.iter)
        node.body = body + node.body
        return pre + [node]

    def _index_name(self):
        """`i` for an outer loop, `j`, `k` inside it; the next free one if taken."""
        hints = _INDEX_HINTS[self.depth:] + _INDEX_HINTS[: self.depth]
        free = [h for h in hints if not self.ctx.namer.is_used(h)]
        return self.ctx.namer.fresh(free[0] if free else hints[0])

    # -- what the loop iterates over --------------------------------------------------------
    def _source(self, it, rebound, loop, pre):
        """A description of the iterable: ('seq', s), ('range', start, stop, step),
        ('enumerate', inner, start) or ('zip', [inner, ...]); its parts are atoms."""
        if self._builtin(it, "enumerate") or self._builtin(it, "zip") or self._builtin(it, "range"):
            if it.keywords and not (it.func.id == "enumerate" and [k.arg for k in it.keywords] == ["start"]):
                raise self.ctx.error(it, f"keyword arguments of {it.func.id}() in a for loop are not supported", "for")
        if self._builtin(it, "enumerate"):
            args = list(it.args) + [k.value for k in it.keywords]
            if len(args) not in (1, 2):
                raise self.ctx.error(it, "enumerate() takes a sequence and an optional start", "for")
            inner = self._source(args[0], rebound, loop, pre)
            start = None
            if len(args) == 2 and not (isinstance(args[1], gast.Constant) and args[1].value == 0):
                start = self._once(args[1], rebound, loop, pre)
            return ("enumerate", inner, start)
        if self._builtin(it, "zip"):
            if not it.args:
                raise self.ctx.error(it, "zip() without arguments yields nothing; remove the loop", "for")
            return ("zip", [self._source(a, rebound, loop, pre) for a in it.args])
        if self._builtin(it, "range"):
            args = [self._once(a, rebound, loop, pre) for a in it.args]
            if not 1 <= len(args) <= 3:
                raise self.ctx.error(it, "range() takes one to three arguments", "for")
            if len(args) == 1:
                return ("range", None, args[0], None)
            return ("range", args[0], args[1], args[2] if len(args) == 3 else None)
        if self._builtin(it, "reversed"):
            if len(it.args) != 1 or it.keywords:
                raise self.ctx.error(it, "reversed() takes one sequence", "for")
            inner = self._source(it.args[0], rebound, loop, pre)
            if inner[0] not in ("seq", "range"):
                raise self.ctx.error(it, f"{inner[0]}(...) cannot be reversed (as in Python)", "for")
            return ("reversed", inner)
        for name in _NOT_INDEXABLE:
            if self._builtin(it, name):
                raise self.ctx.error(
                    it, f"looping over {name}(...) is not supported: loop over an array or a range and index it", "for"
                )
        return ("seq", self._once(it, rebound, loop, pre, "seq"))

    def _once(self, expr, rebound, loop, pre, suffix="init"):
        """`expr` as an atom the loop can read at every step (evaluated once, before it)."""
        stable = (is_atom(expr) and not isinstance(expr, (gast.Name, gast.Attribute))) or is_module_path(expr)
        if stable or (isinstance(expr, gast.Name) and expr.id not in rebound):
            return expr
        # A name the loop rebinds: keep its value at the start (`xs_seq = xs`).
        hint = f"{expr.id}_{suffix}" if isinstance(expr, gast.Name) else hint_of(expr)
        name = self.ctx.namer.fresh(hint)
        pre.append(assign(name, expr, loop))
        return located(load(name), expr)

    def _bind(self, target, element, loop):
        """Statements giving `target` its value for this step."""
        if isinstance(target, (gast.Tuple, gast.List)) and isinstance(element, gast.Tuple):
            if len(target.elts) != len(element.elts):
                raise self.ctx.error(
                    loop,
                    f"the loop yields {len(element.elts)} values but the target has {len(target.elts)}",
                    "for",
                )
            return [s for t, e in zip(target.elts, element.elts) for s in self._bind(t, e, loop)]
        return [assign(target, element, loop)]


def _call(fname, *args):
    return gast.Call(func=load(fname), args=list(args), keywords=[])


def _length(source):
    kind = source[0]
    if kind == "seq":
        return _call("len", source[1])
    if kind == "range":
        _, start, stop, step = source
        if step is not None:
            return _call("len", _call("range", start, stop, step))
        return stop if start is None else gast.BinOp(left=stop, op=gast.Sub(), right=start)
    if kind in ("enumerate", "reversed"):
        return _length(source[1])
    lengths = [_length(s) for s in source[1]]
    return lengths[0] if len(lengths) == 1 else _call("min", *lengths)


def _element(source, k):
    """The value the iterable yields at step `k` (a Name)."""
    kind = source[0]
    if kind == "seq":
        return gast.Subscript(value=source[1], slice=k, ctx=gast.Load())
    if kind == "range":
        _, start, _stop, step = source
        offset = k if step is None else gast.BinOp(left=k, op=gast.Mult(), right=step)
        return offset if start is None else gast.BinOp(left=start, op=gast.Add(), right=offset)
    if kind == "reversed":  # step k reads element len - 1 - k
        last = gast.BinOp(left=_length(clone(source[1])), op=gast.Sub(), right=gast.Constant(value=1, kind=None))
        return _element(source[1], gast.BinOp(left=last, op=gast.Sub(), right=k))
    if kind == "enumerate":
        _, inner, start = source
        count = k if start is None else gast.BinOp(left=start, op=gast.Add(), right=load(k.id))
        return gast.Tuple(elts=[count, _element(inner, load(k.id))], ctx=gast.Load())
    return gast.Tuple(elts=[_element(s, load(k.id)) for s in source[1]], ctx=gast.Load())
