"""User rules survive other transformations: custom_jvp / custom_vjp functions called under
vmap and then differentiated, or differentiated through a nested jvp, use the user's rule
(not the derivative of their body). The rules here deliberately differ from the body's
derivative (twice it, or a constant), so a test tells which one was used."""
from functools import partial

import numpy as np
import pytest

import s2s


@s2s.custom_jvp
def twice_sin(x):
    return np.sin(x)


@twice_sin.defjvp
def _twice_sin_jvp(primals, tangents):
    x, = primals
    t, = tangents
    return twice_sin(x), 2.0 * np.cos(x) * t


@s2s.custom_vjp
def twice_sin_vjp(x):
    return np.sin(x)


def _tsv_fwd(x):
    return np.sin(x), np.cos(x)


def _tsv_bwd(c, g):
    return (2.0 * c * g,)


twice_sin_vjp.defvjp(_tsv_fwd, _tsv_bwd)


@partial(s2s.custom_jvp, nondiff_argnums=(0,))
def scaled_sin(k, x):
    return np.sin(k * x)


@scaled_sin.defjvp
def _scaled_sin_jvp(k, primals, tangents):
    x, = primals
    t, = tangents
    return scaled_sin(k, x), 5.0 * t  # not the body's k cos(kx)


def calls_twice_sin(x):
    return 3.0 * twice_sin(x)


def calls_twice_sin_vjp(x):
    return 3.0 * twice_sin_vjp(x)


def calls_scaled_sin(x):
    return scaled_sin(2.0, x)


XS = np.array([0.0, 0.7, 2.0, -1.3])
# (function, its derivative per example by the user's rule)
CASES = [
    ("custom_jvp", twice_sin, lambda x: 2.0 * np.cos(x)),
    ("custom_jvp called", calls_twice_sin, lambda x: 6.0 * np.cos(x)),
    ("custom_vjp", twice_sin_vjp, lambda x: 2.0 * np.cos(x)),
    ("custom_vjp called", calls_twice_sin_vjp, lambda x: 6.0 * np.cos(x)),
    ("nondiff argument", calls_scaled_sin, lambda x: 5.0 + 0.0 * x),
]
FORWARD = [c for c in CASES if "vjp" not in c[0]]  # custom_vjp has no forward mode (as JAX)


@pytest.mark.parametrize("name,f,df", CASES, ids=[c[0] for c in CASES])
def test_reverse_mode_of_vmap_uses_the_rule(name, f, df):
    def loss(x):
        return np.sum(s2s.vmap(f)(x))

    np.testing.assert_allclose(s2s.grad(loss)(XS), df(XS), rtol=1e-12)
    np.testing.assert_allclose(np.diag(s2s.jacrev(s2s.vmap(f))(XS)), df(XS), rtol=1e-12)
    _, pull = s2s.vjp(s2s.vmap(f), XS)
    np.testing.assert_allclose(pull(np.ones_like(XS))[0], df(XS), rtol=1e-12)


@pytest.mark.parametrize("name,f,df", FORWARD, ids=[c[0] for c in FORWARD])
def test_forward_mode_of_vmap_uses_the_rule(name, f, df):
    out, tangent = s2s.jvp(s2s.vmap(f), (XS,), (np.ones_like(XS),))
    np.testing.assert_allclose(out, [f(x) for x in XS], rtol=1e-12)
    np.testing.assert_allclose(tangent, df(XS), rtol=1e-12)
    np.testing.assert_allclose(np.diag(s2s.jacfwd(s2s.vmap(f))(XS)), df(XS), rtol=1e-12)


@pytest.mark.parametrize("name,f,df", [CASES[1], CASES[3]], ids=[CASES[1][0], CASES[3][0]])
def test_compiled_derivative_of_vmap_uses_the_rule(name, f, df):
    def loss(x):
        return np.sum(s2s.vmap(f)(x))

    np.testing.assert_allclose(s2s.jit(s2s.grad(loss))(XS), df(XS), rtol=1e-12)


