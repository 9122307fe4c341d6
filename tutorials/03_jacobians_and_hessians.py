# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Tutorial 3: forward mode, Jacobians and Hessians
#
# Reverse mode (tutorial 2) gives a whole gradient in one backward sweep. Forward mode
# pushes a *tangent* — a direction in input space — through the function alongside the
# values: `s2s.jvp(f, (x,), (v,))` returns `f(x)` and the directional derivative `J v`.
# s2s generates it as one function whose every statement is followed by its tangent
# statement; no tape, so loops and branches stay exactly as written.
#
# Run with `python tutorials/03_jacobians_and_hessians.py`. From the command line:
#
#     python -m s2s dump tutorials/03_jacobians_and_hessians.py:pendulum --jvp
#     python -m s2s dump tutorials/03_jacobians_and_hessians.py:sum_logistic --hessian --jit

# %%
import numpy as np

import s2s


def sum_logistic(x):
    return np.sum(1.0 / (1.0 + np.exp(-x)))


def pendulum(theta0, dt):
    """Angle after 200 semi-implicit Euler steps, stopping early if it swings past 3 rad."""
    theta, omega = theta0, 0.0
    for _ in range(200):
        omega = omega - 9.81 * np.sin(theta) * dt
        theta = theta + omega * dt
        if abs(theta) > 3.0:
            break
    return theta


# %% [markdown]
# ## 1. `jvp` and `vjp`: two views of the same Jacobian
#
# `jvp` computes `J v` (a column combination), `vjp` computes `u^T J` (a row combination).
# Their inner products must agree: `<u, J v> == <J^T u, v>` — a check s2s's test suite
# runs over its whole corpus.

# %%
def layer(x):
    W = np.array([[1.0, -2.0, 0.5], [0.3, 0.8, -1.0]])
    return np.tanh(W @ x)


if __name__ == "__main__":
    x = np.array([0.1, -0.4, 0.7])
    v = np.array([1.0, 0.0, 2.0])
    u = np.array([0.5, -1.5])
    y, Jv = s2s.jvp(layer, (x,), (v,))
    _, vjp_fn = s2s.vjp(layer, x)
    (uJ,) = vjp_fn(u)
    print("J v        =", Jv)
    print("<u, J v>   =", u @ Jv, " <J^T u, v> =", uJ @ v)
    assert np.isclose(u @ Jv, uJ @ v)

    # The generated forward-mode code: each statement, then its tangent (`d...`).
    print(s2s.source(s2s.linearize(pendulum, 0.5, 0.01)[1]).split("def pendulum_jvp")[1][:900])

    # Control flow just works: the derivative of the final angle w.r.t. the start angle.
    _, dtheta = s2s.jvp(pendulum, (0.5, 0.01), (1.0, 0.0))
    eps = 1e-6
    fd = (pendulum(0.5 + eps, 0.01) - pendulum(0.5 - eps, 0.01)) / (2 * eps)
    print("d theta(T) / d theta0 =", dtheta, "(finite differences:", fd, ")")
    assert np.isclose(dtheta, fd, rtol=1e-6)

# %% [markdown]
# ## 2. `jacfwd` or `jacrev`?
#
# Both build the full Jacobian (shape `out.shape + in.shape`, as JAX). `jacfwd` runs one
# JVP per *input* element, `jacrev` one VJP per *output* element — both as a loop inside
# one generated function, so `s2s.jit` compiles the whole sweep. Use `jacfwd` for "tall"
# functions (few inputs, many outputs) and `jacrev` for "wide" ones (many inputs, few
# outputs). `benchmarks/hessian.py` measures the difference: about 10-20x either way.

# %%
if __name__ == "__main__":
    J_fwd = s2s.jacfwd(layer)(x)
    J_rev = s2s.jit(s2s.jacrev(layer))(x)
    print("Jacobian of layer, shape", J_fwd.shape)
    print(J_fwd)
    assert np.allclose(J_fwd, J_rev)
    print(s2s.jacobian(np.exp)(np.arange(3.0)))  # the quickstart's example

# %% [markdown]
# ## 3. Hessians and Hessian-vector products
#
# `hessian(f) = jacfwd(jacrev(f))`: forward mode over reverse mode. For a tuple of
# `argnums` it returns the blocks `H[i][j]` as JAX does. When only `H v` is needed, never
# form the Hessian: `jvp(grad(f), (x,), (v,))` costs a few gradient evaluations, and it
# can be written inside a function that `s2s.jit` compiles.

# %%
def hvp(x, v):
    return s2s.jvp(s2s.grad(sum_logistic), (x,), (v,))[1]


if __name__ == "__main__":
    x = np.arange(3.0)
    H = s2s.hessian(sum_logistic)(x)
    print("hessian(sum_logistic)(arange(3.)) =\n", H)
    v = np.array([1.0, 2.0, 3.0])
    print("H v by jit(jvp(grad)) =", s2s.jit(hvp)(x, v), " H @ v =", H @ v)
    assert np.allclose(s2s.jit(hvp)(x, v), H @ v)

    def energy(p, q):
        return 0.5 * np.sum(p * p) + np.sum(np.cos(q)) * p[0]

    (Hpp, Hpq), (Hqp, Hqq) = s2s.hessian(energy, argnums=(0, 1))(np.array([1.0, 2.0]), np.array([0.3, 0.1]))
    print("block Hessian: d2E/dp dq =\n", Hpq)
    assert np.allclose(Hpq, Hqp.T)

# %% [markdown]
# ## 4. A custom rule for a numerically delicate function
#
# `log(1 + exp(x))` overflows for large `x`, and so does its naive derivative
# `exp(x) / (1 + exp(x))` (inf / inf = nan). A `custom_jvp` rule gives the stable form
# `1 - 1 / (1 + exp(x))`, and every transformation uses it: `jvp` and `jacfwd` call the
# rule, `grad` uses its transpose (reverse mode of the rule w.r.t. its tangents).

# %%
@s2s.custom_jvp
def log1pexp(x):
    return np.log1p(np.exp(x))


@log1pexp.defjvp
def log1pexp_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return log1pexp(x), x_dot * (1.0 - 1.0 / (1.0 + np.exp(x)))


def softplus_total(x):
    return np.sum(log1pexp(x))


if __name__ == "__main__":
    x = np.array([0.0, 10.0, 800.0])
    with np.errstate(over="ignore", invalid="ignore"):  # exp(800) overflows in the primal
        print("grad with the custom rule:", s2s.grad(softplus_total)(x))
        print("jit(grad) with the rule:  ", s2s.jit(s2s.grad(softplus_total))(x))
        naive = s2s.grad(lambda x: np.sum(np.log1p(np.exp(x))))(x)
        assert np.all(np.isfinite(s2s.grad(softplus_total)(x)))
    print("naive grad:               ", naive, "(nan at 800)")

    # stop_gradient: a value that the derivative treats as a constant.
    print(s2s.grad(lambda x: np.sum(s2s.stop_gradient(x) * x))(np.array([1.0, 2.0])), "(= x, not 2x)")
