"""Desugaring: augmented and annotated assignments, and named lambdas, in plain form.

>>> from s2s.parse.debug import show
>>> print(show('''
... def f(a, x, i):
...     y: float = 1.0
...     y *= x
...     a[i + 1] += y
...     sq = lambda v: v * v
...     return sq(y)
... ''', upto="desugar"))
import numpy as _np
import math as _math
<BLANKLINE>
<BLANKLINE>
def f(a, x, i):
    y = 1.0
    y = y * x
    i_plus_1 = i + 1
    a[i_plus_1] = a[i_plus_1] + y
<BLANKLINE>
    def sq(v):
        return v * v
    return sq(y)

`x op= y` becomes `x = x op y` for every operator. On a plain name this *rebinds* `x`
(JAX semantics): an array that `x` aliased is not modified in place, so code that relies
on `b = a; a += 1` also changing `b` sees a different result. On a subscript
(`a[k] += v`) the store still writes into `a`; the index (and the container, when it is
not a plain name) is evaluated once, into a fresh temporary, as Python does. Note that
`lst += [v]` on a Python list also rebinds (a new list) instead of extending in place.

NumPy's index tricks build arrays: `np.r_[a, b, 0:3]` becomes `np.concatenate((np.atleast_1d(a),
np.atleast_1d(b), np.arange(0, 3, 1)), axis=0)`, `np.c_[a, b]` the same along the last axis with
each item made a column (`np.column_stack((a,))`); string directives are refused.

A list literal used as an index (`x[[0, 2, 2]]`, `x[[0, 1], [2, 0]]`) becomes the integer or
boolean array NumPy makes of it (`x[_np.array([0, 2, 2])]`): the same selection, in a form
numba compiles and the derivative rules of array indices handle. Reading through an open
mesh, `x[np.ix_(rows, cols)]`, becomes one index array per axis in turn, `x[rows][:, cols]`
(the same submatrix; numba takes one index array at a time).

Ufunc methods that are NumPy functions become them (`np.add.reduce(x)` -> `np.sum(x, 0)`,
`np.multiply.accumulate` -> `np.cumprod`...); `complex(re, im)` becomes `re + 1j * im`; reading
`x.flat[i]` becomes `np.ravel(x)[i]`.

The builtin `max(a, b, c, ...)` / `min(...)` of more than two arguments becomes nested
two-argument calls (`max(max(a, b), c)`: the same value, and the form the derivative rules take).
`dict(a=x, b=y)` becomes the literal `{'a': x, 'b': y}` (a pytree of known keys), and so do
`dict({'a': x}, b=y)` and `dict([('a', x), ('b', y)])`.
`max([a, b, c])` of a literal is `max(a, b, c)`. `map(f, xs, ys)` and `filter(pred, xs)` become
the generator expressions they stand for (`(f(x, y) for x, y in zip(xs, ys))`, `(x for x in
xs if pred(x))`), a lambda's body inlined (`map(lambda v: v * v, xs)` -> `(v * v for v in
xs)`): a lambda is accepted there, as an argument of map/filter, and as `name = lambda`.

A list literal of numbers given to NumPy as axes or a pad width (`np.tensordot(a, b, axes=([0],
[1]))`, `np.pad(x, [(1, 2)])`, `np.sum(x, axis=[0, 1])`) becomes the tuple literal: the same
value to NumPy, and under numba a tuple's length is part of its type (the result's number of
dimensions depends on it).

An f-string message of an `assert` or of a raised exception (`raise ValueError(f"bad {n}")`)
becomes its constant text, the replacement fields as written (`"bad {n}"`): numba raises only
constant messages, and the check itself is kept.

`x: T = v` becomes `x = v` (the annotation is not checked at run time anyway).
`name = lambda args: expr` becomes a nested `def name(args): return expr`; a lambda passed to
a helper (resolve makes the helper for it) or written into np.piecewise, lax.switch or
sorted(key=...) (parse/macros.py) is gone by now; any other lambda is rejected.
"""
import ast

import gast


from ..naming import NUMPY_ALIAS
from .base import (
    assign,
    attribute_path,
    clone,
    dotted,
    fix_missing_locations,
    function_locals,
    FunctionPass,
    hint_of,
    is_atom,
    is_atomic_index,
    load,
    located,
    store,
    walk,
)

