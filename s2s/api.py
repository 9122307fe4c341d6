"""The public transformations. This issue's part: `jit` and `source`.

Every s2s function object exposes `__s2s_function__`, the plain Python function the next
transformation should parse, so transformations compose by re-transforming source.
"""
import functools
import inspect
import linecache
import operator
import os
import weakref

import numpy as np

from .codegen.module import GeneratedModule
from .codegen.remember import remembered
from .codegen.numba_backend import NUMBA_ERRORS, internal_error, sequential, translate_error, translate_internal
from .parse.context import guard_checker
from .parse.pipeline import build_program
from .errors import NoDerivativeRuleError, UnsupportedSyntaxError
from .parse.source import _NO_SELF, signature_of, unwrap
from .autodiff import tests_isinstance


def _normalize_argnums(argnums, n_params, fname):
    if isinstance(argnums, int):
        argnums = (argnums,)
    try:
        argnums = tuple(operator.index(a) for a in argnums)
    except TypeError:
        raise TypeError(f"static_argnums must be an int or a tuple of ints, got {argnums!r}") from None
    out = []
    for a in argnums:
        if not -n_params <= a < n_params:
            raise ValueError(
                f"jitted function {fname!r} has static_argnums={argnums}, but only accepts "
                f"{n_params} positional arguments"
            )
        out.append(a % n_params)
    return tuple(sorted(set(out)))


class _Specialization:
    __slots__ = ("module", "call", "guards_hold", "in_order", "boundary", "scalars_0d")

    def __init__(self, module, call, parallel=False, boundary=None):
        self.module = module
        self.call = call
        # dict-holding arguments/results cross as flat tuples of leaves (codegen/boundary.py)
        self.boundary = boundary
        self.guards_hold = guard_checker(module.guards)
        # A parallel build's exception reaches Python without the user's message: the same
        # function compiled to run in order raises it (built on the first exception).
        self.in_order = parallel
        # 0-d array arguments numba could not type (a loop rebinding `x` to `x * 1.5`, a
        # float, cannot unify with the 0-d array) are passed as NumPy scalars instead.
        self.scalars_0d = False


_FAILED = object()


def _is_0d(a):
    return isinstance(a, np.ndarray) and a.ndim == 0


def _scalars_0d(args, kwargs):
    """The arguments with each 0-d array as its NumPy scalar (what NumPy itself gives back
    from arithmetic on one)."""
    return ([a[()] if _is_0d(a) else a for a in args],
            {k: (v[()] if _is_0d(v) else v) for k, v in kwargs.items()})


def _respecialize_nested(program, structs):
    """Point the transformations called inside the entry (`s2s.grad(f)(params)`) at their
    versions for the structures of the positional arguments: structure inference over the
    entry does it (diff/nested.py)."""
    from .diff.pytrees import Structures, StructureMismatch

    if not any(ctx.transform is not None for ctx in program.functions):
        return
    entry = program.entry
    params = [a.id for a in entry.tree.args.posonlyargs + entry.tree.args.args]
    try:
        Structures(entry.tree, program, dict(zip(params, structs)))
    except StructureMismatch:
        return  # the function runs as written; numba reports what it cannot type


@remembered
def _jit_module(fn, static_items, structs, crossing, known=()):
    """`JitFunction._module`'s build, remembered (a `jit(f)` made again builds nothing);
    `known`: (parameter, type) of the arguments, for a function testing isinstance."""
    from .codegen.boundary import add_boundary
    from .codegen.inline_twins import inline_twins
    from .codegen.numba_reductions import rewrite_axis_reductions
    from .diff.unroll import specialize_for_trees

    static = None if static_items is None else {k: v for k, _, v in static_items}
    program = build_program(fn, static=static, known_none=known)
    if structs is not None:
        _respecialize_nested(program, structs)
    rewrite_axis_reductions(program)  # np.mean(x, axis=0) and friends: numba has no axis for them
    if crossing is not None:
        specialize_for_trees(program, *crossing)  # tree_util calls, for the structures passed
    boundary = add_boundary(program, *crossing) if crossing is not None else None
    inline_twins(program)  # one numba function for a wrapper and the VJP it calls (compile time)
    module = GeneratedModule(program, title="jit")
    return module if crossing is None else (module, boundary)


