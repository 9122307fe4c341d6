"""Structured control flow: no break/continue, one return at the end, same results.

Every function of the table and of the shared corpus is normalized, structured, run as
plain Python on several inputs and compared with the original; the structured tree is
checked for its guarantees (no `break`/`continue`, exactly one `return`, last, in every
function; tests are atoms or single comparisons; every statement on a user line); a
handful are compiled by numba; two builds give the same source.
"""
import ast
import copy
import doctest

import gast
import numpy as np
import pytest
from corpus import CASES as CORPUS
from corpus import assert_same_result

import s2s.diff.structure as structure_module
from s2s.codegen.module import GeneratedModule
from s2s.diff.structure import StructureControlFlow, structure_program
from s2s.errors import UnsupportedSyntaxError
from s2s.parse.base import is_atom
from s2s.parse.pipeline import build_program


def structured_program(fn, static=None, upto=None):
    return structure_program(build_program(fn, static=static, upto=upto))


def structured(fn, static=None, backend="python"):
    module = GeneratedModule(structured_program(fn, static))
    return module, module.load(backend).__dict__[module.entry]


def same(got, expected):
    if expected is None:
        assert got is None, got
    else:
        assert_same_result(got, expected)


# -- the table -------------------------------------------------------------------------------
def for_break(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > 1.0:
            break
        s = s + x[i] * x[i]
    return s, i


def for_continue(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] < 0.0:
            continue
        s = s + np.sqrt(x[i])
    return s, i


def nested_break_inner(A):
    s = 0.0
    last = -1
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            if A[i, j] > 0.5:
                break
            s = s + A[i, j]
        last = j
    return s, last, i, j


def while_break(x):
    k = 0
    s = 0.0
    while k < x.shape[0]:
        s = s + x[k]
        if s > 1.0:
            break
        k = k + 1
    return s, k


def while_complex_test(a, limit):
    x = a
    n = 0
    while abs(x * x - a) > 1e-12 * a and n < limit:
        x = 0.5 * (x + a / x)
        n = n + 1
        if n > 40:
            continue
    return x, n


def while_true_break(x):
    k = 0
    while True:
        if k >= x.shape[0]:
            break
        if x[k] > 1.5:
            break
        k = k + 1
    return k


def early_return_top(x):
    if x > 0.5:
        return x * 2.0
    y = x - 1.0
    return y * y


def early_return_nested_if(x, y):
    if x > 0.0:
        if y > 0.0:
            return x + y
        z = x - y
    else:
        z = y - x
    w = z * 2.0
    if w > 3.0:
        return w
    return -w


def return_in_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i]
        if s > 1.5:
            return s * 2.0
    return s - 1.0


def return_in_nested_loop(A):
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            if A[i, j] > 1.0:
                return i, j
    return -1, -1


def return_in_while(x):
    k = 0
    while k < 100:
        x = x * 1.5
        if x > 10.0:
            return x, k
        k = k + 1
    return 0.0, k


def return_both_branches(x):
    y = x * 3.0
    if y > 1.0:
        return y
    else:
        return -y


def falls_off_end(x):
    if x > 0.0:
        return x


def no_return(x):
    y = x * 2.0
    y = y + 1.0


def bare_return(x):
    if x > 0.0:
        return
    y = x * 2.0
    return y


def negative_step_break(x):
    s = 0.0
    for i in range(x.shape[0] - 1, -1, -1):
        if x[i] < -0.5:
            break
        s = s + x[i]
    return s, i


def negative_step_by_two(x):
    s = 0.0
    for i in range(x.shape[0] - 1, 0, -2):
        s = s + x[i]
        if s > 2.0:
            break
    return s, i


def runtime_step_break(x, a, b, c):
    s = 0.0
    i = -7
    for i in range(a, b, c):
        if x[i] > 1.2:
            break
        s = s + x[i]
    return s, i


def index_after_normal_exit(x, n):
    i = -1
    for i in range(1, n, 3):
        if x[i] > 100.0:
            break
    return i


def empty_range_keeps_index(x, n):
    i = 42
    for i in range(5, n):
        if x[i] > 0.0:
            break
    return i


def rebinds_index_and_bound(x, n):
    s = 0.0
    for i in range(n):
        n = n - 1
        i = i * 2
        s = s + i
        if s > 6.0:
            break
    return s, i, n


def break_and_continue(x):
    s = 0.0
    c = 0
    for i in range(x.shape[0]):
        if x[i] < 0.0:
            continue
        elif x[i] > 1.5:
            break
        s = s + x[i]
        c = c + 1
    return s, c, i


def while_continue_and_break(x):
    k = 0
    s = 0.0
    while k < x.shape[0]:
        v = x[k]
        k = k + 1
        if v < 0.0:
            continue
        if v > 1.5:
            break
        s = s + v
    return s, k


