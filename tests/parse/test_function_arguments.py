"""Functions passed to functions (parse/resolve.py `_specialize_on_functions`): a helper that
takes a function -- an ODE step taking the dynamics, a fold taking the operator -- is made for
the function each call passes, so the call is of a known function and everything downstream
(differentiation, vmap, numba) sees ordinary code. Checked against central differences in
the Python path, forward mode and compiled."""
from functools import partial

import numpy as np
import pytest
from grad_cases import central_difference

import s2s
from s2s.errors import UnsupportedSyntaxError


def apply(f, x):
    return f(x)


def square(x):
    return x * x


def applies(x):
    return np.sum(apply(square, x) + apply(np.sin, x) + apply(abs, x) * apply(np.tanh, x))


def fold(op, xs, init):
    acc = init
    for i in range(xs.shape[0]):
        acc = op(acc, xs[i])
    return acc


def mul(a, b):
    return a * b


def soft_max2(a, b):
    return np.log(np.exp(a) + np.exp(b))


def folds(x):
    return fold(mul, x, 1.0) + fold(soft_max2, x, 0.0)


def rk4_step(f, y, theta, dt):
    k1 = f(y, theta)
    k2 = f(y + 0.5 * dt * k1, theta)
    k3 = f(y + 0.5 * dt * k2, theta)
    k4 = f(y + dt * k3, theta)
    return y + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


def integrate(f, y, theta, dt, n):
    for _ in range(n):
        y = rk4_step(f, y, theta, dt)  # the function passed on, to another helper
    return y


def damped(y, theta):
    return np.array([y[1], -theta[0] * y[0] - theta[1] * y[1]])


def simulate(theta):
    y = integrate(damped, np.array([1.0, 0.0]), theta, 0.05, 40)
    return y[0] ** 2 + y[1]


def power_sum(f, x, n):
    if n == 0:
        return 0.0 * x
    return f(x) ** n + power_sum(f, x, n - 1)  # recursion, the function passed along


def recursive(x):
    return np.sum(power_sum(np.cos, x, 3))


SCALED = partial(mul, 3.0)


def sin_energy(v):
    return np.sum(np.sin(v) * v)


def with_partial_and_grad(x):
    g = s2s.grad(sin_energy)
    return np.sum(apply(SCALED, x)) + np.sum(apply(g, x) ** 2)


def default_function(x, act=np.tanh):
    return act(x) * 2.0


def calls_default(x):
    return np.sum(default_function(x) + default_function(x, np.sin))


def simulate_closure(theta):
    def dynamics(y, unused):  # reads theta from the caller: a closure
        return np.array([y[1], -theta[0] * y[0] - theta[1] * y[1]])

    y = integrate(dynamics, np.array([1.0, 0.0]), theta, 0.05, 30)
    return y[0] ** 2 + y[1]


def lambdas(x):
    w = x[0] * 2.0
    first = np.sum(apply(lambda v: w * np.sin(v), x))
    w = w + 1.0  # a closure reads the variable when it is called: the new value below
    scale = lambda v: v * w  # noqa: E731 -- a named lambda, passed
    return first + np.sum(apply(scale, x)) + np.sum(fold(lambda a, b: a * w + b, x, 0.0))


def no_free_variables(x):
    def cube(v):
        return v ** 3

    return np.sum(apply(cube, x)) + apply(np.sum, apply(cube, x))


def in_a_loop(x):
    s = 0.0
    for k in range(3):
        c = x[k]
        s = s + np.sum(apply(lambda v: np.tanh(v * c), x))
    return s


X = np.array([0.3, -0.8, 1.2])
THETA = np.array([2.0, 0.3])
CASES = [
    ("apply", applies, X),
    ("fold", folds, X),
    ("ode", simulate, THETA),
    ("recursion", recursive, X),
    ("partial and grad(f)", with_partial_and_grad, X),
    ("function default", calls_default, X),
    ("closure", simulate_closure, THETA),
    ("lambdas", lambdas, X),
    ("no free variables", no_free_variables, X),
    ("closure in a loop", in_a_loop, X),
]


@pytest.mark.parametrize("name,fn,x", CASES, ids=[c[0] for c in CASES])
def test_grad_against_central_differences(name, fn, x):
    want = central_difference(fn, (x,), 0)
    np.testing.assert_allclose(s2s.grad(fn)(x), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jacfwd(fn)(x), want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name,fn,x", [c for c in CASES if c[0] != "recursion"],
                         ids=[c[0] for c in CASES if c[0] != "recursion"])
