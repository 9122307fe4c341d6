"""Tests known when the code is transformed: folded, and their dead branches dropped.

>>> from s2s.parse.debug import show
>>> print(show('''
... def total(x, axis=None, keepdims=False):
...     if axis is None and not keepdims:
...         return np.sum(x)
...     s = np.sum(x, axis=axis, keepdims=True)
...     return s if keepdims else np.squeeze(s, axis=axis)
... def f(x):
...     return total(x) + total(x, 1)
... ''', upto="fold"))
import numpy as _np
import math as _math
<BLANKLINE>
<BLANKLINE>
def f(x):
    return total_1(x) + total_2(x)
<BLANKLINE>
<BLANKLINE>
def total_1(x):
    return _np.sum(x)
<BLANKLINE>
<BLANKLINE>
def total_2(x):
    s = _np.sum(x, axis=1, keepdims=True)
    return _np.squeeze(s, axis=1)

The literal arguments resolve makes helpers for (axes and keepdims: `total(x, 1)`) become
literals in the helper's body; a comparison of literals, `not`, `and`/`or` of them, and an
`if`/`while`/conditional expression whose test is then a literal are decided here, and what
follows a `return` in its block goes. So the derivative code records nothing for a branch that
never runs (numba, which drops such branches itself, could not type what it recorded), and the
generated source shows the code that runs.
"""
import builtins
import operator

import gast
import numpy

from ..naming import NUMPY_ALIAS

from .base import FunctionPass, located, walk

_COMPARE = {gast.Eq: operator.eq, gast.NotEq: operator.ne, gast.Lt: operator.lt, gast.LtE: operator.le,
            gast.Gt: operator.gt, gast.GtE: operator.ge, gast.Is: operator.is_, gast.IsNot: operator.is_not,
            gast.In: lambda a, b: operator.contains(b, a), gast.NotIn: lambda a, b: not operator.contains(b, a)}
_PLAIN = (type(None), bool, int, float, str)


def _literal(node, known=None):
    """(True, value) for a literal of a plain type (or a tuple of them), or a name in `known`
    (module constants: captured globals and static arguments), else (False, None)."""
    if isinstance(node, gast.Constant) and isinstance(node.value, _PLAIN):
        return True, node.value
    if known and isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id in known:
        return True, known[node.id]
    if isinstance(node, gast.Tuple):
        parts = [_literal(e, known) for e in node.elts]
        if all(ok for ok, _ in parts):
            return True, tuple(v for _, v in parts)
    return False, None


def _const(value, like):
    return located(gast.Constant(value=value, kind=None), like)


class FoldConstants(FunctionPass):
    name = "fold"
    description = "literal tests decided: 'half' == 'half' -> True; if True: A else: B -> A"

    def run(self):
        from .source import _GENERATED_ORIGINS

        fn = self.ctx.src.fn
        if getattr(getattr(fn, "__code__", None), "co_filename", None) in _GENERATED_ORIGINS:
            # s2s's own derivative code, parsed again (jit(grad(f))): its branches were decided
            # when it was made from the user's; the tapes of both sides of a test must stay
            return self.ctx.tree
        constants = self.ctx.program.constants
        self._known = {n: v for n, v in constants.items() if isinstance(v, _PLAIN)}
        stored = {n.id for n in walk(self.ctx.tree) if isinstance(n, gast.Name)
                  and isinstance(n.ctx, (gast.Store, gast.Del))}
        self._known.update((name, None) for name in self.ctx.known_none if isinstance(name, str) and name not in stored)
        self._types = {k[0]: k[1] for k in self.ctx.known_none if isinstance(k, tuple) and k[0] not in stored}
        tree = super().run()
        for n in walk(tree):
            for field in ("body", "orelse"):
                block = getattr(n, field, None)
                if not isinstance(block, list) or not block or not isinstance(block[0], gast.stmt):
                    continue
                ends = [i for i, st in enumerate(block) if isinstance(st, gast.Return)]
                if ends:  # unreachable after a return
                    del block[ends[0] + 1:]
            if isinstance(getattr(n, "body", None), list) and not n.body:  # all dropped
                n.body.append(located(gast.Pass(), n))
        return tree

    def visit_Compare(self, node):
        node = self.generic_visit(node)
        values = [_literal(node.left, self._known)] + [_literal(c, self._known) for c in node.comparators]
        if not all(ok for ok, _ in values) or not all(type(op) in _COMPARE for op in node.ops):
            return node
        vals = [v for _, v in values]
        try:
            result = all(_COMPARE[type(op)](a, b) for op, a, b in zip(node.ops, vals, vals[1:]))
        except TypeError:  # `None < 1`: Python raises at run time; leave it to do so
            return node
        return _const(result, node)

    def visit_Call(self, node):
        """isinstance(p, T) of a parameter p whose argument's type is known in the calls the
        code is made for (grad's, per call), T a type or a tuple of types written in the code.
        numba cannot prune such tests in derivative code (nor type np.ndarray), Python gets
        the same answer either way."""
        node = self.generic_visit(node)
        if not (isinstance(node.func, gast.Name) and node.func.id == "isinstance" and len(node.args) == 2
                and not node.keywords and "isinstance" not in self.ctx.program.constants):
            return node
        obj, spec = node.args
        if not (isinstance(obj, gast.Name) and obj.id in self._types):
            return node
        classes = self._classes(spec)
        if classes is None:
            return node
        return _const(issubclass(self._types[obj.id], classes), node)

    def _classes(self, node):
        """The type (or tuple of types) `node` names, or None when it is not one."""
        if isinstance(node, gast.Tuple):
            parts = [self._classes(e) for e in node.elts]
            return None if any(p is None for p in parts) else tuple(parts)
        value = None
        if isinstance(node, gast.Name):
            constants = self.ctx.program.constants
            value = constants[node.id] if node.id in constants else getattr(builtins, node.id, None)
        elif isinstance(node, gast.Attribute) and isinstance(node.value, gast.Name) and node.value.id == NUMPY_ALIAS:
            value = getattr(numpy, node.attr, None)
        return value if isinstance(value, type) or (isinstance(value, tuple) and all(isinstance(v, type) for v in value)) \
            else None

    def visit_UnaryOp(self, node):
        node = self.generic_visit(node)
        ok, value = _literal(node.operand, self._known)
        if ok and isinstance(node.op, gast.Not):
            return _const(not value, node)
        return node

    def visit_BoolOp(self, node):
        node = self.generic_visit(node)
        values = [_literal(v, self._known) for v in node.values]
        if not all(ok for ok, _ in values):
            return node
        result = values[0][1]
        for _, v in values[1:]:
            result = (result and v) if isinstance(node.op, gast.And) else (result or v)
        return _const(result, node)

    def visit_IfExp(self, node):
        node = self.generic_visit(node)
        ok, value = _literal(node.test, self._known)
        if ok:
            return node.body if value else node.orelse
        return node

    def visit_If(self, node):
        node = self.generic_visit(node)
        ok, value = _literal(node.test, self._known)
        if not ok:
            return node
        return (node.body if value else node.orelse) or []

    def visit_While(self, node):
        node = self.generic_visit(node)
        ok, value = _literal(node.test, self._known)
        if ok and not value:
            return node.orelse or []
        return node
