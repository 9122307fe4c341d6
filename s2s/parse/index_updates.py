"""JAX's functional index updates, `x.at[idx].set(v)` and its kin, as NumPy statements.

>>> from s2s.parse.debug import show
>>> print(show('''
... def f(x, i, v):
...     y = x.at[i].set(v) * 2.0
...     z = y.at[0, 1:].add(v)
...     return z.at[i].get() + y.at[i].max(v)
... ''', upto="index_updates"))
import numpy as _np
import math as _math
# at_selected_once: function, bound when the module is loaded
<BLANKLINE>
<BLANKLINE>
def f(x, i, v):
    x_at = x.copy()
    x_at[i] = v
    y = x_at * 2.0
    y_at = y.copy()
    _np.add.at(y_at, (0, slice(1, None, None)), v)
    z = y_at
    y_at_1 = y.copy()
    at_selected_once(y_at_1, i)
    y_at_1[i] = _np.maximum(y_at_1[i], v)
    return z[i] + y_at_1

JAX arrays are immutable, so JAX code updates them through `.at`; s2s's arrays are NumPy's,
and an update is a copy written in place, which every transformation follows. The copy is
made just before the statement holding the update (its index and value are evaluated
there, once). `add` (and `subtract`, the negated value) accumulates at repeated positions
of an integer-array index, as JAX's scatter-add does (`np.add.at`); `set` keeps the last
write there (NumPy's assignment); `multiply`, `divide`, `power`, `min` and `max` combine
each selected element once with the value (`t[idx] = op(t[idx], v)`), and an index that
selects an element twice raises ValueError when run (`at_selected_once`: JAX would apply
every update there). `get()` is the read `x[idx]`. The keywords `indices_are_sorted`
and `unique_indices` (hints) are accepted, `mode` only as 'promise_in_bounds'. An update in
a comprehension, a lambda or a `while` test, where it cannot be moved before its
statement, is refused at its line.
"""
import gast


from ..naming import NUMPY_ALIAS
from .base import assign, clone, dotted, FunctionPass, load, located, walk

_COMBINE = {"multiply": ("BinOp", gast.Mult), "divide": ("BinOp", gast.Div), "power": ("BinOp", gast.Pow),
            "mul": ("BinOp", gast.Mult), "div": ("BinOp", gast.Div),
            "min": ("call", "minimum"), "max": ("call", "maximum")}
_METHODS = {"set", "add", "subtract", "get", *_COMBINE}
_HINTS = {"indices_are_sorted", "unique_indices"}
_NESTED = (gast.Lambda, gast.ListComp, gast.GeneratorExp, gast.DictComp, gast.SetComp)


def _update(node):
    """(array, index, method) when `node` is `array.at[index].method(...)`, else None."""
    if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr in _METHODS and isinstance(node.func.value, gast.Subscript)):
        return None
    at = node.func.value.value
    if not (isinstance(at, gast.Attribute) and at.attr == "at"):
        return None
    return at.value, node.func.value.slice, node.func.attr


def _has_update(node):
    return any(_update(n) is not None for n in walk(node))


def _index_value(index):
    """The index as a value NumPy's `add.at` takes: slices as `slice(...)` calls."""
    if isinstance(index, gast.Slice):
        parts = [p if p is not None else gast.Constant(value=None, kind=None)
                 for p in (index.lower, index.upper, index.step)]
        return gast.Call(func=load("slice"), args=parts, keywords=[])
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[_index_value(e) for e in index.elts], ctx=gast.Load())
    return index


