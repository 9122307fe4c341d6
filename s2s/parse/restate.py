"""Restating: loop `else` clauses, `try`/`finally`, `del` of names and assignment expressions in plain form.

>>> from s2s.parse.debug import show
>>> print(show('''
... def f(x, n):
...     for v in x:
...         if v > n:
...             break
...     else:
...         n = n * 2.0
...     while (m := n * 0.5) > 1.0:
...         n = m
...     try:
...         y = n * x
...     finally:
...         n = 0.0
...     return y
... ''', upto="restate"))
import numpy as _np
import math as _math
<BLANKLINE>
<BLANKLINE>
def f(x, n):
    broke = False
    for v in x:
        if v > n:
            broke = True
            break
    if not broke:
        n = n * 2.0
    while True:
        m = n * 0.5
        if not m > 1.0:
            break
        n = m
    y = n * x
    n = 0.0
    return y

A loop's `else` runs when the loop ends without `break`: a flag set just before each of its
own breaks says whether it did (no flag when there is no break). `try: B finally: F` is `B`
then `F` when B cannot leave early (return, break or continue before F would run F first:
refused by the fence); `try` with `except` stays refused (exceptions do not differentiate).
`del name` is dropped; `del x[i]` (of an element) stays refused. An f-string given to
`print` becomes print's arguments (its text and its fields' values, unformatted): output
for the eye, and under numba print takes only values.

An assignment expression in a part of a statement that is always evaluated (the test of an
`if`, `elif` or `while`, a right-hand side, a returned value, the first operand of `and`/`or`,
the condition of `x if c else y`) becomes an assignment just before the statement; in a
`while` test it is evaluated at the top of each trip (`while True` with a `break`). One in a
part evaluated only sometimes (`a and (b := f())`, a branch of `x if c else y`), in a
comprehension or a lambda is refused, as is one that rebinds a name the statement read
earlier (moving it first would change what that read sees).
"""
import gast


from .base import assign, FunctionPass, load, located, store, walk

_LAZY = (gast.Lambda, gast.ListComp, gast.GeneratorExp, gast.DictComp, gast.SetComp)


def _print_pieces(arg):
    """An f-string printed, as print's arguments: its text around the fields (trimmed of the
    spaces print puts between arguments) and the fields' values, format specs and
    conversions left out (`print(f"loss {l:.3f} at {i}")` -> `print("loss", l, "at", i)`);
    anything else as it is."""
    if not isinstance(arg, gast.JoinedStr):
        return [arg]
    pieces = []
    for v in arg.values:
        if isinstance(v, gast.Constant):
            text = str(v.value).strip(" ")
            if text:
                pieces.append(located(gast.Constant(value=text, kind=None), arg))
        else:  # a FormattedValue
            pieces.append(v.value)
    return pieces or [located(gast.Constant(value="", kind=None), arg)]


class _MarkBreaks(gast.NodeTransformer):
    """`flag = True` before each `break` of the loop whose body this visits."""

    def __init__(self, flag):
        self.flag = flag

    def visit_Break(self, node):
        return [assign(self.flag, gast.Constant(value=True, kind=None), node), node]

    def _own(self, node):  # an inner loop's breaks (or a nested function's) are not ours
        return node

    visit_For = visit_While = visit_FunctionDef = visit_Lambda = _own


def _has_break(body):
    """Whether `body` breaks out of the loop it belongs to (not of an inner loop)."""
    todo = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, gast.Break):
            return True
        if not isinstance(node, (gast.For, gast.While, gast.FunctionDef, gast.Lambda)):
            todo.extend(gast.iter_child_nodes(node))
    return False


