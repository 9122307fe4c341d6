"""The base class of every pass, and small gast helpers the passes share."""
import ast
import builtins
import copy
from collections import deque

import gast

from ..naming import MATH_ALIAS, NUMPY_ALIAS

_AST = ast.AST
_ATOMS = (str, int, float, complex, bool, bytes, type(None), type(Ellipsis))


def walk(node):
    """Every node of the tree under `node` (itself first), in `ast.walk`'s order (breadth
    first), without its generator per node: the passes walk trees a great deal."""
    todo = deque([node])
    pop, push = todo.popleft, todo.append
    while todo:
        node = pop()
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, _AST):
                push(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, _AST):
                        push(item)
        yield node


def fix_missing_locations(node):
    """`gast.fix_missing_locations` (every node without a position takes its parent's),
    without recursion in Python: each pass calls it on the whole tree."""
    root, stack = node, [(node, 1, 0, 1, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        node, lineno, col, end_lineno, end_col = pop()
        attrs = node._attributes
        if attrs:  # (as gast's: an attribute the class defaults, end_lineno, counts as set)
            if "lineno" in attrs:
                if hasattr(node, "lineno"):
                    lineno = node.lineno
                else:
                    node.lineno = lineno
            if "end_lineno" in attrs:
                if hasattr(node, "end_lineno"):
                    end_lineno = node.end_lineno
                else:
                    node.end_lineno = end_lineno
            if "col_offset" in attrs:
                if hasattr(node, "col_offset"):
                    col = node.col_offset
                else:
                    node.col_offset = col
            if "end_col_offset" in attrs:
                if hasattr(node, "end_col_offset"):
                    end_col = node.end_col_offset
                else:
                    node.end_col_offset = end_col
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, _AST):
                push((value, lineno, col, end_lineno, end_col))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, _AST):
                        push((item, lineno, col, end_lineno, end_col))
    return root


def clone(tree):
    """`copy.deepcopy(tree)` for gast trees (and lists of them), several times faster: nodes
    and their lists are rebuilt directly; anything else a node carries (s2s's attributes)
    goes through copy.deepcopy, so a `Shared` value stays shared. Other objects: deepcopy."""
    return _clone(tree, {})


def _clone(value, memo):
    if isinstance(value, _AST):
        key = id(value)
        if key in memo:
            return memo[key]
        new = value.__class__.__new__(value.__class__)
        memo[key] = new
        fields = new.__dict__
        for k, v in value.__dict__.items():
            fields[k] = v if isinstance(v, _ATOMS) else _clone(v, memo)
        return new
    if isinstance(value, list):
        return [_clone(v, memo) for v in value]
    if isinstance(value, _ATOMS):
        return value
    return copy.deepcopy(value, memo)


class FunctionPass(gast.NodeTransformer):
    """A pass over one function's tree. Subclasses set `name` and `description`.

    `run()` transforms `ctx.tree` in place (and returns it). Statement visitors may return a
    list of statements to replace one statement with several.
    """

    name = None
    description = None

    def __init__(self, ctx):
        self.ctx = ctx

    def run(self):
        self.ctx.tree = self.visit(self.ctx.tree)
        fix_missing_locations(self.ctx.tree)
        return self.ctx.tree


def located(new, old):
    """`new` with `old`'s source location (the user's line follows generated statements)."""
    gast.copy_location(new, old)
    if hasattr(old, "end_lineno"):
        new.end_lineno = getattr(old, "end_lineno", None)
        new.end_col_offset = getattr(old, "end_col_offset", None)
    return new


def load(name):
    return gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)


def store(name):
    return gast.Name(id=name, ctx=gast.Store(), annotation=None, type_comment=None)


def assign(target, value, like):
    """`target = value` located at `like`; `target` may be a str or a Store node."""
    if isinstance(target, str):
        target = store(target)
    return located(gast.Assign(targets=[target], value=value, type_comment=None), like)


def attribute_path(node):
    """'a.b.c' for a chain of attributes on a Name, else None."""
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, gast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def is_prange(value):
    """Whether `value` is numba.prange: numba runs such a loop's iterations on its threads
    (in a function compiled with parallel=True); in Python it is a plain range."""
    return getattr(value, "__name__", None) == "prange" and (getattr(value, "__module__", None) or "").startswith("numba")


