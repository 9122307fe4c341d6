"""Loops over a container of known structure, unrolled for differentiation.

`for W, b in params:` over a list of (matrix, vector) pairs -- JAX's MLP -- is lowered by
the parser to an index loop, `for i in range(len(params)): W_b = params[i]; ...`. While
differentiating, `params` is a pytree of known length whose elements may differ in shape
(W1 is 3x4, W2 4x2): its adjoints are one variable per leaf, reached by constant indices
only, and numba could not index such a tuple with a run-time `i` either. So such a loop
is unrolled, one copy of the body per element:

    n = len(params)                       n = len(params)
    for i in range(n):                    i = 0
        W_b = params[i]            ->     W_b = params[0]
        <body>                            <body>
                                          i = 1
                                          W_b = params[1]
                                          <body>

Only loops over a differentiated container (an argument's pytree, a literal `[a, b, c]`,
`d.items()` / `d.values()` of a dict of known keys, taken as the tuple literal they list)
are unrolled; loops over arrays and lists built by `append` stay loops. The pytree functions'
calls (`tree_map_of`, `tree_leaves_of`) are expanded first (diff/tree_calls.py); a loop over
a list of leaves is unrolled too.
"""
import copy

import gast

from ..naming import Namer
from ..parse.base import assign, clone, fix_missing_locations, load, located, walk
from .activity import resolve_callee
from .dict_loops import RunTimeOrder, fold_constant_keys, gather_dict_stores, key_tuples, rewrite_dict_iteration
from .pytrees import StructureMismatch, Structures
from .tree_calls import expand_tree_calls, leaf_lists, tree_call_name


def _range_count(loop, lengths):
    """The container `S` of `for i in range(len(S))` / `n = len(S); for i in range(n)`."""
    it = loop.iter
    if not (isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "range"
            and len(it.args) == 1 and not it.keywords and isinstance(loop.target, gast.Name)):
        return None
    n = it.args[0]
    if isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and n.func.id == "len" and len(n.args) == 1 \
            and isinstance(n.args[0], gast.Name):
        return n.args[0].id
    if isinstance(n, gast.Name):
        return lengths.get(n.id)
    return None


def _lengths(stmts):
    """{n: S} for names only ever assigned `len(S)` (once, or in each unrolled copy of a
    loop)."""
    out, seen = {}, {}
    for s in stmts:
        for node in walk(s):
            if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
                t = node.targets[0].id
                seen[t] = seen.get(t, 0) + 1
                v = node.value
                if isinstance(v, gast.Call) and isinstance(v.func, gast.Name) and v.func.id == "len" \
                        and len(v.args) == 1 and isinstance(v.args[0], gast.Name):
                    out.setdefault(t, []).append(v.args[0].id)
    return {t: s[0] for t, s in out.items() if seen[t] == len(s) and len(set(s)) == 1}


def _assigned(stmts):
    return {n.id for s in stmts for n in walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}


def _jumps(stmts):
    """A break/continue of this loop (not of a loop inside it)."""
    for s in stmts:
        if isinstance(s, (gast.Break, gast.Continue)):
            return True
        if isinstance(s, gast.If) and (_jumps(s.body) or _jumps(s.orelse)):
            return True
    return False


def _find(stmts, structs, lengths, active):
    """(statement list, index) of the first loop to unroll, pre-order."""
    for k, s in enumerate(stmts):
        if isinstance(s, gast.For):
            seq = _range_count(s, lengths)
            struct = structs.of.get(seq) if seq is not None else None
            if struct is not None and struct.kind in ("list", "tuple") and seq in active \
                    and seq not in _assigned(s.body) and not _jumps(s.body) and not s.orelse:
                return stmts, k
        if not isinstance(s, gast.FunctionDef):
            for field in ("body", "orelse"):
                found = _find(getattr(s, field, []), structs, lengths, active)
                if found is not None:
                    return found
    return None


class _Index(gast.NodeTransformer):
    """`S[i]` -> `S[k]`."""

    def __init__(self, seq, i, k):
        self.seq, self.i, self.k = seq, i, k

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.value, gast.Name) and node.value.id == self.seq and isinstance(node.slice, gast.Name) \
                and node.slice.id == self.i:
            node.slice = gast.Constant(value=self.k, kind=None)
        return node


