"""ANF: one operation per statement on atoms; short-circuiting and locations preserved."""
import ast
import copy

import gast
import numpy as np
import pytest

from corpus import CASES as CORPUS
from corpus import assert_jit_agrees, assert_same_result
from s2s.codegen.module import GeneratedModule
from s2s.parse.base import is_atom, is_atomic_index
from s2s.parse.pipeline import build_program

UPTO = "anf"


def normalized(fn, upto=UPTO, static=None):
    module = GeneratedModule(build_program(fn, upto=upto, static=static), fuse=False)
    return module, module.load("python").__dict__[module.entry]


# -- the table ---------------------------------------------------------------------------
def nested_calls(x, y):
    return np.exp(np.sin(x)) * np.cos(y) + np.sum(np.abs(x - y), axis=0)


def arithmetic(x, y):
    z = -x * (y + 2.0) ** 2 / (1.0 + x * x) - x @ y
    return z, x[-1] ** -2, +y[0]


def and_or_values(a, b, c):
    p = a and b
    q = a or b or c
    r = (a or b) and c
    s = a and b or c
    return p, q, r, s


def _record(calls, value):
    calls.append(value)
    return value


def short_circuit(x, calls):
    t = x > 0 and _record(calls, 1) > 0
    u = x > 0 or _record(calls, 2) > 0
    v = _record(calls, 3) if x > 1 else _record(calls, 4)
    w = 0 < x < _record(calls, 5)
    if x < 0 and _record(calls, 6):
        calls.append(7)
    x > 5 or _record(calls, 8)
    return t, u, v, w, list(calls)


def target_read_by_its_own_and_or(a, b):
    a = b or a
    b = a and b * 2.0
    a = a + 1.0 if a > 0 else a - 1.0
    return a, b


def nested_conditionals(x, y):
    u = 1.0 if x > 0 else (2.0 if y > 0 else 3.0)
    v = (x if x > y else y) + (0.5 if x * y > 0 else -0.5)
    return u, v


def chained_compare(x, y, z):
    a = x < y <= z
    b = 0 < x + 1 < np.abs(y) + z != 3
    return a, b


def while_with_complex_test(a):
    x = a
    n = 0
    while abs(x * x - a) > 1e-12 * a and n < 100:
        x = 0.5 * (x + a / x)
        n = n + 1
        if n > 50:
            continue
    return x, n


def simple_while_stays(x):
    while x > 1.0:
        x = x / 2.0
    return x


def keywords_and_methods(x, y):
    a = np.sum(x * y, axis=0, keepdims=False)
    b = (x + y).sum() + x.T.dot(y).max()
    c = np.linspace(0.0, np.max(x), num=len(y) + 1)
    return a, b, c


def subscript_stores(a, n):
    a = a.copy()
    a[n - 1] = np.exp(a[0])
    a[n - 3 : n - 1] = a[1:3] * 2.0
    m = a.reshape(2, 3)
    m[1, n - 5] = -1.0
    m[0][2] = 7.0
    return a


def elif_chain(x):
    if np.sin(x) > 0.5:
        y = 1.0
    elif np.cos(x) > 0.5:
        y = 2.0
    elif x > 0 and np.tan(x) > 1.0:
        y = 3.0
    else:
        y = 4.0
    return y


def nested_def_with_default(x, n):
    def scaled(v, w=np.ones(n) * 2.0):
        return np.dot(v, w) + np.sum(v * v)

    return scaled(x) + scaled(x, np.arange(n) * 1.0)


def loop_bounds(x):
    s = 0.0
    for i in range(len(x) - 1):
        s = s + x[i + 1] - x[i]
    for v in x[::2]:
        s = s + np.sqrt(np.abs(v))
    return s


def statements_and_asserts(x, calls):
    assert np.all(np.isfinite(x)) and len(x) > 0, "bad input"
    _record(calls, np.sum(x) + 1.0)
    return len(calls)


def tuples_and_lists(x, y):
    t = (x + 1.0, (y, x * y))
    a = [np.sin(x), np.cos(y)]
    return t, a[0] + a[1]


def _vec(n=6, lo=-1.0, hi=2.0):
    return np.linspace(lo, hi, n)


CASES = [
    (nested_calls, (_vec(), _vec() * 2.0)),
    (arithmetic, (_vec(3), _vec(3, 1.0, 2.0))),
    (and_or_values, (0.0, 2.0, 3.0)),
    (and_or_values, (1.5, 0.0, 3.0)),
    (and_or_values, (1.5, 2.0, 0.0)),
    (short_circuit, (-1.0, [])),
    (short_circuit, (0.5, [])),
    (short_circuit, (2.0, [])),
    (short_circuit, (7.0, [])),
    (target_read_by_its_own_and_or, (1.0, 0.0)),
    (target_read_by_its_own_and_or, (-3.0, 2.0)),
    (nested_conditionals, (1.0, -1.0)),
    (nested_conditionals, (-1.0, 1.0)),
    (nested_conditionals, (-1.0, -2.0)),
    (chained_compare, (1.0, 2.0, 3.0)),
    (chained_compare, (-1.0, 2.0, 1.0)),
    (while_with_complex_test, (2.0,)),
    (simple_while_stays, (37.0,)),
    (keywords_and_methods, (_vec(), _vec() + 1.0)),
    (subscript_stores, (np.arange(6.0), 5)),
    (elif_chain, (0.3,)),
    (elif_chain, (1.2,)),
    (elif_chain, (-0.5,)),
    (elif_chain, (3.0,)),
    (nested_def_with_default, (_vec(3), 3)),
    (loop_bounds, (_vec(7),)),
    (statements_and_asserts, (_vec(), [])),
    (tuples_and_lists, (0.5, 1.5)),
]
IDS = [f"{fn.__name__}-{i}" for i, (fn, _) in enumerate(CASES)]


