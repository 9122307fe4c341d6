"""np.einsum and its derivative helpers under numba (s2s/diff/runtime_numba_einsum.py: loop
nests per literal subscripts), against NumPy and the Python helpers, over the einsum cases
of the rule tests; and a gradient through einsum compiled by s2s.jit."""
import numba
import numpy as np
import pytest

import s2s
from s2s.diff import runtime as rt

SPECS = [("ij,jk->ik", (3, 4), (4, 2)), ("ij,j->i", (3, 4), (4,)), ("i,i->", (4,), (4,)),
         ("bij,bjk->bik", (2, 3, 4), (2, 4, 2)), ("ii,i->i", (3, 3), (3,)), ("ij, jk -> ki", (2, 3), (3, 4)),
         ("ii->", (3, 3)), ("ii->i", (3, 3)), ("ij", (3, 3)), ("i,ij,j->", (3,), (3, 4), (4,)),
         ("...jk,...lj->...lk", (3, 4, 4), (3, 4, 4)), ("...,...->...", (2, 3), (2, 3)),
         ("i...->...", (3, 2, 4)), ("...ij,j", (2, 3, 4), (4,))]
HELPERS = (rt.einsum_vjp1, rt.einsum_vjp2, rt.einsum_vjp3)


def _compiled(spec, n):
    """njit functions calling np.einsum and each einsum_vjp<k> with `spec` as a literal."""
    ops = ", ".join(f"x{j}" for j in range(n))
    src = (f"def primal({ops}):\n    return np.einsum({spec!r}, {ops})\n"
           + "".join(f"def vjp{k}(ct, {ops}):\n    return einsum_vjp{k + 1}(ct, {spec!r}, {ops})\n" for k in range(n)))
    env = {"np": np, **{f"einsum_vjp{k + 1}": h for k, h in enumerate(HELPERS)}}
    exec(src, env)
    return numba.njit(env["primal"]), [numba.njit(env[f"vjp{k}"]) for k in range(n)]


@pytest.mark.parametrize("case", SPECS, ids=[s[0] for s in SPECS])
def test_einsum_and_its_vjps_match_numpy_under_numba(case):
    spec, *shapes = case
    rng = np.random.default_rng(len(spec))
    ops = [rng.uniform(-1, 1, s) for s in shapes]
    primal, vjps = _compiled(spec, len(ops))
    out = np.einsum(spec, *ops)
    np.testing.assert_allclose(primal(*ops), out, rtol=1e-12, atol=1e-12)
    ct = rng.uniform(-1, 1, np.shape(out)) if np.ndim(out) else 0.7
    for k, vjp in enumerate(vjps):
        np.testing.assert_allclose(vjp(ct, *ops), HELPERS[k](ct, spec, *ops), rtol=1e-12, atol=1e-12)


def bilinear_energy(x, M):
    return np.einsum("i,ij,j->", x, M, x) + np.sum(np.einsum("ij,jk->ik", M, M) ** 2) + np.einsum("ii->", M)


def test_gradients_through_einsum_under_jit():
    rng = np.random.default_rng(0)
    x, M = rng.normal(size=3), rng.normal(size=(3, 3))
    g = s2s.jit(s2s.grad(bilinear_energy, argnums=(0, 1)))(x, M)
    want = s2s.grad(bilinear_energy, argnums=(0, 1))(x, M)
    for a, b in zip(g, want):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    eps, fd = 1e-6, np.zeros_like(M)
    for i in np.ndindex(M.shape):
        e = np.zeros_like(M)
        e[i] = eps
        fd[i] = (bilinear_energy(x, M + e) - bilinear_energy(x, M - e)) / (2 * eps)
    np.testing.assert_allclose(g[1], fd, rtol=1e-6, atol=1e-8)


def test_operands_that_disagree_on_an_index_size_raise_under_numba():
    primal, vjps = _compiled("ij,jk->ik", 2)
    with pytest.raises(ValueError, match="size of index j"):
        primal(np.ones((2, 3)), np.ones((4, 2)))  # NumPy raises too; a loop would read past the first
