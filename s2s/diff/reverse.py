"""Reverse mode: a function -> its VJP twin, a forward sweep then a backward sweep.

For `def f(x, y): ...` it generates `def f_vjp(x, y, g): ... return out, (bx, by)`:

- the forward sweep is f's own (normalized, structured) code, plus what the backward sweep
  will need: branch decisions, trip counts, and the values a rule reads when they may be
  overwritten later (saved in a local at top level, pushed on a per-value list tape in
  loops — one typed tape per saved quantity, paired at compile time);
- the backward sweep visits the statements in reverse; each active statement
  `y = op(a, b)` inlines op's VJP template with `g = by`, then kills `by` (the value it
  assigned is gone) and accumulates the contributions into `ba`, `bb`. Loops run backwards
  over their saved trip counts, branches replay their saved decisions, in-place stores
  `x[i] = v` restore the overwritten slice. Calls of user helpers call the helper's own VJP
  twin (which recomputes the helper's forward: recursion works the same way).

Adjoints (`bx`) are created with `zeros_like` where the primal value exists: at the end of
the forward sweep for variables the function body assigns unconditionally, right after each
definition for variables that only exist inside a branch or loop.
"""
import copy

import gast

from ..errors import NoDerivativeRuleError
from ..naming import NUMPY_ALIAS
from ..parse.base import assign, clone, dotted, fix_missing_locations, load, located, store, walk
from . import runtime
from .activity import Assignments, active_names, expr_is_active, resolve_callee, store_aliases
from .cleanup import Cleanup
from .inline import inline, shape_uses, uses
from .calls_reverse import CallsMixin
from .inplace import InPlaceMixin
from .pytrees import (StructureMismatch, Structures, at, build, distribute, field_read, leaves,
                      namedtuple_packing, pick, slice_keys)
from .ranks import Ranks
from .callsite import operation_rule
from .registry import NONDIFF, VJP_RULES
from .complexes import may_be_complex
from .lists import ListInfo, expand_list_literals, split_rebound_lists, takes_sequence
from .liveness import dead_stores
from .unroll import redirect_calls, unroll_container_loops
from .saving import SavingMixin, _call, _const, _is_atom, index_value


class ReverseMode:
    """Builds VJP twins for the functions of a normalized program, on demand."""

    def __init__(self, program):
        self.program = program
        self._made = {}

    def _is_runtime(self, name):
        fn = getattr(runtime, name)
        return lambda func: isinstance(func, gast.Name) and self.program.constants.get(func.id) is fn

    def runtime(self, name):
        return self.program.constant(getattr(runtime, name), name)

    def vjp(self, ctx, wrt, seed_index=None, structs=None, ranks=None):
        """Name of the VJP twin of `ctx` w.r.t. parameters `wrt`. With `seed_index`, the
        function returns a tuple and only that element is differentiated (has_aux).
        `structs`: {parameter: structure} for container-valued parameters (pytrees);
        `ranks`: {parameter: number of dimensions} where the arguments are known."""
        structs = {k: v for k, v in (structs or {}).items() if v is not None}
        ranks = {k: v for k, v in (ranks or {}).items() if v is not None}
        key = (ctx.name, tuple(wrt), seed_index, tuple(sorted(structs.items())), tuple(sorted(ranks.items())))
        if key not in self._made:
            name = self.program.namer.fresh(f"{ctx.name}_vjp")
            self._made[key] = name
            builder = _Builder(self, ctx, tuple(wrt), name, seed_index, structs, ranks)
            vctx = copy.copy(ctx)
            vctx.tree = Cleanup(self._is_runtime("zeros_like"), self._is_runtime("add_at")).run(builder.build())
            vctx.name = name
            self.program.functions.append(vctx)
            redirect_calls(self.program, vctx, structs)  # primal calls given dicts: their versions for them
        return self._made[key]


