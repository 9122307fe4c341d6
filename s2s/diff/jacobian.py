"""Jacobian functions as generated source: `f_jacfwd` (one JVP per input element) and
`f_jacrev` (one VJP per output element), for arrays, scalars and pytrees on both sides.

    def f_jacfwd(params, x):                 # params = {"w": ..., "b": ...}
        res0 = f(params, x)                  # the output, for its shapes
        J0_0_0 = jac_alloc(res0, params["w"])
        for j in range(out_size(params["w"])):
            res = f_jvp({"w": basis(params["w"], j), "b": z0_1}, params, x)
            J0_0_0 = jac_col(J0_0_0, j, res[1])
        ...
        return {"w": J0_0_0, "b": J0_1_0}

The result nests as JAX's: output structure outside, then the tuple over `argnums` (when
`argnums` is a tuple), then the input's structure; each leaf is a Jacobian of shape
`out_leaf.shape + in_leaf.shape`. The sweep is a loop in the generated function, so `jit`
compiles all of it.
"""
import copy

import gast

from ..codegen.module import GeneratedModule
from ..codegen.remember import remembered
from ..parse.base import clone, located, walk
from ..parse.pipeline import build_program
from ..naming import LocalNames
from .pytrees import Structures, container_text, fields_as_indices, given_structs, leaves, subscript_text
from .unroll import specialized_copy


def _result(out_struct, in_structs, single, jac):
    """The nested result: output structure, then argnums (unless single), then input."""
    def per_out(m):
        per_arg = [container_text(in_structs[k], lambda l, k=k: jac[(k, l, m)]) for k in range(len(in_structs))]
        return per_arg[0] if single else "(" + ", ".join(per_arg) + ("," if len(per_arg) == 1 else "") + ")"
    return container_text(out_struct, per_out)


def _fresh_args(program, params, rt):
    """The arguments of a call of the function (or of its JVP twin) that must not change the
    caller's: copies where a function of the program stores into one of its parameters
    (`x[0] = v`): the Jacobian's primal call and each of its forward sweeps see the values
    passed, and the caller's arrays stay as they were (as under grad, whose VJP restores them)."""
    if not any(isinstance(n, gast.Assign) and any(
            isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name) and t.value.id in ctx_params
            for t in n.targets)
            for ctx in program.functions
            for ctx_params in [{a.id for a in ctx.tree.args.posonlyargs + ctx.tree.args.args}]
            for n in walk(ctx.tree)):
        return ", ".join(params)
    return ", ".join(f"{rt('copy_value')}({p})" for p in params)


def _finish(lines, entry, program, name, title):
    fn = gast.parse("\n".join(lines) + "\n").body[0]
    fn.args = clone(entry.tree.args)
    for node in walk(fn):
        located(node, entry.tree)
    ctx = copy.copy(entry)
    ctx.tree = fn
    ctx.name = name
    program.functions.append(ctx)
    return GeneratedModule(program, title=title), name


def _out_struct(program, entry, params, argnums, structs, has_aux, others=()):
    """The structure of the differentiated output (element 0 of the pair with has_aux)."""
    given = given_structs(params, [params[i] for i in argnums], structs, others)
    out_struct = Structures(entry.tree, program, given).returns(entry, {k: v for k, v in given.items() if v})
    if has_aux:
        if out_struct is None or out_struct.kind == "dict" or len(out_struct.keys) != 2:
            raise TypeError("has_aux=True requires the function to return a pair (value, aux), written as a tuple "
                            f"in its return statement ({entry.name})")
        out_struct = out_struct.children[0]
    return out_struct


