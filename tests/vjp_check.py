"""Checking VJP rule templates against central finite differences (Autograd's check_grads
idea), in the pure-Python path and compiled with numba.

For inputs x_i, random directions v_i and a random cotangent g of the output's shape,
the template's contributions c_i must satisfy

    sum_i <c_i, v_i>  ==  <g, (f(x + eps v) - f(x - eps v)) / (2 eps)>

(inputs that are tuples of arrays -- concatenate, stack -- have tuple contributions). Each
contribution must also have its input's shape. Numba-compiled templates are cached per
template object (numba itself caches per type signature).
"""
import operator
import zlib

import gast
import numba
import numpy as np
import pytest

import s2s.diff.rules  # noqa: F401  -- fills the tables
from s2s.diff.registry import VJP_RULES

EPS = 1e-6
RTOL = 1e-5

OPERATORS = {
    gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul, gast.Div: operator.truediv,
    gast.Pow: operator.pow, gast.MatMult: operator.matmul, gast.FloorDiv: operator.floordiv,
    gast.Mod: operator.mod, gast.USub: operator.neg, gast.UAdd: operator.pos,
}

_JITTED = {}


def jitted(template):
    """numba.njit(template), one dispatcher per template."""
    if template not in _JITTED:
        _JITTED[template] = numba.njit(template)
    return _JITTED[template]


def rng_for(name):
    """A generator seeded from a case's name (stable across runs and test selections)."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def primal_of(key):
    return OPERATORS.get(key, key)


def _like(rng, x):
    """A random value with the structure of x (tuples element-wise, scalars as floats); complex
    where x is a complex array (its cotangents and directions have both parts)."""
    if isinstance(x, (tuple, list)):
        return tuple(_like(rng, e) for e in x)
    if np.ndim(x) == 0:
        return float(rng.standard_normal())
    if np.iscomplexobj(x):
        return rng.standard_normal(np.shape(x)) + 1j * rng.standard_normal(np.shape(x))
    return rng.standard_normal(np.shape(x))


def _shift(x, v, t):
    if isinstance(x, (tuple, list)):
        return type(x)(_shift(e, d, t) for e, d in zip(x, v))
    return x + t * v


def _inner(c, v):
    if isinstance(v, tuple):
        assert isinstance(c, tuple) and len(c) == len(v), f"expected a tuple of {len(v)} contributions, got {c!r}"
        return sum(_inner(ce, ve) for ce, ve in zip(c, v))
    assert c is not None, "no contribution for a differentiable input"
    return float(np.real(np.sum(np.asarray(c) * v)))


def _difference(plus, minus, h):
    if isinstance(plus, tuple):  # a function with several outputs
        return tuple(_difference(p, m, h) for p, m in zip(plus, minus))
    return (np.asarray(plus) - np.asarray(minus)) / h


def _check_shape(c, x):
    if isinstance(x, (tuple, list)):
        for ce, xe in zip(c, x):
            _check_shape(ce, xe)
    elif c is not None:
        assert np.shape(c) == np.shape(x), f"contribution of shape {np.shape(c)} for an input of shape {np.shape(x)}"


def as_tuple(rule, out):
    return out if len(rule.inputs) > 1 else (out,)


def check_vjp(key, inputs, options=None, name="case", diff=None, use_numba=False, eps=EPS, rtol=RTOL, rule=None):
    """Check the rule for `key` at `inputs` (a tuple) with keyword `options`.

    `diff`: indices of the inputs to perturb (default: every input that is not an integer,
    boolean or string value). With `use_numba`, the numba-compiled template is checked too
    (options passed positionally, in the template's order). `rule`: check this rule (a
    `Rule`) instead of the registered one, with `key` as the primal.
    """
    options = dict(options or {})
    rule = selected(rule or VJP_RULES.get(key, len(inputs)), options, inputs)
    assert rule is not None, f"no rule for {key!r}"
    f = primal_of(key)
    rng = rng_for(name)
    ans = f(*inputs, **options)
    g = _like(rng, ans)
    if diff is None:
        diff = [i for i, x in enumerate(inputs) if _differentiable(x)]
    dirs = {i: _like(rng, inputs[i]) for i in diff}

    def moved(t):
        return f(*[_shift(x, dirs[i], t) if i in dirs else x for i, x in enumerate(inputs)], **options)

    rhs = _inner(_difference(moved(eps), moved(-eps), 2 * eps), g)
    outs = {"python": as_tuple(rule, rule.template(g, ans, *inputs, **options))}
    if use_numba:
        positional = [options.get(n, d) for n, d in rule.options]
        while positional and rule.options[len(positional) - 1][0] not in options:
            positional.pop()  # trailing defaults stay omitted
        outs["numba"] = as_tuple(rule, jitted(rule.template)(g, ans, *_numba_args(inputs), *positional))
    for path, out in outs.items():
        assert len(out) == len(rule.inputs), f"{path}: {len(out)} contributions for {len(rule.inputs)} inputs"
        for i in diff:
            _check_shape(out[i], inputs[i])
        lhs = sum(_inner(out[i], dirs[i]) for i in diff)
        scale = max(1.0, abs(lhs), abs(rhs))
        assert abs(lhs - rhs) <= rtol * scale, f"{path}: <c, v> = {lhs!r} but <g, Jv> = {rhs!r} (finite differences)"
    return outs


def selected(rule, options, inputs=()):
    """The rule a call with these options and inputs gets: a template's `@selects` may pick a
    variant (svd(compute_uv=False), eigh(UPLO='U'), solve of a vector b), as
    s2s/diff/callsite.py does (which knows the inputs' ranks as `ndim:<input>`)."""
    choose = getattr(getattr(rule, "template", None), "s2s_selects", None)
    ranks = {f"ndim:{p}": np.ndim(x) for p, x in zip(rule.inputs, inputs) if not isinstance(x, (tuple, list, str))} \
        if rule is not None else {}
    variant = choose({**dict(rule.options), **ranks, **options}) if choose is not None else None
    return rule if variant is None else variant.s2s_rule


def _differentiable(x):
    if isinstance(x, (tuple, list)):
        return all(_differentiable(e) for e in x)
    if isinstance(x, str) or x is None:
        return False
    return np.asarray(x).dtype.kind in "fc"


def _numba_args(inputs):
    return [tuple(x) if isinstance(x, list) else x for x in inputs]


def case(key, make, options=None, numba=True, diff=None, id=None, skip=None):
    """A pytest.param for `check_vjp`: `make(rng)` builds the inputs; `numba`: also check
    the compiled template (False where numba cannot run the primal; say why with `skip`)."""
    label = id or getattr(key, "__name__", str(key))
    marks = [pytest.mark.skip(reason=skip)] if skip else []
    return pytest.param(key, make, options or {}, numba, diff, id=label, marks=marks)


def run_case(key, make, options, use_numba, diff, name):
    inputs = make(rng_for("inputs:" + name))
    return check_vjp(key, inputs, options, name=name, diff=diff, use_numba=use_numba)