# NumPy functions' arguments that are axes or pad widths: {name: (position, keyword)}.
_SHAPE_ARGUMENTS = {
    "tensordot": (2, "axes"),
    "pad": (1, "pad_width"),
    "transpose": (1, "axes"),
    "moveaxis": (1, "source"),
}
_AXIS_KEYWORDS = ("axis", "axes", "source", "destination")
# ufunc methods that are NumPy functions: {"add.reduce": "sum", ...} (their default axis is 0)
_UFUNC_METHODS = {"add.reduce": "sum", "multiply.reduce": "prod", "maximum.reduce": "max", "minimum.reduce": "min",
                  "logical_and.reduce": "all", "logical_or.reduce": "any",
                  "add.accumulate": "cumsum", "multiply.accumulate": "cumprod"}


class Desugar(FunctionPass):
    name = "desugar"
    description = ("x += y -> x = x + y (index evaluated once), drop annotations, named lambdas -> def, "
                   "list indices -> arrays, max(a, b, c) -> max(max(a, b), c), dict(k=v) -> {'k': v}")

    def visit_AugAssign(self, node):
        target = node.target
        value = self.visit(node.value)
        pre = []
        if isinstance(target, gast.Name):
            read, write = load(target.id), store(target.id)
        elif isinstance(target, gast.Subscript):
            container = self.visit(target.value)
            if not isinstance(container, gast.Name):
                container = self._hoist(container, hint_of(container), node, pre)
            index = self._index(self.visit(target.slice), node, pre)
            read = gast.Subscript(value=container, slice=index, ctx=gast.Load())
            write = gast.Subscript(value=clone(container), slice=clone(index), ctx=gast.Store())
        else:  # attributes are rejected by the fence
            raise self.ctx.error(node, "augmented assignment to this target is not supported", "augmented assignment")
        for n in (read, write):
            located(n, target)
        new = gast.BinOp(left=read, op=node.op, right=value)
        located(new, node)
        return pre + [assign(write, new, node)]

    def _hoist(self, expr, hint, like, pre):
        name = self.ctx.namer.fresh(hint)
        pre.append(assign(name, expr, like))
        return located(load(name), expr)

    def _index(self, index, like, pre):
        """The index with every non-atomic part bound to a temporary (evaluated once)."""
        if is_atomic_index(index):
            return index
        if isinstance(index, gast.Tuple):
            index.elts = [self._index(e, like, pre) for e in index.elts]
            return index
        if isinstance(index, gast.Slice):
            for part in ("lower", "upper", "step"):
                p = getattr(index, part)
                if p is not None and not is_atom(p):
                    setattr(index, part, self._hoist(p, hint_of(p), like, pre))
            return index
        return self._hoist(index, hint_of(index), like, pre)

    def _builtin(self, f, *names):
        return (isinstance(f, gast.Name) and f.id in names and f.id not in self.ctx.program.constants
                and f.id not in function_locals(self.ctx.tree))

    def _map_filter(self, node):
        """`map(f, xs, ...)` / `filter(pred, xs)` as the generator expression they stand for
        (a lambda's body inlined), or None."""
        if node.keywords or len(node.args) < 2 or any(isinstance(a, gast.Starred) for a in node.args):
            return None
        fn, seqs = node.args[0], node.args[1:]
        is_map = node.func.id == "map"
        if not is_map and len(seqs) != 1:
            return None
        if isinstance(fn, gast.Lambda):
            a = fn.args
            params = [p.id for p in a.posonlyargs + a.args]
            if a.vararg or a.kwarg or a.kwonlyargs or a.defaults or len(params) != len(seqs):
                return None
            value = fn.body
        elif is_map or not (isinstance(fn, gast.Constant) and fn.value is None):
            params = [self.ctx.namer.fresh("item") for _ in seqs]
            value = gast.Call(func=fn, args=[load(p) for p in params], keywords=[])
        else:
            return None
        names = [gast.Name(id=p, ctx=gast.Store(), annotation=None, type_comment=None) for p in params]
        target = names[0] if len(names) == 1 else gast.Tuple(elts=names, ctx=gast.Store())
        it = seqs[0] if len(seqs) == 1 else gast.Call(func=load("zip"), args=seqs, keywords=[])
        elt = value if is_map else load(params[0])
        ifs = [] if is_map else [value]
        gen = gast.comprehension(target=target, iter=it, ifs=ifs, is_async=0)
        return fix_missing_locations(located(gast.GeneratorExp(elt=elt, generators=[gen]), node))

    def visit_Call(self, node):
        if self._builtin(node.func, "map", "filter"):
            gen = self._map_filter(node)
            if gen is not None:
                return self.visit(gen)
        self._called_lambda(node)
        f = node.func
        if self._builtin(f, "max", "min") and len(node.args) == 1 and not node.keywords \
                and isinstance(node.args[0], (gast.List, gast.Tuple)) and len(node.args[0].elts) >= 2 \
                and not any(isinstance(e, gast.Starred) for e in node.args[0].elts):
            node.args = list(node.args[0].elts)  # max([a, b, c]) == max(a, b, c)
        node = self.generic_visit(node)
        self._shape_tuples(node)
        f = node.func
        if (isinstance(f, gast.Name) and f.id in ("max", "min") and len(node.args) > 2 and not node.keywords
                and not any(isinstance(a, gast.Starred) for a in node.args)
                and f.id not in self.ctx.program.constants and f.id not in function_locals(self.ctx.tree)):
            # max(a, b, c) == max(max(a, b), c), the first of equal maxima kept as Python does
            nested = node.args[0]
            for a in node.args[1:]:
                nested = located(gast.Call(func=load(f.id), args=[nested, a], keywords=[]), node)
            return nested
        ufunc_method = self._ufunc_method(node)
        if ufunc_method is not None:
            return ufunc_method
        if self._builtin(f, "complex") and len(node.args) == 2 and not node.keywords:
            # complex(re, im) == re + 1j * im: arithmetic the derivative rules take
            imag = gast.BinOp(left=gast.Constant(value=1j, kind=None), op=gast.Mult(), right=node.args[1])
            new = gast.BinOp(left=node.args[0], op=gast.Add(), right=imag)
            for n in walk(new):
                located(n, node)
            return new
        if (isinstance(f, gast.Name) and f.id == "dict" and len(node.args) <= 1
                and all(k.arg is not None for k in node.keywords)
                and f.id not in self.ctx.program.constants and f.id not in function_locals(self.ctx.tree)):
            # dict(a=x, b=y) == {'a': x, 'b': y}: a pytree of known keys; so are
            # dict({'a': x}, b=y) and dict([('a', x)], b=y) (pairs written out)
            pairs = _literal_pairs(node.args[0]) if node.args else []
            if pairs is not None:
                pairs += [(located(gast.Constant(value=k.arg, kind=None), node), k.value) for k in node.keywords]
                return located(gast.Dict(keys=[k for k, _ in pairs], values=[v for _, v in pairs]), node)
        return node

    def _ufunc_method(self, node):
        """np.add.reduce(x, axis) -> np.sum(x, axis), and likewise np.multiply.reduce (prod),
        np.maximum/minimum.reduce (max/min), np.add/multiply.accumulate (cumsum/cumprod);
        None for anything else."""
        path = attribute_path(node.func)
        target = _UFUNC_METHODS.get(path[len(NUMPY_ALIAS) + 1:]) if path and path.startswith(NUMPY_ALIAS + ".") else None
        if target is None or not node.args or len(node.args) > 2 or any(
                k.arg not in ("axis", "keepdims") for k in node.keywords):
            return None
        args = list(node.args)
        if len(args) == 1 and not any(k.arg == "axis" for k in node.keywords):
            args.append(gast.Constant(value=0, kind=None))  # ufunc.reduce's default axis is 0
        new = gast.Call(func=dotted(f"{NUMPY_ALIAS}.{target}"), args=args, keywords=node.keywords)
        for n in walk(new):
            if not hasattr(n, "lineno"):
                located(n, node)
        return located(new, node)

    def _shape_tuples(self, node):
        """Axes and pad widths given to NumPy as list literals of numbers -> tuple literals."""
        path = attribute_path(node.func)
        if path is None or path.split(".")[0] != NUMPY_ALIAS:
            return
        name = path.split(".")[-1]
        pos, kw = _SHAPE_ARGUMENTS.get(name, (None, None))
        if pos is not None and pos < len(node.args):
            node.args[pos] = _as_tuple(node.args[pos])
        if name == "moveaxis" and len(node.args) > 2:
            node.args[2] = _as_tuple(node.args[2])
        for k in node.keywords:
            if k.arg == kw or k.arg in _AXIS_KEYWORDS:
                k.value = _as_tuple(k.value)

    def visit_Subscript(self, node):
        node = self.generic_visit(node)
        if isinstance(node.value, gast.Attribute) and node.value.attr == "flat" and isinstance(node.ctx, gast.Load):
            # x.flat[i] reads np.ravel(x)[i]
            node.value = located(gast.Call(func=dotted(f"{NUMPY_ALIAS}.ravel"), args=[node.value.value], keywords=[]),
                                 node.value)
            fix_missing_locations(node.value)
        concatenator = attribute_path(node.value)
        if concatenator in (f"{NUMPY_ALIAS}.r_", f"{NUMPY_ALIAS}.c_") and isinstance(node.ctx, gast.Load):
            return self._index_trick(node, concatenator.endswith("c_"))
        if isinstance(node.slice, gast.Call) and attribute_path(node.slice.func) == f"{NUMPY_ALIAS}.ix_" \
                and isinstance(node.ctx, gast.Load) and node.slice.args and not node.slice.keywords \
                and not any(isinstance(a, gast.Starred) for a in node.slice.args):
            return self._open_mesh(node)
        index = node.slice
        if isinstance(index, gast.List):
            node.slice = self._as_array(index)
        elif isinstance(index, gast.Tuple):
            index.elts = [self._as_array(e) if isinstance(e, gast.List) else e for e in index.elts]
        return node

    @staticmethod
    def _open_mesh(node):
        """x[np.ix_(a, b, c)] -> x[a][:, b][:, :, c]: one index array per axis in turn (the same
        elements; numba indexes with one array at a time, and each step is a gather whose
        derivative is known)."""
        out = node.value
        for k, index in enumerate(node.slice.args):
            if k:
                index = gast.Tuple(elts=[gast.Slice(lower=None, upper=None, step=None) for _ in range(k)] + [index],
                                   ctx=gast.Load())
            out = located(gast.Subscript(value=out, slice=index, ctx=gast.Load()), node)
        fix_missing_locations(out)
        return out

    def _index_trick(self, node, columns):
        """np.r_[a, b, 1:4] -> np.concatenate((np.atleast_1d(a), np.atleast_1d(b), np.arange(1, 4)));
        np.c_[a, b] -> the same along the last axis, each item a column first (np.column_stack of it)."""
        items = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
        parts = []
        for item in items:
            if isinstance(item, gast.Constant) and isinstance(item.value, str):
                raise self.ctx.error(node, "np.r_/np.c_ with a string directive is not supported; use np.concatenate",
                                     "np.r_ directive")
            if isinstance(item, gast.Slice):
                if isinstance(item.step, gast.Constant) and isinstance(item.step.value, complex) or item.upper is None:
                    raise self.ctx.error(node, "np.r_/np.c_ of a slice needs a stop and a real step; use np.arange or "
                                         "np.linspace", "np.r_ slice")
                bounds = [item.lower or gast.Constant(value=0, kind=None), item.upper,
                          item.step or gast.Constant(value=1, kind=None)]
                part = gast.Call(func=dotted(f"{NUMPY_ALIAS}.arange"), args=bounds, keywords=[])
            else:
                part = gast.Call(func=dotted(f"{NUMPY_ALIAS}.atleast_1d"), args=[item], keywords=[])
            if columns:
                part = gast.Call(func=dotted(f"{NUMPY_ALIAS}.column_stack"),
                                 args=[gast.Tuple(elts=[part], ctx=gast.Load())], keywords=[])
            parts.append(part)
        axis = gast.Constant(value=-1 if columns else 0, kind=None)
        new = gast.Call(func=dotted(f"{NUMPY_ALIAS}.concatenate"), args=[gast.Tuple(elts=parts, ctx=gast.Load())],
                        keywords=[gast.keyword(arg="axis", value=axis)])
        for n in walk(new):
            if not hasattr(n, "lineno"):
                located(n, node)
        return fix_missing_locations(located(new, node))

    @staticmethod
    def _as_array(lst):
        fn = gast.Attribute(value=load(NUMPY_ALIAS), attr="array", ctx=gast.Load())
        return located(gast.Call(func=located(fn, lst), args=[lst], keywords=[]), lst)

    def visit_Assert(self, node):
        node = self.generic_visit(node)
        node.msg = _constant_text(node.msg)
        return node

    def visit_Raise(self, node):
        node = self.generic_visit(node)
        if isinstance(node.exc, gast.Call):
            node.exc.args = [_constant_text(a) for a in node.exc.args]
        return node

    def visit_AnnAssign(self, node):
        new = assign(node.target, node.value, node)
        return self.visit_Assign(new)

    def visit_Assign(self, node):
        if len(node.targets) == 1 and isinstance(node.targets[0], gast.Name) and isinstance(node.value, gast.Lambda):
            return self._lambda_def(node.targets[0].id, node.value, node)
        return self.generic_visit(node)

    def _lambda_def(self, name, lam, like):
        ret = located(gast.Return(value=lam.body), like)
        fn = gast.FunctionDef(
            name=name,
            args=lam.args,
            body=[ret],
            decorator_list=[],
            returns=None,
            type_comment=None,
            type_params=[],
        )
        located(fn, like)
        return self.visit(fn)

    _hoisted = None  # the statement being visited: defs of the lambdas it calls at once
    _top = None  # the function being visited: those defs that can go first in its body
    _nested = frozenset()

    def visit(self, node):
        if isinstance(node, gast.FunctionDef):
            outer, self._top = self._top, []
            try:
                result = super().visit(node)
                top = self._top
            finally:
                self._top = outer
            if top and isinstance(result, gast.FunctionDef):
                result.body = top + result.body
            return result
        if not isinstance(node, gast.stmt):
            return super().visit(node)
        outer = self._hoisted, self._nested
        self._hoisted, self._nested = [], _calls_in_scopes(node)
        try:
            result = super().visit(node)
            hoisted = self._hoisted
        finally:
            self._hoisted, self._nested = outer
        return hoisted + _listed(result) if hoisted else result

    def _called_lambda(self, node):
        if isinstance(node.func, gast.Lambda) and self._hoisted is not None and id(node) not in self._nested:
            # (lambda v: ...)(x): the lambda as a def, called by name. It reads its free
            # variables when called, as the lambda would, so it goes first in the function
            # (a def in a loop or branch cannot be differentiated), unless a default value
            # must be computed where the lambda is: then just before the statement.
            name = self.ctx.namer.fresh("lambda_")
            defaults = node.func.args.defaults + [d for d in node.func.args.kw_defaults if d is not None]
            first = self._top is not None and all(isinstance(d, gast.Constant) for d in defaults)
            (self._top if first else self._hoisted).extend(_listed(self._lambda_def(name, node.func, node)))
            node.func = located(load(name), node)

    def visit_Lambda(self, node):
        raise self.ctx.error(
            node,
            "a lambda is only supported as `name = lambda ...: ...` on its own line or called where it is "
            "written; use a nested `def` instead",
            "lambda",
        )


