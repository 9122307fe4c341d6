"""A-normal form: one operation per statement, every operand a name or a literal.

>>> from s2s.parse.debug import show
>>> print(show('''
... def f(x, y, n):
...     z = np.exp(np.sin(x)) * -y
...     w = x if z.sum() > 0 else np.cos(y)
...     ok = z.max() > 0 and w[n - 1] < 1
...     while np.abs(z - w).max() > 1e-3:
...         z = z / 2
...     return z + w, ok
... ''', upto="anf"))
import numpy as _np
import math as _math
<BLANKLINE>
<BLANKLINE>
def f(x, y, n):
    sin_x = _np.sin(x)
    exp_sin_x = _np.exp(sin_x)
    neg_y = -y
    z = exp_sin_x * neg_y
    z_sum = z.sum()
    if z_sum > 0:
        w = x
    else:
        w = _np.cos(y)
    z_max = z.max()
    ok = z_max > 0
    if ok:
        n_minus_1 = n - 1
        w_n_minus_1 = w[n_minus_1]
        ok = w_n_minus_1 < 1
    while True:
        z_minus_w = z - w
        abs_z_minus_w = _np.abs(z_minus_w)
        abs_z_minus_w_max = abs_z_minus_w.max()
        cond = abs_z_minus_w_max > 0.001
        if not cond:
            break
        z = z / 2
    z_plus_w = z + w
    return (z_plus_w, ok)

Atoms are names, literals (`2.0`, `-1`), attribute chains on the module aliases (`_np.pi`,
`_np.float64`) and array metadata of a name (`x.shape`, `x.ndim`, `x.size`, `x.dtype`);
index expressions may be slices and tuples of atoms. After this pass every assignment's
value, `return` value, expression statement, `if` test, `while` test and `range(...)` of a
`for` loop is one operation (a call, arithmetic, a comparison, an index, an attribute, a
tuple or list of atoms) on atoms. Nested operations are bound to fresh, readable names.

Short-circuiting keeps Python's meaning: `a and b`, `a or b` and `x if c else y` become
`if` statements, so the right operand is evaluated only when Python would evaluate it, and
`and`/`or` give the operand's value, not a bool. A chained comparison whose later operands
are not atoms (`0 < x < f(y)`) becomes nested `if`s the same way. A `while` loop whose test
needs statements of its own becomes `while True:` + those statements + `if not cond: break`;
`continue` still re-evaluates the test. Every statement made here carries the line of the
user's statement it came from.
"""
import gast


from .base import assign, clone, fix_missing_locations, FunctionPass, hint_of, is_atom, load, located, names_read, walk


def _walks_boolop(node):
    return any(isinstance(n, gast.BoolOp) for n in walk(node))


