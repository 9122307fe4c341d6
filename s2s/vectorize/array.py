"""Array batching: `vmap(f)` as f rewritten to work on whole batches (JAX's batching, as a
source transformation). Every value is batched (the batch along axis 0) or not, and every
operation on a batched value becomes its batched form, from the rule table `BATCH_RULES`
(s2s/vectorize/rules/):

>>> from s2s.vectorize.array import show_batched
>>> print(show_batched('''
... def f(x, W, b):
...     h = np.tanh(W @ x + b)
...     return np.sum(h * h) + x[0]
... ''', batched=("x",), ranks=(1, 2, 1)))
def f_batched(x, W, b):
    W_matmul_x = x @ _np.transpose(W)
    W_matmul_x_plus_b = W_matmul_x + b
    h = _np.tanh(W_matmul_x_plus_b)
    h_times_h = h * h
    sum_h_times_h = _np.sum(h_times_h, axis=1)
    x0 = x[:, 0]
    return sum_h_times_h + x0

The pass is an abstract interpretation of the normalized (ANF) function: each value is
`Arr(batched, rank, dtype kind)` or a container of them (rules/base.py); expressions find
their rules in rules/dispatch.py; the statements, here, keep Python control flow as it is
when its tests and bounds do not depend on a batched value (loops are iterated to a fixed
point of the values they carry). A variable that is batched anywhere is batched everywhere
(an unbatched value assigned to it is broadcast to the batch, `np.zeros(3)` allocated as
`np.zeros((n, 3))`); ranks are tracked per program point. What cannot be expressed -- an
`if`/`while` test or loop bound on a batched value, an operation without a rule, a store at
a batched index, a random draw -- raises `CannotBatch`: vmap then uses loop batching
(s2s/vectorize/loop.py), which runs f's own code per example. Helper functions are batched
recursively, one specialization per batched-ness and ranks of their arguments; derivative
code (`vmap(grad(f))`) is batched through rules for the runtime helpers it calls.

The generated code stays within what numba compiles when the per-example code does (no
`np.moveaxis`, reductions over one axis, 2-d products; the runtime helpers of
s2s/vectorize/runtime.py are copied into the module as source), so `jit(vmap(f))` is one
numba function, as with loop batching.
"""
import builtins
import copy
import operator

import gast

import numpy

from ..codegen.module import GeneratedModule
from ..naming import NUMPY_ALIAS, LocalNames, sanitize
from ..parse.base import attribute_path, clone, function_locals, located, walk
from ..parse.context import FunctionContext
from ..parse.pipeline import build_program, run_passes
from ..parse.source import get_source
from ..diff import runtime as diff_runtime
from . import runtime
from .rules import BATCH_RULES
from .rules.base import BOTTOM, Arr, CannotBatch, Cont, Operand, Other, Site, bind, join
from .rules.dispatch import ExpressionBatching, _const_value, _parse, unparse

_MAX_ROUNDS = 24
_WIDTH = {"b": 1, "i": 2, "u": 2, "f": 3, "c": 4}
_DTYPES = {"i": "int64", "f": "float64", "c": "complex128"}
_FRESH = {numpy.zeros, numpy.ones, numpy.empty, numpy.full, numpy.zeros_like, numpy.ones_like, numpy.empty_like,
          numpy.full_like, numpy.array, numpy.copy, numpy.arange, numpy.linspace, numpy.eye, numpy.identity,
          diff_runtime.zeros_like}


def _lists_as_tuples(node):
    if isinstance(node, (gast.List, gast.Tuple)):
        return located(gast.Tuple(elts=[_lists_as_tuples(e) for e in node.elts], ctx=gast.Load()), node)
    if isinstance(node, gast.Dict):
        return located(gast.Dict(keys=node.keys, values=[_lists_as_tuples(v) for v in node.values]), node)
    return node


def _join_envs(*envs):
    out = {}
    for env in envs:
        for k, v in env.items():
            out[k] = join(out[k], v) if k in out else v
    return out


