"""Every kernel of the CUDA test table really compiled by NVVM to PTX for sm_90, no GPU
needed: code the simulator runs (it is Python) but numba.cuda rejects is caught here."""
import os
import re

import numpy as np
import pytest

cuda = pytest.importorskip("numba.cuda")
SIMULATED = os.environ.get("NUMBA_ENABLE_CUDASIM", "") not in ("", "0")

import s2s  # noqa: E402
from s2s.gpu import CudaJitFunction  # noqa: E402

from cuda_cases import CASES, stepper  # noqa: E402


def _nvvm_works():
    if SIMULATED:  # PTX needs the real numba.cuda, not the simulator
        return False
    try:
        cuda.compile_ptx(lambda a: None, "void(float64[:])", cc=(9, 0))
        return True
    except Exception:  # noqa: BLE001 -- no NVVM: the cuda13 extra is not installed
        return False


pytestmark = pytest.mark.skipif(not _nvvm_works(), reason="NVVM not found (or the CUDA simulator is on): pip install -e '.[cuda13]' "
                                "and unset NUMBA_ENABLE_CUDASIM to check PTX")


def _entry_point(ptx):
    return ".entry" in ptx and ".target sm_90" in ptx


# A gradient kernel contains its function's own code: compiling it covers the primal, so
# primal kernels are compiled here only for the functions without a gradient case.
PRIMAL_CASES = [c for c in CASES if not c[4]]


@pytest.mark.parametrize("name,fn,in_axes,make,argnums", PRIMAL_CASES, ids=[c[0] for c in PRIMAL_CASES])
def test_kernel_compiles_to_ptx(name, fn, in_axes, make, argnums):
    assert _entry_point(CudaJitFunction(s2s.vmap(fn, in_axes=in_axes)).ptx(*make(8)))


GRAD_CASES = [c for c in CASES if c[4]]


@pytest.mark.parametrize("name,fn,in_axes,make,argnums", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradient_kernel_compiles_to_ptx(name, fn, in_axes, make, argnums):
    kernel = CudaJitFunction(s2s.vmap(s2s.grad(fn, argnums=argnums), in_axes=in_axes))
    ptx = kernel.ptx(*make(8))
    assert _entry_point(ptx)


@pytest.mark.parametrize("local_max", [8192, 0], ids=["local-arena", "global-arena"])
def test_both_arena_kernels_compile_to_ptx(local_max, monkeypatch):
    """Per-example arrays live in a local array of the arena's capacity (one kernel per
    capacity), or past _LOCAL_ARENA_MAX in a global buffer: both are valid CUDA."""
    import s2s.gpu
    from cuda_cases import mlp

    monkeypatch.setattr(s2s.gpu, "_LOCAL_ARENA_MAX", local_max)
    kernel = CudaJitFunction(s2s.vmap(s2s.grad(mlp, argnums=(0, 1)), in_axes=(None, None, 0)))
    ptx = kernel.ptx(np.ones((3, 4)), np.ones(3), np.ones((8, 4)))
    assert _entry_point(ptx)
    depots = [int(n) for n in re.findall(r"__local_depot\d+\[(\d+)\]", ptx)]
    assert (max(depots, default=0) >= 256 * 8) == bool(local_max)  # the local arena: 256 float64 per thread


def test_elementwise_kernel_compiles_to_ptx():
    def f(x, y):
        return np.tanh(x) * y if x > y else np.exp(-x) + y ** 2
    assert _entry_point(CudaJitFunction(f).ptx(np.ones((3, 4)), np.ones(4)))


def test_kernel_source_is_deterministic():
    from cuda_cases import early_exit

    x = np.linspace(0, 1, 5)
    a = CudaJitFunction(s2s.vmap(s2s.grad(early_exit), in_axes=(0, None))).source(x, 2.0)
    b = CudaJitFunction(s2s.vmap(s2s.grad(early_exit), in_axes=(0, None))).source(x, 2.0)
    assert a == b
    assert "tape_store(" in a and "tape_load(" in a and ".append(" not in a


def test_kernel_with_static_arguments_compiles_to_ptx():
    kernel = CudaJitFunction(s2s.vmap(s2s.grad(stepper), in_axes=(0, None, None)), static_argnums=(1, 2))
    x = np.linspace(0.0, 1.0, 8)
    assert _entry_point(kernel.ptx(x, 3, "half"))
    assert "k_eq" not in kernel.source(x, 3, "half")  # a string comparison stays a scalar one


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_batch_reduction_kernel_compiles_to_ptx(dtype):
    from numba import types

    from s2s.codegen.cuda_backend import compile_ptx
    from s2s.codegen.cuda_reduce import _kernel

    t = getattr(types, dtype)
    ptx = compile_ptx(_kernel().py_func, (types.Array(t, 2, "C"), types.Array(t, 1, "C"), types.int64))
    # atomic adds (to global memory: the .global form once optimized, generic at -O0)
    assert re.search(r"\b(atom|red)(\.global)?\.add\.", ptx)
