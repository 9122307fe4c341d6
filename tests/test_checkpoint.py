"""`checkpoint` / `remat` (JAX's, for code written against JAX): the function itself, as a
decorator, a call and inside transformed code; derivatives equal the plain function's, in
Python and numba, and match central differences."""
import numpy as np
import pytest

import s2s

X = np.array([0.3, -0.2, 0.9])
W = 0.7


@s2s.checkpoint
def layer(w, x):
    return np.tanh(w * x)


@s2s.checkpoint(policy=None, prevent_cse=False)
def layer2(w, x):
    return np.sin(w * x)


def net(w, x):
    h = layer(w, x)
    h = s2s.checkpoint(layer2)(w, h)

    def scale(v):
        return v * w
    h = s2s.remat(scale)(h)
    h = s2s.checkpoint(lambda v: v * np.cos(w))(h)  # a lambda reading w
    rescale = s2s.checkpoint(scale)  # a local bound to checkpoint of a nested def, and of a lambda
    shift = s2s.checkpoint(lambda v: v + w)
    return np.sum(shift(rescale(h)) ** 2)


def net_plain(w, x):
    h = np.sin(w * np.tanh(w * x)) * w * np.cos(w) * w + w
    return np.sum(h ** 2)


def test_it_is_the_function_itself():
    assert s2s.checkpoint(net_plain) is net_plain and s2s.remat is s2s.checkpoint
    assert layer(W, X) == pytest.approx(np.tanh(W * X))
    with pytest.raises(TypeError, match="checkpoint expects a callable"):
        s2s.checkpoint(3.0)


@pytest.mark.parametrize("jit", [False, True], ids=["python", "numba"])
def test_derivatives_through_checkpointed_calls(jit):
    run = s2s.jit if jit else (lambda f: f)
    assert run(net)(W, X) == pytest.approx(net_plain(W, X), rel=1e-14)
    gw, gx = run(s2s.grad(net, argnums=(0, 1)))(W, X)
    want_w, want_x = s2s.grad(net_plain, argnums=(0, 1))(W, X)
    assert gw == pytest.approx(want_w, rel=1e-13)
    np.testing.assert_allclose(gx, want_x, rtol=1e-13)
    eps = 1e-6
    assert gw == pytest.approx((net_plain(W + eps, X) - net_plain(W - eps, X)) / (2 * eps), rel=1e-7)
    np.testing.assert_allclose(run(s2s.grad(s2s.checkpoint(net)))(W, X), want_w, rtol=1e-13)
