"""Reductions: the per-example axis moves one place right (the batch axis is 0); without an
axis a reduction covers every axis but the batch axis. NumPy reduces over several axes
with a tuple, numba only over one integer axis (and only `sum`), so "everything but axis 0"
is the example flattened to a row, `np.sum(rows, axis=1)`, and the runtime helpers
(`batch_max`, ...: loops numba compiles) for the reductions numba has no axis for.

    np.sum(x)            ->  np.sum(x, axis=1)                       (x: a vector per example)
    np.mean(A)           ->  rows = np.reshape(np.ascontiguousarray(A), (n, -1))
                             np.sum(rows, axis=1) / rows.shape[1]
    np.max(A, axis=0)    ->  np.max(A, axis=1)
"""
import inspect

import numpy as np

from .base import register

_UNSUPPORTED = ("out", "where", "initial", "mean", "correction")
_HELPERS = {"max": "batch_max", "min": "batch_min", "prod": "batch_prod", "any": "batch_any", "all": "batch_all"}


def _out_kind(kind, a):
    if kind in ("any", "all"):
        return "b"
    if kind in ("argmax", "argmin"):
        return "i"
    if kind in ("mean", "var", "std"):
        return "c" if a.kind == "c" else ("f" if a.kind is not None else None)
    if kind in ("sum", "prod", "cumsum", "cumprod"):
        return a.kind if a.kind in ("f", "c") else ("i" if a.kind is not None else None)
    return a.kind


def _rows(c, a):
    """`a` (batched) as a 2-d array: one row of its elements per example."""
    c.need_rank(a)
    if a.rank == 1:
        return a.text
    if a.rank == 0:
        return f"{a}[:, None]"
    return c.let(f"{c.np}.reshape({c.np}.ascontiguousarray({a}), ({c.n}, {example_size(a)}))", "rows")


def example_size(a):
    """The number of elements of one example of batched `a` (rank known), as source: the
    product of its trailing dimensions (not -1, which NumPy cannot infer for an empty batch)."""
    if a.rank is None:
        return "-1"
    return " * ".join(f"{a}.shape[{i}]" for i in range(1, a.rank + 1)) or "1"


def reduction(fn, kind):
    """The rule of reduction `fn` (bound like `fn` itself: `np.sum(x, 0)` is axis 0)."""
    sig = inspect.signature(fn)

    def rule(c, *args, **kw):
        try:
            params = sig.bind(*args, **kw).arguments
        except TypeError as exc:
            c.fail(str(exc))
        a = params["a"]
        for name in _UNSUPPORTED:
            if name in params:
                c.fail(f"the {name}= argument")
        axis = c.const(params.get("axis"), "axis")
        if isinstance(axis, list):
            axis = tuple(axis)
        keepdims = bool(c.const(params.get("keepdims"), "keepdims", False))
        ddof = c.const(params.get("ddof"), "ddof", 0)
        dtype = params.get("dtype")
        r = a.rank
        n_axes = 0 if axis is None else (len(axis) if isinstance(axis, tuple) else 1)
        if kind in ("cumsum", "cumprod"):
            rank = r if axis is not None else 1
        elif keepdims:
            rank = r
        elif axis is None:
            rank = 0
        else:
            rank = None if r is None else r - n_axes
        out_kind = _out_kind(kind, a)
        if not c.batched:
            return c.keep(rank, out_kind)
        if dtype is not None and dtype.batched or ddof is not None and not isinstance(ddof, int):
            c.fail("a mapped dtype or ddof")
        extra = (f", dtype={dtype}" if dtype is not None else "") + (f", ddof={ddof}" if ddof else "")
        if axis is not None:
            keep = ", keepdims=True" if keepdims else ""
            return c.out(f"{c.func}({a}, axis={c.shift(axis)!r}{extra}{keep})", rank, out_kind)
        rows = _rows(c, a)
        if kind == "sum":
            text = f"{c.np}.sum({rows}, axis=1{extra})"
        elif kind == "mean":
            if dtype is not None:
                c.fail("np.mean with dtype=")
            text = f"{c.np}.sum({rows}, axis=1) / {rows}.shape[1]"
        elif kind in ("var", "std"):
            if dtype is not None:
                c.fail(f"np.{kind} with dtype=")
            mean = c.let(f"{c.np}.sum({rows}, axis=1) / {rows}.shape[1]", "mean")
            dev = c.let(f"{rows} - {mean}[:, None]", "dev")
            text = f"{c.np}.sum({c.np}.real({dev} * {c.np}.conj({dev})), axis=1) / ({rows}.shape[1] - {ddof})"
            if kind == "std":
                text = f"{c.np}.sqrt({text})"
        elif kind in ("argmax", "argmin", "cumsum", "cumprod"):
            text = f"{c.func}({rows}, axis=1{extra})"
        else:
            if dtype is not None:
                c.fail(f"np.{kind} with dtype=")
            text = f"{c.helper(_HELPERS[kind])}({rows})"
        if keepdims and r:
            text = f"({text})[:{', None' * r}]"
        return c.out(text, rank, out_kind)

    rule.__name__ = f"batch_{kind}"
    return rule


for _fn, _kind in ((np.sum, "sum"), (np.mean, "mean"), (np.prod, "prod"), (np.max, "max"), (np.min, "min"),
                   (np.any, "any"), (np.all, "all"), (np.var, "var"), (np.std, "std"), (np.argmax, "argmax"),
                   (np.argmin, "argmin"), (np.cumsum, "cumsum"), (np.cumprod, "cumprod")):
    register([_fn], reduction(_fn, _kind))
for _fn, _kind in ((np.amax, "max"), (np.amin, "min")):
    if _fn is not np.max and _fn is not np.min:
        register([_fn], reduction(_fn, _kind))
