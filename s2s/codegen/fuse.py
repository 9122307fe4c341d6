"""Put single-use temporaries back into the expression that reads them, before printing.

A-normal form names every intermediate value, which the transformations need, but numba
fuses whole-array expressions (`1.0 / (1.0 + np.exp(-x))` becomes one loop, no temporary
arrays) only within an expression: named intermediates each cost an array and a pass
over memory. So the generated code is re-fused, only where it is plainly safe:

- `t = <expr>` where `t` is assigned once and read once in the whole function,
- read by a later statement of the same block that comes from the same user line (and the
  same transformation step: a forward statement is not fused into a backward one),
- with only simple assignments in between that neither rebind what `<expr>` reads nor
  have side effects, and `<expr>` itself free of calls that may have side effects (user
  functions, `np.random`): moving it then cannot change any value.
- never into a `while` test (evaluated again at every iteration);
- not in a backward sweep (`# grad of:` statements): its named adjoints are what a reader
  follows, and its helper calls stop numba's fusion anyway.

Before:                                   After:
    neg_x = -x                                return 1.0 / (1.0 + _np.exp(-x))
    exp_neg_x = _np.exp(neg_x)
    total = 1.0 + exp_neg_x
    return 1.0 / total
"""
import gast

from ..naming import MATH_ALIAS, NUMPY_ALIAS
from ..parse.base import clone, walk


def _loads(node):
    return [n for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)]


def _stores(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Param))}


def _key(s):
    return (getattr(s, "lineno", None), getattr(s, "s2s_prefix", None))


class _Replace(gast.NodeTransformer):
    def __init__(self, name, expr):
        self.name, self.expr, self.done = name, expr, False

    def visit_Name(self, node):
        if node.id == self.name and isinstance(node.ctx, gast.Load) and not self.done:
            self.done = True
            return self.expr
        return node


class Fuser:
    """`Fuser(is_pure_name).run(fn)`: `is_pure_name(name)` says whether calling the
    module-level `name` (a runtime helper, a builtin) is free of side effects."""

    def __init__(self, is_pure_name):
        self.is_pure_name = is_pure_name

    def run(self, fn):
        fn = clone(fn)
        self.reads, self.writes = {}, {}
        for n in walk(fn):
            if isinstance(n, gast.Name):
                table = self.reads if isinstance(n.ctx, gast.Load) else self.writes
                table[n.id] = table.get(n.id, 0) + 1
        self._blocks(fn)
        return fn

    def _blocks(self, node):
        for field in ("body", "orelse"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], gast.stmt):
                self._fuse(stmts)
                for s in stmts:
                    self._blocks(s)

    def _pure(self, expr):
        for n in walk(expr):
            if isinstance(n, gast.Call):
                f = n.func
                path = []
                while isinstance(f, gast.Attribute):
                    path.append(f.attr)
                    f = f.value
                if not isinstance(f, gast.Name):
                    return False
                if f.id in (NUMPY_ALIAS, MATH_ALIAS):
                    if "random" in path:
                        return False
                    continue
                if path or not self.is_pure_name(f.id):
                    return False
            elif isinstance(n, (gast.Yield, gast.Await, gast.NamedExpr, gast.Lambda)):
                return False
        return True

    def _candidate(self, s):
        if getattr(s, "s2s_prefix", None):  # backward sweeps keep their named adjoints (readable)
            return None
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)):
            return None
        t = s.targets[0].id
        if self.writes.get(t) != 1 or self.reads.get(t) != 1 or not self._pure(s.value):
            return None
        return t

    def _fuse(self, stmts):
        i = len(stmts) - 2
        while i >= 0:
            t = self._candidate(stmts[i])
            if t is not None:
                self._try(stmts, i, t)
            i -= 1

    def _try(self, stmts, i, t):
        s = stmts[i]
        read = {n.id for n in _loads(s.value)}
        for j in range(i + 1, len(stmts)):
            u = stmts[j]
            if _key(u) != _key(s):
                return
            where = self._use_site(u, t)
            if where is not None:
                r = _Replace(t, s.value)
                if where == "test":
                    u.test = r.visit(u.test)
                elif where == "iter":
                    u.iter = r.visit(u.iter)
                else:
                    r.visit(u)
                if r.done:
                    del stmts[i]
                return
            # Something between: it must be a simple assignment that does not touch what
            # the moved expression reads, and does not read or write `t`.
            if not (isinstance(u, gast.Assign) and isinstance(u.targets[0], gast.Name) and self._pure(u.value)):
                return
            if _stores(u) & read or t in {n.id for n in _loads(u)}:
                return

    def _use_site(self, u, t):
        """The part of statement `u` to substitute in, if `u` reads `t` there (once)."""
        if isinstance(u, gast.If):
            part, where = u.test, "test"
        elif isinstance(u, gast.For):
            part, where = u.iter, "iter"
        elif isinstance(u, (gast.While, gast.FunctionDef)):
            return None
        else:
            part, where = u, "stmt"
        if any(n.id == t for n in _loads(part)):
            return where
        return None
