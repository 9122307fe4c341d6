"""Comprehensions as loops: list and dict comprehensions and generator expressions become a
fresh list (or dict) filled by a `for` loop before the statement that uses them.

>>> from s2s.parse.debug import show
>>> print(show('''
... def f(xs, n):
...     ys = [x * x for x in xs if x > 0]
...     return sum(ys[i] * i for i in range(n))
... ''', upto="comprehensions"))
import numpy as _np
import math as _math
<BLANKLINE>
<BLANKLINE>
def f(xs, n):
    comp = []
    for x_1 in xs:
        if x_1 > 0:
            comp.append(x_1 * x_1)
    ys = comp
    comp_1 = []
    for i_1 in range(n):
        comp_1.append(ys[i_1] * i_1)
    return sum(comp_1)

The loop variables get fresh names (a comprehension's variables are its own in Python: the
function's variables of the same name keep their values). A generator expression becomes a list:
its consumer (`sum`, `np.array`, `any`, `tuple`, ...) sees the same elements, computed
eagerly. A comprehension in a `while` test is rebuilt on every test (`while True:` + the
loop + `if not test: break`); in an `elif` test, just before that test. One that Python
would not evaluate (the right of `and`/`or`, an unchosen branch of `x if c else y`) is
evaluated anyway: keep such comprehensions out of conditional expressions when evaluating
them could fail. Set comprehensions are still refused by the fence.
"""
import gast

from .base import FunctionPass, assign, load, located

_COMPS = (gast.ListComp, gast.GeneratorExp, gast.DictComp)


def _targets(node):
    """The names a comprehension target binds."""
    return [n.id for n in gast.walk(node) if isinstance(n, gast.Name)]


class _Rename(gast.NodeTransformer):
    def __init__(self, names):
        self.names = names

    def visit_Name(self, node):
        if node.id in self.names:
            node.id = self.names[node.id]
        return node


class Comprehensions(FunctionPass):
    name = "comprehensions"
    description = "[e for x in xs if c] / generator expressions / dict comprehensions -> a list (dict) filled by a loop"

    def visit_FunctionDef(self, node):
        node.body = self._block(node.body)
        return node

    def _block(self, stmts):
        out = []
        for s in stmts:
            out += self._statement(s)
        return out

    def _statement(self, s):
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list) and not isinstance(s, gast.FunctionDef):
                setattr(s, field, self._block(getattr(s, field)))
        if isinstance(s, gast.FunctionDef):
            return [self.visit_FunctionDef(s)]
        if isinstance(s, gast.While):
            pre = []
            test = self._expr(s.test, pre, s)
            if not pre:
                return [s]
            stop = located(gast.If(test=located(gast.UnaryOp(op=gast.Not(), operand=test), s),
                                   body=[located(gast.Break(), s)], orelse=[]), s)
            s.test = located(gast.Constant(value=True, kind=None), s)
            s.body = pre + [stop] + s.body
            if s.orelse:
                raise self.ctx.error(s, "a while/else loop whose test has a comprehension is not supported", "while/else")
            return [s]
        pre = []
        for field in ("value", "test", "iter"):
            if getattr(s, field, None) is not None and isinstance(getattr(s, field), gast.AST):
                setattr(s, field, self._expr(getattr(s, field), pre, s))
        if isinstance(s, gast.Assign):
            s.targets = [self._expr(t, pre, s) for t in s.targets]
        return pre + [s]

    def _expr(self, e, pre, like):
        """e with its comprehensions replaced by names, their loops appended to `pre`."""
        if isinstance(e, _COMPS):
            return self._expand(e, pre, like)
        for field, value in gast.iter_fields(e):
            if isinstance(value, gast.AST):
                setattr(e, field, self._expr(value, pre, like))
            elif isinstance(value, list):
                setattr(e, field, [self._expr(v, pre, like) if isinstance(v, gast.AST) else v for v in value])
        return e

    def _expand(self, comp, pre, like):
        result = self.ctx.namer.fresh("comp")
        is_dict = isinstance(comp, gast.DictComp)
        pre.append(assign(result, located(gast.Dict(keys=[], values=[]) if is_dict else gast.List(elts=[], ctx=gast.Load()),
                                          like), like))
        renames = {}
        loops = []
        for gen in comp.generators:
            if getattr(gen, "is_async", 0):
                raise self.ctx.error(like, "async comprehensions are not supported", "async comprehension")
            it = _Rename(dict(renames)).visit(gen.iter)
            for name in _targets(gen.target):
                renames[name] = self.ctx.namer.fresh(name)
            loops.append((_Rename(dict(renames)).visit(gen.target), it, [_Rename(dict(renames)).visit(c) for c in gen.ifs]))
        rename = _Rename(renames)
        if is_dict:
            key, value = rename.visit(comp.key), rename.visit(comp.value)
            inner = [assign(gast.Subscript(value=load(result), slice=key, ctx=gast.Store()), value, like)]
        else:
            elt = rename.visit(comp.elt)
            append = gast.Attribute(value=load(result), attr="append", ctx=gast.Load())
            inner = [located(gast.Expr(value=located(gast.Call(func=append, args=[elt], keywords=[]), like)), like)]
        for target, it, ifs in reversed(loops):
            for cond in reversed(ifs):
                inner = [located(gast.If(test=cond, body=inner, orelse=[]), like)]
            _store(target)
            inner = [located(gast.For(target=target, iter=it, body=inner, orelse=[], type_comment=None), like)]
        for n in gast.walk(inner[0]):
            if isinstance(n, (gast.stmt, gast.expr)) and not hasattr(n, "lineno"):
                located(n, like)
        pre += self._block(inner)  # comprehensions in the element, the conditions, the inner iterables
        return load(result)


def _store(target):
    for n in gast.walk(target):
        if isinstance(n, (gast.Name, gast.Tuple, gast.List)):
            n.ctx = gast.Store()
