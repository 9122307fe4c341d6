"""`jit(f, device="cuda")` for a function that calls batched functions and reduces over the batch.

    per_example = s2s.vmap(s2s.value_and_grad(loss), in_axes=(None, 0, 0))

    def full_batch(w, X, y):
        losses, grads = per_example(w, X, y)        # a kernel: one thread per example
        return np.mean(losses), np.mean(grads, axis=0)   # sums over the batch, on the device

    step = s2s.jit(full_batch, device="cuda")

f itself is host code: it runs in Python, with its arrays moved to the GPU first, the
batched functions it calls (a global or closure `vmap(...)`, or `vmap(...)` made inside f)
running as CUDA kernels (`CudaJitFunction`) that leave their results on the device, and
`np.sum` / `np.mean` of those results over the batch axis (or entirely) running on the device
(`codegen/cuda_reduce.py`); what they return is one example's size and continues on the
host. Any other use of a batched result (arithmetic, another NumPy function) is an error
saying to move it into the batched function: nothing falls back to the CPU silently.

f is not transformed, so none of this is traced: f runs once per call, with its own
control flow, on copies of its globals where the batched functions and NumPy's reductions
are replaced by their device versions.
"""
import functools
import inspect
import types

import numpy as np

from .batching import VmapFunction, vmap
from .devices import device_get, device_put, is_device_array


