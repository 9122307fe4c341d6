"""Iteration over dicts of known keys, written out for differentiation (and jit).

The parser lowers every `for` loop to an index loop (parse/lower_for.py), which would read a
dict at 0, 1, ... instead of at its keys. Where a dict's keys are known (a differentiated
argument, an argument jit was given, a literal dict), iterating it is iterating the tuple of
its keys; diff/unroll.py then unrolls such a loop (a dict's elements are reached with
constant keys only) and each copy's key is folded into the subscripts that use it:

    len_d = len(d)                         d_keys = ('a', 'b')
    for j in range(len_d):                 len_d = len(d)
        k = d[j]                   ->      for j in range(len(d_keys)):
        d_k = d[k]                             k = d_keys[j]
                                               d_k = d[k]
    s = sorted_values(d, False)    ->      s = ('a', 'b')        (also list(d), tuple(d))
    v = d.get('c', 0.0)            ->      v = 0.0               (d.get('a') -> d['a'])

and once unrolled:   k = d_keys[0]; d_k = d[k]   ->   k = d_keys[0]; d_k = d['a']
(`d.items()` / `.values()` / `.keys()` are tuple literals already: unroll.py's _dict_views.)
"""
import operator

import gast

from ..parse import stand_in_arrays
from ..parse.base import assign, attribute_path, clone, load, located, walk
from .activity import resolve_callee


def _const(v):
    return gast.Constant(value=v, kind=None)


def _keys_tuple(keys, like):
    return located(gast.Tuple(elts=[_const(k) for k in keys], ctx=gast.Load()), like)


def _dict_of(node, known):
    """The structure of `node` when it names a dict of known keys, else None."""
    if isinstance(node, gast.Name):
        struct = known.of.get(node.id)
        if struct is not None and struct.kind == "dict":
            return struct
    return None


def _keys_value(call, known, program, consts):
    """The keys tuple `sorted_values(d, R)`, `list(d)`, `tuple(d)` stand for (d a known
    dict, or a tuple of keys already: `consts`), or None."""
    if not (isinstance(call, gast.Call) and call.args and not call.keywords):
        return None
    struct = _dict_of(call.args[0], known)
    if struct is None and isinstance(call.args[0], gast.Name) and call.args[0].id in consts:
        keys = consts[call.args[0].id]
    elif struct is None:
        return None
    else:
        keys = list(struct.keys)
    callee = resolve_callee(call.func, program)
    if callee.obj in (list, tuple) and len(call.args) == 1:
        return keys
    if callee.kind == "user" and getattr(callee.obj.src, "fn", None) is stand_in_arrays.sorted_values:
        reverse = call.args[1] if len(call.args) > 1 else _const(False)
        if not isinstance(reverse, gast.Constant):
            return None
        try:
            return sorted(keys, reverse=bool(reverse.value))
        except TypeError:  # keys of mixed types: left to fail as Python would
            return None
    return None


def _get_value(call, known):
    """`d.get(k, default)` (d a known dict, k a constant): `d[k]` where d has k, else the
    default (None if not given); None when it does not apply."""
    if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and call.func.attr == "get"
            and 1 <= len(call.args) <= 2 and not call.keywords and isinstance(call.args[0], gast.Constant)):
        return None
    struct = _dict_of(call.func.value, known)
    if struct is None:
        return None
    key = call.args[0]
    if key.value in struct.keys:
        return gast.Subscript(value=load(call.func.value.id), slice=_const(key.value), ctx=gast.Load())
    return call.args[1] if len(call.args) == 2 else _const(None)


class RunTimeOrder(Exception):
    """sorted() of a dict or its items by a key s2s cannot evaluate on the keys alone."""

    def __init__(self, node):
        self.node = node

    def error(self, ctx):
        return ctx.error(self.node, "sorting a dict (or its items) with a key function s2s cannot evaluate on the "
                         "keys alone (it reads the values, or is not a builtin, operator.itemgetter or a lambda "
                         "of subscripts): the order would be known only at run time, and a dict's elements are "
                         "reached with constant keys. Sort by the keys (key=lambda kv: kv[0])", "sorted")


class _Opaque:
    """A dict's value while sorting its items at transform time: a key function that reads
    it depends on run-time values and the sort is left to run time."""