class JitFunction:
    """A function compiled by numba from its s2s-normalized source.

    Compilation happens on the first call (numba specializes on argument types); static
    arguments are baked into the source as constants, one specialization per value.
    """

    def __init__(self, fn, static_argnums=(), static_argnames=(), backend="numba"):
        try:
            inner, bound = unwrap(fn)  # raises SourceUnavailableError for builtins / C functions
        except (TypeError, UnsupportedSyntaxError, NoDerivativeRuleError):
            # A transformation that only exists specialized per call (vmap with negative or
            # pytree in_axes; grad of a function that iterates a dict argument, whose keys
            # only the call tells): its user function gives the name and signature.
            if getattr(fn, "__s2s_specialize__", None) is None or not hasattr(fn, "__s2s_signature_of__"):
                raise
            inner, bound = unwrap(fn.__s2s_signature_of__)
        self.__s2s_function__ = fn
        self._fn = fn
        # S2S_DISABLE_JIT=1 runs the same generated code as plain Python (for debugging).
        if os.environ.get("S2S_DISABLE_JIT", "") not in ("", "0"):
            backend = "python"
        self._backend = backend
        functools.update_wrapper(self, inner, updated=())
        del self.__wrapped__  # our own unwrap follows __s2s_function__ instead
        try:
            # A NumPy/math function stands for its wrapper `def sin(x): ...` (no out=, where=).
            sig = signature_of(fn)
        except (TypeError, ValueError):  # an s2s wrapper of an s2s wrapper: use the function
            sig = inspect.signature(inner)
            if bound is not _NO_SELF:
                sig = sig.replace(parameters=list(sig.parameters.values())[1:])
        self.__signature__ = sig
        params = list(sig.parameters.values())
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if isinstance(static_argnames, str):
            static_argnames = (static_argnames,)
        nums = _normalize_argnums(static_argnums, len(positional), inner.__name__) if static_argnums != () else ()
        names = set(static_argnames)
        for n in names:
            if n not in sig.parameters:
                raise ValueError(f"static_argnames={tuple(static_argnames)!r}: {inner.__name__!r} has no parameter {n!r}")
        names.update(positional[i].name for i in nums)
        self._static_names = tuple(p.name for p in params if p.name in names)
        # numba applies no defaults of keyword-only parameters: bind every call then.
        self._bind = bool(self._static_names) or any(p.kind == p.KEYWORD_ONLY for p in params)
        self._sig = sig
        self._specs = {}
        self._bound = weakref.WeakKeyDictionary()
        # A transformation whose generated code depends on the arguments' structure (grad of
        # a function of tuples) says so: `__s2s_specialize__(args, kwargs) -> (key, function)`.
        self._by_structure = getattr(fn, "__s2s_specialize__", None)
        self._isinstance = self._by_structure is None and tests_isinstance(fn)

    # -- building --------------------------------------------------------------------
    def _module(self, static, fn=None, structs=None, crossing=None, known=()):
        """The generated module; with `crossing` (the structures of the call's positional
        and keyword arguments), also the `Boundary` its dicts cross (or None)."""
        # Keyed by type too: a static 1, 1.0 and True are equal but bake in different code.
        items = None if static is None else tuple(sorted((k, type(v), v) for k, v in static.items()))
        return _jit_module(self._fn if fn is None else fn, items, structs, crossing, known)

    def _specialize(self, key, static, fn=None, structs=None, crossing=None, known=()):
        module, boundary = self._module(static, fn, structs, crossing or ((), ()), known)
        mod = module.load(self._backend)
        spec = _Specialization(module, mod.__dict__[module.entry], parallel=module.parallel and self._backend == "numba",
                               boundary=boundary)
        self._specs[key] = spec
        return spec

    def _options(self, args, kwargs):
        """The parameters this call gives a Python bool or str that are not declared static.
        jit bakes them in like static arguments (one specialization per value): they are
        options -- `keepdims=flag`, `mode="valid"`, `if normalize:` -- which numba needs as
        constants where they decide a result's shape or type (JAX asks for static_argnums)."""
        if not any(type(v) in (bool, str) for v in args) and not any(type(v) in (bool, str) for v in kwargs.values()):
            return ()
        try:
            bound = self._sig.bind(*args, **kwargs)
        except TypeError:
            return ()  # the call itself raises it
        return tuple(p.name for p in self._sig.parameters.values()
                     if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in self._static_names
                     and type(bound.arguments.get(p.name)) in (bool, str))

    def _split(self, args, kwargs, options=()):
        """(static key, static values, dynamic args, dynamic kwargs)."""
        bound = self._sig.bind(*args, **kwargs)
        bound.apply_defaults()
        static = {n: bound.arguments[n] for n in self._static_names + options}
        try:
            key = tuple(sorted((k, type(v), v) for k, v in static.items()))  # 2, 2.0: other code
            hash(key)
        except TypeError:
            raise ValueError(
                f"static arguments of {self.__name__!r} must be hashable; got "
                + ", ".join(f"{n}={type(v).__name__}" for n, v in static.items())
                + ". Pass arrays as regular (non-static) arguments."
            ) from None
        dyn_args, dyn_kwargs = [], {}
        for p in self._sig.parameters.values():
            if p.name in static or p.name not in bound.arguments:
                continue
            if p.kind == p.KEYWORD_ONLY:
                dyn_kwargs[p.name] = bound.arguments[p.name]
            else:
                dyn_args.append(bound.arguments[p.name])
        return key, static, dyn_args, dyn_kwargs

    def _spec_for(self, key, static, fn=None, structs=None, crossing=None, known=()):
        spec = self._specs.get(key)
        if spec is None or not spec.guards_hold():
            spec = self._specialize(key, static, fn, structs, crossing, known)
        return spec

    def __call__(self, *args, **kwargs):
        every = args, kwargs  # a transformation specializing per call sees the static values too
        options = self._options(args, kwargs)
        if self._bind or options:
            key, static, args, kwargs = self._split(args, kwargs, options)
        else:
            key, static = (), None
        fn = structs = crossing = None
        if any(_is_container(a) for a in args) or any(_is_container(v) for v in kwargs.values()):
            crossing = _crossing(args, kwargs)
        if self._by_structure is not None:
            skey, fn = self._by_structure(*every, backend=self._backend)
            if skey is not None:
                key = (key, skey)
            if crossing is not None:
                key = (key, crossing)
        elif any(isinstance(a, (tuple, list, dict)) for a in args):
            # Pytree arguments: one module per structure, so that a grad(f) called inside
            # on them is generated for their structure (diff/nested.py).
            from .diff.pytrees import of_value

            structs = tuple(of_value(a) for a in args)
            key = (key, crossing)
        known = ()
        if fn is None and self._isinstance:  # its isinstance tests decided per argument types (parse/fold.py)
            bound = self._sig.bind(*every[0], **every[1])
            known = tuple((n, type(v)) for n, v in bound.arguments.items()
                          if self._sig.parameters[n].kind not in (inspect.Parameter.VAR_POSITIONAL,
                                                                  inspect.Parameter.VAR_KEYWORD) and v is not None)
            key = (key, known)
        spec = self._spec_for(key, static, fn, structs, crossing, known)
        if spec.boundary is not None:
            args, kwargs = spec.boundary.pack(args, kwargs)
            out = spec.boundary.unpack(self._run(spec, args, kwargs))
        else:
            out = self._run(spec, args, kwargs)
        finish = getattr(self._fn, "__s2s_finish__", None)  # (grad: its inputs' dtypes)
        return out if finish is None else finish(*every, out)

    def _run(self, spec, args, kwargs):
        if spec.scalars_0d:
            args, kwargs = _scalars_0d(args, kwargs)
        if spec.in_order is False:
            return self._call(spec, spec.call, args, kwargs)
        try:
            return spec.call(*args, **kwargs)
        except Exception:  # noqa: BLE001 -- whatever it was, the in-order run raises it properly
            pass
        # An exception inside numba's parallel loop: run in order for the user's own error.
        if spec.in_order is True:
            spec.in_order = sequential(spec.call)
        return self._call(spec, spec.in_order, args, kwargs)

    def _call(self, spec, call, args, kwargs):
        try:
            return call(*args, **kwargs)
        except TypeError as exc:
            if "can't unbox" not in str(exc):
                if internal_error(exc):
                    raise translate_internal(exc, spec.module, self.__name__, _line_of) from None
                raise
            raise TypeError(
                f"{self.__name__}: numba cannot pass this argument to compiled code ({exc}). A list "
                "must hold values of one type (arrays of one number of dimensions); pass a tuple "
                "for mixed values, or call the function without jit."
            ) from None
        except NUMBA_ERRORS as exc:
            retried = self._retry_0d(spec, call, args, kwargs)
            if retried is not _FAILED:
                return retried
            err = translate_error(exc, spec.module, self.__name__, _line_of)
            hint = "\n".join(h for h in (spec.boundary.hint() if spec.boundary is not None else "",
                                          _argument_hint(self._sig, args, kwargs, self._by_structure is not None))
                             if h)
            if hint:
                err.args = (f"{err.args[0]}\n{hint}",)
            raise err from None
        except Exception as exc:  # noqa: BLE001 -- re-raised unless numba's compiler raised it
            if not internal_error(exc):
                raise
            raise translate_internal(exc, spec.module, self.__name__, _line_of) from None

    @staticmethod
    def _retry_0d(spec, call, args, kwargs):
        """The call again with 0-d arrays as NumPy scalars (remembered when it compiles), or
        _FAILED: then the first error is the one to report."""
        if spec.scalars_0d or not (any(map(_is_0d, args)) or any(map(_is_0d, kwargs.values()))):
            return _FAILED
        sargs, skwargs = _scalars_0d(args, kwargs)
        try:
            out = call(*sargs, **skwargs)
        except NUMBA_ERRORS:
            return _FAILED
        spec.scalars_0d = True
        return out

    # -- inspection --------------------------------------------------------------------
    def generated(self, *args, **kwargs):
        """The `GeneratedModule` (source, helper names, constants) for the static values
        in `args`; without arguments, the latest specialization (or the only one)."""
        options = self._options(args, kwargs)
        if self._static_names or options:
            if not args and not kwargs:
                if self._specs:
                    return next(reversed(self._specs.values())).module
                raise TypeError(
                    f"{self.__name__!r} has static arguments; call it once (or pass example "
                    "arguments to source()) so their values are known"
                )
            every = args, kwargs
            key, static, args, kwargs = self._split(args, kwargs, options)
        else:
            every = args, kwargs
            key, static = (), None
        fn = structs = crossing = None
        if any(_is_container(a) for a in args) or any(_is_container(v) for v in kwargs.values()):
            crossing = _crossing(args, kwargs)
        if self._by_structure is not None and (args or kwargs):  # what a call with these runs
            skey, fn = self._by_structure(*every, backend=self._backend)
            if skey is not None:
                key = (key, skey)
            if crossing is not None:
                key = (key, crossing)
        elif crossing is not None:
            from .diff.pytrees import of_value

            structs = tuple(of_value(a) for a in args)
            key = (key, crossing)
        return self._spec_for(key, static, fn, structs, crossing).module

    def source(self, *args, **kwargs):
        """The generated module source (for the static values in `args`, if any)."""
        return self.generated(*args, **kwargs).source

    def python(self):
        """The normalized function as pure Python (no numba): the twin `jit` compiles."""
        if self._static_names:
            raise TypeError("python() is not available for functions with static arguments")
        return self._module(None).load("python").__dict__[self._module(None).entry]

    def __repr__(self):
        return f"<s2s.jit {self.__name__}>"

    def __get__(self, obj, objtype=None):
        # @jit on a method: bind like a function would, once per instance (the instance's
        # attributes are read at transform time, like any captured value).
        if obj is None:
            return self
        try:
            return self._bound[obj]
        except (KeyError, TypeError):
            pass
        bound = JitFunction(self._fn.__get__(obj, objtype), backend=self._backend)
        try:
            self._bound[obj] = bound
        except TypeError:  # not weak-referenceable: bind anew each time
            pass
        return bound


