"""From a live function object to its gast `FunctionDef`, with the user's line numbers.

The whole file is parsed (not just `inspect.getsource`'s block), so every node keeps the
line and column it has in the user's file and no dedenting is needed. Lambdas become a
`def` whose body is `return <expr>`; decorators and annotations are dropped (the function
object we hold is already the undecorated one, and generated code must not re-apply them).
"""
import ast
import functools
import hashlib
import inspect
import linecache
import math
import operator
import types
from dataclasses import dataclass, field

import gast
import numpy

from ..errors import SourceUnavailableError, UnsupportedSyntaxError
from ..naming import MATH_ALIAS, NUMPY_ALIAS
from .base import walk

_NO_SELF = object()


@dataclass
class FunctionSource:
    """A function, its normalized-to-be tree and where it came from."""

    fn: types.FunctionType
    node: gast.FunctionDef
    filename: str
    lines: list = field(repr=False)
    bound_self: object = field(default=_NO_SELF, repr=False)
    is_lambda: bool = False
    # functools.partial: the parameters its arguments bind -> their values (baked in as
    # constants, like static arguments)
    bound_args: dict = field(default_factory=dict, repr=False)

    def line(self, lineno):
        """The user's source line `lineno` (1-based), without its newline, or ''."""
        if lineno and 1 <= lineno <= len(self.lines):
            return self.lines[lineno - 1].rstrip("\n")
        return ""

    @property
    def has_bound_self(self):
        return self.bound_self is not _NO_SELF


# filename of a generated module -> {generated line: (user file, user line)}. Re-parsing
# generated code (grad of grad, jit of a transformed function) maps every node back to the
# user's line, so comments and errors keep pointing at the user's code.
_GENERATED_ORIGINS = {}


def register_generated(filename, origins):
    _GENERATED_ORIGINS[filename] = origins


def _to_user_lines(node, filename, lines):
    origins = _GENERATED_ORIGINS.get(filename)
    if not origins:
        return filename, lines
    files = {origins[node.lineno][0]} if node.lineno in origins else set()
    if len(files) != 1:
        return filename, lines
    (user_file,) = files
    for n in walk(node):
        lineno = getattr(n, "lineno", None)
        if lineno is None:
            continue
        loc = origins.get(lineno)
        n.lineno = loc[1] if loc and loc[0] == user_file else None
        end = getattr(n, "end_lineno", None)
        if end is not None:
            eloc = origins.get(end)
            n.end_lineno = eloc[1] if eloc and eloc[0] == user_file else n.lineno
    # Statements made by s2s itself have no user line: they inherit their parent's.
    _inherit_lines(node, node.lineno)
    return user_file, linecache.getlines(user_file)


def _inherit_lines(node, lineno):
    for child in gast.iter_child_nodes(node):
        if getattr(child, "lineno", 0) is None or ("lineno" in child._attributes and not hasattr(child, "lineno")):
            child.lineno = lineno
            if getattr(child, "end_lineno", None) is None:
                child.end_lineno = lineno
        _inherit_lines(child, getattr(child, "lineno", None) or lineno)


def unwrap(obj):
    """(plain Python function, bound self or _NO_SELF) behind `obj`, or raise."""
    bound_self = _NO_SELF
    for _ in range(32):  # wrappers of wrappers; bounded so a cycle cannot hang us
        inner = getattr(obj, "__s2s_function__", None)
        if inner is not None and inner is not obj:
            obj = inner
            continue
        if isinstance(obj, (staticmethod, classmethod)):
            obj = obj.__func__
            continue
        if isinstance(obj, types.MethodType):
            bound_self, obj = obj.__self__, obj.__func__
            continue
        py_func = getattr(obj, "py_func", None)  # a numba dispatcher wraps a Python function
        if isinstance(py_func, types.FunctionType):
            obj = py_func
            continue
        if isinstance(obj, types.FunctionType) and hasattr(obj, "__wrapped__"):
            obj = obj.__wrapped__
            continue
        break
    if isinstance(obj, functools.partial):
        return unwrap(obj.func)  # its bound arguments: get_source
    if not isinstance(obj, types.FunctionType):
        wrapper = library_wrapper(obj)
        if wrapper is not None:
            return wrapper, bound_self
        what = getattr(obj, "__name__", type(obj).__name__)
        raise SourceUnavailableError(
            f"s2s needs the Python source of the function it transforms, but {what!r} "
            f"({type(obj).__name__}) is not a Python function (a builtin, a NumPy ufunc or C "
            "code). Wrap it in a Python function defined in a file, e.g. "
            f"`def f(x): return {what}(x)`."
        )
    return obj, bound_self


