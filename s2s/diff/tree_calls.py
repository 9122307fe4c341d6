"""The pytree functions of transformed code, expanded once the trees' structures are known.

parse/tree_calls.py made `tree_util.tree_map(f, *trees)` a call `tree_map_of(F, env, *trees)`
(F the program-level function made for f, env the tuple of its variables) and
`tree_util.tree_leaves(t)` a call `tree_leaves_of(t)`. Where a function is differentiated
(and at jit's entry, whose arguments' structures are those of the values passed), each such
assignment becomes the per-leaf code it stands for -- ordinary calls of F that reverse and
forward mode differentiate like any helper's, and containers of known structure:

    c_1 = (c,)                                  c_1 = (c,)
    p2 = tree_map_of(total_lambda, c_1, params) params_b = params['b']
                                          ->    p2_b = total_lambda(params_b, c)
                                                params_w = params['w']
                                                p2_w = total_lambda(params_w, c)
                                                p2 = {'b': p2_b, 'w': p2_w}
    ls = tree_leaves_of(params)           ->    ls = (params_b_1, params_w_1)   (reads as above)

Dict keys are taken in sorted order, as tree_util does. A tree whose structure is not known
here is a leaf (as everywhere in structure inference, diff/pytrees.py). The list of leaves is
marked, so a loop over it is unrolled (its leaves may differ in shape: diff/unroll.py).
"""
import gast

from ..parse.base import assign, clone, load, located, walk
from .activity import resolve_callee
from .pytrees import build, leaves, sorted_keys
from .runtime_containers import tree_leaves_of, tree_map_of


def _const(v):
    return gast.Constant(value=v, kind=None)


def tree_call_name(call, program):
    """"map" / "leaves" for a call of tree_map_of / tree_leaves_of, else None."""
    obj = resolve_callee(call.func, program).obj
    return "map" if obj is tree_map_of else "leaves" if obj is tree_leaves_of else None


def _call_kind(stmt, program):
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.Call) and not stmt.value.keywords
            and all(isinstance(a, gast.Name) for a in stmt.value.args)):
        return None
    kind = tree_call_name(stmt.value, program)
    n = len(stmt.value.args)
    return kind if kind == "map" and n > 2 or kind == "leaves" and n == 1 else None


def leaf_lists(tree):
    """The names of the lists of leaves made here (their loops are unrolled)."""
    return {n.targets[0].id for n in walk(tree) if getattr(n, "s2s_tree_leaves", False)}


def expand_tree_calls(tree, known, namer, program):
    """Expand, in place, the first pytree call of `tree` (`known`: its Structures). True if
    one was."""
    return _expand(tree.body, known, namer, program)


def _expand(stmts, known, namer, program):
    for k, s in enumerate(stmts):
        kind = _call_kind(s, program)
        if kind is not None:
            prev = stmts[k - 1] if k else None
            stmts[k:k + 1] = _expansion(s, kind, prev, known, namer)
            return True
        if not isinstance(s, gast.FunctionDef):
            for field in ("body", "orelse", "finalbody"):
                if _expand(getattr(s, field, None) or [], known, namer, program):
                    return True
            for h in getattr(s, "handlers", None) or []:
                if _expand(h.body, known, namer, program):
                    return True
    return False


class _Reads:
    """Statements reading the leaves of named trees, each intermediate read once."""

    def __init__(self, like, namer):
        self.like, self.namer, self.stmts, self._names = like, namer, [], {}

    def read(self, name, path):
        if not path:
            return name
        key = (name, path)
        if key not in self._names:
            parent = self.read(name, path[:-1])
            last = path[-1]
            fresh = self.namer.fresh(f"{parent}_{last}" if isinstance(last, (int, str)) and str(last).isidentifier()
                                     or isinstance(last, int) else parent)
            value = gast.Subscript(value=load(parent), slice=_const(last), ctx=gast.Load())
            self.stmts.append(assign(fresh, located(value, self.like), self.like))
            self._names[key] = fresh
        return self._names[key]


def _env(env, prev, known, reads):
    """The expressions of the closure variables in the tuple named `env`: the elements of the
    display just before the call (ANF's `c_1 = (c,)`), else reads of the tuple."""
    if isinstance(prev, gast.Assign) and isinstance(prev.targets[0], gast.Name) and prev.targets[0].id == env \
            and isinstance(prev.value, gast.Tuple) and all(isinstance(e, (gast.Name, gast.Constant))
                                                           for e in prev.value.elts):
        return prev.value.elts
    struct = known.of.get(env)
    return [load(reads.read(env, (j,))) for j in range(len(struct.keys) if struct is not None else 0)]


def _label(target, path):
    return "_".join([target] + [str(k) for k in path]) if all(
        isinstance(k, int) or str(k).isidentifier() for k in path) else target


def _expansion(stmt, kind, prev, known, namer):
    target = stmt.targets[0].id
    args = [a.id for a in stmt.value.args]
    reads = _Reads(stmt, namer)
    if kind == "leaves":
        struct = sorted_keys(known.of.get(args[0]))
        elts = [load(reads.read(args[0], p)) for p in leaves(struct)]
        # a tuple: numba builds no list of arrays of different ranks
        new = assign(target, located(gast.Tuple(elts=elts, ctx=gast.Load()), stmt), stmt)
        new.s2s_tree_leaves = True
        return reads.stmts + [new]
    fn, env, trees = args[0], args[1], args[2:]
    struct = sorted_keys(known.of.get(trees[0]))
    for other in trees[1:]:
        theirs = sorted_keys(known.of.get(other))
        if theirs is not None and theirs != struct:
            raise ValueError(f"tree_map: the trees have different structures: {struct!r} and {theirs!r}")
    env_exprs = _env(env, prev, known, reads)
    results = {}
    for p in leaves(struct):
        call = gast.Call(func=load(fn), args=[load(reads.read(t, p)) for t in trees] + clone(env_exprs),
                         keywords=[])
        if struct is None:
            return reads.stmts + [assign(target, located(call, stmt), stmt)]
        results[p] = namer.fresh(_label(target, p))
        reads.stmts.append(assign(results[p], located(call, stmt), stmt))
    value = build(struct, lambda p: load(results[p]))
    return reads.stmts + [assign(target, located(value, stmt), stmt)]
