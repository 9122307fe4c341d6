"""Inline a rule template at a call site.

The template's parameters become the call site's expressions (`g` the output adjoint,
`ans` the output value, inputs and options the call's arguments), its own locals get fresh
names, its free names (`np`, `math`, runtime helpers) become the generated module's names,
and its `return` gives one contribution per input. Contributions for inputs that are not
active are dropped before they are computed.
"""
import functools
import inspect
import math
import textwrap
import types

import gast
import numpy

from ..literals import literal
from ..naming import MATH_ALIAS, NUMPY_ALIAS
from ..parse.base import clone, load, located, names_stored, walk
from ..parse.resolve import canonical_path


@functools.lru_cache(maxsize=None)
def _template_tree(template):
    src = textwrap.dedent(inspect.getsource(template))
    fn = gast.parse(src).body[0]
    body = [s for s in fn.body if not (isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant))]
    if not body or not isinstance(body[-1], gast.Return) or any(
        isinstance(n, gast.Return) for s in body[:-1] for n in walk(s)
    ):
        raise TypeError(f"template {template.__name__!r} must end with its only `return`")
    return body


def _read_nodes(template, active, n_inputs):
    """The template's statements and expressions that run for the active inputs."""
    body = _template_tree(template)
    nodes = list(body)
    if active is not None:
        value = body[-1].value
        nodes = list(body[:-1])
        if n_inputs == 1:
            nodes += [value] if active[0] else []
        elif isinstance(value, gast.Tuple) and len(value.elts) == n_inputs:
            nodes += [e for e, on in zip(value.elts, active) if on]
        else:
            nodes.append(value)
    return nodes


def shape_uses(template, active, n_inputs):
    """Parameters that the active part of the template reads only as the second argument
    of `unbroadcast(ct, x)`, i.e. only for their shape."""
    shape_pos, reads = set(), {}
    for node in _read_nodes(template, active, n_inputs):
        for n in walk(node):
            if isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and n.func.id == "unbroadcast" \
                    and len(n.args) == 2 and isinstance(n.args[1], gast.Name):
                shape_pos.add(id(n.args[1]))
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load):
                reads.setdefault(n.id, []).append(id(n))
    params = set(inspect.signature(template).parameters) - {"g", "ans"}
    return {p for p in params if p in reads and all(i in shape_pos for i in reads[p])}


def uses(template, active=None, n_inputs=None):
    """Parameter names the template body reads -- with `active` (one bool per input), only
    those that the preamble and the active inputs' contributions read, so that the forward
    sweep saves nothing for a contribution that is dropped."""
    nodes = _read_nodes(template, active, n_inputs)
    read = {n.id for s in nodes for n in walk(s) if isinstance(n, gast.Name)}
    return {p for p in inspect.signature(template).parameters if p in read}


