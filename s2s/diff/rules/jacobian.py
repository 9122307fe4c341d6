"""Rules for the runtime helpers that generated Jacobian code calls (`jac_row`, `jac_col`,
`broadcast_like`), so that Jacobians and JVPs can be differentiated again
(`hessian = jacfwd(jacrev(f))`, `jacfwd(jacfwd(f))`, `jvp(grad(f))`). The allocation and
basis helpers are constants for differentiation."""
from ..registry import JVP_RULES, NONDIFF
from ..runtime import basis, broadcast_like, jac_alloc, jac_col, jac_row, out_size

NONDIFF.register(out_size, basis, jac_alloc)


@JVP_RULES.linear(jac_row, nondiff=("i",))
def jac_row_jvp(J, i, g):
    """Linear in (J, g): the tangent Jacobian gets the tangent row."""


@JVP_RULES.linear(jac_col, nondiff=("j",))
def jac_col_jvp(J, j, t):
    """Linear in (J, t)."""


@JVP_RULES.linear(broadcast_like, nondiff=("x",))
def broadcast_like_jvp(t, x):
    """Linear in t; x is read for its shape."""
