"""What reverse mode needs to know about a function before transforming it.

- `Callee`: what a call refers to (a rule's function object, a user function of the
  program, a non-differentiable function) — resolved from the canonical names the parser
  left (`_np.exp`, `_math.sin`, a helper's module-level name, a builtin).
- `active_names`: variables that carry derivative information (depend on a differentiated
  input through differentiable operations), by fixpoint over the whole function.
- `Assignments`: where each variable is assigned (how often, whether inside a loop), from
  which the transformation decides what must be saved for the backward sweep.
"""
import builtins
import math
from dataclasses import dataclass

import gast
import numpy

from ..naming import MATH_ALIAS, NUMPY_ALIAS
from ..parse.base import attribute_path, walk
from .registry import JVP_RULES, NONDIFF, VJP_RULES

# Attributes that are metadata, never differentiable.
META = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes"}


@dataclass
class Callee:
    kind: str  # 'rule', 'user', 'nondiff', 'unknown'
    obj: object = None  # function object (rule/nondiff/unknown) or FunctionContext (user)
    name: str = ""


def resolve_callee(func, program):
    """The `Callee` for a call's `func` expression in generated (resolved) code."""
    path = attribute_path(func)
    if path is None:
        return Callee("unknown", None, "<expression>")
    parts = path.split(".")
    if parts[0] in (NUMPY_ALIAS, MATH_ALIAS):
        obj = numpy if parts[0] == NUMPY_ALIAS else math
        for p in parts[1:]:
            obj = getattr(obj, p, None)
        label = ("np." if parts[0] == NUMPY_ALIAS else "math.") + ".".join(parts[1:])
        return _classify(obj, label)
    if len(parts) == 1:
        name = parts[0]
        for ctx in program.functions:
            if ctx.name == name:
                return Callee("user", ctx, name)
        if name in program.constants:
            return _classify(program.constants[name], name)
        if hasattr(builtins, name):
            return _classify(getattr(builtins, name), name)
    return Callee("unknown", None, path)


def _classify(obj, label):
    if obj is not None and (obj in VJP_RULES or obj in JVP_RULES):
        return Callee("rule", obj, label)
    if obj is not None and obj in NONDIFF:
        return Callee("nondiff", obj, label)
    return Callee("unknown", obj, label)