def test_compiled_forward_derivative_of_vmap_uses_the_rule():
    np.testing.assert_allclose(np.diag(s2s.jit(s2s.jacfwd(s2s.vmap(calls_twice_sin)))(XS)), 6.0 * np.cos(XS),
                               rtol=1e-12)


@s2s.custom_jvp
def cos_double(x):
    return np.cos(2.0 * x) / 2.0


@cos_double.defjvp
def _cos_double_jvp(primals, tangents):
    x, = primals
    t, = tangents
    return cos_double(x), 3.0 * t


def through_jvp(x):
    y, _ = s2s.jvp(cos_double, (x,), (x,))
    return y


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_the_rule_survives_a_nested_jvp(jit):
    # JAX's test_invariance: the primal output of an inner jvp is still f, with f's rule
    wrap = s2s.jit if jit else (lambda g: g)
    np.testing.assert_allclose(s2s.jvp(through_jvp, (1.0,), (1.0,))[1], 3.0, rtol=1e-12)
    np.testing.assert_allclose(wrap(s2s.grad(through_jvp))(1.0), 3.0, rtol=1e-12)
    np.testing.assert_allclose(wrap(s2s.grad(through_jvp))(0.4), 3.0, rtol=1e-12)


# -- pytree arguments and JAX's checks -----------------------------------------------------
@s2s.custom_jvp
def dict_rule(x):
    return {"b": np.sin(x["a"]) * x["c"][0]}


@dict_rule.defjvp
def _dict_rule_jvp(primals, tangents):
    x, = primals
    t, = tangents
    # deliberately not the body's derivative: 2 cos(a) c0 da + 3 dc0
    return dict_rule(x), {"b": 2.0 * np.cos(x["a"]) * x["c"][0] * t["a"] + 3.0 * t["c"][0]}


def dict_loss(a, c):
    return dict_rule({"a": a, "c": (c, 1.0)})["b"]


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_custom_jvp_of_a_dict_in_reverse_mode(jit):
    # JAX's CustomJVPTest.test_pytrees: reverse mode transposes the rule, dict tangents and all
    wrap = s2s.jit if jit else (lambda g: g)
    ga, gc = wrap(s2s.grad(dict_loss, argnums=(0, 1)))(0.7, 1.5)
    np.testing.assert_allclose(ga, 2.0 * np.cos(0.7) * 1.5, rtol=1e-12)
    np.testing.assert_allclose(gc, 3.0, rtol=1e-12)
    x = {"a": 0.7, "c": (1.5, 1.0)}
    (ct,) = s2s.vjp(dict_rule, x)[1]({"b": 1.0})
    np.testing.assert_allclose(ct["a"], 2.0 * np.cos(0.7) * 1.5, rtol=1e-12)
    np.testing.assert_allclose(ct["c"][0], 3.0, rtol=1e-12)
    np.testing.assert_allclose(s2s.jacrev(dict_rule)(x)["b"]["a"], 2.0 * np.cos(0.7) * 1.5, rtol=1e-12)


@s2s.custom_vjp
def short_bwd(x, y):
    return x * y


def _short_fwd(x, y):
    return x * y, (x, y)


def _short_bwd(res, g):
    return (g,)  # one cotangent for two arguments


short_bwd.defvjp(_short_fwd, _short_bwd)


def calls_short_bwd(x):
    return short_bwd(x, 3.0)


@pytest.mark.parametrize("make", [lambda: s2s.grad(short_bwd)(2.0, 3.0), lambda: s2s.grad(short_bwd, argnums=1)(2.0, 3.0),
                                  lambda: s2s.grad(calls_short_bwd)(2.0)], ids=["argnums0", "argnums1", "called"])
def test_a_bwd_rule_with_too_few_cotangents_is_a_type_error(make):
    with pytest.raises(TypeError, match="one cotangent per differentiable argument of short_bwd: 2"):
        make()
