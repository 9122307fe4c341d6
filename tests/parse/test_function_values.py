"""Function values known when the code is transformed (s2s/parse/local_aliases.py,
transform_calls.py): a local bound once to a transformation (`df = s2s.grad(f)`, autograd's
hessian-vector product) or to a function, loops and comprehensions over a global list of
functions (`[f(x) for f in funs]`, autograd's stacked-gradient Jacobian), `funs[1](x)`,
`y, pull = s2s.vjp(f, x)` with `pull(v)` (a call of f's VJP twin, so jit compiles it).
Each function is checked under grad/jacrev, jacfwd, jit(grad) against central differences
and its jit value against Python's; the generated text shows what the loop became.
"""
import numpy as np
import pytest

import s2s
from s2s import vjp


def fun(x):
    return np.sum(np.sin(x) ** 2 * x)


def f1(x):
    return np.sum(x ** 3)


def f2(x):
    return np.prod(np.sin(x) + 1.0)


FUNS = [f1, f2, np.sum]
PAIR = (f1, f2)
V = np.array([0.5, -1.0, 2.0])


def hvp(x):  # autograd's test_hess_vector_prod
    df = s2s.grad(fun)
    return np.sin(np.dot(V, df(x)))


def local_jacobian(x):
    J = s2s.jacfwd(np.tanh)
    return np.sum(J(x) @ x)


def local_value_and_grad(x):
    vg = s2s.value_and_grad(fun)
    v, g = vg(x)
    return v * np.sum(g)


def local_hessian(x):
    h = s2s.hessian(fun)
    return np.sum(h(x) @ V)


def local_function(x):
    act = np.tanh
    return np.sum(act(x) * act(2.0 * x))


def stacked(x):  # autograd's test_jacobian_against_stacked_grads
    return np.array([f(x) for f in FUNS])


def generator_sum(x):
    return sum(f(x) ** 2 for f in FUNS)


def enumerated_loop(x):
    s = 0.0
    for i, f in enumerate(PAIR):
        s = s + (i + 1.0) * f(x)
    return s


def indexed(x):
    return FUNS[1](x) * FUNS[-1](x)


def gradients_of_each(x):
    return sum(np.sum(s2s.grad(f)(x) * V) for f in PAIR)


def two(a, b):
    return np.sin(a) * b + a ** 2


def pullback(x):  # s2s.vjp inside: the pullback called twice, one primal a constant
    y, pull = s2s.vjp(two, x, 2.0)
    ga, gb = pull(np.cos(x))
    return np.sum(y * ga) + gb * np.sum(pull(V)[0])


def pullback_imported(x):  # `from s2s import vjp`
    y, pull = vjp(f1, x)
    return pull(np.sum(y))[0] * V


def two_aux(a):
    return np.sin(a) * a, np.sum(a ** 3)


def pullback_in_branch(x):  # inside a branch, and with has_aux
    if np.sum(x) > 0.0:
        y, pull, aux = s2s.vjp(two_aux, x, has_aux=True)
        return pull(V * y)[0] + aux
    return x


CASES = [hvp, local_jacobian, local_value_and_grad, local_hessian, local_function, stacked, generator_sum,
         enumerated_loop, indexed, gradients_of_each, pullback, pullback_imported, pullback_in_branch]
X = np.array([0.3, -0.6, 0.9])


def central_differences(f, x, eps=1e-6):
    return np.stack([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)], -1)


# (compiled Jacobians of all but the Hessian ones: compiling those takes half a minute)
JIT = [f for f in CASES if f not in (local_hessian, local_value_and_grad)]
HOWS = [(f, how) for f in CASES for how in ("jacrev", "jacfwd")] + [(f, "jit-jacrev") for f in JIT]


@pytest.mark.parametrize("f, how", HOWS, ids=[f"{how}-{f.__name__}" for f, how in HOWS])
def test_derivatives_match_central_differences(f, how):
    transform = {"jacrev": s2s.jacrev, "jacfwd": s2s.jacfwd, "jit-jacrev": lambda fn: s2s.jit(s2s.jacrev(fn))}[how]
    np.testing.assert_allclose(transform(f)(X), central_differences(f, X), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("f", CASES, ids=[f.__name__ for f in CASES])
def test_jit_value_is_pythons(f):
    np.testing.assert_allclose(s2s.jit(f)(X), f(X), rtol=1e-12)


def test_the_loop_is_written_out_per_function():
    text = s2s.source(s2s.jit(stacked))
    body = text.split("def stacked")[1].split("\ndef ")[0]
    code = [line for line in body.splitlines() if not line.strip().startswith("#")]
    assert not any("for " in line for line in code)
    assert any("f1(x)" in line for line in code) and any("f2(x)" in line for line in code)


def shadowed(x, FUNS):  # a parameter named like the global: not the global's functions
    s = 0.0
    for f in FUNS:
        s = s + f * np.sum(x)
    return s


def test_a_parameter_shadowing_the_global_is_not_written_out():
    np.testing.assert_allclose(s2s.grad(shadowed)(X, np.array([1.0, 2.0])), 3.0 * np.ones(3))


def rebound(x):
    g = s2s.grad(fun)
    g = np.cos
    return np.sum(g(x))


def test_a_name_bound_twice_is_left_alone():
    with pytest.raises(s2s.errors.S2SError, match="rebound.py|test_function_values.py"):
        s2s.grad(rebound)(X)


def test_the_pullback_is_a_call_of_the_vjp_twin():
    text = s2s.source(s2s.jit(pullback), X)
    assert "two_vjp(" in text and "s2s_vjp(" not in text
    text = s2s.source(s2s.jit(pullback_in_branch), X)
    assert "two_aux_vjp(" in text and "s2s_vjp(" not in text


def test_pullback_in_a_branch_with_aux_against_the_formula():
    # pull(ct)[0] = ct * (cos(x) x + sin(x)), aux = sum(x^3)
    want = V * np.sin(X) * X * (np.cos(X) * X + np.sin(X)) + np.sum(X ** 3)
    np.testing.assert_allclose(pullback_in_branch(X), want, rtol=1e-12)
    np.testing.assert_allclose(s2s.jit(pullback_in_branch)(X), want, rtol=1e-12)
    np.testing.assert_allclose(s2s.jit(pullback_in_branch)(-X), -X)
