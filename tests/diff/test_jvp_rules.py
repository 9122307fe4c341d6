"""JVP rules (s2s/diff/rules/jvp_*.py) against central finite differences, over the input
domains, shapes and options of the VJP rule tests (their case tables are reused), in Python
and -- for templates, scalar and 1-d signatures -- compiled with numba.

For inputs x_i and random directions v_i, `jvp_reference` must give

    (f(x + eps v) - f(x - eps v)) / (2 eps)

with every tangent, and with one input's tangent alone (the others None: held constant);
with every tangent it has the output's shape. It must also agree with the VJP rule,
<g, Jv> == sum_i <J_i^T g, v_i>, which holds exactly at kinks too (ties, bounds, zeros),
where finite differences cannot tell: the conventions match the VJP's. Templates are
checked statically for the linearity contract the forward pass relies on.
"""
import ast
import importlib.util
import inspect
import math
import os
import textwrap

import gast
import numpy as np
import pytest
from vjp_check import EPS, _differentiable, _like, _numba_args, _shift, jitted, primal_of, rng_for, selected

from s2s.diff import runtime as rt
from s2s.diff.registry import JVP_RULES, VJP_RULES, jvp_reference

RTOL = 1e-5
# The rules of the jvp_* family modules (other modules add JVP-only rules, e.g. for the
# Jacobian helpers, tested with them).
FAMILY_RULES = [r for r in JVP_RULES.rules() if r.template.__module__.rsplit(".", 1)[-1].startswith("jvp_")]


