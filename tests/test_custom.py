"""custom_jvp / custom_vjp / stop_gradient / defjvp / defvjp: user rules are used by every
transformation (Python and compiled), in loops, and under higher-order derivatives."""
from functools import partial

import numpy as np
import pytest

import s2s
from s2s.errors import UnsupportedSyntaxError


@s2s.custom_vjp
def clip_gradient(x):
    return x


def _cg_fwd(x):
    return x, None


def _cg_bwd(res, g):
    return (np.clip(g, -1.0, 1.0),)


clip_gradient.defvjp(_cg_fwd, _cg_bwd)


def clipped_loss(x):
    return np.sum(clip_gradient(3.0 * x) ** 2)


@s2s.custom_jvp
def log1pexp(x):
    return np.log1p(np.exp(x))


@log1pexp.defjvp
def _log1pexp_jvp(primals, tangents):
    x, = primals
    t, = tangents
    return log1pexp(x), t * (1.0 - 1.0 / (1.0 + np.exp(x)))


def softplus_sum(x):
    return np.sum(log1pexp(x))


@s2s.custom_vjp
def scaled_sin(x, a):
    return a * np.sin(x)


def _ss_fwd(x, a):
    return a * np.sin(x), (np.cos(x), np.sin(x), a)


def _ss_bwd(res, g):
    c, s, a = res
    return g * a * c, g * s


scaled_sin.defvjp(_ss_fwd, _ss_bwd)


def loop_of_custom(x, a):
    y = x
    for _ in range(3):
        y = scaled_sin(y, a)
    return y


def _transform(jit):
    return (lambda f: s2s.jit(f)) if jit else (lambda f: f)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_custom_vjp_replaces_the_gradient(jit):
    x = np.array([0.1, 1.0, -2.0])
    got = _transform(jit)(s2s.grad(clipped_loss))(x)
    np.testing.assert_allclose(got, 3.0 * np.clip(6.0 * x, -1.0, 1.0))


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_custom_vjp_residuals_in_a_loop_and_two_arguments(jit):
    x, a = 0.7, 1.3
    gx, ga = _transform(jit)(s2s.grad(loop_of_custom, argnums=(0, 1)))(x, a)
    eps = 1e-6
    np.testing.assert_allclose(gx, (loop_of_custom(x + eps, a) - loop_of_custom(x - eps, a)) / (2 * eps), rtol=1e-7)
    np.testing.assert_allclose(ga, (loop_of_custom(x, a + eps) - loop_of_custom(x, a - eps)) / (2 * eps), rtol=1e-7)


def test_grad_of_the_custom_function_itself_uses_the_rule():
    np.testing.assert_allclose(s2s.grad(clip_gradient)(5.0), 1.0)
    assert clip_gradient(5.0) == 5.0  # called directly: its own body


def test_second_derivative_differentiates_through_the_rule():
    d2 = s2s.grad(s2s.grad(lambda x: scaled_sin(x, 2.0)))(0.4)
    np.testing.assert_allclose(d2, -2.0 * np.sin(0.4), rtol=1e-12)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_custom_jvp_in_forward_and_reverse_mode(jit):
    x = np.array([0.0, 1.0, 800.0])  # naive differentiation gives nan at 800 (inf / inf)
    want = 1.0 / (1.0 + np.exp(-x))
    with np.errstate(over="ignore"):
        got_rev = _transform(jit)(s2s.grad(softplus_sum))(x)
        _, got_fwd = s2s.jvp(softplus_sum, (x,), (np.ones(3),))
    np.testing.assert_allclose(got_rev, want, rtol=1e-12)
    np.testing.assert_allclose(got_fwd, np.sum(want), rtol=1e-12)


def test_custom_jvp_is_used_by_jacfwd_and_hessian():
    x = np.array([0.3, -0.2])
    s = 1.0 / (1.0 + np.exp(-x))
    np.testing.assert_allclose(s2s.jacfwd(log1pexp)(x), np.diag(s), rtol=1e-12)
    np.testing.assert_allclose(s2s.hessian(softplus_sum)(x), np.diag(s * (1 - s)), rtol=1e-10)