class ANF(FunctionPass):
    name = "anf"
    description = "A-normal form: hoist nested operations into named temporaries; and/or/if-else -> if statements"

    def run(self):
        tree = self.ctx.tree  # the entry's defaults belong to the caller: left as they are
        tree.body = self._block(tree.body)
        fix_missing_locations(tree)
        return tree

    def _block(self, stmts):
        out = []
        for s in stmts:
            new = self.visit(s)
            out += new if isinstance(new, list) else [new]
        return out

    # -- statements ---------------------------------------------------------------------
    def visit_FunctionDef(self, node):
        pre = []  # defaults are evaluated where the `def` runs
        node.args.defaults = [self.atom(d, pre, node) for d in node.args.defaults]
        node.args.kw_defaults = [d if d is None else self.atom(d, pre, node) for d in node.args.kw_defaults]
        node.body = self._block(node.body)
        return pre + [node]

    def visit_Assign(self, node):
        pre = []
        target = node.targets[0]
        if isinstance(target, gast.Name) and isinstance(node.value, (gast.BoolOp, gast.IfExp, gast.Compare)):
            # Assign the branches straight to the target, unless an `and`/`or` (or a chained
            # comparison) would read the target after a first value was stored in it.
            value = node.value
            if isinstance(value, gast.Compare):
                if target.id not in names_read(value):
                    node.value = self.compare(value, pre, node, into=target.id)
                    return pre if node.value is None else pre + [node]
            elif target.id not in names_read(value) or not _walks_boolop(value):
                self._into(value, target.id, pre, node)
                return pre
        node.value = self.op(node.value, pre, node)
        if isinstance(target, gast.Subscript):
            if not isinstance(target.value, gast.Name):
                target.value = self.atom(target.value, pre, node)
            target.slice = self.index(target.slice, pre, node)
        return pre + [node]

    def visit_Return(self, node):
        pre = []
        if node.value is not None:
            node.value = self.op(node.value, pre, node)
        return pre + [node]

    def visit_Expr(self, node):
        if is_atom(node.value):
            return node  # a docstring or a bare name
        pre = []
        node.value = self.op(node.value, pre, node)
        # An `and`/`or` used as a statement leaves only its (unused) result name.
        return pre if is_atom(node.value) else pre + [node]

    def visit_If(self, node):
        pre = []
        node.test = self.op(node.test, pre, node)
        node.body = self._block(node.body)
        node.orelse = self._block(node.orelse)
        return pre + [node]

    def visit_While(self, node):
        pre = []
        test = self.op(node.test, pre, node)
        node.body = self._block(node.body)
        if not pre:
            node.test = test
            return node
        # The test needs statements: run them at the top of every iteration.
        if not is_atom(test):
            cond = self.ctx.namer.fresh("cond")
            pre.append(assign(cond, test, node))
            test = load(cond)
        negated = gast.UnaryOp(op=gast.Not(), operand=test)
        stop = located(gast.If(test=negated, body=[located(gast.Break(), node)], orelse=[]), node)
        node.test = located(gast.Constant(value=True, kind=None), node.test)
        node.body = pre + [stop] + node.body
        return node

    def visit_For(self, node):
        pre = []
        if isinstance(node.iter, gast.Call):  # `range(...)` after lower_for: atom bounds
            node.iter.args = [self.atom(a, pre, node) for a in node.iter.args]
        else:
            node.iter = self.atom(node.iter, pre, node)
        node.body = self._block(node.body)
        node.orelse = self._block(node.orelse)
        return pre + [node]

    def visit_Assert(self, node):
        pre = []
        node.test = self.op(node.test, pre, node)
        return pre + [node]

    def visit_Raise(self, node):
        return node  # numba wants `raise E("...")` as written

    # -- expressions -------------------------------------------------------------------
    def atom(self, e, pre, like):
        """`e` as an atom: nested operations go to `pre` as assignments to fresh names."""
        if is_atom(e):
            return e
        op = self.op(e, pre, like)
        if is_atom(op):
            return op
        name = self.ctx.namer.fresh(hint_of(op))
        pre.append(assign(name, op, like))
        return located(load(name), e)

    def operand(self, e, pre, like):
        """An element of a literal or an argument: an atom, or `*atom`."""
        if isinstance(e, gast.Starred):
            e.value = self.atom(e.value, pre, like)
            return e
        return self.atom(e, pre, like)

    def index(self, e, pre, like):
        """An index: slices and tuples of atoms may stay in place."""
        if isinstance(e, gast.Slice):
            for part in ("lower", "upper", "step"):
                p = getattr(e, part)
                if p is not None:
                    setattr(e, part, self.atom(p, pre, like))
            return e
        if isinstance(e, gast.Tuple):
            # A tuple inside an index tuple is an operand of its own: bind it to a name.
            e.elts = [self.atom(x, pre, like) if isinstance(x, gast.Tuple) else self.index(x, pre, like)
                      for x in e.elts]
            return e
        return self.atom(e, pre, like)

    def op(self, e, pre, like):
        """`e` as one operation whose operands are atoms (or as an atom)."""
        if is_atom(e):
            return e
        if isinstance(e, gast.BinOp):
            e.left = self.atom(e.left, pre, like)
            e.right = self.atom(e.right, pre, like)
        elif isinstance(e, gast.UnaryOp):
            e.operand = self.atom(e.operand, pre, like)
        elif isinstance(e, gast.Compare):
            return self.compare(e, pre, like)
        elif isinstance(e, gast.Call):
            e.func = self.callee(e.func, pre, like)
            e.args = [self.operand(a, pre, like) for a in e.args]
            for k in e.keywords:
                k.value = self.atom(k.value, pre, like)
        elif isinstance(e, gast.Subscript):
            e.value = self.atom(e.value, pre, like)
            e.slice = self.index(e.slice, pre, like)
        elif isinstance(e, gast.Attribute):
            e.value = self.atom(e.value, pre, like)
        elif isinstance(e, (gast.Tuple, gast.List)):
            e.elts = [self.operand(x, pre, like) for x in e.elts]
        elif isinstance(e, gast.Dict):
            for i, (k, v) in enumerate(zip(e.keys, e.values)):
                e.keys[i] = None if k is None else self.atom(k, pre, like)
                e.values[i] = self.atom(v, pre, like)
        elif isinstance(e, (gast.BoolOp, gast.IfExp)):
            name = self.ctx.namer.fresh(hint_of(e))
            self._into(e, name, pre, like)
            return located(load(name), e)
        return e

    def callee(self, func, pre, like):
        """The function being called stays as written (`_np.exp`, `f`, `x.sum`); only a
        method's receiver, or a computed function, is hoisted."""
        if isinstance(func, gast.Name) or is_atom(func):
            return func
        if isinstance(func, gast.Attribute):
            func.value = self.atom(func.value, pre, like)
            return func
        return self.atom(func, pre, like)

    def compare(self, e, pre, like, into=None):
        """A comparison of atoms; a chain whose later operands are not atoms becomes nested
        `if`s leaving the result in `into` (returns None) or a fresh name."""
        e.left = self.atom(e.left, pre, like)
        e.comparators[0] = self.atom(e.comparators[0], pre, like)
        if all(is_atom(c) for c in e.comparators[1:]):
            return e
        # `a < b < f(c)`: f(c) is evaluated only when a < b holds.
        name = into or self.ctx.namer.fresh(hint_of(e))
        right = e.comparators[0]
        first = gast.Compare(left=e.left, ops=e.ops[:1], comparators=[right])
        pre.append(assign(name, located(first, e), like))
        block = pre
        for op, c in zip(e.ops[1:], e.comparators[1:]):
            inner = []
            c = self.atom(c, inner, like)
            step = gast.Compare(left=clone(right), ops=[op], comparators=[c])
            inner.append(assign(name, located(step, e), like))
            block.append(located(gast.If(test=load(name), body=inner, orelse=[]), like))
            block, right = inner, c
        return None if into else located(load(name), e)

    def _into(self, e, name, block, like):
        """Statements that leave the value of `e` in `name`, short-circuiting like Python."""
        if isinstance(e, gast.BoolOp):
            self._into(e.values[0], name, block, like)
            for v in e.values[1:]:
                inner = []
                self._into(v, name, inner, like)
                test = load(name)
                if isinstance(e.op, gast.Or):
                    test = gast.UnaryOp(op=gast.Not(), operand=test)
                block.append(located(gast.If(test=test, body=inner, orelse=[]), like))
                block = inner
        elif isinstance(e, gast.IfExp):
            test = self.op(e.test, block, like)
            body, orelse = [], []
            self._into(e.body, name, body, like)
            self._into(e.orelse, name, orelse, like)
            block.append(located(gast.If(test=test, body=body, orelse=orelse), like))
        else:
            block.append(assign(name, self.op(e, block, like), like))
