"""Rules for the runtime helpers that generated Jacobian code calls (`jac_row`, `jac_col`,
`broadcast_like`), so that Jacobians and JVPs can be differentiated again
(`hessian = jacfwd(jacrev(f))`, `jacfwd(jacfwd(f))`, `jvp(grad(f))`). The allocation and
basis helpers are constants for differentiation."""
from ..registry import JVP_RULES, NONDIFF, VJP_RULES
from ..runtime import (
    astype,
    astype_grad,
    astype_tangent,
    basis,
    batch_set,
    move_batch_axis,
    broadcast_like,
    item,
    jac_alloc,
    real_output,
    jac_col,
    jac_col_take,
    jac_col_zero,
    jac_row,
    jac_row_take,
    jac_row_zero,
    out_size,
    unbroadcast,
    unreduce,
    unmoveaxis,
    zeros_like,
)

NONDIFF.register(out_size, basis, jac_alloc, real_output)


@JVP_RULES.linear(jac_row, nondiff=("i",))
def jac_row_jvp(J, i, row):
    """Linear in (J, g): the tangent Jacobian gets the tangent row."""


@JVP_RULES.linear(jac_col, nondiff=("j",))
def jac_col_jvp(J, j, t):
    """Linear in (J, t)."""


@JVP_RULES.linear(broadcast_like, nondiff=("x",))
def broadcast_like_jvp(t, x):
    """Linear in t; x is read for its shape."""


# The generated Jacobian code sets each row (column) of a fresh jac_alloc, a constant, once:
# J's cotangent is g itself (row i reaches no other input). Zeroing row i would copy the
# whole Jacobian per row, quadratic in its size (as for batch_set below).
@VJP_RULES.register(jac_row)
def jac_row_vjp(g, ans, J, i, row):
    """Row i's cotangent goes to `row`; the rest of g comes through to J."""
    return g, None, jac_row_take(g, i, row)


@VJP_RULES.register(jac_col)
def jac_col_vjp(g, ans, J, j, t):
    return g, None, jac_col_take(g, j, t)


@VJP_RULES.register(broadcast_like)
def broadcast_like_vjp(g, ans, t, x):
    return unbroadcast(g, t), None


@JVP_RULES.linear(jac_row_zero, nondiff=("i", "row"))
def jac_row_zero_jvp(ct, i, row):
    """Linear in ct."""


@JVP_RULES.linear(jac_row_take, nondiff=("i", "row"))
def jac_row_take_jvp(ct, i, row):
    """Linear in ct."""


@JVP_RULES.linear(jac_col_zero, nondiff=("j", "t"))
def jac_col_zero_jvp(ct, j, t):
    """Linear in ct."""


@JVP_RULES.linear(jac_col_take, nondiff=("j", "t"))
def jac_col_take_jvp(ct, j, t):
    """Linear in ct."""


# The cotangent helpers above are linear in `ct`; their transposes, for third derivatives.
@VJP_RULES.register(jac_row_zero)
def jac_row_zero_vjp(g, ans, ct, i, row):
    return jac_row_zero(g, i, row), None, None


@VJP_RULES.register(jac_row_take)
def jac_row_take_vjp(g, ans, ct, i, row):
    return jac_row(zeros_like(ct), i, g), None, None


@VJP_RULES.register(jac_col_zero)
def jac_col_zero_vjp(g, ans, ct, j, t):
    return jac_col_zero(g, j, t), None, None


@VJP_RULES.register(jac_col_take)
def jac_col_take_vjp(g, ans, ct, j, t):
    return jac_col(zeros_like(ct), j, g), None, None


# vmap's output placement: a transpose, linear in the batch.
@JVP_RULES.linear(move_batch_axis, nondiff=("ax",))
def move_batch_axis_jvp(o, ax):
    """Linear in o."""


@VJP_RULES.register(move_batch_axis)
def move_batch_axis_vjp(g, ans, o, ax):
    return unmoveaxis(g, 0, ax), None


# vmap's output batch: `o[b] = r`, linear in (o, r); its transpose reads row b.
@JVP_RULES.linear(batch_set, nondiff=("b",))
def batch_set_jvp(o, b, r):
    """Linear in (o, r)."""


@VJP_RULES.register(batch_set)
def batch_set_vjp(g, ans, o, b, r):
    """o's cotangent is g itself, row b not zeroed: vmap's loop sets each row of a fresh
    batch_alloc (a constant) once, so row b reaches no other input. Zeroing would copy the
    whole batch per example: quadratic in the batch (grad of a mean over vmap(f) of 10^5
    examples took 2.4 s under jit, ~all of it copying)."""
    return g, None, jac_row_take(g, b, r)


# `a.item()`: a has one element, which gets the whole cotangent.
@VJP_RULES.register(item)
def item_vjp(g, ans, a):
    return unreduce(g, a, None)


@JVP_RULES.linear(item)
def item_jvp(a):
    """Linear in a."""


# `x.astype(dtype)`: derivatives pass a float cast, stop at an integer one.
@VJP_RULES.register(astype)
def astype_vjp(g, ans, x, dtype):
    return astype_grad(g, x, ans), None


@JVP_RULES.register(astype)
def astype_jvp(ans, x, dtype, dx, ddtype):
    return astype_tangent(dx, ans)


@JVP_RULES.linear(astype_tangent, nondiff=("a",))
def astype_tangent_jvp(t, a):
    """Linear in t."""


@JVP_RULES.linear(astype_grad, nondiff=("x", "a"))
def astype_grad_jvp(gg, x, a):
    """Linear in g."""


@VJP_RULES.register(astype_tangent)
def astype_tangent_vjp(g, ans, t, a):
    return astype_grad(g, t, a), None


@VJP_RULES.register(astype_grad)
def astype_grad_vjp(g, ans, gg, x, a):
    return astype_tangent(g, a), None, None
