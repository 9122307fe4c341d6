"""Tests for s2s.random: explicit, splittable, reproducible keys.

Pinned values are never copied from the implementation's output: they are recomputed
here from the algorithm documented in s2s/random.py, by constructing np.random.Philox
directly.
"""
import subprocess
import sys

import numpy as np
import pytest

from s2s import random

M32 = 0xFFFFFFFF


def bits(k):
    return (int(k[0]) << 32) | int(k[1])


def philox(k, tag, counter=0):
    return np.random.Philox(key=np.array([k, tag], dtype=np.uint64), counter=counter)


def as_key(word):
    word = int(word)
    return np.array([word >> 32, word & M32], dtype=np.uint32)


# --- keys --------------------------------------------------------------------------------

@pytest.mark.parametrize("seed, expected", [
    (0, [0, 0]),
    (1701, [0, 1701]),
    (2**32, [1, 0]),
    (2**64 - 1, [M32, M32]),
    (-1, [M32, M32]),
    (-2, [M32, M32 - 1]),
    (2**64 + 5, [0, 5]),
    (2**100 + 7, [0, 7]),
    (np.int64(42), [0, 42]),
    (np.uint64(2**63), [2**31, 0]),
    (np.array(9), [0, 9]),
])
def test_key_from_seed(seed, expected):
    k = random.key(seed)
    assert k.dtype == np.uint32 and k.shape == (2,)
    np.testing.assert_array_equal(k, np.array(expected, dtype=np.uint32))
    np.testing.assert_array_equal(random.PRNGKey(seed), k)


@pytest.mark.parametrize("seed", [1.0, np.float32(2.0), "3", None, [1, 2], np.array([1]),
                                  np.zeros((2, 2), int), True, np.array(1.5)])
def test_key_rejects_non_integers(seed):
    with pytest.raises(TypeError, match="seed must be an integer"):
        random.key(seed)


@pytest.mark.parametrize("bad, exc, msg", [
    ([0, 1], TypeError, "expects a key"),
    ((0, 1), TypeError, "expects a key"),
    (5, TypeError, "expects a key"),
    (np.array([0, 1]), TypeError, "dtype uint32"),
    (np.array([0, 1], dtype=np.uint64), TypeError, "dtype uint32"),
    (np.array([0.0, 1.0]), TypeError, "dtype uint32"),
    (np.zeros(3, np.uint32), ValueError, "shape \\(2,\\)"),
    (np.zeros((), np.uint32), ValueError, "shape \\(2,\\)"),
    (np.zeros((3, 2), np.uint32), ValueError, "pass one row"),
])
@pytest.mark.parametrize("call", [
    lambda k: random.split(k),
    lambda k: random.fold_in(k, 1),
    lambda k: random.normal(k),
    lambda k: random.uniform(k),
    lambda k: random.bernoulli(k),
    lambda k: random.randint(k, (), 0, 2),
    lambda k: random.permutation(k, 3),
    lambda k: random.choice(k, 3),
])
def test_bad_keys_rejected(bad, exc, msg, call):
    with pytest.raises(exc, match=msg):
        call(bad)


# --- pinned values, recomputed from the documented algorithm ----------------------------

def test_split_matches_documented_algorithm():
    k = random.key(1701)
    words = philox(1701, 1).random_raw(3)
    np.testing.assert_array_equal(random.split(k, 3), np.stack([as_key(w) for w in words]))


def test_fold_in_matches_documented_algorithm():
    k = random.key(7)
    for data in (0, 1, 12345, -1, 2**64 + 3):
        w = philox(7, 2, counter=data % 2**64).random_raw(1)[0]
        np.testing.assert_array_equal(random.fold_in(k, data), as_key(w))


def test_uniform_matches_documented_algorithm():
    k = random.key(3)
    w = philox(3, 0).random_raw(6)
    np.testing.assert_array_equal(random.uniform(k, (2, 3)),
                                  ((w >> np.uint64(11)) * 2.0**-53).reshape(2, 3))
    np.testing.assert_array_equal(random.uniform(k, 6, np.float32),
                                  ((w >> np.uint64(40)) * 2.0**-24).astype(np.float32))
    np.testing.assert_array_equal(random.uniform(k, 6, minval=-2.0, maxval=3.0),
                                  -2.0 + 5.0 * ((w >> np.uint64(11)) * 2.0**-53))