def while_continue_only(x):
    k = 0
    s = 0.0
    n = x.shape[0]
    while k < n:
        k = k + 1
        if x[k - 1] < 0.0:
            continue
        s = s + x[k - 1]
    return s, k


def break_in_nested_ifs(x, t):
    s = 0.0
    n = 0
    for i in range(x.shape[0]):
        if x[i] > 0.0:
            if x[i] > t:
                break
            s = s + x[i]
        n = n + 1
        s = s * 0.9
    return s, n


def elif_chain_exits(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > 1.8:
            return s, i
        elif x[i] > 1.0:
            break
        elif x[i] < -0.5:
            continue
        else:
            s = s + x[i]
        s = s + 0.25
    return s, -1


def return_tuple(x, y):
    if x > y:
        return x, y, x - y
    for k in range(3):
        if x + k > y:
            return y, x, float(k)
    return x + y, x * y, 0.0


def while_true_return(x):
    k = 0
    while True:
        x = x * 0.5
        k = k + 1
        if x < 1.0:
            return x, k


def return_while_in_for(x):
    for i in range(x.shape[0]):
        v = x[i]
        while v < 3.0:
            v = v * 2.0
            if v > 2.5:
                return v, i
    return 0.0, -1


def return_and_continue(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] < 0.0:
            continue
        s = s + x[i]
        if s > 2.0:
            return s, i
        s = s * 0.5
    return s, -1


def raise_in_branch(x):
    if x < -10.0:
        raise ValueError("too small")
    for i in range(3):
        if x > i:
            return x * i
    return x


def nested_def_early_return(x):
    def clip(v, hi):
        if v > hi:
            return hi
        return v

    s = 0.0
    for i in range(x.shape[0]):
        s = s + clip(x[i], 0.5)
        if s > 1.0:
            break
    return s


def while_call_test(x):
    k = 0
    while np.isfinite(x):
        x = x * 10.0
        k = k + 1
        if k > 50:
            break
    return x, k


def while_name_test_and_underscore(x, n):
    for _ in range(n):
        x = x * 2.0
        if x > 10.0:
            break
    go = x < 100.0
    while go:
        x = x + 1.0
        go = x < 50.0
        if x > 30.0:
            break
    return x


def only_return_last(x):
    y = x * 2.0
    for i in range(3):
        y = y + i
    return y


def _v(*values):
    return np.array(values, dtype=float)


VEC_INPUTS = [(_v(0.2, 0.5, 1.5, 0.3),), (_v(-1.0, 0.7, -0.3, 2.0, 0.1),), (_v(0.1, 0.2),), (_v(1.9, -0.7, 0.4),)]
MATS = [(np.array([[0.1, 0.2, 0.9], [0.3, 1.2, 0.0]]),), (np.array([[0.6, 0.1], [0.2, 0.3]]),), (np.zeros((2, 3)),)]
SCALARS = [(-2.0,), (0.3,), (0.7,), (5.0,)]

TABLE = [
    (for_break, VEC_INPUTS),
    (for_continue, VEC_INPUTS),
    (nested_break_inner, MATS),
    (while_break, VEC_INPUTS),
    (while_complex_test, [(2.0, 100), (9.0, 3), (0.5, 0)]),
    (while_true_break, VEC_INPUTS),
    (early_return_top, SCALARS),
    (early_return_nested_if, [(1.0, 2.0), (1.0, -3.0), (-1.0, 3.0), (-1.0, 0.5), (2.0, -0.5)]),
    (return_in_loop, VEC_INPUTS),
    (return_in_nested_loop, MATS + [(np.array([[0.0, 2.0]]),)]),
    (return_in_while, [(0.5,), (3.0,), (20.0,), (-1.0,)]),
    (return_both_branches, SCALARS),
    (falls_off_end, SCALARS),
    (no_return, SCALARS),
    (bare_return, SCALARS),
    (negative_step_break, VEC_INPUTS),
    (negative_step_by_two, VEC_INPUTS + [(np.ones(8),)]),
    (runtime_step_break, [(_v(0.1, 0.2, 1.3, 0.4, 0.5), 0, 5, 1), (_v(0.1, 0.2, 1.3, 0.4, 0.5), 4, -1, -1),
                          (_v(0.1, 0.2, 1.0, 0.4, 0.5), 4, -1, -2), (_v(0.1, 0.2, 1.3), 2, 0, 1),
                          (_v(0.1, 0.2, 1.0, 0.4, 0.5), 0, 5, 2), (_v(0.1, 0.2, 1.3), 1, 1, -1)]),
    (index_after_normal_exit, [(np.zeros(12), 12), (np.zeros(12), 2), (np.zeros(12), 1), (np.zeros(12), 8)]),
    (empty_range_keeps_index, [(np.ones(8), 3), (np.ones(8), 8), (-np.ones(8), 8), (-np.ones(8), 5)]),
    (rebinds_index_and_bound, [(None, 6), (None, 2), (None, 0), (None, 20)]),
    (break_and_continue, VEC_INPUTS),
    (while_continue_and_break, VEC_INPUTS),
    (while_continue_only, VEC_INPUTS),
    (break_in_nested_ifs, [(_v(0.2, -0.5, 0.9, 0.1), 0.5), (_v(0.2, -0.5, 0.3), 0.5), (_v(-1.0, 2.0), 1.0)]),
    (elif_chain_exits, VEC_INPUTS + [(_v(0.1, 1.9),), (_v(-1.0, 0.2, 1.2),)]),
    (return_tuple, [(2.0, 1.0), (0.5, 2.0), (-5.0, 0.0), (1.5, 2.2)]),
    (while_true_return, [(0.5,), (3.0,), (100.0,)]),
    (return_while_in_for, [(_v(0.1, 0.2),), (_v(0.1, 1.4, 0.2),), (_v(1.0, 0.7),), (_v(3.5, 4.0),)]),
    (return_and_continue, VEC_INPUTS + [(_v(1.5, 1.0, 0.9),)]),
    (raise_in_branch, [(-1.0,), (0.5,), (2.5,), (-20.0,)]),
    (nested_def_early_return, VEC_INPUTS),
    (while_call_test, [(1.0,), (np.inf,), (1e-300,)]),
    (while_name_test_and_underscore, [(1.0, 5), (0.1, 2), (200.0, 3), (1.0, 0)]),
    (only_return_last, SCALARS),
]
IDS = [fn.__name__ for fn, _ in TABLE]


def _call(fn, args):
    """("ok", result), or ("raised", the error's type and message)."""
    try:
        return ("ok", fn(*copy.deepcopy(args)))
    except Exception as e:  # noqa: BLE001 - the same error must come out of both
        return ("raised", (type(e), str(e)))


@pytest.mark.parametrize("fn,inputs", TABLE, ids=IDS)
def test_same_results(fn, inputs):
    _, fn2 = structured(fn)
    for args in inputs:
        kind, expected = _call(fn, args)
        kind2, got = _call(fn2, args)
        assert kind2 == kind, (args, got, expected)
        if kind == "raised":
            assert got == expected
        else:
            same(got, expected)


# -- the guarantees --------------------------------------------------------------------------
def _functions(tree):
    return [n for n in gast.walk(tree) if isinstance(n, gast.FunctionDef)]


def _own_nodes(fn):
    """The nodes of `fn`, not those of the functions nested in it."""
    out = []

    def visit(node):
        for child in gast.iter_child_nodes(node):
            if isinstance(child, gast.FunctionDef):
                continue
            out.append(child)
            visit(child)

    visit(fn)
    return out


def _is_test(e):
    """An atom, `not atom`, a comparison of atoms, or one call/operation on atoms."""
    if is_atom(e):
        return True
    if isinstance(e, gast.UnaryOp):
        return is_atom(e.operand)
    if isinstance(e, gast.Compare):
        return is_atom(e.left) and all(is_atom(c) for c in e.comparators)
    if isinstance(e, gast.BinOp):
        return is_atom(e.left) and is_atom(e.right)
    if isinstance(e, gast.Call):
        return all(is_atom(a) for a in e.args)
    return False


def check_structured(tree, user_lines):
    for fn in _functions(tree):
        nodes = _own_nodes(fn)
        assert not [n for n in nodes if isinstance(n, (gast.Break, gast.Continue))], gast.unparse(fn)
        returns = [n for n in nodes if isinstance(n, gast.Return)]
        assert len(returns) == 1 and fn.body[-1] is returns[0], gast.unparse(fn)
        for n in nodes:
            if isinstance(n, (gast.If, gast.While)):
                assert _is_test(n.test), gast.dump(n.test)
            if isinstance(n, gast.stmt):
                assert n.lineno in user_lines, (gast.unparse(n), n.lineno, sorted(user_lines))
            if isinstance(n, (gast.If, gast.While, gast.For)):
                assert n.body, gast.unparse(n)


def _user_statement_lines(ctx):
    """Lines where a statement of the user's function starts (and its `def` line)."""
    first, last = ctx.src.node.lineno, ctx.src.node.end_lineno
    tree = ast.parse("".join(ctx.src.lines))
    return {n.lineno for n in ast.walk(tree) if isinstance(n, ast.stmt) and first <= n.lineno <= last} | {first}


def _check_program(fn, static=None):
    for ctx in structured_program(fn, static).functions:
        check_structured(ctx.tree, _user_statement_lines(ctx))


@pytest.mark.parametrize("fn,inputs", TABLE, ids=IDS)
def test_guarantees_and_determinism(fn, inputs):
    _check_program(fn)
    a = GeneratedModule(structured_program(fn)).source
    b = GeneratedModule(structured_program(fn)).source
    assert a == b


# -- the shapes promised -----------------------------------------------------------------------
def _source(fn):
    return structured(fn)[0].source


def test_continue_only_loops_keep_their_form():
    src = _source(for_continue)
    assert "for i in range(" in src and "while" not in src
    src = _source(while_continue_only)
    assert "while k < n:" in src
    assert "running" not in src


def test_while_true_becomes_a_flag_loop():
    src = _source(while_complex_test)
    assert "while True" not in src and "while running:" in src
    assert "running = True\n" in src


def test_break_moves_the_rest_into_the_else_branch():
    src = _source(for_break)
    assert "running = False\n" in src and "else:" in src
    assert "if running:" not in src  # no guard needed: the rest is in the else branch
    assert "skip" not in src and "returned" not in src


def test_early_return_in_both_branches_needs_no_flag():
    src = _source(return_both_branches)
    assert "returned" not in src
    assert src.rstrip().endswith("return ret")


def test_only_return_last_is_unchanged():
    normalized = GeneratedModule(build_program(only_return_last)).source
    assert _source(only_return_last) == normalized


def test_falling_off_the_end_returns_none():
    src = _source(falls_off_end)
    assert "ret = None" in src
    src = _source(no_return)
    assert src.rstrip().endswith("return None")


def test_runtime_step_checks_sign_and_zero():
    src = _source(runtime_step_break)
    assert "ascending = c > 0" in src and "raise ValueError" in src
    _, fn2 = structured(runtime_step_break)
    with pytest.raises(ValueError):
        fn2(np.ones(3), 0, 3, 0)
    with pytest.raises(ValueError):
        runtime_step_break(np.ones(3), 0, 3, 0)


def test_negative_literal_step_counts_down():
    src = _source(negative_step_break)
    assert "running = i_next > -1" in src and "i_next = i_next - 1" in src


def test_non_range_loop_is_an_error():
    program = build_program(loop_over_values, upto="resolve")
    with pytest.raises(UnsupportedSyntaxError, match="range"):
        StructureControlFlow(program.entry).run()


def loop_over_values(x):
    for v in x:
        if v > 0:
            break
    return v


def test_docstring_example():
    result = doctest.testmod(structure_module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# -- numba compiles the structured code ------------------------------------------------------------
NUMBA = [
    (return_in_loop, VEC_INPUTS),
    (return_in_nested_loop, MATS),
    (runtime_step_break, [(_v(0.1, 0.2, 1.3, 0.4, 0.5), 4, -1, -1), (_v(0.1, 0.2, 1.3, 0.4, 0.5), 0, 5, 2)]),
    (while_complex_test, [(2.0, 100), (9.0, 3)]),
    (break_and_continue, VEC_INPUTS),
    (elif_chain_exits, VEC_INPUTS),
    (while_true_return, [(3.0,), (100.0,)]),
    (return_and_continue, VEC_INPUTS),
    (early_return_nested_if, [(1.0, 2.0), (-1.0, 0.5)]),
    (while_call_test, [(1.0,), (np.inf,)]),
    (nested_def_early_return, VEC_INPUTS),
    (negative_step_by_two, [(np.ones(8),)]),
]


@pytest.mark.parametrize("fn,inputs", NUMBA, ids=[fn.__name__ for fn, _ in NUMBA])
def test_numba_agrees(fn, inputs):
    _, compiled = structured(fn, backend="numba")
    for args in inputs:
        same(compiled(*copy.deepcopy(args)), fn(*copy.deepcopy(args)))


# -- the shared corpus -------------------------------------------------------------------------------
def _static(case, args):
    names = list(case.fn.__code__.co_varnames[: case.fn.__code__.co_argcount])
    return {names[i]: args[i] for i in case.static_argnums} or None


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.name)
def test_corpus(case):
    static = _static(case, case.args())
    _check_program(case.fn, static)
    module, fn2 = structured(case.fn, static)
    for seed in (0, 1, 2):
        args = case.args(seed)
        dyn = [a for i, a in enumerate(args) if i not in case.static_argnums]
        same(fn2(*copy.deepcopy(dyn)), case.fn(*case.args(seed)))
    assert GeneratedModule(structured_program(case.fn, static)).source == module.source


CORPUS_NUMBA = ["early_return_loop", "while_break", "loop_break", "loop_continue", "newton_sqrt", "recursive_sum"]


@pytest.mark.parametrize("name", CORPUS_NUMBA)
def test_corpus_numba(name):
    case = next(c for c in CORPUS if c.name == name)
    _, compiled = structured(case.fn, backend="numba")
    for seed in (0, 1):
        same(compiled(*case.args(seed)), case.fn(*case.args(seed)))
