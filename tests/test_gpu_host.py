"""Which functions `jit(f, device="cuda")` treats as host code around batched kernels
(s2s/gpu_host.py): those that call a vmap (a global, a closure value, `s2s.vmap(...)` made
inside, or through a helper). Pure Python: the kernels themselves run in
tests/codegen/cuda_sim_checks.py (simulator) and test_cuda_ptx.py (NVVM)."""
import numpy as np
import pytest

import s2s
from s2s import vmap
from s2s.gpu_host import calls_batched_functions


def _loss(w, x):
    return np.sum(w * x)


BATCHED = s2s.vmap(_loss, in_axes=(None, 0))


def global_vmap(w, X):
    return np.mean(BATCHED(w, X))


def module_attribute(w, X):
    return np.mean(s2s.vmap(_loss, in_axes=(None, 0))(w, X))


def imported_name(w, X):
    return np.sum(vmap(_loss, in_axes=(None, 0))(w, X))


def _make_closure():
    batched = s2s.vmap(_loss, in_axes=(None, 0))

    def closure(w, X):
        return np.mean(batched(w, X))
    return closure


def in_a_nested_def(w, X):
    def inner():
        return BATCHED(w, X)
    return np.mean(inner())


def elementwise(x, y):
    return np.tanh(x) * y


def uses_s2s_numpy_only(x):
    return s2s.numpy.tanh(x) * 2.0  # reads the s2s module, but no vmap


def _helper_with_vmap(w, X):
    return BATCHED(w, X)


def through_a_helper(w, X):
    return np.mean(_helper_with_vmap(w, X))


def loops(x, n):
    for _ in range(n):
        x = x * 0.5
    return x


@pytest.mark.parametrize("fn, expected", [
    (global_vmap, True), (module_attribute, True), (imported_name, True), (_make_closure(), True),
    (in_a_nested_def, True), (through_a_helper, True), (elementwise, False), (uses_s2s_numpy_only, False),
    (loops, False), (BATCHED, False), (np.sin, False),
], ids=["global", "s2s.vmap", "vmap", "closure", "nested_def", "helper", "elementwise", "s2s.numpy", "loops",
        "vmap_itself", "ufunc"])
def test_host_functions_are_those_calling_batched_functions(fn, expected):
    assert calls_batched_functions(fn) is expected
