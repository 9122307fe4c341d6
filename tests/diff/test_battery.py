"""Forward mode over an independent battery of NumPy functions (tests/battery_cases.py), in
the style of Autograd's test_systematic.py and JAX's api_test.py:

* `jvp` (pure-Python path) against central finite differences, one float argument at a
  time, and its primal output against f(*args);
* `jit(jacfwd(f, argnums=i))` (numba) against `jacrev(f, argnums=i)` (Python) on a subset;
* `hessian(f)` against finite differences of `grad(f)`, and `jvp(grad(f))` (HVP) against
  hessian @ v, for scalar-output functions; `jacfwd(jacfwd(f))` (forward over forward)
  against the same differences and `jacrev(jacfwd(f))` against `hessian(f)` on a few;
* `linearize` against `jvp`; `jacfwd` against `jacrev` for tuple/dict outputs;
* `<u, jvp(v)> == <vjp(u), v>`.

Run time is dominated by numba compiling the `jit(jacfwd)` subset (`Case.compiled`).

Known failures are listed in XFAIL below, keyed by (test, case): "BUG: ..." for wrong
values or crashes in s2s, the others are features s2s refuses with a clear error.
"""
import functools

import numpy as np
import pytest

import s2s
from battery_cases import CASES
from s2s.errors import NoDerivativeRuleError, UnsupportedSyntaxError

EPS = 1e-6

# -- known failures ---------------------------------------------------------------------
# (test, case name or "name-argN") -> (reason, exception type). test is one of "jvp",
# "jacfwd_jit", "hessian", "hvp", "fwd_fwd", "rev_fwd", "linearize", "pytree", "transpose";
# "*" matches every test.
_SYNTAX = UnsupportedSyntaxError
_NORULE = NoDerivativeRuleError
XFAIL = {
    ("transpose", "cf_inplace_through_view"): (
        "LIMITATION: reverse mode refuses a store through a view (v = y[1:4]; v[0] = ...); jvp follows it", _SYNTAX),
    ("transpose", "cf_inplace_row_view_of_zeros"): (
        "LIMITATION: reverse mode refuses a store through a view (row = A[1]; row[:] = ...); jvp follows it", _SYNTAX),
}

# Cases of the compiled subset whose *primal* numba cannot compile (s2s.jit(f)(*args) fails).
NUMBA_PRIMAL = {}  # (none left: np.flip/roll/tile/matmul/inner have numba forms, diff/runtime_numba_*.py)


def _xfail(test, name, argnum=None):
    entry = XFAIL.get((test, f"{name}-arg{argnum}")) or XFAIL.get((test, name)) or XFAIL.get(("*", name))
    if entry is None:
        return ()
    reason, raises = entry
    return (pytest.mark.xfail(strict=True, reason=reason, raises=raises),)


def _params(test, cases, per_arg=True, argnums=None):
    out = []
    for c in cases:
        nums = (argnums(c) if argnums else c.float_argnums()) if per_arg else (None,)
        for i in nums:
            pid = c.name if i is None else f"{c.name}-arg{i}"
            out.append(pytest.param(c, i, id=pid, marks=_xfail(test, c.name, i)))
    return out


# -- helpers ----------------------------------------------------------------------------
def _leaves(v):
    if isinstance(v, dict):
        return [x for k in sorted(v) for x in _leaves(v[k])]
    if isinstance(v, (tuple, list)):
        return [x for e in v for x in _leaves(e)]
    return [v]


def _direction(a, rng):
    return rng.standard_normal(np.shape(a)) if np.ndim(a) else float(rng.standard_normal())


def _zero(a):
    return np.zeros(np.shape(a)) if np.ndim(a) else 0.0


def _tangents(case, argnum, seed=1):
    """A random direction in argument `argnum` (all float arguments when None), zeros elsewhere."""
    rng = np.random.default_rng(seed)
    args = case.args()
    floats = case.float_argnums()
    return tuple(
        (_direction(a, rng) if argnum is None or i == argnum else _zero(a)) if i in floats else 0 * a
        for i, a in enumerate(args)
    )


