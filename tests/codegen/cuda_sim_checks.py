"""CUDA kernels on the simulator: run by tests/codegen/test_cuda_sim.py in a subprocess with
NUMBA_ENABLE_CUDASIM=1 (the simulator must be chosen before numba.cuda is first imported,
and the rest of the test session uses the real numba.cuda for PTX checks)."""
import os

import numpy as np
import pytest

assert os.environ.get("NUMBA_ENABLE_CUDASIM") == "1", "run me through test_cuda_sim.py"

import s2s  # noqa: E402
from s2s.devices import is_device_array  # noqa: E402
from s2s.errors import S2SError  # noqa: E402

from cuda_cases import CASES, euler, stepper  # noqa: E402

N = 17  # more examples than the simulator's 16 threads: the grid-stride loop runs twice


def _close(a, b):
    if isinstance(b, tuple):
        assert isinstance(a, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y)
        return
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12, atol=1e-12)
    assert np.shape(a) == np.shape(b)


@pytest.mark.parametrize("name,fn,in_axes,make,argnums", CASES, ids=[c[0] for c in CASES])
def test_kernel_matches_cpu_vmap(name, fn, in_axes, make, argnums):
    args = make(N)
    batched = s2s.vmap(fn, in_axes=in_axes)
    got = s2s.jit(batched, device="cuda")(*args)
    want = batched(*args)
    _close(got, want)
    assert type(got) is type(want)


@pytest.mark.parametrize("name,fn,in_axes,make,argnums", [c for c in CASES if c[4]], ids=[c[0] for c in CASES if c[4]])
def test_per_example_gradients_match_cpu(name, fn, in_axes, make, argnums):
    args = make(N)
    batched = s2s.vmap(s2s.grad(fn, argnums=argnums), in_axes=in_axes)
    _close(s2s.jit(batched, device="cuda")(*args), batched(*args))


def test_gradient_against_central_differences():
    k = np.linspace(0.1, 2.0, N)
    g = s2s.jit(s2s.vmap(s2s.grad(euler), in_axes=(0, None, None)), device="cuda")(k, 1.0, 120)
    h = 1e-6
    fd = np.array([(euler(ki + h, 1.0, 120) - euler(ki - h, 1.0, 120)) / (2 * h) for ki in k])
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)


def test_tape_buffer_grows_when_a_launch_overflows_it():
    fn = s2s.jit(s2s.vmap(s2s.grad(euler), in_axes=(0, None, None)), device="cuda")
    k = np.linspace(0.1, 2.0, N)
    short = fn(k, 1.0, 5)
    (spec,) = fn._specs.values()
    first = list(spec.capacities)
    long_ = fn(k, 1.0, 300)  # 300 taped steps: more than the first buffer holds
    assert spec.capacities[0] >= 300 > first[0]
    ref = s2s.vmap(s2s.grad(euler), in_axes=(0, None, None))
    _close(short, ref(k, 1.0, 5))
    _close(long_, ref(k, 1.0, 300))


def test_value_and_grad_outputs_are_a_pytree():
    k = np.linspace(0.1, 2.0, N)
    batched = s2s.vmap(s2s.value_and_grad(euler, argnums=(0, 1)), in_axes=(0, 0, None))
    got = s2s.jit(batched, device="cuda")(k, k[::-1].copy(), 40)
    want = batched(k, k[::-1].copy(), 40)
    assert isinstance(got, tuple) and isinstance(got[1], tuple)
    _close(got[0], want[0])
    _close(got[1], want[1])


@pytest.mark.parametrize("local_max", [8192, 300], ids=["local", "local-then-global"])
def test_arena_grows_when_a_launch_overflows_it(local_max, monkeypatch):
    """The arena starts in local memory; past _LOCAL_ARENA_MAX values per thread it is a
    global buffer (the kernel without a local array)."""
    from cuda_cases import mlp

    import s2s.gpu

    monkeypatch.setattr(s2s.gpu, "_LOCAL_ARENA_MAX", local_max)
    W, b = np.linspace(-1, 1, 600).reshape(20, 30), np.linspace(0, 1, 20)
    X = np.linspace(-2, 2, 30 * N).reshape(N, 30)
    batched = s2s.vmap(s2s.grad(mlp, argnums=(0, 1)), in_axes=(None, None, 0))
    fn = s2s.jit(batched, device="cuda")
    got = fn(W, b, X)
    (spec,) = fn._specs.values()
    assert spec.arena_capacity > 600  # the (20, 30) gradient alone needs 600 slots; the first arena has 256
    assert spec.local_arena() == (local_max == 8192) and (spec.arena is None) == (local_max == 8192)
    _close(got, batched(W, b, X))


def test_device_arrays_in_device_arrays_out():
    from numba import cuda

    x = np.linspace(0.1, 1.3, N)
    fn = s2s.jit(s2s.vmap(euler, in_axes=(0, None, None)), device="cuda")
    out = fn(cuda.to_device(x), 1.0, 30)
    assert not isinstance(out, np.ndarray) and hasattr(out, "copy_to_host")
    _close(out.copy_to_host(), s2s.vmap(euler, in_axes=(0, None, None))(x, 1.0, 30))


def smooth(x, y):
    if x > y:
        return math_sin(x) * y
    return x * x - y


def math_sin(v):
    return np.sin(v)


@pytest.mark.parametrize("shapes", [((4, 5), (5,)), ((3,), ()), ((), ()), ((2, 1, 3), (4, 1))])
def test_elementwise_functions_over_whole_arrays(shapes):
    rng = np.random.default_rng(0)
    args = [rng.normal(size=s) if s else float(rng.normal()) for s in shapes]
    got = s2s.jit(smooth, device="cuda")(*args)
    want = np.vectorize(smooth)(*args)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert np.shape(got) == np.shape(want)