def _dict_views(stmts, known, namer):
    """`t = d.items()` / `d.values()` / `d.keys()` of a dict of known keys -> its elements
    named, then the tuple literal of them in the dict's order (normalized form: literals
    hold names): `t_a = d['a']; t_b = d['b']; t = (('a', t_a), ('b', t_b))`. True if any."""
    changed = False
    for k, s in enumerate(list(stmts)):
        if not isinstance(s, gast.FunctionDef):
            for field in ("body", "orelse"):
                changed |= _dict_views(getattr(s, field, []), known, namer)
        v = s.value if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) else None
        if not (isinstance(v, gast.Call) and not v.args and not v.keywords and isinstance(v.func, gast.Attribute)
                and v.func.attr in ("items", "values", "keys") and isinstance(v.func.value, gast.Name)):
            continue
        struct = known.of.get(v.func.value.id)
        if struct is None or struct.kind != "dict":
            continue
        d, kind, t = v.func.value.id, v.func.attr, s.targets[0].id
        pre, names = [], []
        if kind != "keys":
            for key in struct.keys:
                name = namer.fresh(f"{t}_{key}" if isinstance(key, str) and key.isidentifier() else t)
                item = gast.Subscript(value=load(d), slice=gast.Constant(value=key, kind=None), ctx=gast.Load())
                pre.append(assign(name, item, s))
                names.append(name)

        def elt(j, key):
            c = gast.Constant(value=key, kind=None)
            return c if kind == "keys" else load(names[j]) if kind == "values" else \
                gast.Tuple(elts=[c, load(names[j])], ctx=gast.Load())
        s.value = located(gast.Tuple(elts=[elt(j, key) for j, key in enumerate(struct.keys)], ctx=gast.Load()), s)
        s.s2s_dict_view = True
        fix_missing_locations(s)
        i = next(j for j, x in enumerate(stmts) if x is s)
        stmts[i:i] = pre
        changed = True
    return changed


def unroll_container_loops(tree, program, structs, active_of, namer):
    """Unroll, in place, the loops of `tree` over containers of known structure.
    `structs`: the parameters' structures; `active_of(tree)`: the active names."""
    for _ in range(1000):
        try:
            known = Structures(tree, program, structs)
            views = _dict_views(tree.body, known, namer)
            if rewrite_dict_iteration(tree.body, known, namer, program, _lengths(tree.body), _range_count) or views:
                known = Structures(tree, program, structs)
        except StructureMismatch:
            return  # reported by the caller's own analysis
        except RunTimeOrder as e:
            ctx = next((c for c in program.functions if c.tree is tree or c.name == tree.name), None)
            if ctx is None:
                raise
            raise e.error(ctx) from None
        if expand_tree_calls(tree, known, namer, program):
            continue
        found = _find(tree.body, known, _lengths(tree.body), active_of(tree) | leaf_lists(tree) | set(key_tuples(tree)))
        if found is None:
            fold_constant_keys(tree)
            gather_dict_stores(tree.body, namer)
            return
        stmts, k = found
        loop = stmts[k]
        seq, i = _range_count(loop, _lengths(tree.body)), loop.target.id
        copies = []
        for j in range(len(known.of[seq].keys)):
            set_i = gast.Assign(targets=[gast.Name(id=i, ctx=gast.Store(), annotation=None, type_comment=None)],
                                value=gast.Constant(value=j, kind=None), type_comment=None)
            copies.append(located(set_i, loop))
            for s in loop.body:
                copies.append(_Index(seq, i, j).visit(clone(s)))
        stmts[k:k + 1] = copies or [located(gast.Pass(), loop)]


def specialize_for_trees(program, arg_structs, kwarg_structs=None):
    """jit (nothing differentiated): the pytree calls of the entry expanded for the
    structures of the arguments passed, and those of every helper it reaches with containers
    of known structure, in a copy of the helper made for them (`l2(params)` -> `l2_1(params)`);
    loops over lists of leaves unrolled (numba cannot index a tuple of arrays of different
    ranks at a run-time index). Other loops stay loops. Functions without pytree calls (nor
    calls of functions that have some) are left as they are."""
    with_trees = _functions_with_tree_calls(program)
    entry = program.entry
    if entry.name not in with_trees:
        return
    positional = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    structs = dict(zip(positional, arg_structs))
    structs.update(kwarg_structs or {})
    _specialize(program, entry, {k: v for k, v in structs.items() if v is not None}, with_trees, _copies(program))


def specialized_copy(program, ctx, structs):
    """The name of a function to call for `ctx` given parameters of `structs` ({name:
    structure}): a copy made for them (see specialize_for_trees) where ctx has pytree calls
    or dict loops, else ctx's own. (The primal call of a Jacobian, a dict argument's.)"""
    with_trees = _functions_with_tree_calls(program)
    given = {k: v for k, v in structs.items() if v is not None}
    if ctx.name not in with_trees or not given:
        return ctx.name
    return _copy_for(program, ctx, given, with_trees, _copies(program))


