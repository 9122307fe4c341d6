"""Which variables are scalars: a small rank (number of dimensions) inference.

`grad(f)(x0, v0, dt, steps)` knows its arguments: Python floats and ints are rank 0, an
array has its `ndim`. From there, through the normalized code, a variable gets a rank when
every assignment to it gives the same known rank; anything unclear is unknown (`None`).
Reverse mode uses it for one thing: an input a rule reads only to unbroadcast into needs
nothing saved when it is a scalar (its shape is `()`), so scalar loops tape nothing for
additions and subtractions.

Rules (conservative): constants and `math.*` are scalars; elementwise NumPy functions and
operators broadcast (the largest rank); reductions without `axis` give a scalar; indexing
with integers drops one dimension each, slices keep one, `None` adds one; `x.shape[i]`,
`len(x)`, `x.size` are scalars; `dot`/`matmul`/`@` follow NumPy's rank rules; `for i in range(...)` makes `i` a scalar.
"""
import gast

from ..naming import MATH_ALIAS, NUMPY_ALIAS
from ..parse.base import attribute_path, walk

UNKNOWN = None

_ELEMENTWISE = frozenset(
    "exp exp2 expm1 log log2 log10 log1p sqrt cbrt square reciprocal negative positive abs absolute fabs sign "
    "sin cos tan arcsin arccos arctan sinh cosh tanh arcsinh arccosh arctanh floor ceil rint trunc "
    "maximum minimum fmax fmin power float_power arctan2 hypot logaddexp logaddexp2 add subtract multiply "
    "divide true_divide floor_divide mod remainder where clip".split()
)
_REDUCTIONS = frozenset("sum mean prod max min amax amin var std nansum nanmean ptp".split())
_SCALAR_BUILTINS = frozenset({"float", "int", "bool", "len", "round"})


class Ranks:
    """`Ranks(fn_tree, {param: rank}).of(name)`: the rank of a variable, or None."""

    def __init__(self, tree, params):
        self.known = {k: v for k, v in params.items() if v is not None}
        self.unknown = set()
        assigns = []
        for node in walk(tree):
            if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
                assigns.append((node.targets[0].id, node.value))
            elif isinstance(node, gast.For) and isinstance(node.target, gast.Name):
                is_range = attribute_path(getattr(node.iter, "func", None) or node.iter) == "range"
                assigns.append((node.target.id, gast.Constant(value=0, kind=None) if is_range else None))
        params_set = {a.id for a in tree.args.posonlyargs + tree.args.args}
        for p in params_set - set(self.known):
            self.unknown.add(p)
        # First optimistically (an assignment that reads an undecided name waits), then
        # strictly: whatever is still undecided makes its target unknown.
        for allow_pending in (True, False):
            self._fixpoint(assigns, allow_pending)

    def _fixpoint(self, assigns, allow_pending):
        changed = True
        while changed:
            changed = False
            for name, value in assigns:
                if name in self.unknown:
                    continue
                r = self.expr(value) if value is not None else UNKNOWN
                if r is UNKNOWN:
                    if not (allow_pending and value is not None and self._pending(value)):
                        self.unknown.add(name)
                        self.known.pop(name, None)
                        changed = True
                elif name not in self.known:
                    self.known[name] = r
                    changed = True
                elif self.known[name] != r:
                    self.unknown.add(name)
                    del self.known[name]
                    changed = True

    def _pending(self, value):
        """Does `value` read a name not decided yet (neither known nor unknown)?"""
        return any(
            isinstance(n, gast.Name) and n.id not in self.known and n.id not in self.unknown
            and not n.id.startswith(("_np", "_math"))
            for n in walk(value)
        )

    def of(self, name):
        return None if name in self.unknown else self.known.get(name)

    def expr(self, e):
        if isinstance(e, gast.Constant):
            return 0 if isinstance(e.value, (int, float, complex, bool)) else UNKNOWN
        if isinstance(e, gast.Name):
            return self.of(e.id)
        if isinstance(e, gast.BinOp):
            if isinstance(e.op, gast.MatMult):
                return _matmul(self.expr(e.left), self.expr(e.right))
            return _broadcast([self.expr(e.left), self.expr(e.right)])
        if isinstance(e, gast.UnaryOp):
            return 0 if isinstance(e.op, gast.Not) else self.expr(e.operand)
        if isinstance(e, (gast.Compare, gast.BoolOp)):
            parts = [e.left] + list(e.comparators) if isinstance(e, gast.Compare) else list(e.values)
            return 0 if all(self.expr(p) == 0 for p in parts) else UNKNOWN
        if isinstance(e, gast.Attribute):
            if e.attr in ("size", "ndim"):
                return 0
            if e.attr == "T":
                return self.expr(e.value)
            return UNKNOWN
        if isinstance(e, gast.Subscript):
            return self._subscript(e)
        if isinstance(e, gast.Call):
            return self._call(e)
        return UNKNOWN

    def _subscript(self, e):
        if isinstance(e.value, gast.Attribute) and e.value.attr == "shape":
            return 0
        r = self.expr(e.value)
        if r is UNKNOWN:
            return UNKNOWN
        parts = e.slice.elts if isinstance(e.slice, gast.Tuple) else [e.slice]
        for p in parts:
            if isinstance(p, gast.Slice):
                continue
            if isinstance(p, gast.Constant) and p.value is None:
                r += 1
            elif (isinstance(p, gast.Constant) and isinstance(p.value, int)) or (
                    isinstance(p, gast.Name) and self.of(p.id) == 0):
                r -= 1
            else:
                return UNKNOWN  # an array index, Ellipsis, ...
        return r if r >= 0 else UNKNOWN

    def _call(self, e):
        path = attribute_path(e.func) or ""
        args = [self.expr(a) for a in e.args]
        if path.startswith(MATH_ALIAS + "."):
            return 0
        if path.startswith(NUMPY_ALIAS + "."):
            name = path[len(NUMPY_ALIAS) + 1:]
            if name in _ELEMENTWISE and not e.keywords:
                return _broadcast(args)
            if name in _REDUCTIONS and len(e.args) == 1 and not e.keywords:
                return 0
            if name in ("dot", "matmul") and len(args) == 2 and not e.keywords:
                return _matmul(*args) if name == "matmul" else _dot(*args)
            if name in ("inner", "vdot") and len(args) == 2 and args == [1, 1]:
                return 0
            if name == "outer" and len(args) == 2 and all(a is not UNKNOWN for a in args):
                return 2
            return UNKNOWN
        if path in _SCALAR_BUILTINS:
            return 0
        if path in ("abs", "min", "max") and args and all(a == 0 for a in args):
            return 0
        return UNKNOWN


def _dot(a, b):
    """np.dot: a scalar operand multiplies; else the last axis of a meets b's second-to-last."""
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    if a == 0 or b == 0:
        return max(a, b)
    return a + b - 2


def _matmul(a, b):
    """`@` (no scalars): 1-d operands are promoted and the added axis removed again."""
    if a is UNKNOWN or b is UNKNOWN or a == 0 or b == 0:
        return UNKNOWN
    if a == 1 and b == 1:
        return 0
    if a == 1 or b == 1:
        return max(a, b) - 1
    return max(a, b)


def _broadcast(ranks):
    if not ranks or any(r is UNKNOWN for r in ranks):
        return UNKNOWN
    return max(ranks)


def of_value(value):
    """The rank of an argument value, or None for containers and other objects."""
    if isinstance(value, (float, int, complex)):
        return 0
    nd = getattr(value, "ndim", None)
    return nd if isinstance(nd, int) else None
