"""Dicts across the jit boundary: `jit(grad(loss))(params, x)` with `params = {"w": W, "b": b}`.

numba compiles code that builds and reads dicts of constant string keys (a heterogeneous
"literal" dict: `{"w": W, "b": b}["w"]`), but it cannot take a Python dict as an argument
nor hand one back. For a call whose arguments hold dicts, the entry of the jit module takes
each such argument as the flat tuple of its leaves and rebuilds the container first thing;
a result that holds dicts leaves as the flat tuple of its leaves, which the caller rebuilds
(the result's structure comes from structure inference, diff/pytrees.py). Before/after, for
`def loss_grad(params, x)` called with a dict `params`:

    def loss_grad(params, x):            def loss_grad(params_leaves, x):
        ...                                  params = {'b': params_leaves[0], 'w': params_leaves[1]}
        return grads                         ...
                                             out = grads
                                             return (out['b'], out['w'])

Lists of lists cross the same way (numba cannot unbox a list inside a list). Other arguments
pass as they are (numba takes tuples, and lists of one type).
"""
import gast

from ..diff.pytrees import StructureMismatch, Structures, Tree, build, leaves, pick
from ..parse.base import walk


def must_flatten(struct):
    """Whether a value of this structure must cross flattened: it holds a dict, or a list of
    lists (numba cannot unbox a list inside a list)."""
    if not isinstance(struct, Tree):
        return False
    if struct.kind == "dict" or struct.kind == "list" and any(isinstance(c, Tree) and c.kind == "list"
                                                               for c in struct.children):
        return True
    return any(must_flatten(c) for c in struct.children)


def _has_empty(struct):
    return isinstance(struct, Tree) and (not struct.children or any(_has_empty(c) for c in struct.children))


def _leaf_of(value, path):
    for k in path:
        value = value[k]
    return value


def flatten_value(value, struct):
    """The leaves of `value` (of structure `struct`), depth first, as a tuple."""
    return tuple(_leaf_of(value, p) for p in leaves(struct))


def unflatten_value(struct, flat):
    """The container of structure `struct` whose leaves are `flat`, in order."""
    it = iter(flat)

    def make(s):
        if s is None:
            return next(it)
        elts = [make(c) for c in s.children]
        if s.kind == "dict":
            return dict(zip(s.keys, elts))
        return list(elts) if s.kind == "list" else tuple(elts)
    return make(struct)


class Boundary:
    """How the Python caller packs arguments for the rebuilt entry and unpacks its result."""

    __slots__ = ("flat_params", "out")

    def __init__(self, flat_params, out):
        # {positional index or keyword name: (the parameter's new name, structure)}
        self.flat_params = flat_params
        self.out = out  # the result's structure when it is returned flattened, else None

    def pack(self, args, kwargs):
        args = list(args)
        for where, (name, struct) in self.flat_params.items():
            if isinstance(where, int):
                args[where] = flatten_value(args[where], struct)
            else:  # a keyword argument: the parameter's new name
                kwargs = dict(kwargs)
                kwargs[name] = flatten_value(kwargs.pop(where), struct)
        return args, kwargs

    def unpack(self, result):
        return result if self.out is None else unflatten_value(self.out, result)

    def hint(self):
        """Why numba may refuse the rebuilt arguments, or ''."""
        if any(_list_of_dicts(s) for _, s in self.flat_params.values()):
            return ("A list of dicts crosses into numba as a list of literal dicts, which numba can neither "
                    "iterate nor index with a variable. Pass a tuple or list of tuples of arrays "
                    "(`[(W, b), ...]`) or one dict of arrays instead.")
        return ""


def _list_of_dicts(struct):
    if not isinstance(struct, Tree):
        return False
    if struct.kind in ("list", "tuple") and any(isinstance(c, Tree) and c.kind == "dict" for c in struct.children):
        return True
    return any(_list_of_dicts(c) for c in struct.children)


