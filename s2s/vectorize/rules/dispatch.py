"""How an expression of the per-example program finds its batched form: operators and
calls look up `BATCH_RULES` (NumPy/math/builtin functions by object, operators by gast
class, subscripts as `operator.getitem`), user helpers are batched recursively (one
specialization per batched-ness and ranks of their arguments), attributes (`x.shape`,
`x.ndim`, `x.size`) and containers (tuples, lists, dicts of known elements) are followed
here. `ExpressionBatching` is the expression half of array batching's function pass
(s2s/vectorize/array.py); each `e_<Node>` returns the rewritten node and its abstract value.
"""
import ast
import builtins
import math
import operator

import gast
import numpy

from ...diff import runtime as diff_runtime
from ...naming import MATH_ALIAS, NUMPY_ALIAS
from ...parse.base import attribute_path, located, walk
from .base import _MISSING as _NO
from .base import (BATCH_RULES, BOTTOM, Arr, CannotBatch, Cont, Operand, Other, Out, Site, bind, desc_of_value,
                   join, key_name)

_IMPURE_ROOTS = ("random",)
_IMPURE = {print, input, open}


def _parse(text, like):
    node = gast.parse(text).body[0]
    node = node.value if isinstance(node, gast.Expr) else node
    for n in walk(node):
        located(n, like)
    return node


def unparse(node):
    """Source text of an expression, parenthesized unless it is an atom."""
    text = ast.unparse(gast.gast_to_ast(node))
    if isinstance(node, (gast.Name, gast.Attribute, gast.Subscript, gast.Call)):
        return text
    if isinstance(node, gast.Constant) and not (isinstance(node.value, (int, float, complex)) and text.startswith("-")):
        return text
    return f"({text})"


def _const_value(node):
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
            and isinstance(node.operand.value, (int, float)):
        return -node.operand.value
    if isinstance(node, gast.Tuple):
        values = [_const_value(e) for e in node.elts]
        if all(v is not _NO for v in values):
            return tuple(values)
    return _NO


