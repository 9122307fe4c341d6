"""Restate (parse/restate.py): loop else-clauses, try/finally and := keep their meaning --
the value in Python and compiled with numba equals the plain Python run, and the gradient
matches central differences -- and the forms it cannot restate are refused at their line."""
import numpy as np
import pytest

from grad_cases import central_jacobian

import s2s
from s2s.errors import UnsupportedSyntaxError


def for_else_breaks(x):
    s = 0.0
    for v in x:
        if v > 1.0:
            s = s + v * v
            break
        s = s + np.sin(v)
    else:
        s = s * 3.0
    return s


def for_else_without_break(x):
    s = 1.0
    for v in x:
        s = s * np.cos(v)
    else:
        s = s + x[0] ** 2
    return s


def while_else_breaks(x):
    i = 0
    s = 0.0
    while i < x.shape[0]:
        s = s + x[i] ** 3
        if s > 2.0:
            break
        i += 1
    else:
        s = -s
    return s


def inner_else_breaks_outer(x):
    s = 0.0
    for i in range(x.shape[0]):
        for j in range(i):
            if x[j] > x[i] + 1.5:
                break
            s = s + x[i] * x[j]
        else:
            s = s + x[i]
            if s > 3.0:
                break
    else:
        s = s * 0.5
    return s


def walrus_if_and_elif(x):
    if (m := np.max(x)) > 2.0:
        return m * np.sum(x)
    elif (t := np.sum(x * x)) > 1.0:
        return t * m
    return m + t


def walrus_while_with_continue(x):
    n = 0
    s = 0.0
    while (r := np.tanh(x[n % 4]) * (n + 1)) < 3.5:
        n += 1
        if r < 0.0:
            continue
        s = s + r * x[n % 4]
    return s + r


def walrus_right_hand_sides(x):
    y = (a := x[0] * x[1]) + 1.0
    z = a and x[2]  # a is read after it was bound
    s = 0.0
    s += (b := np.exp(x[3])) * a
    ok = (c := x[2] ** 2) > 0.5 and c < 10.0
    w = c * 2.0 if (d := x[1] - x[0]) > 0 else c
    return y * z + s + b + (1.0 if ok else 0.5) * w + d


def walrus_while_else(x):
    k = 0
    while (v := x[k] * 2.0) < 1.0:
        k += 1
        if k == 3:
            break
    else:
        v = v * v
    return v + k


def try_finally(x):
    s = 0.0
    for v in x:
        try:
            s = s + v * v
            if v < 0:
                continue_next = True
            else:
                continue_next = False
        finally:
            s = s * 1.1
        if continue_next:
            s = s - v
    t = s * s
    if t > 100.0:
        del continue_next  # `del name`: dropped
    s = s + t
    del t, v
    return s


CASES = [for_else_breaks, for_else_without_break, while_else_breaks, inner_else_breaks_outer,
         walrus_if_and_elif, walrus_while_with_continue, walrus_right_hand_sides, walrus_while_else, try_finally]

INPUTS = [np.array([0.3, -0.4, 1.7, 0.9]), np.array([0.2, 0.1, -0.3, 0.4]), np.array([1.2, 1.3, 0.6, 0.95]),
          np.array([-2.0, 0.8, 0.5, 2.5])]


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
@pytest.mark.parametrize("fn", CASES, ids=[f.__name__ for f in CASES])
def test_value_and_gradient(fn, jit):
    run = s2s.jit(fn) if jit else s2s.jit(fn).python()
    grad = s2s.jit(s2s.grad(fn)) if jit else s2s.grad(fn)
    for x in INPUTS:
        assert run(x) == pytest.approx(fn(x), rel=1e-13)
        np.testing.assert_allclose(grad(x), central_jacobian(fn, x), rtol=1e-6, atol=1e-8)


def test_the_inputs_take_both_ways_out_of_the_loops():
    # each loop with an else leaves by a break for one input and by its end for another
    for fn, broke in [(for_else_breaks, lambda x: np.any(x > 1.0)),
                      (while_else_breaks, lambda x: np.any(np.cumsum(x ** 3) > 2.0))]:
        assert {bool(broke(x)) for x in INPUTS} == {True, False}, fn.__name__


def walrus_in_a_second_operand(x):
    if x[0] > 0 and (m := x[1]) > 0:
        return m
    return x[0]


def walrus_in_a_comprehension(x):
    return sum([y for v in x if (y := v * 2.0) > 0])


def walrus_rebinds_what_was_read(x):
    a = x[0]
    return a + (a := x[1])


def finally_after_a_return(x):
    try:
        return x[0]
    finally:
        x = x * 2.0


def except_handler(x):
    try:
        return x[0]
    except IndexError:
        return 0.0


@pytest.mark.parametrize("fn, construct", [
    (walrus_in_a_second_operand, ":="), (walrus_in_a_comprehension, ":="), (walrus_rebinds_what_was_read, ":="),
    (finally_after_a_return, "try/finally"), (except_handler, "try")])
def test_refused_at_the_line(fn, construct):
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.grad(fn)(np.array([1.0, 2.0]))
    err = info.value
    assert err.construct == construct and err.filename == __file__
    assert ("except" in err.text or ":=" in err.text or "try" in err.text)


def prints_fstrings(x):
    for i in range(2):
        print(f"step {i}: {x[i] * 2.0:.2f} done")  # fields printed unformatted, the text around them
    return np.sum(x ** 2)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_fstrings_given_to_print(jit, capfd):
    grad = s2s.jit(s2s.grad(prints_fstrings)) if jit else s2s.grad(prints_fstrings)
    np.testing.assert_allclose(grad(np.array([0.25, 1.5])), [0.5, 3.0])
    out = capfd.readouterr().out.splitlines()
    assert out[-2:] == ["step 0 : 0.5 done", "step 1 : 3.0 done"]  # print puts a space between its arguments