@pytest.mark.parametrize("fn,args", CASES, ids=IDS)
def test_same_results(fn, args):
    _, fn2 = normalized(fn)
    expected = fn(*copy.deepcopy(args))
    got = fn2(*copy.deepcopy(args))
    if isinstance(expected, tuple) and any(isinstance(e, list) for e in expected):
        assert repr(got) == repr(expected)
    else:
        assert_same_result(got, expected)


# -- the shape of the output ---------------------------------------------------------------
def _is_operation(e):
    """One operation whose operands are atoms (or an atom)."""
    if is_atom(e):
        return True
    if isinstance(e, gast.BinOp):
        return is_atom(e.left) and is_atom(e.right)
    if isinstance(e, gast.UnaryOp):
        return is_atom(e.operand)
    if isinstance(e, gast.Compare):
        return is_atom(e.left) and all(is_atom(c) for c in e.comparators)
    if isinstance(e, gast.Call):
        func_ok = isinstance(e.func, gast.Name) or is_atom(e.func) or (isinstance(e.func, gast.Attribute) and is_atom(e.func.value))
        return func_ok and all(is_atom(a) for a in e.args) and all(is_atom(k.value) for k in e.keywords)
    if isinstance(e, gast.Subscript):
        return is_atom(e.value) and is_atomic_index(e.slice)
    if isinstance(e, gast.Attribute):
        return is_atom(e.value)
    if isinstance(e, (gast.Tuple, gast.List)):
        return all(is_atom(x) for x in e.elts)
    return False


def check_anf(tree, user_lines):
    """Every statement of `tree` is in A-normal form and carries the line of a user statement."""
    for node in gast.walk(tree):
        assert not isinstance(node, (gast.BoolOp, gast.IfExp, gast.Lambda)), gast.dump(node)
        if isinstance(node, gast.stmt):
            assert node.lineno in user_lines, (gast.unparse(node), node.lineno, sorted(user_lines))
        if isinstance(node, gast.Assign):
            target = node.targets[0]
            assert isinstance(target, (gast.Name, gast.Subscript))
            if isinstance(target, gast.Subscript):
                assert isinstance(target.value, gast.Name) and is_atomic_index(target.slice)
            assert _is_operation(node.value), gast.dump(node)
        elif isinstance(node, (gast.Return, gast.Expr)) and node.value is not None:
            assert _is_operation(node.value), gast.dump(node)
        elif isinstance(node, (gast.If, gast.While, gast.Assert)):
            assert _is_operation(node.test), gast.dump(node)
        elif isinstance(node, gast.For):
            assert isinstance(node.iter, gast.Call) and all(is_atom(a) for a in node.iter.args)


def _user_statement_lines(ctx):
    """Lines where a statement of the user's function starts (and its `def` line)."""
    first, last = ctx.src.node.lineno, ctx.src.node.end_lineno
    tree = ast.parse("".join(ctx.src.lines))
    return {n.lineno for n in ast.walk(tree) if isinstance(n, ast.stmt) and first <= n.lineno <= last} | {first}


def _check_program(fn, static=None):
    for ctx in build_program(fn, upto=UPTO, static=static).functions:
        check_anf(ctx.tree, _user_statement_lines(ctx))


@pytest.mark.parametrize("fn,args", CASES, ids=IDS)
def test_normal_form_located_and_deterministic(fn, args):
    _check_program(fn)
    module, _ = normalized(fn)
    assert normalized(fn)[0].source == module.source


def test_readable_names():
    src = normalized(nested_calls)[0].source
    assert "sin_x = _np.sin(x)\n" in src
    assert "exp_sin_x = _np.exp(sin_x)\n" in src
    assert "x_minus_y = x - y\n" in src
    src = normalized(arithmetic)[0].source
    assert "neg_x = -x\n" in src
    assert "x[-1] ** -2" in src  # signed literals are atoms


def test_short_circuit_shape():
    src = normalized(and_or_values)[0].source
    assert "    p = a\n    if p:\n        p = b\n" in src
    assert "    q = a\n    if not q:\n        q = b\n        if not q:\n            q = c\n" in src


def test_while_forms():
    src = normalized(simple_while_stays)[0].source
    assert "while x > 1.0:" in src
    src = normalized(while_with_complex_test)[0].source
    assert "while True:" in src and "if not cond:\n            break" in src


def test_generated_lines_quote_the_user_line():
    src = normalized(nested_calls)[0].source
    assert "# test_anf.py:" in src and "return np.exp(np.sin(x)) * np.cos(y)" in src


# -- the shared corpus: every function, normalized, gives the same results ---------------
@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.name)
def test_corpus_same_results_and_normal_form(case):
    args = case.args()
    static = {}
    names = list(case.fn.__code__.co_varnames[: case.fn.__code__.co_argcount])
    for i in case.static_argnums:
        static[names[i]] = args[i]
    _check_program(case.fn, static=static or None)
    module = GeneratedModule(build_program(case.fn, upto=UPTO, static=static or None))
    fn2 = module.load("python").__dict__[module.entry]
    dyn = [a for i, a in enumerate(args) if i not in case.static_argnums]
    assert_same_result(fn2(*copy.deepcopy(dyn)), case.fn(*case.args()))


NUMBA = [CASES[i] for i in (0, 1, 2, 3, 9, 11, 14, 15, 16, 17, 19, 20, 25)]


@pytest.mark.parametrize("fn,args", NUMBA, ids=[f"{fn.__name__}-{i}" for i, (fn, _) in enumerate(NUMBA)])
def test_numba_twin_agrees(fn, args):
    assert_jit_agrees(fn, args)
