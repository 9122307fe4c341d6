"""JVP rules of the runtime helpers that the VJP templates call (the forward twins of
helpers.py), so that reverse-mode derivative code can be differentiated in forward mode
(Hessian-vector products, forward-over-reverse). Almost every helper is linear in its
cotangent argument `ct`: its tangent is the same call on `ct`'s tangent, with the arguments
read only for their shape or value (`x`, `a`, `arrays`, the permutation of unsort/resort)
marked `nondiff`. The product helpers (matmul_vjp1, dot_vjp1, tensordot_vjp1 and their
twins) are bilinear in `ct` and the operand they multiply by; `einsum_vjp<k>` is linear in
`ct` and each operand but the k-th (read for its shape). The rules of prod_partials,
norm_grad and the helpers their rules call are in jvp_partials.py.
"""
from ..registry import JVP_RULES
from ..runtime import (
    pick_leaf,
    stored_part,
    unstored_part,
    add_at,
    abs_direction,
    abs_direction_tangent,
    abs_direction_vjp,
    real_only,
    copy_value,
    real_for,
    scalar_output,
    dot_vjp1,
    dot_vjp2,
    einsum_vjp1,
    einsum_vjp2,
    einsum_vjp3,
    log_or_zero,
    matmul_vjp1,
    matmul_vjp2,
    reduce_to,
    reshape_to,
    resort,
    swap_axes,
    tensordot_vjp1,
    tensordot_vjp2,
    transpose_last,
    unbroadcast,
    unconcatenate,
    uncumsum,
    undiag,
    unflip,
    unhstack,
    unmoveaxis,
    unreduce,
    unrepeat,
    unroll,
    unsort,
    unstack,
    unsum,
    sum_of,
    untake,
    untile,
    untrace,
    untranspose,
    unvstack,
)

linear = JVP_RULES.linear
multilinear = JVP_RULES.multilinear
register = JVP_RULES.register


@linear(stored_part, nondiff=("idx",))
def stored_part_rule(b, idx):
    """Linear in b."""


@linear(unstored_part, nondiff=("b", "idx"))
def unstored_part_rule(ct, b, idx):
    """Linear in ct."""


@linear(pick_leaf, nondiff=("i", "k", "n"))
def pick_leaf_rule(ct, i, k, n):
    """Linear in ct."""


@linear(unbroadcast, nondiff=("x",))
def unbroadcast_rule(ct, x):
    """Linear in ct."""


@linear(unreduce, nondiff=("x",))
def unreduce_rule(ct, x, axis=None):
    """Linear in ct."""


@linear(reduce_to, nondiff=("x",))
def reduce_to_rule(ct, x, axis=None):
    """Linear in ct."""


@linear(reshape_to, nondiff=("x",))
def reshape_to_rule(ct, x, order="C"):
    """Linear in ct."""


@linear(copy_value)
def copy_value_rule(v):
    """Linear."""


@register(abs_direction)
def abs_direction_rule(ans, x, dx):
    """0 for a real x; complex: abs_direction_tangent."""
    return abs_direction_tangent(x, dx)


@register(abs_direction_tangent)
def abs_direction_tangent_rule(ans, x, t, dx, dt):
    """Linear in t; through x, zero for a real x."""
    return abs_direction_tangent(x, dt) + real_only(x, dx)


@register(abs_direction_vjp)
def abs_direction_vjp_rule(ans, c, x, dc, dx):
    """Linear in c; through x, zero for a real x."""
    return abs_direction_vjp(dc, x) + real_only(x, dx)


@linear(scalar_output)
def scalar_output_rule(value):
    """The identity."""


@linear(real_for, nondiff=("x",))
def real_for_rule(ct, x):
    """Linear in ct."""


@linear(add_at, nondiff=("idx",))
def add_at_rule(a, idx, v):
    """Linear in (a, v) jointly: add_at(da, idx, dv) (in place into da, as the primal into a)."""


@JVP_RULES.register(log_or_zero)
def log_or_zero_rule(ans, x, dx):
    return dx / x


@multilinear(matmul_vjp1, nondiff=("x1",))
def matmul_vjp1_rule(ct, x1, x2):
    """Bilinear in (ct, x2); x1 gives the shape."""


@multilinear(matmul_vjp2, nondiff=("x2",))
def matmul_vjp2_rule(ct, x1, x2):
    """Bilinear in (ct, x1); x2 gives the shape."""


@multilinear(dot_vjp1, nondiff=("x1",))
def dot_vjp1_rule(ct, x1, x2):
    """Bilinear in (ct, x2); x1 gives the shape."""


