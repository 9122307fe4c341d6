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
them could fail. Set comprehensions are still refused by the fence. A dict comprehension over
`range(<constants>)` or a literal tuple of constants (up to 64 keys, no condition) becomes the
dict literal it builds (`{0: x[0] ** 2, 1: x[1] ** 2}`): keys known when transforming, as
derivatives of dicts need.
"""
import gast


from .base import assign, clone, FunctionPass, load, located, walk

_COMPS = (gast.ListComp, gast.GeneratorExp, gast.DictComp)


def _targets(node):
    """The names a comprehension target binds."""
    return [n.id for n in walk(node) if isinstance(n, gast.Name)]


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

    def _constant_dict(self, comp, pre, like):
        """`{k: f(k) for k in range(3)}` (one loop over constants, no condition) as the dict
        literal `{0: f(0), 1: f(1), 2: f(2)}`: its keys are then constants, which derivatives
        need; None for any other comprehension."""
        if not isinstance(comp, gast.DictComp) or len(comp.generators) != 1:
            return None
        gen = comp.generators[0]
        values = _constant_values(gen.iter)
        if gen.ifs or not isinstance(gen.target, gast.Name) or values is None or len(values) > _MAX_UNROLLED \
                or len(set(map(repr, values))) != len(values):
            return None
        keys, vals = [], []
        for v in values:
            keys.append(self._expr(_Substitute(gen.target.id, v).visit(clone(comp.key)), pre, like))
            vals.append(self._expr(_Substitute(gen.target.id, v).visit(clone(comp.value)), pre, like))
        new = located(gast.Dict(keys=keys, values=vals), like)
        for n in walk(new):
            if not hasattr(n, "lineno"):
                located(n, like)
        return new

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
        unrolled = self._constant_dict(comp, pre, like)
        if unrolled is not None:
            return unrolled
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
        for n in walk(inner[0]):
            if isinstance(n, (gast.stmt, gast.expr)) and not hasattr(n, "lineno"):
                located(n, like)
        pre += self._block(inner)  # comprehensions in the element, the conditions, the inner iterables
        return load(result)


_MAX_UNROLLED = 64


def _constant_values(it):
    """The values of `range(<ints>)` or of a literal tuple/list of constants, else None."""
    if isinstance(it, (gast.Tuple, gast.List)) and all(isinstance(e, gast.Constant) for e in it.elts):
        return [e.value for e in it.elts]
    if isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "range" and not it.keywords \
            and 1 <= len(it.args) <= 3 and all(isinstance(a, gast.Constant) and type(a.value) is int for a in it.args):
        return list(range(*[a.value for a in it.args]))
    return None


class _Substitute(gast.NodeTransformer):
    def __init__(self, name, value):
        self.name, self.value = name, value

    def visit_Name(self, node):
        if node.id == self.name and isinstance(node.ctx, gast.Load):
            return located(gast.Constant(value=self.value, kind=None), node)
        return node


def _store(target):
    for n in walk(target):
        if isinstance(n, (gast.Name, gast.Tuple, gast.List)):
            n.ctx = gast.Store()
