"""Products: `@`, `np.matmul`, `np.dot`, `np.inner`, `np.outer`, `np.einsum`, `np.linalg.norm`,
`np.trace`. Per-example operands have 1 or 2 dimensions (a scalar operand of `np.dot`
multiplies). The batched forms keep BLAS doing the work and stay within what numba
compiles (2-d products only):

    x @ W.T      x batched (n, k), W not     ->  x @ np.transpose(W)       one (n, k) @ (k, m) product
    A @ x        A not, x batched (n, k)      ->  x @ np.transpose(A)
    A @ x        A batched (n, m, k), x not   ->  batch_matmul_left(A, x)   one (n*m, k) product
    a @ b        both batched vectors         ->  np.sum(a * b, axis=1)
    A @ B        both batched matrices        ->  batch_matmat(A, B)        one product per example
"""
import string

import gast
import numpy as np

from .base import register
from .reductions import _rows


def _product_rank(ra, rb, dot):
    if ra is None or rb is None:
        return None
    if ra == 0 or rb == 0:
        return max(ra, rb) if dot else None
    if ra == 1 and rb == 1:
        return 0
    if dot:
        return ra + rb - 2
    return max(ra, rb) - 1 if 1 in (ra, rb) else max(ra, rb)


def _kind(a, b):
    kinds = {a.kind, b.kind}
    if None in kinds:
        return None
    return "c" if "c" in kinds else "f" if "f" in kinds else "i"


def product(dot):
    """`np.dot` (dot=True: a scalar operand multiplies) or `@` / `np.matmul`."""
    def rule(c, a, b):
        ra, rb = a.rank, b.rank
        rank, kind = _product_rank(ra, rb, dot), _kind(a, b)
        if not c.batched:
            return c.keep(rank, kind)
        c.need_rank(a, b)
        if ra == 0 or rb == 0:
            if not dot:
                c.fail("matmul of a scalar")
            texts, rank = c.broadcast([a, b])
            return c.out(f"{texts[0]} * {texts[1]}", rank, kind)
        if ra > 2 or rb > 2:
            c.fail("products of operands with more than 2 dimensions per example")
        A, B = a.text, b.text
        if a.batched and not b.batched:
            text = f"{A} @ {B}" if ra == 1 else f"{c.helper('batch_matmul_left')}({A}, {B})"
        elif b.batched and not a.batched:
            if rb == 1:
                text = f"{B} @ {A}" if ra == 1 else f"{B} @ {c.np}.transpose({A})"
            elif ra == 1:
                text = f"{c.np}.sum({A}[:, None] * {B}, axis=1)"
            else:
                text = f"{c.helper('batch_matmat_right')}({A}, {B})"
        elif (ra, rb) == (1, 1):
            text = f"{c.np}.sum({A} * {B}, axis=1)"
        elif (ra, rb) == (2, 1):
            text = f"{c.np}.sum({A} * {B}[:, None, :], axis=2)"
        elif (ra, rb) == (1, 2):
            text = f"{c.np}.sum({A}[:, :, None] * {B}, axis=1)"
        else:
            text = f"{c.helper('batch_matmat')}({A}, {B})"
        return c.out(text, rank, kind)
    return rule


register([np.dot], product(dot=True))
register([np.matmul, gast.MatMult], product(dot=False))


def inner(c, a, b):
    """`np.inner` of vectors (scalars multiply)."""
    if a.rank is not None and b.rank is not None and max(a.rank, b.rank) > 1 and min(a.rank, b.rank) > 0:
        if c.batched:
            c.fail("np.inner of arrays with more than one dimension per example")
        return c.keep(None)
    return product(dot=True)(c, a, b)


def outer(c, a, b):
    """`np.outer` of two vectors."""
    if not c.batched:
        return c.keep(2 if a.rank is not None and b.rank is not None else None, _kind(a, b))
    if a.rank != 1 or b.rank != 1:
        c.fail("np.outer of operands that are not vectors per example")
    A = f"{a}[:, :, None]" if a.batched else f"{a}[:, None]"
    B = f"{b}[:, None, :]" if b.batched else b.text
    return c.out(f"{A} * {B}", 2, _kind(a, b))


register([np.inner], inner)
register([np.outer], outer)


def einsum(c, subscripts, *operands):
    """`np.einsum('ij,j->i', A, x)`: each batched operand and the output get a new letter."""
    spec = c.const(subscripts, "the einsum subscripts")
    if not isinstance(spec, str) or "..." in spec:
        c.fail("einsum subscripts with an ellipsis (or not a string)")
    spec = spec.replace(" ", "")
    inputs, _, output = spec.partition("->")
    terms = inputs.split(",")
    if not _:
        letters = [ch for ch in inputs if ch.isalpha()]
        output = "".join(sorted(ch for ch in set(letters) if letters.count(ch) == 1))
    if len(terms) != len(operands):
        c.fail("einsum subscripts that do not match the operands")
    if not c.batched:
        return c.keep(len(output))
    b = next(ch for ch in string.ascii_letters if ch not in spec)
    new = ",".join(b + t if op.batched else t for t, op in zip(terms, operands)) + "->" + b + output
    return c.out(f"{c.func}({new!r}, {', '.join(op.text for op in operands)})", len(output))


register([np.einsum], einsum)


def norm(c, x, ord=None, axis=None, keepdims=False):
    """`np.linalg.norm(x)`: the 2-norm of a vector, the Frobenius norm of a matrix."""
    if ord is not None and not (ord.is_const and ord.value is None):
        if c.batched:
            c.fail("np.linalg.norm with ord=")
        return c.keep(None, "f")
    axis_v = c.const(axis, "axis")
    keep = bool(c.const(keepdims, "keepdims", False))
    if axis_v is not None:
        n_axes = len(axis_v) if isinstance(axis_v, (tuple, list)) else 1
        rank = None if x.rank is None else (x.rank if keep else x.rank - n_axes)
        if not c.batched:
            return c.keep(rank, "f")
        return c.out(f"{c.func}({x}, axis={c.shift(tuple(axis_v) if isinstance(axis_v, list) else axis_v)!r}"
                     f"{', keepdims=True' if keep else ''})", rank, "f")
    if not c.batched:
        return c.keep(x.rank if keep else 0, "f")
    rows = _rows(c, x)
    text = f"{c.np}.sqrt({c.np}.sum({c.np}.real({rows} * {c.np}.conj({rows})), axis=1))"
    if keep and x.rank:
        text = f"({text})[:{', None' * x.rank}]"
    return c.out(text, x.rank if keep else 0, "f")


register([np.linalg.norm], norm)


def trace(c, a):
    """`np.trace(A)` of a matrix."""
    if not c.batched:
        return c.keep(0 if a.rank == 2 else None, a.kind)
    if a.rank != 2:
        c.fail("np.trace of an array that is not a matrix per example")
    return c.out(f"{c.helper('batch_trace')}({a})", 0, a.kind)


register([np.trace], trace)
