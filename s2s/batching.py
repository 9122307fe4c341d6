"""`vmap` (JAX's API and errors): a function of one example -> a function of a batch.

The batched function is generated source, specialized per argument structure: which
leaves are mapped, along which axis, their numbers of dimensions, the pytree structures.
Two strategies produce it:

* *array batching* (`s2s/vectorize/array.py`): f rewritten to work on whole batches, each
  NumPy operation replaced by its batched form (`x @ W.T` over the batch is one matrix
  product), as JAX does;
* *loop batching* (`s2s/vectorize/loop.py`): a loop over the batch calling f on each
  example, so per-example control flow works.

`strategy="auto"` (the default) uses array batching when it can express the whole program
(no `if`/`while` test or loop bound on a mapped value, a batch rule for every operation,
helpers batchable in turn) and loop batching otherwise; `jit(vmap(f))` is one numba
function either way, and `grad`, `jacfwd`... transform the batched function like any
other (code that calls a vmap and is itself transformed gets loop batching). In-axes
follow JAX: an int or None for every argument, or a tuple/list with one entry per
positional argument, each an int, None, or a pytree prefix of the argument (a dict/tuple
of axes); keyword arguments are mapped along axis 0.
"""

import numpy as np

from .codegen.remember import remembered
from .diff.pytrees import Tree, of_value
from .parse.source import signature_of
from .errors import UnsupportedSyntaxError
from .vectorize.array import build_array_module
from .vectorize.loop import build_vmap_module
from .vectorize.rules import CannotBatch

STRATEGIES = ("auto", "array", "loop")


def _is_axis(a):
    return a is None or (isinstance(a, (int, np.integer)) and not isinstance(a, bool))


def _axes_leaves_ok(spec):
    if isinstance(spec, (tuple, list)):
        return all(_axes_leaves_ok(s) for s in spec)
    if isinstance(spec, dict):
        return all(_axes_leaves_ok(s) for s in spec.values())
    return _is_axis(spec)


def _leaf_axes(spec, struct, value, where):
    """{leaf path: axis or None} for an argument of `struct` given an in_axes entry that is
    an axis or a pytree prefix of the argument."""
    if _is_axis(spec):
        return {p: spec for p in _paths(struct)}
    if struct is None or not isinstance(spec, (tuple, list, dict)):
        raise ValueError(f"vmap in_axes specification {spec!r} for {where} must be an int, None, or a container "
                         f"matching the argument's structure ({type(value).__name__})")
    keys = list(spec) if isinstance(spec, dict) else list(range(len(spec)))
    if (struct.kind == "dict") != isinstance(spec, dict) or list(struct.keys) != keys:
        raise ValueError(f"vmap in_axes specification {spec!r} for {where} does not match the argument's structure "
                         f"{struct!r}")
    out = {}
    for k, child in zip(struct.keys, struct.children):
        for p, a in _leaf_axes(spec[k], child, value[k], f"{where}[{k!r}]").items():
            out[(k,) + p] = a
    return out


def _paths(struct, prefix=()):
    if struct is None:
        yield prefix
        return
    for k, c in zip(struct.keys, struct.children):
        yield from _paths(c, prefix + (k,))


def _pick(value, path):
    for k in path:
        value = value[k]
    return value


