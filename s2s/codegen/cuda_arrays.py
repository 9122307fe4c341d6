"""Per-example arrays in CUDA kernels: NumPy array operations on a per-thread arena.

A kernel cannot allocate, so every array a thread computes (`x * w`, `np.exp(z)`, the
`zeros_like(w)` a gradient starts from) is carved out of the thread's float64 arena: a
local array of a capacity the kernel is compiled for (the GPU interleaves local memory
across a warp, so the threads' arrays are accessed together), or past gpu._LOCAL_ARENA_MAX
values the thread's row of a buffer the host preallocates: `arena_alloc` bumps the thread's cursor (`state[0]`) and
returns the offset; a request past the end records the room needed (`state[1]`) and raises,
which ends the thread (numba.cuda propagates a device function's error status up to the
kernel, which returns); the host sees the need, grows the arena and launches again.
Memory is never reused within one example, so the arrays keep Python's semantics: every
result is a fresh array, views and aliases behave as in NumPy.

Each operation is a plain function (its NumPy meaning: what the CUDA simulator runs, still
placing results in the arena so the host's sizing is exercised) with a
`numba.extending.overload` (generic target: the same loops compile for the CPU, where the
tests run them, and for CUDA) that writes the loops for the operand types: scalars stay
scalars and cost nothing, arrays broadcast as NumPy does. Results are float64, returned as
1-tuples (numba.cuda refuses a function returning an array it was not given; a tuple
holding a view of the arena is fine), which the rewritten code unwraps.
"""
import math

import numpy as np
from numba import types
from numba.extending import overload

# -- the arena ----------------------------------------------------------------------------


def arena_alloc(arena, state, n):
    """Offset of `n` fresh float64 slots of this thread's arena (pure Python: the simulator,
    where an overflow returns -1 and the caller uses NumPy memory; the launch is repeated)."""
    pos = state[0]
    if pos + n > arena.shape[0]:
        state[1] = max(state[1], pos + n)
        return -1
    state[0] = pos + n
    return pos


@overload(arena_alloc, target="generic")
def _ol_arena_alloc(arena, state, n):
    def impl(arena, state, n):
        pos = state[0]
        if pos + n > arena.shape[0]:
            if pos + n > state[1]:
                state[1] = pos + n
            raise MemoryError("s2s kernel arena")  # ends this thread; the host relaunches
        state[0] = pos + n
        return pos
    return impl


def sim(a):
    """The NumPy array behind one of the CUDA simulator's device arrays (its kernels see
    wrappers that are not np.ndarray, which NumPy-based helpers would not recognize)."""
    a = a.__dict__.get("_item", a) if hasattr(a, "__dict__") else a
    ary = getattr(a, "_ary", None)
    return ary if isinstance(ary, np.ndarray) else a


def _place(arena, state, value):
    """The simulator's result `value` copied into the arena (or left where it is on overflow)."""
    value = np.asarray(sim(value), dtype=np.float64)
    arena = sim(arena)
    off = arena_alloc(arena, state, value.size)
    if off < 0:
        return value
    out = arena[off:off + value.size].reshape(value.shape)
    out[...] = value
    return out


# -- code generation for the overloads ------------------------------------------------------
_GENERATED = {}


def _compile(key, lines):
    fn = _GENERATED.get(key)
    if fn is None:
        env = {"math": math, "arena_alloc": arena_alloc, "np": np, "k_mul": OPS.get("mul"), "k_matvec": k_matvec,
               "k_outer": k_outer, "k_unbroadcast": k_unbroadcast}
        exec("\n".join(lines), env)
        fn = _GENERATED[key] = env["impl"]
    return fn


def _is_array(t):
    return isinstance(t, types.Array) and t.ndim > 0


