"""LowerFor: every loop counts with range() and reads its elements by index."""
import copy

import gast
import numpy as np
import pytest

from corpus import assert_jit_agrees, assert_same_result
from s2s.codegen.module import GeneratedModule
from s2s.errors import UnsupportedSyntaxError
from s2s.parse.pipeline import build_program

UPTO = "lower_for"


def normalized(fn, upto=UPTO):
    module = GeneratedModule(build_program(fn, upto=upto))
    return module, module.load("python").__dict__[module.entry]


# -- the table ---------------------------------------------------------------------------
def over_array(x):
    s = 0.0
    for v in x:
        s = s + v * v
    return s


def over_expression(x, w):
    s = 0.0
    for v in x * w + 1.0:
        s = s + np.sin(v)
    return s


def over_rebound_name(x):
    s = 0.0
    for v in x:
        x = x[:-1] * 2.0  # Python keeps iterating over the original x
        s = s + v + x.sum()
    return s, x


def target_is_the_sequence(x):
    s = 0.0
    for x in x:
        s = s + x
    return s, x


def rows_then_items(M):
    s = 0.0
    for row in M:
        for v in row:
            s = s * 0.5 + v
    return s


def enumerate_plain(x):
    s = 0.0
    for i, v in enumerate(x):
        s = s + (i + 1) * v
    return s, i


def enumerate_start(x, k):
    s = 0.0
    for i, v in enumerate(x, 3):
        s = s + i * v
    for j, v in enumerate(x, start=k):
        s = s + j * v
    return s


def enumerate_index_reassigned(x):
    out = []
    for i, v in enumerate(x):
        i = i * 10  # the next step still gets the next index
        out.append(i + v)
    return out


def zip_two_and_three(x, y, z):
    s = 0.0
    for a, b in zip(x, y):
        s = s + a * b
    for a, b, c in zip(x, y, z):
        s = s + a - b * c
    return s


def enumerate_of_zip(x, y):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, y)):
        s = s + i * a * b
    return s


def zip_with_ranges(x, n):
    s = 0.0
    for i, v in zip(range(n), x):
        s = s + i * v
    for k, (i, v) in enumerate(zip(range(2, 20, 3), x)):
        s = s + k * i * v
    for i in range(n):
        i = i + 100
        s = s + i
    return s


def tuple_target_over_pairs(P):
    s = 0.0
    for a, b in P:
        s = s + a * b
    return s


def pair_as_one_name(x, y):
    s = 0.0
    for pair in zip(x, y):
        s = s + pair[0] * pair[1]
    for item in enumerate(x):
        s = s + item[0] * item[1]
    return s


def break_and_continue(x):
    s = 0.0
    for v in x:
        if v < 0.0:
            continue
        if v > 1.5:
            break
        s = s + v
    return s


def over_tuple_literal(x):
    s = 0.0
    for c in (1.0, 2.0, 4.0):
        s = s + c * x
    return s


def _my_enumerate(x):
    out = []
    for i in range(len(x)):
        out.append((10 * i, x[i]))
    return out


def local_named_enumerate(x):
    enumerate = _my_enumerate  # not the builtin: iterated like any sequence
    s = 0.0
    for i, v in enumerate(x):
        s = s + i * v
    return s


def loop_in_nested_def(x):
    def total(y):
        s = 0.0
        for v in y:
            s = s + v
        return s

    return total(x) + total(x * 2.0)


def _vec(n=5, lo=-1.0, hi=2.0):
    return np.linspace(lo, hi, n)


def reversed_loops(x, n):  # reversed(seq) and reversed(range(...)) read from the end
    s = 0.0
    for v in reversed(x):
        s = 0.5 * s + v
    for i in reversed(range(1, n, 2)):
        s = s * 2.0 - i
    for k, (a, b) in enumerate(zip(reversed(x[1:]), x)):
        s = s + k * a * b
    return s


def _reversed_enumerate(x):
    for v in reversed(enumerate(x)):
        pass


