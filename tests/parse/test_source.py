"""get_source: from a live function object to its gast tree, with the user's line numbers.

Expected line numbers are found in this file's text (a `# <-` marker on the `def` or lambda
line), never hard-coded.
"""
import ast
import functools
import inspect
import math
import sys

import gast
import numba
import numpy as np
import pytest

import s2s
from s2s.errors import SourceUnavailableError
from s2s.parse.source import get_source, source_hash

THIS_FILE = __file__
MARK = "# <-"


def line_with(text, mark=MARK):
    """Line number (1-based) in this file of the unique line containing `text` and `mark`."""
    with open(THIS_FILE, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if text in line and line.rstrip().endswith(mark)]
    assert len(hits) == 1, f"{text!r}: {len(hits)} marked lines"
    return hits[0]


# -- the functions whose source is retrieved -----------------------------------------------------
def module_level(x):  # <-
    return np.sin(x) + 1.0


def make_nested():
    def nested(x):  # <-
        return x * 2.0

    return nested


def make_closure(a):
    def closure(x):  # <-
        return a * x

    return closure


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    return wrapper


@logged
def decorated_by_wraps(x):  # <-
    return x - 1.0


@logged
@logged
def decorated_twice(x):  # <-
    return x - 2.0


@s2s.jit
def decorated_by_s2s(x):  # <-
    return x + 3.0


@s2s.jit(static_argnums=1)
def decorated_by_s2s_call(x, n):  # <-
    return x * n


def annotated(x: float, y: "np.ndarray" = None, *, k: int = 2) -> float:  # <-
    return x * k


class Widget:
    scale = 2.0

    def method(self, x):  # <-
        return self.scale * x

    @staticmethod
    def static(x):  # <-
        return x + 0.5

    @classmethod
    def klass(cls, x):  # <-
        return cls.scale + x


lonely_lambda = lambda x: x * x + 1.0  # noqa: E731  # <-
lam_add, lam_mul = (lambda x: x + 1.0), (lambda x: x * 2.0)  # noqa: E731  # <-
njitted = numba.njit(lambda x: x - 4.0)  # <-


def _exec_function():
    ns = {}
    exec("def from_exec(x):\n    return x + 1.0\n", ns)
    return ns["from_exec"]


# -- the table ----------------------------------------------------------------------------------
# (id, object, expected node name, text identifying the marked line)
FOUND = [
    ("module_level", module_level, "module_level", "def module_level("),
    ("nested", make_nested(), "nested", "def nested("),
    ("closure", make_closure(3.0), "closure", "def closure("),
    ("functools.wraps", decorated_by_wraps, "decorated_by_wraps", "def decorated_by_wraps("),
    ("wraps_twice", decorated_twice, "decorated_twice", "def decorated_twice("),
    ("s2s.jit", decorated_by_s2s, "decorated_by_s2s", "def decorated_by_s2s("),
    ("s2s.jit(...)", decorated_by_s2s_call, "decorated_by_s2s_call", "def decorated_by_s2s_call("),
    ("annotated", annotated, "annotated", "def annotated("),
    ("function_from_class", Widget.method, "method", "def method("),
    ("bound_method", Widget().method, "method", "def method("),
    ("staticmethod", Widget.static, "static", "def static("),
    ("staticmethod_object", Widget.__dict__["static"], "static", "def static("),
    ("staticmethod_via_instance", Widget().static, "static", "def static("),
    ("classmethod", Widget.klass, "klass", "def klass("),
    ("classmethod_object", Widget.__dict__["klass"], "klass", "def klass("),
    ("lambda", lonely_lambda, "lambda_", "lonely_lambda = lambda"),
    ("numba.njit", njitted, "lambda_", "njitted = numba.njit"),
]


@pytest.mark.parametrize("obj, name, text", [f[1:] for f in FOUND], ids=[f[0] for f in FOUND])
def test_source_found(obj, name, text):
    src = get_source(obj)
    node = src.node
    assert isinstance(node, gast.FunctionDef)
    assert node.name == name
    assert src.filename == THIS_FILE
    line = line_with(text)
    assert node.lineno == line
    assert MARK in src.line(line)
    # Decorators and annotations were applied when `def` ran: they are gone from the tree.
    assert node.decorator_list == []
    assert node.returns is None
    args = node.args
    for a in args.posonlyargs + args.args + args.kwonlyargs:
        assert a.annotation is None
    # The tree is a valid function once converted back.
    ast.unparse(gast.gast_to_ast(node))


def test_decorators_and_annotations_are_stripped():
    src = get_source(annotated)
    text = ast.unparse(gast.gast_to_ast(src.node))
    assert text.splitlines()[0] == "def annotated(x, y=None, *, k=2):"
    assert "float" not in text and "ndarray" not in text
    wrapped = ast.unparse(gast.gast_to_ast(get_source(decorated_by_wraps).node))
    assert "@" not in wrapped and "logged" not in wrapped
    jitted = ast.unparse(gast.gast_to_ast(get_source(decorated_by_s2s).node))
    assert "@" not in jitted and "jit" not in jitted