@functools.lru_cache(maxsize=256)
def _parse_text(text, filename):
    return ast.parse(text, filename=filename)


_LIBRARY_WRAPPERS = {}


def library_wrapper(obj):
    """A Python function standing for a NumPy or `math` function, so that `grad(np.sin)`,
    `jit(np.exp)` work as in JAX: `def sin(x): return _np.sin(x)`, with its required
    positional parameters, its source kept in linecache under `<s2s: numpy.sin>`. None for
    anything else."""
    from .functional import operator_name
    from .resolve import canonical_path  # resolve imports this module

    path = canonical_path(obj)
    if path is None and operator_name(obj) is not None:  # grad(operator.mul)
        path = f"_operator.{operator_name(obj)}"
    if path is None:
        return None
    if path not in _LIBRARY_WRAPPERS:
        nin = getattr(obj, "nin", None)  # ufuncs
        if path.startswith("_operator."):
            from .functional import _UNARY

            name = path.split(".")[1]
            params = ["a"] if name in _UNARY or name == "abs" else ["a", "b"]
        elif isinstance(nin, int):
            params = ["x"] if nin == 1 else [f"x{i + 1}" for i in range(nin)]
        else:
            try:
                sig = inspect.signature(obj)
            except (TypeError, ValueError):
                return None
            params = [p.name for p in sig.parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
        name = path.rsplit(".", 1)[1]
        text = f"def {name}({', '.join(params)}):\n    return {path}({', '.join(params)})\n"
        filename = f"<s2s: {path.replace(NUMPY_ALIAS, 'numpy', 1).replace(MATH_ALIAS, 'math', 1).lstrip('_')}>"
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        ns = {NUMPY_ALIAS: numpy, MATH_ALIAS: math, "_operator": operator}
        exec(compile(text, filename, "exec"), ns)
        _LIBRARY_WRAPPERS[path] = ns[name]
    return _LIBRARY_WRAPPERS[path]


def _file_tree(fn):
    filename = fn.__code__.co_filename
    lines = linecache.getlines(filename, fn.__globals__)
    if not lines:
        raise SourceUnavailableError(
            f"the source of {fn.__qualname__!r} is not available (defined in {filename!r}: an "
            "interactive session, exec() or a compiled module). Define the function in a "
            ".py file (or a notebook cell) and pass that function to s2s."
        )
    text = "".join(lines)
    try:
        tree = _parse_text(text, filename)
    except SyntaxError as exc:
        raise SourceUnavailableError(
            f"{filename} no longer parses ({exc.msg}, line {exc.lineno}); was it edited "
            "after the function was defined? Re-import it."
        ) from None
    return filename, lines, tree


def _positions(code):
    """(line, column) of the code's instructions (Python 3.11+), or [] before 3.11."""
    positions = getattr(code, "co_positions", None)
    if positions is None:
        return []
    return [(line, col) for line, _e, col, _ec in positions() if line is not None and col is not None]


def _find_node(fn, tree, filename, lines):
    code = fn.__code__
    first = code.co_firstlineno
    if code.co_name == "<lambda>":
        cands = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and n.lineno == first]
        if len(cands) > 1:
            pos = _positions(code)

            def contains(n):
                b = n.body
                start, end = (b.lineno, b.col_offset), (b.end_lineno, b.end_col_offset)
                return any(start <= p < end for p in pos)

            inside = [n for n in cands if contains(n)]
            # Innermost lambda wins when lambdas nest.
            if inside:
                cands = [min(inside, key=lambda n: (n.end_lineno - n.lineno, n.end_col_offset - n.col_offset))]
        if len(cands) != 1:
            raise SourceUnavailableError(
                f"cannot tell which lambda on {filename}, line {first} is meant "
                f"({len(cands)} candidates). Give it its own line or use a def."
            )
        return cands[0]
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == code.co_name:
            start = min([n.lineno] + [d.lineno for d in n.decorator_list])
            if start == first or n.lineno == first:
                if isinstance(n, ast.AsyncFunctionDef):
                    raise UnsupportedSyntaxError(
                        "async functions cannot be transformed",
                        construct="async def",
                        filename=filename,
                        lineno=n.lineno,
                        offset=n.col_offset + 1,
                        text=lines[n.lineno - 1] if n.lineno <= len(lines) else None,
                    )
                return n
    raise SourceUnavailableError(
        f"could not find the definition of {fn.__qualname__!r} at {filename}, line {first}; "
        "the file may have changed since it was imported. Re-import it."
    )


