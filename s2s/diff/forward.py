"""Forward mode: a function -> its JVP twin, tangent statements interleaved with the primal.

For `def f(x, y): ...` differentiated w.r.t. `x` it generates
`def f_jvp(dx, x, y): ... return out, dout`: every active statement `t = op(a, b)` is
followed (or preceded) by its tangent statement `dt = <op's JVP template>(a, b, da, db)`;
no tape, no backward sweep, so every construct of the normalized code keeps its shape:
branches, `for` and `while` loops (with the flags the structure pass left for break,
continue and early return), in-place stores (`x[i] = v` -> `dx[i] = dv`), tape lists of
derivative code (`tape.append(v)` -> `dtape.append(dv)`), user helpers (their own JVP
twins, so recursion works) and pytrees (one tangent variable per leaf, like reverse mode).

Tangents of inputs that carry no derivative information are symbolic zeros folded away
(`zeros.py`); a variable that becomes active later (`s = 0.0; for ...: s = s + x`) gets a
`zeros_like` tangent where it is assigned a constant.
"""
import copy

import gast

from ..errors import NoDerivativeRuleError
from ..parse.base import assign, clone, fix_missing_locations, load, located, walk
from . import runtime
from .activity import Assignments, active_names, resolve_callee, store_aliases
from .inline import instantiate
from .pytrees import (StructureMismatch, Structures, at, build, field_read, leaves, namedtuple_packing, pick,
                      slice_keys, store_refusal)
from .ranks import Ranks
from .callsite import operation_rule
from .registry import JVP_RULES, NONDIFF
from .lists import ListInfo, expand_list_literals, split_rebound_lists
from .unroll import redirect_calls, unroll_container_loops
from .saving import _call, _const, _is_atom
from .tangents import _ANS, covers, drop_dead_tangents, rename, replace_arg, tangent_carrying
from .zeros import ZERO, fold_body

_ZERO = "__s2s_zero__"


class ForwardMode:
    """Builds JVP twins for the functions of a normalized program, on demand."""

    def __init__(self, program):
        self.program = program
        self._made = {}
        self.zero_leaves = {}  # twin name -> output leaf paths whose tangent is always zero

    def runtime(self, name):
        return self.program.constant(getattr(runtime, name), name)

    def linearized(self, ctx, wrt, structs=None, ranks=None, zeros=None):
        """(primal name, tangent name, number of residuals) of the split JVP twin of `ctx`
        (`linearize.py`), or None when its body does not separate."""
        from .linearize import split

        twin = self.jvp(ctx, wrt, structs, ranks, zeros)
        key = ("split", twin)
        if key not in self._made:
            tctx = next((c for c in self.program.functions if c.name == twin), None)
            if tctx is None:  # still being built (recursion): call the whole twin
                return None
            parts = split(tctx.tree, len(wrt), self.program.namer.fresh(f"{ctx.name}_linp"),
                          self.program.namer.fresh(f"{ctx.name}_lint"))
            self._made[key] = None
            if parts is not None:
                for fn in parts[:2]:
                    c = copy.copy(tctx)
                    c.tree, c.name = fn, fn.name
                    self.program.functions.append(c)
                self._made[key] = (parts[0].name, parts[1].name, len(parts[2]))
        return self._made[key]

    def jvp(self, ctx, wrt, structs=None, ranks=None, zeros=None):
        """Name of the JVP twin of `ctx` w.r.t. parameters `wrt`: `twin(*tangents, *params)`
        returns `(out, out_tangent)`, one tangent argument per `wrt` parameter (a container
        of the parameter's structure for pytrees)."""
        structs = {k: v for k, v in (structs or {}).items() if v is not None}
        ranks = {k: v for k, v in (ranks or {}).items() if v is not None}
        zeros = {k: frozenset(v) for k, v in (zeros or {}).items() if v}
        key = (ctx.name, tuple(wrt), tuple(sorted(structs.items())), tuple(sorted(ranks.items())),
               tuple(sorted(zeros.items(), key=repr)))
        if key not in self._made:
            name = self.program.namer.fresh(f"{ctx.name}_jvp")
            self._made[key] = name
            fctx = copy.copy(ctx)
            fctx.tree = _Forward(self, ctx, tuple(wrt), name, structs, ranks, zeros).build()
            fctx.name = name
            self.program.functions.append(fctx)
            redirect_calls(self.program, fctx, structs)  # primal calls given dicts: their versions for them
        return self._made[key]