def test_compiled(name, fn, x):
    np.testing.assert_allclose(s2s.jit(fn)(x), fn(x), rtol=1e-12)
    np.testing.assert_allclose(s2s.jit(s2s.grad(fn))(x), s2s.grad(fn)(x), rtol=1e-10)


def test_vmap_of_the_gradient():
    thetas = np.array([[2.0, 0.3], [1.0, 0.1], [3.0, 0.5]])
    got = s2s.vmap(s2s.grad(simulate))(thetas)
    for t, g in zip(thetas, got):
        np.testing.assert_allclose(g, central_difference(simulate, (t,), 0), rtol=1e-6, atol=1e-8)


def test_generated_source_names_the_function_passed():
    src = s2s.source(s2s.jit(applies))
    assert "def apply_square(x):" in src and "def apply_sin(x):" in src
    assert "def apply(f, x):" not in src  # only the versions made for each function remain
    src = s2s.source(s2s.jit(lambdas))
    # the closure's variable travels as an argument
    assert "def apply_lambda(x, f_w):" in src and "return lambdas_lambda(x, f_w)" in src


def test_vmap_of_a_closure_helper():
    xs = np.stack([X, X * 0.5])
    np.testing.assert_allclose(s2s.vmap(lambdas)(xs), [lambdas(r) for r in xs], rtol=1e-12)
    got = s2s.vmap(s2s.grad(lambdas))(xs)
    for r, g in zip(xs, got):
        np.testing.assert_allclose(g, central_difference(lambdas, (r,), 0), rtol=1e-6, atol=1e-8)


# -- transformations of closures inside transformed functions (JAX's training-step idiom) --
def mse(w, x, y):
    return np.mean((np.tanh(x @ w) - y) ** 2)


def step(w, x, y):
    g = s2s.grad(lambda p: mse(p, x, y))(w)
    return w - 0.5 * g


def step_def(w, x, y):
    def objective(p):
        return mse(p, x, y) + 0.01 * np.sum(p * p)

    value, g = s2s.value_and_grad(objective)(w)
    return w - 0.5 * g, value


def batched_losses(w, xs, y):
    return s2s.vmap(lambda xi: np.tanh(xi @ w) - y[0])(xs)  # w and y: the closure's, not batched


def curvature(w, x, y):
    h = s2s.hessian(lambda p: mse(p, x, y))(w)
    j = s2s.jacfwd(lambda p: np.tanh(x @ p))(w)
    return np.sum(h) + np.sum(j)


def dict_step(params, x, y):
    grads = s2s.grad(lambda p: np.mean((x @ p["w"] + p["b"] - y) ** 2))(params)
    return {"w": params["w"] - 0.1 * grads["w"], "b": params["b"] - 0.1 * grads["b"]}


R = np.random.RandomState(3)
W0, XS, YS = R.randn(3), R.randn(6, 3), R.randn(6)


def _reference_step(w):
    return w - 0.5 * central_difference(lambda p: mse(p, XS, YS), (w,), 0)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "jit"])
def test_transformations_of_closures(compiled):
    T = s2s.jit if compiled else (lambda f: f)
    np.testing.assert_allclose(T(step)(W0, XS, YS), _reference_step(W0), rtol=1e-6, atol=1e-8)
    w1, value = T(step_def)(W0, XS, YS)
    reg = lambda p: mse(p, XS, YS) + 0.01 * np.sum(p * p)  # noqa: E731
    assert value == pytest.approx(reg(W0), rel=1e-12)
    np.testing.assert_allclose(w1, W0 - 0.5 * central_difference(reg, (W0,), 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(T(batched_losses)(W0, XS, YS), np.tanh(XS @ W0) - YS[0], rtol=1e-12)
    # sum(H) and sum(J): second and first derivatives along the all-ones direction
    ones, e = np.ones(3), 1e-4
    sum_h = (mse(W0 + e * ones, XS, YS) - 2 * mse(W0, XS, YS) + mse(W0 - e * ones, XS, YS)) / e ** 2
    sum_j = central_difference(lambda s: np.sum(np.tanh(XS @ (W0 + s * ones))), (0.0,), 0)
    assert T(curvature)(W0, XS, YS) == pytest.approx(sum_h + sum_j, rel=1e-5)
    params = {"w": W0, "b": 0.3}
    got = T(dict_step)(params, XS, YS)
    loss_b = lambda b: np.mean((XS @ W0 + b - YS) ** 2)  # noqa: E731
    assert got["b"] == pytest.approx(0.3 - 0.1 * central_difference(loss_b, (0.3,), 0), rel=1e-6)


def test_grad_of_the_training_step():
    # a closure's transformation inside a function that is itself differentiated
    f = lambda w: np.sum(step(w, XS, YS) ** 2)  # noqa: E731
    np.testing.assert_allclose(s2s.grad(f)(W0), central_difference(f, (W0,), 0), rtol=1e-5, atol=1e-7)


def hvp(w, v, x):
    return s2s.jvp(s2s.grad(lambda p: np.sum(np.sin(x @ p))), (w,), (v,))[1]


def directional(w, v, x):
    return s2s.jvp(lambda p: np.tanh(x @ p), (w,), (v,))[1]


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "jit"])
def test_jvp_of_closures(compiled):
    T = s2s.jit if compiled else (lambda f: f)
    v = np.array([0.5, -1.0, 2.0])
    hessian = -(XS.T * np.sin(XS @ W0)) @ XS  # analytic: d2/dw2 sum(sin(x @ w))
    np.testing.assert_allclose(T(hvp)(W0, v, XS), hessian @ v, rtol=1e-10)
    jac = (1 - np.tanh(XS @ W0) ** 2)[:, None] * XS
    np.testing.assert_allclose(T(directional)(W0, v, XS), jac @ v, rtol=1e-10)


