# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Tutorial 2: reverse mode — `grad`, `value_and_grad`, `vjp`
#
# `s2s.grad(f)` reads f's source and writes a new Python function that computes f's
# gradient: a forward sweep that runs f and records what the backward sweep needs (branch
# decisions, trip counts, values about to be overwritten) on typed tapes, then a backward
# sweep that visits f's statements in reverse. The result is ordinary NumPy code — print it
# with `s2s.source`, compile it with `s2s.jit`, differentiate it again with `s2s.grad`.
#
# Run with `python tutorials/02_autodiff.py`. From the command line:
#
#     python -m s2s dump tutorials/02_autodiff.py:bounce_height --grad --jit

# %%
import numpy as np

import s2s
import s2s.numpy as jnp


def central_difference(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


# %% [markdown]
# ## 1. The quickstart
#
# The gradient of a scalar function of an array, its compiled version, and a third
# derivative through two `jit`s, exactly as in JAX's quickstart.

# %%
def sum_logistic(x):
    return jnp.sum(1.0 / (1.0 + jnp.exp(-x)))


def logistic(x):
    return jnp.exp(x) / (jnp.exp(x) + 1)


if __name__ == "__main__":
    x_small = jnp.arange(3.0)
    print("grad(sum_logistic)        ", s2s.grad(sum_logistic)(x_small))
    print("jit(grad(sum_logistic))   ", s2s.jit(s2s.grad(sum_logistic))(x_small))
    print("grad(logistic)(1.0)       ", s2s.grad(logistic)(1.0))
    third = s2s.grad(s2s.jit(s2s.grad(s2s.jit(s2s.grad(sum_logistic)))))(1.0)
    print("3rd derivative at 1.0     ", third)  # -0.0353256...

# %% [markdown]
# ## 2. Control flow on values, loops that stay loops
#
# A ball dropped from height `h0` bounces; each bounce keeps a fraction `e` of its speed.
# We step it in time until its third bounce: the `while` loop runs a number of times that
# depends on the inputs, the `if` branches on the value of the height, and `break` leaves the
# loop. JAX cannot `grad` this under `jit` without rewriting it with `lax.while_loop`, whose
# reverse mode it does not support. s2s differentiates the loop as written, and
# `jit(grad(...))` compiles it. The derivative is that of the time-stepped program (the
# number of steps is locally constant), which is what finite differences see too.

# %%
def bounce_height(h0, e):
    """Height of the ball, dropped from h0 with restitution e, right after its third bounce."""
    g = 9.81
    dt = 1e-3
    h = h0
    v = 0.0
    bounces = 0
    while bounces < 3:
        v = v - g * dt
        h = h + v * dt
        if h < 0.0:
            h = -h * e
            v = -v * e
            bounces += 1
    for _ in range(50):  # then 50 more steps of flight
        v = v - g * dt
        h = h + v * dt
    return h


if __name__ == "__main__":
    d_dh0 = s2s.jit(s2s.grad(bounce_height, argnums=0))
    d_de = s2s.jit(s2s.grad(bounce_height, argnums=1))
    print("\nd height / d h0:", d_dh0(2.0, 0.7), " finite differences:",
          central_difference(lambda h: bounce_height(h, 0.7), 2.0))
    print("d height / d e: ", d_de(2.0, 0.7), " finite differences:",
          central_difference(lambda e: bounce_height(2.0, e), 0.7))

# %% [markdown]
# ## 3. In-place updates
#
# `x[i] = ...` inside the differentiated function: the forward sweep saves the overwritten
# element, the backward sweep restores it. JAX and Autograd reject this code.

# %%
def running_max_sum(x):
    y = x.copy()
    for i in range(1, y.shape[0]):
        if y[i - 1] > y[i]:
            y[i] = y[i - 1] * 0.9 + y[i] * 0.1
    return np.sum(y * y)


if __name__ == "__main__":
    x = np.array([0.3, -1.2, 2.0, 0.5, 0.4, 1.1])
    g = s2s.grad(running_max_sum)(x)
    fd = np.array([central_difference(lambda t: running_max_sum(np.where(np.arange(6) == i, t, x)), x[i])
                   for i in range(6)])
    print("\ngrad running_max_sum:", np.round(g, 6))
    print("finite differences:  ", np.round(fd, 6))

# %% [markdown]
# ## 4. Pytrees, `has_aux`, `value_and_grad`
#
# Parameters can be tuples, lists and dicts of arrays; the gradient has the same structure.
# `has_aux=True` returns a second output untouched.

# %%
def mlp_loss(params, x, y):
    h = np.tanh(x @ params["W1"] + params["b1"])
    out = h @ params["W2"]
    r = out - y
    loss = np.sum(r * r) / x.shape[0]
    return loss, {"max_error": np.max(np.abs(r))}


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    params = {"W1": rng.normal(size=(4, 8)) / 2, "b1": np.zeros(8), "W2": rng.normal(size=(8, 1)) / 3}
    xb, yb = rng.normal(size=(32, 4)), rng.normal(size=(32, 1))
    step = s2s.value_and_grad(mlp_loss, has_aux=True)
    for it in range(5):
        (loss, aux), grads = step(params, xb, yb)
        params = {k: params[k] - 0.5 * grads[k] for k in params}
        print(f"step {it}: loss {loss:.4f}, max error {aux['max_error']:.3f}")

# %% [markdown]
# ## 5. Layers as a list, states as a growing list
#
# JAX's README writes its MLP as a loop over a list of `(W, b)` pairs. s2s takes it as is:
# while differentiating, a loop over a container of known structure (layers of different
# shapes) is unrolled, one copy of the body per layer, and the gradient has the parameters'
# structure. Lists built by `append` (and list comprehensions) differentiate too: their
# adjoint is a list that the backward sweep pops as it undoes the appends.

# %%
def predict(params, inputs):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs


def rnn_loss(params, xs):
    W, U = params
    hs = [np.zeros(W.shape[0])]
    for x in xs:
        hs.append(np.tanh(W @ hs[-1] + U @ x))
    return sum(np.sum(h ** 2) for h in hs)


if __name__ == "__main__":
    layers = [(rng.normal(size=(4, 5)), np.zeros(5)), (rng.normal(size=(5, 1)), np.zeros(1))]
    g_layers = s2s.grad(lambda p, x: np.sum(predict(p, x) ** 2))(layers, xb)
    print("\ngrad of the list of layers:", [tuple(a.shape for a in pair) for pair in g_layers])
    W, U = rng.normal(size=(3, 3)) / 2, rng.normal(size=(3, 3)) / 2
    gW, gU = s2s.jit(s2s.grad(rnn_loss))((W, U), rng.normal(size=(6, 3)))
    print("jit(grad) of the RNN, W's first row:", gW[0])

# %% [markdown]
# ## 6. `vjp` and reading the derivative
#
# `vjp` gives the cotangent map of a vector-valued function. And the derivative is Python
# you can read: every backward statement carries a `# grad of:` comment naming the line of
# your code it differentiates.

# %%
def poly_features(x):
    return np.sin(x) * x[0] + x ** 2


if __name__ == "__main__":
    out, f_vjp = s2s.vjp(poly_features, np.array([0.5, 1.0, 2.0]))
    (ct,) = f_vjp(np.ones(3))
    print("\nvjp of ones:", ct)
    print("\n" + "\n".join(s2s.source(s2s.grad(logistic)).splitlines()[:40]))

# %% [markdown]
# ## 7. A training step, JAX-style, compiled
#
# The idiom of JAX code -- a jitted `update` that takes the gradient of a lambda closing over
# the batch, with the parameters in a dict -- compiles as written: the lambda becomes a
# function of its own whose captured variables travel as arguments, and the dict crosses into
# numba as the tuple of its leaves. Helpers that take a function (an integrator taking the
# dynamics, `s2s.lax.fori_loop` taking its body) are made for the function they get.

# %%
def mse(params, x, y):
    return np.mean((np.tanh(x @ params["w"] + params["b"]) - y) ** 2)


@s2s.jit
def update(params, x, y):
    grads = s2s.grad(lambda p: mse(p, x, y))(params)
    return {"w": params["w"] - 0.5 * grads["w"], "b": params["b"] - 0.5 * grads["b"]}


def trajectory_loss(k):
    def dynamics(i, y):  # reads k from the enclosing function: a closure
        return y - 0.1 * k * y ** 3
    return s2s.lax.fori_loop(0, 20, dynamics, 1.0)


if __name__ == "__main__":
    params = {"w": rng.normal(size=(4, 1)) / 2, "b": np.zeros(1)}
    x_batch, y_batch = rng.normal(size=(32, 4)), rng.normal(size=(32, 1)) / 4
    for step in range(5):
        params = update(params, x_batch, y_batch)
    print("\nloss after 5 compiled steps:", mse(params, x_batch, y_batch))
    print("d/dk of a fori_loop trajectory:", s2s.jit(s2s.grad(trajectory_loss))(0.5))
