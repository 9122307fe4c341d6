"""Common neural-network functions, as `jax.nn` names them, written in NumPy.

They are plain Python functions that s2s transforms like a helper of yours (differentiated,
batched, compiled), so `s2s.grad(lambda x: np.sum(nn.softplus(x)))` works and the generated
source shows their bodies. Numerically stable forms: softplus and log_sigmoid through
logaddexp, log_softmax and logsumexp with the maximum taken out.
"""
import math

import numpy as np

try:
    from scipy.special import erf as _erf  # exact gelu (scipy's rules differentiate it)
except ImportError:  # pragma: no cover -- scipy is optional
    _erf = None


def relu(x):
    """max(x, 0); its derivative at 0 is 0 (as JAX's; np.maximum would split the tie)."""
    return np.where(x > 0, x, 0.0)


def relu6(x):
    return np.minimum(np.maximum(x, 0.0), 6.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def softplus(x):
    return np.logaddexp(x, 0.0)


def silu(x):
    """x * sigmoid(x) (also called swish)."""
    return x / (1.0 + np.exp(-x))


def swish(x):
    return x / (1.0 + np.exp(-x))


def gelu(x, approximate=True):
    """The tanh approximation (JAX's default) or, with approximate=False, x * Phi(x)."""
    if approximate:
        return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    if _erf is None:
        raise ImportError("gelu(approximate=False) needs scipy (scipy.special.erf)")
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def leaky_relu(x, negative_slope=0.01):
    return np.where(x >= 0, x, negative_slope * x)


def hard_tanh(x):
    return np.clip(x, -1.0, 1.0)


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) along `axis`, with the maximum taken out first."""
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    if keepdims:
        return out
    return np.squeeze(out, axis=axis) if axis is not None else out.reshape(())


def log_softmax(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def one_hot(x, num_classes):
    """x's integer labels as rows of num_classes zeros with a one (a constant)."""
    return (np.expand_dims(x, -1) == np.arange(num_classes)) * 1.0


def _mark():
    # Transformed like a user's helper (s2s's own modules are otherwise library code).
    for fn in (relu, relu6, sigmoid, log_sigmoid, softplus, silu, swish, gelu, elu, leaky_relu, hard_tanh,
               logsumexp, log_softmax, softmax, one_hot):
        fn.__s2s_function__ = fn


_mark()
