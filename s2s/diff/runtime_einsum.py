"""Runtime helpers of np.einsum's rule: the contribution to each operand is another einsum
(`einsum_vjp<k>`, linear in the cotangent and in every other operand). Part of the runtime
(`s2s.diff.runtime` re-exports every name in `__all__`; `s2s dump -o` copies this file after
it); their numba forms are loop nests (runtime_numba_einsum.py).
"""
import numpy as np

from .runtime import DerivativeUnavailable  # s2s-runtime-import

__all__ = ["einsum_vjp", "einsum_vjp1", "einsum_vjp2", "einsum_vjp3", "expand_ellipsis"]


def expand_ellipsis(spec, ndims):
    """`spec` with each '...' written out as letters it does not use, one per axis the
    ellipsis stands for in operands of `ndims` dimensions (right-aligned across operands, as
    NumPy broadcasts them); an implicit output puts the ellipsis axes first, as NumPy does."""
    if "." not in spec:
        return spec
    ins, arrow, out = spec.partition("->")
    ins = ins.split(",")
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in spec]
    counts = [nd - (len(t) - 3) if "..." in t else 0 for t, nd in zip(ins, ndims)]
    width = max(counts)
    letters = "".join(spare[:width])
    ins = [t.replace("...", letters[width - k:]) for t, k in zip(ins, counts)]
    if arrow:
        out = out.replace("...", letters)
    else:
        joined = "".join(ins)
        out = letters + "".join(sorted(c for c in set(joined) if joined.count(c) == 1 and c not in letters))
    return ",".join(ins) + "->" + out


def _without_ellipsis(spec, operands):
    """expand_ellipsis for these operands. Broadcasting a length-1 axis against a longer one
    is not covered (DerivativeUnavailable)."""
    if "." not in spec:
        return spec
    out = expand_ellipsis(spec, [np.ndim(op) for op in operands])
    lengths = {}
    for t, op in zip(out.partition("->")[0].split(","), operands):
        for c, n in zip(t, np.shape(op)):
            if lengths.setdefault(c, n) != n:
                raise DerivativeUnavailable("np.einsum's '...' broadcasting a length-1 axis has no derivative "
                                            "rule: broadcast the operands first")
    return out


def einsum_vjp(ct, subscripts, operands, i):
    """Contribution to operands[i] of `np.einsum(subscripts, *operands)` (NumPy only;
    explicit or implicit output, repeated indices such as 'ii->', '...')."""
    spec = _without_ellipsis(subscripts.replace(" ", ""), operands)
    ins, arrow, out = spec.partition("->")
    ins = ins.split(",")
    letters = "".join(ins)
    if not arrow:
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    sizes = {c: n for s, op in zip(ins, operands) for c, n in zip(s, np.shape(op))}
    target = ins[i]
    uniq = "".join(dict.fromkeys(target))
    subs = [out] + [s for j, s in enumerate(ins) if j != i]
    ops = [ct] + [op for j, op in enumerate(operands) if j != i]
    missing = "".join(c for c in uniq if not any(c in s for s in subs))
    if missing:
        subs.append(missing)
        ops.append(np.ones([sizes[c] for c in missing]))
    r = np.einsum(",".join(subs) + "->" + uniq, *ops)
    if uniq == target:
        return r
    full = np.zeros(np.shape(operands[i]), np.result_type(r))
    np.einsum(target + "->" + uniq, full)[...] = r  # a writable view of the diagonal
    return full


def einsum_vjp1(ct, subscripts, *operands):
    """Contribution to the first operand of `np.einsum(subscripts, *operands)`: linear in ct
    and in every other operand; the first is read for its shape only (so the rules of these
    helpers are np.einsum and the other einsum_vjp<k>, to every order)."""
    return einsum_vjp(ct, subscripts, operands, 0)


def einsum_vjp2(ct, subscripts, *operands):
    """Contribution to the second operand of `np.einsum(subscripts, *operands)`."""
    return einsum_vjp(ct, subscripts, operands, 1)


def einsum_vjp3(ct, subscripts, *operands):
    """Contribution to the third operand of `np.einsum(subscripts, *operands)`."""
    return einsum_vjp(ct, subscripts, operands, 2)
