"""May loop batching run its examples on numba's threads? Not if f writes into shared memory.

Examples run in parallel only if no example can see another's writes. Each example gets
its own slice of the mapped arguments, but unmapped arguments, globals and closure arrays
are shared, so a program qualifies when none of its functions writes into memory it was
given: every array a write reaches (`a[i] = v`, `a.fill(0)`, `add_at(a, ...)`,
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
from ..parse.base import attribute_path, function_locals, walk

# NumPy functions that may return (a view of) their first argument.
_VIEWS = frozenset({
    "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "rollaxis", "squeeze", "expand_dims", "asarray",
    "asanyarray", "ascontiguousarray", "asfortranarray", "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_to",
    "broadcast_arrays", "diagonal", "real", "imag", "flip", "fliplr", "flipud", "rot90", "split", "array_split",
    "hsplit", "vsplit", "dsplit", "unstack", "nditer", "require", "matrix_transpose", "permute_dims",
})


# Derivative-runtime helpers returning new memory whatever they are given, and the one that
# writes into an argument (`add_at(a, i, v)`: a[i] += v); the others only read.
_FRESH_RUNTIME = frozenset({"zeros_like"})
_WRITING_RUNTIME = {"add_at": 0}


def shared_write(program):
    """The first write into memory a function of `program` was given, as
    (function context, node), or None when every write goes to the function's own arrays."""
    for ctx in program.functions:
        found = _SharedWrites(ctx.tree, program).first()
        if found is not None:
            return ctx, found
    return None


class _SharedWrites:
    """Two facts per local name: `shared` (the object may be memory the function was given)
    and `holders` (a container of the function's own that may hold such objects: a tape
    list, a tuple literal)."""

    def __init__(self, tree, program):
        self.tree = tree
        self.functions = {c.name for c in program.functions}
        self.runtime = {name: getattr(v, "__name__", "") for name, v in program.constants.items()
                        if (getattr(v, "__module__", None) or "").startswith("s2s.diff.runtime")}
        self.locals = function_locals(tree)
        params = tree.args.posonlyargs + tree.args.args + tree.args.kwonlyargs + [tree.args.vararg, tree.args.kwarg]
        self.shared = {a.id for a in params if a is not None}
        self.holders = set()

    def reaches(self, node):
        """May the value of `node` be, or contain, memory the function was given?"""
        return self.aliases(node) or self.holds(node)

    def holds(self, node):
        if isinstance(node, gast.Name):
            return node.id in self.holders
        if isinstance(node, (gast.Tuple, gast.List, gast.Set)):
            return any(self.reaches(e) for e in node.elts)
        if isinstance(node, gast.Dict):
            return any(self.reaches(v) for v in node.values)
        if isinstance(node, gast.IfExp):
            return self.holds(node.body) or self.holds(node.orelse)
        return False

    def aliases(self, node):
        """May the value of expression `node` be (part of) memory the function was given?"""
        if isinstance(node, gast.Name):
            return node.id in self.shared or node.id not in self.locals
        if isinstance(node, (gast.Subscript, gast.Attribute, gast.Starred)):
            return self.reaches(node.value)  # part of shared memory, or an element of a holder
        if isinstance(node, gast.IfExp):
            return self.aliases(node.body) or self.aliases(node.orelse)
        if isinstance(node, gast.Call):
            if isinstance(node.func, gast.Name) and self.runtime.get(node.func.id) in _FRESH_RUNTIME:
                return False
            path = attribute_path(node.func) or ""
            root, _, name = path.partition(".")
            if root == MATH_ALIAS:
                return False
            if root == NUMPY_ALIAS and name.rsplit(".", 1)[-1] not in _VIEWS:
                return False
            args = list(node.args) + [k.value for k in node.keywords]
            if isinstance(node.func, gast.Attribute) and root not in (NUMPY_ALIAS, MATH_ALIAS):
                args.append(node.func.value)  # a method: `x.reshape(...)`, `tape.pop()`
            return any(self.reaches(a) for a in args)
        return False  # arithmetic, comparisons, literals (new containers): new values

    def _written(self, node):
        """The memory a statement writes into (an expression whose value it updates), or None."""
        if isinstance(node, gast.Assign):
            for t in node.targets:
                if isinstance(t, (gast.Subscript, gast.Attribute)):
                    return t.value
        for call in (n for n in walk(node) if isinstance(n, gast.Call)):
            if any(k.arg == "out" for k in call.keywords):
                return next(k.value for k in call.keywords if k.arg == "out")
            if isinstance(node, gast.Expr) and call is node.value:  # a call for its effect
                hit = [a for a in self._effect_targets(call) if self.aliases(a)]
                if hit:
                    return hit[0]
        return None

    def _effect_targets(self, call):
        """What a call made for its effect may write into."""
        root = (attribute_path(call.func) or "").split(".")[0]
        if isinstance(call.func, gast.Attribute) and root not in (NUMPY_ALIAS, MATH_ALIAS):
            return [call.func.value]  # `x.fill(0)`, `xs.append(v)`: the receiver
        if isinstance(call.func, gast.Name):
            if call.func.id in self.functions:
                return []  # a function of the program: its own analysis sees its writes
            if call.func.id in self.runtime:
                k = _WRITING_RUNTIME.get(self.runtime[call.func.id])
                return [] if k is None else call.args[k:k + 1]
        return list(call.args) + [k.value for k in call.keywords]

    def first(self):
        stmts = [n for n in walk(self.tree) if isinstance(n, gast.stmt) and n is not self.tree]
        # Taint to a fixed point: loops carry aliases backwards.
        changed = True
        while changed:
            changed = False
            for s in stmts:
                marks = []
                if isinstance(s, gast.Assign):
                    for t in s.targets:
                        if isinstance(t, gast.Name):
                            marks += [(t.id, self.shared)] * self.aliases(s.value) + [(t.id, self.holders)] * self.holds(s.value)
                        elif isinstance(t, (gast.Tuple, gast.List)) and self.reaches(s.value):
                            marks += [(n.id, self.shared) for n in walk(t)
                                      if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)]
                elif (isinstance(s, gast.Expr) and isinstance(s.value, gast.Call)
                      and isinstance(s.value.func, gast.Attribute) and isinstance(s.value.func.value, gast.Name)
                      and any(self.reaches(a) for a in s.value.args)):
                    marks.append((s.value.func.value.id, self.holders))  # `xs.append(v)`: xs holds v
                for name, facts in marks:
                    if name not in facts:
                        facts.add(name)
                        changed = True
        for s in stmts:
            target = self._written(s)
            if target is not None and self.aliases(target):
                return s
        return None