def _sibling(name):
    """A VJP rule test module of this folder, loaded for its case tables."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".py")
    spec = importlib.util.spec_from_file_location("_jvp_tables_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


UNARY, BINARY, REDUCTIONS, LINALG, SHAPE, HELPERS, PARTIALS = (_sibling("test_rules_" + n) for n in (
    "unary", "binary", "reductions", "linalg", "shape", "helpers", "partials"))
# Families whose VJP tests are one table of (key, make, options, numba) cases, as shape's.
TABLES = {n: _sibling("test_rules_" + n) for n in ("layout", "stats", "decompositions", "creation", "interpolation", "fft")
          + (("special",) if importlib.util.find_spec("scipy") else ())}  # scipy.special: with scipy only

# add_at updates its first argument in place: the primal (and the tangent call) get a copy.
PRIMALS = {id(rt.add_at): lambda a, idx, v: rt.add_at(np.array(a, dtype=float), idx, v)}


def _primal(key):
    return PRIMALS.get(id(key), primal_of(key))


def _name(key):
    return getattr(key, "__name__", str(key))


# ----------------------------------------------------------------------------- checking
def _flat(x):
    if isinstance(x, (tuple, list)):
        return np.concatenate([_flat(e) for e in x]) if x else np.zeros(0)
    return np.ravel(np.asarray(x, dtype=float))


def _shapes(x):
    return tuple(_shapes(e) for e in x) if isinstance(x, (tuple, list)) else np.shape(x)


def _dot(c, v):
    """<c, v> for values, tuples of values; a None contribution counts as zero."""
    if c is None:
        return 0.0
    if isinstance(v, (tuple, list)):
        return sum(_dot(ce, ve) for ce, ve in zip(c, v))
    return float(np.sum(np.asarray(c) * v))


def _close(got, want, what):
    got, want = _flat(got), _flat(want)
    assert got.shape == want.shape, f"{what}: {got.shape} values, expected {want.shape}"
    scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=RTOL * scale, err_msg=what)


def check_jvp(key, inputs, options=None, name="case", diff=None, use_numba=False):
    """Check the JVP rule for `key` with len(inputs) inputs at `inputs` (see the module
    docstring). `diff`: the inputs given a tangent (default: every float-valued one)."""
    options = dict(options or {})
    rule = selected(JVP_RULES.get(key, len(inputs)), options, inputs)
    assert rule is not None and len(rule.inputs) == len(inputs), f"no JVP rule for {key!r} with {len(inputs)} inputs"
    f = _primal(key)
    rng = rng_for(name)
    if diff is None:
        diff = [i for i, x in enumerate(inputs) if _differentiable(x)]
    dirs = {i: _like(rng, inputs[i]) for i in diff}
    ans = f(*inputs, **options)

    def tangent(active):
        return jvp_reference(rule, f, inputs, [dirs[i] if i in active else None for i in range(len(inputs))], options)

    def fd(active):
        def moved(t):
            return f(*[_shift(x, dirs[i], t) if i in active else x for i, x in enumerate(inputs)], **options)
        plus, minus = moved(EPS), moved(-EPS)
        if isinstance(plus, tuple):
            return tuple((np.asarray(p) - m) / (2 * EPS) for p, m in zip(plus, minus))
        return (np.asarray(plus) - minus) / (2 * EPS)

    out = tangent(diff)
    _close(out, fd(diff), f"{name}: every tangent vs finite differences")
    assert _shapes(out) == _shapes(ans), f"{name}: tangent of shape {_shapes(out)} for an output of {_shapes(ans)}"
    if len(diff) > 1:
        for i in diff:
            _close(tangent([i]), fd([i]), f"{name}: only input {i}'s tangent vs finite differences")

    vjp = selected(VJP_RULES.get(key, len(inputs)), options, inputs)
    g = _like(rng, ans)
    contributions = vjp.template(g, ans, *inputs, **options)
    contributions = contributions if len(vjp.inputs) > 1 else (contributions,)
    lhs, rhs = _dot(out, g), sum(_dot(contributions[i], dirs[i]) for i in diff)
    assert abs(lhs - rhs) <= 1e-9 * max(1.0, abs(rhs)), f"{name}: <g, jvp> = {lhs!r} but <vjp, v> = {rhs!r}"

    if use_numba and rule.kind == "template":
        positional = [options.get(n, d) for n, d in rule.options]
        while positional and rule.options[len(positional) - 1][0] not in options:
            positional.pop()  # trailing defaults stay omitted
        tangents = [dirs.get(i, 0.0) for i in range(len(inputs))]
        compiled = jitted(rule.template)(ans, *_numba_args(inputs), *tangents, *positional)
        np.testing.assert_allclose(compiled, out, rtol=1e-10, atol=1e-12, err_msg=f"{name}: numba vs Python")
    return out


# ------------------------------------------------------------------------------- cases
def case(family, key, make, options=None, numba=False, diff=None, id=None):
    """`make(rng)` builds the inputs; `numba`: also run the compiled template."""
    return pytest.param(key, make, options or {}, numba, diff, id=f"{family}-{id or _name(key)}")


def _fixed(inputs):
    return lambda rng: inputs


def _unary_cases():
    out = [case("unary", key, lambda rng, d=dom, s=shape: (d(rng, UNARY.SHAPES[s]),), numba=shape != "matrix",
                id=f"{_name(key)}-{shape}") for key, dom in UNARY.NUMPY for shape in UNARY.SHAPES]
    out += [case("unary", key, lambda rng, d=dom: (d(rng, ()),), numba=True, id=f"math.{_name(key)}")
            for key, dom in UNARY.MATH]
    return out + [case("unary", float, _fixed((np.array(0.7),)), id="float-0d")]


def _binary_cases():
    sh = BINARY.SHAPES
    out = [case("binary", key, lambda rng, m=mk, s=shape: m(rng, *sh[s]), numba=shape in ("scalar", "vector"),
                id=f"{_name(key)}-{shape}") for key, mk in BINARY.BINARY for shape in sh]
    out += [case("binary", key, lambda rng, m=mk: m(rng, (), ()), numba=True, id=f"{_name(key)}-builtin-or-math")
            for key, mk in BINARY.SCALAR_ONLY]
    out += [case("binary", key, lambda rng, s=shape: BINARY._mod_inputs(rng, *sh[s]),
                 numba=shape in ("scalar", "vector"), id=f"{_name(key)}-{shape}")
            for key in (np.mod, gast.Mod, np.fmod, np.floor_divide, gast.FloorDiv)
            for shape in ("scalar", "vector", "row", "scalar-array")]
    out += [case("binary", np.clip, _fixed(inputs), numba=np.ndim(inputs[1]) == 0, id=f"clip-{label}")
            for (inputs, _), label in zip(BINARY.CLIP, ["scalar-bounds", "array-bounds", "below", "inside"])]
    out += [case("binary", np.clip, _fixed((np.linspace(-1, 1, 7), lo, hi)), numba=True, id=f"clip-{label}")
            for lo, hi, label in ((None, 0.5, "no-lower"), (-0.5, None, "no-upper"))]
    for shapes, label in (((4,), (4,), (4,)), "vector"), (((3, 4), (4,), ()), "bcast"), (((), (), ()), "scalar"):
        def make(rng, shapes=shapes):
            cond, x, y = (rng.uniform(-1, 1, s) if s else float(rng.uniform(-1, 1)) for s in shapes)
            return np.asarray(cond) > 0, x, y
        out.append(case("binary", np.where, make, id=f"where-{label}"))
    return out


def _reduction_inputs(shape, seed):
    return lambda rng: (REDUCTIONS._inputs(shape, seed),)


def _reduction_cases():
    out = [case("reductions", f, _reduction_inputs(shape, 1), {"axis": axis, "keepdims": kd},
                id=f"{f.__name__}-{shape}-axis{axis}-{'keep' if kd else 'drop'}")
           for f in REDUCTIONS.FUNCS for shape, axes in REDUCTIONS.AXES.items()
           for axis in axes for kd in (False, True)]
    out += [case("reductions", f, _reduction_inputs((3, 4), 3), {"axis": axis, "ddof": 1},
                 id=f"{f.__name__}-ddof-axis{axis}") for f in (np.var, np.std) for axis in (None, 1)]
    out += [case("reductions", np.cumsum, _reduction_inputs(shape, 5), {"axis": axis},
                 id=f"cumsum-{shape}-axis{axis}")
            for shape, axis in (((5,), None), ((3, 4), None), ((3, 4), 0), ((2, 3, 4), -1), ((2, 3, 4), 1))]
    out += [case("reductions", f, _reduction_inputs(shape, 4), options, numba=True,
                 id=f"{f.__name__}-{shape}-{options}-numba") for f, shape, options in REDUCTIONS.NUMBA]
    out += [case("reductions", sum, p.values[0], id=f"builtin-sum-{p.id}") for p in REDUCTIONS.BUILTIN_SUM]
    out += [case("reductions", f, _reduction_inputs((5,), 7), id=f"builtin-{f.__name__}-of-a-sequence")
            for f in (max, min)]
    for zeros in (1, 2, 3):
        for axis in (None, 1):
            x = REDUCTIONS._inputs((3, 4), 6)
            x[0, :zeros] = 0.0
            out.append(case("reductions", np.prod, _fixed((x,)), {"axis": axis}, numba=axis is None,
                            id=f"prod-{zeros}-zeros-axis{axis}"))
    return out


def _linalg_cases():
    out = []
    for p in LINALG.CASES:
        key, make, options, use_numba = p.values
        if use_numba and key is np.linalg.norm:
            out.append(case("linalg", key, make, {k: v for k, v in options.items() if k == "ord"}, True,
                            id=p.id + "-numba"))  # numba's norm takes no axis
            use_numba = False
        out.append(case("linalg", key, make, options, use_numba, id=p.id))
    for spec, *shapes in LINALG.EINSUM + [(s, (3, 3)) for s in LINALG.EINSUM_ONE] + LINALG.EINSUM_THREE:
        out.append(case("linalg", np.einsum, lambda rng, spec=spec, shapes=shapes: (
            spec, *(rng.uniform(-1, 1, s) for s in shapes)), id=f"einsum-{spec}"))
    return out


def _table_cases(module, family, numba=True):
    """`numba=False`: the Python rule only (the newer families' numba forms are compiled by
    their VJP table and by the jit tests of tests/test_<family>_functions.py: CI time)."""
    return [case(family, key, make, options, use_numba and numba, id=p.id)
            for p in module.CASES if not p.marks for key, make, options, use_numba in [p.values]]


def _shape_cases():
    out = _table_cases(SHAPE, "shape")
    out += [case("shape", key, SHAPE._r((3, 4)), id=_name(key))
            for key in (np.copy, np.asarray, np.ascontiguousarray)]
    return out + [case("shape", np.array, SHAPE._r(()), id="array-scalar"),
                  case("shape", np.array, SHAPE._seq((3,), (3,), as_list=True), id="array-of-a-list")]


def _helper_cases(module=HELPERS, family="helpers"):
    return [case(family, fn, _fixed(inputs), options, use_numba, diff, id=p.id)
            for p in module.CASES for fn, inputs, diff, options, use_numba in [p.values]]


FAMILIES = {"unary": _unary_cases(), "binary": _binary_cases(), "reductions": _reduction_cases(),
            "linalg": _linalg_cases(), "shape": _shape_cases(), "helpers": _helper_cases(),
            "partials": _helper_cases(PARTIALS, "partials"),
            **{family: _table_cases(module, family, numba=False) for family, module in TABLES.items()}}
CASES = [p for cases in FAMILIES.values() for p in cases]


@pytest.mark.parametrize("key, make, options, use_numba, diff", CASES)
def test_jvp_rule(key, make, options, use_numba, diff, request):
    name = request.node.name
    check_jvp(key, make(rng_for("inputs:" + name)), options, name=name, diff=diff, use_numba=use_numba)


# ---------------------------------------------------------------- kinks: as the VJP rules
KINKS = [
    ("abs", np.abs, (np.array([-1.0, 0.0, 2.0]),), {}),
    ("abs-scalar", abs, (0.0,), {}),
    ("fabs", math.fabs, (0.0,), {}),
    ("maximum-ties", np.maximum, (np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])), {}),
    ("minimum-ties", np.minimum, (np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])), {}),
    ("max-builtin-tie", max, (2.0, 2.0), {}),
    ("min-builtin-tie", min, (2.0, 2.0), {}),
    ("clip-at-bounds", np.clip, (np.array([-0.5, 0.5, 0.0, -0.9, 0.9]), -0.5, 0.5), {}),
    ("clip-array-bounds", np.clip, (np.array([-0.5, 0.5, 0.0]), np.full(3, -0.5), np.full(3, 0.5)), {}),
    ("power-zero-base", np.power, (np.array([0.0, 4.0]), np.array([2.0, 2.0])), {}),
    ("max-ties", np.max, (np.array([1.0, 3.0, 3.0, -2.0, 3.0, -2.0]),), {}),
    ("min-ties", np.min, (np.array([1.0, 3.0, 3.0, -2.0, 3.0, -2.0]),), {}),
    ("max-ties-axis", np.max, (np.array([[1.0, 1.0, 0.0], [2.0, 5.0, 5.0]]),), {"axis": 1, "keepdims": True}),
    ("amin-ties-axis", np.amin, (np.array([[1.0, 1.0, 0.0], [2.0, 0.0, 0.0]]),), {"axis": 0}),
    ("prod-one-zero", np.prod, (np.array([[0.0, 2.0], [3.0, 4.0]]),), {}),
    ("prod-two-zeros", np.prod, (np.array([[0.0, 2.0], [0.0, 4.0]]),), {"axis": None}),
    ("prod-zero-axis", np.prod, (np.array([[0.0, 2.0], [3.0, 4.0]]),), {"axis": 1}),
    ("norm-inf-ties", np.linalg.norm, (np.array([1.0, -3.0, 3.0]),), {"ord": np.inf}),
    ("sort-ties", np.sort, (np.array([2.0, 1.0, 2.0, 0.5]),), {}),
    ("partition-ties", np.partition, (np.array([0.5, -1.0, 0.5, 2.0, -1.0, 0.5, 0.0]),), {"kth": 2}),
    ("partition-ties-axis0", np.partition, (np.array([[1.0, 0.0], [1.0, 2.0], [0.0, 2.0]]),), {"kth": 1, "axis": 0}),
]


@pytest.mark.parametrize("key, inputs, options", [k[1:] for k in KINKS], ids=[k[0] for k in KINKS])
def test_kinks_follow_the_vjp_conventions(key, inputs, options, request):
    """At a kink the one-sided derivatives differ; the JVP must be the transpose of the VJP
    (the same choice), checked by <g, Jv> == <J^T g, v> for several g and v."""
    rule, vjp = JVP_RULES.get(key, len(inputs)), VJP_RULES.get(key, len(inputs))
    ans = key(*inputs, **options)
    rng = rng_for(request.node.name)
    for _ in range(3):
        v = [_like(rng, x) for x in inputs]
        g = _like(rng, ans)
        out = jvp_reference(rule, key, inputs, v, options)
        c = vjp.template(g, ans, *inputs, **options)
        c = c if len(inputs) > 1 else (c,)
        assert np.isclose(_dot(out, g), sum(_dot(ci, vi) for ci, vi in zip(c, v)), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "numba"])
def test_kink_values(compiled):
    """abs'(0) = 0; maximum/minimum ties average the tangents; clip is inclusive."""
    def run(key, *args):
        t = JVP_RULES.get(key).template
        return (jitted(t) if compiled else t)(*args)
    x, dx = np.array([-1.0, 0.0, 2.0]), np.array([5.0, 7.0, 11.0])
    np.testing.assert_array_equal(run(np.abs, np.abs(x), x, dx), [-5.0, 0.0, 11.0])
    assert run(abs, 0.0, 0.0, 3.0) == 0.0
    x1, x2 = np.array([1.0, 2.0, 0.0]), np.array([1.0, 0.0, 3.0])
    d1, d2 = np.array([2.0, 2.0, 2.0]), np.array([4.0, 4.0, 4.0])
    np.testing.assert_array_equal(run(np.maximum, np.maximum(x1, x2), x1, x2, d1, d2), [3.0, 2.0, 4.0])
    np.testing.assert_array_equal(run(np.minimum, np.minimum(x1, x2), x1, x2, d1, d2), [3.0, 4.0, 2.0])
    a = np.array([-0.5, 0.5, -0.7, 0.7])
    out = run(np.clip, np.clip(a, -0.5, 0.5), a, -0.5, 0.5, np.ones(4), 10.0, 100.0)
    np.testing.assert_array_equal(out, [1.0, 1.0, 10.0, 100.0])


