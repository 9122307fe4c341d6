"""Forward-mode benchmarks: Hessians, Hessian-vector products and Jacobians.

    python benchmarks/hessian.py            # the full run
    python benchmarks/hessian.py --quick    # fewer repeats, for a smoke test

Cases (float64; JAX only if importable, x64 enabled):
  * hessian(sum_logistic) on 100 elements: s2s.jit(s2s.hessian(f)) = jacfwd(jacrev(f)),
    one JVP of the gradient per column inside one compiled function;
  * a Hessian-vector product on 1e5 elements: s2s.jit of `jvp(grad(f), (x,), (v,))[1]`
    (forward over reverse, the Hessian never formed);
  * jacfwd vs jacrev of a 10 -> 200 map (tall: forward mode's case) and a 200 -> 10 map
    (wide: reverse mode's case).
Each is compared with a hand-written numba version where one is natural, and JAX.
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


def sum_logistic(x):
    return np.sum(1.0 / (1.0 + np.exp(-x)))


def hvp(x, v):
    return s2s.jvp(s2s.grad(sum_logistic), (x,), (v,))[1]


W_TALL = np.random.default_rng(0).normal(size=(200, 10)) / 3
W_WIDE = np.random.default_rng(1).normal(size=(10, 200)) / 10


def tall(x):
    return np.tanh(W_TALL @ x)


def wide(x):
    return np.tanh(W_WIDE @ x)


@numba.njit
def hessian_by_hand(x):
    n = x.shape[0]
    H = np.zeros((n, n))
    for i in range(n):
        s = 1.0 / (1.0 + np.exp(-x[i]))
        H[i, i] = s * (1.0 - s) * (1.0 - 2.0 * s)
    return H


@numba.njit
def hvp_by_hand(x, v):
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        s = 1.0 / (1.0 + np.exp(-x[i]))
        out[i] = s * (1.0 - s) * (1.0 - 2.0 * s) * v[i]
    return out


def cases():
    rng = np.random.default_rng(0)
    x100 = rng.normal(size=100)
    x5, v5 = rng.normal(size=100_000), rng.normal(size=100_000)
    x10, x200 = rng.normal(size=10), rng.normal(size=200)
    out = [
        ("hessian(sum_logistic), 100", (x100,), s2s.jit(s2s.hessian(sum_logistic)), hessian_by_hand,
         (lambda: jax.jit(jax.hessian(lambda x: jnp.sum(1.0 / (1.0 + jnp.exp(-x)))))) if jax else None),
        ("HVP jvp(grad(sum_logistic)), 1e5", (x5, v5), s2s.jit(hvp), hvp_by_hand,
         (lambda: jax.jit(lambda x, v: jax.jvp(jax.grad(lambda y: jnp.sum(1.0 / (1.0 + jnp.exp(-y)))), (x,), (v,))[1]))
         if jax else None),
        ("jacfwd(tanh(W x)) 10 -> 200", (x10,), s2s.jit(s2s.jacfwd(tall)), s2s.jit(s2s.jacrev(tall)),
         (lambda: jax.jit(jax.jacfwd(lambda x: jnp.tanh(W_TALL @ x)))) if jax else None),
        ("jacrev(tanh(W x)) 200 -> 10", (x200,), s2s.jit(s2s.jacrev(wide)), s2s.jit(s2s.jacfwd(wide)),
         (lambda: jax.jit(jax.jacrev(lambda x: jnp.tanh(W_WIDE @ x)))) if jax else None),
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
    for name, args, ours, other, make_jax in cases():
        got = ours(*args)
        np.testing.assert_allclose(got, other(*args), rtol=1e-9, atol=1e-12, err_msg=name)
        t_ours = time_per_call(ours, args, repeat, min_time)
        t_other = time_per_call(other, args, repeat, min_time)
        label = "by hand (numba)" if "hessian" in name or "HVP" in name else "other mode"
        row = [name, _fmt_time(t_ours), f"{_fmt_time(t_other)} ({label})", f"{t_other / t_ours:.2f}"]
        if make_jax is not None:
            jf = make_jax()
            np.testing.assert_allclose(np.asarray(jf(*args)), got, rtol=1e-9, atol=1e-12, err_msg=name)
            t_jax = time_per_call(jf, args, repeat, min_time)
            row += [_fmt_time(t_jax), f"{t_jax / t_ours:.2f}"]
        else:
            row += ["-", "-"]
        rows.append(row)
    print_table(("case", "s2s (jit)", "reference", "ref / s2s", "jax.jit", "jax / s2s"), rows)
    print("\n'ref / s2s' and 'jax / s2s' above 1: s2s is faster.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