def _iterates(n):
    """A loop, a dict view or d.get: what a dict's known keys write out (dict_loops.py)."""
    return isinstance(n, gast.For) or isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) \
        and (n.func.attr in ("items", "values", "keys") and not n.args or n.func.attr == "get")


def _functions_with_tree_calls(program):
    """The names of the functions that call tree_map_of / tree_leaves_of or may iterate a
    dict, or call such a function."""
    calls = {}
    found = set()
    for ctx in program.functions:
        callees = set()
        for n in walk(ctx.tree):
            if _iterates(n):
                found.add(ctx.name)
            if isinstance(n, gast.Call):
                if tree_call_name(n, program):
                    found.add(ctx.name)
                callee = resolve_callee(n.func, program)
                if callee.kind == "user":
                    callees.add(callee.obj.name)
        calls[ctx.name] = callees
    changed = True
    while changed:
        changed = False
        for name, callees in calls.items():
            if name not in found and callees & found:
                found.add(name)
                changed = True
    return found


def written_out(ctx, program, structs):
    """A copy of ctx's tree with its loops over dicts of `structs` written out (what its
    version for them returns: a dict built in such a loop gets its keys)."""
    tree = clone(ctx.tree)
    if any(_iterates(n) for n in walk(tree)):
        names = {n.id for n in walk(tree) if isinstance(n, gast.Name)}
        unroll_container_loops(tree, program, {k: v for k, v in structs.items() if v is not None}, _view_names,
                               Namer(reserved=names))
    return tree


def _view_names(tree):
    """Names assigned dict views written out (`_dict_views`): in code not differentiated,
    the loops to unroll are those over these (numba cannot index a tuple of mixed types at a
    run-time index) and over keys tuples."""
    return {n.targets[0].id for n in walk(tree)
            if isinstance(n, gast.Assign) and getattr(n, "s2s_dict_view", False)}


def _specialize(program, ctx, structs, with_trees, made):
    unroll_container_loops(ctx.tree, program, structs, _view_names, ctx.namer)
    try:
        known = Structures(ctx.tree, program, structs)
    except StructureMismatch:
        return
    _redirect(program, ctx, known, with_trees, made)


def redirect_calls(program, ctx, structs):
    """The calls in `ctx` (a derivative function: its primal parts) of functions with pytree
    calls or dict loops, given containers of known structure, go to copies made for them."""
    structs = {k: v for k, v in structs.items() if v is not None}
    if structs:
        _redirect(program, ctx, _Parameters(structs), _functions_with_tree_calls(program), _copies(program))


class _Parameters:
    """The structures of a derivative function's parameters and their constant-key elements
    (structure inference over derivative code would respecialize its nested calls again)."""

    def __init__(self, structs):
        self.structs = structs

    def expr(self, e):
        if isinstance(e, gast.Name):
            return self.structs.get(e.id)
        if isinstance(e, gast.Subscript) and isinstance(e.slice, gast.Constant):
            base = self.expr(e.value)
            k = base.key(e.slice.value) if base is not None else None
            return base.child(k) if k is not None else None
        return None


def _copies(program):
    return program.__dict__.setdefault("_s2s_structure_copies", {})


def _redirect(program, ctx, known, with_trees, made):
    for n in walk(ctx.tree):
        if not isinstance(n, gast.Call):
            continue
        callee = resolve_callee(n.func, program)
        if callee.kind != "user" or callee.obj.name not in with_trees or callee.obj.transform is not None:
            continue
        params = [a.id for a in callee.obj.tree.args.posonlyargs + callee.obj.tree.args.args]
        given = {p: st for p, st in ((p, known.expr(a)) for p, a in zip(params, n.args)) if st is not None}
        if given:
            name = _copy_for(program, callee.obj, given, with_trees, made)
            n.func = located(gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None), n.func)


def _copy_for(program, ctx, given, with_trees, made):
    """The name of `ctx`'s copy for parameters of structures `given` (ctx's own when the
    copy would be the same code)."""
    key = (ctx.name, tuple(sorted(given.items())))
    if key not in made:
        new = copy.copy(ctx)
        new.tree = clone(ctx.tree)
        new.name = new.tree.name = program.namer.fresh(ctx.name)
        program.functions.append(new)
        made[key] = new.name  # (before its body: a recursive call finds it)
        _specialize(program, new, given, with_trees, made)
        new.tree.name = ctx.name
        same = gast.dump(new.tree) == gast.dump(ctx.tree)
        new.tree.name = new.name
        if same and not any(isinstance(c, gast.Name) and c.id == new.name for c in walk(new.tree)):
            program.functions.remove(new)
            made[key] = ctx.name
    return made[key]
