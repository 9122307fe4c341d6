"""Reverse-mode benchmarks: s2s.jit(grad(f)) against f itself, hand-written gradients and JAX.

    python benchmarks/grad.py            # the full run (a minute or two: compiling included)
    python benchmarks/grad.py --quick    # fewer repeats, for a smoke test

Cases (float64 everywhere; JAX only if importable, x64 enabled):
  * sum_logistic (the JAX quickstart's) on 1e6 elements: whole-array NumPy;
  * d x(T) / d x0 of the 10,000-step Euler oscillator of benchmarks/run.py: a scalar loop
    with a value-dependent branch, reverse mode through the loop (tapes);
  * value_and_grad of a 784-128-10 tanh MLP's squared loss on a batch of 128, w.r.t. all four
    parameter arrays: matmul-heavy.
For each: the time per call of the compiled forward function, of the compiled gradient, the
ratio gradient / forward (the cost of reverse mode), and the same gradient hand-written
(numba or NumPy) and by JAX. The harness checks that all gradients agree before timing.
"""
import argparse
import os
import platform
import sys

import numba
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import _fmt_time, jax, oscillator, print_table, time_per_call  # noqa: E402

import s2s  # noqa: E402

if jax is not None:
    import jax.numpy as jnp


# -- the functions ------------------------------------------------------------------------
def sum_logistic(x):
    return np.sum(1.0 / (1.0 + np.exp(-x)))


def mlp_loss(W1, b1, W2, b2, x, y):
    h = np.tanh(x @ W1 + b1)
    out = h @ W2 + b2
    r = out - y
    return np.sum(r * r) / x.shape[0]


# -- hand-written gradients ------------------------------------------------------------------
@numba.njit
def sum_logistic_grad_numba(x):
    g = np.empty_like(x)
    for i in range(x.shape[0]):
        s = 1.0 / (1.0 + np.exp(-x[i]))
        g[i] = s * (1.0 - s)
    return g


@numba.njit
def oscillator_grad_numba(x0, v0, dt, steps):
    """The adjoint of `oscillator` by hand: the branch does not depend on x0 continuously, so
    the backward sweep only needs the linear recurrence (no tape of values at all)."""
    bx, bv = 1.0, 0.0
    for _ in range(steps):
        # forward: v' = v + dt * (-4x - 0.1v + f); x' = x + dt * v'
        bv = bv + dt * bx  # x' = x + dt v'
        bx_new = bx + bv * dt * -4.0
        bv = bv * (1.0 + dt * -0.1)
        bx = bx_new
    return bx


def mlp_value_and_grad_numpy(W1, b1, W2, b2, x, y):
    h = np.tanh(x @ W1 + b1)
    out = h @ W2 + b2
    r = out - y
    n = x.shape[0]
    value = np.sum(r * r) / n
    bout = 2.0 * r / n
    bW2 = h.T @ bout
    bb2 = bout.sum(axis=0)
    bpre = (bout @ W2.T) * (1.0 - h * h)
    return value, (x.T @ bpre, bpre.sum(axis=0), bW2, bb2)


def _jax_versions():
    def sum_logistic_jax(x):
        return jnp.sum(1.0 / (1.0 + jnp.exp(-x)))

    def oscillator_jax(x0, v0, dt, steps):
        def step(_, state):
            x, v = state
            friction = jnp.where(v > 0.0, -0.3, 0.3)
            v = v + dt * (-4.0 * x - 0.1 * v + friction)
            return x + dt * v, v

        return jax.lax.fori_loop(0, steps, step, (x0, v0))[0]

    def mlp_loss_jax(W1, b1, W2, b2, x, y):
        h = jnp.tanh(x @ W1 + b1)
        r = h @ W2 + b2 - y
        return jnp.sum(r * r) / x.shape[0]

    return {
        "sum_logistic": (jax.jit(sum_logistic_jax), jax.jit(jax.grad(sum_logistic_jax))),
        "oscillator": (jax.jit(oscillator_jax, static_argnums=3), jax.jit(jax.grad(oscillator_jax), static_argnums=3)),
        "mlp": (jax.jit(mlp_loss_jax), jax.jit(jax.value_and_grad(mlp_loss_jax, argnums=(0, 1, 2, 3)))),
    }


def cases():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1_000_000)
    osc = (1.0, 0.0, 1e-3, 10_000)
    W1, b1 = rng.standard_normal((784, 128)) / 28, np.zeros(128)
    W2, b2 = rng.standard_normal((128, 10)) / 11, np.zeros(10)
    xb, yb = rng.standard_normal((128, 784)), rng.standard_normal((128, 10))
    mlp_args = (W1, b1, W2, b2, xb, yb)
    out = [
        ("sum_logistic, 1e6", (x,), s2s.jit(sum_logistic), s2s.jit(s2s.grad(sum_logistic)),
         ("numba (by hand)", sum_logistic_grad_numba)),
        ("oscillator d/dx0, 10k steps", osc, s2s.jit(oscillator), s2s.jit(s2s.grad(oscillator)),
         ("numba (by hand)", oscillator_grad_numba)),
        ("MLP 784-128-10, batch 128", mlp_args, s2s.jit(mlp_loss),
         s2s.jit(s2s.value_and_grad(mlp_loss, argnums=(0, 1, 2, 3))), ("NumPy (by hand)", mlp_value_and_grad_numpy)),
    ]
    jaxes = _jax_versions() if jax is not None else {}
    return out, [jaxes.get(k) for k in ("sum_logistic", "oscillator", "mlp")]


def _leaves(v):
    if isinstance(v, (tuple, list)):
        return [x for e in v for x in _leaves(e)]
    return [np.asarray(v)]


def check(name, a, b):
    for p, q in zip(_leaves(a), _leaves(b)):
        if not np.allclose(p, q, rtol=1e-7, atol=1e-10):
            raise AssertionError(f"{name}: gradients disagree")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args(argv)
    repeat, min_time = (3, 0.01) if options.quick else (7, 0.1)
    print(f"s2s {s2s.__version__}, numba {numba.__version__}, numpy {np.__version__}, "
          f"jax {jax.__version__ if jax is not None else 'not installed'}, Python {platform.python_version()}, "
          f"{os.cpu_count()} cores; best of {repeat} loops of >= {min_time * 1e3:.0f} ms after a warm-up call\n")
    rows = []
    all_cases, jaxes = cases()
    for (name, args, fwd, grad_fn, (hand_label, hand)), jx in zip(all_cases, jaxes):
        g = grad_fn(*args)
        check(name, g, hand(*args))
        if jx is not None:
            check(name, g, jx[1](*args))
        t_fwd = time_per_call(fwd, args, repeat, min_time)
        t_grad = time_per_call(grad_fn, args, repeat, min_time)
        t_hand = time_per_call(hand, args, repeat, min_time)
        row = [name, _fmt_time(t_fwd), _fmt_time(t_grad), f"{t_grad / t_fwd:.2f}", f"{_fmt_time(t_hand)} ({hand_label})",
               f"{t_hand / t_grad:.2f}"]
        if jx is not None:
            t_jax = time_per_call(jx[1], args, repeat, min_time)
            row += [_fmt_time(t_jax), f"{t_jax / t_grad:.2f}"]
        else:
            row += ["-", "-"]
        rows.append(row)
    print_table(("case", "s2s.jit(f)", "s2s.jit(grad f)", "grad / f", "by hand", "hand / s2s",
                 "jax.jit(grad f)", "jax / s2s"), rows)
    print("\n'hand / s2s' and 'jax / s2s' above 1: s2s's gradient is faster.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