def _elementwise(name, expr, operand_types):
    """impl(arena, state, *operands) computing `expr` (with `{0}`, `{1}`... the operands'
    elements) over the broadcast shape; None if no operand is an array."""
    arrays = [k for k, t in enumerate(operand_types) if _is_array(t)]
    if not arrays:
        return None
    nd = max(operand_types[k].ndim for k in arrays)
    names = [f"x{k}" for k in range(len(operand_types))]
    lines = [f"def impl(arena, state, {', '.join(names)}):"]
    for d in range(nd):  # the broadcast size of output dimension d
        sizes = [f"x{k}.shape[{d - (nd - operand_types[k].ndim)}]" for k in arrays
                 if d - (nd - operand_types[k].ndim) >= 0]
        lines.append(f"    s{d} = max({', '.join(sizes)}, 1)" if len(sizes) > 1 else f"    s{d} = {sizes[0]}")
    size = " * ".join(f"s{d}" for d in range(nd))
    shape = ", ".join(f"s{d}" for d in range(nd)) + ("," if nd == 1 else "")
    lines += [f"    n = {size}", "    off = arena_alloc(arena, state, n)",
              f"    out = arena[off:off + n].reshape(({shape}))"]
    elems = []
    for k, t in enumerate(operand_types):
        if not _is_array(t):
            elems.append(f"x{k}")
            continue
        shift = nd - t.ndim
        idx = ", ".join(f"(i{d + shift} if x{k}.shape[{d}] != 1 else 0)" for d in range(t.ndim))
        elems.append(f"x{k}[{idx}]")
    for d in range(nd):
        lines.append("    " * (d + 1) + f"for i{d} in range(s{d}):")
    lines.append("    " * (nd + 1) + f"out[{', '.join(f'i{d}' for d in range(nd))}] = {expr.format(*elems)}")
    lines.append("    return (out,)")
    return _compile((name, tuple(str(t) for t in operand_types)), lines)


# -- elementwise operations ---------------------------------------------------------------
# name -> (NumPy function for the simulator, scalar expression for the device loops)
UNARY = {
    "neg": (np.negative, "-{0}"), "pos": (np.positive, "+{0}"), "not_": (np.logical_not, "not {0}"),
    "exp": (np.exp, "math.exp({0})"), "log": (np.log, "math.log({0})"), "sqrt": (np.sqrt, "math.sqrt({0})"),
    "expm1": (np.expm1, "math.expm1({0})"), "log1p": (np.log1p, "math.log1p({0})"),
    "log2": (np.log2, "math.log2({0})"), "log10": (np.log10, "math.log10({0})"),
    "sin": (np.sin, "math.sin({0})"), "cos": (np.cos, "math.cos({0})"), "tan": (np.tan, "math.tan({0})"),
    "arcsin": (np.arcsin, "math.asin({0})"), "arccos": (np.arccos, "math.acos({0})"),
    "arctan": (np.arctan, "math.atan({0})"), "sinh": (np.sinh, "math.sinh({0})"),
    "cosh": (np.cosh, "math.cosh({0})"), "tanh": (np.tanh, "math.tanh({0})"),
    "arcsinh": (np.arcsinh, "math.asinh({0})"), "arccosh": (np.arccosh, "math.acosh({0})"),
    "arctanh": (np.arctanh, "math.atanh({0})"), "abs": (np.abs, "abs({0})"), "absolute": (np.abs, "abs({0})"),
    "fabs": (np.fabs, "abs({0})"), "square": (np.square, "{0} * {0}"), "floor": (np.floor, "math.floor({0})"),
    "ceil": (np.ceil, "math.ceil({0})"), "trunc": (np.trunc, "math.trunc({0})"),
    "sign": (np.sign, "(1.0 if {0} > 0 else (-1.0 if {0} < 0 else {0}))"),
    "reciprocal": (np.reciprocal, "1.0 / {0}"),
}
BINARY = {
    "add": (np.add, "{0} + {1}"), "sub": (np.subtract, "{0} - {1}"), "mul": (np.multiply, "{0} * {1}"),
    "div": (np.true_divide, "{0} / {1}"), "pow": (np.power, "{0} ** {1}"), "mod": (np.mod, "{0} % {1}"),
    "floordiv": (np.floor_divide, "{0} // {1}"),
    "lt": (np.less, "{0} < {1}"), "le": (np.less_equal, "{0} <= {1}"), "gt": (np.greater, "{0} > {1}"),
    "ge": (np.greater_equal, "{0} >= {1}"), "eq": (np.equal, "{0} == {1}"), "ne": (np.not_equal, "{0} != {1}"),
    "maximum": (np.maximum, "max({0}, {1})"), "minimum": (np.minimum, "min({0}, {1})"),
    "fmax": (np.fmax, "max({0}, {1})"), "fmin": (np.fmin, "min({0}, {1})"),
    "arctan2": (np.arctan2, "math.atan2({0}, {1})"), "hypot": (np.hypot, "math.hypot({0}, {1})"),
    "power": (np.power, "{0} ** {1}"), "copysign": (np.copysign, "math.copysign({0}, {1})"),
}
TERNARY = {"where": (np.where, "({1} if {0} else {2})")}