def test_floor_division_has_a_zero_tangent_of_the_output_shape():
    x1, x2 = np.array([7.0, 8.0]), 3.0
    t = jvp_reference(JVP_RULES.get(gast.FloorDiv), np.floor_divide, (x1, x2), (np.ones(2), 1.0))
    np.testing.assert_array_equal(t, [0.0, 0.0])


# ------------------------------------------------------------------------- completeness
# Keys of VJP_RULES without a JVP rule of the same arity (each with its reason): none.
NO_JVP = {}


def test_every_vjp_rule_has_a_jvp_rule_with_the_same_signature():
    missing = []
    for r in VJP_RULES.rules():
        j = JVP_RULES.get(r.key, len(r.inputs))
        if r.name in NO_JVP:
            continue
        if j is None or len(j.inputs) != len(r.inputs):
            missing.append(f"{r.name}/{len(r.inputs)}")
        else:  # the call binds the same way in both modes
            assert (j.inputs, j.options) == (r.inputs, r.options), r.name
    assert not missing, f"VJP rules without a JVP rule: {missing}"
    extra = [r.name for r in FAMILY_RULES if VJP_RULES.get(r.key, len(r.inputs)) is None]
    assert not extra, f"JVP rules of the families without a VJP rule: {extra}"


def test_every_rule_is_exercised():
    tested = {(id(p.values[0]), len(p.values[1](rng_for("count")))) for p in CASES}
    untested = [f"{r.name}/{len(r.inputs)}" for r in FAMILY_RULES if (id(r.key), len(r.inputs)) not in tested]
    assert not untested, untested


