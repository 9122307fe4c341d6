"""vmap benchmarks: s2s.jit(s2s.vmap(f)) against hand-written batching and JAX.

    python benchmarks/vmap.py            # the full run
    python benchmarks/vmap.py --quick    # fewer repeats

Cases (float64; JAX only if importable, x64 enabled):
  * the quickstart's apply_matrix (150x100 matrix times a vector) over a batch of 10 and of
    10,000: manual batching in NumPy is one matmul;
  * per-example gradients of a logistic-regression loss over 10,000 examples x 100
    features: vmap(grad(loss), in_axes=(None, 0, 0));
  * a per-example 1,000-step scalar loop with a value-dependent early exit, over 10,000
    examples (JAX cannot vmap the `while` with a data-dependent exit without lax.while_loop
    running every example to the longest trip count).
s2s picks array batching for apply_matrix (one matrix product) and loop batching for the
others: one compiled loop over the examples calling f (or grad f), on numba's threads.
"""
import argparse
import os
import platform
import sys

import numba
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import _fmt_time, jax, print_table, time_per_call  # noqa: E402

import s2s  # noqa: E402

if jax is not None:
    import jax.numpy as jnp

RNG = np.random.default_rng(0)
MAT = RNG.normal(size=(150, 100))


def apply_matrix(v):
    return MAT @ v


def logistic_loss(w, x, y):
    z = np.dot(x, w)
    return np.log1p(np.exp(-y * z))


def decay(x0):
    """Steps of a damped map until |x| < 1e-3 or 1,000 steps: per-example trip counts."""
    x = x0
    steps = 0
    while steps < 1000:
        x = 0.99 * x - 0.01 * np.sin(x)
        steps += 1
        if abs(x) < 1e-3:
            break
    return x


def _per_example_grads(w, X, y):
    n, d = X.shape
    G = np.empty((n, d))
    for i in numba.prange(n):  # a plain range unless compiled with parallel=True
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        s = -y[i] / (1.0 + np.exp(y[i] * z))
        for j in range(d):
            G[i, j] = s * X[i, j]
    return G


def _decay_all(x0s):
    out = np.empty_like(x0s)
    for i in numba.prange(x0s.shape[0]):
        x = x0s[i]
        for _ in range(1000):
            x = 0.99 * x - 0.01 * np.sin(x)
            if abs(x) < 1e-3:
                break
        out[i] = x
    return out


# The hand-written references, on one thread and on numba's threads.
per_example_grads_numba = numba.njit(_per_example_grads)
per_example_grads_numba_parallel = numba.njit(parallel=True)(_per_example_grads)
decay_numba = numba.njit(_decay_all)
decay_numba_parallel = numba.njit(parallel=True)(_decay_all)


def cases():
    V10, V10k = RNG.normal(size=(10, 100)), RNG.normal(size=(10_000, 100))
    w, X, y = RNG.normal(size=100) / 10, RNG.normal(size=(10_000, 100)), np.sign(RNG.normal(size=10_000))
    x0 = RNG.uniform(-2.0, 2.0, size=10_000)
    vm = s2s.jit(s2s.vmap(apply_matrix))
    pe = s2s.jit(s2s.vmap(s2s.grad(logistic_loss), in_axes=(None, 0, 0)))
    dec = s2s.jit(s2s.vmap(decay))
    out = [
        ("apply_matrix, batch 10", (V10,), vm, ("NumPy V @ M.T", lambda V: V @ MAT.T), None,
         (lambda: jax.jit(jax.vmap(lambda v: jnp.asarray(MAT) @ v))) if jax else None),
        ("apply_matrix, batch 10,000", (V10k,), vm, ("NumPy V @ M.T", lambda V: V @ MAT.T), None,
         (lambda: jax.jit(jax.vmap(lambda v: jnp.asarray(MAT) @ v))) if jax else None),
        ("per-example grads, 10,000 x 100", (w, X, y), pe, ("numba by hand", per_example_grads_numba),
         per_example_grads_numba_parallel,
         (lambda: jax.jit(jax.vmap(jax.grad(lambda w, x, y: jnp.log1p(jnp.exp(-y * jnp.dot(x, w)))),
                                   in_axes=(None, 0, 0)))) if jax else None),
        ("1,000-step loop, early exit, 10,000", (x0,), dec, ("numba by hand", decay_numba), decay_numba_parallel,
         None),
    ]
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args(argv)
    repeat, min_time = (3, 0.01) if options.quick else (7, 0.1)
    print(f"s2s {s2s.__version__}, numba {numba.__version__}, numpy {np.__version__}, "
          f"jax {jax.__version__ if jax is not None else 'not installed'}, Python {platform.python_version()}, "
          f"{os.cpu_count()} cores; best of {repeat} loops of >= {min_time * 1e3:.0f} ms after a warm-up call\n")
    rows = []
    for name, args, ours, (ref_label, ref), ref_parallel, make_jax in cases():
        got = ours(*args)
        np.testing.assert_allclose(got, ref(*args), rtol=1e-9, atol=1e-12, err_msg=name)
        t_ours = time_per_call(ours, args, repeat, min_time)
        t_ref = time_per_call(ref, args, repeat, min_time)
        row = [name, _fmt_time(t_ours), f"{_fmt_time(t_ref)} ({ref_label})", f"{t_ref / t_ours:.2f}"]
        if ref_parallel is not None:
            np.testing.assert_allclose(ref_parallel(*args), got, rtol=1e-9, atol=1e-12, err_msg=name)
            t_par = time_per_call(ref_parallel, args, repeat, min_time)
            row += [_fmt_time(t_par), f"{t_par / t_ours:.2f}"]
        else:
            row += ["-", "-"]
        if make_jax is not None:
            jf = make_jax()
            np.testing.assert_allclose(np.asarray(jf(*args)), got, rtol=1e-9, atol=1e-12, err_msg=name)
            t_jax = time_per_call(jf, args, repeat, min_time)
            row += [_fmt_time(t_jax), f"{t_jax / t_ours:.2f}"]
        else:
            row += ["-", "-"]
        rows.append(row)
    print_table(("case", "s2s.jit(vmap f)", "reference", "ref / s2s", "numba prange by hand", "prange / s2s",
                 "jax.jit(vmap f)", "jax / s2s"), rows)
    print(f"\nRatios above 1: s2s is faster. s2s and the prange references use numba's {numba.get_num_threads()} "
          "threads (NUMBA_NUM_THREADS); the plain references use one.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
