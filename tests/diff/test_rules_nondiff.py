"""Non-differentiable functions, the registry's errors, and the shape every template must
have for the reverse-mode inliner (s2s/diff/rules/__init__.py)."""
import ast
import builtins
import inspect
import math
import textwrap

import gast
import numpy as np
import pytest

import s2s.diff.rules  # noqa: F401  -- fills the tables
from s2s.diff import runtime
from s2s.diff.registry import NONDIFF, VJP_RULES, NonDifferentiable, RuleTable

CONSTANT = [
    np.zeros, np.ones, np.empty, np.zeros_like, np.ones_like, np.empty_like, np.arange,
    np.eye, np.identity, np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.argmax, np.argmin,
    np.argsort, np.nonzero, np.shape, np.ndim, np.size, np.isnan, np.isinf, np.isfinite, np.sign, np.equal,
    np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal, np.logical_and, np.logical_or, np.logical_not,
    np.logical_xor, np.all, np.any, np.count_nonzero, np.searchsorted, len, int, bool, round, range, math.floor,
    math.ceil, math.trunc, np.signbit, np.isreal, np.iscomplex, np.isrealobj, np.iscomplexobj, np.isneginf,
    np.isposinf, np.spacing, math.isclose, np.int64, np.int32, np.intp, np.bool_,
]


@pytest.mark.parametrize("fn", CONSTANT, ids=[getattr(f, "__name__", str(f)) for f in CONSTANT])
def test_constant_functions(fn):
    assert fn in NONDIFF and fn not in VJP_RULES


def rows_picked_by_a_cast(w):
    picked = np.int64(w[:, -1])  # Autograd's test_cast_to_int: the cast picks rows, as a constant
    return np.sum(w[:, :-1][picked] ** 2)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_integer_cast_is_a_constant(compiled):
    import s2s

    w = np.tile(np.arange(4.0), (4, 1)) + 0.25 * np.arange(16.0).reshape(4, 4)
    w[:, -1] = [2.0, 0.0, 3.0, 2.0]
    g = s2s.grad(rows_picked_by_a_cast)
    got = (s2s.jit(g) if compiled else g)(w)
    want = np.zeros_like(w)
    for r in (2, 0, 3, 2):
        want[r, :-1] += 2 * w[r, :-1]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_no_function_is_both_differentiable_and_constant():
    assert not [r.name for r in VJP_RULES.rules() if not isinstance(r.key, type) and r.key in NONDIFF]


def test_piecewise_functions_with_a_derivative_somewhere_are_not_constants():
    """copysign follows x1, heaviside follows x2 where x1 == 0: rules, not constants."""
    for fn in (np.copysign, math.copysign, np.heaviside, np.fmax, np.fmin):
        assert fn not in NONDIFF and fn in VJP_RULES


def test_floor_division_and_sort_are_not_constants():
    assert np.floor_divide not in NONDIFF and gast.FloorDiv in VJP_RULES
    assert np.sort not in NONDIFF  # sort is differentiable (no rule yet): it must not be treated as constant


def test_rule_count_and_input_names():
    assert len(VJP_RULES) >= 130
    for op in (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.MatMult, gast.FloorDiv, gast.Mod):
        assert VJP_RULES.get(op).inputs == ("x1", "x2"), op
    for op in (gast.USub, gast.UAdd):
        assert VJP_RULES.get(op).inputs == ("x",), op


def test_registering_twice_is_an_error():
    table = RuleTable("vjp")

    @table.register(np.exp)
    def first(g, ans, x):
        return g

    with pytest.raises(ValueError, match="registered twice"):
        table.register(np.exp)(first)
    with pytest.raises(ValueError, match="registered twice"):
        VJP_RULES.register(np.exp)(first)
    nondiff = NonDifferentiable()
    nondiff.register(np.floor)
    with pytest.raises(ValueError, match="twice"):
        nondiff.register(np.floor)


def _bad_leading(ans, g, x):
    return g


def _varargs(g, ans, *xs):
    return g


def _input_after_option(g, ans, axis=None, x=None):
    return g


def _input_after_option2(g, ans, x, axis=None, y=0):
    return g


def _keyword_only(g, ans, x, *, axis=None):
    return g


def _no_input(g, ans, axis=None):
    return g


@pytest.mark.parametrize("template", [_bad_leading, _varargs, _input_after_option, _keyword_only, _no_input])
def test_bad_template_signature_is_an_error(template):
    with pytest.raises(TypeError):
        RuleTable("vjp").register(np.exp)(template)


def test_options_are_parameters_with_defaults():
    rule = RuleTable("vjp").register(np.exp)(_input_after_option2)
    assert rule is _input_after_option2


ALLOWED = {"np", "math", "None", "True", "False"} | {n for n in dir(runtime) if not n.startswith("_")}


def _templates():
    seen = {}
    for rule in VJP_RULES.rules():
        seen.setdefault(rule.template, rule)
    return list(seen.values())


def _template_id(rule):
    return f"{rule.template.__module__.rsplit('.', 1)[-1]}.{rule.template.__name__}"


def _special_names(rule):
    """scipy.special's rules (rules/special.py) also call scipy.special functions and the
    helpers of runtime_special.py, each with rules of its own (tests/diff/test_rules_special.py);
    scipy.linalg's (rules/scipy_linalg.py) call scipy.linalg.solve_sylvester; scipy.signal's
    (rules/signal.py) scipy.signal.convolve and runtime_signal.py's helpers."""
    module = rule.template.__module__
    if not module.endswith((".special", ".scipy_linalg", ".signal")):
        return set()
    import scipy.linalg
    import scipy.signal
    import scipy.special
    from s2s.diff import runtime_signal, runtime_special
    lib = {".special": scipy.special, ".scipy_linalg": scipy.linalg, ".signal": scipy.signal}["." + module.split(".")[-1]]
    helpers = runtime_signal if module.endswith(".signal") else runtime_special
    g = rule.template.__globals__
    return {n for n in rule.template.__code__.co_names if n in g and (
        g[n] is getattr(lib, getattr(g[n], "__name__", ""), None) or g[n] is getattr(helpers, n, None)
        or g[n] is lib)}


@pytest.mark.parametrize("rule", _templates(), ids=_template_id)
def test_template_shape(rule):
    """Straight-line code ending in one return; only np, math, runtime helpers, parameters
    and locals; a contribution per input (a literal tuple when there are several)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(rule.template)))
    fn = tree.body[0]
    body = fn.body[1:] if isinstance(fn.body[0], ast.Expr) and isinstance(fn.body[0].value, ast.Constant) else fn.body
    assert isinstance(body[-1], ast.Return) and all(isinstance(s, ast.Assign) for s in body[:-1])
    forbidden = (ast.If, ast.For, ast.While, ast.Lambda, ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.SetComp)
    nodes = [n for stmt in body for n in ast.walk(stmt)]
    assert not [n for n in nodes if isinstance(n, forbidden)]
    local = {a.arg for a in fn.args.args} | {t.id for s in body[:-1] for t in s.targets if isinstance(t, ast.Name)}
    names = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    local |= _special_names(rule)
    assert names - local <= ALLOWED, names - local - ALLOWED
    value = body[-1].value
    if len(rule.inputs) > 1:
        assert isinstance(value, ast.Tuple) and len(value.elts) == len(rule.inputs)
    for name in names - local - {"None", "True", "False"}:
        assert rule.template.__globals__[name] is {"np": np, "math": math}.get(name, getattr(runtime, name, None))
    assert not set(dir(builtins)) & (names - local - {"None", "True", "False"})
