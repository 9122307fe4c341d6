"""Per-example functions for the CUDA backend's tests: scalar code with the control flow
kernels must handle (value-dependent while/if/break, loops with an unmapped trip count,
helper calls, math and NumPy scalar functions, tuples in and out).

Each case: (name, function, in_axes, make_args(n), grad argnums or None). Per-example
arrays (logistic regression and MLP gradients, softmax) live on the kernel's arena. The same table
runs on the CUDA simulator (results vs the CPU vmap) and through NVVM (compile_ptx).
"""
import math

import numpy as np


def early_exit(x, y):
    s = 0.0
    i = 0
    while s < 10.0 and i < 100:
        s = s + math.sin(x) * y + 1.0
        i += 1
    if s > 5:
        s = s * x
    return s


def euler(k, x0, n):
    x = x0
    dt = 0.01
    for i in range(n):
        x = x + dt * (-k * x + math.sin(x))
    return x


def _step(x, a):
    return x * a if x < 1.0 else x / a


def with_helper(x, a):
    for i in range(5):
        x = _step(x, a)
    return x


def first_above(x, t):
    acc = 0.0
    for i in range(50):
        acc = acc + x * 0.1
        if acc > t:
            break
    return acc * x


def ufuncs(x):
    return np.sin(x) + np.exp(x) * np.tanh(x) + abs(x) + max(x, 0.2) + x ** 2.5 + np.sqrt(x + 1.0) + np.log1p(x)


def row_dot(r, w):
    s = 0.0
    for j in range(r.shape[0]):
        s += r[j] * w[j]
    return math.tanh(s)


def two_outputs(x, y):
    if x > 0.5:
        return x * y, x - y
    return y, x + y


def pair_arg(p, z):
    a, b = p
    return a * z + b * b


def collatz(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def row_loss(w, x, y):
    z = np.dot(x, w) + np.sum(x) * 0.01 - np.max(x) * 0.1 + np.mean(x) * np.min(x)
    p = 1.0 / (1.0 + np.exp(-z))
    return -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def logistic(w, x, y):
    z = np.dot(x, w)
    p = 1.0 / (1.0 + np.exp(-z))
    return -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def mlp(W, b, x):
    h = np.tanh(W @ x + b)
    return np.sum(h * h) + np.sum(W * W) * 0.01


def softmax(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


def rnn(W, x):
    """An array carried through a differentiated loop: its reverse sweep pops arrays."""
    h = np.zeros(W.shape[0])
    for t in range(x.shape[0]):
        h = np.tanh(W @ h + x[t])
    return np.sum(h * h)


def bilinear(A, X):
    """A matrix product per example (and its transposed products in the gradient)."""
    Y = np.tanh(A @ X)
    return np.sum(Y * Y)


def axis_stats(X, w):
    """Reductions along an axis and their adjoints."""
    s = np.sum(X * X, axis=1)
    m = np.mean(np.tanh(X), axis=0)
    return np.sum(s) * 0.1 + np.dot(m, w) + np.sum(np.sum(X, axis=-1) * s)


def centered(x):
    """Adjoints of whole-array reductions broadcast back (np.max's tie mask, np.sum's spread)."""
    z = x - np.max(x) - np.sum(x) * 0.1
    return np.sum(z * z)


def slice_store(x):
    """A slice of a per-example array stored from another array (no NRT in kernels)."""
    y = x * 1.0
    y[1:3] = x[0:2] * 2.0
    return np.sum(y * y)


def scaled(x, s):
    return x * s + 1.0


def stepper(x, n, mode):
    """For static arguments: a trip count and a mode string baked into the kernel."""
    s = x
    for i in range(n):
        s = s * 0.5 + 1.0 if mode == "half" else s + np.sin(s)
    return s


def _x(n):
    return np.linspace(0.1, 1.3, n)


CASES = [
    ("early_exit", early_exit, (0, None), lambda n: (_x(n), 2.0), (0, 1)),
    ("euler", euler, (0, None, None), lambda n: (_x(n), 1.0, 150), (0, 1)),
    ("with_helper", with_helper, (0, 0), lambda n: (_x(n), 1.0 + _x(n)), (0, 1)),
    ("first_above", first_above, (0, None), lambda n: (_x(n), 0.7), (0,)),
    ("ufuncs", ufuncs, 0, lambda n: (_x(n),), (0,)),
    ("row_dot", row_dot, (0, None), lambda n: (np.linspace(-1, 1, 3 * n).reshape(n, 3), np.array([0.5, -1.0, 2.0])), None),
    ("row_dot_axis1", row_dot, (1, None), lambda n: (np.linspace(-1, 1, 3 * n).reshape(3, n), np.array([0.5, -1.0, 2.0])), None),
    ("two_outputs", two_outputs, (0, None), lambda n: (_x(n), 3.0), None),
    ("pair_arg", pair_arg, ((0, None), 0), lambda n: ((_x(n), 2.0), _x(n)[::-1].copy()), None),
    ("row_loss", row_loss, (None, 0, 0), lambda n: (np.array([0.3, -0.2, 0.5]),
                                                     np.linspace(-1, 1, 3 * n).reshape(n, 3), np.linspace(0.1, 0.9, n)), (2,)),
    # per-example arrays: computed on the thread's arena
    ("logistic", logistic, (None, 0, 0), lambda n: (np.array([0.3, -0.2, 0.5, 0.1]),
                                                    np.linspace(-1, 1, 4 * n).reshape(n, 4), np.linspace(0.1, 0.9, n)), (0,)),
    ("mlp", mlp, (None, None, 0), lambda n: (np.linspace(-1, 1, 15).reshape(5, 3), np.linspace(0, 1, 5),
                                            np.linspace(-2, 2, 3 * n).reshape(n, 3)), (0, 1)),
    ("rnn", rnn, (None, 0), lambda n: (np.linspace(-0.8, 0.8, 9).reshape(3, 3),
                                      np.linspace(-1, 1, 12 * n).reshape(n, 4, 3)), (0, 1)),
    ("bilinear", bilinear, (None, 0), lambda n: (np.linspace(-0.5, 0.5, 12).reshape(4, 3),
                                                np.linspace(-1, 1, 6 * n).reshape(n, 3, 2)), (0, 1)),
    ("axis_stats", axis_stats, (0, None), lambda n: (np.linspace(-1, 1, 12 * n).reshape(n, 4, 3),
                                                    np.array([0.5, -1.0, 2.0])), (0, 1)),
    ("centered", centered, 0, lambda n: (np.linspace(-1, 1, 5 * n).reshape(n, 5) ** 3,), (0,)),
    ("slice_store", slice_store, 0, lambda n: (np.linspace(-1, 1, 4 * n).reshape(n, 4),), (0,)),
    ("softmax", softmax, 0, lambda n: (np.linspace(-2, 2, 6 * n).reshape(n, 6),), None),
    ("scaled", scaled, (1, 0), lambda n: (np.linspace(-2, 2, 3 * n).reshape(3, n), _x(n)), None),
    ("collatz", collatz, 0, lambda n: (np.arange(1, n + 1),), None),
]
