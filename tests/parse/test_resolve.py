"""Name resolution: every way a NumPy function, helper or constant can be named, resolved.

Each case checks the generated text (canonical `_np`/`_math` paths, helpers renamed,
constants bound) and that the pure-Python and numba-compiled results equal the original.
"""
import math
import types
from math import cos as mcos

import numpy
import numpy as np
import pytest
from numpy import exp
from numpy.linalg import norm as l2

import corpus_helpers
import s2s
import s2s.numpy as jnp
from corpus import assert_same_result

G = 3.0
ARR = np.array([1.0, -2.0, 0.5])
cfg = types.SimpleNamespace(scale=2.0, weights=np.arange(3.0))
DEFAULT_SCALE = 1.5


def via_np(x):
    return np.tanh(x) + numpy.sin(x)


def via_jnp(x):
    return jnp.exp(x) * jnp.linalg.norm(x)


def via_from_import(x):
    return exp(x) + l2(x) + mcos(1.0)


def via_math(x):
    return math.sqrt(math.fabs(x[0])) + math.pi


def via_globals(x):
    return np.dot(ARR, x) * G


def via_namespace(x):
    return np.dot(cfg.weights, x) * cfg.scale + cfg.weights.shape[0]


def via_other_module(x):
    return corpus_helpers.shifted_square(x) + corpus_helpers.OFFSET


def _kw_helper(v, k=DEFAULT_SCALE, *, shift=np.float64(0.5), w=ARR):
    return v * k + shift + w[0]


def via_keywords(x):
    return _kw_helper(x[0]) + _kw_helper(x[1], 2.0) + _kw_helper(x[2], shift=1.0) + _kw_helper(x[0], w=x)


def via_builtins(x):
    n = len(x)
    return abs(min(x[0], x[1])) + max(n, 2) + float(n)


def _make_closure():
    scale = 4.0
    table = np.linspace(0.0, 1.0, 3)

    def closure(x):
        return np.sum(table * x) * scale

    return closure


via_closure = _make_closure()

CASES = [
    (via_np, ["_np.tanh(x)", "_np.sin(x)"]),
    (via_jnp, ["_np.exp(x)", "_np.linalg.norm(x)"]),
    (via_from_import, ["_np.exp(x)", "_np.linalg.norm(x)", "_math.cos(1.0)"]),
    (via_math, ["_math.sqrt(", "_math.fabs(", "_math.pi"]),
    (via_globals, ["G = 3.0", "# ARR: float64 array of shape (3,)"]),
    (via_namespace, ["cfg_scale = 2.0", "# cfg_weights: float64 array", "cfg_weights.shape"]),
    (via_other_module, ["def shifted_square(", "def softplus(", "OFFSET = 0.25"]),
    (via_keywords, ["def _kw_helper(v, k=1.5, shift=shift_default, w=w_default):", "_kw_helper(x[0], 1.5, shift_default, w_default)"]),
    (via_builtins, ["len(x)", "abs(", "min(", "max(", "float("]),
    (via_closure, ["scale = 4.0", "# table: float64 array"]),
]


@pytest.mark.parametrize("fn, expected", CASES, ids=[c[0].__name__ for c in CASES])
def test_resolution(fn, expected):
    x = np.array([0.3, -1.2, 2.0])
    j = s2s.jit(fn)
    text = s2s.source(j)
    code = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#") or "array" in l)
    for piece in expected:
        assert piece in code, piece
    for alias in ("np.", "numpy.", "jnp.", "math.", "corpus_helpers."):
        assert not any(f" {alias}" in l or f"({alias}" in l for l in code.splitlines() if not l.lstrip().startswith("#")), alias
    want = fn(x.copy())
    assert_same_result(j.python()(x.copy()), want)
    assert_same_result(j(x.copy()), want)


def test_defaults_are_the_values_bound_when_def_ran(monkeypatch):
    x = np.array([1.0, 2.0, 3.0])
    want = via_keywords(x)
    monkeypatch.setitem(via_keywords.__globals__, "DEFAULT_SCALE", 100.0)
    # Python evaluated the default when `def` ran; s2s must use that value, not re-read it.
    assert_same_result(s2s.jit(via_keywords)(x), want)


def _two_args(a, b):
    return a + b


def bad_call(x):
    return _two_args(x, x, x)


def test_bad_call_to_a_helper_is_a_type_error_naming_the_line():
    with pytest.raises(TypeError, match=r"too many positional arguments \(in the call at .*test_resolve.py, line \d+\)"):
        s2s.jit(bad_call)(1.0)


def undefined_global(x):
    return x + NOT_DEFINED_ANYWHERE  # noqa: F821


def test_undefined_name_is_a_name_error_naming_the_line():
    with pytest.raises(NameError, match=r"NOT_DEFINED_ANYWHERE.*test_resolve.py, line \d+"):
        s2s.jit(undefined_global)(1.0)