def _make(name, numpy_fn, expr, arity):
    params = ", ".join(f"x{k}" for k in range(arity))
    env = {"numpy_fn": numpy_fn, "_place": _place, "np": np}
    exec(f"def k_{name}(arena, state, {params}):\n"
         f"    r = numpy_fn({params})\n"
         f"    return (_place(arena, state, r) if np.ndim(r) else r,)\n", env)
    fn = env[f"k_{name}"]
    fn.__module__ = __name__
    fn.__doc__ = f"np.{numpy_fn.__name__} in a kernel: scalars as they are, arrays in the arena."

    def typer(arena, state, *operands):
        impl = _elementwise(name, expr, operands)
        if impl is not None:
            return impl
        scalar = _compile((name, "scalar", arity), [f"def impl(arena, state, {params}):",
                                                     f"    return ({expr.format(*[f'x{k}' for k in range(arity)])},)"])
        return scalar
    env2 = {"typer": typer}
    exec(f"def ol(arena, state, {params}):\n    return typer(arena, state, {params})\n", env2)
    overload(fn, target="generic")(env2["ol"])
    return fn


OPS = {}
for _table, _arity in ((UNARY, 1), (BINARY, 2), (TERNARY, 3)):
    for _name, (_np_fn, _expr) in _table.items():
        OPS[_name] = globals()[f"k_{_name}"] = _make(_name, _np_fn, _expr, _arity)


# -- allocation and the derivative runtime's array helpers ----------------------------------
def k_zeros_like(arena, state, x):
    """A zero adjoint like `x` (runtime.zeros_like): 0.0 for scalars, arena zeros for arrays."""
    x = sim(x)
    if np.ndim(x) == 0:
        return (0.0,)
    return (_place(arena, state, np.zeros(np.shape(x))),)


@overload(k_zeros_like, target="generic")
def _ol_zeros_like(arena, state, x):
    if not _is_array(x):
        return lambda arena, state, x: (0.0,)
    nd = x.ndim
    shape = ", ".join(f"x.shape[{d}]" for d in range(nd)) + ("," if nd == 1 else "")
    return _compile(("zeros_like", nd), [
        "def impl(arena, state, x):", f"    n = x.size", "    off = arena_alloc(arena, state, n)",
        "    flat = arena[off:off + n]", "    for i in range(n):", "        flat[i] = 0.0",
        f"    return (flat.reshape(({shape})),)"])


def k_unbroadcast(arena, state, ct, x):
    """runtime.unbroadcast in a kernel: `ct` summed to the shape of `x` (an array, a scalar
    or a shape tuple saved by shape_of)."""
    ct, x = sim(ct), sim(x)  # (the simulator's arrays)
    from ..diff.runtime import unbroadcast

    r = unbroadcast(ct, x)
    return (_place(arena, state, r) if np.ndim(r) and r is not ct else r,)