class _Builder(SavingMixin, InPlaceMixin, CallsMixin):
    def __init__(self, rm, ctx, wrt, name, seed_index=None, structs=None, ranks=None):
        self.rm, self.ctx, self.wrt, self.name = rm, ctx, wrt, name
        self.seed_index = seed_index
        self.program = rm.program
        self.tree = clone(ctx.tree)
        self.namer = ctx.namer
        split_rebound_lists(self.tree, self.namer)
        expand_list_literals(self.tree)
        unroll_container_loops(self.tree, self.program, structs, lambda t: active_names(t, wrt, self.program),
                               self.namer)
        self.active = active_names(self.tree, wrt, self.program)
        self.aliases = store_aliases(self.tree)
        try:
            self.structs = Structures(self.tree, self.program, structs)
        except StructureMismatch as exc:
            raise self.error(exc.stmt, str(exc), "tuple") from None
        self.ranks = Ranks(self.tree, ranks or {})
        # Lists built in place (comprehensions, the tapes of derivative code being
        # differentiated again): their adjoint is a list too (`lists.py`).
        info = ListInfo(self.tree, self.program)
        self.lists, self.stacks, self.list_home = info.names, info.stacks, info.home
        self.mixed_lists = info.mixed
        problem = info.problem(self.tree.body)
        if problem is not None:
            raise self.error(problem[0], problem[1], "list")
        self.assigns = Assignments(self.tree)
        self._adjoints = {}
        self.tapes = []
        self.version, self.saved, self.blocks, self.packs, self.block_defs = {}, {}, [], [], []
        self.fresh_names = set()
        self.dead = set()  # (build: the stores nothing reads)
        self.top = set(wrt) | {
            s.targets[0].id for s in self.tree.body if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
        }
        self.rebound = {t.id for n in walk(self.tree) if isinstance(n, (gast.Assign, gast.AugAssign, gast.For))
                        for tg in (n.targets if isinstance(n, gast.Assign) else [n.target])
                        for t in walk(tg) if isinstance(t, gast.Name)}
        self.mutates = any(
            isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Subscript) for n in walk(self.tree)
        )

    # -- helpers ---------------------------------------------------------------------
    def b(self, name, path=()):
        """The adjoint variable of `name` (of its leaf at `path` for a tuple-valued one)."""
        key = (name, path)
        if key not in self._adjoints:
            self._adjoints[key] = self.namer.fresh("b" + name + "".join(f"_{i}" for i in path))
        return self._adjoints[key]

    def struct(self, name):
        return self.structs.of.get(name)

    def adj(self, name, path=()):
        """The adjoint of `name` as an expression: a name, or a container of leaf adjoints."""
        return build(at(self.struct(name), path), lambda p: load(self.b(name, path + p)))

    def rt(self, name, *args):
        return _call(self.rm.runtime(name), *args)

    def projected(self, w):
        """The adjoint of parameter `w` as returned: `real_for(bw, w)` (its real part where w
        is real) when the program may compute with complex values and w keeps its value."""
        adj = self.adj(w)
        if not (isinstance(adj, gast.Name) and may_be_complex(self.program) and w not in self.rebound):
            return adj
        return self.rt("real_for", adj, load(w))

    def init(self, name, like, value=None):
        if name in self.stacks:
            return [assign(self.b(name), gast.List(elts=[], ctx=gast.Load()), like)]
        if name in self.lists:
            # Zeros of the list's final length: the backward sweep pops one per append.
            return [assign(self.b(name), self.rt("zeros_list", value or load(name)), like)]
        return [
            assign(self.b(name, p), self.rt("zeros_like", pick(load(name), p)), like)
            for p in leaves(self.struct(name))
        ]

    def kill(self, name, like):
        if name in self.lists:
            return []
        return [
            assign(self.b(name, p), self.rt("zeros_like", load(self.b(name, p))), like)
            for p in leaves(self.struct(name))
        ]

    def accumulate(self, name, contrib, like, path=()):
        if name in self.lists:
            return located(gast.Expr(value=self.rt("add_to_list", load(self.b(name)), contrib)), like)
        return assign(self.b(name, path), gast.BinOp(left=load(self.b(name, path)), op=gast.Add(), right=contrib), like)

    def leaf_contribs(self, triples):
        """(name, path, contribution) triples -> (name, leaf path, expression) per leaf."""
        out = []
        for name, path, c in triples:
            if name is None or c is None or name not in self.active or name in self.stacks:
                continue
            if name in self.lists:
                out.append((name, path, c))
                continue
            for sub in leaves(at(self.struct(name), path)):
                out.append((name, path + sub, pick(c, sub)))
        return out

    def no_rule(self, s, message, function):
        lineno = getattr(s, "lineno", None)
        return NoDerivativeRuleError(message, function=function, filename=self.ctx.filename, lineno=lineno,
                                     text=self.ctx.line(lineno or 0))

    def error(self, node, message, construct):
        return self.ctx.error(node, message, construct)

    # -- the function ------------------------------------------------------------------
    def build(self):
        body = self.tree.body
        if not body or not isinstance(body[-1], gast.Return):
            raise self.error(self.tree, "reverse mode needs the structured form (one return, last)", "return")
        ret = body[-1]
        body = body[:-1]
        if ret.value is not None and not _is_atom(ret.value) and not (
            isinstance(ret.value, gast.Tuple) and all(_is_atom(e) for e in ret.value.elts)
        ):
            # `return a / b`: the returned operation is differentiated like an assignment.
            result = self.namer.fresh("result")
            body.append(assign(result, ret.value, ret))
            self.top.add(result)
            if expr_is_active(ret.value, self.active, self.program):
                self.active.add(result)
            if self.structs.expr(ret.value) is not None:
                self.structs.of[result] = self.structs.expr(ret.value)
            ret = located(gast.Return(value=load(result)), ret)
        # stores nothing reads: no backward code (their adjoint is zero; liveness.py)
        self.dead = dead_stores(body, {n.id for n in walk(ret) if isinstance(n, gast.Name)})
        fwd, bwd = self.block(body, False)
        g = self.namer.fresh("g")
        out = self.namer.fresh("out")
        value = ret.value if ret.value is not None else _const(None)
        out_value = self.rt("copy_value", value) if self.mutates else value
        fwd.append(assign(out, out_value, ret))
        # Adjoints of what the body assigns unconditionally exist from here on.
        for name in sorted(self.top & self.active):
            fwd += self.init(name, ret)
        if self.seed_index is not None:
            # has_aux: only element `seed_index` of the returned pair is differentiated.
            out_struct = self.structs.expr(value)
            if out_struct is None or out_struct.key(self.seed_index) is None:
                raise TypeError(
                    "has_aux=True requires the function to return a pair (value, aux), written as a "
                    f"tuple in its return statement, at {self.ctx.where(ret)}")
            if isinstance(value, gast.Tuple):
                triples = distribute(value.elts[self.seed_index], load(g))
            else:
                triples = [(value.id, (self.seed_index,), load(g))]
        else:
            triples = distribute(value, load(g))
        seed = [self.accumulate(n, c, ret, p) for n, p, c in self.leaf_contribs(triples)]
        for s in seed:
            s.s2s_prefix = "grad of"
        grads = gast.Tuple(elts=[self.projected(w) for w in self.wrt], ctx=gast.Load())
        result = located(gast.Return(value=gast.Tuple(elts=[load(out), grads], ctx=gast.Load())), ret)
        tapes = [assign(t, gast.List(elts=[], ctx=gast.Load()), self.tree) for t in self.tapes]
        args = clone(self.tree.args)
        # The cotangent comes first, so the primal parameters keep their defaults.
        args.args = [gast.Name(id=g, ctx=gast.Param(), annotation=None, type_comment=None)] + args.posonlyargs + args.args
        args.posonlyargs = []
        fn = gast.FunctionDef(
            name=self.name, args=args, body=tapes + fwd + seed + bwd + [result],
            decorator_list=[], returns=None, type_comment=None, type_params=[],
        )
        located(fn, self.tree)
        fn.s2s_doc = f"Value and VJP of {self.ctx.name} w.r.t. {', '.join(self.wrt)}: returns (out, ({', '.join(gast.unparse(self.adj(w)) for w in self.wrt)}))."
        fix_missing_locations(fn)
        return fn

    def stmt(self, s, in_loop):
        if isinstance(s, gast.Assign):
            if isinstance(s.targets[0], gast.Subscript):
                base = getattr(s.targets[0].value, "id", None)
                if base in self.lists and base not in self.stacks:
                    return self.list_store(s, in_loop)
                if self.struct(base) is not None:
                    return self.struct_store(s, in_loop)
                if base in self.aliases and (base in self.active or self.aliases[base] in self.active
                                             or expr_is_active(s.value, self.active, self.program)):
                    raise self.error(
                        s, f"reverse mode cannot follow an in-place store through {base}, which is "
                        f"{self.aliases[base]} or a view of it; store into {self.aliases[base]} directly "
                        f"({self.aliases[base]}[...] = ...) or make a copy first", "store through a view")
                return self.store(s, in_loop)
            return self.assign(s, in_loop)
        if isinstance(s, gast.If):
            return self.branch(s, in_loop)
        if isinstance(s, gast.For):
            return self.for_loop(s, in_loop)
        if isinstance(s, gast.While):
            return self.while_loop(s, in_loop)
        if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call):
            call = s.value
            f = call.func
            if (isinstance(f, gast.Attribute) and f.attr == "append" and isinstance(f.value, gast.Name)
                    and f.value.id in self.lists and len(call.args) == 1):
                return self.push(s) if f.value.id in self.active else ([s], [])
            if resolve_callee(f, self.program).obj is runtime.add_at and len(call.args) == 3:
                return self.add_in_place(s, in_loop)
            if resolve_callee(f, self.program).obj is runtime.add_to_list and len(call.args) == 2:
                return self.add_to_list(s)
            touched = [a for a in list(call.args) + [k.value for k in call.keywords] if expr_is_active(a, self.active, self.program)]
            # print, and a non-differentiable function called for a check (at_selected_once)
            is_print = (isinstance(call.func, gast.Name) and call.func.id == "print"
                        or resolve_callee(f, self.program).obj in NONDIFF)
            if isinstance(call.func, gast.Attribute) and isinstance(call.func.value, gast.Name) and call.func.value.id in self.active:
                touched.append(call.func.value)
            if touched and not is_print:
                # A call for its side effect on a differentiated value (x.fill, list.append,
                # an in-place helper): its effect on the derivative is unknown.
                label = gast.unparse(call.func)
                base = getattr(call.func, "value", None)
                if isinstance(base, gast.Name) and base.id in self.mixed_lists:
                    raise self.no_rule(
                        s, f"{base.id} is bound both to a new list and to another value: while differentiating, give "
                        "each its own name", label)
                raise self.no_rule(s, f"cannot differentiate the in-place call {label}(...) on a differentiated value", label)
            return [s], []
        if isinstance(s, (gast.Expr, gast.Pass, gast.Assert, gast.Raise)):
            return [s], []
        if isinstance(s, gast.FunctionDef):
            raise self.error(s, "functions defined inside a differentiated function are not supported yet; define it at module level", "nested def")
        if isinstance(s, gast.Return):
            raise self.error(s, "early return reached reverse mode (the structure pass should have removed it)", "return")
        raise self.error(s, f"{type(s).__name__} is not supported by reverse mode", type(s).__name__)

    # -- assignments ---------------------------------------------------------------------
    def _mark(self, stmts):
        for s in stmts:
            s.s2s_prefix = "grad of"
        return stmts

    def assign(self, s, in_loop):
        t = s.targets[0].id
        value = s.value
        if t not in self.active:
            return [s], []
        # (A list's adjoint is made where its block's backward sweep starts: `block`.)
        after = [] if t in self.top or (t in self.lists and t not in self.stacks) else self.init(t, s)
        if id(s) in self.dead and t not in self.lists:
            return [s] + after, []
        if not expr_is_active(value, self.active, self.program):
            # A constant (re)definition: the previous value's adjoint starts afresh.
            return [s] + after, self._mark(self.kill(t, s))
        fwd_before, fwd_after, bwd, contribs = [], [], [], []
        g = self.adj(t)
        # `P(a, b)` of a namedtuple class packs as `(a, b)` does; `p.a` reads as `p[0]`.
        value = namedtuple_packing(value, self.program) or field_read(value, self.structs.of) or value
        if isinstance(value, (gast.Name, gast.Tuple, gast.List, gast.Dict)):
            contribs = distribute(value, g)
        elif isinstance(value, gast.Subscript):
            base = value.value
            if not isinstance(base, gast.Name):
                raise self.error(s, "indexing an expression is not supported; assign it to a name first", "subscript")
            idx = value.slice
            struct = self.struct(base.id)
            if base.id in self.lists:
                # `v = L[i]`: bL[i] += bv, i as it was (bL has L's length here: negative i works).
                if isinstance(idx, (gast.Slice, gast.Tuple)):
                    raise self.error(s, f"{base.id} is a list built in place: while differentiating, read its "
                                     f"elements one at a time ({base.id}[i])", "list slice")
                f, b2, idx_b = self._save_index(idx, in_loop, s)
                fwd_before += f
                bwd += b2
                elem = gast.Subscript(value=load(self.b(base.id)), slice=clone(idx_b), ctx=gast.Load())
                bwd.append(assign(gast.Subscript(value=load(self.b(base.id)), slice=idx_b, ctx=gast.Store()),
                                  gast.BinOp(left=elem, op=gast.Add(), right=g), s))
            elif struct is not None and slice_keys(struct, idx) is not None:
                # `t = params[1:]`: element j of t is element picked[j] of params
                contribs = [(base.id, (k,), pick(g, (j,))) for j, k in enumerate(slice_keys(struct, idx))]
            elif struct is not None and not isinstance(idx, (gast.Constant, gast.Slice, gast.Tuple)) \
                    and struct.kind != "dict" and all(c is None for c in struct.children):
                # `t = (a, b, c)[i]`, i known at run time: each element gets g where i picks it
                f, b2, idx_b = self._save_index(idx, in_loop, s)
                fwd_before += f
                bwd += b2
                n = _const(len(struct.keys))
                contribs = [(base.id, (k,), self.rt("pick_leaf", clone(g), clone(idx_b), _const(k), n))
                            for k in struct.keys]
            elif struct is not None:
                # An element of a container: its index is a constant key.
                k = struct.key(idx.value) if isinstance(idx, gast.Constant) else None
                if k is None:
                    raise self.error(
                        s, f"{base.id} is a {struct.kind} of {len(struct.keys)} elements: while differentiating, "
                        "its elements can only be read with constant indices or keys", f"{struct.kind} index")
                contribs = [(base.id, (k,), g)]
            else:
                f, b2, idx_b = self._save_index(idx, in_loop, s)
                fwd_before += f
                bwd += b2
                bwd.append(located(gast.Expr(value=self.rt("add_at", load(self.b(base.id)), index_value(idx_b), g)), s))
        elif self._is_pop(value):
            # `v = tape.pop()` in derivative code: v's adjoint goes on the tape's adjoint, a
            # stack that the adjoint of the matching `tape.append(...)` pops.
            lst = value.func.value.id
            bwd.append(located(gast.Expr(value=_call(gast.Attribute(value=load(self.b(lst)), attr="append", ctx=gast.Load()), g)), s))
        elif isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Call)):
            contribs, f, fa, b2 = self.operation(s, value, t, in_loop)
            fwd_before += f
            fwd_after += fa
            bwd += b2
        else:
            raise self.error(s, f"cannot differentiate a {type(value).__name__} expression yet", type(value).__name__)
        # Contributions are computed first (they read `bt`), then `bt` is killed, then added.
        mine = {self.b(t, p) for p in leaves(self.struct(t))}
        temps = []
        for name, path, c in self.leaf_contribs(contribs):
            if not _is_atom(c) or (isinstance(c, gast.Name) and c.id in mine):
                tmp = self.namer.fresh("b_contrib")
                bwd.append(assign(tmp, c, s))
                c = load(tmp)
            temps.append((name, path, c))
        bwd += self.kill(t, s)
        bwd += [self.accumulate(name, c, s, path) for name, path, c in temps]
        return fwd_before + [s] + fwd_after + after, self._mark(bwd)

    def operation(self, s, value, t, in_loop):
        """(contributions, fwd before, fwd after, bwd) for `t = <op>(args)`."""
        kind, rule, bound = operation_rule(VJP_RULES, value, self.program, self.ranks,
                                           lambda message, label: self.no_rule(s, message, label))
        if kind == "user":
            return self.user_call(s, rule, bound, t, in_loop)
        active = [isinstance(bound[p], gast.Name) and bound[p].id in self.active or
                  isinstance(bound[p], (gast.Tuple, gast.List)) and expr_is_active(bound[p], self.active, self.program)
                  for p in rule.inputs]
        needed = uses(rule.template, active, len(rule.inputs))
        shape_only = shape_uses(rule.template, active, len(rule.inputs))
        same_shape = self._same_shape(rule, bound)
        needed -= shape_only & same_shape
        shape_only -= same_shape
        fwd, fwd_after, bwd, seen = [], [], [], {}
        exprs = {}
        for pname, e in bound.items():
            if pname in shape_only and isinstance(e, gast.Name) and self.ranks.of(e.id) == 0:
                exprs[pname] = gast.Tuple(elts=[], ctx=gast.Load())  # a scalar: its shape is ()
            elif pname in shape_only and isinstance(e, gast.Name) and self._overwritable(e.id, in_loop):
                # Read only to unbroadcast into: keep its shape (free for scalars), not its value.
                key = ("shape", e.id, self.version.get(e.id, 0), self.blocks[-1])
                if key not in self.saved:
                    self.saved[key] = self.keep(self.rt("shape_of", e), in_loop, s, f"{e.id}_shape", fwd, bwd)
                exprs[pname] = clone(self.saved[key])
            elif pname in needed and isinstance(e, gast.Name):
                if e.id not in seen:
                    f, b, be = self.save(e, in_loop, s, e.id)
                    fwd += f
                    bwd += b
                    seen[e.id] = be
                exprs[pname] = seen[e.id]
            else:
                exprs[pname] = e
        ans = load(t)
        if "ans" in needed:
            f, b, ans = self.save(load(t), in_loop, s, t, shared=False)
            fwd_after += f
            bwd += b
        if not takes_sequence(value, self.program):
            # `np.max(L)` of a list built in place: its rule sees the list as the array it
            # stands for (templates compare and index it), converted once.
            for p in rule.inputs:
                e = bound[p]
                if isinstance(e, gast.Name) and e.id in self.lists and (p in needed or p in shape_only):
                    arr = self.namer.fresh(f"{e.id}_array")
                    bwd.append(assign(arr, gast.Call(func=dotted(f"{NUMPY_ALIAS}.array", s), args=[exprs[p]],
                                                     keywords=[]), s))
                    exprs[p] = load(arr)
        inputs = [exprs[p] for p in rule.inputs]
        options = {n: exprs[n] for n, _ in rule.options if n in exprs}
        stmts, contribs = inline(rule, self.program, self.namer, self.adj(t), ans, inputs, options, active, s,
                                 same_shape=same_shape)
        bwd += stmts
        # An input written as a tuple literal (`np.stack((a, b))`) gets its contribution
        # (a tuple) split over its elements.
        triples = [tr for p, c in zip(rule.inputs, contribs) if c is not None for tr in distribute(bound[p], c)]
        return triples, fwd, fwd_after, bwd

    def _same_shape(self, rule, bound):
        """Inputs of an elementwise rule that have the output's shape for certain: all the
        other inputs are scalars (`1.0 + e`, `x ** 2`). Unbroadcasting to them is the
        identity, and dropping it lets numba fuse the backward expressions."""
        if not rule.template.__module__.endswith((".rules.unary", ".rules.binary")):
            return set()

        def scalar(e):
            return isinstance(e, gast.Constant) or isinstance(e, gast.Name) and self.ranks.of(e.id) == 0

        out = set()
        for p in rule.inputs:
            e = bound[p]
            if isinstance(e, gast.Name) and self.ranks.of(e.id) != 0 and all(scalar(bound[q]) for q in rule.inputs if q != p):
                out.add(p)
        return out

    # -- control flow --------------------------------------------------------------------
    def branch(self, s, in_loop):
        fwd, b_save = [], []
        cond_b = self.keep(s.test, in_loop, s, "cond", fwd, b_save)
        cond = fwd[0].targets[0].id if fwd else None
        fb, bb = self.block(s.body, in_loop)
        fo, bo = self.block(s.orelse, in_loop)
        test = load(cond) if cond else s.test
        fwd.append(located(gast.If(test=test, body=fb or [gast.Pass()], orelse=fo), s))
        bwd = []
        if bb or bo:
            bwd = b_save + [located(gast.If(test=cond_b, body=bb or [gast.Pass()], orelse=bo), s)]
        return fwd, self._mark(bwd)

    def for_loop(self, s, in_loop):
        args = s.iter.args
        start, stop, step = (
            (_const(0), args[0], _const(1)) if len(args) == 1
            else (args[0], args[1], _const(1)) if len(args) == 2 else tuple(args)
        )
        fwd, b_save = [], []
        start_b = self.keep(start, in_loop, s, "start", fwd, b_save)
        step_b = self.keep(step, in_loop, s, "step", fwd, b_save)
        n_b = self.keep(self.rt("range_len", start, stop, step), in_loop, s, "trips", fwd, b_save)
        fb, bb = self.block(s.body, True)
        fwd.append(located(gast.For(target=s.target, iter=s.iter, body=fb or [gast.Pass()], orelse=[], type_comment=None), s))
        if not bb:
            return fwd, []
        k = self.namer.fresh("k")
        i_val = gast.BinOp(left=start_b, op=gast.Add(), right=gast.BinOp(left=load(k), op=gast.Mult(), right=step_b))
        rev = located(gast.For(
            target=store(k),
            iter=_call("range", gast.BinOp(left=n_b, op=gast.Sub(), right=_const(1)), _const(-1), _const(-1)),
            body=[assign(store(s.target.id), i_val, s)] + bb, orelse=[], type_comment=None,
        ), s)
        return fwd, self._mark(b_save + [rev])

    def while_loop(self, s, in_loop):
        count = self.namer.fresh("trips")
        self.fresh_names.add(count)
        fb, bb = self.block(s.body, True)
        inc = assign(count, gast.BinOp(left=load(count), op=gast.Add(), right=_const(1)), s)
        loop = located(gast.While(test=s.test, body=fb + [inc], orelse=[]), s)
        f_save, b_save, n_b = self.save(load(count), in_loop, s, count)
        fwd = [assign(count, _const(0), s), loop] + f_save
        if not bb:
            return fwd, []
        it = self.namer.fresh("it")
        rev = located(gast.For(target=store(it), iter=_call("range", n_b), body=bb, orelse=[], type_comment=None), s)
        return fwd, self._mark(b_save + [rev])
