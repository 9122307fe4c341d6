"""numba forms of np.linalg's functions of stacked matrices: NumPy maps inv, det, slogdet,
eigh, eigvalsh, cholesky, svd, qr, pinv, matrix_power and solve over leading (batch) axes;
numba has them for one 2-d matrix only. Each overload here takes the n-d case (n > 2) and
loops over the matrices, calling numba's 2-d form on each (a contiguous copy, as LAPACK
wants) and writing into results shaped like NumPy's. Code is generated per number of batch
axes (a literal, so the shapes are tuples numba can type). The same for the helpers their
derivative rules call (runtime_linalg.py's triangles, eigenvalue gaps, blocks; transpose_last).

eigh/eigvalsh take UPLO (numba's read the lower triangle; 'U' calls LAPACK's xxxevd with
uplo='U' through numba's LAPACK bindings, as NumPy does: the transposed lower problem has the
same eigenvalues but LAPACK may return eigenvectors of other signs). solve(a, b) follows NumPy 2: b is a vector (one per matrix) only when it is 1-d, else a stack
of matrices; a 2-d b is shared by every matrix of a, an n-d one must have a's batch axes.
"""
import numpy as np
from numba import types
from numba.extending import overload
from numba.np import linalg as _nl
from numba.np.numpy_support import as_dtype

from .runtime import transpose_last  # s2s-runtime-import
from .runtime_jit import swapaxes_view
from .runtime_linalg import block_diag_sum, block_diag_sum_t, block_ur, block_ur_t, eig_gaps, reduced_only, strict_lower, tril_half
from .runtime_numba import _gen, _none  # noqa: F401
# s2s-runtime-import


def _literal(t):
    """The value of a literal or omitted argument's type (an omitted one may come as its
    default itself), else None."""
    if isinstance(t, types.Omitted):
        return t.value
    if isinstance(t, types.Literal):
        return t.literal_value
    return t if isinstance(t, (bool, int, str)) else None


def _stack(a, core=2):
    return isinstance(a, types.Array) and a.ndim > core


def _head(nb, arrays):
    """Lines: `lead` (the batch shape), `count` (the number of matrices) and each of `arrays`
    as a (count, ...) contiguous stack `<name>_s`."""
    lines = [f"    lead = {arrays[0]}.shape[:{nb}]", "    count = 1", "    for d in lead:", "        count *= d"]
    for name in arrays:
        lines.append(f"    {name}_s = np.ascontiguousarray({name}).reshape((count,) + {name}.shape[{nb}:])")
    return lines


def _loop(nb, call, outs):
    """Lines: the results of `call` (on matrix i) for every i into stacks `outs` (names of
    results: scalars stack to `lead`, arrays to lead + their shape), returned as a tuple
    when there are several. The first matrix's results give the shapes."""
    one = len(outs) == 1
    first = ", ".join(f"{o}0" for o in outs)
    lines = ["    if count == 0:", "        raise ValueError('s2s: np.linalg of an empty stack of matrices under numba')",
             f"    {first} = {call.format(i='0')}"]
    for o in outs:
        lines.append(f"    {o}s = np.empty((count,) + np.shape({o}0), np.asarray({o}0).dtype)")
        lines.append(f"    {o}s[0] = {o}0")
    lines.append("    for i in range(1, count):")
    each = ", ".join(f"{o}i" for o in outs)
    lines.append(f"        {each} = {call.format(i='i')}")
    for o in outs:
        lines.append(f"        {o}s[i] = {o}i")
    shaped = [f"{o}s.reshape(lead + np.shape({o}0))" for o in outs]
    lines.append("    return " + (shaped[0] if one else "(" + ", ".join(shaped) + ")"))
    return lines


def _stacked(key, signature, nb, arrays, call, outs):
    """The generated implementation (cached by key and the number of batch axes)."""
    return _gen(("stacked", key, nb), lambda: [f"def impl({signature}):"] + _head(nb, arrays) + _loop(nb, call, outs),
                globals())


@overload(np.linalg.inv)
def _ol_inv(a):
    if _stack(a):
        return _stacked("inv", "a", a.ndim - 2, ["a"], "np.linalg.inv(a_s[{i}])", ["r"])


