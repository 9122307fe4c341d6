"""The fence: reject what s2s cannot transform yet, pointing at the user's line.

>>> from s2s.parse.debug import show
>>> show('''
... def f(x):
...     try:
...         return x
...     except ValueError:
...         return 0.0
... ''', upto="fence")
Traceback (most recent call last):
  ...
s2s.errors.UnsupportedSyntaxError: try/except is not supported: exceptions cannot be differentiated or compiled by numba; check the condition with `if` instead [try] at <doctest>, line 2:
    try:

Nothing is rewritten here; every later pass may assume none of these constructs remain.
"""
import gast

from .base import FunctionPass, walk

# node type -> (construct, why / what to do instead)
_REJECT = {
    gast.Try: ("try", "try/except is not supported: exceptions cannot be differentiated or compiled by numba; check the condition with `if` instead"),
    gast.With: ("with", "`with` blocks are not supported; move the context manager outside the transformed function"),
    gast.AsyncWith: ("async with", "async code is not supported"),
    gast.AsyncFor: ("async for", "async code is not supported"),
    gast.AsyncFunctionDef: ("async def", "async functions are not supported"),
    gast.Await: ("await", "async code is not supported"),
    gast.Yield: ("yield", "generators are not supported; return an array or a tuple instead"),
    gast.YieldFrom: ("yield from", "generators are not supported; return an array or a tuple instead"),
    gast.Global: ("global", "`global` declarations are not supported: a transformed function may read globals but not rebind them; return the new value instead"),
    gast.Nonlocal: ("nonlocal", "`nonlocal` is not supported; return the new value instead"),
    gast.ClassDef: ("class", "defining a class inside a transformed function is not supported; define it at module level"),
    gast.Import: ("import", "imports inside a transformed function are not supported; import at module level"),
    gast.ImportFrom: ("import", "imports inside a transformed function are not supported; import at module level"),
    gast.Delete: ("del", "`del` of an element or attribute is not supported (`del name` is); build the "
                  "value without it (np.delete(x, i), a new list or dict)"),
    gast.SetComp: ("set comprehension", "set comprehensions are not supported; build a list instead"),
    gast.NamedExpr: (":=", "an assignment expression is supported where it is always evaluated (an if/while "
                     "test, a right-hand side, the first operand of and/or), not in a part evaluated only "
                     "sometimes, a comprehension or a lambda; assign on a separate line"),
    gast.JoinedStr: ("f-string", "f-strings are not supported in transformed code"),
    gast.Set: ("set", "set literals are not supported"),
    gast.Match: ("match", "`match` statements are not supported; use if/elif"),
}
_REJECT_CALLS = {
    "exec": "exec() is not supported: s2s needs the source of everything it transforms",
    "eval": "eval() is not supported: s2s needs the source of everything it transforms",
    "globals": "globals() is not supported",
    "locals": "locals() is not supported",
    "vars": "vars() is not supported",
}
if hasattr(gast, "TryStar"):
    _REJECT[gast.TryStar] = ("try/except*", "try/except* is not supported")


class Fence(FunctionPass):
    name = "fence"
    description = "reject unsupported syntax (try, yield, async, global, ...) with the user's line"

    def run(self):
        tree = self.ctx.tree
        args = tree.args
        if args.vararg is not None or args.kwarg is not None or (
                getattr(self.ctx, "packed", False) and self.ctx is self.ctx.program.functions[0]):
            # (a function it calls may have them: its calls pass a tuple and a dict)
            raise self.ctx.error(tree, "*args/**kwargs parameters of the transformed function itself are not "
                                 "supported; name the parameters", "*args/**kwargs")
        for stmt in tree.body:
            self.visit(stmt)
        return tree

    def generic_visit(self, node):
        entry = _REJECT.get(type(node))
        if entry is not None:
            construct, why = entry
            raise self.ctx.error(node, why, construct)
        return super().generic_visit(node)

    def visit_Assert(self, node):
        self.visit(node.test)
        if node.msg is not None:
            self._message(node.msg)
        return node

    def visit_Raise(self, node):
        exc = node.exc
        if isinstance(exc, gast.Call) and exc.args:  # raise E(f"...", ...): desugar makes the text constant
            self.visit(exc.func)
            for a in exc.args:
                self._message(a)
            for k in exc.keywords:
                self.visit(k.value)
        elif exc is not None:
            self.visit(exc)
        if node.cause is not None:
            self.visit(node.cause)
        return node

    def _message(self, node):
        """An error message may be an f-string (desugar makes it constant text); else checked."""
        if not isinstance(node, gast.JoinedStr):
            self.visit(node)

    def visit_FunctionDef(self, node):
        args = node.args
        if args.vararg is not None or args.kwarg is not None:
            raise self.ctx.error(node, "*args/**kwargs parameters are not supported; name the parameters", "*args/**kwargs")
        return self.generic_visit(node)

    def visit_Call(self, node):
        if isinstance(node.func, gast.Name) and node.func.id in _REJECT_CALLS:
            raise self.ctx.error(node, _REJECT_CALLS[node.func.id], f"{node.func.id}()")
        for a in node.args:
            if isinstance(a, gast.Starred) and not (isinstance(a.value, gast.Name)
                                                    and a.value.id == getattr(self.ctx, "vararg_name", None)):
                raise self.ctx.error(a, "star-arguments in calls (f(*xs)) are not supported; pass arguments one by one "
                                     "(a helper's own *args can be passed on: f(y, *args))", "f(*args)")
        for k in node.keywords:
            if k.arg is None and not (isinstance(k.value, gast.Name)
                                      and k.value.id == getattr(self.ctx, "kwarg_name", None)):
                raise self.ctx.error(k.value, "**kwargs in calls are not supported; pass keywords one by one "
                                     "(a helper's own **kwargs can be passed on: f(y, **kwargs))", "f(**kwargs)")
        return self.generic_visit(node)

    def visit_Try(self, node):
        if not node.handlers:  # (restate.py makes the others a sequence)
            raise self.ctx.error(node, "try/finally whose body returns, breaks or continues is not supported; "
                                 "move the `finally` code before each exit", "try/finally")
        return self.generic_visit(node)

    def _loop_else(self, node, kind):
        if node.orelse:
            raise self.ctx.error(node, f"`{kind} ... else` is not supported; use a flag variable", f"{kind}-else")
        return self.generic_visit(node)

    def visit_For(self, node):
        return self._loop_else(node, "for")

    def visit_While(self, node):
        return self._loop_else(node, "while")

    def _targets(self, targets, node):
        for t in targets:
            for n in walk(t):
                if isinstance(n, gast.Attribute) and isinstance(n.ctx, gast.Store):
                    raise self.ctx.error(node, "assigning to an attribute (obj.x = ...) is not supported; transformed code works on arrays and scalars", "attribute assignment")
                if isinstance(n, gast.Starred) and not any(isinstance(p, (gast.Tuple, gast.List)) and n in p.elts
                                                          for p in walk(t)):
                    raise self.ctx.error(node, "a starred target must be an element of a tuple target (a, *b = ...)",
                                         "starred assignment")

    def visit_Assign(self, node):
        self._targets(node.targets, node)
        return self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._targets([node.target], node)
        return self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._targets([node.target], node)
        if node.value is None:
            raise self.ctx.error(node, "a bare annotation (x: T) without a value is not supported", "annotation")
        return self.generic_visit(node)