def _shift(args, tangents, floats, t):
    return tuple(a + t * v if i in floats else a for i, (a, v) in enumerate(zip(args, tangents)))


def _fd(fn, args, tangents, floats):
    up = _leaves(fn(*_shift(args, tangents, floats, EPS)))
    down = _leaves(fn(*_shift(args, tangents, floats, -EPS)))
    return [(np.asarray(u, float) - np.asarray(d, float)) / (2 * EPS) for u, d in zip(up, down)]


def _assert_tree_close(got, want, rtol, atol, what):
    g, w = _leaves(got), _leaves(want)
    assert len(g) == len(w), f"{what}: {len(g)} leaves, expected {len(w)}"
    for k, (a, b) in enumerate(zip(g, w)):
        assert np.shape(a) == np.shape(b), f"{what} leaf {k}: shape {np.shape(a)} != {np.shape(b)}"
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"{what} leaf {k}")


def _inner(a, b):
    return sum(float(np.sum(np.asarray(x) * np.asarray(y))) for x, y in zip(_leaves(a), _leaves(b)))


# -- jvp against finite differences (Python path) ---------------------------------------
@pytest.mark.parametrize("case,argnum", _params("jvp", CASES))
def test_jvp_matches_finite_differences(case, argnum):
    args, floats = case.args(), case.float_argnums()
    tangents = _tangents(case, argnum)
    out, tangent_out = s2s.jvp(case.fn, args, tangents)
    _assert_tree_close(out, case.fn(*case.args()), 1e-12, 1e-12, "primal output")
    _assert_tree_close(tangent_out, _fd(case.fn, case.args(), tangents, floats), 1e-5, 1e-6, "tangent")


# -- jit(jacfwd) against jacrev ------------------------------------------------------------
COMPILED = [c for c in CASES if c.compiled and c.out in ("scalar", "array")]


def _compiled_params():
    out = []
    for p in _params("jacfwd_jit", COMPILED, argnums=lambda c: c.compiled_argnums()):
        case = p.values[0]
        if case.name in NUMBA_PRIMAL:
            p = pytest.param(*p.values, id=p.id, marks=(pytest.mark.skip(reason=NUMBA_PRIMAL[case.name]),))
        out.append(p)
    return out


@pytest.mark.parametrize("case,argnum", _compiled_params())
def test_jit_jacfwd_matches_jacrev(case, argnum):
    fwd = s2s.jit(s2s.jacfwd(case.fn, argnums=argnum))(*case.args())
    rev = s2s.jacrev(case.fn, argnums=argnum)(*case.args())
    want_shape = np.shape(case.fn(*case.args())) + np.shape(case.args()[argnum])
    assert np.shape(fwd) == want_shape
    assert np.shape(rev) == want_shape
    np.testing.assert_allclose(fwd, rev, rtol=1e-10, atol=1e-12)


# -- Hessians ---------------------------------------------------------------------------------
SCALAR = [c for c in CASES if c.out == "scalar"]


@functools.lru_cache(maxsize=None)
def _hessian(case, argnum):
    """s2s.hessian(f, argnums=argnum) at case.args(), built once for the tests that use it."""
    return np.asarray(s2s.hessian(case.fn, argnums=argnum)(*case.args()))


@functools.lru_cache(maxsize=None)
def _grad_fd_hessian(case, argnum):
    """Finite differences of grad(f, argnum), shape in.shape + in.shape."""
    args = case.args()
    x = args[argnum]
    g = s2s.grad(case.fn, argnums=argnum)
    shape = np.shape(x)
    cols = []
    for j in range(int(np.prod(shape))):
        e = np.zeros(int(np.prod(shape)))
        e[j] = EPS
        e = e.reshape(shape) if shape else float(e[0])
        up = list(args)
        up[argnum] = x + e
        down = list(args)
        down[argnum] = x - e
        cols.append((np.asarray(g(*up)) - np.asarray(g(*down))) / (2 * EPS))
    H = np.stack(cols, axis=-1) if cols else np.zeros(0)
    return H.reshape(shape + shape)