@overload(k_unbroadcast, target="generic")
def _ol_unbroadcast(arena, state, ct, x):
    target_nd = x.ndim if _is_array(x) else (len(x) if isinstance(x, types.BaseTuple) else 0)
    if not _is_array(ct):
        if target_nd == 0:
            return lambda arena, state, ct, x: (ct,)
        return None  # expanding a scalar cotangent: not produced by reverse mode
    if target_nd == 0:
        return _compile(("unbroadcast_all", ct.ndim), _sum_all_lines(ct.ndim))
    if target_nd == ct.ndim:
        # Same rank: sum over the axes where x has size 1 (or return ct when none).
        nd = ct.ndim
        shape_of = "x.shape" if _is_array(x) else "x"
        lines = ["def impl(arena, state, ct, x):", f"    xs = {shape_of}", "    same = True"]
        for d in range(nd):
            lines.append(f"    if xs[{d}] != ct.shape[{d}]:")
            lines.append("        same = False")
        lines.append("    if same:")
        lines.append("        return (ct,)")
        lines += ["    n = 1", f"    for d in range({nd}):", "        n *= xs[d]", "    off = arena_alloc(arena, state, n)",
                  "    out = arena[off:off + n].reshape(xs)", "    flat = arena[off:off + n]",
                  "    for i in range(n):", "        flat[i] = 0.0"]
        idx_ct = ", ".join(f"i{d}" for d in range(nd))
        idx_x = ", ".join(f"(i{d} if xs[{d}] != 1 else 0)" for d in range(nd))
        for d in range(nd):
            lines.append("    " * (d + 1) + f"for i{d} in range(ct.shape[{d}]):")
        lines.append("    " * (nd + 1) + f"out[{idx_x}] += ct[{idx_ct}]")
        lines.append("    return (out,)")
        return _compile(("unbroadcast_same", nd, _is_array(x)), lines)
    if target_nd < ct.ndim:
        # Leading axes summed away; x's own size-1 axes as above.
        nd, lead = ct.ndim, ct.ndim - target_nd
        shape_of = "x.shape" if _is_array(x) else "x"
        lines = ["def impl(arena, state, ct, x):", f"    xs = {shape_of}", "    n = 1",
                 f"    for d in range({target_nd}):", "        n *= xs[d]", "    off = arena_alloc(arena, state, n)",
                 "    out = arena[off:off + n].reshape(xs)", "    flat = arena[off:off + n]",
                 "    for i in range(n):", "        flat[i] = 0.0"]
        idx_ct = ", ".join(f"i{d}" for d in range(nd))
        idx_x = ", ".join(f"(i{d + lead} if xs[{d}] != 1 else 0)" for d in range(target_nd))
        for d in range(nd):
            lines.append("    " * (d + 1) + f"for i{d} in range(ct.shape[{d}]):")
        lines.append("    " * (nd + 1) + f"out[{idx_x}] += ct[{idx_ct}]")
        lines.append("    return (out,)")
        return _compile(("unbroadcast_lead", nd, target_nd, _is_array(x)), lines)
    return None


def _sum_all_lines(nd):
    lines = ["def impl(arena, state, ct, x):", "    acc = 0.0"]
    for d in range(nd):
        lines.append("    " * (d + 1) + f"for i{d} in range(ct.shape[{d}]):")
    lines.append("    " * (nd + 1) + f"acc += ct[{', '.join(f'i{d}' for d in range(nd))}]")
    lines.append("    return (acc,)")
    return lines


def k_matvec(arena, state, a, b):
    """np.dot / `@` in a kernel: vectors and matrices (matrix-vector, vector-matrix, matrix-matrix)."""
    a, b = sim(a), sim(b)  # (the simulator's arrays)
    r = np.dot(a, b)
    return (_place(arena, state, r) if np.ndim(r) else r,)


