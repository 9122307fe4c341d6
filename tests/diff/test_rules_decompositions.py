"""decompositions rules (s2s/diff/rules/decompositions.py) against finite differences, in Python and, where
NumPy-under-numba has the function and the variant, in numba. The JVP rules are checked
over the same CASES table by tests/diff/test_jvp_rules.py."""
import numpy as np
import pytest
from vjp_check import check_vjp

from s2s.diff import runtime_linalg as rl
from s2s.diff.registry import VJP_RULES


def _r(*shapes):
    return lambda rng: tuple(rng.uniform(-1, 1, s) if s else float(rng.uniform(-1, 1)) for s in shapes)


def case(key, make, options=None, numba=False, name=None, skip=None):
    marks = [pytest.mark.skip(reason=skip)] if skip else []
    return pytest.param(key, make, options or {}, numba, id=name, marks=marks)


def _spd(n, *batch):
    """A well-conditioned symmetric positive definite matrix (stack), distinct eigenvalues."""
    def make(rng):
        b = rng.uniform(-1, 1, batch + (n, n))
        return (b @ np.swapaxes(b, -1, -2) + n * np.eye(n),)
    return make


def _sym(n, *batch):
    def make(rng):
        b = rng.uniform(-1, 1, batch + (n, n))
        return (b + np.swapaxes(b, -1, -2),)
    return make


def _herm(n, *batch, definite=True):
    """A complex Hermitian matrix (stack): positive definite, or with distinct eigenvalues."""
    def make(rng):
        b = rng.uniform(-1, 1, batch + (n, n)) + 1j * rng.uniform(-1, 1, batch + (n, n))
        if definite:
            return (b @ np.conj(np.swapaxes(b, -1, -2)) + n * np.eye(n),)
        return (b + np.conj(np.swapaxes(b, -1, -2)),)
    return make


def _full(*shape):
    """A random matrix (stack) with well-separated singular values."""
    def make(rng):
        m, n = shape[-2:]
        k = min(m, n)
        u = np.linalg.qr(rng.uniform(-1, 1, shape[:-2] + (m, k)))[0]
        v = np.linalg.qr(rng.uniform(-1, 1, shape[:-2] + (n, k)))[0]
        return ((u * np.linspace(1.0, 2.0 + k, k)) @ np.swapaxes(v, -1, -2),)
    return make


def _general(n, *batch):
    """A real matrix (stack) with complex eigenvalues, well separated."""
    def make(rng):
        q = np.linalg.qr(rng.uniform(-1, 1, batch + (n, n)))[0]
        d = np.zeros((n, n))
        for i in range(0, n - 1, 2):  # 2x2 rotation-scaling blocks: the pairs a +- bi
            d[i:i + 2, i:i + 2] = [[1.0 + i, -(1.0 + 0.5 * i)], [1.0 + 0.5 * i, 1.0 + i]]
        if n % 2:
            d[n - 1, n - 1] = -2.0
        return (q @ d @ np.swapaxes(q, -1, -2) + 0.05 * rng.uniform(-1, 1, batch + (n, n)),)
    return make


def _complex(n):
    def make(rng):
        return (_general(n)(rng)[0] + 1j * rng.uniform(-0.5, 0.5, (n, n)),)
    return make


def _eig_vectors(rng):
    """(a complex matrix of the tangent's shape, the eigenvectors of a general matrix)."""
    v = np.linalg.eig(_general(4)(rng)[0])[1]
    return rng.uniform(-1, 1, (4, 4)) + 1j * rng.uniform(-1, 1, (4, 4)), v


def _power(n):
    return lambda rng: (_full(3, 3)(rng)[0], n)


