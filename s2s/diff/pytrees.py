"""Container-valued variables in reverse mode: their static structure, and split adjoints.

A variable that holds a tuple, list or dict whose shape is known from the code -- a literal
`t = (a, (b, c))`, the result of a user function that returns one (`res = f_vjp(g, x)`), an
element of another (`grads = res[1]`), a differentiated argument (`grad(loss)(params)` with
`params` a dict of arrays: its structure comes from the value passed) -- gets one adjoint
variable per leaf (`bt_0`, `bt_1_0`, `bparams_w`) instead of one container-valued adjoint.
Numba cannot update a tuple in place, and `tuple + tuple` concatenates; leaf adjoints are
ordinary scalars and arrays. This is also what lets generated derivative code (which
returns `(out, (bx, by))`) be differentiated again.

A structure is `None` (a leaf: scalar, array, anything else) or a `Tree`. Elements are
reached with constant indices and keys only (`t[1]`, `params["w"]`).
"""
import gast
import numpy as np

from ..parse.base import walk
from .activity import resolve_callee
from .callsite import rule_for
from .nested import respecialize
from .registry import OUTPUTS, VJP_RULES
from .runtime_containers import tree_leaves_of, tree_map_of


def _const(v):
    return gast.Constant(value=v, kind=None)


class Tree:
    """A tuple / list / dict of known keys; `children` are structures."""

    __slots__ = ("kind", "keys", "children", "fields", "maker")

    def __init__(self, kind, keys, children, fields=None, maker=None):
        self.kind, self.keys, self.children = kind, tuple(keys), tuple(children)
        self.fields = fields  # a namedtuple's field names (its elements are read as attributes too)
        # the name generated code constructs a namedtuple built by the code with (`P(a, b)`)
        self.maker = maker

    @classmethod
    def seq(cls, kind, children):
        children = tuple(children)
        return cls(kind, range(len(children)), children)

    def _astuple(self):
        return (self.kind, self.keys, self.children, self.fields, self.maker)

    def __eq__(self, other):
        return isinstance(other, Tree) and self._astuple() == other._astuple()

    def __hash__(self):
        return hash(self._astuple())

    def __repr__(self):
        if self.kind == "dict":
            return "{" + ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.keys, self.children)) + "}"
        inner = ", ".join("*" if c is None else repr(c) for c in self.children)
        return f"({inner},)" if self.kind == "tuple" and len(self.children) == 1 else (
            f"({inner})" if self.kind == "tuple" else f"[{inner}]")

    def key(self, k):
        """The normalized key for index `k` (negative indices count from the end), or None."""
        if self.kind == "dict":
            return k if k in self.keys else None
        if isinstance(k, int) and not isinstance(k, bool) and -len(self.keys) <= k < len(self.keys):
            return k % len(self.keys)
        return None

    def child(self, k):
        return self.children[self.keys.index(k)]


def of_value(value):
    """The structure of a Python value passed as an argument."""
    if isinstance(value, (tuple, list)):
        tree = Tree.seq("tuple" if isinstance(value, tuple) else "list", [of_value(v) for v in value])
        tree.fields = getattr(value, "_fields", None)
        return tree
    if isinstance(value, dict):
        keys = list(value)
        return Tree("dict", keys, [of_value(value[k]) for k in keys])
    return None


def is_namedtuple_class(obj):
    return isinstance(obj, type) and issubclass(obj, tuple) and hasattr(obj, "_fields")