class Restate(FunctionPass):
    name = "restate"
    description = "loop else-clauses as flags, try/finally as a sequence, := as an assignment before its statement"

    # -- loops -------------------------------------------------------------------------------
    def visit_For(self, node):
        hoisted = []
        node.iter = self._eager(node.iter, hoisted, set())
        return hoisted + self._loop(self.generic_visit(node))

    def visit_While(self, node):
        node = self.generic_visit(node)
        out = self._loop(node)
        hoisted = []
        test = self._eager(node.test, hoisted, set())
        if hoisted:  # evaluated at the top of every trip, before the body
            stop = located(gast.If(test=gast.UnaryOp(op=gast.Not(), operand=test), body=[located(gast.Break(), node)],
                                   orelse=[]), node)
            node.test = gast.Constant(value=True, kind=None)
            node.body = hoisted + [stop] + node.body
        return out

    def _loop(self, node):
        if not node.orelse:
            return [node]
        orelse, node.orelse = node.orelse, []
        if not _has_break(node.body):
            return [node] + orelse
        flag = self.ctx.namer.fresh("broke")
        node.body = [s for stmt in node.body for s in _listed(_MarkBreaks(flag).visit(stmt))]
        test = gast.UnaryOp(op=gast.Not(), operand=load(flag))
        return [assign(flag, gast.Constant(value=False, kind=None), node), node,
                located(gast.If(test=test, body=orelse, orelse=[]), node)]

    # -- del -----------------------------------------------------------------------------------
    def visit_Delete(self, node):
        """`del t` of names: gone (a name is only read while bound, so nothing else changes;
        the value is freed when the function returns). `del x[i]` stays: the fence refuses it."""
        if all(isinstance(t, gast.Name) for t in node.targets):
            return located(gast.Pass(), node)
        return node

    # -- try/finally -------------------------------------------------------------------------
    def visit_Try(self, node):
        node = self.generic_visit(node)
        if node.handlers or node.orelse or _leaves_early(node.body):
            return node  # the fence says why
        return node.body + node.finalbody

    # -- assignment expressions --------------------------------------------------------------
    def visit_If(self, node):
        hoisted = []
        node.test = self._eager(node.test, hoisted, set())
        return hoisted + [self.generic_visit(node)]

    def _value_first(self, node):
        hoisted = []
        if node.value is not None:
            node.value = self._eager(node.value, hoisted, set())
        return hoisted + [self.generic_visit(node)]

    visit_Assign = visit_AnnAssign = visit_Return = _value_first

    def visit_Expr(self, node):
        call = node.value
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Name) and call.func.id == "print" \
                and not call.keywords:
            call.args = [piece for a in call.args for piece in _print_pieces(a)]
        return self._value_first(node)

    def visit_AugAssign(self, node):
        hoisted = []
        node.value = self._eager(node.value, hoisted, _loaded(node.target))  # the target is read first
        return hoisted + [self.generic_visit(node)]

    def visit_Assert(self, node):
        hoisted = []
        node.test = self._eager(node.test, hoisted, set())
        return hoisted + [self.generic_visit(node)]

    def _eager(self, node, out, seen):
        """`node` with each `:=` in its always-evaluated parts replaced by its name, the
        assignments appended to `out` in evaluation order; `seen` gathers the names read."""
        if isinstance(node, gast.NamedExpr):
            value = self._eager(node.value, out, seen)
            name = node.target.id
            if name in seen:
                raise self.ctx.error(node, f"this assignment expression rebinds {name!r}, which the statement "
                                     "reads before it; assign on a separate line", ":=")
            out.append(assign(store(name), value, node))
            return located(load(name), node)
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Load):
                seen.add(node.id)
            return node
        if isinstance(node, gast.BoolOp):
            node.values[0] = self._eager(node.values[0], out, seen)
            seen.update(*map(_loaded, node.values[1:]))
            return node
        if isinstance(node, gast.IfExp):
            node.test = self._eager(node.test, out, seen)
            seen.update(_loaded(node.body), _loaded(node.orelse))
            return node
        if isinstance(node, _LAZY):
            seen.update(_loaded(node))
            return node
        for field, value in gast.iter_fields(node):
            if isinstance(value, list):
                setattr(node, field, [self._eager(v, out, seen) if isinstance(v, gast.AST) else v for v in value])
            elif isinstance(value, gast.AST):
                setattr(node, field, self._eager(value, out, seen))
        return node


def _listed(result):
    return result if isinstance(result, list) else [result]


def _loaded(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def _leaves_early(body):
    """Whether a statement of `body` returns, or breaks/continues a loop around the `try`."""
    def walk(stmts, in_loop):
        for stmt in stmts:
            if isinstance(stmt, gast.Return) or (not in_loop and isinstance(stmt, (gast.Break, gast.Continue))):
                return True
            if isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
                continue
            inner = in_loop or isinstance(stmt, (gast.For, gast.While))
            for field in ("body", "orelse", "finalbody"):
                if walk(getattr(stmt, field, None) or [], inner):
                    return True
            for handler in getattr(stmt, "handlers", None) or []:
                if walk(handler.body, inner):
                    return True
        return False
    return walk(body, False)