la = np.linalg
CASES = [
    case(la.slogdet, _full(3, 3), numba=True, name="slogdet"),
    case(la.slogdet, _full(2, 3, 3), numba=True, name="slogdet-stacked"),
    case(la.cholesky, _spd(3), numba=True, name="cholesky"),
    case(la.cholesky, _spd(3, 2), numba=True, name="cholesky-stacked"),
    case(la.eigh, _sym(4), numba=True, name="eigh"),
    case(la.eigh, _sym(3, 2), numba=True, name="eigh-stacked"),
    case(la.eigh, _r((4, 4)), {"UPLO": "U"}, numba=True, name="eigh-upper"),
    case(la.eigvalsh, _sym(4), numba=True, name="eigvalsh"),
    case(la.eigvalsh, _r((2, 3, 3)), {"UPLO": "U"}, numba=True, name="eigvalsh-upper-stacked"),
    case(la.eigvalsh, _sym(3, 2), numba=True, name="eigvalsh-stacked"),
    # complex Hermitian input: conjugate transposes where the real rules transpose
    case(la.cholesky, _herm(3), numba=True, name="cholesky-hermitian"),
    case(la.cholesky, _herm(3, 2), name="cholesky-hermitian-stacked"),
    # (eigh's complex eigenvectors: LAPACK's phase is not the rule's (JAX's either), so they
    # are checked through phase-invariant functions in tests/test_decomposition_functions.py)
    case(la.eigvalsh, _herm(4, definite=False), numba=True, name="eigvalsh-hermitian"),
    case(la.eigvalsh, _herm(3, 2, definite=False), {"UPLO": "U"}, name="eigvalsh-hermitian-upper-stacked"),
    # eig/eigvals: numba's eig of a real matrix with complex eigenvalues raises (its
    # result's dtype cannot depend on the values): numba checks take real spectra or complex input
    case(la.eig, _general(4), name="eig"),
    case(la.eig, _general(3, 2), name="eig-stacked"),
    case(la.eig, _full(3, 3), numba=True, name="eig-real-spectrum"),
    case(la.eig, _complex(3), numba=True, name="eig-complex-input"),
    case(la.eigvals, _general(5), name="eigvals"),
    case(la.eigvals, _sym(4), numba=True, name="eigvals-real-spectrum"),
    case(la.eigvals, _complex(4), numba=True, name="eigvals-complex-input"),
    case(la.svd, _full(3, 3), numba=True, name="svd-square"),
    case(la.svd, _full(4, 3), {"full_matrices": False}, numba=True, name="svd-tall"),
    case(la.svd, _full(3, 5), {"full_matrices": False}, numba=True, name="svd-wide"),
    case(la.svd, _full(2, 4, 3), {"full_matrices": False}, numba=True, name="svd-stacked"),
    case(la.pinv, _full(3, 3), numba=True, name="pinv-square"),
    case(la.pinv, _full(4, 3), numba=True, name="pinv-tall"),
    case(la.pinv, _full(2, 5), numba=True, name="pinv-wide"),
    case(la.matrix_power, _power(3), numba=True, name="matrix_power-3"),
    case(la.matrix_power, _power(1), numba=True, name="matrix_power-1"),
    case(la.matrix_power, _power(0), numba=True, name="matrix_power-0"),
    case(la.matrix_power, _power(-2), numba=True, name="matrix_power-neg2"),
    case(la.qr, _full(3, 3), numba=True, name="qr-square"),
    case(la.qr, _full(5, 3), numba=True, name="qr-tall"),
    case(la.qr, _full(2, 4, 3), numba=True, name="qr-stacked"),
    case(la.qr, _full(3, 5), numba=True, name="qr-wide"),
    case(la.qr, _full(2, 2, 4), name="qr-wide-stacked"),
    case(la.qr, _full(4, 3), {"mode": "r"}, name="qr-r-tall"),
    case(la.qr, _full(3, 4), {"mode": "r"}, numba=True, name="qr-r-wide"),
    # list-valued: the pieces (equal sizes here, as tests/diff/test_jvp_rules.py compares
    # them stacked; uneven pieces are checked end to end in tests/test_decomposition_functions.py)
    case(np.split, lambda rng: (rng.uniform(-1, 1, (3, 4)), 2), {"axis": 1}, numba=True, name="split-2-axis1"),
    case(np.split, lambda rng: (rng.uniform(-1, 1, 6), [3]), name="split-indices"),
    case(np.array_split, lambda rng: (rng.uniform(-1, 1, (4, 2)), 2), numba=True, name="array_split"),
    case(np.hsplit, lambda rng: (rng.uniform(-1, 1, (2, 4)), 2), numba=True, name="hsplit"),
    case(np.hsplit, lambda rng: (rng.uniform(-1, 1, 6), 3), name="hsplit-1d"),
    case(np.vsplit, lambda rng: (rng.uniform(-1, 1, (4, 3)), [2]), numba=True, name="vsplit"),
    case(np.dsplit, lambda rng: (rng.uniform(-1, 1, (2, 3, 4)), 2), numba=True, name="dsplit"),
    # the runtime helpers the templates call (rules for derivatives of derivatives)
    case(rl.tril_half, _r((3, 3)), numba=True),
    case(rl.tril_half, _r((2, 3, 3)), numba=True, name="tril_half-stacked"),
    case(rl.strict_lower, _r((3, 3)), numba=True),
    case(rl.block_ur, _r((4, 4)), numba=True),
    case(rl.block_ur_t, _r((2, 2)), numba=True),
    case(rl.block_diag_sum, _r((2, 4, 4)), numba=True, name="block_diag_sum-stacked"),
    case(rl.block_diag_sum_t, _r((2, 2)), numba=True),
    case(rl.eig_gaps, lambda rng: (np.array([0.5, -1.0, 2.0]) + 0.1 * rng.uniform(-1, 1, 3),), numba=True),
    case(rl.eig_gaps, lambda rng: (rng.uniform(-1, 1, (2, 3)),), numba=True, name="eig_gaps-stacked"),
    case(rl.eig_vectors_jvp, _eig_vectors, numba=True),
    case(rl.eig_vectors_vjp, _eig_vectors, numba=True),
    case(rl.eig_vectors_jvp, lambda rng: (rng.uniform(-1, 1, (3, 3)), np.linalg.eigh(_sym(3)(rng)[0])[1]),
         numba=True, name="eig_vectors_jvp-real"),
    case(rl.eig_vectors_vjp, lambda rng: (rng.uniform(-1, 1, (3, 3)), np.linalg.eigh(_sym(3)(rng)[0])[1]),
         numba=True, name="eig_vectors_vjp-real"),
    case(rl.mp_base, lambda rng: (_full(3, 3)(rng)[0], 2), numba=True, name="mp_base-positive"),
    case(rl.mp_base, lambda rng: (_full(3, 3)(rng)[0], -1), numba=True, name="mp_base-negative"),
    case(rl.reduced_only, lambda rng: (rng.uniform(-1, 1, (4, 3)), np.eye(3, dtype=int)), numba=True),
]


LIST_VALUED = (np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit)


@pytest.mark.parametrize("key, make, options, use_numba", CASES)
def test_decompositions_rule(key, make, options, use_numba, request):
    inputs = make(np.random.default_rng(len(request.node.name)))
    rule = VJP_RULES.get(key, len(inputs))
    if key in LIST_VALUED:  # check_vjp compares tuples of outputs
        key = _as_tuple(key)
    check_vjp(key, inputs, options, name=request.node.name, use_numba=use_numba, rule=rule)


def _as_tuple(fn):
    return lambda *args, **kwargs: tuple(fn(*args, **kwargs))