def total(x):
    return np.sum(x) * 2.0


def allocates(x):
    a = np.zeros(3)   # on the arena: fine
    a[0] = x
    return np.sort(a)[0]  # np.sort has no kernel version


def _rsum(x, i):
    if i >= x.shape[0]:
        return 0.0
    return x[i] + _rsum(x, i + 1)


def recursive(x):
    return _rsum(x, 0)


@pytest.mark.parametrize("make,args,error,match", [
    (lambda: s2s.jit(s2s.vmap(recursive), device="cuda"), (np.ones((3, 2)),), S2SError, "recursive function"),
    (lambda: s2s.jit(total, device="cuda"), (np.ones(3),), S2SError, "np.sum is not elementwise"),
    (lambda: s2s.jit(s2s.vmap(allocates), device="cuda"), (np.ones(3),), S2SError, "np.sort cannot run in a CUDA kernel"),
    (lambda: s2s.jit(s2s.grad(euler), device="cuda"), None, TypeError, "Batch it with vmap"),
], ids=["recursion", "reduction-elementwise", "allocation", "unbatched-grad"])
def test_what_cannot_become_a_kernel_is_an_error(make, args, error, match):
    with pytest.raises(error, match=match):
        fn = make()
        fn(*args)


def test_static_arguments_are_baked_into_the_kernel():
    x = np.linspace(0.0, 1.0, N)
    f = s2s.jit(s2s.vmap(stepper, in_axes=(0, None, None)), static_argnums=(1, 2), device="cuda")
    g = s2s.jit(s2s.vmap(s2s.grad(stepper), in_axes=(0, None, None)), static_argnames=("n", "mode"), device="cuda")
    for n, mode in ((3, "half"), (4, "sine")):
        _close(f(x, n, mode), s2s.vmap(stepper, in_axes=(0, None, None))(x, n, mode))
        _close(g(x, n, mode), s2s.vmap(s2s.grad(stepper), in_axes=(0, None, None))(x, n, mode))
    assert "mode = 'half'" in f.source(x, 3, "half")  # a constant of the kernel's module
    e = s2s.jit(lambda a, b, op: a * b if op == "mul" else a + b, static_argnums=2, device="cuda")
    _close(e(x, 2.0, "mul"), x * 2.0)
    _close(e(x, 2.0, "add"), x + 2.0)
    with pytest.raises(ValueError, match="hashable"):
        f(x, np.arange(3), "half")


# -- host functions around kernels: reductions over the batch on the device ---------------------
def _logloss(w, x, y):
    z = np.dot(x, w)
    return np.log1p(np.exp(-y * z))


PER_EXAMPLE = s2s.vmap(s2s.value_and_grad(_logloss), in_axes=(None, 0, 0))


def full_batch(w, X, y):
    losses, grads = PER_EXAMPLE(w, X, y)
    return np.mean(losses), np.mean(grads, axis=0)


def _half_total(w, X, y):
    return np.sum(s2s.vmap(_logloss, in_axes=(None, 0, 0))(w, X, y)) * 0.5


def through_a_helper(w, X, y):
    return _half_total(w, X, y) + np.sum(PER_EXAMPLE(w, X, y)[1])


def _mean_loss(w, X, y):
    return np.mean(s2s.vmap(_logloss, in_axes=(None, 0, 0))(w, X, y))


def test_reductions_over_the_batch_run_on_the_device():
    rng = np.random.default_rng(0)
    n = 600  # more rows than one reduction thread's chunk (256)
    w, X, y = rng.normal(size=4), rng.normal(size=(n, 4)), np.sign(rng.normal(size=n))
    loss, grad = s2s.jit(full_batch, device="cuda")(w, X, y)
    assert np.isclose(loss, _mean_loss(w, X, y), rtol=1e-12)
    np.testing.assert_allclose(grad, s2s.grad(_mean_loss)(w, X, y), rtol=1e-10)  # the full-batch gradient
    expected = 0.5 * sum(_logloss(w, X[i], y[i]) for i in range(n)) + np.sum(PER_EXAMPLE(w, X, y)[1])
    assert np.isclose(s2s.jit(through_a_helper, device="cuda")(w, X, y), expected, rtol=1e-12)
    dev = s2s.jit(full_batch, device="cuda")(*s2s.device_put((w, X, y), "cuda"))
    assert is_device_array(dev[1])  # device arrays in, device arrays out


def _closure_host():
    per_example = s2s.vmap(s2s.grad(_logloss), in_axes=(None, 0, 0))
    scale = 0.5

    def mean_grad(w, X, y):
        return np.mean(per_example(w, X, y), axis=0) * scale
    return mean_grad


def test_a_closure_around_a_batched_function():
    rng = np.random.default_rng(1)
    w, X, y = rng.normal(size=3), rng.normal(size=(40, 3)), np.sign(rng.normal(size=40))
    got = s2s.jit(_closure_host(), device="cuda")(w, X, y)
    np.testing.assert_allclose(got, 0.5 * s2s.grad(_mean_loss)(w, X, y), rtol=1e-10)


def exp_of_batched(w, X, y):
    return np.exp(PER_EXAMPLE(w, X, y)[0])


def test_other_operations_on_batched_results_are_errors():
    with pytest.raises(TypeError, match="move the rest into the batched"):
        s2s.jit(exp_of_batched, device="cuda")(np.ones(4), np.ones((3, 4)), np.ones(3))
