"""numba forms of np.einsum and of its derivative helpers (`einsum_vjp1/2/3`), which numba
does not implement: one loop nest per (literal) subscripts string and operand ranks.

Every letter of the subscripts gets a loop; the result term is accumulated with the product
of the factor terms at each point, so repeated letters (traces, diagonals), letters missing
from the output (sums) and letters missing from some operands all follow from the indexing:

    einsum('ij,jk->ik', a, b):    out[i, k] += a[i, j] * b[j, k]
    einsum_vjp1(ct, 'ii->', a):   res[i, i] += ct          (the diagonal of a's shape)
    einsum_vjp2(ct, 'ij,jk->ik', a, b): res[j, k] += ct[i, k] * a[i, j]

'...' is written out from the operands' ranks (runtime_einsum.expand_ellipsis). Every size
an index letter takes is checked against the others (NumPy's ValueError; a loop would
otherwise read past an operand). Like the other runtime_numba files, copied into standalone
dumped modules.
"""
import numpy as np  # noqa: F401  -- used by generated implementations
from numba import types
from numba.core import errors
from numba.extending import overload

from .runtime import (  # s2s-runtime-import
    einsum_vjp1,
    einsum_vjp2,
    einsum_vjp3,
    expand_ellipsis,
)  # s2s-runtime-import

_EINSUM_CACHE = {}


def _terms(subscripts, operands):
    """(input terms, output term) of an einsum spec for these operand types (NumPy's implicit
    output: the letters that appear once, sorted; '...' written out from the ranks)."""
    n = len(operands)
    spec = subscripts.replace(" ", "")
    if "." in spec:
        spec = expand_ellipsis(spec, [op.ndim if isinstance(op, types.Array) else 0 for op in operands])
    ins, arrow, out = spec.partition("->")
    ins = ins.split(",")
    if len(ins) != n:
        raise errors.TypingError(f"np.einsum: {len(ins)} operand terms in {subscripts!r} for {n} operands")
    letters = "".join(ins)
    if not arrow:
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return ins, out


def _loop_nest(sig, names, terms, result, scalar_result, factors=None):
    """impl(sig): result[result letters] += product of names[j][terms[j]] over every letter
    (the first `factors` terms; the others only give sizes)."""
    letters = "".join(dict.fromkeys("".join(terms) + result))
    lines = [f"def impl({sig}):"]
    for c in letters:  # each letter's size, from the first array term that has it; the others must agree
        where = [(names[j], k) for j, t in enumerate(terms) for k, d in enumerate(t) if d == c]
        lines.append(f"    n_{c} = {where[0][0]}.shape[{where[0][1]}]")
        for name, k in where[1:]:
            lines.append(f"    if {name}.shape[{k}] != n_{c}:")
            lines.append(f"        raise ValueError('np.einsum: operands differ in the size of index {c}')")
    if scalar_result:
        lines.append("    acc = 0.0")
    else:
        lines.append(f"    acc = np.zeros(({''.join(f'n_{c}, ' for c in result)}))")
    depth = 1
    for c in letters:
        lines.append("    " * depth + f"for i_{c} in range(n_{c}):")
        depth += 1
    product = " * ".join(f"{names[j]}[{', '.join(f'i_{c}' for c in t)}]" if t else f"{names[j]}"
                         for j, t in enumerate(terms[:factors])) or "1.0"
    target = "acc" if scalar_result else f"acc[{', '.join(f'i_{c}' for c in result)}]"
    lines.append("    " * depth + f"{target} += {product}")
    lines.append("    return acc")
    return lines


def _build(key, lines):
    impl = _EINSUM_CACHE.get(key)
    if impl is None:
        env = {"np": np}
        exec("\n".join(lines), env)
        impl = _EINSUM_CACHE[key] = env["impl"]
    return impl


def _ranks_ok(terms, operands):
    for t, op in zip(terms, operands):
        nd = op.ndim if isinstance(op, types.Array) else 0
        if nd != len(t):
            raise errors.TypingError(f"np.einsum: term {t!r} for an operand of {nd} dimensions")
    return all(isinstance(op, (types.Array, types.Number)) for op in operands)


@overload(np.einsum, prefer_literal=True)
def _ol_einsum(subscripts, *operands):
    if not isinstance(subscripts, types.StringLiteral):
        return None
    ins, out = _terms(subscripts.literal_value, operands)
    if not _ranks_ok(ins, operands):
        return None
    names = [f"operands[{j}]" for j in range(len(operands))]
    return _build(("einsum", subscripts.literal_value, len(operands)),
                  _loop_nest("subscripts, *operands", names, ins, out, not out))


def _vjp(k):
    def typer(ct, subscripts, *operands):
        if not isinstance(subscripts, types.StringLiteral) or k >= len(operands):
            return None
        ins, out = _terms(subscripts.literal_value, operands)
        if not _ranks_ok(ins, operands) or not _ranks_ok([out], [ct]):
            return None
        terms = [out] + [t for j, t in enumerate(ins) if j != k] + [ins[k]]  # the last: sizes only
        names = ["ct"] + [f"operands[{j}]" for j in range(len(operands)) if j != k] + [f"operands[{k}]"]
        lines = _loop_nest("ct, subscripts, *operands", names, terms, ins[k], not ins[k], len(terms) - 1)
        return _build(("einsum_vjp", k, subscripts.literal_value, len(operands)), lines)
    return typer


for _k, _helper in enumerate((einsum_vjp1, einsum_vjp2, einsum_vjp3)):
    overload(_helper, prefer_literal=True)(_vjp(_k))