@overload(k_matvec, target="generic")
def _ol_matvec(arena, state, a, b):
    if not _is_array(a) or not _is_array(b):  # np.dot with a scalar: a product
        return _compile(("dot_scalar",), ["def impl(arena, state, a, b):", "    return k_mul(arena, state, a, b)"])
    if _is_array(a) and _is_array(b) and a.ndim == 2 and b.ndim == 1:
        return _compile(("mv",), [
            "def impl(arena, state, a, b):", "    n = a.shape[0]", "    off = arena_alloc(arena, state, n)",
            "    out = arena[off:off + n]", "    for i in range(n):", "        acc = 0.0",
            "        for k in range(b.shape[0]):", "            acc += a[i, k] * b[k]", "        out[i] = acc",
            "    return (out,)"])
    if _is_array(a) and _is_array(b) and a.ndim == 1 and b.ndim == 2:
        return _compile(("vm",), [
            "def impl(arena, state, a, b):", "    n = b.shape[1]", "    off = arena_alloc(arena, state, n)",
            "    out = arena[off:off + n]", "    for j in range(n):", "        acc = 0.0",
            "        for k in range(a.shape[0]):", "            acc += a[k] * b[k, j]", "        out[j] = acc",
            "    return (out,)"])
    if _is_array(a) and _is_array(b) and a.ndim == 1 and b.ndim == 1:
        return _compile(("vv",), ["def impl(arena, state, a, b):", "    acc = 0.0",
                                  "    for k in range(a.shape[0]):", "        acc += a[k] * b[k]", "    return (acc,)"])
    if _is_array(a) and _is_array(b) and a.ndim == 2 and b.ndim == 2:
        return _matmat(False, False)
    return None


def _matmat(ta, tb, params="a, b", a="a", b="b"):
    """impl(arena, state, <params>) of `a @ b` for matrices, `a` read transposed if `ta`
    (`a.T @ b`), `b` if `tb` (`a @ b.T`): the products reverse mode needs, without views."""
    m, kk = (f"{a}.shape[1]", f"{a}.shape[0]") if ta else (f"{a}.shape[0]", f"{a}.shape[1]")
    n = f"{b}.shape[0]" if tb else f"{b}.shape[1]"
    a_ik = f"{a}[k, i]" if ta else f"{a}[i, k]"
    b_kj = f"{b}[j, k]" if tb else f"{b}[k, j]"
    return _compile(("mm", ta, tb, params, a, b), [
        f"def impl(arena, state, {params}):", f"    m = {m}", f"    n = {n}", "    off = arena_alloc(arena, state, m * n)",
        "    out = arena[off:off + m * n].reshape((m, n))", "    for i in range(m):", "        for j in range(n):",
        "            acc = 0.0", f"            for k in range({kk}):", f"                acc += {a_ik} * {b_kj}",
        "            out[i, j] = acc", "    return (out,)"])


def k_outer(arena, state, a, b):
    """np.outer of two vectors in a kernel."""
    a, b = sim(a), sim(b)  # (the simulator's arrays)
    return (_place(arena, state, np.outer(a, b)),)


@overload(k_outer, target="generic")
def _ol_outer(arena, state, a, b):
    if _is_array(a) and _is_array(b) and a.ndim == 1 and b.ndim == 1:
        return _compile(("outer",), [
            "def impl(arena, state, a, b):", "    m = a.shape[0]", "    n = b.shape[0]",
            "    off = arena_alloc(arena, state, m * n)", "    out = arena[off:off + m * n].reshape((m, n))",
            "    for i in range(m):", "        for j in range(n):", "            out[i, j] = a[i] * b[j]",
            "    return (out,)"])
    return None


def k_copy_into(dst, src):
    """Copy a thread's result into its row of an output (`dst[...] = src`)."""
    dst[...] = src


@overload(k_copy_into, target="generic")
def _ol_copy_into(dst, src):
    if not _is_array(dst):
        return None
    nd = dst.ndim
    idx = ", ".join(f"i{d}" for d in range(nd))
    lines = ["def impl(dst, src):"]
    for d in range(nd):
        lines.append("    " * (d + 1) + f"for i{d} in range(dst.shape[{d}]):")
    lines.append("    " * (nd + 1) + f"dst[{idx}] = src[{idx}]")
    return _compile(("copy_into", nd), lines)


def k_dot_vjp1(arena, state, ct, x1, x2):
    """runtime.dot_vjp1 (and matmul_vjp1) in a kernel: vector and matrix-vector products."""
    ct, x1, x2 = sim(ct), sim(x1), sim(x2)  # (the simulator's arrays)
    from ..diff.runtime import dot_vjp1

    r = dot_vjp1(ct, x1, x2)
    return (_place(arena, state, r) if np.ndim(r) else r,)


