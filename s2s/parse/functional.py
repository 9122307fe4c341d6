"""The operator module and functools.reduce, in the forms the later passes take.

>>> from s2s.parse.debug import show
>>> print(show('''
... import functools, operator
... def f(x, w):
...     s = functools.reduce(operator.add, [x[0], x[1] * w, 2.0])
...     p = functools.reduce(lambda a, b: a * b + w, x, 1.0)
...     return operator.neg(s) + p
... ''', upto="functional"))
import numpy as _np
import math as _math
# functools_reduce: builtin_function_or_method, bound when the module is loaded
# operator_add: builtin_function_or_method, bound when the module is loaded
# operator_neg: builtin_function_or_method, bound when the module is loaded
<BLANKLINE>
<BLANKLINE>
def f(x, w):
    s = x[0] + x[1] * w + 2.0
    acc = 1.0
    for i in range(0, len(x)):
        item = x[i]
        acc = acc * item + w
    p = acc
    return -s + p

`operator.mul(a, b)` is `a * b`, `operator.neg(a)` is `-a`, `operator.getitem(x, i)` is `x[i]`,
and likewise every arithmetic, comparison and in-place operator function (the in-place ones
rebind, as `x += y` does in s2s). They count wherever they are called: written out, or passed
to a helper that calls its function argument (resolve makes the helper for it).

`divmod(a, b)` and `np.divmod(a, b)` are `(a // b, a % b)`.

`P(a, b=e)` of a namedtuple class with fields a, b, c (c defaulting to 0.0) is
`P(a, e, 0.0)`: each field given positionally, a default written as its constant (numba
constructs namedtuples from positional fields only; diff/pytrees.py reads them in order).

`functools.reduce(f, seq[, initial])` of a literal list or tuple is the nested calls it makes
(`f(f(a, b), c)`); of any other sequence (an array, a list variable), the loop it runs, put
before the statement. A lambda given as `f` is written into the calls (its parameters are
atoms there, so nothing is evaluated twice).
"""
import functools
import operator

import gast


from ..naming import NUMPY_ALIAS
from .base import assign, clone, FunctionPass, load, located, walk

def _literal_default(v):
    return v is None or type(v) in (bool, int, float, complex, str)


_BINARY = {
    "add": gast.Add, "sub": gast.Sub, "mul": gast.Mult, "truediv": gast.Div, "floordiv": gast.FloorDiv,
    "mod": gast.Mod, "pow": gast.Pow, "matmul": gast.MatMult,
    "and_": gast.BitAnd, "or_": gast.BitOr, "xor": gast.BitXor, "lshift": gast.LShift, "rshift": gast.RShift,
}
_BINARY.update({"i" + k.rstrip("_"): v for k, v in list(_BINARY.items())})
_COMPARE = {"lt": gast.Lt, "le": gast.LtE, "gt": gast.Gt, "ge": gast.GtE, "eq": gast.Eq, "ne": gast.NotEq}
_UNARY = {"neg": gast.USub, "pos": gast.UAdd, "not_": gast.Not, "invert": gast.Invert, "inv": gast.Invert}


def operator_name(value):
    """'mul' for operator.mul (and its other names), else None."""
    name = getattr(value, "__name__", None)
    if not isinstance(name, str) or getattr(operator, name, None) is not value:
        return None
    return name if name in _BINARY or name in _COMPARE or name in _UNARY or name in ("getitem", "abs") else None


def operator_expression(name, args):
    """The expression operator.<name>(*args) stands for, or None (wrong number of arguments)."""
    if name in _BINARY and len(args) == 2:
        return gast.BinOp(left=args[0], op=_BINARY[name](), right=args[1])
    if name in _COMPARE and len(args) == 2:
        return gast.Compare(left=args[0], ops=[_COMPARE[name]()], comparators=[args[1]])
    if name in _UNARY and len(args) == 1:
        return gast.UnaryOp(op=_UNARY[name](), operand=args[0])
    if name == "getitem" and len(args) == 2:
        return gast.Subscript(value=args[0], slice=args[1], ctx=gast.Load())
    if name == "abs" and len(args) == 1:
        return gast.Call(func=load("abs"), args=args, keywords=[])
    return None


