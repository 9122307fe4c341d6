"""UnpackTuples: tuple targets and chained assignments, one name at a time, same meaning."""
import copy

import gast
import numpy as np
import pytest

from corpus import assert_jit_agrees, assert_same_result
from s2s.codegen.module import GeneratedModule
from s2s.errors import UnsupportedSyntaxError
from s2s.parse.pipeline import build_program

UPTO = "unpack"


def normalized(fn, upto=UPTO):
    module = GeneratedModule(build_program(fn, upto=upto))
    return module, module.load("python").__dict__[module.entry]


# -- the table ---------------------------------------------------------------------------
def swap(a, b):
    a, b = b, a
    return a, b


def rotate_three(a, b, c):
    a, b, c = c, a, b
    [a, b] = [b, a]
    return a, b, c


def fibonacci(n):
    x, y = 0, 1
    for _ in range(n):
        x, y = y, x + y
    return x, y


def _pair(x):
    return x + 1.0, x * 2.0


def from_call(x):
    p, q = _pair(x)
    r, s = _pair(p)
    return p * q + r - s


def target_reads_source(x):
    x, y = _pair(x)  # x is both a target and the argument
    return x, y


def nested_targets(x, pair):
    (a, b), c = (x, x * 2.0), 3.0
    d, (e, f) = pair
    g, (h, k) = x, pair[1]
    return a + b + c + d + e * f + g + h * k


def shape_unpack(W):
    m, n = W.shape
    return m * 10 + n


def array_rows(P):
    a, b, c = P
    u, v = P[0], P[1:]
    return a + b * c + u * v.sum()


def chained(x):
    a = b = x * 2.0
    b = b + 1.0
    return a, b


def chained_subscript_first(out, y):
    out[0] = z = y  # out holds ints: z must be y itself, not what the store made of it
    c = d = out
    return out, z, c is d


def chained_tuple(x):
    a, b = c = _pair(x)
    return a, b, c


def subscript_swap(x):
    x[0], x[1] = x[1], x[0]
    return x


def subscript_from_aliasing_view(x):
    x[0], x[1] = x[::-1]  # the right side is a view of x
    return x


def name_then_index(x):
    i, x[i] = 1, 5.0  # Python assigns left to right: x[1] = 5.0
    return x, i


def value_reads_later_target(a, b):
    a, b = a * 2.0, a + b  # the second value reads the *old* a
    return a, b


def loop_tuple_target(P):
    s = 0.0
    for a, (b, c) in zip(P[:, 0], P[:, 1:]):
        s = s + a * b - c
    for a, b in P[:, :2]:
        s = s + a / (1.0 + b * b)
    return s


def starred(t, lst):
    a, *mid, c = t
    first, *rest = lst
    *init, last = lst
    p, *q = 1.0, 2.0, 3.0
    return a + sum(mid) * c + first * len(rest) + sum(rest) - sum(init) * last + p * sum(q)


CASES = [
    (starred, ((1.0, 2.0, 3.0, 4.0), [0.5, 1.5, 2.5])),
    (swap, (1.0, 2.0)),
    (rotate_three, (1.0, 2.0, 3.0)),
    (fibonacci, (10,)),
    (from_call, (0.5,)),
    (target_reads_source, (0.5,)),
    (nested_targets, (0.5, (1.0, (2.0, 3.0)))),
    (shape_unpack, (np.zeros((3, 4)),)),
    (array_rows, (np.arange(9.0).reshape(3, 3),)),
    (chained, (1.5,)),
    (chained_subscript_first, (np.zeros(2, dtype=np.int64), 2.75)),
    (chained_tuple, (0.5,)),
    (subscript_swap, (np.array([1.0, 2.0, 3.0]),)),
    (subscript_from_aliasing_view, (np.array([1.0, 2.0]),)),
    (name_then_index, (np.zeros(3),)),
    (value_reads_later_target, (1.0, 2.0)),
    (loop_tuple_target, (np.arange(15.0).reshape(5, 3),)),
]
IDS = [fn.__name__ for fn, _ in CASES]


@pytest.mark.parametrize("fn,args", CASES, ids=IDS)
def test_same_results(fn, args):
    _, fn2 = normalized(fn)
    expected = fn(*copy.deepcopy(args))
    got = fn2(*copy.deepcopy(args))
    assert_same_result(got, expected)


@pytest.mark.parametrize("fn,args", CASES, ids=IDS)
def test_one_name_per_assignment_and_deterministic(fn, args):
    module, _ = normalized(fn)
    for ctx in build_program(fn, upto=UPTO).functions:
        for node in gast.walk(ctx.tree):
            if isinstance(node, gast.Assign):
                assert len(node.targets) == 1
                assert not isinstance(node.targets[0], (gast.Tuple, gast.List))
            if isinstance(node, gast.For):
                assert isinstance(node.target, gast.Name)
    assert normalized(fn)[0].source == module.source


def test_readable_output():
    src = normalized(swap)[0].source
    assert "old_a = a\n    a = b\n    b = old_a\n" in src
    src = normalized(fibonacci)[0].source
    assert "new_y = x + y\n        x = y\n        y = new_y\n" in src
    src = normalized(shape_unpack)[0].source
    assert "m = W.shape[0]\n    n = W.shape[1]\n" in src
    src = normalized(from_call)[0].source
    assert "p_q = _pair(x)\n    p = p_q[0]\n    q = p_q[1]\n" in src
    src = normalized(chained)[0].source
    assert "a = x * 2.0\n    b = a\n" in src


def _too_many_values(x):
    a, b = x, x, x
    return a + b


def _nested_too_few(x):
    a, (b, c) = x, (x,)
    return a


@pytest.mark.parametrize("fn", [_too_many_values, _nested_too_few])
def test_literal_of_the_wrong_length_is_rejected(fn):
    with pytest.raises(UnsupportedSyntaxError, match="cannot unpack") as info:
        build_program(fn, upto=UPTO)
    assert info.value.lineno == fn.__code__.co_firstlineno + 1


@pytest.mark.parametrize("fn,args", [CASES[i + 1] for i in (0, 1, 2, 3, 5, 6, 7, 11, 12, 14, 15)], ids=lambda v: getattr(v, "__name__", ""))
def test_numba_twin_agrees(fn, args):
    assert_jit_agrees(fn, args)