def k_dot_vjp2(arena, state, ct, x1, x2):
    """runtime.dot_vjp2 (and matmul_vjp2) in a kernel."""
    ct, x1, x2 = sim(ct), sim(x1), sim(x2)  # (the simulator's arrays)
    from ..diff.runtime import dot_vjp2

    r = dot_vjp2(ct, x1, x2)
    return (_place(arena, state, r) if np.ndim(r) else r,)


def _nd(t):
    return t.ndim if _is_array(t) else 0


@overload(k_dot_vjp1, target="generic")
def _ol_dot_vjp1(arena, state, ct, x1, x2):
    n1, n2 = _nd(x1), _nd(x2)
    if n1 == 0 or n2 == 0 or (n1 == 1 and n2 == 1):  # a product: ct * x2, summed to x1
        return _compile(("dvjp1_mul",), ["def impl(arena, state, ct, x1, x2):",
                                         "    return k_unbroadcast(arena, state, k_mul(arena, state, ct, x2)[0], x1)"])
    if n1 == 2 and n2 == 1:  # (A @ v): outer(ct, v)
        return _compile(("dvjp1_outer",), ["def impl(arena, state, ct, x1, x2):", "    return k_outer(arena, state, ct, x2)"])
    if n1 == 1 and n2 == 2:  # (v @ A): A @ ct
        return _compile(("dvjp1_mv",), ["def impl(arena, state, ct, x1, x2):", "    return k_matvec(arena, state, x2, ct)"])
    if n1 == 2 and n2 == 2:  # (A @ B): ct @ B.T
        return _matmat(False, True, "ct, x1, x2", "ct", "x2")
    return None


@overload(k_dot_vjp2, target="generic")
def _ol_dot_vjp2(arena, state, ct, x1, x2):
    n1, n2 = _nd(x1), _nd(x2)
    if n1 == 0 or n2 == 0 or (n1 == 1 and n2 == 1):
        return _compile(("dvjp2_mul",), ["def impl(arena, state, ct, x1, x2):",
                                         "    return k_unbroadcast(arena, state, k_mul(arena, state, ct, x1)[0], x2)"])
    if n1 == 2 and n2 == 1:  # (A @ v): ct @ A
        return _compile(("dvjp2_vm",), ["def impl(arena, state, ct, x1, x2):", "    return k_matvec(arena, state, ct, x1)"])
    if n1 == 1 and n2 == 2:  # (v @ A): outer(v, ct)
        return _compile(("dvjp2_outer",), ["def impl(arena, state, ct, x1, x2):", "    return k_outer(arena, state, x1, ct)"])
    if n1 == 2 and n2 == 2:  # (A @ B): A.T @ ct
        return _matmat(True, False, "ct, x1, x2", "x1", "ct")
    return None


def k_store(out, b, v):
    """`out[b] = v` for a thread's result: a scalar, or an array copied into row b."""
    out[b] = v


@overload(k_store, target="generic")
def _ol_store(out, b, v):
    if not _is_array(v):
        def impl(out, b, v):
            out[b] = v
        return impl
    nd = v.ndim
    idx = ", ".join(f"i{d}" for d in range(nd))
    lines = ["def impl(out, b, v):"]
    for d in range(nd):
        lines.append("    " * (d + 1) + f"for i{d} in range(v.shape[{d}]):")
    lines.append("    " * (nd + 1) + f"out[b, {idx}] = v[{idx}]")
    return _compile(("store", nd), lines)


def k_unreduce(arena, state, ct, x, axis=None):
    """runtime.unreduce in a kernel: the cotangent of a full reduction spread over x's shape."""
    ct, x = sim(ct), sim(x)  # (the simulator's arrays)
    from ..diff.runtime import unreduce

    r = unreduce(ct, x, axis)
    return (_place(arena, state, r) if np.ndim(r) else r,)