def calls_batched_functions(fn):
    """Does `fn` refer (by a global, a closure value or an attribute of a module it reads)
    to a vmap, or make one? Then jit(fn, device='cuda') is a host function around kernels."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    names = _names(code)  # (attribute names too: `s2s.vmap` lists "s2s" and "vmap")
    values = [fn.__globals__.get(n) for n in names]
    values += [c.cell_contents for c in (fn.__closure__ or ()) if _filled(c)]
    for v in values:
        if isinstance(v, VmapFunction) or v is vmap:
            return True
        if isinstance(v, types.ModuleType) and getattr(v, "vmap", None) is vmap and "vmap" in names:
            return True
        if isinstance(v, types.FunctionType) and v is not fn and v.__code__ is not code and _calls_directly(v):
            return True  # a helper that does
    return False


def _calls_directly(fn):
    """calls_batched_functions without following helpers further (no cycles)."""
    names = _names(fn.__code__)
    for v in [fn.__globals__.get(n) for n in names]:
        if isinstance(v, VmapFunction) or v is vmap or (
                isinstance(v, types.ModuleType) and getattr(v, "vmap", None) is vmap and "vmap" in names):
            return True
    return False


def _names(code):
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _names(c)
    return names


def _filled(cell):
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


class CudaHostFunction:
    """jit(f, device='cuda') of a host function around batched kernels (see the module doc)."""

    def __init__(self, fn, device=None):
        self._fn = fn
        self._device = device
        self._kernels = {}  # id(VmapFunction) -> (VmapFunction, its CudaJitFunction)
        functools.update_wrapper(self, fn, updated=())
        self.__s2s_function__ = fn
        self._sig = inspect.signature(fn)

    def _kernel(self, batched):
        from .gpu import CudaJitFunction

        entry = self._kernels.get(id(batched))
        if entry is None:
            entry = self._kernels[id(batched)] = (batched, CudaJitFunction(batched, self._device))
        return entry[1]

    # -- the device versions f sees --------------------------------------------------------
    def _swap(self, value, done):
        if isinstance(value, VmapFunction):
            return _OnDevice(self, value)
        if value is vmap:
            return functools.wraps(vmap)(lambda *a, **k: _OnDevice(self, vmap(*a, **k)))
        if isinstance(value, types.ModuleType):
            if getattr(value, "vmap", None) is vmap:
                return _Module(value, {"vmap": self._swap(vmap, done)})
            if value is np or getattr(value, "mean", None) is np.mean:  # numpy, or an alias module (s2s.numpy)
                return _NUMPY
        if value is np.sum:
            return _NUMPY.sum
        if value is np.mean:
            return _NUMPY.mean
        if isinstance(value, types.FunctionType) and calls_batched_functions(value):
            return self._host_copy(value, done)  # a helper of f's that calls batched functions too
        return value

    def _host_copy(self, fn, done=None):
        """`fn` with its globals and closure values swapped for their device versions."""
        done = {} if done is None else done
        if id(fn) in done:
            return done[id(fn)]
        env = dict(fn.__globals__)
        cells = tuple(types.CellType() for _ in fn.__closure__) if fn.__closure__ else None
        copy = types.FunctionType(fn.__code__, env, fn.__name__, fn.__defaults__, cells)
        copy.__kwdefaults__ = fn.__kwdefaults__
        done[id(fn)] = copy  # (recursion: a helper calling itself gets this copy)
        for n in _names(fn.__code__):
            if n in env:
                env[n] = self._swap(env[n], done)
        for new, old in zip(cells or (), fn.__closure__ or ()):
            if _filled(old):
                new.cell_contents = self._swap(old.cell_contents, done)
        return copy

    def __call__(self, *args, **kwargs):
        on_device = any(is_device_array(leaf) for leaf in _leaves((args, kwargs)))
        args, kwargs = device_put((args, kwargs), self._device)
        try:
            out = self._host_copy(self._fn)(*args, **kwargs)
        except TypeError as exc:
            if "DeviceNDArray" in str(exc):
                raise TypeError(f"{self.__name__}: {exc}. In jit(device='cuda'), a batched result stays on the GPU: "
                                "only np.sum / np.mean over its batch axis (or all of it) apply to it there; move "
                                "other operations into the batched (vmapped) function") from None
            raise
        return device_put(out, self._device) if on_device else device_get(out)

    def __repr__(self):
        return f"<s2s.jit {self.__name__} device=cuda (host function around kernels)>"


class _OnDevice:
    """A batched function as f calls it: its kernel, results left on the device."""

    def __init__(self, owner, batched):
        self._owner, self._batched = owner, batched

    def __call__(self, *args, **kwargs):
        args, kwargs = device_put((args, kwargs), self._owner._device)  # a device input: device outputs
        return self._owner._kernel(self._batched)(*args, **kwargs)


class _Module:
    """A module with some attributes replaced (`s2s.vmap` inside f)."""

    def __init__(self, module, replaced):
        self._module, self._replaced = module, replaced

    def __getattr__(self, name):
        if name in self._replaced:
            return self._replaced[name]
        return getattr(self._module, name)


def _device_only(name, host_fn):
    """NumPy's `name` for f: refuses batched device results (no silent trip to the CPU)."""
    def call(*args, **kwargs):
        if any(is_device_array(leaf) for leaf in _leaves((args, kwargs))):
            raise TypeError(f"np.{name} of a batched result: in jit(device='cuda') only np.sum and np.mean over its "
                            "batch axis (or all of it) run on the GPU; move the rest into the batched (vmapped) "
                            "function")
        return host_fn(*args, **kwargs)
    return call


class _NumPyOnDevice:
    """What `np` is inside f: NumPy, with sum/mean of device arrays on the device."""

    def __getattr__(self, name):
        value = getattr(np, name)
        if callable(value) and not isinstance(value, type):
            return _device_only(name, value)
        return value

    @staticmethod
    def sum(a, axis=None, **kwargs):
        if is_device_array(a) and not kwargs:
            from .codegen.cuda_reduce import device_sum

            return device_sum(a, axis)
        return _device_only("sum", np.sum)(a, axis=axis, **kwargs)

    @staticmethod
    def mean(a, axis=None, **kwargs):
        if is_device_array(a) and not kwargs:
            from .codegen.cuda_reduce import device_mean

            return device_mean(a, axis)
        return _device_only("mean", np.mean)(a, axis=axis, **kwargs)


_NUMPY = _NumPyOnDevice()


def _leaves(x):
    if isinstance(x, (tuple, list)):
        for v in x:
            yield from _leaves(v)
    elif isinstance(x, dict):
        for v in x.values():
            yield from _leaves(v)
    else:
        yield x


__all__ = ["CudaHostFunction", "calls_batched_functions"]