def _view_literals(tree):
    """{name: tuple literal} of the `d.items()` / `d.keys()` views unroll.py wrote out, and
    {name: call} of the names assigned a call (both for names assigned once)."""
    out, calls, count = {}, {}, {}
    for n in walk(tree):
        if isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Name):
            count[n.targets[0].id] = count.get(n.targets[0].id, 0) + 1
            if getattr(n, "s2s_dict_view", False):
                out[n.targets[0].id] = n.value
            elif isinstance(n.value, (gast.Call, gast.Attribute)):
                calls[n.targets[0].id] = n.value
    return ({t: v for t, v in out.items() if count[t] == 1}, {t: v for t, v in calls.items() if count[t] == 1})


def _static_element(e):
    """A view's element as a Python value: a key, or (key, _Opaque) for an item."""
    if isinstance(e, gast.Constant):
        return e.value
    if isinstance(e, gast.Tuple) and len(e.elts) == 2 and isinstance(e.elts[0], gast.Constant):
        return (e.elts[0].value, _Opaque())
    return _Opaque()


def _evaluate(fn, arg):
    """Apply a key function given as a normalized user function (straight-line subscripts by
    constants, as `lambda kv: kv[0]` becomes) to a static value; raises LookupError when it
    does anything else."""
    a = fn.args
    if len(a.args) != 1 or a.vararg or a.kwarg or a.kwonlyargs:
        raise LookupError
    env = {a.args[0].id: arg}

    def value(e):
        if isinstance(e, gast.Constant):
            return e.value
        if isinstance(e, gast.Name) and e.id in env:
            return env[e.id]
        if isinstance(e, gast.Subscript) and isinstance(e.slice, gast.Constant):
            return value(e.value)[e.slice.value]
        if isinstance(e, gast.Tuple):
            return tuple(value(x) for x in e.elts)
        raise LookupError
    for s in fn.body:
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
            env[s.targets[0].id] = value(s.value)
        elif isinstance(s, gast.Return) and s.value is not None:
            return value(s.value)
        elif not isinstance(s, gast.Expr):  # (a docstring)
            raise LookupError
    raise LookupError


def _sorted_view(call, known, program, views, calls):
    """`sorted(d.items(), key=operator.itemgetter(0))`, `key=lambda kv: kv[0]`, or any key
    function of the keys alone (d a dict of known keys): the view's elements in sorted
    order, sorted at transform time; None when the order depends on the values."""
    if not (isinstance(call, gast.Call) and len(call.args) in (2, 3) and not call.keywords
            and isinstance(call.args[0], gast.Name) and isinstance(call.args[-1], gast.Constant)):
        return None
    struct = _dict_of(call.args[0], known)
    view = views.get(call.args[0].id) if struct is None else _keys_tuple(struct.keys, call)
    callee = resolve_callee(call.func, program)
    if view is None or callee.kind != "user" or getattr(callee.obj.src, "fn", None) is not stand_in_arrays.sorted_by_key:
        return None
    if len(call.args) == 3:  # the generic copy: the key is a value, `op_itemgetter_0` or `len`
        apply = _python_key(call.args[1], program, calls)
    else:  # a copy specialized for its key (a lambda, a function): the one applied to seq[j]
        apply = _specialized_key(callee.obj.tree, program)
    if apply is None:
        raise RunTimeOrder(call)
    try:
        keys = [apply(_static_element(e)) for e in view.elts]
        if any(isinstance(k, _Opaque) or isinstance(k, tuple) and any(isinstance(x, _Opaque) for x in k)
               for k in keys):
            raise RunTimeOrder(call)
        order = sorted(range(len(keys)), key=keys.__getitem__, reverse=bool(call.args[-1].value))
    except (LookupError, TypeError, ValueError):
        raise RunTimeOrder(call) from None
    return gast.Tuple(elts=[clone(view.elts[j]) for j in order], ctx=gast.Load())


def _specialized_key(tree, program):
    """The key function a copy of sorted_by_key calls on each element `v = seq[j]`, as a
    Python callable; None if it is neither a user function of the form _evaluate takes nor a
    builtin/operator function."""
    seq = tree.args.args[0].id
    elements = {s.targets[0].id for s in walk(tree) if isinstance(s, gast.Assign)
                and isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Subscript)
                and isinstance(s.value.value, gast.Name) and s.value.value.id == seq}
    keys = [n for n in walk(tree) if isinstance(n, gast.Call) and len(n.args) == 1 and not n.keywords
            and isinstance(n.args[0], gast.Name) and n.args[0].id in elements
            and not (isinstance(n.func, gast.Attribute) and n.func.attr == "append")]
    if len(keys) != 1:
        return None
    callee = resolve_callee(keys[0].func, program)
    if callee.kind == "user":
        return lambda v, fn=callee.obj.tree: _evaluate(fn, v)
    return callee.obj if _safe_key(callee.obj) else None