# -- helpers made for literal arguments (numba needs literal axes) --
def normalize(x, axis=0, keepdims=True):
    return x / np.sum(x, axis=axis, keepdims=keepdims)


def uses_axes(m):
    return np.sum(normalize(m) ** 2) + np.sum(normalize(m, 1) * m) + np.sum(normalize(m, axis=(0, 1)))


def test_helpers_with_literal_axes_compile():
    m = np.array([[0.5, 1.2, 0.8], [1.5, 0.3, 0.9]])
    np.testing.assert_allclose(s2s.jit(uses_axes)(m), uses_axes(m), rtol=1e-12)
    want = central_difference(uses_axes, (m,), 0)
    np.testing.assert_allclose(s2s.jit(s2s.grad(uses_axes))(m), want, rtol=1e-6, atol=1e-8)
    src = s2s.source(s2s.jit(uses_axes), m)
    assert "reduce_axis('sum', x, 1, True, 0)" in src  # the axis is a literal in the helper made for it


# -- a helper passing its own *args on: f(y, *params) --
def euler(f, y, dt, n, *params):
    for _ in range(n):
        y = y + dt * f(y, *params)
    return y


def decay(y, k, c):
    return -k * y + c


def logistic_growth(y, r):
    return r * y * (1.0 - y)


def damped(y, k, c=0.0, scale=1.0):
    return scale * (c - k * y)


def step_with_options(f, y, dt, **options):  # its **options passed on: made for the keys each call gives
    return y + dt * f(y, 0.5, **options)


def simulate_with_params(theta):
    a = euler(decay, np.array([1.0, 2.0]), 0.1, 10, theta[0], theta[1])
    b = euler(logistic_growth, np.array([0.1]), 0.1, 10, theta[0])
    c = euler(lambda y, s: -s * y ** 2, np.array([0.5]), 0.1, 5, theta[1])
    d = step_with_options(damped, a, 0.1, scale=theta[0], c=theta[1]) + step_with_options(damped, b, 0.2)
    return np.sum(a) + np.sum(b) + np.sum(c) + np.sum(d ** 2)


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "jit"])
def test_star_arguments_passed_on(compiled):
    want = central_difference(simulate_with_params, (THETA,), 0)
    g = s2s.grad(simulate_with_params)
    np.testing.assert_allclose((s2s.jit(g) if compiled else g)(THETA), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jacfwd(simulate_with_params)(THETA), want, rtol=1e-6, atol=1e-8)
    assert s2s.jit(simulate_with_params)(THETA) == pytest.approx(simulate_with_params(THETA), rel=1e-12)


def passes_its_varargs(y, *rest):
    return decay(y, *rest)


def test_star_arguments_of_the_transformed_function_itself_are_refused():
    with pytest.raises(UnsupportedSyntaxError, match=r"\*args"):
        s2s.grad(passes_its_varargs)(1.0, 2.0, 3.0)


def per_example_grads(ps, x):
    return s2s.vmap(s2s.grad(lambda p: mse(p, x, YS)))(ps)  # x, YS: the closure's, not batched


@pytest.mark.parametrize("compiled", [False, True], ids=["python", "jit"])
def test_vmap_of_the_gradient_of_a_closure(compiled):
    ps = np.stack([W0, W0 * 0.5, -W0])
    got = (s2s.jit(per_example_grads) if compiled else per_example_grads)(ps, XS)
    for p, g in zip(ps, got):
        np.testing.assert_allclose(g, central_difference(lambda q: mse(q, XS, YS), (p,), 0), rtol=1e-6, atol=1e-8)