def _strip(node):
    """Drop decorators and annotations: they were applied/evaluated when `def` ran."""
    node.decorator_list = []
    node.returns = None
    node.type_comment = None
    args = node.args
    for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if a is not None:
            a.annotation = None
    return node


def get_source(obj):
    """The `FunctionSource` for `obj` (a function, method, lambda, functools.partial or
    s2s-wrapped function)."""
    if isinstance(obj, functools.partial):
        return _partial_source(obj)
    own = getattr(type(obj), "__s2s_source__", None)
    if own is not None:  # a function made inside a transformed one (parse/function_args.py)
        return own(obj)
    fn, bound_self = unwrap(obj)
    filename, lines, tree = _file_tree(fn)
    found = _find_node(fn, tree, filename, lines)
    g = gast.ast_to_gast(found)  # builds a fresh tree: the cached file tree is untouched
    is_lambda = isinstance(found, ast.Lambda)
    if is_lambda:
        ret = gast.Return(value=g.body)
        gast.copy_location(ret, g.body)
        g = gast.FunctionDef(
            name="lambda_",
            args=g.args,
            body=[ret],
            decorator_list=[],
            returns=None,
            type_comment=None,
            type_params=[],
        )
        gast.copy_location(g, found)
        g.end_lineno, g.end_col_offset = found.end_lineno, found.end_col_offset
    filename, lines = _to_user_lines(g, filename, lines)
    return FunctionSource(
        fn=fn, node=_strip(g), filename=filename, lines=lines, bound_self=bound_self, is_lambda=is_lambda
    )


def source_hash(src):
    """Stable digest of the function's source text (used in cache keys)."""
    node = src.node
    text = "".join(src.lines[node.lineno - 1 : node.end_lineno])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _partial_source(p):
    """`partial(f, a, k=v)`: f's source with the parameters its arguments bind recorded
    as constants (`bound_args`); the partial's own signature is what callers see."""
    src = get_source(p.func)
    params = [a.id for a in src.node.args.posonlyargs + src.node.args.args]
    if src.has_bound_self:
        params = params[1:]
    names = [a.id for a in src.node.args.kwonlyargs]
    if len(p.args) > len(params) or src.node.args.vararg is not None and p.args:
        raise SourceUnavailableError(
            f"{p!r} binds {len(p.args)} positional arguments; s2s takes partials that bind named parameters "
            "of a function without *args")
    bound = dict(zip(params, p.args))
    for k, v in p.keywords.items():
        if k not in params and k not in names:
            raise SourceUnavailableError(f"{p!r} binds {k!r}, which is not a named parameter of {p.func.__name__}")
        bound[k] = v
    src.bound_args = {**src.bound_args, **bound}
    return src


def signature_of(fn):
    """The signature of the function s2s generates for `fn`: a NumPy function's wrapper
    (`def sin(x)`); a functools.partial without the parameters its keywords bind (they
    are constants of the generated code)."""
    if isinstance(fn, functools.partial):
        sig = inspect.signature(fn)
        return sig.replace(parameters=[p for p in sig.parameters.values() if p.name not in fn.keywords])
    return inspect.signature(library_wrapper(fn) or fn)