class FunctionBatching(ExpressionBatching):
    """Rewrites one normalized function of the program for batched parameters."""

    def __init__(self, batcher, ctx, params, name):
        self.b, self.ctx, self.params, self.name = batcher, ctx, params, name
        tree = ctx.tree
        self.param_names = [a.id for a in tree.args.posonlyargs + tree.args.args]
        if tree.args.vararg or tree.args.kwarg:
            raise CannotBatch("a function with *args or **kwargs", tree)
        self.locals = function_locals(tree)
        self.stored = {t.value.id for n in walk(tree) if isinstance(n, gast.Assign) for t in n.targets
                       if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name)}
        self.stored |= {n.args[0].id for n in walk(tree) if isinstance(n, gast.Call) and n.args and isinstance(
            n.args[0], gast.Name) and self.callee(n.func)[1] is diff_runtime.add_at}  # in-place accumulations
        self.batched_vars = {p for p, d in params.items() if isinstance(d, Arr) and d.batched}
        self.taken = {n.id for n in walk(tree) if isinstance(n, gast.Name)} | set(self.param_names)
        self.wide = {}  # variable -> the widest dtype kind assigned to it ('b' < 'i' < 'f' < 'c')
        assigned = [n.targets[0].id for n in walk(tree) if isinstance(n, gast.Assign)
                    and isinstance(n.targets[0], gast.Name)]
        # variables assigned once, a literal (`axes = (0, 2)`): rules see their value
        self.literals = {n.targets[0].id: _const_value(n.value) for n in walk(tree) if isinstance(n, gast.Assign)
                         and isinstance(n.targets[0], gast.Name) and assigned.count(n.targets[0].id) == 1
                         and n.targets[0].id not in self.param_names}

    # -- driver ------------------------------------------------------------------------
    def run(self):
        """(new FunctionDef, abstract value returned)."""
        ret_batched = False
        for _ in range(_MAX_ROUNDS):
            before = (set(self.batched_vars), ret_batched, dict(self.wide))
            self.made, self.n_name, self.loops = set(), None, []
            self.ret_batched, self.returns = ret_batched, []
            env = {p: (d.but(batched=True) if p in self.batched_vars and isinstance(d, Arr) else d)
                   for p, d in self.params.items()}
            self.current = []
            body, _ = self.block(self.ctx.tree.body, env)
            ret = _join_envs(*[{"r": d} for d in self.returns]).get("r", Other(None))
            ret_batched = isinstance(ret, Arr) and ret.batched
            if (set(self.batched_vars), ret_batched, self.wide) == before:
                break
        else:
            raise CannotBatch("the batched values of the function do not settle", self.ctx.tree)
        prologue = []
        for p in self.param_names:
            d = self.params.get(p)
            if p in self.batched_vars and isinstance(d, Arr) and not d.batched:
                if p in self.stored:
                    raise CannotBatch(f"a store of a mapped value into the unmapped argument {p!r}", self.ctx.tree)
                site = Site(self, self.ctx.tree, "broadcast", [])
                prologue.append(self._assign(p, site.bcast(Operand(p, d)), self.ctx.tree))
        if self.n_name is not None:
            prologue.insert(0, self._assign(self.n_name, f"{self._first_batched()}.shape[0]", self.ctx.tree))
        tree = copy.copy(self.ctx.tree)
        tree.name = self.name
        tree.args = clone(self.ctx.tree.args)
        doc = body[:1] if body and isinstance(body[0], gast.Expr) and isinstance(body[0].value, gast.Constant) else []
        tree.body = doc + prologue + body[len(doc):]
        self.b.program.namer.reserve(*self.made)
        return tree, ret

    def _first_batched(self):
        def find(d, text):
            if isinstance(d, Arr) and d.batched:
                return text
            if isinstance(d, Cont):
                for k, item in zip(d.keys, d.items):
                    found = find(item, f"{text}[{k!r}]")
                    if found:
                        return found
            return None
        for p in self.param_names:
            found = find(self.params.get(p), p)
            if found:
                return found
        raise CannotBatch("no batched argument to take the batch size from", self.ctx.tree)

    # -- what rules use ----------------------------------------------------------------
    def fresh(self, hint):
        base, k = sanitize(hint), 0
        name = base
        while name in self.taken or name in self.made or hasattr(builtins, name) or self.b.program.namer.is_used(name):
            k += 1
            name = f"{base}_{k}"
        self.made.add(name)
        return name

    def batch_size(self):
        if self.n_name is None:
            self.n_name = self.fresh("n")
        return self.n_name

    def let(self, text, hint, like):
        name = self.fresh(hint)
        self.current.append(self._assign(name, text, like))
        return name

    def helper(self, name):
        return self.b.helper(name)

    def _assign(self, name, text, like):
        value = _parse(text, like) if isinstance(text, str) else text
        return located(gast.Assign(targets=[gast.Name(name, gast.Store(), None, None)], value=value,
                                   type_comment=None), like)

    def fail(self, why, node, construct=None):
        raise CannotBatch(why, node, construct)

    # -- statements --------------------------------------------------------------------
    def block(self, stmts, env):
        saved, self.current = self.current, []
        out = self.current
        for s in stmts:
            env = self.stmt(s, env)
        self.current = saved
        return out, env

    def emit(self, stmt):
        self.current.append(stmt)

    def stmt(self, s, env):
        if isinstance(s, gast.Assign):
            return self.assign(s, env)
        if isinstance(s, gast.Expr):
            if isinstance(s.value, gast.Constant):
                self.emit(s)
            else:
                node, _ = self.expr(s.value, env)
                self.emit(located(gast.Expr(value=node), s))
            return env
        if isinstance(s, gast.If):
            test, td = self.expr(s.test, env)
            if td.batched:
                self.fail("a branch (an `if`, or the test of a `while` loop) that depends on a mapped value", s,
                          "control flow on a mapped value")
            body, e1 = self.block(s.body, dict(env))
            orelse, e2 = self.block(s.orelse, dict(env))
            self.emit(located(gast.If(test=test, body=body or [gast.Pass()], orelse=orelse), s))
            return _join_envs(e1, e2)
        if isinstance(s, (gast.While, gast.For)):
            return self.loop(s, env)
        if isinstance(s, gast.Return):
            return self.ret(s, env)
        if isinstance(s, (gast.Break, gast.Continue)):
            if not self.loops:
                self.fail("break/continue outside a loop", s)
            self.loops[-1]["break" if isinstance(s, gast.Break) else "continue"].append(dict(env))
            self.emit(s)
            return env
        if isinstance(s, gast.Pass):
            self.emit(s)
            return env
        if isinstance(s, gast.Assert):
            test, td = self.expr(s.test, env)
            if td.batched:
                self.fail("an assert on a mapped value", s, "assert on a mapped value")
            self.emit(s)
            return env
        self.fail(f"a {type(s).__name__} statement", s)

    def loop(self, s, env):
        is_for = isinstance(s, gast.For)
        if is_for:
            bounds = s.iter.args if isinstance(s.iter, gast.Call) and attribute_path(s.iter.func) == "range" else []
            if any(self.expr(b, env)[1].batched for b in bounds):
                idesc = Arr(True, None)
            else:
                it, idesc = self.expr(s.iter, env)
            if idesc.batched:
                self.fail("a `for` loop whose bounds depend on a mapped value", s, "control flow on a mapped value")
            if not isinstance(s.target, gast.Name):
                self.fail("a `for` target that is not a name", s)
            if s.target.id in self.batched_vars:
                self.fail("a loop variable that is also assigned a mapped value", s)
            tdesc = self._element(it, idesc)
        head = env
        for _ in range(_MAX_ROUNDS):
            state = {"break": [], "continue": []}
            self.loops.append(state)
            if not is_for:
                saved, self.current = self.current, []
                test, td = self.expr(s.test, head)
                if self.current:
                    self.fail("a `while` test that needs statements", s)
                self.current = saved
                if td.batched:
                    self.fail("a `while` loop whose test depends on a mapped value", s,
                              "control flow on a mapped value")
            body_env = dict(head)
            if is_for:
                body_env[s.target.id] = tdesc
            body, back = self.block(s.body, body_env)
            self.loops.pop()
            new_head = _join_envs(env, back, *state["continue"])
            if new_head == head:
                break
            head = new_head
        else:
            self.fail("the values in a loop do not settle", s)
        if is_for:
            node = gast.For(target=s.target, iter=it, body=body, orelse=[], type_comment=None)
        else:
            node = gast.While(test=test, body=body, orelse=[])
        if s.orelse:
            self.fail("a loop with an `else` block", s)
        self.emit(located(node, s))
        return _join_envs(head, *state["break"])

    def _element(self, it, idesc):
        if isinstance(it, gast.Call) and attribute_path(it.func) == "range":
            return Arr(False, 0, "i")
        if isinstance(idesc, Arr) and idesc.rank:
            return Arr(False, idesc.rank - 1, idesc.kind)
        if isinstance(idesc, Cont) and idesc.items:
            return _join_envs(*[{"e": d} for d in idesc.items])["e"]
        return Other()

    def ret(self, s, env):
        if s.value is None:
            self.returns.append(Other(None))
            self.emit(s)
            return env
        # A returned list is a tuple here (its items may be batched or not: numba lists
        # hold one type; the vmap wrapper rebuilds the list the function returns).
        node, d = self.expr(_lists_as_tuples(s.value), env)
        if self.ret_batched and isinstance(d, Arr) and not d.batched:
            site = Site(self, s, "return", [])
            node, d = _parse(site.bcast(Operand(unparse(node), d)), s), d.but(batched=True, view=False)
        self.returns.append(d)
        self.emit(located(gast.Return(value=node), s))
        return env

    def assign(self, s, env):
        if len(s.targets) != 1:
            self.fail("a chained assignment", s)
        target = s.targets[0]
        if isinstance(target, gast.Subscript):
            return self.store(s, target, env)
        if not isinstance(target, gast.Name):
            self.fail(f"an assignment to a {type(target).__name__}", s)
        node, d = self.expr(s.value, env)
        name = target.id
        if isinstance(d, Arr):
            if d.batched:
                self.batched_vars.add(name)
            elif name in self.batched_vars:
                if name in self.stored and not self._fresh(s.value):
                    self.fail(f"{name!r} is stored into and also aliases an unmapped array", s,
                              "in-place store into an alias")
                node, d = self._broadcast_value(node, s.value, d, s, env), d.but(batched=True, view=False)
                if _WIDTH.get(self.wide.get(name), 0) > _WIDTH.get(d.kind, 9):
                    # `total = 0` before `total = total + x`: one array dtype (numba types it once)
                    kind = self.wide[name]
                    if isinstance(node, gast.Call) and self.callee(node.func)[1] is numpy.full and len(node.args) == 2:
                        node = _parse(f"{unparse(node)[:-1]}, {NUMPY_ALIAS}.{_DTYPES[kind]})", s)
                    else:
                        node = _parse(f"{unparse(node)}.astype({NUMPY_ALIAS}.{_DTYPES[kind]})", s)
                    d = d.but(kind=kind)
            if d.kind is not None and _WIDTH.get(d.kind, 0) > _WIDTH.get(self.wide.get(name), 0):
                self.wide[name] = d.kind
        elif name in self.batched_vars and d is not BOTTOM:
            self.fail(f"{name!r} holds a mapped array and a container or object", s)
        env = dict(env)
        env[name] = d
        self.emit(located(gast.Assign(targets=[target], value=node, type_comment=None), s))
        return env

    def _broadcast_value(self, node, original, d, like, env):
        """An unbatched value (`node`, rewritten from `original`) as a batched one:
        `np.zeros(shape)` gets the batch in its shape, anything else is broadcast and copied."""
        site = Site(self, like, "broadcast", [])
        if isinstance(node, gast.Call) and self.callee(node.func)[1] in (numpy.zeros, numpy.ones, numpy.empty,
                                                                        numpy.full) and node.args:
            shape = Operand(unparse(node.args[0]), self.expr(original.args[0], env)[1], _const_value(original.args[0]))
            if shape.is_const or isinstance(shape.desc, Cont) or shape.rank == 0:
                from .rules.shape import _shape_text
                new = copy.copy(node)
                new.args = [_parse(_shape_text(site, shape), like)] + node.args[1:]
                return new
        return _parse(site.bcast(Operand(unparse(node), d)), like)

    def _fresh(self, value):
        if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Compare, gast.Constant)):
            return True
        return isinstance(value, gast.Call) and self.callee(value.func)[1] in _FRESH

    def store(self, s, target, env):
        if not isinstance(target.value, gast.Name):
            self.fail("a store into something other than a variable", s)
        base = target.value.id
        bd = env.get(base, BOTTOM)
        vnode, vd = self.expr(s.value, env)
        parts = self.index_parts(target.slice, env)
        if isinstance(bd, Arr) and vd.batched and not bd.batched:
            if base in self.param_names and not (self.params.get(base) or BOTTOM).batched:
                self.fail(f"a store of a mapped value into the unmapped argument {base!r}", s,
                          "in-place store into an unmapped argument")
            self.batched_vars.add(base)  # another round, with `base` batched from its assignment
        if not isinstance(bd, Arr) or not (bd.batched or vd.batched):
            if vd.batched:
                self.fail("a store of a mapped value into a container", s)
            new = gast.Subscript(value=target.value, slice=self._slice_node(parts, target.slice), ctx=gast.Store())
            self.emit(located(gast.Assign(targets=[located(new, target)], value=vnode, type_comment=None), s))
            return env
        if not bd.batched:
            self.emit(s)
            return env
        ops = [Operand(base, bd), Operand(unparse(vnode), vd)] + parts
        site = Site(self, s, "item assignment", ops)
        res = bind(BATCH_RULES[operator.setitem], site, ops, {})
        self.emit(_parse(res.text, s) if res.text else s)
        return env