def _namedtuple_values(cls, call):
    """The expressions `P(a, b=c)` gives each field of namedtuple class `P`, in field order
    (a field left to its default: the default's constant), or None when the call does not
    give each field once (Python raises TypeError then)."""
    if any(isinstance(a, gast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    fields = tuple(cls._fields)
    given = dict(zip(fields, call.args))
    for k in call.keywords:
        if k.arg in given or k.arg not in fields:
            return None
        given[k.arg] = k.value
    if len(call.args) > len(fields) or any(f not in given and f not in cls._field_defaults for f in fields):
        return None
    return [given[f] if f in given else _const(None) for f in fields]


def namedtuple_packing(value, program):
    """`P(a, b=c)`, a namedtuple built from values, as the tuple literal `(a, c)` of its
    fields (how derivatives see it: the tangents and adjoints move as a tuple's do), else None."""
    if not isinstance(value, gast.Call):
        return None
    callee = resolve_callee(value.func, program)
    if not is_namedtuple_class(callee.obj):
        return None
    values = _namedtuple_values(callee.obj, value)
    return None if values is None else gast.Tuple(elts=values, ctx=gast.Load())


def field_read(value, structs):
    """`p.a` of a variable holding a namedtuple of known fields as `p[0]`, else None."""
    if isinstance(value, gast.Attribute) and isinstance(value.value, gast.Name):
        st = structs.get(value.value.id) if isinstance(structs, dict) else structs(value.value.id)
        if isinstance(st, Tree) and st.fields and value.attr in st.fields:
            return gast.copy_location(gast.Subscript(value=value.value, slice=_const(st.fields.index(value.attr)),
                                                     ctx=gast.Load()), value)
    return None


def fields_as_indices(ctx, given):
    """`p.x` -> `p[0]` in `ctx` for each parameter given a namedtuple (`given`: {parameter:
    structure}) that the function does not rebind: derivative code reads elements by index."""
    named = {p: st.fields for p, st in given.items() if isinstance(st, Tree) and st.fields}
    if not named:
        return
    stored = {n.id for n in walk(ctx.tree) if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del))}
    named = {p: f for p, f in named.items() if p not in stored}

    class Rewrite(gast.NodeTransformer):
        def visit_Attribute(self, node):
            self.generic_visit(node)
            if isinstance(node.value, gast.Name) and node.value.id in named and node.attr in named[node.value.id] \
                    and isinstance(node.ctx, gast.Load):
                index = gast.Subscript(value=node.value, slice=_const(named[node.value.id].index(node.attr)),
                                       ctx=gast.Load())
                return gast.copy_location(index, node)
            return node

    Rewrite().visit(ctx.tree)


def copied(value):
    """`value` with its arrays copied (tuples, lists and dicts rebuilt around them): what an
    API call gives generated code that may store into its arguments (`x[0] = v`), so the
    caller's arrays stay as they were -- transformations are functions of their inputs."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (tuple, list)) and not hasattr(value, "_fields"):
        return type(value)(copied(v) for v in value)
    if isinstance(value, dict):
        return {k: copied(v) for k, v in value.items()}
    return value


def others_of(arg_structs, argnums):
    """The structures of the arguments *not* differentiated, by position (None for leaves
    and the differentiated ones), or () when none is a container: a tree_map over them
    needs their structure too (diff/tree_calls.py)."""
    others = tuple(None if i in argnums else s for i, s in enumerate(arg_structs))
    return others if any(s is not None for s in others) else ()


def given_structs(params, wrt, structs, others=()):
    """{parameter: structure}: the differentiated ones' `structs`, the others' `others`."""
    given = {p: s for p, s in zip(params, others) if s is not None}
    given.update(zip(wrt, structs or ()))
    return given


def sorted_keys(struct):
    """`struct` with every dict's keys in sorted order (as the pytree functions order them)."""
    if struct is None:
        return None
    order = sorted(range(len(struct.keys)), key=lambda i: struct.keys[i]) if struct.kind == "dict" \
        else range(len(struct.keys))
    return Tree(struct.kind, [struct.keys[i] for i in order], [sorted_keys(struct.children[i]) for i in order])


def leaves(struct, prefix=()):
    """The paths (tuples of keys) of the leaves of `struct`, depth first."""
    if struct is None:
        yield prefix
        return
    for k, c in zip(struct.keys, struct.children):
        yield from leaves(c, prefix + (k,))


def at(struct, path):
    for k in path:
        struct = struct.child(k) if struct is not None and struct.key(k) is not None else None
    return struct


def pick(expr, path):
    """`expr[k0][k1]...`, taking elements of literals statically."""
    for k in path:
        if isinstance(expr, (gast.Tuple, gast.List)) and isinstance(k, int):
            expr = expr.elts[k]
        elif isinstance(expr, gast.Dict) and any(isinstance(d, gast.Constant) and d.value == k for d in expr.keys):
            expr = next(v for d, v in zip(expr.keys, expr.values) if isinstance(d, gast.Constant) and d.value == k)
        else:
            expr = gast.Subscript(value=expr, slice=_const(k), ctx=gast.Load())
    return expr


def build(struct, leaf):
    """The container expression of `struct` whose leaf at path p is `leaf(p)`."""
    def make(s, p):
        if s is None:
            return leaf(p)
        elts = [make(c, p + (k,)) for k, c in zip(s.keys, s.children)]
        if s.kind == "dict":
            return gast.Dict(keys=[_const(k) for k in s.keys], values=elts)
        if s.maker is not None:
            return gast.Call(func=gast.Name(id=s.maker, ctx=gast.Load(), annotation=None, type_comment=None),
                             args=elts, keywords=[])
        return (gast.List if s.kind == "list" else gast.Tuple)(elts=elts, ctx=gast.Load())
    return make(struct, ())


_UNKNOWN = object()


