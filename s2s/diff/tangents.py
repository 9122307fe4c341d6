"""Helpers of the forward-mode builder (`forward.py`) that work on trees alone: which
expressions carry a tangent, whether a folded tangent keeps the output's shape, renaming and
argument substitution in generated statements, and dropping dead tangent statements."""
import gast

from ..parse.base import walk
from .activity import expr_is_active, resolve_callee
from .callsite import rule_for
from .registry import JVP_RULES

_ANS = "__s2s_ans__"


def tangent_carrying(expr, active, program):
    """Like `expr_is_active`, but a call of a linear/multilinear function carries a tangent
    only through its linear inputs: `unreduce(g, ratio)` in derivative code is constant
    when the cotangent `g` is, whatever `ratio` is (it gives only a shape)."""
    if isinstance(expr, gast.Call):
        callee = resolve_callee(expr.func, program)
        if callee.kind == "rule":
            rule, args, kws = rule_for(JVP_RULES, callee.obj, list(expr.args), {k.arg: k.value for k in expr.keywords})
            if rule is not None and rule.kind != "template":
                try:
                    bound = rule.bind(args, kws)
                except TypeError:
                    return expr_is_active(expr, active, program)
                return any(expr_is_active(bound[p], active, program) for p in rule.linear if p in bound)
    return expr_is_active(expr, active, program)


def covers(expr, names):
    """Does every additive term of `expr` read all of `names` (or the output, `_ANS`)? Then
    an elementwise result has the output's shape without broadcasting."""
    if None in names:
        return False
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, (gast.Add, gast.Sub)):
        return covers(expr.left, names) and covers(expr.right, names)
    if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, (gast.USub, gast.UAdd)):
        return covers(expr.operand, names)
    read = {n.id for n in walk(expr) if isinstance(n, gast.Name)}
    return _ANS in read or names <= read


def rename(stmts, old, new):
    for st in stmts:
        for n in walk(st):
            if isinstance(n, gast.Name) and n.id == old:
                n.id = new


def replace_arg(new, orig, arg, repl):
    """In `new` (a deep copy of call/operation `orig`), put `repl` where `orig` has `arg`."""
    if isinstance(orig, gast.BinOp):
        if orig.left is arg:
            new.left = repl
        if orig.right is arg:
            new.right = repl
    elif isinstance(orig, gast.UnaryOp):
        if orig.operand is arg:
            new.operand = repl
    else:
        for i, a in enumerate(orig.args):
            if a is arg:
                new.args[i] = repl
        for i, k in enumerate(orig.keywords):
            if k.value is arg:
                new.keywords[i].value = repl


def drop_dead_tangents(stmts):
    """Remove tangent assignments whose target is never read (the tangent of a value that
    only feeds a branch condition or an index), to a fixpoint."""
    def statements(body):
        for st in body:
            yield st
            for field in ("body", "orelse"):
                yield from statements(getattr(st, field, []))

    def prune(body, read):
        out = []
        for st in body:
            if getattr(st, "s2s_tangent", False) and isinstance(st, gast.Assign) \
                    and isinstance(st.targets[0], gast.Name) and st.targets[0].id not in read:
                continue
            for field in ("body", "orelse"):
                if getattr(st, field, None):
                    setattr(st, field, prune(getattr(st, field), read) or [gast.Pass()])
            out.append(st)
        return out

    while True:
        read = set()
        for st in statements(stmts):
            read |= {n.id for n in walk(st) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
        new = prune(stmts, read)
        if sum(1 for _ in statements(new)) == sum(1 for _ in statements(stmts)):
            return new
        stmts = new