@multilinear(dot_vjp2, nondiff=("x2",))
def dot_vjp2_rule(ct, x1, x2):
    """Bilinear in (ct, x1); x2 gives the shape."""


@multilinear(tensordot_vjp1, nondiff=("a",))
def tensordot_vjp1_rule(ct, a, b, axes=2):
    """Bilinear in (ct, b); a gives the number of dimensions."""


@multilinear(tensordot_vjp2, nondiff=("b",))
def tensordot_vjp2_rule(ct, a, b, axes=2):
    """Bilinear in (ct, a); b gives the number of dimensions."""


@multilinear(einsum_vjp1, nondiff=("subscripts", "x1"))
def einsum_vjp1_one(ct, subscripts, x1):
    """Linear in ct; x1 gives the shape."""


@multilinear(einsum_vjp1, nondiff=("subscripts", "x1"))
def einsum_vjp1_two(ct, subscripts, x1, x2):
    """Bilinear in (ct, x2); x1 gives the shape."""


@multilinear(einsum_vjp2, nondiff=("subscripts", "x2"))
def einsum_vjp2_two(ct, subscripts, x1, x2):
    """Bilinear in (ct, x1); x2 gives the shape."""


@multilinear(einsum_vjp1, nondiff=("subscripts", "x1"))
def einsum_vjp1_three(ct, subscripts, x1, x2, x3):
    """Trilinear in (ct, x2, x3); x1 gives the shape."""


@multilinear(einsum_vjp2, nondiff=("subscripts", "x2"))
def einsum_vjp2_three(ct, subscripts, x1, x2, x3):
    """Trilinear in (ct, x1, x3); x2 gives the shape."""


@multilinear(einsum_vjp3, nondiff=("subscripts", "x3"))
def einsum_vjp3_three(ct, subscripts, x1, x2, x3):
    """Trilinear in (ct, x1, x2); x3 gives the shape."""


@linear(transpose_last)
def transpose_last_rule(x):
    """Linear."""


@linear(uncumsum, nondiff=("x",))
def uncumsum_rule(ct, x, axis=None):
    """Linear in ct."""


@linear(untrace, nondiff=("a",))
def untrace_rule(ct, a, offset=0, axis1=0, axis2=1):
    """Linear in ct."""


@linear(undiag, nondiff=("v",))
def undiag_rule(ct, v, k=0):
    """Linear in ct."""


@linear(swap_axes)
def swap_axes_rule(ct, axis1=0, axis2=1):
    """Linear."""


@linear(untranspose)
def untranspose_rule(ct, axes=None):
    """Linear."""


@linear(unmoveaxis)
def unmoveaxis_rule(ct, source=0, destination=0):
    """Linear."""


@linear(unflip)
def unflip_rule(ct, axis=None):
    """Linear."""


@linear(unroll)
def unroll_rule(ct, shift=0, axis=None):
    """Linear."""


@linear(unconcatenate, nondiff=("arrays",))
def unconcatenate_rule(ct, arrays, axis=0):
    """Linear in ct (a tuple of pieces)."""


@linear(unsum, nondiff=("items",))
def unsum_rule(ct, items):
    """Linear in ct (items are read for their shapes)."""


@linear(sum_of)
def sum_of_rule(items):
    """Linear in the elements."""


@linear(unstack, nondiff=("arrays",))
def unstack_rule(ct, arrays, axis=0):
    """Linear in ct (a tuple of pieces)."""


@linear(unhstack, nondiff=("tup",))
def unhstack_rule(ct, tup):
    """Linear in ct (a tuple of pieces)."""


@linear(unvstack, nondiff=("tup",))
def unvstack_rule(ct, tup):
    """Linear in ct (a tuple of pieces)."""


@linear(untile, nondiff=("A",))
def untile_rule(ct, A, reps=1):
    """Linear in ct."""


@linear(unrepeat, nondiff=("a",))
def unrepeat_rule(ct, a, repeats=1, axis=None):
    """Linear in ct."""


@linear(untake, nondiff=("a",))
def untake_rule(ct, a, indices=0, axis=None):
    """Linear in ct (a scatter-add)."""


@linear(unsort, nondiff=("a",))
def unsort_rule(ct, a, axis=-1):
    """Linear in ct; `a` only chooses the permutation (piecewise constant in a)."""


@linear(resort, nondiff=("a",))
def resort_rule(ct, a, axis=-1):
    """Linear in ct; `a` only chooses the permutation (piecewise constant in a)."""