def prange_call(node, program):
    """Whether `node` is `prange(...)`: a call of the program's constant bound to numba.prange."""
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Name)
        and is_prange(program.constants.get(node.func.id))
    )


def dotted(path, like=None):
    """The expression `a.b.c` (Load) for the path 'a.b.c'."""
    parts = path.split(".")
    node = load(parts[0])
    for p in parts[1:]:
        node = gast.Attribute(value=node, attr=p, ctx=gast.Load())
    if like is not None:
        for n in walk(node):
            located(n, like)
    return node


def function_locals(fn_node):
    """Names local to `fn_node`: its parameters and the names its body binds (nested
    functions count by name only; their bodies are scopes of their own)."""
    args = fn_node.args
    params = args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]
    return {a.id for a in params if a is not None} | names_stored(fn_node.body)


# -- expressions: atoms, names read and stored, readable hints (normalization passes) --------
_MODULE_ROOTS = frozenset({NUMPY_ALIAS, MATH_ALIAS})
# Attributes that describe an array rather than compute from it: safe, cheap operands.
META_ATTRS = frozenset({"shape", "ndim", "size", "dtype"})


def is_module_path(node):
    """`_np.pi`, `_np.linalg.norm`, `_math.e`: an attribute chain on a module alias."""
    path = attribute_path(node)
    return path is not None and "." in path and path.split(".", 1)[0] in _MODULE_ROOTS


def is_signed_literal(node):
    """`-1`, `+2.5`: a number literal with a sign (Python parses it as a UnaryOp)."""
    return (
        isinstance(node, gast.UnaryOp)
        and isinstance(node.op, (gast.USub, gast.UAdd))
        and isinstance(node.operand, gast.Constant)
        and type(node.operand.value) in (int, float, complex)
    )


def is_atom(node):
    """An operand that needs no evaluation of its own: a name, a literal, `_np.pi`, `x.shape`."""
    if isinstance(node, gast.Name):
        return isinstance(node.ctx, gast.Load)
    if isinstance(node, gast.Constant) or is_signed_literal(node):
        return True
    if isinstance(node, gast.Attribute):
        return is_module_path(node) or (isinstance(node.value, gast.Name) and node.attr in META_ATTRS)
    return False


def is_atomic_index(node):
    """An index made of atoms: `i`, `-1`, `1:n`, `i, :`, `::2`."""
    if isinstance(node, gast.Slice):
        return all(p is None or is_atom(p) for p in (node.lower, node.upper, node.step))
    if isinstance(node, gast.Tuple):
        return all(is_atomic_index(e) and not isinstance(e, gast.Tuple) for e in node.elts)
    return is_atom(node)


def names_read(node):
    """Names loaded anywhere in `node` (an expression or statement)."""
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def names_stored(stmts):
    """Names bound by `stmts` in their own scope (nested functions count by name only)."""
    names = set()

    def visit(node):
        for child in gast.iter_child_nodes(node):
            if isinstance(child, gast.FunctionDef):
                names.add(child.name)
                continue
            if isinstance(child, gast.Lambda):
                continue
            if isinstance(child, gast.Name) and isinstance(child.ctx, (gast.Store, gast.Del)):
                names.add(child.id)
            visit(child)

    visit(gast.Module(body=list(stmts), type_ignores=[]))
    return names


_WORDS = {
    gast.Add: "plus", gast.Sub: "minus", gast.Mult: "times", gast.Div: "over",
    gast.FloorDiv: "floordiv", gast.Mod: "mod", gast.Pow: "pow", gast.MatMult: "matmul",
    gast.BitAnd: "bitand", gast.BitOr: "bitor", gast.BitXor: "xor", gast.LShift: "lshift",
    gast.RShift: "rshift", gast.USub: "neg", gast.UAdd: "pos", gast.Not: "not",
    gast.Invert: "invert", gast.Eq: "eq", gast.NotEq: "ne", gast.Lt: "lt", gast.LtE: "le",
    gast.Gt: "gt", gast.GtE: "ge", gast.Is: "is", gast.IsNot: "is_not", gast.In: "in",
    gast.NotIn: "not_in", gast.And: "and", gast.Or: "or",
}
# One word per operation, when the descriptive hint would be too long to read.
_NOUNS = {gast.Add: "total", gast.Sub: "diff", gast.Mult: "prod", gast.Div: "ratio", gast.Pow: "power"}
_MAX_HINT = 20


