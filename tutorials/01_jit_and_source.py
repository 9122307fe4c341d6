# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Tutorial 1: `s2s.jit` and `s2s.source`
#
# s2s compiles ordinary NumPy Python functions by rewriting their *source*: it parses
# the function, normalizes it, writes a new Python module, and hands that module to numba.
# Unlike `jax.jit`, Python control flow on *values* works: `if x > 0`, `while err > tol`,
# `break`, `continue`, all compiled. And every step is readable: `s2s.source(f)` returns the
# generated module as text.
#
# Run this file with `python tutorials/01_jit_and_source.py` (or open it as a notebook with
# jupytext). The functions are defined at module level, outside the
# `if __name__ == "__main__":` blocks, so that the command line can import this file without
# running the demos:
#
#     python -m s2s dump tutorials/01_jit_and_source.py:collatz_lengths --jit

# %%
import time

import numpy as np

import s2s


def best_of(fn, *args, repeat=3):
    """The best wall time of `repeat` calls of fn(*args), in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


# %% [markdown]
# ## 1. A loop-heavy scalar function with value-dependent control flow
#
# The Collatz sequence halves an even number and maps an odd `n` to `3n + 1`; its length is
# how many steps it takes to reach 1. The `while` loop runs a data-dependent number of times
# and the `if` branches on the value — exactly what tracing compilers cannot compile.
#
# `collatz_lengths` applies it to every element of an array. Note that `collatz_length`
# is a plain helper without any decoration: s2s finds the functions a jitted function calls
# and compiles them too.

# %%
def collatz_length(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def collatz_lengths(ns):
    out = np.zeros(ns.shape[0], dtype=np.int64)
    for i in range(ns.shape[0]):
        out[i] = collatz_length(ns[i])
    return out


# %% [markdown]
# `s2s.jit(f)` returns a function with the same signature. Compilation happens on the first
# call, for the argument types of that call; the generated module is written to the cache
# directory (`S2S_CACHE_DIR`, default `~/.cache/s2s`) so numba's on-disk cache makes the
# next process start fast.

# %%
if __name__ == "__main__":
    fast_collatz_lengths = s2s.jit(collatz_lengths)
    ns = np.arange(1, 20_001)
    expected = collatz_lengths(ns)
    result = fast_collatz_lengths(ns)
    assert result.dtype == expected.dtype and np.array_equal(result, expected)
    assert fast_collatz_lengths(np.array([27]))[0] == 111  # the famous long one
    print("longest Collatz sequence below 20,001 starts at", ns[np.argmax(result)],
          "and takes", result.max(), "steps")

# %% [markdown]
# ## 2. What was compiled: `s2s.source`
#
# The generated module is plain Python: NumPy is imported under a private alias (so the
# generated code never depends on how you imported it), the helper is emitted next to the
# entry function, nested expressions get named temporaries, and comments point back to
# your lines. This text is exactly what numba compiles; it also runs without numba.

# %%
if __name__ == "__main__":
    print(s2s.source(fast_collatz_lengths))

# %% [markdown]
# ## 3. How much faster?
#
# Best of three runs of each, after the first (compiling) call above.

# %%
if __name__ == "__main__":
    t_python = best_of(collatz_lengths, ns)
    t_s2s = best_of(fast_collatz_lengths, ns)
    print(f"plain Python: {t_python * 1e3:9.2f} ms")
    print(f"s2s.jit:      {t_s2s * 1e3:9.2f} ms   ({t_python / t_s2s:.0f}x faster)")

# %% [markdown]
# ## 4. A Newton iteration per element
#
# Another value-dependent loop: Newton's method for the square root, iterated until the
# residual is below a tolerance, with a `break` as a safety net.

# %%
def newton_sqrt(a, tol=1e-12):
    x = a if a > 1.0 else 1.0
    for _ in range(100):
        step = (x * x - a) / (2.0 * x)
        x = x - step
        if abs(step) < tol * x:
            break
    return x


def newton_sqrts(values):
    out = np.empty_like(values)
    for i in range(values.shape[0]):
        out[i] = newton_sqrt(values[i])
    return out


# %%
if __name__ == "__main__":
    values = np.linspace(0.5, 1e6, 100_001)
    fast_newton_sqrts = s2s.jit(newton_sqrts)
    roots = fast_newton_sqrts(values)
    np.testing.assert_allclose(roots, newton_sqrts(values), rtol=1e-14)
    np.testing.assert_allclose(roots, np.sqrt(values), rtol=1e-12)
    t_python = best_of(newton_sqrts, values)
    t_s2s = best_of(fast_newton_sqrts, values)
    print(f"Newton sqrt, 100,001 elements: plain Python {t_python * 1e3:.1f} ms, "
          f"s2s.jit {t_s2s * 1e3:.2f} ms ({t_python / t_s2s:.0f}x)")

# %% [markdown]
# ## 5. Static arguments
#
# Some arguments choose *what* to compute rather than being data: a mode string, a
# polynomial degree. Mark them with `static_argnums` (positions) or `static_argnames`
# (names), as in JAX. Their values are baked into the generated source as constants, and
# s2s compiles one specialization per value (they must be hashable).

# %%
def normalize(x, kind):
    if kind == "l2":
        return x / np.sqrt(np.sum(x * x))
    elif kind == "max":
        return x / np.max(np.abs(x))
    return x


# %%
if __name__ == "__main__":
    fast_normalize = s2s.jit(normalize, static_argnums=1)
    x = np.array([3.0, -4.0, 1.0])
    for kind in ("l2", "max", "none"):
        np.testing.assert_allclose(fast_normalize(x, kind), normalize(x, kind), rtol=1e-15)
    # `source` takes example arguments to pick the specialization: `kind` is a constant now.
    print(s2s.source(fast_normalize, x, "max"))

    by_name = s2s.jit(normalize, static_argnames="kind")
    np.testing.assert_allclose(by_name(x, kind="l2"), normalize(x, "l2"), rtol=1e-15)
    # Python strings and bools are options anyway: plain `s2s.jit` bakes them in by itself
    # (JAX would ask for static_argnums here).
    np.testing.assert_allclose(s2s.jit(normalize)(x, "max"), normalize(x, "max"), rtol=1e-15)

# %% [markdown]
# ## 6. The JAX quickstart's `selu`, on a million elements
#
# A whole-array NumPy function ports unchanged (JAX code would change `jnp` to `np`, or
# `import s2s.numpy as jnp`). Dtypes follow NumPy: float64 stays float64. Keyword defaults
# are kept. Random inputs come from `s2s.random`, JAX-style explicit keys: the same key
# always gives the same numbers, and `split` makes independent new keys.

# %%
def selu(x, alpha=1.67, lmbda=1.05):
    return lmbda * np.where(x > 0, x, alpha * np.exp(x) - alpha)


# %%
if __name__ == "__main__":
    from s2s import random

    key = random.key(1701)
    x = random.normal(key, (1_000_000,))
    fast_selu = s2s.jit(selu)
    y = fast_selu(x)
    assert y.dtype == np.float64 and y.shape == x.shape
    np.testing.assert_allclose(y, selu(x), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(fast_selu(x, alpha=2.0), selu(x, alpha=2.0), rtol=1e-12, atol=1e-15)
    t_numpy = best_of(selu, x)
    t_s2s = best_of(fast_selu, x)
    print(f"selu on 1e6 float64: NumPy {t_numpy * 1e3:.2f} ms, s2s.jit {t_s2s * 1e3:.2f} ms "
          f"({t_numpy / t_s2s:.1f}x)")

# %% [markdown]
# ## What next
#
# - `python -m s2s dump tutorials/01_jit_and_source.py:collatz_lengths --jit -o collatz.py`
#   writes a standalone module (NumPy and numba only) you can read, edit and ship.
# - `python -m s2s info` shows versions, the cache directory and whether CUDA is usable.
# - `S2S_DUMP_AFTER=all` prints each function after every normalization pass.

# %%
if __name__ == "__main__":
    print("tutorial 01: all checks passed")
