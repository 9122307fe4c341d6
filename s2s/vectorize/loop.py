"""Loop batching: `vmap(f)` as a generated loop over the batch that calls f per example.

    def f_vmap(x, y):                        # in_axes=(1, None), out_axes=0
        n = x.shape[1]
        r = f(x[:, 0], y)                    # example 0: the output's shapes and dtypes
        o0 = batch_alloc(r, n)
        o0[0] = r
        for b in range(1, n):
            r = f(x[:, b], y)
            o0[b] = r
        return o0

Every example runs f's own code, so value-dependent `if`/`while`/`break` work per example
(what `jax.vmap` cannot do), helper calls and recursion included; the loop is ordinary
generated code, so `jit` compiles it into one numba function and `grad` differentiates it.
The batch axis of each argument is sliced with a literal index expression (`x[:, b]`),
each output leaf is allocated batch-first and moved to its `out_axes` position at the end.
Everything that depends on the arguments (which leaves are mapped, along which axis, the
numbers of dimensions, pytree structures) is fixed when the wrapper is generated.
"""
import copy

import gast

from ..codegen.module import GeneratedModule
from ..parse.base import clone, located, walk
from ..naming import NUMPY_ALIAS as NUMPY
from ..naming import LocalNames
from ..parse.pipeline import build_program
from . import runtime
from .parallel import shared_write


def _index(expr, axis, b, contiguous):
    """`expr` indexed at `b` along `axis`: `x[b]`, `x[:, b]` (a C-contiguous copy along a
    later axis: numba reshapes only contiguous arrays)."""
    text = f"{expr}[{', '.join([':'] * axis + [b])}]"
    return f"{contiguous}({text})" if axis else text


def build_vmap_module(fn, in_axes, arg_structs, size, out_axes, out_ranks_hint=None, parallel=False):
    """GeneratedModule for the loop-batched `fn`.

    `in_axes[i]`: for positional argument i, {leaf path: axis or None} (axes normalized,
    non-negative); `arg_structs[i]` its pytree structure; `size`: the batch size as a
    literal when no argument is mapped (axis_size), else None; `out_axes`: a function
    (leaf path, per-example rank) -> normalized axis or None; `parallel`: the loop over
    examples is a `prange` (for numba) when no function of the program writes into memory
    it was given (then examples cannot see each other's writes).
    Returns (module, wrapper name, output structure).
    """
    from ..diff.pytrees import Structures, container_text, leaves, subscript_text
    from ..diff.program import _diff_passes

    program = build_program(fn)
    _diff_passes(program)
    entry = program.entry
    params = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    out_struct = Structures(entry.tree, program, {p: s for p, s in zip(params, arg_structs) if s}).returns(
        entry, {p: s for p, s in zip(params, arg_structs) if s})
    N = LocalNames(params)
    n, r, b = N["n"], N["r"], N["b"]
    rt = lambda name: program.constant(getattr(runtime, name), name)  # noqa: E731
    mapped = [(i, path, ax) for i, axes in enumerate(in_axes) for path, ax in axes.items() if ax is not None]
    lines = ["def _():"]
    if mapped:
        i, path, ax = mapped[0]
        lines.append(f"    {n} = {subscript_text(params[i], path)}.shape[{ax}]")
    else:
        lines.append(f"    {n} = {int(size)}")

    def call(at):
        args = []
        for i, p in enumerate(params):
            axes = in_axes[i] if i < len(in_axes) else {(): None}
            if all(a is None for a in axes.values()):
                args.append(p)
            else:
                args.append(container_text(arg_structs[i], lambda path: subscript_text(p, path) if axes.get(path) is None
                                       else _index(subscript_text(p, path), axes[path], at, f"{NUMPY}.ascontiguousarray")))
        return f"{entry.name}({', '.join(args)})"

    out_leaves = list(leaves(out_struct))
    depends = _dependence(entry.tree, {params[i] for i, _, _ in mapped})
    outs = {m: N[f"o{k}"] for k, m in enumerate(out_leaves)}
    lines.append(f"    {r} = {call('0')}")
    batched = {}
    for m in out_leaves:
        batched[m] = out_axes(m)
        if batched[m] is None and depends(m):
            raise ValueError(f"vmap has mapped output but out_axes is None (output leaf {list(m)} of "
                             f"{entry.name} depends on a mapped argument)")
        if batched[m] is None:
            lines.append(f"    {outs[m]} = {subscript_text(r, m)}")
        else:
            lines.append(f"    {outs[m]} = {rt('batch_alloc')}({subscript_text(r, m)}, {n})")
            lines.append(f"    {outs[m]} = {rt('batch_set')}({outs[m]}, 0, {subscript_text(r, m)})")
    if any(a is not None for a in batched.values()):
        if parallel and shared_write(program) is None:
            # numba: each thread stores its examples' results (no dtype to widen: typed).
            import numba

            rb = N["rb"]
            lines.append(f"    for {b} in {program.constant(numba.prange, 'prange')}(1, {n}):")
            lines.append(f"        {rb} = {call(b)}")
            for m in out_leaves:
                if batched[m] is not None:
                    lines.append(f"        {outs[m]}[{b}] = {subscript_text(rb, m)}")
        else:
            lines.append(f"    for {b} in range(1, {n}):")
            lines.append(f"        {r} = {call(b)}")
            for m in out_leaves:
                if batched[m] is not None:
                    lines.append(f"        {outs[m]} = {rt('batch_set')}({outs[m]}, {b}, {subscript_text(r, m)})")

    def placed(m):
        ax = batched[m]
        if not ax:
            return outs[m]
        return f"{rt('move_batch_axis')}({outs[m]}, {ax})"
    lines.append(f"    return {container_text(out_struct, placed)}")
    name = program.namer.fresh(f"{entry.name}_vmap")
    lines[0] = f"def {name}():"
    tree = gast.parse("\n".join(lines) + "\n").body[0]
    tree.args = clone(entry.tree.args)
    for node in walk(tree):
        located(node, entry.tree)
    ctx = copy.copy(entry)
    ctx.tree, ctx.name = tree, name
    program.functions.append(ctx)
    return GeneratedModule(program, title="vmap"), name, out_struct