class VmapFunction:
    """`vmap(f, in_axes, out_axes, axis_size)`: callable, inspectable, compilable, composable."""

    def __init__(self, fn, in_axes, out_axes, axis_size, strategy="auto", chunk_size=None):
        self._fn, self._in_axes, self._out_axes, self._axis_size = fn, in_axes, out_axes, axis_size
        self._strategy = strategy
        self._chunk_size = chunk_size
        self._sig = signature_of(fn)
        self.__signature__ = self._sig
        self.__name__ = f"vmap_{getattr(fn, '__name__', 'f')}"
        self.__qualname__ = self.__name__
        self._built = {}
        # The fast path of `_key` (every call of the batched function): plain positional
        # array/scalar arguments and int/None in_axes.
        params = list(self._sig.parameters.values())
        simple = all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
        axes = in_axes if isinstance(in_axes, (tuple, list)) else [in_axes] * len(params)
        self._quick_axes = tuple(axes) if simple and len(axes) == len(params) and all(_is_axis(a) for a in axes) \
            else None
        self._quick = {}

    # -- checking and specializing ---------------------------------------------------------
    def _bind(self, args, kwargs):
        """(names, values, in_axes specs) for every parameter in order: positional arguments
        get `in_axes`, keyword arguments axis 0 (as JAX), defaults are not mapped."""
        try:
            bound = self._sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"vmap of {getattr(self._fn, '__name__', 'f')}: {exc}") from None
        given = dict(bound.arguments)
        bound.apply_defaults()
        n_pos = len(args)
        in_axes = self._in_axes
        if isinstance(in_axes, list):
            in_axes = tuple(in_axes)
        if isinstance(in_axes, tuple) and len(in_axes) != n_pos:
            raise ValueError(
                "vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional "
                f"arguments passed to the function, but got len(in_axes)={len(in_axes)}, len(args)={n_pos}")
        if isinstance(in_axes, dict):
            raise ValueError("vmap in_axes must be an int, None, or a tuple/list matching the positional "
                             f"arguments; got a dict {in_axes!r} (a dict entry inside the tuple matches a dict "
                             "argument)")
        names, values, specs = [], [], []
        for k, (name, value) in enumerate(bound.arguments.items()):
            names.append(name)
            values.append(value)
            if k < n_pos:
                specs.append(in_axes[k] if isinstance(in_axes, tuple) else in_axes)
            else:
                specs.append(0 if name in given else None)
        return names, values, specs

    def _analyze(self, args, kwargs):
        names, values, specs = self._bind(args, kwargs)
        structs, axes, sizes = [], [], []
        for name, v, spec in zip(names, values, specs):
            st = of_value(v)
            leaf_axes = _leaf_axes(spec, st, v, f"argument {name!r}")
            norm = {}
            for path, ax in leaf_axes.items():
                if ax is None:
                    norm[path] = None
                    continue
                leaf = _pick(v, path)
                nd = np.ndim(leaf)
                where = f"argument {name}" + "".join(f"[{k!r}]" for k in path)
                if nd == 0:
                    raise ValueError(f"vmap was requested to map its argument along axis {ax}, which implies that its "
                                     f"rank should be at least {ax + 1 if ax >= 0 else -ax}, but is only 0 (its shape is "
                                     f"()) -- {where}")
                if not -nd <= ax < nd:
                    raise ValueError(f"vmap was requested to map {where} along axis {ax}, which is out of bounds for an "
                                     f"array of rank {nd} (shape {np.shape(leaf)})")
                norm[path] = ax % nd
                sizes.append((np.shape(leaf)[ax % nd], f"axis {ax % nd} of {where} of shape {np.shape(leaf)}"))
            structs.append(st)
            axes.append(norm)
        if not sizes and self._axis_size is None:
            raise ValueError("vmap must have at least one non-None value in in_axes (or be given axis_size)")
        distinct = {s for s, _ in sizes} | ({self._axis_size} if self._axis_size is not None else set())
        if len(distinct) > 1:
            lines = "\n".join(f"  * one axis had size {s}: {w}" for s, w in sizes)
            if self._axis_size is not None:
                lines += f"\n  * axis_size={self._axis_size}"
            raise ValueError(f"vmap got inconsistent sizes for array axes to be mapped:\n{lines}")
        if not sizes and not (isinstance(self._axis_size, (int, np.integer)) and self._axis_size > 0):
            raise ValueError(f"vmap axis_size must be a positive int, got {self._axis_size!r}")
        ranks = tuple(None if st is not None else np.ndim(v) for st, v in zip(structs, values))
        leaves = tuple(tuple((path, _leaf_info(_pick(v, path))) for path in _paths(st))
                       for st, v in zip(structs, values))
        # The size slot: axis_size when nothing is mapped, 0 for an empty batch (array batching
        # only: loop batching learns output shapes from example 0), else None.
        key = (tuple(structs), tuple(tuple(sorted(a.items(), key=repr)) for a in axes),
               (0 if sizes[0][0] == 0 else None) if sizes else int(self._axis_size), ranks, leaves)
        return key, values

    def _key(self, args, kwargs):
        """`_analyze`, with a fast path for arrays and scalars seen before: their types,
        numbers of dimensions and dtype kinds give the key; only the sizes are checked."""
        axes = self._quick_axes
        if axes is None or kwargs or len(args) != len(axes):
            return self._analyze(args, kwargs)
        sig, n = [], None
        for a, ax in zip(args, axes):
            t = type(a)
            if t is np.ndarray:
                sig.append((a.ndim, a.dtype.char))
                if ax is not None:
                    if not -a.ndim <= ax < a.ndim:
                        return self._analyze(args, kwargs)
                    size = a.shape[ax]
                    if n is None:
                        n = size
                    elif size != n:
                        return self._analyze(args, kwargs)
            elif ax is None and t in (float, int, bool, complex):
                sig.append(t)
            else:
                return self._analyze(args, kwargs)
        sig = tuple(sig)
        key = self._quick.get(sig)
        if key is None or n == 0 or (self._axis_size is not None and n is not None and n != self._axis_size):
            key, values = self._analyze(args, kwargs)
            self._quick[sig] = key
            return key, values
        return key, list(args)

    def _example(self, values, axes):
        """The arguments of example 0 (for a transformation that specializes per argument)."""
        def at0(v, a, path=()):
            if isinstance(v, (tuple, list)):
                return type(v)(at0(e, a, path + (k,)) for k, e in enumerate(v))
            if isinstance(v, dict):
                return {k: at0(e, a, path + (k,)) for k, e in v.items()}
            ax = a.get(path)
            if ax is not None and np.shape(v)[ax] == 0:  # an empty batch: a stand-in of the example's type
                return np.zeros(np.delete(np.shape(v), ax), np.asarray(v).dtype)
            return v if ax is None else np.take(v, 0, axis=ax)
        return tuple(at0(v, dict(a)) for v, a in zip(values, axes))

    def _build(self, key, values=None, compiled=False, parallel=False):
        # A derivative (grad(f), jacfwd(f)...) batched for numba runs faster as a loop over
        # examples: each example's gradient stays in cache, where the array form streams
        # (n, d) temporaries through memory (per-example logistic gradients, 10,000 x 100:
        # 2.4 ms looped vs 7.9 ms array-batched). In pure Python, array batching wins by far.
        loop_first = compiled and self._strategy == "auto" and getattr(self._fn, "__s2s_specialize__", None) is not None
        memo = (key, loop_first, parallel)
        if memo not in self._built:
            fn = self._fn
            specialize = getattr(fn, "__s2s_specialize__", None)
            if specialize is not None and values is not None:
                # grad(f) and friends generate code per argument ranks/structures: give them
                # example 0's arguments (scalars stay scalars, so less is saved and checked).
                fn = specialize(self._example(values, key[1]))[1]
            module, name, out_struct = _batched_module(fn, key, loop_first, parallel, self._strategy, self._out_axes,
                                                       self._chunk_size, getattr(self._fn, "__name__", None))
            self._built[memo] = (module, module.load("python").__dict__[name], out_struct)
        return self._built[memo]

    @property
    def __s2s_function__(self):
        """The batched function for array arguments mapped along non-negative axes (what
        another transformation of code calling this one sees)."""
        axes = self._in_axes
        n = len([p for p in self._sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
        specs = list(axes) if isinstance(axes, (tuple, list)) else [axes] * n
        if len(specs) != n or not all(a is None or (_is_axis(a) and a >= 0) for a in specs):
            raise TypeError("this vmap (pytree or negative in_axes) is specialized per call: call it with example "
                            "arguments, or jit it, instead of transforming code that calls it")
        if all(a is None for a in specs) and self._axis_size is None:
            raise ValueError("vmap must have at least one non-None value in in_axes (or be given axis_size)")
        # Code that calls this vmap and is transformed itself (grad of a function calling it)
        # gets loop batching: its generated code has derivative rules for every helper.
        key = ((None,) * n, tuple(((( ), a),) for a in specs), None if any(a is not None for a in specs)
               else int(self._axis_size), (None,) * n, None)
        return self._build(key)[1]

    def __s2s_specialize__(self, args, kwargs=None, backend=None):
        """(key, batched function) for these arguments, for `jit` compiling it with `backend`
        ("numba": the loop over examples may run on numba's threads)."""
        key, values = self._key(args, kwargs or {})
        return key, self._build(key, values, compiled=True, parallel=backend == "numba")[1]

    @property
    def __s2s_signature_of__(self):
        return self._fn

    def generated(self, *args, **kwargs):
        if not args and not kwargs:
            self.__s2s_function__
            return next(reversed(self._built.values()))[0]
        key, values = self._analyze(args, kwargs)
        return self._build(key, values)[0]

    def source(self, *args, **kwargs):
        return self.generated(*args, **kwargs).source

    def chosen_strategy(self, *args, **kwargs):
        """'array' or 'loop': how the batched function for these arguments was generated."""
        return self.generated(*args, **kwargs).strategy

    def __call__(self, *args, **kwargs):
        key, values = self._key(args, kwargs)
        _, fn, _ = self._build(key, values)
        return fn(*values)

    def __repr__(self):
        return f"<s2s.vmap of {getattr(self._fn, '__qualname__', self._fn)}>"


def vmap(fun, in_axes=0, out_axes=0, axis_size=None, strategy="auto", chunk_size=None):
    """The batched version of `fun`: maps it over the axes `in_axes` of its arguments and
    stacks the results along `out_axes` (JAX's semantics). Value-dependent control flow in
    `fun` works per example.

    `strategy` (an s2s extension) chooses how the batched function is generated:
    "array" rewrites `fun` to operate on whole batches (every NumPy operation in its
    batched form, as JAX's vmap: `x @ W.T` over a batch is one matrix product); "loop"
    generates a loop over the batch that calls `fun` per example (any Python control flow
    works); "auto" (the default) uses "array" when it can express the whole function and
    "loop" otherwise -- silently, the results are the same. With "array", a construct array
    batching cannot express (an `if`/`while` on a mapped value, a function without a batch
    rule) raises `s2s.errors.UnsupportedSyntaxError` naming the file, line and construct.
    `chosen_strategy(*args)` says which one a call uses.

    `chunk_size` (an s2s extension, as PyTorch's `torch.func.vmap`): array batching calls
    the batched function on at most this many examples at a time, so its temporaries take
    memory for `chunk_size` examples rather than the whole batch (results are the same).
    Loop batching holds one example's temporaries at a time and ignores it.
    """
    if not callable(fun):
        raise TypeError(f"vmap expects a callable, got {type(fun).__name__}")
    if not (_is_axis(in_axes) or isinstance(in_axes, (tuple, list, dict))) or not _axes_leaves_ok(in_axes):
        raise TypeError(f"vmap in_axes must be an int, None, or a tuple/list of them (or of pytrees of them), got "
                        f"{in_axes!r}")
    if not _axes_leaves_ok(out_axes):
        raise TypeError(f"vmap out_axes must be an int, None, or a pytree of them, got {out_axes!r}")
    if axis_size is not None and not (isinstance(axis_size, (int, np.integer)) and axis_size > 0):
        raise ValueError(f"vmap axis_size must be a positive int, got {axis_size!r}")
    if chunk_size is not None and not (isinstance(chunk_size, (int, np.integer)) and not isinstance(chunk_size, bool)
                                       and chunk_size > 0):
        raise ValueError(f"vmap chunk_size must be None or a positive int, got {chunk_size!r}")
    if strategy not in STRATEGIES:
        raise ValueError(f"vmap strategy must be one of {', '.join(map(repr, STRATEGIES))}, got {strategy!r}")
    return VmapFunction(fun, in_axes, out_axes, axis_size, strategy, None if chunk_size is None else int(chunk_size))


def _leaf_info(leaf):
    """(number of dimensions, dtype kind) of an argument leaf."""
    if isinstance(leaf, bool):
        return 0, "b"
    if isinstance(leaf, int):
        return 0, "i"
    if isinstance(leaf, float):
        return 0, "f"
    if isinstance(leaf, complex):
        return 0, "c"
    dtype = getattr(leaf, "dtype", None)
    return np.ndim(leaf), getattr(dtype, "kind", None)



def _out_axis_for(spec):
    """(output leaf path) -> its out_axes entry, for the out_axes `spec`."""
    def axis(path):
        s = spec
        for k in path:
            if _is_axis(s):
                break
            try:
                s = s[k]
            except (KeyError, IndexError, TypeError):
                raise ValueError(f"vmap out_axes {spec!r} does not match the structure of the function's output "
                                 f"(no entry for output leaf {list(path)})") from None
        if not _is_axis(s):
            raise ValueError(f"vmap out_axes {spec!r} does not match the structure of the function's output "
                             f"(output leaf {list(path)} is an array, the spec has a container there)")
        return s
    return axis


@remembered
def _batched_module(fn, key, loop_first, parallel, strategy, out_axes, chunk_size, fn_name):
    """(module, batched function's name, output structure) for `fn` (the function vmap was
    given, or its version specialized for example 0's arguments) and `_build`'s key."""
    structs, axes, size, _, leaves = key
    empty = size == 0
    if empty:
        size, loop_first = None, False
    axes = [dict(a) for a in axes]
    built = None
    if strategy != "loop" and leaves is not None and not loop_first:
        try:
            built = build_array_module(fn, axes, list(structs), size, _out_axis_for(out_axes),
                                       [dict(lv) for lv in leaves], chunk=chunk_size)
            strategy = "array"
        except CannotBatch as exc:
            if strategy == "array":
                raise _cannot_batch_error(exc, fn_name) from None
        except Exception:  # noqa: BLE001 -- "auto": whatever array batching trips on, loop batching
            if strategy == "array":  # runs f's own code (and raises the user's errors)
                raise
    if built is None and empty:
        why = ("strategy='loop' was requested" if strategy == "loop" else
               "it is not array-batchable (control flow on a mapped value, or an operation without a batch "
               "rule: strategy='array' names it)")
        raise ValueError(f"vmap over an axis of size 0: {fn_name or 'the function'} has "
                         "no example to run, and loop batching learns the output shapes from the first "
                         f"example; {why}. Skip the call for an empty batch.")
    if built is None:
        built = build_vmap_module(fn, axes, list(structs), size, _out_axis_for(out_axes), parallel=parallel)
        strategy = "loop"
    module, name, out_struct = built
    module.strategy = strategy
    return module, name, out_struct


def _cannot_batch_error(exc, fn_name):
    """The user-facing error for vmap(strategy='array') of a function it cannot express."""
    ctx, node = exc.ctx, exc.node
    what = f"vmap(strategy='array') cannot batch {fn_name or 'the function'}: {exc}"
    if ctx is None:
        return UnsupportedSyntaxError(what, construct=exc.construct)
    return ctx.error(node, what + " (strategy='auto' uses loop batching for it)", exc.construct)


__all__ = ["vmap"]
_ = Tree  # structures compare as Tree objects in keys