def _is_container(value):
    return isinstance(value, (tuple, list, dict))


def _crossing(args, kwargs):
    """The structures of a call's positional and keyword arguments (hashable: a cache key)."""
    from .diff.pytrees import of_value

    return tuple(of_value(a) for a in args), tuple(sorted((k, of_value(v)) for k, v in kwargs.items()))


def _argument_hint(sig, args, kwargs, derivative=False):
    """Why an argument may be what numba refused (containers numba cannot type; None given
    to derivative code, which keeps both sides of a test on it)."""
    names = [p.name for p in sig.parameters.values()]
    pairs = list(zip(names, args)) + list(kwargs.items())
    bad = [(n, v) for n, v in pairs if isinstance(v, (dict, set)) or (isinstance(v, list) and v and isinstance(v[0], (list, dict)))]
    lines = [
        f"Argument {n!r} is a {type(v).__name__}: jit passes arguments to numba as they are, and numba "
        "cannot take this container. Pass its arrays as separate arguments or as a tuple."
        for n, v in bad
    ]
    if derivative:
        try:
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            pairs = list(bound.arguments.items())
        except TypeError:
            pass
        lines += [
            f"Argument {n!r} is None: the derivative code keeps both sides of a test such as `{n} is not None`, "
            f"and numba compiles both with {n} None. Pass a value, or call the function from one you transform "
            f"(s2s makes helpers for a None argument, the test decided)."
            for n, v in pairs if v is None
        ]
    return "\n".join(lines)