class ArrayBatcher:
    """The program being batched: specializations of its functions, helpers it needs."""

    def __init__(self, program):
        self.program = program
        self.functions = {ctx.name: ctx for ctx in program.functions}
        self.done, self.in_progress, self.added, self.helpers = {}, set(), [], {}

    def specialize(self, ctx, descs, node=None):
        """(name, returned value) of `ctx` batched for parameters `descs` ({name: value})."""
        key = (ctx.name, tuple(sorted(descs.items())))
        if key in self.done:
            return self.done[key]
        unbatched = not any(d.batched for d in descs.values())
        if key in self.in_progress:
            if unbatched:  # a recursive helper of unbatched arguments: called as it is
                return ctx.name, Arr(False, None)
            raise CannotBatch(f"the recursive function {ctx.name}", node, "recursion")
        if unbatched:
            self.in_progress.add(key)
            try:
                _, ret = FunctionBatching(self, ctx, descs, ctx.name).run()
            except CannotBatch as exc:
                if exc.fatal:
                    raise
                ret = Arr(False, None)
            finally:
                self.in_progress.discard(key)
            self.done[key] = (ctx.name, ret)
            return self.done[key]
        self.in_progress.add(key)
        try:
            name = self.program.namer.fresh(f"{ctx.name}_batched", keep_leading_underscore=True)
            try:
                tree, ret = FunctionBatching(self, ctx, descs, name).run()
            except CannotBatch as exc:
                exc.ctx = exc.ctx or ctx
                raise
        finally:
            self.in_progress.discard(key)
        new = copy.copy(ctx)
        new.tree, new.name = tree, name
        self.added.append(new)
        self.done[key] = (name, ret)
        return self.done[key]

    def helper(self, name):
        """The program's name for the source helper `name` of s2s/vectorize/runtime.py."""
        if name not in self.helpers:
            fn = runtime.SOURCE_HELPERS[name]
            hname = self.program.function(get_source(fn), hint=name, make_context=FunctionContext)
            while self.program.pending:
                run_passes(self.program.pending.pop(0))
            self.helpers[name] = hname
            self.functions[hname] = next(c for c in self.program.functions if c.name == hname)
        return self.helpers[name]