class _Forward:
    def __init__(self, fm, ctx, wrt, name, structs, ranks, zeros=None):
        self.fm, self.ctx, self.wrt, self.name = fm, ctx, wrt, name
        self.program = fm.program
        self.tree = clone(ctx.tree)
        self.namer = ctx.namer
        split_rebound_lists(self.tree, self.namer)
        expand_list_literals(self.tree)
        unroll_container_loops(self.tree, self.program, structs,
                               lambda t: active_names(t, wrt, self.program, is_active=tangent_carrying), self.namer)
        self.active = active_names(self.tree, wrt, self.program, is_active=tangent_carrying)
        # A store through a view or alias (`row = A[1]; row[:] = x`) changes the base too:
        # the base is active, and `drow = dA[1]` is a view of dA, so the tangent store
        # reaches dA the same way.
        aliases = store_aliases(self.tree)
        while any(v in self.active and b not in self.active for v, b in aliases.items()):
            seeds = set(wrt) | {b for v, b in aliases.items() if v in self.active}
            self.active = active_names(self.tree, tuple(seeds), self.program, is_active=tangent_carrying)
        try:
            self.structs = Structures(self.tree, self.program, structs)
        except StructureMismatch as exc:
            raise self.ctx.error(exc.stmt, str(exc), "tuple") from None
        self.ranks = Ranks(self.tree, ranks)
        info = ListInfo(self.tree, self.program, strict=False)
        self.lists, self.stacks = info.names, info.stacks
        self.mutates = any(
            isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Subscript) for n in walk(self.tree)
        )
        self._tangents = {}
        # (name, leaf path) whose tangent is known to be exactly zero (a leaf of a helper's
        # result that its twin never differentiates, copied on): a symbolic zero, so that
        # `0 * log(x)` is never computed (nan for x < 0).
        self.zero_paths = set()
        self.counts = Assignments(self.tree).count
        self.stored_into = {n.value.id for n in walk(self.tree) if isinstance(n, gast.Subscript)
                            and isinstance(n.ctx, gast.Store) and isinstance(n.value, gast.Name)}
        # Leaves of container parameters whose tangent the caller knows is zero.
        self.zero_paths |= {(w, p) for w, paths in (zeros or {}).items() for p in paths}

    # -- helpers ---------------------------------------------------------------------
    def is_active(self, expr):
        return tangent_carrying(expr, self.active, self.program)

    def d(self, name, path=()):
        """The tangent variable of `name` (of its leaf at `path` for a container)."""
        key = (name, path)
        if key not in self._tangents:
            self._tangents[key] = self.namer.fresh("d" + name + "".join(f"_{i}" for i in path))
        return self._tangents[key]

    def struct(self, name):
        return self.structs.of.get(name)

    def rt(self, name, *args):
        return _call(self.fm.runtime(name), *args)

    def no_rule(self, s, message, function):
        lineno = getattr(s, "lineno", None)
        return NoDerivativeRuleError(message, function=function, filename=self.ctx.filename, lineno=lineno,
                                     text=self.ctx.line(lineno or 0))

    def leaf_tangent(self, expr, path=()):
        """The tangent of leaf `path` of the value of `expr`, or None where it is zero."""
        if isinstance(expr, gast.Name):
            if expr.id not in self.active or expr.id in self.stacks or (expr.id, path) in self.zero_paths:
                return None
            if any((expr.id, path[:k]) in self.zero_paths for k in range(len(path))):
                return None
            return load(self.d(expr.id, path))
        if isinstance(expr, (gast.Tuple, gast.List)) and path:
            return self.leaf_tangent(expr.elts[path[0]], path[1:])
        if isinstance(expr, gast.Dict) and path:
            for k, v in zip(expr.keys, expr.values):
                if isinstance(k, gast.Constant) and k.value == path[0]:
                    return self.leaf_tangent(v, path[1:])
            return None
        if isinstance(expr, gast.Subscript) and isinstance(expr.value, gast.Name):
            struct = self.struct(expr.value.id)
            picked = slice_keys(struct, expr.slice)
            if picked is not None and path:  # `params[1:]`
                return self.leaf_tangent(expr.value, (picked[path[0]],) + path[1:])
            if struct is not None and not path and struct.kind != "dict" and all(c is None for c in struct.children) \
                    and not isinstance(expr.slice, (gast.Constant, gast.Slice, gast.Tuple)):
                # `(a, b, c)[i]` at a run-time i: the tangents' tuple, indexed the same way
                return gast.Subscript(value=self.full_tangent(expr.value), slice=clone(expr.slice), ctx=gast.Load())
            if struct is not None and isinstance(expr.slice, gast.Constant) and struct.key(expr.slice.value) is not None:
                return self.leaf_tangent(expr.value, (struct.key(expr.slice.value),) + path)
            if struct is not None and expr.value.id in self.active and not isinstance(expr.slice, gast.Constant):
                # (a zero tangent here would be a wrong derivative)
                raise self.ctx.error(expr, f"{expr.value.id} is a {struct.kind} of {len(struct.keys)} elements: while "
                                     "differentiating, its elements can only be read with constant indices or keys",
                                     f"{struct.kind} index")
        return None

    def full_tangent(self, expr, struct=None):
        """The tangent of `expr` as an expression of its structure, `zeros_like` where zero."""
        struct = self.structs.expr(expr) if struct is None else struct

        def leaf(p):
            t = self.leaf_tangent(expr, p)
            return t if t is not None else self.rt("zeros_like", pick(clone(expr), p))
        return build(struct, leaf)

    def set_tangents(self, t, value, like):
        """`dt_p = <tangent of leaf p of value>` for every leaf of t, to run *before* `t =
        value` (through temporaries when a leaf's tangent reads another leaf of t)."""
        pairs = []
        for p in leaves(self.struct(t)):
            tan = self.leaf_tangent(value, p)
            if tan is None:
                self.mark_zero(t, p)
                tan = self.rt("zeros_like", pick(clone(value), p))
            pairs.append((self.d(t, p), tan))
        mine = {d for d, _ in pairs}
        if len(pairs) > 1 and any(isinstance(n, gast.Name) and n.id in mine for _, e in pairs for n in walk(e)):
            temps = [(d, self.namer.fresh(d + "_new"), e) for d, e in pairs]
            return [assign(tmp, e, like) for _, tmp, e in temps] + [assign(d, load(tmp), like) for d, tmp, _ in temps]
        return [assign(d, e, like) for d, e in pairs]

    def has_tangent(self, expr):
        """Does `expr` carry a tangent that is not known to be zero?"""
        if isinstance(expr, gast.Name):
            return expr.id in self.active and any(self.leaf_tangent(expr, p) is not None
                                                  for p in leaves(self.struct(expr.id)))
        return self.is_active(expr)

    def mark_zero(self, t, path=()):
        """t's leaf `path` has a zero tangent for good (t is assigned once)."""
        if self.counts.get(t, 0) == 1 and t not in self.stored_into:
            self.zero_paths.add((t, path))

    def zeros(self, t, like):
        if t in self.lists:
            # `L = []` -> `dL = []`; an adjoint list `bL = zeros_list(L)` -> zeros of its length
            value = like.value if isinstance(like, gast.Assign) else None
            if isinstance(value, gast.List) and not value.elts:
                return [assign(self.d(t), gast.List(elts=[], ctx=gast.Load()), like)]
            if (isinstance(value, (gast.Subscript, gast.Name)) or isinstance(value, gast.Call) and
                    resolve_callee(value.func, self.program).obj is runtime.zeros_list) and not self.struct(t):
                return [assign(self.d(t), self.rt("zeros_list", load(t)), like)]
        return [assign(self.d(t, p), self.rt("zeros_like", pick(load(t), p)), like) for p in leaves(self.struct(t))]

    # -- the function ------------------------------------------------------------------
    def build(self):
        # A docstring (of generated code being differentiated again) would follow ours.
        body = [s for s in self.tree.body
                if not (isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant) and isinstance(s.value.value, str))]
        if not body or not isinstance(body[-1], gast.Return):
            raise self.ctx.error(self.tree, "forward mode needs the structured form (one return, last)", "return")
        ret = body.pop()
        value = ret.value if ret.value is not None else _const(None)
        if not _is_atom(value) and not (isinstance(value, gast.Tuple) and all(_is_atom(e) for e in value.elts)):
            result = self.namer.fresh("result")
            body.append(assign(result, value, ret))
            if self.is_active(value):
                self.active.add(result)
            if self.structs.expr(value) is not None:
                self.structs.of[result] = self.structs.expr(value)
            value = load(result)
        params = [a.id for a in self.tree.args.posonlyargs + self.tree.args.args]
        entry, tparams = [], []
        for w in self.wrt:
            if self.struct(w) is None:
                tparams.append(self.d(w))
            else:
                tp = self.namer.fresh("d" + w)
                tparams.append(tp)
                entry += self._tag([assign(self.d(w, p), pick(load(tp), p), self.tree) for p in leaves(self.struct(w))
                                    if (w, p) not in self.zero_paths])
        for p in params:  # a parameter that becomes active by an in-place store starts at zero
            if p in self.active and p not in self.wrt:
                entry += self._tag(self.zeros(p, self.tree))
        stmts = entry + self.block(body)
        out = self.namer.fresh("out")
        dout = self.namer.fresh("dout")
        out_value = self.rt("copy_value", value) if self.mutates else value
        stmts.append(assign(out, out_value, ret))
        self.fm.zero_leaves[self.name] = {p for p in leaves(self.structs.expr(value)) if self.leaf_tangent(value, p) is None}
        stmts += self._tag([assign(dout, self.full_tangent(value), ret)])
        stmts.append(located(gast.Return(value=gast.Tuple(elts=[load(out), load(dout)], ctx=gast.Load())), ret))
        stmts = drop_dead_tangents(stmts)
        args = clone(self.tree.args)
        # Tangents come first, so the primal parameters keep their defaults.
        args.args = [gast.Name(id=t, ctx=gast.Param(), annotation=None, type_comment=None) for t in tparams] \
            + args.posonlyargs + args.args
        args.posonlyargs = []
        fn = gast.FunctionDef(name=self.name, args=args, body=stmts, decorator_list=[], returns=None,
                              type_comment=None, type_params=[])
        located(fn, self.tree)
        fn.s2s_doc = (f"Value and JVP of {self.ctx.name} w.r.t. {', '.join(self.wrt) or 'nothing'}: "
                      f"returns (out, tangent of out).")
        fix_missing_locations(fn)
        return fn

    def block(self, stmts):
        out = []
        for s in stmts:
            out += self.stmt(s)
        return out

    def stmt(self, s):
        if isinstance(s, gast.Assign):
            if isinstance(s.targets[0], gast.Subscript):
                return self.store(s)
            return self.assign(s)
        if isinstance(s, gast.If):
            return [located(gast.If(test=s.test, body=self.block(s.body) or [gast.Pass()],
                                    orelse=self.block(s.orelse)), s)]
        if isinstance(s, gast.For):
            return [located(gast.For(target=s.target, iter=s.iter, body=self.block(s.body) or [gast.Pass()],
                                     orelse=[], type_comment=None), s)]
        if isinstance(s, gast.While):
            return [located(gast.While(test=s.test, body=self.block(s.body) or [gast.Pass()], orelse=[]), s)]
        if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call):
            return self.call_statement(s)
        if isinstance(s, (gast.Expr, gast.Pass, gast.Assert, gast.Raise)):
            return [s]
        if isinstance(s, gast.FunctionDef):
            raise self.ctx.error(s, "functions defined inside a differentiated function are not supported here; "
                                 "define it at module level", "nested def")
        raise self.ctx.error(s, f"{type(s).__name__} is not supported by forward mode", type(s).__name__)

    def _tag(self, stmts):
        """Mark tangent statements (dead ones are dropped at the end)."""
        for s in stmts:
            s.s2s_tangent = True
        return stmts

    def order(self, s, t, tangent_stmts):
        """The primal statement `s` (`t = ...`) and its tangent statements, in an order that
        works: the primal first (the tangent may read the result, `_ANS`), unless the tangent
        statements read the old value of `t` -- then they go first, or, when they need both,
        the primal goes through a temporary."""
        reads = {n.id for st in tangent_stmts for n in walk(st) if isinstance(n, gast.Name)
                 and isinstance(n.ctx, gast.Load)}
        self._tag(tangent_stmts)
        if t not in reads:
            rename(tangent_stmts, _ANS, t)
            return [s] + tangent_stmts
        if _ANS not in reads:
            return tangent_stmts + [s]
        tmp = self.namer.fresh(f"{t}_new")
        rename(tangent_stmts, _ANS, tmp)
        return [assign(tmp, s.value, s)] + tangent_stmts + [assign(t, load(tmp), s)]

    # -- statements ----------------------------------------------------------------------
    def call_statement(self, s):
        call = s.value
        f = call.func
        if (isinstance(f, gast.Attribute) and f.attr == "append" and isinstance(f.value, gast.Name)
                and f.value.id in self.lists and len(call.args) == 1):
            if f.value.id not in self.active:
                return [s]
            push = _call(gast.Attribute(value=load(self.d(f.value.id)), attr="append", ctx=gast.Load()),
                         self.full_tangent(call.args[0]))
            return [s] + self._tag([located(gast.Expr(value=push), s)])
        if resolve_callee(f, self.program).obj is runtime.add_to_list and len(call.args) == 2:
            acc, ct = call.args  # linear, in place: the same on the tangents
            if isinstance(acc, gast.Name) and acc.id in self.active and self.is_active(ct):
                tan = _call(clone(f), load(self.d(acc.id)), self.full_tangent(ct))
                return [s] + self._tag([located(gast.Expr(value=tan), s)])
            return [s]
        if resolve_callee(f, self.program).obj is runtime.add_at and len(call.args) == 3:
            a, idx, v = call.args
            if isinstance(a, gast.Name) and a.id in self.active and self.is_active(v):
                tan = _call(clone(f), load(self.d(a.id)), clone(idx), self.full_tangent(v))
                return [s] + self._tag([located(gast.Expr(value=tan), s)])
            return [s]
        touched = [a for a in list(call.args) + [k.value for k in call.keywords]
                   if self.is_active(a)]
        if isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and f.value.id in self.active:
            touched.append(f.value)
        if touched and not (isinstance(f, gast.Name) and f.id == "print") and resolve_callee(f, self.program).obj not in NONDIFF:
            label = gast.unparse(f)
            raise self.no_rule(s, f"cannot differentiate the in-place call {label}(...) on a differentiated value", label)
        return [s]

    def store(self, s):
        target = s.targets[0]
        base = target.value
        if not isinstance(base, gast.Name) or base.id not in self.active:
            return [s]
        if not _is_atom(s.value) and self.is_active(s.value):
            # `x[i] = np.tanh(a)`: the stored operation is differentiated like an assignment.
            tmp = self.namer.fresh("stored")
            self.active.add(tmp)
            first = self.assign(assign(tmp, s.value, s))
            stmt = located(gast.Assign(targets=s.targets, value=load(tmp), type_comment=None), s)
            return first + self.store(stmt)
        struct = self.struct(base.id)
        if struct is not None:
            k = struct.key(target.slice.value) if isinstance(target.slice, gast.Constant) else None
            if k is None:
                raise self.ctx.error(s, store_refusal(base.id, struct, target.slice), f"{struct.kind} index")
            tan = self.full_tangent(s.value, at(struct, (k,)))
            return [s] + self._tag([assign(self.d(base.id, (k,) + p), pick(tan, p), s) for p in leaves(at(struct, (k,)))])
        tan = self.leaf_tangent(s.value)
        if tan is None:
            # (a list's element gets zeros of its own shape; an array slice broadcasts 0.0)
            tan = self.rt("zeros_like", clone(s.value)) if base.id in self.lists else _const(0.0)
        dtarget = gast.Subscript(value=load(self.d(base.id)), slice=clone(target.slice), ctx=gast.Store())
        return [s] + self._tag([located(gast.Assign(targets=[dtarget], value=tan, type_comment=None), s)])

    def assign(self, s):
        t = s.targets[0].id
        value = s.value
        if t not in self.active:
            return [s]
        if not self.is_active(value):
            return [s] + self._tag(self.zeros(t, s))
        # `P(a, b)` of a namedtuple class packs as `(a, b)` does; `p.a` reads as `p[0]`.
        value = namedtuple_packing(value, self.program) or field_read(value, self.structs.of) or value
        if isinstance(value, (gast.Name, gast.Tuple, gast.List, gast.Dict)) or (
                isinstance(value, gast.Subscript) and self.struct(getattr(value.value, "id", None)) is not None):
            # Copies and packing: the tangents move with the values (computed first: `t` may
            # be on the right-hand side).
            return self.order(s, t, self.set_tangents(t, value, s))
        if isinstance(value, gast.Subscript):
            base = value.value
            if not isinstance(base, gast.Name):
                raise self.ctx.error(s, "indexing an expression is not supported; assign it to a name first", "subscript")
            tan = gast.Subscript(value=load(self.d(base.id)), slice=clone(value.slice), ctx=gast.Load())
            return self.order(s, t, [assign(self.d(t), tan, s)])
        if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr == "pop" \
                and isinstance(value.func.value, gast.Name) and value.func.value.id in self.lists and not value.args:
            popped = self.namer.fresh("popped")
            lst = value.func.value.id
            tans = [assign(popped, _call(gast.Attribute(value=load(self.d(lst)), attr="pop", ctx=gast.Load())), s)]
            tans += [assign(self.d(t, p), pick(load(popped), p), s) for p in leaves(self.struct(t))]
            return [s] + self._tag(tans)
        if isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Call)):
            return self.operation(s, value, t)
        raise self.ctx.error(s, f"cannot differentiate a {type(value).__name__} expression yet", type(value).__name__)

    # -- operations ----------------------------------------------------------------------
    def operation(self, s, value, t):
        kind, rule, bound = operation_rule(JVP_RULES, value, self.program, self.ranks,
                                           lambda message, label: self.no_rule(s, message, label),
                                           missing="no forward-mode (JVP) rule for {}")
        if kind == "user":
            return self.user_call(s, rule, bound, t)
        is_active = {p: self.is_active(bound[p]) for p in rule.inputs}
        if rule.kind == "template":
            return self.template(s, value, t, rule, bound, is_active)
        return self.linear(s, value, t, rule, bound, is_active)

    def template(self, s, value, t, rule, bound, is_active):
        tangent_names, zero_names, mapping = set(), set(), {"ans": load(_ANS)}
        dropped_array, dropped_names = False, set()
        for p in rule.inputs:
            mapping[p] = bound[p]
            # a name holding a tuple/list of known structure has a tangent per leaf, not one
            whole = isinstance(bound[p], gast.Name) and self.struct(bound[p].id) is None
            tan = self.leaf_tangent(bound[p]) if is_active[p] and whole else None
            if is_active[p] and tan is None and not whole:
                tan = self.full_tangent(bound[p])  # a container argument: its tangent as a container
            if tan is None:
                name = self.namer.fresh(_ZERO)
                zero_names.add(name)
                tan = load(name)
                e = bound[p]
                if not (isinstance(e, gast.Constant) or isinstance(e, gast.Name) and self.ranks.of(e.id) == 0):
                    dropped_array = True
                    dropped_names.add(e.id if isinstance(e, gast.Name) else None)
            else:
                tangent_names |= {n.id for n in walk(tan) if isinstance(n, gast.Name)}
            mapping["d" + p] = tan
        options = {n: bound[n] for n, _ in rule.options if n in bound}
        stmts, result = instantiate(rule, self.program, self.namer, mapping, options)
        stmts, result = fold_body(stmts, result, tangent_names | zero_names, zero_names)
        if result is ZERO:
            return [s] + self._tag(self.zeros(t, s))
        elementwise = rule.template.__module__.endswith((".jvp_unary", ".jvp_binary"))
        if elementwise and not stmts and covers(result, dropped_names):
            dropped_array = False  # every term still broadcasts against the dropped inputs
        if dropped_array and self.ranks.of(t) != 0 and self.struct(t) is None:
            # An input's tangent was dropped: what is left may be smaller than the output.
            result = self.rt("broadcast_like", result, load(_ANS))
        elif self.mutates and isinstance(result, gast.Name):
            result = self.rt("copy_value", result)  # a fresh output must not alias a tangent
        stmts = [located(st, s) for st in stmts] + self.tangent_leaves(t, result, s)
        for st in stmts:
            fix_missing_locations(located(st, s))
        return self.order(s, t, stmts)

    def linear(self, s, value, t, rule, bound, is_active):
        """Linear functions: the same call on the tangents; multilinear ones: the sum of the
        calls with one active input replaced by its tangent."""
        def call_with(replace):
            new = clone(value)
            for p, repl in replace.items():
                replace_arg(new, value, bound[p], repl)
            return new

        lin = [p for p in rule.linear if is_active[p]]
        if rule.kind == "linear":
            result = call_with({p: self.full_tangent(bound[p]) for p in rule.linear})
        else:
            terms = [call_with({p: self.full_tangent(bound[p])}) for p in lin]
            result = terms[0]
            for term in terms[1:]:
                result = gast.BinOp(left=result, op=gast.Add(), right=term)
        if not lin:
            return [s] + self._tag(self.zeros(t, s))
        stmts = self.tangent_leaves(t, result, s)
        for stmt in stmts:
            fix_missing_locations(stmt)
        return self.order(s, t, stmts)

    def tangent_leaves(self, t, result, s):
        """`dt = result`, or for a tuple/list-valued primitive (`w_v = np.linalg.eigh(a)`,
        registry.OUTPUTS) one tangent per element: `dw_v_0 = result[0]`..., where an element
        folded to a literal zero gets `zeros_like` of the element."""
        paths = list(leaves(self.struct(t)))
        if paths == [()]:
            return [assign(self.d(t), result, s)]
        if isinstance(result, (gast.Tuple, gast.List)) and len(result.elts) == len(paths):
            out = []
            for p, e in zip(paths, result.elts):
                if isinstance(e, gast.Constant) and e.value == 0:
                    e = self.rt("zeros_like", pick(load(_ANS), p))
                out.append(assign(self.d(t, p), e, s))
            return out
        tmp = self.namer.fresh(f"d{t}_all")
        return [assign(tmp, result, s)] + [assign(self.d(t, p), pick(load(tmp), p), s) for p in paths]

    def user_call(self, s, callee, args, t):
        if callee.custom is not None:
            return self.custom_call(s, callee, args, t)
        params = [a.id for a in callee.tree.args.posonlyargs + callee.tree.args.args]
        wrt = tuple(p for p, a in zip(params, args) if self.has_tangent(a))
        # (the others' structures too: a tree_map over them is expanded in the twin)
        structs = {p: st for p, st in ((p, self.structs.expr(a)) for p, a in zip(params, args))
                   if p in wrt or st is not None}
        zeros = {p: {q for q in leaves(structs[p]) if self.leaf_tangent(a, q) is None}
                 for p, a in zip(params, args) if p in wrt and structs.get(p) is not None}
        # the callee's twin knows the ranks of the arguments known here (its rules pick
        # templates by them: np.linalg.solve of a vector b)
        ranks = {p: self.ranks.expr(a) for p, a in zip(params, args)}
        twin = self.fm.jvp(callee, wrt, structs=structs, ranks=ranks, zeros=zeros)
        tangents = [self.full_tangent(a) for p, a in zip(params, args) if p in wrt]
        lin = self.fm.linearized(callee, wrt, structs=structs, ranks=ranks, zeros=zeros)
        if lin is not None:
            # The helper's primal part and linear part as two calls, so that this function
            # separates too (linearize.py).
            linp, lint, n_res = lin
            held = self.namer.fresh(f"{callee.name}_lin")
            stmts = [assign(held, _call(linp, *[clone(a) for a in args]), s),
                     assign(t, gast.Subscript(value=load(held), slice=_const(0), ctx=gast.Load()), s)]
            resid = [gast.Subscript(value=gast.Subscript(value=load(held), slice=_const(1), ctx=gast.Load()),
                                    slice=_const(q), ctx=gast.Load()) for q in range(n_res)]
            dres = self.namer.fresh(f"d{callee.name}_res")
            tan = [assign(dres, _call(lint, *tangents, *resid), s)]
            tan += [assign(self.d(t, p), pick(load(dres), p), s) for p in self.result_leaves(twin, t)]
            return stmts + self._tag(tan)
        res = self.namer.fresh(f"{callee.name}_res")
        stmts = [assign(res, _call(twin, *tangents, *[clone(a) for a in args]), s)]
        stmts.append(assign(t, gast.Subscript(value=load(res), slice=_const(0), ctx=gast.Load()), s))
        dres = gast.Subscript(value=load(res), slice=_const(1), ctx=gast.Load())
        stmts += self._tag([assign(self.d(t, p), pick(clone(dres), p), s) for p in self.result_leaves(twin, t)])
        return stmts

    def result_leaves(self, twin, t):
        """The leaves of `t = helper(...)` whose tangent the helper's twin computes; the
        others are marked zero (symbolic zeros across the call)."""
        zero = self.fm.zero_leaves.get(twin, set())
        out = []
        for p in leaves(self.struct(t)):
            if p in zero and self.counts.get(t, 0) == 1:
                self.mark_zero(t, p)
            else:
                out.append(p)
        return out