def _safe_key(obj):
    """A function sorted's key may be that is safe to call at transform time."""
    return callable(obj) and getattr(obj, "__module__", None) in ("builtins", "operator") \
        or getattr(obj, "__objclass__", None) is str


_KEY_MAKERS = (operator.itemgetter, operator.attrgetter)


def _drop_unread(stmts, names):
    for s in list(stmts):
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and s.targets[0].id in names:
            stmts.remove(s)
        elif not isinstance(s, gast.FunctionDef):
            for field in ("body", "orelse"):
                _drop_unread(getattr(s, field, []), names)


def _attribute_value(node, program):
    """The object `len` / `str.upper` / `operator.neg` names (a builtin or a constant of the
    program, then attributes), or None."""
    path = attribute_path(node)
    if path is None:
        return None
    head, *rest = path.split(".")
    obj = resolve_callee(gast.Name(id=head, ctx=gast.Load(), annotation=None, type_comment=None), program).obj
    for attr in rest:
        obj = getattr(obj, attr, None)
    return obj


def _python_key(node, program, calls):
    """The Python callable a key argument names: a builtin or operator function (`len`,
    `str.lower`), or a local assigned once from `operator.itemgetter(<constants>)`."""
    if not isinstance(node, gast.Name):
        return None
    c = calls.get(node.id)
    if c is None or isinstance(c, gast.Attribute):  # `len`; `str_upper = str.upper`
        obj = _attribute_value(c or node, program)
        return obj if _safe_key(obj) else None
    if c.keywords or not all(isinstance(a, gast.Constant) for a in c.args):
        return None
    maker = resolve_callee(c.func, program).obj
    if maker not in _KEY_MAKERS:
        return None
    return maker(*[a.value for a in c.args])


class _KeyIndex(gast.NodeTransformer):
    """`d[j]` -> `keys[j]` (j the loop's index)."""

    def __init__(self, d, j, keys):
        self.d, self.j, self.keys = d, j, keys

    def visit_FunctionDef(self, node):
        return node

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.value, gast.Name) and node.value.id == self.d and isinstance(node.slice, gast.Name) \
                and node.slice.id == self.j and isinstance(node.ctx, gast.Load):
            node.value = load(self.keys)
        return node


def rewrite_dict_iteration(stmts, known, namer, program, lengths, range_count, consts=None, views=None, calls=None):
    """In place: the loops over the dicts of `known` (and the keys lists of them) become
    loops over tuples of their keys. True if anything changed."""
    if consts is None:
        module = gast.Module(body=stmts, type_ignores=[])
        consts = {t: [e.value for e in v.elts] for t, v in key_tuples(module, True).items()}
        views, calls = _view_literals(module)
        changed = rewrite_dict_iteration(stmts, known, namer, program, lengths, range_count, consts, views, calls)
        if changed:  # a key function sorted at transform time (`op_itemgetter(0)`) is not called
            makers = {t for t, c in calls.items() if _safe_key(_attribute_value(c, program))
                      or isinstance(c, gast.Call) and resolve_callee(c.func, program).obj in _KEY_MAKERS}
            _drop_unread(stmts, makers - {n.id for n in walk(module) if isinstance(n, gast.Name)
                                          and isinstance(n.ctx, gast.Load)})
        return changed
    changed = False
    for s in list(stmts):
        if isinstance(s, gast.FunctionDef):
            continue
        for field in ("body", "orelse"):
            changed |= rewrite_dict_iteration(getattr(s, field, []), known, namer, program, lengths, range_count,
                                              consts, views, calls)
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
            keys = _keys_value(s.value, known, program, consts)
            if keys is not None:
                s.value = _keys_tuple(keys, s)
                changed = True
            ordered = _sorted_view(s.value, known, program, views, calls)
            if ordered is not None:
                s.value = located(ordered, s.value)
                changed = True
            got = _get_value(s.value, known)
            if got is not None:
                s.value = located(got, s.value)
                changed = True
        elif isinstance(s, gast.For):
            seq = range_count(s, lengths)
            struct = known.of.get(seq) if seq is not None else None
            if struct is None or struct.kind != "dict":
                continue
            name = namer.fresh(f"{seq}_keys")
            s.iter.args[0] = located(gast.Call(func=load("len"), args=[load(name)], keywords=[]), s.iter)
            s.body = [_KeyIndex(seq, s.target.id, name).visit(b) for b in s.body]
            i = next(j for j, x in enumerate(stmts) if x is s)
            stmts[i:i] = [assign(name, _keys_tuple(struct.keys, s), s)]
            changed = True
    return changed