def test_normal_matches_documented_algorithm():
    k = random.key(11)
    w = philox(11, 0).random_raw(6)
    u1 = ((w[0::2] >> np.uint64(11)) + 1.0) * 2.0**-53
    u2 = (w[1::2] >> np.uint64(11)) * 2.0**-53
    r = np.sqrt(-2 * np.log(u1))
    expected = []
    for i in range(3):
        expected += [r[i] * np.cos(2 * np.pi * u2[i]), r[i] * np.sin(2 * np.pi * u2[i])]
    np.testing.assert_array_equal(random.normal(k, 6), expected)
    np.testing.assert_array_equal(random.normal(k, 5), expected[:5])  # odd count
    np.testing.assert_array_equal(random.normal(k, (), np.float32), np.float32(expected[0]))


def test_extras_match_documented_algorithm():
    k = random.key(5)

    def gen():
        return np.random.Generator(philox(5, 0))

    np.testing.assert_array_equal(random.randint(k, (4,), -3, 9),
                                  gen().integers(-3, 9, size=(4,), dtype=np.int64))
    np.testing.assert_array_equal(random.permutation(k, 10), gen().permutation(10))
    np.testing.assert_array_equal(random.choice(k, 10, (4,), replace=False),
                                  gen().choice(10, size=(4,), replace=False))
    np.testing.assert_array_equal(random.bernoulli(k, 0.5, (8,)),
                                  random.uniform(k, (8,)) < 0.5)


# --- reproducibility and independence ---------------------------------------------------

SAMPLERS = [
    ("normal", lambda k: random.normal(k, (50,))),
    ("uniform", lambda k: random.uniform(k, (50,))),
    ("bernoulli", lambda k: random.bernoulli(k, 0.5, (200,))),
    ("randint", lambda k: random.randint(k, (50,), 0, 1000)),
    ("permutation", lambda k: random.permutation(k, 50)),
    ("choice", lambda k: random.choice(k, 1000, (50,))),
    ("split", lambda k: random.split(k, 4)),
    ("fold_in", lambda k: random.fold_in(k, 3)),
]


@pytest.mark.parametrize("name, sample", SAMPLERS, ids=[s[0] for s in SAMPLERS])
def test_same_key_same_numbers_different_keys_differ(name, sample):
    k = random.key(0)
    np.testing.assert_array_equal(sample(k), sample(random.key(0)))
    np.testing.assert_array_equal(sample(k), sample(k))
    np.testing.assert_array_equal(k, random.key(0))  # the key is not mutated
    k1, k2 = random.split(k)
    outs = [sample(x) for x in (k, random.key(1), k1, k2, random.fold_in(k, 1))]
    for i in range(len(outs)):
        for j in range(i):
            assert not np.array_equal(outs[i], outs[j]), (name, i, j)


