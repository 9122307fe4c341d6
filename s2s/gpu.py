"""`jit(f, device="cuda")`: the host side of the CUDA backend.

Two kinds of functions become kernels (`s2s/codegen/cuda_kernel.py`):
- a batched function, `jit(vmap(f), device="cuda")` (f may be `grad(g)`, `jacfwd(g)`...):
  one thread per example runs f's own code;
- an elementwise function, `jit(f, device="cuda")` on a plain function of scalars, applied
  to every element of its (broadcast) array arguments, like a NumPy ufunc.

The host moves arguments to the device only when they are not there already, allocates the
outputs (their dtypes come from numba's typing of f for example 0's types), picks the launch
configuration from the device, grows the reverse-mode tape buffer when a launch reports it
was too small, and returns device arrays when an input was a device array (NumPy otherwise).
Nothing falls back to the CPU: what cannot become a kernel is an error naming the construct.
"""
import functools
import inspect
import linecache
import math

import numpy as np

from .batching import VmapFunction, _out_axis_for
from .codegen.cuda_kernel import build_kernel
from .codegen.numba_backend import NUMBA_ERRORS, translate_error
from .diff.pytrees import of_value

_THREADS_PER_BLOCK = 128
_FIRST_TAPE_CAPACITY = 32  # values per tape; grown to what a launch reports it needed
_FIRST_ARENA_CAPACITY = 256  # float64 values per thread for per-example arrays; grown likewise
_LOCAL_ARENA_MAX = 2048  # values per thread up to which the arena is in local memory (16 KiB)


def _cuda():
    from numba import cuda

    return cuda


def _is_device_array(x):
    from .devices import is_device_array

    return is_device_array(x)


def _leaf_values(value, struct, path=()):
    if struct is None:
        yield path, value
        return
    for k, child in zip(struct.keys, struct.children):
        yield from _leaf_values(value[k], child, path + (k,))


def _rebuild(struct, leaf, path=()):
    if struct is None:
        return leaf(path)
    items = [_rebuild(c, leaf, path + (k,)) for k, c in zip(struct.keys, struct.children)]
    if struct.kind == "dict":
        return dict(zip(struct.keys, items))
    return items if struct.kind == "list" else tuple(items)


def _numba_type(leaf, axis):
    """numba's type of example 0's slice of `leaf` (mapped along `axis`, or not mapped)."""
    import numba
    from numba import types

    shape = getattr(leaf, "shape", None)
    if shape is None or (isinstance(leaf, np.generic) and not shape):
        return numba.typeof(leaf)
    nd = len(shape) - (axis is not None)
    dtype = numba.from_dtype(np.dtype(leaf.dtype))
    if nd == 0:
        return dtype
    contiguous = axis in (None, 0) and (leaf.flags["C_CONTIGUOUS"] if hasattr(leaf, "flags") else False)
    return types.Array(dtype, nd, "C" if contiguous else "A")


class _Specialization:
    """A generated kernel and what the host keeps per argument types."""

    def __init__(self, spec):
        self.spec = spec
        self.loaded = None      # the module loaded for CUDA (lazily: building needs no GPU)
        self.out_dtypes = {}    # argument types -> output leaf dtypes
        self.capacities = [_FIRST_TAPE_CAPACITY * a for _, _, a in spec.tapes]
        self.buffer = None
        self.arena_capacity = _FIRST_ARENA_CAPACITY
        self.arena = None

    def local_arena(self):
        """Does the next launch keep the arena in local memory (the kernel compiled for this
        capacity)? Up to _LOCAL_ARENA_MAX values per thread: the driver reserves local memory
        for every thread the GPU can hold at once."""
        return self.spec.kernel_local is not None and self.arena_capacity <= _LOCAL_ARENA_MAX

    def kernel(self):
        if self.local_arena():
            from numba import cuda, float64

            from .codegen.cuda_kernel import ARENA_CAPACITY, CUDA_GLOBAL, FLOAT64_GLOBAL

            extra = {CUDA_GLOBAL: cuda, FLOAT64_GLOBAL: float64, ARENA_CAPACITY: self.arena_capacity}
            mod = self.spec.module.load("cuda", kernels=(self.spec.kernel, self.spec.kernel_local), extra=extra)
            return mod.__dict__[self.spec.kernel_local]
        if self.loaded is None:
            self.loaded = self.spec.module.load("cuda", kernels=(self.spec.kernel, self.spec.kernel_local))
        return self.loaded.__dict__[self.spec.kernel]