def _literal(node):
    """The Python value of a constant expression (numbers, strings, tuples/lists of them)."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant):
        return -node.operand.value
    if isinstance(node, (gast.Tuple, gast.List)):
        elts = [_literal(e) for e in node.elts]
        return _UNKNOWN if any(e is _UNKNOWN for e in elts) else (tuple if isinstance(node, gast.Tuple) else list)(elts)
    return _UNKNOWN


def _const_key(node):
    if isinstance(node, gast.Constant) and isinstance(node.value, (int, str)) and not isinstance(node.value, bool):
        return node.value
    return None


class Structures:
    """name -> structure for the variables of one function; `params` gives the structures
    of (differentiated) parameters, other parameters are leaves.

    `returns(ctx, params)` gives the structure a user function returns, memoized per
    program; a recursive function whose return structure depends on itself is taken to
    return a leaf.
    """

    def __init__(self, tree, program, params=None, memo=None):
        self.program = program
        self.memo = memo if memo is not None else program.__dict__.setdefault("_s2s_return_structures", {})
        self.of = {k: v for k, v in (params or {}).items() if v is not None}
        # What lists used as stacks hold (the tapes of derivative code: tuples of values).
        self.elements = {}
        stmts = list(_walk(tree.body))
        assigns = [s for s in stmts if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)]
        pushes = [
            (s.value.func.value.id, s.value.args[0]) for s in stmts
            if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and isinstance(s.value.func, gast.Attribute)
            and s.value.func.attr == "append" and isinstance(s.value.func.value, gast.Name) and len(s.value.args) == 1
        ]
        changed = True
        while changed:
            changed = False
            for lst, e in pushes:
                new = self.expr(e)
                if new is not None and self.elements.get(lst) != new:
                    self.elements[lst] = new
                    changed = True
            for s in assigns:
                name = s.targets[0].id
                new = self.expr(s.value)
                if new is not None and self.of.get(name) != new:
                    if name in self.of:
                        raise StructureMismatch(s, name, self.of[name], new)
                    self.of[name] = new
                    changed = True

    def expr(self, e):
        """The structure of expression `e` (None when a leaf or unknown)."""
        if isinstance(e, gast.Tuple):
            return Tree.seq("tuple", [self.expr(x) for x in e.elts])
        if isinstance(e, gast.List) and e.elts:
            return Tree.seq("list", [self.expr(x) for x in e.elts])
        if isinstance(e, gast.Dict) and all(_const_key(k) is not None for k in e.keys):
            return Tree("dict", [k.value for k in e.keys], [self.expr(v) for v in e.values])
        if isinstance(e, gast.Name):
            return self.of.get(e.id)
        if isinstance(e, gast.Subscript) and isinstance(e.value, gast.Name):
            base = self.of.get(e.value.id)
            picked = slice_keys(base, e.slice)
            if picked is not None:  # `params[1:]`: the elements it selects
                return Tree.seq(base.kind, [base.child(k) for k in picked])
            k = _const_key(e.slice)
            if base is not None and k is not None and base.key(k) is not None:
                return base.child(base.key(k))
            return None
        if isinstance(e, gast.Call) and isinstance(e.func, gast.Attribute) and e.func.attr == "pop" \
                and isinstance(e.func.value, gast.Name) and not e.args:
            return self.elements.get(e.func.value.id)
        if isinstance(e, gast.Call):
            callee = resolve_callee(e.func, self.program)
            if callee.kind == "user":
                ctx = callee.obj
                if ctx.transform is not None:  # a nested grad(f) & co: made for its arguments' structures
                    ctx = respecialize(self.program, ctx, [self.expr(a) for a in e.args], e) or ctx
                params = [a.id for a in ctx.tree.args.posonlyargs + ctx.tree.args.args]
                structs = {p: self.expr(a) for p, a in zip(params, e.args)}
                return self.returns(ctx, structs)
            if callee.obj is tree_map_of and len(e.args) > 2:  # the first tree's, dict keys sorted
                return sorted_keys(self.expr(e.args[2]))
            if callee.obj is tree_leaves_of and len(e.args) == 1:
                struct = self.expr(e.args[0])
                return None if struct is None else Tree.seq("list", [None] * len(list(leaves(sorted_keys(struct)))))
            if callee.obj is not None and callee.obj in OUTPUTS:
                return self.primitive(callee.obj, e)
            if is_namedtuple_class(callee.obj) and "." not in callee.name:
                values = _namedtuple_values(callee.obj, e)
                if values is not None:
                    return Tree("tuple", range(len(values)), [self.expr(v) for v in values],
                                fields=tuple(callee.obj._fields), maker=callee.name)
        return None

    def primitive(self, fn, call):
        """The structure of a tuple/list-valued NumPy function's result (registry.OUTPUTS)."""
        rule, args, kws = rule_for(VJP_RULES, fn, list(call.args), {k.arg: k.value for k in call.keywords})
        if rule is None:
            return None
        try:
            bound = rule.bind(args, kws)
        except TypeError:
            return None
        known = {n: d for n, d in rule.options if n not in bound}
        for p, a in bound.items():
            value = _literal(a)
            if value is _UNKNOWN and isinstance(a, gast.Name) and self.of.get(a.id) is not None \
                    and self.of[a.id].kind != "dict":
                value = [None] * len(self.of[a.id].keys)  # `t = [2, 5]`: only the length matters
            if value is not _UNKNOWN:
                known[p] = value
        spec = OUTPUTS.count(fn, known)
        return None if spec is None else Tree.seq(spec[0], [None] * spec[1])

    def returns(self, ctx, params=None):
        key = (ctx.name, tuple(sorted((k, v) for k, v in (params or {}).items() if v is not None)))
        if key not in self.memo:
            self.memo[key] = None  # while in progress (recursion): a leaf
            tree = ctx.tree
            if any(_holds_dict(v) for v in (params or {}).values()):
                from .unroll import written_out  # (a dict built by iterating one: its keys written out)
                tree = written_out(ctx, self.program, params)
            inner = Structures(tree, self.program, params, self.memo)
            body = tree.body
            ret = body[-1] if body and isinstance(body[-1], gast.Return) else None
            self.memo[key] = inner.expr(ret.value) if ret is not None and ret.value is not None else None
        return self.memo[key]


