"""Local names bound once to a transformation of a function, read where they are called.

    def hvp(x, v):                         def hvp(x, v):
        df = s2s.grad(fun)          ->         return np.sin(np.dot(v, s2s.grad(fun)(x)))
        return np.sin(np.dot(v, df(x)))

Inside transformed code a function value must be known when the code is transformed
(resolve.py makes `s2s.grad(fun)(x)` a call of fun's generated gradient). A local bound
once, at the top of the function body, to such an expression -- a call of an s2s
transformation, or an alias `f = np.sin`, that reads no local variable (but in the body of a
lambda it passes: `g = s2s.checkpoint(lambda v: w * v)`, read when called) -- has that value
wherever it is read, so its reads become the expression itself and the binding goes.
Anything else (bound twice, in a branch, from a local) is left alone. Loops and
comprehensions over a global list of functions (`[f(x) for f in funs]`) are written out
per function the same way (`_Unroll`).
"""
import gast

from .base import clone, function_locals, walk


def _reads(node):
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def _reads_now(node):
    """The names `node` reads when it is evaluated: not those in a lambda's body, which
    reads them when it is called (as it would where the alias is called)."""
    if isinstance(node, gast.Lambda):
        return set().union(*(_reads_now(d) for d in node.args.defaults))
    if isinstance(node, gast.Name):
        return {node.id} if isinstance(node.ctx, gast.Load) else set()
    return set().union(set(), *(_reads_now(c) for c in gast.iter_child_nodes(node)))


def _stores(node, name):
    return sum(1 for n in walk(node) if isinstance(n, gast.Name) and n.id == name
               and not isinstance(n.ctx, gast.Load))


def _defined_once(fn_node):
    """The nested defs of the body's top level never rebound: functions, like a lambda (they
    read their variables when called)."""
    defs = [s.name for s in fn_node.body if isinstance(s, gast.FunctionDef)]
    return {d for d in defs if defs.count(d) == 1 and _stores(fn_node, d) == 0}


class _Substitute(gast.NodeTransformer):
    def __init__(self, name, value):
        self.name, self.value = name, value

    def visit_FunctionDef(self, node):  # a nested def with its own `name` keeps it
        if self.name in function_locals(node):
            return node
        return self.generic_visit(node)

    def visit_Lambda(self, node):
        if self.name in {a.id for a in node.args.args + node.args.posonlyargs + node.args.kwonlyargs}:
            return node
        return self.generic_visit(node)

    def visit_Name(self, node):
        if node.id == self.name and isinstance(node.ctx, gast.Load):
            return gast.copy_location(clone(self.value), node)
        return node


def inline_function_aliases(fn_node, is_function_value):
    """In place, for `fn_node` (a FunctionDef): the top-level `name = <expr>` whose value
    `is_function_value(expr)` says is a function or transformation that reads no local."""
    local = function_locals(fn_node)
    params = {a.id for a in fn_node.args.posonlyargs + fn_node.args.args + fn_node.args.kwonlyargs}
    declared = {n for s in walk(fn_node) if isinstance(s, (gast.Global, gast.Nonlocal)) for n in s.names}
    for stmt in list(fn_node.body):
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)):
            continue
        name, value = stmt.targets[0].id, stmt.value
        if name in params or name in declared or _reads_now(value) & local - _defined_once(fn_node) \
                or _stores(fn_node, name) != 1:
            continue
        if not isinstance(value, (gast.Call, gast.Name, gast.Attribute)) or not is_function_value(value):
            continue
        fn_node.body.remove(stmt)
        fn_node.body = [_Substitute(name, value).visit(s) for s in fn_node.body]
        local = function_locals(fn_node)


class _Pullback(gast.NodeTransformer):
    """`pull(ct)` -> `vjp.__s2s_twin__(f, n, has_aux)(ct, *primals)[1]`."""

    def __init__(self, name, vjp, f, primals, has_aux=False):
        self.name, self.vjp, self.f, self.primals, self.has_aux = name, vjp, f, primals, has_aux

    def visit_Call(self, node):
        self.generic_visit(node)
        if not (isinstance(node.func, gast.Name) and node.func.id == self.name):
            return node
        maker = gast.Attribute(value=clone(self.vjp), attr="__s2s_twin__", ctx=gast.Load())
        twin = gast.Call(func=maker, args=[clone(self.f), gast.Constant(value=len(self.primals), kind=None),
                                           gast.Constant(value=self.has_aux, kind=None)], keywords=[])
        call = gast.Call(func=twin, args=node.args + [clone(p) for p in self.primals], keywords=[])
        out = gast.Subscript(value=call, slice=gast.Constant(value=1, kind=None), ctx=gast.Load())
        for n in walk(out):
            gast.copy_location(n, node)
        return out


