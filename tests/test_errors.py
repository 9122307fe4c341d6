"""Errors point at the user's code: unsupported syntax, missing source, numba failures,
undefined names and API misuse.

Line numbers are never hard-coded: each offending line carries a `# <-` marker comment and
`marker_line` finds it with `inspect`.
"""
import inspect
import re
import traceback

import numpy as np
import pytest

import s2s
from s2s.errors import CompilationError, S2SError, SourceUnavailableError, UnsupportedSyntaxError

THIS_FILE = __file__
MARK = "# <-"


def marker_line(fn, mark=MARK):
    """The line (in this file) of the one line of `fn`'s source that carries `mark`."""
    lines, start = inspect.getsourcelines(fn)
    hits = [start + i for i, line in enumerate(lines) if line.rstrip().endswith(mark)]
    assert len(hits) == 1, f"{fn.__name__}: expected one {mark!r} marker, found {len(hits)}"
    return hits[0]


# -- unsupported syntax --------------------------------------------------------------------------
def uses_try(x):
    y = x * 2.0
    try:  # <-
        y = y + 1.0
    except ValueError:
        y = 0.0
    return y


class _Ctx:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


CTX = _Ctx()


def uses_with(x):
    with CTX:  # <-
        x = x + 1.0
    return x


def uses_yield(x):
    for i in range(3):
        yield x * i  # <-


COUNTER = 0.0


def uses_global(x):
    global COUNTER  # <-
    COUNTER = x
    return x


def make_uses_nonlocal():
    total = 0.0

    def uses_nonlocal(x):
        nonlocal total  # <-
        total = total + x
        return total

    return uses_nonlocal


def uses_set_comprehension(x):
    s = 0.0
    ys = {v * 2.0 for v in x}  # <-
    for y in ys:
        s = s + y
    return s


def uses_lambda_in_call(x):  # called in a comprehension: it reads the comprehension's variable
    y = x + 1.0
    return sum([(lambda v: v * k)(y) for k in range(2)])  # <-


def uses_import(x):
    import math as m  # <-

    return m.sin(x)


def uses_star_args(x, *rest):  # <-
    return x


def uses_kwargs(x, **options):  # <-
    return x


def uses_fstring(x):
    label = f"x={x}"  # <-
    return x + len(label)


def uses_del(x):
    y = [x + 1.0, x]
    del y[0]  # <-
    return y[0]


def uses_starred_assignment(x):
    y = np.zeros(3)
    a, *y[1:] = x  # <-
    return a


class _Box:
    value = 0.0


BOX = _Box()


def uses_attribute_assignment(x):
    BOX.value = x  # <-
    return x


def uses_walrus_in_a_second_operand(x):
    if x > 0.0 and (y := x * 2.0) > 1.0:  # <-
        return y
    return x


def uses_try_finally_with_a_return(x):
    try:  # <-
        return x * 2.0
    finally:
        x = 0.0


_SCALAR = (1.5,)
_VECTOR = (np.linspace(0.0, 1.0, 4),)

UNSUPPORTED = [
    (uses_try, "try", _SCALAR),
    (uses_with, "with", _SCALAR),
    (uses_yield, "yield", _SCALAR),
    (uses_global, "global", _SCALAR),
    (make_uses_nonlocal(), "nonlocal", _SCALAR),
    (uses_set_comprehension, "set comprehension", _VECTOR),
    (uses_lambda_in_call, "lambda", _SCALAR),
    (uses_import, "import", _SCALAR),
    (uses_star_args, "*args/**kwargs", _SCALAR),
    (uses_kwargs, "*args/**kwargs", _SCALAR),
    (uses_fstring, "f-string", _SCALAR),
    (uses_del, "del", _SCALAR),
    (uses_starred_assignment, "starred assignment", _VECTOR),
    (uses_attribute_assignment, "attribute assignment", _SCALAR),
    (uses_walrus_in_a_second_operand, ":=", _SCALAR),
    (uses_try_finally_with_a_return, "try/finally", _SCALAR),
]