def test_supports_checks_are_shared_with_the_vjp():
    for key, n in ((np.linalg.norm, 1), (np.einsum, 2), (np.einsum, 3), (np.einsum, 4)):
        check = JVP_RULES.get(key, n).template.s2s_supports
        assert check is VJP_RULES.get(key, n).template.s2s_supports
    assert "ord=3" in JVP_RULES.get(np.linalg.norm).template.s2s_supports({"ord": 3, "axis": None, "ndim:x": 2})
    assert JVP_RULES.get(np.linalg.norm).template.s2s_supports({"ord": 2, "axis": None, "ndim:x": 2}) is None


# ------------------------------------------------------- the linearity contract, statically
# Calls a tangent may be an argument of, and which positional arguments are linear.
LINEAR_CALLS = {"unbroadcast": {0}, "reduce_to": {0}, "resort": {0}, "np.linalg.solve": {1}, "unreduce": {0},
                "np.sum": {0}, "prod_pairs": {1}, "to_rows": {0}, "from_rows": {0}, "off_diag": {0},
                "norm_grad_dx": {2}, "transpose_last": {0}, "tril_half": {0}, "strict_lower": {0}, "block_ur": {0},
                "block_ur_t": {0}, "block_diag_sum_t": {0}, "np.cumsum": {0}, "ediff1d_lin": {0}, "obs_rows": {0},
                "reshape_to": {0}, "unsort": {0}, "multi_dot_t": {1}, "multi_dot_tt": {2}, "unmulti_dot_t": {2, 3},
                "np.polyval": {0}, "interp_slope": {2}, "interp_t": {0}, "unpolyval": {0}, "unpolyder": {0},
                "uninterp": {0}, "uninterp_slope": {0}, "no_derivative": {0}, "abs_direction_tangent": {1},
                "abs_direction_vjp": {0}, "np.real": {0}, "np.imag": {0}, "np.conj": {0},  # (R-linear)
                "real_only": {1}, "real_for": {0},
                "eig_vectors_jvp": {0}, "eig_vectors_vjp": {0}, "eig_vectors_jvp_dv": {2}, "eig_vectors_vjp_dv": {2}}
