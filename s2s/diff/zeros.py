"""Symbolic zeros in forward mode: fold an inlined JVP template whose inactive tangents
are zero.

A JVP template's output is linear in the tangents, so every sub-expression that mentions a
tangent is linear in it too. When all the tangents a sub-expression mentions are zero, it
is zero: `dx1 * x2 + x1 * dx2` with `dx2` zero folds to `dx1 * x2`; `np.sum(dx * y)` with
`dx` zero is zero. A call that keeps some non-zero tangent gets a literal `0.0` for its
zero arguments (`np.where(c, dx, 0.0)`); the forward pass broadcasts the result to the
output's shape when anything was dropped.

    >>> import gast
    >>> e = gast.parse("dx1 * x2 + x1 * dx2").body[0].value
    >>> gast.unparse(fold(e, {"dx1", "dx2"}, {"dx2"})).strip()
    'dx1 * x2'
    >>> fold(e, {"dx1", "dx2"}, {"dx1", "dx2"}) is ZERO
    True
"""
import gast

from ..parse.base import walk

ZERO = object()


def _const(v):
    return gast.Constant(value=v, kind=None)


def _carries(expr, tangents):
    return any(isinstance(n, gast.Name) and n.id in tangents for n in walk(expr))


def fold(expr, tangents, zeros):
    """`expr` with the zero tangents folded away, or ZERO. `tangents`: every name that holds
    a tangent (zero or not); `zeros`: those that are zero."""
    if not _carries(expr, tangents):
        return expr
    if isinstance(expr, gast.Name):
        return ZERO if expr.id in zeros else expr
    if isinstance(expr, gast.BinOp):
        left, right = fold(expr.left, tangents, zeros), fold(expr.right, tangents, zeros)
        op = expr.op
        if isinstance(op, gast.Add):
            if left is ZERO:
                return right
            if right is ZERO:
                return left
        elif isinstance(op, gast.Sub):
            if right is ZERO:
                return left
            if left is ZERO:
                return right if right is ZERO else gast.UnaryOp(op=gast.USub(), operand=right)
        elif left is ZERO or right is ZERO:  # *, /, @, ...: a product with a zero factor
            return ZERO
        return gast.BinOp(left=left, op=op, right=right)
    if isinstance(expr, gast.UnaryOp):
        operand = fold(expr.operand, tangents, zeros)
        return ZERO if operand is ZERO else gast.UnaryOp(op=expr.op, operand=operand)
    if isinstance(expr, gast.Subscript):
        value = fold(expr.value, tangents, zeros)
        return ZERO if value is ZERO else gast.Subscript(value=value, slice=expr.slice, ctx=expr.ctx)
    if isinstance(expr, gast.Call):
        args = [fold(a, tangents, zeros) for a in expr.args]
        kws = [(k, fold(k.value, tangents, zeros)) for k in expr.keywords]
        parts = args + [v for _, v in kws]
        carrying = [p for p, orig in zip(parts, list(expr.args) + [k.value for k in expr.keywords])
                    if _carries(orig, tangents)]
        if all(p is ZERO for p in carrying):
            return ZERO
        return gast.Call(
            func=expr.func,
            args=[_const(0.0) if a is ZERO else a for a in args],
            keywords=[gast.keyword(arg=k.arg, value=_const(0.0) if v is ZERO else v) for k, v in kws],
        )
    if isinstance(expr, (gast.Tuple, gast.List)):
        elts = [fold(e, tangents, zeros) for e in expr.elts]
        if all(e is ZERO for e in elts):
            return ZERO
        return type(expr)(elts=[_const(0.0) if e is ZERO else e for e in elts], ctx=expr.ctx)
    return expr


def fold_body(stmts, value, tangents, zeros):
    """Fold a template's preamble (`local = expr` statements) and its returned value:
    (statements kept, value or ZERO). A local that folds to zero is zero further on."""
    tangents, zeros = set(tangents), set(zeros)
    out = []
    for s in stmts:
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
            v = fold(s.value, tangents, zeros)
            name = s.targets[0].id
            if _carries(s.value, tangents):
                tangents.add(name)
            if v is ZERO:
                zeros.add(name)
                continue
            s = gast.Assign(targets=s.targets, value=v, type_comment=None)
        out.append(s)
    return out, fold(value, tangents, zeros)