def _custom_call(self, s, callee, args, t):
    """`t = f(a, b)` for a custom_jvp f: `res = f_jvp((a, b), (da, db))`, `t = res[0]`,
    `dt = res[1]`. custom_vjp functions have no forward mode (as in JAX)."""
    if callee.custom.kind != "jvp":
        raise TypeError(f"can't apply forward-mode autodiff (jvp) to a custom_vjp function ({callee.name}, "
                        f"called at {self.ctx.where(s)}); use custom_jvp for forward mode")
    rule = callee.custom_names["jvp"]
    primals = gast.Tuple(elts=[clone(a) for a in args], ctx=gast.Load())
    tangents = gast.Tuple(elts=[self.full_tangent(a) for a in args], ctx=gast.Load())
    res = self.namer.fresh(f"{callee.name}_jvp_res")
    stmts = [assign(res, _call(rule, primals, tangents), s)]
    stmts.append(assign(t, gast.Subscript(value=load(res), slice=_const(0), ctx=gast.Load()), s))
    dres = gast.Subscript(value=load(res), slice=_const(1), ctx=gast.Load())
    stmts += self._tag([assign(self.d(t, p), pick(clone(dres), p), s) for p in leaves(self.struct(t))])
    return stmts


_Forward.custom_call = _custom_call