# Templates linear in their tangents in a way the syntactic check cannot see, checked numerically
# instead (test_nonsyntactic_templates_are_linear): matrix_power's tangent is the upper-right
# block of a power of [[C, dC], [0, C]], in which dC appears once in every term.
NONSYNTACTIC = {"matrix_power"}


def _contract_violations(template, tangents):
    """Where `template` uses a tangent other than linearly: a tangent-carrying expression must
    be a name, `t + t`, `t - t`, `-t`, `+t`, `t * v`, `v * t`, `t @ v`, `v @ t`, `t / v`, `t[i]` or a
    linear argument of a LINEAR_CALLS function (v free of tangents); the body straight-line."""
    fn = ast.parse(textwrap.dedent(inspect.getsource(template))).body[0]
    carrying, problems = set(tangents), []

    def carries(node):
        return any(isinstance(n, ast.Name) and n.id in carrying for n in ast.walk(node))

    def check(node):
        children = [c for c in ast.iter_child_nodes(node) if carries(c)]
        if isinstance(node, ast.Name):
            ok = True
        elif isinstance(node, ast.BinOp):
            left, right = carries(node.left), carries(node.right)
            ok = ((isinstance(node.op, (ast.Add, ast.Sub)) and left and right)
                  or (isinstance(node.op, (ast.Mult, ast.MatMult)) and left != right)
                  or (isinstance(node.op, ast.Div) and left and not right))
        elif isinstance(node, ast.UnaryOp):
            ok = isinstance(node.op, (ast.USub, ast.UAdd))
        elif isinstance(node, ast.Subscript):  # t[index], the index free of tangents
            ok = not carries(node.slice)
            children = [node.value]
        elif isinstance(node, ast.Call):
            allowed = LINEAR_CALLS.get(ast.unparse(node.func), set())
            ok = not node.keywords and all(i in allowed for i, a in enumerate(node.args) if carries(a))
            children = [a for a in node.args if carries(a)]
        else:
            ok = False
        if not ok:
            problems.append(ast.unparse(node))
        for child in children:
            check(child)

    body = fn.body[1:] if isinstance(fn.body[0], ast.Expr) else fn.body  # the docstring
    for i, stmt in enumerate(body):
        last = i == len(body) - 1
        if isinstance(stmt, ast.Return) and last:
            parts = stmt.value.elts if isinstance(stmt.value, ast.Tuple) else [stmt.value]  # tuple outputs
            for part in parts:
                if carries(part):
                    check(part)
        elif isinstance(stmt, ast.Assign) and not last and all(isinstance(t, ast.Name) for t in stmt.targets):
            if carries(stmt.value):
                check(stmt.value)
                carrying.update(t.id for t in stmt.targets)
        else:
            problems.append("not straight-line code ending in one return: " + ast.unparse(stmt))
    return problems


