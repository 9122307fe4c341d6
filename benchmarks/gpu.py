"""GPU benchmarks: s2s.jit(vmap(f), device="cuda") against the CPU backend (and JAX on the
GPU when it is installed with CUDA).

    python benchmarks/gpu.py            # needs a usable NVIDIA GPU (python -m s2s info)
    python benchmarks/gpu.py --quick

Cases (float64):
  * the 10,000-step Euler loop of x' = -k x + sin(x) over 1e5 rates k, one thread per rate;
  * its derivative d x(T) / d (k, x0) by reverse mode inside the kernel: the loop's tape is
    a per-thread buffer (10,000 values per example), grown by the host on the first call;
  * per-example gradients of a logistic-regression loss over 1e6 examples x 100 features
    (`--batch` scales it): each thread's gradient vector lives on its arena;
  * the full-batch loss and gradient of the same: a host function around the per-example
    value_and_grad kernel whose means over the batch run on the device.
Times include the copy of the result to the host; inputs are put on the device once.
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import _fmt_time, jax, print_table, time_per_call  # noqa: E402

import s2s  # noqa: E402


def euler(k, x0, n):
    x = x0
    dt = 1e-3
    for i in range(n):
        x = x + dt * (-k * x + math.sin(x))
    return x


def logistic(w, x, y):
    z = np.dot(x, w)
    p = 1.0 / (1.0 + np.exp(-z))
    return -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def _jax_gpu():
    """JAX's versions of the cases, jitted for its GPU device; None where JAX has no GPU."""
    if jax is None:
        return None
    try:
        gpu = jax.devices("gpu")[0]
    except RuntimeError:
        return None
    jnp = jax.numpy

    def euler_jax(k, x0, n):
        def step(_, x):
            return x + 1e-3 * (-k * x + jnp.sin(x))

        return jax.lax.fori_loop(0, n, step, x0)

    def logistic_jax(w, x, y):
        p = 1.0 / (1.0 + jnp.exp(-jnp.dot(x, w)))
        return -(y * jnp.log(p) + (1.0 - y) * jnp.log(1.0 - p))

    def full_batch_jax(w, X, Y):
        losses, grads = jax.vmap(jax.value_and_grad(logistic_jax), in_axes=(None, 0, 0))(w, X, Y)
        return jnp.mean(losses), jnp.mean(grads, axis=0)

    def on_host(fn):
        return lambda *a: jax.tree_util.tree_map(np.asarray, fn(*a))

    # n (the loop's trip count) is static: JAX's fori_loop needs a concrete bound for reverse mode.
    return {
        "put": lambda a: jax.device_put(a, gpu),
        "euler": on_host(jax.jit(jax.vmap(euler_jax, in_axes=(0, None, None)), static_argnums=2)),
        "d euler / d(k, x0)": on_host(jax.jit(jax.vmap(jax.grad(euler_jax, argnums=(0, 1)), in_axes=(0, None, None)),
                                              static_argnums=2)),
        "per-example": on_host(jax.jit(jax.vmap(jax.grad(logistic_jax), in_axes=(None, 0, 0)))),
        "full-batch": on_host(jax.jit(full_batch_jax)),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=10_000)
    options = parser.parse_args(argv)
    if s2s.default_backend() != "cuda":
        from s2s.devices import cuda_unavailable_reason

        print("no usable GPU:", cuda_unavailable_reason())
        return 1
    repeat, min_time = (2, 0.2) if options.quick else (5, 1.0)
    n, steps = options.batch, options.steps
    ks = np.linspace(0.5, 3.0, n)
    ks_dev = s2s.device_put(ks, "cuda")
    print(f"device: {s2s.devices('cuda')[0].device_kind}; batch {n}, {steps} steps")
    rows = []
    jx = _jax_gpu()

    def jax_time(key, args, want):
        if jx is None:
            return []
        args = tuple(jx["put"](a) if isinstance(a, np.ndarray) else a for a in args)
        got = jx[key](*args)
        for g, w_ in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
            np.testing.assert_allclose(np.asarray(g), np.asarray(w_), rtol=1e-8, atol=1e-12)
        t = time_per_call(jx[key], args, repeat, min_time)
        return [_fmt_time(t)]

    cpu_n = max(1, n // 100)  # the CPU backend on 1% of the batch, scaled (numba's threads where it uses them)

    def on_host(fn):
        return lambda *a: s2s.device_get(fn(*a))

    for label, fn in [("euler", euler), ("d euler / d(k, x0)", s2s.grad(euler, argnums=(0, 1)))]:
        batched = s2s.vmap(fn, in_axes=(0, None, None))
        gpu = on_host(s2s.jit(batched, device="cuda"))
        cpu = s2s.jit(batched)
        t_gpu = time_per_call(gpu, (ks_dev, 1.0, steps), repeat, min_time)
        t_cpu = time_per_call(cpu, (ks[:cpu_n], 1.0, steps), repeat, min_time) * (n / cpu_n)
        np.testing.assert_allclose(np.asarray(gpu(ks_dev[:cpu_n], 1.0, steps)), np.asarray(cpu(ks[:cpu_n], 1.0, steps)),
                                   rtol=1e-9)
        row = [label, _fmt_time(t_gpu), _fmt_time(t_cpu), f"{t_cpu / t_gpu:.1f}x"]
        rows.append(row + jax_time(label, (ks, 1.0, steps), gpu(ks_dev, 1.0, steps)))
    m = n * 10  # 1e6 examples for the default batch
    rng = np.random.default_rng(0)
    X = rng.normal(size=(m, 100))
    Y = (rng.random(m) > 0.5).astype(np.float64)
    w = rng.normal(size=100) * 0.1
    Xd, Yd = s2s.device_put(X, "cuda"), s2s.device_put(Y, "cuda")
    batched = s2s.vmap(s2s.grad(logistic), in_axes=(None, 0, 0))
    gpu = on_host(s2s.jit(batched, device="cuda"))
    cpu = s2s.jit(batched)
    cpu_m = max(1, m // 100)
    t_gpu = time_per_call(gpu, (w, Xd, Yd), repeat, min_time)
    t_cpu = time_per_call(cpu, (w, X[:cpu_m], Y[:cpu_m]), repeat, min_time) * (m / cpu_m)
    np.testing.assert_allclose(np.asarray(gpu(w, Xd[:cpu_m], Yd[:cpu_m])), cpu(w, X[:cpu_m], Y[:cpu_m]), rtol=1e-9)
    rows.append([f"per-example grads, logistic {m}x100", _fmt_time(t_gpu), _fmt_time(t_cpu), f"{t_cpu / t_gpu:.1f}x"]
                + jax_time("per-example", (w, X, Y), gpu(w, Xd, Yd)))
    # The full-batch loss and gradient: a host function around the kernel, the means over
    # the batch on the device (s2s/gpu_host.py).
    per_example_vg = s2s.vmap(s2s.value_and_grad(logistic), in_axes=(None, 0, 0))

    def full_batch(w, X, Y):
        losses, grads = per_example_vg(w, X, Y)
        return np.mean(losses), np.mean(grads, axis=0)

    gpu = s2s.jit(full_batch, device="cuda")
    cpu = s2s.jit(full_batch)
    t_gpu = time_per_call(gpu, (w, Xd, Yd), repeat, min_time)
    t_cpu = time_per_call(cpu, (w, X[:cpu_m], Y[:cpu_m]), repeat, min_time) * (m / cpu_m)
    (lg, gg), (lc, gc) = s2s.device_get(gpu(w, Xd[:cpu_m], Yd[:cpu_m])), cpu(w, X[:cpu_m], Y[:cpu_m])
    np.testing.assert_allclose(lg, lc, rtol=1e-9)
    np.testing.assert_allclose(gg, gc, rtol=1e-9, atol=1e-12)
    rows.append([f"full-batch loss + grad, logistic {m}x100", _fmt_time(t_gpu), _fmt_time(t_cpu),
                 f"{t_cpu / t_gpu:.1f}x"] + jax_time("full-batch", (w, X, Y), s2s.device_get(gpu(w, Xd, Yd))))
    import numba

    # jit(vmap(grad(f))) runs its loop over examples on numba's threads; jit(vmap(f)) of
    # array-batched code on one
    header = ["case", "s2s cuda", f"s2s cpu (numba, {numba.config.NUMBA_NUM_THREADS} threads, scaled)", "cpu / cuda"]
    print_table(header + (["jax cuda"] if jx is not None else []), rows)
    if jx is None:
        print("JAX with a GPU not installed: no JAX column")
    return 0


if __name__ == "__main__":
    sys.exit(main())