def _substitute(body, names):
    """A copy of `body` with each Name in `names` (a dict) replaced by a copy of its value."""
    class Sub(gast.NodeTransformer):
        def visit_Name(self, node):
            if node.id in names and isinstance(node.ctx, gast.Load):
                return located(clone(names[node.id]), node)
            return node
    return Sub().visit(clone(body))


class Functional(FunctionPass):
    name = "functional"
    description = "operator.mul(a, b) -> a * b; functools.reduce(f, [a, b, c]) -> f(f(a, b), c), or its loop"

    def run(self):
        self.pre = None  # a statement visitor sets it: where a loop goes
        return super().run()

    def _constant(self, func):
        if isinstance(func, gast.Name):
            return self.ctx.program.constants.get(func.id)
        return None

    # -- statements that may hold a reduce of a non-literal sequence: its loop goes before --
    def _statement(self, node):
        saved, self.pre = self.pre, []
        node = self.generic_visit(node)
        pre, self.pre = self.pre, saved
        return pre + [node] if pre else node

    visit_Assign = visit_AugAssign = visit_AnnAssign = visit_Return = visit_Expr = visit_If = visit_For = _statement

    def visit_While(self, node):
        saved, self.pre = self.pre, None  # its test runs again each time round
        node.test = self.visit(node.test)
        self.pre = saved
        node.body = self._block(node.body)
        node.orelse = self._block(node.orelse)
        return node

    def _block(self, stmts):
        out = []
        for s in stmts:
            new = self.visit(s)
            out.extend(new if isinstance(new, list) else [new])
        return out

    def _nested_expression(self, node):
        """Lambdas and comprehensions: a loop cannot be put before a statement for them."""
        saved, self.pre = self.pre, None
        node = self.generic_visit(node)
        self.pre = saved
        return node

    visit_Lambda = visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _nested_expression

    def visit_Call(self, node):
        node = self.generic_visit(node)
        value = self._constant(node.func)
        name = operator_name(value) if value is not None else None
        if name is not None and not node.keywords:
            new = operator_expression(name, list(node.args))
            if new is not None:
                for n in walk(new):
                    if not hasattr(n, "lineno"):
                        located(n, node)
                return located(new, node)
        if value is functools.reduce:
            return self._reduce(node)
        if isinstance(value, type) and issubclass(value, tuple) and hasattr(value, "_fields") \
                and (node.keywords or len(node.args) < len(value._fields)):
            return self._namedtuple(value, node)
        np_divmod = isinstance(node.func, gast.Attribute) and node.func.attr == "divmod" and isinstance(
            node.func.value, gast.Name) and node.func.value.id == NUMPY_ALIAS
        if (np_divmod or isinstance(node.func, gast.Name) and node.func.id == "divmod" and value is None) \
                and len(node.args) == 2 and not node.keywords and self.pre is not None:
            return self._divmod(node)
        return node

    def _namedtuple(self, cls, node):
        """P(a, c=e) -> P(a, d, e): every field positional, a default written as its constant
        (numba builds namedtuples from positional fields only). The arguments keep Python's
        order of evaluation (bound to names first where the keywords are out of field order)."""
        fields = list(cls._fields)
        if any(isinstance(a, gast.Starred) for a in node.args) or any(k.arg not in fields for k in node.keywords) \
                or len(node.args) > len(fields):
            return node  # Python's TypeError, when it runs
        given = dict(zip(fields, node.args))
        kws = [k for k in node.keywords if k.arg not in given]
        if len(kws) < len(node.keywords):
            return node  # a field given twice: TypeError
        order = [fields.index(k.arg) for k in kws]
        if order != sorted(order):
            if self.pre is None:
                return node
            kws = [gast.keyword(arg=k.arg, value=self._atom(k.value, k.arg, node)) for k in kws]
        given.update((k.arg, k.value) for k in kws)
        defaults = cls._field_defaults
        if any(f not in given and (f not in defaults or not _literal_default(defaults[f])) for f in fields):
            return node
        args = [given[f] if f in given else located(gast.Constant(value=defaults[f], kind=None), node) for f in fields]
        return located(gast.Call(func=node.func, args=args, keywords=[]), node)

    def _divmod(self, node):
        """divmod(a, b) -> (a // b, a % b), a and b evaluated once (their derivatives: % has one)."""
        a, b = (self._atom(e, h, node) for e, h in zip(node.args, ("dividend", "divisor")))
        parts = [gast.BinOp(left=clone(a), op=op(), right=clone(b)) for op in (gast.FloorDiv, gast.Mod)]
        out = gast.Tuple(elts=parts, ctx=gast.Load())
        for n in walk(out):
            located(n, node)
        return out

    def _reduce(self, node):
        args = list(node.args) + [k.value for k in node.keywords if k.arg == "initial"]
        if len(args) not in (2, 3) or any(k.arg != "initial" for k in node.keywords) \
                or any(isinstance(a, gast.Starred) for a in args):
            raise self.ctx.error(node, "functools.reduce is supported as reduce(function, sequence[, initial])",
                                 "functools.reduce")
        fn, seq = args[0], args[1]
        if isinstance(fn, gast.Lambda):
            a = fn.args
            params = [p.id for p in a.posonlyargs + a.args]
            if a.vararg or a.kwarg or a.kwonlyargs or a.defaults or len(params) != 2:
                raise self.ctx.error(fn, "the function given to functools.reduce must take two arguments", "lambda")
        if isinstance(seq, (gast.List, gast.Tuple)) and not any(isinstance(e, gast.Starred) for e in seq.elts):
            items = list(seq.elts)
            if len(args) == 3:
                items = [args[2]] + items
            if not items:
                raise self.ctx.error(node, "functools.reduce of an empty sequence with no initial value", "reduce")
            acc = items[0]
            for item in items[1:]:
                acc = self._apply(fn, acc, item, node)
            return acc
        if self.pre is None:
            raise self.ctx.error(node, "functools.reduce of a sequence that is not a literal list or tuple is not "
                                 "supported inside a lambda, a comprehension or a while test; bind it to a name on its "
                                 "own line first",
                                 "functools.reduce")
        return self._loop(fn, seq, args[2] if len(args) == 3 else None, node)

    def _apply(self, fn, a, b, like):
        if isinstance(fn, gast.Lambda):
            p, q = [x.id for x in fn.args.posonlyargs + fn.args.args]
            if self.pre is not None:  # each operand evaluated once: atoms in the body
                a, b = self._atom(a, "left", like), self._atom(b, "right", like)
            elif not all(isinstance(x, (gast.Name, gast.Constant)) for x in (a, b)):
                raise self.ctx.error(like, "functools.reduce with a lambda inside a lambda or comprehension",
                                     "functools.reduce")
            return _substitute(fn.body, {p: a, q: b})
        name = operator_name(self._constant(fn))
        if name is not None and operator_expression(name, [a, b]) is not None:
            return located(operator_expression(name, [a, b]), like)
        return located(gast.Call(func=clone(fn), args=[a, b], keywords=[]), like)

    def _atom(self, expr, hint, like):
        if isinstance(expr, (gast.Name, gast.Constant)):
            return expr
        name = self.ctx.namer.fresh(hint)
        self.pre.append(assign(name, expr, like))
        return located(load(name), like)

    def _loop(self, fn, seq, initial, like):
        """acc = seq[0] (or initial); for i in range(1 (or 0), len(seq)): acc = f(acc, seq[i])"""
        seq = self._atom(seq, "seq", like)
        acc, i, item = self.ctx.namer.fresh("acc"), self.ctx.namer.fresh("i"), self.ctx.namer.fresh("item")
        first = initial if initial is not None else gast.Subscript(value=clone(seq),
                                                                   slice=gast.Constant(value=0, kind=None),
                                                                   ctx=gast.Load())
        start = gast.Constant(value=0 if initial is not None else 1, kind=None)
        rng = gast.Call(func=load("range"), args=[start, gast.Call(func=load("len"), args=[clone(seq)],
                                                                  keywords=[])], keywords=[])
        read = gast.Subscript(value=clone(seq), slice=load(i), ctx=gast.Load())
        saved, self.pre = self.pre, []
        step = self._apply(fn, load(acc), load(item), like)
        inner, self.pre = self.pre, saved
        body = [assign(item, read, like)] + inner + [assign(acc, step, like)]
        loop = gast.For(target=gast.Name(id=i, ctx=gast.Store(), annotation=None, type_comment=None), iter=rng,
                        body=body, orelse=[], type_comment=None)
        for n in walk(loop):
            if not hasattr(n, "lineno"):
                located(n, like)
        self.pre.extend([assign(acc, first, like), loop])
        return located(load(acc), like)
