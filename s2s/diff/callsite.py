"""One operation of normalized code, matched with its rule: what both modes do first.

`operation_rule(table, value, program, ranks, fail)` takes `t = <op>(args)`'s right-hand
side and returns ("user", callee context, args) for a call of a user function, or
("rule", rule, bound) where `bound` maps the rule's parameters to the call's expressions.
It raises `fail(message, label)` (the caller's NoDerivativeRuleError at the user's line)
when there is no rule, the rule does not accept the call, or the rule's `supports` check
refuses what the call site fixes (constant arguments, known ranks) -- at the user's line,
not later in generated code.
"""
import inspect

import gast

from ..parse.base import is_signed_literal
from .activity import resolve_callee


def _literal_value(e):
    """The value of a constant, or of a signed number literal (`-1`)."""
    if isinstance(e, gast.Constant):
        return e.value
    return -e.operand.value if isinstance(e.op, gast.USub) else e.operand.value


def operation_rule(table, value, program, ranks, fail, missing="no derivative rule for the operator {}"):
    if isinstance(value, (gast.BinOp, gast.UnaryOp)):
        key, label = type(value.op), type(value.op).__name__
        args, kws = ([value.left, value.right] if isinstance(value, gast.BinOp) else [value.operand]), {}
    else:
        callee = resolve_callee(value.func, program)
        args, kws = list(value.args), {k.arg: k.value for k in value.keywords}
        if callee.kind == "user":
            return "user", callee.obj, args
        if callee.kind != "rule":
            raise fail(f"no derivative rule for {callee.name}", callee.name)
        key, label = callee.obj, callee.name
    rule, args, kws = rule_for(table, key, args, kws)
    if rule is None:
        raise fail(missing.format(label), label)
    try:
        bound = rule.bind(args, kws)
    except TypeError as exc:
        raise fail(f"the derivative rule for {label} does not accept this call ({exc})", label) from None
    check = getattr(rule.template, "s2s_supports", None)
    choose = getattr(rule.template, "s2s_selects", None)
    if check is not None or choose is not None:
        known = {p: _literal_value(e) for p, e in bound.items() if isinstance(e, gast.Constant) or is_signed_literal(e)}
        known.update({n: d for n, d in rule.options if n not in bound})
        known.update({f"ndim:{p}": ranks.of(e.id) if isinstance(e, gast.Name) else ranks.expr(e)
                      for p, e in bound.items() if isinstance(e, (gast.Name, gast.Subscript))})
        reason = check(known) if check is not None else None
        if reason:
            raise fail(f"no derivative rule for {label} {reason}", label)
        variant = choose(known) if choose is not None else None
        if variant is not None:  # another template for this call (registry.selects)
            return operation_rule_of(variant.s2s_rule, args, kws, known, label, fail)
    return "rule", rule, bound


def operation_rule_of(rule, args, kws, known, label, fail):
    try:
        bound = rule.bind(args, kws)
    except TypeError as exc:
        raise fail(f"the derivative rule for {label} does not accept this call ({exc})", label) from None
    check = getattr(rule.template, "s2s_supports", None)
    reason = check(known) if check is not None else None
    if reason:
        raise fail(f"no derivative rule for {label} {reason}", label)
    return "rule", rule, bound


def rule_for(table, key, args, kws):
    """(rule, args, keywords) for a call of `key` with positional `args` and keywords `kws`
    (a dict): the rule with as many inputs as there are positional arguments -- or more, where
    a keyword names a differentiable input (below)."""
    rule = table.get(key, n_args=len(args))
    if kws and rule is not None:
        return _inputs_by_keyword(table, key, rule, args, kws)
    return rule, args, kws


def _inputs_by_keyword(table, key, rule, args, kws):
    """`np.average(a, weights=w)`, `np.trapezoid(y, x=t)`: a differentiable input that
    NumPy also takes by keyword is an input of the variant with more inputs (whose
    positional order is NumPy's). The keyword moves to its position; the positions
    between are filled with NumPy's defaults."""
    for r in sorted(table.variants(key), key=lambda r: -len(r.inputs)):
        later = r.inputs[len(args):]
        if len(r.inputs) <= len(args) or not any(
                n in kws and not (isinstance(kws[n], gast.Constant) and kws[n].value is None) for n in later):
            continue
        defaults = _numpy_defaults(key)
        # the last input of the variant is given (`np.average(a, axis=0)` is not weighted)
        if later[-1] not in kws or isinstance(kws[later[-1]], gast.Constant) and kws[later[-1]].value is None:
            continue
        new_args, new_kws = list(args), dict(kws)
        for n in later:
            if n in new_kws:
                new_args.append(new_kws.pop(n))
            elif n in defaults:
                new_args.append(gast.Constant(value=defaults[n], kind=None))
            else:
                break
        else:
            return r, new_args, new_kws
    return rule, args, kws


def _numpy_defaults(fn):
    """{parameter: default} of a NumPy function's signature (constants only)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in params if p.default is not inspect.Parameter.empty
            and (p.default is None or type(p.default) in (int, float, bool, str))}
