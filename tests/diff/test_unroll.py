"""Loops over containers of known structure (s2s/diff/unroll.py): JAX's MLP `for W, b in
params`, starred unpacking `*hidden, last = params`, slices of a parameter list, loops over
literal lists -- grad against central differences (Python and s2s.jit), jacfwd, hessian and
vmap(grad); and a parameter reassigned once (`x = np.tanh(x @ W)`), which must be saved."""
import numpy as np
import pytest
from grad_cases import central_difference

import s2s

RNG = np.random.default_rng(3)
PARAMS = [(RNG.normal(size=(3, 4)), RNG.normal(size=4)), (RNG.normal(size=(4, 4)), RNG.normal(size=4)),
          (RNG.normal(size=(4, 2)), RNG.normal(size=2))]
X = RNG.normal(size=(5, 3))


def mlp(params, x):
    for W, b in params:
        x = np.tanh(x @ W + b)
    return np.sum(x * x)


def mlp_linear_head(params, x):
    *hidden, last = params
    for W, b in hidden:
        x = np.tanh(x @ W + b)
    W, b = last
    return np.sum((x @ W + b) ** 2)


def sliced_layers(params, x):
    first, rest = params[0], params[1:]
    x = np.sin(x @ first[0] + first[1])
    for k, (W, b) in enumerate(rest):
        x = np.tanh(x @ W + b) * (k + 1.0)
    return np.sum(x)


def literal_list(x):
    s = 0.0
    for v in [x[0], x[1] * 2.0, np.sin(x[2])]:
        s = s + v * v * s + v
    return s


def dict_views(d):
    s = 0.0
    for k, v in d.items():
        s = s * 0.5 + np.sum(v * v) * (2.0 if k == "w" else 1.0)
    return s + sum(np.sum(np.sin(v)) for v in d.values())


def reassigned_parameter(x, W):
    y = x @ W
    x = np.tanh(y)
    return np.sum(x @ W)


def _flat(tree):
    return np.concatenate([np.ravel(a) for pair in tree for a in pair])


def _fd_params(fn, params, x):
    """Central differences w.r.t. every array of the parameter list, as one flat vector
    (`x`: the other argument, or a tuple of them)."""
    rest = x if isinstance(x, tuple) else (x,)
    out = []
    for i, pair in enumerate(params):
        for j, a in enumerate(pair):
            def f(z, i=i, j=j):
                p = [list(q) for q in params]
                p[i][j] = z
                return fn([tuple(q) for q in p], *rest)
            out.append(np.ravel(central_difference(f, (a,), 0)))
    return np.concatenate(out)


@pytest.mark.parametrize("fn", [mlp, mlp_linear_head, sliced_layers], ids=["mlp", "linear_head", "sliced"])
def test_grad_of_parameter_list(fn):
    got = s2s.grad(fn)(PARAMS, X)
    assert isinstance(got, list) and len(got) == 3 and all(isinstance(p, tuple) for p in got)
    np.testing.assert_allclose(_flat(got), _fd_params(fn, PARAMS, X), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.grad(fn, argnums=1)(PARAMS, X), central_difference(lambda z: fn(PARAMS, z), (X,), 0),
                               rtol=1e-6, atol=1e-8)


def test_forward_mode_and_hessian():
    x = X[:2]
    want = central_difference(lambda z: mlp(PARAMS, z), (x,), 0)
    np.testing.assert_allclose(s2s.jacfwd(mlp, argnums=1)(PARAMS, x), want, rtol=1e-6, atol=1e-8)
    g = s2s.grad(mlp, argnums=1)
    fd = np.stack([central_difference(lambda z, i=i: g(PARAMS, z).ravel()[i], (x,), 0) for i in range(x.size)])
    np.testing.assert_allclose(s2s.hessian(mlp, argnums=1)(PARAMS, x).reshape(x.size, x.size),
                               fd.reshape(x.size, x.size), rtol=1e-5, atol=1e-7)


def test_per_example_gradients():
    per_example = s2s.vmap(s2s.grad(mlp), in_axes=(None, 0))(PARAMS, X[:, None, :])
    for k in range(X.shape[0]):
        np.testing.assert_allclose(_flat([tuple(a[k] for a in pair) for pair in per_example]),
                                   _flat(s2s.grad(mlp)(PARAMS, X[k:k + 1])), rtol=1e-10)


def test_literal_list_loop():
    x = np.array([0.4, -0.3, 1.1])
    np.testing.assert_allclose(s2s.grad(literal_list)(x), central_difference(literal_list, (x,), 0), rtol=1e-6)
    np.testing.assert_allclose(s2s.jacfwd(literal_list)(x), central_difference(literal_list, (x,), 0), rtol=1e-6)


def over_rows(a):
    s = 0.0
    for r in a:
        s = s + np.sum(r * r) * s + np.sum(r)
    return s


def _loops(fn):
    code = s2s.source(s2s.grad(fn)).split(f"def {fn.__name__}_vjp")[1]
    return [line for line in code.splitlines() if line.strip().startswith("for ")]


def test_only_container_loops_are_unrolled():
    assert _loops(literal_list) == []
    assert len(_loops(over_rows)) == 2  # the forward loop and the reversed one
    a = RNG.normal(size=(3, 2))
    np.testing.assert_allclose(s2s.grad(over_rows)(a), central_difference(over_rows, (a,), 0), rtol=1e-6)


def test_reassigned_parameter_is_saved():
    x, W = RNG.normal(size=(2, 3)), RNG.normal(size=(3, 3))
    np.testing.assert_allclose(s2s.grad(reassigned_parameter, argnums=1)(x, W),
                               central_difference(reassigned_parameter, (x, W), 1), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.grad(reassigned_parameter)(x, W),
                               central_difference(reassigned_parameter, (x, W), 0), rtol=1e-6, atol=1e-8)


def test_dict_items_and_values():
    d = {"w": RNG.normal(size=(2, 3)), "b": RNG.normal(size=3)}
    got = s2s.grad(dict_views)(d)
    assert list(got) == ["w", "b"]
    for k in d:
        def f(z, k=k):
            return dict_views({**d, k: z})
        want = central_difference(f, (d[k],), 0)
        np.testing.assert_allclose(got[k], want, rtol=1e-6, atol=1e-8)
        v = RNG.normal(size=d[k].shape)
        _, tangent = s2s.jvp(dict_views, (d,), ({j: (v if j == k else np.zeros_like(d[j])) for j in d},))
        np.testing.assert_allclose(tangent, np.sum(want * v), rtol=1e-6)


def predict(params, inputs):  # JAX's README
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs


def readme_loss(params, inputs, targets):
    preds = predict(params, inputs)
    return np.sum((preds - targets) ** 2)


def test_jax_readme_per_example_gradients_compiled():
    """`perex_grads = jit(vmap(grad_loss, in_axes=(None, 0, 0)))` of JAX's README."""
    params, xs, ys = PARAMS[::2], X, RNG.normal(size=(5, 2))
    per = s2s.jit(s2s.vmap(s2s.grad(readme_loss), in_axes=(None, 0, 0)))(params, xs, ys)
    for i in range(len(xs)):
        want = _fd_params(readme_loss, params, (xs[i], ys[i])) if i == 0 else _flat(s2s.grad(readme_loss)(params, xs[i], ys[i]))
        np.testing.assert_allclose(_flat([tuple(a[i] for a in pair) for pair in per]), want, rtol=1e-6, atol=1e-8)
