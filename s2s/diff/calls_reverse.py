"""Reverse mode for calls of the program's own functions (`reverse._Builder`): a helper's
contributions come from its VJP twin, called in the backward sweep with the output adjoint;
a custom_vjp function runs its fwd rule forward and its bwd rule backward; a custom_jvp
function's backward is the VJP of its JVP rule w.r.t. the tangents (the rule transposed).
"""
import gast

from ..parse.base import assign, clone, load
from .pytrees import StructureMismatch, Tree, build, pick
from .saving import _call, _const


class CallsMixin:
    """The call half of the reverse-mode builder (`reverse._Builder`)."""

    def user_call(self, s, callee, args, t, in_loop):
        if callee.custom is not None:
            return self.custom_call(s, callee, args, t, in_loop)
        params = [a.id for a in callee.tree.args.posonlyargs + callee.tree.args.args]
        wrt = tuple(p for p, a in zip(params, args) if isinstance(a, gast.Name) and a.id in self.active)
        for a in args:
            if isinstance(a, gast.Name) and a.id in self.active and a.id in self.lists:
                raise self.error(s, f"{a.id} is a list built in place: reverse mode cannot pass it to {callee.name} "
                                 f"yet; pass an array (np.stack({a.id})) instead", "list argument")
        # (the others' structures too: a tree_map over them is expanded in the twin)
        structs = {p: st for p, st in ((p, self.structs.expr(a)) for p, a in zip(params, args))
                   if p in wrt or st is not None}
        vjp_name = self.rm.vjp(callee, wrt, structs=structs)
        fwd, bwd, saved = [], [], []
        for a in args:
            f, b, e = self.save(a, in_loop, s, a.id if isinstance(a, gast.Name) else "arg")
            fwd += f
            bwd += b
            saved.append(e)
        res = self.namer.fresh(f"{callee.name}_grads")
        bwd.append(assign(res, gast.Subscript(value=_call(vjp_name, self.adj(t), *saved), slice=_const(1), ctx=gast.Load()), s))
        pairs = []
        k = 0
        for p, a in zip(params, args):
            if p in wrt:
                pairs.append((a.id, (), gast.Subscript(value=load(res), slice=_const(k), ctx=gast.Load())))
                k += 1
        return pairs, fwd, [], bwd

    def custom_call(self, s, callee, args, t, in_loop):
        """`t = f(a, b)` for a custom_vjp f: `res = f_fwd(a, b)`, `t = res[0]`, its residuals
        saved; backward: `cts = f_bwd(residuals, bt)`. For a custom_jvp f: the primal as
        is, backward: the VJP of its JVP rule w.r.t. the tangents (the rule's transpose)."""
        names, fwd, fwd_after, bwd = callee.custom_names, [], [], []
        active = [isinstance(a, gast.Name) and a.id in self.active for a in args]
        if callee.custom.kind == "vjp":
            res = self.namer.fresh(f"{callee.name}_fwd_res")
            fwd.append(assign(res, _call(names["fwd"], *[clone(a) for a in args]), s))
            s.value = gast.Subscript(value=load(res), slice=_const(0), ctx=gast.Load())
            resid_b = self.keep(gast.Subscript(value=load(res), slice=_const(1), ctx=gast.Load()), in_loop, s,
                                "residuals", fwd_after, bwd)
            self._check_bwd_arity(s, callee, len(args))
            cts = self.namer.fresh(f"{callee.name}_cts")
            bwd.append(assign(cts, _call(names["bwd"], resid_b, self.adj(t)), s))
        else:
            rule = next(c for c in self.program.functions if c.name == names["jvp"])
            rparams = [a.id for a in rule.tree.args.posonlyargs + rule.tree.args.args]
            if len(rparams) != 2:
                raise self.error(s, f"the JVP rule of {callee.name} must take (primals, tangents)", "custom_jvp")
            arg_structs = [self.structs.expr(a) for a in args]  # a dict argument: its tangent is a dict too
            tangents = Tree.seq("tuple", arg_structs)
            primals = Tree.seq("tuple", arg_structs)
            vjp_name = self.rm.vjp(rule, (rparams[1],), seed_index=1,
                                   structs={rparams[0]: primals, rparams[1]: tangents})
            saved = []
            for a in args:
                f, b, e = self.save(a, in_loop, s, a.id if isinstance(a, gast.Name) else "arg")
                fwd += f
                bwd += b
                saved.append(e)
            zeros = [build(st, lambda p, e=e: self.rt("zeros_like", pick(clone(e), p)))
                     for st, e in zip(arg_structs, saved)]
            res = self.namer.fresh(f"{callee.name}_jvp_t")
            call = _call(vjp_name, self.adj(t), gast.Tuple(elts=saved, ctx=gast.Load()),
                         gast.Tuple(elts=zeros, ctx=gast.Load()))
            bwd.append(assign(res, call, s))
            cts = self.namer.fresh(f"{callee.name}_cts")
            bwd.append(assign(cts, gast.Subscript(value=gast.Subscript(value=load(res), slice=_const(1), ctx=gast.Load()),
                                                  slice=_const(0), ctx=gast.Load()), s))
        pairs = [(a.id, (), gast.Subscript(value=load(cts), slice=_const(k), ctx=gast.Load()))
                 for k, (a, on) in enumerate(zip(args, active)) if on]
        return pairs, fwd, fwd_after, bwd

    def _check_bwd_arity(self, s, callee, n):
        """JAX's TypeError when a custom_vjp's bwd rule returns a tuple (that the structure
        pass can see) with other than one cotangent per differentiable argument."""
        bwd = next(c for c in self.program.functions if c.name == callee.custom_names["bwd"])
        try:
            out = self.structs.returns(bwd, {})
        except StructureMismatch:
            return
        if out is not None and out.kind in ("tuple", "list") and len(out.keys) != n:
            name = callee.custom.__name__
            at = "" if self.ctx.filename.startswith("<s2s") else f" (called at {self.ctx.where(s)})"
            raise TypeError(
                f"the custom_vjp bwd rule {callee.custom.bwd.__name__} of {name}{at} returns a {out.kind} of "
                f"{len(out.keys)} cotangent(s); it must return a tuple with one cotangent per differentiable "
                f"argument of {name}: {n}")
