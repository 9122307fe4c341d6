"""Tutorial 5: the GPU — devices, device_put, per-example gradient kernels, `s2s info`.

`s2s.jit(f, device="cuda")` turns a batched function (`vmap(f)`, `vmap(grad(f))`) into a
numba.cuda kernel with one thread per example, or an elementwise function of scalars into a
kernel over whole arrays. The kernel is generated Python you can print. Where there is no
GPU, this tutorial runs on numba's CUDA simulator (kernels executed on the CPU, slowly), so
it works everywhere; on a machine with an NVIDIA GPU and `pip install -e '.[cuda13]'` it
runs on the GPU.

Run: python tutorials/05_gpu.py
"""
import math
import os
import subprocess
import sys

import numpy as np


def _gpu_usable():
    """Ask a fresh interpreter (the simulator must be chosen before numba.cuda is imported)."""
    probe = "import s2s, sys; sys.exit(0 if s2s.default_backend() == 'cuda' else 1)"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0


if "NUMBA_ENABLE_CUDASIM" not in os.environ and not _gpu_usable():
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
    print("No usable GPU here: running on numba's CUDA simulator.\n")

import s2s  # noqa: E402

# -- 1. Devices --------------------------------------------------------------------------
print("default backend:", s2s.default_backend())
print("cuda devices:   ", s2s.devices("cuda"))
# `python -m s2s info` says what numba-cuda found (driver, runtime, NVVM, GPUs) and, when
# CUDA is unusable, why and how to fix it:
print()
s2s.print_environment_info()
print()


# -- 2. A per-example loop with an early exit, on the GPU ------------------------------
def settle(k, x0, n):
    """Explicit Euler for x' = -k x + sin(x), stopping once x has settled."""
    x = x0
    dt = 0.01
    for i in range(n):
        step = dt * (-k * x + math.sin(x))
        x = x + step
        if abs(step) < 1e-6:   # a value-dependent exit: per example
            break
    return x


SIMULATED = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
ks = np.linspace(0.5, 3.0, 8 if SIMULATED else 100_000)   # the simulator is slow: a small batch
STEPS = 100 if SIMULATED else 2000
on_gpu = s2s.jit(s2s.vmap(settle, in_axes=(0, None, None)), device="cuda")
x_final = on_gpu(ks, 1.0, STEPS)
print("x(T) for the first rates:", np.round(x_final[:4], 6))
print("matches the CPU vmap:", np.allclose(x_final, s2s.vmap(settle, in_axes=(0, None, None))(ks, 1.0, STEPS)))

# -- 3. Per-example gradients: reverse mode through the loop, inside the kernel ---------
# The loop's tape lives in a per-thread buffer the host preallocates (kernels cannot
# allocate); a launch that needs more room says so and the host launches again.
d_settle = s2s.jit(s2s.vmap(s2s.grad(settle, argnums=(0, 1)), in_axes=(0, None, None)), device="cuda")
dk, dx0 = d_settle(ks, 1.0, STEPS)
h = 1e-6
fd = (settle(ks[0] + h, 1.0, STEPS) - settle(ks[0] - h, 1.0, STEPS)) / (2 * h)
print(f"d x(T) / d k for k={ks[0]}: {dk[0]:.8f} (central difference {fd:.8f})")

# Per-example gradient *vectors*: each thread's arrays (here the gradient w.r.t. w) live on
# a per-thread arena the host preallocates and grows, since kernels cannot allocate.
def logistic_loss(w, x, y):
    z = np.dot(x, w)
    p = 1.0 / (1.0 + np.exp(-z))
    return -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


rng = np.random.default_rng(0)
X = rng.normal(size=(8 if SIMULATED else 1_000_000, 8))
Y = (rng.random(len(X)) > 0.5).astype(np.float64)
w = rng.normal(size=8) * 0.1
per_example = s2s.jit(s2s.vmap(s2s.grad(logistic_loss), in_axes=(None, 0, 0)), device="cuda")
G = per_example(w, X, Y)
print("per-example gradients:", G.shape, "match the CPU:",
      np.allclose(G[:8], s2s.vmap(s2s.grad(logistic_loss), in_axes=(None, 0, 0))(w, X[:8], Y[:8])))

# The full-batch loss and gradient: a function around the batched kernel. It runs on the
# host; the vmap is a kernel whose results stay on the GPU, and np.mean over the batch runs
# there too (only one example's size comes back).
per_example_vg = s2s.vmap(s2s.value_and_grad(logistic_loss), in_axes=(None, 0, 0))


def full_batch(w, X, Y):
    losses, grads = per_example_vg(w, X, Y)
    return np.mean(losses), np.mean(grads, axis=0)


loss, grad = s2s.jit(full_batch, device="cuda")(w, X, Y)
mean_loss = lambda w: np.mean(s2s.vmap(logistic_loss, in_axes=(None, 0, 0))(w, X, Y))  # noqa: E731
# The reference on the CPU, jitted: code that calls a vmap and is differentiated gets the
# vmap as a loop over the examples, which in plain Python would take a minute for 10^6.
print(f"full-batch loss {loss:.6f}; gradient matches grad of the mean loss:",
      np.allclose(grad, s2s.jit(s2s.grad(mean_loss))(w)))

# -- 4. device_put: keep data on the device between calls ------------------------------
ks_dev = s2s.device_put(ks, "cuda")            # copied once
x_dev = on_gpu(ks_dev, 1.0, STEPS)              # device in -> device out, no copy back
s2s.block_until_ready(x_dev)
print("result type with device inputs:", type(x_dev).__name__)
print("back on the host:", np.round(s2s.device_get(x_dev)[:4], 6))


# -- 5. Elementwise functions over whole arrays ----------------------------------------
def soft_clip(x, limit):
    if abs(x) < limit:
        return x
    return limit * math.tanh(x / limit)


grid = np.linspace(-3, 3, 12).reshape(3, 4)
print("soft_clip elementwise:\n", np.round(s2s.jit(soft_clip, device="cuda")(grid, 1.5), 4))

# -- 6. The generated kernel ------------------------------------------------------------
# Also from the command line:
#   python -m s2s dump tutorials/05_gpu.py:settle --grad --vmap --in-axes 0,None,None --jit --device cuda
print("\nThe kernel of vmap(settle):")
print(s2s.source(on_gpu).split("def settle_kernel")[1].join(["def settle_kernel", ""]))
