"""Explicit, splittable, reproducible random numbers (JAX-style; not bit-compatible with JAX).

A *key* is a plain value: a NumPy array of shape (2,) and dtype uint32, like JAX's raw
``PRNGKey``. There is no hidden global state: a sampler's output depends only on the key
(and shape/dtype/bounds), so the same key always gives the same numbers, in any process
and on any platform. Passing the same key to two samplers gives correlated (equal) bits,
so never reuse a key: ``split`` it into fresh keys first and use each new key once::

    from s2s import random
    key = random.key(1701)
    key1, key2 = random.split(key)
    mat = random.normal(key1, (150, 100))
    batched_x = random.normal(key2, (10, 100))

Algorithm (documented so results can be recomputed independently):

* ``key(seed)``: ``s = seed mod 2**64`` (negative seeds wrap as two's complement); the key
  is ``[s >> 32, s & 0xFFFFFFFF]`` as uint32. Key bits ``k = (key[0] << 32) | key[1]``.
* Every stream is NumPy's counter-based ``np.random.Philox`` (Philox4x64-10) with the
  128-bit key ``[k, tag]`` (uint64 words), where ``tag`` separates uses: 0 sampling,
  1 ``split``, 2 ``fold_in``.
* ``split(key, num)``: the first ``num`` words of ``Philox(key=[k, 1], counter=0).random_raw``;
  word ``w`` becomes the key ``[w >> 32, w & 0xFFFFFFFF]``.
* ``fold_in(key, data)``: the first word of
  ``Philox(key=[k, 2], counter=data mod 2**64).random_raw``.
* Raw sampling bits: ``Philox(key=[k, 0], counter=0).random_raw(n)``.
  ``uniform`` takes the top ``b`` bits of each word, ``u = (w >> (64 - b)) * 2**-b``, with
  ``b = min(53, finfo(dtype).nmant + 1)`` (exact in ``dtype``, so ``u`` is in [0, 1)), then
  ``minval + (maxval - minval) * u`` computed in ``dtype``, with results that round up to
  ``maxval`` moved to the float just below it. ``normal`` is Box-Muller on consecutive word
  pairs ``(w1, w2)``: ``u1 = ((w1 >> 11) + 1) * 2**-53``, ``u2 = (w2 >> 11) * 2**-53``,
  ``r = sqrt(-2 log u1)``, values ``r cos(2 pi u2), r sin(2 pi u2)`` (in that order),
  computed in float64 and cast to ``dtype``. ``bernoulli`` is ``uniform(key, shape) < p``.
  These depend only on Philox, so they are stable across NumPy versions too.
* ``randint``, ``permutation`` and ``choice`` run NumPy's
  ``np.random.Generator(Philox(key=[k, 0]))`` methods (``integers``, ``permutation``,
  ``choice``): platform-independent, and stable across NumPy versions as far as NumPy's
  own stream-compatibility policy (NEP 19) goes.
"""
import operator

import numpy as np

__all__ = ["PRNGKey", "bernoulli", "choice", "fold_in", "key", "normal", "permutation",
           "randint", "split", "uniform"]

_MASK32 = 0xFFFFFFFF
_MASK64 = (1 << 64) - 1
_TAG_SAMPLE, _TAG_SPLIT, _TAG_FOLD = 0, 1, 2


def _as_int(value, what, hint):
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must be an integer, got a bool; {hint}")
    try:
        return operator.index(value)
    except TypeError:
        desc = (f"an array of shape {np.shape(value)}" if np.ndim(value) > 0
                else f"{type(value).__name__} {value!r}")
        raise TypeError(f"{what} must be an integer, got {desc}; {hint}") from None


def _words_to_keys(words):
    words = np.asarray(words, dtype=np.uint64)
    hi = (words >> np.uint64(32)).astype(np.uint32)
    lo = (words & np.uint64(_MASK32)).astype(np.uint32)
    return np.stack([hi, lo], axis=-1)


def key(seed):
    """A new key from an integer seed (any size, negative allowed; reduced mod 2**64)."""
    s = _as_int(seed, "seed", "pass a Python or NumPy int, e.g. random.key(0)") & _MASK64
    return _words_to_keys(s)


PRNGKey = key


def _key_bits(k, fname):
    """The key's 64 bits as a Python int, after checking it is a single uint32[2] key."""
    if not isinstance(k, np.ndarray):
        raise TypeError(f"{fname}() expects a key made by random.key(seed) or random.split "
                        f"(a uint32 array of shape (2,)), got {type(k).__name__}")
    if k.dtype != np.uint32:
        raise TypeError(f"{fname}() expects a key of dtype uint32 (from random.key(seed) or "
                        f"random.split), got an array of dtype {k.dtype}")
    if k.shape != (2,):
        hint = (" (a batch of keys from split: pass one row, e.g. keys[0], or unpack "
                "k1, k2 = random.split(key))" if k.ndim == 2 and k.shape[1] == 2 else "")
        raise ValueError(f"{fname}() expects a single key of shape (2,), got shape "
                         f"{k.shape}{hint}")
    return (int(k[0]) << 32) | int(k[1])


def _philox(k, tag, counter=0):
    return np.random.Philox(key=np.array([k, tag], dtype=np.uint64), counter=counter)