@remembered
def build_jacfwd_module(fn, argnums, single, has_aux, ranks=None, structs=None, suffix="jacfwd", of_grad=False,
                        nones=(), others=()):
    """GeneratedModule for the forward-mode Jacobian of `fn` w.r.t. positional `argnums`
    (`structs`: the pytree structure of each differentiated argument, None for arrays).
    `of_grad`: fn is the gradient of a function w.r.t. these arguments (a Hessian): each
    output leaf is the gradient for an input leaf, of its shape and -- as JAX's cotangents
    -- of its dtype, which the Jacobian takes (derivative code may have computed it wider)."""
    from .forward import ForwardMode

    structs = tuple(structs or (None,) * len(argnums))
    from .program import _diff_passes, structured

    program = build_program(structured(fn, argnums, structs, others), known_none=nones)
    entry = program.entry
    params = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    fields_as_indices(entry, given_structs(params, [params[i] for i in argnums], structs, others))
    _diff_passes(program)
    out_struct = _out_struct(program, entry, params, argnums, structs, has_aux, others)
    fm = ForwardMode(program)
    rank_of = dict(zip(params, ranks or ()))
    N = LocalNames(params)
    res0, out, j, res = N["res0"], N["out"], N["j"], N["res"]
    fresh_args = _fresh_args(program, params, fm.runtime)
    rt = fm.runtime
    # every argument's structure, the other differentiated ones' too (a dict read by d.get)
    known = given_structs(params, [params[i] for i in argnums], structs, others)
    twins = [fm.jvp(entry, (params[i],), structs=known, ranks=rank_of) for i in argnums]
    lins = [fm.linearized(entry, (params[i],), structs=known, ranks=rank_of) for i in argnums]
    lines = ["def _():"]
    for k, lin in enumerate(lins):
        if lin is not None:  # the primal part once (it also gives the output)
            lines.append(f"    {N[f'lin{k}']} = {lin[0]}({fresh_args})")
    first = next((k for k, lin in enumerate(lins) if lin is not None), None)
    primal = specialized_copy(program, entry, given_structs(params, [params[i] for i in argnums], structs, others))
    lines.append(f"    {res0} = {primal}({fresh_args})" if first is None else f"    {res0} = {N[f'lin{first}']}[0]")
    lines.append(f"    {out} = {res0}[0]" if has_aux else f"    {out} = {res0}")
    jac = {}
    for k, (i, struct) in enumerate(zip(argnums, structs)):
        w = params[i]
        twin, lin = twins[k], lins[k]
        if lin is not None:
            # The linear part per basis vector, on the residuals of the primal part.
            linp, lint, n_res = lin
            resid = [N[f"r{k}_{q}"] for q in range(n_res)]
            lines += [f"    {r} = {N[f'lin{k}']}[1][{q}]" for q, r in enumerate(resid)]
        in_leaves = list(leaves(struct))
        zeros = {}
        if len(in_leaves) > 1:
            for li, l in enumerate(in_leaves):
                zeros[l] = N[f"z{k}_{li}"]
                lines.append(f"    {zeros[l]} = {rt('zeros_like')}({subscript_text(w, l)})")
        for li, l in enumerate(in_leaves):
            for mi, m in enumerate(leaves(out_struct)):
                jac[(k, l, m)] = N[f"J{k}_{li}_{mi}"]
                like = subscript_text(out, m)
                if of_grad:  # the input leaf that output leaf m is the gradient for
                    a, path = (argnums[0], m) if single else (argnums[m[0]], m[1:])
                    like = subscript_text(params[a], path)
                lines.append(f"    {jac[(k, l, m)]} = {rt('jac_alloc')}({like}, {subscript_text(w, l)})")
            tangent = container_text(struct, lambda p, l=l: f"{rt('basis')}({subscript_text(w, l)}, {j})" if p == l else zeros[p])
            lines.append(f"    for {j} in range({rt('out_size')}({subscript_text(w, l)})):")
            if lin is None:
                lines.append(f"        {res} = {twin}({tangent}, {fresh_args})")
                dout = f"{res}[1][0]" if has_aux else f"{res}[1]"
            else:
                lines.append(f"        {res} = {lint}({', '.join([tangent] + resid)})")
                dout = f"{res}[0]" if has_aux else res
            for m in leaves(out_struct):
                lines.append(f"        {jac[(k, l, m)]} = {rt('jac_col')}({jac[(k, l, m)]}, {j}, {subscript_text(dout, m)})")
    result = _result(out_struct, structs, single, jac)
    lines.append(f"    return ({result}, {res0}[1])" if has_aux else f"    return {result}")
    base = entry.name[:-len("_jacrev")] if suffix == "hessian" and entry.name.endswith("_jacrev") else entry.name
    base = base[:-len("_grad")] if suffix == "hessian" and base.endswith("_grad") else base
    name = program.namer.fresh(f"{base}_{suffix}")
    lines[0] = f"def {name}():"
    return _finish(lines, entry, program, name, "jacfwd" if suffix == "jacfwd" else suffix)