def _param_desc(struct, axes, leaves, path=()):
    """The abstract value of (a leaf of) an argument of the batched entry."""
    if struct is None:
        ndim, kind = leaves[path]
        mapped = axes.get(path) is not None
        return Arr(mapped, ndim - 1 if mapped else ndim, kind, view=True)
    return Cont(struct.kind, struct.keys, [_param_desc(c, axes, leaves, path + (k,))
                                           for k, c in zip(struct.keys, struct.children)])


def _at(desc, path):
    for k in path:
        if not isinstance(desc, Cont) or desc.item(k) is None:
            return None
        desc = desc.item(k)
    return desc


def _reachable(program, roots):
    """The program's functions the functions named in `roots` call, transitively."""
    by_name = {ctx.name: ctx for ctx in program.functions}
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        todo.extend(n.id for n in walk(by_name[name].tree) if isinstance(n, gast.Name) and n.id in by_name)
    return seen


def build_array_module(fn, in_axes, arg_structs, size, out_axes, leaves, chunk=None):
    """GeneratedModule for the array-batched `fn` (raises CannotBatch when it cannot be
    expressed). The arguments are loop.py's `build_vmap_module`'s, and `leaves[i]`:
    {leaf path: (ndim, dtype kind)} of positional argument i; `chunk`: at most this many
    examples per call of the batched function (a loop over slices of the batch bounds the
    memory its temporaries take). Returns (module, wrapper name, output structure)."""
    from ..diff.program import _diff_passes
    from ..diff.pytrees import Structures, container_text, leaves as struct_leaves, subscript_text

    program = build_program(fn)
    _diff_passes(program)
    entry = program.entry
    params = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    if len(params) != len(in_axes):
        raise CannotBatch("arguments the vmap does not pass", entry.tree)
    out_struct = Structures(entry.tree, program, {p: s for p, s in zip(params, arg_structs) if s}).returns(
        entry, {p: s for p, s in zip(params, arg_structs) if s})
    descs = {p: _param_desc(s, a, lv) for p, s, a, lv in zip(params, arg_structs, in_axes, leaves)}
    batcher = ArrayBatcher(program)
    try:
        batched_name, ret = batcher.specialize(entry, descs, entry.tree)
    except CannotBatch as exc:
        exc.ctx = exc.ctx or entry
        raise
    N = LocalNames(params)
    n, r = N["n"], N["r"]
    lines = ["def _():"]
    for i, p in enumerate(params):
        moved = {path: ax for path, ax in in_axes[i].items() if ax}
        if moved:
            def leaf(path, i=i, p=p, moved=moved):
                text = subscript_text(p, path)
                if path not in moved:
                    return text
                nd, ax = leaves[i][path][0], moved[path]
                perm = (ax,) + tuple(d for d in range(nd) if d != ax)
                return f"{NUMPY_ALIAS}.transpose({text}, {perm!r})"
            lines.append(f"    {p} = {container_text(arg_structs[i], leaf)}")
    rt = lambda name: program.constant(getattr(runtime, name), name)  # noqa: E731
    mapped = [(i, path) for i, axes in enumerate(in_axes) for path, ax in axes.items() if ax is not None]
    size_text = f"{subscript_text(params[mapped[0][0]], mapped[0][1])}.shape[0]" if mapped else str(int(size))
    if chunk is None:
        lines.append(f"    {r} = {batched_name}({', '.join(params)})")
    else:
        lines += _chunk_loop(N, params, in_axes, arg_structs, batched_name, size_text, int(chunk), out_struct, ret)
    size_at = len(lines)

    broadcast = []

    def placed(m):
        d, ax = _at(ret, m), out_axes(m)
        if not isinstance(d, Arr):
            raise CannotBatch(f"output {list(m)} is not an array or scalar", entry.tree, "a non-array output")
        text = subscript_text(r, m)
        if ax is None:
            if d.batched:
                raise ValueError(f"vmap has mapped output but out_axes is None (output leaf {list(m)} of "
                                 f"{entry.name} depends on a mapped argument)")
            return text
        if not d.batched:
            broadcast.append(m)
            text = (f"{NUMPY_ALIAS}.full({n}, {text})" if d.rank == 0 else
                    f"{NUMPY_ALIAS}.broadcast_to({text}, ({n},) + {NUMPY_ALIAS}.shape({text})).copy()")
        elif d.view and not ax:
            text = f"{NUMPY_ALIAS}.copy({text})"
        if d.rank is not None and ax < 0:
            ax += d.rank + 1
        if d.rank is not None and not 0 <= ax <= d.rank:
            raise ValueError(f"vmap out_axes={out_axes(m)} is out of bounds for output leaf {list(m)} of "
                             f"{entry.name}, which has {d.rank + 1} dimensions with the batch")
        return f"{rt('move_batch_axis')}({text}, {ax})" if ax else text

    for m in struct_leaves(out_struct):
        if isinstance(_at(ret, m), Cont) or _at(ret, m) is None:
            raise CannotBatch("an output whose structure is not known", entry.tree, "output structure")
    lines.append(f"    return {container_text(out_struct, placed)}")
    if broadcast and chunk is None:  # an unbatched output is broadcast to the batch (the chunk loop has n)
        lines.insert(size_at, f"    {n} = {size_text}")
    name = program.namer.fresh(f"{entry.name}_vmap")
    lines[0] = f"def {name}():"
    tree = gast.parse("\n".join(lines) + "\n").body[0]
    tree.args = clone(entry.tree.args)
    for node in walk(tree):
        located(node, entry.tree)
    wrapper = copy.copy(entry)
    wrapper.tree, wrapper.name = tree, name
    first = [c for c in batcher.added if c.name == batched_name] or [entry]
    program.functions.extend(batcher.added + [wrapper])
    keep = _reachable(program, [name])
    program.functions[:] = first + [c for c in program.functions if c.name in keep and c not in first + [wrapper]] + [
        wrapper]
    return GeneratedModule(program, title="vmap, array batching"), name, out_struct