def _returns(body):
    for stmt in body:
        if isinstance(stmt, gast.Return):
            yield stmt
        elif not isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from _returns(getattr(stmt, field, None) or [])


def _at(node, like):
    for n in walk(node):
        if "lineno" in n._attributes:
            n.lineno, n.end_lineno = like.lineno, getattr(like, "end_lineno", like.lineno)
            n.col_offset, n.end_col_offset = 0, 0
    return node


def _replace_returns(stmts, out, namer):
    """`return X` -> `out = X; return (out[k0], ...)` in `stmts`, recursively."""
    new = []
    for stmt in stmts:
        if isinstance(stmt, gast.Return) and stmt.value is not None:
            name = namer.fresh("out")
            new.append(_at(gast.Assign(targets=[gast.Name(id=name, ctx=gast.Store(), annotation=None,
                                                          type_comment=None)], value=stmt.value), stmt))
            load = gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)
            flat = gast.Tuple(elts=[pick(load, p) for p in leaves(out)], ctx=gast.Load())
            new.append(_at(gast.Return(value=flat), stmt))
            continue
        if not isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
            for field in ("body", "orelse", "finalbody"):
                if getattr(stmt, field, None):
                    setattr(stmt, field, _replace_returns(getattr(stmt, field), out, namer))
            for h in getattr(stmt, "handlers", None) or []:
                h.body = _replace_returns(h.body, out, namer)
        new.append(stmt)
    return new


def _calls_itself(program, name):
    return any(isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and n.func.id == name
               for ctx in program.functions for n in walk(ctx.tree))


def add_boundary(program, arg_structs, kwarg_structs=None):
    """Rewrite `program`'s entry to take and return dict-holding values as flat tuples of
    leaves (see the module docstring). `arg_structs` are the structures of the positional
    arguments of the call, `kwarg_structs` of its keyword arguments. Returns the
    `Boundary`, or None when no argument and no result holds a dict (nothing changes)."""
    entry = program.entry
    if _calls_itself(program, entry.name):
        return None  # a recursive entry calls itself with containers, not leaves
    tree = entry.tree
    positional = [a.id for a in tree.args.posonlyargs + tree.args.args]
    by_name = dict(zip(positional, arg_structs))
    by_name.update(kwarg_structs or {})
    try:
        structures = Structures(tree, program, {n: s for n, s in by_name.items() if s is not None})
        outs = {repr(structures.expr(r.value)): structures.expr(r.value) for r in _returns(tree.body)
                if r.value is not None}
    except StructureMismatch:
        return None
    out = next(iter(outs.values())) if len(outs) == 1 else None
    if not must_flatten(out) or _has_empty(out):
        out = None
    flat = {n: s for n, s in by_name.items() if must_flatten(s) and not _has_empty(s)}
    if not flat and out is None:
        return None
    where = {}
    prologue = []
    for arg in tree.args.posonlyargs + tree.args.args + tree.args.kwonlyargs:
        if arg.id not in flat:
            continue
        name = entry.namer.fresh(f"{arg.id}_leaves")
        paths = list(leaves(flat[arg.id]))
        index = {p: i for i, p in enumerate(paths)}
        load = gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)
        value = build(flat[arg.id], lambda p: gast.Subscript(
            value=load, slice=gast.Constant(value=index[p], kind=None), ctx=gast.Load()))
        prologue.append(_at(gast.Assign(targets=[gast.Name(id=arg.id, ctx=gast.Store(), annotation=None,
                                                           type_comment=None)], value=value), tree))
        where[positional.index(arg.id) if arg.id in positional[:len(arg_structs)] else arg.id] = (name, flat[arg.id])
        arg.id = name
    body = tree.body
    # the docstring stays first
    head = 1 if body and isinstance(body[0], gast.Expr) and isinstance(body[0].value, gast.Constant) \
        and isinstance(body[0].value.value, str) else 0
    body = body[:head] + prologue + body[head:]
    if out is not None:
        body = _replace_returns(body, out, entry.namer)
    tree.body = body
    return Boundary(where, out)