def _shape(shape, fname):
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    try:
        shape = tuple(_as_int(d, "shape entry", "pass an int or a tuple of ints")
                      for d in shape)
    except TypeError:
        raise TypeError(f"{fname}(): shape must be an int or a tuple of ints, "
                        f"got {shape!r}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"{fname}(): shape must not have negative entries, got {shape}")
    return shape


def _float_dtype(dtype, fname):
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype argument to `{fname}` must be a float dtype, got {dtype}")
    return dtype


def _raw(k, n):
    return _philox(k, _TAG_SAMPLE).random_raw(n) if n else np.zeros(0, np.uint64)


def split(key, num=2):
    """``num`` new keys, as an array of shape (num, 2); each row is a key."""
    k = _key_bits(key, "split")
    num = _as_int(num, "num", "pass the number of keys wanted, e.g. split(key, 3)")
    if num < 0:
        raise ValueError(f"split(): num must be >= 0, got {num}")
    words = _philox(k, _TAG_SPLIT).random_raw(num) if num else np.zeros(0, np.uint64)
    return _words_to_keys(words).reshape(num, 2)


def fold_in(key, data):
    """A new key mixing ``key`` with the integer ``data`` (reduced mod 2**64)."""
    k = _key_bits(key, "fold_in")
    d = _as_int(data, "data", "pass an int, e.g. fold_in(key, step)") & _MASK64
    return _words_to_keys(_philox(k, _TAG_FOLD, counter=d).random_raw(1)[0])


def uniform(key, shape=(), dtype=np.float64, minval=0.0, maxval=1.0):
    """Uniform floats in [minval, maxval) of the given shape and float dtype."""
    k = _key_bits(key, "uniform")
    shape, dtype = _shape(shape, "uniform"), _float_dtype(dtype, "uniform")
    n = int(np.prod(shape, dtype=np.int64))
    b = min(53, np.finfo(dtype).nmant + 1)
    u = ((_raw(k, n) >> np.uint64(64 - b)).astype(np.float64) * 2.0 ** -b).astype(dtype)
    lo, hi = np.asarray(minval, dtype), np.asarray(maxval, dtype)
    x = lo + (hi - lo) * u.reshape(shape)
    x = np.where((x >= hi) & (hi > lo), np.nextafter(hi, lo), x)
    return np.asarray(np.broadcast_to(x, shape), dtype=dtype).copy()


def normal(key, shape=(), dtype=np.float64):
    """Standard normal floats (Box-Muller) of the given shape and float dtype."""
    k = _key_bits(key, "normal")
    shape, dtype = _shape(shape, "normal"), _float_dtype(dtype, "normal")
    n = int(np.prod(shape, dtype=np.int64))
    m = (n + 1) // 2
    w = _raw(k, 2 * m)
    u1 = ((w[0::2] >> np.uint64(11)).astype(np.float64) + 1.0) * 2.0 ** -53
    u2 = (w[1::2] >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    r = np.sqrt(-2.0 * np.log(u1))
    z = np.stack([r * np.cos(2 * np.pi * u2), r * np.sin(2 * np.pi * u2)], axis=-1)
    return z.reshape(-1)[:n].reshape(shape).astype(dtype)


def bernoulli(key, p=0.5, shape=None):
    """Booleans that are True with probability ``p`` (shape defaults to ``np.shape(p)``)."""
    _key_bits(key, "bernoulli")
    p = np.asarray(p, dtype=np.float64)
    shape = p.shape if shape is None else _shape(shape, "bernoulli")
    return np.asarray(uniform(key, shape) < p)


def _generator(key, fname):
    return np.random.Generator(_philox(_key_bits(key, fname), _TAG_SAMPLE))


def randint(key, shape, minval, maxval, dtype=np.int64):
    """Integers in [minval, maxval) (NumPy ``Generator.integers``); needs maxval > minval."""
    g = _generator(key, "randint")
    shape, dtype = _shape(shape, "randint"), np.dtype(dtype)
    if not np.issubdtype(dtype, np.integer):
        raise TypeError(f"dtype argument to `randint` must be an integer dtype, got {dtype}")
    if np.any(np.asarray(maxval) <= np.asarray(minval)):
        raise ValueError(f"randint(): need maxval > minval, got minval={minval!r}, "
                         f"maxval={maxval!r}")
    return np.asarray(g.integers(minval, maxval, size=shape, dtype=dtype))


def permutation(key, x, axis=0):
    """A shuffled copy of ``x`` along ``axis``, or a permutation of ``range(x)`` for an int."""
    g = _generator(key, "permutation")
    if np.ndim(x) == 0:
        x = _as_int(x, "x", "pass an int n (permutes range(n)) or an array to shuffle")
    return g.permutation(x, axis=axis)


def choice(key, a, shape=(), replace=True, p=None, axis=0):
    """Samples from ``a`` (an int n means ``range(n)``), optionally weighted by ``p``."""
    g = _generator(key, "choice")
    shape = _shape(shape, "choice")
    if np.ndim(a) == 0:
        a = _as_int(a, "a", "pass an int n (samples range(n)) or an array to sample from")
    return np.asarray(g.choice(a, size=shape, replace=replace, p=p, axis=axis))