def _check_unsupported(err, fn, construct):
    assert isinstance(err, SyntaxError) and isinstance(err, S2SError)
    assert err.filename == THIS_FILE
    assert err.lineno == marker_line(fn)
    assert construct in err.construct
    assert err.offset is None or err.offset >= 1
    # The message names the file and line and quotes the user's line.
    text = str(err)
    assert f"line {err.lineno}" in text
    assert MARK in (err.text or "")


@pytest.mark.parametrize("fn, construct, args", UNSUPPORTED, ids=[c for _, c, _ in UNSUPPORTED])
def test_unsupported_syntax_at_first_call(fn, construct, args):
    jf = s2s.jit(fn)  # wrapping is lazy: nothing is parsed yet
    with pytest.raises(UnsupportedSyntaxError) as info:
        jf(*args)
    _check_unsupported(info.value, fn, construct)


@pytest.mark.parametrize("fn, construct, args", UNSUPPORTED, ids=[c for _, c, _ in UNSUPPORTED])
def test_unsupported_syntax_in_source_and_python_twin(fn, construct, args):
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.source(s2s.jit(fn))
    _check_unsupported(info.value, fn, construct)
    with pytest.raises(SyntaxError):
        s2s.jit(fn).python()


def helper_with_try(x):
    try:  # <-
        return np.sqrt(x)
    except FloatingPointError:
        return 0.0


def calls_bad_helper(x):
    y = x * 2.0
    return helper_with_try(y) + 1.0


def test_unsupported_syntax_in_helper_reports_helper_line():
    with pytest.raises(UnsupportedSyntaxError) as info:
        s2s.jit(calls_bad_helper)(2.0)
    _check_unsupported(info.value, helper_with_try, "try")


def test_unsupported_syntax_error_is_a_syntax_error():
    # `except SyntaxError` catches it, and Python's traceback machinery can render it.
    with pytest.raises(SyntaxError):
        s2s.jit(uses_try)(1.0)
    try:
        s2s.jit(uses_try)(1.0)
    except SyntaxError as exc:
        rendered = "".join(traceback.format_exception_only(type(exc), exc))
    assert "try:" in rendered


# -- source unavailable ------------------------------------------------------------------------
def _exec_function():
    ns = {"np": np}
    exec("def made_by_exec(x):\n    return np.sin(x) + 1.0\n", ns)
    return ns["made_by_exec"]


@pytest.mark.parametrize(
    "target",
    [len, _exec_function()],
    ids=["len", "exec"],
)
def test_source_unavailable(target):
    with pytest.raises(SourceUnavailableError) as info:
        s2s.jit(target)(1.0)
    err = info.value
    assert isinstance(err, S2SError)
    msg = str(err)
    assert target.__name__ in msg
    # The message says what to do instead.
    assert re.search(r"\b(wrap|define)\b", msg, re.IGNORECASE), msg


# -- numba failures ------------------------------------------------------------------------------
def uses_histogram2d(x):  # numba has no np.histogram2d
    y = x * 2.0
    return np.histogram2d(y, x, 2)[0]  # <-


def uses_default_rng(x):
    rng = np.random.default_rng()  # <-
    return x + rng.standard_normal()


def unifies_float_and_tuple(x):
    if x[0] > 0.0:
        y = 1.0
    else:
        y = (1.0, 2.0)
    return y  # <-


def ravels_with_an_order(x):
    m = np.outer(x, x)
    return np.sum(m.ravel("C") * x[0])  # <-


NUMBA_FAILURES = [uses_histogram2d, uses_default_rng, unifies_float_and_tuple, ravels_with_an_order]


def test_an_internal_numba_failure_is_a_compile_error_with_the_likely_cause():
    """numba's typing of x.ravel('C') (an order given to the method) fails with a bare AssertionError."""
    with pytest.raises(CompilationError, match="ravel.. with an order"):
        s2s.jit(ravels_with_an_order)(np.linspace(0.0, 1.0, 3))


def squeezes_without_axis(x):
    return np.sum(x.reshape(1, 3).squeeze() ** 2)  # <-


