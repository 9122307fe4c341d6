"""NumPy sources standing in for NumPy functions s2s has no rule for (parse/stand_ins.py maps
`np.multiply.outer` & co. to these), transformed like the user's own helpers.

ufunc.outer(a, b) of the arithmetic ufuncs: every element of a with every element of b, the
result shaped a.shape + b.shape -- written as the ufunc of a column and a row, reshaped.
np.vander(x, N, increasing): the columns are powers of x built by repeated products (no
0 ** 0 in a derivative). math.fsum(seq): the sum (its derivative is the sum's; the value is
not compensated as math.fsum's).
"""
import numpy as np


def add_outer(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.add(a.reshape((-1, 1)), b.reshape((1, -1))).reshape(a.shape + b.shape)


def subtract_outer(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.subtract(a.reshape((-1, 1)), b.reshape((1, -1))).reshape(a.shape + b.shape)


def multiply_outer(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.multiply(a.reshape((-1, 1)), b.reshape((1, -1))).reshape(a.shape + b.shape)


def divide_outer(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.divide(a.reshape((-1, 1)), b.reshape((1, -1))).reshape(a.shape + b.shape)


def power_outer(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.power(a.reshape((-1, 1)), b.reshape((1, -1))).reshape(a.shape + b.shape)


def maximum_outer(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.maximum(a.reshape((-1, 1)), b.reshape((1, -1))).reshape(a.shape + b.shape)


def minimum_outer(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.minimum(a.reshape((-1, 1)), b.reshape((1, -1))).reshape(a.shape + b.shape)


def hypot_outer(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.hypot(a.reshape((-1, 1)), b.reshape((1, -1))).reshape(a.shape + b.shape)


def arctan2_outer(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.arctan2(a.reshape((-1, 1)), b.reshape((1, -1))).reshape(a.shape + b.shape)


def logaddexp_outer(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.logaddexp(a.reshape((-1, 1)), b.reshape((1, -1))).reshape(a.shape + b.shape)


def vander(x, N=None, increasing=False):
    n = x.shape[0] if N is None else N
    cols = [np.ones(x.shape[0]) + 0.0 * x]
    for k in range(1, n):
        cols.append(cols[k - 1] * x)
    v = np.stack(cols, axis=1)
    return v if increasing else v[:, ::-1]


def math_fsum(seq):
    total = 0.0
    for v in seq:
        total = total + v
    return total