@overload(np.linalg.det)
def _ol_det(a):
    if _stack(a):
        return _stacked("det", "a", a.ndim - 2, ["a"], "np.linalg.det(a_s[{i}])", ["r"])


@overload(np.linalg.slogdet)
def _ol_slogdet(a):
    if _stack(a):
        return _stacked("slogdet", "a", a.ndim - 2, ["a"], "np.linalg.slogdet(a_s[{i}])", ["s", "l"])


def _eigh_upper(a):
    """(numba only) np.linalg.eigh(a, 'U') of one matrix."""


def _eigvalsh_upper(a):
    """(numba only) np.linalg.eigvalsh(a, 'U') of one matrix."""


def _evd_upper(a, vectors):
    """numba's own eigh/eigvalsh implementation with uplo='U' (its private LAPACK binding
    numba_ez_xxxevd, which takes the triangle as an argument)."""
    _nl.ensure_lapack()
    w_dtype = as_dtype(getattr(a.dtype, "underlying_float", a.dtype))
    evd = _nl._LAPACK().numba_ez_xxxevd(a.dtype)
    kind = ord(_nl.get_blas_kind(a.dtype, "eigh"))
    jobz, uplo = ord("V" if vectors else "N"), ord("U")
    to_fortran, finite, check = _nl._copy_to_fortran_order, _nl._check_finite_matrix, _nl._handle_err_maybe_convergence_problem

    def solve(a):
        n = a.shape[-1]
        if a.shape[-2] != n:
            raise np.linalg.LinAlgError("Last 2 dimensions of the array must be square.")
        finite(a)
        acpy = to_fortran(a)
        w = np.empty(n, dtype=w_dtype)
        if n > 0:
            check(evd(kind, jobz, uplo, n, acpy.ctypes, n, w.ctypes))
        return (w, acpy) if vectors else w
    return solve


@overload(_eigh_upper)
def _ol_eigh_upper(a):
    if isinstance(a, types.Array) and a.ndim == 2:
        return _evd_upper(a, True)


@overload(_eigvalsh_upper)
def _ol_eigvalsh_upper(a):
    if isinstance(a, types.Array) and a.ndim == 2:
        return _evd_upper(a, False)


def _triangle(name, uplo):
    """The call on one matrix `{m}` for UPLO (a type): numba's own for 'L', the upper
    triangle's LAPACK call for 'U'; None if UPLO is not a constant 'L' or 'U'."""
    value = _literal(uplo)
    if value in ("L", "l"):
        return f"np.linalg.{name}({{m}})"
    if value in ("U", "u"):
        return f"_{name}_upper({{m}})"
    return None


def _eigh_typer(name, outs):
    def typer(a, UPLO="L"):
        tri = _triangle(name, UPLO)
        if not isinstance(a, types.Array) or a.ndim < 2 or tri is None:
            return None
        if _stack(a):
            return _stacked((name, tri), "a, UPLO='L'", a.ndim - 2, ["a"], tri.format(m="a_s[{i}]"), outs)
        if not isinstance(UPLO, types.Omitted) and not isinstance(UPLO, str):  # numba's takes no UPLO
            return _gen(("uplo", name, tri), ["def impl(a, UPLO='L'):", "    return " + tri.format(m="a")], globals())
    return typer


overload(np.linalg.eigh, prefer_literal=True)(_eigh_typer("eigh", ["w", "v"]))
overload(np.linalg.eigvalsh, prefer_literal=True)(_eigh_typer("eigvalsh", ["w"]))


@overload(np.linalg.cholesky)
def _ol_cholesky(a):
    if _stack(a):
        return _stacked("cholesky", "a", a.ndim - 2, ["a"], "np.linalg.cholesky(a_s[{i}])", ["l"])


@overload(np.linalg.pinv)
def _ol_pinv(a, rcond=1e-15, hermitian=False):
    if _stack(a) and not _literal(hermitian):
        return _stacked("pinv", "a, rcond=1e-15, hermitian=False", a.ndim - 2, ["a"],
                        "np.linalg.pinv(a_s[{i}], rcond)", ["p"])


