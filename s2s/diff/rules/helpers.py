"""Rules for the runtime helpers that the other templates call, so that derivative code --
which contains them once the templates are inlined -- can be differentiated again
(grad of grad). Most helpers are linear in their cotangent argument `ct` and their rule is
the transposed helper: unbroadcast <-> unbroadcast, unreduce <-> reduce_to,
reshape_to <-> reshape_to, unconcatenate <-> concatenate, uncumsum <-> cumsum, ...
Arguments used only for their shape (`x`, `a`, `arrays`) get None.

The einsum helpers (`einsum_vjp<k>`: the contribution to operand k, linear in `ct` and in
every other operand) have as rules np.einsum itself and their siblings, and the helpers of
prod and norm (`prod_partials`, `norm_grad` and what their rules call) have rules in
rules/partials.py; so every order of derivative closes over the same helpers.
"""
import numpy as np

from ..registry import NONDIFF, OUTPUTS, VJP_RULES
from ..runtime_layout import uncolumn_stack, undstack
from ..runtime import (
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
    pick_leaf,
    stored_part,
    unstored_part,
    reduce_to,
    reshape_to,
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
    unstack,
    unsum,
    untake,
    unsort,
    sum_of,
    resort,
    untile,
    untrace,
    untranspose,
    unvstack,
)

register = VJP_RULES.register


def _one_per(param):
    """A helper returning one contribution per element of its sequence argument `param`: a
    tuple of that many (so derivative code read with `contrib[0]` is differentiated again
    with one adjoint per element, not a store into a tuple)."""
    def count(known):
        seq = known.get(param)
        return ("tuple", len(seq)) if isinstance(seq, (list, tuple)) else None
    return count


OUTPUTS.register(unconcatenate, unstack)(_one_per("arrays"))
OUTPUTS.register(unhstack, unvstack, uncolumn_stack, undstack)(_one_per("tup"))
OUTPUTS.register(unsum)(_one_per("items"))


@register(stored_part)
def stored_part_rule(g, ans, b, idx):
    return unstored_part(g, b, idx), None


@register(unstored_part)
def unstored_part_rule(g, ans, ct, b, idx):
    return stored_part(g, idx), None, None


@register(pick_leaf)
def pick_leaf_rule(g, ans, ct, i, k, n):
    return pick_leaf(g, i, k, n), None, None, None


@register(unbroadcast)
def unbroadcast_rule(g, ans, ct, x):
    return unbroadcast(g, ct), None


@register(unreduce)
def unreduce_rule(g, ans, ct, x, axis=None):
    return reduce_to(g, ct, axis), None


@register(reduce_to)
def reduce_to_rule(g, ans, ct, x, axis=None):
    return unreduce(g, ct, axis), None


@register(reshape_to)
def reshape_to_rule(g, ans, ct, x, order="C"):
    return reshape_to(g, ct, order), None


@register(copy_value)
def copy_value_rule(g, ans, v):
    return g


NONDIFF.register(real_only)  # zeros, or an error for the complex values it does not cover


@register(abs_direction)
def abs_direction_rule(g, ans, x):
    """0 for a real x (sign is piecewise constant); complex: abs_direction_vjp."""
    return abs_direction_vjp(g, x)


@register(abs_direction_tangent)
def abs_direction_tangent_rule(g, ans, x, t):
    """Linear in t (its transpose is abs_direction_vjp); through x, zero for a real x."""
    return real_only(x, g), abs_direction_vjp(g, x)


@register(abs_direction_vjp)
def abs_direction_vjp_rule(g, ans, c, x):
    """Linear in c (its transpose is abs_direction_tangent); through x, zero for a real x."""
    return abs_direction_tangent(x, g), real_only(x, g)


@register(scalar_output)
def scalar_output_rule(g, ans, value):
    """The identity (on the scalars it lets through)."""
    return g


@register(real_for)
def real_for_rule(g, ans, ct, x):
    """Linear in ct (x only says whether to take the real part)."""
    return real_for(g, ct), None


@register(add_at)
def add_at_rule(g, ans, a, idx, v):
    """As the function `a + scatter(v at idx)` (add_at updates `a` in place and returns it)."""
    return g, None, unbroadcast(g[idx], v)


@register(log_or_zero)
def log_or_zero_rule(g, ans, x):
    return g / x


@register(matmul_vjp1)
def matmul_vjp1_rule(g, ans, ct, x1, x2):
    return g @ x2, None, matmul_vjp2(ct, g, x2)


@register(matmul_vjp2)
def matmul_vjp2_rule(g, ans, ct, x1, x2):
    return x1 @ g, matmul_vjp1(ct, x1, g), None


@register(dot_vjp1)
def dot_vjp1_rule(g, ans, ct, x1, x2):
    return np.dot(g, x2), None, dot_vjp2(ct, g, x2)


@register(dot_vjp2)
def dot_vjp2_rule(g, ans, ct, x1, x2):
    return np.dot(x1, g), dot_vjp1(ct, x1, g), None