def test_body_of_the_found_function():
    src = get_source(module_level)
    body = src.node.body
    assert len(body) == 1 and isinstance(body[0], gast.Return)
    assert body[0].lineno == line_with("def module_level(") + 1


def test_bound_self_is_recorded():
    w = Widget()
    src = get_source(w.method)
    assert src.has_bound_self and src.bound_self is w
    assert not get_source(Widget.method).has_bound_self
    assert not get_source(Widget.static).has_bound_self
    k = get_source(Widget.klass)
    assert k.has_bound_self and k.bound_self is Widget


def test_closure_function_object():
    fn = make_closure(2.5)
    src = get_source(fn)
    assert src.fn is fn
    assert src.fn.__closure__[0].cell_contents == 2.5


def test_lambda_becomes_a_def_returning_its_body():
    src = get_source(lonely_lambda)
    assert src.is_lambda
    node = src.node
    assert len(node.body) == 1 and isinstance(node.body[0], gast.Return)
    assert ast.unparse(gast.gast_to_ast(node.body[0].value)) == "x * x + 1.0"
    assert [a.id for a in node.args.args] == ["x"]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="lambdas on one line are told apart by column (3.11+)")
def test_two_lambdas_on_one_line_are_told_apart():
    a, b = get_source(lam_add), get_source(lam_mul)
    line = line_with("lam_add, lam_mul =")
    assert a.node.lineno == b.node.lineno == line
    assert ast.unparse(gast.gast_to_ast(a.node.body[0].value)) == "x + 1.0"
    assert ast.unparse(gast.gast_to_ast(b.node.body[0].value)) == "x * 2.0"
    assert a.node.col_offset < b.node.col_offset
    assert s2s.jit(lam_add)(1.0) == 2.0
    assert s2s.jit(lam_mul)(1.0) == 2.0


def test_get_source_returns_a_fresh_tree_each_time():
    a, b = get_source(module_level), get_source(module_level)
    assert a.node is not b.node
    a.node.name = "renamed"
    a.node.body = []
    assert get_source(module_level).node.name == "module_level"
    assert len(get_source(module_level).node.body) == 1


def test_source_hash_is_stable_and_content_based():
    assert source_hash(get_source(module_level)) == source_hash(get_source(module_level))
    assert source_hash(get_source(module_level)) != source_hash(get_source(make_nested()))


# -- unavailable sources ----------------------------------------------------------------------
UNAVAILABLE = [
    ("exec", _exec_function()),
    ("len", len),
    ("partial_of_builtin", functools.partial(len)),
    ("builtin_method", [].append),
]


@pytest.mark.parametrize("obj", [u[1] for u in UNAVAILABLE], ids=[u[0] for u in UNAVAILABLE])
def test_source_unavailable(obj):
    with pytest.raises(SourceUnavailableError) as info:
        get_source(obj)
    assert isinstance(info.value, OSError)  # like inspect.getsource's error
    assert str(info.value)


@pytest.mark.parametrize("fn, params, call", [
    (np.exp, "x", "_np.exp(x)"), (np.arctan2, "x1, x2", "_np.arctan2(x1, x2)"),
    (math.sin, "x", "_math.sin(x)"), (np.sum, "a", "_np.sum(a)"), (np.linalg.det, "a", "_np.linalg.det(a)"),
], ids=["np.exp", "np.arctan2", "math.sin", "np.sum", "np.linalg.det"])
def test_numpy_and_math_functions_stand_for_a_wrapper(fn, params, call):
    """`grad(np.exp)`: a two-line Python function with the required positional parameters."""
    src = get_source(fn)
    text = "".join(src.lines) if hasattr(src, "lines") else ""
    assert src.node.name == call.split("(")[0].rsplit(".", 1)[1]
    assert [a.id for a in src.node.args.args] == [p.strip() for p in params.split(",")]
    assert src.filename.startswith("<s2s: ") and (not text or call in text)


def test_exec_message_says_what_to_do():
    with pytest.raises(SourceUnavailableError, match=r"\.py file"):
        get_source(_exec_function())


def test_file_edited_after_import(tmp_path):
    """A function whose file no longer contains it: a clear SourceUnavailableError."""
    import importlib.util
    import linecache

    path = tmp_path / "edited_module.py"
    path.write_text("def edited(x):\n    return x + 1.0\n")
    spec = importlib.util.spec_from_file_location("edited_module", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert get_source(mod.edited).node.name == "edited"
    path.write_text("# nothing here any more\n")
    linecache.checkcache(str(path))
    with pytest.raises(SourceUnavailableError):
        get_source(mod.edited)


def test_inspect_agrees_on_the_def_line():
    # Cross-check line_with against inspect for an undecorated function.
    assert inspect.getsourcelines(module_level)[1] == line_with("def module_level(")