def _callee(func):
    if isinstance(func, gast.Name):
        return func.id
    if isinstance(func, gast.Attribute):
        return func.attr
    return "call"


def _hint(node):
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Constant):
        v = node.value
        if type(v) in (int, float):
            return str(v).replace(".", "_").replace("-", "neg")
        if type(v) is str and v.isidentifier():
            return v  # d["k"] -> d_k
        return {True: "true", False: "false", None: "none"}.get(v, "c") if type(v) in (bool, type(None)) else "c"
    if isinstance(node, gast.UnaryOp):
        return f"{_WORDS[type(node.op)]}_{_hint(node.operand)}"
    if isinstance(node, gast.BinOp):
        return f"{_hint(node.left)}_{_WORDS[type(node.op)]}_{_hint(node.right)}"
    if isinstance(node, gast.Compare):
        parts = [_hint(node.left)]
        for op, c in zip(node.ops, node.comparators):
            parts += [_WORDS[type(op)], _hint(c)]
        return "_".join(parts)
    if isinstance(node, gast.BoolOp):
        return f"_{_WORDS[type(node.op)]}_".join(_hint(v) for v in node.values)
    if isinstance(node, gast.IfExp):
        return f"{_hint(node.body)}_if_{_hint(node.test)}"
    if isinstance(node, gast.Call):
        f = node.func
        if isinstance(f, gast.Attribute) and not is_module_path(f):
            return f"{_hint(f.value)}_{f.attr}"  # a method: x.sum() -> x_sum
        return "_".join([_callee(f)] + [_hint(a) for a in node.args[:2]])
    if isinstance(node, gast.Attribute):
        return node.attr if is_module_path(node) else f"{_hint(node.value)}_{node.attr}"
    if isinstance(node, gast.Subscript):
        if isinstance(node.slice, gast.Constant) and type(node.slice.value) is int:
            return f"{_hint(node.value)}{node.slice.value}"  # x[0] -> x0
        return f"{_hint(node.value)}_{_hint(node.slice)}"
    if isinstance(node, gast.Slice):  # x[1:] -> x_from_1, x[:n] -> x_to_n, x[::2] -> x_by_2
        lo, up, st = (None if p is None else _hint(p) for p in (node.lower, node.upper, node.step))
        if st == "neg_1" and lo is up is None:
            return "rev"
        parts = [lo if up else lo and f"from_{lo}", up and f"to_{up}", st and f"by_{st}"]
        return "_".join(p for p in parts if p) or "all"
    if isinstance(node, (gast.Tuple, gast.List)):
        return "_".join(_hint(e) for e in node.elts) or "empty"
    if isinstance(node, gast.Starred):
        return _hint(node.value)
    return "t"


def _short_hint(node):
    if isinstance(node, gast.Call):
        name = _callee(node.func)  # `sum`, `max`: a builtin's name would get a counter
        return f"{name}_val" if hasattr(builtins, name) else name
    if isinstance(node, gast.BinOp):
        return _NOUNS.get(type(node.op), _WORDS[type(node.op)])
    if isinstance(node, gast.UnaryOp):
        return _WORDS[type(node.op)]
    if isinstance(node, (gast.Compare, gast.BoolOp)):
        return "cond"
    if isinstance(node, gast.Attribute):
        return node.attr
    if isinstance(node, gast.Subscript):
        return "item" if not isinstance(node.value, gast.Name) else f"{node.value.id}_item"
    if isinstance(node, gast.IfExp):
        return "choice"
    return "t"


def hint_of(node):
    """A readable name for the value of `node`: `sin_x`, `a_times_b`, `neg_x`, else shorter."""
    h = _hint(node)
    return h if len(h) <= _MAX_HINT else _short_hint(node)