@remembered
def build_jacrev_module(fn, argnums, single, has_aux, ranks=None, structs=None, suffix="jacrev", nones=(), others=(),
                        holomorphic=False):
    """GeneratedModule for the reverse-mode Jacobian of `fn` w.r.t. positional `argnums`
    (`nones`: parameters given None; `holomorphic`: a complex output is allowed, its rows
    the VJPs of real basis cotangents -- the complex Jacobian of a holomorphic function)."""
    from .program import _reverse

    structs = tuple(structs or (None,) * len(argnums))
    program, entry, rm, vjp_name = _reverse(fn, argnums, has_aux, structs, ranks, nones, others)
    params = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    out_struct = _out_struct(program, entry, params, argnums, structs, has_aux, others)
    N = LocalNames(params)
    res0, out, i, res, grads = N["res0"], N["out"], N["i"], N["res"], N["grads"]
    call_args = ", ".join(params)
    rt = rm.runtime
    primal = specialized_copy(program, entry, given_structs(params, [params[i] for i in argnums], structs, others))
    lines = ["def _():", f"    {res0} = {primal}({_fresh_args(program, params, rm.runtime)})"]
    lines.append(f"    {out} = {res0}[0]" if has_aux else f"    {out} = {res0}")
    out_leaves = list(leaves(out_struct))
    if not holomorphic:
        lines.append(f"    {out} = {rt('real_output')}({out})")
    zeros = {}
    if len(out_leaves) > 1:
        for mi, m in enumerate(out_leaves):
            zeros[m] = N[f"z{mi}"]
            lines.append(f"    {zeros[m]} = {rt('zeros_like')}({subscript_text(out, m)})")
    jac = {}
    for k, (a, struct) in enumerate(zip(argnums, structs)):
        for li, l in enumerate(leaves(struct)):
            for mi, m in enumerate(out_leaves):
                jac[(k, l, m)] = N[f"J{k}_{li}_{mi}"]
                lines.append(f"    {jac[(k, l, m)]} = {rt('jac_alloc')}({subscript_text(out, m)}, {subscript_text(params[a], l)})")
    for m in out_leaves:
        ct = container_text(out_struct, lambda p, m=m: f"{rt('basis')}({subscript_text(out, m)}, {i})" if p == m else zeros[p])
        lines.append(f"    for {i} in range({rt('out_size')}({subscript_text(out, m)})):")
        lines.append(f"        {res} = {vjp_name}({ct}, {call_args})")
        lines.append(f"        {grads} = {res}[1]")
        for k, struct in enumerate(structs):
            for l in leaves(struct):
                row = subscript_text(f"{grads}[{k}]", l)
                lines.append(f"        {jac[(k, l, m)]} = {rt('jac_row')}({jac[(k, l, m)]}, {i}, {row})")
    result = _result(out_struct, structs, single, jac)
    lines.append(f"    return ({result}, {res0}[1])" if has_aux else f"    return {result}")
    name = program.namer.fresh(f"{entry.name}_{suffix}")
    lines[0] = f"def {name}():"
    return _finish(lines, entry, program, name, "jacrev")