def _listed(result):
    return result if isinstance(result, list) else [result]


def _calls_in_scopes(stmt):
    """ids of the calls of a lambda in `stmt` that sit inside a comprehension or another
    lambda: they read that scope's variables, so they stay where they are (refused)."""
    out = set()
    for n in walk(stmt):
        if isinstance(n, (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)):
            out.update(id(c) for c in walk(n) if c is not n and isinstance(c, gast.Call)
                       and isinstance(c.func, gast.Lambda))
    return frozenset(out)



def _numbers(node):
    """True for a (possibly negated) number, or a list/tuple display of them."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        node = node.operand
    if isinstance(node, gast.Constant):
        return type(node.value) in (int, float)
    return isinstance(node, (gast.List, gast.Tuple)) and all(_numbers(e) for e in node.elts)


def _as_tuple(node):
    """A list display of numbers (nested too) as the tuple display; anything else unchanged."""
    if not isinstance(node, (gast.List, gast.Tuple)) or not _numbers(node):
        return node
    return located(gast.Tuple(elts=[_as_tuple(e) for e in node.elts], ctx=gast.Load()), node)


def _constant_text(node):
    """An f-string as the constant string of its text (fields as written); else unchanged."""
    if not isinstance(node, gast.JoinedStr):
        return node
    parts = []
    for v in node.values:
        if isinstance(v, gast.Constant):
            parts.append(str(v.value))
        else:  # a FormattedValue
            parts.append("{" + ast.unparse(gast.gast_to_ast(v.value)) + "}")
    return located(gast.Constant(value="".join(parts), kind=None), node)


def _literal_pairs(arg):
    """The (key, value) nodes of a dict literal or of a list/tuple literal of 2-tuples with
    constant keys (dict()'s positional argument); None for anything else."""
    if isinstance(arg, gast.Dict) and all(k is not None for k in arg.keys):
        return list(zip(arg.keys, arg.values))
    if isinstance(arg, (gast.List, gast.Tuple)) and all(
            isinstance(e, gast.Tuple) and len(e.elts) == 2 and isinstance(e.elts[0], gast.Constant) for e in arg.elts):
        return [tuple(e.elts) for e in arg.elts]
    return None