class CudaJitFunction:
    """A batched or elementwise function compiled to a numba.cuda kernel."""

    def __init__(self, fn, device=None, static_argnums=(), static_argnames=()):
        self._fn = fn
        self._device = device
        inner = fn._fn if hasattr(fn, "_static_names") and hasattr(fn, "_specs") else fn  # jit(jit(f))
        if isinstance(inner, VmapFunction):
            self._mode = "vmap"
        elif hasattr(inner, "__s2s_function__") or getattr(inner, "__s2s_specialize__", None) is not None:
            raise TypeError(
                f"jit(device='cuda') compiles batched functions (jit(vmap(f), device='cuda')) and elementwise "
                f"functions of scalars; {inner!r} is neither. Batch it with vmap, e.g. "
                "jit(vmap(grad(f)), device='cuda') for per-example gradients; for a full-batch gradient, jit a "
                "function returning np.mean(vmap(grad(loss), in_axes=...)(w, X, y), axis=0) (the mean runs on "
                "the device).")
        else:
            self._mode = "elementwise"
        self._inner = inner
        self._specs = {}
        functools.update_wrapper(self, inner if self._mode == "elementwise" else inner._fn, updated=())
        self.__wrapped__ = None
        del self.__wrapped__
        self.__name__ = getattr(inner, "__name__", "f")
        self.__s2s_function__ = inner
        self._sig = inspect.signature(inner._fn if self._mode == "vmap" else inner)
        self._static_names = _static_names(self._sig, static_argnums, static_argnames, self.__name__)
        self._static = {}

    # -- arguments ---------------------------------------------------------------------
    def _args(self, args, kwargs):
        """(values, structs, axes, n, out-axis fn or broadcast shape) of the kernel's
        arguments: the static ones are taken out (`self._static`) and baked into the kernel."""
        self._static = {}
        if self._static_names:
            try:
                bound = self._sig.bind(*args, **kwargs)
            except TypeError as exc:
                raise TypeError(f"{self.__name__}: {exc}") from None
            bound.apply_defaults()
            self._static = {n: bound.arguments[n] for n in self._static_names}
            try:
                hash(tuple(sorted(self._static.items())))
            except TypeError:
                raise ValueError(f"static arguments of {self.__name__!r} must be hashable; got "
                                 + ", ".join(f"{n}={type(v).__name__}" for n, v in self._static.items())
                                 + ". Pass arrays as regular (non-static) arguments.") from None
        if self._mode == "elementwise":
            values, structs, axes, n, shape = self._elementwise_args(args, kwargs)
            self._full = None
            self._last_values = values
            return values, structs, axes, n, shape
        values, structs, axes, n, out_axis = self._vmap_args(args, kwargs)
        self._full = (values, structs, axes)
        keep = [i for i, p in enumerate(self._sig.parameters) if p not in self._static]
        for i, p in enumerate(self._sig.parameters):
            if p in self._static and any(a is not None for a in axes[i].values()):
                raise ValueError(f"{self.__name__}: static argument {p!r} is mapped by the vmap; give it in_axes None")
        values, structs, axes = ([seq[i] for i in keep] for seq in (values, structs, axes))
        self._last_values = values
        return values, structs, axes, n, out_axis

    def _vmap_args(self, args, kwargs):
        """(values, structs, {leaf path: axis} per argument, batch size, out-axis fn)."""
        key, values = self._inner._analyze(args, kwargs)
        structs, axes, size = key[0], key[1], key[2]
        axes = [dict(a) for a in axes]
        sizes = [_pick(v, path).shape[ax] for v, a in zip(values, axes) for path, ax in a.items() if ax is not None]
        n = sizes[0] if sizes else size
        return list(values), list(structs), axes, int(n), _out_axis_for(self._inner._out_axes)

    def _elementwise_args(self, args, kwargs):
        try:
            bound = self._sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{self.__name__}: {exc}") from None
        bound.apply_defaults()
        names = [n for n in bound.arguments if n not in self._static]
        values = [bound.arguments[n] for n in names]
        shapes = []
        for name, v in zip(names, values):
            if isinstance(v, (tuple, list, dict)):
                raise TypeError(f"{self.__name__}: argument {name!r} is a {type(v).__name__}; an elementwise CUDA "
                                "function takes arrays and scalars (use vmap for pytrees)")
            if getattr(v, "ndim", 0):
                shapes.append(tuple(v.shape))
        try:
            shape = np.broadcast_shapes(*shapes) if shapes else ()
        except ValueError:
            raise ValueError(f"{self.__name__}: the array arguments' shapes {shapes} do not broadcast together") from None
        flat, axes = [], []
        for name, v in zip(names, values):
            if getattr(v, "ndim", 0):
                if _is_device_array(v):
                    if tuple(v.shape) != shape or not v.is_c_contiguous():
                        raise ValueError(f"{self.__name__}: device array argument {name!r} has shape {tuple(v.shape)}; "
                                         f"an elementwise kernel needs every device array to be C-contiguous with the "
                                         f"broadcast shape {shape} (broadcast it on the host first)")
                    flat.append(v.reshape(int(np.prod(shape))))
                else:
                    flat.append(np.ascontiguousarray(np.broadcast_to(v, shape)).reshape(-1))
                axes.append({(): 0})
            else:
                flat.append(v.item() if isinstance(v, np.ndarray) else v)
                axes.append({(): None})
        n = int(np.prod(shape)) if shapes else 1
        if not shapes:  # all scalars: one example, mapped over a length-1 view of the first
            flat = [np.asarray([v]) if i == 0 else v for i, v in enumerate(flat)]
            axes[0] = {(): 0}
        return flat, [None] * len(flat), axes, n, shape

    # -- building ----------------------------------------------------------------------
    def _spec_for(self, structs, axes):
        kinds = tuple((getattr(x, "ndim", 0), str(getattr(x, "dtype", type(x).__name__))) for v, st in zip(self._last_values, structs)
                      for _, x in _leaf_values(v, st))
        static = tuple(sorted(self._static.items()))
        key = (tuple(structs), tuple(tuple(sorted(a.items(), key=repr)) for a in axes), kinds, static)
        spec = self._specs.get(key)
        if spec is None:
            fn = self._inner
            if self._mode == "vmap":
                fn = self._inner._fn
                specialize = getattr(fn, "__s2s_specialize__", None)
                if specialize is not None:
                    fn = specialize(self._example(*self._full[1:]))[1]
            ranks = [None if st is not None else getattr(v, "ndim", 0) - (ax.get(()) is not None)
                     for v, st, ax in zip(self._last_values, structs, axes)]
            spec = _Specialization(build_kernel(fn, axes, structs, elementwise=self._mode == "elementwise",
                                                ranks=ranks, static=self._static))
            self._specs[key] = spec
        return spec

    def _example(self, structs, axes):
        """Stand-ins for example 0's arguments (a transformation specializes on their
        structure, ranks and dtypes, never on values)."""
        out = []
        for v, st, ax in zip(self._full[0], structs, axes):
            def leaf(path, v=v, ax=ax):
                x = v
                for k in path:
                    x = x[k]
                if not hasattr(x, "shape") or isinstance(x, np.generic):
                    return x
                a = ax.get(path)
                shape = tuple(x.shape) if a is None else tuple(s for i, s in enumerate(x.shape) if i != a)
                return np.zeros(shape, x.dtype) if shape else np.dtype(x.dtype).type(0)
            out.append(_rebuild(st, leaf))
        return tuple(out)

    def _out_dtypes(self, spec, values, structs, axes):
        """The dtype of each output leaf: numba's typing of f, on the CPU, for example 0."""
        from numba import types

        argtypes = []
        for v, st, ax in zip(values, structs, axes):
            if st is None:
                argtypes.append(_numba_type(v, ax.get(())))
            else:
                if st.kind != "tuple":
                    raise TypeError(f"{self.__name__}: a CUDA kernel takes tuples of arrays, not a {st.kind}")
                leaf_types = [_numba_type(x, ax.get(p)) for p, x in _leaf_values(v, st)]
                argtypes.append(_nest(st, iter(leaf_types)))
        key = tuple(argtypes)
        if key not in spec.out_dtypes:
            typing = spec.spec.typing_module
            disp = typing.load("numba").__dict__[spec.spec.entry]
            try:
                disp.compile(key)
            except NUMBA_ERRORS as exc:
                raise translate_error(exc, typing, self.__name__, linecache.getline) from None
            ret = disp.overloads[key].signature.return_type
            leaf_types = [_type_at(ret, p) for p in spec.spec.out_paths]
            shapes = [()] * len(leaf_types)
            if any(isinstance(t, types.Array) for t in leaf_types):
                if not spec.spec.arena:
                    raise TypeError(f"{self.__name__}: each example's output is an array, but its code computes no "
                                    "arrays a kernel can hold")
                shapes = self._example_output_shapes(spec, values, structs, axes)
            spec.out_dtypes[key] = [(_leaf_dtype(t, p, self.__name__), shp)
                                    for t, p, shp in zip(leaf_types, spec.spec.out_paths, shapes)]
        return spec.out_dtypes[key]

    def _example_output_shapes(self, spec, values, structs, axes):
        """The shapes of example 0's outputs: f run in Python on example 0 (array shapes follow
        from argument shapes, the same for every example)."""
        def at0(v, st, ax):
            def leaf(path):
                x = _pick(v, path)
                a = ax.get(path)
                if _is_device_array(x):
                    x = x[(slice(None),) * a + (0,)] if a is not None else x
                    return x.copy_to_host() if hasattr(x, "copy_to_host") else x  # (an element: a scalar)
                return np.take(x, 0, axis=a) if a is not None else x
            return _rebuild(st, leaf)
        example = [at0(v, st, ax) for v, st, ax in zip(values, structs, axes)]
        fn = spec.spec.typing_module.load("python").__dict__[spec.spec.entry]
        out = fn(*example)
        return [np.shape(_pick(out, p)) for p in spec.spec.out_paths]

    # -- launching ---------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        cuda = _cuda()
        values, structs, axes, n, extra = self._args(args, kwargs)
        out_axis, shape = (extra, None) if self._mode == "vmap" else (None, extra)
        on_device = any(_is_device_array(x) for v, st in zip(values, structs) for _, x in _leaf_values(v, st))
        spec = self._spec_for(structs, axes)
        leaves = self._out_dtypes(spec, values, structs, axes)
        if self._mode == "vmap":
            for p in spec.spec.out_paths:
                ax = out_axis(p)
                if ax is not None and ax != 0:
                    raise ValueError(f"jit(vmap(f), device='cuda') supports out_axes=0 (or None for unbatched "
                                     f"outputs), got {ax} for output leaf {list(p)}")
        dev_args = [_rebuild(st, lambda p, v=v: _to_device(_pick(v, p))) for v, st in zip(values, structs)]
        outs = [cuda.device_array((n,) + tuple(shp), dtype=d) for d, shp in leaves]
        self._launch(spec, n, dev_args, outs)

        def result(k, p):
            o = outs[k]
            if self._mode == "elementwise":
                o = o.reshape(shape) if shape else o
                return o if on_device else (o.copy_to_host() if shape else o.copy_to_host()[0])
            if out_axis(p) is None:
                return o.copy_to_host()[0]
            return o if on_device else o.copy_to_host()
        index = {p: k for k, p in enumerate(spec.spec.out_paths)}
        return _rebuild(spec.spec.out_struct, lambda p: result(index[p], p))

    def _launch(self, spec, n, dev_args, outs):
        """Launch, growing the tape buffer and the arena until no thread ran out of room."""
        cuda = _cuda()
        blocks, tpb = _grid(n)
        tapes, arena = bool(spec.spec.tapes), spec.spec.arena
        try:
            if not tapes and not arena:
                spec.kernel()[blocks, tpb](*dev_args, *outs)
                return
            while True:
                kernel, local = spec.kernel(), spec.local_arena()
                caps = spec.capacities
                rows = sum(caps) + (spec.arena_capacity if arena and not local else 0)
                threads = _fit_threads(blocks * tpb, rows, tpb)
                blocks = max(1, threads // tpb)
                threads = blocks * tpb
                extra = []
                if tapes:
                    if spec.buffer is None or spec.buffer.shape != (sum(caps), threads):
                        spec.buffer = None  # free the old one first
                        spec.buffer = cuda.device_array((sum(caps), threads), dtype=np.float64)
                    layout = np.zeros(2 * len(caps), dtype=np.int64)
                    layout[0::2] = np.cumsum([0] + caps[:-1])
                    layout[1::2] = caps
                    need = cuda.to_device(np.zeros(len(caps), dtype=np.int64))
                    extra += [spec.buffer, cuda.to_device(layout), need]
                if arena:
                    if not local and (spec.arena is None or spec.arena.shape != (threads, spec.arena_capacity)):
                        spec.arena = None
                        spec.arena = cuda.device_array((threads, spec.arena_capacity), dtype=np.float64)
                    state = cuda.to_device(np.zeros((threads, 2), dtype=np.int64))
                    extra += [state] if local else [spec.arena, state]
                kernel[blocks, tpb](*dev_args, *outs, *extra)
                done = True
                if tapes:
                    needed = need.copy_to_host()
                    if not all(int(k) <= c for k, c in zip(needed, caps)):
                        # Too small: grow (with room to spare, so a slightly longer loop next call
                        # fits) and run again; the results of the overflowing launch are discarded.
                        spec.capacities = [max(c, int(k * 1.25) + 1) for k, c in zip(needed, caps)]
                        done = False
                if arena:
                    needed = int(state.copy_to_host()[:, 1].max())
                    if needed > spec.arena_capacity:
                        spec.arena_capacity = int(needed * 1.25) + 1
                        done = False
                if done:
                    return
        except NUMBA_ERRORS as exc:
            raise translate_error(exc, spec.spec.module, self.__name__, linecache.getline) from None

    # -- inspection --------------------------------------------------------------------
    def source(self, *args, **kwargs):
        """The generated kernel module's source (for these arguments' structure and axes)."""
        if args or kwargs:
            _, structs, axes, _, _ = self._args(args, kwargs)
            return self._spec_for(structs, axes).spec.module.source
        if self._specs:
            return next(reversed(self._specs.values())).spec.module.source
        return self.default_spec().module.source

    def default_spec(self):
        """The KernelSpec for array arguments (vmap: mapped along their non-negative in_axes;
        elementwise: every argument an array), without example arguments."""
        if self._static_names:
            raise TypeError(f"{self.__name__!r} has static arguments: pass example arguments to source()")
        params = [p for p in self._sig.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if self._mode == "elementwise":
            axes = [{(): 0} for _ in params]
            fn = self._inner
        else:
            spec = self._inner._in_axes
            specs = list(spec) if isinstance(spec, (tuple, list)) else [spec] * len(params)
            if len(specs) != len(params) or not all(a is None or (isinstance(a, int) and a >= 0) for a in specs):
                raise TypeError(f"{self.__name__!r} has pytree or negative in_axes: pass example arguments to source()")
            axes = [{(): a} for a in specs]
            fn = self._inner._fn
        return build_kernel(fn, axes, [None] * len(params), elementwise=self._mode == "elementwise")

    def ptx(self, *args, cc=None, **kwargs):
        """The kernel for these arguments compiled to PTX by NVVM (no GPU needed): proof that
        the generated code is valid CUDA, and what it compiles to. `cc`: compute capability
        (default sm_90)."""
        from numba import types

        from .codegen.cuda_backend import PTX_CC, compile_ptx

        values, structs, axes, _, _ = self._args(args, kwargs)
        spec = self._spec_for(structs, axes)
        leaves = self._out_dtypes(spec, values, structs, axes)
        argtypes = [_nest(st, iter([_numba_type(x, None) for _, x in _leaf_values(v, st)]))
                    for v, st in zip(values, structs)]
        argtypes += [types.Array(_from_dtype(d), 1 + len(shp), "C") for d, shp in leaves]
        if spec.spec.tapes:
            argtypes += [types.Array(types.float64, 2, "C"), types.Array(types.int64, 1, "C"),
                         types.Array(types.int64, 1, "C")]
        if spec.spec.arena:
            argtypes += ([] if spec.local_arena() else [types.Array(types.float64, 2, "C")]) + \
                [types.Array(types.int64, 2, "C")]
        raw = spec.kernel().py_func
        try:
            return compile_ptx(raw, argtypes, cc=cc or PTX_CC)
        except NUMBA_ERRORS as exc:
            raise translate_error(exc, spec.spec.module, self.__name__, linecache.getline) from None

    def __repr__(self):
        return f"<s2s.jit {self.__name__} device=cuda>"


def _static_names(sig, argnums, argnames, fname):
    """The names of the static parameters (jit's static_argnums / static_argnames)."""
    from .api import _normalize_argnums

    params = list(sig.parameters.values())
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    argnames = (argnames,) if isinstance(argnames, str) else tuple(argnames)
    names = set(argnames)
    for n in names:
        if n not in sig.parameters:
            raise ValueError(f"static_argnames={argnames!r}: {fname!r} has no parameter {n!r}")
    if argnums != ():
        names.update(positional[i].name for i in _normalize_argnums(argnums, len(positional), fname))
    return tuple(p.name for p in params if p.name in names)


def _pick(v, path):
    for k in path:
        v = v[k]
    return v


def _from_dtype(d):
    import numba

    return numba.from_dtype(np.dtype(d))


def _nest(struct, it):
    from numba import types

    if struct is None:
        return next(it)
    return types.Tuple([_nest(c, it) for c in struct.children])


def _type_at(t, path):
    for k in path:
        t = t.types[k] if hasattr(t, "types") else t.dtype if hasattr(t, "count") else t
    return t


def _leaf_dtype(t, path, name):
    from numba import types
    from numba.np.numpy_support import as_dtype

    if isinstance(t, types.Array):
        t = t.dtype
    if isinstance(t, (types.Number, types.Boolean)):
        return as_dtype(t)
    where = f" (output leaf {list(path)})" if path else ""
    raise TypeError(f"{name}: each example's output must be a scalar or an array in a CUDA kernel{where}, but it "
                    f"is {t}")


def _to_device(x):
    cuda = _cuda()
    if isinstance(x, np.ndarray) and x.ndim:
        return cuda.to_device(np.ascontiguousarray(x) if not (x.flags.c_contiguous or x.flags.f_contiguous) else x)
    if isinstance(x, np.ndarray):
        return x.item()
    return x


def _grid(n):
    """(blocks, threads per block) for n examples: enough blocks to fill the device, a
    grid-stride loop for the rest."""
    from .codegen.cuda_backend import simulated

    if simulated():
        tpb = max(1, min(n, 8))
        return max(1, min(math.ceil(n / tpb), 2)), tpb
    device = _cuda().get_current_device()
    sms = getattr(device, "MULTIPROCESSOR_COUNT", 80)
    tpb = _THREADS_PER_BLOCK
    return max(1, min(math.ceil(n / tpb), sms * 16)), tpb


def _fit_threads(threads, rows, tpb):
    """At most `threads` threads whose tape columns (`rows` float64 each) fit in half the
    free device memory."""
    from .codegen.cuda_backend import simulated

    if simulated() or rows == 0:
        return threads
    free, _ = _cuda().current_context().get_memory_info()
    fit = int(free // 2 // (8 * rows))
    if fit < tpb:
        raise MemoryError(f"the reverse-mode tape needs {rows} values per thread, more than the GPU's free memory "
                          f"holds for one block of {tpb} threads")
    return max(tpb, min(threads, fit))


__all__ = ["CudaJitFunction"]
_ = of_value
