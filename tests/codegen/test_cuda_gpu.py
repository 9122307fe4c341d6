"""The CUDA test table on a real NVIDIA GPU: skipped (with the reason) where there is none."""
import os

import numpy as np
import pytest


import s2s  # noqa: E402
from s2s.devices import cuda_unavailable_reason  # noqa: E402

from cuda_cases import CASES, euler  # noqa: E402

_reason = "the simulator is tested by test_cuda_sim.py" if os.environ.get("NUMBA_ENABLE_CUDASIM", "") not in ("", "0") \
    else cuda_unavailable_reason()
pytestmark = pytest.mark.skipif(_reason is not None, reason=f"no real GPU: {_reason}")


def _close(got, want):
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g, dtype=float), np.asarray(w, dtype=float), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,fn,in_axes,make,argnums", CASES, ids=[c[0] for c in CASES])
def test_kernel_on_gpu_matches_cpu(name, fn, in_axes, make, argnums):
    args = make(1000)
    batched = s2s.vmap(fn, in_axes=in_axes)
    _close(s2s.jit(batched, device="cuda")(*args), batched(*args))
    if argnums:
        g = s2s.vmap(s2s.grad(fn, argnums=argnums), in_axes=in_axes)
        _close(s2s.jit(g, device="cuda")(*args), s2s.jit(g)(*args))


def test_device_arrays_stay_on_the_gpu():
    ks = s2s.device_put(np.linspace(0.1, 2.0, 5000), "cuda")
    fn = s2s.jit(s2s.vmap(s2s.grad(euler), in_axes=(0, None, None)), device="cuda")
    out = s2s.block_until_ready(fn(ks, 1.0, 500))
    assert not isinstance(out, np.ndarray)
    want = s2s.jit(s2s.vmap(s2s.grad(euler), in_axes=(0, None, None)))(s2s.device_get(ks), 1.0, 500)
    _close(s2s.device_get(out), want)


def test_arena_overflow_relaunches_and_matches_cpu():
    """The first arena (256 slots) is too small for a (20, 30) gradient: the threads that run
    out must stop cleanly, and the host's relaunch with a larger arena must be exact."""
    from cuda_cases import mlp

    W, b = np.linspace(-1, 1, 600).reshape(20, 30), np.linspace(0, 1, 20)
    X = np.linspace(-2, 2, 30 * 4096).reshape(4096, 30)
    batched = s2s.vmap(s2s.grad(mlp, argnums=(0, 1)), in_axes=(None, None, 0))
    fn = s2s.jit(batched, device="cuda")
    got = fn(W, b, X)
    (spec,) = fn._specs.values()
    assert spec.arena_capacity > 600
    _close(got, s2s.jit(batched)(W, b, X))
