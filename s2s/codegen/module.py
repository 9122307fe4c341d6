"""A generated module: its source, where it lives, and loading it (pure Python or numba).

The source is content-addressed: its key is a digest of the text and of the values bound
into it at load time (arrays captured from globals, ...). With a writable cache directory
(`S2S_CACHE_DIR`, default `~/.cache/s2s`) the module is written there once, under its key,
so numba's on-disk cache (which needs a real file) works across processes; otherwise it
lives only in memory, registered in `linecache` so tracebacks and `inspect` still show it.
"""
import hashlib
import linecache
import os
import sys
import types

import numpy

from .. import __version__
from ..literals import literal
from ..naming import MATH_ALIAS, NUMPY_ALIAS
from ..parse.base import is_prange, prange_call, walk
from ..parse.source import register_generated
from .fuse import Fuser
from .emit import FunctionEmitter, SourceWriter

_loaded = {}  # (key, backend) -> module: one load per process


def cache_dir():
    """The directory generated modules are written to, or None when caching is off."""
    if os.environ.get("S2S_DISABLE_CACHE", "") not in ("", "0"):
        return None
    root = os.environ.get("S2S_CACHE_DIR")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "s2s")
    return root


_PACKAGE_DIGEST = []


def _package_digest():
    """A digest of s2s's own source files (computed once per process)."""
    if not _PACKAGE_DIGEST:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        h = hashlib.sha256()
        for folder, dirs, files in sorted(os.walk(root)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".py"):
                    with open(os.path.join(folder, name), "rb") as fh:
                        h.update(os.path.relpath(os.path.join(folder, name), root).encode() + fh.read())
        _PACKAGE_DIGEST.append(h.hexdigest())
    return _PACKAGE_DIGEST[0]


# -- constants --------------------------------------------------------------------------
def describe(value):
    if is_prange(value):
        return "numba.prange"
    if isinstance(value, numpy.ndarray):
        return f"{value.dtype} array of shape {value.shape}"
    return type(value).__name__


def fingerprint(value):
    """A digest identifying `value` across processes, or None if there is no stable one."""
    if isinstance(value, numpy.ndarray):
        h = hashlib.sha256(f"{value.dtype.str}{value.shape}".encode())
        h.update(numpy.ascontiguousarray(value).tobytes())
        return h.hexdigest()
    if is_prange(value):
        return hashlib.sha256(b"numba.prange").hexdigest()
    py_func = getattr(value, "py_func", None)  # a user's own numba.njit function
    if py_func is not None and hasattr(py_func, "__code__"):
        code = py_func.__code__
        return hashlib.sha256(f"{py_func.__module__}.{py_func.__qualname__}:{code.co_code!r}{code.co_consts!r}".encode()).hexdigest()
    if getattr(value, "__module__", "").startswith("s2s.") and hasattr(value, "__qualname__"):
        # s2s's own runtime helpers: identified by name and s2s version.
        return hashlib.sha256(f"{value.__module__}.{value.__qualname__}@{__version__}".encode()).hexdigest()
    lit = literal(value)
    return None if lit is None else hashlib.sha256(lit.encode()).hexdigest()


# Builtins without side effects: a call of one can move past other pure statements.
_PURE_BUILTINS = frozenset({"abs", "min", "max", "float", "int", "bool", "complex", "len", "range", "round",
                            "slice", "tuple", "pow", "divmod", "isinstance"})


def _pure_name_test(program):
    """Which module-level names are functions without side effects: pure builtins and the
    derivative runtime's helpers (all but add_at, which updates its argument)."""
    def is_pure(name):
        if name in program.constants:
            value = program.constants[name]
            module = getattr(value, "__module__", "") or ""
            return module.startswith("s2s.diff.runtime") and getattr(value, "__name__", "") != "add_at"
        return name in _PURE_BUILTINS
    return is_pure


def call_graph(program):
    """{function name: names of the program's functions it calls}."""
    import gast

    names = {ctx.name for ctx in program.functions}
    return {ctx.name: {n.func.id for n in walk(ctx.tree) if isinstance(n, gast.Call)
                       and isinstance(n.func, gast.Name) and n.func.id in names} for ctx in program.functions}


def reaches(calls, start, target):
    """Does `start` call `target`, directly or through others, in the call graph `calls`?"""
    seen, todo = set(), list(calls[start])
    while todo:
        n = todo.pop()
        if n == target:
            return True
        if n not in seen:
            seen.add(n)
            todo.extend(calls[n])
    return False


def _has_recursion(program):
    """Does any function of `program` call itself, directly or through others?"""
    calls = call_graph(program)
    return any(reaches(calls, name, name) for name in calls)


def _has_prange(ctx, program):
    import gast

    return any(isinstance(n, gast.For) and prange_call(n.iter, program) for n in walk(ctx.tree))


def _rebound(original, fun, rules):
    """A custom function like `original` (same kind) of the generated `fun` and rules."""
    new = type(original)(fun)
    if "jvp" in rules:
        new.defjvp(rules["jvp"])
    else:
        new.defvjp(rules["fwd"], rules["bwd"])
    return new