def inline_vjp_pullbacks(fn_node, is_vjp):
    """In place: `y, pull = s2s.vjp(f, x, ...)` (also `y, pull, aux = s2s.vjp(f, x,
    has_aux=True)`, and inside a branch or loop), f reading no local, the primals' names never
    rebound and `pull` only called on one cotangent, becomes `y = f(x, ...)` (`y, aux =
    f(x)`), and each `pull(ct)` a call of f's VJP twin at the same primals (what jit can
    compile: no function value is left).

        y, pull = s2s.vjp(f, x)     ->   y = f(x)
        g = pull(v)[0]                   g = s2s.vjp.__s2s_twin__(f, 1, False)(v, x)[1][0]
    """
    local = function_locals(fn_node)
    declared = {n for s in walk(fn_node) if isinstance(s, (gast.Global, gast.Nonlocal)) for n in s.names}
    for stmt in list(_statements(fn_node.body)):
        found = _vjp_assignment(stmt, is_vjp)
        if found is None:
            continue
        names, call, has_aux = found
        pull, (f, *primals) = names[1], call.args
        if pull in declared or _reads(f) & local or _stores(fn_node, pull) != 1 or not all(
                isinstance(p, gast.Constant) or isinstance(p, gast.Name) and _stores(fn_node, p.id) <= 1
                for p in primals):
            continue
        uses = [n for n in walk(fn_node) if isinstance(n, gast.Name) and n.id == pull and isinstance(n.ctx, gast.Load)]
        calls = [n for n in walk(fn_node) if isinstance(n, gast.Call) and isinstance(n.func, gast.Name)
                 and n.func.id == pull and len(n.args) == 1 and not n.keywords]
        if len(uses) != len(calls):  # (pull passed on, or called otherwise: left to run as it is)
            continue
        kept = [gast.Name(id=n, ctx=gast.Store(), annotation=None, type_comment=None) for n in names if n != pull]
        target = kept[0] if len(kept) == 1 else gast.Tuple(elts=kept, ctx=gast.Store())
        for n in walk(target):
            gast.copy_location(n, stmt.targets[0])
        stmt.targets = [target]
        stmt.value = gast.copy_location(gast.Call(func=f, args=list(primals), keywords=[]), call)
        fn_node.body = [_Pullback(pull, call.func, f, primals, has_aux).visit(s) for s in fn_node.body]


def _statements(body):
    """Every statement of `body`, in branches and loops too (not in nested defs)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(stmt, field, None) or [])


def _vjp_assignment(stmt, is_vjp):
    """(target names, the call, has_aux) of `y, pull = vjp(f, x, ...)` or `y, pull, aux =
    vjp(f, x, ..., has_aux=True)`, else None."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Tuple)
            and all(isinstance(e, gast.Name) for e in stmt.targets[0].elts)):
        return None
    call = stmt.value
    if not (isinstance(call, gast.Call) and len(call.args) >= 2 and is_vjp(call.func)):
        return None
    has_aux = False
    for k in call.keywords:
        if k.arg != "has_aux" or not isinstance(k.value, gast.Constant) or not isinstance(k.value.value, bool):
            return None
        has_aux = k.value.value
    names = [e.id for e in stmt.targets[0].elts]
    if len(names) != (3 if has_aux else 2) or len(set(names)) != len(names):
        return None
    return names, call, has_aux


class _Unroll(gast.NodeTransformer):
    """Loops and comprehensions over a global sequence of functions, one copy per function:

        for f in funs:                  ->   s = s + funs[0](x)
            s = s + f(x)                     s = s + funs[1](x)
        np.array([f(x) for f in funs])  ->   np.array([funs[0](x), funs[1](x)])

    (resolve reads `funs[0]` as the function itself). Only a plain name or `i, f` of
    enumerate as the target, not rebound in the body; comprehensions without conditions."""

    def __init__(self, length_of):
        self.length_of = length_of

    def visit_FunctionDef(self, node):
        return node  # (a nested def is resolved as a function of its own)

    def _sequence(self, it):
        """(the sequence's name node, its length, enumerate?) or None."""
        enum = isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "enumerate" \
            and len(it.args) == 1 and not it.keywords
        seq = it.args[0] if enum else it
        n = self.length_of(seq) if isinstance(seq, gast.Name) else None
        return None if n is None else (seq, n, enum)

    def _targets(self, target, enum):
        if enum and isinstance(target, gast.Tuple) and len(target.elts) == 2 \
                and all(isinstance(e, gast.Name) for e in target.elts):
            return target.elts[0].id, target.elts[1].id
        if not enum and isinstance(target, gast.Name):
            return None, target.id
        return None

    def _copy(self, nodes, seq, k, index, name):
        out = []
        for node in nodes:
            node = clone(node)
            if index is not None:
                node = _Substitute(index, gast.Constant(value=k, kind=None)).visit(node)
            ref = gast.Subscript(value=clone(seq), slice=gast.Constant(value=k, kind=None), ctx=gast.Load())
            out.append(_Substitute(name, ref).visit(node))
        return out

    def visit_For(self, node):
        self.generic_visit(node)
        found = self._sequence(node.iter)
        names = self._targets(node.target, found[2]) if found else None
        if names is None or node.orelse or any(_stores(s, n) for s in node.body for n in names if n) \
                or any(isinstance(n, (gast.Break, gast.Continue)) for s in node.body for n in walk(s)):
            return node
        seq, n, _ = found
        body = [s for k in range(n) for s in self._copy(node.body, seq, k, *names)]
        return [gast.copy_location(s, node) for s in body] or [gast.copy_location(gast.Pass(), node)]

    def _comprehension(self, node):
        self.generic_visit(node)
        if len(node.generators) != 1 or node.generators[0].ifs or node.generators[0].is_async:
            return node
        gen = node.generators[0]
        found = self._sequence(gen.iter)
        names = self._targets(gen.target, found[2]) if found else None
        if names is None:
            return node
        seq, n, _ = found
        elts = [self._copy([node.elt], seq, k, *names)[0] for k in range(n)]
        return gast.copy_location(gast.List(elts=elts, ctx=gast.Load()), node)

    visit_ListComp = visit_GeneratorExp = _comprehension


def unroll_function_sequences(fn_node, length_of):
    """In place: loops and comprehensions of `fn_node` over a sequence of functions known
    now (`length_of(name node)`: its length, or None), written out per function."""
    fn_node.body = [s for stmt in fn_node.body for s in _as_list(_Unroll(length_of).visit(stmt))]


def _as_list(x):
    return x if isinstance(x, list) else [x]