def _chunk_loop(N, params, in_axes, arg_structs, batched_name, size_text, chunk, out_struct, ret):
    """Lines calling the batched function on slices of at most `chunk` examples (mapped
    arguments are batch-first by now) and assembling `r` as one call would return it.

        n = x.shape[0]
        c = min(n, 1000)
        r0 = f_batched(x[0:c], w)            # the first chunk: output shapes and dtypes
        o0 = np.empty((n,) + r0[0].shape[1:], r0[0].dtype)
        o0[0:c] = r0[0]
        for s in range(c, n, 1000):
            e = min(s + 1000, n)
            rc = f_batched(x[s:e], w)
            o0[s:e] = rc[0]
        r = (o0, r0[1])                      # an unbatched output: the first chunk's
    """
    from ..diff.pytrees import container_text, leaves as struct_leaves, subscript_text

    n, c, s, e, r, r0, rc = N["n"], N["c"], N["s"], N["e"], N["r"], N["r0"], N["rc"]

    def call(lo, hi):
        args = []
        for i, p in enumerate(params):
            axes = in_axes[i]
            args.append(container_text(arg_structs[i], lambda path, p=p, axes=axes: subscript_text(p, path)
                                       if axes.get(path) is None else f"{subscript_text(p, path)}[{lo}:{hi}]"))
        return f"{batched_name}({', '.join(args)})"

    outs = {m: N[f"o{k}"] for k, m in enumerate(struct_leaves(out_struct)) if getattr(_at(ret, m), "batched", False)}
    lines = [f"    {n} = {size_text}", f"    {c} = min({n}, {chunk})", f"    {r0} = {call(0, c)}"]
    for m, o in outs.items():
        first = subscript_text(r0, m)
        lines.append(f"    {o} = {NUMPY_ALIAS}.empty(({n},) + {first}.shape[1:], {first}.dtype)")
        lines.append(f"    {o}[0:{c}] = {first}")
    lines.append(f"    for {s} in range({c}, {n}, {chunk}):")
    lines.append(f"        {e} = min({s} + {chunk}, {n})")
    lines.append(f"        {rc} = {call(s, e)}")
    for m, o in outs.items():
        lines.append(f"        {o}[{s}:{e}] = {subscript_text(rc, m)}")
    lines.append(f"    {r} = {container_text(out_struct, lambda m: outs.get(m) or subscript_text(r0, m))}")
    return lines


def show_batched(text, batched, ranks, kinds=None):
    """Doctest helper: the batched function for the last function `text` defines, with
    the parameters named in `batched` batched (per-example `ranks`, in parameter order)."""
    from ..diff.program import _diff_passes
    from ..parse.debug import _define

    program = build_program(_define(text, None, "<doctest>"))
    _diff_passes(program)
    entry = program.entry
    params = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    descs = {p: Arr(p in batched, r, (kinds or {}).get(p, "f"), view=True) for p, r in zip(params, ranks)}
    batcher = ArrayBatcher(program)
    batcher.specialize(entry, descs)
    program.functions[:] = batcher.added + [c for c in program.functions if c.name in set(batcher.helpers.values())]
    body = GeneratedModule(program, comments=False, fuse=False).source.split("\n", 1)[1].rstrip("\n")
    return body.split("\n\n\n", 1)[1]
