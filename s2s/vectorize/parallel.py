"""May loop batching run its examples on numba's threads? Not if f writes into shared memory.

Examples run in parallel only if no example can see another's writes. Each example gets
its own slice of the mapped arguments, but unmapped arguments, globals and closure arrays
are shared, so a program qualifies when none of its functions writes into memory it was
given: every array a write reaches (`a[i] = v`, `a += v`, `a.fill(0)`, `add_at(a, ...)`,
a call with `out=`) must have been created inside the function (np.zeros, arithmetic,
a NumPy function's result...). The analysis is per function and conservative:

    def f(x, w):                  # x, w: memory the caller owns
        v = x[1:]                 # a view of x: owned by the caller too
        t = w * 2                 # a new array
        t[0] = 1.0                # fine: t is f's own
        v[0] = 1.0                # shared: f runs in order

A value may alias the caller's memory when it is a parameter, a global or closure value,
a subscript or attribute of such a value, or the result of a call given one (except
NumPy functions known to return new arrays). Tuples and lists holding one count too.
"""
import gast

from ..naming import MATH_ALIAS, NUMPY_ALIAS
from ..parse.base import attribute_path, function_locals

# NumPy functions that may return (a view of) their first argument.
_VIEWS = frozenset({
    "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "rollaxis", "squeeze", "expand_dims", "asarray",
    "asanyarray", "ascontiguousarray", "asfortranarray", "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_to",
    "broadcast_arrays", "diagonal", "real", "imag", "flip", "fliplr", "flipud", "rot90", "split", "array_split",
    "hsplit", "vsplit", "dsplit", "unstack", "nditer", "require", "matrix_transpose", "permute_dims",
})


def shared_write(program):
    """The first write into memory a function of `program` was given, as
    (function context, node), or None when every write goes to the function's own arrays."""
    for ctx in program.functions:
        found = _SharedWrites(ctx.tree).first()
        if found is not None:
            return ctx, found
    return None


class _SharedWrites:
    def __init__(self, tree):
        self.tree = tree
        self.locals = function_locals(tree)
        params = tree.args.posonlyargs + tree.args.args + tree.args.kwonlyargs + [tree.args.vararg, tree.args.kwarg]
        self.shared = {a.id for a in params if a is not None}

    def aliases(self, node):
        """May the value of expression `node` be (part of) memory the function was given?"""
        if isinstance(node, gast.Name):
            return node.id in self.shared or node.id not in self.locals
        if isinstance(node, (gast.Subscript, gast.Attribute, gast.Starred)):
            return self.aliases(node.value)
        if isinstance(node, (gast.Tuple, gast.List, gast.Set)):
            return any(self.aliases(e) for e in node.elts)
        if isinstance(node, gast.Dict):
            return any(self.aliases(v) for v in node.values)
        if isinstance(node, gast.IfExp):
            return self.aliases(node.body) or self.aliases(node.orelse)
        if isinstance(node, gast.Call):
            path = attribute_path(node.func) or ""
            root, _, name = path.partition(".")
            if root == MATH_ALIAS:
                return False
            if root == NUMPY_ALIAS and name.rsplit(".", 1)[-1] not in _VIEWS:
                return False
            args = list(node.args) + [k.value for k in node.keywords]
            if isinstance(node.func, gast.Attribute) and root not in (NUMPY_ALIAS, MATH_ALIAS):
                args.append(node.func.value)  # a method: `x.reshape(...)` may return a view of x
            return any(self.aliases(a) for a in args)
        return False  # arithmetic, comparisons, literals: new values

    def _written(self, node):
        """The memory a statement writes into (an expression whose value it updates), or None."""
        if isinstance(node, gast.Assign):
            for t in node.targets:
                if isinstance(t, (gast.Subscript, gast.Attribute)):
                    return t.value
        if isinstance(node, gast.AugAssign):  # `a += v` updates an array in place
            return node.target.value if isinstance(node.target, (gast.Subscript, gast.Attribute)) else node.target
        for call in (n for n in gast.walk(node) if isinstance(n, gast.Call)):
            if any(k.arg == "out" for k in call.keywords):
                return next(k.value for k in call.keywords if k.arg == "out")
            if isinstance(node, gast.Expr) and call is node.value:  # a call for its effect
                args = list(call.args) + [k.value for k in call.keywords]
                root = (attribute_path(call.func) or "").split(".")[0]
                if isinstance(call.func, gast.Attribute) and root not in (NUMPY_ALIAS, MATH_ALIAS):
                    args.append(call.func.value)  # `x.fill(0)`, `xs.append(v)`
                hit = [a for a in args if self.aliases(a)]
                if hit:
                    return hit[0]
        return None

    def first(self):
        stmts = [n for n in gast.walk(self.tree) if isinstance(n, gast.stmt) and n is not self.tree]
        # Taint to a fixed point: loops carry aliases backwards.
        changed = True
        while changed:
            changed = False
            for s in stmts:
                if isinstance(s, gast.Assign) and self.aliases(s.value):
                    for t in s.targets:
                        for n in gast.walk(t):
                            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and n.id not in self.shared:
                                self.shared.add(n.id)
                                changed = True
        for s in stmts:
            target = self._written(s)
            if target is not None and self.aliases(target):
                return s
        return None