TEMPLATES = {r.template: r for r in FAMILY_RULES if r.kind == "template" and r.template.__name__ not in NONSYNTACTIC}


@pytest.mark.parametrize("template", list(TEMPLATES),
                         ids=[f"{t.__module__.split('.')[-1]}.{t.__name__}" for t in TEMPLATES])
def test_template_is_linear_in_its_tangents(template):
    tangents = ["d" + p for p in TEMPLATES[template].inputs]
    assert not _contract_violations(template, tangents)


@pytest.mark.parametrize("n", [3, 0, -2])
def test_nonsyntactic_templates_are_linear(n):
    rule = JVP_RULES.get(np.linalg.matrix_power, 2)
    assert rule.template.__name__ in NONSYNTACTIC
    rng = rng_for(f"matrix_power-{n}")
    a = rng.standard_normal((3, 3)) + 3.0 * np.eye(3)
    u, v = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    ans = np.linalg.matrix_power(a, n)

    def t(da):
        return rule.template(ans, a, n, da, 0)
    np.testing.assert_allclose(t(2.0 * u - v), 2.0 * t(u) - t(v), rtol=1e-10, atol=1e-10)


def test_the_contract_check_catches_nonlinear_uses():
    def bad(ans, x1, x2, dx1, dx2):
        t = dx1 * dx2
        return (dx1 + 1.0) * x2 + dx2 ** 2 + np.sin(dx1) + t
    assert len(_contract_violations(bad, ["dx1", "dx2"])) == 4
