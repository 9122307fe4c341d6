"""Batch rules of elementwise operations (s2s/vectorize/rules/elementwise.py): ufuncs,
operators, comparisons, where/clip, builtins and math of batched scalars; operands of
different per-example ranks, mapped or not, broadcast with the batch axis first."""
import math

import numpy as np
import pytest

from vectorize.batch_check import check, examples, params, vecs


def ufuncs(x, y):
    return np.exp(-x * x) + np.sin(x) * np.cos(y) - np.tanh(x) / (1.0 + np.abs(y)) + np.arctan2(x, y)


def operators(x, y):
    return (x + y) * (x - y) / (y * y + 1.0) - x ** 2 + (-y) + 2.0 ** x + x // 1.0 + x % 0.5


def ranks_differ(x, A):  # x (3,), A (2, 3): x must gain an axis after the batch axis
    return A * x + np.maximum(A, x) - x


def scalar_and_matrix(c, A):
    return c * A + np.minimum(c, A) + A / c


def comparisons(x, y):
    return (x > y) & (y <= 0.5) | (x == x), np.logical_and(x < 0.0, y != 0.0), ~(x >= y)


def where_clip(x, y):
    return np.where(x > 0.0, x, 0.1 * y), np.clip(x, -0.5, 0.5), np.where(y > 0.0, 1.0, x)


def scalar_math(a, b):
    return math.exp(a) + math.sin(b) * math.sqrt(a) + math.log(a) + math.log(a, 2.0) + abs(b - 1.0) + math.pow(a, b)


def builtins(a, b):
    return max(a, b), min(a, b, 1.0), float(a) * 2.0, int(a * 10.0), math.floor(a * 3.0), bool(a > b)


def casts(x, y):
    return x.astype(np.float32) * 2, np.float64(y) + 1.0, np.round(x, 2) + np.real(y)


def integer_ops(i, j):
    return i * j + i // 2 - j % 3, i << 1, np.power(i, 2)


def more_ufuncs(x, y):
    return (np.sinc(x) + np.arcsinh(x) * np.fmax(x, y) + np.copysign(x, y) + np.logaddexp2(x, y) - np.fmin(x, y)
            + np.float_power(np.abs(y) + 0.5, x) + np.exp2(x) + np.cbrt(x) + np.deg2rad(x) * np.rad2deg(y))


def more_math(a, b):
    return math.degrees(a) + math.radians(b) + math.fmod(a, b) + math.asinh(a) * math.copysign(a, b - 1.0)


def math_erf(a, b):  # no NumPy twin: the per-example loop
    return math.erf(a) * b + math.erfc(b)


TABLE = {
    "ufuncs": (ufuncs, vecs((3,), (3,)), (1, 1)),
    "operators": (operators, vecs((2, 3), (2, 3)), (2, 2)),
    "ranks_differ": (ranks_differ, vecs((3,), (2, 3)), (1, 2)),
    "scalar_and_matrix": (scalar_and_matrix, vecs((), (2, 3)), (0, 2)),
    "comparisons": (comparisons, vecs((3,), (3,)), (1, 1)),
    "where_clip": (where_clip, vecs((3,), (3,)), (1, 1)),
    "scalar_math": (scalar_math, vecs((), (), low=0.5, high=2.0), (0, 0)),
    "builtins": (builtins, vecs((), (), low=0.5, high=2.0), (0, 0)),
    "casts": (casts, vecs((3,), (3,)), (1, 1)),
    "integer_ops": (integer_ops, vecs((3,), (3,), ints=(0, 1)), (1, 1)),
    "more_ufuncs": (more_ufuncs, vecs((3,), (3,)), (1, 1)),
    "more_math": (more_math, vecs((), (), low=0.5, high=2.0), (0, 0)),
}


@pytest.mark.parametrize("f, factory, in_axes", params(TABLE))
def test_elementwise(f, factory, in_axes):
    check(f, examples(factory), in_axes)


@pytest.mark.parametrize("name, in_axes, out_axes", [
    ("ranks_differ", (0, 1), 1), ("scalar_math", (0, 0), 0),
])
def test_elementwise_compiled(name, in_axes, out_axes):
    f, factory, _ = TABLE[name]
    check(f, examples(factory), in_axes, out_axes, compiled=True)


def test_generated_source_aligns_ranks():
    v, args = check(ranks_differ, examples(vecs((3,), (2, 3))), (0, None))
    assert "x[:, None]" in v.source(*args)


def test_math_without_a_numpy_twin_falls_back_to_a_loop():
    check(math_erf, examples(vecs((), (), low=0.5, high=2.0)), (0, 0), strategy="auto")