CASES = [
    (reversed_loops, (_vec(), 7)),
    (over_array, (_vec(),)),
    (over_expression, (_vec(), 0.5)),
    (over_rebound_name, (_vec(),)),
    (target_is_the_sequence, (_vec(),)),
    (rows_then_items, (np.arange(12.0).reshape(3, 4),)),
    (enumerate_plain, (_vec(),)),
    (enumerate_start, (_vec(), -2)),
    (enumerate_index_reassigned, ([1.0, 2.0, 3.0],)),
    (zip_two_and_three, (_vec(5), _vec(4, 1.0, 3.0), _vec(6))),
    (enumerate_of_zip, (_vec(5), _vec(3))),
    (zip_with_ranges, (_vec(6), 4)),
    (tuple_target_over_pairs, (np.arange(10.0).reshape(5, 2),)),
    (pair_as_one_name, (_vec(), _vec(4))),
    (break_and_continue, (np.array([0.5, -1.0, 1.0, 2.0, 0.25]),)),
    (over_tuple_literal, (1.5,)),
    (local_named_enumerate, (_vec(),)),
    (loop_in_nested_def, (_vec(),)),
]
IDS = [fn.__name__ for fn, _ in CASES]


@pytest.mark.parametrize("fn,args", CASES, ids=IDS)
def test_same_results(fn, args):
    _, fn2 = normalized(fn)
    expected = fn(*copy.deepcopy(args))
    got = fn2(*copy.deepcopy(args))
    if isinstance(expected, list):
        assert got == expected
    else:
        assert_same_result(got, expected)


@pytest.mark.parametrize("fn,args", CASES, ids=IDS)
def test_only_range_loops_and_deterministic(fn, args):
    module, _ = normalized(fn)
    for ctx in build_program(fn, upto=UPTO).functions:
        for node in gast.walk(ctx.tree):
            if isinstance(node, gast.For):
                assert isinstance(node.target, gast.Name)
                assert isinstance(node.iter, gast.Call) and isinstance(node.iter.func, gast.Name)
                assert node.iter.func.id == "range"
    assert normalized(fn)[0].source == module.source


def test_readable_output():
    module, _ = normalized(enumerate_of_zip)
    src = module.source
    assert "for i in range(min(len(x), len(y))):" in src
    assert "a = x[i]" in src and "b = y[i]" in src
    module, _ = normalized(rows_then_items)
    assert "for i in range(len(M)):" in module.source
    assert "for j in range(len(row)):" in module.source


def test_sequence_evaluated_once_when_needed():
    src = normalized(over_expression)[0].source
    assert src.count("x * w + 1.0") == 2  # the user's line as a comment, and the temporary
    assert "x_times_w_plus_1_0 = x * w + 1.0" in src
    src = normalized(over_rebound_name)[0].source
    assert "x_seq = x\n" in src
    src = normalized(over_array)[0].source
    assert "for i in range(len(x)):" in src  # a name the loop leaves alone is read directly


def _range_with_tuple_target(n):
    for a, b in range(n):
        pass


def _zip_target_too_long(x, y):
    for a, b, c in zip(x, y):
        pass


def _over_filter_none(x):
    for v in filter(None, x):
        pass


def _local_len(x):
    len = 3
    for v in x:
        pass
    return len


@pytest.mark.parametrize(
    "fn,message",
    [
        (_range_with_tuple_target, "single name"),
        (_zip_target_too_long, "yields 2 values but the target has 3"),
        (_over_filter_none, "looping over filter"),
        (_reversed_enumerate, "cannot be reversed"),
        (_local_len, "shadows the builtin"),
    ],
)
def test_rejected_loops_point_at_the_loop(fn, message):
    with pytest.raises(UnsupportedSyntaxError, match=message) as info:
        build_program(fn, upto=UPTO)
    assert info.value.lineno == fn.__code__.co_firstlineno + (2 if fn is _local_len else 1)


@pytest.mark.parametrize("fn,args", [CASES[i] for i in (0, 1, 2, 5, 6, 7, 9, 10, 11, 12)], ids=lambda v: getattr(v, "__name__", ""))
def test_numba_twin_agrees(fn, args):
    assert_jit_agrees(fn, args)


def over_map(x):
    s = 0.0
    for v in map(abs, x):  # map(f, xs) is a generator expression (desugar)
        s = s * 0.5 + v
    return s


def test_loops_over_map():
    x = np.array([0.5, -1.5, 2.0])
    _, fn2 = normalized(over_map)
    assert fn2(x) == over_map(x)