def _holds_dict(struct):
    return isinstance(struct, Tree) and (struct.kind == "dict" or any(_holds_dict(c) for c in struct.children))


def _signed_int(node):
    if node is None:
        return None, True
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value, True
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value, True
    return None, False


def slice_keys(struct, idx):
    """The keys a constant slice `lo:hi:step` selects of a tuple/list structure, else None."""
    if struct is None or struct.kind == "dict" or not isinstance(idx, gast.Slice):
        return None
    parts = [_signed_int(p) for p in (idx.lower, idx.upper, idx.step)]
    if not all(ok for _, ok in parts):
        return None
    return list(range(len(struct.keys)))[slice(*(v for v, _ in parts))]


def store_refusal(name, struct, index):
    """Why `name[index] = v` cannot be followed into a container of structure `struct`."""
    if isinstance(index, gast.Constant):
        what = "key" if struct.kind == "dict" else "index"
        return (f"{name}[{index.value!r}] = ... stores at a {what} that {name} (a {struct.kind} of "
                f"{len(struct.keys)} elements) does not have: while differentiating, a container keeps the "
                f"structure it was built with; build it with every element"
                + (" (or add keys in straight-line code, or in every branch of an `if` -- the same keys in "
                   "the same order --, not in a loop, and before the dict is passed anywhere)"
                   if struct.kind == "dict" else ""))
    return (f"{name} is a {struct.kind} of {len(struct.keys)} elements: while differentiating, its elements "
            "can only be assigned with constant indices or keys")


class StructureMismatch(Exception):
    def __init__(self, stmt, name, a, b):
        super().__init__(f"{name} holds containers of different structures ({a} and {b})")
        self.stmt = stmt


def _walk(stmts):
    for s in stmts:
        yield s
        if not isinstance(s, gast.FunctionDef):
            for field in ("body", "orelse"):
                yield from _walk(getattr(s, field, []))


def distribute(target, contrib):
    """Split a contribution to the value of expression `target` (a name, a literal
    container of names, constants...) into `(name, path, contribution)` triples."""
    if isinstance(target, gast.Name):
        return [(target.id, (), contrib)]
    if isinstance(target, (gast.Tuple, gast.List)):
        out = []
        for i, e in enumerate(target.elts):
            out += distribute(e, pick(contrib, (i,)))
        return out
    if isinstance(target, gast.Dict):
        out = []
        for k, v in zip(target.keys, target.values):
            if _const_key(k) is not None:
                out += distribute(v, pick(contrib, (k.value,)))
        return out
    return []


def subscript_text(expr, path):
    """Source text of leaf `path` of the value named `expr`: `res[1]['w']`."""
    return expr + "".join(f"[{k!r}]" for k in path)


def container_text(struct, leaf_text, path=()):
    """Source text of a container of `struct` whose leaf at path p is `leaf_text(p)`."""
    if struct is None:
        return leaf_text(path)
    parts = [container_text(c, leaf_text, path + (k,)) for k, c in zip(struct.keys, struct.children)]
    if struct.kind == "dict":
        return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(struct.keys, parts)) + "}"
    if struct.kind == "list":
        return "[" + ", ".join(parts) + "]"
    if struct.maker is not None:
        return f"{struct.maker}({', '.join(parts)})"
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