@overload(k_unreduce, target="generic", prefer_literal=True)
def _ol_unreduce(arena, state, ct, x, axis=None):
    if isinstance(axis, types.IntegerLiteral) and _is_array(x):  # np.sum(x, axis=a)'s adjoint
        nd, a = x.ndim, axis.literal_value % x.ndim
        keep = _is_array(ct) and ct.ndim == nd  # keepdims
        idx = ", ".join(f"i{d}" for d in range(nd))
        ct_idx = ", ".join("0" if d == a else f"i{d}" for d in range(nd)) if keep else \
            ", ".join(f"i{d}" for d in range(nd) if d != a)
        shape = ", ".join(f"x.shape[{d}]" for d in range(nd)) + ("," if nd == 1 else "")
        lines = ["def impl(arena, state, ct, x, axis=None):", "    n = x.size", "    off = arena_alloc(arena, state, n)",
                 f"    out = arena[off:off + n].reshape(({shape}))"]
        for d in range(nd):
            lines.append("    " * (d + 1) + f"for i{d} in range(x.shape[{d}]):")
        lines.append("    " * (nd + 1) + f"out[{idx}] = " + (f"ct[{ct_idx}]" if ct_idx else "ct"))
        lines.append("    return (out,)")
        return _compile(("unreduce_axis", nd, a, keep), lines)
    if not (axis is None or isinstance(axis, (types.NoneType, types.Omitted))) or _is_array(ct):
        return None  # an axis not known when the kernel is compiled
    if not _is_array(x):
        return _compile(("unreduce_scalar",), ["def impl(arena, state, ct, x, axis=None):", "    return (ct,)"])
    nd = x.ndim
    shape = ", ".join(f"x.shape[{d}]" for d in range(nd)) + ("," if nd == 1 else "")
    return _compile(("unreduce", nd), [
        "def impl(arena, state, ct, x, axis=None):", "    n = x.size", "    off = arena_alloc(arena, state, n)",
        "    flat = arena[off:off + n]", "    for i in range(n):", "        flat[i] = ct",
        f"    return (flat.reshape(({shape})),)"])


def k_sum_axis(arena, state, x, axis):
    """np.sum(x, axis=<int>) in a kernel."""
    x = sim(x)
    r = np.sum(x, axis=axis)
    return (_place(arena, state, r) if np.ndim(r) else r,)


def k_mean_axis(arena, state, x, axis):
    """np.mean(x, axis=<int>) in a kernel."""
    x = sim(x)
    r = np.mean(x, axis=axis)
    return (_place(arena, state, r) if np.ndim(r) else r,)


def _axis_reduction(kind):
    def typer(arena, state, x, axis):
        if not (_is_array(x) and isinstance(axis, types.IntegerLiteral)):
            return None
        nd, a = x.ndim, axis.literal_value % x.ndim
        idx = ", ".join(f"i{d}" for d in range(nd))
        out_idx = ", ".join(f"i{d}" for d in range(nd) if d != a)
        finish = " / x.shape[%d]" % a if kind == "mean" else ""
        if nd == 1:  # a full reduction: a scalar
            return _compile((kind, "axis", 1), [
                "def impl(arena, state, x, axis):", "    acc = 0.0", "    for i0 in range(x.shape[0]):",
                "        acc += x[i0]", f"    return (acc{finish},)"])
        shape = ", ".join(f"x.shape[{d}]" for d in range(nd) if d != a) + ("," if nd == 2 else "")
        lines = ["def impl(arena, state, x, axis):", f"    n = x.size // x.shape[{a}]",
                 "    off = arena_alloc(arena, state, n)", "    flat = arena[off:off + n]", "    for i in range(n):",
                 "        flat[i] = 0.0", f"    out = flat.reshape(({shape}))"]
        for d in range(nd):
            lines.append("    " * (d + 1) + f"for i{d} in range(x.shape[{d}]):")
        lines.append("    " * (nd + 1) + f"out[{out_idx}] += x[{idx}]")
        if finish:
            lines += ["    for i in range(n):", f"        flat[i] = flat[i]{finish}"]
        lines.append("    return (out,)")
        return _compile((kind, "axis", nd, a), lines)
    return typer