class IndexUpdates(FunctionPass):
    name = "index_updates"
    description = "x.at[i].set(v) -> t = x.copy(); t[i] = v (and add, multiply, min, max, get, ...)"

    def generic_visit(self, node):
        if not isinstance(node, gast.stmt) or isinstance(node, gast.FunctionDef):
            return super().generic_visit(node)
        pre = []
        for field, value in gast.iter_fields(node):
            if field in ("body", "orelse", "finalbody", "handlers"):
                continue
            if isinstance(node, gast.While) and field == "test" and _has_update(value):
                raise self.ctx.error(value, "an `.at[...]` update in a `while` test is not supported; update "
                                     "before the loop and at the end of its body", ".at[]")
            if isinstance(value, list):
                setattr(node, field, [self._rewrite(v, pre) if isinstance(v, gast.AST) else v for v in value])
            elif isinstance(value, gast.AST):
                setattr(node, field, self._rewrite(value, pre))
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if stmts:
                setattr(node, field, [t for s in stmts for t in _listed(self.visit(s))])
        return pre + [node] if pre else node

    def _rewrite(self, node, pre):
        """`node` with each update in it replaced by the name of its updated copy, whose
        statements go to `pre` (inner updates first: `x.at[0].set(y.at[1].get())`)."""
        if isinstance(node, _NESTED):
            for n in walk(node):
                if _update(n) is not None:
                    raise self.ctx.error(n, "an `.at[...]` update inside a comprehension or lambda is not "
                                         "supported; write the loop out", ".at[]")
            return node
        for field, value in gast.iter_fields(node):
            if isinstance(value, list):
                setattr(node, field, [self._rewrite(v, pre) if isinstance(v, gast.AST) else v for v in value])
            elif isinstance(value, gast.AST):
                setattr(node, field, self._rewrite(value, pre))
        found = _update(node)
        if found is None:
            return node
        array, index, method = found
        for k in node.keywords:
            if k.arg in _HINTS or (k.arg == "mode" and isinstance(k.value, gast.Constant)
                                   and k.value.value == "promise_in_bounds"):
                continue
            raise self.ctx.error(node, f"`.at[...].{method}(..., {k.arg}=...)` is not supported (out-of-bounds "
                                 "modes and fill values): index within bounds", ".at[]")
        if method == "get":
            if node.args:
                raise self.ctx.error(node, "`.at[...].get()` takes no arguments", ".at[]")
            return located(gast.Subscript(value=array, slice=index, ctx=gast.Load()), node)
        if len(node.args) != 1:
            raise self.ctx.error(node, f"`.at[...].{method}(v)` takes one value", ".at[]")
        value = node.args[0]
        hint = f"{array.id}_at" if isinstance(array, gast.Name) else "updated"
        name = self.ctx.namer.fresh(hint)
        copy_call = gast.Call(func=gast.Attribute(value=array, attr="copy", ctx=gast.Load()), args=[], keywords=[])
        stmts = [assign(name, copy_call, node)]
        if method in ("add", "subtract"):
            if method == "subtract":
                value = gast.UnaryOp(op=gast.USub(), operand=value)
            call = gast.Call(func=dotted(f"{NUMPY_ALIAS}.add.at", node), args=[load(name), _index_value(index), value],
                             keywords=[])
            stmts.append(located(gast.Expr(value=call), node))
        else:
            if method != "set":  # combined once per element: an index repeating one is refused when run
                from ..diff.runtime import at_selected_once

                check = self.ctx.program.constant(at_selected_once, "at_selected_once")
                stmts.append(located(gast.Expr(value=gast.Call(func=load(check), args=[load(name), _index_value(
                    _copy(index))], keywords=[])), node))
            target = gast.Subscript(value=load(name), slice=index, ctx=gast.Store())
            if method != "set":
                read = gast.Subscript(value=load(name), slice=_copy(index), ctx=gast.Load())
                kind, op = _COMBINE[method]
                value = (gast.BinOp(left=read, op=op(), right=value) if kind == "BinOp" else
                         gast.Call(func=dotted(f"{NUMPY_ALIAS}.{op}", node), args=[read, value], keywords=[]))
            stmts.append(assign(target, value, node))
        for s in stmts:
            for n in walk(s):
                located(n, node)
        pre.extend(stmts)
        return located(load(name), node)


def _copy(node):
    return clone(node)


def _listed(result):
    return result if isinstance(result, list) else [result]
