"""One operation of normalized code, matched with its rule: what both modes do first.

`operation_rule(table, value, program, ranks, fail)` takes `t = <op>(args)`'s right-hand
side and returns ("user", callee context, args) for a call of a user function, or
("rule", rule, bound) where `bound` maps the rule's parameters to the call's expressions.
It raises `fail(message, label)` (the caller's NoDerivativeRuleError at the user's line)
when there is no rule, the rule does not accept the call, or the rule's `supports` check
refuses what the call site fixes (constant arguments, known ranks) -- at the user's line,
not later in generated code.
"""
import gast

from .activity import resolve_callee


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
    rule = table.get(key, n_args=len(args))
    if rule is None:
        raise fail(missing.format(label), label)
    try:
        bound = rule.bind(args, kws)
    except TypeError as exc:
        raise fail(f"the derivative rule for {label} does not accept this call ({exc})", label) from None
    check = getattr(rule.template, "s2s_supports", None)
    choose = getattr(rule.template, "s2s_selects", None)
    if check is not None or choose is not None:
        known = {p: e.value for p, e in bound.items() if isinstance(e, gast.Constant)}
        known.update({n: d for n, d in rule.options if n not in bound})
        known.update({f"ndim:{p}": ranks.of(e.id) for p, e in bound.items() if isinstance(e, gast.Name)})
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
