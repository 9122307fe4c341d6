"""Functions defined inside a differentiated function become program-level functions.

Reverse mode transforms program-level functions (each gets a VJP twin); a `def` inside the
body is lifted out (lambda lifting): the variables it reads from the enclosing function
become extra parameters, passed at every call. A closure reads a variable's value when it
is called, and that is exactly the value the call passes, so the meaning is unchanged.

Before:                                   After:
    def f(x, a):                              def f(x, a):
        def scaled(y):                            s = f_scaled(x[0], a)
            return a * np.tanh(y)                 return s
        s = scaled(x[0])
        return s                              def f_scaled(y, a):
                                                  return a * np.tanh(y)

A nested function used other than by calling it (passed as a value, returned, rebound)
is reported as unsupported; so is one that assigns to an enclosing variable (`nonlocal`
is already rejected by the fence).
"""
import copy

import gast

from ..parse.base import clone, function_locals, FunctionPass, load, located, walk


class LiftNestedFunctions(FunctionPass):
    name = "lift"
    description = "functions defined inside the body -> program-level functions (free variables as parameters)"

    def run(self):
        fn = self.ctx.tree
        defs = [s for s in fn.body if isinstance(s, gast.FunctionDef)]
        nested = [n for s in fn.body if not isinstance(s, gast.FunctionDef) for n in walk(s)
                  if isinstance(n, gast.FunctionDef)]
        if nested:
            raise self.ctx.error(nested[0], "a function defined inside a loop or branch cannot be differentiated; "
                                 "define it at the top of the function body or at module level", "nested def")
        if not defs:
            return fn
        outer = function_locals(fn)
        lifted = {}
        for d in defs:
            inner_locals = function_locals(d)
            reads = {n.id for n in walk(d) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
            free = sorted((reads & outer) - inner_locals - {x.name for x in defs})
            name = self.ctx.program.namer.fresh(f"{fn.name}_{d.name}")
            lifted[d.name] = (name, free, d)
        fn.body = [s for s in fn.body if not isinstance(s, gast.FunctionDef)]
        for d in defs:
            name, free, node = lifted[d.name]
            new = clone(node)
            new.name = name
            new.args.args = new.args.posonlyargs + new.args.args + [
                gast.Name(id=v, ctx=gast.Param(), annotation=None, type_comment=None) for v in free]
            new.args.posonlyargs, new.args.defaults = [], []
            for body_owner in (fn, new):
                _rewrite_calls(body_owner, lifted, self.ctx)
            ctx = copy.copy(self.ctx)
            ctx.tree = new
            ctx.name = name
            self.ctx.program.functions.append(ctx)
        for d in defs:
            for n in walk(d):
                if isinstance(n, gast.Name) and n.id in lifted and isinstance(n.ctx, gast.Store):
                    raise self.ctx.error(n, f"{n.id} is rebound inside a nested function", "nested def")
        return fn


def _rewrite_calls(owner, lifted, ctx):
    """`inner(a)` -> `f_inner(a, free...)` in `owner`'s body; any other use is an error."""
    calls = set()
    for n in walk(owner):
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and n.func.id in lifted:
            name, free, node = lifted[n.func.id]
            params = [a.id for a in node.args.posonlyargs + node.args.args]
            given = dict(zip(params, n.args))
            for k in n.keywords:
                if k.arg not in params or k.arg in given:
                    raise ctx.error(n, f"this call of {n.func.id} does not match its parameters", "nested def")
                given[k.arg] = k.value
            defaults = dict(zip(params[len(params) - len(node.args.defaults):], node.args.defaults))
            missing = [p for p in params if p not in given and p not in defaults]
            if len(n.args) > len(params) or missing:
                raise ctx.error(n, f"this call of {n.func.id} does not match its parameters", "nested def")
            n.func = located(load(name), n.func)
            calls.add(id(n.func))
            n.args = [given[p] if p in given else clone(defaults[p]) for p in params]
            n.args += [located(load(v), n) for v in free]
            n.keywords = []
    for n in walk(owner):
        if isinstance(n, gast.Name) and n.id in lifted and id(n) not in calls and not isinstance(n.ctx, gast.Param):
            raise ctx.error(n, f"the nested function {n.id} is used as a value here; derivative code can only call it "
                            "(or pass it to a function)", "nested def")
