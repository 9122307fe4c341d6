"""numba.cuda backend: wrap a generated module's functions as a kernel and device functions,
and compile kernels to PTX without a GPU (what CI checks).

Imported only when CUDA is requested: importing numba.cuda decides between the real driver
and the simulator (`NUMBA_ENABLE_CUDASIM=1`), and costs time s2s users on the CPU need not
pay.
"""
import contextlib

from numba import cuda

from ..cuda_facts import load_compiler

PTX_CC = (9, 0)  # what compile_ptx targets by default: sm_90 (H100/H200)


# Before any kernel is typed, also where no GPU is probed (compile_ptx, `dump --device cuda`).
load_compiler()


def wrap_module(mod, names, kernels):
    """Replace each generated function in `mod` by its numba.cuda dispatcher, in place (a
    function calling a helper by its global name then calls the device function)."""
    for name in names:
        fn = mod.__dict__[name]
        mod.__dict__[name] = cuda.jit(fn) if name in kernels else cuda.jit(device=True)(fn)


def simulated():
    """Is numba.cuda the CPU simulator?"""
    from numba.cuda import config

    return bool(getattr(config, "ENABLE_CUDASIM", False))


@contextlib.contextmanager
def _target_cc(cc):
    """Compile device functions for `cc` without a GPU: numba.cuda asks the current device
    for its compute capability when a kernel calls a device function, even for compile_ptx."""
    from numba.cuda import dispatcher

    class _Device:
        compute_capability = cc

    original = dispatcher.get_current_device
    dispatcher.get_current_device = lambda: _Device()
    try:
        yield
    finally:
        dispatcher.get_current_device = original


def compile_ptx(kernel, argtypes, cc=PTX_CC):
    """PTX for the generated `kernel` (a module's raw Python function, not its dispatcher)
    and numba argument types: NVVM's verdict on the code, no GPU needed."""
    with _target_cc(cc):
        ptx, _ = cuda.compile_ptx(kernel, tuple(argtypes), cc=cc)
    return ptx