def _line_of(filename, lineno):
    return linecache.getline(filename, lineno)


def jit(fun=None, *, static_argnums=(), static_argnames=(), device=None):
    """Compile `fun` with numba through s2s's source transformation.

    Use as `jit(f)`, `@jit` or `@jit(static_argnums=...)`. Python control flow on values
    (`if x > 0`, `while err > tol`) works; helper functions `fun` calls are compiled too.
    """
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums, static_argnames=static_argnames, device=device)
    if not callable(fun):
        raise TypeError(f"jit expects a callable, got {type(fun).__name__}: {fun!r}")
    target = None
    if device is not None:
        from .devices import resolve_device

        target = resolve_device(device)  # RuntimeError saying why when CUDA is unusable
    if target is not None and target.platform == "cuda":
        from .gpu import CudaJitFunction
        from .gpu_host import CudaHostFunction, calls_batched_functions

        if calls_batched_functions(fun):  # host code around batched kernels: it runs in Python
            return CudaHostFunction(fun, target)

        return CudaJitFunction(fun, target, static_argnums=static_argnums, static_argnames=static_argnames)
    return JitFunction(fun, static_argnums=static_argnums, static_argnames=static_argnames)


def source(fn, *args, **kwargs):
    """The generated Python source of an s2s-transformed function, as a string."""
    getter = getattr(fn, "source", None)
    transformed = getattr(fn, "__s2s_specialize__", None) is not None and args or hasattr(fn, "__s2s_function__")
    if not (transformed or getattr(fn, "__s2s_source_only__", False)) or getter is None:
        raise TypeError(
            f"source() takes a function made by an s2s transformation (s2s.jit, ...), got "
            f"{fn!r}. Wrap it first, e.g. s2s.source(s2s.jit(f))."
        )
    return getter(*args, **kwargs)