@pytest.mark.parametrize("case,argnum", _params("hessian", SCALAR))
def test_hessian_matches_finite_differences_of_grad(case, argnum):
    H = _hessian(case, argnum)
    want = _grad_fd_hessian(case, argnum)
    assert np.shape(H) == np.shape(want)
    np.testing.assert_allclose(H, want, rtol=1e-5, atol=1e-5)


def _first(case):
    return case.float_argnums()[:1]


@pytest.mark.parametrize("case,argnum", _params("hvp", SCALAR, argnums=_first))
def test_hvp_matches_hessian(case, argnum):
    args = case.args()
    tangents = _tangents(case, argnum, seed=3)
    g, hv = s2s.jvp(s2s.grad(case.fn, argnums=argnum), args, tangents)
    np.testing.assert_allclose(g, s2s.grad(case.fn, argnums=argnum)(*case.args()), rtol=1e-12, atol=1e-12)
    H = _hessian(case, argnum)
    v = np.asarray(tangents[argnum])
    want = np.tensordot(H, v, axes=v.ndim) if v.ndim else H * v
    assert np.shape(hv) == np.shape(want)
    np.testing.assert_allclose(hv, want, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("case,argnum", _params("fwd_fwd", SCALAR, argnums=_first))
def test_forward_over_forward_matches_finite_differences_of_grad(case, argnum):
    ff = s2s.jacfwd(s2s.jacfwd(case.fn, argnums=argnum), argnums=argnum)(*case.args())
    want = _grad_fd_hessian(case, argnum)
    assert np.shape(ff) == np.shape(want)
    np.testing.assert_allclose(ff, want, rtol=1e-5, atol=1e-5)


REV_FWD = [c for c in SCALAR if c.name in ("red_logsumexp", "cf_chebyshev", "la_quadratic_form")]


@pytest.mark.parametrize("case,argnum", _params("rev_fwd", REV_FWD))
def test_reverse_over_forward_equals_hessian(case, argnum):
    rf = s2s.jacrev(s2s.jacfwd(case.fn, argnums=argnum), argnums=argnum)(*case.args())
    H = _hessian(case, argnum)
    assert np.shape(rf) == np.shape(H)
    np.testing.assert_allclose(rf, H, rtol=1e-9, atol=1e-10)


# -- linearize, pytree outputs ------------------------------------------------------------------
@pytest.mark.parametrize("case,argnum", _params("linearize", CASES, per_arg=False))
def test_linearize_equals_jvp(case, argnum):
    v = _tangents(case, None, seed=5)
    out, f_jvp = s2s.linearize(case.fn, *case.args())
    _assert_tree_close(out, case.fn(*case.args()), 1e-12, 1e-12, "primal output")
    _assert_tree_close(f_jvp(*v), s2s.jvp(case.fn, case.args(), v)[1], 1e-12, 1e-13, "linearized tangent")


PYTREE = [c for c in CASES if c.out in ("tuple", "dict")]


@pytest.mark.parametrize("case,argnum", _params("pytree", PYTREE))
def test_jacfwd_equals_jacrev_pytree_outputs(case, argnum):
    fwd = s2s.jacfwd(case.fn, argnums=argnum)(*case.args())
    rev = s2s.jacrev(case.fn, argnums=argnum)(*case.args())
    _assert_tree_close(fwd, rev, 1e-10, 1e-12, "jacobian")


# -- jvp and vjp are transposes -------------------------------------------------------------
LINEAR_CHECK = [c for c in CASES if c.out in ("scalar", "array")]


@pytest.mark.parametrize("case,argnum", _params("transpose", LINEAR_CHECK, per_arg=False))
def test_jvp_vjp_transpose(case, argnum):
    v = _tangents(case, None)
    out, jv = s2s.jvp(case.fn, case.args(), v)
    u = _direction(out, np.random.default_rng(7))
    _, vjp_fn = s2s.vjp(case.fn, *case.args())
    cts = vjp_fn(u)
    lhs = _inner(u, jv)
    rhs = sum(_inner(cts[i], v[i]) for i in case.float_argnums())
    assert np.isclose(lhs, rhs, rtol=1e-10, atol=1e-12), (lhs, rhs)
