"""Forward mode over the shared corpus: `jvp` against central finite differences in float64
(pure-Python twin and numba-compiled twin), and the JVP/VJP inner-product identity
`<u, jvp(v)> == <vjp(u), v>`."""
import numpy as np
import pytest

import s2s
from corpus import CASES
from s2s.forward import _twin
from s2s.diff.pytrees import of_value
from s2s.diff.ranks import of_value as rank_of

EPS = 1e-6
JVP_CASES = [c for c in CASES if c.float_argnums()]


def _leaves(v):
    if isinstance(v, (tuple, list)):
        return [x for e in v for x in _leaves(e)]
    return [v]


def _directions(case, seed=1):
    rng = np.random.default_rng(seed)
    args = case.args(0)
    return tuple(
        (rng.standard_normal(np.shape(a)) if np.ndim(a) else float(rng.standard_normal()))
        if i in case.float_argnums() else 0.0 * a
        for i, a in enumerate(args)
    )


def _shifted(case, tangents, t):
    return tuple(a + t * v if i in case.float_argnums() else a for i, (a, v) in enumerate(zip(case.args(0), tangents)))


def _difference(case, tangents):
    up, down = case.fn(*_shifted(case, tangents, EPS)), case.fn(*_shifted(case, tangents, -EPS))
    return [(np.asarray(u, float) - np.asarray(d, float)) / (2 * EPS) for u, d in zip(_leaves(up), _leaves(down))]


def _check(case, out, tangent, tangents):
    want_out = case.fn(*case.args(0))
    for g, w in zip(_leaves(out), _leaves(want_out)):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)
    got = _leaves(tangent)
    want = _difference(case, tangents)
    assert len(got) == len(want)
    for k, (g, w) in enumerate(zip(got, want)):
        assert np.shape(g) == np.shape(w), f"output leaf {k}: tangent shape {np.shape(g)} != {np.shape(w)}"
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=f"output leaf {k}")


@pytest.mark.parametrize("case", JVP_CASES, ids=[c.name for c in JVP_CASES])
def test_jvp_python_matches_finite_differences(case):
    tangents = _directions(case)
    out, tangent = s2s.jvp(case.fn, case.args(0), tangents)
    _check(case, out, tangent, tangents)


COMPILED = [c for c in JVP_CASES if not c.static_argnums]


@pytest.mark.parametrize("case", COMPILED, ids=[c.name for c in COMPILED])
def test_jvp_compiled_matches_finite_differences(case):
    args, tangents = case.args(0), _directions(case)
    nums = case.float_argnums()
    module, _ = _twin(case.fn, nums, tuple(of_value(args[i]) for i in nums), tuple(rank_of(a) for a in args))
    twin = module.load("numba").__dict__[module.jvp_name]
    out, tangent = twin(*[tangents[i] for i in nums], *args)
    _check(case, out, tangent, tangents)


def _inner(a, b):
    return sum(float(np.sum(np.asarray(x) * np.asarray(y))) for x, y in zip(_leaves(a), _leaves(b)))


VJP_CASES = [c for c in JVP_CASES if "scalar_out" in c.tags or "array_out" in c.tags]


@pytest.mark.parametrize("case", VJP_CASES, ids=[c.name for c in VJP_CASES])
def test_jvp_and_vjp_are_transposes(case):
    nums = case.float_argnums()
    v = _directions(case)
    out, jv = s2s.jvp(case.fn, case.args(0), v)
    rng = np.random.default_rng(7)
    u = rng.standard_normal(np.shape(out)) if np.ndim(out) else float(rng.standard_normal())
    _, vjp_fn = s2s.vjp(case.fn, *case.args(0))
    cts = vjp_fn(u)
    lhs = _inner(u, jv)
    rhs = sum(_inner(cts[i], v[i]) for i in nums)
    assert np.isclose(lhs, rhs, rtol=1e-10, atol=1e-12), (lhs, rhs)