def _matrix_power_lines(nb):  # by squaring (numba's 2-d form has an Optional result type)
    return ["def impl(a, n):"] + _head(nb, ["a"]) + [
        "    m = a.shape[-1]",
        "    if a.shape[-2] != m:",
        "        raise ValueError('Last 2 dimensions of the array must be square')",
        "    out = np.empty(a_s.shape, a.dtype)",
        "    for i in range(count):",
        "        base = np.ascontiguousarray(a_s[i]) if n >= 0 else np.linalg.inv(a_s[i])",
        "        r = np.eye(m, dtype=a.dtype)",
        "        k = abs(n)",
        "        while k > 0:",
        "            if k & 1:",
        "                r = r @ base",
        "            base = base @ base",
        "            k >>= 1",
        "        out[i] = r",
        "    return out.reshape(a.shape)"]


@overload(np.linalg.matrix_power)
def _ol_matrix_power(a, n):
    if _stack(a) and isinstance(n, types.Integer):
        return _gen(("stacked", "matrix_power", a.ndim - 2), lambda: _matrix_power_lines(a.ndim - 2), globals())


@overload(np.linalg.svd, prefer_literal=True)
def _ol_svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    if not _stack(a):
        return None
    sig = "a, full_matrices=True, compute_uv=True, hermitian=False"
    uv = _literal(compute_uv)
    if uv is False:
        return _stacked("svd-s", sig, a.ndim - 2, ["a"], "np.linalg.svd(a_s[{i}], False)[1]", ["s"])
    if uv is True:
        return _stacked("svd", sig, a.ndim - 2, ["a"], "np.linalg.svd(a_s[{i}], full_matrices)", ["u", "s", "vh"])


@overload(np.linalg.qr, prefer_literal=True)
def _ol_qr(a, mode="reduced"):
    if not _stack(a):
        return None
    if _literal(mode) == "reduced":
        return _stacked("qr", "a, mode='reduced'", a.ndim - 2, ["a"], "np.linalg.qr(a_s[{i}])", ["q", "r"])
    if _literal(mode) == "r":
        return _stacked("qr-r", "a, mode='reduced'", a.ndim - 2, ["a"], "np.linalg.qr(a_s[{i}])[1]", ["r"])


@overload(np.linalg.solve)
def _ol_solve(a, b):
    if not (isinstance(a, types.Array) and isinstance(b, types.Array)) or a.ndim < 2:
        return None
    if a.ndim == 2 and b.ndim > 2:  # one matrix, a stack of right-hand sides
        return _stacked("solve-b", "a, b", b.ndim - 2, ["b"], "np.linalg.solve(a, b_s[{i}])", ["x"])
    if a.ndim == 2:
        return None  # numba's
    nb = a.ndim - 2
    if b.ndim <= 2:  # a vector or a matrix shared by every matrix of a
        return _stacked(("solve-shared", b.ndim), "a, b", nb, ["a"], "np.linalg.solve(a_s[{i}], b)", ["x"])
    if b.ndim == a.ndim:
        return _gen(("stacked", "solve", nb), lambda: ["def impl(a, b):"] + [
            f"    if a.shape[:{nb}] != b.shape[:{nb}]:",
            "        raise ValueError('s2s: np.linalg.solve under numba needs the same batch axes for a and b')"]
            + _head(nb, ["a", "b"]) + _loop(nb, "np.linalg.solve(a_s[{i}], b_s[{i}])", ["x"]), globals())


@overload(transpose_last)
def _ol_transpose_last(x):
    if _stack(x):
        return lambda x: swapaxes_view(x, -1, -2)  # (numba's np.swapaxes takes seconds to compile)


def _helper(fn, name, core=2):
    def typer(x):
        if _stack(x, core):
            return _stacked(name, "x", x.ndim - core, ["x"], name + "(x_s[{i}])", ["r"])
    overload(fn)(typer)


for _fn in (tril_half, strict_lower, block_ur, block_ur_t, block_diag_sum, block_diag_sum_t):
    _helper(_fn, _fn.__name__)
_helper(eig_gaps, "eig_gaps", core=1)


@overload(reduced_only)
def _ol_reduced_only(u, vh):
    if _stack(u) and _stack(vh):
        def impl(u, vh):
            if u.shape[-1] != vh.shape[-2]:
                raise ValueError("the derivative of np.linalg.svd with full_matrices=True needs a square matrix; "
                                 "pass full_matrices=False")
            return u
        return impl