def test_custom_vjp_has_no_forward_mode():
    with pytest.raises(TypeError, match="forward-mode"):
        s2s.jvp(clipped_loss, (np.ones(2),), (np.ones(2),))


def test_missing_rule_and_unsupported_options_are_errors():
    @s2s.custom_vjp
    def no_rule(x):
        return x

    with pytest.raises(TypeError, match="defvjp"):
        s2s.grad(lambda x: no_rule(x) * 2.0)(1.0)
    with pytest.raises(TypeError, match="nondiff_argnums"):
        s2s.custom_jvp(_cg_fwd, nondiff_argnums=(1,))  # it takes one argument
    with pytest.raises(TypeError, match="callable"):
        s2s.custom_vjp(3)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_stop_gradient(jit):
    def f(x):
        return np.sum(s2s.stop_gradient(x) * x)

    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(_transform(jit)(s2s.grad(f))(x), x)
    np.testing.assert_allclose(s2s.jvp(f, (x,), (np.ones(2),))[1], np.sum(x))
    np.testing.assert_allclose(s2s.jit(f)(x), np.sum(x * x))


def _sinc_vjp(g, ans, x):
    return g * (np.cos(np.pi * x) - ans) / x


def _sinc_jvp(ans, x, dx):
    return dx * (np.cos(np.pi * x) - ans) / x


@pytest.fixture
def sinc_rules():
    """The user's rules for np.sinc in place of s2s's own, for one test only."""
    from s2s.diff.registry import JVP_RULES, VJP_RULES

    own = {table: table._rules.pop(table._lookup_key(np.sinc), None) for table in (VJP_RULES, JVP_RULES)}
    s2s.defvjp(np.sinc, _sinc_vjp)
    s2s.defjvp(np.sinc, _sinc_jvp)
    yield
    for table, rules in own.items():
        table._rules.pop(table._lookup_key(np.sinc), None)
        if rules is not None:
            table._rules[table._lookup_key(np.sinc)] = rules


def sinc_sum(x):
    return np.sum(np.sinc(x) * x)


def test_rules_registered_for_a_numpy_function(sinc_rules):
    x = np.array([0.3, 1.7, -0.6])
    eps = 1e-6
    fd = np.array([(sinc_sum(x + eps * e) - sinc_sum(x - eps * e)) / (2 * eps) for e in np.eye(3)])
    np.testing.assert_allclose(s2s.grad(sinc_sum)(x), fd, rtol=1e-7)
    np.testing.assert_allclose(s2s.jvp(sinc_sum, (x,), (np.ones(3),))[1], fd.sum(), rtol=1e-7)
    with pytest.raises(ValueError, match="twice"):
        s2s.defvjp(np.sinc, _sinc_vjp)


# -- nondiff_argnums (JAX's tests: a function, or a static int, passed as a nondiff argument)
def double(y):
    return 2.0 * y


@partial(s2s.custom_jvp, nondiff_argnums=(0,))
def app(f, x):
    return f(x)


@app.defjvp
def _app_jvp(f, primals, tangents):  # the nondiff argument first, as JAX
    (x,), (t,) = primals, tangents
    return app(f, x), 3.0 * t


@partial(s2s.custom_vjp, nondiff_argnums=(0,))
def app_vjp(f, x):
    return f(x)


def _app_vjp_fwd(f, x):  # the same arguments as app_vjp
    return app_vjp(f, x), np.cos(x)


def _app_vjp_bwd(f, cos_x, g):  # the nondiff argument first; cotangents of the others only
    return (cos_x * g,)


app_vjp.defvjp(_app_vjp_fwd, _app_vjp_bwd)


@partial(s2s.custom_vjp, nondiff_argnums=(1,))
def scaled_power(x, n):
    return x ** n


def _sp_fwd(x, n):
    return x ** n, x