class _Substitute(gast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if node.id in self.mapping:
            new = self.mapping[node.id]
            if isinstance(new, str):
                return gast.copy_location(gast.Name(id=new, ctx=node.ctx, annotation=None, type_comment=None), node)
            return clone(new)
        return node

    def visit_Subscript(self, node):
        # `g[0]` with `g` a tuple/list literal (the per-element cotangents of a tuple-valued
        # result): the element itself.
        base, k = node.value, node.slice
        if isinstance(base, gast.Name) and isinstance(self.mapping.get(base.id), (gast.Tuple, gast.List)) \
                and isinstance(k, gast.Constant) and isinstance(k.value, int) and not isinstance(k.value, bool) \
                and -len(self.mapping[base.id].elts) <= k.value < len(self.mapping[base.id].elts):
            return clone(self.mapping[base.id].elts[k.value])
        return self.generic_visit(node)


def _global_name(value, hint, program):
    """How the generated module names a template's free name."""
    if value is numpy or getattr(value, "__name__", None) == "s2s.numpy":
        return NUMPY_ALIAS
    if value is math:
        return MATH_ALIAS
    path = canonical_path(value)
    if path is not None and not isinstance(value, types.ModuleType):
        return path
    return program.constant(value, hint)


class _DropUnbroadcast(gast.NodeTransformer):
    """`unbroadcast(ct, x)` -> `ct` for the inputs `x` known to have the output's shape."""

    def __init__(self, params):
        self.params = params

    def visit_Call(self, node):
        node = self.generic_visit(node)
        if isinstance(node.func, gast.Name) and node.func.id == "unbroadcast" and len(node.args) == 2 \
                and isinstance(node.args[1], gast.Name) and node.args[1].id in self.params:
            return node.args[0]
        return node


def instantiate(rule, program, namer, mapping, options, same_shape=()):
    """A rule template's body at a call site: (statements, returned expression).

    `mapping`: {placeholder parameter: expression} for the leading parameters and inputs;
    `options`: {name: expression} for the options given at the call (the others get their
    defaults). Template locals get fresh names, free names the generated module's names.
    """
    template = rule.template
    body = clone(_template_tree(template))
    if same_shape:
        body = [_DropUnbroadcast(set(same_shape)).visit(s) for s in body]
    params = list(inspect.signature(template).parameters)
    mapping = dict(mapping)
    for name, default in rule.options:
        if name in options:
            mapping[name] = options[name]
        else:
            text = literal(default)
            if text is None:
                raise TypeError(f"rule {template.__name__}: default of {name!r} has no literal form")
            mapping[name] = gast.parse(text).body[0].value
    stored = names_stored(body)
    if stored & set(params):
        raise TypeError(f"template {template.__name__!r} assigns to its parameter(s) {sorted(stored & set(params))}")
    for local in sorted(stored):
        mapping[local] = namer.fresh(local)
    free = {
        n.id
        for s in body
        for n in walk(s)
        if isinstance(n, gast.Name) and n.id not in mapping and n.id not in params
    }
    for name in sorted(free):
        if name in template.__globals__:
            mapping[name] = _global_name(template.__globals__[name], name, program)
        # else: a builtin (abs, min, ...) stays as it is
    ret = body.pop()
    sub = _Substitute(mapping)
    return [sub.visit(s) for s in body], sub.visit(ret.value)


def inline(rule, program, namer, g, ans, inputs, options, active, like, same_shape=()):
    """(statements, contributions) for `rule` at a call site.

    `g`, `ans`: expressions; `inputs`: expressions in the rule's input order; `options`:
    {name: expression}; `active`: one bool per input. contributions[i] is an expression
    (a fresh name) or None when input i is not active.
    """
    mapping = {"g": g, "ans": ans}
    mapping.update(zip(rule.inputs, inputs))
    stmts, value = instantiate(rule, program, namer, mapping, options, same_shape)
    n = len(rule.inputs)
    if n == 1:
        parts = [value]
    elif isinstance(value, gast.Tuple) and len(value.elts) == n:
        parts = list(value.elts)
    else:  # a computed tuple: bind it once, index it
        tup = namer.fresh("contribs")
        stmts.append(gast.Assign(targets=[gast.Name(tup, gast.Store(), None, None)], value=value, type_comment=None))
        parts = [
            gast.Subscript(value=load(tup), slice=gast.Constant(value=i, kind=None), ctx=gast.Load()) for i in range(n)
        ]
    contribs = []
    for i, (part, on) in enumerate(zip(parts, active)):
        if not on or (isinstance(part, gast.Constant) and part.value is None):
            contribs.append(None)
            continue
        name = namer.fresh(f"{rule.inputs[i]}_contrib" if n > 1 else "contrib")
        stmts.append(gast.Assign(targets=[gast.Name(name, gast.Store(), None, None)], value=part, type_comment=None))
        contribs.append(load(name))
    for s in stmts:
        for node in walk(s):
            located(node, like)
    return stmts, contribs