class ExpressionBatching:
    """The expression methods of `FunctionBatching` (which provides `b`, the program's
    batcher, `locals`, `batched_vars`, `current`, `fail`)."""

    # -- expressions -------------------------------------------------------------------
    def expr(self, node, env):
        """(rewritten node, abstract value)."""
        method = getattr(self, f"e_{type(node).__name__}", None)
        if method is None:
            self.fail(f"the expression {type(node).__name__}", node)
        return method(node, env)

    def operand(self, node, env):
        items = None
        if isinstance(node, (gast.Tuple, gast.List)):
            items = [self.operand(e, env) for e in node.elts]
        new, d = self.expr(node, env)
        value = _const_value(node)
        if value is _NO and isinstance(node, gast.Name) and node.id in self.literals:
            value = self.literals[node.id]
        if value is _NO and isinstance(node, gast.Name) and node.id in self.b.program.constants:
            v = self.b.program.constants[node.id]
            value = v if isinstance(v, (int, float, str, tuple)) else _NO
        return Operand(unparse(new), d, value, items)

    def batch_template(self, template, ops, like):
        """(Out) `template` with its `{name}` placeholders bound to the operands `ops`,
        batched by the rules of the operations it uses."""
        env, names = {}, {}
        for k, op in ops.items():
            if getattr(op, "is_const", False):
                names[k] = op.text
                continue
            names[k] = op.text if op.text.isidentifier() else self.let(op.text, k, like)
            env[names[k]] = op.desc
        new, d = self.expr(_parse(template.format(**names), like), env)
        return Out(unparse(new), d)

    def e_Constant(self, node, env):
        v = node.value
        if isinstance(v, (bool, int, float, complex)):
            return node, desc_of_value(v)
        return node, Other(v)

    def e_Name(self, node, env):
        name = node.id
        if name in env:
            d = env[name]
            if isinstance(d, Arr) and name in self.batched_vars and not d.batched:
                d = d.but(batched=True)
            return node, d
        if name in self.locals:
            return node, BOTTOM
        if name in self.b.program.constants:
            return node, desc_of_value(self.b.program.constants[name])
        return node, Other(self.b.functions.get(name) or getattr(builtins, name, None))

    def e_Attribute(self, node, env):
        path = attribute_path(node)
        if path and path.split(".")[0] in (NUMPY_ALIAS, MATH_ALIAS):
            obj = self._module_attr(path)
            if isinstance(obj, (int, float)):
                return node, desc_of_value(obj)
            return node, Other(obj)
        value, vd = self.expr(node.value, env)
        new = located(gast.Attribute(value=value, attr=node.attr, ctx=node.ctx), node)
        if isinstance(vd, Arr) and node.attr in ("shape", "ndim", "size"):  # as np.shape(x), ...
            res = self._rule(getattr(numpy, node.attr), node, [Operand(unparse(value), vd)], {}, f".{node.attr}")
            return (new if res.text is None else _parse(res.text, node)), res.desc
        if vd.batched and not (isinstance(vd, Arr) and node.attr == "dtype"):
            self.fail(f"the attribute .{node.attr} of a mapped value", node)
        return new, Other()

    def _module_attr(self, path):
        parts = path.split(".")
        obj = numpy if parts[0] == NUMPY_ALIAS else math
        for p in parts[1:]:
            obj = getattr(obj, p, None)
        return obj

    def e_Subscript(self, node, env):
        v = node.value
        if isinstance(v, gast.Attribute) and v.attr == "shape":
            base, bd = self.expr(v.value, env)
            k = _const_value(node.slice)
            if isinstance(bd, Arr) and bd.batched and isinstance(k, int):
                return _parse(f"{unparse(base)}.shape[{k + 1 if k >= 0 else k}]", node), Arr(False, 0, "i")
        value, vd = self.expr(v, env)
        if isinstance(vd, (Cont, Other)) or vd is BOTTOM:
            parts = self.index_parts(node.slice, env)
            if any(p.batched for p in parts):
                self.fail("indexing a container with a mapped index", node)
            new = located(gast.Subscript(value=value, slice=self._slice_node(parts, node.slice), ctx=node.ctx), node)
            k = _const_value(node.slice)
            if isinstance(vd, Cont):
                if k is not _NO and vd.item(k) is not None:
                    return new, vd.item(k)
                if isinstance(node.slice, gast.Slice) and vd.kind != "dict":
                    sl = slice(*[_const_value(e) if e is not None else None
                                 for e in (node.slice.lower, node.slice.upper, node.slice.step)])
                    if _NO not in (sl.start, sl.stop, sl.step):
                        return new, Cont(vd.kind, range(len(vd.items[sl])), vd.items[sl])
                if vd.batched:
                    self.fail("indexing a container holding mapped values with a computed index", node)
            return new, (BOTTOM if vd is BOTTOM else Other())
        parts = self.index_parts(node.slice, env)
        ops = [Operand(unparse(value), vd)] + parts
        site = Site(self, node, "indexing", ops)
        res = bind(BATCH_RULES[operator.getitem], site, ops, {})
        if res.text is None:
            return located(gast.Subscript(value=value, slice=self._slice_node(parts, node.slice), ctx=node.ctx),
                           node), res.desc
        return _parse(res.text, node), res.desc

    def index_parts(self, sl, env):
        parts = []
        for e in (sl.elts if isinstance(sl, gast.Tuple) else [sl]):
            if isinstance(e, gast.Slice):
                bounds = [None if b is None else self.expr(b, env) for b in (e.lower, e.upper, e.step)]
                new = gast.Slice(*[None if b is None else b[0] for b in bounds])
                batched = any(b is not None and b[1].batched for b in bounds)
                text = ast.unparse(gast.gast_to_ast(gast.Subscript(value=gast.Name("a", gast.Load(), None, None),
                                                                   slice=new, ctx=gast.Load())))[2:-1]
                parts.append(Operand(text, Arr(batched, None), role="slice"))
            elif isinstance(e, gast.Constant) and e.value is None:
                parts.append(Operand("None", Other(None), None, role="newaxis"))
            elif isinstance(e, gast.Constant) and e.value is Ellipsis:
                parts.append(Operand("...", Other(Ellipsis), Ellipsis, role="ellipsis"))
            else:
                parts.append(self.operand(e, env))
        return parts

    def _slice_node(self, parts, original):
        text = ", ".join(p.text for p in parts)
        if len(parts) == 1 and not isinstance(original, gast.Tuple):
            return _parse(f"a[{text}]", original).slice
        return _parse(f"a[{text},]", original).slice

    def _rule(self, key, node, operands, keywords, name, func_text=None):
        rule = BATCH_RULES.get(key)
        site = Site(self, node, name, operands + list(keywords.values()), func_text)
        if any(o.desc is BOTTOM for o in site.operands):  # not assigned yet (a loop's first pass)
            return Out(None, BOTTOM)
        if rule is None:
            if site.batched:
                self.fail(f"{name} has no batch rule", node, name)
            return None
        try:
            return bind(rule, site, operands, keywords)
        except CannotBatch:
            if site.batched:
                raise
            return None

    def _op(self, node, env, key, operands, name, rebuild):
        ops = [self.operand(o, env) for o in operands]
        res = self._rule(key, node, ops, {}, name)
        if res is None or res.text is None:
            new = located(rebuild([_parse(o.text, node) for o in ops]), node)
            return new, (res.desc if res is not None else Arr(False, None))
        return _parse(res.text, node), res.desc

    def e_BinOp(self, node, env):
        return self._op(node, env, type(node.op), [node.left, node.right], type(node.op).__name__,
                        lambda a: gast.BinOp(left=a[0], op=node.op, right=a[1]))

    def e_UnaryOp(self, node, env):
        return self._op(node, env, type(node.op), [node.operand], type(node.op).__name__,
                        lambda a: gast.UnaryOp(op=node.op, operand=a[0]))

    def e_Compare(self, node, env):
        if len(node.ops) != 1:
            ops = [self.expr(e, env)[1] for e in [node.left] + node.comparators]
            if any(d.batched for d in ops):
                self.fail("a chained comparison of mapped values", node)
            return node, Arr(False, 0, "b")
        return self._op(node, env, type(node.ops[0]), [node.left, node.comparators[0]], type(node.ops[0]).__name__,
                        lambda a: gast.Compare(left=a[0], ops=node.ops, comparators=[a[1]]))

    def e_BoolOp(self, node, env):
        values = [self.expr(v, env) for v in node.values]
        if any(d.batched for _, d in values):
            self.fail("`and`/`or` of mapped values", node, "and/or on a mapped value")
        return located(gast.BoolOp(op=node.op, values=[v for v, _ in values]), node), Arr(False, None)

    def e_IfExp(self, node, env):
        test, td = self.expr(node.test, env)
        saved, self.current = self.current, []
        a, ad = self.expr(node.body, env)
        b, bd = self.expr(node.orelse, env)
        lets, self.current = self.current, saved
        if td.batched or lets or ad.batched != bd.batched:
            self.fail("a conditional expression on a mapped value", node, "conditional expression")
        return located(gast.IfExp(test=test, body=a, orelse=b), node), join(ad, bd)

    def _seq(self, node, env):
        items = [self.expr(e, env) for e in node.elts]
        descs = [d for _, d in items]
        nodes = [n for n, _ in items]
        ndims = {None if not isinstance(d, Arr) or d.rank is None else d.rank + d.batched for d in descs}
        if isinstance(node, gast.List) and any(d.batched for d in descs) and len(ndims) > 1:
            # numba lists hold one type: batched and unbatched items of different ndim
            site = Site(self, node, "list", [])
            nodes = [n if d.batched or not isinstance(d, Arr) else _parse(site.bcast(Operand(unparse(n), d)), node)
                     for n, d in items]
            descs = [d.but(batched=True, view=False) if isinstance(d, Arr) else d for d in descs]
        new = located(type(node)(elts=nodes, ctx=node.ctx), node)
        return new, Cont("list" if isinstance(node, gast.List) else "tuple", range(len(descs)), descs)

    e_Tuple = e_List = _seq

    def e_Dict(self, node, env):
        keys = [_const_value(k) if k is not None else _NO for k in node.keys]
        values = [self.expr(v, env) for v in node.values]
        new = located(gast.Dict(keys=node.keys, values=[v for v, _ in values]), node)
        if _NO in keys:
            if any(d.batched for _, d in values):
                self.fail("a dict with computed keys holding mapped values", node)
            return new, Other()
        return new, Cont("dict", keys, [d for _, d in values])

    def e_JoinedStr(self, node, env):
        if any(self.expr(v.value, env)[1].batched for v in node.values if isinstance(v, gast.FormattedValue)):
            self.fail("formatting a mapped value", node)
        return node, Other()

    # -- calls ---------------------------------------------------------------------------
    def callee(self, func):
        """(kind, object): 'numpy'/'math'/'builtin'/'constant' with the function object,
        'user' with its FunctionContext, 'method' with None, or 'unknown'."""
        path = attribute_path(func)
        if path and path.split(".")[0] in (NUMPY_ALIAS, MATH_ALIAS):
            return "library", self._module_attr(path)
        if isinstance(func, gast.Name):
            name = func.id
            if name in self.locals:
                return "unknown", None
            if name in self.b.functions:
                return "user", self.b.functions[name]
            if name in self.b.program.constants:
                return "constant", self.b.program.constants[name]
            return "builtin", getattr(builtins, name, None)
        if isinstance(func, gast.Attribute):
            return "method", None
        return "unknown", None

    def e_Call(self, node, env):
        kind, target = self.callee(node.func)
        if any(isinstance(a, gast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            self.fail("a call with *args or **kwargs", node)
        args = [self.operand(a, env) for a in node.args]
        kws = {k.arg: self.operand(k.value, env) for k in node.keywords}
        batched = any(o.batched for o in args + list(kws.values()))
        if kind == "method":
            recv = self.expr(node.func.value, env)[1]
            if batched or recv.batched:
                self.fail(f"the method .{node.func.attr}() on or of a mapped value", node, f".{node.func.attr}()")
        if target in _IMPURE or (kind == "library" and any(
                r in (getattr(target, "__module__", "") or "").split(".") for r in _IMPURE_ROOTS)):
            what = unparse(node.func).replace(f"{NUMPY_ALIAS}.", "np.")
            exc = CannotBatch(f"{what} (different results per example)", node, what)
            exc.fatal = True
            raise exc
        func = self.expr(node.func, env)[0] if kind == "method" else node.func

        def rebuilt(fn=func):
            keywords = [gast.keyword(arg=k, value=_parse(v.text, node)) for k, v in kws.items()]
            return located(gast.Call(func=fn, args=[_parse(a.text, node) for a in args], keywords=keywords), node)
        if kind == "user":
            return self.user_call(node, target, args, kws, rebuilt)
        if target is diff_runtime.add_at and args and batched and not args[0].batched and \
                isinstance(node.args[0], gast.Name):  # accumulating batched values: `a` is batched
            name = node.args[0].id
            if name in self.param_names and not self.params[name].batched:
                self.fail(f"an in-place accumulation of mapped values into the unmapped argument {name!r}", node)
            self.batched_vars.add(name)  # another round, `a` batched from its assignment on
            return rebuilt(), Arr(True, None)
        try:
            hash(target)
        except TypeError:
            target = None
        res = self._rule(target, node, args, kws, key_name(target), unparse(node.func)) if target is not None else None
        if res is None and batched:
            self.fail(f"{unparse(node.func)} has no batch rule", node, unparse(node.func))
        if res is None or res.text is None:
            return rebuilt(), (res.desc if res is not None else Arr(False, None))
        return _parse(res.text, node), res.desc

    def user_call(self, node, ctx, args, kws, rebuilt):
        a = ctx.tree.args
        names = [p.id for p in a.posonlyargs + a.args]
        defaults = dict(zip(names[len(names) - len(a.defaults):], a.defaults))
        bound = dict(zip(names, args))
        for k, v in kws.items():
            if k not in names or k in bound:
                self.fail(f"a call of {ctx.name} with keyword {k!r}", node)
            bound[k] = v
        descs = {}
        for p in names:
            if p in bound:
                descs[p] = bound[p].desc
            elif p in defaults:
                descs[p] = self.expr(defaults[p], {})[1]
            else:
                self.fail(f"a call of {ctx.name} without argument {p!r}", node)
        if any(d is BOTTOM for d in descs.values()):  # not assigned yet (a loop's first pass)
            return rebuilt(), BOTTOM
        name, ret = self.b.specialize(ctx, descs, node)
        return rebuilt(located(gast.Name(name, gast.Load(), None, None), node.func)), ret