def test_reproducible_across_processes():
    code = ("from s2s import random; k = random.key(1701); k1, k2 = random.split(k);"
            "print(repr(random.normal(k1, (3,)).tolist()), "
            "repr(random.uniform(random.fold_in(k2, 9), (3,)).tolist()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    k1, k2 = random.split(random.key(1701))
    here = (f"{random.normal(k1, (3,)).tolist()!r} "
            f"{random.uniform(random.fold_in(k2, 9), (3,)).tolist()!r}")
    assert out == here


def test_split_children_pairwise_distinct_and_differ_from_parent():
    for seed in (0, 1, 1701, 2**64 - 1):
        k = random.key(seed)
        keys = random.split(k, 100)
        assert keys.shape == (100, 2) and keys.dtype == np.uint32
        rows = {tuple(r) for r in keys.tolist()}
        assert len(rows) == 100 and tuple(k.tolist()) not in rows
        np.testing.assert_array_equal(random.split(k, 2), keys[:2])  # prefix-consistent
    # Rows of split's output are valid keys, including when unpacked.
    a, b = random.split(random.key(0))
    assert a.shape == (2,) and a.dtype == np.uint32
    assert not np.array_equal(random.normal(a, 3), random.normal(b, 3))


@pytest.mark.parametrize("num", [0, 1, 2, 5, np.int64(3)])
def test_split_num(num):
    assert random.split(random.key(2), num).shape == (int(num), 2)


def test_split_bad_num():
    with pytest.raises(ValueError, match="num"):
        random.split(random.key(0), -1)
    with pytest.raises(TypeError, match="num must be an integer"):
        random.split(random.key(0), 2.0)


def test_fold_in_different_data_differ():
    k = random.key(42)
    keys = [tuple(random.fold_in(k, d).tolist()) for d in range(200)]
    assert len(set(keys)) == 200 and tuple(k.tolist()) not in keys
    split_rows = {tuple(r) for r in random.split(k, 200).tolist()}
    assert not split_rows & set(keys)
    np.testing.assert_array_equal(random.fold_in(k, np.int32(7)), random.fold_in(k, 7))
    with pytest.raises(TypeError, match="data must be an integer"):
        random.fold_in(k, 1.5)


# --- shapes and dtypes ------------------------------------------------------------------

@pytest.mark.parametrize("shape, expected", [
    ((), ()), (5, (5,)), (np.int64(4), (4,)), ((3,), (3,)), ((2, 3), (2, 3)),
    ([2, 2], (2, 2)), ((0,), (0,)), ((2, 0, 3), (2, 0, 3)),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, "float32", np.float16])
@pytest.mark.parametrize("fn", [random.normal, random.uniform])
def test_float_shapes_and_dtypes(fn, shape, expected, dtype):
    out = fn(random.key(0), shape, dtype)
    assert isinstance(out, np.ndarray)
    assert out.shape == expected and out.dtype == np.dtype(dtype)
    assert np.all(np.isfinite(out))


def test_default_dtype_is_float64():
    assert random.normal(random.key(0), 3).dtype == np.float64
    assert random.uniform(random.key(0), 3).dtype == np.float64


@pytest.mark.parametrize("fn", [random.normal, random.uniform])
@pytest.mark.parametrize("dtype", [np.int32, np.int64, bool, np.complex128])
def test_non_float_dtype_rejected(fn, dtype):
    with pytest.raises(TypeError, match="must be a float dtype"):
        fn(random.key(0), (3,), dtype)


@pytest.mark.parametrize("shape, exc", [
    ((-1,), ValueError), (-2, ValueError), (1.5, TypeError), ((2.0, 3), TypeError),
    ("ab", TypeError),
])
def test_bad_shape_rejected(shape, exc):
    with pytest.raises(exc, match="shape"):
        random.normal(random.key(0), shape)


# --- statistical sanity (1e5 samples, generous bounds) ----------------------------------

N = 100_000


@pytest.mark.parametrize("seed", [0, 1, 1701])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_normal_statistics(seed, dtype):
    x = random.normal(random.key(seed), N, dtype).astype(np.float64)
    assert abs(x.mean()) < 0.02 and abs(x.std() - 1) < 0.02
    assert abs(np.mean(np.abs(x) < 1) - 0.6827) < 0.01


@pytest.mark.parametrize("lo, hi", [(0.0, 1.0), (-3.0, 5.0), (10.0, 10.5), (-1e-3, 0.0)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_uniform_statistics_and_range(lo, hi, dtype):
    x = random.uniform(random.key(4), N, dtype, minval=lo, maxval=hi)
    assert x.min() >= dtype(lo) and x.max() < dtype(hi)
    width = hi - lo
    assert abs(x.astype(np.float64).mean() - (lo + hi) / 2) < 0.01 * width
    hist = np.histogram(x.astype(np.float64), bins=10, range=(lo, hi))[0]
    assert np.all(np.abs(hist - N / 10) < 0.05 * N / 10)


def test_uniform_never_reaches_maxval_after_rounding():
    # A range so narrow that lo + (hi - lo) * u rounds to hi for u close to 1.
    lo, hi = np.float32(1.0), np.nextafter(np.float32(1.0), np.float32(2.0))
    x = random.uniform(random.key(0), 10_000, np.float32, lo, hi)
    assert np.all(x == lo)
    assert np.all(random.uniform(random.key(0), 10, minval=2.0, maxval=2.0) == 2.0)


def test_uniform_array_bounds_broadcast():
    x = random.uniform(random.key(0), (1000, 2), minval=[0.0, 10.0], maxval=[1.0, 20.0])
    assert np.all((x[:, 0] >= 0) & (x[:, 0] < 1)) and np.all((x[:, 1] >= 10) & (x[:, 1] < 20))


@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_bernoulli_rate(p):
    x = random.bernoulli(random.key(8), p, (N,))
    assert x.dtype == np.bool_ and x.shape == (N,)
    assert abs(x.mean() - p) < 0.01


def test_bernoulli_shape_from_p():
    p = np.array([[0.0, 1.0, 0.5]])
    x = random.bernoulli(random.key(0), p)
    assert x.shape == (1, 3) and not x[0, 0] and x[0, 1]
    assert random.bernoulli(random.key(0)).shape == ()


@pytest.mark.parametrize("lo, hi, dtype", [
    (0, 2, np.int64), (-5, 5, np.int64), (3, 4, np.int32), (0, 256, np.uint8),
    (-(2**63), 2**63 - 1, np.int64),
])
def test_randint_range_includes_minval_excludes_maxval(lo, hi, dtype):
    x = random.randint(random.key(9), (N,), lo, hi, dtype)
    assert x.dtype == np.dtype(dtype) and x.shape == (N,)
    assert x.min() >= lo and x.max() < hi
    if hi - lo <= 256:
        assert set(np.unique(x).tolist()) == set(range(lo, hi))  # both ends reached
        counts, expected = np.bincount(x.astype(np.int64) - lo), N / (hi - lo)
        assert np.all(np.abs(counts - expected) < 6 * np.sqrt(expected))  # 6 sigma


def test_randint_errors():
    with pytest.raises(ValueError, match="maxval > minval"):
        random.randint(random.key(0), (3,), 5, 5)
    with pytest.raises(TypeError, match="integer dtype"):
        random.randint(random.key(0), (3,), 0, 5, np.float64)


@pytest.mark.parametrize("x", [10, np.int64(7), np.arange(20) * 3, np.arange(12).reshape(4, 3)])
def test_permutation_is_a_permutation(x):
    out = random.permutation(random.key(1), x)
    ref = np.arange(int(x)) if np.ndim(x) == 0 else np.asarray(x)
    assert out.shape == ref.shape
    np.testing.assert_array_equal(np.sort(out, axis=0) if out.ndim == 1 else
                                  out[np.argsort(out[:, 0])], ref)
    if np.ndim(x) == 0:
        assert not np.array_equal(out, ref)  # 10! / 7! choices; identity is unlikely


def test_permutation_does_not_modify_input_and_rejects_floats():
    x = np.arange(10)
    random.permutation(random.key(0), x)
    np.testing.assert_array_equal(x, np.arange(10))
    with pytest.raises(TypeError, match="x must be an integer"):
        random.permutation(random.key(0), 3.5)


def test_choice_with_and_without_replacement():
    k = random.key(12)
    x = random.choice(k, 5, (N,))
    assert x.shape == (N,) and set(np.unique(x).tolist()) == set(range(5))
    assert np.all(np.abs(np.bincount(x) - N / 5) < 0.05 * N / 5)
    y = random.choice(k, 50, (50,), replace=False)
    np.testing.assert_array_equal(np.sort(y), np.arange(50))
    a = np.array([10.0, 20.0, 30.0])
    z = random.choice(k, a, (2, 2))
    assert z.shape == (2, 2) and np.all(np.isin(z, a))
    assert random.choice(k, 5).shape == ()
    with pytest.raises(ValueError):
        random.choice(k, 3, (4,), replace=False)


def test_choice_with_p():
    p = [0.1, 0.0, 0.6, 0.3]
    x = random.choice(random.key(13), 4, (N,), p=p)
    freq = np.bincount(x, minlength=4) / N
    np.testing.assert_allclose(freq, p, atol=0.01)
    assert freq[1] == 0
    with pytest.raises(ValueError):
        random.choice(random.key(13), 4, p=[0.5, 0.5])


def test_quickstart_example():
    key = random.key(1701)
    key1, key2 = random.split(key)
    mat = random.normal(key1, (150, 100))
    batched_x = random.normal(key2, (10, 100))
    assert mat.shape == (150, 100) and batched_x.shape == (10, 100)
    assert not np.array_equal(mat[:10], batched_x)
