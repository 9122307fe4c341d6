"""Under jit, a transformation's wrapper takes in the twin it calls once (fewer numba functions).

    def f_grad(x):                          def f_grad(x):
        res = f_vjp(1.0, x)                     g = 1.0
        value = scalar_output(res[0])           sin_x = _np.sin(x)
        return res[1][0]                        ...
                                                res = (out, (bx,))
    def f_vjp(g, x):                            value = scalar_output(res[0])
        'Value and VJP of f ...'                return res[1][0]
        sin_x = _np.sin(x)
        ...
        return (out, (bx,))

numba compiles every function of a module on its own and then compiles each caller again with
its callees' code linked in, so a wrapper around the VJP costs about as much as the VJP a
second time; in one function it is compiled once (a jit(grad(f)) program compiles in about
two thirds of the time). Taken in: a twin s2s generated -- its docstring says so ("Value and
VJP of", "Value and JVP of", "Linearization of") -- that the entry calls once, in a statement `t = twin(...)`, and nothing else names; whose only `return` ends its body; with parameters only positional,
every one passed; with nothing nested, no prange, and no name the entry binds among the
globals it reads; and no argument a static one (a module-level name, an int, a string, None:
numba reads those as literals -- branches decided, tuples sliced -- only as arguments). The
caller is the entry, when s2s generated it (a transformation's wrapper): a function of yours
keeps its code as written, calls of twins included, and a twin called inside another twin
keeps its function (numba reads some of a twin's parameters -- `b.ndim` slicing a shape -- as
constants only as arguments). Its parameters become
assignments (but one given the caller's variable of its name, which it never rebinds), its locals are renamed where the entry uses the same names, its `return v` becomes `t = v`. The caller's other code and every user
helper stay as they are (their functions are what `s2s.source` shows a reader).
"""
import gast

from ..parse.base import clone, located, walk

_TWIN_DOCS = ("Value and VJP of", "Value and JVP of", "Linearization of")


def _doc(fn):
    first = fn.body[0] if fn.body else None
    if isinstance(first, gast.Expr) and isinstance(first.value, gast.Constant) and isinstance(first.value.value, str):
        return first.value.value
    return None


def _generated(ctx):
    """Whether the function is one s2s generated (its code object's file is a generated module)."""
    from ..parse.source import _GENERATED_ORIGINS

    code = getattr(ctx.src.fn, "__code__", None)
    return code is not None and code.co_filename in _GENERATED_ORIGINS


def _names(tree):
    return {n.id for n in walk(tree) if isinstance(n, gast.Name)}


def _bound(tree):
    out = {n.id for n in walk(tree) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}
    args = tree.args
    return out | {a.id for a in args.posonlyargs + args.args + args.kwonlyargs}


def _inlinable(fn):
    args = fn.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.defaults:
        return False
    doc = _doc(fn)
    if doc is None or not doc.startswith(_TWIN_DOCS):
        return False
    returns = [n for n in walk(fn) if isinstance(n, gast.Return)]
    if len(returns) != 1 or fn.body[-1] is not returns[0] or returns[0].value is None:
        return False
    banned = (gast.FunctionDef, gast.Lambda, gast.Global, gast.Nonlocal, gast.Yield, gast.YieldFrom)
    return not any(isinstance(n, banned) or _shape_slice(n) for n in walk(fn) if n is not fn) \
        and "prange" not in _names(fn)


def _shape_slice(n):
    """`a.shape[b.ndim:]`: a tuple sliced at a bound that is not a constant, which numba types
    in the twin as compiled on its own but not once taken into its caller."""
    if not (isinstance(n, gast.Subscript) and isinstance(n.slice, gast.Slice)):
        return False
    bounds = [b for b in (n.slice.lower, n.slice.upper, n.slice.step) if b is not None]
    return isinstance(n.value, gast.Attribute) and n.value.attr == "shape" \
        and not all(isinstance(b, gast.Constant) for b in bounds)


class _Rename(gast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if node.id in self.mapping:
            node.id = self.mapping[node.id]
        return node


def _calls(program):
    """name -> the number of times any function of the program names it."""
    counts = {}
    for ctx in program.functions:
        for n in walk(ctx.tree):
            if isinstance(n, gast.Name):
                counts[n.id] = counts.get(n.id, 0) + 1
    return counts


def inline_twins(program):
    """Take each twin called once into the function calling it (in place), callees first
    as they come: after each step the calls are counted again (a twin taken in may carry the
    only call of another)."""
    while True:
        by_name = {ctx.name: ctx for ctx in program.functions}
        counts = _calls(program)
        done = None
        for ctx in program.functions[:1]:  # the entry (a twin inside another keeps its own function)
            if ctx.custom is not None or not _generated(ctx):
                continue  # a function of yours keeps its code
            done = _inline_one(ctx, by_name, counts)
            if done is not None:
                break
        if done is None:
            return
        program.functions = [c for c in program.functions if c.name != done]


def _inline_one(caller, by_name, counts):
    """Inline the first twin `caller` may take in; its name, or None."""
    for owner in walk(caller.tree):
        for field in ("body", "orelse"):
            block = getattr(owner, field, None)
            if not isinstance(block, list):
                continue
            for i, s in enumerate(block):
                new = _inline_at(s, caller, by_name, counts)
                if new is not None:
                    block[i:i + 1] = new
                    return s.value.func.id
    return None


def _inline_at(s, entry, by_name, counts):
    if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)
            and isinstance(s.value, gast.Call) and isinstance(s.value.func, gast.Name)):
        return None
    call, name = s.value, s.value.func.id
    ctx = by_name.get(name)
    if ctx is None or ctx is entry or counts.get(name) != 1 or call.keywords \
            or any(isinstance(a, gast.Starred) for a in call.args) or ctx.custom is not None:
        return None
    fn = ctx.tree
    params = [a.id for a in fn.args.posonlyargs + fn.args.args]
    if len(params) != len(call.args) or not _inlinable(fn):
        return None
    local = _bound(fn)
    entry_bound, entry_names = _bound(entry.tree), _names(entry.tree)
    if any(isinstance(a, gast.Name) and a.id not in entry_bound or isinstance(a, gast.Constant) and not (
            type(a.value) is float) for a in call.args):
        return None  # a static argument (a module constant, an int, a string, None): numba reads it as a literal
    if (_names(fn) - local) & entry_bound:  # a global it reads is a local of the entry
        return None
    fn = clone(fn)
    stored = {n.id for n in walk(fn) if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del))}
    # a parameter given the entry's variable of the same name, never rebound: that variable itself
    same = {p for p, a in zip(params, call.args) if isinstance(a, gast.Name) and a.id == p and p not in stored}

    used = entry_names | _names(fn) | set(by_name)
    mapping = {}
    for v in sorted(local - same):
        if v in entry_names:
            k = 1
            while f"{v}_{k}" in used:
                k += 1
            mapping[v] = f"{v}_{k}"
            used.add(mapping[v])
    _Rename(mapping).visit(fn)
    body = fn.body[1:]  # (the docstring goes)
    ret = body.pop()
    out = [located(gast.Assign(targets=[gast.Name(id=mapping.get(p, p), ctx=gast.Store(), annotation=None,
                                                  type_comment=None)], value=a, type_comment=None), s)
           for p, a in zip(params, call.args) if p not in same]
    out += body
    out.append(located(gast.Assign(targets=s.targets, value=ret.value, type_comment=None), ret))
    return out