@register(tensordot_vjp1)
def tensordot_vjp1_rule(g, ans, ct, a, b, axes=2):
    return np.tensordot(g, b, axes), None, tensordot_vjp2(ct, g, b, axes)


@register(tensordot_vjp2)
def tensordot_vjp2_rule(g, ans, ct, a, b, axes=2):
    return np.tensordot(a, g, axes), tensordot_vjp1(ct, a, g, axes), None


@register(einsum_vjp1)
def einsum_vjp1_one(g, ans, ct, subscripts, x1):
    """Linear in ct (x1 gives the shape): its transpose is the einsum itself."""
    return np.einsum(subscripts, g), None, None


@register(einsum_vjp1)
def einsum_vjp1_two(g, ans, ct, subscripts, x1, x2):
    """Bilinear in (ct, x2); x1 gives the shape."""
    return np.einsum(subscripts, g, x2), None, None, einsum_vjp2(ct, subscripts, g, x2)


@register(einsum_vjp2)
def einsum_vjp2_two(g, ans, ct, subscripts, x1, x2):
    """Bilinear in (ct, x1); x2 gives the shape."""
    return np.einsum(subscripts, x1, g), None, einsum_vjp1(ct, subscripts, x1, g), None


@register(einsum_vjp1)
def einsum_vjp1_three(g, ans, ct, subscripts, x1, x2, x3):
    """Trilinear in (ct, x2, x3); x1 gives the shape."""
    return (np.einsum(subscripts, g, x2, x3), None, None, einsum_vjp2(ct, subscripts, g, x2, x3),
            einsum_vjp3(ct, subscripts, g, x2, x3))


@register(einsum_vjp2)
def einsum_vjp2_three(g, ans, ct, subscripts, x1, x2, x3):
    """Trilinear in (ct, x1, x3); x2 gives the shape."""
    return (np.einsum(subscripts, x1, g, x3), None, einsum_vjp1(ct, subscripts, x1, g, x3), None,
            einsum_vjp3(ct, subscripts, x1, g, x3))


@register(einsum_vjp3)
def einsum_vjp3_three(g, ans, ct, subscripts, x1, x2, x3):
    """Trilinear in (ct, x1, x2); x3 gives the shape."""
    return (np.einsum(subscripts, x1, x2, g), None, einsum_vjp1(ct, subscripts, x1, x2, g),
            einsum_vjp2(ct, subscripts, x1, x2, g), None)


@register(transpose_last)
def transpose_last_rule(g, ans, x):
    return transpose_last(g)


@register(uncumsum)
def uncumsum_rule(g, ans, ct, x, axis=None):
    return np.cumsum(g, axis), None


@register(untrace)
def untrace_rule(g, ans, ct, a, offset=0, axis1=0, axis2=1):
    return np.trace(g, offset, axis1, axis2), None


@register(undiag)
def undiag_rule(g, ans, ct, v, k=0):
    return np.diag(g, k), None


@register(swap_axes)
def swap_axes_rule(g, ans, ct, axis1=0, axis2=1):
    return swap_axes(g, axis1, axis2)


@register(untranspose)
def untranspose_rule(g, ans, ct, axes=None):
    return np.transpose(g, axes)


@register(unmoveaxis)
def unmoveaxis_rule(g, ans, ct, source=0, destination=0):
    return unmoveaxis(g, destination, source)


@register(unflip)
def unflip_rule(g, ans, ct, axis=None):
    return unflip(g, axis)


@register(unroll)
def unroll_rule(g, ans, ct, shift=0, axis=None):
    return unroll(g, np.negative(shift), axis)


@register(unconcatenate)
def unconcatenate_rule(g, ans, ct, arrays, axis=0):
    """`g` is the tuple of the pieces' cotangents."""
    return np.concatenate(g, axis), None


@register(unstack)
def unstack_rule(g, ans, ct, arrays, axis=0):
    return np.stack(g, axis), None


@register(unsum)
def unsum_rule(g, ans, ct, items):
    """`g` is the tuple of the elements' cotangents; each broadcasts back to ct's shape."""
    return unbroadcast(sum_of(g), ct), None


@register(sum_of)
def sum_of_rule(g, ans, items):
    return unsum(g, items)


@register(unhstack)
def unhstack_rule(g, ans, ct, tup):
    return np.hstack(g), None


@register(unvstack)
def unvstack_rule(g, ans, ct, tup):
    return np.vstack(g), None


@register(untile)
def untile_rule(g, ans, ct, A, reps=1):
    return np.tile(g, reps), None


@register(unrepeat)
def unrepeat_rule(g, ans, ct, a, repeats=1, axis=None):
    return np.repeat(g, repeats, axis), None


@register(untake)
def untake_rule(g, ans, ct, a, indices=0, axis=None):
    return np.take(g, indices, axis), None


@register(unsort)
def unsort_rule(g, ans, ct, a, axis=-1):
    return resort(g, a, axis), None


@register(resort)
def resort_rule(g, ans, ct, a, axis=-1):
    return unsort(g, a, axis), None
