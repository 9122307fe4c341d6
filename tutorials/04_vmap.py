# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Tutorial 4: `vmap` — batching a function written for one example
#
# `s2s.vmap(f)` turns a function of one example into a function of a batch, as ordinary
# generated Python, in one of two ways (`strategy="auto"` picks):
# - *array batching*, as JAX does: every NumPy operation of `f` in its batched form, so
#   `M @ v` over a batch of `v`s is one matrix product;
# - *loop batching*, when `f` has control flow on per-example values: a loop over the batch
#   that calls `f` on each example, so *every* example runs `f`'s own control flow — a
#   `while` loop that stops at a different step for each example just works (JAX's vmap
#   cannot batch a value-dependent loop exit; it needs `lax.while_loop`, which runs every
#   example to the longest trip count).
# `s2s.jit` compiles either into one numba function; `s2s.source` shows which was chosen.
#
# Run with `python tutorials/04_vmap.py`. From the command line:
#
#     python -m s2s dump tutorials/04_vmap.py:apply_matrix --vmap --jit
#     python -m s2s dump tutorials/04_vmap.py:loss --grad --vmap --in-axes None,0,0

# %%
import time

import numpy as np

import s2s

rng = np.random.default_rng(0)
M = rng.normal(size=(150, 100))


def apply_matrix(v):
    return M @ v


def best_of(f, *args, n=5):
    f(*args)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - t)
    return min(times)


# %% [markdown]
# ## 1. Naive, manual and vmap batching (JAX's quickstart)

# %%
def naively_batched(V):
    return np.stack([apply_matrix(v) for v in V])


def manually_batched(V):
    return V @ M.T


if __name__ == "__main__":
    V = rng.normal(size=(1000, 100))
    batched = s2s.jit(s2s.vmap(apply_matrix))
    assert np.allclose(batched(V), manually_batched(V))
    assert np.allclose(naively_batched(V), manually_batched(V))
    print(f"naive Python loop: {best_of(naively_batched, V) * 1e3:.2f} ms")
    print(f"manual (one matmul): {best_of(manually_batched, V) * 1e3:.2f} ms")
    print(f"s2s.jit(s2s.vmap): {best_of(batched, V) * 1e3:.2f} ms")
    # in_axes / out_axes: map over the columns of V.T, put the batch last.
    cols = s2s.vmap(apply_matrix, in_axes=1, out_axes=1)(V.T)
    assert np.allclose(cols, M @ V.T)
    print(s2s.source(s2s.vmap(apply_matrix), V).split("def apply_matrix_vmap")[1])

# %% [markdown]
# ## 2. Per-example gradients
#
# `vmap(grad(loss), in_axes=(None, 0, 0))` differentiates the per-example loss and maps
# it over the examples (not over the weights): one gradient per example, the flagship use
# of composing transformations.

# %%
def loss(w, x, y):
    z = np.dot(x, w)
    return np.log1p(np.exp(-y * z))


if __name__ == "__main__":
    w = rng.normal(size=100) / 10
    X, y = rng.normal(size=(500, 100)), np.sign(rng.normal(size=500))
    per_example = s2s.jit(s2s.vmap(s2s.grad(loss), in_axes=(None, 0, 0)))
    G = per_example(w, X, y)
    print("per-example gradients:", G.shape)
    assert np.allclose(G[7], s2s.grad(loss)(w, X[7], y[7]))
    # ... and their mean is the gradient of the mean loss:
    def mean_loss(w, X, y):
        return np.mean(s2s.vmap(loss, in_axes=(None, 0, 0))(w, X, y))
    assert np.allclose(G.mean(axis=0), s2s.grad(mean_loss)(w, X, y))

# %% [markdown]
# ## 3. A per-example `while` loop
#
# Newton's method for the square root stops when *this* example has converged; each
# example takes its own number of steps. Under `jit`, the loop over examples is a
# `numba.prange` loop: examples run on numba's threads (`NUMBA_NUM_THREADS`), since
# `newton_sqrt` writes into no array it was given (a function that does runs in order).

# %%
def newton_sqrt(a):
    x = a if a > 1.0 else 1.0
    steps = 0
    while abs(x * x - a) > 1e-12 * a:
        x = 0.5 * (x + a / x)
        steps += 1
    return x, steps


if __name__ == "__main__":
    a = np.array([0.25, 2.0, 1e6, 3.0])
    roots, steps = s2s.jit(s2s.vmap(newton_sqrt))(a)
    print("roots:", roots, "steps per example:", steps)
    print("runs on numba's threads:", s2s.jit(s2s.vmap(newton_sqrt)).generated(a).parallel)
    assert np.allclose(roots, np.sqrt(a)) and len(set(steps.tolist())) > 1
    # Its derivative, per example too: d sqrt(a) / da = 1 / (2 sqrt(a)).
    d = s2s.vmap(s2s.grad(lambda a: newton_sqrt(a)[0]))(a)
    assert np.allclose(d, 0.5 / np.sqrt(a))
    print("d sqrt(a)/da:", d)