def test_a_reason_from_s2s_numba_forms_leads_the_compile_error():
    """s2s's own numba forms explain what they cannot compile (a TypingError numba buries in
    its list of rejected candidates): that reason comes first, at the user's line."""
    with pytest.raises(CompilationError) as info:
        s2s.jit(squeezes_without_axis)(np.linspace(0.0, 1.0, 3))
    msg = str(info.value)
    assert f"line {marker_line(squeezes_without_axis)}" in msg
    headline = msg.splitlines()[3]
    assert headline.startswith("s2s's reason: np.squeeze under numba needs axis=")


def asserts_positive(x):
    assert x[0] > 0.0, "x[0] must be positive"
    return x


def test_a_users_assertion_under_jit_stays_an_assertion_error():
    with pytest.raises(AssertionError, match="must be positive"):
        s2s.jit(asserts_positive)(np.array([-1.0]))


@pytest.mark.parametrize("fn", NUMBA_FAILURES, ids=[f.__name__ for f in NUMBA_FAILURES])
def test_numba_typing_failure_points_at_user_line(fn):
    with pytest.raises(CompilationError) as info:
        s2s.jit(fn)(np.linspace(0.0, 1.0, 3))
    err = info.value
    line = marker_line(fn)
    assert isinstance(err, S2SError)
    assert err.filename == THIS_FILE
    assert err.lineno == line
    msg = str(err)
    assert THIS_FILE in msg
    assert f"line {line}" in msg
    user_text = inspect.getsourcelines(fn)[0][line - inspect.getsourcelines(fn)[1]]
    assert user_text.strip() in msg
    # Not chained to numba's exception: the user sees one error, about their code.
    assert err.__cause__ is None
    assert err.__suppress_context__ is True
    assert err.backend_message  # numba's own text is kept for whoever needs it


def test_numba_failure_in_helper_names_helper_line():
    def outer(x):
        return uses_histogram2d(x) + 1.0

    with pytest.raises(CompilationError) as info:
        s2s.jit(outer)(np.linspace(0.0, 1.0, 3))
    assert f"line {marker_line(uses_histogram2d)}" in str(info.value)


# -- undefined names ------------------------------------------------------------------------------
def uses_undefined_global(x):
    y = x + 1.0
    return y * UNDEFINED_GLOBAL_FOR_TEST  # noqa: F821  # <-


def test_undefined_global_names_the_line():
    with pytest.raises(NameError) as info:
        s2s.jit(uses_undefined_global)(1.0)
    msg = str(info.value)
    assert "UNDEFINED_GLOBAL_FOR_TEST" in msg
    assert f"line {marker_line(uses_undefined_global)}" in msg
    assert THIS_FILE in msg


# -- API misuse ------------------------------------------------------------------------------------
def plain(x):
    return x + 1.0


def test_source_of_a_plain_function_is_a_type_error():
    with pytest.raises(TypeError, match="s2s"):
        s2s.source(plain)


@pytest.mark.parametrize("bad", [3, "f", np.ones(3)], ids=["int", "str", "array"])
def test_jit_of_a_non_callable_is_a_type_error(bad):
    with pytest.raises(TypeError):
        s2s.jit(bad)


def dict_params(params, x):
    return np.sum(params["w"] * x) + params["b"]


def test_dict_argument_compiles():
    # dicts cross the jit boundary as tuples of their leaves (codegen/boundary.py)
    assert s2s.jit(dict_params)({"w": np.ones(3), "b": 1.0}, np.ones(3)) == pytest.approx(4.0)



def keepdims_at_run_time(x, kd):
    return np.sum(np.sum(x, 0, keepdims=kd))  # <-


def test_an_option_numba_needs_as_a_constant_gets_a_hint():
    # (a Python bool is baked in like a static argument; an np.bool_ is a run-time value)
    with pytest.raises(CompilationError) as info:
        s2s.jit(keepdims_at_run_time)(np.ones((2, 3)), np.bool_(True))
    msg = str(info.value)
    assert f"line {marker_line(keepdims_at_run_time)}" in msg
    assert "s2s's hint: numba needs `keepdims` as a constant" in msg and "static_argnums" in msg
    assert s2s.jit(keepdims_at_run_time, static_argnums=1)(np.ones((2, 3)), True) == 6.0
    assert s2s.jit(keepdims_at_run_time)(np.ones((2, 3)), True) == 6.0
