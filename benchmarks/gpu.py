"""GPU benchmarks: s2s.jit(vmap(f), device="cuda") against the CPU backend (and JAX on the
GPU when it is installed with CUDA).

    python benchmarks/gpu.py            # needs a usable NVIDIA GPU (python -m s2s info)
    python benchmarks/gpu.py --quick

Cases (float64):
  * the 10,000-step Euler loop of x' = -k x + sin(x) over 1e5 rates k, one thread per rate;
  * its derivative d x(T) / d (k, x0) by reverse mode inside the kernel: the loop's tape is
    a per-thread buffer (10,000 values per example), grown by the host on the first call;
Per-example gradients of logistic regression (a vector per example) are not in the table:
kernels do not yet hold per-example arrays (see the issue notes).
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
    cpu_n = max(1, n // 100)  # the CPU backend on 1% of the batch, scaled

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
        rows.append(row)
    print_table(["case", "s2s cuda", "s2s cpu (1 core, scaled)", "cpu / cuda"], rows)
    if jax is None:
        print("JAX not installed: no JAX column")
    return 0


if __name__ == "__main__":
    sys.exit(main())