def key_tuples(tree, once=False):
    """{name: tuple literal} for the names only ever assigned tuples of constants (keys
    lists, whose loops are unrolled; a name assigned several -- in unrolled copies of a
    loop -- maps to the last; `once`: only those assigned once)."""
    count, out = {}, {}
    for n in walk(tree):
        if isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Name):
            t = n.targets[0].id
            count[t] = count.get(t, 0) + 1
            if isinstance(n.value, gast.Tuple) and n.value.elts and all(isinstance(e, gast.Constant)
                                                                        for e in n.value.elts):
                out.setdefault(t, []).append(n.value)
    return {t: v[-1] for t, v in out.items() if count[t] == len(v) and (len(v) == 1 or not once)}


def _stored(stmts):
    return {n.id for s in stmts for n in walk(s) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}


class _Fold(gast.NodeTransformer):
    """Subscripts indexed by a name of known constant value get the constant."""

    def __init__(self, env):
        self.env = env

    def visit_FunctionDef(self, node):
        return node

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.slice, gast.Name) and node.slice.id in self.env:
            node.slice = located(_const(self.env[node.slice.id]), node.slice)
        return node


def fold_constant_keys(tree):
    """After unrolling: `k = keys[0]` (keys a tuple literal, or an element of one that is a
    tuple itself: `k_v = d_items[0]; k = k_v[0]`) becomes `k = 'a'` and makes `d[k]` below
    it `d['a']`, up to the next assignment of k."""
    once = {}
    count = {}
    for n in walk(tree):
        if isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Name):
            count[n.targets[0].id] = count.get(n.targets[0].id, 0) + 1
            if isinstance(n.value, gast.Tuple):
                once[n.targets[0].id] = n.value
    literals = {t: v for t, v in once.items() if count[t] == 1}

    def value_of(e, tuples):
        if isinstance(e, gast.Subscript) and isinstance(e.value, gast.Name) and isinstance(e.slice, gast.Constant) \
                and type(e.slice.value) is int:
            t = tuples.get(e.value.id, literals.get(e.value.id))
            if t is not None and -len(t.elts) <= e.slice.value < len(t.elts):
                return t.elts[e.slice.value]
        return None

    def run(stmts, env, tuples, truths):
        i = 0
        while i < len(stmts):
            s = stmts[i]
            i += 1
            if isinstance(s, gast.FunctionDef):
                continue
            if isinstance(s, gast.If):
                _Fold(env).visit(s.test)
                taken = _static_truth(s.test, env, tuples, truths)
                if taken is not None:  # `if k == 'a':` with k a known key: the branch taken, in place
                    stmts[i - 1:i] = s.body if taken else s.orelse
                    i -= 1
                    continue
            if isinstance(s, (gast.For, gast.While, gast.If, gast.Try, gast.With)):
                for name in _stored([s]):
                    for known in (env, tuples, truths):
                        known.pop(name, None)
                if not isinstance(s, gast.For):
                    _Fold(env).visit(s.test) if isinstance(s, (gast.While, gast.If)) else None
                for field in ("body", "orelse", "finalbody"):
                    run(getattr(s, field, []), dict(env), dict(tuples), dict(truths))
                continue
            _Fold(env).visit(s)
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
                t = s.targets[0].id
                for known in (env, tuples, truths):
                    known.pop(t, None)
                v = s.value if isinstance(s.value, gast.Tuple) else value_of(s.value, tuples)
                truth = _static_truth(s.value, env, tuples, truths) \
                    if isinstance(s.value, (gast.Compare, gast.UnaryOp, gast.BoolOp)) else None
                if isinstance(v, gast.Constant) and isinstance(v.value, (str, int)) and not isinstance(v.value, bool):
                    env[t] = v.value
                    s.value = located(_const(v.value), s.value)  # (a key: no derivative to carry)
                elif isinstance(v, gast.Tuple):
                    tuples[t] = v
                elif truth is not None:  # `k_eq_a = k == 'a'` (a test, in ANF): decided
                    truths[t] = truth
                    s.value = located(_const(truth), s.value)
            else:
                for name in _stored([s]):
                    for known in (env, tuples, truths):
                        known.pop(name, None)

    run(tree.body, {}, {}, {})


