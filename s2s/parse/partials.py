"""Partials made inside the function: `p = functools.partial(f, a, k=v)`, then only calls of `p`,
become the calls of `f` they stand for, the bound arguments evaluated once where the partial
was made (as functools.partial does).

>>> from s2s.parse.debug import show
>>> print(show('''
... import functools
... def f(x, w):
...     def scale(a, b, c=1.0):
...         return a * b + c
...     p = functools.partial(scale, x[0], c=w)
...     return p(x) + p(2.0, c=3.0)
... ''', upto="partials"))
import numpy as _np
import math as _math
# functools_partial: type, bound when the module is loaded
<BLANKLINE>
<BLANKLINE>
def f(x, w):
    def scale(a, b, c=1.0):
        return a * b + c
    p_0 = x[0]
    p_c = w
    return scale(p_0, x, c=p_c) + scale(p_0, 2.0, c=3.0)

A call's keyword replaces the partial's keyword of the same name, as functools.partial does.
Differentiation and numba then see plain calls of `f` (a nested def, a helper or a NumPy
function), so nested functions need not be values. A partial used any other way (returned,
stored, passed to a function other than map/filter, which desugar turned into loops
already) is left alone: the later passes say what they cannot do with it.
"""
import functools

import gast


from .base import assign, attribute_path, clone, fix_missing_locations, FunctionPass, load, located, walk


class LocalPartials(FunctionPass):
    name = "partials"
    description = "p = functools.partial(f, a, k=v); p(x) -> p_0 = a; p_k = v; f(p_0, x, k=p_k)"

    def run(self):
        self.found = self._partials()
        if self.found:
            return super().run()
        return self.ctx.tree

    def _is_partial(self, func):
        path = attribute_path(func)
        if path is None:
            return False
        constants = self.ctx.program.constants
        return constants.get(path) is functools.partial if path in constants else False

    def _partials(self):
        """{name: its Assign} for the names bound once, to a partial, and only called."""
        binds, loads, called = {}, {}, {}
        for node in walk(self.ctx.tree):
            if isinstance(node, gast.Assign):
                for t in node.targets:
                    for n in walk(t):
                        if isinstance(n, gast.Name):
                            binds.setdefault(n.id, []).append(node)
            elif isinstance(node, (gast.FunctionDef, gast.For, gast.AugAssign, gast.comprehension)):
                target = getattr(node, "target", None)
                names = [node.name] if isinstance(node, gast.FunctionDef) else [
                    n.id for n in walk(target) if isinstance(n, gast.Name)]
                for name in names:
                    binds.setdefault(name, []).append(node)
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                loads[node.id] = loads.get(node.id, 0) + 1
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
                called[node.func.id] = called.get(node.func.id, 0) + 1
        out = {}
        for name, stmts in binds.items():
            if len(stmts) != 1 or not isinstance(stmts[0], gast.Assign) or len(stmts[0].targets) != 1:
                continue
            s = stmts[0]
            if not (isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Call)
                    and self._is_partial(s.value.func) and s.value.args):
                continue
            call = s.value
            if any(isinstance(a, gast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
                continue
            if attribute_path(call.args[0]) is None or loads.get(name, 0) != called.get(name, 0):
                continue
            out[name] = s
        return out

    def visit_Assign(self, node):
        name = node.targets[0].id if len(node.targets) == 1 and isinstance(node.targets[0], gast.Name) else None
        if name not in self.found or self.found[name] is not node:
            return self.generic_visit(node)
        call = node.value
        pre, bound_args, bound_kw = [], [], []
        for i, a in enumerate(call.args[1:]):
            bound_args.append(self._once(a, f"{name}_{i}", node, pre))
        for k in call.keywords:
            bound_kw.append((k.arg, self._once(k.value, f"{name}_{k.arg}", node, pre)))
        self.found[name] = (call.args[0], bound_args, bound_kw)
        return pre

    def _once(self, expr, hint, like, pre):
        """`expr` itself when it is a constant, else a fresh name bound to it here."""
        if isinstance(expr, gast.Constant):
            return expr
        fresh = self.ctx.namer.fresh(hint)
        pre.append(assign(fresh, self.visit(expr), like))
        return load(fresh)

    def visit_Call(self, node):
        node = self.generic_visit(node)
        f = node.func
        if not (isinstance(f, gast.Name) and isinstance(self.found.get(f.id), tuple)):
            return node
        func, bound_args, bound_kw = self.found[f.id]
        given = {k.arg for k in node.keywords if k.arg is not None}
        keywords = [gast.keyword(arg=k, value=_copy(v)) for k, v in bound_kw if k not in given] + node.keywords
        new = fix_missing_locations(located(
            gast.Call(func=_copy(func), args=[_copy(a) for a in bound_args] + node.args, keywords=keywords), node))
        callee = getattr(new.func, "s2s_callee", None)
        if callee is not None:  # a user function: bound to its signature, as resolve binds calls
            from .resolve import ResolveNames
            new = ResolveNames(self.ctx)._bind_user_call(new, callee.value)
        return new


def _copy(node):
    return clone(node)
