"""Rules of scipy.linalg.sqrtm and solve_sylvester (s2s/diff/rules/scipy_linalg.py): the
templates against finite differences (tests/vjp_check.py), and user functions under grad,
jacfwd, vmap and hessian (second derivatives: the rules' own solve_sylvester calls)."""
import numpy as np
import pytest

sla = pytest.importorskip("scipy.linalg")

import s2s  # noqa: E402
from s2s.diff.rules import load_scipy_rules  # noqa: E402
from s2s.errors import CompilationError  # noqa: E402
from grad_cases import central_difference  # noqa: E402
from vjp_check import check_vjp  # noqa: E402

load_scipy_rules()
RNG = np.random.default_rng(3)
A = RNG.uniform(-1, 1, (3, 3))


def _spd(rng):
    b = rng.uniform(-1, 1, (3, 3))
    return (b @ b.T + np.eye(3),)


@pytest.mark.parametrize("key, make", [
    (sla.sqrtm, _spd),
    (sla.sqrtm, lambda rng: (rng.uniform(-1, 1, (3, 3)) + 3.0 * np.eye(3),)),  # not symmetric
    (sla.solve_sylvester, lambda rng: (rng.uniform(-1, 1, (3, 3)) + 3.0 * np.eye(3),
                                       rng.uniform(-1, 1, (2, 2)) + 2.0 * np.eye(2), rng.uniform(-1, 1, (3, 2)))),
], ids=["sqrtm-spd", "sqrtm-general", "solve_sylvester"])
def test_rule(key, make, request):
    check_vjp(key, make(np.random.default_rng(len(request.node.name))), name=request.node.name)


def root_loss(a):
    return np.sum(sla.sqrtm(a @ a.T + np.eye(3) + 0.3 * a) ** 2)


def sylvester_loss(a):
    return np.sum(sla.solve_sylvester(a + 3.0 * np.eye(3), a.T + 2.0 * np.eye(3), a * a) ** 2)


@pytest.mark.parametrize("fn", [root_loss, sylvester_loss])
def test_end_to_end(fn):
    want = central_difference(fn, (A,), 0)
    np.testing.assert_allclose(s2s.grad(fn)(A), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.jacfwd(fn)(A), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.vmap(s2s.grad(fn))(np.stack([A, A.T])), np.stack([s2s.grad(fn)(A), s2s.grad(fn)(A.T)]),
                               rtol=1e-10)
    grad = s2s.grad(fn)
    hess = np.stack([central_difference(lambda y, i=i: grad(y).ravel()[i], (A,), 0).ravel() for i in range(9)])
    np.testing.assert_allclose(s2s.hessian(fn)(A).reshape(9, 9), hess, rtol=1e-5, atol=1e-6)


def test_jit_names_the_line():
    with pytest.raises(CompilationError, match="sqrtm"):
        s2s.jit(s2s.grad(root_loss))(A)