_COMPARE = {gast.Eq: operator.eq, gast.NotEq: operator.ne, gast.In: lambda a, b: a in b,
            gast.NotIn: lambda a, b: a not in b}


def _static_truth(test, env, tuples, truths):
    """The truth of a test on known keys (`k == 'a'`, `k in ('a', 'b')`, `not`, `and`/`or`
    of those; names bound to constant tuples or to such tests), else None."""
    def value(e):
        if isinstance(e, gast.Name):
            e = tuples.get(e.id, e)
        if isinstance(e, gast.Constant):
            return e.value
        if isinstance(e, gast.Name) and e.id in env:
            return env[e.id]
        if isinstance(e, (gast.Tuple, gast.List)) and all(isinstance(x, gast.Constant) for x in e.elts):
            return tuple(x.value for x in e.elts)
        raise LookupError

    def truth(e):
        if isinstance(e, gast.Compare) and len(e.ops) == 1 and type(e.ops[0]) in _COMPARE:
            return bool(_COMPARE[type(e.ops[0])](value(e.left), value(e.comparators[0])))
        if isinstance(e, gast.UnaryOp) and isinstance(e.op, gast.Not):
            return not truth(e.operand)
        if isinstance(e, gast.BoolOp):
            parts = [truth(v) for v in e.values]
            return all(parts) if isinstance(e.op, gast.And) else any(parts)
        if isinstance(e, gast.Name) and e.id in truths:
            return truths[e.id]
        if isinstance(e, gast.Constant) and isinstance(e.value, bool):
            return e.value
        raise LookupError

    try:
        return truth(test)
    except (LookupError, TypeError):
        return None


def _reads(node, name):
    return any(isinstance(n, gast.Name) and n.id == name for n in walk(node))


def _const_store(s, name):
    """The key of `name[<constant>] = v`, else None."""
    if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Subscript):
        t = s.targets[0]
        if isinstance(t.value, gast.Name) and t.value.id == name and isinstance(t.slice, gast.Constant):
            return t.slice
    return None


def gather_dict_stores(stmts, namer):
    """`x = {}` then `x['a'] = v; x['b'] = w` (a dict comprehension or an update loop,
    unrolled) -> `x_a = v; x_b = w` and `x = {'a': x_a, 'b': x_b}` where x is first read:
    the dict is built with every key, as differentiation wants (a container keeps the
    structure it was built with). Only where the stores come straight after `x = {}`, in
    the same block, before any other use of x. True if anything changed."""
    changed = False
    for s in stmts:
        if not isinstance(s, gast.FunctionDef):
            for field in ("body", "orelse", "finalbody"):
                changed |= gather_dict_stores(getattr(s, field, []), namer)
    i = 0
    while i < len(stmts):
        s = stmts[i]
        i += 1
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Dict)
                and not s.value.keys):
            continue
        x = s.targets[0].id
        names, end = {}, len(stmts)
        for j in range(i, len(stmts)):
            key = _const_store(stmts[j], x)
            if key is not None and not _reads(stmts[j].value, x):
                if key.value not in names:
                    names[key.value] = namer.fresh(f"{x}_{key.value}" if isinstance(key.value, str)
                                                   and key.value.isidentifier() else x)
                continue
            if _reads(stmts[j], x):
                end = j
                break
        if not names:
            continue
        for j in range(i, end):
            key = _const_store(stmts[j], x)
            if key is not None:
                stmts[j] = assign(names[key.value], stmts[j].value, stmts[j])
        built = gast.Dict(keys=[_const(k) for k in names], values=[load(n) for n in names.values()])
        stmts[end:end] = [assign(x, located(built, s), s)]
        stmts.remove(s)
        changed = True
    return changed