class GeneratedModule:
    """The source of one program, its line map and the values it binds at load time."""

    def __init__(self, program, comments=True, title=None, fuse=True):
        self.entry = program.entry.name
        self.function_names = [ctx.name for ctx in program.functions]
        self.recursive = _has_recursion(program)
        # numba runs the entry's `prange` loops on its threads; a helper's run in order
        # (a function called from a parallel loop must not start threads of its own).
        self.parallel = _has_prange(program.entry, program)
        self.guards = list(program.guards)
        # custom_jvp/custom_vjp functions whose rules the module holds: loaded as Python they
        # are bound as such, so a transformation of this module's code (jvp(vmap(f)),
        # hessian through a grad module) still applies the user's rule, not the primal body.
        self.customs = {ctx.name: (ctx.custom, dict(ctx.custom_names)) for ctx in program.functions
                        if ctx.custom is not None and ctx.custom_names  # nondiff arguments: baked in, not parameters
                        and set(ctx.custom_names.values()) <= set(self.function_names)}
        self.injected = {}
        w = SourceWriter()
        src0 = program.entry.src
        w.write(f"# Generated by s2s {__version__} from {os.path.basename(src0.filename)}:"
                f"{src0.fn.__qualname__}{' (' + title + ')' if title else ''}. Do not edit.")
        w.write(f"import numpy as {NUMPY_ALIAS}")
        w.write(f"import math as {MATH_ALIAS}")
        for name, value in program.constants.items():
            lit = literal(value)
            if lit is not None:
                w.write(f"{name} = {lit}")
            else:
                self.injected[name] = value
                w.write(f"# {name}: {describe(value)}, bound when the module is loaded")
        # `fuse=False` prints the trees as the passes left them (pass docs and tests).
        fuser = Fuser(_pure_name_test(program)) if fuse else None
        for ctx in program.functions:
            w.write("")
            w.write("")
            tree = fuser.run(ctx.tree) if fuser else ctx.tree
            FunctionEmitter(w, ctx.filename, ctx.line, comments=comments).function(tree)
        self.source = w.text()
        self.origins = w.origins
        digest = hashlib.sha256(self.source.encode())
        # numba's on-disk cache does not see the overloads a module's code calls: a change to
        # s2s (an upgrade, an edited runtime) must give new keys, not stale machine code.
        digest.update(_package_digest().encode())
        # Where each line came from is part of the identity: error messages depend on it.
        digest.update(repr(sorted(set(self.origins.values()))).encode())
        self.disk_cacheable = True
        for name in sorted(self.injected):
            fp = fingerprint(self.injected[name])
            if fp is None:
                self.disk_cacheable = False
                fp = f"id{id(self.injected[name])}"
            digest.update(f"{name}={fp};".encode())
        self.key = digest.hexdigest()[:20]
        self.filename = None

    # -- placing the source ----------------------------------------------------------
    def _place(self):
        """Choose the filename: a content-addressed file if possible, else an in-memory one."""
        if self.filename is not None:
            return self.filename
        stem = f"{self.entry}_{self.key}"
        root = cache_dir() if self.disk_cacheable else None
        if root is not None:
            path = os.path.join(root, "modules", stem + ".py")
            try:
                if not os.path.exists(path):
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    tmp = f"{path}.{os.getpid()}.part"
                    with open(tmp, "w", encoding="utf-8") as fh:
                        fh.write(self.source)
                    os.replace(tmp, path)  # atomic: readers never see half a file
                self.filename = path
            except OSError:
                self.filename = None
        if self.filename is None:
            self.filename = f"<s2s-generated {stem}>"
        linecache.cache[self.filename] = (len(self.source), None, self.source.splitlines(True), self.filename)
        register_generated(self.filename, self.origins)
        return self.filename

    @property
    def on_disk(self):
        return self._place() is not None and not self.filename.startswith("<")

    def load(self, backend="python", kernels=(), extra=None):
        """The module object with every function defined (and wrapped for `backend`:
        "python", "numba", or "cuda" where the functions named in `kernels` are kernels and
        the others device functions); `extra`: more globals (values numba compiles in as
        constants: one module object per set)."""
        filename = self._place()
        extra = dict(extra or {})
        memo = (self.key, backend) + ((tuple(sorted(extra.items(), key=repr)),) if extra else ())
        mod = _loaded.get(memo)
        if mod is not None:
            return mod
        modname = f"_s2s_{self.entry}_{self.key}_{backend}" + (f"_{abs(hash(memo[-1]))}" if extra else "")
        mod = types.ModuleType(modname)
        mod.__file__ = filename
        mod.__dict__.update(self.injected)
        mod.__dict__.update(extra)
        # numba rebuilds a cached function's globals by importing its module by name.
        sys.modules[modname] = mod
        exec(compile(self.source, filename, "exec"), mod.__dict__)
        if backend == "numba":
            from .numba_backend import wrap_module

            # numba's on-disk cache cannot reload recursive functions (the next process
            # crashes resolving the recursive call's symbol): compile those every process.
            wrap_module(mod, self.function_names, cache=self.on_disk and not self.recursive,
                        parallel=[self.entry] if self.parallel else ())
        elif backend == "cuda":
            from .cuda_backend import wrap_module as wrap_cuda

            wrap_cuda(mod, self.function_names, kernels)
        elif backend == "python":
            for name, (original, roles) in self.customs.items():
                mod.__dict__[name] = _rebound(original, mod.__dict__[name],
                                              {role: mod.__dict__[n] for role, n in roles.items()})
        else:
            raise ValueError(f"unknown backend {backend!r}")
        _loaded[memo] = mod
        return mod

    def user_location(self, filename, lineno):
        """(user file, user line) for a line of this generated module, or None."""
        if filename != self.filename:
            return None
        return self.origins.get(lineno)