def _sp_bwd(n, x, g):
    return (10.0 * g * n * x ** (n - 1),)  # 10x the true derivative: the rule is what is used


scaled_power.defvjp(_sp_fwd, _sp_bwd)


@partial(s2s.custom_jvp, nondiff_argnums=(1,))
def root(x, n):
    return x ** (1.0 / n)


@root.defjvp
def _root_jvp(n, primals, tangents):
    (x,), (t,) = primals, tangents
    y = root(x, n)
    return y, t * y / (n * x)


def uses_app(x):
    return app(double, x) + app(np.sin, x)


def uses_app_vjp(x):
    return app_vjp(double, x) * 2.0


def uses_powers(x):
    y = x * 0.0
    for _ in range(2):
        y = y + scaled_power(x, 3) + scaled_power(x, 2)
    return y


def uses_root(x):
    return root(x, 2) + root(x, 3)


def test_nondiff_function_argument_custom_jvp():
    assert app(double, 1.0) == 2.0  # called directly: its own body
    np.testing.assert_allclose(s2s.jvp(lambda x: app(double, x), (1.0,), (1.0,)), (2.0, 3.0))
    np.testing.assert_allclose(s2s.jvp(uses_app, (0.5,), (1.0,)), (1.0 + np.sin(0.5), 6.0))
    np.testing.assert_allclose(s2s.grad(uses_app)(0.5), 6.0)  # the rule's transpose
    np.testing.assert_allclose(s2s.grad(s2s.grad(uses_app))(0.5), 0.0)  # through the rule: 3t is linear


def test_nondiff_function_argument_custom_vjp():
    out, vjp_fn = s2s.vjp(lambda x: app_vjp(double, x), 1.0)
    np.testing.assert_allclose(out, 2.0)
    np.testing.assert_allclose(vjp_fn(1.0), (np.cos(1.0),))
    np.testing.assert_allclose(s2s.grad(uses_app_vjp)(0.3), 2.0 * np.cos(0.3))
    with pytest.raises(TypeError, match="forward-mode"):
        s2s.jvp(uses_app_vjp, (0.3,), (1.0,))


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_nondiff_static_int_argument(jit):
    x = np.array([1.5, -0.5])
    got = _transform(jit)(s2s.grad(lambda x: np.sum(scaled_power(x, 3) - scaled_power(x, 2))))(x)
    np.testing.assert_allclose(got, 10.0 * (3 * x ** 2 - 2 * x))  # one specialization per n
    if not jit:  # in a loop: residuals on the tape
        np.testing.assert_allclose(s2s.grad(lambda x: np.sum(uses_powers(x)))(x), 2 * 10.0 * (3 * x ** 2 + 2 * x))
    if not jit:  # custom_jvp with a nondiff int after the differentiated argument
        np.testing.assert_allclose(s2s.grad(uses_root)(2.0), 0.5 / np.sqrt(2.0) + 2.0 ** (-2 / 3) / 3)
        np.testing.assert_allclose(s2s.jvp(uses_root, (2.0,), (1.0,))[1], 0.5 / np.sqrt(2.0) + 2.0 ** (-2 / 3) / 3)


def test_nondiff_argument_as_a_jit_static_argument():
    np.testing.assert_allclose(s2s.jit(app, static_argnums=0)(double, 1.5), 3.0)
    np.testing.assert_allclose(s2s.jit(scaled_power, static_argnums=1)(2.0, 3), 8.0)


def test_nondiff_argument_must_be_known_when_transformed():
    with pytest.raises(TypeError, match="nondiff_argnums"):
        s2s.grad(app, argnums=1)(double, 1.0)  # JAX allows this; s2s needs the value at transform time

    def computed(x):
        n = int(x > 0) + 2
        return scaled_power(x, n)

    with pytest.raises(UnsupportedSyntaxError, match="nondiff_argnums"):
        s2s.grad(computed)(1.0)
    with pytest.raises(TypeError, match="nondiff_argnums"):
        s2s.custom_vjp(double, nondiff_argnums=(3,))