overload(k_sum_axis, target="generic", prefer_literal=True)(_axis_reduction("sum"))
overload(k_mean_axis, target="generic", prefer_literal=True)(_axis_reduction("mean"))


def _filled(value):
    def k_fill(arena, state, shape):
        return (_place(arena, state, np.full(shape, value, dtype=np.float64)),)

    def typer(arena, state, shape):
        if isinstance(shape, types.Integer):
            return _compile(("fill1", value), [
                "def impl(arena, state, shape):", "    off = arena_alloc(arena, state, shape)",
                "    out = arena[off:off + shape]", "    for i in range(shape):", f"        out[i] = {value!r}",
                "    return (out,)"])
        if isinstance(shape, types.UniTuple) and isinstance(shape.dtype, types.Integer):
            return _compile(("filln", value), [
                "def impl(arena, state, shape):", "    n = 1", "    for s in shape:", "        n *= s",
                "    off = arena_alloc(arena, state, n)", "    flat = arena[off:off + n]", "    for i in range(n):",
                f"        flat[i] = {value!r}", "    return (flat.reshape(shape),)"])
        return None
    overload(k_fill, target="generic")(typer)
    return k_fill


k_zeros = _filled(0.0)
k_ones = _filled(1.0)
k_zeros.__name__, k_ones.__name__ = "k_zeros", "k_ones"
k_zeros.__qualname__, k_ones.__qualname__ = "k_zeros", "k_ones"


def k_copy(arena, state, x):
    """np.copy in a kernel: a fresh arena array (a scalar stays a scalar)."""
    x = sim(x)
    return (_place(arena, state, np.array(x, dtype=np.float64)) if np.ndim(x) else x,)


@overload(k_copy, target="generic")
def _ol_copy(arena, state, x):
    if not _is_array(x):
        return lambda arena, state, x: (x,)
    nd = x.ndim
    shape = ", ".join(f"x.shape[{d}]" for d in range(nd)) + ("," if nd == 1 else "")
    idx = ", ".join(f"i{d}" for d in range(nd))
    lines = ["def impl(arena, state, x):", "    n = x.size", "    off = arena_alloc(arena, state, n)",
             f"    out = arena[off:off + n].reshape(({shape}))"]
    for d in range(nd):
        lines.append("    " * (d + 1) + f"for i{d} in range(x.shape[{d}]):")
    lines.append("    " * (nd + 1) + f"out[{idx}] = x[{idx}]")
    lines.append("    return (out,)")
    return _compile(("copy", nd), lines)


def k_setitem(arena, state, y, index, value):
    """`y[index] = value` for an array value (the simulator: NumPy's assignment)."""
    y, value = sim(y), sim(value)  # (the simulator's arrays)
    y[index] = value
    return (0,)


@overload(k_setitem, target="generic")
def _ol_setitem(arena, state, y, index, value):
    if not _is_array(y):
        return None
    items = index.types if isinstance(index, types.BaseTuple) else (index,)
    nd = y.ndim - sum(isinstance(t, types.Integer) for t in items)  # the view's dimensions
    if nd <= 0:
        return None
    vnd = value.ndim if _is_array(value) else 0
    idx = ", ".join(f"i{d}" for d in range(nd))
    vidx = ", ".join(f"(i{d + nd - vnd} if value.shape[{d}] != 1 else 0)" for d in range(vnd))
    lines = ["def impl(arena, state, y, index, value):", "    v = y[index]"]
    for d in range(nd):
        lines.append("    " * (d + 1) + f"for i{d} in range(v.shape[{d}]):")
    lines.append("    " * (nd + 1) + f"v[{idx}] = " + (f"value[{vidx}]" if vnd else "value"))
    lines.append("    return (0,)")
    return _compile(("setitem", nd, vnd), lines)


# Arrays on reverse-mode tapes live in cuda_tape_arrays.py (imported here: kernel code finds
# every k_ helper in this module).
from .cuda_tape_arrays import k_tape_load, k_tape_store  # noqa: E402,F401