def _dependence(tree, mapped):
    """`depends(path)`: does output leaf `path` depend on the `mapped` parameters, through
    data or control (an assignment under a branch or loop whose test depends on them)?"""
    tainted = set(mapped)

    def reads(node):
        return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}

    def visit(stmts, control):
        changed = False
        for s in stmts:
            if isinstance(s, gast.Assign):
                if control or reads(s.value) & tainted or any(reads(t) & tainted for t in s.targets):
                    for t in s.targets:
                        base = t
                        while isinstance(base, (gast.Subscript, gast.Attribute)):
                            base = base.value
                        for n in walk(base):
                            if isinstance(n, gast.Name) and n.id not in tainted:
                                tainted.add(n.id)
                                changed = True
            elif isinstance(s, gast.Expr) and reads(s.value) & tainted:
                for n in reads(s.value):  # a call that may update its arguments in place
                    if n not in tainted:
                        tainted.add(n)
                        changed = True
            elif isinstance(s, (gast.If, gast.While)):
                inner = control or bool(reads(s.test) & tainted)
                changed |= visit(s.body, inner) | visit(s.orelse, inner)
            elif isinstance(s, gast.For):
                inner = control or bool(reads(s.iter) & tainted)
                if inner and s.target.id not in tainted:
                    tainted.add(s.target.id)
                    changed = True
                changed |= visit(s.body, inner)
        return changed

    while visit(tree.body, False):
        pass
    ret = tree.body[-1] if tree.body and isinstance(tree.body[-1], gast.Return) else None

    packs = {}  # a name assigned once, a container literal: `t = (a, b); return t`
    counts = {}
    for node in walk(tree):
        if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
            counts[node.targets[0].id] = counts.get(node.targets[0].id, 0) + 1
            if isinstance(node.value, (gast.Tuple, gast.List, gast.Dict)):
                packs[node.targets[0].id] = node.value

    def depends(path):
        if ret is None or ret.value is None:
            return False
        value = ret.value
        for k in path:
            while isinstance(value, gast.Name) and counts.get(value.id) == 1 and value.id in packs:
                value = packs[value.id]
            if isinstance(value, (gast.Tuple, gast.List)) and isinstance(k, int):
                value = value.elts[k]
            elif isinstance(value, gast.Dict):
                match = [v for kk, v in zip(value.keys, value.values) if isinstance(kk, gast.Constant) and kk.value == k]
                value = match[0] if match else value
                if not match:
                    break
            else:
                break
        return bool(reads(value) & tainted)
    return depends