def names_in(expr):
    return {n.id for n in walk(expr) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def expr_is_active(expr, active, program):
    """Does `expr` (one ANF operation) carry derivative information from `active`?"""
    if isinstance(expr, gast.Name):
        return expr.id in active
    if isinstance(expr, (gast.Constant, gast.Compare, gast.BoolOp)):
        return False
    if isinstance(expr, gast.UnaryOp):
        return not isinstance(expr.op, gast.Not) and expr_is_active(expr.operand, active, program)
    if isinstance(expr, gast.BinOp):
        return expr_is_active(expr.left, active, program) or expr_is_active(expr.right, active, program)
    if isinstance(expr, gast.Subscript):
        return expr_is_active(expr.value, active, program)
    if isinstance(expr, gast.Attribute):
        return expr.attr not in META and expr_is_active(expr.value, active, program)
    if isinstance(expr, (gast.Tuple, gast.List)):
        return any(expr_is_active(e, active, program) for e in expr.elts)
    if isinstance(expr, gast.Call):
        f = expr.func
        if isinstance(f, gast.Attribute) and f.attr == "pop" and isinstance(f.value, gast.Name) and not expr.args:
            return f.value.id in active  # a value popped off a tape (derivative code)
        if resolve_callee(expr.func, program).kind == "nondiff":
            return False
        if isinstance(f, gast.Attribute) and f.attr not in META and expr_is_active(f.value, active, program):
            return True  # a method of a differentiated value (x.astype): a rule is needed, or an error
        args = list(expr.args) + [k.value for k in expr.keywords]
        return any(expr_is_active(a, active, program) for a in args)
    return bool(names_in(expr) & active)


def _assignments(stmts):
    """Assignments, and `lst.append(v)` statements (which assign into `lst`)."""
    for s in stmts:
        if isinstance(s, gast.Assign):
            yield s
        elif (isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and isinstance(s.value.func, gast.Attribute)
              and s.value.func.attr == "append" and isinstance(s.value.func.value, gast.Name) and len(s.value.args) == 1):
            yield gast.Assign(targets=[s.value.func.value], value=s.value.args[0], type_comment=None)
        elif isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and len(s.value.args) in (2, 3) \
                and isinstance(s.value.func, gast.Name) and isinstance(s.value.args[0], gast.Name):
            # Maybe `add_at(a, idx, v)` or `add_to_list(a, v)` (derivative code): `a` gets `v`
            # added in place.
            yield _MaybeAddAt(targets=[s.value.args[0]], value=s.value.args[-1], type_comment=None, func=s.value.func)
        for field in ("body", "orelse"):
            yield from _assignments(getattr(s, field, []) if not isinstance(s, gast.FunctionDef) else [])


class _MaybeAddAt(gast.Assign):
    _fields = gast.Assign._fields + ("func",)


def active_names(fn_node, wrt, program, is_active=expr_is_active):
    """The set of active variable names of `fn_node` when differentiating w.r.t. `wrt`
    (`is_active(expr, active, program)` decides for one right-hand side)."""
    from .runtime import add_at, add_to_list

    active = set(wrt)
    assigns = [
        a for a in _assignments(fn_node.body)
        if not isinstance(a, _MaybeAddAt) or resolve_callee(a.func, program).obj in (add_at, add_to_list)
    ]
    changed = True
    while changed:
        changed = False
        for a in assigns:
            target = a.targets[0]
            name = target.id if isinstance(target, gast.Name) else getattr(target.value, "id", None)
            if name is None or name in active:
                continue
            if is_active(a.value, active, program):
                active.add(name)
                changed = True
    return active


class Assignments:
    """How each name is assigned: the count of assignments and those inside loops."""

    def __init__(self, fn_node):
        self.count = {}
        self.in_loop = set()
        self.loop_targets = set()
        # A parameter holds a value before any assignment: `x = np.tanh(x @ W)` gives it a second.
        args = getattr(fn_node, "args", None)
        for a in (args.posonlyargs + args.args + args.kwonlyargs) if args is not None else ():
            self.count[a.id] = 1
        self._walk(fn_node.body, 0)

    def _walk(self, stmts, depth):
        for s in stmts:
            if isinstance(s, gast.Assign):
                t = s.targets[0]
                if isinstance(t, gast.Name):
                    self.count[t.id] = self.count.get(t.id, 0) + 1
                    if depth:
                        self.in_loop.add(t.id)
            elif isinstance(s, gast.For):
                self.loop_targets.add(s.target.id)
                self._walk(s.body, depth + 1)
            elif isinstance(s, gast.While):
                self._walk(s.body, depth + 1)
            elif isinstance(s, gast.If):
                self._walk(s.body, depth)
                self._walk(s.orelse, depth)

    def stable(self, name):
        """True when `name` holds one value for the whole backward sweep (or is a loop
        index, which the reversed loop sets again), so it need not be saved."""
        if name in self.loop_targets:
            return self.count.get(name, 0) == 0
        return self.count.get(name, 0) <= 1 and name not in self.in_loop


def store_aliases(fn_node):
    """{view: base} for names that are stored into (`v[i] = ...`) and were bound to another
    array or a part of it (`v = y`, `v = y[1:3]`, `v = A[1]`): a store through v changes
    base as well."""
    stored = {n.targets[0].value.id for n in walk(fn_node)
              if isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Subscript)
              and isinstance(n.targets[0].value, gast.Name)}
    out = {}
    views = []
    for n in walk(fn_node):
        if isinstance(n, gast.Assign) and isinstance(n.targets[0], gast.Name) and n.targets[0].id in stored:
            v = n.value
            base = v.value if isinstance(v, gast.Subscript) else v
            if isinstance(v, gast.Call) and v.args and isinstance(v.args[0], gast.Name) \
                    and attribute_path(v.func) in _VIEWS:
                views.append((n, v.args[0]))  # `v = np.reshape(y, ...)`, `v = y.T`: maybe a view of y
            elif isinstance(base, gast.Name) and base.id != n.targets[0].id:
                out[n.targets[0].id] = base.id
    for n, base in views:
        # Only where y is read elsewhere: `A = np.zeros(6).reshape(2, 3)` then stores is fine.
        if any(isinstance(m, gast.Name) and m.id == base.id and isinstance(m.ctx, gast.Load) and m is not base
               for m in walk(fn_node)):
            out[n.targets[0].id] = base.id
    return out


# NumPy functions whose result may share memory with their first argument
_VIEWS = {f"{NUMPY_ALIAS}.{f}" for f in (
    "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "rollaxis", "squeeze", "expand_dims", "asarray",
    "atleast_1d", "atleast_2d", "atleast_3d", "diagonal", "real", "broadcast_to")}
